"""Service goals over a day: do plans deliver what is asked, at least cost?

For a generated month of calls through a real FCFS queue (heavy-tailed handle times,
impatient callers with lognormal patience), the last week is planned from the first
three with `wfm.plan.run_plan` (forecast -> Erlang A sizing with the patience learned
from the log -> CP-SAT schedule -> simulated rounds), once with the classic
``service_goal = "interval"`` and once with ``service_goal = "day"``; then the last
week's *actual* calls (their true handle times and patience) are replayed through each
written schedule (trace replay, heads after shrinkage) and the replayed share of each
day's calls answered within 20 s is printed.

Bars (issue #11): 1. a small centre (4-16 agents, 30-minute intervals, 6-hour shifts):
the day plan's replayed daily SL within +-3 points of 80% on at least 6 of 7 days...
(here: 5 open weekdays, so on all but one), and at least 10% cheaper than the interval
plan; 2. a centre at the bank sample's scale (about 300 agents): print the gain.

One week's replay is one sample of the week's calls. So that the plan can be told from
chance, 20 other draws of the same week (same process, other seeds) are replayed through
each small-centre schedule too: their mean daily SL (what the plan delivers on average)
and its spread per day (3-4.7 points at this scale, from the calls alone) are printed,
with the bar also judged on the mean.

Run: `.venv/bin/python benchmarks/bench_service_goal.py [small|large] [--seed=N ...]` (other
seeds generate other months: a single week's replay at this scale varies by several points
per day with the heavy-tailed handle times).
"""

from __future__ import annotations

import math
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from wfm import calls, data, plan, simulate
from wfm.localtime import wall_clock
from wfm.scenario import load_scenario

GOAL = 0.8

SCENARIO = """name = "{name}"
currency = "JPY"

[horizon]
start = {start}
days = 7
interval_minutes = {interval}
timezone = "Asia/Tokyo"
open = "08:00"
close = "20:00"
closed_days = ["sat", "sun"]

[[group]]
name = "agents"
skills = "inbound"
cost_per_hour = 2000

[[shift]]
name = "six-hour"
group = "agents"
length_hours = 6
start_earliest = "08:00"
start_latest = "14:00"
days_per_week = [3, 5]
min_rest_hours = 11

[[shift.break]]
kind = "break"
length_minutes = {interval}
start_after_hours = [2, 4]

[costs]
inbound_short_penalty = 20000

[solver]
time_limit_seconds = {time_limit}
seed = 0
workers = 2

[[queue]]
name = "default"
history = "history.csv"
profile = "profile.json"
sizing = "erlang-a"
service_level = {goal}
answer_within = 20
max_occupancy = {max_occupancy}
shrinkage = 0.1
service_goal = "{scope}"

[queue.forecasting]
folds = 2

[verify]
replications = 10
seed = 0
"""


def generate_month(peak_calls: float, interval: int, seed: int = 11):
    """Four weeks of weekday calls, 08:00-20:00, through an imperfectly staffed queue."""
    rng = np.random.default_rng(seed)
    history, minutes = data.read_intervals(data.sample_path())
    history = data.aggregate_intervals(history, minutes, interval)
    shape = data.average_day(history, weekdays=[0, 1, 2, 3, 4])
    shape = shape[(shape["time"] >= "08:00") & (shape["time"] < "20:00")].reset_index(drop=True)
    rate_shape = shape["y"].to_numpy() / shape["y"].max()
    days = pd.bdate_range("2024-04-01", periods=20)
    aht, patience_mean = 300.0, 150.0
    L = interval * 60.0
    logs = []
    for day in days:
        level = peak_calls * (1.15 if day.weekday() == 0 else 1.0 - 0.03 * day.weekday())
        rate = rate_shape * level
        counts = rng.poisson(rate)
        k = np.repeat(np.arange(rate.size), counts)
        arrival_s = np.sort((k + rng.random(k.size)) * L)
        sigma_h = 1.1  # heavy-tailed handle times
        handle = rng.lognormal(math.log(aht) - sigma_h**2 / 2, sigma_h, arrival_s.size)
        sigma_p = 1.5  # impatient callers, heavy-tailed patience
        patience = rng.lognormal(math.log(patience_mean) - sigma_p**2 / 2, sigma_p, arrival_s.size)
        load = rate * aht / L
        staffed = np.maximum(1, np.round(load * rng.uniform(1.0, 1.3, load.size) + 1)).astype(int)
        out = simulate.run_calls(arrival_s, handle, patience, staffed, L)
        first = pd.Timestamp(day.strftime("%Y-%m-%d") + " 08:00")
        logs.append(pd.DataFrame({
            "arrival": first + pd.to_timedelta(arrival_s, unit="s"), "wait": out.wait,
            "handle": np.where(out.answered, handle, 0.0),
            "outcome": np.where(out.answered, "answered", "abandoned"),
            "true_handle": handle, "true_patience": patience}))
    return pd.concat(logs, ignore_index=True), days


