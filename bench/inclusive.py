"""One realistic day of carbon-inclusive events at city scale, beside a baseline measured in
the same run.

    .venv/bin/python bench/inclusive.py [--people N] [--events N] [--format parquet|csv]

A seeded day for 2,320,000 people (ids 1..N, every one enrolled with consent for the partner)
and about 10,000,000 events from one partner (Chongqing's metro, which reports metro and bus
trips): each person's trips spread over the day without overlapping, the scenario drawn from
``SCENARIOS`` by weight, distances log-normal around a few km, durations at plausible speeds
(metro ≈ 35 km/h, bus ≈ 18 km/h). About 2 % of the lines are exact copies of another line and
about 1 % are bad: an unknown person, a time in the future, an impossible speed, or a
malformed field (an unreadable time or an empty event id). Times are ISO 8601 text with the
``+08:00`` offset, as partners send them, so the parse is in the measurement. The file is
generated in a child process, so the peak memory printed is the pipeline's own.

Timed end to end: ``SubLedgerStore.ingest`` (read the file, validate, deduplicate, compute the
grams, archive, record the rejects) + ``close_day`` (caps, one posting per person, the Merkle
root) + ``SettleDay`` through the sequencer, on a fresh SQLite database. Baseline: Polars
reading the same file and summing one column.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

WEIGHTS = {"metro": 0.55, "bus": 0.45}  # scenarios not named here share OTHER_WEIGHT
OTHER_WEIGHT = 0.0  # only trips: the partner (the metro) reports metro and bus
# per scenario: median km, log-normal sigma, mean speed km/h, speed sigma (fraction)
TRIP_SHAPE = {"metro": (7.0, 0.6, 35.0, 0.2), "bus": (4.0, 0.6, 18.0, 0.25)}
DEFAULT_SHAPE = (3.0, 0.6, 15.0, 0.25)
DUP_SHARE, BAD_SHARE = 0.02, 0.01
MS_PER_DAY, BEIJING_MS = 86_400_000, 8 * 3_600_000


def generate(path: Path, people: int, events: int, day: int, now_ms: int,
             seed: int = 2026) -> None:
    """Write the day's events to ``path`` (Parquet, or CSV by its suffix)."""
    from qingshan.science.inclusive import SCENARIOS

    rng = np.random.default_rng(seed)
    codes = list(SCENARIOS)
    w = np.array([WEIGHTS.get(c, OTHER_WEIGHT) for c in codes])
    n = events
    person = np.sort(rng.integers(1, people + 1, n))
    # each person's trips: k of them, the j-th in the j-th of k equal slots of 06:00–23:00
    counts = np.bincount(person, minlength=people + 1)
    first = np.cumsum(counts) - counts
    j = np.arange(n) - first[person]
    k = counts[person]
    scen = rng.choice(len(codes), size=n, p=w / w.sum())
    median = np.array([TRIP_SHAPE.get(c, DEFAULT_SHAPE)[0] for c in codes])[scen]
    sigma = np.array([TRIP_SHAPE.get(c, DEFAULT_SHAPE)[1] for c in codes])[scen]
    speed = np.array([TRIP_SHAPE.get(c, DEFAULT_SHAPE)[2] for c in codes])[scen]
    spread = np.array([TRIP_SHAPE.get(c, DEFAULT_SHAPE)[3] for c in codes])[scen]
    maxq = np.array([SCENARIOS[c].max_quantity for c in codes])[scen]
    metres = np.clip(rng.lognormal(np.log(median * 1000), sigma), 300, maxq).astype(np.int64)
    kmh = np.clip(speed * (1 + spread * rng.standard_normal(n)), 5, speed * 1.8)
    slot = 17 * 3_600_000 // k
    dur = np.minimum((metres / 1000 / kmh * 3_600_000), slot * 0.9).astype(np.int64)
    # a trip cut to its slot would be too fast: shorten its distance to match
    metres = np.minimum(metres, (dur * kmh / 3_600_000 * 1000).astype(np.int64))
    metres = np.maximum(metres, 1)
    day0 = day * MS_PER_DAY - BEIJING_MS  # 00:00 Beijing
    start = day0 + 6 * 3_600_000 + j * slot + (rng.random(n) * (slot - dur)).astype(np.int64)
    end = start + dur
    ev = pl.DataFrame({
        "event_id": np.arange(1, n + 1), "person": person, "scenario": np.array(codes)[scen],
        "start": start, "end": end, "quantity": metres,
    })
    ev = ev.with_columns(pl.format("M{}-{}", pl.lit(day), pl.col("event_id"))
                         .alias("event_id"),
                         pl.format("D{}", pl.col("person")).alias("device"))
    # bad lines, in four kinds
    bad = rng.choice(n, size=int(n * BAD_SHARE), replace=False)
    kind = rng.integers(0, 4, bad.size)

    def where(k_: int) -> pl.Expr:
        mask = np.zeros(n, dtype=bool)
        mask[bad[kind == k_]] = True
        return pl.lit(pl.Series(mask))

    ev = ev.with_columns(
        pl.when(where(0)).then(pl.col("person") + people + 1_000_000).otherwise(pl.col("person"))
        .alias("person"),
        pl.when(where(1)).then(pl.lit(now_ms + 3_600_000, dtype=pl.Int64))
        .otherwise(pl.col("start")).alias("start"),
        pl.when(where(2)).then(pl.col("start") + 10_000).otherwise(pl.col("end"))
        .alias("end"),
        pl.when(where(2)).then(pl.lit(50_000, dtype=pl.Int64)).otherwise(pl.col("quantity"))
        .alias("quantity"))
    ev = ev.with_columns(pl.when(where(1)).then(pl.col("start") + 600_000)
                         .otherwise(pl.col("end")).alias("end"))

    def iso(c: str) -> pl.Expr:
        return ((pl.col(c) + BEIJING_MS).cast(pl.Datetime("ms"))
                .dt.strftime("%Y-%m-%dT%H:%M:%S%.3f+08:00"))

    ev = ev.with_columns(iso("start").alias("start"), iso("end").alias("end"))
    malformed = bad[kind == 3]
    half = malformed.size // 2
    mt, me = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    mt[malformed[:half]] = True
    me[malformed[half:]] = True
    mask_t, mask_e = pl.lit(pl.Series(mt)), pl.lit(pl.Series(me))
    ev = ev.with_columns(
        pl.when(mask_t).then(pl.col("start").str.replace("T", " at ")).otherwise(pl.col("start"))
        .alias("start"),
        pl.when(mask_e).then(pl.lit("")).otherwise(pl.col("event_id")).alias("event_id"))
    # exact duplicates: ~2 % of the lines are copies of another line, anywhere in the file
    dups = rng.choice(n, size=int(n * DUP_SHARE), replace=False)
    targets = rng.choice(n, size=dups.size, replace=False)
    order = np.arange(n)
    order[targets] = dups
    ev = ev[order]
    if path.suffix == ".csv":
        ev.write_csv(path)
    else:
        ev.write_parquet(path, row_group_size=256 * 1024)


