"""Scenarios uploaded to the app: they may name only their own files or the data folder's.

A scenario file names input files (``queue[0].history``, ``quote.intraday``...). On a
planner's own machine any path is theirs to name; uploaded to a shared app, the same
path would make the server read its own disk (``history = "/etc/passwd"``) and show
what it read in an error. So an uploaded scenario's file references resolve only to

* files uploaded with it (a zip holding the scenario TOML and its files, as the
  Export page writes), or
* files inside the data folder: ``WFM_DATA_DIR`` when set, else the bundled
  ``wfm/resources/`` folder (the sample and the example scenarios).

Relative paths are read from the zip's folder, or else from ``WFM_DATA_DIR`` (or the
bundled ``wfm/resources/examples/``, where the example scenarios live). Anything else is
refused with one sentence naming the field, before the file is opened.
"""

from __future__ import annotations

import io
import os
import posixpath
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from wfm import resources
from wfm.errors import InputError, shown
from wfm.export import safe_folder_name

DATA_DIR_ENV = "WFM_DATA_DIR"
BUNDLED_DATA = resources.folder()
MAX_ZIP_FILES = 200
MAX_ZIP_BYTES = 200 * 1024 * 1024  # unpacked, the app's upload limit: a zip bomb stops here
QUOTE_CURVES = ("bank", "flat")  # quote.intraday keywords that are not files


def data_folder() -> Path:
    """The folder an uploaded scenario may read besides its own files.

    Returns
    -------
    Path
        ``$WFM_DATA_DIR``, or the bundled resources folder when it is not set.
    """
    configured = os.environ.get(DATA_DIR_ENV)
    return Path(configured).expanduser() if configured else BUNDLED_DATA


def reference_base() -> Path:
    """Where a relative path of an uploaded TOML (without its own files) is read from.

    Returns
    -------
    Path
        ``$WFM_DATA_DIR`` when set, else the bundled examples folder.
    """
    return data_folder() if os.environ.get(DATA_DIR_ENV) else BUNDLED_DATA / "examples"


def file_references(raw: dict) -> Iterator[tuple[str, dict, str]]:
    """``(TOML path, table, key)`` of every setting of a scenario dict that names a file.

    Parameters
    ----------
    raw : dict
        A scenario as a TOML dict.

    Yields
    ------
    place : str
        The TOML path, e.g. ``queue[0].history``.
    table : dict
        The table holding the setting.
    key : str
        The setting's key.
    """
    for i, q in enumerate(raw.get("queue") or []):
        if not isinstance(q, dict):
            continue
        for key in ("history", "forecast", "volumes", "profile"):
            if isinstance(q.get(key), str):
                yield f"queue[{i}].{key}", q, key
        forecasting = q.get("forecasting")
        if isinstance(forecasting, dict) and isinstance(forecasting.get("special_days"), str):
            yield f"queue[{i}].forecasting.special_days", forecasting, "special_days"
    roster = raw.get("roster")
    if isinstance(roster, dict) and isinstance(roster.get("agents"), str):
        yield "roster.agents", roster, "agents"
    quote = raw.get("quote")
    if isinstance(quote, dict):
        if isinstance(quote.get("intraday"), str) and quote["intraday"] not in QUOTE_CURVES:
            yield "quote.intraday", quote, "intraday"
        for kind in ("voice", "chat", "deferred"):
            for i, channel in enumerate(quote.get(kind) or []):
                if isinstance(channel, dict) and isinstance(channel.get("history"), str):
                    yield f"quote.{kind}[{i}].history", channel, "history"


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _confined(value: str, base: Path, roots: list[Path]) -> Path | None:
    """The file ``value`` names, when it is inside one of ``roots``; else None."""
    if not value.strip():
        return None
    candidate = Path(value) if Path(value).is_absolute() else base / value
    # A lexical check first: a path outside every root is refused without touching it.
    lexical = Path(os.path.abspath(candidate))
    absolute_roots = [Path(os.path.abspath(r)) for r in roots]
    if not any(_inside(lexical, r) for r in absolute_roots):
        return None
    # Then links: a link inside a root may point anywhere.
    try:
        real = candidate.resolve()
        real_roots = [r.resolve() for r in roots]
    except (OSError, RuntimeError, ValueError):
        return None
    return real if any(_inside(real, r) for r in real_roots) else None