def replayed_days(result, trace: pd.DataFrame, interval: int) -> pd.DataFrame:
    """Replay the actual calls through the written schedule: share answered in time per day."""
    q = result.scenario.queues[0]
    sized = result.requirements
    heads = plan._inbound_heads(result.schedule.coverage, sized, q.name)
    effective = np.floor(heads * (1 - q.shrinkage) + 1e-9).astype(int)
    staffing = pd.DataFrame({"ds": wall_clock(sized["ds"]).to_numpy(), "agents": effective})
    inside = trace[trace["arrival"].dt.floor(f"{interval}min").isin(set(staffing["ds"]))]
    replay = simulate.replay(inside, staffing, interval_minutes=interval, answer_within=20)
    iv = replay.intervals.assign(day=lambda f: pd.to_datetime(f["ds"]).dt.date)
    iv["in_time"] = iv["offered"] * iv["service_level"]
    daily = iv.groupby("day")[["offered", "in_time"]].sum()
    daily["service_level"] = daily["in_time"] / daily["offered"]
    return daily, replay.summary["service_level"], len(trace) - len(inside)


WEEKS = 20  # other generated weeks of the same month's process replayed through each schedule


def other_weeks(result, peak_calls: float, interval: int, seed: int, weeks: int = WEEKS) -> np.ndarray:
    """Daily SL of ``weeks`` other draws of week 4 (same process, other seeds) replayed through the schedule.

    One week's replay is one sample: at a small centre a day's SL varies by several points
    from the calls alone. These draws show what the plan delivers on average, and how much
    a single day spreads around it (rows: weeks, columns: open days).
    """
    out = []
    for k in range(weeks):
        log, days = generate_month(peak_calls, interval, seed=100_000 + 1_000 * seed + k)
        last = log[log["arrival"] >= days[15]]
        trace = last.assign(handle=last["true_handle"], patience=last["true_patience"])[["arrival", "handle", "patience"]]
        out.append(replayed_days(result, trace, interval)[0]["service_level"].to_numpy())
    return np.array(out)


def print_spread(sl: np.ndarray) -> int:
    """Print the mean and spread of the replayed daily SL over the other weeks; days whose mean is within +-3."""
    mean, sd = sl.mean(axis=0), sl.std(axis=0, ddof=1)
    close = np.abs(sl - GOAL) <= 0.03
    print(f"            {len(sl)} other weeks replayed, daily SL mean (sd): "
          + "  ".join(f"{m:.1%} ({s:.1%})" for m, s in zip(mean, sd, strict=True))
          + f"; days within +-3 points {close.mean():.0%}, weeks with all open days but one {np.mean(close.sum(axis=1) >= sl.shape[1] - 1):.0%}")
    return int((np.abs(mean - GOAL) <= 0.03).sum())


