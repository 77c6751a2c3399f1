"""`wfm plan` with a roster (issue 12): the scenario names a roster file (or `[[agent]]`
entries), the plan rosters those agents against its own requirement, writes the files of
`wfm roster` into `OUT/roster/` and reports the roster's figures in kpis.json.

The outputs are read back and checked against what the test recomputes itself: the
short intervals from assignment.csv and requirements.csv alone, the シフト表 cells from
assignment.csv, one calendar event per shift."""

from __future__ import annotations

import datetime as dt
import json
import pickle

import numpy as np
import openpyxl
import pandas as pd
import pytest
from factories import write_scenario
from typer.testing import CliRunner

from wfm import plan
from wfm.cli import app

runner = CliRunner()
SHIFTS = [  # a 60-minute break after 3 hours; the half days have none
    {"code": "D", "start": "09:00", "end": "17:00", "break_minutes": 60, "break_after_minutes": 180, "label": "日勤"},
    {"code": "A", "start": "09:00", "end": "13:00"},
    {"code": "P", "start": "13:00", "end": "17:00"},
]
BREAKS = {"D": (180, 240), "A": None, "P": None}  # minutes after the start, off the phones


def team_rows() -> list[dict]:
    """Ten full-timers and four part-timers with availability and a wish (the small scenario's week)."""
    rows = [{"id": f"F{i}", "name": f"社員 {i}", "min_hours_week": 28, "max_hours_week": 40} for i in range(1, 11)]
    rows += [{"id": f"P{i}", "name": f"パート {i}", "max_hours_week": 20, "mon": "09:00-13:00", "tue": "off",
              "wed": "09:00-13:00", "fri": "13:00-17:00", "wishes": "-2024-03-29*2"} for i in range(1, 5)]
    return rows


@pytest.fixture(scope="module")
def rostered(tmp_path_factory):
    folder = tmp_path_factory.mktemp("plan_roster")
    pd.DataFrame(team_rows()).to_csv(folder / "team.csv", index=False, encoding="cp932")
    path = write_scenario(folder, changes={"roster": {"agents": "team.csv", "work_limit": 1, "shift": SHIFTS}})
    out = folder / "out"
    res = runner.invoke(app, ["plan", str(path), "--out", str(out)])
    assert res.exit_code == 0, res.output
    return folder, path, out, res.output


def test_plan_writes_the_roster_files_and_reports_its_figures(rostered):
    _, _, out, output = rostered
    roster = out / "roster"
    for name in ("assignment.csv", "shift_table.xlsx", "agents.csv", "fairness.csv", "days.csv", "shortfalls.csv",
                 "cover.csv", "wishes.csv", "summary.json"):
        assert (roster / name).is_file(), name
    summary = json.loads((roster / "summary.json").read_text(encoding="utf-8"))
    kpis = json.loads((out / "kpis.json").read_text(encoding="utf-8"))
    figures = kpis["roster"]
    assert figures["agents"] == 14 == summary["agents"]
    for key in ("unmet_wishes", "wishes", "fairness_spread", "short_intervals", "shifts", "paid_hours", "objective"):
        assert figures[key] == summary[key], key
    assert figures["fairness_spread_max"] == max(summary["fairness_spread"].values())
    assert figures["wishes"] == 4  # one Friday per part-timer
    agents = pd.read_csv(roster / "agents.csv")
    assert figures["unmet_wishes"] == agents["unmet_wishes"].sum()
    assert figures["paid_hours"] == pytest.approx(agents["paid_hours"].sum())
    # The plan's one line names the roster too; the KPIs sheet shows its figures in words.
    assert f"roster of 14 named agents: {figures['shifts']} shifts" in output
    labels = {r[2].value: r[0].value for r in openpyxl.load_workbook(out / "schedule.xlsx")["KPIs"].iter_rows(min_row=2)}
    assert labels["roster.unmet_wishes"] == "Roster (named agents) · unmet wishes"
    assert "roster_seconds" in json.loads((out / "run.json").read_text())


