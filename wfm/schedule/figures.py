"""The figures of a written schedule: cost, paid hours, agents, coverage and shortfall.

:func:`plan_figures` reads the schedule table as it is written to ``schedule.csv``
(not the solver's variables), so ``summary.json``, ``kpis.json``, the workbook's KPIs
sheet and the app all describe the plan the planner receives. A time-limited CP-SAT
solution may carry slack the schedule does not show (a shortfall variable above the
real shortfall, campaign work counted undone that the agents do): its objective is
then higher than the written plan's cost, and two runs that write the same schedule
could report different costs. Recomputing from the table makes them agree.

Costs follow the model's definitions (:mod:`wfm.schedule.rules` and
:mod:`wfm.schedule.model`): a shift costs its group's hourly rate for its paid time
(its length less its unpaid breaks) plus the unsocial-hours premium for each of its
intervals in unsocial hours; each agent working a week costs ``cost_per_agent_week``;
each agent-interval short of an inbound requirement costs ``inbound_short_penalty``;
each agent-second of campaign work due in the horizon but not done costs
``outbound_undone_penalty``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wfm.errors import InputError
from wfm.localtime import wall_clock
from wfm.scenario import Scenario
from wfm.schedule.expand import ACTIVITY_NAMES, INBOUND, OUTBOUND, coverage_frame
from wfm.schedule.rules import Problem, build_problem

_CODES = {name: code for code, name in ACTIVITY_NAMES.items()}


def _timestamps(column: pd.Series) -> pd.Series:
    return wall_clock(pd.to_datetime(column))


def _slot_index(problem: Problem) -> dict:
    # The inverse of Problem.slot_time, keyed by wall-clock time and fold (the two passes
    # of a repeated hour); the horizon's end is a valid end time. A day's midnight is
    # also the next day's first slot, which later slots override: starts need that one.
    return {(problem.slot_time(t), int(problem.slot_fold[t])): t for t in range(problem.slots + 1)}


def _segment_slots(schedule: pd.DataFrame, problem: Problem) -> tuple[np.ndarray, np.ndarray]:
    """First slot and end slot of every segment (raises on a segment off the grid)."""
    slot_of = _slot_index(problem)
    starts, ends = _timestamps(schedule["start"]), _timestamps(schedule["end"])
    zero = pd.Series(0, index=schedule.index)
    start_fold = schedule["start_fold"].fillna(0).astype(int) if "start_fold" in schedule else zero
    end_fold = schedule["end_fold"].fillna(0).astype(int) if "end_fold" in schedule else zero
    t0 = np.array([slot_of.get((x, f), -1) for x, f in zip(starts, start_fold, strict=False)], dtype=np.int64)
    t1 = np.array([slot_of.get((x, f), -1) for x, f in zip(ends, end_fold, strict=False)], dtype=np.int64)
    known = schedule["activity"].astype(str).isin(list(_CODES)).to_numpy()
    bad = np.flatnonzero((t0 < 0) | (t1 < 0) | ~known)
    if len(bad):
        i = int(bad[0])
        raise InputError(
            f"schedule row {i + 1}: segment {starts.iloc[i]}-{ends.iloc[i]} '{schedule['activity'].iloc[i]}' is not on "
            f"the horizon's {problem.interval}-minute grid with a known activity."
        )
    return t0, t1


def schedule_grid(schedule: pd.DataFrame, problem: Problem) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The schedule table on the problem's slot grid.

    Returns the agent names and the ``[agent, slot]`` activity and detail matrices
    (codes of :mod:`wfm.schedule.expand`; detail is the pool index for inbound and the
    campaign index for outbound, else -1).

    Parameters
    ----------
    schedule : DataFrame
        ``schedule.csv`` rows.
    problem : Problem
        The problem the schedule was made for.

    Returns
    -------
    agents : list of str
        Agent names.
    activity, detail : ndarray
        ``[agent, slot]`` matrices.
    """
    T = problem.slots
    agents = sorted(schedule["agent"].astype(str).unique())
    row_of = {a: i for i, a in enumerate(agents)}
    activity = np.zeros((len(agents), T), dtype=np.int8)
    detail = np.full((len(agents), T), -1, dtype=np.int16)
    if not len(schedule):
        return agents, activity, detail
    t0, t1 = _segment_slots(schedule, problem)
    pool_of = {p.name: i for i, p in enumerate(problem.pools)}
    campaign_of = {c.campaign.name: i for i, c in enumerate(problem.campaigns)}
    details = schedule["detail"].fillna("").astype(str).tolist()
    for agent, act, lo, hi, what in zip(schedule["agent"].astype(str), schedule["activity"].astype(str),
                                        t0.tolist(), t1.tolist(), details, strict=False):
        a = row_of[agent]
        activity[a, lo:hi] = _CODES[act]
        if act == "inbound":
            detail[a, lo:hi] = pool_of.get(what, -1)
        elif act == "outbound":
            detail[a, lo:hi] = campaign_of.get(what, -1)
    return agents, activity, detail


