"""The CP-SAT scheduler: exact small cases by brute force, every hard rule checked on the
output, coverage recounted from schedule.csv, infeasibility reported (not raised),
bad input raised, and the `wfm schedule` command."""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import json

import numpy as np
import pandas as pd
import pytest
from factories import MONDAY, hourly_scenario, week_scenario
from typer.testing import CliRunner

from wfm.cli import app
from wfm.errors import InputError
from wfm.scenario import validate_scenario
from wfm.schedule import ScheduleSummary, make_schedule, synthetic, write_schedule
from wfm.schedule.validate import check_schedule, coverage_from_schedule


def monday_requirement(values, start_hour=8):
    ds = [pd.Timestamp(MONDAY) + pd.Timedelta(hours=start_hour + i) for i in range(len(values))]
    return pd.DataFrame({"ds": ds, "agents": values})


def brute_force_cost(required, starts, length, cost_per_shift, max_each=4, breaks=None):
    """Cheapest shift counts covering ``required`` (hourly slots), enumerating every choice.

    ``breaks``: list of possible break offsets (one 1-slot break per shift), or None.
    """
    best = None
    for counts in itertools.product(range(max_each + 1), repeat=len(starts)):
        options = [[None]] if breaks is None else None
        # Every way of splitting each start's agents among break offsets.
        per_start = []
        for n in counts:
            if breaks is None:
                per_start.append([()])
            else:
                per_start.append([c for c in itertools.product(range(n + 1), repeat=len(breaks)) if sum(c) == n])
        for split in itertools.product(*per_start):
            cover = np.zeros(len(required))
            for s, n, part in zip(starts, counts, split, strict=False):
                cover[s : s + length] += n
                for off, k in zip(breaks or [], part, strict=False):
                    cover[s + off] -= k
            if (cover >= np.array(required)).all():
                cost = sum(counts) * cost_per_shift
                best = cost if best is None else min(best, cost)
        del options
    return best


@pytest.mark.parametrize("required", [[2, 3, 1, 2], [1, 4, 4, 1], [3, 0, 0, 3], [0, 2, 2, 0]])
def test_exact_small_case_matches_brute_force(required):
    scenario = validate_scenario(hourly_scenario())
    result = make_schedule(monday_requirement(required), scenario)
    expected = brute_force_cost(required, starts=[0, 1, 2], length=2, cost_per_shift=20)
    assert result.summary.cost == pytest.approx(expected)
    assert result.summary.under_intervals == 0
    assert result.summary.gap == pytest.approx(0, abs=1e-6)


@pytest.mark.parametrize("required", [[2, 1, 2, 2], [3, 3, 1, 3], [1, 2, 2, 1]])
def test_exact_case_with_breaks_matches_brute_force(required):
    # Four-hour shift at 08:00 only, one paid 60-minute break after 1 or 2 hours.
    scenario = validate_scenario(hourly_scenario(changes={
        "shift.0.length_hours": 4, "shift.0.start_latest": "08:00",
        "shift.0.break": [{"kind": "break", "length_minutes": 60, "start_after_hours": [1, 2]}],
    }))
    result = make_schedule(monday_requirement(required), scenario)
    expected = brute_force_cost(required, starts=[0], length=4, cost_per_shift=40, max_each=6, breaks=[1, 2])
    assert result.summary.cost == pytest.approx(expected)
    assert result.summary.under_intervals == 0
    assert check_schedule(result.schedule, scenario) == []


