"""History and sizing summaries (wfm.summary), checked against hand counts."""

from __future__ import annotations

import numpy as np
import pandas as pd

from wfm import erlang, summary


def weekday_history() -> pd.DataFrame:
    """Three weeks, Mon-Fri 09:00-12:00 (hourly), one Wednesday closed, one interval missing."""
    rows = []
    for day in pd.date_range("2024-01-01", periods=21, freq="D"):
        if day.weekday() >= 5 or day == pd.Timestamp("2024-01-10"):
            continue
        for hour in (9, 10, 11):
            if day == pd.Timestamp("2024-01-16") and hour == 10:
                continue
            rows.append({"queue": "q", "ds": day + pd.Timedelta(hours=hour), "y": 10.0 * (day.weekday() + 1)})
    return pd.DataFrame(rows)


def test_history_summary_counts_days_gaps_closures_and_opening_hours():
    row = summary.history_summary(weekday_history(), 60).iloc[0]
    assert row["days"] == 19  # Mon 1 Jan .. Fri 19 Jan, calendar days
    assert row["days_with_data"] == 14
    assert row["intervals"] == 14 * 3 - 1
    assert row["gaps"] == 1
    assert row["closed_days"] == 1
    assert row["opening"]["mon"] == "09:00-12:00" and row["opening"]["sat"] == "closed"
    assert row["open_hours_per_week"] == 15
    assert row["closed_hours_per_week"] == 168 - 15


def test_weekday_profile_averages_days_with_calls_only():
    profile = summary.weekday_profile(weekday_history(), 60)
    wed = profile[(profile["weekday"] == 2) & (profile["time"] == "09:00")]
    assert wed["y"].iloc[0] == 30.0  # the closed Wednesday is not averaged in as zero
    assert set(profile["weekday"]) == {0, 1, 2, 3, 4}
    half_hours = summary.weekday_profile(weekday_history(), 60, to_minutes=60)
    assert len(half_hours) == len(profile)


def test_requirement_summary_matches_the_sizing_table():
    frame = pd.DataFrame({"queue": "q", "ds": pd.date_range("2024-01-01 09:00", periods=4, freq="15min"),
                          "y": [50.0, 100.0, 150.0, 0.0]})
    sized = erlang.size_intervals(frame, 15, erlang.ServiceTarget(0.8, 20, shrinkage=0.2), aht=240)
    s = summary.requirement_summary(sized, 15)
    assert s["calls"] == 300
    assert s["peak_agents"] == sized["agents"].max()
    assert s["scheduled_hours"] == sized["scheduled"].sum() / 4
    busy = sized["y"] > 0
    expected = np.average(sized.loc[busy, "service_level"], weights=sized.loc[busy, "y"])
    assert np.isclose(s["service_level"], expected)
    assert s["abandon_rate"] is None
