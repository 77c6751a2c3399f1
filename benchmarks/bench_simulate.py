"""Speed bar and agreement with ciw for wfm.simulate.

Prints
1. the speed bar of the plan issue: one week of a ~150-agent queue (~60,000 calls)
   x 10 replications, in seconds (bar: <= 60 s);
2. an agreement table: our service level, ASA and abandon rate with 95% CIs beside
   ciw's on the same inputs (ciw with the same staffing rule, see
   tests/ciw_reference.py), and the time per simulated call of each.

Timings are wall-clock on whatever machine runs this (the project's machines have 2
shared cores): expect noise of tens of percent. Everything is seeded.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import ciw  # noqa: E402
from ciw_reference import ciw_replications, mean_ci  # noqa: E402

from wfm import erlang  # noqa: E402
from wfm.simulate import Behaviour, Exponential, simulate  # noqa: E402

L = 900.0
AHT = 420.0
PATIENCE = 180.0


def bench_week() -> tuple[pd.DataFrame, np.ndarray]:
    """Seven days open 08:00-20:00 in 15-minute intervals, ~60,000 calls, two daily peaks."""
    days = pd.date_range("2024-04-01", periods=7, freq="D")
    hours = np.arange(48) / 4.0  # hours after 08:00
    shape = 0.55 + np.exp(-((hours - 2.5) / 1.6) ** 2) + 0.8 * np.exp(-((hours - 8.0) / 2.0) ** 2)
    weekday = np.array([1.1, 1.0, 1.0, 1.0, 1.05, 0.8, 0.6])
    vol = np.concatenate([shape * w for w in weekday])
    vol *= 60_000 / vol.sum()
    ds = np.concatenate([day + pd.Timedelta(hours=8) + pd.to_timedelta(hours, unit="h") for day in days])
    frame = pd.DataFrame({"ds": ds, "y": vol, "aht": AHT})
    load = vol * AHT / L
    target = erlang.ServiceTarget(service_level=0.8, answer_within=20, model="erlang-a", patience=PATIENCE)
    agents = erlang.required_agents(load, AHT, target).astype(int)
    # breaks: a tenth of the floor away in a staggered lunch window 12:00-14:00
    lunch = np.tile((hours >= 4) & (hours < 6), 7)
    agents = np.where(lunch, np.floor(agents * 0.9), agents).astype(int)
    return frame, agents


def timed(func, repeat=1):
    best, out = np.inf, None
    for _ in range(repeat):
        start = time.perf_counter()
        out = func()
        best = min(best, time.perf_counter() - start)
    return out, best


def speed_bar() -> None:
    frame, agents = bench_week()
    result, seconds = timed(
        lambda: simulate(frame, agents, interval_minutes=15, answer_within=20,
                         behaviour=Behaviour(patience=Exponential(PATIENCE)),
                         replications=10, seed=0),
        repeat=3,
    )
    calls = result.summary["offered"] * 10
    s = result.summary
    print("Speed bar: one week (7 x 08:00-20:00, 15-min intervals), "
          f"peak {agents.max()} agents, AHT {AHT:g} s, patience {PATIENCE:g} s, 10 replications")
    print(f"  calls per replication   {s['offered']:,.0f}")
    print(f"  wall time (best of 3)   {seconds:.2f} s   (bar: <= 60 s; {calls / seconds:,.0f} calls/s)")
    print(f"  week KPIs               SL {s['service_level']:.3f} [{s['service_level_lo']:.3f}, "
          f"{s['service_level_hi']:.3f}]  ASA {s['asa']:.1f} s  abandoned {s['abandon_rate']:.3f}  "
          f"occupancy {s['occupancy']:.3f}")
    print()


def _fmt(mean, half, digits=3):
    return f"{mean:.{digits}f} ±{half:.{digits}f}"


def agreement() -> None:
    frame, agents = bench_week()
    tv_vol = np.array([30, 40, 60, 80, 80, 70, 60, 60, 50, 40, 30, 20, 20, 20, 20, 20.0])
    tv_agents = np.array([8, 10, 14, 18, 16, 12, 16, 15, 12, 10, 8, 6, 6, 6, 6, 6])
    cases = [
        # name, volume, agents, aht, patience, our replications, ciw replications, ciw node
        ("M/M/c  c=20 a=17, 8 h", np.full(32, 17 / 300 * L), np.full(32, 20), 300.0, None, 100, 20, None),
        ("M/M/c+M c=20 a=21 pat=180, 8 h", np.full(32, 21 / 300 * L), np.full(32, 20), 300.0, 180.0, 100, 20, None),
        ("time-varying staffing, 4 h", tv_vol, tv_agents, 300.0, 180.0, 200, 30, None),
        ("bench week, Monday (~150 agents)", frame["y"].to_numpy()[:48], agents[:48], AHT, PATIENCE, 10, 8, None),
        ("time-varying, ciw stock shift rule", tv_vol, tv_agents, 300.0, 180.0, 200, 30, ciw.Node),
    ]
    header = (f"{'case':36s} {'calls':>6s} | {'SL ours':>13s} {'SL ciw':>13s} | {'ASA ours':>11s} "
              f"{'ASA ciw':>11s} | {'aband ours':>13s} {'aband ciw':>13s} | {'us/call':>7s} {'ciw/call':>8s} "
              f"{'ratio':>6s}")
    print("Agreement with ciw (same inputs; ± is the 95% CI half-width across replications)")
    print(header)
    print("-" * len(header))
    for name, vol, ag, aht, pat, reps, ciw_reps, node in cases:
        ds = pd.date_range("2024-04-01 08:00", periods=vol.size, freq="15min")
        behaviour = Behaviour(handle=Exponential(aht), patience=Exponential(pat) if pat else None)
        ours, t_ours = timed(lambda: simulate(pd.DataFrame({"ds": ds, "y": vol}), ag, interval_minutes=15,  # noqa: B023
                                              behaviour=behaviour, answer_within=20, replications=reps, seed=1))  # noqa: B023
        kw = {} if node is None else {"node_class": node}
        ref, t_ciw = timed(lambda: ciw_replications(vol, ag, aht, interval_seconds=L, answer_within=20,  # noqa: B023
                                                    patience=pat, replications=ciw_reps, seed=1, **kw))  # noqa: B023
        s = ours.summary
        us_per_call = t_ours / (s["offered"] * reps) * 1e6
        ciw_per_call = t_ciw / ref["offered"].sum() * 1e6

        def pair(k, digits=3):
            half = (s[f"{k}_hi"] - s[f"{k}_lo"]) / 2  # noqa: B023
            return _fmt(s[k], half, digits), _fmt(*mean_ci(ref[k]), digits)  # noqa: B023

        sl, asa, ab = pair("service_level"), pair("asa", 1), pair("abandon_rate")
        print(f"{name:36s} {s['offered']:6.0f} | {sl[0]:>13s} {sl[1]:>13s} | {asa[0]:>11s} {asa[1]:>11s} | "
              f"{ab[0]:>13s} {ab[1]:>13s} | {us_per_call:7.1f} {ciw_per_call:8.1f} {ciw_per_call / us_per_call:5.0f}x")
    print("(us/call: wall microseconds per simulated call; ratio = ciw time per call / ours. The last row runs")
    print(" ciw's stock shift change, which brings in a whole new shift at every staffing change while the old")
    print(" one finishes its calls, so it serves more than the staffing says; the other rows use the same rule")
    print(" as wfm.simulate.)")


if __name__ == "__main__":
    speed_bar()
    agreement()
