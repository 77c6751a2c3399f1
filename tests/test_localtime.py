"""The local-time helpers (wfm.localtime), checked against Python's own zoneinfo arithmetic."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pandas as pd

from wfm.localtime import local_midnight, utc_clock, wall_clock, wall_clock_in

ZONE = "America/New_York"
FALL = dt.date(2026, 11, 1)  # 01:00-02:00 happens twice


def _fall_back_hours() -> pd.Series:
    # Real instants every 30 minutes across the repeated hour, built from UTC.
    start = dt.datetime(2026, 11, 1, 4, 0, tzinfo=dt.UTC)  # 00:00 EDT
    return pd.Series(pd.date_range(start, periods=8, freq="30min")).dt.tz_convert(ZONE)


def test_wall_clock_drops_the_zone_and_keeps_plain_times():
    aware = _fall_back_hours()
    wall = wall_clock(aware)
    expected = [t.astimezone(ZoneInfo(ZONE)).replace(tzinfo=None) for t in (x.to_pydatetime() for x in aware)]
    assert list(wall) == [pd.Timestamp(t) for t in expected]
    assert [f"{t:%H:%M}" for t in wall] == ["00:00", "00:30", "01:00", "01:30", "01:00", "01:30", "02:00", "02:30"]
    assert wall.dt.tz is None
    plain = wall.copy()
    assert wall_clock(plain) is plain  # plain times are already wall-clock time
    index = wall_clock(pd.DatetimeIndex(aware))
    assert isinstance(index, pd.DatetimeIndex) and list(index) == list(wall)
    assert wall_clock(aware.iloc[4]) == pd.Timestamp("2026-11-01 01:00")
    numbers = pd.Series([1, 2])
    assert wall_clock(numbers) is numbers  # a table's other columns pass through


def test_wall_clock_in_reads_the_instant_in_another_zone():
    aware = _fall_back_hours()
    tokyo = wall_clock_in(aware, "Asia/Tokyo")
    expected = [pd.Timestamp(t.astimezone(ZoneInfo("Asia/Tokyo")).replace(tzinfo=None)) for t in (x.to_pydatetime() for x in aware)]
    assert list(tokyo) == expected
    assert wall_clock_in(aware.iloc[0], "Asia/Tokyo") == expected[0]
    plain = wall_clock(aware)
    assert wall_clock_in(plain, "Asia/Tokyo") is plain  # no zone to convert from


def test_utc_clock_counts_real_time_across_the_repeated_hour():
    aware = _fall_back_hours()
    utc = utc_clock(aware)
    assert utc.dt.tz is None
    assert (utc.diff().dropna() == pd.Timedelta(minutes=30)).all()  # the wall clock steps back, real time does not
    assert utc.iloc[0] == pd.Timestamp("2026-11-01 04:00")


def test_local_midnight_is_the_first_real_instant_of_the_day():
    assert local_midnight(FALL, ZONE) == pd.Timestamp(dt.datetime(2026, 11, 1, tzinfo=ZoneInfo(ZONE)))
    # Chile moves its clocks at midnight: 2024-09-08 has no 00:00, the day begins at 01:00.
    santiago = local_midnight(dt.date(2024, 9, 8), "America/Santiago")
    assert f"{santiago:%H:%M}" == "01:00"
    before = dt.datetime(2024, 9, 7, 23, 59, tzinfo=ZoneInfo("America/Santiago"))
    assert santiago.timestamp() - before.timestamp() == 60  # real time: one minute later
