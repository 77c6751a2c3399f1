"""wfm.start: a scenario started from a planner's own history instead of the bank example."""

from __future__ import annotations

import datetime as dt
import re
import tomllib

import pytest
from factories import build, small_scenario
from pydantic import BaseModel

from wfm import resources, scenario, start, summary
from wfm.data import read_intervals
from wfm.errors import InputError
from wfm.quote import settings as quote_settings

MON_SAT = dict.fromkeys(["mon", "tue", "wed", "thu", "fri", "sat"], "09:00-18:00") | {"sun": "closed"}
SAT = dt.date(2026, 2, 7)  # the uploaded history's last day


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
                                          currency="JPY", keep_groups=keep_groups, keep_campaigns=keep_campaigns,
                                          history_end=SAT, exchange_rate=150.0)
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
                                          currency="JPY", name="自社", has_aht=True, history_end=SAT,
                                          exchange_rate=150.0)
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


# --- another currency: the example's money figures are converted, never reused as they are ---


def _start_in(currency, raw=None, **options):
    return start.start_from_history(bank() if raw is None else raw, MON_SAT, interval_minutes=30,
                                    timezone="Asia/Tokyo", currency=currency, history_end=SAT,
                                    **{"keep_groups": True, "keep_campaigns": True, **options})


def test_another_currency_without_an_exchange_rate_is_refused_naming_the_field():
    with pytest.raises(InputError) as refused:
        _start_in("JPY")
    message = str(refused.value)
    assert message.startswith("exchange rate 1 USD = ? JPY: not given")
    assert "costs.inbound_short_penalty" in message and message.count(".") <= 12  # one sentence
    with pytest.raises(InputError, match="0 is not a rate"):
        _start_in("JPY", exchange_rate=0)
    with pytest.raises(InputError, match="hourly cost of group 'blended': -3"):
        _start_in("JPY", exchange_rate=150.0, rates={"blended": -3})
    # the same currency needs no rate; without the example's groups no example figure is left to convert
    assert _start_in("USD")[0]["group"][0]["cost_per_hour"] == 22.0
    own, notes = _start_in("JPY", keep_groups=False)
    assert own["group"][0]["cost_per_hour"] == scenario.Group.model_fields["cost_per_hour"].default
    assert not any("converted" in n for n in notes)


def test_the_bank_in_yen_converts_every_money_figure_and_takes_the_planners_group_rate():
    own, notes = _start_in("JPY", exchange_rate=150.0, rates={"blended": 2500, "not-kept": 9})
    groups = {g["name"]: g["cost_per_hour"] for g in own["group"]}
    assert groups == {"blended": 2500.0, "outbound": 19.0 * 150}
    costs = bank()["costs"]
    assert own["costs"]["inbound_short_penalty"] == costs["inbound_short_penalty"] * 150 == 37500
    assert own["costs"]["outbound_undone_penalty"] == pytest.approx(costs["outbound_undone_penalty"] * 150)
    assert own["currency"] == "JPY"
    converted = next(n for n in notes if n.startswith("money figures converted from USD to JPY at 1 USD = 150 JPY"))
    assert "costs.inbound_short_penalty 250 → 37,500" in converted and "group[1].cost_per_hour 19 → 2,850" in converted
    assert "group 'blended': 2,500 JPY an hour, as entered." in notes
    build(own)


def _marked_money(model: type[BaseModel], path: str = "") -> list[str]:
    """Every setting the models mark as money, by an independent walk of the field types."""
    found = []
    for name, field in model.model_fields.items():
        key = field.alias or name
        text = repr(field.annotation) + repr(field.metadata)
        if "MONEY" in text:
            found.append(path + key)
            continue
        for sub in (scenario.Group, scenario.Costs, scenario.RosterSettings, quote_settings.Quote,
                    quote_settings.Labour, quote_settings.Overhead):
            if sub.__name__ in repr(field.annotation) and sub is not model:
                found += _marked_money(sub, f"{path}{key}.")
    return found


