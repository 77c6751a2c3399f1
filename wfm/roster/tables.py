"""The roster's tables, in the planner's words: the assignment, the シフト表 grid, per-person
totals and fairness, shortfalls with their reasons, and the diagnosis sentences.

Plain functions from (problem, solution) to frames, for the CLI, the exports and the app.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wfm.roster.centre import CentreProblem
from wfm.roster.centre_model import CentreSolution, comparable_groups, fairness_counts, matching_shifts

OFF, TIME_OFF = "", "休"
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _wall(problem: CentreProblem, day: dt.date, minute: int) -> str:
    when = dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=minute)
    return when.strftime("%Y-%m-%d %H:%M")


def assignment_table(problem: CentreProblem, solution: CentreSolution) -> pd.DataFrame:
    """``agent, name, group, date, shift, start, end, paid_hours``: one row per shift worked.

    ``start``/``end`` are local wall-clock times; a night shift ends the next day.

    Parameters
    ----------
    problem : CentreProblem
        Gives each worked shift its agent, date, shift code and paid minutes.
    solution : CentreSolution
        The solve whose ``worked`` triples become the rows.

    Returns
    -------
    pandas.DataFrame
        The assignment, sorted by agent, day and shift.
    """
    rows = []
    for a, d, s in sorted(solution.worked):
        agent, code, day = problem.agents[a], problem.shifts[s], problem.dates[d]
        inst = problem.instances[d, s]
        rows.append((agent.id, agent.name, agent.group, day.isoformat(), code.code, _wall(problem, day, code.start),
                     _wall(problem, day, code.start + code.span), round(inst.paid / 60, 4)))
    return pd.DataFrame(rows, columns=["agent", "name", "group", "date", "shift", "start", "end", "paid_hours"])


def shift_grid(problem: CentreProblem, solution: CentreSolution) -> pd.DataFrame:
    """One row per agent, one column per date (ISO), the shift code, ``休`` time off, empty a day off.

    Parameters
    ----------
    problem : CentreProblem
        Its agents are the rows, its dates the columns; their time off shows as ``休``.
    solution : CentreSolution
        Fills a cell with the code of each shift worked.

    Returns
    -------
    pandas.DataFrame
        ``agent, name, group`` and one column per date.
    """
    grid = {day.isoformat(): [OFF] * len(problem.agents) for day in problem.dates}
    for a, agent in enumerate(problem.agents):
        for day in agent.time_off:
            grid[day.isoformat()][a] = TIME_OFF
    for a, d, s in solution.worked:
        grid[problem.dates[d].isoformat()][a] = problem.shifts[s].code
    frame = pd.DataFrame(grid)
    frame.insert(0, "group", [a.group for a in problem.agents])
    frame.insert(0, "name", [a.name for a in problem.agents])
    frame.insert(0, "agent", [a.id for a in problem.agents])
    return frame


def day_totals(problem: CentreProblem, solution: CentreSolution) -> pd.DataFrame:
    """Per date: people on each shift code, people working and paid hours.

    Parameters
    ----------
    problem : CentreProblem
        Its dates, shift codes and each shift's paid minutes.
    solution : CentreSolution
        Counted per day: who works which shift.

    Returns
    -------
    pandas.DataFrame
        One row per date: ``date``, a column per shift code, ``people``, ``paid_hours``.
    """
    rows = []
    for d, day in enumerate(problem.dates):
        row = {"date": day.isoformat()}
        for s, code in enumerate(problem.shifts):
            row[code.code] = sum(1 for a, dd, ss in solution.worked if dd == d and ss == s)
        row["people"] = sum(1 for _, dd, _ in solution.worked if dd == d)
        row["paid_hours"] = round(sum(problem.instances[dd, ss].paid for _, dd, ss in solution.worked if dd == d) / 60, 2)
        rows.append(row)
    return pd.DataFrame(rows)


def agent_totals(problem: CentreProblem, solution: CentreSolution) -> pd.DataFrame:
    """Per person: shifts, paid hours, cost, weekend and late shifts (the fairness measures),
    unmet wishes, hours below the contract minimum and shifts changed from the published roster.

    Parameters
    ----------
    problem : CentreProblem
        Its agents, their contracts, wishes, time off and costs.
    solution : CentreSolution
        The shifts worked, unmet wishes, minutes under the contract minimum and changes.

    Returns
    -------
    pandas.DataFrame
        One row per agent, in the roster's order.
    """
    worked = solution.worked

    def value(a, d, s):
        return int((a, d, s) in worked)

    weekend = fairness_counts(problem, "weekend", value)
    late = fairness_counts(problem, "late", value)
    rows = []
    for a, agent in enumerate(problem.agents):
        mine = [(d, s) for aa, d, s in worked if aa == a]
        paid = sum(problem.instances[d, s].paid for d, s in mine)
        unmet = [u for u in solution.wishes_unmet if u.agent == a]
        under = sum(v for (aa, _), v in solution.under_minutes.items() if aa == a)
        rows.append({
            "agent": agent.id, "name": agent.name, "group": agent.group, "shifts": len(mine),
            "paid_hours": round(paid / 60, 2), "cost": sum(problem.cost[a][d, s] for d, s in mine),
            "min_hours_week": agent.min_hours_week, "max_hours_week": agent.max_hours_week,
            "weekend_shifts": weekend[a], "late_shifts": late[a],
            "wishes": sum(len(_wish_days(problem, w)) for w in agent.wishes),
            "unmet_wishes": len(unmet), "unmet_wish_weight": sum(u.weight for u in unmet),
            "hours_below_minimum": round(under / 60, 2),
            "time_off_days": len(agent.time_off),
            "changed_shifts": sum(1 for aa, _ in solution.changed if aa == a),
        })
    return pd.DataFrame(rows)


def _wish_days(problem: CentreProblem, wish) -> list:
    return list(range(len(problem.dates))) if wish.dates is None else list(wish.dates)


def fairness_table(problem: CentreProblem, solution: CentreSolution) -> pd.DataFrame:
    """Per measure and set of comparable agents: fewest, most and the spread the objective weighs.

    Parameters
    ----------
    problem : CentreProblem
        Decides which agents are comparable (group and weekly maximum) and which shifts are weekend or late.
    solution : CentreSolution
        Whose worked shifts are counted per agent.

    Returns
    -------
    pandas.DataFrame
        ``measure, group, max_hours_week, agents, fewest, most, spread, mean``.
    """
    worked = solution.worked
    rows = []
    for flag, label in (("weekend", "weekend shifts"), ("late", "late shifts")):
        counts = fairness_counts(problem, flag, lambda a, d, s: int((a, d, s) in worked))
        for members in comparable_groups(problem, flag):
            values = [counts[a] for a in members]
            first = problem.agents[members[0]]
            rows.append({"measure": label, "group": first.group, "max_hours_week": first.max_hours_week,
                         "agents": len(members), "fewest": min(values), "most": max(values),
                         "spread": max(values) - min(values), "mean": round(float(np.mean(values)), 2)})
    return pd.DataFrame(rows, columns=["measure", "group", "max_hours_week", "agents", "fewest", "most", "spread", "mean"])


def who_can_cover(problem: CentreProblem) -> np.ndarray:
    """``[queue, interval]``: how many agents with the skill could be on the phones then (availability only).

    Parameters
    ----------
    problem : CentreProblem
        Its agents' skills and allowed shifts, and the queues and intervals required.

    Returns
    -------
    numpy.ndarray
        Agent counts, shape ``(queues, intervals)``.
    """
    able = np.zeros_like(problem.required)
    queue_index = {q: i for i, q in enumerate(problem.queues)}
    for a, agent in enumerate(problem.agents):
        reach = np.zeros(problem.required.shape[1], dtype=bool)
        for d, s in problem.allowed[a]:
            reach[problem.covers(problem.instances[d, s])] = True
        for q in agent.skills:
            if q in queue_index:
                able[queue_index[q]] += reach
    return able


def availability_table(problem: CentreProblem) -> pd.DataFrame:
    """Availability against need, before any solve: per queue and interval, the agents
    required and how many with the skill could be on the phones then.

    Parameters
    ----------
    problem : CentreProblem
        Read before any solve: the requirement against who could cover it.

    Returns
    -------
    pandas.DataFrame
        ``queue, ds, required, available_agents``.
    """
    able = who_can_cover(problem)
    rows = [(queue, problem.interval_ds[i], int(problem.required[q, i]), int(able[q, i]))
            for q, queue in enumerate(problem.queues) for i in range(problem.required.shape[1])]
    return pd.DataFrame(rows, columns=["queue", "ds", "required", "available_agents"])


def shortfall_table(problem: CentreProblem, solution: CentreSolution) -> pd.DataFrame:
    """Every interval left short of the requirement, with why: nobody available, too few
    available, or the rules (contract hours, days in a row, rest) holding the ones who are.

    Parameters
    ----------
    problem : CentreProblem
        Its requirement per queue and interval and the agents who could cover it.
    solution : CentreSolution
        Its ``short`` array: agents missing per queue and interval.

    Returns
    -------
    pandas.DataFrame
        ``queue, ds, required, short, available_agents, reason`` (empty when nothing is short).
    """
    columns = ["queue", "ds", "required", "short", "available_agents", "reason"]
    if not solution.short.size or not solution.short.any():
        return pd.DataFrame(columns=columns)
    able = who_can_cover(problem)
    rows = []
    for q, i in zip(*np.nonzero(solution.short), strict=True):
        need, n = int(problem.required[q, i]), int(able[q, i])
        if n == 0:
            reason = "nobody with this skill is available then"
        elif n < need:
            reason = f"only {n} agent(s) with this skill are available then"
        else:
            reason = "the agents available then are held by their contracts (hours, days in a row, rest) or cost"
        rows.append((problem.queues[q], problem.interval_ds[i], need, int(solution.short[q, i]), n, reason))
    return pd.DataFrame(rows, columns=columns)


def cover_table(problem: CentreProblem, solution: CentreSolution) -> pd.DataFrame:
    """Per-shift cover: required and staffed per date and shift code.

    Parameters
    ----------
    problem : CentreProblem
        Its cover lines ``(day, shift, people)`` from ``roster.cover``.
    solution : CentreSolution
        Counts the people on each date and shift.

    Returns
    -------
    pandas.DataFrame
        ``date, shift, required, staffed, short``, one row per cover line.
    """
    rows = []
    for d, s, need in problem.cover:
        staffed = sum(1 for _, dd, ss in solution.worked if dd == d and ss == s)
        rows.append((problem.dates[d].isoformat(), problem.shifts[s].code, need, staffed, max(0, need - staffed)))
    return pd.DataFrame(rows, columns=["date", "shift", "required", "staffed", "short"])


@dataclass
class Capacity:
    """The most an agent's availability allows, ignoring every other agent."""

    week_minutes: list[int]
    horizon_minutes: int


