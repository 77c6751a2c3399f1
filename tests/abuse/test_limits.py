"""Issue #13, items 10 and 12: hangs, blow-ups and leftovers.

Every hang case runs the real CLI in a subprocess with a timeout: before the limits of
:mod:`wfm.limits` these never returned (Erlang A on 1e12 calls), ate 23 GB (a simulated
interval of 1e9 calls) or 11 GB (50,000 groups). Leftover cases kill real runs.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import psutil
import pytest
from factories import DROP, write_scenario
from openpyxl import load_workbook

from wfm import erlang, export, limits, report, resources

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = resources.examples_folder()


def run_cli(*args: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "wfm.cli", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)


def assert_one_sentence(result: subprocess.CompletedProcess, *fragments: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def listing(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def volumes_csv(path: Path, first: float, aht: float = 300, start: str = "2024-03-04 09:00") -> Path:
    ds = pd.date_range(start, periods=4, freq="15min")
    pd.DataFrame({"ds": ds, "y": [first, 10, 10, 10], "aht": [aht, 300, 300, 300]}).to_csv(path, index=False)
    return path


# --- item 10: hangs and blow-ups ------------------------------------------------------


@pytest.mark.parametrize("calls, aht, fragment", [
    (1e12, 300, "column 'y' has 1,000,000,000,000 calls in one interval, above the limit of 100,000"),
    (10, 1e9, "column 'aht' is 1e+09 seconds, above the limit of 14,400 seconds"),
    (90_000, 300, "offers 30,000 Erlangs"),
])
def test_size_refuses_loads_erlang_a_cannot_finish(tmp_path, calls, aht, fragment):
    source = volumes_csv(tmp_path / "volumes.csv", calls, aht)
    before = listing(tmp_path)
    result = run_cli("size", str(source), "--model", "erlang-a", "--patience", "120", "-o", "sized.csv", cwd=tmp_path)
    assert_one_sentence(result, "row 1", fragment)
    assert listing(tmp_path) == before


def test_size_refuses_a_patience_above_the_limit(tmp_path):
    source = volumes_csv(tmp_path / "volumes.csv", 100)
    result = run_cli("size", str(source), "--model", "erlang-a", "--patience", "1e9", cwd=tmp_path)
    assert_one_sentence(result, "patience", "above the limit of 14,400 seconds")


def test_erlang_a_at_the_largest_allowed_load_is_bounded_and_consistent():
    load = np.array([limits.MAX_OFFERED_LOAD, 500.0])
    aht = np.array([300.0, 300.0])
    target = erlang.ServiceTarget(model="erlang-a", patience=120)
    need_a = erlang.required_agents(load, aht, target)
    need_c = erlang.required_agents(load, aht, erlang.ServiceTarget())
    # Callers who hang up relieve the queue: Erlang A never needs more than Erlang C, and
    # at 80/20 with two-minute patience it still needs most of the load.
    assert np.all(need_a <= need_c)
    assert np.all(need_a >= 0.8 * load)
    res = erlang.erlang_a(need_a, load, aht, 120, 20)
    assert np.all(res.service_level >= 0.8 - 1e-9)
    fewer = erlang.erlang_a(need_a - 1, load, aht, 120, 20)
    assert np.all(fewer.service_level < 0.8)
    with pytest.raises(erlang.InputError, match="above the limit"):
        erlang.required_agents(np.array([limits.MAX_OFFERED_LOAD * 1.01]), np.array([300.0]), target)


def _volumes_scenario(tmp_path: Path, first: float) -> Path:
    path = write_scenario(tmp_path / "s", changes={"queue.0.history": DROP, "queue.0.volumes": "volumes.csv"})
    # The horizon week of the fixture scenario, at its 30-minute grid.
    ds = pd.date_range("2024-03-25 09:00", periods=16, freq="30min")
    pd.DataFrame({"ds": ds, "y": [first] + [20] * 15}).to_csv(path.parent / "volumes.csv", index=False)
    return path


def test_plan_refuses_1e12_calls_before_the_solver(tmp_path):
    scenario = _volumes_scenario(tmp_path, 1e12)
    before = listing(tmp_path)
    result = run_cli("plan", str(scenario), "-o", "out", cwd=tmp_path)
    assert_one_sentence(result, "queue[0] volumes: row 1, column 'y'", "above the limit of 100,000")
    assert listing(tmp_path) == before


def test_quote_refuses_1e12_calls(tmp_path):
    text = (EXAMPLES / "quote_bank.toml").read_text()
    text = text.replace("monthly_volumes = [52000, 50000", "monthly_volumes = [1e12, 50000", 1)
    (tmp_path / "q.toml").write_text(text)
    before = listing(tmp_path)
    result = run_cli("quote", "q.toml", "-o", "quote", cwd=tmp_path)
    assert_one_sentence(result, "quote voice (2026-04)", "above the limit of 100,000")
    assert listing(tmp_path) == before


@pytest.mark.parametrize("first, fragment", [
    (1e9, "row 1, column 'y' has 1,000,000,000 calls in one interval, above the limit of 100,000"),
    (60_000, "calls in total is above the limit of 5,000,000 simulated calls"),
])
def test_simulate_refuses_calls_that_would_not_fit_in_memory(tmp_path, first, fragment):
    ds = pd.date_range("2024-03-04 00:00", periods=96, freq="15min")
    volumes = pd.DataFrame({"ds": ds, "y": first, "aht": 300.0})
    volumes.to_csv(tmp_path / "volumes.csv", index=False)
    pd.DataFrame({"ds": ds, "agents": 10}).to_csv(tmp_path / "staffing.csv", index=False)
    before = listing(tmp_path)
    result = run_cli("simulate", "--staffing", "staffing.csv", "--volumes", "volumes.csv", "-o", "kpis.csv",
                     "--replications", "1", cwd=tmp_path)
    assert_one_sentence(result, fragment)
    assert listing(tmp_path) == before


def test_simulate_refuses_a_staffing_above_the_agents_limit(tmp_path):
    volumes_csv(tmp_path / "volumes.csv", 10)
    ds = pd.date_range("2024-03-04 09:00", periods=4, freq="15min")
    pd.DataFrame({"ds": ds, "agents": [10, 10**9, 10, 10]}).to_csv(tmp_path / "staffing.csv", index=False)
    result = run_cli("simulate", "--staffing", "staffing.csv", "--volumes", "volumes.csv", cwd=tmp_path)
    assert_one_sentence(result, "staffing: row 2, column 'agents'", "above the limit of 20,000 per interval")


def _scenario_with(tmp_path: Path, extra: str = "", changes: dict | None = None) -> Path:
    """The fixture scenario with ``extra`` TOML text appended: sections by the thousand, as a
    hostile file would carry them (written as text, the models would refuse to build them)."""
    path = write_scenario(tmp_path / "s", changes=changes)
    path.write_text(path.read_text() + extra)
    return path


def test_fifty_thousand_groups_are_one_sentence_at_once(tmp_path):
    groups = "".join(f'\n[[group]]\nname = "g{i}"\n' for i in range(50_000))
    scenario = _scenario_with(tmp_path, groups)
    result = run_cli("plan", str(scenario), "-o", "out", cwd=tmp_path)
    assert_one_sentence(result, "group: 50,001 entries is above the limit of 100 agent groups per scenario")
    assert not (tmp_path / "out").exists()


def test_too_many_shift_rules_are_one_sentence(tmp_path):
    shifts = "".join(
        f'\n[[shift]]\nname = "x{i}"\ngroup = "agents"\nlength_hours = 4\nstart_earliest = "09:00"\n'
        f'start_latest = "12:00"\n' for i in range(limits.MAX_SHIFTS))
    scenario = _scenario_with(tmp_path, shifts)
    result = run_cli("plan", str(scenario), "-o", "out", cwd=tmp_path)
    assert_one_sentence(result, f"shift: {limits.MAX_SHIFTS + 1} entries is above the limit of 200 shift rules")


def test_campaign_records_1e12_is_one_sentence(tmp_path):
    campaign = ('\n[[campaign]]\nname = "c"\nrecords = 1e12\ncontact_rate = 0.3\naht_contact = 200\n'
                'deadline = 2024-03-29\n')
    scenario = _scenario_with(tmp_path, campaign)
    result = run_cli("plan", str(scenario), "-o", "out", cwd=tmp_path)
    assert_one_sentence(result, "campaign[0].records", "less than or equal to 100000000")


def test_a_horizon_beyond_52_weeks_is_one_sentence(tmp_path):
    scenario = _scenario_with(tmp_path, changes={"horizon.days": 371})
    result = run_cli("plan", str(scenario), "-o", "out", cwd=tmp_path)
    assert_one_sentence(result, "horizon.days", "less than or equal to 364")


def _year_schedule(days: int, agents: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = []
    start = dt.date(2026, 1, 5)
    for d in range(days):
        day = start + dt.timedelta(days=d)
        for a in range(agents):
            rows.append((f"A{a}", "g", day, "09:00", "12:00", "inbound"))
            rows.append((f"A{a}", "g", day, "12:00", "13:00", "lunch"))
    ds = pd.date_range("2026-01-05 09:00", periods=4, freq="1h")
    coverage = pd.DataFrame({"ds": ds, "required": 1, "scheduled_inbound": 1, "outbound": 0, "over": 0, "under": 0})
    return pd.DataFrame(rows, columns=["agent", "group", "date", "start", "end", "activity"]), coverage


def test_a_year_long_workbook_has_day_sheets_for_its_first_weeks_and_says_so(tmp_path):
    schedule, coverage = _year_schedule(364, 1)
    report.write_schedule_workbook(tmp_path / "s.xlsx", schedule, coverage, {"cost": 1}, 60)
    wb = load_workbook(tmp_path / "s.xlsx", read_only=True)
    days = [s for s in wb.sheetnames if s not in ("Coverage", "KPIs")]
    assert len(days) == limits.MAX_DAY_SHEETS
    assert days[0] == "Mon 2026-01-05"
    kpis = {row[2]: row[1] for row in wb["KPIs"].iter_rows(min_row=2, values_only=True)}
    assert kpis["workbook.day_sheets"].startswith(f"the first {limits.MAX_DAY_SHEETS} of 364 days")
    assert "schedule.csv" in kpis["workbook.day_sheets"]


def test_day_sheets_also_stop_at_the_cell_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_DAY_SHEET_CELLS", 10)  # one day of 2 agents is 8 timeline cells
    schedule, coverage = _year_schedule(7, 2)
    report.write_schedule_workbook(tmp_path / "s.xlsx", schedule, coverage, {}, 60)
    wb = load_workbook(tmp_path / "s.xlsx", read_only=True)
    assert [s for s in wb.sheetnames if s not in ("Coverage", "KPIs")] == ["Mon 2026-01-05"]


def test_a_short_workbook_keeps_every_day_and_no_note(tmp_path):
    schedule, coverage = _year_schedule(7, 2)
    report.write_schedule_workbook(tmp_path / "s.xlsx", schedule, coverage, {}, 60)
    wb = load_workbook(tmp_path / "s.xlsx", read_only=True)
    assert len(wb.sheetnames) == 9
    assert "workbook.day_sheets" not in [row[2] for row in wb["KPIs"].iter_rows(values_only=True)]


# --- item 12: leftovers ---------------------------------------------------------------


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9.-]", "-", socket.gethostname())


def test_next_run_removes_only_dead_runs_leftovers_of_its_own_target(tmp_path):
    dead, alive, host = _dead_pid(), os.getpid(), _host()
    target = tmp_path / "out"
    target.mkdir()
    stale = [f".out.{dead}@{host}.abcd_123.tmp", f".out.old-{dead}@{host}-123456"]
    kept = [
        f".out.{alive}@{host}.abcd_123.tmp",  # a live run's work in progress
        f".out.{dead}@otherhost.abcd_123.tmp",  # another machine's pid cannot be checked here
        f".out.{dead}@{host}.abcd_123.tmp.keep",  # not our pattern
        f".outer.{dead}@{host}.abcd_123.tmp",  # another target's
        ".out.abcd_123.tmp",  # untagged (older version) but fresh
        ".out.notes",
    ]
    for name in stale + kept:
        (tmp_path / name).mkdir()
        (tmp_path / name / "file.csv").write_text("x")
    old_untagged = tmp_path / ".out.wxyz_789.tmp"
    old_untagged.mkdir()
    day_ago = time.time() - 2 * 24 * 3600
    os.utime(old_untagged, (day_ago, day_ago))
    removed = export.remove_leftovers(target)
    assert sorted(p.name for p in removed) == sorted(stale + [old_untagged.name])
    assert listing(tmp_path) == set(kept) | {"out"}


def test_a_swap_killed_half_way_gets_its_previous_folder_back(tmp_path):
    dead, host = _dead_pid(), _host()
    older = tmp_path / f".out.old-{dead}@{host}-100"
    newest = tmp_path / f".out.old-{dead}@{host}-200"
    for folder in (older, newest):
        folder.mkdir()
        (folder / "kpis.json").write_text(folder.name)
    export.remove_leftovers(tmp_path / "out")
    assert (tmp_path / "out" / "kpis.json").read_text() == newest.name
    assert listing(tmp_path) == {"out"}


def _as_in_a_terminal() -> None:
    """Ctrl-C as a terminal delivers it: SIGINT neither ignored nor blocked.

    A test worker may have inherited an ignored or blocked SIGINT from a library run in
    it earlier; a child started from there would keep it, and Python then never turns
    Ctrl-C into a ``KeyboardInterrupt``.
    """
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start_plan(scenario: Path, cwd: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "wfm.cli", "plan", str(scenario), "-o", "out"], cwd=cwd, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            preexec_fn=_as_in_a_terminal)  # noqa: PLW1509 - no threads in the child before exec


def _wait_for_temp(folder: Path, proc: subprocess.Popen, timeout: float = 90) -> list[str]:
    """Names of the plan's temporary folder once it appears (the solver has run by then)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [p.name for p in folder.iterdir() if p.name.startswith(".out.") and p.name.endswith(".tmp")]
        if found:
            return found
        if proc.poll() is not None:
            pytest.fail(f"the plan ended before writing: {proc.stderr.read()}")
        time.sleep(0.02)
    proc.kill()
    pytest.fail("the plan never started writing")


