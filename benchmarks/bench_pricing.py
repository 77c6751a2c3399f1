"""Column generation's pricing (issue 12): the labelling DP against CP-SAT, per call.

For each Curtois & Qu instance, column generation runs (DP pricing) for a small budget
and every pricing call is recorded (employee, duals, fixings): realistic duals. A
spread-out sample of those calls, and as many with random prices, is then priced
again by both pricers; printed per instance: CPU milliseconds per call of each, their
ratio, the largest gap between their minima (CP-SAT rounds its prices to 1e-4, so
the gap is at most the horizon x 1e-4), and the DP's deterministic seconds per CPU
second (the calibration of wfm.roster.pricing's constants: about 1 when right).
Asserts nothing about time.

Usage: ``python benchmarks/bench_pricing.py [N ...] [--calls K] [--budget S]``
(default: instances 8 9 14 16, 12 calls each, 20 deterministic s of column generation).

``--colgen S --pricer dp|cp-sat``: column generation alone instead, ``S``
deterministic s from the first roster (:func:`wfm.roster.solve.first_roster`, 10 s):
prints its rounds, columns, rounds per deterministic s, the root LP, the bound, how it
stopped, deterministic, wall and CPU seconds, and the independent evaluator's check of
the roster.
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

import numpy as np

import wfm.roster.colgen as colgen
from wfm.roster import evaluate_curtois, read_curtois

FOLDER = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "curtois"


def recorded_calls(problem, budget: float):
    """Every pricing call of a column generation run on ``problem``: ``(model, prices, fixed)``."""
    calls, original = [], colgen.cheapest_roster

    def recording(model, prices, **options):
        calls.append((model, dict(prices), dict(options.get("fixed") or {})))
        return original(model, prices, **options)

    colgen.cheapest_roster = recording
    try:
        colgen.column_generation(problem, budget=budget, wall_clock_cap=20 * budget)
    finally:
        colgen.cheapest_roster = original
    return calls


def timed(model, prices, fixed, pricer: str):
    began = time.process_time()
    status, _, bound, seconds = colgen.cheapest_roster(model, prices, fixed=fixed, pricer=pricer, limit=colgen.PRICING_LIMIT)
    return time.process_time() - began, status, bound, seconds


def colgen_alone(number: int, budget: float, pricer: str) -> None:
    """Column generation alone on instance ``number`` with ``pricer``, from the first roster."""
    from wfm.roster.solve import first_roster

    problem = read_curtois(FOLDER / f"Instance{number}.txt")
    start, _ = first_roster(problem, budget=10.0)
    original = colgen.cheapest_roster

    def chosen(model, prices, **options):
        return original(model, prices, **{**options, "pricer": pricer})

    colgen.cheapest_roster = chosen
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        result = colgen.column_generation(problem, budget=budget, start=start, wall_clock_cap=20 * budget)
    finally:
        colgen.cheapest_roster = original
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    rows = [(problem.employees[e].name, d, problem.shifts[s].name) for e, d, s in sorted(result.worked)]
    check = evaluate_curtois((FOLDER / f"Instance{number}.txt").read_text(encoding="utf-8"), rows,
                             edge_runs=problem.edge_runs)
    verdict = "agrees" if check.objective == result.objective and not check.violations else f"{check.objective}!"
    print(f"{number:>4} {pricer:>6} {result.iterations:>6} {result.columns:>7} "
          f"{result.iterations / max(1e-9, result.deterministic_seconds):>8.2f} {result.lp_value or float('nan'):>9.1f}"
          f" {result.bound:>6} {result.objective or -1:>6} {result.nodes:>5} {result.stopped_by:>19}"
          f" {result.deterministic_seconds:>6.1f} {wall:>7.1f} {cpu:>7.1f} {verdict:>9}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("instances", nargs="*", type=int, default=[8, 9, 14, 16])
    parser.add_argument("--calls", type=int, default=12, help="calls per kind of prices and instance")
    parser.add_argument("--budget", type=float, default=20.0, help="deterministic s of the recording run")
    parser.add_argument("--colgen", type=float, help="column generation alone for this many deterministic s")
    parser.add_argument("--pricer", default="dp", choices=["dp", "cp-sat"], help="--colgen: who prices")
    args = parser.parse_args()
    if args.colgen:
        print(f"{'inst':>4} {'pricer':>6} {'rounds':>6} {'columns':>7} {'rnd/dets':>8} {'root LP':>9} {'bound':>6}"
              f" {'roster':>6} {'nodes':>5} {'stopped by':>19} {'det s':>6} {'wall s':>7} {'CPU s':>7} {'evaluator':>9}")
        for number in args.instances:
            colgen_alone(number, args.colgen, args.pricer)
        return
    print(f"{'inst':>4} {'prices':>9} {'calls':>5} {'DP ms':>8} {'CP-SAT ms':>10} {'ratio':>7} {'max gap':>8}"
          f" {'DP det/CPU':>10} {'rounds':>6}")
    for number in args.instances:
        problem = read_curtois(FOLDER / f"Instance{number}.txt")
        calls = recorded_calls(problem, args.budget)
        rounds = len(calls) / len(problem.employees)
        step = max(1, len(calls) // args.calls)
        realistic = calls[::step][:args.calls]
        generator = random.Random(number)
        drawn = [(model, {(d, s): generator.uniform(-10, 60) for d in range(problem.days)
                          for s in range(len(problem.shifts))}, {}) for model, _, _ in realistic]
        for kind, sample in (("duals", realistic), ("random", drawn)):
            dp, cp, det, gaps = [], [], [], []
            for model, prices, fixed in sample:
                dp_cpu, dp_status, dp_bound, dp_seconds = timed(model, prices, fixed, "dp")
                cp_cpu, cp_status, cp_bound, _ = timed(model, prices, fixed, "cp-sat")
                dp.append(dp_cpu)
                cp.append(cp_cpu)
                det.append(dp_seconds)
                if dp_status == cp_status == "optimal":
                    gaps.append(abs(dp_bound - cp_bound))
            print(f"{number:>4} {kind:>9} {len(sample):>5} {1000 * np.mean(dp):>8.1f} {1000 * np.mean(cp):>10.1f}"
                  f" {np.mean(cp) / np.mean(dp):>7.1f} {max(gaps, default=float('nan')):>8.4f}"
                  f" {sum(det) / sum(dp):>10.2f} {rounds:>6.1f}", flush=True)


if __name__ == "__main__":
    main()
