"""Special days for forecasting: closures, multipliers and public holidays.

A *special day* is a date whose volume does not follow the normal weekly pattern:
the centre is closed, or volume is scaled by a known multiplier (a marketing
mail-out, a half day). History on special days is kept out of the normal-day
patterns, and the forecast on a future special day is zero (closed) or the
normal-day forecast times the multiplier.

Special days come from a CSV (``date`` plus ``closed`` or ``multiplier``) and,
optionally, from the public holidays of a country via the ``holidays`` package.
Public holidays count as closed days unless the CSV gives the same date a
multiplier (a bank that opens on Columbus Day lists it with multiplier 1).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from wfm.data import check_parsed, read_table
from wfm.errors import InputError
from wfm.localtime import wall_clock

SPECIAL_DAY_COLUMNS = ("date", "closed", "multiplier")

_TRUE = {"1", "true", "yes", "y", "closed", "x"}
_FALSE = {"0", "false", "no", "n", "", "open", "nan", "<na>"}


def empty_special_days() -> pd.DataFrame:
    """An empty special-day table with the canonical columns.

    Returns
    -------
    DataFrame
        No rows; columns ``date, closed, multiplier``.
    """
    return pd.DataFrame(
        {
            "date": pd.Series([], dtype="datetime64[ns]"),
            "closed": pd.Series([], dtype=bool),
            "multiplier": pd.Series([], dtype=float),
        }
    )


def validate_special_days(frame: pd.DataFrame, source: str = "special days") -> pd.DataFrame:
    """Check a special-day table and return ``date, closed, multiplier``.

    Parameters
    ----------
    frame : DataFrame
        Column ``date`` and at least one of ``closed`` (true/false, yes/no, 1/0)
        and ``multiplier`` (a number >= 0; 0 means closed). A row with neither set
        is a closed day, the common case of a plain list of dates.
    source : str
        Name used in error messages.

    Returns
    -------
    DataFrame
        ``date`` (naive midnight), ``closed`` (bool), ``multiplier`` (float, 0 when
        closed), one row per date.
    """
    frame = frame.copy()
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    if "date" not in frame.columns:
        raise InputError(
            f"{source}: missing column 'date'; found {', '.join(repr(c) for c in frame.columns) or 'none'} "
            f"(expected date and closed or multiplier)."
        )
    frame = frame.reset_index(drop=True)
    dates = pd.to_datetime(frame["date"].astype("string"), errors="coerce", format="mixed")
    check_parsed(dates, frame["date"], source, "date", "a date", "2024-12-31")
    dates = wall_clock(dates).dt.normalize()
    closed = np.zeros(len(frame), dtype=bool)
    closed_given = np.zeros(len(frame), dtype=bool)
    if "closed" in frame.columns:
        text = frame["closed"].astype("string").str.strip().str.lower().fillna("")
        for i, value in enumerate(text):
            if value in _TRUE:
                closed[i] = True
                closed_given[i] = True
            elif value not in _FALSE:
                raise InputError(
                    f"{source}: row {i + 1}, column 'closed' has '{frame['closed'].iloc[i]}', expected true or false."
                )
    multiplier = np.full(len(frame), np.nan)
    if "multiplier" in frame.columns:
        raw = frame["multiplier"]
        values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
        given = ~(raw.isna() | (raw.astype("string").str.strip() == "")).to_numpy()
        wrong = given & ~(np.isfinite(values) & (values >= 0))
        if wrong.any():
            i = int(np.flatnonzero(wrong)[0])
            raise InputError(
                f"{source}: row {i + 1}, column 'multiplier' has '{raw.iloc[i]}', expected a number >= 0."
            )
        multiplier = np.where(given, values, np.nan)
    neither = ~closed & np.isnan(multiplier)
    if "closed" in frame.columns:
        # an explicit "closed = false" with no multiplier means a normal open day
        neither &= ~(frame["closed"].astype("string").str.strip().str.lower().isin(list(_FALSE - {""})).to_numpy())
    closed = closed | neither | (multiplier == 0)
    multiplier = np.where(closed, 0.0, np.nan_to_num(multiplier, nan=1.0))
    out = pd.DataFrame({"date": dates.to_numpy(), "closed": closed, "multiplier": multiplier})
    dup = out.duplicated("date")
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise InputError(f"{source}: row {i + 1} repeats the date {out['date'].iloc[i]:%Y-%m-%d}; give each date once.")
    return out.sort_values("date").reset_index(drop=True)


def read_special_days(path: str | Path) -> pd.DataFrame:
    """Read a special-day file (CSV, XLSX or Parquet); see :func:`validate_special_days`.

    Parameters
    ----------
    path : str or Path
        The special-day file.

    Returns
    -------
    DataFrame
        ``date, closed, multiplier``, one row per date.
    """
    return validate_special_days(read_table(path), str(path))


def public_holidays(country: str, years) -> pd.DataFrame:
    """Public holidays of ``country`` (ISO code, e.g. ``"JP"``, ``"US"``) as closed special days.

    Parameters
    ----------
    country : str
        ISO country code known to the ``holidays`` package.
    years : iterable of int
        The years to list.

    Returns
    -------
    DataFrame
        ``date, closed, multiplier`` with ``closed`` True and multiplier 0.

    Raises
    ------
    InputError
        When the country code is unknown.
    """
    import holidays as holidays_lib

    code = str(country).strip().upper()
    try:
        calendar = holidays_lib.country_holidays(code, years=sorted(set(int(y) for y in years)))
    except NotImplementedError:
        raise InputError(
            f"--holidays: '{country}' is not a country code the holidays package knows (expected e.g. JP, US, GB)."
        ) from None
    dates = pd.to_datetime(sorted(calendar.keys()))
    return pd.DataFrame({"date": dates, "closed": True, "multiplier": 0.0})


def combine_special_days(special_days: pd.DataFrame | None, holidays_frame: pd.DataFrame | None) -> pd.DataFrame:
    """Merge holidays and a special-day table; the table wins on the same date.

    Parameters
    ----------
    special_days : DataFrame, optional
        A validated special-day table.
    holidays_frame : DataFrame, optional
        Public holidays from :func:`public_holidays`.

    Returns
    -------
    DataFrame
        ``date, closed, multiplier``, one row per date.
    """
    parts = [f for f in (special_days, holidays_frame) if f is not None and len(f)]
    if not parts:
        return empty_special_days()
    merged = pd.concat(parts, ignore_index=True).drop_duplicates("date", keep="first")
    return merged.sort_values("date").reset_index(drop=True)


_HORIZON = re.compile(r"^\s*(\d+)\s*([dDwW]?)\s*$")
MAX_HORIZON_DAYS = 3660  # ten years: far beyond any staffing plan, well inside pandas' timestamps


def parse_horizon(text, place: str = "--horizon") -> int:
    """Parse a horizon in calendar days or weeks (``"5d"``, ``"2w"``, ``14``) into days.

    Raises
    ------
    InputError
        When the text is not a whole number of days or weeks, is zero or is longer
        than :data:`MAX_HORIZON_DAYS`.

    Parameters
    ----------
    text : str or int
        The horizon.
    place : str
        Where it came from, for the message.

    Returns
    -------
    int
        Calendar days.

    Examples
    --------
    >>> parse_horizon("2w"), parse_horizon("5d"), parse_horizon(14)
    (14, 5, 14)
    """
    if isinstance(text, (int, np.integer)) and not isinstance(text, bool):
        days = int(text)
    else:
        match = _HORIZON.match(str(text))
        if not match:
            raise InputError(
                f"{place}: '{text}' is not a horizon, expected calendar days or weeks such as 5d, 14d or 2w."
            )
        days = int(match.group(1)) * (7 if match.group(2).lower() == "w" else 1)
    if days <= 0:
        raise InputError(f"{place}: the horizon is '{text}', expected at least one day (e.g. 1d, 5d or 2w).")
    if days > MAX_HORIZON_DAYS:
        raise InputError(
            f"{place}: the horizon is '{text}' ({days:,} days), expected at most {MAX_HORIZON_DAYS:,} days (ten years)."
        )
    return days
