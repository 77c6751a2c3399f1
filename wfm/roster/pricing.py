"""Exact pricing of one employee's roster by dynamic programming over the days.

Column generation (:mod:`wfm.roster.colgen`) asks thousands of times for one
employee's cheapest roster under every hard rule against prices per day and shift
type. CP-SAT answers each in a fraction of a second; this module answers the same
question exactly with a resource-constrained shortest path over the days, in
milliseconds.

A *label* of day ``d`` is where a roster up to ``d`` stands in every rule:

* the run state (:func:`wfm.roster.model.run_states`, with the last shift worked, which
  the forbidden successions need): inside a run of worked days of length ``k`` (up to
  the maximum), or of days off (counted up to the minimum, beyond which they are all
  alike), and whether that run started on day 0 (exempt from its minimum when
  ``edge_runs == "exempt"``);
* the minutes worked, in units of the shift lengths' greatest common divisor or as a
  count per shift length, whichever has fewer cells (a minimum *and* a maximum bind,
  so two labels compare only at equal minutes);
* the shifts of each type whose maximum can bind (the others are not counted);
* the weekends worked, when the maximum can bind. Whether the current weekend is
  already counted follows from the run state: on a Sunday it is when yesterday, the
  Saturday, was worked.

The limits on shifts per type and on weekends are left out at first (a relaxation:
its cheapest roster costs at most the true minimum). When that roster keeps them it is
the cheapest; when it breaks some, those are tracked from then on (for that employee)
and the days priced again. Prices rarely make every limit bind, so most calls run one
pass over small label arrays.

Labels of equal resources are merged into the cheapest (the dominance rule with every
resource equal), so the labels of a day form a dense array indexed by run state,
minutes, weekends and counts, and a day's extension is a few numpy operations: the
cheapest label entering each run state (one gather over the states that may precede
it, padded to one length, and a minimum), shifted along the resource axes by what the
day's shift adds (labels pushed past a maximum fall off the array: they break it),
over the box of cells a roster can have reached by that day only. (Labels with fewer
shifts or weekends are not compared with the others: the relaxation above keeps those
axes short instead.) The last day
keeps the labels whose run may end there and whose minutes reach the minimum; the
cheapest is the exact minimum, and walking the days back gives its roster.

Exactness is by construction (every roster is one path, every path one roster; the
relaxation's roster is only returned when it keeps every limit) and
tested against CP-SAT's :func:`wfm.roster.colgen.cheapest_roster` and brute force
(``tests/test_roster_pricing.py``). The work of a pass is known before it runs (the
label cells and numpy calls, ``LabelPricer._work``), and calibrated rates turn it into
deterministic seconds, as :data:`wfm.roster.colgen.LP_WORK_PER_SECOND` does for
HiGHS: the same call counts the same however loaded the machine.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from wfm.roster.problem import RosterProblem

# Deterministic seconds of a pass: label cells gathered, compared or written, and numpy
# calls (LabelPricer._work), at these rates. Fitted on the CPU time of 300 calls
# recorded in column generation runs on Instances 1-16 (numpy's ~5 us per call dominates
# such small label arrays; the cell rate is from the larger arrays of every limit
# tracked), then checked by benchmarks/bench_pricing.py: 1.0-1.4 deterministic s per
# CPU s on Instances 8, 9, 14 and 16.
CELLS_PER_SECOND = 5e8
OPERATIONS_PER_SECOND = 2.0e5
# Labels (run states x resource cells x days, kept for the walk back: 8 bytes each) above
# which a pass is not run (status "too large"): CP-SAT prices that call instead.
MAX_LABELS = 25_000_000
# Up to this many cells (target states x longest predecessor list x resource cells) the
# predecessors' minimum is one padded gather; beyond, one gather per list position.
PADDED_CELLS = 200_000
OFF = -1  # the action "day off" (otherwise the action is a shift index)


@dataclass(frozen=True)
class _RunState:
    kind: str  # "work", "first work", "off" or "first off" (see wfm.roster.model.run_states)
    shift: int  # the shift worked today (OFF on a day off)
    length: int  # the run's length so far (days off counted up to the minimum)


@dataclass
class _Axes:
    """The resource axes of one set of tracked limits (see :meth:`LabelPricer._axes`)."""

    shape: tuple[int, ...]  # size of each resource axis
    steps: dict[int, list[int]]  # shift -> what working it adds along each axis (the weekend aside)
    weekend_axis: int | None  # the axis of weekends worked (None: not tracked)
    minutes_ok: np.ndarray  # per resource cell: its minutes keep the contract's window
    reach: list[tuple[int, ...]]  # per day: the box of cells a roster up to that day can reach
    # per day from the second: (targets, sources, action column) of each segment's shifted copy
    plan: list[list[tuple[tuple, tuple, int]]] = dataclasses.field(default_factory=list)
    padded: bool = True  # the entering labels by one gather over the padded predecessor matrix


@dataclass
class PricedRoster:
    status: str  # "optimal", "infeasible", "unknown" (stopped by the limit) or "too large" (the memory cap)
    roster: frozenset[tuple[int, int]] | None  # (day, shift) worked; None unless optimal
    bound: float | None  # a lower bound on the minimum (the minimum itself, lowered by the rounding margin, when optimal)
    seconds: float  # deterministic seconds of the call


class LabelPricer:
    """One employee's pricing problem, set up once: run states, predecessors and resource axes.

    Parameters
    ----------
    problem : RosterProblem
        The problem; only employee ``e``'s contract, days off and requests are read.
    e : int
        Index of the employee in ``problem.employees``.

    Examples
    --------
    >>> from wfm.roster.problem import Contract, Employee, ShiftType
    >>> problem = RosterProblem(days=3, shifts=[ShiftType("D", 480)],
    ...                         employees=[Employee("A", Contract(min_minutes=480, max_minutes=960))])
    >>> sorted(LabelPricer(problem, 0).price({(0, 0): 2.0, (1, 0): 5.0, (2, 0): 1.0}).roster)
    [(0, 0), (1, 0)]
    """

    def __init__(self, problem: RosterProblem, e: int):
        employee = problem.employees[e]
        contract = employee.contract
        self.days = problem.days
        self.days_off = employee.days_off
        self.shifts = [s for s, shift in enumerate(problem.shifts) if contract.max_shifts.get(shift.name, 1) != 0]
        self.constant, self.change = request_costs(problem, employee.name)
        self.states = _run_states(contract, problem, self.shifts)
        self.index = {state: i for i, state in enumerate(self.states)}
        self.exempt = problem.edge_runs == "exempt"
        self.problem, self.contract = problem, contract
        self.weekends = problem.weekends()
        self.weekend_of = {d: w for w, days in enumerate(self.weekends) for d in days}
        self.limits = self._limits()
        # The resources priced so far (a limit once broken by a relaxed optimum stays on).
        self.tracked: frozenset = frozenset()
        self._layouts: dict[frozenset, _Axes] = {}
        self._predecessors(problem, contract)

    # -- set-up -------------------------------------------------------------------------

    def _limits(self) -> dict:
        """The limits that can bind besides the minutes: ``{"weekends" or shift: cap}``."""
        contract, days_off = self.contract, [d for d in self.days_off if 0 <= d < self.days]
        workable = self.days - len(days_off)
        longest = max((self.problem.shifts[s].minutes for s in self.shifts), default=0)
        most = workable * longest if contract.max_minutes is None else min(workable * longest, contract.max_minutes)
        limits = {}
        if contract.max_weekends is not None and contract.max_weekends < len(self.weekends):
            limits["weekends"] = contract.max_weekends
        for s in self.shifts:
            cap = contract.max_shifts.get(self.problem.shifts[s].name)
            minutes = self.problem.shifts[s].minutes
            if cap is not None and cap < (min(workable, most // minutes) if minutes else workable):
                limits[s] = cap
        return limits

    def _axes(self, tracked: frozenset, shape_only: bool = False):
        """The resource axes (minutes, and the ``tracked`` limits), what each shift adds, and the minutes' window.

        The minutes are one axis in units of the lengths' greatest common divisor, or,
        when that is smaller, a count per shift length (those of the counted types
        aside), from which the minutes follow: 480- and 600-minute shifts up to 12,960
        minutes are 109 units of 120 but at most 27 shifts of 480 (the 600s counted anyway).
        With ``shape_only`` only the axes' sizes (nothing allocated).
        """
        if tracked in self._layouts:
            return self._layouts[tracked].shape if shape_only else self._layouts[tracked]
        problem, contract = self.problem, self.contract
        minutes = {s: problem.shifts[s].minutes for s in self.shifts}
        workable = self.days - len([d for d in self.days_off if 0 <= d < self.days])
        most = workable * max(minutes.values(), default=0)
        low, high = contract.min_minutes, contract.max_minutes
        if high is not None:
            most = min(most, high)
        counted = {s: cap for s, cap in self.limits.items() if s in tracked and s != "weekends"}
        axes = []  # (size, minutes per step)
        adds = {s: {} for s in self.shifts}  # shift -> {axis: step}
        weekend_axis = None
        if "weekends" in tracked:
            weekend_axis = len(axes)
            axes.append((self.limits["weekends"] + 1, 0))
        minutes_bind = low > 0 or (high is not None and high < workable * max(minutes.values(), default=0))
        by_length = {}
        for s in self.shifts:
            if s not in counted and minutes[s] and minutes_bind:
                by_length.setdefault(minutes[s], []).append(s)
        per_length = math.prod(min(workable, most // length) + 1 for length in by_length)
        unit = math.gcd(*minutes.values()) or 1
        in_units = minutes_bind and (most // unit + 1) < per_length
        if in_units:  # one axis of minutes
            for s in self.shifts:
                adds[s][len(axes)] = minutes[s] // unit
            axes.append((most // unit + 1, unit))
        else:  # one axis per length, of the shifts of that length not counted apart
            for length, group in sorted(by_length.items()):
                for s in group:
                    adds[s][len(axes)] = 1
                axes.append((min(workable, most // length) + 1, length))
        for s, cap in counted.items():
            adds[s][len(axes)] = 1
            axes.append((cap + 1, 0 if in_units else minutes[s]))
        shape = tuple(size for size, _ in axes)
        if shape_only:
            return shape
        steps = {s: [adds[s].get(i, 0) for i in range(len(axes))] for s in self.shifts}
        # The minutes of each resource cell, and whether they keep the contract's window.
        worked = np.zeros(shape)
        for i, (size, per_step) in enumerate(axes):
            worked = worked + (per_step * np.arange(size)).reshape([-1 if j == i else 1 for j in range(len(axes))])
        minutes_ok = (worked >= low) & (worked <= (math.inf if high is None else high)) if minutes_bind else (
            np.ones(shape, dtype=bool))
        # Per day, the box of cells a roster up to that day can reach (each axis grows by
        # at most its largest step a day): the day's work runs over that box only.
        reach, reached = [], [1] * len(axes)
        for d in range(self.days):
            grow = [max((steps[s][i] for s in self.shifts), default=0) if d not in self.days_off else 0
                    for i in range(len(axes))]
            if weekend_axis is not None:
                grow[weekend_axis] = int(d in self.weekend_of and d not in self.days_off)
            reached = [min(size, r + g) for r, g, size in zip(reached, grow, shape, strict=True)]
            reach.append(tuple(reached))
        layout = _Axes(shape, steps, weekend_axis, minutes_ok, reach)
        layout.padded = self.rows * self.pad.shape[1] * math.prod(shape) <= PADDED_CELLS
        for d in range(1, self.days):
            layout.plan.append(self._day_plan(layout, d))
        self._layouts[tracked] = layout
        return layout

    def _day_plan(self, axes: _Axes, d: int) -> list[tuple[tuple, tuple, int]]:
        """Day ``d``'s shifted copies: per segment, its target and source boxes and its action's cost column."""
        reached, reach = axes.reach[d - 1], axes.reach[d]
        plan = []
        for first, end, row, action, after_work in self.segments:
            step = self._step(axes, action, self._weekend_counts(d, after_work))
            # Yesterday's box shifted by the step, cut where today's box (or a maximum) ends.
            spans = [min(n - k, r) for k, n, r in zip(step, reach, reached, strict=True)]
            if any(span <= 0 for span in spans):
                continue  # the shift alone breaks a maximum
            into = (slice(first, end), *(slice(k, k + span) for k, span in zip(step, spans, strict=True)))
            out = (slice(row, row + end - first), *(slice(0, span) for span in spans))
            plan.append((into, out, 0 if action == OFF else 1 + self.shifts.index(action)))
        return plan

    def _predecessors(self, problem: RosterProblem, contract) -> None:
        """Which run states may precede each one, in blocks that share a day's shift along the resources."""
        forbidden = {s: {t for t, shift in enumerate(problem.shifts) if shift.name in problem.shifts[s].cannot_follow}
                     for s in self.shifts}
        before: dict[int, list[int]] = {i: [] for i in range(len(self.states))}
        for i, state in enumerate(self.states):
            for action in [OFF, *self.shifts]:
                if state.shift != OFF and action in forbidden[state.shift]:
                    continue
                following = _successor(state, action, contract, self.states)
                if following is not None:
                    before[self.index[following]].append(i)
        # Segments: consecutive targets entered by the same action from days of the same kind
        # (worked or off), so one shift of the resource axes serves them all.
        self.segments = []  # (first target, last target + 1, first row, action, entered from a worked day)
        row = 0
        for i, state in enumerate(self.states):
            if not before[i]:
                continue
            after_work = self.states[before[i][0]].shift != OFF
            last = self.segments[-1] if self.segments else None
            if last and last[1] == i and last[3] == state.shift and last[4] == after_work:
                self.segments[-1] = (last[0], i + 1, last[2], last[3], after_work)
            else:
                self.segments.append((i, i + 1, row, state.shift, after_work))
            row += 1
        # The cheapest label entering each target row: rows sorted by their number of
        # predecessors (most first), so the j-th predecessor's minimum runs over one prefix
        # of rows (a padded matrix would make every row pay for the longest list).
        groups = [before[i] for i in range(len(self.states)) if before[i]]
        order = sorted(range(len(groups)), key=lambda g: -len(groups[g]))
        self.columns = [(sum(len(groups[g]) > j for g in order), np.array([groups[g][j] for g in order
                                                                           if len(groups[g]) > j], dtype=np.intp))
                        for j in range(max(map(len, groups), default=0))]
        self.unsort = np.argsort(np.array(order, dtype=np.intp))
        self.rows = len(groups)
        # The same lists padded to one length with the always-inf row past the last state.
        width = max(map(len, groups), default=0)
        self.pad = np.array([g + [len(self.states)] * (width - len(g)) for g in groups], dtype=np.intp).reshape(
            len(groups), width)
        self.before = before
        self.start = {action: _start_state(action, contract, self.states, self.exempt) for action in [OFF, *self.shifts]}
        self.final = np.array([_may_end(state, contract, self.exempt) for state in self.states] + [False])

    # -- the work count -----------------------------------------------------------------

    def _seconds(self, axes: _Axes) -> float:
        """Deterministic seconds of one pass over the days with ``axes``: its cells and numpy operations."""
        cells, operations = self._work(axes)
        return cells / CELLS_PER_SECOND + operations / OPERATIONS_PER_SECOND

    def _work(self, axes: _Axes) -> tuple[int, int]:
        """``(cells, operations)`` of one pass: label cells gathered, compared or written, and numpy calls."""
        boxes = sum(math.prod(box) for box in axes.reach[:-1])
        if axes.padded:
            gathered, calls = self.rows * self.pad.shape[1], 2
        else:
            gathered, calls = 2 * sum(count for count, _ in self.columns) + self.rows, 2 * len(self.columns)
        copied = sum(math.prod(s.stop - s.start for s in into[1:]) * (into[0].stop - into[0].start)
                     for plan in axes.plan for into, _, _ in plan)
        cells = gathered * boxes + 2 * copied + self.days * (len(self.states) + 1) * math.prod(axes.shape)
        # per day: the fill, the copies and the walk back's step; per call: the costs' table
        operations = (self.days - 1) * (calls + 2) + 2 * sum(map(len, axes.plan)) + self.days * (1 + len(self.shifts))
        return cells, operations

    # -- pricing --------------------------------------------------------------------------

    def price(self, prices: dict[tuple[int, int], float], fixed: dict[tuple[int, int], bool] | None = None,
              limit: float = math.inf) -> PricedRoster:
        """The cheapest roster under every hard rule: wishes broken less the prices of the shifts worked.

        The limits on weekends and shifts per type are first left out (fewer labels): when
        the cheapest roster without them keeps them it is the cheapest with them, else the
        ones it breaks are tracked from then on and the days are priced again.

        Parameters
        ----------
        prices : dict of (int, int) to float
            ``(day, shift)`` to what working it earns (absent: nothing).
        fixed : dict of (int, int) to bool, optional
            ``(day, shift)`` the roster must (True) or must not (False) work; shift -1:
            the day, whatever the shift (a node of branch and price).
        limit : float
            Deterministic seconds at most: a pass that would go beyond is not run, and the
            call then counts the whole limit as used (as CP-SAT stopped by it would).

        Returns
        -------
        PricedRoster
            ``"optimal"`` with the roster and its cost as the bound (lowered by a margin
            for the floats' rounding, so it is never above the true minimum);
            ``"infeasible"`` when no roster keeps every rule and fixing; ``"unknown"``
            when the limit stopped it, ``"too large"`` when the labels would pass
            :data:`MAX_LABELS` (the bound then that of the limits left out, or None).
        """
        cost = self._day_costs(prices, fixed or {})
        # Each addition rounds by at most half an ulp of its running sum, which never exceeds
        # the sum of every |cost|: a margin of far more than days such ulps keeps the bound
        # at or below the exact minimum.
        margin = 1e-12 * (1.0 + self.constant + float(np.abs(cost[np.isfinite(cost)]).sum()))
        seconds, bound = 0.0, None
        while True:
            if self.days * len(self.states) * math.prod(self._axes(self.tracked, shape_only=True)) > MAX_LABELS:
                return PricedRoster("too large", None, bound, seconds)
            axes = self._axes(self.tracked)
            if seconds + self._seconds(axes) > limit:
                return PricedRoster("unknown", None, bound, max(seconds, limit))
            seconds += self._seconds(axes)
            found = self._cheapest(axes, cost)
            if found is None:  # (none even without the limits left out)
                return PricedRoster("infeasible", None, None, seconds)
            value, roster = found
            bound = self.constant + value - margin
            broken = self._broken(roster) - self.tracked
            if not broken:
                return PricedRoster("optimal", roster, bound, seconds)
            self.tracked = self.tracked | broken

    def _cheapest(self, axes: _Axes, cost: np.ndarray):
        """``(cost, roster)`` of the cheapest label on the last day that keeps the minutes and may end there (None: none)."""
        kept = self._forward(axes, cost)
        ending = np.where(axes.minutes_ok, kept[-1][self.final], math.inf)
        if not ending.size or not np.isfinite(ending).any():
            return None
        finals = np.flatnonzero(self.final)
        flat = int(np.argmin(ending))
        state_row, *cell = np.unravel_index(flat, ending.shape)
        roster = self._walk_back(axes, kept, int(finals[state_row]), tuple(int(c) for c in cell))
        return float(ending.flat[flat]), roster

    def _broken(self, roster) -> set:
        """The limits (:meth:`_limits`) that ``roster`` breaks."""
        broken = {s for s, cap in self.limits.items() if s != "weekends" and sum(x == s for _, x in roster) > cap}
        worked = {self.weekend_of[d] for d, _ in roster if d in self.weekend_of}
        if "weekends" in self.limits and len(worked) > self.limits["weekends"]:
            broken.add("weekends")
        return broken

    def _day_costs(self, prices, fixed) -> np.ndarray:
        """``cost[d, a]``: what action ``a`` (0: off, 1 + i: the i-th workable shift) costs on day ``d`` (inf: barred)."""
        cost = np.zeros((self.days, 1 + len(self.shifts)))
        for i, s in enumerate(self.shifts):
            for d in range(self.days):
                cost[d, 1 + i] = self.change.get((d, s), 0) - prices.get((d, s), 0.0)
        for d in self.days_off:
            if 0 <= d < self.days:
                cost[d, 1:] = math.inf
        for (d, s), worked in fixed.items():
            if not 0 <= d < self.days:
                continue
            if s == -1:
                if worked:
                    cost[d, 0] = math.inf
                else:
                    cost[d, 1:] = math.inf
            elif worked:
                keep = cost[d, 1 + self.shifts.index(s)] if s in self.shifts else math.inf
                cost[d, :] = math.inf
                if s in self.shifts:
                    cost[d, 1 + self.shifts.index(s)] = keep
            elif s in self.shifts:
                cost[d, 1 + self.shifts.index(s)] = math.inf
        return cost

    def _step(self, axes: _Axes, action: int, weekend_day_counts: bool):
        """What a day's ``action`` adds along each resource axis (a weekend when ``weekend_day_counts``)."""
        if action == OFF:
            return [0] * len(axes.shape)
        step = list(axes.steps[action])
        if axes.weekend_axis is not None and weekend_day_counts:
            step[axes.weekend_axis] = 1
        return step

    def _weekend_counts(self, d: int, after_work: bool) -> bool:
        """Whether working day ``d`` adds a weekend: it is a weekend day and its weekend's earlier day was not worked."""
        week = self.weekend_of.get(d)
        if week is None:
            return False
        return not (after_work and self.weekend_of.get(d - 1) == week)

    def _forward(self, axes: _Axes, cost: np.ndarray) -> list[np.ndarray]:
        """Every day's cheapest label per run state and resource cell (inf: no roster reaches it)."""
        labels = np.full((len(self.states) + 1, *axes.shape), math.inf)  # (the last row: none, always inf)
        for action, state in self.start.items():
            a = 0 if action == OFF else 1 + self.shifts.index(action)
            if state is None or not math.isfinite(cost[0, a]):
                continue
            target = [self.index[state], *self._step(axes, action, self._weekend_counts(0, False))]
            if all(t < n for t, n in zip(target[1:], axes.shape, strict=True)):
                labels[tuple(target)] = min(labels[tuple(target)], cost[0, a])
        kept = [labels]
        barred = ~np.isfinite(cost)
        for d in range(1, self.days):
            entering = self._entering(axes, labels, tuple(slice(0, n) for n in axes.reach[d - 1]))
            labels = np.full_like(labels, math.inf)
            for into, out, a in axes.plan[d - 1]:
                if not barred[d, a]:
                    labels[into] = entering[out] + cost[d, a]
            kept.append(labels)
        return kept

    def _entering(self, axes: _Axes, labels: np.ndarray, box: tuple[slice, ...]) -> np.ndarray:
        """Per target row (a run state with predecessors), the cheapest of yesterday's labels in ``box`` that may precede it."""
        if not self.columns:
            return labels[(slice(0, 0), *box)]
        if axes.padded:  # few cells: one gather and one minimum (numpy's overhead per call dominates)
            return labels[(self.pad, *box)].min(axis=1)
        count, first = self.columns[0]
        entering = labels[(first, *box)]
        for count, states in self.columns[1:]:
            np.minimum(entering[:count], labels[(states, *box)], out=entering[:count])
        return entering[self.unsort]

    def _walk_back(self, axes: _Axes, kept, state: int, cell: tuple[int, ...]) -> frozenset[tuple[int, int]]:
        """The roster of the cheapest label ``(state, cell)`` of the last day, day by day backwards."""
        roster = set()
        for d in range(self.days - 1, -1, -1):
            action = self.states[state].shift
            if action != OFF:
                roster.add((d, action))
            if d == 0:
                break
            after_work = self.states[self.before[state][0]].shift != OFF
            step = self._step(axes, action, self._weekend_counts(d, after_work))
            cell = tuple(c - k for c, k in zip(cell, step, strict=True))
            previous = kept[d - 1]
            candidates = [previous[(i, *cell)] for i in self.before[state]]
            state = self.before[state][int(np.argmin(candidates))]
        return frozenset(roster)


