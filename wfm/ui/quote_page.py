"""Page 8, Quote: an outsourcer's staffing quote priced by :func:`wfm.quote.build_quote`.

The quote scenario is the bundled example (``wfm/resources/examples/quote_bank.toml``) or
an uploaded TOML with a ``[quote]`` section. Each month's representative week is
scheduled, so pricing takes a while: it runs in the background with a progress bar.
"""

from __future__ import annotations

import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import altair as alt
import streamlit as st

from wfm import resources
from wfm.errors import InputError
from wfm.ui import common, problems, state
from wfm.ui.i18n import lkey, money_tile, num, num_tile, pct, t
from wfm.uploads import confine_scenario_files, unpack_upload

EXAMPLE = resources.example("quote_bank.toml")


def available() -> bool:
    try:
        import wfm.quote  # noqa: F401
    except ImportError:
        return False
    return EXAMPLE.is_file()


@st.cache_resource
def _executor() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="wfm-quote")


@st.cache_data(show_spinner=False, max_entries=4)
def _files(_result, key: str) -> dict[str, bytes]:
    from wfm.quote import write_quote

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "quote"
        write_quote(_result, out)
        return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def _load(text: str, source: str, base_dir: Path, *, uploaded: bool = False, files: Path | None = None):
    """The quote scenario of a TOML text; an ``uploaded`` one may name only its own ``files`` or the data folder's."""
    import tomllib

    from wfm.scenario import validate_scenario

    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{source}: is not valid TOML ({exc}).") from None
    if uploaded:
        confine_scenario_files(raw, source, uploaded=files)  # paths become absolute: base_dir is no longer used
    scenario = validate_scenario(raw, source)
    if scenario.quote is None:
        raise InputError(f"{source}: has no [quote] section, expected one (see wfm/resources/examples/quote_bank.toml).")
    return scenario, base_dir


def _start(scenario, base_dir: Path, seconds: float, sensitivity: bool) -> dict:
    from wfm.quote import build_quote
    from wfm.quote.api import SENSITIVITY_CASES

    # build_quote tells a ProgressEvent per week it looks at: each month, then each sensitivity case
    job = {"lines": [], "started": time.perf_counter(),
           "weeks": scenario.quote.months + (len(SENSITIVITY_CASES) if sensitivity else 0),
           "key": f"{scenario.name}-{seconds}-{sensitivity}-{time.time()}"}

    def work():
        return build_quote(scenario, base_dir=base_dir, time_limit=seconds, sensitivity=sensitivity,
                           progress=job["lines"].append)

    job["future"] = _executor().submit(work)
    return job


def page() -> None:
    st.title(t("Quote"))
    st.caption(t("A staffing quote for an outsourcing client: each month's representative week is scheduled, then "
                 "FTE, seats, hires, cost lines and prices follow (wfm quote)."))
    source = st.session_state.get("quote_source")
    file = st.file_uploader(t("Quote scenario (TOML with a [quote] section, or zip with its files)"),
                            type=["toml", "zip"], key="quote_upload",
                            help=t("Files the scenario names must be in the zip with it or in the app's data folder; "
                                   "relative paths of a lone TOML are read from the example folder."))
    if file is not None and st.session_state.get("quote_seen") != (file.name, file.size):
        st.session_state["quote_seen"] = (file.name, file.size)
        try:
            text, files = unpack_upload(file.getvalue(), file.name, common.session_folder())
            st.session_state["quote_source"] = (_load(text, file.name, files or EXAMPLE.parent, uploaded=True,
                                                      files=files), file.name)
            st.session_state.pop("quote_error", None)
        except InputError as exc:
            st.session_state["quote_error"] = str(exc)
    if st.session_state.get("quote_error"):
        st.error(f"**{t('The scenario was not loaded')}**: {problems.translate(st.session_state['quote_error'])}")
    source = st.session_state.get("quote_source")
    if source is None:
        try:
            source = (_load(EXAMPLE.read_text(), EXAMPLE.name, EXAMPLE.parent), EXAMPLE.name)
        except InputError as exc:
            common.error(exc, "The scenario is not valid")
            return
        st.session_state["quote_source"] = source
    (scenario, base_dir), name = source
    q = scenario.quote
    st.markdown(t("**Scenario:** {name} · client {client} · {months} months from {start} · margin {margin}",
                  name=name, client=q.client, months=q.months, start=q.start_month, margin=pct(q.margin, 0)))
    c1, c2, c3 = st.columns([2, 1, 1])
    cap = state.time_limit_cap()
    seconds = c1.slider(t("Solver seconds per representative week"), 1, 30, int(min(4, cap or 4)), key="quote_seconds",
                        help=t("Each month's week is scheduled with CP-SAT; more seconds, a tighter schedule."))
    sensitivity = c2.toggle(t("Sensitivity table"), value=False, key=lkey("quote_sensitivity"),
                            help=t("Re-solves the busiest month 11 more times (volume, AHT, service, shrinkage)."))
    go = c3.button(t("Price the quote"), type="primary", key="quote_go", width="stretch")
    job = st.session_state.get("quote_job")
    if go:
        job = _start(scenario, base_dir, float(seconds), bool(sensitivity))
        st.session_state["quote_job"] = job
    if job is None:
        st.info(t("Press **Price the quote**: about {secs} s with these settings.",
                  secs=num((q.months + (11 if sensitivity else 0)) * (seconds + 1))))
        return
    if not job["future"].done():
        bar = st.progress(0.0)
        while not job["future"].done():
            done = len(job["lines"])
            bar.progress(min(0.99, done / max(1, job["weeks"])),
                         text=t("{done} of {weeks} weeks scheduled · {secs} s", done=done, weeks=job["weeks"],
                                secs=num(time.perf_counter() - job["started"])))
            time.sleep(0.3)
        bar.empty()
    exc = job["future"].exception()
    if exc is not None:
        common.error(exc, "The quote could not be priced")
        return
    show(job["future"].result(), job["key"])


