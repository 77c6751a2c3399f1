"""The Streamlit app, run headless with Streamlit's AppTest: every page, targets, uploads, language.

Heavy steps are cached by the app (st.cache_data), so the forecast is made once per
test process; solves use a short time limit (WFM_TIME_LIMIT) and few replications.
"""

from __future__ import annotations

import io
import json
import re
import tomllib
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from factories import DROP, bank_scenario, toml_text
from streamlit.testing.v1 import AppTest

from wfm import data, summary
from wfm.localtime import wall_clock
from wfm.ui import i18n, navigation, state

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PAGES = ["data", "forecast", "staffing", "outbound", "schedule", "verify", "export"]


def open_app(page: str = "data", lang: str = "en", **session) -> AppTest:
    """The app on ``page``; ``session`` values are in the session before its first run."""
    at = AppTest.from_file(APP, default_timeout=240)
    at.session_state["lang"] = lang
    for key, value in session.items():
        at.session_state[key] = value
    go(at, page)
    return at


def go(at: AppTest, page: str) -> AppTest:
    """Open a page as a click on its link does: the page's file, relative to app.py."""
    return at.switch_page(str(navigation.page_file(page).relative_to(Path(APP).parent))).run()


def requirement_table(at: AppTest) -> pd.DataFrame:
    """The Staffing page's "Requirement per interval" table (its last table)."""
    return at.dataframe[-1].value


def metrics(at: AppTest) -> dict[str, str]:
    """Each tile's whole value: its tooltip's when the tile shows it compact (5.33M, 533万)."""
    return {m.label: whole_value(m) for m in at.metric}


def whole_value(metric) -> str:
    shortened = re.match(r"^\*\*(.+?)\*\*", metric.proto.help or "")
    return shortened.group(1) if shortened else metric.value


def number(text: str) -> float:
    return float("".join(ch for ch in text if ch.isdigit() or ch in ".-"))


def ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


@pytest.fixture(autouse=True)
def short_solves(monkeypatch):
    monkeypatch.setenv("WFM_TIME_LIMIT", "12")


# --- every page, default run -----------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_every_page_opens_on_the_bundled_sample(page):
    at = open_app(page)
    ok(at)
    assert at.title[0].value.lower().startswith(page[:4])


def test_data_page_shows_the_library_summary():
    at = open_app("data")
    ok(at)
    frame, minutes = data.read_intervals(data.sample_path())
    row = summary.history_summary(frame, minutes).iloc[0]
    m = metrics(at)
    assert m["Days"] == f"{row['days']:,}"
    assert m["Intervals"] == f"{row['intervals']:,}"
    assert m["Calls"] == f"{row['volume']:,.0f}"
    assert m["Gaps"] == str(row["gaps"])
    assert m["Closed days"] == str(row["closed_days"])


def test_forecast_page_uses_the_scenario_horizon():
    at = open_app("forecast")
    ok(at)
    m = metrics(at)
    assert number(m["Calls in the horizon"]) > 100_000  # a bank week, Mon-Fri
    assert m["Change from adjustments"] == "0"
    assert at.dataframe  # the backtest table
    assert any("Horizon: Mon 27 Oct 2003 to Sun 2 Nov 2003" in c.value for c in at.caption)


def test_staffing_numbers_come_from_erlang_and_a_target_change_resizes():
    at = open_app("staffing")
    ok(at)
    before = metrics(at)
    sized = at.session_state["scenario"]["queue"][0]
    assert sized["service_level"] == 0.8 and sized["patience"] == 120
    slider = at.slider(key="w:queue.service_level")
    slider.set_value(95).run()
    ok(at)
    after = metrics(at)
    assert number(after["Agent-hours to schedule"]) > number(before["Agent-hours to schedule"])
    assert at.session_state["scenario"]["queue"][0]["service_level"] == 0.95
    # the setting persists on another page and back
    go(at, "data")
    go(at, "staffing")
    assert at.slider(key="w:queue.service_level").value == 95
    # ASA target instead of a service level
    at.radio(key="w:target.kind@en").set_value("asa").run()
    ok(at)
    assert at.session_state["scenario"]["queue"][0]["asa"] == 30


def test_adjustment_changes_the_forecast_used_downstream():
    at = open_app("forecast")
    base = number(metrics(at)["Calls in the horizon"])
    at.session_state["adjustments"] = pd.DataFrame(
        {"date": [pd.Timestamp("2003-10-28").date()], "start": ["10:00"], "end": ["14:00"], "percent": [50.0]})
    at.run()
    ok(at)
    adjusted = number(metrics(at)["Calls in the horizon"])
    assert adjusted > base
    assert number(metrics(at)["Change from adjustments"]) == pytest.approx(adjusted - base, abs=1.5)


# --- uploads -----------------------------------------------------------------------


def _upload(at: AppTest, name: str, content: bytes) -> AppTest:
    at.file_uploader(key="upload").set_value((name, content, "text/csv"))
    return at.run()


