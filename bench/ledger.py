"""Ledger throughput, each figure beside a baseline measured in the same run.

    .venv/bin/python bench/ledger.py              # everything (about 3 minutes)
    .venv/bin/python bench/ledger.py --quick      # smaller counts

Measures, on SQLite and on a throwaway PostgreSQL:
- transfers/s through the service (sequencer + store) in batches of 1,000 and of 1, beside the
  engine's raw rate of inserting the equivalent rows (one journal row and two postings per
  transfer) with plain DB-API executemany in transactions of the same size;
- the same with the transparency log switched off, to give the log's cost;
- single HTTP transfers through one uvicorn worker (wrk, 16 connections), beside a bare FastAPI
  endpoint that checks an idempotency key and inserts one row per request into SQLite;
- memory and load time for one million live unit blocks.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.book import SETUP  # noqa: E402

from qingshan.infra.migrate import upgrade  # noqa: E402
from qingshan.infra.throwaway_pg import ThrowawayPostgres  # noqa: E402
from qingshan.ledger import transparency as tlog  # noqa: E402
from qingshan.ledger.domain.commands import Command, Transfer  # noqa: E402
from qingshan.ledger.domain.model import SYSTEM, BlockState, UnitBlock  # noqa: E402
from qingshan.ledger.domain.state import LedgerState  # noqa: E402
from qingshan.ledger.sequencer import Sequencer  # noqa: E402
from qingshan.ledger.store import LedgerStore  # noqa: E402

ACCOUNTS = [f"A{n:08d}" for n in range(4, 104)]
ENTRY = ('{"actor":{"id":"system","party":null,"role":"system"},"key":"system/b-000000-0000",'
         '"kind":"transfer","payload":{"asset":"CNY","destination":"A00000042","memo":"",'
         '"quantity":123,"ranges":null,"source":"A00000017"},"result":{"amount":123},'
         '"seq":1,"time":1764000000000}')


def line(label: str, rate: float, unit: str, base: float | None = None,
         base_label: str = "") -> str:
    text = f"{label:<58} {rate:>10,.0f} {unit}"
    if base:
        text += f"   ratio {rate / base:5.2f} × {base_label} ({base:,.0f})"
    print(text, flush=True)
    return text


# ---------------------------------------------------------------------------------- baselines
def raw_rows(n: int, offset: int = 0) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    journal, postings = [], []
    for i in range(offset, offset + n):
        leaf = hashlib.sha256(ENTRY.encode()).digest()
        journal.append((i + 1, 1764000000000, "system", f"k{i}", "h" * 64, "transfer", ENTRY,
                        leaf))
        postings.append((i + 1, "A00000017", "CNY", -123))
        postings.append((i + 1, "A00000042", "CNY", 123))
    return journal, postings


RAW_DDL = [
    "CREATE TABLE j (seq BIGINT PRIMARY KEY, time_ms BIGINT, actor TEXT, idem_key TEXT UNIQUE, "
    "request_hash TEXT, kind TEXT, entry TEXT, leaf_hash {blob})",
    "CREATE TABLE p (seq BIGINT, account TEXT, asset TEXT, amount BIGINT)",
    "CREATE INDEX p_acct ON p (account, asset, seq)",
]


def raw_insert_rate(connect: Callable[[], Any], placeholder: str, blob: str, n: int,
                    per_txn: int, sqlite: bool) -> float:
    conn = connect()
    cur = conn.cursor()
    for ddl in RAW_DDL:
        cur.execute(ddl.format(blob=blob))
    if not sqlite:
        conn.commit()
    qj = f"INSERT INTO j VALUES ({','.join([placeholder] * 8)})"
    qp = f"INSERT INTO p VALUES ({','.join([placeholder] * 4)})"
    start = time.perf_counter()
    done = 0
    while done < n:
        j, p = raw_rows(per_txn, done)
        if sqlite:
            cur.execute("BEGIN IMMEDIATE")
        cur.executemany(qj, j)
        cur.executemany(qp, p)
        if sqlite:
            cur.execute("COMMIT")
        else:
            conn.commit()
        done += per_txn
    rate = done / (time.perf_counter() - start)
    conn.close()
    return rate


def sqlite_connect(path: Path) -> Callable[[], Any]:
    def connect() -> Any:
        c = sqlite3.connect(path, isolation_level=None)
        c.execute("PRAGMA journal_mode=WAL")
        c.execute("PRAGMA synchronous=FULL")
        return c
    return connect


# ---------------------------------------------------------------------------------- service
def fresh_sequencer(url: str, *, log: bool = True) -> Sequencer:
    upgrade(url)
    seq = Sequencer(LedgerStore(url), tlog.generate_signing_key(), transparency_log=log)
    seq.start()
    from qingshan.ledger.domain.commands import OpenAccount
    from qingshan.ledger.domain.model import AccountType

    seq.execute(list(SETUP[:9]), SYSTEM, "setup")
    seq.execute([OpenAccount("P000002", AccountType.HOLDING, f"a{i}") for i in range(100)],
                SYSTEM, "accounts")
    seq.execute([Transfer("CNY", "A00000003", a, 10**12) for a in ACCOUNTS], SYSTEM, "fund")
    from tests.support.book import issue

    seq.execute([issue(a, 1_000_000) for a in ACCOUNTS], SYSTEM, "issue")
    return seq


def transfers(rng: random.Random, n: int, asset: str) -> list[Command]:
    out: list[Command] = []
    for _ in range(n):
        src, dst = rng.sample(ACCOUNTS, 2)
        out.append(Transfer(asset, src, dst, rng.randrange(1, 100)))
    return out


def service_rate(url: str, n: int, batch: int, *, asset: str = "CNY", log: bool = True,
                 clients: int = 1) -> float:
    seq = fresh_sequencer(url, log=log)
    rng = random.Random(7)
    groups = [transfers(rng, batch, asset) for _ in range(n // batch)]
    per_client = [groups[i::clients] for i in range(clients)]

    def worker(c: int) -> None:
        for i, g in enumerate(per_client[c]):
            seq.execute(g, SYSTEM, f"b-{c}-{i}")

    start = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(c,)) for c in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rate = (n // batch) * batch / (time.perf_counter() - start)
    seq.stop()
    return rate


# ---------------------------------------------------------------------------------- HTTP
WRK_LUA = """
counter = 0
local accounts = {}
for i = 4, 103 do accounts[#accounts + 1] = string.format("A%08d", i) end
request = function()
  counter = counter + 1
  local s = accounts[math.random(#accounts)]
  local d = accounts[math.random(#accounts)]
  while d == s do d = accounts[math.random(#accounts)] end
  local body = string.format(
    '{"asset":"CNY","source":"%s","destination":"%s","quantity":%d}', s, d, math.random(99))
  wrk.headers["Idempotency-Key"] = string.format("w%d-%d-%d", os.time(), math.random(1e9), counter)
  return wrk.format("POST", "/api/v1/transfers", nil, body)
end
"""


def run_wrk(url: str, headers: dict[str, str], seconds: int, tmp: Path) -> tuple[float, float]:
    script = tmp / "transfer.lua"
    script.write_text(WRK_LUA)
    cmd = ["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency", "-s", str(script)]
    for k, v in headers.items():
        cmd += ["-H", f"{k}: {v}"]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    rps = float(next(ln.split()[1] for ln in out.splitlines() if ln.startswith("Requests/sec")))
    p99 = next(ln.split()[1] for ln in out.splitlines() if ln.strip().startswith("99%"))
    p50 = next(ln.split()[1] for ln in out.splitlines() if ln.strip().startswith("50%"))
    print(f"   (p50 {p50})")
    bad = next((ln for ln in out.splitlines() if "Non-2xx" in ln), None)
    if bad:
        raise RuntimeError(f"wrk saw errors: {bad}")
    value = float(p99.rstrip("msu"))
    p99_ms = value / 1000 if p99.endswith("us") else value * 1000 if p99.endswith("s") and \
        not p99.endswith("ms") else value
    return rps, p99_ms


def wait_http(url: str) -> None:
    import httpx

    for _ in range(300):
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def http_rates(tmp: Path, seconds: int) -> tuple[tuple[float, float], tuple[float, float]]:
    from qingshan.access.keys import CLI, issue_key
    from qingshan.infra.config import Settings
    from qingshan.ledger.domain.model import Role
    from qingshan.platform import Platform

    url = f"sqlite:///{tmp / 'http.db'}"
    seq = fresh_sequencer(url)
    seq.stop()
    plat = Platform.open(Settings(database_url=url, signing_key_path=tmp / "http-key.pem"))
    try:
        key, _ = issue_key(plat.engine, plat.sequencer, CLI, Role.OPERATOR, None, "bench")
    finally:
        plat.close()
    env = dict(os.environ, QINGSHAN_DATABASE_URL=url,
               QINGSHAN_SIGNING_KEY_PATH=str(tmp / "http-key.pem"))
    ours = subprocess.Popen([sys.executable, "-m", "qingshan.cli.main", "serve", "--port",
                             "8811"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        wait_http("http://127.0.0.1:8811/healthz")
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        run_wrk("http://127.0.0.1:8811", headers, 2, tmp)  # warm up
        mine = run_wrk("http://127.0.0.1:8811", headers, seconds, tmp)
    finally:
        ours.terminate()
        ours.wait()
    env = dict(os.environ, BARE_DB=str(tmp / "bare.db"))
    bare = subprocess.Popen([sys.executable, "-m", "uvicorn", "bare_transfer_app:app",
                             "--port", "8812", "--log-level", "warning",
                             "--app-dir", str(Path(__file__).parent)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_http("http://127.0.0.1:8812/healthz")
        run_wrk("http://127.0.0.1:8812", {"Content-Type": "application/json"}, 2, tmp)
        base = run_wrk("http://127.0.0.1:8812", {"Content-Type": "application/json"}, seconds,
                       tmp)
    finally:
        bare.terminate()
        bare.wait()
    return mine, base


# ---------------------------------------------------------------------------------- memory
def memory_for_blocks(n: int) -> tuple[float, float, float]:
    gc.collect()
    proc = psutil.Process()
    before = proc.memory_info().rss
    state = LedgerState()
    start = time.perf_counter()
    for i in range(n):
        state.load_block(UnitBlock(i + 1, "CQCER", 1 + i // 10_000, 2023, i * 10 + 1,
                                   i * 10 + 10, ACCOUNTS[i % 100], BlockState.ACTIVE))
    seconds = time.perf_counter() - start
    gc.collect()
    after = proc.memory_info().rss
    per_block = (after - before) / n
    del state
    return (after - before) / 2**20, per_block, seconds


# ---------------------------------------------------------------------------------- main
def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--skip-http", action="store_true")
    ap.add_argument("--skip-postgres", action="store_true")
    args = ap.parse_args()
    big = 20_000 if args.quick else 100_000
    small = 1_000 if args.quick else 3_000
    tmp = Path(tempfile.mkdtemp(prefix="qingshan-bench-"))
    print(f"# bench/ledger.py on {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
          f"SQLite {sqlite3.sqlite_version}")
    try:
        db = tmp / "raw.db"
        raw1000 = raw_insert_rate(sqlite_connect(db), "?", "BLOB", big, 1000, True)
        db.unlink()
        raw1 = raw_insert_rate(sqlite_connect(db), "?", "BLOB", small, 1, True)
        print("## SQLite (WAL, synchronous=FULL)")
        line("raw insert of equivalent rows, 1,000 per transaction", raw1000, "transfers/s")
        line("raw insert of equivalent rows, 1 per transaction", raw1, "transfers/s")
        n = 0

        def url() -> str:
            nonlocal n
            n += 1
            return f"sqlite:///{tmp / f'svc{n}.db'}"

        with_log = service_rate(url(), big, 1000)
        line("service, CNY transfers, batches of 1,000", with_log, "transfers/s", raw1000,
             "raw")
        without = service_rate(url(), big, 1000, log=False)
        line("service, same, transparency log off", without, "transfers/s", raw1000, "raw")
        print(f"   transparency log cost: {100 * (1 - with_log / without):.1f}%")
        line("service, CQCER unit transfers (split blocks), batches of 1,000",
             service_rate(url(), big, 1000, asset="CQCER"), "transfers/s", raw1000, "raw")
        line("service, CNY transfers, batches of 1, one client",
             service_rate(url(), small, 1), "transfers/s", raw1, "raw")
        line("service, CNY transfers, batches of 1, 16 clients (group commit)",
             service_rate(url(), small * 4, 1, clients=16), "transfers/s", raw1, "raw")
        if not args.skip_postgres:
            with ThrowawayPostgres() as pg:
                import psycopg

                print("## PostgreSQL 15 (fsync on, synchronous_commit on)")
                raw_url = pg.create_database("raw")
                dsn = LedgerStore(raw_url).conninfo()
                praw1000 = raw_insert_rate(lambda: psycopg.connect(dsn), "%s", "BYTEA", big,
                                           1000, False)
                raw2 = pg.create_database("raw2")
                dsn2 = LedgerStore(raw2).conninfo()
                praw1 = raw_insert_rate(lambda: psycopg.connect(dsn2), "%s", "BYTEA", small, 1,
                                        False)
                line("raw insert of equivalent rows, 1,000 per transaction", praw1000,
                     "transfers/s")
                line("raw insert of equivalent rows, 1 per transaction", praw1, "transfers/s")
                pw = service_rate(pg.create_database("s1"), big, 1000)
                line("service, CNY transfers, batches of 1,000", pw, "transfers/s", praw1000,
                     "raw")
                po = service_rate(pg.create_database("s2"), big, 1000, log=False)
                line("service, same, transparency log off", po, "transfers/s", praw1000, "raw")
                print(f"   transparency log cost: {100 * (1 - pw / po):.1f}%")
                line("service, CNY transfers, batches of 1, one client",
                     service_rate(pg.create_database("s3"), small, 1), "transfers/s", praw1,
                     "raw")
                line("service, CNY transfers, batches of 1, 16 clients (group commit)",
                     service_rate(pg.create_database("s4"), small * 4, 1, clients=16),
                     "transfers/s", praw1, "raw")
        if not args.skip_http and shutil.which("wrk"):
            print("## HTTP: POST /api/v1/transfers, one uvicorn worker, wrk -c16 on the same "
                  "2 cores, SQLite")
            (rps, p99), (brps, bp99) = http_rates(tmp, 5 if args.quick else 15)
            line("bare FastAPI endpoint (key check + 1 insert per request)", brps, "req/s")
            print(f"   p99 {bp99:.1f} ms")
            line("qingshan single transfers", rps, "req/s", brps, "bare")
            print(f"   p99 {p99:.1f} ms")
        elif not args.skip_http:
            print("## HTTP skipped: wrk is not installed (make bench installs it)")
        print("## memory")
        mb, per, secs = memory_for_blocks(200_000 if args.quick else 1_000_000)
        count = "200,000" if args.quick else "1,000,000"
        print(f"{count} live unit blocks in the sequencer's book: {mb:,.0f} MiB "
              f"({per:,.0f} bytes per block), indexed in {secs:.1f} s")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
