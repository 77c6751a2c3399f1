"""Staffing calibrated on real caller behaviour (a profile from ``wfm calls profile``).

Plain Erlang C assumes exponential handle times and callers who never hang up. Real
handle times are heavy-tailed and real callers give up, so Erlang C often staffs for a
service level far above the one asked for. Three answers are given side by side:

- ``erlang-c``: the textbook answer (AHT only);
- ``erlang-a``: Erlang A with the learned mean patience;
- ``simulation``: the fewest agents per interval whose *simulated* service level meets
  the target, with handle times and patience drawn from the learned empirical
  distributions (:mod:`wfm.simulate`), found by an iterative search warm-started from
  the Erlang A answer.

Simulation search
-----------------
The whole horizon is simulated at once, so queues carried from one interval into the
next are accounted for. Each round simulates the current staffing with the same seed
(common random numbers make the comparison between rounds fair) and moves every
interval's staffing inside its bracket of "seen to miss" and "seen to meet" (see
:func:`simulated_agents`). The search ends with a simulation in which every interval
meets the target, so the answer is never one the simulation has not confirmed.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from wfm import erlang
from wfm.errors import InputError, existing_file
from wfm.localtime import utc_clock


@dataclass
class LearnedBehaviour:
    """What a profile says about one queue's calls (:meth:`simulation` turns it into a
    :class:`wfm.simulate.Behaviour`)."""

    queue: str
    aht: float | None
    handle_sample: np.ndarray | None
    patience: float | None
    patience_sample: np.ndarray | None
    notes: list[str] = field(default_factory=list)
    # Erlang A patience of the profile's time bands that had enough calls of their own.
    band_patience: dict[str, float] = field(default_factory=dict)

    def simulation(self, *, aht: float | None = None, patience: float | None = None, aht_column: bool = False):
        """The :class:`wfm.simulate.Behaviour` to simulate (see :meth:`wfm.simulate.Behaviour.from_profile`).

        Parameters
        ----------
        aht : float, optional
            Seconds: the learned handle sample is rescaled to it (or the exponential mean).
        patience : float, optional
            Mean patience in seconds that replaces the learned one.
        aht_column : bool
            Whether the volumes have an ``aht`` column.

        Returns
        -------
        wfm.simulate.Behaviour
            The behaviour to simulate.
        """
        from wfm.simulate import Behaviour

        return Behaviour.from_profile(self, aht=aht, patience=patience, aht_column=aht_column)


def read_profile(path: str | Path) -> dict:
    """Read a profile JSON written by ``wfm calls profile``.

    Parameters
    ----------
    path : str or Path
        A ``profile.json``, as ``wfm calls profile`` wrote it.

    Returns
    -------
    dict
        The parsed JSON, checked to hold a non-empty ``queues`` object (queue name to
        its handle times, patience and notes); the entries themselves are read by
        :func:`behaviour_for`.

    Raises
    ------
    InputError
        When the file is missing, not JSON or not a profile.
    """
    path = existing_file(path, missing="profile file not found.",
                         folder="is a folder, expected a profile JSON file (made by 'wfm calls profile').")
    try:
        profile = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise InputError(f"{path}: not valid JSON ({exc}).") from None
    if not isinstance(profile, dict) or not isinstance(profile.get("queues"), dict) or not profile["queues"]:
        raise InputError(f"{path}: expected a profile with a 'queues' object (made by 'wfm calls profile').")
    return profile


def behaviour_for(profile: dict, queue: str, source: str = "profile") -> LearnedBehaviour:
    """The learned behaviour of ``queue``; a profile with one queue serves every queue.

    Parameters
    ----------
    profile : dict
        A profile from :func:`read_profile`.
    queue : str
        The scenario's queue name, looked up among the profile's queues.
    source : str
        The profile's file, named when ``queue`` is not in it.

    Returns
    -------
    LearnedBehaviour
        AHT, handle-time sample, patience (mean and sample), per-band patience and notes.

    Raises
    ------
    InputError
        When the profile has several queues and not this one.
    """
    queues = profile["queues"]
    if queue in queues:
        entry = queues[queue]
    elif len(queues) == 1:
        entry = next(iter(queues.values()))
    else:
        raise InputError(f"{source}: has no queue '{queue}' (it has {', '.join(sorted(queues))}).")
    notes = list(entry.get("notes", []))
    handle = entry.get("handle")
    patience = entry.get("patience")
    return LearnedBehaviour(
        queue=queue,
        aht=float(handle["mean"]) if handle else None,
        handle_sample=np.asarray(handle["sample"], dtype=float) if handle and handle.get("sample") else None,
        patience=float(patience["mean"]) if patience and patience.get("mean") else None,
        patience_sample=(
            np.asarray(patience["sample_quantiles"], dtype=float) if patience and patience.get("sample_quantiles") else None
        ),
        notes=notes,
        band_patience={
            band: float(b["patience"]["mean"]) for band, b in (entry.get("bands") or {}).items()
            if b.get("patience") and b["patience"].get("mean")
        },
    )


def _grid(frame: pd.DataFrame, interval_minutes: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the rows on a gap-free interval grid (nights become empty intervals)."""
    ds = utc_clock(frame["ds"])
    step = pd.Timedelta(minutes=interval_minutes)
    pos = ((ds - ds.iloc[0]) / step).to_numpy()
    if not np.allclose(pos, np.round(pos)):
        raise InputError("ds: timestamps are not on the interval grid.")
    pos = np.round(pos).astype(np.int64)
    return pos, np.arange(pos.max() + 1)


