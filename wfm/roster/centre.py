"""The contact centre's roster problem: named agents, shift codes on real dates in the
site's time zone, the interval requirement per queue and per-shift cover.

Time is measured in *real* minutes from the horizon's first midnight (local time), so a
night shift 22:00-07:00 is one span across midnight, a daylight-saving night lasts the
hours it really lasts, and rest between two shifts is the real time between them. A
shift *belongs to the day it starts*: it counts in that day's column of the シフト表,
in that day's week for the weekly hours and as that day worked for the consecutive-day
rules. A weekend counts as worked when any shift overlaps its Saturday or Sunday.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from wfm.errors import InputError
from wfm.roster.agents import Agent, Context, Window, agents_from_entries, read_roster
from wfm.roster.settings import RosterSettings, clock

DAY = 24 * 60


@dataclass(frozen=True)
class ShiftCode:
    """One shift of the シフト表, on the wall clock of the day it starts."""

    code: str
    start: int  # minutes after the day's midnight
    span: int  # wall-clock minutes from start to end (an end past 24:00 is the next day)
    break_minutes: int = 0
    break_after: int | None = None  # minutes after the start; None: the middle
    groups: frozenset[str] | None = None  # None: every group
    rule: str | None = None  # the scenario [[shift]] rule it comes from
    min_rest_hours: float | None = None  # the rule's rest; None: the roster's
    label: str = ""

    @property
    def wall(self) -> Window:
        """Start and end on the wall clock of the day it starts (an end may pass 24:00).

        Returns
        -------
        tuple of (int, int)
            Minutes after that day's midnight.
        """
        return (self.start, self.start + self.span)

    @property
    def times(self) -> str:
        """The shift's times as the シフト表 shows them, ``22:00-07:00``.

        Returns
        -------
        str
            ``HH:MM-HH:MM``, the end taken modulo 24 hours.
        """
        end = (self.start + self.span) % DAY
        return f"{self.start // 60:02d}:{self.start % 60:02d}-{end // 60:02d}:{end % 60:02d}"


@dataclass
class Instance:
    """Shift code ``s`` on day ``d``: real minutes from the horizon's first midnight."""

    day: int
    shift: int
    start: int
    end: int
    paid: int  # minutes paid (the span's real length less the unpaid break)
    break_span: tuple[int, int]  # real minutes of the break (empty when none)
    weekend: int | None  # index of the weekend it overlaps, if any
    late: bool  # touches unsocial hours (costs.unsocial_start .. unsocial_end)


@dataclass
class CentreProblem:
    dates: list[dt.date]
    timezone: str
    interval_minutes: int
    shifts: list[ShiftCode]
    agents: list[Agent]
    settings: RosterSettings
    currency: str
    instances: dict[tuple[int, int], Instance]  # (day, shift) -> instance
    allowed: list[list[tuple[int, int]]]  # per agent: the (day, shift) it may work
    cost: list[dict[tuple[int, int], int]]  # per agent: money per allowed instance
    # Interval requirement: real minute of each interval start, ds, queue names, required[q, i].
    interval_start: np.ndarray
    interval_ds: list[pd.Timestamp]
    queues: list[str]
    required: np.ndarray
    cover: list[tuple[int, int, int]]  # per-shift cover: (day, shift, people)
    weekends: list[tuple[int, int]]  # weekend days (Saturday index, Sunday index; -1 when outside)
    short_penalty: int
    published: dict[tuple[str, dt.date], str | None] | None = None  # re-rostering: what is published
    source: str = ""
    notes: list[str] = field(default_factory=list)
    _covers: dict = field(default_factory=dict, repr=False)

    def weeks(self) -> list[list[int]]:
        """The horizon's days in weeks of seven from its first day (the last may be shorter).

        Returns
        -------
        list of list of int
            Day indexes per week.
        """
        return [list(range(w, min(w + 7, len(self.dates)))) for w in range(0, len(self.dates), 7)]

    def shift_index(self, code: str) -> int | None:
        """The index of shift ``code`` in ``shifts``.

        Parameters
        ----------
        code : str
            A shift code.

        Returns
        -------
        int or None
            Its index, ``None`` when there is no such code.
        """
        return next((i for i, s in enumerate(self.shifts) if s.code == code), None)

    def covers(self, inst: Instance) -> np.ndarray:
        """Indexes of the requirement intervals ``inst`` is on the phones for (whole intervals, break aside).

        Parameters
        ----------
        inst : Instance
            A shift on a day.

        Returns
        -------
        numpy.ndarray
            Indexes into ``interval_start`` (cached per day and shift).
        """
        key = (inst.day, inst.shift)
        if key not in self._covers:
            t = self.interval_start  # sorted
            lo = int(np.searchsorted(t, inst.start, "left"))
            hi = int(np.searchsorted(t, inst.end - self.interval_minutes, "right"))
            index = np.arange(lo, max(lo, hi))
            b0, b1 = inst.break_span
            if b1 > b0 and index.size:
                cut = (t[index] < b1) & (t[index] + self.interval_minutes > b0)
                index = index[~cut]
            self._covers[key] = index
        return self._covers[key]


