"""Page 10, Roster: named agents (a roster file or the scenario's ``[[agent]]`` list) against the
plan's requirement: availability against need, solve, the シフト表, per-person totals and
fairness, locking the published days and re-solving, downloads.

Every figure comes from :mod:`wfm.roster` (``read_agents``, ``availability``,
``make_roster`` and the tables of its ``RosterResult``); the solve runs in the app's solve
process (:func:`wfm.ui.solver_watch.start_roster`), as the Schedule page's plans do.
"""

from __future__ import annotations

import time
from pathlib import Path

import altair as alt
import pandas as pd
import streamlit as st

from wfm.errors import InputError
from wfm.roster import run as roster
from wfm.scenario import RosterSettings
from wfm.ui import charts, common, pipeline, solver_watch, state
from wfm.ui.i18n import date, hours, lkey, money, num, pct, t

MAX_ROSTER_BYTES = 20 * 1024 * 1024
SOURCES = {"upload": "The uploaded roster file", "scenario": "The scenario's agents ([[agent]] or roster.agents)"}


def _keep_upload(file) -> None:
    """An uploaded roster file, saved in the session folder (the library reads it by path, any encoding)."""
    content = file.getvalue()
    if len(content) > MAX_ROSTER_BYTES:
        st.session_state["roster_upload_error"] = t("{name} is {mb} MB, more than the {limit} MB limit.", name=file.name,
                                                    mb=num(len(content) / 1024 / 1024), limit=num(MAX_ROSTER_BYTES / 1024 / 1024))
        return
    folder = common.session_folder() / "roster"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / Path(file.name).name
    path.write_bytes(content)
    st.session_state["roster_upload_error"] = None
    st.session_state["roster_file"] = str(path)
    st.session_state["roster_source"] = "upload"


def _source(scenario) -> str | None:
    """Where the agents come from: the uploaded file or the scenario; None when there are none yet."""
    choices = [k for k, ok in (("upload", st.session_state.get("roster_file")),
                               ("scenario", roster.names_roster(scenario))) if ok]
    if not choices:
        return None
    chosen = st.session_state.get("roster_source")
    if len(choices) == 1:
        return choices[0]
    index = choices.index(chosen) if chosen in choices else 0
    picked = st.radio(t("Agents"), choices, index=index, format_func=lambda k: t(SOURCES[k]),
                      key=lkey("w:roster_source"), horizontal=True)
    st.session_state["roster_source"] = picked
    return picked


def _agents(scenario, source: str, requirement: pd.DataFrame):
    """The checked agents and the scenario to roster them with (the upload replaces ``[[agent]]``)."""
    if source == "upload":
        path = Path(st.session_state["roster_file"])
        scenario = scenario.model_copy(update={"agents": None})
        return roster.read_agents(scenario, path, requirement, source=path.name), scenario
    path = roster.roster_file(scenario, common.session_folder())
    return roster.read_agents(scenario, path, requirement, source=t("scenario")), scenario


def availability_chart(table: pd.DataFrame) -> alt.Chart:
    """Agents who could be on the phones per interval against the requirement (all queues)."""
    per = table.groupby("ds", as_index=False)[["required", "available_agents"]].sum()
    per = charts.with_day(per)  # drawn day by day: no line across a closed night
    names = {"required": t("Required"), "available_agents": t("Available agents")}
    long = per.melt(["ds", "day"], var_name="series", value_name="agents").assign(series=lambda f: f["series"].map(names))
    return alt.Chart(long).mark_line(interpolate="step-after").encode(
        x=alt.X("ds:T", title=t("Time")), y=alt.Y("agents:Q", title=t("Agents")), detail="day:N",
        color=alt.Color("series:N", title="", scale=alt.Scale(range=["#C00000", "#1F5FA0"])),
        tooltip=[alt.Tooltip("ds:T", title=t("Time"), format="%Y-%m-%d %H:%M"), "series:N", "agents:Q"],
    ).properties(height=260)


