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
import datetime as dt
import json
import os
import re
import shutil
import socket
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from wfm.errors import InputError, shown
from wfm.localtime import wall_clock

TABLE_SUFFIXES = (".csv", ".xlsx", ".parquet")
# Spreadsheets run a CSV cell starting with one of these as a formula (OWASP "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Names Windows will not create as files or folders, whatever the extension.
_RESERVED_NAMES = {"CON", "PRN", "AUX", "NUL"} | {f"{p}{i}" for p in ("COM", "LPT") for i in range(1, 10)}
# Characters that are separators or forbidden in names on some file system we may write to.
_UNSAFE_CHARS = set('/\\<>:"|?*')
MAX_FOLDER_NAME_BYTES = 120  # leaves room for the temporary-folder prefix and suffix under 255


def safe_folder_name(name: str, place: str, *, reserved: tuple[str, ...] = ()) -> str:
    """The one folder name a user-given ``name`` (scenario, plan...) is written under.

    Readable names stay as they are (``山田``, ``bank week 1``); path separators,
    characters Windows forbids and control characters become ``_``, and a leading dot
    (hidden folders, and the prefix of this module's temporary folders) becomes ``_``.
    Empty names, ``.``, ``..``, device names such as ``CON``, names in ``reserved``
    (files the caller writes beside the folder) and over-long names are refused with
    an :class:`InputError` naming ``place``: mapping them would hide the problem.

    Parameters
    ----------
    name : str
        The name the user gave.
    place : str
        Where it came from (a TOML path), for the message.
    reserved : tuple of str
        Names the caller writes beside the folder (e.g. ``index.csv``).

    Returns
    -------
    str
        The folder name.

    Raises
    ------
    InputError
        When the name cannot be one safe folder.

    Examples
    --------
    >>> safe_folder_name("bank/week 1", "name")
    'bank_week 1'
    """
    text = unicodedata.normalize("NFC", str(name))
    if text.strip() in ("", ".", ".."):
        raise InputError(f"{place}: '{shown(text)}' cannot be a folder name, expected a name with letters or digits.")
    mapped = "".join(
        "_" if ch in _UNSAFE_CHARS or unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch for ch in text
    )
    # Windows drops trailing dots and spaces; a leading dot hides the folder.
    mapped = mapped.strip().rstrip(".")
    if mapped.startswith("."):
        mapped = "_" + mapped[1:]
    stem = mapped.split(".")[0].strip().upper()
    if not mapped or stem in _RESERVED_NAMES or mapped.casefold() in {r.casefold() for r in reserved}:
        raise InputError(f"{place}: '{shown(text)}' is a reserved name, expected another name for its folder.")
    if len(mapped.encode("utf-8")) > MAX_FOLDER_NAME_BYTES:
        raise InputError(
            f"{place}: '{shown(text)}' is too long for a folder name "
            f"({len(mapped.encode('utf-8'))} bytes), expected at most {MAX_FOLDER_NAME_BYTES}."
        )
    return mapped


def download_name(name: str, suffix: str, fallback: str = "scenario") -> str:
    """A file name for a download named after ``name`` (the browser saves it as given).

    Parameters
    ----------
    name : str
        The name to build on (a scenario name).
    suffix : str
        The extension, e.g. ``".toml"``.
    fallback : str
        Used when ``name`` leaves nothing usable.

    Returns
    -------
    str
        A file name without path separators.

    Examples
    --------
    >>> download_name("bank plan", ".toml")
    'bank plan.toml'
    """
    try:
        return safe_folder_name(name, "name") + suffix
    except InputError:
        return fallback + suffix


def folder_inside(out_dir: Path, folder: str, place: str) -> Path:
    """``out_dir / folder``, refused unless it is a real folder (not a link) directly inside ``out_dir``.

    Parameters
    ----------
    out_dir : Path
        The output folder.
    folder : str
        A folder name (from :func:`safe_folder_name`).
    place : str
        Where the name came from, for the message.

    Returns
    -------
    Path
        ``out_dir / folder``.

    Raises
    ------
    InputError
        When it is a link or resolves outside ``out_dir``.
    """
    target = out_dir / folder
    if target.is_symlink() or target.resolve().parent != out_dir.resolve():
        raise InputError(f"{place}: '{shown(folder)}' does not lead to a folder inside {out_dir}, refused.")
    return target


