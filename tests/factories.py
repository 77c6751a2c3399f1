"""The one way the tests build scenarios: a TOML-shaped dict, changed by dotted paths, written as TOML.

- :func:`small_scenario` a small complete plan (30-minute weekdays 09:00-17:00 in Tokyo,
  one blended group, one shift rule, one queue forecast from ``history.csv``);
  :func:`bank_scenario` the bundled example ``wfm/resources/examples/bank_plan.toml``.
- ``changes`` set settings by dotted path (``{"queue.0.sizing": "erlang-c"}``; list
  positions count from 0; :data:`DROP` removes a setting), so a test states what differs
  from the base instead of rewriting TOML text.
- :func:`write_scenario` writes one next to its history; :func:`write_toml` any dict
  (:func:`toml_text` as text);
  :func:`build` validates one into a :class:`wfm.scenario.Scenario`.

Tests that check how a malformed *file* is read (TOML text the models would never
produce) write that text themselves on purpose.
"""

from __future__ import annotations

import copy
import datetime as dt
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import tomli_w

from wfm import resources
from wfm.scenario import Scenario, validate_scenario

DROP = object()  # a value in `changes` that removes the setting

SMALL = {
    "name": "small",
    "currency": "JPY",
    "horizon": {"start": dt.date(2024, 3, 25), "days": 7, "interval_minutes": 30, "timezone": "Asia/Tokyo",
                "open": "09:00", "close": "17:00", "closed_days": ["sat", "sun"]},
    "group": [{"name": "agents", "skills": "blended", "cost_per_hour": 1500}],
    "shift": [{"name": "day", "group": "agents", "length_hours": [4, 8], "start_earliest": "09:00",
               "start_latest": "13:00", "days_per_week": [3, 5], "min_rest_hours": 11,
               "break": [{"kind": "break", "length_minutes": 30, "start_after_hours": [1.5, 2.5]}]}],
    "costs": {"inbound_short_penalty": 20000},
    "solver": {"time_limit_seconds": 5, "seed": 0, "workers": 2},
    "queue": [{"name": "support", "history": "history.csv", "aht": 300, "service_level": 0.8, "answer_within": 20,
               "patience": 90, "max_occupancy": 0.9, "shrinkage": 0.1,
               "forecasting": {"folds": 2, "models": ["hist_avg_4w"]}}],
    "verify": {"replications": 4, "seed": 1},
}


def changed(data: dict, changes: dict | None = None) -> dict:
    """A copy of ``data`` with each dotted path of ``changes`` set (or removed with :data:`DROP`)."""
    out = copy.deepcopy(data)
    for path, value in (changes or {}).items():
        *parents, last = path.split(".")
        node = out
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
        if isinstance(node, list):
            node[int(last)] = value
        elif value is DROP:
            node.pop(last, None)
        else:
            node[last] = copy.deepcopy(value)
    return out


def small_scenario(name: str = "small", *, changes: dict | None = None) -> dict:
    """The small complete scenario as a dict; its queue reads ``history.csv`` (see :func:`write_history`)."""
    return changed({**SMALL, "name": name}, changes)


def bank_scenario(*, changes: dict | None = None) -> dict:
    """The bundled ``bank_plan.toml`` as a dict, its history path made absolute (the app's default scenario)."""
    path = resources.example("bank_plan.toml")
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    for queue in data.get("queue", []):
        if queue.get("history"):
            queue["history"] = str((path.parent / queue["history"]).resolve())
    return changed(data, changes)


def build(data: dict) -> Scenario:
    """The validated scenario (raises :class:`wfm.errors.InputError` as loading a file would)."""
    return validate_scenario(data)


def write_history(path: Path, weeks: int = 3, level: float = 40.0, seed: int = 0) -> Path:
    """Weekday 30-minute history 09:00-17:00 with a midday peak, ending on a Friday (Mon 4 Mar 2024 on)."""
    rng = np.random.default_rng(seed)
    days = pd.bdate_range("2024-03-04", periods=5 * weeks)
    rows = []
    for day in days:
        for k in range(16):  # 09:00 .. 16:30
            shape = 1.0 + 0.6 * np.exp(-((k - 7) ** 2) / 8)
            rows.append((day + pd.Timedelta(minutes=540 + 30 * k), rng.poisson(level * shape)))
    frame = pd.DataFrame(rows, columns=["ds", "y"])
    frame.to_csv(path, index=False)
    return path


JAPANESE_HEADERS = ("日時", "呼量", "平均処理時間")


