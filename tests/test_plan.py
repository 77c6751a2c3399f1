"""`wfm plan`: one scenario end to end, exports, determinism, errors, and an interrupted run."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from plan_fixtures import write_history, write_scenario
from typer.testing import CliRunner

from wfm import erlang, plan
from wfm.cli import app
from wfm.errors import InputError
from wfm.scenario import load_scenario

runner = CliRunner()


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    folder = tmp_path_factory.mktemp("plan")
    path = write_scenario(folder)
    out = folder / "out"
    res = runner.invoke(app, ["plan", str(path), "--out", str(out)])
    assert res.exit_code == 0, res.output
    return folder, path, out


def test_every_file_is_written(planned):
    _, _, out = planned
    for name in plan.PLAN_FILES:
        assert (out / name).is_file(), name
    assert (out / "coverage.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_kpis_hold_erlang_and_simulated_figures(planned):
    _, _, out = planned
    kpis = json.loads((out / "kpis.json").read_text())
    queue = kpis["queues"]["support"]
    assert kpis["status"] in ("OPTIMAL", "FEASIBLE")
    assert kpis["lower_bound"] <= kpis["cost"] + 1e-6 and kpis["gap"] >= 0
    for key in ("service_level", "asa", "abandon_rate", "occupancy"):
        assert queue["erlang"][key] is not None and queue["simulated"][key] is not None
    sim = queue["simulated"]
    assert sim["service_level_lo"] <= sim["service_level"] <= sim["service_level_hi"]
    # Staffed to an 80% target with breaks scheduled: both views land near or above it.
    assert queue["erlang"]["service_level"] > 0.75 and sim["service_level"] > 0.75
    assert kpis["fte"] == pytest.approx(kpis["paid_hours"] / 40, rel=1e-3)
    calls = pd.read_csv(out / "forecast.csv")["y_hat"].sum()
    assert kpis["cost_per_call"] == pytest.approx(kpis["cost"] / calls, rel=1e-3)


def test_requirements_follow_the_queue_settings(planned):
    _, _, out = planned
    req = pd.read_csv(out / "requirements.csv")
    forecast = pd.read_csv(out / "forecast.csv")
    assert req["y"].to_numpy() == pytest.approx(forecast["y_hat"].to_numpy())
    # Erlang A (patience 90 s), 80/20, 90% occupancy cap, then 10% shrinkage.
    load = erlang.offered_load(req["y"], 300, 30)
    target = erlang.ServiceTarget(0.8, 20, max_occupancy=0.9, model="erlang-a", patience=90)
    assert req["agents"].tolist() == erlang.required_agents(load, 300.0, target).tolist()
    assert req["scheduled"].tolist() == erlang.scheduled_agents(req["agents"], 0.1).tolist()


def test_coverage_matches_requirements_and_verification_uses_effective_heads(planned):
    _, _, out = planned
    req = pd.read_csv(out / "requirements.csv")
    cov = pd.read_csv(out / "coverage.csv")
    ver = pd.read_csv(out / "verification.csv")
    merged = req.assign(ds=pd.to_datetime(req["ds"]).dt.tz_localize(None).astype(str)).merge(
        cov.assign(ds=pd.to_datetime(cov["ds"]).astype(str)), on="ds")
    assert (merged["required"] == merged["scheduled"]).all()
    heads = merged["scheduled_inbound"].to_numpy()
    assert ver["agents"].tolist() == np.floor(heads * 0.9 + 1e-9).astype(int).tolist()


def test_workbook_is_what_a_planner_prints(planned):
    _, _, out = planned
    wb = openpyxl.load_workbook(out / "schedule.xlsx")
    days = [s for s in wb.sheetnames if s not in ("Coverage", "KPIs")]
    assert len(days) == 5 and days[0].startswith("Mon 2024-03-25")
    ws = wb[days[0]]
    assert ws.freeze_panes == "F2"
    assert [c.value for c in ws[1]][:5] == ["Agent", "Group", "Start", "End", "Paid h"]
    schedule = pd.read_csv(out / "schedule.csv")
    first_day = schedule[schedule["date"] == "2024-03-25"]
    assert ws.max_row - 1 >= first_day["agent"].nunique()  # one row per agent (+ legend)
    letters = {c.value for row in ws.iter_rows(min_row=2, min_col=6) for c in row if c.value}
    assert {"I", "B"} <= letters
    kpi_sheet = {r[2].value: r[1].value for r in wb["KPIs"].iter_rows(min_row=2)}
    assert kpi_sheet["cost"] == pytest.approx(json.loads((out / "kpis.json").read_text())["cost"])
    # The planner reads words, not JSON paths; the key stays in the last column.
    labels = {r[2].value: r[0].value for r in wb["KPIs"].iter_rows(min_row=2)}
    assert labels["queues.support.simulated.asa_lo"] == "Queue support · simulated · ASA (s), 95% low"
    assert labels["paid_hours"] == "Paid hours"
    assert not any("_" in label for label in labels.values()), labels


def test_same_scenario_same_bytes_and_resolved_scenario_repeats_it(planned, tmp_path):
    folder, path, out = planned
    again = tmp_path / "again"
    plan.plan_to_directory(path, again)
    for name in ("forecast.csv", "requirements.csv", "schedule.csv", "coverage.csv", "verification.csv"):
        assert (out / name).read_bytes() == (again / name).read_bytes(), name
    # The resolved scenario.toml runs from anywhere (absolute paths) to the same plan.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    copy = elsewhere / "scenario.toml"
    copy.write_text((out / "scenario.toml").read_text())
    assert Path(load_scenario(copy).queues[0].history).is_absolute()
    third = tmp_path / "third"
    plan.plan_to_directory(copy, third)
    assert (third / "schedule.csv").read_bytes() == (out / "schedule.csv").read_bytes()


def test_headcount_cap_gives_best_plan_with_diagnosis(tmp_path):
    path = write_scenario(tmp_path, "capped", headcount=3)
    kpis = plan.plan_to_directory(path, tmp_path / "out")
    assert kpis.under_intervals > 0
    assert any("headcount" in reason for reason in kpis.binding_rules)
    assert kpis.queues["support"]["flagged_intervals"]  # simulated SL far under target
    assert kpis.service_level < 0.5
    # kpis.json is the typed KPIs, keys in the order the file has always had; read back
    # (as wfm batch does for a skipped scenario) it gives the same index row.
    written = json.loads((tmp_path / "out" / "kpis.json").read_text())
    assert written == kpis.to_json()
    assert list(written) == [
        "scenario", "currency", "horizon", "status", "cost", "lower_bound", "gap", "paid_hours", "agents", "fte",
        "calls_forecast", "cost_per_call", "under_intervals", "binding_rules", "outbound_done_share", "queues",
        "where_hours_go", "notes", "service_level", "asa", "abandon_rate", "occupancy",
    ]
    assert plan.PlanKpis.from_json(written) == kpis
    assert plan.index_row(plan.PlanKpis.from_json(written)) == plan.index_row(kpis)
    assert plan.index_row(plan.PlanKpis.from_json({"cost": 5.0}))["gap"] is None  # an older, shorter file


BAD = [
    ("service level", dict(service_level=1.2), "queue[0].service_level"),
    ("unknown group", dict(group="team-a"), "shift[0].group: 'agents' is not a group name"),
    ("missing history", dict(history="nope.csv"), "queue[0].history: file"),
    ("no data in horizon", dict(start="2026-01-05"), None),
]


@pytest.mark.parametrize("name, kwargs, message", BAD, ids=[b[0] for b in BAD])
def test_bad_scenarios_write_nothing(tmp_path, name, kwargs, message):
    folder = tmp_path / "s"
    write_history((folder.mkdir() or folder) / "history.csv")
    path = write_scenario(folder, **kwargs)
    out = tmp_path / "out"
    if name == "no data in horizon":
        # A ready volume file that stops before the horizon: nothing to staff.
        volumes = folder / "volumes.csv"
        pd.DataFrame({"ds": pd.date_range("2024-03-04 09:00", periods=16, freq="30min"), "y": 5}).to_csv(volumes, index=False)
        path.write_text(path.read_text().replace('history = "history.csv"', 'volumes = "volumes.csv"'))
        message = "queue[0]: no volume inside the horizon 2026-01-05 .. 2026-01-11"
    res = runner.invoke(app, ["plan", str(path), "--out", str(out)])
    assert res.exit_code == 2, res.output
    assert message in res.stderr and "Traceback" not in res.output
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]


def test_existing_output_survives_a_failed_run(tmp_path):
    path = write_scenario(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "kpis.json").write_text('{"previous": true}')
    bad = tmp_path / "bad.toml"
    bad.write_text(path.read_text().replace("service_level = 0.8", "service_level = 2"))
    res = runner.invoke(app, ["plan", str(bad), "--out", str(out)])
    assert res.exit_code == 2
    assert json.loads((out / "kpis.json").read_text()) == {"previous": True}


def test_killed_run_leaves_no_half_written_folder(tmp_path):
    path = write_scenario(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "kpis.json").write_text('{"previous": true}')
    proc = subprocess.Popen([sys.executable, "-m", "wfm.cli", "plan", str(path), "--out", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    # Kill it in the riskiest moment: while the new files are being written (the hidden
    # temporary folder beside `out` exists), before the finished folder is swapped in.
    deadline = time.monotonic() + 120
    caught = False
    while time.monotonic() < deadline and proc.poll() is None:
        if any(p.name.startswith(".out.") and p.name.endswith(".tmp") for p in tmp_path.iterdir()):
            os.killpg(proc.pid, signal.SIGKILL)
            caught = True
            break
        time.sleep(0.002)
    proc.wait()
    assert caught, "the run finished before its exports could be interrupted"
    assert sorted(p.name for p in out.iterdir()) == ["kpis.json"]
    assert json.loads((out / "kpis.json").read_text()) == {"previous": True}


def test_output_folder_mistakes_are_found_before_the_work(tmp_path):
    path = write_scenario(tmp_path)
    with pytest.raises(InputError, match="the folder '.*missing' does not exist"):
        plan.plan_to_directory(path, tmp_path / "missing" / "out")
    a_file = tmp_path / "taken"
    a_file.write_text("not a folder")
    with pytest.raises(InputError, match="exists and is not a folder"):
        plan.plan_to_directory(path, a_file)
    assert a_file.read_text() == "not a folder"


def test_scenario_without_queues_is_explained(tmp_path):
    path = write_scenario(tmp_path)
    text = path.read_text()
    path.write_text(text[: text.index("[[queue]]")])
    with pytest.raises(InputError, match="no \\[\\[queue\\]\\] entries"):
        plan.plan_to_directory(path, tmp_path / "out")


def test_holidays_in_the_forecast_are_days_off_in_the_schedule(tmp_path):
    """Japanese holidays close the forecast's days; the schedule staffs nobody then, and a
    5-day weekly contract works the week's 3 remaining weekdays (Golden Week 2024)."""
    write_history(tmp_path / "history.csv", weeks=8)  # Mon 4 Mar .. Fri 26 Apr 2024
    path = write_scenario(tmp_path, "golden", start="2024-04-29")
    text = path.read_text().replace("days_per_week = [3, 5]", "days_per_week = [5, 5]")
    text = text.replace('models = ["hist_avg_4w"]', 'models = ["hist_avg_4w"]\nholidays = "JP"')
    path.write_text(text)
    kpis = plan.plan_to_directory(path, tmp_path / "out")
    schedule = pd.read_csv(tmp_path / "out" / "schedule.csv")
    # Mon 29 Apr (Showa Day) and Fri 3 May (Constitution Day) are closed.
    assert not schedule["date"].isin(["2024-04-29", "2024-05-03"]).any()
    worked = schedule[schedule["activity"] == "inbound"].groupby("agent")["date"].nunique()
    assert len(worked) > 0 and (worked == 3).all()
    assert any("2024" in n and "closed by the forecast's holidays" in n for n in kpis.notes)
    resolved = load_scenario(tmp_path / "out" / "scenario.toml")
    assert {dt.date(2024, 4, 29), dt.date(2024, 5, 3)} <= set(resolved.horizon.closed_dates)
    coverage = pd.read_csv(tmp_path / "out" / "coverage.csv")
    assert not coverage["ds"].str.startswith(("2024-04-29", "2024-05-03")).any() or \
        coverage.loc[coverage["ds"].str.startswith(("2024-04-29", "2024-05-03")), "scheduled_inbound"].eq(0).all()
