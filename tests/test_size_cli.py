"""`wfm size` end to end: good runs in every format, and every bad input named in one sentence."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from wfm import erlang
from wfm.cli import app
from wfm.data import sample_path

runner = CliRunner()


def write_csv(tmp_path, text: str, name: str = "in.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


GOOD = "ds,y\n2024-04-01 09:00,100\n2024-04-01 09:15,120\n2024-04-01 09:30,0\n2024-04-01 09:45,80.5\n"


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_size_csv_matches_library(tmp_path):
    src = write_csv(tmp_path, GOOD)
    out = tmp_path / "req.csv"
    res = run("size", src, "--aht", 240, "--shrinkage", 0.25, "--out", out)
    assert res.exit_code == 0, res.output
    table = pd.read_csv(out)
    assert list(table.columns) == ["queue", "ds", "y", "aht", "agents", "scheduled", "service_level", "asa", "occupancy", "p_wait"]
    load = erlang.offered_load(table["y"], 240, 15)  # interval inferred from ds spacing
    expected = erlang.required_agents(load, 240.0, erlang.ServiceTarget())
    assert table["agents"].tolist() == expected.tolist()
    assert table["agents"].iloc[2] == 0
    assert table["scheduled"].tolist() == np.ceil(expected / 0.75 - 1e-9).astype(int).tolist()


@pytest.mark.parametrize("suffix", [".xlsx", ".parquet"])
def test_size_other_formats_round_trip(tmp_path, suffix):
    src = tmp_path / f"in{suffix}"
    frame = pd.read_csv(io.StringIO(GOOD))
    frame["aht"] = 300.0
    frame["queue"] = "orders"
    (frame.to_excel if suffix == ".xlsx" else frame.to_parquet)(src, index=False)
    out = tmp_path / f"req{suffix}"
    res = run("size", src, "--out", out, "--model", "erlang-a", "--patience", 90)
    assert res.exit_code == 0, res.output
    table = pd.read_excel(out) if suffix == ".xlsx" else pd.read_parquet(out)
    assert "p_abandon" in table.columns and set(table["queue"]) == {"orders"}
    assert (table["service_level"][table["y"] > 0] >= 0.8).all()


def test_size_to_stdout_with_asa_target(tmp_path):
    src = write_csv(tmp_path, GOOD)
    res = run("size", src, "--aht", 180, "--asa", 15, "--out", "-")
    assert res.exit_code == 0, res.output
    table = pd.read_csv(io.StringIO(res.stdout))
    assert (table["asa"] <= 15).all()


def test_size_bundled_sample_interval_inferred(tmp_path):
    out = tmp_path / "req.parquet"
    res = run("size", sample_path(), "--aht", 240, "--max-occupancy", 0.85, "--out", out)
    assert res.exit_code == 0, res.output
    table = pd.read_parquet(out)
    assert len(table) == 27716
    assert (table["occupancy"] <= 0.85 + 1e-12).all()


def test_multiple_queues_may_share_timestamps(tmp_path):
    src = write_csv(tmp_path, "queue,ds,y,aht\na,2024-01-01 09:00,10,200\nb,2024-01-01 09:00,20,200\na,2024-01-01 09:30,12,200\nb,2024-01-01 09:30,25,200\n")
    out = tmp_path / "o.csv"
    res = run("size", src, "--out", out)
    assert res.exit_code == 0, res.output
    assert len(pd.read_csv(out)) == 4


BAD_CASES = [
    ("missing ds", "time,y\n2024-01-01 09:00,1\n", [], ["missing column", "'ds'"]),
    ("missing y", "ds,calls\n2024-01-01 09:00,1\n", [], ["missing column", "'y'"]),
    ("text volume", GOOD.replace("120", "lots"), [], ["row 2", "'y'", "'lots'"]),
    ("negative volume", GOOD.replace("120", "-3"), [], ["row 2", "'y'", "-3"]),
    ("NaN volume", GOOD.replace(",120", ","), [], ["row 2", "'y'", "empty"]),
    ("nan literal", GOOD.replace("120", "nan"), [], ["row 2", "'y'"]),
    ("aht column zero", "ds,y,aht\n2024-01-01 09:00,1,200\n2024-01-01 09:15,1,0\n", [], ["row 2", "'aht'", "0"]),
    ("aht option zero", GOOD, ["--aht", "-5"], ["aht", "-5"]),
    ("bad timestamp", GOOD.replace("2024-04-01 09:30", "31/31/2024 25:00"), [], ["row 3", "'ds'", "31/31/2024 25:00"]),
    ("duplicate ds", GOOD.replace("09:15", "09:00"), [], ["row 2", "repeats", "2024-04-01 09:00"]),
    ("irregular spacing", GOOD.replace("09:30", "09:35"), [], ["irregular spacing", "--interval"]),
    ("service level", GOOD, ["--service-level", "1.2"], ["service_level", "1.2"]),
    ("service level zero", GOOD, ["--service-level", "0"], ["service_level", "0"]),
    ("max occupancy", GOOD, ["--max-occupancy", "1.5"], ["max_occupancy", "1.5"]),
    ("max occupancy zero", GOOD, ["--max-occupancy", "0"], ["max_occupancy", "0"]),
    ("shrinkage", GOOD, ["--shrinkage", "1"], ["shrinkage", "1"]),
    ("negative shrinkage", GOOD, ["--shrinkage", "-0.1"], ["shrinkage", "-0.1"]),
    ("erlang a without patience", GOOD, ["--model", "erlang-a"], ["patience"]),
    ("no aht anywhere", GOOD, ["NOAHT"], ["aht"]),
]


@pytest.mark.parametrize("name, text, extra, phrases", BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_bad_input_is_one_sentence_and_leaves_nothing(tmp_path, name, text, extra, phrases):
    src = write_csv(tmp_path, text)
    out = tmp_path / "out.csv"
    args = ["size", src, "--out", out]
    if extra == ["NOAHT"]:
        extra = []
    elif "--aht" not in extra:
        args += ["--aht", "240"]
    res = run(*args, *extra)
    assert res.exit_code == 2, (res.exit_code, res.output)
    message = res.stderr.strip()
    assert message.startswith("error: ") and "\n" not in message and "Traceback" not in res.output
    for phrase in phrases:
        assert phrase in message, (phrase, message)
    if name not in ("aht option zero", "service level", "service level zero", "max occupancy",
                    "max occupancy zero", "shrinkage", "negative shrinkage", "erlang a without patience", "no aht anywhere"):
        assert str(src) in message  # the file is named
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [src]  # no temporary file left behind either


def test_failed_run_keeps_previous_output(tmp_path):
    src = write_csv(tmp_path, GOOD.replace("120", "-1"))
    out = tmp_path / "req.csv"
    out.write_text("previous,result\n1,2\n")
    res = run("size", src, "--aht", 200, "--out", out)
    assert res.exit_code == 2
    assert out.read_text() == "previous,result\n1,2\n"


def test_missing_file_and_bad_output_type(tmp_path):
    res = run("size", tmp_path / "nope.csv", "--aht", 200, "--out", tmp_path / "o.csv")
    assert res.exit_code == 2 and "file not found" in res.stderr
    src = write_csv(tmp_path, GOOD)
    res = run("size", src, "--aht", 200, "--out", tmp_path / "o.txt")
    assert res.exit_code == 2 and "unsupported output type '.txt'" in res.stderr


def test_interval_option_sums_finer_data_and_refuses_to_split(tmp_path):
    fine = write_csv(tmp_path, "ds,y\n" + "".join(f"2024-04-01 09:{m:02d},{10 + m}\n" for m in range(0, 60, 5)))
    out = tmp_path / "req.csv"
    res = run("size", fine, "--aht", 240, "--interval", 15, "--out", out)
    assert res.exit_code == 0, res.output
    table = pd.read_csv(out)
    # Four 15-minute intervals, each the sum of three 5-minute ones (not 5-minute rows mislabelled).
    assert table["y"].tolist() == [45.0, 90.0, 135.0, 180.0]  # 10+15+20, 25+30+35, ...
    load = erlang.offered_load(table["y"], 240, 15)
    assert table["agents"].tolist() == erlang.required_agents(load, 240.0, erlang.ServiceTarget()).tolist()
    coarse = write_csv(tmp_path, GOOD, "coarse.csv")
    res = run("size", coarse, "--aht", 240, "--interval", 5, "--out", tmp_path / "x.csv")
    assert res.exit_code == 2 and "15-minute intervals, which cannot make 5-minute" in res.stderr
    res = run("size", coarse, "--aht", 240, "--interval", 20, "--out", tmp_path / "x.csv")
    assert res.exit_code == 2 and "--interval 15 or a multiple" in res.stderr
