"""Page 1, Data: the bundled sample or an upload, validated, with the week's shape."""

from __future__ import annotations

import streamlit as st

from wfm import data
from wfm.errors import InputError
from wfm.ui import charts, common, pipeline, state
from wfm.ui.i18n import date, hours, num, num_tile, t, weekday


def _upload(file) -> None:
    """Validate an upload; on success it becomes the data, otherwise the previous data stays."""
    limit = state.MAX_UPLOAD_BYTES
    size = getattr(file, "size", None) or len(file.getvalue())
    if size > limit:
        st.session_state["upload_error"] = t(
            "{name} is {mb} MB, more than the {limit} MB limit: split the history or keep fewer months.",
            name=file.name, mb=num(size / 1024 / 1024, 0), limit=num(limit / 1024 / 1024, 0))
        return
    try:
        frame, minutes = pipeline.read_upload(file.getvalue(), file.name, state.get("horizon.timezone"))
    except InputError as exc:
        st.session_state["upload_error"] = str(exc)
        return
    st.session_state["upload_error"] = None
    state.set_history(state.History(frame, minutes, file.name, None))
    st.session_state["upload_ok"] = file.name


def page() -> None:
    st.title(t("Data"))
    hist: state.History = st.session_state["history"]
    st.caption(t("Interval history: one row per queue and interval start. Columns `ds` (interval start, local time), "
                 "`y` (calls offered), optional `queue` and `aht` (seconds). CSV, XLSX or Parquet."))

    left, right = st.columns([3, 2])
    with left:
        file = st.file_uploader(t("Upload a history file"), type=["csv", "xlsx", "parquet"], key="upload",
                                help=t("Column names stay in English: ds, y, queue, aht. Up to 200 MB."),
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

    if st.session_state.get("upload_error"):
        st.error(f"**{t('The file was not loaded')}**: {st.session_state['upload_error']}  \n"
                 + t("The previous data is still in use ({name}).", name=st.session_state['history'].source))
    elif st.session_state.get("upload_ok") == hist.source:
        st.success(t("Loaded {name}.", name=hist.source))

    hist = st.session_state["history"]
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