def capacity(problem: CentreProblem, a: int) -> Capacity:
    """The most paid minutes agent ``a`` could work per week and over the horizon.

    Parameters
    ----------
    problem : CentreProblem
        Its allowed shifts, weeks and the agent's contract caps.
    a : int
        The agent's index.

    Returns
    -------
    Capacity
        Weekly and horizon maxima (longest shift per day, capped by days in a row and
        the contract's maximum hours).
    """
    agent = problem.agents[a]
    best = {}
    for d, s in problem.allowed[a]:
        best[d] = max(best.get(d, 0), problem.instances[d, s].paid)
    weeks = []
    for days in problem.weeks():
        most = [best.get(d, 0) for d in days]
        if agent.max_consecutive_days is not None and agent.max_consecutive_days < len(days):
            most = sorted(most, reverse=True)[: max(1, agent.max_consecutive_days)]
        total = sum(most)
        if agent.max_hours_week is not None:
            total = min(total, round(agent.max_hours_week * 60))
        weeks.append(total)
    total = sum(weeks)
    if agent.max_hours_horizon is not None:
        total = min(total, round(agent.max_hours_horizon * 60))
    return Capacity(weeks, total)


def diagnosis(problem: CentreProblem, solution: CentreSolution) -> list[str]:
    """Sentences naming what gave: contract minimums no availability allows, broken fixed
    assignments, short per-shift cover and where the interval requirement stays short.

    Parameters
    ----------
    problem : CentreProblem
        Its agents' contracts and availability, which bound what each one could work.
    solution : CentreSolution
        What gave: minutes under minimum, broken fixed days, cover and interval shortfalls.

    Returns
    -------
    list of str
        One sentence per finding (empty when nothing gave).
    """
    out = []
    weeks = problem.weeks()
    for (a, name), under in sorted(solution.under_minutes.items()):
        if under <= 0:
            continue
        agent = problem.agents[a]
        cap = capacity(problem, a)
        if name == "horizon":
            most, asked, column = cap.horizon_minutes, agent.min_hours_horizon, "min_hours_horizon"
            when = "over the horizon"
        else:
            w = int(name.split()[1]) - 1
            most, asked, column = cap.week_minutes[w], agent.min_hours_week, "min_hours_week"
            when = f"in the week of {problem.dates[weeks[w][0]]}"
        reason = (f"availability and the contract allow at most {most / 60:g} h" if most < asked * 60
                  else f"availability allows {most / 60:g} h, so the rules (rest, days in a row, days off, "
                       f"weekends) or the search budget held it back")
        out.append(f"{agent.place}, column '{column}': {agent.id} ({agent.name}) is rostered "
                   f"{round(under / 60, 2):g} h below the minimum {asked:g} h {when}: {reason}.")
    for a, d in solution.fixed_broken:
        agent = problem.agents[a]
        out.append(f"{agent.place}, column 'fixed': {agent.id} on {problem.dates[d]} could not be kept as fixed "
                   f"({agent.fixed[problem.dates[d]] or 'off'}): a hard rule (rest, hours, days in a row) forbids it.")
    for (d, s), under in sorted(solution.cover_under.items()):
        if under > 0:
            could = [a for a, pairs in enumerate(problem.allowed) if (d, s) in pairs]
            busy = {a for a, dd, _ in solution.worked if dd == d}
            free = [a for a in could if a not in busy]
            why = (f"{len(could)} agent(s) are available for it, all on other shifts that day" if not free else
                   f"{len(free)} available agent(s) are free that day but held by their rules (rest, hours, "
                   f"days in a row, days off, weekends)")
            if not could:
                why = "nobody is available for it"
            out.append(f"roster.cover: {problem.dates[d]} {problem.shifts[s].code} is {under} person(s) short: {why}.")
    if solution.short.size and solution.short.any():
        able = who_can_cover(problem)
        for q, queue in enumerate(problem.queues):
            short = solution.short[q]
            if not short.any():
                continue
            nobody = int(((short > 0) & (able[q] == 0)).sum())
            out.append(f"queue '{queue}': {int((short > 0).sum())} interval(s) short, {int(short.sum())} "
                       f"agent-interval(s) in all; {nobody} of them with nobody of the skill available "
                       f"(see shortfalls.csv).")
    return out


