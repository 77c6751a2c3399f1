"""Page 1, Data: the bundled sample or an upload, validated, with the week's shape."""

from __future__ import annotations

from zoneinfo import available_timezones

import streamlit as st

from wfm import data, start
from wfm.errors import InputError
from wfm.scenario import WEEKDAYS, Horizon, Scenario
from wfm.ui import charts, common, pipeline, problems, state
from wfm.ui.i18n import date, hours, num, num_tile, t, weekday

ROLE_LABELS = {"ds": "Time (interval start)", "y": "Volume (calls offered)", "aht": "AHT (seconds)",
               "queue": "Queue"}
NOT_IN_FILE = "—"
CURRENCIES = ("JPY", "USD", "EUR", "GBP", "CNY", "KRW", "TWD", "HKD", "SGD", "AUD", "INR", "PHP")


def _upload(file) -> None:
    """Read an upload; with known headers it becomes the data, otherwise the column mapping
    step asks which column is which. A bad file keeps the previous data."""
    limit = state.MAX_UPLOAD_BYTES
    size = getattr(file, "size", None) or len(file.getvalue())
    st.session_state.pop("pending_upload", None)
    if size > limit:
        st.session_state["upload_error"] = t(
            "{name} is {mb} MB, more than the {limit} MB limit: split the history or keep fewer months.",
            name=file.name, mb=num(size / 1024 / 1024, 0), limit=num(limit / 1024 / 1024, 0))
        return
    content = file.getvalue()
    try:
        table = pipeline.read_upload_table(content, file.name)
    except InputError as exc:
        st.session_state["upload_error"] = str(exc)
        return
    st.session_state["upload_error"] = None
    headers = [str(c).strip() for c in table.columns]
    if {"ds", "y"} <= set(headers):
        _load(content, file.name, None)
    else:
        st.session_state["pending_upload"] = (file.name, content, headers)


def _start_options() -> dict:
    """The choices of "Start the plan from this file": the session's, else the language's defaults."""
    ja = st.session_state.get("lang") == "ja"
    defaults = {"timezone": "Asia/Tokyo" if ja else state.get("horizon.timezone") or "UTC",
                "currency": "JPY" if ja else state.get("currency") or "JPY",
                "keep_groups": False, "keep_campaigns": False,
                "holidays": "JP" if ja else st.session_state["forecast_opts"].get("holidays")}
    return {**defaults, **st.session_state.get("start_opts", {})}


def _load(content: bytes, name: str, columns: dict | None) -> None:
    """Validate an upload (through ``columns``) and start the plan from it."""
    options = _start_options()
    try:
        frame, minutes = pipeline.read_upload(content, name, options["timezone"], columns)
        history = state.History(frame, minutes, name, None, content=content, columns=columns)
        _start(history, options)
    except InputError as exc:
        st.session_state["upload_error"] = str(exc)
        return
    st.session_state.pop("pending_upload", None)
    st.session_state["upload_error"] = None
    st.session_state["upload_ok"] = name


def _start(history: state.History, options: dict) -> None:
    """The scenario starts from ``history``: its opening hours, the chosen zone, currency, groups."""
    summary = pipeline.history_summary(history.frame, history.minutes)
    busiest = summary.sort_values("volume", ascending=False).iloc[0]
    st.session_state["start_opts"] = options
    st.session_state["start_notes"] = state.start_from_upload(history, busiest["opening"], options)


def _column_mapping() -> None:
    """The mapping step: which of the file's columns is the time, the volume, the AHT, the queue."""
    name, content, headers = st.session_state["pending_upload"]
    guessed = {role: header for header, role in data.guess_columns(headers).items()}
    guessed.update({role: role for role in data.COLUMN_ROLES if role in headers})
    with st.container(border=True):
        st.subheader(t("Which column is which?"))
        st.write(t("{name} has the columns {headers}: pick the time, the volume and, when the file has them, "
                   "the AHT and the queue. The choice is kept in the scenario.",
                   name=name, headers=", ".join(headers)))
        options = [NOT_IN_FILE, *headers]
        cols = st.columns(len(data.COLUMN_ROLES))
        picked = {}
        for col, role in zip(cols, data.COLUMN_ROLES, strict=True):
            guess = guessed.get(role)
            picked[role] = col.selectbox(t(ROLE_LABELS[role]), options, key=f"map:{role}",
                                         index=options.index(guess) if guess in options else 0)
        if st.button(t("Read the file with these columns"), key="map_apply", type="primary"):
            missing = [t(ROLE_LABELS[r]) for r in ("ds", "y") if picked[r] == NOT_IN_FILE]
            chosen = [h for h in picked.values() if h != NOT_IN_FILE]
            if missing:
                st.session_state["upload_error"] = t("pick a column for {roles}.", roles=", ".join(missing))
            elif len(set(chosen)) < len(chosen):
                st.session_state["upload_error"] = t("one column is picked twice.")
            else:
                mapping = {h: r for r, h in picked.items() if h != NOT_IN_FILE and h != r}
                _load(content, name, mapping or None)
            st.rerun()


