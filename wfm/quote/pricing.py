"""A quote's money: each month's cost lines and price, hires, term totals, and the
cost per channel (steps 5 and 6 of :mod:`wfm.quote.api`).

:data:`COST_LINES` names the cost lines in the order the ``Monthly`` table, the
``Cost lines`` sheet of ``quote.xlsx`` and ``quote.json`` show them.
"""

from __future__ import annotations

import math

import pandas as pd

from wfm.quote.demand import EPS, ChannelDemand
from wfm.quote.settings import Quote
from wfm.quote.week import MonthPlan

WEEKS_PER_MONTH = 52 / 12  # to turn a month's hires into FTE-months of training and ramp


COST_LINES = ["agent_labour", "training", "ramp_up", "hiring", "supervisors_cost", "quality_cost", "trainers_cost",
              "seats_cost", "technology", "management_fee"]


def month_row(quote: Quote, plan: MonthPlan, hires: float, leavers: float, launch: dict | None = None) -> dict:
    """One month's figures and cost lines (formulas in the docstring of :mod:`wfm.quote.api`).

    ``launch`` adds this month's share of the launch wave's training, ramp-up and
    recruiting (``quote.amortize_launch``).

    Parameters
    ----------
    quote : Quote
        The ``[quote]`` settings.
    plan : MonthPlan
        The month's scheduled figures.
    hires : float
        Hires this month.
    leavers : float
        Leavers this month.
    launch : dict, optional
        This month's share of the launch wave.

    Returns
    -------
    dict
        One row of ``monthly.csv``.
    """
    labour, overhead = quote.labour, quote.overhead
    agents = plan.week.agents
    supervisors = math.ceil(agents / labour.supervisor_ratio - EPS)
    quality = math.ceil(agents / labour.qa_ratio - EPS)
    trainers = math.ceil(agents / labour.trainer_ratio - EPS)
    training_hours = hires * labour.training_weeks * labour.fte_hours_per_week
    ramp_hours = hires * labour.ramp_weeks * labour.fte_hours_per_week * (1 - labour.ramp_productivity)
    lines = {
        "agent_labour": plan.agent_labour,
        "training": training_hours * plan.mean_wage,
        "ramp_up": ramp_hours * plan.mean_wage,
        "hiring": hires * labour.hiring_cost_per_hire,
        "supervisors_cost": supervisors * labour.supervisor_cost_per_month,
        "quality_cost": quality * labour.qa_cost_per_month,
        "trainers_cost": trainers * labour.trainer_cost_per_month,
        "seats_cost": plan.seats * overhead.seat_cost_per_month,
        "technology": agents * overhead.technology_per_agent_month,
    }
    for line, amount in (launch or {}).items():
        lines[line] += amount
    direct = sum(lines.values())
    lines["management_fee"] = direct * overhead.management_fee
    total = direct + lines["management_fee"]
    price = total / (1 - quote.margin)
    workload = sum(plan.requirement.workload_hours.values())
    handled = sum(plan.requirement.handled.values())
    week = plan.week
    week_paid = float(week.paid_hours.sum())
    return {
        "month": plan.month,
        "open_days": int(plan.counts.sum()),
        "workload_hours": workload,
        "handled_contacts": handled,
        "fte": plan.fte,
        "agents": agents,
        "seats": plan.seats,
        "hires": hires,
        "leavers": leavers,
        "training_fte": (training_hours + ramp_hours) / (labour.fte_hours_per_week * WEEKS_PER_MONTH),
        "supervisors": supervisors,
        "quality": quality,
        "trainers": trainers,
        "paid_hours": plan.paid_hours,
        "productive_hours": plan.productive_hours,
        "occupancy_of_productive": workload / plan.productive_hours if plan.productive_hours > 0 else None,
        "break_share": float(week.break_hours.sum() / week_paid) if week_paid > 0 else 0.0,
        "shrinkage": plan.shrinkage,
        **lines,
        "total_cost": total,
        "price": price,
        "margin_amount": price - total,
        "price_per_hour": price / plan.productive_hours if plan.productive_hours > 0 else None,
        "price_per_contact": price / handled if handled > 0 else None,
        "price_per_fte_month": price / plan.fte if plan.fte > 0 else None,
        "schedule_gap": week.gap,
        "schedule_status": week.status,
        "short_agent_intervals": week.under_agent_intervals,
    }


