"""One scenario end to end: forecast -> sizing -> schedule -> verification -> exports.

:func:`run_plan` runs the stages in order and returns a :class:`PlanResult`;
:func:`size_queue` is its sizing step on its own (the app's Staffing page shows it);
:func:`write_plan` writes the planner's files into a folder that appears whole or
not at all; :func:`plan_to_directory` does both from a scenario file (the CLI's and
the batch runner's work).

Files written (``PLAN_FILES``):

``forecast.csv``      queue, ds, y_hat, lo_80, hi_80, lo_95, hi_95, model, aht_hat
``requirements.csv``  queue, ds, y, aht, agents (productive), scheduled (heads after
                      shrinkage, what the scheduler covers), service_level, asa,
                      occupancy, p_wait (p_abandon with abandonment)
``schedule.csv``      agent, group, shift, date, start, end, activity, detail
``coverage.csv``      ds, required, scheduled_inbound, outbound, over, under (+ per pool)
``verification.csv``  queue, ds, agents (effective), offered, simulated KPIs with 95% CIs,
                      Erlang-predicted service level, flagged
``kpis.json``         cost, bound, gap, FTE, and per queue the Erlang-predicted and the
                      simulated service level, ASA, abandon rate, occupancy
``schedule.xlsx``     a sheet per day (agents' timelines), Coverage, KPIs
``coverage.png``      required vs scheduled per interval
``scenario.toml``     the resolved scenario (absolute paths): repeat the run with it
``run.json``          timings (solve seconds per phase) and whether the safety time cap
                      fired; the only file that differs between two runs of a scenario
                      (with ``roster/summary.json``'s ``seconds``)
``roster/``           when the scenario names a roster (``[roster] agents`` or ``[[agent]]``):
                      the named agents rostered against the plan's requirement, the files
                      of ``wfm roster`` (:func:`wfm.roster.run.write_roster`: the シフト表
                      ``shift_table.xlsx``, ``schedules/ID.csv``, ``calendars/ID.ics``,
                      ``shortfalls.csv``, ``summary.json`` ...); ``kpis.json`` has its figures
                      under ``roster``; with ``[roster] published`` (or ``--lock``) re-rostered
                      against that published ``assignment.csv``, changing as few shifts as
                      possible, the changed shifts reported
"""

from __future__ import annotations

import dataclasses
import tomllib
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from wfm import calibrate, data, erlang, limits
from wfm.errors import InputError
from wfm.export import atomic_dir, check_out_dir, write_json, write_table, write_text
from wfm.forecast import as_volumes
from wfm.localtime import wall_clock
from wfm.progress import Observer, ProgressEvent, about, tell
from wfm.results import PlanKpis
from wfm.scenario import Queue, Scenario, load_scenario, scenario_to_toml

PLAN_FILES = (
    "forecast.csv", "requirements.csv", "schedule.csv", "coverage.csv", "verification.csv",
    "kpis.json", "schedule.xlsx", "coverage.png", "scenario.toml", "run.json",
)
STEPS = ("forecast", "sizing", "schedule", "verification", "roster", "exports")
STEP_MESSAGES = {"forecast": "reading the demand", "sizing": "sizing the intervals",
                 "schedule": "scheduling (CP-SAT)", "verification": "verifying by simulation",
                 "roster": "rostering the named agents (CP-SAT)", "exports": "writing the files"}


def step_event(name: str) -> ProgressEvent:
    """The event of plan step ``name`` starting: ``done`` is the number of steps finished.

    Parameters
    ----------
    name : str
        A plan step, one of ``STEPS``.

    Returns
    -------
    ProgressEvent
        The step event, with the step's message and ``done`` of ``total`` steps.
    """
    return ProgressEvent(name, STEP_MESSAGES[name], done=STEPS.index(name), total=len(STEPS))


@dataclass
class PlanResult:
    """Everything a plan produced; ``kpis.to_json()`` is what ``kpis.json`` holds."""

    scenario: Scenario
    forecast: pd.DataFrame
    requirements: pd.DataFrame
    schedule: object  # wfm.schedule.ScheduleResult
    verification: pd.DataFrame
    kpis: PlanKpis
    roster: object | None = None  # wfm.roster.RosterResult, when the scenario names a roster

    @property
    def notes(self) -> list[str]:
        """Sentences the planner should read: the plan's and the schedule's.

        Returns
        -------
        list of str
            ``kpis.notes``: forecast warnings, sizing assumptions and goals met
            trivially, then the schedule's notes, as ``kpis.json`` lists them.
        """
        return self.kpis.notes


# --- demand ------------------------------------------------------------------------


def _horizon_bounds(scenario: Scenario) -> tuple[pd.Timestamp, pd.Timestamp]:
    start = pd.Timestamp(scenario.horizon.start)
    return start, start + pd.Timedelta(days=scenario.horizon.days)


def _wall_clock(table: pd.DataFrame, timezone: str) -> pd.DataFrame:
    """The table with every timestamp as plain local wall-clock time, the one convention
    of a plan folder (schedule.csv and coverage.csv are written so; the zone is in
    kpis.json), so the planner's files join on ``ds``. On a fall-back day a ``fold``
    column after ``ds`` tells the two passes of the repeated hour apart (1 on the
    second), as coverage.csv does."""
    from wfm.localtime import fold_of

    zoned = [c for c in table.columns if isinstance(table[c].dtype, pd.DatetimeTZDtype)]
    if not zoned:
        return table
    out = table.assign(**{c: wall_clock(table[c]) for c in zoned})
    if "ds" in zoned and "fold" not in out.columns:
        fold = fold_of(table["ds"], timezone)
        if fold.any():
            out.insert(out.columns.get_loc("ds") + 1, "fold", fold.astype(int))
    return out


def _resolve(base_dir: Path, value: str | None) -> Path | None:
    if value is None:
        return None
    path = Path(value).expanduser()
    return path if path.is_absolute() else (base_dir / path)


