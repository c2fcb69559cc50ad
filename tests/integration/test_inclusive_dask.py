"""Partners' files and a day's close on a local multi-process Dask cluster give what one
process gives: the same batches, refusals, postings, Merkle root, credited events and
year-to-date totals (the national-scale path, docs/inclusive.md)."""

from __future__ import annotations

import datetime as dt
import itertools
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from distributed import Client, LocalCluster

from qingshan.inclusive.commands import RegisterPartner
from qingshan.inclusive.distributed import (
    credit_day_on_cluster,
    ingest_on_cluster,
    person_ranges,
)
from qingshan.inclusive.ingest import SubLedgerStore
from qingshan.inclusive.rules import YTD_SCHEMA, credit_day, postings_root
from qingshan.infra.config import Settings
from qingshan.ledger.domain.model import SYSTEM
from qingshan.platform import Platform
from tests.support.book import SETUP
from tests.support.inclusive import (
    GRID,
    INCLUSIVE_SETUP,
    METRO,
    beijing_today,
    day_number,
    jsonl,
    people,
    trip,
)


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as c:
        yield c


def platform(tmp: Path) -> tuple[Platform, SubLedgerStore]:
    plat = Platform.open(Settings(database_url=f"sqlite:///{tmp}/q.db",
                                  signing_key_path=tmp / "k.pem"))
    plat.sequencer.execute([*SETUP, *INCLUSIVE_SETUP], SYSTEM, "setup")
    plat.sequencer.execute([
        RegisterPartner(party=METRO, name="metro and walking",
                        scenarios=("bus", "metro", "walking")),
        RegisterPartner(party=GRID, name="grid", scenarios=("metro",))], SYSTEM, "partners")
    store = SubLedgerStore(plat.engine, tmp / "archive")
    store.enrol(people(*range(1, 301), consent=0b11))
    return plat, store


def test_person_ranges_cover_everyone_once() -> None:
    ranges = person_ranges(3, 1000, 7)
    assert ranges[0][0] == 3 and ranges[-1][1] == 1001
    assert all(a[1] == b[0] for a, b in itertools.pairwise(ranges))


def test_partners_files_checked_on_a_cluster_equal_one_process(client: Client,
                                                               tmp_path: Path) -> None:
    now = int(time.time() * 1000)
    day = beijing_today(now) - dt.timedelta(days=3)
    files = []
    for k, partner in enumerate((METRO, GRID, METRO)):  # the metro's second file resends
        rows = [trip(f"e{p}-{k % 2}", p, day, 6 + k * 5, 4_000, 20) for p in range(1, 40)]
        rows += [trip("who", 999, day, 8, 5_000, 20), trip("e1-0", 1, day, 6, 4_000, 20)]
        path = tmp_path / f"f{k}.jsonl"
        path.write_bytes(jsonl(rows))
        files.append((partner, path, "jsonl"))
    (tmp_path / "one").mkdir()
    (tmp_path / "many").mkdir()
    alone, one = platform(tmp_path / "one")
    spread, many = platform(tmp_path / "many")
    try:
        first = [one.ingest(p, f.read_bytes(), fmt, now, f.name) for p, f, fmt in files]
        second = ingest_on_cluster(client, many, files, now)
        key = lambda r: r.batch  # noqa: E731
        assert sorted(second, key=key) == sorted(first, key=key)
        assert sum(r.duplicates for r in first) > 0 and sum(r.rejected for r in first) > 0
        rejects = "SELECT batch, line, event_id, code, reason FROM inclusive_rejects ORDER BY 1, 2"
        assert many.rows(rejects) == one.rows(rejects)
        assert many.close_day(day_number(day), now) == one.close_day(day_number(day), now)
    finally:
        alone.close()
        spread.close()


def test_a_day_closed_on_a_cluster_equals_the_day_closed_in_one_process(
        client: Client, tmp_path: Path) -> None:
    plat, store = platform(tmp_path)
    try:
        now = int(time.time() * 1000)
        day = beijing_today(now) - dt.timedelta(days=3)
        rng = np.random.default_rng(7)
        n = 3000
        start = [f"{day.isoformat()}T{h:02d}:{m:02d}:00+08:00"
                 for h, m in zip(rng.integers(6, 22, n), rng.integers(0, 60, n), strict=True)]
        frame = pl.DataFrame({
            "event_id": [f"e{i}" for i in range(n)],
            "person": rng.integers(1, 301, n),
            "scenario": rng.choice(["walking", "metro", "bus"], n),
            "start": start, "end": [None] * n,
            "quantity": rng.integers(1000, 9000, n)})
        frame = frame.with_columns(  # trips end 20 minutes later
            pl.when(pl.col("scenario") != "walking").then(
                pl.col("start").str.to_datetime("%Y-%m-%dT%H:%M:%S%:z")
                .dt.offset_by("20m").dt.strftime("%Y-%m-%dT%H:%M:%S%:z")).alias("end"))
        path = tmp_path / "day.parquet"
        frame.write_parquet(path)
        result = store.ingest(METRO, path.read_bytes(), "parquet", now, "day.parquet")
        assert result.accepted > 1000
        files = store._batch_files(None, day_number(day), day_number(day))
        events = pl.read_parquet(files[0]).filter(pl.col("day") == day_number(day))
        ytd = pl.DataFrame({"person": [5, 999], "scenario": ["walking", "walking"],
                            "grams": [100, 7]}, schema=YTD_SCHEMA)
        ytd_path = tmp_path / "ytd.parquet"
        ytd.write_parquet(ytd_path)
        alone = credit_day(events, ytd)
        spread = credit_day_on_cluster(client, files, day_number(day), ytd_path, parts=5)
        assert spread.postings.equals(alone.postings)
        assert postings_root(1, spread.postings) == postings_root(1, alone.postings)
        key = ["person", "start_ms", "partner", "event_id"]
        assert spread.events.sort(key).equals(alone.events.sort(key))
        assert spread.ytd.equals(alone.ytd)
    finally:
        plat.close()
