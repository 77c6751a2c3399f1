"""Reader of Curtois & Qu's employee-scheduling benchmark instances (schedulingbenchmarks.org).

The plain-text format (``#`` starts a comment) has the sections ``SECTION_HORIZON``,
``SECTION_SHIFTS``, ``SECTION_STAFF``, ``SECTION_DAYS_OFF``,
``SECTION_SHIFT_ON_REQUESTS``, ``SECTION_SHIFT_OFF_REQUESTS`` and ``SECTION_COVER``;
see ``benchmarks/curtois/README.md`` beside the instances. Day 0 is a Monday.

Only the mapping onto :class:`wfm.roster.problem.RosterProblem` lives here; the model
and the solver know nothing of the file format.
"""

from __future__ import annotations

from pathlib import Path

from wfm.errors import InputError, existing_file
from wfm.roster.problem import Contract, Cover, Employee, Request, RosterProblem, ShiftType

SECTIONS = (
    "SECTION_HORIZON",
    "SECTION_SHIFTS",
    "SECTION_STAFF",
    "SECTION_DAYS_OFF",
    "SECTION_SHIFT_ON_REQUESTS",
    "SECTION_SHIFT_OFF_REQUESTS",
    "SECTION_COVER",
)
# Fields per line (the days-off lines have one or more day indexes after the ID).
FIELDS = {
    "SECTION_HORIZON": 1,
    "SECTION_SHIFTS": 3,
    "SECTION_STAFF": 8,
    "SECTION_SHIFT_ON_REQUESTS": 4,
    "SECTION_SHIFT_OFF_REQUESTS": 4,
    "SECTION_COVER": 5,
}
STAFF_COLUMNS = (
    "ID", "MaxShifts", "MaxTotalMinutes", "MinTotalMinutes", "MaxConsecutiveShifts",
    "MinConsecutiveShifts", "MinConsecutiveDaysOff", "MaxWeekends",
)


class _Line:
    """One data line: where it is (for messages) and its comma-separated fields."""

    def __init__(self, source: str, number: int, section: str, text: str):
        self.source, self.number, self.section, self.text = source, number, section, text
        self.fields = [f.strip() for f in text.split(",")]

    def where(self) -> str:
        return f"{self.source}, line {self.number} ({self.section})"

    def integer(self, index: int, name: str, *, low: int = 0, high: int | None = None) -> int:
        value = self.fields[index]
        try:
            number = int(value)
        except ValueError:
            raise InputError(f"{self.where()}: {name} '{value}' is not a whole number.") from None
        if number < low or (high is not None and number > high):
            expected = f"between {low} and {high}" if high is not None else f"at least {low}"
            raise InputError(f"{self.where()}: {name} {number} is out of range, expected {expected}.")
        return number


def read_curtois(path: str | Path) -> RosterProblem:
    """Read one instance file into a :class:`RosterProblem`.

    Parameters
    ----------
    path : str or Path
        An instance in the published format (``InstanceN.txt``).

    Returns
    -------
    RosterProblem
        Days, shift types, employees with their contracts, days off, requests and cover.

    Raises
    ------
    InputError
        A missing or unreadable file, or one sentence naming its line and the bad value.
    """
    path = existing_file(path, missing="no such file, expected a Curtois & Qu instance (.txt).",
                         folder="is a folder, expected a Curtois & Qu instance file (.txt).")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: byte {exc.start} is not UTF-8 text, expected a plain-text instance file.") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror}).") from None
    return parse_curtois(text, str(path))


