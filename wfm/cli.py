"""The `wfm` command line: thin Typer front end over the library functions.

Every number comes from library code; this module only parses options, calls the
library and turns :class:`wfm.errors.InputError` into one sentence on stderr and a
non-zero exit code.
"""

from __future__ import annotations

import functools
import inspect
import sys
from pathlib import Path

import typer

from wfm.errors import InputError

app = typer.Typer(
    name="wfm",
    help="Workforce management for contact centres: forecast, size, schedule, simulate.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def root() -> None:
    """Workforce management for contact centres: forecast, size, schedule, simulate."""


def fail(message: str, code: int = 2) -> None:
    """Print one sentence to stderr and exit non-zero."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def friendly(func):
    """Turn user mistakes into one sentence and exit code 2, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except InputError as exc:
            fail(str(exc))
        except OSError as exc:
            # A file or folder the user named cannot be read or written: their problem to fix,
            # so one sentence naming it, not a traceback (checked before the work where possible).
            from wfm.export import os_reason

            place = exc.filename if exc.filename is not None else "file"
            fail(f"{place}: {os_reason(exc)}.")
        except KeyboardInterrupt:
            # The writers have removed their temporary folders by now; what is left are
            # half-written workbooks whose generators complain when Python exits. Their
            # noise is not the planner's business: one sentence, the shell's code 130.
            sys.unraisablehook = lambda _unraisable: None
            fail("interrupted (Ctrl-C): the output in progress was not written (an earlier one is left as it was).", 130)

    return wrapper


# Help texts are Rich markup: a TOML section name such as [[queue]] is written \\[\\[queue]]
# there, or Rich takes it for a style tag and the help shows [].

TIME_LIMIT_HELP = ("Wall-clock safety cap in seconds (default: the scenario's solver.time_limit_seconds); "
                   "the work limit stops the solver first in normal runs.")
WORK_LIMIT_HELP = ("Solver work in CP-SAT deterministic seconds, the same plan on any machine "
                   "(default: the scenario's solver.work_limit).")


def _check_limits(time_limit: float | None, work_limit: float | None) -> None:
    """Refuse 0, negative, infinite and NaN limits before any work."""
    from wfm.schedule import check_budget

    for value, option in ((time_limit, "--time-limit"), (work_limit, "--work-limit")):
        if value is not None:
            check_budget(value, option)


MAP_HELP = ("Read the file's own column as a role: HEADER=ROLE, repeat or comma-separate, e.g. "
            "--map 日時=ds,呼量=y,平均処理時間=aht (roles: ds time, y volume, aht seconds, queue).")
DB_HELP = ("Plan store: a SQLite file path or a database URL (default: $WFM_DATABASE_URL, "
           "else ~/.local/share/wfm/plans.sqlite).")


# --- commands are registered below, one section per planning question ---------


@app.command("size")
@friendly
def size_command(
    path: Path = typer.Argument(..., help="Interval table (CSV, XLSX or Parquet) with ds, y and optional queue, aht."),
    out: str = typer.Option("-", "--out", "-o", help="Output file (.csv, .xlsx, .parquet) or - for stdout."),
    interval: int | None = typer.Option(
        None, help="Interval length in minutes; finer data is summed up to it (default: the data's own spacing)."),
    aht: float | None = typer.Option(None, help="Average handle time in seconds, for rows without an aht column."),
    service_level: float = typer.Option(0.8, "--service-level", help="Target share answered within --answer-within."),
    answer_within: float = typer.Option(20.0, "--answer-within", help="Service-level target time in seconds."),
    asa: float | None = typer.Option(None, help="Average speed of answer target in seconds (replaces the SL target)."),
    max_occupancy: float = typer.Option(1.0, "--max-occupancy", help="Highest occupancy allowed, in (0, 1]."),
    shrinkage: float = typer.Option(0.0, help="Share of paid time not available for calls, in [0, 1)."),
    model: str = typer.Option(
        "erlang-c", help="erlang-c; erlang-a (with --patience or --profile); simulation (with --profile)."),
    patience: float | None = typer.Option(None, help="Mean caller patience in seconds (Erlang A)."),
    profile: Path | None = typer.Option(
        None, help="Behaviour profile from 'wfm calls profile': learned AHT, handle-time and patience distributions."),
    replications: int = typer.Option(10, help="Simulation replications per search round (--model simulation)."),
    seed: int = typer.Option(0, help="Random seed of the simulation (--model simulation)."),
    timezone: str | None = typer.Option(None, help="Site time zone, e.g. Asia/Tokyo (for timestamps with offsets or DST)."),
    column_map: list[str] = typer.Option([], "--map", help=MAP_HELP),
) -> None:
    """Agents needed per interval (Erlang C, Erlang A or simulation) for a service-level or ASA target."""
    from wfm import calibrate, data, erlang, export

    export.check_table_path(out)
    if model == "simulation" and profile is None:
        raise InputError("--model simulation needs --profile (the learned handle-time and patience distributions).")
    target = erlang.ServiceTarget(
        service_level=None if asa is not None else service_level,
        answer_within=answer_within, asa=asa, max_occupancy=max_occupancy, shrinkage=shrinkage,
        model="erlang-c" if profile is not None else model, patience=None if profile is not None else patience,
    )
    frame, minutes = data.read_intervals_at(path, interval, timezone=timezone,
                                            columns=data.parse_column_map(column_map))
    if profile is not None:
        learned = calibrate.read_profile(profile)
        sized = calibrate.size_calibrated(
            frame, minutes, learned, target=target, aht=aht, mode=model,
            replications=replications, seed=seed, source=str(profile),
        )
        for note in sized.attrs["notes"]:
            typer.echo(f"warning: {note}", err=True)
    else:
        sized = erlang.size_intervals(frame, minutes, target, aht=aht)
    export.write_table(sized, out)
    if out != "-":
        typer.echo(
            f"{len(sized)} intervals sized ({minutes} min); peak {int(sized['agents'].max())} agents, "
            f"{int(sized['scheduled'].max())} scheduled after shrinkage -> {out}",
            err=True,
        )


@app.command("simulate")
@friendly
def simulate_command(
    staffing: Path = typer.Option(..., "--staffing", help="Staffing table: ds, agents (or scheduled_inbound), optional queue."),
    volumes: Path | None = typer.Option(None, "--volumes", help="Volume forecast: ds, y (or y_hat), optional aht (or aht_hat), queue."),
    calls: Path | None = typer.Option(None, "--calls", help="Per-call trace to replay instead: arrival, handle, patience or outcome+wait."),
    staffing_column: str | None = typer.Option(None, "--staffing-column", help="Agents column of the staffing table."),
    out: str = typer.Option("-", "--out", "-o", help="Per-interval KPIs (.csv, .xlsx, .parquet) or - for stdout."),
    daily: str | None = typer.Option(None, "--daily", help="Also write daily KPIs to this table."),
    summary: Path | None = typer.Option(None, "--summary", help="Also write overall KPIs to this JSON file."),
    interval: int | None = typer.Option(None, help="Interval length in minutes (inferred from ds if omitted)."),
    aht: float | None = typer.Option(None, help="Average handle time in seconds (else the volumes' aht column)."),
    answer_within: float = typer.Option(20.0, "--answer-within", help="Service-level target time in seconds."),
    patience: float | None = typer.Option(None, help="Mean caller patience in seconds (exponential); none = no abandons."),
    profile: Path | None = typer.Option(
        None, help="Behaviour profile from 'wfm calls profile': draw handle and patience times from the learned "
        "distributions (rescaled to --aht when given)."),
    replications: int = typer.Option(10, help="Independent simulation runs (trace replay: runs of the random fill-ins)."),
    seed: int = typer.Option(0, help="Random seed (same seed, same numbers)."),
    timezone: str | None = typer.Option(None, help="Site time zone, e.g. Asia/Tokyo."),
) -> None:
    """Verify a staffing plan by simulation (or trace replay): SL, ASA, abandons, occupancy with 95% CIs."""
    from wfm import data, export
    from wfm import simulate as sim
    from wfm.forecast import as_volumes

    export.check_table_path(out)
    if daily is not None:
        export.check_table_path(daily)
    if summary is not None:
        export.check_output_file(summary)
    if (volumes is None) == (calls is None):
        raise InputError("give either --volumes (simulate a forecast) or --calls (replay a per-call trace).")
    if calls is not None and profile is not None:
        raise InputError("--profile applies to --volumes; a replayed trace brings its own handle and patience times.")
    staff = data.read_table(staffing)
    column = sim.agents_column_of(staff, staffing_column, str(staffing))
    if volumes is not None:
        table = data.read_table(volumes)
        table = as_volumes(table)
        frame, minutes = data.validate_intervals(table, str(volumes), interval_minutes=interval, timezone=timezone)
        behaviour = sim.Behaviour.from_options(aht=aht, patience=patience)
        if profile is not None:
            from wfm import calibrate

            if frame["queue"].nunique() > 1:
                raise InputError(f"{volumes}: --profile simulates one queue at a time; this file has several.")
            learned = calibrate.behaviour_for(calibrate.read_profile(profile), frame["queue"].iloc[0], str(profile))
            for note in learned.notes:
                typer.echo(f"note: {note}", err=True)
            behaviour = learned.simulation(aht=aht, patience=patience, aht_column="aht" in frame)
        result = sim.simulate(
            frame, staff, interval_minutes=minutes, answer_within=answer_within, replications=replications,
            seed=seed, agents_column=column, behaviour=behaviour,
        )
    else:
        trace = data.read_table(calls)
        if timezone is not None and "arrival" in trace.columns:
            trace["arrival"] = data.parse_timestamps(trace["arrival"], str(calls), "arrival", timezone)
        minutes = interval if interval is not None else sim.infer_staffing_interval(staff, str(staffing))
        result = sim.replay(
            trace, staff, interval_minutes=minutes, answer_within=answer_within, agents_column=column,
            behaviour=sim.Behaviour.from_options(patience=patience), replications=replications, seed=seed,
        )
    with export.all_or_none() as stage:
        export.write_table(result.intervals, stage(out), float_format="%.6g")
        if daily is not None:
            export.write_table(result.daily, stage(daily), float_format="%.6g")
        if summary is not None:
            export.write_json(result.summary, stage(summary))
    for note in result.notes:
        typer.echo(f"note: {note}", err=True)
    typer.echo(sim.describe(result.summary) + (f" -> {out}" if out != "-" else ""), err=True)


@app.command("forecast")
@friendly
def forecast_command(
    history: Path = typer.Option(..., "--history", help="Interval history (CSV, XLSX or Parquet): ds, y, optional queue, aht."),
    horizon: str = typer.Option(..., "--horizon", help="Calendar days or weeks after the last interval, e.g. 5d, 14d, 2w."),
    out: str = typer.Option("-", "--out", "-o", help="Forecast table (.csv, .xlsx, .parquet) or - for stdout."),
    interval: int | None = typer.Option(None, help="Forecast at this interval in minutes, summing a finer history (5 -> 15)."),
    models: str | None = typer.Option(None, help="Comma-separated candidates (default: all fast ones; add mstl to try it)."),
    folds: int = typer.Option(4, help="Rolling-origin backtest folds used to choose the model per queue."),
    backtest_horizon: str | None = typer.Option(None, "--backtest-horizon", help="Days per backtest fold (default: min(horizon, 7d))."),
    special_days: Path | None = typer.Option(None, "--special-days", help="CSV of dates with closed or multiplier."),
    holidays: str | None = typer.Option(None, help="Country whose public holidays are closed days, e.g. JP or US."),
    scores: str | None = typer.Option(None, "--scores", help="Also write the backtest behind the choice to this table."),
    timezone: str | None = typer.Option(None, help="Site time zone, e.g. America/New_York (DST days handled)."),
    column_map: list[str] = typer.Option([], "--map", help=MAP_HELP),
) -> None:
    """Forecast volume (and AHT) per queue and interval, model chosen by rolling-origin backtest."""
    import warnings

    from wfm import export
    from wfm.data import parse_column_map
    from wfm.forecast import ForecastWarning, forecast

    export.check_table_path(out)
    if scores is not None:
        export.check_table_path(scores)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ForecastWarning)
        result = forecast(
            history, horizon, interval=interval, models=models, folds=folds, backtest_horizon=backtest_horizon,
            special_days=special_days, holidays=holidays, timezone=timezone, columns=parse_column_map(column_map),
        )
    for note in result.warnings:
        typer.echo(f"warning: {note}", err=True)
    with export.all_or_none() as stage:
        export.write_table(result.table, stage(out))
        if scores is not None:
            export.write_table(result.selection, stage(scores))
    chosen = result.table.drop_duplicates("queue").set_index("queue")["model"].to_dict()
    picks = ", ".join(f"{q}: {m}" for q, m in list(chosen.items())[:5]) + (" ..." if len(chosen) > 5 else "")
    typer.echo(f"{len(result.table)} intervals forecast ({result.interval_minutes} min) for {len(chosen)} "
               f"queue{'s' if len(chosen) != 1 else ''} ({picks})" + (f" -> {out}" if out != "-" else ""), err=True)


