"""Settings of an outsourcer staffing quote: the ``[quote]`` section of a scenario.

This module holds only the pydantic models (no planning code), so that
:mod:`wfm.scenario` can import it without a cycle; the quote itself is built by
:mod:`wfm.quote`. Every problem is reported with its TOML path, e.g.
``quote.margin: 1.2 is not below 1 ...`` (see :func:`wfm.scenario.format_validation_error`).

A complete example is ``wfm/resources/examples/quote_bank.toml``. The scenario's other
sections still apply: ``[horizon]`` gives the interval, time zone and opening hours
of every representative week (its ``start`` and ``days`` are ignored), ``[[group]]``
are the skills with their hourly wage (``cost_per_hour``), ``[[shift]]`` the shift
rules the weeks are scheduled with, ``[solver]`` the CP-SAT settings. The scenario's
own ``[[campaign]]`` entries (dated) are not used by the quote; quoted outbound work
is ``[[quote.outbound]]`` with records per month.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from pydantic import Field, field_validator, model_validator

from wfm import limits
from wfm._types import MONEY, CallingRules, Weekday
from wfm._types import Fraction as Share
from wfm._types import Section as _Section  # the scenario's strict base: finite numbers, no true/false as numbers
from wfm._types import check_clock as _check_clock
from wfm._types import path_error as _path_error

NonNegative = Annotated[float, Field(ge=0)]
Cost = Annotated[NonNegative, MONEY]  # an amount of at least 0 in the scenario's currency


class _Demand(_Section):
    """Where a channel's volumes come from: ``monthly_volumes`` or a ``history`` file."""

    name: str = Field(min_length=1)
    monthly_volumes: list[NonNegative] | None = None  # one per quoted month
    history: str | None = None  # interval file (ds, y[, aht]); path relative to the scenario
    aht: float | None = Field(None, gt=0)  # seconds; default: the history's volume-weighted aht


class VoiceChannel(_Demand):
    """Inbound calls sized per interval with Erlang C (Erlang A when ``patience`` is given)."""

    name: str = Field("voice", min_length=1)
    service_level: float = Field(0.8, gt=0, lt=1)
    answer_within: float = Field(20.0, ge=0)  # seconds
    patience: float | None = Field(None, gt=0)  # mean caller patience, seconds
    max_occupancy: float = Field(0.9, gt=0, le=1)


class ChatChannel(VoiceChannel):
    """Chats: an agent handles up to ``concurrency`` chats at once.

    Sized as ``concurrency`` x agents parallel servers of one queue (each chat
    holds one of an agent's slots for its ``aht``), so ``concurrency = 1`` is
    exactly a voice queue with the same target.
    """

    name: str = Field("chat", min_length=1)
    answer_within: float = Field(60.0, ge=0)
    concurrency: int = Field(1, ge=1, le=10)


class DeferredChannel(_Demand):
    """E-mail or back-office items that must be answered within ``answer_within_hours``.

    No queueing: each interval's work (items x aht) is spread evenly over the open
    intervals of its answer window, then divided by ``max_occupancy``.
    """

    name: str = Field("email", min_length=1)
    answer_within_hours: float = Field(24.0, gt=0, le=168)
    max_occupancy: float = Field(0.85, gt=0, le=1)


class OutboundChannel(CallingRules):
    """An outbound campaign quoted by records per month.

    The calling rules are those of a scenario's ``[[campaign]]``
    (:class:`wfm._types.CallingRules`, one definition for both). Each representative
    week gets the month's records times the week's share of the month's calling days,
    due by the end of that week.
    """

    monthly_records: list[Annotated[int, Field(ge=0, le=limits.MAX_CAMPAIGN_RECORDS)]]