def test_blending_fills_the_quiet_hours_with_outbound():
    data = hourly_scenario(changes={"shift.0.length_hours": 4, "shift.0.start_latest": "08:00"})
    # 2 agent-hours of work: one record, one attempt, always answered, 7200 s.
    data["campaign"] = [{"name": "c", "records": 1, "max_attempts": 1, "contact_rate": 1.0, "aht_contact": 7200,
                         "attempt_seconds": 0, "window_days": ["mon"], "window_start": "08:00",
                         "window_end": "12:00", "deadline": MONDAY}]
    scenario = validate_scenario(data)
    result = make_schedule(monday_requirement([1, 0, 0, 1]), scenario)
    s = result.summary
    assert s.cost == pytest.approx(40)  # one agent: inbound at 08 and 11, outbound in between
    assert s.outbound_done_share == {"c": 1.0}
    assert s.under_intervals == 0
    cov = result.coverage
    assert cov["outbound"].tolist() == [0, 1, 1, 0]
    assert cov["scheduled_inbound"].tolist() == [1, 0, 0, 1]
    assert check_schedule(result.schedule, scenario) == []


def test_headcount_cap_too_low_is_reported_not_raised():
    data = hourly_scenario()
    data["group"][0]["headcount"] = 1
    scenario = validate_scenario(data)
    result = make_schedule(monday_requirement([2, 2, 2, 2]), scenario)
    s = result.summary
    assert s.under_intervals > 0
    assert any(r.startswith("group[0].headcount") for r in s.binding_rules)
    assert s.agents <= 1


def test_interval_no_shift_can_reach_is_reported():
    # Shifts end by 11:00 at the latest (start 08:00-09:00, 2 h), but 11:00 needs an agent.
    scenario = validate_scenario(hourly_scenario(changes={"shift.0.start_latest": "09:00"}))
    result = make_schedule(monday_requirement([1, 1, 1, 1]), scenario)
    s = result.summary
    assert s.under_intervals == 1
    assert any(r.startswith("shift:") and "11:00" in r for r in s.binding_rules)


@pytest.fixture(scope="module")
def week_result():
    scenario = validate_scenario(week_scenario())
    req = synthetic.requirements(start=MONDAY, days=7, peak=14, interval_minutes=30, open_hour=8, close_hour=20)
    # Saturday opens late and Sunday is closed: requirements there are dropped and reported.
    return scenario, req, make_schedule(req, scenario)


def test_week_schedule_obeys_every_hard_rule(week_result):
    scenario, _, result = week_result
    assert check_schedule(result.schedule, scenario) == []
    s = result.summary
    assert s.lower_bound <= s.cost + 1e-6 and s.gap >= 0
    assert s.outbound_done_share["renewals"] == pytest.approx(1.0)
    assert s.required_in_closed_hours > 0  # Sunday and early/late Saturday
    assert set(result.schedule["activity"]) <= {"inbound", "outbound", "break", "lunch", "idle"}
    # The inbound-only group never calls out.
    assert not ((result.schedule["group"] == "phones") & (result.schedule["activity"] == "outbound")).any()
    # Outbound only inside the calling window, on or before the deadline.
    out = result.schedule[result.schedule["activity"] == "outbound"]
    assert (out["start"].dt.hour >= 10).all() and (out["end"].dt.hour * 60 + out["end"].dt.minute <= 18 * 60).all()
    assert (pd.to_datetime(out["date"]).dt.date <= MONDAY + dt.timedelta(days=4)).all()


def test_paid_cost_matches_the_schedule(week_result):
    scenario, _, result = week_result
    sched = result.schedule
    paid = sched[sched["activity"] != "lunch"]
    hours = (paid["end"] - paid["start"]).dt.total_seconds().groupby(paid["group"]).sum() / 3600
    assert result.summary.paid_hours == pytest.approx(hours.sum())
    rate = {g.name: g.cost_per_hour for g in scenario.groups}
    base = sum(hours[g] * rate[g] for g in hours.index)
    assert result.summary.paid_cost >= base - 1e-6  # plus unsocial premium


SUMMARY_KEYS = [
    "scenario", "currency", "status", "cost", "lower_bound", "gap", "lp_bound", "cpsat_bound", "paid_cost",
    "agent_overhead_cost", "short_penalty_cost", "undone_penalty_cost", "goal_late_penalty_cost", "paid_hours",
    "agents", "agents_by_group", "required_agent_intervals", "under_intervals", "under_agent_intervals",
    "over_agent_intervals", "required_in_closed_hours", "campaigns", "outbound_done_share", "binding_rules",
    "notes", "variables", "constraints", "fte", "solver_cost",
]


