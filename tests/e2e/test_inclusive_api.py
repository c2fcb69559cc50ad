"""Carbon-inclusive accounts through HTTP only: the operator names the accounts, admits
partners and enrols people; a partner sends JSON lines and CSV (the same bytes again are
replayed), its refused lines come back with their codes, and no other partner reads them;
the operator closes and settles a day; a person reads only their own account, statement and
export, redeems and donates; bad input is answered 4xx with its code. One platform for the
module: the fixture does the day's work once, each test reads it or writes on its own."""

from __future__ import annotations

import datetime as dt
import io
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from fastapi.testclient import TestClient

from qingshan.api.app import create_app
from qingshan.inclusive.state import person_party
from qingshan.infra.config import Settings
from qingshan.ledger import transparency as tlog
from qingshan.ledger.domain.model import SYSTEM, Role
from qingshan.platform import Platform
from qingshan.science.inclusive import SCENARIOS
from tests.e2e.conftest import Api, Flow
from tests.support.book import SETUP
from tests.support.databases import migrated_sqlite
from tests.support.inclusive import (
    GRID,
    INCLUSIVE_SETUP,
    METRO,
    PEOPLE,
    POINTS_TREASURY,
    POOL,
    beijing_today,
    csv,
    jsonl,
    trip,
)
from tests.support.keys import make_keys
from tests.support.openapi import conformance

V1 = "/api/v1/inclusive"


@dataclass
class World:
    api: Api
    flow: Flow
    settings: Settings
    day: dt.date
    first: dict[str, Any]  # the JSON lines file's answer
    second: dict[str, Any]  # the CSV file's answer
    first_bytes: bytes
    closed: dict[str, Any]
    settled: dict[str, Any]
    reward: str

    def get(self, path: str, who: str | None = None, **params: Any) -> Any:
        headers = self.api.headers(who) if who else {}
        return self.api.client.get(f"{V1}{path}", headers=headers, params=params)

    def send(self, data: bytes, who: str, fmt: str = "jsonl", name: str = "") -> Any:
        return self.api.client.post(f"{V1}/batches", content=data,
                                    params={"format": fmt, "name": name},
                                    headers={**self.api.headers(who), "content-type":
                                             "text/csv" if fmt == "csv" else
                                             "application/octet-stream"})


def _files(day: dt.date) -> tuple[bytes, bytes]:
    first = [trip(f"m{p}-{h}", p, day, h, 4_000 + 900 * p, 25) for p in range(1, 6)
             for h in (8, 18)]
    first += [{"event_id": "broken", "person": "x"},
              trip("nobody-1", 999, day, 9, 5_000, 20)]
    second = [*first[:2], trip("bus-1", 4, day, 12, 3_000, 15, scenario="bus")]
    return jsonl(first), csv(second)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tmp: Path = tmp_path_factory.mktemp("inclusive")
    settings = Settings(database_url=migrated_sqlite(tmp / "api.db"),
                        signing_key_path=tmp / "key.pem")
    plat = Platform.open(settings)
    # the ledger, the points asset and its accounts; the routes do the rest
    plat.sequencer.execute([*SETUP, *INCLUSIVE_SETUP[:6]], SYSTEM, "setup")
    keys = make_keys(plat, {
        "operator": (Role.OPERATOR, None), "auditor": (Role.AUDITOR, None),
        "metro": (Role.MEMBER, METRO), "grid": (Role.MEMBER, GRID),
        "alice": (Role.MEMBER, "P000002"),
        **{f"person{n}": (Role.PERSON, person_party(n)) for n in (1, 2, 3, 4, 5)}})
    with TestClient(create_app(settings, plat)) as client:
        conformance(client)
        api = Api(client, plat, keys)
        f = Flow(api)
        f.ok(f"{V1.removeprefix('/api/v1')}/accounts",
             {"treasury": POINTS_TREASURY, "people": PEOPLE, "pool": POOL}, "operator")
        for party, name, scenarios in ((METRO, "重庆轨道交通", ["bus", "metro"]),
                                       (GRID, "国网重庆", ["bus"])):
            f.ok("/inclusive/partners", {"party": party, "name": name,
                                         "scenarios": scenarios}, "operator")
        r = client.post(f"{V1}/people", headers=api.headers("operator"), json={"people": [
            {"person": n, "district": "500103", "consent": 1, "enrolled": "2026-01-01"}
            for n in (1, 2, 3, 4, 5)]})
        assert (r.status_code, r.json()) == (201, {"sent": 5, "enrolled": 5}), r.text
        day = beijing_today(int(time.time() * 1000)) - dt.timedelta(days=3)
        a, b = _files(day)
        w = World(api, f, settings, day, {}, {}, a, {}, {}, "")
        r = w.send(a, "metro", name="day.jsonl")
        assert r.status_code == 201, r.text
        w.first = r.json()
        r = w.send(b, "metro", "csv", "more.csv")
        assert r.status_code == 201, r.text
        w.second = r.json()
        r = client.post(f"{V1}/days/{day.isoformat()}/close", headers=api.headers("operator"))
        assert r.status_code == 201, r.text
        w.closed = r.json()
        w.settled = f.ok(f"/inclusive/days/{day.isoformat()}/settle", {}, "operator")
        w.reward = f.ok("/inclusive/rewards", {"name": "公交乘车优惠券", "price": 100,
                                               "stock": 5, "sponsor": METRO},
                        "operator")["reward"]
        yield w
    plat.close()


