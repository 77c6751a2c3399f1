"""The scheduling problem in slots: the horizon grid, inbound requirement pools,
tour rules (one per shift entry and length) and campaigns.

Time is measured in *slots* of ``interval_minutes``: slot ``s`` of day ``d`` is the
global slot ``t = d * slots_per_day + s`` (local wall-clock time, so a daylight-saving
day keeps its 24 wall-clock hours; a repeated hour's requirements are merged by
their maximum and never double-counted). Shifts start and end on the same day,
inside its opening hours.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from wfm.errors import InputError
from wfm.outbound import CampaignWorkload, calling_mask, campaign_workload, share_due_in_horizon
from wfm.scenario import WEEKDAYS, Campaign, Scenario, clock_minutes

# Agents required in one interval of one queue: far above any contact centre, low enough
# that costs and CP-SAT's integer bounds stay exact.
MAX_AGENTS_PER_INTERVAL = 100_000


@dataclass(frozen=True)
class BreakRule:
    """A break of a tour rule: its possible start offsets (slots after the shift start)."""

    kind: str  # "break" or "lunch"
    length: int  # slots
    offsets: np.ndarray  # possible start offsets, slots after the shift start
    paid: bool


@dataclass
class TourRule:
    """One shift entry at one length: what a weekly tour of that shift may look like."""

    index: int
    shift_index: int
    shift_name: str
    group_index: int
    length: int  # slots
    breaks: list[BreakRule]
    paid_slots: int
    start_slots: np.ndarray  # allowed starts (slot of day) before opening hours are applied
    starts_by_day: list[np.ndarray]  # allowed starts per horizon day (empty when closed)
    bands: list[np.ndarray]  # start-time bands: one agent's starts all lie in one band (rest rule)
    patterns_by_week: list[list[int]]  # bit masks of worked weekdays (bit i = day i of the week)
    rest_slots: int
    same_start: bool
    consecutive_days_off: bool
    days_per_week: tuple[int, int]
    cost: np.ndarray  # [day, slot of day]: cost of one shift starting there

    @property
    def label(self) -> str:
        return f"{self.shift_name} ({self.length} slots)"


@dataclass
class Pool:
    """Inbound queues staffed by the same set of groups (their requirements add up)."""

    name: str
    queues: list[str]
    groups: list[int]
    required: np.ndarray  # [day, slot] agents required


@dataclass
class CampaignPlan:
    campaign: Campaign
    workload: CampaignWorkload
    mask: np.ndarray  # [day, slot] calling allowed
    owed_seconds: int  # agent-seconds due inside the horizon
    daily_cap_seconds: int | None
    groups: list[int]


@dataclass
class GoalPlan:
    """A pool's service goal over days or weeks, as the model holds it (calls in thousandths)."""

    pool: int
    scope: str
    slots: np.ndarray  # global slots with calls
    period: np.ndarray  # the scope period (day or week of the horizon) of each slot
    floor: np.ndarray  # heads at each slot's floor (the pool's requirement there)
    base: np.ndarray  # thousandths of calls answered in time at the floor
    gains: list[np.ndarray]  # per slot: thousandths of calls each further head adds (never rising)
    required: dict[int, float]  # credit each period must reach (calls in time, or minus seconds waited)
    credit_floor: dict[int, float]  # credit per period at the floors
    penalty: float  # cost of one unit of credit below the goal (a call late, or a second waited)
    scale: int = 1000  # model units per unit of credit: thousandths of a call, whole seconds for ASA


@dataclass
class Problem:
    scenario: Scenario
    interval: int
    slots_per_day: int
    dates: list[dt.date]
    open_mask: np.ndarray  # [day, slot]
    unsocial: np.ndarray  # [day, slot]
    pools: list[Pool]
    rules: list[TourRule]
    campaigns: list[CampaignPlan]
    dropped_closed: float = 0.0  # required agent-intervals that fell in closed hours
    notes: list[str] = field(default_factory=list)
    goals: list[GoalPlan] = field(default_factory=list)

    @property
    def days(self) -> int:
        return len(self.dates)

    @property
    def weeks(self) -> int:
        return self.days // 7

    @property
    def slots(self) -> int:
        return self.days * self.slots_per_day

    def slot_time(self, t: int) -> pd.Timestamp:
        # Wall-clock time; slot ``slots`` (the end of the last day) is valid as an end time.
        return pd.Timestamp(self.dates[0]) + pd.Timedelta(minutes=int(t) * self.interval)