def test_coverage_recomputed_from_schedule_csv_equals_coverage_csv(week_result, tmp_path):
    scenario, _, result = week_result
    write_schedule(result, tmp_path / "out")
    schedule = pd.read_csv(tmp_path / "out" / "schedule.csv")
    coverage = pd.read_csv(tmp_path / "out" / "coverage.csv", parse_dates=["ds"])
    recount = coverage_from_schedule(schedule, scenario.horizon.interval_minutes)
    merged = coverage.merge(recount, on="ds", how="left", suffixes=("", "_recount")).fillna(0)
    assert (merged["scheduled_inbound"] == merged["scheduled_inbound_recount"]).all()
    assert (merged["outbound"] == merged["outbound_recount"]).all()
    assert (coverage["over"] - coverage["under"] == coverage["scheduled_inbound"] - coverage["required"]).all()
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    for key in ("cost", "lower_bound", "gap", "paid_hours", "under_intervals", "outbound_done_share",
                "work_used", "status", "binding_rules"):
        assert key in summary
    # Timings vary run to run: they are in run.json, never in summary.json.
    assert not [key for key in summary if key.endswith("_seconds")]
    assert json.loads((tmp_path / "out" / "run.json").read_text())["solve_seconds"] > 0
    # summary.json is the typed summary, with the keys in the order the file has always had
    # (the solver's phase statuses between solver_cost and work_used).
    assert summary == result.summary.to_json()
    assert list(summary)[:len(SUMMARY_KEYS)] == SUMMARY_KEYS and list(summary)[-1] == "work_used"
    assert ScheduleSummary.from_json(summary) == result.summary
    assert result.notes is result.summary.notes
    assert check_schedule(schedule, scenario) == []


def test_two_weeks_two_queues_keep_rest_across_the_week_boundary():
    data = week_scenario()
    data["horizon"]["days"] = 14
    data["group"][1]["queues"] = ["retail"]
    data["shift"][0]["start_latest"] = "12:00"
    data["campaign"][0]["deadline"] = MONDAY + dt.timedelta(days=11)
    data["solver"]["time_limit_seconds"] = 8
    scenario = validate_scenario(data)
    req = synthetic.requirements(start=MONDAY, days=14, peak=16, interval_minutes=30, open_hour=8, close_hour=20,
                                 queues=("retail", "business"))
    result = make_schedule(req, scenario)
    assert check_schedule(result.schedule, scenario) == []
    cov = result.coverage
    assert {"required[retail]", "required[business]"} <= set(cov.columns)
    assert (cov["required"] == cov["required[retail]"] + cov["required[business]"]).all()
    # The inbound-only group serves only retail.
    phones = result.schedule[(result.schedule["group"] == "phones") & (result.schedule["activity"] == "inbound")]
    assert set(phones["detail"]) <= {"retail"}


def test_same_inputs_same_schedule():
    scenario = validate_scenario(hourly_scenario())
    req = monday_requirement([2, 3, 1, 2])
    a = make_schedule(req, scenario)
    b = make_schedule(req, scenario)
    pd.testing.assert_frame_equal(a.schedule, b.schedule)
    pd.testing.assert_frame_equal(a.coverage, b.coverage)