def _on_phones(assignment: pd.DataFrame, times: pd.Series) -> np.ndarray:
    """Agents on the phones at each interval start (30 minutes), from the written shifts alone."""
    on = np.zeros(len(times), dtype=int)
    t = pd.to_datetime(times).to_numpy()
    for row in assignment.itertuples():
        start, end = pd.Timestamp(row.start), pd.Timestamp(row.end)
        inside = (t >= start.to_datetime64()) & (t + np.timedelta64(30, "m") <= end.to_datetime64())
        brk = BREAKS[row.shift]
        if brk:
            b0, b1 = start + pd.Timedelta(minutes=brk[0]), start + pd.Timedelta(minutes=brk[1])
            inside &= ~((t < b1.to_datetime64()) & (t + np.timedelta64(30, "m") > b0.to_datetime64()))
        on += inside
    return on


def test_roster_covers_the_plans_requirement_and_reports_every_short_interval(rostered):
    _, _, out, _ = rostered
    requirements = pd.read_csv(out / "requirements.csv")
    assignment = pd.read_csv(out / "roster" / "assignment.csv")
    on = _on_phones(assignment, requirements["ds"])
    # The roster covers the heads the schedule covers (after shrinkage), not the productive agents.
    short = np.maximum(requirements["scheduled"].to_numpy() - on, 0)
    written = pd.read_csv(out / "roster" / "shortfalls.csv")
    expected = requirements.loc[short > 0, ["ds", "scheduled"]].assign(short=short[short > 0])
    assert written["ds"].tolist() == expected["ds"].str[:16].tolist()
    assert written["required"].tolist() == expected["scheduled"].tolist()
    assert written["short"].tolist() == expected["short"].tolist()
    kpis = json.loads((out / "kpis.json").read_text())
    assert kpis["roster"]["short_intervals"] == int((short > 0).sum())
    assert kpis["roster"]["short_agent_intervals"] == int(short.sum())
    # Availability holds: no part-timer on a Tuesday, none outside their window.
    part = assignment[assignment["agent"].str.startswith("P")]
    days = pd.to_datetime(part["date"]).dt.dayofweek
    assert not (days == 1).any()
    assert set(part.loc[days.isin([0, 2]), "shift"]) <= {"A"} and set(part.loc[days == 4, "shift"]) <= {"P"}


def test_shift_table_per_person_files_and_calendars_match_the_assignment(rostered):
    from icalendar import Calendar

    _, _, out, _ = rostered
    roster = out / "roster"
    assignment = pd.read_csv(roster / "assignment.csv")
    ws = openpyxl.load_workbook(roster / "shift_table.xlsx").worksheets[0]
    cells = [[c.value for c in row] for row in ws.iter_rows()]
    ids = {row["id"] for row in team_rows()}
    names = {row["id"]: row["name"] for row in team_rows()}
    rows = {r[0]: r for r in cells if r and r[0] in ids}
    assert cells[0][3:10] == [f"3/{d}" for d in range(25, 32)]  # one column per day
    assert set(rows) == ids and all(names[i] in rows[i] for i in ids)  # CP932 names read back
    dates = [dt.date(2024, 3, 25) + dt.timedelta(days=k) for k in range(7)]
    for agent in sorted(ids):
        mine = assignment[assignment["agent"] == agent]
        worked = dict(zip(mine["date"], mine["shift"], strict=True))
        assert [c or "" for c in rows[agent][3:10]] == [worked.get(d.isoformat(), "") for d in dates], agent
        assert rows[agent][10] == len(mine)  # shifts per person
        person = pd.read_csv(roster / "schedules" / f"{agent}.csv", keep_default_na=False)
        assert len(person) == 7 and (person["status"] == "work").sum() == len(mine)
        cal = Calendar.from_ical((roster / "calendars" / f"{agent}.ics").read_bytes())
        assert len(cal.walk("VEVENT")) == len(mine)


def test_wfm_roster_on_the_same_requirement_gives_the_same_roster(rostered, tmp_path):
    folder, path, out, _ = rostered
    requirements = pd.read_csv(out / "requirements.csv")
    heads = requirements[["queue", "ds"]].assign(agents=requirements["scheduled"])
    heads.to_csv(tmp_path / "heads.csv", index=False)
    # No --agents: `wfm roster` reads the scenario's [roster] agents file, as the plan did.
    res = runner.invoke(app, ["roster", "--scenario", str(path), "--requirements", str(tmp_path / "heads.csv"),
                              "--out", str(tmp_path / "alone")])
    assert res.exit_code == 0, res.output
    for name in ("assignment.csv", "agents.csv", "shortfalls.csv", "wishes.csv"):
        assert (tmp_path / "alone" / name).read_bytes() == (out / "roster" / name).read_bytes(), name


