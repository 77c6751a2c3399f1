"""The scenario's ``[roster]`` section: shift codes (overnight ones too), per-shift cover
and the weights of the contact-centre roster's objective.

The models live in :mod:`wfm.scenario` (the one place settings and their defaults are
defined; importing them from there runs no code of this package, so there is no import
circle); they are named here for the roster code.
"""

from wfm.scenario import RosterCover, RosterSettings, RosterShift
from wfm.scenario import roster_clock as clock

__all__ = ["RosterCover", "RosterSettings", "RosterShift", "clock"]
