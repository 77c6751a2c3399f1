"""The engine: an FCFS queue with per-interval staffing, pushed through call by call.

An FCFS multi-server queue with abandonment can be simulated call by call, in
arrival order, without a general event calendar: a call starts at the first time
``t`` at or after its arrival (and after the previous call's decision time) at
which fewer than ``agents(t)`` calls are in service. A min-heap holds the end
times of calls in service. If that time comes later than ``arrival + patience``
the caller hangs up at ``arrival + patience`` and uses no agent. This is exact
for FCFS (a later caller can never be answered before an earlier one who is still
waiting) and costs O(log agents) per call; ``tests/test_simulate.py`` shows it
agrees with ciw and with the Erlang C / Erlang A closed forms.

:func:`run_calls` is the event loop on given per-call times; :func:`simulate_totals`
draws Poisson arrivals and a :class:`~wfm.simulate.behaviour.Behaviour`'s times and
runs it per replication; :func:`simulate` and :func:`replay` are the checked front
doors that take tables. The staffing rule and the KPI definitions are in
:mod:`wfm.simulate`.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wfm import limits
from wfm.data import DEFAULT_QUEUE
from wfm.errors import InputError
from wfm.simulate.behaviour import Behaviour, Exponential, as_behaviour
from wfm.simulate.inputs import (
    _as_ds,
    _check_positive,
    _check_replications,
    _grid_positions,
    _interval_aht,
    _prepare_calls,
    _prepare_volumes,
    _seed_sequence,
    _staffing_for,
    _to_utc_ns,
)
from wfm.simulate.kpis import SUM_COLUMNS, SimulationResult, _result

__all__ = ["CallOutcomes", "run_calls", "simulate_totals", "simulate", "replay"]


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




# --------------------------------------------------------------------------- simulate


def simulate_totals(
    volume: np.ndarray,
    agents: np.ndarray,
    *,
    interval_minutes: float,
    behaviour: Behaviour | None = None,
    interval_aht=None,
    answer_within: float = 20.0,
    replications: int = 10,
    seed: int | np.random.SeedSequence = 0,
) -> np.ndarray:
    """Array-level simulation without tables: the fast path for sizing searches.

    Inputs are trusted (no validation beyond the behaviour's own); :func:`simulate` is
    the checked front door.

    Parameters
    ----------
    volume : array of float
        Expected calls offered per interval, on a gap-free grid from interval 0.
    agents : array of int
        Agents available for inbound calls per interval, same grid.
    interval_minutes : float
        Interval length in minutes.
    behaviour : Behaviour, optional
        Handle-time and patience distributions (default: exponential handle times with
        ``interval_aht``, no abandonment).
    interval_aht : float or array of float, optional
        AHT in seconds per interval (or one for all), needed when the behaviour's handle
        times follow the interval AHT (``Exponential()``, ``Empirical(..., scale_to="aht")``).
    answer_within : float
        Service-level target time in seconds.
    replications : int
        Independent runs.
    seed : int or numpy.random.SeedSequence
        One child stream per replication is spawned from it.

    Returns
    -------
    ndarray, shape (replications, len(SUM_COLUMNS), n_intervals)
        Per-replication totals by arrival interval, in the order of :data:`SUM_COLUMNS`;
        :func:`kpis_from_totals` turns them (or sums over any axis-2 grouping) into KPIs.
    """
    behaviour = as_behaviour(behaviour)
    volume = np.asarray(volume, dtype=float)
    agents = np.asarray(agents)
    n_int = volume.size
    L = float(interval_minutes) * 60.0
    seq = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(int(seed))
    aht_grid = None
    if behaviour.needs_interval_aht:
        if interval_aht is None:
            raise InputError("interval_aht: the behaviour's handle times follow the interval AHT; give it in seconds.")
        aht_grid = np.broadcast_to(np.asarray(interval_aht, dtype=float), (n_int,))
    out = np.empty((replications, len(SUM_COLUMNS), n_int))
    for r, rep_seq in enumerate(seq.spawn(replications)):
        rng = np.random.default_rng(rep_seq)
        counts = rng.poisson(volume)
        k = np.repeat(np.arange(n_int), counts)
        arrival = np.sort((k + rng.random(k.size)) * L)
        k = np.minimum((arrival // L).astype(np.int64), n_int - 1)
        handle, patience = behaviour.draw(rng, k, aht_grid)
        outcomes = run_calls(arrival, handle, patience, agents, L)
        out[r] = _interval_sums(outcomes, arrival, handle, agents, L, answer_within)
    return out


def simulate(
    volume_frame: pd.DataFrame,
    staffing,
    *,
    interval_minutes: int,
    answer_within: float = 20.0,
    behaviour: Behaviour | None = None,
    replications: int = 10,
    seed: int = 0,
    agents_column: str = "agents",
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
    behaviour : Behaviour, optional
        Handle-time and patience distributions (:mod:`wfm.simulate.behaviour`). The
        default, ``Behaviour()``, draws exponential handle times with the frame's
        ``aht`` column and has no abandonment (Erlang C behaviour).
    replications : int
        Independent runs (>= 1); CIs need at least 2.
    seed : int
        Seed of the ``SeedSequence`` that spawns one stream per queue, and from it one
        per replication.
    agents_column : str
        Column of the staffing table with the inbound agents per interval.

    Returns
    -------
    SimulationResult
        With ``notes`` saying what was assumed about callers and closed intervals.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> volumes = pd.DataFrame({"ds": pd.date_range("2024-04-01 09:00", periods=4, freq="15min"), "y": 40.0})
    >>> result = simulate(volumes, np.full(4, 12), interval_minutes=15, replications=2,
    ...                   behaviour=Behaviour(handle=Exponential(240), patience=Exponential(120)))
    >>> result.summary["offered"] > 0, result.notes[1]
    (True, 'Patience is exponential with mean 120 s, as Erlang A assumes.')
    """
    frame, _ = _prepare_volumes(volume_frame)
    from wfm.data import check_interval_minutes

    interval_minutes = check_interval_minutes(interval_minutes, "interval_minutes")
    L = interval_minutes * 60.0
    answer_within = _check_positive(answer_within, "answer_within", allow_zero=True)
    behaviour = as_behaviour(behaviour)
    aht_rows = _interval_aht(frame, behaviour)
    _check_replications(replications)
    seed_seq = _seed_sequence(seed)

    queues = list(dict.fromkeys(frame["queue"]))
    multi = len(queues) > 1
    streams = seed_seq.spawn(len(queues))
    grids, reps_frames = [], []
    notes = behaviour.notes()
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
            volume, agents, interval_minutes=interval_minutes, behaviour=behaviour, interval_aht=aht_grid,
            answer_within=answer_within, replications=replications, seed=streams[q_index],
        )[:, :, pos]
        reps_frames.append((totals, queue, qf["ds"]))
        grids.append(pd.DataFrame({"queue": queue, "ds": qf["ds"], "agents": agents_rows, "volume": qf["volume"]}))
        notes.extend(_staffing_notes(queue if multi else None, n_int - pos.size,
                                     int(((agents_rows == 0) & (qf["volume"].to_numpy() > 0)).sum())))
    if replications == 1:
        notes.append("One replication: the KPIs have no confidence intervals (run 2 or more for them).")
    settings = {
        "mode": "simulation",
        "replications": int(replications),
        "seed": int(seed),
        "interval_minutes": interval_minutes,
        "answer_within": answer_within,
        **behaviour.summary_words(),
    }
    return _result(reps_frames, pd.concat(grids, ignore_index=True), settings, notes)