@pytest.mark.parametrize("name, content, words", [
    ("text.csv", b"ds,y\n2024-01-01 09:00,3\n2024-01-01 09:15,many\n", "row 2"),
    ("empty.csv", b"", "empty"),
    ("broken.xlsx", b"not a workbook", "could not be read"),
    ("latin.csv", b"ds,y\n2024-01-01 09:00,3\n" + bytes(range(128, 256)) * 4, "encoding"),
])
def test_bad_upload_shows_a_message_and_keeps_the_data(name, content, words):
    at = open_app("data")
    before = metrics(at)
    _upload(at, name, content)
    assert not at.exception
    messages = " ".join(e.value for e in at.error)
    assert "The file was not loaded" in messages and words in messages.lower() or words in messages, messages
    assert "bank_calls_5min.csv" in messages  # the previous data is still in use
    assert metrics(at) == before
    # the planner's own file name, never the server's temporary file or a Python codec's words
    assert name in messages and "/tmp" not in messages and "codec" not in messages, messages


def test_unknown_headers_ask_which_column_is_which_before_the_data_changes():
    at = open_app("data")
    before = metrics(at)
    slots = [d + pd.Timedelta(minutes=30 * k) for d in pd.bdate_range("2024-01-08", periods=10) + pd.Timedelta(hours=9)
             for k in range(16)]
    acd = pd.DataFrame({"Slot": slots, "Offered": np.arange(len(slots)) % 9 + 1, "Talk": 200.0})
    _upload(at, "acd.csv", acd.to_csv(index=False).encode())
    ok(at)
    assert "Which column is which?" in [s.value for s in at.subheader]
    assert at.selectbox(key="map:y").value == "Offered"  # a guess from common ACD headers, shown, not applied
    assert at.selectbox(key="map:ds").value == "—" and metrics(at) == before
    at.button(key="map_apply").click().run()  # no time column picked
    assert any("pick a column for Time (interval start)" in e.value for e in at.error)
    assert metrics(at) == before and at.session_state["history"].source == "bank_calls_5min.csv"
    at.selectbox(key="map:ds").set_value("Slot")
    at.selectbox(key="map:aht").set_value("Talk")
    at.button(key="map_apply").click().run()
    ok(at)
    assert at.session_state["history"].source == "acd.csv" and metrics(at)["Days"] == "12"
    assert at.session_state["scenario"]["queue"][0]["columns"] == {"Slot": "ds", "Offered": "y", "Talk": "aht"}
    assert at.session_state["scenario"]["horizon"]["closed_days"] == ["sat", "sun"]


def test_upload_over_the_size_limit_is_refused(monkeypatch):
    monkeypatch.setattr(state, "MAX_UPLOAD_BYTES", 1000)
    at = open_app("data")
    _upload(at, "big.csv", b"ds,y\n" + b"2024-01-01 09:00,3\n" * 200)
    assert not at.exception
    assert "more than the" in " ".join(e.value for e in at.error)


def test_good_upload_with_two_queues():
    ds = pd.date_range("2024-01-01 09:00", periods=8, freq="15min")
    days = [d + pd.Timedelta(days=k) for k in range(21) for d in ds]
    frame = pd.concat([pd.DataFrame({"queue": q, "ds": days, "y": np.arange(len(days)) % 7 + 1}) for q in ("sales", "care")])
    at = open_app("data")
    _upload(at, "two.csv", frame.to_csv(index=False).encode())
    ok(at)
    assert metrics(at)["Days"] == "21"
    assert at.selectbox(key="data_queue").options == ["care", "sales"]
    assert str(at.session_state["scenario"]["horizon"]["start"]) == "2024-01-22"  # the Monday after the history
    go(at, "staffing")
    ok(at)
    assert number(metrics(at)["Calls"]) > 0


# --- start from my data: a Japanese centre's own file ---------------------------------


def _upload_japanese_file(at: AppTest) -> AppTest:
    from factories import japanese_centre_csv

    _upload(at, "自社実績.csv", japanese_centre_csv())
    ok(at)
    return at