def test_a_partners_files_are_checked_kept_and_replayed(world: World) -> None:
    w = world
    assert {k: w.first[k] for k in ("partner", "lines", "accepted", "rejected", "replayed")} \
        == {"partner": METRO, "lines": 12, "accepted": 10, "rejected": 2, "replayed": False}
    assert (w.second["accepted"], w.second["duplicates"]) == (1, 2)
    again = w.send(w.first_bytes, "metro", name="day.jsonl")
    assert again.status_code == 200 and again.json() == {**w.first, "replayed": True}
    listed = w.get("/batches", "metro").json()
    assert [b["batch"] for b in listed] == [w.second["batch"], w.first["batch"]] or \
        {b["batch"] for b in listed} == {w.second["batch"], w.first["batch"]}
    assert {b["format"] for b in listed} == {"jsonl", "csv"}
    one = w.get(f"/batches/{w.first['batch']}", "metro").json()
    assert (one["partner"], one["name"], one["rejected"]) == (METRO, "day.jsonl", 2)
    rejects = w.get(f"/batches/{w.first['batch']}/rejects", "metro").json()
    assert [(x["line"], x["code"]) for x in rejects] == [(11, "bad_field"),
                                                         (12, "unknown_person")]
    odd = w.get(f"/partners/{METRO}/anomalies", "metro").json()
    assert (odd["rejected"], odd["duplicates"], odd["rejects_by_code"]) == (
        2, 2, {"bad_field": 1, "unknown_person": 1})


def test_no_other_partner_reads_a_partners_batches(world: World) -> None:
    w = world
    bid = w.first["batch"]
    for path in (f"/batches/{bid}", f"/batches/{bid}/rejects", f"/partners/{METRO}/anomalies"):
        for who in ("grid", "alice", "person1"):
            r = w.get(path, who)
            assert (r.status_code, r.json()["error"]["code"]) == (403, "forbidden"), path
        assert w.get(path, "auditor").status_code == 200
        assert w.get(path, "operator").status_code == 200
        assert w.get(path).status_code == 401
    assert w.get("/batches", "grid").json() == []
    missing = w.get("/batches/" + "0" * 64, "metro")
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "not_found")
    r = w.get("/partners/P000009/anomalies", "operator")
    assert (r.status_code, r.json()["error"]["code"]) == (404, "unknown_partner")


@pytest.mark.parametrize(("who", "data", "fmt", "status", "code", "field"), [
    ("alice", b'{"event_id": "a"}\n', "jsonl", 404, "unknown_partner", None),
    ("person1", b'{"event_id": "a"}\n', "jsonl", 403, "forbidden", None),
    ("operator", b'{"event_id": "a"}\n', "jsonl", 403, "forbidden", None),
    ("metro", b"PAR1 not parquet PAR1", "parquet", 422, "invalid_input", "file"),
    ("metro", b"", "jsonl", 422, "invalid_input", "file"),
    ("metro", b'{"event_id": "a"}\n', "xml", 422, "invalid_input", "format"),
])
def test_a_file_that_cannot_be_taken_is_refused_with_its_code(
        world: World, who: str, data: bytes, fmt: str, status: int, code: str,
        field: str | None) -> None:
    r = world.send(data, who, fmt)
    assert r.status_code == status, r.text
    error = r.json()["error"]
    assert error["code"] == code
    if field is not None:
        assert error["data"]["field"] == field