def rss_mib(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux: KiB


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--people", type=int, default=2_320_000)
    ap.add_argument("--events", type=int, default=None,
                    help="lines in the file (default 4.31 per person: 10 M at full scale)")
    ap.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--keep", action="store_true", help="keep the temp dir and print it")
    ap.add_argument("--generate", nargs=3, metavar=("PATH", "DAY", "NOW_MS"),
                    help=argparse.SUPPRESS)
    args = ap.parse_args()
    events = args.events or round(args.people * 10_000_000 / 2_320_000)
    if args.generate:
        p, d, now = args.generate
        generate(Path(p), args.people, events, int(d), int(now), args.seed)
        return

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from qingshan.inclusive.commands import SettleDay
    from qingshan.inclusive.ingest import SubLedgerStore
    from qingshan.inclusive.rules import posting_leaf
    from qingshan.infra.config import Settings
    from qingshan.ledger.domain.model import SYSTEM
    from qingshan.ledger.transparency import root_from_leaf_hashes
    from qingshan.platform import Platform

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.support
    from tests.support.book import SETUP
    from tests.support.inclusive import INCLUSIVE_SETUP, METRO

    tmp = Path(tempfile.mkdtemp(prefix="qs-inclusive-"))
    now_ms = int(time.time() * 1000)
    day = (now_ms + BEIJING_MS) // MS_PER_DAY - 3  # settled 2 days after it ends
    path = tmp / f"day.{args.format}"
    print(f"{args.people:,} people, {events:,} lines ({args.format}, ISO 8601 times), "
          f"day {dt.date(1970, 1, 1) + dt.timedelta(days=day)}; files in {tmp}")
    t0 = time.perf_counter()
    subprocess.run([sys.executable, __file__, "--people", str(args.people), "--events",
                    str(events), "--seed", str(args.seed), "--generate", str(path), str(day),
                    str(now_ms)], check=True)
    print(f"generated in {time.perf_counter() - t0:.1f} s "
          f"({path.stat().st_size / 2**20:,.0f} MiB, generator peak RSS "
          f"{rss_mib(resource.RUSAGE_CHILDREN):,.0f} MiB)")

    settings = Settings(database_url=f"sqlite:///{tmp}/q.db", signing_key_path=tmp / "k.pem")
    plat = Platform.open(settings)
    plat.sequencer.execute([*SETUP, *INCLUSIVE_SETUP], SYSTEM, "setup")
    store = SubLedgerStore(plat.engine, tmp / "archive")
    slot = store.partner(METRO).slot
    ids = np.arange(1, args.people + 1, dtype=np.int64)
    who = pl.DataFrame({"person": ids,
                        "district": np.array(["500103", "500106", "500108"])[ids % 3],
                        "consent": np.full(ids.size, 1 << slot, dtype=np.int64),
                        "enrolled": np.full(ids.size, day - 30, dtype=np.int64)})

    cols = (TextColumn("{task.description:<16}"), BarColumn(), MofNCompleteColumn(),
            TimeElapsedColumn())
    stages: dict[str, float] = {}
    with Progress(*cols) as bar:
        tasks: dict[str, object] = {}
        mark = [time.perf_counter()]

        def progress(stage: str, done: int, total: int, phase: str = "") -> None:
            name = f"{phase} {stage}".strip()
            if name not in tasks:
                tasks[name] = bar.add_task(name, total=total or 1)
            bar.update(tasks[name], completed=done or (1 if not total else 0))  # type: ignore
            if done >= total:
                now = time.perf_counter()
                stages[name] = stages.get(name, 0.0) + now - mark[0]
                peaks[name] = rss_mib()
                mark[0] = now

        peaks: dict[str, float] = {}
        t_enrol = time.perf_counter()
        store.enrol(who, progress=lambda s, d, t: progress(s, d, t))
        t_enrol = time.perf_counter() - t_enrol
        stages.clear()
        del who

        t_start = mark[0] = time.perf_counter()
        data = path.read_bytes()
        stages["ingest file read"] = time.perf_counter() - mark[0]
        mark[0] = time.perf_counter()
        result = store.ingest(METRO, data, args.format, now_ms, path.name,
                              progress=lambda s, d, t: progress(s, d, t, "ingest"))
        del data
        t_ingest = time.perf_counter() - t_start
        close = store.close_day(day, now_ms,
                                progress=lambda s, d, t: progress(s, d, t, "close"))
        t_close = time.perf_counter() - t_start - t_ingest
        mark[0] = time.perf_counter()
        settled = plat.sequencer.execute(
            [SettleDay((dt.date(1970, 1, 1) + dt.timedelta(days=day)).isoformat())],
            SYSTEM, "settle")[0]
        t_settle = time.perf_counter() - mark[0]
        total = time.perf_counter() - t_start
    peak = rss_mib()

    t0 = time.perf_counter()
    base_sum = pl.read_parquet(path)["quantity"].sum() if args.format == "parquet" else \
        pl.read_csv(path, columns=["quantity"])["quantity"].sum()
    base = time.perf_counter() - t0

    # the day's Merkle root is RFC 6962's over the postings (checked outside the timing)
    posted = pl.DataFrame(store._rows("SELECT person, grams, events FROM inclusive_postings "
                                      "WHERE day = ? ORDER BY person", (day,)),
                          schema=["person", "grams", "events"], orient="row")
    leaves = [hashlib.sha256(b"\x00" + posting_leaf(day, p, g, e)).digest()
              for p, g, e in posted.iter_rows()]
    assert root_from_leaf_hashes(leaves).hex() == close.root, "Merkle root differs"
    assert posted["grams"].sum() == close.grams
    plat.close()

    lines = result.lines
    print(f"\nbatch: {lines:,} lines, {result.accepted:,} accepted, "
          f"{result.duplicates:,} duplicates, {result.rejected:,} rejected; "
          f"{result.grams / 1e6:,.1f} t CO2e avoided before caps")
    print(f"day: {close.people:,} postings, {close.events:,} events, "
          f"{close.grams / 1e6:,.1f} t credited {dict(close.by_scenario)}; root {close.root[:16]}… "
          f"(RFC 6962 check passed); settled: {settled.result}")
    print(f"\nenrol (setup, not timed): {t_enrol:6.1f} s")
    for name, secs in stages.items():
        by_then = f"   peak RSS by then {peaks[name]:7,.0f} MiB" if name in peaks else ""
        print(f"  {name:<22} {secs:6.1f} s{by_then}")
    print(f"ingest {t_ingest:6.1f} s | close_day {t_close:6.1f} s | SettleDay {t_settle:6.2f} s")
    print(f"end to end: {total:6.1f} s  → {lines / total:12,.0f} events/s")
    print(f"baseline (Polars reads the file, sums quantity = {base_sum:,}): {base:6.2f} s "
          f"→ {lines / base:12,.0f} events/s")
    print(f"ratio baseline / end to end: {total / base:,.1f} × slower "
          f"(end to end runs at {base / total:.3f} of the baseline's rate)")
    print(f"peak RSS (ru_maxrss, this process, generation excluded): {peak:,.0f} MiB")
    if args.keep:
        print(f"kept {tmp}")
    else:
        import shutil
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
