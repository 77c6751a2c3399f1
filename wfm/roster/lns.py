"""Improving a roster by re-solving parts of it exactly, everything else held fixed.

A matheuristic in the spirit of Della Croce & Salassa (2014, a variable neighbourhood
search that found best knowns on the Curtois & Qu instances): from the incumbent
roster, free a *neighbourhood* (some employees' days), fix every other day of every
employee to what the roster says, and let CP-SAT find the best roster of the freed
days. Only a cheaper roster is accepted, so the objective never rises. Two kinds:

* a window of ``k`` consecutive days for every employee (the days' cover re-shuffled
  between people, the rules across the window's edges kept by the fixed days);
* a group of ``m`` employees over the whole horizon (their shifts swapped between
  them); groups come from a seeded shuffle of the staff and from the costliest cover
  lines (the people who could staff a short shift or leave an over-staffed one).

A sweep that improves is repeated at the same size; one that finds nothing gives way
to bigger neighbourhoods (:data:`LEVELS`, variable neighbourhood search), the biggest
to the smallest again. A whole round of sizes without a gain is a local optimum and
ends the search (the budget left goes to HiGHS in :func:`wfm.roster.solve_roster`).

Fixing is done on the full model's variable domains, not by cutting the model, so
every rule that spans a window's edge (consecutive runs, forbidden successions,
weekends, the horizon's totals) still holds for the freed days: CP-SAT sees the whole
roster. The model is built once; each neighbourhood only narrows domains, sets the
incumbent as the hint and solves with one worker.

Deterministic: a seeded generator, a fixed order of neighbourhoods, and a budget in
CP-SAT's deterministic seconds (each re-solve's own plus a floor per call); the wall
clock is only a safety cap, reported when it binds. The same instance, start, seed and
budget give the same roster.

The sub-solver is CP-SAT by default; HiGHS on the compact integer program
(:mod:`wfm.roster.mip`, columns' bounds changed per neighbourhood, the roster as its
incumbent) is the alternative. Measured on Instance8 from CP-SAT's roster of 1928
(60 deterministic s of CP-SAT), 60 deterministic s of neighbourhoods each: CP-SAT
1532 (64 neighbourhoods, 13 improving; 180 CPU s), HiGHS 1925 (node limit 20: a
10-day window's root LP and cuts alone take up to 17 CPU s, so 6 neighbourhoods were
tried; with windows from 7 days and 50 nodes, 1732). Windows shorter than 10 days
did not pay on Instance8: 3- and 5-day windows improved nothing in their first 5
deterministic s, 7-day ones found 1735 where 10-day ones go on to 1532.

In :func:`wfm.roster.solve_roster` at 300 s (`benchmarks/bench_roster.py`, 900 s wall
cap, load ~4-6, which stopped every run early): Instance8 1629 (best known 1308; before
1731), Instance14 1539 (1279; before 1647), Instance12 4549 (4040; before 4611),
Instance16 3426 (3225; HiGHS's roster improved, CP-SAT found none); all miss the 5% bar. See docs/benchmarks.md.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from wfm.roster.mip import build_ip, highs_model, set_start
from wfm.roster.model import build_model
from wfm.roster.problem import RosterProblem

# (days in a window, employees in a group) of each level, smallest first.
LEVELS = ((10, 6), (14, 10), (21, 15))
# Deterministic seconds one re-solve may use at most (most finish, proven, far sooner).
STEP_LIMIT = 2.0
# Charged per re-solve and model constraint on top of CP-SAT's count: loading the
# model is not counted by CP-SAT (measured on Instance8, 5,337 constraints: 0.07 CPU s
# a call, CP-SAT's count 0.002), and a budget must run out even when every re-solve is trivial.
CP_SAT_CALL_WORK = 1e-5
# HiGHS per neighbourhood: nodes at most, and the work measure (calibrated on Instance8's
# program, 36,593 nonzeros: about 2,600 simplex iterations a CPU second, and a fixed cost per run).
HIGHS_NODE_LIMIT = 50
HIGHS_ITERATION_WORK = 95_000_000  # nonzeros x iterations a second
HIGHS_CALL_WORK = 0.05
# Groups built around the costliest cover lines, per sweep.
COVER_GROUPS = 8

BACKENDS = ("highs", "cp-sat")
Key = tuple[int, int, int]  # (employee, day, shift) worked


@dataclass
class LnsResult:
    worked: set[Key]  # the improved roster (``works`` keys)
    objective: int  # its cost (:func:`roster_cost`)
    start_objective: int  # the start's cost
    tried: int  # neighbourhoods re-solved
    improving: int  # of which gave a cheaper roster
    deterministic_seconds: float
    stopped_by: str  # "deterministic limit", "wall-clock cap" or "no improving neighbourhood"
    level: int  # the last level searched (index in LEVELS)


def roster_cost(problem: RosterProblem, worked: set[Key]) -> int:
    """What the roster ``worked`` costs: unmet on-requests, granted off-requests, cover short and over.

    Parameters
    ----------
    problem : RosterProblem
        Requests and cover to price against.
    worked : set of (int, int, int)
        ``(employee, day, shift)`` indexes worked.

    Returns
    -------
    int
        The objective, as :func:`wfm.roster.evaluate_curtois` counts it from the text.

    Examples
    --------
    >>> from wfm.roster.curtois import parse_curtois
    >>> lines = ["SECTION_HORIZON", "7", "SECTION_SHIFTS", "D,480,", "SECTION_STAFF",
    ...          "A,D=7,3360,0,7,1,1,2", "SECTION_COVER", "0,D,2,100,1", "1,D,0,100,1"]
    >>> problem = parse_curtois(chr(10).join(lines))
    >>> roster_cost(problem, {(0, 0, 0)}), roster_cost(problem, {(0, 0, 0), (0, 1, 0)})
    (100, 101)
    """
    person = {e.name: i for i, e in enumerate(problem.employees)}
    shift = {s.name: i for i, s in enumerate(problem.shifts)}
    cost = sum(r.weight for r in problem.requests
               if ((person[r.employee], r.day, shift[r.shift]) in worked) != r.wanted)
    staffed: dict[tuple[int, int], int] = {}
    for _, d, s in worked:
        staffed[d, s] = staffed.get((d, s), 0) + 1
    for c in problem.cover:
        people = staffed.get((c.day, shift[c.shift]), 0)
        cost += c.under_weight * max(0, c.required - people) + c.over_weight * max(0, people - c.required)
    return cost


def improve_roster(problem: RosterProblem, start: set[Key], *, budget: float, seed: int = 0,
                   wall_clock_cap: float | None = None, backend: str = "cp-sat") -> LnsResult:
    """Improve the roster ``start`` by re-solving neighbourhoods exactly, the rest fixed.

    Parameters
    ----------
    problem : RosterProblem
        The roster problem ``start`` is a roster of.
    start : set of (int, int, int)
        A roster keeping every hard rule, as ``(employee, day, shift)`` indexes.
    budget : float
        Deterministic seconds for all the re-solves together (the stopping rule).
    seed : int
        Seeds the neighbourhoods' generator and CP-SAT.
    wall_clock_cap : float, optional
        Wall-clock seconds after which the search stops anyway (then reported).
    backend : str
        The sub-solver: ``"cp-sat"`` (the CP-SAT model, :class:`CpSatRepair`) or
        ``"highs"`` (the integer program, :class:`HighsRepair`).

    Returns
    -------
    LnsResult
        The best roster found (``start`` itself when nothing improved), its cost and
        the neighbourhoods tried and improving.
    """
    began = time.perf_counter()
    if backend not in BACKENDS:
        raise ValueError(f"backend {backend!r}: expected one of {', '.join(BACKENDS)}")
    repair = HighsRepair(problem, seed) if backend == "highs" else CpSatRepair(problem, seed)
    rng = random.Random(seed)
    current, cost = set(start), roster_cost(problem, set(start))
    result = LnsResult(current, cost, cost, 0, 0, 0.0, "deterministic limit", 0)
    level, idle, sweep = 0, 0, 0
    while result.deterministic_seconds < budget and idle < len(LEVELS):
        improved = False
        for free in neighbourhoods(problem, current, LEVELS[level], rng, sweep):
            left = budget - result.deterministic_seconds
            wall_left = None if wall_clock_cap is None else wall_clock_cap - (time.perf_counter() - began)
            if left <= 0 or (wall_left is not None and wall_left <= 0):
                break
            found, used = repair.resolve(current, free, min(STEP_LIMIT, left), wall_left)
            result.deterministic_seconds += used
            result.tried += 1
            if found is not None and (new := roster_cost(problem, found)) < cost:
                current, cost = found, new
                result.improving += 1
                improved = True
        sweep += 1
        result.level = level
        if wall_clock_cap is not None and time.perf_counter() - began >= wall_clock_cap:
            result.stopped_by = "wall-clock cap"
            break
        # An improving size is swept again; an idle one gives way to the next bigger,
        # the biggest to the smallest again (the roster has changed since). A whole
        # round of idle sizes: no neighbourhood improves the roster, a local optimum.
        idle = 0 if improved else idle + 1
        if not improved:
            level = (level + 1) % len(LEVELS)
    else:
        if idle >= len(LEVELS):
            result.stopped_by = "no improving neighbourhood"
    result.worked, result.objective = current, cost
    return result


def neighbourhoods(problem: RosterProblem, worked: set[Key], size: tuple[int, int], rng: random.Random,
                   sweep: int) -> list[frozenset[tuple[int, int]]]:
    """One sweep's neighbourhoods, as sets of freed ``(employee, day)``, in the order to try them.

    Day windows of ``size[0]`` days tile the horizon (shifted by the sweep number, so
    their edges move); employee groups of ``size[1]`` partition a shuffle of the staff,
    and more groups gather the people who could mend the costliest cover lines.

    Parameters
    ----------
    problem : RosterProblem
        Days, employees and cover.
    worked : set of (int, int, int)
        The incumbent roster (decides which cover lines cost most).
    size : (int, int)
        Days per window, employees per group.
    rng : random.Random
        The seeded generator (shuffles staff and order).
    sweep : int
        How many sweeps came before (shifts the windows).

    Returns
    -------
    list of frozenset of (int, int)
        Freed ``(employee, day)`` pairs, one set per neighbourhood.
    """
    days, people = problem.days, len(problem.employees)
    k, m = min(size[0], days), min(size[1], people)
    step = max(1, k // 2)
    offset = (sweep * (step // 2 + 1)) % step
    windows = [range(max(0, a), min(days, a + k)) for a in range(offset - step, days, step) if a + k > 0]
    found = [frozenset((e, d) for e in range(people) for d in window) for window in windows]
    staff = list(range(people))
    rng.shuffle(staff)
    groups = [staff[i:i + m] for i in range(0, people, m)]
    groups += cover_groups(problem, worked, m, rng)
    found += [frozenset((e, d) for e in group for d in range(days)) for group in groups]
    rng.shuffle(found)
    return found


def cover_groups(problem: RosterProblem, worked: set[Key], m: int, rng: random.Random) -> list[list[int]]:
    """Groups of ``m`` employees around the costliest cover lines of the roster ``worked``.

    For a short line, people free that day or on another shift could take it; for an
    over-staffed one, people on it could leave; the group mixes both kinds (chosen by
    ``rng``), so a re-solve can move a shift from one person to another.

    Parameters
    ----------
    problem : RosterProblem
        Employees and cover lines.
    worked : set of (int, int, int)
        The incumbent roster.
    m : int
        Employees per group.
    rng : random.Random
        Picks the group's members among the candidates.

    Returns
    -------
    list of list of int
        At most :data:`COVER_GROUPS` groups of employee indexes.
    """
    shift = {s.name: i for i, s in enumerate(problem.shifts)}
    on = {(d, s): [] for d in range(problem.days) for s in range(len(problem.shifts))}
    for e, d, s in sorted(worked):
        on[d, s].append(e)
    lines = []
    for c in problem.cover:
        staffed = on[c.day, shift[c.shift]]
        penalty = c.under_weight * max(0, c.required - len(staffed)) + c.over_weight * max(0, len(staffed) - c.required)
        if penalty:
            lines.append((-penalty, c.day, shift[c.shift]))
    groups = []
    for _, d, s in sorted(lines)[:COVER_GROUPS]:
        inside = on[d, s]
        outside = [e for e in range(len(problem.employees)) if e not in inside and d not in problem.employees[e].days_off]
        half = min(len(inside), max(1, m // 2))
        group = rng.sample(inside, half) + rng.sample(outside, min(len(outside), m - half))
        groups.append(sorted(group))
    return groups


class CpSatRepair:
    """Re-solves a neighbourhood with CP-SAT on the full model (:mod:`wfm.roster.model`), built once.

    Parameters
    ----------
    problem : RosterProblem
        The problem whose model is built.
    seed : int
        CP-SAT's random seed (one worker: reproducible).
    """

    def __init__(self, problem: RosterProblem, seed: int) -> None:
        self.model, self.seed = build_model(problem), seed

    def resolve(self, worked: set[Key], free: frozenset[tuple[int, int]], limit: float,
                wall_left: float | None = None) -> tuple[set[Key] | None, float]:
        """The best roster CP-SAT finds with only the ``free`` ``(employee, day)`` pairs open.

        Every other ``works`` variable is fixed to its value in ``worked`` (its domain
        narrowed, restored afterwards); ``worked`` is the hint, so the answer is never worse.

        Parameters
        ----------
        worked : set of (int, int, int)
            The incumbent roster.
        free : frozenset of (int, int)
            The employee-days CP-SAT may change.
        limit : float
            Deterministic seconds for this re-solve.
        wall_left : float, optional
            Wall-clock seconds left (a safety cap on this solve).

        Returns
        -------
        roster : set of (int, int, int) or None
            The roster found (None: none within the limit).
        used : float
            Deterministic seconds charged.
        """
        domains = self.model.cp.Proto().variables
        for (e, d, s), var in self.model.works.items():
            if (e, d) not in free:
                value = int((e, d, s) in worked)
                domain = domains[var.Index()].domain
                domain[0] = domain[1] = value
        self.model.cp.ClearHints()
        for key, var in self.model.works.items():
            self.model.cp.AddHint(var, key in worked)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = self.seed
        solver.parameters.max_deterministic_time = max(0.01, limit)
        # Without presolve: with most variables fixed it only repeats the fixing, and it
        # doubled the CPU time of a re-solve on Instance5 (0.11 s instead of 0.05).
        solver.parameters.cp_model_presolve = False
        if wall_left is not None:
            solver.parameters.max_time_in_seconds = max(0.1, wall_left)
        try:
            status = solver.Solve(self.model.cp)
        finally:
            for var in self.model.works.values():
                domain = domains[var.Index()].domain
                domain[0], domain[1] = 0, 1
            self.model.cp.ClearHints()
        used = CP_SAT_CALL_WORK * len(self.model.cp.Proto().constraints) + solver.ResponseProto().deterministic_time
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None, used
        return {key for key, var in self.model.works.items() if solver.BooleanValue(var)}, used


class HighsRepair:
    """Re-solves a neighbourhood with HiGHS on the integer program (:mod:`wfm.roster.mip`), built once.

    Each neighbourhood only changes the ``works`` columns' bounds (fixed to the roster
    outside it, 0-1 inside) and gives the roster as the incumbent; the program's LP,
    strong on a small neighbourhood, often proves the neighbourhood's optimum at the root.

    Parameters
    ----------
    problem : RosterProblem
        The problem whose integer program is built.
    seed : int
        HiGHS's random seed (one thread: reproducible).
    """

    def __init__(self, problem: RosterProblem, seed: int) -> None:
        self.ip = build_ip(problem)
        self.highs = highs_model(self.ip, node_limit=HIGHS_NODE_LIMIT, seed=seed)
        self.keys = list(self.ip.works)
        self.columns = np.array([self.ip.works[key] for key in self.keys], dtype=np.int32)
        self.nonzeros = sum(len(terms) for terms, _, _ in self.ip.rows)

    def resolve(self, worked: set[Key], free: frozenset[tuple[int, int]], limit: float,
                wall_left: float | None = None) -> tuple[set[Key] | None, float]:
        """The best roster HiGHS finds with only the ``free`` ``(employee, day)`` pairs open.

        Parameters
        ----------
        worked : set of (int, int, int)
            The incumbent roster (the columns' values outside ``free``, the first incumbent).
        free : frozenset of (int, int)
            The employee-days HiGHS may change.
        limit : float
            Unused beyond the node limit (:data:`HIGHS_NODE_LIMIT`): HiGHS has no work
            limit, so a re-solve may overrun the budget left by one call's work.
        wall_left : float, optional
            Wall-clock seconds left (a safety cap on this run).

        Returns
        -------
        roster : set of (int, int, int) or None
            The roster found (None: none).
        used : float
            Deterministic seconds charged: simplex iterations times the program's
            nonzeros, at :data:`HIGHS_ITERATION_WORK` a second.
        """
        h = self.highs
        inside = np.array([(e, d) in free for e, d, _ in self.keys])
        on = np.array([key in worked for key in self.keys])
        h.changeColsBounds(len(self.columns), self.columns, np.where(inside, 0.0, on * 1.0),
                           np.where(inside, 1.0, on * 1.0))
        h.setOptionValue("time_limit", float("inf") if wall_left is None else max(0.1, wall_left))
        set_start(h, self.ip, worked)
        h.run()
        info = h.getInfo()
        used = HIGHS_CALL_WORK + info.simplex_iteration_count * self.nonzeros / HIGHS_ITERATION_WORK
        found = None
        if info.primal_solution_status == 2:  # kSolutionStatusFeasible
            values = h.getSolution().col_value
            found = {key for key, c in zip(self.keys, self.columns, strict=True) if values[c] > 0.5}
        h.clearSolver()  # the next run starts from its own bounds, not this run's search
        return found, used
