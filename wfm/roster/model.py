"""The roster as a CP-SAT model, one helper per rule.

Decision: ``works[e, d, s]``, employee ``e`` works shift type ``s`` on day ``d``
(booleans; an employee off that day works none). Hard rules are constraints; the
objective is the sum of named terms (each a list of ``(weight, literal or variable)``
pairs), so a solution can be priced term by term and the terms reported apart:

* ``unmet_on_requests``: weight of every on-request not granted;
* ``granted_off_requests``: weight of every off-request granted;
* ``cover_under`` / ``cover_over``: per day and shift type, the weight per person
  short of / over the requirement.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from wfm.roster.problem import Contract, Cover, RosterProblem

OBJECTIVE_TERMS = ("unmet_on_requests", "granted_off_requests", "cover_under", "cover_over")


@dataclass
class RosterModel:
    problem: RosterProblem
    cp: cp_model.CpModel
    works: dict[tuple[int, int, int], cp_model.IntVar]  # (employee, day, shift) -> bool; absent: cannot work
    on_day: dict[tuple[int, int], cp_model.IntVar]  # (employee, day) -> bool: works some shift
    terms: dict[str, list[tuple[int, object]]] = field(default_factory=dict)
    # (cover, the works variables that count towards it): to price a roster by its
    # staffing rather than by the slack variables, which a stopped search may leave loose
    cover_rows: list[tuple[Cover, list[cp_model.IntVar]]] = field(default_factory=list)

    def objective(self):
        """The weighted sum of every named term.

        Returns
        -------
        cp_model.LinearExpr
            The expression CP-SAT minimises.
        """
        return sum(weight * var for term in self.terms.values() for weight, var in term)


def build_model(problem: RosterProblem, *, run_paths: bool = False) -> RosterModel:
    """The CP-SAT model of ``problem``: every hard rule, and the objective from named terms.

    Parameters
    ----------
    problem : RosterProblem
        Agents, days, shift options and rules, as built by the roster's inputs.
    run_paths : bool
        Also state the run rules as paths (:func:`add_run_lengths_as_paths`): a stronger
        lower bound for a larger model. Off by default: measured at 20 deterministic
        seconds on Instance5, bound 932 instead of 740 but roster 1341 instead of 1147.

    Returns
    -------
    RosterModel
        ``cp`` with every hard rule added, the ``works``/``on_day`` variables, and
        the soft-rule penalties by name in ``terms``, whose weighted sum ``cp`` minimises.
    """
    cp = cp_model.CpModel()
    works, on_day = add_assignment(cp, problem)
    model = RosterModel(problem, cp, works, on_day, {name: [] for name in OBJECTIVE_TERMS})
    add_forbidden_successions(model)
    for e, employee in enumerate(problem.employees):
        contract = employee.contract
        add_max_shifts_per_type(model, e, contract)
        add_total_minutes(model, e, contract)
        add_max_consecutive_shifts(model, e, contract)
        add_min_consecutive(model, e, contract.min_consecutive_shifts, working=True)
        add_min_consecutive(model, e, contract.min_consecutive_days_off, working=False)
        if run_paths:
            add_run_lengths_as_paths(model, e, contract)
        add_max_weekends(model, e, contract)
    add_requests(model)
    add_cover(model)
    cp.Minimize(model.objective())
    return model


def employee_model(problem: RosterProblem, e: int) -> RosterModel:
    """Employee ``e`` alone: the hard rules and the wishes, no cover (priced per solve instead).

    Only cover ties the employees together, so one employee's roster against prices per
    day and shift type is a small exact problem: the first roster's steps and column
    generation's pricing both solve it.

    Parameters
    ----------
    problem : RosterProblem
        The whole problem.
    e : int
        Index of the employee in ``problem.employees``.

    Returns
    -------
    RosterModel
        The model of that one employee (its index 0 in ``works``), objective its wishes.
    """
    employee = problem.employees[e]
    return build_model(dataclasses.replace(problem, employees=[employee], cover=[],
                                           requests=[r for r in problem.requests if r.employee == employee.name]))


def add_assignment(cp: cp_model.CpModel, problem: RosterProblem):
    """At most one shift per employee per day; no variable at all on a fixed day off.

    Parameters
    ----------
    cp : cp_model.CpModel
        The model being built.
    problem : RosterProblem
        The problem.

    Returns
    -------
    works : dict
        ``(employee, day, shift) -> BoolVar``.
    on_day : dict
        ``(employee, day) -> BoolVar`` (worked that day).
    """
    works, on_day = {}, {}
    for e, employee in enumerate(problem.employees):
        for d in range(problem.days):
            day = cp.NewBoolVar(f"on[{employee.name},{d}]")
            on_day[e, d] = day
            if d in employee.days_off:
                cp.Add(day == 0)
                continue
            shifts = []
            for s, shift in enumerate(problem.shifts):
                if employee.contract.max_shifts.get(shift.name, 1) == 0:
                    continue  # the contract allows none of that type: no variable to search
                works[e, d, s] = cp.NewBoolVar(f"works[{employee.name},{d},{shift.name}]")
                shifts.append(works[e, d, s])
            cp.Add(sum(shifts) == day)
    return works, on_day


def add_forbidden_successions(model: RosterModel) -> None:
    """A shift type may not be followed the next day by the types it forbids (e.g. night then early).

    Parameters
    ----------
    model : RosterModel
        The model being built; gets a two-literal clause per forbidden pair of days.
    """
    problem = model.problem
    index = {s.name: i for i, s in enumerate(problem.shifts)}
    for e in range(len(problem.employees)):
        for d in range(problem.days - 1):
            for s, shift in enumerate(problem.shifts):
                if (e, d, s) not in model.works:
                    continue
                for name in shift.cannot_follow:
                    following = model.works.get((e, d + 1, index[name]))
                    if following is not None:
                        model.cp.AddBoolOr([model.works[e, d, s].Not(), following.Not()])


def add_max_shifts_per_type(model: RosterModel, e: int, contract: Contract) -> None:
    """No more shifts of each type than the contract allows.

    Parameters
    ----------
    model : RosterModel
        The model being built; gets one ``<=`` row per limited shift type.
    e : int
        Index of the employee in ``problem.employees``.
    contract : Contract
        Read for ``max_shifts`` (a type without an entry is not limited).
    """
    problem = model.problem
    for s, shift in enumerate(problem.shifts):
        limit = contract.max_shifts.get(shift.name)
        worked = [model.works[e, d, s] for d in range(problem.days) if (e, d, s) in model.works]
        if limit is not None and len(worked) > limit:
            model.cp.Add(sum(worked) <= limit)


def add_total_minutes(model: RosterModel, e: int, contract: Contract) -> None:
    """Worked minutes between the contract's minimum and maximum.

    Parameters
    ----------
    model : RosterModel
        The model being built; gets the two bounds on the employee's weighted shift sum.
    e : int
        Whose minutes (index in ``problem.employees``).
    contract : Contract
        Read for ``min_minutes`` and ``max_minutes`` (``None``: no maximum).
    """
    problem = model.problem
    minutes = sum(
        problem.shifts[s].minutes * var for (emp, _, s), var in model.works.items() if emp == e
    )
    model.cp.Add(minutes >= contract.min_minutes)
    if contract.max_minutes is not None:
        model.cp.Add(minutes <= contract.max_minutes)


def add_max_consecutive_shifts(model: RosterModel, e: int, contract: Contract) -> None:
    """No run of worked days longer than the maximum: every window of max + 1 days has a day off.

    Parameters
    ----------
    model : RosterModel
        The model being built; gets one window row per first day.
    e : int
        The employee whose ``on_day`` literals are windowed.
    contract : Contract
        Read for ``max_consecutive_shifts`` (``None`` or the horizon or more: no row).
    """
    limit = contract.max_consecutive_shifts
    days = model.problem.days
    if limit is None or limit >= days:
        return
    for first in range(days - limit):
        model.cp.Add(sum(model.on_day[e, d] for d in range(first, first + limit + 1)) <= limit)


def add_min_consecutive(model: RosterModel, e: int, minimum: int, *, working: bool) -> None:
    """Runs of worked days (``working``) or of days off reach ``minimum`` days.

    Each too-short run is forbidden as a pattern: for a run of ``length`` < minimum
    days starting on ``first``, the days on both sides differ from the run or one day
    inside it does. With ``edge_runs == "exempt"`` a run cut by the horizon's edge is
    not checked (it may continue outside the horizon).

    Parameters
    ----------
    model : RosterModel
        The model being built.
    e : int
        Employee index.
    minimum : int
        Shortest allowed run.
    working : bool
        Runs of worked days (True) or of days off (False).
    """
    problem = model.problem
    days = problem.days

    def same(d: int):  # literal "day d is like the run" (worked for a working run)
        return model.on_day[e, d] if working else model.on_day[e, d].Not()

    for length in range(1, minimum):
        for first in range(days - length + 1):
            last = first + length - 1
            at_edge = first == 0 or last == days - 1
            if at_edge and problem.edge_runs == "exempt":
                continue
            clause = [same(d).Not() for d in range(first, last + 1)]
            if first > 0:
                clause.append(same(first - 1))
            if last < days - 1:
                clause.append(same(last + 1))
            model.cp.AddBoolOr(clause)


def run_states(contract: Contract, days: int, edge_runs: str) -> list[tuple[str, int]]:
    """The states of a day in the sequence of runs: ``(kind, length so far)``.

    ``"work"``/``"off"``: inside a run of worked days / days off, its length so far
    (days off counted up to the minimum, beyond which they are all alike). ``"first
    work"``/``"first off"``: inside the run that starts on day 0 and is still shorter
    than the minimum, which may end there when runs cut by the horizon are exempt.

    Parameters
    ----------
    contract : Contract
        The employee's contract (run limits).
    days : int
        Horizon length (a run is never longer).
    edge_runs : str
        ``"exempt"`` or ``"enforced"``.

    Returns
    -------
    list of (str, int)
        Every state, worked states first.

    Examples
    --------
    >>> run_states(Contract(max_consecutive_shifts=3, min_consecutive_shifts=2), 7, "exempt")
    [('work', 1), ('work', 2), ('work', 3), ('first work', 1), ('off', 1)]
    """
    longest = min(contract.max_consecutive_shifts or days, days)
    states = [("work", k) for k in range(1, longest + 1)]
    if edge_runs == "exempt":
        states += [("first work", k) for k in range(1, min(contract.min_consecutive_shifts, longest + 1))]
    states += [("off", k) for k in range(1, contract.min_consecutive_days_off + 1)]
    if edge_runs == "exempt":
        states += [("first off", k) for k in range(1, contract.min_consecutive_days_off)]
    return states


def run_successors(state: tuple[str, int], contract: Contract, states: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """The states the next day may be in after ``state`` (see :func:`run_states`).

    Parameters
    ----------
    state : (str, int)
        Today's state.
    contract : Contract
        The employee's contract: a run of worked days ends only once it reaches the
        minimum, one of days off likewise; a worked run never passes the maximum.
    states : list of (str, int)
        Every state (a successor not among them does not exist).

    Returns
    -------
    list of (str, int)
        Tomorrow's possible states.
    """
    kind, length = state
    min_work, min_off = contract.min_consecutive_shifts, contract.min_consecutive_days_off
    if kind in ("work", "first work"):
        # A first run still short of the minimum stays "first"; reaching it, it is an ordinary run.
        longer = ("first work" if kind == "first work" and length + 1 < min_work else "work", length + 1)
        ends = kind == "first work" or length >= min_work
        following = [longer] + ([("off", 1)] if ends else [])
    else:
        longer = ("first off" if kind == "first off" and length + 1 < min_off else "off", min(length + 1, min_off))
        ends = kind == "first off" or length >= min_off
        following = [longer] + ([("work", 1)] if ends else [])
    return [s for s in following if s in states]


def add_run_lengths_as_paths(model: RosterModel, e: int, contract: Contract) -> None:
    """The run rules again, as one path a day through the states of :func:`run_states`.

    The clauses of :func:`add_min_consecutive` and the windows of
    :func:`add_max_consecutive_shifts` say the same thing, but their linear relaxation is
    weak (working half of every day satisfies them all). The path is a network flow, whose
    relaxation holds only mixtures of rosters that keep the run rules: it lifts CP-SAT's
    lower bound towards the optimum, which is what proving it needs.

    Parameters
    ----------
    model : RosterModel
        The model being built; gets the state Booleans of every day and the flow rows.
    e : int
        The employee whose ``on_day`` literals the worked states add up to.
    contract : Contract
        Read for the run limits (maximum worked run, minimum worked run and days off).
    """
    problem, cp = model.problem, model.cp
    days = problem.days
    states = run_states(contract, days, problem.edge_runs)
    start = [s for s in states if s in (("work", 1), ("off", 1), ("first work", 1), ("first off", 1))]
    if problem.edge_runs == "exempt":
        start = [s for s in start if s[0].startswith("first")
                 or (s[0] == "work" and contract.min_consecutive_shifts <= 1)
                 or (s[0] == "off" and contract.min_consecutive_days_off <= 1)]
    at = {}  # (day, state) -> bool
    for d in range(days):
        for state in states:
            at[d, state] = cp.NewBoolVar("")
    cp.AddExactlyOne(at[0, s] for s in states)
    for s in states:
        if s not in start:
            cp.Add(at[0, s] == 0)
    for d in range(days - 1):
        into: dict[tuple[str, int], list] = {s: [] for s in states}
        for s in states:
            arcs = []
            for t in run_successors(s, contract, states):
                arc = cp.NewBoolVar("")
                arcs.append(arc)
                into[t].append(arc)
            cp.Add(sum(arcs) == at[d, s])
        for t in states:
            cp.Add(sum(into[t]) == at[d + 1, t])
    if problem.edge_runs == "enforced":  # the last run too must reach its minimum
        for kind, length in states:
            minimum = contract.min_consecutive_shifts if kind == "work" else contract.min_consecutive_days_off
            if length < minimum:
                cp.Add(at[days - 1, (kind, length)] == 0)
    for d in range(days):
        cp.Add(sum(at[d, s] for s in states if "work" in s[0]) == model.on_day[e, d])


def add_max_weekends(model: RosterModel, e: int, contract: Contract) -> None:
    """A weekend counts as worked when its Saturday or Sunday is worked.

    Parameters
    ----------
    model : RosterModel
        The model being built; gets a Boolean per weekend and the row that counts them.
    e : int
        The employee whose weekends are counted.
    contract : Contract
        Read for ``max_weekends`` (``None`` or at least the weekends in the horizon: no row).
    """
    weekends = model.problem.weekends()
    if contract.max_weekends is None or contract.max_weekends >= len(weekends):
        return
    worked = []
    for days in weekends:
        weekend = model.cp.NewBoolVar("")
        model.cp.AddMaxEquality(weekend, [model.on_day[e, d] for d in days])
        worked.append(weekend)
    model.cp.Add(sum(worked) <= contract.max_weekends)


def add_requests(model: RosterModel) -> None:
    """Wishes: an unmet on-request or a granted off-request costs its weight.

    Parameters
    ----------
    model : RosterModel
        The model being built; its ``unmet_on_requests`` and ``granted_off_requests`` terms grow.
    """
    problem = model.problem
    employee = {emp.name: e for e, emp in enumerate(problem.employees)}
    shift = {s.name: i for i, s in enumerate(problem.shifts)}
    for request in problem.requests:
        var = model.works.get((employee[request.employee], request.day, shift[request.shift]))
        if request.wanted:
            # No variable: the shift cannot be worked (a day off, a zero maximum), the wish is unmet.
            model.terms["unmet_on_requests"].append((request.weight, 1 if var is None else var.Not()))
        elif var is not None:
            model.terms["granted_off_requests"].append((request.weight, var))


def add_cover(model: RosterModel) -> None:
    """People short of and over the requirement of each day and shift type.

    Parameters
    ----------
    model : RosterModel
        The model being built; gets the slack pair and the row of each cover line.
    """
    problem = model.problem
    shift = {s.name: i for i, s in enumerate(problem.shifts)}
    people = len(problem.employees)
    for cover in problem.cover:
        s = shift[cover.shift]
        members = [model.works[e, cover.day, s] for e in range(people) if (e, cover.day, s) in model.works]
        model.cover_rows.append((cover, members))
        staffed = sum(members)
        under = model.cp.NewIntVar(0, cover.required, f"under[{cover.day},{cover.shift}]")
        over = model.cp.NewIntVar(0, people, f"over[{cover.day},{cover.shift}]")
        # Minimising weights >= 0 makes at most one of them positive.
        model.cp.Add(staffed + under - over == cover.required)
        model.terms["cover_under"].append((cover.under_weight, under))
        model.terms["cover_over"].append((cover.over_weight, over))
