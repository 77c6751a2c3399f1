"""Shared building blocks of the settings models (one copy, imported by both
:mod:`wfm.scenario` and :mod:`wfm.quote.settings` without an import cycle)."""

from __future__ import annotations

import typing
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator


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
