"""A quote's representative weeks: each scheduled with CP-SAT, then scaled to its month
(steps 3 and 4 of :mod:`wfm.quote.api`).

:class:`Planner` solves the representative week of a month (identical weeks once)
with the scenario's groups and shift rules; :class:`WeekFigures` are what the
pricing needs from that schedule per weekday (paid hours, wages, premiums, logged-in
hours, breaks, peak heads on shift), and :class:`MonthPlan` is the week counted as
many times as the month has open days of each weekday.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from wfm._types import WEEKDAYS, clock_minutes
from wfm.progress import Observer, ProgressEvent, about, tell
from wfm.quote.demand import (
    EPS,
    ChannelDemand,
    Knobs,
    Requirement,
    month_requirement,
    open_day_counts,
    representative_monday,
    total_shrinkage,
)
from wfm.quote.settings import Quote
from wfm.scenario import Campaign, Scenario

# --- scheduling the representative week -------------------------------------


@dataclass
class WeekFigures:
    """What one representative week's schedule needs, per weekday (Monday first)."""

    agents: int
    agents_by_group: dict[str, int]
    paid_hours: np.ndarray  # [7]
    base_cost: np.ndarray  # [7] paid hours x wage
    premium_cost: np.ndarray  # [7] night and weekend premiums
    logged_in_hours: np.ndarray  # [7] on shift, not on a break or lunch
    break_hours: np.ndarray  # [7] paid breaks
    peak_on_shift: int
    cost: float | None
    lower_bound: float | None
    gap: float | None
    status: str
    under_agent_intervals: int
    outbound_done_share: dict[str, float]
    solve_seconds: float
    coverage: pd.DataFrame = field(repr=False)


def head_cost_per_week(scenario: Scenario) -> float:
    """What one more agent costs a week besides paid hours, in steady state.

    ``(technology + supervisor, QA and trainer cost per agent + attrition x (hiring
    cost + training and ramp-up hours x mean wage)) x 12 / 52``. The scheduler weighs
    it against paid hours, so a quote is not built from many short part-time tours
    whose heads cost more than the hours they save.

    Parameters
    ----------
    scenario : Scenario
        The scenario with its ``[quote]`` section.

    Returns
    -------
    float
        Cost per agent and week.
    """
    quote: Quote = scenario.quote
    lab, ov = quote.labour, quote.overhead
    wage = float(np.mean([g.cost_per_hour for g in scenario.groups]))
    per_month = (
        ov.technology_per_agent_month
        + lab.supervisor_cost_per_month / lab.supervisor_ratio
        + lab.qa_cost_per_month / lab.qa_ratio
        + lab.trainer_cost_per_month / lab.trainer_ratio
        + lab.monthly_attrition * (lab.hiring_cost_per_hire + wage * lab.fte_hours_per_week
                                   * (lab.training_weeks + lab.ramp_weeks * (1 - lab.ramp_productivity)))
    )
    return per_month * 12 / 52


def _week_scenario(scenario: Scenario, monday: dt.date, campaigns: list[Campaign]) -> Scenario:
    horizon = scenario.horizon.model_copy(update={"start": monday, "days": 7, "closed_dates": []})
    costs = scenario.costs
    update = {}
    head = head_cost_per_week(scenario)
    if "cost_per_agent_week" not in costs.model_fields_set:  # a value set in [costs] wins
        update["cost_per_agent_week"] = round(head, 2)
    if "inbound_short_penalty" not in costs.model_fields_set:
        # A quote promises the service target: leaving an interval short must cost more than
        # the longest paid shift at the highest rate plus a head, so the solver covers it.
        lab = scenario.quote.labour
        wage = max(g.cost_per_hour for g in scenario.groups)
        update["inbound_short_penalty"] = round(head + 16 * wage * (1 + lab.night_premium + lab.weekend_premium), 2)
    costs = costs.model_copy(update=update)
    return scenario.model_copy(update={"horizon": horizon, "campaigns": campaigns, "costs": costs, "quote": None})


