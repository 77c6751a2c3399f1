"""The roster file: named agents with their contracts, availability, time off, wishes
and fixed assignments (documented in ``docs/roster.md``).

One row per agent (CSV in any encoding :func:`wfm.data.read_table` recognises, CP932
included, or XLSX), or one ``[[agent]]`` entry per agent in the scenario with the same
keys. Every mistake is an :class:`InputError` naming the file, the row and the column.

Cells that hold several entries separate them with ``;`` (or a new line):

* ``mon`` ... ``sun``: availability windows that weekday, ``09:00-17:00`` (several
  separated by spaces; ``22:00-07:00`` runs into the next day); ``off``: never that
  weekday; empty: any time.
* ``unavailable``: dates (``2026-12-03; 2026-12-10``).
* ``available_only``: a date and its windows (``2026-12-05 10:00-15:00``).
* ``time_off``: approved leave dates (hard; the weekly minimum is lowered pro rata).
* ``wishes``: ``+`` want / ``-`` rather not, a target, optional ``*weight``: a date
  (``+2026-12-05*3``), a weekday (``-sat*2``), a shift code (``+E``), a time of day
  (``-18:00-22:00``), a date with a shift (``-2026-12-24/N*5``) or with a time
  (``+2026-12-05@09:00-13:00``).
* ``fixed``: planner locks, a date with a shift code or ``off`` (``2026-12-01/E``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from wfm._types import clock_minutes
from wfm.errors import InputError, shown

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
NUMBER_COLUMNS = (
    "min_hours_week", "max_hours_week", "min_hours_horizon", "max_hours_horizon", "max_shifts",
    "max_consecutive_days", "min_consecutive_days_off", "max_weekends", "min_rest_hours", "cost_per_hour",
)
WHOLE_COLUMNS = ("max_shifts", "max_consecutive_days", "min_consecutive_days_off", "max_weekends")
TEXT_COLUMNS = ("id", "name", "group", "skills", "shifts", *WEEKDAYS, "unavailable", "available_only",
                "time_off", "wishes", "fixed")
COLUMNS = TEXT_COLUMNS[:5] + NUMBER_COLUMNS + TEXT_COLUMNS[5:]
MAX_AGENTS = 5_000

Window = tuple[int, int]  # minutes after the day's midnight, end may pass 24:00


@dataclass(frozen=True)
class Wish:
    """A weighted wish. ``want`` True: want to work; False: rather not.

    ``dates`` None: every day of the horizon; then a want-wish asks that a *worked* day
    match (``+E``: "when I work, the early shift"). ``shift`` / ``window`` narrow which
    shifts match (a code; a time of day the shift overlaps).
    """

    want: bool
    weight: int
    dates: tuple[dt.date, ...] | None = None
    shift: str | None = None
    window: Window | None = None
    text: str = ""


@dataclass
class Agent:
    id: str
    name: str
    group: str
    skills: tuple[str, ...]  # queues and campaigns the agent may work
    shifts: tuple[str, ...] | None = None  # allowed shift codes or shift rule names; None: the group's
    min_hours_week: float = 0.0
    max_hours_week: float | None = None
    min_hours_horizon: float = 0.0
    max_hours_horizon: float | None = None
    max_shifts: int | None = None
    max_consecutive_days: int | None = None
    min_consecutive_days_off: int = 1
    max_weekends: int | None = None
    min_rest_hours: float | None = None  # None: the roster's (or the shift rule's) default
    cost_per_hour: float | None = None  # None: the group's
    weekly: dict[int, tuple[Window, ...] | None] = field(default_factory=dict)  # weekday -> windows; None: off
    unavailable: frozenset[dt.date] = frozenset()
    available_only: dict[dt.date, tuple[Window, ...]] = field(default_factory=dict)
    time_off: frozenset[dt.date] = frozenset()
    wishes: list[Wish] = field(default_factory=list)
    fixed: dict[dt.date, str | None] = field(default_factory=dict)  # date -> shift code, None: off
    place: str = ""  # "roster.csv, row 3": where the agent was read, for messages

    def windows(self, day: dt.date) -> tuple[Window, ...] | None:
        """Availability windows of ``day``: ``()`` unavailable, ``None`` any time.

        Parameters
        ----------
        day : datetime.date
            A day of the horizon.

        Returns
        -------
        tuple of (int, int) or None
            Windows in minutes after that day's midnight (an end may pass 24:00).
        """
        if day in self.unavailable or day in self.time_off:
            return ()
        if day in self.available_only:
            return self.available_only[day]
        weekly = self.weekly.get(day.weekday(), "any")
        if weekly == "any":
            return None
        return () if weekly is None else weekly


class _Cell:
    """One cell: where it is and its text."""

    def __init__(self, where: str, column: str, value):
        self.where, self.column, self.value = where, column, value

    def error(self, what: str) -> InputError:
        return InputError(f"{self.where}, column '{self.column}': {what}")

    @property
    def empty(self) -> bool:
        v = self.value
        return v is None or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and not v.strip()) or (
            isinstance(v, list) and not v)

    def text(self) -> str:
        v = self.value
        if isinstance(v, list):
            return "; ".join(str(x) for x in v)
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v).strip()

    def entries(self) -> list[str]:
        return [] if self.empty else [e.strip() for e in re.split(r"[;\n]", self.text()) if e.strip()]

    def number(self, *, whole: bool = False, low: float = 0.0, high: float = 10_000.0) -> float | None:
        if self.empty:
            return None
        v = self.value
        if isinstance(v, bool):
            raise self.error(f"'{v}' is not a number.")
        try:
            number = float(str(v).strip().replace(",", "."))
        except ValueError:
            raise self.error(f"'{shown(v)}' is not a number.") from None
        if not math.isfinite(number) or not low <= number <= high:
            raise self.error(f"{shown(v)} is out of range, expected a number from {low:g} to {high:g}.")
        if whole and not number.is_integer():
            raise self.error(f"{shown(v)} is not a whole number.")
        return number


def clock(text: str, cell: _Cell) -> int:
    """Minutes after midnight of a roster cell's ``HH:MM`` (``24:00`` allowed as an end).

    Parameters
    ----------
    text : str
        One or two hour digits, a colon, two minute digits.
    cell : _Cell
        Its file, row and column start the error message.

    Returns
    -------
    int
        From 0 (``00:00``) to 1440 (``24:00``).

    Raises
    ------
    InputError
        When ``text`` is not a time of day.
    """
    # The scenario's own HH:MM parser checks the range; a roster cell must also have this form.
    if re.fullmatch(r"\d{1,2}:\d{2}", text.strip()):
        with contextlib.suppress(ValueError):
            return clock_minutes(text)
    raise cell.error(f"'{shown(text)}' is not a time of day, expected HH:MM such as 09:30.")


def window(text: str, cell: _Cell) -> Window:
    """``09:00-17:00``; an end at or before the start runs into the next day.

    Parameters
    ----------
    text : str
        The window, ``HH:MM-HH:MM``.
    cell : _Cell
        Where the window was written; each end is read by :func:`clock` against it.

    Returns
    -------
    tuple of (int, int)
        Start and end in minutes after midnight; an overnight end has 1440 added.
    """
    parts = text.split("-")
    if len(parts) != 2:
        raise cell.error(f"'{shown(text)}' is not a time window, expected e.g. 09:00-17:00.")
    start, end = clock(parts[0], cell), clock(parts[1], cell)
    if start == 24 * 60:
        raise cell.error(f"'{shown(text)}' starts at 24:00, expected a start before midnight.")
    return (start, end if end > start else end + 24 * 60)


def windows(text: str, cell: _Cell) -> tuple[Window, ...]:
    """Several windows separated by spaces or ``;`` (``09:00-12:00 13:00-17:00``).

    Parameters
    ----------
    text : str
        ``HH:MM-HH:MM`` parts, separated by spaces or semicolons.
    cell : _Cell
        The ``availability`` (or other) cell they came from.

    Returns
    -------
    tuple of (int, int)
        One window per part, as :func:`window` reads it.
    """
    return tuple(window(part, cell) for part in re.split(r"[\s;]+", text.strip()) if part)


def date(text: str, cell: _Cell, dates: set[dt.date]) -> dt.date:
    """A date ``YYYY-MM-DD`` that must lie in the horizon.

    Parameters
    ----------
    text : str
        An ISO date.
    cell : _Cell
        The cell it came from, named when it does not parse or is out of range.
    dates : set of datetime.date
        The horizon's dates it must be one of.

    Returns
    -------
    datetime.date
        The date.

    Raises
    ------
    InputError
        When ``text`` is not a date or lies outside the horizon.
    """
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise cell.error(f"'{shown(text)}' is not a date, expected YYYY-MM-DD such as 2026-12-05.") from None
    if day not in dates:
        first, last = min(dates), max(dates)
        raise cell.error(f"{day} is outside the horizon ({first} to {last}).")
    return day


@dataclass
class Context:
    """What a roster is checked against: the scenario's horizon, groups, skills and shifts."""

    dates: list[dt.date]
    groups: dict[str, float]  # group -> cost per hour
    group_skills: dict[str, tuple[str, ...]]  # group -> default skills
    skills: set[str]  # queues and campaigns
    codes: set[str]  # shift codes
    rules: set[str]  # shift rule names (a rule name allows all its codes)
    opening: dict[int, list[Window]]  # weekday -> opening windows over the horizon


