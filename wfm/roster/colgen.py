"""Column generation on the roster: a lower bound from whole rosters, and rosters from them.

The compact integer program (:mod:`wfm.roster.mip`) states each rule row by row; its
LP relaxation lets an employee work "half of every day", which keeps its bound far
below the optimum on some instances (Instance5: 843 against 1143). Here the variables
are whole rosters instead (Dantzig-Wolfe): each employee picks exactly one of its
rosters, and only cover ties the employees together.

* The *master* LP: a ``lambda`` per (employee, roster) column, a convexity row per
  employee (its lambdas sum to 1), a row per day and shift type with cover (staffed +
  under - over = required, the slacks at their weights, so it is always feasible). A
  column costs the employee's own wishes broken. HiGHS solves it on one thread,
  warm-started as columns are added.
* *Pricing*: for each employee, its cheapest roster under every hard rule against the
  cover rows' duals, solved exactly by the labelling DP over the days of
  :mod:`wfm.roster.pricing` (milliseconds a call), or by CP-SAT on the employee's own
  model (:func:`wfm.roster.model.employee_model`) with ``pricer="cp-sat"`` or when a
  call's labels would pass the DP's memory cap. A roster with a negative reduced cost
  (its employee's convexity dual included) becomes a new column.
* The *bound*: at any duals ``pi`` within the slacks' weights, the Lagrangian bound
  ``sum(pi * required) + sum over employees of their cheapest priced roster`` is a valid
  lower bound on every roster's objective (Farley / Lasdon); pricing is exact (or, when
  a solve stops early, its proven bound is used), so every full round gives one. The
  duals are smoothed (Wentges) towards the best bound's, which steadies the tail.
* *Branch and price*: when the root's bound does not prove the incumbent, the search
  branches on whether an employee works a day (then on which shift), best bound
  first; each node's bound is again column generation's, with the branching decisions
  as assumptions in the pricing and as upper bounds 0 on the master's columns that
  break them. A node whose LP is whole gives a roster. The bound is the least over
  the open nodes.
* *Diving* (after the root, before branching): employees are pinned to whole columns
  one step at a time (every column at ``lambda >= 0.99`` and the largest other one),
  the pinned employees' other columns get the upper bound 0 and are not priced any
  more, the rest are re-priced for a few rounds, until every employee is pinned: a
  roster (the slacks keep every restricted master feasible, and any one column per
  employee keeps every hard rule). A step whose LP cannot beat the incumbent is undone
  and its column not chosen first again, a few times a dive.
* *Branch and price* runs after the dive only when the dive's roster (or the start) is
  within :data:`BRANCH_GAP` of the root's bound, or the root was cheap; otherwise the
  budget is left to :func:`wfm.roster.solve_roster`'s neighbourhoods (the gap is then
  primal: the root's bound is tight on Instance8, 1298 against the best known 1308).
* *Price and branch*: the master with binary lambdas, solved by HiGHS with a node
  limit; the incumbent's columns are always in, so the roster is never worse than it.

Measured in :func:`wfm.roster.solve_roster` at 60 deterministic s (docs/benchmarks.md):
the bound reaches the optimum on Instances 4, 5, 6, 7 and 10 (root LP 1716, 1141, 1949
on 4, 5, 6; branching closes the rest), and 4, 5, 6, 7 are proven optimal; Instance9's
master LP is 405.7 against the optimum 439, which a few hundred nodes do not close
(with CP-SAT pricing its root did not converge within the default share at 60 s: bound
390; with the DP it does, bound 406, and 467 nodes follow). The DP prices a call in
5-15 ms where CP-SAT took 60 ms-8 s (Instances 8, 9, 14, 16; benchmarks/bench_pricing.py),
so wall seconds went from 2.5-6x the deterministic ones to 1.8-3.4x (CP-SAT's share of
the solve dominating them). Alone from the first roster, column generation with the DP
proves Instance16's 3225 optimal in 19 deterministic s (83 rounds, 48 nodes; with CP-SAT
pricing 3 rounds in 90 s, no useful bound) and finds and proves 1278 on Instance14 in
36 s (the published best known: 1279).
With the dive (measured with CP-SAT pricing, before the DP) at 300 s: Instance8 1309 (best known 1308; before 1606), the dive's own
roster 1910 (its LP rises from 1297 to ~1660 over the last ten pins: the neighbourhoods
and the integer programs after it do the rest). Instances 5 and 7 at 60 s do not dive
(CP-SAT's roster is within BRANCH_GAP) and stay proven with the same figures.

The stopping rule is deterministic: the pricings' deterministic seconds (the DP's
count of label cells and numpy calls at calibrated rates, CP-SAT's deterministic time) plus
HiGHS's simplex iterations and nodes converted to seconds by calibrated constants
(:data:`LP_WORK_PER_SECOND`, :data:`NODE_WORK_PER_SECOND`) count against the budget;
the wall clock is only a safety cap, reported when it binds.
"""

