"""Solving the roster model with CP-SAT, reproducibly.

The stopping rule is CP-SAT's *deterministic* time (a count of work done, roughly a
second of one unloaded core per unit), so the same instance, seed and budget give the
same roster however busy the machine is. The wall-clock limit is only a safety cap;
when it is what stopped the search the result says so (the roster may then differ
from run to run).

CP-SAT starts from a hint: :func:`first_roster` builds a roster that keeps every hard
rule one employee at a time (each one's own small problem solved exactly against the
others), within a quarter of the budget. Without it CP-SAT found no roster at all on
Instance8 within 60 deterministic seconds.

The stages, in order: the first roster, CP-SAT, column generation
(:func:`wfm.roster.colgen.column_generation`), the neighbourhoods
(:func:`wfm.roster.lns.improve_roster`: day windows and groups of employees re-solved
exactly, the rest fixed, from the best roster so far), HiGHS on the integer program.
Which of column generation's searches runs is decided on deterministic facts: when
CP-SAT's roster is within 10% of the root's bound, branch and price (the proofs of
Instances 1-7); otherwise a dive to a roster near the root's LP, and when that is still
far from the bound the rest of column generation's share goes to the neighbourhoods
(the gap is then the roster's, not the bound's: on Instance8 the bound is 1297 against
the best known 1308).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import pandas as pd
from ortools.sat.python import cp_model

from wfm.roster.colgen import column_generation
from wfm.roster.lns import improve_roster
from wfm.roster.mip import RosterIp, build_ip, solve_ip
from wfm.roster.model import RosterModel, build_model, employee_model
from wfm.roster.problem import RosterProblem

# Share of CP-SAT's budget the employee-by-employee first roster may use (the rest is CP-SAT's).
FIRST_ROSTER_SHARE = 0.25
# Share of the budget for HiGHS on the integer program, after CP-SAT. Measured at 60
# deterministic s: a quarter gives Instance6 1964 (bound 1943) and Instance10 4858 (4630),
# a half 2045 (1940) and 4929 (4630): CP-SAT's roster matters more than HiGHS's extra nodes.
# With column generation a twentieth: its bound is the one that proves (see COLGEN_SHARE).
MIP_SHARE = 0.05
# Share of the budget for column generation (:mod:`wfm.roster.colgen`), after CP-SAT and
# before the neighbourhoods and the integer program (which get what column generation
# leaves unused: the neighbourhoods when it did not branch, else HiGHS). Measured
# at 60 deterministic s: 0.35 (CP-SAT 0.6, HiGHS 0.05) proves Instances 4, 5, 6 and 7
# optimal and leaves 10 at 4869 / 4631; 0.5 (CP-SAT 0.4, HiGHS 0.1) proves 4, 5 and 6 but
# leaves 7 at 1088 / 1056 and 10 at 4968 / 4631: the bound needs little, the rosters
# need CP-SAT's time.
COLGEN_SHARE = 0.35
# Share of the budget for re-solving neighbourhoods of the best roster exactly
# (wfm.roster.lns), after column generation; they also get what column generation
# leaves when its dive's roster is too far from the bound to branch. Measured at 60 s
# (docs/benchmarks.md): any fixed share taken from CP-SAT cost the proofs (CP-SAT 0.3,
# column generation 0.5, neighbourhoods 0.15: Instance7 1074 / 1055 unproven instead of
# 1056 proven), hence 0 and only the leftover. Measured without column generation
# (CP-SAT 0.35, HiGHS 0.25) on Instance8: 60 deterministic s of neighbourhoods take
# CP-SAT's 1928 (after 60 s) to 1532.
LNS_SHARE = 0.0
# HiGHS's work per node and second, in nonzeros of the program (see mip_node_limit).
NODE_WORK_PER_SECOND = 235_000  # Instance4: 34 nodes a second x 6,924 nonzeros


@dataclass
class RosterSolution:
    status: str  # CP-SAT's: OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN, MODEL_INVALID
    objective: int | None
    lower_bound: int  # CP-SAT's best proven bound on the objective
    seconds: float  # wall clock, model building included
    deterministic_seconds: float
    stopped_by: str  # "optimal", "infeasible", "deterministic limit" or "wall-clock cap"
    assignment: pd.DataFrame  # employee, day, shift: one row per worked day
    terms: dict[str, int] = field(default_factory=dict)  # the objective by named term
    bound_by: str = "CP-SAT"  # the solver whose bound is lower_bound: "CP-SAT", "HiGHS" or "column generation"
    mip_nodes: int = 0  # HiGHS's branch-and-bound nodes (0: the integer program was not run)
    colgen_iterations: int = 0  # column generation's full pricing rounds (0: not run)
    colgen_columns: int = 0  # rosters in its master
    colgen_nodes: int = 0  # its branch-and-price nodes
    neighbourhoods: tuple[int, int] = (0, 0)  # wfm.roster.lns's neighbourhoods re-solved, improving
    dives: tuple[int, ...] = ()  # column generation's dives: each one's roster's objective


def solve_roster(problem: RosterProblem, *, time_limit: float, wall_clock_cap: float | None = None,
                 seed: int = 0, workers: int = 2, mip_share: float = MIP_SHARE,
                 colgen_share: float = COLGEN_SHARE, lns_share: float = LNS_SHARE) -> RosterSolution:
    """Solve ``problem`` with CP-SAT, then column generation and the integer program from CP-SAT's roster.

    CP-SAT finds good rosters fast but its bound is weak; HiGHS on the integer program
    (:mod:`wfm.roster.mip`), started from CP-SAT's roster, proves bounds CP-SAT cannot
    and sometimes finds a better roster; column generation (:mod:`wfm.roster.colgen`)
    bounds it from whole rosters, much tighter where the compact program is weak. The
    best roster and the highest bound are kept.

    Parameters
    ----------
    problem
        The roster problem (e.g. from :func:`wfm.roster.read_curtois`).
    time_limit
        Search budget in deterministic seconds (the reproducible stopping rule): CP-SAT's
        own for its share, column generation's count of work for its share
        (:func:`wfm.roster.colgen.column_generation`), HiGHS's as a node limit
        (:func:`mip_node_limit`) for the rest.
    wall_clock_cap
        Wall-clock seconds after which the search stops anyway (default: twice
        ``time_limit`` plus 10 s, so a loaded machine still finishes).
    seed, workers
        CP-SAT's random seed and worker count; with 2 or more workers the search is
        interleaved, which keeps it deterministic. HiGHS runs on one thread.
    mip_share
        Share of ``time_limit`` for the integer program (0: none).
    colgen_share
        Share of ``time_limit`` for column generation (0: none); what it leaves unused
        goes to the integer program.
    lns_share
        Share of ``time_limit`` for improving the best roster neighbourhood by
        neighbourhood (:func:`wfm.roster.lns.improve_roster`) after column generation
        (default 0); the neighbourhoods also get what column generation leaves when its
        dive's roster is too far from the bound to branch (``RosterSolution.dives``).


    Returns
    -------
    RosterSolution
        The assignment, objective, bound, status, what stopped the search and the terms.
    """
    began = time.perf_counter()
    cap = wall_clock_cap if wall_clock_cap is not None else 2 * time_limit + 10
    later = mip_share + colgen_share + lns_share  # the shares of the stages after CP-SAT
    if min(mip_share, colgen_share, lns_share) < 0 or later >= 1:
        # (CP-SAT would otherwise get a negative budget and its wall-clock share none.)
        raise ValueError(f"mip_share {mip_share:g}, colgen_share {colgen_share:g} and lns_share {lns_share:g}: "
                         f"each must be at least 0 and together below 1, leaving CP-SAT a share")
    cp_budget = (1 - later) * time_limit
    model, solver, status, spent = _solve_cp_sat(problem, cp_budget, cap * (1 - later), seed, workers)
    response = solver.ResponseProto()
    found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    worked = {key for key, var in model.works.items() if solver.BooleanValue(var)} if found else set()
    objective = sum(term_values(model, solver).values()) if found else None
    bound = int(round(solver.BestObjectiveBound())) if found or status == cp_model.UNKNOWN else 0
    det_seconds = spent + float(response.deterministic_time)  # the first roster's included
    if status == cp_model.OPTIMAL:
        stopped_by = "optimal"
    elif status == cp_model.INFEASIBLE:
        stopped_by = "infeasible"
    elif response.deterministic_time >= solver.parameters.max_deterministic_time * 0.999:
        stopped_by = "deterministic limit"
    else:
        stopped_by = "wall-clock cap"
    bound_by, nodes, mip, colgen, lns, tried = "CP-SAT", 0, None, None, None, (0, 0)
    mip_budget, lns_budget = mip_share * time_limit, lns_share * time_limit
    if colgen_share > 0 and status not in (cp_model.OPTIMAL, cp_model.INFEASIBLE):
        # Column generation's root, a dive to a roster, branch and price when that is
        # close to the bound; what it leaves (a wide gap: no branching) is the neighbourhoods'.
        colgen = column_generation(problem, budget=colgen_share * time_limit, start=worked or None, seed=seed,
                                   wall_clock_cap=max(1.0, cap * (1 - mip_share - lns_share)
                                                      - (time.perf_counter() - began)))
        det_seconds += colgen.deterministic_seconds
        unused = max(0.0, colgen_share * time_limit - colgen.deterministic_seconds)
        if colgen.stopped_by == "not branched":  # the gap is the roster's: the neighbourhoods mend rosters
            lns_budget += unused
        elif mip_share > 0:
            mip_budget += unused
        if colgen.objective is not None and (objective is None or colgen.objective < objective):
            worked, objective = colgen.worked, colgen.objective
        if colgen.bound > bound:
            bound, bound_by = colgen.bound, "column generation"
        if colgen.stopped_by == "wall-clock cap":
            stopped_by = "wall-clock cap"
    if lns_budget > 0 and worked and objective is not None and bound < objective and status != cp_model.OPTIMAL:
        # The best roster so far (the dive's, CP-SAT's) re-solved neighbourhood by neighbourhood.
        lns = improve_roster(problem, worked, budget=lns_budget, seed=seed,
                             wall_clock_cap=max(1.0, cap * (1 - mip_share) - (time.perf_counter() - began)))
        det_seconds += lns.deterministic_seconds
        tried = (lns.tried, lns.improving)
        if lns.objective < objective:
            worked, objective = lns.worked, lns.objective
        if lns.stopped_by == "no improving neighbourhood":  # what it did not need is HiGHS's
            mip_budget += max(0.0, lns_budget - lns.deterministic_seconds)
        if lns.stopped_by == "wall-clock cap":
            stopped_by = "wall-clock cap"
    if mip_share > 0 and status not in (cp_model.OPTIMAL, cp_model.INFEASIBLE) and not (
            objective is not None and bound >= objective):
        ip = build_ip(problem)
        limit = mip_node_limit(ip, mip_budget)
        mip = solve_ip(ip, node_limit=limit, start=worked or None, seed=seed,
                       wall_clock_cap=max(1.0, cap - (time.perf_counter() - began)))
        nodes = mip.nodes
        det_seconds += mip_budget * min(1.0, mip.nodes / limit)
        if mip.objective is not None and (objective is None or mip.objective < objective):
            worked, objective = mip.worked, mip.objective
        if mip.bound is not None and mip.bound > bound:
            bound, bound_by = mip.bound, "HiGHS"
        if mip.stopped_by == "wall-clock cap":
            stopped_by = "wall-clock cap"
    if objective is not None and bound >= objective:
        name, stopped_by = "OPTIMAL", "optimal"
    elif (mip is not None and mip.status == "infeasible") or (colgen is not None and colgen.stopped_by == "infeasible"):
        name, stopped_by = "INFEASIBLE", "infeasible"  # HiGHS or an employee's own rules proved what CP-SAT could not
    else:
        name = "FEASIBLE" if objective is not None else solver.StatusName(status)
    value = _roster_values(model, worked)
    terms = price_roster(model, value) if objective is not None else {}
    return RosterSolution(
        status=name,
        # The roster priced by what it staffs, not solver.ObjectiveValue(): a search
        # stopped by a limit may leave a cover line's under and over slacks both positive
        # (seen on Instance10: CP-SAT 28327, the roster itself 27216 by the evaluator).
        objective=sum(terms.values()) if objective is not None else None,
        lower_bound=min(bound, objective) if objective is not None else bound,
        seconds=time.perf_counter() - began,
        deterministic_seconds=det_seconds,
        stopped_by=stopped_by,
        assignment=_assignment(problem, worked) if objective is not None else empty_assignment(),
        terms=terms,
        bound_by=bound_by,
        mip_nodes=nodes,
        colgen_iterations=colgen.iterations if colgen else 0,
        colgen_columns=colgen.columns if colgen else 0,
        colgen_nodes=colgen.nodes if colgen else 0,
        neighbourhoods=tried,
        dives=colgen.dives if colgen else (),
    )


def mip_node_limit(ip: RosterIp, seconds: float) -> int:
    """HiGHS's node limit for a budget of ``seconds``: nodes cost in proportion to the program's size.

    Calibrated on one unloaded core: Instance4 (620 columns, 1,331 rows) took 2,745 nodes
    in 81 CPU seconds, about 34 nodes a second.

    Parameters
    ----------
    ip : RosterIp
        The integer program (its nonzeros measure a node's work).
    seconds : float
        Deterministic seconds for the integer program.

    Returns
    -------
    int
        Nodes, at least 1 (the root).
    """
    nonzeros = sum(len(terms) for terms, _, _ in ip.rows)
    return max(1, int(seconds * NODE_WORK_PER_SECOND / max(1, nonzeros)))


def _solve_cp_sat(problem: RosterProblem, budget: float, cap: float, seed: int, workers: int):
    """CP-SAT from the first roster: ``(model, solver, status, first roster's seconds)``."""
    began = time.perf_counter()
    start, spent = first_roster(problem, budget=FIRST_ROSTER_SHARE * budget, seed=seed)
    model = build_model(problem)
    if start:  # (empty when not even one employee's own roster was found: no hint then)
        for key, var in model.works.items():
            model.cp.AddHint(var, key in start)
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.num_workers = workers
    params.random_seed = seed
    # Interleaved search is deterministic whatever the timing of the threads (a parallel
    # portfolio is not); the same instance and seed give the same roster.
    params.interleave_search = workers > 1
    params.max_deterministic_time = max(0.01, float(budget) - spent)
    # The full LP relaxation in the LP workers: the cover rows with their heavy
    # under-cover weights make the LP the main guide. Measured at 20 deterministic
    # seconds: Instance5 1149 instead of 1344 (optimum 1143), Instance7 1278 instead of 1693.
    params.linearization_level = 2
    # Two full-problem workers, not eight taking turns: the LP one (bound and good dives)
    # and the core-based one (lower bound from the weighted soft terms); the neighbourhood
    # searches still run between them. Measured at 20 deterministic seconds on Instance5:
    # 1147 instead of 1339 (optimum 1143).
    for name in ("max_lp", "core"):
        params.subsolvers.append(name)
    params.max_time_in_seconds = max(0.1, cap - (time.perf_counter() - began))
    status = solver.Solve(model.cp)
    return model, solver, status, spent


def _roster_values(model: RosterModel, worked: set[tuple[int, int, int]]):
    """``value`` for :func:`price_roster`: a ``works`` literal (or its negation, or a constant) in the roster ``worked``."""
    index = {var.Index(): key in worked for key, var in model.works.items()}

    def value(var) -> int:
        if isinstance(var, int):
            return var
        i = var.Index()
        return int(not index[-i - 1]) if i < 0 else int(index[i])

    return value


def _assignment(problem: RosterProblem, worked: set[tuple[int, int, int]]) -> pd.DataFrame:
    """The roster ``worked`` as a table, employees in the instance's order, then days."""
    rows = [(problem.employees[e].name, d, problem.shifts[s].name) for e, d, s in sorted(worked)]
    return pd.DataFrame(rows, columns=["employee", "day", "shift"])


def empty_assignment() -> pd.DataFrame:
    """An assignment table with no rows (no roster found).

    Returns
    -------
    DataFrame
        Columns ``employee, day, shift``.
    """
    return pd.DataFrame({"employee": pd.Series(dtype=str), "day": pd.Series(dtype=int), "shift": pd.Series(dtype=str)})


def term_values(model: RosterModel, solver: cp_model.CpSolver) -> dict[str, int]:
    """The objective terms of the solver's roster.

    Parameters
    ----------
    model : RosterModel
        Its named terms and cover rows, priced by :func:`price_roster`.
    solver : cp_model.CpSolver
        Gives each variable of those terms its value in the roster found.

    Returns
    -------
    dict of str to int
        Term name to its weighted value.
    """
    return price_roster(model, lambda var: int(var) if isinstance(var, int) else int(solver.Value(var)))


def price_roster(model: RosterModel, value) -> dict[str, int]:
    """The objective terms of the roster given by ``value`` (variable -> its value).

    Cover is priced from the people staffed, not from the under/over slack variables:
    a search stopped by a limit may return both slacks positive for one cover line
    (feasible, just not tight), which would overstate the roster's cost.

    Parameters
    ----------
    model : RosterModel
        The model.
    value : callable
        Variable (or constant) to its value in the roster.

    Returns
    -------
    dict of str to int
        Term name to its weighted value.
    """
    terms = {name: sum(weight * value(var) for weight, var in term)
             for name, term in model.terms.items() if name not in ("cover_under", "cover_over")}
    terms["cover_under"] = terms["cover_over"] = 0
    for cover, members in model.cover_rows:
        staffed = sum(value(var) for var in members)
        terms["cover_under"] += cover.under_weight * max(0, cover.required - staffed)
        terms["cover_over"] += cover.over_weight * max(0, staffed - cover.required)
    return {name: terms[name] for name in model.terms}


def first_roster(problem: RosterProblem, *, budget: float, seed: int = 0) -> tuple[set[tuple[int, int, int]], float]:
    """A roster that keeps every hard rule, built and improved one employee at a time.

    Only cover ties the employees together, and it is soft; so each employee's own
    roster, with the others held fixed, is a small exact problem: cover still short
    rewards a shift by its under weight, cover already met costs its over weight. The
    first pass fills the roster employee by employee; later passes re-solve each one
    against all the others until a pass changes nothing or the budget is spent. Every
    step can only lower the objective, and CP-SAT starts from the result (a hint)
    instead of spending its first seconds finding any roster at all.

    Parameters
    ----------
    problem : RosterProblem
        The roster problem whose employees are rostered one by one.
    budget : float
        Deterministic seconds for all the small solves together.
    seed : int
        CP-SAT's random seed for the small solves (one worker each: reproducible).

    Returns
    -------
    worked : set of (int, int, int)
        ``(employee, day, shift)`` indexes worked; an employee whose own problem had no
        solution within its share works nothing.
    spent : float
        Deterministic seconds used.
    """
    people = len(problem.employees)
    index = {s.name: i for i, s in enumerate(problem.shifts)}
    staffed = {(c.day, index[c.shift]): 0 for c in problem.cover}
    rosters: list[set[tuple[int, int]]] = [set() for _ in range(people)]
    models = [employee_model(problem, e) for e in range(people)]
    spent, passes = 0.0, 0
    share = budget / max(1, people) / 2  # two passes' worth per employee at least
    changed = True
    while changed and spent < budget:
        changed = False
        for e in range(people):
            if spent >= budget:
                break
            for key in rosters[e]:
                if key in staffed:
                    staffed[key] -= 1
            found, cost, used = _best_own_roster(problem, models[e], staffed, index, min(share, budget - spent), seed)
            spent += used
            # A first pass takes any roster; later ones only a strictly cheaper one (so the
            # passes end: each change lowers the objective).
            if found is not None and (passes == 0 or cost < _own_cost(problem, e, rosters[e], staffed, index)):
                changed = changed or found != rosters[e]
                rosters[e] = found
            for key in rosters[e]:
                if key in staffed:
                    staffed[key] += 1
        passes += 1
    return {(e, d, s) for e in range(people) for d, s in rosters[e]}, spent


def _best_own_roster(problem, model, staffed, index, budget, seed):
    """The best roster of ``model``'s employee with the others at ``staffed``: ``({(day, shift)}, cost, seconds)``."""
    price = {(c.day, index[c.shift]): -c.under_weight if staffed[c.day, index[c.shift]] < c.required else c.over_weight
             for c in problem.cover}
    model.cp.Minimize(model.objective() + sum(price.get((d, s), 0) * var for (_, d, s), var in model.works.items()))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.max_deterministic_time = max(0.01, budget)
    status = solver.Solve(model.cp)
    # A floor per solve: presolve's work is not all counted, and the budget must run out.
    used = max(0.002, solver.ResponseProto().deterministic_time)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, None, used
    found = {(d, s) for (_, d, s), var in model.works.items() if solver.BooleanValue(var)}
    return found, round(solver.ObjectiveValue()), used


def _own_cost(problem, e, roster, staffed, index):
    """What employee ``e``'s ``roster`` (``{(day, shift)}``) adds to the objective, the others at ``staffed``."""
    name = problem.employees[e].name
    cost = sum(r.weight for r in problem.requests
               if r.employee == name and ((r.day, index[r.shift]) in roster) != r.wanted)
    for c in problem.cover:
        if (c.day, index[c.shift]) in roster:
            cost += c.over_weight if staffed[c.day, index[c.shift]] >= c.required else -c.under_weight
    return cost
