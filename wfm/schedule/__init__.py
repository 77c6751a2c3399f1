"""Blended inbound/outbound weekly scheduling with OR-Tools CP-SAT (stage 3).

Modules: :mod:`.rules` (the problem in slots), :mod:`.model` (one helper per rule),
:mod:`.solve` (GLOP bound, CP-SAT), :mod:`.repair`, :mod:`.expand` (agents and
segments), :mod:`.figures` (numbers recomputed from the written plan),
:mod:`.diagnose` (binding rules), :mod:`.validate` (hard-rule checks) and
:mod:`.api` (``make_schedule``, ``write_schedule``, ``schedule_files``).
"""

from wfm.schedule.api import *  # noqa: F403
from wfm.schedule.api import __all__  # noqa: F401
