"""Column mapping: a planner's own headers (日時, 呼量, 平均処理時間) read as ds, y, aht, in the CLI and the plan."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
from plan_fixtures import write_history, write_scenario

from wfm import data, plan
from wfm.errors import InputError
from wfm.scenario import load_scenario


def japanese_export(path, weeks=3):
    """The fixture history as Excel on Japanese Windows saves it: CP932, Japanese headers."""
    write_history(path.with_suffix(".tmp.csv"), weeks=weeks)
    frame = pd.read_csv(path.with_suffix(".tmp.csv"))
    frame = frame.rename(columns={"ds": "日時", "y": "呼量"}).assign(平均処理時間=300, 窓口="サポート")
    frame.to_csv(path, index=False, encoding="cp932")
    path.with_suffix(".tmp.csv").unlink()
    return path


def run(*args, cwd):
    return subprocess.run([sys.executable, "-m", "wfm.cli", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


def test_guess_then_read_a_cp932_export(tmp_path):
    path = japanese_export(tmp_path / "呼量.csv")
    headers = data.read_table(path).columns
    guess = data.guess_columns(headers)
    assert guess == {"日時": "ds", "呼量": "y", "平均処理時間": "aht", "窓口": "queue"}
    frame, minutes = data.read_intervals(path, columns=guess, timezone="Asia/Tokyo")
    assert minutes == 30
    assert set(frame["queue"]) == {"サポート"}
    assert frame["y"].sum() == pd.read_csv(path, encoding="cp932")["呼量"].sum()
    assert (frame["aht"] == 300).all()


@pytest.mark.parametrize("pairs, fragment", [
    (["日時"], "is not HEADER=ROLE"),
    (["日時=when"], "'when' is not a column role"),
    (["日時=ds", "呼量=ds"], "two columns are read as 'ds'"),
])
def test_bad_mappings_are_one_sentence(pairs, fragment):
    with pytest.raises(InputError, match=fragment):
        data.parse_column_map(pairs)


def test_a_mapped_header_missing_from_the_file_names_the_file_and_what_it_has(tmp_path):
    path = japanese_export(tmp_path / "calls.csv")
    with pytest.raises(InputError) as err:
        data.read_intervals(path, columns={"日付": "ds", "呼量": "y"})
    assert "calls.csv" in str(err.value) and "no column '日付' to read as ds" in str(err.value)
    assert "'日時'" in str(err.value)


def test_forecast_and_size_read_the_file_with_map(tmp_path):
    japanese_export(tmp_path / "history.csv")
    mapping = "日時=ds,呼量=y,平均処理時間=aht"
    result = run("forecast", "--history", "history.csv", "--horizon", "7d", "--models", "hist_avg_4w",
                 "--folds", "1", "--map", mapping, "--timezone", "Asia/Tokyo", "--out", "fc.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert len(pd.read_csv(tmp_path / "fc.csv")) > 0
    result = run("size", "history.csv", "--map", "日時=ds", "--map", "呼量=y,平均処理時間=aht",
                 "--out", "req.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    sized = pd.read_csv(tmp_path / "req.csv")
    assert (sized["agents"] >= 0).all() and len(sized) == len(pd.read_csv(tmp_path / "history.csv", encoding="cp932"))
    result = run("size", "history.csv", "--map", "日時=time", "--out", "x.csv", cwd=tmp_path)
    assert result.returncode == 2 and "'time' is not a column role" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "x.csv").exists()


def test_the_scenario_remembers_the_mapping(tmp_path):
    japanese_export(tmp_path / "history.csv")
    path = write_scenario(tmp_path, "mapped")
    text = path.read_text().replace('aht = 300\n', 'aht = 300\ncolumns = { "日時" = "ds", "呼量" = "y" }\n', 1)
    path.write_text(text, encoding="utf-8")
    result = plan.run_plan(load_scenario(path), base_dir=tmp_path)
    assert result.forecast["y_hat"].sum() > 0
    path.write_text(text.replace('"呼量" = "y"', '"呼量" = "calls"'), encoding="utf-8")
    with pytest.raises(InputError, match="columns"):
        load_scenario(path)
