"""Forecast: offered volume and AHT per interval from history (stage 1 of the data flow).

Modules: :mod:`.grid` (the calendar grid history is read on), :mod:`.models` (candidate
models), :mod:`.calendar` (public holidays and special days), :mod:`.adjust` (planner
overrides), :mod:`.api` (``forecast`` and ``backtest``).
"""

from wfm.forecast.api import *  # noqa: F403
from wfm.forecast.api import __all__  # noqa: F401
