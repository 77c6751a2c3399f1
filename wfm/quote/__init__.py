"""Quotes for outsourcers: a priced month plan from a client's volumes and terms.

Modules: :mod:`.settings` (the ``[quote]`` section, which :mod:`wfm.scenario` reads),
:mod:`.api` (demand, the representative week, pricing, sensitivity) and
:mod:`.workbook` (the XLSX quote).

The public names of :mod:`.api` load on first use: the scenario imports
:mod:`.settings`, and loading the pricing code then would make an import circle
(pricing needs the scenario's campaigns).
"""

from __future__ import annotations

import importlib

__all__ = [
    "Knobs",
    "QuoteResult",
    "build_quote",
    "write_quote",
    "quote_files",
    "quote_json",
    "derive_demand_profile",
    "load_demand_profile",
    "representative_monday",
    "describe",
    "check_out_dir",
    "COST_LINES",
    "SENSITIVITY_CASES",
]


def __getattr__(name: str):
    if name in __all__:
        return getattr(importlib.import_module("wfm.quote.api"), name)
    raise AttributeError(f"module 'wfm.quote' has no attribute {name!r}")
