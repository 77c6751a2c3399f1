"""Blended inbound/outbound weekly scheduling with OR-Tools CP-SAT.

``make_schedule(requirements, scenario)`` turns the inbound requirement per interval
(the output of :func:`wfm.erlang.size_intervals` / ``wfm size``) plus the scenario's
groups, shift rules and campaigns into per-agent weekly schedules, the coverage per
interval and a summary with the cost, the lower bound and the gap.

Modules: :mod:`.rules` (the problem in slots), :mod:`.model` (one helper per rule),
:mod:`.solve` (GLOP bound, CP-SAT), :mod:`.expand` (agents and segments),
:mod:`.diagnose` (binding rules), :mod:`.validate` (hard-rule checks).
"""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from wfm.errors import InputError
from wfm.progress import Observer
from wfm.results import ScheduleSummary
from wfm.scenario import Scenario
from wfm.schedule.diagnose import binding_rules
from wfm.schedule.expand import Roster, expand_roster, roster_frames
from wfm.schedule.figures import model_coverage, plan_figures
from wfm.schedule.model import Layout, LinearModel, build_model, settle_goal_steps
from wfm.schedule.repair import repair_plan
from wfm.schedule.rules import Problem, build_problem
from wfm.schedule.solve import Budget, solve_plan

__all__ = [
    "ScheduleResult",
    "ScheduleSummary",
    "make_schedule",
    "write_schedule",
    "schedule_table",
    "plan_figures",
    "build_problem",
    "build_model",
    "check_budget",
    "schedule_files",
]


@dataclass
class ScheduleResult:
    """A solved schedule: the tables that leave the program and what produced them."""

    schedule: pd.DataFrame  # agent, group, shift, date, start, end, activity, detail
    coverage: pd.DataFrame  # ds, required, scheduled_inbound, outbound, over, under
    summary: ScheduleSummary  # what summary.json holds: summary.to_json()
    problem: Problem
    roster: Roster
    planned_coverage: pd.DataFrame | None = None  # ds, scheduled_inbound, outbound as the model planned them
    # Timings (seconds per phase, whole solve): they vary run to run, so they stay out of
    # summary.json and kpis.json (byte-identical across runs) and go to run.json.
    run: dict = field(default_factory=dict)

    @property
    def notes(self) -> list[str]:
        """Sentences the planner should read (dropped requirements, a fired time cap, ...).

        The same list ``summary.json`` writes under ``notes``.

        Returns
        -------
        list of str
            One sentence per note, in the order the stages wrote them.
        """
        return self.summary.notes


def _round(x: float | None, digits: int = 2):
    return None if x is None else round(float(x), digits)