def _queue_demand(queue: Queue, index: int, scenario: Scenario, base_dir: Path, notes: list[str],
                  closures: dict | None = None) -> pd.DataFrame:
    """The queue's volumes over the horizon: ``queue, ds, y_hat, ...`` (and ``aht_hat``).

    A queue forecast from history records in ``closures[queue]`` the dates its
    special days or public holidays close.
    """
    from wfm.forecast import forecast

    place = f"queue[{index}]"
    tz = scenario.horizon.timezone
    minutes = scenario.horizon.interval_minutes
    start, end = _horizon_bounds(scenario)
    if queue.history:
        path = _resolve(base_dir, queue.history)
        if not path.is_file():
            raise InputError(f"{place}.history: file '{path}' not found.")
        history, history_minutes = data.read_intervals(path, timezone=tz, columns=queue.columns)
        history = history[wall_clock(history["ds"]) < start]
        if history.empty:
            raise InputError(f"{place}.history: {path} has no data before the horizon starts ({start.date()}).")
        last_day = wall_clock(history["ds"]).max().normalize()
        days = int((end - last_day).days) - 1
        if days < 1:
            raise InputError(f"{place}.history: {path} already covers the horizon; nothing to forecast.")
        history = history.assign(queue=queue.name)
        settings = queue.forecasting
        special = _resolve(base_dir, settings.special_days)
        if special is not None and not special.is_file():
            raise InputError(f"{place}.forecasting.special_days: file '{special}' not found.")
        with warnings.catch_warnings():
            # The forecast's warnings travel in result.warnings and end up in kpis.json.
            warnings.simplefilter("ignore")
            result = forecast(
                history, f"{days}d", interval_minutes=history_minutes, interval=minutes,
                models=settings.models, folds=settings.folds, special_days=special, holidays=settings.holidays,
                timezone=tz,
            )
        notes.extend(result.warnings)
        if closures is not None:
            closures[queue.name] = set(result.closed_dates)
        table = result.table
    else:
        source = queue.forecast or queue.volumes
        kind = "forecast" if queue.forecast else "volumes"
        path = _resolve(base_dir, source)
        if not path.is_file():
            raise InputError(f"{place}.{kind}: file '{path}' not found.")
        raw = as_volumes(data.map_columns(data.read_table(path), queue.columns, str(path)))
        if "queue" in raw.columns:
            raw = raw[raw["queue"].astype(str) == queue.name]
            if raw.empty:
                raise InputError(f"{place}.{kind}: {path} has no rows for queue '{queue.name}'.")
        keep = [c for c in ("ds", "y", "aht") if c in raw.columns]
        frame, file_minutes = data.validate_intervals(raw[keep] if set(("ds", "y")) <= set(keep) else raw,
                                                      str(path), timezone=tz)
        if file_minutes != minutes:
            frame = data.aggregate_intervals(frame, file_minutes, minutes)
        table = frame.rename(columns={"y": "y_hat", "aht": "aht_hat"}).assign(queue=queue.name, model=kind)
    local = wall_clock(table["ds"])
    table = table[(local >= start) & (local < end)].reset_index(drop=True)
    if table.empty or float(table["y_hat"].sum()) <= 0:
        raise InputError(
            f"{place}: no volume inside the horizon {start.date()} .. {(end - pd.Timedelta(days=1)).date()}; "
            f"check horizon.start and the queue's data."
        )
    return table


def close_forecast_holidays(scenario: Scenario, closures: dict, demands: list[pd.DataFrame],
                            notes: list[str]) -> Scenario:
    """The scenario with the forecast's closed days (holidays, special days) as closed dates.

    A date becomes a closed date of the horizon when every queue forecast from
    history closes it and the queues read from a file have no volume on it: the
    schedule then staffs nobody that day, and weekly contracts work one day fewer in
    that week (:mod:`wfm.schedule.rules`) instead of being forced onto a closed day.

    Parameters
    ----------
    scenario : Scenario
        The scenario being planned.
    closures : dict
        Queue name -> set of dates its forecast closes (queues forecast from history).
    demands : list of DataFrame
        Every queue's demand over the horizon (``queue, ds, y_hat``).
    notes : list of str
        Receives one sentence naming the dates closed this way.

    Returns
    -------
    Scenario
        ``scenario`` itself when nothing changes, else a copy with more closed dates.
    """
    if not closures:
        return scenario
    dates = set.intersection(*closures.values())
    horizon = scenario.horizon
    in_horizon = set(horizon.dates())
    for demand in demands:
        queue = str(demand["queue"].iloc[0]) if len(demand) else ""
        if queue in closures:
            continue
        busy = wall_clock(demand["ds"]).dt.date[demand["y_hat"] > 0]
        dates -= set(busy)
    new = sorted(d for d in dates if d in in_horizon and horizon.opening_minutes(d) is not None)
    if not new:
        return scenario
    notes.append("closed by the forecast's holidays and special days, so nobody is scheduled: "
                 + ", ".join(f"{d:%a %d %b %Y}" for d in new) + ".")
    closed = sorted(set(horizon.closed_dates) | set(new))
    return scenario.model_copy(update={"horizon": horizon.model_copy(update={"closed_dates": closed})})


def open_hours_only(demand: pd.DataFrame, horizon) -> tuple[pd.DataFrame, float, int]:
    """The rows of ``demand`` inside the horizon's opening hours.

    Returns ``(rows inside, calls outside, intervals outside)``: calls forecast while the
    centre is closed are neither staffed nor simulated, and callers report them.

    Parameters
    ----------
    demand : DataFrame
        Forecast or volumes with ``ds`` (and ``queue``).
    horizon : Horizon
        The scenario's horizon (opening hours, closed days and dates).

    Returns
    -------
    inside : DataFrame
        The rows in opening hours.
    calls_outside : float
        Calls forecast while closed.
    intervals_outside : int
        Their intervals.
    """
    local = wall_clock(demand["ds"])
    minutes = (local.dt.hour * 60 + local.dt.minute).to_numpy()
    dates = local.dt.date.to_numpy()
    opening = {day: horizon.opening_minutes(day) for day in set(dates)}
    open_at = np.array([opening[d][0] if opening[d] else 0 for d in dates])
    close_at = np.array([opening[d][1] if opening[d] else 0 for d in dates])
    inside = (minutes >= open_at) & (minutes < close_at)
    return demand[inside].reset_index(drop=True), float(demand.loc[~inside, "y_hat"].sum()), int((~inside).sum())


def _open_hours_only(demand: pd.DataFrame, scenario: Scenario, queue: str, notes: list[str]) -> pd.DataFrame:
    inside, calls, intervals = open_hours_only(demand, scenario.horizon)
    if calls > 0:
        share = calls / float(demand["y_hat"].sum())
        notes.append(
            f"queue '{queue}': {calls:,.0f} forecast calls ({share:.1%} of the queue's) fall outside the opening hours "
            f"({intervals} intervals) and are neither staffed nor simulated."
        )
    return inside


# --- sizing --------------------------------------------------------------------------


def _queue_target(queue: Queue) -> erlang.ServiceTarget:
    return erlang.ServiceTarget(
        service_level=None if queue.asa is not None else queue.service_level,
        answer_within=queue.answer_within, asa=queue.asa, max_occupancy=queue.max_occupancy,
        shrinkage=queue.shrinkage,
    )


