"""Rostering named employees with OR-Tools CP-SAT.

``solve_roster(problem)`` assigns each employee a shift type (or a day off) per day
under their contract, fixed days off and weighted requests, covering a requirement per
day and shift type at minimum weighted cost.

Modules: :mod:`.problem` (the generic roster model), :mod:`.curtois` (reader of the
Curtois & Qu benchmark instances), :mod:`.model` (one helper per rule), :mod:`.solve`
(CP-SAT, deterministic, then column generation, :mod:`.colgen`, and HiGHS on :mod:`.mip`, the integer program),
:mod:`.evaluate` (an independent check of a roster from the
instance text alone).

A contact centre's named agents (docs/roster.md): :mod:`.agents` (the roster file),
:mod:`.settings` (the scenario's ``[roster]``), :mod:`.centre` (the problem on real
dates and times), :mod:`.centre_model` (CP-SAT, one helper per rule), :mod:`.greedy`
(the first roster), :mod:`.tables` and :mod:`.exports` (what planners read and print),
:mod:`.run` (``read_agents``, ``make_roster``, ``roster_files``).
"""

from __future__ import annotations

from pathlib import Path

from wfm.errors import InputError
from wfm.roster.curtois import parse_curtois, read_curtois
from wfm.roster.evaluate import Evaluation, evaluate_curtois
from wfm.roster.problem import RosterProblem
from wfm.roster.run import RosterResult, make_roster, read_agents, roster_files
from wfm.roster.solve import RosterSolution, solve_roster

__all__ = [
    "RosterProblem",
    "RosterSolution",
    "read_curtois",
    "parse_curtois",
    "solve_roster",
    "evaluate_curtois",
    "curtois_summary",
    "roster_curtois_files",
    "RosterResult",
    "make_roster",
    "read_agents",
    "roster_files",
]


def curtois_summary(solution: RosterSolution, check: Evaluation) -> dict:
    """``summary.json``: the solver's numbers beside the independent evaluator's.

    Parameters
    ----------
    solution : RosterSolution
        The solver's roster and numbers.
    check : Evaluation
        The independent evaluator's verdict on it.

    Returns
    -------
    dict
        ``objective``, ``lower_bound`` (and ``bound_by``, the solver that proved it),
        ``seconds``, ``status``, ``stopped_by``, ``deterministic_seconds``, ``mip_nodes``,
        ``colgen_iterations``, ``colgen_columns``, ``colgen_nodes``, ``neighbourhoods`` (tried, improving), ``dives`` (each
        column-generation dive's roster's objective), the terms,
        ``evaluated_objective``, ``violations`` and ``evaluator_agrees``.
    """
    return {
        "objective": solution.objective,
        "lower_bound": solution.lower_bound,
        "bound_by": solution.bound_by,
        "seconds": round(solution.seconds, 3),
        "status": solution.status,
        "stopped_by": solution.stopped_by,
        "deterministic_seconds": round(solution.deterministic_seconds, 3),
        "mip_nodes": solution.mip_nodes,
        "colgen_iterations": solution.colgen_iterations,
        "colgen_columns": solution.colgen_columns,
        "colgen_nodes": solution.colgen_nodes,
        "neighbourhoods": {"tried": solution.neighbourhoods[0], "improving": solution.neighbourhoods[1]},
        "dives": list(solution.dives),
        "terms": solution.terms,
        "evaluated_objective": check.objective if solution.objective is not None else None,
        "evaluated_terms": check.terms if solution.objective is not None else None,
        "violations": check.violations if solution.objective is not None else [],
        "evaluator_agrees": solution.objective is not None and check.objective == solution.objective
        and not check.violations,
    }


def roster_curtois_files(instance: str | Path, out_dir: str | Path, *, time_limit: float,
                         wall_clock_cap: float | None = None, seed: int = 0,
                         workers: int = 2) -> tuple[RosterSolution, dict]:
    """Solve one Curtois & Qu instance and write ``assignment.csv`` and ``summary.json``.

    The folder ``out_dir`` appears whole or not at all (built beside it, then moved).
    Returns the solution and the summary written.

    Parameters
    ----------
    instance : str or Path
        Instance file.
    out_dir : str or Path
        Output folder.
    time_limit : float
        Budget in CP-SAT deterministic seconds.
    wall_clock_cap : float, optional
        Wall-clock safety cap (default 2 × ``time_limit`` + 10 s).
    seed : int
        CP-SAT random seed.
    workers : int
        CP-SAT worker threads.

    Returns
    -------
    solution : RosterSolution
        The roster.
    summary : dict
        What ``summary.json`` holds.
    """
    from wfm.export import atomic_dir, check_out_dir, write_json, write_table

    if not 0 < time_limit < float("inf"):
        raise InputError(f"--time-limit {time_limit}: expected a positive number of seconds.")
    if wall_clock_cap is not None and not 0 < wall_clock_cap < float("inf"):
        raise InputError(f"--wall-clock-cap {wall_clock_cap}: expected a positive number of seconds.")
    out_dir = check_out_dir(out_dir)
    problem = read_curtois(instance)
    solution = solve_roster(problem, time_limit=time_limit, wall_clock_cap=wall_clock_cap, seed=seed,
                            workers=workers)
    check = evaluate_curtois(Path(instance).read_text(encoding="utf-8"), solution.assignment,
                             edge_runs=problem.edge_runs)
    summary = curtois_summary(solution, check)
    with atomic_dir(out_dir) as tmp:
        write_table(solution.assignment, tmp / "assignment.csv")
        write_json(summary, tmp / "summary.json")
    return solution, summary
