"""Interval-level forecasts of offered volume and AHT, with backtested model selection.

The public API follows statsforecast's shape (long frames in, long frames out):

``forecast(history, horizon, ...)``
    per queue, pick the candidate with the lowest wMAPE over a rolling-origin
    backtest on the queue's own history, forecast ``horizon`` calendar days after
    the last history interval, with 80 % and 95 % prediction intervals and, where
    history has ``aht``, an AHT forecast per interval.
``backtest(history, folds, horizon, ...)``
    rolling-origin accuracy of every candidate (and of the automatic selection,
    model name ``"auto"``) per queue: wMAPE, MAE, RMSE and MASE at the data's
    interval and at 30 minutes.

How history is read (see :mod:`wfm.forecast.grid` for the terms): days are indexed
by real calendar dates and intervals by local wall-clock time. Weekdays and hours
that are closed every week are not missing data and are forecast as absent; a
closed open-weekday (holiday, closure) is kept out of the patterns, and the day
after it is modelled as a week-start day; gaps inside opening hours are reported
and filled from the day's level, never read as zero volume.

Backtest protocol: fold ``k`` (1 = most recent) trains on every day before
``last_day + 1 - k * horizon`` and forecasts the next ``horizon`` calendar days.
The forecaster knows the special-day calendar for the test days but not which of
them will turn out to be absent; absent test days are not scored.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from wfm.data import aggregate_intervals, read_intervals, validate_intervals
from wfm.errors import InputError
from wfm.forecast.calendar import (
    combine_special_days,
    parse_horizon,
    public_holidays,
    read_special_days,
    validate_special_days,
)
from wfm.forecast.grid import DAY, DayGrid, FutureDays, build_grid, day_flags, special_lookup, weekday_of
from wfm.forecast.models import CANDIDATES, DEFAULT_MODELS, history_average
from wfm.localtime import local_midnight, wall_clock

__all__ = [
    "ForecastResult",
    "BacktestResult",
    "forecast",
    "backtest",
    "aggregate_intervals",
    "wmape",
    "mae",
    "rmse",
    "mase",
    "CANDIDATES",
    "DEFAULT_MODELS",
    "ForecastWarning",
    "as_volumes",
]

MIN_HISTORY_DAYS = 14
SCORE_MINUTES = 30
Z80 = 1.2815515655446004
Z95 = 1.959963984540054
FALLBACK_MODEL = "hist_avg"
AUTO = "auto"

FORECAST_COLUMNS = ["queue", "ds", "y_hat", "lo_80", "hi_80", "lo_95", "hi_95", "model"]
SCORE_COLUMNS = ["queue", "model", "interval_minutes", "wmape", "mae", "rmse", "mase", "fit_seconds", "folds"]


class ForecastWarning(UserWarning):
    """Something the planner should know about the forecast (short history, gaps)."""


# A forecast names its estimates ``y_hat`` and ``aht_hat``; sizing and simulation read
# volumes as ``y`` and ``aht``.
VOLUME_NAMES = {"y_hat": "y", "aht_hat": "aht"}


def as_volumes(forecast_frame: pd.DataFrame) -> pd.DataFrame:
    """A forecast table as a volume table: ``y_hat`` read as ``y`` and ``aht_hat`` as ``aht``.

    A column the table already has under the volume name wins (a file with both ``y`` and
    ``y_hat`` keeps its ``y``); other columns are left as they are.

    Examples
    --------
    >>> import pandas as pd
    >>> list(as_volumes(pd.DataFrame(columns=["queue", "ds", "y_hat", "aht_hat", "model"])).columns)
    ['queue', 'ds', 'y', 'aht', 'model']

    Parameters
    ----------
    forecast_frame : DataFrame
        A forecast table (``y_hat``, optional ``aht_hat``).

    Returns
    -------
    DataFrame
        The same rows with ``y`` (and ``aht``).
    """
    names = {old: new for old, new in VOLUME_NAMES.items() if old in forecast_frame.columns
             and new not in forecast_frame.columns}
    return forecast_frame.rename(columns=names)


# --- metrics ----------------------------------------------------------------------


def wmape(actual, predicted) -> float:
    """Weighted MAPE: ``sum |actual - predicted| / sum actual`` (a fraction).

    Parameters
    ----------
    actual, predicted : array_like
        Calls per interval, recorded and forecast, in the same order; the
        recorded total weights each interval's error.

    Returns
    -------
    float
        wMAPE as a fraction, 0.1 meaning 10 % of the calls (NaN when the actual
        volume sums to 0).

    Examples
    --------
    >>> round(wmape([10, 20], [12, 18]), 4)
    0.1333
    """
    actual = np.asarray(actual, dtype=float)
    total = actual.sum()
    return float(np.abs(actual - np.asarray(predicted, dtype=float)).sum() / total) if total > 0 else float("nan")


def mae(actual, predicted) -> float:
    """Mean absolute error.

    Parameters
    ----------
    actual, predicted : array_like
        Recorded and forecast calls per interval, pairwise.

    Returns
    -------
    float
        Mean of ``|actual - predicted|``, in calls per interval.
    """
    return float(np.mean(np.abs(np.asarray(actual, dtype=float) - np.asarray(predicted, dtype=float))))


def rmse(actual, predicted) -> float:
    """Root mean squared error.

    Parameters
    ----------
    actual, predicted : array_like
        Equal-length arrays of recorded and forecast calls; large misses weigh
        more than in :func:`mae`.

    Returns
    -------
    float
        Square root of the mean squared error, in calls per interval.
    """
    return float(np.sqrt(np.mean((np.asarray(actual, dtype=float) - np.asarray(predicted, dtype=float)) ** 2)))


def mase(actual, predicted, scale: float) -> float:
    """Mean absolute scaled error: MAE divided by ``scale``.

    ``scale`` is the in-sample MAE of the one-week seasonal naive forecast on the
    training history (Hyndman & Koehler, 2006), so MASE < 1 beats that naive
    forecast's typical one-week-ahead error.

    Parameters
    ----------
    actual, predicted : array_like
        Test-window calls per interval, recorded and forecast.
    scale : float
        In-sample MAE of the one-week seasonal naive forecast, in the same
        calls per interval.

    Returns
    -------
    float
        MASE, unitless (NaN when ``scale`` is 0).
    """
    return mae(actual, predicted) / scale if scale > 0 else float("nan")


# --- results ----------------------------------------------------------------------


@dataclass
class ForecastResult:
    """What :func:`forecast` returns.

    Attributes
    ----------
    table : DataFrame
        ``queue, ds, y_hat, lo_80, hi_80, lo_95, hi_95, model`` and ``aht_hat``
        (seconds) when history has AHT. One row per open interval of every open
        day in the horizon; closed days and closed hours are absent.
    selection : DataFrame
        The backtest behind the choice: :data:`SCORE_COLUMNS` plus ``selected``.
    gaps : DataFrame
        ``queue, ds`` of every interval missing inside opening hours (filled).
    warnings : list of str
    interval_minutes : int
    closed_dates : list of datetime.date
        Dates inside the horizon that the special days or public holidays close
        (the schedule must not staff them: :func:`wfm.plan.plan` makes them the
        horizon's closed dates).
    """

    table: pd.DataFrame
    selection: pd.DataFrame
    gaps: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    interval_minutes: int = 0
    closed_dates: list = field(default_factory=list)


@dataclass
class BacktestResult:
    """What :func:`backtest` returns.

    Attributes
    ----------
    scores : DataFrame
        :data:`SCORE_COLUMNS`: one row per queue, model and scoring interval
        (the data's interval and 30 minutes). ``wmape`` is a fraction.
    chosen : DataFrame
        For model ``"auto"``: ``queue, fold, origin, model`` chosen at each fold.
    warnings : list of str
    interval_minutes : int
    """

    scores: pd.DataFrame
    chosen: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    interval_minutes: int = 0


# --- input preparation --------------------------------------------------------------


def _load_history(history, interval_minutes, timezone, columns=None) -> tuple[pd.DataFrame, int]:
    if isinstance(history, (str, Path)):
        return read_intervals(history, interval_minutes=interval_minutes, timezone=timezone, columns=columns)
    if not isinstance(history, pd.DataFrame):
        raise InputError("history: expected a DataFrame or a file path with columns ds, y (and optionally queue, aht).")
    return validate_intervals(history, "history", interval_minutes=interval_minutes, timezone=timezone)


def _history_at(history, interval_minutes, interval, timezone, columns=None) -> tuple[pd.DataFrame, int]:
    """The history read and, when ``interval`` is coarser than its own, summed to ``interval``."""
    frame, data_minutes = _load_history(history, interval_minutes, timezone, columns)
    if interval is None:
        return frame, data_minutes
    return aggregate_intervals(frame, data_minutes, interval), int(interval)


def _special_calendar(special_days, holidays, frame: pd.DataFrame, horizon_days: int) -> pd.DataFrame:
    table = None
    if special_days is not None:
        if isinstance(special_days, (str, Path)):
            table = read_special_days(special_days)
        else:
            table = validate_special_days(special_days, "special days")
    public = None
    if holidays:
        wall = wall_clock(frame["ds"])
        first = wall.min().year
        last = (wall.max() + pd.Timedelta(days=horizon_days + 1)).year
        public = public_holidays(holidays, range(first, last + 1))
    return combine_special_days(table, public)


def _models(models) -> list[str]:
    if models is None:
        return list(DEFAULT_MODELS)
    if isinstance(models, str):
        models = [m.strip() for m in models.split(",") if m.strip()]
    names = list(dict.fromkeys(models))
    if not names:
        raise InputError("--models: no model named, expected one or more of " + ", ".join(CANDIDATES) + ".")
    for name in names:
        if name not in CANDIDATES and name != AUTO:
            raise InputError(f"--models: unknown model '{name}', expected one of {', '.join(CANDIDATES)} or auto.")
    return names


def _check_folds(folds, place="--folds") -> int:
    try:
        value = int(folds)
    except (TypeError, ValueError):
        raise InputError(f"{place}: '{folds}' is not a whole number of backtest folds.") from None
    if value != folds or value < 1:
        raise InputError(f"{place}: {folds} folds, expected a whole number >= 1.")
    return value


# --- forecasting on the grid ------------------------------------------------------------


def _future_days(grid: DayGrid, dates: np.ndarray, calendar: pd.DataFrame) -> FutureDays:
    """Calendar facts about ``dates``, which follow ``grid``'s history or finish its last day."""
    is_special, special_closed, multiplier = special_lookup(dates, calendar)
    closed = special_closed | ~grid.open_weekday[weekday_of(dates)]
    weekday_closed = ~grid.open_weekday[weekday_of(dates)]
    n = int(np.searchsorted(grid.dates, dates[0]))
    all_dates = np.concatenate([grid.dates[:n], dates])
    all_closed = np.concatenate([grid.closed[:n], special_closed & ~weekday_closed])
    day_type, after = day_flags(all_dates, all_closed, grid.open_weekday, grid.week_start)
    return FutureDays(dates=dates, day_type=day_type[n:], after_closure=after[n:], closed=closed, multiplier=multiplier)


def _predict(name: str, grid: DayGrid, future: FutureDays) -> np.ndarray:
    model = history_average if name == FALLBACK_MODEL else CANDIDATES[name]
    F = np.asarray(model(grid, future), dtype=float)
    F = np.where(np.isfinite(F), np.maximum(F, 0.0), 0.0)
    F = F * grid.open_slots[future.weekday]
    F[future.closed] = 0.0
    return F * future.multiplier[:, None]


def _bins(interval: int) -> int:
    """Slots per scoring bin at 30 minutes (1 when the data is 30 minutes or coarser)."""
    return SCORE_MINUTES // interval if interval < SCORE_MINUTES and SCORE_MINUTES % interval == 0 else 1


def _to_bins(M: np.ndarray, k: int) -> np.ndarray:
    if k == 1:
        return M
    return M.reshape(M.shape[0], -1, k).sum(axis=2)


def _naive_scale(train: DayGrid, k: int) -> float:
    """In-sample MAE of the one-week seasonal naive forecast on normal days' opening intervals."""
    Y = _to_bins(np.nan_to_num(train.Y), k)
    normal = train.normal
    i = np.flatnonzero(normal[7:]) + 7
    i = i[normal[i - 7]]
    if i.size == 0:
        return float("nan")
    opening = _to_bins(train.open_slots[train.weekday[i]].astype(float), k) > 0
    if not opening.any():
        return float("nan")
    return float(np.abs(Y[i] - Y[i - 7])[opening].mean())


@dataclass
class _Tally:
    abs_err: float = 0.0
    sq_err: float = 0.0
    actual: float = 0.0
    cells: int = 0
    scaled_cells: float = 0.0
    seconds: float = 0.0
    folds: int = 0

    def add(self, A: np.ndarray, F: np.ndarray, scale: float) -> None:
        e = A - F
        self.abs_err += float(np.abs(e).sum())
        self.sq_err += float((e**2).sum())
        self.actual += float(A.sum())
        self.cells += A.size
        self.scaled_cells += A.size * scale if np.isfinite(scale) else np.nan

    def row(self) -> dict:
        n = max(self.cells, 1)
        return {
            "wmape": self.abs_err / self.actual if self.actual > 0 else np.nan,
            "mae": self.abs_err / n,
            "rmse": float(np.sqrt(self.sq_err / n)),
            "mase": self.abs_err / self.scaled_cells if self.scaled_cells > 0 else np.nan,
        }


def _fold_origins(grid: DayGrid, folds: int, horizon: int) -> list[int]:
    """Index of the first test day of each fold, most recent last, with >= 2 weeks to train on."""
    n = len(grid.dates)
    origins = [n - k * horizon for k in range(folds, 0, -1)]
    return [o for o in origins if o >= MIN_HISTORY_DAYS]


def _score_fold(grid: DayGrid, origin: int, horizon: int, F: np.ndarray, tallies: dict, name: str, seconds: float):
    """Add one fold's errors to the tallies of ``name`` at the data interval and 30 min."""
    stop = min(origin + horizon, len(grid.dates))
    days = grid.has_data[origin:stop]
    if not days.any():
        return
    Y = grid.Y[origin:stop][days]
    gap = (~grid.observed[origin:stop] & ~np.isnan(grid.Y[origin:stop]))[days]
    A = np.nan_to_num(Y)
    P = F[: stop - origin][days]
    # MAE and RMSE are per opening interval: closed nights would only dilute them
    opening = grid.open_slots[grid.weekday[origin:stop][days]] | (A > 0) | (P > 0)
    train = grid.head(origin)
    for k in sorted({1, _bins(grid.interval)}):
        valid = ~_to_bins(gap.astype(float), k).astype(bool) & _to_bins(opening.astype(float), k).astype(bool)
        tally = tallies.setdefault((name, grid.interval * k), _Tally())
        tally.add(_to_bins(A, k)[valid], _to_bins(P, k)[valid], _naive_scale(train, k))
        tally.seconds += seconds
        tally.folds += 1


def _run_backtest(grid, names, folds, horizon, calendar, select_folds=None, auto_models=None):
    """Backtest ``names`` on one queue's grid; returns tallies, residuals, chosen models."""
    tallies: dict = {}
    residuals: dict = {name: [] for name in names}
    chosen = []
    for origin in _fold_origins(grid, folds, horizon):
        train = grid.head(origin)
        dates = grid.dates[origin] + np.arange(horizon) * DAY
        future = _future_days(train, dates, calendar)
        for name in names:
            start = time.perf_counter()
            if name == AUTO:
                pick, _, _ = _select(train, auto_models or list(DEFAULT_MODELS), select_folds or folds, horizon, calendar)
                chosen.append((origin, pick))
                F = _predict(pick, train, future)
            else:
                F = _predict(name, train, future)
            seconds = time.perf_counter() - start
            _score_fold(grid, origin, horizon, F, tallies, name, seconds)
            stop = min(origin + horizon, len(grid.dates))
            days = grid.has_data[origin:stop]
            if name != AUTO and days.any():
                residuals[name].append((np.nan_to_num(grid.Y[origin:stop][days]), F[: stop - origin][days]))
    return tallies, residuals, chosen


def _select(grid, names, folds, horizon, calendar):
    """The candidate with the lowest backtest wMAPE at the data interval."""
    tallies, residuals, _ = _run_backtest(grid, names, folds, horizon, calendar)
    best, best_score = None, np.inf
    for name in names:
        tally = tallies.get((name, grid.interval))
        score = tally.row()["wmape"] if tally else np.nan
        if np.isfinite(score) and score < best_score:
            best, best_score = name, score
    # no volume in any fold leaves nothing to compare: the planners' default is as good as any
    return best or "hist_avg_4w", tallies, residuals


def _dispersion(pairs) -> float:
    """Extra-Poisson variance factor ``b`` in ``var = y_hat + b * y_hat**2`` from backtest errors."""
    if not pairs:
        return 0.1**2
    A = np.concatenate([a.ravel() for a, _ in pairs])
    F = np.concatenate([f.ravel() for _, f in pairs])
    use = F > 0
    denominator = float((F[use] ** 2).sum())
    if denominator <= 0:
        return 0.1**2
    return max(0.0, float((((A - F) ** 2 - F)[use]).sum()) / denominator)


def _aht_profile(grid: DayGrid, future: FutureDays) -> np.ndarray | None:
    """Volume-weighted AHT per weekday × interval over the last 8 weeks (wider when thin)."""
    if grid.aht is None:
        return None
    Y = np.nan_to_num(grid.Y)
    A = grid.aht
    has = ~np.isnan(A) & grid.observed
    work = np.where(has, A * Y, 0.0)
    vol = np.where(has, Y, 0.0)
    plain = np.where(has, A, 0.0)
    recent = grid.normal & ((grid.dates[-1] - grid.dates).astype(np.int64) < 56)
    weekday = grid.weekday
    overall = work.sum() / vol.sum() if vol.sum() > 0 else (plain.sum() / max(has.sum(), 1))
    by_slot_vol = vol[recent].sum(axis=0)
    by_slot = np.where(by_slot_vol > 0, work[recent].sum(axis=0) / np.maximum(by_slot_vol, 1e-12), overall)
    # The same for the intervals of the day against the day's AHT: one very long call in a
    # quiet half hour moves that interval's AHT by half, which is chance, not the hour.
    rows, slots = np.nonzero(has & recent[:, None])
    k = _credibility(Y[rows, slots], A[rows, slots], slots, np.zeros_like, np.array([overall])) if rows.size else 0.0
    z = _own_share(by_slot_vol, k)
    by_slot = z * by_slot + (1 - z) * overall
    weight = _weekday_credibility(A, Y, has & recent[:, None], weekday, by_slot)
    out = np.empty((len(future), grid.n_slots))
    for w in np.unique(future.weekday):
        rows = recent & (weekday == w)
        v = vol[rows].sum(axis=0)
        own = np.where(v > 0, work[rows].sum(axis=0) / np.maximum(v, 1e-12), by_slot)
        # No calls of its own (v = 0) falls back to the interval's figure whatever z is; a
        # weight of 0 (no chance spread measured) trusts the weekday's own figure fully.
        z = _own_share(v, weight)
        out[future.weekday == w] = z * own + (1 - z) * by_slot
    return out


def _own_share(calls: np.ndarray, k: float) -> np.ndarray:
    """Credibility ``calls / (calls + k)`` of a cell's own AHT (1 where ``k`` is 0, 0 where it is infinite)."""
    if not np.isfinite(k):
        return np.zeros_like(calls)
    return np.divide(calls, calls + k, out=np.ones_like(calls), where=(calls + k) > 0)


def _weekday_credibility(A: np.ndarray, Y: np.ndarray, use: np.ndarray, weekday: np.ndarray,
                         by_slot: np.ndarray) -> float:
    """Calls a weekday's own AHT of an interval needs to count half (Bühlmann–Straub).

    A weekday-and-interval AHT from a few weeks of a small centre rests on a few dozen
    calls; with heavy-tailed handle times it moves by 10-20% from chance alone, and a
    plan sized on it carries that noise into every day. The weekday's own AHT is
    therefore blended with the interval's AHT over all weekdays, ``z = calls / (calls
    + k)``, where ``k`` is the variance of one call's handle time (from how the days'
    AHTs scatter around their weekday, weighted by calls) over the variance of the true
    weekday differences (what the weekdays' AHTs scatter beyond that). Exact weekday
    differences (no scatter between days) keep ``k = 0``: the weekday's own AHT.
    """
    rows, slots = np.nonzero(use)
    if rows.size == 0:
        return 0.0
    cell = weekday[rows] * A.shape[1] + slots
    return _credibility(Y[rows, slots], A[rows, slots], cell, lambda cells: cells % A.shape[1], by_slot)


def _credibility(calls: np.ndarray, aht: np.ndarray, cell: np.ndarray, group_of, group_mean: np.ndarray) -> float:
    """Bühlmann–Straub ``k`` of cells within groups: one call's handle-time variance over the cells' true spread.

    ``calls`` and ``aht`` are the days' figures (one per day and cell); ``group_of``
    maps cell ids to group ids, ``group_mean`` is each group's AHT. ``0``: the cells'
    own AHTs are exact (no scatter between days); ``inf``: their differences are chance.
    """
    n = np.bincount(cell, weights=calls)
    mean = np.bincount(cell, weights=calls * aht) / np.maximum(n, 1e-12)
    count = np.bincount(cell)
    within = float((calls * (aht - mean[cell]) ** 2).sum())
    dof = float(np.maximum(count[count > 0] - 1, 0).sum())
    if dof <= 0 or within <= 0:
        return 0.0
    sigma2 = within / dof  # one call's handle-time variance
    cells = np.flatnonzero(n > 0)
    group = group_of(cells)
    between = float((n[cells] * (mean[cells] - group_mean[group]) ** 2).sum())
    total = np.bincount(group, weights=n[cells])
    squares = np.bincount(group, weights=n[cells] ** 2)
    spread = float((total - squares / np.maximum(total, 1e-12)).sum())
    groups = float(np.maximum(np.bincount(group) - 1, 0).sum())
    tau2 = (between - sigma2 * groups) / spread if spread > 0 else 0.0
    return sigma2 / tau2 if tau2 > 0 else float("inf")


def _rows_for(grid: DayGrid, future: FutureDays, F: np.ndarray, first_ds, last_ds, tz, freq) -> pd.DataFrame:
    """Real interval starts of the forecast days in ``(first_ds, last_ds]`` (wall clock)."""
    start = pd.Timestamp(future.dates[0])
    stop = pd.Timestamp(future.dates[-1] + DAY)
    if tz is not None:
        start, stop = local_midnight(start, tz), local_midnight(stop, tz)
    ds = pd.date_range(start, stop, freq=freq, inclusive="left")
    wall = wall_clock(ds)
    day = ((wall.normalize().to_numpy() - np.datetime64(future.dates[0], "ns")) // np.timedelta64(1, "D")).astype(int)
    slot = ((wall.hour * 60 + wall.minute) // grid.interval).to_numpy()
    keep = (~future.closed[day]) & grid.open_slots[future.weekday[day], slot]
    # calendar days are counted on the wall clock: 7 days after Friday 21:00 is the next
    # Friday 21:00 even when a DST change in between makes that 167 or 169 hours
    keep &= (wall > first_ds) & (wall <= last_ds)
    return pd.DataFrame({"ds": ds[keep], "day": day[keep], "slot": slot[keep]})


def _forecast_queue(frame, interval, horizon_days, names, folds, backtest_days, calendar, notes):
    grid = build_grid(frame, interval, calendar)
    queue = grid.queue
    last_ds = frame["ds"].iloc[-1]
    tz = frame["ds"].dt.tz
    span = len(grid.dates)
    selection_rows = []
    if span < MIN_HISTORY_DAYS:
        notes.append(
            f"queue '{queue}': only {span} day{'s' if span != 1 else ''} of history (fewer than 14), so the forecast "
            f"is the weekday × interval average of all history and its accuracy is untested."
        )
        chosen, b = FALLBACK_MODEL, 0.1**2
    else:
        origins = _fold_origins(grid, folds, backtest_days)
        if 0 < len(origins) < folds:
            notes.append(
                f"queue '{queue}': history allows {len(origins)} of the {folds} backtest folds of {backtest_days} days "
                f"(each needs 14 days before it)."
            )
        if not origins:
            # nothing to choose by: keep a single named model, else the planners' default
            chosen, b = (names[0] if len(names) == 1 else "hist_avg_4w"), 0.1**2
            notes.append(f"queue '{queue}': no backtest fold fits in the history, so the forecast uses {chosen} untested.")
        elif len(names) == 1:
            chosen = names[0]
            tallies, residuals, _ = _run_backtest(grid, names, folds, backtest_days, calendar)
            b = _dispersion(residuals[chosen])
        else:
            chosen, tallies, residuals = _select(grid, names, folds, backtest_days, calendar)
            b = _dispersion(residuals.get(chosen, []))
        if origins:
            for (name, minutes), tally in tallies.items():
                selection_rows.append(
                    {"queue": queue, "model": name, "interval_minutes": minutes, **tally.row(),
                     "fit_seconds": tally.seconds, "folds": tally.folds, "selected": name == chosen}
                )
    if not grid.has_data.any():
        notes.append(f"queue '{queue}': no volume anywhere in its history, so it has no open interval to forecast.")
    if grid.gaps:
        notes.append(
            f"queue '{queue}': {len(grid.gaps)} interval{'s' if len(grid.gaps) != 1 else ''} missing inside opening "
            f"hours (first on {pd.Timestamp(grid.dates[grid.gaps[0][0]]):%Y-%m-%d}); filled from that day's level "
            f"and the usual intraday profile, not counted as zero volume."
        )
    # the horizon runs from right after the last interval: when history stops mid-day,
    # the rest of that day is forecast too
    last_wall = wall_clock(last_ds)
    last_slot = (last_wall.hour * 60 + last_wall.minute) // interval
    partial = bool(grid.open_slots[weekday_of(grid.dates[-1:])[0], last_slot + 1 :].any())
    first_day = grid.dates[-1] if partial else grid.dates[-1] + DAY
    end_wall = last_wall + pd.Timedelta(days=horizon_days)
    end_day = np.datetime64(end_wall.normalize().date(), "D")
    dates = np.arange(first_day, max(end_day, first_day) + DAY, DAY)
    future = _future_days(grid, dates, calendar)
    F = _predict(chosen, grid, future)
    rows = _rows_for(grid, future, F, last_wall, last_wall + pd.Timedelta(days=horizon_days), tz, f"{interval}min")
    y_hat = F[rows["day"].to_numpy(), rows["slot"].to_numpy()]
    sd = np.sqrt(y_hat + b * y_hat**2)
    table = pd.DataFrame(
        {
            "queue": queue,
            "ds": rows["ds"].to_numpy() if tz is None else rows["ds"],
            "y_hat": y_hat,
            "lo_80": np.maximum(y_hat - Z80 * sd, 0.0),
            "hi_80": y_hat + Z80 * sd,
            "lo_95": np.maximum(y_hat - Z95 * sd, 0.0),
            "hi_95": y_hat + Z95 * sd,
            "model": chosen,
        }
    )
    aht = _aht_profile(grid, future)
    if aht is not None:
        table["aht_hat"] = aht[rows["day"].to_numpy(), rows["slot"].to_numpy()]
    gap_rows = pd.DataFrame(
        {
            "queue": queue,
            "ds": [pd.Timestamp(grid.dates[d]) + pd.Timedelta(minutes=s * interval) for d, s in grid.gaps],
        }
    )
    return table.reset_index(drop=True), selection_rows, gap_rows


def forecast(
    history,
    horizon,
    *,
    interval_minutes: int | None = None,
    interval: int | None = None,
    models=None,
    folds: int = 4,
    backtest_horizon=None,
    special_days=None,
    holidays: str | None = None,
    timezone: str | None = None,
    columns: dict[str, str] | None = None,
) -> ForecastResult:
    """Forecast volume (and AHT) per queue and interval, choosing the model by backtest.

    Parameters
    ----------
    history : DataFrame or path
        Interval table ``ds, y`` with optional ``queue`` and ``aht`` (seconds).
    horizon : str or int
        Calendar days (``"14d"``, ``14``) or weeks (``"2w"``) after the last interval.
    interval_minutes : int, optional
        Interval length of ``history``; inferred from the spacing when omitted.
    interval : int, optional
        Forecast at this coarser interval, summing history first (e.g. 5 -> 15).
    models : list of str or comma-separated str, optional
        Candidates (default :data:`DEFAULT_MODELS`). With one name there is no choice.
    folds : int
        Rolling-origin folds used for the choice (each fold needs 14 days before it).
        Four one-week folds by default: with three, one noisy week can flip the
        choice (on the bank sample, 3 inner folds picked a worse model once in 8).
    backtest_horizon : str or int, optional
        Days forecast per fold; defaults to ``min(horizon, 7 days)``.
    special_days : DataFrame or path, optional
        ``date, closed, multiplier``; see :mod:`wfm.forecast.calendar`.
    holidays : str, optional
        Country code whose public holidays are closed days (e.g. ``"JP"``).
    timezone : str, optional
        IANA zone of the site; naive timestamps are read as its local time.
    columns : dict, optional
        The history file's own headers for ``ds, y, aht, queue`` (e.g.
        ``{"ds": "日時", "y": "呼量"}``), see :func:`wfm.data.map_columns`.

    Returns
    -------
    ForecastResult

    Warns
    -----
    ForecastWarning
        Fewer than two weeks of history (historical-average fallback), too few days
        for the folds asked, or gaps inside opening hours.
    """
    horizon_days = parse_horizon(horizon, "--horizon")
    folds = _check_folds(folds)
    names = [n for n in _models(models) if n != AUTO] or list(DEFAULT_MODELS)
    backtest_days = parse_horizon(backtest_horizon, "--backtest-horizon") if backtest_horizon else min(horizon_days, 7)
    frame, data_minutes = _history_at(history, interval_minutes, interval, timezone, columns)
    calendar = _special_calendar(special_days, holidays, frame, horizon_days)
    notes: list[str] = []
    tables, selection, gaps = [], [], []
    for _, part in frame.groupby("queue", sort=True):
        table, rows, gap_rows = _forecast_queue(
            part.reset_index(drop=True), data_minutes, horizon_days, names, folds, backtest_days, calendar, notes
        )
        tables.append(table)
        selection.extend(rows)
        gaps.append(gap_rows)
    for note in notes:
        warnings.warn(note, ForecastWarning, stacklevel=2)
    out = pd.concat(tables, ignore_index=True)
    columns = FORECAST_COLUMNS + (["aht_hat"] if "aht_hat" in out.columns else [])
    return ForecastResult(
        table=out[columns],
        selection=pd.DataFrame(selection, columns=SCORE_COLUMNS + ["selected"]),
        gaps=pd.concat(gaps, ignore_index=True),
        warnings=notes,
        interval_minutes=data_minutes,
        closed_dates=_closed_in_horizon(calendar, frame, horizon_days),
    )


def _closed_in_horizon(calendar: pd.DataFrame, frame: pd.DataFrame, horizon_days: int) -> list:
    """The calendar's closed dates among the ``horizon_days`` after the history's last day."""
    if calendar is None or not len(calendar):
        return []
    wall = frame["ds"].dt.tz_localize(None) if frame["ds"].dt.tz is not None else frame["ds"]
    last = wall.max().normalize()
    dates = pd.to_datetime(calendar.loc[calendar["closed"].astype(bool), "date"])
    inside = (dates > last) & (dates <= last + pd.Timedelta(days=horizon_days))
    return sorted({d.date() for d in dates[inside]})


def backtest(
    history,
    folds: int = 4,
    horizon="7d",
    *,
    models=None,
    select_folds: int | None = None,
    auto_models=None,
    interval_minutes: int | None = None,
    interval: int | None = None,
    timezone: str | None = None,
    columns: dict[str, str] | None = None,
    special_days=None,
    holidays: str | None = None,
) -> BacktestResult:
    """Rolling-origin accuracy of each candidate per queue.

    Parameters
    ----------
    history : DataFrame or path
        Interval table as for :func:`forecast`.
    folds : int
        Number of origins, one ``horizon`` apart, ending at the last history day.
    horizon : str or int
        Calendar days forecast from each origin (``"7d"``, ``"1w"``).
    models : list of str or comma-separated str, optional
        Candidates, default :data:`DEFAULT_MODELS` plus ``"auto"`` (the selection
        :func:`forecast` makes, re-run at each origin on the training part only,
        with ``select_folds`` inner folds, default 4, among ``auto_models``,
        default :data:`DEFAULT_MODELS`).
    select_folds : int, optional
        Inner folds of the ``auto`` model at each origin (default 4).
    auto_models : list of str, optional
        Candidates of the ``auto`` model (default :data:`DEFAULT_MODELS`).
    interval_minutes : int, optional
        Interval length of ``history``; inferred from the spacing when omitted.
    interval : int, optional
        Score at this coarser interval, summing history first.
    timezone : str, optional
        IANA zone of the site.
    columns : dict, optional
        The history file's own headers for ``ds, y, aht, queue`` (as for :func:`forecast`).
    special_days : DataFrame or path, optional
        ``date, closed, multiplier``; see :mod:`wfm.forecast.calendar`.
    holidays : str, optional
        Country code whose public holidays are closed days.

    Returns
    -------
    BacktestResult
        Scores at the data's interval and at 30 minutes (wMAPE, MAE, RMSE, MASE
        against the one-week seasonal naive's in-sample MAE, and fit+predict seconds).
    """
    folds = _check_folds(folds)
    horizon_days = parse_horizon(horizon, "--horizon")
    names = _models(models) if models is not None else list(DEFAULT_MODELS) + [AUTO]
    select_folds = _check_folds(select_folds, "--select-folds") if select_folds is not None else 4
    auto_models = [n for n in _models(auto_models) if n != AUTO] if auto_models is not None else None
    frame, data_minutes = _history_at(history, interval_minutes, interval, timezone, columns)
    calendar = _special_calendar(special_days, holidays, frame, horizon_days)
    rows, chosen_rows, notes = [], [], []
    for queue, part in frame.groupby("queue", sort=True):
        grid = build_grid(part.reset_index(drop=True), data_minutes, calendar)
        origins = _fold_origins(grid, folds, horizon_days)
        if len(origins) < folds:
            notes.append(
                f"queue '{queue}': history allows {len(origins)} of the {folds} folds of {horizon_days} days "
                f"(each needs 14 days before it)."
            )
        tallies, _, chosen = _run_backtest(grid, names, folds, horizon_days, calendar, select_folds, auto_models)
        for (name, minutes), tally in sorted(tallies.items(), key=lambda kv: (kv[0][1], names.index(kv[0][0]))):
            rows.append({"queue": queue, "model": name, "interval_minutes": minutes, **tally.row(),
                         "fit_seconds": tally.seconds, "folds": tally.folds})
        for fold, (origin, pick) in enumerate(chosen, start=1):
            chosen_rows.append({"queue": queue, "fold": fold,
                                "origin": pd.Timestamp(grid.dates[origin]), "model": pick})
    if not rows:
        # Every queue too short: an empty score table would only crash or mislead later.
        source = str(history) if isinstance(history, (str, Path)) else "history"
        days = frame["ds"].dt.normalize().nunique()
        raise InputError(
            f"{source}: {days} days of history allow no backtest fold of {horizon_days} days (each fold needs "
            f"{MIN_HISTORY_DAYS} days of history before it); give at least {MIN_HISTORY_DAYS + horizon_days} days "
            f"or a shorter --horizon."
        )
    for note in notes:
        warnings.warn(note, ForecastWarning, stacklevel=2)
    return BacktestResult(
        scores=pd.DataFrame(rows, columns=SCORE_COLUMNS),
        chosen=pd.DataFrame(chosen_rows, columns=["queue", "fold", "origin", "model"]),
        warnings=notes,
        interval_minutes=data_minutes,
    )
