"""Page 10 Roster: its code is :mod:`wfm.ui.roster_page`; this file is what ``st.navigation`` runs."""

from wfm.ui import roster_page

roster_page.page()
