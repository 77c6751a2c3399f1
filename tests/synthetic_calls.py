"""Synthetic call logs with known behaviour, shared by the call-log tests."""

from __future__ import annotations

import numpy as np
import pandas as pd


def synthetic_log(n: int, seed: int, patience_mean: float, wait_mean: float, patience_kind: str = "exponential"):
    """Calls with known handle (lognormal) and patience distributions under censoring.

    Each caller has a patience and would have had to wait a 'virtual wait' drawn
    independently; the log shows the shorter of the two, and abandoned when the patience
    ran out first: the independent right-censoring a real queue produces.
    """
    rng = np.random.default_rng(seed)
    arrival = pd.Timestamp("2024-01-08 08:00") + pd.to_timedelta(np.sort(rng.uniform(0, 10 * 3600, n)), unit="s")
    if patience_kind == "exponential":
        patience = rng.exponential(patience_mean, n)
    else:  # Weibull with shape 2 (callers' hazard rises the longer they wait)
        from math import gamma

        patience = rng.weibull(2.0, n) * patience_mean / gamma(1.5)
    virtual = rng.exponential(wait_mean, n)
    abandoned = patience < virtual
    sigma = 0.7
    handle = rng.lognormal(np.log(300) - sigma**2 / 2, sigma, n)
    return pd.DataFrame({
        "arrival": arrival,
        "wait": np.minimum(patience, virtual),
        "handle": np.where(abandoned, 0.0, handle),
        "outcome": np.where(abandoned, "abandoned", "answered"),
    })
