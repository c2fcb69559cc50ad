from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from qingshan.api.app import create_app
from qingshan.infra.config import Settings
from qingshan.ledger.domain.model import SYSTEM, Role
from qingshan.platform import Platform
from tests.support.book import ALICE_P, BOB_P, COURT_P, SETUP, fund, issue
from tests.support.databases import migrated_sqlite
from tests.support.keys import make_keys
from tests.support.openapi import conformance


@dataclass
class Api:
    client: TestClient
    platform: Platform
    keys: dict[str, str]

    def headers(self, who: str, key: str | None = None) -> dict[str, str]:
        h = {"Authorization": f"Bearer {self.keys[who]}"}
        if key is not None:
            h["Idempotency-Key"] = key
        return h

    @property
    def size(self) -> int:
        return self.platform.sequencer.size


class Flow:
    """Posts as a named principal, each time under a fresh idempotency key."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.n = 0

    def post(self, path: str, body: dict[str, Any], who: str) -> Any:
        self.n += 1
        return self.api.client.post(f"/api/v1{path}", json=body,
                                    headers=self.api.headers(who, f"k{self.n}"))

    def ok(self, path: str, body: dict[str, Any], who: str) -> dict[str, Any]:
        """Post, expect 201, return the result."""
        r = self.post(path, body, who)
        assert r.status_code == 201, r.text
        result: dict[str, Any] = r.json()["result"]
        return result


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    settings = Settings(database_url=migrated_sqlite(tmp_path / "api.db"),
                        signing_key_path=tmp_path / "key.pem", max_batch=50)
    plat = Platform.open(settings)
    plat.sequencer.execute(list(SETUP), SYSTEM, "setup")
    plat.sequencer.execute([issue("A00000004", 100), issue("A00000005", 100),
                            fund("A00000004", 10_000)], SYSTEM, "seed")
    keys = make_keys(plat, {"operator": (Role.OPERATOR, None), "auditor": (Role.AUDITOR, None),
                            "alice": (Role.MEMBER, ALICE_P), "bob": (Role.MEMBER, BOB_P),
                            "court": (Role.COURT, COURT_P), "verifier": (Role.VERIFIER, BOB_P)})
    with TestClient(create_app(settings, plat)) as client:
        conformance(client)  # every JSON answer matches its documented schema
        yield Api(client, plat, keys)
    plat.close()