def test_a_person_reads_only_their_own_account(world: World) -> None:
    w = world
    mine = w.get("/me/account", "person1").json()
    assert mine["person"] == 1 and mine["settled"] > 0 and mine["pending"] == 0
    assert mine["balance"] == mine["settled"] - mine["spent"]
    assert mine["last_settled"] == w.day.isoformat()
    lines = w.get("/me/statement", "person1").json()
    assert [x["day"] for x in lines] == [w.day.isoformat()] and lines[0]["settled"]
    assert len(lines[0]["lines"]) == 2 and {x["partner"] for x in lines[0]["lines"]} == {METRO}
    early = w.get("/me/statement", "person1", **{"from": "2020-01-01", "to": "2020-01-31"})
    assert early.json() == []
    export = w.get("/me/export", "person1").json()
    assert export["postings"] == lines and export["account"]["person"] == 1
    assert w.get("/people/1/account", "operator").json()["settled"] == mine["settled"]
    assert w.get("/people/1/statement", "auditor").json() == lines
    for path, who, status, code in (
            ("/people/2/account", "person1", 403, "forbidden"),
            ("/people/2/statement", "person1", 403, "forbidden"),
            ("/people/1/account", "metro", 403, "forbidden"),
            ("/me/account", "operator", 403, "forbidden"),
            ("/me/account", "metro", 403, "forbidden"),
            ("/people/999/account", "operator", 404, "unknown_person")):
        r = w.get(path, who)
        assert (r.status_code, r.json()["error"]["code"]) == (status, code), path
    r = w.get("/me/statement", "person1", **{"from": "2026-02-01", "to": "2026-01-01"})
    assert (r.status_code, r.json()["error"]["data"]["field"]) == (422, "from")
    proof = w.get(f"/me/postings/{w.day.isoformat()}/proof", "person1").json()
    assert tlog.verify_inclusion(tlog.leaf_hash(proof["leaf"].encode()), proof["index"],
                                 proof["size"], [bytes.fromhex(x) for x in proof["proof"]],
                                 bytes.fromhex(proof["root"]))
    for path, who, status, code in (
            ("/me/postings/2020-01-01/proof", "person1", 404, "unknown_posting"),
            (f"/me/postings/{w.day.isoformat()}/proof", "metro", 403, "forbidden")):
        r = w.get(path, who)
        assert (r.status_code, r.json()["error"]["code"]) == (status, code), path


def test_a_person_redeems_and_donates_their_points(world: World) -> None:
    w = world
    before = w.get("/me/account", "person3").json()
    h = w.api.headers("person3", "redeem-1")
    r = w.api.client.post(f"{V1}/me/redeem", json={"reward": w.reward, "quantity": 1},
                          headers=h)
    assert r.status_code == 201, r.text
    again = w.api.client.post(f"{V1}/me/redeem", json={"reward": w.reward, "quantity": 1},
                              headers=h)
    assert again.status_code == 200 and again.json() == r.json()
    gave = w.flow.post("/inclusive/me/donate", {"grams": 10, "note": "重庆马拉松"}, "person3")
    assert gave.status_code == 201, gave.text
    after = w.get("/me/account", "person3").json()
    assert after["balance"] == before["balance"] - 110
    assert [s["kind"] for s in after["spends"]] == ["redeem", "donate"]
    size = w.api.size
    for path, body, who, status, code in (
            ("/inclusive/me/donate", {"grams": after["balance"] + 1}, "person3", 409,
             "insufficient_points"),
            ("/inclusive/me/redeem", {"reward": "RW000099", "quantity": 1}, "person3", 404,
             "unknown_reward"),
            ("/inclusive/me/redeem", {"reward": "coupon", "quantity": 1}, "person3", 422,
             "invalid_input"),
            ("/inclusive/me/donate", {"grams": 0}, "person3", 422, "invalid_input"),
            ("/inclusive/me/donate", {"grams": 1, "person": 1}, "person3", 422,
             "invalid_input"),
            ("/inclusive/me/donate", {"grams": 1}, "operator", 403, "forbidden")):
        r = w.flow.post(path, body, who)
        assert (r.status_code, r.json()["error"]["code"]) == (status, code), (path, r.text)
    assert w.api.size == size
    r = w.api.client.post(f"{V1}/me/donate", json={"grams": 1},
                          headers=w.api.headers("person3"))
    assert (r.status_code, r.json()["error"]["data"]["field"]) == (422, "Idempotency-Key")


def test_a_person_withdraws_and_gives_back_a_partners_consent(world: World) -> None:
    w = world
    r = w.flow.post("/inclusive/me/consents", {"partner": METRO, "allow": False}, "person3")
    assert r.status_code == 201, r.text
    mine = w.get("/me/account", "person3").json()
    assert {p["partner"]: p["allowed"] for p in mine["partners"]}[METRO] is False
    for body, who, status, code in (
            ({"partner": "P000001", "allow": True}, "person3", 404, "unknown_partner"),
            ({"partner": METRO, "allow": True, "person": 1}, "person3", 422, "invalid_input"),
            ({"partner": METRO, "allow": True}, "operator", 403, "forbidden")):
        r = w.flow.post("/inclusive/me/consents", body, who)
        assert (r.status_code, r.json()["error"]["code"]) == (status, code), r.text
    r = w.flow.post("/inclusive/me/consents", {"partner": METRO, "allow": True}, "person3")
    assert r.status_code == 201, r.text
    mine = w.get("/me/account", "person3").json()
    assert {p["partner"]: p["allowed"] for p in mine["partners"]}[METRO] is True


