"""Tests of wfm.forecast and the `wfm forecast` / `wfm backtest` commands.

Histories are small and synthetic, so every expectation is computed independently
here (plain pandas on the generating pattern), not by calling the code under test.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from wfm.cli import app
from wfm.errors import InputError
from wfm.forecast import (
    ForecastWarning,
    aggregate_intervals,
    as_volumes,
    backtest,
    forecast,
    mae,
    mase,
    rmse,
    wmape,
)
from wfm.forecast.grid import build_grid

runner = CliRunner()


def pattern(weekday: int, minute: int, open_hour: int = 8, close_hour: int = 18) -> float:
    """A smooth weekday × interval volume: Monday busiest, midday peak."""
    span = (close_hour - open_hour) * 60
    shape = 1.0 + np.sin(np.pi * (minute - open_hour * 60) / span)
    return (20.0 + 4.0 * (weekday == 0) - 1.0 * weekday) * shape


def history(
    start="2024-04-01",
    days=42,
    interval=15,
    open_hour=8,
    close_hour=18,
    weekdays=(0, 1, 2, 3, 4),
    growth=0.0,
    seed=None,
    queue=None,
    aht=None,
) -> pd.DataFrame:
    """Interval history of an open-weekday centre; closed days and hours are absent."""
    rng = np.random.default_rng(seed)
    rows = []
    for d in pd.date_range(start, periods=days, freq="D"):
        if d.dayofweek not in weekdays:
            continue
        week = (d - pd.Timestamp(start)).days // 7
        for minute in range(open_hour * 60, close_hour * 60, interval):
            lam = pattern(d.dayofweek, minute, open_hour, close_hour) * interval / 15 * (1 + growth * week)
            y = rng.poisson(lam) if seed is not None else lam
            row = {"ds": d + pd.Timedelta(minutes=minute), "y": float(y)}
            if aht is not None:
                row["aht"] = aht(minute)
            rows.append(row)
    frame = pd.DataFrame(rows)
    if queue is not None:
        frame.insert(0, "queue", queue)
    return frame


def quiet(func, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ForecastWarning)
        return func(*args, **kwargs)


# ----------------------------------------------------------------------------- metrics


def test_metrics_against_hand_values():
    actual = np.array([10.0, 0.0, 30.0, 20.0])
    predicted = np.array([12.0, 1.0, 27.0, 20.0])
    assert wmape(actual, predicted) == pytest.approx(6.0 / 60.0)
    assert mae(actual, predicted) == pytest.approx(1.5)
    assert rmse(actual, predicted) == pytest.approx(np.sqrt((4 + 1 + 9 + 0) / 4))
    assert mase(actual, predicted, scale=3.0) == pytest.approx(0.5)


def test_a_forecast_reads_as_volumes_for_sizing_and_simulation():
    table = pd.DataFrame({"queue": ["q"], "ds": [pd.Timestamp("2024-04-01 09:00")], "y_hat": [12.5],
                          "lo_80": [9.0], "model": ["mstl"], "aht_hat": [240.0]})
    volumes = as_volumes(table)
    assert list(volumes.columns) == ["queue", "ds", "y", "lo_80", "model", "aht"]
    assert volumes["y"].tolist() == [12.5] and volumes["aht"].tolist() == [240.0]
    assert list(table.columns)[2] == "y_hat"  # the forecast itself is left as it was
    # A column already under the volume name wins: a file with y and y_hat keeps its y.
    both = as_volumes(table.assign(y=[3.0]))
    assert both["y"].tolist() == [3.0] and "y_hat" in both.columns


# ------------------------------------------------------------------------ basic forecast


def test_weekly_pattern_is_reproduced_by_every_model_and_closed_days_are_absent():
    frame = history(days=42)  # Mon 2024-04-01 .. Sun 2024-05-12, weekdays only
    for model in ["seasonal_naive_week", "hist_avg_4w", "hist_avg_8w", "top_down_calendar", "top_down_ets"]:
        result = quiet(forecast, frame, "1w", models=model)
        table = result.table
        assert list(table.columns) == ["queue", "ds", "y_hat", "lo_80", "hi_80", "lo_95", "hi_95", "model"]
        assert set(table["model"]) == {model}
        # 1 week after Fri 17:45: Mon-Fri of the next week, 40 intervals a day, nothing at weekends
        assert table["ds"].dt.dayofweek.max() == 4 and len(table) == 5 * 40
        assert table["ds"].min() == pd.Timestamp("2024-05-13 08:00") and table["ds"].max() == pd.Timestamp("2024-05-17 17:45")
        expected = [pattern(d.dayofweek, d.hour * 60 + d.minute) for d in table["ds"]]
        np.testing.assert_allclose(table["y_hat"], expected, rtol=0.02, err_msg=model)


def test_intervals_are_ordered_and_cover_about_the_right_share():
    train = history(days=70, seed=1)
    test = history(start="2024-06-10", days=5, seed=2)  # the week right after the history
    result = quiet(forecast, train, "1w")
    merged = result.table.merge(test, on="ds")
    assert len(merged) == 200
    t = merged
    assert (t["lo_95"] <= t["lo_80"]).all() and (t["lo_80"] <= t["y_hat"]).all()
    assert (t["y_hat"] <= t["hi_80"]).all() and (t["hi_80"] <= t["hi_95"]).all() and (t["lo_95"] >= 0).all()
    inside80 = ((t["y"] >= t["lo_80"]) & (t["y"] <= t["hi_80"])).mean()
    inside95 = ((t["y"] >= t["lo_95"]) & (t["y"] <= t["hi_95"])).mean()
    assert 0.68 <= inside80 <= 0.92 and 0.88 <= inside95 <= 1.0


def test_horizon_runs_from_the_last_interval_in_calendar_days():
    frame = history(days=33)  # ends Fri 2024-05-03 17:45
    table = quiet(forecast, frame, "5d", models="hist_avg_4w").table
    # Sat..Wed 17:45: only Mon, Tue, Wed are open
    assert sorted(set(table["ds"].dt.strftime("%a"))) == ["Mon", "Tue", "Wed"]
    assert table["ds"].max() == pd.Timestamp("2024-05-08 17:45")
    two_weeks = quiet(forecast, frame, "2w", models="hist_avg_4w").table
    assert two_weeks["ds"].dt.normalize().nunique() == 10


def test_zero_horizon_is_refused():
    with pytest.raises(InputError, match="--horizon: the horizon is '0d', expected at least one day"):
        forecast(history(days=21), "0d")


# ------------------------------------------------------------------- closed hours, gaps


def test_zero_rows_in_closed_hours_forecast_zero_and_absent_hours_stay_absent():
    frame = history(days=28, open_hour=8, close_hour=18)
    nights = []
    for d in pd.bdate_range("2024-04-01", periods=20):
        for minute in list(range(6 * 60, 8 * 60, 15)):
            nights.append({"ds": d + pd.Timedelta(minutes=minute), "y": 0.0})
    with_zeros = pd.concat([frame, pd.DataFrame(nights)], ignore_index=True)
    table = quiet(forecast, with_zeros, "1w", models="top_down_calendar").table
    early = table[table["ds"].dt.hour < 8]
    assert len(early) == 5 * 8 and (early["y_hat"] == 0).all() and (early["hi_95"] == 0).all()
    assert (table["ds"].dt.hour >= 6).all()  # nothing before 06:00: those hours are absent in history


def test_true_gaps_are_reported_filled_and_do_not_pull_the_forecast_down():
    frame = history(days=35)
    holes = (frame["ds"].dt.date == pd.Timestamp("2024-04-24").date()) & frame["ds"].dt.hour.isin([11, 12])
    gappy = frame[~holes]
    with pytest.warns(ForecastWarning, match=r"8 intervals missing inside opening hours \(first on 2024-04-24\)"):
        result = forecast(gappy, "1w", models="top_down_calendar", folds=2)
    assert len(result.gaps) == 8
    assert set(result.gaps["ds"].dt.hour) == {11, 12}
    full = quiet(forecast, frame, "1w", models="top_down_calendar").table
    np.testing.assert_allclose(result.table["y_hat"], full["y_hat"], rtol=1e-6)
    grid = build_grid(gappy.assign(queue="default"), 15)
    day = np.flatnonzero(grid.dates == np.datetime64("2024-04-24"))[0]
    filled = grid.Y[day, 11 * 4:13 * 4]
    expected = [pattern(2, 11 * 60 + 15 * k) for k in range(8)]
    np.testing.assert_allclose(filled, expected, rtol=1e-6)  # the day's own level × the usual shape, not zero


# ---------------------------------------------------------------------------- DST days


def constant_24h(start, days, tz="America/New_York", y=4.0) -> pd.DataFrame:
    """A 24-hour centre with the same volume in every real 15-minute interval."""
    begin = pd.Timestamp(start).tz_localize(tz)
    end = (pd.Timestamp(start) + pd.Timedelta(days=days)).tz_localize(tz)
    ds = pd.date_range(begin, end, freq="15min", inclusive="left")
    return pd.DataFrame({"ds": ds.strftime("%Y-%m-%dT%H:%M:%S%z"), "y": y})


@pytest.mark.parametrize("model", ["hist_avg_4w", "seasonal_naive_week", "top_down_calendar", None])
def test_dst_days_in_history_and_horizon(model):
    # history spans the fall-back day (25 h) and the forecast covers the spring-forward
    # day of the next year would be too long; use two histories instead
    fall = constant_24h("2024-10-07", 35)  # includes Sun 2024-11-03 (25 hours)
    result = quiet(forecast, fall, "1w", models=model, timezone="America/New_York")
    table = result.table
    assert table["ds"].is_unique and len(table) == 7 * 96
    np.testing.assert_allclose(table["y_hat"], 4.0, rtol=1e-6)

    before_fall = constant_24h("2024-10-05", 28)  # ends Fri 2024-11-01; horizon covers 2024-11-03
    table = quiet(forecast, before_fall, "1w", models=model, timezone="America/New_York").table
    sunday = table[table["ds"].dt.strftime("%Y-%m-%d") == "2024-11-03"]
    assert len(sunday) == 100 and table["ds"].is_unique  # 25 hours, the 01:00 hour twice
    np.testing.assert_allclose(sunday["y_hat"], 4.0, rtol=1e-6)  # never 8: no double count

    before_spring = constant_24h("2024-02-10", 28)  # ends Fri 2024-03-08; horizon covers 2024-03-10
    result = quiet(forecast, before_spring, "1w", models=model, timezone="America/New_York")
    table = result.table
    sunday = table[table["ds"].dt.strftime("%Y-%m-%d") == "2024-03-10"]
    assert len(sunday) == 92 and not (sunday["ds"].dt.hour == 2).any()
    np.testing.assert_allclose(table["y_hat"], 4.0, rtol=1e-6)


def test_spring_forward_day_in_history_is_not_a_gap():
    spring = constant_24h("2024-02-19", 35)  # includes Sun 2024-03-10 (23 hours)
    result = quiet(forecast, spring, "1w", models="hist_avg_4w", timezone="America/New_York")
    assert result.gaps.empty and not any("missing" in note for note in result.warnings)
    np.testing.assert_allclose(result.table["y_hat"], 4.0, rtol=1e-6)


# ------------------------------------------------------------------------ special days


def test_special_days_do_not_distort_patterns_and_scale_the_future():
    frame = history(days=42)
    spike_day = frame["ds"].dt.date == pd.Timestamp("2024-05-08").date()  # a Wednesday, 3x volume
    frame.loc[spike_day, "y"] *= 3
    special = pd.DataFrame({"date": ["2024-05-08", "2024-05-13", "2024-05-15"], "closed": ["", "yes", ""],
                            "multiplier": [3.0, None, 0.5]})
    table = quiet(forecast, frame, "1w", models="hist_avg_4w", special_days=special).table
    by_day = table.groupby(table["ds"].dt.strftime("%Y-%m-%d"))["y_hat"].sum()
    normal = {w: sum(pattern(w, m) for m in range(480, 1080, 15)) for w in range(5)}
    assert "2024-05-13" not in by_day.index  # closed Monday: absent, no invented volume
    assert by_day["2024-05-15"] == pytest.approx(0.5 * normal[2], rel=1e-6)  # Wednesday at half
    assert by_day["2024-05-16"] == pytest.approx(normal[3], rel=1e-6)
    # the 3x Wednesday in history is kept out: the next normal Wednesday would be 1.5x otherwise
    later = quiet(forecast, frame, "2w", models="hist_avg_4w", special_days=special).table
    wed = later[later["ds"].dt.strftime("%Y-%m-%d") == "2024-05-22"]["y_hat"].sum()
    assert wed == pytest.approx(normal[2], rel=1e-6)
    # without the calendar the spike leaks into the average (a quarter of 3x over 4 weeks)
    leaky = quiet(forecast, frame, "2w", models="hist_avg_4w").table
    assert leaky[leaky["ds"].dt.strftime("%Y-%m-%d") == "2024-05-22"]["y_hat"].sum() == pytest.approx(1.5 * normal[2])


def test_public_holidays_are_closed_and_the_next_day_is_a_week_start_day():
    frame = history(start="2024-04-01", days=35)  # to Sun 2024-05-05
    table = quiet(forecast, frame, "1w", models="top_down_calendar", holidays="JP").table
    days = set(table["ds"].dt.strftime("%Y-%m-%d"))
    assert "2024-05-06" not in days  # substitute holiday for Children's Day
    showa_day = pd.DataFrame({"date": pd.to_datetime(["2024-04-29"]), "closed": [True], "multiplier": [0.0]})
    frame = history(start="2024-04-01", days=35).assign(queue="q")
    closed_that_day = frame[frame["ds"].dt.date != pd.Timestamp("2024-04-29").date()]
    grid = build_grid(closed_that_day, 15, showa_day)
    tuesday = np.flatnonzero(grid.dates == np.datetime64("2024-04-30"))[0]
    assert grid.closed[tuesday - 1] and grid.after_closure[tuesday] and grid.day_type[tuesday] == 0
    # calls on a calendar holiday mean the centre opened: kept out of the patterns, no Monday effect after
    grid = build_grid(frame, 15, showa_day)
    assert grid.special[tuesday - 1] and not grid.normal[tuesday - 1] and not grid.closed[tuesday - 1]
    assert not grid.after_closure[tuesday] and grid.day_type[tuesday] == 1


def test_absent_open_weekday_is_a_closed_day_not_a_shift():
    frame = history(days=42)
    frame = frame[frame["ds"].dt.date != pd.Timestamp("2024-04-19").date()]  # a Friday missing
    grid = build_grid(frame.assign(queue="q"), 15)
    friday = np.flatnonzero(grid.dates == np.datetime64("2024-04-19"))[0]
    assert grid.closed[friday] and not grid.normal[friday]
    assert grid.after_closure[friday + 3] and grid.day_type[friday + 3] == 0  # the Monday after
    # weekday patterns stay aligned: a Friday is still forecast as a Friday
    table = quiet(forecast, frame, "1w", models="seasonal_naive_week").table
    fri = table[table["ds"].dt.dayofweek == 4]
    np.testing.assert_allclose(fri["y_hat"], [pattern(4, d.hour * 60 + d.minute) for d in fri["ds"]])


# -------------------------------------------------------------------- short history


def test_less_than_two_weeks_falls_back_to_the_average_with_a_warning():
    frame = history(days=10)
    with pytest.warns(ForecastWarning, match="only 10 days of history \\(fewer than 14\\)"):
        result = forecast(frame, "1w")
    table = result.table
    assert set(table["model"]) == {"hist_avg"}
    assert table["ds"].dt.dayofweek.max() == 4  # unseen weekend days are not invented
    mon = table[table["ds"].dt.dayofweek == 0]
    np.testing.assert_allclose(mon["y_hat"], [pattern(0, d.hour * 60 + d.minute) for d in mon["ds"]])


def test_one_day_of_history_does_not_crash():
    frame = history(days=1)
    with pytest.warns(ForecastWarning, match="only 1 day of history"):
        table = forecast(frame, "2w").table
    assert set(table["ds"].dt.dayofweek) == {0}  # only Mondays were ever seen open
    assert len(table) == 2 * 40


# ------------------------------------------------------------------ intervals and AHT


def test_interval_aggregation_5_to_15():
    five = history(days=28, interval=5, aht=lambda m: 200.0 if m < 12 * 60 else 300.0)
    fifteen = aggregate_intervals(five.assign(queue="default"), 5, 15)
    assert (fifteen["ds"].dt.minute % 15 == 0).all() and len(fifteen) == len(five) / 3
    first = five.iloc[:3]
    assert fifteen["y"].iloc[0] == pytest.approx(first["y"].sum())
    result = quiet(forecast, five, "1w", interval=15, models="hist_avg_4w")
    assert result.interval_minutes == 15 and (result.table["ds"].dt.minute % 15 == 0).all()
    table = result.table
    mon = table[table["ds"].dt.dayofweek == 0]
    expected = [sum(pattern(0, d.hour * 60 + d.minute + k) / 3 for k in (0, 5, 10)) for d in mon["ds"]]
    np.testing.assert_allclose(mon["y_hat"], expected, rtol=1e-9)


def test_aht_weighting_when_aggregating():
    frame = pd.DataFrame({"queue": "q", "ds": pd.date_range("2024-04-01 09:00", periods=3, freq="5min"),
                          "y": [10.0, 30.0, 0.0], "aht": [100.0, 200.0, 999.0]})
    out = aggregate_intervals(frame, 5, 15)
    assert out["aht"].iloc[0] == pytest.approx((10 * 100 + 30 * 200) / 40)


def test_bad_aggregation_interval():
    with pytest.raises(InputError, match="cannot make 10-minute intervals from 15-minute history"):
        forecast(history(days=21), "1w", interval=10)


def test_aht_hat_is_the_volume_weighted_interval_profile():
    frame = history(days=35, aht=lambda m: 240.0 + (m - 480) / 2)
    table = quiet(forecast, frame, "1w", models="hist_avg_4w").table
    assert "aht_hat" in table.columns
    minutes = table["ds"].dt.hour * 60 + table["ds"].dt.minute
    np.testing.assert_allclose(table["aht_hat"], 240.0 + (minutes - 480) / 2)
    # a busy interval's AHT counts for more than a quiet one's
    frame2 = history(days=21)
    frame2["aht"] = np.where(frame2["ds"].dt.dayofweek == 0, 300.0, 200.0)
    frame2.loc[frame2["ds"].dt.dayofweek == 0, "y"] *= 3
    grid_table = quiet(forecast, frame2, "1w", models="hist_avg_4w").table
    mon = grid_table[grid_table["ds"].dt.dayofweek == 0]["aht_hat"]
    tue = grid_table[grid_table["ds"].dt.dayofweek == 1]["aht_hat"]
    np.testing.assert_allclose(mon, 300.0)
    np.testing.assert_allclose(tue, 200.0)
    assert "aht_hat" not in quiet(forecast, history(days=21), "1w", models="hist_avg_4w").table.columns


def _noisy_aht(frame, true_aht, seed=3):
    """Each interval's AHT as the mean of its calls' lognormal handle times (sigma 1.1)."""
    rng = np.random.default_rng(seed)
    calls = np.maximum(frame["y"].round().astype(int).to_numpy(), 1)
    frame = frame.assign(y=calls.astype(float))
    means = np.asarray(true_aht, dtype=float)
    frame["aht"] = [rng.lognormal(np.log(m) - 1.1**2 / 2, 1.1, n).mean() for m, n in zip(means, calls, strict=True)]
    return frame


def test_aht_hat_pools_weekdays_whose_differences_are_chance():
    # Three weeks of a small centre, one true AHT of 300 s: each weekday's own interval AHT
    # rests on a few dozen heavy-tailed calls and scatters by 10-20%; the forecast must not
    # carry that scatter into each weekday.
    frame = history(days=21, interval=30)
    frame = _noisy_aht(frame, np.full(len(frame), 300.0))
    table = quiet(forecast, frame, "1w", models="hist_avg_4w").table
    day = table.groupby(table["ds"].dt.dayofweek)
    daily = day.apply(lambda f: np.average(f["aht_hat"], weights=f["y_hat"]))
    history_daily = frame.groupby(frame["ds"].dt.dayofweek).apply(lambda f: np.average(f["aht"], weights=f["y"]))
    assert history_daily.max() - history_daily.min() > 10  # the history's weekdays do differ by chance
    assert daily.max() - daily.min() < 0.3 * (history_daily.max() - history_daily.min())


def test_aht_hat_keeps_true_weekday_differences_through_the_noise():
    frame = history(days=35, interval=30)
    true = np.where(frame["ds"].dt.dayofweek == 0, 420.0, 280.0)
    table = quiet(forecast, _noisy_aht(frame, true), "1w", models="hist_avg_4w").table
    mon = table[table["ds"].dt.dayofweek == 0]
    others = table[table["ds"].dt.dayofweek != 0]
    assert np.average(mon["aht_hat"], weights=mon["y_hat"]) > 390
    assert np.average(others["aht_hat"], weights=others["y_hat"]) < 300



def test_aht_hat_pools_intervals_of_the_day_whose_differences_are_chance():
    # One true AHT of 300 s all day: a quiet half hour's AHT over three weeks rests on a few
    # hundred heavy-tailed calls, and one very long call moves it far; the forecast's
    # intervals must not keep that scatter (the plan would staff it, and simulate it).
    frame = history(days=21, interval=30)
    frame = _noisy_aht(frame, np.full(len(frame), 300.0))
    table = quiet(forecast, frame, "1w", models="hist_avg_4w").table
    slot = frame.groupby(frame["ds"].dt.strftime("%H:%M")).apply(lambda f: np.average(f["aht"], weights=f["y"]))
    planned = table.groupby(table["ds"].dt.strftime("%H:%M"))["aht_hat"].mean()
    assert slot.max() - slot.min() > 40  # the history's intervals do differ by chance (true: 300 s all day)
    assert planned.max() - planned.min() < 0.3 * (slot.max() - slot.min())


def test_aht_hat_keeps_true_time_of_day_differences_through_the_noise():
    frame = history(days=35, interval=30)
    evening = frame["ds"].dt.hour >= 14
    table = quiet(forecast, _noisy_aht(frame, np.where(evening, 420.0, 280.0)), "1w", models="hist_avg_4w").table
    late = table["ds"].dt.hour >= 14
    assert np.average(table.loc[late, "aht_hat"], weights=table.loc[late, "y_hat"]) > 390
    assert np.average(table.loc[~late, "aht_hat"], weights=table.loc[~late, "y_hat"]) < 300


# --------------------------------------------------------------------------- backtest


def independent_backtest(frame: pd.DataFrame, origins, weeks_back: int, minutes: int, metric="wmape") -> float:
    """wMAPE (or MAE, RMSE per opening interval) of the weekday × interval average, by plain pandas."""
    frame = frame.assign(day=frame["ds"].dt.normalize(), tod=frame["ds"].dt.strftime("%H:%M"),
                         wd=frame["ds"].dt.dayofweek)
    num = den = 0.0
    errors = []
    for origin in origins:
        origin = pd.Timestamp(origin)
        train = frame[(frame["day"] < origin) & (frame["day"] >= origin - pd.Timedelta(days=7 * weeks_back))]
        test = frame[(frame["day"] >= origin) & (frame["day"] < origin + pd.Timedelta(days=7))]
        mean = train.groupby(["wd", "tod"])["y"].mean().rename("p").reset_index()
        scored = test.merge(mean, on=["wd", "tod"])
        key = scored["ds"].dt.floor(f"{minutes}min")
        a = scored.groupby(key)["y"].sum()
        p = scored.groupby(key)["p"].sum()
        num += (a - p).abs().sum()
        den += a.sum()
        errors.append((a - p).to_numpy())
    errors = np.concatenate(errors)
    return {"wmape": num / den, "mae": np.abs(errors).mean(), "rmse": np.sqrt((errors**2).mean())}[metric]


def test_backtest_scores_match_an_independent_computation():
    frame = history(days=63, growth=0.03, seed=5)  # Mon 2024-04-01 .. Sun 2024-06-02
    result = quiet(backtest, frame, folds=3, horizon="7d", models="hist_avg_4w,seasonal_naive_week,auto")
    scores = result.scores.set_index(["model", "interval_minutes"])
    # the grid ends on the last day with data (Fri 31 May), so origins fall on Saturdays;
    # the weekend is closed, so each fold is the Mon-Fri week after it
    origins = ["2024-05-11", "2024-05-18", "2024-05-25"]
    assert scores.loc[("hist_avg_4w", 15), "wmape"] == pytest.approx(independent_backtest(frame, origins, 4, 15))
    assert scores.loc[("hist_avg_4w", 30), "wmape"] == pytest.approx(independent_backtest(frame, origins, 4, 30))
    assert scores.loc[("seasonal_naive_week", 30), "wmape"] == pytest.approx(independent_backtest(frame, origins, 1, 30))
    for metric in ("mae", "rmse"):
        for minutes in (15, 30):
            assert scores.loc[("hist_avg_4w", minutes), metric] == pytest.approx(
                independent_backtest(frame, origins, 4, minutes, metric)
            )
    assert set(scores.index.get_level_values(1)) == {15, 30}
    assert (scores["folds"] == 3).all() and list(result.chosen["origin"].dt.strftime("%Y-%m-%d")) == origins
    # MASE: absolute errors over each fold's in-sample one-week naive MAE (Hyndman & Koehler)
    abs_err = scaled = 0.0
    for origin in pd.to_datetime(origins):
        train = frame[frame["ds"] < origin]
        test = frame[(frame["ds"] >= origin) & (frame["ds"] < origin + pd.Timedelta(days=7))]
        week_before = train.assign(ds=train["ds"] + pd.Timedelta(days=7))
        pairs = train.merge(week_before, on="ds", suffixes=("", "_last"))
        scale = (pairs["y"] - pairs["y_last"]).abs().mean()
        last4 = train[train["ds"] >= origin - pd.Timedelta(days=28)]
        mean = last4.groupby([last4["ds"].dt.dayofweek, last4["ds"].dt.time])["y"].mean()
        predicted = mean.reindex(pd.MultiIndex.from_arrays([test["ds"].dt.dayofweek, test["ds"].dt.time])).to_numpy()
        abs_err += np.abs(test["y"].to_numpy() - predicted).sum()
        scaled += len(test) * scale
    assert scores.loc[("hist_avg_4w", 15), "mase"] == pytest.approx(abs_err / scaled)
    assert (scores["rmse"] >= scores["mae"]).all()


def test_pure_weekly_pattern_has_zero_naive_error():
    scores = quiet(backtest, history(days=42), folds=2, horizon="1w", models="seasonal_naive_week").scores
    assert np.allclose(scores["wmape"], 0.0) and np.allclose(scores["mae"], 0.0)


def test_selection_is_per_queue_and_picks_the_lowest_backtest_wmape():
    steady = history(days=70, seed=3, queue="steady")
    growing = history(days=70, seed=4, growth=0.08, queue="growing")
    result = quiet(forecast, pd.concat([steady, growing]), "1w", folds=3)
    selection = result.selection
    data_level = selection[selection["interval_minutes"] == 15]
    for queue, rows in data_level.groupby("queue"):
        best = rows.loc[rows["wmape"].idxmin(), "model"]
        assert rows.loc[rows["selected"], "model"].item() == best
        assert set(result.table.loc[result.table["queue"] == queue, "model"]) == {best}
    # the growing queue's level runs away from any 4-week average
    grown = result.table[result.table["queue"] == "growing"]["y_hat"].sum()
    flat = result.table[result.table["queue"] == "steady"]["y_hat"].sum()
    assert grown > 1.5 * flat


def test_backtest_with_too_little_history_for_the_folds_warns():
    with pytest.warns(ForecastWarning, match="history allows 1 of the 4 folds"):
        backtest(history(days=28), folds=4, horizon="7d", models="hist_avg_4w")


# ---------------------------------------------------------------------------------- CLI


def write(tmp_path, frame, name="history.csv"):
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def test_cli_forecast_writes_the_table(tmp_path):
    path = write(tmp_path, history(days=35, seed=1))
    out = tmp_path / "forecast.csv"
    scores = tmp_path / "scores.csv"
    result = runner.invoke(app, ["forecast", "--history", str(path), "--horizon", "2w", "--out", str(out),
                                 "--scores", str(scores), "--models", "hist_avg_4w,top_down_calendar"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    assert list(table.columns) == ["queue", "ds", "y_hat", "lo_80", "hi_80", "lo_95", "hi_95", "model"]
    assert len(table) == 10 * 40
    assert set(pd.read_csv(scores)["model"]) == {"hist_avg_4w", "top_down_calendar"}


def test_cli_backtest_prints_and_writes(tmp_path):
    path = write(tmp_path, history(days=35, seed=1))
    out = tmp_path / "scores.csv"
    result = runner.invoke(app, ["backtest", "--history", str(path), "--folds", "2", "--horizon", "1w",
                                 "--models", "hist_avg_4w,seasonal_naive_week", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "hist_avg_4w" in result.output and "wmape_%" in result.output
    scores = pd.read_csv(out)
    assert len(scores) == 4 and set(scores["interval_minutes"]) == {15, 30}


def bad_history(kind: str) -> pd.DataFrame:
    frame = history(days=21)
    if kind == "text":
        frame["y"] = frame["y"].astype(object)
        frame.loc[5, "y"] = "lots"
    elif kind == "negative":
        frame.loc[5, "y"] = -3
    elif kind == "duplicate":
        frame = pd.concat([frame, frame.iloc[[7]]], ignore_index=True)
    elif kind == "zones":
        frame["ds"] = frame["ds"].dt.strftime("%Y-%m-%dT%H:%M:%S")
        frame.loc[0, "ds"] = frame.loc[0, "ds"] + "+09:00"
    return frame


@pytest.mark.parametrize(
    "kind, horizon, message",
    [
        ("text", "1w", r"row 6, column 'y' is 'lots', expected a number"),
        ("negative", "1w", r"row 6, column 'y' is -3, expected a volume >= 0"),
        ("duplicate", "1w", r"repeats ds '2024-04-01 09:45:00' for queue 'default'"),
        ("zones", "1w", r"mixes time zones"),
        ("ok", "0d", r"--horizon: the horizon is '0d', expected at least one day"),
        ("ok", "soon", r"--horizon: 'soon' is not a horizon"),
    ],
)
def test_cli_bad_input_is_one_sentence_and_no_file(tmp_path, kind, horizon, message):
    path = write(tmp_path, bad_history(kind))
    out = tmp_path / "forecast.csv"
    result = runner.invoke(app, ["forecast", "--history", str(path), "--horizon", horizon, "--out", str(out)])
    assert result.exit_code == 2
    assert result.output.startswith("error: ") and result.output.count("\n") == 1
    assert re.search(message, result.output)
    assert not out.exists()


def test_cli_unknown_model_and_bad_folds(tmp_path):
    path = write(tmp_path, history(days=21))
    result = runner.invoke(app, ["backtest", "--history", str(path), "--models", "prophet"])
    assert result.exit_code == 2 and "unknown model 'prophet'" in result.output
    result = runner.invoke(app, ["forecast", "--history", str(path), "--horizon", "1w", "--folds", "0"])
    assert result.exit_code == 2 and "--folds: 0 folds, expected a whole number >= 1" in result.output


def test_cli_short_history_warns_but_succeeds(tmp_path):
    path = write(tmp_path, history(days=9))
    out = tmp_path / "f.csv"
    result = runner.invoke(app, ["forecast", "--history", str(path), "--horizon", "5d", "--out", str(out)])
    assert result.exit_code == 0
    assert "warning: queue 'default': only 9 days of history" in result.output
    assert out.exists()


def test_two_weeks_but_no_room_for_a_fold_keeps_the_named_model_with_a_warning():
    frame = history(days=17)  # 15 calendar days on the grid: a 7-day fold would leave 8 to train on
    with pytest.warns(ForecastWarning, match="no backtest fold fits in the history, so the forecast uses hist_avg_4w"):
        table = forecast(frame, "1w").table
    assert set(table["model"]) == {"hist_avg_4w"} and len(table) == 5 * 40


def test_aggregation_keeps_the_repeated_fall_back_hour_apart():
    ds = pd.date_range(pd.Timestamp("2024-11-03 00:00").tz_localize("America/New_York"), periods=4 * 12, freq="5min")
    frame = pd.DataFrame({"queue": "q", "ds": ds, "y": 1.0})
    out = aggregate_intervals(frame, 5, 15)
    assert len(out) == 16 and (out["y"] == 3.0).all()  # 4 real hours (01:00 twice), never 6 in one interval
    assert out["ds"].is_unique


def test_queue_without_volume_and_single_row_queue_do_not_crash():
    busy = history(days=35, queue="busy")
    silent = history(days=35, queue="silent").assign(y=0.0)
    single = history(days=1, queue="single").iloc[:1]
    frame = pd.concat([busy, silent, single])
    result = quiet(forecast, frame, "1w")
    assert set(result.table["queue"]) == {"busy", "single"}
    assert any("'silent': no volume anywhere" in note for note in result.warnings)
    scores = quiet(backtest, frame, folds=2).scores
    assert set(scores["queue"]) == {"busy"}  # no day with volume to score, or no fold at all


def test_horizon_across_a_dst_change_counts_wall_clock_days():
    frame = history(start="2024-10-07", days=26)  # ends Fri 2024-11-01 17:45 EDT
    frame["ds"] = frame["ds"].dt.tz_localize("America/New_York")
    table = quiet(forecast, frame, "7d", models="hist_avg_4w").table
    # Fri 17:45 EDT + 7 calendar days = Fri 2024-11-08 17:45 EST (169 real hours later)
    assert len(table) == 5 * 40
    assert table["ds"].max() == pd.Timestamp("2024-11-08 17:45").tz_localize("America/New_York")


def test_history_cut_mid_day_forecasts_the_rest_of_that_day_at_full_level():
    full = history(days=40)  # ends Fri 2024-05-10 17:45
    cut = full[full["ds"] < pd.Timestamp("2024-05-10 12:00")]
    result = quiet(forecast, cut, "3d", models="top_down_calendar")
    table = result.table
    assert result.gaps.empty
    assert table["ds"].min() == pd.Timestamp("2024-05-10 12:00")
    assert table["ds"].max() == pd.Timestamp("2024-05-13 11:45")  # 3 days after 11:45
    monday = table[table["ds"].dt.dayofweek == 0]
    np.testing.assert_allclose(monday["y_hat"], [pattern(0, d.hour * 60 + d.minute) for d in monday["ds"]], rtol=0.01)
    friday = table[table["ds"].dt.dayofweek == 4]
    np.testing.assert_allclose(friday["y_hat"], [pattern(4, d.hour * 60 + d.minute) for d in friday["ds"]], rtol=0.01)
