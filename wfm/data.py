"""Read and validate interval tables into the canonical long frame.

The canonical frame has one row per queue and interval start:

``queue``  string (``"default"`` when the file has no queue column)
``ds``     interval start, local wall-clock time (tz-aware when a time zone is known)
``y``      contacts offered in the interval (float, >= 0)
``aht``    average handle time in seconds (float, > 0), only when the file has it;
           NaN in intervals without answered calls (``y`` = 0 or ``answered`` = 0)

Rows are sorted by ``queue, ds``. Every problem is raised as :class:`InputError`
with one sentence naming the file, the row (1-based data row, as a spreadsheet
shows it after the header) or column, the value and what is expected.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from wfm.errors import InputError, shown
from wfm.export import csv_unquote
from wfm.localtime import utc_clock, wall_clock

DEFAULT_QUEUE = "default"
SUPPORTED_SUFFIXES = (".csv", ".xlsx", ".xls", ".parquet", ".pq")


def read_table(path: str | Path, *, name: str | None = None) -> pd.DataFrame:
    """Read a CSV, XLSX or Parquet file into a DataFrame, choosing by extension.

    Parameters
    ----------
    path : str or Path
        A ``.csv``, ``.xlsx``/``.xls`` or ``.parquet`` file. CSVs are read in UTF-8 or the
        detected encoding, with ``;`` or tab separators and decimal commas recognised.
    name : str, optional
        What messages call the file (an upload's own name, not the temporary file it
        was written to); default the path.

    Returns
    -------
    DataFrame
        The table as read (columns not yet checked).

    Raises
    ------
    InputError
        When the file is missing, unreadable or of another kind.
    """
    path = Path(path)
    label = name or str(path)
    if not path.exists():
        raise InputError(f"{label}: file not found.")
    if path.is_dir():
        raise InputError(f"{label}: is a directory, expected a CSV, XLSX or Parquet file.")
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            return csv_unquote(_read_csv(path, label))
        if suffix in (".xlsx", ".xls"):
            return pd.read_excel(path)
        if suffix in (".parquet", ".pq"):
            return pd.read_parquet(path)
    except pd.errors.EmptyDataError:
        raise InputError(f"{label}: the file is empty, expected a header row and data rows.") from None
    except UnicodeDecodeError:
        # A codec's own message (byte offsets, codec names) says nothing to a planner.
        raise InputError(f"{label}: is not text in a known encoding; save it as a UTF-8 CSV.") from None
    except (ValueError, OSError) as exc:
        reason = str(exc).replace(str(path), label)
        raise InputError(f"{label}: could not be read as {suffix[1:].upper()} ({reason}).") from None
    raise InputError(
        f"{label}: unsupported file type '{suffix or '(none)'}', expected one of "
        f"{', '.join(SUPPORTED_SUFFIXES)}."
    )


_SNIFF_BYTES = 1 << 20


def _read_csv(path: Path, label: str) -> pd.DataFrame:
    """Read a CSV whatever its encoding (UTF-8, Shift_JIS/CP932, ...) and separator (, ; tab).

    Exports from Japanese ACDs and Excel are often CP932; European ones use ``;`` with a
    decimal comma. Reading them as they are beats a hint to convert them.
    """
    with open(path, "rb") as fh:
        sample = fh.read(_SNIFF_BYTES)
    encoding = _csv_encoding(sample, label)
    text = sample.decode(encoding, errors="replace")
    header = text.lstrip("\ufeff").split("\n", 1)[0]
    counts = {sep: header.count(sep) for sep in (",", ";", "\t")}
    sep = "," if counts[","] or not any(counts.values()) else max(counts, key=counts.get)
    # A decimal comma only goes with a separator that is not the comma itself.
    decimal = "," if sep != "," and re.search(r"\d,\d", text) else "."
    try:
        return pd.read_csv(path, encoding=encoding, sep=sep, decimal=decimal)
    except UnicodeDecodeError:
        raise InputError(
            f"{label}: is not UTF-8 text and could not be read as {encoding} either; save it as a UTF-8 CSV."
        ) from None


def _csv_encoding(sample: bytes, label: str) -> str:
    try:
        # final=False: the sample may end inside a multi-byte character.
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8-sig"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    if best is None:
        raise InputError(
            f"{label}: is not UTF-8 text and its encoding could not be recognised; save it as a UTF-8 CSV."
        )
    # CP932 is Windows' Shift_JIS with the extra characters Japanese exports use.
    return "cp932" if best.encoding in ("shift_jis", "shift_jis_2004", "shift_jisx0213") else best.encoding


def check_timezone(timezone: str, place: str = "--timezone") -> str:
    """The IANA time zone name, or an :class:`InputError` saying the zone is unknown.

    Parameters
    ----------
    timezone : str
        IANA zone name, e.g. ``"Asia/Tokyo"``.
    place : str
        Where the name came from, for the message (an option or a TOML path).

    Returns
    -------
    str
        The zone name, unchanged.

    Raises
    ------
    InputError
        When the zone is unknown.

    Examples
    --------
    >>> check_timezone("Asia/Tokyo")
    'Asia/Tokyo'
    """
    try:
        ZoneInfo(str(timezone))
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(
            f"{place}: '{timezone}' is not a known time zone, expected an IANA name such as Asia/Tokyo "
            f"or America/New_York."
        ) from None
    return timezone


def _row(index: int) -> int:
    """Spreadsheet-style data row number (1 = first row after the header)."""
    return int(index) + 1


def check_parsed(parsed: pd.Series, raw: pd.Series, source: str, column: str, what: str = "a timestamp",
                 example: str = "2024-04-01 09:30:00") -> None:
    """Refuse the first value of ``raw`` that did not parse (NaT/NaN in ``parsed``), naming row, column and value.

    Parameters
    ----------
    parsed : Series
        The parsed values (NaT or NaN where parsing failed).
    raw : Series
        The values as read.
    source : str
        The file, for the message.
    column : str
        The column, for the message.
    what : str
        What the value should be, for the message.
    example : str
        An example of a good value, for the message.

    Raises
    ------
    InputError
        At the first value that did not parse.
    """
    bad = parsed.isna()
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            f"{source}: row {_row(i)}, column '{column}' has '{shown(raw.iloc[i])}', which is not {what} "
            f"(expected e.g. {example})."
        )


def parse_timestamps(
    values: pd.Series, source: str, column: str = "ds", timezone: str | None = None
) -> pd.Series:
    """Parse a column of timestamps into local wall-clock time.

    Naive timestamps are local time; with ``timezone`` they are localised (the repeated
    hour of a fall-back day is resolved by order, the skipped hour of a spring-forward
    day is an error). Timestamps with UTC offsets are converted to ``timezone`` (or kept
    at their single offset when no zone is named). A column that mixes naive and
    offset-carrying timestamps, or several offsets with no zone named, is an error.

    Parameters
    ----------
    values : Series
        Timestamps as read (text or datetimes).
    source : str
        The file, for messages.
    column : str
        The column, for messages.
    timezone : str, optional
        IANA zone of the site.

    Returns
    -------
    Series
        Datetimes: naive wall-clock times without ``timezone``, zone-aware in
        ``timezone`` with it.

    Raises
    ------
    InputError
        On an unparseable value (naming its row), a skipped local time or mixed offsets.

    Examples
    --------
    >>> import pandas as pd
    >>> parse_timestamps(pd.Series(["2024-03-31 09:00+09:00"]), "example", timezone="Asia/Tokyo").tolist()
    [Timestamp('2024-03-31 09:00:00+0900', tz='Asia/Tokyo')]
    """
    if timezone is not None:
        check_timezone(timezone)
    raw = values
    if pd.api.types.is_datetime64_any_dtype(raw):
        parsed = pd.Series(raw)
    else:
        text = raw.astype("string")
        missing = text.isna() | (text.str.strip() == "")
        if missing.any():
            i = int(np.flatnonzero(missing.to_numpy())[0])
            raise InputError(f"{source}: row {_row(i)}, column '{column}' is empty, expected a timestamp.")
        has_offset = text.str.contains(r"(?:[+-]\d{2}:?\d{2}|Z)\s*$", regex=True)
        if has_offset.any() and not has_offset.all():
            i = int(np.flatnonzero((~has_offset).to_numpy())[0])
            raise InputError(
                f"{source}: column '{column}' mixes time zones: row {_row(i)} ('{shown(text.iloc[i])}') has no UTC "
                f"offset while others do; use one convention for the whole column."
            )
        if has_offset.all():
            parsed = pd.to_datetime(text, errors="coerce", utc=True, format="ISO8601")
            offsets = text.str.extract(r"([+-]\d{2}:?\d{2}|Z)\s*$")[0].unique()
            if timezone is None and len(offsets) > 1:
                raise InputError(
                    f"{source}: column '{column}' mixes time zones ({', '.join(map(str, offsets[:3]))}); "
                    f"name the site's time zone (e.g. --timezone Asia/Tokyo) so they can be aligned."
                )
            check_parsed(parsed, text, source, column)
            if timezone is None:
                first = pd.Timestamp(text.iloc[0])
                return parsed.dt.tz_convert(first.tzinfo)
            return parsed.dt.tz_convert(timezone)
        parsed = pd.to_datetime(text, errors="coerce", format="mixed")
    check_parsed(parsed, raw, source, column)
    if timezone is not None and parsed.dt.tz is None:
        try:
            parsed = parsed.dt.tz_localize(timezone, ambiguous="infer", nonexistent="raise")
        except Exception as exc:  # pytz/zoneinfo raise several types here
            raise InputError(
                f"{source}: column '{column}' cannot be read as local time in {timezone} ({exc}); "
                f"check the daylight-saving days."
            ) from None
    elif timezone is not None:
        parsed = parsed.dt.tz_convert(timezone)
    return parsed


def _numeric(frame: pd.DataFrame, column: str, source: str) -> pd.Series:
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = values.isna()
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raw = frame[column].iloc[i]
        quoted = "empty" if pd.isna(raw) else f"'{shown(raw)}'"
        raise InputError(f"{source}: row {_row(i)}, column '{column}' is {quoted}, expected a number.")
    if not np.isfinite(values.to_numpy(dtype=float)).all():
        i = int(np.flatnonzero(~np.isfinite(values.to_numpy(dtype=float)))[0])
        raise InputError(f"{source}: row {_row(i)}, column '{column}' is {values.iloc[i]}, expected a finite number.")
    return values.astype(float)


def infer_interval_minutes(frame: pd.DataFrame, source: str) -> int:
    """Infer the interval length (minutes) from the spacing of ``ds`` within each queue.

    Gaps (nights, weekends, closed days) are allowed as long as every step is a whole
    multiple of the most common step; anything else is irregular spacing.

    Parameters
    ----------
    frame : DataFrame
        Canonical table with ``queue`` and ``ds``.
    source : str
        The file, for messages.

    Returns
    -------
    int
        Interval length in minutes.

    Raises
    ------
    InputError
        When the spacing is irregular or does not divide a day.
    """
    steps = []
    for _, group in frame.groupby("queue", sort=False):
        ds = utc_clock(group["ds"])
        diffs = ds.diff().dropna().dt.total_seconds().to_numpy()
        steps.append(diffs)
    diffs = np.concatenate(steps) if steps else np.array([])
    if diffs.size == 0:
        raise InputError(
            f"{source}: cannot infer the interval length from a single row per queue; pass --interval."
        )
    values, counts = np.unique(diffs, return_counts=True)
    step = values[np.argmax(counts)]
    if step <= 0 or step % 60 != 0:
        raise InputError(f"{source}: the spacing of 'ds' ({step:g} s) is not a whole number of minutes; pass --interval.")
    irregular = np.flatnonzero(np.mod(diffs, step) != 0)
    if irregular.size:
        raise InputError(
            f"{source}: irregular spacing in 'ds': a step of {diffs[irregular[0]] / 60:g} minutes is not a multiple "
            f"of the usual {step / 60:g} minutes; pass --interval or fix the timestamps."
        )
    return int(step // 60)


def validate_intervals(
    frame: pd.DataFrame,
    source: str = "input",
    *,
    interval_minutes: int | None = None,
    timezone: str | None = None,
    require_aht: bool = False,
) -> tuple[pd.DataFrame, int]:
    """Validate an interval table and return ``(canonical_frame, interval_minutes)``.

    Parameters
    ----------
    frame : DataFrame
        Long table with ``ds`` and ``y``, optional ``queue`` and ``aht`` (seconds).
        Other columns are kept as they are.
    source : str
        Name used in error messages (usually the file path).
    interval_minutes : int, optional
        Interval length; inferred from the spacing of ``ds`` when omitted.
    timezone : str, optional
        IANA time zone of the site, e.g. ``"Asia/Tokyo"``.
    require_aht : bool
        Raise when the table has no ``aht`` column.


    Returns
    -------
    frame : DataFrame
        ``queue, ds, y`` (and ``aht``) sorted by queue and time, ``ds`` as local
        wall-clock datetimes.
    interval_minutes : int
        The interval length, given or inferred.

    Raises
    ------
    InputError
        On a missing column, a bad value (naming its row), duplicates or irregular spacing.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"ds": ["2024-01-08 09:00", "2024-01-08 09:15"], "y": [12, 15]})
    >>> frame, minutes = validate_intervals(table, "example")
    >>> minutes, frame.columns.tolist()
    (15, ['queue', 'ds', 'y'])
    """
    if frame.empty and len(frame.columns) == 0:
        raise InputError(f"{source}: the table is empty, expected columns 'ds' and 'y'.")
    frame = frame.copy()
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in ("ds", "y") if c not in frame.columns]
    if missing:
        raise InputError(
            f"{source}: missing column{'s' if len(missing) > 1 else ''} {', '.join(repr(c) for c in missing)}; "
            f"found {', '.join(repr(c) for c in frame.columns) or 'none'} (expected ds, y and optionally queue, aht)."
        )
    if frame.empty:
        raise InputError(f"{source}: the table has a header but no data rows.")
    frame = frame.reset_index(drop=True)
    if "queue" in frame.columns:
        if frame["queue"].isna().any():
            i = int(np.flatnonzero(frame["queue"].isna().to_numpy())[0])
            raise InputError(f"{source}: row {_row(i)}, column 'queue' is empty, expected a queue name.")
        frame["queue"] = frame["queue"].astype(str)
    else:
        frame.insert(0, "queue", DEFAULT_QUEUE)
    frame["ds"] = parse_timestamps(frame["ds"], source, "ds", timezone)
    frame["y"] = _numeric(frame, "y", source)
    negative = frame["y"] < 0
    if negative.any():
        i = int(np.flatnonzero(negative.to_numpy())[0])
        raise InputError(f"{source}: row {_row(i)}, column 'y' is {frame['y'].iloc[i]:g}, expected a volume >= 0.")
    if "aht" in frame.columns:
        # An interval in which no call was answered has no handle time to average:
        # `wfm calls aggregate` writes it with an empty aht, and it stays NaN here.
        no_answers = frame["y"] == 0
        if "answered" in frame.columns:
            no_answers |= pd.to_numeric(frame["answered"], errors="coerce") == 0
        empty = no_answers & frame["aht"].isna()
        frame["aht"] = _numeric(frame.assign(aht=frame["aht"].where(~empty, 1.0)), "aht", source).where(~empty)
        bad = frame["aht"] <= 0
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(
                f"{source}: row {_row(i)}, column 'aht' is {frame['aht'].iloc[i]:g}, expected seconds > 0."
            )
    elif require_aht:
        raise InputError(f"{source}: no 'aht' column; give the average handle time in seconds (e.g. --aht 300).")
    dup = frame.duplicated(["queue", "ds"], keep="first")
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise InputError(
            f"{source}: row {_row(i)} repeats ds '{frame['ds'].iloc[i]}' for queue '{shown(frame['queue'].iloc[i])}'; "
            f"each queue may have one row per interval."
        )
    frame = frame.sort_values(["queue", "ds"], kind="stable").reset_index(drop=True)
    if interval_minutes is None:
        interval_minutes = infer_interval_minutes(frame, source)
    else:
        interval_minutes = check_interval_minutes(interval_minutes, "--interval")
    return frame, interval_minutes


def check_interval_minutes(value, place: str) -> int:
    """An interval length must be a whole number of minutes that divides a day.

    Parameters
    ----------
    value : int
        The interval length asked for.
    place : str
        Where it came from, for the message.

    Returns
    -------
    int
        The interval length.

    Raises
    ------
    InputError
        When it is not a whole number of minutes dividing 1,440.

    Examples
    --------
    >>> check_interval_minutes(15, "--interval")
    15
    """
    try:
        minutes = int(value)
    except (TypeError, ValueError):
        raise InputError(f"{place}: '{shown(value)}' is not a whole number of minutes.") from None
    if minutes != value or minutes <= 0 or (24 * 60) % minutes != 0:
        raise InputError(f"{place}: {value} minutes does not divide a day, expected e.g. 5, 15, 30 or 60.")
    return minutes


# The columns an interval table is read into, and headers ACD and spreadsheet exports
# commonly use for them (English and Japanese), for a first guess at the mapping.
COLUMN_ROLES = ("ds", "y", "aht", "queue")
COMMON_HEADERS = {
    "ds": ("ds", "datetime", "date_time", "timestamp", "interval", "interval start", "start", "time",
           "日時", "日付時刻", "開始時刻", "時間帯", "日時(開始)", "時刻"),
    "y": ("y", "calls", "offered", "volume", "contacts", "calls offered", "inbound",
          "呼量", "着信数", "入電数", "受電数", "コール数", "件数"),
    "aht": ("aht", "handle time", "average handle time", "avg handle time", "平均処理時間", "平均対応時間", "AHT(秒)"),
    "queue": ("queue", "skill", "split", "service", "キュー", "スキル", "窓口"),
}


def parse_column_map(pairs, place: str = "--map") -> dict[str, str]:
    """Parse ``日時=ds`` pairs (file header = role) into ``{"日時": "ds", ...}``.

    The direction is the one ``wfm calls --map OLD=NEW`` uses: the file's own
    header first, then the column it is read as.

    Parameters
    ----------
    pairs : str, list of str or None
        ``HEADER=ROLE`` pairs, repeated or comma-separated; roles are ``ds`` (time),
        ``y`` (volume), ``aht`` (seconds) and ``queue``.
    place : str
        Where the pairs came from, for the error message.

    Returns
    -------
    dict
        File header -> role (empty when no pairs are given).

    Raises
    ------
    InputError
        On a pair without ``=``, an unknown role or a role given twice.

    Examples
    --------
    >>> parse_column_map(["日時=ds,呼量=y", "平均処理時間=aht"])
    {'日時': 'ds', '呼量': 'y', '平均処理時間': 'aht'}
    """
    if pairs is None:
        return {}
    items = [pairs] if isinstance(pairs, str) else list(pairs)
    mapping: dict[str, str] = {}
    for item in items:
        for part in str(item).split(","):
            if not part.strip():
                continue
            header, sep, role = part.rpartition("=")
            header, role = header.strip(), role.strip()
            if not sep or not header:
                raise InputError(f"{place}: '{shown(part.strip())}' is not HEADER=ROLE, e.g. 日時=ds,呼量=y.")
            if role not in COLUMN_ROLES:
                raise InputError(
                    f"{place}: '{shown(role)}' is not a column role, expected one of {', '.join(COLUMN_ROLES)}.")
            if role in mapping.values():
                raise InputError(f"{place}: two columns are read as '{role}'.")
            mapping[header] = role
    return mapping


def map_columns(frame: pd.DataFrame, mapping: dict[str, str] | None, source: str) -> pd.DataFrame:
    """Read a file's own headers as the roles ``ds, y, aht, queue`` (the column mapping).

    Parameters
    ----------
    frame : DataFrame
        The table as read from the file.
    mapping : dict or None
        File header -> role, e.g. ``{"日時": "ds", "呼量": "y"}``.
    source : str
        The file, for error messages.

    Returns
    -------
    DataFrame
        The table with the mapped columns renamed (others unchanged).

    Raises
    ------
    InputError
        When a mapped header is not in the file, a role is unknown or given twice,
        or the file already has a column named like a mapped role.
    """
    if not mapping:
        return frame
    headers = [str(c).strip() for c in frame.columns]
    roles = list(mapping.values())
    for header, role in mapping.items():
        if role not in COLUMN_ROLES:
            raise InputError(f"{source}: '{shown(role)}' is not a column role, expected one of {', '.join(COLUMN_ROLES)}.")
        if header not in headers:
            raise InputError(
                f"{source}: no column '{shown(header)}' to read as {role}; "
                f"found {', '.join(repr(shown(h)) for h in headers[:12]) or 'none'}."
            )
        if role in headers and header != role:
            raise InputError(f"{source}: has a column '{role}' already and the mapping reads '{shown(header)}' "
                             f"as {role}; map one of them only.")
    if len(set(roles)) < len(roles):
        raise InputError(f"{source}: two columns are read as the same role ({mapping}).")
    renamed = frame.copy()
    renamed.columns = headers
    return renamed.rename(columns=dict(mapping))


def guess_columns(headers) -> dict[str, str]:
    """A first guess at the column mapping from common ACD and spreadsheet headers.

    Parameters
    ----------
    headers : iterable of str
        The file's headers.

    Returns
    -------
    dict
        File header -> role for each role a header was recognised for (the planner
        confirms or changes it; a guess is never applied silently). Headers that
        already are role names are left out: they need no mapping.

    Examples
    --------
    >>> guess_columns(["日時", "呼量", "平均処理時間"])
    {'日時': 'ds', '呼量': 'y', '平均処理時間': 'aht'}
    """
    found: dict[str, str] = {}
    texts = [str(h).strip() for h in headers]
    for role in COLUMN_ROLES:
        if role in texts:
            continue
        known = {h.casefold() for h in COMMON_HEADERS[role]}
        for text in texts:
            if text.casefold() in known and text not in found:
                found[text] = role
                break
    return found


def read_intervals(
    path: str | Path,
    *,
    interval_minutes: int | None = None,
    timezone: str | None = None,
    require_aht: bool = False,
    columns: dict[str, str] | None = None,
) -> tuple[pd.DataFrame, int]:
    """Read and validate an interval table file; see :func:`validate_intervals`.

    ``columns`` maps the file's own headers to ``ds, y, aht, queue``
    (see :func:`map_columns`).

    Parameters
    ----------
    path : str or Path
        Interval table (CSV, XLSX or Parquet) with ``ds``, ``y``, optional ``queue``, ``aht``.
    interval_minutes : int, optional
        Interval length; inferred from the spacing of ``ds`` when omitted.
    timezone : str, optional
        IANA time zone of the site.
    require_aht : bool
        Raise when the table has no ``aht`` column.
    columns : dict, optional
        The file's own headers for ``ds, y, aht, queue`` (see :func:`map_columns`).

    Returns
    -------
    frame : DataFrame
        The canonical table (see :func:`validate_intervals`).
    interval_minutes : int
        The interval length.

    Examples
    --------
    >>> history, minutes = read_intervals(sample_path())
    >>> len(history), minutes, history["ds"].min()
    (27716, 5, Timestamp('2003-03-03 07:00:00'))
    """
    return validate_intervals(
        map_columns(read_table(path), columns, str(path)),
        str(path),
        interval_minutes=interval_minutes,
        timezone=timezone,
        require_aht=require_aht,
    )


def read_intervals_at(
    path: str | Path,
    interval_minutes: int | None = None,
    *,
    timezone: str | None = None,
    columns: dict[str, str] | None = None,
) -> tuple[pd.DataFrame, int]:
    """Read an interval table and bring it to ``interval_minutes``.

    The data's own spacing is inferred; finer data is summed up to the interval asked
    for (5-minute history at ``interval_minutes=15``), and an interval that does not fit
    the data (15-minute data at 5 minutes, or 10-minute data at 15) is an error rather
    than a silent mislabel. ``columns`` maps the file's headers (see :func:`map_columns`).

    Parameters
    ----------
    path : str or Path
        Interval table file.
    interval_minutes : int, optional
        Interval wanted; default the data's own spacing.
    timezone : str, optional
        IANA time zone of the site.
    columns : dict, optional
        The file's own headers for ``ds, y, aht, queue`` (see :func:`map_columns`).

    Returns
    -------
    frame : DataFrame
        The canonical table at ``interval_minutes``.
    interval_minutes : int
        The interval length.

    Raises
    ------
    InputError
        When the data cannot be summed to the interval asked for.
    """
    frame = map_columns(read_table(path), columns, str(path))
    try:
        canonical, native = validate_intervals(frame, str(path), timezone=timezone)
    except InputError:
        if interval_minutes is None:
            raise
        # One row per queue (or irregular on purpose): the interval must be given.
        return validate_intervals(frame, str(path), interval_minutes=interval_minutes, timezone=timezone)
    if interval_minutes is None or interval_minutes == native:
        return canonical, native
    interval_minutes = check_interval_minutes(interval_minutes, "--interval")
    if interval_minutes < native or interval_minutes % native:
        raise InputError(
            f"{path}: the data has {native}-minute intervals, which cannot make {interval_minutes}-minute "
            f"intervals; use --interval {native} or a multiple of it."
        )
    return aggregate_intervals(canonical, native, interval_minutes), interval_minutes


def sample_path() -> Path:
    """Path of the bundled real sample (bank calls, 5-minute intervals).

    Returns
    -------
    Path
        ``wfm/resources/bank_calls_5min.csv`` inside the installed package.
    """
    from wfm import resources

    return resources.sample_path()


def aggregate_intervals(frame: pd.DataFrame, from_minutes: int, to_minutes: int) -> pd.DataFrame:
    """Sum a canonical frame's volume into longer intervals (e.g. 5 -> 15 minutes).

    Intervals are aligned to the local wall clock; on a fall-back day the repeated
    hour stays two separate hours (grouping is on real time, not on wall-clock
    labels). ``aht`` becomes the volume-weighted mean.

    Parameters
    ----------
    frame : DataFrame
        Canonical interval table.
    from_minutes : int
        Its interval length.
    to_minutes : int
        The longer interval, a whole multiple of ``from_minutes``.

    Returns
    -------
    DataFrame
        One row per queue and longer interval.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"ds": pd.date_range("2024-01-08 09:00", periods=6, freq="5min"), "y": [1, 2, 3, 4, 5, 6]})
    >>> frame, minutes = validate_intervals(table, "example")
    >>> aggregate_intervals(frame, minutes, 15)["y"].tolist()
    [6.0, 15.0]
    """
    to_minutes = check_interval_minutes(to_minutes, "--interval")
    if to_minutes == from_minutes:
        return frame
    if to_minutes < from_minutes or to_minutes % from_minutes:
        raise InputError(
            f"--interval: cannot make {to_minutes}-minute intervals from {from_minutes}-minute history; "
            f"expected a multiple of {from_minutes}."
        )
    ds = frame["ds"]
    wall = wall_clock(ds)
    offset = pd.to_timedelta((wall.dt.hour * 60 + wall.dt.minute) % to_minutes, unit="min") + pd.to_timedelta(
        wall.dt.second, unit="s"
    )
    start = ds - offset.to_numpy()
    out = frame.assign(ds=start)
    if "aht" in frame.columns:
        # Weighted by the calls of rows with a handle time only (no answered call, no aht).
        known = frame["aht"].notna()
        out = out.assign(_work=(frame["aht"] * frame["y"]).where(known, 0.0), _timed=frame["y"].where(known, 0.0))
        grouped = out.groupby(["queue", "ds"], sort=True)
        result = grouped.agg(y=("y", "sum"), _work=("_work", "sum"), _timed=("_timed", "sum"),
                             aht=("aht", "mean")).reset_index()
        result["aht"] = np.where(result["_timed"] > 0, result["_work"] / result["_timed"].where(result["_timed"] > 0, 1),
                                 result["aht"])
        return result.drop(columns=["_work", "_timed"])[["queue", "ds", "y", "aht"]]
    return out.groupby(["queue", "ds"], sort=True)["y"].sum().reset_index()[["queue", "ds", "y"]]


def average_day(frame: pd.DataFrame, weekdays: list[int] | None = None) -> pd.DataFrame:
    """Mean volume (and AHT) per queue and time of day over the days present.

    Parameters
    ----------
    frame : canonical interval table.
    weekdays : optional list of weekdays to keep (Monday = 0).

    Returns
    -------
    DataFrame with ``queue, time, y`` (and ``aht``), ``time`` as ``HH:MM``; days that
    are absent (closed) are not averaged in as zeros.
    """
    out = frame.copy()
    if weekdays is not None:
        out = out[out["ds"].dt.weekday.isin(weekdays)]
    if out.empty:
        raise InputError("average day: no days left to average (check the weekday filter).")
    out["time"] = out["ds"].dt.strftime("%H:%M")
    agg = {"y": ("y", "mean")}
    if "aht" in out.columns:
        known = out["aht"].notna()  # intervals without answered calls have no aht
        out["_work"] = (out["y"] * out["aht"]).where(known, 0.0)
        out["_timed"] = out["y"].where(known, 0.0)
        agg["_work"] = ("_work", "mean")
        agg["_timed"] = ("_timed", "mean")
    result = out.groupby(["queue", "time"], sort=True).agg(**agg).reset_index()
    if "aht" in out.columns:
        result["aht"] = np.where(result["_timed"] > 0, result["_work"] / result["_timed"].where(result["_timed"] > 0), np.nan)
        result = result.drop(columns=["_work", "_timed"])
    return result
