"""Real server processes on SQLite and PostgreSQL: one request cannot stop the writer, SIGTERM
answers every request waiting for it with 503 and releases the writer lock, and a standby
takes over."""

from __future__ import annotations

import threading

import httpx
import pytest

from qingshan.infra.config import Settings
from qingshan.ledger.domain.model import SYSTEM, Role
from qingshan.platform import Platform
from tests.support.book import ALICE, BOB, SETUP, fund, issue
from tests.support.keys import make_key
from tests.support.server import ServerProcess
from tests.support.writer import wait_until, writes_blocked

pytestmark = pytest.mark.slow
TRANSFER = {"asset": "CNY", "source": ALICE, "destination": BOB, "quantity": 1}
# the JSON escape of a lone UTF-16 surrogate, as a client may send it in any text field
SURROGATE = (b'{"asset": "CNY", "source": "A00000004", "destination": "A00000005", '
             b'"quantity": 1, "memo": "\\ud800"}')


def prepare(settings: Settings) -> dict[str, str]:
    """Seed the book; return an operator's and an auditor's API keys."""
    plat = Platform.open(settings)
    try:
        plat.sequencer.execute(list(SETUP), SYSTEM, "setup")
        plat.sequencer.execute([issue(ALICE, 100), fund(ALICE, 100_000)], SYSTEM, "seed")
        return {"operator": make_key(plat, Role.OPERATOR, None),
                "auditor": make_key(plat, Role.AUDITOR, None)}
    finally:
        plat.close()


def write(server: ServerProcess, token: str, key: str, *, content: bytes | None = None,
          path: str = "/api/v1/transfers", timeout: float = 30) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": key,
               "Content-Type": "application/json"}
    if content is None:
        return httpx.post(server.base + path, json=TRANSFER, headers=headers, timeout=timeout)
    return httpx.post(server.base + path, content=content, headers=headers, timeout=timeout)


def verified(settings: Settings) -> list[str]:
    plat = Platform.open(settings)
    try:
        return plat.verify().problems
    finally:
        plat.close()


def test_a_lone_surrogate_from_a_read_only_key_does_not_stop_the_writer(
        settings: Settings) -> None:
    keys = prepare(settings)
    server = ServerProcess(settings.database_url, settings.signing_key_path).start()
    try:
        batch = (b'{"commands": [{"kind": "transfer", "payload": ' + SURROGATE + b"}]}")
        for who, n in (("auditor", 0), ("operator", 1)):
            r = write(server, keys[who], f"bad{n}", content=SURROGATE, timeout=10)
            assert 400 <= r.status_code < 500, r.text
            r = write(server, keys[who], f"bad-batch{n}", content=batch,
                      path="/api/v1/batch", timeout=10)
            assert 400 <= r.status_code < 500, r.text
        r = write(server, keys["operator"], "after", timeout=10)
        assert r.status_code == 201, r.text
        health = server.health()
        assert health["ok"] and health["writer"]["alive"] and health["writer"]["restarts"] == 0
        server.sigterm()
        server.wait_exit(30)
    finally:
        server.stop()
    # the writer lock was released: a new server leads at once
    again = ServerProcess(settings.database_url, settings.signing_key_path).start(timeout=30)
    try:
        assert write(again, keys["operator"], "after").status_code == 200  # a replay
    finally:
        again.stop()
    assert verified(settings) == []


def test_sigterm_answers_waiting_requests_with_503_and_a_standby_takes_over(
        settings: Settings) -> None:
    keys = prepare(settings)
    op = keys["operator"]
    url = settings.database_url
    leader = ServerProcess(url, settings.signing_key_path).start()
    standby = ServerProcess(url, settings.signing_key_path).start(leader=False)
    answers: dict[str, httpx.Response] = {}

    def send(key: str) -> None:
        answers[key] = write(standby if key == "x" else leader, op, key)

    try:
        assert not standby.health()["leader"]
        send("x")
        assert answers["x"].status_code == 503
        assert answers["x"].json()["error"]["code"] == "not_leader"
        with writes_blocked(url):
            first = threading.Thread(target=send, args=("first",))
            first.start()
            wait_until(lambda: leader.health()["writer"]["in_flight"] == 1, what="a write")
            waiting = [threading.Thread(target=send, args=(f"w{i}",)) for i in range(8)]
            for t in waiting:
                t.start()
            wait_until(lambda: leader.health()["writer"]["queue_depth"] == 8, what="a queue")
            leader.sigterm()
            for t in waiting:  # answered while the write in flight still waits
                t.join(20)
            for i in range(8):
                r = answers[f"w{i}"]
                assert r.status_code == 503 and r.json()["error"]["code"] == "unavailable"
        first.join(30)
        assert answers["first"].status_code == 201, answers["first"].text
        leader.wait_exit(30)
        wait_until(lambda: bool(standby.health()["leader"]), timeout=30, what="the takeover")
        # the refused requests were not applied: under the same keys they run afresh
        r = write(standby, op, "w0")
        assert r.status_code == 201
        assert r.json()["seq"] == answers["first"].json()["seq"] + 1
    finally:
        leader.stop()
        standby.stop()
    assert verified(settings) == []

