"""The app's calls into the library, cached on their inputs.

Each stage is a library call (:mod:`wfm.data`, :mod:`wfm.forecast`, :mod:`wfm.forecast.adjust`,
:mod:`wfm.erlang`, :mod:`wfm.outbound`, :mod:`wfm.plan`); this module only caches them
and runs the plan in a child process (:mod:`wfm.ui.solver_watch`) so the page can show its
progress and stop it.

Solving runs :func:`wfm.plan.run_plan` on the session's scenario whose queues read the
adjusted forecast the Forecast page shows (written to a session folder as
``forecast.csv``): the schedule, verification and KPIs are exactly what ``wfm plan``
gives for the exported scenario. Sizing is the plan's own step,
:func:`wfm.plan.size_queue`, so the Staffing page shows the requirement that is scheduled.
"""

from __future__ import annotations

import hashlib
import io
import json
import tempfile
import threading
import warnings
import zipfile
from pathlib import Path

import pandas as pd
import streamlit as st

from wfm import data, outbound, summary
from wfm.errors import InputError
from wfm.forecast import adjust
from wfm.localtime import wall_clock
from wfm.scenario import Campaign, Scenario, scenario_to_toml
from wfm.ui import solver_watch

FORECAST_FILE = "forecast.csv"


# --- data ----------------------------------------------------------------------------


@st.cache_data(show_spinner=False)
def load_sample() -> tuple[pd.DataFrame, int]:
    return data.read_intervals(data.sample_path())


@st.cache_data(show_spinner=False, max_entries=8)
def read_upload_table(content: bytes, name: str) -> pd.DataFrame:
    """An uploaded CSV/XLSX/Parquet file as read, its headers not yet mapped (raises :class:`InputError`).

    Messages name the upload (never the temporary file it is read from); CSVs are read
    in their own encoding (UTF-8 with or without BOM, Shift_JIS/CP932 ...).
    """
    suffix = Path(name).suffix.lower()
    if not content:
        raise InputError(f"{name}: the file is empty, expected a header row and data rows.")
    if suffix not in data.SUPPORTED_SUFFIXES:
        raise InputError(f"{name}: unsupported file type '{suffix or '(none)'}', expected CSV, XLSX or Parquet.")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(content)
        return data.read_table(path, name=name)


@st.cache_data(show_spinner=False, max_entries=8)
def read_upload(content: bytes, name: str, timezone: str | None,
                columns: dict | None = None) -> tuple[pd.DataFrame, int]:
    """An uploaded history validated as ``queue, ds, y (, aht)``, its headers read through ``columns``."""
    table = data.map_columns(read_upload_table(content, name), columns, name)
    return data.validate_intervals(table, name, timezone=timezone)


@st.cache_data(show_spinner=False, max_entries=8)
def history_summary(frame: pd.DataFrame, minutes: int) -> pd.DataFrame:
    return summary.history_summary(frame, minutes)


@st.cache_data(show_spinner=False, max_entries=8)
def weekday_profile(frame: pd.DataFrame, minutes: int) -> pd.DataFrame:
    return summary.weekday_profile(frame, minutes, to_minutes=max(minutes, 30) if 30 % minutes == 0 else minutes)


# --- forecast ------------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=16)
def run_forecast(frame: pd.DataFrame, minutes: int, horizon_start, horizon_days: int, interval: int,
                 models: tuple | None, folds: int, holidays: str | None, special_days: pd.DataFrame | None,
                 timezone: str | None):
    """:func:`wfm.forecast.forecast` covering the horizon; returns ``(result, table in the horizon)``."""
    from wfm.forecast import forecast

    days = adjust.forecast_days(wall_clock(frame["ds"]).max(), horizon_start, horizon_days)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = forecast(frame, f"{days}d", interval_minutes=minutes, interval=interval,
                          models=list(models) if models else None, folds=folds,
                          special_days=special_days if special_days is not None and len(special_days) else None,
                          holidays=holidays or None, timezone=timezone)
    return result, adjust.clip_to_horizon(result.table, horizon_start, horizon_days)


@st.cache_data(show_spinner=False, max_entries=16)
def adjusted(table: pd.DataFrame, adjustments: pd.DataFrame | None) -> pd.DataFrame:
    return adjust.apply_adjustments(table, adjustments)


# --- sizing --------------------------------------------------------------------------


def sizing_key(scenario: Scenario) -> str:
    """What sizing reads of a scenario (horizon, queues, verification seed), as text: the cache key."""
    return scenario.model_dump_json(include={"horizon", "queues", "verify"})


def size(scenario: Scenario, forecast_table: pd.DataFrame, base_dir: Path) -> pd.DataFrame:
    """:func:`wfm.plan.size_queue` for every queue: the requirement ``wfm plan`` schedules.

    It honours each queue's ``sizing``, ``profile``, ``aht`` and ``patience`` and sizes
    only the intervals inside the opening hours, as the plan does.
    """
    return _size(scenario, sizing_key(scenario), forecast_table, str(base_dir))


