"""Call-detail records: validation, interval aggregation, censoring-aware profiles."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from synthetic_calls import synthetic_log
from typer.testing import CliRunner

from wfm import calls
from wfm.cli import app
from wfm.errors import InputError

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
    # Erlang A's patience: abandonments / seconds waited, by every caller (censored too).
    assert patience["mean"] == pytest.approx(log["wait"].sum() / (log["outcome"] == "abandoned").sum())
    # The simulation's curve (Kaplan–Meier, which reaches 0 here) recovers the true mean.
    assert patience["simulation_mean"] == pytest.approx(150.0, rel=0.10)
    if kind == "weibull":  # a rising hazard is not exponential, and the AIC must see it
        assert patience["best_fit"] == "weibull"
        assert patience["fits"]["weibull"]["shape"] == pytest.approx(2.0, rel=0.15)
        # Short waits see only the low early hazard: the constant-rate equivalent is longer.
        assert patience["mean"] > 1.5 * 150.0
    else:
        assert patience["mean"] == pytest.approx(150.0, rel=0.10)
        assert patience["fits"]["exponential"]["scale"] == pytest.approx(patience["mean"], rel=1e-3)
    # Treating answered waits as patience would badly underestimate it; KM does not.
    naive = log["wait"].mean()
    assert naive < 0.5 * patience["simulation_mean"]


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


def heavy_censoring_log(sigma: float = 1.8, n: int = 20000, seed: int = 4) -> pd.DataFrame:
    """Lognormal patience (median 200 s) and about 90% of callers answered first."""
    rng = np.random.default_rng(seed)
    patience = rng.lognormal(np.log(200.0), sigma, n)
    virtual = np.where(rng.random(n) < 0.3, 0.0, rng.exponential(40.0, n))
    abandoned = patience < virtual
    arrival = pd.Timestamp("2024-01-08 08:00") + pd.to_timedelta(np.sort(rng.uniform(0, 20 * 36000, n)), unit="s")
    return pd.DataFrame({"arrival": arrival, "wait": np.minimum(patience, virtual),
                         "handle": np.where(abandoned, 0.0, rng.exponential(300.0, n)),
                         "outcome": np.where(abandoned, "abandoned", "answered")})


def test_patience_for_erlang_a_is_not_a_fit_extrapolated_past_the_data():
    """Issue #11 part 3: a lognormal fit chosen by AIC had a mean five times what the calls show."""
    log = calls.validate_calls(heavy_censoring_log(), "synthetic")
    patience = calls.profile_calls(log, by_time_of_day=False)["queues"]["default"]["patience"]
    abandoned = log["outcome"] == "abandoned"
    assert patience["censored_share"] > 0.85
    # theta = abandonments / seconds waited = P(abandon) / E[wait] (Mandelbaum–Zeltyn).
    expo = patience["exponential"]
    assert expo["rate_per_second"] == pytest.approx(abandoned.sum() / log["wait"].sum())
    assert expo["rate_per_second"] == pytest.approx(expo["p_abandon"] / expo["mean_wait"])
    assert patience["mean"] == pytest.approx(1 / expo["rate_per_second"])
    km = patience["kaplan_meier"]
    assert km["survival_at_end"] > 0.3  # the curve stops far from 0: the mean is not observed
    # The fit's mean lives beyond the data and is only reported; Erlang A gets the estimate
    # that stays with them (the old profile gave it the AIC winner's mean).
    assert patience["best_fit"] == "lognormal"
    assert patience["fits"]["lognormal"]["mean_extrapolated"] > 3 * km["restricted_mean"]
    assert patience["mean"] < 2 * km["restricted_mean"]
    # Simulation: Kaplan–Meier inside the data, a tail at the observed rate beyond them.
    sample = np.asarray(patience["sample_quantiles"])
    assert np.isfinite(sample).all() and np.all(np.diff(sample) >= 0)
    inside = sample <= km["observed_until"]
    assert inside.mean() == pytest.approx(1 - km["survival_at_end"], abs=2e-3)
    # The tail continues the hang-up rate of the data's last stretch (last 20% of hang-ups).
    wait, hung_up = log["wait"].to_numpy(), abandoned.to_numpy()
    t0 = np.sort(wait[hung_up])[-int(0.2 * hung_up.sum())]
    assert km["tail_from"] == pytest.approx(t0)
    assert km["tail_rate_per_second"] == pytest.approx((hung_up & (wait >= t0)).sum() / (wait[wait >= t0] - t0).sum())
    bound = km["restricted_mean"] + km["survival_at_end"] / km["tail_rate_per_second"]
    assert patience["simulation_mean"] == pytest.approx(bound, rel=0.02)
    assert patience["simulation_mean"] < 0.5 * patience["fits"]["lognormal"]["mean_extrapolated"]