@app.command("backtest")
@friendly
def backtest_command(
    history: Path = typer.Option(..., "--history", help="Interval history (CSV, XLSX or Parquet): ds, y, optional queue."),
    folds: int = typer.Option(4, help="Number of rolling origins, one horizon apart, ending at the last day."),
    horizon: str = typer.Option("7d", "--horizon", help="Calendar days forecast from each origin, e.g. 7d or 1w."),
    out: str | None = typer.Option(None, "--out", "-o", help="Also write the scores (.csv, .xlsx, .parquet; - for stdout)."),
    interval: int | None = typer.Option(None, help="Score at this interval in minutes, summing a finer history."),
    models: str | None = typer.Option(None, help="Comma-separated models, 'auto' for the automatic choice (default: all fast ones + auto)."),
    select_folds: int = typer.Option(4, "--select-folds", help="Inner folds the 'auto' model uses at each origin."),
    special_days: Path | None = typer.Option(None, "--special-days", help="CSV of dates with closed or multiplier."),
    holidays: str | None = typer.Option(None, help="Country whose public holidays are closed days, e.g. JP or US."),
    timezone: str | None = typer.Option(None, help="Site time zone, e.g. America/New_York."),
    column_map: list[str] = typer.Option([], "--map", help=MAP_HELP),
) -> None:
    """Rolling-origin accuracy per queue and model: wMAPE, MAE, RMSE, MASE at the data interval and 30 min."""
    import warnings

    from wfm import export
    from wfm.data import parse_column_map
    from wfm.forecast import ForecastWarning, backtest

    if out is not None:
        export.check_table_path(out)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ForecastWarning)
        result = backtest(
            history, folds, horizon, interval=interval, models=models, select_folds=select_folds,
            special_days=special_days, holidays=holidays, timezone=timezone, columns=parse_column_map(column_map),
        )
    for note in result.warnings:
        typer.echo(f"warning: {note}", err=True)
    shown = result.scores.assign(wmape=(result.scores["wmape"] * 100).round(2)).rename(columns={"wmape": "wmape_%"})
    typer.echo(shown.to_string(index=False, float_format=lambda v: f"{v:.3f}"), err=out == "-")
    if out is not None:
        export.write_table(result.scores, out)


