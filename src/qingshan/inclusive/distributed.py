"""Partners' files and a day's close on a Dask cluster, for a national-scale day
(docs/inclusive.md, "At national scale"). Each partner's files are one task, checked in
order exactly as ``SubLedgerStore.ingest`` checks them, and recorded by the caller. Every
rule of a close is per person (caps, overlaps, the yearly totals), so the day
is split into ranges of person numbers; each worker reads its range of the day's events from
the archive's Parquet files (predicate pushdown keeps it to its rows), credits it with the same
``rules.credit_day`` and returns its part. The parts, concatenated in range order, are the
day in person order: the postings and their Merkle root are the ones a single process gives.

The cluster must see the archive (a shared file system or object store path); a local
multi-process cluster (``LocalCluster(processes=True)``) is what the tests run."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

import polars as pl
from distributed import Client

from qingshan.inclusive.ingest import (
    BatchResult,
    CheckedBatch,
    SubLedgerStore,
    batch_id,
    check_batch,
)
from qingshan.inclusive.model import Partner
from qingshan.inclusive.rules import EVENT_SCHEMA, YTD_SCHEMA, Credited, credit_day


def person_ranges(low: int, high: int, parts: int) -> list[tuple[int, int]]:
    """``parts`` half-open ranges of person numbers covering ``low`` … ``high``."""
    step = max(1, -(-(high - low + 1) // parts))
    return [(a, min(a + step, high + 1)) for a in range(low, high + 1, step)]


def credit_range(files: Sequence[str], ytd_file: str | None, day: int,
                 low: int, high: int) -> Credited:
    """Credit the day's events of people ``low`` ≤ person < ``high`` (one worker's task)."""
    in_range = pl.col("person").is_between(low, high, closed="left")
    events = (pl.scan_parquet(list(files)).filter((pl.col("day") == day) & in_range).collect()
              if files else pl.DataFrame(schema=EVENT_SCHEMA))
    ytd = (pl.scan_parquet(ytd_file).filter(in_range).collect() if ytd_file
           else pl.DataFrame(schema=YTD_SCHEMA))
    return credit_day(events, ytd)


def credit_day_on_cluster(client: Client, files: Sequence[Path], day: int,
                          ytd_file: Path | None, parts: int) -> Credited:
    """The day's close computed by the cluster's workers in ``parts`` person ranges."""
    names = [str(f) for f in files]
    ytd = None if ytd_file is None or not ytd_file.exists() else str(ytd_file)
    if names:
        bounds = pl.scan_parquet(names).filter(pl.col("day") == day).select(
            pl.col("person").min().alias("lo"), pl.col("person").max().alias("hi")).collect()
        lo, hi = bounds.row(0)
    else:
        lo = hi = None
    if lo is None or hi is None:
        return credit_day(pl.DataFrame(schema=EVENT_SCHEMA), pl.DataFrame(schema=YTD_SCHEMA))
    futures: list[Any] = [client.submit(credit_range, names, ytd, day, a, b, pure=False)
                          for a, b in person_ranges(int(lo), int(hi), parts)]
    results: list[Credited] = client.gather(futures)  # type: ignore[no-untyped-call]
    ytd_all = (pl.read_parquet(ytd) if ytd else pl.DataFrame(schema=YTD_SCHEMA))
    # people in the year-to-date totals without events today keep theirs
    touched = pl.concat([r.ytd.select("person") for r in results]).unique()
    kept = ytd_all.join(touched, on="person", how="anti")
    return Credited(
        events=pl.concat([r.events for r in results], how="vertical_relaxed"),
        postings=pl.concat([r.postings for r in results]),
        ytd=pl.concat([kept, *[r.ytd for r in results]]).sort("person", "scenario"))


def check_partner_files(archive: str, partner: Partner, files: Sequence[tuple[str, str]],
                        people: pl.DataFrame, now_ms: int, open_from: int,
                        seen: pl.DataFrame, done: set[str]) -> list[CheckedBatch]:
    """One partner's files, in order (one worker's task): each read, checked and archived
    as ``SubLedgerStore.ingest`` does, its accepted ids seen by the partner's next file."""
    out: list[CheckedBatch] = []
    for path, fmt in files:
        data = Path(path).read_bytes()
        if batch_id(partner.id, fmt, data) in done:
            continue
        c = check_batch(Path(archive), partner, data, fmt, Path(path).name, people=people,
                        now_ms=now_ms, open_from=open_from,
                        seen=partial(_seen_on, seen))
        seen = pl.concat([seen, c.accepted_ids])
        out.append(c)
    return out


def _seen_on(seen: pl.DataFrame, lo: int, hi: int) -> pl.Series:
    return seen.filter(pl.col("day").is_between(lo, hi))["event_id"]


def ingest_on_cluster(client: Client, store: SubLedgerStore,
                      files: Sequence[tuple[str, Path, str]], now_ms: int) -> list[BatchResult]:
    """Partners' files (partner, path, format) checked on the cluster, one task a partner
    (a partner's files in the order given, so a resent event counts once), then recorded
    here in that order: what ``SubLedgerStore.ingest`` of each file in turn would give. The
    workers must see the files and the archive."""
    by_partner: dict[str, list[tuple[str, str]]] = {}
    for partner, path, fmt in files:
        by_partner.setdefault(partner, []).append((str(path), fmt))
    people = client.scatter(store.consents(), broadcast=True)  # type: ignore[no-untyped-call]
    open_from = store.open_from()
    last = open_from + 3650  # every open day
    futures: list[Any] = [
        client.submit(check_partner_files, str(store.archive), store.partner(pid), batch,
                      people, now_ms, open_from, store.seen(pid, open_from, last),
                      store.batches_of(pid), pure=False)
        for pid, batch in by_partner.items()]
    results: list[BatchResult] = []
    for checked in client.gather(futures):  # type: ignore[no-untyped-call]
        for c in checked:
            store.record(c, now_ms)
            results.append(c.result())
    return results
