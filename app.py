"""Streamlit entry point (`make run`). Thin: the pages are files under wfm/ui/pages (wfm.ui.navigation)."""

from wfm.ui import navigation

navigation.run()
