"""A well-formed body for every write route of the API, for tests that poison one value at a
time. A test that walks the app's routes fails for a new write route until it has one here."""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi import FastAPI

from tests.support.registry import project_payload

ALICE, BOB = "A00000004", "A00000005"
# a value for each path parameter of the write routes
PATH_VALUES = {"account": ALICE, "hold": "H00000001", "project": "CQ0001", "step": "submit",
               "report": "MR000001", "request": "IR000001", "instrument": "CQCER-ALL",
               "order": "O00000001", "auction": "O00000001", "key_id": "k0123456789ab",
               "case": "JC000001", "offer": "JO000001", "contract": "RC000001", "tranche": "1",
               "restoration": "RR000001", "loan": "LN000001", "day": "2026-11-28"}
_TRANSFER = {"asset": "CQCER", "source": ALICE, "destination": BOB, "quantity": 1,
             "memo": "a memo"}
_DOCUMENT = {"name": "PDD", "sha256": "a" * 64, "url": "https://example.org/pdd"}

EXAMPLES: dict[str, dict[str, Any] | None] = {
    # the ledger
    "/api/v1/asset-classes": {"code": "XCER", "asset_kind": "serialized", "unit": "tCO2e",
                              "name": "another credit", "registry": "QS"},
    "/api/v1/parties": {"party_kind": "individual", "name": "carol"},
    "/api/v1/accounts": {"party": "P000002", "account_type": "holding", "label": "spare"},
    "/api/v1/accounts/{account}/status": {"status": "frozen", "reason": "a court order"},
    "/api/v1/issuances": {"asset": "CQCER", "project": "CQ0009", "vintage": 2023,
                          "monitoring_start": "2023-01-01", "monitoring_end": "2023-12-31",
                          "reference": "MR1/IR1", "allocations": [[ALICE, 10]]},
    "/api/v1/transfers": _TRANSFER,
    "/api/v1/retirements": {"asset": "CQCER", "account": ALICE, "quantity": 1,
                            "purpose": "voluntary", "beneficiary": "a school",
                            "reason": "offset", "reference": "case 1"},
    "/api/v1/cancellations": {"asset": "CQCER", "account": ALICE, "quantity": 1,
                              "reason": "moves to CCER", "destination": "CCER",
                              "reference": "ref"},
    "/api/v1/holds": {"hold_kind": "pledge", "asset": "CQCER", "account": ALICE,
                      "quantity": 1, "controller": "P000003", "reference": "loan 1"},
    "/api/v1/holds/{hold}/release": {"reason": "repaid"},
    "/api/v1/holds/{hold}/enforce": {"destination": BOB, "reason": "defaulted"},
    "/api/v1/batch": {"commands": [{"kind": "transfer", "payload": _TRANSFER}]},
    "/api/v1/api-keys": {"role": "member", "party": "P000002", "label": "a key"},
    "/api/v1/api-keys/{key_id}/revoke": {"reason": "the laptop was lost"},
    # the registry
    "/api/v1/registry/projects": project_payload(),
    "/api/v1/registry/projects/{project}/documents": _DOCUMENT,
    "/api/v1/registry/projects/{project}/losses": {"quantity": 1, "cause": "fire",
                                                   "avoidable": False, "occurred": "2024-05-01",
                                                   "description": "a forest fire",
                                                   "documents": [_DOCUMENT]},
    "/api/v1/registry/grid-factors": {"rows": [{
        "id": "CN-CENTRAL-OM-2023", "kind": "om", "region": "central", "provinces": ["50"],
        "year": 2023, "value": "0.8", "document": "a published table", "locator": "p. 3",
        "url": "https://example.org/table", "published": "2024-01-01"}]},
    "/api/v1/registry/green-certificates": {"rows": [{
        "reference": "GEC-1", "plant_code": "PLANT-1", "period_start": "2024-01-01",
        "period_end": "2024-12-31", "mwh": "12.5", "source": "the GEC list"}]},
    # (one route per lifecycle step, each with its own body)
    **{f"/api/v1/registry/projects/{{project}}/{step}": {"reason": "ready"}
       for step in ("submit", "register", "suspend", "reinstate", "withdraw")},
    "/api/v1/registry/projects/{project}/validate": {"approve": True, "opinion": "fine"},
    "/api/v1/registry/projects/{project}/revalidate": {"fixed": {"ef": "0.5"},
                                                       "reason": "new PDD"},
    "/api/v1/registry/reports": {"project": "CQ0001", "period_start": "2023-01-01",
                                 "period_end": "2023-12-31", "values": {"eg_mwh": "12.5"},
                                 "documents": [_DOCUMENT]},
    "/api/v1/registry/reports/{report}/verify": {"approve": True, "verified_quantity": 1,
                                                 "opinion": "meters checked"},
    "/api/v1/registry/issuance-requests": {"report": "MR000001", "quantity": 1},
    "/api/v1/registry/issuance-requests/{request}/decide": {"approve": True,
                                                            "reason": "verified"},
    # the market
    "/api/v1/market/instruments": {"id": "CQCER-X", "asset": "CQCER", "tick": 1, "lot": 1,
                                   "band_bps": 1000, "reference_price": 3000,
                                   "max_order": 1000, "fee_bps": 0, "fee_account": ALICE,
                                   "categories": ["forestry"], "modes": ["continuous"],
                                   "sessions": [["09:30", "11:30"]]},
    "/api/v1/market/instruments/{instrument}/reference-price": {"price": 3000,
                                                                "reason": "a new close"},
    "/api/v1/market/instruments/{instrument}/phase": {"phase": "halted", "reason": "a halt"},
    "/api/v1/market/instruments/{instrument}/rules": {"rules": 3, "reason": "new rules"},
    "/api/v1/market/instruments/{instrument}/call-auction": None,
    "/api/v1/market/instruments/{instrument}/close-day": None,
    "/api/v1/market/orders": {"instrument": "CQCER-ALL", "account": ALICE, "side": "sell",
                              "order_type": "limit", "price": 3000, "quantity": 1},
    "/api/v1/market/orders/{order}/cancel": None,
    "/api/v1/market/orders/{order}/amend": {"price": 3000, "quantity": 1},
    "/api/v1/market/orders/{order}/pick": {"account": ALICE, "quantity": 1},
    "/api/v1/market/block-trades": {"instrument": "CQCER-ALL", "seller": ALICE, "buyer": BOB,
                                    "price": 3000, "quantity": 1},
    "/api/v1/market/block-trades/{order}/confirm": None,
    "/api/v1/market/auctions": {"instrument": "CQCER-ALL", "account": ALICE, "quantity": 1,
                                "reserve_price": 3000, "ends_at": 4_000_000_000_000,
                                "side": "sell"},
    "/api/v1/market/auctions/{auction}/bids": {"account": BOB, "price": 3000, "quantity": 1},
    "/api/v1/market/auctions/{auction}/close": None,
    # judicial offsetting
    "/api/v1/judicial/cases": {
        "court": "P000004", "number": "（2026）渝0102刑初1号", "cause": "滥伐林木罪",
        "defendants": [{"name": "张三", "kind": "person"}], "judgment_date": "2026-01-05",
        "compensation_fen": 100_000, "deadline": "2026-06-30", "restoration": "补植复绿",
        "asset": "CQCER", "categories": ["forestry"], "cap_price": 3100,
        "refund_account": ALICE},
    "/api/v1/judicial/cases/{case}/amend": {"deadline": "2026-09-30",
                                            "reason": "（2026）渝01刑终3号"},
    "/api/v1/judicial/cases/{case}/payments": {"reference": "CCB-1", "amount": 100,
                                               "payer": "张三"},
    "/api/v1/judicial/cases/{case}/purchases": {"instrument": "CQCER-ALL", "quantity": 1,
                                                "limit_price": 3000},
    "/api/v1/judicial/cases/{case}/retire": None,
    "/api/v1/judicial/cases/{case}/close": {"note": "执结"},
    "/api/v1/judicial/cases/{case}/offers": {"account": ALICE, "ranges": [[1, 10]],
                                             "price": 3000},
    "/api/v1/judicial/cases/{case}/offers/{offer}/accept": None,
    # resource rights (the districts P000005 and P000006 do not exist in these tests: the
    # bodies are well formed, and refused, if at all, by the handlers)
    "/api/v1/rights/floors": {"indicator": "forest_area", "price": 250_000},
    "/api/v1/rights/measurements": {"district": "P000005", "indicator": "forest_area",
                                    "year": 2024, "amount": 560_000, "basis": 1_000_000,
                                    "target_bps": 5500, "source": "重庆市林业局 森林资源监测"},
    "/api/v1/rights/grants": {"district": "P000005", "indicator": "forest_area", "year": 2024,
                              "quantity": 1000, "account": ALICE},
    "/api/v1/rights/successions": {"predecessor": "P000006", "successor": "P000007",
                                   "effective": "2025-11-06", "account": BOB,
                                   "note": "渝府发〔2025〕15号"},
    "/api/v1/rights/contracts": {
        "indicator": "forest_area", "seller": "P000005", "buyer": "P000006", "quantity": 2000,
        "unit_price": 250_000, "tranches": [{"quantity": 1000, "due": "2026-12-31"},
                                            {"quantity": 1000, "due": "2027-12-31"}],
        "maintenance_years": 15, "duties": "护林员巡护，打桩挂牌", "signed_on": "2026-06-01",
        "seller_account": ALICE},
    "/api/v1/rights/contracts/{contract}/agree": {"buyer_account": BOB},
    "/api/v1/rights/contracts/{contract}/approve": None,
    "/api/v1/rights/contracts/{contract}/tranches/{tranche}/check": {
        "passed": True, "report": "造林成活率 92%"},
    "/api/v1/rights/contracts/{contract}/tranches/{tranche}/release": None,
    "/api/v1/rights/restorations": {
        "restorer": "P000002", "district": "P000005", "site_kind": "abandoned_mine",
        "site": "中梁山废弃矿山", "area_mu": 2378, "plan": "削坡减荷、覆土复绿",
        "use": "eco_tourism", "started": "2014-03-01"},
    "/api/v1/rights/restorations/{restoration}/accept": {
        "passed": True, "accepted_mu": 2378, "share_bps": 300, "term_years": 20,
        "account": ALICE, "report": "验收合格"},
    "/api/v1/rights/restorations/{restoration}/transfers": {
        "source": ALICE, "destination": BOB, "quantity": 30, "use": "eco_tourism"},
    "/api/v1/rights/restorations/{restoration}/incomes": {"year": 2025, "amount": 334_000_000,
                                                          "note": "村集体经济收入"},
    # pledge loans (no bank or forestry project exists in these tests: the bodies are well
    # formed, and refused, if at all, by the handlers)
    "/api/v1/lending/lines": {"bank": "P000005", "district": "500156",
                              "limit": 5_000_000_000, "start": "2023-06-01",
                              "end": "2031-05-31", "note": "5,000 万元, 8 年"},
    "/api/v1/lending/appraisals": {
        "project": "CQ0001", "bank": "P000005",
        "stands": [{"group": "fir", "area_m2": 8_000_000, "age": 8},
                   {"group": "masson_pine", "area_m2": 5_000_000, "age": 12,
                    "site_bps": 9000}],
        "horizon": 20, "draws": 100, "seed": 1, "price": 6000, "discount_bps": 450,
        "ltv_bps": 6000},
    "/api/v1/lending/loans": {"bank": "P000005", "project": "CQ0001", "appraisal": "VA000001",
                              "principal": 100_000_000, "rate_bps": 385, "term_months": 60,
                              "repayment": "equal_principal", "max_ltv_bps": 7000},
    "/api/v1/lending/loans/{loan}/repayments": {"principal": 100, "interest": 10},
    "/api/v1/lending/loans/{loan}/enforce": {"account": ALICE, "note": "逾期 90 天"},
    # carbon-inclusive accounts (the partner P000005 is not registered in these tests; a
    # partner's file is its raw bytes, here sent as JSON by a key that is no partner's)
    "/api/v1/inclusive/accounts": {"treasury": "A00000001", "people": ALICE, "pool": BOB},
    "/api/v1/inclusive/partners": {"party": "P000005", "name": "重庆轨道交通",
                                   "scenarios": ["metro", "bus"]},
    "/api/v1/inclusive/rewards": {"name": "公交乘车优惠券 2 元", "price": 2000, "stock": 100,
                                  "sponsor": "P000002"},
    "/api/v1/inclusive/me/redeem": {"reward": "RW000001", "quantity": 1},
    "/api/v1/inclusive/me/donate": {"grams": 100, "note": "重庆马拉松碳中和"},
    "/api/v1/inclusive/me/consents": {"partner": "P000005", "allow": False},
    "/api/v1/inclusive/days/{day}/settle": None,
    "/api/v1/inclusive/days/{day}/close": None,
    "/api/v1/inclusive/batches": {"event_id": "m-1", "person": 1, "scenario": "metro"},
    "/api/v1/inclusive/people": {"people": [{"person": 1, "district": "500103", "consent": 1,
                                             "enrolled": "2026-01-01"}]},
}


