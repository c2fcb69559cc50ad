"""Real server processes on SQLite and PostgreSQL: 16 clients in parallel, and kill -9 in the
middle of a stream of writes."""

from __future__ import annotations

import random
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from qingshan.infra.config import Settings
from qingshan.infra.schema import journal
from qingshan.ledger import queries
from qingshan.ledger.domain.model import SYSTEM, Role
from qingshan.platform import Platform
from tests.support.book import SETUP, TREASURY, fund, issue
from tests.support.keys import make_key
from tests.support.server import ServerProcess

pytestmark = pytest.mark.slow
ACCOUNTS = ["A00000004", "A00000005", "A00000006"]  # alice, bob, alice's second account


def prepare(settings: Settings) -> tuple[str, int]:
    """Seed the book; return an operator key and the journal's size. The server starts after."""
    plat = Platform.open(settings)
    try:
        plat.sequencer.execute(list(SETUP), SYSTEM, "setup")
        plat.sequencer.execute([issue(a, 5_000) for a in ACCOUNTS]
                               + [fund(a, 1_000_000) for a in ACCOUNTS], SYSTEM, "seed")
        return make_key(plat, Role.OPERATOR, None), plat.sequencer.size
    finally:
        plat.close()


def totals(settings: Settings) -> tuple[dict[str, Any], dict[str, int], list[str]]:
    plat = Platform.open(settings)
    try:
        with plat.engine.connect() as conn:
            supply = queries.supply(conn)["CQCER"]
            money = {a: next((b["balance"] for b in queries.holdings(conn, a)["balances"]
                              if b["asset"] == "CNY"), 0) for a in [*ACCOUNTS, TREASURY]}
        report = plat.verify()
        return supply, money, report.problems
    finally:
        plat.close()


def test_sixteen_clients_in_parallel_conserve_everything(settings: Settings,
                                                         tmp_path: Path) -> None:
    key, base = prepare(settings)
    server = ServerProcess(settings.database_url, settings.signing_key_path).start()
    accepted: list[int] = []
    refused: list[str] = []
    lock = threading.Lock()

    def client(n: int) -> None:
        rng = random.Random(n)
        with httpx.Client(base_url=server.base, timeout=30,
                          headers={"Authorization": f"Bearer {key}"}) as http:
            for i in range(40):
                src, dst = rng.sample(ACCOUNTS, 2)
                asset = rng.choice(["CQCER", "CNY"])
                qty = rng.randrange(1, 900) if asset == "CQCER" else rng.randrange(1, 300_000)
                r = http.post("/api/v1/transfers", headers={"Idempotency-Key": f"c{n}-{i}"},
                              json={"asset": asset, "source": src, "destination": dst,
                                    "quantity": qty})
                with lock:
                    if r.status_code == 201:
                        accepted.append(r.json()["seq"])
                    else:
                        assert r.status_code == 409, r.text
                        refused.append(r.json()["error"]["code"])

    threads = [threading.Thread(target=client, args=(n,)) for n in range(16)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        size = httpx.get(f"{server.base}/healthz").json()["journal_size"]
    finally:
        server.stop()
    assert len(accepted) + len(refused) == 16 * 40
    assert len(set(accepted)) == len(accepted), "a write was doubled"
    assert size == base + len(accepted), "a write was lost"
    assert sorted(accepted) == list(range(base + 1, size + 1)), "a write was lost"
    supply, money, problems = totals(settings)
    assert problems == []
    assert supply["issued"] == 15_000 and supply["active"] == 15_000
    assert sum(money.values()) == 0 and all(money[a] >= 0 for a in ACCOUNTS)


@pytest.mark.parametrize("cycles", [4])
def test_kill_9_loses_no_acknowledged_write(settings: Settings, cycles: int) -> None:
    key, _ = prepare(settings)
    acknowledged: dict[str, dict[str, Any]] = {}
    n = 0
    for cycle in range(cycles):
        server = ServerProcess(settings.database_url, settings.signing_key_path).start()
        stop = threading.Event()

        def writer(server: ServerProcess = server, cycle: int = cycle,
                   stop: threading.Event = stop) -> None:
            nonlocal n
            rng = random.Random(cycle)
            with httpx.Client(base_url=server.base, timeout=10,
                              headers={"Authorization": f"Bearer {key}"}) as http:
                while not stop.is_set():
                    src, dst = rng.sample(ACCOUNTS, 2)
                    k = f"w{n}"
                    n += 1
                    try:
                        r = http.post("/api/v1/batch", headers={"Idempotency-Key": k}, json={
                            "commands": [
                                {"kind": "transfer", "payload": {
                                    "asset": "CQCER", "source": src, "destination": dst,
                                    "quantity": rng.randrange(1, 50)}},
                                {"kind": "transfer", "payload": {
                                    "asset": "CNY", "source": dst, "destination": src,
                                    "quantity": rng.randrange(1, 5000)}}]})
                    except httpx.HTTPError:
                        return  # the server died under us: this write was not acknowledged
                    if r.status_code == 201:
                        acknowledged[k] = r.json()

        t = threading.Thread(target=writer)
        t.start()
        threading.Event().wait(1.0 + cycle * 0.3)
        server.kill9()
        stop.set()
        t.join()
    assert len(acknowledged) > 20
    plat = Platform.open(settings)
    try:
        with plat.engine.connect() as conn:
            for receipts in acknowledged.values():
                for r in receipts["receipts"]:
                    entry, _ = queries.journal_entry(conn, r["seq"])
                    assert entry["result"] == r["result"] and entry["time"] == r["time"]
            # nothing half-written: each two-command batch is in the journal whole or not at all
            keys = [k for (k,) in conn.execute(
                select(journal.c.idem_key).where(journal.c.idem_key.like("%/w%")))]
            halves: dict[str, int] = {}
            for k in keys:
                halves[k.rsplit("#", 1)[0]] = halves.get(k.rsplit("#", 1)[0], 0) + 1
            assert halves and set(halves.values()) == {2}
            assert {k.split("/", 1)[1] for k in halves} >= set(acknowledged)
    finally:
        plat.close()
    supply, money, problems = totals(settings)
    assert problems == []
    assert supply["issued"] == 15_000 and sum(money.values()) == 0
