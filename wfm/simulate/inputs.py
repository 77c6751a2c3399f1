"""Reading and checking what a simulation is given: volumes, staffing, call traces, settings.

Every check raises :class:`wfm.errors.InputError` with one sentence that names the table,
the row or column and the bad value.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from wfm import limits
from wfm.data import DEFAULT_QUEUE, parse_timestamps
from wfm.errors import InputError
from wfm.localtime import utc_clock

__all__ = ["STAFFING_COLUMNS", "agents_column_of", "infer_staffing_interval"]

def _check_positive(value, name: str, *, allow_zero: bool = False) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{name}: '{value}' is not a number.") from None
    if not math.isfinite(number) or number < 0 or (number == 0 and not allow_zero):
        expected = ">= 0" if allow_zero else "> 0"
        raise InputError(f"{name}: {value} is not valid, expected a finite number of seconds {expected}.")
    return number


def _seed_sequence(seed) -> np.random.SeedSequence:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError(f"seed: {seed!r} is not valid, expected a whole number >= 0.")
    return np.random.SeedSequence(int(seed))


def _check_replications(replications) -> None:
    if isinstance(replications, bool) or not isinstance(replications, (int, np.integer)) or replications < 1:
        raise InputError(f"replications: {replications!r} is not valid, expected a whole number >= 1.")


def _check_sample(sample, name: str, *, allow_zero: bool, allow_inf: bool = False) -> np.ndarray:
    values = np.asarray(sample, dtype=float).ravel() if sample is not None else None
    if values is None or values.size == 0:
        raise InputError(f"{name}: the sample is empty, expected at least one duration in seconds.")
    finite = np.isfinite(values) | (allow_inf & (values == np.inf))
    bad = ~finite | (values < 0) | ((values == 0) & (not allow_zero))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(f"{name}: value {values[i]} at position {i + 1} is not a valid duration in seconds.")
    return values


def _grid_positions(ds: pd.Series, interval_seconds: float, source: str) -> np.ndarray:
    """Interval index of each timestamp, counted in elapsed time from the first one."""
    ds = utc_clock(pd.Series(ds))
    ns = ds.astype("int64").to_numpy()
    offset = (ns - ns.min()) / 1e9
    pos = offset / interval_seconds
    off_grid = np.abs(pos - np.round(pos)) > 1e-9
    if off_grid.any():
        i = int(np.flatnonzero(off_grid)[0])
        raise InputError(
            f"{source}: ds '{ds.iloc[i]}' is not on the {interval_seconds / 60:g}-minute grid that starts at "
            f"'{ds.min()}'."
        )
    return np.round(pos).astype(np.int64)


def _as_ds(values: pd.Series, like: pd.Series, source: str) -> pd.Series:
    """Parse ``values`` as timestamps in the same time-zone convention as ``like``."""
    tz = like.dt.tz
    parsed = parse_timestamps(values.reset_index(drop=True), source, "ds", str(tz) if tz is not None else None)
    if tz is None and parsed.dt.tz is not None:
        raise InputError(
            f"{source}: column 'ds' has UTC offsets while the volumes have local times without a zone; "
            f"use one convention."
        )
    parsed.index = values.index
    return parsed


def _staffing_for(
    frame: pd.DataFrame, staffing, agents_column: str, queue: str, multi_queue: bool
) -> np.ndarray:
    """Agents per row of ``frame`` (one queue's intervals, sorted by ds)."""
    if isinstance(staffing, pd.DataFrame):
        table = staffing.copy()
        table.columns = [str(c).strip() for c in table.columns]
        for column in ("ds", agents_column):
            if column not in table.columns:
                raise InputError(
                    f"staffing: missing column '{column}'; found {', '.join(repr(c) for c in table.columns)} "
                    f"(expected ds and {agents_column})."
                )
        if "queue" in table.columns:
            table = table[table["queue"].astype(str) == queue]
        elif multi_queue:
            raise InputError("staffing: the volumes have several queues, so the staffing needs a 'queue' column.")
        table = table.reset_index(drop=True)
        table["ds"] = _as_ds(table["ds"], frame["ds"], "staffing")
        values = pd.to_numeric(table[agents_column], errors="coerce")
        _check_agents(values.to_numpy(dtype=float), table[agents_column], agents_column)
        dup = table["ds"].duplicated()
        if dup.any():
            i = int(np.flatnonzero(dup.to_numpy())[0])
            raise InputError(f"staffing: row {i + 1} repeats ds '{table['ds'].iloc[i]}' for queue '{queue}'.")
        lookup = pd.Series(values.to_numpy(dtype=float), index=table["ds"])
        agents = lookup.reindex(frame["ds"]).to_numpy()
        missing = np.isnan(agents)
        if missing.any():
            i = int(np.flatnonzero(missing)[0])
            raise InputError(
                f"staffing: no '{agents_column}' for queue '{queue}' at ds '{frame['ds'].iloc[i]}', "
                f"expected a row for every interval of the volumes."
            )
        return agents.astype(np.int64)
    values = np.asarray(staffing, dtype=float).ravel()
    if values.size != len(frame):
        raise InputError(
            f"staffing: {values.size} values given for {len(frame)} intervals, expected one per interval."
        )
    _check_agents(values, pd.Series(values), "agents")
    return values.astype(np.int64)


def _check_agents(values: np.ndarray, raw: pd.Series, column: str) -> None:
    bad = ~np.isfinite(values) | (values < 0) | (np.abs(values - np.round(values)) > 1e-9)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"staffing: row {i + 1}, column '{column}' is '{raw.iloc[i]}', expected a whole number of agents >= 0."
        )
    limits.check_agents(values, "staffing", column)


