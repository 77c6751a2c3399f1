"""Page 9, Plans: save the solved plan as a version, list the saved versions, compare them.

Thin: the store, the comparison figures and the per-day table are :mod:`wfm.store`'s
(the same functions as ``wfm plans list|compare``); the page only lays them out.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from wfm import store as plan_store
from wfm.errors import InputError
from wfm.ui import charts, common, pipeline
from wfm.ui.i18n import money, num, pct, t


def _store():
    try:
        return plan_store.open_store()
    except InputError as exc:
        st.error(t("The plan store cannot be opened: {reason}", reason=str(exc)))
        return None


def _save_section(store) -> None:
    st.subheader(t("Save the solved plan"))
    run = common.current_plan()
    if run is None:
        common.nothing_solved()
        return
    result = run.future.result()
    cols = st.columns([2, 3, 1])
    name = cols[0].text_input(t("Version name"), value=result.scenario.name, key="plan_version_name")
    note = cols[1].text_input(t("Note"), value="", key="plan_version_note")
    cols[2].write("")
    if cols[2].button(t("Save version"), key="plan_version_save", type="primary"):
        try:
            plan_id = store.save_files(pipeline.plan_files(result, run.key), name, note=note)
        except InputError as exc:
            st.error(str(exc))
        else:
            st.success(t("Saved as plan {id}.", id=plan_id))


def _list_frame(saved, currency_of) -> pd.DataFrame:
    return pd.DataFrame([{
        t("Id"): s.id, t("Name"): s.name, t("Saved (UTC)"): s.saved_at[:16].replace("T", " "),
        t("Scenario"): s.scenario, t("Cost"): money(s.kpis.get("cost"), currency_of(s)),
        t("FTE"): num(s.kpis.get("fte"), 1), t("Service level (simulated)"): pct(s.kpis.get("service_level")),
        t("Note"): s.note,
    } for s in saved])


def _shown(value, key: str, currency: str) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "–"
    if key == "cost":
        return money(value, currency)
    if key in ("planned_service_level", "service_level", "abandon_rate", "gap"):
        return pct(value)
    if isinstance(value, (int, float)):
        return num(value, 1 if key in ("fte", "asa", "paid_hours") else 0)
    return str(value)


def _compare_section(store, saved) -> None:
    st.subheader(t("Compare versions"))
    options = [s.id for s in saved]
    names = {s.id: f"#{s.id} {s.name}" for s in saved}
    chosen = st.multiselect(t("Versions (the first is the base)"), options, default=options[-2:],
                            format_func=names.get, max_selections=3,
                            # a new saved version starts a new choice: the latest two again
                            key=f"plans_compare_{options[-1]}")
    if len(chosen) < 2:
        st.info(t("Pick two or three versions to compare."))
        return
    figures = plan_store.compare_table(store, chosen)
    currency = next((s.currency for s in saved if s.id == chosen[0]), "JPY") or "JPY"
    keys = [k for k, _ in plan_store.COMPARE_ROWS]
    shown = pd.DataFrame({t("Figure"): [t(label) for _, label in plan_store.COMPARE_ROWS]})
    diff_cols = []
    for col in figures.columns[1:]:
        title = col if not col.startswith("Δ") else t("Difference {plan}", plan=col[2:])
        shown[title] = [_shown(v, k, currency) for v, k in zip(figures[col], keys, strict=True)]
        if col.startswith("Δ"):
            diff_cols.append((title, figures[col]))

    def highlight(frame: pd.DataFrame) -> pd.DataFrame:
        styles = pd.DataFrame("", index=frame.index, columns=frame.columns)
        for title, raw in diff_cols:
            changed = raw.fillna(0).astype(float).abs() > 1e-9
            styles.loc[changed.to_numpy(), title] = "background-color: #fff3c4; font-weight: 600"
        return styles

    st.dataframe(shown.style.apply(highlight, axis=None), hide_index=True, width="stretch")
    st.caption(t("Differences are each version minus the base; changed figures are highlighted. "
                 "Every figure is read from the saved plan's own files."))
    coverage = plan_store.coverage_table(store, chosen)
    if not coverage.empty:
        st.markdown("**" + t("Scheduled inbound agents per interval") + "**")
        st.altair_chart(charts.versions_chart(coverage.rename(columns={"plan": "version"})), width="stretch")
    daily = plan_store.daily_table(store, chosen)
    if not daily.empty:
        st.markdown("**" + t("Per day") + "**")
        wide = daily.pivot_table(index="date", columns="plan", values=["agent_hours", "service_level"], sort=False)
        wide.columns = [f"{t('Agent-hours') if v == 'agent_hours' else t('Service level (simulated)')} {p}"
                        for v, p in wide.columns]
        st.dataframe(wide.round(3), width="stretch")


def page() -> None:
    st.title(t("Plans"))
    store = _store()
    if store is None:
        return
    st.caption(t("Saved plan versions, kept in the plan store ({url}); wfm plans list shows the same versions.",
                 url=store.shown_url))
    _save_section(store)
    try:
        saved = store.list()
    except InputError as exc:  # the database went away after it opened
        st.error(t("The plan store cannot be opened: {reason}", reason=str(exc)))
        return
    st.subheader(t("Saved versions"))
    if not saved:
        st.info(t("No saved versions yet."))
        return
    st.dataframe(_list_frame(saved, lambda s: s.currency or "JPY"), hide_index=True, width="stretch")
    _compare_section(store, saved)
