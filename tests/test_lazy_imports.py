"""Heavy stacks are imported only where they are used, and test-only packages never.

`wfm size` without ``--profile`` needs pandas, numpy, scipy.special and Arrow's CSV
writer; the calibration stack (lifelines), the forecasting stack (statsforecast), the
solver (ortools) and the app (streamlit) cost seconds of start-up it never uses.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOT_FOR_SIZE = {"lifelines", "statsforecast", "ortools", "streamlit", "matplotlib", "dask", "distributed", "openpyxl"}
# References the tests and benchmarks check wfm against (the [dev] extra), not wfm's own.
TEST_ONLY = {"pyworkforce", "ciw", "hypothesis", "pytest", "playwright"}


def imported_by(args: list[str], cwd: Path) -> set[str]:
    """Top-level names of every module a `python -m wfm.cli ARGS` process imports."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    res = subprocess.run([sys.executable, "-X", "importtime", "-m", "wfm.cli", *args],
                         capture_output=True, text=True, cwd=cwd, env=env, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    names = set()
    for line in res.stderr.splitlines():
        if line.startswith("import time:") and line.count("|") == 2:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    assert "pandas" in names or args == ["--help"]  # the parse saw the imports
    return names


def test_wfm_size_imports_no_heavy_stack(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("ds,y\n2024-04-01 09:00,100\n2024-04-01 09:15,120\n2024-04-01 09:30,0\n")
    names = imported_by(["size", str(src), "--aht", "240", "--out", str(tmp_path / "out.csv")], tmp_path)
    assert (tmp_path / "out.csv").exists()
    assert not names & NOT_FOR_SIZE, sorted(names & NOT_FOR_SIZE)
    assert "wfm" in names and not names & TEST_ONLY


def test_wfm_help_imports_no_data_stack(tmp_path):
    names = imported_by(["--help"], tmp_path)
    assert not names & (NOT_FOR_SIZE | {"pandas", "scipy", "pyarrow"}), sorted(names & (NOT_FOR_SIZE | {"pandas"}))


def test_the_package_never_imports_a_test_only_reference():
    found = []
    for path in sorted((ROOT / "wfm").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            found += [f"{path.relative_to(ROOT)}:{node.lineno} {n}" for n in names if n.split(".")[0] in TEST_ONLY]
    assert not found
