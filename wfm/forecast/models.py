"""Candidate forecasting models, each a function ``(history_grid, future_days) -> matrix``.

Every model returns the *normal-day* volume per future date and wall-clock interval
(shape ``(len(future), n_slots)``); :mod:`wfm.forecast` then applies closures and
special-day multipliers, so no model has to know about the calendar beyond the day
types it is given.

Why these candidates
--------------------
``seasonal_naive_day``, ``seasonal_naive_week``
    the reference points every forecast must beat (MASE is scaled by the weekly one).
``hist_avg_4w``, ``hist_avg_8w``
    the planners' default: the weekday × interval average of the last 4 or 8 weeks.
``top_down_calendar``
    daily totals by a weighted log-linear regression on day type, the day after a
    closure, and the position in the month (pay days and statements make the turn of
    the month busier in banking and utilities), with an exponentially weighted
    correction for the recent level; times a long-window intraday profile per day
    type. On the bundled bank sample it is the model that beats the planners'
    average (see ``benchmarks/bench_forecast.py``); it is plain numpy, so it costs
    about a millisecond per queue.
``top_down_ets``
    daily totals by statsforecast's AutoETS (fast, numba-compiled, automatic choice
    of error/trend form) on weekday-adjusted totals of normal days, times the same
    intraday profile. It is the textbook top-down model.
``mstl``
    statsforecast's MSTL with daily and weekly seasonality on the concatenated
    opening hours of open days (closed days filled by the 4-week average so that
    the weekly cycle stays aligned), trend by AutoETS, on the last 8 weeks. It is
    available but not in the default set: one fit takes 4 s (8 weeks of 15-minute
    data) to 17 s (8 weeks of 5-minute data) here, which alone would break the speed
    bar, and on the bank sample it is less accurate than the planners' average.

The naive and average models are a few lines of numpy on the calendar grid rather
than statsforecast's ``SeasonalNaive``/``HistoricAverage``: those index a contiguous
series, so a closed Friday would shift every later weekday by one.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from wfm.forecast.grid import DayGrid, FutureDays

Model = Callable[[DayGrid, FutureDays], np.ndarray]

PROFILE_HALF_LIFE_WEEKS = 16.0
LEVEL_HALF_LIFE_WEEKS = 26.0
LEVEL_RIDGE = 1.0
LEVEL_RESIDUAL_ALPHA = 0.3
MONTH_HARMONICS = 2
MSTL_WEEKS = 8


def _filled(grid: DayGrid) -> np.ndarray:
    return np.nan_to_num(grid.Y, nan=0.0)


def _ages_weeks(grid: DayGrid) -> np.ndarray:
    return (grid.dates[-1] - grid.dates).astype(np.int64) / 7.0


def _average_by_weekday(grid: DayGrid, future: FutureDays, weeks: int | None) -> np.ndarray:
    """Weekday × interval mean over the last ``weeks`` weeks (all history when None)."""
    Y = _filled(grid)
    normal = grid.normal
    recent = normal if weeks is None else normal & (_ages_weeks(grid) < weeks)
    weekday = grid.weekday
    out = np.zeros((len(future), grid.n_slots))
    fallback = Y[normal].mean(axis=0) if normal.any() else np.zeros(grid.n_slots)
    for w in np.unique(future.weekday):
        rows = recent & (weekday == w)
        if not rows.any():
            rows = normal & (weekday == w)
        out[future.weekday == w] = Y[rows].mean(axis=0) if rows.any() else fallback
    return out


def hist_avg_4w(grid: DayGrid, future: FutureDays) -> np.ndarray:
    """Weekday × interval average of the last 4 weeks (the planners' default).

    Parameters
    ----------
    grid : DayGrid
        History; only normal days of the last 28 days count (special and closed
        days are left out).
    future : FutureDays
        Only the weekday of each date is read.

    Returns
    -------
    ndarray, shape (n_future_days, n_slots)
        Calls per interval. A weekday absent from the last 4 weeks takes its
        all-history mean, and one never seen takes the mean of all normal days.
    """
    return _average_by_weekday(grid, future, 4)


def hist_avg_8w(grid: DayGrid, future: FutureDays) -> np.ndarray:
    """Weekday × interval average of the last 8 weeks.

    Parameters
    ----------
    grid : DayGrid
        History whose normal days younger than 56 days are averaged.
    future : FutureDays
        Days to forecast; each gets the mean of its own weekday.

    Returns
    -------
    ndarray, shape (n_future_days, n_slots)
        Mean calls per wall-clock interval, with the same fallbacks as
        :func:`hist_avg_4w` when a weekday has no recent normal day.
    """
    return _average_by_weekday(grid, future, 8)


def history_average(grid: DayGrid, future: FutureDays) -> np.ndarray:
    """Weekday × interval average of all history (the short-history fallback).

    Parameters
    ----------
    grid : DayGrid
        All of the queue's history, however short; every normal day counts equally.
    future : FutureDays
        Dates whose weekdays pick the rows of the average.

    Returns
    -------
    ndarray, shape (n_future_days, n_slots)
        All-history mean calls per weekday and interval (zeros without any normal day).
    """
    return _average_by_weekday(grid, future, None)


def seasonal_naive_week(grid: DayGrid, future: FutureDays) -> np.ndarray:
    """The most recent normal day of the same weekday, repeated.

    Parameters
    ----------
    grid : DayGrid
        History; the last normal day of each weekday is copied.
    future : FutureDays
        Days to fill, matched to history by weekday alone (not by day type).

    Returns
    -------
    ndarray, shape (n_future_days, n_slots)
        A copy of last week's calls on the same weekday; a weekday with no
        normal day in history copies the last normal day, and a history without
        normal days gives zeros. It is the scale of MASE.
    """
    Y = _filled(grid)
    normal = np.flatnonzero(grid.normal)
    weekday = grid.weekday
    out = np.zeros((len(future), grid.n_slots))
    for w in np.unique(future.weekday):
        same = normal[weekday[normal] == w]
        pick = same[-1] if same.size else (normal[-1] if normal.size else None)
        if pick is not None:
            out[future.weekday == w] = Y[pick]
    return out


def seasonal_naive_day(grid: DayGrid, future: FutureDays) -> np.ndarray:
    """The most recent normal day, repeated for every future day.

    Parameters
    ----------
    grid : DayGrid
        History whose latest normal day (not a special or closed day) is copied.
    future : FutureDays
        Only its length is used: every day gets the same row.

    Returns
    -------
    ndarray, shape (n_future_days, n_slots)
        That day's calls per interval on every row (zeros when history has no
        normal day).
    """
    normal = np.flatnonzero(grid.normal)
    if not normal.size:
        return np.zeros((len(future), grid.n_slots))
    return np.repeat(_filled(grid)[normal[-1]][None, :], len(future), axis=0)


def intraday_profile(grid: DayGrid, day_types: np.ndarray) -> np.ndarray:
    """Share of the day's volume per interval for each requested day type.

    Shares are pooled over a long window with exponentially decaying weights (half-life
    16 weeks): the intraday shape changes slowly, and pooling many days averages away
    most of the Poisson noise that a 4-week average keeps. Each day type is shrunk
    toward the all-day profile by one pseudo-day, so a rare type stays sensible.

    Parameters
    ----------
    grid : DayGrid
        One queue's history on the calendar grid.
    day_types : ndarray of int
        The day types wanted.

    Returns
    -------
    ndarray, shape (len(day_types), n_slots)
        Shares summing to 1 over each row's open intervals.
    """
    Y = _filled(grid)
    normal = grid.normal
    totals = Y.sum(axis=1)
    use = normal & (totals > 0)
    out = np.zeros((len(day_types), grid.n_slots))
    if not use.any():
        return out
    shares = Y[use] / totals[use, None]
    weights = 0.5 ** (_ages_weeks(grid)[use] / PROFILE_HALF_LIFE_WEEKS)
    types = grid.day_type[use]
    common = weights @ shares / weights.sum()
    for t in np.unique(day_types):
        mine = types == t
        profile = (weights[mine] @ shares[mine] + common) / (weights[mine].sum() + 1.0)
        out[day_types == t] = profile / profile.sum()
    return out


def _month_phase(dates: np.ndarray) -> np.ndarray:
    days = dates.astype("datetime64[D]")
    month_start = days.astype("datetime64[M]").astype("datetime64[D]")
    next_month = (days.astype("datetime64[M]") + 1).astype("datetime64[D]")
    length = (next_month - month_start).astype(np.int64)
    return (days - month_start).astype(np.int64) / length


def _level_design(dates, day_type, after, open_types, use_month: bool) -> np.ndarray:
    columns = [np.ones(len(dates))]
    columns += [(day_type == t).astype(float) for t in open_types[1:]]
    columns.append(after.astype(float))
    if use_month:
        phase = _month_phase(dates)
        for k in range(1, MONTH_HARMONICS + 1):
            columns += [np.sin(2 * np.pi * k * phase), np.cos(2 * np.pi * k * phase)]
    return np.column_stack(columns)


def daily_level_calendar(grid: DayGrid, future: FutureDays) -> np.ndarray:
    """Daily totals from a weighted log-linear calendar regression (see module notes).

    Parameters
    ----------
    grid : DayGrid
        History; needs three normal days with calls, and 56 days of span before
        the month-position terms are fitted.
    future : FutureDays
        Dates to predict: day type, after-closure flag and month position are read.

    Returns
    -------
    ndarray, shape (n_future_days,)
        Calls per day, the exponential of the fitted log level plus the recent
        residual correction (the mean total with fewer than three usable days).
    """
    totals = _filled(grid).sum(axis=1)
    use = grid.normal & (totals > 0)
    if use.sum() < 3:
        return np.full(len(future), totals[use].mean() if use.any() else 0.0)
    open_types = np.flatnonzero(grid.open_weekday)
    span = int((grid.dates[-1] - grid.dates[0]).astype(np.int64))
    # the month terms need about two months of history before they mean anything
    use_month = span >= 56
    X = _level_design(grid.dates[use], grid.day_type[use], grid.after_closure[use], open_types, use_month)
    y = np.log(totals[use])
    w = 0.5 ** (_ages_weeks(grid)[use] / LEVEL_HALF_LIFE_WEEKS)
    sw = np.sqrt(w)
    A = X * sw[:, None]
    # shrink only the terms a few days can fool: the after-closure effect (a handful
    # of holidays) and the month-position harmonics; day types are well observed
    n_types = len(open_types)
    ridge = LEVEL_RIDGE * np.eye(X.shape[1])
    ridge[:n_types, :n_types] = 0.0
    beta = np.linalg.solve(A.T @ A + ridge, A.T @ (y * sw))
    residual = y - X @ beta
    # recent level drift the regression's long weights cannot follow
    alpha = LEVEL_RESIDUAL_ALPHA
    decay = (1 - alpha) ** np.arange(len(residual))[::-1]
    correction = alpha * float(decay @ residual)
    Xf = _level_design(future.dates, future.day_type, future.after_closure, open_types, use_month)
    return np.exp(Xf @ beta + correction)


def _spread_over_day(level: np.ndarray, grid: DayGrid, future: FutureDays) -> np.ndarray:
    """Daily totals × the intraday profile of each future day's type: the top-down step."""
    return level[:, None] * intraday_profile(grid, future.day_type)


