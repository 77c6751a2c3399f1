"""wfm.start: a scenario started from a planner's own history instead of the bank example."""

from __future__ import annotations

import tomllib

import pytest
from factories import build, small_scenario

from wfm import resources, start, summary
from wfm.data import read_intervals
from wfm.errors import InputError

MON_SAT = dict.fromkeys(["mon", "tue", "wed", "thu", "fri", "sat"], "09:00-18:00") | {"sun": "closed"}


def bank() -> dict:
    return tomllib.loads(resources.example("bank_plan.toml").read_text(encoding="utf-8"))


def test_opening_hours_from_the_history_summary(tmp_path):
    from factories import write_history

    frame, minutes = read_intervals(write_history(tmp_path / "h.csv"))
    opening = summary.history_summary(frame, minutes).iloc[0]["opening"]
    assert start.horizon_opening(opening, 30) == {
        "open": "09:00", "close": "17:00", "closed_days": ["sat", "sun"], "hours": {}}


def test_opening_hours_widen_to_the_grid_and_keep_exceptions():
    week = dict(MON_SAT, sat="10:05-15:50")
    got = start.horizon_opening(week, 15)
    assert got["open"] == "09:00" and got["close"] == "18:00"
    assert got["hours"] == {"sat": "10:00-16:00"} and got["closed_days"] == ["sun"]
    assert start.horizon_opening({"mon": "22:00-23:50"}, 30)["close"] == "24:00"
    with pytest.raises(InputError, match="no weekday has calls"):
        start.horizon_opening(dict.fromkeys(MON_SAT, "closed"), 30)


@pytest.mark.parametrize("interval", [15, 30, 60])
@pytest.mark.parametrize("keep_groups", [True, False])
@pytest.mark.parametrize("keep_campaigns", [True, False])
def test_the_bank_example_started_from_a_mon_sat_centre_validates(interval, keep_groups, keep_campaigns):
    own, notes = start.start_from_history(bank(), MON_SAT, interval_minutes=interval, timezone="Asia/Tokyo",
                                          currency="JPY", keep_groups=keep_groups, keep_campaigns=keep_campaigns)
    scenario = build(own)  # the scenario validator is the judge: every rule fits the grid and the hours
    h = scenario.horizon
    assert (h.open, h.close, h.closed_days, h.timezone, h.interval_minutes) == (
        "09:00", "18:00", ["sun"], "Asia/Tokyo", interval)
    assert scenario.currency == "JPY" and h.closed_dates == []
    assert bool(scenario.campaigns) is keep_campaigns
    names = [g.name for g in scenario.groups]
    if keep_groups:
        assert "blended" in names and ("outbound" in names) is keep_campaigns  # a dialling team without work goes
    else:
        assert names == [start.STARTING_GROUP] and scenario.costs.inbound_short_penalty == 20000.0  # the defaults
    for shift in scenario.shifts:
        assert shift.start_earliest >= "09:00"
        assert all(b.length_minutes % interval == 0 for b in shift.breaks)
    if interval == 30:
        assert any("15-minute break is 30 minutes" in n for n in notes)


def test_the_example_is_not_changed_and_the_file_aht_replaces_the_fixed_one():
    raw = bank()
    own, notes = start.start_from_history(raw, MON_SAT, interval_minutes=30, timezone="Asia/Tokyo",
                                          currency="JPY", name="自社", has_aht=True)
    assert raw == bank()
    assert own["name"] == "自社" and "aht" not in own["queue"][0]
    assert any("AHT column" in n for n in notes)


def test_a_break_that_cannot_fit_the_shortest_shift_is_left_out():
    raw = small_scenario(changes={"horizon.interval_minutes": 60, "shift.0.length_hours": [2, 8],
                                  "shift.0.break.0.start_after_hours": [1.5, 2.5]})
    notes = start.fit_shift_rules(raw)
    assert raw["shift"][0]["break"] == []
    assert any("no longer fits a 2 h shift" in n for n in notes)
    build(raw)


def test_shift_longer_than_the_day_is_cut_to_the_opening_hours():
    raw = small_scenario(changes={"shift.0.length_hours": 10, "shift.0.break": []})
    notes = start.fit_shift_rules(raw)
    assert raw["shift"][0]["length_hours"] == 8.0  # the centre is open 09:00-17:00
    assert raw["shift"][0]["start_latest"] == "09:00"
    assert notes and build(raw).shifts[0].length_hours == [8.0]


def test_break_lengths_the_interval_allows():
    assert start.break_lengths(15, 60) == [15, 30, 45, 60]
    assert start.break_lengths(60, 30) == [60]
