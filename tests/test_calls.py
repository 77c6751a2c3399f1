"""Call-detail records: validation, interval aggregation, censoring-aware profiles."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from wfm import calls
from wfm.cli import app
from wfm.errors import InputError

from synthetic_calls import synthetic_log

runner = CliRunner()

LOG = """arrival,wait,handle,outcome
2024-01-08 09:00:05,0,200,answered
2024-01-08 09:03:00,30,,abandoned
2024-01-08 09:10:00,10,300,answered
2024-01-08 09:31:00,25,100,answered
2024-01-08 09:50:00,5,0,abandoned
"""


def test_aggregate_by_hand(tmp_path):
    log = calls.validate_calls(pd.read_csv(pd.io.common.StringIO(LOG)), "log.csv")
    out = calls.aggregate_calls(log, 15, answer_within=20)
    assert out["ds"].dt.strftime("%H:%M").tolist() == ["09:00", "09:15", "09:30", "09:45"]
    first = out.iloc[0]
    assert first["y"] == 3 and first["answered"] == 2 and first["abandoned"] == 1
    assert first["aht"] == pytest.approx(250.0)
    assert first["service_level"] == pytest.approx(2 / 3)  # two answered within 20 s of three offered
    assert first["asa"] == pytest.approx(5.0)
    quiet = out.iloc[1]  # 09:15 had no calls: zero volume, not a missing row
    assert quiet["y"] == 0 and np.isnan(quiet["aht"])
    assert out.iloc[2]["service_level"] == 0.0  # answered at 25 s: late
    assert out.iloc[3]["answered"] == 0 and out.iloc[3]["abandoned"] == 1


def test_after_call_work_and_column_map():
    raw = pd.read_csv(pd.io.common.StringIO(LOG)).rename(columns={"arrival": "StartTime", "outcome": "Result"})
    log = calls.validate_calls(raw, "log.csv", column_map={"StartTime": "arrival", "Result": "outcome"}, after_call_work=30)
    assert log.loc[log["outcome"] == "answered", "handle"].tolist() == [230.0, 330.0, 130.0]
    assert log.loc[log["outcome"] == "abandoned", "handle"].tolist() == [0.0, 0.0]


BAD = [
    ("negative wait", LOG.replace(",30,,abandoned", ",-4,,abandoned"), "row 2, column 'wait' is '-4'"),
    ("missing wait", LOG.replace(",30,,abandoned", ",,,abandoned"), "row 2, column 'wait' is empty"),
    ("answered without handle", LOG.replace("10,300,answered", "10,,answered"), "row 3 is an answered call with handle time empty"),
    ("out of order", LOG.replace("2024-01-08 09:10:00", "2024-01-08 08:10:00"), "row 3 arrives at 2024-01-08 08:10:00"),
    ("unparseable arrival", LOG.replace("2024-01-08 09:31:00", "yesterday-ish"), "row 4, column 'arrival' has 'yesterday-ish'"),
    ("unknown outcome", LOG.replace("5,0,abandoned", "5,0,transferred"), "row 5, column 'outcome' is 'transferred'"),
    ("missing column", LOG.replace("outcome", "result"), "missing column 'outcome'"),
]


@pytest.mark.parametrize("name, text, message", BAD, ids=[b[0] for b in BAD])
def test_bad_logs_name_the_row(tmp_path, name, text, message):
    path = tmp_path / "log.csv"
    path.write_text(text)
    out = tmp_path / "history.csv"
    res = runner.invoke(app, ["calls", "aggregate", str(path), "--out", str(out)])
    assert res.exit_code == 2
    assert message in res.stderr and str(path) in res.stderr
    assert not out.exists()


@pytest.mark.parametrize("kind, wait_mean", [("exponential", 60.0), ("weibull", 40.0)])
def test_profile_recovers_means_under_censoring(kind, wait_mean):
    raw = synthetic_log(8000, seed=3, patience_mean=150.0, wait_mean=wait_mean, patience_kind=kind)
    log = calls.validate_calls(raw, "synthetic")
    profile = calls.profile_calls(log, by_time_of_day=False)["queues"]["default"]
    answered = raw["outcome"] == "answered"
    assert profile["handle"]["mean"] == pytest.approx(raw.loc[answered, "handle"].mean())
    assert profile["handle"]["mean"] == pytest.approx(300.0, rel=0.03)
    assert profile["handle"]["best_fit"] == "lognormal"
    patience = profile["patience"]
    assert patience["censored_share"] > 0.6  # most callers were answered before giving up
    assert patience["mean"] == pytest.approx(150.0, rel=0.10)
    if kind == "weibull":  # a rising hazard is not exponential, and the AIC must see it
        assert patience["best_fit"] == "weibull"
        assert patience["fits"]["weibull"]["shape"] == pytest.approx(2.0, rel=0.15)
    else:
        assert patience["fits"]["exponential"]["mean"] == pytest.approx(150.0, rel=0.10)
    # Treating answered waits as patience would badly underestimate it; KM does not.
    naive = log["wait"].mean()
    assert naive < 0.5 * patience["mean"]


def test_small_log_falls_back_with_a_warning(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text(LOG)
    out = tmp_path / "profile.json"
    res = runner.invoke(app, ["calls", "profile", str(path), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "too few to estimate patience" in res.stderr and "Erlang C" in res.stderr
    profile = json.loads(out.read_text())["queues"]["default"]
    assert profile["patience"] is None and profile["handle"] is None


def test_profile_cli_writes_json(tmp_path):
    raw = synthetic_log(3000, seed=5, patience_mean=100.0, wait_mean=50.0)
    raw["queue"] = np.where(np.arange(len(raw)) % 2 == 0, "sales", "support")
    path = tmp_path / "log.parquet"
    raw.to_parquet(path)
    out = tmp_path / "profile.json"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = runner.invoke(app, ["calls", "profile", str(path), "--out", str(out)])
    assert res.exit_code == 0, res.output
    profile = json.loads(out.read_text())
    assert set(profile["queues"]) == {"sales", "support"}
    for entry in profile["queues"].values():
        assert entry["patience"]["mean"] == pytest.approx(100.0, rel=0.2)


def test_validate_rejects_bad_after_call_work():
    with pytest.raises(InputError, match="--after-call-work"):
        calls.validate_calls(pd.read_csv(pd.io.common.StringIO(LOG)), "log.csv", after_call_work=-1)
