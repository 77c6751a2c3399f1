"""Errors that are the user's to fix.

Every user mistake is reported as one clear sentence naming the place (file, row,
column or field), the bad value and what is expected. Front ends (CLI, app) show
the message and exit non-zero; they never show a traceback for an ``InputError``.
"""


class InputError(ValueError):
    """Bad input: the message is one sentence a planner can act on."""


def shown(value, limit: int = 40) -> str:
    """``value`` as quoted in an error message: one line, at most ``limit`` characters.

    Error messages reach the app's screen and logs; a cell of a file must not travel
    whole through them (it may be a secret, or a megabyte of text), only enough of it
    for the planner to find it.

    Parameters
    ----------
    value : object
        The offending value.
    limit : int
        Characters kept at most.

    Returns
    -------
    str
        The value on one line, cut with ``…``.

    Examples
    --------
    >>> shown("a" + chr(10) + "b")
    'a b'
    >>> len(shown("x" * 60))
    40
    """
    text = " ".join(str(value).split()) if str(value).strip() else str(value)
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    return text if len(text) <= limit else text[: max(1, limit - 1)] + "…"
