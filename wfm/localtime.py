"""Local wall-clock time and the real time behind it, on daylight-saving days.

Plan files write local wall-clock times (``YYYY-MM-DD HH:MM``) in the scenario's time
zone. A wall-clock time names one real instant except in the repeated hour of a
fall-back day; there the tables carry a ``fold`` marker (0 for the first pass, 1 for
the second, as in Python's :class:`datetime.datetime` ``fold``). The skipped hour of a
spring-forward day never appears.

:func:`day_grid` lays out the real intervals of each day of a horizon (46 / 48 / 50
half-hours in a zone with one-hour changes); :func:`fold_of` and :func:`real_time`
convert between wall-clock time with a fold marker and real time.

Every conversion between zoned and plain times goes through the helpers here:
:func:`wall_clock` (the local wall-clock time of zoned or plain times),
:func:`wall_clock_in` (the same, read in a named zone), :func:`utc_clock` (the real
instant as plain UTC time, for counting elapsed time) and :func:`local_midnight`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class DayGrid:
    """The real intervals of each day of a horizon, in order.

    ``counts[d]`` intervals start on day ``d`` (local date); interval ``r`` of day ``d``
    starts at wall-clock ``wall[d][r]`` with fold marker ``fold[d][r]``, real instant
    ``instants[d][r]`` (UTC nanoseconds). ``ends[d]`` is the wall-clock end of the day
    (the next local midnight).
    """

    interval: int
    counts: np.ndarray  # [day] number of real intervals
    wall: list[pd.DatetimeIndex]  # per day, naive wall-clock starts
    fold: list[np.ndarray]  # per day, 1 on the second pass of a repeated hour
    instants: list[np.ndarray]  # per day, int64 UTC nanoseconds
    ends: list[pd.Timestamp]

    @property
    def nominal(self) -> int:
        """Intervals of a day without a clock change.

        Returns
        -------
        int
            ``24 * 60 / interval``.
        """
        return 24 * 60 // self.interval


def _zoned(times):
    """What ``tz_localize``/``tz_convert`` act on for zoned timestamps (``.dt`` of a
    Series, the index or Timestamp itself); None for plain times or anything else."""
    if isinstance(times, pd.Timestamp):
        return times if times.tzinfo is not None else None
    if isinstance(getattr(times, "dtype", None), pd.DatetimeTZDtype):
        return times.dt if isinstance(times, pd.Series) else times
    return None


def wall_clock(times):
    """Local wall-clock time of timestamps: zoned ones lose their zone, plain ones stay as they are.

    ``times`` is a Series, a DatetimeIndex or one Timestamp (anything else is returned
    unchanged, so a table's columns can be passed through one by one).

    Examples
    --------
    >>> wall_clock(pd.Timestamp("2024-03-31 03:00", tz="Europe/Paris"))
    Timestamp('2024-03-31 03:00:00')

    Parameters
    ----------
    times : Series, DatetimeIndex, Timestamp or other
        Timestamps.

    Returns
    -------
    same type as ``times``
        Naive wall-clock times.
    """
    zoned = _zoned(times)
    return times if zoned is None else zoned.tz_localize(None)


def wall_clock_in(times, timezone: str):
    """Wall-clock time in ``timezone`` of zoned timestamps (converted first); plain ones as they are.

    Parameters
    ----------
    times : Series, DatetimeIndex or Timestamp
        Timestamps.
    timezone : str
        IANA zone to read zoned timestamps in.

    Returns
    -------
    same type as ``times``
        Naive wall-clock times in ``timezone``.
    """
    zoned = _zoned(times)
    return times if zoned is None else wall_clock(zoned.tz_convert(timezone))


def utc_clock(times):
    """Zoned timestamps as plain UTC time (the real instant: differences are elapsed time);
    plain ones as they are.

    Parameters
    ----------
    times : Series, DatetimeIndex or Timestamp
        Timestamps.

    Returns
    -------
    same type as ``times``
        Naive UTC times for zoned input.
    """
    return wall_clock_in(times, "UTC")


def local_midnight(day, timezone: str) -> pd.Timestamp:
    """The first real instant of ``day`` in ``timezone``.

    A zone that changes its clocks at midnight has no 00:00 on that day: the day begins
    at the first real instant after it.

    Parameters
    ----------
    day : date
        A calendar day.
    timezone : str
        IANA zone.

    Returns
    -------
    Timestamp
        The day's first real instant, zone-aware.
    """
    return pd.Timestamp(day).tz_localize(timezone, nonexistent="shift_forward", ambiguous=True)


def day_grid(start: dt.date, days: int, interval_minutes: int, timezone: str) -> DayGrid:
    """The real intervals of ``days`` days from ``start`` in ``timezone``.

    Parameters
    ----------
    start : date
        First local day.
    days : int
        Number of days.
    interval_minutes : int
        Interval length.
    timezone : str
        IANA zone of the site.

    Returns
    -------
    DayGrid
        Per day its real intervals: 46 half-hours on a spring-forward day, 50 on a fall-back day.

    Examples
    --------
    >>> import datetime as dt
    >>> day_grid(dt.date(2026, 3, 7), 3, 30, "America/New_York").counts.tolist()
    [48, 46, 48]
    """
    first, stop = local_midnight(start, timezone), local_midnight(start + dt.timedelta(days=days), timezone)
    instants = pd.date_range(first, stop, freq=f"{interval_minutes}min", inclusive="left")
    wall = instants.tz_localize(None)
    day = (wall.normalize() - pd.Timestamp(start)).days.to_numpy()
    fold = wall.duplicated(keep="first")
    utc = instants.asi8
    cut = np.searchsorted(day, np.arange(days + 1))
    parts = [slice(cut[d], cut[d + 1]) for d in range(days)]
    ends = [pd.Timestamp(start + dt.timedelta(days=d + 1)) for d in range(days)]
    return DayGrid(
        interval=interval_minutes,
        counts=np.diff(cut),
        wall=[wall[p] for p in parts],
        fold=[fold[p].astype(np.int8) for p in parts],
        instants=[utc[p] for p in parts],
        ends=ends,
    )


def fold_of(ds: pd.Series, timezone: str, by: pd.Series | None = None) -> np.ndarray:
    """The fold marker of each timestamp: 1 on the second pass of a repeated wall-clock hour.

    Aware timestamps carry their real instant. Naive ones are wall-clock time: a repeated
    wall-clock time is the second pass when it occurs a second time (in order, within
    ``by``, e.g. the queue), the convention of ``wfm.data.parse_timestamps``.

    Parameters
    ----------
    ds : Series
        Timestamps, naive (wall-clock) or aware.
    timezone : str
        IANA zone of the site.
    by : Series, optional
        Groups inside which repeated times are counted (e.g. the queue).

    Returns
    -------
    ndarray of int
        0, or 1 on the second pass of a repeated hour.

    Examples
    --------
    1:30 occurs twice in New York on 1 November 2026:

    >>> import pandas as pd
    >>> fold_of(pd.Series(pd.to_datetime(["2026-11-01 01:30", "2026-11-01 01:30"])), "America/New_York").tolist()
    [0, 1]
    """
    if isinstance(ds.dtype, pd.DatetimeTZDtype):
        local = ds.dt.tz_convert(timezone)
        wall = local.dt.tz_localize(None)
        first = wall.dt.tz_localize(timezone, ambiguous=np.ones(len(wall), dtype=bool), nonexistent="NaT")
        return (first != local).to_numpy().astype(np.int8)
    keys = [ds] if by is None else [by, ds]
    frame = pd.DataFrame({f"k{i}": k.to_numpy() for i, k in enumerate(keys)})
    return (frame.groupby(list(frame.columns), sort=False).cumcount().to_numpy() > 0).astype(np.int8)


def real_time(wall: pd.Series, fold, timezone: str) -> pd.Series:
    """Real (aware) time of wall-clock times with their fold markers; NaT where a time does not exist.

    Parameters
    ----------
    wall : Series
        Naive wall-clock times.
    fold : array_like or None
        Fold markers (1 on the second pass of a repeated hour); None means all 0.
    timezone : str
        IANA zone of the site.

    Returns
    -------
    Series
        Aware times in ``timezone``.
    """
    wall = pd.to_datetime(pd.Series(wall).reset_index(drop=True))
    fold = np.zeros(len(wall), dtype=bool) if fold is None else np.asarray(fold, dtype=int) > 0
    # pandas' ``ambiguous`` is True for the daylight-saving (first) pass.
    return wall.dt.tz_localize(timezone, ambiguous=~fold, nonexistent="NaT")


def elapsed_minutes(start: pd.Series, end: pd.Series, timezone: str, start_fold=None, end_fold=None) -> np.ndarray:
    """Real minutes from ``start`` to ``end`` (wall-clock times with optional fold markers).

    Parameters
    ----------
    start, end : Series
        Naive wall-clock times.
    timezone : str
        IANA zone of the site.
    start_fold, end_fold : array_like, optional
        Fold markers of ``start`` and ``end``.

    Returns
    -------
    ndarray of float
        Real minutes between them.

    Examples
    --------
    An 8-hour shift from midnight on the spring-forward day ends at 09:00 wall-clock time:

    >>> import pandas as pd
    >>> start = pd.Series(pd.to_datetime(["2026-03-08 00:00"]))
    >>> end = pd.Series(pd.to_datetime(["2026-03-08 09:00"]))
    >>> elapsed_minutes(start, end, "America/New_York").tolist()
    [480.0]
    """
    begin, finish = real_time(start, start_fold, timezone), real_time(end, end_fold, timezone)
    return ((finish - begin).dt.total_seconds() / 60).to_numpy()


__all__ = [
    "DayGrid", "day_grid", "fold_of", "real_time", "elapsed_minutes",
    "wall_clock", "wall_clock_in", "utc_clock", "local_midnight",
]
