"""Page 5, Schedule: groups and shift rules, Solve with a visible time limit, the plan."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import streamlit as st

from wfm.errors import InputError
from wfm.scenario import Break, Shift, scenario_problems
from wfm.ui import charts, common, pipeline, problems, state
from wfm.ui.i18n import date, hours, hours_tile, lkey, money, money_tile, num, num_tile, pct, t

GROUP_COLUMNS = ["name", "skills", "cost_per_hour", "headcount", "unsocial_premium"]
SHIFT_COLUMNS = ["name", "group", "length_hours", "start_earliest", "start_latest", "days_per_week",
                 "consecutive_days_off", "same_start", "min_rest_hours"]
BREAK_COLUMNS = ["shift", "kind", "length_minutes", "after_from_hours", "after_to_hours"]
STEP_NAMES = {"forecast": "Reading the forecast", "sizing": "Sizing", "schedule": "Scheduling (CP-SAT)",
              "verification": "Verifying by simulation", "done": "Done"}


def _blank(x) -> bool:
    return x is None or x is pd.NA or (isinstance(x, float) and np.isnan(x)) or (isinstance(x, str) and not x.strip())


def _numbers(text, place: str) -> list[float]:
    try:
        return [float(x) for x in str(text).replace("–", "-").replace("、", ",").replace("-", ",").split(",") if x.strip()]
    except ValueError:
        raise InputError(f"{place}: '{text}' is not a number or a list such as 8 or 4, 6.") from None


def groups_frame(groups: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame([{k: g.get(k) for k in GROUP_COLUMNS} for g in groups], columns=GROUP_COLUMNS)
    frame["headcount"] = frame["headcount"].astype("Int64")
    frame["cost_per_hour"] = frame["cost_per_hour"].astype(float)
    frame["unsocial_premium"] = frame["unsocial_premium"].astype(float).fillna(0.0)  # None (not set) is no premium
    return frame


def shifts_frames(shifts: list[dict]) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows, breaks = [], []
    for s in shifts:
        length = s.get("length_hours")
        days = state.setting(s, Shift, "days_per_week")
        rows.append({
            "name": s.get("name"), "group": s.get("group"),
            "length_hours": ", ".join(f"{x:g}" for x in (length if isinstance(length, list) else [length])),
            "start_earliest": state.setting(s, Shift, "start_earliest"), "start_latest": state.setting(s, Shift, "start_latest"),
            "days_per_week": f"{days[0]}-{days[1]}" if isinstance(days, (list, tuple)) and days[0] != days[1]
            else str(days[0] if isinstance(days, (list, tuple)) else days),
            "consecutive_days_off": bool(state.setting(s, Shift, "consecutive_days_off")),
            "same_start": bool(state.setting(s, Shift, "same_start")),
            "min_rest_hours": float(state.setting(s, Shift, "min_rest_hours")),
        })
        for b in s.get("break", []):
            low, high = b.get("start_after_hours", [1, 2])
            breaks.append({"shift": s.get("name"), "kind": state.setting(b, Break, "kind"), "length_minutes": int(b["length_minutes"]),
                           "after_from_hours": float(low), "after_to_hours": float(high)})
    return pd.DataFrame(rows, columns=SHIFT_COLUMNS), pd.DataFrame(breaks, columns=BREAK_COLUMNS)


def groups_from_frame(frame: pd.DataFrame) -> list[dict]:
    out = []
    for row in frame.to_dict("records"):
        if all(_blank(row.get(k)) for k in GROUP_COLUMNS):
            continue
        entry = {"name": str(row.get("name") or "").strip(), "skills": row.get("skills") or "blended",
                 "cost_per_hour": float(row["cost_per_hour"]) if not _blank(row.get("cost_per_hour")) else 0.0}
        if not _blank(row.get("headcount")):
            entry["headcount"] = int(row["headcount"])
        if not _blank(row.get("unsocial_premium")):
            entry["unsocial_premium"] = float(row["unsocial_premium"])
        out.append(entry)
    return out


def shifts_from_frames(shifts: pd.DataFrame, breaks: pd.DataFrame) -> list[dict]:
    out = []
    for i, row in enumerate(shifts.to_dict("records")):
        if all(_blank(row.get(k)) for k in SHIFT_COLUMNS if k not in ("consecutive_days_off", "same_start")):
            continue
        name = str(row.get("name") or "").strip()
        lengths = _numbers(row.get("length_hours"), f"shift[{i}].length_hours")
        days = [int(x) for x in _numbers(row.get("days_per_week") or 5, f"shift[{i}].days_per_week")]
        entry = {
            "name": name, "group": str(row.get("group") or ""),
            "length_hours": lengths[0] if len(lengths) == 1 else lengths,
            "start_earliest": str(row.get("start_earliest") or "07:00"), "start_latest": str(row.get("start_latest") or "13:00"),
            "days_per_week": days[0] if len(days) == 1 else days[:2],
            "consecutive_days_off": bool(row.get("consecutive_days_off")), "same_start": bool(row.get("same_start")),
            "min_rest_hours": float(row["min_rest_hours"]) if not _blank(row.get("min_rest_hours")) else 11.0,
        }
        mine = breaks[breaks["shift"].astype(str) == name] if len(breaks) else breaks
        entry["break"] = [
            {"kind": b["kind"] or "break", "length_minutes": int(b["length_minutes"]),
             "start_after_hours": [float(b["after_from_hours"]), float(b["after_to_hours"])]}
            for b in mine.to_dict("records") if not _blank(b.get("length_minutes"))
        ]
        out.append(entry)
    return out


def _editor(name: str, frame_fn, column_config) -> pd.DataFrame:
    version = st.session_state.get("editor_version", 0)
    key, base_key = f"{name}_editor_{version}", f"{name}_base_{version}"
    if key not in st.session_state or base_key not in st.session_state:
        st.session_state[base_key] = frame_fn()
    return st.data_editor(st.session_state[base_key], num_rows="dynamic", key=key, hide_index=True,
                          width="stretch", column_config=column_config)


def _rules_editors(before: list) -> None:
    sc = state.scenario()
    st.markdown("**" + t("Agent groups") + "**")
    groups = _editor("groups", lambda: groups_frame(sc.get("group", [])), {
        "name": st.column_config.TextColumn(t("Group"), required=True),
        "skills": st.column_config.SelectboxColumn(t("Skills"), options=["inbound", "outbound", "blended"], required=True,
                                                   help=t("inbound = receives calls, outbound = dials, blended = both")),
        "cost_per_hour": st.column_config.NumberColumn(t("Cost per hour"), min_value=0.01, format="%.2f"),
        "headcount": st.column_config.NumberColumn(t("Headcount cap"), min_value=0, step=1,
                                                   help=t("Most agents available per week; blank = hire as needed.")),
        "unsocial_premium": st.column_config.NumberColumn(t("Unsocial-hours premium"), min_value=0.0, format="%.2f"),
    })
    shifts_base, breaks_base = shifts_frames(sc.get("shift", []))
    st.markdown("**" + t("Shift rules") + "**")
    shifts = _editor("shifts", lambda: shifts_base, {
        "name": st.column_config.TextColumn(t("Shift"), required=True),
        "group": st.column_config.TextColumn(t("Group")),
        "length_hours": st.column_config.TextColumn(t("Length (h)"), help=t("One length, or several: 4, 6")),
        "start_earliest": st.column_config.TextColumn(t("Earliest start")),
        "start_latest": st.column_config.TextColumn(t("Latest start")),
        "days_per_week": st.column_config.TextColumn(t("Days per week"), help=t("e.g. 5, or 3-4")),
        "consecutive_days_off": st.column_config.CheckboxColumn(t("Days off together")),
        "same_start": st.column_config.CheckboxColumn(t("Same start all week")),
        "min_rest_hours": st.column_config.NumberColumn(t("Min rest (h)"), min_value=0.0, max_value=24.0),
    })
    st.markdown("**" + t("Breaks") + "**")
    breaks = _editor("breaks", lambda: breaks_base, {
        "shift": st.column_config.TextColumn(t("Shift")),
        "kind": st.column_config.SelectboxColumn(t("Kind"), options=["break", "lunch"]),
        "length_minutes": st.column_config.NumberColumn(t("Length (min)"), min_value=5, step=5),
        "after_from_hours": st.column_config.NumberColumn(t("Starts after (h), earliest"), min_value=0.0, format="%.2f"),
        "after_to_hours": st.column_config.NumberColumn(t("Starts after (h), latest"), min_value=0.0, format="%.2f"),
    })
    try:
        raw = {**sc, "group": groups_from_frame(groups), "shift": shifts_from_frames(shifts, breaks)}
    except InputError as exc:
        common.error(exc, "The rules were not applied")
        return
    # Applied unless the edit makes the tables wrong: the scenario's own problems (on any
    # page) are listed above the section, so only the ones this edit adds are refused here.
    known = {p.text for p in before}
    found = [p for p in scenario_problems({**raw, "queue": [{**state.queue_template(), "name": "check"}]})
             if p.place.startswith(("group", "shift")) and p.text not in known]
    if found:
        problems.show(found, "The rules were not applied", raw)
        return
    sc["group"], sc["shift"] = raw["group"], raw["shift"]


def _solve_controls():
    c1, c2, c3 = st.columns([2, 1, 1])
    # A work budget, not a time limit: the app's plan is the CLI's for the same scenario on
    # any machine (the scenario's time limit stays a safety cap only).
    work = c1.slider(t("Solver work budget (deterministic s)"), 1, 100, int(min(st.session_state["work_limit"], 100)),
                     key="w:work_limit", help=t("CP-SAT stops after this much work (or earlier, once within 0.1% of "
                                                "the lower bound) and the best plan found is kept; the same work gives "
                                                "the same plan on any machine."))
    st.session_state["work_limit"] = float(work)
    solve = c2.button(t("Solve"), type="primary", key="solve", width="stretch")
    stop = c3.button(t("Stop"), key="stop", width="stretch",
                     help=t("End this solve now; the previous plan stays on screen."))
    return solve, stop


def _wait(run: pipeline.PlanRun) -> None:
    """Show the solve's progress until it finishes (the page stays on the best plan afterwards)."""
    bar = st.progress(0.0, text=t("Starting…"))
    while not run.done:
        elapsed = run.elapsed()
        step = t(STEP_NAMES.get(run.step, run.step))
        # sizing, schedule and verification share the bar; the schedule is bounded by the time limit
        text = t("{step} · {elapsed} s of a {limit} s solver limit", step=step, elapsed=num(elapsed),
                 limit=num(run.time_limit))
        w = run.watch
        text += solving_week(run)
        if w.best is not None:
            text += " · " + t("best plan so far {cost}, bound {bound}, gap {gap}", cost=num(w.best),
                              bound=num(w.bound) if w.bound is not None else "–",
                              gap=pct(w.gap, 2) if w.gap is not None else "–")
        bar.progress(min(0.99, elapsed / (run.time_limit + 15)), text=text)
        time.sleep(0.3)
    bar.empty()