from __future__ import annotations

import heapq
import math
import time
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from wfm.roster.mip import _quiet_highs, set_mip_limits, whole_bound
from wfm.roster.model import RosterModel, employee_model
from wfm.roster.pricing import label_pricer
from wfm.roster.pricing import request_costs as _request_cost_table  # the wishes as (constant, change per shift)
from wfm.roster.problem import RosterProblem

# Simplex work per second, in iterations x (rows + columns) of the master: measured,
# 1.1e7 per CPU second on the masters of Instance5 and Instance9 (the machine loaded).
LP_WORK_PER_SECOND = 1.1e7
# HiGHS's work per branch-and-bound node and second, in nonzeros of the master: the
# compact program's calibration (wfm.roster.solve), not re-measured on the master.
NODE_WORK_PER_SECOND = 235_000
# Share of the budget kept for price and branch (the integer master) when the bound
# does not prove the incumbent first.
INTEGER_SHARE = 0.1
# Share of the search budget (the budget less the integer master's) the root's column
# generation may use when a dive follows, and the share by which the dive must end.
ROOT_SHARE = 0.75
DIVE_END = 0.95
# A dive pins every column at lambda >= DIVE_WHOLE (plus the largest other one) per
# step, re-prices the unpinned employees for at most DIVE_ROUNDS rounds, and backtracks
# at most DIVE_BACKTRACKS times when a step's LP cannot beat the incumbent.
DIVE_WHOLE = 0.99
DIVE_ROUNDS = 3
DIVE_BACKTRACKS = 3
# Branch and price after the dive only when the root's bound is within this share of
# the incumbent (then a proof is in reach); else the budget goes to the neighbourhoods.
# Measured at 60 s with the DP pricer: at 0.05 Instance5 (CP-SAT's 1240 against the
# root's 1141) dives, is not branched and ends 1143 unproven; at 0.1 it branches at once
# and is proven in 45 deterministic s. Instance8 (1297 against ~1600) still dives.
BRANCH_GAP = 0.1
CHEAP_ROOT = 0.1
# Wentges smoothing: price at alpha x the best bound's duals + (1 - alpha) x the master's.
SMOOTHING = 0.5
# Duals are scaled to whole numbers for CP-SAT, rounded down so a priced roster never
# costs more than its true reduced cost (the bound stays valid).
PRICE_SCALE = 10_000
# Deterministic seconds one pricing solve may use at most.
PRICING_LIMIT = 10.0
# CP-SAT's deterministic time under-counts the work of a tiny model (its presolve and
# set-up weigh more): measured, CPU seconds per deterministic second of the pricing
# solves are about twice the full model's (Instance5: 6.7 against 3.6; Instance9: 5.0
# against 2.0), so each pricing solve counts twice its deterministic time.
PRICING_WORK_FACTOR = 2.0
# Who prices: "dp" (wfm.roster.pricing's exact labelling DP, CP-SAT where it does not fit) or "cp-sat".
PRICER = "dp"


@dataclass
class ColgenResult:
    bound: int  # proven lower bound on every roster's objective (whole)
    lp_value: float | None  # the restricted master's last LP value
    worked: set[tuple[int, int, int]]  # (employee, day, shift) of the best roster (empty: none)
    objective: int | None  # that roster's objective
    iterations: int  # full pricing rounds
    columns: int  # roster columns in the master
    deterministic_seconds: float
    stopped_by: str  # "bound reached", "deterministic limit", "wall-clock cap", "infeasible" or "not branched"
    # ("not branched": the dive's roster too far above the root's bound, BRANCH_GAP; the budget left unspent)
    nodes: int = 0  # branch and price's nodes (the root not counted)
    mip_nodes: int = 0  # price and branch's nodes (HiGHS on the integer master)
    dives: tuple[int, ...] = ()  # each dive's roster's objective, in order


class _NoRoster(Exception):
    """An employee has no roster that keeps every hard rule: the whole problem has none."""