class Shrinkage(_Section):
    """Paid time lost besides the breaks and lunches of the shift rules, by cause.

    The parts add up to the shrinkage that inflates every interval's requirement
    (``scheduled = agents / (1 - total)``); breaks are placed by the scheduler and
    reported from the schedule, so they are not a part here.
    """

    absence: Share = 0.06
    training: Share = 0.03
    meetings: Share = 0.02
    coaching: Share = 0.02
    other: Share = 0.0

    @property
    def total(self) -> float:
        """All shrinkage causes together.

        Returns
        -------
        float
            The share of paid time lost, below 1.
        """
        return self.absence + self.training + self.meetings + self.coaching + self.other

    @model_validator(mode="after")
    def _below_one(self) -> Shrinkage:
        if self.total >= 1:
            raise _path_error(f"quote.shrinkage: the parts add up to {self.total:g}, expected a total below 1.")
        return self


class Labour(_Section):
    """Premiums, ratios of support staff, attrition and the cost of bringing hires on.

    Agents' hourly wages are the ``cost_per_hour`` of the scenario's ``[[group]]``
    (one group per skill).
    """

    night_premium: float = Field(0.25, ge=0, le=5)  # extra share of the wage at night
    night_start: str = "22:00"
    night_end: str = "05:00"
    weekend_premium: float = Field(0.25, ge=0, le=5)  # extra share of the wage on weekend days
    weekend_days: list[Weekday] = Field(default_factory=lambda: ["sat", "sun"])
    fte_hours_per_week: float = Field(40.0, gt=0, le=80)  # paid hours of one full-time agent
    supervisor_ratio: float = Field(15.0, gt=0)  # agents per supervisor
    supervisor_cost_per_month: Cost = 450_000
    qa_ratio: float = Field(40.0, gt=0)  # agents per quality analyst
    qa_cost_per_month: Cost = 380_000
    trainer_ratio: float = Field(60.0, gt=0)  # agents per trainer
    trainer_cost_per_month: Cost = 400_000
    monthly_attrition: Share = 0.05
    hiring_lead_weeks: float = Field(4.0, ge=0)
    hiring_cost_per_hire: Cost = 60_000
    training_weeks: float = Field(3.0, ge=0)  # paid, off the phones
    ramp_weeks: float = Field(4.0, ge=0)  # on the phones at reduced productivity
    ramp_productivity: Share = 0.6

    _clock = field_validator("night_start", "night_end")(_check_clock)


class Overhead(_Section):
    """Costs besides labour."""

    seat_cost_per_month: Cost = 30_000  # per seat (desk, space, power)
    technology_per_agent_month: Cost = 15_000  # licences, telephony, per agent
    management_fee: float = Field(0.08, ge=0, lt=1)  # share added on the direct cost
    spare_seats: Share = 0.10  # seats = ceil(peak agents on shift x (1 + spare))