def _staffing_notes(queue: str | None, gaps: int, unstaffed: int) -> list[str]:
    """What the simulation assumed where the plan has no agents or no rows."""
    where = f"queue '{queue}': " if queue is not None else ""
    notes = []
    if gaps:
        notes.append(f"{where}{gaps} intervals missing between rows (e.g. nights) are simulated closed: no calls, "
                     f"no agents.")
    if unstaffed:
        notes.append(f"{where}{unstaffed} intervals with forecast calls have no agents; their callers wait for the "
                     f"next opening or hang up.")
    return notes


# --------------------------------------------------------------------------- replay


def replay(
    calls: pd.DataFrame,
    staffing: pd.DataFrame,
    *,
    interval_minutes: int,
    answer_within: float = 20.0,
    agents_column: str = "agents",
    behaviour: Behaviour | None = None,
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
        unknown beyond its wait: it never hangs up, or, with an exponential patience
        in ``behaviour``, it waits its observed wait plus an exponential extra
        (memoryless). An abandoned call has no handle time; if the new staffing
        answers it, it gets a handle time drawn from the answered calls (seeded).
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
    behaviour : Behaviour, optional
        Only its patience is read: ``None`` (default) or ``Exponential(mean)``, the extra
        patience of answered calls whose patience is unknown. Handle times come from
        the calls, so its handle must stay the default.
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
    behaviour = as_behaviour(behaviour)
    if behaviour.handle != Exponential():
        raise InputError(
            f"behaviour: replay takes handle times from the calls, so handle={behaviour.handle!r} is not used; "
            f"leave it out."
        )
    if behaviour.patience is not None and not isinstance(behaviour.patience, Exponential):
        raise InputError(
            "behaviour: replay's patience is the exponential extra wait of answered calls whose patience is "
            "unknown, so give Exponential(mean) or None."
        )
    extra_mean = behaviour.patience.mean if behaviour.patience is not None else None
    _check_replications(replications)
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
    drawn_handles = unknown_patience = 0
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
        drawn_handles += int((~known_handle).sum())
        unknown_patience += int(unknown_pat.sum())
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
    notes = []
    if drawn_handles:
        notes.append(f"{drawn_handles} calls without a handle time (abandoned in the trace) take one drawn from the "
                     f"queue's answered calls when this staffing answers them.")
    if unknown_patience:
        notes.append(
            f"{unknown_patience} answered calls' patience is known only up to their wait; they then "
            + ("never hang up." if extra_mean is None else f"wait an exponential extra, mean {extra_mean:g} s.")
        )
    settings = {
        "mode": "replay",
        "replications": int(replications),
        "seed": int(seed),
        "interval_minutes": interval_minutes,
        "answer_within": answer_within,
        "calls": int(len(calls)),
    }
    return _result(reps_frames, pd.concat(grids, ignore_index=True), settings, notes)
