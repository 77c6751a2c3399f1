"""Shared building blocks of the settings models (one copy, imported by both
:mod:`wfm.scenario` and :mod:`wfm.quote.settings` without an import cycle):
the strict :class:`Section` base, weekdays, ``HH:MM`` clock times, errors that carry
their TOML path, and the calling rules every outbound campaign has."""

from __future__ import annotations

import typing
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from wfm.errors import shown


def _takes_bool(annotation: Any) -> bool:
    return annotation is bool or any(_takes_bool(arg) for arg in typing.get_args(annotation))


def _holds_bool(value: Any) -> bool:
    if isinstance(value, (list, tuple)):
        return any(isinstance(v, bool) for v in value)
    return isinstance(value, bool)


class Section(BaseModel):
    """Strict base of every settings section: unknown keys are mistakes, not silently ignored
    settings; every float is finite (``inf`` or ``nan`` in a cost or rate would reach the
    solver as a crash or a meaningless plan); ``true``/``false`` is not a number."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, validate_assignment=False, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _no_true_false_numbers(cls, value: Any, info) -> Any:
        # Pydantic reads `cost_per_hour = true` as 1.0; a planner meant a number, so say so.
        field = cls.model_fields.get(info.field_name)
        if field is not None and not _takes_bool(field.annotation) and _holds_bool(value):
            raise ValueError("expected a number, not true or false")
        return value


# --- days and times of day ----------------------------------------------------

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Fraction = Annotated[float, Field(ge=0.0, le=1.0)]


class _MoneyMark:
    """The mark of a setting counted in the scenario's currency (see :data:`Money`)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "MONEY"


MONEY = _MoneyMark()
# An amount in the scenario's currency. The mark lets code find every money figure from the
# models (wfm.start converts them when a plan starts in another currency): a new cost,
# penalty or value setting is typed Money, never a plain float. The bound is each setting's
# own (a pay rate above 0, a penalty at least 0), so the messages stay as they were.
Money = Annotated[float, MONEY]


def clock_minutes(text: str, place: str = "time", allow_24: bool = True) -> int:
    """Minutes after midnight of a ``HH:MM`` wall-clock time (``24:00`` allowed as a closing time).

    Parameters
    ----------
    text : str
        ``HH:MM``.
    place : str
        TOML path, for the message.
    allow_24 : bool
        Accept ``24:00`` (a closing time).

    Returns
    -------
    int
        Minutes after midnight.

    Raises
    ------
    ValueError
        When the text is not a time of day (pydantic turns it into a TOML-path message).

    Examples
    --------
    >>> clock_minutes("07:30")
    450
    """
    try:
        hours, minutes = str(text).strip().split(":")
        h, m = int(hours), int(minutes)
    except ValueError:
        raise ValueError(f"'{shown(text)}' is not a time of day, expected HH:MM such as 07:30") from None
    if not (0 <= m < 60) or not (0 <= h <= 24) or (h == 24 and (m != 0 or not allow_24)):
        raise ValueError(f"'{shown(text)}' is not a time of day, expected HH:MM between 00:00 and 24:00")
    return h * 60 + m


def check_clock(value: str) -> str:
    """Field validator of a ``HH:MM`` setting: the text is kept as written once it parses.

    Parameters
    ----------
    value : str
        The setting as written.

    Returns
    -------
    str
        ``value``, unchanged.
    """
    clock_minutes(value)
    return value


# --- TOML paths in messages ----------------------------------------------------


def path_error(message: str) -> PydanticCustomError:
    """A validation error whose message already starts with its TOML path.

    :func:`wfm.scenario.format_validation_error` shows it as it is; braces are
    replaced because pydantic reads them as placeholders.

    Parameters
    ----------
    message : str
        The sentence, starting with the TOML path.

    Returns
    -------
    PydanticCustomError
        The error to raise from a validator.
    """
    return PydanticCustomError("toml_path", message.replace("{", "(").replace("}", ")"))


# --- what a scenario's [[campaign]] and a quote's [[quote.outbound]] share ------


class CallingRules(Section):
    """How an outbound campaign is called: attempts, contact rate, handle time, window, callers.

    The base of :class:`wfm.scenario.Campaign` (records and dates of a planned week)
    and :class:`wfm.quote.settings.OutboundChannel` (records per quoted month), so
    the two sections take the same fields with the same defaults and checks.
    """

    name: str = Field(min_length=1)
    max_attempts: int = Field(3, ge=1, le=50)
    contact_rate: float = Field(gt=0, le=1)
    aht_contact: float = Field(gt=0)  # seconds per contact (talk + wrap)
    attempt_seconds: float = Field(30.0, ge=0)  # seconds per failed attempt
    conversion_rate: Fraction | None = None
    window_days: list[Weekday] = Field(default_factory=lambda: ["mon", "tue", "wed", "thu", "fri"])
    window_start: str = "09:00"
    window_end: str = "20:00"
    groups: list[str] | None = None  # groups allowed to call; default every outbound/blended group

    _clock = field_validator("window_start", "window_end")(check_clock)

    @model_validator(mode="after")
    def _window(self) -> CallingRules:
        if clock_minutes(self.window_end) <= clock_minutes(self.window_start):
            raise ValueError(f"window_end {self.window_end} is not after window_start {self.window_start}")
        return self