def plan_figures(
    schedule: pd.DataFrame,
    requirements: pd.DataFrame,
    scenario: Scenario,
    *,
    lower_bound: float | None = None,
    problem: Problem | None = None,
    source: str = "requirements",
) -> dict:
    """Cost, hours, agents, coverage and shortfall of a written schedule.

    Parameters
    ----------
    schedule : DataFrame
        ``agent, group, shift, date, start, end, activity, detail`` as in
        ``schedule.csv`` (times as text or timestamps, local wall-clock time).
    requirements : DataFrame
        ``ds, agents`` (optional ``queue``) that the schedule was made for.
    scenario : Scenario
        Groups (rates), shifts (paid breaks), costs, campaigns and the horizon.
    lower_bound : float, optional
        The solver's proven lower bound on the cost, for the gap.
    problem : Problem, optional
        ``build_problem(requirements, scenario)`` when the caller already has it.
    source : str
        Name of the requirement table, for messages.

    Returns
    -------
    dict
        ``cost`` (the sum of ``paid_cost``, ``agent_overhead_cost``,
        ``short_penalty_cost``, ``undone_penalty_cost`` and ``goal_late_penalty_cost``), ``lower_bound``, ``gap``
        (``(cost - lower_bound) / cost``), ``paid_hours``, ``fte`` (paid hours over
        ``verify.fte_hours_per_week`` per week), ``agents``, ``agents_by_group``,
        ``required_agent_intervals``, ``under_intervals`` (intervals with any
        shortfall), ``under_agent_intervals``, ``over_agent_intervals``, ``campaigns``
        and ``outbound_done_share`` per campaign, and ``coverage`` (the table written
        to ``coverage.csv``).
    """
    if problem is None:
        problem = build_problem(requirements, scenario, source)
    interval = problem.interval
    seconds = interval * 60
    costs = scenario.costs
    agents, activity, detail = schedule_grid(schedule, problem)
    paid_cost, paid_slots, agent_weeks = _shift_pay(schedule, problem)
    overhead_cost = costs.cost_per_agent_week * agent_weeks

    under = np.zeros((len(problem.pools), problem.slots), dtype=int)
    for pi, pool in enumerate(problem.pools):
        got = ((activity == INBOUND) & (detail == pi)).sum(axis=0)
        under[pi] = np.maximum(pool.required.reshape(-1) - got, 0)
    short_cost = costs.inbound_short_penalty * float(under.sum())

    campaigns, undone_cost = {}, 0.0
    for ci, plan in enumerate(problem.campaigns):
        done = int(((activity == OUTBOUND) & (detail == ci)).sum()) * seconds
        owed = plan.owed_seconds
        undone_cost += costs.outbound_undone_penalty * max(0, owed - done)
        share = 1.0 if owed == 0 else min(1.0, done / owed)
        work = plan.workload
        scale = share * owed / max(work.agent_seconds, 1e-9)
        campaigns[plan.campaign.name] = {
            "agent_seconds_needed": round(work.agent_seconds),
            "agent_seconds_due_in_horizon": owed,
            "agent_seconds_done": done,
            "outbound_done_share": round(share, 4),
            "attempts": round(work.attempts * scale, 1),
            "contacts": round(work.contacts * scale, 1),
            "conversions": None if work.conversions is None else round(work.conversions * scale, 1),
        }

    late_cost = sum(goal_late_cost(goal, ((activity == INBOUND) & (detail == goal.pool)).sum(axis=0))
                    for goal in problem.goals)
    coverage = coverage_frame(problem, activity, detail)
    cost = paid_cost + overhead_cost + short_cost + undone_cost + late_cost
    lower = None
    if lower_bound is not None:
        lower = min(float(lower_bound), cost)  # rounding of costs to hundredths must not push the bound past the cost
    gap = None if lower is None else ((cost - lower) / cost if cost > 0 else 0.0)
    weeks = problem.days / 7
    paid_hours = paid_slots * interval / 60
    by_group = schedule.groupby("group")["agent"].nunique() if len(schedule) else pd.Series(dtype=int)
    return {
        "cost": round(cost, 2),
        "lower_bound": None if lower is None else round(lower, 2),
        "gap": None if gap is None else round(gap, 5),
        "paid_cost": round(paid_cost, 2),
        "agent_overhead_cost": round(overhead_cost, 2),
        "short_penalty_cost": round(short_cost, 2),
        "undone_penalty_cost": round(undone_cost, 2),
        "goal_late_penalty_cost": round(late_cost, 2),
        "paid_hours": round(paid_hours, 2),
        "fte": round(paid_hours / (scenario.verify.fte_hours_per_week * weeks), 3),
        "agents": len(agents),
        "agents_by_group": {g.name: int(by_group.get(g.name, 0)) for g in scenario.groups},
        "required_agent_intervals": int(sum(p.required.sum() for p in problem.pools)),
        "under_intervals": int((under.sum(axis=0) > 0).sum()),
        "under_agent_intervals": int(under.sum()),
        "over_agent_intervals": int(coverage["over"].sum()),
        "campaigns": campaigns,
        "outbound_done_share": {name: c["outbound_done_share"] for name, c in campaigns.items()},
        "coverage": coverage,
    }



