"""Page 4 Outbound & blending: its code is :mod:`wfm.ui.outbound_page`; this file is what ``st.navigation`` runs."""

from wfm.ui import outbound_page

outbound_page.page()
