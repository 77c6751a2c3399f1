"""``export.atomic_dir``: an output folder appears whole or not at all, with nothing left beside it."""

from __future__ import annotations

import os

import pytest

from wfm import export
from wfm.errors import InputError


def _tree(folder):
    """Every file under ``folder`` with its text."""
    return {str(p.relative_to(folder)): p.read_text() for p in sorted(folder.rglob("*")) if p.is_file()}


def _old_folder(tmp_path):
    out = tmp_path / "out"
    (out / "sub").mkdir(parents=True)
    (out / "kpis.json").write_text("old")
    (out / "sub" / "table.csv").write_text("old table")
    return out


def test_success_replaces_the_old_folder_and_leaves_nothing_beside_it(tmp_path):
    out = _old_folder(tmp_path)
    with export.atomic_dir(out) as tmp:
        assert tmp.parent == tmp_path and tmp.name.startswith(".out.") and tmp.is_dir()
        assert _tree(out) == {"kpis.json": "old", "sub/table.csv": "old table"}  # untouched while writing
        (tmp / "kpis.json").write_text("new")
    assert _tree(out) == {"kpis.json": "new"}  # the old folder's other files are gone too
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_target_that_did_not_exist_is_created(tmp_path):
    out = tmp_path / "fresh"
    with export.atomic_dir(str(out)) as tmp:  # a str is accepted like a Path
        (tmp / "a.csv").write_text("x")
    assert _tree(out) == {"a.csv": "x"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fresh"]


@pytest.mark.parametrize("error", [RuntimeError("solver blew up"), KeyboardInterrupt()])
def test_an_exception_keeps_the_old_folder_exactly_and_removes_the_temporary_one(tmp_path, error):
    out = _old_folder(tmp_path)
    before = _tree(out)
    with pytest.raises(type(error)):
        with export.atomic_dir(out) as tmp:
            (tmp / "kpis.json").write_text("half")
            raise error
    assert _tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_an_exception_without_an_old_folder_leaves_nothing(tmp_path):
    with pytest.raises(ValueError):
        with export.atomic_dir(tmp_path / "out") as tmp:
            (tmp / "a.csv").write_text("x")
            raise ValueError("bad row")
    assert list(tmp_path.iterdir()) == []


def test_a_refused_swap_keeps_the_old_folder(tmp_path, monkeypatch):
    # A batch worker whose run was killed refuses the swap (export.swap_guard).
    out = _old_folder(tmp_path)
    before = _tree(out)

    def refuse():
        raise SystemExit("batch run gone")

    monkeypatch.setattr(export, "swap_guard", refuse)
    with pytest.raises(SystemExit):
        with export.atomic_dir(out) as tmp:
            (tmp / "kpis.json").write_text("new")
    assert _tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_failed_move_puts_the_old_folder_back(tmp_path, monkeypatch):
    # The old folder is moved aside first; if the new one then cannot be moved in, it returns.
    out = _old_folder(tmp_path)
    before = _tree(out)
    real_replace = os.replace
    calls = []

    def flaky(src, dst):
        calls.append((os.fspath(src), os.fspath(dst)))
        if len(calls) == 2:  # the temporary folder onto the target
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(export.os, "replace", flaky)
    with pytest.raises(OSError, match="No space"):
        with export.atomic_dir(out) as tmp:
            (tmp / "kpis.json").write_text("new")
    assert len(calls) == 3  # aside, (failed) in, back
    assert _tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_bad_targets_are_one_sentence_before_any_work(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    ran = []
    with pytest.raises(InputError, match="exists and is not a folder"):
        with export.atomic_dir(blocker):
            ran.append(True)
    with pytest.raises(InputError, match="does not exist"):
        with export.atomic_dir(tmp_path / "missing" / "out"):
            ran.append(True)
    assert not ran
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_one_check_out_dir():
    # The quote package, the plan, the schedule and the roster all use the export's check.
    from wfm import quote

    assert quote.check_out_dir is export.check_out_dir
    assert not hasattr(export, "check_output_folder")  # the former alias is gone


def test_roster_folder_is_atomic(tmp_path, monkeypatch):
    # `wfm roster` builds its folder through atomic_dir: a failure while writing leaves an
    # older folder exactly as it was and no temporary folder behind.
    from wfm.roster import run

    out = tmp_path / "roster"
    out.mkdir()
    (out / "old.txt").write_text("published")

    def broken(result, folder, *, title=""):
        (folder / "half.csv").write_text("x")
        raise RuntimeError("disk full")

    monkeypatch.setattr(run, "make_roster", lambda *a, **k: None)
    monkeypatch.setattr(run, "write_roster", broken)
    monkeypatch.setattr("wfm.scenario.load_scenario", lambda path: type("S", (), {"name": "s", "roster": None})())
    monkeypatch.setattr(run, "roster_file", lambda scenario, folder: None)
    with pytest.raises(RuntimeError, match="disk full"):
        run.roster_files(tmp_path / "s.toml", out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["roster"]
    assert [p.name for p in out.iterdir()] == ["old.txt"]
