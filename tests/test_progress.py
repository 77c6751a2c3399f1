"""One progress event shape (wfm.progress.ProgressEvent) from the quote and the batch runner,
and the lines the CLI prints from it."""

from __future__ import annotations

import tomli_w
from factories import quote_scenario, write_scenario
from typer.testing import CliRunner

from wfm import batch
from wfm.cli import app
from wfm.progress import ProgressEvent, about
from wfm.quote import build_quote
from wfm.quote.api import SENSITIVITY_CASES
from wfm.scenario import validate_scenario

runner = CliRunner()


def test_quote_tells_each_week_and_each_solution():
    steps, solutions = [], []
    result = build_quote(validate_scenario(quote_scenario(changes={"quote.sensitivity": True})), progress=steps.append,
                         on_solution=solutions.append)
    total = 1 + len(SENSITIVITY_CASES)  # the month, then each sensitivity case re-solves its week
    assert [e.done for e in steps] == list(range(1, total + 1)) and {e.total for e in steps} == {total}
    assert steps[-1].fraction == 1.0 and {e.stage for e in steps} == {"quote"} and {e.item for e in steps} == {"2026-06"}
    assert steps[0].status == "scheduled" and "week scheduled" in str(steps[0])
    assert steps[1].status == "reused"  # the "base" case is the month as quoted
    assert sum(e.status == "scheduled" for e in steps) == result.data["representative_weeks_solved"]
    assert solutions and all(e.is_solution and e.item == "2026-06" for e in solutions)


def test_batch_tells_each_scenario(tmp_path):
    path = write_scenario(tmp_path / "in", "one")
    events: list[ProgressEvent] = []
    batch.run_batch([path], tmp_path / "out", workers=1, progress=events.append)
    batch.run_batch([path], tmp_path / "out", workers=1, progress=events.append)
    assert [(e.stage, e.item, e.status, e.done, e.total) for e in events] == [
        ("batch", "one", "ok", 1, 1), ("batch", "one", "skipped", 1, 1)]
    assert str(events[0]) == "one: ok"


def test_about_names_the_problem_of_solver_events():
    seen: list[ProgressEvent] = []
    tell = about(seen.append, "round 1")
    tell(ProgressEvent.solution("search", cost=5.0, bound=4.0, solutions=1, work=0.1))
    tell(ProgressEvent.solution("search", cost=5.0, bound=4.0, solutions=1, work=0.1, item="week 2"))
    assert [e.item for e in seen] == ["round 1", "round 1, week 2"]
    assert about(None, "x") is None


def test_cli_quote_prints_one_line_per_week(tmp_path):
    scenario = tmp_path / "tiny.toml"
    scenario.write_text(tomli_w.dumps(quote_scenario()))
    res = runner.invoke(app, ["quote", str(scenario), "--out", str(tmp_path / "q")])
    assert res.exit_code == 0, res.output
    assert "2026-06: week scheduled" in res.output and "ProgressEvent(" not in res.output
