"""A live view of CP-SAT inside a plan run: the best cost found so far and the bound.

The scheduler (:mod:`wfm.schedule.solve`) calls ``CpSolver.Solve`` without a callback.
While the app runs a plan, :func:`watching` registers a :class:`Watch` for the thread
that runs it; in that thread only, ``Solve`` attaches a solution callback that records
each improving plan's cost and a bound callback that records the solver's bound. Other
threads and processes (the CLI, batch runs, tests) are untouched.

There is deliberately no stop here: stopping this model's search early (``StopSearch``
from the solution callback or ``stop_search()`` from another thread) aborts the whole
process inside CP-SAT's postsolve with OR-Tools 9.15 ("Check failed: solution->size() ==
postsolve_mapping.size()"), which would take the Streamlit server down. A safe stop
needs the scheduler to end its search between phases (see the app's report).
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import dataclass

from ortools.sat.python import cp_model

from wfm.schedule.solve import MONEY_SCALE

_WATCHES: dict[int, Watch] = {}
_ORIGINAL_SOLVE = cp_model.CpSolver.solve
_ORIGINAL_SOLVE_CAMEL = cp_model.CpSolver.Solve


@dataclass
class Watch:
    """What the page shows while CP-SAT runs (costs in the scenario's currency)."""

    best: float | None = None
    bound: float | None = None
    solutions: int = 0
    solves: int = 0


class _Recorder(cp_model.CpSolverSolutionCallback):
    def __init__(self, watch: Watch) -> None:
        super().__init__()
        self.watch = watch

    def on_solution_callback(self) -> None:
        w = self.watch
        cost = self.ObjectiveValue() / MONEY_SCALE
        w.best = cost if w.best is None else min(w.best, cost)
        w.solutions += 1


def _watched(original):
    def solve(self, model, solution_callback=None):
        watch = _WATCHES.get(threading.get_ident())
        if watch is None:
            return original(self, model, solution_callback)
        watch.solves += 1
        if self.best_bound_callback is None:
            def bound(value, w=watch):
                w.bound = value / MONEY_SCALE
            self.best_bound_callback = bound
        return _ORIGINAL_SOLVE(self, model, solution_callback or _Recorder(watch))

    solve.__doc__ = original.__doc__
    return solve


def install() -> None:
    """Wrap ``CpSolver.Solve``/``solve`` once; unwatched threads call the originals."""
    if getattr(cp_model.CpSolver.solve, "_wfm_watched", False):
        return
    for name, original in (("solve", _ORIGINAL_SOLVE), ("Solve", _ORIGINAL_SOLVE_CAMEL)):
        wrapped = _watched(original)
        wrapped._wfm_watched = True
        setattr(cp_model.CpSolver, name, wrapped)


@contextmanager
def watching(watch: Watch):
    """Record CP-SAT solves made by the current thread into ``watch``."""
    install()
    ident = threading.get_ident()
    _WATCHES[ident] = watch
    try:
        yield watch
    finally:
        _WATCHES.pop(ident, None)
