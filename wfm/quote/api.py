"""Staffing quotes for outsourcers: from a client's demand to FTEs, seats, cost and price.

``build_quote(scenario)`` prices the scenario's ``[quote]`` section (settings in
:mod:`wfm.quote.settings`); ``write_quote(result, out_dir)`` writes ``quote.xlsx``,
``quote.json`` and the tables as CSV, atomically. The same result feeds the app.

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
import hashlib
import json
import math
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from wfm import erlang
from wfm.errors import InputError
from wfm.localtime import day_grid
from wfm.outbound import campaign_workload
from wfm.quote.settings import Quote
from wfm.scenario import WEEKDAYS, Campaign, Scenario, clock_minutes

PROFILE_NAME = "quote_profile_bank.json"
MINUTES_PER_DAY = 24 * 60
WEEKS_PER_MONTH = 52 / 12  # to turn a month's hires into FTE-months of training and ramp
_EPS = 1e-9


# --- demand shapes ------------------------------------------------------------


def profile_path() -> Path:
    """Path of the shipped demand profile (day-of-week split and intraday curve)."""
    from wfm import resources

    return resources.profile_path(PROFILE_NAME)


def derive_demand_profile(frame: pd.DataFrame, interval_minutes: int) -> dict:
    """Day-of-week weights and intraday shares of an interval table.

    Weekday weight = mean daily volume of that weekday over the days present
    (absent days are closed, not zero), divided by the mean over the weekdays
    present; intraday share of a time of day = its volume over all days / the total.

    Returns
    -------
    dict
        ``resolution_minutes``, ``day_of_week`` (``mon`` .. ``sun``), ``intraday``
        (``HH:MM`` -> share, summing to 1).
    """
    ds = frame["ds"]
    if isinstance(ds.dtype, pd.DatetimeTZDtype):
        ds = ds.dt.tz_localize(None)
    y = frame["y"].to_numpy(dtype=float)
    daily = pd.Series(y).groupby(ds.dt.normalize().to_numpy()).sum()
    by_weekday = daily.groupby(pd.DatetimeIndex(daily.index).weekday).mean()
    mean = float(by_weekday.mean()) if len(by_weekday) else 0.0
    if mean <= 0:
        raise InputError("demand profile: the table has no volume to take a shape from.")
    dow = {WEEKDAYS[i]: round(float(by_weekday.get(i, 0.0)) / mean, 6) for i in range(7)}
    minute = (ds.dt.hour * 60 + ds.dt.minute).to_numpy()
    by_time = pd.Series(y).groupby(minute).sum()
    shares = by_time / by_time.sum()
    intraday = {f"{m // 60:02d}:{m % 60:02d}": round(float(s), 8) for m, s in shares.items()}
    return {"resolution_minutes": int(interval_minutes), "day_of_week": dow, "intraday": intraday}


def load_demand_profile(path: str | Path | None = None) -> dict:
    """The shipped profile (default) or another JSON file of the same layout."""
    path = profile_path() if path is None else Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: demand profile not found.") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: is not valid JSON ({exc.msg} at line {exc.lineno}).") from None


def _minute_curve(shares: dict[str, float], resolution: int, place: str) -> np.ndarray:
    """Per-minute shares of a day from ``HH:MM -> share`` at ``resolution`` minutes."""
    curve = np.zeros(MINUTES_PER_DAY)
    for text, share in shares.items():
        try:
            start = clock_minutes(text, allow_24=False)
        except ValueError as exc:
            raise InputError(f"{place}: {exc}.") from None
        if not np.isfinite(share) or share < 0:
            raise InputError(f"{place}: the share at {text} is {share}, expected a number >= 0.")
        curve[start : start + resolution] += share / resolution
    total = curve.sum()
    if total <= 0:
        raise InputError(f"{place}: every share is zero, expected an intraday curve with some volume.")
    return curve / total


def _read_intraday_csv(path: Path, place: str) -> np.ndarray:
    try:
        table = pd.read_csv(path)
    except FileNotFoundError:
        raise InputError(f"{place}: file {path} not found.") from None
    except Exception as exc:  # pandas raises many parser errors; each is the user's file
        raise InputError(f"{place}: {path} is not a readable CSV ({exc}).") from None
    if not {"time", "share"} <= set(table.columns):
        raise InputError(f"{place}: {path} has columns {list(table.columns)}, expected 'time' and 'share'.")
    minutes = sorted(clock_minutes(str(t), allow_24=False) for t in table["time"])
    steps = np.diff(minutes)
    resolution = int(steps[steps > 0].min()) if (steps > 0).any() else 60
    shares = pd.to_numeric(table["share"], errors="coerce")
    if shares.isna().any():
        i = int(np.flatnonzero(shares.isna().to_numpy())[0])
        raise InputError(f"{place}: {path} row {i + 1} has share '{table['share'].iloc[i]}', expected a number.")
    return _minute_curve(dict(zip(table["time"].astype(str), shares.astype(float), strict=False)), resolution, f"{place} ({path})")


@dataclass
class ChannelDemand:
    """One channel's demand: volumes per month and the shapes to spread them."""

    kind: str  # voice | chat | deferred | outbound
    name: str
    settings: Any
    volumes: np.ndarray  # per month: contacts (items, records for outbound)
    aht: float  # seconds (aht_contact for outbound)
    day_of_week: np.ndarray  # 7 weights, Monday first
    intraday: np.ndarray  # 1440 per-minute shares summing to 1
    place: str  # TOML path, for messages