def show(result, key: str) -> None:
    cur = result.scenario.currency
    tot = result.totals
    common.metric_row([
        (t("Total price"), money_tile(tot.get("total_price"), cur)),
        (t("Total cost"), money_tile(tot.get("total_cost"), cur)),
        (t("Price per productive hour"), money_tile(tot.get("price_per_hour"), cur)),
        (t("Price per handled contact"), money_tile(tot.get("price_per_contact"), cur)),
        (t("Price per FTE-month"), money_tile(tot.get("price_per_fte_month"), cur)),
        (t("Mean FTE"), num(tot.get("mean_fte"), 1)),
        (t("Peak seats"), num_tile(tot.get("peak_seats"))),
    ])
    m = result.monthly
    st.subheader(t("By month"))
    chart = alt.Chart(m).mark_bar(color="#4A90C8").encode(
        x=alt.X("month:O", title=t("Month")), y=alt.Y("fte:Q", title="FTE"),
        tooltip=["month", alt.Tooltip("fte:Q", format=",.1f"), "agents", "seats",
                 alt.Tooltip("price:Q", format=",.0f")]).properties(height=240)
    st.altair_chart(chart, width="stretch")
    shown = ["month", "workload_hours", "fte", "agents", "seats", "hires", "total_cost", "price", "price_per_hour",
             "schedule_gap"]
    quote_table(m[shown], cur)
    st.subheader(t("By channel"))
    quote_table(result.channels, cur)
    if len(result.sensitivity):
        st.subheader(t("Sensitivity"))
        quote_table(result.sensitivity, cur)
    with st.expander(t("Assumptions")):
        quote_table(result.assumptions, cur)
    for note in result.notes:
        st.caption(note)
    files = _files(result, key)
    st.subheader(t("Downloads"))
    c1, c2 = st.columns(2)
    c1.download_button(t("Quote workbook (XLSX)"), files["quote.xlsx"], file_name="quote.xlsx", key="dl_quote_xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    c2.download_button(t("Quote (JSON)"), files["quote.json"], file_name="quote.json", mime="application/json",
                       key="dl_quote_json")


WHOLE_PEOPLE = {"hires", "leavers"}  # hired people: whole on screen (the cost lines price the expected number)


def quote_table(frame, currency: str) -> None:
    """A quote table as the workbook formats it (:mod:`wfm.quote.workbook`): amounts without
    decimals in the quote's currency, shares as %, people whole, the workbook's headings translated."""
    from wfm.quote import workbook

    frame = frame.copy()
    names, config = {}, {}
    for column in frame.columns:
        name = t(workbook.HEADINGS.get(column, column))
        if column in workbook.MONEY_COLUMNS:
            name = f"{name} ({currency})"
            frame[column] = frame[column].astype(float).round(0)
            config[name] = st.column_config.NumberColumn(format="localized")
        elif column in workbook.SHARE_COLUMNS:
            config[name] = st.column_config.NumberColumn(format="percent")
        elif column in WHOLE_PEOPLE or column in workbook.INTEGER_COLUMNS:
            frame[column] = frame[column].astype(float).round(0).astype("Int64")
            config[name] = st.column_config.NumberColumn(format="localized")
        elif column in workbook.HOURS_COLUMNS or column in workbook.DECIMAL_COLUMNS:
            frame[column] = frame[column].astype(float).round(1)
            config[name] = st.column_config.NumberColumn(format="localized")
        names[column] = name
    st.dataframe(frame.rename(columns=names), hide_index=True, width="stretch", column_config=config)
