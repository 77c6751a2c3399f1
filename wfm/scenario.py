"""Scenario settings: pydantic models plus TOML load and save.

This module is the one place where defaults live. A scenario file is TOML with the
sections below (``[[x]]`` sections are arrays; later sections such as ``[[queue]]``
slot in beside them)::

    name = "bank-week"
    currency = "JPY"

    [horizon]
    start = 2026-01-05            # first day (a date); weeks run from this day
    days = 7                      # whole weeks: 7, 14, 21, 28 ...
    interval_minutes = 15
    timezone = "Asia/Tokyo"
    open = "07:00"                # default opening hours of every day
    close = "22:00"
    closed_days = ["sun"]         # weekdays closed all day
    closed_dates = [2026-01-12]   # e.g. public holidays
    [horizon.hours]               # per-weekday exceptions
    sat = "09:00-18:00"

    [[group]]
    name = "blended"
    skills = "blended"            # inbound | outbound | blended
    cost_per_hour = 2000
    headcount = 180               # optional cap on agents per week
    unsocial_premium = 0.25       # extra share of the hourly cost in unsocial hours

    [[shift]]
    name = "full-time"
    group = "blended"
    length_hours = 9              # or a list, e.g. [4, 6]
    start_earliest = "07:00"
    start_latest = "13:00"
    days_per_week = 5             # or [min, max], e.g. [2, 4]
    consecutive_days_off = true
    min_rest_hours = 11
    [[shift.break]]
    kind = "break"
    length_minutes = 15
    start_after_hours = [1.5, 2.5]
    [[shift.break]]
    kind = "lunch"                # lunch is unpaid unless paid = true
    length_minutes = 60
    start_after_hours = [3.5, 5]

    [[campaign]]
    name = "card-renewals"
    records = 6000
    max_attempts = 3
    contact_rate = 0.35
    aht_contact = 300
    attempt_seconds = 40
    conversion_rate = 0.2
    window_days = ["mon", "tue", "wed", "thu", "fri", "sat"]
    window_start = "09:00"
    window_end = "20:00"
    deadline = 2026-01-10

    [costs]
    inbound_short_penalty = 20000     # per agent-interval short of the requirement
    outbound_undone_penalty = 5.0     # per agent-second of campaign work left undone
    cost_per_agent_week = 0           # overhead per scheduled agent and week
    unsocial_start = "20:00"          # unsocial hours: from here to midnight,
    unsocial_end = "07:00"            # and from midnight to here,
    unsocial_days = ["sun"]           # and these whole days

    [solver]
    work_limit = 20                   # CP-SAT work (deterministic s): same plan on any machine
    time_limit_seconds = 300          # wall-clock safety cap only; a note says when it fires
    seed = 0
    workers = 2
    gap_limit = 0.001                 # stop once within 0.1% of the LP bound

Every validation problem is reported as one :class:`~wfm.errors.InputError`
sentence naming the TOML path, e.g. ``shift[1].length_hours: ...``. Array
positions count from 0, in the order the entries appear in the file.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import tomli_w
from pydantic import (
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from wfm import limits

# Weekdays, clock times and TOML-path errors live in wfm._types (one copy, shared with the
# quote settings); they are re-exported here because the planning code imports them from here.
from wfm._types import WEEKDAYS, CallingRules, Money, Section, Weekday, clock_minutes
from wfm._types import check_clock as _check_clock
from wfm._types import path_error as _path_error
from wfm.errors import InputError, existing_file, shown
from wfm.quote.settings import Quote

MAX_SEED = 2**31 - 1  # CP-SAT's random_seed is a 32-bit integer

_Section = Section  # the one strict base (wfm._types)


class Horizon(_Section):
    """The planning weeks and the opening hours of each day."""

    start: dt.date
    days: int = Field(7, ge=7, le=limits.MAX_HORIZON_DAYS)
    interval_minutes: Literal[5, 10, 15, 20, 30, 60] = 15
    timezone: str = "UTC"
    open: str = "07:00"
    close: str = "22:00"
    closed_days: list[Weekday] = Field(default_factory=list)
    closed_dates: list[dt.date] = Field(default_factory=list)
    hours: dict[Weekday, str] = Field(default_factory=dict)

    _clock = field_validator("open", "close")(_check_clock)

    @field_validator("days")
    @classmethod
    def _whole_weeks(cls, value: int) -> int:
        if value % 7:
            raise ValueError(f"{value} days is not a whole number of weeks, expected 7, 14, 21, 28 ...")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"'{shown(value)}' is not an IANA time zone, expected e.g. Asia/Tokyo") from None
        return value

    @field_validator("hours")
    @classmethod
    def _hours_format(cls, value: dict[str, str]) -> dict[str, str]:
        for day, text in value.items():
            parse_hours(text, f"{day}")
        return value

    @model_validator(mode="after")
    def _open_before_close(self) -> Horizon:
        if clock_minutes(self.open) >= clock_minutes(self.close):
            raise _path_error(f"horizon.close: {self.close} is not after horizon.open {self.open}.")
        for name in ("open", "close"):
            if clock_minutes(getattr(self, name)) % self.interval_minutes:
                raise _path_error(
                    f"horizon.{name}: {getattr(self, name)} is not on the {self.interval_minutes}-minute interval grid."
                )
        return self

    def dates(self) -> list[dt.date]:
        """The horizon's days, in order.

        Returns
        -------
        list of date
            ``days`` dates from ``start``.
        """
        return [self.start + dt.timedelta(days=i) for i in range(self.days)]

    def opening_minutes(self, day: dt.date) -> tuple[int, int] | None:
        """Opening and closing minute of ``day``; ``None`` when the centre is closed.

        Parameters
        ----------
        day : date
            A day of the horizon.

        Returns
        -------
        tuple of int or None
            ``(open, close)`` in minutes after midnight, from ``hours``, ``open``/``close``,
            ``closed_days`` and ``closed_dates``.
        """
        weekday = WEEKDAYS[day.weekday()]
        if day in self.closed_dates or weekday in self.closed_days:
            return None
        if weekday in self.hours:
            return parse_hours(self.hours[weekday], weekday)
        return clock_minutes(self.open), clock_minutes(self.close)


def parse_hours(text: str, place: str) -> tuple[int, int] | None:
    """``"09:00-18:00"`` to minutes, ``"closed"`` to ``None``.

    Parameters
    ----------
    text : str
        ``"HH:MM-HH:MM"`` or ``"closed"``.
    place : str
        TOML path, for the message.

    Returns
    -------
    tuple of int or None
        ``(open, close)`` minutes after midnight, or None when closed.

    Examples
    --------
    >>> parse_hours("09:00-18:00", "horizon.hours.sat")
    (540, 1080)
    """
    if str(text).strip().lower() == "closed":
        return None
    try:
        first, last = str(text).split("-")
    except ValueError:
        raise ValueError(f"'{shown(text)}' is not opening hours, expected e.g. \"09:00-18:00\" or \"closed\"") from None
    opens, closes = clock_minutes(first), clock_minutes(last)
    if opens >= closes:
        raise ValueError(f"'{shown(text)}' closes before it opens, expected e.g. \"09:00-18:00\"")
    return opens, closes


class Group(_Section):
    """A team of agents with one skill set and one pay rate."""

    name: str = Field(min_length=1)
    skills: Literal["inbound", "outbound", "blended"] = "blended"
    queues: list[str] | None = None  # inbound queues served; None = every queue
    cost_per_hour: Money = Field(2000.0, gt=0)
    headcount: int | None = Field(None, ge=0)  # cap on agents per week; None = hire as needed
    unsocial_premium: float = Field(0.0, ge=0, le=5)

    @property
    def does_inbound(self) -> bool:
        """Whether the group answers inbound calls.

        Returns
        -------
        bool
            True for ``inbound`` and ``blended`` groups; only they count towards a
            queue's inbound staffing (and only for ``queues``, when listed).
        """
        return self.skills in ("inbound", "blended")

    @property
    def does_outbound(self) -> bool:
        """Whether the group works outbound campaigns.

        Returns
        -------
        bool
            True for ``outbound`` and ``blended`` groups, the ones campaign work may go to.
        """
        return self.skills in ("outbound", "blended")


class Break(_Section):
    """A break or lunch whose start lies in a window measured from the shift start."""

    kind: Literal["break", "lunch"] = "break"
    length_minutes: int = Field(gt=0, le=240)
    start_after_hours: tuple[float, float]
    paid: bool | None = None  # default: breaks paid, lunch unpaid

    @field_validator("start_after_hours")
    @classmethod
    def _ordered(cls, value: tuple[float, float]) -> tuple[float, float]:
        if value[0] < 0 or value[1] < value[0]:
            raise ValueError(f"{list(value)} is not a window [earliest, latest] with 0 <= earliest <= latest")
        return value

    @property
    def is_paid(self) -> bool:
        """Whether the break counts as paid time.

        Returns
        -------
        bool
            ``paid`` when given; otherwise breaks are paid and lunches are not.
        """
        return self.kind == "break" if self.paid is None else self.paid


class Shift(_Section):
    """A shift rule of one group: lengths, start window, days per week, rest, breaks."""

    name: str = Field(min_length=1)
    group: str
    length_hours: list[Annotated[float, Field(gt=0, le=16)]]
    start_earliest: str = "07:00"
    start_latest: str = "13:00"
    start_step_minutes: int | None = Field(None, gt=0)  # default: the interval
    days_per_week: tuple[int, int] = (5, 5)
    consecutive_days_off: bool = False
    same_start: bool = False
    min_rest_hours: float = Field(11.0, ge=0, le=24)
    breaks: list[Break] = Field(default_factory=list, alias="break")

    _clock = field_validator("start_earliest", "start_latest")(_check_clock)

    @field_validator("length_hours", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, (int, float)) and not isinstance(value, bool) else value

    @field_validator("days_per_week", mode="before")
    @classmethod
    def _range(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            value = (value, value)
        if isinstance(value, (list, tuple)) and len(value) == 2:
            low, high = value
            if not (isinstance(low, int) and isinstance(high, int) and 1 <= low <= high <= 7):
                raise ValueError(f"{list(value)} is not a range of days, expected 1 <= min <= max <= 7")
        return value

    @model_validator(mode="after")
    def _window(self) -> Shift:
        if not self.length_hours:
            raise ValueError("length_hours is empty, expected at least one shift length")
        if clock_minutes(self.start_latest, allow_24=False) < clock_minutes(self.start_earliest, allow_24=False):
            raise ValueError(f"start_latest {self.start_latest} is before start_earliest {self.start_earliest}")
        return self


class Campaign(CallingRules):
    """An outbound campaign: records to call, retry rules, calling window, deadline.

    The calling rules (attempts, contact rate, handle times, window, groups) are
    :class:`wfm._types.CallingRules`, shared with the quote's ``[[quote.outbound]]``.
    """

    records: int = Field(ge=0, le=limits.MAX_CAMPAIGN_RECORDS)
    start: dt.date | None = None  # first calling day; default the horizon start
    deadline: dt.date
    daily_attempt_cap: int | None = Field(None, gt=0)


class Costs(_Section):
    """Weights of the objective and the definition of unsocial hours."""

    inbound_short_penalty: Money = Field(20000.0, ge=0)  # per agent-interval short
    outbound_undone_penalty: Money = Field(5.0, ge=0)  # per agent-second left undone
    cost_per_agent_week: Money = Field(0.0, ge=0)  # overhead per scheduled agent and week (favours fewer heads)
    unsocial_start: str = "20:00"  # unsocial from this time to midnight ...
    unsocial_end: str = "07:00"  # ... and from midnight to this time
    unsocial_days: list[Weekday] = Field(default_factory=lambda: ["sun"])  # whole days

    _clock = field_validator("unsocial_start", "unsocial_end")(_check_clock)


# CP-SAT deterministic seconds. Measured on the 2-core machines: one unit takes about 3 s of
# wall time on a quiet machine (4-6 s loaded), so 20 units take about as long as the former
# 60 s wall-clock default; the bank example (wfm/resources/examples/bank_plan.toml) reaches its
# gap limit after about 3.1.
WORK_LIMIT = 20.0


class Solver(_Section):
    """CP-SAT settings: deterministic by default (fixed seed and worker count)."""

    # Solver work in CP-SAT deterministic seconds (all phases together): it stops the search
    # at the same point on every machine, so the plan does not depend on the machine's load.
    work_limit: float = Field(WORK_LIMIT, gt=0, allow_inf_nan=False)
    # Wall-clock safety cap only, generous so that normal runs stop on the work limit; when
    # it fires the plan's notes say so (that plan may differ on another machine).
    time_limit_seconds: float = Field(300.0, gt=0, allow_inf_nan=False)
    seed: int = Field(0, ge=0, le=MAX_SEED)
    workers: int = Field(2, ge=1, le=64)
    gap_limit: float = Field(0.001, ge=0, le=1)  # stop once this close to the LP bound


class Forecasting(_Section):
    """How a queue's history becomes the forecast (see :func:`wfm.forecast.forecast`)."""

    models: list[str] | None = None  # None = automatic selection over the default candidates
    folds: int = Field(4, ge=1, le=52)
    holidays: str | None = None  # country code for public holidays, e.g. "JP"
    special_days: str | None = None  # file of dates with `closed` or a multiplier