def solving_week(run: pipeline.PlanRun) -> str:
    """`` · week 2 of 4`` while a horizon of several weeks is scheduled week by week, else ``""``."""
    week = run.watch.week
    if run.weeks <= 1 or week is None or run.step != "schedule":
        return ""
    return " · " + t("week {n} of {weeks}", n=num(week), weeks=num(run.weeks))


def page() -> None:
    st.title(t("Schedule"))
    listed = st.empty()  # every problem of the scenario, filled in once the rules below are applied
    before = common.scenario_problems()
    # A problem in the groups, shift rules or breaks opens their section.
    with st.expander(t("Agent groups, shift rules and breaks"), expanded=problems.on_page(
            [p for p in before if p.place.startswith(("group", "shift"))], "Schedule", scenario=state.scenario())):
        _rules_editors(before)
    found = common.scenario_problems()
    if found:
        with listed.container():
            problems.show(found, "The scenario is not valid", state.scenario())
    solve, stop = _solve_controls()

    run: pipeline.PlanRun | None = st.session_state.get("plan")
    if stop and run is not None and not run.done:
        run.stop()  # the solve's child process is ended (wfm.ui.solver_watch)
        st.session_state["plan"] = st.session_state.get("previous_plan")
        run = st.session_state["plan"]
        st.info(t("Stopped; the previous plan is kept."))
    if solve:
        fc = common.current_forecast()
        if fc is None:
            return
        try:
            scenario = common.plan_scenario(fc)
        except InputError as exc:
            common.error(exc, "The scenario is not valid")
            return
        st.session_state["previous_plan"] = run if run is not None and run.done else None
        run = pipeline.start_plan(scenario, fc[2], common.session_folder() / "plan-input")
        st.session_state["plan"] = run
    if run is not None and not run.done:
        _wait(run)
    if run is None:
        common.nothing_solved()
        return
    exc = run.future.exception()
    if exc is not None:
        common.error(exc, "The plan could not be made")
        return
    result = run.future.result()
    if run.key != common.current_plan_key():
        st.warning(t("Settings changed since this plan was solved: press **Solve** to plan with them."))
    show_plan(result, run)


