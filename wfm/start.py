"""Start a scenario from a planner's own history instead of the bundled bank example.

An example scenario carries its centre with it: the bank's opening hours, time zone,
currency, agent groups and campaign. A planner who uploads their own intervals wants
the plan to start from *their* centre: the opening hours and closed weekdays the
history shows, the site's time zone and currency, and only those parts of the example
they choose to keep. The example's shift rules are then fitted to the new interval
and opening hours (a 15-minute break cannot be scheduled on a 30-minute grid, and a
07:00 start cannot be kept by a centre that opens at 09:00), each change said in a note.

The functions work on TOML-shaped dicts (what the app edits and ``wfm plan`` reads),
so the result validates with :func:`wfm.scenario.validate_scenario` like any file.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import typing
from collections import Counter
from collections.abc import Iterator

from pydantic import BaseModel

from wfm._types import MONEY, WEEKDAYS, clock_minutes
from wfm.errors import InputError
from wfm.scenario import Group, Horizon, Scenario, Shift

DAY = 24 * 60
STARTING_GROUP = "agents"  # the one group of a scenario started without the example's groups


def _default(model, name: str):
    """A setting's default from the scenario's models (the one place defaults live)."""
    return model.model_fields[name].get_default()


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _span(text: str) -> tuple[int, int]:
    first, last = str(text).split("-")
    return clock_minutes(first), clock_minutes(last)


def horizon_opening(opening: dict[str, str], interval_minutes: int) -> dict:
    """The ``[horizon]`` opening settings for the weekly opening hours a history shows.

    The most common hours become ``open``/``close``, other open weekdays go to
    ``hours`` and weekdays without calls to ``closed_days``. Times are widened to the
    plan's interval grid (an 08:45 opening on a 30-minute grid opens at 08:30).

    Parameters
    ----------
    opening : dict
        Weekday (``"mon"`` .. ``"sun"``) -> ``"HH:MM-HH:MM"`` or ``"closed"``, as
        :func:`wfm.summary.history_summary` reports it.
    interval_minutes : int
        The plan's interval length.

    Returns
    -------
    dict
        ``open``, ``close``, ``closed_days`` and ``hours`` of ``[horizon]``.

    Raises
    ------
    InputError
        When the history shows no open weekday.

    Examples
    --------
    >>> week = {"mon": "09:00-18:00", "tue": "09:00-18:00", "wed": "09:00-18:00", "thu": "09:00-18:00",
    ...         "fri": "09:00-18:00", "sat": "10:00-16:00", "sun": "closed"}
    >>> horizon_opening(week, 30)
    {'open': '09:00', 'close': '18:00', 'closed_days': ['sun'], 'hours': {'sat': '10:00-16:00'}}
    """
    spans: dict[str, tuple[int, int]] = {}
    for day in WEEKDAYS:
        text = opening.get(day, "closed")
        if str(text).strip().lower() == "closed":
            continue
        opens, closes = _span(text)
        opens = opens // interval_minutes * interval_minutes
        closes = min(DAY, -(-closes // interval_minutes) * interval_minutes)
        spans[day] = (opens, closes)
    if not spans:
        raise InputError("history: no weekday has calls, so the opening hours cannot be taken from it.")
    usual = Counter(spans.values()).most_common(1)[0][0]
    return {
        "open": _clock(usual[0]),
        "close": _clock(usual[1]),
        "closed_days": [d for d in WEEKDAYS if d not in spans],
        "hours": {d: f"{_clock(o)}-{_clock(c)}" for d, (o, c) in spans.items() if (o, c) != usual},
    }


def break_lengths(interval_minutes: int, longest: int = 120) -> list[int]:
    """The break lengths a plan on ``interval_minutes`` can schedule: whole intervals.

    Parameters
    ----------
    interval_minutes : int
        The plan's interval length.
    longest : int
        The longest length listed, in minutes.

    Returns
    -------
    list of int
        Minutes, shortest first.

    Examples
    --------
    >>> break_lengths(30)
    [30, 60, 90, 120]
    """
    return list(range(interval_minutes, max(longest, interval_minutes) + 1, interval_minutes))


def _opening_span(horizon: dict) -> tuple[int, int, int]:
    """First opening, last closing and the longest open day (minutes) of a ``[horizon]`` dict."""
    closed = set(horizon.get("closed_days") or [])
    hours = horizon.get("hours") or {}
    spans = []
    for day in WEEKDAYS:
        if day in closed:
            continue
        text = hours.get(day) or f"{horizon.get('open', '07:00')}-{horizon.get('close', '22:00')}"
        if str(text).strip().lower() != "closed":
            spans.append(_span(text))
    if not spans:
        raise InputError("horizon: every weekday is closed, expected at least one open day.")
    return min(o for o, _ in spans), max(c for _, c in spans), max(c - o for o, c in spans)


def _whole_intervals(minutes: float, interval: int) -> int:
    """``minutes`` rounded to the nearest whole number of intervals, at least one."""
    return max(interval, int(minutes / interval + 0.5) * interval)


def _fit_breaks(shift: dict, lengths: list[int], interval: int, notes: list[str]) -> None:
    """Break lengths in whole intervals, windows on the grid; a break that cannot fit the
    shortest shift with work before and after it is left out (and said so)."""
    name = shift.get("name", "shift")
    kept, previous_end = [], 0
    for rest in shift.get("break") or []:
        rest = dict(rest)
        kind = rest.get("kind", "break")
        length = int(rest["length_minutes"])
        fitted = _whole_intervals(length, interval)
        if fitted != length:
            notes.append(f"shift '{name}': the {length}-minute {kind} is {fitted} minutes now "
                         f"(breaks are whole {interval}-minute intervals).")
            rest["length_minutes"] = fitted
        low_h, high_h = rest.get("start_after_hours", (1.0, 2.0))
        low = max(-(-round(low_h * 60) // interval) * interval, interval, previous_end)
        high = max((round(high_h * 60) // interval) * interval, low)
        high = min(high, min(lengths) - interval - fitted)
        if high < low:
            notes.append(f"shift '{name}': the {fitted}-minute {kind} no longer fits a "
                         f"{min(lengths) / 60:g} h shift, so it is left out.")
            continue
        window = [low / 60, high / 60]
        if window != [float(low_h), float(high_h)]:
            rest["start_after_hours"] = window
        kept.append(rest)
        previous_end = high + fitted
    if "break" in shift:
        shift["break"] = kept


def fit_shift_rules(raw: dict) -> list[str]:
    """Fit a scenario's shift rules to its interval grid and opening hours, in place.

    Shift lengths become whole intervals and no longer than the longest open day;
    start windows move inside the opening hours and onto the grid; break lengths
    become whole intervals (see :func:`break_lengths`) with their windows on the grid.
    A shift rule that cannot fit any open day is removed. A horizon closed on every
    weekday raises :class:`InputError`: there is nothing to fit the rules to.

    Parameters
    ----------
    raw : dict
        A TOML-shaped scenario with ``horizon`` and ``shift`` (changed in place).

    Returns
    -------
    list of str
        One sentence per change, for the planner.

    Examples
    --------
    >>> raw = {"horizon": {"interval_minutes": 30, "open": "09:00", "close": "18:00"},
    ...        "shift": [{"name": "day", "group": "agents", "length_hours": 8, "start_earliest": "07:00",
    ...                   "start_latest": "12:00", "break": [{"length_minutes": 15, "start_after_hours": [2, 3]}]}]}
    >>> notes = fit_shift_rules(raw)
    >>> raw["shift"][0]["start_earliest"], raw["shift"][0]["start_latest"], raw["shift"][0]["break"][0]["length_minutes"]
    ('09:00', '10:00', 30)
    """
    horizon = raw.get("horizon") or {}
    interval = int(horizon.get("interval_minutes", _default(Horizon, "interval_minutes")))
    first_open, last_close, longest = _opening_span(horizon)
    notes: list[str] = []
    kept = []
    for shift in raw.get("shift") or []:
        name = shift.get("name", "shift")
        given = shift.get("length_hours")
        given = list(given) if isinstance(given, (list, tuple)) else [given]
        lengths = sorted({min(_whole_intervals(h * 60, interval), longest // interval * interval) for h in given})
        lengths = [m for m in lengths if m > 0]
        if not lengths:
            notes.append(f"shift '{name}': no length fits the opening hours, so the rule is removed.")
            continue
        if [m / 60 for m in lengths] != [float(h) for h in given]:
            notes.append(f"shift '{name}': lasts {', '.join(f'{m / 60:g}' for m in lengths)} h now "
                         f"(whole {interval}-minute intervals within the opening hours).")
        shift["length_hours"] = lengths[0] / 60 if len(lengths) == 1 else [m / 60 for m in lengths]
        earliest = clock_minutes(shift.get("start_earliest", _default(Shift, "start_earliest")), allow_24=False)
        latest = clock_minutes(shift.get("start_latest", _default(Shift, "start_latest")), allow_24=False)
        new_earliest = max(-(-earliest // interval) * interval, first_open)
        new_latest = min(latest // interval * interval, last_close - lengths[0])
        new_latest = max(new_latest, new_earliest)
        if (new_earliest, new_latest) != (earliest, latest):
            notes.append(f"shift '{name}': starts between {_clock(new_earliest)} and {_clock(new_latest)} now "
                         f"(inside the opening hours {_clock(first_open)}-{_clock(last_close)}).")
            shift["start_earliest"], shift["start_latest"] = _clock(new_earliest), _clock(new_latest)
        step = shift.get("start_step_minutes")
        if step is not None and int(step) % interval:
            shift["start_step_minutes"] = _whole_intervals(int(step), interval)
        _fit_breaks(shift, lengths, interval, notes)
        kept.append(shift)
    if "shift" in raw:
        raw["shift"] = kept
    return notes


def first_plan_day(history_end: dt.date, closed_days=()) -> dt.date:
    """The first day to plan after a history: the Monday after its last day, or when the
    centre is closed on Mondays the first open weekday after that Monday.

    The app's forecast horizon and a plan started from an upload use this one rule.

    Parameters
    ----------
    history_end : date
        The history's last day (local wall-clock).
    closed_days : sequence of str
        Weekdays (``"mon"`` .. ``"sun"``) the centre is closed.

    Returns
    -------
    date
        The horizon's first day.

    Examples
    --------
    >>> first_plan_day(dt.date(2026, 2, 7)), first_plan_day(dt.date(2026, 2, 7), ["sun", "mon"])
    (datetime.date(2026, 2, 9), datetime.date(2026, 2, 10))
    """
    monday = history_end + dt.timedelta(days=7 - history_end.weekday())
    closed = set(closed_days or ())
    for offset in range(7):
        day = monday + dt.timedelta(days=offset)
        if WEEKDAYS[day.weekday()] not in closed:
            return day
    return monday  # every weekday closed: the validator names that mistake, not this


def move_horizon(raw: dict, start: dt.date) -> None:
    """Set ``horizon.start`` of a TOML-shaped scenario; campaign dates move with it, in place.

    A campaign's first day and deadline keep their distance to the horizon start, so the
    example's week-long campaign stays a week-long campaign in the new weeks.

    Parameters
    ----------
    raw : dict
        The scenario (changed in place).
    start : date
        The new first day.

    Returns
    -------
    None
        ``raw`` is changed.
    """
    horizon = raw.setdefault("horizon", {})
    old = horizon.get("start")
    if isinstance(old, str):
        old = dt.date.fromisoformat(old)
    horizon["start"] = start
    if not isinstance(old, dt.date):
        return
    shift = start - old
    for campaign in raw.get("campaign") or []:
        for key in ("deadline", "start"):
            if isinstance(campaign.get(key), str):
                campaign[key] = dt.date.fromisoformat(campaign[key])
            if isinstance(campaign.get(key), dt.date):
                campaign[key] = campaign[key] + shift


# --- money: the example's figures in the new currency ---------------------------------


def _is_money(annotation) -> bool:
    """Whether a type carries the :data:`wfm._types.MONEY` mark (also inside ``X | None``)."""
    return any(arg is MONEY or (not isinstance(arg, type) and _is_money(arg)) for arg in typing.get_args(annotation))


def _section_model(annotation) -> type[BaseModel] | None:
    """The settings model a field holds (``Costs``, ``list[Group]``, ``Quote | None``), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        model = _section_model(arg)
        if model is not None:
            return model
    return None


