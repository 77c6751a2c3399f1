"""Staffing quotes for outsourcers: from a client's demand to FTEs, seats, cost and price.

``build_quote(scenario)`` prices the scenario's ``[quote]`` section (settings in
:mod:`wfm.quote.settings`); ``write_quote(result, out_dir)`` writes ``quote.xlsx``,
``quote.json`` and the tables as CSV, atomically. The same result feeds the app.
This module runs the steps below in order; each step lives in its own module:
:mod:`~wfm.quote.demand` (1, 2), :mod:`~wfm.quote.week` (3, 4),
:mod:`~wfm.quote.pricing` (5, 6), :mod:`~wfm.quote.sensitivity` and
:mod:`~wfm.quote.workbook` (``quote.xlsx``).

How a month is priced
---------------------
1. **Demand of a representative week.** The month's volume ``V`` of each channel is
   spread over the month's open days by the day-of-week weights ``w``: a day of
   weekday ``d`` gets ``V * w[d] / sum(w[weekday(x)] for every open day x of the
   month)`` (holidays and closed days get nothing, so the month's total is kept),
   and inside the day by the intraday curve restricted to the opening hours. The
   representative week is the first Monday-to-Sunday week starting in the month,
   with one day of each open weekday.
2. **Sizing per interval.** Voice: fewest agents meeting the service target (Erlang
   C, or Erlang A with patience) and the occupancy cap. Chat with concurrency ``k``:
   the same sizing gives ``n`` chat slots, agents ``= ceil(n / k)`` (``k = 1`` is
   voice). Deferred work (e-mail, back office): each interval's work (items x AHT)
   is spread evenly over the open intervals of its answer window, agents ``= work /
   interval seconds / max_occupancy``. Every requirement is divided by
   ``1 - shrinkage`` (absence, training, meetings, coaching, other); outbound
   campaigns get their agent-seconds divided by the same factor.
3. **A real schedule.** :func:`wfm.schedule.make_schedule` schedules the week with the
   scenario's groups and shift rules (breaks and lunches placed by it). Weeks with
   identical requirements are solved once.
4. **From the week to the month.** Every figure of weekday ``d`` of the week counts
   ``n[d]`` times, ``n[d]`` being the open days of that weekday in the month.
   Scheduled FTE ``= paid hours of the week / fte_hours_per_week``; agents are the
   heads of the week's schedule; seats ``= ceil(peak agents on shift x (1 + spare))``.
5. **Cost lines.** Agent labour: paid hours x the group's wage, plus the night and
   weekend premiums on the paid hours falling there. Hires: the launch month hires
   every agent; later months ``max(0, agents - previous agents x (1 - attrition))``.
   Each hire costs ``hiring_cost_per_hire``, ``training_weeks x fte_hours_per_week``
   paid hours off the phones, and ``ramp_weeks x fte_hours_per_week x (1 -
   ramp_productivity)`` paid hours to make up the ramp-up. Supervisors, QA and
   trainers: ``ceil(agents / ratio)`` x monthly cost. Seats x seat cost, agents x
   technology. Management fee ``= fee x direct cost``.
6. **Price** ``= cost / (1 - margin)``, shown three ways: per productive hour
   (logged-in hours not on breaks, after shrinkage), per handled contact (answered
   calls and chats, deferred items, outbound contacts), per FTE-month. Per channel,
   cost is allocated by workload hours: cost per call, per outbound contact and per
   acquisition (conversions) where a conversion rate is given.

``volume_buffer`` staffs voice, chat and deferred work for that much more than the
expected volume (a monthly average misses the swings between days); workload hours,
handled contacts and the prices per contact stay on the expected volume.

The sensitivity table re-solves one month (``sensitivity_month``, default the
busiest) under each change, in steady state (hires = attrition x agents), so its
rows compare like with like.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from wfm._types import WEEKDAYS
from wfm.errors import InputError
from wfm.export import atomic_dir, check_out_dir, write_json, write_table
from wfm.progress import Observer
from wfm.quote.demand import EPS, ChannelDemand, channel_demands
from wfm.quote.pricing import COST_LINES, WEEKS_PER_MONTH, channel_table, hires_and_leavers, month_row, term_totals
from wfm.quote.sensitivity import SENSITIVITY_CASES, sensitivity_table
from wfm.quote.settings import Quote
from wfm.quote.week import MonthPlan, Planner
from wfm.scenario import Scenario, load_scenario


@dataclass
class QuoteResult:
    """A priced quote: the tables behind ``quote.xlsx`` and the ``quote.json`` dict.

    Attributes
    ----------
    monthly : DataFrame
        One row per month: ``month, open_days, workload_hours, handled_contacts, fte,
        agents, seats, hires, leavers, training_fte, supervisors, quality, trainers,
        paid_hours, productive_hours, occupancy_of_productive, break_share, shrinkage``,
        the cost lines (:data:`COST_LINES`), ``total_cost, price, margin_amount,
        price_per_hour, price_per_contact, price_per_fte_month, schedule_gap,
        schedule_status, short_agent_intervals``. Money in ``currency``.
    channels : DataFrame
        One row per channel over the term: ``channel, kind, contacts_offered,
        handled_contacts, workload_hours, workload_share, cost, price,
        cost_per_contact, price_per_contact, conversions, cost_per_acquisition``.
    sensitivity : DataFrame
        ``case, change, fte, agents, seats, total_cost, price, price_per_hour,
        price_per_contact, price_per_fte_month, fte_change, price_change`` for the
        sensitivity month (empty when switched off).
    assumptions : DataFrame
        ``section, item, value`` as listed on the summary sheet.
    totals : dict
        Term totals and the three prices.
    weeks : dict
        Month -> coverage of its representative week (``weekday, time, required,
        scheduled_inbound, outbound, over, under``).
    data : dict
        The ``quote.json`` content.
    demand : dict
        Month -> the representative week's demand: ``queue, weekday, time, y``
        (contacts offered) and ``agents`` (requirement after shrinkage).
    """

    scenario: Scenario
    monthly: pd.DataFrame
    channels: pd.DataFrame
    sensitivity: pd.DataFrame
    assumptions: pd.DataFrame
    totals: dict
    weeks: dict[str, pd.DataFrame]
    notes: list[str]
    data: dict
    demand: dict[str, pd.DataFrame] = field(default_factory=dict)


def build_quote(
    scenario: Scenario,
    *,
    base_dir: str | Path | None = None,
    time_limit: float | None = None,
    sensitivity: bool | None = None,
    progress: Observer | None = None,
    work_limit: float | None = None,
    on_solution: Observer | None = None,
) -> QuoteResult:
    """Price the scenario's ``[quote]``: FTE, seats, hires, cost lines and prices per month.

    Parameters
    ----------
    scenario : Scenario
        A scenario with a ``quote`` section (see :mod:`wfm.quote.settings`).
    base_dir : path, optional
        Folder that relative ``history`` / ``intraday`` paths start from (the
        scenario file's folder); default the working folder.
    time_limit : float, optional
        Wall-clock safety cap per representative week; default ``quote.time_limit_seconds``.
    sensitivity : bool, optional
        Build the sensitivity table; default ``quote.sensitivity``.
    progress : callable, optional
        Told a :class:`wfm.progress.ProgressEvent` per week the quote looks at (``item``
        the month, ``status`` ``scheduled`` or ``reused`` when an earlier month had the
        same week, ``done`` of ``total``; ``str(event)`` is a line for a terminal).
    work_limit : float, optional
        CP-SAT work per representative week in deterministic seconds (the same quote on
        any machine); default ``quote.work_limit``.
    on_solution : callable, optional
        Told each improving CP-SAT plan of every week solved (``ProgressEvent`` with cost,
        bound and gap); watching does not change the quote.

    Returns
    -------
    QuoteResult
    """
    if scenario.quote is None:
        raise InputError("quote: the scenario has no [quote] section, expected one (see wfm/resources/examples/quote_bank.toml).")
    quote: Quote = scenario.quote
    _check_against_scenario(scenario)
    base_dir = Path(base_dir) if base_dir is not None else Path(".")
    demands, notes = channel_demands(scenario, base_dir)
    from wfm.schedule import check_budget

    limit = quote.time_limit_seconds if time_limit is None else check_budget(time_limit, "time_limit")
    work = quote.work_limit if work_limit is None else check_budget(work_limit, "work_limit")
    do_sensitivity = quote.sensitivity if sensitivity is None else sensitivity
    total = quote.months + (len(SENSITIVITY_CASES) if do_sensitivity else 0)
    planner = Planner(scenario, demands, limit, progress, work, total=total, on_solution=on_solution)
    plans = [planner.month(i) for i in range(quote.months)]
    hires, leavers = hires_and_leavers(quote, [p.week.agents for p in plans])
    launch = None
    if quote.amortize_launch:
        # The launch wave is trained before go-live; spread its cost over the term.
        first = month_row(quote, plans[0], hires[0], 0.0)
        launch = {line: first[line] / quote.months for line in ("training", "ramp_up", "hiring")}
        hires_priced = [0.0] + hires[1:]
    else:
        hires_priced = hires
    rows = []
    for p, h, h_priced, lv in zip(plans, hires, hires_priced, leavers, strict=False):
        row = month_row(quote, p, h_priced, lv, launch)
        lab = quote.labour
        # Reported for the month's real hires (the launch wave trains before go-live).
        row["hires"] = h
        row["training_fte"] = h * (lab.training_weeks + lab.ramp_weeks * (1 - lab.ramp_productivity)) / WEEKS_PER_MONTH
        rows.append(row)
    monthly = pd.DataFrame(rows)
    channels = channel_table(quote, demands, plans, monthly)
    table = sensitivity_table(quote, planner, plans) if do_sensitivity else pd.DataFrame()
    totals = term_totals(quote, monthly)
    for p in plans:
        if p.week.under_agent_intervals:
            notes.append(f"{p.month}: the schedule leaves {p.week.under_agent_intervals} agent-interval"
                         f"{'' if p.week.under_agent_intervals == 1 else 's'} short of "
                         f"the requirement (status {p.week.status}); a longer time limit or looser shift rules may help")
        for name, share in p.week.outbound_done_share.items():
            if share < 0.999:
                notes.append(f"{p.month}: outbound '{name}' gets {share:.1%} of its week's work scheduled")
    notes = list(dict.fromkeys(notes + planner.notes))
    assumptions = _assumptions(scenario, demands, plans)
    weeks = {p.month: p.week.coverage for p in plans}
    demand = {p.month: _week_demand(p.requirement.table) for p in plans}
    result = QuoteResult(scenario, monthly, channels, table, assumptions, totals, weeks, notes, {}, demand)
    result.data = quote_json(result, solves=planner.solves)
    return result


def _week_demand(table: pd.DataFrame) -> pd.DataFrame:
    out = table[["queue", "ds", "y", "agents"]].copy()
    out.insert(1, "weekday", out["ds"].dt.weekday.map(lambda i: WEEKDAYS[i]))
    out.insert(2, "time", out["ds"].dt.strftime("%H:%M"))
    return out.drop(columns=["ds"]).reset_index(drop=True)


def _check_against_scenario(scenario: Scenario) -> None:
    quote: Quote = scenario.quote
    groups = {g.name: g for g in scenario.groups}
    for i, channel in enumerate(quote.outbound):
        for name in channel.groups or []:
            if name not in groups:
                raise InputError(f"quote.outbound[{i}].groups: '{name}' is not a group name, expected one of "
                                 f"{', '.join(repr(g) for g in groups)}.")
        if not any(groups[n].does_outbound for n in (channel.groups or groups)):
            raise InputError(f"quote.outbound[{i}]: no group has outbound or blended skills to place its calls.")
    inbound = [c for kind in ("voice", "chat", "deferred") for c in getattr(quote, kind)]
    if inbound and not any(g.does_inbound for g in scenario.groups):
        raise InputError("group: no group has inbound or blended skills to answer the quoted inbound channels.")
    if quote.labour.night_start == quote.labour.night_end:
        raise InputError(f"quote.labour.night_end: {quote.labour.night_end} equals night_start, expected a night span.")


def _assumptions(scenario: Scenario, demands: list[ChannelDemand], plans: list[MonthPlan]) -> pd.DataFrame:
    quote: Quote = scenario.quote
    cur = scenario.currency
    rows: list[tuple[str, str, str]] = []
    add = rows.append
    add(("Term", "Months", f"{quote.month_labels()[0]} to {quote.month_labels()[-1]} ({quote.months})"))
    add(("Term", "Target margin", f"{quote.margin:.1%} of the price"))
    add(("Term", "Currency", cur))
    lab = quote.labour
    recruit = quote.month_starts()[0] - dt.timedelta(weeks=lab.hiring_lead_weeks + lab.training_weeks)
    add(("Term", "Recruiting starts", f"by {recruit.isoformat()} ({lab.hiring_lead_weeks:g} weeks lead time + "
                                      f"{lab.training_weeks:g} weeks training before go-live)"))
    h = scenario.horizon
    hours = f"{h.open}-{h.close}" + "".join(f", {d} {t}" for d, t in h.hours.items())
    add(("Hours", "Opening hours", hours + (f"; closed {', '.join(h.closed_days)}" if h.closed_days else "")))
    if quote.holidays:
        add(("Hours", "Holidays", ", ".join(d.isoformat() for d in quote.holidays)))
    add(("Hours", "Time zone", h.timezone))
    for d in demands:
        s = d.settings
        if d.kind in ("voice", "chat"):
            target = f"{s.service_level:.0%} answered within {s.answer_within:g} s"
            extra = f", concurrency {s.concurrency}" if d.kind == "chat" else ""
            pat = f", patience {s.patience:g} s (Erlang A)" if s.patience else " (Erlang C)"
            add(("Channels", f"{d.name} ({d.kind})",
                 f"{d.volumes.sum():,.0f} contacts, AHT {d.aht:g} s, {target}{extra}{pat}, "
                 f"occupancy at most {s.max_occupancy:.0%}"))
        elif d.kind == "deferred":
            add(("Channels", f"{d.name} (deferred)",
                 f"{d.volumes.sum():,.0f} items, AHT {d.aht:g} s, answered within {s.answer_within_hours:g} h"))
        else:
            conv = f", conversion {s.conversion_rate:.0%}" if s.conversion_rate is not None else ""
            add(("Channels", f"{d.name} (outbound)",
                 f"{d.volumes.sum():,.0f} records, up to {s.max_attempts} attempts, contact rate "
                 f"{s.contact_rate:.0%}, {d.aht:g} s per contact{conv}, calling {s.window_start}-{s.window_end}"))
    if quote.volume_buffer:
        add(("Demand", "Volume buffer", f"inbound staffed for {quote.volume_buffer:.0%} above the expected volume "
                                        f"(day-to-day swings); prices per contact on the expected volume"))
    sources = sorted({"history file" if d.settings.__dict__.get("history") else "monthly volumes"
                      for d in demands if d.kind != "outbound"})
    if sources:
        add(("Demand", "Source", ", ".join(sources)))
        add(("Demand", "Intraday curve", {"bank": "bundled bank sample's shape", "flat": "flat over opening hours"}
             .get(quote.intraday, quote.intraday)))
    sh = quote.shrinkage
    breaks = float(np.mean([p.week.break_hours.sum() / max(p.week.paid_hours.sum(), EPS) for p in plans]))
    add(("Shrinkage", "Breaks (scheduled)", f"{breaks:.1%} of paid time, placed by the shift rules"))
    for part in ("absence", "training", "meetings", "coaching", "other"):
        if getattr(sh, part):
            add(("Shrinkage", part.capitalize(), f"{getattr(sh, part):.1%}"))
    add(("Shrinkage", "Total besides breaks", f"{sh.total:.1%}"))
    for g in scenario.groups:
        add(("Labour", f"Wage: {g.name} ({g.skills})", f"{g.cost_per_hour:,.0f} {cur} per paid hour"))
    lab = quote.labour
    add(("Labour", "Premiums", f"night {lab.night_start}-{lab.night_end} +{lab.night_premium:.0%}, "
                               f"weekend ({', '.join(lab.weekend_days)}) +{lab.weekend_premium:.0%}"))
    add(("Labour", "Full-time week", f"{lab.fte_hours_per_week:g} paid hours = 1 FTE"))
    shifts = "; ".join(f"{s.name}: {'/'.join(f'{x:g}' for x in s.length_hours)} h, {s.start_earliest}-"
                       f"{s.start_latest} starts" for s in scenario.shifts)
    add(("Labour", "Shifts", shifts))
    add(("Labour", "Support staff", f"1 supervisor per {lab.supervisor_ratio:g} agents "
                                    f"({lab.supervisor_cost_per_month:,.0f}/month), 1 QA per {lab.qa_ratio:g} "
                                    f"({lab.qa_cost_per_month:,.0f}), 1 trainer per {lab.trainer_ratio:g} "
                                    f"({lab.trainer_cost_per_month:,.0f})"))
    add(("Labour", "Attrition and hiring", f"{lab.monthly_attrition:.1%} a month; lead time {lab.hiring_lead_weeks:g} "
                                           f"weeks, {lab.hiring_cost_per_hire:,.0f} per hire"))
    add(("Labour", "New hires", f"{lab.training_weeks:g} weeks training, {lab.ramp_weeks:g} weeks ramp-up at "
                                f"{lab.ramp_productivity:.0%} productivity"))
    ov = quote.overhead
    add(("Overhead", "Seats", f"{ov.seat_cost_per_month:,.0f} per seat-month, {ov.spare_seats:.0%} spare seats"))
    add(("Overhead", "Technology", f"{ov.technology_per_agent_month:,.0f} per agent-month"))
    add(("Overhead", "Management fee", f"{ov.management_fee:.1%} of direct cost"))
    add(("Method", "FTE", "from a scheduled representative week per month (CP-SAT), not hours / 160"))
    return pd.DataFrame(rows, columns=["section", "item", "value"])


def _clean(value):
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return None if not math.isfinite(value) else round(value, 4)
    return value


def _records(frame: pd.DataFrame) -> list[dict]:
    return [{k: _clean(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


def quote_json(result: QuoteResult, *, solves: int | None = None) -> dict:
    """The ``quote.json`` content: prices, FTE by month, cost lines, sensitivity.

    Parameters
    ----------
    result : QuoteResult
        The quote.
    solves : int, optional
        Weeks scheduled, recorded in the file.

    Returns
    -------
    dict
        What ``quote.json`` holds.
    """
    scenario, quote, monthly = result.scenario, result.scenario.quote, result.monthly
    by_month = lambda column: {m: _clean(v) for m, v in zip(monthly["month"], monthly[column], strict=False)}  # noqa: E731
    totals = {k: _clean(v) for k, v in result.totals.items()}
    return {
        "client": quote.client,
        "scenario": scenario.name,
        "currency": scenario.currency,
        "months": list(monthly["month"]),
        "margin": quote.margin,
        "price_per_hour": totals["price_per_hour"],
        "price_per_contact": totals["price_per_contact"],
        "price_per_fte_month": totals["price_per_fte_month"],
        "total_price": totals["total_price"],
        "total_cost": totals["total_cost"],
        "fte": by_month("fte"),
        "agents": by_month("agents"),
        "seats": by_month("seats"),
        "hires": by_month("hires"),
        "workload_hours": by_month("workload_hours"),
        "cost": by_month("total_cost"),
        "price": by_month("price"),
        "cost_lines": {line: by_month(line) for line in COST_LINES},
        "totals": totals,
        "channels": _records(result.channels),
        "sensitivity": _records(result.sensitivity) if len(result.sensitivity) else [],
        "monthly": _records(monthly),
        "assumptions": _records(result.assumptions),
        "notes": list(result.notes),
        "representative_weeks_solved": solves,
    }


def write_quote(result: QuoteResult, out_dir: str | Path) -> list[Path]:
    """Write ``quote.xlsx``, ``quote.json``, ``monthly.csv``, ``channels.csv``, ``sensitivity.csv``.

    The folder appears whole or not at all (:func:`wfm.export.atomic_dir`): an older
    folder is replaced only once the new one is complete.

    Parameters
    ----------
    result : QuoteResult
        The quote.
    out_dir : str or Path
        The output folder.

    Returns
    -------
    list of Path
        The files written.
    """
    from wfm.quote.workbook import write_quote_workbook  # openpyxl: only when a workbook is written

    out_dir = Path(out_dir)
    with atomic_dir(out_dir) as tmp:
        write_quote_workbook(result, tmp / "quote.xlsx")
        write_json(result.data, tmp / "quote.json")
        write_table(result.monthly, tmp / "monthly.csv")
        write_table(result.channels, tmp / "channels.csv")
        if len(result.sensitivity):
            write_table(result.sensitivity, tmp / "sensitivity.csv")
        names = sorted(p.name for p in tmp.iterdir())
    return [out_dir / n for n in names]


def quote_files(scenario_path: str | Path, out_dir: str | Path, *, time_limit: float | None = None,
                sensitivity: bool | None = None, progress: Observer | None = None,
                work_limit: float | None = None, on_solution: Observer | None = None) -> QuoteResult:
    """Read the scenario, build the quote and write it (the CLI's work).

    Parameters
    ----------
    scenario_path : str or Path
        Scenario TOML with a ``[quote]`` section.
    out_dir : str or Path
        The output folder.
    time_limit : float, optional
        Wall-clock safety cap per representative week (default ``quote.time_limit_seconds``).
    sensitivity : bool, optional
        Build the sensitivity table (default ``quote.sensitivity``).
    progress : callable, optional
        Told a :class:`wfm.progress.ProgressEvent` per week the quote looks at.
    work_limit : float, optional
        CP-SAT deterministic seconds per week (default ``quote.work_limit``).
    on_solution : callable, optional
        Told each improving CP-SAT plan of every week solved.

    Returns
    -------
    QuoteResult
        The quote as written.
    """
    check_out_dir(out_dir)  # before minutes of solving, not after
    scenario = load_scenario(scenario_path)
    if scenario.quote is None:
        raise InputError(f"{scenario_path}: has no [quote] section, expected one (see wfm/resources/examples/quote_bank.toml).")
    result = build_quote(scenario, base_dir=Path(scenario_path).parent, time_limit=time_limit, work_limit=work_limit,
                         sensitivity=sensitivity, progress=progress, on_solution=on_solution)
    write_quote(result, out_dir)
    return result


def describe(result: QuoteResult) -> str:
    """A few lines for the terminal.

    Parameters
    ----------
    result : QuoteResult
        A built quote; money is shown in its scenario's currency (whole yen, else cents).

    Returns
    -------
    str
        Two lines, the term with mean FTE, peak seats, cost, price and margin, then
        the unit prices, and one ``note:`` line per note.
    """
    t, cur = result.totals, result.scenario.currency
    first, last = result.monthly["month"].iloc[0], result.monthly["month"].iloc[-1]

    def money(x):
        return "n/a" if x is None else f"{x:,.0f} {cur}" if cur == "JPY" else f"{x:,.2f} {cur}"

    lines = [
        f"quote {result.scenario.quote.client}, {first} to {last}: mean {t['mean_fte']:.1f} FTE, "
        f"peak {t['peak_seats']} seats, cost {money(t['total_cost'])}, price {money(t['total_price'])} "
        f"at {t['margin']:.0%} margin",
        f"  per productive hour {money(t['price_per_hour'])}, per handled contact {money(t['price_per_contact'])}, "
        f"per FTE-month {money(t['price_per_fte_month'])}",
    ]
    lines += [f"  note: {n}" for n in result.notes]
    return "\n".join(lines)


__all__ = [
    "QuoteResult",
    "build_quote",
    "write_quote",
    "quote_files",
    "quote_json",
    "describe",
]
