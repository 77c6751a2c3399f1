"""Verify a staffing plan by discrete-event simulation, or by replaying real calls.

The queue is one skill, first-come first-served, with a time-varying number of
agents available for inbound calls (breaks, lunches and outbound work are simply
fewer agents in the interval), optional abandonment, and Poisson arrivals whose
rate is constant within each interval (the forecast volume divided by the
interval length).

The engine
----------
An FCFS multi-server queue with abandonment can be simulated call by call, in
arrival order, without a general event calendar: a call starts at the first time
``t`` at or after its arrival (and after the previous call's decision time) at
which fewer than ``agents(t)`` calls are in service. A min-heap holds the end
times of calls in service. If that time comes later than ``arrival + patience``
the caller hangs up at ``arrival + patience`` and uses no agent. This is exact
for FCFS (a later caller can never be answered before an earlier one who is still
waiting) and costs O(log agents) per call; ``tests/test_simulate.py`` shows it
agrees with ciw and with the Erlang C / Erlang A closed forms.

Staffing rule
-------------
``agents`` in an interval is the number of agents present for inbound calls. When
it drops at an interval boundary while more calls are in service, nobody is cut
off: the agents who finish first leave, and no new call is answered until fewer
than ``agents`` calls are in service. When it rises, the new agents answer waiting
calls at once.

Closing: when staffing drops to zero (the centre closes for the night, or intervals
missing between rows), the agents of the last staffed interval stay until the callers
already waiting at closing time are answered (or hang up); callers arriving while it
is closed wait for the next opening (or hang up). Time beyond the last interval keeps
the last interval's staffing, so calls still in queue at the end are worked off; if the
last interval has no agents, callers arriving in that final closed spell who never hang
up count as abandoned at the end of the horizon.

KPI definitions
---------------
Calls are attributed to the interval in which they *arrive*.

``service_level``  answered within ``answer_within`` seconds / offered calls. Every
                   abandoned call counts in the denominator and never in the
                   numerator, including callers who hang up within the target
                   (the strict convention; it can only under-state service).
``asa``            mean wait in seconds of answered calls.
``abandon_rate``   abandoned / offered.
``occupancy``      busy agent-seconds / available agent-seconds in the interval,
                   where available = agents x interval length plus the time agents
                   past their shift spend finishing calls (so occupancy <= 1).

Each KPI is computed per replication from that replication's totals (per interval,
per day, over the whole horizon), then averaged over replications with a 95%
Student-t confidence interval (``*_lo``, ``*_hi``; empty with one replication, and
an interval with no offered calls in a replication leaves that replication out).

Randomness comes from ``numpy.random.Generator`` streams spawned from one
``SeedSequence(seed)``, one per replication: the same inputs and seed give the
same numbers, and replication ``r`` does not depend on how many others are run.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from wfm import limits
from wfm.data import DEFAULT_QUEUE, parse_timestamps
from wfm.errors import InputError
from wfm.localtime import utc_clock

__all__ = [
    "SimulationResult",
    "CallOutcomes",
    "run_calls",
    "simulate",
    "simulate_totals",
    "kpis_from_totals",
    "shortfalls",
    "behaviour_options",
    "replay",
    "summarise",
    "agents_column_of",
    "infer_staffing_interval",
    "describe",
]

SUM_COLUMNS = (
    "offered",
    "answered",
    "abandoned",
    "answered_within",
    "wait_answered_seconds",
    "busy_seconds",
    "available_seconds",
)


# --------------------------------------------------------------------------- engine


@dataclass(frozen=True)
class CallOutcomes:
    """What happened to each call of one run (arrays aligned with the input calls).

    Attributes
    ----------
    wait : ndarray of float
        Seconds from arrival to answer (answered) or to hang-up (abandoned).
    answered : ndarray of bool
        True when an agent answered the call.
    start : ndarray of float
        Answer time in seconds from the start of the horizon (NaN when abandoned).
    """

    wait: np.ndarray
    answered: np.ndarray
    start: np.ndarray


def _next_rise_times(agents: list[int], interval_seconds: float) -> list[float]:
    """For each interval, the start of the next interval with more agents (inf if none)."""
    n = len(agents)
    out = [math.inf] * n
    stack: list[int] = []  # indices awaiting a later, larger value
    for k in range(n):
        while stack and agents[stack[-1]] < agents[k]:
            out[stack.pop()] = k * interval_seconds
        stack.append(k)
    return out


def run_calls(
    arrival: np.ndarray,
    handle: np.ndarray,
    patience: np.ndarray | None,
    agents: np.ndarray,
    interval_seconds: float,
) -> CallOutcomes:
    """Push calls through a FCFS queue with per-interval staffing: the engine.

    Parameters
    ----------
    arrival : array of float
        Arrival times in seconds from the start of interval 0, sorted ascending.
    handle : array of float
        Handle time (seconds) each call needs if answered.
    patience : array of float or None
        Seconds each caller is willing to wait (``inf`` or ``None``: never hangs up).
    agents : array of int
        Agents available for inbound calls in each interval (see the module's staffing
        rule); the last value holds after the horizon.
    interval_seconds : float
        Interval length in seconds.

    Returns
    -------
    CallOutcomes
    """
    arrival = np.asarray(arrival, dtype=float)
    n = arrival.size
    handle = np.asarray(handle, dtype=float)
    if patience is None:
        patience = np.full(n, np.inf)
    patience = np.asarray(patience, dtype=float)
    agents_list = [int(a) for a in np.asarray(agents)]
    n_intervals = len(agents_list)
    if n_intervals == 0:
        raise InputError("staffing: no intervals given, expected at least one.")
    L = float(interval_seconds)
    rise = _next_rise_times(agents_list, L)
    # closed spells: when each began, and who was on before (they drain the queue)
    closed_since = [0.0] * n_intervals
    drain = [0] * n_intervals
    for k in range(n_intervals):
        if agents_list[k] == 0:
            if k == 0 or agents_list[k - 1] > 0:
                spell_start, spell_drain = k * L, (agents_list[k - 1] if k else 0)
            closed_since[k], drain[k] = spell_start, spell_drain
    horizon_end = n_intervals * L
    last = n_intervals - 1

    start = np.full(n, np.nan)
    start_list = start.tolist()
    answered = [False] * n
    arr_l = arrival.tolist()
    end_l = (arrival + patience).tolist()  # hang-up deadlines
    h_l = handle.tolist()
    heap: list[float] = []
    push, pop = heapq.heappush, heapq.heappop
    frontier = 0.0  # no new call can start before this time
    inf = math.inf
    for i in range(n):
        a = arr_l[i]
        t = a if a > frontier else frontier
        deadline = end_l[i]
        served = True
        while True:
            while heap and heap[0] <= t:
                pop(heap)
            k = int(t // L)
            if k > last:
                k = last
            c = agents_list[k]
            if c == 0 and a < closed_since[k]:
                c = drain[k]  # waiting since before closing: the last shift answers it
            if len(heap) < c:
                break
            nxt = heap[0] if heap else inf
            r = rise[k]
            if r < nxt:
                nxt = r
            if nxt > deadline or nxt == inf:
                served = False  # hangs up first (or can never be answered)
                break
            t = nxt
        if not served or t > deadline:
            # No agent is free anywhere in [t, min(next free time, deadline)], and the
            # heap was emptied up to t: later callers may not start before either.
            if deadline < inf:
                if deadline > frontier:
                    frontier = deadline
            else:  # never answerable: nobody works after the horizon
                end_l[i] = max(horizon_end, a)
            if t > frontier:
                frontier = t
            continue
        answered[i] = True
        start_list[i] = t
        push(heap, t + h_l[i])
        frontier = t
    answered_arr = np.array(answered, dtype=bool)
    start = np.array(start_list, dtype=float)
    hang_up = np.array(end_l, dtype=float)
    wait = np.where(answered_arr, start - arrival, hang_up - arrival)
    return CallOutcomes(wait=wait, answered=answered_arr, start=start)


def _interval_sums(
    outcomes: CallOutcomes,
    arrival: np.ndarray,
    handle: np.ndarray,
    agents: np.ndarray,
    interval_seconds: float,
    answer_within: float,
) -> np.ndarray:
    """Per-interval totals of one run, shape (len(SUM_COLUMNS), n_intervals)."""
    n_int = len(agents)
    L = float(interval_seconds)
    k = np.minimum((arrival // L).astype(np.int64), n_int - 1)
    ans = outcomes.answered
    offered = np.bincount(k, minlength=n_int).astype(float)
    answered = np.bincount(k, weights=ans.astype(float), minlength=n_int)
    within = np.bincount(k, weights=(ans & (outcomes.wait <= answer_within)).astype(float), minlength=n_int)
    wait_sum = np.bincount(k, weights=np.where(ans, outcomes.wait, 0.0), minlength=n_int)

    # Busy level as a step function: +1 at each answer, -1 at each end, cut at the
    # interval boundaries so no segment straddles two intervals.
    starts = outcomes.start[ans]
    ends = starts + handle[ans]
    bounds = np.arange(n_int + 1, dtype=float) * L
    times = np.concatenate([starts, ends, bounds])
    steps = np.concatenate([np.ones(starts.size), -np.ones(ends.size), np.zeros(bounds.size)])
    order = np.argsort(times, kind="stable")
    times = times[order]
    level = np.cumsum(steps[order])[:-1]
    seg_len = np.diff(times)
    seg_k = (times[:-1] // L).astype(np.int64)
    inside = (seg_k >= 0) & (seg_k < n_int) & (seg_len > 0)
    seg_k, level, seg_len = seg_k[inside], level[inside], seg_len[inside]
    agents_f = np.asarray(agents, dtype=float)
    busy = np.bincount(seg_k, weights=level * seg_len, minlength=n_int)
    overtime = np.bincount(seg_k, weights=np.maximum(level - agents_f[seg_k], 0.0) * seg_len, minlength=n_int)
    available = agents_f * L + overtime
    return np.vstack([offered, answered, offered - answered, within, wait_sum, busy, available])


# --------------------------------------------------------------------------- results


@dataclass
class SimulationResult:
    """KPIs of a simulated (or replayed) staffing plan.

    Attributes
    ----------
    intervals : DataFrame
        One row per queue and interval: ``queue, ds, agents, offered, answered,
        abandoned`` (means over replications), then ``service_level, asa,
        abandon_rate, occupancy`` each with ``_lo`` and ``_hi`` (95% CI).
    daily : DataFrame
        The same KPIs per queue and local calendar day (``date``).
    summary : dict
        The same KPIs over the whole horizon and all queues, plus run settings.
    per_replication : DataFrame
        Raw totals per replication, queue and interval (``replication, queue, ds``
        and :data:`SUM_COLUMNS`), from which any other grouping can be computed with
        :func:`summarise`.
    """

    intervals: pd.DataFrame
    daily: pd.DataFrame
    summary: dict[str, Any]
    per_replication: pd.DataFrame = field(repr=False)


def _ci(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean and 95% t-interval over axis 0, ignoring NaN (a replication with no calls)."""
    count = np.sum(~np.isnan(values), axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        total = np.nansum(values, axis=0)
        mean = np.where(count > 0, total / np.maximum(count, 1), np.nan)
        dev = np.where(np.isnan(values), 0.0, values - mean)
        var = np.sum(dev**2, axis=0) / np.maximum(count - 1, 1)
        t = stats.t.ppf(0.975, np.maximum(count - 1, 1))
        half = np.where(count > 1, t * np.sqrt(var / np.maximum(count, 1)), np.nan)
    return mean, mean - half, mean + half


def _kpi_block(sums: np.ndarray) -> dict[str, np.ndarray]:
    """KPI columns from totals shaped (replications, len(SUM_COLUMNS), groups)."""
    offered, answered, abandoned, within, wait_sum, busy, available = (sums[:, j, :] for j in range(7))
    with np.errstate(invalid="ignore", divide="ignore"):
        ratios = {
            "service_level": np.where(offered > 0, within / offered, np.nan),
            "asa": np.where(answered > 0, wait_sum / answered, np.nan),
            "abandon_rate": np.where(offered > 0, abandoned / offered, np.nan),
            "occupancy": np.where(available > 0, busy / available, np.nan),
        }
    out: dict[str, np.ndarray] = {
        "offered": offered.mean(axis=0),
        "answered": answered.mean(axis=0),
        "abandoned": abandoned.mean(axis=0),
    }
    for name, values in ratios.items():
        mean, lo, hi = _ci(values)
        if name != "asa":
            lo, hi = np.clip(lo, 0.0, 1.0), np.clip(hi, 0.0, 1.0)
        else:
            lo = np.maximum(lo, 0.0)
        out[name], out[f"{name}_lo"], out[f"{name}_hi"] = mean, lo, hi
    return out


def summarise(per_replication: pd.DataFrame, by: list[str] | None = None) -> pd.DataFrame:
    """KPIs with 95% CIs from per-replication totals, grouped by ``by`` columns.

    Parameters
    ----------
    per_replication : DataFrame
        ``SimulationResult.per_replication`` (or any subset of its rows, e.g. without
        a warm-up period).
    by : list of str, optional
        Grouping columns (e.g. ``["queue", "ds"]``); ``None`` gives one row overall.


    Returns
    -------
    DataFrame
        Per group: service level, ASA, abandon rate and occupancy with their 95% bounds.
    """
    frame = per_replication
    keys = list(by or [])
    reps = np.sort(frame["replication"].unique())
    if keys:
        grouped = frame.groupby(["replication", *keys], sort=True, observed=True)[list(SUM_COLUMNS)].sum()
        table = grouped.unstack("replication").fillna(0.0)
        index = table.index
        sums = np.stack([table[c].reindex(columns=reps).to_numpy().T for c in SUM_COLUMNS], axis=1)
    else:
        grouped = frame.groupby("replication", sort=True)[list(SUM_COLUMNS)].sum().reindex(reps)
        sums = grouped.to_numpy()[:, :, None]
        index = None
    block = _kpi_block(sums)
    out = pd.DataFrame(block, index=index)
    return out.reset_index() if keys else out


_ORDER = [
    "offered", "answered", "abandoned",
    "service_level", "service_level_lo", "service_level_hi",
    "asa", "asa_lo", "asa_hi",
    "abandon_rate", "abandon_rate_lo", "abandon_rate_hi",
    "occupancy", "occupancy_lo", "occupancy_hi",
]  # fmt: skip


def _result(blocks: list[tuple[np.ndarray, str, pd.Series]], grid: pd.DataFrame, settings: dict[str, Any]
            ) -> SimulationResult:
    """Tables from per-queue totals (replications, len(SUM_COLUMNS), intervals) aligned with ``grid``."""
    totals = np.concatenate([b[0] for b in blocks], axis=2)
    kpis = pd.DataFrame(_kpi_block(totals))[_ORDER]
    head = grid[["queue", "ds", "agents", *(["volume"] if "volume" in grid else [])]].reset_index(drop=True)
    intervals = pd.concat([head, kpis], axis=1)
    days = pd.DataFrame({"queue": head["queue"], "date": _local_date(head["ds"])})
    codes, uniques = pd.MultiIndex.from_frame(days).factorize()
    onehot = np.zeros((len(days), len(uniques)))
    onehot[np.arange(len(days)), codes] = 1.0
    daily_kpis = pd.DataFrame(_kpi_block(totals @ onehot))[_ORDER]
    daily = pd.concat([uniques.to_frame(index=False, name=["queue", "date"]), daily_kpis], axis=1)
    overall = _kpi_block(totals.sum(axis=2, keepdims=True))
    summary: dict[str, Any] = {k: (None if np.isnan(overall[k][0]) else float(overall[k][0])) for k in _ORDER}
    summary.update(settings)
    per_rep = pd.concat([_per_rep_frame(*b) for b in blocks], ignore_index=True)
    return SimulationResult(intervals=intervals, daily=daily, summary=summary, per_replication=per_rep)


def _local_date(ds: pd.Series) -> pd.Series:
    return pd.Series(pd.to_datetime(ds).dt.date, index=ds.index)


# --------------------------------------------------------------------------- inputs


def _check_positive(value, name: str, *, allow_zero: bool = False) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{name}: '{value}' is not a number.") from None
    if not math.isfinite(number) or number < 0 or (number == 0 and not allow_zero):
        expected = ">= 0" if allow_zero else "> 0"
        raise InputError(f"{name}: {value} is not valid, expected a finite number of seconds {expected}.")
    return number


def _seed_sequence(seed) -> np.random.SeedSequence:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError(f"seed: {seed!r} is not valid, expected a whole number >= 0.")
    return np.random.SeedSequence(int(seed))


def _check_sample(sample, name: str, *, allow_zero: bool, allow_inf: bool = False) -> np.ndarray:
    values = np.asarray(sample, dtype=float).ravel() if sample is not None else None
    if values is None or values.size == 0:
        raise InputError(f"{name}: the sample is empty, expected at least one duration in seconds.")
    finite = np.isfinite(values) | (allow_inf & (values == np.inf))
    bad = ~finite | (values < 0) | ((values == 0) & (not allow_zero))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(f"{name}: value {values[i]} at position {i + 1} is not a valid duration in seconds.")
    return values


def _grid_positions(ds: pd.Series, interval_seconds: float, source: str) -> np.ndarray:
    """Interval index of each timestamp, counted in elapsed time from the first one."""
    ds = utc_clock(pd.Series(ds))
    ns = ds.astype("int64").to_numpy()
    offset = (ns - ns.min()) / 1e9
    pos = offset / interval_seconds
    off_grid = np.abs(pos - np.round(pos)) > 1e-9
    if off_grid.any():
        i = int(np.flatnonzero(off_grid)[0])
        raise InputError(
            f"{source}: ds '{ds.iloc[i]}' is not on the {interval_seconds / 60:g}-minute grid that starts at "
            f"'{ds.min()}'."
        )
    return np.round(pos).astype(np.int64)


def _as_ds(values: pd.Series, like: pd.Series, source: str) -> pd.Series:
    """Parse ``values`` as timestamps in the same time-zone convention as ``like``."""
    tz = like.dt.tz
    parsed = parse_timestamps(values.reset_index(drop=True), source, "ds", str(tz) if tz is not None else None)
    if tz is None and parsed.dt.tz is not None:
        raise InputError(
            f"{source}: column 'ds' has UTC offsets while the volumes have local times without a zone; "
            f"use one convention."
        )
    parsed.index = values.index
    return parsed


def _staffing_for(
    frame: pd.DataFrame, staffing, agents_column: str, queue: str, multi_queue: bool
) -> np.ndarray:
    """Agents per row of ``frame`` (one queue's intervals, sorted by ds)."""
    if isinstance(staffing, pd.DataFrame):
        table = staffing.copy()
        table.columns = [str(c).strip() for c in table.columns]
        for column in ("ds", agents_column):
            if column not in table.columns:
                raise InputError(
                    f"staffing: missing column '{column}'; found {', '.join(repr(c) for c in table.columns)} "
                    f"(expected ds and {agents_column})."
                )
        if "queue" in table.columns:
            table = table[table["queue"].astype(str) == queue]
        elif multi_queue:
            raise InputError("staffing: the volumes have several queues, so the staffing needs a 'queue' column.")
        table = table.reset_index(drop=True)
        table["ds"] = _as_ds(table["ds"], frame["ds"], "staffing")
        values = pd.to_numeric(table[agents_column], errors="coerce")
        _check_agents(values.to_numpy(dtype=float), table[agents_column], agents_column)
        dup = table["ds"].duplicated()
        if dup.any():
            i = int(np.flatnonzero(dup.to_numpy())[0])
            raise InputError(f"staffing: row {i + 1} repeats ds '{table['ds'].iloc[i]}' for queue '{queue}'.")
        lookup = pd.Series(values.to_numpy(dtype=float), index=table["ds"])
        agents = lookup.reindex(frame["ds"]).to_numpy()
        missing = np.isnan(agents)
        if missing.any():
            i = int(np.flatnonzero(missing)[0])
            raise InputError(
                f"staffing: no '{agents_column}' for queue '{queue}' at ds '{frame['ds'].iloc[i]}', "
                f"expected a row for every interval of the volumes."
            )
        return agents.astype(np.int64)
    values = np.asarray(staffing, dtype=float).ravel()
    if values.size != len(frame):
        raise InputError(
            f"staffing: {values.size} values given for {len(frame)} intervals, expected one per interval."
        )
    _check_agents(values, pd.Series(values), "agents")
    return values.astype(np.int64)


def _check_agents(values: np.ndarray, raw: pd.Series, column: str) -> None:
    bad = ~np.isfinite(values) | (values < 0) | (np.abs(values - np.round(values)) > 1e-9)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"staffing: row {i + 1}, column '{column}' is '{raw.iloc[i]}', expected a whole number of agents >= 0."
        )
    limits.check_agents(values, "staffing", column)


