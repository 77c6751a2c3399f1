"""One queue's history laid out on a calendar grid: days × wall-clock intervals.

Every forecasting model in :mod:`wfm.forecast` works on this grid rather than on a
contiguous series, because contact-centre history is full of holes that are *not*
missing data: nights, weekends, public holidays and local closures. Indexing by
real calendar dates keeps Monday a Monday after a closed Friday, and keeping the
column as the wall-clock interval keeps the 09:00 peak at 09:00 on daylight-saving
days (23- or 25-hour days have fewer or repeated wall-clock intervals; the repeated
hour is averaged into one rate, the skipped hour is simply absent).

Terms used below
----------------
open weekday
    a weekday with data on at least half of its dates in history (Mon-Fri for a
    weekday centre); other weekdays are closed every week and never forecast.
closed day
    an open weekday without any volume (holiday, closure) or a special day marked
    closed. It is kept out of every pattern and forecast as absent.
special day
    a date in the special-day calendar; its history is kept out of the normal-day
    patterns, and its forecast is the normal forecast times its multiplier.
day type
    the weekday, except that the first open day after a closed day takes the type
    of the week's first open day (the day after Labor Day behaves like a Monday:
    callers who could not get through call the next day).
gap
    a missing interval inside the usual opening hours of a day that has data. Gaps
    are reported and filled from the day's own level and the usual intraday
    profile, never silently read as zero volume.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from wfm.localtime import local_midnight, wall_clock

DAY = np.timedelta64(1, "D")


def weekday_of(dates: np.ndarray) -> np.ndarray:
    """Monday = 0 for an array of ``datetime64[D]`` (1970-01-01 was a Thursday).

    Parameters
    ----------
    dates : ndarray of datetime64[D]
        Calendar dates.

    Returns
    -------
    ndarray of int
        Weekday per date, Monday = 0.

    Examples
    --------
    >>> import numpy as np
    >>> weekday_of(np.array(["2003-10-27", "2003-11-02"], dtype="datetime64[D]")).tolist()
    [0, 6]
    """
    return ((dates.astype("datetime64[D]").astype(np.int64) + 3) % 7).astype(np.int64)


class _OnDates:
    """A row per calendar date (``dates``, ``datetime64[D]``): the grid's days or the days to forecast."""

    dates: np.ndarray

    @property
    def weekday(self) -> np.ndarray:
        """Weekday of each of ``dates``.

        Returns
        -------
        ndarray of int
            Monday = 0, one per date.
        """
        return weekday_of(self.dates)


@dataclass
class DayGrid(_OnDates):
    """One queue's history (or its first days, for a backtest fold) on a calendar grid.

    Attributes
    ----------
    Y : ndarray, shape (n_days, n_slots)
        Volume per day and wall-clock interval; gaps filled, NaN outside the data.
    observed : ndarray of bool
        True where ``Y`` holds a recorded value (False on gaps and closed hours).
    open_slots : ndarray of bool, shape (7, n_slots)
        The usual opening intervals of each weekday.
    """

    queue: str
    interval: int
    dates: np.ndarray
    Y: np.ndarray
    observed: np.ndarray
    has_data: np.ndarray
    special: np.ndarray
    closed: np.ndarray
    multiplier: np.ndarray
    day_type: np.ndarray
    after_closure: np.ndarray
    open_weekday: np.ndarray
    open_slots: np.ndarray
    week_start: int | None
    aht: np.ndarray | None = None
    gaps: list = field(default_factory=list)

    @property
    def n_slots(self) -> int:
        """Wall-clock intervals per day.

        Returns
        -------
        int
            Columns of ``Y``.
        """
        return self.Y.shape[1]

    @property
    def normal(self) -> np.ndarray:
        """Days that show the normal weekly pattern: data, open weekday, not special.

        Returns
        -------
        ndarray of bool
            One flag per day.
        """
        return self.has_data & ~self.special & self.open_weekday[self.weekday]

    @property
    def totals(self) -> np.ndarray:
        """Volume of each day.

        Returns
        -------
        ndarray of float
            Row sums of ``Y`` (NaN ignored).
        """
        return np.nansum(self.Y, axis=1)

    def head(self, n_days: int) -> DayGrid:
        """The first ``n_days`` days (the training part of a backtest fold).

        Parameters
        ----------
        n_days : int
            Days to keep.

        Returns
        -------
        DayGrid
            A grid of the first ``n_days`` days (gaps not carried over).
        """
        cut = slice(0, n_days)
        return replace(
            self,
            dates=self.dates[cut],
            Y=self.Y[cut],
            observed=self.observed[cut],
            has_data=self.has_data[cut],
            special=self.special[cut],
            closed=self.closed[cut],
            multiplier=self.multiplier[cut],
            day_type=self.day_type[cut],
            after_closure=self.after_closure[cut],
            aht=None if self.aht is None else self.aht[cut],
            gaps=[],
        )


