"""The scenario's ``[roster]`` section: shift codes (overnight ones too), per-shift cover
and the weights of the contact-centre roster's objective.

Kept apart from :mod:`wfm.scenario` (which only holds a reference to it) so the roster
settings live beside the roster code. Imports nothing from :mod:`wfm.scenario`.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, field_validator, model_validator

from wfm._types import Section
from wfm.errors import shown

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def clock(text: str) -> int:
    """Minutes after midnight of ``HH:MM`` (00:00-24:00).

    Parameters
    ----------
    text : str
        The time of day.

    Returns
    -------
    int
        Minutes after midnight, 0 to 1440.

    Raises
    ------
    ValueError
        When ``text`` is not a time of day (pydantic turns it into a field error).
    """
    try:
        hours, minutes = str(text).strip().split(":")
        h, m = int(hours), int(minutes)
    except ValueError:
        raise ValueError(f"'{shown(text)}' is not a time of day, expected HH:MM such as 22:00") from None
    if not (0 <= m < 60 and 0 <= h <= 24) or (h == 24 and m):
        raise ValueError(f"'{shown(text)}' is not a time of day, expected HH:MM between 00:00 and 24:00")
    return h * 60 + m


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
        clock(value)
        return value

    @property
    def start_minute(self) -> int:
        """The start, in minutes after midnight (``24:00`` is 0).

        Returns
        -------
        int
            0 to 1439.
        """
        return clock(self.start) % (24 * 60)

    @property
    def span_minutes(self) -> int:
        """Minutes from start to end (across midnight when the end is not after the start).

        Returns
        -------
        int
            1 to 1440.
        """
        span = clock(self.end) - self.start_minute
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
    # Per agent-interval short of the interval requirement; default costs.inbound_short_penalty.
    short_penalty: float | None = Field(None, ge=0)
    cover_short_penalty: float = Field(100_000.0, ge=0)  # per person short of a per-shift cover
    wish_value: float = Field(1_000.0, ge=0)  # per weight point of an unmet wish
    fairness_value: float = Field(1_000.0, ge=0)  # an agent's k-th weekend (late) shift costs (k - 1) x this
    min_hours_penalty: float = Field(30_000.0, ge=0)  # per hour below a contract minimum
    change_penalty: float = Field(50_000.0, ge=0)  # per shift changed from the published roster
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