def money_settings(raw: dict, model: type[BaseModel] = Scenario, path: str = "") -> Iterator[tuple[dict, str, str]]:
    """Every money figure written in a TOML-shaped scenario, found from the models' marks.

    A setting is money when its model types it :data:`wfm._types.Money`; the named
    agents' ``cost_per_hour`` column (``[[agent]]``) is money as the group's is.
    Settings left to their defaults are not listed: only what the file says.

    Parameters
    ----------
    raw : dict
        The scenario, or a section of it read by ``model``.
    model : type
        The settings model of ``raw``.
    path : str
        The TOML path of ``raw``, put in front of each setting's.

    Returns
    -------
    iterator of tuple
        ``(section, key, toml_path)``: ``section[key]`` is the figure.

    Examples
    --------
    >>> raw = {"group": [{"name": "a", "cost_per_hour": 22.0}], "costs": {"inbound_short_penalty": 250.0}}
    >>> [where for _, _, where in money_settings(raw)]
    ['group[0].cost_per_hour', 'costs.inbound_short_penalty']
    """
    for name, field in model.model_fields.items():
        key = field.alias or name
        value = raw.get(key)
        if value is None or isinstance(value, bool):
            continue
        where = f"{path}{key}"
        if MONEY in field.metadata or _is_money(field.annotation):
            if isinstance(value, (int, float)):
                yield raw, key, where
            continue
        section = _section_model(field.annotation)
        entries = value if isinstance(value, list) else [value]
        for i, entry in enumerate(entries):
            if not isinstance(entry, dict):
                continue
            at = f"{where}[{i}]" if isinstance(value, list) else where
            if section is not None:
                yield from money_settings(entry, section, f"{at}.")
            elif model is Scenario and key == "agent":
                yield from ((entry, k, f"{at}.{k}") for _, k, _ in money_settings(entry, Group))