def label_pricer(model) -> LabelPricer | None:
    """The labelling DP of the one-employee ``model``, set up on first use and kept on it.

    Parameters
    ----------
    model : RosterModel
        An employee's own model (:func:`wfm.roster.model.employee_model`): its
        ``problem`` has that one employee.

    Returns
    -------
    LabelPricer
        The DP.
    """
    if not hasattr(model, "_label_pricer"):
        model._label_pricer = LabelPricer(model.problem, 0)
    return model._label_pricer


def request_costs(problem: RosterProblem, name: str):
    """The wishes of the employee called ``name`` as what every roster pays and what working changes.

    Parameters
    ----------
    problem : RosterProblem
        The problem whose requests are read.
    name : str
        The employee's name.

    Returns
    -------
    constant : int
        The weight of every on-request (unmet unless worked: paid up front).
    change : dict of (int, int) to int
        ``(day, shift)`` to what working it changes: minus an on-request's weight, plus
        an off-request's.
    """
    index = {s.name: i for i, s in enumerate(problem.shifts)}
    constant, change = 0, {}
    for r in problem.requests:
        if r.employee != name:
            continue
        key = (r.day, index[r.shift])
        if r.wanted:  # unmet unless worked: paid up front, paid back when worked
            constant += r.weight
            change[key] = change.get(key, 0) - r.weight
        else:
            change[key] = change.get(key, 0) + r.weight
    return constant, change


