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
    """The folder holding the bundled files (inside the installed package)."""
    return Path(str(files(__name__)))


def sample_path() -> Path:
    """The bundled real sample: a US bank's calls in 5-minute intervals."""
    return folder() / "bank_calls_5min.csv"


def examples_folder() -> Path:
    """The folder of the example scenarios (``bank_plan.toml``, ``quote_bank.toml`` ...)."""
    return folder() / "examples"


def example(name: str) -> Path:
    """One example scenario or input by file name, e.g. ``example("bank_plan.toml")``."""
    return examples_folder() / name


def profile_path(name: str) -> Path:
    """A bundled quote demand profile by file name."""
    return folder() / name
