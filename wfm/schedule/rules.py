"""The scheduling problem in slots: the horizon grid, inbound requirement pools,
tour rules (one per shift entry and length) and campaigns.

Time is measured in *slots* of ``interval_minutes`` of real time: slot ``r`` of day
``d`` is the ``r``-th real interval of that local day and the global slot is
``t = d * slots_per_day + r``. A daylight-saving day has fewer or more real intervals
(46 / 50 half-hours for a one-hour change); ``slots_per_day`` is the longest day of the
horizon and the slots past the end of a shorter day are never open. Shift starts are
chosen on the wall clock (start windows, same start all week) and mapped to real slots
with ``Problem.start_slot``; lengths, breaks, rest and paid time are real time. Shifts
start and end on the same day, inside its opening hours.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from wfm.errors import InputError
from wfm.limits import MAX_AGENTS_PER_INTERVAL  # one limit for requirements and staffing (wfm/limits.py)
from wfm.localtime import DayGrid, day_grid, fold_of, real_time, utc_clock, wall_clock_in
from wfm.outbound import CampaignWorkload, calling_mask, campaign_workload, share_due_in_horizon
from wfm.scenario import WEEKDAYS, Campaign, Scenario, clock_minutes


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
    start_slots: np.ndarray  # allowed starts (wall-clock slot of day) before opening hours are applied
    starts_by_day: list[np.ndarray]  # allowed wall-clock starts per horizon day (empty when closed)
    bands: list[np.ndarray]  # start-time bands: one agent's starts all lie in one band (rest rule)
    patterns_by_week: list[list[int]]  # bit masks of worked weekdays (bit i = day i of the week)
    rest_slots: int
    same_start: bool
    consecutive_days_off: bool
    days_per_week: tuple[int, int]
    cost: np.ndarray  # [day, wall-clock slot of day]: cost of one shift starting there

    @property
    def label(self) -> str:
        """The rule's name in messages.

        Returns
        -------
        str
            E.g. ``"full-time (34 slots)"``.
        """
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
    day_slots: np.ndarray  # [day] real slots of the day (fewer or more on a daylight-saving day)
    start_slot: np.ndarray  # [day, wall-clock slot of day] global slot starting then, -1 when that time does not exist
    slot_wall: np.ndarray  # [global slot, and the horizon's end] local wall-clock start (naive datetime64)
    slot_fold: np.ndarray  # [global slot, and the horizon's end] 1 on the second pass of a repeated hour
    dropped_closed: float = 0.0  # required agent-intervals that fell in closed hours
    notes: list[str] = field(default_factory=list)
    goals: list[GoalPlan] = field(default_factory=list)

    @property
    def days(self) -> int:
        """Days in the horizon.

        Returns
        -------
        int
            ``len(dates)``.
        """
        return len(self.dates)

    @property
    def weeks(self) -> int:
        """Whole weeks in the horizon.

        Returns
        -------
        int
            ``days // 7``.
        """
        return self.days // 7

    @property
    def slots(self) -> int:
        """Slots in the horizon.

        Returns
        -------
        int
            ``days * slots_per_day``.
        """
        return self.days * self.slots_per_day

    @property
    def has_fold(self) -> bool:
        """Whether some wall-clock time of the horizon is repeated (a fall-back day).

        Returns
        -------
        bool
            True when a fall-back day repeats an hour.
        """
        return bool(self.slot_fold.any())

    def slot_time(self, t: int) -> pd.Timestamp:
        # Wall-clock time; slot ``slots`` (the end of the last day) is valid as an end time,
        # and so is the slot just past a day's last real slot (that day's midnight).
        """Wall-clock start of global slot ``t``.

        Parameters
        ----------
        t : int
            Global slot; ``slots`` (the end of the horizon) is valid as an end time.

        Returns
        -------
        Timestamp
            Naive local time.
        """
        return pd.Timestamp(self.slot_wall[int(t)])

    def real_slot(self, t: int) -> int:
        """Real slots from the start of the horizon to global slot ``t`` (for rest in real time).

        Parameters
        ----------
        t : int
            Global slot.

        Returns
        -------
        int
            Real slots elapsed since the start of the horizon.
        """
        d, r = divmod(int(t), self.slots_per_day)
        return int(self.day_slots[:d].sum()) + r


@dataclass(frozen=True)
class SlotGrid:
    """The real slots of each horizon day and how they meet the wall clock."""

    days: DayGrid
    per_day: int  # slots per day in the global grid (the longest day)
    wall_slot: np.ndarray  # [day, slot] wall-clock slot of day of each real slot, -1 past the day's end
    start_slot: np.ndarray  # [day, wall-clock slot] real slot of day starting then, -1 when it does not exist

    @property
    def shortest(self) -> int:
        """Real slots of the shortest day (a spring-forward day).

        Returns
        -------
        int
            The fewest real slots of any day.
        """
        return int(self.days.counts.min())

    def on_real_slots(self, wall_mask: np.ndarray) -> np.ndarray:
        """A ``[day, wall-clock slot]`` mask carried onto the ``[day, real slot]`` grid.

        Parameters
        ----------
        wall_mask : ndarray of bool, shape (days, nominal)
            A mask by wall-clock slot.

        Returns
        -------
        ndarray of bool, shape (days, slots per day)
            The mask by real slot.
        """
        out = np.zeros((len(wall_mask), self.per_day), dtype=wall_mask.dtype)
        d, r = np.nonzero(self.wall_slot >= 0)
        out[d, r] = wall_mask[d, self.wall_slot[d, r]]
        return out


def slot_grid(scenario: Scenario) -> SlotGrid:
    """The horizon's real slots, day by day, in ``horizon.timezone``.

    Parameters
    ----------
    scenario : Scenario
        The scenario (its ``[horizon]``).

    Returns
    -------
    SlotGrid
        Real slots per day (46 half-hours on a spring-forward day, 50 on a fall-back day).
    """
    horizon = scenario.horizon
    interval = horizon.interval_minutes
    days = day_grid(horizon.start, horizon.days, interval, horizon.timezone)
    per_day = max(days.nominal, int(days.counts.max()))
    wall_slot = np.full((horizon.days, per_day), -1, dtype=int)
    start_slot = np.full((horizon.days, days.nominal), -1, dtype=int)
    for d in range(horizon.days):
        wall = days.wall[d]
        minutes = (wall - pd.Timestamp(horizon.start + dt.timedelta(days=d))).total_seconds().to_numpy() // 60
        wall_slot[d, : len(wall)] = minutes // interval
        # A wall-clock start is the first real slot showing it (a repeated hour's first pass).
        on_grid = (minutes % interval == 0) & (days.fold[d] == 0)
        start_slot[d, (minutes[on_grid] // interval).astype(int)] = np.flatnonzero(on_grid)
    return SlotGrid(days, per_day, wall_slot, start_slot)


def _slot_clock(grid: SlotGrid) -> tuple[np.ndarray, np.ndarray]:
    """Wall-clock start and fold marker of every global slot, plus the horizon's end."""
    S, step = grid.per_day, np.timedelta64(grid.days.interval, "m")
    walls, folds = [], []
    for d, count in enumerate(grid.days.counts.tolist()):
        # Slots past a day's end are never open; they read as times after its midnight.
        pad = grid.days.ends[d].to_datetime64() + step * np.arange(S - count)
        walls.append(np.concatenate([grid.days.wall[d].to_numpy(), pad]))
        folds.append(np.concatenate([grid.days.fold[d], np.zeros(S - count, dtype=np.int8)]))
    walls.append(np.array([grid.days.ends[-1].to_datetime64()]))
    folds.append(np.zeros(1, dtype=np.int8))
    return np.concatenate(walls).astype("datetime64[ns]"), np.concatenate(folds)


