"""Service goals over a day or a week: the service-level curve of each interval.

A planner's service goal is usually "80% of the *day's* calls answered within 20 s",
not "80% in every interval". Holding every interval to the target on its own, with
whole agents, lands small intervals well above it, and whole shifts then add more;
the day ends far above the goal at a cost nobody asked for.

This module gives the scheduler what it needs to staff against the goal itself
(Koole & van der Sluis, 2003, "Optimal shift scheduling with a global service level
constraint"): for each interval, the expected calls answered within the target with
``h`` scheduled heads, from a floor (the occupancy cap and the optional
``interval_floor``) up to a top where extra heads add almost nothing. The curve is
concave above the floor, so the scheduler can hold Σ calls × SL(heads) ≥ goal ×
Σ calls per day (or week) with one linear increment per extra head.

Heads lose the queue's shrinkage as the verification does: ``h`` heads put
``floor(h × (1 − shrinkage))`` agents on the phones.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from wfm import erlang

SCOPES = ("interval", "day", "week")
TOP_SERVICE_LEVEL = 0.995  # the curve stops where one more head adds almost nothing
MAX_STEPS = 80  # at most this many heads between an interval's floor and its top
# A period is judged on simulation only once its simulated value is known this closely
# (standard error over replications): at a small centre one simulated day's service level
# spreads by 3-4 points, so 10 replications leave each day +-1 point of noise, and rounds
# that tighten and ease days by such amounts chase that noise instead of the plan.
STANDARD_ERROR = 0.004  # service level (0.4 point); an ASA goal: this share of the goal
MAX_REPLICATIONS = 80
MAX_REPLICATED_CALLS = 4_000_000  # calls simulated over all replications of one queue
ON_GOAL = 0.005  # a period simulated this close to its goal (either side) is on goal: 1.25 standard errors


@dataclass(frozen=True)
class ServiceGoal:
    """A queue's goal over a scope (a day or a week of the horizon).

    Either ``service_level`` of the scope's calls answered within ``answer_within``,
    or, with ``asa``, a call-weighted mean wait of at most ``asa`` seconds.
    """

    queue: str
    scope: str  # "day" or "week"
    service_level: float | None
    answer_within: float
    interval_floor: float | None = None
    asa: float | None = None
    tighten: dict = field(default_factory=dict)  # period label -> how much more is asked (after simulation)

    @property
    def measure(self) -> str:
        """What the goal is on.

        Returns
        -------
        str
            ``"asa"`` or ``"service_level"``.
        """
        return "asa" if self.asa is not None else "service_level"

    def target(self, label: str) -> float:
        """The goal asked of one period: the goal itself, tightened (or eased) by the rounds.

        Parameters
        ----------
        label : str
            The period (see :func:`period_label`).

        Returns
        -------
        float
            Service level (share) or ASA (seconds) asked of the period.
        """
        if self.asa is not None:
            return max(1.0, self.asa - self.tighten.get(label, 0.0))
        return float(np.clip(self.service_level + self.tighten.get(label, 0.0), 0.0, 0.999))

    def required(self, calls: float, label: str) -> float:
        """The period's credit the curves must reach: calls in time, or minus the seconds waited.

        Parameters
        ----------
        calls : float
            The period's calls.
        label : str
            The period.

        Returns
        -------
        float
            Calls answered in time, or minus the seconds all calls may wait.
        """
        return -self.target(label) * calls if self.asa is not None else self.target(label) * calls

    def miss(self, value: float) -> float:
        """How far a period's simulated value falls short of the goal (negative: better than asked).

        Parameters
        ----------
        value : float
            The period's simulated service level or ASA.

        Returns
        -------
        float
            Shortfall in the goal's unit.
        """
        return value - self.asa if self.asa is not None else self.service_level - value

    def _in_goal_units(self, share: float) -> float:
        """A margin: a share of service level, or the same share of the ASA goal's seconds."""
        return share * self.asa if self.asa is not None else share

    @property
    def tolerance(self) -> float:  # this close to the goal, either side, counts as on goal
        """How close to the goal, on either side, a period's simulated value counts as on goal.

        The rounds aim each period at the goal itself, not above it: a plan whose every
        day is held at or above the goal delivers more than asked on average (each day
        lands somewhere in the step one more shift makes). The band is the simulation's
        own precision (:data:`ON_GOAL`, a little over its standard error), so a period
        inside it is not moved on noise.

        Returns
        -------
        float
            0.005 (half a point) of service level, or 0.5% of the ASA goal in seconds.
        """
        return self._in_goal_units(ON_GOAL)

    @property
    def reach(self) -> float:
        """How far the rounds may move one period's asked goal from the goal, either way.

        Returns
        -------
        float
            0.1 (10 points) of service level, or half the ASA goal's seconds (a
            period's mean wait answers far more to the queue carried over).
        """
        return 0.5 * self.asa if self.asa is not None else 0.1