def japanese_centre_csv(weeks: int = 4, last_day: str = "2026-02-07", seed: int = 0) -> bytes:
    """A Japanese centre's history as its Excel saves it: CP932, headers 日時, 呼量, 平均処理時間.

    30-minute intervals Mon-Sat 09:00-18:00 (Sundays closed), ``YYYY/MM/DD HH:MM`` times,
    ending on Saturday ``last_day``: by default the plan's week is Mon 9 Feb 2026, with
    the public holiday 建国記念の日 on Wed 11 Feb.
    """
    rng = np.random.default_rng(seed)
    end = pd.Timestamp(last_day)
    rows = []
    for day in pd.date_range(end - pd.Timedelta(days=7 * weeks - 1), end, freq="D"):
        if day.weekday() == 6:
            continue
        for k in range(18):  # 09:00 .. 17:30
            shape = 1.0 + 0.5 * np.exp(-((k - 6) ** 2) / 10)
            rows.append(((day + pd.Timedelta(minutes=540 + 30 * k)).strftime("%Y/%m/%d %H:%M"),
                         int(rng.poisson(12 * shape)), 280 + 5 * (k % 4)))
    return pd.DataFrame(rows, columns=list(JAPANESE_HEADERS)).to_csv(index=False).encode("cp932")


def write_scenario(folder: Path, name: str = "small", *, group: str = "agents", service_level: float = 0.8,
                   headcount: int | None = None, history: str = "history.csv", start: str = "2024-03-25",
                   changes: dict | None = None, data: dict | None = None) -> Path:
    """``folder/name.toml``: the small scenario (or ``data``) with these settings, next to its
    history (``history.csv`` is written when missing). ``group`` renames the group only, so a
    shift then names a group that does not exist."""
    folder.mkdir(parents=True, exist_ok=True)
    if history == "history.csv" and not (folder / history).exists():
        write_history(folder / history)
    base = small_scenario(name) if data is None else data
    settings = {"group.0.name": group, "queue.0.service_level": service_level, "queue.0.history": history,
                "horizon.start": dt.date.fromisoformat(start)}
    if headcount is not None:
        settings["group.0.headcount"] = headcount
    if data is not None:
        settings = {}
    return write_toml(changed(base, {**settings, **(changes or {})}), folder / f"{name}.toml")


def write_toml(data: dict, path: Path) -> Path:
    """``data`` as a TOML file; every array of tables as ``[[name]]`` sections (never inline),
    as a planner writes them, so a test may append more sections to the text."""
    path.write_text(toml_text(data), encoding="utf-8")
    return path


def toml_text(data: dict) -> str:
    """``data`` as TOML text (what :func:`write_toml` writes), e.g. for an upload."""
    return _toml(data)


def _toml(table: dict, prefix: str = "", array: bool = False) -> str:
    plain = {k: v for k, v in table.items() if not _is_table(v) and not _is_tables(v)}
    lines = []
    if prefix:
        lines.append(f"[[{prefix}]]" if array else f"[{prefix}]")
    lines += [tomli_w.dumps({k: v}).strip() for k, v in plain.items()]
    text = "\n".join(lines) + "\n" if lines else ""
    for key, value in table.items():
        name = f"{prefix}.{key}" if prefix else key
        if _is_table(value):
            text += "\n" + _toml(value, name)
        elif _is_tables(value):
            text += "".join("\n" + _toml(item, name, array=True) for item in value)
    return text


def _is_table(value) -> bool:
    return isinstance(value, dict)


def _is_tables(value) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


# -- the scheduler's and the quote's small bases (the same `changes` style) ---------------

MONDAY = dt.date(2026, 1, 5)

HOURLY = {
    "name": "tiny",
    "horizon": {"start": MONDAY, "days": 7, "interval_minutes": 60, "open": "08:00", "close": "12:00",
                "closed_days": ["tue", "wed", "thu", "fri", "sat", "sun"]},
    "group": [{"name": "g", "skills": "blended", "cost_per_hour": 10}],
    "shift": [{"name": "s", "group": "g", "length_hours": 2, "start_earliest": "08:00", "start_latest": "10:00",
               "days_per_week": 1}],
    "costs": {"inbound_short_penalty": 1000, "outbound_undone_penalty": 1},
    "solver": {"time_limit_seconds": 10},
}

WEEK = {
    "name": "week",
    "horizon": {"start": MONDAY, "days": 7, "interval_minutes": 30, "open": "08:00", "close": "20:00",
                "hours": {"sun": "closed", "sat": "09:00-17:00"}},
    "group": [
        {"name": "blended", "skills": "blended", "cost_per_hour": 20, "unsocial_premium": 0.5},
        {"name": "phones", "skills": "inbound", "cost_per_hour": 18},
    ],
    "shift": [
        {"name": "full-time", "group": "blended", "length_hours": 8, "start_earliest": "08:00",
         "start_latest": "12:00", "days_per_week": 5, "consecutive_days_off": True, "min_rest_hours": 14,
         "break": [{"kind": "break", "length_minutes": 30, "start_after_hours": [1.5, 2.5]},
                   {"kind": "lunch", "length_minutes": 60, "start_after_hours": [3.5, 5]}]},
        {"name": "part-time", "group": "phones", "length_hours": [4, 5], "start_earliest": "08:00",
         "start_latest": "15:00", "days_per_week": [2, 3], "same_start": True,
         "break": [{"kind": "break", "length_minutes": 30, "start_after_hours": [1.5, 2.5]}]},
    ],
    "campaign": [{"name": "renewals", "records": 300, "max_attempts": 3, "contact_rate": 0.4,
                  "aht_contact": 300, "attempt_seconds": 40, "window_days": ["mon", "tue", "wed", "thu", "fri"],
                  "window_start": "10:00", "window_end": "18:00", "deadline": MONDAY + dt.timedelta(days=4)}],
    "costs": {"unsocial_start": "19:00", "unsocial_end": "08:00"},
    "solver": {"time_limit_seconds": 8},
}

