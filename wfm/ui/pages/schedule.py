"""Page 5 Schedule: its code is :mod:`wfm.ui.schedule_page`; this file is what ``st.navigation`` runs."""

from wfm.ui import schedule_page

schedule_page.page()
