"""Solving the model: the LP relaxation with GLOP (a lower bound and a warm start) and
the integer model with CP-SAT (fixed seed and worker count, a time limit, the best
plan so far returned)."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from wfm.schedule.model import LinearModel

MONEY_SCALE = 100  # CP-SAT needs integer costs: work in hundredths of the currency


@dataclass
class LpResult:
    objective: float | None  # None when GLOP gave no optimal answer
    values: np.ndarray | None
    seconds: float


@dataclass
class IntegerResult:
    status: str
    values: np.ndarray | None
    objective: float | None
    best_bound: float
    seconds: float


def solve_lp(model: LinearModel, time_limit: float = 60.0) -> LpResult:
    """Solve the LP relaxation of ``model`` with GLOP."""
    began = time.perf_counter()
    solver = pywraplp.Solver.CreateSolver("GLOP")
    solver.SetTimeLimit(int(time_limit * 1000))
    infinity = solver.infinity()
    variables = [
        solver.NumVar(float(lo), float(hi) if hi < 10**8 else infinity, "")
        for lo, hi in zip(model.lower, model.upper)
    ]
    for index, coef, lo, hi in model.rows:
        row = solver.Constraint(float(lo) if lo > -(10**8) else -infinity, float(hi) if hi < 10**8 else infinity)
        for i, c in zip(index.tolist(), coef.tolist()):
            row.SetCoefficient(variables[i], c)
    objective = solver.Objective()
    for var, c in zip(variables, model.cost):
        if c:
            objective.SetCoefficient(var, c)
    objective.SetMinimization()
    status = solver.Solve()
    seconds = time.perf_counter() - began
    if status != pywraplp.Solver.OPTIMAL:
        return LpResult(None, None, seconds)
    values = np.array([v.solution_value() for v in variables])
    return LpResult(objective.Value(), values, seconds)


def to_cp_model(model: LinearModel) -> cp_model.CpModel:
    """The same rows as a CP-SAT model over integers (costs in hundredths)."""
    cp = cp_model.CpModel()
    proto = cp.Proto()
    for lo, hi in zip(model.lower, model.upper):
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
    time_limit: float,
    seed: int = 0,
    workers: int = 2,
    hint: np.ndarray | None = None,
) -> IntegerResult:
    """Solve the integer model with CP-SAT; ``hint`` is a (possibly infeasible) starting point."""
    began = time.perf_counter()
    cp = to_cp_model(model)
    if hint is not None:
        proto = cp.Proto()
        proto.solution_hint.vars.extend(range(model.num_vars))
        proto.solution_hint.values.extend(np.asarray(hint, dtype=np.int64).tolist())
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.num_workers = workers
    params.random_seed = seed
    params.max_time_in_seconds = max(0.1, time_limit - (time.perf_counter() - began))
    params.relative_gap_limit = 1e-4
    status = solver.Solve(cp)
    seconds = time.perf_counter() - began
    name = solver.StatusName(status)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        values = np.array(list(solver.ResponseProto().solution), dtype=np.int64)
        objective = float(np.dot(values, np.asarray(model.cost)))
        return IntegerResult(name, values, objective, solver.BestObjectiveBound() / MONEY_SCALE, seconds)
    return IntegerResult(name, None, None, solver.BestObjectiveBound() / MONEY_SCALE, seconds)
