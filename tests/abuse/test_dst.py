"""Issue #13, part 6: daylight saving in the schedule.

A 24/7 centre in America/New_York over the spring-forward day (2026-03-08: 02:00-03:00
does not exist, 46 half-hours) and the fall-back day (2026-11-01: 01:00-02:00 happens
twice, 50 half-hours). Coverage, requirements and verification list each real interval
once and join one to one; shifts, paid hours and rest are real time, derivable from
schedule.csv alone; bad wall-clock times are one sentence and exit code 2.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from wfm.cli import app
from wfm.localtime import elapsed_minutes, fold_of, real_time
from wfm.plan import plan_to_directory
from wfm.scenario import load_scenario, validate_scenario
from wfm.schedule import build_problem
from wfm.schedule.validate import check_schedule, coverage_from_schedule

ZONE = "America/New_York"
SPRING, FALL = dt.date(2026, 3, 8), dt.date(2026, 11, 1)

SCENARIO = """name = "dst"
[horizon]
start = {start}
days = 7
interval_minutes = 30
timezone = "America/New_York"
open = "00:00"
close = "24:00"

[[group]]
name = "agents"
skills = "inbound"
cost_per_hour = 20

[[shift]]
name = "any"
group = "agents"
length_hours = [7, 8]
start_earliest = "00:00"
start_latest = "16:00"
start_step_minutes = 240
days_per_week = [4, 5]
min_rest_hours = 11

[[shift.break]]
kind = "lunch"
length_minutes = 30
start_after_hours = [3, 4]

[costs]
inbound_short_penalty = 2000

[solver]
time_limit_seconds = 4

[[queue]]
name = "support"
volumes = "volumes.csv"
aht = 300
service_level = 0.8
answer_within = 20
shrinkage = 0.0

