"""Judicial offsetting (以碳代偿) through HTTP only: a case from judgment to 执结 with its
purchase filled over two market days (either side of the close of day), the leftover refunded,
the judicial certificate's proof checked offline; every refusal a 4xx with nothing changed;
sealed details kept from other courts, members and the public; money conserved, checked by
``qingshan log verify``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from qingshan.cli.main import app as cli
from qingshan.ledger.domain.model import Role
from tests.e2e.conftest import Api, Flow
from tests.support.keys import make_keys

ALICE, BOB, TREASURY = "A00000004", "A00000005", "A00000003"
COURT_P, ALICE_P = "P000004", "P000002"
NUMBER = "（2023）渝0102刑初123号"


def court_case(api: Api) -> tuple[Flow, str, dict[str, str]]:
    """A market with one instrument, the court's escrow, a second court, keys; a case."""
    c = Flow(api)
    fees = c.ok("/accounts", {"party": "P000001", "account_type": "holding",
                              "label": "fees"}, "operator")["account"]
    c.ok("/accounts", {"party": COURT_P, "account_type": "escrow", "label": "以碳代偿"},
         "operator")
    court2 = c.ok("/parties", {"party_kind": "court", "name": "重庆市第二中级人民法院",
                               "identifier": None}, "operator")["party"]
    c.ok("/accounts", {"party": court2, "account_type": "escrow", "label": "escrow"},
         "operator")
    api.keys.update(make_keys(api.platform, {"court2": (Role.COURT, court2),
                                             "supervisor": (Role.SUPERVISOR, None)}))
    c.ok("/market/instruments", {"id": "CQCER-ALL", "asset": "CQCER", "tick": 1, "lot": 10,
                                 "band_bps": 1000, "reference_price": 3000,
                                 "max_order": 100_000, "fee_bps": 30, "fee_account": fees},
         "operator")
    case = c.ok("/judicial/cases", {
        "court": COURT_P, "number": "(2023)渝0102刑初123号", "cause": "滥伐林木罪",
        "defendants": [{"name": "张三", "kind": "person"}],
        "judgment_date": "2023-06-01", "compensation_fen": 122_366, "deadline": "2099-08-31",
        "restoration": "补植复绿", "asset": "CQCER", "cap_price": 3100,
        "refund_account": ALICE}, "court")
    assert case["number"] == NUMBER and case["status"] == "ordered"
    return c, case["case"], {"court2": court2}