def test_japanese_file_is_mapped_and_the_plan_starts_from_it():
    from factories import JAPANESE_HEADERS

    at = _upload_japanese_file(open_app("data", lang="ja"))
    # CP932 read as it comes; the mapping step shows the guesses for its Japanese headers
    assert "列の対応付け" in [s.value for s in at.subheader]
    assert [at.selectbox(key=f"map:{r}").value for r in ("ds", "y", "aht", "queue")] == [*JAPANESE_HEADERS, "—"]
    assert at.session_state["history"].source == "bank_calls_5min.csv"  # nothing changes before the planner confirms
    at.button(key="map_apply").click().run()
    ok(at)
    hist = at.session_state["history"]
    assert hist.source == "自社実績.csv" and hist.minutes == 30 and set(hist.frame.columns) == {"queue", "ds", "y", "aht"}
    assert str(hist.frame["ds"].dt.tz) == "Asia/Tokyo"
    sc = at.session_state["scenario"]
    assert sc["queue"][0]["columns"] == {"日時": "ds", "呼量": "y", "平均処理時間": "aht"}
    assert "aht" not in sc["queue"][0]  # the file's AHT, not the bank's fixed 240 s
    h = sc["horizon"]
    # the file's own opening hours (Mon-Sat 09:00-18:00), not the bank's 07:00-21:00 Mon-Fri
    assert (h["open"], h["close"], h["closed_days"], h["interval_minutes"]) == ("09:00", "18:00", ["sun"], 30)
    assert h["timezone"] == "Asia/Tokyo" and sc["currency"] == "JPY"  # the Japanese defaults
    assert str(h["start"]) == "2026-02-09" and sc["queue"][0]["forecasting"]["holidays"] == "JP"
    assert [g["name"] for g in sc["group"]] == ["agents"] and not sc.get("campaign")
    assert at.selectbox(key="start_tz").value == "Asia/Tokyo"
    assert any("09:00-18:00" in m.value and "日 休業" in m.value for m in at.markdown)
    # the planner changes their mind: keep the example's groups and campaign, another zone
    at.checkbox(key="start_keep_groups").check()
    at.checkbox(key="start_keep_campaigns").check()
    at.selectbox(key="start_tz").set_value("Asia/Seoul")
    _submit_start(at)
    # the bank's dollar figures are not reused as yen: without an exchange rate the start is refused
    assert any("為替レート 1 USD = ? JPY が入力されていません" in e.value for e in at.error)
    assert [g["name"] for g in at.session_state["scenario"]["group"]] == ["agents"]  # nothing changed
    at.number_input(key="start_rate:USD:JPY").set_value(150.0)
    at.number_input(key="start_group_rate:blended:JPY").set_value(2500.0)  # the planner's own pay rate
    _submit_start(at)
    ok(at)
    sc = at.session_state["scenario"]
    assert sc["horizon"]["timezone"] == "Asia/Seoul" and str(at.session_state["history"].frame["ds"].dt.tz) == "Asia/Seoul"
    assert {g["name"]: g["cost_per_hour"] for g in sc["group"]} == {"blended": 2500.0, "outbound": 19.0 * 150}
    assert sc["costs"]["inbound_short_penalty"] == 250.0 * 150 and len(sc["campaign"]) == 1
    notes = " ".join(e.value for e in at.markdown)
    assert "金額を USD から JPY に換算しました (1 USD = 150 JPY)" in notes and "タイムゾーンを Asia/Seoul にしました" in notes
    assert sc["campaign"][0]["deadline"] > sc["horizon"]["start"]  # moved with the horizon
    assert sc["horizon"]["open"] == "09:00"  # still the file's hours
    go(at, "staffing")
    ok(at)
    assert number(metrics(at)["呼数"]) > 0


def test_an_english_start_plans_the_monday_after_the_file_and_says_its_zone_and_currency():
    # A centre's file ending Wed 15 Oct 2003, 12 days before the bank example's first day (27 Oct):
    # the plan starts on Mon 20 Oct, also in the saved scenario.
    days = pd.bdate_range("2003-09-22", "2003-10-15")
    slots = [d + pd.Timedelta(minutes=30 * k) for d in days + pd.Timedelta(hours=9) for k in range(16)]
    own = pd.DataFrame({"ds": slots, "y": np.arange(len(slots)) % 9 + 1})
    at = _upload(open_app("data"), "centre.csv", own.to_csv(index=False).encode())
    ok(at)
    assert str(at.session_state["scenario"]["horizon"]["start"]) == "2003-10-20"
    saved = AppTest.from_function(_save_zip_script, default_timeout=60)
    saved.session_state["scenario"] = at.session_state["scenario"]
    saved.session_state["history"] = at.session_state["history"]
    saved.run()
    toml = zipfile.ZipFile(io.BytesIO(saved.session_state["saved_zip"])).read("scenario.toml").decode()
    assert str(tomllib.loads(toml)["horizon"]["start"]) == "2003-10-20"
    # English keeps the example's zone and currency as defaults, and the notes say so
    assert at.selectbox(key="start_tz").value == "America/New_York" and at.selectbox(key="start_currency").value == "USD"
    notes = [m.value for m in at.markdown]
    assert "- the time zone stays the example's America/New_York: the file's times are read as local time there." in notes
    assert "- the currency stays the example's USD." in notes


def _submit_start(at: AppTest) -> AppTest:
    """Press "Start the plan from this file" (the form's button, in either language)."""
    keys = [b.key for b in at.button]
    return at.button[next(i for i, k in enumerate(keys) if k and k.startswith("FormSubmitter:start_form-"))].click().run()


