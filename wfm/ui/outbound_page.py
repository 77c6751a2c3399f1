"""Page 4, Outbound & blending: the campaigns and where the plan places their work."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import streamlit as st

from wfm import outbound
from wfm.errors import InputError
from wfm.scenario import Campaign, validate_scenario
from wfm.ui import charts, common, pipeline, problems, state
from wfm.ui.i18n import hours, num, t

COLUMNS = ["name", "records", "max_attempts", "contact_rate", "aht_contact", "attempt_seconds", "conversion_rate",
           "window_days", "window_start", "window_end", "deadline", "daily_attempt_cap"]


def _as_date(value):
    if isinstance(value, str):
        return dt.date.fromisoformat(value)
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value


def campaigns_frame(campaigns: list[dict]) -> pd.DataFrame:
    rows = []
    for c in campaigns:
        row = {k: c.get(k) for k in COLUMNS}
        row["window_days"] = ", ".join(state.setting(c, Campaign, "window_days"))
        row["deadline"] = _as_date(c.get("deadline"))
        rows.append(row)
    frame = pd.DataFrame(rows, columns=COLUMNS)
    for column in ("records", "max_attempts", "daily_attempt_cap"):
        frame[column] = frame[column].astype("Int64")
    for column in ("contact_rate", "aht_contact", "attempt_seconds", "conversion_rate"):
        frame[column] = frame[column].astype(float)
    return frame


def _blank(x) -> bool:
    return x is None or x is pd.NA or x is pd.NaT or (isinstance(x, float) and np.isnan(x)) or (isinstance(x, str) and not x.strip())


def campaigns_from_frame(frame: pd.DataFrame) -> list[dict]:
    """Editor rows back to ``[[campaign]]`` dicts (blank rows dropped, blank optional cells left out)."""
    out = []
    for row in frame.to_dict("records"):
        if all(_blank(row.get(k)) for k in COLUMNS):
            continue
        entry = {}
        for key in COLUMNS:
            value = row.get(key)
            if _blank(value):
                continue
            if key == "window_days":
                value = [d.strip().lower()[:3] for d in str(value).replace("、", ",").split(",") if d.strip()]
            elif key in ("records", "max_attempts", "daily_attempt_cap"):
                value = int(value)
            elif key in ("contact_rate", "aht_contact", "attempt_seconds", "conversion_rate"):
                value = float(value)
            elif key == "deadline":
                value = _as_date(value)
            entry[key] = value
        out.append(entry)
    return out


def page() -> None:
    st.title(t("Outbound & blending"))
    st.caption(t("Campaign work is placed by the scheduler inside each calling window, on blended and outbound agents, "
                 "where inbound leaves room. Column names stay in English as in the scenario file."))
    version = st.session_state.get("editor_version", 0)
    key = f"campaign_editor_{version}"
    base_key = f"campaign_base_{version}"
    if key not in st.session_state or base_key not in st.session_state:
        st.session_state[base_key] = campaigns_frame(state.scenario().get("campaign", []))
    edited = st.data_editor(
        st.session_state[base_key], num_rows="dynamic", key=key, hide_index=True, width="stretch",
        column_config={
            "name": st.column_config.TextColumn(t("Campaign"), required=True),
            "records": st.column_config.NumberColumn(t("Records"), min_value=0, step=1),
            "max_attempts": st.column_config.NumberColumn(t("Max attempts"), min_value=1, max_value=50, step=1),
            "contact_rate": st.column_config.NumberColumn(t("Contact rate"), min_value=0.01, max_value=1.0, format="%.2f"),
            "aht_contact": st.column_config.NumberColumn(t("AHT per contact (s)"), min_value=1),
            "attempt_seconds": st.column_config.NumberColumn(t("Seconds per failed attempt"), min_value=0),
            "conversion_rate": st.column_config.NumberColumn(t("Conversion rate"), min_value=0.0, max_value=1.0, format="%.2f"),
            "window_days": st.column_config.TextColumn(t("Calling days"), help="mon, tue, wed, thu, fri, sat, sun"),
            "window_start": st.column_config.TextColumn(t("Window start")),
            "window_end": st.column_config.TextColumn(t("Window end")),
            "deadline": st.column_config.DateColumn(t("Deadline")),
            "daily_attempt_cap": st.column_config.NumberColumn(t("Daily attempt cap"), min_value=1, step=1),
        })
    found = common.scenario_problems()
    if found and not problems.on_page(found, "Outbound"):
        problems.show(found, "The scenario is not valid", state.scenario())  # settings on other pages
        return
    try:
        campaigns = campaigns_from_frame(edited)
        raw = {**state.scenario(), "campaign": campaigns}
        validate_scenario({**raw, "queue": [{**state.queue_template(), "name": "check"}]}, t("campaigns"))
        state.scenario()["campaign"] = campaigns
    except (InputError, ValueError) as exc:
        common.error(exc, "The campaigns were not applied")
    try:
        models = state.build_scenario(state.queue_names()).campaigns
    except InputError as exc:
        common.error(exc, "The scenario is not valid")
        return

    if models:
        table = pipeline.workload(models)
        shown = pd.DataFrame({
            t("Campaign"): table["name"],
            t("Attempts"): table["attempts"].map(num),
            t("Contacts"): table["contacts"].map(num),
            t("Conversions"): table["conversions"].map(lambda x: num(x) if pd.notna(x) else "–"),
            t("Agent-hours"): table["agent_hours"].map(lambda x: hours(x, 1)),
            t("Seconds per attempt"): table["seconds_per_attempt"].map(lambda x: num(x, 1)),
        })
        st.dataframe(shown, hide_index=True, width="stretch")
    else:
        st.info(t("No campaigns: the plan is inbound only."))

    got = common.current_sizing(show_errors=False)
    if got is None:
        st.info(t("Fix the forecast and staffing settings to see the requirement."))
        return
    _, sized = got
    requirement = sized.groupby("ds", as_index=False)[["scheduled"]].sum()
    run = common.current_plan()
    coverage = None
    if run is not None and run.key == common.current_plan_key():
        coverage = run.future.result().schedule.coverage
    windows = None
    if models:
        try:
            sc = state.build_scenario(state.queue_names())
            h = sc.horizon
            rows = []
            for c in models:
                mask = outbound.calling_mask(c, h)
                for d, day in enumerate(h.dates()):
                    slots = np.flatnonzero(mask[d])
                    if len(slots):
                        first = pd.Timestamp(day) + pd.Timedelta(minutes=int(slots[0]) * h.interval_minutes)
                        last = pd.Timestamp(day) + pd.Timedelta(minutes=(int(slots[-1]) + 1) * h.interval_minutes)
                        rows.append({"ds": first, "end": last})
            windows = pd.DataFrame(rows)
        except InputError:
            windows = None
    st.subheader(t("Inbound requirement and outbound work"))
    st.altair_chart(charts.requirement_with_outbound(requirement, coverage, windows), width="stretch")
    if coverage is None:
        st.caption(t("Red: inbound heads required. Green shading: calling windows. Solve on the Schedule page to see "
                     "where the plan places the outbound work."))
    else:
        done = run.future.result().kpis.outbound_done_share
        st.caption(t("Red: inbound heads required. Blue: inbound agents scheduled. Green: agents on outbound work.")
                   + " " + " · ".join(f"{name}: {100 * share:.0f}% " + t("done") for name, share in done.items()))
