"""The sizing benchmarks' workload: 15-minute volumes and AHTs around the bank sample's levels."""

from __future__ import annotations

import numpy as np


def intervals(n: int, seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """``n`` interval volumes (gamma, mean ~160 calls per 15 min: the bank's midday) and AHTs (120-600 s)."""
    rng = np.random.default_rng(seed)
    return rng.gamma(4.0, 40.0, n) + 0.5, rng.uniform(120, 600, n)
