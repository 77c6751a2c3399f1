"""Many scenarios at once: a local process pool, or a Dask distributed cluster.

Each scenario's plan is written into ``OUTDIR/<folder>/`` (the scenario name made a safe folder
name by :func:`wfm.export.safe_folder_name`; nothing outside ``OUTDIR`` is touched) by
:func:`wfm.plan.plan_to_directory`. One failing scenario never stops the others: its
error goes to ``OUTDIR/failures.csv``. ``OUTDIR/index.csv`` lists every scenario with
its status, cost, FTE and KPIs. A scenario whose outputs are complete and whose
content hash (scenario file plus the input files it names) is unchanged is skipped
unless ``force`` is set.

Plans are deterministic (fixed seeds, fixed solver workers), so the same scenarios
give identical results through the local pool and through Dask.
"""

from __future__ import annotations

import concurrent.futures as cf
import glob
import hashlib
import json
import os
import time
import traceback
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from wfm.errors import InputError
from wfm.export import folder_inside, safe_folder_name, write_table
from wfm.progress import Observer, ProgressEvent, tell

HASH_FILE = ".scenario-hash"
BATCH_FILES = ("index.csv", "failures.csv")  # beside the scenario folders: no scenario may take their names
INDEX_COLUMNS = [
    "scenario", "status", "file", "out_dir", "cost", "lower_bound", "gap", "fte", "paid_hours",
    "service_level", "asa", "abandon_rate", "occupancy", "cost_per_call", "seconds", "error",
]


def expand_scenarios(items: Iterable[str | Path]) -> list[Path]:
    """Scenario files from files, directories (their ``*.toml``) and glob patterns, in order.

    Parameters
    ----------
    items : iterable of str or Path
        Files, directories or glob patterns.

    Returns
    -------
    list of Path
        Scenario files, each once.

    Raises
    ------
    InputError
        When an item matches no scenario file.
    """
    found: list[Path] = []
    for item in items:
        text = str(item)
        path = Path(text)
        if path.is_dir():
            found.extend(sorted(path.glob("*.toml")))
        elif any(ch in text for ch in "*?["):
            matches = sorted(Path(p) for p in glob.glob(text, recursive=True))
            if not matches:
                raise InputError(f"{text}: the pattern matches no scenario files.")
            found.extend(m for m in matches if m.is_file())
        elif path.is_file():
            found.append(path)
        else:
            raise InputError(f"{text}: no such scenario file or directory.")
    unique: list[Path] = []
    seen = set()
    for p in found:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(p)
    if not unique:
        raise InputError("batch: no scenario files were given (expected .toml files, directories or globs).")
    return unique


def scenario_hash(path: Path) -> str:
    """Content hash of a scenario file and of every input file it names (history, calls...).

    Parameters
    ----------
    path : Path
        Scenario TOML; an invalid one is hashed by its own bytes alone.

    Returns
    -------
    str
        SHA-256 as 64 hex digits; it changes when the file or any input it names
        changes, which is how a batch rerun knows a plan is stale.
    """
    from wfm.plan import scenario_inputs

    digest = hashlib.sha256()
    digest.update(path.read_bytes())
    try:
        inputs = scenario_inputs(path)
    except Exception:  # an invalid scenario still gets a hash; it will fail when run
        inputs = []
    for extra in inputs:
        digest.update(str(extra).encode())
        if Path(extra).is_file():
            digest.update(Path(extra).read_bytes())
    return digest.hexdigest()


def _complete(out_dir: Path, digest: str) -> bool:
    from wfm.plan import PLAN_FILES

    marker = out_dir / HASH_FILE
    return (
        marker.is_file()
        and marker.read_text().strip() == digest
        and all((out_dir / name).is_file() for name in PLAN_FILES)
    )


def scenario_name(path: Path) -> str:
    """The scenario's ``name`` from its file (falling back to the file's stem).

    Parameters
    ----------
    path : Path
        A scenario file, read only for its top-level ``name`` (it need not validate).

    Returns
    -------
    str
        That name, or the file name without ``.toml`` when it has none or cannot be read.
    """
    from wfm.plan import peek_name

    return peek_name(path) or path.stem