def test_saved_scenario_carries_the_uploaded_data_into_a_new_session():
    at = _upload_japanese_file(open_app("data", lang="ja"))
    at.button(key="map_apply").click().run()
    ok(at)
    script = AppTest.from_function(_save_zip_script, default_timeout=60)
    script.session_state["scenario"] = at.session_state["scenario"]
    script.session_state["history"] = at.session_state["history"]
    script.run()
    assert not script.exception
    content = script.session_state["saved_zip"]
    assert set(zipfile.ZipFile(io.BytesIO(content)).namelist()) == {"scenario.toml", "自社実績.csv"}

    fresh = open_app("data")  # a new session: the bank example until the zip is loaded
    fresh.sidebar.file_uploader(key="load_scenario").set_value(("自社実績.zip", content, "application/zip")).run()
    assert not fresh.exception
    assert not fresh.sidebar.error, [e.value for e in fresh.sidebar.error]
    assert not any("not found" in i.value for i in fresh.sidebar.info)
    hist = fresh.session_state["history"]
    assert hist.source == "自社実績.csv" and hist.columns == {"日時": "ds", "呼量": "y", "平均処理時間": "aht"}
    pd.testing.assert_frame_equal(hist.frame, at.session_state["history"].frame)
    assert fresh.session_state["scenario"]["horizon"]["closed_days"] == ["sun"]
    assert "/tmp" not in hist.source and hist.path is None
    go(fresh, "staffing")
    ok(fresh)


def _save_zip_script():
    import streamlit as st

    from wfm.ui import state

    state.init()
    st.session_state["saved_zip"] = state.scenario_zip(state.scenario_for_saving(), st.session_state["history"])


def test_a_holiday_in_the_horizon_has_nobody_rostered():
    at = _upload_japanese_file(open_app("data", lang="ja"))  # Japanese: Asia/Tokyo and JP holidays by default
    at.button(key="map_apply").click().run()
    ok(at)
    at.session_state["scenario"]["verify"]["replications"] = 2
    at.session_state["work_limit"] = 1.0
    go(at, "schedule")
    at.button(key="solve").click().run()
    ok(at)
    result = at.session_state["plan"].future.result()
    holiday = pd.Timestamp("2026-02-11").date()  # 建国記念の日, closed by the forecast's JP holidays
    assert holiday in result.scenario.horizon.closed_dates
    days = pd.to_datetime(result.schedule.schedule["date"]).dt.date
    assert holiday not in set(days) and len(set(days)) == 5  # Mon-Sat minus the holiday
    coverage = result.schedule.coverage
    assert coverage.loc[wall_clock(coverage["ds"]).dt.date == holiday, "scheduled_inbound"].sum() == 0
    assert result.scenario.horizon.timezone == "Asia/Tokyo" and result.scenario.horizon.open == "09:00"


# --- language ----------------------------------------------------------------------


def test_language_switch_translates_every_page():
    at = open_app("data")
    at.sidebar.radio(key="w:lang").set_value("ja").run()
    ok(at)
    i18n.MISSING.clear()
    seen = []
    for page in PAGES:
        go(at, page)
        ok(at)
        seen.append(at.title[0].value)
    assert seen == ["データ", "予測", "必要人数", "発信とブレンド", "シフト表", "検証", "エクスポート"]
    go(at, "staffing")
    labels = [m.label for m in at.metric]
    assert "平均応答時間 (ASA)" in labels and "占有率" in labels and "ピーク必要人数" in labels
    assert at.slider(key="w:queue.shrinkage").label == "シュリンケージ (%)"
    go(at, "forecast")
    assert any("2003年10月27日(月)" in c.value for c in at.caption)
    assert not i18n.MISSING, sorted(i18n.MISSING)


def test_every_japanese_text_is_translated():
    import ast

    ui = Path(state.__file__).parent
    texts = set()
    for path in list(ui.glob("*.py")) + [Path(APP)]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "t" and node.args \
                    and isinstance(node.args[0], ast.Constant):
                texts.add(node.args[0].value)
    missing = sorted(x for x in texts if x not in i18n.JA)
    assert not missing, missing
    for english, japanese in i18n.JA.items():
        assert set(_fields(english)) == set(_fields(japanese)), english


def _fields(text: str) -> list[str]:
    import string

    return [f for _, f, _, _ in string.Formatter().parse(text) if f]


# --- solve, verify, export -----------------------------------------------------------


