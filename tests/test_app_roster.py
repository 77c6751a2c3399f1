"""The app's Roster page (issue 12), run headless with AppTest: upload a roster file (CP932),
availability against need, solve in the solve process, the シフト表, a sick day uploaded and
the published days re-solved with the changed shifts reported, downloads, Japanese.

A tiny team on the small test week (14 agents, 30-minute weekdays, work limit 1 s)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pandas as pd
from factories import small_scenario, write_history
from test_app import metrics, ok, open_app

from wfm import data
from wfm.ui import i18n, state

SHIFTS = [
    {"code": "D", "start": "09:00", "end": "17:00", "break_minutes": 60, "break_after_minutes": 180},
    {"code": "A", "start": "09:00", "end": "13:00"},
    {"code": "P", "start": "13:00", "end": "17:00"},
]
DATES = [(dt.date(2024, 3, 25) + dt.timedelta(days=k)).isoformat() for k in range(7)]


def team(time_off: dict | None = None) -> bytes:
    rows = [{"id": f"F{i}", "name": f"社員 {i}", "min_hours_week": 28, "max_hours_week": 40} for i in range(1, 11)]
    rows += [{"id": f"P{i}", "name": f"パート {i}", "max_hours_week": 20, "mon": "09:00-13:00", "tue": "off",
              "wed": "09:00-13:00", "fri": "13:00-17:00", "wishes": "-2024-03-29*2"} for i in range(1, 5)]
    for row in rows:
        if row["id"] in (time_off or {}):
            row["time_off"] = time_off[row["id"]]
    return pd.DataFrame(rows).to_csv(index=False).encode("cp932")


def small_app(tmp_path, lang="en"):
    frame, minutes = data.read_intervals(write_history(tmp_path / "history.csv"))
    scenario = small_scenario(changes={"roster": {"work_limit": 1, "shift": SHIFTS}})
    return open_app("roster", lang=lang, scenario=scenario, history=state.History(frame, minutes, "history.csv", None),
                    roster_work_limit=1.0)


def upload(at, name: str, content: bytes):
    return at.file_uploader(key="roster_upload").set_value((name, content, "text/csv")).run()


def grid_codes(at) -> pd.DataFrame:
    """The page's shift table (its first table after a solve)."""
    return at.dataframe[0].value


def test_upload_solve_table_lock_and_resolve(tmp_path):
    at = small_app(tmp_path)
    ok(at)
    assert any("Upload a roster file" in i.value for i in at.info)  # no agents yet
    upload(at, "team.csv", team())
    ok(at)
    m = metrics(at)
    assert m["Agents"] == "14"
    assert int(m["Intervals with too few available"]) > 0  # 14 people for a week that needs ~20
    assert at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")

    at.button(key="roster_solve").click().run()
    ok(at)
    result = at.session_state["roster_result"]
    m = metrics(at)
    s = result.summary
    assert m["Shifts"] == str(s["shifts"]) and m["Short intervals"] == str(s["short_intervals"])
    assert m["Unmet wishes"] == f"{s['unmet_wishes']} of {s['wishes']}"
    # The shift table: one row per person, one column per day, the codes of the assignment.
    grid = grid_codes(at)
    assert list(grid["agent"]) == [f"F{i}" for i in range(1, 11)] + [f"P{i}" for i in range(1, 5)]
    assert list(grid.columns[3:]) == DATES
    assignment = result.assignment
    for row in grid.itertuples(index=False):
        worked = assignment[assignment["agent"] == row.agent].set_index("date")["shift"]
        assert [row[3 + k] for k in range(7)] == [worked.get(d, "") for d in DATES], row.agent
    assert set(grid["name"]) >= {"社員 1", "パート 4"}  # CP932 names read back

    # A sick day: F1 gets time off on a day they work; lock every published day and re-solve.
    day = assignment.loc[assignment["agent"] == "F1", "date"].iloc[0]
    upload(at, "team_sick.csv", team({"F1": day}))
    ok(at)
    at.button(key="roster_resolve").click().run()
    ok(at)
    again = at.session_state["roster_result"]
    assert again is not result
    before = {(r.agent, r.date): r.shift for r in assignment.itertuples()}
    after = {(r.agent, r.date): r.shift for r in again.assignment.itertuples()}
    changed = sum(before.get(k) != after.get(k) for k in set(before) | set(after))
    assert ("F1", day) in before and ("F1", day) not in after
    assert again.summary["changed_shifts"] == changed >= 1
    assert metrics(at)["Changed shifts"] == str(changed)
    assert any(f"{changed} shift(s) changed from the published roster on 7 published day(s)" in i.value for i in at.info)

    # Downloads: the シフト表 workbook and one calendar per person.
    files = at.session_state["roster_downloads"]
    assert files["shift_table.xlsx"][:2] == b"PK"
    names = zipfile.ZipFile(io.BytesIO(files["calendars.zip"])).namelist()
    assert sorted(names) == sorted(f"calendars/{a}.ics" for a in grid["agent"])


def test_scenario_agents_in_japanese_have_every_text(tmp_path):
    i18n.MISSING.clear()
    frame, minutes = data.read_intervals(write_history(tmp_path / "history.csv"))
    entries = [{"id": "X1", "name": "山田 花子"}, {"id": "X2", "name": "佐藤 太郎", "wishes": "+2024-03-26*2"}]
    scenario = small_scenario(changes={"roster": {"work_limit": 1, "shift": SHIFTS}, "agent": entries})
    at = open_app("roster", lang="ja", scenario=scenario, history=state.History(frame, minutes, "history.csv", None),
                  roster_work_limit=1.0)
    ok(at)
    assert at.title[0].value == "勤務表"
    assert metrics(at)["オペレーター数"] == "2"
    at.button(key="roster_solve").click().run()
    ok(at)
    assert list(grid_codes(at)["agent"]) == ["X1", "X2"]
    assert not i18n.MISSING, sorted(i18n.MISSING)


def test_an_uploaded_scenario_cannot_name_a_roster_file_outside_its_upload(tmp_path):
    import pytest

    from wfm.errors import InputError
    from wfm.uploads import confine_scenario_files

    with pytest.raises(InputError, match=r"roster.agents '/etc/passwd' is not a file uploaded with the scenario"):
        confine_scenario_files({"roster": {"agents": "/etc/passwd"}}, "team.toml", uploaded=tmp_path)
    (tmp_path / "team.csv").write_bytes(team())
    raw = confine_scenario_files({"roster": {"agents": "team.csv"}}, "team.toml", uploaded=tmp_path)
    assert raw["roster"]["agents"] == str((tmp_path / "team.csv").resolve())
