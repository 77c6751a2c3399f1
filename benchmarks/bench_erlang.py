"""Sizing speed: wfm's vectorised Erlang C against pyworkforce's ErlangC, same answers.

Prints both times for 100,000 intervals (volumes and AHTs drawn around the bundled
bank sample's levels), the ratio, and how many answers differ (with the reason).
Run: `.venv/bin/python benchmarks/bench_erlang.py [--intervals N]`.
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np
from pyworkforce.queuing import ErlangC
from workload import intervals

from wfm import erlang


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--intervals", type=int, default=100_000)
    args = parser.parse_args()
    n = args.intervals
    interval = 15
    volume, aht = intervals(n)  # calls per 15 min (mean ~160, the bank's midday level), seconds
    target = erlang.ServiceTarget(service_level=0.8, answer_within=20, max_occupancy=0.9, shrinkage=0.3)

    t0 = time.perf_counter()
    load = erlang.offered_load(volume, aht, interval)
    ours = erlang.required_agents(load, aht, target)
    ours_sched = erlang.scheduled_agents(ours, target.shrinkage)
    t_ours = time.perf_counter() - t0

    t0 = time.perf_counter()
    theirs = np.empty(n, dtype=np.int64)
    theirs_sched = np.empty(n, dtype=np.int64)
    for i in range(n):
        res = ErlangC(transactions=volume[i], aht=aht[i] / 60, asa=20 / 60, interval=interval,
                      shrinkage=target.shrinkage).required_positions(service_level=0.8, max_occupancy=0.9)
        theirs[i], theirs_sched[i] = res["raw_positions"], res["positions"]
    t_theirs = time.perf_counter() - t0

    differ = np.flatnonzero(ours != theirs)
    # pyworkforce starts its search at round(load + 1); where floor(load) + 1 already
    # meets the target it answers one agent more than needed.
    explained = sum(1 for i in differ if ours[i] == math.floor(load[i]) + 1 and theirs[i] == ours[i] + 1)
    print(f"intervals: {n:,}  (15-min, mean load {load.mean():.1f} Erlangs, max {load.max():.0f})")
    print(f"wfm.erlang.required_agents : {t_ours:8.3f} s")
    print(f"pyworkforce ErlangC        : {t_theirs:8.3f} s")
    print(f"speed-up                   : {t_theirs / t_ours:8.1f}x  (bar: >= 50x)")
    print(f"agents differ              : {len(differ)} of {n:,} ({explained} where pyworkforce's search starts above the minimum)")
    sched_differ = np.flatnonzero(ours_sched != theirs_sched)
    exact = ours[sched_differ] / (1 - target.shrinkage)
    nudged = int(np.sum(np.abs(exact - np.round(exact)) < 1e-9))
    print(f"scheduled heads differ     : {len(sched_differ)} ({nudged} where n / (1 - shrinkage) is a whole number that "
          f"pyworkforce's float ceil rounds one head up)")


if __name__ == "__main__":
    main()