def test_solve_then_verify_and_export():
    at = open_app("schedule")
    ok(at)
    at.session_state["scenario"]["verify"]["replications"] = 3
    at.button(key="solve").click().run()
    ok(at)
    m = metrics(at)
    for label in ("Cost", "Lower bound", "Paid hours", "FTE", "Agents"):
        assert any(ch.isdigit() for ch in m[label]), (label, m[label])
    run = at.session_state["plan"]
    result = run.future.result()
    assert number(m["Agents"]) == result.kpis.agents
    assert any("Plan solved in" in e.value for e in at.success) and not run.cached
    # the same inputs again: the plan comes from the ones solved before, and the page says so
    at.button(key="solve").click().run()
    ok(at)
    assert at.session_state["plan"].cached
    assert any("solved before with the same inputs" in e.value for e in at.success)
    assert not any("Plan solved in" in e.value for e in at.success)

    # the Staffing page's requirement is the one the plan schedules
    go(at, "staffing")
    reqs = result.requirements
    assert number(metrics(at)["Agent-hours to schedule"]) == pytest.approx(reqs["scheduled"].sum() / 4, abs=1)
    shown = requirement_table(at)
    assert shown["agents"].tolist() == reqs["agents"].tolist()
    assert shown["scheduled"].tolist() == reqs["scheduled"].tolist()

    go(at, "verify")
    ok(at)
    assert "%" in metrics(at)["Service level (simulated)"]

    go(at, "outbound")
    ok(at)
    assert any("done" in c.value for c in at.caption)

    go(at, "export")
    ok(at)
    buttons = at.get("download_button")
    assert len(buttons) >= 8
    bundle = at.session_state["plan"].future.result()
    from wfm.ui import pipeline

    archive = zipfile.ZipFile(io.BytesIO(pipeline.scenario_bundle(bundle, bundle.forecast)))
    assert {"scenario.toml", "forecast.csv"} <= set(archive.namelist())
    raw = tomllib.loads(archive.read("scenario.toml").decode())
    assert raw["queue"][0]["forecast"] == "forecast.csv" and "history" not in raw["queue"][0]
    assert raw["queue"][0]["service_level"] == 0.8

    # language switch keeps the plan
    at.session_state["lang"] = "ja"
    go(at, "schedule")
    ok(at)
    assert "コスト" in metrics(at)


# --- scenario save / load --------------------------------------------------------------


def test_scenario_load_good_and_bad():
    at = open_app("data")
    uploader = at.sidebar.file_uploader(key="load_scenario")
    uploader.set_value(("bad.toml", b"name = 'x'\n[horizon]\nstart = 2003-10-27\ndays = 5\n", "application/toml")).run()
    assert not at.exception
    assert any("not loaded" in e.value for e in at.sidebar.error)
    assert at.session_state["scenario"]["name"] == "bank-plan"  # kept
    text = toml_text(bank_scenario(changes={"name": "bank-copy", "queue.0.service_level": 0.85}))
    at.sidebar.file_uploader(key="load_scenario").set_value(("copy.toml", text.encode(), "application/toml")).run()
    assert not at.exception
    assert at.session_state["scenario"]["name"] == "bank-copy"
    go(at, "staffing")
    assert at.slider(key="w:queue.service_level").value == 85


# --- quote ------------------------------------------------------------------------------


def test_quote_page_prices_the_example(monkeypatch):
    from wfm.ui import quote_page

    if not quote_page.available():
        pytest.skip("wfm.quote is not available")
    at = open_app("quote")
    ok(at)
    assert at.title[0].value == "Quote"
    at.slider(key="quote_seconds").set_value(1).run()
    at.button(key="quote_go").click().run()
    ok(at)
    m = metrics(at)
    assert any(ch.isdigit() for ch in m["Total price"]) and "JPY" not in m["Total price"]  # ¥ in English
    assert number(m["Peak seats"]) > 0
    assert {"dl_quote_xlsx", "dl_quote_json"} <= {b.key for b in at.get("download_button")}
    # The tables as the workbook formats them: whole amounts and people, shares as %.
    monthly, channels = at.dataframe[0], at.dataframe[1]
    assert {"Price (JPY)", "Total cost (JPY)", "Hires", "Schedule gap"} <= set(monthly.value.columns)
    assert (monthly.value["Price (JPY)"] % 1 == 0).all() and str(monthly.value["Hires"].dtype) == "Int64"
    formats = json.loads(monthly.proto.columns)
    assert formats["Schedule gap"]["type_config"]["format"] == "percent", formats["Schedule gap"]
    assert "Workload share" in channels.value.columns and "workload_share" not in channels.value.columns
    at.session_state["lang"] = "ja"
    at.run()
    ok(at)
    assert at.title[0].value == "見積" and "総価格" in metrics(at)
    assert f"{i18n.JA['Price']} (JPY)" in at.dataframe[0].value.columns
    assert i18n.JA["Workload share"] in at.dataframe[1].value.columns


def test_special_day_closes_a_day_of_the_forecast():
    at = open_app("forecast")
    base = number(metrics(at)["Calls in the horizon"])
    at.session_state["special_days"] = pd.DataFrame(
        {"date": [pd.Timestamp("2003-10-29").date()], "closed": [True], "multiplier": [np.nan]})
    at.run()
    ok(at)
    closed = number(metrics(at)["Calls in the horizon"])
    assert 0.7 * base < closed < 0.9 * base  # one weekday of five is gone


def test_saved_scenario_round_trips(tmp_path):
    from wfm.scenario import load_scenario

    at = open_app("staffing")
    at.slider(key="w:queue.shrinkage").set_value(25).run()
    saved = at.session_state["scenario"]
    # what the sidebar's "Save scenario" writes: the session's scenario with the data file and forecast settings
    script = AppTest.from_function(_save_script, default_timeout=60)
    script.session_state["scenario"] = saved
    script.session_state["history"] = at.session_state["history"]
    script.run()
    assert not script.exception
    text = script.session_state["saved_text"]
    path = tmp_path / "saved.toml"
    path.write_text(text)
    scenario = load_scenario(path)
    assert scenario.queues[0].shrinkage == 0.25
    assert Path(scenario.queues[0].history).name == "bank_calls_5min.csv"