def confine_scenario_files(raw: dict, source: str, *, uploaded: Path | None = None) -> dict:
    """``raw`` with every file reference made an absolute path inside the allowed folders.

    Parameters
    ----------
    raw : the uploaded scenario as a TOML dict (changed in place and returned).
    source : the uploaded file's name, for messages.
    uploaded : the folder the files uploaded with the scenario were unpacked into.

    Returns
    -------
    dict
        ``raw``, with absolute paths.

    Raises
    ------
    InputError
        Naming the first field that points elsewhere.
    """
    roots = ([uploaded] if uploaded is not None else []) + [data_folder()]
    base = uploaded if uploaded is not None else reference_base()
    for place, table, key in list(file_references(raw)):
        value = table[key]
        found = _confined(value, base, roots)
        if found is None:
            raise InputError(
                f"{source}: {place} '{shown(value)}' is not a file uploaded with the scenario or inside the data "
                f"folder; upload a zip with the scenario and its files."
            )
        table[key] = str(found)
    return raw


def unpack_upload(content: bytes, name: str, parent: Path) -> tuple[str, Path | None]:
    """The scenario TOML text of an upload, and the folder its own files went to.

    ``name`` ending in ``.zip`` is a zip with one ``.toml`` at its top level (or
    ``scenario.toml``) and the files it names, unpacked into a new folder inside
    ``parent``; any other upload is the TOML itself (no folder). Member names must be
    plain relative file names: a zip cannot write outside its folder.

    Parameters
    ----------
    content : bytes
        The uploaded file.
    name : str
        Its file name.
    parent : Path
        Where a zip's folder is made.

    Returns
    -------
    text : str
        The scenario TOML.
    folder : Path or None
        The folder of the zip's files, None for a plain TOML.

    Raises
    ------
    InputError
        On an unreadable zip, too many or too large members, no scenario at its top or an unsafe member name.
    """
    if not name.lower().endswith(".zip"):
        return content.decode("utf-8", errors="replace"), None
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        raise InputError(f"{shown(name)}: is not a readable zip file.") from None
    folder = Path(tempfile.mkdtemp(prefix="upload-", dir=parent))
    try:
        try:
            return _unpack(archive, name, folder), folder
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
            # Damaged, encrypted or oddly compressed members.
            raise InputError(f"{shown(name)}: a member could not be unpacked ({shown(exc, 80)}).") from None
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)  # a refused zip leaves nothing behind
        raise


def _unpack(archive: zipfile.ZipFile, name: str, folder: Path) -> str:
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir() and not m.filename.startswith("__MACOSX/")]
        if len(members) > MAX_ZIP_FILES:
            raise InputError(f"{shown(name)}: holds {len(members)} files, expected at most {MAX_ZIP_FILES}.")
        total = 0
        written: list[PurePosixPath] = []
        for member in members:
            relative = _member_path(member.filename, name)
            total += member.file_size
            if total > MAX_ZIP_BYTES:
                raise InputError(f"{shown(name)}: unpacks to more than {MAX_ZIP_BYTES // 2**20} MB.")
            target = folder.joinpath(*relative.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(member) as fh:
                data = fh.read(MAX_ZIP_BYTES + 1)  # the declared size may lie
            if len(data) > member.file_size:
                raise InputError(f"{shown(name)}: member '{shown(member.filename)}' is larger than it says.")
            target.write_bytes(data)
            written.append(relative)
    tomls = [p for p in written if len(p.parts) == 1 and p.suffix.lower() == ".toml"]
    chosen = next((p for p in tomls if p.name == "scenario.toml"), tomls[0] if len(tomls) == 1 else None)
    if chosen is None:
        found = ", ".join(shown(str(p)) for p in tomls[:3]) or "none"
        raise InputError(f"{shown(name)}: expected scenario.toml (or one .toml file) at the top of the zip, found {found}.")
    return (folder / chosen.name).read_text(encoding="utf-8", errors="replace")


def _member_path(member: str, name: str) -> PurePosixPath:
    """A zip member's name as a path inside the unpack folder, or an InputError."""
    path = PurePosixPath(member)
    plain = (
        member
        and "\\" not in member
        and not path.is_absolute()
        and posixpath.normpath(member) == member
        and all(part not in ("", ".", "..") for part in path.parts)
    )
    if plain:
        try:
            plain = all(safe_folder_name(part, name) == part for part in path.parts)
        except InputError:
            plain = False
    if not plain:
        raise InputError(f"{shown(name)}: member '{shown(member)}' is not a plain relative file name, refused.")
    return path
