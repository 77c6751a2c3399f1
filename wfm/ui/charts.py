"""Altair charts of the app. Views only: every number plotted comes from a library table.

Timestamps are plotted as local wall-clock time without a zone, so the browser does
not shift them into its own time zone.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from wfm.localtime import wall_clock
from wfm.ui.i18n import axis_day_format, axis_time_format, t, weekday

alt.data_transformers.disable_max_rows()

ACTIVITY_COLOURS = {
    "inbound": "#4A90C8", "outbound": "#6AA84F", "break": "#F1C232", "lunch": "#E69138",
    "training": "#A64D79", "meeting": "#8E7CC3",
}


def wall(ds: pd.Series) -> pd.Series:
    return wall_clock(pd.to_datetime(ds))


def with_day(frame: pd.DataFrame) -> pd.DataFrame:
    """Local time plus a ``day`` column: lines and areas are drawn per day (no line across closed nights)."""
    out = frame.assign(ds=wall(frame["ds"]))
    return out.assign(day=out["ds"].dt.strftime("%Y-%m-%d"))


def closed_at_night(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Add a zero row one interval after each day's last interval (and before its first).

    Stacked step areas would otherwise hold the evening's last value across the closed
    night; a drop to zero at closing time shows the centre closed, as it is.
    """
    frame = frame.sort_values("ds")
    if len(frame) < 2:
        return frame
    step = frame["ds"].diff().dropna()
    step = step[step > pd.Timedelta(0)].min()
    ends = frame.groupby("day", as_index=False)["ds"].max()
    starts = frame.groupby("day", as_index=False)["ds"].min()
    extra = pd.concat([ends.assign(ds=ends["ds"] + step), starts.assign(ds=starts["ds"] - pd.Timedelta(seconds=1))])
    for column in columns:
        extra[column] = 0
    keep = [c for c in frame.columns if c not in extra.columns]
    if keep:
        first = frame.groupby("day")[keep].first().reset_index()
        extra = extra.merge(first, on="day", how="left")
    return pd.concat([frame, extra[frame.columns]], ignore_index=True).sort_values(["ds"]).reset_index(drop=True)


def noons(ds: pd.Series) -> list[alt.DateTime]:
    """Noon of each day of ``ds`` (local wall-clock): where a day's label sits, centred on its day."""
    days = sorted(set(pd.to_datetime(ds).dt.normalize()))
    return [alt.DateTime(year=d.year, month=d.month, date=d.day, hours=12) for d in days]


def _x(title: str, frame: pd.DataFrame | None = None):
    """The time axis: one label per day, centred on the day (at noon), the grid at midnight.

    Vega puts a day tick at midnight, the left edge of the day's bars; labels at noon
    read as the day they stand under. Without ``frame`` the ticks stay at midnight.
    """
    if frame is None or frame.empty:
        return alt.X("ds:T", title=title, axis=alt.Axis(format=axis_day_format(), labelAngle=0, tickCount="day"))
    return alt.X("ds:T", title=title, axis=alt.Axis(format=axis_day_format(), labelAngle=0, values=noons(frame["ds"]),
                                                    grid=False, ticks=False))


def midnights(frame: pd.DataFrame) -> alt.Chart:
    """Light rules between the days (the grid the noon labels leave out)."""
    days = sorted(set(pd.to_datetime(frame["ds"]).dt.normalize()))
    return alt.Chart(pd.DataFrame({"ds": days[1:] or days})).mark_rule(color="#DDDDDD", strokeWidth=1).encode(x="ds:T")


def heatmap(profile: pd.DataFrame) -> alt.Chart:
    """Mean volume by weekday × time of day (``weekday, time, y``)."""
    frame = profile.assign(day=profile["weekday"].map(weekday))
    order = [weekday(i) for i in range(7)]
    return alt.Chart(frame).mark_rect().encode(
        x=alt.X("time:O", title=t("Time of day"), axis=alt.Axis(labelAngle=-90)),
        y=alt.Y("day:O", title=t("Weekday"), sort=order),
        color=alt.Color("y:Q", title=t("Calls"), scale=alt.Scale(scheme="blues")),
        tooltip=[alt.Tooltip("day:O", title=t("Weekday")), alt.Tooltip("time:O", title=t("Time of day")),
                 alt.Tooltip("y:Q", title=t("Mean calls"), format=",.1f")],
    ).properties(height=230)


