"""An auditor's recomputation of the people's sub-ledger, event by event, against the journal:
for each settled day, from the partners' accepted events kept in the archive, every event's
grams are computed again from its scenario's factor version, the day is credited again under
the caps (with the year-to-date totals of the day before), and the postings, their Merkle
root and totals must equal the stored ones and the root and totals the journal settled.
Read-only; ``qingshan inclusive audit`` runs it."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from qingshan.inclusive.ingest import SubLedgerStore
from qingshan.inclusive.model import iso_day as iso
from qingshan.inclusive.rules import EVENT_SCHEMA, YTD_SCHEMA, credit_day, postings_root, with_grams
from qingshan.inclusive.subledger import parse_by_scenario


def audit_day(store: SubLedgerStore, day: int) -> list[str]:
    """Every difference between a settled day as recomputed from its events and as stored and
    journaled (none: it adds up)."""
    at = iso(day)
    settled = store.rows("SELECT root, people, events, grams, by_scenario FROM inclusive_days "
                         "WHERE day = ?", (day,))
    if not settled:
        return [f"{at}: not settled"]
    root, people, events_n, grams, by = settled[0]
    files = store._batch_files(None, day, day)
    events = (pl.scan_parquet(files).filter(pl.col("day") == day).collect() if files
              else pl.DataFrame(schema=EVENT_SCHEMA))
    problems: list[str] = []
    again = with_grams(events.drop("grams")) if events.height else events
    key = ["partner", "event_id"]
    if events.height and not again.sort(key).get_column("grams").equals(
            events.sort(key).get_column("grams")):
        problems.append(f"{at}: an event's grams differ from its scenario's factor")
    prev = store.archive / "ytd" / f"{day - 1}.parquet"
    same_year = iso(day - 1)[:4] == at[:4]
    ytd = (pl.read_parquet(prev) if same_year and prev.exists()
           else pl.DataFrame(schema=YTD_SCHEMA))
    credited = credit_day(again, ytd)
    stored = pl.DataFrame(store.rows("SELECT person, grams, events FROM inclusive_postings "
                                     "WHERE day = ? ORDER BY person", (day,)),
                          schema={"person": pl.Int64, "grams": pl.Int64, "events": pl.Int64},
                          orient="row")
    if not credited.postings.equals(stored):
        problems.append(f"{at}: the postings differ from the day's events credited again")
    if postings_root(day, stored) != root:
        problems.append(f"{at}: the stored postings' root differs from the journal's")
    total = int(stored["grams"].sum()) if stored.height else 0
    if (stored.height, total, events.height) != (int(people), int(grams), int(events_n)):
        problems.append(f"{at}: counts or grams differ from the journal's")
    by_scenario = dict(credited.events.group_by("scenario").agg(pl.col("credited").sum())
                       .rows()) if credited.events.height else {}
    if {k: int(v) for k, v in by_scenario.items()} != dict(parse_by_scenario(by)):
        problems.append(f"{at}: totals by scenario differ from the journal's")
    ytd_file = store.archive / "ytd" / f"{day}.parquet"
    if not ytd_file.exists() or not pl.read_parquet(ytd_file).equals(credited.ytd):
        problems.append(f"{at}: the year-to-date totals differ")
    return problems


def audit(store: SubLedgerStore,
          progress: Callable[[int, int], None] | None = None) -> list[str]:
    """Every settled day audited, in order."""
    days = [int(r[0]) for r in store.rows("SELECT day FROM inclusive_days ORDER BY day")]
    problems: list[str] = []
    for i, day in enumerate(days, start=1):
        problems += audit_day(store, day)
        if progress:
            progress(i, len(days))
    return problems