def real_minutes(day: dt.date, minute: int, origin: dt.datetime, zone: ZoneInfo) -> int:
    """Real minutes from ``origin`` to wall-clock ``minute`` after ``day``'s midnight.

    A wall time skipped by a spring-forward night is read as the time after the jump,
    a repeated one as its first occurrence (fold 0).

    Parameters
    ----------
    day : datetime.date
        The day.
    minute : int
        Wall-clock minutes after its midnight (may pass 24:00).
    origin : datetime.datetime
        The aware instant measured from (the horizon's first midnight).
    zone : ZoneInfo
        The site's time zone.

    Returns
    -------
    int
        Real minutes, rounded.
    """
    naive = dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=minute)
    local = naive.replace(tzinfo=zone)
    return round((local.timestamp() - origin.timestamp()) / 60)


def shift_codes(scenario) -> list[ShiftCode]:
    """The roster's shift codes: ``[[roster.shift]]`` when given, else every start and length of
    the scenario's ``[[shift]]`` rules (code = rule name, with the start and length when the rule
    has several).

    Parameters
    ----------
    scenario : Scenario
        The scenario (horizon, groups, shift rules, ``[roster]`` settings).

    Returns
    -------
    list of ShiftCode
        The codes, in the order given.
    """
    settings = scenario.roster
    if settings is not None and settings.shifts:
        return [ShiftCode(code=s.code, start=s.start_minute, span=s.span_minutes, break_minutes=s.break_minutes,
                          break_after=s.break_after_minutes, groups=None if s.groups is None else frozenset(s.groups),
                          label=s.label or "") for s in settings.shifts]
    codes = []
    interval = scenario.horizon.interval_minutes
    for rule in scenario.shifts:
        first, last = clock(rule.start_earliest), clock(rule.start_latest)
        step = rule.start_step_minutes or interval
        starts = list(range(first, last + 1, step))
        unpaid = sum(b.length_minutes for b in rule.breaks if not b.is_paid)
        for start, hours in itertools.product(starts, rule.length_hours):
            code = rule.name
            if len(starts) > 1:
                code += f"{start // 60:02d}{start % 60:02d}"
            if len(rule.length_hours) > 1:
                code += f"/{hours:g}h"
            codes.append(ShiftCode(code=code, start=start, span=round(hours * 60) + unpaid, break_minutes=unpaid,
                                   groups=frozenset([rule.group]), rule=rule.name, min_rest_hours=rule.min_rest_hours,
                                   label=rule.name))
    return codes


def context(scenario, codes: list[ShiftCode], skills: set[str]) -> Context:
    """What agents are checked against: the horizon's dates, groups, skills, codes and opening hours.

    Parameters
    ----------
    scenario : Scenario
        The scenario (horizon, groups, shift rules, ``[roster]`` settings).
    codes : list of ShiftCode
        The roster's shift codes (night codes widen the opening hours).
    skills : set of str
        The queues and campaigns agents may name.

    Returns
    -------
    Context
        The checking context.
    """
    dates = scenario.horizon.dates()
    opening: dict[int, list[Window]] = {}
    for day in dates:
        hours = scenario.horizon.opening_minutes(day)
        if hours and hours not in opening.setdefault(day.weekday(), []):
            opening[day.weekday()].append(hours)
    # Shift codes past midnight keep the centre open: a night code opens the day it starts.
    for s in codes:
        if s.start + s.span > DAY:
            for w in opening:
                opening[w].append((s.start, s.start + s.span))
    groups = {g.name: g.cost_per_hour for g in scenario.groups}
    group_skills = {g.name: tuple(g.queues) if g.queues else tuple(sorted(skills)) for g in scenario.groups}
    rules = {s.rule for s in codes if s.rule}
    return Context(dates=dates, groups=groups, group_skills=group_skills, skills=skills,
                   codes={s.code for s in codes}, rules=rules, opening=opening)