def test_a_sigkilled_plan_leaves_nothing_after_the_next_run(tmp_path):
    scenario = write_scenario(tmp_path / "s")
    proc = _start_plan(scenario, tmp_path)
    left = _wait_for_temp(tmp_path, proc)
    proc.kill()
    proc.wait(timeout=30)
    assert set(left) <= listing(tmp_path)  # SIGKILL skips every cleanup
    result = run_cli("plan", str(scenario), "-o", "out", cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    assert listing(tmp_path) == {"s", "out"}


def test_ctrl_c_after_the_solver_still_removes_the_temporary_folder(tmp_path):
    scenario = write_scenario(tmp_path / "s")
    # On a loaded machine the signal can land after the plan has already swapped its
    # folder in: that run must then have finished whole (the next attempt starts clean).
    for _attempt in range(5):
        proc = _start_plan(scenario, tmp_path)
        _wait_for_temp(tmp_path, proc)
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
        if proc.returncode == 0:
            assert listing(tmp_path) == {"s", "out"} and (tmp_path / "out" / "kpis.json").is_file()
            shutil.rmtree(tmp_path / "out")
            continue
        break
    # Python's handler ran (a KeyboardInterrupt, which the CLI ends with code 130), not
    # OR-Tools' C handler that ended the process on the spot; so the writer's cleanup
    # removed its temporary folder.
    stderr = proc.stderr.read()
    assert proc.returncode == 130, stderr
    assert listing(tmp_path) == {"s"}
    # one sentence, not the half-written workbook's tracebacks
    assert "Traceback" not in stderr and stderr.strip().startswith("error: interrupted"), stderr


def test_workers_of_a_killed_batch_die_and_swap_nothing_in(tmp_path):
    folder = tmp_path / "scenarios"
    for name in ("one", "two"):
        write_scenario(folder, name)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    parent = subprocess.Popen(
        [sys.executable, "-m", "wfm.cli", "batch", str(folder), "-o", str(tmp_path / "out"), "--workers", "2"],
        cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    workers: list[psutil.Process] = []
    while time.monotonic() < deadline and len(workers) < 2:
        try:
            workers = psutil.Process(parent.pid).children()
        except psutil.NoSuchProcess:
            break
        time.sleep(0.02)
    assert len(workers) >= 2, "the batch never started its workers"
    parent.kill()
    parent.wait(timeout=10)
    gone, alive = psutil.wait_procs(workers, timeout=10)
    for orphan in alive:  # leave no stray processes behind when the test fails
        orphan.kill()
    assert not alive, f"workers outlived their batch: {[p.pid for p in alive]}"
    time.sleep(1)
    out = tmp_path / "out"
    assert not (out / "one").exists() and not (out / "two").exists()