def parse_agent(values: dict, where: str, ctx: Context) -> Agent:
    """One agent from a row (CSV/XLSX) or an ``[[agent]]`` entry; ``where`` names it.

    Parameters
    ----------
    values : dict
        Column (key) to cell value; unknown keys are refused.
    where : str
        Where the agent was read (``roster.csv, row 3``), for messages.
    ctx : Context
        The scenario's horizon, groups, skills, shift codes and opening hours.

    Returns
    -------
    Agent
        The agent, with the group's defaults where a cell is empty.

    Raises
    ------
    InputError
        Naming the place and column of the first mistake.
    """
    unknown = [k for k in values if k not in COLUMNS]
    if unknown:
        raise InputError(f"{where}: column '{shown(unknown[0])}' is not a roster column, expected some of "
                         f"{', '.join(COLUMNS)}.")
    cell = {name: _Cell(where, name, values.get(name)) for name in COLUMNS}
    if cell["id"].empty:
        raise cell["id"].error("is empty, expected the agent's id.")
    agent_id = cell["id"].text()
    name = agent_id if cell["name"].empty else cell["name"].text()
    if cell["group"].empty:
        if len(ctx.groups) != 1:
            raise cell["group"].error(f"is empty, expected one of the groups {', '.join(ctx.groups)}.")
        group = next(iter(ctx.groups))
    else:
        group = cell["group"].text()
        if group not in ctx.groups:
            raise cell["group"].error(f"'{shown(group)}' is not a group of the scenario, expected one of "
                                      f"{', '.join(ctx.groups)}.")
    if cell["skills"].empty:
        skills = ctx.group_skills[group]
    else:
        skills = tuple(dict.fromkeys(re.split(r"[\s;|,]+", cell["skills"].text())))
        for skill in skills:
            if skill not in ctx.skills:
                raise cell["skills"].error(f"'{shown(skill)}' is not a queue or campaign, expected some of "
                                           f"{', '.join(sorted(ctx.skills)) or '(none: no requirement names one)'}.")
    shifts = None
    if not cell["shifts"].empty:
        shifts = tuple(re.split(r"[\s;|,]+", cell["shifts"].text()))
        for code in shifts:
            if code not in ctx.codes and code not in ctx.rules:
                raise cell["shifts"].error(f"'{shown(code)}' is not a shift code or rule, expected some of "
                                           f"{', '.join(sorted(ctx.codes | ctx.rules))}.")
    numbers = {}
    for column in NUMBER_COLUMNS:
        high = 1_000_000.0 if column == "cost_per_hour" else (48.0 if column == "min_rest_hours" else 10_000.0)
        numbers[column] = cell[column].number(whole=column in WHOLE_COLUMNS, high=high)
    for low, high in (("min_hours_week", "max_hours_week"), ("min_hours_horizon", "max_hours_horizon")):
        if numbers[low] is not None and numbers[high] is not None and numbers[low] > numbers[high]:
            raise cell[low].error(f"{numbers[low]:g} h is above {high} {numbers[high]:g} h.")
    if numbers["max_hours_week"] is not None and numbers["max_hours_week"] > 7 * 24:
        raise cell["max_hours_week"].error(f"{numbers['max_hours_week']:g} h is more than a week has.")
    if numbers["min_consecutive_days_off"] is not None and numbers["min_consecutive_days_off"] < 1:
        raise cell["min_consecutive_days_off"].error("0 is not a run of days off, expected 1 or more.")
    if numbers["max_consecutive_days"] is not None and numbers["max_consecutive_days"] < 1:
        raise cell["max_consecutive_days"].error("0 days in a row leaves no working day, expected 1 or more.")
    dates = set(ctx.dates)
    weekly = {}
    for w, day in enumerate(WEEKDAYS):
        c = cell[day]
        if c.empty:
            continue
        if c.text().lower() in ("off", "x", "×", "-"):
            weekly[w] = None
            continue
        spans = windows(c.text(), c)
        opening = ctx.opening.get(w)
        if opening and not any(s < o_end and o_start < e for s, e in spans for o_start, o_end in opening):
            shown_open = ", ".join(f"{_hhmm(a)}-{_hhmm(b)}" for a, b in opening)
            raise c.error(f"'{c.text()}' lies outside the opening hours ({shown_open}).")
        weekly[w] = spans
    unavailable = frozenset(date(t, cell["unavailable"], dates) for t in cell["unavailable"].entries())
    time_off = frozenset(date(t, cell["time_off"], dates) for t in cell["time_off"].entries())
    available_only = {}
    for text in cell["available_only"].entries():
        c = cell["available_only"]
        head, _, rest = text.partition(" ")
        if not rest.strip():
            raise c.error(f"'{shown(text)}' has no time window, expected e.g. 2026-12-05 10:00-15:00.")
        available_only[date(head, c, dates)] = windows(rest, c)
    wishes = [parse_wish(text, cell["wishes"], dates, ctx) for text in cell["wishes"].entries()]
    fixed: dict[dt.date, str | None] = {}
    for text in cell["fixed"].entries():
        c = cell["fixed"]
        head, sep, code = text.partition("/")
        if not sep:
            raise c.error(f"'{shown(text)}' is not a fixed assignment, expected a date and a shift code such as "
                          f"2026-12-01/E or 2026-12-02/off.")
        day = date(head, c, dates)
        code = code.strip()
        if code.lower() in ("off", "休"):
            fixed[day] = None
            continue
        if code not in ctx.codes:
            raise c.error(f"'{shown(code)}' is not a shift code, expected one of {', '.join(sorted(ctx.codes))} or off.")
        if day in time_off or day in unavailable:
            raise c.error(f"{day} is fixed to {code} but the agent is on time off or unavailable that day.")
        fixed[day] = code

    def get(column, default):
        return default if numbers[column] is None else numbers[column]

    return Agent(
        id=agent_id, name=name, group=group, skills=skills, shifts=shifts,
        min_hours_week=get("min_hours_week", 0.0), max_hours_week=numbers["max_hours_week"],
        min_hours_horizon=get("min_hours_horizon", 0.0), max_hours_horizon=numbers["max_hours_horizon"],
        max_shifts=None if numbers["max_shifts"] is None else int(numbers["max_shifts"]),
        max_consecutive_days=None if numbers["max_consecutive_days"] is None else int(numbers["max_consecutive_days"]),
        min_consecutive_days_off=int(get("min_consecutive_days_off", 1)),
        max_weekends=None if numbers["max_weekends"] is None else int(numbers["max_weekends"]),
        min_rest_hours=numbers["min_rest_hours"], cost_per_hour=numbers["cost_per_hour"],
        weekly=weekly, unavailable=unavailable, available_only=available_only, time_off=time_off,
        wishes=wishes, fixed=fixed, place=where,
    )


