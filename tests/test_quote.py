"""Staffing quotes: a hand-computed case to the yen, lower bounds, sensitivity, chat, bad input."""

from __future__ import annotations

import copy
import datetime as dt
import json
import math

import numpy as np
import pytest
import tomli_w
from factories import JUNE_WEEKDAYS, quote_mix, quote_scenario
from openpyxl import load_workbook
from typer.testing import CliRunner

from wfm import erlang
from wfm.cli import app
from wfm.errors import InputError
from wfm.quote import build_quote, derive_demand_profile, load_demand_profile, write_quote
from wfm.scenario import load_scenario, validate_scenario

runner = CliRunner()

def test_hand_computed_quote_to_the_yen():
    # 10 calls an hour x 360 s = 1 Erlang; Erlang C 80/20 needs 3 agents (SL 0.919; 2 give 0.685);
    # 25% shrinkage: 3 / 0.75 = 4 agents on the 09:00-17:00 shift, every weekday.
    assert erlang.required_agents(1.0, 360, erlang.ServiceTarget(0.8, 20))[()] == 3
    result = build_quote(validate_scenario(quote_scenario()))
    month = result.monthly.iloc[0]
    paid_hours = 4 * 8 * JUNE_WEEKDAYS  # 704
    labour = paid_hours * 1000
    training = 4 * 2 * 40 * 1000  # hires x training weeks x 40 h x wage
    ramp = 4 * 2 * 40 * (1 - 0.5) * 1000
    hiring = 4 * 50000
    support = 1 * 300000 + 1 * 200000 + 1 * 100000  # ceil(4 / ratio) of each
    seats = math.ceil(4 * 1.1) * 20000
    technology = 4 * 10000
    direct = labour + training + ramp + hiring + support + seats + technology
    total = direct * 1.1
    price = total / (1 - 0.2)
    assert month["agents"] == 4 and month["seats"] == 5 and month["fte"] == 4.0
    assert month["paid_hours"] == paid_hours
    assert round(month["total_cost"]) == round(total) == 2_336_400
    assert round(month["price"]) == round(price) == 2_920_500
    assert month["price_per_hour"] == pytest.approx(price / (paid_hours * 0.75))  # 5,531.25
    assert month["price_per_contact"] == pytest.approx(price / (JUNE_WEEKDAYS * 80))  # 1,659.375
    assert month["price_per_fte_month"] == pytest.approx(price / 4)
    assert result.data["price_per_hour"] == pytest.approx(5531.25)
    assert result.data["fte"] == {"2026-06": 4.0}


def test_fte_never_below_workload_over_productive_hours():
    result = build_quote(validate_scenario(quote_mix()))
    shrink = 0.13
    for _, m in result.monthly.iterrows():
        assert m["productive_hours"] >= m["workload_hours"]
        # Equal weekday weights: the week holds 5 / open_days of the month's workload.
        week_workload = m["workload_hours"] * 5 / m["open_days"]
        assert m["fte"] * 40 * (1 - shrink) >= week_workload
        assert m["short_agent_intervals"] == 0
    assert result.monthly["fte"].iloc[1] >= result.monthly["fte"].iloc[0]  # more calls in July


def test_sensitivity_moves_the_right_way():
    data = quote_scenario(volume=JUNE_WEEKDAYS * 8 * 100, changes={"quote.sensitivity": True})
    data["quote"]["shrinkage"]["absence"] = 0.13
    result = build_quote(validate_scenario(data))
    s = result.sensitivity.set_index("case")
    for column in ("fte", "price"):
        v = s[column]
        assert v["volume -20%"] <= v["volume -10%"] <= v["base"] <= v["volume +10%"] <= v["volume +20%"]
        assert v["volume -20%"] < v["volume +20%"]
        assert v["AHT -10%"] <= v["base"] <= v["AHT +10%"] and v["AHT -10%"] < v["AHT +10%"]
        assert v["service 70%"] <= v["service 80%"] <= v["service 90%"] and v["service 70%"] < v["service 90%"]
        assert v["shrinkage -5 pts"] <= v["base"] <= v["shrinkage +5 pts"]
        assert v["shrinkage -5 pts"] < v["shrinkage +5 pts"]
    assert s.loc["service 80%", "fte"] == s.loc["base", "fte"]  # the quoted target is 80%
    assert set(result.data["sensitivity"][0]) >= {"case", "fte", "price"}


