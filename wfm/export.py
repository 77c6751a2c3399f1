"""Writers for tables and files that leave the program.

Every writer is atomic: it writes a temporary file in the target's directory and
renames it over the target, so a failed run never leaves a half-written file and
never corrupts what was there before.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Iterator

import pandas as pd

from wfm.errors import InputError

TABLE_SUFFIXES = (".csv", ".xlsx", ".parquet")
# Workbooks carry a creation and a modification time (in docProps/core.xml and in every
# zip entry); a fixed one keeps two runs of the same scenario byte-identical.
WORKBOOK_TIME = dt.datetime(2000, 1, 1)


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
    """Fail early (before any work) when an output path has an unsupported extension."""
    if str(path) == "-":
        return
    suffix = Path(path).suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise InputError(
            f"{path}: unsupported output type '{suffix or '(none)'}', expected one of {', '.join(TABLE_SUFFIXES)}."
        )


def _for_file(frame: pd.DataFrame) -> pd.DataFrame:
    """Excel cannot store tz-aware timestamps: write local wall-clock time there."""
    out = frame.copy()
    for column in out.columns:
        if isinstance(out[column].dtype, pd.DatetimeTZDtype):
            out[column] = out[column].dt.tz_localize(None)
    return out


def _write_xlsx(frame: pd.DataFrame, path: Path) -> None:
    _for_file(frame).to_excel(path, index=False)
    fix_workbook_times(path)


def write_table(frame: pd.DataFrame, path: str | Path, *, float_format: str | None = None) -> None:
    """Write a table as CSV, XLSX or Parquet (by extension) atomically; ``-`` is stdout CSV."""
    check_table_path(path)
    if str(path) == "-":
        frame.to_csv(sys.stdout, index=False, float_format=float_format)
        return
    suffix = Path(path).suffix.lower()
    writers: dict[str, Callable[[Path], None]] = {
        ".csv": lambda p: frame.to_csv(p, index=False, float_format=float_format),
        ".xlsx": lambda p: _write_xlsx(frame, p),
        ".parquet": lambda p: frame.to_parquet(p, index=False),
    }
    with atomic_path(path) as tmp:
        writers[suffix](tmp)


def fix_workbook_times(path: str | Path, when: dt.datetime = WORKBOOK_TIME) -> None:
    """Give the workbook at ``path`` the fixed time ``when`` everywhere the clock leaked in.

    openpyxl stamps the document's created and modified properties and each zip entry
    with the current time at save; this rewrites those stamps (the content is unchanged).
    """
    import zipfile

    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(path) as archive:
        entries = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w") as archive:
        for info, data in entries:
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(created|modified)\b[^>]*>)[^<]*(</dcterms:)", rb"\g<1>" + stamp + rb"\g<3>", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            archive.writestr(fixed, data)


def write_json(data, path: str | Path) -> None:
    """Write JSON atomically (UTF-8, indented, keys in insertion order)."""
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")


def write_text(text: str, path: str | Path) -> None:
    """Write a text file atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