class _Master:
    """The restricted master LP in one HiGHS object, columns added as they are priced."""

    def __init__(self, problem: RosterProblem):
        import highspy

        self.problem = problem
        people = len(problem.employees)
        index = {s.name: i for i, s in enumerate(problem.shifts)}
        self.lines = [(c.day, index[c.shift]) for c in problem.cover]  # cover row k's (day, shift)
        self.row_of = {key: people + k for k, key in enumerate(self.lines)}
        self.h = h = _quiet_highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("threads", 1)
        required = np.array([float(c.required) for c in problem.cover])
        ones = np.ones(people)
        empty = np.zeros(0, dtype=np.int32)
        h.addRows(people, ones, ones, 0, np.zeros(people, dtype=np.int32), empty, np.zeros(0))
        h.addRows(len(required), required, required, 0, np.zeros(len(required), dtype=np.int32), empty, np.zeros(0))
        # Slacks without an upper bound: under never exceeds the requirement anyway, and
        # no bound duals then enter the LP's value.
        for k, cover in enumerate(problem.cover):
            row = np.array([people + k], dtype=np.int32)
            h.addCol(float(cover.under_weight), 0.0, highspy.kHighsInf, 1, row, np.array([1.0]))
            h.addCol(float(cover.over_weight), 0.0, highspy.kHighsInf, 1, row, np.array([-1.0]))
        self.first_roster_column = 2 * len(required)
        self.columns: list[tuple[int, frozenset[tuple[int, int]], int]] = []  # (employee, roster, cost)
        self.seen: set[tuple[int, frozenset[tuple[int, int]]]] = set()
        self.work = 0.0  # iterations x (rows + columns)

    def add(self, e: int, roster: frozenset[tuple[int, int]], cost: int) -> bool:
        """Add employee ``e``'s ``roster`` (``{(day, shift)}``) at ``cost``; False if already in."""
        import highspy

        if (e, roster) in self.seen:
            return False
        self.seen.add((e, roster))
        rows = [e] + sorted(self.row_of[key] for key in roster if key in self.row_of)
        self.h.addCol(float(cost), 0.0, highspy.kHighsInf, len(rows), np.array(rows, dtype=np.int32),
                      np.ones(len(rows)))
        self.columns.append((e, roster, cost))
        return True

    def restrict(self, fixings, pinned=None) -> list[bool]:
        """Columns that break a node's ``fixings`` (``{(e, d, s): worked}``) get the upper bound 0.

        So do a dive's ``pinned`` employees' (``{e: roster}``) columns other than the one pinned.
        Returns, per employee, whether it has a column that keeps them.
        """
        first, count = self.first_roster_column, len(self.columns)
        upper = np.full(count, np.inf)
        compatible = [False] * len(self.problem.employees)
        pinned = pinned or {}
        for i, (e, roster, _) in enumerate(self.columns):
            if (e in pinned and roster != pinned[e]) or any(
                    _works(roster, d, s) != v for (emp, d, s), v in fixings.items() if emp == e):
                upper[i] = 0.0
            else:
                compatible[e] = True
        self.h.changeColsBounds(count, np.arange(first, first + count, dtype=np.int32), np.zeros(count), upper)
        return compatible

    def most_fractional(self):
        """The last LP's most fractional ``(e, d, s)`` (None when whole) and its roster when whole (else None)."""
        values = self.h.getSolution().col_value
        first = self.first_roster_column
        share: dict[tuple[int, int, int], float] = {}  # (e, d, s), and (e, d, -1) for the day worked at all
        whole = set()
        fractional = False
        for i, (e, roster, _) in enumerate(self.columns):
            value = values[first + i]
            if value > 1e-6:
                fractional = fractional or value < 1 - 1e-6
                for d, s in roster:
                    share[e, d, s] = share.get((e, d, s), 0.0) + value
                    share[e, d, -1] = share.get((e, d, -1), 0.0) + value
                if value > 0.5:
                    whole |= {(e, d, s) for d, s in roster}
        # Whether a day is worked first (it splits the rosters more evenly), then which
        # shift; closest to a half, ties by (employee, day, shift): deterministic.
        # Measured on Instance5 (50 deterministic s, from the same start): day first proves
        # 1143 in 78 nodes and 9 s; shift alone leaves it open after 697 nodes.
        candidates = sorted((key[2] != -1, abs(v - 0.5), key) for key, v in share.items() if 1e-6 < v < 1 - 1e-6)
        if candidates:
            return candidates[0][2], None
        return None, (None if fractional else whole)

    def solve(self) -> tuple[float, np.ndarray]:
        """Solve the LP: its value and the cover rows' duals."""
        self.h.run()
        info = self.h.getInfo()
        self.work += info.simplex_iteration_count * (self.h.getNumRow() + self.h.getNumCol())
        people = len(self.problem.employees)
        row_duals = self.h.getSolution().row_dual
        self.convexity = np.array(row_duals[:people])  # each employee's row: part of every column's reduced cost
        duals = np.array(row_duals[people:])
        return info.objective_function_value, duals