@dataclass
class FutureDays(_OnDates):
    """Dates to forecast with what the calendar says about them."""

    dates: np.ndarray
    day_type: np.ndarray
    after_closure: np.ndarray
    closed: np.ndarray
    multiplier: np.ndarray

    def __len__(self) -> int:
        return len(self.dates)


def _week_start(open_weekday: np.ndarray) -> int | None:
    """The open weekday that follows the weekly closure (Monday for Mon-Fri), if any."""
    for w in range(7):
        if open_weekday[w] and not open_weekday[(w - 1) % 7]:
            return w
    return None


def day_flags(
    dates: np.ndarray, closed: np.ndarray, open_weekday: np.ndarray, week_start: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """Day type and after-closure flag for consecutive calendar ``dates``.

    A day is *after a closure* when the previous open weekday before it was closed.

    Parameters
    ----------
    dates : ndarray of datetime64[D]
        Consecutive calendar dates.
    closed : ndarray of bool
        Whether each date is closed.
    open_weekday : ndarray of bool, shape (7,)
        Weekdays the centre usually opens.
    week_start : int or None
        The open weekday after the weekly closure (Monday for Mon-Fri), if any.

    Returns
    -------
    day_type : ndarray of int
        The day type used by the models.
    after_closure : ndarray of bool
        True on the first open day after a closure.
    """
    weekday = weekday_of(dates)
    after = np.zeros(len(dates), dtype=bool)
    previous_closed = False
    # one step per calendar day, not per interval: a few hundred iterations at most
    for i in range(len(dates)):
        if not open_weekday[weekday[i]]:
            continue
        after[i] = previous_closed
        previous_closed = bool(closed[i])
    day_type = weekday.copy()
    if week_start is not None:
        day_type[after] = week_start
    return day_type, after


def special_lookup(dates: np.ndarray, special_days: pd.DataFrame | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(is_special, is_closed, multiplier)`` for each date from a special-day table.

    Parameters
    ----------
    dates : ndarray of datetime64[D]
        Calendar dates.
    special_days : DataFrame, optional
        ``date, closed, multiplier``.

    Returns
    -------
    is_special, is_closed : ndarray of bool
        Per date.
    multiplier : ndarray of float
        Per date (1 on normal days).
    """
    n = len(dates)
    is_special = np.zeros(n, dtype=bool)
    is_closed = np.zeros(n, dtype=bool)
    multiplier = np.ones(n)
    if special_days is None or len(special_days) == 0:
        return is_special, is_closed, multiplier
    cal = pd.Series(
        np.arange(len(special_days)),
        index=pd.to_datetime(special_days["date"]).to_numpy().astype("datetime64[D]"),
    )
    pos = cal.reindex(dates.astype("datetime64[D]")).to_numpy()
    hit = ~np.isnan(pos)
    rows = pos[hit].astype(int)
    is_special[hit] = True
    is_closed[hit] = special_days["closed"].to_numpy(dtype=bool)[rows]
    multiplier[hit] = special_days["multiplier"].to_numpy(dtype=float)[rows]
    return is_special, is_closed, multiplier


def build_grid(
    frame: pd.DataFrame,
    interval: int,
    special_days: pd.DataFrame | None = None,
) -> DayGrid:
    """Lay out one queue's canonical frame (``queue, ds, y[, aht]``) on a day grid.

    Parameters
    ----------
    frame : DataFrame
        One queue's canonical frame.
    interval : int
        Interval length in minutes.
    special_days : DataFrame, optional
        ``date, closed, multiplier``.

    Returns
    -------
    DayGrid
        The history on real dates × wall-clock intervals, gaps inside opening hours
        filled from the day's level and listed in ``gaps``.
    """
    queue = str(frame["queue"].iloc[0])
    wall = wall_clock(frame["ds"])
    day = wall.dt.normalize().to_numpy().astype("datetime64[D]")
    minute = (wall.dt.hour * 60 + wall.dt.minute).to_numpy()
    slot = minute // interval
    n_slots = (24 * 60) // interval
    first, last = day.min(), day.max()
    dates = np.arange(first, last + DAY, DAY)
    row = (day - first).astype(np.int64)
    y = frame["y"].to_numpy(dtype=float)
    # the repeated hour of a fall-back day maps two real intervals onto one wall-clock
    # interval: average them (a rate), so neither the profile nor the day doubles it
    cells = row * n_slots + slot
    uniq, inverse, counts = np.unique(cells, return_inverse=True, return_counts=True)
    sums = np.bincount(inverse, weights=y)
    Y = np.full(len(dates) * n_slots, np.nan)
    Y[uniq] = sums / counts
    Y = Y.reshape(len(dates), n_slots)
    aht = None
    if "aht" in frame.columns:
        a = frame["aht"].to_numpy(dtype=float)
        vol = np.bincount(inverse, weights=y)
        num = np.bincount(inverse, weights=a * y)
        plain = np.bincount(inverse, weights=a) / counts
        A = np.full(len(dates) * n_slots, np.nan)
        A[uniq] = np.where(vol > 0, num / np.where(vol > 0, vol, 1.0), plain)
        aht = A.reshape(len(dates), n_slots)
    observed = ~np.isnan(Y)
    has_data = np.nansum(np.where(observed, Y, 0.0), axis=1) > 0
    weekday = weekday_of(dates)
    is_special, special_closed, multiplier = special_lookup(dates, special_days)

    open_weekday = np.zeros(7, dtype=bool)
    span_days = len(dates)
    for w in range(7):
        on_w = weekday == w
        if not on_w.any():
            continue
        # with less than a week we cannot tell a closed weekday from an unseen one:
        # only weekdays seen with data are open, so no volume is invented
        share = has_data[on_w & ~is_special].mean() if (on_w & ~is_special).any() else 0.0
        open_weekday[w] = share >= 0.5 if span_days >= 7 else bool(has_data[on_w].any())

    open_slots = np.zeros((7, n_slots), dtype=bool)
    any_open = np.zeros(n_slots, dtype=bool)
    for w in range(7):
        rows_w = has_data & (weekday == w) & ~is_special
        if rows_w.any():
            open_slots[w] = observed[rows_w].mean(axis=0) >= 0.5
            any_open |= open_slots[w]
    for w in range(7):
        if open_weekday[w] and not open_slots[w].any():
            open_slots[w] = any_open

    # a calendar closure on which history shows calls was in fact open: it stays out of
    # the patterns (special) but the next day is not an after-closure day
    closed = ~has_data & (open_weekday[weekday] | special_closed)
    week_start = _week_start(open_weekday)
    day_type, after = day_flags(dates, closed, open_weekday, week_start)

    exists = _existing_cells(dates, n_slots, interval, frame["ds"].dt.tz)
    gaps = _fill_gaps(Y, observed, has_data & ~is_special, open_slots[weekday], weekday, exists)
    return DayGrid(
        queue=queue,
        interval=interval,
        dates=dates,
        Y=Y,
        observed=observed,
        has_data=has_data,
        special=is_special,
        closed=closed,
        multiplier=multiplier,
        day_type=day_type,
        after_closure=after,
        open_weekday=open_weekday,
        open_slots=open_slots,
        week_start=week_start,
        aht=aht,
        gaps=gaps,
    )


def _existing_cells(dates: np.ndarray, n_slots: int, interval: int, tz) -> np.ndarray:
    """Which wall-clock intervals exist on each date (the skipped hour of a spring-forward day does not)."""
    exists = np.ones((len(dates), n_slots), dtype=bool)
    if tz is None:
        return exists
    start, stop = local_midnight(dates[0], tz), local_midnight(dates[-1] + DAY, tz)
    wall = wall_clock(pd.date_range(start, stop, freq=f"{interval}min", inclusive="left"))
    day = ((wall.normalize().to_numpy() - np.datetime64(dates[0], "ns")) // np.timedelta64(1, "D")).astype(np.int64)
    slot = ((wall.hour * 60 + wall.minute) // interval).to_numpy()
    exists[:] = False
    exists[day, slot] = True
    return exists


def _fill_gaps(Y, observed, data_days, usual, weekday, exists) -> list:
    """Fill missing intervals inside the usual opening hours; return the real gaps as (day, slot).

    Intervals that do not exist (the skipped hour of a spring-forward day) are filled too,
    so that day keeps the normal shape in every average, but they are not reported.
    """
    missing = data_days[:, None] & usual & ~observed
    # the last day may simply end early (history cut mid-day): fill its rest so its
    # total is a whole day's, but it is not a gap to report
    report = missing.copy()
    last = np.flatnonzero(data_days)
    if last.size:
        i = last[-1]
        seen = np.flatnonzero(observed[i])
        if seen.size:
            report[i, seen[-1] + 1 :] = False
    if not missing.any():
        return []
    complete = data_days & ~(usual & ~observed).any(axis=1)
    gaps = []
    for w in np.unique(weekday[missing.any(axis=1)]):
        base = complete & (weekday == w)
        if not base.any():
            base = complete
        if base.any():
            shares = np.nan_to_num(Y[base]) / np.maximum(np.nansum(Y[base], axis=1, keepdims=True), 1e-9)
            profile = shares.mean(axis=0)
        else:
            profile = usual[weekday == w][0].astype(float)
        for i in np.flatnonzero(missing.any(axis=1) & (weekday == w)):
            holes = missing[i]
            seen_share = profile[observed[i]].sum()
            level = np.nansum(Y[i][observed[i]]) / seen_share if seen_share > 0 else 0.0
            Y[i, holes] = level * profile[holes]
            gaps.extend((i, int(s)) for s in np.flatnonzero(holes & exists[i] & report[i]))
    return gaps
