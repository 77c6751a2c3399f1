"""Issue #13, CLI part: bad input through the real `wfm` CLI gets one sentence and exit 2.

Every refusal is checked the same way: exit code 2, a single ``error: ...`` line on
stderr naming the bad value, no traceback, and nothing written in the output folder
(no half-written file, no temporary file left behind).
"""

from __future__ import annotations

import stat
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from wfm import export, resources
from wfm.cli import app

runner = CliRunner()
EXAMPLES = resources.examples_folder()
SCENARIO = EXAMPLES / "bank_week_scenario.toml"
REQUIREMENTS = EXAMPLES / "bank_week_requirements.csv"


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def refused(result, *named: str) -> str:
    """The one sentence of a refusal; fails unless exit 2, one line, no traceback, values named."""
    err = result.stderr
    assert result.exit_code == 2, (result.exit_code, result.output, repr(result.exception))
    assert "Traceback" not in result.output
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    for value in named:
        assert value in lines[0], (value, lines[0])
    return lines[0]


def files_in(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def history(days: int, start: str = "2024-04-01") -> pd.DataFrame:
    """``days`` of 15-minute volumes, 09:00-17:00, with a weekly and daily shape."""
    rows = []
    for d in range(days):
        day = pd.Timestamp(start) + pd.Timedelta(days=d)
        for k in range(32):
            rows.append((day + pd.Timedelta(hours=9, minutes=15 * k), 20 + 5 * (d % 7) + (k % 8)))
    return pd.DataFrame(rows, columns=["ds", "y"])


@pytest.fixture
def work(tmp_path):
    """Inputs in ``tmp_path/in``; outputs go to ``tmp_path/out``, which must stay empty on failure."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    history(5).to_csv(inputs / "h5.csv", index=False)
    history(5).assign(agents=3).to_csv(inputs / "staff.csv", index=False)
    (tmp_path / "out").mkdir()
    return tmp_path


@pytest.fixture
def read_only(tmp_path):
    """A folder nobody may write into (as root, where chmod does not stop writes: /sys)."""
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        export.check_output_file(folder / "probe.csv")
    except Exception:
        yield folder
    else:
        yield Path("/sys")
    folder.chmod(stat.S_IRWXU)


# --- 9. outputs that cannot be written: refused before the work ----------------------

FILE_OUTPUTS = {
    "size": lambda w, out: ["size", w / "in/h5.csv", "--aht", 240, "--out", out],
    "forecast": lambda w, out: ["forecast", "--history", w / "in/h5.csv", "--horizon", "1d", "--out", out],
    "forecast --scores": lambda w, out: ["forecast", "--history", w / "in/h5.csv", "--horizon", "1d",
                                         "--out", w / "out/f.csv", "--scores", out],
    "backtest": lambda w, out: ["backtest", "--history", w / "in/h5.csv", "--out", out],
    "calls aggregate": lambda w, out: ["calls", "aggregate", w / "in/h5.csv", "--out", out],
    "calls profile": lambda w, out: ["calls", "profile", w / "in/h5.csv", "--out", out],
    "simulate": lambda w, out: ["simulate", "--staffing", w / "in/staff.csv", "--volumes", w / "in/h5.csv",
                                "--aht", 240, "--out", out],
    "simulate --summary": lambda w, out: ["simulate", "--staffing", w / "in/staff.csv", "--volumes",
                                          w / "in/h5.csv", "--aht", 240, "--out", w / "out/kpi.csv",
                                          "--summary", out],
    "simulate --daily": lambda w, out: ["simulate", "--staffing", w / "in/staff.csv", "--volumes",
                                        w / "in/h5.csv", "--aht", 240, "--out", w / "out/kpi.csv",
                                        "--daily", out],
}
FOLDER_OUTPUTS = {
    "schedule": lambda w, out: ["schedule", "--requirements", REQUIREMENTS, "--scenario", SCENARIO, "--out", out],
    "plan": lambda w, out: ["plan", SCENARIO, "--out", out],
    "batch": lambda w, out: ["batch", SCENARIO, "--out", out],
}


def _suffix(name: str) -> str:
    return ".json" if name in ("calls profile", "simulate --summary") else ".csv"


@pytest.mark.parametrize("command", sorted(FILE_OUTPUTS))
def test_output_file_in_read_only_folder(work, read_only, command):
    out = read_only / f"result{_suffix(command)}"
    message = refused(run(*FILE_OUTPUTS[command](work, out)), str(read_only), "cannot write")
    assert "permission denied" in message
    assert files_in(work / "out") == []  # the other output was not written either
    assert not out.exists()


@pytest.mark.parametrize("command", sorted(FILE_OUTPUTS))
def test_output_file_is_a_folder(work, command):
    folder = work / "out" / f"taken{_suffix(command)}"
    folder.mkdir()
    refused(run(*FILE_OUTPUTS[command](work, folder)), str(folder), "is a folder")
    assert files_in(work / "out") == [folder.name]


@pytest.mark.parametrize("command", sorted(FOLDER_OUTPUTS))
def test_output_folder_in_read_only_folder(work, read_only, command):
    out = read_only / "plan"
    refused(run(*FOLDER_OUTPUTS[command](work, out)), str(read_only), "cannot write")
    assert not out.exists()


@pytest.mark.parametrize("command", sorted(FOLDER_OUTPUTS))
def test_output_folder_is_a_file(work, command):
    taken = work / "out" / "taken"
    taken.write_text("keep me")
    refused(run(*FOLDER_OUTPUTS[command](work, taken)), str(taken), "not a folder")
    assert taken.read_text() == "keep me" and files_in(work / "out") == ["taken"]


def test_outputs_are_written_all_or_none(tmp_path):
    """A failure after the first output is staged leaves neither output behind."""
    first, second = tmp_path / "a.csv", tmp_path / "b.json"
    with pytest.raises(RuntimeError):
        with export.all_or_none() as stage:
            export.write_table(pd.DataFrame({"x": [1]}), stage(first))
            export.write_json({"x": 1}, stage(second))
            raise RuntimeError("the second output failed")
    assert files_in(tmp_path) == []
    with export.all_or_none() as stage:
        export.write_table(pd.DataFrame({"x": [1]}), stage(first))
        export.write_json({"x": 1}, stage(second))
    assert files_in(tmp_path) == ["a.csv", "b.json"]


def test_simulate_writes_all_outputs_on_success(work):
    out = work / "out"
    result = run(*FILE_OUTPUTS["simulate --summary"](work, out / "summary.json"), "--daily", out / "daily.csv",
                 "--replications", 2)
    assert result.exit_code == 0, result.output
    assert files_in(out) == ["daily.csv", "kpi.csv", "summary.json"]


# --- 9. inputs that crashed ----------------------------------------------------------


def test_directory_as_scenario(work):
    refused(run("plan", work / "in", "--out", work / "out" / "plan"), str(work / "in"), "is a folder")
    assert files_in(work / "out") == []


def test_directory_as_input_table(work):
    refused(run("size", work / "in", "--aht", 240, "--out", work / "out" / "r.csv"), str(work / "in"), "directory")
    assert files_in(work / "out") == []


@pytest.mark.parametrize("option", ["--profile", "--special-days"])
def test_directory_as_profile_or_special_days(work, option):
    args = {"--profile": ["size", work / "in/h5.csv", "--profile", work / "in", "--out", work / "out/r.csv"],
            "--special-days": ["forecast", "--history", work / "in/h5.csv", "--horizon", "1d",
                               "--special-days", work / "in", "--out", work / "out/f.csv"]}[option]
    message = refused(run(*args), str(work / "in"))
    assert "folder" in message or "directory" in message
    assert files_in(work / "out") == []


def test_backtest_on_five_days(work):
    message = refused(run("backtest", "--history", work / "in/h5.csv", "--out", work / "out" / "s.csv"),
                      "h5.csv", "5 days")
    assert "21 days" in message
    assert files_in(work / "out") == []


def test_horizon_beyond_any_plan(work):
    history(35).to_csv(work / "in" / "h35.csv", index=False)
    refused(run("forecast", "--history", work / "in/h35.csv", "--horizon", "100000d", "--out", work / "out/f.csv"),
            "--horizon", "100000d")
    assert files_in(work / "out") == []


def _scenario(tmp_path: Path, old: str, new: str) -> Path:
    text = SCENARIO.read_text()
    assert old in text
    path = tmp_path / "in" / "scenario.toml"
    path.write_text(text.replace(old, new, 1))
    return path


SCENARIO_CASES = {
    "inf cost": ("cost_per_hour = 22.0", "cost_per_hour = inf", ["group[0].cost_per_hour", "finite", "inf"]),
    "nan penalty": ("inbound_short_penalty = 250.0", "inbound_short_penalty = nan",
                    ["costs.inbound_short_penalty", "finite", "nan"]),
    "true as cost": ("cost_per_hour = 22.0", "cost_per_hour = true", ["group[0].cost_per_hour", "true", "True"]),
    "true as length": ("length_hours = 8.5", "length_hours = [true]", ["shift[0].length_hours", "true"]),
    "true as records": ("records = 20000", "records = true", ["campaign[0].records", "true"]),
    "seed above 2^63": ("seed = 0", "seed = 9223372036854775808", ["solver.seed", "9223372036854775808", "2147483647"]),
    "seed above int32": ("seed = 0", "seed = 2147483648", ["solver.seed", "2147483648"]),
    "negative seed": ("seed = 0", "seed = -1", ["solver.seed", "-1"]),
}


@pytest.mark.parametrize("case", sorted(SCENARIO_CASES))
def test_bad_scenario_values(work, case):
    old, new, named = SCENARIO_CASES[case]
    path = _scenario(work, old, new)
    refused(run("schedule", "--requirements", REQUIREMENTS, "--scenario", path, "--out", work / "out" / "s"),
            str(path), *named)
    assert files_in(work / "out") == []


def test_scenario_nested_too_deep(work):
    path = work / "in" / "deep.toml"
    path.write_text("a = " + "[" * 100_000 + "]" * 100_000 + "\n")
    for args in (["plan", path], ["schedule", "--requirements", REQUIREMENTS, "--scenario", path]):
        refused(run(*args, "--out", work / "out" / "p"), str(path), "nested too deeply")
    assert files_in(work / "out") == []


@pytest.mark.parametrize("agents, shown", [("inf", "inf"), ("1e12", "1000000000000"), ("20001", "20001")])
def test_requirement_too_large(work, agents, shown):
    table = pd.read_csv(REQUIREMENTS)
    table["agents"] = table["agents"].astype(object)
    table.loc[3, "agents"] = agents
    path = work / "in" / "req.csv"
    table.drop(columns=["y", "aht"]).to_csv(path, index=False)
    refused(run("schedule", "--requirements", path, "--scenario", SCENARIO, "--out", work / "out" / "s"),
            "req.csv", "row 4", "'agents'", shown, "20,000")
    assert files_in(work / "out") == []


# --- 11. silently accepted: requirement dropped outside the opening hours ------------


def _monday(table: pd.DataFrame) -> pd.DataFrame:
    return table[table["ds"].str.startswith("2003-03-03")].drop(columns=["y", "aht"])


def test_requirement_in_another_zone_is_reported(work):
    """+09:00 timestamps for a New York site land mostly at night: say how much is dropped."""
    table = _monday(pd.read_csv(REQUIREMENTS))
    table["ds"] = table["ds"].str.replace(" ", "T") + "+09:00"
    path = work / "in" / "req_tokyo.csv"
    table.to_csv(path, index=False)
    total = int(table["agents"].sum())
    result = run("schedule", "--requirements", path, "--scenario", SCENARIO, "--out", work / "out" / "s",
                 "--time-limit", 3)
    assert result.exit_code == 0, result.output
    warning = [line for line in result.stderr.splitlines() if line.startswith("warning: ") and "req_tokyo" in line]
    assert len(warning) == 1, result.stderr
    assert f"of the {total:,} required are not scheduled" in warning[0]
    assert "in closed hours" in warning[0] and "outside the horizon" in warning[0]
    assert "converted to America/New_York" in warning[0] and "2003-03-02 17:00" in warning[0]
    import json

    summary = json.loads((work / "out" / "s" / "summary.json").read_text())
    # The only other note allowed is the safety cap of this deliberately short run.
    assert [n for n in summary["notes"] if "safety time cap" not in n] == [warning[0][len("warning: "):]]
    assert summary["required_agent_intervals"] < total / 2


def test_requirement_in_opening_hours_has_no_warning(work):
    path = work / "in" / "req.csv"
    _monday(pd.read_csv(REQUIREMENTS)).to_csv(path, index=False)
    result = run("schedule", "--requirements", path, "--scenario", SCENARIO, "--out", work / "out" / "s",
                 "--time-limit", 3)
    assert result.exit_code == 0, result.output
    assert "not scheduled" not in result.stderr


def test_plan_note_gives_share_of_calls_outside_opening_hours():
    from wfm.plan import _open_hours_only
    from wfm.scenario import load_scenario

    scenario = load_scenario(SCENARIO)  # open 07:00-21:00 on weekdays
    demand = pd.DataFrame({"ds": pd.to_datetime(["2003-03-03 06:45", "2003-03-03 07:00", "2003-03-03 07:15"]),
                           "y_hat": [10.0, 20.0, 10.0]})
    notes: list[str] = []
    inside = _open_hours_only(demand, scenario, "retail", notes)
    assert len(inside) == 2
    assert notes == ["queue 'retail': 10 forecast calls (25.0% of the queue's) fall outside the opening hours "
                     "(1 intervals) and are neither staffed nor simulated."]


# --- 13. messages ----------------------------------------------------------------------


@pytest.mark.parametrize("command", ["size", "forecast", "simulate"])
def test_unknown_time_zone_is_named(work, command):
    args = FILE_OUTPUTS[command](work, work / "out" / "r.csv")
    message = refused(run(*args, "--timezone", "Mars/Olympus"), "--timezone", "'Mars/Olympus'", "not a known time zone")
    assert "daylight" not in message
    assert files_in(work / "out") == []


def _sized(path: Path, out: Path) -> pd.DataFrame:
    result = run("size", path, "--aht", 240, "--out", out)
    assert result.exit_code == 0, result.output
    return pd.read_csv(out)


@pytest.mark.parametrize("kind", ["cp932", "semicolon", "semicolon-cp932", "utf-8-bom"])
def test_japanese_and_european_csv_are_read(work, kind):
    table = history(2).assign(queue="カード受付", aht=240.5)[["queue", "ds", "y", "aht"]]
    plain = work / "in" / "plain.csv"
    table.to_csv(plain, index=False)
    other = work / "in" / f"{kind}.csv"
    options = {
        "cp932": dict(encoding="cp932"),
        "semicolon": dict(sep=";", decimal=","),
        "semicolon-cp932": dict(sep=";", decimal=",", encoding="cp932"),
        "utf-8-bom": dict(encoding="utf-8-sig"),
    }[kind]
    table.to_csv(other, index=False, **options)
    expected = _sized(plain, work / "out" / "plain.csv")
    got = _sized(other, work / "out" / "other.csv")
    pd.testing.assert_frame_equal(got, expected)
    assert got["queue"].iloc[0] == "カード受付"


@pytest.mark.parametrize("command, section", [("plan", "[[queue]]"), ("schedule", "[[shift]]"),
                                              ("schedule", "[horizon]"), ("quote", "[quote]")])
def test_help_shows_toml_sections(command, section):
    result = runner.invoke(app, [command, "--help"], env={"COLUMNS": "240"})
    assert result.exit_code == 0
    assert section in result.output
    assert "[]" not in result.output and "\\[" not in result.output


def test_app_scenario_nested_too_deep():
    """The app's scenario upload reads TOML itself: the same sentence, not a RecursionError."""
    from wfm.errors import InputError
    from wfm.ui import state

    with pytest.raises(InputError, match="deep.toml: arrays or tables are nested too deeply"):
        state.load_scenario_text("a = " + "[" * 100_000 + "]" * 100_000, "deep.toml")


def test_quote_settings_refuse_true_as_a_number(tmp_path):
    from wfm.quote.settings import Quote

    with pytest.raises(Exception, match="expected a number, not true or false"):
        Quote.model_validate({"months": 12, "margin": True})


def test_quote_to_an_unwritable_place_is_refused_before_the_work(tmp_path):
    from wfm.errors import InputError
    from wfm.quote import check_out_dir

    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(InputError, match="file"):
        check_out_dir(blocker / "out")
    with pytest.raises(InputError):
        check_out_dir(Path("/sys/wfm-quote"))


@pytest.mark.parametrize("workers", [0, -1, True, 1.5])
def test_run_batch_refuses_bad_worker_counts(tmp_path, workers):
    from wfm.batch import run_batch
    from wfm.errors import InputError

    with pytest.raises(InputError, match="workers"):
        run_batch([tmp_path], tmp_path / "out", workers=workers)
    assert not (tmp_path / "out").exists()
