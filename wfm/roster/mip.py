"""The roster as an integer program, one helper per rule, solved by HiGHS or SCIP.

CP-SAT (:mod:`wfm.roster.model`) finds good rosters but proves little. The integer
program below is the textbook one (Curtois & Qu solved instances 1-7 to optimality with
such a program and a commercial solver). Its plain LP relaxation is weak too (Instance4:
532 against the optimum 1716), but HiGHS's cuts and branching lift it far above
CP-SAT's bound (measured at 60 deterministic s: Instance4 1604 against CP-SAT's 1528,
Instance10 4630 against the optimum 4631):

* ``works[e, d, s]`` binary, at most one shift type a day;
* a forbidden succession as one clique row per day and following shift type;
* max consecutive worked days as sliding windows of ``max + 1`` days;
* min consecutive worked days (days off) as "a run that starts on day ``d`` is still
  on (off) ``i`` days later", for ``i`` below the minimum: a row per start and offset,
  much tighter than forbidding each short pattern;
* a weekend variable at least each of its days' work, their sum at most the limit;
* cover slacks ``under``/``over`` per day and shift type; requests as linear costs.

The objective is the same as :mod:`wfm.roster.evaluate`'s (the tests check it on the
solver's rosters). The model is kept solver-neutral (columns and sparse rows) and is
handed to HiGHS (``highspy``; OR-Tools' own HiGHS wrapper reports the incumbent as its
bound and passes no options) or to SCIP (OR-Tools' ``pywraplp``; about 3x slower here
on instances 1-3). Both stop on a node
limit, never on the clock (the clock is only a safety cap, and reported when it binds):
with one thread both are deterministic, so a budget gives the same roster and bound
however loaded the machine is.
"""

from __future__ import annotations

import math
import os
import sys
import time
from dataclasses import dataclass, field

import numpy as np

from wfm.roster.problem import Contract, Cover, RosterProblem

BACKENDS = ("highs", "scip")
INFINITY = math.inf


@dataclass
class RosterIp:
    """The integer program: columns with bounds and costs, rows as sparse ``lo <= a.x <= hi``."""

    problem: RosterProblem
    lower: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    cost: list[float] = field(default_factory=list)
    integer: list[bool] = field(default_factory=list)
    rows: list[tuple[dict[int, float], float, float]] = field(default_factory=list)
    offset: float = 0.0  # the weight of on-requests, paid back by each one granted
    works: dict[tuple[int, int, int], int] = field(default_factory=dict)  # (employee, day, shift) -> column
    cover_rows: list[tuple[Cover, list[int]]] = field(default_factory=list)  # each cover line, its works columns
    slacks: list[tuple[int, int]] = field(default_factory=list)  # (under, over) columns of each cover line
    weekends: list[tuple[int, list[int]]] = field(default_factory=list)  # a weekend's column, its days' works columns

    def column(self, lower: float, upper: float, cost: float = 0.0, *, integer: bool = True) -> int:
        """Add a column.

        Parameters
        ----------
        lower, upper : float
            Its bounds.
        cost : float
            Its objective coefficient.
        integer : bool
            Whether it must take whole values.

        Returns
        -------
        int
            The column's index.
        """
        self.lower.append(lower)
        self.upper.append(upper)
        self.cost.append(cost)
        self.integer.append(integer)
        return len(self.cost) - 1

    def row(self, terms: dict[int, float], lower: float = -INFINITY, upper: float = INFINITY) -> None:
        """Add the row ``lower <= sum(coef * column) <= upper``.

        Parameters
        ----------
        terms : dict of int to float
            Column index to coefficient (zero coefficients are dropped).
        lower, upper : float
            The row's bounds.
        """
        self.rows.append(({c: a for c, a in terms.items() if a}, lower, upper))

    def price(self, worked: set[tuple[int, int, int]]) -> int:
        """The objective of the roster ``worked``, cover priced from the people staffed.

        A search stopped by a limit may leave a cover line's ``under`` and ``over`` both
        positive (seen on Instance10: HiGHS 10166, the roster itself 9964): the roster's
        price is what its staffing costs, not the slacks' value.

        Parameters
        ----------
        worked : set of (int, int, int)
            ``(employee, day, shift)`` keys of ``works`` worked.

        Returns
        -------
        int
            Requests' and cover's weights, as :func:`wfm.roster.evaluate_curtois` counts them.
        """
        columns = {self.works[key] for key in worked}
        value = self.offset + sum(self.cost[c] for c in columns)
        for cover, members in self.cover_rows:
            staffed = sum(c in columns for c in members)
            value += cover.under_weight * max(0, cover.required - staffed) + cover.over_weight * max(0, staffed - cover.required)
        return round(value)

    def on_day(self, e: int, d: int) -> dict[int, float]:
        """The columns that say employee ``e`` works day ``d`` (each with coefficient 1).

        Parameters
        ----------
        e, d : int
            Employee and day indexes.

        Returns
        -------
        dict of int to float
            ``works`` columns of that day (empty on a fixed day off).
        """
        return {self.works[e, d, s]: 1.0 for s in range(len(self.problem.shifts)) if (e, d, s) in self.works}


