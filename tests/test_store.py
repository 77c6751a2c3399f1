"""The plan store: save plans from `wfm plan --save`, list, show, compare, export; SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from factories import write_scenario

from wfm.store import compare_table, daily_table, open_store

PYTHON = sys.executable


def wfm(*args, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([PYTHON, "-m", "wfm.cli", *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          env=full_env, timeout=300)


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """Two real plans of one centre at 80% and 70%, saved with `wfm plan --save` in a SQLite store."""
    work = tmp_path_factory.mktemp("store")
    write_scenario(work, "sl80", service_level=0.8)
    write_scenario(work, "sl70", service_level=0.7)
    db = work / "plans.sqlite"
    for name, note in (("sl80", "the client's target"), ("sl70", "what if 70%")):
        result = wfm("plan", f"{name}.toml", "--out", name, "--save", f"week 13 {name}", "--note", note,
                     "--db", db, cwd=work)
        assert result.returncode == 0, result.stderr
        assert "saved as plan" in result.stderr
    return work, db


def test_saved_versions_keep_the_written_plan(saved):
    work, db = saved
    store = open_store(db)
    versions = store.list()
    assert [v.name for v in versions] == ["week 13 sl80", "week 13 sl70"]
    first = versions[0]
    assert first.note == "the client's target"
    assert first.kpis == json.loads((work / "sl80" / "kpis.json").read_text())
    assert first.timezone == "Asia/Tokyo" and first.currency == "JPY"
    # The inputs' content hashes: the scenario file and the history it reads.
    import hashlib

    assert first.inputs["history.csv"] == hashlib.sha256((work / "history.csv").read_bytes()).hexdigest()
    assert first.inputs["sl80.toml"] == hashlib.sha256((work / "sl80.toml").read_bytes()).hexdigest()
    assert store.file(first.id, "schedule.csv") == (work / "sl80" / "schedule.csv").read_bytes()


def test_compare_shows_the_figures_of_each_version_and_the_differences(saved):
    work, db = saved
    store = open_store(db)
    table = compare_table(store, [1, 2]).set_index("figure")
    k80 = json.loads((work / "sl80" / "kpis.json").read_text())
    k70 = json.loads((work / "sl70" / "kpis.json").read_text())
    assert table.loc["cost", "#1 week 13 sl80"] == k80["cost"]
    assert table.loc["cost", "#2 week 13 sl70"] == k70["cost"]
    assert table.loc["cost", "Δ #2"] == pytest.approx(k70["cost"] - k80["cost"])
    assert table.loc["service level simulated", "#2 week 13 sl70"] == k70["service_level"]
    # A lower target needs fewer paid hours on this centre: the comparison must show it.
    assert table.loc["paid hours", "Δ #2"] < 0

    daily = daily_table(store, [1, 2])
    coverage = pd.read_csv(work / "sl70" / "coverage.csv")
    hours = coverage.assign(date=coverage["ds"].str[:10]).groupby("date")["scheduled_inbound"].sum() * 0.5
    mine = daily[daily["plan"] == "#2 week 13 sl70"].set_index("date")
    assert mine["agent_hours"].to_dict() == pytest.approx(hours.to_dict())
    base = daily[daily["plan"] == "#1 week 13 sl80"].set_index("date")
    assert (mine["agent_hours_diff"] == mine["agent_hours"] - base["agent_hours"]).all()
    verification = pd.read_csv(work / "sl80" / "verification.csv")
    day = verification[verification["ds"].str.startswith("2024-03-26")]
    expected = (day["service_level"] * day["offered"]).sum() / day["offered"].sum()
    assert base.loc["2024-03-26", "service_level"] == pytest.approx(expected)


def test_cli_list_show_compare_export(saved, tmp_path):
    work, db = saved
    listed = wfm("plans", "list", "--db", db, cwd=work)
    assert listed.returncode == 0, listed.stderr
    assert "week 13 sl80" in listed.stdout and "what if 70%" in listed.stdout
    shown = wfm("plans", "show", "2", "--db", db, cwd=work)
    assert json.loads(shown.stdout)["kpis"]["cost"] == json.loads((work / "sl70" / "kpis.json").read_text())["cost"]
    compared = wfm("plans", "compare", "1", "2", "--db", db, "--out", tmp_path / "daily.csv", cwd=work)
    assert compared.returncode == 0, compared.stderr
    assert "paid hours" in compared.stdout and "2024-03-29" in compared.stdout
    assert set(pd.read_csv(tmp_path / "daily.csv")["plan"]) == {"#1 week 13 sl80", "#2 week 13 sl70"}
    exported = wfm("plans", "export", "1", "--out", tmp_path / "again", "--db", db, cwd=work)
    assert exported.returncode == 0, exported.stderr
    for name in ("schedule.csv", "coverage.csv", "kpis.json", "schedule.xlsx"):
        assert (tmp_path / "again" / name).read_bytes() == (work / "sl80" / name).read_bytes()
    assert json.loads((tmp_path / "again" / "saved_plan.json").read_text())["name"] == "week 13 sl80"
    # What export writes, the store reads again: saved anew, the copy compares equal to the original.
    copy = open_store(tmp_path / "copy.sqlite")
    first = copy.save(work / "sl80", "original")
    again = copy.save(tmp_path / "again", "exported")
    table = compare_table(copy, [first, again])
    numeric = table["Δ #2"].dropna()
    assert len(numeric) >= 10 and (numeric == 0).all()


@pytest.mark.parametrize("args, fragment", [
    (("plans", "show", "99"), "plan 99: no saved plan with this id"),
    (("plans", "show", "abc"), "plan id 'abc': expected a whole number"),
    (("plans", "compare", "1"), "give at least 2 plan ids"),
    (("plans", "list", "--db", "postgresql+psycopg://nobody@127.0.0.1:9/none"), "plan store: cannot open"),
    (("plans", "list", "--db", "nosuchdriver://x/y"), "plan store:"),
])
def test_store_mistakes_are_one_sentence(saved, args, fragment):
    work, db = saved
    extra = () if "--db" in args else ("--db", db)
    result = wfm(*args, *extra, cwd=work)
    assert result.returncode == 2, result.stderr
    assert fragment in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_save_refuses_an_unreachable_store_before_the_work(saved, tmp_path):
    work, _ = saved
    result = wfm("plan", "sl80.toml", "--out", tmp_path / "never", "--save", "x",
                 "--db", "postgresql+psycopg://nobody@127.0.0.1:9/none", cwd=work)
    assert result.returncode == 2 and "plan store: cannot open" in result.stderr
    assert not (tmp_path / "never").exists()


def test_default_store_location_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("WFM_DATABASE_URL", f"sqlite:///{tmp_path / 'team.sqlite'}")
    store = open_store()
    assert store.list() == []
    assert (tmp_path / "team.sqlite").exists()
    monkeypatch.delenv("WFM_DATABASE_URL")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    open_store().list()
    assert (tmp_path / "data" / "wfm" / "plans.sqlite").exists()


# ------------------------------------------------------------------ PostgreSQL
def _pg_bin() -> Path | None:
    root = Path("/usr/lib/postgresql")
    found = sorted(root.glob("*/bin/initdb")) if root.exists() else []
    return found[-1].parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def postgres_url():
    """A throw-away PostgreSQL server from Debian's package, or a skip saying why not."""
    pytest.importorskip("psycopg", reason="the psycopg driver is not installed")
    bin_dir = _pg_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL is not installed (Debian package 'postgresql')")
    # Not under pytest's own temp folder: that is private to this user, and as root the
    # server runs as the postgres user, who must reach its data folder.
    base = Path(tempfile.mkdtemp(prefix="wfm-pg-"))
    data, sock = base / "data", base / "sock"
    sock.mkdir()
    run_as: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root: run the server as the postgres user
        if shutil.which("runuser") is None:
            pytest.skip("running as root without runuser to start PostgreSQL as another user")
        run_as = ["runuser", "-u", "postgres", "--"]
        for folder in (base, sock):
            shutil.chown(folder, "postgres")
    port = _free_port()
    init = subprocess.run([*run_as, str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "wfm"],
                          capture_output=True, text=True)
    if init.returncode:
        pytest.skip(f"initdb failed: {init.stderr.strip()[:200]}")
    start = subprocess.run([*run_as, str(bin_dir / "pg_ctl"), "-D", str(data), "-w", "-l", str(base / "log"),
                            "-o", f"-p {port} -k {sock} -c listen_addresses=''", "start"],
                           capture_output=True, text=True)
    if start.returncode:
        pytest.skip(f"PostgreSQL did not start: {start.stderr.strip()[:200]}")
    try:
        yield f"postgresql+psycopg://wfm@/postgres?host={sock}&port={port}"
    finally:
        subprocess.run([*run_as, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def test_the_same_store_works_on_postgresql(saved, postgres_url, tmp_path):
    work, _ = saved
    result = wfm("plan", "sl80.toml", "--out", tmp_path / "p", "--save", "pg v1", "--db", postgres_url, cwd=work)
    assert result.returncode == 0, result.stderr
    store = open_store(postgres_url)
    plan_id = store.save(work / "sl70", "pg v2", note="from the folder", scenario_path=work / "sl70.toml")
    names = [v.name for v in store.list()]
    assert names[-2:] == ["pg v1", "pg v2"]
    first = [v for v in store.list() if v.name == "pg v1"][-1]
    table = compare_table(store, [first.id, plan_id]).set_index("figure")
    assert table.loc["cost", f"Δ #{plan_id}"] == pytest.approx(
        json.loads((work / "sl70" / "kpis.json").read_text())["cost"] - first.kpis["cost"])
    store.export(plan_id, tmp_path / "back")
    assert (tmp_path / "back" / "schedule.csv").read_bytes() == (work / "sl70" / "schedule.csv").read_bytes()
    store.delete(plan_id)
    assert plan_id not in [v.id for v in store.list()]
    assert store.file(plan_id, "schedule.csv") is None


def test_the_plans_page_lists_and_compares_the_saved_versions(saved, monkeypatch):
    from test_app import ok, open_app

    from wfm.ui.i18n import money

    work, db = saved
    monkeypatch.setenv("WFM_DATABASE_URL", f"sqlite:///{db}")
    at = open_app("plans")
    ok(at)
    assert at.title[0].value == "Plans"
    assert any(str(db) in c.value for c in at.caption)  # the page names the store it reads
    listed = at.dataframe[0].value
    assert list(listed["Name"]) == ["week 13 sl80", "week 13 sl70"]
    compared = at.dataframe[1].value.set_index("Figure")
    k80 = json.loads((work / "sl80" / "kpis.json").read_text())
    k70 = json.loads((work / "sl70" / "kpis.json").read_text())
    assert compared.loc["cost", "#1 week 13 sl80"] == money(k80["cost"])
    assert compared.loc["cost", "Difference #2"] == money(k70["cost"] - k80["cost"])
    assert len(at.dataframe) == 3  # the per-day table under the coverage chart
