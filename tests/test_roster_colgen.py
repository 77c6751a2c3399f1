"""Column generation on the roster (wfm/roster/colgen.py): the pricing against brute
force, the bound against the proven optima, the roster against the independent evaluator."""

from __future__ import annotations

import dataclasses
import random

import pytest
from test_roster_curtois import (
    BRUTE_FORCE_SPECS,
    FOLDER,
    brute_force_optimum,
    feasible_own_rosters,
    instance_text,
    needs_instances,
)

from wfm.roster import evaluate_curtois, parse_curtois, read_curtois, solve_roster
from wfm.roster.colgen import cheapest_roster, column_generation
from wfm.roster.model import employee_model
from wfm.roster.solve import first_roster


def rows(problem, worked):
    """The roster ``worked`` as the evaluator's ``(employee, day, shift)`` rows."""
    return [(problem.employees[e].name, d, problem.shifts[s].name) for e, d, s in sorted(worked)]


@pytest.mark.parametrize("edge_runs", ["exempt", "enforced"])
def test_pricing_equals_brute_force_on_random_prices(edge_runs):
    # One employee, two shift types with a forbidden succession, runs, minutes and
    # wishes: every roster enumerated and checked by the evaluator (which shares no code
    # with the model); the cheapest against random prices must be the pricer's.
    spec = dict(BRUTE_FORCE_SPECS[0], cover=())
    text = instance_text(**spec)
    problem = dataclasses.replace(parse_curtois(text), edge_runs=edge_runs)
    shifts = [s.name for s in problem.shifts]
    feasible = feasible_own_rosters(text, problem, edge_runs)  # no cover: the objective is the wishes broken
    assert feasible
    model = employee_model(problem, 0)
    generator = random.Random(7)
    for _ in range(8):
        prices = {(d, s): generator.uniform(-5, 15) for d in range(problem.days) for s in range(len(shifts))}
        expected = min(cost - sum(prices[key] for key in roster) for roster, cost in feasible)
        status, roster, bound, seconds = cheapest_roster(model, prices)
        assert status == "optimal" and seconds > 0
        assert bound <= expected + 1e-9 and bound == pytest.approx(expected, abs=problem.days / 10_000)
        cost = dict(feasible)[roster]  # the roster found is feasible and as cheap
        assert cost - sum(prices[key] for key in roster) == pytest.approx(expected, abs=1e-6)


# Two employees whose master LP is below the optimum (13.5 against 15: found by a random
# search over small instances), so that only branching proves it.
GAP = dict(days=7, staff=("A,D=7,1920,480,2,2,1,1", "B,D=7,1440,1440,2,2,1,1"), on=("B,1,D,4", "B,5,D,1"),
           cover=("0,D,1,10,3", "1,D,1,10,1", "2,D,1,10,1", "3,D,1,10,3", "4,D,1,5,1", "5,D,2,10,3", "6,D,0,5,1"))


@pytest.mark.parametrize("spec", [*BRUTE_FORCE_SPECS, GAP], ids=["one-employee-two-shifts", "two-employees", "gap"])
def test_branch_and_price_reaches_the_brute_force_optimum(spec):
    text = instance_text(**spec)
    problem = parse_curtois(text)
    optimum = brute_force_optimum(text, [e.name for e in problem.employees], problem.days,
                                  [s.name for s in problem.shifts])
    result = column_generation(problem, budget=5.0)  # no start: the first pricing round gives the columns
    assert result.stopped_by == "bound reached" and result.iterations >= 1
    assert result.bound == optimum == result.objective
    check = evaluate_curtois(text, rows(problem, result.worked))
    assert check.violations == [] and check.objective == result.objective
    if spec is GAP:  # the root's LP alone does not prove it: the tree does
        assert result.lp_value < optimum - 1 and result.nodes > 0


@needs_instances
def test_bound_proves_instance2_and_the_roster_evaluates_to_its_objective():
    # The master's LP bound on Instance2 is its proven optimum, 828 (the compact
    # program's LP relaxation is far below): column generation alone proves it.
    problem = read_curtois(FOLDER / "Instance2.txt")
    start, _ = first_roster(problem, budget=0.5)
    first = column_generation(problem, budget=10.0, start=start, wall_clock_cap=300)
    check = evaluate_curtois((FOLDER / "Instance2.txt").read_text(), rows(problem, first.worked))
    assert check.violations == [] and check.objective == first.objective
    start_value = evaluate_curtois((FOLDER / "Instance2.txt").read_text(), rows(problem, start)).objective
    assert first.objective <= start_value  # never worse than the roster it started from
    assert first.bound <= 828 <= first.objective
    if first.stopped_by != "wall-clock cap":
        assert first.bound == 828 and first.stopped_by == "bound reached"
        assert first.columns > len(problem.employees) and first.deterministic_seconds <= 10.0
        second = column_generation(problem, budget=10.0, start=start, wall_clock_cap=300)
        assert (second.bound, second.worked, second.iterations, second.columns) == (
            first.bound, first.worked, first.iterations, first.columns)


