"""Issue #13, security: scenario names as folders, formula injection, the app's file reads.

Each test is an attack that worked before the fix: a scenario name that leaves or
replaces ``--out``, a name that lands as a live formula in a spreadsheet, an uploaded
scenario that makes the app read a file of the server's own disk.
"""

from __future__ import annotations

import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # plan_fixtures lives in tests/

from plan_fixtures import write_scenario  # noqa: E402

from wfm import batch, export  # noqa: E402
from wfm.cli import app  # noqa: E402
from wfm.errors import InputError, shown  # noqa: E402

runner = CliRunner()


def named(folder: Path, file_stem: str, name: str) -> Path:
    """A small scenario file ``file_stem.toml`` whose ``name`` is ``name``."""
    path = write_scenario(folder, file_stem)
    text = path.read_text(encoding="utf-8")
    escaped = name.replace("\\", "\\\\").replace('"', '\\"')
    path.write_text(text.replace(f'name = "{file_stem}"', f'name = "{escaped}"', 1), encoding="utf-8")
    return path


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def refused(res, *words: str) -> None:
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    # (batch's progress bar may precede it: that is not a message)
    lines = [line for line in res.stderr.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1 and lines[0].count(". ") == 0, res.stderr
    for word in words:
        assert word in lines[0], lines[0]


# --- 1. scenario names are folder names inside --out -------------------------------


def test_absolute_name_of_an_existing_folder_is_not_replaced(tmp_path):
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "precious.txt").write_text("keep me")
    named(tmp_path / "sc", "abs", str(victim))
    out = tmp_path / "out"
    res = runner.invoke(app, ["batch", str(tmp_path / "sc" / "abs.toml"), "--out", str(out), "--workers", "1"])
    # The name maps to one folder inside --out; the victim folder is untouched.
    assert (victim / "precious.txt").read_text() == "keep me" and tree(victim) == {"precious.txt": b"keep me"}
    assert res.exit_code == 0, res.output
    index = pd.read_csv(out / "index.csv")
    target = Path(index["out_dir"].iloc[0])
    assert target.parent == out and (target / "schedule.xlsx").is_file()
    assert index["scenario"].iloc[0] == str(victim)


@pytest.mark.parametrize("name", [".", "..", "  ", "CON", "nul.txt", "index.csv", "failures.csv"])
def test_names_that_cannot_be_a_folder_are_refused_before_any_work(tmp_path, name):
    out = tmp_path / "out"
    out.mkdir()
    (out / "earlier.txt").write_text("an earlier run")
    path = named(tmp_path / "sc", "odd", name)
    before = tree(tmp_path)
    res = runner.invoke(app, ["batch", str(path), "--out", str(out)])
    refused(res, str(path), "name")
    assert tree(tmp_path) == before  # nothing written, nothing removed


def test_traversal_name_stays_inside_out(tmp_path):
    folder = tmp_path / "a" / "b" / "c"
    named(folder, "up", "../../../../elsewhere/pwned")
    out = tmp_path / "a" / "b" / "c" / "out"
    res = runner.invoke(app, ["batch", str(folder / "up.toml"), "--out", str(out), "--workers", "1"])
    assert res.exit_code == 0, res.output
    assert not (tmp_path / "elsewhere").exists()
    written = [p for p in tmp_path.rglob("*") if p.is_file() and out not in p.parents and p.parent != folder]
    assert written == []
    folders = [p.name for p in out.iterdir() if p.is_dir()]
    assert len(folders) == 1 and "/" not in folders[0] and not folders[0].startswith(".")


def test_readable_names_keep_their_folder(tmp_path):
    assert export.safe_folder_name("山田", "x") == "山田"
    assert export.safe_folder_name("bank week 1", "x") == "bank week 1"
    assert export.safe_folder_name("a/b\\c:d\x00e\nf", "x") == "a_b_c_d_e_f"
    assert export.safe_folder_name(".hidden", "x") == "_hidden"
    with pytest.raises(InputError, match="too long"):
        export.safe_folder_name("山" * 60, "x")


def test_names_that_share_a_folder_are_duplicates(tmp_path):
    sc = tmp_path / "sc"
    named(sc, "one", "team/a")
    named(sc, "two", "team:a")
    out = tmp_path / "out"
    res = runner.invoke(app, ["batch", str(sc), "--out", str(out)])
    refused(res, "same folder", "team_a")
    assert not out.exists()
    # Case-insensitive file systems would merge these too.
    named(sc, "two", "TEAM/A")
    with pytest.raises(InputError, match="same folder"):
        batch.run_batch([sc], out)


def test_a_link_inside_out_is_not_followed(tmp_path):
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "precious.txt").write_text("keep me")
    out = tmp_path / "out"
    out.mkdir()
    (out / "north").symlink_to(victim, target_is_directory=True)
    path = named(tmp_path / "sc", "north", "north")
    res = runner.invoke(app, ["batch", str(path), "--out", str(out)])
    refused(res, "inside")
    assert tree(victim) == {"precious.txt": b"keep me"} and (out / "north").is_symlink()
