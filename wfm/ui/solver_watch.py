"""A live view of CP-SAT inside a plan run: best cost so far, the bound, and a real stop.

The scheduler (:mod:`wfm.schedule.solve`) calls ``CpSolver.Solve`` without a callback.
While the app runs a plan, :func:`watching` registers a :class:`Watch` for the thread
that runs it; in that thread only, ``Solve`` attaches a solution callback that records
each improving plan's cost and the solver's bound, and registers the solver so
:func:`stop` can call ``stop_search()``. CP-SAT then returns its best plan so far, and
the scheduler carries on with it exactly as when the time limit is reached. Other
threads and processes (the CLI, batch runs, tests) are untouched.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from wfm.schedule.solve import MONEY_SCALE

_WATCHES: dict[int, "Watch"] = {}
_ORIGINAL_SOLVE = cp_model.CpSolver.solve
_ORIGINAL_SOLVE_CAMEL = cp_model.CpSolver.Solve
# After a stop, a solve that starts later gets this many seconds to return its first plan.
STOPPED_SECONDS = 1.0


@dataclass
class Watch:
    """What the page shows while CP-SAT runs (costs in the scenario's currency)."""

    best: float | None = None
    bound: float | None = None
    solutions: int = 0
    solves: int = 0
    stop_requested: threading.Event = field(default_factory=threading.Event)
    solvers: set = field(default_factory=set)


class _Recorder(cp_model.CpSolverSolutionCallback):
    def __init__(self, watch: Watch) -> None:
        super().__init__()
        self.watch = watch

    def on_solution_callback(self) -> None:
        w = self.watch
        cost = self.ObjectiveValue() / MONEY_SCALE
        w.best = cost if w.best is None else min(w.best, cost)
        w.solutions += 1
        if w.stop_requested.is_set():
            self.StopSearch()


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
        if watch.stop_requested.is_set():
            self.parameters.max_time_in_seconds = min(self.parameters.max_time_in_seconds, STOPPED_SECONDS)
        watch.solvers.add(self)
        try:
            return _ORIGINAL_SOLVE(self, model, solution_callback or _Recorder(watch))
        finally:
            watch.solvers.discard(self)

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


def stop(watch: Watch) -> None:
    """Ask the running (and any later) CP-SAT solve of ``watch`` to return its best plan now."""
    watch.stop_requested.set()
    for solver in list(watch.solvers):
        solver.stop_search()