def _channel_demands(scenario: Scenario, base_dir: Path) -> tuple[list[ChannelDemand], list[str]]:
    quote: Quote = scenario.quote
    notes: list[str] = []
    profile = load_demand_profile()
    default_dow = np.array([profile["day_of_week"].get(d, 0.0) for d in WEEKDAYS], dtype=float)
    if quote.day_of_week is not None:
        default_dow = np.array([quote.day_of_week.get(d, 0.0) for d in WEEKDAYS], dtype=float)
    horizon = scenario.horizon
    open_days = [d for d in WEEKDAYS if d not in horizon.closed_days and str(horizon.hours.get(d, "")).lower() != "closed"]
    silent = [d for d in open_days if default_dow[WEEKDAYS.index(d)] == 0]
    if silent and any(not c.history for kind in ("voice", "chat", "deferred") for c in getattr(quote, kind)):
        notes.append(f"{', '.join(silent)} open but without demand in the day-of-week split"
                     f"{' (the bundled sample has no weekend calls)' if quote.day_of_week is None else ''}; "
                     f"set quote.day_of_week to give them volume")
    if quote.intraday == "bank":
        default_curve = _minute_curve(profile["intraday"], int(profile["resolution_minutes"]), str(profile_path()))
    elif quote.intraday == "flat":
        default_curve = np.full(MINUTES_PER_DAY, 1.0 / MINUTES_PER_DAY)
    else:
        path = Path(quote.intraday)
        default_curve = _read_intraday_csv(path if path.is_absolute() else base_dir / path, "quote.intraday")
    labels = quote.month_labels()
    out = []
    for kind in ("voice", "chat", "deferred"):
        for i, channel in enumerate(getattr(quote, kind)):
            place = f"quote.{kind}[{i}]"
            if channel.history is None:
                volumes = np.asarray(channel.monthly_volumes, dtype=float)
                out.append(ChannelDemand(kind, channel.name, channel, volumes, float(channel.aht), default_dow,
                                         default_curve, place))
                continue
            volumes, aht, dow, curve = _history_demand(channel, place, base_dir, scenario, labels)
            out.append(ChannelDemand(kind, channel.name, channel, volumes, aht, dow, curve, place))
    for i, channel in enumerate(quote.outbound):
        out.append(ChannelDemand("outbound", channel.name, channel, np.asarray(channel.monthly_records, dtype=float),
                                 float(channel.aht_contact), default_dow, default_curve, f"quote.outbound[{i}]"))
    return out, notes


def _history_demand(channel, place: str, base_dir: Path, scenario: Scenario, labels: list[str]):
    """Monthly totals, AHT and shapes of a channel from its history or forecast file."""
    from wfm.data import read_intervals

    path = Path(channel.history)
    path = path if path.is_absolute() else base_dir / path
    if not path.exists():
        raise InputError(f"{place}.history: file {path} not found.")
    frame, minutes = read_intervals(path, timezone=scenario.horizon.timezone)
    ds = frame["ds"].dt.tz_localize(None) if isinstance(frame["ds"].dtype, pd.DatetimeTZDtype) else frame["ds"]
    month = ds.dt.strftime("%Y-%m")
    totals = frame["y"].groupby(month.to_numpy()).sum()
    missing = [m for m in labels if m not in totals.index]
    if missing:
        raise InputError(
            f"{place}.history: {path.name} has no rows in {missing[0]}"
            f"{f' (and {len(missing) - 1} more months)' if len(missing) > 1 else ''}, "
            f"expected every quoted month from {labels[0]} to {labels[-1]}."
        )
    volumes = totals.reindex(labels).to_numpy(dtype=float)
    if channel.aht is not None:
        aht = float(channel.aht)
    elif "aht" in frame.columns and frame["y"].sum() > 0:
        aht = float((frame["y"] * frame["aht"]).sum() / frame["y"].sum())
    else:
        raise InputError(f"{place}.aht: is missing and {path.name} has no aht column, expected seconds.")
    inside = month.isin(labels).to_numpy()
    profile = derive_demand_profile(frame[inside], minutes)
    dow = np.array([profile["day_of_week"][d] for d in WEEKDAYS], dtype=float)
    curve = _minute_curve(profile["intraday"], minutes, f"{place}.history")
    return volumes, aht, dow, curve