def test_a_bad_roster_file_stops_the_plan_before_the_work(tmp_path):
    rows = team_rows()
    rows[2]["min_hours_week"] = 50  # above its maximum of 40
    pd.DataFrame(rows).to_csv(tmp_path / "team.csv", index=False)
    path = write_scenario(tmp_path, changes={"roster": {"agents": "team.csv", "shift": SHIFTS}})
    res = runner.invoke(app, ["plan", str(path), "--out", str(tmp_path / "out")])
    assert res.exit_code == 2
    assert "row 3, column 'min_hours_week'" in res.output and "Traceback" not in res.output
    assert not (tmp_path / "out").exists()
    path = write_scenario(tmp_path, name="missing", changes={"roster": {"agents": "nobody.csv", "shift": SHIFTS}})
    res = runner.invoke(app, ["plan", str(path), "--out", str(tmp_path / "out")])
    assert res.exit_code == 2 and "roster.agents: file" in res.output and "nobody.csv" in res.output
    assert not (tmp_path / "out").exists()


def test_agent_entries_in_the_scenario_are_rostered_and_the_resolved_scenario_repeats_the_file(rostered, tmp_path):
    from wfm.scenario import load_scenario

    folder, _, out, _ = rostered
    # The plan's scenario.toml names the roster file by its absolute path.
    assert load_scenario(out / "scenario.toml").roster.agents == str((folder / "team.csv").resolve())
    assert str((folder / "team.csv").resolve()) in map(str, plan.scenario_inputs(folder / "small.toml"))
    entries = [{"id": "X1", "name": "山田 花子", "max_hours_week": 40}, {"id": "X2", "name": "佐藤 太郎"}]
    path = write_scenario(tmp_path, changes={"agent": entries, "roster": {"work_limit": 1, "shift": SHIFTS},
                                             "verify.replications": 1})
    result = plan.run_plan(load_scenario(path), base_dir=tmp_path)
    assert [a.id for a in result.roster.problem.agents] == ["X1", "X2"]
    assert result.kpis.roster["agents"] == 2 and result.kpis.roster["short_intervals"] > 0
    assert set(result.roster.assignment["agent"]) == {"X1", "X2"}
    # The app's solve process sends the plan back pickled: the roster's tables survive it.
    back = pickle.loads(pickle.dumps(result))
    assert back.roster.model is None
    pd.testing.assert_frame_equal(back.roster.agent_totals, result.roster.agent_totals)
    pd.testing.assert_frame_equal(back.roster.shortfalls, result.roster.shortfalls)


def test_a_saved_plan_keeps_its_roster_and_exports_it_whole(rostered, tmp_path):
    # wfm plan --save / wfm plans export: the roster folder (シフト表, per-person schedules,
    # calendars) travels with the version, byte for byte, and a hostile file name cannot
    # leave the export folder.
    from wfm import store

    out = rostered[2]
    plans = store.open_store(tmp_path / "plans.sqlite")
    version = plans.save(out, "with roster")
    roster_files = sorted(p.relative_to(out).as_posix() for p in (out / "roster").rglob("*") if p.is_file())
    assert roster_files and set(roster_files) <= set(plans.get(version).files)
    written = plans.export(version, tmp_path / "exported")
    for name in roster_files:
        assert (tmp_path / "exported" / name).read_bytes() == (out / name).read_bytes(), name
    assert tmp_path / "exported" / "roster" / "shift_table.xlsx" in written
    files = {"kpis.json": (out / "kpis.json").read_bytes(), "schedule.csv": (out / "schedule.csv").read_bytes(),
             "roster/../../escape.csv": b"x", "/etc/passwd": b"x", "roster/a\\..\\b.csv": b"x"}
    kept = plans.get(plans.save_files(files, "hostile")).files
    assert kept == ("kpis.json", "schedule.csv")