def opening_mask(scenario: Scenario) -> np.ndarray:
    horizon = scenario.horizon
    per_day = 24 * 60 // horizon.interval_minutes
    starts = np.arange(per_day) * horizon.interval_minutes
    mask = np.zeros((horizon.days, per_day), dtype=bool)
    for d, day in enumerate(horizon.dates()):
        hours = horizon.opening_minutes(day)
        if hours is not None:
            mask[d] = (starts >= hours[0]) & (starts + horizon.interval_minutes <= hours[1])
    return mask


def unsocial_mask(scenario: Scenario) -> np.ndarray:
    horizon, costs = scenario.horizon, scenario.costs
    per_day = 24 * 60 // horizon.interval_minutes
    starts = np.arange(per_day) * horizon.interval_minutes
    evening, morning = clock_minutes(costs.unsocial_start), clock_minutes(costs.unsocial_end)
    daily = (starts >= evening) | (starts < morning)
    mask = np.tile(daily, (horizon.days, 1))
    for d, day in enumerate(horizon.dates()):
        if WEEKDAYS[day.weekday()] in costs.unsocial_days:
            mask[d] = True
    return mask


def _patterns(days_per_week: tuple[int, int], consecutive_off: bool, workable: list[bool]) -> list[int]:
    """Week patterns (bit masks) with the allowed number of days and days off."""
    out = []
    for bits in range(1, 128):
        worked = [(bits >> i) & 1 for i in range(7)]
        if not days_per_week[0] <= sum(worked) <= days_per_week[1]:
            continue
        if any(w and not ok for w, ok in zip(worked, workable)):
            continue
        # The weekly rota repeats, so Sunday and the next Monday count as consecutive.
        if consecutive_off and not any(not worked[i] and not worked[(i + 1) % 7] for i in range(7)):
            continue
        out.append(bits)
    return out


def _bands(starts: np.ndarray, drift: int, same_start: bool) -> list[np.ndarray]:
    """Start-time bands of width ``drift`` slots.

    Two consecutive shifts of one agent respect the rest rule when the second starts
    no more than ``drift = day - length - rest`` slots earlier than the first. Keeping
    every start of an agent's week inside one band of that width guarantees it for
    every pair of days, so the expansion into agents can never break the rule.
    """
    if same_start:
        return [np.array([s]) for s in starts]
    if starts[-1] - starts[0] <= drift:
        return [starts]
    anchors = [s for s in starts if s <= starts[-1] - drift]
    following = starts[starts > starts[-1] - drift]
    if anchors[-1] + drift < starts[-1] and len(following):
        anchors.append(int(following[0]))
    return [starts[(starts >= a) & (starts <= a + drift)] for a in anchors]