def _start_panel(hist: state.History) -> None:
    """Start the plan from the uploaded file: time zone, currency, holidays, the example's groups and campaigns."""
    options = _start_options()
    zones = sorted(available_timezones())
    base = state.start_base()
    base_currency = base.get("currency") or state.default(Scenario, "currency")
    with st.container(border=True):
        st.subheader(t("Start the plan from this file"))
        horizon = state.get("horizon")
        st.write(t("The plan uses the file's opening hours ({hours}); the example's closed dates are cleared.",
                   hours=_opening_text(horizon)))
        # Outside the form: the currency and the groups kept decide which money fields the form asks for.
        currencies = list(dict.fromkeys([options["currency"], *CURRENCIES]))
        currency = st.columns(3)[0].selectbox(t("Currency"), currencies, key="start_currency",
                                              index=currencies.index(options["currency"]))
        keep_groups = st.checkbox(t("Keep the example's agent groups, pay rates and costs"),
                                  value=options["keep_groups"], key="start_keep_groups",
                                  help=t("Otherwise one group of agents at the default hourly cost works the "
                                         "example's inbound shift rules."))
        keep_campaigns = st.checkbox(t("Keep the example's outbound campaigns"), value=options["keep_campaigns"],
                                     key="start_keep_campaigns")
        with st.form("start_form", border=False):
            c1, c2 = st.columns(2)
            zone = c1.selectbox(t("Time zone of the centre"), zones, key="start_tz",
                                index=zones.index(options["timezone"]) if options["timezone"] in zones else 0,
                                help=t("The file's times are local times in this IANA time zone."))
            holidays = c2.text_input(t("Public holidays (country code)"), value=options["holidays"] or "",
                                     key="start_holidays",
                                     help=t("e.g. JP or US: public holidays are closed days unless a special day "
                                            "says otherwise."))
            exchange_rate, rates = _money_fields(base, base_currency, currency, keep_groups, keep_campaigns, options)
            interval = int(state.setting(horizon, Horizon, "interval_minutes"))
            st.caption(t("With {minutes}-minute intervals, breaks last {lengths} minutes: the example's shift rules "
                         "are fitted to the interval and the opening hours.", minutes=interval,
                         lengths=", ".join(str(m) for m in start.break_lengths(interval, 4 * interval)) + " …"))
            if st.form_submit_button(t("Start the plan from this file"), type="primary"):
                chosen = {"timezone": zone, "currency": currency, "keep_groups": keep_groups,
                          "keep_campaigns": keep_campaigns, "holidays": holidays.strip().upper() or None,
                          "exchange_rate": exchange_rate, "rates": rates}
                try:
                    frame, minutes = pipeline.read_upload(hist.content, hist.source, zone, hist.columns)
                    _start(state.History(frame, minutes, hist.source, None, content=hist.content,
                                         columns=hist.columns), chosen)
                except InputError as exc:
                    common.error(exc, "The plan could not start from this file")
                else:
                    st.rerun()
        notes = st.session_state.get("start_notes")
        if notes:
            with st.expander(t("What changed in the example's settings ({n})", n=len(notes))):
                for note in notes:
                    st.write(f"- {problems.translate(note)}")


def _money_fields(base: dict, base_currency: str, currency: str, keep_groups: bool, keep_campaigns: bool,
                  options: dict) -> tuple[float | None, dict[str, float]]:
    """The exchange rate (when the currency is not the example's) and an hourly cost per kept group.

    An empty cost is the example's, converted at the exchange rate (wfm.start does it)."""
    exchange_rate = None
    if currency != base_currency:
        exchange_rate = st.number_input(
            t("Exchange rate: 1 {old} = … {new}", old=base_currency, new=currency), min_value=0.0,
            value=options.get("exchange_rate") if options["currency"] == currency else None, format="%g",
            key=f"start_rate:{base_currency}:{currency}",
            help=t("Every money figure of the example (pay rates, penalties, quote costs) is converted with it; "
                   "an hourly cost entered below is used as it is."))
    kept = start.kept_groups(base, keep_groups=keep_groups, keep_campaigns=keep_campaigns)
    given = options.get("rates") or {}
    cols = st.columns(max(1, len(kept)))
    rates = {}
    for col, (name, cost) in zip(cols, kept.items(), strict=False):
        value = col.number_input(
            t("Hourly cost of {group} ({currency})", group=name, currency=currency), min_value=0.0,
            value=given.get(name) if options["currency"] == currency else None, format="%g",
            key=f"start_group_rate:{name}:{currency}",
            placeholder=t("{cost} {old} at the exchange rate", cost=f"{cost:g}", old=base_currency)
            if currency != base_currency and keep_groups else f"{cost:g}")
        if value is not None:
            rates[name] = float(value)
    return exchange_rate, rates