@st.cache_data(show_spinner=False, max_entries=64)
def _size(_scenario: Scenario, key: str, forecast_table: pd.DataFrame, base_dir: str) -> pd.DataFrame:
    from wfm.plan import size_queue

    parts = [size_queue(_scenario, i, forecast_table, base_dir=base_dir).requirements
             for i in range(len(_scenario.queues))]
    return pd.concat(parts, ignore_index=True)


def with_service_level(scenario: Scenario, level: float) -> Scenario:
    """The scenario with every queue promising ``level`` within its answer time (the what-if)."""
    queues = [q.model_copy(update={"service_level": level, "asa": None}) for q in scenario.queues]
    return scenario.model_copy(update={"queues": queues})


def without_occupancy_cap(scenario: Scenario) -> Scenario:
    """The scenario with every queue's occupancy cap lifted: what the service target alone needs."""
    queues = [q.model_copy(update={"max_occupancy": 1.0}) for q in scenario.queues]
    return scenario.model_copy(update={"queues": queues})


@st.cache_data(show_spinner=False, max_entries=16)
def profile_patience(path: str, queue: str) -> float | None:
    """The mean patience a ``wfm calls profile`` file learned for ``queue`` (None when it has none)."""
    from wfm import calibrate

    return calibrate.behaviour_for(calibrate.read_profile(path), queue, path).patience


@st.cache_data(show_spinner=False, max_entries=32)
def requirement_summary(sized: pd.DataFrame, interval: int) -> dict:
    return summary.requirement_summary(sized, interval)


# --- outbound ------------------------------------------------------------------------


def workload(campaigns: list[Campaign]) -> pd.DataFrame:
    return outbound.workload_table(campaigns)


# --- the plan ------------------------------------------------------------------------


PlanRun = solver_watch.PlanRun  # a plan solved in a child process (see wfm.ui.solver_watch)


@st.cache_resource
def _plan_store() -> dict:
    """Solved plans by input key, shared by sessions: solving the same inputs twice is instant."""
    return {}


_LOCK = threading.Lock()


def plan_key(scenario: Scenario, forecast_table: pd.DataFrame) -> str:
    digest = hashlib.sha256()
    digest.update(scenario_to_toml(scenario).encode())
    digest.update(pd.util.hash_pandas_object(forecast_table, index=False).values.tobytes())
    return digest.hexdigest()[:16]


def write_forecast(folder: Path, forecast_table: pd.DataFrame) -> Path:
    from wfm.export import write_table

    path = folder / FORECAST_FILE
    write_table(forecast_table, path)
    return path


def start_plan(scenario: Scenario, forecast_table: pd.DataFrame, folder: Path) -> PlanRun:
    """Start :func:`wfm.plan.run_plan` in a child process; the scenario's queues read ``forecast.csv``."""
    key = plan_key(scenario, forecast_table)
    store = _plan_store()
    limit = float(scenario.solver.time_limit_seconds)
    if key in store:
        return solver_watch.finished_run(key, limit, store[key])
    folder.mkdir(parents=True, exist_ok=True)
    write_forecast(folder, forecast_table)
    run = solver_watch.start(key, scenario, folder, limit)
    run.weeks = max(1, scenario.horizon.days // 7)

    def keep(future) -> None:
        if not future.cancelled() and future.exception() is None:
            with _LOCK:
                store[key] = future.result()

    run.future.add_done_callback(keep)
    return run


# --- exports -------------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=4)
def plan_files(_result, key: str) -> dict[str, bytes]:
    """Every file of :func:`wfm.plan.write_plan` as bytes (written to a temporary folder)."""
    from wfm.plan import write_plan

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "plan"
        write_plan(_result, out, base_dir=tmp)
        return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}


def scenario_bundle(result, forecast_table: pd.DataFrame) -> bytes:
    """A zip with ``scenario.toml`` and ``forecast.csv``: ``wfm plan scenario.toml`` repeats this plan.

    The queues read the adjusted forecast the app planned from, so manual adjustments
    and special days are part of the reproduction.
    """
    from wfm.export import write_table

    scenario = result.scenario
    queues = [q.model_copy(update={"forecast": FORECAST_FILE, "history": None, "volumes": None})
              for q in scenario.queues]
    portable = scenario.model_copy(update={"queues": queues})
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        path = Path(tmp) / FORECAST_FILE
        write_table(forecast_table, path)
        zf.writestr("scenario.toml", scenario_to_toml(portable))
        zf.write(path, FORECAST_FILE)
        zf.writestr("README.txt", "Repeat this plan:\n  wfm plan scenario.toml --out plan\n")
    return buffer.getvalue()


def kpis_json(kpis: dict) -> bytes:
    return json.dumps(kpis, indent=2, ensure_ascii=False, default=str).encode()
