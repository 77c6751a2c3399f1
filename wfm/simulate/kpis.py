"""KPIs of a simulated (or replayed) staffing plan: per interval, per day, overall, with 95% CIs.

Each KPI is computed per replication from that replication's totals (per interval, per
day, over the whole horizon), then averaged over replications with a 95% Student-t
confidence interval (``*_lo``, ``*_hi``; empty with one replication, and an interval with
no offered calls in a replication leaves that replication out). The definitions are in
:mod:`wfm.simulate`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["SUM_COLUMNS", "SimulationResult", "summarise", "kpis_from_totals", "shortfalls", "describe"]

SUM_COLUMNS = (
    "offered",
    "answered",
    "abandoned",
    "answered_within",
    "wait_answered_seconds",
    "busy_seconds",
    "available_seconds",
)


@dataclass
class SimulationResult:
    """KPIs of a simulated (or replayed) staffing plan.

    Attributes
    ----------
    intervals : DataFrame
        One row per queue and interval: ``queue, ds, agents, offered, answered,
        abandoned`` (means over replications), then ``service_level, asa,
        abandon_rate, occupancy`` each with ``_lo`` and ``_hi`` (95% CI).
    daily : DataFrame
        The same KPIs per queue and local calendar day (``date``).
    summary : dict
        The same KPIs over the whole horizon and all queues, plus run settings.
    per_replication : DataFrame
        Raw totals per replication, queue and interval (``replication, queue, ds``
        and :data:`SUM_COLUMNS`), from which any other grouping can be computed with
        :func:`summarise`.
    notes : list of str
        Plain sentences saying what the run assumed (caller behaviour, closed
        intervals, fill-ins of a replayed trace).
    """

    intervals: pd.DataFrame
    daily: pd.DataFrame
    summary: dict[str, Any]
    per_replication: pd.DataFrame = field(repr=False)
    notes: list[str] = field(default_factory=list)


def _ci(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean and 95% t-interval over axis 0, ignoring NaN (a replication with no calls)."""
    count = np.sum(~np.isnan(values), axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        total = np.nansum(values, axis=0)
        mean = np.where(count > 0, total / np.maximum(count, 1), np.nan)
        dev = np.where(np.isnan(values), 0.0, values - mean)
        var = np.sum(dev**2, axis=0) / np.maximum(count - 1, 1)
        t = stats.t.ppf(0.975, np.maximum(count - 1, 1))
        half = np.where(count > 1, t * np.sqrt(var / np.maximum(count, 1)), np.nan)
    return mean, mean - half, mean + half


def _kpi_block(sums: np.ndarray) -> dict[str, np.ndarray]:
    """KPI columns from totals shaped (replications, len(SUM_COLUMNS), groups)."""
    offered, answered, abandoned, within, wait_sum, busy, available = (sums[:, j, :] for j in range(7))
    with np.errstate(invalid="ignore", divide="ignore"):
        ratios = {
            "service_level": np.where(offered > 0, within / offered, np.nan),
            "asa": np.where(answered > 0, wait_sum / answered, np.nan),
            "abandon_rate": np.where(offered > 0, abandoned / offered, np.nan),
            "occupancy": np.where(available > 0, busy / available, np.nan),
        }
    out: dict[str, np.ndarray] = {
        "offered": offered.mean(axis=0),
        "answered": answered.mean(axis=0),
        "abandoned": abandoned.mean(axis=0),
    }
    for name, values in ratios.items():
        mean, lo, hi = _ci(values)
        if name != "asa":
            lo, hi = np.clip(lo, 0.0, 1.0), np.clip(hi, 0.0, 1.0)
        else:
            lo = np.maximum(lo, 0.0)
        out[name], out[f"{name}_lo"], out[f"{name}_hi"] = mean, lo, hi
    return out


def summarise(per_replication: pd.DataFrame, by: list[str] | None = None) -> pd.DataFrame:
    """KPIs with 95% CIs from per-replication totals, grouped by ``by`` columns.

    Parameters
    ----------
    per_replication : DataFrame
        ``SimulationResult.per_replication`` (or any subset of its rows, e.g. without
        a warm-up period).
    by : list of str, optional
        Grouping columns (e.g. ``["queue", "ds"]``); ``None`` gives one row overall.


    Returns
    -------
    DataFrame
        Per group: service level, ASA, abandon rate and occupancy with their 95% bounds.
    """
    frame = per_replication
    keys = list(by or [])
    reps = np.sort(frame["replication"].unique())
    if keys:
        grouped = frame.groupby(["replication", *keys], sort=True, observed=True)[list(SUM_COLUMNS)].sum()
        table = grouped.unstack("replication").fillna(0.0)
        index = table.index
        sums = np.stack([table[c].reindex(columns=reps).to_numpy().T for c in SUM_COLUMNS], axis=1)
    else:
        grouped = frame.groupby("replication", sort=True)[list(SUM_COLUMNS)].sum().reindex(reps)
        sums = grouped.to_numpy()[:, :, None]
        index = None
    block = _kpi_block(sums)
    out = pd.DataFrame(block, index=index)
    return out.reset_index() if keys else out


_ORDER = [
    "offered", "answered", "abandoned",
    "service_level", "service_level_lo", "service_level_hi",
    "asa", "asa_lo", "asa_hi",
    "abandon_rate", "abandon_rate_lo", "abandon_rate_hi",
    "occupancy", "occupancy_lo", "occupancy_hi",
]  # fmt: skip


def _result(blocks: list[tuple[np.ndarray, str, pd.Series]], grid: pd.DataFrame, settings: dict[str, Any],
            notes: list[str]) -> SimulationResult:
    """Tables from per-queue totals (replications, len(SUM_COLUMNS), intervals) aligned with ``grid``."""
    totals = np.concatenate([b[0] for b in blocks], axis=2)
    kpis = pd.DataFrame(_kpi_block(totals))[_ORDER]
    head = grid[["queue", "ds", "agents", *(["volume"] if "volume" in grid else [])]].reset_index(drop=True)
    intervals = pd.concat([head, kpis], axis=1)
    days = pd.DataFrame({"queue": head["queue"], "date": _local_date(head["ds"])})
    codes, uniques = pd.MultiIndex.from_frame(days).factorize()
    onehot = np.zeros((len(days), len(uniques)))
    onehot[np.arange(len(days)), codes] = 1.0
    daily_kpis = pd.DataFrame(_kpi_block(totals @ onehot))[_ORDER]
    daily = pd.concat([uniques.to_frame(index=False, name=["queue", "date"]), daily_kpis], axis=1)
    overall = _kpi_block(totals.sum(axis=2, keepdims=True))
    summary: dict[str, Any] = {k: (None if np.isnan(overall[k][0]) else float(overall[k][0])) for k in _ORDER}
    summary.update(settings)
    per_rep = pd.concat([_per_rep_frame(*b) for b in blocks], ignore_index=True)
    return SimulationResult(intervals=intervals, daily=daily, summary=summary, per_replication=per_rep,
                            notes=list(notes))


def _local_date(ds: pd.Series) -> pd.Series:
    return pd.Series(pd.to_datetime(ds).dt.date, index=ds.index)


def _per_rep_frame(totals: np.ndarray, queue: str, ds: pd.Series) -> pd.DataFrame:
    reps, _, n = totals.shape
    columns = {"replication": np.repeat(np.arange(reps), n), "queue": queue, "ds": np.tile(ds.to_numpy(), reps)}
    columns.update({name: totals[:, j, :].ravel() for j, name in enumerate(SUM_COLUMNS)})
    return pd.DataFrame(columns)


def kpis_from_totals(totals: np.ndarray) -> dict[str, np.ndarray]:
    """KPI means and 95% CIs per column of totals shaped (replications, len(SUM_COLUMNS), groups).

    Parameters
    ----------
    totals : ndarray
        Totals shaped ``(replications, len(SUM_COLUMNS), groups)``.

    Returns
    -------
    dict of str to ndarray
        Per KPI its mean and CI bounds per group.
    """
    return _kpi_block(np.asarray(totals, dtype=float))


def shortfalls(intervals: pd.DataFrame, service_level: float, points: float = 0.05) -> pd.DataFrame:
    """Intervals whose simulated service level is more than ``points`` under the target.

    Parameters
    ----------
    intervals : DataFrame
        ``SimulationResult.intervals``.
    service_level : float
        The target share answered within ``answer_within`` (e.g. 0.8).
    points : float
        Tolerance as a fraction (0.05 = 5 percentage points).

    Returns
    -------
    DataFrame
        The offending rows (intervals with offered calls only) with a ``shortfall``
        column (target minus simulated, as a fraction), worst first.
    """
    sl = intervals["service_level"]
    bad = intervals[sl.notna() & (sl < service_level - points)].copy()
    bad["shortfall"] = service_level - bad["service_level"]
    return bad.sort_values("shortfall", ascending=False, kind="stable").reset_index(drop=True)


def describe(summary: dict[str, Any]) -> str:
    """One line a planner reads: the overall KPIs of a result's ``summary``.

    Parameters
    ----------
    summary : dict
        A result's ``summary``.

    Returns
    -------
    str
        Service level, ASA, abandon rate and occupancy with their 95% CIs.
    """

    def pct(value):
        return "n/a" if value is None else f"{value:.1%}"

    asa = "n/a" if summary.get("asa") is None else f"{summary['asa']:.1f} s"
    return (
        f"{summary['mode']}: {summary['offered']:.0f} calls offered, service level {pct(summary['service_level'])}, "
        f"ASA {asa}, abandoned {pct(summary['abandon_rate'])}, occupancy {pct(summary['occupancy'])} "
        f"({summary['replications']} replications, seed {summary['seed']})"
    )