def _work_limit(scenario) -> float:
    settings = scenario.roster or RosterSettings()
    default = float(min(settings.work_limit, 60))
    value = st.session_state.get("roster_work_limit", default)
    work = st.slider(t("Roster work budget (deterministic s)"), 1, 60, int(max(1, min(value, 60))), key="w:roster_work_limit",
                     help=t("CP-SAT stops after this much work and keeps the best roster found; the same work gives "
                            "the same roster on any machine."))
    st.session_state["roster_work_limit"] = float(work)
    return float(work)


def _start(scenario, agents, requirement, work: float, published=None, published_dates=None) -> None:
    run = solver_watch.start_roster("roster", work, scenario=scenario, agents=agents, requirements=requirement,
                                    published=published, published_dates=published_dates, work_limit=work,
                                    source=t("scenario"))
    st.session_state["roster_run"] = run


def _wait(run) -> None:
    bar = st.progress(0.0, text=t("Rostering…"))
    while not run.done:
        elapsed = run.elapsed()
        bar.progress(min(0.99, elapsed / (3 * run.time_limit + 15)),
                     text=t("Rostering (CP-SAT) · {elapsed} s", elapsed=num(elapsed)))
        time.sleep(0.2)
    bar.empty()


def page() -> None:
    st.title(t("Roster"))
    st.caption(t("Named agents with contracts, availability, time off and wishes, rostered against the requirement "
                 "the plan schedules. The roster file has one row per agent (columns in docs/roster.md); CSV in "
                 "UTF-8 or CP932 (Shift_JIS), or XLSX."))
    file = st.file_uploader(t("Upload a roster file"), type=["csv", "xlsx"], key="roster_upload")
    if file is not None and st.session_state.get("roster_upload_seen") != (file.name, file.size):
        st.session_state["roster_upload_seen"] = (file.name, file.size)
        _keep_upload(file)
    if st.session_state.get("roster_upload_error"):
        st.error(st.session_state["roster_upload_error"])
    try:
        scenario = state.build_scenario(state.queue_names(), forecast_file=pipeline.FORECAST_FILE)
    except InputError as exc:
        common.error(exc, "The scenario is not valid")
        return
    source = _source(scenario)
    if source is None:
        st.info(t("Upload a roster file, or give the scenario [[agent]] entries, to roster named agents."))
        return
    sized = common.current_sizing()
    if sized is None:
        return
    from wfm.plan import scheduled_requirement

    requirement = scheduled_requirement(sized[1])
    try:
        agents, scenario = _agents(scenario, source, requirement)
        need = roster.availability(scenario, agents, requirement)
    except InputError as exc:
        common.error(exc, "The roster cannot be made")
        return

    st.subheader(t("Availability against need"))
    common.metric_row([
        (t("Agents"), num(len(agents))),
        (t("Intervals with too few available"), num(int((need["unavailable"] > 0).sum()))),
        (t("Agent-intervals nobody can cover"), num(int(need["unavailable"].sum()))),
    ], per_row=3, helps={t("Intervals with too few available"): t(
        "Intervals where fewer agents with the skill are available than the requirement asks, before any rule.")})
    st.altair_chart(availability_chart(need), width="stretch")
    st.caption(t("Red: heads required (after shrinkage, as the plan schedules). Blue: agents whose availability "
                 "allows them on the phones then."))

    c1, c2 = st.columns([3, 1])
    with c1:
        work = _work_limit(scenario)
    solve = c2.button(t("Solve the roster"), type="primary", key="roster_solve", width="stretch")
    if solve:
        st.session_state.pop("roster_published", None)
        _start(scenario, agents, requirement, work)
    previous = st.session_state.get("roster_result")
    if previous is not None:
        with st.expander(t("Lock the published days and re-solve"), expanded=False):
            st.caption(t("Change the roster file (a sick day as time_off, a new wish) and upload it again, pick the "
                         "days already published, and re-solve: the published days change as little as possible."))
            days = previous.problem.dates
            locked = st.multiselect(t("Published days"), days, default=days, format_func=date, key="roster_locked")
            if st.button(t("Re-solve keeping the published days"), key="roster_resolve"):
                published = previous.assignment[["agent", "date", "shift"]]
                st.session_state["roster_published"] = len(locked)
                _start(scenario, agents, requirement, work, published=published, published_dates=list(locked))
    run = st.session_state.get("roster_run")
    if run is not None and not run.done:
        _wait(run)
    if run is not None and run.done:
        if run.future.exception() is not None:
            common.error(run.future.exception(), "The roster could not be made")
        elif st.session_state.get("roster_run_seen") is not run:
            st.session_state["roster_run_seen"] = run
            st.session_state["roster_result"] = run.future.result()
            st.session_state.pop("roster_downloads", None)
    result = st.session_state.get("roster_result")
    if result is None:
        st.info(t("No roster yet: press **Solve the roster**."))
        return
    show_roster(result, scenario)


