"""``quote.xlsx``: a one-page summary a sales director can send, then detail sheets.

Sheets: ``Summary`` (prices under the three models, key figures, the months at a
glance, cost per contact by channel, assumptions, notes; fitted to one A4 page),
``Monthly``, ``Cost lines`` (lines as rows, months as columns), ``Channels``,
``Sensitivity``, ``Assumptions`` and ``Weeks`` (coverage of each representative
week). Money cells carry the currency's number format, headers are frozen, and
every sheet has a print setup (landscape detail sheets fitted to the page width).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from wfm.export import atomic_path, fix_workbook_times, text_cells_only
from wfm.quote.pricing import COST_LINES

_HEADER_FILL = PatternFill("solid", fgColor="1F3864")
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_BAND_FILL = PatternFill("solid", fgColor="DEEAF6")
_TITLE_FONT = Font(bold=True, size=16, color="1F3864")
_SECTION_FONT = Font(bold=True, size=12, color="1F3864")
_THIN = Side(style="thin", color="BFBFBF")
_BOX = Border(top=_THIN, bottom=_THIN, left=_THIN, right=_THIN)

# Excel number formats: symbols where the currency has one, else the code after the number.
_CURRENCY_FORMATS = {
    "JPY": '"¥"#,##0',
    "USD": '"$"#,##0.00',
    "EUR": '"€"#,##0.00',
    "GBP": '"£"#,##0.00',
    "CNY": '"¥"#,##0.00',
    "KRW": '"₩"#,##0',
    "INR": '"₹"#,##0.00',
}

MONEY_COLUMNS = set(COST_LINES) | {
    "total_cost", "price", "margin_amount", "price_per_hour", "price_per_contact", "price_per_fte_month", "cost",
    "cost_per_contact", "cost_per_acquisition",
}
HOURS_COLUMNS = {"workload_hours", "paid_hours", "productive_hours"}
SHARE_COLUMNS = {"occupancy_of_productive", "break_share", "shrinkage", "workload_share", "fte_change",
                 "price_change", "schedule_gap"}
DECIMAL_COLUMNS = {"fte", "hires", "leavers", "training_fte"}
INTEGER_COLUMNS = {"open_days", "agents", "seats", "supervisors", "quality", "trainers", "short_agent_intervals",
                   "handled_contacts", "contacts_offered", "conversions", "required", "scheduled_inbound",
                   "outbound", "over", "under"}

HEADINGS = {
    "month": "Month", "open_days": "Open days", "workload_hours": "Workload hours",
    "handled_contacts": "Handled contacts", "fte": "Scheduled FTE", "agents": "Agents", "seats": "Seats",
    "hires": "Hires", "leavers": "Leavers", "training_fte": "Training/ramp FTE", "supervisors": "Supervisors",
    "quality": "QA", "trainers": "Trainers", "paid_hours": "Paid hours", "productive_hours": "Productive hours",
    "occupancy_of_productive": "Workload / productive", "break_share": "Breaks share",
    "shrinkage": "Shrinkage", "agent_labour": "Agent labour", "training": "Training", "ramp_up": "Ramp-up",
    "hiring": "Hiring", "seats_cost": "Seats cost", "supervisors_cost": "Supervisors cost",
    "quality_cost": "QA cost", "trainers_cost": "Trainers cost", "technology": "Technology", "management_fee": "Management fee",
    "total_cost": "Total cost", "price": "Price", "margin_amount": "Margin", "price_per_hour": "Price / hour",
    "price_per_contact": "Price / contact", "price_per_fte_month": "Price / FTE-month",
    "schedule_gap": "Schedule gap", "schedule_status": "Solver status",
    "short_agent_intervals": "Short agent-intervals", "channel": "Channel", "kind": "Kind",
    "contacts_offered": "Contacts offered", "workload_share": "Workload share", "cost": "Cost",
    "cost_per_contact": "Cost / contact", "conversions": "Conversions", "cost_per_acquisition": "Cost / acquisition",
    "case": "Case", "change": "Change", "fte_change": "FTE change", "price_change": "Price change",
    "section": "Section", "item": "Item", "value": "Value", "weekday": "Day", "time": "Time",
    "required": "Required", "scheduled_inbound": "Scheduled inbound", "outbound": "Outbound",
    "over": "Over", "under": "Under",
}

LINE_NAMES = {
    "agent_labour": "Agent labour (incl. premiums)", "training": "New-hire training", "ramp_up": "Ramp-up cover",
    "hiring": "Recruiting", "supervisors_cost": "Supervisors", "quality_cost": "Quality assurance",
    "trainers_cost": "Trainers", "seats_cost": "Seats", "technology": "Technology", "management_fee": "Management fee",
}


def currency_format(currency: str) -> str:
    """Excel number format for amounts in ``currency``.

    Parameters
    ----------
    currency : str
        ISO currency code of the scenario.

    Returns
    -------
    str
        The number format: the currency symbol for the common ones (no decimals for
        yen and won), else two decimals and the code.

    Examples
    --------
    >>> currency_format("JPY")
    '"¥"#,##0'
    """
    return _CURRENCY_FORMATS.get(currency.upper(), f'#,##0.00" {currency}"')


def _number_format(column: str, money: str) -> str | None:
    if column in MONEY_COLUMNS:
        return money
    if column in HOURS_COLUMNS:
        return "#,##0.0"
    if column in SHARE_COLUMNS:
        return "0.0%"
    if column in DECIMAL_COLUMNS:
        return "#,##0.0"
    if column in INTEGER_COLUMNS:
        return "#,##0"
    return None


def _header(cell) -> None:
    cell.fill = _HEADER_FILL
    cell.font = _HEADER_FONT
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    cell.border = _BOX


def _value(v):
    if v is None:
        return None
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(v, "item"):
        return v.item()
    return v


def _print_setup(ws: Worksheet, *, landscape: bool, one_page: bool = False, title_rows: str | None = None) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1 if one_page else 0  # 0: as many pages tall as needed
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.print_options.horizontalCentered = True
    if title_rows:
        ws.print_title_rows = title_rows
    ws.oddFooter.center.text = "&A - page &P of &N"


def _table(ws: Worksheet, frame: pd.DataFrame, row: int, col: int, money: str, *,
           headings: dict[str, str] | None = None, columns: list[str] | None = None) -> int:
    """Write ``frame`` with a styled header at (row, col); return the next free row."""
    columns = columns or list(frame.columns)
    names = {**HEADINGS, **(headings or {})}
    for j, column in enumerate(columns):
        _header(ws.cell(row=row, column=col + j, value=names.get(column, column)))
    for i, values in enumerate(frame[columns].itertuples(index=False), start=1):
        for j, (column, v) in enumerate(zip(columns, values, strict=False)):
            cell = ws.cell(row=row + i, column=col + j, value=_value(v))
            fmt = _number_format(column, money)
            if fmt:
                cell.number_format = fmt
            cell.border = _BOX
            if i % 2 == 0:
                cell.fill = _BAND_FILL
    return row + len(frame) + 1


def _widths(ws: Worksheet, widths: dict[int, float] | None = None, default: float = 14) -> None:
    for j in range(1, ws.max_column + 1):
        ws.column_dimensions[get_column_letter(j)].width = (widths or {}).get(j, default)


def _detail_sheet(wb: Workbook, title: str, frame: pd.DataFrame, money: str, *, first_width: float = 12,
                  width: float = 14) -> Worksheet:
    ws = wb.create_sheet(title)
    _table(ws, frame, 1, 1, money)
    ws.freeze_panes = "B2"
    ws.row_dimensions[1].height = 32
    _widths(ws, {1: first_width}, width)
    ws.auto_filter.ref = ws.dimensions if len(frame) else None
    _print_setup(ws, landscape=True, title_rows="1:1")
    return ws


def _summary_sheet(wb: Workbook, result, money: str) -> None:
    ws = wb.active
    ws.title = "Summary"
    quote, scenario, totals, monthly = result.scenario.quote, result.scenario, result.totals, result.monthly
    months = list(monthly["month"])
    ws["A1"] = f"Staffing quote: {quote.client}"
    ws["A1"].font = _TITLE_FONT
    ws["A2"] = (f"{months[0]} to {months[-1]} ({len(months)} months) - prices in {scenario.currency} at a "
                f"{quote.margin:.0%} target margin - scenario '{scenario.name}'")
    ws["A2"].font = Font(italic=True, color="595959")

    row = 4
    ws.cell(row=row, column=1, value="Price under three models").font = _SECTION_FONT
    row += 1
    models = pd.DataFrame([
        {"model": "Per productive hour", "price": totals["price_per_hour"], "cost": totals["cost_per_hour"],
         "basis": totals["productive_hours"], "unit": "productive hours"},
        {"model": "Per handled contact", "price": totals["price_per_contact"], "cost": totals["cost_per_contact"],
         "basis": totals["handled_contacts"], "unit": "handled contacts"},
        {"model": "Per FTE-month", "price": totals["price_per_fte_month"], "cost": totals["cost_per_fte_month"],
         "basis": totals["fte_months"], "unit": "FTE-months"},
    ])
    row = _table(ws, models, row, 1, money, headings={"model": "Pricing model", "basis": "Volume over the term",
                                                      "unit": "Unit", "price": "Price", "cost": "Cost"})
    for r in range(row - 3, row):
        ws.cell(row=r, column=4).number_format = "#,##0"
        ws.cell(row=r, column=2).font = Font(bold=True)

    row += 1
    ws.cell(row=row, column=1, value="Key figures").font = _SECTION_FONT
    row += 1
    key = [
        ("Total price", totals["total_price"], money), ("Total cost", totals["total_cost"], money),
        ("Margin", totals["margin_amount"], money), ("Mean scheduled FTE", totals["mean_fte"], "#,##0.0"),
        ("Peak seats", totals["peak_seats"], "#,##0"), ("Handled contacts", totals["handled_contacts"], "#,##0"),
    ]
    for i, (label, value, fmt) in enumerate(key):
        r, c = row + i // 3, 1 + 2 * (i % 3)
        ws.cell(row=r, column=c, value=label).font = Font(bold=True)
        cell = ws.cell(row=r, column=c + 1, value=_value(value))
        cell.number_format = fmt
    row += 3

    ws.cell(row=row, column=1, value="Month by month").font = _SECTION_FONT
    row += 1
    row = _table(ws, monthly, row, 1, money,
                 columns=["month", "workload_hours", "fte", "agents", "seats", "hires", "total_cost", "price"])

    row += 1
    ws.cell(row=row, column=1, value="By channel (cost allocated by workload hours)").font = _SECTION_FONT
    row += 1
    channels = result.channels.copy()
    row = _table(ws, channels, row, 1, money,
                 columns=["channel", "kind", "handled_contacts", "workload_hours", "cost_per_contact",
                          "price_per_contact", "cost_per_acquisition"])

    row += 1
    ws.cell(row=row, column=1, value="Assumptions").font = _SECTION_FONT
    row += 1
    for _, a in result.assumptions.iterrows():
        ws.cell(row=row, column=1, value=a["item"]).font = Font(bold=True)
        cell = ws.cell(row=row, column=2, value=a["value"])
        ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=8)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.cell(row=row, column=1).alignment = Alignment(vertical="top", wrap_text=True)
        # Merged cells do not grow with wrapped text: size the row from the text length.
        ws.row_dimensions[row].height = 15 * max(1, -(-len(str(a["value"])) // 95))
        row += 1
    if result.notes:
        row += 1
        ws.cell(row=row, column=1, value="Notes").font = _SECTION_FONT
        for note in result.notes:
            row += 1
            cell = ws.cell(row=row, column=1, value=note)
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=8)
            cell.alignment = Alignment(wrap_text=True)
            ws.row_dimensions[row].height = 15 * max(1, -(-len(note) // 110))
    _widths(ws, {1: 24, 2: 16, 3: 14, 4: 13, 5: 13, 6: 13, 7: 16, 8: 16})
    ws.print_area = f"A1:H{row}"
    _print_setup(ws, landscape=False, one_page=True)


def _cost_lines_sheet(wb: Workbook, monthly: pd.DataFrame, money: str) -> None:
    ws = wb.create_sheet("Cost lines")
    lines = COST_LINES + ["total_cost", "margin_amount", "price"]
    names = {**LINE_NAMES, "total_cost": "Total cost", "margin_amount": "Margin", "price": "Price"}
    _header(ws.cell(row=1, column=1, value="Line"))
    for j, month in enumerate(monthly["month"], start=2):
        _header(ws.cell(row=1, column=j, value=month))
    _header(ws.cell(row=1, column=len(monthly) + 2, value="Term"))
    for i, line in enumerate(lines, start=2):
        label = ws.cell(row=i, column=1, value=names[line])
        bold = line in ("total_cost", "price")
        label.font = Font(bold=bold)
        for j, v in enumerate(monthly[line], start=2):
            cell = ws.cell(row=i, column=j, value=_value(v))
            cell.number_format = money
            cell.font = Font(bold=bold)
        total = ws.cell(row=i, column=len(monthly) + 2, value=float(monthly[line].sum()))
        total.number_format = money
        total.font = Font(bold=True)
    ws.freeze_panes = "B2"
    _widths(ws, {1: 30}, 15)
    _print_setup(ws, landscape=True, title_rows="1:1")
    ws.print_title_cols = "A:A"


def write_quote_workbook(result, path: str | Path) -> None:
    """Write ``quote.xlsx`` atomically (see the module docstring for the sheets).

    Parameters
    ----------
    result : QuoteResult
        The quote (``wfm.quote.build_quote``).
    path : str or Path
        The XLSX file.
    """
    money = currency_format(result.scenario.currency)
    wb = Workbook()
    _summary_sheet(wb, result, money)
    _detail_sheet(wb, "Monthly", result.monthly, money)
    _cost_lines_sheet(wb, result.monthly, money)
    _detail_sheet(wb, "Channels", result.channels, money, first_width=18)
    if len(result.sensitivity):
        _detail_sheet(wb, "Sensitivity", result.sensitivity, money, width=15)
    ws = _detail_sheet(wb, "Assumptions", result.assumptions, money, first_width=14)
    ws.column_dimensions["B"].width = 30
    ws.column_dimensions["C"].width = 110
    weeks = [frame.assign(month=month) for month, frame in result.weeks.items()]
    if weeks:
        table = pd.concat(weeks, ignore_index=True)
        table = table[["month"] + [c for c in table.columns if c != "month"]]
        _detail_sheet(wb, "Weeks", table, money, width=11)
    for sheet in wb.worksheets:
        text_cells_only(sheet)  # client, channel and scenario names are text, never formulas
    with atomic_path(path) as tmp:
        wb.save(tmp)
        fix_workbook_times(tmp)
