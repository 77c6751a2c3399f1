"""Verify: discrete-event simulation of a staffing plan and replay of real calls (stage 5).

Modules: :mod:`.engine` (the event loop, KPIs and the public ``simulate``/``replay``).
"""

from wfm.simulate.engine import *  # noqa: F403
from wfm.simulate.engine import __all__  # noqa: F401
