"""The labelling DP that prices one employee's roster (wfm/roster/pricing.py): its minimum
against CP-SAT's on the published instances and against brute force on small ones, its
rosters against the independent evaluator (which shares no code with either)."""

from __future__ import annotations

import dataclasses
import random

import pytest
from test_roster_curtois import FOLDER, feasible_own_rosters, instance_text, needs_instances

from wfm.roster import evaluate_curtois, parse_curtois, read_curtois
from wfm.roster.colgen import cheapest_roster
from wfm.roster.model import employee_model
from wfm.roster.pricing import LabelPricer, label_pricer


def own_text(text: str, name: str) -> str:
    """The instance ``text`` with only employee ``name``'s wishes and no cover: its objective is their wishes broken."""
    kept, section = [], None
    for line in text.splitlines():
        bare = line.split("#", 1)[0].strip()
        if bare.startswith("SECTION_"):
            section = bare
        elif bare and section == "SECTION_COVER":
            continue
        elif bare and section in ("SECTION_SHIFT_ON_REQUESTS", "SECTION_SHIFT_OFF_REQUESTS") and (
                bare.split(",")[0].strip() != name):
            continue
        kept.append(line)
    return "\n".join(kept) + "\n"


def checked_value(text: str, problem, name: str, roster, prices, edge_runs: str) -> float:
    """``roster``'s wishes broken (by the evaluator) less its prices; fails on any hard rule it breaks."""
    rows = [(name, d, problem.shifts[s].name) for d, s in sorted(roster)]
    check = evaluate_curtois(own_text(text, name), rows, edge_runs=edge_runs)
    broken = [v for v in check.violations if f"'{name}'" in v]
    assert broken == []
    return check.objective - sum(prices.get(key, 0.0) for key in roster)


def random_prices(generator, problem, low=-10.0, high=60.0, share=0.7):
    return {(d, s): generator.uniform(low, high) for d in range(problem.days) for s in range(len(problem.shifts))
            if generator.random() < share}


def random_fixings(generator, problem, count):
    fixed = {}
    for _ in range(count):
        d = generator.randrange(problem.days)
        s = generator.choice([-1, *range(len(problem.shifts))])
        fixed[d, s] = generator.random() < 0.5
    return fixed


@needs_instances
@pytest.mark.parametrize("number", range(1, 11))
@pytest.mark.parametrize("edge_runs", ["exempt", "enforced"])
def test_minimum_equals_cp_sat_s_on_random_prices_and_fixings(number, edge_runs):
    path = FOLDER / f"Instance{number}.txt"
    text = path.read_text(encoding="utf-8")
    problem = dataclasses.replace(read_curtois(path), edge_runs=edge_runs)
    generator = random.Random(100 * number + len(edge_runs))
    statuses = set()
    for e in generator.sample(range(len(problem.employees)), 2):
        name = problem.employees[e].name
        model = employee_model(problem, e)
        for _ in range(3):
            prices = random_prices(generator, problem)
            fixed = random_fixings(generator, problem, generator.choice([0, 2, 4]))
            status, roster, bound, seconds = cheapest_roster(model, prices, fixed=fixed)
            cp_status, cp_roster, cp_bound, _ = cheapest_roster(model, prices, fixed=fixed, pricer="cp-sat", limit=30)
            statuses.add(status)
            assert status == cp_status and seconds > 0
            if status == "infeasible":
                assert roster is None and cp_roster is None
                continue
            assert status == "optimal"
            for key, worked in fixed.items():  # the fixings are kept
                d, s = key
                assert (any(day == d for day, _ in roster) if s == -1 else key in roster) == worked
            value = checked_value(text, problem, name, roster, prices, edge_runs)
            cp_value = checked_value(text, problem, name, cp_roster, prices, edge_runs)
            assert bound <= value and value == pytest.approx(bound, abs=1e-6)  # it costs what it says
            assert value <= cp_value + 1e-9  # no worse than CP-SAT's roster ...
            assert cp_bound <= value + 1e-9  # ... nor better than CP-SAT proves possible
            assert bound <= cp_value + 1e-9  # and the bound stays below the minimum
    assert "optimal" in statuses


# Small instances the evaluator can enumerate: forbidden successions, shifts of two
# lengths (the minutes counted per length), limits per type and on weekends, days off.
SMALL = [
    dict(days=7, shifts=("E,480,", "L,480,E"), staff=("A,E=3|L=3,2880,1440,3,2,2,0",)),
    dict(days=7, staff=("A,D=5,2400,1440,3,2,2,1",), days_off=("A,2",)),
    dict(days=8, shifts=("D,480,", "N,600,D"), staff=("A,D=5|N=2,3360,1920,4,2,2,1",)),
    dict(days=7, shifts=("E,480,", "D,360,", "N,600,E|D"), staff=("A,E=2|D=6|N=1,3000,1200,3,1,1,1",)),
    dict(days=9, shifts=("D,480,", "L,480,"), staff=("A,D=9|L=2,4320,2400,4,3,3,2",), days_off=("A,4",)),
]


