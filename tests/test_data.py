"""Reading interval tables: time zones, daylight-saving days, and precise messages."""

from __future__ import annotations

import pandas as pd
import pytest

from wfm import data, erlang
from wfm.errors import InputError


def day_of_intervals(day: str, tz: str, minutes: int = 15) -> pd.DataFrame:
    """Every interval of one local calendar day, as naive local wall-clock strings."""
    start = pd.Timestamp(day, tz=tz)
    end = pd.Timestamp((pd.Timestamp(day) + pd.Timedelta(days=1)).date(), tz=tz)  # next local midnight
    idx = pd.date_range(start.tz_convert("UTC"), end.tz_convert("UTC"), freq=f"{minutes}min", inclusive="left")
    local = idx.tz_convert(tz)
    return pd.DataFrame({"ds": local.strftime("%Y-%m-%d %H:%M:%S"), "y": 10.0})


@pytest.mark.parametrize("day, hours", [("2024-03-10", 23), ("2024-11-03", 25), ("2024-07-01", 24)])
def test_dst_days_have_23_or_25_hours_without_double_counting(day, hours):
    raw = day_of_intervals(day, "America/New_York")
    assert len(raw) == hours * 4
    frame, minutes = data.validate_intervals(raw, "dst.csv", timezone="America/New_York")
    assert minutes == 15
    assert len(frame) == hours * 4 and frame["ds"].is_unique
    sized = erlang.size_intervals(frame, minutes, aht=300)
    assert len(sized) == hours * 4 and sized["agents"].sum() > 0


def test_fall_back_day_without_zone_is_a_duplicate_error():
    raw = day_of_intervals("2024-11-03", "America/New_York")
    with pytest.raises(InputError, match=r"row 9 repeats ds '2024-11-03 01:00:00'"):
        data.validate_intervals(raw, "dst.csv")


def test_offsets_are_converted_to_the_site_zone():
    raw = pd.DataFrame({"ds": ["2024-01-01T00:00:00Z", "2024-01-01T00:30:00Z"], "y": [1, 2]})
    frame, minutes = data.validate_intervals(raw, "utc.csv", timezone="Asia/Tokyo")
    assert str(frame["ds"].iloc[0]) == "2024-01-01 09:00:00+09:00" and minutes == 30


def test_mixed_zones_in_one_column_are_rejected():
    raw = pd.DataFrame({"ds": ["2024-01-01 09:00:00+09:00", "2024-01-01 09:30:00"], "y": [1, 2]})
    with pytest.raises(InputError, match="mixes time zones: row 2"):
        data.validate_intervals(raw, "mixed.csv")
    raw = pd.DataFrame({"ds": ["2024-01-01 09:00:00+09:00", "2024-01-01 09:30:00+01:00"], "y": [1, 2]})
    with pytest.raises(InputError, match="mixes time zones"):
        data.validate_intervals(raw, "mixed.csv")


def test_nonexistent_local_time_is_named():
    raw = pd.DataFrame({"ds": ["2024-03-10 01:45", "2024-03-10 02:00", "2024-03-10 02:15"], "y": [1, 1, 1]})
    with pytest.raises(InputError, match="America/New_York"):
        data.validate_intervals(raw, "spring.csv", timezone="America/New_York")


def test_gaps_that_are_whole_intervals_are_fine_and_bank_sample_reads():
    frame, minutes = data.read_intervals(data.sample_path())
    assert minutes == 5 and len(frame) == 27716 and set(frame["queue"]) == {data.DEFAULT_QUEUE}
    assert frame["ds"].dt.date.nunique() == 164


@pytest.mark.parametrize("value, message", [(7, "does not divide a day"), (0, "does not divide a day"), ("x", "not a whole number")])
def test_interval_option_is_checked(value, message):
    raw = pd.DataFrame({"ds": ["2024-01-01 09:00"], "y": [1]})
    with pytest.raises(InputError, match=message):
        data.validate_intervals(raw, "one.csv", interval_minutes=value)


def test_empty_and_unknown_files(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(InputError, match="empty"):
        data.read_intervals(empty)
    header_only = tmp_path / "header.csv"
    header_only.write_text("ds,y\n")
    with pytest.raises(InputError, match="no data rows"):
        data.read_intervals(header_only)
    other = tmp_path / "x.json"
    other.write_text("{}")
    with pytest.raises(InputError, match="unsupported file type '.json'"):
        data.read_intervals(other)
