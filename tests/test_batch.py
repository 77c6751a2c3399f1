"""`wfm batch`: many scenarios, locally or on Dask, with failures isolated and reruns skipped."""

from __future__ import annotations

import pandas as pd
import pytest
from factories import write_history, write_scenario
from typer.testing import CliRunner

from wfm import batch
from wfm.cli import app
from wfm.errors import InputError

runner = CliRunner()


@pytest.fixture()
def scenarios(tmp_path):
    folder = tmp_path / "scenarios"
    folder.mkdir()
    write_history(folder / "history.csv")
    write_scenario(folder, "north")
    write_scenario(folder, "south", service_level=0.9)
    write_scenario(folder, "broken", group="team-a")  # its shift names a group that does not exist
    return folder


def test_batch_isolates_failures_and_writes_index(scenarios, tmp_path):
    out = tmp_path / "out"
    res = runner.invoke(app, ["batch", str(scenarios), "--out", str(out), "--workers", "2"])
    assert res.exit_code == 1, res.output  # some failed
    index = pd.read_csv(out / "index.csv")
    assert index["scenario"].tolist() == ["broken", "north", "south"]
    status = dict(zip(index["scenario"], index["status"], strict=False))
    assert status == {"broken": "failed", "north": "ok", "south": "ok"}
    failures = pd.read_csv(out / "failures.csv")
    assert failures["scenario"].tolist() == ["broken"]
    assert "shift[0].group: 'agents' is not a group name" in failures["error"].iloc[0]
    ok = index[index["status"] == "ok"].set_index("scenario")
    assert (ok["cost"] > 0).all() and (ok["fte"] > 0).all() and ok["service_level"].notna().all()
    # A higher target costs more.
    assert ok.loc["south", "cost"] > ok.loc["north", "cost"]
    assert (out / "north" / "schedule.xlsx").is_file() and not (out / "broken").exists()
    assert "failed: broken" in res.stderr


def test_rerun_skips_unchanged_and_reruns_changed(scenarios, tmp_path):
    out = tmp_path / "out"
    first = batch.run_batch([scenarios / "north.toml", scenarios / "south.toml"], out, workers=1)
    assert set(first.index["status"]) == {"ok"}
    stamp = (out / "north" / "schedule.csv").stat().st_mtime_ns
    again = batch.run_batch([scenarios / "north.toml", scenarios / "south.toml"], out, workers=1)
    assert again.index["status"].tolist() == ["skipped", "skipped"]
    assert again.index["cost"].tolist() == first.index["cost"].tolist()  # read back from kpis.json
    assert (out / "north" / "schedule.csv").stat().st_mtime_ns == stamp
    # Changing an input file (not the scenario) changes the hash too.
    hist = scenarios / "history.csv"
    lines = hist.read_text().splitlines()
    lines[-1] = lines[-1].rsplit(",", 1)[0] + ",99"  # one interval's volume changes
    hist.write_text("\n".join(lines) + "\n")
    changed = batch.run_batch([scenarios / "north.toml"], out, workers=1)
    assert changed.index["status"].tolist() == ["ok"]
    forced = batch.run_batch([str(scenarios / "s*.toml")], out, workers=1, force=True)
    assert forced.index["scenario"].tolist() == ["south"] and forced.index["status"].tolist() == ["ok"]


def test_dask_cluster_gives_identical_results(scenarios, tmp_path):
    from dask.distributed import Client, LocalCluster

    local = batch.run_batch([scenarios / "north.toml"], tmp_path / "local", workers=1)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        remote = batch.run_batch([scenarios / "north.toml"], tmp_path / "dask", client=client)
    assert remote.index["status"].tolist() == ["ok"]
    for name in ("schedule.csv", "coverage.csv", "requirements.csv", "verification.csv"):
        assert (tmp_path / "local" / "north" / name).read_bytes() == (tmp_path / "dask" / "north" / name).read_bytes()
    assert remote.index["cost"].tolist() == local.index["cost"].tolist()


def test_unreachable_scheduler_is_one_sentence(scenarios, tmp_path):
    res = runner.invoke(app, ["batch", str(scenarios / "north.toml"), "--out", str(tmp_path / "out"),
                              "--scheduler", "tcp://127.0.0.1:9"])
    assert res.exit_code == 2, res.output
    assert "--scheduler: could not reach a Dask scheduler at 'tcp://127.0.0.1:9'" in res.stderr
    assert "Traceback" not in res.output


def test_bad_arguments(tmp_path):
    with pytest.raises(InputError, match="no such scenario file"):
        batch.run_batch([tmp_path / "missing.toml"], tmp_path / "out")
    with pytest.raises(InputError, match="matches no scenario files"):
        batch.run_batch([str(tmp_path / "*.toml")], tmp_path / "out")
    folder = tmp_path / "dup"
    write_scenario(folder, "same")
    (folder / "copy.toml").write_text((folder / "same.toml").read_text())
    with pytest.raises(InputError, match="scenario name 'same' is also used"):
        batch.run_batch([folder], tmp_path / "out")