def test_the_operator_closes_and_settles_a_day(world: World) -> None:
    w = world
    assert (w.closed["day"], w.closed["people"], w.closed["events"]) == (
        w.day.isoformat(), 5, 11)
    assert sum(w.closed["by_scenario"].values()) == w.closed["grams"] > 0
    assert (w.settled["root"], w.settled["grams"]) == (w.closed["root"], w.closed["grams"])
    day = w.day.isoformat()
    for path, who, status, code in (
            (f"/days/{day}/close", "operator", 409, "day_out_of_order"),
            (f"/days/{day}/settle", "operator", 409, "day_out_of_order"),
            (f"/days/{day}/close", "metro", 403, "forbidden"),
            (f"/days/{day}/settle", "auditor", 403, "forbidden"),
            ("/days/2026-02-30/close", "operator", 422, "invalid_input"),
            ("/days/tomorrow/close", "operator", 422, "invalid_input")):
        r = w.flow.post(path.replace("/days", "/inclusive/days"), {}, who)
        assert (r.status_code, r.json()["error"]["code"]) == (status, code), (path, r.text)
    total = w.get("/summary").json()  # public
    assert (total["grams"], total["days"], total["people"]) == (w.closed["grams"], 1, 5)
    assert total["by_partner"] == {METRO: w.closed["grams"]}
    assert [x["reward"] for x in w.get("/rewards").json()] == [w.reward]
    assert {s["code"] for s in w.get("/scenarios").json()} == set(SCENARIOS)


def test_enrolment_is_the_operators_and_a_bad_list_enrols_nobody(world: World) -> None:
    w = world
    person = {"person": 6, "district": "500103", "consent": 1, "enrolled": "2026-01-01"}
    post = w.api.client.post
    r = post(f"{V1}/people", json={"people": [person]}, headers=w.api.headers("metro"))
    assert (r.status_code, r.json()["error"]["code"]) == (403, "forbidden")
    for bad in ({**person, "district": "5001"}, {**person, "enrolled": "2026-02-30"},
                {**person, "person": 0}):
        r = post(f"{V1}/people", json={"people": [person | {"person": 7}, bad]},
                 headers=w.api.headers("operator"))
        assert (r.status_code, r.json()["error"]["code"]) == (422, "invalid_input"), r.text
    r = post(f"{V1}/people", json={"people": [person, person]},
             headers=w.api.headers("operator"))
    assert r.status_code == 422 and r.json()["error"]["data"]["row"] == 2
    assert w.get("/summary").json()["people"] == 5
    r = post(f"{V1}/people", json={"people": [person, {**person, "person": 1}]},
             headers=w.api.headers("operator"))
    assert r.json() == {"sent": 2, "enrolled": 1}


def test_a_partners_file_may_be_larger_than_other_requests(world: World) -> None:
    settings = world.settings.model_copy(update={"max_request_bytes": 2_000,
                                                 "inclusive_max_batch_bytes": 100_000})
    with TestClient(create_app(settings, world.api.platform)) as small:
        rows = [trip(f"big-{i}", 5, world.day, 6, 1_000, 10) for i in range(200)]
        buf = io.BytesIO()
        pl.DataFrame(rows).write_parquet(buf)
        data = jsonl(rows)
        assert 2_000 < len(data) < 100_000
        h = {**world.api.headers("metro"), "content-type": "application/x-ndjson"}
        r = small.post(f"{V1}/batches", content=data, headers=h)
        assert r.status_code == 201, r.text
        assert r.json()["rejected"] == 200  # the day is settled: too late
        r = small.post(f"{V1}/batches?format=parquet", content=buf.getvalue(), headers=h)
        assert r.status_code == 201 and r.json()["lines"] == 200, r.text
        r = small.post(f"{V1}/batches", content=data * 20, headers=h)
        assert (r.status_code, r.json()["error"]["code"]) == (413, "request_too_large")
        r = small.post(f"{V1}/people", content=b" " * 3_000,
                       headers={**world.api.headers("operator"),
                                "content-type": "application/json"})
        assert r.status_code == 413