class Quote(_Section):
    """A staffing quote: demand by channel, labour, overhead, margin."""

    client: str = "client"
    start_month: str  # "YYYY-MM"
    months: int = Field(12, ge=1, le=12)
    margin: float = Field(0.15, ge=0)  # share of the price: price = cost / (1 - margin)
    holidays: list[dt.date] = Field(default_factory=list)  # closed days inside the term
    day_of_week: dict[Weekday, NonNegative] | None = None  # default: the bundled sample's split
    intraday: str = "bank"  # "bank" (bundled sample's curve), "flat", or a CSV file (time, share)
    voice: list[VoiceChannel] = Field(default_factory=list)
    chat: list[ChatChannel] = Field(default_factory=list)
    deferred: list[DeferredChannel] = Field(default_factory=list)
    outbound: list[OutboundChannel] = Field(default_factory=list)
    shrinkage: Shrinkage = Field(default_factory=Shrinkage)
    labour: Labour = Field(default_factory=Labour)
    overhead: Overhead = Field(default_factory=Overhead)
    volume_buffer: float = Field(0.0, ge=0, le=1)  # staff inbound for (1 + buffer) x the expected volume
    amortize_launch: bool = True  # spread the launch wave's training, ramp-up and hiring over the term
    # CP-SAT work per representative week in deterministic seconds (the same quote on any machine;
    # about as long as the former 15 s wall-clock default), and the wall-clock safety cap per week.
    work_limit: float = Field(5.0, gt=0, allow_inf_nan=False)
    time_limit_seconds: float = Field(120.0, gt=0, allow_inf_nan=False)
    sensitivity: bool = True
    sensitivity_month: str | None = None  # "YYYY-MM"; default the busiest month

    @field_validator("start_month", "sensitivity_month")
    @classmethod
    def _month(cls, value: str | None) -> str | None:
        if value is None:
            return value
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", str(value).strip()):
            raise ValueError(f"'{value}' is not a month, expected YYYY-MM such as 2026-04")
        return str(value).strip()

    @model_validator(mode="after")
    def _consistent(self) -> Quote:
        if self.margin >= 1:
            raise _path_error(
                f"quote.margin: {self.margin:g} is not below 1, expected the margin as a share of the price "
                f"such as 0.15 (a margin of 100% or more has no price)."
            )
        channels = [("voice", self.voice), ("chat", self.chat), ("deferred", self.deferred)]
        if not any(c for _, c in channels) and not self.outbound:
            raise _path_error(
                "quote: no channel, expected at least one [[quote.voice]], [[quote.chat]], "
                "[[quote.deferred]] or [[quote.outbound]]."
            )
        names: set[str] = set()
        for kind, items in channels + [("outbound", self.outbound)]:
            for i, channel in enumerate(items):
                if channel.name in names:
                    raise _path_error(f"quote.{kind}[{i}].name: '{channel.name}' is used twice, expected unique names.")
                names.add(channel.name)
        for kind, items in channels:
            for i, channel in enumerate(items):
                place = f"quote.{kind}[{i}]"
                if (channel.monthly_volumes is None) == (channel.history is None):
                    raise _path_error(
                        f"{place}: give either monthly_volumes (one per month) or a history file, not "
                        f"{'both' if channel.history else 'neither'}."
                    )
                if channel.monthly_volumes is not None:
                    self._check_months(f"{place}.monthly_volumes", len(channel.monthly_volumes), "volume")
                    if channel.aht is None:
                        raise _path_error(f"{place}.aht: is missing, expected the average handle time in seconds.")
        for i, channel in enumerate(self.outbound):
            self._check_months(f"quote.outbound[{i}].monthly_records", len(channel.monthly_records), "record count")
        if self.sensitivity_month is not None and self.sensitivity_month not in self.month_labels():
            raise _path_error(
                f"quote.sensitivity_month: {self.sensitivity_month} is not a quoted month, expected one of "
                f"{self.month_labels()[0]} .. {self.month_labels()[-1]}."
            )
        return self

    def _check_months(self, place: str, given: int, what: str) -> None:
        if given != self.months:
            raise _path_error(
                f"{place}: {given} value{'' if given == 1 else 's'} for {self.months} months (quote.months), expected one {what} per month "
                f"from {self.month_labels()[0]} to {self.month_labels()[-1]}."
            )

    def month_starts(self) -> list[dt.date]:
        """First day of each quoted month.

        Returns
        -------
        list of date
            ``months`` dates from ``start_month``.
        """
        year, month = map(int, self.start_month.split("-"))
        out = []
        for _ in range(self.months):
            out.append(dt.date(year, month, 1))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return out

    def month_labels(self) -> list[str]:
        """The quoted months as ``YYYY-MM``.

        Returns
        -------
        list of str
            One label per month.
        """
        return [d.strftime("%Y-%m") for d in self.month_starts()]


__all__ = [
    "Quote",
    "VoiceChannel",
    "ChatChannel",
    "DeferredChannel",
    "OutboundChannel",
    "Shrinkage",
    "Labour",
    "Overhead",
]