@dataclass
class GoalCurves:
    """What the scheduler needs for the goal queues: their curves and their goals."""

    table: pd.DataFrame  # service_curves() of every goal queue, stacked
    goals: dict  # queue -> ServiceGoal


def _productive(heads: np.ndarray, shrinkage: float) -> np.ndarray:
    return np.floor(heads * (1.0 - shrinkage) + 1e-9)


def _on_phones(heads, calls, load, aht, shrinkage: float) -> tuple[np.ndarray, ...]:
    """Productive agents from ``heads``, and calls, load and AHT broadcast to their shape."""
    n = _productive(np.asarray(heads, dtype=float), shrinkage)
    return (n, *(np.broadcast_to(np.asarray(x, dtype=float), n.shape) for x in (calls, load, aht)))


def answered_within(heads, calls, load, aht, *, shrinkage: float, answer_within: float,
                    model: str, patience: float | None) -> np.ndarray:
    """Expected calls answered within ``answer_within`` by ``heads`` scheduled heads (vectorised).

    Parameters
    ----------
    heads : array_like
        Scheduled heads per interval (before shrinkage).
    calls : array_like
        Calls offered per interval.
    load : array_like
        Offered load in Erlangs.
    aht : array_like
        Average handle time, seconds.
    shrinkage : float
        Share of heads not on the phones.
    answer_within : float
        Target answer time, seconds.
    model : str
        ``"erlang-c"`` or ``"erlang-a"``.
    patience : float, optional
        Mean patience in seconds (Erlang A).

    Returns
    -------
    ndarray
        Calls answered in time per interval.
    """
    n, calls, load, aht = _on_phones(heads, calls, load, aht, shrinkage)
    sl = np.zeros(n.shape)
    live = (n > 0) & (load > 0)
    if model == "erlang-a" and patience:
        sl[live] = erlang.erlang_a(n[live], load[live], aht[live], patience, answer_within).service_level
    else:
        stable = live & (n > load)
        sl[stable] = erlang.service_level(n[stable], load[stable], aht[stable], answer_within)
    sl = np.where(load > 0, np.clip(np.nan_to_num(sl), 0.0, 1.0), 1.0)
    return calls * sl


def waited(heads, calls, load, aht, *, shrinkage: float, model: str, patience: float | None) -> np.ndarray:
    """Expected seconds all the calls wait in total with ``heads`` scheduled heads (vectorised).

    Erlang C's mean wait of all calls; Erlang A's mean wait of answered calls, times the
    calls (the goal is a call-weighted mean). Heads at or under an Erlang C load wait
    without end: the curve's floor keeps the plan above that.

    Parameters
    ----------
    heads : array_like
        Heads scheduled per interval; after shrinkage, rounded down to whole agents.
    calls : array_like
        Calls offered per interval, the weight of each interval's mean wait.
    load : array_like
        Erlangs per interval; an interval without load waits 0 s.
    aht : array_like
        Handle time per call in seconds.
    shrinkage : float
        Fraction in [0, 1) of scheduled heads away from the phones.
    model : str
        ``"erlang-a"`` (with ``patience``) waits by the answered calls; anything
        else is Erlang C, whose unstable intervals count 1e6 s a call.
    patience : float, optional
        Erlang A's mean seconds before a caller hangs up; also the wait of a
        caller who meets no agent at all.

    Returns
    -------
    ndarray
        Total seconds waited per interval (infinite where Erlang C has no steady state).
    """
    n, calls, load, aht = _on_phones(heads, calls, load, aht, shrinkage)
    wait = np.zeros(n.shape)
    live = load > 0
    if model == "erlang-a" and patience:
        ok = live & (n > 0)
        wait[ok] = erlang.erlang_a(n[ok], load[ok], aht[ok], patience, 0.0).asa
        wait[live & (n <= 0)] = patience
    else:
        stable = live & (n > load)
        wait[stable] = erlang.asa(n[stable], load[stable], aht[stable])
        wait[live & ~stable] = 1e6  # unstable: no finite wait
    return calls * np.nan_to_num(wait, nan=1e6, posinf=1e6)


