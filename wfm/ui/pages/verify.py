"""Page 6 Verify: its code is :mod:`wfm.ui.verify_page`; this file is what ``st.navigation`` runs."""

from wfm.ui import verify_page

verify_page.page()
