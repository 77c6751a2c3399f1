"""The app's plan solves: run in a child process, watched live, stopped for real.

:func:`start` runs :func:`wfm.plan.run_plan` in a child process (``multiprocessing``
with the ``spawn`` context, one solve at a time per server: the machines have 2 cores
and CP-SAT uses both). The child sends back every :class:`wfm.progress.ProgressEvent`
(the plan's steps, and each improving CP-SAT plan from the ``on_solution`` observer of
:func:`wfm.schedule.solve.solve_integer`) through a queue; a supervising thread in the
server folds them into the run's :class:`Watch` (step, best cost, bound, gap), which
the Schedule page shows while it waits, then hands over the pickled result.

Why a process and not a thread: stopping CP-SAT inside the process that runs it (its
``stop_search`` or a Ctrl-C) aborts that process in the solver's postsolve with
OR-Tools 9.15, which in a thread would take the Streamlit server down. A child is
ended safely: :meth:`PlanRun.stop` terminates it, the run reports "stopped", and the
page keeps the previous plan. Watching changes nothing in the search (the observer
only reads the solver's figures), so the app's plan is ``wfm plan``'s for the same
scenario.

The Roster page's solves (:func:`start_roster`, :func:`wfm.roster.run.make_roster`) run
in the same child, one job at a time like the plans.

This module imports no Streamlit: the child imports it to run the plan.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import queue
import re
import threading
import time
import warnings
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from wfm.progress import ProgressEvent, relative_gap

POLL_SECONDS = 0.2  # how often the supervisor looks at a stop request while the child is quiet
STOP_GRACE_SECONDS = 5.0  # a terminated child that has not ended by then is killed


class Stopped(Exception):
    """The planner stopped the solve; no plan came of it."""

    def __init__(self) -> None:
        super().__init__("stopped")


@dataclass
class Watch:
    """What the page shows while a plan runs (costs in the scenario's currency).

    ``best`` and ``bound`` belong to one problem: when the solution events move on to
    another one (the next week of a longer horizon, the next service-goal round; their
    ``item``) they start again, since those costs are not comparable.
    """

    step: str = "forecast"
    item: str | None = None
    best: float | None = None
    bound: float | None = None
    solutions: int = 0  # improving plans reported, over every solve
    solves: int = 0  # CP-SAT solves that found a plan
    work: float | None = None  # deterministic seconds of the latest solve so far
    steps: list = field(default_factory=list)  # (step, seconds since the start)

    @property
    def gap(self) -> float | None:
        return relative_gap(self.best, self.bound)

    @property
    def week(self) -> int | None:
        """The week being solved (1 = the first) when the horizon is solved week by week.

        A longer horizon is scheduled one week at a time and each solve's events name
        their week in ``item`` (``week 2``, or ``round 1, week 2`` under a service goal).
        """
        found = re.search(r"\bweek (\d+)\b", self.item or "")
        return int(found.group(1)) if found else None

    def see(self, event: ProgressEvent, elapsed: float = 0.0) -> None:
        """Fold one event into the view."""
        if not event.is_solution:
            self.step = event.stage
            self.steps.append((event.stage, round(elapsed, 1)))
            return
        if event.item != self.item:
            self.item, self.best, self.bound = event.item, None, None
        self.solutions += 1
        self.solves += event.solutions == 1
        self.best = event.cost if self.best is None else min(self.best, event.cost)
        if event.bound is not None:
            # every bound seen is a proven bound of the same problem: the largest holds
            self.bound = event.bound if self.bound is None else max(self.bound, event.bound)
        self.work = event.work


@dataclass
class PlanRun:
    """A plan solved in a child process, and what the page shows while it runs."""

    key: str
    time_limit: float
    started: float
    future: Future
    finished: float | None = None
    watch: Watch = field(default_factory=Watch)
    cached: bool = False  # taken from the plans solved before with the same inputs, not solved now
    weeks: int = 1  # weeks of the horizon: more than one are solved one after the other
    _stop: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def done(self) -> bool:
        return self.future.done()

    @property
    def step(self) -> str:
        return "done" if self.done else self.watch.step

    @property
    def stopped(self) -> bool:
        """The solve was stopped before it gave a plan."""
        return self.done and isinstance(self.future.exception(), Stopped)

    def elapsed(self) -> float:
        return (self.finished or time.perf_counter()) - self.started

    def stop(self, wait: float = STOP_GRACE_SECONDS + 2) -> bool:
        """End the solve (its child process is terminated); True once it has ended."""
        self._stop.set()
        try:
            self.future.exception(timeout=wait)
        except TimeoutError:
            return False
        return True


def finished_run(key: str, time_limit: float, result) -> PlanRun:
    """A run that is already done (a plan solved before with the same inputs)."""
    future: Future = Future()
    future.set_result(result)
    now = time.perf_counter()
    return PlanRun(key, time_limit, now, future, finished=now, watch=Watch(step="done"), cached=True)


_POOL: ThreadPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


def _supervisors() -> ThreadPoolExecutor:
    # One supervising thread: solves queue up and run one child at a time.
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ThreadPoolExecutor(max_workers=1, thread_name_prefix="wfm-plan")
        return _POOL


def start(key: str, scenario, base_dir: str | Path, time_limit: float) -> PlanRun:
    """Start :func:`wfm.plan.run_plan` of ``scenario`` in the solve process; returns at once."""
    run = PlanRun(key, float(time_limit), time.perf_counter(), Future())
    run.future = _supervisors().submit(_supervise, run, ("plan", (scenario, str(base_dir), float(time_limit))))
    return run


def start_roster(key: str, time_limit: float, **roster) -> PlanRun:
    """Start :func:`wfm.roster.run.make_roster` with the keyword arguments ``roster`` in the
    solve process; returns at once (the run's result is the ``RosterResult``)."""
    run = PlanRun(key, float(time_limit), time.perf_counter(), Future())
    run.future = _supervisors().submit(_supervise, run, ("roster", roster))
    return run


class _Worker:
    """The child process that solves, kept between solves (its imports take seconds).

    Only the supervising thread uses it, one job at a time; a stop ends it and the next
    solve starts a new one.
    """

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self.jobs = context.Queue()
        self.events = context.Queue()
        self.process = context.Process(target=_serve, args=(os.getpid(), self.jobs, self.events),
                                       name="wfm-plan-solver", daemon=True)
        self.process.start()
        self.count = 0

    def alive(self) -> bool:
        return self.process.is_alive()

    def end(self) -> None:
        """Terminate the process (SIGTERM ends CP-SAT at once), kill it if it lingers."""
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(STOP_GRACE_SECONDS)
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        for q in (self.jobs, self.events):
            q.close()
            q.cancel_join_thread()  # a dead reader must not hold this thread


_WORKER: _Worker | None = None


def _supervise(run: PlanRun, task: tuple):
    """Send the job to the worker, fold its events into ``run.watch``, return its result (the supervising thread)."""
    global _WORKER
    try:
        if run._stop.is_set():  # stopped while an earlier solve held the worker
            raise Stopped()
        run.started = time.perf_counter()  # the wait for the worker is not the solve's time
        if _WORKER is None or not _WORKER.alive():
            _WORKER = _Worker()
        worker = _WORKER
        worker.count += 1
        job = worker.count
        worker.jobs.put((job, task))
        try:
            return _follow(run, worker, job)
        except Stopped:
            worker.end()  # the only safe way to stop CP-SAT: end the process it runs in
            _WORKER = None
            raise
        except BaseException:
            if not worker.alive():  # it died (e.g. out of memory): the next solve starts a new one
                worker.end()
                _WORKER = None
            raise
    finally:
        run.finished = time.perf_counter()


def _follow(run: PlanRun, worker: _Worker, job: int):
    quiet_since_exit = False
    while True:
        if run._stop.is_set():
            raise Stopped()
        try:
            number, message = worker.events.get(timeout=POLL_SECONDS)
        except queue.Empty:
            if worker.alive():
                continue
            if quiet_since_exit:  # one more look after the exit: the queue may still have been flushing
                raise RuntimeError(f"the solver process ended without a plan (exit code "
                                   f"{worker.process.exitcode}).") from None
            quiet_since_exit = True
            continue
        if number != job:
            continue  # a message of an earlier job (not expected: jobs finish before the next)
        if isinstance(message, ProgressEvent):
            run.watch.see(message, time.perf_counter() - run.started)
            continue
        kind, payload = message
        value = pickle.loads(payload)
        if kind == "error":
            raise value
        return value


def _serve(parent: int, jobs, events) -> None:
    """The child process: run each plan it is sent, sending every event, then the pickled result or error."""
    from wfm.batch import _die_with_parent

    _die_with_parent(parent)  # a killed server leaves no solver running
    while True:
        task = jobs.get()
        if task is None:
            return
        job, work = task
        _solve_one(job, work, events)


def _solve_one(job: int, task: tuple, events) -> None:
    """Run one job: ``("plan", (scenario, base_dir, time_limit))`` or ``("roster", make_roster's keywords)``."""
    kind, args = task

    def send(event: ProgressEvent) -> None:
        events.put((job, event))

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if kind == "roster":
                from wfm.roster.run import make_roster

                result = make_roster(**args)
            else:
                from wfm.plan import run_plan

                scenario, base_dir, time_limit = args
                result = run_plan(scenario, base_dir=base_dir, progress=send, on_solution=send, time_limit=time_limit)
        events.put((job, ("result", pickle.dumps(result))))
    except Exception as exc:  # noqa: BLE001 - every failure goes back to the page
        events.put((job, ("error", _picklable(exc))))


def _picklable(exc: BaseException) -> bytes:
    """The error pickled as it is, or as a RuntimeError with its text when it does not pickle."""
    try:
        payload = pickle.dumps(exc)
        pickle.loads(payload)
        return payload
    except Exception:  # noqa: BLE001 - some library errors do not survive pickling
        return pickle.dumps(RuntimeError(f"{type(exc).__name__}: {exc}"))