def service_curves(sized: pd.DataFrame, goal: ServiceGoal, *, interval_minutes: int, max_occupancy: float,
                   shrinkage: float, model: str, patience: float | None) -> pd.DataFrame:
    """The service-level curve of every interval with calls: one row per interval and head count.

    Parameters
    ----------
    sized : DataFrame
        ``queue, ds, y, aht, scheduled`` (the output of the interval sizing).
    goal : ServiceGoal
    interval_minutes, max_occupancy, shrinkage, model, patience
        As the queue's sizing uses them.

    Returns
    -------
    DataFrame
        ``queue, ds, heads, calls, aht, credit``: ``credit`` is the expected calls
        answered within the target with ``heads`` heads (for an ASA goal: minus the
        expected seconds all its calls wait); the first row of each interval is its floor (the fewest heads the occupancy cap and the interval
        floor allow, and at most :data:`MAX_STEPS` below the top), the last its top (the heads
        for 99.5% or the interval requirement, whichever is more).
    """
    rows = sized[sized["y"] > 0].reset_index(drop=True)
    if rows.empty:
        return pd.DataFrame(columns=["queue", "ds", "heads", "calls", "aht", "credit"])
    calls = rows["y"].to_numpy(dtype=float)
    aht = rows["aht"].to_numpy(dtype=float)
    load = erlang.offered_load(calls, aht, interval_minutes)
    erlang_a = model == "erlang-a" and bool(patience)
    kind = "erlang-a" if erlang_a else "erlang-c"
    floor_target = erlang.ServiceTarget(
        service_level=goal.interval_floor if goal.interval_floor else 1e-6, answer_within=goal.answer_within,
        max_occupancy=max_occupancy, model=kind, patience=patience if erlang_a else None)
    floor = erlang.scheduled_agents(erlang.required_agents(load, aht, floor_target), shrinkage)
    top_target = erlang.ServiceTarget(
        service_level=max(TOP_SERVICE_LEVEL, goal.service_level or 0.0), answer_within=goal.answer_within,
        max_occupancy=max_occupancy, model=kind, patience=patience if erlang_a else None)
    top = erlang.scheduled_agents(erlang.required_agents(load, aht, top_target), shrinkage)
    # The interval plan must stay inside the curve: never stop below the interval requirement.
    top = np.maximum(np.maximum(top, rows["scheduled"].to_numpy(dtype=np.int64)), floor)
    # A long curve keeps its top and starts MAX_STEPS heads below it. Erlang A without a
    # binding occupancy cap floors a 200-Erlang interval at a handful of heads; cutting
    # such a curve at floor + MAX_STEPS stopped it far below the requirement (6% answered
    # in time at the top), so no plan could reach the goal. MAX_STEPS heads below the
    # 99.5% head count such an interval still answers about half its calls in time, and
    # each head there buys far more service than anywhere a goal plan stops.
    floor = np.maximum(floor, top - MAX_STEPS)
    steps = (top - floor + 1).astype(np.int64)
    which = np.repeat(np.arange(len(rows)), steps)
    heads = floor[which] + (np.arange(steps.sum()) - np.repeat(np.cumsum(steps) - steps, steps))
    if goal.asa is not None:
        credit = -waited(heads, calls[which], load[which], aht[which], shrinkage=shrinkage, model=kind, patience=patience)
    else:
        credit = answered_within(heads, calls[which], load[which], aht[which], shrinkage=shrinkage,
                                 answer_within=goal.answer_within, model=kind, patience=patience)
    return pd.DataFrame({
        "queue": rows["queue"].to_numpy()[which],
        "ds": rows["ds"].to_numpy()[which],
        "heads": heads.astype(np.int64),
        "calls": calls[which],
        "aht": aht[which],
        "credit": credit,
    })