# --- the calendar of a month and its representative week ----------------------


def _is_open(scenario: Scenario, day: dt.date) -> bool:
    return scenario.horizon.opening_minutes(day) is not None and day not in scenario.quote.holidays


def _month_days(month_start: dt.date) -> list[dt.date]:
    following = (month_start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return [month_start + dt.timedelta(days=i) for i in range((following - month_start).days)]


def _open_day_counts(scenario: Scenario, month_start: dt.date) -> np.ndarray:
    """Open days of each weekday (Monday first) in the month, holidays excluded."""
    counts = np.zeros(7, dtype=int)
    for day in _month_days(month_start):
        if _is_open(scenario, day):
            counts[day.weekday()] += 1
    return counts


def representative_monday(month_start: dt.date) -> dt.date:
    """The first Monday on or after the first day of the month."""
    return month_start + dt.timedelta(days=(7 - month_start.weekday()) % 7)


@dataclass(frozen=True)
class Knobs:
    """Changes applied to the quote's demand for the sensitivity table."""

    volume: float = 1.0
    aht: float = 1.0
    service_level: float | None = None  # replaces the voice and chat targets
    shrinkage_points: float = 0.0  # added to the total shrinkage


def _shrinkage(quote: Quote, knobs: Knobs) -> float:
    return float(min(max(quote.shrinkage.total + knobs.shrinkage_points, 0.0), 0.95))


def _week_frame(scenario: Scenario, demand: ChannelDemand, volume: float, counts: np.ndarray,
                monday: dt.date, notes: list[str], label: str) -> pd.DataFrame:
    """Interval volumes of one channel in the representative week (``ds, y``)."""
    interval = scenario.horizon.interval_minutes
    per_day = MINUTES_PER_DAY // interval
    weights = demand.day_of_week * counts
    total_weight = float(weights.sum())
    if volume > 0 and total_weight <= 0:
        raise InputError(
            f"{demand.place}: {label} has volume {volume:g} but no open day with a day-of-week weight; "
            f"check horizon.closed_days, quote.holidays and quote.day_of_week."
        )
    rows_ds, rows_y = [], []
    starts = np.arange(per_day) * interval
    per_interval = demand.intraday.reshape(per_day, interval).sum(axis=1)
    real = day_grid(monday, 7, interval, scenario.horizon.timezone)
    for d in range(7):
        day = monday + dt.timedelta(days=d)
        hours = scenario.horizon.opening_minutes(day)
        if hours is None:
            continue
        # The hour the clocks skip on a spring-forward day has no intervals: the day's
        # volume goes to the intervals that exist.
        exists = np.isin(starts, (real.wall[d] - pd.Timestamp(day)).total_seconds().to_numpy() // 60)
        inside = (starts >= hours[0]) & (starts + interval <= hours[1]) & exists
        day_volume = volume * demand.day_of_week[d] / total_weight if total_weight > 0 else 0.0
        shares = np.where(inside, per_interval, 0.0)
        if shares.sum() <= 0:
            shares = inside.astype(float)
            if day_volume > 0:
                notes.append(f"{demand.name}: the intraday curve has no volume in the opening hours of "
                             f"{WEEKDAYS[d]}; that day's volume is spread evenly over them")
        shares = shares / shares.sum()
        slots = np.flatnonzero(inside)
        rows_ds.extend(pd.Timestamp(day) + pd.to_timedelta(starts[slots], unit="min"))
        rows_y.extend(day_volume * shares[slots])
    return pd.DataFrame({"queue": demand.name, "ds": rows_ds, "y": np.asarray(rows_y, dtype=float)})


def _spread_deferred(frame: pd.DataFrame, aht: float, hours: float, interval: int, monday: dt.date) -> np.ndarray:
    """Agent-seconds worked per interval when each interval's items are spread over their window.

    The window of an interval's items is every open interval from it up to ``hours``
    later (wall clock, wrapping from Sunday to Monday as the week repeats).
    """
    per_day = MINUTES_PER_DAY // interval
    slots = 7 * per_day
    position = ((frame["ds"] - pd.Timestamp(monday)) / pd.Timedelta(minutes=interval)).to_numpy().astype(int)
    is_open = np.zeros(slots, dtype=bool)
    is_open[position] = True
    work = np.zeros(slots)
    work[position] = frame["y"].to_numpy() * aht
    reach = max(1, int(round(hours * 60 / interval)))
    done = np.zeros(slots)
    for t in np.flatnonzero(work > 0):
        window = (t + np.arange(reach)) % slots
        window = window[is_open[window]]
        done[window] += work[t] / len(window)
    return done[position]


@dataclass
class Requirement:
    table: pd.DataFrame  # queue, ds, agents (after shrinkage), plus y
    workload_hours: dict[str, float]  # per channel, in the month
    handled: dict[str, float]  # contacts handled per channel in the month
    conversions: dict[str, float]
    campaigns: list[Campaign]


def _requirement(scenario: Scenario, demands: list[ChannelDemand], month: int, knobs: Knobs,
                 notes: list[str]) -> Requirement:
    quote: Quote = scenario.quote
    interval = scenario.horizon.interval_minutes
    month_start = quote.month_starts()[month]
    label = quote.month_labels()[month]
    monday = representative_monday(month_start)
    counts = _open_day_counts(scenario, month_start)
    shrink = _shrinkage(quote, knobs)
    tables, workload, handled, conversions, campaigns = [], {}, {}, {}, []
    for demand in demands:
        volume = float(demand.volumes[month]) * knobs.volume
        aht = demand.aht * knobs.aht
        if demand.kind == "outbound":
            campaigns_, hours, contacts, sales = _campaign_for_week(
                scenario, demand, volume, aht, counts, monday, shrink, label)
            campaigns.extend(campaigns_)
            workload[demand.name], handled[demand.name] = hours, contacts
            if sales is not None:
                conversions[demand.name] = sales
            continue
        # Staff for the buffered volume; bill and count the expected one.
        planned = volume * (1 + quote.volume_buffer)
        frame = _week_frame(scenario, demand, planned, counts, monday, notes, label)
        s = demand.settings
        if demand.kind == "deferred":
            seconds = _spread_deferred(frame, aht, s.answer_within_hours, interval, monday)
            agents = seconds / (interval * 60) / s.max_occupancy
            handled[demand.name] = volume
            workload[demand.name] = volume * aht / 3600
        else:
            target = erlang.ServiceTarget(
                service_level=knobs.service_level or s.service_level,
                answer_within=s.answer_within,
                max_occupancy=s.max_occupancy,
                model="erlang-a" if s.patience else "erlang-c",
                patience=s.patience,
            )
            sized = erlang.size_intervals(frame, interval, target, aht=aht, source=f"quote {demand.name} ({label})")
            agents = sized["agents"].to_numpy(dtype=float)
            k = getattr(s, "concurrency", 1)
            if k > 1:
                agents = np.ceil(agents / k - _EPS)
            lost = float((sized["y"] * sized["p_abandon"]).sum() / max(sized["y"].sum(), _EPS)) \
                if "p_abandon" in sized else 0.0
            handled[demand.name] = volume * (1 - lost)
            workload[demand.name] = volume * aht / 3600 / k
        frame["agents"] = agents / (1 - shrink)
        tables.append(frame)
    if tables:
        table = pd.concat(tables, ignore_index=True)
    else:
        table = pd.DataFrame({"queue": pd.Series(dtype=str), "ds": pd.Series(dtype="datetime64[ns]"),
                              "y": pd.Series(dtype=float), "agents": pd.Series(dtype=float)})
    return Requirement(table, workload, handled, conversions, campaigns)


def _campaign_for_week(scenario, demand: ChannelDemand, records: float, aht: float, counts: np.ndarray,
                       monday: dt.date, shrink: float, label: str):
    """The week's share of a monthly campaign, due by the end of the representative week."""
    s = demand.settings
    window = np.array([WEEKDAYS[d] in s.window_days for d in range(7)])
    month_days = float((counts * window).sum())
    week_days = float(sum(1 for d in range(7) if window[d]
                          and scenario.horizon.opening_minutes(monday + dt.timedelta(days=d)) is not None))
    if records > 0 and month_days == 0:
        raise InputError(
            f"{demand.place}.window_days: {label} has {records:g} records but no open calling day, "
            f"check window_days, horizon.closed_days and quote.holidays."
        )
    fields = dict(name=s.name, max_attempts=s.max_attempts, contact_rate=s.contact_rate,
                  conversion_rate=s.conversion_rate, window_days=s.window_days,
                  window_start=s.window_start, window_end=s.window_end, groups=s.groups,
                  start=monday, deadline=monday + dt.timedelta(days=6))
    month_work = campaign_workload(Campaign(records=int(round(records)), aht_contact=aht,
                                            attempt_seconds=s.attempt_seconds, **fields))
    week_records = int(round(records * week_days / month_days)) if month_days else 0
    # Shrinkage takes paid time from callers too: the week owes its work / (1 - shrinkage).
    week = Campaign(records=week_records, aht_contact=aht / (1 - shrink),
                    attempt_seconds=s.attempt_seconds / (1 - shrink), **fields)
    campaigns = [week] if week_records > 0 else []
    return campaigns, month_work.agent_hours, month_work.contacts, month_work.conversions


# --- scheduling the representative week -------------------------------------


@dataclass
class WeekFigures:
    """What one representative week's schedule needs, per weekday (Monday first)."""

    agents: int
    agents_by_group: dict[str, int]
    paid_hours: np.ndarray  # [7]
    base_cost: np.ndarray  # [7] paid hours x wage
    premium_cost: np.ndarray  # [7] night and weekend premiums
    logged_in_hours: np.ndarray  # [7] on shift, not on a break or lunch
    break_hours: np.ndarray  # [7] paid breaks
    peak_on_shift: int
    cost: float | None
    lower_bound: float | None
    gap: float | None
    status: str
    under_agent_intervals: int
    outbound_done_share: dict[str, float]
    solve_seconds: float
    coverage: pd.DataFrame = field(repr=False)


def head_cost_per_week(scenario: Scenario) -> float:
    """What one more agent costs a week besides paid hours, in steady state.

    ``(technology + supervisor, QA and trainer cost per agent + attrition x (hiring
    cost + training and ramp-up hours x mean wage)) x 12 / 52``. The scheduler weighs
    it against paid hours, so a quote is not built from many short part-time tours
    whose heads cost more than the hours they save.
    """
    quote: Quote = scenario.quote
    lab, ov = quote.labour, quote.overhead
    wage = float(np.mean([g.cost_per_hour for g in scenario.groups]))
    per_month = (
        ov.technology_per_agent_month
        + lab.supervisor_cost_per_month / lab.supervisor_ratio
        + lab.qa_cost_per_month / lab.qa_ratio
        + lab.trainer_cost_per_month / lab.trainer_ratio
        + lab.monthly_attrition * (lab.hiring_cost_per_hire + wage * lab.fte_hours_per_week
                                   * (lab.training_weeks + lab.ramp_weeks * (1 - lab.ramp_productivity)))
    )
    return per_month * 12 / 52


def _week_scenario(scenario: Scenario, monday: dt.date, campaigns: list[Campaign]) -> Scenario:
    horizon = scenario.horizon.model_copy(update={"start": monday, "days": 7, "closed_dates": []})
    costs = scenario.costs
    update = {}
    head = head_cost_per_week(scenario)
    if "cost_per_agent_week" not in costs.model_fields_set:  # a value set in [costs] wins
        update["cost_per_agent_week"] = round(head, 2)
    if "inbound_short_penalty" not in costs.model_fields_set:
        # A quote promises the service target: leaving an interval short must cost more than
        # the longest paid shift at the highest rate plus a head, so the solver covers it.
        lab = scenario.quote.labour
        wage = max(g.cost_per_hour for g in scenario.groups)
        update["inbound_short_penalty"] = round(head + 16 * wage * (1 + lab.night_premium + lab.weekend_premium), 2)
    costs = costs.model_copy(update=update)
    return scenario.model_copy(update={"horizon": horizon, "campaigns": campaigns, "costs": costs, "quote": None})


def _week_key(table: pd.DataFrame, campaigns: list[Campaign], monday: dt.date, work_limit: float) -> str:
    """Identical weeks (same requirement by weekday and time, same campaigns) share one solve."""
    digest = hashlib.sha256()
    offset = (table["ds"] - pd.Timestamp(monday)).astype("int64").to_numpy()
    digest.update(table["queue"].astype(str).str.cat(sep="|").encode())
    digest.update(offset.tobytes())
    digest.update(np.round(table["agents"].to_numpy(dtype=float), 9).tobytes())
    for c in campaigns:
        digest.update(c.model_dump_json(exclude={"start", "deadline"}).encode())
    digest.update(str(work_limit).encode())
    return digest.hexdigest()


def _week_figures(scenario: Scenario, result) -> WeekFigures:
    from wfm.schedule.expand import BREAK, LUNCH, OFF

    problem, roster = result.problem, result.roster
    labour = scenario.quote.labour
    interval = problem.interval
    per_day = problem.slots_per_day
    hours_per_slot = interval / 60
    activity = roster.activity.reshape(len(roster.agent_rule), 7, per_day) if len(roster.agent_rule) else \
        np.zeros((0, 7, per_day), dtype=int)
    on_shift = activity != OFF
    unpaid = np.zeros_like(on_shift)
    for a, r in enumerate(roster.agent_rule):
        for rule_break in problem.rules[r].breaks:
            if not rule_break.paid:
                unpaid[a] |= activity[a] == (LUNCH if rule_break.kind == "lunch" else BREAK)
    paid = on_shift & ~unpaid
    resting = (activity == BREAK) | (activity == LUNCH)
    wages = np.array([scenario.groups[g].cost_per_hour for g in roster.agent_group], dtype=float)
    starts = np.arange(per_day) * interval
    night_from, night_to = clock_minutes(labour.night_start), clock_minutes(labour.night_end)
    night = (starts >= night_from) | (starts < night_to) if night_from > night_to else \
        (starts >= night_from) & (starts < night_to)
    weekend = np.array([WEEKDAYS[(problem.dates[d]).weekday()] in labour.weekend_days for d in range(7)])
    # Premiums add up: a weekend night earns both.
    premium_rate = labour.night_premium * night[None, :] + labour.weekend_premium * weekend[:, None]
    paid_slots = paid.sum(axis=2)  # [agent, day]
    paid_hours = paid_slots.sum(axis=0) * hours_per_slot
    base_cost = (wages[:, None] * paid_slots).sum(axis=0) * hours_per_slot
    premium_cost = ((paid * premium_rate[None]).sum(axis=2) * wages[:, None]).sum(axis=0) * hours_per_slot
    logged_in = (on_shift & ~resting).sum(axis=(0, 2)) * hours_per_slot
    paid_breaks = (paid & resting).sum(axis=(0, 2)) * hours_per_slot
    peak = int(on_shift.sum(axis=0).max()) if len(on_shift) else 0
    summary = result.summary
    # Dates of a cached week are another month's: keep the weekday and time only.
    coverage = result.coverage.copy()
    coverage.insert(0, "weekday", pd.to_datetime(coverage["ds"]).dt.weekday.map(lambda i: WEEKDAYS[i]))
    coverage.insert(1, "time", pd.to_datetime(coverage["ds"]).dt.strftime("%H:%M"))
    coverage = coverage.drop(columns=["ds"])
    return WeekFigures(
        agents=int(summary["agents"]),
        agents_by_group=dict(summary["agents_by_group"]),
        paid_hours=paid_hours,
        base_cost=base_cost,
        premium_cost=premium_cost,
        logged_in_hours=logged_in,
        break_hours=paid_breaks,
        peak_on_shift=peak,
        cost=summary.get("cost"),
        lower_bound=summary.get("lower_bound"),
        gap=summary.get("gap"),
        status=str(summary.get("status")),
        under_agent_intervals=int(summary.get("under_agent_intervals", 0)),
        outbound_done_share=dict(summary.get("outbound_done_share", {})),
        solve_seconds=float(result.run.get("solve_seconds", 0.0)),
        coverage=coverage,
    )


# --- months, costs and prices -------------------------------------------------


@dataclass
class MonthPlan:
    """A month before hiring: the week's figures scaled by the month's open days."""

    month: str
    week: WeekFigures
    counts: np.ndarray
    requirement: Requirement
    shrinkage: float
    fte: float
    paid_hours: float
    logged_in_hours: float
    productive_hours: float
    agent_labour: float
    premiums: float
    mean_wage: float
    seats: int


class _Planner:
    """Solves representative weeks, once per distinct week."""

    def __init__(self, scenario: Scenario, demands: list[ChannelDemand], time_limit: float,
                 progress: Callable[[str], None] | None, work_limit: float | None = None):
        self.scenario = scenario
        self.demands = demands
        self.time_limit = time_limit
        self.work_limit = scenario.quote.work_limit if work_limit is None else work_limit
        self.progress = progress
        self.cache: dict[str, WeekFigures] = {}
        self.solves = 0
        self.notes: list[str] = []

    def month(self, index: int, knobs: Knobs = Knobs()) -> MonthPlan:
        from wfm.schedule import make_schedule

        scenario, quote = self.scenario, self.scenario.quote
        label = quote.month_labels()[index]
        month_start = quote.month_starts()[index]
        monday = representative_monday(month_start)
        requirement = _requirement(scenario, self.demands, index, knobs, self.notes)
        key = _week_key(requirement.table, requirement.campaigns, monday, self.work_limit)
        week = self.cache.get(key)
        if week is None:
            began = time.perf_counter()
            week_scenario = _week_scenario(scenario, monday, requirement.campaigns)
            table = requirement.table[["queue", "ds", "agents"]]
            if table.empty:
                table = pd.DataFrame({"queue": ["none"], "ds": [pd.Timestamp(monday)], "agents": [0.0]})
            result = make_schedule(table, week_scenario, time_limit=self.time_limit, work_limit=self.work_limit,
                                   source=f"quote {label}")
            self.notes.extend(n for n in result.summary["notes"] if "safety time cap" in n and n not in self.notes)
            week = _week_figures(scenario, result)
            self.cache[key] = week
            self.solves += 1
            if self.progress:
                self.progress(f"{label}: week scheduled, {week.agents} agents, gap "
                              f"{_pct(week.gap)}, {time.perf_counter() - began:.1f} s")
        counts = _open_day_counts(scenario, month_start)
        paid_hours = float(counts @ week.paid_hours)
        shrink = _shrinkage(quote, knobs)
        logged_in = float(counts @ week.logged_in_hours)
        base = float(counts @ week.base_cost)
        premiums = float(counts @ week.premium_cost)
        week_paid = float(week.paid_hours.sum())
        return MonthPlan(
            month=label,
            week=week,
            counts=counts,
            requirement=requirement,
            shrinkage=shrink,
            fte=week_paid / quote.labour.fte_hours_per_week,
            paid_hours=paid_hours,
            logged_in_hours=logged_in,
            productive_hours=logged_in * (1 - shrink),
            agent_labour=base + premiums,
            premiums=premiums,
            mean_wage=float(week.base_cost.sum() / week_paid) if week_paid > 0 else 0.0,
            seats=int(math.ceil(week.peak_on_shift * (1 + quote.overhead.spare_seats) - _EPS)),
        )


COST_LINES = ["agent_labour", "training", "ramp_up", "hiring", "supervisors_cost", "quality_cost", "trainers_cost",
              "seats_cost", "technology", "management_fee"]


def _month_row(quote: Quote, plan: MonthPlan, hires: float, leavers: float, launch: dict | None = None) -> dict:
    """One month's figures and cost lines (formulas in the module docstring).

    ``launch`` adds this month's share of the launch wave's training, ramp-up and
    recruiting (``quote.amortize_launch``).
    """
    labour, overhead = quote.labour, quote.overhead
    agents = plan.week.agents
    supervisors = math.ceil(agents / labour.supervisor_ratio - _EPS)
    quality = math.ceil(agents / labour.qa_ratio - _EPS)
    trainers = math.ceil(agents / labour.trainer_ratio - _EPS)
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


def _hiring(quote: Quote, agents: list[int]) -> tuple[list[float], list[float]]:
    """Expected hires and leavers per month: launch wave, then growth and attrition."""
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


def build_quote(
    scenario: Scenario,
    *,
    base_dir: str | Path | None = None,
    time_limit: float | None = None,
    sensitivity: bool | None = None,
    progress: Callable[[str], None] | None = None,
    work_limit: float | None = None,
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
        Called with one line per scheduled week (for a CLI or a progress bar).
    work_limit : float, optional
        CP-SAT work per representative week in deterministic seconds (the same quote on
        any machine); default ``quote.work_limit``.

    Returns
    -------
    QuoteResult
    """
    if scenario.quote is None:
        raise InputError("quote: the scenario has no [quote] section, expected one (see wfm/resources/examples/quote_bank.toml).")
    quote: Quote = scenario.quote
    _check_against_scenario(scenario)
    base_dir = Path(base_dir) if base_dir is not None else Path(".")
    demands, notes = _channel_demands(scenario, base_dir)
    from wfm.schedule import check_budget

    limit = quote.time_limit_seconds if time_limit is None else check_budget(time_limit, "time_limit")
    work = quote.work_limit if work_limit is None else check_budget(work_limit, "work_limit")
    planner = _Planner(scenario, demands, limit, progress, work)
    plans = [planner.month(i) for i in range(quote.months)]
    hires, leavers = _hiring(quote, [p.week.agents for p in plans])
    launch = None
    if quote.amortize_launch:
        # The launch wave is trained before go-live; spread its cost over the term.
        first = _month_row(quote, plans[0], hires[0], 0.0)
        launch = {line: first[line] / quote.months for line in ("training", "ramp_up", "hiring")}
        hires_priced = [0.0] + hires[1:]
    else:
        hires_priced = hires
    rows = []
    for p, h, h_priced, lv in zip(plans, hires, hires_priced, leavers, strict=False):
        row = _month_row(quote, p, h_priced, lv, launch)
        lab = quote.labour
        # Reported for the month's real hires (the launch wave trains before go-live).
        row["hires"] = h
        row["training_fte"] = h * (lab.training_weeks + lab.ramp_weeks * (1 - lab.ramp_productivity)) / WEEKS_PER_MONTH
        rows.append(row)
    monthly = pd.DataFrame(rows)
    channels = _channel_table(quote, demands, plans, monthly)
    do_sensitivity = quote.sensitivity if sensitivity is None else sensitivity
    table = _sensitivity(quote, planner, plans) if do_sensitivity else pd.DataFrame()
    totals = _totals(quote, monthly)
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


def _channel_table(quote: Quote, demands: list[ChannelDemand], plans: list[MonthPlan],
                   monthly: pd.DataFrame) -> pd.DataFrame:
    """Term totals per channel, with cost allocated by workload hours month by month."""
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


def _totals(quote: Quote, monthly: pd.DataFrame) -> dict:
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


def _sensitivity(quote: Quote, planner: _Planner, plans: list[MonthPlan]) -> pd.DataFrame:
    """Each change re-solves the sensitivity month's week; hires in steady state (attrition only)."""
    if quote.sensitivity_month is not None:
        index = quote.month_labels().index(quote.sensitivity_month)
    else:
        index = int(np.argmax([sum(p.requirement.workload_hours.values()) for p in plans]))
    rows = []
    for case, change, knobs in SENSITIVITY_CASES:
        plan = planner.month(index, knobs)
        hires = plan.week.agents * quote.labour.monthly_attrition
        row = _month_row(quote, plan, hires, hires)
        rows.append({"month": plan.month, "case": case, "change": change, **{
            k: row[k] for k in ("fte", "agents", "seats", "total_cost", "price", "price_per_hour",
                                "price_per_contact", "price_per_fte_month")}})
    table = pd.DataFrame(rows)
    base = table.iloc[0]
    table["fte_change"] = table["fte"] / base["fte"] - 1 if base["fte"] > 0 else np.nan
    table["price_change"] = table["price"] / base["price"] - 1 if base["price"] > 0 else np.nan
    return table


def _pct(x) -> str:
    return "n/a" if x is None else f"{100 * x:.2f}%"


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
    breaks = float(np.mean([p.week.break_hours.sum() / max(p.week.paid_hours.sum(), _EPS) for p in plans]))
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
    """The ``quote.json`` content: prices, FTE by month, cost lines, sensitivity."""
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

    The folder appears whole or not at all: it is built in a temporary folder beside
    ``out_dir`` and renamed into place (an older folder is replaced only then).
    """
    from wfm.export import make_temp_dir, replace_dir, write_json, write_table
    from wfm.quote.workbook import write_quote_workbook

    out_dir = Path(out_dir)
    check_out_dir(out_dir)
    tmp = make_temp_dir(out_dir)
    try:
        write_quote_workbook(result, tmp / "quote.xlsx")
        write_json(result.data, tmp / "quote.json")
        write_table(result.monthly, tmp / "monthly.csv")
        write_table(result.channels, tmp / "channels.csv")
        if len(result.sensitivity):
            write_table(result.sensitivity, tmp / "sensitivity.csv")
        names = sorted(p.name for p in tmp.iterdir())
        replace_dir(tmp, out_dir)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return [out_dir / n for n in names]


def check_out_dir(out_dir: str | Path) -> None:
    """Fail before any work when the output folder cannot be written."""
    from wfm.export import check_output_folder

    # Missing parent, a file in the way, or a folder that cannot be written: all before the work.
    check_output_folder(Path(out_dir))


def quote_files(scenario_path: str | Path, out_dir: str | Path, *, time_limit: float | None = None,
                sensitivity: bool | None = None, progress: Callable[[str], None] | None = None,
                work_limit: float | None = None) -> QuoteResult:
    """Read the scenario, build the quote and write it (the CLI's work)."""
    from wfm.scenario import load_scenario

    check_out_dir(out_dir)
    scenario = load_scenario(scenario_path)
    if scenario.quote is None:
        raise InputError(f"{scenario_path}: has no [quote] section, expected one (see wfm/resources/examples/quote_bank.toml).")
    result = build_quote(scenario, base_dir=Path(scenario_path).parent, time_limit=time_limit, work_limit=work_limit,
                         sensitivity=sensitivity, progress=progress)
    write_quote(result, out_dir)
    return result


def describe(result: QuoteResult) -> str:
    """A few lines for the terminal."""
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
    "Knobs",
    "QuoteResult",
    "build_quote",
    "write_quote",
    "quote_files",
    "quote_json",
    "derive_demand_profile",
    "load_demand_profile",
    "representative_monday",
    "describe",
    "COST_LINES",
    "SENSITIVITY_CASES",
]
