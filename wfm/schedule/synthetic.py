"""Generated requirements for benchmarks, tests and demos (deterministic)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

# Relative daily volume: weekdays busiest, weekends quieter (Monday the peak).
WEEKDAY_LEVEL = (1.0, 0.95, 0.93, 0.92, 0.9, 0.7, 0.5)


def day_shape(hours: np.ndarray) -> np.ndarray:
    """A contact-centre day: morning ramp, lunchtime peak, afternoon dip, evening peak.

    Parameters
    ----------
    hours : ndarray
        Hours of the day (fractional).

    Returns
    -------
    ndarray
        Relative load per hour, peak 1.
    """
    lunch = np.exp(-0.5 * ((hours - 12.0) / 1.6) ** 2)
    evening = 0.85 * np.exp(-0.5 * ((hours - 19.0) / 1.3) ** 2)
    morning = 0.55 * np.exp(-0.5 * ((hours - 9.5) / 1.2) ** 2)
    return 0.18 + 0.82 * np.maximum.reduce([lunch, evening, morning])


def requirements(
    start: dt.date | str = "2026-01-05",
    days: int = 7,
    peak: float = 150,
    interval_minutes: int = 15,
    open_hour: float = 7,
    close_hour: float = 22,
    queues: tuple[str, ...] = ("default",),
    seed: int = 0,
    noise: float = 0.04,
) -> pd.DataFrame:
    """Agents required per interval: a ``queue, ds, agents`` frame peaking near ``peak``.

    Several queues split the total with different shapes (the second peaks later).

    Parameters
    ----------
    start : date or str
        First day.
    days : int
        Days.
    peak : float
        Peak agents (before noise).
    interval_minutes : int
        Interval length.
    open_hour, close_hour : float
        Opening hours.
    queues : tuple of str
        Queue names.
    seed : int
        Random seed of the noise.
    noise : float
        Relative noise.

    Returns
    -------
    DataFrame
        ``queue, ds, agents``.
    """
    rng = np.random.default_rng(seed)
    start = pd.Timestamp(start)
    per_day = int((close_hour - open_hour) * 60 // interval_minutes)
    hours = open_hour + (np.arange(per_day) + 0.5) * interval_minutes / 60
    frames = []
    for qi, queue in enumerate(queues):
        shift = 0.75 * qi
        share = 1.0 / len(queues)
        for d in range(days):
            level = WEEKDAY_LEVEL[(start + pd.Timedelta(days=d)).dayofweek]
            shape = day_shape(hours - shift)
            agents = peak * share * level * shape * (1 + noise * rng.standard_normal(per_day))
            ds = start + pd.Timedelta(days=d) + pd.to_timedelta(open_hour * 60 + np.arange(per_day) * interval_minutes, unit="min")
            frames.append(pd.DataFrame({"queue": queue, "ds": ds, "agents": np.ceil(np.maximum(agents, 1)).astype(int)}))
    return pd.concat(frames, ignore_index=True)
