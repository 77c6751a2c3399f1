"""Planner-ready reports: the schedule workbook (XLSX) and the coverage chart (PNG).

The workbook is what a planner prints and pins up: one sheet per day with each
agent's timeline laid out by interval and coloured by activity, a coverage sheet
and a KPI sheet, with frozen headers and readable widths. Both writers are atomic.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from copy import copy
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from wfm import limits
from wfm.export import atomic_path, fix_workbook_times, xlsx_cell
from wfm.localtime import wall_clock

# Activity -> (letter in the cell, fill colour). Letters keep a black-and-white print readable.
ACTIVITY_STYLE: dict[str, tuple[str, str]] = {
    "inbound": ("I", "9FC5E8"),
    "outbound": ("O", "B6D7A8"),
    "break": ("B", "FFE599"),
    "lunch": ("L", "F9CB9C"),
    "training": ("T", "D5A6BD"),
    "meeting": ("M", "D9D2E9"),
}
_OTHER_STYLE = ("?", "CCCCCC")
_HEADER_FILL = PatternFill("solid", fgColor="1F3864")
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_THIN = Side(style="thin", color="BFBFBF")


def _segment_times(schedule: pd.DataFrame, timezone: str | None = None) -> pd.DataFrame:
    """Absolute start/end timestamps of each segment (``start``/``end`` may be HH:MM).

    ``_start``/``_end`` are wall-clock times; ``_real_start``/``_real_end`` the real
    instants in ``timezone`` (as UTC, naive), so a daylight-saving day's timeline and
    paid hours follow real time. Without a zone they are the wall-clock times.
    """
    seg = schedule.copy()
    dates = pd.to_datetime(seg["date"]).dt.normalize()

    def absolute(column: str) -> pd.Series:
        text = seg[column].astype(str)
        clock = text.str.fullmatch(r"\d{1,2}:\d{2}(:\d{2})?")
        out = pd.Series(pd.NaT, index=seg.index, dtype="datetime64[ns]")
        if clock.any():
            out[clock] = dates[clock] + pd.to_timedelta(text[clock].where(text[clock].str.count(":") == 2, text[clock] + ":00"))
        if (~clock).any():
            out[~clock] = wall_clock(pd.to_datetime(text[~clock], format="mixed"))
        return out

    seg["_start"] = absolute("start")
    seg["_end"] = absolute("end")
    # A segment ending at or before its start runs past midnight.
    wrap = seg["_end"] <= seg["_start"]
    seg.loc[wrap, "_end"] = seg.loc[wrap, "_end"] + pd.Timedelta(days=1)
    seg["_date"] = dates.dt.date
    seg["_real_start"], seg["_real_end"] = seg["_start"], seg["_end"]
    if timezone is not None:
        from wfm.localtime import real_time, utc_clock

        for column in ("start", "end"):
            fold = seg[f"{column}_fold"] if f"{column}_fold" in seg.columns else None
            real = utc_clock(real_time(seg[f"_{column}"], fold, timezone))
            # A time the zone does not have (a table from elsewhere) keeps its wall-clock place.
            seg[f"_real_{column}"] = real.fillna(pd.Series(seg[f"_{column}"].to_numpy())).to_numpy()
    return seg


def _header_cell(ws, value, *, rotate: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # a column named like a formula is still a name
    cell.fill = _HEADER_FILL
    cell.font = _HEADER_FONT
    cell.alignment = Alignment(horizontal="center", vertical="center", text_rotation=90 if rotate else 0)
    return cell


def _day_sheet(wb: Workbook, day: dt.date, seg: pd.DataFrame, interval_minutes: int,
               timezone: str | None = None) -> None:
    # Write-only sheets stream rows: a week of 400 agents is ~100,000 styled cells.
    ws = wb.create_sheet(title=day.strftime("%a %Y-%m-%d"))
    step = f"{interval_minutes}min"
    # Cells are real intervals (aligned on the wall clock), labelled with their wall-clock time.
    begin, finish = seg.loc[seg["_real_start"].idxmin()], seg.loc[seg["_real_end"].idxmax()]
    first = begin["_real_start"] - (begin["_start"] - begin["_start"].floor(step))
    last = finish["_real_end"] + (finish["_end"].ceil(step) - finish["_end"])
    slots = pd.date_range(first, last, freq=step, inclusive="left")
    labels = slots if timezone is None else slots.tz_localize("UTC").tz_convert(timezone)
    fixed = ["Agent", "Group", "Start", "End", "Paid h"]
    for col, width in enumerate([12, 12, 7, 7, 7], start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    for k in range(len(slots)):
        ws.column_dimensions[get_column_letter(len(fixed) + 1 + k)].width = 3.2
    ws.freeze_panes = f"{get_column_letter(len(fixed) + 1)}2"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.row_dimensions[1].height = 38
    ws.append([_header_cell(ws, t) for t in fixed] + [_header_cell(ws, t.strftime("%H:%M"), rotate=True) for t in labels])
    # One styled prototype per activity; cells copy its style indices (registering a
    # style per cell costs a hash lookup each and dominated the run time).
    centre = Alignment(horizontal="center")
    border = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
    styles = {}
    for activity, (letter, colour) in list(ACTIVITY_STYLE.items()) + [("?", _OTHER_STYLE)]:
        proto = WriteOnlyCell(ws, value=letter)
        proto.fill = PatternFill("solid", fgColor=colour)
        proto.alignment = centre
        proto.border = border
        styles[activity] = (letter, proto._style)
    slot_ns = slots.asi8
    for agent, rows in seg.groupby("agent", sort=True):
        first_row, last_row = rows["_real_start"].idxmin(), rows["_real_end"].idxmax()
        start, end = rows.loc[first_row, "_start"], rows.loc[last_row, "_end"]
        unpaid = rows.loc[rows["activity"] == "lunch", ["_real_start", "_real_end"]]
        worked = rows.loc[last_row, "_real_end"] - rows.loc[first_row, "_real_start"]
        paid_hours = (worked - (unpaid["_real_end"] - unpaid["_real_start"]).sum()).total_seconds() / 3600
        timeline: list[object] = [None] * len(slots)
        for activity, s_start, s_end in zip(rows["activity"], rows["_real_start"], rows["_real_end"], strict=False):
            letter, style = styles.get(activity, styles["?"])
            lo = np.searchsorted(slot_ns, s_start.value, side="left")
            hi = np.searchsorted(slot_ns, s_end.value, side="left")
            for k in range(lo, hi):
                cell = WriteOnlyCell(ws, value=letter)
                cell._style = copy(style)
                timeline[k] = cell
        ws.append([xlsx_cell(ws, agent), xlsx_cell(ws, rows["group"].iloc[0]), start.strftime("%H:%M"),
                   end.strftime("%H:%M"), round(paid_hours, 2)] + timeline)
    ws.append([])
    ws.append(["Legend"])
    for activity, (letter, colour) in ACTIVITY_STYLE.items():
        cell = WriteOnlyCell(ws, value=letter)
        cell.fill = PatternFill("solid", fgColor=colour)
        cell.alignment = centre
        ws.append([cell, activity])


def _table_sheet(wb: Workbook, title: str, frame: pd.DataFrame, widths: Mapping[str, float] | None = None) -> None:
    ws = wb.create_sheet(title=title)
    for col, name in enumerate(frame.columns, start=1):
        width = (widths or {}).get(name, max(10, min(40, len(str(name)) + 2)))
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A2"
    ws.append([_header_cell(ws, str(name)) for name in frame.columns])
    for values in frame.itertuples(index=False):
        row = []
        for value in values:
            if isinstance(value, pd.Timestamp):
                value = wall_clock(value).to_pydatetime()
            elif isinstance(value, np.integer):
                value = int(value)
            elif isinstance(value, np.floating):
                value = None if np.isnan(value) else float(value)
            elif isinstance(value, float) and np.isnan(value):
                value = None
            row.append(xlsx_cell(ws, value))
        ws.append(row)


def _flatten(kpis: Mapping, prefix: str = "") -> list[tuple[str, object]]:
    rows: list[tuple[str, object]] = []
    for key, value in kpis.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            rows.extend(_flatten(value, name + "."))
        elif isinstance(value, (list, tuple)):
            # A list of records (the roster's changes) reads as key=value words per record.
            rows.append((name, ", ".join(" ".join(f"{k}={x}" for k, x in v.items()) if isinstance(v, Mapping)
                                         else str(v) for v in value)))
        else:
            rows.append((name, value))
    return rows


# Planner's words for the keys of kpis.json; the KPIs sheet shows these, with the key
# itself in a last column for anyone joining the sheet with the JSON.
KPI_WORDS = {
    "scenario": "Scenario", "currency": "Currency", "horizon": "Horizon", "start": "start", "days": "days",
    "interval_minutes": "interval (minutes)", "timezone": "time zone", "status": "Solver status",
    "cost": "Cost", "solver_cost": "Solver's own cost", "lower_bound": "Lower bound of the cost",
    "gap": "Gap to the bound", "paid_hours": "Paid hours", "agents": "Agents", "fte": "FTE",
    "calls_forecast": "Calls forecast", "cost_per_call": "Cost per call", "under_intervals": "Short intervals",
    "binding_rules": "Binding rules", "outbound_done_share": "Outbound work done", "queues": "Queue",
    "target": "target", "service_level": "service level", "answer_within": "answer within (s)", "asa": "ASA (s)",
    "max_occupancy": "occupancy cap", "shrinkage": "shrinkage", "sizing": "sizing model",
    "erlang": "planned (Erlang)", "simulated": "simulated", "abandon_rate": "abandoned", "occupancy": "occupancy",
    "offered": "calls offered", "replications": "replications", "seed": "seed",
    "flagged_intervals": "intervals below target", "service_goal": "service goal",
    "where_hours_go": "Where the paid hours go", "workload": "workload", "queueing_at_target": "queueing at the target",
    "integer_rounding": "integer rounding", "occupancy_cap": "occupancy cap", "sizing_model": "sizing model",
    "shift_shape": "shift shape", "outbound": "outbound", "breaks_and_idle": "breaks and idle",
    "notes": "Notes", "workbook": "Workbook", "day_sheets": "day sheets",
    "roster": "Roster (named agents)", "objective": "objective", "shifts": "shifts", "labour_cost": "labour cost",
    "wishes": "wishes", "unmet_wishes": "unmet wishes", "unmet_wish_weight": "unmet wish weight",
    "fairness_spread": "fairness spread", "fairness_spread_max": "largest fairness spread",
    "short_intervals": "short intervals", "short_agent_intervals": "short agent-intervals",
    "fixed_broken": "fixed days not kept", "folder": "folder",
    "changed_shifts": "shifts changed from the published roster", "changes": "changes from the published roster",
}


def kpi_label(key: str) -> str:
    """A KPI key of ``kpis.json`` in the planner's words.

    Parameters
    ----------
    key : str
        A flattened key such as ``queues.retail.simulated.asa_lo``.

    Returns
    -------
    str
        E.g. ``Queue retail · simulated · ASA (s), 95% low``; queue names stay as
        they are, unknown words get their underscores replaced.

    Examples
    --------
    >>> kpi_label("queues.retail.simulated.asa_lo")
    'Queue retail · simulated · ASA (s), 95% low'
    """
    parts = key.split(".")
    words = []
    i = 0
    while i < len(parts):
        part = parts[i]
        if part == "queues" and i + 1 < len(parts):
            words.append(f"Queue {parts[i + 1]}")
            i += 2
            continue
        suffix = ""
        for end, said in (("_lo", ", 95% low"), ("_hi", ", 95% high")):
            if part.endswith(end) and part[: -len(end)] in KPI_WORDS:
                part, suffix = part[: -len(end)], said
        words.append(KPI_WORDS.get(part, part.replace("_", " ")) + suffix)
        i += 1
    return " · ".join(words)


def _goal_sheet(wb: Workbook, kpis: Mapping) -> None:
    """A "Service goal" sheet: each queue's day or week goal, period by period."""
    rows = [
        {"queue": name, "scope": goal["scope"], "goal": goal["service_level"], **period}
        for name, queue in (kpis.get("queues") or {}).items()
        if (goal := queue.get("service_goal"))
        for period in goal["periods"]
    ]
    if rows:
        _table_sheet(wb, "Service goal", pd.DataFrame(rows), {"period": 12})


