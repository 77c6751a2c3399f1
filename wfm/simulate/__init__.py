"""Verify a staffing plan by discrete-event simulation, or by replaying real calls (stage 5).

The queue is one skill, first-come first-served, with a time-varying number of
agents available for inbound calls (breaks, lunches and outbound work are simply
fewer agents in the interval), optional abandonment, and Poisson arrivals whose
rate is constant within each interval (the forecast volume divided by the
interval length). Callers' handle times and patience are one
:class:`Behaviour` (:mod:`.behaviour`); :mod:`.engine` pushes the calls through the
queue; :mod:`.kpis` turns what happened into KPIs; :mod:`.inputs` checks the tables.

Staffing rule
-------------
``agents`` in an interval is the number of agents present for inbound calls. When
it drops at an interval boundary while more calls are in service, nobody is cut
off: the agents who finish first leave, and no new call is answered until fewer
than ``agents`` calls are in service. When it rises, the new agents answer waiting
calls at once.

Closing: when staffing drops to zero (the centre closes for the night, or intervals
missing between rows), the agents of the last staffed interval stay until the callers
already waiting at closing time are answered (or hang up); callers arriving while it
is closed wait for the next opening (or hang up). Time beyond the last interval keeps
the last interval's staffing, so calls still in queue at the end are worked off; if the
last interval has no agents, callers arriving in that final closed spell who never hang
up count as abandoned at the end of the horizon.

KPI definitions
---------------
Calls are attributed to the interval in which they *arrive*.

``service_level``  answered within ``answer_within`` seconds / offered calls. Every
                   abandoned call counts in the denominator and never in the
                   numerator, including callers who hang up within the target
                   (the strict convention; it can only under-state service).
``asa``            mean wait in seconds of answered calls.
``abandon_rate``   abandoned / offered.
``occupancy``      busy agent-seconds / available agent-seconds in the interval,
                   where available = agents x interval length plus the time agents
                   past their shift spend finishing calls (so occupancy <= 1).

Each KPI is computed per replication from that replication's totals (per interval,
per day, over the whole horizon), then averaged over replications with a 95%
Student-t confidence interval (``*_lo``, ``*_hi``; empty with one replication, and
an interval with no offered calls in a replication leaves that replication out).

Randomness comes from ``numpy.random.Generator`` streams spawned from one
``SeedSequence(seed)``, one per replication: the same inputs and seed give the
same numbers, and replication ``r`` does not depend on how many others are run.
"""

from wfm.simulate.behaviour import Behaviour, Empirical, Exponential
from wfm.simulate.engine import CallOutcomes, replay, run_calls, simulate, simulate_totals
from wfm.simulate.inputs import STAFFING_COLUMNS, agents_column_of, infer_staffing_interval
from wfm.simulate.kpis import SUM_COLUMNS, SimulationResult, describe, kpis_from_totals, shortfalls, summarise

__all__ = [
    "simulate",
    "replay",
    "Behaviour",
    "Exponential",
    "Empirical",
    "SimulationResult",
    "CallOutcomes",
    "run_calls",
    "simulate_totals",
    "kpis_from_totals",
    "shortfalls",
    "summarise",
    "agents_column_of",
    "infer_staffing_interval",
    "describe",
    "STAFFING_COLUMNS",
    "SUM_COLUMNS",
]