def run(label: str, peak_calls: float, interval: int, time_limit: int, max_occupancy: float, seed: int = 11) -> None:
    t0 = time.perf_counter()
    log, days = generate_month(peak_calls, interval, seed=seed)
    split = days[15]
    first, last = log[log["arrival"] < split], log[log["arrival"] >= split]
    folder = Path(tempfile.mkdtemp(prefix="bench_goal_"))
    records = first[["arrival", "wait", "handle", "outcome"]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        checked = calls.validate_calls(records, "weeks 1-3")
        calls.aggregate_calls(checked, interval).to_csv(folder / "history.csv", index=False)
        profile = calls.profile_calls(checked, by_time_of_day=False)
    import json

    (folder / "profile.json").write_text(json.dumps(profile, default=float))
    trace = last.assign(handle=last["true_handle"], patience=last["true_patience"])[["arrival", "handle", "patience"]]
    print(f"\n{label} (seed {seed}): {len(first):,} calls in weeks 1-3, {len(last):,} in week 4, "
          f"{np.mean(first['outcome'] == 'abandoned'):.1%} abandoned in the log; "
          f"learned patience mean {profile['queues']['default']['patience'].get('mean', float('nan')):.0f} s (true 150)")
    rows = {}
    for scope in ("interval", "day"):
        text = SCENARIO.format(name=f"{label}-{scope}", start=split.date(), interval=interval, goal=GOAL,
                               scope=scope, time_limit=time_limit, max_occupancy=max_occupancy)
        (folder / f"{scope}.toml").write_text(text)
        t1 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = plan.run_plan(load_scenario(folder / f"{scope}.toml"), base_dir=folder)
        seconds = time.perf_counter() - t1
        daily, week_sl, outside = replayed_days(result, trace, interval)
        k = result.kpis.to_json()
        goal = k["queues"]["default"].get("service_goal")
        rows[scope] = (k["cost"], k["paid_hours"], daily, week_sl, seconds, k, goal)
        peak = int(result.schedule.coverage["scheduled_inbound"].max())
        print(f"  {scope:<9} cost {k['cost']:>12,.0f} JPY  paid {k['paid_hours']:>7.1f} h  peak {peak} heads  "
              f"gap {k['gap']:.2%}  planned-week simulated SL {k['service_level']:.1%}  replayed week SL {week_sl:.1%}  "
              f"({seconds:.0f} s{', ' + str(len(goal['rounds'])) + ' rounds' if goal else ''})")
        print("            replayed daily SL: " + "  ".join(f"{d:%a} {v:.1%}" for d, v in daily["service_level"].items()))
        forecast_calls = result.requirements.assign(day=wall_clock(result.requirements["ds"]).dt.date).groupby("day")["y"].sum()
        print("            calls forecast/actual: " + "  ".join(
            f"{d:%a} {forecast_calls.get(d, 0):.0f}/{n:.0f}" for d, n in daily["offered"].items()))
        if goal:
            print(f"            simulated on the forecast, per day (round {goal['chosen_round']} of {len(goal['rounds'])}): "
                  + "  ".join(f"{r['simulated_service_level']:.1%}" for r in goal["periods"]))
        print("            where the paid hours go: " + ", ".join(
            f"{name} {hours:,.1f}" for name, hours in k["where_hours_go"].items() if name != "paid_hours"))
        if label == "small":
            rows[scope] += (print_spread(other_weeks(result, peak_calls, interval, seed)),)
    (c_int, *_), (c_day, _, daily, *_) = rows["interval"], rows["day"]
    within = int((abs(daily["service_level"] - GOAL) <= 0.03).sum())
    saving = 1 - c_day / c_int
    print(f"  day goal vs interval plan: {saving:+.1%} cheaper; replayed daily SL within +-3 points of "
          f"{GOAL:.0%} on {within} of {len(daily)} open days")
    if label == "small":
        ok = within >= len(daily) - 1 and saving >= 0.10
        print(f"  bar 1 (within +-3 points on all open days but one, >= 10% cheaper): {'met' if ok else 'MISSED'}")
        expected = rows["day"][-1]
        ok = expected >= len(daily) - 1 and saving >= 0.10
        print(f"  bar 1 on the plan's expected daily SL (mean of {WEEKS} other weeks within +-3 points on {expected} "
              f"of {len(daily)} open days): {'met' if ok else 'MISSED'}")
    print(f"  total {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    which = [a for a in sys.argv[1:] if not a.startswith("--seed=")] or ["small", "large"]
    seeds = [int(a[len("--seed="):]) for a in sys.argv[1:] if a.startswith("--seed=")] or [11]
    if "small" in which:
        for seed in seeds:
            run("small", peak_calls=45, interval=30, time_limit=20, max_occupancy=0.95, seed=seed)
    if "large" in which:
        # At 300 agents a 95% occupancy cap binds before the 80% target; 98% lets the target bind.
        run("large", peak_calls=1100, interval=30, time_limit=40, max_occupancy=0.98)