# POST routes that write nothing (a proof bundle is checked, not stored)
READS_BY_POST = frozenset({"/api/v1/log/check"})
# POST routes that write outside the journal (the carbon-inclusive sub-ledger): they answer
# what they wrote, not a receipt
OUTSIDE_THE_JOURNAL = frozenset({"/api/v1/inclusive/batches", "/api/v1/inclusive/people",
                                 "/api/v1/inclusive/days/{day}/close"})


def write_routes(app: FastAPI) -> list[str]:
    """Every POST route of the API (the ledger's, the registry's, the market's, any new one),
    as the app's OpenAPI document lists its routes."""
    return sorted(path for path, item in app.openapi()["paths"].items()
                  if "post" in item and path.startswith("/api/") and path not in READS_BY_POST)


def path_with(route: str, **values: str) -> str:
    """The route's path with each parameter filled in (``values`` first, then PATH_VALUES)."""
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), PATH_VALUES[m.group(1)]),
                  route)


def text_values(body: Any, path: str = "") -> list[tuple[str, Any]]:
    """(field path, setter) for every text value in ``body``: the setter returns a copy of the
    body with that value replaced."""
    out: list[tuple[str, Any]] = []
    if isinstance(body, str):
        out.append((path, lambda v: v))
    elif isinstance(body, dict):
        for k, item in body.items():
            for sub, setter in text_values(item, f"{path}.{k}" if path else k):
                out.append((sub, lambda v, k=k, s=setter, b=body: {**b, k: s(v)}))
    elif isinstance(body, list):
        for i, item in enumerate(body):
            for sub, setter in text_values(item, f"{path}.{i}" if path else str(i)):
                out.append((sub, lambda v, i=i, s=setter, b=body: [*b[:i], s(v), *b[i + 1:]]))
    return out


SECONDS = 30  # an answer later than this means the writer is stuck


def within(call: Callable[[], Any]) -> Any:
    """The answer of ``call``, or a failure if none comes in time (a dead writer never
    answers, and a test waiting for it would wait for ever)."""
    pool = ThreadPoolExecutor(1)
    future = pool.submit(call)
    try:
        return future.result(timeout=SECONDS)
    except TimeoutError:
        pytest.fail(f"no answer within {SECONDS} s: the writer is stuck")
    finally:
        pool.shutdown(wait=False)
