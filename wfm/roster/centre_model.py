"""The contact centre's roster as a CP-SAT model, one helper per rule, and its solve.

Decision: ``x[a, d, s]``, agent ``a`` works shift code ``s`` starting on day ``d``
(only where availability, time off, group and allowed shifts let them). Hard rules:
one shift a day, rest between shifts, maximum hours per week and horizon, maximum
shifts, maximum consecutive days, minimum run of days off, maximum weekends. Soft
(priced, so a roster always comes back and the diagnosis says what gave): the
contract minimum hours, fixed assignments, the interval requirement, per-shift cover,
wishes, fairness and, when re-rostering, changes from the published roster.

Objective terms (money in the scenario's currency, all integers):

* ``labour``: cost per hour x paid hours of every shift worked;
* ``short``: ``short_penalty`` per agent-interval short of the interval requirement;
* ``cover_short``: per person short of a per-shift cover;
* ``under_minimum``: ``min_hours_penalty`` per hour below a contract minimum;
* ``wishes``: ``wish_value`` x weight of every unmet wish;
* ``fairness``: each agent's k-th weekend shift and k-th late shift costs ``fairness_value``
  x (k - 1), which levels them out (the tables report the spread among comparable agents:
  same group and weekly maximum, able to work such shifts);
* ``changes``: ``change_penalty`` per shift changed from the published roster;
* ``fixed_broken``: a fixed assignment not kept (only when a hard rule forbids it).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
from ortools.sat.python import cp_model

from wfm.roster.centre import CentreProblem, matching_shifts, rest_minutes

TERMS = ("labour", "short", "cover_short", "under_minimum", "wishes", "fairness", "changes", "fixed_broken")
FIXED_PENALTY = 10_000_000
MAX_HALL_QUEUES = 4  # up to this many queues in one interval, every subset is checked (exact)


@dataclass
class WishUnit:
    """One wish on one day: ``expr`` is 1 when it is unmet."""

    agent: int
    wish: int
    day: int
    weight: int
    expr: object


@dataclass
class CentreModel:
    problem: CentreProblem
    cp: cp_model.CpModel
    x: dict[tuple[int, int, int], cp_model.IntVar]  # (agent, day, shift)
    on: dict[tuple[int, int], object]  # (agent, day) -> works that day (expression)
    terms: dict[str, list] = field(default_factory=lambda: {t: [] for t in TERMS})
    short: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)  # (queue, interval)
    cover_under: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)
    under_minutes: dict[tuple[int, str], cp_model.IntVar] = field(default_factory=dict)  # (agent, "week N"/"horizon")
    minimum: dict[tuple[int, str], int] = field(default_factory=dict)  # the minimum minutes asked
    wish_units: list[WishUnit] = field(default_factory=list)
    changes: list[tuple[int, int, object]] = field(default_factory=list)  # (agent, day, 1 when changed)
    fixed: list[tuple[int, int, object]] = field(default_factory=list)  # (agent, day, 1 when broken)

    def expr(self, e: int, d: int, shifts) -> object:
        """The number of ``shifts`` agent ``e`` works on day ``d`` (0 or 1).

        Parameters
        ----------
        e : int
            The agent's index.
        d : int
            The day's index.
        shifts : iterable of int
            Shift indexes; those the agent may not work that day are skipped.

        Returns
        -------
        object
            A linear expression, or 0 when none is allowed.
        """
        return sum(self.x[e, d, s] for s in shifts if (e, d, s) in self.x)


def build_model(problem: CentreProblem) -> CentreModel:
    """The whole CP-SAT model: variables, every rule's helper, the objective.

    Parameters
    ----------
    problem : CentreProblem
        Its allowed (agent, day, shift) pairs become the decision variables.

    Returns
    -------
    CentreModel
        The model, with its variables and objective terms.
    """
    cp = cp_model.CpModel()
    x = {}
    for a, pairs in enumerate(problem.allowed):
        for d, s in pairs:
            x[a, d, s] = cp.NewBoolVar(f"x[{a},{d},{s}]")
    on = {}
    model = CentreModel(problem, cp, x, on)
    for a in range(len(problem.agents)):
        for d in range(len(problem.dates)):
            shifts = [model.x[a, d, s] for s in range(len(problem.shifts)) if (a, d, s) in model.x]
            if shifts:
                day = cp.NewBoolVar(f"on[{a},{d}]")
                cp.Add(sum(shifts) == day)  # at most one shift a day
                on[a, d] = day
            else:
                on[a, d] = 0
    for a in range(len(problem.agents)):
        add_labour(model, a)
        add_rest(model, a)
        add_hours(model, a)
        add_max_shifts(model, a)
        add_max_consecutive_days(model, a)
        add_min_days_off(model, a)
        add_max_weekends(model, a)
        add_wishes(model, a)
        add_fixed(model, a)
        add_changes(model, a)
    add_interval_cover(model)
    add_shift_cover(model)
    add_fairness(model)
    cp.Minimize(sum(w * v for term in model.terms.values() for w, v in term))
    return model


def add_labour(model: CentreModel, a: int) -> None:
    """Price every shift the agent may work at its labour cost.

    Parameters
    ----------
    model : CentreModel
        Gains a ``labour`` term per shift the agent may work.
    a : int
        The agent whose ``problem.cost[a]`` prices the shifts.
    """
    for (d, s), money in model.problem.cost[a].items():
        model.terms["labour"].append((money, model.x[a, d, s]))


def add_rest(model: CentreModel, a: int) -> None:
    """Two shifts closer than the rest (or overlapping, as a night then an early) are never both worked.

    Measured in real minutes, so it holds across midnight, week ends and daylight-saving nights.

    Parameters
    ----------
    model : CentreModel
        Gains a clause per pair of the agent's shifts too close together to both work.
    a : int
        The agent; their contract's rest and the shifts' real start and end times apply.
    """
    problem = model.problem
    mine = sorted(problem.allowed[a])
    by_day: dict[int, list[int]] = {}
    for d, s in mine:
        by_day.setdefault(d, []).append(s)
    for d, s in mine:
        first = problem.instances[d, s]
        rest = rest_minutes(problem, a, s)
        for later in range(d + 1, len(problem.dates)):
            nxt = [problem.instances[later, t] for t in by_day.get(later, [])]
            if later > d + 3:
                break
            for inst in nxt:
                if inst.start - first.end < rest:
                    model.cp.AddBoolOr([model.x[a, d, s].Not(), model.x[a, later, inst.shift].Not()])


def _worked_minutes(model: CentreModel, a: int, days) -> tuple[object, int]:
    problem = model.problem
    days = set(days)
    terms = [(problem.instances[d, s].paid, model.x[a, d, s]) for d, s in problem.allowed[a] if d in days]
    return sum(p * v for p, v in terms), sum(p for p, _ in terms)


def add_hours(model: CentreModel, a: int) -> None:
    """Maximum hours hard; minimum hours soft (priced per hour short), lowered pro rata by time off.

    Parameters
    ----------
    model : CentreModel
        Gains a hard row per week (and the horizon) with a maximum, an ``under`` slack per minimum.
    a : int
        The agent whose contract hours are read.
    """
    problem, agent = model.problem, model.problem.agents[a]
    penalty = round(problem.settings.min_hours_penalty)
    spans = [(f"week {w + 1}", days, agent.min_hours_week, agent.max_hours_week) for w, days in enumerate(problem.weeks())]
    spans.append(("horizon", list(range(len(problem.dates))), agent.min_hours_horizon, agent.max_hours_horizon))
    for name, days, low, high in spans:
        worked, most = _worked_minutes(model, a, days)
        if high is not None and most > high * 60:
            model.cp.Add(worked <= round(high * 60))
        if low:
            present = sum(problem.dates[d] not in agent.time_off for d in days)
            need = round(low * 60 * present / len(days))
            if need <= 0:
                continue
            under = model.cp.NewIntVar(0, need, f"under[{a},{name}]")
            model.cp.Add(worked + under >= need)
            model.under_minutes[a, name] = under
            model.minimum[a, name] = need
            # Per minute, so an hour short costs min_hours_penalty.
            model.terms["under_minimum"].append((max(1, round(penalty / 60)), under))


def add_max_shifts(model: CentreModel, a: int) -> None:
    """At most the agent's ``max_shifts`` shifts over the horizon (hard).

    Parameters
    ----------
    model : CentreModel
        Gains at most one row, when the agent could exceed the limit.
    a : int
        The agent whose ``max_shifts`` is read.
    """
    limit = model.problem.agents[a].max_shifts
    shifts = [model.x[a, d, s] for d, s in model.problem.allowed[a]]
    if limit is not None and len(shifts) > limit:
        model.cp.Add(sum(shifts) <= limit)


def add_max_consecutive_days(model: CentreModel, a: int) -> None:
    """Every window of max + 1 days holds a day off (days belong to the shift's start day).

    Parameters
    ----------
    model : CentreModel
        Gains a row per window of ``max_consecutive_days + 1`` days.
    a : int
        The agent whose ``max_consecutive_days`` is read.
    """
    limit = model.problem.agents[a].max_consecutive_days
    days = len(model.problem.dates)
    if limit is None or limit >= days:
        return
    for first in range(days - limit):
        window = [model.on[a, d] for d in range(first, first + limit + 1)]
        if any(not isinstance(v, int) for v in window):
            model.cp.Add(sum(window) <= limit)


def add_min_days_off(model: CentreModel, a: int) -> None:
    """Runs of days off between two worked days are at least the minimum long.

    A run cut by the horizon's edge may be shorter (the days outside are unknown).

    Parameters
    ----------
    model : CentreModel
        Gains a clause per short run of days off that could occur.
    a : int
        The agent whose ``min_consecutive_days_off`` is read.
    """
    minimum = model.problem.agents[a].min_consecutive_days_off
    days = len(model.problem.dates)
    on = model.on
    for length in range(1, minimum):
        for first in range(1, days - length):
            last = first + length - 1
            before, after = on[a, first - 1], on[a, last + 1]
            if isinstance(before, int) or isinstance(after, int):
                continue  # a side that can never be worked closes no short run
            inside = [on[a, d] for d in range(first, last + 1) if not isinstance(on[a, d], int)]
            # Not (worked before, off throughout, worked after).
            model.cp.AddBoolOr([before.Not(), after.Not(), *inside])


def add_max_weekends(model: CentreModel, a: int) -> None:
    """A weekend is worked when any shift overlaps its Saturday or Sunday (a Friday night too).

    Parameters
    ----------
    model : CentreModel
        Gains a worked-weekend indicator per weekend and a row bounding their sum.
    a : int
        The agent whose ``max_weekends`` is read.
    """
    problem = model.problem
    limit = problem.agents[a].max_weekends
    if limit is None:
        return
    touching: dict[int, list] = {}
    for d, s in problem.allowed[a]:
        w = problem.instances[d, s].weekend
        if w is not None:
            touching.setdefault(w, []).append(model.x[a, d, s])
    if len(touching) <= limit:
        return
    worked = []
    for w, shifts in sorted(touching.items()):
        weekend = model.cp.NewBoolVar(f"weekend[{a},{w}]")
        for var in shifts:
            model.cp.AddImplication(var, weekend)
        worked.append(weekend)
    model.cp.Add(sum(worked) <= limit)


def add_wishes(model: CentreModel, a: int) -> None:
    """Price every unmet wish, day by day, at ``wish_value`` x its weight.

    Parameters
    ----------
    model : CentreModel
        Gains a :class:`WishUnit` and a ``wishes`` term per wish and day.
    a : int
        The agent whose wishes are priced.
    """
    problem, agent = model.problem, model.problem.agents[a]
    value = problem.settings.wish_value
    index = {day: d for d, day in enumerate(problem.dates)}
    for k, wish in enumerate(agent.wishes):
        shifts = matching_shifts(problem, wish)
        days = range(len(problem.dates)) if wish.dates is None else [index[day] for day in wish.dates]
        for d in days:
            granted = model.expr(a, d, shifts)
            if wish.want:
                unmet = (1 - granted) if wish.dates is not None else (model.on[a, d] - granted)
            else:
                unmet = granted
            if isinstance(unmet, int) and unmet == 0:
                continue
            if wish.dates is None and wish.want and isinstance(model.on[a, d], int):
                continue
            model.wish_units.append(WishUnit(a, k, d, wish.weight, unmet))
            model.terms["wishes"].append((max(1, round(value * wish.weight)), unmet))


def _differs(model: CentreModel, a: int, d: int, code: str | None) -> object:
    """1 when agent ``a`` does not work shift ``code`` on day ``d`` (``None``: when they work at all)."""
    if code is None:
        return model.on[a, d]
    s = model.problem.shift_index(code)
    # A shift the agent may not work that day is never worked: always differs.
    return 1 - model.x[a, d, s] if (a, d, s) in model.x else 1


def add_fixed(model: CentreModel, a: int) -> None:
    """The planner's fixed assignments: kept unless a hard rule forbids them (then priced and reported).

    Parameters
    ----------
    model : CentreModel
        Gains a ``fixed_broken`` term per fixed day, priced at ``FIXED_PENALTY``.
    a : int
        The agent whose ``fixed`` days are read.
    """
    problem, agent = model.problem, model.problem.agents[a]
    index = {day: d for d, day in enumerate(problem.dates)}
    for day, code in agent.fixed.items():
        d = index[day]
        broken = _differs(model, a, d, code)
        model.fixed.append((a, d, broken))
        model.terms["fixed_broken"].append((FIXED_PENALTY, broken))


def add_changes(model: CentreModel, a: int) -> None:
    """Re-rostering: each day that differs from the published roster costs ``change_penalty``.

    Parameters
    ----------
    model : CentreModel
        Gains a ``changes`` term per day the published roster names for the agent.
    a : int
        The agent compared with the published roster.
    """
    problem = model.problem
    if problem.published is None:
        return
    agent = problem.agents[a]
    penalty = round(problem.settings.change_penalty)
    for d, day in enumerate(problem.dates):
        if (agent.id, day) not in problem.published:
            continue
        changed = _differs(model, a, d, problem.published[agent.id, day])
        model.changes.append((a, d, changed))
        model.terms["changes"].append((penalty, changed))


def add_interval_cover(model: CentreModel) -> None:
    """Serve the interval requirement of each queue, short where nobody can be found.

    Agents are pooled by skill set (their count per day and shift code is one integer),
    and every set of queues open in an interval is served by no more than the agents
    who have one of those skills (Hall's condition: with it, the agents on the phones
    can be split over the queues to serve what is counted as served).

    Parameters
    ----------
    model : CentreModel
        Gains a ``short`` slack per queue and interval required, and the Hall rows.
    """
    problem, cp = model.problem, model.cp
    if not len(problem.interval_start):
        return
    queue_index = {q: i for i, q in enumerate(problem.queues)}
    pools: dict[frozenset, list[int]] = {}
    for a, agent in enumerate(problem.agents):
        skills = frozenset(queue_index[q] for q in agent.skills if q in queue_index)
        if skills:
            pools.setdefault(skills, []).append(a)
    # Per pool, day and shift: how many of its agents work it.
    count: dict[tuple[frozenset, int, int], object] = {}
    for skills, members in pools.items():
        by_instance: dict[tuple[int, int], list] = {}
        for a in members:
            for d, s in problem.allowed[a]:
                by_instance.setdefault((d, s), []).append(model.x[a, d, s])
        for key, vars_ in by_instance.items():
            if len(vars_) == 1:
                count[(skills, *key)] = vars_[0]
            else:
                n = cp.NewIntVar(0, len(vars_), f"n[{sorted(skills)},{key}]")
                cp.Add(n == sum(vars_))
                count[(skills, *key)] = n
    on_phones: dict[int, list[tuple[frozenset, object]]] = {}
    for (skills, d, s), var in count.items():
        for i in problem.covers(problem.instances[d, s]).tolist():
            on_phones.setdefault(i, []).append((skills, var))
    required = problem.required
    for i in range(required.shape[1]):
        open_queues = [q for q in range(required.shape[0]) if required[q, i] > 0]
        if not open_queues:
            continue
        served = {}
        for q in open_queues:
            short = cp.NewIntVar(0, int(required[q, i]), f"short[{q},{i}]")
            model.short[q, i] = short
            model.terms["short"].append((problem.short_penalty, short))
            served[q] = int(required[q, i]) - short
        if len(open_queues) <= MAX_HALL_QUEUES:
            subsets = [set(c) for k in range(1, len(open_queues) + 1) for c in combinations(open_queues, k)]
        else:
            subsets = [{q} for q in open_queues] + [set(open_queues)]
        here = on_phones.get(i, [])
        for subset in subsets:
            able = [var for skills, var in here if skills & subset]
            cp.Add(sum(served[q] for q in subset) <= sum(able))


def add_shift_cover(model: CentreModel) -> None:
    """Per-shift cover ("3 on the early shift"): people short are priced per person.

    Parameters
    ----------
    model : CentreModel
        Gains a ``cover_under`` slack per line of ``roster.cover``.
    """
    problem, cp = model.problem, model.cp
    penalty = round(problem.settings.cover_short_penalty)
    for d, s, need in problem.cover:
        if need <= 0:
            continue
        staffed = [model.x[a, d, s] for a in range(len(problem.agents)) if (a, d, s) in model.x]
        under = cp.NewIntVar(0, need, f"cover_under[{d},{s}]")
        cp.Add(sum(staffed) + under >= need)
        model.cover_under[d, s] = under
        model.terms["cover_short"].append((penalty, under))


def flagged(inst, flag: str) -> bool:
    """Whether an instance counts for a fairness measure (``weekend``: overlaps one; ``late``).

    Parameters
    ----------
    inst : Instance
        A shift code on one day, with its ``weekend`` index and ``late`` mark.
    flag : str
        The measure: ``weekend`` or ``late`` shifts.

    Returns
    -------
    bool
        Whether it counts.
    """
    return inst.weekend is not None if flag == "weekend" else bool(inst.late)


def comparable_groups(problem: CentreProblem, flag: str) -> list[list[int]]:
    """Agents compared for fairness: same group and weekly maximum, who can work such shifts at all.

    Parameters
    ----------
    problem : CentreProblem
        Its agents' groups, weekly maxima and allowed shifts.
    flag : str
        The measure: ``weekend`` or ``late`` shifts.

    Returns
    -------
    list of list of int
        Agent indexes per group of two or more.
    """
    groups: dict[tuple, list[int]] = {}
    for a, agent in enumerate(problem.agents):
        if any(flagged(problem.instances[d, s], flag) for d, s in problem.allowed[a]):
            groups.setdefault((agent.group, agent.max_hours_week), []).append(a)
    return [members for _, members in sorted(groups.items(), key=lambda kv: str(kv[0])) if len(members) > 1]


def fairness_counts(problem: CentreProblem, flag: str, value) -> dict[int, int]:
    """Per agent, the shifts with ``flag`` (``weekend`` or ``late``) in the roster given by ``value``.

    Parameters
    ----------
    problem : CentreProblem
        Its allowed shifts, each flagged weekend and/or late.
    flag : str
        ``weekend`` or ``late``.
    value : callable
        ``value(agent, day, shift)``: 1 when the roster works that shift, else 0.

    Returns
    -------
    dict of int to int
        Agent index to count.
    """
    out = {}
    for a in range(len(problem.agents)):
        out[a] = sum(value(a, d, s) for d, s in problem.allowed[a]
                     if flagged(problem.instances[d, s], flag))
    return out


def add_fairness(model: CentreModel) -> None:
    """Spread weekend and late shifts evenly: each agent's k-th such shift costs
    ``fairness_value`` x (k - 1).

    A convex price per agent (rather than most-minus-fewest, which CP-SAT's LP cannot see
    and which made small rosters take a minute): handing the next weekend to whoever has
    the fewest is always cheapest, so counts level out among agents who can swap them.
    The spread among comparable agents is what the tables report.

    Parameters
    ----------
    model : CentreModel
        Gains a step indicator per agent, measure and count, the later steps priced.
    """
    problem, cp = model.problem, model.cp
    value = round(problem.settings.fairness_value)
    if value <= 0:
        return
    for flag in ("weekend", "late"):
        for a in range(len(problem.agents)):
            shifts = [model.x[a, d, s] for d, s in problem.allowed[a] if flagged(problem.instances[d, s], flag)]
            most = len({d for d, s in problem.allowed[a] if flagged(problem.instances[d, s], flag)})
            if most < 2:
                continue
            steps = [cp.NewBoolVar(f"{flag}[{a}]>={k}") for k in range(1, most + 1)]
            for first, second in zip(steps[:-1], steps[1:], strict=True):
                cp.AddImplication(second, first)  # steps fill in order (the prices already make them)
            cp.Add(sum(steps) == sum(shifts))
            for k, step in enumerate(steps):
                if k:
                    model.terms["fairness"].append((value * k, step))


@dataclass
class CentreSolution:
    status: str
    objective: int | None
    lower_bound: float | None
    seconds: float
    deterministic_seconds: float
    stopped_by: str
    terms: dict[str, int]
    worked: set[tuple[int, int, int]]  # (agent, day, shift)
    short: np.ndarray  # [queue, interval] agents short
    cover_under: dict[tuple[int, int], int]
    under_minutes: dict[tuple[int, str], int]
    wishes_unmet: list[WishUnit]
    changed: list[tuple[int, int]]
    fixed_broken: list[tuple[int, int]]

    @property
    def gap(self) -> float | None:
        """``(objective - bound) / max(1, |objective|)``, at least 0; 0 when proven optimal.

        Returns
        -------
        float or None
            The relative gap, ``None`` without a solution or a bound.
        """
        if self.objective is None or self.lower_bound is None:
            return None
        return max(0.0, (self.objective - self.lower_bound) / max(1.0, abs(self.objective)))


def _worked(problem: CentreProblem, worked, key: tuple[int, str]) -> int:
    a, span = key
    days = set(range(len(problem.dates))) if span == "horizon" else set(problem.weeks()[int(span.split()[1]) - 1])
    return sum(problem.instances[d, s].paid for aa, d, s in worked if aa == a and d in days)


def _value(solver, expr) -> int:
    return int(expr) if isinstance(expr, (int, np.integer)) else int(solver.Value(expr))


def stop_reason(status: int, work_done: float, work_limit: float) -> str:
    """Why a CP-SAT search ended, in the words ``summary.json`` reports.

    Parameters
    ----------
    status : int
        CP-SAT's status code (``cp_model.OPTIMAL``, ``FEASIBLE``, ...).
    work_done : float
        The deterministic seconds the search spent (``ResponseProto().deterministic_time``).
    work_limit : float
        The deterministic budget it was given.

    Returns
    -------
    str
        ``optimal`` or ``infeasible`` when proven; otherwise ``deterministic limit`` when the
        budget was spent (within 0.1 %), else ``wall-clock cap`` (the safety net stopped it).
    """
    proven = {cp_model.OPTIMAL: "optimal", cp_model.INFEASIBLE: "infeasible"}
    if status in proven:
        return proven[status]
    return "deterministic limit" if work_done >= work_limit * 0.999 else "wall-clock cap"


def solve_model(model: CentreModel, *, work_limit: float | None = None, seed: int | None = None,
                workers: int | None = None, wall_clock_cap: float | None = None, began: float | None = None,
                hint: set[tuple[int, int, int]] | None = None) -> CentreSolution:
    """Solve with CP-SAT stopped by deterministic work (same roster on every machine and load).

    Parameters
    ----------
    model : CentreModel
        The built model.
    work_limit : float, optional
        CP-SAT deterministic seconds; ``None``: the roster's ``work_limit``.
    seed : int, optional
        Random seed; ``None``: the roster's.
    workers : int, optional
        Search workers; ``None``: the roster's.
    wall_clock_cap : float, optional
        A safety-net wall-clock limit in seconds (default ``20 x work_limit + 60``).
    began : float, optional
        ``time.perf_counter()`` when the work began, counted in ``seconds`` and the cap.
    hint : set of (int, int, int), optional
        A roster to start from, ``(agent, day, shift)`` worked.

    Returns
    -------
    CentreSolution
        The roster found (empty, with the status, when none was).
    """
    problem = model.problem
    settings = problem.settings
    began = time.perf_counter() if began is None else began
    limit = settings.work_limit if work_limit is None else work_limit
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.num_workers = settings.workers if workers is None else workers
    params.random_seed = settings.seed if seed is None else seed
    params.interleave_search = params.num_workers > 1
    params.max_deterministic_time = float(limit)
    # Only a safety net: on a loaded 2-core machine one deterministic second can take 10 s.
    cap = wall_clock_cap if wall_clock_cap is not None else 20 * limit + 60
    params.max_time_in_seconds = max(0.1, cap - (time.perf_counter() - began))
    start = complete_hint(model, hint, seed=params.random_seed) if hint else None
    if start is not None:
        proto = model.cp.Proto()
        model.cp.ClearHints()
        proto.solution_hint.vars.extend(range(len(start)))
        proto.solution_hint.values.extend(start)
    status = solver.Solve(model.cp)
    response = solver.ResponseProto()
    found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    stopped_by = stop_reason(status, response.deterministic_time, limit)
    if not found:
        return CentreSolution(solver.StatusName(status), None, None, time.perf_counter() - began,
                              float(response.deterministic_time), stopped_by, {}, set(),
                              np.zeros_like(problem.required), {}, {}, [], [], [])
    worked = {key for key, var in model.x.items() if solver.BooleanValue(var)}
    short = np.zeros_like(problem.required)
    for (q, i), var in model.short.items():
        short[q, i] = solver.Value(var)
    terms = {name: sum(w * _value(solver, v) for w, v in term) for name, term in model.terms.items()}
    cover_under = {k: int(solver.Value(v)) for k, v in model.cover_under.items()}
    # A search stopped by its budget may leave shortfall slacks loose (short counted where an
    # agent was free to serve): price and report the shortfalls the roster really leaves.
    tight = (complete_hint(model, worked, seed=params.random_seed, optimal_only=True)
             if model.short or model.cover_under else None)
    if tight is not None:
        for (q, i), var in model.short.items():
            short[q, i] = tight[var.Index()]
        cover_under = {k: int(tight[v.Index()]) for k, v in model.cover_under.items()}
        terms["short"] = problem.short_penalty * int(short.sum())
        terms["cover_short"] = round(problem.settings.cover_short_penalty) * sum(cover_under.values())
    return CentreSolution(
        status=solver.StatusName(status),
        objective=sum(terms.values()),
        lower_bound=float(solver.BestObjectiveBound()),
        seconds=time.perf_counter() - began,
        deterministic_seconds=float(response.deterministic_time),
        stopped_by=stopped_by, terms=terms, worked=worked, short=short, cover_under=cover_under,
        # From the roster itself, not the slack variables a stopped search may leave loose.
        under_minutes={k: max(0, model.minimum[k] - _worked(problem, worked, k)) for k in model.under_minutes},
        wishes_unmet=[u for u in model.wish_units if _value(solver, u.expr) > 0],
        changed=[(a, d) for a, d, e in model.changes if _value(solver, e) > 0],
        fixed_broken=[(a, d) for a, d, e in model.fixed if _value(solver, e) > 0],
    )


def complete_hint(model: CentreModel, hint: set[tuple[int, int, int]], *, seed: int = 0,
                  optimal_only: bool = False) -> list[int] | None:
    """Every variable's value in the roster ``hint`` (the slacks, counts and steps follow from
    the shifts), so the search starts from a whole solution; None when ``hint`` breaks a hard rule.

    A hint of the shift variables alone leaves CP-SAT to complete the rest itself, which on
    a large centre it often fails to do within the budget.

    Parameters
    ----------
    model : CentreModel
        The model.
    hint : set of (int, int, int)
        ``(agent, day, shift)`` worked.
    seed : int
        The completing solve's random seed.
    optimal_only : bool
        Return values only when the completion is proven optimal (tightest slacks).

    Returns
    -------
    list of int or None
        A value per model variable, in index order.
    """
    fixed = model.cp.clone()
    for key, var in model.x.items():
        fixed.Add(var == int(key in hint))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.max_deterministic_time = 5.0
    status = solver.Solve(fixed)
    if status != cp_model.OPTIMAL and (optimal_only or status != cp_model.FEASIBLE):
        return None
    return list(solver.ResponseProto().solution)


def solve_centre(problem: CentreProblem, hint: set[tuple[int, int, int]] | None = None,
                 **kwargs) -> tuple[CentreModel, CentreSolution]:
    """Build and solve; the search starts from ``hint`` or else from the greedy roster.

    Parameters
    ----------
    problem : CentreProblem
        The centre to roster; its ``[roster]`` settings give the budget, seed and workers.
    hint : set of (int, int, int), optional
        A roster to start from; ``None``: :func:`wfm.roster.greedy.greedy_roster`.
    **kwargs
        Passed to :func:`solve_model` (``work_limit``, ``seed``, ``workers``, ...).

    Returns
    -------
    tuple of (CentreModel, CentreSolution)
        The model and its solution.
    """
    from wfm.roster.greedy import greedy_roster

    began = time.perf_counter()
    model = build_model(problem)
    if hint is None:
        hint = greedy_roster(problem)
    return model, solve_model(model, began=began, hint=hint, **kwargs)
