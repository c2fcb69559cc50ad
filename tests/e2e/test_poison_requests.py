"""No request can stop or poison the writer: on SQLite and on PostgreSQL, every write route of
the API (found in the app's routes, so a new route is covered) refuses a lone surrogate, a NUL,
a control character and an over-long value in each of its text fields and path parameters
with a 4xx, changes nothing, and an honest write sent right after it succeeds."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient

from qingshan.api.app import create_app
from qingshan.infra.config import Settings
from qingshan.ledger.domain.model import SYSTEM, Role
from qingshan.platform import Platform
from tests.e2e.conftest import Api
from tests.support.book import ALICE_P, SETUP, fund, issue
from tests.support.keys import make_keys
from tests.support.requests import (
    ALICE,
    BOB,
    EXAMPLES,
    SECONDS,
    path_with,
    text_values,
    within,
    write_routes,
)

POISON = {"surrogate": "x\ud800y", "nul": "x\x00y", "control": "x\x1by"}
TOO_LONG = "x" * 10_000  # longer than any text field takes (descriptions: 4,000)


@pytest.fixture
def site(settings: Settings) -> Iterator[Api]:
    plat = Platform.open(settings)
    plat.sequencer.execute(list(SETUP), SYSTEM, "setup")
    plat.sequencer.execute([issue(ALICE, 100_000), fund(ALICE, 10_000)], SYSTEM, "seed")
    keys = make_keys(plat, {"operator": (Role.OPERATOR, None), "alice": (Role.MEMBER, ALICE_P)})
    with TestClient(create_app(settings, plat)) as client:
        yield Api(client, plat, keys)
    plat.close()


class Poisoner:
    def __init__(self, site: Api) -> None:
        self.site = site
        self.counter = itertools.count()

    def send(self, path: str, body: Any, key: str | None = None) -> Any:
        headers = {**self.site.headers("operator", key or f"poison-{next(self.counter)}"),
                   "content-type": "application/json"}
        content = b"" if body is None else json.dumps(body).encode()  # \ud800 as an escape
        return within(lambda: self.site.client.post(path, content=content, headers=headers))

    def honest_write(self) -> None:
        n = next(self.counter)
        r = within(lambda: self.site.client.post(
            "/api/v1/transfers", json={"asset": "CQCER", "source": ALICE, "destination": BOB,
                                       "quantity": 1},
            headers=self.site.headers("alice", f"honest-{n}")))
        assert r.status_code == 201, r.text

    def refused(self, path: str, body: Any, what: str, field: str | None = None,
                key: str | None = None) -> None:
        size = self.site.size
        r = self.send(path, body, key)
        assert 400 <= r.status_code < 500, f"{path} {what}: {r.status_code} {r.text[:200]}"
        if field is not None:
            error = r.json()["error"]
            assert (error["code"], error["data"]["field"]) == ("invalid_text", field), \
                f"{path} {what}: {r.text[:300]}"
        assert self.site.size == size, f"{path} {what} changed the journal"
        self.honest_write()


def test_every_write_route_has_an_example_body(site: Api) -> None:
    missing = [r for r in write_routes(site.client.app) if r not in EXAMPLES]  # type: ignore[arg-type]
    assert missing == [], "add a well-formed body for these routes to tests/support/requests.py"


@pytest.mark.slow
def test_poisoned_text_in_any_write_is_refused_and_the_writer_lives(site: Api) -> None:
    p = Poisoner(site)
    routes = write_routes(site.client.app)  # type: ignore[arg-type]
    assert len(routes) >= 39  # the ledger 13, the registry 10, the market 16 (today)
    doc = site.client.get("/openapi.json").json()
    checked = 0
    for route in routes:
        body = EXAMPLES[route]
        path = path_with(route)
        for field, put in text_values(body):
            for what, value in POISON.items():
                p.refused(path, put(value), f"{field}={what}", field)
            p.refused(path, put(TOO_LONG), f"{field} too long")
            checked += 4
        if isinstance(body, dict):  # a poisoned key is refused as well
            p.refused(path, {**body, "x\x00": 1}, "a key with a NUL", "x\\u0000")
        for name in set(route.split("{")[1:]):
            param = name.split("}")[0]
            for what, value in (("nul", "%00"), ("control", "%1B")):
                p.refused(path_with(route, **{param: f"X{value}Y"}), body, f"{param}={what}",
                          param)
            p.refused(path_with(route, **{param: TOO_LONG}), body, f"{param} too long")
            checked += 3
        if any(h["name"] == "Idempotency-Key" for h in doc["paths"][route]["post"]["parameters"]):
            p.refused(path, body, "an Idempotency-Key with a control character",
                      "Idempotency-Key", key="k\x1b")
    assert checked > 300


def test_honest_writes_sent_beside_poisoned_ones_all_succeed(site: Api) -> None:
    p = Poisoner(site)
    bad = [("/api/v1/parties", {"party_kind": "individual", "name": POISON[k]})
           for k in POISON] * 4
    with ThreadPoolExecutor(8) as pool:
        poisoned = [pool.submit(p.send, path, body) for path, body in bad]
        honest = [pool.submit(p.honest_write) for _ in range(12)]
        for f in poisoned:
            assert f.result(timeout=SECONDS).status_code == 422
        for f in honest:
            f.result(timeout=SECONDS)
