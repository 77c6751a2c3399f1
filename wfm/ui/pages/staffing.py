"""Page 3 Staffing: its code is :mod:`wfm.ui.staffing_page`; this file is what ``st.navigation`` runs."""

from wfm.ui import staffing_page

staffing_page.page()