@pytest.mark.parametrize(
    "frame, message",
    [
        (pd.DataFrame({"ds": [pd.Timestamp(MONDAY) + pd.Timedelta(hours=8)], "people": [1]}), "no 'agents' column"),
        (pd.DataFrame({"ds": [pd.Timestamp(MONDAY) + pd.Timedelta(hours=8, minutes=20)], "agents": [1]}),
         "not on the 60-minute grid"),
        (pd.DataFrame({"ds": [pd.Timestamp("2030-01-01 08:00")], "agents": [1]}), "no row falls inside the horizon"),
        (pd.DataFrame({"ds": [pd.Timestamp(MONDAY) + pd.Timedelta(hours=8)], "agents": [-1]}), "expected a number"),
    ],
)
def test_bad_requirements_raise_input_error(frame, message):
    scenario = validate_scenario(hourly_scenario())
    with pytest.raises(InputError, match=message):
        make_schedule(frame, scenario)


def test_unknown_queue_in_group_is_input_error():
    data = hourly_scenario()
    data["group"][0]["queues"] = ["ghost"]
    with pytest.raises(InputError, match=r"group\[0\].queues: 'ghost' is not a queue"):
        make_schedule(monday_requirement([1, 1, 1, 1]), validate_scenario(data))


def write_inputs(tmp_path, data, required):
    import tomli_w

    scenario_path = tmp_path / "scenario.toml"
    scenario_path.write_text(tomli_w.dumps(data))
    req_path = tmp_path / "requirements.csv"
    monday_requirement(required).assign(y=1.0).to_csv(req_path, index=False)
    return scenario_path, req_path


def test_cli_schedule_writes_the_three_outputs(tmp_path):
    scenario_path, req_path = write_inputs(tmp_path, hourly_scenario(), [2, 3, 1, 2])
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["schedule", "--requirements", str(req_path), "--scenario", str(scenario_path),
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["coverage.csv", "run.json", "schedule.csv", "summary.json"]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["cost"] == pytest.approx(brute_force_cost([2, 3, 1, 2], [0, 1, 2], 2, 20))
    # Running again replaces the folder whole.
    (out / "stale.txt").write_text("old")
    again = CliRunner().invoke(app, ["schedule", "--requirements", str(req_path), "--scenario", str(scenario_path),
                                     "--out", str(out)])
    assert again.exit_code == 0 and not (out / "stale.txt").exists()


def test_cli_reports_binding_rule_on_stderr(tmp_path):
    data = hourly_scenario()
    data["group"][0]["headcount"] = 1
    scenario_path, req_path = write_inputs(tmp_path, data, [2, 2, 2, 2])
    result = CliRunner().invoke(app, ["schedule", "--requirements", str(req_path), "--scenario", str(scenario_path),
                                      "--out", str(tmp_path / "out")])
    assert result.exit_code == 0
    assert "binding: group[0].headcount" in result.output


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d["shift"][0].update(group="ghost"), "shift[0].group: 'ghost' is not a group name"),
        (lambda d: d["shift"][0].update(start_earliest="07:00"), "shift[0].start_earliest: 07:00 is before"),
        (lambda d: d["shift"][0].update({"break": [{"length_minutes": 60, "start_after_hours": [1, 3]}]}),
         "shift[0].break[0].start_after_hours"),
        (lambda d: d.update(campaign=[{"name": "c", "records": 1, "contact_rate": 0.5, "aht_contact": 60,
                                       "deadline": MONDAY - dt.timedelta(days=1)}]), "campaign[0].deadline"),
    ],
)
def test_cli_bad_scenario_is_one_sentence_and_nonzero_exit(tmp_path, change, message):
    data = copy.deepcopy(hourly_scenario())
    change(data)
    scenario_path, req_path = write_inputs(tmp_path, data, [1, 1, 1, 1])
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["schedule", "--requirements", str(req_path), "--scenario", str(scenario_path),
                                      "--out", str(out)])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output and not out.exists()


