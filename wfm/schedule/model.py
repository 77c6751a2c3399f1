"""The weekly blended scheduling model, one helper per planning rule.

A tour/shift-count formulation keeps the model small however many agents there are:

* ``tours[rule, week, pattern, band]``: agents working that days-off pattern with
  all their starts inside one start-time band (days per week, consecutive days off,
  rest between shifts, same start all week);
* ``starts[rule, day, band, start]``: agents starting at that time that day, linked
  to the tours working the day;
* ``breaks[rule, day, start, break, offset]``: of the agents starting there, how
  many take that break at that offset (implicit break placement: any mix of offsets
  can be handed to individual agents because the windows of successive breaks
  cannot overlap);
* ``inbound[group, pool, slot]`` and ``outbound[group, campaign, slot]``: agents of a
  group on inbound or on a campaign, bounded by the group's agents on shift and
  not on a break;
* ``short[pool, slot]`` and ``undone[campaign]``: what the plan fails to cover.

Objective: paid cost (with the unsocial-hours premium) + ``cost_per_agent_week`` per
tour + ``inbound_short_penalty`` per agent-interval short + ``outbound_undone_penalty``
per agent-second undone.

The model is held as a plain sparse linear program (:class:`LinearModel`) so that the
same rows feed CP-SAT (integers) and GLOP (the LP relaxation, the lower bound).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from wfm.schedule.rules import Problem

BIG = 10**6  # upper bound for counts of agents; far above any real centre


@dataclass
class LinearModel:
    """A sparse linear model: variables with bounds and costs, rows ``lo <= a.x <= hi``."""

    lower: list[int] = field(default_factory=list)
    upper: list[int] = field(default_factory=list)
    cost: list[float] = field(default_factory=list)
    rows: list[tuple[np.ndarray, np.ndarray, float, float]] = field(default_factory=list)
    row_kind: list[str] = field(default_factory=list)

    @property
    def num_vars(self) -> int:
        """Variables added so far.

        Also the index the next :meth:`add_vars` hands out, and the column count of the
        constraint matrix.

        Returns
        -------
        int
            The length of the bound and cost lists.
        """
        return len(self.lower)

    def add_vars(self, count: int, upper: int | np.ndarray = BIG, cost: float | np.ndarray = 0.0) -> np.ndarray:
        """Add ``count`` integer variables with lower bound 0.

        Parameters
        ----------
        count : int
            Variables to add.
        upper : int or ndarray
            Upper bound(s).
        cost : float or ndarray
            Objective coefficient(s).

        Returns
        -------
        ndarray of int
            The new variables' indices.
        """
        first = len(self.lower)
        self.lower.extend([0] * count)
        self.upper.extend(np.broadcast_to(np.asarray(upper, dtype=np.int64), (count,)).tolist())
        self.cost.extend(np.broadcast_to(np.asarray(cost, dtype=float), (count,)).tolist())
        return np.arange(first, first + count)

    def add_row(self, kind: str, index, coef, lo: float, hi: float) -> None:
        """Add the row ``lo <= sum(coef * x[index]) <= hi``.

        Parameters
        ----------
        kind : str
            The rule the row belongs to (for diagnosis and tests).
        index : array_like of int
            Variable indices.
        coef : array_like of int
            Integer coefficients.
        lo, hi : float
            Row bounds.
        """
        self.rows.append((np.asarray(index, dtype=np.int64), np.asarray(coef, dtype=np.int64), lo, hi))
        self.row_kind.append(kind)


@dataclass
class Layout:
    """Where each decision lives among the model's variables (keys are int arrays)."""

    tour_keys: np.ndarray  # (rule, week, pattern bits, band)
    tour_vars: np.ndarray
    start_keys: np.ndarray  # (rule, day, band, slot of day)
    start_vars: np.ndarray
    break_keys: np.ndarray  # (rule, day, slot of day, break index, offset)
    break_vars: np.ndarray
    inbound_keys: np.ndarray  # (group, pool, global slot)
    inbound_vars: np.ndarray
    outbound_keys: np.ndarray  # (group, campaign, global slot)
    outbound_vars: np.ndarray
    short_keys: np.ndarray  # (pool, global slot)
    short_vars: np.ndarray
    undone_vars: np.ndarray  # per campaign
    # Service goals: per slot (step vars, heads vars, floor) and per period (late var, row index).
    goal_steps: list = field(default_factory=list)
    late_vars: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