def changes(problem: CentreProblem, solution: CentreSolution) -> list[dict] | None:
    """The days that changed from the published roster, what was published and what is rostered now.

    Parameters
    ----------
    problem : CentreProblem
        Its ``published`` roster (``None`` when not re-rostering).
    solution : CentreSolution
        Its ``changed`` agent-days and the shifts worked.

    Returns
    -------
    list of dict or None
        ``agent, date, published, rostered`` per changed day, in agent and date order; a
        shift code, or ``None`` for a day off. ``None`` when there is no published roster.
    """
    if problem.published is None:
        return None
    now = {(a, d): problem.shifts[s].code for a, d, s in solution.worked}
    return [{"agent": problem.agents[a].id, "date": problem.dates[d].isoformat(),
             "published": problem.published[problem.agents[a].id, problem.dates[d]], "rostered": now.get((a, d))}
            for a, d in sorted(solution.changed)]


def summary(problem: CentreProblem, solution: CentreSolution) -> dict:
    """``summary.json``: the solver's figures, the terms, fairness, wishes and changes.

    Parameters
    ----------
    problem : CentreProblem
        Supplies the currency, the agent count and the notes.
    solution : CentreSolution
        The solver's status, objective, bound and terms, and the roster itself.

    Returns
    -------
    dict
        JSON-ready figures (status, objective, bound, gap, terms, shortfalls, wishes,
        fairness spread, the number of changed shifts and the changes themselves, diagnosis,
        notes).
    """
    totals = agent_totals(problem, solution)
    fairness = fairness_table(problem, solution)
    short_intervals = int((solution.short.sum(axis=0) > 0).sum()) if solution.short.size else 0
    return {
        "status": solution.status,
        "stopped_by": solution.stopped_by,
        "objective": solution.objective,
        "lower_bound": solution.lower_bound,
        "gap": None if solution.gap is None else round(solution.gap, 6),
        "seconds": round(solution.seconds, 3),
        "deterministic_seconds": round(solution.deterministic_seconds, 3),
        "currency": problem.currency,
        "terms": solution.terms,
        "agents": len(problem.agents),
        "shifts": len(solution.worked),
        "paid_hours": round(float(totals["paid_hours"].sum()), 2) if len(totals) else 0.0,
        "labour_cost": solution.terms.get("labour", 0),
        "short_intervals": short_intervals,
        "short_agent_intervals": int(solution.short.sum()) if solution.short.size else 0,
        "wishes": int(totals["wishes"].sum()) if len(totals) else 0,
        "unmet_wishes": len(solution.wishes_unmet),
        "unmet_wish_weight": sum(u.weight for u in solution.wishes_unmet),
        "fairness_measure": "spread (most minus fewest) of weekend shifts and of late shifts among comparable "
                            "agents (same group and weekly maximum, able to work such shifts)",
        "fairness_spread": {f"{r.measure} / {r.group} / max {r.max_hours_week}": int(r.spread)
                            for r in fairness.itertuples()},
        "changed_shifts": len(solution.changed) if problem.published is not None else None,
        "changes": changes(problem, solution),
        "fixed_broken": len(solution.fixed_broken),
        "diagnosis": diagnosis(problem, solution),
        "notes": problem.notes,
    }


def wish_table(problem: CentreProblem, solution: CentreSolution) -> pd.DataFrame:
    """Every wish on every day it applies to: granted or not.

    Parameters
    ----------
    problem : CentreProblem
        Its agents' wishes and the days each applies to.
    solution : CentreSolution
        Its unmet wishes; every other wish day counts as granted.

    Returns
    -------
    pandas.DataFrame
        ``agent, name, wish, date, weight, granted``.
    """
    unmet = {(u.agent, u.wish, u.day) for u in solution.wishes_unmet}
    rows = []
    index = {day: d for d, day in enumerate(problem.dates)}
    for a, agent in enumerate(problem.agents):
        for k, wish in enumerate(agent.wishes):
            days = range(len(problem.dates)) if wish.dates is None else [index[x] for x in wish.dates]
            if not matching_shifts(problem, wish) and not wish.want:
                continue
            for d in days:
                rows.append((agent.id, agent.name, wish.text, problem.dates[d].isoformat(), wish.weight,
                             (a, k, d) not in unmet))
    return pd.DataFrame(rows, columns=["agent", "name", "wish", "date", "weight", "granted"])
