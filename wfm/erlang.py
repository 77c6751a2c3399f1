"""Queueing formulas for sizing: Erlang B, Erlang C and Erlang A, vectorised with numpy.

Every function takes numpy arrays (or scalars) of the same broadcastable shape, one
element per interval, and never loops in Python over intervals.

Units
-----
``load`` is the offered load in Erlangs: calls per second x AHT seconds
(:func:`offered_load` converts a per-interval volume). Times (``aht``,
``answer_within``, ``patience``, ASA) are seconds. ``agents`` are productive agents
(logged in and available for calls), not scheduled heads.

Numerical approach
------------------
Erlang B is computed from the Poisson distribution, B(n, a) = P(X = n) / P(X <= n)
for X ~ Poisson(a), with the log-pmf from ``gammaln`` and the cdf from the regularised
incomplete gamma ``gammaincc``. This needs no factorials and no recursion over n, stays
finite at 5,000+ Erlangs, and accepts fractional loads. Where n is so far below a that
the cdf underflows, the exact series 1/B = sum_k prod_{j<k} (n-j)/a is summed instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

from wfm import limits
from wfm.errors import InputError

__all__ = [
    "offered_load",
    "erlang_b",
    "erlang_c",
    "service_level",
    "asa",
    "occupancy",
    "erlang_a",
    "ErlangAResult",
    "required_agents",
    "scheduled_agents",
    "size_intervals",
    "ServiceTarget",
]

# A small tolerance for ceil() of ratios that are whole numbers in exact arithmetic
# (e.g. 8 Erlangs at 80% occupancy is exactly 10 agents, not 11).
_CEIL_TOL = 1e-9


def offered_load(volume, aht, interval_minutes):
    """Offered load in Erlangs: volume per interval x AHT (s) / interval length (s).

    Parameters
    ----------
    volume : float or array_like
        Calls offered per interval.
    aht : float or array_like
        Average handle time in seconds.
    interval_minutes : float
        Interval length in minutes.

    Returns
    -------
    float or ndarray
        Offered load in Erlangs, shaped like the broadcast inputs.

    Examples
    --------
    >>> float(offered_load(160, aht=180, interval_minutes=30))
    16.0
    """
    volume = np.asarray(volume, dtype=float)
    aht = np.asarray(aht, dtype=float)
    return volume * aht / (np.asarray(interval_minutes, dtype=float) * 60.0)


def _erlang_b_series(n: np.ndarray, a: np.ndarray) -> np.ndarray:
    """1 / sum_k prod_{j<k} (n - j)/a: exact, converges fast when n << a."""
    total = np.ones_like(a)
    term = np.ones_like(a)
    active = np.ones(a.shape, dtype=bool)
    k = 0
    while active.any():
        term = np.where(active, term * np.maximum(n - k, 0.0) / a, 0.0)
        total += term
        active &= term > 1e-17 * total
        k += 1
    return 1.0 / total


def _log_erlang_b(n: np.ndarray, a: np.ndarray) -> np.ndarray:
    """log B(n, a) for a > 0: finite even where B itself underflows (n far above a)."""
    with np.errstate(divide="ignore", under="ignore", over="ignore", invalid="ignore"):
        log_pmf = n * np.log(a) - a - special.gammaln(n + 1.0)
        cdf = special.gammaincc(n + 1.0, a)
        log_b = log_pmf - np.log(cdf)
    tiny = ~(cdf > 1e-280) | ~np.isfinite(log_b)
    if tiny.any():
        log_b[tiny] = np.log(_erlang_b_series(n[tiny], a[tiny]))
    return np.where(n <= 0, 0.0, np.minimum(log_b, 0.0))


def erlang_b(agents, load):
    """Erlang B blocking probability for ``agents`` servers and ``load`` Erlangs.

    Parameters
    ----------
    agents : array_like of int
        Number of servers (>= 0).
    load : array_like of float
        Offered load in Erlangs (>= 0).

    Returns
    -------
    ndarray
        Probability that an arriving call finds all servers busy (no queue).
    """
    n = np.asarray(agents, dtype=float)
    a = np.asarray(load, dtype=float)
    n, a = np.broadcast_arrays(n, a)
    out = np.empty(n.shape, dtype=float)
    zero_load = a <= 0
    out[zero_load] = np.where(n[zero_load] <= 0, 1.0, 0.0)
    pos = ~zero_load
    if pos.any():
        with np.errstate(under="ignore"):
            out[pos] = np.exp(_log_erlang_b(n[pos], a[pos]))
    return out if out.ndim else float(out)


def erlang_c(agents, load):
    """Erlang C probability that a call waits (M/M/n, infinite patience).

    Equals 1 when ``agents <= load`` (the queue grows without bound) and 0 with no load.

    Parameters
    ----------
    agents : int or array_like
        Productive agents on the phones; at or below ``load`` every call waits.
    load : float or array_like
        Offered load in Erlangs (see :func:`offered_load`), broadcast against
        ``agents``.

    Returns
    -------
    float or ndarray
        Probability that an arriving call waits, in [0, 1].

    Examples
    --------
    10 agents answering 8 Erlangs: 40.9% of callers wait.

    >>> round(float(erlang_c(agents=10, load=8.0)), 4)
    0.4092
    >>> float(erlang_c(agents=8, load=8.0))
    1.0
    """
    n = np.asarray(agents, dtype=float)
    a = np.asarray(load, dtype=float)
    n, a = np.broadcast_arrays(n, a)
    b = np.asarray(erlang_b(n, a), dtype=float)
    stable = n > a
    with np.errstate(divide="ignore", invalid="ignore"):
        c = b / (1.0 - (a / n) * (1.0 - b))
    c = np.where(stable, np.clip(c, 0.0, 1.0), 1.0)
    c = np.where(a <= 0, 0.0, c)
    return c if c.ndim else float(c)


def service_level(agents, load, aht, answer_within):
    """Erlang C service level: share of calls answered within ``answer_within`` seconds.

    SL = 1 - C(n, a) * exp(-(n - a) * answer_within / aht); 0 when n <= a, 1 with no load.

    Parameters
    ----------
    agents : int or array_like
        Productive agents; the surplus ``agents - load`` sets how fast the queue drains.
    load : float or array_like
        Erlangs offered in the interval.
    aht : float or array_like
        Seconds per call, talk plus wrap; the wait scale ``answer_within / aht``
        depends on it.
    answer_within : float
        Seconds a call may wait and still count as answered in time (the 20 of 80/20).

    Returns
    -------
    float or ndarray
        Fraction in [0, 1] of offered calls answered within ``answer_within``
        seconds (a float for scalar input).

    Examples
    --------
    >>> round(float(service_level(agents=10, load=8.0, aht=180, answer_within=20)), 4)
    0.6724
    """
    n = np.asarray(agents, dtype=float)
    a = np.asarray(load, dtype=float)
    aht = np.asarray(aht, dtype=float)
    t = np.asarray(answer_within, dtype=float)
    c = np.asarray(erlang_c(n, a), dtype=float)
    with np.errstate(over="ignore", invalid="ignore"):
        sl = 1.0 - c * np.exp(-(n - a) * t / aht)
    sl = np.where(n > a, np.clip(sl, 0.0, 1.0), 0.0)
    sl = np.where(a <= 0, 1.0, sl)
    return sl if sl.ndim else float(sl)


def asa(agents, load, aht):
    """Erlang C average speed of answer in seconds (mean wait over all calls).

    ASA = C(n, a) * aht / (n - a); infinite when n <= a, 0 with no load.

    Parameters
    ----------
    agents : int or array_like
        Agents taking calls; ASA is infinite unless they exceed ``load``.
    load : float or array_like
        Traffic in Erlangs (arrival rate times ``aht``).
    aht : float or array_like
        Handle time in seconds: the ASA scales with it at a fixed load.

    Returns
    -------
    float or ndarray
        Seconds, averaged over every call including those answered at once
        (``inf`` for an unstable queue).

    Examples
    --------
    >>> round(float(asa(agents=10, load=8.0, aht=180)), 1)
    36.8
    """
    n = np.asarray(agents, dtype=float)
    a = np.asarray(load, dtype=float)
    aht = np.asarray(aht, dtype=float)
    c = np.asarray(erlang_c(n, a), dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.where(n > a, c * aht / (n - a), np.inf)
    w = np.where(a <= 0, 0.0, w)
    return w if w.ndim else float(w)


def occupancy(agents, load):
    """Share of logged-in time agents are busy: load / agents, capped at 1 (0 with no agents).

    Parameters
    ----------
    agents : int or array_like
        Logged-in productive agents (0 gives occupancy 0, not a division error).
    load : float or array_like
        Erlangs of work those agents face.

    Returns
    -------
    float or ndarray
        Busy share of logged-in time, in [0, 1]; capped at 1 once ``load``
        reaches ``agents``.
    """
    n = np.asarray(agents, dtype=float)
    a = np.asarray(load, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        occ = np.where(n > 0, np.minimum(a / n, 1.0), 0.0)
    return occ if occ.ndim else float(occ)


@dataclass(frozen=True)
class ErlangAResult:
    """Steady-state measures of the M/M/n+M (Erlang A) queue, one element per interval.

    Attributes
    ----------
    p_wait : probability an arriving call finds all agents busy.
    p_abandon : share of offered calls that hang up before being answered.
    service_level : share of *offered* calls answered within the target
        (abandoned calls count as not answered within the target).
    asa : mean wait of *answered* calls, seconds.
    occupancy : busy agents / agents.
    """

    p_wait: np.ndarray
    p_abandon: np.ndarray
    service_level: np.ndarray
    asa: np.ndarray
    occupancy: np.ndarray


# Bound on the work array (rows x queue states) of one Erlang A chunk.
_ERLANG_A_CHUNK = 4_000_000


def erlang_a(agents, load, aht, patience, answer_within) -> ErlangAResult:
    """Erlang A (M/M/n+M) measures from the exact birth-death stationary distribution.

    Arrivals are Poisson with rate lambda = load / aht, handle times exponential with
    mean ``aht``, callers' patience exponential with mean ``patience`` (seconds).

    Derivation (so the code can be checked): with r = aht / patience, the stationary
    probabilities relative to state n (all agents busy, empty queue) are
    ``sum_{k<=n} pi_k / pi_n = 1 / B(n, a)`` (Erlang B) and, for j callers waiting,
    ``t_j = pi_{n+j} / pi_n = prod_{i=1..j} a / (n + i r)``. A caller arriving (PASTA)
    to find j waiting moves up at rate n mu + i theta while i callers are ahead and
    leaves at rate theta, so it is served with probability n / (n + (j+1) r) and,
    given service, its wait is a sum of exponentials with rates mu (n + i r),
    i = 1..j+1, whose distribution function is the regularised incomplete beta
    I_{1 - exp(-theta t)}(j + 1, n / r + 1). Hence

    - P(abandon) = sum_j pi_{n+j} (j+1) r / (n + (j+1) r)
    - SL(t) = P(k < n) + sum_j pi_{n+j} n/(n+(j+1)r) I_{1-e^{-theta t}}(j+1, n/r+1)
    - ASA (answered) = sum_j pi_{n+j} n/(n+(j+1)r) sum_{i=1..j+1} aht/(n + i r) / P(served)

    The queue-length sums run over a window around the peak of the tail, wide enough
    that what lies outside is below double precision.

    Parameters
    ----------
    agents : int or array_like
        Productive agents on the phones; may be below ``load``, since callers
        who hang up keep the queue stable.
    load : float or array_like
        Offered load in Erlangs, including calls that will abandon.
    aht : float or array_like
        Mean handle time of answered calls in seconds (1 / mu).
    patience : float or array_like
        Mean time in seconds a caller waits before hanging up (1 / theta);
        ``r = aht / patience`` above.
    answer_within : float
        Target answer time in seconds for ``service_level``.

    Returns
    -------
    ErlangAResult
        ``p_wait``, ``p_abandon``, ``service_level`` (share of offered calls answered in
        time; abandoned calls count as not), ``asa`` (mean wait of answered calls, seconds)
        and ``occupancy``.

    Examples
    --------
    The worked example of the README's reference: callers who hang up after 300 s on
    average lift the service level of 10 agents on 8 Erlangs from 67% to 78%.

    >>> result = erlang_a(agents=10, load=8.0, aht=180, patience=300, answer_within=20)
    >>> round(float(result.service_level), 3), round(float(result.p_abandon), 3)
    (0.783, 0.042)
    """
    n, a, aht_, pat, t = np.broadcast_arrays(
        np.asarray(agents, dtype=float),
        np.asarray(load, dtype=float),
        np.asarray(aht, dtype=float),
        np.asarray(patience, dtype=float),
        np.asarray(answer_within, dtype=float),
    )
    shape = n.shape
    n, a, aht_, pat, t = (x.ravel() for x in (n, a, aht_, pat, t))
    size = n.size
    p_wait = np.zeros(size)
    p_ab = np.zeros(size)
    sl = np.ones(size)
    wait = np.zeros(size)
    occ = np.zeros(size)

    live = a > 0
    idx_live = np.flatnonzero(live)
    if idx_live.size:
        r_all = aht_ / pat
        log_b_all = np.zeros(size)
        log_b_all[idx_live] = _log_erlang_b(n[idx_live], a[idx_live])
        # The tail t_j is log-concave in j with its peak near (a - n) / r and a spread of
        # about sqrt(a / r) (a geometric-like decay when n > a): a window of +-14 spreads
        # around the peak carries all the mass to double precision.
        spread = np.sqrt(np.maximum(a, 1.0) / np.minimum(r_all, 1.0)) + np.sqrt(np.maximum(a, 1.0) / r_all)
        peak = np.maximum(a - n, 0.0) / r_all
        j_lo = np.maximum(np.floor(peak - 14.0 * spread), 0.0)
        width = (np.ceil(peak + 14.0 * spread + 60.0) - j_lo).astype(np.int64)
        order = idx_live[np.argsort(width[idx_live], kind="stable")]
        start = 0
        while start < order.size:
            # Group rows of similar width so the 2-D work array stays bounded.
            stop = start + 1
            while stop < order.size and (stop - start + 1) * width[order[stop]] <= _ERLANG_A_CHUNK:
                stop += 1
            rows = order[start:stop]
            _erlang_a_rows(rows, int(width[rows].max()), j_lo[rows], n, a, aht_, r_all, t, log_b_all,
                           p_wait, p_ab, sl, wait, occ)
            start = stop
    return ErlangAResult(
        p_wait=p_wait.reshape(shape),
        p_abandon=p_ab.reshape(shape),
        service_level=sl.reshape(shape),
        asa=wait.reshape(shape),
        occupancy=occ.reshape(shape),
    )


def _erlang_a_rows(rows, width, j_lo, n, a, aht, r, t, log_b, p_wait, p_ab, sl, wait, occ):
    """Erlang A measures for a block of rows over the queue-length window j_lo .. j_lo+width."""
    nn = n[rows][:, None]
    aa = a[rows][:, None]
    rr = r[rows][:, None]
    tt = t[rows][:, None]
    hh = aht[rows][:, None]
    x_n = nn / rr  # n / r, the shift in the closed forms below
    jj = j_lo[:, None] + np.arange(width + 1, dtype=float)[None, :]
    # log t_j = j log a - sum_{i=1..j} log(n + i r) = j log(a/r) - [lnG(n/r + j + 1) - lnG(n/r + 1)]
    log_t = jj * (np.log(aa) - np.log(rr)) - (special.gammaln(x_n + jj + 1.0) - special.gammaln(x_n + 1.0))
    log_low = -log_b[rows][:, None]  # sum_{k<=n} pi_k / pi_n (includes state n, j = 0)
    # States below n matter only when the window starts at j = 0; otherwise the peak is
    # so far out that they are negligible (the sequence is log-concave).
    at_zero = (j_lo == 0)[:, None]
    log_low = np.where(at_zero, log_low, -np.inf)
    top = np.maximum(log_t.max(axis=1, keepdims=True), log_low)
    w = np.exp(log_t - top)
    low = np.exp(log_low - top)
    first = np.where(at_zero, w[:, :1], 0.0)  # state n itself is counted in `low`
    z = low + w.sum(axis=1, keepdims=True) - first
    pi_tail = w / z  # pi_{n+j}
    p_below = np.clip(((low - first) / z)[:, 0], 0.0, 1.0)  # P(k < n)
    served = np.where(nn > 0, nn / (nn + (jj + 1.0) * rr), 0.0)
    theta = rr / hh  # 1 / patience
    x = np.broadcast_to(-np.expm1(-theta * tt), jj.shape)
    with np.errstate(invalid="ignore"):
        within = special.betainc(jj + 1.0, np.where(nn > 0, x_n + 1.0, 1.0), x)
    within = np.where(nn > 0, within, 0.0)
    # Mean wait of a caller served after finding j waiting: sum_{i=1..j+1} aht / (n + i r)
    # = aht / r * (psi(n/r + j + 2) - psi(n/r + 1)).
    with np.errstate(invalid="ignore"):
        mean_wait = np.where(nn > 0, hh / rr * (special.digamma(x_n + jj + 2.0) - special.digamma(x_n + 1.0)), 0.0)
    p_served = p_below + (pi_tail * served).sum(axis=1)
    p_wait[rows] = np.clip(1.0 - p_below, 0.0, 1.0)
    p_ab[rows] = np.clip((pi_tail * (1.0 - served)).sum(axis=1), 0.0, 1.0)
    sl[rows] = np.clip(p_below + (pi_tail * served * within).sum(axis=1), 0.0, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        wait[rows] = np.where((p_served > 0) & (n[rows] > 0), (pi_tail * served * mean_wait).sum(axis=1) / p_served, np.inf)
        # Busy agents = offered load x share served (the load that abandons is never worked).
        occ[rows] = np.where(n[rows] > 0, np.minimum(a[rows] * p_served / n[rows], 1.0), 0.0)


# --- required agents --------------------------------------------------------------


@dataclass(frozen=True)
class ServiceTarget:
    """What a queue promises its callers, and the limits on agents.

    Exactly one of ``service_level`` (with ``answer_within``) or ``asa`` is the target.

    Parameters
    ----------
    service_level : float, optional
        Share of calls to answer within ``answer_within`` seconds, in (0, 1).
    answer_within : float
        Seconds for the service-level target (e.g. 20 for "80/20").
    asa : float, optional
        Average speed of answer target in seconds (> 0); replaces the service level.
    max_occupancy : float
        Highest occupancy allowed, in (0, 1].
    shrinkage : float
        Share of paid time not available for calls, in [0, 1).
    model : {"erlang-c", "erlang-a"}
    patience : float, optional
        Mean caller patience in seconds (required for Erlang A).
    """

    service_level: float | None = 0.8
    answer_within: float = 20.0
    asa: float | None = None
    max_occupancy: float = 1.0
    shrinkage: float = 0.0
    model: str = "erlang-c"
    patience: float | None = None

    def __post_init__(self) -> None:
        if self.asa is not None:
            if not np.isfinite(self.asa) or self.asa <= 0:
                raise InputError(f"asa: {self.asa} is not a positive number of seconds.")
        else:
            if self.service_level is None:
                raise InputError("service target: give a service level (with answer_within) or an ASA.")
            if not (0.0 < self.service_level < 1.0):
                raise InputError(f"service_level: {self.service_level} is not between 0 and 1 (exclusive).")
            if not np.isfinite(self.answer_within) or self.answer_within < 0:
                raise InputError(f"answer_within: {self.answer_within} is not a number of seconds >= 0.")
        if not (0.0 < self.max_occupancy <= 1.0):
            raise InputError(f"max_occupancy: {self.max_occupancy} is not in (0, 1].")
        if not (0.0 <= self.shrinkage < 1.0):
            raise InputError(f"shrinkage: {self.shrinkage} is not in [0, 1).")
        if self.model not in ("erlang-c", "erlang-a"):
            raise InputError(f"model: '{self.model}' is not one of erlang-c, erlang-a.")
        if self.model == "erlang-a":
            if self.patience is None or not np.isfinite(self.patience) or self.patience <= 0:
                raise InputError(f"patience: {self.patience} is not a positive number of seconds (Erlang A needs it).")
            # Erlang A's queue window grows with sqrt(patience / AHT): cap it so sizing stays bounded.
            limits.check_seconds(self.patience, "patience", limits.MAX_PATIENCE_SECONDS)


def _meets_erlang_a(target: ServiceTarget, n, a, aht):
    """Whether n agents meet an Erlang A target and the occupancy cap."""
    res = erlang_a(n, a, aht, target.patience, target.answer_within)
    # With abandonment only answered calls keep agents busy: cap the real occupancy.
    busy_ok = res.occupancy <= target.max_occupancy + 1e-12
    if target.asa is not None:
        return (res.asa <= target.asa * (1 + 1e-12)) & busy_ok
    return (res.service_level >= target.service_level - 1e-12) & busy_ok


def _erlang_c_search(target: ServiceTarget, a: np.ndarray, aht: np.ndarray) -> np.ndarray:
    """Smallest n > a meeting an Erlang C target, stepping n up with Erlang B's recursion.

    Each step costs a few multiplications: B(n+1) = a B(n) / (n + 1 + a B(n)); only the
    first B, at n = floor(a) + 1, needs the incomplete gamma function.
    """
    n = np.floor(a) + 1.0
    b = np.exp(_log_erlang_b(n, a))
    result = np.empty_like(a)
    todo = np.arange(a.size)
    t = target.answer_within
    while todo.size:
        aa, nn, bb, hh = a[todo], n[todo], b[todo], aht[todo]
        c = bb / (1.0 - (aa / nn) * (1.0 - bb))
        if target.asa is not None:
            ok = c * hh / (nn - aa) <= target.asa * (1 + 1e-12)
        else:
            ok = 1.0 - c * np.exp(-(nn - aa) * t / hh) >= target.service_level - 1e-12
        result[todo[ok]] = nn[ok]
        keep = ~ok
        todo = todo[keep]
        bb, nn, aa = bb[keep], nn[keep] + 1.0, aa[keep]
        b[todo] = aa * bb / (nn + aa * bb)
        n[todo] = nn
    return result


def required_agents(load, aht, target: ServiceTarget) -> np.ndarray:
    """Fewest productive agents per interval that meet ``target`` (vectorised).

    The answer is the smallest n with the service measure met and occupancy
    ``load / n <= max_occupancy``; zero load needs zero agents.

    Erlang C needs n > load, so its search starts at floor(load) + 1 and steps up
    only the intervals still short (a handful of vectorised passes, since the
    answer lies within a few sqrt(load) of the load), each step using Erlang B's
    recursion rather than special functions. Erlang A may need fewer agents
    than the load (callers hang up), so it bisects between 0 and a doubling bound.
    Both measures rise monotonically with n, so the first n that meets the target
    is the minimum.

    Parameters
    ----------
    load : float or array_like
        Offered load in Erlangs per interval.
    aht : float or array_like
        Average handle time in seconds.
    target : ServiceTarget
        The service measure, the occupancy cap and the sizing model.

    Returns
    -------
    ndarray of int
        Productive agents per interval (before shrinkage; see :func:`scheduled_agents`).

    Raises
    ------
    InputError
        When a load is negative, not finite or above :data:`wfm.limits.MAX_OFFERED_LOAD`.

    Examples
    --------
    >>> import numpy as np
    >>> target = ServiceTarget(service_level=0.8, answer_within=20)
    >>> required_agents(np.array([0.0, 8.0, 26.7]), aht=180, target=target)
    array([ 0, 11, 32])
    """
    a = np.asarray(load, dtype=float)
    aht = np.broadcast_to(np.asarray(aht, dtype=float), a.shape)
    if np.any(~np.isfinite(a)) or np.any(a < 0):
        raise InputError("load: every offered load must be a finite number >= 0.")
    limits.check_offered_load(a.ravel())
    need = np.zeros(a.shape, dtype=np.int64)
    live = a > 0
    if not live.any():
        return need
    al, hl = a[live], aht[live]
    if target.model == "erlang-a":
        lo = np.zeros(al.shape)  # lo never meets (0 agents serve nobody), hi always does
        hi = np.maximum(np.ceil(al), 1.0)
        while True:
            ok = _meets_erlang_a(target, hi, al, hl)
            if ok.all():
                break
            lo = np.where(ok, lo, hi)
            hi = np.where(ok, hi, hi * 2.0)
        while np.any(hi - lo > 1):
            mid = np.floor((lo + hi) / 2.0)
            ok = _meets_erlang_a(target, mid, al, hl)
            hi = np.where(ok, mid, hi)
            lo = np.where(ok, lo, mid)
        need[live] = hi.astype(np.int64)
        return need
    else:
        n = _erlang_c_search(target, al, hl)
    # Erlang C occupancy is load / n: the cap is the smallest n with load / n <= max.
    n_occ = np.ceil(al / target.max_occupancy - _CEIL_TOL)
    need[live] = np.maximum(n, n_occ).astype(np.int64)
    return need


def scheduled_agents(agents, shrinkage: float) -> np.ndarray:
    """Heads to schedule so that ``agents`` remain after shrinkage: ceil(n / (1 - s)).

    Parameters
    ----------
    agents : int or array_like
        Productive agents needed per interval.
    shrinkage : float
        Share of paid time not available for calls, in [0, 1).

    Returns
    -------
    ndarray of int
        Heads to schedule per interval.

    Examples
    --------
    >>> scheduled_agents([10, 11], shrinkage=0.3)
    array([15, 16])
    """
    n = np.asarray(agents, dtype=float)
    return np.ceil(n / (1.0 - shrinkage) - _CEIL_TOL).astype(np.int64)


def _erlang_c_kpis(agents, load, aht, answer_within) -> dict:
    return {
        "service_level": service_level(agents, load, aht, answer_within),
        "asa": asa(agents, load, aht),
        "occupancy": occupancy(agents, load),
        "p_wait": erlang_c(agents, load),
    }


def _fill_unanswered_aht(frame: pd.DataFrame, volume: np.ndarray, handle: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Handle times for intervals whose history answered no call (empty ``aht``).

    With no calls (``y`` = 0) no agents are needed, whatever the handle time, and the
    row keeps an empty ``aht`` (returned as ``quiet``). Calls that were all abandoned
    still need agents: they get the queue's volume-weighted AHT over its other rows.
    """
    missing = np.isnan(handle)
    quiet = missing & (volume == 0)
    if not missing.any():
        return handle, quiet
    handle = handle.copy()
    queues = frame["queue"].to_numpy() if "queue" in frame.columns else np.zeros(len(frame))
    for queue in pd.unique(queues[missing]):
        mine = queues == queue
        known = mine & ~missing
        weight = volume[known]
        if known.any():
            mean = np.average(handle[known], weights=weight) if weight.sum() > 0 else handle[known].mean()
        else:
            mean = 1.0 if not (mine & missing & ~quiet).any() else np.nan  # no calls at all: any value sizes 0
        handle[mine & missing] = mean
    return handle, quiet