# --- re-rostering through the plan: [roster] published / wfm plan --lock -----------------


def _worked_days(path) -> dict:
    """(agent, date) -> shift code of a written assignment.csv, read back without wfm."""
    frame = pd.read_csv(path, dtype=str)
    return dict(zip(zip(frame["agent"], frame["date"], strict=True), frame["shift"], strict=True))


@pytest.fixture(scope="module")
def replanned(rostered):
    # A sick call: the first full-timer shift of the published roster becomes time off; the
    # scenario names the plan's own roster/assignment.csv as the published roster.
    folder, _, out, _ = rostered
    published = _worked_days(out / "roster" / "assignment.csv")
    sick = min(key for key in published if key[0].startswith("F"))
    rows = [dict(r, time_off=sick[1]) if r["id"] == sick[0] else r for r in team_rows()]
    pd.DataFrame(rows).to_csv(folder / "team_sick.csv", index=False, encoding="cp932")
    path = write_scenario(folder, name="sick", changes={"roster": {
        "agents": "team_sick.csv", "published": "out/roster/assignment.csv", "work_limit": 1, "shift": SHIFTS}})
    again = folder / "out_sick"
    res = runner.invoke(app, ["plan", str(path), "--out", str(again)])
    assert res.exit_code == 0, res.output
    return folder, path, out, again, sick, res.output


def test_a_sick_call_re_rosters_changing_only_the_affected_shifts(replanned):
    folder, _, out, again, sick, output = replanned
    before = _worked_days(out / "roster" / "assignment.csv")
    after = _worked_days(again / "roster" / "assignment.csv")
    # The independent diff: agent-days whose shift (or day off) differs between the two files.
    diff = {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}
    assert sick in diff and sick not in after  # the impossible published shift is changed, not a crash
    assert 1 <= len(diff) <= 3  # the sick day, and at most a swap or two to cover it
    kpis = json.loads((again / "kpis.json").read_text(encoding="utf-8"))
    summary = json.loads((again / "roster" / "summary.json").read_text(encoding="utf-8"))
    figures = kpis["roster"]
    assert figures["changed_shifts"] == summary["changed_shifts"] == len(diff)
    assert figures["changes"] == summary["changes"]
    assert {(c["agent"], c["date"]) for c in figures["changes"]} == diff
    for c in figures["changes"]:
        assert (c["published"], c["rostered"]) == (before.get((c["agent"], c["date"])), after.get((c["agent"], c["date"])))
    agents = pd.read_csv(again / "roster" / "agents.csv", dtype={"agent": str})
    assert agents["changed_shifts"].sum() == len(diff)
    assert agents.set_index("agent").loc[sick[0], "time_off_days"] == 1
    # The one line and the notes say it; the first plan had no published roster and says nothing of changes.
    assert f"{len(diff)} shift(s) changed from the published roster" in output
    note = next(n for n in kpis["notes"] if n.startswith("roster: re-rostered against"))
    assert str(folder / "out" / "roster" / "assignment.csv") in note
    assert f"{sick[0]} {sick[1]} {before[sick]} -> off" in note
    first = json.loads((out / "kpis.json").read_text(encoding="utf-8"))["roster"]
    assert "changed_shifts" not in first and "changes" not in first
    assert json.loads((out / "roster" / "summary.json").read_text(encoding="utf-8"))["changed_shifts"] is None
    # The KPIs sheet shows them in words, one record after the other.
    sheet = {r[2].value: r[1].value for r in openpyxl.load_workbook(again / "schedule.xlsx")["KPIs"].iter_rows(min_row=2)}
    assert sheet["roster.changed_shifts"] == len(diff)
    assert f"agent={sick[0]} date={sick[1]} published={before[sick]} rostered=None" in sheet["roster.changes"]
    # The plan's scenario.toml names the published roster by its absolute path.
    from wfm.scenario import load_scenario

    recorded = load_scenario(again / "scenario.toml").roster.published
    assert recorded == str((folder / "out" / "roster" / "assignment.csv").resolve())


