"""A first roster built day by day, to start CP-SAT's search from a sensible point.

CP-SAT's own first rosters on a large centre are poor (every contract minimum missed)
and its neighbourhood search then spends most of the budget climbing out of them. This
builds one in a single pass that keeps every hard rule (rest, hours, days in a row,
days off, weekends) and gives each agent, day by day, the shift worth most by the
objective's own prices: requirement served, per-shift cover, hours towards the
contract minimum, less labour cost and wishes against it. It is only a hint: the
solver keeps what it can improve on.
"""

from __future__ import annotations

import numpy as np

from wfm.roster.centre import CentreProblem, matching_shifts, rest_minutes


def greedy_roster(problem: CentreProblem) -> set[tuple[int, int, int]]:
    """``(agent, day, shift)`` triples of a roster that keeps the hard rules.

    Parameters
    ----------
    problem : CentreProblem
        The roster problem.

    Returns
    -------
    set of (int, int, int)
        Agent, day and shift indexes worked.
    """
    settings = problem.settings
    agents, days = problem.agents, len(problem.dates)
    residual = problem.required.astype(float).copy()
    cover_left = {(d, s): n for d, s, n in problem.cover}
    queue_index = {q: i for i, q in enumerate(problem.queues)}
    skills = [[queue_index[q] for q in a.skills if q in queue_index] for a in agents]
    by_day: list[dict[int, list[int]]] = []
    for a in range(len(agents)):
        mine: dict[int, list[int]] = {}
        for d, s in problem.allowed[a]:
            mine.setdefault(d, []).append(s)
        by_day.append(mine)
    # Wish price per (agent, day, shift): what granting that shift costs (+) or saves (-).
    wish_price = [dict() for _ in agents]
    index = {day: d for d, day in enumerate(problem.dates)}
    for a, agent in enumerate(agents):
        for wish in agent.wishes:
            shifts = set(matching_shifts(problem, wish))
            wish_days = range(days) if wish.dates is None else [index[x] for x in wish.dates]
            price = settings.wish_value * wish.weight
            for d in wish_days:
                for s in by_day[a].get(d, []):
                    hit = s in shifts
                    if not wish.want:
                        delta = price if hit else 0.0
                    elif wish.dates is not None:
                        delta = -price if hit else 0.0  # a dated want: granted only by a matching shift
                    else:
                        delta = 0.0 if hit else price  # "when I work, this shift"
                    wish_price[a][d, s] = wish_price[a].get((d, s), 0.0) + delta
    week_of = [d // 7 for d in range(days)]
    best_paid = [dict() for _ in agents]  # the longest shift each agent may work each day
    for a in range(len(agents)):
        for d, s in problem.allowed[a]:
            best_paid[a][d] = max(best_paid[a].get(d, 0), problem.instances[d, s].paid)
    worked: dict[int, list[tuple[int, int]]] = {a: [] for a in range(len(agents))}
    week_minutes = np.zeros((len(agents), (days + 6) // 7))
    horizon_minutes = np.zeros(len(agents))
    weekends_used: list[set[int]] = [set() for _ in agents]
    chosen: set[tuple[int, int, int]] = set()
    serving: dict[tuple[int, int, int], tuple] = {}  # the intervals each shift serves, and which queue
    fixed = [{index[day]: code for day, code in a.fixed.items()} for a in agents]
    hour_price = settings.min_hours_penalty / 60

    def allowed(a: int, d: int, s: int) -> bool:
        agent, inst = agents[a], problem.instances[d, s]
        for pd_, ps in worked[a][-3:]:
            if inst.start - problem.instances[pd_, ps].end < rest_minutes(problem, a, ps):
                return False
        days_worked = [x for x, _ in worked[a]]
        if agent.max_consecutive_days is not None:
            streak = 0
            while d - streak - 1 in days_worked:
                streak += 1
            if streak >= agent.max_consecutive_days:
                return False
        if days_worked and days_worked[-1] < d - 1 and d - 1 - days_worked[-1] < agent.min_consecutive_days_off:
            return False
        paid = inst.paid
        if agent.max_hours_week is not None and week_minutes[a, week_of[d]] + paid > agent.max_hours_week * 60:
            return False
        if agent.max_hours_horizon is not None and horizon_minutes[a] + paid > agent.max_hours_horizon * 60:
            return False
        if agent.max_shifts is not None and len(worked[a]) >= agent.max_shifts:
            return False
        w = inst.weekend
        if agent.max_weekends is not None and w is not None and w not in weekends_used[a] \
                and len(weekends_used[a]) >= agent.max_weekends:
            return False
        return True

    def need(a: int, d: int) -> float:
        agent = agents[a]
        week = [x for x in range(days) if week_of[x] == week_of[d]]
        present = sum(problem.dates[x] not in agent.time_off for x in week)
        return max(0.0, agent.min_hours_week * 60 * present / len(week) - week_minutes[a, week_of[d]])

    for d in range(days):
        # A different agent leads each day, so no one always gets the first pick.
        order = sorted(range(len(agents)), key=lambda a: (-need(a, d) > 0, (a - d * 7) % len(agents)))
        for a in order:
            options = by_day[a].get(d, [])
            if d in fixed[a]:
                code = fixed[a][d]
                options = [] if code is None else [s for s in options if problem.shifts[s].code == code]
            best, best_value = None, 0.0
            deficit = need(a, d)
            later = sum(best_paid[a].get(x, 0) for x in range(d + 1, days) if week_of[x] == week_of[d])
            urgent = max(0.0, deficit - 0.6 * later)
            for s in options:
                if not allowed(a, d, s):
                    continue
                inst = problem.instances[d, s]
                value = -problem.cost[a][d, s] - wish_price[a].get((d, s), 0.0)
                # Hours towards the minimum are priced only when the rest of the week can no
                # longer make them up: otherwise everyone works the first days of each week.
                value += min(urgent, inst.paid) * hour_price
                if deficit > 0:
                    value += 0.5 * problem.cost[a][d, s]
                covered = problem.covers(inst)
                if covered.size and skills[a]:
                    best_queue = residual[skills[a]][:, covered].max(axis=0)
                    value += float(np.minimum(best_queue, 1.0).clip(0).sum()) * problem.short_penalty
                if cover_left.get((d, s), 0) > 0:
                    value += settings.cover_short_penalty
                if d in fixed[a]:
                    value += 1e12
                if value > best_value:
                    best, best_value = s, value
            if best is None:
                continue
            inst = problem.instances[d, best]
            chosen.add((a, d, best))
            worked[a].append((d, best))
            week_minutes[a, week_of[d]] += inst.paid
            horizon_minutes[a] += inst.paid
            if inst.weekend is not None:
                weekends_used[a].add(inst.weekend)
            if (d, best) in cover_left:
                cover_left[d, best] -= 1
            covered = problem.covers(inst)
            pick = None
            if covered.size and skills[a]:
                # Serve, interval by interval, the agent's queue with the most left.
                rows = np.array(skills[a])
                pick = rows[residual[rows][:, covered].argmax(axis=0)]
                residual[pick, covered] -= 1
            serving[a, d, best] = (covered, pick)

    # Second pass, latest first: drop a shift that only over-staffs, when the agent stays at
    # their minimums and no rule or wish needs it (the first pass cannot see later days).
    for a, d, s in sorted(chosen, key=lambda k: (-k[1], k[0])):
        agent, inst = agents[a], problem.instances[d, s]
        covered, pick = serving[a, d, s]
        if d in fixed[a] or wish_price[a].get((d, s), 0.0) < 0 or cover_left.get((d, s), 0) >= 0 and (d, s) in cover_left:
            continue
        if pick is not None and (residual[pick, covered] > -1).any():
            continue
        week = [x for x in range(days) if week_of[x] == week_of[d]]
        present = sum(problem.dates[x] not in agent.time_off for x in week)
        if week_minutes[a, week_of[d]] - inst.paid < agent.min_hours_week * 60 * present / len(week):
            continue
        present_all = sum(day not in agent.time_off for day in problem.dates)
        if horizon_minutes[a] - inst.paid < agent.min_hours_horizon * 60 * present_all / days:
            continue
        days_worked = sorted(x for x, _ in worked[a] if x != d)
        before = [x for x in days_worked if x < d]
        after = [x for x in days_worked if x > d]
        if before and after and after[0] - before[-1] - 1 < agent.min_consecutive_days_off:
            continue
        chosen.discard((a, d, s))
        worked[a].remove((d, s))
        week_minutes[a, week_of[d]] -= inst.paid
        horizon_minutes[a] -= inst.paid
        if pick is not None:
            residual[pick, covered] += 1
        if (d, s) in cover_left:
            cover_left[d, s] += 1
    return chosen
