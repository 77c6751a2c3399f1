"""Expansion of the solved counts into named agents with weekly schedules.

The counts say how many agents work each tour, start when, and take each break at
which offset; the expansion hands those out to ``Agent 001 ... N`` so that every
interval's coverage is exactly the model's (idle capacity of inbound-capable agents
is reported as inbound, which only raises coverage):

* tours of one week become agents; an agent keeps the same rank among the starts of
  its band every day, so its start times move as little as the counts allow;
* from week to week agents are matched (an assignment problem) so that the rest rule
  also holds across the week boundary;
* in each interval, the agents free to work are given outbound work first to those
  already on that campaign, so activity segments stay long.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from wfm.schedule.model import Layout
from wfm.schedule.rules import Problem

OFF, INBOUND, OUTBOUND, BREAK, LUNCH, IDLE = 0, 1, 2, 3, 4, 5
ACTIVITY_NAMES = {INBOUND: "inbound", OUTBOUND: "outbound", BREAK: "break", LUNCH: "lunch", IDLE: "idle"}


@dataclass
class Roster:
    """Per-agent plan on the global slot grid."""

    agent_group: np.ndarray  # [agent] group index
    agent_rule: np.ndarray  # [agent] rule index
    activity: np.ndarray  # [agent, slot] OFF/INBOUND/OUTBOUND/BREAK/LUNCH
    detail: np.ndarray  # [agent, slot] pool index (inbound) or campaign index (outbound), else -1
    shift_start: np.ndarray  # [agent, day] slot of day, -1 when off


def _week_instances(problem: Problem, layout: Layout, values: np.ndarray, w: int) -> list[tuple[int, int, int]]:
    """(rule, pattern bits, band) for every agent working week ``w``."""
    keys, count = layout.tour_keys, values[layout.tour_vars] if len(layout.tour_vars) else np.zeros(0, int)
    out = []
    for (rule, week, bits, band), n in zip(keys.tolist(), np.rint(count).astype(int).tolist(), strict=False):
        if week == w and n > 0:
            out.extend([(rule, bits, band)] * n)
    return out


def expand_roster(problem: Problem, layout: Layout, values: np.ndarray) -> Roster:
    """Hand the counts out to individual agents (see the module docstring).

    Parameters
    ----------
    problem : Problem
        Its shift rules (lengths, breaks) and the slot grid the roster is laid on.
    layout : Layout
        Its start and break keys say what each count in ``values`` is a count of.
    values : ndarray
        The plan's counts (rounded); each start becomes that many agents.

    Returns
    -------
    Roster
        Per agent: group, rule, and activity and detail per global slot.
    """
    S, T = problem.slots_per_day, problem.slots
    values = np.rint(values).astype(np.int64)
    start_count = {tuple(k): int(values[v]) for k, v in zip(layout.start_keys.tolist(), layout.start_vars.tolist(), strict=False)}
    break_count: dict[tuple, list[tuple[int, int]]] = {}
    for (rule, d, s, j, off), var in zip(layout.break_keys.tolist(), layout.break_vars.tolist(), strict=False):
        n = int(values[var])
        if n:
            break_count.setdefault((rule, d, s, j), []).append((off, n))

    weekly, week_starts = [], []  # per week: instances, and per instance its start per weekday
    for w in range(problem.weeks):
        instances = _week_instances(problem, layout, values, w)
        # A stable order (by rule, band, pattern) gives each agent a steady rank in its band.
        instances.sort(key=lambda x: (x[0], x[2], x[1]))
        starts = np.full((len(instances), 7), -1, dtype=int)
        for weekday in range(7):
            d = w * 7 + weekday
            groups: dict[tuple[int, int], list[int]] = {}
            for i, (rule, bits, band) in enumerate(instances):
                if (bits >> weekday) & 1:
                    groups.setdefault((rule, band), []).append(i)
            for (rule, band), members in groups.items():
                pool = []
                for s in problem.rules[rule].bands[band].tolist():
                    pool.extend([s] * start_count.get((rule, d, band, s), 0))
                if len(pool) != len(members):
                    raise RuntimeError(f"expansion: {len(pool)} starts for {len(members)} tours (rule {rule}, day {d})")
                for i, s in zip(members, sorted(pool), strict=False):
                    starts[i, weekday] = s
        weekly.append(instances)
        week_starts.append(starts)

    # Agent identities across weeks.
    ids_by_week: list[list[int]] = []
    last: dict[int, tuple[int, int]] = {}  # agent id -> (rule, start on the previous week's last day)
    rule_of: dict[int, int] = {}
    next_id = 0
    for w, instances in enumerate(weekly):
        starts = week_starts[w]
        week_ids = [-1] * len(instances)
        by_rule: dict[int, list[int]] = {}
        for i, inst in enumerate(instances):
            by_rule.setdefault(inst[0], []).append(i)
        for rule, members in by_rule.items():
            tour = problem.rules[rule]
            candidates = [a for a, r in rule_of.items() if r == rule]
            if candidates:
                cost = np.zeros((len(members), len(candidates)))
                for x, i in enumerate(members):
                    s_next = starts[i, 0]
                    for y, a in enumerate(candidates):
                        s_prev = last[a][1]
                        if s_next >= 0 and s_prev >= 0:
                            # Rest in real time: the last day of the week may be a daylight-saving day.
                            rest = problem.real_slot(problem.start_slot[7 * w, s_next]) - problem.real_slot(
                                problem.start_slot[7 * w - 1, s_prev] + tour.length)
                            if rest < tour.rest_slots:
                                cost[x, y] = 1000
                            cost[x, y] += abs(s_next - s_prev) / S
                rows, cols = linear_sum_assignment(cost)
                for x, y in zip(rows, cols, strict=False):
                    if cost[x, y] < 1000:
                        week_ids[members[x]] = candidates[y]
            for i in members:
                if week_ids[i] < 0:
                    week_ids[i] = next_id
                    rule_of[next_id] = rule
                    next_id += 1
        used = set(week_ids)
        for a in rule_of:
            if a not in used:
                last[a] = (rule_of[a], -1)
        for i, a in enumerate(week_ids):
            last[a] = (instances[i][0], int(starts[i, 6]))
        ids_by_week.append(week_ids)

    n_agents = next_id
    agent_rule = np.array([rule_of[a] for a in range(n_agents)], dtype=int)
    agent_group = np.array([problem.rules[r].group_index for r in agent_rule], dtype=int)
    activity = np.zeros((n_agents, T), dtype=np.int8)
    detail = np.full((n_agents, T), -1, dtype=np.int16)
    shift_start = np.full((n_agents, problem.days), -1, dtype=int)
    for w, instances in enumerate(weekly):
        for i, (rule, _, _) in enumerate(instances):
            a = ids_by_week[w][i]
            for weekday in range(7):
                s = week_starts[w][i, weekday]
                if s >= 0:
                    d = w * 7 + weekday
                    shift_start[a, d] = s
                    t0 = int(problem.start_slot[d, s])
                    activity[a, t0 : t0 + problem.rules[rule].length] = INBOUND

    # Breaks: agents starting at the same (rule, day, start) share out the offsets.
    for d in range(problem.days):
        starters: dict[tuple[int, int], list[int]] = {}
        for a in np.flatnonzero(shift_start[:, d] >= 0).tolist():
            starters.setdefault((int(agent_rule[a]), int(shift_start[a, d])), []).append(a)
        for (rule, s), members in starters.items():
            t0 = int(problem.start_slot[d, s])
            for j, br in enumerate(problem.rules[rule].breaks):
                code = LUNCH if br.kind == "lunch" else BREAK
                if len(br.offsets) == 1:
                    offsets = [int(br.offsets[0])] * len(members)
                else:
                    offsets = []
                    for off, n in sorted(break_count.get((rule, d, s, j), [])):
                        offsets.extend([off] * n)
                if len(offsets) != len(members):
                    raise RuntimeError(f"expansion: {len(offsets)} breaks for {len(members)} shifts")
                for a, off in zip(members, offsets, strict=False):
                    activity[a, t0 + off : t0 + off + br.length] = code

    _assign_work(problem, layout, values, agent_group, activity, detail)
    return Roster(agent_group, agent_rule, activity, detail, shift_start)


def _assign_work(problem, layout, values, agent_group, activity, detail) -> None:
    """Choose which free agents do outbound in each interval; the rest take inbound calls."""
    T = problem.slots
    n_groups = len(problem.scenario.groups)
    n_pools, n_campaigns = len(problem.pools), len(problem.campaigns)
    outbound = np.zeros((n_groups, max(n_campaigns, 1), T), dtype=int)
    for (g, c, t), var in zip(layout.outbound_keys.tolist(), layout.outbound_vars.tolist(), strict=False):
        outbound[g, c, t] += int(values[var])
    inbound = np.zeros((n_groups, max(n_pools, 1), T), dtype=int)
    for (g, pi, t), var in zip(layout.inbound_keys.tolist(), layout.inbound_vars.tolist(), strict=False):
        inbound[g, pi, t] += int(values[var])
    required = np.stack([p.required.reshape(-1) for p in problem.pools]) if n_pools else np.zeros((0, T))
    serves = [[pi for pi, p in enumerate(problem.pools) if g in p.groups] for g in range(n_groups)]
    does_inbound = [problem.scenario.groups[g].does_inbound for g in range(n_groups)]
    staffed = np.zeros((max(n_pools, 1), T), dtype=int)
    working = activity == INBOUND  # not off, not on a break (breaks already written)
    previous = np.full(activity.shape[0], -1, dtype=int)  # campaign each agent was on at t-1
    for t in range(T):
        free_all = np.flatnonzero(working[:, t])
        if not len(free_all):
            previous[:] = -1
            continue
        for g in range(n_groups):
            free = free_all[agent_group[free_all] == g]
            if not len(free):
                continue
            taken = np.zeros(len(free), dtype=bool)
            for c in range(n_campaigns):
                need = outbound[g, c, t]
                if need <= 0:
                    continue
                # Agents already on this campaign keep it, so segments stay long.
                order = np.argsort(previous[free] != c, kind="stable")
                order = order[~taken[order]][:need]
                taken[order] = True
                activity[free[order], t] = OUTBOUND
                detail[free[order], t] = c
            rest = free[~taken]
            pools = serves[g]
            if not does_inbound[g] or not pools:
                # Paid but with no call to take or place (e.g. outside every calling window).
                activity[rest, t] = IDLE
                continue
            if len(pools) == 1:
                detail[rest, t] = pools[0]
                staffed[pools[0], t] += len(rest)
                continue
            # First the model's split between the queues, then spare agents where the gap is largest.
            k = 0
            for pi in pools:
                n = min(int(inbound[g, pi, t]), len(rest) - k)
                detail[rest[k : k + n], t] = pi
                staffed[pi, t] += n
                k += n
            for a in rest[k:]:
                gaps = [required[pi, t] - staffed[pi, t] for pi in pools]
                pi = pools[int(np.argmax(gaps))]
                detail[a, t] = pi
                staffed[pi, t] += 1
        previous[:] = -1
        on_out = activity[:, t] == OUTBOUND
        previous[on_out] = detail[on_out, t]


def roster_frames(problem: Problem, roster: Roster) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The schedule (one row per agent segment) and the coverage (one row per interval).

    schedule columns: ``agent, group, shift, date, start, end, activity, detail``
    (detail: the inbound queue(s) or the campaign). coverage columns: ``ds, required,
    scheduled_inbound, outbound, over, under`` plus, with several inbound pools or
    campaigns, ``required[pool]``, ``scheduled_inbound[pool]``, ``outbound[campaign]``.

    Times are local wall-clock time. When the horizon has a repeated hour (a fall-back
    day) the schedule also has ``start_fold, end_fold`` and the coverage ``fold`` (1 on
    the second pass of the hour, see :mod:`wfm.localtime`), so every time names one
    real instant.

    Parameters
    ----------
    problem : Problem
        The problem.
    roster : Roster
        From :func:`expand_roster`.

    Returns
    -------
    schedule, coverage : DataFrame
        The two tables.
    """
    groups = problem.scenario.groups
    order = np.lexsort((roster.shift_start.max(axis=1), roster.agent_group))
    width = max(3, len(str(len(order))))
    rows = []
    for number, a in enumerate(order.tolist(), start=1):
        name = f"Agent {number:0{width}d}"
        rule = problem.rules[roster.agent_rule[a]]
        for d in np.flatnonzero(roster.shift_start[a] >= 0).tolist():
            t0 = int(problem.start_slot[d, roster.shift_start[a, d]])
            acts = roster.activity[a, t0 : t0 + rule.length]
            dets = roster.detail[a, t0 : t0 + rule.length]
            change = np.flatnonzero((np.diff(acts) != 0) | (np.diff(dets) != 0)) + 1
            bounds = np.concatenate([[0], change, [rule.length]])
            for lo, hi in zip(bounds[:-1], bounds[1:], strict=False):
                code, det = int(acts[lo]), int(dets[lo])
                if code == OUTBOUND:
                    what = problem.campaigns[det].campaign.name if det >= 0 else ""
                elif code == INBOUND:
                    what = problem.pools[det].name if det >= 0 else ""
                else:
                    what = ""
                rows.append(
                    (
                        name,
                        groups[roster.agent_group[a]].name,
                        rule.shift_name,
                        problem.dates[d].isoformat(),
                        problem.slot_time(t0 + lo),
                        problem.slot_time(t0 + hi),
                        ACTIVITY_NAMES[code],
                        what,
                        int(problem.slot_fold[t0 + lo]),
                        int(problem.slot_fold[t0 + hi]),
                    )
                )
    columns = ["agent", "group", "shift", "date", "start", "end", "activity", "detail", "start_fold", "end_fold"]
    schedule = pd.DataFrame(rows, columns=columns)
    if problem.has_fold:
        schedule = schedule[columns[:6] + columns[-2:] + columns[6:8]]
    else:
        schedule = schedule[columns[:8]]
    return schedule, coverage_frame(problem, roster.activity, roster.detail)