def goal_late_cost(goal, heads: np.ndarray) -> float:
    """Penalty of a day or week service goal the written inbound heads leave unmet.

    The same arithmetic as the model's goal rows (:func:`wfm.schedule.model.add_service_goal`):
    heads above each interval's floor earn that interval's gains, best first; short heads
    (below the floor) are already paid for as shortfall and count as there.

    Parameters
    ----------
    goal : GoalPlan
        A pool's service goal.
    heads : ndarray
        Inbound heads per global slot.

    Returns
    -------
    float
        The late-call penalty.
    """
    owed: dict[int, int] = {}
    earned: dict[int, int] = {}
    for t, floor, gains, period in zip(goal.slots.tolist(), goal.floor.tolist(), goal.gains, goal.period.tolist(), strict=False):
        take = int(np.clip(int(heads[t]) - floor, 0, len(gains)))
        earned[period] = earned.get(period, 0) + int(gains[:take].sum())
    for period, required in goal.required.items():
        owed[period] = max(0, int(np.ceil(goal.scale * (required - goal.credit_floor[period]))))
    late = sum(max(0, need - earned.get(period, 0)) for period, need in owed.items())
    return late * goal.penalty / goal.scale


def _shift_pay(schedule: pd.DataFrame, problem: Problem) -> tuple[float, int, int]:
    """Paid cost (with the unsocial premium), paid slots and agent-weeks of the shifts."""
    if not len(schedule):
        return 0.0, 0, 0
    scenario = problem.scenario
    t0, t1 = _segment_slots(schedule, problem)
    # Real slots, not grid positions: a short daylight-saving day pads the grid after its
    # last real slot, and a segment ending at midnight must not be paid for the padding.
    offsets = np.concatenate([[0], np.cumsum(problem.day_slots)])
    S = problem.slots_per_day
    t0, t1 = offsets[t0 // S] + t0 % S, offsets[t1 // S] + t1 % S
    seg = pd.DataFrame({
        "agent": schedule["agent"].astype(str).to_numpy(), "date": schedule["date"].astype(str).to_numpy(),
        "group": schedule["group"].astype(str).to_numpy(), "shift": schedule["shift"].astype(str).to_numpy(),
        "activity": schedule["activity"].astype(str).to_numpy(), "t0": t0, "t1": t1,
    }).sort_values(["agent", "date", "t0"], kind="stable")
    rest = seg["activity"].isin(["break", "lunch"]).to_numpy()
    # The k-th rest of a shift is its k-th break rule (the order the validator checks).
    rank = seg[rest].groupby(["agent", "date"]).cumcount().to_numpy()
    paid_rule = {(sh.name, k): b.is_paid for sh in scenario.shifts for k, b in enumerate(sh.breaks)}
    unpaid = np.zeros(len(seg), dtype=np.int64)
    rest_rows = seg[rest]
    is_unpaid = np.array([not paid_rule.get((name, int(k)), True) for name, k in zip(rest_rows["shift"], rank, strict=False)], dtype=bool)
    unpaid[np.flatnonzero(rest)[is_unpaid]] = (rest_rows["t1"] - rest_rows["t0"]).to_numpy()[is_unpaid]
    shifts = seg.assign(unpaid=unpaid).groupby(["agent", "date"], sort=True).agg(
        group=("group", "first"), begin=("t0", "min"), finish=("t1", "max"), unpaid=("unpaid", "sum")).reset_index()
    groups = {g.name: g for g in scenario.groups}
    rate = shifts["group"].map(lambda g: groups[g].cost_per_hour).to_numpy(dtype=float)
    premium = shifts["group"].map(lambda g: groups[g].unsocial_premium).to_numpy(dtype=float)
    real = np.concatenate([np.arange(n) + d * S for d, n in enumerate(problem.day_slots.tolist())])
    unsocial = np.concatenate([[0], np.cumsum(problem.unsocial.reshape(-1)[real])])
    unsocial_slots = unsocial[shifts["finish"].to_numpy()] - unsocial[shifts["begin"].to_numpy()]
    paid = (shifts["finish"] - shifts["begin"] - shifts["unpaid"]).to_numpy()
    pay = float((rate * problem.interval / 60 * (paid + premium * unsocial_slots)).sum())
    week = (pd.to_datetime(shifts["date"]) - pd.Timestamp(problem.dates[0])).dt.days // 7
    agent_weeks = int(pd.DataFrame({"agent": shifts["agent"], "week": week}).drop_duplicates().shape[0])
    return pay, int(paid.sum()), agent_weeks


def model_coverage(problem: Problem, layout, values: np.ndarray, avail) -> pd.DataFrame:
    """Coverage per open interval as the model planned it (``ds, scheduled_inbound, outbound``).

    The expansion must write exactly this: every agent on shift and off break in the
    model is, in the schedule, either on a campaign (the model's outbound counts) or,
    in a group that takes calls, on inbound (idle capacity there counts as inbound).

    Parameters
    ----------
    problem : Problem
        Its groups, which of them take calls, and its open slots.
    layout : Layout
        Its outbound keys give each group's campaign heads per slot.
    values : ndarray
        The plan (rounded to whole agents).
    avail : sparse matrix
        (group x slot, variable) agents on shift and off break.

    Returns
    -------
    DataFrame
        ``ds, scheduled_inbound, outbound`` (and ``fold``).
    """
    G, T = len(problem.scenario.groups), problem.slots
    values = np.rint(np.asarray(values)).astype(np.int64)
    on = np.asarray(avail @ values).reshape(G, T)
    outbound = np.zeros((G, T), dtype=np.int64)
    for (g, _, t), var in zip(layout.outbound_keys.tolist(), layout.outbound_vars.tolist(), strict=False):
        outbound[g, t] += values[var]
    takes_calls = np.array(
        [g.does_inbound and any(gi in p.groups for p in problem.pools) for gi, g in enumerate(problem.scenario.groups)],
        dtype=bool,
    )
    inbound = (on - outbound)[takes_calls].sum(axis=0) if takes_calls.any() else np.zeros(T, dtype=np.int64)
    open_slots = np.flatnonzero(problem.open_mask.reshape(-1))
    return pd.DataFrame({
        "ds": [problem.slot_time(t) for t in open_slots],
        "scheduled_inbound": inbound[open_slots].astype(int),
        "outbound": outbound.sum(axis=0)[open_slots].astype(int),
    })


__all__ = ["plan_figures", "schedule_grid", "model_coverage"]
