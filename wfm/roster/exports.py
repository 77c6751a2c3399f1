"""Roster exports: the シフト表 workbook planners print, per-person schedules (CSV) and one
iCalendar file per agent for phone calendars.

Every text cell goes through :func:`wfm.export.xlsx_cell` / ``text_cells_only`` or
:func:`wfm.export.write_table`, so a name such as ``=HYPERLINK(...)`` stays text.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

from wfm.export import atomic_path, fix_workbook_times, text_cells_only
from wfm.roster.agents import file_names as file_names_of
from wfm.roster.centre import CentreProblem
from wfm.roster.centre_model import CentreSolution
from wfm.roster.tables import WEEKDAY_NAMES, agent_totals, day_totals, shift_grid

TITLE = "シフト表"


def write_shift_table(problem: CentreProblem, solution: CentreSolution, path: str | Path, *, title: str = "") -> None:
    """The シフト表: one row per person, one column per day, shift codes; totals per person
    (shifts, hours) and per day (people per shift code, people, hours); a legend sheet.

    Print setup: landscape, fit to one page wide, the two header rows and the name
    columns repeated on every page.

    Parameters
    ----------
    problem : CentreProblem
        Its agents, dates and shift codes (the legend sheet lists the codes).
    solution : CentreSolution
        Fills the grid and the totals.
    path : str or Path
        The ``.xlsx`` file, written atomically.
    title : str
        The printed page header; empty: シフト表.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    grid = shift_grid(problem, solution)
    totals = agent_totals(problem, solution)
    per_day = day_totals(problem, solution)
    wb = Workbook()
    ws = wb.active
    ws.title = TITLE
    dates = problem.dates
    head = ["ID", "名前 Name", "Group"]
    ws.append([*head, *[f"{d.month}/{d.day}" for d in dates], "Shifts", "Hours"])
    ws.append(["", "", "", *[WEEKDAY_NAMES[d.weekday()] for d in dates], "", ""])
    for r, row in enumerate(grid.itertuples(index=False)):
        values = list(row)
        ws.append([*values, int(totals["shifts"].iloc[r]), float(totals["paid_hours"].iloc[r])])
    ws.append([])
    for code in problem.shifts:
        ws.append(["", f"{code.code} {code.times}", "", *per_day[code.code].astype(int).tolist(), "", ""])
    ws.append(["", "People", "", *per_day["people"].astype(int).tolist(), int(per_day["people"].sum()), ""])
    ws.append(["", "Hours", "", *per_day["paid_hours"].tolist(), "", round(float(per_day["paid_hours"].sum()), 2)])
    bold = Font(bold=True)
    weekend = PatternFill("solid", fgColor="FDE9D9")
    for cell in ws[1] + ws[2]:
        cell.font = bold
        cell.alignment = Alignment(horizontal="center")
    for j, day in enumerate(dates):
        column = get_column_letter(len(head) + 1 + j)
        ws.column_dimensions[column].width = 6
        if day.weekday() >= 5:
            for r in range(1, 3 + len(grid)):
                ws[f"{column}{r}"].fill = weekend
        for r in range(3, 3 + len(grid)):
            ws[f"{column}{r}"].alignment = Alignment(horizontal="center")
    ws.column_dimensions["B"].width = 18
    ws.freeze_panes = "D3"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:2"
    ws.print_title_cols = "A:C"
    ws.oddHeader.center.text = title or TITLE
    legend = wb.create_sheet("Legend")
    legend.append(["Code", "Times", "Paid hours", "Label"])
    for code in problem.shifts:
        paid = (code.span - code.break_minutes) / 60
        legend.append([code.code, code.times, round(paid, 2), code.label])
    legend.append(["休", "time off (approved leave)", 0, ""])
    legend.append(["(empty)", "day off", 0, ""])
    for sheet in wb.worksheets:
        text_cells_only(sheet)
    with atomic_path(path) as tmp:
        wb.save(tmp)
        fix_workbook_times(tmp)


def file_names(problem: CentreProblem, suffix: str) -> list[str]:
    """One file name per agent (see :func:`wfm.roster.agents.file_names`).

    Parameters
    ----------
    problem : CentreProblem
        The roster problem (its agents).
    suffix : str
        What follows each name (``.csv``, ``.ics``).

    Returns
    -------
    list of str
        One file name per agent, in the agents' order.
    """
    return [name + suffix for name in file_names_of(problem.agents)]


