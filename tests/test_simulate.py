"""Tests of wfm.simulate: closed forms, ciw, a hand-checked trace, breaks, seeds, bad input."""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import linalg

try:  # tests/ may or may not be a package
    from tests.ciw_reference import ciw_replications, mean_ci
except ImportError:
    from ciw_reference import ciw_replications, mean_ci
from wfm import erlang
from wfm.errors import InputError
from wfm.simulate import (
    SUM_COLUMNS,
    Behaviour,
    Empirical,
    Exponential,
    kpis_from_totals,
    replay,
    run_calls,
    shortfalls,
    simulate,
    simulate_totals,
    summarise,
)

L = 900.0  # 15-minute intervals


def volumes(n: int, per_interval, start="2024-04-01 00:00", **extra) -> pd.DataFrame:
    ds = pd.date_range(start, periods=n, freq="15min")
    return pd.DataFrame({"ds": ds, "y": np.broadcast_to(per_interval, (n,)).astype(float), **extra})


# ----------------------------------------------------------------- independent closed forms


def erlang_c_textbook(c: int, a: float) -> float:
    """P(wait > 0) for M/M/c: the textbook sum, written out independently of wfm.erlang."""
    top = a**c / math.factorial(c) * c / (c - a)
    return top / (sum(a**k / math.factorial(k) for k in range(c)) + top)


def erlang_a_chain(c: int, lam: float, aht: float, patience: float, t: float):
    """(P(abandon), SL(t)) of M/M/c+M from a truncated birth-death chain and a tagged-caller CTMC."""
    mu, theta = 1.0 / aht, 1.0 / patience
    top = c + 400
    death = np.array([min(n, c) * mu + max(n - c, 0) * theta for n in range(1, top + 1)])
    log_pi = np.concatenate([[0.0], np.cumsum(np.log(lam) - np.log(death))])
    pi = np.exp(log_pi - log_pi.max())
    pi /= pi.sum()
    queue = np.maximum(np.arange(top + 1) - c, 0)
    p_abandon = theta * float(np.sum(pi * queue)) / lam
    # tagged caller who finds j waiting ahead: transient states m = j..0 (callers ahead),
    # absorbing "answered" (index J+1) and "hung up" (index J+2)
    J = 200
    Q = np.zeros((J + 3, J + 3))
    for m in range(J + 1):
        out = c * mu + m * theta
        Q[m, m - 1 if m > 0 else J + 1] += out
        Q[m, J + 2] += theta
        Q[m, m] = -(out + theta)
    P = linalg.expm(Q * t)
    sl = float(pi[:c].sum()) + sum(pi[c + j] * P[j, J + 1] for j in range(J + 1))
    return p_abandon, sl


def _steady(result, warmup: int) -> pd.Series:
    rows = result.per_replication
    first = rows["ds"].min() + pd.Timedelta(minutes=15 * warmup)
    return summarise(rows[rows["ds"] >= first]).iloc[0]


def _agrees(mean, lo, hi, expected, slack=0.0) -> bool:
    return lo - slack <= expected <= hi + slack


def test_mmc_matches_erlang_c_closed_form():
    c, aht, a = 20, 300.0, 17.0
    lam = a / aht
    result = simulate(volumes(192, lam * L), np.full(192, c), interval_minutes=15,
                      behaviour=Behaviour(handle=Exponential(aht)), answer_within=20, replications=20, seed=3)
    kpi = _steady(result, warmup=8)
    p_wait = erlang_c_textbook(c, a)
    sl = 1 - p_wait * math.exp(-(c - a) * 20 / aht)
    asa = p_wait * aht / (c - a)
    assert _agrees(kpi.service_level, kpi.service_level_lo, kpi.service_level_hi, sl, slack=0.005)
    assert _agrees(kpi.asa, kpi.asa_lo, kpi.asa_hi, asa, slack=1.0)
    assert kpi.abandon_rate == 0.0
    assert kpi.occupancy == pytest.approx(a / c, abs=0.01)
    # and the lead's vectorised Erlang C says the same
    assert float(erlang.service_level(c, a, aht, 20)) == pytest.approx(sl, rel=1e-9)


def test_mmc_plus_m_matches_erlang_a_closed_form():
    c, aht, patience, a = 20, 300.0, 180.0, 21.0  # overloaded: only abandonment keeps it stable
    lam = a / aht
    result = simulate(volumes(192, lam * L), np.full(192, c), interval_minutes=15, answer_within=20,
                      behaviour=Behaviour(handle=Exponential(aht), patience=Exponential(patience)),
                      replications=20, seed=4)
    kpi = _steady(result, warmup=8)
    p_ab, sl = erlang_a_chain(c, lam, aht, patience, 20.0)
    assert _agrees(kpi.abandon_rate, kpi.abandon_rate_lo, kpi.abandon_rate_hi, p_ab, slack=0.005)
    assert _agrees(kpi.service_level, kpi.service_level_lo, kpi.service_level_hi, sl, slack=0.005)
    lead = erlang.erlang_a(c, a, aht, patience, 20.0)
    assert float(lead.p_abandon) == pytest.approx(p_ab, abs=1e-6)
    assert float(lead.service_level) == pytest.approx(sl, abs=1e-6)
    assert _agrees(kpi.asa, kpi.asa_lo, kpi.asa_hi, float(lead.asa), slack=1.0)


