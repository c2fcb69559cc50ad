"""Carbon-inclusive accounts on a real database (SQLite and PostgreSQL): partners' files go
into the people's sub-ledger, a day is closed and settled through the sequencer, people spend
points. The same files twice, a file overlapping another, and a process killed with SIGKILL
halfway through a batch or a close all end with the balances of one clean run; after a
restart the book equals the one in memory and ``log verify`` finds nothing wrong."""

from __future__ import annotations

import datetime as dt
import itertools
import multiprocessing
import os
import signal
import time
from pathlib import Path
from typing import Any

from qingshan.inclusive import queries
from qingshan.inclusive.audit import audit
from qingshan.inclusive.commands import AddReward, DonatePoints, SetConsent, SettleDay
from qingshan.inclusive.ingest import SubLedgerStore
from qingshan.inclusive.state import person_party
from qingshan.infra.config import Settings
from qingshan.infra.db import make_engine
from qingshan.ledger import transparency as tlog
from qingshan.ledger.domain.commands import Command
from qingshan.ledger.domain.model import SYSTEM, Principal, Role
from qingshan.platform import Platform
from tests.support.book import SETUP
from tests.support.databases import check_restart_and_verify
from tests.support.inclusive import (
    INCLUSIVE_SETUP,
    METRO,
    PEOPLE,
    beijing_today,
    csv,
    day_number,
    jsonl,
    people,
    trip,
)


def files(day: dt.date) -> tuple[bytes, bytes]:
    """Two files of one partner's day; the second resends two events of the first."""
    first = [trip(f"m{p}-{h}", p, day, h, 4_000 + 900 * p, 25)
             for p in range(1, 41) for h in (8, 18)]
    first.append({"event_id": "broken", "person": "x"})
    second = [*first[:2], trip("late-1", 7, day, 21, 8_000, 20),
              trip("bus-1", 8, day, 12, 3_000, 15, scenario="bus")]
    return jsonl(first), csv(second)


def _ingest_and_die(url: str, archive: str, data: bytes, stage: str, now: int) -> None:
    """In a child process: ingest, and SIGKILL this process when ``stage`` is reached."""
    engine = make_engine(url)

    def progress(at: str, done: int, total: int) -> None:
        if at == stage:
            os.kill(os.getpid(), signal.SIGKILL)

    SubLedgerStore(engine, Path(archive)).ingest(METRO, data, "jsonl", now, "day.jsonl",
                                                 progress)


def _close_and_die(url: str, archive: str, day: int, now: int) -> None:
    engine = make_engine(url)

    def progress(at: str, done: int, total: int) -> None:
        if at == "post":
            os.kill(os.getpid(), signal.SIGKILL)

    SubLedgerStore(engine, Path(archive)).close_day(day, now, progress)


def _killed(target: Any, *args: Any) -> None:
    proc = multiprocessing.get_context("spawn").Process(target=target, args=args)
    proc.start()
    proc.join(60)
    assert proc.exitcode == -signal.SIGKILL


