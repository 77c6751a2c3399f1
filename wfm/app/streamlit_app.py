"""The script Streamlit runs on every rerun of the installed app: see :mod:`wfm.app`."""

from wfm.app import main

main()