def _size_queue(queue: Queue, index: int, demand: pd.DataFrame, scenario: Scenario, base_dir: Path,
                notes: list[str]) -> tuple[pd.DataFrame, dict]:
    """Requirement per interval, and the behaviour the verification should simulate."""
    place = f"queue[{index}]"
    minutes = scenario.horizon.interval_minutes
    frame = as_volumes(demand)[["queue", "ds", "y"] + (["aht"] if "aht_hat" in demand else [])].copy()
    profile = None
    if queue.profile:
        path = _resolve(base_dir, queue.profile)
        profile = calibrate.read_profile(path)
    behaviour = calibrate.behaviour_for(profile, queue.name, str(queue.profile)) if profile else None
    if queue.aht is not None:
        frame["aht"] = float(queue.aht)
    elif "aht" in frame.columns:
        fallback = behaviour.aht if behaviour and behaviour.aht else float(np.nanmean(frame["aht"]))
        frame["aht"] = frame["aht"].fillna(fallback)
    elif behaviour and behaviour.aht:
        frame["aht"] = behaviour.aht
    else:
        raise InputError(f"{place}.aht: no AHT given and the queue's data and profile have none; give seconds, e.g. aht = 240.")
    patience = queue.patience or (behaviour.patience if behaviour else None)
    mode = queue.sizing or ("erlang-a" if patience else "erlang-c")
    target = _queue_target(queue)
    if profile is not None:
        sized = calibrate.size_calibrated(
            frame, minutes, profile, target=target, mode=mode, seed=scenario.verify.seed, source=str(queue.profile))
        notes.extend(sized.attrs["notes"])
    else:
        target = dataclasses.replace(target, model=mode, patience=patience if mode == "erlang-a" else None)
        sized = erlang.size_intervals(frame, minutes, target, source=f"{place} volumes")
    sim = {"aht": None, "patience": patience, "handle_sample": None, "patience_sample": None, "model": mode,
           "sizing_patience": patience}
    if behaviour is not None:
        sim["handle_sample"] = behaviour.handle_sample
        sim["patience_sample"] = behaviour.patience_sample
        if behaviour.patience_sample is not None:
            sim["patience"] = None
    return sized, sim


@dataclass
class QueueSizing:
    """One queue sized as the plan sizes it (:func:`size_queue`)."""

    requirements: pd.DataFrame  # queue, ds, y, aht, agents, scheduled, service_level, asa, occupancy ...
    behaviour: dict  # what the verification simulates: aht, patience (or samples), model, sizing_patience
    notes: list[str] = field(default_factory=list)


def size_queue(scenario: Scenario, index: int, demand: pd.DataFrame, *, base_dir: str | Path = ".") -> QueueSizing:
    """The agents queue ``index`` of ``scenario`` needs in each open interval, as ``wfm plan`` sizes them.

    This is the plan's own sizing step (:func:`run_plan` calls it), so every caller that
    shows a requirement (the app's Staffing page) shows the one that is scheduled. It
    honours everything the queue says: the service target, ``sizing`` (Erlang C, Erlang
    A or simulation), the ``profile`` learned by ``wfm calls profile`` (AHT, handle-time
    and patience samples), ``aht`` and ``patience``.

    Parameters
    ----------
    scenario : Scenario
        The validated scenario: its horizon gives the interval and opening hours, its
        ``verify.seed`` the seed of simulation sizing.
    index : int
        Position of the queue in ``scenario.queues`` (names its messages ``queue[index]``).
    demand : pandas.DataFrame
        The forecast over the horizon: ``ds, y_hat`` and optional ``aht_hat`` (as
        :func:`wfm.forecast.forecast` writes it). Rows of other queues (by a ``queue``
        column) and rows outside the opening hours are left out.
    base_dir : str or Path
        Folder the queue's relative ``profile`` path is relative to.

    Returns
    -------
    QueueSizing
        ``requirements`` (one row per open interval: ``queue, ds, y, aht, agents,
        scheduled`` and the Erlang KPIs), the ``behaviour`` the verification simulates,
        and ``notes`` for the planner (calls outside opening hours, the profile's notes).

    Raises
    ------
    InputError
        When the queue has no AHT anywhere, its profile cannot be read, or the
        requirement exceeds :mod:`wfm.limits`.
    """
    queue = scenario.queues[index]
    if "queue" in demand.columns:
        demand = demand[demand["queue"].astype(str) == queue.name]
    notes: list[str] = []
    demand = _open_hours_only(demand, scenario, queue.name, notes)
    sized, behaviour = _size_queue(queue, index, demand, scenario, Path(base_dir), notes)
    limits.check_agents(sized["scheduled"], f"queue[{index}] requirements", "scheduled")
    # The verification simulates every call: refuse now rather than after the solver ran.
    limits.check_simulated_calls(float(demand["y_hat"].sum()), f"queue[{index}]")
    return QueueSizing(sized, behaviour, notes)


# --- service goals over a day or a week -----------------------------------------------

def _goal_misses(goals: dict, reports: dict) -> dict:
    """Simulated shortfall of every goal period, in the goal's units (negative: better than asked)."""
    return {(q, row["period"]): goals[q].miss(row[f"simulated_{goals[q].measure}"])
            for q, periods in reports.items() for row in periods if row[f"simulated_{goals[q].measure}"] is not None}


def _service_goals(scenario: Scenario) -> dict:
    from wfm.service_goal import ServiceGoal

    return {q.name: ServiceGoal(q.name, q.service_goal, q.service_level if q.asa is None else None, q.answer_within,
                                q.interval_floor, asa=q.asa)
            for q in scenario.queues if q.service_goal != "interval"}


def _goal_curves(scenario: Scenario, sized: pd.DataFrame, behaviours: dict, goals: dict, tighten: dict):
    """The goal queues' service-level curves; ``tighten`` raises the goal of single periods."""
    from wfm.service_goal import GoalCurves, service_curves

    tables = []
    for q in scenario.queues:
        if q.name not in goals:
            continue
        b = behaviours[q.name]
        tables.append(service_curves(
            sized[sized["queue"] == q.name], goals[q.name], interval_minutes=scenario.horizon.interval_minutes,
            max_occupancy=q.max_occupancy, shrinkage=q.shrinkage,
            model="erlang-a" if b["sizing_patience"] else "erlang-c", patience=b["sizing_patience"]))
    adjusted = {}
    for name, goal in goals.items():
        extra = {i: v for (q, i), v in tighten.items() if q == name}
        adjusted[name] = goal if not extra else dataclasses.replace(goal, tighten=extra)
    return GoalCurves(pd.concat(tables, ignore_index=True), adjusted)


def scheduled_requirement(sized: pd.DataFrame) -> pd.DataFrame:
    """What the schedule and the roster cover per interval: the heads after shrinkage.

    Parameters
    ----------
    sized : pandas.DataFrame
        ``requirements.csv`` rows (:func:`size_queue`): ``queue, ds, scheduled``.

    Returns
    -------
    pandas.DataFrame
        ``queue, ds, agents`` (``agents`` the scheduled heads), as
        :func:`wfm.roster.run.make_roster` takes it.
    """
    return sized[["queue", "ds", "scheduled"]].rename(columns={"scheduled": "agents"})


def _requirement(sized: pd.DataFrame, curves) -> pd.DataFrame:
    """What the scheduler must cover per interval: the heads, or a goal queue's floor."""
    requirement = scheduled_requirement(sized)
    if curves is None:
        return requirement
    floors = curves.table.groupby(["queue", "ds"], sort=False)["heads"].min()
    goal = requirement["queue"].isin(list(curves.goals))
    keyed = pd.MultiIndex.from_arrays([requirement["queue"], requirement["ds"]])
    floor = floors.reindex(keyed).fillna(0).to_numpy(dtype=np.int64)
    requirement.loc[goal.to_numpy(), "agents"] = floor[goal.to_numpy()]
    return requirement


