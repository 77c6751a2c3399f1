"""Call-detail records (one row per call) into interval history and behaviour profiles.

An ACD export has one row per call. The canonical per-call frame is:

``queue``    string (``"default"`` when absent)
``arrival``  arrival timestamp (local wall-clock time)
``wait``     seconds in queue before answer or hang-up (>= 0)
``handle``   talk + hold + wrap seconds of answered calls (0 / empty when abandoned)
``outcome``  ``answered`` or ``abandoned``

From it, :func:`aggregate_calls` writes the interval table every other command reads,
and :func:`profile_calls` learns the handle-time and patience distributions. Patience
is *censored*: an abandoned call shows its caller's patience (its wait), an answered
call only shows that the patience was longer than its wait. Treating answered waits as
patience, or ignoring them, biases the estimate badly, so it is estimated with the
Kaplan–Meier estimator and parametric survival fits (lifelines), which use both.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from wfm.data import DEFAULT_QUEUE, check_interval_minutes, parse_timestamps, read_table
from wfm.errors import InputError, shown

OUTCOMES = ("answered", "abandoned")
# Fewer abandoned calls than this and the patience estimate is too noisy to size with.
MIN_ABANDONED_FOR_PATIENCE = 30
MIN_CALLS_FOR_HANDLE = 30


class CallsWarning(UserWarning):
    """Something the planner should know about a call log (e.g. too small to estimate)."""


def _row(i: int) -> int:
    return int(i) + 1


def validate_calls(
    frame: pd.DataFrame,
    source: str = "calls",
    *,
    column_map: dict[str, str] | None = None,
    after_call_work: float = 0.0,
    timezone: str | None = None,
) -> pd.DataFrame:
    """Check a per-call table and return the canonical frame (see the module docstring).

    Parameters
    ----------
    frame : raw table.
    source : name for messages (the file).
    column_map : renames export columns to ours, e.g. ``{"StartTime": "arrival"}``.
    after_call_work : seconds of wrap to add to every answered call's handle time,
        for exports whose handle time lacks it.
    timezone : IANA zone of the site.
    """
    frame = frame.copy()
    frame.columns = [str(c).strip() for c in frame.columns]
    if column_map:
        unknown = [k for k in column_map if k not in frame.columns]
        if unknown:
            raise InputError(f"{source}: --map names column '{shown(unknown[0])}', which the file does not have.")
        frame = frame.rename(columns=column_map)
    missing = [c for c in ("arrival", "wait", "handle", "outcome") if c not in frame.columns]
    if missing:
        raise InputError(
            f"{source}: missing column{'s' if len(missing) > 1 else ''} {', '.join(repr(c) for c in missing)}; "
            f"found {', '.join(repr(c) for c in frame.columns)} (use --map OLD=NEW to rename)."
        )
    if frame.empty:
        raise InputError(f"{source}: the call log has a header but no calls.")
    if not np.isfinite(after_call_work) or after_call_work < 0:
        raise InputError(f"--after-call-work: {after_call_work} is not a number of seconds >= 0.")
    frame = frame.reset_index(drop=True)
    if "queue" in frame.columns:
        frame["queue"] = frame["queue"].astype(str)
    else:
        frame.insert(0, "queue", DEFAULT_QUEUE)
    frame["arrival"] = parse_timestamps(frame["arrival"], source, "arrival", timezone)
    outcome = frame["outcome"].astype("string").str.strip().str.lower()
    bad = ~outcome.isin(OUTCOMES).fillna(False).astype(bool)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            f"{source}: row {_row(i)}, column 'outcome' is '{shown(frame['outcome'].iloc[i])}', expected 'answered' or 'abandoned'."
        )
    frame["outcome"] = outcome.astype(str)
    wait = pd.to_numeric(frame["wait"], errors="coerce")
    bad = wait.isna() | ~np.isfinite(wait) | (wait < 0)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raw = frame["wait"].iloc[i]
        quoted = "empty" if pd.isna(raw) else f"'{shown(raw)}'"
        raise InputError(f"{source}: row {_row(i)}, column 'wait' is {quoted}, expected seconds >= 0.")
    frame["wait"] = wait.astype(float)
    handle = pd.to_numeric(frame["handle"], errors="coerce")
    answered = frame["outcome"] == "answered"
    bad = answered & (handle.isna() | (handle <= 0))
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raw = frame["handle"].iloc[i]
        quoted = "empty" if pd.isna(raw) else f"'{shown(raw)}'"
        raise InputError(
            f"{source}: row {_row(i)} is an answered call with handle time {quoted}, expected seconds > 0."
        )
    bad = ~answered & handle.notna() & (handle < 0)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(f"{source}: row {_row(i)}, column 'handle' is {handle.iloc[i]}, expected seconds >= 0.")
    frame["handle"] = np.where(answered, handle.fillna(0.0) + after_call_work, 0.0)
    # ACD exports are written in arrival order per queue; disorder means a broken export
    # (or mixed files), which would silently corrupt a trace replay.
    for queue, idx in frame.groupby("queue", sort=False).groups.items():
        arrivals = frame.loc[idx, "arrival"]
        if arrivals.dt.tz is not None:
            arrivals = arrivals.dt.tz_convert("UTC")
        back = np.flatnonzero(np.diff(arrivals.to_numpy()) < np.timedelta64(0, "ns"))
        if back.size:
            i = int(idx[back[0] + 1])
            raise InputError(
                f"{source}: row {_row(i)} arrives at {frame['arrival'].iloc[i]}, before the previous call of queue "
                f"'{shown(queue)}'; calls must be in arrival order."
            )
    return frame[["queue", "arrival", "wait", "handle", "outcome"]]


def read_calls(path: str | Path, **kwargs) -> pd.DataFrame:
    """Read and validate a per-call CSV/XLSX/Parquet file; see :func:`validate_calls`."""
    return validate_calls(read_table(path), str(path), **kwargs)


def aggregate_calls(calls: pd.DataFrame, interval_minutes: int, answer_within: float = 20.0) -> pd.DataFrame:
    """Interval history from per-call records.

    Returns ``queue, ds, y, aht, answered, abandoned, service_level, asa``: ``y`` counts
    calls offered (answered + abandoned) by arrival interval; ``aht`` is the mean handle
    time of answered calls (NaN where none were answered); ``service_level`` is the
    share of offered calls answered within ``answer_within`` seconds (abandoned calls
    count as not answered in time); ``asa`` the mean wait of answered calls. Intervals
    with no calls between the first and last call of each day are written with zero
    volume, so a quiet interval is not mistaken for missing data.
    """
    minutes = check_interval_minutes(interval_minutes, "--interval")
    if not np.isfinite(answer_within) or answer_within < 0:
        raise InputError(f"--answer-within: {answer_within} is not a number of seconds >= 0.")
    c = calls.copy()
    c["ds"] = c["arrival"].dt.floor(f"{minutes}min", ambiguous="infer", nonexistent="shift_forward") \
        if c["arrival"].dt.tz is not None else c["arrival"].dt.floor(f"{minutes}min")
    c["is_answered"] = c["outcome"] == "answered"
    c["in_time"] = c["is_answered"] & (c["wait"] <= answer_within)
    c["answered_wait"] = np.where(c["is_answered"], c["wait"], 0.0)
    c["answered_handle"] = np.where(c["is_answered"], c["handle"], 0.0)
    g = c.groupby(["queue", "ds"], sort=True).agg(
        y=("outcome", "size"),
        answered=("is_answered", "sum"),
        in_time=("in_time", "sum"),
        wait_sum=("answered_wait", "sum"),
        handle_sum=("answered_handle", "sum"),
    )
    # Fill quiet intervals inside each day's span of calls with zeros.
    filled = []
    for queue, part in g.groupby(level="queue", sort=True):
        part = part.droplevel("queue")
        days = []
        for _, day in part.groupby(part.index.date):
            full = pd.date_range(day.index.min(), day.index.max(), freq=f"{minutes}min")
            days.append(day.reindex(full, fill_value=0))
        block = pd.concat(days)
        block.index.name = "ds"
        block = block.reset_index()
        block.insert(0, "queue", queue)
        filled.append(block)
    out = pd.concat(filled, ignore_index=True)
    out["abandoned"] = out["y"] - out["answered"]
    with np.errstate(invalid="ignore", divide="ignore"):
        out["aht"] = np.where(out["answered"] > 0, out["handle_sum"] / out["answered"].where(out["answered"] > 0), np.nan)
        out["service_level"] = np.where(out["y"] > 0, out["in_time"] / out["y"].where(out["y"] > 0), np.nan)
        out["asa"] = np.where(out["answered"] > 0, out["wait_sum"] / out["answered"].where(out["answered"] > 0), np.nan)
    out["y"] = out["y"].astype(float)
    return out[["queue", "ds", "y", "aht", "answered", "abandoned", "service_level", "asa"]]


# --- behaviour profiles -----------------------------------------------------------

QUANTILES = (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99)
# Probabilities of the stored patience quantile function: drawing uniformly from these
# values is drawing from the estimated distribution (to within 1/1000 in probability).
SAMPLE_PROBABILITIES = (np.arange(1000) + 0.5) / 1000
HANDLE_SAMPLE_SIZE = 5000


def _subsample(values: np.ndarray, size: int) -> np.ndarray:
    if values.size <= size:
        return values
    return np.random.default_rng(0).choice(values, size=size, replace=False)


def _fit_handle(handle: np.ndarray) -> dict:
    """Empirical quantiles plus lognormal and gamma fits with their KS distance."""
    out: dict = {
        "count": int(handle.size),
        "mean": float(handle.mean()),
        "std": float(handle.std(ddof=1)) if handle.size > 1 else 0.0,
        "quantiles": {f"{q:g}": float(np.quantile(handle, q)) for q in QUANTILES},
        # A seeded subsample of the calls themselves, not a few quantiles: queueing
        # delay depends on the second moment, which lives in the far tail that a
        # quantile grid would cut off.
        "sample": [round(float(v), 2) for v in _subsample(handle, HANDLE_SAMPLE_SIZE)],
    }
    fits = {}
    shape, loc, scale = stats.lognorm.fit(handle, floc=0)
    fits["lognormal"] = {
        "sigma": float(shape), "mu": float(np.log(scale)),
        "mean": float(stats.lognorm.mean(shape, loc, scale)),
        "ks": float(stats.kstest(handle, "lognorm", args=(shape, loc, scale)).statistic),
    }
    a, loc, scale = stats.gamma.fit(handle, floc=0)
    fits["gamma"] = {
        "shape": float(a), "scale": float(scale), "mean": float(a * scale),
        "ks": float(stats.kstest(handle, "gamma", args=(a, loc, scale)).statistic),
    }
    out["fits"] = fits
    out["best_fit"] = min(fits, key=lambda k: fits[k]["ks"])
    return out


def _fit_patience(wait: np.ndarray, abandoned: np.ndarray) -> dict:
    """Kaplan–Meier survival of patience and parametric fits under right censoring."""
    from lifelines import ExponentialFitter, KaplanMeierFitter, LogNormalFitter, WeibullFitter

    # lifelines needs positive durations: a hang-up at 0 s is patience of (almost) 0.
    durations = np.maximum(wait, 1e-3)
    km = KaplanMeierFitter().fit(durations, event_observed=abandoned)
    sf = km.survival_function_.iloc[:, 0]
    grid = [10, 20, 30, 60, 90, 120, 180, 300, 600]
    out: dict = {
        "calls": int(wait.size),
        "abandoned": int(abandoned.sum()),
        "censored_share": float(1 - abandoned.mean()),
        "kaplan_meier": {
            "survival": {f"{t}": float(km.predict(t)) for t in grid},
            "median": None if not np.isfinite(km.median_survival_time_) else float(km.median_survival_time_),
            # Restricted to the longest observed wait: a lower bound on the mean when
            # the survival curve never reaches zero (heavy censoring).
            "restricted_mean": float(np.trapezoid(np.r_[1.0, sf.to_numpy()], np.r_[0.0, sf.index.to_numpy()])),
        },
    }
    fits = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, fitter in (("exponential", ExponentialFitter()), ("weibull", WeibullFitter()), ("lognormal", LogNormalFitter())):
            try:
                fitter.fit(durations, event_observed=abandoned)
            except Exception:  # a fit that does not converge is simply not offered
                continue
            if name == "exponential":
                params = {"mean": float(fitter.lambda_)}
                mean = float(fitter.lambda_)
            elif name == "weibull":
                lam, rho = float(fitter.lambda_), float(fitter.rho_)
                params = {"scale": lam, "shape": rho}
                mean = float(lam * math.exp(math.lgamma(1 + 1 / rho)))
            else:
                mu, sigma = float(fitter.mu_), float(fitter.sigma_)
                params = {"mu": mu, "sigma": sigma}
                mean = float(np.exp(mu + sigma**2 / 2))
            fits[name] = {**params, "mean": mean, "aic": float(fitter.AIC_)}
    out["fits"] = fits
    best = min(fits, key=lambda k: fits[k]["aic"]) if fits else None
    out["best_fit"] = best
    out["mean"] = fits[best]["mean"] if best else None
    out["sample_quantiles"] = _patience_quantiles(km, fits.get(best) if best else None, best)
    return out


def _patience_quantiles(km, fit: dict | None, kind: str | None) -> list[float]:
    """The patience quantile function: Kaplan–Meier where it is observed, the fitted
    distribution beyond the longest observed wait (where censoring hides the tail)."""
    sf = km.survival_function_.iloc[:, 0]
    times, surv = sf.index.to_numpy(dtype=float), sf.to_numpy(dtype=float)
    out = []
    for p in SAMPLE_PROBABILITIES:
        reached = np.flatnonzero(surv <= 1 - p)
        if reached.size:
            out.append(float(times[reached[0]]))
        elif fit is not None:
            out.append(float(_fitted_quantile(kind, fit, p)))
        else:
            out.append(float("inf"))
    return [round(v, 3) for v in out]


def _fitted_quantile(kind: str, fit: dict, p: float) -> float:
    if kind == "exponential":
        return stats.expon.ppf(p, scale=fit["mean"])
    if kind == "weibull":
        return stats.weibull_min.ppf(p, fit["shape"], scale=fit["scale"])
    return stats.lognorm.ppf(p, fit["sigma"], scale=math.exp(fit["mu"]))


@dataclass
class Profile:
    """Learned behaviour of one queue (see :func:`profile_calls`)."""

    queue: str
    handle: dict | None
    patience: dict | None
    notes: list[str]


def _profile_part(part: pd.DataFrame) -> tuple[dict | None, dict | None, list[str]]:
    notes = []
    answered = part["outcome"] == "answered"
    handle = part.loc[answered, "handle"].to_numpy(dtype=float)
    handle_profile = _fit_handle(handle) if handle.size >= MIN_CALLS_FOR_HANDLE else None
    if handle_profile is None:
        notes.append(f"only {handle.size} answered calls: too few to fit handle times (need {MIN_CALLS_FOR_HANDLE}).")
    abandoned = (~answered).to_numpy()
    if abandoned.sum() >= MIN_ABANDONED_FOR_PATIENCE:
        patience = _fit_patience(part["wait"].to_numpy(dtype=float), abandoned)
    else:
        patience = None
        notes.append(
            f"only {int(abandoned.sum())} abandoned calls: too few to estimate patience "
            f"(need {MIN_ABANDONED_FOR_PATIENCE}); sizing falls back to Erlang C."
        )
    return handle_profile, patience, notes


def profile_calls(calls: pd.DataFrame, *, by_time_of_day: bool = True, min_calls_per_band: int = 2000) -> dict:
    """Learn per queue the handle-time and patience distributions.

    Returns a JSON-ready dict ``{"queues": {name: {"handle": ..., "patience": ...,
    "bands": {...}, "notes": [...]}}}``. ``handle`` holds empirical quantiles and
    lognormal / gamma fits with their Kolmogorov–Smirnov distance; ``patience`` holds
    the Kaplan–Meier survival at fixed times, its median and restricted mean, and
    exponential / Weibull / lognormal fits under right censoring with their AIC;
    ``mean`` is the best fit's mean (what Erlang A sizing uses). With
    ``by_time_of_day``, the same is given for morning (before 12:00), afternoon
    (12:00–17:00) and evening bands that have at least ``min_calls_per_band`` calls.
    """
    result: dict = {"queues": {}}
    for queue, part in calls.groupby("queue", sort=True):
        handle, patience, notes = _profile_part(part)
        entry: dict = {"calls": int(len(part)), "handle": handle, "patience": patience, "notes": notes}
        for note in notes:
            warnings.warn(f"queue '{queue}': {note}", CallsWarning, stacklevel=2)
        if by_time_of_day:
            hour = part["arrival"].dt.hour
            bands = {"morning": hour < 12, "afternoon": (hour >= 12) & (hour < 17), "evening": hour >= 17}
            entry["bands"] = {}
            for band, mask in bands.items():
                sub = part[mask.to_numpy()]
                if len(sub) >= min_calls_per_band:
                    h, p, n = _profile_part(sub)
                    entry["bands"][band] = {"calls": int(len(sub)), "handle": h, "patience": p, "notes": n}
        result["queues"][str(queue)] = entry
    return result