class Queue(_Section):
    """An inbound queue: where its volumes come from and what it promises callers.

    Exactly one of ``history`` (forecast from it), ``forecast`` (a ready forecast:
    ``ds, y_hat`` and optional ``aht_hat``) or ``volumes`` (fixed ``ds, y``) names the
    demand. Paths are relative to the scenario file. ``shrinkage`` is paid time lost to
    absence, training, meetings and coaching: the breaks and lunches placed by the
    scheduler are not part of it.
    """

    name: str = Field(min_length=1)
    history: str | None = None
    forecast: str | None = None
    volumes: str | None = None
    # The data file's own headers read as ds, y, aht, queue: {"日時" = "ds", "呼量" = "y"}
    # (what the app's column mapping step and `--map 日時=ds` remember).
    columns: dict[str, str] = Field(default_factory=dict)
    profile: str | None = None  # from `wfm calls profile`: learned AHT, handle and patience
    aht: float | None = Field(None, gt=0)  # seconds; default: the history's AHT, then the profile's
    service_level: float | None = Field(0.8, gt=0, lt=1)
    answer_within: float = Field(20.0, ge=0)
    asa: float | None = Field(None, gt=0)  # seconds; replaces the service-level target
    patience: float | None = Field(None, gt=0)  # mean seconds; sizing uses Erlang A when given
    max_occupancy: float = Field(1.0, gt=0, le=1)
    shrinkage: float = Field(0.0, ge=0, lt=1)
    sizing: Literal["erlang-c", "erlang-a", "simulation"] | None = None  # default: erlang-a with patience, else erlang-c
    # Over what the service level is promised: every interval on its own (the classic
    # plan), or the share of the whole day's / week's calls (commercial suites' service
    # goal; the scheduler then places agents where they buy the most service).
    service_goal: Literal["interval", "day", "week"] = "interval"
    interval_floor: float | None = Field(None, ge=0, lt=1)  # with a day/week goal: no interval below this service level
    goal_rounds: int = Field(3, ge=0, le=10)  # re-solves with a tighter goal while the simulated goal falls short
    forecasting: Forecasting = Field(default_factory=Forecasting)

    @field_validator("columns")
    @classmethod
    def _known_roles(cls, value: dict[str, str]) -> dict[str, str]:
        from wfm.data import COLUMN_ROLES

        for header, role in value.items():
            if role not in COLUMN_ROLES:
                raise ValueError(f"'{header}' is read as '{role}', expected one of {', '.join(COLUMN_ROLES)}")
        if len(set(value.values())) < len(value):
            raise ValueError("two columns are read as the same role")
        return value

    @model_validator(mode="after")
    def _one_source(self) -> Queue:
        given = [k for k in ("history", "forecast", "volumes") if getattr(self, k)]
        if len(given) != 1:
            raise PydanticCustomError(
                "queue_source",
                "give exactly one of history, forecast or volumes (found {found})",
                {"found": ", ".join(given) or "none"},
            )
        if self.sizing == "simulation" and not self.profile:
            raise PydanticCustomError("queue_sizing", "sizing = 'simulation' needs a profile (from `wfm calls profile`)", {})
        if self.sizing == "erlang-a" and not (self.patience or self.profile):
            raise PydanticCustomError("queue_sizing", "sizing = 'erlang-a' needs patience (seconds) or a profile", {})
        if self.interval_floor is not None and self.asa is not None:
            raise PydanticCustomError(
                "queue_floor", "interval_floor is a service level; it goes with a service_level goal, not asa", {})
        if self.interval_floor is not None and self.service_level is not None and self.interval_floor > self.service_level:
            raise PydanticCustomError(
                "queue_floor", "interval_floor {floor} is above the service level {goal}; the floor must not exceed the goal",
                {"floor": self.interval_floor, "goal": self.service_level})
        return self


