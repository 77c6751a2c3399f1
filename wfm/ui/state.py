"""Session state of the app: defaults, the scenario being edited, and widget helpers.

Everything a planner sets lives in ``st.session_state`` under plain keys (widget
state is dropped by Streamlit when a page is not shown, so widgets copy their value
into these keys on change):

``lang``            "en" or "ja"
``scenario``        the scenario as a TOML-shaped dict (``group``, ``shift``, ``campaign``,
                    ``queue`` ...); ``queue[0]`` is the template of every queue's target
``history``         :class:`History`: the interval table in use and where it came from
``forecast_opts``   horizon-independent forecast settings (models, folds, holidays)
``adjustments``     the planner's ± % rules (:mod:`wfm.forecast.adjust`)
``special_days``    ``date, closed, multiplier`` rows for the forecast
``time_limit``      the solver's wall-clock safety cap (seconds)
``work_limit``      the solver's work budget (CP-SAT deterministic seconds): what stops it
``plan``            the last solved :class:`wfm.ui.pipeline.PlanRun`

The default scenario is ``wfm/resources/examples/bank_plan.toml`` on the bundled sample.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st
from pydantic import Field, ValidationError

from wfm import data, resources
from wfm import start as starting
from wfm._types import Section
from wfm.errors import InputError, shown
from wfm.localtime import wall_clock
from wfm.scenario import (
    Forecasting,
    Horizon,
    Queue,
    Scenario,
    Solver,
    Verify,
    format_validation_error,
    scenario_problems,
    validate_scenario,
)

DEFAULT_SCENARIO = resources.example("bank_plan.toml")
MAX_UPLOAD_BYTES = 200 * 1024 * 1024


@dataclass
class History:
    """The interval table in use: canonical frame, interval length and its origin."""

    frame: pd.DataFrame
    minutes: int
    source: str  # file name shown to the planner
    path: str | None  # a readable path when the data came from a file on disk (the sample)
    # An upload's own bytes: saved with the scenario (a zip), read again when the time zone changes.
    content: bytes | None = None
    columns: dict | None = None  # the upload's own headers read as ds, y, aht, queue


def data_file_name(history: History) -> str:
    """The name an uploaded history is saved under next to the scenario (a plain file name)."""
    from wfm.export import download_name

    source = Path(history.source)
    return download_name(source.stem, source.suffix.lower() or ".csv", fallback="history")


def default(model: type[Section], name: str):
    """The default of setting ``name`` of a scenario section, read from its pydantic model.

    :mod:`wfm.scenario` is the one place defaults live: the pages read them here, so a
    page and ``wfm plan`` fill a setting the file leaves out with the same value.
    """
    return model.model_fields[name].get_default(call_default_factory=True)


def setting(section: dict | None, model: type[Section], name: str):
    """``section[name]`` of a TOML-shaped dict, or the model's default when it is not given."""
    value = (section or {}).get(name)
    return default(model, name) if value is None else value


def forecast_options(queue: dict) -> dict:
    """The forecast settings of a ``[[queue]]`` dict (models, folds, holidays), defaults filled in."""
    forecasting = queue.get("forecasting") or {}
    return {"models": setting(forecasting, Forecasting, "models"), "folds": int(setting(forecasting, Forecasting, "folds")),
            "holidays": setting(forecasting, Forecasting, "holidays")}


def solver_limits(raw: dict) -> tuple[float, float]:
    """``(time limit, work limit)`` of a scenario dict: its ``[solver]`` values or the defaults,
    the time limit capped by ``WFM_TIME_LIMIT``."""
    solver = raw.get("solver") or {}
    limit = float(setting(solver, Solver, "time_limit_seconds"))
    cap = time_limit_cap()
    return (min(limit, cap) if cap else limit), float(setting(solver, Solver, "work_limit"))


def default_scenario_dict() -> dict:
    with open(DEFAULT_SCENARIO, "rb") as fh:
        raw = tomllib.load(fh)
    # Paths in the example are relative to its folder: keep them absolute in the app.
    for q in raw.get("queue", []):
        if q.get("history"):
            q["history"] = str((DEFAULT_SCENARIO.parent / q["history"]).resolve())
    return raw


def time_limit_cap() -> float | None:
    """``WFM_TIME_LIMIT`` (seconds) caps the solver time, e.g. in tests."""
    value = os.environ.get("WFM_TIME_LIMIT")
    try:
        return float(value) if value else None
    except ValueError:
        return None