def test_cli_interval_mismatch_is_input_error(tmp_path):
    data = hourly_scenario()
    data["horizon"]["interval_minutes"] = 30
    scenario_path, req_path = write_inputs(tmp_path, data, [1, 1, 1, 1])
    result = CliRunner().invoke(app, ["schedule", "--requirements", str(req_path), "--scenario", str(scenario_path),
                                      "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "intervals are 60 minutes" in result.output


def test_daylight_saving_fall_back_day_neither_crashes_nor_double_counts():
    # New York falls back on Sunday 2026-11-01: 01:00-02:00 happens twice (25-hour day).
    data = {
        "name": "dst",
        "horizon": {"start": dt.date(2026, 10, 26), "days": 7, "interval_minutes": 60, "timezone": "America/New_York",
                    "open": "00:00", "close": "24:00"},
        "group": [{"name": "g", "skills": "inbound", "cost_per_hour": 10}],
        "shift": [{"name": "s", "group": "g", "length_hours": 8, "start_earliest": "00:00", "start_latest": "16:00",
                   "start_step_minutes": 240, "days_per_week": [1, 7], "min_rest_hours": 8}],
        "solver": {"time_limit_seconds": 3},
    }
    scenario = validate_scenario(data)
    ds = pd.date_range("2026-10-26 00:00", "2026-11-01 23:00", freq="60min", tz="America/New_York")
    assert len(ds) == 7 * 24 + 1
    req = pd.DataFrame({"ds": ds, "agents": 1})
    result = make_schedule(req, scenario)
    cov = result.coverage
    assert len(cov) == 7 * 24 + 1  # real intervals: the repeated hour is listed twice, once per pass
    assert cov.loc[cov["ds"] == pd.Timestamp("2026-11-01 01:00"), "fold"].tolist() == [0, 1]
    assert cov["required"].max() == 1 and result.summary.under_intervals == 0
    assert check_schedule(result.schedule, scenario) == []


@pytest.mark.parametrize("idle_shifts", [False, True])
def test_greedy_repair_covers_a_crippled_plan(idle_shifts):
    """The repair turns the empty plan, or one whose agents are all on shift but idle,
    into a plan meeting every requirement and campaign, valid by the hard-rule checker,
    with coverage recounted from the schedule."""
    from wfm.schedule.api import _empty_plan, build_model, build_problem
    from wfm.schedule.expand import expand_roster, roster_frames
    from wfm.schedule.repair import repair_plan

    data = week_scenario()
    data["horizon"]["days"] = 14
    data["group"][1]["queues"] = ["retail"]
    data["campaign"][0]["deadline"] = MONDAY + dt.timedelta(days=11)
    scenario = validate_scenario(data)
    req = synthetic.requirements(start=MONDAY, days=14, peak=16, interval_minutes=30, open_hour=8, close_hour=20,
                                 queues=("retail", "business"))
    problem = build_problem(req, scenario, "req")
    model, layout, avail = build_model(problem)
    cost = np.asarray(model.cost, dtype=float)
    values = _empty_plan(model)
    repaired = repair_plan(problem, model, layout, avail, values)
    assert repaired @ cost < values @ cost
    if idle_shifts:
        # The same shifts with nobody assigned to any work: only reassignment is needed.
        values = _empty_plan(model)
        for part in (layout.tour_vars, layout.start_vars, layout.break_vars):
            values[part] = repaired[part]
        paid = repaired[layout.start_vars] @ cost[layout.start_vars] + repaired[layout.tour_vars] @ cost[layout.tour_vars]
        repaired = repair_plan(problem, model, layout, avail, values)
        assert repaired @ cost == pytest.approx(paid)
    assert repaired[layout.short_vars].sum() == 0
    assert repaired[layout.undone_vars].sum() == 0
    roster = expand_roster(problem, layout, repaired)
    schedule, coverage = roster_frames(problem, roster)
    assert check_schedule(schedule, scenario) == []
    assert (coverage["under"] == 0).all()
    recount = coverage_from_schedule(schedule, scenario.horizon.interval_minutes)
    merged = coverage.merge(recount, on="ds", how="left", suffixes=("", "_recount")).fillna(0)
    assert (merged["scheduled_inbound"] == merged["scheduled_inbound_recount"]).all()
    assert (merged["outbound"] == merged["outbound_recount"]).all()