def hires_and_leavers(quote: Quote, agents: list[int]) -> tuple[list[float], list[float]]:
    """Expected hires and leavers per month: launch wave, then growth and attrition.

    Parameters
    ----------
    quote : Quote
        The ``[quote]`` settings (attrition).
    agents : list of int
        Agents per month.

    Returns
    -------
    hires, leavers : list of float
        Per month.
    """
    hires, leavers = [], []
    previous = None
    for n in agents:
        if previous is None:
            hires.append(float(n))
            leavers.append(0.0)
        else:
            leave = previous * quote.labour.monthly_attrition
            leavers.append(leave)
            hires.append(max(0.0, n - (previous - leave)))
        previous = n
    return hires, leavers


def channel_table(quote: Quote, demands: list[ChannelDemand], plans: list[MonthPlan],
                   monthly: pd.DataFrame) -> pd.DataFrame:
    """Term totals per channel, with cost allocated by workload hours month by month.

    Parameters
    ----------
    quote : Quote
        The ``[quote]`` settings.
    demands : list of ChannelDemand
        The channels.
    plans : list of MonthPlan
        The months.
    monthly : DataFrame
        The monthly table.

    Returns
    -------
    DataFrame
        One row per channel (``channels.csv``).
    """
    rows = []
    for demand in demands:
        cost = price = hours = handled = 0.0
        conversions = None
        for plan, (_, month) in zip(plans, monthly.iterrows(), strict=False):
            work = plan.requirement.workload_hours[demand.name]
            total_work = sum(plan.requirement.workload_hours.values())
            share = work / total_work if total_work > 0 else 0.0
            cost += share * month["total_cost"]
            price += share * month["price"]
            hours += work
            handled += plan.requirement.handled[demand.name]
            if demand.name in plan.requirement.conversions:
                conversions = (conversions or 0.0) + plan.requirement.conversions[demand.name]
        total_hours = float(monthly["workload_hours"].sum())
        rows.append({
            "channel": demand.name,
            "kind": demand.kind,
            "contacts_offered": float(demand.volumes.sum()),
            "handled_contacts": handled,
            "workload_hours": hours,
            "workload_share": hours / total_hours if total_hours > 0 else 0.0,
            "cost": cost,
            "price": price,
            "cost_per_contact": cost / handled if handled > 0 else None,
            "price_per_contact": price / handled if handled > 0 else None,
            "conversions": conversions,
            "cost_per_acquisition": cost / conversions if conversions else None,
        })
    return pd.DataFrame(rows)


def term_totals(quote: Quote, monthly: pd.DataFrame) -> dict:
    """Totals over the quoted term: cost, price, margin, hours, contacts and unit prices.

    Parameters
    ----------
    quote : Quote
        The ``[quote]`` settings (margin).
    monthly : DataFrame
        The monthly table.

    Returns
    -------
    dict
        ``total_cost``, ``total_price``, ``margin``, ``margin_amount``, ``productive_hours``,
        ``handled_contacts``, ``fte_months``, ``mean_fte`` and the price and the cost per hour,
        contact and FTE-month.
    """
    price = float(monthly["price"].sum())
    cost = float(monthly["total_cost"].sum())
    hours = float(monthly["productive_hours"].sum())
    contacts = float(monthly["handled_contacts"].sum())
    fte_months = float(monthly["fte"].sum())
    return {
        "total_cost": cost,
        "total_price": price,
        "margin": quote.margin,
        "margin_amount": price - cost,
        "productive_hours": hours,
        "handled_contacts": contacts,
        "fte_months": fte_months,
        "mean_fte": fte_months / len(monthly),
        "peak_seats": int(monthly["seats"].max()),
        "price_per_hour": price / hours if hours > 0 else None,
        "price_per_contact": price / contacts if contacts > 0 else None,
        "price_per_fte_month": price / fte_months if fte_months > 0 else None,
        "cost_per_hour": cost / hours if hours > 0 else None,
        "cost_per_contact": cost / contacts if contacts > 0 else None,
        "cost_per_fte_month": cost / fte_months if fte_months > 0 else None,
    }
