"""The Streamlit app, runnable from the installed package.

``python -m wfm.app`` (or the ``wfm-app`` command) starts ``streamlit run`` on
``streamlit_app.py`` beside this file; further arguments go to Streamlit
(``--server.port 8502``). That script only calls :func:`main`, which registers the
pages (their code lives in :mod:`wfm.ui`); the checkout's ``app.py`` does the same.
The script has a folder of its own because Streamlit puts the script's folder first
on ``sys.path``: next to ``wfm``'s modules it would make ``data``, ``plan`` or
``schedule`` importable as top-level names.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path


def main() -> None:
    """Register the pages and run the one the browser asked for (called on every rerun)."""
    from wfm.ui import navigation

    navigation.run()


def launch(args: list[str] | None = None) -> int:
    """Become ``streamlit run`` on the app's script (arguments go to Streamlit).

    On POSIX the process is replaced (``exec``), so Ctrl-C and a stop signal reach the
    server itself and no orphan is left; elsewhere it runs as a child and its exit code
    is returned.

    Parameters
    ----------
    args : list of str, optional
        Arguments passed on to ``streamlit run``; ``None`` takes them from ``sys.argv``.

    Returns
    -------
    int
        The exit code: 2 when Streamlit is not installed, Streamlit's own code where it
        runs as a child (130 on Ctrl-C); on POSIX a successful start never returns.
    """
    extra = list(sys.argv[1:] if args is None else args)
    if importlib.util.find_spec("streamlit") is None:  # an optional extra
        print("error: the app needs Streamlit, install it with pip install 'wfm[app]'.", file=sys.stderr)
        return 2
    command = [sys.executable, "-m", "streamlit", "run", str(Path(__file__).resolve().parent / "streamlit_app.py"),
               "--browser.gatherUsageStats", "false", "--client.toolbarMode", "viewer", *extra]
    sys.stdout.flush()
    sys.stderr.flush()
    if os.name == "posix":
        os.execv(sys.executable, command)
    try:
        return subprocess.call(command)
    except KeyboardInterrupt:
        return 130


def run() -> None:
    """Console entry point ``wfm-app``."""
    sys.exit(launch())

