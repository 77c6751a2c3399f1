"""The app: page set-up, the sidebar and the page files under ``wfm/ui/pages/``.

Each page is a file (``st.Page`` with a path), so a test opens it the way a click on its
link does (``AppTest.switch_page("wfm/ui/pages/staffing.py")``); the URL of a page is
its name (``/staffing``). The page files only call the page code in ``wfm.ui.*_page``.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from wfm.ui import quote_page, sidebar, state
from wfm.ui.i18n import t

PAGE_FILES = Path(__file__).resolve().parent / "pages"
# (file stem = url path, title); the first is the default page
PAGES = (
    ("data", "1 Data"),
    ("forecast", "2 Forecast"),
    ("staffing", "3 Staffing"),
    ("outbound", "4 Outbound & blending"),
    ("schedule", "5 Schedule"),
    ("verify", "6 Verify"),
    ("export", "7 Export"),
    ("quote", "8 Quote"),
    ("plans", "9 Plans"),
    ("roster", "10 Roster"),
)


def page_file(name: str) -> Path:
    """The file of page ``name`` (e.g. ``"staffing"``)."""
    return PAGE_FILES / f"{name}.py"


def pages() -> list:
    """The pages shown, in order, titled in the session's language (Quote when it is available)."""
    shown = [name for name, _ in PAGES if name != "quote" or quote_page.available()]
    titles = dict(PAGES)
    return [st.Page(page_file(name), title=t(titles[name]), url_path=name, default=i == 0) for i, name in enumerate(shown)]


def run() -> None:
    """One run of the app script: set-up, session defaults, sidebar, then the chosen page."""
    st.set_page_config(page_title="wfm", page_icon="📞", layout="wide")
    state.init()
    sidebar.sidebar()
    st.navigation(pages()).run()