def _goal_reports(scenario: Scenario, goals: dict, sized: pd.DataFrame, verification: pd.DataFrame,
                  replications: dict) -> dict:
    from wfm.service_goal import goal_report

    reports = {}
    for name, goal in goals.items():
        rows = verification[verification["queue"] == name]
        forecast_calls = sized.loc[sized["queue"] == name, "y"].to_numpy(dtype=float)
        planned, simulated = ("erlang_asa", "asa") if goal.asa is not None else ("erlang_service_level", "service_level")
        frame = pd.DataFrame({"ds": wall_clock(rows["ds"]).to_numpy(), "offered": forecast_calls,
                              "planned": rows[planned].to_numpy(dtype=float),
                              "simulated": rows[simulated].to_numpy(dtype=float)})
        totals = replications[name].assign(ds=lambda f: wall_clock(f["ds"]))
        reports[name] = goal_report(frame, goal, scenario.horizon.start, totals)
    return reports


def where_hours_go(scenario: Scenario, sized: pd.DataFrame, coverage: pd.DataFrame, paid_hours: float,
                   behaviours: dict | None = None) -> dict:
    """Why the plan pays the hours it pays, in hours that add up to ``paid_hours``.

    Measured against holding every interval to the queue's target on its own:
    ``workload`` (talk time: the offered load), ``queueing_at_target`` (the fractional
    agents above the load that the target needs), ``integer_rounding`` (whole agents),
    ``occupancy_cap``, ``sizing_model`` (calibrated or ASA sizing against Erlang),
    ``shrinkage``, ``shift_shape`` (inbound coverage above the interval requirement;
    negative where a day or week goal staffs below it), ``outbound`` and
    ``breaks_and_idle`` (paid breaks and time on shift with nothing assigned).

    Parameters
    ----------
    scenario : Scenario
        The scenario (queues' targets and shrinkage).
    sized : DataFrame
        ``requirements.csv`` rows.
    coverage : DataFrame
        ``coverage.csv`` rows.
    paid_hours : float
        The schedule's paid hours.
    behaviours : dict, optional
        Queue name to its learned behaviour (calibrated sizing).

    Returns
    -------
    dict
        Hours per cause, adding up to ``paid_hours``.
    """
    from wfm.service_goal import fractional_agents

    h = scenario.horizon.interval_minutes / 60
    behaviours = behaviours or {}
    parts = dict.fromkeys(("workload", "queueing_at_target", "integer_rounding", "occupancy_cap", "sizing_model",
                           "shrinkage", "shift_shape"), 0.0)
    inbound_hours = 0.0
    for q in scenario.queues:
        rows = sized[sized["queue"] == q.name]
        if rows.empty:
            continue
        calls, aht = rows["y"].to_numpy(dtype=float), rows["aht"].to_numpy(dtype=float)
        # Intervals without calls may carry no AHT (nothing was answered): they need nobody.
        aht = np.where((calls > 0) & np.isfinite(aht), aht, 1.0)
        load = erlang.offered_load(calls, aht, scenario.horizon.interval_minutes)
        patience = q.patience or behaviours.get(q.name, {}).get("sizing_patience")
        frac, whole, capped = fractional_agents(
            load, aht, service_level=q.service_level if q.asa is None else None, answer_within=q.answer_within,
            asa=q.asa, max_occupancy=q.max_occupancy, patience=patience)
        agents = rows["agents"].to_numpy(dtype=float)
        heads = rows["scheduled"].to_numpy(dtype=float)
        covered = _inbound_heads(coverage, sized, q.name)
        parts["workload"] += float(load.sum()) * h
        parts["queueing_at_target"] += float((frac - load).sum()) * h
        parts["integer_rounding"] += float((whole - frac).sum()) * h
        parts["occupancy_cap"] += float((capped - whole).sum()) * h
        parts["sizing_model"] += float((agents - capped).sum()) * h
        parts["shrinkage"] += float((heads - agents).sum()) * h
        parts["shift_shape"] += float((covered - heads).sum()) * h
        inbound_hours += float(covered.sum()) * h
    outbound = float(coverage["outbound"].sum()) * h if "outbound" in coverage else 0.0
    parts["outbound"] = outbound
    parts["breaks_and_idle"] = float(paid_hours) - inbound_hours - outbound
    return {"paid_hours": round(float(paid_hours), 2), **{k: round(v, 2) for k, v in parts.items()}}


# --- verification ------------------------------------------------------------------


def _slot_keys(ds: pd.Series, timezone: str, by: pd.Series | None = None) -> pd.MultiIndex:
    """(wall-clock time, fold) of each row: the two passes of a repeated hour stay apart."""
    from wfm.localtime import fold_of

    return pd.MultiIndex.from_arrays([wall_clock(ds).to_numpy(), fold_of(ds, timezone, by)], names=["ds", "fold"])


def _inbound_heads(coverage: pd.DataFrame, sized: pd.DataFrame, queue: str, timezone: str = "UTC") -> np.ndarray:
    """Heads on inbound for ``queue`` in each of its rows of ``sized``.

    The scheduler covers pools of queues served by the same groups. A queue alone in its
    pool gets the pool's heads; queues sharing a pool share its heads in proportion to
    their requirement (the simulation treats each queue as its own line). Rows meet the
    coverage on (wall-clock time, fold), one coverage row per real interval."""
    cov = coverage.assign(ds=wall_clock(pd.to_datetime(coverage["ds"])))
    cov = cov.assign(fold=cov["fold"] if "fold" in cov.columns else 0)
    pools = [c[len("scheduled_inbound["):-1] for c in cov.columns if c.startswith("scheduled_inbound[")]
    pool = next((p for p in pools if queue in p.split("+")), None)
    column = f"scheduled_inbound[{pool}]" if pool else "scheduled_inbound"
    members = pool.split("+") if pool else list(dict.fromkeys(sized["queue"]))
    heads_by_slot = cov.groupby(["ds", "fold"])[column].max()  # one row per real interval
    rows = sized[sized["queue"] == queue]
    slots = _slot_keys(rows["ds"], timezone)
    heads = heads_by_slot.reindex(slots).fillna(0).to_numpy(dtype=float)
    if len(members) > 1:
        shared = sized[sized["queue"].isin(members)]
        keys = _slot_keys(shared["ds"], timezone, by=shared["queue"])
        total = shared["scheduled"].groupby([keys.get_level_values(0), keys.get_level_values(1)]).sum()
        total = total.reindex(slots).to_numpy(dtype=float)
        with np.errstate(invalid="ignore", divide="ignore"):
            heads = heads * np.where(total > 0, rows["scheduled"].to_numpy(dtype=float) / total, 0.0)
    return heads