def test_chat_with_concurrency_one_equals_voice():
    voice = quote_scenario(volume=JUNE_WEEKDAYS * 8 * 40)
    chat = copy.deepcopy(voice)
    chat["quote"]["chat"] = [{**voice["quote"]["voice"][0], "name": "voice", "concurrency": 1}]
    chat["quote"]["voice"] = []
    a = build_quote(validate_scenario(voice)).monthly
    b = build_quote(validate_scenario(chat)).monthly
    for column in ("fte", "agents", "seats", "paid_hours", "total_cost", "price", "handled_contacts"):
        assert a[column].iloc[0] == b[column].iloc[0], column
    chat["quote"]["chat"][0]["concurrency"] = 2
    c = build_quote(validate_scenario(chat)).monthly
    assert c["fte"].iloc[0] < b["fte"].iloc[0]


def test_deferred_work_is_placed_inside_its_window_and_kept_whole():
    import pandas as pd

    from wfm.quote.demand import _spread_deferred

    monday = dt.date(2026, 6, 1)
    ds = [pd.Timestamp(monday) + pd.Timedelta(hours=h) for h in range(9, 17)]
    frame = pd.DataFrame({"ds": ds, "y": [8.0, 0, 0, 0, 0, 0, 0, 0]})
    done = _spread_deferred(frame, aht=450, hours=4, interval=60, monday=monday)
    assert done.sum() == pytest.approx(8 * 450)
    assert np.allclose(done[:4], 900) and np.allclose(done[4:], 0)  # 09:00-13:00 only


def test_outbound_cost_per_contact_and_acquisition():
    data = quote_scenario()
    data["quote"]["outbound"] = [{"name": "renewals", "monthly_records": [2000], "contact_rate": 0.5,
                                  "max_attempts": 2, "aht_contact": 300, "attempt_seconds": 30,
                                  "conversion_rate": 0.1, "window_start": "09:00", "window_end": "17:00"}]
    result = build_quote(validate_scenario(data))
    row = result.channels.set_index("channel").loc["renewals"]
    assert row["handled_contacts"] == pytest.approx(2000 * (1 - 0.5**2))  # 1,500 contacts
    assert row["conversions"] == pytest.approx(150)
    assert row["cost_per_acquisition"] == pytest.approx(row["cost"] / 150)
    assert result.channels["cost"].sum() == pytest.approx(result.totals["total_cost"])
    month = result.monthly.iloc[0]
    # Outbound work needs more paid hours than the voice-only quote.
    assert month["agents"] > 4


