"""The `wfm` command line: thin Typer front end over the library functions.

Every number comes from library code; this module only parses options, calls the
library and turns :class:`wfm.errors.InputError` into one sentence on stderr and a
non-zero exit code.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Optional

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

    return wrapper


# --- commands are registered below, one section per planning question ---------


@app.command("size")
@friendly
def size_command(
    path: Path = typer.Argument(..., help="Interval table (CSV, XLSX or Parquet) with ds, y and optional queue, aht."),
    out: str = typer.Option("-", "--out", "-o", help="Output file (.csv, .xlsx, .parquet) or - for stdout."),
    interval: Optional[int] = typer.Option(None, help="Interval length in minutes (inferred from ds if omitted)."),
    aht: Optional[float] = typer.Option(None, help="Average handle time in seconds, for rows without an aht column."),
    service_level: float = typer.Option(0.8, "--service-level", help="Target share answered within --answer-within."),
    answer_within: float = typer.Option(20.0, "--answer-within", help="Service-level target time in seconds."),
    asa: Optional[float] = typer.Option(None, help="Average speed of answer target in seconds (replaces the SL target)."),
    max_occupancy: float = typer.Option(1.0, "--max-occupancy", help="Highest occupancy allowed, in (0, 1]."),
    shrinkage: float = typer.Option(0.0, help="Share of paid time not available for calls, in [0, 1)."),
    model: str = typer.Option("erlang-c", help="erlang-c, or erlang-a (with --patience)."),
    patience: Optional[float] = typer.Option(None, help="Mean caller patience in seconds (Erlang A)."),
    timezone: Optional[str] = typer.Option(None, help="Site time zone, e.g. Asia/Tokyo (for timestamps with offsets or DST)."),
) -> None:
    """Agents needed per interval (Erlang C or A) for a service-level or ASA target."""
    from wfm import data, erlang, export

    export.check_table_path(out)
    target = erlang.ServiceTarget(
        service_level=None if asa is not None else service_level,
        answer_within=answer_within, asa=asa, max_occupancy=max_occupancy,
        shrinkage=shrinkage, model=model, patience=patience,
    )
    frame, minutes = data.read_intervals(path, interval_minutes=interval, timezone=timezone)
    sized = erlang.size_intervals(frame, minutes, aht=aht, **target.as_options())
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
    volumes: Optional[Path] = typer.Option(None, "--volumes", help="Volume forecast: ds, y (or y_hat), optional aht, queue."),
    calls: Optional[Path] = typer.Option(None, "--calls", help="Per-call trace to replay instead: arrival, handle, patience or outcome+wait."),
    staffing_column: Optional[str] = typer.Option(None, "--staffing-column", help="Agents column of the staffing table."),
    out: str = typer.Option("-", "--out", "-o", help="Per-interval KPIs (.csv, .xlsx, .parquet) or - for stdout."),
    daily: Optional[str] = typer.Option(None, "--daily", help="Also write daily KPIs to this table."),
    summary: Optional[Path] = typer.Option(None, "--summary", help="Also write overall KPIs to this JSON file."),
    interval: Optional[int] = typer.Option(None, help="Interval length in minutes (inferred from ds if omitted)."),
    aht: Optional[float] = typer.Option(None, help="Average handle time in seconds (else the volumes' aht column)."),
    answer_within: float = typer.Option(20.0, "--answer-within", help="Service-level target time in seconds."),
    patience: Optional[float] = typer.Option(None, help="Mean caller patience in seconds (exponential); none = no abandons."),
    replications: int = typer.Option(10, help="Independent simulation runs (trace replay: runs of the random fill-ins)."),
    seed: int = typer.Option(0, help="Random seed (same seed, same numbers)."),
    timezone: Optional[str] = typer.Option(None, help="Site time zone, e.g. Asia/Tokyo."),
) -> None:
    """Verify a staffing plan by simulation (or trace replay): SL, ASA, abandons, occupancy with 95% CIs."""
    from wfm import data, export, simulate as sim

    export.check_table_path(out)
    if daily is not None:
        export.check_table_path(daily)
    if (volumes is None) == (calls is None):
        raise InputError("give either --volumes (simulate a forecast) or --calls (replay a per-call trace).")
    staff = data.read_table(staffing)
    column = sim.agents_column_of(staff, staffing_column, str(staffing))
    if volumes is not None:
        table = data.read_table(volumes)
        if "y" not in table.columns and "y_hat" in table.columns:
            table = table.rename(columns={"y_hat": "y"})
        frame, minutes = data.validate_intervals(table, str(volumes), interval_minutes=interval, timezone=timezone)
        result = sim.simulate(
            frame, staff, interval_minutes=minutes, answer_within=answer_within, aht=aht,
            patience=patience, replications=replications, seed=seed, agents_column=column,
        )
    else:
        trace = data.read_table(calls)
        if timezone is not None and "arrival" in trace.columns:
            trace["arrival"] = data.parse_timestamps(trace["arrival"], str(calls), "arrival", timezone)
        minutes = interval if interval is not None else sim.infer_staffing_interval(staff, str(staffing))
        result = sim.replay(
            trace, staff, interval_minutes=minutes, answer_within=answer_within, agents_column=column,
            patience=patience, replications=replications, seed=seed,
        )
    export.write_table(result.intervals, out)
    if daily is not None:
        export.write_table(result.daily, daily)
    if summary is not None:
        export.write_json(result.summary, summary)
    typer.echo(sim.describe(result.summary) + (f" -> {out}" if out != "-" else ""), err=True)


def main() -> None:  # console-script entry point
    app()


if __name__ == "__main__":
    main()
    sys.exit(0)