def column_generation(problem: RosterProblem, *, budget: float, start: set[tuple[int, int, int]] | None = None,
                      seed: int = 0, wall_clock_cap: float | None = None,
                      integer_share: float = INTEGER_SHARE, dive: bool = True) -> ColgenResult:
    """Column generation's lower bound on ``problem``, branch and price on it, then price and branch for a roster.

    The root's bound is the master LP's; when it does not prove the incumbent, the
    search branches on one employee working one shift on one day (yes / no), best bound
    first, each node's bound again by column generation, until the budget is spent. The
    bound returned is the least over the nodes still open.

    Parameters
    ----------
    problem : RosterProblem
        The roster problem.
    budget : float
        Deterministic seconds for the pricings, the master LPs and the integer master
        together (see the module docstring for how HiGHS's work is counted).
    start : set of (int, int, int), optional
        A roster that keeps every hard rule (``(employee, day, shift)`` worked), e.g.
        CP-SAT's: its columns start the master and price and branch starts from it, so
        the roster returned is never worse.
    seed : int
        CP-SAT's and HiGHS's random seed (one worker / thread each: reproducible).
    wall_clock_cap : float, optional
        Safety cap in wall-clock seconds; when it binds the result says so.
    integer_share : float
        Share of ``budget`` kept for the integer master (unless the bound proves ``start``).
    dive : bool
        Dive from the root's LP to a roster (:meth:`_Run.dive`) before branch and price,
        and branch only when the roster is within :data:`BRANCH_GAP` of the root's bound
        (otherwise the budget left is returned unspent). False: branch and price only.

    Returns
    -------
    ColgenResult
        The bound, the best roster and its objective, the rounds and columns, the work spent.
    """
    run = _Run(problem, seed, wall_clock_cap, start)
    search = (1 - integer_share) * budget
    try:
        root = run.converge({}, -math.inf, ROOT_SHARE * search if dive else search)
    except _NoRoster:
        return run.result(0, "infeasible")
    root_cost = run.used()

    def near() -> bool:
        # Branch and price when the incumbent is within BRANCH_GAP of the root's bound
        # (the proofs of Instances 1-7), or when the root was cheap (a node costs about
        # as much, so the tree can go deep).
        return run.objective is not None and (_whole(root.bound) >= (1 - BRANCH_GAP) * run.objective or (
            root.complete and root_cost <= CHEAP_ROOT * search))

    # Far from the bound: dive for a roster first (the gap is then the roster's).
    if dive and not run.capped() and not near():
        # (A root that did not converge within its share: its LP alone guides the dive,
        # the pricing budget left is the neighbourhoods'.)
        run.dive(DIVE_END * search if root.complete else run.used())
    # Still far: the rest of the search budget is not spent here (solve_roster gives it
    # to the neighbourhoods) and the integer master gets its own share.
    close = near()
    if dive and not close:
        search = min(search, run.used())
        budget = run.used() + integer_share * budget
    tree = []  # open nodes: (bound, order, fixings, branch), best bound first
    if root.branch is not None or not root.complete:
        tree.append((root.bound, 0, {}, root.branch))
    order = 0
    while tree and run.used() < search and not run.capped():
        bound, number, fixings, branch = heapq.heappop(tree)
        if run.objective is not None and whole_bound(bound) >= run.objective:
            tree = []  # best bound first: every open node is proven no better than the incumbent
            break
        if branch is None:  # (an unfinished node whose LP is whole: only once the budget has run out)
            heapq.heappush(tree, (bound, number, fixings, branch))
            break
        for value in (True, False):
            child = {**fixings, branch: value}
            if run.used() >= search or run.capped():  # not explored: open at its parent's bound
                order += 1
                heapq.heappush(tree, (bound, order, child, None))
                continue
            node = run.converge(child, bound, search)
            run.nodes += 1
            if node is None or (run.objective is not None and whole_bound(node.bound) >= run.objective):
                continue  # no roster keeps the fixings, or none better than the incumbent
            if node.branch is not None or not node.complete:
                order += 1
                heapq.heappush(tree, (node.bound, order, child, node.branch))
    # The least bound over the open nodes (none open: the search is finished, the incumbent optimal).
    proven = min((b for b, *_ in tree), default=math.inf)
    if run.objective is not None:
        proven = min(proven, run.objective)
    stopped_by = "wall-clock cap" if run.capped() else "deterministic limit" if tree else "bound reached"
    if tree and dive and not close and not run.capped():
        stopped_by = "not branched"
    proven = whole_bound(proven) if -math.inf < proven < math.inf else 0
    if (run.objective is None or proven < run.objective) and not run.capped():
        run.price_and_branch(budget)
    return run.result(min(proven, run.objective) if run.objective is not None else proven, stopped_by)


