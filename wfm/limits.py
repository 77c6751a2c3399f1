"""The documented limits of one run, in one place, and the checks that enforce them.

Every limit is checked up front, before the expensive work, and a breach is one
:class:`~wfm.errors.InputError` sentence naming the field and the limit. The values
are far above any real contact centre (the largest single queues run a few thousand
agents) and low enough that the largest allowed input finishes in bounded time and
memory on a laptop:

=================================  ============  ==========================================
limit                              value         why
=================================  ============  ==========================================
``MAX_CALLS_PER_INTERVAL``         100,000       calls offered to one queue in one interval
``MAX_SIMULATED_CALLS``            5,000,000     calls of one queue in one simulation run (memory)
``MAX_OFFERED_LOAD``               20,000        Erlangs of one queue in one interval
``MAX_AGENTS_PER_INTERVAL``        20,000        agents staffed or required in one interval
``MAX_AHT_SECONDS``                14,400        4 hours: an average handle time, seconds
``MAX_PATIENCE_SECONDS``           14,400        4 hours: a mean caller patience, seconds
``MAX_GROUPS``                     100           ``[[group]]`` entries of a scenario
``MAX_SHIFTS``                     200           ``[[shift]]`` rules of a scenario
``MAX_CAMPAIGNS``                  100           ``[[campaign]]`` entries of a scenario
``MAX_QUEUES``                     50            ``[[queue]]`` entries of a scenario
``MAX_HORIZON_DAYS``               364           52 weeks: ``horizon.days``
``MAX_CAMPAIGN_RECORDS``           100,000,000   ``campaign.records``
``MAX_DAY_SHEETS``                 35            per-day sheets in ``schedule.xlsx`` (5 weeks)
``MAX_DAY_SHEET_CELLS``            250,000       timeline cells over those sheets (write time)
=================================  ============  ==========================================

Erlang A work grows with the square root of the load over the ratio AHT / patience,
so both the load and the patience are capped; Erlang C is cheap at any allowed load.
Measured on the shared 2-core machine: Erlang A sizing at 20,000 Erlangs takes about
30-90 ms per interval with a 2-minute patience and 1-3 s per interval in the worst
allowed corner (AHT 10 s, patience 4 h); a simulation replication runs about 400,000
calls a second in ~250 bytes a call; a workbook at the day-sheet limits writes its
timelines in 25-100 s (openpyxl writes 2,500-10,000 styled cells a second).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from wfm.errors import InputError

MAX_CALLS_PER_INTERVAL = 100_000
MAX_SIMULATED_CALLS = 5_000_000
MAX_OFFERED_LOAD = 20_000.0
MAX_AGENTS_PER_INTERVAL = 20_000
MAX_AHT_SECONDS = 14_400.0
MAX_PATIENCE_SECONDS = 14_400.0
MAX_GROUPS = 100
MAX_SHIFTS = 200
MAX_CAMPAIGNS = 100
MAX_QUEUES = 50
MAX_HORIZON_DAYS = 364
MAX_CAMPAIGN_RECORDS = 100_000_000
MAX_DAY_SHEETS = 35
MAX_DAY_SHEET_CELLS = 250_000

# TOML array name -> (limit, what it counts), checked on the raw file before validation
# so that 50,000 entries cost a len() rather than 50,000 validated models.
_SECTION_LIMITS = {
    "group": (MAX_GROUPS, "agent groups"),
    "shift": (MAX_SHIFTS, "shift rules"),
    "campaign": (MAX_CAMPAIGNS, "campaigns"),
    "queue": (MAX_QUEUES, "queues"),
}


def _count(value: float) -> str:
    return f"{value:,.0f}" if np.isfinite(value) and abs(value) < 1e15 else f"{value:g}"


def section_overflow(data: object) -> str | None:
    """The sentence for a scenario with more ``[[group]]``, ``[[shift]]``... entries than allowed.

    Parameters
    ----------
    data : object
        The scenario as a TOML dict.

    Returns
    -------
    str or None
        The sentence, or None within the limits.

    Examples
    --------
    >>> section_overflow({"group": [{}] * 101})
    'group: 101 entries is above the limit of 100 agent groups per scenario.'
    """
    if not isinstance(data, Mapping):
        return None
    for key, (limit, what) in _SECTION_LIMITS.items():
        entries = data.get(key)
        if isinstance(entries, list) and len(entries) > limit:
            return f"{key}: {len(entries):,} entries is above the limit of {limit:,} {what} per scenario."
    return None


def _first_over(values: np.ndarray, limit: float) -> int | None:
    over = np.flatnonzero(~(values <= limit) & ~np.isnan(values))
    return int(over[0]) if over.size else None


def _check_column(values, limit: float, source: str, column: str, what: str, limit_text: str) -> None:
    """Refuse the first row of a table column above ``limit``, naming the row, the column and the value."""
    values = np.asarray(values, dtype=float)
    i = _first_over(values, limit)
    if i is not None:
        raise InputError(
            f"{source}: row {i + 1}, column '{column}' has {_count(values[i])} {what}, above the limit of {limit_text}."
        )


def check_calls_per_interval(volume, source: str, column: str = "y") -> None:
    """Refuse an interval table with more calls in one interval than :data:`MAX_CALLS_PER_INTERVAL`.

    Parameters
    ----------
    volume : array_like
        Calls per interval, one per row of the table; NaN passes (it is checked
        elsewhere as a missing value).
    source : str
        The file, named first in the sentence.
    column : str
        The volume column's header in that file (``y`` unless mapped).

    Raises
    ------
    InputError
        At the first row above the limit, naming its 1-based row and the count.
    """
    _check_column(volume, MAX_CALLS_PER_INTERVAL, source, column, "calls in one interval",
                  f"{MAX_CALLS_PER_INTERVAL:,}")


def check_seconds(values, name: str, limit: float, source: str | None = None) -> None:
    """Refuse durations (AHT, patience) above ``limit`` seconds.

    Parameters
    ----------
    values : float or array_like
        Durations in seconds.
    name : str
        What they are (``aht``, ``patience``), for the message.
    limit : float
        Largest allowed.
    source : str, optional
        The file, for the message.

    Raises
    ------
    InputError
        When a value is above ``limit``.
    """
    values = np.atleast_1d(np.asarray(values, dtype=float))
    i = _first_over(values, limit)
    if i is not None:
        where = f"{source}: row {i + 1}, column '{name}'" if source and values.size > 1 else (
            f"{source}: {name}" if source else name)
        raise InputError(f"{where} is {values[i]:g} seconds, above the limit of {limit:,.0f} seconds.")


def check_offered_load(load, source: str = "load") -> None:
    """Refuse an interval whose offered load is above :data:`MAX_OFFERED_LOAD` Erlangs.

    Parameters
    ----------
    load : float or array_like
        Offered load in Erlangs (calls x AHT / interval seconds), a row each.
    source : str
        The table the load was computed from, to begin the sentence.

    Raises
    ------
    InputError
        When a load is above the limit.
    """
    values = np.atleast_1d(np.asarray(load, dtype=float))
    i = _first_over(values, MAX_OFFERED_LOAD)
    if i is not None:
        raise InputError(
            f"{source}: row {i + 1} offers {_count(values[i])} Erlangs (calls x AHT / interval), above the limit "
            f"of {MAX_OFFERED_LOAD:,.0f} Erlangs per interval."
        )


def check_agents(agents, source: str, column: str = "agents") -> None:
    """Refuse a staffing table with more agents in one interval than :data:`MAX_AGENTS_PER_INTERVAL`.

    Parameters
    ----------
    agents : array_like
        Required or scheduled agents, one value a row.
    source : str
        The staffing file or table the message starts with.
    column : str
        Its header, ``agents`` by default.

    Raises
    ------
    InputError
        When an interval is above the limit: the sentence gives the row, the
        agents and the limit per interval.
    """
    _check_column(agents, MAX_AGENTS_PER_INTERVAL, source, column, "agents", f"{MAX_AGENTS_PER_INTERVAL:,} per interval")


def check_simulated_calls(expected_calls: float, source: str = "volumes") -> None:
    """Refuse a simulation whose replications would each hold more than :data:`MAX_SIMULATED_CALLS` calls.

    Parameters
    ----------
    expected_calls : float
        Calls one replication would simulate.
    source : str
        Where the volumes came from, for the message.

    Raises
    ------
    InputError
        When above the limit.
    """
    if not expected_calls <= MAX_SIMULATED_CALLS:
        raise InputError(
            f"{source}: {_count(expected_calls)} calls in total is above the limit of "
            f"{MAX_SIMULATED_CALLS:,} simulated calls per run."
        )
