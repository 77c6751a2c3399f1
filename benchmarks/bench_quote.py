"""Quote FTE: the spreadsheet methods against a real schedule, on the bundled bank sample.

For each month of the bank sample (``wfm/resources/bank_calls_5min.csv``, weekdays
07:00-21:00, AHT 240 s, target 80% in 20 s, shrinkage 15%):

* **naive spreadsheet**: ``FTE = monthly workload hours / (1 - shrinkage) / 160 h``;
  its productive hours (exactly the workload) are deployed in the best way it
  allows, in proportion to each interval's volume;
* **flat daily Erlang**: each day's calls spread evenly over its opening hours, one
  Erlang C answer for the whole day, that many agents all day;
* **ours**: ``wfm.quote.build_quote`` - a representative week per month scheduled by
  CP-SAT from the month's interval requirement, agents per interval from its coverage;
* **ours with a volume buffer** (``volume_buffer``, default 5%): the same, staffed
  for 5% more than the month's average volume;
* **foresight Erlang** (a reference, not a quote): Erlang C on every *actual*
  interval, as if each day were known in advance and agents came and went by the
  quarter-hour - the service level the actual days allow at the least paid time.

Each staffing then meets, in the discrete-event simulation (``wfm.simulate``,
Poisson arrivals, exponential handle times, no abandonment), first the demand it
was planned for (the month's representative week: ``planned_sl``) and then the
month's *actual* days, 15-minute intervals (``actual_sl``: the day-to-day swings a
monthly average does not know). Cost is paid hours x the hourly wage (agent labour
only: the overheads scale the same way).

Run: ``python benchmarks/bench_quote.py [--months 3] [--time-limit 15]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from wfm import data, erlang  # noqa: E402
from wfm.quote import build_quote, representative_monday  # noqa: E402
from wfm.scenario import WEEKDAYS, validate_scenario  # noqa: E402
from wfm.simulate import Behaviour, Exponential, simulate  # noqa: E402

AHT = 240.0
TARGET = erlang.ServiceTarget(service_level=0.8, answer_within=20)
SHRINKAGE = {"absence": 0.08, "training": 0.03, "meetings": 0.02, "coaching": 0.02}
S = sum(SHRINKAGE.values())
WAGE = 1600.0
INTERVAL = 15


def scenario(months: list[str], holidays: list[dt.date], time_limit: float, buffer: float = 0.0):
    return validate_scenario({
        "name": "bench-quote",
        "currency": "JPY",
        "horizon": {"start": dt.date(2003, 3, 3), "days": 7, "interval_minutes": INTERVAL, "open": "07:00",
                    "close": "21:15", "closed_days": ["sat", "sun"], "timezone": "America/New_York"},
        "group": [{"name": "agents", "skills": "inbound", "cost_per_hour": WAGE}],
        "shift": [
            {"name": "full-time", "group": "agents", "length_hours": 8.5, "start_earliest": "07:00",
             "start_latest": "12:45", "days_per_week": 5, "consecutive_days_off": True,
             "break": [{"kind": "break", "length_minutes": 15, "start_after_hours": [1.5, 2.5]},
                       {"kind": "lunch", "length_minutes": 30, "start_after_hours": [3.5, 5]},
                       {"kind": "break", "length_minutes": 15, "start_after_hours": [6, 7]}]},
            {"name": "part-time", "group": "agents", "length_hours": [4, 6], "start_earliest": "07:00",
             "start_latest": "17:00", "days_per_week": [3, 5],
             "break": [{"kind": "break", "length_minutes": 15, "start_after_hours": [1.5, 2.5]}]},
        ],
        "quote": {
            "client": "bank sample", "start_month": months[0], "months": len(months), "margin": 0.15,
            "holidays": holidays, "sensitivity": False, "time_limit_seconds": time_limit,
            "volume_buffer": buffer,
            "voice": [{"name": "default", "history": str(data.sample_path()), "aht": AHT, "service_level": 0.8,
                       "answer_within": 20, "max_occupancy": 1.0}],
            "shrinkage": SHRINKAGE,
        },
    })


def simulated(frame: pd.DataFrame, agents: np.ndarray) -> tuple[float, float]:
    """Service level over the month and the share of intervals below target."""
    result = simulate(frame, np.asarray(agents, dtype=int), interval_minutes=INTERVAL,
                      behaviour=Behaviour(handle=Exponential(AHT)), answer_within=20, replications=3, seed=0)
    intervals = result.intervals
    busy = intervals["offered"] > 0
    below = float((intervals.loc[busy, "service_level"] < 0.8).mean())
    return float(result.summary["service_level"]), below


def by_slot(values: np.ndarray, weekday: pd.Series, clock: pd.Series) -> dict:
    return dict(zip(zip(weekday, clock, strict=False), values, strict=False))


def on(frame: pd.DataFrame, table: dict) -> np.ndarray:
    """Values of a weekday x time table on the rows of an interval frame."""
    keys = zip(frame["ds"].dt.weekday.map(lambda i: WEEKDAYS[i]), frame["ds"].dt.strftime("%H:%M"), strict=False)
    return np.array([table.get(k, 0.0) for k in keys])


def flat_daily(frame: pd.DataFrame) -> np.ndarray:
    """Each day's average load all day long: one Erlang C answer per day."""
    date = frame["ds"].dt.date
    per_day = frame.groupby(date)["y"].agg(["sum", "size"])
    day_load = per_day["sum"] * AHT / (per_day["size"] * INTERVAL * 60)
    day_agents = pd.Series(erlang.required_agents(day_load.to_numpy(), AHT, TARGET), index=per_day.index)
    return date.map(day_agents).to_numpy()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--months", type=int, default=3)
    parser.add_argument("--time-limit", type=float, default=15.0)
    parser.add_argument("--buffer", type=float, default=0.05, help="volume_buffer of the second scheduled quote")
    args = parser.parse_args()

    history, minutes = data.read_intervals(data.sample_path())
    frame = data.aggregate_intervals(history, minutes, INTERVAL)
    frame = frame.sort_values(["queue", "ds"]).reset_index(drop=True)
    labels = sorted(frame["ds"].dt.strftime("%Y-%m").unique())[: args.months]
    present = set(frame["ds"].dt.date)
    first, last = min(present), max(present)
    holidays = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    holidays = [d for d in holidays if d.weekday() < 5 and d not in present]

    began = time.perf_counter()
    result = build_quote(scenario(labels, holidays, args.time_limit))
    quote_seconds = time.perf_counter() - began
    buffered = build_quote(scenario(labels, holidays, args.time_limit, buffer=args.buffer))

    rows = []
    for _, month in result.monthly.iterrows():
        label = month["month"]
        days = frame[frame["ds"].dt.strftime("%Y-%m") == label].reset_index(drop=True)
        workload_hours = float(days["y"].sum() * AHT / 3600)
        # The representative week the quote planned for, on the dates of the month's first Monday.
        demand = result.demand[label]
        monday = pd.Timestamp(representative_monday(dt.date.fromisoformat(label + "-01")))
        offset = demand["weekday"].map(WEEKDAYS.index).astype(int)
        planned = pd.DataFrame({
            "queue": "default",
            "ds": monday + pd.to_timedelta(offset, unit="D") + pd.to_timedelta(demand["time"] + ":00"),
            "y": demand["y"].to_numpy(),
        }).sort_values("ds").reset_index(drop=True)

        # Naive: hours / (1 - s) / 160; its productive hours (= the workload) go where the calls are.
        naive_fte = workload_hours / (1 - S) / 160
        naive = lambda f: np.round(erlang.offered_load(f["y"].to_numpy(), AHT, INTERVAL))  # noqa: E731

        # Flat daily Erlang, paid for every open interval of the month's days.
        flat_paid = float((flat_daily(days) / (1 - S)).sum() * INTERVAL / 60)

        # Ours: the representative week's coverage by weekday and time, after shrinkage.
        week = result.weeks[label]
        productive = np.floor(week["scheduled_inbound"].to_numpy() * (1 - S) + 1e-9)
        ours = by_slot(productive, week["weekday"], week["time"])

        # Reference, not a quote: Erlang C on each actual interval, as if every day were known
        # in advance and agents could come and go by the quarter-hour (no shifts, no breaks).
        foresight = erlang.required_agents(erlang.offered_load(days["y"].to_numpy(), AHT, INTERVAL), AHT, TARGET)
        foresight_paid = float((foresight / (1 - S)).sum() * INTERVAL / 60)
        foresight_rows = {"planned": None, "actual": foresight}

        bmonth = buffered.monthly.set_index("month").loc[label]
        bweek = buffered.weeks[label]
        bours = by_slot(np.floor(bweek["scheduled_inbound"].to_numpy() * (1 - S) + 1e-9), bweek["weekday"], bweek["time"])
        buffer_name = f"ours +{args.buffer:.0%} buffer"

        methods = [
            ("naive hours/160", naive_fte, naive_fte * 160, naive),
            ("flat daily Erlang", flat_paid / 160, flat_paid, flat_daily),
            ("ours (schedule)", month["fte"], month["paid_hours"], lambda f: on(f, ours)),  # noqa: B023
            (buffer_name, bmonth["fte"], bmonth["paid_hours"], lambda f: on(f, bours)),  # noqa: B023
        ]
        for name, fte, paid, staffing in methods:
            planned_sl, _ = simulated(planned, staffing(planned))
            actual_sl, below = simulated(days, staffing(days))
            rows.append({"month": label, "method": name, "fte": fte, "paid_hours": paid,
                         "labour_cost": paid * WAGE, "planned_sl": planned_sl, "actual_sl": actual_sl,
                         "intervals_below_80": below})
        actual_sl, below = simulated(days, foresight_rows["actual"])
        rows.append({"month": label, "method": "foresight Erlang", "fte": foresight_paid / 160,
                     "paid_hours": foresight_paid, "labour_cost": foresight_paid * WAGE, "planned_sl": np.nan,
                     "actual_sl": actual_sl, "intervals_below_80": below})

    table = pd.DataFrame(rows)
    ours = table[table["method"] == "ours (schedule)"].set_index("month")["labour_cost"]
    table["cost_vs_ours"] = table["labour_cost"] / table["month"].map(ours) - 1
    pd.set_option("display.width", 200)
    print(f"bank sample, {len(labels)} months, AHT {AHT:g} s, target 80/20, shrinkage {S:.0%}, wage {WAGE:,.0f} JPY/h; "
          f"quote built in {quote_seconds:.0f} s ({len(labels)} weeks scheduled)\n")
    shown = table.assign(
        fte=table["fte"].map("{:.1f}".format),
        paid_hours=table["paid_hours"].map("{:,.0f}".format),
        labour_cost=table["labour_cost"].map("{:,.0f}".format),
        cost_vs_ours=table["cost_vs_ours"].map("{:+.1%}".format),
        planned_sl=table["planned_sl"].map(lambda x: "-" if pd.isna(x) else f"{x:.1%}"),
        actual_sl=table["actual_sl"].map("{:.1%}".format),
        intervals_below_80=table["intervals_below_80"].map("{:.0%}".format),
    )
    print(shown.to_string(index=False))
    total = table.groupby("method", sort=False)[["paid_hours", "labour_cost"]].sum()
    sl = table.groupby("method", sort=False)[["planned_sl", "actual_sl"]].mean()
    print("\nover the months:")
    for name in total.index:
        cost = total.loc[name, "labour_cost"]
        versus = cost / total.loc["ours (schedule)", "labour_cost"] - 1
        planned = "" if pd.isna(sl.loc[name, "planned_sl"]) else f"{sl.loc[name, 'planned_sl']:.1%} on the planned week, "
        print(f"  {name:18s} labour {cost:>14,.0f} JPY ({versus:+.1%} vs ours), simulated service level "
              f"{planned}{sl.loc[name, 'actual_sl']:.1%} on the actual days")
    gaps = ", ".join(f"{g:.2%}" for g in result.monthly["schedule_gap"])
    print(f"\nschedule gaps to the lower bound: {gaps}")


if __name__ == "__main__":
    main()