def parse_wish(text: str, cell: _Cell, dates: set[dt.date], ctx: Context) -> Wish:
    """One wish of the ``wishes`` cell: ``+``/``-``, a target, an optional ``*weight``.

    Parameters
    ----------
    text : str
        The wish (``-sat*2``, ``+2026-12-05@09:00-13:00``, ``-2026-12-24/N*5``).
    cell : _Cell
        The cell the text came from, named in the error.
    dates : set of datetime.date
        The horizon's dates.
    ctx : Context
        The scenario (its shift codes).

    Returns
    -------
    Wish
        The wish; a weekday target becomes that weekday's dates in the horizon.
    """
    body, _, weight_text = text.partition("*")
    weight = 1
    if weight_text:
        if not re.fullmatch(r"\s*\d{1,6}\s*", weight_text) or int(weight_text) < 1:
            raise cell.error(f"'{shown(text)}' has weight '{shown(weight_text)}', expected a whole number from 1.")
        weight = int(weight_text)
    body = body.strip()
    if not body or body[0] not in "+-":
        raise cell.error(f"'{shown(text)}' is not a wish, expected + (want) or - (rather not) and a date, weekday, "
                         f"shift code or time, e.g. -sat*2.")
    want, target = body[0] == "+", body[1:].strip()
    wish_dates: tuple[dt.date, ...] | None = None
    shift = span = None
    if "@" in target or "/" in target:
        head, sep, tail = re.split(r"([@/])", target, maxsplit=1)
        wish_dates = _days(head, cell, dates)
        if sep == "/":
            shift = _code(tail, cell, ctx)
        else:
            span = window(tail, cell)
    elif re.fullmatch(r"\d{1,2}:\d{2}\s*-\s*\d{1,2}:\d{2}", target):
        span = window(target.replace(" ", ""), cell)
    elif target.lower() in WEEKDAYS or re.fullmatch(r"\d{4}-\d{2}-\d{2}", target):
        wish_dates = _days(target, cell, dates)
    else:
        shift = _code(target, cell, ctx)
    return Wish(want=want, weight=weight, dates=wish_dates, shift=shift, window=span, text=text)