class Verify(_Section):
    """Verification of the plan by simulation, and how the KPIs are reported."""

    replications: int = Field(10, ge=1, le=1000)
    seed: int = Field(0, ge=0, le=2**63 - 1)
    flag_points: float = Field(0.05, ge=0, le=1)  # flag intervals this far under the service-level target
    fte_hours_per_week: float = Field(40.0, gt=0)  # paid hours of one full-time equivalent


# --- the named-agent roster (`wfm roster`, wfm.roster): shift codes, cover, weights ---

# A roster shift's start or end: ``HH:MM``, 24:00 allowed as an end (the one clock parser).
roster_clock = clock_minutes


class RosterShift(Section):
    """A shift code of the シフト表: ``E`` 07:00-16:00, ``N`` 22:00-07:00 (ends the next day).

    A shift belongs to the day it starts. ``break_minutes`` is unpaid and not on the
    phones, placed ``break_after_minutes`` after the start (default: the middle).
    """

    code: str = Field(min_length=1, max_length=12)
    start: str
    end: str  # at or before ``start``: the shift ends the next day
    label: str | None = None  # a longer name for the legend (早番, Night)
    break_minutes: int = Field(0, ge=0, le=240)
    break_after_minutes: int | None = Field(None, gt=0)
    groups: list[str] | None = None  # groups that may work it; default every group

    @field_validator("start", "end")
    @classmethod
    def _clock(cls, value: str) -> str:
        roster_clock(value)
        return value

    @property
    def start_minute(self) -> int:
        """The start, in minutes after midnight (``24:00`` is 0).

        Returns
        -------
        int
            0 to 1439.
        """
        return roster_clock(self.start) % (24 * 60)

    @property
    def span_minutes(self) -> int:
        """Minutes from start to end (across midnight when the end is not after the start).

        Returns
        -------
        int
            1 to 1440.
        """
        span = roster_clock(self.end) - self.start_minute
        return span if span > 0 else span + 24 * 60

    @model_validator(mode="after")
    def _break_fits(self) -> RosterShift:
        if self.span_minutes > 16 * 60:
            raise ValueError(f"{self.start}-{self.end} is {self.span_minutes / 60:g} h long, expected at most 16 h")
        if self.break_minutes >= self.span_minutes:
            raise ValueError(f"break_minutes {self.break_minutes} leaves no work in a {self.span_minutes}-minute shift")
        after = self.break_after_minutes
        if after is not None and after + self.break_minutes > self.span_minutes:
            raise ValueError(f"break_after_minutes {after} puts the break past the end of the shift")
        return self