def parse_curtois(text: str, source: str = "<instance>") -> RosterProblem:
    """Parse the text of one instance (see :func:`read_curtois`).

    Parameters
    ----------
    text : str
        The instance text.
    source : str
        Name for messages.

    Returns
    -------
    RosterProblem
        The problem.

    Examples
    --------
    >>> lines = ["SECTION_HORIZON", "7", "SECTION_SHIFTS", "D,480,", "SECTION_STAFF",
    ...          "A,D=7,3360,0,7,1,1,2", "SECTION_COVER", "0,D,1,100,1"]
    >>> problem = parse_curtois(chr(10).join(lines))
    >>> problem.days, [s.name for s in problem.shifts], [e.name for e in problem.employees]
    (7, ['D'], ['A'])
    """
    lines: dict[str, list[_Line]] = {}
    section = None
    for number, raw in enumerate(text.splitlines(), start=1):
        content = raw.split("#", 1)[0].strip()
        if not content:
            continue
        if content.startswith("SECTION_"):
            if content not in SECTIONS:
                raise InputError(
                    f"{source}, line {number}: unknown section '{content}', expected one of {', '.join(SECTIONS)}."
                )
            if content in lines:
                raise InputError(f"{source}, line {number}: section '{content}' appears a second time.")
            section = content
            lines[section] = []
            continue
        if section is None:
            raise InputError(f"{source}, line {number}: '{content}' comes before any SECTION_ header.")
        line = _Line(source, number, section, content)
        expected = FIELDS.get(section)
        if expected is not None and len(line.fields) != expected:
            raise InputError(
                f"{line.where()}: '{content}' has {len(line.fields)} comma-separated fields, expected {expected}."
            )
        if section == "SECTION_DAYS_OFF" and len(line.fields) < 2:
            raise InputError(f"{line.where()}: '{content}' has no day indexes after the employee ID.")
        lines[section].append(line)
    for required in ("SECTION_HORIZON", "SECTION_SHIFTS", "SECTION_STAFF"):
        if not lines.get(required):
            raise InputError(f"{source}: the section {required} is missing or empty.")

    horizon = lines["SECTION_HORIZON"]
    if len(horizon) != 1:
        raise InputError(f"{horizon[1].where()}: a second horizon length '{horizon[1].text}', expected one number.")
    days = horizon[0].integer(0, "horizon length", low=1)

    shifts = _read_shifts(lines["SECTION_SHIFTS"])
    names = {s.name for s in shifts}
    employees = _read_staff(lines["SECTION_STAFF"], names)
    employees = _read_days_off(lines.get("SECTION_DAYS_OFF", []), employees, days)
    requests = _read_requests(lines.get("SECTION_SHIFT_ON_REQUESTS", []), True, employees, names, days)
    requests += _read_requests(lines.get("SECTION_SHIFT_OFF_REQUESTS", []), False, employees, names, days)
    cover = _read_cover(lines.get("SECTION_COVER", []), names, days)
    return RosterProblem(
        days=days,
        shifts=shifts,
        employees=list(employees.values()),
        requests=requests,
        cover=cover,
        first_weekday=0,  # "All instances start on a Monday"
        edge_runs="exempt",
        source=source,
    )


def _new_id(line: _Line, seen: dict[str, _Line], what: str) -> str:
    """The ID in the line's first field, refused when empty or already defined; recorded in ``seen``."""
    name = line.fields[0]
    if not name:
        raise InputError(f"{line.where()}: the {what} ID is empty.")
    if name in seen:
        raise InputError(f"{line.where()}: {what} ID '{name}' is defined twice (first on line {seen[name].number}).")
    seen[name] = line
    return name


def _read_shifts(lines: list[_Line]) -> list[ShiftType]:
    seen: dict[str, _Line] = {}
    for line in lines:
        _new_id(line, seen, "shift")
    shifts = []
    for name, line in seen.items():
        minutes = line.integer(1, f"length of shift '{name}' in minutes", low=1, high=24 * 60)
        following = [f.strip() for f in line.fields[2].split("|") if f.strip()]
        for other in following:
            if other not in seen:
                raise InputError(f"{line.where()}: shift '{other}' that cannot follow '{name}' is not defined.")
        shifts.append(ShiftType(name, minutes, frozenset(following)))
    return shifts


