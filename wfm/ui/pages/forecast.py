"""Page 2 Forecast: its code is :mod:`wfm.ui.forecast_page`; this file is what ``st.navigation`` runs."""

from wfm.ui import forecast_page

forecast_page.page()
