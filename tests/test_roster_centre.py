"""Rostering a contact centre's named agents (issue 12): the roster file and its errors,
rules across midnight, weeks and daylight-saving nights, interval cover against an
independent max-flow, diagnosis of infeasible contracts, re-rostering, the exports."""

from __future__ import annotations

import datetime as dt
import json

import networkx as nx
import pandas as pd
import pytest
from typer.testing import CliRunner

from wfm.cli import app
from wfm.errors import InputError
from wfm.roster.run import make_roster, roster_files
from wfm.scenario import validate_scenario

NIGHT_SHIFTS = [
    {"code": "E", "start": "07:00", "end": "16:00", "break_minutes": 60, "label": "早番"},
    {"code": "L", "start": "14:00", "end": "23:00", "break_minutes": 60},
    {"code": "N", "start": "22:00", "end": "07:00", "break_minutes": 60, "label": "夜勤"},
]


def scenario(*, start="2026-12-07", days=7, timezone="Asia/Tokyo", shifts=None, cover=None, agents=None,
             interval=60, open_="00:00", close="24:00", queues=(), **roster):
    data = {
        "name": "test team",
        "horizon": {"start": start, "days": days, "interval_minutes": interval, "timezone": timezone,
                    "open": open_, "close": close},
        "group": [{"name": "desk", "cost_per_hour": 1000.0}],
        "shift": [{"name": "day", "group": "desk", "length_hours": 8, "start_earliest": "09:00",
                   "start_latest": "09:00"}],
        "roster": {"work_limit": 1, "shift": shifts if shifts is not None else NIGHT_SHIFTS,
                   "cover": cover or [], **roster},
    }
    if queues:
        data["queue"] = [{"name": q, "volumes": "unused.csv"} for q in queues]
    if agents is not None:
        data["agent"] = agents
    return validate_scenario(data, "test.toml")


def agent(i, **fields):
    return {"id": f"A{i}", "name": f"Agent {i}", **fields}


def solve(sc, **kwargs):
    return make_roster(sc, source="test.toml", **kwargs)


def rest_hours(assignment: pd.DataFrame) -> list[float]:
    """Hours between consecutive shifts of each agent, from the written start/end times alone."""
    out = []
    for _, rows in assignment.groupby("agent"):
        starts = pd.to_datetime(rows["start"]).tolist()
        ends = pd.to_datetime(rows["end"]).tolist()
        out += [(s - e).total_seconds() / 3600 for e, s in zip(ends[:-1], starts[1:], strict=True)]
    return out


# --- the roster file ---------------------------------------------------------------------


def roster_csv(tmp_path, rows, name="roster.csv", encoding="utf-8"):
    path = tmp_path / name
    pd.DataFrame(rows).to_csv(path, index=False, encoding=encoding)
    return path


def test_cp932_roster_file_keeps_japanese_names(tmp_path):
    path = roster_csv(tmp_path, [agent(1, name="山田 花子"), agent(2, name="佐藤 太郎")], encoding="cp932")
    assert "山田".encode("cp932") in path.read_bytes()  # really CP932, not UTF-8
    sc = scenario(cover=[{"shift": "E", "required": 1}])
    result = solve(sc, roster_path=path)
    assert {a.name for a in result.problem.agents} == {"山田 花子", "佐藤 太郎"}
    assert set(result.assignment["name"]) <= {"山田 花子", "佐藤 太郎"}


@pytest.mark.parametrize(("row", "column", "words"), [
    (agent(1, min_hours_week=30, max_hours_week=20), "min_hours_week", "above max_hours_week"),
    (agent(1, skills="billing"), "skills", "'billing' is not a queue or campaign"),
    (agent(1, group="night"), "group", "'night' is not a group"),
    (agent(1, mon="05:00-06:00"), "mon", "outside the opening hours"),
    (agent(1, wishes="sat*2"), "wishes", "is not a wish"),
    (agent(1, time_off="2026-12-08", fixed="2026-12-08/E"), "fixed", "time off or unavailable"),
    (agent(1, unavailable="2027-01-05"), "unavailable", "outside the horizon"),
    (agent(1, max_shifts="many"), "max_shifts", "'many' is not a number"),
    (agent(1, shifts="Z"), "shifts", "'Z' is not a shift code"),
])
def test_roster_mistakes_name_file_row_and_column(tmp_path, row, column, words):
    path = roster_csv(tmp_path, [agent(0), row])
    sc = scenario(cover=[{"shift": "E", "required": 1}], open_="07:00", close="23:00",
                  shifts=NIGHT_SHIFTS[:2], queues=("sales",))
    with pytest.raises(InputError) as info:
        solve(sc, roster_path=path)
    message = str(info.value)
    assert f"{path}, row 2, column '{column}'" in message
    assert words in message