def _close_to_ciw(ours_mean, ours_lo, ours_hi, ciw_values) -> bool:
    """Means within 3 standard errors of their difference (both runs are seeded)."""
    c_mean, c_half = mean_ci(ciw_values)
    se = math.hypot((ours_hi - ours_lo) / 2 / 1.96, c_half / 1.96)
    return abs(ours_mean - c_mean) <= 3 * se + 1e-9


@pytest.mark.parametrize(
    "name, vol, agents, patience",
    [
        ("M/M/c", np.full(16, 45.0), np.full(16, 14), None),
        ("M/M/c+M", np.full(16, 60.0), np.full(16, 15), 150.0),
        ("time-varying", np.array([30, 40, 60, 80, 80, 70, 60, 60, 50, 40, 30, 20, 20, 20, 20, 20.0]),
         np.array([8, 10, 14, 18, 16, 12, 16, 15, 12, 10, 8, 6, 6, 6, 6, 6]), 180.0),
    ],
)
def test_agrees_with_ciw(name, vol, agents, patience):
    aht = 240.0 if name == "M/M/c" else 300.0
    behaviour = Behaviour(handle=Exponential(aht), patience=Exponential(patience) if patience else None)
    ours = simulate(volumes(vol.size, vol), agents, interval_minutes=15, answer_within=20, behaviour=behaviour,
                    replications=100, seed=11).summary
    ref = ciw_replications(vol, agents, aht, interval_seconds=L, answer_within=20, patience=patience,
                           replications=15, seed=11)
    for kpi in ("service_level", "asa", "abandon_rate"):
        if patience is None and kpi == "abandon_rate":
            assert ours[kpi] == 0.0 and np.all(ref[kpi] == 0.0)
            continue
        assert _close_to_ciw(ours[kpi], ours[f"{kpi}_lo"], ours[f"{kpi}_hi"], ref[kpi]), (name, kpi, ours[kpi],
                                                                                         mean_ci(ref[kpi]))


# ----------------------------------------------------------------- trace replay by hand


def hand_trace():
    t0 = pd.Timestamp("2024-04-01 09:00")
    rows = [  # (seconds after 09:00, handle, patience)
        (0, 100, None),  # c1: answered at 0, ends 100
        (10, 50, 200),  # c2: waits for c1, answered at 100 (wait 90), ends 150
        (20, 30, 60),  # c3: would be answered at 150 > 20 + 60: hangs up at 80
        (30, 40, None),  # c4: answered at 150 (wait 120), ends 190
        (880, 300, None),  # c5: answered at once, ends 1180
        (890, 10, None),  # c6: the only agent is busy; a 2nd arrives at 900 (wait 10), ends 910
        (905, 20, 4),  # c7: both busy until 910 > 905 + 4: hangs up at 909
        (906, 20, None),  # c8: answered at 910 (wait 4), ends 930
        (1790, 100, None),  # c9: answered at once, ends 1890
        (1795, 10, None),  # c10: answered at once (2nd agent), ends 1805
        (1801, 10, None),  # c11: staffing is 1 from 1800: c10's agent leaves at 1805, c11 waits for c9: 1890
    ]
    calls = pd.DataFrame({
        "arrival": [t0 + pd.Timedelta(seconds=r[0]) for r in rows],
        "handle": [r[1] for r in rows],
        "patience": [r[2] for r in rows],
    })
    staffing = pd.DataFrame({"ds": pd.date_range(t0, periods=3, freq="15min"), "agents": [1, 2, 1]})
    return calls, staffing