def coverage_frame(problem: Problem, activity: np.ndarray, detail: np.ndarray) -> pd.DataFrame:
    """Coverage per open interval from an activity matrix (see :func:`roster_frames`).

    Parameters
    ----------
    problem : Problem
        The problem.
    activity : ndarray
        ``[agent, slot]`` activity codes.
    detail : ndarray
        ``[agent, slot]`` pool or campaign index.

    Returns
    -------
    DataFrame
        The coverage table.
    """
    open_slots = np.flatnonzero(problem.open_mask.reshape(-1))
    frame = {"ds": [problem.slot_time(t) for t in open_slots]}
    if problem.has_fold:
        frame["fold"] = problem.slot_fold[open_slots].astype(int)
    required_total = np.zeros(len(open_slots))
    inbound_total = np.zeros(len(open_slots))
    over = np.zeros(len(open_slots))
    under = np.zeros(len(open_slots))
    per_pool = {}
    for pi, pool in enumerate(problem.pools):
        req = pool.required.reshape(-1)[open_slots]
        got = ((activity == INBOUND) & (detail == pi)).sum(axis=0)[open_slots]
        per_pool[pool.name] = (req, got)
        required_total += req
        inbound_total += got
        over += np.maximum(got - req, 0)
        under += np.maximum(req - got, 0)
    outbound_all = activity == OUTBOUND
    frame["required"] = required_total.astype(int)
    frame["scheduled_inbound"] = inbound_total.astype(int)
    frame["outbound"] = outbound_all.sum(axis=0)[open_slots].astype(int)
    frame["over"] = over.astype(int)
    frame["under"] = under.astype(int)
    if len(problem.pools) > 1:
        for name, (req, got) in per_pool.items():
            frame[f"required[{name}]"] = req.astype(int)
            frame[f"scheduled_inbound[{name}]"] = got.astype(int)
    if len(problem.campaigns) > 1:
        for ci, plan in enumerate(problem.campaigns):
            frame[f"outbound[{plan.campaign.name}]"] = ((activity == OUTBOUND) & (detail == ci)).sum(axis=0)[open_slots]
    return pd.DataFrame(frame)