@dataclass
class _Builder:
    problem: Problem
    model: LinearModel = field(default_factory=LinearModel)
    # Triplets of the "agents of group g on shift and not on break at slot t" matrix.
    avail_rows: list = field(default_factory=list)
    avail_cols: list = field(default_factory=list)
    avail_vals: list = field(default_factory=list)
    keys: dict = field(default_factory=dict)


def _keys(items: list[tuple], width: int) -> np.ndarray:
    return np.array(items, dtype=np.int64).reshape(-1, width)


def add_weekly_tours(b: _Builder) -> None:
    """Days per week and consecutive days off (patterns), per group headcount caps.

    Parameters
    ----------
    b : _Builder
        Registers ``keys['tour']``: a variable per rule, week, days-off pattern and start
        band, each costing ``cost_per_agent_week``.
    """
    p, m = b.problem, b.model
    keys = []
    for rule in p.rules:
        for w in range(p.weeks):
            for bits in rule.patterns_by_week[w]:
                for band in range(len(rule.bands)):
                    keys.append((rule.index, w, bits, band))
    overhead = p.scenario.costs.cost_per_agent_week
    b.keys["tour"] = (_keys(keys, 4), m.add_vars(len(keys), cost=overhead))


def add_daily_starts(b: _Builder) -> None:
    """Starts per day inside each band, equal to the band's tours working that day.

    Bands carry the minimum rest between shifts and the same-start option (a band of
    one start time).

    Parameters
    ----------
    b : _Builder
        Reads ``keys['tour']``; registers ``keys['start']`` (rule, day, band, start) and the
        slots each start puts on shift, fixed breaks already taken off.
    """
    p, m = b.problem, b.model
    tour_keys, tour_vars = b.keys["tour"]
    keys, variables = [], []
    for rule in p.rules:
        L = rule.length
        for d in range(p.days):
            w, weekday = divmod(d, 7)
            allowed = set(rule.starts_by_day[d].tolist())
            for band_index, band in enumerate(rule.bands):
                starts = [int(s) for s in band if s in allowed]
                working = (
                    (tour_keys[:, 0] == rule.index)
                    & (tour_keys[:, 1] == w)
                    & (tour_keys[:, 3] == band_index)
                    & (((tour_keys[:, 2] >> weekday) & 1) == 1)
                ) if len(tour_keys) else np.zeros(0, dtype=bool)
                tours = tour_vars[working]
                if not len(tours) and not starts:
                    continue
                new = m.add_vars(len(starts), cost=[rule.cost[d, s] for s in starts]) if starts else np.zeros(0, int)
                # sum(starts) - sum(tours working today) == 0
                m.add_row("tour_link", np.concatenate([new, tours]), [1] * len(new) + [-1] * len(tours), 0, 0)
                for s, var in zip(starts, new, strict=False):
                    keys.append((rule.index, d, band_index, s))
                    variables.append(var)
                    t0 = int(p.start_slot[d, s])
                    slots = list(range(t0, t0 + L))
                    # Breaks with a single possible offset are fixed: take them off the start itself.
                    for br in rule.breaks:
                        if len(br.offsets) == 1:
                            off = int(br.offsets[0])
                            slots = [t for t in slots if not (t0 + off <= t < t0 + off + br.length)]
                    b.avail_rows.extend(rule.group_index * p.slots + t for t in slots)
                    b.avail_cols.extend([var] * len(slots))
                    b.avail_vals.extend([1] * len(slots))
    b.keys["start"] = (_keys(keys, 4), np.array(variables, dtype=np.int64))