def _save_script():
    import streamlit as st
    import tomli_w

    from wfm.ui import state

    state.init()
    st.session_state["saved_text"] = tomli_w.dumps(state.scenario_for_saving())


def test_day_goal_from_the_staffing_page_is_planned_and_reported():
    at = open_app("staffing")
    ok(at)
    at.selectbox(key="w:queue.service_goal@en").set_value("day").run()
    ok(at)
    q = at.session_state["scenario"]["queue"][0]
    assert q["service_goal"] == "day"
    q["goal_rounds"] = 0  # one solve: the rounds are covered by tests/test_service_goal.py
    at.session_state["scenario"]["verify"]["replications"] = 3
    go(at, "schedule")
    at.button(key="solve").click().run()
    ok(at)
    result = at.session_state["plan"].future.result()
    goal = result.kpis.queues["retail"]["service_goal"]
    assert goal["scope"] == "day" and len(goal["periods"]) == 5
    assert any(e.label == "Where the paid hours go" for e in at.expander)
    go(at, "verify")
    ok(at)
    assert "Service goal by day" in [s.value for s in at.subheader]
    shown = at.dataframe[0].value
    assert len(shown) == 5
    assert shown["Service level (simulated)"].tolist() == [p["simulated_service_level"] for p in goal["periods"]]


# --- the app on the library's decisions: sizing and defaults -----------------------------

SIZING_MODES = ["erlang-c", "erlang-a", "simulation"]  # wfm.scenario.Queue.sizing


@pytest.fixture(scope="module")
def small_plan(tmp_path_factory):
    """The small scenario with a learned profile (simulation sizing needs one), and what
    ``wfm plan`` sizes for it in every sizing mode (the plan run as the CLI runs it)."""
    import json
    import warnings

    from factories import build, small_scenario, write_history
    from synthetic_calls import synthetic_log

    from wfm import calls, plan

    folder = tmp_path_factory.mktemp("small")
    history = write_history(folder / "history.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        learned = calls.profile_calls(calls.validate_calls(
            synthetic_log(6000, seed=11, patience_mean=90.0, wait_mean=60.0), "synthetic"), by_time_of_day=False)
    (folder / "profile.json").write_text(json.dumps(learned))
    scenarios, planned = {}, {}
    for mode in SIZING_MODES:
        scenarios[mode] = small_scenario(changes={
            "queue.0.history": str(history), "queue.0.profile": str(folder / "profile.json"),
            "queue.0.sizing": mode, "verify.replications": 1})
        planned[mode] = plan.run_plan(build(scenarios[mode]), base_dir=folder, work_limit=0.2).requirements
    return history, scenarios, planned


@pytest.mark.parametrize("mode", SIZING_MODES)
def test_staffing_page_sizes_as_the_plan_in_every_sizing_mode(small_plan, mode):
    history, scenarios, planned = small_plan
    frame, minutes = data.read_intervals(history)
    at = open_app("staffing", scenario=scenarios[mode],
                  history=state.History(frame, minutes, history.name, str(history)))
    ok(at)
    assert at.radio(key="w:queue.model@en").value == mode
    shown, reqs = requirement_table(at), planned[mode]
    assert len(shown) == len(reqs) == 5 * 16  # the open intervals of the week
    assert shown["agents"].tolist() == reqs["agents"].tolist()
    assert shown["scheduled"].tolist() == reqs["scheduled"].tolist()
    assert at.session_state["scenario"]["queue"][0]["sizing"] == mode  # the page kept the queue's mode


def test_staffing_page_honours_erlang_c_on_the_bank_plan():
    """Issue #14: with ``sizing = "erlang-c"`` (and a patience) the page sized Erlang A."""
    from factories import build

    from wfm import erlang, plan, resources

    scenario = bank_scenario(changes={"queue.0.sizing": "erlang-c"})
    at = open_app("staffing", scenario=scenario)
    ok(at)
    assert at.radio(key="w:queue.model@en").value == "erlang-c"
    shown = requirement_table(at)
    # what `wfm plan` sizes: the plan's own forecast of the history, then its sizing step
    planned = build(scenario)
    demand = plan._queue_demand(planned.queues[0], 0, planned, resources.examples_folder(), [])
    reqs = plan.size_queue(planned, 0, demand).requirements
    assert shown["agents"].tolist() == reqs["agents"].tolist()
    # ... which is Erlang C on the queue's target, not Erlang A with its 120 s patience
    q = planned.queues[0]
    target = dict(service_level=q.service_level, answer_within=q.answer_within, max_occupancy=q.max_occupancy,
                  shrinkage=q.shrinkage)
    frame = reqs[["queue", "ds", "y"]]
    c = erlang.size_intervals(frame, 15, erlang.ServiceTarget(model="erlang-c", **target), aht=q.aht)
    a = erlang.size_intervals(frame, 15, erlang.ServiceTarget(model="erlang-a", patience=q.patience, **target),
                              aht=q.aht)
    assert shown["agents"].tolist() == c["agents"].tolist()
    assert shown["agents"].sum() > a["agents"].sum()