def size_intervals(frame: pd.DataFrame, interval_minutes: int, target: ServiceTarget | None = None, *,
                   aht: float | None = None, volume_column: str = "y", source: str = "volumes") -> pd.DataFrame:
    """Size every interval of a long table: agents needed and the KPIs they deliver.

    Parameters
    ----------
    frame : DataFrame
        Canonical interval table (``queue, ds, y`` and optionally ``aht`` seconds),
        e.g. from :func:`wfm.data.read_intervals`.
    interval_minutes : int
        Interval length in minutes.
    target : ServiceTarget, optional
        Service level or ASA, occupancy cap, shrinkage, Erlang C or A (with patience);
        default ``ServiceTarget()``: 80% answered within 20 s, Erlang C.
    aht : float, optional
        AHT in seconds for rows without one (the ``aht`` column wins where present).
    volume_column : str
        Column with the volumes (``y``; ``y_hat`` for a forecast).
    source : str
        Where the table came from, named in the sentence when a row is above a limit
        of :mod:`wfm.limits`.

    Returns
    -------
    DataFrame
        ``queue, ds, y, aht, agents, scheduled, service_level, asa, occupancy, p_wait``
        and ``p_abandon`` for Erlang A. ``agents`` are productive agents, ``scheduled``
        the heads to schedule after shrinkage. KPIs are those ``agents`` deliver;
        ``asa`` is seconds (mean over all calls for Erlang C, over answered calls for
        Erlang A). ``attrs["notes"]`` holds plain sentences on what the sizing assumed
        (the model, handle times filled in); pandas keeps them through copies and
        selections, and Streamlit's cache can still hash the table.

    Examples
    --------
    >>> import pandas as pd
    >>> from wfm import data
    >>> table = pd.DataFrame({"ds": pd.date_range("2024-01-08 09:00", periods=3, freq="15min"),
    ...                       "y": [100, 120, 90]})
    >>> frame, minutes = data.validate_intervals(table, "example")
    >>> sized = size_intervals(frame, minutes, ServiceTarget(service_level=0.8, answer_within=20), aht=240)
    >>> sized[["y", "agents", "scheduled"]].to_dict("list")
    {'y': [100.0, 120.0, 90.0], 'agents': [32, 37, 29], 'scheduled': [32, 37, 29]}
    >>> sized.attrs["notes"]
    ['Sized with Erlang C: exponential handle times, callers never hang up.']
    """
    if target is None:
        target = ServiceTarget()
    if not isinstance(target, ServiceTarget):
        raise InputError(f"target: {target!r} is not a ServiceTarget, expected e.g. ServiceTarget(0.8, 20).")
    shrinkage, model, patience, answer_within = target.shrinkage, target.model, target.patience, target.answer_within
    if volume_column not in frame.columns:
        raise InputError(f"volume column '{volume_column}' is missing from the table.")
    volume = frame[volume_column].to_numpy(dtype=float)
    if "aht" in frame.columns:
        handle = frame["aht"].to_numpy(dtype=float)
        if aht is not None:
            handle = np.where(np.isnan(handle), aht, handle)
    elif aht is not None:
        handle = np.full(len(frame), float(aht))
    else:
        raise InputError("aht: the table has no 'aht' column; give the average handle time in seconds (--aht).")
    if aht is not None and (not np.isfinite(aht) or aht <= 0):
        raise InputError(f"aht: {aht} is not a positive number of seconds.")
    filled = int(np.isnan(handle).sum())
    handle, quiet = _fill_unanswered_aht(frame, volume, handle)
    if np.any(~np.isfinite(handle)) or np.any(handle <= 0):
        i = int(np.flatnonzero(~np.isfinite(handle) | (handle <= 0))[0])
        raise InputError(f"aht: row {i + 1} has {handle[i]}, expected seconds > 0.")
    # Refuse sizes whose answer could not be computed in bounded time, naming the row.
    limits.check_calls_per_interval(volume, source, volume_column)
    limits.check_seconds(handle, "aht", limits.MAX_AHT_SECONDS, source)
    load = offered_load(volume, handle, interval_minutes)
    limits.check_offered_load(load, source)
    agents = required_agents(load, handle, target)
    out = frame[[c for c in ("queue", "ds") if c in frame.columns]].copy()
    out["y"] = volume
    out["aht"] = np.where(quiet, np.nan, handle)
    out["agents"] = agents
    out["scheduled"] = scheduled_agents(agents, shrinkage)
    if model == "erlang-a":
        res = erlang_a(agents, load, handle, patience, answer_within)
        out["service_level"] = res.service_level
        out["asa"] = res.asa
        out["occupancy"] = res.occupancy
        out["p_wait"] = res.p_wait
        out["p_abandon"] = res.p_abandon
    else:
        for column, values in _erlang_c_kpis(agents, load, handle, answer_within).items():
            out[column] = values
    out = out.reset_index(drop=True)
    out.attrs["notes"] = _sizing_notes(target, filled - int(quiet.sum()))
    return out


def _sizing_notes(target: ServiceTarget, filled: int) -> list[str]:
    """What a sizing assumed, in plain sentences."""
    if target.model == "erlang-a":
        notes = [f"Sized with Erlang A: exponential handle times, callers hang up after a mean {target.patience:g} s."]
    else:
        notes = ["Sized with Erlang C: exponential handle times, callers never hang up."]
    if filled > 0:
        notes.append(f"{filled} intervals whose calls were all abandoned (no AHT) took the queue's volume-weighted AHT.")
    return notes