def add_breaks(b: _Builder) -> None:
    """Each break of each started shift is placed at one offset inside its window.

    Parameters
    ----------
    b : _Builder
        Reads ``keys['start']``; registers ``keys['break']`` (rule, day, start, break, offset)
        and takes each placed break's slots off the shift.
    """
    p, m = b.problem, b.model
    start_keys, start_vars = b.keys["start"]
    keys, variables = [], []
    for rule in p.rules:
        movable = [(j, br) for j, br in enumerate(rule.breaks) if len(br.offsets) > 1]
        if not movable:
            continue
        of_rule = start_keys[:, 0] == rule.index
        for d in range(p.days):
            here = of_rule & (start_keys[:, 1] == d)
            for s in np.unique(start_keys[here, 3]):
                started = start_vars[here & (start_keys[:, 3] == s)]
                t0 = int(p.start_slot[d, int(s)])
                for j, br in movable:
                    new = m.add_vars(len(br.offsets))
                    m.add_row(
                        "break_count",
                        np.concatenate([new, started]),
                        [1] * len(new) + [-1] * len(started),
                        0,
                        0,
                    )
                    for off, var in zip(br.offsets, new, strict=False):
                        keys.append((rule.index, d, int(s), j, int(off)))
                        variables.append(var)
                        rows = [rule.group_index * p.slots + t for t in range(t0 + off, t0 + off + br.length)]
                        b.avail_rows.extend(rows)
                        b.avail_cols.extend([var] * len(rows))
                        b.avail_vals.extend([-1] * len(rows))
    b.keys["break"] = (_keys(keys, 5), np.array(variables, dtype=np.int64))


def add_headcount_caps(b: _Builder) -> None:
    """A group's agents in any one week stay within its headcount.

    Parameters
    ----------
    b : _Builder
        Reads ``keys['tour']``; adds a ``headcount:<group>`` row per week for each group
        with a headcount.
    """
    p, m = b.problem, b.model
    tour_keys, tour_vars = b.keys["tour"]
    rule_group = np.array([r.group_index for r in p.rules] or [0])
    for gi, group in enumerate(p.scenario.groups):
        if group.headcount is None:
            continue
        for w in range(p.weeks):
            mask = (rule_group[tour_keys[:, 0]] == gi) & (tour_keys[:, 1] == w) if len(tour_keys) else []
            chosen = tour_vars[mask] if len(tour_keys) else []
            if len(chosen):
                m.add_row(f"headcount:{gi}", chosen, [1] * len(chosen), 0, group.headcount)


def add_inbound_coverage(b: _Builder) -> None:
    """Inbound agents of the serving groups plus the shortfall meet each pool's requirement.

    Parameters
    ----------
    b : _Builder
        Registers ``keys['inbound']`` (group, pool, slot) and ``keys['short']`` (pool, slot),
        a short agent-interval costing ``inbound_short_penalty``.
    """
    p, m = b.problem, b.model
    penalty = p.scenario.costs.inbound_short_penalty
    in_keys, in_vars, short_keys, short_vars = [], [], [], []
    for pi, pool in enumerate(p.pools):
        need = pool.required.reshape(-1)
        for t in np.flatnonzero(need > 0):
            t = int(t)
            served = m.add_vars(len(pool.groups))
            short = m.add_vars(1, upper=int(need[t]), cost=penalty)
            for g, var in zip(pool.groups, served, strict=False):
                in_keys.append((g, pi, t))
                in_vars.append(var)
            short_keys.append((pi, t))
            short_vars.append(int(short[0]))
            m.add_row("coverage", np.concatenate([served, short]), [1] * (len(served) + 1), int(need[t]), BIG)
    b.keys["inbound"] = (_keys(in_keys, 3), np.array(in_vars, dtype=np.int64))
    b.keys["short"] = (_keys(short_keys, 2), np.array(short_vars, dtype=np.int64))


