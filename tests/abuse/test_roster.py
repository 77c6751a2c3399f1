"""Abuse cases of `wfm roster --curtois` run through the real CLI in a subprocess:
one sentence on stderr, exit code 2, no traceback, nothing written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

WORKTREE = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "text, limit, expected",
    [
        ("", "5", "the section SECTION_HORIZON is missing or empty"),
        ("SECTION_HORIZON\n0\nSECTION_SHIFTS\nD,480,\nSECTION_STAFF\nA,D=1,480,0,1,1,1,1\n", "5",
         "line 2 (SECTION_HORIZON): horizon length 0 is out of range"),
        ("SECTION_HORIZON\n7\nSECTION_SHIFTS\nD,480,\nSECTION_STAFF\nA,D=1,480,0,1,1,1,1\n", "inf",
         "--time-limit inf: expected a positive number of seconds"),
        ("SECTION_HORIZON\n7\nSECTION_SHIFTS\nD,480,D|\nD,600,\nSECTION_STAFF\nA,D=1,480,0,1,1,1,1\n", "5", "line 5 (SECTION_SHIFTS): shift ID 'D' is defined twice"),
    ],
    ids=["empty-file", "zero-horizon", "infinite-limit", "duplicate-shift"],
)
def test_roster_bad_input_subprocess(tmp_path, text, limit, expected):
    instance = tmp_path / "bad.txt"
    instance.write_text(text)
    env = {**os.environ, "PYTHONPATH": str(WORKTREE)}
    done = subprocess.run(
        [sys.executable, "-m", "wfm.cli", "roster", "--curtois", str(instance), "--time-limit", limit,
         "--out", str(tmp_path / "out")],
        capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path,
    )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0] and "Traceback" not in done.stderr, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.txt"]