def build_ip(problem: RosterProblem) -> RosterIp:
    """The integer program of ``problem``: every hard rule, and the objective of the evaluator.

    Parameters
    ----------
    problem : RosterProblem
        Employees, days, shift types, contracts, requests and cover.

    Returns
    -------
    RosterIp
        Columns (``works`` first), rows and objective, ready for :func:`solve_ip`.

    Examples
    --------
    >>> from wfm.roster.curtois import parse_curtois
    >>> lines = ["SECTION_HORIZON", "7", "SECTION_SHIFTS", "D,480,", "SECTION_STAFF",
    ...          "A,D=7,3360,0,7,1,1,2", "SECTION_COVER", "0,D,1,100,1"]
    >>> ip = build_ip(parse_curtois(chr(10).join(lines)))
    >>> len(ip.works), ip.cost[ip.works[0, 0, 0]]
    (7, 0.0)
    """
    ip = RosterIp(problem)
    add_assignment(ip)
    add_forbidden_successions(ip)
    contract_rules = (add_max_shifts_per_type, add_total_minutes, add_max_consecutive_shifts, add_min_runs,
                      add_max_weekends)
    for e, employee in enumerate(problem.employees):
        for rule in contract_rules:
            rule(ip, e, employee.contract)
    add_requests(ip)
    add_cover(ip)
    return ip


def add_assignment(ip: RosterIp) -> None:
    """A binary per employee, day and shift type the contract allows; at most one a day.

    No column on a fixed day off, nor for a shift type whose maximum is zero.

    Parameters
    ----------
    ip : RosterIp
        The program being built; gets the ``works`` columns and a row per employee and day.
    """
    problem = ip.problem
    for e, employee in enumerate(problem.employees):
        for d in range(problem.days):
            if d in employee.days_off:
                continue
            for s, shift in enumerate(problem.shifts):
                if employee.contract.max_shifts.get(shift.name, 1) > 0:
                    ip.works[e, d, s] = ip.column(0, 1)
            if len(ip.on_day(e, d)) > 1:
                ip.row(ip.on_day(e, d), upper=1)


def add_forbidden_successions(ip: RosterIp) -> None:
    """A shift type on day ``d + 1`` excludes every type on day ``d`` it may not follow.

    For each following type ``t``, the types ``S`` it may not follow on day ``d`` and
    every type on day ``d + 1`` that may not follow any of ``S`` either form a clique (at
    most one of them is worked): one row instead of a row per forbidden pair, and a much
    tighter one (night, late and day shifts before an early one, say).

    Parameters
    ----------
    ip : RosterIp
        The program being built.
    """
    problem = ip.problem
    index = {s.name: i for i, s in enumerate(problem.shifts)}
    before: dict[int, set[int]] = {}  # following type -> the types it may not follow
    for s, shift in enumerate(problem.shifts):
        for name in shift.cannot_follow:
            before.setdefault(index[name], set()).add(s)
    cliques = {(frozenset(earlier), frozenset(t for t, other in before.items() if earlier <= other))
               for earlier in before.values()}
    for e in range(len(problem.employees)):
        for d in range(problem.days - 1):
            for earlier, later in sorted(cliques, key=lambda c: (sorted(c[0]), sorted(c[1]))):
                first = {ip.works[e, d, s]: 1.0 for s in sorted(earlier) if (e, d, s) in ip.works}
                second = {ip.works[e, d + 1, t]: 1.0 for t in sorted(later) if (e, d + 1, t) in ip.works}
                if first and second:
                    ip.row({**first, **second}, upper=1)