def _days(text: str, cell: _Cell, dates: set[dt.date]) -> tuple[dt.date, ...]:
    text = text.strip().lower()
    if text in WEEKDAYS:
        return tuple(sorted(d for d in dates if d.weekday() == WEEKDAYS.index(text)))
    return (date(text, cell, dates),)


def _code(text: str, cell: _Cell, ctx: Context) -> str:
    code = text.strip()
    if code not in ctx.codes:
        raise cell.error(f"'{shown(code)}' is not a shift code, expected one of {', '.join(sorted(ctx.codes))}.")
    return code


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _check_unique(agents: list[Agent], source: str) -> None:
    seen: dict[str, str] = {}
    for agent in agents:
        if agent.id in seen:
            raise InputError(f"{agent.place}, column 'id': '{shown(agent.id)}' is used twice (first at "
                             f"{seen[agent.id]}), expected unique ids.")
        seen[agent.id] = agent.place


def file_names(agents: list[Agent]) -> list[str]:
    """One file name per agent from its id (readable names kept, unsafe characters replaced);
    two ids that would share a file (also on a case-blind file system) are refused.

    Parameters
    ----------
    agents : list of Agent
        The agents.

    Returns
    -------
    list of str
        One safe file name per agent, in the agents' order.
    """
    from wfm.export import safe_folder_name

    names, seen = [], {}
    for agent in agents:
        name = safe_folder_name(agent.id, f"{agent.place}, column 'id'")
        key = name.casefold()
        if key in seen:
            raise InputError(f"{agent.place}, column 'id': '{shown(agent.id)}' would share its files with "
                             f"'{shown(seen[key])}'; use ids that differ by more than case or punctuation.")
        seen[key] = agent.id
        names.append(name)
    return names