def _run_states(contract, problem: RosterProblem, shifts: list[int]) -> list[_RunState]:
    """Every run state, grouped by the action that enters it (off, then each shift), those with no predecessor last."""
    most = contract.max_consecutive_shifts
    longest = problem.days if most is None else min(most, problem.days)  # (0: no worked day at all)
    exempt = problem.edge_runs == "exempt"
    min_work, min_off = contract.min_consecutive_shifts, max(1, contract.min_consecutive_days_off)
    states = [_RunState("off", OFF, k) for k in range(1, min_off + 1)]
    if exempt:
        states += [_RunState("first off", OFF, k) for k in range(2, min_off)] + [_RunState("first off", OFF, 1)] * (
            min_off > 1)
    for s in shifts:
        states += [_RunState("work", s, k) for k in range(1, longest + 1)]
        if exempt:
            first = range(1, min(min_work, longest + 1))
            states += [_RunState("first work", s, k) for k in first if k > 1]
            states += [_RunState("first work", s, 1)] * (1 in first)
    return states


def _successor(state: _RunState, action: int, contract, states) -> _RunState | None:
    """Tomorrow's run state after ``state`` when tomorrow's ``action`` is taken (None: a run rule forbids it)."""
    min_work, min_off = contract.min_consecutive_shifts, max(1, contract.min_consecutive_days_off)
    if state.shift != OFF:  # after a worked day
        if action == OFF:
            following = _RunState("off", OFF, 1) if state.kind == "first work" or state.length >= min_work else None
        else:
            length = state.length + 1
            kind = "first work" if state.kind == "first work" and length < min_work else "work"
            following = _RunState(kind, action, length)
    elif action == OFF:
        length = state.length + 1
        kind = "first off" if state.kind == "first off" and length < min_off else "off"
        following = _RunState(kind, OFF, min(length, min_off))
    else:
        following = _RunState("work", action, 1) if state.kind == "first off" or state.length >= min_off else None
    return following if following in states else None


def _start_state(action: int, contract, states, exempt: bool) -> _RunState | None:
    """Day 0's run state when its action is ``action`` (a run starting there is "first" while short, if exempt)."""
    minimum = contract.min_consecutive_shifts if action != OFF else max(1, contract.min_consecutive_days_off)
    kind = ("first " if exempt and minimum > 1 else "") + ("work" if action != OFF else "off")
    state = _RunState(kind, action, 1)
    return state if state in states else None


def _may_end(state: _RunState, contract, exempt: bool) -> bool:
    """Whether a roster's last day may be in ``state``: with enforced edges its run must reach its minimum."""
    if exempt:
        return True
    minimum = contract.min_consecutive_shifts if state.shift != OFF else max(1, contract.min_consecutive_days_off)
    return state.length >= minimum