calls_app = typer.Typer(help="Per-call ACD logs: interval history and behaviour profiles.", no_args_is_help=True)
app.add_typer(calls_app, name="calls")


def _column_map(pairs: list[str]) -> dict[str, str]:
    mapping = {}
    for pair in pairs:
        if "=" not in pair:
            raise InputError(f"--map: '{pair}' is not OLD=NEW (e.g. --map StartTime=arrival).")
        old, new = (part.strip() for part in pair.split("=", 1))
        mapping[old] = new
    return mapping


_MAP_HELP = "Rename an export column: OLD=NEW (repeat for several), e.g. --map StartTime=arrival."
_STRICT_HELP = "Refuse the log at the first row that cannot be a real call, instead of skipping such rows."
# The options of every `wfm calls` command that reads a log: the log first, the rest last.
_LOG_ARGUMENT = ("log", Path, typer.Argument(..., help="Per-call log with arrival, wait, handle, outcome (optional queue)."))
_LOG_OPTIONS = (
    ("column_map", list[str], typer.Option([], "--map", help=_MAP_HELP)),
    ("after_call_work", float, typer.Option(0.0, "--after-call-work", help="Seconds of wrap to add to answered calls.")),
    ("timezone", str | None, typer.Option(None, help="Site time zone, e.g. Asia/Tokyo.")),
    ("strict", bool, typer.Option(False, "--strict", help=_STRICT_HELP)),
)


