"""Page 7, Export: the plan's files, and the scenario that repeats it with ``wfm plan``."""

from __future__ import annotations

import shlex

import streamlit as st

from wfm.export import download_name
from wfm.ui import common, pipeline
from wfm.ui.i18n import t

FILES = [
    ("schedule.xlsx", "Schedule workbook (XLSX): a sheet per day, coverage, KPIs",
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("schedule.csv", "Schedule (CSV): agent, group, shift, date, start, end, activity, detail", "text/csv"),
    ("coverage.csv", "Coverage (CSV): required, scheduled inbound, outbound, over, under per interval", "text/csv"),
    ("requirements.csv", "Requirement (CSV): agents per interval and the KPIs they deliver", "text/csv"),
    ("forecast.csv", "Forecast (CSV), with the adjustments", "text/csv"),
    ("verification.csv", "Verification (CSV): simulated KPIs per interval with 95% bands", "text/csv"),
    ("kpis.json", "KPIs (JSON)", "application/json"),
    ("coverage.png", "Coverage chart (PNG)", "image/png"),
]


def page() -> None:
    st.title(t("Export"))
    solved = common.solved_plan(t("Settings changed since this plan was solved: these files are the solved plan, not the new settings."))
    if solved is None:
        return
    run, result = solved
    with st.spinner(t("Writing the files…")):
        files = pipeline.plan_files(result, run.key)
    st.markdown("**" + t("Scenario that repeats this plan") + "**")
    # The scenario name is the planner's text: the file name and the shell line get a safe form of it.
    stem = download_name(result.scenario.name, "", fallback="plan")
    zip_name = f"{stem}-scenario.zip"
    st.download_button(t("Scenario (TOML + forecast, zip)"), pipeline.scenario_bundle(result, result.forecast),
                       file_name=zip_name, mime="application/zip", key="dl_scenario",
                       help=t("Unzip and run: wfm plan scenario.toml --out plan"))
    st.code("unzip %s -d %s && wfm plan %s --out plan"  # noqa: UP031
            % (shlex.quote(zip_name), shlex.quote(stem), shlex.quote(f"{stem}/scenario.toml")), language="bash")
    st.caption(t("The queues read forecast.csv (the adjusted forecast this plan used), so the run gives the same "
                 "requirement; the solver's seed and time limit are in the file."))
    st.markdown("**" + t("Plan files") + "**")
    for name, label, mime in FILES:
        if name in files:
            st.download_button(t(label), files[name], file_name=name, mime=mime, key=f"dl_{name}")
