"""Streamlit entry point of the checkout (`make run`). Thin: the app lives in wfm.app
(`python -m wfm.app` runs the same from an installed package)."""

from wfm.app import main

main()