def top_down_calendar(grid: DayGrid, future: FutureDays) -> np.ndarray:
    """Calendar-regression daily totals × long-window intraday profile of the day type.

    Parameters
    ----------
    grid : DayGrid
        History for both the level regression and the 16-week-half-life profile.
    future : FutureDays
        Dates, day types and after-closure flags to forecast; the regression reads
        all three.

    Returns
    -------
    ndarray, shape (n_future_days, n_slots)
        :func:`daily_level_calendar` spread over the intervals by
        :func:`intraday_profile` of each day's type.
    """
    return _spread_over_day(daily_level_calendar(grid, future), grid, future)


def daily_level_ets(grid: DayGrid, future: FutureDays) -> np.ndarray:
    """Daily totals by statsforecast AutoETS on day-type-adjusted log totals of normal days.

    Parameters
    ----------
    grid : DayGrid
        History of at least 10 usable normal days for AutoETS (fewer: the
        adjusted mean is carried forward).
    future : FutureDays
        Days to predict; each adds its day type's effect back to the path.

    Returns
    -------
    ndarray, shape (n_future_days,)
        Calls per day on the original scale.
    """
    from statsforecast.models import AutoETS

    totals = _filled(grid).sum(axis=1)
    use = grid.normal & (totals > 0)
    if use.sum() < 3:
        return np.full(len(future), totals[use].mean() if use.any() else 0.0)
    log_totals = np.log(totals[use])
    types = grid.day_type[use]
    recent = _ages_weeks(grid)[use] < LEVEL_HALF_LIFE_WEEKS
    effect = {t: log_totals[(types == t) & recent].mean() - log_totals[recent].mean() for t in np.unique(types[recent])}
    adjusted = log_totals - np.array([effect.get(t, 0.0) for t in types])
    horizon = int(len(future))
    if adjusted.size >= 10:
        path = AutoETS(season_length=1, model="ZZN").forecast(y=adjusted, h=horizon)["mean"]
    else:
        path = np.full(horizon, adjusted.mean())
    # the ETS path is indexed by open days; closed future days still take a step, which
    # only matters for a trended level and keeps the mapping simple
    return np.exp(path + np.array([effect.get(t, 0.0) for t in future.day_type]))