def _days_shown(days: list[pd.DataFrame], interval_minutes: int) -> int:
    """How many leading days get a timeline sheet: openpyxl writes ~10,000 styled cells a
    second, so a year of a large centre would take hours; the sheets stop at the limits."""
    step = pd.Timedelta(minutes=interval_minutes)
    cells = 0
    for k, rows in enumerate(days[: limits.MAX_DAY_SHEETS]):
        cells += int(((rows["_end"] - rows["_start"]) / step).sum()) + 1
        if cells > limits.MAX_DAY_SHEET_CELLS and k > 0:
            return k
    return min(len(days), limits.MAX_DAY_SHEETS)


def write_schedule_workbook(
    path: str | Path,
    schedule: pd.DataFrame,
    coverage: pd.DataFrame,
    kpis: Mapping,
    interval_minutes: int,
) -> None:
    """Write ``schedule.xlsx``: one sheet per day, then Coverage and KPIs.

    Long horizons get day sheets for their first days only, up to
    :data:`wfm.limits.MAX_DAY_SHEETS` sheets and :data:`wfm.limits.MAX_DAY_SHEET_CELLS`
    timeline cells, so the workbook is written in bounded time; the KPI sheet then says
    how many days it shows (every day is in ``schedule.csv``).

    Parameters
    ----------
    path : output file.
    schedule : one row per agent segment: ``agent, group, date, start, end, activity``.
    coverage : one row per interval: ``ds, required, scheduled_inbound, outbound, over, under``.
    kpis : nested mapping of KPI names to values (flattened as ``a.b`` rows).
    interval_minutes : width of one timeline cell.
    """
    wb = Workbook(write_only=True)
    timezone = (kpis.get("horizon") or {}).get("timezone") if isinstance(kpis.get("horizon"), Mapping) else None
    seg = _segment_times(schedule, timezone)
    days = list(seg.groupby("_date", sort=True))
    shown = _days_shown([rows for _, rows in days], interval_minutes)
    for day, rows in days[:shown]:
        _day_sheet(wb, day, rows, interval_minutes, timezone)
    _table_sheet(wb, "Coverage", coverage, {"ds": 20})
    kpi_rows = pd.DataFrame(_flatten(kpis), columns=["kpi", "value"])
    if shown < len(days):
        kpi_rows.loc[len(kpi_rows)] = [
            "workbook.day_sheets",
            f"the first {shown} of {len(days)} days (up to {limits.MAX_DAY_SHEETS} sheets and "
            f"{limits.MAX_DAY_SHEET_CELLS:,} timeline cells); every day is in schedule.csv",
        ]
    kpi_rows["value"] = kpi_rows["value"].map(lambda v: v if isinstance(v, (int, float, str)) or v is None else str(v))
    kpi_rows.insert(0, "KPI", kpi_rows["kpi"].map(kpi_label))
    kpi_rows = kpi_rows.rename(columns={"kpi": "key"})[["KPI", "value", "key"]]
    _table_sheet(wb, "KPIs", kpi_rows, {"KPI": 48, "value": 24, "key": 36})
    _goal_sheet(wb, kpis)
    with atomic_path(path) as tmp:
        wb.save(tmp)
        fix_workbook_times(tmp)


