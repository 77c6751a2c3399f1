"""Solver events and the app's solves (wfm.progress, wfm.schedule.solve.SolutionObserver,
wfm.ui.solver_watch): the live view's best cost and bound, a watched solve finds the
same plan as an unwatched one, and Stop ends the child process that runs CP-SAT."""

from __future__ import annotations

import pickle
import time
from pathlib import Path

import pandas as pd
import pytest
from plan_fixtures import write_history, write_scenario
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from wfm.plan import STEPS, run_plan
from wfm.progress import ProgressEvent
from wfm.scenario import load_scenario
from wfm.schedule import make_schedule
from wfm.ui import solver_watch

APP = str(Path(__file__).resolve().parent.parent / "app.py")

PART_TIME = """[[shift]]
name = "part"
group = "agents"
length_hours = [4, 6]
start_earliest = "09:00"
start_latest = "13:00"
days_per_week = [2, 4]

[[shift.break]]
kind = "break"
length_minutes = 30
start_after_hours = [1.5, 3]

"""


def _searching(folder: Path, work: float) -> Path:
    """The small plan with a part-time shift and a gap limit of 0: CP-SAT searches until
    the work limit stops it (as in tests/abuse/test_determinism.py)."""
    folder.mkdir(parents=True, exist_ok=True)
    write_history(folder / "history.csv", level=15.0)
    path = write_scenario(folder)
    text = path.read_text().replace("[costs]", PART_TIME + "[costs]").replace(
        "[solver]\ntime_limit_seconds = 5\n", f"[solver]\nwork_limit = {work}\ntime_limit_seconds = 900\ngap_limit = 0\n")
    assert f"work_limit = {work}" in text
    path.write_text(text)
    return path


def _requirement(result):
    req = result.requirements
    return req[["queue", "ds", "scheduled"]].rename(columns={"scheduled": "agents"})


def test_event_shape():
    step = ProgressEvent("sizing", "sizing the intervals", done=1, total=5)
    assert step.fraction == 0.2 and not step.is_solution and str(step) == "sizing the intervals"
    solution = ProgressEvent.solution("search", cost=200.0, bound=150.0, solutions=2, work=0.5, item="week 1")
    assert solution.is_solution and solution.gap == pytest.approx(0.25)
    assert "bound 150.00" in str(solution) and solution.to_dict()["gap"] == pytest.approx(0.25)
    assert ProgressEvent.solution("rounding", cost=10.0, bound=None, solutions=1, work=0.1).gap is None
    assert pickle.loads(pickle.dumps(solution)) == solution  # crosses the process boundary unchanged
    with pytest.raises(AttributeError):
        solution.cost = 1.0  # frozen


def test_observer_reports_the_solves_and_does_not_change_the_plan(tmp_path):
    scenario = load_scenario(_searching(tmp_path, 1.5))
    steps, solutions = [], []
    result = run_plan(scenario, base_dir=tmp_path, progress=steps.append, on_solution=solutions.append)
    assert [e.stage for e in steps] == list(STEPS[:4]) and [e.done for e in steps] == [0, 1, 2, 3]
    assert all(e.total == len(STEPS) for e in steps)
    assert solutions and all(e.is_solution for e in solutions)
    summary = result.schedule.summary
    # every reported bound is a proven one: never above the solution's cost nor the final plan's
    for e in solutions:
        assert e.work >= 0 and e.solutions >= 1
        if e.bound is not None:
            assert e.bound <= e.cost + 1e-6 and e.bound <= summary.cost + 0.01
    # the solver's best reported plan is the one handed back (before the written figures' repair)
    assert min(e.cost for e in solutions) == pytest.approx(summary.solver_cost, abs=0.01)
    # the same requirement solved without an observer: the same plan after the same work
    unwatched = make_schedule(_requirement(result), scenario)
    assert unwatched.schedule.equals(result.schedule.schedule)
    assert unwatched.summary.work_used == summary.work_used and unwatched.summary.cost == summary.cost


def test_an_error_in_the_observer_is_raised_after_the_solve(tmp_path):
    scenario = load_scenario(_searching(tmp_path, 1.0))
    hours = pd.date_range("2024-03-25 09:00", "2024-03-25 16:30", freq="30min")
    requirement = pd.DataFrame({"queue": "support", "ds": hours, "agents": 3.0})

    def broken(event):
        raise ValueError("observer broke")

    with pytest.raises(ValueError, match="observer broke"):
        make_schedule(requirement, scenario, on_solution=broken)


