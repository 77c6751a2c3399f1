"""What several pages need: the current forecast and sizing of the session, and messages.

Each function reads the session's settings, calls the cached library stage in
:mod:`wfm.ui.pipeline` and returns ``None`` after showing a translated message when
a stage cannot run (a user mistake is a message, never a traceback).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from wfm.errors import InputError
from wfm.localtime import wall_clock
from wfm.scenario import Forecasting, Horizon, Problem, Scenario
from wfm.ui import pipeline, problems, state
from wfm.ui.i18n import t


def error(exc: Exception, framing: str = "That did not work") -> None:
    """A library error as the planner sees it: the framing and the library's sentence, both
    in the session's language (:func:`wfm.ui.problems.translate`), files of the session's
    private folder named by their own names, not the server's path."""
    text = str(exc)
    if "folder" in st.session_state:
        text = text.replace(str(session_folder()) + "/", "")
    st.error(f"**{t(framing)}**: {problems.translate(text)}")


def horizon() -> tuple[dt.date, int, int, str]:
    h = state.get("horizon")
    start = h["start"]
    if isinstance(start, str):
        start = dt.date.fromisoformat(start)
    days, interval, zone = (state.setting(h, Horizon, name) for name in ("days", "interval_minutes", "timezone"))
    return start, int(days), int(interval), zone


def current_forecast(show_errors: bool = True):
    """``(ForecastResult, base table in the horizon, adjusted table)`` or ``None``."""
    hist: state.History = st.session_state["history"]
    start, days, interval, tz = horizon()
    opts = st.session_state["forecast_opts"]
    special = st.session_state.get("special_days")
    special = special.dropna(subset=["date"]) if special is not None and len(special) else None
    try:
        with st.spinner(t("Forecasting (backtest of the candidate models)…")):
            result, table = pipeline.run_forecast(
                state.planning_history(), hist.minutes, start, days, interval,
                tuple(opts["models"]) if opts.get("models") else None, int(state.setting(opts, Forecasting, "folds")),
                opts.get("holidays"), special, None)
        adjusted = pipeline.adjusted(table, st.session_state.get("adjustments"))
    except InputError as exc:
        if show_errors:
            error(exc, "The forecast could not be made")
        return None
    if table.empty:
        if show_errors:
            st.warning(t("The forecast has no intervals inside the planning horizon: check the horizon start."))
        return None
    return result, table, adjusted


def current_sizing(show_errors: bool = True):
    """``(forecast bundle, sized table)`` for the session's queues, or ``None``.

    The table is :func:`wfm.plan.size_queue`'s for the adjusted forecast: the intervals
    inside the opening hours, sized with each queue's target, ``sizing`` and ``profile``.
    """
    fc = current_forecast(show_errors)
    if fc is None:
        return None
    try:
        sized = pipeline.size(state.sizing_scenario(), fc[2], session_folder())
    except InputError as exc:
        if show_errors:
            error(exc, "The staffing could not be sized")
        return None
    return fc, sized


def scenario_problems() -> list[Problem]:
    """Every problem of the session's scenario (:func:`wfm.scenario.scenario_problems`)."""
    return state.problems(state.queue_names())


def session_folder() -> Path:
    """A private folder of this session for files handed to the library (the forecast file)."""
    if "folder" not in st.session_state:
        st.session_state["folder"] = tempfile.mkdtemp(prefix="wfm-app-")
    return Path(st.session_state["folder"])


def current_plan():
    """The finished plan run of the session (``PlanRun``) whose result is available, or None."""
    run = st.session_state.get("plan")
    if run is None or not run.done or run.future.exception() is not None:
        return None
    return run


def plan_is_current(run, sized_key: str | None) -> bool:
    return run is not None and sized_key is not None and run.key == sized_key


def plan_scenario(fc) -> Scenario:
    """The scenario the Schedule page solves for the forecast bundle ``fc``.

    Its queues read the adjusted forecast, and the days the forecast closes (public
    holidays, closed special days) are closed dates of the horizon, as ``wfm plan``
    makes them: nobody is rostered on a holiday, and weekly contracts work one day
    fewer that week. Raises :class:`InputError` when the scenario is not valid.
    """
    closed = getattr(fc[0], "closed_dates", None) or []
    return state.build_scenario(state.queue_names(), forecast_file=pipeline.FORECAST_FILE, closed_dates=closed)


def current_plan_key() -> str | None:
    """The plan key of the session's present settings (to tell whether a plan is stale)."""
    fc = current_forecast(show_errors=False)
    if fc is None:
        return None
    try:
        scenario = plan_scenario(fc)
    except InputError:
        return None
    return pipeline.plan_key(scenario, fc[2])


def solved_plan(stale_message: str):
    """The session's solved plan result, telling the planner when there is none or when
    the settings changed since it was solved; None when there is nothing to show."""
    run = current_plan()
    if run is None:
        nothing_solved()
        return None
    result = run.future.result()
    if run.key != current_plan_key():
        st.warning(stale_message)
    return run, result


def nothing_solved() -> None:
    st.info(t("No plan yet: press **Solve** on the Schedule page (the default scenario solves in about half a minute)."))


def metric_row(items: list[tuple[str, str]], helps: dict | None = None, per_row: int = 4) -> None:
    """KPI tiles, at most ``per_row`` to a row so long values are not cut.

    A value made by :func:`wfm.ui.i18n.num_tile` (``money_tile``, ``hours_tile``) shows
    its compact text; its whole value leads the tile's tooltip.
    """
    for first in range(0, len(items), per_row):
        chunk = items[first:first + per_row]
        cols = st.columns(per_row)
        for col, (label, value) in zip(cols, chunk, strict=False):
            col.metric(label, str(value), help=tile_help(value, (helps or {}).get(label)), border=True)


def tile_help(value, text: str | None) -> str | None:
    """A tile's tooltip: the whole value when the tile shows it shortened, then ``text``."""
    full = getattr(value, "full", None)
    if full is None or full == str(value):
        return text
    return f"**{full}**" + (f"  \n{text}" if text else "")


def local_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Timestamps shown as local wall-clock text."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = wall_clock(out[column]).dt.strftime("%Y-%m-%d %H:%M")
    return out