def csv_text(value):
    """A CSV cell that no spreadsheet runs as a formula (OWASP: quote text starting = + - @ tab CR).

    Only text is changed; numbers (negative ones too) stay numbers.

    Parameters
    ----------
    value : object
        A cell value.

    Returns
    -------
    object
        ``value``, or the text with a leading ``'`` when it starts with ``= + - @``, tab or CR.

    Examples
    --------
    >>> csv_text("=SUM(A1)")
    "'=SUM(A1)"
    >>> csv_text(-3)
    -3
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell and column name passed through :func:`csv_text`.

    Parameters
    ----------
    frame : DataFrame
        The table to write.

    Returns
    -------
    DataFrame
        A copy safe to open in a spreadsheet.

    Examples
    --------
    >>> import pandas as pd
    >>> csv_safe(pd.DataFrame({"group": ["=1+1", "day"]}))["group"].tolist()
    ["'=1+1", 'day']
    """
    out = frame.copy()
    out.columns = [csv_text(c) for c in out.columns]
    for i, _column in enumerate(out.columns):
        series = out.iloc[:, i]
        if isinstance(series.dtype, pd.CategoricalDtype):
            series = series.astype(object)
        elif not (pd.api.types.is_object_dtype(series.dtype) or pd.api.types.is_string_dtype(series.dtype)):
            continue
        out.isetitem(i, _csv_text_column(series))
    return out


def _csv_text_column(series: pd.Series) -> pd.Series:
    """``series.map(csv_text)``, looking at each distinct value once (a queue column of
    100,000 rows has a handful)."""
    codes, distinct = pd.factorize(series.to_numpy(dtype=object), use_na_sentinel=True)
    values = series.to_numpy(dtype=object, copy=True)
    # Only text is ever changed, and text equals no other type, so a changed distinct
    # value stands for text cells only.
    quoted = np.array([csv_text(value) for value in distinct] + [None], dtype=object)
    changed = np.array([q is not v for q, v in zip(quoted, distinct, strict=False)] + [False])
    hit = changed[codes]  # code -1 (missing) reads the appended False
    values[hit] = quoted[codes[hit]]
    return pd.Series(values, index=series.index, name=series.name, dtype=object)


def csv_unquote(frame: pd.DataFrame) -> pd.DataFrame:
    """Undo :func:`csv_text` on a read CSV, so files this program wrote read back as they were.

    Parameters
    ----------
    frame : DataFrame
        A table read from a CSV this program wrote.

    Returns
    -------
    DataFrame
        The table with the leading ``'`` of quoted cells removed.

    Examples
    --------
    >>> import pandas as pd
    >>> csv_unquote(csv_safe(pd.DataFrame({"group": ["=1+1"]})))["group"].tolist()
    ['=1+1']
    """
    def unquote(value):
        if isinstance(value, str) and value.startswith("'") and value[1:2] and value[1:].startswith(FORMULA_TRIGGERS):
            return value[1:]
        return value

    frame.columns = [unquote(c) for c in frame.columns]
    for i in range(frame.shape[1]):
        column = frame.iloc[:, i]
        if not pd.api.types.is_object_dtype(column.dtype):
            continue
        quoted = _starting_with_quote(column)
        if quoted is None:
            frame.isetitem(i, column.map(unquote, na_action="ignore"))
        elif quoted.any():  # most columns (every timestamp column) have no quoted cell at all
            values = column.to_numpy(dtype=object, copy=True)
            values[quoted] = [unquote(v) for v in values[quoted]]
            frame.isetitem(i, pd.Series(values, index=column.index, name=column.name, dtype=object))
    return frame


def _starting_with_quote(column: pd.Series) -> np.ndarray | None:
    """Which cells of a text column start with ``'`` (found by Arrow); None when not all text."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        text = pa.array(column.to_numpy(dtype=object), type=pa.string(), from_pandas=True)
    except (pa.ArrowException, TypeError, ValueError):
        return None
    return pc.fill_null(pc.starts_with(text, "'"), False).to_numpy(zero_copy_only=False)


def text_cells_only(ws) -> None:
    """Store every formula-looking text of a normal openpyxl sheet as text, never a formula.

    openpyxl makes any ``str`` starting with ``=`` a formula; this program never writes
    formulas, so every such cell is text from a user (a group or scenario name).

    Parameters
    ----------
    ws : openpyxl.worksheet.worksheet.Worksheet
        A normal (not write-only) sheet, changed in place.
    """
    for row in ws.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"


def xlsx_cell(ws, value):
    """A value for a write-only openpyxl sheet: text that looks like a formula stays text.

    Parameters
    ----------
    ws : openpyxl write-only worksheet
        The sheet the cell goes to.
    value : object
        The cell value.

    Returns
    -------
    object
        ``value``, or a text cell for formula-looking text.
    """
    if isinstance(value, str) and value.startswith("="):
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"
        return cell
    return value


# Workbooks carry a creation and a modification time (in docProps/core.xml and in every
# zip entry); a fixed one keeps two runs of the same scenario byte-identical.
WORKBOOK_TIME = dt.datetime(2000, 1, 1)


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` on success.

    Parameters
    ----------
    path : str or Path
        The final file.

    Yields
    ------
    Path
        A hidden temporary path in the same folder; removed when the block fails.
    """
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