# June 2026 starts on a Monday and has 22 weekdays.
JUNE_WEEKDAYS = 22

QUOTE = {
    "name": "tiny",
    "currency": "JPY",
    "horizon": {"start": dt.date(2026, 6, 1), "days": 7, "interval_minutes": 60, "open": "09:00",
                "close": "17:00", "closed_days": ["sat", "sun"]},
    "group": [{"name": "agents", "skills": "blended", "cost_per_hour": 1000}],
    "shift": [{"name": "day", "group": "agents", "length_hours": 8, "start_earliest": "09:00",
               "start_latest": "09:00", "days_per_week": 5}],
    "solver": {"time_limit_seconds": 5},
    "quote": {
        "client": "test", "start_month": "2026-06", "months": 1, "margin": 0.2, "intraday": "flat",
        "day_of_week": {"mon": 1, "tue": 1, "wed": 1, "thu": 1, "fri": 1},
        "voice": [{"name": "voice", "monthly_volumes": [JUNE_WEEKDAYS * 8 * 10], "aht": 360, "service_level": 0.8,
                   "answer_within": 20, "max_occupancy": 1.0}],
        "shrinkage": {"absence": 0.25, "training": 0.0, "meetings": 0.0, "coaching": 0.0},
        "labour": {"supervisor_ratio": 15, "supervisor_cost_per_month": 300000, "qa_ratio": 40,
                   "qa_cost_per_month": 200000, "trainer_ratio": 60, "trainer_cost_per_month": 100000,
                   "monthly_attrition": 0.05, "hiring_cost_per_hire": 50000, "training_weeks": 2,
                   "ramp_weeks": 2, "ramp_productivity": 0.5},
        "overhead": {"seat_cost_per_month": 20000, "technology_per_agent_month": 10000,
                     "management_fee": 0.1, "spare_seats": 0.1},
        "sensitivity": False,
        "time_limit_seconds": 5,
    },
}

QUOTE_MIX = {
    "horizon.interval_minutes": 30, "horizon.open": "08:00", "horizon.close": "20:00",
    "shift": [
        {"name": "full", "group": "agents", "length_hours": 8.5, "start_earliest": "08:00", "start_latest": "11:30",
         "days_per_week": 5, "break": [{"kind": "lunch", "length_minutes": 30, "start_after_hours": [3.5, 5]}]},
        {"name": "part", "group": "agents", "length_hours": 4, "start_earliest": "08:00", "start_latest": "16:00",
         "days_per_week": [3, 5]},
    ],
    "quote.months": 2, "quote.intraday": "bank",
    "quote.voice": [{"name": "voice", "monthly_volumes": [9000, 11000], "aht": 300, "patience": 120}],
    "quote.chat": [{"name": "chat", "monthly_volumes": [2000, 2000], "aht": 600, "concurrency": 2}],
    "quote.deferred": [{"name": "email", "monthly_volumes": [1500, 1500], "aht": 400, "answer_within_hours": 8}],
    "quote.shrinkage": {"absence": 0.05, "training": 0.03, "meetings": 0.02, "coaching": 0.03},
}


def hourly_scenario(*, changes: dict | None = None) -> dict:
    """One open day (Monday 08:00-12:00), hourly intervals, one group at 10 per hour, one 2-hour shift ``s``."""
    return changed(HOURLY, changes)


def week_scenario(*, changes: dict | None = None) -> dict:
    """A week at 30 minutes (Saturday 09:00-17:00, Sunday closed): full-time blended and part-time phones, a campaign."""
    return changed(WEEK, changes)


def quote_scenario(*, volume: float | None = None, changes: dict | None = None) -> dict:
    """One month, weekdays 09:00-17:00 in hours, one fixed 8-hour shift: hand-computable.
    ``volume`` is the voice line's month (default 10 calls an hour)."""
    base = changed(QUOTE, {"quote.voice.0.monthly_volumes": [volume]} if volume is not None else None)
    return changed(base, changes)


def quote_mix(*, changes: dict | None = None) -> dict:
    """Two months, bank-shaped voice, chat and e-mail at 30 minutes, full- and part-time shifts."""
    return changed(quote_scenario(changes=QUOTE_MIX), changes)
