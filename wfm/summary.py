"""Short summaries a planner reads first: of a history, of its weekly shape, of a sizing.

``history_summary(frame, minutes)``
    per queue: first and last day, days with data, intervals, total volume, gaps
    inside opening hours, closed days, usual opening hours per weekday and the
    closed hours of a week (read on the same calendar grid the forecast uses, see
    :mod:`wfm.forecast.grid`).
``weekday_profile(frame, minutes, to_minutes)``
    mean volume per weekday and time of day (the heatmap of the week's shape).
``requirement_summary(sized, minutes)``
    totals of a sizing table (:func:`wfm.erlang.size_intervals`): calls, peak and
    mean agents, agent-hours, and the call-weighted service level, ASA, occupancy
    and abandon rate the requirement delivers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wfm.forecast.grid import build_grid
from wfm.localtime import wall_clock

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def history_summary(frame: pd.DataFrame, interval_minutes: int) -> pd.DataFrame:
    """One row per queue describing a canonical interval table.

    Columns: ``queue, first_day, last_day, days, days_with_data, intervals, volume,
    gaps, closed_days, opening`` (dict weekday -> ``"HH:MM-HH:MM"`` or ``"closed"``),
    ``open_hours_per_week`` and ``closed_hours_per_week``.

    ``gaps`` are missing intervals inside the usual opening hours of days with data;
    ``closed_days`` are open weekdays without any volume (holidays, closures);
    opening hours are the span of the intervals observed on at least half of a
    weekday's days.

    Parameters
    ----------
    frame : DataFrame
        Canonical interval table (see :func:`wfm.data.validate_intervals`).
    interval_minutes : int
        Its interval length.

    Returns
    -------
    DataFrame
        One row per queue, columns as above.
    """
    rows = []
    for queue, part in frame.groupby("queue", sort=True):
        grid = build_grid(part.reset_index(drop=True), interval_minutes)
        opening = {}
        open_minutes = 0
        for w, name in enumerate(WEEKDAY_NAMES):
            slots = np.flatnonzero(grid.open_slots[w]) if grid.open_weekday[w] else np.array([], dtype=int)
            if len(slots) == 0:
                opening[name] = "closed"
                continue
            opening[name] = f"{_clock(int(slots[0]) * interval_minutes)}-{_clock((int(slots[-1]) + 1) * interval_minutes)}"
            open_minutes += len(slots) * interval_minutes
        rows.append({
            "queue": str(queue),
            "first_day": pd.Timestamp(grid.dates[0]).date(),
            "last_day": pd.Timestamp(grid.dates[-1]).date(),
            "days": int(len(grid.dates)),
            "days_with_data": int(grid.has_data.sum()),
            "intervals": int(len(part)),
            "volume": float(part["y"].sum()),
            "gaps": int(len(grid.gaps)),
            "closed_days": int(grid.closed.sum()),
            "opening": opening,
            "open_hours_per_week": open_minutes / 60,
            "closed_hours_per_week": 168 - open_minutes / 60,
        })
    return pd.DataFrame(rows)


def weekday_profile(frame: pd.DataFrame, interval_minutes: int, to_minutes: int | None = None) -> pd.DataFrame:
    """Mean volume per queue, weekday and time of day.

    Parameters
    ----------
    frame : canonical interval table (``queue, ds, y``).
    interval_minutes : its interval length.
    to_minutes : optional coarser interval to sum into first (e.g. 30 for a readable heatmap).

    Returns
    -------
    DataFrame ``queue, weekday`` (0 = Monday), ``time`` (``HH:MM``), ``y``: the mean over
    the days of that weekday that have data (closed days are not averaged in as zeros).
    """
    from wfm.data import aggregate_intervals

    if to_minutes and to_minutes != interval_minutes:
        frame = aggregate_intervals(frame, interval_minutes, to_minutes)
    wall = wall_clock(frame["ds"])
    out = pd.DataFrame({
        "queue": frame["queue"].astype(str).to_numpy(),
        "day": wall.dt.normalize().to_numpy(),
        "weekday": wall.dt.weekday.to_numpy(),
        "time": wall.dt.strftime("%H:%M").to_numpy(),
        "y": frame["y"].to_numpy(dtype=float),
    })
    days = out.groupby(["queue", "day"])["y"].sum()
    live = days[days > 0].reset_index()[["queue", "day"]]
    out = out.merge(live, on=["queue", "day"])
    counts = live.assign(weekday=pd.to_datetime(live["day"]).dt.weekday).groupby(["queue", "weekday"]).size()
    sums = out.groupby(["queue", "weekday", "time"])["y"].sum().reset_index()
    sums["y"] = sums["y"] / counts.reindex(pd.MultiIndex.from_frame(sums[["queue", "weekday"]])).to_numpy()
    return sums


def requirement_summary(sized: pd.DataFrame, interval_minutes: int) -> dict:
    """Totals of a sizing table (output of :func:`wfm.erlang.size_intervals`).

    Returns
    -------
    dict with ``calls``, ``peak_agents``, ``peak_scheduled``, ``agent_hours`` (productive),
    ``scheduled_hours`` (heads after shrinkage), and the call-weighted ``service_level``,
    ``asa``, ``occupancy`` and (Erlang A) ``abandon_rate``. Several queues add up per
    interval for the peaks.

    Parameters
    ----------
    sized : DataFrame
        Output of :func:`wfm.erlang.size_intervals`.
    interval_minutes : int
        Its interval length.
    """
    hours = interval_minutes / 60
    calls = float(sized["y"].sum()) if len(sized) else 0.0
    per_slot = sized.groupby("ds")[["agents", "scheduled"]].sum() if len(sized) else pd.DataFrame(
        {"agents": [0], "scheduled": [0]})
    weights = sized["y"].to_numpy(dtype=float)

    def weighted(column):
        if column not in sized.columns or weights.sum() <= 0:
            return None
        values = sized[column].to_numpy(dtype=float)
        ok = np.isfinite(values) & (weights > 0)
        return float(np.average(values[ok], weights=weights[ok])) if ok.any() else None

    return {
        "calls": calls,
        "peak_agents": int(per_slot["agents"].max()),
        "peak_scheduled": int(per_slot["scheduled"].max()),
        "agent_hours": float(sized["agents"].sum() * hours) if len(sized) else 0.0,
        "scheduled_hours": float(sized["scheduled"].sum() * hours) if len(sized) else 0.0,
        "service_level": weighted("service_level"),
        "asa": weighted("asa"),
        "occupancy": weighted("occupancy"),
        "abandon_rate": weighted("p_abandon"),
    }


def what_binds(sized: pd.DataFrame, target_alone: pd.DataFrame, interval_minutes: int) -> dict:
    """Which limit sets a requirement: the service target or the occupancy cap.

    ``sized`` is a sizing with the queue's occupancy cap, ``target_alone`` the same
    intervals sized with the cap lifted (``max_occupancy = 1``). Where the capped sizing
    needs more agents, the cap binds: the target alone would be met with fewer agents
    kept busier than the cap allows. That is why raising the service level may change
    nothing: the cap already staffs above what the higher target needs.

    Parameters
    ----------
    sized : DataFrame
        :func:`wfm.erlang.size_intervals` (or :func:`wfm.plan.size_queue`) output with
        the cap: ``ds, agents, scheduled`` and ``queue`` when there are several queues.
    target_alone : DataFrame
        The same intervals sized with ``max_occupancy = 1``.
    interval_minutes : int
        The interval length.

    Returns
    -------
    dict
        ``binds`` (``"occupancy cap"`` when the cap raises the agents of more than half
        the staffed intervals, else ``"target"``), ``intervals`` (staffed),
        ``capped_intervals`` (the cap raised them), ``hours`` and ``target_hours``
        (heads after shrinkage with and without the cap) and ``cap_hours`` (their
        difference).

    Examples
    --------
    >>> import pandas as pd
    >>> from wfm.erlang import ServiceTarget, size_intervals
    >>> frame = pd.DataFrame({"ds": pd.date_range("2024-01-08 09:00", periods=2, freq="15min"),
    ...                       "y": [32.0, 900.0]})
    >>> capped = size_intervals(frame, 15, ServiceTarget(0.8, 20, max_occupancy=0.85), aht=450)
    >>> alone = size_intervals(frame, 15, ServiceTarget(0.8, 20, max_occupancy=1.0), aht=450)
    >>> binds = what_binds(capped, alone, 15)
    >>> binds["binds"], binds["capped_intervals"], binds["intervals"]
    ('target', 1, 2)
    """
    keys = [c for c in ("queue", "ds") if c in sized.columns and c in target_alone.columns]
    both = sized[keys + ["agents", "scheduled"]].merge(
        target_alone[keys + ["agents", "scheduled"]], on=keys, how="left", suffixes=("", "_alone"))
    staffed = both["agents"] > 0
    capped = staffed & (both["agents"] > both["agents_alone"])
    hours = interval_minutes / 60
    with_cap, alone = float(both["scheduled"].sum() * hours), float(both["scheduled_alone"].sum() * hours)
    return {
        "binds": "occupancy cap" if int(capped.sum()) * 2 > int(staffed.sum()) else "target",
        "intervals": int(staffed.sum()),
        "capped_intervals": int(capped.sum()),
        "hours": with_cap,
        "target_hours": alone,
        "cap_hours": with_cap - alone,
    }