def forecast_chart(history: pd.DataFrame, table: pd.DataFrame, base: pd.DataFrame | None = None) -> alt.LayerChart:
    """Recent history, the forecast and its 80/95% bands (and the unadjusted forecast)."""
    hist = with_day(pd.DataFrame({"ds": history["ds"].to_numpy(), "y": history["y"].to_numpy()}))
    fc = with_day(table)
    shown = pd.concat([hist[["ds"]], fc[["ds"]]], ignore_index=True)
    layers = [
        alt.Chart(fc).mark_area(opacity=0.18, color="#4A90C8").encode(
            x=_x(t("Date"), shown), detail="day:N", y=alt.Y("lo_95:Q", title=t("Calls per interval")), y2="hi_95:Q"),
        alt.Chart(fc).mark_area(opacity=0.3, color="#4A90C8").encode(x="ds:T", detail="day:N", y="lo_80:Q", y2="hi_80:Q"),
        alt.Chart(hist).mark_line(color="#555555", strokeWidth=1).encode(
            x="ds:T", detail="day:N", y="y:Q", tooltip=[alt.Tooltip("ds:T", title=t("Time"), format=axis_time_format()),
                                        alt.Tooltip("y:Q", title=t("History"), format=",.0f")]),
    ]
    if base is not None:
        b = with_day(base)
        layers.append(alt.Chart(b).mark_line(color="#999999", strokeDash=[4, 3], strokeWidth=1).encode(x="ds:T", detail="day:N", y="y_hat:Q"))
    layers.append(alt.Chart(fc).mark_line(color="#1F5FA0", strokeWidth=1.6).encode(
        x="ds:T", detail="day:N", y="y_hat:Q",
        tooltip=[alt.Tooltip("ds:T", title=t("Time"), format=axis_time_format()),
                 alt.Tooltip("y_hat:Q", title=t("Forecast"), format=",.1f"),
                 alt.Tooltip("lo_80:Q", title="80% " + t("low"), format=",.1f"),
                 alt.Tooltip("hi_80:Q", title="80% " + t("high"), format=",.1f"),
                 alt.Tooltip("lo_95:Q", title="95% " + t("low"), format=",.1f"),
                 alt.Tooltip("hi_95:Q", title="95% " + t("high"), format=",.1f")]))
    return alt.layer(*layers, midnights(shown)).properties(height=320)


def calls_and_agents(sized: pd.DataFrame) -> alt.LayerChart:
    """Calls per interval (bars) and required agents (line), two axes."""
    frame = with_day(sized)
    bars = alt.Chart(frame).mark_bar(color="#B7D3EA", opacity=0.9).encode(
        x=_x(t("Date"), frame), y=alt.Y("y:Q", title=t("Calls per interval")),
        tooltip=[alt.Tooltip("ds:T", title=t("Time"), format=axis_time_format()),
                 alt.Tooltip("y:Q", title=t("Calls"), format=",.1f"),
                 alt.Tooltip("agents:Q", title=t("Required agents")),
                 alt.Tooltip("scheduled:Q", title=t("Heads after shrinkage"))])
    agents = alt.Chart(frame).mark_line(color="#C00000", strokeWidth=1.5, interpolate="step-after").encode(
        x="ds:T", detail="day:N", y=alt.Y("scheduled:Q", title=t("Heads after shrinkage"), axis=alt.Axis(titleColor="#C00000")))
    return alt.layer(bars, agents, midnights(frame)).resolve_scale(y="independent").properties(height=320)


def requirement_with_outbound(requirement: pd.DataFrame, coverage: pd.DataFrame | None,
                              window: pd.DataFrame | None = None) -> alt.LayerChart:
    """Inbound requirement with the outbound agents stacked where the plan places them."""
    req = with_day(requirement)
    layers = []
    if window is not None and len(window):
        w = window.assign(ds=wall(window["ds"]), end=lambda f: wall(f["end"]))
        layers.append(alt.Chart(w).mark_rect(color="#6AA84F", opacity=0.08).encode(x="ds:T", x2="end:T"))
    if coverage is not None:
        cov = closed_at_night(with_day(coverage), ["scheduled_inbound", "outbound"])
        long = pd.concat([
            pd.DataFrame({"ds": cov["ds"], "day": cov["day"], "agents": cov["scheduled_inbound"],
                          "what": t("Inbound (scheduled)"), "o": 0}),
            pd.DataFrame({"ds": cov["ds"], "day": cov["day"], "agents": cov["outbound"],
                          "what": t("Outbound (placed by the plan)"), "o": 1}),
        ])
        layers.append(alt.Chart(long).mark_area(interpolate="step-after", opacity=0.85).encode(
            x=_x(t("Date"), req), detail="day:N", y=alt.Y("agents:Q", stack="zero", title=t("Agents")),
            color=alt.Color("what:N", title=None, scale=alt.Scale(range=["#9FC5E8", "#6AA84F"]),
                            legend=alt.Legend(orient="top", labelLimit=400)),
            order="o:Q",
            tooltip=[alt.Tooltip("ds:T", title=t("Time"), format=axis_time_format()), "what:N", "agents:Q"]))
    layers.append(alt.Chart(req).mark_line(color="#C00000", interpolate="step-after", strokeWidth=1.4).encode(
        x=_x(t("Date"), req), detail="day:N", y=alt.Y("scheduled:Q", title=t("Agents")),
        tooltip=[alt.Tooltip("ds:T", title=t("Time"), format=axis_time_format()),
                 alt.Tooltip("scheduled:Q", title=t("Inbound requirement"))]))
    return alt.layer(*layers, midnights(req)).properties(height=320)


