"""Errors that are the user's to fix.

Every user mistake is reported as one clear sentence naming the place (file, row,
column or field), the bad value and what is expected. Front ends (CLI, app) show
the message and exit non-zero; they never show a traceback for an ``InputError``.
"""


from pathlib import Path


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


def existing_file(path, *, missing: str, folder: str) -> Path:
    """``path`` as a :class:`~pathlib.Path`, refused with ``"{path}: {missing}"`` when it does
    not exist and ``"{path}: {folder}"`` when it is a folder (one sentence, before reading).

    Parameters
    ----------
    path : str or Path
        The file to read.
    missing : str
        The sentence's end when it does not exist.
    folder : str
        The sentence's end when it is a folder.

    Returns
    -------
    Path
        The path.

    Raises
    ------
    InputError
        When the file is missing or a folder.
    """
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path}: {folder}")
    if not path.exists():
        raise InputError(f"{path}: {missing}")
    return path
