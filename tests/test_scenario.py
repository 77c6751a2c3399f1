"""Scenario TOML: loading, defaults, round trip, and one-sentence errors naming the TOML path."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
import tomli_w

from wfm import resources
from wfm.errors import InputError
from wfm.scenario import Scenario, load_scenario, save_scenario, scenario_to_toml, validate_scenario

EXAMPLE = resources.example("bank_week_scenario.toml")

BASE = {
    "name": "t",
    "horizon": {"start": dt.date(2026, 1, 5), "days": 7, "interval_minutes": 15, "open": "07:00", "close": "22:00"},
    "group": [{"name": "blended", "skills": "blended", "cost_per_hour": 2000}],
    "shift": [
        {
            "name": "ft",
            "group": "blended",
            "length_hours": 8,
            "start_earliest": "07:00",
            "start_latest": "13:00",
            "break": [
                {"kind": "break", "length_minutes": 15, "start_after_hours": [1.5, 2.5]},
                {"kind": "lunch", "length_minutes": 60, "start_after_hours": [3.5, 5]},
            ],
        },
        {"name": "pt", "group": "blended", "length_hours": [4, 6], "start_latest": "16:00", "days_per_week": [2, 4]},
    ],
    "campaign": [
        {"name": "c", "records": 100, "contact_rate": 0.3, "aht_contact": 200, "deadline": dt.date(2026, 1, 9)}
    ],
}


def with_change(path: str, value):
    """BASE with one value replaced; ``path`` like ``shift.1.length_hours``."""
    data = copy.deepcopy(BASE)
    node = data
    parts = path.split(".")
    for part in parts[:-1]:
        node = node[int(part)] if part.isdigit() else node[part]
    last = parts[-1]
    if last.isdigit():
        node[int(last)] = value
    else:
        node[last] = value
    return data


def error_of(data) -> str:
    with pytest.raises(InputError) as caught:
        validate_scenario(data, "s.toml")
    message = str(caught.value)
    assert "\n" not in message and message.endswith(".")
    return message


def test_example_scenario_loads():
    scenario = load_scenario(EXAMPLE)
    assert scenario.horizon.start == dt.date(2003, 3, 3)
    assert [g.name for g in scenario.groups] == ["blended", "outbound"]
    assert scenario.shifts[0].breaks[1].kind == "lunch" and not scenario.shifts[0].breaks[1].is_paid
    assert scenario.campaigns[0].deadline == dt.date(2003, 3, 7)


def test_defaults_live_in_the_model():
    scenario = validate_scenario(BASE)
    assert scenario.currency == "JPY"
    assert scenario.horizon.timezone == "UTC"
    assert scenario.shifts[0].days_per_week == (5, 5)
    assert scenario.shifts[0].min_rest_hours == 11
    assert scenario.shifts[1].length_hours == [4.0, 6.0]
    assert scenario.solver.work_limit == 20 and scenario.solver.time_limit_seconds == 300
    assert scenario.solver.workers == 2
    assert scenario.costs.inbound_short_penalty > 0
    assert scenario.campaigns[0].window_days == ["mon", "tue", "wed", "thu", "fri"]


def test_round_trip(tmp_path):
    scenario = load_scenario(EXAMPLE)
    path = tmp_path / "again.toml"
    save_scenario(scenario, path)
    assert load_scenario(path) == scenario
    assert "[[shift.break]]" in scenario_to_toml(scenario)


@pytest.mark.parametrize(
    "path, value, expected",
    [
        ("shift.1.length_hours", 30, "shift[1].length_hours"),
        ("shift.1.length_hours", 7.9, "shift[1].length_hours: 7.9 h is not a whole number of 15-minute"),
        ("shift.0.group", "nobody", "shift[0].group: 'nobody' is not a group name"),
        ("shift.0.start_earliest", "06:00", "shift[0].start_earliest: 06:00 is before the centre opens"),
        ("shift.0.start_latest", "15:00", "shift[0].start_latest: a 8 h shift starting at 15:00 ends at 23:00"),
        ("shift.0.start_latest", "25:00", "shift[0].start_latest"),
        ("shift.0.break.1.start_after_hours", [7.5, 8], "shift[0].break[1].start_after_hours"),
        ("shift.0.break.1.start_after_hours", [2, 3], "overlaps the previous break"),
        ("shift.0.break.0.length_minutes", 10, "shift[0].break[0].length_minutes"),
        ("shift.0.days_per_week", [5, 3], "shift[0].days_per_week"),
        ("shift.0.min_rest_hours", 17, "shift[0].min_rest_hours"),
        ("campaign.0.deadline", dt.date(2025, 12, 31), "campaign[0].deadline: 2025-12-31 is before the horizon"),
        ("campaign.0.contact_rate", 1.2, "campaign[0].contact_rate"),
        ("campaign.0.window_end", "08:00", "campaign[0]"),
        ("campaign.0.groups", ["ghost"], "campaign[0].groups: 'ghost' is not a group name"),
        ("horizon.days", 10, "horizon.days: 10 days is not a whole number of weeks"),
        ("horizon.timezone", "Mars/Base", "horizon.timezone"),
        ("horizon.close", "06:00", "horizon.close"),
        ("horizon.open", "7am", "horizon.open"),
        ("group.0.skills", "telepathy", "group[0].skills"),
        ("group.0.cost_per_hour", -5, "group[0].cost_per_hour"),
    ],
)
def test_bad_input_names_the_toml_path(path, value, expected):
    message = error_of(with_change(path, value))
    assert message.startswith("s.toml: ")
    assert expected in message


def test_unknown_key_and_missing_section():
    data = copy.deepcopy(BASE)
    data["horizon"]["opening"] = "07:00"
    assert "horizon.opening: is not a known setting" in error_of(data)
    data = copy.deepcopy(BASE)
    del data["horizon"]
    assert "horizon: is missing" in error_of(data)


def test_duplicate_names_and_outbound_only_campaign_group():
    data = copy.deepcopy(BASE)
    data["group"].append({"name": "blended"})
    assert "group[1].name: 'blended' is used twice" in error_of(data)
    data = copy.deepcopy(BASE)
    data["group"].append({"name": "in", "skills": "inbound"})
    data["campaign"][0]["groups"] = ["in"]
    assert "campaign[0].groups: group 'in' has skills 'inbound'" in error_of(data)


def test_load_scenario_file_errors(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        load_scenario(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[horizon\nstart=1")
    with pytest.raises(InputError, match="is not valid TOML"):
        load_scenario(bad)
    good = tmp_path / "good.toml"
    good.write_text(tomli_w.dumps(with_change("shift.1.length_hours", 0)))
    with pytest.raises(InputError, match=r"good.toml: shift\[1\].length_hours"):
        load_scenario(good)


def test_queue_sections_and_unknown_keys():
    # [[queue]] entries are validated with their TOML path; unknown sections stay mistakes.
    data = copy.deepcopy(BASE)
    data["queue"] = [{"name": "retail"}]
    assert "queue[0]: give exactly one of history, forecast or volumes (found none)" in error_of(data)
    data["queue"] = [{"name": "retail", "history": "h.csv", "shrinkage": 1.0}]
    assert "queue[0].shrinkage" in error_of(data)
    data = copy.deepcopy(BASE)
    data["queues_typo"] = [{"name": "retail"}]
    assert "queues_typo: is not a known setting" in error_of(data)
    assert "groups" in Scenario.model_fields and Scenario.model_fields["groups"].alias == "group"


def test_docstring_example_is_a_valid_scenario():
    import textwrap
    import tomllib

    import wfm.scenario as module

    text = module.__doc__.split("::", 1)[1].split("Every validation problem")[0]
    scenario = validate_scenario(tomllib.loads(textwrap.dedent(text)))
    assert scenario.horizon.hours == {"sat": "09:00-18:00"}
    assert scenario.shifts[0].breaks[1].kind == "lunch"