def _verify(scenario: Scenario, sized: pd.DataFrame, coverage: pd.DataFrame,
            behaviours: dict[str, dict], goals: dict | None = None) -> tuple[pd.DataFrame, dict, dict]:
    """Simulate the scheduled inbound staffing against the forecast, queue by queue.

    Returns the per-interval verification, the KPIs per queue, and per queue the
    simulation's totals per replication and interval (a goal period is judged on them).
    A goal queue gets the replications its periods need to be judged (at least the
    scenario's).
    """
    from wfm.service_goal import replications_needed
    from wfm.simulate import Behaviour, simulate

    minutes = scenario.horizon.interval_minutes
    queues = list(dict.fromkeys(sized["queue"]))
    rows = []
    per_queue = {}
    replications = {}
    for queue in queues:
        q_sized = sized[sized["queue"] == queue].reset_index(drop=True)
        q = next(x for x in scenario.queues if x.name == queue)
        heads = _inbound_heads(coverage, sized, queue, scenario.horizon.timezone)
        # Scheduled heads lose the queue's shrinkage (absence, training...) on the day.
        effective = np.floor(heads * (1 - q.shrinkage) + 1e-9).astype(np.int64)
        b = behaviours[queue]
        volumes = q_sized[["queue", "ds", "y", "aht"]]
        behaviour = Behaviour.from_options(
            handle_sample=b["handle_sample"], patience=b["patience"], patience_sample=b["patience_sample"],
            scale_handle_sample=b["handle_sample"] is not None,
        )
        def run(count: int):
            return simulate(volumes, effective, interval_minutes=minutes, answer_within=q.answer_within,  # noqa: B023
                            behaviour=behaviour, replications=count, seed=scenario.verify.seed)  # noqa: B023

        result = run(scenario.verify.replications)
        if goals and queue in goals:
            # Replication r is the same however many run: more only add to the first ones.
            need = replications_needed(result.per_replication.assign(ds=lambda f: wall_clock(f["ds"])), goals[queue],
                                       scenario.horizon.start, float(q_sized["y"].sum()))
            if need > scenario.verify.replications:
                result = run(need)
        intervals = result.intervals.reset_index(drop=True)
        replications[queue] = result.per_replication
        load = erlang.offered_load(q_sized["y"], q_sized["aht"], minutes)
        # The closed form the plan sized with: Erlang A with the sizing patience (the
        # simulation may draw patience from the learned survival curve instead).
        if b["model"] == "erlang-a" and b["sizing_patience"]:
            predicted = erlang.erlang_a(effective, load, q_sized["aht"], b["sizing_patience"], q.answer_within)
            erlang_sl, erlang_asa, erlang_occ, erlang_ab = predicted.service_level, predicted.asa, predicted.occupancy, predicted.p_abandon
        else:
            erlang_sl = erlang.service_level(effective, load, q_sized["aht"], q.answer_within)
            erlang_asa = erlang.asa(effective, load, q_sized["aht"])
            erlang_occ = erlang.occupancy(effective, load)
            erlang_ab = np.zeros(len(q_sized))
        intervals["erlang_service_level"] = erlang_sl
        intervals["erlang_asa"] = np.where(np.isfinite(erlang_asa), erlang_asa, np.nan)
        target_sl = q.service_level if q.asa is None else None
        if q.service_goal != "interval":
            # Under a day or week goal single intervals may sit below the target by design;
            # only the interval floor, if any, is a promise per interval.
            target_sl = q.interval_floor
        flagged = np.zeros(len(intervals), dtype=bool)
        if target_sl is not None:
            flagged = (intervals["offered"] > 0) & (intervals["service_level"] < target_sl - scenario.verify.flag_points)
        intervals["flagged"] = flagged
        rows.append(intervals)
        calls = float(q_sized["y"].sum())
        weights = q_sized["y"].to_numpy()

        def weighted(values):
            values = np.asarray(values, dtype=float)
            ok = np.isfinite(values) & (weights > 0)  # noqa: B023
            return float(np.average(values[ok], weights=weights[ok])) if ok.any() else None  # noqa: B023

        s = result.summary
        per_queue[queue] = {
            "calls_forecast": round(calls, 3),
            "target": {"service_level": q.service_level if q.asa is None else None, "answer_within": q.answer_within,
                       "asa": q.asa, "max_occupancy": q.max_occupancy, "shrinkage": q.shrinkage},
            "sizing": b["model"],
            "erlang": {
                "service_level": weighted(erlang_sl), "asa": weighted(np.where(np.isfinite(erlang_asa), erlang_asa, np.nan)),
                "abandon_rate": weighted(erlang_ab), "occupancy": weighted(erlang_occ),
            },
            "simulated": {k: s.get(k) for k in (
                "service_level", "service_level_lo", "service_level_hi", "asa", "asa_lo", "asa_hi",
                "abandon_rate", "abandon_rate_lo", "abandon_rate_hi", "occupancy", "occupancy_lo", "occupancy_hi",
                "offered", "replications", "seed")},
            "flagged_intervals": [str(x) for x in intervals.loc[flagged, "ds"]],
        }
    return pd.concat(rows, ignore_index=True), per_queue, replications


# --- the pipeline --------------------------------------------------------------------


