"""Page 3, Staffing: the service target, the queue model, and the agents each interval needs.

The requirement is :func:`wfm.plan.size_queue`'s, the one ``wfm plan`` schedules.
"""

from __future__ import annotations

import streamlit as st

from wfm import summary
from wfm.errors import InputError
from wfm.scenario import Queue
from wfm.ui import charts, common, pipeline, state
from wfm.ui.common import tile_help
from wfm.ui.i18n import hours, hours_tile, lkey, num, num_tile, pct, seconds, t

# Starting values offered when the planner switches a target on; not scenario defaults
# (the scenario leaves ASA, AHT and patience unset unless a file gives them).
SUGGESTED_ASA = 30
SUGGESTED_AHT = 240
SUGGESTED_PATIENCE = 120
MODELS = ("erlang-c", "erlang-a", "simulation")


def _implied_model(q: dict) -> str:
    """The model :func:`wfm.plan.size_queue` uses when the queue names none: Erlang A with a
    patience (the queue's or its profile's), else Erlang C."""
    patience = q.get("patience")
    if patience is None and q.get("profile"):
        try:
            patience = pipeline.profile_patience(str(q["profile"]), str(q.get("name", "")))
        except InputError:
            patience = None  # the sizing names the profile's problem
    return "erlang-a" if patience else "erlang-c"


def _settings() -> None:
    q = state.queue_template()

    def value(name):
        return state.setting(q, Queue, name)

    c1, c2, c3, c4 = st.columns(4)
    kind = c1.radio(t("Service target"), ["sl", "asa"], index=1 if q.get("asa") else 0, key=lkey("w:target.kind"),
                    format_func={"sl": t("Service level"), "asa": t("ASA")}.get, horizontal=True,
                    help=t("Service level: share of calls answered within a time. ASA: average speed of answer."))
    if kind == "sl":
        q.pop("asa", None)
        sl = c1.slider(t("Service level (%)"), 50, 99, int(round(100 * float(value("service_level")))),
                       key="w:queue.service_level", help=t("Share of offered calls answered within the answer time."))
        q["service_level"] = sl / 100
        q["answer_within"] = float(c2.number_input(t("Answer within (s)"), 0, 600, int(value("answer_within")),
                                                   step=5, key="w:queue.answer_within"))
        scopes = {"interval": t("every interval"), "day": t("the whole day"), "week": t("the whole week")}
        scope = c2.selectbox(t("Service goal over"), list(scopes), index=list(scopes).index(value("service_goal")),
                             format_func=scopes.get, key=lkey("w:queue.service_goal"),
                             help=t("Every interval: each interval meets the target on its own. Day or week: the share of "
                                    "the day's (week's) calls; the schedule puts agents where they buy the most service."))
        if scope == "interval":
            q.pop("service_goal", None)
            q.pop("interval_floor", None)
        else:
            q["service_goal"] = scope
            floor = c1.slider(t("No interval below (%)"), 0, sl, int(round(100 * float(value("interval_floor") or 0))),
                              key="w:queue.interval_floor",
                              help=t("The lowest service level any single interval may have under a day or week goal."))
            if floor > 0:
                q["interval_floor"] = floor / 100
            else:
                q.pop("interval_floor", None)
    else:
        q["asa"] = float(c2.number_input(t("ASA target (s)"), 1, 600, int(q.get("asa") or SUGGESTED_ASA), step=5,
                                         key="w:queue.asa", help=t("Average seconds a caller waits before answer.")))
    has_aht = "aht" in st.session_state["history"].frame.columns
    use_history_aht = False
    if has_aht:
        use_history_aht = c3.checkbox(t("AHT from the history"), value=q.get("aht") is None, key="w:queue.aht_hist",
                                      help=t("Use the forecast AHT per interval (from the history's aht column)."))
    if use_history_aht:
        q.pop("aht", None)
    else:
        q["aht"] = float(c3.number_input(t("AHT (s)"), 10, 3600, int(q.get("aht") or SUGGESTED_AHT), step=10,
                                         key="w:queue.aht",
                                         help=t("Average handle time: talk, hold and after-call work, in seconds.")))
    q["max_occupancy"] = c4.slider(t("Max occupancy (%)"), 50, 100, int(round(100 * float(value("max_occupancy")))),
                                   key="w:queue.max_occupancy",
                                   help=t("Highest share of logged-in time agents spend on calls.")) / 100
    c5, c6, c7 = st.columns([1, 1, 2])
    q["shrinkage"] = c5.slider(t("Shrinkage (%)"), 0, 60, int(round(100 * float(value("shrinkage")))),
                               key="w:queue.shrinkage",
                               help=t("Paid time lost to absence, training, meetings, coaching (breaks are scheduled)."
                                      )) / 100
    # The queue's own `sizing` wins, as in `wfm plan`; simulation needs a learned profile.
    models = [m for m in MODELS if m != "simulation" or q.get("profile")]
    current = q.get("sizing") or _implied_model(q)
    model = c6.radio(t("Queue model"), models, index=models.index(current) if current in models else 0,
                     key=lkey("w:queue.model"), format_func={
                         "erlang-c": "Erlang C", "erlang-a": t("Erlang A (callers hang up)"),
                         "simulation": t("Simulation (learned profile)")}.get)
    if model == "erlang-a":
        q["patience"] = float(c7.number_input(t("Mean patience (s)"), 5, 1800, int(q.get("patience") or SUGGESTED_PATIENCE),
                                              step=5, key="w:queue.patience",
                                              help=t("Mean seconds callers wait before hanging up.")))
    elif model == "erlang-c" and q.get("sizing") != "erlang-c":
        # Switched to Erlang C: callers never hang up. A file's `sizing = "erlang-c"` with a
        # patience keeps it: sized without hang-ups, verified with them.
        q.pop("patience", None)
    if model == _implied_model(q) and not q.get("profile"):
        q.pop("sizing", None)
    else:
        q["sizing"] = model


