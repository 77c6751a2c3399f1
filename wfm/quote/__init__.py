"""Quotes for outsourcers: a priced month plan from a client's volumes and terms.

Modules, in the order the data flows: :mod:`.settings` (the ``[quote]`` section,
which :mod:`wfm.scenario` reads), :mod:`.demand` (volumes of a representative week
and the agents they require), :mod:`.week` (the week scheduled, scaled to its
month), :mod:`.pricing` (cost lines and prices), :mod:`.sensitivity` (one month
re-solved under each change), :mod:`.api` (``build_quote`` runs them in order,
``write_quote`` writes the files) and :mod:`.workbook` (``quote.xlsx``).

Why the public names load on first use (PEP 562 ``__getattr__``) instead of being
imported here: :mod:`wfm.scenario` imports :mod:`.settings`, and importing any
submodule runs this file first, while the scenario module is still half-built. The
pricing modules need the scenario (its ``Campaign`` and, through
:mod:`wfm.schedule`, all of it), so importing them here would be an import circle.
Keeping ``[quote]``'s settings inside this package (beside the code that uses them)
costs this one lazy step; the other ways out, moving the settings out of the
package or letting the scenario import them late, would spread the quote over the
tree or leave a half-built :class:`~wfm.scenario.Scenario`. ``tests/test_imports.py``
checks that no wfm module imports another in a circle, these deferred imports aside.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = [  # by the module each name lives in (see __getattr__)
    "QuoteResult", "build_quote", "write_quote", "quote_files", "quote_json", "describe",
    "Knobs", "derive_demand_profile", "load_demand_profile", "representative_monday",
    "COST_LINES", "SENSITIVITY_CASES", "check_out_dir",
]

_API = ("QuoteResult", "build_quote", "write_quote", "quote_files", "quote_json", "describe")
_DEMAND = ("Knobs", "derive_demand_profile", "load_demand_profile", "representative_monday")

if TYPE_CHECKING:  # what type checkers and editors see; never run
    from wfm.export import check_out_dir
    from wfm.quote.api import QuoteResult, build_quote, describe, quote_files, quote_json, write_quote
    from wfm.quote.demand import Knobs, derive_demand_profile, load_demand_profile, representative_monday
    from wfm.quote.pricing import COST_LINES
    from wfm.quote.sensitivity import SENSITIVITY_CASES


def __getattr__(name: str):
    # These imports run on the first use of a public name, never while wfm.scenario is
    # loading (tests/test_imports.py lists them as the edges allowed to close a circle).
    if name in _API:
        from wfm.quote import api as home
    elif name in _DEMAND:
        from wfm.quote import demand as home
    elif name == "COST_LINES":
        from wfm.quote import pricing as home
    elif name == "SENSITIVITY_CASES":
        from wfm.quote import sensitivity as home
    elif name == "check_out_dir":
        from wfm import export as home
    else:
        raise AttributeError(f"module 'wfm.quote' has no attribute {name!r}")
    value = getattr(home, name)
    globals()[name] = value  # found once; later lookups are plain attribute reads
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
