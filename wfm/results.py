"""Typed results of the schedule and plan stages, and the JSON files they become.

:class:`ScheduleSummary` is what ``summary.json`` of ``wfm schedule`` holds and
:class:`PlanKpis` what ``kpis.json`` of ``wfm plan`` holds. Callers read attributes
(``summary.cost``, ``kpis.notes``), so a misspelt figure fails where it is read, not as a
silent ``None``; :meth:`to_json` gives the file's dictionary, keys in the order the
files have always had (a planner's diff of two runs stays readable).

Nested figures (per campaign, per queue, the hours breakdown) stay dictionaries: they
are keyed by the planner's own names.
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ScheduleSummary", "PlanKpis"]


class _Record:
    """``to_json``/``from_json`` for a dataclass whose fields are the file's keys."""

    def to_json(self) -> dict[str, Any]:
        """The result as the file's dictionary (a copy: changing it leaves the result alone)."""
        return {f.name: copy.deepcopy(getattr(self, f.name)) for f in dataclasses.fields(self)}

    @classmethod
    def from_json(cls, data: dict[str, Any]):
        """The result read back from its file's dictionary; keys it does not know are left out,
        keys it lacks take their defaults (``None`` for a figure)."""
        known = {f.name: f for f in dataclasses.fields(cls)}
        values = {name: copy.deepcopy(data[name]) for name in known if name in data}
        for name, f in known.items():
            if name not in values and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                values[name] = None
        return cls(**values)


@dataclass
class ScheduleSummary(_Record):
    """The written schedule's figures (``summary.json``).

    ``cost`` is paid cost + agent overhead + penalties; ``lower_bound`` the larger of the
    LP relaxation and CP-SAT's bound; ``gap`` ``(cost - lower_bound) / cost``;
    ``solver_cost`` the solver's objective (a note says when it is not ``cost``);
    ``phases`` the solver's per-phase statuses (timings go to ``run.json``), written
    beside the other figures; ``work_used`` the CP-SAT work of all phases.
    """

    scenario: str
    currency: str
    status: str
    cost: float | None
    lower_bound: float | None
    gap: float | None
    lp_bound: float | None
    cpsat_bound: float | None
    paid_cost: float | None
    agent_overhead_cost: float | None
    short_penalty_cost: float | None
    undone_penalty_cost: float | None
    goal_late_penalty_cost: float | None
    paid_hours: float
    agents: int
    agents_by_group: dict[str, int]
    required_agent_intervals: int
    under_intervals: int
    under_agent_intervals: int
    over_agent_intervals: int
    required_in_closed_hours: float
    campaigns: dict[str, dict]
    outbound_done_share: dict[str, float]
    binding_rules: list[str]
    notes: list[str]
    variables: int
    constraints: int
    fte: float | None = None
    solver_cost: float | None = None
    phases: dict[str, Any] = field(default_factory=dict)
    work_used: float | None = None

    def to_json(self) -> dict[str, Any]:
        """``summary.json`` as a dictionary: the phase figures at the top level, then ``work_used``.

        Returns
        -------
        dict
            A copy of the figures.
        """
        out = super().to_json()
        # The phase figures stand at the top level of summary.json, before the total work.
        phases, work_used = out.pop("phases"), out.pop("work_used")
        out.update({k: v for k, v in phases.items() if k not in out})
        out["work_used"] = work_used
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ScheduleSummary:
        """A summary read back from ``summary.json``'s dictionary.

        Parameters
        ----------
        data : dict
            The file's dictionary; phase figures at its top level go back into ``phases``.

        Returns
        -------
        ScheduleSummary
            The summary.
        """
        known = {f.name for f in dataclasses.fields(cls)}
        summary = super().from_json(data)
        summary.phases = {k: copy.deepcopy(v) for k, v in data.items() if k not in known}
        return summary


@dataclass
class PlanKpis(_Record):
    """A plan's figures (``kpis.json``): the schedule's cost, bound and gap, and per queue
    the Erlang-predicted and the simulated service (``queues``).

    ``service_level``, ``asa``, ``abandon_rate`` and ``occupancy`` are the simulated
    figures over all queues, weighted by each queue's forecast calls; ``notes`` are the
    sentences the planner should read (the plan's and the schedule's); ``roster`` the
    named agents' roster figures (:func:`wfm.plan.roster_kpis`) when the scenario names one.
    """

    scenario: str
    currency: str
    horizon: dict[str, Any]
    status: str | None
    cost: float | None
    lower_bound: float | None
    gap: float | None
    paid_hours: float | None
    agents: int | None
    fte: float | None
    calls_forecast: float
    cost_per_call: float | None
    under_intervals: int | None
    binding_rules: list[str]
    outbound_done_share: dict[str, float]
    queues: dict[str, dict]
    where_hours_go: dict[str, Any] | None
    notes: list[str]
    service_level: float | None = None
    asa: float | None = None
    abandon_rate: float | None = None
    occupancy: float | None = None
    roster: dict[str, Any] | None = None  # the named agents' roster, when the scenario names one

    def to_json(self) -> dict[str, Any]:
        """``kpis.json`` as a dictionary; ``roster`` only when the plan rostered named agents,
        so a plan without a roster writes the same file as before rosters existed.

        Returns
        -------
        dict
            A copy of the figures.
        """
        out = super().to_json()
        if out["roster"] is None:
            del out["roster"]
        return out