def test_pages_start_from_the_scenario_models_defaults():
    """A scenario that leaves settings out: every page shows wfm.scenario's defaults."""
    from wfm.scenario import Campaign, Forecasting, Horizon, Queue, Shift, Solver

    drop = {f"queue.0.{k}": DROP for k in ("service_level", "answer_within", "max_occupancy", "shrinkage",
                                           "forecasting")}
    drop.update({f"shift.0.{k}": DROP for k in ("start_earliest", "start_latest", "days_per_week",
                                                "consecutive_days_off", "min_rest_hours")})
    drop.update({"horizon.open": DROP, "horizon.close": DROP, "solver": DROP, "campaign.0.window_days": DROP})
    at = open_app("staffing", scenario=bank_scenario(changes=drop))
    ok(at)

    def default(model, name):
        return model.model_fields[name].get_default(call_default_factory=True)

    assert at.slider(key="w:queue.service_level").value == round(100 * default(Queue, "service_level"))
    assert at.number_input(key="w:queue.answer_within").value == default(Queue, "answer_within")
    assert at.slider(key="w:queue.max_occupancy").value == round(100 * default(Queue, "max_occupancy"))
    assert at.slider(key="w:queue.shrinkage").value == round(100 * default(Queue, "shrinkage"))
    assert at.selectbox(key="w:queue.service_goal@en").value == default(Queue, "service_goal")
    go(at, "forecast")
    assert at.number_input(key="w:fc.folds").value == default(Forecasting, "folds")
    assert at.text_input(key="w:horizon.open").value == default(Horizon, "open")
    assert at.text_input(key="w:horizon.close").value == default(Horizon, "close")
    go(at, "schedule")
    assert at.slider(key="w:work_limit").value == default(Solver, "work_limit")
    assert at.session_state["work_limit"] == default(Solver, "work_limit")
    shift = at.session_state["shifts_base_0"].iloc[0]
    assert shift["start_earliest"] == default(Shift, "start_earliest")
    assert shift["start_latest"] == default(Shift, "start_latest")
    assert shift["days_per_week"] == str(default(Shift, "days_per_week")[0])
    assert shift["consecutive_days_off"] == default(Shift, "consecutive_days_off")
    assert shift["min_rest_hours"] == default(Shift, "min_rest_hours")
    go(at, "outbound")
    campaign = at.session_state["campaign_base_0"].iloc[0]
    assert campaign["window_days"] == ", ".join(default(Campaign, "window_days"))


# --- presentation: compact tiles, the what-if strip, every problem at once -------------


UNITS = {"K": 1e3, "M": 1e6, "B": 1e9, "万": 1e4, "億": 1e8}


def compact_value(text: str) -> float:
    """``5.33M`` / ``4.31億`` as a number (read back independently of the app's formatter)."""
    found = re.match(r"^[¥]?(-?[\d.,]+)(K|M|B|万|億)?", text)
    return float(found.group(1).replace(",", "")) * UNITS.get(found.group(2), 1)


@pytest.mark.parametrize("lang, label, units", [("en", "Calls", ("K", "M")), ("ja", i18n.JA["Calls"], ("万", "億"))])
def test_long_tile_values_are_compact_with_the_whole_value_in_the_tooltip(lang, label, units):
    at = open_app("data", lang=lang)
    ok(at)
    frame, minutes = data.read_intervals(data.sample_path())
    volume = summary.history_summary(frame, minutes).iloc[0]["volume"]
    tile = next(m for m in at.metric if m.label == label)
    assert volume >= 10_000 and tile.value.endswith(units), tile.value
    assert compact_value(tile.value) == pytest.approx(volume, rel=0.005)  # three significant digits
    assert f"{volume:,.0f}" in tile.proto.help  # the whole value in the tooltip


def what_if_tiles(at: AppTest) -> list:
    return [m for m in at.metric if re.match(r"^\d+% in ", m.label)]


def what_if_captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption if c.value.startswith("The target alone")]