def test_replay_matches_hand_computed_waits():
    calls, staffing = hand_trace()
    t0 = calls["arrival"].iloc[0]
    arrival = (calls["arrival"] - t0).dt.total_seconds().to_numpy()
    patience = calls["patience"].astype(float).fillna(np.inf).to_numpy()
    out = run_calls(arrival, calls["handle"].to_numpy(float), patience, np.array([1, 2, 1]), L)
    assert out.answered.tolist() == [True, True, False, True, True, True, False, True, True, True, True]
    assert out.wait.tolist() == [0, 90, 60, 120, 0, 10, 4, 4, 0, 0, 89]

    result = replay(calls, staffing, interval_minutes=15, answer_within=20)
    iv = result.intervals
    assert iv["offered"].tolist() == [6, 4, 1]
    assert iv["answered"].tolist() == [5, 3, 1]
    assert iv["abandoned"].tolist() == [1, 1, 0]
    assert iv["service_level"].tolist() == pytest.approx([3 / 6, 3 / 4, 0.0])
    assert iv["asa"].tolist() == pytest.approx([(0 + 90 + 120 + 0 + 10) / 5, 4 / 3, 89.0])
    assert iv["abandon_rate"].tolist() == pytest.approx([1 / 6, 1 / 4, 0.0])
    # busy seconds: 100+50+40+20 | 280+10+20+10+5 | 90+5+10; c10's agent works 5 s past the
    # drop to 1 agent, which counts as available time too
    assert iv["occupancy"].tolist() == pytest.approx([210 / 900, 325 / 1800, 105 / 905])
    assert result.summary["service_level"] == pytest.approx(6 / 11)
    assert result.summary["asa"] == pytest.approx(313 / 9)
    assert np.isnan(iv["service_level_lo"]).all()  # one exact run: no interval to show


def test_replay_from_observed_outcomes():
    calls, staffing = hand_trace()
    # the same calls as an ACD export: abandoned callers' observed waits are their patience
    acd = calls.assign(
        outcome=["answered", "answered", "abandoned", "answered", "answered", "answered", "abandoned",
                 "answered", "answered", "answered", "answered"],
        wait=[0, 90, 60, 120, 0, 10, 4, 4, 0, 0, 89],
    ).drop(columns="patience")
    acd.loc[acd["outcome"] == "abandoned", "handle"] = np.nan
    result = replay(acd, staffing, interval_minutes=15, answer_within=20, seed=1)
    assert result.intervals["abandoned"].tolist() == [1, 1, 0]
    assert result.summary["service_level"] == pytest.approx(6 / 11)
    # more agents: the caller who hung up after 60 s is now answered, with a handle time
    # drawn from the answered calls
    better = replay(acd, staffing.assign(agents=[4, 4, 4]), interval_minutes=15, seed=1)
    assert better.summary["abandoned"] == 0
    assert better.summary["service_level"] == 1.0


