"""Solving the model: the LP relaxation with GLOP (a lower bound and a warm start) and
the integer model with CP-SAT (fixed seed and worker count, a work budget, the best
plan so far returned).

Every phase stops on a *work* budget in CP-SAT's deterministic time units
(``max_deterministic_time``), never on the clock, so the same scenario gives the same
plan on an idle machine and on a loaded one. The wall-clock limit is only a safety cap
for a machine far slower than expected; when it stops a phase the plan may differ on
another machine, and :attr:`Budget.cap_fired` says so.
"""

from __future__ import annotations

import dataclasses
import signal
import threading
import time
from dataclasses import dataclass

import numpy as np
from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from wfm.progress import Observer, ProgressEvent
from wfm.schedule.model import LinearModel

MONEY_SCALE = 100  # CP-SAT needs integer costs: work in hundredths of the currency


@dataclass
class Budget:
    """What a solve may still spend.

    ``work`` is in CP-SAT deterministic seconds: each phase gets a share of the work the
    earlier phases left (as they reported it), so the split and the plan never depend on
    the machine's load. ``deadline`` (a ``time.perf_counter()`` value) is the wall-clock
    safety cap, shared by every phase; ``cap_fired`` records that it stopped one.
    """

    work: float
    cap_seconds: float
    deadline: float
    cap_fired: bool = False

    @classmethod
    def start(cls, work: float, cap_seconds: float) -> Budget:
        """A budget of ``work`` deterministic seconds with a wall-clock cap starting now.

        Parameters
        ----------
        work : float
            CP-SAT deterministic seconds for all phases.
        cap_seconds : float
            Wall-clock safety cap in seconds.

        Returns
        -------
        Budget
            The new budget.
        """
        return cls(float(work), float(cap_seconds), time.perf_counter() + float(cap_seconds))

    def cap_left(self) -> float:
        """Wall-clock seconds left before the safety cap.

        Returns
        -------
        float
            Seconds, never negative.
        """
        return max(0.0, self.deadline - time.perf_counter())

    def spend(self, work: float) -> None:
        """Take the work a phase reported from what is left.

        Parameters
        ----------
        work : float
            Deterministic seconds the phase used.
        """
        self.work = max(0.0, self.work - float(work))

    def note(self) -> str | None:
        """The sentence a planner sees when the safety cap stopped the solver.

        Returns
        -------
        str or None
            The note, or None when the cap did not fire.
        """
        if not self.cap_fired:
            return None
        return (f"the safety time cap of {self.cap_seconds:g} s fired before the work budget was used; "
                "this plan may differ on another machine (raise solver.time_limit_seconds).")


@dataclass
class LpResult:
    objective: float | None  # None when GLOP gave no optimal answer
    values: np.ndarray | None
    seconds: float
    capped: bool = False  # the wall-clock safety cap stopped it (the answer may depend on the machine)


@dataclass
class IntegerResult:
    status: str
    values: np.ndarray | None
    objective: float | None
    best_bound: float
    seconds: float
    work: float = 0.0  # CP-SAT deterministic seconds used


