"""Page 6, Verify: the plan's simulated service per interval against the targets, with bands."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from wfm.ui import charts, common
from wfm.ui.i18n import lkey, num, pct, seconds, t


def goal_table(goal: dict | None) -> None:
    """Each day's (week's) planned and simulated service level under a day or week goal."""
    if not goal:
        return
    scope = {"day": t("Service goal by day"), "week": t("Service goal by week")}[goal["scope"]]
    st.subheader(scope)
    rows = pd.DataFrame(goal["periods"])
    asa = goal.get("asa") is not None
    measure = "asa" if asa else "service_level"
    names = {"period": t("Period"), "calls": t("Calls offered"),
             f"planned_{measure}": t("ASA (Erlang)") if asa else t("Service level (Erlang)"),
             f"simulated_{measure}": t("ASA (simulated)") if asa else t("Service level (simulated)"),
             "met": t("Goal met")}
    fmt = st.column_config.NumberColumn(format="%.1f s") if asa else st.column_config.NumberColumn(format="percent")
    st.dataframe(rows[list(names)].rename(columns=names), hide_index=True, width="stretch",
                 column_config={names[f"planned_{measure}"]: fmt, names[f"simulated_{measure}"]: fmt})
    what = (t("an ASA of at most {secs} s over the period's calls", secs=num(goal["asa"])) if asa else
            t("{level} of the period's calls answered within {secs} s", level=pct(goal["service_level"], 0),
              secs=num(goal["answer_within"])))
    st.caption(t("Goal: {what}; met in {met} of {n} periods. Solved {rounds} times (simulated rounds); "
                 "plan of round {chosen} kept.", what=what, met=num(goal["met_periods"]), n=num(len(goal["periods"])),
                 rounds=num(len(goal["rounds"])), chosen=num(goal["chosen_round"])))


def page() -> None:
    st.title(t("Verify"))
    st.caption(t("A discrete-event simulation replays the forecast calls against the scheduled inbound agents "
                 "(after shrinkage), several times with different random calls: bands are 95% confidence intervals."))
    solved = common.solved_plan(t("Settings changed since this plan was solved: press **Solve** to plan with them."))
    if solved is None:
        return
    _, result = solved
    k = result.kpis
    queues = list(k.queues)
    queue = queues[0]
    if len(queues) > 1:
        queue = st.selectbox(t("Queue"), queues, key="verify_queue")
    qk = k.queues[queue]
    sim, erl, target = qk["simulated"], qk["erlang"], qk["target"]
    common.metric_row([
        (t("Service level (simulated)"), pct(sim.get("service_level"))),
        (t("Service level (Erlang)"), pct(erl.get("service_level"))),
        (t("ASA (simulated)"), seconds(sim.get("asa"))),
        (t("Abandon rate (simulated)"), pct(sim.get("abandon_rate"))),
        (t("Occupancy (simulated)"), pct(sim.get("occupancy"))),
        (t("Flagged intervals"), num(len(qk.get("flagged_intervals", [])))),
    ], per_row=3)
    if target.get("service_level") is not None:
        st.caption(t("Target: {level} answered within {secs} s. 95% interval of the simulated service level: {lo} – {hi}.",
                     level=pct(target["service_level"], 0), secs=num(target["answer_within"]),
                     lo=pct(sim.get("service_level_lo")), hi=pct(sim.get("service_level_hi"))))
    else:
        st.caption(t("Target: ASA {asa}.", asa=seconds(target.get("asa"))))
    goal_table(qk.get("service_goal"))
    labels = {"service_level": t("Service level"), "asa": t("ASA (s)"), "abandon_rate": t("Abandon rate"),
              "occupancy": t("Occupancy")}
    column = st.radio(t("Show"), list(labels), format_func=labels.get, horizontal=True, key=lkey("verify_kpi"))
    ver = result.verification
    ver = ver[ver["queue"] == queue]
    goal = None
    if column == "service_level":
        goal = target.get("service_level")
    elif column == "asa":
        goal = target.get("asa")
    elif column == "occupancy":
        goal = target.get("max_occupancy")
    st.altair_chart(charts.verification_chart(ver, goal, column), width="stretch")
    st.caption(t("Blue: simulated, with its 95% band. Dashed grey: Erlang prediction. Dashed red: the target."))
    flagged = ver[ver["flagged"]]
    st.subheader(t("Intervals below target"))
    if flagged.empty:
        st.success(t("No interval is more than {pts} points below the service-level target.",
                     pts=num(100 * result.scenario.verify.flag_points)))
    else:
        closed = flagged[flagged["agents"] == 0]
        if len(closed):
            st.info(t("{n} of these intervals have forecast calls but no agents: they lie outside the opening hours "
                      "(Forecast page, Opens / Closes).", n=num(len(closed))))
        cols = ["ds", "offered", "agents", "service_level", "service_level_lo", "service_level_hi", "erlang_service_level"]
        names = {"ds": t("Interval"), "offered": t("Calls offered"), "agents": t("Agents"),
                 "service_level": t("Service level (simulated)"), "service_level_lo": t("95% low"),
                 "service_level_hi": t("95% high"), "erlang_service_level": t("Service level (Erlang)")}
        st.dataframe(common.local_table(flagged[cols]).rename(columns=names), hide_index=True, width="stretch",
                     column_config={names[c]: st.column_config.NumberColumn(format="percent")
                                    for c in cols if "service_level" in c})