@needs_instances
def test_instance1_bound_is_valid_and_a_small_budget_stops_deterministically():
    problem = read_curtois(FOLDER / "Instance1.txt")
    start, _ = first_roster(problem, budget=0.2)
    runs = [column_generation(problem, budget=0.1, start=start, wall_clock_cap=300) for _ in range(2)]
    first, second = runs
    assert first.bound <= 607 <= first.objective  # the proven optimum lies between
    if first.stopped_by != "wall-clock cap":
        assert first.stopped_by in ("deterministic limit", "not branched")  # (the dive's roster 3x the bound)
        assert (first.bound, first.worked, first.iterations, first.columns, first.deterministic_seconds) == (
            second.bound, second.worked, second.iterations, second.columns, second.deterministic_seconds)


@needs_instances
def test_solve_roster_reports_column_generation_s_proof():
    problem = read_curtois(FOLDER / "Instance2.txt")
    solution = solve_roster(problem, time_limit=2.0, wall_clock_cap=300, mip_share=0, colgen_share=0.8)
    check = evaluate_curtois((FOLDER / "Instance2.txt").read_text(), solution.assignment)
    assert check.violations == [] and check.objective == solution.objective
    assert solution.colgen_iterations >= 1 and solution.colgen_columns >= len(problem.employees)
    if solution.stopped_by != "wall-clock cap":
        assert (solution.status, solution.objective, solution.lower_bound) == ("OPTIMAL", 828, 828)
        assert solution.bound_by == "column generation"  # CP-SAT alone leaves it unproven at 0.4 s


def dive_from_root(problem, start, root_budget, dive_budget):
    """Column generation's root from ``start`` then one dive: ``(run, root node, dive's roster, its objective)``."""
    import math

    from wfm.roster.colgen import _Run

    run = _Run(problem, 0, 300, start)
    root = run.converge({}, -math.inf, root_budget)
    before = run.objective  # the start, or a whole LP the root found (the DP pricer finds Instance3's optimum there)
    worked, value = run.dive(root_budget + dive_budget)
    return run, root, worked, value, before


def own_rosters(problem, worked):
    """Each employee's part of ``worked`` as a ``frozenset`` of ``(day, shift)``."""
    return [frozenset((d, s) for emp, d, s in worked if emp == e) for e in range(len(problem.employees))]


@needs_instances
@pytest.mark.parametrize("dive_budget", [3.0, 0.0], ids=["priced", "budget-spent"])
def test_a_dive_ends_in_a_roster_of_master_columns_that_the_evaluator_recomputes(dive_budget):
    # Instance3 (20 employees, proven optimum 1001). With no budget left the dive pins
    # every employee one step at a time on the LP alone: still a roster under every hard rule.
    problem = read_curtois(FOLDER / "Instance3.txt")
    text = (FOLDER / "Instance3.txt").read_text()
    start, _ = first_roster(problem, budget=0.3)
    start_value = evaluate_curtois(text, rows(problem, start)).objective
    run, root, worked, value, before = dive_from_root(problem, start, 1.5, dive_budget)
    assert before <= start_value
    check = evaluate_curtois(text, rows(problem, worked))
    assert check.violations == [] and check.objective == value
    assert value >= 1001 and (root.bound == -float("inf") or value >= root.bound - 1e-6)  # the optimum and the bound hold
    columns = {(e, roster) for e, roster, _ in run.master.columns}
    assert all((e, roster) in columns for e, roster in enumerate(own_rosters(problem, worked)))  # one column each
    # The incumbent is never worse than before the dive or than the dive's roster (a whole
    # LP met while re-pricing during the dive may beat both: it is a roster the evaluator prices too).
    assert run.dives == [value] and run.objective <= min(before, value)
    best = evaluate_curtois(text, rows(problem, run.incumbent))
    assert best.violations == [] and best.objective == run.objective
    assert run.pinned == {}  # the master is released for branch and price
    if not run.capped():
        again = dive_from_root(problem, start, 1.5, dive_budget)
        assert (again[2], again[3], again[0].used()) == (worked, value, run.used())  # same seed, same dive


def test_dive_on_a_gap_instance_keeps_the_brute_force_optimum_as_a_floor():
    # GAP's master LP (13.5) is below its optimum (15): the dive must round it to a
    # roster the brute force prices at no less than 15, evaluated to the value reported.
    text = instance_text(**GAP)
    problem = parse_curtois(text)
    optimum = brute_force_optimum(text, [e.name for e in problem.employees], problem.days,
                                  [s.name for s in problem.shifts])
    run, root, worked, value, _ = dive_from_root(problem, None, 2.0, 2.0)
    check = evaluate_curtois(text, rows(problem, worked))
    assert check.violations == [] and check.objective == value >= optimum
    assert root.bound <= optimum
    result = column_generation(problem, budget=5.0)
    assert result.dives and result.objective <= min(result.dives)  # branch and price only improves on the dive
    assert result.bound == optimum == result.objective
