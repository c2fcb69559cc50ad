"""Simple bad input gets a 4xx, never a 500, and non-canonical values never get in: one test
per fault reported against ``make demo`` (numbers beyond 64 bits, a non-numeric Last-Event-ID,
non-ASCII digits in forms, JSON that is not an object for /log/check, dates in other ISO forms,
periods that have not ended, request size)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import anyio
import httpx
import pytest
from fastapi.testclient import TestClient

from qingshan.api.app import create_app
from qingshan.infra.config import Settings
from qingshan.platform import Platform
from tests.e2e.conftest import Api, Flow
from tests.e2e.test_market_api import listed
from tests.e2e.test_web_safety import sign_in
from tests.support.databases import migrated_sqlite
from tests.support.requests import within

ALICE, BOB = "A00000004", "A00000005"
BEYOND = [str(2**63), str(2**70), "-1"]


def beijing_today() -> dt.date:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(hours=8)).date()


NUMBER_URLS = [
    "/api/v1/journal/{v}", "/api/v1/log/proofs/inclusion/{v}",
    "/api/v1/log/proofs/inclusion/1?tree_size={v}", "/api/v1/log/tree-head?size={v}",
    "/api/v1/issuances?after={v}", "/api/v1/issuances?limit={v}",
    "/api/v1/retirements?after={v}", "/api/v1/journal?after={v}", "/api/v1/journal?limit={v}",
    f"/api/v1/accounts/{ALICE}/entries?after={{v}}",
    "/api/v1/market/instruments/X/trades?after={v}",
    "/api/v1/market/instruments/X/trades?limit={v}",
    "/api/v1/market/instruments/X/depth?levels={v}",
    "/api/v1/registry/projects?limit={v}", "/api/v1/log/proofs/consistency?first=1&second={v}",
    "/audit?after={v}", "/registry?page={v}"]


def test_numbers_beyond_their_range_get_422_on_every_route(api: Api) -> None:
    wrong = []
    for url in NUMBER_URLS:
        for value in BEYOND:
            r = api.client.get(url.format(v=value), headers=api.headers("operator"))
            if r.status_code != 422 or r.json()["error"]["code"] != "invalid_input":
                wrong.append((url.format(v=value), r.status_code))
    assert wrong == []


def test_every_number_parameter_in_the_openapi_document_has_a_64_bit_range(api: Api) -> None:
    doc = api.client.get("/openapi.json").json()
    seen = 0
    for path, item in doc["paths"].items():
        for method, op in item.items():
            for param in op.get("parameters", []):
                for branch in param["schema"].get("anyOf", [param["schema"]]):
                    if branch.get("type") in ("integer", "number"):
                        seen += 1
                        assert branch["minimum"] >= 0 and branch["maximum"] <= 2**63 - 1, \
                            (method, path, param)
    assert seen >= 20


def test_every_4xx_answer_is_documented_as_the_one_error_format(api: Api) -> None:
    doc = api.client.get("/openapi.json").json()
    assert "HTTPValidationError" not in doc["components"]["schemas"]
    for item in doc["paths"].values():
        for op in item.values():
            assert "422" not in op["responses"]
            assert op["responses"]["4XX"]["content"]["application/json"]["schema"] == \
                {"$ref": "#/components/schemas/Error"}


def raw_get(api: Api, path: str, headers: dict[str, bytes]) -> httpx.Response:
    """A GET with header bytes exactly as given (the test client re-encodes them; a server
    reads ``²`` from the single byte 0xB2)."""
    async def get() -> httpx.Response:
        transport = httpx.ASGITransport(app=api.client.app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            return await c.get(path, headers=headers)

    return anyio.run(get)


def test_a_last_event_id_that_is_no_trade_id_gets_422(api: Api) -> None:
    for value in (b"\xb2", b"\xb9\xb3", b"12a", str(2**64).encode(), b"-5"):
        r = raw_get(api, "/api/v1/market/instruments/X/stream", {"Last-Event-ID": value})
        assert r.status_code == 422, r.text
        assert r.json()["error"]["data"]["field"] == "Last-Event-ID"


def test_a_stream_interval_that_is_not_a_finite_number_in_range_gets_422(api: Api) -> None:
    for interval in ("nan", "inf", "-1", "1e400"):
        r = api.client.get(f"/api/v1/market/instruments/X/stream?interval={interval}")
        assert r.status_code == 422, r.text


def test_a_proof_check_of_json_that_is_no_bundle_answers_not_valid(api: Api) -> None:
    for body in ("[]", "null", "1", '"a bundle"', "{}", '{"format": 1}',
                 "[" * 5000 + "]" * 5000):
        r = api.client.post("/api/v1/log/check", content=body)
        assert r.status_code == 200, r.text
        assert r.json()["valid"] is False


def test_a_bundle_with_sizes_beyond_64_bits_answers_not_valid(api: Api) -> None:
    flow = Flow(api)
    flow.ok("/retirements", {"asset": "CQCER", "account": ALICE, "quantity": 1,
                             "purpose": "voluntary", "beneficiary": "x"}, "alice")
    seq = api.size
    bundle = api.client.get(f"/api/v1/log/proofs/inclusion/{seq}").json()
    for field, value in (("size", 2**64), ("timestamp", -1), ("size", "12")):
        bad = {**bundle, "tree_head": {**bundle["tree_head"], field: value}}
        r = api.client.post("/api/v1/log/check", json=bad)
        assert r.status_code == 200 and r.json()["valid"] is False, r.text
    assert api.client.post("/api/v1/log/check", json=bundle).json()["valid"] is True


def test_a_party_named_with_a_lone_surrogate_is_refused_and_the_next_write_works(
        api: Api) -> None:
    size = api.size
    r = within(lambda: api.client.post(
        "/api/v1/parties", content=b'{"party_kind": "individual", "name": "a\\ud800b"}',
        headers={**api.headers("operator", "p1"), "content-type": "application/json"}))
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_text", r.text
    assert r.json()["error"]["data"]["field"] == "name" and api.size == size
    r = within(lambda: api.client.post("/api/v1/parties",
                                       json={"party_kind": "individual", "name": "b"},
                                       headers=api.headers("operator", "p2")))
    assert r.status_code == 201, r.text


def test_an_issuance_dated_in_another_iso_form_is_refused(api: Api) -> None:
    size = api.size
    for date in ("20231231", "2023-W52-7", "2023-365", "2023-12-31T00:00"):
        r = Flow(api).post("/issuances", {"asset": "CQCER", "project": "CQ01", "vintage": 2023,
                                          "monitoring_start": "2023-01-01",
                                          "monitoring_end": date, "allocations": [[BOB, 10]]},
                           "operator")
        assert r.status_code == 422, r.text
    assert api.size == size


def test_units_for_a_period_that_has_not_ended_are_not_issued(api: Api) -> None:
    today = beijing_today()
    body = {"asset": "CQCER", "project": "CQ01", "vintage": today.year,
            "monitoring_start": (today - dt.timedelta(days=30)).isoformat(),
            "allocations": [[BOB, 10]]}
    flow = Flow(api)
    size = api.size
    r = flow.post("/issuances", {**body, "monitoring_end": "2032-12-31"}, "operator")
    assert r.status_code == 422 and r.json()["error"]["code"] == "period_not_ended", r.text
    r = flow.post("/issuances", {**body, "monitoring_end": (today + dt.timedelta(days=2))
                                 .isoformat()}, "operator")
    assert r.status_code == 422, r.text
    assert api.size == size
    flow.ok("/issuances", {**body, "monitoring_end": (today - dt.timedelta(days=1))
                           .isoformat()}, "operator")


# ------------------------------------------------------------------------------ web forms
def signed_in(api: Api, who: str) -> tuple[TestClient, str]:
    """The client signed in through the form as a browser would, and its CSRF token."""
    return api.client, sign_in(api.client, api.keys[who])


def form_error(r: Any) -> tuple[str, str]:
    assert r.status_code == 303, r.text
    query = parse_qs(urlparse(r.headers["location"]).query)
    return query.get("field", [""])[0], query.get("error", [""])[0]


def test_an_order_form_number_in_other_digits_is_refused_next_to_the_field(api: Api) -> None:
    listed(api)
    client, csrf = signed_in(api, "alice")
    size = api.size
    for field in ("price", "quantity"):
        for value in ("²", "١٢", "１２"):
            form = {"instrument": "CQCER-ALL", "account": ALICE, "side": "sell",
                    "price": "3000", "quantity": "1", "key": f"form-{field}-{ord(value[0])}",
                    "back": "/market/CQCER-ALL", "csrf": csrf, field: value}
            r = client.post("/me/orders?lang=en", data=form, follow_redirects=False)
            where, message = form_error(r)
            assert where == field and "digits 0-9" in message
            page = client.get(r.headers["location"])
            assert page.status_code == 200
            assert re.search(rf'<strong id="{field}-error" role="alert">[^<]*digits 0-9',
                             page.text), page.text
    assert api.size == size


def test_a_retirement_form_quantity_in_other_digits_is_refused_next_to_the_field(
        api: Api) -> None:
    client, csrf = signed_in(api, "alice")
    r = client.post("/me/retirements?lang=en", data={
        "account": ALICE, "quantity": "²", "purpose": "voluntary", "beneficiary": "x",
        "key": "retire-1", "csrf": csrf}, follow_redirects=False)
    assert form_error(r)[0] == "quantity"


# ------------------------------------------------------------------------------ size
@pytest.fixture
def small(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(database_url=migrated_sqlite(tmp_path / "small.db"),
                        signing_key_path=tmp_path / "key.pem", max_request_bytes=2000)
    plat = Platform.open(settings)
    with TestClient(create_app(settings, plat)) as client:
        yield client
    plat.close()


def _chunks(n: int) -> Iterator[bytes]:
    for _ in range(n):
        yield b" " * 500


@pytest.mark.parametrize("path", ["/api/v1/log/check", "/api/v1/parties",
                                  "/api/v1/market/orders", "/signin"])
def test_a_request_larger_than_the_limit_gets_413(small: TestClient, path: str) -> None:
    declared = small.post(path, content=b"{" + b" " * 3000 + b"}",
                          headers={"content-type": "application/json"})
    chunked = small.post(path, content=_chunks(5), headers={"content-type": "application/json"})
    for r in (declared, chunked):
        assert r.status_code == 413, r.text
        assert r.json()["error"] == {"code": "request_too_large",
                                     "message": "the request body is larger than 2000 bytes",
                                     "data": {"limit": 2000}}


def test_a_request_within_the_limit_is_served(small: TestClient) -> None:
    r = small.post("/api/v1/log/check", content=b"{}" + b" " * 1900)
    assert r.status_code == 200 and r.json()["valid"] is False


def test_a_csv_import_holding_a_nul_is_refused_at_the_edge(api: Api) -> None:
    size = api.size
    csv = (b"reference,plant_code,period_start,period_end,mwh,source\n"
           b"GEC-1,PLANT-1,2024-01-01,2024-12-31,12.5,list\x00\n")
    r = api.client.post("/api/v1/registry/green-certificates", content=csv,
                        headers={**api.headers("operator", "csv-1"),
                                 "content-type": "text/csv"})
    assert r.status_code == 422, r.text
    assert (r.json()["error"]["code"], r.json()["error"]["data"]["field"]) == \
        ("invalid_text", "body")
    assert api.size == size
