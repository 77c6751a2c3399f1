"""Reference runs of the same queue in ciw, to check :mod:`wfm.simulate` against.

Shared by ``tests/test_simulate.py`` and ``benchmarks/bench_simulate.py``.

ciw's own shift change (non-pre-emptive) sends the whole outgoing shift home after
their calls and brings in a complete new shift, so for a few minutes after every
change more agents than scheduled are working. ``PresentAgentsNode`` makes ciw follow
the staffing rule of :mod:`wfm.simulate` instead: the number of agents present is the
schedule's number; when it drops, idle agents leave at once and busy ones leave as
soon as *any* agent finishes a call (the first to finish goes), and when it rises,
agents still finishing calls count before new ones are added.
"""

from __future__ import annotations

import math
import random

import ciw
import numpy as np


class PresentAgentsNode(ciw.Node):
    """A ciw node whose staffing follows the rule of :mod:`wfm.simulate`."""

    def change_shift(self):
        self.schedule.get_next_shift()
        self.next_shift_change = self.schedule.next_shift_change_date
        self.c = self.schedule.c
        on_duty = [s for s in self.servers if not s.offduty]
        excess = len(on_duty) - self.c
        if excess > 0:
            idle = [s for s in on_duty if not s.busy][:excess]
            for server in idle:
                server.shift_end = self.now
                self.kill_server(server)
            for server in [s for s in on_duty if s.busy][: excess - len(idle)]:
                server.offduty = True
                server.shift_end = self.now
        elif excess < 0:
            need = -excess
            for server in [s for s in self.servers if s.offduty][:need]:
                server.offduty = False
                need -= 1
            self.add_new_servers(need)
        self.begin_service_if_possible_change_shift()

    def detatch_server(self, server, individual):
        super().detatch_server(server, individual)
        if server in self.servers and not server.offduty:
            leaving = [s for s in self.servers if s.offduty]
            if leaving:  # the agent who finishes first is the one who leaves
                leaving[0].offduty = False
                server.shift_end = self.now
                self.kill_server(server)


class _IntervalExponential(ciw.dists.Distribution):
    """Exponential handle time whose mean is the AHT of the call's arrival interval."""

    def __init__(self, aht: np.ndarray, interval_seconds: float):
        self.aht = [float(a) for a in aht]
        self.L = interval_seconds

    def sample(self, t=None, ind=None):
        k = min(int(ind.arrival_date // self.L), len(self.aht) - 1)
        return random.expovariate(1.0 / self.aht[k])


def ciw_replications(
    volume: np.ndarray,
    agents: np.ndarray,
    aht: np.ndarray | float,
    *,
    interval_seconds: float,
    answer_within: float,
    patience: float | None = None,
    replications: int = 10,
    seed: int = 0,
    warmup_intervals: int = 0,
    node_class=PresentAgentsNode,
) -> dict[str, np.ndarray]:
    """Run ciw ``replications`` times; return per-replication SL, ASA, abandon rate.

    Calls arriving in the first ``warmup_intervals`` intervals are left out.
    ``node_class=ciw.Node`` gives ciw's stock shift change instead of wfm's rule.
    """
    volume = np.asarray(volume, dtype=float)
    agents = np.asarray(agents, dtype=int)
    n = volume.size
    L = float(interval_seconds)
    horizon = n * L
    aht_arr = np.broadcast_to(np.asarray(aht, dtype=float), (n,))
    # merge runs of equal staffing into shifts; the last shift lasts long enough to drain
    numbers, ends = [], []
    for k in range(n):
        if numbers and numbers[-1] == agents[k]:
            ends[-1] = (k + 1) * L
        else:
            numbers.append(int(agents[k]))
            ends.append((k + 1) * L)
    ends[-1] = horizon * 100.0
    rates = list(volume / L)
    out = {"service_level": [], "asa": [], "abandon_rate": [], "offered": []}
    drain = horizon + 50 * float(aht_arr.max()) + 10 * (patience or 0.0)
    for r in range(replications):
        ciw.seed(seed * 1000 + r)
        # PoissonIntervals draws its arrival dates when built: build per replication
        if len(set(rates)) == 1:
            arrivals = ciw.dists.Exponential(rates[0])
        else:
            endpoints = [(k + 1) * L for k in range(n)]
            arrivals = ciw.dists.PoissonIntervals(rates, endpoints, max_sample_date=horizon)
        network = ciw.create_network(
            arrival_distributions=[arrivals],
            service_distributions=[_IntervalExponential(aht_arr, L)],
            number_of_servers=[ciw.Schedule(numbers_of_servers=numbers, shift_end_dates=ends)],
            reneging_time_distributions=[ciw.dists.Exponential(1.0 / patience)] if patience else None,
        )
        sim = ciw.Simulation(network, node_class=node_class)
        sim.simulate_until_max_time(drain)
        records = [
            rec
            for rec in sim.get_all_records()
            if warmup_intervals * L <= rec.arrival_date < horizon
        ]
        served = [rec for rec in records if rec.record_type == "service"]
        reneged = [rec for rec in records if rec.record_type == "renege"]
        offered = len(served) + len(reneged)
        within = sum(rec.waiting_time <= answer_within for rec in served)
        out["offered"].append(offered)
        out["service_level"].append(within / offered if offered else math.nan)
        out["asa"].append(float(np.mean([rec.waiting_time for rec in served])) if served else math.nan)
        out["abandon_rate"].append(len(reneged) / offered if offered else math.nan)
    return {k: np.asarray(v, dtype=float) for k, v in out.items()}


def mean_ci(values: np.ndarray) -> tuple[float, float]:
    """Mean and the half-width of its 95% t-interval."""
    from scipy import stats

    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    half = stats.t.ppf(0.975, values.size - 1) * values.std(ddof=1) / math.sqrt(values.size)
    return float(values.mean()), float(half)