class RosterCover(Section):
    """Per-shift cover: ``required`` people on shift ``shift`` on the given days."""

    shift: str
    required: int = Field(ge=0, le=10_000)
    days: list[Weekday] | None = None  # default every day
    dates: list[dt.date] | None = None  # instead of days: these dates only


class RosterSettings(Section):
    """How the roster of named agents is weighed (every money figure in the scenario's currency)."""

    shifts: list[RosterShift] = Field(default_factory=list, alias="shift")
    cover: list[RosterCover] = Field(default_factory=list)
    # The roster file (CSV/XLSX), relative to the scenario's folder: `wfm plan` then rosters
    # these agents too, and `wfm roster` reads it when --agents is not given.
    agents: str | None = Field(None, min_length=1)
    # A published roster (the assignment.csv an earlier `wfm plan` wrote into OUT/roster/, or
    # `wfm roster`), relative to the scenario's folder: re-roster changing as few shifts as
    # possible (change_penalty each); `--lock FILE` sets it from the command line.
    published: str | None = Field(None, min_length=1)
    # Per agent-interval short of the interval requirement; default costs.inbound_short_penalty.
    short_penalty: Money | None = Field(None, ge=0)
    cover_short_penalty: Money = Field(100_000.0, ge=0)  # per person short of a per-shift cover
    wish_value: Money = Field(1_000.0, ge=0)  # per weight point of an unmet wish
    fairness_value: Money = Field(1_000.0, ge=0)  # an agent's k-th weekend (late) shift costs (k - 1) x this
    min_hours_penalty: Money = Field(30_000.0, ge=0)  # per hour below a contract minimum
    change_penalty: Money = Field(50_000.0, ge=0)  # per shift changed from the published roster
    min_rest_hours: float = Field(11.0, ge=0, le=48)  # default rest between two shifts
    work_limit: float = Field(20.0, gt=0, le=100_000)  # CP-SAT deterministic seconds
    workers: int = Field(2, ge=1, le=64)
    seed: int = Field(0, ge=0, le=2**31 - 1)

    @model_validator(mode="after")
    def _codes(self) -> RosterSettings:
        codes = [s.code for s in self.shifts]
        for i, code in enumerate(codes):
            if code in codes[:i]:
                raise ValueError(f"shift[{i}].code '{code}' is used twice, expected unique shift codes")
            if code.lower() in ("off", "休", "x"):
                raise ValueError(f"shift[{i}].code '{code}' is reserved for days off, expected another code")
        return self