def _amount(value: float) -> str:
    return f"{value:,.10g}"


def _convert_money(raw: dict, old: str, new: str, exchange_rate: float | None, rates: dict[str, float],
                   notes: list[str], *, example_groups: bool) -> None:
    """The example's money figures in the new currency, in place: the planner's hourly cost
    of a group where given, every other figure times ``exchange_rate`` (1 ``old`` = rate ``new``).
    Without ``example_groups`` the one starting group has the model's default cost, not the
    example's: it is not converted."""
    place = f"exchange rate 1 {old} = ? {new}"
    for group in raw.get("group") or []:
        given = rates.get(group.get("name"))
        if given is None:
            continue
        if not (isinstance(given, (int, float)) and math.isfinite(given) and given > 0):
            raise InputError(f"hourly cost of group '{group.get('name')}': {given} is not a cost, "
                             f"expected a number above 0 ({new} an hour).")
        group["cost_per_hour"] = float(given)
        notes.append(f"group '{group['name']}': {_amount(given)} {new} an hour, as entered.")
    if old == new:
        return
    figures = [(section, key, where) for section, key, where in money_settings(raw)
               if not (where.startswith("group[") and (not example_groups or section.get("name") in rates))]
    if not figures:
        return
    if exchange_rate is None:
        raise InputError(f"{place}: not given, expected a number above 0 to convert the example's "
                         f"{len(figures)} money figures ({', '.join(w for _, _, w in figures)}) from {old} to {new}.")
    if not (isinstance(exchange_rate, (int, float)) and math.isfinite(exchange_rate) and exchange_rate > 0):
        raise InputError(f"{place}: {exchange_rate} is not a rate, expected a number above 0.")
    changed = []
    for section, key, where in figures:
        was = section[key]
        section[key] = float(f"{was * exchange_rate:.10g}")
        changed.append(f"{where} {_amount(was)} → {_amount(section[key])}")
    notes.append(f"money figures converted from {old} to {new} at 1 {old} = {_amount(exchange_rate)} {new}: "
                 f"{', '.join(changed)}.")


