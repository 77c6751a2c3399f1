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
* the minutes worked, in units of the shift lengths' greatest common divisor (a
  minimum *and* a maximum bind, so two labels compare only at equal minutes);
* the shifts of each type whose maximum can bind (the others are not counted);
* the weekends worked, when the maximum can bind. Whether the current weekend is
  already counted follows from the run state: on a Sunday it is when yesterday, the
  Saturday, was worked.

Labels of equal resources are merged into the cheapest (the dominance rule with every
resource equal), so the labels of a day form a dense array indexed by run state,
minutes, weekends and counts, and a day's extension is a few numpy operations: the
cheapest label entering each run state (a gather and a ``minimum.reduceat`` over the
states that may precede it), shifted along the resource axes by what the day's shift
adds (labels pushed past a maximum fall off the array: they break it). The last day
keeps the labels whose run may end there and whose minutes reach the minimum; the
cheapest is the exact minimum, and walking the days back gives its roster.

Exactness is by construction (every roster is one path, every path one roster) and
tested against CP-SAT's :func:`wfm.roster.colgen.cheapest_roster` and brute force
(``tests/test_roster_pricing.py``). The work of a call is known before it runs (the
array sizes and operations); :meth:`LabelPricer.seconds` turns it into deterministic
seconds by calibrated constants, as :data:`wfm.roster.colgen.LP_WORK_PER_SECOND` does
for HiGHS.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from wfm.roster.problem import RosterProblem

# Deterministic seconds per label cell updated (gathered, reduced or shifted) and per
# numpy operation, measured on this machine: see LabelPricer.seconds.
CELLS_PER_SECOND = 1.5e8
OPERATIONS_PER_SECOND = 2.0e5
# Labels (run states x resource cells) of one day above which the DP is not used (its
# arrays, kept for the walk back, would outgrow memory): CP-SAT prices that employee.
MAX_LABELS_PER_DAY = 2_000_000
OFF = -1  # the action "day off" (otherwise the action is a shift index)


@dataclass(frozen=True)
class _RunState:
    kind: str  # "work", "first work", "off" or "first off" (see wfm.roster.model.run_states)
    shift: int  # the shift worked today (OFF on a day off)
    length: int  # the run's length so far (days off counted up to the minimum)


