"""Whole-process sizing speed: `wfm size` on a CSV against a pyworkforce script doing the same.

`bench_erlang.py` times the sizing alone; a planner waits for the whole process:
starting Python, importing, reading the table, sizing, writing the answer. Both sides
here are a fresh process that reads the same CSV of 100,000 15-minute intervals
(volumes and AHTs drawn as in `bench_erlang.py`), sizes every interval for 80/20 with
90 % maximum occupancy and 30 % shrinkage, and writes agents, scheduled heads and the
KPIs as CSV. pyworkforce's side is its documented per-interval loop
(`ErlangC(...).required_positions(...)`) with pandas reading and writing.

Prints wall-clock and CPU seconds of each process and the ratios (bar: >= 4x on wall
clock; CPU seconds are the steadier figure on a shared machine), and the parts of
wfm's run (`-X importtime` total, read, size, write) measured in-process.
Run: `.venv/bin/python benchmarks/bench_size_process.py [--intervals N]`.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from workload import intervals

PYWORKFORCE_SCRIPT = """
import sys
import pandas as pd
from pyworkforce.queuing import ErlangC

frame = pd.read_csv(sys.argv[1])
rows = []
for y, aht in zip(frame["y"].to_numpy(), frame["aht"].to_numpy()):
    res = ErlangC(transactions=y, aht=aht / 60, asa=20 / 60, interval=15, shrinkage=0.3).required_positions(
        service_level=0.8, max_occupancy=0.9)
    rows.append(res)
out = pd.concat([frame, pd.DataFrame(rows)], axis=1)
out.to_csv(sys.argv[2], index=False)
"""

PARTS_SCRIPT = """
import sys, time
t0 = time.perf_counter()
from wfm import data, erlang, export
t1 = time.perf_counter()
frame, minutes = data.read_intervals_at(sys.argv[1], None)
t2 = time.perf_counter()
sized = erlang.size_intervals(frame, minutes, erlang.ServiceTarget(max_occupancy=0.9, shrinkage=0.3))
t3 = time.perf_counter()
export.write_table(sized, sys.argv[2])
t4 = time.perf_counter()
print(t1 - t0, t2 - t1, t3 - t2, t4 - t3)
"""


def timed(command: list[str], env: dict | None = None) -> tuple[float, float]:
    """Wall-clock and CPU (user + system) seconds of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--intervals", type=int, default=100_000)
    args = parser.parse_args()
    n = args.intervals
    volume, aht = intervals(n)
    frame = pd.DataFrame({
        "ds": pd.date_range("2024-01-01", periods=n, freq="15min").strftime("%Y-%m-%d %H:%M"),
        "y": np.round(volume, 1),
        "aht": np.round(aht, 1),
    })
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "intervals.csv"
        frame.to_csv(src, index=False)
        env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
        wfm_command = [sys.executable, "-m", "wfm.cli", "size", str(src), "--out", str(Path(tmp) / "wfm.csv"),
                       "--max-occupancy", "0.9", "--shrinkage", "0.3"]
        wfm_wall, wfm_cpu = timed(wfm_command, env)
        parts = subprocess.run([sys.executable, "-c", PARTS_SCRIPT, str(src), str(Path(tmp) / "parts.csv")],
                               check=True, env=env, capture_output=True, text=True).stdout.split()
        pw_wall, pw_cpu = timed([sys.executable, "-c", PYWORKFORCE_SCRIPT, str(src), str(Path(tmp) / "pw.csv")])
        ours = pd.read_csv(Path(tmp) / "wfm.csv")
        theirs = pd.read_csv(Path(tmp) / "pw.csv")
    differ = int((ours["agents"].to_numpy() != theirs["raw_positions"].to_numpy()).sum())
    imported, read, sized, written = (float(p) for p in parts)
    print(f"intervals: {n:,} (15-min), one process each, same CSV in and a CSV out")
    print(f"wfm size                  : {wfm_wall:7.2f} s wall  {wfm_cpu:7.2f} s CPU")
    print(f"  imports {imported:.2f} s, read {read:.2f} s, size {sized:.2f} s, write {written:.2f} s (in-process)")
    print(f"pyworkforce loop script   : {pw_wall:7.2f} s wall  {pw_cpu:7.2f} s CPU")
    print(f"speed-up                  : {pw_wall / wfm_wall:7.1f}x wall  {pw_cpu / wfm_cpu:7.1f}x CPU  (bar: >= 4x)")
    print(f"agents differ             : {differ} of {n:,} (see bench_erlang.py: pyworkforce's search start)")


if __name__ == "__main__":
    main()
