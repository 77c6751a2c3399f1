"""The wheel works outside the checkout: built from the tree, installed in a fresh virtual
environment, it runs `wfm plan` on its bundled example and starts the app.

Nothing is downloaded: the wheel is installed with ``--no-deps`` and the new
environment sees the test environment's dependencies through a ``.pth`` file naming
that environment's ``site-packages`` (path lines of a ``.pth`` are appended to
``sys.path``, but ``.pth`` files inside the appended folder are not run, so an
editable install of the checkout there does not leak in: a test checks
``wfm.__file__``). ``PYTHONPATH`` is removed for the same reason.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import time
import tomllib
import urllib.request
import venv
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
# What a wheel is built from: the project's files, not the checkout's caches and outputs.
TREE = ["pyproject.toml", "README.md", "LICENSE", "wfm"]


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("wheel")
    src = base / "src"
    src.mkdir()
    for name in TREE:
        copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copy2
        copy(ROOT / name, src / name, **({"ignore": shutil.ignore_patterns("__pycache__")} if copy is shutil.copytree else {}))
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["PYTHONNOUSERSITE"] = "1"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q",
                    "-w", str(base / "dist"), str(src)], check=True, env=env, cwd=base)
    (wheel,) = (base / "dist").glob("wfm-*.whl")

    target = base / "venv"
    venv.EnvBuilder(with_pip=False).create(target)
    python = target / ("Scripts" if os.name == "nt" else "bin") / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                               check=True, capture_output=True, text=True, env=env).stdout.strip())
    (site / "_test_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "-q",
                    str(wheel)], check=True, env=env, cwd=base)
    work = base / "work"  # a cwd outside the checkout, where only the requested output may appear
    work.mkdir()
    return {"python": python, "bin": python.parent, "site": site, "env": env, "work": work, "wheel": wheel}


def run_python(installed: dict, code: str) -> str:
    res = subprocess.run([str(installed["python"]), "-c", code], capture_output=True, text=True,
                         env=installed["env"], cwd=installed["work"], timeout=300)
    assert res.returncode == 0, res.stderr
    return res.stdout.strip()


def test_the_installed_package_is_the_wheel_not_the_checkout(installed):
    where = run_python(installed, "import wfm, importlib.metadata as m; print(wfm.__file__); print(wfm.__version__);"
                                  "print(m.version('wfm')); from wfm.resources import sample_path; print(sample_path())")
    module, version, meta_version, sample = where.splitlines()
    assert Path(module).is_relative_to(installed["site"])
    assert Path(sample).is_relative_to(installed["site"]) and Path(sample).is_file()
    # one version source: pyproject reads it from wfm/__init__.py
    assert version == meta_version
    assert "version" in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dynamic"]
    names = subprocess.run([sys.executable, "-m", "zipfile", "-l", str(installed["wheel"])],
                           capture_output=True, text=True, check=True).stdout
    for shipped in ("wfm/resources/bank_calls_5min.csv", "wfm/resources/quote_profile_bank.json",
                    "wfm/resources/examples/bank_plan.toml", "wfm/app/streamlit_app.py", "licenses/LICENSE"):
        assert shipped in names, shipped


@pytest.mark.slow
def test_installed_wfm_plans_the_bundled_example(installed):
    example = run_python(installed, "from wfm.resources import example; print(example('bank_plan.toml'))")
    assert Path(example).is_relative_to(installed["site"])
    res = subprocess.run([str(installed["bin"] / "wfm"), "plan", example, "--out", "plan", "--work-limit", "2"],
                         capture_output=True, text=True, env=installed["env"], cwd=installed["work"], timeout=900)
    assert res.returncode == 0, res.stderr
    out = installed["work"] / "plan"
    assert sorted(p.name for p in installed["work"].iterdir()) == ["plan"]  # nothing written beside it
    kpis = json.loads((out / "kpis.json").read_text())
    assert kpis["agents"] > 0 and kpis["scenario"] == "bank-plan" and 0 < kpis["service_level"] <= 1
    requirements = pd.read_csv(out / "requirements.csv")
    assert len(requirements) > 0 and requirements["agents"].max() > 0
    assert len(pd.read_csv(out / "schedule.csv")) > 0
    assert (out / "schedule.xlsx").stat().st_size > 0 and (out / "coverage.png").stat().st_size > 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_installed_app_starts_and_renders(installed):
    port = _free_port()
    proc = subprocess.Popen(
        [str(installed["bin"] / "wfm-app"), "--server.port", str(port), "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.fileWatcherType", "none"],
        env=installed["env"], cwd=installed["work"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        start_new_session=True)
    try:
        deadline = time.monotonic() + 120  # a start-up timeout only: nothing here is a speed check
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                    assert r.read().decode() == "ok"
                    break
            except OSError:
                assert proc.poll() is None, proc.stderr.read().decode()
                assert time.monotonic() < deadline, "the installed app did not answer /_stcore/health in 120 s"
                time.sleep(0.5)
        # wfm-app became the server itself (exec), so stopping it stops the server: no orphan.
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) is not None
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    # The page script runs from the installed package too (default scenario, bundled sample).
    script = run_python(installed, "import wfm.app, pathlib; print(pathlib.Path(wfm.app.__file__).parent / 'streamlit_app.py')")
    assert Path(script).is_relative_to(installed["site"])
    rendered = run_python(installed, (
        "from streamlit.testing.v1 import AppTest\n"
        f"at = AppTest.from_file({script!r}, default_timeout=240).run()\n"
        "assert not at.exception, [e.message for e in at.exception]\n"
        "print(len(at.main.children) > 0, [m.label for m in at.metric][:3])\n"))
    assert rendered.startswith("True"), rendered