def add_max_shifts_per_type(ip: RosterIp, e: int, contract: Contract) -> None:
    """No more shifts of each type than the contract allows.

    Parameters
    ----------
    ip : RosterIp
        Gets a ``<=`` row per shift type whose limit is below the days it could be worked.
    e : int
        Whose ``works`` columns are counted per type.
    contract : Contract
        Its ``max_shifts`` (a type without an entry is not limited).
    """
    for s, shift in enumerate(ip.problem.shifts):
        limit = contract.max_shifts.get(shift.name)
        worked = {c: 1.0 for (emp, _, t), c in ip.works.items() if emp == e and t == s}
        if limit is not None and len(worked) > limit:
            ip.row(worked, upper=limit)


def add_total_minutes(ip: RosterIp, e: int, contract: Contract) -> None:
    """Worked minutes between the contract's minimum and maximum.

    Parameters
    ----------
    ip : RosterIp
        Gets one ranged row: each shift's minutes times its column.
    e : int
        The employee whose shifts are summed.
    contract : Contract
        ``min_minutes`` and ``max_minutes`` (``None``: no maximum) bound the row.
    """
    minutes = {c: float(ip.problem.shifts[s].minutes) for (emp, _, s), c in ip.works.items() if emp == e}
    upper = INFINITY if contract.max_minutes is None else contract.max_minutes
    ip.row(minutes, contract.min_minutes, upper)


def add_max_consecutive_shifts(ip: RosterIp, e: int, contract: Contract) -> None:
    """Every window of ``max + 1`` days has a day off.

    Parameters
    ----------
    ip : RosterIp
        Gets a window row per first day (none when the maximum is the horizon or more).
    e : int
        The employee whose days are windowed.
    contract : Contract
        Its ``max_consecutive_shifts`` is the longest run of worked days.
    """
    limit = contract.max_consecutive_shifts
    days = ip.problem.days
    if limit is None or limit >= days:
        return
    for first in range(days - limit):
        window: dict[int, float] = {}
        for d in range(first, first + limit + 1):
            window.update(ip.on_day(e, d))
        if len(window) > limit:
            ip.row(window, upper=limit)


def add_min_runs(ip: RosterIp, e: int, contract: Contract) -> None:
    """Both minimum-run rules of the contract (:func:`add_min_run`): worked days, then days off.

    Parameters
    ----------
    ip : RosterIp
        Gets the rows of both rules.
    e : int
        The employee whose runs they bound.
    contract : Contract
        ``min_consecutive_shifts`` and ``min_consecutive_days_off``.
    """
    add_min_run(ip, e, contract.min_consecutive_shifts, working=True)
    add_min_run(ip, e, contract.min_consecutive_days_off, working=False)


def add_min_run(ip: RosterIp, e: int, minimum: int, *, working: bool) -> None:
    """A run of worked days (``working``) or of days off lasts at least ``minimum`` days.

    With ``on(d)`` the day's work (0 or 1) and ``like(d)`` = ``on(d)`` for a worked run,
    ``1 - on(d)`` for days off: a run starts on ``d`` when ``like(d) - like(d - 1)`` is 1,
    and then ``like(d + i)`` must be 1 for ``i`` < ``minimum``. When the horizon ends
    first, the run is cut by the edge: exempt (``edge_runs == "exempt"``) or forbidden.
    Day 0 starts a run cut by the edge too (the day before is unknown): no row when
    exempt; held to the minimum as if the day before were unlike it when enforced.

    Parameters
    ----------
    ip : RosterIp
        Gets a row per possible first day of a run and day inside its minimum.
    e : int
        The employee whose runs are bounded.
    minimum : int
        Days a run lasts at least (1: no rows).
    working : bool
        True for runs of worked days, False for runs of days off.
    """
    problem = ip.problem
    days, exempt = problem.days, problem.edge_runs == "exempt"
    sign = 1.0 if working else -1.0  # like(d) = sign * on(d) + (0 or 1)

    def like(d: int, factor: float, terms: dict[int, float]) -> float:
        """Add ``factor * like(d)`` to ``terms``; returns its constant part."""
        for c in ip.on_day(e, d):
            terms[c] = terms.get(c, 0.0) + factor * sign
        return 0.0 if working else factor

    for d in range(1 if exempt else 0, days):
        for i in range(1, minimum):
            # like(d) - like(d - 1) - like(d + i) <= 0, the day before day 0 unlike it
            terms: dict[int, float] = {}
            constant = like(d, 1.0, terms) + (like(d - 1, -1.0, terms) if d > 0 else 0.0)
            if d + i < days:
                constant += like(d + i, -1.0, terms)
            elif exempt:
                break  # the run reaches the horizon's end: cut by the edge, exempt
            ip.row(terms, upper=-constant)
            if d + i >= days:
                break  # enforced: no run may start on d (one row says so)


