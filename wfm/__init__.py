"""wfm: workforce management and staffing optimisation for contact centres.

The package is a chain of plain functions from tables and settings to tables:
forecast -> size (Erlang C / A) -> schedule (CP-SAT) -> verify (simulation) -> export.
"""

from wfm.errors import InputError

__version__ = "0.1.0"
__all__ = ["InputError", "__version__"]