def test_cli_writes_xlsx_and_json(tmp_path):
    scenario = tmp_path / "q.toml"
    scenario.write_text(tomli_w.dumps(quote_scenario()))
    out = tmp_path / "out"
    out.mkdir()
    (out / "stale.txt").write_text("old")
    res = runner.invoke(app, ["quote", str(scenario), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "per FTE-month" in res.output
    assert not (out / "stale.txt").exists()  # the folder is replaced whole
    data = json.loads((out / "quote.json").read_text())
    for key in ("fte", "price_per_hour", "price_per_contact", "price_per_fte_month", "sensitivity"):
        assert key in data
    wb = load_workbook(out / "quote.xlsx")
    assert wb.sheetnames[:3] == ["Summary", "Monthly", "Cost lines"]
    summary = wb["Summary"]
    assert summary.page_setup.fitToHeight == 1 and summary.sheet_properties.pageSetUpPr.fitToPage
    assert wb["Monthly"].freeze_panes == "B2"
    money = [c for row in wb["Cost lines"].iter_rows(min_row=2) for c in row[1:] if c.value is not None]
    assert money and all("¥" in c.number_format for c in money)


BAD = [
    ("missing months", lambda q: q.update(months=2), "quote.voice[0].monthly_volumes"),
    ("negative volume", lambda q: q["voice"][0].update(monthly_volumes=[-5.0]), "quote.voice[0].monthly_volumes[0]"),
    ("margin 100%", lambda q: q.update(margin=1.0), "quote.margin"),
    ("margin 120%", lambda q: q.update(margin=1.2), "quote.margin"),
    ("supervisor ratio 0", lambda q: q["labour"].update(supervisor_ratio=0), "quote.labour.supervisor_ratio"),
    ("shrinkage parts reach 1", lambda q: q["shrinkage"].update(training=0.75), "quote.shrinkage"),
    ("no channel", lambda q: q.update(voice=[]), "quote: no channel"),
    ("bad month", lambda q: q.update(start_month="2026-13"), "quote.start_month"),
    ("calling window backwards", lambda q: q.update(outbound=[{
        "name": "x", "monthly_records": [10], "contact_rate": 0.3, "aht_contact": 200,
        "window_start": "18:00", "window_end": "10:00"}]), "quote.outbound[0]"),
]


@pytest.mark.parametrize("name,change,field", BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_one_sentence_and_writes_nothing(tmp_path, name, change, field):
    data = quote_scenario()
    change(data["quote"])
    scenario = tmp_path / "bad.toml"
    scenario.write_text(tomli_w.dumps(data))
    out = tmp_path / "out"
    res = runner.invoke(app, ["quote", str(scenario), "--out", str(out)])
    assert res.exit_code == 2
    message = res.output.strip()
    assert field in message and "Traceback" not in message and len(message.splitlines()) == 1
    assert not out.exists() and [p.name for p in tmp_path.iterdir()] == ["bad.toml"]


def test_history_file_with_missing_month_is_named(tmp_path):
    import pandas as pd

    days = pd.date_range("2026-06-01", "2026-06-30", freq="D")
    rows = [(d + pd.Timedelta(hours=h), 10.0) for d in days if d.weekday() < 5 for h in range(9, 17)]
    pd.DataFrame(rows, columns=["ds", "y"]).to_csv(tmp_path / "hist.csv", index=False)
    data = quote_scenario(changes={"quote.months": 2})
    data["quote"]["voice"] = [{"name": "voice", "history": "hist.csv", "aht": 360}]
    with pytest.raises(InputError, match=r"quote\.voice\[0\]\.history: hist.csv has no rows in 2026-07"):
        build_quote(validate_scenario(data), base_dir=tmp_path)
    data["quote"]["months"] = 1
    result = build_quote(validate_scenario(data), base_dir=tmp_path)
    assert result.monthly["agents"].iloc[0] == 4  # the same demand as the hand-computed case


def test_shipped_profile_is_derived_from_the_sample():
    from wfm import data

    frame, minutes = data.read_intervals(data.sample_path())
    derived = derive_demand_profile(frame, minutes)
    shipped = load_demand_profile()
    assert shipped["day_of_week"] == derived["day_of_week"]
    assert shipped["intraday"] == derived["intraday"]
    assert "bank_calls_5min.csv" in shipped["source"]


def test_example_scenario_loads():
    scenario = load_scenario("wfm/resources/examples/quote_bank.toml")
    q = scenario.quote
    assert q.months == 12 and q.chat[0].concurrency == 2 and q.outbound[0].conversion_rate == 0.2


def test_write_quote_fails_cleanly_when_parent_is_missing(tmp_path):
    result = build_quote(validate_scenario(quote_scenario()))
    with pytest.raises(InputError, match="does not exist"):
        write_quote(result, tmp_path / "nope" / "out")


def test_open_weekday_without_demand_is_noted():
    data = quote_scenario()
    data["horizon"]["closed_days"] = ["sun"]
    data["quote"].pop("day_of_week")  # the bundled split: the bank sample has no weekend calls
    result = build_quote(validate_scenario(data))
    assert any(note.startswith("sat open but without demand") for note in result.notes)
    assert result.data["notes"] == result.notes


def test_volume_buffer_staffs_more_but_bills_the_expected_contacts():
    base = build_quote(validate_scenario(quote_scenario(volume=JUNE_WEEKDAYS * 8 * 40))).monthly.iloc[0]
    buffered = build_quote(validate_scenario(quote_scenario(volume=JUNE_WEEKDAYS * 8 * 40, changes={"quote.volume_buffer": 0.2}))).monthly.iloc[0]
    assert buffered["fte"] > base["fte"]
    assert buffered["handled_contacts"] == base["handled_contacts"]
    assert buffered["workload_hours"] == base["workload_hours"]
    assert buffered["price_per_contact"] > base["price_per_contact"]
