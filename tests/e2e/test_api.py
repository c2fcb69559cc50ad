"""The HTTP API: access rules, bad input, idempotency, proofs."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from qingshan.cli.main import app as cli
from qingshan.ledger import transparency as tlog
from tests.e2e.conftest import Api, Flow

ALICE, BOB = "A00000004", "A00000005"


def post(api: Api, path: str, body: dict[str, Any], who: str = "alice",
         key: str = "k1") -> Any:
    return api.client.post(f"/api/v1{path}", json=body, headers=api.headers(who, key))


def error(r: Any) -> str:
    return str(r.json()["error"]["code"])


def test_openapi_document_lists_the_ledger(api: Api) -> None:
    doc = api.client.get("/openapi.json").json()
    for path in ("/api/v1/transfers", "/api/v1/retirements", "/api/v1/holds",
                 "/api/v1/log/proofs/inclusion/{seq}", "/api/v1/batch"):
        assert path in doc["paths"]


def test_writes_need_an_api_key(api: Api) -> None:
    r = api.client.post("/api/v1/transfers", json={}, headers={"Idempotency-Key": "x"})
    assert r.status_code == 401 and error(r) == "unauthenticated"
    r = api.client.post("/api/v1/transfers", json={},
                        headers={"Authorization": "Bearer qs_nope.nope", "Idempotency-Key": "x"})
    assert r.status_code == 401


MEMBER_WRITES = [
    ("/transfers", {"asset": "CQCER", "source": ALICE, "destination": BOB, "quantity": 1}),
    ("/transfers", {"asset": "CNY", "source": ALICE, "destination": BOB, "quantity": 1}),
    ("/retirements", {"asset": "CQCER", "account": ALICE, "quantity": 1,
                      "purpose": "voluntary", "beneficiary": "x"}),
    ("/cancellations", {"asset": "CQCER", "account": ALICE, "quantity": 1, "reason": "x"}),
    ("/holds", {"hold_kind": "escrow", "asset": "CQCER", "account": ALICE, "quantity": 1}),
    ("/holds", {"hold_kind": "escrow", "asset": "CNY", "account": ALICE, "quantity": 1}),
]
ADMIN_WRITES = [
    ("/issuances", {"asset": "CQCER", "project": "CQ01", "vintage": 2023,
                    "monitoring_start": "2023-01-01", "monitoring_end": "2023-12-31",
                    "allocations": [[BOB, 10]]}),
    ("/accounts", {"party": "P000003", "account_type": "holding"}),
    ("/parties", {"party_kind": "individual", "name": "mallory"}),
    ("/asset-classes", {"code": "XX", "asset_kind": "fungible", "unit": "u", "name": "x",
                        "registry": "QS"}),
    (f"/accounts/{ALICE}/status", {"status": "frozen", "reason": "x"}),
]


@pytest.mark.parametrize(("path", "body"), MEMBER_WRITES)
def test_member_cannot_touch_another_partys_account(api: Api, path: str,
                                                    body: dict[str, Any]) -> None:
    size = api.size
    r = post(api, path, body, who="bob")
    assert r.status_code == 403 and error(r) == "not_account_owner"
    assert api.size == size
    assert post(api, path, body, who="alice").status_code == 201


@pytest.mark.parametrize(("path", "body"), ADMIN_WRITES)
@pytest.mark.parametrize("who", ["alice", "auditor", "verifier", "court"])
def test_only_the_operator_administers(api: Api, path: str, body: dict[str, Any],
                                       who: str) -> None:
    size = api.size
    r = post(api, path, body, who=who)
    assert r.status_code == 403 and api.size == size
    assert post(api, path, body, who="operator").status_code == 201


@pytest.mark.parametrize("path", [f"/accounts/{ALICE}", f"/accounts/{ALICE}/entries",
                                  "/parties/P000002/accounts", "/journal"])
def test_private_reads_refuse_another_party(api: Api, path: str) -> None:
    assert api.client.get(f"/api/v1{path}").status_code == 401
    r = api.client.get(f"/api/v1{path}", headers=api.headers("bob"))
    assert r.status_code == 403
    assert api.client.get(f"/api/v1{path}", headers=api.headers("auditor")).status_code == 200


def test_owner_reads_its_holdings_with_serial_numbers(api: Api) -> None:
    r = api.client.get(f"/api/v1/accounts/{ALICE}", headers=api.headers("alice"))
    body = r.json()
    assert body["units"]["CQCER"]["active"] == 100
    assert body["blocks"][0]["serial"].startswith("QS-CQCER-CQ0001-2023-")
    assert body["balances"] == [{"asset": "CNY", "balance": 10_000, "held": 0,
                                 "available": 10_000}]


def test_journal_entry_of_a_private_transfer_is_private(api: Api) -> None:
    seq = post(api, "/transfers", MEMBER_WRITES[0][1]).json()["seq"]
    assert api.client.get(f"/api/v1/journal/{seq}").status_code == 401
    assert api.client.get(f"/api/v1/journal/{seq}",
                          headers=api.headers("court")).status_code == 403
    assert api.client.get(f"/api/v1/journal/{seq}",
                          headers=api.headers("bob")).status_code == 200  # the recipient
    assert api.client.get(f"/api/v1/log/proofs/inclusion/{seq}").status_code == 401


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"asset": "CQCER", "source": "A00000999", "destination": BOB, "quantity": 1}, 404,
     "unknown_account"),
    ({"asset": "CQCER", "source": ALICE, "destination": BOB, "quantity": 101}, 409,
     "insufficient_units"),
    ({"asset": "CQCER", "source": ALICE, "destination": BOB, "ranges": [[1, 10], [10, 12]]},
     409, "serial_overlap"),
    ({"asset": "CQCER", "source": ALICE, "destination": BOB, "ranges": [[150, 160]]}, 409,
     "serials_not_available"),
    ({"asset": "CQCER", "source": "alice", "destination": BOB, "quantity": 1}, 422,
     "malformed_identifier"),
    ({"asset": "CQCER", "source": ALICE, "destination": BOB, "quantity": "5"}, 422,
     "invalid_input"),
    ({"asset": "CQCER", "source": ALICE, "destination": BOB, "quantity": 2.5}, 422,
     "invalid_input"),
    ({"asset": "CQCER", "source": ALICE, "destination": BOB, "quantity": -3}, 422,
     "invalid_quantity"),
    ({"asset": "CQCER", "source": ALICE, "destination": BOB}, 422, "invalid_quantity"),
    ({"asset": "CQCER", "source": ALICE, "destination": BOB, "quantity": 1, "extra": 1}, 422,
     "invalid_input"),
    ({"asset": "NOPE", "source": ALICE, "destination": BOB, "quantity": 1}, 404,
     "unknown_asset_class"),
])
def test_bad_transfer_gets_a_clear_error_and_changes_nothing(api: Api, body: dict[str, Any],
                                                             status: int, code: str) -> None:
    size = api.size
    before = api.client.get(f"/api/v1/accounts/{ALICE}", headers=api.headers("alice")).json()
    r = post(api, "/transfers", body)
    assert r.status_code == status, r.text
    assert error(r) == code and r.json()["error"]["message"]
    assert api.size == size
    assert api.client.get(f"/api/v1/accounts/{ALICE}",
                          headers=api.headers("alice")).json() == before


def test_missing_idempotency_key_is_refused(api: Api) -> None:
    r = api.client.post("/api/v1/transfers", json=MEMBER_WRITES[0][1],
                        headers=api.headers("alice"))
    assert r.status_code == 422 and r.json()["error"]["data"]["field"] == "Idempotency-Key"


def test_replay_returns_the_first_response_byte_for_byte(api: Api) -> None:
    first = post(api, "/transfers", MEMBER_WRITES[0][1], key="same")
    again = post(api, "/transfers", MEMBER_WRITES[0][1], key="same")
    assert first.status_code == 201 and again.status_code == 200
    assert again.content == first.content
    assert again.headers["Idempotent-Replayed"] == "true"
    other = post(api, "/transfers", {**MEMBER_WRITES[0][1], "quantity": 2}, key="same")
    assert other.status_code == 409 and error(other) == "idempotency_conflict"


def test_batch_lists_every_error_and_applies_nothing(api: Api) -> None:
    size = api.size
    t = MEMBER_WRITES[0][1]
    r = post(api, "/batch", {"commands": [
        {"kind": "transfer", "payload": t},
        {"kind": "transfer", "payload": {**t, "source": "bad"}},
        {"kind": "transfer", "payload": {**t, "quantity": 0}},
    ]})
    assert r.status_code == 422 and error(r) == "batch_rejected"
    assert [e["index"] for e in r.json()["error"]["data"]["errors"]] == [1, 2]
    r = post(api, "/batch", {"commands": [{"kind": "transfer", "payload": t},
                                          {"kind": "transfer",
                                           "payload": {**t, "quantity": 1000}}]}, key="b2")
    assert r.status_code == 409 or r.status_code == 422
    assert api.size == size
    r = post(api, "/batch", {"commands": [{"kind": "transfer", "payload": t}] * 51}, key="b3")
    assert r.status_code == 413 and error(r) == "batch_too_large"
    r = post(api, "/batch", {"commands": [{"kind": "transfer", "payload": t}] * 3}, key="b4")
    assert r.status_code == 201 and len(r.json()["receipts"]) == 3
    assert api.size == size + 3


def test_retirement_proof_checks_offline(api: Api, tmp_path: Path) -> None:
    r = post(api, "/retirements", {"asset": "CQCER", "account": ALICE, "quantity": 7,
                                   "purpose": "judicial_compensation",
                                   "beneficiary": "长江生态修复",
                                   "reference": "(2023)渝0112刑初100号"})
    seq = r.json()["seq"]
    # retirements are public: anyone can fetch the proof
    bundle = api.client.get(f"/api/v1/log/proofs/inclusion/{seq}").json()
    path = tmp_path / "proof.json"
    path.write_text(json.dumps(bundle))
    key = tmp_path / "log.pem"
    key.write_bytes(api.client.get("/api/v1/log/public-key").content)
    runner = CliRunner()
    ok = runner.invoke(cli, ["log", "check", str(path), "--public-key", str(key)])
    assert ok.exit_code == 0, ok.output
    original = tlog.InclusionBundle.from_json(path.read_text())
    forged = dataclasses.replace(original, entry=original.entry.replace(b'"quantity":7',
                                                                        b'"quantity":8'))
    assert forged.entry != original.entry
    (tmp_path / "forged.json").write_text(forged.to_json())
    bad = runner.invoke(cli, ["log", "check", str(tmp_path / "forged.json")])
    assert bad.exit_code == 1
    other = tmp_path / "other.pem"
    other.write_bytes(tlog.public_key_to_pem(tlog.generate_signing_key().public_key()))
    bad = runner.invoke(cli, ["log", "check", str(path), "--public-key", str(other)])
    assert bad.exit_code == 1


def test_consistency_proof_links_two_tree_heads(api: Api) -> None:
    old = api.client.get("/api/v1/log/tree-head").json()
    post(api, "/transfers", MEMBER_WRITES[0][1], key="c1")
    post(api, "/transfers", MEMBER_WRITES[1][1], key="c2")
    new = api.client.get("/api/v1/log/tree-head").json()
    r = api.client.get("/api/v1/log/proofs/consistency",
                       params={"first": old["size"], "second": new["size"]}).json()
    assert tlog.verify_consistency(old["size"], new["size"], bytes.fromhex(old["root"]),
                                   bytes.fromhex(new["root"]),
                                   [bytes.fromhex(p) for p in r["proof"]])


def test_public_serial_lookup_hides_accounts(api: Api) -> None:
    post(api, "/transfers", {"asset": "CQCER", "source": ALICE, "destination": BOB,
                             "ranges": [[5, 9]]})
    serial = api.client.get(f"/api/v1/accounts/{BOB}", headers=api.headers("bob")).json()[
        "blocks"][0]["serial"]
    public = api.client.get(f"/api/v1/serials/{serial}").json()
    assert public["block"]["account"] == "private"
    assert [h["kind"] for h in public["history"]] == ["issue_units", "transfer"]
    mine = api.client.get(f"/api/v1/serials/{serial}", headers=api.headers("bob")).json()
    assert mine["block"]["account"] == BOB
    r = api.client.get("/api/v1/serials/not-a-serial")
    assert r.status_code == 422 and error(r) == "malformed_serial"
    forged = serial.replace("-2023-", "-2019-")
    r = api.client.get(f"/api/v1/serials/{forged}")
    assert r.status_code == 404 and error(r) == "unknown_serial"


def test_operator_creates_keys_and_members_cannot(api: Api) -> None:
    r = api.client.post("/api/v1/api-keys", json={"role": "member", "party": "P000003"},
                        headers=api.headers("operator"))
    assert r.status_code == 201 and r.json()["api_key"].startswith("qs_")
    r = api.client.post("/api/v1/api-keys", json={"role": "operator"},
                        headers=api.headers("alice"))
    assert r.status_code == 403


def test_retiring_held_or_already_retired_units_is_refused(api: Api) -> None:
    hold = post(api, "/holds", {"hold_kind": "escrow", "asset": "CQCER",
                                "account": ALICE, "ranges": [[1, 10]]}, key="h1")
    assert hold.status_code == 201
    size = api.size
    r = post(api, "/retirements", {"asset": "CQCER", "account": ALICE, "ranges": [[5, 6]],
                                   "purpose": "voluntary", "beneficiary": "x"}, key="r1")
    assert r.status_code == 409 and error(r) == "serials_not_available"
    assert r.json()["error"]["data"]["state"] == "held"
    ok = post(api, "/retirements", {"asset": "CQCER", "account": ALICE, "ranges": [[20, 29]],
                                    "purpose": "voluntary", "beneficiary": "x"}, key="r2")
    assert ok.status_code == 201
    again = post(api, "/retirements", {"asset": "CQCER", "account": ALICE,
                                       "ranges": [[25, 25]], "purpose": "voluntary",
                                       "beneficiary": "x"}, key="r3")
    assert again.status_code == 409 and again.json()["error"]["data"]["state"] == "retired"
    assert api.size == size + 1


def test_the_log_checks_a_proof_bundle_as_a_service(api: Api) -> None:
    seq = post(api, "/retirements", {"asset": "CQCER", "account": ALICE, "quantity": 1,
                                     "purpose": "voluntary", "beneficiary": "x"}).json()["seq"]
    bundle = api.client.get(f"/api/v1/log/proofs/inclusion/{seq}").text
    ok = api.client.post("/api/v1/log/check", content=bundle).json()
    assert ok["valid"] and ok["seq"] == seq and ok["kind"] == "retire_units"
    forged = json.loads(bundle)
    forged["leaf_index"] = 0
    bad = api.client.post("/api/v1/log/check", content=json.dumps(forged)).json()
    assert not bad["valid"] and bad["reason"]
    junk = api.client.post("/api/v1/log/check", content=b"not json").json()
    assert not junk["valid"]


def key_for(api: Api, who: str, role: str, party: str) -> None:
    r = api.client.post("/api/v1/api-keys", json={"role": role, "party": party},
                        headers=api.headers("operator"))
    assert r.status_code == 201
    api.keys[who] = r.json()["api_key"]


def test_a_pledge_is_resolved_only_by_its_bank_and_only_into_its_own_accounts(
        api: Api) -> None:
    c = Flow(api)
    bank = c.ok("/parties", {"party_kind": "bank", "name": "重庆农村商业银行"}, "operator")["party"]
    vault = c.ok("/accounts", {"party": bank, "account_type": "holding", "label": "pledges"},
                 "operator")["account"]
    key_for(api, "bank", "bank", bank)
    key_for(api, "bank clerk", "member", bank)  # a member key of the bank's own party
    r = c.post("/holds", {"hold_kind": "pledge", "asset": "CQCER", "account": ALICE,
                          "quantity": 10, "reference": "loan"}, "alice")
    assert r.status_code == 422 and r.json()["error"]["data"]["field"] == "controller"
    hold = c.ok("/holds", {"hold_kind": "pledge", "asset": "CQCER", "account": ALICE,
                           "quantity": 10, "controller": bank, "reference": "loan"},
                "alice")["hold"]
    size = api.size
    for who in ("bank clerk", "alice", "court"):
        r = c.post(f"/holds/{hold}/release", {"reason": "repaid"}, who)
        assert r.status_code == 403 and error(r) == "forbidden", who
    r = c.post(f"/holds/{hold}/enforce", {"destination": BOB, "reason": "default"}, "bank")
    assert r.status_code == 403 and r.json()["error"]["data"]["destination"] == BOB
    assert api.size == size
    assert c.ok(f"/holds/{hold}/enforce", {"destination": vault, "reason": "default"},
                "bank")["enforced"] == 10
    held = api.client.get(f"/api/v1/accounts/{vault}", headers=api.headers("bank")).json()
    assert held["units"]["CQCER"]["active"] == 10


def test_a_judicial_freeze_is_resolved_by_its_court_even_in_a_frozen_account(
        api: Api) -> None:
    c = Flow(api)
    key_for(api, "court clerk", "member", "P000004")
    hold = c.ok("/holds", {"hold_kind": "judicial_freeze", "asset": "CQCER", "account": ALICE,
                           "quantity": 20, "reference": "(2024)渝0118民初1号",
                           "destination": BOB}, "court")["hold"]
    c.ok(f"/accounts/{ALICE}/status", {"status": "frozen", "reason": "court order"},
         "operator")
    size = api.size
    for who in ("court clerk", "alice"):
        r = c.post(f"/holds/{hold}/release", {"reason": "lifted"}, who)
        assert r.status_code == 403 and error(r) == "forbidden", who
    r = c.post(f"/holds/{hold}/enforce", {"destination": "A00000006"}, "court")
    assert r.status_code == 403 and error(r) == "forbidden"
    r = c.post("/transfers", {"asset": "CQCER", "source": ALICE, "destination": BOB,
                              "quantity": 1}, "alice")
    assert r.status_code == 409 and error(r) == "account_not_open"
    assert api.size == size
    assert c.ok(f"/holds/{hold}/enforce", {"destination": BOB, "reason": "judgment"},
                "court")["enforced"] == 20


def test_an_orders_hold_cannot_be_placed_or_resolved_through_holds(api: Api) -> None:
    c = Flow(api)
    for who in ("alice", "operator"):
        r = c.post("/holds", {"hold_kind": "market_order", "asset": "CQCER", "account": ALICE,
                              "quantity": 1}, who)
        assert r.status_code == 403 and error(r) == "forbidden", who