def show_roster(result, scenario) -> None:
    s = result.summary
    st.success(t("Roster solved: {status}, {seconds} s.", status=s["status"], seconds=num(s["seconds"], 1)))
    items = [
        (t("Agents"), num(s["agents"])),
        (t("Shifts"), num(s["shifts"])),
        (t("Paid hours"), hours(s["paid_hours"])),
        (t("Labour cost"), money(s["labour_cost"], s["currency"])),
        (t("Unmet wishes"), t("{n} of {total}", n=num(s["unmet_wishes"]), total=num(s["wishes"]))),
        (t("Fairness spread"), num(max(s["fairness_spread"].values(), default=0))),
        (t("Short intervals"), num(s["short_intervals"])),
        (t("Gap to bound"), pct(s["gap"], 2)),
    ]
    if s["changed_shifts"] is not None:
        items.append((t("Changed shifts"), num(s["changed_shifts"])))
    common.metric_row(items, helps={
        t("Fairness spread"): t("Most minus fewest weekend (or late) shifts among comparable agents: same group and "
                                "weekly maximum, able to work such shifts."),
        t("Changed shifts"): t("Days of the published days whose shift or day off changed.")})
    if s["changed_shifts"] is not None:
        st.info(t("{n} shift(s) changed from the published roster on {days} published day(s).",
                  n=num(s["changed_shifts"]), days=num(st.session_state.get("roster_published", 0))))
    st.subheader(t("Shift table"))
    st.dataframe(result.shift_grid, hide_index=True, width="stretch")
    st.caption(t("One row per person, one column per day: the shift code, 休 time off, empty a day off."))
    st.subheader(t("Per-person totals and fairness"))
    st.dataframe(result.agent_totals, hide_index=True, width="stretch")
    st.dataframe(result.fairness, hide_index=True, width="stretch")
    short = result.shortfalls
    st.subheader(t("Short intervals"))
    if short.empty:
        st.success(t("Every interval is covered."))
    else:
        st.dataframe(common.local_table(short), hide_index=True, width="stretch")
    for sentence in s["diagnosis"]:
        st.markdown(f"- {sentence}")
    files = st.session_state.get("roster_downloads")
    if files is None:
        files = roster.roster_downloads(result, title=scenario.name)
        st.session_state["roster_downloads"] = files
    c1, c2, c3 = st.columns(3)
    c1.download_button(t("シフト表 (XLSX)"), files["shift_table.xlsx"], "shift_table.xlsx", key="roster_xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    c2.download_button(t("Calendars (ICS, zip)"), files["calendars.zip"], "calendars.zip", key="roster_ics",
                       mime="application/zip")
    c3.download_button(t("Every roster file (zip)"), files["roster.zip"], "roster.zip", key="roster_zip",
                       mime="application/zip")