def _zone_and_currency(raw: dict, timezone: str, currency: str, notes: list[str]) -> None:
    """Say the plan's time zone and currency, also when they stay the example's (nothing changes silently)."""
    zone = (raw.get("horizon") or {}).get("timezone") or _default(Horizon, "timezone")
    money = raw.get("currency") or _default(Scenario, "currency")
    notes.append(f"the time zone stays the example's {timezone}: the file's times are read as local time there."
                 if zone == timezone else f"the time zone is {timezone} now (the example's was {zone}).")
    notes.append(f"the currency stays the example's {currency}." if money == currency
                 else f"money figures are in {currency} now (the example's were in {money}).")


def _without_example_groups(raw: dict, keep_campaigns: bool, notes: list[str]) -> None:
    """One group of agents in place of the example's groups; the example's inbound
    shift rules stay, worked by that group, and the example's costs give way to the defaults."""
    groups = raw.get("group") or []
    inbound = {g["name"] for g in groups if g.get("skills", _default(Group, "skills")) in ("inbound", "blended")}
    cost = _default(Group, "cost_per_hour")  # the model holds the default pay rate
    raw["group"] = [{"name": STARTING_GROUP, "skills": "blended" if keep_campaigns else "inbound", "cost_per_hour": cost}]
    shifts = [dict(s, group=STARTING_GROUP) for s in raw.get("shift") or [] if s.get("group") in inbound]
    if not shifts:
        shifts = [{"name": "full-time", "group": STARTING_GROUP, "length_hours": 8, "days_per_week": 5}]
    raw["shift"] = shifts
    for campaign in raw.get("campaign") or []:
        campaign.pop("groups", None)
    raw.pop("costs", None)
    notes.append(f"one group '{STARTING_GROUP}' at the default hourly cost replaces the example's groups; "
                 f"set its cost on the Schedule page.")