def load_agents(scenario, roster_path, codes, skills, source: str) -> list[Agent]:
    """The agents from the roster file, or else from the scenario's ``[[agent]]`` entries.

    Parameters
    ----------
    scenario : Scenario
        The scenario (horizon, groups, shift rules, ``[roster]`` settings).
    roster_path : str or Path or None
        The roster file (``--agents``); ``None``: the ``[[agent]]`` entries.
    codes : list of ShiftCode
        The roster's shift codes.
    skills : set of str
        The queues and campaigns agents may name.
    source : str
        The scenario's name, for messages.

    Returns
    -------
    list of Agent
        The agents.

    Raises
    ------
    InputError
        When agents are given in both places or in neither.
    """
    ctx = context(scenario, codes, skills)
    if roster_path is not None:
        agents = read_roster(roster_path, ctx)
        if scenario.agents:
            raise InputError(f"{roster_path}: the scenario also lists [[agent]] entries; give the agents in one place.")
        return agents
    if not scenario.agents:
        raise InputError(f"{source}: no agents, expected --agents ROSTER.csv, [roster] agents = 'ROSTER.csv' or [[agent]] entries in the scenario.")
    return agents_from_entries(scenario.agents, source, ctx)


def read_requirements(path, scenario) -> pd.DataFrame:
    """``queue, ds, agents`` from `wfm size` / `wfm plan` (extra columns ignored).

    Parameters
    ----------
    path : str or Path
        The requirements file.
    scenario : Scenario
        The scenario (horizon, groups, shift rules, ``[roster]`` settings).

    Returns
    -------
    pandas.DataFrame
        ``queue, ds, agents``: ``ds`` in the scenario's time zone, ``agents`` rounded up to
        whole people (queue ``default`` when the file has none).
    """
    from wfm.data import parse_timestamps, read_table

    frame = read_table(path)
    for column in ("ds", "agents"):
        if column not in frame.columns:
            raise InputError(f"{path}: no '{column}' column, expected the requirements.csv of `wfm size` or `wfm plan`.")
    if "queue" not in frame.columns:
        frame = frame.assign(queue="default")
    ds = parse_timestamps(frame["ds"], str(path), timezone=scenario.horizon.timezone)
    agents = pd.to_numeric(frame["agents"], errors="coerce")
    bad = ~np.isfinite(agents.to_numpy(dtype=float)) | (agents.to_numpy(dtype=float) < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(f"{path}: row {i + 1}, column 'agents' has '{frame['agents'].iloc[i]}', expected a "
                         f"number of agents (0 or more).")
    return pd.DataFrame({"queue": frame["queue"].astype(str), "ds": ds, "agents": np.ceil(agents - 1e-9).astype(int)})


def build_problem(scenario, agents: list[Agent] | None = None, *, roster_path=None, requirements: pd.DataFrame | None = None,
                  published: pd.DataFrame | None = None, source: str = "scenario",
                  published_dates=None) -> CentreProblem:
    """Everything the model needs, checked: shift codes on real dates, who may work what, the demand.

    Parameters
    ----------
    scenario : Scenario
        The scenario (horizon, groups, shift rules, ``[roster]`` settings).
    agents : list of Agent, optional
        The agents; ``None`` reads them with :func:`load_agents`.
    roster_path : str or Path, optional
        The roster file, when ``agents`` is ``None``.
    requirements : pandas.DataFrame, optional
        ``queue, ds, agents`` interval requirement (rows with 0 agents dropped).
    published : pandas.DataFrame, optional
        The published roster (``--lock``), ``agent, date, shift`` rows.
    source : str
        The scenario's name, for messages.
    published_dates : iterable of datetime.date, optional
        The days of ``published`` that are published (changes priced); default every day.

    Returns
    -------
    CentreProblem
        The checked problem.

    Raises
    ------
    InputError
        On an unknown group or shift code, a cover date outside the horizon, nothing to
        cover, or no agent able to work any shift.
    """
    settings = scenario.roster or RosterSettings()
    horizon = scenario.horizon
    zone = ZoneInfo(horizon.timezone)
    dates = horizon.dates()
    origin = dt.datetime.combine(dates[0], dt.time()).replace(tzinfo=zone)
    codes = shift_codes(scenario)
    if requirements is not None:
        requirements = requirements[requirements["agents"] > 0]
    skills = {q.name for q in scenario.queues} | {c.name for c in scenario.campaigns}
    if requirements is not None:
        skills |= set(requirements["queue"].unique())
    if agents is None:
        agents = load_agents(scenario, roster_path, codes, skills, source)
    group_cost = {g.name: g.cost_per_hour for g in scenario.groups}
    for i, shift in enumerate(settings.shifts):
        for name in shift.groups or []:
            if name not in group_cost:
                raise InputError(f"{source}: roster.shift[{i}].groups: '{name}' is not a group, expected one of "
                                 f"{', '.join(group_cost)}.")
    for i, cover in enumerate(settings.cover):
        for day in cover.dates or []:
            if day not in dates:
                raise InputError(f"{source}: roster.cover[{i}].dates: {day} is outside the horizon "
                                 f"({dates[0]} to {dates[-1]}).")
        if cover.shift not in {s.code for s in codes}:
            raise InputError(f"{source}: roster.cover[{i}].shift: '{cover.shift}' is not a shift code, expected one of "
                             f"{', '.join(s.code for s in codes)}.")
    if requirements is None and not settings.cover:
        raise InputError(f"{source}: nothing to cover, expected --requirements REQUIREMENTS.csv or [[roster.cover]] "
                         f"entries (people per shift).")

    # Instances: each shift code on each day, in real minutes.
    unsocial_from = clock(scenario.costs.unsocial_start)
    unsocial_to = clock(scenario.costs.unsocial_end)
    weekend_windows = []
    for d, day in enumerate(dates):
        if day.weekday() == 5 or (d == 0 and day.weekday() == 6):
            saturday = day - dt.timedelta(days=day.weekday() - 5)
            start = real_minutes(saturday, 0, origin, zone)
            end = real_minutes(saturday, 2 * DAY, origin, zone)
            sat = d if day.weekday() == 5 else -1
            sun = d + 1 if day.weekday() == 5 and d + 1 < len(dates) else (d if day.weekday() == 6 else -1)
            weekend_windows.append(((sat, sun), start, end))
    instances: dict[tuple[int, int], Instance] = {}
    for d, day in enumerate(dates):
        for s, code in enumerate(codes):
            start = real_minutes(day, code.start, origin, zone)
            end = real_minutes(day, code.start + code.span, origin, zone)
            after = code.break_after if code.break_after is not None else (code.span - code.break_minutes) // 2
            brk = (start + after, start + after + code.break_minutes) if code.break_minutes else (start, start)
            weekend = next((w for w, (_, a, b) in enumerate(weekend_windows) if start < b and a < end), None)
            late = _touches_unsocial(code.wall, unsocial_from, unsocial_to)
            instances[d, s] = Instance(d, s, start, end, end - start - code.break_minutes, brk, weekend, late)

    allowed, cost = [], []
    for agent in agents:
        rate = agent.cost_per_hour if agent.cost_per_hour is not None else group_cost[agent.group]
        mine, money = [], {}
        for d, day in enumerate(dates):
            windows = agent.windows(day)
            for s, code in enumerate(codes):
                if code.groups is not None and agent.group not in code.groups:
                    continue
                if agent.shifts is not None and code.code not in agent.shifts and code.rule not in agent.shifts:
                    continue
                if windows is not None and not any(a <= code.start and code.start + code.span <= b for a, b in windows):
                    continue
                mine.append((d, s))
                money[d, s] = round(rate * instances[d, s].paid / 60)
        allowed.append(mine)
        cost.append(money)
    if not any(allowed):
        raise InputError(f"{source}: no agent can work any shift: check the availability columns (mon ... sun, "
                         f"unavailable, available_only) against the shift codes {', '.join(c.code for c in codes)}.")

    if requirements is not None and len(requirements):
        times = sorted(set(requirements["ds"]))
        index = {t: i for i, t in enumerate(times)}
        queues = sorted(requirements["queue"].unique())
        required = np.zeros((len(queues), len(times)), dtype=np.int64)
        qi = {q: i for i, q in enumerate(queues)}
        for q, t, n in requirements[["queue", "ds", "agents"]].itertuples(index=False, name=None):
            required[qi[q], index[t]] += int(n)
        start = np.array([round((t.to_pydatetime().timestamp() - origin.timestamp()) / 60) for t in times], dtype=np.int64)
        horizon_end = real_minutes(dates[-1], DAY, origin, zone)
        keep = (start >= 0) & (start < horizon_end)
        if not keep.any():
            raise InputError(f"{source}: the requirements have no interval inside the horizon ({dates[0]} to {dates[-1]}).")
        dropped = int((~keep).sum())
        interval_ds, interval_start, required = [t for t, k in zip(times, keep, strict=True) if k], start[keep], required[:, keep]
        notes = [f"{dropped} requirement interval(s) outside the horizon ignored."] if dropped else []
    else:
        interval_ds, interval_start, queues, required, notes = [], np.zeros(0, dtype=np.int64), [], np.zeros((0, 0), dtype=np.int64), []

    cover_rows = []
    code_index = {c.code: i for i, c in enumerate(codes)}
    for rule in settings.cover:
        for d, day in enumerate(dates):
            if rule.dates is not None:
                if day not in rule.dates:
                    continue
            elif rule.days is not None and ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[day.weekday()] not in rule.days:
                continue
            cover_rows.append((d, code_index[rule.shift], rule.required))
    # Later cover lines for the same day and shift replace earlier ones (a date beats a weekday rule).
    merged = {(d, s): n for d, s, n in cover_rows}
    short_penalty = settings.short_penalty if settings.short_penalty is not None else scenario.costs.inbound_short_penalty
    locked = None
    if published is not None:
        compared = dates if published_dates is None else [d for d in dates if d in set(published_dates)]
        locked = published_roster(published, agents, codes, compared, horizon=dates)
    return CentreProblem(
        dates=dates, timezone=horizon.timezone, interval_minutes=horizon.interval_minutes, shifts=codes, agents=agents,
        settings=settings, currency=scenario.currency, instances=instances, allowed=allowed, cost=cost,
        interval_start=interval_start, interval_ds=interval_ds, queues=queues, required=required,
        cover=[(d, s, n) for (d, s), n in sorted(merged.items())],
        weekends=[w for w, _, _ in weekend_windows], short_penalty=round(short_penalty), published=locked,
        source=source, notes=notes)


def _touches_unsocial(wall: Window, unsocial_from: int, unsocial_to: int) -> bool:
    start, end = wall
    for offset in (0, DAY):  # the evening of the day and the early hours of the next
        if start < offset + unsocial_to and offset + 0 < end:
            return True
        if start < offset + DAY and offset + unsocial_from < end and unsocial_from < DAY:
            return True
    return False


PUBLISHED_CELLS = {"agent": "an agent id", "date": "a date (YYYY-MM-DD)", "shift": "a shift code"}


def published_roster(frame: pd.DataFrame, agents: list[Agent], codes: list[ShiftCode], dates,
                     horizon: list[dt.date] | None = None) -> dict:
    """``agent, date, shift`` rows (the assignment.csv of a published roster) -> (agent, date) -> code;
    every other day of the horizon is a published day off (an agent with no row had none).

    A row naming someone not in the roster, a date outside the horizon, an unknown shift
    code, an empty cell or a second shift for the same agent and day is refused: a
    published roster of another team or period would otherwise be "kept" silently.

    Parameters
    ----------
    frame : pandas.DataFrame
        The published assignment (``attrs["source"]`` names it in messages).
    agents : list of Agent
        The roster's agents.
    codes : list of ShiftCode
        The shift codes.
    dates : list of datetime.date
        The days compared (the horizon, or the app's published days).
    horizon : list of datetime.date, optional
        The horizon every row's date must lie in; default ``dates``.

    Returns
    -------
    dict
        ``(agent id, date)`` to shift code, ``None`` for a day off.
    """
    source = frame.attrs.get("source", "--lock")
    for column in ("agent", "date", "shift"):
        if column not in frame.columns:
            raise InputError(f"{source}: no '{column}' column, expected the assignment.csv of `wfm roster` "
                             f"or `wfm plan` (columns agent, date, shift).")
    ids = {a.id for a in agents}
    known = {c.code for c in codes}
    horizon = list(dates) if horizon is None else list(horizon)
    inside, compared = set(horizon), set(dates)
    locked: dict[tuple[str, dt.date], str | None] = {}
    seen: dict[tuple[str, dt.date], int] = {}
    for i, row in enumerate(frame[["agent", "date", "shift"]].itertuples(index=False, name=None)):
        for column, value in zip(("agent", "date", "shift"), row, strict=True):
            if pd.isna(value) or not str(value).strip():
                raise InputError(f"{source}: row {i + 1}, column '{column}' is empty, expected {PUBLISHED_CELLS[column]}.")
        agent, day, code = str(row[0]).strip(), row[1], str(row[2]).strip()
        try:
            day = dt.date.fromisoformat(str(day)[:10])
        except ValueError:
            raise InputError(f"{source}: row {i + 1}, column 'date' has '{day}', expected YYYY-MM-DD.") from None
        if agent not in ids:
            raise InputError(f"{source}: row {i + 1}, column 'agent' has '{agent}', not an agent of the roster.")
        if day not in inside:
            raise InputError(f"{source}: row {i + 1}, column 'date' has {day}, outside the horizon "
                             f"({horizon[0]} to {horizon[-1]}).")
        if code not in known:
            raise InputError(f"{source}: row {i + 1}, column 'shift' has '{code}', not a shift code "
                             f"({', '.join(sorted(known))}).")
        if (agent, day) in seen:
            raise InputError(f"{source}: row {i + 1}, column 'date' has {day} for agent '{agent}' again (row "
                             f"{seen[agent, day] + 1}), expected one shift per agent and day.")
        seen[agent, day] = i
        if day in compared:
            locked[agent, day] = code
    # Every agent of the roster is compared: one with no row had no shifts published.
    for agent in ids:
        for day in dates:
            locked.setdefault((agent, day), None)
    return locked


# Rules the CP-SAT model (centre_model) and the greedy first roster (greedy) both read.

def rest_minutes(problem: CentreProblem, a: int, s: int) -> int:
    """The rest after shift ``s``: the agent's, else the shift rule's, else the roster's default.

    Parameters
    ----------
    problem : CentreProblem
        Holds the agents, the shift codes and the ``[roster]`` default.
    a : int
        Whose ``min_rest_hours`` comes first.
    s : int
        Which shift code's ``min_rest_hours`` applies next.

    Returns
    -------
    int
        The minimum rest, in minutes.
    """
    agent, code = problem.agents[a], problem.shifts[s]
    hours = agent.min_rest_hours
    if hours is None:
        hours = code.min_rest_hours if code.min_rest_hours is not None else problem.settings.min_rest_hours
    return round(hours * 60)


def matching_shifts(problem: CentreProblem, wish) -> list[int]:
    """The shift codes a wish is about: its code, or those overlapping its time of day (all when neither).

    Parameters
    ----------
    problem : CentreProblem
        The roster problem.
    wish : Wish
        The wish.

    Returns
    -------
    list of int
        Shift indexes.
    """
    out = []
    for s, code in enumerate(problem.shifts):
        if wish.shift is not None and code.code != wish.shift:
            continue
        if wish.window is not None:
            lo, hi = wish.window
            if not any(code.start < hi + k and lo + k < code.start + code.span for k in (-1440, 0, 1440)):
                continue
        out.append(s)
    return out