@pytest.mark.parametrize("spec", SMALL, ids=[f"small{i}" for i in range(len(SMALL))])
@pytest.mark.parametrize("edge_runs", ["exempt", "enforced"])
def test_minimum_equals_brute_force(spec, edge_runs):
    names = [line.split(",")[0] for line in spec.get("shifts", ("D,480,",))]
    text = instance_text(**spec, on=(f"A,1,{names[0]},5",), off=(f"A,5,{names[-1]},3",))
    problem = dataclasses.replace(parse_curtois(text), edge_runs=edge_runs)
    feasible = feasible_own_rosters(text, problem, edge_runs)
    generator = random.Random(len(feasible))
    pricer = LabelPricer(problem, 0)
    for trial in range(12):
        prices = random_prices(generator, problem, -5.0, 15.0, share=0.8)
        fixed = random_fixings(generator, problem, trial % 3)
        keeps = [(r, c) for r, c in feasible if all(
            (any(d == day for day, _ in r) if s == -1 else (d, s) in r) == worked for (d, s), worked in fixed.items())]
        found = pricer.price(prices, fixed)
        if not keeps:
            assert found.status == "infeasible" and found.roster is None
            continue
        expected = min(c - sum(prices.get(k, 0.0) for k in r) for r, c in keeps)
        assert found.status == "optimal"
        assert found.bound <= expected and found.bound == pytest.approx(expected, abs=1e-9)
        assert dict(keeps)[found.roster] - sum(prices.get(k, 0.0) for k in found.roster) == pytest.approx(expected)


def test_infeasible_fixings_and_contracts():
    text = instance_text(days=7, staff=("A,D=7,3360,1440,3,2,2,1",), days_off=("A,3",))
    problem = parse_curtois(text)
    pricer = LabelPricer(problem, 0)
    assert pricer.price({}, {(3, 0): True}).status == "infeasible"  # a fixed day off
    assert pricer.price({}, {(3, -1): True}).status == "infeasible"
    assert pricer.price({}, {(2, -1): True, (4, -1): True}).status == "infeasible"  # day 3 alone off, 2 needed
    assert pricer.price({}, {(d, -1): False for d in range(5)}).status == "infeasible"  # 3 shifts in 2 days
    found = pricer.price({}, {(d, -1): True for d in (0, 1, 2)} | {(5, 0): True})
    assert found.status == "optimal" and found.roster == {(0, 0), (1, 0), (2, 0), (5, 0), (6, 0)}
    assert pricer.price({}, {(d, -1): True for d in (0, 1, 2, 3)}).status == "infeasible"
    crowded = parse_curtois(instance_text(days=7, staff=("A,D=7,3360,2400,2,2,2,1",)))
    # 5 shifts in 7 days with at most 2 in a row and 2 days off between runs: impossible
    model = employee_model(crowded, 0)
    assert cheapest_roster(model, {})[0] == "infeasible" == cheapest_roster(model, {}, pricer="cp-sat")[0]


def test_limits_left_out_come_back_when_broken_and_the_work_count_is_deterministic():
    # Two weekends in 14 days, at most one worked; weekend shifts priced high: the first
    # pass without the limit works both, the second tracks the weekends.
    text = instance_text(days=14, staff=("A,D=14,6720,1440,5,1,1,1",))
    problem = parse_curtois(text)
    prices = {(d, 0): (30.0 if d % 7 >= 5 else 1.0) for d in range(14)}
    pricer = LabelPricer(problem, 0)
    found = pricer.price(prices)
    assert "weekends" in pricer.tracked and found.status == "optimal"
    assert len({d // 7 for d, _ in found.roster if d % 7 >= 5}) == 1
    again = LabelPricer(problem, 0).price(prices)
    assert (again.roster, again.bound, again.seconds) == (found.roster, found.bound, found.seconds)
    assert pricer.price(prices).seconds < found.seconds  # one pass once the limit is tracked
    stopped = LabelPricer(problem, 0).price(prices, limit=found.seconds / 2)
    assert stopped.status == "unknown" and stopped.roster is None and stopped.seconds == found.seconds / 2
    # stopped after the relaxed pass: its bound (without the weekend limit) is below the minimum
    assert stopped.bound is None or stopped.bound <= found.bound


def test_label_pricer_is_kept_on_the_model():
    problem = parse_curtois(instance_text())
    model = employee_model(problem, 0)
    assert label_pricer(model) is label_pricer(model) is not None


def test_labels_past_the_memory_cap_are_priced_by_cp_sat(monkeypatch):
    import wfm.roster.pricing as pricing

    text = instance_text(days=7, staff=("A,D=5,2400,1440,3,2,2,1",), on=("A,2,D,4",))
    problem = parse_curtois(text)
    prices = {(d, 0): 1.5 * d for d in range(7)}
    expected = cheapest_roster(employee_model(problem, 0), prices)
    monkeypatch.setattr(pricing, "MAX_LABELS", 10)
    assert pricing.LabelPricer(problem, 0).price(prices).status == "too large"
    status, roster, bound, seconds = cheapest_roster(employee_model(problem, 0), prices)
    assert status == "optimal" and seconds > 0 and bound == pytest.approx(expected[2], abs=1e-3)
    assert checked_value(text, problem, "A", roster, prices, "exempt") == pytest.approx(expected[2], abs=1e-6)
