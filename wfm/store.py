"""The plan store: saved plan versions, their inputs and outputs, and comparisons.

Every solved plan can be saved under a name with a note. A saved version holds the
resolved scenario, the content hashes of the inputs it read, its KPIs and every file
of its plan folder, so that a version can be compared with others and written back
out long after the folder is gone.

The store is a database reached through SQLAlchemy: a SQLite file by default (created
on first use), or any URL a team points it at, such as PostgreSQL
(``postgresql+psycopg://user@host/db``). The location comes from, in order, the
``--db`` option (a path or a URL), the ``WFM_DATABASE_URL`` environment variable, or
the default file ``$XDG_DATA_HOME/wfm/plans.sqlite`` (``~/.local/share/wfm/...``).

Every figure a comparison shows is read from the saved plan's own files (its
``kpis.json``, ``coverage.csv`` and ``verification.csv``), the same figures the plan
folder shows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from wfm.errors import InputError

__all__ = [
    "DATABASE_ENV",
    "PlanStore",
    "SavedPlan",
    "default_url",
    "open_store",
    "check_plan_name",
    "compare_table",
    "coverage_table",
    "daily_table",
]

DATABASE_ENV = "WFM_DATABASE_URL"
# Files of a plan folder kept with a saved version (run.json holds timings only).
KEPT_FILES = (
    "kpis.json", "scenario.toml", "forecast.csv", "requirements.csv", "schedule.csv", "coverage.csv",
    "verification.csv", "schedule.xlsx", "coverage.png", "run.json",
)
ROSTER_FOLDER = "roster"  # a plan that rosters named agents writes them here (wfm plan)
MAX_FILE_NAME = 100  # the files table's name column
MAX_NAME = 200


@dataclass(frozen=True)
class SavedPlan:
    """One saved plan version as the store lists it."""

    id: int
    name: str
    note: str
    saved_at: str  # UTC, ISO 8601
    scenario: str
    timezone: str
    currency: str
    kpis: dict
    inputs: dict  # file name -> sha256 of its content when the plan was saved
    files: tuple[str, ...]

    def to_json(self) -> dict:
        """The version as plain JSON (what ``wfm plans show`` prints).

        Returns
        -------
        dict
            Id, name, note, time, inputs' hashes and KPIs.
        """
        return {
            "id": self.id, "name": self.name, "note": self.note, "saved_at": self.saved_at,
            "scenario": self.scenario, "timezone": self.timezone, "currency": self.currency,
            "inputs": self.inputs, "files": list(self.files), "kpis": self.kpis,
        }


def default_url() -> str:
    """The store's URL when none is given: ``WFM_DATABASE_URL`` or the user's SQLite file.

    Returns
    -------
    str
        A database URL.
    """
    if os.environ.get(DATABASE_ENV):
        return os.environ[DATABASE_ENV]
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return f"sqlite:///{base / 'wfm' / 'plans.sqlite'}"


def _url_of(location: str | Path | None) -> str:
    """A SQLAlchemy URL from ``--db`` (a URL or a file path) or the default."""
    if location is None or str(location) == "":
        return default_url()
    text = str(location)
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"


def open_store(location: str | Path | None = None) -> PlanStore:
    """Open (and create on first use) the plan store at a path or URL.

    Parameters
    ----------
    location : str or Path, optional
        A SQLAlchemy URL (``sqlite:///plans.sqlite``, ``postgresql+psycopg://...``) or
        the path of a SQLite file. Default: :func:`default_url`.

    Returns
    -------
    PlanStore
        The store, with its tables created when missing.

    Raises
    ------
    InputError
        When the URL is malformed, its driver is not installed or the database
        cannot be reached.
    """
    return PlanStore(_url_of(location))


class PlanStore:
    """Saved plan versions in a SQL database (SQLite file or a server)."""

    def __init__(self, url: str):
        import sqlalchemy as sa
        from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

        try:
            parsed = sa.engine.make_url(url)
        except ArgumentError:
            raise InputError(f"plan store: '{url[:80]}' is not a database URL or a file path.") from None
        self.shown_url = parsed.render_as_string(hide_password=True)
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            folder = Path(parsed.database).parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise InputError(f"plan store: cannot create the folder '{folder}' ({exc.strerror}).") from None
        try:
            self.engine = sa.create_engine(parsed, future=True)
        except (NoSuchModuleError, ImportError) as exc:
            raise InputError(
                f"plan store: no database driver for '{self.shown_url}' ({exc}); "
                "install it, e.g. pip install 'psycopg[binary]' for PostgreSQL."
            ) from None
        meta = sa.MetaData()
        self.plans = sa.Table(
            "wfm_plans", meta,
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("name", sa.String(MAX_NAME), nullable=False),
            sa.Column("note", sa.Text, nullable=False, default=""),
            sa.Column("saved_at", sa.String(40), nullable=False),
            sa.Column("scenario", sa.String(MAX_NAME), nullable=False, default=""),
            sa.Column("timezone", sa.String(64), nullable=False, default=""),
            sa.Column("currency", sa.String(16), nullable=False, default=""),
            sa.Column("kpis", sa.JSON, nullable=False),
            sa.Column("inputs", sa.JSON, nullable=False),
        )
        self.files = sa.Table(
            "wfm_plan_files", meta,
            sa.Column("plan_id", sa.Integer, sa.ForeignKey("wfm_plans.id", ondelete="CASCADE"), primary_key=True),
            sa.Column("name", sa.String(MAX_FILE_NAME), primary_key=True),
            sa.Column("sha256", sa.String(64), nullable=False),
            sa.Column("content", sa.LargeBinary, nullable=False),
        )
        self._sa = sa
        try:
            meta.create_all(self.engine)
        except SQLAlchemyError as exc:
            raise InputError(f"plan store: cannot open '{self.shown_url}' ({_reason(exc)}).") from None

    # ------------------------------------------------------------------ writing
    def save(self, plan_dir: str | Path, name: str, *, note: str = "",
             scenario_path: str | Path | None = None) -> int:
        """Save the plan written in ``plan_dir`` as a new version; return its id.

        Parameters
        ----------
        plan_dir : str or Path
            A folder ``wfm plan`` wrote (it must hold ``kpis.json`` and ``schedule.csv``).
        name : str
            The version's name (need not be unique: versions are told apart by id).
        note : str, optional
            A free-text note shown with the version.
        scenario_path : str or Path, optional
            The scenario file the plan was made from; the content hashes of the
            files it reads (histories, forecasts, profiles) are kept with the version.

        Returns
        -------
        int
            The id of the saved version.
        """
        plan_dir = Path(plan_dir)
        if not (plan_dir / "kpis.json").is_file() or not (plan_dir / "schedule.csv").is_file():
            raise InputError(f"{plan_dir}: is not a plan folder (no kpis.json and schedule.csv); run wfm plan first.")
        blobs = {f: (plan_dir / f).read_bytes() for f in KEPT_FILES if (plan_dir / f).is_file()}
        roster = plan_dir / ROSTER_FOLDER
        if roster.is_dir():
            blobs.update({path.relative_to(plan_dir).as_posix(): path.read_bytes()
                          for path in sorted(roster.rglob("*")) if path.is_file() and not path.is_symlink()})
        inputs = _input_hashes(scenario_path) if scenario_path is not None else {}
        return self.save_files(blobs, name, note=note, inputs=inputs)

    def save_files(self, files: dict[str, bytes], name: str, *, note: str = "", inputs: dict | None = None) -> int:
        """Save a plan given as its files' bytes (what the app holds); return the new id.

        Parameters
        ----------
        files : dict
            File name -> bytes, as :func:`wfm.plan.write_plan` writes them; at least
            ``kpis.json`` and ``schedule.csv``.
        name : str
            The version's name.
        note : str, optional
            A free-text note.
        inputs : dict, optional
            Input file name -> sha256 of its content.

        Returns
        -------
        int
            The id of the saved version.
        """
        name = check_plan_name(name)
        if "kpis.json" not in files or "schedule.csv" not in files:
            raise InputError("plan store: a plan needs its kpis.json and schedule.csv to be saved.")
        kpis = json.loads(files["kpis.json"].decode("utf-8"))
        blobs = {f: bytes(files[f]) for f in files if _kept(f)}
        horizon = kpis.get("horizon") or {}
        row = {
            "name": name, "note": str(note or ""), "saved_at": _now(),
            "scenario": str(kpis.get("scenario") or ""), "timezone": str(horizon.get("timezone") or ""),
            "currency": str(kpis.get("currency") or ""), "kpis": kpis, "inputs": dict(inputs or {}),
        }
        with self._writing() as conn:
            plan_id = conn.execute(self.plans.insert().values(**row)).inserted_primary_key[0]
            conn.execute(self.files.insert(), [
                {"plan_id": plan_id, "name": f, "sha256": hashlib.sha256(b).hexdigest(), "content": b}
                for f, b in blobs.items()
            ])
        return int(plan_id)

    def delete(self, plan_id: int) -> None:
        """Remove one saved version and its files.

        Parameters
        ----------
        plan_id : int
            The version's id.
        """
        self.get(plan_id)
        with self._writing() as conn:
            conn.execute(self.files.delete().where(self.files.c.plan_id == int(plan_id)))
            conn.execute(self.plans.delete().where(self.plans.c.id == int(plan_id)))

    # ------------------------------------------------------------------ reading
    def list(self) -> list[SavedPlan]:
        """Every saved version, oldest first.

        Returns
        -------
        list of SavedPlan
            The versions.
        """
        sa = self._sa
        with self._reading() as conn:
            rows = conn.execute(sa.select(self.plans).order_by(self.plans.c.id)).mappings().all()
            names = conn.execute(sa.select(self.files.c.plan_id, self.files.c.name)).all()
        files: dict[int, list[str]] = {}
        for plan_id, fname in names:
            files.setdefault(int(plan_id), []).append(fname)
        return [_saved(r, files.get(int(r["id"]), [])) for r in rows]

    def get(self, plan_id: int | str) -> SavedPlan:
        """One saved version by id; a clear sentence when there is none.

        Parameters
        ----------
        plan_id : int or str
            The version's id.

        Returns
        -------
        SavedPlan
            The version.

        Raises
        ------
        InputError
            When no version has this id.
        """
        plan_id = _check_id(plan_id)
        sa = self._sa
        with self._reading() as conn:
            row = conn.execute(sa.select(self.plans).where(self.plans.c.id == plan_id)).mappings().first()
            names = conn.execute(sa.select(self.files.c.name).where(self.files.c.plan_id == plan_id)).scalars().all()
        if row is None:
            raise InputError(f"plan {plan_id}: no saved plan with this id in {self.shown_url}; "
                             "wfm plans list shows the saved ones.")
        return _saved(row, names)

    def file(self, plan_id: int | str, name: str) -> bytes | None:
        """The bytes of one file of a saved version (``None`` when it was not kept).

        Parameters
        ----------
        plan_id : int or str
            The version's id.
        name : str
            A plan-folder file name, e.g. ``kpis.json``.

        Returns
        -------
        bytes or None
            The file's content.
        """
        sa = self._sa
        plan_id = _check_id(plan_id)
        with self._reading() as conn:
            return conn.execute(sa.select(self.files.c.content).where(
                (self.files.c.plan_id == plan_id) & (self.files.c.name == name))).scalar()

    def table(self, plan_id: int | str, name: str) -> pd.DataFrame | None:
        """A CSV file of a saved version read as the plan folder's reader would.

        Parameters
        ----------
        plan_id : int or str
            The version's id.
        name : str
            A CSV file name, e.g. ``coverage.csv``.

        Returns
        -------
        DataFrame or None
            The table, None when the file was not kept.
        """
        content = self.file(plan_id, name)
        return None if content is None else _read_csv_bytes(content)

    def export(self, plan_id: int | str, out_dir: str | Path) -> list[Path]:
        """Write a saved version's files back into a plan folder (atomically, whole or not at all).

        Parameters
        ----------
        plan_id : int or str
            The version's id.
        out_dir : str or Path
            The plan folder to write.

        Returns
        -------
        list of Path
            The files written.
        """
        from wfm.export import atomic_dir

        saved = self.get(plan_id)
        out = Path(out_dir)
        with atomic_dir(out) as tmp:
            for fname in saved.files:
                (tmp / fname).parent.mkdir(parents=True, exist_ok=True)  # roster/... keeps its folders
                (tmp / fname).write_bytes(self.file(saved.id, fname) or b"")
            (tmp / "saved_plan.json").write_text(
                json.dumps({k: v for k, v in saved.to_json().items() if k != "kpis"}, indent=2, ensure_ascii=False),
                encoding="utf-8")
        return [out / f for f in (*saved.files, "saved_plan.json")]

    # ------------------------------------------------------------------ plumbing
    def _writing(self):
        return _Guard(self, self.engine.begin)

    def _reading(self):
        return _Guard(self, self.engine.connect)


class _Guard:
    """A connection whose database errors become one sentence naming the store."""

    def __init__(self, store: PlanStore, opener):
        self.store, self.opener = store, opener

    def __enter__(self):
        from sqlalchemy.exc import SQLAlchemyError

        try:
            self.ctx = self.opener()
            return self.ctx.__enter__()
        except SQLAlchemyError as exc:
            raise InputError(f"plan store: cannot reach '{self.store.shown_url}' ({_reason(exc)}).") from None

    def __exit__(self, *exc_info):
        from sqlalchemy.exc import SQLAlchemyError

        try:
            return self.ctx.__exit__(*exc_info)
        except SQLAlchemyError as exc:
            raise InputError(f"plan store: '{self.store.shown_url}' refused the change ({_reason(exc)}).") from None


def _reason(exc: Exception) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:160]


def _read_csv_bytes(content: bytes) -> pd.DataFrame:
    from wfm.export import csv_unquote

    return csv_unquote(pd.read_csv(io.BytesIO(content), encoding="utf-8", keep_default_na=True))


def _saved(row, files: Iterable[str]) -> SavedPlan:
    return SavedPlan(
        id=int(row["id"]), name=row["name"], note=row["note"] or "", saved_at=row["saved_at"],
        scenario=row["scenario"] or "", timezone=row["timezone"] or "", currency=row["currency"] or "",
        kpis=dict(row["kpis"] or {}), inputs=dict(row["inputs"] or {}),
        files=_in_order(files),
    )


def _kept(name: str) -> bool:
    """A plan file the store keeps: the plan's own files, and the roster folder's (its
    シフト表, per-person schedules and calendars), by a relative path that cannot leave the
    plan folder when exported."""
    if name in KEPT_FILES:
        return True
    parts = name.split("/")
    return (len(parts) > 1 and parts[0] == ROSTER_FOLDER and len(name) <= MAX_FILE_NAME
            and all(part not in ("", ".", "..") and "\\" not in part for part in parts))


def _in_order(files: Iterable[str]) -> tuple[str, ...]:
    """The plan's files in their documented order, then the roster's by path."""
    names = set(files)
    return tuple(f for f in KEPT_FILES if f in names) + tuple(sorted(f for f in names if f not in KEPT_FILES and _kept(f)))


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def check_plan_name(name: str) -> str:
    """A plan version's name, trimmed, or one sentence saying why it cannot be one.

    Parameters
    ----------
    name : str
        The name given (``--save``).

    Returns
    -------
    str
        The trimmed name.

    Raises
    ------
    InputError
        When it is empty, too long or holds control characters.
    """
    text = str(name or "").strip()
    if not text:
        raise InputError("--save: the plan's name is empty; give the version a name, e.g. --save 'week 12 v1'.")
    if len(text) > MAX_NAME or any(ord(c) < 32 for c in text):
        raise InputError(f"--save: the name '{text[:40]}' is too long or holds control characters "
                         f"(at most {MAX_NAME} printable characters).")
    return text


def _check_id(plan_id: int | str) -> int:
    try:
        value = int(str(plan_id).strip())
    except ValueError:
        raise InputError(f"plan id '{str(plan_id)[:40]}': expected a whole number as wfm plans list shows it.") from None
    if value < 1:
        raise InputError(f"plan id {value}: expected a positive whole number as wfm plans list shows it.")
    return value


def _input_hashes(scenario_path: str | Path) -> dict:
    """sha256 of the scenario file and of every file it reads, keyed by file name."""
    from wfm.plan import scenario_inputs

    scenario_path = Path(scenario_path)
    found = {scenario_path.name: scenario_path}
    try:
        for p in scenario_inputs(scenario_path):
            found.setdefault(p.name, p)
    except (OSError, ValueError):
        pass
    return {name: hashlib.sha256(p.read_bytes()).hexdigest() for name, p in found.items() if p.is_file()}


# ---------------------------------------------------------------------- comparison
def _planned_service_level(kpis: dict) -> float | None:
    """Call-weighted Erlang service level of the plan's queues (the plan's own prediction)."""
    total = weight = 0.0
    for q in (kpis.get("queues") or {}).values():
        sl = (q.get("erlang") or {}).get("service_level")
        calls = q.get("calls_forecast") or 0.0
        if sl is not None and calls:
            total += sl * calls
            weight += calls
    return total / weight if weight else None


COMPARE_ROWS = (
    ("cost", "cost"), ("fte", "FTE"), ("paid_hours", "paid hours"), ("agents", "agents"),
    ("planned_service_level", "service level planned"), ("service_level", "service level simulated"),
    ("asa", "ASA simulated (s)"), ("abandon_rate", "abandoned simulated"),
    ("under_intervals", "short intervals (coverage)"), ("flagged_intervals", "intervals below target (simulated)"),
    ("gap", "gap to the bound"), ("status", "solver status"),
)


def _figures(saved: SavedPlan) -> dict:
    k = saved.kpis
    flagged = sum(len(q.get("flagged_intervals") or []) for q in (k.get("queues") or {}).values())
    return {
        "cost": k.get("cost"), "fte": k.get("fte"), "paid_hours": k.get("paid_hours"), "agents": k.get("agents"),
        "planned_service_level": _planned_service_level(k), "service_level": k.get("service_level"),
        "asa": k.get("asa"), "abandon_rate": k.get("abandon_rate"), "under_intervals": k.get("under_intervals"),
        "flagged_intervals": flagged, "gap": k.get("gap"), "status": k.get("status"),
    }


def compare_table(store: PlanStore, ids: Iterable[int | str]) -> pd.DataFrame:
    """Side-by-side figures of two or more saved versions, with differences to the first.

    Parameters
    ----------
    store : PlanStore
        Where the versions were saved; each version's ``kpis.json`` is read.
    ids : iterable of int or str
        Two or more version ids; the first is the base the differences refer to.

    Returns
    -------
    pandas.DataFrame
        One row per figure (``figure`` in the planner's words), one column per
        version (``#id name``) and, for numeric figures, one ``Δ #id`` column per
        later version (its value minus the base's).

    Raises
    ------
    InputError
        With fewer than two ids, or an id the store does not hold.
    """
    saved = _versions(store, ids)
    cols = {f"#{s.id} {s.name}": _figures(s) for s in saved}
    rows = []
    figures = list(cols.values())
    base = figures[0]
    for key, label in COMPARE_ROWS:
        row = {"figure": label}
        for col, figs in cols.items():
            row[col] = figs[key]
        for s, figs in zip(saved[1:], figures[1:], strict=True):
            a, b = base[key], figs[key]
            numeric = isinstance(a, (int, float)) and isinstance(b, (int, float))
            row[f"Δ #{s.id}"] = (b - a) if numeric else None
        rows.append(row)
    return pd.DataFrame(rows)


def daily_table(store: PlanStore, ids: Iterable[int | str]) -> pd.DataFrame:
    """Per-day figures of saved versions: scheduled agent-hours, short intervals, simulated SL.

    Parameters
    ----------
    store : PlanStore
        The versions' store; their ``coverage.csv`` and ``verification.csv`` are read
        (a version without coverage has no rows).
    ids : iterable of int or str
        One or more versions to lay side by side, the first the base of the diffs.

    Returns
    -------
    pandas.DataFrame
        Long table ``date, plan, agent_hours, short_intervals, service_level`` with
        ``agent_hours`` and ``service_level`` differences to the base version
        (``agent_hours_diff``, ``service_level_diff``) on the same date.
    """
    saved = _versions(store, ids, minimum=1)
    parts = []
    for s in saved:
        coverage = store.table(s.id, "coverage.csv")
        minutes = ((s.kpis.get("horizon") or {}).get("interval_minutes")) or 60
        if coverage is None or coverage.empty:
            continue
        day = pd.to_datetime(coverage["ds"].astype(str).str[:10])
        frame = pd.DataFrame({
            "date": day.dt.date.astype(str),
            "agent_hours": pd.to_numeric(coverage["scheduled_inbound"], errors="coerce").fillna(0) * minutes / 60,
            "short_intervals": (pd.to_numeric(coverage["under"], errors="coerce").fillna(0) > 0).astype(int),
        }).groupby("date", as_index=False).sum()
        verification = store.table(s.id, "verification.csv")
        if verification is not None and not verification.empty:
            v = verification.assign(date=verification["ds"].astype(str).str[:10])
            v["within"] = pd.to_numeric(v["service_level"], errors="coerce") * pd.to_numeric(v["offered"], errors="coerce")
            daily = v.groupby("date").agg(within=("within", "sum"), offered=("offered", "sum")).reset_index()
            daily["service_level"] = daily["within"] / daily["offered"].where(daily["offered"] > 0)
            frame = frame.merge(daily[["date", "service_level"]], on="date", how="left")
        else:
            frame["service_level"] = float("nan")
        frame.insert(1, "plan", f"#{s.id} {s.name}")
        parts.append(frame)
    if not parts:
        return pd.DataFrame(columns=["date", "plan", "agent_hours", "short_intervals", "service_level"])
    table = pd.concat(parts, ignore_index=True)
    base = table[table["plan"] == table["plan"].iloc[0]].set_index("date")
    table["agent_hours_diff"] = table["agent_hours"] - table["date"].map(base["agent_hours"])
    table["service_level_diff"] = table["service_level"] - table["date"].map(base["service_level"])
    return table


def coverage_table(store: PlanStore, ids: Iterable[int | str]) -> pd.DataFrame:
    """Scheduled inbound agents and the requirement per interval of saved versions (for a chart).

    Parameters
    ----------
    store : PlanStore
        Store to read each version's ``coverage.csv`` from.
    ids : iterable of int or str
        At least one id; a version saved without coverage is left out.

    Returns
    -------
    pandas.DataFrame
        Long table ``ds, plan, scheduled_inbound, required`` read from each version's
        ``coverage.csv``.
    """
    parts = []
    for s in _versions(store, ids, minimum=1):
        coverage = store.table(s.id, "coverage.csv")
        if coverage is None or coverage.empty:
            continue
        parts.append(pd.DataFrame({
            "ds": pd.to_datetime(coverage["ds"].astype(str).str[:16]), "plan": f"#{s.id} {s.name}",
            "scheduled_inbound": pd.to_numeric(coverage["scheduled_inbound"], errors="coerce"),
            "required": pd.to_numeric(coverage["required"], errors="coerce"),
        }))
    if not parts:
        return pd.DataFrame(columns=["ds", "plan", "scheduled_inbound", "required"])
    return pd.concat(parts, ignore_index=True)


def _versions(store: PlanStore, ids: Iterable[int | str], minimum: int = 2) -> list[SavedPlan]:
    ids = list(ids)
    if len(ids) < minimum:
        raise InputError(f"wfm plans compare: give at least {minimum} plan ids (got {len(ids)}).")
    return [store.get(i) for i in ids]