[verify]
replications = 2
seed = 1
"""


def real_intervals(start: dt.date, days: int = 7) -> pd.DatetimeIndex:
    """The real half-hours of ``days`` local days from ``start`` (aware)."""
    first = pd.Timestamp(start).tz_localize(ZONE)
    stop = pd.Timestamp(start + dt.timedelta(days=days)).tz_localize(ZONE)
    return pd.date_range(first, stop, freq="30min", inclusive="left")


def write_case(folder: Path, start: dt.date) -> Path:
    """Scenario and naive wall-clock volumes; the second pass of a repeated hour is busier."""
    folder.mkdir(parents=True, exist_ok=True)
    when = real_intervals(start)
    wall = when.tz_localize(None)
    hour = wall.hour + wall.minute / 60
    y = 6 + 6 * np.exp(-((hour - 13) ** 2) / 18) + 12 * fold_of(pd.Series(when), ZONE)
    pd.DataFrame({"ds": wall.strftime("%Y-%m-%d %H:%M:%S"), "y": np.round(y, 1)}).to_csv(
        folder / "volumes.csv", index=False)
    path = folder / "dst.toml"
    path.write_text(SCENARIO.format(start=start.isoformat()))
    return path


@pytest.fixture(scope="module", params=[SPRING, FALL], ids=["spring-forward", "fall-back"])
def plan(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"dst-{request.param}")
    path = write_case(folder, request.param)
    plan_to_directory(path, folder / "plan", time_limit=4)
    out = folder / "plan"
    return {
        "day": request.param,
        "scenario": load_scenario(path),
        "coverage": pd.read_csv(out / "coverage.csv", parse_dates=["ds"]),
        "requirements": pd.read_csv(out / "requirements.csv"),
        "verification": pd.read_csv(out / "verification.csv"),
        "schedule": pd.read_csv(out / "schedule.csv"),
        "kpis": json.loads((out / "kpis.json").read_text()),
        "folder": out,
    }


def keys(frame: pd.DataFrame) -> list[tuple[str, int]]:
    """(wall-clock time, fold) of each row, whatever convention the file uses for ``ds``."""
    text = frame["ds"].astype(str)
    if text.str.contains(r"[+-]\d\d:\d\d$").all():  # real instants with their UTC offset
        ds = pd.to_datetime(text, utc=True).dt.tz_convert(ZONE)
        return list(zip(ds.dt.strftime("%Y-%m-%d %H:%M"), fold_of(ds, ZONE).astype(int), strict=False))
    fold = frame["fold"].astype(int) if "fold" in frame.columns else [0] * len(frame)
    return list(zip(pd.to_datetime(text).dt.strftime("%Y-%m-%d %H:%M"), fold, strict=False))


def test_coverage_lists_every_real_interval_of_the_day_once(plan):
    coverage, day = plan["coverage"], plan["day"]
    on_day = coverage[coverage["ds"].dt.date == day]
    assert len(on_day) == (46 if day == SPRING else 50)
    assert len(coverage) == len(real_intervals(day))
    assert len(set(keys(coverage))) == len(coverage)
    wall = on_day["ds"].dt.strftime("%H:%M")
    if day == SPRING:
        assert not wall.isin(["02:00", "02:30"]).any()
        assert "fold" not in coverage.columns  # no repeated hour: plain wall-clock ds, as on any day
    else:
        repeated = on_day[wall.isin(["01:00", "01:30"])]
        assert repeated["fold"].tolist() == [0, 0, 1, 1]  # in order, told apart by the fold marker
        # Each pass carries its own requirement (the second pass is busier).
        first, second = repeated["required"].to_numpy()[:2], repeated["required"].to_numpy()[2:]
        assert (second > first).all()
        assert (repeated["scheduled_inbound"].to_numpy()[2:] >= second).all()


def test_requirements_coverage_and_verification_join_one_to_one(plan):
    cov, req, ver = keys(plan["coverage"]), keys(plan["requirements"]), keys(plan["verification"])
    assert cov == req == ver
    assert len(set(cov)) == len(cov)
    # The verification simulated the heads the schedule put on each real interval.
    assert plan["verification"]["agents"].tolist() == plan["coverage"]["scheduled_inbound"].tolist()
    assert plan["requirements"]["scheduled"].tolist() == plan["coverage"]["required"].tolist()


def shifts(schedule: pd.DataFrame) -> pd.DataFrame:
    """One row per agent-day: wall-clock span and real paid minutes, from schedule.csv alone."""
    minutes = elapsed_minutes(schedule["start"], schedule["end"], ZONE,
                              schedule.get("start_fold"), schedule.get("end_fold"))
    rows = schedule.assign(minutes=minutes, paid=np.where(schedule["activity"] == "lunch", 0, minutes))
    out = rows.groupby(["agent", "date"]).agg(start=("start", "first"), end=("end", "last"),
                                              minutes=("minutes", "sum"), paid=("paid", "sum")).reset_index()
    out["wall_minutes"] = (pd.to_datetime(out["end"]) - pd.to_datetime(out["start"])).dt.total_seconds() / 60
    return out


def test_shifts_over_the_clock_change_are_paid_their_real_hours(plan):
    schedule, kpis, day = plan["schedule"], plan["kpis"], plan["day"]
    table = shifts(schedule)
    assert set(table["minutes"]) <= {7 * 60, 8 * 60}  # every shift is an allowed real length
    assert table["paid"].sum() / 60 == pytest.approx(kpis["paid_hours"])
    assert kpis["cost"] == pytest.approx(20 * kpis["paid_hours"])  # cost per paid real hour, nothing else
    over_gap = table[(table["date"] == day.isoformat()) & (table["start"] == f"{day} 00:00")]
    assert len(over_gap) > 0  # nights are staffed, so shifts run over the clock change
    change = -60 if day == SPRING else 60
    assert (over_gap["wall_minutes"] == over_gap["minutes"] - change).all()
    assert (over_gap["paid"] == over_gap["minutes"] - 30).all()
    if day == SPRING:
        # A 7-hour shift from midnight ends at 08:00 on the wall clock; an 8-hour one at 09:00.
        ends = dict(zip(over_gap["minutes"], over_gap["end"], strict=False))
        assert set(ends.values()) <= {f"{day} 08:00", f"{day} 09:00"}
        assert all(ends[m] == f"{day} {int(m) // 60 + 1:02d}:00" for m in ends)


def test_workbook_timeline_and_paid_hours_follow_real_time(plan):
    from openpyxl import load_workbook

    day = plan["day"]
    sheet = load_workbook(plan["folder"] / "schedule.xlsx", read_only=True)[day.strftime("%a %Y-%m-%d")]
    rows = list(sheet.iter_rows(values_only=True))
    header = [h for h in rows[0][5:] if h is not None]
    if day == SPRING:
        assert "02:00" not in header and "02:30" not in header
    else:
        assert header.count("01:00") == 2 and header.count("01:30") == 2
    table = shifts(plan["schedule"])
    expected = dict(zip(table.loc[table["date"] == day.isoformat(), "agent"],
                        table.loc[table["date"] == day.isoformat(), "paid"] / 60, strict=False))
    shown = {r[0]: r[4] for r in rows[1:] if r and r[0] in expected}
    assert shown == pytest.approx(expected)
    # Each agent's cells are their real half-hours on shift.
    cells = {r[0]: sum(c is not None for c in r[5:]) for r in rows[1:] if r and r[0] in expected}
    worked = table.loc[table["date"] == day.isoformat()].set_index("agent")["minutes"] / 30
    assert cells == worked.to_dict()


def test_schedule_keeps_every_hard_rule_in_real_time_and_recounts_to_coverage(plan):
    schedule, scenario, coverage = plan["schedule"], plan["scenario"], plan["coverage"]
    assert check_schedule(schedule, scenario) == []
    assert not schedule["start"].str.contains(f"{SPRING} 02:").any()
    recount = coverage_from_schedule(schedule, 30, ZONE)
    assert keys(recount) == keys(coverage)
    assert recount["scheduled_inbound"].tolist() == coverage["scheduled_inbound"].tolist()


def night_scenario(start: dt.date, **horizon) -> object:
    return validate_scenario({
        "name": "n",
        "horizon": {"start": start, "days": 7, "interval_minutes": 30, "open": "00:00", "close": "24:00",
                    "timezone": ZONE, **horizon},
        "group": [{"name": "g", "skills": "inbound", "cost_per_hour": 10}],
        "shift": [{"name": "s", "group": "g", "length_hours": [8], "start_earliest": "00:00",
                   "start_latest": "16:00", "days_per_week": [5, 5], "min_rest_hours": 11}],
    })


def test_problem_grid_is_the_real_intervals_and_a_shift_costs_its_real_hours():
    for start, counts in ((SPRING, 46), (FALL, 50)):
        scenario = night_scenario(start)
        wall = real_intervals(start).tz_localize(None)
        problem = build_problem(pd.DataFrame({"ds": wall, "agents": 1}), scenario)
        assert problem.day_slots.tolist() == [counts] + [48] * 6
        assert int(problem.open_mask[0].sum()) == counts
        assert problem.pools[0].required[0].sum() == counts  # the repeated hour is not merged
        rule = problem.rules[0]
        # Midnight start on the change day: 8 real hours, the same cost as any other midnight start.
        assert rule.cost[0, 0] == rule.cost[1, 0] == pytest.approx(80)
        t0 = int(problem.start_slot[0, 0])
        end = problem.slot_time(t0 + rule.length)
        assert end == pd.Timestamp(start) + pd.Timedelta(hours=9 if start == SPRING else 7)


def test_rest_between_shifts_is_real_time_over_the_skipped_hour():
    # 24:00 Saturday to 11:00 Sunday is 11 wall-clock hours but only 10 real ones.
    scenario = night_scenario(dt.date(2026, 3, 2))
    schedule = pd.DataFrame({
        "agent": ["A", "A"], "group": ["g", "g"], "shift": ["s", "s"], "date": ["2026-03-07", "2026-03-08"],
        "start": ["2026-03-07 16:00", "2026-03-08 11:00"], "end": ["2026-03-08 00:00", "2026-03-08 19:00"],
        "activity": ["inbound", "inbound"], "detail": ["q", "q"],
    })
    problems = check_schedule(schedule, scenario)
    assert any("10 h rest" in p for p in problems), problems


def test_real_time_of_the_repeated_hour_follows_the_fold_marker():
    wall = pd.Series(pd.to_datetime(["2026-11-01 01:00", "2026-11-01 01:00", "2026-11-01 02:00"]))
    real = real_time(wall, [0, 1, 0], ZONE)
    assert real.dt.strftime("%H:%M%z").tolist() == ["01:00-0400", "01:00-0500", "02:00-0500"]
    assert elapsed_minutes(wall[:1], wall[2:].reset_index(drop=True), ZONE).tolist() == [120.0]


# --- the real CLI ------------------------------------------------------------------------


def cli_scenario(folder: Path, start: dt.date) -> Path:
    path = folder / "s.toml"
    path.write_text(f"""name = "n"