def init() -> None:
    """Fill the session with the defaults once."""
    ss = st.session_state
    ss.setdefault("lang", "en")
    if "scenario" not in ss:
        ss["scenario"] = default_scenario_dict()
        ss["editor_version"] = 0
    if "history" not in ss:
        from wfm.ui import pipeline

        frame, minutes = pipeline.load_sample()
        ss["history"] = History(frame, minutes, data.sample_path().name, str(data.sample_path()))
    ss.setdefault("forecast_opts", forecast_options(ss["scenario"]["queue"][0]))
    ss.setdefault("adjustments", pd.DataFrame({"date": pd.Series([], dtype="object"), "start": pd.Series([], dtype="object"),
                                              "end": pd.Series([], dtype="object"), "percent": pd.Series([], dtype=float)}))
    ss.setdefault("special_days", pd.DataFrame({"date": pd.Series([], dtype="object"),
                                               "closed": pd.Series([], dtype=bool),
                                               "multiplier": pd.Series([], dtype=float)}))
    time_limit, work_limit = solver_limits(ss["scenario"])
    ss.setdefault("time_limit", time_limit)
    ss.setdefault("work_limit", work_limit)
    ss.setdefault("upload_error", None)


# --- the scenario dict -----------------------------------------------------------


def scenario() -> dict:
    return st.session_state["scenario"]


def queue_template() -> dict:
    return scenario()["queue"][0]


def get(path: str, default=None):
    """A value of the scenario dict by dotted path, e.g. ``horizon.days`` or ``queue.0.aht``."""
    node = scenario()
    for part in path.split("."):
        if isinstance(node, list):
            node = node[int(part)]
        elif isinstance(node, dict):
            if part not in node:
                return default
            node = node[part]
        else:
            return default
    return node


def set_value(path: str, value) -> None:
    node = scenario()
    parts = path.split(".")
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
    if value is None:
        if isinstance(node, dict):
            node.pop(parts[-1], None)
    else:
        node[parts[-1]] = value


def bind(widget, label: str, path: str, *, default=None, convert=None, **kwargs):
    """Show ``widget`` with its value from the scenario dict and write changes back.

    ``convert`` maps the widget's value to the stored one (e.g. percent -> fraction);
    ``kwargs['value']``/``index`` are set by the caller when the mapping is not 1:1.
    """
    key = f"w:{path}"

    def changed():
        value = st.session_state[key]
        set_value(path, convert(value) if convert else value)

    return widget(label, key=key, on_change=changed, **kwargs)


def remember(key: str, widget, label: str, **kwargs):
    """A widget whose value persists across pages in ``st.session_state[key]``."""
    wkey = f"w:{key}"

    def changed():
        st.session_state[key] = st.session_state[wkey]

    return widget(label, key=wkey, on_change=changed, **kwargs)


def build_scenario(queues: list[str], *, source: str | None = None, forecast_file: str | None = None,
                   closed_dates=()) -> Scenario:
    """The validated :class:`Scenario` of the session, with one ``[[queue]]`` per data queue.

    ``forecast_file`` makes every queue read its demand from that forecast file (the
    adjusted forecast the app shows); otherwise the queues keep the template's source.
    ``closed_dates`` join the horizon's (the days the forecast closes).
    """
    raw = _scenario_dict(queues, forecast_file)
    if closed_dates:
        horizon = raw["horizon"]
        given = [dt.date.fromisoformat(d) if isinstance(d, str) else d for d in horizon.get("closed_dates") or []]
        horizon["closed_dates"] = sorted(set(given) | set(closed_dates))
    return validate_scenario(raw, source)


def problems(queues: list[str]) -> list:
    """Every problem of the session's scenario at once (:func:`wfm.scenario.scenario_problems`)."""
    return scenario_problems(_scenario_dict(queues))


def _scenario_dict(queues: list[str], forecast_file: str | None = None) -> dict:
    raw = copy.deepcopy(scenario())
    template = raw["queue"][0]
    entries = []
    for name in queues:
        entry = {**copy.deepcopy(template), "name": name}
        if forecast_file:
            # The forecast file has the library's own columns: the history's mapping is not for it.
            for key in ("history", "volumes", "columns"):
                entry.pop(key, None)
            entry["forecast"] = forecast_file
        entries.append(entry)
    raw["queue"] = entries
    solver = raw.setdefault("solver", {})
    solver["time_limit_seconds"] = float(st.session_state.get("time_limit") or default(Solver, "time_limit_seconds"))
    solver["work_limit"] = float(st.session_state.get("work_limit") or default(Solver, "work_limit"))
    return raw