def test_resent_files_and_a_kill_mid_batch_give_the_balances_of_one_clean_run(
        settings: Settings, tmp_path: Path) -> None:
    plat = Platform.open(settings)
    keys = itertools.count()

    def run(cmd: Command, actor: Principal = SYSTEM) -> dict[str, Any]:
        return plat.sequencer.execute([cmd], actor, f"k{next(keys)}")[0].result

    try:
        plat.sequencer.execute([*SETUP, *INCLUSIVE_SETUP], SYSTEM, "setup")
        archive = tmp_path / "archive"
        store = SubLedgerStore(plat.engine, archive)
        store.enrol(people(*range(1, 41)))
        now = int(time.time() * 1000)
        day = beijing_today(now) - dt.timedelta(days=3)
        a, b = files(day)
        url = settings.database_url
        # killed after archiving the batch but before recording it: nothing of it is there
        _killed(_ingest_and_die, url, str(archive), a, "archive", now)
        assert store._rows("SELECT COUNT(*) FROM inclusive_batches")[0][0] == 0
        first = store.ingest(METRO, a, "jsonl", now, "day.jsonl")
        assert (first.accepted, first.rejected, first.replayed) == (80, 1, False)
        assert store.ingest(METRO, a, "jsonl", now, "day.jsonl").replayed
        second = store.ingest(METRO, b, "csv", now, "more.csv")
        assert (second.accepted, second.duplicates) == (2, 2)
        reasons = store._rows("SELECT code, reason FROM inclusive_rejects")
        assert reasons == [("bad_field", "person must be an account number")]
        # poison in a partner's file (a NUL byte, a lone surrogate, control characters in
        # the file's name) is refused by line and stored escaped, on both databases
        poison = (b'{"event_id": "\\u0000x", "person": 1}\n'
                  b'{"event_id": "\\ud800", "person": 1}\n'
                  b'{"event_id": "ok\x00", "person": 1}\n')
        bad = store.ingest(METRO, poison, "jsonl", now, "evil\x00\x07.jsonl")
        assert (bad.lines, bad.rejected, bad.accepted) == (3, 3, 0)
        ids = [r[0] for r in store.rows("SELECT event_id FROM inclusive_rejects WHERE batch = ? "
                                        "ORDER BY line", (bad.batch,))]
        assert all(i is None or (i.isascii() and i.isprintable()) for i in ids), ids
        assert store.rows("SELECT name FROM inclusive_batches WHERE id = ?",
                          (bad.batch,)) == [("evil.jsonl",)]
        with plat.engine.begin() as conn:  # (so the counts below are the files' own)
            conn.exec_driver_sql("DELETE FROM inclusive_rejects WHERE batch = "
                                 f"'{bad.batch}'")
            conn.exec_driver_sql(f"DELETE FROM inclusive_batches WHERE id = '{bad.batch}'")
        # killed while posting the day: no close row, and closing again replaces the postings
        _killed(_close_and_die, url, str(archive), day_number(day), now)
        assert store._rows("SELECT COUNT(*) FROM inclusive_closes")[0][0] == 0
        close = store.close_day(day_number(day), now)
        assert close.people == 40 and close.events == 82
        assert store.close_day(day_number(day), now) == close  # closing again: the same day
        settled = run(SettleDay(day.isoformat()))
        assert (settled["root"], settled["grams"]) == (close.root, close.grams)
        assert plat.sequencer.router.ledger.available(PEOPLE, "CIP") == close.grams
        postings = store._rows("SELECT SUM(grams), COUNT(*) FROM inclusive_postings")[0]
        assert (int(postings[0]), int(postings[1])) == (close.grams, 40)
        # person 6 withdraws the metro's consent: their later events are refused, and the
        # account shows it
        person6 = Principal("k-p6", Role.PERSON, person_party(6))
        run(SetConsent(person=6, partner=METRO, allow=False), person6)
        later = store.ingest(METRO, jsonl([trip("after", 6, day, 22, 5_000, 20)]), "jsonl", now)
        assert (later.accepted, later.rejected) == (0, 1)
        assert store.rows("SELECT code FROM inclusive_rejects WHERE event_id = 'after'") == [
            ("no_consent",)]
        acct = queries.account(store, 6)
        assert acct is not None and acct["partners"][0]["allowed"] is False
        run(SetConsent(person=6, partner=METRO, allow=True), person6)
        next_day = day + dt.timedelta(days=1)  # (the day itself is settled: too late)
        again = store.ingest(METRO, jsonl([trip("after2", 6, next_day, 9, 5_000, 20)]),
                             "jsonl", now)
        assert again.accepted == 1
        run(AddReward(name="公交乘车优惠券", price=100, stock=5, sponsor=METRO))
        run(DonatePoints(person=3, grams=100, note="重庆马拉松"))
        one = store.day_events(day_number(day), person=3)
        assert one.height == 2 and int(one["credited"].sum()) > 100
        # the reads: public totals, a person's account and statement, a partner's batches
        total = queries.summary(store)
        assert (total["grams"], total["people"], total["spent"]) == (
            close.grams, 40, {"donate": 100})
        assert sum(total["by_district"].values()) == close.grams
        assert total["by_partner"] == {METRO: close.grams}
        mine = queries.account(store, 3)
        assert mine is not None and mine["balance"] == mine["settled"] - 100
        assert sum(mine["by_month"][day.isoformat()[:7]].values()) == mine["settled"]
        lines = queries.statement(store, 3, day, day)
        assert [len(x["lines"]) for x in lines] == [2] and lines[0]["settled"]
        assert queries.account(store, 999) is None
        batches = queries.partner_batches(store, METRO)
        assert sorted(b["lines"] for b in batches) == [1, 1, 4, 81]
        rej = queries.batch_rejects(store, first.batch)
        assert [r["code"] for r in rej] == ["bad_field"]
        odd = queries.partner_anomalies(store, METRO)
        assert (odd["rejected"], odd["duplicates"], odd["rejects_by_code"]) == (
            2, 2, {"bad_field": 1, "no_consent": 1})
        data = queries.export(store, 3)
        assert data is not None and data["postings"] == lines
        # a person proves their posting is in the day's root, which the journal holds
        proof = queries.posting_proof(store, 3, day)
        assert proof is not None and proof["root"] == settled["root"]
        leaf = tlog.leaf_hash(proof["leaf"].encode())
        path = [bytes.fromhex(x) for x in proof["proof"]]
        root = bytes.fromhex(proof["root"])
        assert tlog.verify_inclusion(leaf, proof["index"], proof["size"], path, root)
        forged = tlog.leaf_hash(proof["leaf"].replace(f":{proof['grams']}:",
                                                      f":{proof['grams'] + 1}:").encode())
        assert not tlog.verify_inclusion(forged, proof["index"], proof["size"], path, root)
        assert queries.posting_proof(store, 999, day) is None
        # an auditor recomputes the settled day event by event; a tampered posting shows
        assert audit(store) == []
        tamper = "UPDATE inclusive_postings SET grams = grams {} 1 WHERE person = 5"
        with plat.engine.begin() as conn:
            conn.exec_driver_sql(tamper.format("+"))
        assert any("postings differ" in p for p in audit(store))
        with plat.engine.begin() as conn:
            conn.exec_driver_sql(tamper.format("-"))
        book = plat.sequencer.router.book("inclusive")
        assert book.invariants() == []
        before = book.snapshot()
    finally:
        plat.close()
    check_restart_and_verify(settings, "inclusive", before)