def test_what_if_strip_shows_what_each_target_costs_and_which_limit_sets_it():
    """Issue #15: the default example's what-if tiles differ; each says whether the target or the cap sets it."""
    at = open_app("staffing")
    ok(at)
    alone = what_if_captions(at)
    planned = [number(whole_value(m)) for m in what_if_tiles(at)]
    hours_alone = [number(re.search(r"alone: ([\d,.]+) h", c).group(1)) for c in alone]
    # The bank example (Erlang C, 96% cap): more service costs more hours at every step ...
    assert len(planned) == 3 and planned[0] < planned[1] < planned[2], planned
    assert hours_alone[0] < hours_alone[1] < hours_alone[2]  # the target alone needs more for more service
    assert all(p >= a for p, a in zip(planned, hours_alone, strict=True))  # the cap only adds hours
    # ... at 70% the cap keeps agents from running busier than 96%; at 80 and 90% the target decides.
    assert "Sets the staffing: occupancy cap" in alone[0], alone
    assert all("Sets the staffing: target" in c for c in alone[1:]), alone
    assert planned[2] == pytest.approx(hours_alone[2], abs=1)  # the cap raises no interval at 90%
    assert not any("sets the staffing at every level" in i.value for i in at.info)
    # A 90% cap binds at every level: 70 and 80% then cost the same and the strip says why.
    at.slider(key="w:queue.max_occupancy").set_value(90).run()
    ok(at)
    capped = [number(whole_value(m)) for m in what_if_tiles(at)]
    assert capped[0] == capped[1] and min(capped) > planned[2], capped
    assert all("Sets the staffing: occupancy cap" in c for c in what_if_captions(at))
    assert [number(re.search(r"alone: ([\d,.]+) h", c).group(1)) for c in what_if_captions(at)] == hours_alone
    assert any("sets the staffing at every level" in i.value for i in at.info)


def broken_rules() -> dict:
    """The default scenario with two shift rules that do not fit (both on the Schedule page)."""
    raw = state.default_scenario_dict()
    raw["shift"][0]["length_hours"] = 7.1  # not whole 15-minute intervals
    raw["shift"][1]["start_latest"] = "20:00"  # ends after the centre closes at 21:00
    return raw


def test_every_problem_is_listed_with_its_page_and_row_and_opens_the_rules():
    at = open_app("schedule", scenario=broken_rules())
    assert not at.exception
    listed = [e.value for e in at.error if "The scenario is not valid (2 problems)" in e.value]
    assert len(listed) == 1, [e.value for e in at.error]
    assert "*Schedule page · Shift rules, row 1*: shift[0].length_hours: 7.1 h is not a whole number" in listed[0]
    assert "*Schedule page · Shift rules, row 2*: shift[1].start_latest:" in listed[0]
    rules = next(x for x in at.expander if x.label == "Agent groups, shift rules and breaks")
    assert rules.proto.expanded  # the problem is inside it: it opens
    fine = open_app("schedule")
    assert not next(x for x in fine.expander if x.label == "Agent groups, shift rules and breaks").proto.expanded


def test_library_errors_are_shown_in_japanese():
    at = open_app("schedule", lang="ja", scenario=broken_rules())
    assert not at.exception
    text = "\n".join(e.value for e in at.error)
    assert "問題 2 件" in text and f"{i18n.JA['Schedule']}ページ · {i18n.JA['Shift rules']} 1 行目" in text
    # wfm.scenario's sentence, translated: no English of it is left
    assert "shift[0].length_hours: 7.1 時間は 15 分インターバルの整数倍ではありません。" in text
    assert "is not a whole number" not in text and "after the centre closes" not in text
    assert "営業終了 (21:00) を過ぎます" in text


def test_plans_page_lists_saved_versions_and_highlights_what_differs(tmp_path, monkeypatch):
    """Issue #15: two versions saved as ``wfm plan --save`` saves them (70% and 90%), side by side on the Plans page."""
    from factories import write_scenario

    from wfm import plan, store

    url = f"sqlite:///{tmp_path / 'plans.sqlite'}"
    monkeypatch.setenv(store.DATABASE_ENV, url)
    saved = store.open_store(url)
    kpis = []
    for level in (0.7, 0.9):
        scenario = write_scenario(tmp_path / f"s{level}", service_level=level)
        out = tmp_path / f"out{level}"
        plan.plan_to_directory(scenario, out)
        saved.save(out, f"at {level:.0%}", note="what-if", scenario_path=scenario)
        kpis.append(json.loads((out / "kpis.json").read_text(encoding="utf-8")))
    at = open_app("plans")
    ok(at)
    listed = at.dataframe[0].value
    assert listed["Name"].tolist() == ["at 70%", "at 90%"]
    compared = at.dataframe[1].value.set_index("Figure")
    difference = next(c for c in compared.columns if c.startswith("Difference"))
    # The difference column is the 90% version's cost minus the 70% one's, as the plan folders say.
    expected = kpis[1]["cost"] - kpis[0]["cost"]
    assert expected > 0
    assert number(compared.loc["cost", difference].lstrip("¥$")) == pytest.approx(expected, abs=1)
    assert compared.loc["FTE", difference] == f"{kpis[1]['fte'] - kpis[0]['fte']:.1f}"
    # Changed figures are highlighted in the difference column, unchanged ones are not.
    styles = at.dataframe[1].proto.arrow_data.styler.styles
    column = list(compared.columns).index(difference) + 1  # the Figure column comes first
    rows = list(compared.index)
    for figure in ("cost", "FTE", "short intervals (coverage)"):
        changed = compared.loc[figure, difference] not in ("0", "0.0", "¥0", "–")
        assert (f"row{rows.index(figure)}_col{column}" in styles) == changed, (figure, styles)