def read_roster(path: str | Path, ctx: Context) -> list[Agent]:
    """Read a roster file (CSV in UTF-8 or CP932/Shift_JIS, or XLSX), one row per agent.

    Parameters
    ----------
    path : str or Path
        The roster file.
    ctx : Context
        What the rows are checked against.

    Returns
    -------
    list of Agent
        One agent per row, in file order (ids unique, at most ``MAX_AGENTS``).
    """
    from wfm.data import read_table

    path = Path(path)
    frame = read_table(path)
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    if "id" not in frame.columns:
        raise InputError(f"{path}: no 'id' column, expected a roster with columns {', '.join(COLUMNS[:4])} ...")
    if frame.empty:
        raise InputError(f"{path}: has no agents, expected one row per agent.")
    if len(frame) > MAX_AGENTS:
        raise InputError(f"{path}: {len(frame):,} agents is above the limit of {MAX_AGENTS:,}.")
    frame = frame.astype(object).where(pd.notna(frame), None)
    agents = [parse_agent(dict(row), f"{path}, row {i + 1}", ctx)
              for i, row in enumerate(frame.to_dict("records"))]
    _check_unique(agents, str(path))
    file_names(agents)
    return agents


def agents_from_entries(entries: list[dict], source: str, ctx: Context) -> list[Agent]:
    """The scenario's ``[[agent]]`` entries (same keys as the roster file's columns).

    Parameters
    ----------
    entries : list of dict
        The ``[[agent]]`` tables.
    source : str
        The scenario file, for messages.
    ctx : Context
        What the entries are checked against.

    Returns
    -------
    list of Agent
        One agent per entry, in order.
    """
    if len(entries) > MAX_AGENTS:
        raise InputError(f"{source}: agent: {len(entries):,} entries is above the limit of {MAX_AGENTS:,} agents.")
    agents = [parse_agent({str(k).lower(): v for k, v in entry.items()}, f"{source}: agent[{i}]", ctx)
              for i, entry in enumerate(entries)]
    _check_unique(agents, source)
    file_names(agents)
    return agents
