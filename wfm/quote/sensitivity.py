"""The quote's sensitivity table: one month re-solved under each change of demand.

The month is ``quote.sensitivity_month`` (default the busiest); every case
(:data:`SENSITIVITY_CASES`: volume, handle time, service level, shrinkage) schedules
its own representative week and is priced in steady state (hires = attrition x
agents), so the rows compare like with like.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wfm.quote.demand import Knobs
from wfm.quote.pricing import month_row
from wfm.quote.settings import Quote
from wfm.quote.week import MonthPlan, Planner

SENSITIVITY_CASES: list[tuple[str, str, Knobs]] = [
    ("base", "as quoted", Knobs()),
    ("volume -20%", "volume x 0.8", Knobs(volume=0.8)),
    ("volume -10%", "volume x 0.9", Knobs(volume=0.9)),
    ("volume +10%", "volume x 1.1", Knobs(volume=1.1)),
    ("volume +20%", "volume x 1.2", Knobs(volume=1.2)),
    ("AHT -10%", "handle time x 0.9", Knobs(aht=0.9)),
    ("AHT +10%", "handle time x 1.1", Knobs(aht=1.1)),
    ("service 70%", "voice and chat service level 70%", Knobs(service_level=0.7)),
    ("service 80%", "voice and chat service level 80%", Knobs(service_level=0.8)),
    ("service 90%", "voice and chat service level 90%", Knobs(service_level=0.9)),
    ("shrinkage -5 pts", "shrinkage - 0.05", Knobs(shrinkage_points=-0.05)),
    ("shrinkage +5 pts", "shrinkage + 0.05", Knobs(shrinkage_points=0.05)),
]


def sensitivity_table(quote: Quote, planner: Planner, plans: list[MonthPlan]) -> pd.DataFrame:
    """Each change re-solves the sensitivity month's week; hires in steady state (attrition only).

    Parameters
    ----------
    quote : Quote
        The ``[quote]`` settings.
    planner : Planner
        Solves the changed weeks.
    plans : list of MonthPlan
        The base months.

    Returns
    -------
    DataFrame
        One row per change (``sensitivity.csv``).
    """
    if quote.sensitivity_month is not None:
        index = quote.month_labels().index(quote.sensitivity_month)
    else:
        index = int(np.argmax([sum(p.requirement.workload_hours.values()) for p in plans]))
    rows = []
    for case, change, knobs in SENSITIVITY_CASES:
        plan = planner.month(index, knobs)
        hires = plan.week.agents * quote.labour.monthly_attrition
        row = month_row(quote, plan, hires, hires)
        rows.append({"month": plan.month, "case": case, "change": change, **{
            k: row[k] for k in ("fte", "agents", "seats", "total_cost", "price", "price_per_hour",
                                "price_per_contact", "price_per_fte_month")}})
    table = pd.DataFrame(rows)
    base = table.iloc[0]
    table["fte_change"] = table["fte"] / base["fte"] - 1 if base["fte"] > 0 else np.nan
    table["price_change"] = table["price"] / base["price"] - 1 if base["price"] > 0 else np.nan
    return table