def run_one(path: str, out_dir: str, digest: str) -> dict:
    """Plan one scenario into ``out_dir``; never raises (errors are returned as a row).

    Parameters
    ----------
    path : str
        Scenario TOML.
    out_dir : str
        The batch output folder.
    digest : str
        The scenario's content hash, stored with its outputs.

    Returns
    -------
    dict
        The scenario's index row (``status`` ok or failed, with the error).
    """
    import time

    from wfm.plan import index_row, plan_to_directory

    started = time.perf_counter()
    row = {"file": path, "out_dir": out_dir}
    try:
        summary = plan_to_directory(path, out_dir, extra_files={HASH_FILE: digest + "\n"})
        row.update(index_row(summary), status="ok")
    except InputError as exc:
        row.update(status="failed", error=str(exc))
    except Exception as exc:  # a bug must not stop the other scenarios either
        row.update(status="failed", error=f"{type(exc).__name__}: {exc}", traceback=traceback.format_exc())
    row["seconds"] = round(time.perf_counter() - started, 3)
    return row


@dataclass
class BatchResult:
    """What a batch run did: one index row per scenario, and the failures."""

    index: pd.DataFrame
    failures: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def failed(self) -> int:
        """Scenarios that failed.

        Returns
        -------
        int
            Rows of ``index`` with status ``failed``.
        """
        return int((self.index["status"] == "failed").sum())


def run_batch(
    scenarios: Iterable[str | Path],
    out_dir: str | Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    force: bool = False,
    progress: Observer | None = None,
    client=None,
) -> BatchResult:
    """Run every scenario's plan into ``out_dir/<name>/`` and write index.csv and failures.csv.

    Parameters
    ----------
    scenarios : scenario files, directories or glob patterns.
    out_dir : output directory (created if missing).
    workers : local processes (default: the number of cores); 1 runs in this process.
    scheduler : address of a Dask scheduler (``tcp://host:port``); runs there instead.
    force : re-run scenarios whose outputs are complete and unchanged.
    progress : told a :class:`wfm.progress.ProgressEvent` after each scenario (``item`` the
        scenario, ``status`` its index row's status, ``done`` of ``total``).
    client : an existing ``dask.distributed.Client`` (tests pass one of a LocalCluster).


    Returns
    -------
    BatchResult
        ``index`` (one row per scenario) and ``failures``.
    """
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise InputError(f"workers: {workers!r} is not a positive number of worker processes, expected 1 or more.")
    paths = expand_scenarios(scenarios)
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"{out_dir}: exists and is not a folder, expected a folder for the batch's outputs.")
    names: dict[str, Path] = {}
    folders: dict[str, tuple[str, Path]] = {}  # case-folded folder -> (name, file)
    targets: list[tuple[Path, str, Path]] = []
    # Every name is checked before anything is written: a refused batch leaves --out as it was.
    for path in paths:
        name = scenario_name(path)
        if name in names:
            raise InputError(f"{path}: scenario name '{name}' is also used by {names[name]}; names must be unique in a batch.")
        folder = safe_folder_name(name, f"{path}: name", reserved=BATCH_FILES)
        # Case-insensitive file systems (macOS, Windows) would give these the same folder.
        key = folder.casefold()
        if key in folders:
            other_name, other = folders[key]
            raise InputError(
                f"{path}: scenario name '{name}' gets the same folder '{folder}' as '{other_name}' in {other}; "
                f"names must give distinct folders in a batch."
            )
        folders[key] = (name, path)
        names[name] = path
        targets.append((path, name, folder_inside(out_dir, folder, f"{path}: name")))
    out_dir.mkdir(parents=True, exist_ok=True)
    jobs = []
    rows: list[dict] = []
    for path, name, target in targets:
        digest = scenario_hash(path)
        if not force and _complete(target, digest):
            row = _previous_row(target)
            row.update(scenario=name, status="skipped", file=str(path), out_dir=str(target))
            rows.append(row)
            continue
        jobs.append((name, str(path), str(target), digest))
    total = len(paths)
    done = len(rows)
    for row in rows:
        tell(progress, _row_event(row, done, total))

    def finished(name: str, row: dict) -> None:
        nonlocal done
        row["scenario"] = name
        rows.append(row)
        done += 1
        tell(progress, _row_event(row, done, total))

    if jobs:
        if client is not None or scheduler is not None:
            _run_dask(jobs, finished, client=client, scheduler=scheduler)
        elif (workers or os.cpu_count() or 1) == 1 or len(jobs) == 1:
            for name, path, target, digest in jobs:
                finished(name, run_one(path, target, digest))
        else:
            with cf.ProcessPoolExecutor(max_workers=min(workers or os.cpu_count() or 1, len(jobs)),
                                        initializer=_die_with_parent, initargs=(os.getpid(),)) as pool:
                futures = {pool.submit(run_one, path, target, digest): name for name, path, target, digest in jobs}
                for future in cf.as_completed(futures):
                    finished(futures[future], future.result())

    order = {name: i for i, name in enumerate(names)}
    index = pd.DataFrame(rows)
    for column in INDEX_COLUMNS:
        if column not in index.columns:
            index[column] = None
    index = index.sort_values("scenario", key=lambda s: s.map(order)).reset_index(drop=True)
    failures = index.loc[index["status"] == "failed", ["scenario", "file", "error"]]
    write_table(index[INDEX_COLUMNS], out_dir / "index.csv")
    write_table(failures, out_dir / "failures.csv")
    return BatchResult(index=index[INDEX_COLUMNS], failures=failures.reset_index(drop=True))


