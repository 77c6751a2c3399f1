"""Rostering on Curtois & Qu's benchmark (issue 12): the reader, the independent
evaluator, the CP-SAT model against brute force and the published optimum, the CLI."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from wfm.cli import app
from wfm.errors import InputError
from wfm.roster import evaluate_curtois, parse_curtois, read_curtois, solve_roster
from wfm.roster.evaluate import Evaluation

FOLDER = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "curtois"
# instance: (days, staff), from the README table beside the instances
SHAPES = {1: (14, 8), 2: (14, 14), 3: (14, 20), 4: (28, 10), 5: (28, 16), 6: (28, 18), 7: (28, 20),
          8: (28, 30), 9: (28, 36), 10: (28, 40), 12: (28, 60), 14: (42, 32), 16: (56, 20)}
needs_instances = pytest.mark.skipif(not FOLDER.is_dir(), reason="the Curtois & Qu instances are not on this machine")


def instance_text(days=7, shifts=("D,480,",), staff=("A,D=7,3360,0,7,1,1,2",), days_off=(), on=(), off=(),
                  cover=()) -> str:
    """A hand-made instance in the published format."""
    sections = [
        ("SECTION_HORIZON", [str(days)]),
        ("SECTION_SHIFTS", shifts),
        ("SECTION_STAFF", staff),
        ("SECTION_DAYS_OFF", days_off),
        ("SECTION_SHIFT_ON_REQUESTS", on),
        ("SECTION_SHIFT_OFF_REQUESTS", off),
        ("SECTION_COVER", cover),
    ]
    return "# hand-made\n" + "".join(f"{name}\n" + "".join(f"{line}\n" for line in lines) for name, lines in sections)


# --- the reader -----------------------------------------------------------------


@needs_instances
@pytest.mark.parametrize("number", sorted(SHAPES))
def test_reader_reads_every_shipped_instance(number):
    problem = read_curtois(FOLDER / f"Instance{number}.txt")
    assert (problem.days, len(problem.employees)) == SHAPES[number]
    # Every instance gives a cover line for each day and shift type.
    assert len(problem.cover) == problem.days * len(problem.shifts)
    assert len({e.name for e in problem.employees}) == len(problem.employees)
    assert all(r.weight > 0 for r in problem.requests)


@needs_instances
def test_reader_maps_instance1_fields():
    problem = read_curtois(FOLDER / "Instance1.txt")
    assert [(s.name, s.minutes, s.cannot_follow) for s in problem.shifts] == [("D", 480, frozenset())]
    a = problem.employees[0]
    assert a.name == "A" and a.days_off == frozenset({0})
    c = a.contract
    assert (c.max_shifts, c.max_minutes, c.min_minutes) == ({"D": 14}, 4320, 3360)
    assert (c.max_consecutive_shifts, c.min_consecutive_shifts, c.min_consecutive_days_off, c.max_weekends) == (5, 2, 2, 1)
    wanted = [r for r in problem.requests if r.wanted]
    unwanted = [r for r in problem.requests if not r.wanted]
    assert (len(wanted), len(unwanted)) == (21, 5)
    assert (unwanted[2].employee, unwanted[2].day, unwanted[2].shift, unwanted[2].weight) == ("F", 8, "D", 3)
    assert (problem.cover[1].day, problem.cover[1].required, problem.cover[1].under_weight,
            problem.cover[1].over_weight) == (1, 7, 100, 1)
    assert problem.weekends() == [[5, 6], [12, 13]]


def test_reader_maps_forbidden_successions():
    problem = parse_curtois(instance_text(shifts=("E,480,", "L,480,E"), staff=("A,E=3|L=2,3360,0,7,1,1,2",)))
    assert problem.shift("L").cannot_follow == frozenset({"E"})
    assert problem.employees[0].contract.max_shifts == {"E": 3, "L": 2}


@pytest.mark.parametrize(
    "change, line, value",
    [
        (dict(days="seven"), 3, "seven"),
        (dict(shifts=("D,480,X",)), 5, "'X'"),
        (dict(shifts=("D,eight,",)), 5, "'eight'"),
        (dict(staff=("A,D=7,3360,0,7,1,1",)), 7, "has 7 comma-separated fields"),
        (dict(staff=("A,N=7,3360,0,7,1,1,2",)), 7, "'N=7'"),
        (dict(staff=("A,D=7,3000,3360,7,1,1,2",)), 7, "MinTotalMinutes 3360"),
        (dict(staff=("A,D=7,3360,0,7,1,1,2", "A,D=7,3360,0,7,1,1,2")), 8, "'A' is defined twice"),
        (dict(days_off=("B,1",)), 9, "'B'"),
        (dict(days_off=("A,7",)), 9, "day off of employee 'A' 7 is out of range"),
        (dict(on=("A,1,N,2",)), 10, "'N'"),
        (dict(off=("A,1,D,-3",)), 11, "weight -3"),
        (dict(cover=("1,D,2,100",)), 12, "'1,D,2,100'"),
        (dict(cover=("1,D,2,100,1", "1,D,3,100,1")), 13, "given twice"),
    ],
)
def test_reader_names_file_line_and_value(change, line, value):
    with pytest.raises(InputError) as error:
        parse_curtois(instance_text(**change), "bad.txt")
    message = str(error.value)
    assert message.startswith(f"bad.txt, line {line}") and value in message
    assert message.count(". ") == 0 and message.endswith(".")  # one sentence


def test_reader_rejects_unknown_section_and_missing_sections():
    with pytest.raises(InputError, match=r"bad.txt, line 1: unknown section 'SECTION_FOO'"):
        parse_curtois("SECTION_FOO\n1\n", "bad.txt")
    with pytest.raises(InputError, match="SECTION_STAFF is missing"):
        parse_curtois("SECTION_HORIZON\n7\nSECTION_SHIFTS\nD,480,\n", "bad.txt")


# --- the evaluator ----------------------------------------------------------------

# One employee, 14 days (two weekends), runs of 2-4 worked days and 2+ days off.
RULES = dict(days=14, shifts=("E,480,", "L,480,E"), staff=("A,E=6|L=3,4320,1920,4,2,2,1",), days_off=("A,9",))
# Mon-Thu early, Fri-Sun off, Mon-Tue late, Wed-Thu off (day 9 is the fixed day off), Fri-Sat early, Sun off
GOOD = {0: "E", 1: "E", 2: "E", 3: "E", 7: "L", 8: "L", 11: "E", 12: "E"}


def evaluate(plan: dict[int, str], edge_runs: str = "exempt", **change) -> Evaluation:
    text = instance_text(**{**RULES, **change})
    return evaluate_curtois(text, [("A", day, shift) for day, shift in plan.items()], edge_runs=edge_runs)


def test_evaluator_accepts_a_roster_that_keeps_every_rule():
    assert evaluate(GOOD).violations == []


@pytest.mark.parametrize(
    "plan, change, broken",
    [
        (GOOD, dict(days_off=("A,8",)), "works day 8, a fixed day off"),
        ({**GOOD, 8: "E"}, dict(staff=("A,E=7|L=3,4320,1920,4,2,2,1",)), "works 'E' on day 8 after 'L'"),
        ({**GOOD, 11: "L", 12: "L"}, {}, "works 4 'L' shifts, at most 3"),
        ({**GOOD, 4: "L"}, {}, "works 5 days in a row from day 0, at most 4"),
        ({d: s for d, s in GOOD.items() if d != 8}, {}, "works only 1 day(s) in a row from day 7, at least 2"),
        ({0: "E", 1: "E", 3: "E", 4: "E"}, {}, "is off only 1 day(s) in a row from day 2, at least 2"),
        ({**{d: s for d, s in GOOD.items() if d not in (7, 8)}, 6: "L", 7: "L"}, {}, "works 2 weekends, at most 1"),
        ({0: "E", 1: "E"}, {}, "works 960 minutes, allowed 1920-4320"),
    ],
)
def test_evaluator_finds_each_broken_hard_rule(plan, change, broken):
    violations = evaluate(plan, **change).violations
    assert len(violations) == 1 and broken in violations[0], violations


def test_evaluator_finds_too_many_minutes_and_two_shifts_a_day():
    heavy = evaluate(GOOD, staff=("A,E=6|L=3,3360,0,4,2,2,1",)).violations
    assert heavy == ["employee 'A' works 3840 minutes, allowed 0-3360."]
    text = instance_text(**RULES)
    double = evaluate_curtois(text, [("A", d, s) for d, s in GOOD.items()] + [("A", 0, "L")]).violations
    assert double == ["employee 'A' works two shifts on day 0."]


def test_evaluator_edge_runs_reading():
    # A single day off on the first day (a run cut by the horizon's edge): allowed
    # when such runs are exempt, broken when they are held to the minimum.
    plan = {1: "E", 2: "E", 3: "E", 7: "L", 8: "L", 11: "E", 12: "E", 13: "E"}
    assert evaluate(plan, staff=("A,E=7|L=3,4320,1920,4,2,2,2",)).violations == []
    enforced = evaluate(plan, "enforced", staff=("A,E=7|L=3,4320,1920,4,2,2,2",)).violations
    assert len(enforced) == 1 and "is off only 1 day(s) in a row from day 0" in enforced[0]


def test_evaluator_objective_terms():
    result = evaluate(
        GOOD,
        on=("A,0,E,2", "A,1,L,3", "A,5,E,4"),  # met; wrong shift (3); off that day (4)
        off=("A,2,E,5", "A,3,L,7", "A,4,E,11"),  # granted (5); other shift; off that day
        cover=("0,E,2,100,1", "0,L,0,100,1", "7,L,0,50,6", "13,E,1,30,1"),  # short 1; ok; over 1; short 1
    )
    assert result.terms == {"unmet_on_requests": 7, "granted_off_requests": 5, "cover_under": 130, "cover_over": 6}
    assert result.objective == 148


# --- the model against the evaluator ---------------------------------------------------


_BRUTE_FORCE: dict[tuple, int] = {}  # (text, edge_runs) -> optimum: each enumeration runs once per session


def brute_force_optimum(text: str, employees: list[str], days: int, shifts: list[str], edge_runs="exempt") -> int:
    """The least objective of every feasible roster, by enumeration (tiny instances only)."""
    if (text, edge_runs) in _BRUTE_FORCE:
        return _BRUTE_FORCE[text, edge_runs]
    best = None
    choices = [None, *shifts]
    for plan in itertools.product(choices, repeat=len(employees) * days):
        rows = [(employees[i // days], i % days, s) for i, s in enumerate(plan) if s is not None]
        result = evaluate_curtois(text, rows, edge_runs=edge_runs)
        if not result.violations and (best is None or result.objective < best):
            best = result.objective
    _BRUTE_FORCE[text, edge_runs] = best
    return best


def feasible_own_rosters(text: str, problem, edge_runs: str = "exempt") -> list[tuple[frozenset, int]]:
    """Every roster of the one employee ``A`` the evaluator finds no broken rule in, with its objective.

    Rosters are ``frozenset`` of ``(day, shift index)``; enumeration (tiny instances only).
    """
    shifts = [s.name for s in problem.shifts]
    feasible = []
    for plan in itertools.product([None, *range(len(shifts))], repeat=problem.days):
        roster = frozenset((d, s) for d, s in enumerate(plan) if s is not None)
        check = evaluate_curtois(text, [("A", d, shifts[s]) for d, s in roster], edge_runs=edge_runs)
        if not check.violations:
            feasible.append((roster, check.objective))
    return feasible


BRUTE_FORCE_SPECS = [
    # one employee, two shift types with a forbidden succession, requests against cover
    dict(days=7, shifts=("E,480,", "L,480,E"), staff=("A,E=3|L=3,2880,1440,3,2,2,0",),
         on=("A,4,L,5", "A,5,E,2"), off=("A,1,E,4",),
         cover=("0,E,1,10,1", "1,E,1,10,1", "2,L,1,10,1", "3,E,1,3,1", "5,E,1,10,2", "6,L,1,10,1")),
    # two employees, one shift type: runs, a weekend limit, a fixed day off, over cover
    dict(days=7, staff=("A,D=5,2400,1440,3,2,2,0", "B,D=4,1920,960,4,2,1,1"), days_off=("B,2",),
         on=("A,6,D,20", "B,0,D,3"), off=("B,3,D,2",),
         cover=tuple(f"{d},D,{r},10,4" for d, r in enumerate([2, 1, 2, 1, 0, 1, 2]))),
]


@pytest.mark.parametrize("spec", BRUTE_FORCE_SPECS, ids=["one-employee-two-shifts", "two-employees"])
def test_model_reaches_the_brute_force_optimum(spec):
    text = instance_text(**spec)
    problem = parse_curtois(text)
    solution = solve_roster(problem, time_limit=10)
    employees = [e.name for e in problem.employees]
    assert solution.status == "OPTIMAL"
    assert solution.objective == brute_force_optimum(text, employees, problem.days, [s.name for s in problem.shifts])
    check = evaluate_curtois(text, solution.assignment)
    assert check.violations == [] and check.objective == solution.objective
    assert check.terms == solution.terms


# Cover that alternates, so that every run rule binds: single worked days and single
# days off would be cheapest, three days in a row are the most allowed.
ALTERNATING = dict(days=10, staff=("A,D=10,4800,0,3,2,2,1",), on=("A,0,D,4", "A,9,D,6"),
                   cover=tuple(f"{d},D,{1 - d % 2},10,3" for d in range(10)))


@pytest.mark.parametrize("edge_runs", ["exempt", "enforced"])
@pytest.mark.parametrize("spec", [BRUTE_FORCE_SPECS[0], ALTERNATING], ids=["one-employee-two-shifts", "alternating"])
def test_run_rules_as_paths_keep_the_brute_force_optimum(spec, edge_runs):
    # The path form of the run rules must allow exactly the rosters the clauses allow:
    # alone (clauses and windows dropped) it reaches the same optimum, under both readings.
    import dataclasses

    from ortools.sat.python import cp_model

    from wfm.roster import model as roster_model

    text = instance_text(**spec)
    problem = dataclasses.replace(parse_curtois(text), edge_runs=edge_runs)
    expected = brute_force_optimum(text, ["A"], problem.days, [s.name for s in problem.shifts], edge_runs)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(roster_model, "add_min_consecutive", lambda *args, **kwargs: None)
        patch.setattr(roster_model, "add_max_consecutive_shifts", lambda *args, **kwargs: None)
        model = roster_model.build_model(problem, run_paths=True)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.Solve(model.cp) == cp_model.OPTIMAL
    assert round(solver.ObjectiveValue()) == expected


@needs_instances
def test_first_roster_keeps_every_hard_rule():
    from wfm.roster.solve import first_roster

    problem = read_curtois(FOLDER / "Instance3.txt")
    start, spent = first_roster(problem, budget=1.0)
    rows = [(problem.employees[e].name, d, problem.shifts[s].name) for e, d, s in sorted(start)]
    check = evaluate_curtois((FOLDER / "Instance3.txt").read_text(), rows)
    assert check.violations == [] and check.objective >= 1001  # the proven optimum
    assert 0 < spent <= 1.0 + 0.01  # one small solve may overrun by its floor
    assert first_roster(problem, budget=1.0)[0] == start  # reproducible


@needs_instances
def test_instance1_reaches_its_proven_optimum_and_the_evaluator_agrees():
    problem = read_curtois(FOLDER / "Instance1.txt")
    solution = solve_roster(problem, time_limit=30, wall_clock_cap=300)
    check = evaluate_curtois((FOLDER / "Instance1.txt").read_text(), solution.assignment)
    assert check.violations == [] and check.objective == solution.objective
    assert solution.lower_bound <= 607 <= solution.objective
    if solution.stopped_by != "wall-clock cap":  # only an overloaded machine stops it early
        assert (solution.status, solution.objective) == ("OPTIMAL", 607)


@needs_instances
def test_enforcing_edge_runs_misses_the_published_optimum():
    # The experiment that settles the reading: with runs at the horizon's edges held to
    # the minimum, Instance1's optimum is 807, not the published 607.
    import dataclasses

    problem = dataclasses.replace(read_curtois(FOLDER / "Instance1.txt"), edge_runs="enforced")
    solution = solve_roster(problem, time_limit=30, wall_clock_cap=300)
    assert solution.lower_bound > 607


@needs_instances
def test_same_budget_same_roster():
    problem = read_curtois(FOLDER / "Instance2.txt")
    first = solve_roster(problem, time_limit=0.5, wall_clock_cap=300, mip_share=0, colgen_share=0)  # CP-SAT alone
    second = solve_roster(problem, time_limit=0.5, wall_clock_cap=300, mip_share=0, colgen_share=0)
    assert first.stopped_by == second.stopped_by == "deterministic limit"
    assert first.objective == second.objective
    pd.testing.assert_frame_equal(first.assignment, second.assignment)


# --- the integer program (HiGHS, SCIP) -------------------------------------------------


def solve_mip(text: str, backend: str = "highs", edge_runs: str = "exempt", **options):
    """The instance ``text`` solved by the integer program alone; the roster as evaluator rows."""
    import dataclasses

    from wfm.roster.mip import build_ip, solve_ip

    problem = dataclasses.replace(parse_curtois(text), edge_runs=edge_runs)
    result = solve_ip(build_ip(problem), backend=backend, **options)
    rows = [(problem.employees[e].name, d, problem.shifts[s].name) for e, d, s in sorted(result.worked)]
    return result, rows


@pytest.mark.parametrize("edge_runs", ["exempt", "enforced"])
@pytest.mark.parametrize("spec", [*BRUTE_FORCE_SPECS, ALTERNATING], ids=["one-employee-two-shifts", "two-employees",
                                                                         "alternating"])
def test_integer_program_reaches_the_brute_force_optimum(spec, edge_runs):
    # Every rule as rows (runs, successions, weekends, minutes, requests, cover): the
    # program allows exactly the rosters the evaluator accepts, under both readings.
    text = instance_text(**spec)
    problem = parse_curtois(text)
    expected = brute_force_optimum(text, [e.name for e in problem.employees], problem.days,
                                   [s.name for s in problem.shifts], edge_runs)
    result, rows = solve_mip(text, edge_runs=edge_runs)
    check = evaluate_curtois(text, rows, edge_runs=edge_runs)
    assert (result.status, result.objective, result.bound) == ("optimal", expected, expected)
    assert check.violations == [] and check.objective == expected


@needs_instances
@pytest.mark.parametrize("backend", ["highs", "scip"])
def test_integer_program_proves_instance1_optimum(backend):
    # HiGHS and SCIP each prove the published optimum, and the evaluator prices the
    # program's roster exactly at the program's objective.
    text = (FOLDER / "Instance1.txt").read_text()
    result, rows = solve_mip(text, backend, wall_clock_cap=300)
    check = evaluate_curtois(text, rows)
    assert check.violations == [] and check.objective == result.objective
    if result.stopped_by != "wall-clock cap":
        assert (result.status, result.objective, result.bound) == ("optimal", 607, 607)
        assert result.nodes >= 1


@needs_instances
def test_integer_program_keeps_a_start_and_stops_at_its_node_limit():
    from wfm.roster.mip import build_ip, solve_ip
    from wfm.roster.solve import first_roster

    problem = read_curtois(FOLDER / "Instance1.txt")
    start, _ = first_roster(problem, budget=0.2)
    ip = build_ip(problem)
    runs = [solve_ip(ip, node_limit=1, start=start, wall_clock_cap=300) for _ in range(2)]
    first, second = runs
    assert first.nodes <= 1 and first.stopped_by in ("node limit", "optimal")
    assert first.objective <= ip.price(start)  # never worse than the roster it started from
    assert first.bound <= 607 <= first.objective  # the proven optimum lies between
    assert (first.worked, first.objective, first.bound) == (second.worked, second.objective, second.bound)


@needs_instances
def test_mip_proves_what_cp_sat_alone_cannot():
    # At half a deterministic second CP-SAT leaves Instance2 unproven; HiGHS, started
    # from CP-SAT's roster, proves the optimum 828 (its bound becomes lower_bound).
    problem = read_curtois(FOLDER / "Instance2.txt")
    alone = solve_roster(problem, time_limit=0.5, wall_clock_cap=300, mip_share=0, colgen_share=0)
    both = solve_roster(problem, time_limit=1.0, wall_clock_cap=300, mip_share=0.5, colgen_share=0)
    assert alone.status != "OPTIMAL" and alone.bound_by == "CP-SAT" and alone.mip_nodes == 0
    check = evaluate_curtois((FOLDER / "Instance2.txt").read_text(), both.assignment)
    assert check.violations == [] and check.objective == both.objective and check.terms == both.terms
    assert both.objective <= alone.objective
    if both.stopped_by != "wall-clock cap":
        assert (both.status, both.objective, both.lower_bound, both.bound_by) == ("OPTIMAL", 828, 828, "HiGHS")


# --- the CLI ------------------------------------------------------------------------------

runner = CliRunner()


def run(*args):
    return runner.invoke(app, ["roster", *map(str, args)])


def test_cli_writes_assignment_and_summary(tmp_path):
    text = instance_text(**RULES, cover=tuple(f"{d},E,1,100,1" for d in range(14)))
    instance = tmp_path / "tiny.txt"
    instance.write_text(text)
    out = tmp_path / "out"
    result = run("--curtois", instance, "--time-limit", 10, "--out", out)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "tiny.txt"]
    assert sorted(p.name for p in out.iterdir()) == ["assignment.csv", "summary.json"]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "OPTIMAL" and summary["lower_bound"] == summary["objective"]
    assert summary["evaluated_objective"] == summary["objective"] and summary["violations"] == []
    assert summary["evaluator_agrees"] is True and summary["seconds"] > 0
    assignment = pd.read_csv(out / "assignment.csv")
    assert list(assignment.columns) == ["employee", "day", "shift"]
    assert evaluate_curtois(text, assignment).objective == summary["objective"]


@pytest.mark.parametrize(
    "case, expected",
    [
        ("missing", "no such file"),
        ("folder", "is a folder"),
        ("not-a-number", "line 3 (SECTION_HORIZON): horizon length 'x' is not a whole number"),
        ("unknown-shift", "line 12 (SECTION_SHIFT_ON_REQUESTS): shift 'Q' is not defined"),
        ("binary", "is not UTF-8 text"),
        ("out-parent-missing", "does not exist"),
        ("out-is-a-file", "exists and is not a folder"),
        ("negative-limit", "--time-limit -1.0: expected a positive number"),
    ],
)
def test_cli_bad_input_is_one_sentence_and_exit_2(tmp_path, case, expected):
    instance = tmp_path / "in.txt"
    instance.write_text(instance_text(**RULES))
    out, limit = tmp_path / "out", 5
    if case == "missing":
        instance = tmp_path / "nope.txt"
    elif case == "folder":
        instance = tmp_path
    elif case == "not-a-number":
        instance.write_text(instance_text(**{**RULES, "days": "x"}))
    elif case == "unknown-shift":
        instance.write_text(instance_text(**RULES, on=("A,1,Q,1",)))
    elif case == "binary":
        instance.write_bytes(b"SECTION_HORIZON\n\xff\xfe7\n")
    elif case == "out-parent-missing":
        out = tmp_path / "no" / "out"
    elif case == "out-is-a-file":
        out = tmp_path / "out"
        out.write_text("keep me")
    elif case == "negative-limit":
        limit = -1
    before = sorted(p.name for p in tmp_path.iterdir())
    result = run("--curtois", instance, "--time-limit", limit, "--out", out)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and expected in lines[0], result.output
    assert "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written
    if case == "out-is-a-file":
        assert out.read_text() == "keep me"


def test_roster_is_priced_by_its_staffing_not_by_loose_slacks():
    # A search stopped by a limit may return a cover line with both slacks positive;
    # the roster's price must come from the people staffed (regression: Instance10
    # was reported 202 above what its roster cost).
    from wfm.roster.model import build_model
    from wfm.roster.solve import price_roster

    text = instance_text(days=7, staff=("A,D=7,3360,0,7,1,1,2",), on=("A,0,D,2", "A,1,D,3"),
                         off=("A,0,D,5",), cover=("0,D,2,10,1", "1,D,0,10,4"))
    model = build_model(parse_curtois(text))
    worked = {model.works[0, 0, 0].Index()}  # A works day 0 only
    loose = {var.Index() for _, var in model.terms["cover_under"] + model.terms["cover_over"]}

    def value(var):  # like CpSolver.Value on a solution whose slacks are all 1
        if isinstance(var, int):
            return var
        index = var.Index()
        if index < 0:  # a negated literal
            return 1 - value(model.cp.GetBoolVarFromProtoIndex(-index - 1))
        return 1 if index in loose or index in worked else 0

    priced = price_roster(model, value)
    check = evaluate_curtois(text, [("A", 0, "D")])
    assert priced == check.terms == {"unmet_on_requests": 3, "granted_off_requests": 5, "cover_under": 10,
                                     "cover_over": 0}
