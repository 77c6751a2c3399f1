"""Streamlit entry point (`make run`). Thin: registers the pages; page code lives in wfm.ui."""

import streamlit as st

from wfm.ui import (
    data_page,
    export_page,
    forecast_page,
    outbound_page,
    plans_page,
    quote_page,
    schedule_page,
    sidebar,
    staffing_page,
    state,
    verify_page,
)
from wfm.ui.i18n import t

st.set_page_config(page_title="wfm", page_icon="📞", layout="wide")
state.init()
sidebar.sidebar()
pages = [
    st.Page(data_page.page, title=t("1 Data"), url_path="data", default=True),
    st.Page(forecast_page.page, title=t("2 Forecast"), url_path="forecast"),
    st.Page(staffing_page.page, title=t("3 Staffing"), url_path="staffing"),
    st.Page(outbound_page.page, title=t("4 Outbound & blending"), url_path="outbound"),
    st.Page(schedule_page.page, title=t("5 Schedule"), url_path="schedule"),
    st.Page(verify_page.page, title=t("6 Verify"), url_path="verify"),
    st.Page(export_page.page, title=t("7 Export"), url_path="export"),
]
if quote_page.available():
    pages.append(st.Page(quote_page.page, title=t("8 Quote"), url_path="quote"))
pages.append(st.Page(plans_page.page, title=t("9 Plans"), url_path="plans"))
st.navigation(pages).run()
