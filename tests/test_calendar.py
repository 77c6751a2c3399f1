"""Tests of wfm.forecast.calendar: horizons, special-day tables, public holidays."""

from __future__ import annotations

import pandas as pd
import pytest

from wfm.errors import InputError
from wfm.forecast.calendar import (
    combine_special_days,
    parse_horizon,
    public_holidays,
    read_special_days,
    validate_special_days,
)


@pytest.mark.parametrize("text, days", [("5d", 5), ("2w", 14), ("14d", 14), (" 3D ", 3), ("1W", 7), ("10", 10), (7, 7)])
def test_horizon_in_days_or_weeks(text, days):
    assert parse_horizon(text) == days


@pytest.mark.parametrize("text", ["0d", "0", "0w", 0])
def test_zero_horizon_is_one_sentence(text):
    with pytest.raises(InputError, match=r"--horizon: the horizon is '0\w?', expected at least one day"):
        parse_horizon(text)


@pytest.mark.parametrize("text", ["abc", "-1d", "1.5d", "2m", ""])
def test_unreadable_horizon(text):
    with pytest.raises(InputError, match="is not a horizon, expected calendar days or weeks"):
        parse_horizon(text)


def test_special_days_closed_and_multiplier(tmp_path):
    path = tmp_path / "special.csv"
    path.write_text(
        "date,closed,multiplier\n2024-05-06,true,\n2024-05-10,,1.5\n2024-05-08,no,\n2024-05-07,,0\n2024-05-09,,\n"
    )
    table = read_special_days(path)
    assert list(table["date"].dt.strftime("%Y-%m-%d")) == [
        "2024-05-06", "2024-05-07", "2024-05-08", "2024-05-09", "2024-05-10"
    ]
    # explicit closed; multiplier 0 = closed; closed=no = open normal day; bare date = closed
    assert list(table["closed"]) == [True, True, False, True, False]
    assert list(table["multiplier"]) == [0.0, 0.0, 1.0, 0.0, 1.5]


def test_plain_list_of_dates_means_closed():
    table = validate_special_days(pd.DataFrame({"date": ["2024-12-25", "2024-12-31"]}))
    assert table["closed"].all() and (table["multiplier"] == 0).all()


@pytest.mark.parametrize(
    "frame, message",
    [
        (pd.DataFrame({"day": ["2024-01-01"]}), "missing column 'date'"),
        (pd.DataFrame({"date": ["2024-13-45"]}), r"row 1, column 'date' has '2024-13-45', which is not a date"),
        (pd.DataFrame({"date": ["2024-01-02"], "multiplier": ["lots"]}), r"row 1, column 'multiplier' has 'lots'"),
        (pd.DataFrame({"date": ["2024-01-02"], "multiplier": [-1]}), "expected a number >= 0"),
        (pd.DataFrame({"date": ["2024-01-02"], "closed": ["maybe"]}), "column 'closed' has 'maybe'"),
        (pd.DataFrame({"date": ["2024-01-02", "2024-01-02"]}), "row 2 repeats the date 2024-01-02"),
    ],
)
def test_bad_special_days(frame, message):
    with pytest.raises(InputError, match=message):
        validate_special_days(frame, "special.csv")


def test_public_holidays_are_closed_days():
    table = public_holidays("jp", [2024])
    days = set(table["date"].dt.strftime("%Y-%m-%d"))
    assert {"2024-01-01", "2024-05-03", "2024-11-04"} <= days  # New Year, Constitution Day, substitute holiday
    assert table["closed"].all()


def test_unknown_country():
    with pytest.raises(InputError, match="--holidays: 'XX' is not a country code"):
        public_holidays("XX", [2024])


def test_special_day_table_overrides_a_holiday():
    holidays = public_holidays("US", [2003])
    own = validate_special_days(pd.DataFrame({"date": ["2003-10-13"], "multiplier": [1.0]}))  # Columbus Day, open
    merged = combine_special_days(own, holidays).set_index("date")
    assert merged.loc["2003-10-13", "multiplier"] == 1.0 and not merged.loc["2003-10-13", "closed"]
    assert merged.loc["2003-09-01", "closed"]  # Labor Day stays closed