class Scenario(_Section):
    """A complete planning scenario."""

    name: str = "scenario"
    currency: str = "JPY"
    horizon: Horizon
    groups: list[Group] = Field(alias="group", min_length=1)
    shifts: list[Shift] = Field(alias="shift", min_length=1)
    campaigns: list[Campaign] = Field(default_factory=list, alias="campaign")
    costs: Costs = Field(default_factory=Costs)
    solver: Solver = Field(default_factory=Solver)
    queues: list[Queue] = Field(default_factory=list, alias="queue")
    verify: Verify = Field(default_factory=Verify)
    quote: Quote | None = None  # outsourcer staffing quote (wfm.quote.settings, `wfm quote`)
    roster: RosterSettings | None = None  # named-agent roster (wfm.roster.settings, `wfm roster`)
    # Named agents for small teams, with the roster file's columns as keys (wfm.roster.agents).
    agents: list[dict[str, Any]] | None = Field(None, alias="agent")

    @model_validator(mode="before")
    @classmethod
    def _within_limits(cls, data: Any) -> Any:
        # Counted on the raw TOML, before tens of thousands of entries are each validated.
        message = limits.section_overflow(data)
        if message:
            raise _path_error(message)
        return data

    @model_validator(mode="after")
    def _references(self, info: ValidationInfo) -> Scenario:
        # Cross-section checks: messages carry their own TOML path (see format_validation_error).
        problems = list(dict.fromkeys(self._reference_problems()))
        found = (info.context or {}).get(PROBLEMS) if info is not None else None
        if found is not None:  # scenario_problems: every problem, not only the first
            found.extend(problems)
        elif problems:
            raise _path_error(problems[0])
        return self

    def _reference_problems(self):
        """Each cross-section problem, one sentence led by its TOML path (a generator)."""
        for names, section in ((self.groups, "group"), (self.shifts, "shift"), (self.campaigns, "campaign"),
                               (self.queues, "queue")):
            yield from _unique([x.name for x in names], section)
        groups = {g.name: g for g in self.groups}
        for i, shift in enumerate(self.shifts):
            if shift.group not in groups:
                yield (
                    f"shift[{i}].group: '{shift.group}' is not a group name, expected one of {_names(groups)}."
                )
        yield from self._shift_rule_problems()
        for i, campaign in enumerate(self.campaigns):
            for name in campaign.groups or []:
                if name not in groups:
                    yield (
                        f"campaign[{i}].groups: '{name}' is not a group name, expected one of {_names(groups)}."
                    )
                elif not groups[name].does_outbound:
                    yield (
                        f"campaign[{i}].groups: group '{name}' has skills '{groups[name].skills}', "
                        f"expected an outbound or blended group."
                    )
            if campaign.deadline < self.horizon.start:
                yield (
                    f"campaign[{i}].deadline: {campaign.deadline} is before the horizon starts "
                    f"({self.horizon.start}), expected a date inside the horizon or later."
                )
            if campaign.start is not None and campaign.start > campaign.deadline:
                yield f"campaign[{i}].start: {campaign.start} is after its deadline {campaign.deadline}."
            if not any(groups[n].does_outbound for n in (campaign.groups or groups) if n in groups):
                yield f"campaign[{i}]: no group has outbound or blended skills to place its calls."

    def _shift_rule_problems(self):
        """Shift rules must fit the interval grid, the opening hours and their own breaks (a generator)."""
        interval = self.horizon.interval_minutes
        opening = [o for o in map(self.horizon.opening_minutes, self.horizon.dates()) if o]
        if not opening:
            yield "horizon: every day of the horizon is closed, expected at least one open day."
            return
        first_open, last_close = min(o[0] for o in opening), max(o[1] for o in opening)
        for i, shift in enumerate(self.shifts):
            place = f"shift[{i}]"
            lengths = []
            for hours in shift.length_hours:
                minutes = hours * 60
                if abs(minutes - round(minutes)) > 1e-6 or round(minutes) % interval:
                    yield (
                        f"{place}.length_hours: {hours:g} h is not a whole number of {interval}-minute intervals."
                    )
                    continue
                lengths.append(round(minutes))
            if len(lengths) < len(shift.length_hours):
                continue  # its other rules are measured against its lengths
            earliest = clock_minutes(shift.start_earliest, allow_24=False)
            latest = clock_minutes(shift.start_latest, allow_24=False)
            step = shift.start_step_minutes or interval
            for name, value in (("start_earliest", earliest), ("start_latest", latest), ("start_step_minutes", step)):
                if value % interval:
                    given = getattr(shift, name)
                    yield f"{place}.{name}: {given} is not on the {interval}-minute interval grid."
            if earliest < first_open:
                yield (
                    f"{place}.start_earliest: {shift.start_earliest} is before the centre opens "
                    f"({_clock(first_open)}), expected a start inside opening hours."
                )
            if latest + min(lengths) > last_close:
                yield (
                    f"{place}.start_latest: a {min(lengths) / 60:g} h shift starting at {shift.start_latest} ends "
                    f"at {_clock(latest + min(lengths))}, after the centre closes ({_clock(last_close)})."
                )
            if shift.days_per_week[1] > 1 and 24 * 60 - max(lengths) < shift.min_rest_hours * 60:
                yield (
                    f"{place}.min_rest_hours: {shift.min_rest_hours:g} h rest after a {max(lengths) / 60:g} h "
                    f"shift leaves no time to work the next day, expected days_per_week = 1 or a shorter rest."
                )
            for length in lengths:
                previous_end = 0
                for j, rest in enumerate(shift.breaks):
                    where = f"{place}.break[{j}]"
                    if rest.length_minutes % interval:
                        yield (
                            f"{where}.length_minutes: {rest.length_minutes} is not a whole number of "
                            f"{interval}-minute intervals."
                        )
                    low = -(-round(rest.start_after_hours[0] * 60) // interval) * interval
                    high = (round(rest.start_after_hours[1] * 60) // interval) * interval
                    window = f"[{rest.start_after_hours[0]:g}, {rest.start_after_hours[1]:g}]"
                    if low > high:
                        yield (
                            f"{where}.start_after_hours: the window {window} h holds no {interval}-minute interval start."
                        )
                    if low < interval or high + rest.length_minutes > length - interval:
                        yield (
                            f"{where}.start_after_hours: a {rest.length_minutes}-minute {rest.kind} in the window "
                            f"{window} h does not fit inside the {length / 60:g} h shift with work before and after it."
                        )
                    if low < previous_end:
                        yield (
                            f"{where}.start_after_hours: the window {window} h overlaps the previous break's window, "
                            f"expected breaks in order with windows that cannot overlap."
                        )
                    previous_end = high + rest.length_minutes

    def group(self, name: str) -> Group:
        """The group called ``name``.

        Parameters
        ----------
        name : str
            A ``[[group]]`` name (validated to exist where shifts and campaigns name it).

        Returns
        -------
        Group
            The group.
        """
        return next(g for g in self.groups if g.name == name)


def _unique(names: list[str], section: str):
    """A sentence for each name used a second time in ``section`` (a generator)."""
    seen: set[str] = set()
    for i, name in enumerate(names):
        if name in seen:
            yield f"{section}[{i}].name: '{name}' is used twice, expected unique names."
        seen.add(name)


def _names(mapping) -> str:
    return ", ".join(f"'{n}'" for n in mapping)


def _path(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("function-after", "function-before") or str(part).startswith(("function-", "tuple[", "list[")):
            continue
        else:
            out += ("." if out else "") + str(part)
    return out


PROBLEMS = "problems"  # validation context key: collect every cross-section problem, not only the first


@dataclass(frozen=True)
class Problem:
    """One problem of a scenario, as :func:`scenario_problems` lists them.

    Attributes
    ----------
    place : str
        The TOML path (``shift[1].length_hours``); ``""`` for the whole file.
    kind : str
        pydantic's error type (``missing``, ``less_than``, ``literal_error`` ...), or
        ``toml_path`` for a cross-section check whose sentence names its own path.
    text : str
        The English sentence, led by the path (and the file when one was given).
    values : dict
        What the sentence quotes: pydantic's context (``lt``, ``expected`` ...) and
        the given value as ``got``; front ends translate ``kind`` with them.
    """

    place: str
    kind: str
    text: str
    values: dict = field(default_factory=dict)


def _problem(error: dict, source: str | None) -> Problem:
    """The :class:`Problem` of one pydantic error dict."""
    message = str(error["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            message = message[len(prefix) :]
    loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and p.startswith("function-")))
    path = _path(loc)
    got = error.get("input")
    values = {**(error.get("ctx") or {}), "message": message}
    if not (isinstance(got, (dict, list)) or got is None):
        values["got"] = shown(repr(got))
    if error["type"] == "missing":
        text = f"{path}: is missing, it is required."
    elif error["type"] == "extra_forbidden":
        text = f"{path}: is not a known setting (check the spelling)."
    elif error["type"] == "toml_path":
        # Cross-field messages already start with their own TOML path.
        text = message
        path = message.split(":", 1)[0] if ":" in message else ""
    else:
        got_text = f" (got {values['got']})" if "got" in values else ""
        text = f"{path}: {message[0].lower() + message[1:]}{got_text}" if path else message
    text = text.rstrip(".") + "."
    return Problem(path, str(error["type"]), f"{source}: {text}" if source else text, values)


def format_validation_error(exc: ValidationError, source: str | None = None) -> str:
    """One sentence for the first problem of a pydantic error, led by its TOML path.

    Parameters
    ----------
    exc : pydantic.ValidationError
        The error from validating a scenario.
    source : str, optional
        The file, put in front of the sentence.

    Returns
    -------
    str
        E.g. ``queue[0].service_level: input should be less than 1 (got 1.2)``.
    """
    return _problem(exc.errors(include_url=False)[0], source).text


def scenario_problems(data: dict, source: str | None = None) -> list[Problem]:
    """Every problem of a scenario dict at once (the app lists them all), in file order.

    pydantic reports every setting that is wrong on its own; the checks across
    sections (names that must exist, shift rules against the opening hours and the
    interval) run once the settings are right, and all of theirs are listed too.

    Parameters
    ----------
    data : dict
        The parsed TOML.
    source : str, optional
        The file, put in front of each sentence.

    Returns
    -------
    list of Problem
        Empty when the scenario is valid.

    Examples
    --------
    >>> from wfm import resources
    >>> import tomllib
    >>> raw = tomllib.loads(resources.example("bank_plan.toml").read_text())
    >>> wrong = {**raw, "group": [{**raw["group"][0], "cost_per_hour": -5}, *raw["group"][1:]],
    ...          "verify": {"replications": 0}}
    >>> [(p.place, p.kind) for p in scenario_problems(wrong)]
    [('group[0].cost_per_hour', 'greater_than'), ('verify.replications', 'greater_than_equal')]
    >>> raw["shift"][0]["length_hours"] = 7.1
    >>> raw["shift"][1]["group"] = "night"
    >>> [p.place for p in scenario_problems(raw)]
    ['shift[1].group', 'shift[0].length_hours']
    """
    found: list[str] = []
    try:
        Scenario.model_validate(data, context={PROBLEMS: found})
    except ValidationError as exc:
        return [_problem(error, source) for error in exc.errors(include_url=False)]
    return [_problem({"type": "toml_path", "msg": text, "loc": ()}, source) for text in found]


def validate_scenario(data: dict, source: str | None = None) -> Scenario:
    """Build a :class:`Scenario` from a plain dict, raising :class:`InputError` on the first problem.

    Parameters
    ----------
    data : dict
        The parsed TOML.
    source : str, optional
        The file, for messages.

    Returns
    -------
    Scenario
        The validated scenario with every default filled in.

    Raises
    ------
    InputError
        On the first problem, naming its TOML path and value.
    """
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise InputError(format_validation_error(exc, source)) from None


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario TOML file.

    Parameters
    ----------
    path : str or Path
        The scenario TOML file.

    Returns
    -------
    Scenario
        The validated scenario (paths inside it stay relative to the file).

    Raises
    ------
    InputError
        When the file is missing, not TOML or not a valid scenario.

    Examples
    --------
    >>> from wfm import resources
    >>> scenario = load_scenario(resources.example("bank_plan.toml"))
    >>> scenario.name, scenario.horizon.days, [queue.name for queue in scenario.queues]
    ('bank-plan', 7, ['retail'])
    """
    path = existing_file(path, missing="file not found.", folder="is a folder, expected a scenario TOML file.")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return validate_scenario(data, str(path))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: is not valid TOML ({exc}).") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: is not UTF-8 text, expected a TOML file.") from None
    except RecursionError:
        # tomllib (and validation) recurse once per nesting level of arrays and tables.
        raise InputError(f"{path}: arrays or tables are nested too deeply to read, expected a scenario TOML file.") from None


def scenario_to_toml(scenario: Scenario) -> str:
    """The scenario as TOML text (every default written out, so a run can be repeated exactly).

    Parameters
    ----------
    scenario : Scenario
        A validated scenario; settings that are None are left out of the text.

    Returns
    -------
    str
        TOML text, every table written in full, that :func:`load_scenario` reads back
        to an equal scenario.
    """
    data = scenario.model_dump(mode="python", by_alias=True, exclude_none=True)
    return tomli_w.dumps(_toml_ready(data))


def _toml_ready(value):
    if isinstance(value, dict):
        return {k: _toml_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_toml_ready(v) for v in value]
    return value


def save_scenario(scenario: Scenario, path: str | Path) -> None:
    """Write the scenario as TOML atomically.

    Parameters
    ----------
    scenario : Scenario
        The scenario.
    path : str or Path
        The TOML file to write.
    """
    from wfm.export import write_text

    write_text(scenario_to_toml(scenario), path)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