class _SizingSections(Section):
    """What sizing reads of a scenario: the horizon, the queues and the verification seed."""

    horizon: Horizon
    queues: list[Queue] = Field(alias="queue")
    verify: Verify = Field(default_factory=Verify)


def sizing_scenario() -> Scenario:
    """The scenario the Staffing page sizes with :func:`wfm.plan.size_queue`.

    The session's whole scenario when it is valid; when a setting sizing does not read
    is wrong (a shift rule, a campaign: their pages name the mistake), its horizon,
    queues and verification alone, so the requirement still shows. Raises
    :class:`InputError` when the horizon or a queue is wrong.
    """
    raw = _scenario_dict(queue_names())
    try:
        return validate_scenario(raw)
    except InputError:
        pass
    try:
        parts = _SizingSections.model_validate({k: raw[k] for k in ("horizon", "queue", "verify") if k in raw})
    except ValidationError as exc:
        raise InputError(format_validation_error(exc)) from None
    # Sizing never reads the groups, shifts or campaigns left out here.
    return Scenario.model_construct(horizon=parts.horizon, queues=parts.queues, verify=parts.verify)


def queue_names() -> list[str]:
    """Queue names used for planning: the data's, or the template's name for a one-queue file."""
    hist: History = st.session_state["history"]
    names = sorted(hist.frame["queue"].astype(str).unique())
    if len(names) == 1:
        return [queue_template().get("name", names[0])]
    return names


def planning_history() -> pd.DataFrame:
    """The history with its queue renamed to the scenario's queue name when there is one queue."""
    hist: History = st.session_state["history"]
    names = hist.frame["queue"].astype(str).unique()
    if len(names) == 1:
        return hist.frame.assign(queue=queue_names()[0])
    return hist.frame


def move_horizon(start: dt.date) -> None:
    """Set the horizon start and move campaign dates with it (:func:`wfm.start.move_horizon`)."""
    starting.move_horizon(scenario(), start)


def history_end(history: History) -> dt.date:
    """The last day (local wall-clock) of a history."""
    return wall_clock(history.frame["ds"]).max().date()


def set_history(history: History) -> None:
    """Use a new history; the horizon moves to the first plan day after it
    (:func:`wfm.start.first_plan_day`) when it would overlap or start weeks later."""
    st.session_state["history"] = history
    last = history_end(history)
    start = get("horizon.start")
    if isinstance(start, str):
        start = dt.date.fromisoformat(start)
    if start is None or start <= last or (start - last).days > 14:
        move_horizon(starting.first_plan_day(last, get("horizon.closed_days") or ()))
    invalidate_plan()


def invalidate_plan() -> None:
    st.session_state.pop("plan", None)


def use_scenario(raw: dict) -> None:
    """Make ``raw`` the session's scenario: every page shows its settings afresh."""
    st.session_state["scenario"] = raw
    st.session_state["editor_version"] = st.session_state.get("editor_version", 0) + 1
    st.session_state["forecast_opts"] = forecast_options(raw["queue"][0])
    st.session_state["time_limit"], st.session_state["work_limit"] = solver_limits(raw)
    for key in list(st.session_state.keys()):
        if isinstance(key, str) and key.startswith("w:") and key != "w:lang":
            del st.session_state[key]


def start_base() -> dict:
    """The scenario an upload starts from: the one in use before the first upload (the example)."""
    return st.session_state.setdefault("start_base", copy.deepcopy(scenario()))


def start_from_upload(history: History, opening: dict, options: dict) -> list[str]:
    """Start the session's scenario from an uploaded history (:func:`wfm.start.start_from_history`).

    The base is the scenario in use before the first upload (the example), so choosing
    again (keep the groups after all) starts from the same settings. ``options`` holds
    ``timezone, currency, keep_groups, keep_campaigns, holidays`` and optionally
    ``exchange_rate`` and ``rates`` (group -> hourly cost in the currency); returns the notes.
    """
    base = start_base()
    interval = int(setting(base.get("horizon"), Horizon, "interval_minutes"))
    if interval % history.minutes:
        interval = history.minutes  # the example's interval cannot be summed from this data
    raw, notes = starting.start_from_history(
        base, opening, interval_minutes=max(interval, history.minutes), timezone=options["timezone"],
        currency=options["currency"], keep_groups=options["keep_groups"], keep_campaigns=options["keep_campaigns"],
        history_end=history_end(history), name=Path(history.source).stem, has_aht="aht" in history.frame.columns,
        exchange_rate=options.get("exchange_rate"), rates=options.get("rates"))
    queue = raw["queue"][0]
    queue.pop("columns", None)
    if history.columns:
        queue["columns"] = dict(history.columns)
    forecasting = queue.setdefault("forecasting", {})
    if options.get("holidays"):
        forecasting["holidays"] = options["holidays"]
    else:
        forecasting.pop("holidays", None)
    use_scenario(raw)
    set_history(history)
    return notes


