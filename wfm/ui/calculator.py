"""Erlang staffing calculator over the average day of the loaded history."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from wfm import data, erlang
from wfm.errors import InputError


@st.cache_data(show_spinner=False)
def load_sample_average_day(interval_minutes: int) -> pd.DataFrame:
    frame, minutes = data.read_intervals(data.sample_path())
    frame = data.aggregate_intervals(frame, minutes, interval_minutes)
    return data.average_day(frame, weekdays=[0, 1, 2, 3, 4])


def page() -> None:
    st.title("Erlang staffing calculator")
    st.caption(
        "Average weekday of the bundled sample: real 5-minute call arrivals of a North American bank, "
        "March-October 2003 (Weinberg, Brown & Stroud 2007)."
    )
    with st.sidebar:
        st.header("Service target")
        interval = st.selectbox("Interval (minutes)", [15, 30, 60], index=1)
        aht = st.number_input("Average handle time (s)", min_value=1.0, value=240.0, step=10.0)
        use_asa = st.toggle("Target ASA instead of service level", value=False)
        if use_asa:
            asa_target = st.number_input("ASA target (s)", min_value=1.0, value=15.0, step=1.0)
            service_level, answer_within = None, 20.0
        else:
            asa_target = None
            service_level = st.slider("Service level (share answered in time)", 0.50, 0.99, 0.80, 0.01)
            answer_within = st.number_input("Answered within (s)", min_value=0.0, value=20.0, step=5.0)
        max_occupancy = st.slider("Maximum occupancy", 0.50, 1.00, 0.90, 0.01)
        shrinkage = st.slider("Shrinkage", 0.00, 0.60, 0.30, 0.01)
        model = st.radio("Queue model", ["erlang-c", "erlang-a"], horizontal=True,
                         help="Erlang A counts callers who hang up (needs their mean patience).")
        patience = st.number_input("Mean patience (s)", min_value=1.0, value=120.0) if model == "erlang-a" else None

    day = load_sample_average_day(interval)
    try:
        sized = erlang.size_intervals(
            day, interval, aht=aht, service_level=service_level, answer_within=answer_within,
            asa=asa_target, max_occupancy=max_occupancy, shrinkage=shrinkage, model=model, patience=patience,
        )
    except InputError as exc:
        st.error(str(exc))
        return
    sized["time"] = day["time"].to_numpy()
    hours = interval / 60
    calls = sized["y"].sum()
    answered_in_time = (sized["service_level"] * sized["y"]).sum() / calls
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Calls per day", f"{calls:,.0f}")
    c2.metric("Peak agents (productive)", f"{int(sized['agents'].max())}")
    c3.metric("Scheduled agent-hours", f"{sized['scheduled'].sum() * hours:,.1f}")
    c4.metric("Day's service level", f"{answered_in_time:.1%}")

    base = alt.Chart(sized).encode(x=alt.X("time:N", title="Time of day", sort=None))
    bars = base.mark_bar(opacity=0.35, color="#4c78a8").encode(y=alt.Y("y:Q", title="Calls offered"))
    line = base.mark_line(point=True, color="#e45756").encode(
        y=alt.Y("scheduled:Q", title="Agents to schedule"),
        tooltip=["time", alt.Tooltip("y:Q", format=".0f", title="calls"), "agents", "scheduled",
                 alt.Tooltip("service_level:Q", format=".1%"), alt.Tooltip("occupancy:Q", format=".1%")],
    )
    st.altair_chart(alt.layer(bars, line).resolve_scale(y="independent"), width="stretch")
    table = sized[["time", "y", "agents", "scheduled", "service_level", "asa", "occupancy"]].rename(
        columns={"y": "calls", "asa": "asa_s"})
    st.dataframe(table, hide_index=True, width="stretch",
                 column_config={"calls": st.column_config.NumberColumn(format="%.1f"),
                                "service_level": st.column_config.NumberColumn(format="%.3f"),
                                "asa_s": st.column_config.NumberColumn(format="%.1f"),
                                "occupancy": st.column_config.NumberColumn(format="%.3f")})
