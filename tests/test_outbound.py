"""Outbound workload formulas, checked by hand and by enumerating the retry cascade."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pytest

from wfm.outbound import calling_mask, campaign_workload, share_due_in_horizon, workload_table
from wfm.scenario import Campaign, Horizon


def make_campaign(**overrides) -> Campaign:
    settings = dict(
        name="c",
        records=1000,
        max_attempts=3,
        contact_rate=0.5,
        aht_contact=300,
        attempt_seconds=40,
        conversion_rate=0.2,
        deadline=dt.date(2026, 1, 9),
    )
    settings.update(overrides)
    return Campaign(**settings)


def test_workload_by_hand():
    work = campaign_workload(make_campaign(daily_attempt_cap=100))
    # p = 0.5, m = 3: attempts/record 1 + 0.5 + 0.25, contacts/record 1 - 0.5**3.
    assert work.attempts == pytest.approx(1750)
    assert work.contacts == pytest.approx(875)
    assert work.failed_attempts == pytest.approx(875)
    assert work.agent_seconds == pytest.approx(875 * 300 + 875 * 40)
    assert work.conversions == pytest.approx(175)
    assert work.seconds_per_attempt == pytest.approx(297500 / 1750)
    assert work.daily_cap_seconds == pytest.approx(100 * 170)
    assert work.agent_hours == pytest.approx(297500 / 3600)


@pytest.mark.parametrize("p, m", [(0.3, 1), (0.3, 4), (0.9, 2), (1.0, 3), (0.05, 5)])
def test_workload_matches_enumerated_cascade(p, m):
    """Enumerate every answer/no-answer sequence of one record and take expectations."""
    attempts = contacts = seconds = 0.0
    for outcome in itertools.product([True, False], repeat=m):
        prob = np.prod([p if o else 1 - p for o in outcome])
        used = next((i + 1 for i, o in enumerate(outcome) if o), m)
        answered = any(outcome)
        attempts += prob * used
        contacts += prob * answered
        seconds += prob * ((used - answered) * 40 + answered * 300)
    work = campaign_workload(make_campaign(records=1, contact_rate=p, max_attempts=m))
    assert work.attempts == pytest.approx(attempts)
    assert work.contacts == pytest.approx(contacts)
    assert work.agent_seconds == pytest.approx(seconds)


def test_no_records_means_no_work():
    work = campaign_workload(make_campaign(records=0))
    assert work.agent_seconds == 0 and work.attempts == 0 and work.seconds_per_attempt == 0


def test_workload_table_columns():
    table = workload_table([make_campaign(), make_campaign(name="d", conversion_rate=None)])
    assert list(table["name"]) == ["c", "d"]
    assert table.loc[1, "conversions"] is None or np.isnan(table.loc[1, "conversions"])
    assert table.loc[0, "agent_hours"] == pytest.approx(297500 / 3600)


def test_calling_mask_respects_window_days_deadline_and_opening():
    horizon = Horizon(start=dt.date(2026, 1, 5), days=7, interval_minutes=60, open="08:00", close="19:00",
                      closed_days=["sun"])
    campaign = make_campaign(window_days=["mon", "wed", "sat"], window_start="09:00", window_end="20:00",
                             deadline=dt.date(2026, 1, 7))
    mask = calling_mask(campaign, horizon)
    assert mask.shape == (7, 24)
    called_days = np.flatnonzero(mask.any(axis=1)).tolist()
    assert called_days == [0, 2]  # Monday and Wednesday; Saturday is after the deadline
    hours = np.flatnonzero(mask[0]).tolist()
    assert hours == list(range(9, 19))  # 09:00 .. last interval 18:00-19:00 (closing time)


def test_calling_mask_campaign_start():
    horizon = Horizon(start=dt.date(2026, 1, 5), days=7, interval_minutes=60)
    campaign = make_campaign(start=dt.date(2026, 1, 7), deadline=dt.date(2026, 1, 8))
    assert np.flatnonzero(calling_mask(campaign, horizon).any(axis=1)).tolist() == [2, 3]


def test_share_due_in_horizon():
    horizon = Horizon(start=dt.date(2026, 1, 5), days=7, interval_minutes=60)
    inside = make_campaign(deadline=dt.date(2026, 1, 9))
    assert share_due_in_horizon(inside, horizon) == 1.0
    # Two weeks of weekday calling, one inside the horizon: half is due now.
    longer = make_campaign(deadline=dt.date(2026, 1, 18))
    assert share_due_in_horizon(longer, horizon) == pytest.approx(0.5)
