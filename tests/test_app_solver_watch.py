"""The app's live solver view (wfm.ui.solver_watch): best cost and bound while CP-SAT runs."""

from __future__ import annotations

import threading

from ortools.sat.python import cp_model

from wfm.data import parse_timestamps, read_table
from wfm.scenario import load_scenario
from wfm.schedule import make_schedule
from wfm.ui import solver_watch

EXAMPLES = "wfm/resources/examples"


def _week():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / EXAMPLES
    scenario = load_scenario(root / "bank_week_scenario.toml")
    req = read_table(root / "bank_week_requirements.csv")
    req = req.assign(ds=parse_timestamps(req["ds"], "requirements"))
    return req[["queue", "ds", "scheduled"]].rename(columns={"scheduled": "agents"}), scenario


def test_watch_records_the_best_cost_and_bound_of_the_plan():
    requirements, scenario = _week()
    watch = solver_watch.Watch()
    out = {}

    def work():
        with solver_watch.watching(watch):
            out["result"] = make_schedule(requirements, scenario, time_limit=30)

    thread = threading.Thread(target=work)  # the app solves in a worker thread too
    thread.start()
    thread.join(timeout=120)
    assert not thread.is_alive()
    summary = out["result"].summary
    assert watch.solves >= 1 and watch.solutions >= 1
    assert watch.best is not None and watch.bound is not None
    assert watch.bound <= watch.best + 0.01
    # the plan handed back is the best one CP-SAT recorded (costs in the scenario's currency)
    assert abs(summary.cost - watch.best) <= 0.01 * watch.best


def test_unwatched_threads_solve_as_before():
    solver_watch.install()
    model = cp_model.CpModel()
    x = model.new_int_var(0, 10, "x")
    model.add(x >= 3)
    model.minimize(x)
    solver = cp_model.CpSolver()
    assert solver.solve(model) == cp_model.OPTIMAL
    assert solver.value(x) == 3
    assert solver.best_bound_callback is None  # nothing attached outside a watch
