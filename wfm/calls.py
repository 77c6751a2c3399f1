"""Call-detail records (one row per call) into interval history and behaviour profiles.

An ACD export has one row per call. The canonical per-call frame is:

``queue``    string (``"default"`` when absent)
``arrival``  arrival timestamp (local wall-clock time)
``wait``     seconds in queue before answer or hang-up (>= 0)
``handle``   talk + hold + wrap seconds of answered calls (0 / empty when abandoned)
``outcome``  ``answered`` or ``abandoned``

Real exports hold a few rows that cannot be real calls (recording glitches: answered
with no handle time, negative waits, rows written twice, a date far from the rest).
:func:`screen_calls` sets those aside with their reason instead of refusing the month,
and refuses only when they are too many to be glitches.

From it, :func:`aggregate_calls` writes the interval table every other command reads,
and :func:`profile_calls` learns the handle-time and patience distributions. Patience
is *censored*: an abandoned call shows its caller's patience (its wait), an answered
call only shows that the patience was longer than its wait. Treating answered waits as
patience, or ignoring them, biases the estimate badly. Erlang A gets the censored
exponential estimate (abandonments / total time waited); simulation gets the
Kaplan–Meier curve (lifelines) with a tail that stays close to the data; parametric
survival fits are reported for information.
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
from wfm.localtime import wall_clock

OUTCOMES = ("answered", "abandoned")
# Fewer abandoned calls than this and the patience estimate is too noisy to size with.
MIN_ABANDONED_FOR_PATIENCE = 30
MIN_CALLS_FOR_HANDLE = 30


# Rows that cannot be real calls (recording glitches). A real month of ACD data has a
# few; more than this share of the rows means a column mapping mistake, not glitches.
MAX_REJECTED_SHARE = 0.02
# Calls on dates more than this many days from the rest of the log are not part of it
# (an epoch or far-future date written by a broken recorder).
MAX_GAP_DAYS = 7
REJECT_REASONS = {
    "handle_not_positive": "answered with handle time not > 0",
    "bad_wait": "wait not seconds >= 0",
    "duplicate": "exact duplicate of an earlier row",
    "outside_dates": "arrival outside the log's dates",
}


class CallsWarning(UserWarning):
    """Something the planner should know about a call log (e.g. too small to estimate)."""


@dataclass
class ScreenedCalls:
    """A call log split into the calls kept and the rows skipped as glitches.

    ``calls`` is the canonical frame (module docstring); ``rejected`` holds the skipped
    rows as they were read, with their data ``row`` number and ``reason`` first;
    ``counts`` is the number of rejected rows per reason (keys of ``REJECT_REASONS``).
    """

    calls: pd.DataFrame
    rejected: pd.DataFrame
    counts: dict[str, int]
    rows: int

    def summary(self) -> str:
        """One line for stderr and notes, e.g. '85 of 27,162 rows skipped (...)'.

        Returns
        -------
        str
            How many rows were skipped, of how many, by reason.
        """
        if not self.counts:
            return f"0 of {self.rows:,} rows skipped"
        parts = ", ".join(f"{n} {REJECT_REASONS[k]}" for k, n in self.counts.items())
        return f"{sum(self.counts.values())} of {self.rows:,} rows skipped as glitches ({parts})"


def _row(i: int) -> int:
    return int(i) + 1


def _shown(raw) -> str:
    return "empty" if pd.isna(raw) else f"'{shown(raw)}'"


def _outside_dates(arrival: pd.Series) -> tuple[np.ndarray, tuple]:
    """Rows whose date is cut off from the bulk of the log by more than MAX_GAP_DAYS.

    The log's dates are grown from the date of the median call outwards, as long as
    consecutive dates with calls are at most MAX_GAP_DAYS apart (a closed week stays in).
    """
    wall = wall_clock(arrival)
    day = wall.dt.normalize().to_numpy(dtype="datetime64[ns]")
    dates = np.unique(day)
    middle = int(np.searchsorted(dates, np.sort(day)[len(day) // 2]))
    gap = np.diff(dates) > np.timedelta64(MAX_GAP_DAYS, "D")
    first = middle
    while first > 0 and not gap[first - 1]:
        first -= 1
    last = middle
    while last < len(dates) - 1 and not gap[last]:
        last += 1
    span = (pd.Timestamp(dates[first]).date(), pd.Timestamp(dates[last]).date())
    return (day < dates[first]) | (day > dates[last]), span


def screen_calls(
    frame: pd.DataFrame,
    source: str = "calls",
    *,
    column_map: dict[str, str] | None = None,
    after_call_work: float = 0.0,
    timezone: str | None = None,
    strict: bool = False,
) -> ScreenedCalls:
    """Check a per-call table; keep the real calls and set aside rows that cannot be real.

    Rows that cannot be real calls (answered with a handle time that is not > 0, empty,
    negative or infinite waits, exact duplicate rows, arrivals on dates cut off from the
    rest of the log) are skipped and returned in ``rejected`` with their reason. When
    more than ``MAX_REJECTED_SHARE`` of the rows would be skipped, the log is refused:
    that many is a mapping mistake, not glitches. With ``strict`` the first such row is
    refused. Columns that do not fit at all (missing, unknown outcome, unparseable
    arrival) and calls out of arrival order are always refused.

    Parameters
    ----------
    frame : raw table.
    source : name for messages (the file).
    column_map : renames export columns to ours, e.g. ``{"StartTime": "arrival"}``.
    after_call_work : seconds of wrap to add to every answered call's handle time,
        for exports whose handle time lacks it.
    timezone : IANA zone of the site; arrivals with UTC offsets are converted to it.
    strict : refuse at the first row that cannot be real instead of skipping it.


    Returns
    -------
    ScreenedCalls
        ``calls`` (the canonical frame of the real calls), ``rejected`` (the skipped rows
        as read, with their data ``row`` number and ``reason``) and the counts per reason.

    Raises
    ------
    InputError
        When a column is missing or unusable, arrivals are out of order, more than
        ``MAX_REJECTED_SHARE`` of the rows cannot be real, or (``strict``) at the first such row.
    """
    raw = frame.reset_index(drop=True)
    frame = raw.copy()
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
    answered = (frame["outcome"] == "answered").to_numpy()
    wait = pd.to_numeric(frame["wait"], errors="coerce").to_numpy(dtype=float)
    handle = pd.to_numeric(frame["handle"], errors="coerce").to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        bad_wait = ~np.isfinite(wait) | (wait < 0)
        # An abandoned call's handle time is ignored, but a negative or infinite one
        # marks a broken record as surely as a bad wait does.
        bad_handle = np.where(answered, ~np.isfinite(handle) | (handle <= 0),
                              ~np.isnan(handle) & (~np.isfinite(handle) | (handle < 0)))
    duplicate = raw.duplicated(keep="first").to_numpy()
    outside, span = _outside_dates(frame["arrival"])
    reason = np.select(
        [bad_handle, bad_wait, duplicate, outside],
        ["handle_not_positive", "bad_wait", "duplicate", "outside_dates"], default="",
    )

    def message(i: int) -> str:
        kind = reason[i]
        if kind == "handle_not_positive":
            if answered[i]:
                return f"row {_row(i)} is an answered call with handle time {_shown(frame['handle'].iloc[i])}, expected seconds > 0"
            return f"row {_row(i)}, column 'handle' is {_shown(frame['handle'].iloc[i])}, expected seconds >= 0"
        if kind == "bad_wait":
            return f"row {_row(i)}, column 'wait' is {_shown(frame['wait'].iloc[i])}, expected seconds >= 0"
        if kind == "duplicate":
            return f"row {_row(i)} repeats an earlier row exactly"
        return (f"row {_row(i)} arrives at {frame['arrival'].iloc[i]}, outside the log's dates "
                f"({span[0]} to {span[1]})")

    rejected_mask = reason != ""
    if rejected_mask.any():
        first = int(np.flatnonzero(rejected_mask)[0])
        share = rejected_mask.mean()
        if strict:
            raise InputError(f"{source}: {message(first)}.")
        if share > MAX_REJECTED_SHARE:
            raise InputError(
                f"{source}: {int(rejected_mask.sum())} of {len(frame):,} rows ({share:.1%}) cannot be real calls "
                f"(first: {message(first)}); more than {MAX_REJECTED_SHARE:.0%} points to a column mapping mistake "
                f"rather than recording glitches (check --map, or fix the export)."
            )
    keep = ~rejected_mask
    kept = frame.loc[keep].copy()
    kept["wait"] = wait[keep]
    kept["handle"] = np.where(answered[keep], handle[keep] + after_call_work, 0.0)
    # ACD exports are written in arrival order per queue; disorder means a broken export
    # (or mixed files), which would silently corrupt a trace replay.
    for queue, idx in kept.groupby("queue", sort=False).groups.items():
        back = np.flatnonzero((kept.loc[idx, "arrival"].diff() < pd.Timedelta(0)).to_numpy())
        if back.size:
            i = int(idx[back[0]])
            raise InputError(
                f"{source}: row {_row(i)} arrives at {frame['arrival'].iloc[i]}, before the previous call of queue "
                f"'{shown(queue)}'; calls must be in arrival order."
            )
    rejected = raw.loc[rejected_mask].copy()
    rejected.insert(0, "reason", reason[rejected_mask])
    rejected.insert(0, "row", np.flatnonzero(rejected_mask) + 1)
    counts = {k: int((reason == k).sum()) for k in REJECT_REASONS if (reason == k).any()}
    calls = kept[["queue", "arrival", "wait", "handle", "outcome"]].reset_index(drop=True)
    return ScreenedCalls(calls=calls, rejected=rejected.reset_index(drop=True), counts=counts, rows=len(frame))


def validate_calls(frame: pd.DataFrame, source: str = "calls", **kwargs) -> pd.DataFrame:
    """The canonical frame of the real calls of a per-call table; see :func:`screen_calls`.

    Skipped glitch rows are announced with a :class:`CallsWarning`.

    Parameters
    ----------
    frame : DataFrame
        Raw per-call table.
    source : str
        Name for messages (the file).
    **kwargs
        ``column_map``, ``after_call_work``, ``timezone``, ``strict`` of :func:`screen_calls`.

    Returns
    -------
    DataFrame
        ``queue, arrival, wait, handle, outcome`` of the real calls, in arrival order.
    """
    screened = screen_calls(frame, source, **kwargs)
    if screened.counts:
        warnings.warn(f"{source}: {screened.summary()}.", CallsWarning, stacklevel=2)
    return screened.calls


def read_calls(path: str | Path, **kwargs) -> pd.DataFrame:
    """Read and validate a per-call CSV/XLSX/Parquet file; see :func:`validate_calls`.

    Parameters
    ----------
    path : str or Path
        Per-call log file; its name begins every warning and error sentence.
    **kwargs
        Options of :func:`screen_calls` (``column_map``, ``timezone``, ``strict`` ...).

    Returns
    -------
    DataFrame
        The real calls (see :func:`validate_calls`); skipped rows are only counted,
        in one :class:`CallsWarning`.
    """
    return validate_calls(read_table(path), str(path), **kwargs)


def screen_call_file(path: str | Path, **kwargs) -> ScreenedCalls:
    """Read a per-call CSV/XLSX/Parquet file and screen it; see :func:`screen_calls`.

    Parameters
    ----------
    path : str or Path
        CSV, XLSX or Parquet call log (read by its extension).
    **kwargs
        Passed on to :func:`screen_calls` unchanged.

    Returns
    -------
    ScreenedCalls
        The real calls, plus each skipped row with its reason, for a rejects file;
        nothing is warned.
    """
    return screen_calls(read_table(path), str(path), **kwargs)


def rejected_path(out: str | Path) -> Path:
    """Where the rows skipped for an output go: ``history.csv`` -> ``history.rejected.csv``.

    Parameters
    ----------
    out : str or Path
        The output file of ``wfm calls aggregate`` or ``profile``.

    Returns
    -------
    Path
        The file beside it that holds the skipped rows.

    Examples
    --------
    >>> rejected_path("out/history.csv").as_posix()
    'out/history.rejected.csv'
    """
    out = Path(out)
    return out.with_name(f"{out.stem}.rejected.csv")


def aggregate_calls(calls: pd.DataFrame, interval_minutes: int, answer_within: float = 20.0) -> pd.DataFrame:
    """Interval history from per-call records.

    Returns ``queue, ds, y, aht, answered, abandoned, service_level, asa``: ``y`` counts
    calls offered (answered + abandoned) by arrival interval; ``aht`` is the mean handle
    time of answered calls (NaN where none were answered); ``service_level`` is the
    share of offered calls answered within ``answer_within`` seconds (abandoned calls
    count as not answered in time); ``asa`` the mean wait of answered calls. Intervals
    with no calls between the first and last call of each day are written with zero
    volume, so a quiet interval is not mistaken for missing data.

    Parameters
    ----------
    calls : DataFrame
        Real calls, e.g. from :func:`validate_calls`.
    interval_minutes : int
        Interval length in minutes.
    answer_within : float
        Seconds for the ``service_level`` column.

    Returns
    -------
    DataFrame
        One row per queue and interval, columns as above.
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
    """Patience under right censoring: the exponential estimate Erlang A needs, the
    Kaplan–Meier survival curve for simulation, and parametric fits for information.

    Erlang A assumes exponential patience, so it gets the estimator that matches that
    assumption on censored data: the abandonment rate theta = abandonments / total time
    spent waiting (abandoned and answered callers alike), which equals P(abandon) /
    E[wait] (the Mandelbaum–Zeltyn relation). It needs no extrapolation: every second
    in it was observed. A parametric fit's mean, by contrast, is mostly decided by the
    tail beyond the longest observed wait, where the data say nothing; under heavy
    censoring a lognormal's AIC win can give a mean several times what the calls show.
    """
    from lifelines import ExponentialFitter, KaplanMeierFitter, LogNormalFitter, WeibullFitter

    abandonments = int(abandoned.sum())
    waited = float(wait.sum())
    # lifelines needs positive durations: a hang-up at 0 s is patience of (almost) 0.
    durations = np.maximum(wait, 1e-3)
    km = KaplanMeierFitter().fit(durations, event_observed=abandoned)
    sf = km.survival_function_.iloc[:, 0]
    observed_until = float(wait.max())
    survival_at_end = float(sf.iloc[-1])
    rate = abandonments / waited if waited > 0 else float("inf")
    grid = [10, 20, 30, 60, 90, 120, 180, 300, 600]
    out: dict = {
        "calls": int(wait.size),
        "abandoned": abandonments,
        "censored_share": float(1 - abandoned.mean()),
        "exponential": {
            "abandonments": abandonments,
            "seconds_waited": waited,
            "rate_per_second": rate,
            "mean": 1 / rate if rate > 0 else None,
            "p_abandon": float(abandoned.mean()),
            "mean_wait": float(wait.mean()),
        },
        "kaplan_meier": {
            "survival": {f"{t}": float(km.predict(t)) for t in grid},
            "median": None if not np.isfinite(km.median_survival_time_) else float(km.median_survival_time_),
            # Restricted to the longest observed wait: a lower bound on the mean when
            # the survival curve never reaches zero (heavy censoring).
            "restricted_mean": _restricted_mean(sf.index.to_numpy(dtype=float), sf.to_numpy(dtype=float)),
            "observed_until": observed_until,
            "survival_at_end": survival_at_end,
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
                params = {"scale": float(fitter.lambda_)}
                mean = float(fitter.lambda_)
            elif name == "weibull":
                lam, rho = float(fitter.lambda_), float(fitter.rho_)
                params = {"scale": lam, "shape": rho}
                mean = float(lam * math.exp(math.lgamma(1 + 1 / rho)))
            else:
                mu, sigma = float(fitter.mu_), float(fitter.sigma_)
                params = {"mu": mu, "sigma": sigma}
                mean = float(np.exp(mu + sigma**2 / 2))
            times = np.linspace(0.0, observed_until, 513)
            fitted = fitter.survival_function_at_times(np.maximum(times, 1e-3)).to_numpy(dtype=float)
            fits[name] = {
                **params, "aic": float(fitter.AIC_),
                # Comparable with the Kaplan–Meier restricted mean: how well the fit
                # follows the calls where there are calls.
                "restricted_mean": float(np.trapezoid(fitted, times)),
                # Mostly the fit's tail beyond the data: for information, never used.
                "mean_extrapolated": mean,
            }
    out["fits"] = fits
    out["best_fit"] = min(fits, key=lambda k: fits[k]["aic"]) if fits else None  # by AIC, for information
    # What Erlang A sizes with (and `wfm calls profile` prints).
    out["mean"] = out["exponential"]["mean"]
    out["mean_method"] = "abandonments / seconds waited (exponential, censoring-aware)"
    tail_rate, tail_from = _tail_rate(wait, abandoned, rate)
    out["kaplan_meier"]["tail_rate_per_second"] = tail_rate
    out["kaplan_meier"]["tail_from"] = tail_from
    quantiles = _patience_quantiles(km, tail_rate)
    out["sample_quantiles"] = [round(v, 3) for v in quantiles]
    out["simulation_mean"] = float(np.mean(quantiles))
    return out


# The simulation's tail beyond the data continues the abandonment rate seen over the
# last stretch of them: the waits past the start of the last 20% of hang-ups (and at
# least this many hang-ups, so that the rate is not noise).
TAIL_SHARE = 0.2
MIN_TAIL_ABANDONMENTS = 30


def _tail_rate(wait: np.ndarray, abandoned: np.ndarray, overall: float) -> tuple[float, float]:
    """Hang-ups per second waited past ``t0`` by the callers still waiting there, with
    ``t0`` the wait at which the last ``TAIL_SHARE`` of hang-ups begins; the overall
    rate (from 0 s) when there are too few hang-ups to measure the late one."""
    hang_ups = np.sort(wait[abandoned])
    k = max(MIN_TAIL_ABANDONMENTS, int(TAIL_SHARE * hang_ups.size))
    if hang_ups.size < 2 * MIN_TAIL_ABANDONMENTS:
        return overall, 0.0
    t0 = float(hang_ups[-k])
    past = wait >= t0
    exposure = float((wait[past] - t0).sum())
    if exposure <= 0:
        return overall, 0.0
    return float((abandoned & past).sum() / exposure), t0


def _restricted_mean(times: np.ndarray, surv: np.ndarray) -> float:
    """Area under a right-continuous step survival curve from 0 to its last time."""
    t = np.r_[0.0, times]
    s = np.r_[1.0, surv]
    return float(np.sum(s[:-1] * np.diff(t)))


def _patience_quantiles(km, rate: float) -> list[float]:
    """The patience quantile function for simulation: Kaplan–Meier where it is
    observed, and beyond the longest observed wait (where censoring hides the tail) an
    exponential tail at the abandonment rate of the data's last stretch, so the tail
    adds S(end) / rate to the mean instead of whatever a fitted distribution
    extrapolates."""
    sf = km.survival_function_.iloc[:, 0]
    times, surv = sf.index.to_numpy(dtype=float), sf.to_numpy(dtype=float)
    end, s_end = float(times[-1]), float(surv[-1])
    out = []
    for p in SAMPLE_PROBABILITIES:
        reached = np.flatnonzero(surv <= 1 - p)
        if reached.size:
            out.append(float(times[reached[0]]))
        elif rate > 0 and np.isfinite(rate):
            out.append(end + float(-np.log((1 - p) / s_end) / rate))
        else:
            out.append(float("inf"))
    return out


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


BANDS = ("morning", "afternoon", "evening")


def time_bands(times: pd.Series) -> np.ndarray:
    """The profile's time band of each local time: morning before 12:00, afternoon
    12:00-17:00, evening from 17:00.

    Parameters
    ----------
    times : Series
        Local arrival times.

    Returns
    -------
    ndarray of str
        ``"morning"``, ``"afternoon"`` or ``"evening"`` per time.
    """
    hour = times.dt.hour.to_numpy()
    return np.where(hour < 12, "morning", np.where(hour < 17, "afternoon", "evening"))


def profile_calls(calls: pd.DataFrame, *, by_time_of_day: bool = True, min_calls_per_band: int = 2000) -> dict:
    """Learn per queue the handle-time and patience distributions.

    Returns a JSON-ready dict ``{"queues": {name: {"handle": ..., "patience": ...,
    "bands": {...}, "notes": [...]}}}``. ``handle`` holds empirical quantiles and
    lognormal / gamma fits with their Kolmogorov–Smirnov distance; ``patience`` holds
    the Kaplan–Meier survival at fixed times, its median and restricted mean, and
    exponential / Weibull / lognormal fits under right censoring with their AIC (for
    information); ``mean`` is abandonments / seconds waited (what Erlang A sizing
    uses, per band where a band has its own) and ``sample_quantiles`` the survival
    curve the simulation draws from. With
    ``by_time_of_day``, the same is given for morning (before 12:00), afternoon
    (12:00–17:00) and evening bands that have at least ``min_calls_per_band`` calls.

    Parameters
    ----------
    calls : DataFrame
        Real calls, e.g. from :func:`validate_calls`.
    by_time_of_day : bool
        Also learn each time band that has enough calls.
    min_calls_per_band : int
        Calls a band needs to get its own entry.

    Returns
    -------
    dict
        The profile, as ``wfm calls profile`` writes it to JSON.
    """
    result: dict = {"queues": {}}
    for queue, part in calls.groupby("queue", sort=True):
        handle, patience, notes = _profile_part(part)
        entry: dict = {"calls": int(len(part)), "handle": handle, "patience": patience, "notes": notes}
        for note in notes:
            warnings.warn(f"queue '{queue}': {note}", CallsWarning, stacklevel=2)
        if by_time_of_day:
            band_of = time_bands(part["arrival"])
            entry["bands"] = {}
            for band in BANDS:
                sub = part[band_of == band]
                if len(sub) >= min_calls_per_band:
                    h, p, n = _profile_part(sub)
                    entry["bands"][band] = {"calls": int(len(sub)), "handle": h, "patience": p, "notes": n}
        result["queues"][str(queue)] = entry
    return result


def with_screening(profile: dict, screened: ScreenedCalls) -> dict:
    """The profile with the log's screening: rows read, calls kept, rows skipped by reason.

    Parameters
    ----------
    profile : dict
        What :func:`profile_calls` made of the kept calls; it is not changed.
    screened : ScreenedCalls
        The screening of the log the profile was learned from.

    Returns
    -------
    dict
        A shallow copy of ``profile`` with ``log`` (rows read, calls kept, rejected
        rows by reason) and one more note when rows were skipped.
    """
    out = dict(profile)
    out["log"] = {"rows": screened.rows, "calls": int(len(screened.calls)), "rejected": dict(screened.counts)}
    out["notes"] = list(profile.get("notes", [])) + ([f"{screened.summary()}."] if screened.counts else [])
    return out