[horizon]
start = {start}
days = 7
interval_minutes = 30
timezone = "{ZONE}"
open = "00:00"
close = "24:00"
[[group]]
name = "g"
skills = "inbound"
cost_per_hour = 10
[[shift]]
name = "s"
group = "g"
length_hours = [8]
start_earliest = "00:00"
start_latest = "16:00"
start_step_minutes = 480
days_per_week = [5, 5]
min_rest_hours = 11
[solver]
time_limit_seconds = 3
""")
    return path


def test_cli_schedule_rejects_a_time_the_clocks_skip(tmp_path):
    scenario = cli_scenario(tmp_path, SPRING)
    # A 24-hour wall-clock grid for the spring-forward day (as a DST-unaware tool writes it).
    wall = pd.date_range(pd.Timestamp(SPRING), periods=7 * 48, freq="30min")
    pd.DataFrame({"ds": wall, "agents": 2}).to_csv(tmp_path / "req.csv", index=False)
    before = sorted(p.name for p in tmp_path.iterdir())
    result = CliRunner().invoke(app, ["schedule", "--requirements", str(tmp_path / "req.csv"),
                                      "--scenario", str(scenario), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    message = result.output.strip()
    assert "Traceback" not in message and len(message.splitlines()) == 1
    assert "row 5" in message and "2026-03-08 02:00:00" in message and ZONE in message
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_cli_schedule_keeps_both_passes_of_the_repeated_hour(tmp_path):
    scenario = cli_scenario(tmp_path, FALL)
    wall = real_intervals(FALL).tz_localize(None)
    agents = np.where(fold_of(pd.Series(wall), ZONE) == 1, 5, 2)  # naive rows: the second 01:00 is the second pass
    pd.DataFrame({"ds": wall, "agents": agents}).to_csv(tmp_path / "req.csv", index=False)
    result = CliRunner().invoke(app, ["schedule", "--requirements", str(tmp_path / "req.csv"),
                                      "--scenario", str(scenario), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    coverage = pd.read_csv(tmp_path / "out" / "coverage.csv")
    day = coverage[coverage["ds"].str.startswith(str(FALL))]
    assert len(day) == 50
    repeated = day[day["ds"].str[11:16].isin(["01:00", "01:30"])]
    assert list(zip(repeated["ds"].str[11:16], repeated["fold"], repeated["required"], strict=False)) == [
        ("01:00", 0, 2), ("01:30", 0, 2), ("01:00", 1, 5), ("01:30", 1, 5)]
    assert (repeated["under"] == 0).all()
    schedule = pd.read_csv(tmp_path / "out" / "schedule.csv")
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    paid = elapsed_minutes(schedule["start"], schedule["end"], ZONE, schedule["start_fold"], schedule["end_fold"])
    assert paid.sum() / 60 == pytest.approx(summary["paid_hours"])


def test_quote_over_a_spring_forward_week_staffs_only_the_real_intervals():
    # March 2026's representative week (from Monday 2 March) ends on the spring-forward Sunday;
    # the quote builds its week on a 24-hour wall-clock grid, which the scheduler now refuses there.
    from factories import quote_scenario

    from wfm.quote import build_quote

    data = quote_scenario()
    data["horizon"].update({"start": dt.date(2026, 3, 2), "timezone": ZONE, "open": "00:00", "close": "24:00",
                            "closed_days": []})
    data["shift"][0].update({"start_earliest": "00:00", "start_latest": "16:00", "start_step_minutes": 480,
                             "days_per_week": [5, 5]})
    data["quote"].update({"start_month": "2026-03", "time_limit_seconds": 2,
                          "day_of_week": {d: 1 for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}})
    result = build_quote(validate_scenario(data))
    month = result.monthly.iloc[0]
    assert month["month"] == "2026-03" and month["paid_hours"] > 0