def coverage_chart(coverage: pd.DataFrame) -> alt.LayerChart:
    """Scheduled inbound (+ outbound) against the requirement, with short intervals marked."""
    cov = closed_at_night(with_day(coverage), ["scheduled_inbound", "outbound", "required", "under"])
    long = pd.concat([
        pd.DataFrame({"ds": cov["ds"], "day": cov["day"], "agents": cov["scheduled_inbound"],
                      "what": t("Inbound (scheduled)"), "o": 0}),
        pd.DataFrame({"ds": cov["ds"], "day": cov["day"], "agents": cov["outbound"], "what": t("Outbound"), "o": 1}),
    ])
    area = alt.Chart(long).mark_area(interpolate="step-after", opacity=0.85).encode(
        x=_x(t("Date"), cov), detail="day:N", y=alt.Y("agents:Q", stack="zero", title=t("Agents")),
        color=alt.Color("what:N", title=None, scale=alt.Scale(range=["#9FC5E8", "#6AA84F"]), legend=alt.Legend(orient="top", labelLimit=400)),
        order="o:Q")
    req = alt.Chart(cov).mark_line(color="#C00000", interpolate="step-after", strokeWidth=1.4).encode(
        x="ds:T", detail="day:N", y="required:Q",
        tooltip=[alt.Tooltip("ds:T", title=t("Time"), format=axis_time_format()),
                 alt.Tooltip("required:Q", title=t("Required")),
                 alt.Tooltip("scheduled_inbound:Q", title=t("Inbound (scheduled)")),
                 alt.Tooltip("outbound:Q", title=t("Outbound")),
                 alt.Tooltip("under:Q", title=t("Short"))])
    layers = [area, req, midnights(cov)]
    short = cov[cov["under"] > 0]
    if len(short):
        layers.append(alt.Chart(short).mark_point(color="black", filled=True, size=18).encode(x="ds:T", y="required:Q"))
    return alt.layer(*layers).properties(height=300)