def build_rules(scenario: Scenario, open_mask: np.ndarray, unsocial: np.ndarray) -> list[TourRule]:
    interval = scenario.horizon.interval_minutes
    per_day = 24 * 60 // interval
    group_index = {g.name: i for i, g in enumerate(scenario.groups)}
    rules: list[TourRule] = []
    for i, shift in enumerate(scenario.shifts):
        group = scenario.groups[group_index[shift.group]]
        step = (shift.start_step_minutes or interval) // interval
        first = clock_minutes(shift.start_earliest) // interval
        last = clock_minutes(shift.start_latest) // interval
        start_slots = np.arange(first, last + 1, step)
        for hours in shift.length_hours:
            length = round(hours * 60) // interval
            breaks = []
            for rest in shift.breaks:
                low = -(-round(rest.start_after_hours[0] * 60) // interval)
                high = round(rest.start_after_hours[1] * 60) // interval
                breaks.append(BreakRule(rest.kind, rest.length_minutes // interval, np.arange(low, high + 1), rest.is_paid))
            paid_slots = length - sum(b.length for b in breaks if not b.paid)
            starts_by_day = []
            cost = np.zeros((len(open_mask), per_day))
            for d in range(len(open_mask)):
                ok = [s for s in start_slots if s + length <= per_day and open_mask[d, s : s + length].all()]
                starts_by_day.append(np.array(ok, dtype=int))
                for s in ok:
                    unsocial_slots = unsocial[d, s : s + length].sum()
                    cost[d, s] = group.cost_per_hour * interval / 60 * (
                        paid_slots + group.unsocial_premium * unsocial_slots
                    )
            rest_slots = -(-round(shift.min_rest_hours * 60) // interval)
            drift = per_day - length - rest_slots
            patterns_by_week = []
            for w in range(len(open_mask) // 7):
                workable = [len(starts_by_day[w * 7 + j]) > 0 for j in range(7)]
                patterns_by_week.append(_patterns(shift.days_per_week, shift.consecutive_days_off, workable))
            rules.append(
                TourRule(
                    index=len(rules),
                    shift_index=i,
                    shift_name=shift.name,
                    group_index=group_index[shift.group],
                    length=length,
                    breaks=breaks,
                    paid_slots=paid_slots,
                    start_slots=start_slots,
                    starts_by_day=starts_by_day,
                    bands=_bands(start_slots, max(drift, 0), shift.same_start),
                    patterns_by_week=patterns_by_week,
                    rest_slots=rest_slots,
                    same_start=shift.same_start,
                    consecutive_days_off=shift.consecutive_days_off,
                    days_per_week=tuple(shift.days_per_week),
                    cost=cost,
                )
            )
    return rules


def requirement_pools(
    requirements: pd.DataFrame, scenario: Scenario, open_mask: np.ndarray, source: str = "requirements",
    notes: list[str] | None = None,
) -> tuple[list[Pool], float]:
    """Turn the requirement table into per-pool ``[day, slot]`` arrays of agents required.

    Returns the pools and the required agent-intervals dropped because they fall in
    closed hours (nobody need be staffed then). Agents per row must be finite and at
    most :data:`MAX_AGENTS_PER_INTERVAL`. When rows outside the horizon or the opening
    hours are dropped, a sentence with their count and share goes into ``notes``.
    """
    horizon = scenario.horizon
    interval = horizon.interval_minutes
    per_day = 24 * 60 // interval
    frame = requirements
    if "agents" not in frame.columns:
        raise InputError(f"{source}: no 'agents' column; expected the output of `wfm size` (ds, agents).")
    if "queue" not in frame.columns:
        frame = frame.assign(queue="default")
    ds = frame["ds"]
    if isinstance(ds.dtype, pd.DatetimeTZDtype):
        ds = ds.dt.tz_convert(horizon.timezone).dt.tz_localize(None)
    agents = pd.to_numeric(frame["agents"], errors="coerce")
    if agents.isna().any() or (agents < 0).any():
        i = int(np.flatnonzero((agents.isna() | (agents < 0)).to_numpy())[0])
        raise InputError(
            f"{source}: row {i + 1}, column 'agents' is '{frame['agents'].iloc[i]}', expected a number of agents >= 0."
        )
    too_many = ~(agents <= MAX_AGENTS_PER_INTERVAL)  # also catches inf
    if too_many.any():
        i = int(np.flatnonzero(too_many.to_numpy())[0])
        raise InputError(
            f"{source}: row {i + 1}, column 'agents' is '{frame['agents'].iloc[i]}', expected at most "
            f"{MAX_AGENTS_PER_INTERVAL:,} agents in one interval."
        )
    minutes = ds.dt.hour * 60 + ds.dt.minute
    off_grid = (minutes % interval != 0) | (ds.dt.second != 0)
    if off_grid.any():
        i = int(np.flatnonzero(off_grid.to_numpy())[0])
        raise InputError(
            f"{source}: row {i + 1}, 'ds' {ds.iloc[i]} is not on the {interval}-minute grid of the scenario."
        )
    day = (ds.dt.normalize() - pd.Timestamp(horizon.start)).dt.days.to_numpy()
    slot = (minutes // interval).to_numpy()
    inside = (day >= 0) & (day < horizon.days)
    queues = sorted(frame["queue"].astype(str).unique())
    if not inside.any():
        raise InputError(
            f"{source}: no row falls inside the horizon {horizon.start} .. "
            f"{horizon.start + dt.timedelta(days=horizon.days - 1)}; check horizon.start."
        )
    per_queue: dict[str, np.ndarray] = {}
    queue_col = frame["queue"].astype(str).to_numpy()
    need = np.ceil(agents.to_numpy(dtype=float) - 1e-9)
    for q in queues:
        grid = np.zeros((horizon.days, per_day))
        rows = inside & (queue_col == q)
        # np.maximum.at merges the repeated wall-clock hour of a fall-back day by its maximum.
        np.maximum.at(grid, (day[rows], slot[rows]), need[rows])
        per_queue[q] = grid
    groups = scenario.groups
    for gi, g in enumerate(groups):
        for q in g.queues or []:
            if q not in per_queue:
                raise InputError(
                    f"group[{gi}].queues: '{q}' is not a queue in {source}, expected one of "
                    f"{', '.join(repr(x) for x in queues)}."
                )
    by_servers: dict[tuple[int, ...], list[str]] = {}
    for q in queues:
        servers = tuple(i for i, g in enumerate(groups) if g.does_inbound and (g.queues is None or q in g.queues))
        if not servers:
            if per_queue[q].sum() > 0:
                raise InputError(
                    f"{source}: queue '{q}' needs agents but no inbound or blended group serves it; "
                    f"add it to a group's queues."
                )
            continue
        by_servers.setdefault(servers, []).append(q)
    pools = []
    dropped = 0.0
    for servers, names in by_servers.items():
        required = sum(per_queue[q] for q in names)
        dropped += float(required[~open_mask].sum())
        required = np.where(open_mask, required, 0).astype(int)
        pools.append(Pool("+".join(names), names, list(servers), required))
    if notes is not None:
        _note_dropped(notes, source, float(need.sum()), float(need[~inside].sum()), int((~inside).sum()), dropped,
                      requirements["ds"], horizon.timezone)
    return pools, dropped


def _note_dropped(notes: list[str], source: str, total: float, outside: float, outside_rows: int, closed: float,
                  ds: pd.Series, timezone: str) -> None:
    """Say how much of the requirement is not scheduled: a silent drop changes the answer."""
    if total <= 0 or outside + closed <= 0:
        return
    parts = []
    if outside > 0:
        parts.append(f"{outside:,.0f} required agent-intervals ({outside / total:.1%}) in {outside_rows:,} rows "
                     f"outside the horizon")
    if closed > 0:
        parts.append(f"{closed:,.0f} ({closed / total:.1%}) in closed hours")
    text = f"{source}: {' and '.join(parts)} of the {total:,.0f} required are not scheduled"
    if isinstance(ds.dtype, pd.DatetimeTZDtype) and (outside + closed) / total > 0.1:
        # Offsets from another site's zone are converted correctly but land at other hours.
        text += (f"; timestamps with UTC offsets are converted to {timezone} (the first row starts at "
                 f"{ds.iloc[0].tz_convert(timezone):%Y-%m-%d %H:%M} there): check the requirement was made "
                 f"for this site's time zone")
    notes.append(text + ".")


def build_problem(requirements: pd.DataFrame, scenario: Scenario, source: str = "requirements",
                  service_curves=None) -> Problem:
    """Everything the model needs, in slots, validated against the scenario.

    ``service_curves`` (:class:`wfm.service_goal.GoalCurves`) turns the queues with a
    day or week service goal from fixed requirements into goals over their curves.
    """
    interval = scenario.horizon.interval_minutes
    per_day = 24 * 60 // interval
    open_mask = opening_mask(scenario)
    unsocial = unsocial_mask(scenario)
    notes: list[str] = []
    pools, dropped = requirement_pools(requirements, scenario, open_mask, source, notes)
    rules = build_rules(scenario, open_mask, unsocial)
    for rule in rules:
        if not any(rule.patterns_by_week):
            notes.append(f"shift '{rule.shift_name}' has no start that fits the opening hours on enough days")
    campaigns = []
    group_index = {g.name: i for i, g in enumerate(scenario.groups)}
    for c in scenario.campaigns:
        work = campaign_workload(c)
        allowed = [group_index[n] for n in c.groups] if c.groups else [
            i for i, g in enumerate(scenario.groups) if g.does_outbound
        ]
        owed = int(round(work.agent_seconds * share_due_in_horizon(c, scenario.horizon)))
        cap = None if work.daily_cap_seconds is None else int(work.daily_cap_seconds)
        campaigns.append(CampaignPlan(c, work, calling_mask(c, scenario.horizon), owed, cap, allowed))
    problem = Problem(
        scenario=scenario,
        interval=interval,
        slots_per_day=per_day,
        dates=scenario.horizon.dates(),
        open_mask=open_mask,
        unsocial=unsocial,
        pools=pools,
        rules=rules,
        campaigns=campaigns,
        dropped_closed=dropped,
        notes=notes,
    )
    if service_curves is not None:
        attach_service_goals(problem, service_curves.table, service_curves.goals)
    return problem


def attach_service_goals(problem: Problem, curves: pd.DataFrame, goals: dict, source: str = "service curves") -> None:
    """Turn each goal queue's service-level curves into the pool's :class:`GoalPlan`.

    ``curves`` is :func:`wfm.service_goal.service_curves`'s table (``queue, ds, heads,
    calls, answered``); ``goals`` maps a queue to its :class:`~wfm.service_goal.ServiceGoal`.
    A goal queue must have a pool of its own: queues sharing agents share heads, and
    one queue's curve says nothing about the other's calls.
    """
    from wfm.service_goal import concave_gains

    horizon = problem.scenario.horizon
    interval = problem.interval
    for queue, goal in goals.items():
        pi = next((i for i, p in enumerate(problem.pools) if queue in p.queues), None)
        if pi is None:
            continue
        pool = problem.pools[pi]
        if len(pool.queues) > 1:
            raise InputError(
                f"queue '{queue}': service_goal = '{goal.scope}' needs groups that serve this queue alone, "
                f"but it shares agents with {', '.join(repr(q) for q in pool.queues if q != queue)}."
            )
        part = curves[curves["queue"].astype(str) == queue]
        if part.empty:
            continue
        ds = pd.to_datetime(part["ds"])
        if isinstance(ds.dtype, pd.DatetimeTZDtype):
            ds = ds.dt.tz_convert(horizon.timezone).dt.tz_localize(None)
        day = (ds.dt.normalize() - pd.Timestamp(horizon.start)).dt.days.to_numpy()
        slot = ((ds.dt.hour * 60 + ds.dt.minute) // interval).to_numpy()
        t = day * problem.slots_per_day + slot
        keep = (day >= 0) & (day < problem.days)
        keep &= problem.open_mask.reshape(-1)[np.clip(t, 0, problem.slots - 1)]
        frame = pd.DataFrame({"t": t[keep], "heads": part["heads"].to_numpy()[keep],
                              "calls": part["calls"].to_numpy(dtype=float)[keep],
                              "credit": part["credit"].to_numpy(dtype=float)[keep]})
        slots, floors, bases, gains, periods = [], [], [], [], []
        scale = 1 if goal.asa is not None else 1000
        calls, credit_floor = {}, {}
        # A repeated wall-clock hour (fall-back day) keeps its first curve, as the requirement keeps one slot.
        from wfm.service_goal import period_label

        for ti, rows in frame.groupby("t", sort=True):
            rows = rows.drop_duplicates("heads").sort_values("heads")
            ti = int(ti)
            period = (ti // problem.slots_per_day) // (7 if goal.scope == "week" else 1)
            y = rows["credit"].to_numpy()
            slots.append(ti)
            floors.append(int(rows["heads"].iloc[0]))
            bases.append(int(np.floor(scale * y[0])))
            gains.append(np.floor(scale * concave_gains(y)).astype(np.int64))
            periods.append(period)
            calls[period] = calls.get(period, 0.0) + float(rows["calls"].iloc[0])
            credit_floor[period] = credit_floor.get(period, 0.0) + float(y[0])
        # A call answered late costs what a short agent-interval costs per call it would handle.
        mean_aht = float(np.average(part["aht"].to_numpy(dtype=float), weights=part["calls"].to_numpy(dtype=float)))
        per_call = problem.scenario.costs.inbound_short_penalty * mean_aht / (interval * 60)
        # Under an ASA goal the shortfall is in seconds waited: a call's worth per ASA target.
        penalty = per_call / goal.asa if goal.asa is not None else per_call
        required = {p: goal.required(c, period_label(p, goal.scope, horizon.start)) for p, c in calls.items()}
        problem.goals.append(GoalPlan(pi, goal.scope, np.array(slots, dtype=np.int64),
                                      np.array(periods, dtype=np.int64), np.array(floors, dtype=np.int64),
                                      np.array(bases, dtype=np.int64), gains, required, credit_floor, penalty, scale))


def week_patterns_days(bits: int) -> list[int]:
    return [i for i in range(7) if (bits >> i) & 1]


__all__ = ["Problem", "TourRule", "Pool", "CampaignPlan", "BreakRule", "build_problem"]