def add_max_weekends(ip: RosterIp, e: int, contract: Contract) -> None:
    """A weekend counts as worked when its Saturday or Sunday is worked.

    Parameters
    ----------
    ip : RosterIp
        Gets a binary per weekend at least each of its days' shifts, and the row that
        counts them.
    e : int
        The employee whose weekends are counted.
    contract : Contract
        ``max_weekends`` caps the count (``None`` or every weekend: no rows at all).
    """
    weekends = ip.problem.weekends()
    if contract.max_weekends is None or contract.max_weekends >= len(weekends):
        return
    worked = {}
    for days in weekends:
        weekend = ip.column(0, 1)
        worked[weekend] = 1.0
        members = [c for d in days for c in ip.on_day(e, d)]
        ip.weekends.append((weekend, members))
        for c in members:
            ip.row({c: 1.0, weekend: -1.0}, upper=0)
    ip.row(worked, upper=contract.max_weekends)


def add_requests(ip: RosterIp) -> None:
    """An unmet on-request costs its weight (paid up front, paid back when granted); a granted off-request costs its weight.

    Parameters
    ----------
    ip : RosterIp
        The program being built; its ``works`` costs and ``offset`` grow.
    """
    problem = ip.problem
    named = {(problem.employees[e].name, d, problem.shifts[s].name): c for (e, d, s), c in ip.works.items()}
    for request in problem.requests:
        # No column: the shift cannot be worked that day (a day off, a zero maximum).
        column = named.get((request.employee, request.day, request.shift))
        if request.wanted:
            ip.offset += request.weight
            if column is not None:
                ip.cost[column] -= request.weight
        elif column is not None:
            ip.cost[column] += request.weight


def add_cover(ip: RosterIp) -> None:
    """People short of and over the requirement of each day and shift type, at their weights.

    Parameters
    ----------
    ip : RosterIp
        The program being built; gets an ``under`` and an ``over`` column and a row per cover line.
    """
    problem = ip.problem
    shift = {s.name: i for i, s in enumerate(problem.shifts)}
    for cover in problem.cover:
        s = shift[cover.shift]
        staffed = {c: 1.0 for (_, d, t), c in ip.works.items() if d == cover.day and t == s}
        ip.cover_rows.append((cover, list(staffed)))
        # Continuous: with whole staffing and weights >= 0 the best slacks are whole.
        under = ip.column(0, cover.required, cover.under_weight, integer=False)
        over = ip.column(0, INFINITY, cover.over_weight, integer=False)
        ip.slacks.append((under, over))
        ip.row({**staffed, under: 1.0, over: -1.0}, cover.required, cover.required)


@dataclass
class IpResult:
    status: str  # "optimal", "feasible" (a roster, not proven), "infeasible", "unknown"
    worked: set[tuple[int, int, int]]  # (employee, day, shift) of the best roster found (empty: none)
    objective: int | None  # that roster's price (:meth:`RosterIp.price`)
    bound: int | None  # proven lower bound on every roster's objective (None: none)
    nodes: int  # branch-and-bound nodes, the deterministic measure of the work done
    seconds: float
    stopped_by: str  # "optimal", "infeasible", "node limit" or "wall-clock cap"
    backend: str


def whole_bound(bound: float) -> int:
    """The least whole number at or above a solver's bound, less its rounding noise.

    The objective is a whole number, so a bound of 1715.02 proves 1716; a bound of
    607.0000000004 (noise of the floating-point arithmetic) proves only 607.

    Parameters
    ----------
    bound : float
        A dual bound from HiGHS or SCIP.

    Returns
    -------
    int
        The whole-number bound.

    Examples
    --------
    >>> whole_bound(1715.02), whole_bound(607.0000000004), whole_bound(-3.5)
    (1716, 607, -3)
    """
    return math.ceil(bound - 1e-6 * max(1.0, abs(bound)))


