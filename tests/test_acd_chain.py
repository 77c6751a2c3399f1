"""Issue #11: a real-looking ACD log through `calls aggregate` -> `forecast` -> `size` -> `plan`.

Nothing is edited by hand between the commands: what one writes, the next reads. The
log has quiet intervals (no calls; only abandoned calls) and recording glitches.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from factories import DROP, write_scenario
from typer.testing import CliRunner

from wfm.cli import app

runner = CliRunner()
TZ = "Asia/Tokyo"


def acd_log(seed: int = 0) -> tuple[pd.DataFrame, dict[str, int]]:
    """Three weeks of weekday calls 09:00-17:00 with quiet spells and a few glitch rows."""
    rng = np.random.default_rng(seed)
    rows = []
    for day in pd.bdate_range("2024-03-04", periods=15):
        for k in range(16):  # 30-minute intervals 09:00 .. 16:30
            start = day + pd.Timedelta(minutes=540 + 30 * k)
            if k == 6 and day.weekday() == 2:  # Wednesdays 12:00: nobody calls
                continue
            n = 1 if (k == 7 and day.weekday() == 3) else rng.poisson(30 * (1 + 0.5 * np.exp(-((k - 7) ** 2) / 8)))
            for offset in np.sort(rng.uniform(0, 1800, n)):
                patience, virtual = rng.exponential(150.0), rng.exponential(25.0)
                lone = n == 1  # Thursdays 12:30: one caller, who hangs up
                abandoned = lone or patience < virtual
                rows.append({
                    "arrival": start + pd.Timedelta(seconds=float(offset)),
                    "wait": 40.0 if lone else float(min(patience, virtual)),
                    "handle": 0.0 if abandoned else float(rng.lognormal(np.log(280), 0.6)),
                    "outcome": "abandoned" if abandoned else "answered",
                })
    log = pd.DataFrame(rows)
    log["arrival"] = log["arrival"].dt.strftime("%Y-%m-%d %H:%M:%S")
    glitch = log.copy()
    answered = np.flatnonzero(glitch["outcome"] == "answered")
    # About 1% of the rows are glitches (the bar): handle times of 0 spread over the month.
    zero_handle = answered[np.linspace(100, len(answered) - 100, 63).astype(int)]
    glitch.loc[zero_handle, "handle"] = 0.0
    glitch.loc[answered[3000], "handle"] = np.inf
    glitch.loc[answered[1500], "wait"] = -3.0
    glitch = pd.concat([glitch.iloc[:500], glitch.iloc[[499]], glitch.iloc[500:]], ignore_index=True)  # a row twice
    epoch = pd.DataFrame([{"arrival": "1970-01-01 00:00:00", "wait": 0.0, "handle": 200.0, "outcome": "answered"}])
    glitch = pd.concat([glitch.iloc[:1200], epoch, glitch.iloc[1200:]], ignore_index=True)
    counts = {"handle_not_positive": len(zero_handle) + 1, "bad_wait": 1, "duplicate": 1, "outside_dates": 1}
    return glitch, counts


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    folder = tmp_path_factory.mktemp("acd")
    log, counts = acd_log()
    log.to_csv(folder / "calls.csv", index=False)
    results = {"folder": folder, "counts": counts, "rows": len(log)}
    results["aggregate"] = runner.invoke(app, ["calls", "aggregate", str(folder / "calls.csv"), "--interval", "30",
                                               "--timezone", TZ, "--out", str(folder / "history.csv")])
    results["profile"] = runner.invoke(app, ["calls", "profile", str(folder / "calls.csv"), "--timezone", TZ,
                                             "--out", str(folder / "profile.json")])
    results["forecast"] = runner.invoke(app, ["forecast", "--history", str(folder / "history.csv"), "--horizon", "7d",
                                              "--folds", "2", "--timezone", TZ, "--out", str(folder / "forecast.csv")])
    results["size"] = runner.invoke(app, ["size", str(folder / "history.csv"), "--out", str(folder / "sized.csv")])
    results["size_a"] = runner.invoke(app, ["size", str(folder / "history.csv"), "--profile", str(folder / "profile.json"),
                                            "--model", "erlang-a", "--out", str(folder / "sized_a.csv")])
    write_scenario(folder, "acd", changes={"queue.0.aht": DROP, "queue.0.patience": DROP,
                                           "queue.0.profile": "profile.json", "queue.0.sizing": "erlang-a"})
    results["plan"] = runner.invoke(app, ["plan", str(folder / "acd.toml"), "--out", str(folder / "plan")])
    return results


def test_aggregate_skips_glitches_and_says_so(chain):
    res, folder, counts = chain["aggregate"], chain["folder"], chain["counts"]
    assert res.exit_code == 0, res.output
    total = sum(counts.values())
    assert f"{total} of {chain['rows']:,} rows skipped as glitches" in res.stderr
    rejected = pd.read_csv(folder / "history.rejected.csv")
    assert rejected["reason"].value_counts().to_dict() == counts
    assert list(rejected.columns[:2]) == ["row", "reason"]
    raw = pd.read_csv(folder / "calls.csv")
    # Each skipped row is the file's row, as it was read.
    for _, r in rejected.iterrows():
        assert raw.iloc[r["row"] - 1]["arrival"] == r["arrival"]
    history = pd.read_csv(folder / "history.csv")
    assert history["answered"].sum() + history["abandoned"].sum() == chain["rows"] - total
    quiet = history[history["y"] == 0]
    lone = history[(history["y"] > 0) & (history["answered"] == 0)]
    assert len(quiet) >= 3 and quiet["aht"].isna().all()  # the Wednesday lunches
    assert len(lone) >= 3 and lone["aht"].isna().all()  # Thursdays' lone hang-ups
    assert history["ds"].str.endswith("+09:00").all()  # converted to the named zone


def test_profile_notes_the_skipped_rows(chain):
    res, folder = chain["profile"], chain["folder"]
    assert res.exit_code == 0, res.output
    profile = json.loads((folder / "profile.json").read_text())
    assert profile["log"]["rejected"] == chain["counts"]
    assert profile["log"]["rows"] == chain["rows"]
    assert any("skipped as glitches" in note for note in profile["notes"])
    assert (folder / "profile.rejected.csv").exists()


def test_forecast_reads_the_aggregate_and_ignores_empty_aht(chain):
    res, folder = chain["forecast"], chain["folder"]
    assert res.exit_code == 0, res.output
    fc = pd.read_csv(folder / "forecast.csv")
    assert np.isfinite(fc["aht_hat"]).all()
    # Volume-weighted AHT of the answered calls, not dragged by empty intervals.
    assert 200 < fc["aht_hat"].mean() < 400


def test_size_reads_the_aggregate(chain):
    folder = chain["folder"]
    for key, name in (("size", "sized.csv"), ("size_a", "sized_a.csv")):
        assert chain[key].exit_code == 0, chain[key].output
        sized = pd.read_csv(folder / name)
        history = pd.read_csv(folder / "history.csv")
        assert len(sized) == len(history)
        assert (sized.loc[sized["y"] == 0, "agents"] == 0).all()  # no calls, no agents
        # Calls that were all abandoned still need someone to answer them.
        lone = (history["y"] > 0) & (history["answered"] == 0)
        assert (sized.loc[lone.to_numpy(), "agents"] > 0).all()
        assert np.isfinite(sized.loc[lone.to_numpy(), "aht"]).all()


def test_plan_reads_the_aggregate_and_profile(chain):
    res, folder = chain["plan"], chain["folder"]
    assert res.exit_code == 0, res.output
    kpis = json.loads((folder / "plan" / "kpis.json").read_text())
    assert kpis["horizon"]["timezone"] == TZ


def test_plan_folder_has_one_timestamp_convention(chain):
    """forecast.csv and requirements.csv wrote '+09:00' while coverage.csv did not: no join."""
    assert chain["plan"].exit_code == 0, chain["plan"].output
    plan = chain["folder"] / "plan"
    tables = {name: pd.read_csv(plan / f"{name}.csv") for name in ("forecast", "requirements", "coverage", "verification")}
    for name, table in tables.items():
        assert not table["ds"].astype(str).str.contains(r"[+-]\d\d:\d\d$|Z$").any(), name
        pd.to_datetime(table["ds"], format="%Y-%m-%d %H:%M:%S")  # plain wall-clock time
    req, cov = tables["requirements"], tables["coverage"]
    joined = req.merge(cov, on="ds")
    assert len(joined) == len(req) > 0
    assert set(req["ds"]) <= set(tables["forecast"]["ds"])
    assert set(tables["verification"]["ds"]) == set(req["ds"])
    # The zone those wall-clock times are in is named in kpis.json.
    assert json.loads((plan / "kpis.json").read_text())["horizon"]["timezone"] == TZ


def test_empty_aht_only_where_no_call_was_answered():
    from wfm import data, erlang
    from wfm.errors import InputError

    table = pd.DataFrame({"ds": pd.date_range("2024-03-04 09:00", periods=4, freq="30min"),
                          "y": [10.0, 0.0, 2.0, 12.0], "aht": [300.0, np.nan, np.nan, 200.0],
                          "answered": [9, 0, 0, 11]})
    frame, minutes = data.validate_intervals(table, "history.csv")
    assert frame["aht"].isna().tolist() == [False, True, True, False]
    sized = erlang.size_intervals(frame, minutes)
    assert sized["agents"].tolist()[1] == 0 and np.isnan(sized["aht"].iloc[1])
    # Two calls that were all abandoned: sized at the queue's volume-weighted AHT.
    assert sized["aht"].iloc[2] == pytest.approx((10 * 300 + 12 * 200) / 22)
    assert sized["agents"].iloc[2] > 0
    # Where calls were answered, an empty aht is still a mistake, named with its row.
    broken = table.assign(answered=[9, 0, 1, 11])
    with pytest.raises(InputError, match=r"history.csv: row 3, column 'aht' is empty"):
        data.validate_intervals(broken, "history.csv")
    with pytest.raises(InputError, match=r"row 2, column 'aht' is empty"):
        data.validate_intervals(table.drop(columns="answered").assign(y=[10.0, 3.0, 0.0, 12.0]), "history.csv")


def test_plan_files_of_a_clean_history_share_wall_clock_ds(tmp_path):
    """The timestamp convention alone, on the fixtures' history (no call log involved)."""
    from wfm import plan

    path = write_scenario(tmp_path / "s")
    plan.plan_to_directory(path, tmp_path / "out")
    forecast = pd.read_csv(tmp_path / "out" / "forecast.csv")
    requirements = pd.read_csv(tmp_path / "out" / "requirements.csv")
    coverage = pd.read_csv(tmp_path / "out" / "coverage.csv")
    assert forecast["ds"].iloc[0] == "2024-03-25 09:00:00"
    assert len(requirements.merge(coverage, on="ds")) == len(requirements)
    assert set(requirements["ds"]) <= set(forecast["ds"])