@dataclass
class _Node:
    bound: float  # proven lower bound on every roster that keeps the node's fixings
    branch: tuple[int, int, int] | None  # the most fractional (employee, day, shift), None: the LP is whole
    complete: bool  # its column generation finished (False: the budget ran out first)


class _Run:
    """One column generation: the master, each employee's pricing model, the incumbent and the work done."""

    def __init__(self, problem, seed, cap, start):
        self.problem, self.seed, self.cap = problem, seed, cap
        self.began = time.perf_counter()
        people = len(problem.employees)
        self.master = _Master(problem)
        self.models = [employee_model(problem, e) for e in range(people)]
        self.requests = [_request_cost_table(problem, employee.name) for employee in problem.employees]
        self.incumbent, self.objective = set(), None
        self.spent = 0.0  # pricing's deterministic seconds
        self.iterations, self.nodes, self.mip_nodes = 0, 0, 0
        self.lp_value = None
        self.last: dict[int, frozenset] = {}  # each employee's last priced roster (the next pricing's hint)
        self.pinned: dict[int, frozenset] = {}  # a dive's employees fixed to one roster (not priced)
        self.dives: list[int] = []  # each dive's roster's objective
        cover = problem.cover
        self.required = np.array([float(c.required) for c in cover])
        self.low = -np.array([float(c.over_weight) for c in cover])
        self.high = np.array([float(c.under_weight) for c in cover])
        if start:
            self.incumbent, self.objective = set(start), _objective(problem, set(start))
            for e in range(people):
                roster = frozenset((d, s) for emp, d, s in start if emp == e)
                self.master.add(e, roster, _own_cost(self.requests[e], roster))

    def used(self) -> float:
        return self.spent + self.master.work / LP_WORK_PER_SECOND

    def capped(self) -> bool:
        return self.cap is not None and time.perf_counter() - self.began > self.cap

    def left(self):
        return None if self.cap is None else self.cap - (time.perf_counter() - self.began)

    def converge(self, fixings, parent: float, search: float, rounds: int | None = None) -> _Node | None:
        """Column generation at the node of ``fixings`` (``{(e, d, s): worked}``); None when it has no roster.

        A dive's pinned employees (``self.pinned``) keep only their pinned column and are
        not priced; ``rounds`` caps the pricing rounds (the node is then not complete).
        """
        master, people = self.master, len(self.problem.employees)
        compatible = master.restrict(fixings, self.pinned)
        for e in range(people):  # every employee needs a column that keeps the fixings
            if not compatible[e]:
                status, roster, _, used = cheapest_roster(self.models[e], {}, fixed=_own(fixings, e), seed=self.seed,
                                                          limit=PRICING_LIMIT, cap=self.left())
                self.spent += used
                if status == "infeasible":
                    if not fixings:
                        raise _NoRoster(e)
                    return None
                if roster is None:  # (stopped by a limit: the node stays open)
                    return _Node(parent, None, False)
                master.add(e, roster, _own_cost(self.requests[e], roster))
        best, best_duals, complete, solved, done = parent, None, False, False, 0
        while self.used() < search and not self.capped() and (rounds is None or done < rounds):
            lp_value, duals = master.solve()
            solved = True
            if not fixings and not self.pinned:
                self.lp_value = lp_value
            duals = np.clip(duals, self.low, self.high)  # (numerical noise; the bound needs the box)
            if best > -math.inf and (whole_bound(best) >= whole_bound(lp_value) or (
                    self.objective is not None and whole_bound(best) >= self.objective)):
                complete = True
                break
            smoothed = duals if best_duals is None else SMOOTHING * best_duals + (1 - SMOOTHING) * duals
            bounds, added, spent, round_complete = _pricing_round(self, fixings, smoothed, duals, search - self.used())
            self.spent += spent
            self.iterations += 1
            done += 1
            if round_complete:
                bound = sum(bounds) + float(smoothed @ self.required)
                if bound > best:
                    best, best_duals = bound, smoothed
            if not added and best_duals is not None and smoothed is not duals:
                best_duals = None  # mispriced at the smoothed duals: price at the master's next round
            elif not added and round_complete:
                complete = True
                break
        if not solved:  # (the budget ran out first: no LP of this node to branch on)
            return _Node(best, None, False)
        branch, whole = master.most_fractional()
        if whole is not None:
            value = _objective(self.problem, whole)
            if self.objective is None or value < self.objective:
                self.incumbent, self.objective = whole, value
        return _Node(best, branch, complete)

    def dive(self, search: float) -> tuple[set[tuple[int, int, int]], int]:
        """One dive from the master's LP to a roster (every employee pinned to one column): ``(roster, objective)``.

        Each step pins every unpinned employee's column at ``lambda >= DIVE_WHOLE`` and the
        largest other one (ties: the column added first), then re-prices the unpinned
        employees for at most :data:`DIVE_ROUNDS` rounds. When that step's LP value or its
        Lagrangian bound cannot beat the incumbent, the step's largest column is unpinned
        and not chosen first again (:data:`DIVE_BACKTRACKS` times a dive). Once ``search``
        is spent (or the cap binds) the steps go on without pricing, the LP over the
        columns there are guiding them: the slacks keep each master feasible, so a dive
        always ends in a roster, and any choice of one column per employee keeps every
        hard rule.
        """
        master, people = self.master, len(self.problem.employees)
        first = master.first_roster_column
        forbidden: set[int] = set()  # columns backtracked from
        backtracks, last, bound = DIVE_BACKTRACKS, None, -math.inf
        self.pinned = {}
        try:
            master.restrict({}, self.pinned)
            while len(self.pinned) < people:
                lp_value, _ = master.solve()
                beaten = self.objective is not None and max(whole_bound(lp_value), _whole(bound)) >= self.objective
                if last is not None and backtracks > 0 and beaten:
                    del self.pinned[master.columns[last][0]]
                    forbidden.add(last)
                    backtracks, last, bound = backtracks - 1, None, -math.inf
                    master.restrict({}, self.pinned)
                    continue
                values = master.h.getSolution().col_value
                spent = self.used() >= search or self.capped()
                largest = {}  # unpinned employee: (backtracked from, -lambda, column) of the column to pin
                for i, (e, _, _) in enumerate(master.columns):
                    if e not in self.pinned:
                        key = (i in forbidden, -(values[first + i] if first + i < len(values) else 0.0), i)
                        largest[e] = min(key, largest.get(e, key))
                sure = {e for e, key in largest.items() if not key[0] and -key[1] >= DIVE_WHOLE}
                others = sorted(key for e, key in largest.items() if e not in sure)
                last = others[0][2] if others else None
                for i in [largest[e][2] for e in sure] + ([last] if last is not None else []):
                    e, roster, _ = master.columns[i]
                    self.pinned[e] = roster
                if spent:  # (no pricing any more: the LP alone guides the rest of the dive)
                    master.restrict({}, self.pinned)
                    bound = -math.inf
                    continue
                node = self.converge({}, -math.inf, search, rounds=DIVE_ROUNDS)
                bound = node.bound if node is not None else -math.inf
            worked = {(e, d, s) for e, roster in self.pinned.items() for d, s in roster}
        finally:
            self.pinned = {}
            master.restrict({})
        value = _objective(self.problem, worked)
        self.dives.append(value)
        if self.objective is None or value < self.objective:
            self.incumbent, self.objective = worked, value
        return worked, value

    def price_and_branch(self, budget: float) -> None:
        """The integer master over every column, from the incumbent, with what is left of ``budget``."""
        remaining = max(0.0, budget - self.used())
        limit = max(1, int(remaining * NODE_WORK_PER_SECOND / max(1, _nonzeros(self.master))))
        self.master.restrict({})
        found, nodes = _price_and_branch(self.master, self.incumbent, limit, self.seed, self.left())
        self.mip_nodes = nodes
        self.spent += remaining * min(1.0, nodes / limit)
        if found is not None:
            value = _objective(self.problem, found)
            if self.objective is None or value < self.objective:
                self.incumbent, self.objective = found, value

    def result(self, bound: int, stopped_by: str) -> ColgenResult:
        return ColgenResult(bound=bound, lp_value=self.lp_value, worked=self.incumbent, objective=self.objective,
                            iterations=self.iterations, columns=len(self.master.columns),
                            deterministic_seconds=self.used(), stopped_by=stopped_by, nodes=self.nodes,
                            mip_nodes=self.mip_nodes, dives=tuple(self.dives))


