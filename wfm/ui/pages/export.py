"""Page 7 Export: its code is :mod:`wfm.ui.export_page`; this file is what ``st.navigation`` runs."""

from wfm.ui import export_page

export_page.page()