def test_watch_keeps_the_best_of_each_problem():
    watch = solver_watch.Watch()
    watch.see(ProgressEvent("schedule", "scheduling", done=2, total=5), 1.0)
    watch.see(ProgressEvent.solution("rounding", cost=120.0, bound=100.0, solutions=1, work=0.1, item="week 1"))
    watch.see(ProgressEvent.solution("search", cost=110.0, bound=105.0, solutions=1, work=0.2, item="week 1"))
    watch.see(ProgressEvent.solution("search", cost=115.0, bound=None, solutions=2, work=0.3, item="week 1"))
    assert (watch.step, watch.best, watch.bound, watch.solutions, watch.solves) == ("schedule", 110.0, 105.0, 3, 2)
    assert watch.gap == pytest.approx(5 / 110)
    watch.see(ProgressEvent.solution("rounding", cost=300.0, bound=290.0, solutions=1, work=0.1, item="week 2"))
    assert (watch.item, watch.best, watch.bound) == ("week 2", 300.0, 290.0)  # another week: not comparable


def test_the_app_solve_runs_in_a_child_and_gives_the_cli_plan(tmp_path):
    scenario = load_scenario(_searching(tmp_path, 1.5))
    run = solver_watch.start("child", scenario, tmp_path, 600)
    result = run.future.result(timeout=300)
    assert run.done and not run.stopped and run.step == "done"
    assert [s for s, _ in run.watch.steps] == list(STEPS[:4])
    w = run.watch
    assert w.solutions >= 1 and w.best is not None and w.bound is not None and w.bound <= w.best + 0.01
    assert w.best == pytest.approx(result.schedule.summary.solver_cost, abs=0.01)
    here = run_plan(scenario, base_dir=tmp_path)
    assert result.schedule.schedule.equals(here.schedule.schedule)
    assert result.kpis.cost == here.kpis.cost
    # an error in the child comes back as the error itself
    bad = scenario.model_copy(update={"queues": []})
    failed = solver_watch.start("bad", bad, tmp_path, 600)
    with pytest.raises(Exception, match="no \\[\\[queue\\]\\] entries"):
        failed.future.result(timeout=120)


def test_stop_ends_the_solving_process_and_the_next_solve_works(tmp_path):
    scenario = load_scenario(_searching(tmp_path / "long", 5000))  # hours of work if left alone
    run = solver_watch.start("long", scenario, tmp_path / "long", 900)
    deadline = time.monotonic() + 240
    while run.watch.solutions == 0 and time.monotonic() < deadline and not run.done:
        time.sleep(0.2)
    assert run.watch.solutions >= 1, "CP-SAT reported no plan"  # it is in the search when stopped
    process = solver_watch._WORKER.process
    assert process.is_alive()
    assert run.stop(wait=30)
    assert run.stopped and str(run.future.exception()) == "stopped"
    assert not process.is_alive() and process.exitcode != 0  # ended, not left searching
    assert solver_watch._WORKER is None
    quick = load_scenario(_searching(tmp_path / "quick", 1.0))
    again = solver_watch.start("quick", quick, tmp_path / "quick", 600)
    assert again.future.result(timeout=300).kpis.cost > 0


def test_stop_on_the_schedule_page_keeps_the_previous_plan(tmp_path, monkeypatch):
    monkeypatch.setenv("WFM_TIME_LIMIT", "12")
    quick = load_scenario(_searching(tmp_path / "quick", 1.0))
    previous = solver_watch.finished_run("previous", 600, run_plan(quick, base_dir=tmp_path / "quick"))
    at = AppTest.from_file(APP, default_timeout=240)
    at.session_state["lang"] = "en"
    at._page_hash = calc_hash("schedule")  # as tests/test_app.py opens a page
    at.run()  # nothing solved yet: the page shows Solve and Stop
    long = load_scenario(_searching(tmp_path / "long", 5000))
    running = solver_watch.start("long", long, tmp_path / "long", 900)
    at.session_state["plan"] = running  # a solve under way, as after a click on Solve
    at.session_state["previous_plan"] = previous
    at.button(key="stop").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Stopped; the previous plan is kept." in [i.value for i in at.info]
    assert running.stopped
    assert at.session_state["plan"] is previous
    metrics = {m.label: m.value for m in at.metric}
    assert any(ch.isdigit() for ch in metrics["Cost"])  # the previous plan is on screen
