"""A generated contact centre for the roster benchmark and the tests (fixed seed).

``centre(agents, weeks)``: named agents (half part-time, with availability windows and
wishes), two queues (``sales``, ``support``) and an outbound campaign (``renewals``)
with a 15-minute interval requirement, and shift codes of a real シフト表 (full-time
9 h spans with a 1 h unpaid break, 5 h part-time blocks).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from wfm.scenario import validate_scenario

FAMILY = ("佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田", "山田")
GIVEN = ("花子", "太郎", "美咲", "健", "愛", "翔", "真", "陽菜", "蓮", "結衣", "大翔", "さくら")
START = dt.date(2026, 11, 2)  # a Monday

SHIFTS = [
    # code, start, end, unpaid break minutes, label
    ("E", "08:00", "17:00", 60, "早番"),
    ("M", "10:00", "19:00", 60, "中番"),
    ("L", "13:00", "22:00", 60, "遅番"),
    ("P1", "08:00", "13:00", 0, "パートA"),
    ("P2", "12:00", "17:00", 0, "パートB"),
    ("P3", "17:00", "22:00", 0, "パートC"),
]


def scenario(weeks: int, *, work_limit: float = 60.0):
    """The generated centre's scenario: ``weeks`` weeks from ``START``, Asia/Tokyo, the shift codes of ``SHIFTS``.

    Parameters
    ----------
    weeks : int
        The horizon's length in weeks.
    work_limit : float
        ``roster.work_limit``, CP-SAT deterministic seconds.

    Returns
    -------
    Scenario
        The validated scenario.
    """
    data = {
        "name": "synthetic centre",
        "horizon": {"start": START, "days": 7 * weeks, "interval_minutes": 15, "timezone": "Asia/Tokyo",
                    "open": "08:00", "close": "22:00"},
        "group": [{"name": "inbound", "cost_per_hour": 1800.0}, {"name": "blended", "cost_per_hour": 1700.0}],
        "shift": [{"name": "day", "group": "inbound", "length_hours": 8, "start_earliest": "08:00",
                   "start_latest": "13:00"}],
        "campaign": [{"name": "renewals", "records": 1000, "contact_rate": 0.5, "aht_contact": 300,
                      "deadline": START + dt.timedelta(days=7 * weeks - 1)}],
        "roster": {
            "work_limit": work_limit,
            "shift": [{"code": c, "start": s, "end": e, "break_minutes": b, "label": lab,
                       **({"break_after_minutes": 240} if b else {})} for c, s, e, b, lab in SHIFTS],
        },
    }
    return validate_scenario(data, "synthetic")


def roster_rows(agents: int, weeks: int, seed: int = 0) -> pd.DataFrame:
    """A roster file of ``agents`` named agents: every second one part-time with windows and wishes.

    Parameters
    ----------
    agents : int
        How many agents.
    weeks : int
        The horizon's length in weeks (for dates of wishes and leave).
    seed : int
        The random seed.

    Returns
    -------
    pandas.DataFrame
        One row per agent, the roster file's columns (empty cells as ``""``).
    """
    rng = np.random.default_rng(seed)
    rows = []
    dates = [START + dt.timedelta(days=i) for i in range(7 * weeks)]
    for i in range(agents):
        part_time = i % 2 == 1
        blended = i % 3 == 0
        row = {
            "id": f"A{i + 1:03d}",
            "name": f"{FAMILY[i % len(FAMILY)]} {GIVEN[(i // len(FAMILY)) % len(GIVEN)]}",
            "group": "blended" if blended else "inbound",
            "skills": ("support renewals" if i % 2 else "sales support renewals") if blended
            else ("sales support" if i % 4 < 2 else "support"),
            "max_consecutive_days": 5,
            "min_rest_hours": 11,
        }
        if part_time:
            row.update({"shifts": "P1 P2 P3", "min_hours_week": 10, "max_hours_week": 25, "max_weekends": weeks})
            windows = ["08:00-13:00", "12:00-17:00", "17:00-22:00", "08:00-17:00", "12:00-22:00"]
            for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"):
                r = rng.random()
                row[day] = "off" if r < 0.25 else ("" if r > 0.8 else windows[int(rng.integers(len(windows)))])
            wishes = []
            for _ in range(int(rng.integers(2, 6))):
                day = dates[int(rng.integers(len(dates)))]
                wishes.append(f"{'+' if rng.random() < 0.5 else '-'}{day.isoformat()}*{int(rng.integers(1, 4))}")
            if rng.random() < 0.3:
                wishes.append("-sat*2")
            row["wishes"] = "; ".join(wishes)
            row["unavailable"] = dates[int(rng.integers(len(dates)))].isoformat() if rng.random() < 0.4 else ""
        else:
            row.update({"shifts": "E M L", "min_hours_week": 32, "max_hours_week": 40, "max_weekends": max(1, weeks // 2 + 1),
                        "min_consecutive_days_off": 2})
            if rng.random() < 0.3:
                row["time_off"] = dates[int(rng.integers(len(dates)))].isoformat()
            if rng.random() < 0.3:
                row["wishes"] = "-L*1" if rng.random() < 0.5 else "+E*1"
        rows.append(row)
    frame = pd.DataFrame(rows)
    return frame.fillna("")


def requirements(weeks: int, agents: int, seed: int = 0) -> pd.DataFrame:
    """Agents required per 15 minutes: sales peaks at noon, support is flat, renewals are
    called 10:00-20:00 on weekdays; scaled to about 80 % of what ``agents`` can staff.

    Parameters
    ----------
    weeks : int
        The horizon's length in weeks.
    agents : int
        The roster's size the demand is scaled to.
    seed : int
        The random seed.

    Returns
    -------
    pandas.DataFrame
        ``queue, ds, agents``, ``ds`` in Asia/Tokyo.
    """
    rng = np.random.default_rng(seed + 1)
    rows = []
    scale = agents / 150
    for day in range(7 * weeks):
        date = START + dt.timedelta(days=day)
        weekend = date.weekday() >= 5
        for k in range(56):  # 08:00-22:00
            hour = 8 + k / 4
            ds = pd.Timestamp(dt.datetime.combine(date, dt.time()) + dt.timedelta(minutes=8 * 60 + 15 * k))
            sales = 20 * np.exp(-((hour - 13) ** 2) / 18) * (0.6 if weekend else 1.0)
            support = 13 * (0.7 if weekend else 1.0) * (0.6 if hour >= 19 else 1.0)
            renewals = 6.0 if (not weekend and 10 <= hour < 20) else 0.0
            for queue, need in (("sales", sales), ("support", support), ("renewals", renewals)):
                n = int(round(need * scale * (0.9 + 0.2 * rng.random())))
                rows.append((queue, ds.tz_localize("Asia/Tokyo"), max(0, n)))
    return pd.DataFrame(rows, columns=["queue", "ds", "agents"])