def _opening_text(horizon: dict) -> str:
    """The horizon's weekly opening hours, as the Data page writes the file's."""
    closed = set(horizon.get("closed_days") or [])
    hours = horizon.get("hours") or {}
    usual = f"{state.setting(horizon, Horizon, 'open')}-{state.setting(horizon, Horizon, 'close')}"
    shown = []
    for i, day in enumerate(WEEKDAYS):
        span = hours.get(day, usual)
        shown.append(f"{weekday(i)} {t('closed') if day in closed or str(span).lower() == 'closed' else span}")
    return " · ".join(shown)


def page() -> None:
    st.title(t("Data"))
    hist: state.History = st.session_state["history"]
    st.caption(t("Interval history: one row per queue and interval start: the interval start (local time), the "
                 "calls offered, optionally the queue and the AHT (seconds). CSV (UTF-8 or Shift_JIS), XLSX or "
                 "Parquet; other column names are mapped after the upload."))

    left, right = st.columns([3, 2])
    with left:
        file = st.file_uploader(t("Upload a history file"), type=["csv", "xlsx", "parquet"], key="upload",
                                help=t("Columns named ds, y, queue, aht are read as they are; others (日時, 呼量, "
                                       "an ACD's own names) are mapped in the next step. Up to 200 MB."),
                                max_upload_size=250)
        if file is not None and st.session_state.get("upload_seen") != (file.name, file.size):
            st.session_state["upload_seen"] = (file.name, file.size)
            _upload(file)
    with right:
        st.write("")
        if st.button(t("Use the bundled sample"), key="use_sample",
                     help=t("A North American bank's call arrivals, 5-minute intervals, March–October 2003.")):
            frame, minutes = pipeline.load_sample()
            state.set_history(state.History(frame, minutes, data.sample_path().name, str(data.sample_path())))
            st.session_state["upload_error"] = None
            st.session_state.pop("upload_ok", None)
            st.session_state.pop("pending_upload", None)

    if st.session_state.get("upload_error"):
        st.error(f"**{t('The file was not loaded')}**: {st.session_state['upload_error']}  \n"
                 + t("The previous data is still in use ({name}).", name=st.session_state['history'].source))
    elif st.session_state.get("upload_ok") == hist.source:
        st.success(t("Loaded {name}.", name=hist.source))

    if st.session_state.get("pending_upload"):
        _column_mapping()
    hist = st.session_state["history"]
    if hist.content is not None:
        _start_panel(hist)
    st.markdown(t("**In use:** {name}, {minutes}-minute intervals.", name=hist.source, minutes=hist.minutes))
    try:
        summary = pipeline.history_summary(hist.frame, hist.minutes)
        profile = pipeline.weekday_profile(hist.frame, hist.minutes)
    except InputError as exc:
        common.error(exc, "The history could not be summarised")
        return

    queues = list(summary["queue"])
    queue = queues[0]
    if len(queues) > 1:
        queue = st.selectbox(t("Queue"), queues, key="data_queue")
    row = summary[summary["queue"] == queue].iloc[0]
    common.metric_row([
        (t("Days"), f"{num(row['days'])}"),
        (t("Days with calls"), num(row["days_with_data"])),
        (t("Intervals"), num_tile(row["intervals"])),
        (t("Calls"), num_tile(row["volume"])),
        (t("Gaps"), num(row["gaps"])),
        (t("Closed days"), num(row["closed_days"])),
    ], helps={
        t("Gaps"): t("Missing intervals inside the usual opening hours (filled by the forecast, never read as zero)."),
        t("Closed days"): t("Weekdays that are normally open but have no calls (holidays, closures)."),
    }, per_row=6)
    st.markdown(t("**From** {first} **to** {last}. Open {open} a week, closed {closed} a week.",
                  first=date(row["first_day"]), last=date(row["last_day"]),
                  open=hours(row["open_hours_per_week"], 1), closed=hours(row["closed_hours_per_week"], 1)))
    opening = row["opening"]
    st.markdown(t("**Usual opening hours:**") + " " + " · ".join(
        f"{weekday(i)} {t('closed') if opening[k] == 'closed' else opening[k]}" for i, k in enumerate(opening)))

    st.subheader(t("Mean calls by weekday and time of day"))
    st.altair_chart(charts.heatmap(profile[profile["queue"] == queue]), width="stretch")
    with st.expander(t("First rows of the file")):
        st.dataframe(common.local_table(hist.frame.head(50)), hide_index=True)