class SolutionObserver(cp_model.CpSolverSolutionCallback):
    """Tells ``on_solution`` each improving plan of one CP-SAT solve, as a :class:`ProgressEvent`.

    It only reads the solver's figures: it never stops the search (stopping this model's
    search early aborts the process inside CP-SAT's postsolve with OR-Tools 9.15) and
    changes no parameter, so a watched solve finds the same plans as an unwatched one.
    ``proven`` says whether the solver's own bound holds for the whole plan: a
    neighbourhood (variables held near the LP) proves a bound of the neighbourhood only,
    so there the LP bound ``lower_bound`` is reported instead. An error raised by
    ``on_solution`` is kept and raised once the solve has returned (raising inside the
    solver's thread would take the process down).
    """

    def __init__(self, on_solution: Observer, stage: str, *, proven: bool, lower_bound: float | None = None,
                 item: str | None = None) -> None:
        super().__init__()
        self.on_solution = on_solution
        self.stage = stage
        self.item = item
        self.proven = proven
        self.lower_bound = lower_bound
        self.solutions = 0
        self.error: BaseException | None = None

    def on_solution_callback(self) -> None:
        """CP-SAT's hook for each improving solution: tell ``on_solution`` its cost, bound and work.

        An error raised by the observer is kept in ``error`` (and re-raised after the solve)
        rather than thrown inside the solver.
        """
        self.solutions += 1
        if self.error is not None:
            return
        try:
            cost = self.ObjectiveValue() / MONEY_SCALE
            bound = self.BestObjectiveBound() / MONEY_SCALE if self.proven else None
            if self.lower_bound is not None:
                bound = self.lower_bound if bound is None else max(bound, self.lower_bound)
            if bound is not None:
                bound = min(bound, cost)  # costs are rounded to hundredths for CP-SAT
            self.on_solution(ProgressEvent.solution(self.stage, cost=cost, bound=bound, solutions=self.solutions,
                                                    work=self.DeterministicTime(), item=self.item))
        except BaseException as exc:  # noqa: BLE001 - re-raised after the solve
            self.error = exc


def _restore_python_sigint() -> None:
    """Give Ctrl-C back to Python after a solve.

    CP-SAT installs its own C-level SIGINT handler (to stop the search) and leaves it in
    place: a later Ctrl-C then killed the process outright, so no ``finally`` ran and the
    plan's temporary folder stayed behind. Re-installing Python's handler makes Ctrl-C a
    ``KeyboardInterrupt`` again, which the writers clean up after.
    """
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.getsignal(signal.SIGINT) or signal.default_int_handler)


def model_matrix(model: LinearModel):
    """Rows of ``model`` as one sparse matrix with lower and upper row bounds.

    Parameters
    ----------
    model : LinearModel
        Its rows, each ``(index, coef, lo, hi)``.

    Returns
    -------
    matrix : scipy.sparse.csr_matrix
        One row per model row.
    lower, upper : ndarray
        Row bounds.
    """
    import scipy.sparse as sp

    lengths = [len(index) for index, _, _, _ in model.rows]
    rows = np.repeat(np.arange(len(model.rows)), lengths)
    cols = np.concatenate([index for index, _, _, _ in model.rows]) if model.rows else np.zeros(0, int)
    vals = np.concatenate([coef for _, coef, _, _ in model.rows]).astype(float) if model.rows else np.zeros(0)
    matrix = sp.csr_matrix((vals, (rows, cols)), shape=(len(model.rows), model.num_vars))
    lower = np.array([lo for _, _, lo, _ in model.rows], dtype=float)
    upper = np.array([hi for _, _, _, hi in model.rows], dtype=float)
    return matrix, lower, upper


def solve_lp(model: LinearModel, time_limit: float = 600.0) -> LpResult:
    """Solve the LP relaxation of ``model`` with HiGHS (interior point and crossover,
    through SciPy; much faster than simplex on these degenerate models), GLOP as a fallback.

    ``time_limit`` is a safety cap only: the LP runs to its answer in normal runs, since
    an LP stopped by the clock gives a bound that depends on the machine's load.

    Parameters
    ----------
    model : LinearModel
        The model whose integrality is dropped; its rows become ``A_ub``/``A_eq``.
    time_limit : float
        Wall-clock safety cap in seconds, shared by HiGHS and the GLOP fallback.

    Returns
    -------
    LpResult
        HiGHS's optimum and values; else GLOP's; ``capped`` when the cap ran out first.
    """
    import scipy.sparse as sp
    from scipy.optimize import linprog

    began = time.perf_counter()
    matrix, lower, upper = model_matrix(model)
    equal = lower == upper
    has_upper = ~equal & (upper < 1e17)
    has_lower = ~equal & (lower > -1e17)
    result = linprog(
        np.asarray(model.cost, dtype=float),
        A_ub=sp.vstack([matrix[has_upper], -matrix[has_lower]]).tocsr(),
        b_ub=np.concatenate([upper[has_upper], -lower[has_lower]]),
        A_eq=matrix[equal],
        b_eq=lower[equal],
        bounds=np.column_stack([np.asarray(model.lower, dtype=float), np.asarray(model.upper, dtype=float)]),
        method="highs-ipm",
        options={"time_limit": float(time_limit)},
    )
    if result.status == 0 and result.x is not None:
        return LpResult(float(result.fun), np.asarray(result.x), time.perf_counter() - began)
    left = time_limit - (time.perf_counter() - began)
    if left <= 0:
        return LpResult(None, None, time.perf_counter() - began, capped=True)
    return solve_lp_glop(model, left)