def load_scenario_text(text: str, source: str, *, uploaded: Path | None = None) -> list[str]:
    """Replace the session's scenario with an uploaded TOML text; returns notes for the planner.

    The files it names must be ``uploaded`` with it (unpacked there) or inside the data
    folder (:mod:`wfm.uploads`). Raises :class:`InputError` with one sentence when the
    TOML, a setting or a file reference is wrong; the previous scenario is then kept.
    """
    from wfm.uploads import confine_scenario_files

    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{source}: is not valid TOML ({exc}).") from None
    except RecursionError:
        raise InputError(f"{source}: arrays or tables are nested too deeply to read, expected a scenario TOML file.") from None
    confine_scenario_files(raw, source, uploaded=uploaded)
    notes = []
    if not raw.get("queue"):
        raw["queue"] = copy.deepcopy(scenario()["queue"][:1])
        notes.append("no [[queue]] in the file: the current queue settings are kept")
    validate_scenario(raw, source)  # raises InputError with the TOML path of the first problem
    history_path = raw["queue"][0].get("history")
    use_scenario(raw)
    st.session_state.pop("start_base", None)  # a later upload starts from this scenario
    if history_path:
        path = Path(history_path)
        if path.is_file():
            columns = raw["queue"][0].get("columns") or None
            try:
                frame, minutes = data.read_intervals(path, timezone=raw["horizon"].get("timezone"), columns=columns)
            except InputError as exc:  # named as the planner named it, not by the folder it was unpacked to
                raise InputError(str(exc).replace(str(path), path.name)) from None
            # A file uploaded with the scenario is saved under its name, not the server's temporary path,
            # and travels with the scenario when it is saved again.
            own = uploaded is not None and uploaded.resolve() in path.parents
            st.session_state["history"] = History(frame, minutes, path.name, None if own else str(path),
                                                  content=path.read_bytes() if own else None, columns=columns)
        else:
            notes.append(f"history file '{shown(path.name)}' not found: the current data is kept")
    invalidate_plan()
    return notes


def scenario_for_saving() -> dict:
    """The scenario dict with the forecast settings of the session (what "Save scenario" writes)."""
    raw = copy.deepcopy(scenario())
    opts = st.session_state.get("forecast_opts", {})
    for q in raw["queue"]:
        forecasting = q.setdefault("forecasting", {})
        forecasting["folds"] = int(setting(opts, Forecasting, "folds"))
        for key in ("models", "holidays"):
            if opts.get(key):
                forecasting[key] = opts[key]
            else:
                forecasting.pop(key, None)
    hist: History = st.session_state["history"]
    if hist.path:
        for q in raw["queue"]:
            q.pop("forecast", None)
            q.pop("volumes", None)
            q["history"] = hist.path
    else:
        # An uploaded file: saved next to the TOML (in one zip, see scenario_zip), the path is relative.
        for q in raw["queue"]:
            q.pop("forecast", None)
            q.pop("volumes", None)
            q["history"] = data_file_name(hist)
            if hist.columns:
                q["columns"] = dict(hist.columns)
    solver = raw.setdefault("solver", {})
    solver["time_limit_seconds"] = float(st.session_state.get("time_limit") or default(Solver, "time_limit_seconds"))
    solver["work_limit"] = float(st.session_state.get("work_limit") or default(Solver, "work_limit"))
    return raw


def scenario_zip(raw: dict, history: History) -> bytes:
    """A zip of ``scenario.toml`` and the uploaded history it reads: "Load scenario" (or
    ``wfm plan scenario.toml`` after unzipping) starts from it in a new session."""
    import io
    import zipfile

    import tomli_w

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("scenario.toml", tomli_w.dumps(raw))
        zf.writestr(data_file_name(history), history.content or b"")
    return buffer.getvalue()