def solve_ip(ip: RosterIp, *, backend: str = "highs", node_limit: int = 10_000,
             start: set[tuple[int, int, int]] | None = None, wall_clock_cap: float | None = None,
             seed: int = 0) -> IpResult:
    """Solve ``ip`` with HiGHS or SCIP on one thread, stopped by a node limit.

    Parameters
    ----------
    ip : RosterIp
        From :func:`build_ip`.
    backend : str
        ``"highs"`` or ``"scip"``.
    node_limit : int
        Branch-and-bound nodes at most (the reproducible stopping rule).
    start : set of (int, int, int), optional
        A roster that keeps every hard rule (``works`` keys), given to the solver as
        its first incumbent.
    wall_clock_cap : float, optional
        Safety cap in seconds; when it binds the result says so (and may then vary).
    seed : int
        The solver's random seed.

    Returns
    -------
    IpResult
        The best roster found, its price, the proven bound and the nodes used.
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend {backend!r}: expected one of {', '.join(BACKENDS)}")
    began = time.perf_counter()
    solve = _solve_highs if backend == "highs" else _solve_scip
    status, values, bound, nodes, capped = solve(ip, node_limit, start, wall_clock_cap, seed)
    worked = set() if values is None else {key for key, c in ip.works.items() if values[c] > 0.5}
    objective = ip.price(worked) if values is not None else None
    bound = whole_bound(bound) if bound is not None else None
    if objective is not None and bound is not None:
        bound = min(bound, objective)  # (the solver's proof is of its own value, never above the roster's)
    if status == "infeasible":
        stopped_by = "infeasible"
    elif objective is not None and bound is not None and bound >= objective:
        status, stopped_by = "optimal", "optimal"
    else:
        status = "feasible" if objective is not None else "unknown"
        stopped_by = "wall-clock cap" if capped else "node limit"
    return IpResult(status, worked, objective, bound, nodes, time.perf_counter() - began, stopped_by, backend)


def _csr(ip: RosterIp):
    """The rows as compressed sparse rows: ``(starts, columns, values, lower, upper)``."""
    starts, columns, values = [0], [], []
    for terms, _, _ in ip.rows:
        columns.extend(terms)
        values.extend(terms.values())
        starts.append(len(columns))
    lower = [lo for _, lo, _ in ip.rows]
    upper = [hi for _, _, hi in ip.rows]
    return (np.array(starts, dtype=np.int32), np.array(columns, dtype=np.int32), np.array(values, dtype=float),
            np.array(lower, dtype=float), np.array(upper, dtype=float))


def _start_values(ip: RosterIp, start: set[tuple[int, int, int]]) -> list[float]:
    """Every column's value in the roster ``start``: the solver gets a whole solution, nothing to complete."""
    values = [0.0] * len(ip.cost)
    for key in start:
        values[ip.works[key]] = 1.0
    for weekend, members in ip.weekends:
        values[weekend] = max((values[c] for c in members), default=0.0)
    for (cover, members), (under, over) in zip(ip.cover_rows, ip.slacks, strict=True):
        staffed = sum(values[c] for c in members)
        values[under], values[over] = max(0.0, cover.required - staffed), max(0.0, staffed - cover.required)
    return values


def _quiet_highs():
    """A ``highspy.Highs``: the banner HiGHS prints on standard output when a process makes its first one goes nowhere.

    ``wfm roster`` prints its own line; a solver's banner there would be noise in a
    script's output (and HiGHS prints it before any option can turn it off).
    """
    import highspy

    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            return highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def set_mip_limits(h, node_limit: int, seed: int, cap: float | None) -> None:
    """HiGHS's branch and bound on a whole-number objective: a node limit, a seed, a proof at a gap below 1.

    Parameters
    ----------
    h : highspy.Highs
        The solver whose options are set.
    node_limit : int
        Branch-and-bound nodes at most (the reproducible stopping rule).
    seed : int
        Its random seed.
    cap : float or None
        Wall-clock safety cap in seconds (None: none).
    """
    h.setOptionValue("random_seed", int(seed))
    h.setOptionValue("mip_max_nodes", int(node_limit))
    # The objective is a whole number: a gap below 1 is a proof.
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", 1 - 1e-6)
    if cap is not None:
        h.setOptionValue("time_limit", float(cap))


