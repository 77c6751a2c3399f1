"""Planner adjustments (wfm.forecast.adjust): ± % rules on days and time ranges, horizon cuts."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from wfm.errors import InputError
from wfm.forecast import adjust


def forecast_table(days: int = 3, tz: str | None = None) -> pd.DataFrame:
    ds = pd.date_range("2024-03-04 09:00", periods=4, freq="h")
    rows = [d + pd.Timedelta(days=k) for k in range(days) for d in ds]
    frame = pd.DataFrame({"queue": "q", "ds": rows, "y_hat": 100.0, "lo_80": 80.0, "hi_80": 120.0,
                          "lo_95": 70.0, "hi_95": 130.0, "model": "m", "aht_hat": 200.0})
    if tz:
        frame["ds"] = frame["ds"].dt.tz_localize(tz)
    return frame


def test_percent_on_a_time_range_of_one_day_scales_volume_and_bands_only():
    table = forecast_table()
    rules = pd.DataFrame({"date": ["2024-03-05"], "start": ["10:00"], "end": ["12:00"], "percent": [15]})
    out = adjust.apply_adjustments(table, rules)
    hit = (out["ds"].dt.date == dt.date(2024, 3, 5)) & out["ds"].dt.hour.isin([10, 11])
    assert hit.sum() == 2
    assert np.allclose(out.loc[hit, "y_hat"], 115.0)
    assert np.allclose(out.loc[hit, "hi_95"], 130.0 * 1.15)
    assert np.allclose(out.loc[~hit, "y_hat"], 100.0)
    assert (out["aht_hat"] == 200.0).all()
    assert (table["y_hat"] == 100.0).all()  # input untouched


def test_blank_cells_mean_every_day_and_whole_day_and_rules_multiply():
    table = forecast_table(tz="Asia/Tokyo")
    rules = pd.DataFrame({"date": [None, None], "start": ["", "09:00"], "end": [None, "10:00"], "percent": [10, 10]})
    out = adjust.apply_adjustments(table, rules)
    nine = out["ds"].dt.hour == 9
    assert np.allclose(out.loc[nine, "y_hat"], 121.0)
    assert np.allclose(out.loc[~nine, "y_hat"], 110.0)


def test_queue_column_limits_a_rule():
    table = pd.concat([forecast_table(1), forecast_table(1).assign(queue="r")], ignore_index=True)
    out = adjust.apply_adjustments(table, pd.DataFrame({"percent": [-50], "queue": ["r"]}))
    assert np.allclose(out.loc[out["queue"] == "r", "y_hat"], 50.0)
    assert np.allclose(out.loc[out["queue"] == "q", "y_hat"], 100.0)


def test_empty_rows_and_no_rules_change_nothing():
    table = forecast_table()
    empty = pd.DataFrame({"date": [None], "start": [None], "end": [None], "percent": [np.nan]})
    pd.testing.assert_frame_equal(adjust.apply_adjustments(table, empty), table)
    pd.testing.assert_frame_equal(adjust.apply_adjustments(table, None), table)


@pytest.mark.parametrize("rules, words", [
    ({"percent": ["lots"]}, "row 1, column 'percent' is 'lots'"),
    ({"percent": [-100]}, "greater than -100"),
    ({"percent": [5], "start": ["25:00"]}, "not a time of day"),
    ({"percent": [5], "start": ["12:00"], "end": ["10:00"]}, "is not after start"),
    ({"percent": [5], "date": ["someday"]}, "column 'date' is 'someday'"),
    ({"percent": [5], "date": ["28 Oct"]}, "column 'date' is '28 Oct'"),  # no year: not year 1
    ({"percent": [5], "date": ["2003-02-30"]}, "column 'date' is '2003-02-30'"),
    ({"percent": [5], "when": ["x"]}, "unknown column 'when'"),
])
def test_bad_rules_are_one_sentence(rules, words):
    with pytest.raises(InputError, match=words.replace("(", r"\(")):
        adjust.apply_adjustments(forecast_table(), pd.DataFrame(rules))


@pytest.mark.parametrize("written", ["2003-10-28", "2003/10/28", "2003-10-28 00:00:00", dt.date(2003, 10, 28),
                                     pd.Timestamp("2003-10-28")])
def test_a_rule_date_reads_the_same_however_it_is_written(written):
    rules = adjust.validate_adjustments(pd.DataFrame({"date": [written], "percent": [10]}))
    assert rules["date"].iloc[0] == pd.Timestamp("2003-10-28")


def test_forecast_days_cover_the_horizon_and_clip_keeps_it():
    # history ends Fri 2024-03-08; a Mon-Sun week from 2024-03-11 needs 9 days of forecast
    assert adjust.forecast_days(pd.Timestamp("2024-03-08 21:00"), dt.date(2024, 3, 11), 7) == 9
    with pytest.raises(InputError, match="already covers"):
        adjust.forecast_days(pd.Timestamp("2024-03-20 09:00"), dt.date(2024, 3, 11), 7)
    table = forecast_table(days=10, tz="America/New_York")
    clipped = adjust.clip_to_horizon(table, dt.date(2024, 3, 6), 7)
    assert clipped["ds"].dt.date.min() == dt.date(2024, 3, 6)
    assert clipped["ds"].dt.date.max() == dt.date(2024, 3, 12)