def _prepare_volumes(volume_frame: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    if not isinstance(volume_frame, pd.DataFrame):
        raise InputError("volumes: expected a table with columns ds and y (or y_hat).")
    frame = volume_frame.copy()
    frame.columns = [str(c).strip() for c in frame.columns]
    column = "y" if "y" in frame.columns else "y_hat" if "y_hat" in frame.columns else None
    if "ds" not in frame.columns or column is None:
        raise InputError(
            f"volumes: missing column {'ds' if 'ds' not in frame.columns else 'y'}; found "
            f"{', '.join(repr(c) for c in frame.columns) or 'none'} (expected ds, y or y_hat, optional aht)."
        )
    if frame.empty:
        raise InputError("volumes: the table has no rows.")
    if "queue" not in frame.columns:
        frame["queue"] = DEFAULT_QUEUE
    frame["queue"] = frame["queue"].astype(str)
    if not pd.api.types.is_datetime64_any_dtype(frame["ds"]):
        frame["ds"] = parse_timestamps(frame["ds"].reset_index(drop=True), "volumes", "ds").to_numpy()
    volume = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(volume) | (volume < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(f"volumes: row {i + 1}, column '{column}' is '{frame[column].iloc[i]}', expected a volume >= 0.")
    # The engine holds every call of a replication in memory: refuse what would not fit, before drawing.
    limits.check_calls_per_interval(volume, "volumes", column)
    frame["volume"] = volume
    dup = frame.duplicated(["queue", "ds"])
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise InputError(f"volumes: row {i + 1} repeats ds '{frame['ds'].iloc[i]}' for queue '{frame['queue'].iloc[i]}'.")
    return frame.sort_values(["queue", "ds"], kind="stable").reset_index(drop=True), column


STAFFING_COLUMNS = ("scheduled_inbound", "agents", "inbound")  # coverage first, then sizing output


def agents_column_of(staffing: pd.DataFrame, requested: str | None = None, source: str = "staffing") -> str:
    """The staffing column to simulate: ``requested``, or the first of :data:`STAFFING_COLUMNS` present.

    Parameters
    ----------
    staffing : DataFrame
        The staffing table.
    requested : str, optional
        The column asked for (``--staffing-column``).
    source : str
        The file, for the message.

    Returns
    -------
    str
        The column name.

    Raises
    ------
    InputError
        When the column asked for, or any known one, is missing.
    """
    columns = [str(c).strip() for c in staffing.columns]
    if requested is not None:
        if requested not in columns:
            raise InputError(
                f"{source}: no column '{requested}'; found {', '.join(repr(c) for c in columns)}."
            )
        return requested
    for name in STAFFING_COLUMNS:
        if name in columns:
            return name
    raise InputError(
        f"{source}: no agents column; expected one of {', '.join(STAFFING_COLUMNS)} "
        f"(or name it with --staffing-column), found {', '.join(repr(c) for c in columns)}."
    )


def shortfalls(intervals: pd.DataFrame, service_level: float, points: float = 0.05) -> pd.DataFrame:
    """Intervals whose simulated service level is more than ``points`` under the target.

    Parameters
    ----------
    intervals : DataFrame
        ``SimulationResult.intervals``.
    service_level : float
        The target share answered within ``answer_within`` (e.g. 0.8).
    points : float
        Tolerance as a fraction (0.05 = 5 percentage points).

    Returns
    -------
    DataFrame
        The offending rows (intervals with offered calls only) with a ``shortfall``
        column (target minus simulated, as a fraction), worst first.
    """
    sl = intervals["service_level"]
    bad = intervals[sl.notna() & (sl < service_level - points)].copy()
    bad["shortfall"] = service_level - bad["service_level"]
    return bad.sort_values("shortfall", ascending=False, kind="stable").reset_index(drop=True)


def behaviour_options(behaviour, *, aht: float | None = None, patience: float | None = None,
                      aht_column: bool = False) -> dict[str, Any]:
    """Keyword arguments for :func:`simulate` from a learned behaviour profile.

    ``behaviour`` has ``aht``, ``handle_sample``, ``patience`` and ``patience_sample``
    (e.g. :class:`wfm.calibrate.Behaviour`). The learned handle-time sample is drawn
    as it is, or rescaled to ``aht`` when one is given; an explicit ``patience`` mean
    replaces the learned patience; the learned sample is preferred to its mean.

    Parameters
    ----------
    behaviour : Behaviour
        The learned behaviour.
    aht : float, optional
        Mean handle time to rescale the sample to.
    patience : float, optional
        Mean patience replacing the learned one.
    aht_column : bool
        Whether the volumes carry their own ``aht`` column (the profile's mean is then not used).

    Returns
    -------
    dict
        ``aht``, ``patience`` and, from the profile, ``handle_sample`` (with
        ``scale_handle_sample``) or ``patience_sample``, for :func:`simulate`.
    """
    options: dict[str, Any] = {"aht": aht, "patience": patience}
    if behaviour.handle_sample is not None:
        options.update(handle_sample=behaviour.handle_sample, scale_handle_sample=aht is not None)
    elif aht is None and not aht_column:
        options["aht"] = behaviour.aht
    if patience is None:
        if behaviour.patience_sample is not None:
            options["patience_sample"] = behaviour.patience_sample
        else:
            options["patience"] = behaviour.patience
    return options


def infer_staffing_interval(staffing: pd.DataFrame, source: str = "staffing") -> int:
    """Interval length (minutes) from the spacing of a staffing table's ``ds``.

    Parameters
    ----------
    staffing : DataFrame
        The staffing table with ``ds``.
    source : str
        The file, for the message.

    Returns
    -------
    int
        Minutes.

    Raises
    ------
    InputError
        When there is no ``ds`` column or the spacing is irregular.
    """
    from wfm.data import infer_interval_minutes

    if "ds" not in staffing.columns:
        raise InputError(f"{source}: missing column 'ds'.")
    frame = pd.DataFrame({
        "queue": staffing["queue"].astype(str) if "queue" in staffing.columns else DEFAULT_QUEUE,
        "ds": parse_timestamps(staffing["ds"].reset_index(drop=True), source, "ds"),
    })
    return infer_interval_minutes(frame.sort_values(["queue", "ds"]), source)


def describe(summary: dict[str, Any]) -> str:
    """One line a planner reads: the overall KPIs of a result's ``summary``.

    Parameters
    ----------
    summary : dict
        A result's ``summary``.

    Returns
    -------
    str
        Service level, ASA, abandon rate and occupancy with their 95% CIs.
    """

    def pct(value):
        return "n/a" if value is None else f"{value:.1%}"

    asa = "n/a" if summary.get("asa") is None else f"{summary['asa']:.1f} s"
    return (
        f"{summary['mode']}: {summary['offered']:.0f} calls offered, service level {pct(summary['service_level'])}, "
        f"ASA {asa}, abandoned {pct(summary['abandon_rate'])}, occupancy {pct(summary['occupancy'])} "
        f"({summary['replications']} replications, seed {summary['seed']})"
    )


# --------------------------------------------------------------------------- simulate


def simulate(
    volume_frame: pd.DataFrame,
    staffing,
    *,
    interval_minutes: int,
    answer_within: float = 20.0,
    aht: float | None = None,
    handle_sample=None,
    patience: float | None = None,
    patience_sample=None,
    replications: int = 10,
    seed: int = 0,
    agents_column: str = "agents",
    scale_handle_sample: bool = False,
) -> SimulationResult:
    """Simulate a staffing plan against a volume forecast and report KPIs with 95% CIs.

    Parameters
    ----------
    volume_frame : DataFrame
        Long table: ``ds`` (interval start, local time), ``y`` or ``y_hat`` (expected
        calls offered in the interval), optional ``aht`` (seconds) and ``queue``.
        Intervals missing between rows (nights) have no calls and no agents.
    staffing : DataFrame or array-like
        A table with ``ds``, ``agents_column`` (and ``queue`` when there are several
        queues), or an array of agents aligned with the rows of ``volume_frame``
        sorted by ``queue, ds``.
    interval_minutes : int
        Interval length in minutes.
    answer_within : float
        Service-level target time in seconds.
    aht : float, optional
        Average handle time in seconds for exponential handle times; the frame's
        ``aht`` column (per interval) is used when present and this is omitted.
    handle_sample : array-like, optional
        Empirical handle times (seconds), drawn with replacement instead of the
        exponential; the interval AHT is then ignored unless ``scale_handle_sample``.
    patience : float, optional
        Mean patience in seconds (exponential). Omit both ``patience`` and
        ``patience_sample`` for no abandonment (Erlang C behaviour).
    patience_sample : array-like, optional
        Empirical patience times (seconds), drawn with replacement; ``inf`` entries are
        callers who never hang up (e.g. the censored tail of a survival estimate).
    replications : int
        Independent runs (>= 1); CIs need at least 2.
    seed : int
        Seed of the ``SeedSequence`` that spawns one stream per replication.
    agents_column : str
        Column of the staffing table with the inbound agents per interval.
    scale_handle_sample : bool
        Keep the sample's shape but rescale it to each interval's AHT (``aht`` or the
        ``aht`` column): a draw ``h`` becomes ``h / mean(sample) * aht``. For a forecast
        whose AHT varies by interval with a handle-time shape learned from call logs.

    Returns
    -------
    SimulationResult
    """
    frame, _ = _prepare_volumes(volume_frame)
    from wfm.data import check_interval_minutes

    interval_minutes = check_interval_minutes(interval_minutes, "interval_minutes")
    L = interval_minutes * 60.0
    answer_within = _check_positive(answer_within, "answer_within", allow_zero=True)
    handle_values = None
    if handle_sample is not None:
        handle_values = _check_sample(handle_sample, "handle_sample", allow_zero=False)
        if aht is not None and not scale_handle_sample:
            raise InputError(
                "aht: an aht is ignored with a handle_sample; pass scale_handle_sample=True to rescale the "
                "sample to it, or leave aht out."
            )
    aht_rows = None
    if handle_values is None or scale_handle_sample:
        if aht is not None:
            aht_rows = np.full(len(frame), _check_positive(aht, "aht"))
        elif "aht" in frame.columns:
            aht_rows = pd.to_numeric(frame["aht"], errors="coerce").to_numpy(dtype=float)
            bad = ~np.isfinite(aht_rows) | (aht_rows <= 0)
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                raise InputError(f"volumes: row {i + 1}, column 'aht' is '{frame['aht'].iloc[i]}', expected seconds > 0.")
        elif handle_values is not None:
            raise InputError("scale_handle_sample: no AHT to scale to; pass aht (seconds) or an 'aht' column.")
        else:
            raise InputError("aht: no handle time given; pass aht (seconds), an 'aht' column or a handle_sample.")
    if patience is not None and patience_sample is not None:
        raise InputError("patience: give either a mean patience or a patience_sample, not both.")
    patience_mean = _check_positive(patience, "patience") if patience is not None else None
    patience_values = (
        None if patience_sample is None
        else _check_sample(patience_sample, "patience_sample", allow_zero=True, allow_inf=True)
    )
    if isinstance(replications, bool) or not isinstance(replications, (int, np.integer)) or replications < 1:
        raise InputError(f"replications: {replications!r} is not valid, expected a whole number >= 1.")
    seed_seq = _seed_sequence(seed)

    queues = list(dict.fromkeys(frame["queue"]))
    multi = len(queues) > 1
    streams = seed_seq.spawn(len(queues))
    grids, reps_frames = [], []
    for q_index, queue in enumerate(queues):
        rows = frame.index[frame["queue"] == queue].to_numpy()
        qf = frame.loc[rows].reset_index(drop=True)
        agents_rows = _staffing_for(qf, staffing, agents_column, queue, multi)
        limits.check_simulated_calls(float(qf["volume"].sum()), f"volumes: queue '{queue}'" if multi else "volumes")
        pos = _grid_positions(qf["ds"], L, "volumes")
        n_int = int(pos.max()) + 1
        volume = np.zeros(n_int)
        volume[pos] = qf["volume"].to_numpy()
        agents = np.zeros(n_int, dtype=np.int64)
        agents[pos] = agents_rows
        aht_grid = None
        if aht_rows is not None:
            aht_grid = np.ones(n_int)
            aht_grid[pos] = aht_rows[rows]
        totals = simulate_totals(
            volume, agents, interval_seconds=L, aht=aht_grid, handle_sample=handle_values,
            patience=patience_mean, patience_sample=patience_values, answer_within=answer_within,
            replications=replications, seed=streams[q_index], scale_handle_sample=scale_handle_sample,
        )[:, :, pos]
        reps_frames.append((totals, queue, qf["ds"]))
        grids.append(pd.DataFrame({"queue": queue, "ds": qf["ds"], "agents": agents_rows, "volume": qf["volume"]}))
    settings = {
        "mode": "simulation",
        "replications": int(replications),
        "seed": int(seed),
        "interval_minutes": interval_minutes,
        "answer_within": answer_within,
        "handle": (
            "exponential" if handle_values is None
            else "empirical sample scaled to the interval AHT" if scale_handle_sample else "empirical sample"
        ),
        "patience": (
            "none" if patience_mean is None and patience_values is None
            else "empirical sample" if patience_values is not None else f"exponential, mean {patience_mean:g} s"
        ),
    }
    return _result(reps_frames, pd.concat(grids, ignore_index=True), settings)


def _per_rep_frame(totals: np.ndarray, queue: str, ds: pd.Series) -> pd.DataFrame:
    reps, _, n = totals.shape
    columns = {"replication": np.repeat(np.arange(reps), n), "queue": queue, "ds": np.tile(ds.to_numpy(), reps)}
    columns.update({name: totals[:, j, :].ravel() for j, name in enumerate(SUM_COLUMNS)})
    return pd.DataFrame(columns)


def simulate_totals(
    volume: np.ndarray,
    agents: np.ndarray,
    *,
    interval_seconds: float,
    aht=None,
    handle_sample=None,
    patience: float | None = None,
    patience_sample=None,
    answer_within: float = 20.0,
    replications: int = 10,
    seed: int | np.random.SeedSequence = 0,
    scale_handle_sample: bool = False,
) -> np.ndarray:
    """Array-level simulation without tables: the fast path for sizing searches.

    Inputs are trusted (no validation); :func:`simulate` is the checked front door.

    Parameters
    ----------
    volume : array of float
        Expected calls offered per interval, on a gap-free grid from interval 0.
    agents : array of int
        Agents available for inbound calls per interval, same grid.
    interval_seconds : float
        Interval length in seconds.
    aht : float or array of float, optional
        Mean of the exponential handle time (seconds), scalar or per interval.
    handle_sample, patience_sample : array of float, optional
        Empirical samples drawn with replacement; ``handle_sample`` replaces the
        exponential (``aht`` is then unused unless ``scale_handle_sample``).
    patience : float, optional
        Mean of the exponential patience; no abandonment when both patience inputs are None.
    answer_within : float
        Service-level target time in seconds.
    replications : int
        Independent runs.
    seed : int or numpy.random.SeedSequence
        One child stream per replication is spawned from it.
    scale_handle_sample : bool
        Rescale the handle sample to each interval's ``aht`` (draw / sample mean x aht).

    Returns
    -------
    ndarray, shape (replications, len(SUM_COLUMNS), n_intervals)
        Per-replication totals by arrival interval, in the order of :data:`SUM_COLUMNS`;
        :func:`kpis_from_totals` turns them (or sums over any axis-2 grouping) into KPIs.
    """
    volume = np.asarray(volume, dtype=float)
    agents = np.asarray(agents)
    n_int = volume.size
    L = float(interval_seconds)
    seq = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(int(seed))
    aht_grid = None if aht is None else np.broadcast_to(np.asarray(aht, dtype=float), (n_int,))
    handle_values = None if handle_sample is None else np.asarray(handle_sample, dtype=float)
    patience_values = None if patience_sample is None else np.asarray(patience_sample, dtype=float)
    out = np.empty((replications, len(SUM_COLUMNS), n_int))
    for r, rep_seq in enumerate(seq.spawn(replications)):
        rng = np.random.default_rng(rep_seq)
        counts = rng.poisson(volume)
        k = np.repeat(np.arange(n_int), counts)
        arrival = np.sort((k + rng.random(k.size)) * L)
        k = np.minimum((arrival // L).astype(np.int64), n_int - 1)
        if handle_values is not None:
            handle = rng.choice(handle_values, size=k.size)
            if scale_handle_sample:
                handle *= aht_grid[k] / handle_values.mean()
        else:
            handle = rng.exponential(1.0, size=k.size) * aht_grid[k]
        if patience is not None:
            pat = rng.exponential(patience, size=k.size)
        elif patience_values is not None:
            pat = rng.choice(patience_values, size=k.size)
        else:
            pat = None
        outcomes = run_calls(arrival, handle, pat, agents, L)
        out[r] = _interval_sums(outcomes, arrival, handle, agents, L, answer_within)
    return out


def kpis_from_totals(totals: np.ndarray) -> dict[str, np.ndarray]:
    """KPI means and 95% CIs per column of totals shaped (replications, len(SUM_COLUMNS), groups).

    Parameters
    ----------
    totals : ndarray
        Totals shaped ``(replications, len(SUM_COLUMNS), groups)``.

    Returns
    -------
    dict of str to ndarray
        Per KPI its mean and CI bounds per group.
    """
    return _kpi_block(np.asarray(totals, dtype=float))


# --------------------------------------------------------------------------- replay


def replay(
    calls: pd.DataFrame,
    staffing: pd.DataFrame,
    *,
    interval_minutes: int,
    answer_within: float = 20.0,
    agents_column: str = "agents",
    patience: float | None = None,
    replications: int = 1,
    seed: int = 0,
) -> SimulationResult:
    """Replay real calls through a staffing plan and report the same KPIs as :func:`simulate`.

    Parameters
    ----------
    calls : DataFrame
        One row per call: ``arrival`` (timestamp, local time), ``handle`` (seconds an
        agent needs if the call is answered), and either ``patience`` (seconds the
        caller would wait; empty = would never hang up) or the observed outcome as
        ``outcome`` (``answered``/``abandoned``) or ``abandoned`` (true/false) plus
        ``wait`` (observed seconds in queue). From an observed outcome, an abandoned
        call's patience is its observed wait and an answered call's patience is
        unknown beyond its wait: it never hangs up, or, with ``patience`` (a mean in
        seconds), it waits its observed wait plus an exponential extra (memoryless).
        An abandoned call has no handle time; if the new staffing answers it, it gets
        a handle time drawn from the answered calls (seeded).
        Optional ``queue`` column: each queue is replayed against its own staffing.
    staffing : DataFrame
        ``ds``, ``agents_column`` (and ``queue`` with several queues): the intervals
        to report; every call must arrive inside them.
    interval_minutes : int
        Interval length in minutes.
    answer_within : float
        Service-level target time in seconds.
    agents_column : str
        Column of the staffing table with the inbound agents per interval.
    patience : float, optional
        Mean extra patience (seconds) of answered calls whose patience is unknown.
    replications : int
        Runs; only the random fill-ins above differ between runs (1 is exact when
        the trace has ``patience`` and every ``handle``).
    seed : int
        Seed for the fill-ins.

    Returns
    -------
    SimulationResult
    """
    from wfm.data import check_interval_minutes

    interval_minutes = check_interval_minutes(interval_minutes, "interval_minutes")
    L = interval_minutes * 60.0
    answer_within = _check_positive(answer_within, "answer_within", allow_zero=True)
    extra_mean = _check_positive(patience, "patience") if patience is not None else None
    if isinstance(replications, bool) or not isinstance(replications, (int, np.integer)) or replications < 1:
        raise InputError(f"replications: {replications!r} is not valid, expected a whole number >= 1.")
    calls = _prepare_calls(calls)
    if not isinstance(staffing, pd.DataFrame):
        raise InputError("staffing: trace replay needs a staffing table with columns ds and agents.")
    staff = staffing.copy()
    staff.columns = [str(c).strip() for c in staff.columns]
    if "ds" not in staff.columns:
        raise InputError("staffing: missing column 'ds'.")
    if "queue" not in staff.columns:
        staff["queue"] = DEFAULT_QUEUE
    staff["queue"] = staff["queue"].astype(str)
    staff = staff.reset_index(drop=True)
    staff["ds"] = _as_ds(staff["ds"], calls["arrival"], "staffing")
    staff = staff.sort_values(["queue", "ds"], kind="stable").reset_index(drop=True)
    queues = list(dict.fromkeys(calls["queue"]))
    multi = len(queues) > 1
    seed_seq = _seed_sequence(seed)
    grids, reps_frames = [], []
    for q_index, queue in enumerate(queues):
        qcalls = calls[calls["queue"] == queue].reset_index(drop=True)
        qstaff = staff[staff["queue"] == queue].reset_index(drop=True) if "queue" in staffing.columns else staff
        if qstaff.empty:
            raise InputError(f"staffing: no rows for queue '{queue}' of the calls.")
        if multi and "queue" not in staffing.columns:
            raise InputError("staffing: the calls have several queues, so the staffing needs a 'queue' column.")
        agents_rows = _staffing_for(qstaff[["ds"]], qstaff.drop(columns="queue"), agents_column, queue, False)
        pos = _grid_positions(qstaff["ds"], L, "staffing")
        n_int = int(pos.max()) + 1
        agents = np.zeros(n_int, dtype=np.int64)
        agents[pos] = agents_rows
        origin = qstaff["ds"].min()
        arrival = (_to_utc_ns(qcalls["arrival"]) - _to_utc_ns(pd.Series([origin]))[0]) / 1e9
        outside = (arrival < 0) | (arrival >= n_int * L)
        if outside.any():
            i = int(np.flatnonzero(outside)[0])
            raise InputError(
                f"calls: row {int(qcalls['row'].iloc[i])}, arrival '{qcalls['arrival'].iloc[i]}' is outside the "
                f"staffing horizon ({origin} to the end of {qstaff['ds'].max()})."
            )
        order = np.argsort(arrival, kind="stable")
        arrival = arrival[order]
        qcalls = qcalls.iloc[order].reset_index(drop=True)
        handle0 = qcalls["handle"].to_numpy(dtype=float)
        known_handle = np.isfinite(handle0) & (handle0 > 0)
        pool = handle0[known_handle & qcalls["answered_obs"].to_numpy(dtype=bool)]
        if not known_handle.all() and pool.size == 0:
            raise InputError(
                f"calls: queue '{queue}' has calls without a handle time and no answered call to draw one from."
            )
        pat0 = qcalls["patience"].to_numpy(dtype=float)
        unknown_pat = qcalls["patience_unknown"].to_numpy(dtype=bool)
        totals = []
        for rep_seq in seed_seq.spawn(len(queues))[q_index].spawn(replications):
            rng = np.random.default_rng(rep_seq)
            handle = handle0.copy()
            if not known_handle.all():
                handle[~known_handle] = rng.choice(pool, size=int((~known_handle).sum()))
            pat = pat0.copy()
            if extra_mean is not None and unknown_pat.any():
                pat[unknown_pat] = pat0[unknown_pat] + rng.exponential(extra_mean, size=int(unknown_pat.sum()))
            elif unknown_pat.any():
                pat[unknown_pat] = np.inf
            outcomes = run_calls(arrival, handle, pat, agents, L)
            totals.append(_interval_sums(outcomes, arrival, handle, agents, L, answer_within)[:, pos])
        reps_frames.append((np.stack(totals), queue, qstaff["ds"]))
        grids.append(pd.DataFrame({"queue": queue, "ds": qstaff["ds"], "agents": agents_rows}))
    settings = {
        "mode": "replay",
        "replications": int(replications),
        "seed": int(seed),
        "interval_minutes": interval_minutes,
        "answer_within": answer_within,
        "calls": int(len(calls)),
    }
    return _result(reps_frames, pd.concat(grids, ignore_index=True), settings)


def _to_utc_ns(ds: pd.Series) -> np.ndarray:
    ds = utc_clock(pd.Series(ds))
    return ds.astype("datetime64[ns]").astype("int64").to_numpy()


_TRUE = {"true", "1", "yes", "y", "abandoned"}
_FALSE = {"false", "0", "no", "n", "answered"}


def _prepare_calls(calls: pd.DataFrame) -> pd.DataFrame:
    """Validate a per-call table into arrival, handle, patience, patience_unknown, answered_obs."""
    if not isinstance(calls, pd.DataFrame):
        raise InputError("calls: expected a table with columns arrival, handle and patience (or outcome and wait).")
    frame = calls.copy()
    frame.columns = [str(c).strip() for c in frame.columns]
    if frame.empty:
        raise InputError("calls: the table has no rows.")
    for column in ("arrival", "handle"):
        if column not in frame.columns:
            raise InputError(
                f"calls: missing column '{column}'; found {', '.join(repr(c) for c in frame.columns)} "
                f"(expected arrival, handle and patience, or outcome and wait)."
            )
    frame = frame.reset_index(drop=True)
    frame["row"] = np.arange(1, len(frame) + 1)
    if "queue" not in frame.columns:
        frame["queue"] = DEFAULT_QUEUE
    frame["queue"] = frame["queue"].astype(str)
    frame["arrival"] = parse_timestamps(frame["arrival"], "calls", "arrival")
    has_outcome = "outcome" in frame.columns or "abandoned" in frame.columns
    if has_outcome:
        column = "outcome" if "outcome" in frame.columns else "abandoned"
        text = frame[column].astype(str).str.strip().str.lower()
        abandoned = text.isin(_TRUE)
        bad = ~(abandoned | text.isin(_FALSE))
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(
                f"calls: row {i + 1}, column '{column}' is '{frame[column].iloc[i]}', expected "
                f"{'answered or abandoned' if column == 'outcome' else 'true or false'}."
            )
    else:
        abandoned = pd.Series(False, index=frame.index)
    handle = pd.to_numeric(frame["handle"], errors="coerce").to_numpy(dtype=float)
    bad_handle = (~np.isnan(handle) & ((handle < 0) | ~np.isfinite(handle))) | (
        (np.isnan(handle) | (handle <= 0)) & ~abandoned.to_numpy()
    )
    if bad_handle.any():
        i = int(np.flatnonzero(bad_handle)[0])
        raise InputError(
            f"calls: row {i + 1}, column 'handle' is '{frame['handle'].iloc[i]}', expected seconds > 0 for a call "
            f"that was answered."
        )
    frame["handle"] = handle
    frame["answered_obs"] = ~abandoned.to_numpy()
    if "patience" in frame.columns:
        raw = frame["patience"]
        pat = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
        bad = (raw.notna() & np.isnan(pat)) | (pat < 0)
        if bad.any():
            i = int(np.flatnonzero(np.asarray(bad))[0])
            raise InputError(f"calls: row {i + 1}, column 'patience' is '{raw.iloc[i]}', expected seconds >= 0 or empty.")
        frame["patience"] = np.where(np.isnan(pat), np.inf, pat)
        frame["patience_unknown"] = False
    elif has_outcome:
        if "wait" not in frame.columns:
            raise InputError("calls: missing column 'wait' (seconds in queue), needed with an outcome column.")
        wait = pd.to_numeric(frame["wait"], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(wait) | (wait < 0)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InputError(f"calls: row {i + 1}, column 'wait' is '{frame['wait'].iloc[i]}', expected seconds >= 0.")
        frame["patience"] = wait
        frame["patience_unknown"] = frame["answered_obs"]
    else:
        raise InputError("calls: no column 'patience', nor 'outcome' (or 'abandoned') with 'wait'; give one of them.")
    return frame[["row", "queue", "arrival", "handle", "patience", "patience_unknown", "answered_obs"]]