def brute_force(arrival, handle, patience, agents, interval):
    """A plain event-by-event FCFS simulation, written for clarity, to check the engine."""
    n = len(arrival)
    last = len(agents) - 1

    def capacity(t, waiting_since):
        k = min(int(t // interval), last)
        if agents[k] > 0:
            return agents[k]
        start = k
        while start > 0 and agents[start - 1] == 0:
            start -= 1
        # closed: the last shift stays for callers who were waiting at closing time
        return agents[start - 1] if start > 0 and waiting_since < start * interval else 0

    wait, answered = [None] * n, [False] * n
    queue, busy_ends = [], []
    events = sorted(set(arrival) | {k * interval for k in range(1, last + 1)} | set(arrival + patience))
    events = [t for t in events if np.isfinite(t)]
    t = 0.0
    i = 0
    while events or busy_ends:
        candidates = [e for e in events[:1]] + ([min(busy_ends)] if busy_ends else [])
        t = min(candidates)
        if events and events[0] == t:
            events.pop(0)
        busy_ends = [e for e in busy_ends if e > t]
        while i < n and arrival[i] <= t:
            queue.append(i)
            i += 1
        while queue and len(busy_ends) < capacity(t, arrival[queue[0]]):  # answer before anyone hangs up at t
            j = queue.pop(0)
            wait[j], answered[j] = t - arrival[j], True
            busy_ends.append(t + handle[j])
        for j in [j for j in queue if arrival[j] + patience[j] <= t]:
            queue.remove(j)
            wait[j] = patience[j]
        if not events and not busy_ends and queue:  # nobody will ever come
            for j in queue:
                wait[j] = max(len(agents) * interval, arrival[j]) - arrival[j]
            queue = []
    return np.array(wait, dtype=float), np.array(answered)


def test_engine_matches_a_brute_force_event_simulation():
    rng = np.random.default_rng(2024)
    for case in range(150):
        n_int = int(rng.integers(1, 5))
        agents = rng.integers(0, 4, n_int)
        if case % 3 == 0:
            agents[-1] = max(agents[-1], 1)
        n = int(rng.integers(1, 25))
        arrival = np.sort(rng.uniform(0, n_int * 100.0, n))
        handle = rng.exponential(60.0, n) + 0.01
        patience = np.where(rng.random(n) < 0.3, np.inf, rng.exponential(50.0, n))
        out = run_calls(arrival, handle, patience, agents, 100.0)
        wait, answered = brute_force(arrival, handle, patience, agents, 100.0)
        assert out.answered.tolist() == answered.tolist(), case
        np.testing.assert_allclose(out.wait, wait, atol=1e-9, err_msg=str(case))


# ----------------------------------------------------------------- behaviour


def test_breaks_reduce_service_level():
    vol = volumes(32, 50.0)
    flat = np.full(32, 16)
    breaks = flat.copy()
    breaks[8:12] = 12  # a lunch wave
    breaks[20:22] = 13
    kw = dict(interval_minutes=15, behaviour=Behaviour(handle=Exponential(240), patience=Exponential(200)),
              replications=10, seed=5)
    a, b = simulate(vol, flat, **kw), simulate(vol, breaks, **kw)
    assert b.summary["service_level"] < a.summary["service_level"] - 0.03
    dip = a.intervals.index[8:12]
    assert (b.intervals.loc[dip, "service_level"] < a.intervals.loc[dip, "service_level"]).all()
    assert b.summary["abandon_rate"] > a.summary["abandon_rate"]
    # common random numbers: the same calls were offered in both runs
    assert a.intervals["offered"].tolist() == b.intervals["offered"].tolist()


def test_staffing_drop_lets_calls_finish():
    # 3 calls answered at once by 3 agents; staffing drops to 1 after 60 s of the first
    # interval end: nobody is cut off, a 4th call waits until only 0 calls remain busy
    arrival = np.array([850.0, 851.0, 852.0, 905.0])
    handle = np.array([100.0, 200.0, 300.0, 10.0])
    out = run_calls(arrival, handle, None, np.array([3, 1]), L)
    # busy until 950, 1051, 1152: the 4th call needs busy < 1, i.e. after the last finishes
    assert out.wait.tolist() == [0, 0, 0, 1152 - 905]


def test_caller_behind_a_waiting_caller_hangs_up_in_time():
    # both agents free up at 100; caller A (patient) is answered then, caller B gave up
    # at 50 and must not take the other agent free at 100
    arrival = np.array([0.0, 1.0, 10.0, 20.0])
    out = run_calls(arrival, np.array([100.0, 99.0, 5.0, 5.0]), np.array([np.inf, np.inf, np.inf, 30.0]),
                    np.array([2]), L)
    assert out.answered.tolist() == [True, True, True, False]
    assert out.wait.tolist() == [0.0, 0.0, 90.0, 30.0]


def test_closed_interval_and_no_agents_after_horizon():
    # agents 0 in the last interval: a call arriving then can never be answered
    out = run_calls(np.array([10.0, 950.0]), np.array([20.0, 20.0]), None, np.array([1, 0]), L)
    assert out.answered.tolist() == [True, False]
    assert out.wait[1] == pytest.approx(1800 - 950)
    # a call during a closed interval waits for the opening
    out = run_calls(np.array([100.0]), np.array([20.0]), None, np.array([0, 2]), L)
    assert out.wait.tolist() == [800.0]
    # closing time: the caller waiting at 900 is answered by the agent still there at
    # 1000; a caller arriving after closing waits for the opening at 1800
    out = run_calls(np.array([800.0, 850.0, 950.0]), np.array([200.0, 20.0, 20.0]), None, np.array([1, 0, 2]), L)
    assert out.wait.tolist() == [0.0, 150.0, 850.0]


def test_seeded_runs_are_reproducible():
    vol = volumes(24, 40.0, aht=np.linspace(200, 300, 24))
    kw = dict(interval_minutes=15, behaviour=Behaviour(patience=Exponential(150)), replications=4)
    a = simulate(vol, np.full(24, 12), seed=7, **kw)
    b = simulate(vol, np.full(24, 12), seed=7, **kw)
    c = simulate(vol, np.full(24, 12), seed=8, **kw)
    pd.testing.assert_frame_equal(a.intervals, b.intervals)
    assert a.summary == b.summary
    assert not a.intervals["service_level"].equals(c.intervals["service_level"])
    # replication r does not depend on how many replications run
    two = simulate(vol, np.full(24, 12), seed=7, **{**kw, "replications": 2})
    head = a.per_replication[a.per_replication["replication"] < 2].reset_index(drop=True)
    pd.testing.assert_frame_equal(head, two.per_replication)


def test_array_level_path_matches_the_table_api():
    vol = volumes(12, 40.0)
    agents = np.array([12] * 4 + [9] * 4 + [12] * 4)
    behaviour = Behaviour(handle=Exponential(240), patience=Exponential(120))
    res = simulate(vol, agents, interval_minutes=15, behaviour=behaviour, replications=4, seed=9)
    # simulate() gives queue q the q-th child of SeedSequence(seed)
    totals = simulate_totals(vol["y"].to_numpy(), agents, interval_minutes=15, behaviour=behaviour,
                             replications=4, seed=np.random.SeedSequence(9).spawn(1)[0])
    kpis = kpis_from_totals(totals)
    np.testing.assert_allclose(kpis["service_level"], res.intervals["service_level"])
    np.testing.assert_allclose(kpis["occupancy_hi"], res.intervals["occupancy_hi"])
    flagged = shortfalls(res.intervals, 0.8)
    assert len(flagged) > 0 and flagged["ds"].min() >= vol["ds"].iloc[4]  # the dip, and its backlog after
    assert (flagged["shortfall"] > 0.05).all()


def test_empirical_samples_and_staffing_table():
    rng = np.random.default_rng(0)
    handle = rng.lognormal(math.log(200), 0.6, 2000)
    pat = rng.gamma(2.0, 60.0, 2000)
    vol = volumes(24, 40.0)
    staff = pd.DataFrame({"ds": vol["ds"].astype(str), "scheduled_inbound": 12})
    res = simulate(vol, staff, interval_minutes=15, behaviour=Behaviour(handle=Empirical(handle), patience=Empirical(pat)),
                   replications=3, seed=1, agents_column="scheduled_inbound")
    assert res.summary["handle"] == "empirical sample"
    assert 0 < res.summary["abandon_rate"] < 0.2
    assert list(res.daily["date"]) == [pd.Timestamp("2024-04-01").date()]
    # the sample's shape, rescaled to each interval's AHT: occupancy follows the AHT
    ahts = np.where(np.arange(24) < 12, 120.0, 360.0)
    scaled = simulate(vol.assign(aht=ahts), np.full(24, 30), interval_minutes=15,
                      behaviour=Behaviour(handle=Empirical(handle, scale_to="aht")), replications=3, seed=1)
    occ = scaled.intervals["occupancy"].to_numpy()
    load = 40 * ahts / 900 / 30
    assert occ[2:10].mean() == pytest.approx(load[0], rel=0.1)
    assert occ[14:22].mean() == pytest.approx(load[-1], rel=0.1)
    half = Empirical(np.where(np.arange(2000) % 2 == 0, pat, np.inf))  # half the callers never hang up
    never = simulate(vol, np.full(24, 12), interval_minutes=15, behaviour=Behaviour(handle=Empirical(handle), patience=half),
                     replications=3, seed=1)
    assert 0 < never.summary["abandon_rate"] < res.summary["abandon_rate"]
    assert never.notes[1] == "Patience is drawn from a sample of 2000 values; 50% of callers never hang up."
    with pytest.raises(InputError, match="aht is ignored with a handle_sample"):
        Behaviour.from_options(handle_sample=handle, aht=200)
    with pytest.raises(InputError, match="scale_to='aht'.*no 'aht' column"):
        simulate(vol, np.full(24, 30), interval_minutes=15, behaviour=Behaviour(handle=Empirical(handle, scale_to="aht")))


def test_daylight_saving_day_is_counted_once():
    ds = pd.date_range("2024-03-10 00:00", "2024-03-10 23:45", freq="15min", tz="America/New_York")
    assert len(ds) == 92  # a 23-hour day
    vol = pd.DataFrame({"ds": ds, "y": 10.0})
    res = simulate(vol, np.full(len(ds), 5), interval_minutes=15, behaviour=Behaviour(handle=Exponential(180)),
                   replications=2, seed=0)
    assert len(res.intervals) == 92
    assert res.daily["offered"].iloc[0] == pytest.approx(res.intervals["offered"].sum())


def test_multiple_queues_each_use_their_own_staffing():
    vol = pd.concat([volumes(8, 30.0, queue="sales"), volumes(8, 30.0, queue="support")])
    staff = vol[["queue", "ds"]].assign(agents=np.where(vol["queue"] == "sales", 3, 20))
    res = simulate(vol, staff, interval_minutes=15, behaviour=Behaviour(handle=Exponential(240)), replications=3, seed=0)
    by_queue = res.daily.set_index("queue")["service_level"]
    assert by_queue["sales"] < 0.2 < 0.95 < by_queue["support"]


# ----------------------------------------------------------------- Behaviour


def old_keyword_totals(volume, agents, L, *, aht=None, handle_sample=None, patience=None, patience_sample=None,
                       replications, seed, scale_handle_sample=False):
    """The draws of ``simulate_totals`` as they were with loose keyword arguments (before Behaviour)."""
    from wfm.simulate.engine import _interval_sums

    n_int = volume.size
    aht_grid = None if aht is None else np.broadcast_to(np.asarray(aht, dtype=float), (n_int,))
    out = []
    seq = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    for rep_seq in seq.spawn(replications):
        rng = np.random.default_rng(rep_seq)
        counts = rng.poisson(volume)
        k = np.repeat(np.arange(n_int), counts)
        arrival = np.sort((k + rng.random(k.size)) * L)
        k = np.minimum((arrival // L).astype(np.int64), n_int - 1)
        if handle_sample is not None:
            handle = rng.choice(handle_sample, size=k.size)
            if scale_handle_sample:
                handle *= aht_grid[k] / handle_sample.mean()
        else:
            handle = rng.exponential(1.0, size=k.size) * aht_grid[k]
        if patience is not None:
            pat = rng.exponential(patience, size=k.size)
        elif patience_sample is not None:
            pat = rng.choice(patience_sample, size=k.size)
        else:
            pat = None
        outcomes = run_calls(arrival, handle, pat, agents, L)
        out.append(_interval_sums(outcomes, arrival, handle, agents, L, 20.0))
    return np.stack(out)


def test_behaviour_gives_the_old_keyword_numbers_for_the_same_seed():
    rng = np.random.default_rng(3)
    handle = rng.lognormal(math.log(200), 0.6, 300)
    pat = np.where(rng.random(300) < 0.2, np.inf, rng.gamma(2.0, 60.0, 300))
    volume = np.array([20.0, 35, 50, 0, 0, 40, 30, 25])
    agents = np.array([6, 8, 9, 0, 0, 9, 7, 6])
    aht = np.linspace(180, 320, volume.size)
    cases = [  # old keyword arguments, the same behaviour as one object
        (dict(aht=aht), Behaviour(), aht),
        (dict(aht=240.0, patience=120.0), Behaviour(handle=Exponential(240), patience=Exponential(120)), None),
        (dict(handle_sample=handle, patience_sample=pat), Behaviour(handle=Empirical(handle), patience=Empirical(pat)), None),
        (dict(handle_sample=handle, aht=aht, scale_handle_sample=True, patience=90.0),
         Behaviour(handle=Empirical(handle, scale_to="aht"), patience=Exponential(90)), aht),
        (dict(handle_sample=handle, aht=250.0, scale_handle_sample=True),
         Behaviour(handle=Empirical(handle, scale_to=250)), None),
    ]
    for old, behaviour, interval_aht in cases:
        expected = old_keyword_totals(volume, agents, L, replications=3, seed=21, **old)
        got = simulate_totals(volume, agents, interval_minutes=15, behaviour=behaviour, interval_aht=interval_aht,
                              replications=3, seed=21)
        assert np.array_equal(got, expected), behaviour
        # the plain options (CLI, scenario) build the very same behaviour
        options = {k: v for k, v in old.items() if not (k == "aht" and isinstance(v, np.ndarray))}
        assert Behaviour.from_options(**options) == behaviour
    # and through the table front door, with the volumes' aht column
    vol = volumes(volume.size, volume, aht=aht)
    a = simulate(vol, agents, interval_minutes=15, behaviour=Behaviour(patience=Exponential(90)), replications=3, seed=4)
    b = simulate(vol, agents, interval_minutes=15, behaviour=Behaviour.from_options(patience=90), replications=3, seed=4)
    pd.testing.assert_frame_equal(a.per_replication, b.per_replication)
    # simulate() gives queue q the q-th child of SeedSequence(seed)
    expected = old_keyword_totals(volume, agents, L, aht=aht, patience=90.0, replications=3,
                                  seed=np.random.SeedSequence(4).spawn(1)[0])
    got = np.stack([a.per_replication[list(SUM_COLUMNS)].to_numpy()[r * volume.size:(r + 1) * volume.size].T
                    for r in range(3)])
    assert np.array_equal(got, expected)


def test_behaviour_is_a_frozen_value():
    a = Behaviour(handle=Empirical([100.0, 200.0]), patience=Exponential(60))
    b = Behaviour(handle=Empirical(np.array([100, 200])), patience=Exponential(60.0))
    assert a == b and hash(a) == hash(b)
    assert a != Behaviour(handle=Empirical([100.0, 201.0]), patience=Exponential(60))
    with pytest.raises(AttributeError):
        a.patience = None
    with pytest.raises(ValueError):
        a.handle.sample[0] = 1.0  # the sample is read-only too
    assert "2 values" in repr(a)


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: Exponential(-5), "Exponential mean: -5 is not valid, expected a finite number of seconds > 0."),
        (lambda: Exponential("soon"), "Exponential mean: 'soon' is not a number."),
        (lambda: Empirical([]), "Empirical sample: the sample is empty, expected at least one duration in seconds."),
        (lambda: Empirical([100, -1]), "Empirical sample: value -1.0 at position 2 is not a valid duration in seconds."),
        (lambda: Empirical([100], scale_to="mean"), "Empirical scale_to: 'mean' is not valid, expected 'aht' or seconds > 0."),
        (lambda: Behaviour(handle=240), "handle: 240 is not a distribution, expected Exponential(mean) or Empirical(sample)."),
        (lambda: Behaviour(handle=Empirical([100, 0])),
         "handle: value 0.0 at position 2 of the sample is not a valid handle time, expected seconds > 0."),
        (lambda: Behaviour(handle=Empirical([100, np.inf])),
         "handle: value inf at position 2 of the sample is not a valid handle time, expected seconds > 0."),
        (lambda: Behaviour(patience=120), "patience: 120 is not a distribution, expected None, Exponential(mean) or "
                                          "Empirical(sample)."),
        (lambda: Behaviour(patience=Exponential()),
         "patience: an exponential patience needs its mean in seconds, e.g. Exponential(120)."),
        (lambda: Behaviour(patience=Empirical([30], scale_to="aht")),
         "patience: scale_to='aht' applies to handle times only; draw the patience sample as it is."),
        (lambda: Behaviour.from_options(aht=-5), "aht: -5 is not valid, expected a finite number of seconds > 0."),
        (lambda: Behaviour.from_options(patience=60, patience_sample=[30, 40]),
         "patience: give either a mean patience or a patience_sample, not both."),
        (lambda: Behaviour.from_options(handle_sample=[100, -1]),
         "handle_sample: value -1.0 at position 2 is not a valid duration in seconds."),
        (lambda: replay(*hand_trace(), interval_minutes=15, behaviour=Behaviour(handle=Exponential(240))),
         "behaviour: replay takes handle times from the calls, so handle=Exponential(mean=240.0) is not used; "
         "leave it out."),
        (lambda: replay(*hand_trace(), interval_minutes=15, behaviour=Behaviour(patience=Empirical([30.0]))),
         "behaviour: replay's patience is the exponential extra wait of answered calls whose patience is unknown, "
         "so give Exponential(mean) or None."),
    ],
)
def test_bad_behaviour_is_one_sentence_naming_the_field(build, message):
    with pytest.raises(InputError) as caught:
        build()
    assert str(caught.value) == message


def test_results_say_what_was_assumed():
    vol = pd.concat([volumes(4, 30.0), volumes(4, 30.0, start="2024-04-01 02:00")])  # a gap of 4 intervals
    res = simulate(vol, np.array([8, 8, 0, 8, 8, 8, 8, 8]), interval_minutes=15, replications=1,
                   behaviour=Behaviour(handle=Exponential(240)))
    assert res.notes == [
        "Handle times are exponential with mean 240 s.",
        "Callers never hang up (no patience given), as Erlang C assumes.",
        "4 intervals missing between rows (e.g. nights) are simulated closed: no calls, no agents.",
        "1 intervals with forecast calls have no agents; their callers wait for the next opening or hang up.",
        "One replication: the KPIs have no confidence intervals (run 2 or more for them).",
    ]
    calls, staffing = hand_trace()
    acd = calls.assign(outcome=np.where(calls["patience"].notna(), "abandoned", "answered"), wait=5.0)
    acd = acd.drop(columns="patience").assign(handle=np.where(acd["outcome"] == "abandoned", np.nan, calls["handle"]))
    replayed = replay(acd, staffing, interval_minutes=15, behaviour=Behaviour(patience=Exponential(60)), seed=1)
    assert replayed.notes == [
        "3 calls without a handle time (abandoned in the trace) take one drawn from the queue's answered calls "
        "when this staffing answers them.",
        "8 answered calls' patience is known only up to their wait; they then wait an exponential extra, mean 60 s.",
    ]


# ----------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "kwargs, staffing, message",
    [
        ({}, np.full(5, 3), "5 values given for 4 intervals"),
        ({}, np.array([3, 3, -1, 3]), "row 3, column 'agents' is '-1.0'"),
        ({}, np.array([3, 3.5, 3, 3]), "whole number of agents"),
        ({"behaviour": Behaviour()}, np.full(4, 3), "aht: no handle time given; the volumes have no 'aht' column"),
        ({"behaviour": {"aht": 240}}, np.full(4, 3), "behaviour: {'aht': 240} is not a Behaviour"),
        ({"replications": 0}, np.full(4, 3), "replications"),
        ({"seed": -1}, np.full(4, 3), "seed: -1"),
        ({"interval_minutes": 7}, np.full(4, 3), "does not divide a day"),
    ],
)
def test_bad_input_is_one_clear_sentence(kwargs, staffing, message):
    options = {"interval_minutes": 15, "behaviour": Behaviour(handle=Exponential(240)), "replications": 2, **kwargs}
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(".", r"\.")):
        simulate(volumes(4, 10.0), staffing, **options)