def make_schedule(
    requirements: pd.DataFrame, scenario: Scenario, *,
    time_limit: float | None = None, work_limit: float | None = None, source: str = "requirements",
    service_curves=None, on_solution: Observer | None = None,
) -> ScheduleResult:
    """Schedule the horizon at minimum cost.

    Parameters
    ----------
    requirements : DataFrame
        ``ds`` (interval start, local time), ``agents`` (agents required), optional
        ``queue``; at the scenario's ``interval_minutes``.
    scenario : Scenario
        Horizon, groups, shift rules, campaigns, costs and solver settings.
    time_limit : float, optional
        Wall-clock safety cap in seconds; default ``scenario.solver.time_limit_seconds``.
        In normal runs the work limit stops the solver first; when the cap fires the
        summary's notes say so (the plan may then differ on another machine).
    work_limit : float, optional
        Solver work in CP-SAT deterministic seconds, the same on every machine;
        default ``scenario.solver.work_limit``.
    source : str
        Name of the requirement table in error messages.
    service_curves : wfm.service_goal.GoalCurves, optional
        Queues with a day or week service goal: their ``agents`` are the interval
        floors, and the curves say what each further head buys.
    on_solution : callable, optional
        Told each improving CP-SAT plan as a :class:`wfm.progress.ProgressEvent` (cost,
        bound, gap, deterministic time); watching does not change the plan.

    Returns
    -------
    ScheduleResult
        ``summary`` (a :class:`~wfm.results.ScheduleSummary`; ``summary.json`` is its
        ``to_json()``) holds the written schedule's figures (:func:`plan_figures`):
        ``cost`` (paid cost + penalties), ``lower_bound`` (the larger of the LP
        relaxation and CP-SAT's bound), ``gap`` (``(cost - lower_bound) / cost``),
        ``paid_hours``, ``fte``, ``under_intervals``, per
        campaign ``outbound_done_share``, ``work_used``, ``status`` and
        ``binding_rules``; ``solver_cost`` is the solver's objective (a note says
        when it differs from ``cost``). ``coverage`` is recounted from the written
        schedule; ``planned_coverage`` is the model's, for
        :func:`wfm.schedule.validate.check_schedule`. ``run`` holds the timings
        (``solve_seconds`` and per phase); ``notes`` the sentences for the planner.
    """
    began = time.perf_counter()
    limit = scenario.solver.time_limit_seconds if time_limit is None else check_budget(time_limit, "time_limit")
    work = scenario.solver.work_limit if work_limit is None else check_budget(work_limit, "work_limit")
    budget = Budget.start(work, limit)
    problem = build_problem(requirements, scenario, source, service_curves)
    model, layout, avail = build_model(problem)
    if problem.weeks > 1:
        result = _solve_week_by_week(requirements, scenario, problem, model, layout, budget, source, service_curves,
                                     on_solution=on_solution)
    else:
        result = _solve(model, layout, scenario, budget, on_solution=on_solution)
    if result.values is None:
        # No plan found within the budget: the empty plan is always allowed (everything short).
        values = _empty_plan(model)
        status = "NO_PLAN_FOUND (showing the empty plan: every requirement short)"
    else:
        values = result.values
        status = result.status
    # A time-limited solve can leave a penalty-dominated plan (many short intervals);
    # a greedy repair on the model's own variables fixes most of that in milliseconds.
    repair_began = time.perf_counter()
    repaired = repair_plan(problem, model, layout, avail, values)
    if float(repaired @ np.asarray(model.cost)) < float(values @ np.asarray(model.cost)) - 1e-6:
        values = repaired
        status = f"{status} + greedy repair"
        result.phases["repair_seconds"] = round(time.perf_counter() - repair_began, 2)
    roster = expand_roster(problem, layout, values)
    schedule, coverage = roster_frames(problem, roster)
    summary = _summary(problem, model, layout, values, result, status, roster, coverage)
    # Every figure describes the schedule as written, not the solver's variables (see
    # wfm.schedule.figures); the written coverage must also be the model's.
    planned = model_coverage(problem, layout, values, avail)
    summary, coverage = _written_figures(summary, schedule, requirements, problem, result, planned)
    phases, timings = _split_timings(result.phases)
    phases.pop("work_used", None)  # one phase's work; the summary's is all phases'
    summary.phases = phases
    summary.work_used = round(work - budget.work, 3)  # CP-SAT deterministic seconds, all phases
    if budget.note():
        summary.notes.append(budget.note())
    run = {"solve_seconds": round(time.perf_counter() - began, 2), "time_limit_seconds": limit,
           "work_limit": work, "work_used": summary.work_used, "time_cap_fired": budget.cap_fired, **timings}
    return ScheduleResult(schedule, coverage, summary, problem, roster, planned_coverage=planned, run=run)


def check_budget(value, name: str) -> float:
    """A solver limit must be a positive, finite number (0, negative or NaN would be silently odd).

    Parameters
    ----------
    value : object
        The limit given (``--time-limit``, ``--work-limit`` or a setting).
    name : str
        Its name, for the message.

    Returns
    -------
    float
        The limit in seconds.

    Raises
    ------
    InputError
        When it is not a positive, finite number.

    Examples
    --------
    >>> check_budget("60", "--time-limit")
    60.0
    """
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not (math.isfinite(number) and number > 0):
        raise InputError(f"{name}: {value!r} is not a positive number of seconds, expected e.g. 60.")
    return number