def add_service_goal(b: _Builder) -> None:
    """A day's (or week's) calls answered in time reach the goal, from each interval's curve.

    Above its floor (the pool's requirement there) each further head at slot t adds
    ``gains[t][k]`` (thousandths of a call answered in time, or seconds of waiting saved
    under an ASA goal); the gains never rise, so
    one 0/1 increment per head is exact (the solver takes the best ones first). The
    increments taken never exceed the heads on inbound above the floor, and per period
    Σ floor answers + Σ increments + late calls ≥ goal × calls; late calls are
    penalised, so the goal bends only where no agent can be had.

    Parameters
    ----------
    b : _Builder
        Reads ``keys['inbound']`` and ``keys['short']``; registers ``keys['late']`` (late calls
        per goal period) and ``keys['goal_steps']``.
    """
    p, m = b.problem, b.model
    in_keys, in_vars = b.keys["inbound"]
    short_keys, short_vars = b.keys["short"]
    late_vars, step_terms = [], []
    for goal in p.goals:
        served_at: dict[int, list[int]] = {}
        for (_, pi, t), var in zip(in_keys.tolist(), in_vars.tolist(), strict=False):
            if pi == goal.pool:
                served_at.setdefault(t, []).append(var)
        short_at = {t: var for (pi, t), var in zip(short_keys.tolist(), short_vars.tolist(), strict=False) if pi == goal.pool}
        terms: dict[int, tuple[list, list]] = {}
        for t, floor, gains, period in zip(goal.slots.tolist(), goal.floor.tolist(), goal.gains, goal.period.tolist(), strict=False):
            served = served_at.get(t, []) + ([short_at[t]] if t in short_at else [])
            if not len(gains) or not served:
                continue
            steps = m.add_vars(len(gains), upper=1)
            # sum(steps) - heads on inbound (short heads count: they are paid for as penalty) <= -floor
            m.add_row("goal_steps", np.concatenate([steps, served]), [1] * len(steps) + [-1] * len(served), -BIG, -floor)
            step_terms.append((steps, np.array(served, dtype=np.int64), int(floor)))
            index, coef = terms.setdefault(period, ([], []))
            index.extend(steps.tolist())
            coef.extend(gains.tolist())
        for period, required in goal.required.items():
            owed = int(np.ceil(goal.scale * (required - goal.credit_floor[period])))
            if owed <= 0:
                continue  # the floors alone meet the goal
            index, coef = terms.get(period, ([], []))
            late = m.add_vars(1, upper=owed, cost=goal.penalty / goal.scale)
            late_vars.append(int(late[0]))
            m.add_row(f"service_goal:{goal.pool}:{period}", index + [int(late[0])], coef + [1], owed, BIG * 10**6)
    b.keys["late"] = np.array(late_vars, dtype=np.int64)
    b.keys["goal_steps"] = step_terms


def settle_goal_steps(model: LinearModel, layout: Layout, values: np.ndarray) -> np.ndarray:
    """The service-goal increments and late calls that go with the plan's inbound heads.

    Plans joined week by week (or repaired) carry heads but not these bookkeeping
    variables; the best increments are the first ones (gains never rise).

    Parameters
    ----------
    model : LinearModel
        The model.
    layout : Layout
        Where each kind of variable lies.
    values : ndarray
        A plan's variable values.

    Returns
    -------
    ndarray
        ``values`` with the goal increments and late calls set.
    """
    values = np.asarray(values, dtype=np.int64).copy()
    for steps, served, floor in layout.goal_steps:
        take = int(np.clip(values[served].sum() - floor, 0, len(steps)))
        values[steps] = 0
        values[steps[:take]] = 1
    late = set(layout.late_vars.tolist())
    for (index, coef, lo, _), kind in zip(model.rows, model.row_kind, strict=False):
        if kind.startswith("service_goal:") and len(index) and int(index[-1]) in late:
            got = int(values[index[:-1]] @ coef[:-1])
            values[index[-1]] = max(0, int(np.ceil(lo)) - got)
    return values