def page() -> None:
    st.title(t("Staffing"))
    _settings()
    got = common.current_sizing()
    if got is None:
        return
    fc, sized = got
    _, _, interval, _ = common.horizon()
    s = pipeline.requirement_summary(sized, interval)
    common.metric_row([
        (t("Calls"), num_tile(s["calls"])),
        (t("Peak required agents"), num(s["peak_agents"])),
        (t("Peak heads after shrinkage"), num(s["peak_scheduled"])),
        (t("Agent-hours to schedule"), hours_tile(s["scheduled_hours"])),
        (t("Service level"), pct(s["service_level"])),
        (t("ASA"), seconds(s["asa"])),
        (t("Occupancy"), pct(s["occupancy"])),
    ], helps={t("Service level"): t("Call-weighted service level the required agents deliver (Erlang)."),
              t("Agent-hours to schedule"): t("Sum of heads after shrinkage over the intervals.")})
    if s.get("abandon_rate") is not None:
        st.caption(t("Erlang A: {rate} of callers hang up before answer.", rate=pct(s["abandon_rate"])))

    queues = list(dict.fromkeys(sized["queue"]))
    queue = queues[0]
    if len(queues) > 1:
        queue = st.selectbox(t("Queue"), queues, key="staff_queue")
    st.altair_chart(charts.calls_and_agents(sized[sized["queue"] == queue]), width="stretch")
    st.caption(t("Bars: forecast calls per interval. Red line: heads to schedule after shrinkage."))

    what_if(fc[2], interval)
    with st.expander(t("Requirement per interval")):
        st.dataframe(common.local_table(sized), hide_index=True, width="stretch")


WHAT_IF_LEVELS = (0.7, 0.8, 0.9)


def what_if(forecast, interval: int) -> None:
    """The requirement at 70 / 80 / 90% and, for each, what the target alone would need.

    When the occupancy cap binds (:func:`wfm.summary.what_binds`) a higher target changes
    nothing: the strip says so and shows the hours the target alone needs, which do differ.
    """
    st.subheader(t("What if: service level 70 / 80 / 90%"))
    scenario = state.sizing_scenario()
    answer_within = scenario.queues[0].answer_within
    cap = scenario.queues[0].max_occupancy
    cols = st.columns(len(WHAT_IF_LEVELS))
    found = []
    for col, level in zip(cols, WHAT_IF_LEVELS, strict=True):
        target = pipeline.with_service_level(scenario, level)
        try:
            sized = pipeline.size(target, forecast, common.session_folder())
            alone = pipeline.size(pipeline.without_occupancy_cap(target), forecast, common.session_folder())
        except InputError as exc:
            common.error(exc, "The staffing could not be sized")
            return
        a = pipeline.requirement_summary(sized, interval)
        binds = summary.what_binds(sized, alone, interval)
        found.append(binds)
        with col.container(border=True):
            st.metric(t("{level} in {secs} s", level=pct(level, 0), secs=num(answer_within)),
                      str(hours_tile(a["scheduled_hours"])), help=tile_help(hours_tile(a["scheduled_hours"]),
                                                                     t("Agent-hours to schedule")))
            st.caption(f"{t('Peak heads after shrinkage')}: {num(a['peak_scheduled'])} · "
                       f"{t('ASA')}: {seconds(a['asa'])} · {t('Occupancy')}: {pct(a['occupancy'])}")
            if cap < 1:
                st.caption(t("The target alone: {h}. Sets the staffing: {what} ({n} of {total} intervals raised by the cap).",
                             h=hours(binds["target_hours"]), what=t(binds["binds"]),
                             n=num(binds["capped_intervals"]), total=num(binds["intervals"])))
    if cap < 1 and all(b["binds"] == "occupancy cap" for b in found):
        st.info(t("At these volumes the max occupancy ({cap}) sets the staffing at every level, not the service "
                  "target: the target alone would need {alone}.", cap=pct(cap, 0),
                  alone=" / ".join(hours(b["target_hours"]) for b in found)))