@contextlib.contextmanager
def atomic_dir(target: str | Path) -> Iterator[Path]:
    """Build an output folder that appears whole or not at all.

    Yields a fresh hidden temporary folder beside ``target`` to write into. When the
    block ends normally the temporary folder replaces ``target`` (an older ``target``
    is removed only once the new one is in place); when the block raises anything
    (``KeyboardInterrupt`` too), the temporary folder is removed and an older
    ``target`` is left exactly as it was. The folder is checked first
    (:func:`check_out_dir`), so a parent that is missing or not writable is an
    :class:`~wfm.errors.InputError` before any work.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "plan"
    >>> with atomic_dir(out) as tmp:
    ...     _ = (tmp / "kpis.json").write_text("{}")
    >>> sorted(p.name for p in out.iterdir())
    ['kpis.json']
    >>> shutil.rmtree(out.parent)

    Parameters
    ----------
    target : str or Path
        The output folder.

    Yields
    ------
    Path
        The temporary folder to write into.
    """
    target = check_out_dir(target)
    tmp = make_temp_dir(target)
    try:
        yield tmp
        replace_dir(tmp, target)
    finally:
        # After a successful swap the temporary folder is the target; otherwise it is waste.
        if os.path.lexists(tmp):
            shutil.rmtree(tmp, ignore_errors=True)


def make_temp_dir(beside: Path) -> Path:
    """A hidden temporary folder next to ``beside``, with the permissions of a new folder.

    Parameters
    ----------
    beside : Path
        The output folder the temporary one will replace; leftovers of earlier
        interrupted writes to it are removed first.

    Returns
    -------
    Path
        A new, empty folder in the same parent (so the final rename stays on one file
        system), named from ``beside``.
    """
    parent = beside.parent if str(beside.parent) else Path(".")
    remove_leftovers(beside)
    tmp = Path(tempfile.mkdtemp(prefix=_tmp_prefix(beside), suffix=".tmp", dir=parent))
    os.chmod(tmp, 0o777 & ~_umask())
    return tmp


# Called just before a folder is swapped in; raises to refuse. A batch pool worker sets it
# so that it never swaps a scenario folder in after its batch run was killed.
swap_guard: Callable[[], None] | None = None


def replace_dir(tmp: Path, target: Path) -> None:
    """Move a finished folder onto ``target``; an older ``target`` goes only once it is in place.

    Parameters
    ----------
    tmp : Path
        The finished temporary folder.
    target : Path
        The folder to replace or create.
    """
    if swap_guard is not None:
        swap_guard()
    if target.exists():
        old = target.with_name(f".{target.name}.old-{_owner()}-{time.monotonic_ns()}")
        os.replace(target, old)
        try:
            os.replace(tmp, target)
        except BaseException:
            os.replace(old, target)  # the older folder goes back: the target is never missing
            raise
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
    for kind, match in zip(("tmp", "old"), tagged, strict=False):
        if match:
            # A pid names a process only on its own host (Dask workers share folders).
            return kind if match.group(2) == host and not _pid_alive(int(match.group(1))) else None
    untagged = (
        re.fullmatch(rf"\.{t}\.{_RANDOM}{end}", name),
        re.fullmatch(rf"\.{t}\.old-(\d+)-\d+", name),
    )
    for kind, match in zip(("tmp", "old"), untagged, strict=False):
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

    Parameters
    ----------
    target : str or Path
        An output file or folder.

    Returns
    -------
    list of Path
        The leftovers removed.
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
    """Fail early (before any work) when an output table has an unsupported extension or cannot be written.

    Parameters
    ----------
    path : str or Path
        The output table (``.csv``, ``.xlsx``, ``.parquet``), or ``-`` for stdout.

    Raises
    ------
    InputError
        When the extension is unsupported or the file cannot be written there.
    """
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
    """Fail before any work when the output file ``path`` cannot be written (``-`` is stdout).

    Parameters
    ----------
    path : str or Path
        The output file.

    Raises
    ------
    InputError
        When it is a folder, its folder is missing or cannot be written.
    """
    if str(path) == "-":
        return
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path}: is a folder, expected a file name.")
    _check_writable_folder(path, path.parent if str(path.parent) else Path("."))


