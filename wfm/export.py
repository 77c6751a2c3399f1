"""Writers for tables and files that leave the program.

Every writer is atomic: it writes a temporary file in the target's directory and
renames it over the target, so a failed run never leaves a half-written file and
never corrupts what was there before.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Iterator

import pandas as pd

from wfm.errors import InputError

TABLE_SUFFIXES = (".csv", ".xlsx", ".parquet")


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` on success."""
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.exists():
        raise InputError(f"{path}: the folder '{parent}' does not exist.")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp" + path.suffix, dir=parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        # mkstemp makes owner-only files; give the result the permissions any new file gets.
        os.chmod(tmp_path, 0o666 & ~_umask())
        os.replace(tmp_path, path)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def make_temp_dir(beside: Path) -> Path:
    """A hidden temporary folder next to ``beside``, with the permissions of a new folder."""
    parent = beside.parent if str(beside.parent) else Path(".")
    tmp = Path(tempfile.mkdtemp(prefix=f".{beside.name}.", suffix=".tmp", dir=parent))
    os.chmod(tmp, 0o777 & ~_umask())
    return tmp


def replace_dir(tmp: Path, target: Path) -> None:
    """Move a finished folder onto ``target``; an older ``target`` goes only once it is in place."""
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}-{time.monotonic_ns()}")
        os.replace(target, old)
        os.replace(tmp, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, target)


def check_table_path(path: str | Path) -> None:
    """Fail early (before any work) when an output table has an unsupported extension or cannot be written."""
    if str(path) == "-":
        return
    if Path(path).is_dir():
        raise InputError(f"{path}: is a folder, expected a file name such as {Path(path) / 'out.csv'}.")
    suffix = Path(path).suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise InputError(
            f"{path}: unsupported output type '{suffix or '(none)'}', expected one of {', '.join(TABLE_SUFFIXES)}."
        )
    check_output_file(path)


def check_output_file(path: str | Path) -> None:
    """Fail before any work when the output file ``path`` cannot be written (``-`` is stdout)."""
    if str(path) == "-":
        return
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path}: is a folder, expected a file name.")
    _check_writable_folder(path, path.parent if str(path.parent) else Path("."))


def check_output_folder(path: str | Path, *, parents: bool = False) -> None:
    """Fail before any work when the output folder ``path`` cannot be made or replaced.

    With ``parents`` the missing folders above it may be created too (as ``wfm batch``
    does); the nearest existing one must then be writable.
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise InputError(f"{path}: exists and is not a folder, expected a folder for the outputs.")
    parent = path.parent if str(path.parent) else Path(".")
    if parents and path.is_dir():
        parent = path
    while parents and not parent.exists() and parent != parent.parent:
        parent = parent.parent
    _check_writable_folder(path, parent)


def _check_writable_folder(target: Path, parent: Path) -> None:
    if not parent.exists():
        raise InputError(f"{target}: the folder '{parent}' does not exist.")
    if not parent.is_dir():
        raise InputError(f"{target}: '{parent}' is not a folder.")
    # os.access is no proof (root, read-only mounts, /proc): make and remove the kind of
    # temporary file the atomic writers will make there.
    try:
        fd, probe = tempfile.mkstemp(prefix=".wfm-write-check.", suffix=".tmp", dir=parent)
    except OSError as exc:
        raise InputError(f"{target}: cannot write into the folder '{parent}' ({os_reason(exc)}).") from None
    os.close(fd)
    os.unlink(probe)


def os_reason(exc: OSError) -> str:
    """A planner's words for why a file operation failed."""
    reasons = {
        IsADirectoryError: "it is a folder, expected a file",
        NotADirectoryError: "a part of the path is not a folder",
        PermissionError: "permission denied",
        FileNotFoundError: "no such file or folder",
        FileExistsError: "it already exists",
    }
    for kind, reason in reasons.items():
        if isinstance(exc, kind):
            return reason
    return (exc.strerror or str(exc)).lower()


@contextlib.contextmanager
def all_or_none() -> Iterator[Callable[[str | Path], str | Path]]:
    """Write several outputs together: all appear, or none does.

    ``stage(path)`` returns a temporary path beside ``path`` to write into; the
    temporary files are renamed onto their targets only when the block ends without
    an error (``-``, stdout, is passed through as it is).
    """
    with contextlib.ExitStack() as stack:

        def stage(path: str | Path) -> str | Path:
            return path if str(path) == "-" else stack.enter_context(atomic_path(path))

        yield stage


def _for_file(frame: pd.DataFrame) -> pd.DataFrame:
    """Excel cannot store tz-aware timestamps: write local wall-clock time there."""
    out = frame.copy()
    for column in out.columns:
        if isinstance(out[column].dtype, pd.DatetimeTZDtype):
            out[column] = out[column].dt.tz_localize(None)
    return out


def write_table(frame: pd.DataFrame, path: str | Path, *, float_format: str | None = None) -> None:
    """Write a table as CSV, XLSX or Parquet (by extension) atomically; ``-`` is stdout CSV."""
    check_table_path(path)
    if str(path) == "-":
        frame.to_csv(sys.stdout, index=False, float_format=float_format)
        return
    suffix = Path(path).suffix.lower()
    writers: dict[str, Callable[[Path], None]] = {
        ".csv": lambda p: frame.to_csv(p, index=False, float_format=float_format),
        ".xlsx": lambda p: _for_file(frame).to_excel(p, index=False),
        ".parquet": lambda p: frame.to_parquet(p, index=False),
    }
    with atomic_path(path) as tmp:
        writers[suffix](tmp)


def write_json(data, path: str | Path) -> None:
    """Write JSON atomically (UTF-8, indented, keys in insertion order)."""
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")


def write_text(text: str, path: str | Path) -> None:
    """Write a text file atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
