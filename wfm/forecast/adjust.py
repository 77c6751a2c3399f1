"""Planner's adjustments to a forecast, and cutting a forecast to the planning horizon.

A statistical forecast is the planner's starting point, not the plan: a mailing
lands on Tuesday (+15% from 10:00 to 14:00), a system outage is announced for
Thursday evening (-30%), every Monday morning runs hot this season (+5% on all days
from 08:00 to 10:00). :func:`apply_adjustments` applies such rules, written as a
small table, to the forecast table of :func:`wfm.forecast.forecast`.

Adjustment table (one row per rule; blank cells mean "every"):

``date``     a day (``2003-10-28``); blank for every day of the horizon
``start``    ``HH:MM`` local time the rule starts; blank for the start of the day
``end``      ``HH:MM`` local time the rule ends (exclusive); blank for the end of the day
``percent``  change in percent, e.g. ``15`` or ``-30`` (greater than -100)
``queue``    optional queue name; blank for every queue

Rules that overlap multiply: +10% and +10% on the same interval give +21%. The
volume, the prediction bands and nothing else are scaled (AHT is untouched).
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

from wfm.errors import InputError
from wfm.localtime import wall_clock

ADJUSTMENT_COLUMNS = ("date", "start", "end", "percent", "queue")
SCALED_COLUMNS = ("y_hat", "lo_80", "hi_80", "lo_95", "hi_95")


def forecast_days(last_history, horizon_start: dt.date, horizon_days: int) -> int:
    """Calendar days to forecast after the last history day so the horizon is covered.

    Parameters
    ----------
    last_history : timestamp of the last history interval (local time).
    horizon_start : first day of the planning horizon.
    horizon_days : days in the horizon.

    Raises
    ------
    InputError
        When the history already reaches the end of the horizon.


    Returns
    -------
    int
        Days to forecast after ``last_history``.
    """
    last_day = wall_clock(pd.Timestamp(last_history)).normalize()
    end = pd.Timestamp(horizon_start) + pd.Timedelta(days=int(horizon_days))
    days = int((end - last_day).days) - 1
    if days < 1:
        raise InputError(
            f"horizon.start: the history already covers the horizon {horizon_start} + {horizon_days} days; "
            f"expected a horizon after {last_day.date()}."
        )
    return days


def clip_to_horizon(table: pd.DataFrame, horizon_start: dt.date, horizon_days: int) -> pd.DataFrame:
    """Rows of a forecast (or any table with ``ds``) inside ``[start, start + days)``, local time.

    Parameters
    ----------
    table : DataFrame
        A table with ``ds`` (local time).
    horizon_start : date
        First day of the horizon.
    horizon_days : int
        Days in the horizon.

    Returns
    -------
    DataFrame
        The rows inside the horizon.
    """
    start = pd.Timestamp(horizon_start)
    end = start + pd.Timedelta(days=int(horizon_days))
    wall = wall_clock(pd.to_datetime(table["ds"]))
    return table[(wall >= start) & (wall < end)].reset_index(drop=True)


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or (isinstance(value, str) and not value.strip()) \
        or value is pd.NaT


def _minutes(value, place: str) -> int:
    if isinstance(value, dt.time):
        return value.hour * 60 + value.minute
    text = str(value).strip()
    try:
        hours, minutes = text.split(":")[:2]
        h, m = int(hours), int(minutes)
    except ValueError:
        raise InputError(f"{place}: '{text}' is not a time of day, expected HH:MM such as 10:00.") from None
    if not (0 <= h <= 24 and 0 <= m < 60) or (h == 24 and m):
        raise InputError(f"{place}: '{text}' is not a time of day, expected HH:MM between 00:00 and 24:00.")
    return h * 60 + m


def validate_adjustments(adjustments: pd.DataFrame | None, source: str = "adjustments") -> pd.DataFrame:
    """Check an adjustment table and return it as ``date, start_minute, end_minute, factor, queue``.

    Rows with every cell blank are dropped (an editor's empty last row). Each problem
    is one :class:`InputError` sentence naming the row (1-based) and the column.

    Parameters
    ----------
    adjustments : DataFrame, optional
        Rules with ``date``, ``start``, ``end``, ``percent`` (and optional ``queue``), as the
        app's editor gives them; None or empty for none.
    source : str
        Name of the table, for messages.

    Returns
    -------
    DataFrame
        ``date, start_minute, end_minute, factor, queue``.

    Raises
    ------
    InputError
        On the first bad cell, naming its row and column.
    """
    out = []
    if adjustments is None or len(adjustments) == 0:
        return pd.DataFrame(columns=["date", "start_minute", "end_minute", "factor", "queue"])
    unknown = [c for c in adjustments.columns if c not in ADJUSTMENT_COLUMNS]
    if unknown:
        raise InputError(f"{source}: unknown column '{unknown[0]}', expected {', '.join(ADJUSTMENT_COLUMNS)}.")
    if "percent" not in adjustments.columns:
        raise InputError(f"{source}: missing column 'percent'.")
    for i, row in enumerate(adjustments.reset_index(drop=True).to_dict("records"), start=1):
        if all(_blank(row.get(c)) for c in ADJUSTMENT_COLUMNS):
            continue
        place = f"{source}: row {i}"
        percent = row.get("percent")
        try:
            percent = float(percent)
        except (TypeError, ValueError):
            raise InputError(f"{place}, column 'percent' is '{percent}', expected a number such as 15 or -30.") from None
        if not np.isfinite(percent) or percent <= -100:
            raise InputError(f"{place}, column 'percent' is {percent:g}, expected a number greater than -100.")
        date = row.get("date")
        if _blank(date):
            day = None
        else:
            day = _calendar_date(date, place)
        start = 0 if _blank(row.get("start")) else _minutes(row.get("start"), f"{place}, column 'start'")
        end = 24 * 60 if _blank(row.get("end")) else _minutes(row.get("end"), f"{place}, column 'end'")
        if end <= start:
            raise InputError(f"{place}: end {row.get('end')} is not after start {row.get('start') or '00:00'}.")
        queue = None if _blank(row.get("queue")) else str(row.get("queue")).strip()
        out.append({"date": day, "start_minute": start, "end_minute": end, "factor": 1 + percent / 100, "queue": queue})
    return pd.DataFrame(out, columns=["date", "start_minute", "end_minute", "factor", "queue"])


_DATE_TEXT = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T]00:00(?::00)?)?")


def _calendar_date(value, place: str) -> pd.Timestamp:
    """A rule's day from a date, a midnight timestamp or text written year first (2003-10-28,
    2003/10/28 as Japanese Excel writes it). Text without a year ("28 Oct") is refused rather
    than read as year 1."""
    if isinstance(value, (dt.date, pd.Timestamp)):
        return wall_clock(pd.Timestamp(value).normalize())
    found = _DATE_TEXT.fullmatch(str(value).strip())
    try:
        if found is None:
            raise ValueError(value)
        return pd.Timestamp(dt.date(*(int(part) for part in found.groups())))
    except ValueError:
        raise InputError(f"{place}, column 'date' is '{value}', expected a date such as 2003-10-28.") from None


def adjustment_factors(table: pd.DataFrame, adjustments: pd.DataFrame | None, source: str = "adjustments") -> np.ndarray:
    """The multiplier of every row of ``table`` (``queue, ds``) under the adjustment rules.

    Parameters
    ----------
    table : DataFrame
        A forecast with ``queue, ds``.
    adjustments : DataFrame, optional
        The rules (see :func:`validate_adjustments`).
    source : str
        Name of the rules, for messages.

    Returns
    -------
    ndarray of float
        One factor per row (1 where no rule applies; overlapping rules multiply).
    """
    rules = validate_adjustments(adjustments, source)
    factor = np.ones(len(table))
    if rules.empty or table.empty:
        return factor
    wall = wall_clock(pd.to_datetime(table["ds"]))
    day = wall.dt.normalize().to_numpy()
    minute = (wall.dt.hour * 60 + wall.dt.minute).to_numpy()
    queue = table["queue"].astype(str).to_numpy() if "queue" in table.columns else np.full(len(table), "")
    for rule in rules.itertuples(index=False):
        hit = (minute >= rule.start_minute) & (minute < rule.end_minute)
        if rule.date is not None:
            hit &= day == np.datetime64(rule.date)
        if rule.queue is not None:
            hit &= queue == rule.queue
        factor = np.where(hit, factor * rule.factor, factor)
    return factor


def apply_adjustments(table: pd.DataFrame, adjustments: pd.DataFrame | None, source: str = "adjustments") -> pd.DataFrame:
    """The forecast with volume and bands scaled by the adjustment rules (see the module docstring).

    Parameters
    ----------
    table : forecast table with ``ds`` and ``y_hat`` (and optionally ``queue`` and the
        ``lo_80, hi_80, lo_95, hi_95`` bands).
    adjustments : adjustment table, or None for no change.
    source : name of the adjustments, for messages.

    Returns
    -------
    DataFrame
        A copy with the scaled columns; other columns unchanged.
    """
    factor = adjustment_factors(table, adjustments, source)
    out = table.copy()
    for column in SCALED_COLUMNS:
        if column in out.columns:
            out[column] = out[column].to_numpy(dtype=float) * factor
    return out
