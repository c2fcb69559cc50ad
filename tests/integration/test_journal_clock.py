"""The rule that a monitoring period must have ended reads the journal's clock (the sequencer's,
injectable as the demo's history does), on SQLite and PostgreSQL, and log verify replays each
entry under its own time."""

from __future__ import annotations

import datetime as dt

import pytest

from qingshan.errors import PeriodNotEnded
from qingshan.ledger.domain.model import SYSTEM
from qingshan.platform import Platform
from tests.support.book import ALICE, SETUP, issue

BEIJING = dt.timezone(dt.timedelta(hours=8))


def at(*when: int) -> int:
    return int(dt.datetime(*when, tzinfo=BEIJING).timestamp() * 1000)


def test_issuance_waits_for_the_end_of_its_period_by_the_journals_clock(
        platform: Platform) -> None:
    seq = platform.sequencer
    now = [at(2021, 11, 1, 10, 0)]
    seq.clock = lambda: now[0]
    seq.execute(list(SETUP), SYSTEM, "setup")
    size = seq.size
    with pytest.raises(PeriodNotEnded):
        seq.execute_one(issue(ALICE, 10, vintage=2021), SYSTEM, "too-early")
    assert seq.size == size
    seq.execute_one(issue(ALICE, 10, vintage=2020), SYSTEM, "2020")
    now[0] = at(2022, 1, 1, 0, 0)  # the first day in Beijing after the 2021 period ended
    seq.execute_one(issue(ALICE, 10, vintage=2021), SYSTEM, "2021")
    assert platform.verify().problems == []  # each entry replayed under its own time