def test_erlang_a_sizing_uses_the_exponential_estimate():
    """The profile's patience reaches Erlang A sizing unchanged (calibrate.behaviour_for)."""
    from wfm import calibrate, erlang

    profile = calls.profile_calls(calls.validate_calls(heavy_censoring_log(), "synthetic"), by_time_of_day=False)
    frame = pd.DataFrame({"queue": "default", "ds": pd.date_range("2024-02-05 09:00", periods=4, freq="15min"),
                          "y": [40.0, 80.0, 120.0, 60.0], "aht": 300.0})
    target = erlang.ServiceTarget(service_level=0.8, answer_within=20)
    sized = calibrate.size_calibrated(frame, 15, profile, target=target, mode="erlang-a")
    patience = profile["queues"]["default"]["patience"]["mean"]
    expected = erlang.size_intervals(frame, 15, erlang.ServiceTarget(model="erlang-a", patience=patience))
    assert sized["agents"].tolist() == expected["agents"].tolist()


def glitchy_log(n: int = 5000, seed: int = 2) -> tuple[pd.DataFrame, dict[str, int]]:
    """A synthetic month-like log with a few rows that cannot be real calls (under 2%)."""
    log = synthetic_log(n, seed=seed, patience_mean=120.0, wait_mean=30.0)
    log["arrival"] = log["arrival"].dt.strftime("%Y-%m-%d %H:%M:%S.%f")
    answered = np.flatnonzero(log["outcome"] == "answered")
    log.loc[answered[10:40], "handle"] = 0.0  # recording glitches: answered, no talk time
    log.loc[answered[50], "handle"] = -5.0
    log.loc[answered[60], "handle"] = np.inf
    log.loc[[70, 80], "wait"] = [-1.0, np.inf]
    log = pd.concat([log.iloc[:100], log.iloc[[99, 99]], log.iloc[100:]], ignore_index=True)
    far = pd.DataFrame([{**log.iloc[0].to_dict(), "arrival": "2099-12-31 23:59:00"}])
    log = pd.concat([log.iloc[:300], far, log.iloc[300:]], ignore_index=True)
    return log, {"handle_not_positive": 32, "bad_wait": 2, "duplicate": 2, "outside_dates": 1}


def test_glitch_rows_are_skipped_counted_and_written_beside_the_output(tmp_path):
    log, counts = glitchy_log()
    path = tmp_path / "calls.csv"
    log.to_csv(path, index=False)
    out = tmp_path / "history.csv"
    res = runner.invoke(app, ["calls", "aggregate", str(path), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert f"37 of {len(log):,} rows skipped as glitches (32 answered with handle time not > 0" in res.stderr
    rejected = pd.read_csv(tmp_path / "history.rejected.csv")
    assert rejected["reason"].value_counts().to_dict() == counts
    assert rejected.loc[rejected["reason"] == "duplicate", "row"].tolist() == [101, 102]
    assert rejected.loc[rejected["reason"] == "outside_dates", "arrival"].tolist() == ["2099-12-31 23:59:00"]
    history = pd.read_csv(out)
    assert history["y"].sum() == len(log) - 37
    assert np.isfinite(history["aht"].dropna()).all()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["calls.csv", "history.csv", "history.rejected.csv"]


def test_too_many_glitches_is_a_mapping_mistake(tmp_path):
    log, _ = glitchy_log()
    answered = np.flatnonzero(log["outcome"] == "answered")
    log.loc[answered[:200], "handle"] = 0.0  # about 4% of the rows
    path = tmp_path / "calls.csv"
    log.to_csv(path, index=False)
    out = tmp_path / "history.csv"
    res = runner.invoke(app, ["calls", "aggregate", str(path), "--out", str(out)])
    assert res.exit_code == 2
    assert "rows (4." in res.stderr and "cannot be real calls" in res.stderr and "mapping mistake" in res.stderr
    assert f"first: row {answered[0] + 1} is an answered call with handle time '0.0'" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1 and "Traceback" not in res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["calls.csv"]


def test_strict_refuses_at_the_first_bad_row(tmp_path):
    log, _ = glitchy_log()
    path = tmp_path / "calls.csv"
    log.to_csv(path, index=False)
    first = int(np.flatnonzero(log["outcome"] == "answered")[10]) + 1
    for command in ("aggregate", "profile"):
        out = tmp_path / ("history.csv" if command == "aggregate" else "profile.json")
        res = runner.invoke(app, ["calls", command, str(path), "--strict", "--out", str(out)])
        assert res.exit_code == 2, res.output
        assert res.stderr.strip() == f"error: {path}: row {first} is an answered call with handle time '0.0', expected seconds > 0."
        assert sorted(p.name for p in tmp_path.iterdir()) == ["calls.csv"]


def test_library_warns_about_skipped_rows():
    log, _ = glitchy_log()
    with pytest.warns(calls.CallsWarning, match="37 of .* rows skipped"):
        kept = calls.validate_calls(log, "log")
    assert len(kept) == len(log) - 37
    screened = calls.screen_calls(log, "log")
    assert screened.counts["handle_not_positive"] == 32 and len(screened.rejected) == 37