@dataclass
class PricedRoster:
    status: str  # "optimal" or "infeasible"
    roster: frozenset[tuple[int, int]] | None  # (day, shift) worked; None when infeasible
    bound: float | None  # a lower bound on the minimum, at most rounding below it
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
    >>> LabelPricer(problem, 0).price({(0, 0): 2.0, (1, 0): 5.0, (2, 0): 1.0}).roster
    frozenset({(0, 0), (1, 0)})
    """

    def __init__(self, problem: RosterProblem, e: int):
        employee = problem.employees[e]
        contract = employee.contract
        self.days = problem.days
        self.days_off = employee.days_off
        self.shifts = [s for s, shift in enumerate(problem.shifts) if contract.max_shifts.get(shift.name, 1) != 0]
        self.constant, self.change = _wish_costs(problem, employee.name)
        self.states = _run_states(contract, problem, self.shifts)
        self.index = {state: i for i, state in enumerate(self.states)}
        self.exempt = problem.edge_runs == "exempt"
        self._resource_axes(problem, contract)
        self._predecessors(problem, contract)
        self.labels_per_day = len(self.states) * math.prod(self.shape)

    # -- set-up -------------------------------------------------------------------------

    def _resource_axes(self, problem: RosterProblem, contract) -> None:
        """Sizes of the minutes, weekends and counts axes, and what each shift adds to them."""
        minutes = {s: problem.shifts[s].minutes for s in self.shifts}
        self.unit = math.gcd(*minutes.values()) or 1
        workable = self.days - len([d for d in self.days_off if 0 <= d < self.days])
        most = workable * max(minutes.values(), default=0)
        if contract.max_minutes is not None:
            most = min(most, contract.max_minutes)
        self.top_units = most // self.unit  # more minutes than this break the maximum
        self.min_units = -(-contract.min_minutes // self.unit)
        self.weekend_of = {}
        weekends = problem.weekends()
        for w, days in enumerate(weekends):
            for d in days:
                self.weekend_of[d] = w
        limit = contract.max_weekends
        self.weekend_axis = limit is not None and limit < len(weekends)
        shape = [self.top_units + 1, (limit + 1) if self.weekend_axis else 1]
        self.count_axis = {}  # shift -> its axis, for the shift types whose maximum can bind
        for s in self.shifts:
            cap = contract.max_shifts.get(problem.shifts[s].name)
            most_of_s = min(workable, most // minutes[s]) if minutes[s] else workable
            if cap is not None and cap < most_of_s:
                self.count_axis[s] = len(shape) + 1  # (axis 0 is the run state)
                shape.append(cap + 1)
        self.shape = tuple(shape)
        self.units = {s: minutes[s] // self.unit for s in self.shifts}

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
        self.before = before
        self.start = {action: _start_state(action, contract, self.states, self.exempt) for action in [OFF, *self.shifts]}
        self.final = np.array([_may_end(state, contract, self.exempt) for state in self.states])

    # -- the work count -----------------------------------------------------------------

    def seconds(self) -> float:
        """Deterministic seconds of one :meth:`price` call: its cells and numpy operations by calibrated rates.

        Returns
        -------
        float
            The count of work converted to seconds (the same for every call of this employee).
        """
        cells = math.prod(self.shape)
        gathered = sum(count for count, _ in self.columns)
        per_day_cells = (2 * gathered + self.rows + 2 * len(self.states)) * cells
        per_day_operations = 3 + 2 * len(self.columns) + 2 * len(self.segments)
        return self.days * (per_day_cells / CELLS_PER_SECOND + per_day_operations / OPERATIONS_PER_SECOND)

    # -- pricing --------------------------------------------------------------------------

    def price(self, prices: dict[tuple[int, int], float], fixed: dict[tuple[int, int], bool] | None = None
              ) -> PricedRoster:
        """The cheapest roster under every hard rule: wishes broken less the prices of the shifts worked.

        Parameters
        ----------
        prices : dict of (int, int) to float
            ``(day, shift)`` to what working it earns (absent: nothing).
        fixed : dict of (int, int) to bool, optional
            ``(day, shift)`` the roster must (True) or must not (False) work; shift -1:
            the day, whatever the shift (a node of branch and price).

        Returns
        -------
        PricedRoster
            ``"optimal"`` with the roster and its cost as the bound (lowered by a margin
            for the floats' rounding, so it is never above the true minimum), or
            ``"infeasible"`` when no roster keeps every rule and fixing.
        """
        cost = self._day_costs(prices, fixed or {})
        seconds = self.seconds()
        kept = self._forward(cost)
        last = kept[-1]
        ending = last[self.final][:, self.min_units:]
        if not ending.size or not np.isfinite(ending).any():
            return PricedRoster("infeasible", None, None, seconds)
        finals = np.flatnonzero(self.final)
        flat = int(np.argmin(ending))
        state_row, *cell = np.unravel_index(flat, ending.shape)
        cell[0] += self.min_units
        value = float(ending.flat[flat])
        roster = self._walk_back(kept, cost, int(finals[state_row]), tuple(int(c) for c in cell))
        # Each addition rounds by at most half an ulp of its running sum, which never exceeds
        # the sum of every |cost|: a margin of far more than days such ulps keeps the bound
        # at or below the exact minimum.
        margin = 1e-12 * (1.0 + self.constant + float(np.abs(cost[np.isfinite(cost)]).sum()))
        return PricedRoster("optimal", roster, self.constant + value - margin, seconds)

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

    def _step(self, action: int, weekend_day_counts: bool):
        """The resource offsets a day's ``action`` adds: (minutes, weekends, counts) per axis after the state's."""
        step = [0] * len(self.shape)
        if action != OFF:
            step[0] = self.units[action]
            if self.weekend_axis and weekend_day_counts:
                step[1] = 1
            if action in self.count_axis:
                step[self.count_axis[action] - 1] = 1
        return step

    def _weekend_counts(self, d: int, after_work: bool) -> bool:
        """Whether working day ``d`` adds a weekend: it is a weekend day and its weekend's earlier day was not worked."""
        week = self.weekend_of.get(d)
        if week is None:
            return False
        return not (after_work and self.weekend_of.get(d - 1) == week)

    def _forward(self, cost: np.ndarray) -> list[np.ndarray]:
        """Every day's cheapest label per run state and resource cell (inf: no roster reaches it)."""
        labels = np.full((len(self.states), *self.shape), math.inf)
        for action, state in self.start.items():
            a = 0 if action == OFF else 1 + self.shifts.index(action)
            if state is None or not math.isfinite(cost[0, a]):
                continue
            target = [self.index[state], *self._step(action, self._weekend_counts(0, False))]
            if all(t < n for t, n in zip(target[1:], self.shape, strict=True)):
                labels[tuple(target)] = min(labels[tuple(target)], cost[0, a])
        kept = [labels]
        for d in range(1, self.days):
            entering = self._entering(labels)
            labels = np.full_like(labels, math.inf)
            for first, end, row, action, after_work in self.segments:
                a = 0 if action == OFF else 1 + self.shifts.index(action)
                if not math.isfinite(cost[d, a]):
                    continue
                step = self._step(action, self._weekend_counts(d, after_work))
                if any(k >= n for k, n in zip(step, self.shape, strict=True)):
                    continue  # the shift alone breaks a maximum
                into = (slice(first, end), *(slice(k, None) for k in step))
                out = (slice(row, row + end - first), *(slice(0, n - k) for k, n in zip(step, self.shape, strict=True)))
                labels[into] = entering[out] + cost[d, a]
            kept.append(labels)
        return kept

    def _entering(self, labels: np.ndarray) -> np.ndarray:
        """Per target row (a run state with predecessors), the cheapest of yesterday's labels that may precede it."""
        if not self.columns:
            return labels[:0]
        count, first = self.columns[0]
        entering = labels[first]
        for count, states in self.columns[1:]:
            np.minimum(entering[:count], labels[states], out=entering[:count])
        return entering[self.unsort]

    def _walk_back(self, kept, cost, state: int, cell: tuple[int, ...]) -> frozenset[tuple[int, int]]:
        """The roster of the cheapest label ``(state, cell)`` of the last day, day by day backwards."""
        roster = set()
        for d in range(self.days - 1, -1, -1):
            action = self.states[state].shift
            if action != OFF:
                roster.add((d, action))
            if d == 0:
                break
            after_work = self.states[self.before[state][0]].shift != OFF
            step = self._step(action, self._weekend_counts(d, after_work))
            cell = tuple(c - k for c, k in zip(cell, step, strict=True))
            previous = kept[d - 1]
            candidates = [previous[(i, *cell)] for i in self.before[state]]
            state = self.before[state][int(np.argmin(candidates))]
        return frozenset(roster)


def _wish_costs(problem: RosterProblem, name: str):
    """``(always paid, {(day, shift): change when worked})`` of the employee ``name``'s wishes."""
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