def test_duplicate_id_names_both_rows(tmp_path):
    path = roster_csv(tmp_path, [agent(1), agent(2), agent(1)])
    with pytest.raises(InputError, match=r"row 3, column 'id': 'A1' is used twice \(first at .*row 1\)"):
        solve(scenario(cover=[{"shift": "E", "required": 1}]), roster_path=path)


def test_cli_bad_roster_exits_2_with_one_sentence_and_writes_nothing(tmp_path):
    path = roster_csv(tmp_path, [agent(1, min_hours_week=50, max_hours_week=40)])
    toml = tmp_path / "team.toml"
    toml.write_text(TEAM_TOML, encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["roster", "--scenario", str(toml), "--agents", str(path), "--out", str(out)])
    assert result.exit_code == 2
    assert "row 1, column 'min_hours_week'" in result.output and "Traceback" not in result.output
    assert not out.exists()


TEAM_TOML = """
name = "team"
[horizon]
start = 2026-12-07
days = 7
interval_minutes = 60
timezone = "Asia/Tokyo"
open = "00:00"
close = "24:00"
[[group]]
name = "desk"
[[shift]]
name = "day"
group = "desk"
length_hours = 8
start_earliest = "09:00"
start_latest = "09:00"
[roster]
work_limit = 1
[[roster.shift]]
code = "E"
start = "07:00"
end = "16:00"
break_minutes = 60
[[roster.shift]]
code = "N"
start = "22:00"
end = "07:00"
break_minutes = 60
[[roster.cover]]
shift = "E"
required = 1
[[roster.cover]]
shift = "N"
required = 1
days = ["fri", "sat"]
"""