def test_a_case_runs_from_judgment_to_execution_through_http(api: Api, tmp_path: Path) -> None:
    c, cid, _ = court_case(api)
    paid = c.ok(f"/judicial/cases/{cid}/payments", {"reference": "CCB-2023-0814-01",
                                                     "amount": 122_366, "payer": "张三"},
                "operator")
    assert paid["status"] == "paid" and paid["balance"] == 122_366
    # day one: alice offers 20 t at 29.90 yuan; the case buys what is there
    c.ok("/market/orders", {"instrument": "CQCER-ALL", "account": ALICE, "side": "sell",
                            "order_type": "limit", "price": 2990, "quantity": 20}, "alice")
    day1 = c.ok(f"/judicial/cases/{cid}/purchases",
                {"instrument": "CQCER-ALL", "quantity": 30, "limit_price": 3100}, "court")
    assert (day1["quantity"], day1["value"]) == (20, 59_800)
    c.ok("/market/instruments/CQCER-ALL/close-day", {}, "operator")
    # day two: bob offers at 30.50 yuan; the case buys the rest it can pay for
    c.ok("/market/orders", {"instrument": "CQCER-ALL", "account": BOB, "side": "sell",
                            "order_type": "limit", "price": 3050, "quantity": 50}, "bob")
    day2 = c.ok(f"/judicial/cases/{cid}/purchases",
                {"instrument": "CQCER-ALL", "quantity": 20, "limit_price": 3100}, "court")
    assert (day2["quantity"], day2["value"]) == (20, 61_000)
    retired = c.ok(f"/judicial/cases/{cid}/retire", {}, "court")
    assert retired["retired"] == 40 and retired["status"] == "retired"
    before = _balance(api, ALICE)
    closed = c.ok(f"/judicial/cases/{cid}/close", {"note": "执结"}, "court")
    fees = day1["fee"] + day2["fee"]
    assert closed["refunded"] == 122_366 - 59_800 - 61_000 - fees > 0
    assert _balance(api, ALICE) == before + closed["refunded"]
    whole = api.client.get(f"/api/v1/judicial/cases/{cid}", headers=api.headers("court")).json()
    assert whole["status"] == "closed" and whole["paid"] == whole["spent"] + whole["fees"] + \
        whole["refunded"]
    assert [h["kind"] for h in whole["history"]] == [
        "create_case", "record_payment", "purchase_for_case", "purchase_for_case",
        "retire_for_case", "close_case"]
    # the certificate: public, anonymised, its proof checked offline with the log's key
    cert = api.client.get(f"/api/v1/judicial/cases/{cid}/certificate").json()
    assert cert["case"]["defendants"] == [{"name": "张某", "kind": "person"}]
    assert cert["certificate"]["purpose_zh"] == "以碳代偿"
    assert cert["certificate"]["reference"] == NUMBER
    proof, key = tmp_path / "proof.json", tmp_path / "log.pem"
    proof.write_text(cert["certificate"]["bundle_json"])
    key.write_bytes(api.client.get("/api/v1/log/public-key").content)
    checked = CliRunner().invoke(cli, ["log", "check", str(proof), "--public-key", str(key)])
    assert checked.exit_code == 0, checked.output
    pdf = api.client.get(f"/api/v1/judicial/cases/{cid}/certificate.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # public supervision of the court
    sup = api.client.get(f"/api/v1/judicial/courts/{COURT_P}/supervision").json()
    assert (sup["cases"], sup["closed"], sup["retired"], sup["money_in"]) == (1, 1, 40, 122_366)
    assert sup["average_price"] == (59_800 + 61_000) // 40 and sup["pending"] == []
    csv = api.client.get(f"/api/v1/judicial/courts/{COURT_P}/years.csv")
    assert csv.status_code == 200 and "2023,1,122366" in csv.content.decode("utf-8-sig")
    assert api.platform.verify().problems == []


def _balance(api: Api, account: str) -> int:
    got = api.client.get(f"/api/v1/accounts/{account}", headers=api.headers("operator"))
    return int(next(b["balance"] for b in got.json()["balances"] if b["asset"] == "CNY"))


def test_refusals_change_nothing(api: Api) -> None:
    c, cid, _ = court_case(api)
    c.ok(f"/judicial/cases/{cid}/payments", {"reference": "PAY-1", "amount": 122_366},
         "court")
    c.ok("/market/orders", {"instrument": "CQCER-ALL", "account": ALICE, "side": "sell",
                            "order_type": "limit", "price": 2990, "quantity": 20}, "alice")
    size = api.size
    buy: dict[str, Any] = {"instrument": "CQCER-ALL", "quantity": 10, "limit_price": 3000}
    refused = [
        (f"/judicial/cases/{cid}/purchases", buy, "court2", 403, "forbidden"),
        (f"/judicial/cases/{cid}/purchases", buy, "alice", 403, "forbidden"),
        (f"/judicial/cases/{cid}/retire", {}, "supervisor", 403, "forbidden"),
        (f"/judicial/cases/{cid}/purchases", {**buy, "limit_price": 3200}, "court", 422,
         "above_cap"),
        (f"/judicial/cases/{cid}/payments", {"reference": "PAY-1", "amount": 5}, "court", 409,
         "duplicate_payment"),
        (f"/judicial/cases/{cid}/close", {}, "court", 409, "wrong_case_state"),
        ("/judicial/cases", {"court": COURT_P, "number": "渝0102刑初123号"}, "court", 422,
         "invalid_input"),
    ]
    for path, body, who, status, code in refused:
        r = c.post(path, body, who)
        assert (r.status_code, r.json()["error"]["code"]) == (status, code), (path, r.text)
    assert api.size == size


def test_a_purchase_of_the_wrong_credit_kind_is_refused(api: Api) -> None:
    c, _, _ = court_case(api)
    forest = c.ok("/judicial/cases", {
        "court": COURT_P, "number": "（2024）渝0102刑初9号", "cause": "非法狩猎罪",
        "defendants": [{"name": "李四", "kind": "person"}], "judgment_date": "2024-01-05",
        "tonnes": 10, "deadline": "2099-01-01", "asset": "CQCER", "categories": ["forestry"],
        "cap_price": 3100, "refund_account": ALICE}, "court")["case"]
    c.ok(f"/judicial/cases/{forest}/payments", {"reference": "PAY-F", "amount": 40_000},
         "court")
    size = api.size
    r = c.post(f"/judicial/cases/{forest}/purchases",
               {"instrument": "CQCER-ALL", "quantity": 10, "limit_price": 3000}, "court")
    assert (r.status_code, r.json()["error"]["code"]) == (422, "wrong_credit_kind")
    assert api.size == size


@pytest.mark.parametrize("who", [None, "alice", "court2"])
def test_sealed_details_are_kept_from_others(api: Api, who: str | None) -> None:
    c, cid, _ = court_case(api)
    c.ok(f"/judicial/cases/{cid}/payments", {"reference": "PAY-SEALED", "amount": 1,
                                             "payer": "张三"}, "court")
    headers = api.headers(who) if who else {}
    seen = api.client.get(f"/api/v1/judicial/cases/{cid}", headers=headers).json()
    assert seen["defendants"] == [{"name": "张某", "kind": "person"}]
    assert seen["refund_account"] == "private"
    assert seen["payments"] == [{"amount": 1, "seq": seen["payments"][0]["seq"]}]
    assert "PAY-SEALED" not in str(seen) and "张三" not in str(seen)
    listed = api.client.get(f"/api/v1/judicial/courts/{COURT_P}/cases", headers=headers).json()
    assert "张三" not in str(listed) and "PAY-SEALED" not in str(listed)


@pytest.mark.parametrize("who", ["court", "operator", "auditor", "supervisor"])
def test_the_court_and_its_supervisors_read_a_case_whole(api: Api, who: str) -> None:
    c, cid, _ = court_case(api)
    c.ok(f"/judicial/cases/{cid}/payments", {"reference": "PAY-SEALED", "amount": 1,
                                             "payer": "张三"}, "court")
    seen = api.client.get(f"/api/v1/judicial/cases/{cid}", headers=api.headers(who)).json()
    assert seen["defendants"] == [{"name": "张三", "kind": "person"}]
    assert seen["payments"][0]["reference"] == "PAY-SEALED"


def test_the_public_cannot_act_on_a_case(api: Api) -> None:
    _, cid, _ = court_case(api)
    size = api.size
    r = api.client.post(f"/api/v1/judicial/cases/{cid}/payments",
                        json={"reference": "X", "amount": 1}, headers={"Idempotency-Key": "p"})
    assert (r.status_code, r.json()["error"]["code"]) == (401, "unauthenticated")
    assert api.size == size


def test_log_verify_finds_escrow_money_no_case_accounts_for(api: Api) -> None:
    """Escrow in = spent + fees + refunded + what is left, for each court: money put into a
    court's escrow account by a plain transfer is not any case's, and verify says so."""
    c, cid, _ = court_case(api)
    c.ok(f"/judicial/cases/{cid}/payments", {"reference": "PAY-1", "amount": 122_366}, "court")
    assert api.platform.verify().problems == []
    escrow = next(a["id"] for a in api.client.get(
        f"/api/v1/parties/{COURT_P}/accounts", headers=api.headers("operator")).json()
        if a["type"] == "escrow")
    c.ok("/transfers", {"asset": "CNY", "source": TREASURY, "destination": escrow,
                        "quantity": 5}, "operator")
    problems = api.platform.verify().problems
    assert any("invariant (judicial)" in p and "escrow holds 122371 fen, its cases 122366" in p
               for p in problems), problems


def test_a_case_naming_a_project_buys_from_it_bilaterally(api: Api) -> None:
    c, _, _ = court_case(api)
    cid = c.ok("/judicial/cases", {
        "court": COURT_P, "number": "（2024）渝0156刑初33号", "cause": "非法占用农用地罪",
        "defendants": [{"name": "王五", "kind": "person"}], "judgment_date": "2024-05-10",
        "tonnes": 30, "deadline": "2099-09-30", "asset": "CQCER", "cap_price": 3100,
        "refund_account": ALICE, "project": "CQ0001"}, "court")["case"]
    c.ok(f"/judicial/cases/{cid}/payments", {"reference": "PAY-B", "amount": 100_000}, "court")
    r = c.post(f"/judicial/cases/{cid}/purchases",
               {"instrument": "CQCER-ALL", "quantity": 10, "limit_price": 3000}, "court")
    assert (r.status_code, r.json()["error"]["code"]) == (422, "wrong_credit_kind")
    held = api.client.get(f"/api/v1/accounts/{ALICE}", headers=api.headers("alice")).json()
    start = held["blocks"][0]["start"]
    offer = c.ok(f"/judicial/cases/{cid}/offers", {"account": ALICE,
                                                   "ranges": [[start, start + 29]],
                                                   "price": 3000}, "alice")
    assert (offer["quantity"], offer["value"]) == (30, 90_000)
    r = c.post(f"/judicial/cases/{cid}/offers/{offer['offer']}/accept", {}, "alice")
    assert (r.status_code, r.json()["error"]["code"]) == (403, "forbidden")
    done = c.ok(f"/judicial/cases/{cid}/offers/{offer['offer']}/accept", {}, "court")
    assert done["status"] == "purchased"
    c.ok(f"/judicial/cases/{cid}/retire", {}, "court")
    assert c.ok(f"/judicial/cases/{cid}/close", {}, "court")["refunded"] == 10_000
    public = api.client.get(f"/api/v1/judicial/cases/{cid}").json()
    assert public["offers"][0]["account"] == "private" and public["project"] == "CQ0001"
    assert api.platform.verify().problems == []