def run_plan(scenario: Scenario, *, base_dir: str | Path = ".", progress: Observer | None = None,
             time_limit: float | None = None, work_limit: float | None = None,
             on_solution: Observer | None = None) -> PlanResult:
    """Run forecast, sizing, schedule and verification for a scenario with ``[[queue]]`` entries.

    Parameters
    ----------
    scenario : the validated scenario.
    base_dir : folder the scenario's relative paths are relative to.
    progress : told a :class:`wfm.progress.ProgressEvent` when each step starts (``stage`` is
        the step, ``done`` of ``total`` the steps finished).
    time_limit : wall-clock safety cap in seconds (default: the scenario's solver.time_limit_seconds).
    work_limit : CP-SAT work in deterministic seconds (default: the scenario's solver.work_limit).
    on_solution : told each improving CP-SAT plan (:class:`wfm.progress.ProgressEvent` with
        cost, bound, gap and deterministic time); watching does not change the plan.


    Returns
    -------
    PlanResult
        Forecast, requirements, schedule, verification and ``kpis`` (what ``kpis.json`` holds).

    Raises
    ------
    InputError
        When a queue's files or settings are unusable.
    """
    from wfm.schedule import make_schedule

    base_dir = Path(base_dir)
    if not scenario.queues:
        raise InputError("queue: the scenario has no [[queue]] entries, expected at least one inbound queue to plan.")
    notes: list[str] = []
    # A bad roster file or published roster stops the run before the work.
    agents, published = _roster_inputs(scenario, base_dir)

    def step(name: str) -> None:
        tell(progress, step_event(name))

    step("forecast")
    closures: dict = {}
    demands = [_queue_demand(q, i, scenario, base_dir, notes, closures) for i, q in enumerate(scenario.queues)]
    scenario = close_forecast_holidays(scenario, closures, demands, notes)
    forecast_table = pd.concat(demands, ignore_index=True)
    step("sizing")
    sized_parts, behaviours = [], {}
    for i, (q, demand) in enumerate(zip(scenario.queues, demands, strict=False)):
        sizing = size_queue(scenario, i, demand, base_dir=base_dir)
        notes.extend(sizing.notes)
        sized_parts.append(sizing.requirements)
        behaviours[q.name] = sizing.behaviour
    sized = pd.concat(sized_parts, ignore_index=True)
    step("schedule")
    goals = _service_goals(scenario)
    tighten: dict = {}
    rounds: list[dict] = []
    tried: list[tuple] = []
    max_rounds = max([q.goal_rounds for q in scenario.queues if q.name in goals], default=0)
    while True:
        curves = _goal_curves(scenario, sized, behaviours, goals, tighten) if goals else None
        requirement = _requirement(sized, curves)
        schedule = make_schedule(requirement, scenario, time_limit=time_limit, work_limit=work_limit,
                                 source="requirements", service_curves=curves,
                                 on_solution=about(on_solution, f"round {len(rounds) + 1}") if goals else on_solution)
        if not rounds:
            step("verification")
        verification, per_queue, replications = _verify(scenario, sized, schedule.coverage, behaviours, goals)
        if not goals:
            break
        reports = _goal_reports(scenario, goals, sized, verification, replications)
        misses = _goal_misses(goals, reports)
        short = sum(1 for (q, _), v in misses.items() if v > goals[q].tolerance)
        rounds.append({"round": len(rounds) + 1, "cost": schedule.summary.cost,
                       "paid_hours": schedule.summary.paid_hours, "periods_short": short,
                       "asked": {f"{q} {r['period']}": round(curves.goals[q].target(r["period"]), 4)
                                 for q, periods in reports.items() for r in periods},
                       "simulated": {f"{q} {r['period']}": r[f"simulated_{goals[q].measure}"]
                                     for q, periods in reports.items() for r in periods}})
        # How far the periods sit from their goals, in tolerances (a week of days: the RMS).
        off = np.array([v / goals[q].tolerance for (q, _), v in misses.items()]) if misses else np.zeros(1)
        candidate = (bool(np.all(np.abs(off) <= 1.0)), schedule.summary.cost or 0.0, len(tried), requirement,
                     schedule, verification, per_queue, reports, float(np.sqrt(np.mean(off**2))))
        if str(schedule.summary.status).startswith("NO_PLAN_FOUND"):
            # The solver found no plan within its work limit: the empty plan it shows says
            # nothing about what the goal asks, and asking more or less after it would
            # chase the solver (a 300-agent day plan once went on to ask 99.9%).
            tried = tried or [candidate]
            notes.append(f"service goal: round {len(rounds)}'s solve found no plan within the solver's work "
                         f"limit; the rounds stopped there and kept the best plan before it (a larger "
                         f"[solver] work_limit lets them go on).")
            break
        tried.append(candidate)
        # Simulation, not the stationary curve, is the judge: it sees the queue carried from
        # one interval to the next. Each period off its goal by more than the simulation's
        # precision is asked for the difference, more or less, so that the plan delivers
        # the goal on average rather than always a little above it; a few bounded rounds.
        moves = {k: v for k, v in misses.items() if abs(v) > goals[k[0]].tolerance}
        # Stop when nothing is asked anew, or when asking changed nothing (the floors bind).
        same = len(tried) > 1 and tried[-1][1] == tried[-2][1] and short >= rounds[-2]["periods_short"]
        if not moves or same or len(rounds) > max_rounds:
            break
        for key, miss in moves.items():
            reach = goals[key[0]].reach
            tighten[key] = float(np.clip(tighten.get(key, 0.0) + miss, -reach, 2 * reach))
    if goals:
        # The cheapest plan with every period on its goal; else the one nearest the goals.
        on_goal = [t for t in tried if t[0]]
        chosen = min(on_goal, key=lambda t: (t[1], t[2])) if on_goal else min(tried, key=lambda t: (t[8], t[2]))
        _, _, index, requirement, schedule, verification, per_queue, reports, _ = chosen
        requirement_floor = requirement.set_index(["queue", "ds"])["agents"]
        sized = sized.assign(floor=[int(requirement_floor.get((q, d), 0)) if q in goals else None
                                    for q, d in zip(sized["queue"], sized["ds"], strict=False)])
        for q, periods in reports.items():
            goal = goals[q]
            seen = {r["period"] for r in periods}
            for day in scenario.horizon.dates():
                label = str(day) if goal.scope == "day" else None
                if goal.scope == "week" and (day - scenario.horizon.start).days % 7 == 0:
                    label = str(day)
                if label and label not in seen:
                    notes.append(f"queue '{q}': {label} has no calls in opening hours; its {goal.scope} goal is met trivially.")
            per_queue[q]["service_goal"] = {
                "scope": goal.scope, "service_level": goal.service_level, "asa": goal.asa,
                "answer_within": goal.answer_within,
                "interval_floor": goal.interval_floor, "periods": periods,
                "met_periods": sum(1 for r in periods if r["met"]), "rounds": rounds, "chosen_round": index + 1,
            }
    # The schedule's own notes too: required agent-intervals it drops, that the solver's
    # objective is not the written plan's cost, ...
    notes.extend(schedule.notes)
    roster = None
    if agents is not None:
        from wfm.roster.run import make_roster

        step("roster")
        # The named agents against the requirement the schedule covered (heads, or a goal's floors).
        roster = make_roster(scenario, agents, requirements=requirement, published=published,
                             source=f"scenario '{scenario.name}'")
        notes.extend(f"roster: {sentence}" for sentence in roster.summary["diagnosis"] + roster.summary["notes"])
        if published is not None:
            notes.append(f"roster: {changes_sentence(roster.summary, published.attrs['source'])}")
    summary = schedule.summary
    calls = float(forecast_table["y_hat"].sum())
    # Overall simulated KPIs, weighted by each queue's forecast calls.
    simulated = {}
    for key in ("service_level", "asa", "abandon_rate", "occupancy"):
        values = [(v["simulated"].get(key), v["calls_forecast"]) for v in per_queue.values()]
        values = [(x, w) for x, w in values if x is not None and np.isfinite(x)]
        simulated[key] = round(float(np.average([x for x, _ in values], weights=[w for _, w in values])), 6) if values else None
    kpis = PlanKpis(
        scenario=scenario.name,
        currency=scenario.currency,
        horizon={"start": str(scenario.horizon.start), "days": scenario.horizon.days,
                 "interval_minutes": scenario.horizon.interval_minutes, "timezone": scenario.horizon.timezone},
        status=summary.status,
        cost=summary.cost,
        lower_bound=summary.lower_bound,
        gap=summary.gap,
        paid_hours=summary.paid_hours,
        agents=summary.agents,
        fte=summary.fte,
        calls_forecast=round(calls, 3),
        cost_per_call=round(float(summary.cost) / calls, 4) if summary.cost is not None and calls > 0 else None,
        under_intervals=summary.under_intervals,
        binding_rules=summary.binding_rules,
        outbound_done_share=summary.outbound_done_share,
        queues=per_queue,
        where_hours_go=where_hours_go(scenario, sized, schedule.coverage, summary.paid_hours or 0.0, behaviours),
        notes=notes,
        roster=None if roster is None else roster_kpis(roster.summary),
        **simulated,
    )
    return PlanResult(scenario, forecast_table, sized, schedule, verification, kpis, roster)


