"""Page 2, Forecast: horizon, method, backtest of the candidates, bands, adjustments."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from wfm.errors import InputError
from wfm.forecast.adjust import validate_adjustments
from wfm.forecast.calendar import validate_special_days
from wfm.forecast.models import CANDIDATES
from wfm.scenario import WEEKDAYS, Forecasting, Horizon, clock_minutes
from wfm.start import fit_shift_rules
from wfm.ui import charts, common, state
from wfm.ui.i18n import date, lkey, num, num_tile, pct, t, weekday

MODEL_NAMES = {
    "seasonal_naive_day": "Seasonal naive (same day last week)",
    "seasonal_naive_week": "Seasonal naive (last week)",
    "hist_avg_4w": "Historical average, 4 weeks",
    "hist_avg_8w": "Historical average, 8 weeks",
    "top_down_ets": "ETS on daily totals × intraday profile",
    "top_down_calendar": "Calendar regression × intraday profile",
    "mstl": "MSTL (slow)",
}


def model_label(name: str) -> str:
    return t(MODEL_NAMES.get(name, name)) if name in MODEL_NAMES else name


def _horizon_settings() -> None:
    start, days, interval, tz = common.horizon()
    hist: state.History = st.session_state["history"]
    c1, c2, c3, c4 = st.columns(4)
    new_start = c1.date_input(t("First day of the plan"), value=start, key=lkey("w:horizon.start"),
                              help=t("Weeks run from this day; the forecast covers the days up to the end of the horizon."))
    if new_start != start:
        state.move_horizon(new_start)
    weeks = c2.number_input(t("Weeks"), min_value=1, max_value=8, value=max(1, days // 7), step=1, key="w:horizon.weeks")
    if weeks * 7 != days:
        state.set_value("horizon.days", int(weeks * 7))
    choices = [m for m in (5, 10, 15, 30, 60) if m % hist.minutes == 0] or [hist.minutes]
    index = choices.index(interval) if interval in choices else 0
    picked = c3.selectbox(t("Interval (minutes)"), choices, index=index, key="w:horizon.interval",
                          help=t("Forecast, sizing and schedule use this interval; the history is summed into it."))
    if picked != interval:
        state.set_value("horizon.interval_minutes", int(picked))
        # Shift lengths, starts and breaks are whole intervals: fit them to the new grid and say what moved.
        try:
            st.session_state["interval_notes"] = fit_shift_rules(state.scenario())
        except InputError as exc:
            st.session_state["interval_notes"] = [str(exc)]
        st.session_state["editor_version"] = st.session_state.get("editor_version", 0) + 1
    if st.session_state.get("interval_notes"):
        with st.expander(t("Shift rules fitted to {minutes}-minute intervals ({n})", minutes=int(picked),
                           n=len(st.session_state["interval_notes"]))):
            for note in st.session_state["interval_notes"]:
                st.write(f"- {note}")
    c4.text_input(t("Time zone"), value=tz, key="w:horizon.timezone", disabled=True,
                  help=t("The site's IANA time zone (from the scenario)."))
    c5, c6, c7 = st.columns([1, 1, 2])
    opens = c5.text_input(t("Opens"), value=state.setting(state.get("horizon"), Horizon, "open"), key="w:horizon.open")
    closes = c6.text_input(t("Closes"), value=state.setting(state.get("horizon"), Horizon, "close"), key="w:horizon.close")
    closed = c7.multiselect(t("Closed weekdays"), list(WEEKDAYS), default=state.setting(state.get("horizon"), Horizon, "closed_days"),
                            format_func={d: weekday(i) for i, d in enumerate(WEEKDAYS)}.get, key=lkey("w:horizon.closed_days"))
    for name, value in (("open", opens), ("close", closes)):
        try:
            clock_minutes(value)
            state.set_value(f"horizon.{name}", value.strip())
        except ValueError as exc:
            common.error(f"horizon.{name}: {exc}", "Opening hours not applied")
    state.set_value("horizon.closed_days", list(closed))


def _method_settings() -> None:
    opts = st.session_state["forecast_opts"]
    c1, c2, c3 = st.columns([2, 1, 1])
    auto = opts.get("models") is None
    mode = c1.radio(t("Method"), ["auto", "chosen"], index=0 if auto else 1, horizontal=True, key=lkey("w:fc.mode"),
                    format_func={"auto": t("Automatic (best backtest)"), "chosen": t("Chosen model")}.get)
    if mode == "chosen":
        current = (opts.get("models") or ["hist_avg_8w"])[0]
        names = list(CANDIDATES)
        pick = c1.selectbox(t("Model"), names, index=names.index(current) if current in names else 0,
                            format_func={n: model_label(n) for n in names}.get, key=lkey("w:fc.model"))
        opts["models"] = [pick]
    else:
        opts["models"] = None
    opts["folds"] = int(c2.number_input(t("Backtest folds"), 1, 12, int(state.setting(opts, Forecasting, "folds")), key="w:fc.folds",
                                        help=t("Weeks of rolling-origin backtest used to choose the model.")))
    holidays = c3.text_input(t("Public holidays (country code)"), value=opts.get("holidays") or "", key="w:fc.holidays",
                             help=t("e.g. JP or US: public holidays are closed days unless a special day says otherwise."))
    opts["holidays"] = holidays.strip().upper() or None


def _table_editor(title: str, caption: str, state_key: str, editor_key: str, columns: dict, check, failed: str) -> None:
    """An editable table, first column ``date``, kept in ``st.session_state[state_key]`` only while ``check`` accepts it."""
    st.markdown("**" + title + "**")
    st.caption(caption)
    edited = st.data_editor(st.session_state[state_key], num_rows="dynamic", key=editor_key, hide_index=True,
                            column_config={"date": st.column_config.DateColumn(t("Date")), **columns})
    try:
        check(edited)
        st.session_state[state_key] = edited
    except InputError as exc:
        common.error(exc, failed)


def _check_special_days(edited: pd.DataFrame) -> None:
    rows = edited.dropna(subset=["date"])
    if len(rows):
        validate_special_days(rows.assign(date=pd.to_datetime(rows["date"])))


def _editors() -> None:
    c1, c2 = st.columns(2)
    with c1:
        times = {"start": st.column_config.TextColumn(t("From (HH:MM)")),
                 "end": st.column_config.TextColumn(t("To (HH:MM)"))}
        change = st.column_config.NumberColumn(t("Change %"), format="%+.0f%%", min_value=-99.0)
        _table_editor(t("Adjustments (± % on a day or a time range)"),
                      t("Blank date = every day; blank times = the whole day. Overlapping rules multiply."),
                      "adjustments", "adjust_editor", {**times, "percent": change},
                      validate_adjustments, "Adjustment not applied")
    with c2:
        special = {
            "closed": st.column_config.CheckboxColumn(t("Closed")),
            "multiplier": st.column_config.NumberColumn(t("Multiplier"), min_value=0.0, format="%.2f"),
        }
        _table_editor(t("Special days"),
                      t("Closed days, or a multiplier on a day's volume (1.3 = 30% more). Used by the forecast."),
                      "special_days", "special_editor", special, _check_special_days, "Special days not applied")


def page() -> None:
    st.title(t("Forecast"))
    with st.expander(t("Planning horizon"), expanded=True):
        _horizon_settings()
    _method_settings()
    _editors()

    fc = common.current_forecast()
    if fc is None:
        return
    result, table, adjusted = fc
    for note in result.warnings:
        st.warning(note)
    queues = list(dict.fromkeys(adjusted["queue"]))
    queue = queues[0]
    if len(queues) > 1:
        queue = st.selectbox(t("Queue"), queues, key="fc_queue")
    q_table = adjusted[adjusted["queue"] == queue]
    q_base = table[table["queue"] == queue]
    model = q_table["model"].iloc[0] if len(q_table) else "–"
    start, days, interval, _ = common.horizon()
    changed = float(q_table["y_hat"].sum()) - float(q_base["y_hat"].sum())
    st.markdown(f"**{t('Model used')}:** {model_label(model)} (`{model}`)")
    common.metric_row([
        (t("Calls in the horizon"), num_tile(q_table["y_hat"].sum())),
        (t("Change from adjustments"), num_tile(changed)),
        (t("Gaps filled in history"), num(int((result.gaps["queue"] == queue).sum()) if len(result.gaps) else 0)),
    ], per_row=3)
    st.caption(t("Horizon: {first} to {last}, {minutes}-minute intervals.", first=date(start),
                 last=date(start + dt.timedelta(days=days - 1)), minutes=interval))
    hist = state.planning_history()
    hist = hist[hist["queue"] == queue]
    wall = charts.wall(hist["ds"])
    recent = hist[wall >= wall.max() - pd.Timedelta(days=14)]
    from wfm.data import aggregate_intervals

    st.session_state.setdefault("history_minutes", st.session_state["history"].minutes)
    recent = aggregate_intervals(recent, st.session_state["history"].minutes, interval) \
        if interval % st.session_state["history"].minutes == 0 else recent
    st.altair_chart(charts.forecast_chart(recent, q_table, q_base if changed else None), width="stretch")
    st.caption(t("Grey: the last two weeks of history. Blue: forecast with 80% and 95% prediction bands"
                 " (dashed grey: before adjustments)."))

    st.subheader(t("Backtest of the candidate models"))
    sel = result.selection
    sel = sel[(sel["queue"] == queue)].sort_values(["interval_minutes", "wmape"])
    if len(sel):
        shown = pd.DataFrame({
            t("Model"): sel["model"].map(model_label),
            t("Scored at (minutes)"): sel["interval_minutes"],
            "wMAPE": sel["wmape"].map(lambda x: pct(x, 1)),
            "MAE": sel["mae"].map(lambda x: num(x, 1)),
            "RMSE": sel["rmse"].map(lambda x: num(x, 1)),
            "MASE": sel["mase"].map(lambda x: num(x, 2)),
            t("Folds"): sel["folds"],
            t("Chosen"): sel["selected"].map(lambda s: "✔" if s else ""),
        })
        st.dataframe(shown, hide_index=True, width="stretch", height=36 * (len(shown) + 1) + 4)
        st.caption(t("Lower is better. The model with the lowest wMAPE over the rolling-origin folds is chosen."))
    else:
        st.info(t("No backtest: a single chosen model, or too little history for the folds."))