def _whole(bound: float) -> float:
    """:func:`whole_bound` that leaves minus infinity (no bound yet) as it is."""
    return bound if bound == -math.inf else whole_bound(bound)


def _own(fixings, e):
    """Employee ``e``'s part of a node's fixings: ``{(day, shift): worked}`` (shift -1: the day, any shift)."""
    return {(d, s): v for (emp, d, s), v in fixings.items() if emp == e}


def _works(roster, d: int, s: int) -> bool:
    """Whether ``roster`` works shift ``s`` on day ``d`` (``s == -1``: any shift that day)."""
    return any(day == d for day, _ in roster) if s == -1 else (d, s) in roster


def _pricing_round(run: _Run, fixings, prices, duals, budget):
    """Price every employee at ``prices``: ``(their cheapest reduced costs, columns added, seconds, complete)``.

    A roster joins the master when its reduced cost at the master's own ``duals`` (its
    employee's convexity dual included) is negative. ``complete`` is False when the
    budget or the cap ran out before every employee was priced (the round then gives no
    bound).
    """
    master = run.master
    index = {key: k for k, key in enumerate(master.lines)}
    priced = {key: prices[k] for key, k in index.items()}
    bounds, added, spent = [], 0, 0.0
    for e, model in enumerate(run.models):
        if e in run.pinned:  # (pinned by a dive: its one column's reduced cost is its cheapest)
            bounds.append(_own_cost(run.requests[e], run.pinned[e])
                          - sum(priced[key] for key in run.pinned[e] if key in priced))
            continue
        left = run.left()
        if spent >= budget or (left is not None and left <= 0):
            return bounds, added, spent, False
        status, roster, bound, used = cheapest_roster(model, priced, fixed=_own(fixings, e), hint=run.last.get(e),
                                                      seed=run.seed,
                                                      limit=min(PRICING_LIMIT, budget - spent), cap=left)
        spent += used
        if status == "infeasible" and not fixings:
            raise _NoRoster(e)
        if roster is None:
            return bounds, added, spent, False
        run.last[e] = roster
        bounds.append(bound)
        cost = _own_cost(run.requests[e], roster)
        reduced = cost - sum(duals[index[key]] for key in roster if key in index) - master.convexity[e]
        if reduced < -1e-6:
            added += master.add(e, roster, cost)
    return bounds, added, spent, True