def add_outbound_work(b: _Builder) -> None:
    """Campaign work inside calling windows before the deadline, with daily caps.

    Parameters
    ----------
    b : _Builder
        Registers ``keys['outbound']`` (group, campaign, slot) and ``keys['undone']``, the
        campaign's agent-seconds left undone.
    """
    p, m = b.problem, b.model
    seconds = p.interval * 60
    penalty = p.scenario.costs.outbound_undone_penalty
    keys, variables, undone_vars = [], [], []
    for ci, plan in enumerate(p.campaigns):
        allowed = np.flatnonzero(plan.mask.reshape(-1))
        work_vars = []
        for g in plan.groups:
            new = m.add_vars(len(allowed))
            for t, _var in zip(allowed, new, strict=False):
                keys.append((g, ci, int(t)))
            variables.extend(new.tolist())
            work_vars.append(new)
        undone = m.add_vars(1, upper=plan.owed_seconds, cost=penalty)
        undone_vars.append(int(undone[0]))
        flat = np.concatenate(work_vars) if work_vars else np.zeros(0, int)
        m.add_row(
            f"campaign:{ci}", np.concatenate([flat, undone]), [seconds] * len(flat) + [1], plan.owed_seconds, BIG * 1000
        )
        if plan.daily_cap_seconds is not None and len(flat):
            slot_of = np.concatenate([allowed for _ in plan.groups])
            for d in range(p.days):
                today = (slot_of // p.slots_per_day) == d
                if today.any():
                    m.add_row(f"daily_cap:{ci}", flat[today], [seconds] * int(today.sum()), 0, plan.daily_cap_seconds)
    b.keys["outbound"] = (_keys(keys, 3), np.array(variables, dtype=np.int64))
    b.keys["undone"] = np.array(undone_vars, dtype=np.int64)


def add_agent_availability(b: _Builder) -> None:
    """A group's inbound plus outbound agents never exceed its agents on shift and off break.

    Parameters
    ----------
    b : _Builder
        Reads the on-shift triplets the starts and breaks left and the inbound and outbound
        heads; registers ``keys['avail']`` (group x slot, variable).
    """
    p, m = b.problem, b.model
    import scipy.sparse as sp

    n_rows = len(p.scenario.groups) * p.slots
    avail = sp.csr_matrix(
        (np.array(b.avail_vals, dtype=np.int64), (np.array(b.avail_rows), np.array(b.avail_cols))),
        shape=(n_rows, m.num_vars),
    )
    avail.sum_duplicates()
    uses: dict[int, list[int]] = {}
    for name in ("inbound", "outbound"):
        keys, variables = b.keys[name]
        for (g, _, t), var in zip(keys.tolist(), variables.tolist(), strict=False):
            uses.setdefault(g * p.slots + t, []).append(var)
    for row, used in uses.items():
        lo, hi = avail.indptr[row], avail.indptr[row + 1]
        on_vars, on_coef = avail.indices[lo:hi], avail.data[lo:hi]
        # used - on_shift_not_on_break <= 0
        m.add_row("availability", np.concatenate([used, on_vars]), np.concatenate([np.ones(len(used), int), -on_coef]), -BIG, 0)
    b.keys["avail"] = avail


def build_model(problem: Problem) -> tuple[LinearModel, Layout, object]:
    """Assemble the model from its rules; returns the model, the layout and the availability matrix.

    Parameters
    ----------
    problem : Problem
        From :func:`wfm.schedule.rules.build_problem`.

    Returns
    -------
    model : LinearModel
        Variables, rows and costs.
    layout : Layout
        Where each kind of variable lies.
    avail : sparse matrix
        (group x slot, variable): agents on shift and off break.
    """
    b = _Builder(problem)
    add_weekly_tours(b)
    add_daily_starts(b)
    add_breaks(b)
    add_headcount_caps(b)
    add_inbound_coverage(b)
    add_service_goal(b)
    add_outbound_work(b)
    add_agent_availability(b)
    # Each kind of decision was registered as (keys, variables).
    kinds = ("tour", "start", "break", "inbound", "outbound", "short")
    layout = Layout(
        **{f"{kind}_keys": b.keys[kind][0] for kind in kinds},
        **{f"{kind}_vars": b.keys[kind][1] for kind in kinds},
        undone_vars=b.keys["undone"],
        goal_steps=b.keys["goal_steps"],
        late_vars=b.keys["late"],
    )
    return b.model, layout, b.keys["avail"]