def _dialling_groups(raw: dict) -> set[str]:
    """Groups that only dial: without campaigns they have nothing to do (unless they are every group)."""
    groups = raw.get("group") or []
    dialling = {g["name"] for g in groups if g.get("skills") == "outbound"}
    return dialling if len(dialling) < len(groups) else set()


def _without_campaigns(raw: dict, notes: list[str]) -> None:
    """No campaigns; groups that only dial (and their shift rules) have nothing to do and go too."""
    if raw.pop("campaign", None):
        notes.append("the example's outbound campaigns are left out.")
    dialling = _dialling_groups(raw)
    if dialling:
        raw["group"] = [g for g in raw["group"] if g["name"] not in dialling]
        raw["shift"] = [s for s in raw.get("shift") or [] if s.get("group") not in dialling]


def kept_groups(raw: dict, *, keep_groups: bool, keep_campaigns: bool) -> dict[str, float]:
    """The groups a start from ``raw`` plans with, and each one's hourly cost before the start.

    What the start panel asks an hourly cost for, in the plan's currency.

    Parameters
    ----------
    raw : dict
        The example scenario as a TOML dict.
    keep_groups, keep_campaigns : bool
        As for :func:`start_from_history`.

    Returns
    -------
    dict
        Group name -> ``cost_per_hour`` in the example's currency (the model's default
        for the one starting group).

    Examples
    --------
    >>> bank = {"group": [{"name": "blended", "cost_per_hour": 22.0}, {"name": "outbound", "skills": "outbound"}]}
    >>> kept_groups(bank, keep_groups=True, keep_campaigns=False), kept_groups(bank, keep_groups=False, keep_campaigns=False)
    ({'blended': 22.0}, {'agents': 2000.0})
    """
    if not keep_groups:
        return {STARTING_GROUP: _default(Group, "cost_per_hour")}
    left_out = set() if keep_campaigns else _dialling_groups(raw)
    return {g["name"]: float(g.get("cost_per_hour", _default(Group, "cost_per_hour")))
            for g in raw.get("group") or [] if g["name"] not in left_out}