def fractional_agents(load, aht, *, service_level: float | None, answer_within: float, asa: float | None,
                      max_occupancy: float, patience: float | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Agents each interval needs for its target: fractional, whole, and whole with the occupancy cap.

    The fractional count interpolates the service level linearly between the last
    whole count that misses the target and the first that meets it (an ASA target
    gets no interpolation): what a centre could staff if agents came in fractions.

    Parameters
    ----------
    load : array_like
        Offered load in Erlangs per interval.
    aht : array_like
        Average handle time, seconds.
    service_level : float, optional
        Service-level target.
    answer_within : float
        Target answer time, seconds.
    asa : float, optional
        ASA target, seconds, instead of the service level.
    max_occupancy : float
        Occupancy cap.
    patience : float, optional
        Mean patience in seconds (Erlang A when given).

    Returns
    -------
    fractional, whole, capped : ndarray
        Agents per interval.
    """
    load = np.asarray(load, dtype=float)
    aht = np.asarray(aht, dtype=float)
    model = "erlang-a" if patience else "erlang-c"
    options = dict(service_level=service_level, answer_within=answer_within, asa=asa, model=model,
                   patience=patience if patience else None)
    whole = erlang.required_agents(load, aht, erlang.ServiceTarget(max_occupancy=1.0, **options)).astype(float)
    capped = erlang.required_agents(load, aht, erlang.ServiceTarget(max_occupancy=max_occupancy, **options)).astype(float)
    frac = whole.copy()
    if asa is None and len(load):
        def sl(n):
            return answered_within(n, 1.0, load, aht, shrinkage=0.0, answer_within=answer_within,
                                   model=model, patience=patience)
        below, at = sl(np.maximum(whole - 1, 0)), sl(whole)
        step = np.where(at - below > 1e-12, (service_level - below) / np.maximum(at - below, 1e-12), 1.0)
        frac = np.where(whole > 0, whole - 1 + np.clip(step, 0.0, 1.0), 0.0)
        if model == "erlang-c":
            frac = np.maximum(frac, np.where(whole > 0, load, 0.0))  # Erlang C never runs below the load
    return frac, whole, capped


def concave_gains(answered: np.ndarray) -> np.ndarray:
    """Per-head gains of the smallest concave curve above ``answered`` (its upper hull).

    ``answered[k]`` is the curve at ``floor + k`` heads. Shrinkage makes the true curve a
    staircase (some extra heads add no agent on the phones); the hull spreads each step
    over the heads that make it, so the gains never rise and one linear increment per
    head is exact at the hull's corners. The verification reports the true curve.

    Parameters
    ----------
    answered : ndarray
        The curve from the floor up, one value per head count.

    Returns
    -------
    ndarray
        ``len(answered) - 1`` gains, never rising.

    Examples
    --------
    >>> import numpy as np
    >>> concave_gains(np.array([0.0, 5.0, 6.0, 10.0, 11.0])).tolist()
    [5.0, 2.5, 2.5, 1.0]
    """
    y = np.asarray(answered, dtype=float)
    if len(y) < 2:
        return np.zeros(0)
    hull = [0]
    for k in range(1, len(y)):
        while len(hull) >= 2:
            i, j = hull[-2], hull[-1]
            # j lies on or below the chord from i to k: not a corner of the upper hull.
            if (y[j] - y[i]) * (k - i) <= (y[k] - y[i]) * (j - i):
                hull.pop()
            else:
                break
        hull.append(k)
    gains = np.zeros(len(y) - 1)
    for i, j in zip(hull[:-1], hull[1:], strict=False):
        gains[i:j] = (y[j] - y[i]) / (j - i)
    return np.maximum(gains, 0.0)


def period_label(period: int, scope: str, start) -> str:
    """A scope period by its first date: the day, or the Monday... of the horizon's week.

    Parameters
    ----------
    period : int
        Index from :func:`period_of`, 0 for the horizon's first day or week.
    scope : str
        ``"week"`` counts periods in steps of 7 days; anything else, ``"day"``, in days.
    start : date or str
        First day of the horizon, which is also the first day of week 0.

    Returns
    -------
    str
        The period's first date, ``YYYY-MM-DD``.
    """
    return str((pd.Timestamp(start) + pd.Timedelta(days=int(period) * (7 if scope == "week" else 1))).date())


def period_of(ds: pd.Series, scope: str, start) -> np.ndarray:
    """The scope period of each interval: its day (0, 1, ...) or its week of the horizon.

    Parameters
    ----------
    ds : Series
        Interval starts.
    scope : str
        ``"day"`` or ``"week"``.
    start : date
        First day of the horizon.

    Returns
    -------
    ndarray of int
        Period index per interval.
    """
    days = (pd.to_datetime(ds).dt.normalize() - pd.Timestamp(start)).dt.days.to_numpy()
    return days // 7 if scope == "week" else days


def goal_report(frame: pd.DataFrame, goal: ServiceGoal, start, replications: pd.DataFrame | None = None) -> list[dict]:
    """Planned and simulated service level (or ASA) per scope period.

    ``frame`` has ``ds``, ``offered`` (calls), ``planned`` (the Erlang service level or
    ASA of the scheduled staffing) and ``simulated`` (the simulated one) per interval.
    The planned value is call-weighted over the period. The simulated one, given the
    simulation's ``replications`` totals, is each replication's own period total (calls
    answered in time over calls offered, or seconds waited over calls answered) averaged
    over replications, as a replayed day is measured: the call-weighted mean of interval
    means over-states it, because the busy replications of an interval, where service is
    worst, weigh no more than the quiet ones.

    Parameters
    ----------
    frame : DataFrame
        Per interval, as above.
    goal : ServiceGoal
        The queue's goal.
    start : date
        First day of the horizon.
    replications : DataFrame, optional
        ``replication, ds, offered, answered, answered_within, wait_answered_seconds``
        per replication and interval (:attr:`wfm.simulate.SimulationResult.per_replication`,
        ``ds`` in wall-clock time); without it the simulated value is call-weighted too.

    Returns
    -------
    list of dict
        Per period: ``period`` (its label), ``calls``, ``planned_<measure>``,
        ``simulated_<measure>`` and ``met``.
    """
    f = frame.assign(period=period_of(frame["ds"], goal.scope, start))
    pooled = None if replications is None else _pooled_by_period(replications, goal, start)
    out = []
    for period, part in f.groupby("period", sort=True):
        calls = float(part["offered"].sum())
        label = period_label(period, goal.scope, start)
        row = {"period": label, "calls": round(calls, 3)}
        for key in ("planned", "simulated"):
            values = part[key].to_numpy(dtype=float)
            weights = part["offered"].to_numpy(dtype=float)
            ok = np.isfinite(values) & (weights > 0)
            row[f"{key}_{goal.measure}"] = (
                round(float((weights[ok] * values[ok]).sum() / weights[ok].sum()), 6) if ok.any() else None)
        if pooled is not None:
            value = pooled.get(period)
            row[f"simulated_{goal.measure}"] = None if value is None or not np.isfinite(value) else round(float(value), 6)
        simulated = row[f"simulated_{goal.measure}"]
        row["met"] = None if simulated is None else bool(goal.miss(simulated) <= goal.tolerance)
        out.append(row)
    return out


def _pooled_by_period(replications: pd.DataFrame, goal: ServiceGoal, start) -> pd.Series:
    """Each replication's period total as a ratio, averaged over the replications that had calls."""
    return period_totals(replications, goal, start).groupby(level="period").mean()


def period_totals(replications: pd.DataFrame, goal: ServiceGoal, start) -> pd.Series:
    """Each replication's own service level (or ASA) of each period.

    Parameters
    ----------
    replications : DataFrame
        ``replication, ds, offered, answered, answered_within, wait_answered_seconds``
        per replication and interval, ``ds`` in wall-clock time.
    goal : ServiceGoal
        The queue's goal (its scope and measure).
    start : date
        First day of the horizon.

    Returns
    -------
    Series
        Indexed by ``period, replication``; NaN where a replication had no calls (no
        answered calls, for ASA) in the period.
    """
    totals = replications.assign(period=period_of(replications["ds"], goal.scope, start)).groupby(
        ["period", "replication"])[["offered", "answered", "answered_within", "wait_answered_seconds"]].sum()
    top, bottom = (("wait_answered_seconds", "answered") if goal.asa is not None else ("answered_within", "offered"))
    return totals[top] / totals[bottom].where(totals[bottom] > 0)


def replications_needed(replications: pd.DataFrame, goal: ServiceGoal, start, calls: float) -> int:
    """Replications that bring every period's simulated value to :data:`STANDARD_ERROR`.

    The spread over the replications run so far says how many a standard error of
    ``STANDARD_ERROR`` needs (it falls with the square root of their number), never
    fewer than were run, at most :data:`MAX_REPLICATIONS` nor more than
    :data:`MAX_REPLICATED_CALLS` calls in all.

    Parameters
    ----------
    replications : DataFrame
        The simulation's totals per replication and interval (see :func:`period_totals`).
    goal : ServiceGoal
        The queue's goal.
    start : date
        First day of the horizon.
    calls : float
        Calls one replication simulates.

    Returns
    -------
    int
        Replications to run.

    Examples
    --------
    >>> import pandas as pd
    >>> day = pd.Timestamp("2024-03-25 09:00")
    >>> reps = pd.DataFrame({"replication": range(4), "ds": day, "offered": 100, "answered": 100,
    ...                      "answered_within": [78, 82, 79, 81], "wait_answered_seconds": 0.0})
    >>> replications_needed(reps, ServiceGoal("q", "day", 0.8, 20.0), "2024-03-25", calls=100)
    21
    """
    ran = int(replications["replication"].nunique())
    spread = period_totals(replications, goal, start).groupby(level="period").std(ddof=1).max()
    wanted = STANDARD_ERROR * (goal.asa if goal.asa is not None else 1.0)
    if ran < 2 or not np.isfinite(spread) or spread <= 0:
        return ran
    need = int(np.ceil((spread / wanted) ** 2))
    afford = int(MAX_REPLICATED_CALLS // max(calls, 1.0))
    return max(ran, min(need, MAX_REPLICATIONS, afford))
