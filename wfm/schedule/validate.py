"""Independent checks of a schedule table against the scenario's hard rules.

These work from ``schedule.csv`` alone (not from the model), so they catch mistakes
in the model and in the expansion alike: opening hours, start windows and lengths,
breaks inside their windows, rest between shifts, days per week, consecutive days
off, same start all week, outbound only inside calling windows before the deadline,
and skills. :func:`coverage_from_schedule` recounts coverage from the segments.

Times are local wall-clock time; lengths, break offsets and rest are measured in real
time in the scenario's zone (``start_fold`` / ``end_fold`` tell the two passes of a
repeated hour apart, see :mod:`wfm.localtime`).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from wfm.localtime import fold_of, real_time, wall_clock
from wfm.scenario import WEEKDAYS, Scenario, clock_minutes


def _minutes(ts: pd.Timestamp) -> int:
    return ts.hour * 60 + ts.minute


def _read(schedule: pd.DataFrame, timezone: str = "UTC") -> pd.DataFrame:
    """The table with parsed times; ``real_start`` / ``real_end`` are the real instants."""
    frame = schedule.copy()
    frame["start"] = pd.to_datetime(frame["start"])
    frame["end"] = pd.to_datetime(frame["end"])
    frame["date"] = pd.to_datetime(frame["date"]).dt.date
    frame["detail"] = frame["detail"].fillna("").astype(str)
    for column in ("start", "end"):
        fold = frame[f"{column}_fold"] if f"{column}_fold" in frame.columns else None
        frame[f"real_{column}"] = real_time(frame[column], fold, timezone).to_numpy()
    return frame


def _real_minutes(later, earlier) -> float:
    return (later - earlier).total_seconds() / 60


def check_schedule(schedule: pd.DataFrame, scenario: Scenario,
                   planned_coverage: pd.DataFrame | None = None) -> list[str]:
    """Every hard-rule violation found in ``schedule`` (empty when the schedule is valid).

    With ``planned_coverage`` (``ds, scheduled_inbound, outbound`` as the model planned
    them, :attr:`wfm.schedule.ScheduleResult.planned_coverage`), an interval whose
    recounted coverage differs from the model's is a violation too: the figures of
    the solve (its status and gap) then do not describe this schedule.

    Parameters
    ----------
    schedule : DataFrame
        ``schedule.csv`` rows.
    scenario : Scenario
        The scenario it was made for.
    planned_coverage : DataFrame, optional
        The model's coverage.

    Returns
    -------
    list of str
        One sentence per violation.
    """
    problems = check_rules(schedule, scenario)
    if planned_coverage is not None:
        written = coverage_from_schedule(schedule, scenario.horizon.interval_minutes, scenario.horizon.timezone)
        problems.extend(coverage_mismatches(written, planned_coverage))
    return problems


def coverage_mismatches(written: pd.DataFrame, planned: pd.DataFrame) -> list[str]:
    """One sentence per interval where the written and the planned coverage differ.

    Both tables have ``ds, scheduled_inbound, outbound``; an interval missing from one
    counts as nobody there.

    Parameters
    ----------
    written : DataFrame
        Coverage recounted from the schedule.
    planned : DataFrame
        Coverage as the model planned it.

    Returns
    -------
    list of str
        One sentence per differing interval.
    """
    columns = ["scheduled_inbound", "outbound"]

    def counts(table: pd.DataFrame) -> pd.DataFrame:
        table = table.assign(ds=pd.to_datetime(table["ds"]))
        return table.groupby("ds")[columns].sum()

    both = counts(written).join(counts(planned), how="outer", lsuffix="_written", rsuffix="_planned").fillna(0)
    out = []
    for ds, row in both.iterrows():
        got = (int(row["scheduled_inbound_written"]), int(row["outbound_written"]))
        want = (int(row["scheduled_inbound_planned"]), int(row["outbound_planned"]))
        if got != want:
            out.append(
                f"{ds:%Y-%m-%d %H:%M}: the schedule has {got[0]} agents on inbound and {got[1]} on outbound, "
                f"the model planned {want[0]} and {want[1]}"
            )
    return out


def check_rules(schedule: pd.DataFrame, scenario: Scenario) -> list[str]:
    """The shift, break, rest, skill and calling-window checks of :func:`check_schedule`.

    Parameters
    ----------
    schedule : DataFrame
        ``schedule.csv`` rows, grouped here by agent and day.
    scenario : Scenario
        Its shift rules, skills and campaigns' calling windows are the rules checked.

    Returns
    -------
    list of str
        One sentence per violation.
    """
    horizon = scenario.horizon
    frame = _read(schedule, horizon.timezone)
    interval = horizon.interval_minutes
    shifts = {s.name: s for s in scenario.shifts}
    groups = {g.name: g for g in scenario.groups}
    campaigns = {c.name: c for c in scenario.campaigns}
    problems: list[str] = []
    shift_rows = []
    for (agent, day), part in frame.groupby(["agent", "date"], sort=True):
        part = part.sort_values("real_start")
        where = f"{agent} on {day}"
        rule = shifts[part["shift"].iloc[0]]
        group = groups[part["group"].iloc[0]]
        begin, finish = part["start"].iloc[0], part["end"].iloc[-1]
        real_begin, real_finish = part["real_start"].iloc[0], part["real_end"].iloc[-1]
        if part[["real_start", "real_end"]].isna().any().any():
            problems.append(f"{where}: a segment starts or ends at a time that does not exist in {horizon.timezone}")
            continue
        if (part["real_start"].iloc[1:].to_numpy() != part["real_end"].iloc[:-1].to_numpy()).any():
            problems.append(f"{where}: segments have gaps or overlaps")
        length = _real_minutes(real_finish, real_begin)
        if not any(abs(length - h * 60) < 1e-6 for h in rule.length_hours):
            problems.append(f"{where}: shift of {length / 60:g} h is not a length of '{rule.name}'")
        start_min = _minutes(begin)
        earliest, latest = clock_minutes(rule.start_earliest), clock_minutes(rule.start_latest)
        step = rule.start_step_minutes or interval
        if not (earliest <= start_min <= latest) or (start_min - earliest) % step:
            problems.append(f"{where}: start {begin:%H:%M} is outside the start window of '{rule.name}'")
        opening = horizon.opening_minutes(day)
        end_min = (finish - pd.Timestamp(day)).total_seconds() / 60
        if opening is None or start_min < opening[0] or end_min > opening[1]:
            problems.append(f"{where}: works outside opening hours ({begin:%H:%M}-{finish:%H:%M})")
        rests = part[part["activity"].isin(["break", "lunch"])]
        if len(rests) != len(rule.breaks):
            problems.append(f"{where}: {len(rests)} breaks, expected {len(rule.breaks)}")
        else:
            for (_, seg), br in zip(rests.iterrows(), rule.breaks, strict=False):
                offset = _real_minutes(seg["real_start"], real_begin)
                seg_len = _real_minutes(seg["real_end"], seg["real_start"])
                if seg["activity"] != br.kind or seg_len != br.length_minutes:
                    problems.append(f"{where}: {seg['activity']} of {seg_len:g} min, expected a {br.kind} of {br.length_minutes}")
                if not (br.start_after_hours[0] * 60 - 1e-6 <= offset <= br.start_after_hours[1] * 60 + 1e-6):
                    problems.append(f"{where}: {br.kind} at {seg['start']:%H:%M} is outside its window")
        for _, seg in part.iterrows():
            act = seg["activity"]
            if act == "inbound" and not group.does_inbound:
                problems.append(f"{where}: group '{group.name}' takes inbound calls without the skill")
            if act == "outbound":
                if not group.does_outbound:
                    problems.append(f"{where}: group '{group.name}' calls out without the skill")
                campaign = campaigns.get(seg["detail"])
                if campaign is None:
                    problems.append(f"{where}: outbound for unknown campaign '{seg['detail']}'")
                    continue
                if campaign.groups and group.name not in campaign.groups:
                    problems.append(f"{where}: group '{group.name}' may not call for '{campaign.name}'")
                first = campaign.start or horizon.start
                if not (first <= day <= campaign.deadline) or WEEKDAYS[day.weekday()] not in campaign.window_days:
                    problems.append(f"{where}: calls for '{campaign.name}' on a day outside its window or deadline")
                s_min = _minutes(seg["start"])
                e_min = (seg["end"] - pd.Timestamp(day)).total_seconds() / 60
                if s_min < clock_minutes(campaign.window_start) or e_min > clock_minutes(campaign.window_end):
                    problems.append(f"{where}: calls for '{campaign.name}' outside {campaign.window_start}-{campaign.window_end}")
        shift_rows.append((agent, day, begin, finish, rule.name, real_begin, real_finish))
    shifts_frame = pd.DataFrame(shift_rows, columns=["agent", "date", "start", "end", "shift", "real_start", "real_end"])
    for agent, part in shifts_frame.groupby("agent"):
        part = part.sort_values("real_start")
        for prev, nxt in zip(part.itertuples(), part.iloc[1:].itertuples(), strict=False):
            rest = _real_minutes(nxt.real_start, prev.real_end) / 60
            need = shifts[nxt.shift].min_rest_hours
            if rest < need - 1e-9:
                problems.append(f"{agent}: {rest:g} h rest before {nxt.date}, expected at least {need:g} h")
        week = part["date"].map(lambda d: (d - horizon.start).days // 7)
        for w, wpart in part.groupby(week):
            rule = shifts[wpart["shift"].iloc[0]]
            worked = {(d - horizon.start).days % 7 for d in wpart["date"]}
            low, high = rule.days_per_week
            if not low <= len(worked) <= high:
                problems.append(f"{agent}: works {len(worked)} days in week {w + 1}, expected {low}-{high}")
            if rule.consecutive_days_off and not any(i not in worked and (i + 1) % 7 not in worked for i in range(7)):
                problems.append(f"{agent}: no two consecutive days off in week {w + 1}")
            if rule.same_start and wpart["start"].map(_minutes).nunique() > 1:
                problems.append(f"{agent}: start time changes within week {w + 1} of a same-start shift")
    return problems


def coverage_from_schedule(schedule: pd.DataFrame, interval_minutes: int, timezone: str = "UTC") -> pd.DataFrame:
    """Agents on inbound and on outbound per interval start, recounted from the segments.

    Intervals are stepped in real time in ``timezone``; ``ds`` is wall-clock time, with a
    ``fold`` column when some interval lies in the second pass of a repeated hour.

    Parameters
    ----------
    schedule : DataFrame
        ``schedule.csv`` rows; each inbound or outbound segment counts in the intervals it spans.
    interval_minutes : int
        Interval length, in minutes.
    timezone : str
        IANA zone of the horizon.

    Returns
    -------
    DataFrame
        ``ds, scheduled_inbound, outbound`` (and ``fold``).
    """
    frame = _read(schedule, timezone)
    step = pd.Timedelta(minutes=interval_minutes)
    counts: dict[tuple[pd.Timestamp, str], int] = {}
    for seg in frame.itertuples():
        if seg.activity not in ("inbound", "outbound"):
            continue
        t = seg.real_start.tz_convert("UTC")
        while t < seg.real_end:
            counts[(t, seg.activity)] = counts.get((t, seg.activity), 0) + 1
            t += step
    if not counts:
        return pd.DataFrame(columns=["ds", "scheduled_inbound", "outbound"])
    series = pd.Series(counts)
    series.index = pd.MultiIndex.from_tuples(series.index, names=["ds", "activity"])
    table = series.unstack("activity", fill_value=0)
    table = table.rename(columns={"inbound": "scheduled_inbound"})
    for column in ("scheduled_inbound", "outbound"):
        if column not in table.columns:
            table[column] = 0
    table = table[["scheduled_inbound", "outbound"]].reset_index()
    real = table["ds"].dt.tz_convert(timezone)
    fold = fold_of(real, timezone)
    table["ds"] = wall_clock(real)
    if fold.any():
        table.insert(1, "fold", fold.astype(int))
    return table


def day_index(day: dt.date, start: dt.date) -> int:
    """Days from ``start`` to ``day``.

    Parameters
    ----------
    day, start : date
        Calendar days.

    Returns
    -------
    int
        ``(day - start).days``.
    """
    return (day - start).days


__all__ = ["check_schedule", "coverage_from_schedule", "coverage_mismatches"]
