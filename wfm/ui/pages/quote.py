"""Page 8 Quote: its code is :mod:`wfm.ui.quote_page`; this file is what ``st.navigation`` runs."""

from wfm.ui import quote_page

quote_page.page()
