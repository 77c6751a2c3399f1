"""Issue #13, call logs: inputs a real ACD export (or a careless one) brings.

Every refusal is exit code 2 and one sentence naming the place and the value, never a
traceback, and nothing is written.
"""

from __future__ import annotations

import json
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
from synthetic_calls import synthetic_log
from typer.testing import CliRunner

from wfm.cli import app

runner = CliRunner()

OFFSET_LOG = """arrival,wait,handle,outcome
2024-01-08T09:00:05+09:00,0,200,answered
2024-01-08T09:03:00+09:00,30,,abandoned
2024-01-08T09:10:00+09:00,10,300,answered
2024-01-08T09:31:00+09:00,25,100,answered
"""


def refused(res, path, *fragments) -> None:
    assert res.exit_code == 2, res.output
    err = res.stderr.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in res.output, err
    assert err.startswith("error: ") and str(path) in err
    for fragment in fragments:
        assert fragment in err, err


def test_utc_offsets_in_a_subprocess_no_type_error(tmp_path):
    """It raised TypeError while checking the arrival order of tz-aware arrivals."""
    path = tmp_path / "calls.csv"
    path.write_text(OFFSET_LOG)
    out = tmp_path / "history.csv"
    proc = subprocess.run([sys.executable, "-m", "wfm.cli", "calls", "aggregate", str(path), "--out", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    history = pd.read_csv(out)
    assert history["ds"].tolist()[0] == "2024-01-08 09:00:00+09:00"  # kept at its single offset


def test_utc_offsets_are_converted_to_the_named_zone(tmp_path):
    path = tmp_path / "calls.csv"
    path.write_text(OFFSET_LOG.replace("+09:00", "Z"))
    out = tmp_path / "history.csv"
    res = runner.invoke(app, ["calls", "aggregate", str(path), "--timezone", "Asia/Tokyo", "--out", str(out)])
    assert res.exit_code == 0, res.output
    history = pd.read_csv(out)
    assert history["ds"].tolist() == ["2024-01-08 18:00:00+09:00", "2024-01-08 18:15:00+09:00", "2024-01-08 18:30:00+09:00"]
    assert history["y"].tolist() == [3.0, 0.0, 1.0]


def test_profile_with_utc_offsets(tmp_path):
    raw = synthetic_log(2000, seed=1, patience_mean=100.0, wait_mean=40.0)
    raw["arrival"] = raw["arrival"].dt.tz_localize("America/New_York").dt.strftime("%Y-%m-%dT%H:%M:%S%z")
    path = tmp_path / "calls.csv"
    raw.to_csv(path, index=False)
    out = tmp_path / "profile.json"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = runner.invoke(app, ["calls", "profile", str(path), "--timezone", "America/New_York", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert json.loads(out.read_text())["queues"]["default"]["patience"]["mean"] > 0


def test_mixed_offsets_without_a_zone_is_one_sentence(tmp_path):
    path = tmp_path / "calls.csv"
    path.write_text(OFFSET_LOG.replace("09:31:00+09:00", "02:31:00+02:00"))
    out = tmp_path / "history.csv"
    res = runner.invoke(app, ["calls", "aggregate", str(path), "--out", str(out)])
    refused(res, path, "column 'arrival' mixes time zones", "--timezone")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["calls.csv"]


@pytest.mark.parametrize("column, value", [("handle", "inf"), ("handle", "-inf"), ("wait", "inf"), ("handle", "1e999")])
def test_infinite_times_in_a_small_log_are_refused_naming_the_row(tmp_path, column, value):
    """handle = inf was accepted and written as aht = inf."""
    text = OFFSET_LOG.replace("10,300,answered", "inf,300,answered" if column == "wait" else f"10,{value},answered")
    path = tmp_path / "calls.csv"
    path.write_text(text)
    out = tmp_path / "history.csv"
    res = runner.invoke(app, ["calls", "aggregate", str(path), "--out", str(out)])
    refused(res, path, "row 3", f"'{value}'" if column == "handle" else "column 'wait' is 'inf'")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["calls.csv"]


def test_infinite_handle_in_a_month_is_a_skipped_glitch(tmp_path):
    raw = synthetic_log(3000, seed=8, patience_mean=100.0, wait_mean=40.0)
    row = int(np.flatnonzero(raw["outcome"] == "answered")[7])
    raw.loc[row, "handle"] = np.inf
    path = tmp_path / "calls.csv"
    raw.to_csv(path, index=False)
    out = tmp_path / "history.csv"
    res = runner.invoke(app, ["calls", "aggregate", str(path), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "1 of 3,000 rows skipped as glitches (1 answered with handle time not > 0)" in res.stderr
    history = pd.read_csv(out)
    assert np.isfinite(history["aht"].dropna()).all() and history["y"].sum() == 2999
    rejected = pd.read_csv(tmp_path / "history.rejected.csv")
    assert rejected[["row", "reason"]].values.tolist() == [[row + 1, "handle_not_positive"]]
    assert rejected["handle"].tolist() == [np.inf]


def test_interval_table_with_infinite_aht_is_refused(tmp_path):
    path = tmp_path / "history.csv"
    path.write_text("ds,y,aht\n2024-01-08 09:00,10,200\n2024-01-08 09:15,12,inf\n")
    out = tmp_path / "sized.csv"
    res = runner.invoke(app, ["size", str(path), "--out", str(out)])
    refused(res, path, "row 2", "'aht'", "inf")
    assert not out.exists()


def test_profile_without_patience_under_erlang_a_falls_back_to_erlang_c(tmp_path):
    raw = synthetic_log(400, seed=2, patience_mean=5000.0, wait_mean=10.0)  # almost nobody hangs up
    log = tmp_path / "calls.csv"
    raw.to_csv(log, index=False)
    profile = tmp_path / "profile.json"
    res = runner.invoke(app, ["calls", "profile", str(log), "--out", str(profile)])
    assert res.exit_code == 0, res.output
    assert json.loads(profile.read_text())["queues"]["default"]["patience"] is None
    history = tmp_path / "history.csv"
    history.write_text("ds,y,aht\n2024-01-08 09:00,40,200\n2024-01-08 09:15,60,200\n")
    out = tmp_path / "sized.csv"
    res = runner.invoke(app, ["size", str(history), "--profile", str(profile), "--model", "erlang-a", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "no patience estimate; sized with Erlang C instead of erlang-a" in res.stderr
    sized = pd.read_csv(out)
    assert (sized["agents"] == sized["agents_erlang_c"]).all()