def solve_lp_glop(model: LinearModel, time_limit: float = 600.0) -> LpResult:
    """Solve the LP relaxation of ``model`` with OR-Tools GLOP.

    Parameters
    ----------
    model : LinearModel
        Its bounds beyond 10^8 are read as infinite.
    time_limit : float
        Wall-clock safety cap in seconds (GLOP takes milliseconds).

    Returns
    -------
    LpResult
        The optimum and the values, or ``None`` for both when GLOP is not optimal.
    """
    began = time.perf_counter()
    solver = pywraplp.Solver.CreateSolver("GLOP")
    solver.SetTimeLimit(int(time_limit * 1000))
    infinity = solver.infinity()
    variables = [
        solver.NumVar(float(lo), float(hi) if hi < 10**8 else infinity, "")
        for lo, hi in zip(model.lower, model.upper, strict=False)
    ]
    for index, coef, lo, hi in model.rows:
        row = solver.Constraint(float(lo) if lo > -(10**8) else -infinity, float(hi) if hi < 10**8 else infinity)
        for i, c in zip(index.tolist(), coef.tolist(), strict=False):
            row.SetCoefficient(variables[i], c)
    objective = solver.Objective()
    for var, c in zip(variables, model.cost, strict=False):
        if c:
            objective.SetCoefficient(var, c)
    objective.SetMinimization()
    status = solver.Solve()
    _restore_python_sigint()
    seconds = time.perf_counter() - began
    if status != pywraplp.Solver.OPTIMAL:
        return LpResult(None, None, seconds, capped=seconds >= 0.99 * time_limit)
    values = np.array([v.solution_value() for v in variables])
    return LpResult(objective.Value(), values, seconds)


def to_cp_model(model: LinearModel) -> cp_model.CpModel:
    """The same rows as a CP-SAT model over integers (costs in hundredths).

    Parameters
    ----------
    model : LinearModel
        Its costs are scaled by ``MONEY_SCALE`` and rounded to integers.

    Returns
    -------
    CpModel
        Integer variables with the model's bounds, rows and objective.
    """
    cp = cp_model.CpModel()
    proto = cp.Proto()
    for lo, hi in zip(model.lower, model.upper, strict=False):
        var = proto.variables.add()
        var.domain.extend([int(lo), int(hi)])
    for index, coef, lo, hi in model.rows:
        row = proto.constraints.add()
        row.linear.vars.extend(index.tolist())
        row.linear.coeffs.extend(coef.tolist())
        row.linear.domain.extend([int(np.floor(lo)) if lo > -(2**62) else -(2**62), int(np.ceil(hi))])
    cost = np.rint(np.asarray(model.cost) * MONEY_SCALE).astype(np.int64)
    used = np.flatnonzero(cost)
    proto.objective.vars.extend(used.tolist())
    proto.objective.coeffs.extend(cost[used].tolist())
    return cp


