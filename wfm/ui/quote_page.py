"""Page 8, Quote: placeholder until wired to wfm.quote."""

from __future__ import annotations


def available() -> bool:
    return False


def page() -> None:
    pass