def unbroken_runs(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """Sorted rows with a ``run`` column: one ``by`` value's intervals without a gap between them.

    A line drawn per run (``detail="run"``) stops at closing time, on closed days and on
    holidays (a plan has no rows for them) instead of drawing straight across them. The
    step of each ``by`` value is its shortest distance between two intervals.
    """
    frame = frame.sort_values([by, "ds"]).reset_index(drop=True)
    gaps = frame.groupby(by, sort=False)["ds"].diff()
    step = gaps.where(gaps > pd.Timedelta(0)).groupby(frame[by], sort=False).transform("min")
    new_run = gaps.isna() | (gaps > step)
    return frame.assign(run=frame[by].astype(str) + " #" + new_run.groupby(frame[by]).cumsum().astype(str))


def versions_chart(coverage: pd.DataFrame) -> alt.LayerChart:
    """Scheduled inbound agents per interval of saved plan versions (``ds, version, scheduled_inbound``),
    a line per version broken where the centre is closed."""
    frame = unbroken_runs(coverage.assign(ds=wall(coverage["ds"])), "version")
    lines = alt.Chart(frame).mark_line(interpolate="step-after").encode(
        x=_x(None, frame), detail="run:N", y=alt.Y("scheduled_inbound:Q", title=t("Agents")),
        color=alt.Color("version:N", title=t("Version")),
        tooltip=[alt.Tooltip("ds:T", title=t("Time"), format=axis_time_format()), alt.Tooltip("version:N", title=t("Version")),
                 alt.Tooltip("scheduled_inbound:Q", title=t("Agents"))])
    return alt.layer(lines, midnights(frame))


GANTT_ROW_PIXELS = 18  # one agent's row: room for its 11-pixel label, so every row keeps its name


def gantt(segments: pd.DataFrame, activity_names: dict[str, str]) -> alt.Chart:
    """Agents' day as bars coloured by activity (``agent, start, end, activity``)."""
    frame = segments.assign(start=wall(segments["start"]), end=wall(segments["end"]),
                            what=segments["activity"].map(lambda a: activity_names.get(a, a)))
    agents = list(dict.fromkeys(frame["agent"]))
    domain = [activity_names.get(a, a) for a in ACTIVITY_COLOURS]
    return alt.Chart(frame).mark_bar(height={"band": 0.8}).encode(
        x=alt.X("start:T", title=t("Time"), axis=alt.Axis(format="%H:%M")),
        x2="end:T",
        y=alt.Y("agent:N", title=None, sort=agents, axis=alt.Axis(labelOverlap=False, labelLimit=240, labelFontSize=11)),
        color=alt.Color("what:N", title=t("Activity"), scale=alt.Scale(domain=domain, range=list(ACTIVITY_COLOURS.values())),
                        legend=alt.Legend(orient="top", labelLimit=400)),
        tooltip=[alt.Tooltip("agent:N", title=t("Agent")), alt.Tooltip("what:N", title=t("Activity")),
                 alt.Tooltip("start:T", title=t("Start"), format="%H:%M"), alt.Tooltip("end:T", title=t("End"), format="%H:%M"),
                 alt.Tooltip("detail:N", title=t("Detail"))],
    ).properties(height=max(160, GANTT_ROW_PIXELS * len(agents)))


def verification_chart(verification: pd.DataFrame, target: float | None, column: str = "service_level") -> alt.LayerChart:
    """Simulated KPI per interval with its 95% band, the Erlang prediction and the target."""
    frame = with_day(verification)
    frame = frame[frame["offered"] > 0]
    titles = {"service_level": t("Service level"), "asa": t("ASA (s)"), "abandon_rate": t("Abandon rate"),
              "occupancy": t("Occupancy")}
    is_rate = column != "asa"
    fmt = ".0%" if is_rate else ",.1f"
    shown = [f"{column}_lo", column, f"{column}_hi"] + (["erlang_service_level"] if column == "service_level" else [])
    scale = alt.Scale(domain=fitted_domain(frame, shown, target, (0.0, 1.0) if is_rate else (0.0, None)), zero=False)
    band = alt.Chart(frame).mark_area(opacity=0.25, color="#4A90C8", interpolate="step-after").encode(
        x=_x(t("Date"), frame), detail="day:N",
        y=alt.Y(f"{column}_lo:Q", title=titles[column], axis=alt.Axis(format=fmt), scale=scale), y2=f"{column}_hi:Q")
    line = alt.Chart(frame).mark_line(color="#1F5FA0", interpolate="step-after", strokeWidth=1.2).encode(
        x="ds:T", detail="day:N", y=f"{column}:Q",
        tooltip=[alt.Tooltip("ds:T", title=t("Time"), format=axis_time_format()),
                 alt.Tooltip(f"{column}:Q", title=t("Simulated"), format=fmt if is_rate else ",.1f"),
                 alt.Tooltip(f"{column}_lo:Q", title=t("95% low"), format=fmt),
                 alt.Tooltip(f"{column}_hi:Q", title=t("95% high"), format=fmt),
                 alt.Tooltip("agents:Q", title=t("Agents"))])
    layers = [band, line]
    if column == "service_level" and "erlang_service_level" in frame:
        layers.append(alt.Chart(frame).mark_line(color="#999999", strokeDash=[4, 3], interpolate="step-after").encode(
            x="ds:T", detail="day:N", y="erlang_service_level:Q"))
    if target is not None and np.isfinite(target):
        layers.append(alt.Chart(pd.DataFrame({"target": [target]})).mark_rule(color="#C00000", strokeDash=[6, 3]).encode(
            y="target:Q"))
    return alt.layer(*layers, midnights(frame)).properties(height=300)


def fitted_domain(frame: pd.DataFrame, columns: list[str], target: float | None,
                  limits: tuple[float, float | None]) -> list[float]:
    """A y range around the values shown (and the target), 5% of the span added each side,
    kept inside ``limits`` (a rate never below 0 or above 100%).

    >>> frame = pd.DataFrame({"sl": [0.82, 0.9, 0.97]})
    >>> [round(x, 3) for x in fitted_domain(frame, ["sl"], 0.8, (0.0, 1.0))]
    [0.792, 0.978]
    """
    values = pd.concat([pd.to_numeric(frame[c], errors="coerce") for c in columns if c in frame], ignore_index=True)
    if target is not None and np.isfinite(target):
        values = pd.concat([values, pd.Series([float(target)])], ignore_index=True)
    values = values[np.isfinite(values)]
    low_limit, high_limit = limits
    if values.empty:
        return [low_limit, high_limit if high_limit is not None else 1.0]
    low, high = float(values.min()), float(values.max())
    pad = 0.05 * (high - low) if high > low else max(0.01, 0.05 * abs(high))
    low, high = max(low_limit, low - pad), high + pad
    return [low, min(high_limit, high) if high_limit is not None else high]