def _pooled_kpis(totals: np.ndarray) -> dict[str, np.ndarray]:
    """KPIs per interval with replications pooled (a stabler estimate than their mean)."""
    offered, answered, abandoned, within, wait_sum, busy, available = totals.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return {
            "service_level": np.where(offered > 0, within / offered, np.nan),
            "asa": np.where(answered > 0, wait_sum / answered, np.nan),
            "abandon_rate": np.where(offered > 0, abandoned / offered, np.nan),
            "occupancy": np.where(available > 0, busy / available, np.nan),
        }


def simulated_agents(
    volume: np.ndarray,
    aht: np.ndarray,
    interval_minutes: int,
    target: erlang.ServiceTarget,
    *,
    start: np.ndarray,
    behaviour=None,
    replications: int = 20,
    seed: int = 0,
    probe_rounds: int = 8,
    max_rounds: int = 40,
) -> tuple[np.ndarray, dict]:
    """Fewest agents per interval (on a gap-free grid) meeting ``target`` in simulation.

    Each interval keeps a bracket: the most agents seen to miss the target and the
    fewest seen to meet it. The next trial is a Newton step on the simulated service
    level, using the slope of the Erlang A (or C) curve at the current staffing, kept
    strictly inside the bracket (bisection when the step would leave it). After
    ``probe_rounds`` every interval takes the fewest agents seen to meet the target and
    the search only adds agents until all meet it in one and the same simulation.

    ``behaviour`` is the :class:`wfm.simulate.Behaviour` to simulate (default: exponential
    handle times with ``aht``, no abandonment); the Newton slope uses Erlang A with its
    mean patience (Erlang C without one).

    Returns the agents and a dict with the rounds and the simulated KPIs per interval.

    Parameters
    ----------
    volume : ndarray
        Calls offered per interval, on a gap-free grid.
    aht : ndarray
        Mean handle time per interval, seconds.
    interval_minutes : int
        Interval length.
    target : ServiceTarget
        The service measure and occupancy cap to meet.
    start : ndarray
        First trial per interval (usually the Erlang A answer).
    behaviour : wfm.simulate.Behaviour, optional
        Handle-time and patience distributions to simulate; default exponential handle
        times with ``aht`` and callers who never hang up.
    replications : int
        Simulation runs per search round.
    seed : int
        Random seed (common random numbers across rounds).
    probe_rounds : int
        Newton/bisection rounds before the search only adds agents.
    max_rounds : int
        Rounds at most.

    Returns
    -------
    agents : ndarray of int
        Fewest agents per interval meeting the target.
    info : dict
        The rounds used and the simulated KPIs per interval.
    """
    from wfm.simulate import simulate_totals
    from wfm.simulate.behaviour import as_behaviour

    behaviour = as_behaviour(behaviour)

    if target.asa is not None:
        raise InputError("simulation sizing: give a service-level target (ASA targets use Erlang C or A).")
    live = volume > 0
    n = np.where(live, np.asarray(start, dtype=np.int64), 0)
    lo_fail = np.where(live, 0, -1).astype(np.int64)  # zero agents never answer a call
    hi_ok = np.full(n.size, np.iinfo(np.int64).max)
    load = erlang.offered_load(volume, aht, interval_minutes)
    curve_patience = behaviour.patience_mean()

    def curve(agents):
        if curve_patience is None:
            return np.asarray(erlang.service_level(agents, load, aht, target.answer_within))
        return erlang.erlang_a(agents, load, aht, curve_patience, target.answer_within).service_level

    kpis: dict = {}
    for rounds in range(1, max_rounds + 1):
        totals = simulate_totals(
            volume, n, interval_minutes=interval_minutes, behaviour=behaviour, interval_aht=aht,
            answer_within=target.answer_within,
            replications=replications, seed=seed,  # the same seed every round: common random numbers
        )
        kpis = _pooled_kpis(totals)
        sl = np.nan_to_num(kpis["service_level"], nan=1.0)
        occ = np.nan_to_num(kpis["occupancy"], nan=0.0)
        ok = ~live | ((sl >= target.service_level) & (occ <= target.max_occupancy + 1e-9))
        # Agents the occupancy cap alone asks for: the work stays, so occupancy falls as 1/agents.
        by_occupancy = np.ceil(n * occ / target.max_occupancy - 1e-9).astype(np.int64)
        if rounds > probe_rounds:
            if ok.all():
                break
            n[~ok] = np.maximum(n[~ok] + 1, by_occupancy[~ok])
            continue
        hi_ok = np.where(live & ok, np.minimum(hi_ok, n), hi_ok)
        lo_fail = np.where(live & ~ok, np.maximum(lo_fail, n), lo_fail)
        settled = ~live | (hi_ok - lo_fail <= 1)
        if settled.all():
            n = np.where(live, hi_ok, 0)
            continue  # one more simulation confirms the settled staffing together
        slope = np.maximum(curve(n + 1) - curve(n), 1e-4)
        step = (target.service_level - sl) / slope
        step = np.where(step > 0, np.ceil(step), np.floor(step)).astype(np.int64)
        step = np.where(step == 0, np.where(ok, -1, 1), step)
        # An interval that meets the service level but works its agents above the max
        # occupancy needs more agents, however good its service level: never fewer.
        step = np.where(~ok & (sl >= target.service_level), np.maximum(np.maximum(step, 1), by_occupancy - n), step)
        trial = n + step
        inside = (trial > lo_fail) & (trial < hi_ok)
        bounded = hi_ok < np.iinfo(np.int64).max
        middle = np.where(bounded, (lo_fail + hi_ok) // 2, trial)
        trial = np.maximum(np.where(inside, trial, middle), lo_fail + 1)  # above every staffing seen to miss
        n = np.where(live, np.where(settled, hi_ok, trial), 0)
        if rounds == probe_rounds:  # probing is over: the fewest seen to meet the target
            n = np.where(live & (hi_ok < np.iinfo(np.int64).max), hi_ok, n)
    else:
        raise InputError(f"simulation sizing did not settle in {max_rounds} rounds; try more replications.")
    return n, {"rounds": rounds, "replications": replications, "seed": seed, "kpis": kpis}


def _size_erlang_a(base: pd.DataFrame, interval_minutes: int, behaviour: LearnedBehaviour,
                   target: erlang.ServiceTarget) -> pd.DataFrame:
    """Erlang A with each interval's patience: its time band's where the profile has
    one (callers at lunch are not those of the evening), else the queue's."""
    from wfm.calls import time_bands

    patience = np.full(len(base), float(behaviour.patience))
    if behaviour.band_patience:
        band = time_bands(base["ds"])
        for name, value in behaviour.band_patience.items():
            patience[band == name] = value
    parts = []
    for value in np.unique(patience):
        rows = np.flatnonzero(patience == value)
        band = dataclasses.replace(target, model="erlang-a", patience=float(value))
        sized = erlang.size_intervals(base.iloc[rows], interval_minutes, band)
        parts.append(sized.set_index(pd.Index(rows)))
    return pd.concat(parts).sort_index().reset_index(drop=True)


def size_calibrated(
    frame: pd.DataFrame,
    interval_minutes: int,
    profile: dict,
    *,
    target: erlang.ServiceTarget,
    aht: float | None = None,
    mode: str = "simulation",
    replications: int = 20,
    seed: int = 0,
    source: str = "profile",
) -> pd.DataFrame:
    """Size every interval three ways and choose ``mode``'s answer as ``agents``.

    Parameters
    ----------
    frame : canonical interval table (``queue, ds, y`` and optionally ``aht``).
    interval_minutes : interval length.
    profile : from :func:`read_profile`.
    target : service target; its ``model`` and ``patience`` are replaced by the profile's.
    aht : seconds, where neither the table nor the profile gives one.
    mode : ``erlang-c``, ``erlang-a`` or ``simulation``: which answer becomes ``agents``.
    replications : simulation runs per search round (simulation mode).
    seed : random seed of the simulation.
    source : the profile's file, for messages.

    Returns
    -------
    DataFrame: the :func:`wfm.erlang.size_intervals` columns for the chosen answer
    plus ``agents_erlang_c``, ``agents_erlang_a``, ``agents_simulated``; its
    ``attrs["notes"]`` say where the log was too small and the search fell back.
    """
    if mode not in ("erlang-c", "erlang-a", "simulation"):
        raise InputError(f"mode: '{mode}' is not one of erlang-c, erlang-a, simulation.")
    notes: list[str] = []
    parts = []
    for queue, part in frame.groupby("queue", sort=False):
        part = part.reset_index(drop=True)
        behaviour = behaviour_for(profile, str(queue), source)
        notes.extend(f"queue '{queue}': {note}" for note in behaviour.notes)
        handle = aht if aht is not None else behaviour.aht
        if "aht" in part.columns:
            handle = part["aht"].fillna(handle if handle is not None else np.nan)
        if handle is None:
            raise InputError(f"{source}: queue '{queue}' has no handle times and no --aht was given.")
        erlang_c = dataclasses.replace(target, model="erlang-c", patience=None)
        base = part.drop(columns=["aht"]) if "aht" in part.columns else part
        base = base.assign(aht=handle)
        sized_c = erlang.size_intervals(base, interval_minutes, erlang_c)
        chosen_mode = mode
        if behaviour.patience is None:
            if mode != "erlang-c":
                notes.append(f"queue '{queue}': no patience estimate; sized with Erlang C instead of {mode}.")
            chosen_mode = "erlang-c"
            sized_a = sized_c
        else:
            sized_a = _size_erlang_a(base, interval_minutes, behaviour, erlang_c)
        out = {"erlang-c": sized_c, "erlang-a": sized_a}.get(chosen_mode, sized_a).copy()
        out["agents_erlang_c"] = sized_c["agents"].to_numpy()
        out["agents_erlang_a"] = sized_a["agents"].to_numpy()
        if chosen_mode == "simulation":
            pos, grid = _grid(part, interval_minutes)
            volume = np.zeros(grid.size)
            volume[pos] = part["y"].to_numpy(dtype=float)
            aht_grid = np.full(grid.size, float(np.nanmean(base["aht"])))
            aht_grid[pos] = base["aht"].to_numpy(dtype=float)
            start = np.zeros(grid.size, dtype=np.int64)
            start[pos] = sized_a["agents"].to_numpy()
            from wfm.simulate import Behaviour

            # The learned shapes as they are (the grid's AHT where there is no handle sample).
            simulated = Behaviour.from_options(
                handle_sample=behaviour.handle_sample, patience_sample=behaviour.patience_sample,
                patience=None if behaviour.patience_sample is not None else behaviour.patience,
            )
            agents, info = simulated_agents(
                volume, aht_grid, interval_minutes, target, start=start,
                behaviour=simulated, replications=replications, seed=seed,
            )
            out["agents_simulated"] = agents[pos]
            out["agents"] = agents[pos]
            out["scheduled"] = erlang.scheduled_agents(agents[pos], target.shrinkage)
            # The KPI columns describe the staffing chosen, as the simulation measured it
            # (replications pooled), not the Erlang A answer it started from.
            for column in ("service_level", "asa", "occupancy"):
                out[column] = info["kpis"][column][pos]
            out["p_abandon"] = info["kpis"]["abandon_rate"][pos]
            out = out.drop(columns=["p_wait"])
        else:
            out["agents_simulated"] = np.nan
        parts.append(out)
    table = pd.concat(parts, ignore_index=True)
    table.attrs["notes"] = notes
    return table