def write_coverage_chart(path: str | Path, coverage: pd.DataFrame, title: str = "Coverage") -> None:
    """Write ``coverage.png``: required vs scheduled inbound agents (and outbound) per interval.

    Parameters
    ----------
    path : str or Path
        The PNG file (written atomically).
    coverage : DataFrame
        ``coverage.csv`` rows.
    title : str
        Chart title.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cov = coverage.copy()
    ds = wall_clock(pd.to_datetime(cov["ds"]))
    x = np.arange(len(cov))
    fig, ax = plt.subplots(figsize=(14, 4.5), dpi=110)
    ax.fill_between(x, 0, cov["scheduled_inbound"], step="post", color="#9FC5E8", label="scheduled inbound")
    if "outbound" in cov and cov["outbound"].sum() > 0:
        ax.fill_between(x, cov["scheduled_inbound"], cov["scheduled_inbound"] + cov["outbound"], step="post",
                        color="#B6D7A8", label="outbound")
    ax.step(x, cov["required"], where="post", color="#C00000", linewidth=1.2, label="required")
    under = cov["under"].to_numpy() > 0 if "under" in cov else np.zeros(len(cov), bool)
    if under.any():
        ax.scatter(x[under], cov["required"].to_numpy()[under], s=8, color="black", zorder=3, label="short")
    days = ds.dt.normalize()
    starts = np.flatnonzero(np.r_[True, days.to_numpy()[1:] != days.to_numpy()[:-1]])
    ax.set_xticks(starts, [d.strftime("%a %d %b") for d in days.iloc[starts]], rotation=0, fontsize=8)
    for s in starts[1:]:
        ax.axvline(s, color="#888888", linewidth=0.5)
    ax.set_ylabel("agents")
    ax.set_title(title)
    ax.legend(loc="upper right", fontsize=8, ncols=4)
    ax.margins(x=0)
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png")
    plt.close(fig)