def check_out_dir(path: str | Path, *, parents: bool = False) -> Path:
    """Fail before any work when the output folder ``path`` cannot be made or replaced.

    A file in its place, a missing parent or a folder that cannot be written is an
    :class:`~wfm.errors.InputError` naming the folder. With ``parents`` the missing
    folders above it may be created too (as ``wfm batch`` does); the nearest existing
    one must then be writable. Returns ``path`` as a :class:`~pathlib.Path`.

    Parameters
    ----------
    path : str or Path
        The output folder.
    parents : bool
        Allow missing parent folders.

    Returns
    -------
    Path
        ``path`` as a Path.
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
    return path




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
    """A planner's words for why a file operation failed.

    Parameters
    ----------
    exc : OSError
        What ``open``, ``mkdir`` or ``os.replace`` raised.

    Returns
    -------
    str
        A lower-case phrase to put in brackets after the path, e.g. "permission
        denied" or "it is a folder, expected a file"; otherwise the system's message.
    """
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

    Yields
    ------
    callable
        ``stage(path) -> temporary path``.
    """
    with contextlib.ExitStack() as stack:

        def stage(path: str | Path) -> str | Path:
            return path if str(path) == "-" else stack.enter_context(atomic_path(path))

        yield stage


def _for_file(frame: pd.DataFrame) -> pd.DataFrame:
    """Excel cannot store tz-aware timestamps: write local wall-clock time there."""
    out = frame.copy()
    for column in out.columns:
        out[column] = wall_clock(out[column])
    return out


def write_table(frame: pd.DataFrame, path: str | Path, *, float_format: str | None = None) -> None:
    """Write a table as CSV, XLSX or Parquet (by extension) atomically; ``-`` is stdout CSV.

    Parameters
    ----------
    frame : DataFrame
        The table; text cells are made formula-safe (:func:`csv_safe`).
    path : str or Path
        ``.csv``, ``.xlsx``, ``.parquet``, or ``-`` for stdout.
    float_format : str, optional
        printf-style format of floats in CSV, e.g. ``"%.6g"``.
    """
    check_table_path(path)
    if str(path) == "-":
        _write_csv(csv_safe(frame), sys.stdout, float_format)
        return
    suffix = Path(path).suffix.lower()
    writers: dict[str, Callable[[Path], None]] = {
        ".csv": lambda p: _write_csv(csv_safe(frame), p, float_format),
        ".xlsx": lambda p: _write_xlsx(_for_file(frame), p),
        ".parquet": lambda p: frame.to_parquet(p, index=False),
    }
    with atomic_path(path) as tmp:
        writers[suffix](tmp)


def _write_csv(frame: pd.DataFrame, target, float_format: str | None) -> None:
    """``frame.to_csv(target, index=False)``, the same bytes, written by Arrow where it can.

    pandas formats every float through Python (0.9 s of a 100,000-row ``wfm size``);
    Arrow's writer is ten times faster. Each column is turned into the text pandas
    would write (see :func:`_csv_columns`); a table Arrow cannot write the same way
    (text that needs quoting, time zones, odd dtypes) goes through pandas.
    """
    columns = None if float_format is not None or os.linesep != "\n" else _csv_columns(frame)
    if columns is None:
        frame.to_csv(target, index=False, float_format=float_format)
        return
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    header = ",".join(frame.columns) + "\n"
    table = pa.Table.from_arrays(columns, names=[f"c{i}" for i in range(len(columns))])
    options = pa_csv.WriteOptions(include_header=False, quoting_style="none")
    if isinstance(target, str | Path):
        with open(target, "wb") as handle:
            handle.write(header.encode("utf-8"))
            pa_csv.write_csv(table, handle, options)
    else:
        sink = pa.BufferOutputStream()
        pa_csv.write_csv(table, sink, options)
        target.write(header + sink.getvalue().to_pybytes().decode("utf-8"))


# A CSV cell with one of these is quoted by pandas (QUOTE_MINIMAL); Arrow's unquoted
# writer refuses them, so such tables go through pandas.
_CSV_STRUCTURAL = re.compile(r'[,"\r\n]')


