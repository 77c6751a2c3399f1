"""Outbound campaign workload: how many agent-seconds a campaign needs, and when.

A campaign calls ``records`` numbers. Each record is dialled until someone answers
or ``max_attempts`` attempts are spent; each attempt reaches a person with
probability ``contact_rate`` (``p``), independently. With ``m = max_attempts`` and
``q = 1 - p``:

* expected attempts per record (the retry cascade)::

      A = 1 + q + q**2 + ... + q**(m-1) = (1 - q**m) / p

* expected contacts per record (at least one attempt answered)::

      C = 1 - q**m

* failed attempts per record: ``A - C``.

* agent-seconds per record: a contact costs ``aht_contact`` (talk and wrap, the
  dialling included) and a failed attempt costs ``attempt_seconds`` (dialling,
  ringing and the short wrap of a no-answer, busy or voicemail)::

      S = C * aht_contact + (A - C) * attempt_seconds

* campaign totals are ``records`` times these; conversions are
  ``records * C * conversion_rate``.

The work may be done in any interval inside the calling window (its weekdays and
local start/end times), from the campaign start to the end of its deadline day, and
only while the centre is open; calls outside the window are forbidden, as
telemarketing rules require. An optional ``daily_attempt_cap`` limits the attempts
of one day; it becomes a cap on agent-seconds per day of
``daily_attempt_cap * S / A`` (the average seconds per attempt).

Retries are treated as a pool of work: the spacing between attempts to one number
is not modelled, which is accurate when a campaign runs over several days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from wfm.scenario import WEEKDAYS, Campaign, Horizon, clock_minutes


@dataclass(frozen=True)
class CampaignWorkload:
    """Expected totals of one campaign (see the module docstring for the formulas)."""

    name: str
    records: int
    attempts: float
    contacts: float
    failed_attempts: float
    conversions: float | None
    agent_seconds: float
    seconds_per_attempt: float
    daily_cap_seconds: float | None

    @property
    def agent_hours(self) -> float:
        """Agent-hours of the campaign's work.

        Returns
        -------
        float
            ``agent_seconds / 3600``.
        """
        return self.agent_seconds / 3600.0


def campaign_workload(campaign: Campaign) -> CampaignWorkload:
    """Expected attempts, contacts, conversions and agent-seconds of a campaign.

    Parameters
    ----------
    campaign : Campaign
        The campaign settings.

    Returns
    -------
    CampaignWorkload
        ``attempts = records * (1 - q**m) / p``, ``contacts = records * (1 - q**m)``,
        ``agent_seconds = contacts * aht_contact + (attempts - contacts) * attempt_seconds``,
        with ``p = contact_rate``, ``q = 1 - p``, ``m = max_attempts``.
    """
    p = float(campaign.contact_rate)
    m = int(campaign.max_attempts)
    q = 1.0 - p
    contacts_per_record = 1.0 - q**m
    attempts_per_record = contacts_per_record / p
    records = int(campaign.records)
    attempts = records * attempts_per_record
    contacts = records * contacts_per_record
    failed = attempts - contacts
    seconds = contacts * campaign.aht_contact + failed * campaign.attempt_seconds
    per_attempt = seconds / attempts if attempts > 0 else 0.0
    conversions = None if campaign.conversion_rate is None else contacts * campaign.conversion_rate
    cap = None if campaign.daily_attempt_cap is None else campaign.daily_attempt_cap * per_attempt
    return CampaignWorkload(
        name=campaign.name,
        records=records,
        attempts=attempts,
        contacts=contacts,
        failed_attempts=failed,
        conversions=conversions,
        agent_seconds=seconds,
        seconds_per_attempt=per_attempt,
        daily_cap_seconds=cap,
    )


def workload_table(campaigns: list[Campaign]) -> pd.DataFrame:
    """One row per campaign with the expected totals (columns as :class:`CampaignWorkload`).

    Parameters
    ----------
    campaigns : list of Campaign
        The scenario's ``[[campaign]]`` entries.

    Returns
    -------
    DataFrame
        One row per campaign.
    """
    rows = [asdict(campaign_workload(c)) for c in campaigns]
    frame = pd.DataFrame(rows, columns=list(CampaignWorkload.__dataclass_fields__))
    frame["agent_hours"] = frame["agent_seconds"] / 3600.0
    return frame


def calling_mask(campaign: Campaign, horizon: Horizon) -> np.ndarray:
    """Boolean array ``[day, interval of day]``: True where this campaign may place calls.

    An interval is allowed when it lies wholly inside the calling window of its
    weekday, the centre is open, and its day is between the campaign start and the
    deadline (inclusive).

    Parameters
    ----------
    campaign : Campaign
        The campaign with its window, start and deadline.
    horizon : Horizon
        The planning horizon with its opening hours.

    Returns
    -------
    ndarray of bool
        Shape ``(days, intervals per day)``.
    """
    interval = horizon.interval_minutes
    per_day = 24 * 60 // interval
    starts = np.arange(per_day) * interval
    first = campaign.start or horizon.start
    window_start = clock_minutes(campaign.window_start)
    window_end = clock_minutes(campaign.window_end)
    mask = np.zeros((horizon.days, per_day), dtype=bool)
    for d, day in enumerate(horizon.dates()):
        opening = horizon.opening_minutes(day)
        if opening is None or not (first <= day <= campaign.deadline):
            continue
        if WEEKDAYS[day.weekday()] not in campaign.window_days:
            continue
        low, high = max(window_start, opening[0]), min(window_end, opening[1])
        mask[d] = (starts >= low) & (starts + interval <= high)
    return mask


def deadline_inside(campaign: Campaign, horizon: Horizon) -> bool:
    """Whether the deadline falls inside the horizon (otherwise work beyond it is not owed yet).

    Parameters
    ----------
    campaign : Campaign
        Only its ``deadline`` date is read.
    horizon : Horizon
        The plan's days, ``start`` and ``days`` long.

    Returns
    -------
    bool
        True when the deadline is on or before the horizon's last day (a deadline
        already past counts as inside: all the work is owed now).
    """
    return campaign.deadline <= _last_day(horizon)


def _last_day(horizon: Horizon) -> dt.date:
    return horizon.start + dt.timedelta(days=horizon.days - 1)


def _window_minutes(campaign: Campaign, horizon: Horizon, day: dt.date) -> int:
    opening = horizon.opening_minutes(day)
    if opening is None or WEEKDAYS[day.weekday()] not in campaign.window_days:
        return 0
    low = max(clock_minutes(campaign.window_start), opening[0])
    high = min(clock_minutes(campaign.window_end), opening[1])
    return max(0, high - low)


def share_due_in_horizon(campaign: Campaign, horizon: Horizon) -> float:
    """Share of the campaign's work due inside the horizon.

    1 when the deadline falls inside the horizon; otherwise the calling time inside the
    horizon divided by the calling time from the campaign start to the deadline, so a
    long campaign is worked evenly rather than all at once.

    Parameters
    ----------
    campaign : Campaign
        Start (the horizon's start when unset), deadline, calling window and
        calling days.
    horizon : Horizon
        Days and opening hours; calling time counts only while the site is open.

    Returns
    -------
    float
        Share in [0, 1] of the campaign's work due in this horizon (0 when the
        campaign has no calling time at all before its deadline).
    """
    first = campaign.start or horizon.start
    last_in_horizon = _last_day(horizon)
    if deadline_inside(campaign, horizon):
        return 1.0
    total = inside = 0
    day = first
    while day <= campaign.deadline:
        minutes = _window_minutes(campaign, horizon, day)
        total += minutes
        if horizon.start <= day <= last_in_horizon:
            inside += minutes
        day += dt.timedelta(days=1)
    return inside / total if total else 0.0