def start_from_history(
    raw: dict,
    opening: dict[str, str],
    *,
    interval_minutes: int,
    timezone: str,
    currency: str,
    keep_groups: bool = True,
    keep_campaigns: bool = False,
    history_end: dt.date,
    name: str | None = None,
    has_aht: bool = False,
    exchange_rate: float | None = None,
    rates: dict[str, float] | None = None,
) -> tuple[dict, list[str]]:
    """A scenario for a planner's own history, started from an example scenario.

    Parameters
    ----------
    raw : dict
        The example scenario as a TOML dict (not changed).
    opening : dict
        The history's weekly opening hours (weekday -> ``"HH:MM-HH:MM"`` or ``"closed"``).
    interval_minutes : int
        The plan's interval.
    timezone : str
        The site's IANA time zone.
    currency : str
        The currency of every money figure (e.g. ``"JPY"``). When it is not the example's,
        the example's money figures (every setting its models type
        :data:`wfm._types.Money`, see :func:`money_settings`) are converted with
        ``exchange_rate``, except the hourly costs given in ``rates``.
    keep_groups : bool
        Keep the example's agent groups, pay rates and costs; otherwise one group of
        agents with the default hourly cost works the example's inbound shift rules.
    keep_campaigns : bool
        Keep the example's outbound campaigns.
    history_end : date
        The history's last day: the plan starts on :func:`first_plan_day` after it
        (campaign dates move with it), for the example's ``horizon.days``.
    name : str, optional
        The scenario's new name (e.g. the file's).
    has_aht : bool
        The history has an AHT column: the example's fixed AHT gives way to it.
    exchange_rate : float, optional
        How much of ``currency`` one unit of the example's currency is (1 USD = 150 JPY:
        150). Needed when the currencies differ and an example figure is to convert.
    rates : dict, optional
        Group name -> hourly cost in ``currency``, as the planner entered it; these
        groups' costs are not converted. Names of groups the start leaves out are ignored.

    Returns
    -------
    scenario : dict
        The new scenario (a copy), with the history's opening hours and no closed dates.
    notes : list of str
        What was changed, the time zone and currency too (also when they stay the example's).

    Raises
    ------
    InputError
        When the currency changes and an example figure needs an exchange rate that is
        missing, or a rate or hourly cost is not a number above 0.

    Examples
    --------
    >>> from wfm import resources
    >>> import tomllib
    >>> bank = tomllib.loads(resources.example("bank_plan.toml").read_text())
    >>> week = dict.fromkeys(["mon", "tue", "wed", "thu", "fri", "sat"], "09:00-18:00") | {"sun": "closed"}
    >>> own, notes = start_from_history(bank, week, interval_minutes=30, timezone="Asia/Tokyo", currency="JPY",
    ...                                 history_end=dt.date(2026, 2, 7), exchange_rate=150.0)
    >>> own["horizon"]["closed_days"], own["horizon"]["timezone"], own["horizon"]["start"], "campaign" in own
    (['sun'], 'Asia/Tokyo', datetime.date(2026, 2, 9), False)
    >>> own["group"][0]["cost_per_hour"], own["costs"]["inbound_short_penalty"]  # 22 and 250 USD
    (3300.0, 37500.0)
    """
    out = copy.deepcopy(raw)
    notes: list[str] = []
    _zone_and_currency(raw, timezone, currency, notes)
    horizon = out.setdefault("horizon", {})
    horizon.update(horizon_opening(opening, interval_minutes))
    horizon.update(interval_minutes=int(interval_minutes), timezone=timezone, closed_dates=[])
    move_horizon(out, first_plan_day(history_end, horizon["closed_days"]))
    out["currency"] = currency
    if name:
        out["name"] = name
    if not keep_campaigns:
        _without_campaigns(out, notes)
    if not keep_groups:
        _without_example_groups(out, keep_campaigns, notes)
    _convert_money(out, raw.get("currency") or _default(Scenario, "currency"), currency, exchange_rate,
                   rates or {}, notes, example_groups=keep_groups)
    if has_aht:
        for queue in out.get("queue") or []:
            if queue.pop("aht", None) is not None:
                notes.append("the handle time comes from the file's AHT column.")
    notes.extend(fit_shift_rules(out))
    return out, notes