def test_agents_in_the_scenario_and_no_agent_able_to_work():
    sc = scenario(cover=[{"shift": "E", "required": 1}], agents=[agent(1, name="鈴木 一郎"), agent(2)])
    result = solve(sc)
    assert len(result.assignment[result.assignment["date"] == "2026-12-07"]) == 1
    nobody = scenario(cover=[{"shift": "E", "required": 1}],
                      agents=[agent(1, **{d: "off" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")})])
    with pytest.raises(InputError, match="no agent can work any shift"):
        solve(nobody)


# --- rules across midnight, weeks and daylight saving --------------------------------------


def test_night_then_early_breaks_the_rest_rule_so_one_stays_short():
    # One agent, a night on Monday and an early on Tuesday wanted: 22:00-07:00 then 07:00 leaves 0 h rest.
    sc = scenario(cover=[{"shift": "N", "required": 1, "dates": ["2026-12-07"]},
                         {"shift": "E", "required": 1, "dates": ["2026-12-08"]}],
                  agents=[agent(1)])
    result = solve(sc)
    worked = set(zip(result.assignment["date"], result.assignment["shift"], strict=True))
    assert len(worked) == 1  # one of the two, never both
    assert all(h >= 11 for h in rest_hours(result.assignment))
    assert result.solution.terms["cover_short"] == 100_000
    assert any("1 person(s) short" in s for s in result.summary["diagnosis"])


def test_rest_and_week_rules_hold_across_midnight_and_week_boundaries():
    # Nights every day for two weeks, 3 agents limited to 16 h a week and 3 days in a row.
    sc = scenario(days=14, cover=[{"shift": "N", "required": 1}, {"shift": "E", "required": 1}],
                  agents=[agent(i, max_hours_week=16, max_consecutive_days=3) for i in range(3)])
    result = solve(sc)
    a = result.assignment
    assert all(h >= 11 for h in rest_hours(a))
    # Weekly hours by the day each shift starts (a Sunday night is in the week of that Sunday).
    week = (pd.to_datetime(a["date"]) - pd.Timestamp("2026-12-07")).dt.days // 7
    assert a.groupby([a["agent"], week])["paid_hours"].sum().max() <= 16
    for _, rows in a.groupby("agent"):
        days = sorted(pd.to_datetime(rows["date"]))
        run = longest = 1
        for x, y in zip(days[:-1], days[1:], strict=True):
            run = run + 1 if (y - x).days == 1 else 1
            longest = max(longest, run)
        assert longest <= 3


@pytest.mark.parametrize(("start", "night", "hours"), [
    ("2026-10-26", "2026-10-31", 9.0),  # New York falls back that night: 22:00-07:00 lasts 10 h
    ("2026-03-02", "2026-03-07", 7.0),  # springs forward: 8 h
    ("2026-03-02", "2026-03-05", 8.0),  # an ordinary night: 9 h
])
def test_daylight_saving_nights_are_paid_the_hours_they_last(start, night, hours):
    sc = scenario(start=start, timezone="America/New_York", shifts=NIGHT_SHIFTS[2:],
                  cover=[{"shift": "N", "required": 1, "dates": [night]}], agents=[agent(1)])
    a = solve(sc).assignment
    assert a["date"].tolist() == [night]
    assert a["paid_hours"].tolist() == [hours]


def test_weekend_limit_counts_a_friday_night():
    # max 1 weekend over 2 weekends: a Friday night (into Saturday) uses one.
    sc = scenario(days=14, shifts=NIGHT_SHIFTS[2:], agents=[agent(1, max_weekends=1)],
                  cover=[{"shift": "N", "required": 1, "dates": ["2026-12-11", "2026-12-19"]}])
    result = solve(sc)
    assert len(result.assignment) == 1
    assert result.agent_totals["weekend_shifts"].tolist() == [1]


# --- interval cover against an independent max-flow -----------------------------------------


def requirement_frame(rows):
    return pd.DataFrame([(q, pd.Timestamp(t).tz_localize("Asia/Tokyo"), n) for q, t, n in rows],
                        columns=["queue", "ds", "agents"])


def best_served(present: list[set[str]], need: dict[str, int]) -> int:
    """Most of ``need`` that agents with these skill sets can serve (networkx max flow)."""
    g = nx.DiGraph()
    for q, n in need.items():
        g.add_edge(q, "sink", capacity=n)
    for i, skills in enumerate(present):
        g.add_edge("source", i, capacity=1)
        for q in skills & set(need):
            g.add_edge(i, q, capacity=1)
    return int(nx.maximum_flow_value(g, "source", "sink")) if present else 0


def test_interval_cover_with_skills_matches_a_max_flow():
    # Two queues; 4 agents, two of them single-skilled; one 9-hour shift code covering 08:00-17:00.
    shifts = [{"code": "D", "start": "08:00", "end": "17:00"}]
    skills = ["sales", "sales support", "support", "sales support"]
    agents = [agent(i, skills=s, max_hours_week=9, wed="off" if i == 3 else "") for i, s in enumerate(skills)]
    rows = []
    for day in ("2026-12-07", "2026-12-09"):
        for hour, (s, p) in zip(range(8, 17), [(3, 1), (1, 3), (2, 2), (3, 2), (0, 4), (1, 1), (4, 0), (2, 1), (1, 2)],
                                strict=True):
            rows += [("sales", f"{day} {hour:02d}:00", s), ("support", f"{day} {hour:02d}:00", p)]
    sc = scenario(shifts=shifts, agents=agents, queues=("sales", "support"), short_penalty=5000)
    result = solve(sc, requirements=requirement_frame(rows))
    worked = result.assignment
    for day in ("2026-12-07", "2026-12-09"):
        present = [set(skills[int(a[1:])].split()) for a in worked[worked["date"] == day]["agent"]]
        for hour, (s, p) in zip(range(8, 17), [(3, 1), (1, 3), (2, 2), (3, 2), (0, 4), (1, 1), (4, 0), (2, 1), (1, 2)],
                                strict=True):
            i = result.problem.interval_ds.index(pd.Timestamp(f"{day} {hour:02d}:00", tz="Asia/Tokyo"))
            reported = int(result.solution.short[:, i].sum())
            assert reported == s + p - best_served(present, {"sales": s, "support": p})
    # Wednesday: agent 3 is off, so at most 3 on the phones; the shortfall says who was there.
    short = result.shortfalls
    assert (short["ds"].dt.date == dt.date(2026, 12, 9)).any()
    assert set(short["reason"]) <= {"only 3 agent(s) with this skill are available then",
                                    "only 2 agent(s) with this skill are available then",
                                    "only 1 agent(s) with this skill are available then",
                                    "the agents available then are held by their contracts (hours, days in a row, "
                                    "rest) or cost"}


def test_nobody_with_the_skill_is_reported_as_the_reason():
    shifts = [{"code": "D", "start": "08:00", "end": "17:00"}]
    sc = scenario(shifts=shifts, agents=[agent(1, skills="sales")], queues=("sales", "support"))
    result = solve(sc, requirements=requirement_frame([("sales", "2026-12-07 09:00", 1),
                                                       ("support", "2026-12-07 10:00", 2)]))
    short = result.shortfalls
    assert short[["queue", "short", "reason"]].values.tolist() == [
        ["support", 2, "nobody with this skill is available then"]]
    from wfm.roster.tables import availability_table

    seen = availability_table(result.problem)
    assert seen[["queue", "required", "available_agents"]].values.tolist() == [["sales", 1, 1], ["sales", 0, 1],
                                                                              ["support", 0, 0], ["support", 2, 0]]
    assert result.summary["short_intervals"] == 1


# --- infeasible contracts, wishes, fairness, fixed ------------------------------------------


def test_minimum_no_availability_allows_gives_a_roster_and_the_reason(tmp_path):
    path = roster_csv(tmp_path, [agent(1, min_hours_week=30, mon="07:00-16:00",
                                       **{d: "off" for d in ("tue", "wed", "thu", "fri", "sat", "sun")})])
    result = solve(scenario(cover=[{"shift": "E", "required": 1}]), roster_path=path)
    assert result.assignment["date"].tolist() == ["2026-12-07"]
    [sentence] = [s for s in result.summary["diagnosis"] if "min_hours_week" in s]
    assert f"{path}, row 1, column 'min_hours_week'" in sentence
    assert "22 h below the minimum 30 h" in sentence and "allow at most 8 h" in sentence


def test_wishes_are_granted_when_they_cost_nothing_and_counted_when_not():
    sc = scenario(shifts=NIGHT_SHIFTS[:1], cover=[{"shift": "E", "required": 1}],
                  agents=[agent(1, wishes="-sat*3; +2026-12-09*2"), agent(2, wishes="-sat*1; -2026-12-09")])
    result = solve(sc)
    a = result.assignment
    assert a[a["date"] == "2026-12-12"]["agent"].tolist() == ["A2"]  # the lighter "rather not" gives
    assert a[a["date"] == "2026-12-09"]["agent"].tolist() == ["A1"]
    assert result.summary["unmet_wishes"] == 1 and result.summary["unmet_wish_weight"] == 1
    wishes = pd.DataFrame(tables_wishes(result))
    assert wishes["granted"].sum() == len(wishes) - 1


def tables_wishes(result):
    from wfm.roster.tables import wish_table

    return wish_table(result.problem, result.solution)


def test_fairness_spreads_weekend_shifts_among_comparable_agents():
    cover = [{"shift": "E", "required": 1, "days": ["sat", "sun"]}]
    agents = [agent(i, max_hours_week=40) for i in range(2)]
    fair = solve(scenario(days=14, shifts=NIGHT_SHIFTS[:1], cover=cover, agents=agents))
    assert sorted(fair.agent_totals["weekend_shifts"]) == [2, 2]
    assert fair.fairness["spread"].tolist() == [0]


def test_fixed_assignments_are_kept_and_reported_when_a_rule_breaks_them():
    sc = scenario(cover=[{"shift": "E", "required": 1}],
                  agents=[agent(1, fixed="2026-12-08/N; 2026-12-09/E"), agent(2, fixed="2026-12-08/off")])
    result = solve(sc)
    a = result.assignment.set_index(["agent", "date"])["shift"]
    assert ("A2", "2026-12-08") not in a.index
    # 22:00-07:00 then 07:00 breaks the 11 h rest: exactly one of the two fixed shifts gives, and it is said.
    assert (a.get(("A1", "2026-12-08")) == "N") + (a.get(("A1", "2026-12-09")) == "E") == 1
    assert result.summary["fixed_broken"] == 1
    assert any("column 'fixed'" in s and "could not be kept" in s for s in result.summary["diagnosis"])


# --- re-rostering, exports, CLI ---------------------------------------------------------------


def test_cli_roster_exports_and_rerostering_changes_little(tmp_path):
    rows = [agent(i, name=n, max_hours_week=40, max_consecutive_days=5) for i, n in
            enumerate(["山田 花子", "=HYPERLINK(\"http://x\")", "鈴木 一郎", "高橋 美咲", "田中 健"])]
    rows.append(agent(9, name="休み中", **{d: "off" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}))
    path = roster_csv(tmp_path, rows)
    toml = tmp_path / "team.toml"
    toml.write_text(TEAM_TOML, encoding="utf-8")
    out = tmp_path / "out"
    runner = CliRunner()
    first = runner.invoke(app, ["roster", "--scenario", str(toml), "--agents", str(path), "--out", str(out)])
    assert first.exit_code == 0, first.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assignment = pd.read_csv(out / "assignment.csv")
    assert summary["shifts"] == len(assignment) and summary["terms"]["cover_short"] == 0

    # The シフト表: print setup, text never a formula, totals per person and per day.
    from openpyxl import load_workbook

    wb = load_workbook(out / "shift_table.xlsx")
    ws = wb["シフト表"]
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_title_rows == "$1:$2"
    cells = [c for row in ws.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    assert any(c.value == '=HYPERLINK("http://x")' for c in cells)
    header = [c.value for c in ws[1]]
    assert header[3] == "12/7" and header[-2:] == ["Shifts", "Hours"]
    per_person = {ws.cell(r, 1).value: ws.cell(r, len(header) - 1).value for r in range(3, 3 + len(rows))}
    assert per_person == assignment.groupby("agent").size().reindex([r["id"] for r in rows], fill_value=0).to_dict()

    # Calendars: one per agent; the agent with no shifts gets a valid empty calendar.
    from icalendar import Calendar

    for r in rows:
        cal = Calendar.from_ical((out / "calendars" / f"{r['id']}.ics").read_bytes())
        events = cal.walk("VEVENT")
        assert len(events) == int((assignment["agent"] == r["id"]).sum())
    night = assignment[assignment["shift"] == "N"].iloc[0]
    cal = Calendar.from_ical((out / "calendars" / f"{night['agent']}.ics").read_bytes())
    event = next(e for e in cal.walk("VEVENT") if e.decoded("dtstart").date().isoformat() == night["date"])
    assert (event.decoded("dtend") - event.decoded("dtstart")) == dt.timedelta(hours=9)
    assert event.decoded("dtstart").utcoffset() == dt.timedelta(hours=9)
    person = pd.read_csv(out / "schedules" / "A9.csv")
    assert len(person) == 7 and set(person["status"]) == {"off"}

    # A sick call: the first worked day of someone becomes time off; lock the published roster.
    sick = assignment.iloc[0]
    rows2 = [dict(r, time_off=sick["date"]) if r["id"] == sick["agent"] else r for r in rows]
    path2 = roster_csv(tmp_path, rows2, name="roster2.csv")
    out2 = tmp_path / "out2"
    second = runner.invoke(app, ["roster", "--scenario", str(toml), "--agents", str(path2), "--lock",
                                 str(out / "assignment.csv"), "--out", str(out2)])
    assert second.exit_code == 0, second.output
    new = pd.read_csv(out2 / "assignment.csv")
    before = set(zip(assignment["agent"], assignment["date"], assignment["shift"], strict=True))
    after = set(zip(new["agent"], new["date"], new["shift"], strict=True))
    changed_days = {(a, d) for a, d, _ in before ^ after}
    summary2 = json.loads((out2 / "summary.json").read_text(encoding="utf-8"))
    assert summary2["changed_shifts"] == len(changed_days)
    assert 1 <= len(changed_days) <= 3  # the sick day, and at most one swap to cover it
    assert (sick["agent"], sick["date"]) not in {(a, d) for a, d, _ in after}
    assert "shift(s) changed" in second.output


def test_solving_twice_gives_the_same_roster():
    sc = scenario(cover=[{"shift": "E", "required": 2}, {"shift": "N", "required": 1}],
                  agents=[agent(i, max_hours_week=32, max_consecutive_days=4, wishes="-sun") for i in range(4)])
    first, second = solve(sc), solve(sc)
    pd.testing.assert_frame_equal(first.assignment, second.assignment)


def test_output_folder_problems_fail_before_the_work(tmp_path):
    toml = tmp_path / "team.toml"
    toml.write_text(TEAM_TOML, encoding="utf-8")
    path = roster_csv(tmp_path, [agent(1)])
    with pytest.raises(InputError, match="does not exist"):
        roster_files(toml, tmp_path / "missing" / "out", agents_path=path)


def test_greedy_first_roster_keeps_every_hard_rule():
    # CP-SAT itself checks it: the greedy roster, fixed, must satisfy the whole model.
    from wfm.roster import synthetic
    from wfm.roster.agents import parse_agent
    from wfm.roster.centre import build_problem, context, shift_codes
    from wfm.roster.centre_model import build_model, complete_hint
    from wfm.roster.greedy import greedy_roster

    sc = synthetic.scenario(1)
    req = synthetic.requirements(1, 16)
    ctx = context(sc, shift_codes(sc), set(req["queue"]))
    people = [parse_agent(r, f"row {i + 1}", ctx) for i, r in enumerate(synthetic.roster_rows(16, 1).to_dict("records"))]
    problem = build_problem(sc, people, requirements=req)
    start = greedy_roster(problem)
    assert len(start) > 30
    assert complete_hint(build_model(problem), start) is not None


def test_shift_rules_become_codes_and_an_xlsx_roster_reads(tmp_path):
    data = {
        "horizon": {"start": "2026-12-07", "days": 7, "interval_minutes": 60, "timezone": "Asia/Tokyo",
                    "open": "08:00", "close": "20:00"},
        "group": [{"name": "desk"}],
        "shift": [{"name": "D", "group": "desk", "length_hours": 8, "start_earliest": "08:00",
                   "start_latest": "12:00", "start_step_minutes": 240}],
        "roster": {"work_limit": 1},
    }
    sc = validate_scenario(data, "rules.toml")
    path = tmp_path / "roster.xlsx"
    pd.DataFrame([agent(1, skills="sales", mon="08:00-16:00"), agent(2, skills="sales")]).to_excel(path, index=False)
    req = requirement_frame([("sales", f"2026-12-07 {h:02d}:00", 1) for h in range(8, 20)])
    result = solve(sc, roster_path=path, requirements=req)
    assert [c.code for c in result.problem.shifts] == ["D0800", "D1200"]
    monday = result.assignment[result.assignment["date"] == "2026-12-07"]
    assert dict(zip(monday["agent"], monday["shift"], strict=True)) == {"A1": "D0800", "A2": "D1200"}
    assert result.summary["short_intervals"] == 0


@pytest.mark.parametrize(("ids", "words"), [(["CON"], "reserved name"), (["a/b", "a_b"], "would share its files"),
                                            (["Ann", "ann"], "would share its files")])
def test_ids_that_cannot_name_their_files_are_refused_before_the_solve(tmp_path, ids, words):
    path = roster_csv(tmp_path, [{"id": i} for i in ids])
    with pytest.raises(InputError, match=words):
        solve(scenario(cover=[{"shift": "E", "required": 1}]), roster_path=path)


def test_roster_settings_mistakes_name_their_toml_path():
    shifts = [dict(NIGHT_SHIFTS[0], groups=["nights"])]
    with pytest.raises(InputError, match=r"roster.shift\[0\].groups: 'nights' is not a group"):
        solve(scenario(shifts=shifts, cover=[{"shift": "E", "required": 1}], agents=[agent(1)]))
    with pytest.raises(InputError, match=r"roster.cover\[0\].dates: 2027-01-04 is outside the horizon"):
        solve(scenario(cover=[{"shift": "E", "required": 1, "dates": ["2027-01-04"]}], agents=[agent(1)]))
    with pytest.raises(InputError, match=r"roster.cover\[0\].shift: 'X' is not a shift code"):
        solve(scenario(cover=[{"shift": "X", "required": 1}], agents=[agent(1)]))
    with pytest.raises(InputError, match="test.toml: roster.*code 'E' is used twice"):
        scenario(shifts=[NIGHT_SHIFTS[0], NIGHT_SHIFTS[0]])


def test_overnight_availability_window_allows_the_night_that_starts_in_it():
    off = {d: "off" for d in ("tue", "wed", "thu", "fri", "sat", "sun")}
    sc = scenario(shifts=NIGHT_SHIFTS[1:], cover=[{"shift": "N", "required": 1}, {"shift": "L", "required": 1}],
                  agents=[agent(1, mon="22:00-07:00", **off)])
    a = solve(sc).assignment
    assert a[["date", "shift", "end"]].values.tolist() == [["2026-12-07", "N", "2026-12-08 07:00"]]


def test_lock_file_mistakes_name_row_and_column():
    sc = scenario(cover=[{"shift": "E", "required": 1}], agents=[agent(1)])
    bad = pd.DataFrame({"agent": ["A1", "B7"], "date": ["2026-12-07", "2026-12-08"], "shift": ["E", "E"]})
    bad.attrs["source"] = "published.csv"
    with pytest.raises(InputError, match=r"published.csv: row 2, column 'agent' has 'B7'"):
        solve(sc, published=bad)
