"""Rostering a contact centre's named agents: load, solve, tables, files.

``make_roster(scenario, ...)`` is the library entry point (the CLI and the app call it);
``roster_files(...)`` reads the files and writes every output inside ``out_dir``, which
appears whole or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from wfm.errors import InputError
from wfm.roster import tables
from wfm.roster.agents import Agent
from wfm.roster.centre import CentreProblem, build_problem, read_requirements
from wfm.roster.centre_model import CentreModel, CentreSolution, solve_centre


@dataclass
class RosterResult:
    problem: CentreProblem
    model: CentreModel | None
    solution: CentreSolution
    summary: dict

    def __getstate__(self) -> dict:
        """What a pickled roster keeps (the app's solve process sends it back): everything but
        the CP-SAT model and the wishes' model expressions, which do not pickle and which
        nothing reads after the solve.

        Returns
        -------
        dict
            The fields, ``model`` ``None``.
        """
        import dataclasses

        unmet = [dataclasses.replace(u, expr=None) for u in self.solution.wishes_unmet]
        return {**self.__dict__, "model": None, "solution": dataclasses.replace(self.solution, wishes_unmet=unmet)}

    @property
    def assignment(self) -> pd.DataFrame:
        """The roster as ``agent, date, shift`` rows (:func:`wfm.roster.tables.assignment_table`).

        What ``assignment.csv`` holds, and what ``--lock`` reads back.

        Returns
        -------
        pandas.DataFrame
            One row per shift worked, with local start and end times and paid hours.
        """
        return tables.assignment_table(self.problem, self.solution)

    @property
    def shift_grid(self) -> pd.DataFrame:
        """The シフト表 grid: one row per agent, one column per day (:func:`wfm.roster.tables.shift_grid`).

        The sheet ``shift_table.xlsx`` prints.

        Returns
        -------
        pandas.DataFrame
            Shift codes per agent and day; ``休`` is time off, empty a day off.
        """
        return tables.shift_grid(self.problem, self.solution)

    @property
    def agent_totals(self) -> pd.DataFrame:
        """Per-agent totals (:func:`wfm.roster.tables.agent_totals`), as ``agents.csv``.

        Shifts, paid hours and cost beside the contract's limits; weekend and late shifts
        (the fairness measures); wishes unmet; hours below the minimum; shifts changed.

        Returns
        -------
        pandas.DataFrame
            One row per agent.
        """
        return tables.agent_totals(self.problem, self.solution)

    @property
    def fairness(self) -> pd.DataFrame:
        """The fairness spread among comparable agents (:func:`wfm.roster.tables.fairness_table`).

        Comparable: same group and weekly maximum, able to work such shifts.

        Returns
        -------
        pandas.DataFrame
            Per measure (weekend, late shifts) and compared group: fewest, most, spread and mean.
        """
        return tables.fairness_table(self.problem, self.solution)

    @property
    def shortfalls(self) -> pd.DataFrame:
        """The intervals left short (:func:`wfm.roster.tables.shortfall_table`).

        Each with its reason: nobody with the skill available, too few, or the rules.

        Returns
        -------
        pandas.DataFrame
            One row per queue and interval short (``ds`` as the requirement gives it); empty when all is covered.
        """
        return tables.shortfall_table(self.problem, self.solution)


def read_agents(scenario, roster_path=None, requirements: pd.DataFrame | None = None,
                source: str = "scenario") -> list[Agent]:
    """The named agents of a roster file (or of the scenario's ``[[agent]]`` entries), checked
    against the scenario's groups, shift codes and the skills the requirement names.

    Parameters
    ----------
    scenario : Scenario
        Its queues and campaigns are skills agents may name; its groups and shift rules
        check the rest.
    roster_path : str or Path, optional
        The roster file; ``None``: the scenario's ``[[agent]]`` entries.
    requirements : pandas.DataFrame, optional
        ``queue, ds, agents``; its queues count as skills.
    source : str
        The scenario's file name, which error messages name.

    Returns
    -------
    list of Agent
        The agents, each checked, in the order given.
    """
    from wfm.roster.centre import load_agents, shift_codes

    skills = {q.name for q in scenario.queues} | {c.name for c in scenario.campaigns}
    if requirements is not None:
        skills |= set(requirements["queue"].astype(str).unique())
    return load_agents(scenario, roster_path, shift_codes(scenario), skills, source)


def make_roster(scenario, agents: list[Agent] | None = None, *, roster_path=None, requirements: pd.DataFrame | None = None,
                published: pd.DataFrame | None = None, work_limit: float | None = None, source: str = "scenario",
                wall_clock_cap: float | None = None, published_dates=None) -> RosterResult:
    """Roster the named agents of ``scenario`` (or ``agents`` / the file ``roster_path``).

    ``requirements``: ``queue, ds, agents`` (ds tz-aware in the scenario's zone), or None
    when the scenario's ``[[roster.cover]]`` gives people per shift. ``published``: the
    ``agent, date, shift`` rows of a published roster to change as little as possible.

    Parameters
    ----------
    scenario : Scenario
        The scenario (horizon, groups, ``[roster]`` settings).
    agents : list of Agent, optional
        The agents; ``None`` reads ``roster_path`` or the ``[[agent]]`` entries.
    roster_path : str or Path, optional
        The roster file.
    requirements : pandas.DataFrame, optional
        The interval requirement.
    published : pandas.DataFrame, optional
        The published roster to re-roster from.
    work_limit : float, optional
        CP-SAT deterministic seconds; ``None``: ``roster.work_limit``.
    source : str
        The scenario's name, for messages.
    wall_clock_cap : float, optional
        A wall-clock safety net in seconds (see :func:`wfm.roster.centre_model.solve_model`).
    published_dates : iterable of datetime.date, optional
        The days of ``published`` that are published: only their changes are priced and
        counted (the app's locked days); default every day of the horizon.

    Returns
    -------
    RosterResult
        The problem, model, solution and summary.

    Raises
    ------
    InputError
        On bad input, or when no roster is found within the budget.
    """
    problem = build_problem(scenario, agents, roster_path=roster_path, requirements=requirements,
                            published=published, source=source, published_dates=published_dates)
    hint = None
    if problem.published is not None:
        # Start the search from the published roster: most of it usually stays.
        index = {day: d for d, day in enumerate(problem.dates)}
        ids = {agent.id: a for a, agent in enumerate(problem.agents)}
        hint = {(ids[agent], index[day], problem.shift_index(code))
                for (agent, day), code in problem.published.items() if code is not None}
    model, solution = solve_centre(problem, work_limit=work_limit, wall_clock_cap=wall_clock_cap, hint=hint)
    if solution.objective is None:
        raise InputError(f"{source}: no roster found ({solution.status}, {solution.stopped_by}); raise "
                         f"roster.work_limit.")
    return RosterResult(problem, model, solution, tables.summary(problem, solution))


def roster_file(scenario, base_dir) -> Path | None:
    """The roster file the scenario names (``[roster] agents``), resolved against ``base_dir``.

    Parameters
    ----------
    scenario : Scenario
        The scenario.
    base_dir : str or Path
        The folder the scenario's relative paths are relative to (the scenario file's).

    Returns
    -------
    Path or None
        The file; ``None`` when the scenario names none (its ``[[agent]]`` entries, if any, are the roster).

    Raises
    ------
    InputError
        When the file named does not exist.
    """
    return _named_file(scenario, base_dir, "agents", "the roster file (CSV or XLSX)")


def published_file(scenario, base_dir) -> Path | None:
    """The published roster to re-roster against: ``[roster] published``, relative to the scenario's folder.

    Parameters
    ----------
    scenario : Scenario
        Read for its ``roster.published`` setting only (an absolute path stays as it is).
    base_dir : str or Path
        Where a relative ``published`` is looked for: the folder of the scenario file.

    Returns
    -------
    Path or None
        The ``assignment.csv`` an earlier plan or roster wrote; ``None`` when the setting is absent.

    Raises
    ------
    InputError
        When no such file exists (the sentence names ``roster.published`` and the path).
    """
    return _named_file(scenario, base_dir, "published",
                       "the assignment.csv an earlier `wfm plan` (OUT/roster/) or `wfm roster` wrote")


def _named_file(scenario, base_dir, key: str, expected: str) -> Path | None:
    name = getattr(scenario.roster, key) if scenario.roster is not None else None
    if name is None:
        return None
    path = Path(name).expanduser()
    path = path if path.is_absolute() else Path(base_dir) / path
    if not path.is_file():
        raise InputError(f"roster.{key}: file '{path}' not found, expected {expected}, relative to the scenario's "
                         f"folder.")
    return path


def read_published(path) -> pd.DataFrame:
    """A published roster as read (``agent, date, shift`` and any other columns), named for messages.

    What ``wfm roster --lock``, ``wfm plan --lock`` and ``[roster] published`` read: the
    ``assignment.csv`` a roster wrote (CSV or XLSX). Its rows are checked against the team,
    the horizon and the shift codes when the roster is built
    (:func:`wfm.roster.centre.published_roster`).

    Parameters
    ----------
    path : str or Path
        The file.

    Returns
    -------
    pandas.DataFrame
        The rows; ``attrs["source"]`` is the path.

    Raises
    ------
    InputError
        When the file is missing or unreadable.
    """
    from wfm.data import read_table

    frame = read_table(path)
    frame.attrs["source"] = str(path)
    return frame


def names_roster(scenario) -> bool:
    """Whether the scenario names a roster of agents: a roster file (``[roster] agents``) or ``[[agent]]`` entries.

    Parameters
    ----------
    scenario : Scenario
        Read for its ``roster.agents`` setting and its ``[[agent]]`` list only.

    Returns
    -------
    bool
        True when ``wfm plan`` should roster named agents.
    """
    return bool(scenario.agents) or (scenario.roster is not None and scenario.roster.agents is not None)


def write_roster(result: RosterResult, folder, *, title: str = "") -> None:
    """Write every roster file into ``folder`` (an empty folder the caller makes atomic).

    ``assignment.csv``, ``shift_table.xlsx`` (the シフト表), ``agents.csv`` (per-person
    totals and fairness), ``fairness.csv``, ``days.csv``, ``shortfalls.csv``, ``cover.csv``,
    ``wishes.csv``, ``summary.json``, ``schedules/ID.csv`` and ``calendars/ID.ics`` per agent:
    what ``wfm roster`` writes, and the ``roster/`` folder of a ``wfm plan`` that names a roster.

    Parameters
    ----------
    result : RosterResult
        From :func:`make_roster`.
    folder : str or Path
        The folder written into (it must exist).
    title : str
        The シフト表's title (the scenario's name); ``シフト表`` is appended.
    """
    from wfm.export import write_json, write_table
    from wfm.roster import exports

    problem, solution = result.problem, result.solution
    tmp = Path(folder)
    write_table(result.assignment, tmp / "assignment.csv")
    write_table(result.agent_totals, tmp / "agents.csv")
    write_table(result.fairness, tmp / "fairness.csv")
    write_table(tables.day_totals(problem, solution), tmp / "days.csv")
    shortfalls = result.shortfalls
    if len(shortfalls):
        shortfalls = shortfalls.assign(ds=shortfalls["ds"].map(lambda t: t.strftime("%Y-%m-%d %H:%M")))
    write_table(shortfalls, tmp / "shortfalls.csv")
    write_table(tables.cover_table(problem, solution), tmp / "cover.csv")
    write_table(tables.wish_table(problem, solution), tmp / "wishes.csv")
    exports.write_shift_table(problem, solution, tmp / "shift_table.xlsx", title=f"{title} {exports.TITLE}".strip())
    (tmp / "schedules").mkdir()
    (tmp / "calendars").mkdir()
    for a, (name, frame) in enumerate(zip(exports.file_names(problem, ""), exports.person_schedules(problem, solution),
                                          strict=True)):
        write_table(frame, tmp / "schedules" / f"{name}.csv")
        exports.write_calendar(problem, solution, a, tmp / "calendars" / f"{name}.ics")
    write_json(result.summary, tmp / "summary.json")


def roster_files(scenario_path, out_dir, *, agents_path=None, requirements_path=None, lock_path=None,
                 work_limit: float | None = None) -> RosterResult:
    """Read the scenario, roster file, requirements and published roster; roster; write the outputs.

    ``out_dir`` gets the files of :func:`write_roster`.

    Parameters
    ----------
    scenario_path : str or Path
        The scenario TOML.
    out_dir : str or Path
        The output folder (replaced whole).
    agents_path : str or Path, optional
        The roster file (``--agents``); default the scenario's ``[roster] agents``, else its ``[[agent]]`` entries.
    requirements_path : str or Path, optional
        The requirements file (``--requirements``).
    lock_path : str or Path, optional
        A published ``assignment.csv`` to change as little as possible (``--lock``); default the
        scenario's ``[roster] published``, else none.
    work_limit : float, optional
        CP-SAT deterministic seconds (``--work-limit``).

    Returns
    -------
    RosterResult
        The roster written.
    """
    from wfm.export import atomic_dir, check_out_dir
    from wfm.scenario import load_scenario

    check_out_dir(out_dir)  # before the solve, so a bad folder costs no work
    scenario = load_scenario(scenario_path)
    if agents_path is None:
        agents_path = roster_file(scenario, Path(scenario_path).parent)
    if lock_path is None:
        lock_path = published_file(scenario, Path(scenario_path).parent)
    requirements = read_requirements(requirements_path, scenario) if requirements_path is not None else None
    published = None if lock_path is None else read_published(lock_path)
    result = make_roster(scenario, roster_path=agents_path, requirements=requirements, published=published,
                         work_limit=work_limit, source=str(scenario_path))
    with atomic_dir(out_dir) as tmp:
        write_roster(result, tmp, title=scenario.name)
    return result


def roster_downloads(result: RosterResult, *, title: str = "") -> dict[str, bytes]:
    """The roster's files for a download button: ``shift_table.xlsx``, ``calendars.zip`` (one
    ``.ics`` per agent) and ``roster.zip`` (every file of :func:`write_roster`).

    Parameters
    ----------
    result : RosterResult
        From :func:`make_roster`.
    title : str
        The シフト表's title (the scenario's name).

    Returns
    -------
    dict of str to bytes
        File name to content.
    """
    import io
    import tempfile
    import zipfile

    def zipped(folder: Path, files) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(files):
                zf.write(path, path.relative_to(folder).as_posix())
        return buffer.getvalue()

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_roster(result, folder, title=title)
        return {"shift_table.xlsx": (folder / "shift_table.xlsx").read_bytes(),
                "calendars.zip": zipped(folder, (folder / "calendars").glob("*.ics")),
                "roster.zip": zipped(folder, (p for p in folder.rglob("*") if p.is_file()))}


def availability(scenario, agents: list[Agent] | None = None, requirements: pd.DataFrame | None = None, *,
                 roster_path=None, source: str = "scenario") -> pd.DataFrame:
    """Availability against need before any solve (the app's Roster page shows it).

    Parameters
    ----------
    scenario : Scenario
        The scenario (horizon, groups, shift codes).
    agents : list of Agent, optional
        The agents; ``None`` reads ``roster_path`` or the ``[[agent]]`` entries.
    requirements : pandas.DataFrame, optional
        ``queue, ds, agents``, the interval requirement.
    roster_path : str or Path, optional
        The roster file, when ``agents`` is ``None``.
    source : str
        The scenario's name, for messages.

    Returns
    -------
    pandas.DataFrame
        ``queue, ds, required, available_agents, unavailable``: per queue and interval the
        agents required, how many with the skill could be on the phones then
        (:func:`wfm.roster.tables.availability_table`), and how many of the required nobody
        available can be (``required - available_agents``, at least 0).
    """
    problem = build_problem(scenario, agents, roster_path=roster_path, requirements=requirements, source=source)
    table = tables.availability_table(problem)
    return table.assign(unavailable=(table["required"] - table["available_agents"]).clip(lower=0))