def highs_model(ip: RosterIp, *, node_limit: int, seed: int = 0):
    """A one-thread ``highspy.Highs`` holding ``ip``, stopped by ``node_limit`` and a gap below 1.

    Parameters
    ----------
    ip : RosterIp
        The integer program to pass to HiGHS.
    node_limit : int
        Branch-and-bound nodes per run at most.
    seed : int
        HiGHS's random seed.

    Returns
    -------
    highspy.Highs
        Ready to run; its column bounds can be changed between runs.
    """
    import highspy

    h = _quiet_highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    set_mip_limits(h, node_limit, seed, None)
    lp = highspy.HighsLp()
    n = len(ip.cost)
    lp.num_col_, lp.num_row_ = n, len(ip.rows)
    lp.col_cost_ = np.array(ip.cost, dtype=float)
    lp.col_lower_ = np.array(ip.lower, dtype=float)
    lp.col_upper_ = np.array(ip.upper, dtype=float)
    starts, columns, values, lower, upper = _csr(ip)
    lp.row_lower_, lp.row_upper_ = lower, upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = starts, columns, values
    lp.integrality_ = [highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous for i in ip.integer]
    lp.offset_ = float(ip.offset)
    h.passModel(lp)
    return h


def set_start(h, ip: RosterIp, start: set[tuple[int, int, int]]) -> None:
    """Give HiGHS the roster ``start`` as its first incumbent (every column's value).

    Parameters
    ----------
    h : highspy.Highs
        Holds ``ip``.
    ip : RosterIp
        Maps the roster's keys to columns.
    start : set of (int, int, int)
        A roster keeping every hard rule (``works`` keys).
    """
    import highspy

    solution = highspy.HighsSolution()
    solution.col_value = _start_values(ip, start)
    solution.value_valid = True
    h.setSolution(solution)


def _solve_highs(ip, node_limit, start, cap, seed):
    import highspy

    h = highs_model(ip, node_limit=node_limit, seed=seed)
    if cap is not None:
        h.setOptionValue("time_limit", float(cap))
    if start:
        set_start(h, ip, start)
    h.run()
    model_status = h.getModelStatus()
    info = h.getInfo()
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    values = list(h.getSolution().col_value) if has_solution else None
    S = highspy.HighsModelStatus
    status = {S.kOptimal: "optimal", S.kInfeasible: "infeasible"}.get(model_status, "feasible" if has_solution else "unknown")
    bound = info.mip_dual_bound if math.isfinite(info.mip_dual_bound) else None
    value = info.objective_function_value
    if status == "optimal" and abs(value - round(value)) < 1e-6:
        # The gap left is below 1 and the objective is whole: the incumbent's value is the optimum.
        bound = max(bound if bound is not None else -INFINITY, float(round(value)))
    return status, values, bound, int(info.mip_node_count), model_status == S.kTimeLimit


def _solve_scip(ip, node_limit, start, cap, seed):
    from ortools.linear_solver import pywraplp

    solver = pywraplp.Solver.CreateSolver("SCIP")
    variables = [
        solver.IntVar(lo, hi, "") if integer else solver.NumVar(lo, hi, "")
        for lo, hi, integer in zip(ip.lower, ip.upper, ip.integer, strict=True)
    ]
    for terms, lo, hi in ip.rows:
        row = solver.RowConstraint(lo, hi, "")
        for c, a in terms.items():
            row.SetCoefficient(variables[c], a)
    objective = solver.Objective()
    for c, a in enumerate(ip.cost):
        if a:
            objective.SetCoefficient(variables[c], a)
    objective.SetOffset(ip.offset)
    objective.SetMinimization()
    solver.SetNumThreads(1)
    solver.SetSolverSpecificParametersAsString(
        f"limits/nodes = {int(node_limit)}\nrandomization/randomseedshift = {int(seed)}\n"
        "limits/gap = 0\nlimits/absgap = 0.999999\n"
    )
    if cap is not None:
        solver.SetTimeLimit(int(cap * 1000))
    if start:
        solver.SetHint(variables, _start_values(ip, start))
    began = time.perf_counter()
    result = solver.Solve()
    spent = time.perf_counter() - began
    has_solution = result in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE)
    values = [v.solution_value() for v in variables] if has_solution else None
    status = {pywraplp.Solver.OPTIMAL: "optimal", pywraplp.Solver.INFEASIBLE: "infeasible"}.get(
        result, "feasible" if has_solution else "unknown")
    bound = objective.BestBound() if has_solution else None
    capped = cap is not None and spent >= cap * 0.99
    return status, values, bound, int(solver.nodes()), capped