def cheapest_roster(model: RosterModel, prices: dict[tuple[int, int], float], *,
                    fixed: dict[tuple[int, int], bool] | None = None, hint: frozenset | None = None, seed: int = 0,
                    limit: float = PRICING_LIMIT, cap: float | None = None, pricer: str = PRICER):
    """One employee's cheapest roster under all its hard rules: wishes broken less the prices of the shifts worked.

    This is column generation's pricing problem (``prices`` are the cover rows' duals).
    By default the labelling DP of :mod:`wfm.roster.pricing` solves it exactly (its
    bound lowered by a margin for the floats' rounding); CP-SAT does when ``pricer`` is
    ``"cp-sat"`` or the call's labels would outgrow the DP's memory cap. CP-SAT
    solves it on one worker; the prices are scaled to whole numbers and rounded down,
    so the bound returned is never above the true minimum.

    Parameters
    ----------
    model : RosterModel
        The employee's own model (:func:`wfm.roster.model.employee_model`); its
        objective is replaced.
    prices : dict of (int, int) to float
        ``(day, shift)`` to what working it earns (a shift without a price earns nothing).
    fixed : dict of (int, int) to bool, optional
        ``(day, shift)`` the roster must (True) or must not (False) work (shift -1:
        the day, whatever the shift): a node of branch and price.
    hint : frozenset of (int, int), optional
        A roster to start the search from (e.g. the employee's last priced one).
    seed : int
        CP-SAT's random seed.
    limit : float
        Deterministic seconds at most.
    cap : float, optional
        Wall-clock safety cap in seconds (CP-SAT only: the DP's work is bounded by ``limit``).
    pricer : str
        ``"dp"`` (the labelling DP where it fits, else CP-SAT) or ``"cp-sat"``.

    Returns
    -------
    status : str
        ``"optimal"``, ``"feasible"`` (stopped by a limit), ``"infeasible"`` or ``"unknown"``.
    roster : frozenset of (int, int) or None
        The best ``(day, shift)`` worked found (None: none found).
    bound : float or None
        A proven lower bound on the minimum (the minimum itself when optimal, up to the rounding).
    seconds : float
        Deterministic seconds used.
    """
    spent = 0.0
    if pricer == "dp":
        found = label_pricer(model).price(prices, fixed, limit=limit)
        if found.status != "too large":
            return found.status, found.roster, found.bound, found.seconds
        spent, limit = found.seconds, limit - found.seconds
    scaled = {key: math.floor(-PRICE_SCALE * price) for key, price in prices.items()}
    model.cp.Minimize(PRICE_SCALE * model.objective()
                      + sum(scaled.get((d, s), 0) * var for (_, d, s), var in model.works.items()))
    model.cp.ClearAssumptions()
    model.cp.ClearHints()
    if hint is not None:
        for (_, d, s), var in model.works.items():
            model.cp.AddHint(var, (d, s) in hint)
    for (d, s), worked in (fixed or {}).items():
        var = model.on_day[0, d] if s == -1 else model.works.get((0, d, s))
        if var is None:
            if worked:  # (a shift the employee cannot work at all)
                return "infeasible", None, None, 0.002
            continue
        model.cp.AddAssumption(var if worked else var.Not())
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.max_deterministic_time = max(0.01, limit)
    if cap is not None:
        solver.parameters.max_time_in_seconds = max(0.1, cap)
    status = solver.Solve(model.cp)
    # A floor per solve, as in the first roster's: presolve's work is not all counted.
    used = spent + PRICING_WORK_FACTOR * max(0.002, solver.ResponseProto().deterministic_time)
    if status == cp_model.INFEASIBLE:
        return "infeasible", None, None, used
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return "unknown", None, None, used
    roster = frozenset((d, s) for (_, d, s), var in model.works.items() if solver.BooleanValue(var))
    return ("optimal" if status == cp_model.OPTIMAL else "feasible"), roster, solver.BestObjectiveBound() / PRICE_SCALE, used