def test_bad_tables_name_the_column_or_row():
    vol = volumes(4, 10.0, aht=240.0)
    with pytest.raises(InputError, match="missing column 'agents'"):
        simulate(vol, vol[["ds"]].assign(n=1), interval_minutes=15)
    with pytest.raises(InputError, match="no 'agents' for queue 'default' at ds '2024-04-01 00:45:00'"):
        simulate(vol, vol[["ds"]].iloc[:3].assign(agents=2), interval_minutes=15)
    with pytest.raises(InputError, match="row 2, column 'y' is"):
        simulate(vol.assign(y=[1, -2, 3, 4]), np.full(4, 2), interval_minutes=15)
    with pytest.raises(InputError, match="row 3, column 'aht' is '0', expected seconds > 0"):
        simulate(vol.assign(aht=[240, 240, 0, 240]), np.full(4, 2), interval_minutes=15)
    calls, staffing = hand_trace()
    late = calls.copy()
    late.loc[3, "arrival"] = pd.Timestamp("2024-04-01 12:00")
    with pytest.raises(InputError, match="row 4, arrival '2024-04-01 12:00:00' is outside the staffing horizon"):
        replay(late, staffing, interval_minutes=15)
    with pytest.raises(InputError, match="row 1, column 'outcome' is 'hung up'"):
        replay(calls.assign(outcome="hung up", wait=1).drop(columns="patience"), staffing, interval_minutes=15)
    with pytest.raises(InputError, match="row 2, column 'handle'"):
        replay(calls.assign(handle=[10, 0] + [10] * 9), staffing, interval_minutes=15)