def _slot_starts(interval: int) -> np.ndarray:
    """Minutes after midnight at which each wall-clock slot of a day starts (``24 * 60 / interval`` of them)."""
    return np.arange(24 * 60 // interval) * interval


def opening_mask(scenario: Scenario) -> np.ndarray:
    """Which wall-clock slots of each day the centre is open.

    Parameters
    ----------
    scenario : Scenario
        The scenario (its ``[horizon]`` opening hours and closures).

    Returns
    -------
    ndarray of bool, shape (days, slots per day)
        True where the slot lies wholly inside the day's opening hours; a closed date is all False.
    """
    horizon = scenario.horizon
    starts = _slot_starts(horizon.interval_minutes)
    mask = np.zeros((horizon.days, len(starts)), dtype=bool)
    for d, day in enumerate(horizon.dates()):
        hours = horizon.opening_minutes(day)
        if hours is not None:
            mask[d] = (starts >= hours[0]) & (starts + horizon.interval_minutes <= hours[1])
    return mask


def unsocial_mask(scenario: Scenario) -> np.ndarray:
    """Which wall-clock slots of each day carry the unsocial-hours premium.

    Parameters
    ----------
    scenario : Scenario
        Its ``[costs]`` ``unsocial_start``/``unsocial_end`` and ``unsocial_days``.

    Returns
    -------
    ndarray of bool, shape (days, slots per day)
        True from ``unsocial_start`` to ``unsocial_end`` (across midnight), and all day on
        ``unsocial_days``.
    """
    horizon, costs = scenario.horizon, scenario.costs
    starts = _slot_starts(horizon.interval_minutes)
    evening, morning = clock_minutes(costs.unsocial_start), clock_minutes(costs.unsocial_end)
    daily = (starts >= evening) | (starts < morning)
    mask = np.tile(daily, (horizon.days, 1))
    for d, day in enumerate(horizon.dates()):
        if WEEKDAYS[day.weekday()] in costs.unsocial_days:
            mask[d] = True
    return mask


def holidays_in_week(scenario: Scenario, week: int) -> int:
    """Closed dates (holidays, closures) in horizon week ``week`` on weekdays that are normally open.

    Parameters
    ----------
    scenario : Scenario
        The scenario (its ``[horizon]``).
    week : int
        Week index of the horizon.

    Returns
    -------
    int
        Closed weekdays that are normally open.
    """
    horizon = scenario.horizon
    count = 0
    for day in horizon.dates()[7 * week: 7 * week + 7]:
        if day not in horizon.closed_dates:
            continue
        weekday = WEEKDAYS[day.weekday()]
        normally_open = weekday not in horizon.closed_days and str(horizon.hours.get(weekday, "")).lower() != "closed"
        count += normally_open
    return count


def holiday_week_days(days_per_week: tuple[int, int], holidays: int) -> tuple[int, int]:
    """Working days a weekly contract asks in a week with ``holidays`` closed weekdays.

    A holiday is a day off, not a day moved: a 5-day tour works 4 days in a week with
    one holiday (as Japanese and most European contracts count it), instead of being
    forced to work a closed day or to leave the week empty. At least one day stays,
    unless the holidays leave no working day at all.

    Parameters
    ----------
    days_per_week : tuple of int
        The contract's ``(min, max)`` days.
    holidays : int
        Closed weekdays in the week.

    Returns
    -------
    tuple of int
        ``(min, max)`` working days that week.

    Examples
    --------
    >>> holiday_week_days((5, 5), 1)
    (4, 4)
    """
    low, high = days_per_week
    if not holidays:
        return low, high
    high = max(high - holidays, 0)
    return min(max(low - holidays, 1), high), high


def _patterns(days_per_week: tuple[int, int], consecutive_off: bool, workable: list[bool]) -> list[int]:
    """Week patterns (bit masks) with the allowed number of days and days off."""
    out = []
    for bits in range(1, 128):
        worked = [(bits >> i) & 1 for i in range(7)]
        if not days_per_week[0] <= sum(worked) <= days_per_week[1]:
            continue
        if any(w and not ok for w, ok in zip(worked, workable, strict=False)):
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


def build_rules(scenario: Scenario, open_mask: np.ndarray, unsocial: np.ndarray,
                grid: SlotGrid | None = None) -> list[TourRule]:
    """Tour rules; ``open_mask`` and ``unsocial`` are on the real-slot grid ``grid``.

    Parameters
    ----------
    scenario : Scenario
        Groups and shift rules.
    open_mask : ndarray of bool
        Opening slots, ``[day, real slot]``.
    unsocial : ndarray of bool
        Unsocial slots, ``[day, real slot]``.
    grid : SlotGrid, optional
        The real-slot grid; default :func:`slot_grid` of the scenario.

    Returns
    -------
    list of TourRule
        One per shift rule and length.
    """
    interval = scenario.horizon.interval_minutes
    grid = slot_grid(scenario) if grid is None else grid
    per_day = grid.days.nominal  # slots of a day without a clock change
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
                day_end, real = grid.days.counts[d], grid.start_slot[d]
                ok = [
                    s for s in start_slots
                    if real[s] >= 0 and real[s] + length <= day_end and open_mask[d, real[s] : real[s] + length].all()
                ]
                starts_by_day.append(np.array(ok, dtype=int))
                for s in ok:
                    unsocial_slots = unsocial[d, real[s] : real[s] + length].sum()
                    cost[d, s] = group.cost_per_hour * interval / 60 * (
                        paid_slots + group.unsocial_premium * unsocial_slots
                    )
            rest_slots = -(-round(shift.min_rest_hours * 60) // interval)
            # Bands are in wall-clock starts; a day whose clocks go forward is shorter in real
            # time, so the bands narrow by the skipped slots to keep the rest in real time.
            drift = per_day - length - rest_slots - max(0, per_day - grid.shortest)
            patterns_by_week = []
            for w in range(len(open_mask) // 7):
                workable = [len(starts_by_day[w * 7 + j]) > 0 for j in range(7)]
                days = holiday_week_days(shift.days_per_week, holidays_in_week(scenario, w))
                patterns_by_week.append(_patterns(days, shift.consecutive_days_off, workable))
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
    grid: SlotGrid | None = None,
) -> tuple[list[Pool], float]:
    """Turn the requirement table into per-pool ``[day, real slot]`` arrays of agents required.

    Timestamps with a zone are placed at their real instant; naive ones are wall-clock
    time, the second occurrence of a repeated time being the second pass of the hour.
    Returns the pools and the required agent-intervals dropped because they fall in
    closed hours (nobody need be staffed then). Agents per row must be finite and at
    most :data:`MAX_AGENTS_PER_INTERVAL`. When rows outside the horizon or the opening
    hours are dropped, a sentence with their count and share goes into ``notes``.

    Parameters
    ----------
    requirements : DataFrame
        ``ds, agents`` and optional ``queue``.
    scenario : Scenario
        The scenario (groups, queues served, horizon).
    open_mask : ndarray of bool
        Opening slots, ``[day, real slot]``.
    source : str
        Name of the table, for messages.
    notes : list of str, optional
        Collects the sentences about dropped rows.
    grid : SlotGrid, optional
        The real-slot grid.

    Returns
    -------
    pools : list of Pool
        Agents required per inbound pool (queues served by the same groups).
    dropped : float
        Required agent-intervals in closed hours.

    Raises
    ------
    InputError
        On a missing column, a value that is not finite or above the limit, or a
        skipped local time.
    """
    horizon = scenario.horizon
    interval = horizon.interval_minutes
    grid = slot_grid(scenario) if grid is None else grid
    per_day = grid.per_day
    frame = requirements
    if "agents" not in frame.columns:
        raise InputError(f"{source}: no 'agents' column; expected the output of `wfm size` (ds, agents).")
    if "queue" not in frame.columns:
        frame = frame.assign(queue="default")
    aware = frame["ds"]
    ds = wall_clock_in(aware, horizon.timezone)
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
    inside = (day >= 0) & (day < horizon.days)
    queues = sorted(frame["queue"].astype(str).unique())
    if not inside.any():
        raise InputError(
            f"{source}: no row falls inside the horizon {horizon.start} .. "
            f"{horizon.start + dt.timedelta(days=horizon.days - 1)}; check horizon.start."
        )
    queue_col = frame["queue"].astype(str).to_numpy()
    day, slot = _real_slots(aware, ds, queue_col, inside, horizon.timezone, grid, source)
    per_queue: dict[str, np.ndarray] = {}
    need = np.ceil(agents.to_numpy(dtype=float) - 1e-9)
    for q in queues:
        cells = np.zeros((horizon.days, per_day))
        rows = inside & (queue_col == q)
        # Rows naming the same real interval twice are merged by their maximum, never added.
        np.maximum.at(cells, (day[rows], slot[rows]), need[rows])
        per_queue[q] = cells
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


def _real_slots(aware: pd.Series, wall: pd.Series, queue: np.ndarray, inside: np.ndarray, timezone: str,
                grid: SlotGrid, source: str) -> tuple[np.ndarray, np.ndarray]:
    """Day and real slot of day of each row (rows outside the horizon get day -1)."""
    if isinstance(aware.dtype, pd.DatetimeTZDtype):
        instants = utc_clock(aware).to_numpy().astype("datetime64[ns]").astype(np.int64)
        missing = np.zeros(len(wall), dtype=bool)
    else:
        real = real_time(wall, fold_of(wall, timezone, by=pd.Series(queue)), timezone)
        missing = real.isna().to_numpy() & inside
        if missing.any():
            i = int(np.flatnonzero(missing)[0])
            raise InputError(
                f"{source}: row {i + 1}, 'ds' {wall.iloc[i]} does not exist in {timezone} (the clocks skip "
                f"that hour on {wall.iloc[i].date()}); expected only the real intervals of the day."
            )
        instants = utc_clock(real).to_numpy().astype("datetime64[ns]").astype(np.int64)
    every = np.concatenate(grid.days.instants)
    day_of = np.repeat(np.arange(len(grid.days.counts)), grid.days.counts)
    slot_of = np.concatenate([np.arange(n) for n in grid.days.counts])
    pos = np.minimum(np.searchsorted(every, instants), len(every) - 1)
    found = every[pos] == instants
    if (inside & ~found).any():
        i = int(np.flatnonzero(inside & ~found)[0])
        raise InputError(
            f"{source}: row {i + 1}, 'ds' {wall.iloc[i]} is not the start of an interval of the scenario's "
            f"grid in {timezone}."
        )
    ok = inside & found
    return np.where(ok, day_of[pos], -1), np.where(ok, slot_of[pos], 0)


def build_problem(requirements: pd.DataFrame, scenario: Scenario, source: str = "requirements",
                  service_curves=None) -> Problem:
    """Everything the model needs, in slots, validated against the scenario.

    ``service_curves`` (:class:`wfm.service_goal.GoalCurves`) turns the queues with a
    day or week service goal from fixed requirements into goals over their curves.

    Parameters
    ----------
    requirements : DataFrame
        ``ds, agents`` and optional ``queue``.
    scenario : Scenario
        The scenario.
    source : str
        Name of the requirement table, for messages.
    service_curves : GoalCurves, optional
        Service-level curves of the queues with a day or week goal.

    Returns
    -------
    Problem
        Slots, tour rules, pools, campaigns and costs.
    """
    interval = scenario.horizon.interval_minutes
    grid = slot_grid(scenario)
    per_day = grid.per_day
    open_mask = grid.on_real_slots(opening_mask(scenario))
    unsocial = grid.on_real_slots(unsocial_mask(scenario))
    notes: list[str] = []
    pools, dropped = requirement_pools(requirements, scenario, open_mask, source, notes, grid)
    rules = build_rules(scenario, open_mask, unsocial, grid)
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
        campaigns.append(CampaignPlan(c, work, grid.on_real_slots(calling_mask(c, scenario.horizon)), owed, cap, allowed))
    slot_wall, slot_fold = _slot_clock(grid)
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
        day_slots=grid.days.counts,
        start_slot=np.where(grid.start_slot >= 0, np.arange(scenario.horizon.days)[:, None] * per_day + grid.start_slot, -1),
        slot_wall=slot_wall,
        slot_fold=slot_fold,
        dropped_closed=dropped,
        notes=notes,
    )
    if service_curves is not None:
        attach_service_goals(problem, service_curves.table, service_curves.goals, grid)
    return problem


def attach_service_goals(problem: Problem, curves: pd.DataFrame, goals: dict, grid: SlotGrid,
                         source: str = "service curves") -> None:
    """Turn each goal queue's service-level curves into the pool's :class:`GoalPlan`.

    ``curves`` is :func:`wfm.service_goal.service_curves`'s table (``queue, ds, heads,
    calls, aht, credit``); ``goals`` maps a queue to its :class:`~wfm.service_goal.ServiceGoal`.
    A goal queue must have a pool of its own: queues sharing agents share heads, and
    one queue's curve says nothing about the other's calls.

    Parameters
    ----------
    problem : Problem
        The problem, changed in place.
    curves : DataFrame
        The service curves.
    goals : dict
        Queue name to its service goal.
    grid : SlotGrid
        The real-slot grid.
    source : str
        Name of the curves, for messages.

    Raises
    ------
    InputError
        When a goal queue shares its pool with another queue.
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
        # One row per interval and head count; an interval's rows start where the heads
        # restart (a fall-back day repeats a wall-clock time, each pass with its own curve).
        part = part.reset_index(drop=True)
        aware = pd.to_datetime(part["ds"])
        heads = part["heads"].to_numpy()
        first = np.ones(len(part), dtype=bool)
        first[1:] = (heads[1:] != heads[:-1] + 1) | (aware.to_numpy()[1:] != aware.to_numpy()[:-1])
        run = np.cumsum(first) - 1
        starts = aware[first].reset_index(drop=True)
        wall = wall_clock_in(starts, horizon.timezone)
        run_day = (wall.dt.normalize() - pd.Timestamp(horizon.start)).dt.days.to_numpy()
        inside = (run_day >= 0) & (run_day < problem.days)
        run_day, run_slot = _real_slots(starts, wall, np.full(len(starts), queue), inside, horizon.timezone, grid, source)
        day = run_day[run]
        t = day * problem.slots_per_day + run_slot[run]
        keep = day >= 0
        keep &= problem.open_mask.reshape(-1)[np.clip(t, 0, problem.slots - 1)]
        frame = pd.DataFrame({"t": t[keep], "heads": part["heads"].to_numpy()[keep],
                              "calls": part["calls"].to_numpy(dtype=float)[keep],
                              "credit": part["credit"].to_numpy(dtype=float)[keep]})
        slots, floors, gains, periods = [], [], [], []
        scale = 1 if goal.asa is not None else 1000
        calls, credit_floor = {}, {}
        # Each real interval (both passes of a repeated hour too) has its own curve.
        from wfm.service_goal import period_label

        for ti, rows in frame.groupby("t", sort=True):
            rows = rows.drop_duplicates("heads").sort_values("heads")
            ti = int(ti)
            period = (ti // problem.slots_per_day) // (7 if goal.scope == "week" else 1)
            y = rows["credit"].to_numpy()
            slots.append(ti)
            floors.append(int(rows["heads"].iloc[0]))
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
                                      gains, required, credit_floor, penalty, scale))


def week_patterns_days(bits: int) -> list[int]:
    """The weekdays (Monday = 0) set in a weekly work-pattern bit mask.

    Parameters
    ----------
    bits : int
        Bit ``i`` set when day ``i`` of the week is worked.

    Returns
    -------
    list of int
        The worked days, in order.

    Examples
    --------
    >>> week_patterns_days(0b0011111)
    [0, 1, 2, 3, 4]
    """
    return [i for i in range(7) if (bits >> i) & 1]


__all__ = ["Problem", "TourRule", "Pool", "CampaignPlan", "BreakRule", "build_problem"]
