"""The people's sub-ledger as the book reads it: a day's close (its postings' root and totals)
and a person's earned points. The sub-ledger itself is written in bulk outside the sequencer
(``ingest``), so a day of millions of events never holds the writer; the book reads the few
figures it needs through this interface: one row per settlement, one indexed sum per spend."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from qingshan.inclusive.model import DayClose

FetchAll = Callable[[str, Sequence[Any]], list[Any]]
CIP = "CIP"  # the ledger's asset of carbon-inclusive points, in grams of CO2e


class SubLedger(Protocol):
    def close_of(self, day: int) -> DayClose | None:
        """The day's close, if the sub-ledger has closed it."""
        ...

    def earned(self, person: int, first_day: int, last_day: int) -> int:
        """Grams posted to ``person`` on days ``first_day`` … ``last_day`` (the settled ones:
        a day closed before the first settled day is never settled)."""
        ...

    def person_known(self, person: int) -> bool: ...


def parse_by_scenario(text: str) -> tuple[tuple[str, int], ...]:
    """``metro=123;bus=45`` → ((bus, 45), (metro, 123)): the stored form of a day's totals."""
    if not text:
        return ()
    pairs = (part.split("=", 1) for part in text.split(";"))
    return tuple(sorted((k, int(v)) for k, v in pairs))


def format_by_scenario(pairs: Sequence[tuple[str, int]]) -> str:
    return ";".join(f"{k}={v}" for k, v in sorted(pairs))


class StoredSubLedger:
    """The sub-ledger's tables, read through the store's ``fetchall`` (the writer's own
    connection; a closed day's rows never change, so a replay reads what the entry read)."""

    def __init__(self, fetchall: FetchAll) -> None:
        self.q = fetchall

    def close_of(self, day: int) -> DayClose | None:
        rows = self.q("SELECT day, root, people, events, grams, by_scenario, parameter_set "
                      "FROM inclusive_closes WHERE day = ?", (day,))
        if not rows:
            return None
        d, root, people, events, grams, by, pset = rows[0]
        return DayClose(day=int(d), root=str(root), people=int(people), events=int(events),
                        grams=int(grams), by_scenario=parse_by_scenario(str(by)),
                        parameter_set=str(pset))

    def earned(self, person: int, first_day: int, last_day: int) -> int:
        rows = self.q("SELECT COALESCE(SUM(grams), 0) FROM inclusive_postings "
                      "WHERE person = ? AND day BETWEEN ? AND ?", (person, first_day, last_day))
        return int(rows[0][0])

    def person_known(self, person: int) -> bool:
        return bool(self.q("SELECT 1 FROM inclusive_people WHERE person = ?", (person,)))


class NoSubLedger:
    """Before the book is configured: nothing closed, nothing earned, nobody known."""

    def close_of(self, day: int) -> DayClose | None:
        return None

    def earned(self, person: int, first_day: int, last_day: int) -> int:
        return 0

    def person_known(self, person: int) -> bool:
        return False