def _reads_call_log(command):
    """Give a `wfm calls` command the call-log argument and options, declared once here.

    The command declares its own options and a ``screen`` parameter instead: calling
    ``screen()`` reads and screens the log with the options given (after the command has
    checked its output path, so a bad path fails before the log is read).
    """
    def make(name, annotation, info):
        return inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=info, annotation=annotation)

    own = [p for p in inspect.signature(command).parameters.values() if p.name != "screen"]
    params = [make(*_LOG_ARGUMENT), *own, *(make(*option) for option in _LOG_OPTIONS)]

    @functools.wraps(command)
    def run(**kwargs):
        given = {name: kwargs.pop(name) for name, _, _ in (_LOG_ARGUMENT, *_LOG_OPTIONS)}

        def screen():
            from wfm import calls

            return calls.screen_call_file(given["log"], column_map=_column_map(given["column_map"]),
                                          after_call_work=given["after_call_work"], timezone=given["timezone"],
                                          strict=given["strict"])

        return command(screen=screen, **kwargs)

    run.__signature__ = inspect.Signature(params)
    run.__annotations__ = {p.name: p.annotation for p in params}
    return run


def _write_rejected(screened, out: str) -> None:
    """Say what was skipped; the skipped rows go beside the output (not with stdout)."""
    from wfm import calls, export

    if screened.counts:
        typer.echo(f"warning: {screened.summary()}.", err=True)
    if out != "-":
        path = calls.rejected_path(out)
        export.write_table(screened.rejected, path)
        if screened.counts:
            typer.echo(f"skipped rows with their reason -> {path}", err=True)


