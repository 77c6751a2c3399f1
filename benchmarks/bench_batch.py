"""Batch throughput: 40 generated one-week scenarios planned end to end.

Prints runs per minute with 1 and 2 local worker processes and through a 2-worker
Dask LocalCluster, and checks the three give identical schedules.
Run: `.venv/bin/python benchmarks/bench_batch.py [--scenarios 40]`.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from plan_fixtures import write_history, write_scenario  # noqa: E402

from wfm import batch  # noqa: E402


def make_scenarios(folder: Path, count: int) -> None:
    for i in range(count):
        sub = folder / f"client{i:02d}"
        sub.mkdir(parents=True)
        write_history(sub / "history.csv", level=20 + 3 * i, seed=i)
        path = write_scenario(sub, f"client{i:02d}", service_level=(0.7, 0.8, 0.9)[i % 3])
        shutil.move(path, folder / path.name)
        text = (folder / path.name).read_text().replace('history = "history.csv"', f'history = "{sub.name}/history.csv"')
        (folder / path.name).write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scenarios", type=int, default=40)
    args = parser.parse_args()
    from dask.distributed import Client, LocalCluster

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        make_scenarios(tmp / "scenarios", args.scenarios)
        runs = {}
        for label, kwargs in (("1 local worker", {"workers": 1}), ("2 local workers", {"workers": 2})):
            t0 = time.perf_counter()
            result = batch.run_batch([tmp / "scenarios"], tmp / label.replace(" ", "_"), **kwargs)
            runs[label] = (time.perf_counter() - t0, result)
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
                Client(cluster) as client:
            t0 = time.perf_counter()
            result = batch.run_batch([tmp / "scenarios"], tmp / "dask", client=client)
            runs["Dask LocalCluster, 2 workers"] = (time.perf_counter() - t0, result)
        print(f"{args.scenarios} one-week scenarios (30-min intervals, one queue, blended shifts with breaks, "
              f"5 s solver limit, 4 simulation replications)")
        for label, (seconds, result) in runs.items():
            ok = int((result.index["status"] == "ok").sum())
            print(f"  {label:<30} {seconds:7.1f} s  {60 * len(result.index) / seconds:6.1f} runs/min  ({ok} ok)")
        base = tmp / "1_local_worker"
        same = all(
            (base / name / "schedule.csv").read_bytes() == (tmp / other / name / "schedule.csv").read_bytes()
            for name in pd.read_csv(base / "index.csv")["scenario"] for other in ("2_local_workers", "dask")
        )
        print(f"  identical schedules across the three: {same}")


if __name__ == "__main__":
    main()
