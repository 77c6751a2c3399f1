"""Streamlit entry point (`make run`). Thin: pages live in wfm.ui."""

import streamlit as st

from wfm.ui import calculator

st.set_page_config(page_title="wfm", layout="wide")
calculator.page()