def test_money_settings_are_found_from_the_models_in_every_section():
    # A scenario that writes every money figure the models mark (and the named agents' pay rate).
    marked = _marked_money(scenario.Scenario)
    assert {"costs.inbound_short_penalty", "roster.change_penalty", "quote.overhead.seat_cost_per_month",
            "group.cost_per_hour", "roster.short_penalty"} <= set(marked)
    raw = small_scenario()
    raw["agent"] = [{"id": "a1", "group": raw["group"][0]["name"], "cost_per_hour": 10.0}]
    for where in marked:
        *parents, key = where.split(".")
        node = raw
        for part in parents:
            node = node[part][0] if isinstance(node.get(part), list) else node.setdefault(part, {})
        node[key] = 10.0
    found = {where for _, _, where in start.money_settings(raw)}
    assert found == {re.sub(r"^group\.", "group[0].", w) for w in marked} | {"agent[0].cost_per_hour"}


def test_every_cost_penalty_or_value_setting_is_typed_money():
    # A new setting named like money but typed a plain float would be reused as it is in another currency.
    looks_like_money = re.compile(r"cost|penalty|_value$|price|wage")
    plain = []
    for model in (scenario.Group, scenario.Costs, scenario.RosterSettings, quote_settings.Labour,
                  quote_settings.Overhead, quote_settings.Quote, scenario.Campaign):
        for name, field in model.model_fields.items():
            if looks_like_money.search(name) and "MONEY" not in repr(field.annotation) + repr(field.metadata):
                plain.append(f"{model.__name__}.{name}")
    assert plain == []


def test_a_quote_in_yen_started_in_dollars_converts_its_labour_and_overhead_costs():
    raw = tomllib.loads(resources.example("quote_bank.toml").read_text(encoding="utf-8"))
    own, notes = _start_in("USD", raw=raw, exchange_rate=0.0067)
    labour, overhead = raw["quote"]["labour"], raw["quote"]["overhead"]
    for key, value in labour.items():
        if "cost" in key:
            assert own["quote"]["labour"][key] == pytest.approx(value * 0.0067)
    assert own["quote"]["overhead"]["seat_cost_per_month"] == pytest.approx(overhead["seat_cost_per_month"] * 0.0067)
    assert own["quote"]["margin"] == raw["quote"]["margin"]  # a share, not money
    assert any(n.startswith("money figures converted from JPY to USD") for n in notes)


# --- the plan starts after the uploaded history, with the example's number of days ---------


def test_the_plan_starts_the_monday_after_the_history_and_campaign_dates_move_with_it():
    raw = bank()
    own, _ = _start_in("USD", raw=raw)
    assert own["horizon"]["start"] == dt.date(2026, 2, 9) and own["horizon"]["days"] == raw["horizon"]["days"]
    gap = raw["campaign"][0]["deadline"] - raw["horizon"]["start"]
    assert own["campaign"][0]["deadline"] - own["horizon"]["start"] == gap
    assert build(own).horizon.start == dt.date(2026, 2, 9)


def test_the_first_plan_day_is_the_next_open_day_when_mondays_are_closed():
    assert start.first_plan_day(dt.date(2026, 2, 9)) == dt.date(2026, 2, 16)  # a Monday: the next one
    assert start.first_plan_day(dt.date(2026, 2, 8), ["sat", "sun"]) == dt.date(2026, 2, 9)
    assert start.first_plan_day(dt.date(2026, 2, 7), ["sun", "mon", "tue"]) == dt.date(2026, 2, 11)
    tue_sat = dict.fromkeys(["tue", "wed", "thu", "fri", "sat"], "10:00-19:00") | {"sun": "closed", "mon": "closed"}
    own, _ = start.start_from_history(bank(), tue_sat, interval_minutes=30, timezone="Asia/Tokyo", currency="USD",
                                      history_end=dt.date(2026, 2, 7))
    assert own["horizon"]["start"] == dt.date(2026, 2, 10)


def test_the_notes_say_the_zone_and_currency_also_when_they_stay_the_examples():
    _, notes = start.start_from_history(bank(), MON_SAT, interval_minutes=30, timezone="America/New_York",
                                        currency="USD", history_end=SAT)
    assert notes[:2] == ["the time zone stays the example's America/New_York: the file's times are read as "
                         "local time there.", "the currency stays the example's USD."]
    _, notes = _start_in("EUR", keep_groups=False)
    assert "the time zone is Asia/Tokyo now (the example's was America/New_York)." in notes
    assert "money figures are in EUR now (the example's were in USD)." in notes
