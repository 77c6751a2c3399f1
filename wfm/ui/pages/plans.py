"""Page 9 Plans: its code is :mod:`wfm.ui.plans_page`; this file is what ``st.navigation`` runs."""

from wfm.ui import plans_page

plans_page.page()