def _roster_inputs(scenario: Scenario, base_dir: Path) -> tuple[list | None, pd.DataFrame | None]:
    """The named agents of the roster the scenario names and the published roster to re-roster
    against (``[roster] published``), read and checked; None for what it names not."""
    from wfm.roster.centre import published_roster, shift_codes
    from wfm.roster.run import names_roster, published_file, read_agents, read_published, roster_file

    path = published_file(scenario, base_dir)
    if not names_roster(scenario):
        if path is not None:
            raise InputError(f"roster.published: '{path}' is a published roster, but the scenario names no agents "
                             f"to re-roster, expected [roster] agents = \"team.csv\" or [[agent]] entries.")
        return None, None
    agents = read_agents(scenario, roster_file(scenario, base_dir), source=f"scenario '{scenario.name}'")
    if path is None:
        return agents, None
    published = read_published(path)
    # Checked now (against the team, horizon and codes), so a bad row costs no forecast or schedule.
    published_roster(published, agents, shift_codes(scenario), scenario.horizon.dates())
    return agents, published


def changes_sentence(summary: dict, source: str, most: int = 10) -> str:
    """What re-rostering changed, in one sentence: how many shifts and which agents and days.

    Parameters
    ----------
    summary : dict
        The roster's ``summary.json`` (``changed_shifts`` and ``changes``).
    source : str
        The published roster's file, named in the sentence.
    most : int
        The changes listed by name; the rest are counted (``summary.json`` lists them all).

    Returns
    -------
    str
        E.g. ``re-rostered against out/roster/assignment.csv: 1 shift(s) changed (F3 2024-03-26 D -> off).``

    Examples
    --------
    >>> changes_sentence({"changed_shifts": 1, "changes": [
    ...     {"agent": "F3", "date": "2024-03-26", "published": "D", "rostered": None}]}, "a.csv")
    're-rostered against a.csv: 1 shift(s) changed (F3 2024-03-26 D -> off).'
    """
    listed = [f"{c['agent']} {c['date']} {c['published'] or 'off'} -> {c['rostered'] or 'off'}"
              for c in summary["changes"][:most]]
    more = len(summary["changes"]) - len(listed)
    detail = f" ({'; '.join(listed)}{f'; and {more} more in roster/summary.json' if more > 0 else ''})" if listed else ""
    return f"re-rostered against {source}: {summary['changed_shifts']} shift(s) changed{detail}."


ROSTER_KPIS = ("status", "objective", "lower_bound", "gap", "agents", "shifts", "paid_hours", "labour_cost",
               "wishes", "unmet_wishes", "unmet_wish_weight", "fairness_spread", "short_intervals",
               "short_agent_intervals", "fixed_broken")


def roster_kpis(summary: dict) -> dict:
    """The roster's figures in ``kpis.json`` (``roster``): a part of its ``summary.json``.

    Wall-clock seconds stay out (``kpis.json`` is the same on every run), and
    ``fairness_spread_max`` is the largest spread among the comparable sets.

    Parameters
    ----------
    summary : dict
        The roster's ``summary.json`` (:func:`wfm.roster.tables.summary`).

    Returns
    -------
    dict
        Status, objective, bound, gap, agents, shifts, paid hours, labour cost, wishes and
        unmet wishes, fairness spreads, short intervals, and ``folder`` (``roster``); when
        re-rostering, ``changed_shifts`` and ``changes`` (agent, date, published, rostered).
    """
    figures = {key: summary[key] for key in ROSTER_KPIS}
    figures["fairness_spread_max"] = max(summary["fairness_spread"].values(), default=0)
    if summary["changed_shifts"] is not None:  # re-rostered against a published roster
        figures["changed_shifts"] = summary["changed_shifts"]
        figures["changes"] = summary["changes"]
    figures["folder"] = "roster"
    return figures


def resolved_scenario(scenario: Scenario, base_dir: Path) -> Scenario:
    """The scenario with every queue path made absolute, so it runs from anywhere.

    Parameters
    ----------
    scenario : Scenario
        The scenario.
    base_dir : Path
        The folder its relative paths are relative to.

    Returns
    -------
    Scenario
        A copy with absolute paths.
    """
    queues = []
    for q in scenario.queues:
        updates = {k: str(_resolve(base_dir, getattr(q, k)).resolve()) for k in ("history", "forecast", "volumes", "profile")
                   if getattr(q, k)}
        forecasting = q.forecasting
        if forecasting.special_days:
            forecasting = forecasting.model_copy(update={"special_days": str(_resolve(base_dir, forecasting.special_days).resolve())})
        queues.append(q.model_copy(update={**updates, "forecasting": forecasting}))
    update = {"queues": queues}
    if scenario.roster is not None:
        files = {k: str(_resolve(base_dir, getattr(scenario.roster, k)).resolve()) for k in ("agents", "published")
                 if getattr(scenario.roster, k) is not None}
        update["roster"] = scenario.roster.model_copy(update=files)
    return scenario.model_copy(update=update)


def write_plan(result: PlanResult, out_dir: str | Path, *, base_dir: str | Path = ".",
               extra_files: dict[str, str] | None = None) -> None:
    """Write every plan file into ``out_dir``, which appears whole or not at all.

    The files are built in a hidden temporary folder beside ``out_dir`` and renamed into
    place; an older ``out_dir`` is replaced only once the new one is complete
    (:func:`wfm.export.atomic_dir`).

    Parameters
    ----------
    result : PlanResult
        From :func:`run_plan`.
    out_dir : str or Path
        The output folder.
    base_dir : str or Path
        Folder the scenario's relative paths are relative to (for ``scenario.toml``).
    extra_files : dict of str to str, optional
        More text files to write into the folder, name to content.
    """
    from wfm import report
    from wfm.schedule import schedule_table

    with atomic_dir(out_dir) as tmp:
        sched = result.schedule
        write_table(_wall_clock(result.forecast, result.scenario.horizon.timezone), tmp / "forecast.csv")
        write_table(_wall_clock(result.requirements, result.scenario.horizon.timezone), tmp / "requirements.csv")
        write_table(schedule_table(sched), tmp / "schedule.csv")
        write_table(_wall_clock(sched.coverage, result.scenario.horizon.timezone), tmp / "coverage.csv")
        write_table(_wall_clock(result.verification, result.scenario.horizon.timezone), tmp / "verification.csv")
        write_json(result.kpis.to_json(), tmp / "kpis.json")
        run = sched.run if result.roster is None else {**sched.run, "roster_seconds": result.roster.summary["seconds"]}
        write_json(run, tmp / "run.json")  # timings: kept out of the byte-identical files
        report.write_schedule_workbook(tmp / "schedule.xlsx", sched.schedule, sched.coverage, result.kpis.to_json(),
                                       result.scenario.horizon.interval_minutes)
        report.write_coverage_chart(tmp / "coverage.png", sched.coverage, title=f"{result.scenario.name}: coverage")
        write_text(scenario_to_toml(resolved_scenario(result.scenario, Path(base_dir))), tmp / "scenario.toml")
        if result.roster is not None:
            from wfm.roster.run import write_roster

            (tmp / "roster").mkdir()
            write_roster(result.roster, tmp / "roster", title=result.scenario.name)
        for name, text in (extra_files or {}).items():
            write_text(text, tmp / name)