def top_down_ets(grid: DayGrid, future: FutureDays) -> np.ndarray:
    """AutoETS daily totals × long-window intraday profile of the day type.

    Parameters
    ----------
    grid : DayGrid
        History; its normal days' totals feed AutoETS and their shapes the profile.
    future : FutureDays
        Days to forecast, in date order (the ETS path is read step by step).

    Returns
    -------
    ndarray, shape (n_future_days, n_slots)
        :func:`daily_level_ets` times the intraday share of each interval.
    """
    return _spread_over_day(daily_level_ets(grid, future), grid, future)


def mstl(grid: DayGrid, future: FutureDays) -> np.ndarray:
    """statsforecast MSTL (daily + weekly seasonality, AutoETS trend) on opening hours.

    Parameters
    ----------
    grid : DayGrid
        History; open weekdays of its last 8 weeks form the series, special and
        closed days replaced by the 4-week average so the weekly cycle keeps
        its length.
    future : FutureDays
        Days to forecast; the series has no closed weekdays, so only open
        weekdays take a step of the MSTL path.

    Returns
    -------
    ndarray, shape (n_future_days, n_slots)
        Calls per interval, floored at 0; zero on closed weekdays and outside the
        usual opening intervals. Under two weeks of series it falls back to
        :func:`hist_avg_4w`.
    """
    from statsforecast.models import MSTL, AutoETS

    open_weekday = grid.open_weekday
    slots = np.flatnonzero(grid.open_slots.any(axis=0))
    out = np.zeros((len(future), grid.n_slots))
    if slots.size == 0:
        return out
    ages = _ages_weeks(grid)
    keep = open_weekday[grid.weekday] & (ages < MSTL_WEEKS)
    # closed and special days would break the weekly cycle: stand in the 4-week average
    days = FutureDays(
        dates=grid.dates[keep],
        day_type=grid.day_type[keep],
        after_closure=grid.after_closure[keep],
        closed=np.zeros(keep.sum(), dtype=bool),
        multiplier=np.ones(keep.sum()),
    )
    stand_in = hist_avg_4w(grid, days)
    history = _filled(grid)[keep]
    unusual = ~grid.normal[keep]
    history[unusual] = stand_in[unusual]
    series = history[:, slots].ravel()
    per_day = slots.size
    per_week = per_day * int(open_weekday.sum())
    future_open = open_weekday[future.weekday]
    horizon = int(future_open.sum()) * per_day
    if horizon == 0:
        return out
    if series.size < 2 * per_week + 1:
        return hist_avg_4w(grid, future)
    model = MSTL(season_length=[per_day, per_week], trend_forecaster=AutoETS(model="ZZN"))
    path = np.maximum(model.forecast(y=series.astype(float), h=horizon)["mean"], 0.0)
    out[np.ix_(np.flatnonzero(future_open), slots)] = path.reshape(-1, per_day)
    return out


CANDIDATES: dict[str, Model] = {
    "seasonal_naive_day": seasonal_naive_day,
    "seasonal_naive_week": seasonal_naive_week,
    "hist_avg_4w": hist_avg_4w,
    "hist_avg_8w": hist_avg_8w,
    "top_down_ets": top_down_ets,
    "top_down_calendar": top_down_calendar,
    "mstl": mstl,
}

DEFAULT_MODELS: tuple[str, ...] = (
    "seasonal_naive_day",
    "seasonal_naive_week",
    "hist_avg_4w",
    "hist_avg_8w",
    "top_down_ets",
    "top_down_calendar",
)
