"""The README's worked examples run as written (issue 14: executable docs).

Every fenced ``bash`` block of README.md whose first command starts with ``wfm `` is run
in a fresh temporary folder laid out like the repository (``wfm/resources/`` and
``docs/examples/`` copied in), one command after the other, as ``python -m wfm.cli``.
Each command must exit 0, every file it names with ``--out``/``--scores``/``--daily``/
``--summary`` must exist, and so must every file the prose under the block says it
writes. The reference pages are checked against the code they describe: every CLI
option is in docs/commands.md, every scenario and quote setting in docs/scenario.md and
docs/quote.md, and every command has a worked example in the README.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
OUTPUT_OPTIONS = ("--out", "-o", "--scores", "--daily", "--summary")
FILE_NAME = re.compile(r"^[\w./-]+\.(?:csv|json|xlsx|png|toml|txt)$")


def readme_blocks() -> list[tuple[str, list[list[str]], str]]:
    """(title, commands, prose after the block) for each worked ``bash`` example."""
    text = README.read_text(encoding="utf-8")
    blocks = []
    for match in re.finditer(r"^```bash\n(.*?)^```\n(.*?)(?=^#|\Z)", text, flags=re.S | re.M):
        body, prose = match.group(1), match.group(2)
        commands = [shlex.split(line, comments=True) for line in body.replace("\\\n", " ").splitlines()]
        commands = [c for c in commands if c]
        if not commands or commands[0][0] != "wfm":
            continue
        heading = re.findall(r"^#+ (.*)$", text[: match.start()], flags=re.M)[-1]
        blocks.append((heading, commands, prose))
    return blocks


BLOCKS = readme_blocks()


def outputs_of(command: list[str]) -> list[str]:
    """The paths a command is told to write."""
    return [command[i + 1] for i, arg in enumerate(command[:-1]) if arg in OUTPUT_OPTIONS and command[i + 1] != "-"]


def files_in_prose(prose: str) -> list[str]:
    """Backticked file names in the text under a block (inputs under docs/ and wfm/ excluded)."""
    names = re.findall(r"`([^`\s]+)`", prose)
    return [n for n in names if FILE_NAME.match(n) and not n.startswith(("docs/", "wfm/"))]


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A folder laid out like the repository root, holding only the bundled files."""
    shutil.copytree(ROOT / "wfm" / "resources", tmp_path / "wfm" / "resources",
                    ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    shutil.copytree(ROOT / "docs" / "examples", tmp_path / "docs" / "examples")
    return tmp_path


def run_wfm(command: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, "-m", "wfm.cli", *command[1:]], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def test_the_readme_has_worked_examples():
    assert len(BLOCKS) >= 9, [title for title, _, _ in BLOCKS]


@pytest.mark.parametrize("title, commands, prose", BLOCKS, ids=[title.split(":")[0].strip("` ") for title, _, _ in BLOCKS])
def test_readme_example_runs(checkout, title, commands, prose):
    folders = []
    for command in commands:
        done = run_wfm(command, checkout)
        assert done.returncode == 0, f"{' '.join(command)} exited {done.returncode}:\n{done.stderr[-2000:]}"
        for path in outputs_of(command):
            assert (checkout / path).exists(), f"{' '.join(command)} did not write {path}"
            if (checkout / path).is_dir():
                folders.append(path)
                assert any((checkout / path).iterdir()), f"{path} is empty"
    for name in files_in_prose(prose):
        candidates = [checkout / name] + [checkout / folder / name for folder in folders]
        assert any(c.exists() for c in candidates), f"{title}: the README says {name} is written; it is not"


def test_every_command_has_a_worked_example():
    typer = pytest.importorskip("typer")
    from wfm.cli import app

    group = typer.main.get_command(app)
    names = {f"{name} {sub}" if hasattr(cmd, "commands") else name
             for name, cmd in group.commands.items() for sub in (getattr(cmd, "commands", None) or [None])}
    groups = {name for name, cmd in group.commands.items() if hasattr(cmd, "commands")}
    shown = {" ".join(c[1:3]) if c[1] in groups else c[1] for _, commands, _ in BLOCKS for c in commands}
    assert names - shown == set()


def test_every_option_is_in_the_command_reference():
    typer = pytest.importorskip("typer")
    from wfm.cli import app

    reference = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
    missing = []

    def walk(command, path):
        for name, sub in (getattr(command, "commands", None) or {}).items():
            walk(sub, [*path, name])
        if getattr(command, "commands", None):
            return
        section = reference.split(f"### `{' '.join(path)}`", 1)
        assert len(section) == 2, f"docs/commands.md has no section for {' '.join(path)}"
        table = section[1].split("\n### ", 1)[0]
        for param in command.params:
            if param.name == "help":
                continue
            is_argument = type(param).__name__.endswith("Argument")
            shown = f"`{param.name.upper()}`" if is_argument else f"`{param.opts[0]}`"
            if shown not in table:
                missing.append(f"{' '.join(path)} {shown}")

    walk(typer.main.get_command(app), ["wfm"])
    assert missing == []


def _keys(model) -> set[str]:
    return {info.alias or name for name, info in model.model_fields.items()}


def test_every_setting_is_in_the_reference():
    from wfm import scenario
    from wfm.quote import settings

    scenario_doc = (ROOT / "docs" / "scenario.md").read_text(encoding="utf-8")
    quote_doc = (ROOT / "docs" / "quote.md").read_text(encoding="utf-8")
    missing = []
    for doc, models in ((scenario_doc, [scenario.Scenario, scenario.Horizon, scenario.Group, scenario.Shift,
                                        scenario.Break, scenario.Campaign, scenario.Costs, scenario.Solver,
                                        scenario.Queue, scenario.Forecasting, scenario.Verify]),
                        (quote_doc, [settings.Quote, settings.VoiceChannel, settings.ChatChannel,
                                     settings.DeferredChannel, settings.OutboundChannel, settings.Shrinkage,
                                     settings.Labour, settings.Overhead])):
        for model in models:
            missing += [f"{model.__name__}.{key}" for key in sorted(_keys(model)) if f"| `{key}` |" not in doc]
    assert missing == []


def test_links_between_the_pages_resolve():
    pages = [README, *sorted((ROOT / "docs").glob("*.md"))]
    broken = []
    for page in pages:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            if not target.startswith("http") and not (page.parent / target).exists():
                broken.append(f"{page.relative_to(ROOT)} -> {target}")
    assert broken == []