def _week_key(table: pd.DataFrame, campaigns: list[Campaign], monday: dt.date, work_limit: float) -> str:
    """Identical weeks (same requirement by weekday and time, same campaigns) share one solve."""
    digest = hashlib.sha256()
    offset = (table["ds"] - pd.Timestamp(monday)).astype("int64").to_numpy()
    digest.update(table["queue"].astype(str).str.cat(sep="|").encode())
    digest.update(offset.tobytes())
    digest.update(np.round(table["agents"].to_numpy(dtype=float), 9).tobytes())
    for c in campaigns:
        digest.update(c.model_dump_json(exclude={"start", "deadline"}).encode())
    digest.update(str(work_limit).encode())
    return digest.hexdigest()


def _week_figures(scenario: Scenario, result) -> WeekFigures:
    from wfm.schedule.expand import BREAK, LUNCH, OFF

    problem, roster = result.problem, result.roster
    labour = scenario.quote.labour
    interval = problem.interval
    per_day = problem.slots_per_day
    hours_per_slot = interval / 60
    activity = roster.activity.reshape(len(roster.agent_rule), 7, per_day) if len(roster.agent_rule) else \
        np.zeros((0, 7, per_day), dtype=int)
    on_shift = activity != OFF
    unpaid = np.zeros_like(on_shift)
    for a, r in enumerate(roster.agent_rule):
        for rule_break in problem.rules[r].breaks:
            if not rule_break.paid:
                unpaid[a] |= activity[a] == (LUNCH if rule_break.kind == "lunch" else BREAK)
    paid = on_shift & ~unpaid
    resting = (activity == BREAK) | (activity == LUNCH)
    wages = np.array([scenario.groups[g].cost_per_hour for g in roster.agent_group], dtype=float)
    starts = np.arange(per_day) * interval
    night_from, night_to = clock_minutes(labour.night_start), clock_minutes(labour.night_end)
    night = (starts >= night_from) | (starts < night_to) if night_from > night_to else \
        (starts >= night_from) & (starts < night_to)
    weekend = np.array([WEEKDAYS[(problem.dates[d]).weekday()] in labour.weekend_days for d in range(7)])
    # Premiums add up: a weekend night earns both.
    premium_rate = labour.night_premium * night[None, :] + labour.weekend_premium * weekend[:, None]
    paid_slots = paid.sum(axis=2)  # [agent, day]
    paid_hours = paid_slots.sum(axis=0) * hours_per_slot
    base_cost = (wages[:, None] * paid_slots).sum(axis=0) * hours_per_slot
    premium_cost = ((paid * premium_rate[None]).sum(axis=2) * wages[:, None]).sum(axis=0) * hours_per_slot
    logged_in = (on_shift & ~resting).sum(axis=(0, 2)) * hours_per_slot
    paid_breaks = (paid & resting).sum(axis=(0, 2)) * hours_per_slot
    peak = int(on_shift.sum(axis=0).max()) if len(on_shift) else 0
    summary = result.summary
    # Dates of a cached week are another month's: keep the weekday and time only.
    coverage = result.coverage.copy()
    coverage.insert(0, "weekday", pd.to_datetime(coverage["ds"]).dt.weekday.map(lambda i: WEEKDAYS[i]))
    coverage.insert(1, "time", pd.to_datetime(coverage["ds"]).dt.strftime("%H:%M"))
    coverage = coverage.drop(columns=["ds"])
    return WeekFigures(
        agents=int(summary.agents),
        agents_by_group=dict(summary.agents_by_group),
        paid_hours=paid_hours,
        base_cost=base_cost,
        premium_cost=premium_cost,
        logged_in_hours=logged_in,
        break_hours=paid_breaks,
        peak_on_shift=peak,
        cost=summary.cost,
        lower_bound=summary.lower_bound,
        gap=summary.gap,
        status=str(summary.status),
        under_agent_intervals=int(summary.under_agent_intervals),
        outbound_done_share=dict(summary.outbound_done_share),
        solve_seconds=float(result.run.get("solve_seconds", 0.0)),
        coverage=coverage,
    )


# --- a week counted as its month ----------------------------------------------


