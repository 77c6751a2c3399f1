"""Files shipped inside the package: the bundled sample, the quote demand profile and
the example scenarios.

They are read through :mod:`importlib.resources` so that an installed wheel finds them
as a checkout does (nothing points outside the package).
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

__all__ = ["folder", "sample_path", "examples_folder", "example", "profile_path"]


def folder() -> Path:
    """The folder holding the bundled files (inside the installed package).

    Returns
    -------
    Path
        ``wfm/resources`` of the installed package.
    """
    return Path(str(files(__name__)))


def sample_path() -> Path:
    """The bundled real sample: a US bank's calls in 5-minute intervals.

    Returns
    -------
    Path
        ``bank_calls_5min.csv`` (provenance in the folder's README.md).
    """
    return folder() / "bank_calls_5min.csv"


def examples_folder() -> Path:
    """The folder of the example scenarios (``bank_plan.toml``, ``quote_bank.toml`` ...).

    Returns
    -------
    Path
        ``wfm/resources/examples``.
    """
    return folder() / "examples"


def example(name: str) -> Path:
    """One example scenario or input by file name, e.g. ``example("bank_plan.toml")``.

    Parameters
    ----------
    name : str
        File name inside ``examples/``.

    Returns
    -------
    Path
        The file.

    Examples
    --------
    >>> example("bank_plan.toml").name
    'bank_plan.toml'
    """
    return examples_folder() / name


def profile_path(name: str) -> Path:
    """A bundled quote demand profile by file name.

    Parameters
    ----------
    name : str
        File name, e.g. ``quote_profile_bank.json``.

    Returns
    -------
    Path
        The file.
    """
    return folder() / name