@calls_app.command("aggregate")
@friendly
@_reads_call_log
def calls_aggregate_command(
    screen,
    out: str = typer.Option("-", "--out", "-o", help="Interval history (.csv, .xlsx, .parquet) or - for stdout."),
    interval: int = typer.Option(15, help="Interval length in minutes."),
    answer_within: float = typer.Option(20.0, "--answer-within", help="Seconds for the service level column."),
) -> None:
    """Interval table (queue, ds, y, aht, answered, abandoned, service_level, asa) from a call log."""
    from wfm import calls, export

    export.check_table_path(out)
    screened = screen()
    history = calls.aggregate_calls(screened.calls, interval, answer_within)
    export.write_table(history, out)
    _write_rejected(screened, out)
    if out != "-":
        typer.echo(f"{len(screened.calls)} calls -> {len(history)} intervals of {interval} min -> {out}", err=True)


@calls_app.command("profile")
@friendly
@_reads_call_log
def calls_profile_command(
    screen,
    out: str = typer.Option(..., "--out", "-o", help="Profile JSON file."),
) -> None:
    """Learn handle-time and patience distributions (censoring-aware) per queue."""
    import warnings

    from wfm import calls, export

    export.check_output_file(out)
    screened = screen()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", calls.CallsWarning)
        profile = calls.profile_calls(screened.calls)
    for w in caught:
        typer.echo(f"warning: {w.message}", err=True)
    profile = calls.with_screening(profile, screened)
    export.write_json(profile, out)
    _write_rejected(screened, out)
    for name, entry in profile["queues"].items():
        handle = entry["handle"]["mean"] if entry["handle"] else float("nan")
        patience = entry["patience"]["mean"] if entry["patience"] else None
        shown = f"{patience:.0f} s" if patience is not None else "not estimated"
        typer.echo(f"{name}: {entry['calls']} calls, mean handle {handle:.0f} s, mean patience {shown}", err=True)