def _shift_times(day: dt.date, code) -> tuple[dt.datetime, dt.datetime]:
    """Local wall-clock start and end of shift ``code`` started on ``day`` (a night ends the next day)."""
    start = dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=code.start)
    return start, start + dt.timedelta(minutes=code.span)


def person_schedules(problem: CentreProblem, solution: CentreSolution) -> list[pd.DataFrame]:
    """Per agent, every day of the horizon: the shift (code, start, end, paid hours) or off / time off.

    Parameters
    ----------
    problem : CentreProblem
        Its agents, each agent's time off and the shift codes' times.
    solution : CentreSolution
        The shifts worked; a day without one is ``off`` or ``time off``.

    Returns
    -------
    list of pandas.DataFrame
        One frame per agent: ``date, weekday, shift, status, start, end, paid_hours``.
    """
    frames = []
    worked = {(a, d): s for a, d, s in solution.worked}
    for a, agent in enumerate(problem.agents):
        rows = []
        for d, day in enumerate(problem.dates):
            s = worked.get((a, d))
            if s is None:
                status = "time off" if day in agent.time_off else "off"
                rows.append((day.isoformat(), WEEKDAY_NAMES[day.weekday()], "", status, "", "", 0.0))
                continue
            code = problem.shifts[s]
            start, end = _shift_times(day, code)
            rows.append((day.isoformat(), WEEKDAY_NAMES[day.weekday()], code.code, "work",
                         start.strftime("%Y-%m-%d %H:%M"), end.strftime("%Y-%m-%d %H:%M"),
                         round(problem.instances[d, s].paid / 60, 4)))
        frames.append(pd.DataFrame(rows, columns=["date", "weekday", "shift", "status", "start", "end", "paid_hours"]))
    return frames


def calendar_bytes(problem: CentreProblem, solution: CentreSolution, a: int) -> bytes:
    """The agent's shifts as an iCalendar file (one event per shift, local time with its
    time zone). No shifts: a valid calendar with no events.

    Parameters
    ----------
    problem : CentreProblem
        Its time zone stamps every event; the shift codes give times and labels.
    solution : CentreSolution
        Agent ``a``'s worked shifts become the events.
    a : int
        Whose calendar it is (index into ``problem.agents``).

    Returns
    -------
    bytes
        The ``.ics`` file's content.
    """
    from icalendar import Calendar, Event

    zone = ZoneInfo(problem.timezone)
    agent = problem.agents[a]
    cal = Calendar()
    cal.add("prodid", "-//wfm//roster//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"{agent.name} shifts")
    # A fixed stamp keeps two runs byte-identical (DTSTAMP is required by RFC 5545).
    stamp = dt.datetime.combine(problem.dates[0], dt.time(), tzinfo=dt.UTC)
    for aa, d, s in sorted(solution.worked):
        if aa != a:
            continue
        code, day = problem.shifts[s], problem.dates[d]
        start, end = (when.replace(tzinfo=zone) for when in _shift_times(day, code))
        event = Event()
        event.add("uid", f"{day.isoformat()}-{code.code}-{agent.id}@wfm-roster")
        event.add("dtstamp", stamp)
        event.add("dtstart", start)
        event.add("dtend", end)
        event.add("summary", f"{code.code} {code.times}" + (f" ({code.label})" if code.label else ""))
        cal.add_component(event)
    if cal.subcomponents:
        cal.add_missing_timezones()
    return cal.to_ical()


def write_calendar(problem: CentreProblem, solution: CentreSolution, a: int, path: str | Path) -> None:
    """Write the agent's :func:`calendar_bytes` to ``path`` atomically.

    Parameters
    ----------
    problem : CentreProblem
        As for :func:`calendar_bytes`: the time zone and shift codes.
    solution : CentreSolution
        The roster to take the agent's shifts from.
    a : int
        Whose calendar to write.
    path : str or Path
        The ``.ics`` file.
    """
    with atomic_path(path) as tmp:
        Path(tmp).write_bytes(calendar_bytes(problem, solution, a))