def _split_timings(phases: dict) -> tuple[dict, dict]:
    """The phase figures without the ``*_seconds`` (which vary run to run), and those timings."""
    kept, timings = {}, {}
    for key, value in phases.items():
        if isinstance(value, dict):
            kept[key], inner = _split_timings(value)
            if inner:
                timings[key] = inner
        elif key.endswith("_seconds"):
            timings[key] = value
        else:
            kept[key] = value
    return kept, timings


def _solve(model: LinearModel, layout: Layout, scenario: Scenario, budget: Budget, lp=None, hint_first=False,
           work: float | None = None, on_solution: Observer | None = None, label: str = ""):
    # Starts and breaks fix the plan's shape; tours follow from them, so they stay free.
    neighbourhoods = [
        np.concatenate([layout.start_vars, layout.break_vars]).astype(np.int64),
        layout.start_vars.astype(np.int64),
    ]
    return solve_plan(
        model,
        neighbourhoods,
        work_limit=budget.work if work is None else work,
        time_limit=budget.cap_seconds,
        budget=budget,
        seed=scenario.solver.seed,
        workers=scenario.solver.workers,
        gap_limit=scenario.solver.gap_limit,
        lp=lp,
        hint_first=hint_first,
        on_solution=on_solution,
        label=label,
    )