def _row_event(row: dict, done: int, total: int) -> ProgressEvent:
    name, status = str(row.get("scenario", "")), row.get("status")
    message = f"{name}: {status}" + (f" ({row['error']})" if status == "failed" and row.get("error") else "")
    return ProgressEvent("batch", message, done=done, total=total, item=name, status=status)


def _die_with_parent(parent: int) -> None:
    """Pool initializer: a worker ends when the batch that started it is killed.

    Without this a killed ``wfm batch`` left its workers planning on, and they swapped
    scenario folders in afterwards. On Linux the kernel sends the worker SIGKILL when the
    parent dies (``PR_SET_PDEATHSIG``); everywhere a watchdog thread exits once the parent
    is gone; and no scenario folder is swapped in once it is (see
    :data:`wfm.export.swap_guard`). What a killed worker leaves is removed by the next run.
    """
    import signal
    import sys
    import threading

    from wfm import export

    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG = 1
        except (OSError, AttributeError):
            pass

    def orphaned() -> bool:
        return os.getppid() != parent

    def check() -> None:
        if orphaned():
            raise InputError("batch: the batch run that started this worker has ended; its result is not written.")

    def watch() -> None:
        while not orphaned():
            time.sleep(0.5)
        os._exit(1)

    export.swap_guard = check
    if orphaned():  # the parent died before prctl took effect
        os._exit(1)
    threading.Thread(target=watch, name="wfm-parent-watch", daemon=True).start()


def _previous_row(target: Path) -> dict:
    """The index row of a skipped scenario, read back from its kpis.json."""
    try:
        summary = json.loads((target / "kpis.json").read_text())
    except (OSError, ValueError):
        return {}
    from wfm.plan import PlanKpis, index_row

    return index_row(PlanKpis.from_json(summary))


def _run_dask(jobs, finished, *, client=None, scheduler=None) -> None:
    try:
        from dask.distributed import Client, as_completed
    except ImportError:  # an optional extra: name the install, not a traceback
        raise InputError("--scheduler: Dask is not installed, install it with pip install 'wfm[dask]'.") from None

    own = client is None
    if own:
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise InputError(f"--scheduler: could not reach a Dask scheduler at '{scheduler}' ({exc}).") from None
    try:
        futures = {}
        for name, path, target, digest in jobs:
            future = client.submit(run_one, path, target, digest, key=f"wfm-plan-{name}-{digest[:12]}", pure=False)
            futures[future] = name
        for future in as_completed(list(futures)):
            finished(futures[future], future.result())
    finally:
        if own:
            client.close()