HOURS_PARTS = ("workload", "queueing_at_target", "integer_rounding", "occupancy_cap", "sizing_model", "shrinkage",
               "shift_shape", "outbound", "breaks_and_idle")


def hours_table(parts: dict | None) -> None:
    """Where the paid hours go (``wfm.plan.where_hours_go``): why the plan costs what it costs."""
    if not parts:
        return
    with st.expander(t("Where the paid hours go")):
        names = {"workload": t("Talk time (the offered load)"), "queueing_at_target": t("Queueing margin for the target"),
                 "integer_rounding": t("Whole agents (rounding)"), "occupancy_cap": t("Occupancy cap"),
                 "sizing_model": t("Sizing model (calibrated or ASA)"), "shrinkage": t("Shrinkage"),
                 "shift_shape": t("Shift shape (coverage above the interval need)"), "outbound": t("Outbound work"),
                 "breaks_and_idle": t("Paid breaks and idle time on shift")}
        total = parts.get("paid_hours") or 0.0
        st.dataframe(pd.DataFrame({
            t("Part"): [names[p] for p in HOURS_PARTS], t("Hours"): [parts.get(p, 0.0) for p in HOURS_PARTS],
            t("Share"): [parts.get(p, 0.0) / total if total else None for p in HOURS_PARTS]}),
            hide_index=True, width="stretch", column_config={t("Share"): st.column_config.NumberColumn(format="percent")})
        st.caption(t("Measured against holding every interval to the target on its own; the parts add up to the "
                     "paid hours ({h}).", h=hours(total)))