def _solve_week_by_week(requirements, scenario, problem, model, layout, budget, source, service_curves=None,
                        on_solution: Observer | None = None):
    """Several weeks: the LP of the whole horizon gives the bound and splits each
    campaign's work between the weeks; each week is then solved on its own (a model
    of one week solves in seconds, one of four weeks does not) and the plans joined.
    """
    import datetime as dt

    from wfm.schedule.solve import PlanSolve, solve_lp

    began = time.perf_counter()
    lp = solve_lp(model, time_limit=budget.cap_left())
    budget.cap_fired |= lp.capped
    seconds = problem.interval * 60
    S = problem.slots_per_day
    owed_by_week = np.zeros((problem.weeks, len(problem.campaigns)))
    for ci, plan in enumerate(problem.campaigns):
        sel = layout.outbound_keys[:, 1] == ci
        if lp.values is not None and sel.any():
            week = layout.outbound_keys[sel, 2] // (7 * S)
            np.add.at(owed_by_week[:, ci], week, lp.values[layout.outbound_vars[sel]] * seconds)
        else:
            per_day = plan.mask.sum(axis=1).reshape(problem.weeks, 7).sum(axis=1)
            owed_by_week[:, ci] = plan.owed_seconds * per_day / max(per_day.sum(), 1)
    index = {
        name: {tuple(k): int(v) for k, v in zip(keys.tolist(), vars_.tolist(), strict=False)}
        for name, keys, vars_ in (
            ("tour", layout.tour_keys, layout.tour_vars),
            ("start", layout.start_keys, layout.start_vars),
            ("break", layout.break_keys, layout.break_vars),
            ("inbound", layout.inbound_keys, layout.inbound_vars),
            ("outbound", layout.outbound_keys, layout.outbound_vars),
            ("short", layout.short_keys, layout.short_vars),
        )
    }
    values = np.zeros(model.num_vars, dtype=np.int64)
    statuses, phases = [], {"lp_seconds": round(lp.seconds, 2)}
    for w in range(problem.weeks):
        horizon = scenario.horizon.model_copy(update={"start": scenario.horizon.start + dt.timedelta(days=7 * w), "days": 7})
        week_scenario = scenario.model_copy(update={"horizon": horizon})
        sub = build_problem(requirements, week_scenario, source, service_curves)
        for ci, plan in enumerate(sub.campaigns):
            # Round up to whole intervals of work so the split never leaves a sliver undone.
            plan.owed_seconds = int(np.ceil(owed_by_week[w, ci] / seconds - 1e-6) * seconds)
            plan.owed_seconds = min(plan.owed_seconds, problem.campaigns[ci].owed_seconds)
        sub_model, sub_layout, _ = build_model(sub)
        # Each week gets an equal share of the work the earlier weeks left (deterministic).
        # Week models are larger (more groups and queues): start from the rounded LP point,
        # which measured more robust there than a cold start.
        part = _solve(sub_model, sub_layout, week_scenario, budget, hint_first=True,
                      work=max(2.0, budget.work / (problem.weeks - w)), on_solution=on_solution, label=f"week {w + 1}")
        statuses.append(part.status)
        phases[f"week_{w + 1}"] = dict(part.phases, cost=part.objective, lp_bound=part.lp_bound)
        if part.values is None:
            continue
        shift_day = 7 * w
        sub_S = sub.slots_per_day  # a week without a fall-back day has shorter days than the horizon

        def slot(t, sub_S=sub_S, shift_day=shift_day):
            return (t // sub_S + shift_day) * S + t % sub_S

        moves = (
            ("tour", sub_layout.tour_keys, sub_layout.tour_vars, lambda k: (k[0], k[1] + w, k[2], k[3])),  # noqa: B023
            ("start", sub_layout.start_keys, sub_layout.start_vars, lambda k: (k[0], k[1] + shift_day, k[2], k[3])),  # noqa: B023
            ("break", sub_layout.break_keys, sub_layout.break_vars, lambda k: (k[0], k[1] + shift_day, *k[2:])),  # noqa: B023
            ("inbound", sub_layout.inbound_keys, sub_layout.inbound_vars, lambda k: (k[0], k[1], slot(k[2]))),
            ("outbound", sub_layout.outbound_keys, sub_layout.outbound_vars, lambda k: (k[0], k[1], slot(k[2]))),
            ("short", sub_layout.short_keys, sub_layout.short_vars, lambda k: (k[0], slot(k[1]))),
        )
        for name, keys, vars_, move in moves:
            for key, var in zip(keys.tolist(), vars_.tolist(), strict=False):
                target = index[name].get(move(tuple(key)))
                if target is not None:
                    values[target] += int(part.values[var])
    for ci, plan in enumerate(problem.campaigns):
        sel = layout.outbound_keys[:, 1] == ci
        done = int(values[layout.outbound_vars[sel]].sum()) * seconds
        values[layout.undone_vars[ci]] = max(0, plan.owed_seconds - done)
    values = settle_goal_steps(model, layout, values)
    objective = float(values @ np.asarray(model.cost))
    status = "FEASIBLE (week by week)" if all(s in ("OPTIMAL", "FEASIBLE") for s in statuses) else ", ".join(statuses)
    phases["weeks"] = statuses
    return PlanSolve(values, objective, lp.objective, None, status, time.perf_counter() - began, phases)


def _written_figures(summary: ScheduleSummary, schedule: pd.DataFrame, requirements: pd.DataFrame, problem: Problem,
                     result, planned: pd.DataFrame) -> tuple[ScheduleSummary, pd.DataFrame]:
    """The summary with the written schedule's figures, and its coverage table.

    The solver's objective stays as ``solver_cost``; a note says so when it differs
    from the written plan's cost (a stopped search can leave slack in the shortfall
    and undone variables that no agent's schedule shows).
    """
    from wfm.schedule.validate import coverage_mismatches

    solver_cost = summary.cost
    bounds = [b for b in (result.lp_bound, result.cpsat_bound) if b is not None]
    figures = plan_figures(_written(schedule), requirements, problem.scenario,
                           lower_bound=max(bounds) if bounds else None, problem=problem)
    coverage = figures.pop("coverage")
    summary = dataclasses.replace(summary, **figures, solver_cost=solver_cost)
    notes = summary.notes
    if abs(solver_cost - figures["cost"]) > 0.005:
        notes.append(
            f"the solver's objective ({solver_cost:,.2f}) is not the written schedule's cost "
            f"({figures['cost']:,.2f}); every figure here describes the written schedule"
        )
    mismatches = coverage_mismatches(coverage, planned)
    if mismatches:
        # The solver's status and bound were about the model's plan, not about this schedule.
        summary.status = f"{summary.status}; the written schedule is not the model's plan"
        notes.append(f"the written schedule's coverage differs from the model's in {len(mismatches)} interval(s), "
                     f"first {mismatches[0]}")
    return summary, coverage


def _empty_plan(model: LinearModel) -> np.ndarray:
    values = np.zeros(model.num_vars, dtype=np.int64)
    # Shortfall and undone variables absorb every requirement in the empty plan.
    for index, coef, lo, _ in model.rows:
        if lo > 0 and len(index):
            values[index[-1]] = int(np.ceil(lo / coef[-1]))
    return values


def _summary(problem, model, layout: Layout, values, result, status, roster: Roster, coverage) -> ScheduleSummary:
    scenario = problem.scenario
    cost_vec = np.asarray(model.cost)
    paid_cost = float(values[layout.start_vars] @ cost_vec[layout.start_vars]) if len(layout.start_vars) else 0.0
    short_cost = float(values[layout.short_vars] @ cost_vec[layout.short_vars]) if len(layout.short_vars) else 0.0
    undone_cost = float(values[layout.undone_vars] @ cost_vec[layout.undone_vars]) if len(layout.undone_vars) else 0.0
    head_cost = float(values[layout.tour_vars] @ cost_vec[layout.tour_vars]) if len(layout.tour_vars) else 0.0
    late_cost = float(values[layout.late_vars] @ cost_vec[layout.late_vars]) if len(layout.late_vars) else 0.0
    cost = paid_cost + head_cost + short_cost + undone_cost + late_cost
    lp_bound = result.lp_bound
    bounds = [b for b in (lp_bound, result.cpsat_bound) if b is not None]
    lower = max(bounds) if bounds else None
    if lower is not None:
        lower = min(lower, cost)  # rounding of costs to hundredths must not push the bound past the cost
    gap = None if lower is None else ((cost - lower) / lower if lower > 0 else 0.0)
    interval_h = problem.interval / 60
    paid_slots = sum(
        problem.rules[r].paid_slots * int((roster.shift_start[a] >= 0).sum()) for a, r in enumerate(roster.agent_rule)
    )
    under = np.zeros((len(problem.pools), problem.slots), dtype=int)
    for pi in range(len(problem.pools)):
        from wfm.schedule.expand import INBOUND

        got = ((roster.activity == INBOUND) & (roster.detail == pi)).sum(axis=0)
        under[pi] = np.maximum(problem.pools[pi].required.reshape(-1) - got, 0)
    campaigns = {}
    seconds = problem.interval * 60
    for ci, plan in enumerate(problem.campaigns):
        from wfm.schedule.expand import OUTBOUND

        done = int(((roster.activity == OUTBOUND) & (roster.detail == ci)).sum()) * seconds
        owed = plan.owed_seconds
        share = 1.0 if owed == 0 else min(1.0, done / owed)
        work = plan.workload
        campaigns[plan.campaign.name] = {
            "agent_seconds_needed": round(work.agent_seconds),
            "agent_seconds_due_in_horizon": owed,
            "agent_seconds_done": done,
            "outbound_done_share": round(share, 4),
            "attempts": round(work.attempts * share * owed / max(work.agent_seconds, 1e-9), 1),
            "contacts": round(work.contacts * share * owed / max(work.agent_seconds, 1e-9), 1),
            "conversions": None
            if work.conversions is None
            else round(work.conversions * share * owed / max(work.agent_seconds, 1e-9), 1),
        }
    headcount = {
        g.name: int((roster.agent_group == gi).sum()) for gi, g in enumerate(scenario.groups)
    }
    reasons = binding_rules(problem, layout, values, under)
    return ScheduleSummary(
        scenario=scenario.name,
        currency=scenario.currency,
        status=status,
        cost=_round(cost),
        lower_bound=_round(lower),
        gap=None if gap is None else round(gap, 5),
        lp_bound=_round(lp_bound),
        cpsat_bound=_round(result.cpsat_bound),
        paid_cost=_round(paid_cost),
        agent_overhead_cost=_round(head_cost),
        short_penalty_cost=_round(short_cost),
        undone_penalty_cost=_round(undone_cost),
        goal_late_penalty_cost=_round(late_cost),
        paid_hours=round(paid_slots * interval_h, 2),
        agents=int(len(roster.agent_rule)),
        agents_by_group=headcount,
        required_agent_intervals=int(sum(p.required.sum() for p in problem.pools)),
        under_intervals=int((under.sum(axis=0) > 0).sum()),
        under_agent_intervals=int(under.sum()),
        over_agent_intervals=int(coverage["over"].sum()),
        required_in_closed_hours=round(problem.dropped_closed, 2),
        campaigns=campaigns,
        outbound_done_share={name: c["outbound_done_share"] for name, c in campaigns.items()},
        binding_rules=reasons,
        notes=list(problem.notes),
        variables=model.num_vars,
        constraints=len(model.rows),
    )


def write_schedule(result: ScheduleResult, out_dir: str | Path) -> None:
    """Write ``schedule.csv``, ``coverage.csv``, ``summary.json`` and ``run.json`` (the
    timings, which vary run to run) into ``out_dir``.

    The folder appears whole or not at all: the files are built in a temporary folder
    beside it, which then replaces ``out_dir`` (:func:`wfm.export.atomic_dir`).

    Parameters
    ----------
    result : ScheduleResult
        The solved schedule.
    out_dir : str or Path
        The output folder.
    """
    from wfm.export import atomic_dir, write_json, write_table

    with atomic_dir(out_dir) as tmp:
        write_table(schedule_table(result), tmp / "schedule.csv")
        write_table(result.coverage, tmp / "coverage.csv")
        write_json(result.summary.to_json(), tmp / "summary.json")
        write_json(result.run, tmp / "run.json")


def schedule_table(result: ScheduleResult) -> pd.DataFrame:
    """``schedule.csv`` as written: segment times as ``YYYY-MM-DD HH:MM`` local wall-clock time.

    Parameters
    ----------
    result : ScheduleResult
        The solved schedule.

    Returns
    -------
    DataFrame
        ``agent, group, shift, date, start, end, activity, detail`` (and the fold columns).
    """
    return _written(result.schedule)


def _written(schedule: pd.DataFrame) -> pd.DataFrame:
    schedule = schedule.copy()
    for column in ("start", "end"):
        # A stopped search can leave no agent at all: the empty column then has no
        # datetime type, and the written table is still a valid (empty) schedule.
        schedule[column] = pd.to_datetime(schedule[column]).dt.strftime("%Y-%m-%d %H:%M")
    return schedule


def schedule_files(requirements_path: str | Path, scenario_path: str | Path, out_dir: str | Path,
                   *, time_limit: float | None = None, work_limit: float | None = None) -> ScheduleResult:
    """Read the requirement table and scenario, schedule, and write the outputs (the CLI's work).

    Parameters
    ----------
    requirements_path : str or Path
        Requirement table (``ds, agents``, optional ``queue``).
    scenario_path : str or Path
        Scenario TOML.
    out_dir : str or Path
        Output folder.
    time_limit : float, optional
        Wall-clock safety cap in seconds (default ``solver.time_limit_seconds``).
    work_limit : float, optional
        CP-SAT deterministic seconds (default ``solver.work_limit``).

    Returns
    -------
    ScheduleResult
        The schedule as written.
    """
    from wfm.data import read_intervals, read_table
    from wfm.export import check_out_dir
    from wfm.scenario import load_scenario

    check_out_dir(out_dir)  # before the solve, not after it
    scenario = load_scenario(scenario_path)
    frame = read_table(requirements_path)
    if "y" in frame.columns:
        frame, interval = read_intervals(requirements_path, timezone=scenario.horizon.timezone)
        if interval != scenario.horizon.interval_minutes:
            raise InputError(
                f"{requirements_path}: intervals are {interval} minutes but the scenario's "
                f"horizon.interval_minutes is {scenario.horizon.interval_minutes}; size at the same interval."
            )
    else:
        if "ds" not in frame.columns:
            raise InputError(f"{requirements_path}: no 'ds' column, expected the output of `wfm size`.")
        from wfm.data import parse_timestamps

        frame = frame.assign(ds=parse_timestamps(frame["ds"], str(requirements_path)))
    result = make_schedule(frame, scenario, time_limit=time_limit, work_limit=work_limit, source=str(requirements_path))
    write_schedule(result, out_dir)
    return result
