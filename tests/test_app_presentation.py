"""The app's presentation helpers: compact tile numbers, what binds a requirement, where a
scenario problem is and its Japanese, the fitted Verify axis and the week being solved."""

from __future__ import annotations

import datetime as dt
import math
import tomllib

import numpy as np
import pandas as pd
import pytest

from wfm import resources
from wfm.erlang import ServiceTarget, offered_load, size_intervals
from wfm.errors import InputError
from wfm.progress import ProgressEvent
from wfm.scenario import scenario_problems
from wfm.summary import what_binds
from wfm.ui import charts, i18n, problems, schedule_page, solver_watch
from wfm.ui.state import default_scenario_dict

UNITS = {"": 1, "K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12, "万": 1e4, "億": 1e8, "兆": 1e12}


def read_back(text: str) -> float:
    number = text.rstrip("KMBT万億兆")
    return float(number.replace(",", "")) * UNITS[text[len(number):]]


@pytest.fixture
def japanese(monkeypatch):
    monkeypatch.setattr(i18n, "lang", lambda: "ja")
    monkeypatch.setattr(problems, "lang", lambda: "ja")


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize("value", [10_000, 12_345, 99_949, 5_329_123, 430_617_000, 1.5e9, 987_654_321_000, -45_678])
def test_compact_keeps_three_significant_digits_and_at_most_six_characters(language, value):
    text = i18n.compact(value, language)
    assert read_back(text) == pytest.approx(value, rel=0.005)
    assert len(text.lstrip("-")) <= 6, text
    assert text[-1] in ("KMBT" if language == "en" else "万億兆")


def test_compact_leaves_short_numbers_whole_and_rounds_before_choosing_the_unit():
    assert i18n.compact(9_999, "en") == i18n.compact(9_999, "ja") == "9,999"
    assert i18n.compact(10_000, "en") == "10K" and i18n.compact(10_000, "ja") == "1万"
    assert i18n.compact(999_960, "en") == "1M"  # not "1e+03K"
    assert i18n.compact(99_996_000, "ja") == "1億"
    assert i18n.compact(987_654_321_000, "ja") == "9,880億" and i18n.compact(1_500_000, "en") == "1.5M"
    assert i18n.compact(float("nan")) == "–" and i18n.compact(None) == "–"


def test_tiles_keep_the_whole_value_for_the_tooltip(japanese):
    tile = i18n.money_tile(430_617_123, "JPY")
    assert str(tile) == "4.31億円" and tile.full == "430,617,123円"
    hours = i18n.hours_tile(13_545)
    assert str(hours) == "1.35万 時間" and hours.full == "13,545 時間"
    assert i18n.num_tile(812).full == str(i18n.num_tile(812)) == "812"  # short: the same text, no tooltip


def test_what_binds_names_the_occupancy_cap_where_it_raises_the_agents():
    frame = pd.DataFrame({"ds": pd.date_range("2024-01-08 09:00", periods=3, freq="15min"),
                          "y": [32.0, 900.0, 1200.0]})
    cap = 0.85
    capped = size_intervals(frame, 15, ServiceTarget(0.8, 20, max_occupancy=cap), aht=450)
    alone = size_intervals(frame, 15, ServiceTarget(0.8, 20, max_occupancy=1.0), aht=450)
    load = offered_load(frame["y"].to_numpy(), 450, 15)
    # Where the cap binds the capped sizing is the cap's own count, ceil(load / cap).
    raised = capped["agents"] > alone["agents"]
    assert list(raised) == [False, True, True]
    assert list(capped["agents"][raised]) == [math.ceil(x / cap) for x in load[raised.to_numpy()]]
    assert (alone["occupancy"][raised] > cap).all()  # the target alone would keep agents busier than the cap
    found = what_binds(capped, alone, 15)
    assert found["binds"] == "occupancy cap" and (found["capped_intervals"], found["intervals"]) == (2, 3)
    assert found["cap_hours"] == pytest.approx((capped["scheduled"] - alone["scheduled"]).sum() / 4)
    lifted = what_binds(alone, alone, 15)
    assert lifted["binds"] == "target" and lifted["capped_intervals"] == 0 and lifted["cap_hours"] == 0


def test_where_names_the_page_table_and_row_of_a_toml_path():
    raw = default_scenario_dict()
    assert problems.where("group[1].cost_per_hour") == ("Schedule", "Agent groups", 2)
    assert problems.where("campaign[0].deadline") == ("Outbound", "Campaigns", 1)
    assert problems.where("queue[0].aht") == ("Staffing", None, None)
    # the Breaks table lists every shift's breaks in turn
    first = len(raw["shift"][0].get("break", []))
    assert problems.where("shift[1].break[0].kind", raw) == ("Schedule", "Breaks", first + 1)
    assert problems.where("nonsense") is None


def library_sentences() -> list[str]:
    """Real sentences of wfm.scenario for broken copies of the bank example."""
    base = default_scenario_dict()
    broken = []
    for change in (
        lambda r: r["shift"][0].update(length_hours=7.1),
        lambda r: r["shift"][0].update(start_earliest="06:00"),
        lambda r: r["shift"][1].update(start_latest="20:00"),
        lambda r: r["shift"][0].update(group="night"),
        lambda r: r["group"].append(dict(r["group"][0])),
        lambda r: r["campaign"][0].update(deadline="2003-10-01"),
        lambda r: r["shift"][0].update(start_earliest="07:05"),
    ):
        raw = default_scenario_dict()
        change(raw)
        broken.append(raw)
    texts = [p.text for raw in broken for p in scenario_problems(raw)]
    assert len(texts) >= len(broken) and not scenario_problems(base)
    return texts


def test_library_sentences_are_translated_whole(japanese):
    for text in library_sentences():
        translated = problems.translate(text)
        assert translated != text, text
        place = text.split(":", 1)[0]
        assert translated.startswith(place + ": ") and translated.endswith("。")
        assert not any(word in translated for word in (" is ", " expected ", " the ")), translated


def test_field_problems_are_translated_from_their_kind(japanese):
    raw = default_scenario_dict()
    raw["group"][0]["cost_per_hour"] = -5
    raw["horizon"]["timezone"] = "Mars/Olympus"
    raw["queue"][0]["sizing"] = "magic"
    said = {p.place: problems.problem_text(p) for p in scenario_problems(raw)}
    assert said["group[0].cost_per_hour"] == "group[0].cost_per_hour: 0 より大きい値が必要です (入力値 -5)。"
    assert "IANA タイムゾーンではありません" in said["horizon.timezone"]
    assert "のいずれかが必要です" in said["queue[0].sizing"] and "'magic'" in said["queue[0].sizing"]


def test_english_stays_english():
    text = library_sentences()[0]
    assert problems.translate(text) == text  # outside Japanese mode (no session: English)


def test_verify_axis_fits_the_data_and_the_target():
    frame = pd.DataFrame({"sl_lo": [0.70, 0.88], "sl": [0.80, 0.93], "sl_hi": [0.86, 0.99]})
    low, high = charts.fitted_domain(frame, ["sl_lo", "sl", "sl_hi"], 0.8, (0.0, 1.0))
    assert 0.6 < low < 0.70 and 0.99 < high <= 1.0  # not 0 to 1: the band fills the chart
    low, high = charts.fitted_domain(frame, ["sl"], 0.5, (0.0, 1.0))
    assert low < 0.5  # the target line stays in view
    asa = pd.DataFrame({"asa": [np.nan, 12.0, 30.0]})
    assert charts.fitted_domain(asa, ["asa"], None, (0.0, None)) == pytest.approx([11.1, 30.9])


def test_day_labels_sit_at_noon_of_each_day():
    ds = pd.Series(pd.date_range("2003-10-27 07:00", "2003-10-28 20:45", freq="15min"))
    ds = ds[(ds.dt.hour >= 7) & (ds.dt.hour < 21)]  # two days open 07:00-21:00
    noons = charts.noons(ds)
    assert [(d.to_dict()["date"], d.to_dict()["hours"]) for d in noons] == [(27, 12), (28, 12)]


def test_the_plans_coverage_chart_breaks_its_lines_at_closed_nights_days_and_holidays():
    # Two saved versions as wfm.store.coverage_table gives them: open intervals only. Version 1
    # plans Mon and Wed (Tue 28 Oct is a holiday), version 2 on 30 minutes with a split Wednesday.
    def day(first: str, last: str, freq: str) -> list[pd.Timestamp]:
        return list(pd.date_range(first, last, freq=freq))

    v1 = day("2003-10-27 09:00", "2003-10-27 11:45", "15min") + day("2003-10-29 09:00", "2003-10-29 11:45", "15min")
    v2 = (day("2003-10-27 09:00", "2003-10-27 11:30", "30min") + day("2003-10-29 09:00", "2003-10-29 10:30", "30min")
          + day("2003-10-29 14:00", "2003-10-29 15:30", "30min"))
    coverage = pd.concat([pd.DataFrame({"ds": v, "version": name, "scheduled_inbound": 3})
                          for v, name in ((v1, "#1 base"), (v2, "#2 lean"))], ignore_index=True)
    chart = charts.versions_chart(coverage)
    line = chart.layer[0]
    assert line.encoding.detail.shorthand == "run:N"  # one line per run, not per version
    drawn = line.data
    assert len(drawn) == len(coverage)  # every interval drawn, no point invented for a closed time
    runs = drawn.groupby("run")
    assert runs.ngroups == 5  # Mon and Wed of version 1; Mon, Wed morning, Wed afternoon of version 2
    steps = {"#1 base": pd.Timedelta("15min"), "#2 lean": pd.Timedelta("30min")}
    for run, rows in runs:
        version = rows["version"].iloc[0]
        assert (rows["version"] == version).all()
        assert (rows["ds"].diff().dropna() == steps[version]).all(), run  # nothing drawn across a gap
        assert rows["ds"].dt.date.nunique() == 1  # no line runs across a night or the holiday


def test_a_longer_horizon_says_which_week_is_being_solved():
    watch = solver_watch.Watch()
    run = solver_watch.PlanRun("k", 10.0, 0.0, solver_watch.Future(), watch=watch, weeks=4)
    watch.see(ProgressEvent("schedule", "scheduling"))
    assert schedule_page.solving_week(run) == ""  # no solution event yet
    watch.see(ProgressEvent.solution("search", cost=100.0, bound=90.0, solutions=1, work=0.1, item="round 1, week 3"))
    assert watch.week == 3 and schedule_page.solving_week(run) == " · week 3 of 4"
    one_week = solver_watch.PlanRun("k", 10.0, 0.0, solver_watch.Future(), watch=watch, weeks=1)
    assert schedule_page.solving_week(one_week) == ""


def test_example_resources_are_readable():
    assert resources.example("bank_plan.toml").is_file()


def forecast_page_sentences() -> list[str]:
    """Real sentences of the Forecast page's adjustment and special-day checks."""
    from wfm.errors import InputError
    from wfm.forecast.adjust import validate_adjustments
    from wfm.forecast.calendar import validate_special_days

    texts = []
    for call in (
        lambda: validate_adjustments(pd.DataFrame({"date": ["2003-10-28"], "start": ["10:00"], "end": ["09:00"],
                                                   "percent": [10.0]})),
        lambda: validate_adjustments(pd.DataFrame({"date": ["soon"], "start": [""], "end": [""], "percent": [10.0]})),
        lambda: validate_adjustments(pd.DataFrame({"date": ["2003-10-28"], "start": ["25:00"], "end": [""],
                                                   "percent": [10.0]})),
        lambda: validate_adjustments(pd.DataFrame({"date": ["2003-10-28"], "start": [""], "end": [""],
                                                   "percent": [-150.0]})),
        lambda: validate_special_days(pd.DataFrame({"date": pd.to_datetime(["2003-10-28", "2003-10-28"]),
                                                    "closed": [True, True]})),
    ):
        with pytest.raises(InputError) as caught:
            call()
        texts.append(str(caught.value))
    return texts


def test_forecast_page_sentences_are_translated(japanese):
    for text in forecast_page_sentences():
        translated = problems.translate(text)
        assert translated != text and translated.endswith("。"), text
        assert not any(word in translated for word in (" is ", " expected ", " not ")), translated


def test_what_the_start_from_an_upload_changed_reads_in_japanese(japanese):
    # Every note wfm.start writes when a plan starts from an uploaded file, on the bank
    # example started from a Mon-Sat 09:00-18:00 centre, keeping nothing and with an AHT column.
    from wfm import resources, start

    raw = tomllib.loads(resources.example("bank_plan.toml").read_text(encoding="utf-8"))
    opening = {d: "09:00-18:00" for d in ("mon", "tue", "wed", "thu", "fri", "sat")} | {"sun": "closed"}
    notes = []
    end = dt.date(2026, 2, 7)
    for interval in (30, 60):
        notes += start.start_from_history(raw, opening, interval_minutes=interval, timezone="Asia/Tokyo",
                                          currency="JPY", keep_groups=False, keep_campaigns=False,
                                          has_aht=True, history_end=end)[1]
    # kept groups in yen: the converted figures and the rate entered; the example's zone and currency kept
    notes += start.start_from_history(raw, opening, interval_minutes=30, timezone="Asia/Tokyo", currency="JPY",
                                      history_end=end, exchange_rate=150.0, rates={"blended": 2500})[1]
    notes += start.start_from_history(raw, opening, interval_minutes=30, timezone="America/New_York",
                                      currency="USD", history_end=end)[1][:2]
    for bad in ({}, {"exchange_rate": -1.0}, {"exchange_rate": 150.0, "rates": {"blended": 0}}):
        with pytest.raises(InputError) as refused:
            start.start_from_history(raw, opening, interval_minutes=30, timezone="Asia/Tokyo", currency="JPY",
                                     history_end=end, **bad)
        notes.append(str(refused.value))
    notes += start.fit_shift_rules({"horizon": {"interval_minutes": 60, "open": "09:00", "close": "10:00"},
                                    "shift": [{"name": "late", "length_hours": 8}]})
    assert len(notes) >= 12
    for note in notes:
        translated = problems.translate(note)
        assert translated != note and translated.endswith("。"), note
        assert not any(word in translated for word in (" now ", " the ", " is ")), translated