def _price_and_branch(master: _Master, start, node_limit: int, seed: int, cap):
    """The master with binary lambdas: ``(roster or None, nodes)``."""
    import highspy

    h = master.h
    first = master.first_roster_column
    count = len(master.columns)
    h.changeColsIntegrality(count, np.arange(first, first + count, dtype=np.int32),
                            np.array([highspy.HighsVarType.kInteger] * count))
    set_mip_limits(h, node_limit, seed, cap)
    if start:
        values = [0.0] * (first + count)
        for i, (e, roster, _) in enumerate(master.columns):
            if roster == frozenset((d, s) for emp, d, s in start if emp == e):
                values[first + i] = 1.0
        staffed = {key: 0 for key in master.lines}
        for _, d, s in start:
            if (d, s) in staffed:
                staffed[d, s] += 1
        for k, (key, cover) in enumerate(zip(master.lines, master.problem.cover, strict=True)):
            values[2 * k] = max(0.0, cover.required - staffed[key])
            values[2 * k + 1] = max(0.0, staffed[key] - cover.required)
        solution = highspy.HighsSolution()
        solution.col_value = values
        solution.value_valid = True
        h.setSolution(solution)
    h.run()
    info = h.getInfo()
    nodes = int(info.mip_node_count)
    if info.primal_solution_status != 2:  # no feasible roster
        return None, nodes
    values = h.getSolution().col_value
    worked = {(e, d, s) for i, (e, roster, _) in enumerate(master.columns) if values[first + i] > 0.5
              for d, s in roster}
    return worked, nodes


def _nonzeros(master: _Master) -> int:
    """The master's nonzeros (a node's work grows with them)."""
    return 2 * len(master.lines) + sum(1 + len(roster) for _, roster, _ in master.columns)


def _own_cost(table, roster) -> int:
    """The wishes ``roster`` (``{(day, shift)}``) breaks, priced by ``table`` (:func:`_request_cost_table`)."""
    constant, change = table
    return constant + sum(change.get(key, 0) for key in roster)


def _objective(problem: RosterProblem, worked: set[tuple[int, int, int]]) -> int:
    """The objective of the roster ``worked``: wishes broken plus cover short and over."""
    index = {s.name: i for i, s in enumerate(problem.shifts)}
    employee = {emp.name: e for e, emp in enumerate(problem.employees)}
    value = sum(r.weight for r in problem.requests
                if ((employee[r.employee], r.day, index[r.shift]) in worked) != r.wanted)
    for c in problem.cover:
        staffed = sum((e, c.day, index[c.shift]) in worked for e in range(len(problem.employees)))
        value += c.under_weight * max(0, c.required - staffed) + c.over_weight * max(0, staffed - c.required)
    return value
