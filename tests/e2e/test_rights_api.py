"""Resource-rights trading between districts through HTTP only: a contract from the seller's
signature to completion with one tranche withheld on a failed acceptance check, the standings
counting what was released; a restoration earning a development right that is transferred and
earns an income; every refusal a 4xx with its stable code and nothing changed; a contract's
accounts kept from anyone but its parties and the authorities; no write without a key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from qingshan.ledger.domain.model import Role
from tests.e2e.conftest import Api, Flow
from tests.support.keys import make_keys

ALICE, BOB, TREASURY = "A00000004", "A00000005", "A00000003"
ALICE_P, BOB_P = "P000002", "P000003"
FLOOR = 250_000  # fen per mu: the 2018 scheme's 2,500 yuan
FUNDS = 10**10
# the journal's year (its days are Beijing days): measured now, released now
YEAR = datetime.now(ZoneInfo("Asia/Shanghai")).year


@dataclass
class Districts:
    flow: Flow
    seller: str  # 酉阳县: forest above its target, indicators issued
    buyer: str  # 江北区: short of its target, funded
    other: str  # 城口县: a third district, party to nothing
    accounts: dict[str, str]  # party -> its holding account


def districts(api: Api) -> Districts:
    """The indicator assets, three districts with an account each and a member key each,
    the forestry authority's key, the floor price; the seller measured 10,000 mu above its
    target and issued them, the buyer measured short and funded."""
    c = Flow(api)
    for code, unit, name in (("FCI", "mu", "森林面积指标"), ("DRQ", "mu", "生态修复开发权")):
        c.ok("/asset-classes", {"code": code, "asset_kind": "serialized", "unit": unit,
                                "name": name, "registry": "QS"}, "operator")
    parties, accounts = {}, {}
    for who, name, code in (("youyang", "酉阳县", "500242"), ("jiangbei", "江北区", "500105"),
                            ("chengkou", "城口县", "500229")):
        party = c.ok("/parties", {"party_kind": "district", "name": name, "identifier": code},
                     "operator")["party"]
        accounts[party] = c.ok("/accounts", {"party": party, "account_type": "holding",
                                             "label": "指标账户"}, "operator")["account"]
        parties[who] = party
    api.keys.update(make_keys(api.platform, {
        "forestry": (Role.FORESTRY, None), **{w: (Role.MEMBER, p) for w, p in parties.items()}}))
    d = Districts(c, parties["youyang"], parties["jiangbei"], parties["chengkou"], accounts)
    c.ok("/transfers", {"asset": "CNY", "source": TREASURY, "destination": accounts[d.buyer],
                        "quantity": FUNDS}, "operator")
    assert c.ok("/rights/floors", {"indicator": "forest_area", "price": FLOOR},
                "operator") == {"indicator": "forest_area", "price": FLOOR}
    seller = c.ok("/rights/measurements", measurement(d.seller, 560_000, 1_000_000),
                  "forestry")
    assert (seller["duty"], seller["surplus"], seller["replaced"]) == (550_000, 10_000, False)
    assert c.ok("/rights/measurements", measurement(d.buyer, 50_000, 100_000),
                "forestry")["surplus"] == -5_000
    grant = c.ok("/rights/grants", {"district": d.seller, "indicator": "forest_area",
                                    "year": YEAR, "quantity": 10_000,
                                    "account": accounts[d.seller]}, "forestry")
    assert grant["issuable"] == 0
    return d


def measurement(district: str, forest_mu: int, land_mu: int) -> dict[str, Any]:
    return {"district": district, "indicator": "forest_area", "year": YEAR,
            "amount": forest_mu, "basis": land_mu, "target_bps": 5500,
            "source": "重庆市林业局 森林资源监测"}


def contract_body(d: Districts, quantity: int = 3000, **changes: Any) -> dict[str, Any]:
    per = quantity // 3
    body = {"indicator": "forest_area", "seller": d.seller, "buyer": d.buyer,
            "quantity": quantity, "unit_price": FLOOR,
            "tranches": [{"quantity": per, "due": f"{YEAR}-12-31"},
                         {"quantity": per, "due": f"{YEAR + 1}-12-31"},
                         {"quantity": quantity - 2 * per, "due": f"{YEAR + 2}-12-31"}],
            "maintenance_years": 15, "duties": "护林员巡护，打桩挂牌",
            "signed_on": f"{YEAR}-01-15", "seller_account": d.accounts[d.seller]}
    return {**body, **changes}


def approved(d: Districts) -> str:
    c = d.flow
    cid = str(c.ok("/rights/contracts", contract_body(d), "youyang")["contract"])
    c.ok(f"/rights/contracts/{cid}/agree", {"buyer_account": d.accounts[d.buyer]}, "jiangbei")
    c.ok(f"/rights/contracts/{cid}/approve", {}, "operator")
    return cid


def holdings(api: Api, account: str) -> dict[str, Any]:
    got = api.client.get(f"/api/v1/accounts/{account}", headers=api.headers("operator"))
    assert got.status_code == 200, got.text
    body: dict[str, Any] = got.json()
    return body


def units(api: Api, account: str, asset: str) -> dict[str, int]:
    found: dict[str, int] = holdings(api, account)["units"].get(asset, {})
    return found


def money(api: Api, account: str) -> tuple[int, int]:
    """(balance, held) of CNY, fen."""
    b = next((b for b in holdings(api, account)["balances"] if b["asset"] == "CNY"),
             {"balance": 0, "held": 0})
    return int(b["balance"]), int(b["held"])


def get(api: Api, path: str, who: str | None = "operator") -> Any:
    r = api.client.get(f"/api/v1{path}", headers=api.headers(who) if who else {})
    assert r.status_code == 200, (path, r.text)
    return r.json()


def test_a_contract_runs_from_signature_to_completion_with_one_tranche_withheld(
        api: Api) -> None:
    d = districts(api)
    c = d.flow
    seller_acc, buyer_acc = d.accounts[d.seller], d.accounts[d.buyer]
    proposed = c.ok("/rights/contracts", contract_body(d), "youyang")
    cid = proposed["contract"]
    assert (proposed["status"], proposed["value"]) == ("proposed", 3000 * FLOOR)
    agreed = c.ok(f"/rights/contracts/{cid}/agree", {"buyer_account": buyer_acc}, "jiangbei")
    assert agreed["status"] == "agreed"
    assert c.ok(f"/rights/contracts/{cid}/approve", {}, "operator")["status"] == "approved"
    # in escrow: every tranche's indicators held on the seller's side, its money the buyer's
    assert units(api, seller_acc, "FCI")["held"] == 3000
    assert money(api, buyer_acc) == (FUNDS, 3000 * FLOOR)
    # tranche 1: the check passes, the buyer releases it
    one = c.ok(f"/rights/contracts/{cid}/tranches/1/check",
               {"passed": True, "report": "造林成活率 92%"}, "forestry")
    assert (one["status"], one["contract_status"]) == ("accepted", "approved")
    released = c.ok(f"/rights/contracts/{cid}/tranches/1/release", {}, "jiangbei")
    assert (released["quantity"], released["value"]) == (1000, 1000 * FLOOR)
    # tranche 2: the check fails; indicators back to the seller, money back to the buyer
    two = c.ok(f"/rights/contracts/{cid}/tranches/2/check",
               {"passed": False, "report": "补植未达标，成活率 61%"}, "forestry")
    assert (two["status"], two["contract_status"]) == ("withheld", "approved")
    assert units(api, seller_acc, "FCI")["held"] == 1000  # tranche 3 only
    assert units(api, seller_acc, "FCI")["active"] == 10_000 - 1000 - 1000
    assert money(api, buyer_acc) == (FUNDS - 1000 * FLOOR, 1000 * FLOOR)
    # tranche 3: passes and is released; the contract is completed
    c.ok(f"/rights/contracts/{cid}/tranches/3/check", {"passed": True, "report": "合格"},
         "forestry")
    last = c.ok(f"/rights/contracts/{cid}/tranches/3/release", {}, "operator")
    assert last["contract_status"] == "completed"
    assert units(api, buyer_acc, "FCI")["active"] == 2000
    assert units(api, seller_acc, "FCI") == {"active": 8000, "held": 0, "retired": 0,
                                             "cancelled": 0}
    assert money(api, buyer_acc) == (FUNDS - 2000 * FLOOR, 0)
    assert money(api, seller_acc) == (2000 * FLOOR, 0)
    whole = get(api, f"/rights/contracts/{cid}")
    assert (whole["status"], whole["released"], whole["withheld"]) == ("completed", 2000, 1000)
    assert [t["status"] for t in whole["tranches"]] == ["released", "withheld", "released"]
    assert [h["kind"] for h in whole["history"]] == [
        "propose_contract", "agree_contract", "approve_contract", "record_tranche_check",
        "release_tranche", "record_tranche_check", "record_tranche_check", "release_tranche"]
    # the standings count what was released: the buyer bought 2,000 mu, the seller sold them
    standings = get(api, f"/rights/standings?indicator=forest_area&year={YEAR}", None)
    by = {s["district"]: s for s in standings["districts"]}
    assert (by[d.buyer]["bought"], by[d.buyer]["sold"]) == (2000, 0)
    assert (by[d.seller]["bought"], by[d.seller]["sold"]) == (0, 2000)
    assert by[d.buyer]["effective"] == 52_000 and by[d.buyer]["status"] == "short"
    assert by[d.seller]["effective"] == 558_000 and by[d.seller]["status"] == "surplus"
    assert standings["year"] == YEAR and standings["counts"]["short"] == 1
    assert get(api, "/rights/standings", None)["year"] == YEAR  # the latest by default
    prices = get(api, "/rights/prices?indicator=forest_area", None)
    assert [(p["contract"], p["unit_price"], p["quantity"], p["seller"]) for p in prices] == [
        (cid, FLOOR, 3000, "酉阳县")]
    record = get(api, f"/rights/districts/{d.buyer}", None)
    assert record["standings"]["forest_area"][0]["bought"] == 2000
    assert [k["id"] for k in record["contracts"]] == [cid]
    csv = api.client.get("/api/v1/rights/standings.csv?indicator=forest_area")
    assert csv.status_code == 200
    assert f"{YEAR},{d.buyer},江北区,500105,50000,100000,5500,55000,2000,0,52000" in \
        csv.content.decode("utf-8-sig")
    assert api.platform.verify().problems == []


def test_a_restoration_earns_a_development_right_that_is_transferred_and_earns(
        api: Api) -> None:
    d = districts(api)
    c = d.flow
    rid = c.ok("/rights/restorations", {
        "restorer": ALICE_P, "district": d.other, "site_kind": "abandoned_mine",
        "site": "中梁山废弃矿山", "area_mu": 2378, "plan": "削坡减荷、覆土复绿、建设矿山公园",
        "use": "eco_tourism", "started": "2014-03-01"}, "alice")["restoration"]
    assert get(api, f"/rights/restorations/{rid}", None)["status"] == "planned"
    accepted = c.ok(f"/rights/restorations/{rid}/accept", {
        "passed": True, "accepted_mu": 2378, "share_bps": 300, "term_years": 20,
        "account": ALICE, "report": "验收合格"}, "forestry")
    assert (accepted["status"], accepted["granted"]) == ("accepted", 2378 * 300 // 10_000)
    assert units(api, ALICE, "DRQ")["active"] == 71
    moved = c.ok(f"/rights/restorations/{rid}/transfers", {
        "source": ALICE, "destination": BOB, "quantity": 30, "use": "eco_tourism"}, "alice")
    assert (moved["quantity"], moved["holder"]) == (30, BOB_P)
    assert units(api, BOB, "DRQ")["active"] == 30 and units(api, ALICE, "DRQ")["active"] == 41
    # the business's operator (now a holder) reports the year's income
    income = c.ok(f"/rights/restorations/{rid}/incomes",
                  {"year": YEAR, "amount": 334_000_000, "note": "村集体经济收入"}, "bob")
    assert income == {"restoration": rid, "year": YEAR, "amount": 334_000_000}
    r = c.post(f"/rights/restorations/{rid}/incomes", {"year": YEAR, "amount": 1}, "alice")
    assert (r.status_code, r.json()["error"]["code"]) == (409, "income_reported")
    whole = get(api, f"/rights/restorations/{rid}", None)
    assert (whole["status"], whole["granted"], whole["district_name"]) == (
        "accepted", 71, "城口县")
    assert [(t["party"], t["party_name"], t["quantity"]) for t in whole["transfers"]] == [
        (BOB_P, "bob", 30)]
    assert whole["incomes"] == [{"year": YEAR, "amount": 334_000_000,
                                 "note": "村集体经济收入"}]
    assert [h["kind"] for h in whole["history"]] == [
        "register_restoration", "accept_restoration", "transfer_development_right",
        "report_income"]
    assert "account" not in whole and ALICE not in str(whole)
    assert [x["id"] for x in get(api, "/rights/restorations?status=accepted", None)] == [rid]
    assert get(api, "/rights/restorations?status=planned", None) == []
    assert api.platform.verify().problems == []


def _state(api: Api, d: Districts, cid: str | None = None) -> dict[str, Any]:
    """What a refusal must leave as it was: the journal, both districts' holdings, the
    contracts (and one of them whole), the standings."""
    out = {"size": api.size, "seller": holdings(api, d.accounts[d.seller]),
           "buyer": holdings(api, d.accounts[d.buyer]),
           "contracts": get(api, "/rights/contracts"),
           "standings": get(api, "/rights/standings", None)}
    if cid is not None:
        out["contract"] = get(api, f"/rights/contracts/{cid}")
    return out


def test_contracts_refused_change_nothing(api: Api) -> None:
    d = districts(api)
    before = _state(api, d)
    refused = [
        (contract_body(d, quantity=10_002), "youyang", 409, "above_surplus"),
        (contract_body(d, unit_price=FLOOR - 1), "youyang", 422, "below_floor"),
        (contract_body(d), "jiangbei", 403, "not_for_district"),  # the buyer signs as seller
        (contract_body(d), "chengkou", 403, "not_for_district"),
        (contract_body(d), "forestry", 403, "not_for_district"),
        (contract_body(d, seller_account=d.accounts[d.buyer]), "youyang", 403, "forbidden"),
    ]
    for body, who, status, code in refused:
        r = d.flow.post("/rights/contracts", body, who)
        assert (r.status_code, r.json()["error"]["code"]) == (status, code), (who, r.text)
    assert _state(api, d) == before


def test_steps_refused_on_a_contract_change_nothing(api: Api) -> None:
    d = districts(api)
    c = d.flow
    cid = approved(d)
    c.ok(f"/rights/contracts/{cid}/tranches/1/check", {"passed": True, "report": "合格"},
         "forestry")
    c.ok(f"/rights/contracts/{cid}/tranches/1/release", {}, "jiangbei")
    before = _state(api, d, cid)
    refused = [
        (f"/rights/contracts/{cid}/tranches/1/release", {}, "jiangbei", 409,
         "tranche_released"),
        (f"/rights/contracts/{cid}/tranches/1/release", {}, "operator", 409,
         "tranche_released"),
        (f"/rights/contracts/{cid}/tranches/2/release", {}, "jiangbei", 409,
         "wrong_tranche_state"),  # not checked yet
        (f"/rights/contracts/{cid}/tranches/2/release", {}, "youyang", 403,
         "not_for_district"),  # the seller does not release to itself
        (f"/rights/contracts/{cid}/tranches/1/check", {"passed": False, "report": "x"},
         "forestry", 409, "wrong_tranche_state"),
        (f"/rights/contracts/{cid}/tranches/2/check", {"passed": True, "report": "x"},
         "jiangbei", 403, "forbidden"),  # a district does not check its own contract
        (f"/rights/contracts/{cid}/tranches/4/check", {"passed": True, "report": "x"},
         "forestry", 422, "invalid_input"),  # the contract has three
        (f"/rights/contracts/{cid}/agree", {"buyer_account": d.accounts[d.buyer]},
         "jiangbei", 409, "wrong_contract_state"),
        (f"/rights/contracts/{cid}/approve", {}, "operator", 409, "wrong_contract_state"),
        ("/rights/contracts/RC999999/approve", {}, "operator", 404, "unknown_contract"),
        (f"/rights/contracts/{cid}/tranches/0/release", {}, "operator", 422, "invalid_input"),
    ]
    for path, body, who, status, code in refused:
        r = c.post(path, body, who)
        assert (r.status_code, r.json()["error"]["code"]) == (status, code), (path, r.text)
    assert _state(api, d, cid) == before


def test_only_the_buyer_countersigns_and_only_the_operator_approves(api: Api) -> None:
    d = districts(api)
    c = d.flow
    cid = c.ok("/rights/contracts", contract_body(d), "youyang")["contract"]
    before = _state(api, d, cid)
    for who, code in (("chengkou", "not_for_district"), ("youyang", "not_for_district")):
        r = c.post(f"/rights/contracts/{cid}/agree", {"buyer_account": d.accounts[d.buyer]},
                   who)
        assert (r.status_code, r.json()["error"]["code"]) == (403, code), r.text
    r = c.post(f"/rights/contracts/{cid}/approve", {}, "operator")
    assert (r.status_code, r.json()["error"]["code"]) == (409, "wrong_contract_state")
    assert _state(api, d, cid) == before
    c.ok(f"/rights/contracts/{cid}/agree", {"buyer_account": d.accounts[d.buyer]}, "jiangbei")
    for who in ("forestry", "jiangbei", "auditor"):
        r = c.post(f"/rights/contracts/{cid}/approve", {}, who)
        assert (r.status_code, r.json()["error"]["code"]) == (403, "forbidden"), (who, r.text)
    assert get(api, f"/rights/contracts/{cid}")["status"] == "agreed"


@pytest.mark.parametrize("who", [None, "chengkou", "alice", "verifier"])
def test_a_contracts_accounts_are_private_to_others(api: Api, who: str | None) -> None:
    d = districts(api)
    cid = approved(d)
    seen = get(api, f"/rights/contracts/{cid}", who)
    assert (seen["seller_account"], seen["buyer_account"]) == ("private", "private")
    assert seen["quantity"] == 3000 and seen["seller"] == d.seller  # the deal is public
    listed = get(api, "/rights/contracts", who)
    assert [(x["seller_account"], x["buyer_account"]) for x in listed] == [
        ("private", "private")]
    record = get(api, f"/rights/districts/{d.seller}", who)
    assert record["contracts"][0]["seller_account"] == "private"
    for acc in (d.accounts[d.seller], d.accounts[d.buyer]):
        assert acc not in str(seen) + str(listed) + str(record)


@pytest.mark.parametrize("who", ["youyang", "jiangbei", "operator", "forestry", "auditor"])
def test_the_parties_and_the_authorities_see_a_contracts_accounts(api: Api, who: str) -> None:
    d = districts(api)
    cid = approved(d)
    seen = get(api, f"/rights/contracts/{cid}", who)
    assert (seen["seller_account"], seen["buyer_account"]) == (
        d.accounts[d.seller], d.accounts[d.buyer])
    listed = get(api, f"/rights/contracts?district={d.seller}&status=approved", who)
    assert [x["seller_account"] for x in listed] == [d.accounts[d.seller]]


def test_unauthenticated_writes_are_refused(api: Api) -> None:
    d = districts(api)
    cid = approved(d)
    size = api.size
    for path, body in (("/rights/contracts", contract_body(d)),
                       ("/rights/floors", {"indicator": "forest_area", "price": 1}),
                       (f"/rights/contracts/{cid}/tranches/1/check",
                        {"passed": True, "report": "合格"}),
                       (f"/rights/contracts/{cid}/tranches/1/release", None)):
        r = api.client.post(f"/api/v1{path}", json=body, headers={"Idempotency-Key": "anon"})
        assert (r.status_code, r.json()["error"]["code"]) == (401, "unauthenticated"), path
    assert api.size == size


def test_reads_refuse_what_they_do_not_know(api: Api) -> None:
    districts(api)
    for path, status, code in (("/rights/contracts/RC999999", 404, "unknown_contract"),
                               ("/rights/restorations/RR999999", 404, "unknown_restoration"),
                               (f"/rights/districts/{ALICE_P}", 404, "not_found"),  # no district
                               ("/rights/standings?indicator=coal", 422, None),
                               ("/rights/contracts?status=signed", 422, None),
                               ("/rights/standings?year=1999", 422, None)):
        r = api.client.get(f"/api/v1{path}")
        assert r.status_code == status, (path, r.text)
        assert code is None or r.json()["error"]["code"] == code, r.text
    empty = get(api, "/rights/standings?indicator=clean_water", None)
    assert (empty["year"], empty["districts"], empty["unit"]) == (None, [], "section-year")
