"""A quote's demand: the client's volumes spread over a representative week, and the
agents each interval requires (steps 1 and 2 of :mod:`wfm.quote.api`).

Volumes come per channel and month (``monthly_volumes``) or from a history file;
the day-of-week split and the intraday curve come from the history, the
``[quote]`` settings or the bundled bank sample's profile. Voice and chat are sized
per interval with Erlang C (Erlang A with patience), deferred work by spreading it
over its answer window; outbound campaigns get the week's share of the month's
records. :class:`Knobs` are the changes the sensitivity table applies to this demand.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from wfm import erlang
from wfm._types import WEEKDAYS, clock_minutes
from wfm.errors import InputError
from wfm.localtime import day_grid, wall_clock
from wfm.outbound import campaign_workload
from wfm.quote.settings import Quote
from wfm.scenario import Campaign, Scenario

PROFILE_NAME = "quote_profile_bank.json"
MINUTES_PER_DAY = 24 * 60
EPS = 1e-9  # float noise allowed before a ceiling rounds up (agents, chat slots, seats)


# --- demand shapes ------------------------------------------------------------


def profile_path() -> Path:
    """Path of the shipped demand profile (day-of-week split and intraday curve).

    Returns
    -------
    Path
        ``wfm/resources/quote_profile_bank.json``.
    """
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

    Parameters
    ----------
    frame : DataFrame
        Canonical interval table (``ds, y``).
    interval_minutes : int
        Its interval length.
    """
    ds = wall_clock(frame["ds"])
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
    """The shipped profile (default) or another JSON file of the same layout.

    Parameters
    ----------
    path : str or Path, optional
        A profile JSON; default the shipped one.

    Returns
    -------
    dict
        ``resolution_minutes``, ``day_of_week`` and ``intraday``.
    """
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


def channel_demands(scenario: Scenario, base_dir: Path) -> tuple[list[ChannelDemand], list[str]]:
    """The demand of every quoted channel, with its day-of-week split and intraday curve.

    Parameters
    ----------
    scenario : Scenario
        The scenario with its ``[quote]`` section.
    base_dir : Path
        The folder the scenario's relative paths are relative to.

    Returns
    -------
    demands : list of ChannelDemand
        One per voice, chat, deferred and outbound channel.
    notes : list of str
        Sentences for the planner (e.g. open days without demand).
    """
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
    ds = wall_clock(frame["ds"])
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


def open_day_counts(scenario: Scenario, month_start: dt.date) -> np.ndarray:
    """Open days of each weekday (Monday first) in the month, holidays excluded.

    Parameters
    ----------
    scenario : Scenario
        The scenario (horizon closures, quote holidays).
    month_start : date
        First day of the month.

    Returns
    -------
    ndarray of int, shape (7,)
        Open days per weekday.
    """
    counts = np.zeros(7, dtype=int)
    for day in _month_days(month_start):
        if _is_open(scenario, day):
            counts[day.weekday()] += 1
    return counts


def representative_monday(month_start: dt.date) -> dt.date:
    """The first Monday on or after the first day of the month.

    Parameters
    ----------
    month_start : date
        First day of the month.

    Returns
    -------
    date
        The Monday.

    Examples
    --------
    >>> import datetime as dt
    >>> representative_monday(dt.date(2026, 4, 1))
    datetime.date(2026, 4, 6)
    """
    return month_start + dt.timedelta(days=(7 - month_start.weekday()) % 7)


@dataclass(frozen=True)
class Knobs:
    """Changes applied to the quote's demand for the sensitivity table."""

    volume: float = 1.0
    aht: float = 1.0
    service_level: float | None = None  # replaces the voice and chat targets
    shrinkage_points: float = 0.0  # added to the total shrinkage


def total_shrinkage(quote: Quote, knobs: Knobs) -> float:
    """The quote's shrinkage with a sensitivity change, kept within [0, 0.95].

    Parameters
    ----------
    quote : Quote
        The ``[quote]`` settings.
    knobs : Knobs
        The sensitivity change (``shrinkage_points``).

    Returns
    -------
    float
        Share of paid time lost.
    """
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


def month_requirement(scenario: Scenario, demands: list[ChannelDemand], month: int, knobs: Knobs,
                 notes: list[str]) -> Requirement:
    """Agents required per interval of a month's representative week, all channels together.

    Parameters
    ----------
    scenario : Scenario
        The scenario with its ``[quote]`` section.
    demands : list of ChannelDemand
        From :func:`channel_demands`.
    month : int
        Index of the quoted month.
    knobs : Knobs
        The sensitivity change.
    notes : list of str
        Collects sentences for the planner.

    Returns
    -------
    Requirement
        The week's requirement table, workload hours, handled contacts, conversions and campaigns.
    """
    quote: Quote = scenario.quote
    interval = scenario.horizon.interval_minutes
    month_start = quote.month_starts()[month]
    label = quote.month_labels()[month]
    monday = representative_monday(month_start)
    counts = open_day_counts(scenario, month_start)
    shrink = total_shrinkage(quote, knobs)
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
                agents = np.ceil(agents / k - EPS)
            lost = float((sized["y"] * sized["p_abandon"]).sum() / max(sized["y"].sum(), EPS)) \
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
