"""The rostering problem: named employees, days, shift types, contracts, requests and
cover per day and shift type.

This is the generic model every roster source maps onto (the Curtois & Qu benchmark
in :mod:`wfm.roster.curtois` today; a contact centre's roster file later). Days are
indexed from 0; ``first_weekday`` says which weekday day 0 is (0 = Monday), so the
weekends follow from the calendar and not from the source format.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# How runs that touch the first or last day of the horizon count for the minimum
# run-length rules (min consecutive shifts, min consecutive days off):
#   "exempt":   a run cut by the horizon's edge may be shorter than the minimum (the
#               days outside the horizon are unknown, so the run may continue there);
#   "enforced": every run inside the horizon must reach the minimum.
# The Curtois & Qu optima are reproduced with "exempt" (see evaluate.py and the tests).
EDGE_RUNS = ("exempt", "enforced")


@dataclass(frozen=True)
class ShiftType:
    """A shift type: its paid length and the shift types that may not follow it the next day."""

    name: str
    minutes: int
    cannot_follow: frozenset[str] = frozenset()  # shift types forbidden on the next day


@dataclass(frozen=True)
class Contract:
    """Hard limits of one employee's roster over the horizon (``None``: no limit)."""

    max_shifts: dict[str, int] = field(default_factory=dict)  # per shift type; absent: no limit
    min_minutes: int = 0
    max_minutes: int | None = None
    max_consecutive_shifts: int | None = None
    min_consecutive_shifts: int = 1
    min_consecutive_days_off: int = 1
    max_weekends: int | None = None


@dataclass(frozen=True)
class Employee:
    name: str
    contract: Contract
    days_off: frozenset[int] = frozenset()  # days the employee cannot work (hard)


@dataclass(frozen=True)
class Request:
    """A wish with a weight: ``wanted`` True is "I want this shift that day" (an
    on-request, costs its weight when not granted), False is "I do not want it" (an
    off-request, costs its weight when the shift is assigned)."""

    employee: str
    day: int
    shift: str
    weight: int
    wanted: bool


@dataclass(frozen=True)
class Cover:
    """Cover requirement of one day and shift type ("3 on the early shift")."""

    day: int
    shift: str
    required: int
    under_weight: int  # per person short
    over_weight: int  # per person over


@dataclass
class RosterProblem:
    days: int
    shifts: list[ShiftType]
    employees: list[Employee]
    requests: list[Request] = field(default_factory=list)
    cover: list[Cover] = field(default_factory=list)
    first_weekday: int = 0  # weekday of day 0 (0 = Monday)
    edge_runs: str = "exempt"
    source: str = ""

    def shift(self, name: str) -> ShiftType:
        """The shift type called ``name``.

        Parameters
        ----------
        name : str
            A shift type name.

        Returns
        -------
        ShiftType
            The shift type.
        """
        return next(s for s in self.shifts if s.name == name)

    def weekends(self) -> list[list[int]]:
        """Days of each weekend (Saturday and Sunday) that falls at least partly in the horizon.

        Returns
        -------
        list of list of int
            Day indices per weekend.
        """
        weekends: dict[int, list[int]] = {}
        for day in range(self.days):
            weekday = (self.first_weekday + day) % 7
            if weekday >= 5:
                # The Saturday's day index names the weekend, so a horizon starting on a
                # Sunday still counts that Sunday as one weekend.
                weekends.setdefault(day - (weekday - 5), []).append(day)
        return [weekends[key] for key in sorted(weekends)]