@dataclass
class MonthPlan:
    """A month before hiring: the week's figures scaled by the month's open days."""

    month: str
    week: WeekFigures
    counts: np.ndarray
    requirement: Requirement
    shrinkage: float
    fte: float
    paid_hours: float
    logged_in_hours: float
    productive_hours: float
    agent_labour: float
    premiums: float
    mean_wage: float
    seats: int


class Planner:
    """Solves representative weeks, once per distinct week."""

    def __init__(self, scenario: Scenario, demands: list[ChannelDemand], time_limit: float,
                 progress: Observer | None, work_limit: float | None = None, *, total: int | None = None,
                 on_solution: Observer | None = None):
        self.scenario = scenario
        self.demands = demands
        self.time_limit = time_limit
        self.work_limit = scenario.quote.work_limit if work_limit is None else work_limit
        self.progress = progress
        self.on_solution = on_solution
        self.total = total  # weeks the quote looks at (months, then sensitivity cases)
        self.done = 0
        self.cache: dict[str, WeekFigures] = {}
        self.solves = 0
        self.notes: list[str] = []

    def month(self, index: int, knobs: Knobs = Knobs()) -> MonthPlan:
        """Schedule one month's representative week (identical weeks are solved once).

        Parameters
        ----------
        index : int
            Index of the quoted month.
        knobs : Knobs
            A sensitivity change (default none).

        Returns
        -------
        MonthPlan
            The week's figures scaled to the month's open days.
        """
        from wfm.schedule import make_schedule

        scenario, quote = self.scenario, self.scenario.quote
        label = quote.month_labels()[index]
        month_start = quote.month_starts()[index]
        monday = representative_monday(month_start)
        requirement = month_requirement(scenario, self.demands, index, knobs, self.notes)
        key = _week_key(requirement.table, requirement.campaigns, monday, self.work_limit)
        week = self.cache.get(key)
        self.done += 1
        if week is not None:
            tell(self.progress, ProgressEvent("quote", f"{label}: same week as before, {week.agents} agents",
                                              done=self.done, total=self.total, item=label, status="reused"))
        else:
            began = time.perf_counter()
            week_scenario = _week_scenario(scenario, monday, requirement.campaigns)
            table = requirement.table[["queue", "ds", "agents"]]
            if table.empty:
                table = pd.DataFrame({"queue": ["none"], "ds": [pd.Timestamp(monday)], "agents": [0.0]})
            result = make_schedule(table, week_scenario, time_limit=self.time_limit, work_limit=self.work_limit,
                                   source=f"quote {label}", on_solution=about(self.on_solution, label))
            self.notes.extend(n for n in result.notes if "safety time cap" in n and n not in self.notes)
            week = _week_figures(scenario, result)
            self.cache[key] = week
            self.solves += 1
            tell(self.progress, ProgressEvent(
                "quote", f"{label}: week scheduled, {week.agents} agents, gap {_pct(week.gap)}, "
                f"{time.perf_counter() - began:.1f} s", done=self.done, total=self.total, item=label,
                status="scheduled"))
        counts = open_day_counts(scenario, month_start)
        paid_hours = float(counts @ week.paid_hours)
        shrink = total_shrinkage(quote, knobs)
        logged_in = float(counts @ week.logged_in_hours)
        base = float(counts @ week.base_cost)
        premiums = float(counts @ week.premium_cost)
        week_paid = float(week.paid_hours.sum())
        return MonthPlan(
            month=label,
            week=week,
            counts=counts,
            requirement=requirement,
            shrinkage=shrink,
            fte=week_paid / quote.labour.fte_hours_per_week,
            paid_hours=paid_hours,
            logged_in_hours=logged_in,
            productive_hours=logged_in * (1 - shrink),
            agent_labour=base + premiums,
            premiums=premiums,
            mean_wage=float(week.base_cost.sum() / week_paid) if week_paid > 0 else 0.0,
            seats=int(math.ceil(week.peak_on_shift * (1 + quote.overhead.spare_seats) - EPS)),
        )


def _pct(x) -> str:
    return "n/a" if x is None else f"{100 * x:.2f}%"
