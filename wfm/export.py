"""Writers for tables and files that leave the program.

Every writer is atomic: it writes a temporary file in the target's directory and
renames it over the target, so a failed run never leaves a half-written file and
never corrupts what was there before.

Temporary names carry the writing process's id and host (``.NAME.PID@HOST.xxxxxxxx.tmp``,
``.NAME.old-PID@HOST-NS``), so a later run can tell what a killed run left behind
(SIGKILL skips every ``finally``) and remove it: see :func:`remove_leftovers`.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
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
    remove_leftovers(path)
    fd, tmp = tempfile.mkstemp(prefix=_tmp_prefix(path), suffix=".tmp" + path.suffix, dir=parent)
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
    remove_leftovers(beside)
    tmp = Path(tempfile.mkdtemp(prefix=_tmp_prefix(beside), suffix=".tmp", dir=parent))
    os.chmod(tmp, 0o777 & ~_umask())
    return tmp


# Called just before a folder is swapped in; raises to refuse. A batch pool worker sets it
# so that it never swaps a scenario folder in after its batch run was killed.
swap_guard: Callable[[], None] | None = None


def replace_dir(tmp: Path, target: Path) -> None:
    """Move a finished folder onto ``target``; an older ``target`` goes only once it is in place."""
    if swap_guard is not None:
        swap_guard()
    if target.exists():
        old = target.with_name(f".{target.name}.old-{_owner()}-{time.monotonic_ns()}")
        os.replace(target, old)
        os.replace(tmp, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, target)


# Leftovers of runs that predate the owner tag are removed only once this old: no run
# of the program takes a day, and their owner cannot be checked.
_UNTAGGED_AGE_SECONDS = 24 * 3600
# What tempfile adds to a name: 8 characters from its alphabet.
_RANDOM = r"[a-z0-9_]{8}"


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9.-]", "-", socket.gethostname()) or "host"


def _owner() -> str:
    """``PID@HOST`` of this process, written into every temporary name."""
    return f"{os.getpid()}@{_host()}"


def _tmp_prefix(target: Path) -> str:
    return f".{target.name}.{_owner()}."


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True  # someone else's process (or not a pid we can check): leave it alone
    return True


def _leftover_kind(name: str, target: str, host: str, now: float, mtime: float) -> str | None:
    """``"tmp"`` or ``"old"`` when ``name`` is a temporary name of ``target`` whose run is gone."""
    t = re.escape(target)
    # Folders end in .tmp; files (atomic_path) in .tmp plus the target's own suffix.
    end = rf"\.tmp(?:{re.escape(Path(target).suffix)})?" if Path(target).suffix else r"\.tmp"
    tagged = (
        re.fullmatch(rf"\.{t}\.(\d+)@([A-Za-z0-9.-]+)\.{_RANDOM}{end}", name),
        re.fullmatch(rf"\.{t}\.old-(\d+)@([A-Za-z0-9.-]+)-\d+", name),
    )
    for kind, match in zip(("tmp", "old"), tagged):
        if match:
            # A pid names a process only on its own host (Dask workers share folders).
            return kind if match.group(2) == host and not _pid_alive(int(match.group(1))) else None
    untagged = (
        re.fullmatch(rf"\.{t}\.{_RANDOM}{end}", name),
        re.fullmatch(rf"\.{t}\.old-(\d+)-\d+", name),
    )
    for kind, match in zip(("tmp", "old"), untagged):
        if match and now - mtime > _UNTAGGED_AGE_SECONDS:
            return kind
    return None


def remove_leftovers(target: str | Path) -> list[Path]:
    """Remove the temporary files and folders that killed runs left beside ``target``.

    Only names of exactly this module's patterns for ``target`` are touched, and only
    when the process that made them is gone (its pid, on this host, no longer exists;
    untagged names from older versions once they are a day old). When ``target`` itself
    is missing because a run died between moving the previous version aside and moving
    the new one in, the newest previous version is put back first. Returns what was
    removed.
    """
    target = Path(target)
    parent = target.parent if str(target.parent) else Path(".")
    host, now = _host(), time.time()
    found: dict[str, list[tuple[int, Path]]] = {"tmp": [], "old": []}
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return []
    for entry in entries:
        if not entry.name.startswith(f".{target.name}."):
            continue
        try:
            mtime = entry.stat(follow_symlinks=False).st_mtime
        except OSError:
            continue
        kind = _leftover_kind(entry.name, target.name, host, now, mtime)
        if kind and not entry.is_symlink():
            found[kind].append((int(entry.name.rsplit("-", 1)[-1]) if kind == "old" else 0, Path(entry.path)))
    old = sorted(found["old"])
    if old and not os.path.lexists(target):
        with contextlib.suppress(OSError):
            os.replace(old.pop()[1], target)
    removed = []
    for _, path in found["tmp"] + old:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                path.unlink()
        if not os.path.lexists(path):
            removed.append(path)
    return removed


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