def show_plan(result, run) -> None:
    k = result.kpis
    cur = result.scenario.currency
    s = result.schedule.summary
    penalties = (s.short_penalty_cost or 0.0) + (s.undone_penalty_cost or 0.0) + (s.goal_late_penalty_cost or 0.0)
    status = s.status if penalties <= 0 else t("{status}, cost including {money} of penalties",
                                                status=s.status, money=money(penalties, cur))
    if run.cached:
        st.success(t("Plan taken from the plans solved before with the same inputs: {status}.", status=status))
    else:
        st.success(t("Plan solved in {secs} s: {status}.", secs=num(run.elapsed(), 1), status=status))
    common.metric_row([
        (t("Cost"), money_tile(k.cost, cur)),
        (t("Lower bound"), money_tile(k.lower_bound, cur)),
        (t("Gap to bound"), pct(k.gap, 2)),
        (t("Paid hours"), hours_tile(k.paid_hours)),
        (t("FTE"), num(k.fte, 1)),
        (t("Agents"), num_tile(k.agents)),
        (t("Short intervals"), num(k.under_intervals)),
    ], helps={t("Cost"): t("Paid hours × the groups' hourly rates, plus the unsocial-hours premium and any cost "
                           "per agent-week, plus the penalties for short intervals, undone outbound work and calls "
                           "late against a service goal (none when every interval is covered and every campaign "
                           "done)."),
              t("Gap to bound"): t("How far the cost can be from the best possible (the LP / CP-SAT lower bound)."),
              t("FTE"): t("Paid hours ÷ {h} hours a week.", h=num(result.scenario.verify.fte_hours_per_week))})
    hours_table(k.where_hours_go)
    cov = result.schedule.coverage
    st.subheader(t("Coverage against the requirement"))
    st.altair_chart(charts.coverage_chart(cov), width="stretch")
    st.caption(t("Red line: inbound heads required. Blue: scheduled on inbound. Green: on outbound. Black dots: short."))

    st.subheader(t("Agents' day"))
    sched = result.schedule.schedule
    days = sorted(pd.to_datetime(sched["date"]).dt.date.unique()) if len(sched) else []
    if days:
        c1, c2, c3 = st.columns([1, 1, 2])
        day = c1.selectbox(t("Day"), days, format_func={d: date(d) for d in days}.get, key=lkey("gantt_day"))
        groups = ["*"] + sorted(sched["group"].unique())
        group = c2.selectbox(t("Group"), groups, key=lkey("gantt_group"), format_func={**{g: g for g in groups}, "*": t("All groups")}.get)
        rows = sched[pd.to_datetime(sched["date"]).dt.date == day]
        if group != "*":
            rows = rows[rows["group"] == group]
        # Agents ordered by their start that day; a long list is sampled evenly so every start shows.
        starts = rows.groupby("agent")["start"].min().sort_values(kind="stable")
        agents = list(starts.index)
        shown = c3.slider(t("Agents shown"), 5, max(5, len(agents)), min(40, max(5, len(agents))), key="gantt_n")
        picked = [agents[i] for i in sorted(set(np.linspace(0, len(agents) - 1, min(shown, len(agents))).round().astype(int)))]
        rows = rows[rows["agent"].isin(picked)]
        rows = rows.assign(agent=pd.Categorical(rows["agent"], categories=picked, ordered=True)).sort_values(["agent", "start"])
        rows = rows.assign(agent=rows["agent"].astype(str))
        names = {a: t(a) for a in ("inbound", "outbound", "break", "lunch", "training", "meeting")}
        st.altair_chart(charts.gantt(rows, names), width="stretch")
        st.caption(t("{n} of {total} agents working this day.", n=num(min(shown, len(agents))), total=num(len(agents))))

    st.subheader(t("Understaffed intervals"))
    short = cov[cov["under"] > 0]
    reasons = k.binding_rules
    if short.empty:
        st.success(t("Every interval is covered."))
    else:
        st.warning(t("{n} intervals are short of the requirement.", n=num(len(short))))
        st.dataframe(common.local_table(short[["ds", "required", "scheduled_inbound", "under"]].rename(columns={
            "ds": t("Interval"), "required": t("Required"), "scheduled_inbound": t("Scheduled"), "under": t("Short")})),
            hide_index=True, width="stretch")
    if reasons:
        st.markdown("**" + t("Why (the rules that bind):") + "**")
        for reason in reasons:
            st.markdown(f"- {reason}")
    for note in result.schedule.notes:
        st.caption(note)
    with st.expander(t("Solver details")):
        s = {**s.to_json(), **result.schedule.run}  # the timings of this run (kept out of the plan's files)
        details = {k: s.get(k) for k in ("status", "lp_bound", "cpsat_bound", "lp_seconds", "rounding_seconds",
                                         "rounding_status", "search_seconds", "search_status", "solve_seconds",
                                         "work_used", "work_limit", "time_cap_fired",
                                         "paid_cost", "agent_overhead_cost", "short_penalty_cost",
                                         "undone_penalty_cost", "variables", "constraints") if s.get(k) is not None}
        st.dataframe(pd.DataFrame({t("Item"): list(details), t("Value"): [str(v) for v in details.values()]}),
                     hide_index=True, width="stretch")
        st.caption(t("The time limit was {limit} s. The lower bound is the larger of the LP relaxation and "
                     "CP-SAT's own bound.", limit=num(run.time_limit)))