def solve_integer(
    model: LinearModel,
    *,
    work: float,
    budget: Budget,
    seed: int = 0,
    workers: int = 2,
    hint: np.ndarray | None = None,
    lower_bound: float | None = None,
    gap_limit: float = 1e-4,
    on_solution: Observer | None = None,
    stage: str = "search",
    proven: bool = True,
    item: str | None = None,
) -> IntegerResult:
    """Solve the integer model with CP-SAT; ``hint`` is a (possibly infeasible) starting point.

    CP-SAT stops after ``work`` deterministic seconds (taken from ``budget``), or at the
    budget's wall-clock safety cap, whichever comes first. ``on_solution`` is told each
    improving plan (:class:`SolutionObserver`, labelled ``stage``; ``proven`` when the
    solver's bound holds for the unrestricted model).

    Parameters
    ----------
    model : LinearModel
        The model.
    work : float
        Deterministic seconds for this solve.
    budget : Budget
        The shared budget, charged with the work used.
    seed : int
        CP-SAT random seed.
    workers : int
        CP-SAT worker threads.
    hint : ndarray, optional
        Starting values.
    lower_bound : float, optional
        The LP bound, for the gap stopping rule.
    gap_limit : float
        Stop once within this relative gap of ``lower_bound``.
    on_solution : callable, optional
        Told each improving plan.
    stage : str
        The phase's name in the events.
    proven : bool
        Whether the solver's bound holds for the unrestricted model.
    item : str, optional
        What the plan is of (e.g. ``week 2``), in the events' ``item``.

    Returns
    -------
    IntegerResult
        Values, objective, status and work used (values None when no plan was found).
    """
    began = time.perf_counter()
    cp = to_cp_model(model)
    if hint is not None:
        proto = cp.Proto()
        proto.solution_hint.vars.extend(range(model.num_vars))
        proto.solution_hint.values.extend(np.asarray(hint, dtype=np.int64).tolist())
    if lower_bound is not None:
        # A proven bound (the LP) lets CP-SAT stop as soon as the plan is close enough.
        proto = cp.Proto()
        proto.objective.domain.extend([int(np.floor(lower_bound * MONEY_SCALE * (1 - 1e-6))) - 1, 2**60])
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.num_workers = workers
    params.random_seed = seed
    # Interleaved search is deterministic whatever the timing of the threads: the same
    # scenario and seed give the same plan (parallel portfolio search does not).
    params.interleave_search = workers > 1
    params.relative_gap_limit = gap_limit
    observer = None
    if on_solution is not None:
        observer = SolutionObserver(on_solution, stage, proven=proven, lower_bound=lower_bound, item=item)
    status, used = _run(solver, cp, work, budget, observer)
    seconds = time.perf_counter() - began
    name = solver.StatusName(status)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        values = np.array(list(solver.ResponseProto().solution), dtype=np.int64)
        objective = float(np.dot(values, np.asarray(model.cost)))
        return IntegerResult(name, values, objective, solver.BestObjectiveBound() / MONEY_SCALE, seconds, used)
    return IntegerResult(name, None, None, solver.BestObjectiveBound() / MONEY_SCALE, seconds, used)


def _run(solver: cp_model.CpSolver, cp: cp_model.CpModel, work: float, budget: Budget,
         observer: SolutionObserver | None = None):
    """Solve with a deterministic work limit and the safety cap; charge the work to ``budget``."""
    params = solver.parameters
    params.max_deterministic_time = max(0.0, float(work))
    # The clock is only the safety cap: in normal runs the work limit stops CP-SAT first.
    params.max_time_in_seconds = max(0.01, budget.cap_left())
    status = solver.Solve(cp, observer)
    _restore_python_sigint()  # CP-SAT leaves its own Ctrl-C handler, which kills the process outright
    used = float(solver.ResponseProto().deterministic_time)
    budget.spend(used)
    if status not in (cp_model.OPTIMAL, cp_model.INFEASIBLE) and used < 0.99 * work and budget.cap_left() <= 0:
        budget.cap_fired = True
    if observer is not None and observer.error is not None:
        raise observer.error
    return status, used