# ----------------------------------------------------------------- CLI


def test_cli_simulate_and_replay(tmp_path):
    from typer.testing import CliRunner

    from wfm.cli import app

    vol = volumes(8, 30.0)
    vol.to_csv(tmp_path / "forecast.csv", index=False)
    vol[["ds"]].assign(scheduled_inbound=10).to_csv(tmp_path / "coverage.csv", index=False)
    runner = CliRunner()
    args = ["simulate", "--volumes", str(tmp_path / "forecast.csv"), "--staffing", str(tmp_path / "coverage.csv"),
            "--aht", "240", "--patience", "120", "--replications", "3", "--out", str(tmp_path / "kpis.csv"),
            "--daily", str(tmp_path / "daily.csv"), "--summary", str(tmp_path / "summary.json")]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    kpis = pd.read_csv(tmp_path / "kpis.csv")
    assert {"ds", "agents", "service_level", "service_level_lo", "asa", "occupancy_hi"} <= set(kpis.columns)
    assert json.loads((tmp_path / "summary.json").read_text())["replications"] == 3

    calls, staffing = hand_trace()
    calls.to_csv(tmp_path / "calls.csv", index=False)
    staffing.to_csv(tmp_path / "staff.csv", index=False)
    res = runner.invoke(app, ["simulate", "--calls", str(tmp_path / "calls.csv"), "--staffing",
                              str(tmp_path / "staff.csv"), "--replications", "1", "--out", str(tmp_path / "r.csv")])
    assert res.exit_code == 0, res.output
    assert pd.read_csv(tmp_path / "r.csv")["offered"].tolist() == [6, 4, 1]

    # a behaviour profile as 'wfm calls profile' learns it from a per-call log
    from wfm import calls as call_logs

    rng = np.random.default_rng(5)
    n = 3000
    patience, wait = rng.exponential(90.0, n), rng.exponential(60.0, n)
    log = pd.DataFrame({
        "arrival": pd.Timestamp("2024-03-04 09:00") + pd.to_timedelta(np.sort(rng.uniform(0, 7 * 86400, n)), unit="s"),
        "wait": np.minimum(wait, patience).round(1),
        "outcome": np.where(patience < wait, "abandoned", "answered"),
        "handle": np.where(patience < wait, 0.0, rng.lognormal(np.log(220), 0.5, n).round(1)),
    })
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        profile = call_logs.profile_calls(call_logs.validate_calls(log, "log"), by_time_of_day=False)
    (tmp_path / "profile.json").write_text(json.dumps(profile, default=float))
    res = runner.invoke(app, args[:7] + ["--profile", str(tmp_path / "profile.json"), "--out", str(tmp_path / "p.csv"),
                                         "--summary", str(tmp_path / "p.json")])
    assert res.exit_code == 0, res.output
    learned = json.loads((tmp_path / "p.json").read_text())
    assert learned["handle"].startswith("empirical sample scaled") and learned["patience"] != "none"

    res = runner.invoke(app, ["simulate", "--volumes", str(tmp_path / "forecast.csv"), "--staffing",
                              str(tmp_path / "forecast.csv"), "--aht", "240", "--out", str(tmp_path / "x.csv")])
    assert res.exit_code == 2
    assert "no agents column" in res.output
    assert not (tmp_path / "x.csv").exists()
