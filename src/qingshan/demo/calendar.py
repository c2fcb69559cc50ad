"""The demo's clock and calendar: Beijing time, trading days and public holidays.

The demo replays the platform's history day by day from its launch, so every journal entry is
stamped with a simulated time (:class:`SimulatedClock`, handed to the sequencer as its clock).
Trading happens only on weekdays that are not public holidays, inside the instruments'
sessions (9:30-11:30 and 13:00-15:00 Beijing time, the national carbon market's listing hours:
docs/demo.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

BEIJING = dt.timezone(dt.timedelta(hours=8))

#: 碳惠通 went live in October 2021 (the seed: "2021年10月,'碳惠通'…正式上线"); the day in
#: the month is an assumption.
LAUNCH = dt.date(2021, 10, 28)
#: The last day the demo replays: the Friday of the week this release was made.
LAST_DAY = dt.date(2026, 11, 27)

#: Trading sessions, minutes after midnight, Beijing time (09:30-11:30, 13:00-15:00).
SESSIONS = ((9 * 60 + 30, 11 * 60 + 30), (13 * 60, 15 * 60))

# Public holidays when the exchange is shut (the State Council's yearly notices on holiday
# arrangements, 国务院办公厅关于部分节假日安排的通知): the Spring Festival and National Day
# weeks, which are the long closures. Shorter holidays and the make-up working weekends are
# not modelled: this is demo data.
_HOLIDAYS: tuple[tuple[str, str], ...] = (
    ("2021-10-01", "2021-10-07"), ("2022-01-31", "2022-02-06"),
    ("2022-10-01", "2022-10-07"), ("2023-01-21", "2023-01-27"),
    ("2023-09-29", "2023-10-06"), ("2024-02-10", "2024-02-17"),
    ("2024-10-01", "2024-10-07"), ("2025-01-28", "2025-02-04"),
    ("2025-10-01", "2025-10-08"), ("2026-02-15", "2026-02-23"),
    ("2026-10-01", "2026-10-07"),
)
HOLIDAYS: frozenset[dt.date] = frozenset(
    dt.date.fromisoformat(a) + dt.timedelta(days=k)
    for a, b in _HOLIDAYS
    for k in range((dt.date.fromisoformat(b) - dt.date.fromisoformat(a)).days + 1))


def is_trading_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in HOLIDAYS


def days(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    """Every calendar day from ``start`` to ``end``, both included."""
    for k in range((end - start).days + 1):
        yield start + dt.timedelta(days=k)


def unix_ms(day: dt.date, minute: int) -> int:
    """Unix milliseconds of ``minute`` minutes after midnight of ``day`` in Beijing time."""
    moment = dt.datetime(day.year, day.month, day.day, tzinfo=BEIJING) + \
        dt.timedelta(minutes=minute)
    return int(moment.timestamp()) * 1000


def next_trading_day(day: dt.date) -> dt.date:
    day += dt.timedelta(days=1)
    while not is_trading_day(day):
        day += dt.timedelta(days=1)
    return day


class SimulatedClock:
    """The time the sequencer stamps entries with while the demo loads: set by the loader
    before each request (Unix ms)."""

    def __init__(self, day: dt.date, minute: int = 0) -> None:
        self.now_ms = unix_ms(day, minute)

    def set(self, day: dt.date, minute: int, second: int = 0) -> None:
        """Move to this moment; two events planned for the same moment keep their order
        (the clock never goes back)."""
        self.now_ms = max(self.now_ms, unix_ms(day, minute) + second * 1000)

    def __call__(self) -> int:
        return self.now_ms