def _floor_and_ceiling(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Integer floor and ceiling of LP values; a value within 1e-6 of a whole number is that number."""
    low = np.floor(values + 1e-6).astype(int)
    return low, np.maximum(low, np.ceil(values - 1e-6).astype(int))


def round_tours(model: LinearModel, lp_values: np.ndarray, work: float, budget: Budget, seed: int, workers: int):
    """Integer tours whose daily totals stay as close as possible to the LP's.

    A small CP-SAT model over the tour variables only (each between the floor and the
    ceiling of its LP value); the mismatch of every day-and-band total is minimised.
    Returns the tour variable indices and their values, or ``None``.

    Parameters
    ----------
    model : LinearModel
        Its ``tour_link`` rows say which tours make each day-and-band total.
    lp_values : ndarray
        The LP relaxation's values.
    work : float
        Deterministic seconds for the rounding (at least 0.5).
    budget : Budget
        The plan's shared budget, charged with the work used.
    seed, workers : int
        CP-SAT's random seed and worker threads (interleaved when more than one).

    Returns
    -------
    tuple of ndarray or None
        ``(tour variables, their integer values)``, None when no rounding was found.
    """
    links = [(index, coef) for (index, coef, _, _), kind in zip(model.rows, model.row_kind, strict=False) if kind == "tour_link"]
    tours = np.unique(np.concatenate([index[coef < 0] for index, coef in links])) if links else np.zeros(0, int)
    if not len(tours):
        return None
    position = {int(v): i for i, v in enumerate(tours)}
    cp = cp_model.CpModel()
    low, high = _floor_and_ceiling(lp_values[tours])
    chosen = [cp.NewIntVar(int(lo), int(hi), "") for lo, hi in zip(low, high, strict=False)]
    misfit = []
    for index, coef in links:
        members = [chosen[position[int(v)]] for v in index[coef < 0]]
        if not members:
            continue
        target = int(round(1000 * float(lp_values[index[coef < 0]].sum())))
        gap = cp.NewIntVar(0, 10**9, "")
        cp.Add(1000 * sum(members) - target <= gap)
        cp.Add(target - 1000 * sum(members) <= gap)
        misfit.append(gap)
    cp.Minimize(sum(misfit))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    solver.parameters.interleave_search = workers > 1  # deterministic, see solve_integer
    status, _ = _run(solver, cp, max(0.5, work), budget)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return tours, np.array([solver.Value(v) for v in chosen], dtype=np.int64)


def restrict_around_tours(model: LinearModel, lp_values: np.ndarray, tours: np.ndarray, values: np.ndarray) -> LinearModel:
    """Tours fixed; each day's starts held near the LP where that stays consistent.

    Parameters
    ----------
    model : LinearModel
        The model to copy; its ``tour_link`` rows tie starts to tours.
    lp_values : ndarray
        The LP relaxation's values, whose floor and ceiling bound each start.
    tours : ndarray of int
        Tour variable indices.
    values : ndarray of int
        Their fixed values.

    Returns
    -------
    LinearModel
        A copy with narrowed variable bounds.
    """
    lower, upper = list(model.lower), list(model.upper)
    fixed = dict(zip(tours.tolist(), values.tolist(), strict=False))
    for v, n in fixed.items():
        lower[v] = upper[v] = int(n)
    for (index, coef, _, _), kind in zip(model.rows, model.row_kind, strict=False):
        if kind != "tour_link":
            continue
        starts = index[coef > 0]
        need = sum(fixed.get(int(v), 0) for v in index[coef < 0])
        low, high = _floor_and_ceiling(lp_values[starts])
        if low.sum() <= need <= high.sum():
            for v, lo, hi in zip(starts.tolist(), low.tolist(), high.tolist(), strict=False):
                lower[v], upper[v] = lo, hi
    return dataclasses.replace(model, lower=lower, upper=upper)


@dataclass
class PlanSolve:
    values: np.ndarray | None
    objective: float | None
    lp_bound: float | None
    cpsat_bound: float | None
    status: str
    seconds: float
    phases: dict


def restrict_to_rounding(
    model: LinearModel, variables: np.ndarray, lp_values: np.ndarray, widen: int = 0
) -> LinearModel:
    """The model with ``variables`` limited to the floor and ceiling of their LP values (RENS),
    widened by ``widen`` on each side.

    Parameters
    ----------
    model : LinearModel
        The model to copy; only ``variables``' bounds change.
    variables : ndarray of int
        Variables to restrict.
    lp_values : ndarray
        The LP relaxation's values.
    widen : int
        Extra room on each side.

    Returns
    -------
    LinearModel
        A copy with narrowed variable bounds.
    """
    lower, upper = list(model.lower), list(model.upper)
    low, high = _floor_and_ceiling(lp_values[variables])
    for v, lo, hi in zip(variables.tolist(), low.tolist(), high.tolist(), strict=True):
        lower[v] = max(0, lo - widen)
        upper[v] = hi + widen
    return dataclasses.replace(model, lower=lower, upper=upper)


def solve_plan(
    model: LinearModel,
    neighbourhoods: list[np.ndarray],
    *,
    work_limit: float,
    time_limit: float,
    seed: int = 0,
    workers: int = 2,
    gap_limit: float = 0.001,
    lp: LpResult | None = None,
    hint_first: bool = False,
    budget: Budget | None = None,
    on_solution: Observer | None = None,
    label: str = "",
) -> PlanSolve:
    """LP bound, then an LP-guided first plan, then CP-SAT on the full model.

    1. HiGHS solves the LP relaxation: the lower bound.
    2. CP-SAT solves the model with the variables of a neighbourhood (the starts and
       breaks; the tours follow from them) held between the floor and the ceiling of
       their LP values (relaxation-enforced neighbourhood search): a small problem
       that gives a near-optimal plan in seconds. If rounding admits no plan, the next
       neighbourhood is tried, then a wider one.
    3. CP-SAT then searches the full model from that plan (as a hint) for the rest of
       the work, stopping early once within ``gap_limit`` of the LP bound.

    ``work_limit`` is the CP-SAT work (deterministic seconds) of all phases together;
    ``time_limit`` the wall-clock safety cap. ``budget`` (shared by the weeks of a longer
    horizon) replaces both when given; this solve then spends at most ``work_limit`` of it.
    ``on_solution`` is told each improving plan of every phase, the phase named in the
    event's ``stage`` and ``label`` (e.g. ``week 2``) in its ``item``.

    Parameters
    ----------
    model : LinearModel
        The model.
    neighbourhoods : list of ndarray
        Variable sets to hold near the LP in step 2, tried in order.
    work_limit : float
        Deterministic seconds of all phases.
    time_limit : float
        Wall-clock safety cap in seconds.
    seed : int
        CP-SAT random seed.
    workers : int
        CP-SAT worker threads.
    gap_limit : float
        Stop once within this relative gap of the LP bound.
    lp : LpResult, optional
        An LP already solved (the whole-horizon bound of a longer horizon).
    hint_first : bool
        Skip the first rounding solve and start from the rounded LP point.
    budget : Budget, optional
        A shared budget.
    on_solution : callable, optional
        Told each improving plan of every phase.
    label : str, optional
        What the plans are of (e.g. ``week 2``), in the events' ``item``.

    Returns
    -------
    PlanSolve
        The best plan, its objective, the LP and CP-SAT bounds, status, seconds and
        the phases' timings and work.
    """
    began = time.perf_counter()
    if budget is None:
        budget = Budget.start(work_limit, time_limit)
    left = given = min(float(work_limit), budget.work)
    phases: dict = {}
    if lp is None:
        lp = solve_lp(model, time_limit=budget.cap_left())
        budget.cap_fired |= lp.capped
    phases["lp_seconds"] = round(lp.seconds, 2)

    def solve(restricted, share, phase, **kwargs):
        nonlocal left
        # Only the unrestricted model's own bound is a bound of the plan.
        result = solve_integer(restricted, work=share, budget=budget, seed=seed, workers=workers,
                               gap_limit=gap_limit, on_solution=on_solution, stage=phase, item=label or None,
                               proven=restricted is model, **kwargs)
        left = max(0.0, left - result.work)
        return result

    best: IntegerResult | None = None
    attempts = [(n, 0) for n in neighbourhoods if len(n)] + [(n, 1) for n in neighbourhoods[:1] if len(n)]
    if lp.values is not None and attempts:
        # Try the neighbourhoods in turn (then a wider one) until rounding admits an integer plan.
        for structural, widen in attempts:
            if left < 1.0:
                break
            restricted = restrict_to_rounding(model, structural, lp.values, widen)
            rens = solve(
                restricted, max(1.0, min(left * 0.3, 15.0)), "rounding", lower_bound=lp.objective,
            ) if not hint_first else IntegerResult("UNKNOWN", None, None, 0.0, 0.0)
            if rens.status not in ("OPTIMAL", "INFEASIBLE"):
                # Not closed quickly: start again from the rounded LP point (near-feasible for
                # CP-SAT's repair), which avoids the occasional poor first plan, and keep the better.
                hint = np.clip(np.floor(lp.values + 0.5), restricted.lower, restricted.upper)
                again = solve(restricted, max(1.0, min(left * 0.5, 30.0)), "rounding", hint=hint,
                              lower_bound=lp.objective)
                if again.values is not None and (rens.values is None or again.objective < rens.objective):
                    rens = dataclasses.replace(again, seconds=rens.seconds + again.seconds, work=rens.work + again.work)
            phases["rounding_seconds"] = round(phases.get("rounding_seconds", 0) + rens.seconds, 2)
            phases["rounding_status"] = f"{rens.status} ({len(structural)} variables, widened by {widen})"
            if rens.values is not None:
                best = rens
                break
            if rens.status != "INFEASIBLE":
                break
    if best is None and lp.values is not None:
        # Rounding the starts clashed with the days-off patterns: round the tours first.
        before = budget.work
        rounded = round_tours(model, lp.values, min(10.0, left / 4), budget, seed, workers)
        left = max(0.0, left - (before - budget.work))
        if rounded is not None:
            rens = solve(restrict_around_tours(model, lp.values, *rounded), max(1.0, min(left / 2, 30.0)),
                         "tour rounding")
            phases["tour_rounding_seconds"] = round(rens.seconds, 2)
            phases["tour_rounding_status"] = rens.status
            if rens.values is not None:
                best = rens
    done = best is not None and lp.objective is not None and best.objective <= lp.objective * (1 + gap_limit)
    cpsat_bound = None
    if not done and left > 1.0 and budget.cap_left() > 0:
        full = solve(model, left, "search", hint=None if best is None else best.values, lower_bound=lp.objective)
        phases["search_seconds"] = round(full.seconds, 2)
        phases["search_status"] = full.status
        cpsat_bound = full.best_bound
        if full.values is not None and (best is None or full.objective < best.objective):
            best = full
    phases["work_used"] = round(given - left, 3)  # deterministic: the same on every machine
    seconds = time.perf_counter() - began
    if best is None:
        return PlanSolve(None, None, lp.objective, cpsat_bound, "NO_PLAN_FOUND", seconds, phases)
    proven = lp.objective is not None and best.objective <= lp.objective + 1e-6
    status = "OPTIMAL" if proven or (cpsat_bound is not None and best.objective <= cpsat_bound + 1e-6) else "FEASIBLE"
    return PlanSolve(best.values, best.objective, lp.objective, cpsat_bound, status, seconds, phases)