def _csv_columns(frame: pd.DataFrame) -> list | None:
    """The columns of ``frame`` as Arrow text, exactly as ``to_csv`` writes them; None when unsure."""
    names = list(frame.columns)
    if (
        len(frame) == 0 or len(names) < 2  # a lone empty cell is written "" by pandas
        or not all(isinstance(n, str) and not _CSV_STRUCTURAL.search(n) for n in names)
    ):
        return None
    columns = []
    for i in range(len(names)):
        text = _csv_column(frame.iloc[:, i])
        if text is None:
            return None
        columns.append(text)
    return columns


def _csv_column(series: pd.Series):
    """One column as pandas writes it: ints and text as they are, floats as numpy's
    shortest repr (``100.0``, ``1e-05``), naive timestamps to the second or the day,
    missing values empty. None for anything else."""
    import pyarrow as pa
    import pyarrow.compute as pc

    dtype = series.dtype
    try:
        if dtype == np.float64:
            return _float_text(series.to_numpy())
        if dtype == np.bool_:
            return pa.array(np.where(series.to_numpy(), "True", "False"))
        if pd.api.types.is_integer_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
            return pc.cast(pa.array(series, from_pandas=True), pa.string())
        if dtype == np.dtype("datetime64[ns]"):
            return _timestamp_text(series)
        if pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype):
            if pd.api.types.infer_dtype(series, skipna=True) not in ("string", "empty"):
                return None
            text = pa.array(series.astype(object), type=pa.string(), from_pandas=True)
            return None if pc.any(pc.match_substring_regex(text, _CSV_STRUCTURAL.pattern)).as_py() else text
    except (pa.ArrowException, ValueError, TypeError, UnicodeError):
        return None
    return None


def _float_text(values: np.ndarray):
    """Floats as numpy's ``astype(str)`` writes them (what pandas' ``to_csv`` uses).

    Both are the shortest text that reads back as the same float; Arrow leaves off
    ``.0`` and picks exponents by its own rule, so whole numbers get ``.0`` and values
    numpy writes with an exponent (below 1e-4, from 1e16) or Arrow does are formatted
    by numpy itself.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pc.cast(pa.array(values, from_pandas=True), pa.string())  # NaN -> empty
    with np.errstate(invalid="ignore"):
        size = np.abs(values)
        by_numpy = ~np.isfinite(values) & ~np.isnan(values) | (size >= 1e16) | ((size < 1e-4) & (size > 0))
    by_numpy |= pc.match_substring(text, "e").to_numpy(zero_copy_only=False).astype(bool, copy=False)
    whole = ~pc.match_substring(text, ".").to_numpy(zero_copy_only=False).astype(bool, copy=False)
    text = pc.if_else(pa.array(whole & ~by_numpy & ~np.isnan(values)), pc.binary_join_element_wise(text, ".0", ""), text)
    if by_numpy.any():
        text = pc.replace_with_mask(text, pa.array(by_numpy), pa.array(values[by_numpy].astype(str)))
    return text


def _timestamp_text(series: pd.Series):
    """Naive timestamps as pandas writes a column of them: ``YYYY-MM-DD HH:MM:SS``, or
    the date alone when every one is at midnight; None with fractions of a second."""
    import pyarrow as pa
    import pyarrow.compute as pc

    ns = series.to_numpy().view(np.int64)
    valid = ~series.isna().to_numpy()
    if not valid.any() or (ns[valid] % 1_000_000_000).any():
        return None
    stamps = pa.array(series, from_pandas=True)
    if not (ns[valid] % (86_400 * 1_000_000_000)).any():
        return pc.cast(pc.cast(stamps, pa.date32()), pa.string())
    return pc.cast(pc.cast(stamps, pa.timestamp("s")), pa.string())


def _write_xlsx(frame: pd.DataFrame, path: Path) -> None:
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        frame.to_excel(writer, index=False)
        for ws in writer.sheets.values():
            text_cells_only(ws)
    fix_workbook_times(path)


def fix_workbook_times(path: str | Path, when: dt.datetime = WORKBOOK_TIME) -> None:
    """Give the workbook at ``path`` the fixed time ``when`` everywhere the clock leaked in.

    openpyxl stamps the document's created and modified properties and each zip entry
    with the current time at save; this rewrites those stamps (the content is unchanged).

    Parameters
    ----------
    path : str or Path
        The saved XLSX file, rewritten in place.
    when : datetime
        The time to stamp (default 2000-01-01).
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
    """Write JSON atomically (UTF-8, indented, keys in insertion order).

    Parameters
    ----------
    data : object
        JSON-ready data.
    path : str or Path
        The file.
    """
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")


def write_text(text: str, path: str | Path) -> None:
    """Write a text file atomically.

    Parameters
    ----------
    text : str
        The content (UTF-8).
    path : str or Path
        The file.
    """
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