@app.command("schedule")
@friendly
def schedule_command(
    requirements: Path = typer.Option(..., "--requirements", help="Requirement table from `wfm size` (ds, agents, optional queue)."),
    scenario: Path = typer.Option(..., "--scenario", help="Scenario TOML: \\[horizon], \\[\\[group]], \\[\\[shift]], \\[\\[campaign]], \\[costs]."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder for schedule.csv, coverage.csv and summary.json."),
    time_limit: float | None = typer.Option(None, "--time-limit", help=TIME_LIMIT_HELP),
    work_limit: float | None = typer.Option(None, "--work-limit", help=WORK_LIMIT_HELP),
) -> None:
    """Weekly blended schedule at minimum cost (CP-SAT), with its LP bound and gap."""
    from wfm.schedule import schedule_files

    _check_limits(time_limit, work_limit)
    result = schedule_files(requirements, scenario, out, time_limit=time_limit, work_limit=work_limit)
    s = result.summary
    bound = "no bound" if s.lower_bound is None else f"bound {s.lower_bound:,.0f}"
    gap = "" if s.gap is None else f", gap {100 * s.gap:.2f}%"
    typer.echo(
        f"{s.agents} agents, {s.paid_hours:g} paid hours, cost {s.cost:,.0f} {s.currency}, "
        f"{bound}{gap}, {s.status} in {result.run['solve_seconds']:g} s -> {out}",
        err=True,
    )
    if s.under_intervals:
        typer.echo(f"warning: {s.under_intervals} interval(s) short of the requirement.", err=True)
    _echo_findings(s.binding_rules, result.notes)


def _echo_findings(binding_rules: list[str], notes: list[str]) -> None:
    """The rules that bind and the notes of a schedule or plan, one line each on stderr."""
    for reason in binding_rules:
        typer.echo(f"binding: {reason}", err=True)
    for note in notes:
        typer.echo(f"warning: {note}", err=True)


@app.command("roster")
@friendly
def roster_command(
    out: Path = typer.Option(..., "--out", "-o", help="Output folder; it appears whole or not at all."),
    scenario: Path | None = typer.Option(None, "--scenario", help="Scenario TOML (groups, shift codes, \\[roster], \\[\\[agent]])."),
    agents: Path | None = typer.Option(None, "--agents", help="Roster file (CSV, UTF-8 or CP932, or XLSX): one row per agent "
                                        "(default: the scenario's roster.agents, else its \\[\\[agent]] entries)."),
    requirements: Path | None = typer.Option(
        None, "--requirements", help="requirements.csv of `wfm size`/`wfm plan` (queue, ds, agents)."),
    lock: Path | None = typer.Option(
        None, "--lock", help="Published assignment.csv: re-roster changing as few shifts as possible."),
    work_limit: float | None = typer.Option(
        None, "--work-limit", help="Solver work in CP-SAT deterministic seconds (default roster.work_limit)."),
    curtois: Path | None = typer.Option(None, "--curtois", help="Curtois & Qu benchmark instance (InstanceN.txt)."),
    time_limit: float = typer.Option(60.0, "--time-limit", help="Curtois: solver budget in deterministic seconds (3/4 CP-SAT, 1/4 HiGHS)."),
    wall_clock_cap: float | None = typer.Option(
        None, "--wall-clock-cap", help="Curtois: safety cap in wall-clock seconds (default 2 x --time-limit + 10)."),
    seed: int = typer.Option(0, help="Curtois: CP-SAT random seed."),
) -> None:
    """Roster named agents (contracts, availability, wishes) against demand, or solve a Curtois & Qu instance."""
    if curtois is None:
        if scenario is None:
            raise InputError("give --scenario SCENARIO.toml (with --agents ROSTER.csv) or --curtois INSTANCE.txt.")
        _check_limits(None, work_limit)
        from wfm.roster.run import roster_files

        result = roster_files(scenario, out, agents_path=agents, requirements_path=requirements, lock_path=lock,
                              work_limit=work_limit)
        s = result.summary
        gap = "" if s["gap"] is None else f", gap {100 * s['gap']:.2f}%"
        typer.echo(
            f"{s['agents']} agents, {s['shifts']} shifts, {s['paid_hours']:g} paid hours, labour "
            f"{s['labour_cost']:,} {s['currency']}, objective {s['objective']:,}{gap}, {s['status']} "
            f"({s['stopped_by']}) in {s['seconds']:g} s; unmet wishes {s['unmet_wishes']} of {s['wishes']}"
            + ("" if s["changed_shifts"] is None else f"; {s['changed_shifts']} shift(s) changed") + f" -> {out}",
            err=True,
        )
        if s["short_intervals"]:
            typer.echo(f"warning: {s['short_intervals']} interval(s) short of the requirement (shortfalls.csv).", err=True)
        for sentence in s["diagnosis"]:
            typer.echo(f"binding: {sentence}", err=True)
        for note in s["notes"]:
            typer.echo(f"warning: {note}", err=True)
        return
    from wfm.roster import roster_curtois_files

    solution, s = roster_curtois_files(curtois, out, time_limit=time_limit, wall_clock_cap=wall_clock_cap, seed=seed)
    typer.echo(
        f"objective {s['objective']}, bound {s['lower_bound']} ({s['bound_by']}), {s['status']} ({s['stopped_by']}) "
        f"in {s['seconds']:g} s; evaluator {s['evaluated_objective']} -> {out}",
        err=True,
    )
    if s["objective"] is None:
        typer.echo(f"warning: no roster found ({s['status']}); raise --time-limit or check the contracts.", err=True)
    for violation in s["violations"]:
        typer.echo(f"violation: {violation}", err=True)


@app.command("plan")
@friendly
def plan_command(
    scenario: Path = typer.Argument(..., help="Scenario TOML with \\[\\[queue]] entries (see README: scenario format)."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder; it appears whole or not at all."),
    time_limit: float | None = typer.Option(None, "--time-limit", help=TIME_LIMIT_HELP),
    work_limit: float | None = typer.Option(None, "--work-limit", help=WORK_LIMIT_HELP),
    save: str | None = typer.Option(None, "--save", help="Also save the plan in the plan store under this name."),
    note: str = typer.Option("", "--note", help="A note kept with the saved plan (with --save)."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    lock: Path | None = typer.Option(
        None, "--lock", help="Published roster/assignment.csv of an earlier plan: re-roster the named agents changing "
                             "as few shifts as possible (default the scenario's roster.published)."),
) -> None:
    """Forecast, size, schedule, verify by simulation and export one scenario."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from wfm import plan

    _check_limits(time_limit, work_limit)
    store = None
    if save is not None:  # the store must open before the work, not after it
        from wfm.store import check_plan_name, open_store

        check_plan_name(save)
        store = open_store(db)

    with Progress(TextColumn("{task.description:<14}"), BarColumn(), TimeElapsedColumn(),
                  transient=True, console=_stderr_console()) as bar:
        task = bar.add_task("starting", total=len(plan.STEPS))
        step = {"name": "starting"}

        def progress(event) -> None:
            step["name"] = event.stage
            bar.update(task, description=event.stage, completed=event.done)

        def on_solution(event) -> None:  # the best plan so far, next to the step
            gap = "" if event.gap is None else f", gap {event.gap:.1%}"
            bar.update(task, description=f"{step['name']} · cost {event.cost:,.0f}{gap}")

        kpis = plan.plan_to_directory(scenario, out, progress=progress, time_limit=time_limit, work_limit=work_limit,
                                      on_solution=on_solution, lock=lock)
        bar.update(task, completed=len(plan.STEPS))
    typer.echo(plan.describe(kpis) + f" -> {out}", err=True)
    _echo_findings(kpis.binding_rules, kpis.notes)
    if store is not None:
        plan_id = store.save(out, save, note=note, scenario_path=scenario)
        typer.echo(f"saved as plan {plan_id} '{save}' in {store.shown_url}", err=True)


@app.command("batch")
@friendly
def batch_command(
    scenarios: list[str] = typer.Argument(..., help="Scenario files, directories (their *.toml) or glob patterns."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder: one sub-folder per scenario, index.csv, failures.csv."),
    scheduler: str | None = typer.Option(None, help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (default: local)."),
    workers: int | None = typer.Option(None, help="Local worker processes (default: the number of cores)."),
    force: bool = typer.Option(False, "--force", help="Re-run scenarios whose outputs are complete and unchanged."),
) -> None:
    """Plan many scenarios at once, locally or on a Dask cluster."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from wfm import batch, export

    if workers is not None and workers < 1:
        fail(f"--workers: {workers} is not a positive number of worker processes, expected 1 or more.")
    export.check_out_dir(out, parents=True)
    with Progress(TextColumn("{task.description:<24}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=_stderr_console()) as bar:
        task = bar.add_task("scenarios", total=None)

        def progress(event) -> None:
            bar.update(task, total=event.total, completed=event.done, description=f"{event.item}: {event.status}")

        result = batch.run_batch(scenarios, out, workers=workers, scheduler=scheduler, force=force, progress=progress)
    counts = result.index["status"].value_counts().to_dict()
    typer.echo(", ".join(f"{n} {status}" for status, n in counts.items()) + f" -> {out / 'index.csv'}", err=True)
    if result.failed:
        for row in result.failures.itertuples():
            typer.echo(f"failed: {row.scenario}: {row.error}", err=True)
        raise typer.Exit(1)


def _stderr_console():
    from rich.console import Console

    return Console(stderr=True)


@app.command("quote")
@friendly
def quote_command(
    scenario: Path = typer.Argument(..., help="Scenario TOML with a \\[quote] section."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder (quote.xlsx, quote.json, CSVs); appears whole."),
    time_limit: float | None = typer.Option(
        None, "--time-limit", help="Wall-clock safety cap per representative week (default quote.time_limit_seconds)."),
    work_limit: float | None = typer.Option(None, "--work-limit", help="CP-SAT work per representative week, deterministic seconds (default quote.work_limit)."),
    sensitivity: bool | None = typer.Option(None, "--sensitivity/--no-sensitivity", help="Build the sensitivity table (default quote.sensitivity)."),
) -> None:
    """Staffing quote for an outsourcer: FTE per month from scheduled weeks, cost lines and prices."""
    from wfm import quote

    _check_limits(time_limit, work_limit)
    result = quote.quote_files(scenario, out, time_limit=time_limit, work_limit=work_limit, sensitivity=sensitivity,
                               progress=lambda event: typer.echo(str(event), err=True))
    typer.echo(quote.describe(result))
    typer.echo(f"wrote {out}/quote.xlsx, quote.json, monthly.csv, channels.csv"
               + (", sensitivity.csv" if len(result.sensitivity) else ""))




# --- saved plan versions ----------------------------------------------------------

plans_app = typer.Typer(help="Saved plan versions: list, show, compare, export.", no_args_is_help=True)
app.add_typer(plans_app, name="plans")


@plans_app.command("list")
@friendly
def plans_list_command(db: str | None = typer.Option(None, "--db", help=DB_HELP)) -> None:
    """List the saved plans, oldest first."""
    from wfm.store import open_store

    store = open_store(db)
    saved = store.list()
    if not saved:
        typer.echo(f"no saved plans in {store.shown_url}; save one with wfm plan SCENARIO --out DIR --save NAME")
        return
    for s in saved:
        k = s.kpis
        sl = k.get("service_level")
        typer.echo(f"{s.id:>4}  {s.saved_at}  {s.name}  [{s.scenario}]  cost {k.get('cost', 0):,.0f} {s.currency}  "
                   f"FTE {k.get('fte', 0):,.1f}  SL {'-' if sl is None else f'{sl:.1%}'}"
                   + (f"  - {s.note}" if s.note else ""))


@plans_app.command("show")
@friendly
def plans_show_command(plan_id: str = typer.Argument(..., help="Plan id as wfm plans list shows it."),
                       db: str | None = typer.Option(None, "--db", help=DB_HELP)) -> None:
    """Print one saved plan (name, note, inputs' hashes, KPIs) as JSON."""
    import json

    from wfm.store import open_store

    typer.echo(json.dumps(open_store(db).get(plan_id).to_json(), indent=2, ensure_ascii=False))


@plans_app.command("compare")
@friendly
def plans_compare_command(
    plan_ids: list[str] = typer.Argument(..., help="Two or more plan ids; the first is the base."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    out: Path | None = typer.Option(None, "--out", help="Also write the per-day comparison to this CSV/XLSX file."),
) -> None:
    """Compare saved plans: cost, FTE, paid hours, SL planned and simulated, short intervals, per day."""
    import pandas as pd

    from wfm.export import check_output_file, write_table
    from wfm.store import compare_table, daily_table, open_store

    if out is not None:
        check_output_file(out)
    store = open_store(db)
    figures = compare_table(store, plan_ids)
    daily = daily_table(store, plan_ids)
    with pd.option_context("display.width", 200, "display.max_columns", 20, "display.max_rows", 500):
        typer.echo(figures.to_string(index=False, na_rep="-"))
        typer.echo("")
        wide = daily.pivot_table(index="date", columns="plan", values=["agent_hours", "service_level"], sort=False)
        typer.echo(wide.round(3).to_string(na_rep="-"))
    if out is not None:
        write_table(daily, out)


@plans_app.command("export")
@friendly
def plans_export_command(plan_id: str = typer.Argument(..., help="Plan id as wfm plans list shows it."),
                         out: Path = typer.Option(..., "--out", "-o", help="Plan folder to write (whole or not at all)."),
                         db: str | None = typer.Option(None, "--db", help=DB_HELP)) -> None:
    """Write a saved plan's files back into a plan folder."""
    from wfm.store import open_store

    written = open_store(db).export(plan_id, out)
    typer.echo(f"wrote {len(written)} files -> {out}", err=True)


def main() -> None:  # console-script entry point
    app()


if __name__ == "__main__":
    main()
    sys.exit(0)