def plan_to_directory(path: str | Path, out_dir: str | Path, *, progress: Observer | None = None,
                      time_limit: float | None = None, extra_files: dict[str, str] | None = None,
                      work_limit: float | None = None, on_solution: Observer | None = None,
                      lock: str | Path | None = None) -> PlanKpis:
    """Load a scenario file, run its plan and write it into ``out_dir``; returns the KPIs.

    ``progress`` and ``on_solution`` are told :class:`wfm.progress.ProgressEvent` s as in
    :func:`run_plan` (and the ``exports`` step).

    Parameters
    ----------
    path : str or Path
        Scenario TOML.
    out_dir : str or Path
        Output folder.
    progress : callable, optional
        Told a :class:`wfm.progress.ProgressEvent` when each step starts.
    time_limit : float, optional
        Wall-clock safety cap in seconds.
    extra_files : dict of str to str, optional
        More text files for the folder.
    work_limit : float, optional
        CP-SAT deterministic seconds.
    on_solution : callable, optional
        Told each improving CP-SAT plan.
    lock : str or Path, optional
        A published ``assignment.csv`` to re-roster against (``--lock``): replaces the
        scenario's ``[roster] published``; ``scenario.toml`` records it.

    Returns
    -------
    PlanKpis
        The plan's KPIs (what ``kpis.json`` holds).
    """
    path = Path(path)
    check_out_dir(out_dir)  # before minutes of work, not after
    scenario = load_scenario(path)
    if lock is not None:
        scenario = with_published(scenario, lock)
    result = run_plan(scenario, base_dir=path.parent, progress=progress, time_limit=time_limit, work_limit=work_limit,
                      on_solution=on_solution)
    tell(progress, step_event("exports"))
    write_plan(result, out_dir, base_dir=path.parent, extra_files=extra_files)
    return result.kpis


def with_published(scenario: Scenario, lock: str | Path) -> Scenario:
    """The scenario re-rostering against the published roster ``lock`` (``wfm plan --lock``).

    Parameters
    ----------
    scenario : Scenario
        A scenario that names its agents (``[roster] agents`` or ``[[agent]]`` entries).
    lock : str or Path
        The published ``assignment.csv``, relative to the current folder; kept as an absolute path.

    Returns
    -------
    Scenario
        A copy whose ``roster.published`` is ``lock``.

    Raises
    ------
    InputError
        When the scenario names no agents, so there is nothing to re-roster.
    """
    from wfm.roster.run import names_roster
    from wfm.scenario import RosterSettings

    if not names_roster(scenario):
        raise InputError(f"--lock {lock}: the scenario names no agents to re-roster, expected [roster] agents = "
                         f"\"team.csv\" or [[agent]] entries.")
    if not Path(lock).is_file():
        raise InputError(f"--lock {lock}: file not found, expected the assignment.csv an earlier `wfm plan` "
                         f"(OUT/roster/) or `wfm roster` wrote.")
    settings = scenario.roster or RosterSettings()
    return scenario.model_copy(update={"roster": settings.model_copy(update={"published": str(Path(lock).resolve())})})


def describe(kpis: PlanKpis) -> str:
    """One line a planner reads first.

    Parameters
    ----------
    kpis : PlanKpis
        What :func:`plan_to_directory` returns; a gap or simulated KPI the plan
        could not measure is printed as ``n/a``.

    Returns
    -------
    str
        One line without a newline: agents, FTE, cost in the scenario's currency and
        the gap to the bound, then the simulated service level, abandons and occupancy;
        the roster's figures when it rostered named agents, with the shifts changed from
        the published roster when it re-rostered.
    """
    def pct(x):
        return "n/a" if x is None else f"{x:.1%}"

    gap_text = "n/a" if kpis.gap is None else f"{kpis.gap:.2%}"
    line = (
        f"{kpis.scenario}: {kpis.agents} agents, {kpis.fte} FTE, cost {kpis.cost:,.0f} "
        f"{kpis.currency} (gap {gap_text} to the bound); simulated service level {pct(kpis.service_level)}, "
        f"abandoned {pct(kpis.abandon_rate)}, occupancy {pct(kpis.occupancy)}"
    )
    r = kpis.roster
    if r:
        line += (f"; roster of {r['agents']} named agents: {r['shifts']} shifts, unmet wishes {r['unmet_wishes']} "
                 f"of {r['wishes']}, fairness spread {r['fairness_spread_max']}, {r['short_intervals']} short "
                 f"interval(s)")
        if "changed_shifts" in r:
            line += f", {r['changed_shifts']} shift(s) changed from the published roster"
    return line


# --- helpers for batch runs ---------------------------------------------------------


def peek_name(path: str | Path) -> str | None:
    """The scenario's ``name`` without validating the rest (None when unreadable).

    Parameters
    ----------
    path : str or Path
        Scenario TOML, possibly invalid or unreadable (then the answer is None).

    Returns
    -------
    str or None
        The top-level ``name`` as text, or None when it is missing or empty.
    """
    try:
        with open(path, "rb") as fh:
            name = tomllib.load(fh).get("name")
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError, RecursionError):
        return None
    return str(name) if name else None


def scenario_inputs(path: str | Path) -> list[Path]:
    """Files a scenario reads (histories, forecasts, profiles, special days), for hashing.

    Parameters
    ----------
    path : str or Path
        Scenario TOML that must parse as TOML (its settings are not validated).

    Returns
    -------
    list of Path
        ``history``, ``forecast``, ``volumes``, ``profile`` and ``special_days`` of
        every queue, in queue order, then ``[roster]``'s ``agents`` and ``published``, resolved
        against the scenario's folder.
    """
    path = Path(path)
    with open(path, "rb") as fh:
        raw = tomllib.load(fh)
    found = []
    for q in raw.get("queue", []) or []:
        for key in ("history", "forecast", "volumes", "profile"):
            if q.get(key):
                found.append(_resolve(path.parent, str(q[key])))
        special = (q.get("forecasting") or {}).get("special_days")
        if special:
            found.append(_resolve(path.parent, str(special)))
    roster = raw.get("roster")
    for key in ("agents", "published"):
        if isinstance(roster, dict) and roster.get(key):
            found.append(_resolve(path.parent, str(roster[key])))
    return found


INDEX_COLUMNS = ("cost", "lower_bound", "gap", "fte", "paid_hours", "service_level", "asa", "abandon_rate",
                 "occupancy", "cost_per_call")


def index_row(kpis: PlanKpis) -> dict:
    """The columns of a batch index row, from a plan's KPIs.

    Parameters
    ----------
    kpis : PlanKpis
        One scenario's plan KPIs.

    Returns
    -------
    dict
        :data:`INDEX_COLUMNS` to values (None where the plan has none), in that order.
    """
    return {name: getattr(kpis, name) for name in INDEX_COLUMNS}
