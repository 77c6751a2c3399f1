"""Naming the rule that binds when a plan falls short.

Falling short is not an error: the plan is still the cheapest found. These checks
say *why* in the planner's words, with the TOML path of the setting to change.
"""

from __future__ import annotations

import numpy as np

from wfm.schedule.model import Layout
from wfm.schedule.rules import Problem


def _when(problem: Problem, t: int) -> str:
    return problem.slot_time(t).strftime("%a %Y-%m-%d %H:%M")


def reachable_slots(problem: Problem, group: int) -> np.ndarray:
    """Global slots some shift rule of ``group`` can cover on some day (break windows aside).

    Parameters
    ----------
    problem : Problem
        The problem.
    group : int
        Group index.

    Returns
    -------
    ndarray of bool
        Per global slot.
    """
    reach = np.zeros(problem.slots, dtype=bool)
    for rule in problem.rules:
        if rule.group_index != group:
            continue
        for d, starts in enumerate(rule.starts_by_day):
            for s in starts.tolist():
                t0 = int(problem.start_slot[d, s])
                reach[t0 : t0 + rule.length] = True
    return reach


def binding_rules(problem: Problem, layout: Layout, values: np.ndarray, under: np.ndarray) -> list[str]:
    """Sentences naming the binding rules; ``under`` is ``[pool, global slot]`` agents short.

    Parameters
    ----------
    problem : Problem
        Its shift rules' reach, groups' headcounts and campaigns' caps and windows.
    layout : Layout
        Locates the tours, outbound work and undone seconds in ``values``.
    values : ndarray
        The plan, rounded to whole agents before it is read.
    under : ndarray
        ``[pool, global slot]`` agents short.

    Returns
    -------
    list of str
        E.g. the group's headcount cap, or no shift rule reaching the interval.
    """
    reasons: list[str] = []
    scenario = problem.scenario
    values = np.rint(values).astype(np.int64)
    # 1. Intervals no shift can reach.
    for pi, pool in enumerate(problem.pools):
        reach = np.zeros(problem.slots, dtype=bool)
        for g in pool.groups:
            reach |= reachable_slots(problem, g)
        unreachable = np.flatnonzero((under[pi] > 0) & ~reach)
        if len(unreachable):
            reasons.append(
                f"shift: no shift rule of the groups serving '{pool.name}' can cover {len(unreachable)} "
                f"required interval(s), first {_when(problem, unreachable[0])}; widen a start window or add a length."
            )
    # 2. Headcount caps reached.
    rule_group = np.array([r.group_index for r in problem.rules])
    count = values[layout.tour_vars] if len(layout.tour_vars) else np.zeros(0, int)
    undone_any = bool(len(layout.undone_vars)) and int(values[layout.undone_vars].sum()) > 0
    for gi, group in enumerate(scenario.groups):
        if group.headcount is None or not len(count) or not (under.sum() > 0 or undone_any):
            continue
        for w in range(problem.weeks):
            used = int(count[(rule_group[layout.tour_keys[:, 0]] == gi) & (layout.tour_keys[:, 1] == w)].sum())
            if used >= group.headcount:
                reasons.append(
                    f"group[{gi}].headcount: all {group.headcount} agents of '{group.name}' are scheduled in week "
                    f"{w + 1}, so the cap binds."
                )
                break
    # 3. Campaigns: daily caps and calling windows.
    for ci, plan in enumerate(problem.campaigns):
        undone = int(values[layout.undone_vars[ci]])
        if undone <= 0:
            continue
        name = plan.campaign.name
        if plan.daily_cap_seconds is not None:
            done_by_day = np.zeros(problem.days)
            sel = layout.outbound_keys[:, 1] == ci
            np.add.at(done_by_day, layout.outbound_keys[sel, 2] // problem.slots_per_day, values[layout.outbound_vars[sel]])
            if (done_by_day * problem.interval * 60 >= plan.daily_cap_seconds - problem.interval * 60).any():
                reasons.append(
                    f"campaign[{ci}].daily_attempt_cap: the cap of {plan.campaign.daily_attempt_cap} attempts a day "
                    f"limits '{name}', {undone / 3600:.1f} agent-hours are left undone."
                )
                continue
        if not plan.mask.any():
            reasons.append(
                f"campaign[{ci}].window_days: '{name}' has no calling interval inside the horizon before its deadline."
            )
            continue
        reasons.append(
            f"campaign[{ci}]: {undone / 3600:.1f} agent-hours of '{name}' are left undone: its calling window and "
            f"deadline leave too little time at the outbound_undone_penalty of "
            f"{scenario.costs.outbound_undone_penalty:g} per agent-second, or the groups' headcount binds."
        )
    if under.sum() > 0 and not any(r.startswith(("shift:", "group[")) for r in reasons):
        reasons.append(
            f"costs.inbound_short_penalty: at {scenario.costs.inbound_short_penalty:g} per agent-interval, leaving "
            f"{int(under.sum())} agent-interval(s) short is cheaper than the extra shifts the rules "
            f"(lengths, days per week, breaks) would need."
        )
    return reasons