def _read_staff(lines: list[_Line], shifts: set[str]) -> dict[str, Employee]:
    employees: dict[str, Employee] = {}
    seen: dict[str, _Line] = {}
    for line in lines:
        name = _new_id(line, seen, "employee")
        max_shifts: dict[str, int] = {}
        for part in line.fields[1].split("|"):
            shift, sep, value = part.partition("=")
            shift = shift.strip()
            if not sep or shift not in shifts:
                raise InputError(
                    f"{line.where()}: MaxShifts entry '{part}' of employee '{name}' is not SHIFT=COUNT "
                    f"for a defined shift ({'|'.join(sorted(shifts))})."
                )
            try:
                max_shifts[shift] = int(value)
            except ValueError:
                raise InputError(
                    f"{line.where()}: MaxShifts entry '{part}' of employee '{name}' has no whole-number count."
                ) from None
            if max_shifts[shift] < 0:
                raise InputError(f"{line.where()}: MaxShifts entry '{part}' of employee '{name}' is negative.")
        values = {column: line.integer(i, f"{column} of employee '{name}'") for i, column in enumerate(STAFF_COLUMNS) if i >= 2}
        if values["MinTotalMinutes"] > values["MaxTotalMinutes"]:
            raise InputError(
                f"{line.where()}: employee '{name}' has MinTotalMinutes {values['MinTotalMinutes']} above "
                f"MaxTotalMinutes {values['MaxTotalMinutes']}."
            )
        if values["MaxConsecutiveShifts"] < 1:
            raise InputError(f"{line.where()}: employee '{name}' has MaxConsecutiveShifts 0, expected at least 1.")
        if values["MinConsecutiveShifts"] > values["MaxConsecutiveShifts"]:
            raise InputError(
                f"{line.where()}: employee '{name}' has MinConsecutiveShifts {values['MinConsecutiveShifts']} above "
                f"MaxConsecutiveShifts {values['MaxConsecutiveShifts']}."
            )
        contract = Contract(
            max_shifts=max_shifts,
            min_minutes=values["MinTotalMinutes"],
            max_minutes=values["MaxTotalMinutes"],
            max_consecutive_shifts=values["MaxConsecutiveShifts"],
            min_consecutive_shifts=max(1, values["MinConsecutiveShifts"]),
            min_consecutive_days_off=max(1, values["MinConsecutiveDaysOff"]),
            max_weekends=values["MaxWeekends"],
        )
        employees[name] = Employee(name, contract)
    return employees


def _employee(line: _Line, employees: dict[str, Employee]) -> str:
    name = line.fields[0]
    if name not in employees:
        raise InputError(f"{line.where()}: employee '{name}' is not in SECTION_STAFF.")
    return name


def _read_days_off(lines: list[_Line], employees: dict[str, Employee], days: int) -> dict[str, Employee]:
    off: dict[str, set[int]] = {name: set() for name in employees}
    for line in lines:
        name = _employee(line, employees)
        for index in range(1, len(line.fields)):
            off[name].add(line.integer(index, f"day off of employee '{name}'", high=days - 1))
    return {name: Employee(name, e.contract, frozenset(off[name])) for name, e in employees.items()}


def _read_requests(lines: list[_Line], wanted: bool, employees: dict[str, Employee], shifts: set[str],
                   days: int) -> list[Request]:
    requests = []
    for line in lines:
        name = _employee(line, employees)
        day = line.integer(1, "day", high=days - 1)
        shift = line.fields[2]
        if shift not in shifts:
            raise InputError(f"{line.where()}: shift '{shift}' is not defined in SECTION_SHIFTS.")
        weight = line.integer(3, "weight")
        requests.append(Request(name, day, shift, weight, wanted))
    return requests


def _read_cover(lines: list[_Line], shifts: set[str], days: int) -> list[Cover]:
    cover: dict[tuple[int, str], Cover] = {}
    for line in lines:
        day = line.integer(0, "day", high=days - 1)
        shift = line.fields[1]
        if shift not in shifts:
            raise InputError(f"{line.where()}: shift '{shift}' is not defined in SECTION_SHIFTS.")
        if (day, shift) in cover:
            raise InputError(f"{line.where()}: cover for day {day} and shift '{shift}' is given twice.")
        cover[(day, shift)] = Cover(
            day, shift, line.integer(2, "requirement"), line.integer(3, "weight for under"), line.integer(4, "weight for over")
        )
    return list(cover.values())