def test_plan_lock_reads_the_assignment_a_plan_wrote_and_keeps_it_whole(replanned):
    # The chain: the assignment.csv `wfm plan` wrote is what --lock reads. --lock replaces the
    # scenario's published roster; against the roster it re-rostered, nothing more changes.
    folder, path, _, again, _, _ = replanned
    third = folder / "out_lock"
    res = runner.invoke(app, ["plan", str(path), "--lock", str(again / "roster" / "assignment.csv"), "--out",
                              str(third)])
    assert res.exit_code == 0, res.output
    assert (third / "roster" / "assignment.csv").read_bytes() == (again / "roster" / "assignment.csv").read_bytes()
    kpis = json.loads((third / "kpis.json").read_text(encoding="utf-8"))
    assert kpis["roster"]["changed_shifts"] == 0 and kpis["roster"]["changes"] == []
    assert "0 shift(s) changed from the published roster" in res.output


def _bad_published(out, change) -> pd.DataFrame:
    frame = pd.read_csv(out / "roster" / "assignment.csv", dtype=str)
    return change(frame)


BAD_PUBLISHED = [
    (lambda f: f.assign(agent=f["agent"].where(f.index != 2, "Z9")), "row 3, column 'agent' has 'Z9', not an agent"),
    (lambda f: f.assign(date=f["date"].where(f.index != 0, "2024-04-01")),
     "row 1, column 'date' has 2024-04-01, outside the horizon (2024-03-25 to 2024-03-31)"),
    (lambda f: f.assign(shift=f["shift"].where(f.index != 4, "Q")), "row 5, column 'shift' has 'Q', not a shift code"),
    (lambda f: f.drop(columns="shift"), "no 'shift' column"),
    (lambda f: pd.concat([f, f.iloc[[1]]], ignore_index=True), "for agent"),
    (lambda f: f.assign(date=f["date"].where(f.index != 1, "")), "row 2, column 'date' is empty"),
    (lambda f: f.assign(date=f["date"].where(f.index != 1, "26/03/2024")), "row 2, column 'date' has '26/03/2024'"),
]


@pytest.mark.parametrize(("change", "message"), BAD_PUBLISHED)
def test_a_bad_published_roster_stops_the_plan_before_the_work(rostered, tmp_path, change, message):
    folder, path, out, _ = rostered
    bad = tmp_path / "published.csv"
    _bad_published(out, change).to_csv(bad, index=False)
    res = runner.invoke(app, ["plan", str(path), "--lock", str(bad), "--out", str(tmp_path / "out")])
    assert res.exit_code == 2, res.output
    assert f"{bad}: " in res.output and message in res.output and "Traceback" not in res.output
    assert not (tmp_path / "out").exists()


def test_lock_needs_a_team_and_a_file(rostered, tmp_path):
    folder, path, out, _ = rostered
    published = out / "roster" / "assignment.csv"
    plain = write_scenario(tmp_path, name="plain")  # no agents: nothing to re-roster
    res = runner.invoke(app, ["plan", str(plain), "--lock", str(published), "--out", str(tmp_path / "out")])
    assert res.exit_code == 2 and "names no agents to re-roster" in res.output
    res = runner.invoke(app, ["plan", str(path), "--lock", str(tmp_path / "nothing.csv"), "--out", str(tmp_path / "out")])
    assert res.exit_code == 2 and "nothing.csv: file not found" in res.output
    named = write_scenario(tmp_path, name="named", changes={"roster": {"published": str(published), "shift": SHIFTS}})
    res = runner.invoke(app, ["plan", str(named), "--out", str(tmp_path / "out")])
    assert res.exit_code == 2 and "roster.published:" in res.output and "names no agents" in res.output
    gone = write_scenario(tmp_path, name="gone", changes={"roster": {"agents": str(folder / "team.csv"),
                                                                   "published": "old.csv", "shift": SHIFTS}})
    res = runner.invoke(app, ["plan", str(gone), "--out", str(tmp_path / "out")])
    assert res.exit_code == 2 and "roster.published: file" in res.output and "old.csv" in res.output
    assert not (tmp_path / "out").exists()
    # `wfm roster` reads the same setting when --lock is not given.
    res = runner.invoke(app, ["roster", "--scenario", str(gone), "--out", str(tmp_path / "out")])
    assert res.exit_code == 2 and "roster.published: file" in res.output and "old.csv" in res.output
    assert not (tmp_path / "out").exists()
