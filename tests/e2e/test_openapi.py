"""The OpenAPI document describes every answer: each JSON response has a schema (none is an
empty ``{}``), other media are named with theirs, and real answers of the ledger's routes
match the schemas the document gives them (the fuzz test, tests/e2e/test_fuzz_api.py, checks
what it generates; this checks a platform with every kind of thing in it)."""

from __future__ import annotations

from typing import Any

import jsonschema_rs
import pytest

from tests.e2e.conftest import Api, Flow
from tests.support.requests import OUTSIDE_THE_JOURNAL

ALICE, BOB = "A00000004", "A00000005"


def _document(api: Api) -> dict[str, Any]:
    doc: dict[str, Any] = api.client.get("/openapi.json").json()
    return doc


def test_every_json_response_in_the_document_has_a_schema(api: Api) -> None:
    doc = _document(api)
    empty, bare = [], []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            for status, response in op["responses"].items():
                content = response.get("content", {})
                if status.startswith("2") and not content:
                    bare.append(f"{method.upper()} {path} {status}")
                for media, body in content.items():
                    if not body.get("schema"):
                        empty.append(f"{method.upper()} {path} {status} {media}")
    assert empty == [], empty
    assert bare == [], bare


def test_every_write_documents_its_receipt_and_its_replay(api: Api) -> None:
    doc = _document(api)
    for path, item in doc["paths"].items():
        op = item.get("post")
        if op is None or path in ("/api/v1/log/check", "/api/v1/api-keys") \
                or path in OUTSIDE_THE_JOURNAL:
            continue
        refs = {s: r["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
                for s, r in op["responses"].items() if s in ("200", "201")}
        want = "Receipts" if path == "/api/v1/batch" else "Receipt"
        assert refs == {"200": want, "201": want}, path


def _conforms(doc: dict[str, Any], method: str, path: str, status: int, body: Any) -> None:
    response = doc["paths"][path][method]["responses"][str(status)]
    schema = response["content"]["application/json"]["schema"]
    jsonschema_rs.Draft202012Validator({**schema, "components": doc["components"]}).validate(
        body)


@pytest.fixture
def busy(api: Api) -> Api:
    """A transfer, a retirement, a hold and an API key besides the seed's issuance."""
    flow = Flow(api)
    flow.ok("/transfers", {"asset": "CQCER", "source": ALICE, "destination": BOB,
                           "ranges": [[5, 9]]}, "alice")
    flow.ok("/retirements", {"asset": "CQCER", "account": ALICE, "quantity": 7,
                             "purpose": "carbon_neutrality", "beneficiary": "a wedding"},
            "alice")
    flow.ok("/holds", {"hold_kind": "escrow", "asset": "CNY", "account": ALICE,
                       "quantity": 100}, "alice")
    return api


READS = ["/api/v1/whoami", "/api/v1/parties/P000002/accounts", "/api/v1/accounts/A00000004",
         "/api/v1/accounts/A00000005/entries", "/api/v1/journal", "/api/v1/journal/3",
         "/api/v1/log/tree-head", "/api/v1/log/proofs/inclusion/3",
         "/api/v1/asset-classes",
         "/api/v1/issuances", "/api/v1/retirements", "/api/v1/stats", "/api/v1/api-keys"]
TEMPLATES = {"/api/v1/parties/P000002/accounts": "/api/v1/parties/{party}/accounts",
             "/api/v1/accounts/A00000004": "/api/v1/accounts/{account}",
             "/api/v1/accounts/A00000005/entries": "/api/v1/accounts/{account}/entries",
             "/api/v1/journal/3": "/api/v1/journal/{seq}",
             "/api/v1/log/proofs/inclusion/3": "/api/v1/log/proofs/inclusion/{seq}"}


@pytest.mark.parametrize("who", ["operator", "alice", "bob"])
def test_the_ledgers_answers_match_their_documented_schemas(busy: Api, who: str) -> None:
    doc = _document(busy)
    for url in READS:
        r = busy.client.get(url, headers=busy.headers(who))
        if r.status_code != 200:  # another party's: refused, as the access tests check
            assert r.status_code in (403, 401), (url, r.text)
            continue
        path = TEMPLATES.get(url, url.split("?")[0])
        _conforms(doc, "get", path, 200, r.json())
    size = busy.client.get("/api/v1/log/tree-head").json()["size"]
    r = busy.client.get(f"/api/v1/log/proofs/consistency?first={size}&second={size}")
    _conforms(doc, "get", "/api/v1/log/proofs/consistency", 200, r.json())
    entries = busy.client.get("/api/v1/journal", headers=busy.headers("operator")).json()
    for entry in entries:
        for sn in _serials(busy, entry):
            r = busy.client.get(f"/api/v1/serials/{sn}", headers=busy.headers(who))
            _conforms(doc, "get", "/api/v1/serials/{serial}", 200, r.json())


def _serials(api: Api, entry: dict[str, Any]) -> list[str]:
    if entry["kind"] != "issue_units":
        return []
    held = api.client.get(f"/api/v1/accounts/{ALICE}", headers=api.headers("operator")).json()
    return [b["serial"] for b in held["blocks"]]


def test_writes_answer_their_documented_receipts(api: Api) -> None:
    doc = _document(api)
    body = {"asset": "CQCER", "source": ALICE, "destination": BOB, "quantity": 1}
    for status in (201, 200):  # the first answer, then its replay
        r = api.client.post("/api/v1/transfers", json=body, headers=api.headers("alice", "t1"))
        assert r.status_code == status
        _conforms(doc, "post", "/api/v1/transfers", status, r.json())
    r = api.client.post("/api/v1/batch", json={"commands": [
        {"kind": "transfer", "payload": body}] * 2}, headers=api.headers("alice", "b1"))
    _conforms(doc, "post", "/api/v1/batch", 201, r.json())
    r = api.client.post("/api/v1/api-keys", json={"role": "member", "party": "P000003"},
                        headers=api.headers("operator", "k1"))
    _conforms(doc, "post", "/api/v1/api-keys", 201, r.json())
    r = api.client.post("/api/v1/log/check", content=api.client.get(
        "/api/v1/log/proofs/inclusion/1").content)
    _conforms(doc, "post", "/api/v1/log/check", 200, r.json())
    r = api.client.post("/api/v1/log/check", content=b"{}")
    _conforms(doc, "post", "/api/v1/log/check", 200, r.json())