def _prepare_volumes(volume_frame: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    if not isinstance(volume_frame, pd.DataFrame):
        raise InputError("volumes: expected a table with columns ds and y (or y_hat).")
    frame = volume_frame.copy()
    frame.columns = [str(c).strip() for c in frame.columns]
    column = "y" if "y" in frame.columns else "y_hat" if "y_hat" in frame.columns else None
    if "ds" not in frame.columns or column is None:
        raise InputError(
            f"volumes: missing column {'ds' if 'ds' not in frame.columns else 'y'}; found "
            f"{', '.join(repr(c) for c in frame.columns) or 'none'} (expected ds, y or y_hat, optional aht)."
        )
    if frame.empty:
        raise InputError("volumes: the table has no rows.")
    if "queue" not in frame.columns:
        frame["queue"] = DEFAULT_QUEUE
    frame["queue"] = frame["queue"].astype(str)
    if not pd.api.types.is_datetime64_any_dtype(frame["ds"]):
        frame["ds"] = parse_timestamps(frame["ds"].reset_index(drop=True), "volumes", "ds").to_numpy()
    volume = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(volume) | (volume < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(f"volumes: row {i + 1}, column '{column}' is '{frame[column].iloc[i]}', expected a volume >= 0.")
    # The engine holds every call of a replication in memory: refuse what would not fit, before drawing.
    limits.check_calls_per_interval(volume, "volumes", column)
    frame["volume"] = volume
    dup = frame.duplicated(["queue", "ds"])
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise InputError(f"volumes: row {i + 1} repeats ds '{frame['ds'].iloc[i]}' for queue '{frame['queue'].iloc[i]}'.")
    return frame.sort_values(["queue", "ds"], kind="stable").reset_index(drop=True), column


def _interval_aht(frame: pd.DataFrame, behaviour) -> np.ndarray | None:
    """Each row's AHT (seconds) from the volumes' ``aht`` column, when the behaviour's handle times follow it."""
    if not behaviour.needs_interval_aht:
        return None
    if "aht" not in frame.columns:
        if getattr(behaviour.handle, "scale_to", None) == "aht":
            raise InputError(
                "handle: the sample is rescaled to each interval's AHT (scale_to='aht') but the volumes have no "
                "'aht' column; add one, or give the mean, e.g. scale_to=240."
            )
        raise InputError(
            "aht: no handle time given; the volumes have no 'aht' column, so give the mean handle time, "
            "e.g. Behaviour(handle=Exponential(240)) (--aht 240), or a handle-time sample."
        )
    aht_rows = pd.to_numeric(frame["aht"], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(aht_rows) | (aht_rows <= 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(f"volumes: row {i + 1}, column 'aht' is '{frame['aht'].iloc[i]}', expected seconds > 0.")
    return aht_rows


STAFFING_COLUMNS = ("scheduled_inbound", "agents", "inbound")  # coverage first, then sizing output


def agents_column_of(staffing: pd.DataFrame, requested: str | None = None, source: str = "staffing") -> str:
    """The staffing column to simulate: ``requested``, or the first of :data:`STAFFING_COLUMNS` present.

    Parameters
    ----------
    staffing : DataFrame
        The staffing table.
    requested : str, optional
        The column asked for (``--staffing-column``).
    source : str
        The file, for the message.

    Returns
    -------
    str
        The column name.

    Raises
    ------
    InputError
        When the column asked for, or any known one, is missing.
    """
    columns = [str(c).strip() for c in staffing.columns]
    if requested is not None:
        if requested not in columns:
            raise InputError(
                f"{source}: no column '{requested}'; found {', '.join(repr(c) for c in columns)}."
            )
        return requested
    for name in STAFFING_COLUMNS:
        if name in columns:
            return name
    raise InputError(
        f"{source}: no agents column; expected one of {', '.join(STAFFING_COLUMNS)} "
        f"(or name it with --staffing-column), found {', '.join(repr(c) for c in columns)}."
    )


def infer_staffing_interval(staffing: pd.DataFrame, source: str = "staffing") -> int:
    """Interval length (minutes) from the spacing of a staffing table's ``ds``.

    Parameters
    ----------
    staffing : DataFrame
        The staffing table with ``ds``.
    source : str
        The file, for the message.

    Returns
    -------
    int
        Minutes.

    Raises
    ------
    InputError
        When there is no ``ds`` column or the spacing is irregular.
    """
    from wfm.data import infer_interval_minutes

    if "ds" not in staffing.columns:
        raise InputError(f"{source}: missing column 'ds'.")
    frame = pd.DataFrame({
        "queue": staffing["queue"].astype(str) if "queue" in staffing.columns else DEFAULT_QUEUE,
        "ds": parse_timestamps(staffing["ds"].reset_index(drop=True), source, "ds"),
    })
    return infer_interval_minutes(frame.sort_values(["queue", "ds"]), source)


def _to_utc_ns(ds: pd.Series) -> np.ndarray:
    ds = utc_clock(pd.Series(ds))
    return ds.astype("datetime64[ns]").astype("int64").to_numpy()


_TRUE = {"true", "1", "yes", "y", "abandoned"}


_FALSE = {"false", "0", "no", "n", "answered"}


def _prepare_calls(calls: pd.DataFrame) -> pd.DataFrame:
    """Validate a per-call table into arrival, handle, patience, patience_unknown, answered_obs."""
    if not isinstance(calls, pd.DataFrame):
        raise InputError("calls: expected a table with columns arrival, handle and patience (or outcome and wait).")
    frame = calls.copy()
    frame.columns = [str(c).strip() for c in frame.columns]
    if frame.empty:
        raise InputError("calls: the table has no rows.")
    for column in ("arrival", "handle"):
        if column not in frame.columns:
            raise InputError(
                f"calls: missing column '{column}'; found {', '.join(repr(c) for c in frame.columns)} "
                f"(expected arrival, handle and patience, or outcome and wait)."
            )
    frame = frame.reset_index(drop=True)
    frame["row"] = np.arange(1, len(frame) + 1)
    if "queue" not in frame.columns:
        frame["queue"] = DEFAULT_QUEUE
    frame["queue"] = frame["queue"].astype(str)
    frame["arrival"] = parse_timestamps(frame["arrival"], "calls", "arrival")
    has_outcome = "outcome" in frame.columns or "abandoned" in frame.columns
    if has_outcome:
        column = "outcome" if "outcome" in frame.columns else "abandoned"
        text = frame[column].astype(str).str.strip().str.lower()
        abandoned = text.isin(_TRUE)
        bad = ~(abandoned | text.isin(_FALSE))
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(
                f"calls: row {i + 1}, column '{column}' is '{frame[column].iloc[i]}', expected "
                f"{'answered or abandoned' if column == 'outcome' else 'true or false'}."
            )
    else:
        abandoned = pd.Series(False, index=frame.index)
    handle = pd.to_numeric(frame["handle"], errors="coerce").to_numpy(dtype=float)
    bad_handle = (~np.isnan(handle) & ((handle < 0) | ~np.isfinite(handle))) | (
        (np.isnan(handle) | (handle <= 0)) & ~abandoned.to_numpy()
    )
    if bad_handle.any():
        i = int(np.flatnonzero(bad_handle)[0])
        raise InputError(
            f"calls: row {i + 1}, column 'handle' is '{frame['handle'].iloc[i]}', expected seconds > 0 for a call "
            f"that was answered."
        )
    frame["handle"] = handle
    frame["answered_obs"] = ~abandoned.to_numpy()
    if "patience" in frame.columns:
        raw = frame["patience"]
        pat = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
        bad = (raw.notna() & np.isnan(pat)) | (pat < 0)
        if bad.any():
            i = int(np.flatnonzero(np.asarray(bad))[0])
            raise InputError(f"calls: row {i + 1}, column 'patience' is '{raw.iloc[i]}', expected seconds >= 0 or empty.")
        frame["patience"] = np.where(np.isnan(pat), np.inf, pat)
        frame["patience_unknown"] = False
    elif has_outcome:
        if "wait" not in frame.columns:
            raise InputError("calls: missing column 'wait' (seconds in queue), needed with an outcome column.")
        wait = pd.to_numeric(frame["wait"], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(wait) | (wait < 0)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InputError(f"calls: row {i + 1}, column 'wait' is '{frame['wait'].iloc[i]}', expected seconds >= 0.")
        frame["patience"] = wait
        frame["patience_unknown"] = frame["answered_obs"]
    else:
        raise InputError("calls: no column 'patience', nor 'outcome' (or 'abandoned') with 'wait'; give one of them.")
    return frame[["row", "queue", "arrival", "handle", "patience", "patience_unknown", "answered_obs"]]

