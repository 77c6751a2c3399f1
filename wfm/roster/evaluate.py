"""An independent evaluator of Curtois & Qu rosters.

It recomputes an assignment's objective and checks every hard rule from the instance
*text* alone, with its own small parser and plain loops, so that the solver's number is
checked by code that did not produce it. It deliberately imports nothing from the
reader or the model (:mod:`wfm.roster.curtois`, :mod:`wfm.roster.model`): a mistake
there cannot hide itself here.

Runs that touch the first or last day: with ``edge_runs="exempt"`` (the default) a run
of worked days or of days off cut by the horizon's edge may be shorter than the
contract's minimum. Settled by solving to optimality under each reading: only
"exempt for both rules" reproduces the published optima (Instance1 607, Instance2 828).
Enforcing both gives 807 and 930; enforcing only the days-off minimum gives 807 and a
bound of 831 on Instance2; enforcing only the worked-run minimum gives 607 but 833 on
Instance2.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Evaluation:
    objective: int
    terms: dict[str, int]  # unmet_on_requests, granted_off_requests, cover_under, cover_over
    violations: list[str] = field(default_factory=list)  # one sentence per broken hard rule

    @property
    def feasible(self) -> bool:
        """Whether the roster breaks no hard rule.

        Returns
        -------
        bool
            True when ``violations`` is empty.
        """
        return not self.violations


def _sections(text: str) -> dict[str, list[list[str]]]:
    sections: dict[str, list[list[str]]] = {}
    current = None
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("SECTION_"):
            current = sections.setdefault(line, [])
        elif current is not None:
            current.append([f.strip() for f in line.split(",")])
    return sections


def evaluate_curtois(text: str, assignment, *, edge_runs: str = "exempt") -> Evaluation:
    """Price ``assignment`` and check it against the instance ``text``.

    Parameters
    ----------
    text
        The instance file's text.
    assignment
        ``(employee, day, shift)`` triples, one per worked day (an iterable of tuples,
        or a frame with those columns).
    edge_runs
        ``"exempt"`` or ``"enforced"``, see the module docstring.


    Returns
    -------
    Evaluation
        The objective and its terms as the instance defines them, and every hard-rule violation.
    """
    sec = _sections(text)
    days = int(sec["SECTION_HORIZON"][0][0])
    length = {row[0]: int(row[1]) for row in sec["SECTION_SHIFTS"]}
    forbidden = {row[0]: {x for x in row[2].split("|") if x} for row in sec["SECTION_SHIFTS"]}
    staff = {}
    for row in sec["SECTION_STAFF"]:
        staff[row[0]] = {
            "max_shifts": {k: int(v) for k, v in (part.split("=") for part in row[1].split("|"))},
            "max_minutes": int(row[2]), "min_minutes": int(row[3]),
            "max_consecutive": int(row[4]), "min_consecutive": int(row[5]),
            "min_days_off": int(row[6]), "max_weekends": int(row[7]),
        }
    days_off = {row[0]: {int(x) for x in row[1:]} for row in sec.get("SECTION_DAYS_OFF", [])}

    if hasattr(assignment, "itertuples"):
        assignment = assignment[["employee", "day", "shift"]].itertuples(index=False, name=None)
    roster: dict[str, list[str | None]] = {name: [None] * days for name in staff}
    violations: list[str] = []
    for employee, day, shift in assignment:
        employee, day, shift = str(employee), int(day), str(shift)
        if employee not in roster:
            violations.append(f"employee '{employee}' is not in the instance.")
        elif not 0 <= day < days:
            violations.append(f"employee '{employee}' works day {day}, outside the horizon of {days} days.")
        elif shift not in length:
            violations.append(f"employee '{employee}' works unknown shift '{shift}' on day {day}.")
        elif roster[employee][day] is not None:
            violations.append(f"employee '{employee}' works two shifts on day {day}.")
        else:
            roster[employee][day] = shift

    for name, rules in staff.items():
        plan = roster[name]
        worked = [s is not None for s in plan]
        for day in sorted(days_off.get(name, ())):
            if worked[day]:
                violations.append(f"employee '{name}' works day {day}, a fixed day off.")
        for day in range(days - 1):
            if plan[day] is not None and plan[day + 1] in forbidden[plan[day]]:
                violations.append(f"employee '{name}' works '{plan[day + 1]}' on day {day + 1} after '{plan[day]}'.")
        for shift, limit in rules["max_shifts"].items():
            count = plan.count(shift)
            if count > limit:
                violations.append(f"employee '{name}' works {count} '{shift}' shifts, at most {limit} allowed.")
        minutes = sum(length[s] for s in plan if s is not None)
        if not rules["min_minutes"] <= minutes <= rules["max_minutes"]:
            violations.append(
                f"employee '{name}' works {minutes} minutes, allowed {rules['min_minutes']}-{rules['max_minutes']}."
            )
        for value, first, last in _runs(worked):
            run = last - first + 1
            at_edge = first == 0 or last == days - 1
            if value and run > rules["max_consecutive"]:
                violations.append(
                    f"employee '{name}' works {run} days in a row from day {first}, at most {rules['max_consecutive']}."
                )
            minimum = rules["min_consecutive"] if value else rules["min_days_off"]
            if run < minimum and not (at_edge and edge_runs == "exempt"):
                what = "works" if value else "is off"
                violations.append(f"employee '{name}' {what} only {run} day(s) in a row from day {first}, at least {minimum}.")
        weekends = 0
        for saturday in range(5, days + 1, 7):  # day 0 is a Monday
            if any(worked[d] for d in (saturday, saturday + 1) if d < days):
                weekends += 1
        if weekends > rules["max_weekends"]:
            violations.append(f"employee '{name}' works {weekends} weekends, at most {rules['max_weekends']}.")

    terms = {"unmet_on_requests": 0, "granted_off_requests": 0, "cover_under": 0, "cover_over": 0}
    for name, day, shift, weight in sec.get("SECTION_SHIFT_ON_REQUESTS", []):
        if roster[name][int(day)] != shift:
            terms["unmet_on_requests"] += int(weight)
    for name, day, shift, weight in sec.get("SECTION_SHIFT_OFF_REQUESTS", []):
        if roster[name][int(day)] == shift:
            terms["granted_off_requests"] += int(weight)
    for day, shift, required, under, over in sec.get("SECTION_COVER", []):
        staffed = sum(plan[int(day)] == shift for plan in roster.values())
        terms["cover_under"] += int(under) * max(0, int(required) - staffed)
        terms["cover_over"] += int(over) * max(0, staffed - int(required))
    return Evaluation(sum(terms.values()), terms, violations)


def _runs(flags: list[bool]):
    """Maximal runs of equal values: ``(value, first day, last day)``."""
    first = 0
    for day in range(1, len(flags) + 1):
        if day == len(flags) or flags[day] != flags[first]:
            yield flags[first], first, day - 1
            first = day
