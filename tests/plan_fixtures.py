"""Small but complete planning scenarios for the plan and batch tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd


def write_history(path: Path, weeks: int = 3, level: float = 40.0, seed: int = 0) -> Path:
    """Weekday 30-minute history 09:00-17:00 with a midday peak, ending on a Friday."""
    rng = np.random.default_rng(seed)
    days = pd.bdate_range("2024-03-04", periods=5 * weeks)  # Mon 4 Mar 2024 ...
    rows = []
    for day in days:
        for k in range(16):  # 09:00 .. 16:30
            shape = 1.0 + 0.6 * np.exp(-((k - 7) ** 2) / 8)
            rows.append((day + pd.Timedelta(minutes=540 + 30 * k), rng.poisson(level * shape)))
    frame = pd.DataFrame(rows, columns=["ds", "y"])
    frame.to_csv(path, index=False)
    return path


SCENARIO = """name = "{name}"
currency = "JPY"

[horizon]
start = {start}
days = 7
interval_minutes = 30
timezone = "Asia/Tokyo"
open = "09:00"
close = "17:00"
closed_days = ["sat", "sun"]

[[group]]
name = "{group}"
skills = "blended"
cost_per_hour = 1500
{headcount}

[[shift]]
name = "day"
group = "agents"
length_hours = [4, 8]
start_earliest = "09:00"
start_latest = "13:00"
days_per_week = [3, 5]
min_rest_hours = 11

[[shift.break]]
kind = "break"
length_minutes = 30
start_after_hours = [1.5, 2.5]

[costs]
inbound_short_penalty = 20000

[solver]
time_limit_seconds = 5
seed = 0
workers = 2

[[queue]]
name = "support"
history = "{history}"
aht = 300
service_level = {service_level}
answer_within = 20
patience = 90
max_occupancy = 0.9
shrinkage = 0.1

[queue.forecasting]
folds = 2
models = ["hist_avg_4w"]

[verify]
replications = 4
seed = 1
"""


def write_scenario(folder: Path, name: str = "small", *, group: str = "agents", service_level: float = 0.8,
                   headcount: int | None = None, history: str = "history.csv", start: str = "2024-03-25") -> Path:
    """A scenario file next to its history (created when missing)."""
    folder.mkdir(parents=True, exist_ok=True)
    if history == "history.csv" and not (folder / history).exists():
        write_history(folder / history)
    text = SCENARIO.format(
        name=name, group=group, service_level=service_level, history=history, start=start,
        headcount=f"headcount = {headcount}" if headcount is not None else "",
    )
    path = folder / f"{name}.toml"
    path.write_text(text)
    return path
