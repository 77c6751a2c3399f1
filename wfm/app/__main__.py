"""``python -m wfm.app``: start the app (arguments go to ``streamlit run``)."""

from wfm.app import run

run()
