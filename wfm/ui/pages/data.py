"""Page 1 Data: its code is :mod:`wfm.ui.data_page`; this file is what ``st.navigation`` runs."""

from wfm.ui import data_page

data_page.page()