def test_summing_intervals_weights_aht_by_the_calls_that_have_one():
    """An all-abandoned 15-minute interval must not dilute the 30-minute AHT."""
    from wfm import data

    table = pd.DataFrame({"ds": pd.date_range("2024-03-04 09:00", periods=4, freq="15min"),
                          "y": [10.0, 5.0, 0.0, 4.0], "aht": [300.0, np.nan, np.nan, 200.0],
                          "answered": [10, 0, 0, 4]})
    frame, minutes = data.validate_intervals(table, "history.csv")
    out = data.aggregate_intervals(frame, minutes, 30)
    assert out["y"].tolist() == [15.0, 4.0]
    assert out["aht"].tolist() == [300.0, 200.0]


def test_plan_reports_erlang_a_with_the_patience_it_sized_with(chain):
    """The verification's closed form is the model the plan sized with, not Erlang C."""
    from wfm import erlang

    assert chain["plan"].exit_code == 0, chain["plan"].output
    folder = chain["folder"]
    patience = json.loads((folder / "profile.json").read_text())["queues"]["default"]["patience"]["mean"]
    ver = pd.read_csv(folder / "plan" / "verification.csv")
    req = pd.read_csv(folder / "plan" / "requirements.csv")
    busy = (req["y"] > 0).to_numpy() & (ver["agents"] > 0).to_numpy()
    load = req["y"] * req["aht"] / 1800
    expected = erlang.erlang_a(ver["agents"][busy], load[busy], req["aht"][busy], patience, 20).service_level
    assert np.allclose(ver.loc[busy, "erlang_service_level"], expected, atol=1e-6)
