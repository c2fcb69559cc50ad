"""Registry integrity through HTTP only: the refusals a sceptical buyer relies on are clear
4xx answers that change nothing; who may import reference lists, re-validate and report losses;
the buffer pool and its draws in public (API and page)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from qingshan.api.app import create_app
from qingshan.infra.config import Settings
from qingshan.ledger.domain.model import SYSTEM, Role
from qingshan.platform import Platform
from qingshan.registry.book import RegistryBook
from tests.e2e.conftest import Api, Flow
from tests.support.book import SETUP
from tests.support.databases import migrated_sqlite
from tests.support.keys import make_keys
from tests.support.openapi import conformance
from tests.support.registry import EXTRA, FACTOR_ROWS, METHODOLOGIES, project_payload

FACTORS_CSV = (
    "id,kind,region,provinces,year,value,document,locator,url,published\n"
    + "".join(f"{r['id']},{r['kind']},{r['region']},{';'.join(r['provinces'])},{r['year']},"
              f"{r['value']},{r['document']},{r['locator']},,{r['published']}\n"
              for r in FACTOR_ROWS))
PLANT = "PV-500237-0001"


@pytest.fixture
def reg(tmp_path: Path) -> Iterator[Api]:
    settings = Settings(database_url=migrated_sqlite(tmp_path / "reg.db"),
                        signing_key_path=tmp_path / "key.pem")
    plat = Platform.open(settings, books=lambda: [RegistryBook(METHODOLOGIES)])
    plat.sequencer.execute([*SETUP, *EXTRA], SYSTEM, "setup")
    keys = make_keys(plat, {"operator": (Role.OPERATOR, None), "auditor": (Role.AUDITOR, None),
                            "alice": (Role.MEMBER, "P000002"), "bob": (Role.MEMBER, "P000003"),
                            "verifier": (Role.VERIFIER, "P000005")})
    with TestClient(create_app(settings, plat)) as client:
        conformance(client)  # every JSON answer matches its documented schema
        yield Api(client, plat, keys)
    plat.close()


def registered(f: Flow, methodology: str, **over: Any) -> str:
    pid = str(f.ok("/registry/projects", project_payload(methodology=methodology, **over),
                   "alice")["project"])
    f.ok(f"/registry/projects/{pid}/submit", {"reason": "ready"}, "alice")
    f.ok(f"/registry/projects/{pid}/validate", {"approve": True, "opinion": "ok"}, "verifier")
    f.ok(f"/registry/projects/{pid}/register", {"reason": "validated"}, "operator")
    return pid


def issued(f: Flow, pid: str, values: dict[str, str], quantity: int,
           **extra: Any) -> dict[str, Any]:
    rid = f.ok("/registry/reports", {"project": pid, "period_start": "2023-01-01",
                                     "period_end": "2023-12-31", "values": values, **extra},
               "alice")["report"]
    f.ok(f"/registry/reports/{rid}/verify", {"approve": True, "verified_quantity": quantity,
                                             "opinion": "checked"}, "verifier")
    qid = f.ok("/registry/issuance-requests", {"report": rid, "quantity": quantity},
               "alice")["request"]
    return f.ok(f"/registry/issuance-requests/{qid}/decide", {"approve": True, "reason": "ok"},
                "operator")


def refused(f: Flow, path: str, body: dict[str, Any], who: str, status: int,
            code: str) -> dict[str, Any]:
    size = f.api.size
    r = f.post(path, body, who)
    assert (r.status_code, r.json()["error"]["code"]) == (status, code), r.text
    assert f.api.size == size, "a refused request wrote nothing"
    error: dict[str, Any] = r.json()["error"]
    return error


def test_a_report_changing_a_fixed_parameter_is_422_and_revalidation_changes_it(
        reg: Api) -> None:
    f = Flow(reg)
    pid = registered(f, "TEST-PV@1.0")
    body = {"project": pid, "period_start": "2023-01-01", "period_end": "2023-06-30",
            "values": {"eg_mwh": "1000", "ef": "1.5"}}
    error = refused(f, "/registry/reports", body, "alice", 422, "fixed_parameter")
    assert error["data"]["fields"] == ["ef"]
    refused(f, f"/registry/projects/{pid}/revalidate", {"fixed": {"ef": "0.6"},
                                                         "reason": "mine"}, "alice", 403,
            "forbidden")
    done = f.ok(f"/registry/projects/{pid}/revalidate", {"fixed": {"ef": "0.6"},
                                                         "reason": "new grid study"},
                "verifier")
    assert (done["previous"], done["fixed"]) == ({"ef": "0.5"}, {"ef": "0.6"})
    body["values"] = {"eg_mwh": "1000"}
    assert f.ok("/registry/reports", body, "alice")["claimed"] == 600
    public = reg.client.get(f"/api/v1/registry/projects/{pid}").json()
    assert public["fixed"] == {"ef": "0.6"}
    assert [v["kind"] for v in public["validations"]] == ["validate_project",
                                                          "revalidate_project"]
    assert public["monitoring_reports"][0]["basis"]["fixed"] == {"ef": "0.6"}


def test_reference_lists_are_imported_by_the_operator_as_csv_and_used_for_pv(reg: Api) -> None:
    f = Flow(reg)
    csv = {"Content-Type": "text/csv"}
    r = reg.client.post("/api/v1/registry/grid-factors", content=FACTORS_CSV,
                        headers={**reg.headers("alice", "f1"), **csv})
    assert (r.status_code, r.json()["error"]["code"]) == (403, "forbidden")
    r = reg.client.post("/api/v1/registry/grid-factors", content=FACTORS_CSV,
                        headers={**reg.headers("operator", "f2"), **csv})
    assert r.status_code == 201 and r.json()["result"] == {"added": 5, "unchanged": 0}
    bad = FACTORS_CSV.replace("2021,0.8,", "2021,-0.8,")
    r = reg.client.post("/api/v1/registry/grid-factors", content=bad,
                        headers={**reg.headers("operator", "f3"), **csv})
    assert r.status_code == 422 and r.json()["error"]["data"]["errors"][0]["row"] == 1
    assert f.ok("/registry/grid-factors", {"rows": FACTOR_ROWS}, "operator") == {
        "added": 0, "unchanged": 5}  # JSON rows too; the same rows again change nothing
    r = reg.client.post("/api/v1/registry/grid-factors", content=b"\xff not json",
                        headers=reg.headers("operator", "f4"))
    assert (r.status_code, r.json()["error"]["code"]) == (422, "invalid_input")
    rows = reg.client.get("/api/v1/registry/grid-factors?kind=om").json()
    assert [x["id"] for x in rows] == ["TEST-OM-2021-C", "TEST-OM-2023-SW"]
    assert "TEST-OM-2023-SW" in reg.client.get("/registry/factors?lang=en").text
    pid = registered(f, "CQ-PV@2.0", plant_code=PLANT, crediting_start="2020-01-01")
    gec = ("reference,plant_code,period_start,period_end,mwh,source\n"
           f"GEC-2023-07,{PLANT},2023-07-01,2023-07-31,95.5,national GEC list\n")
    r = reg.client.post("/api/v1/registry/green-certificates", content=gec,
                        headers={**reg.headers("operator", "g1"), **csv})
    assert r.status_code == 201 and r.json()["result"]["added"] == 1
    body = {"project": pid, "period_start": "2023-01-01", "period_end": "2023-12-31",
            "values": {"eg_mwh": "1000"}, "declarations": ["no_green_certificates"]}
    error = refused(f, "/registry/reports", body, "alice", 409, "green_certificates_claimed")
    assert error["data"]["certificates"] == ["GEC-2023-07"]
    got = f.ok("/registry/reports", {**body, "period_end": "2023-06-30"}, "alice")
    assert got["factors"] == ["TEST-OM-2023-SW", "TEST-BM-2023-SW"]
    listed = reg.client.get(f"/api/v1/registry/green-certificates?plant_code={PLANT}").json()
    assert [x["reference"] for x in listed] == ["GEC-2023-07"]


def test_losses_draw_on_the_buffer_in_public_and_an_uncoverable_one_is_409(reg: Api) -> None:
    f = Flow(reg)
    pid = registered(f, "TEST-FOREST@2.1")
    issued(f, pid, {"removals": "1000"}, 1000)  # 800 to alice, 200 to the buffer pool
    refused(f, f"/registry/projects/{pid}/losses", {
        "quantity": 10, "cause": "fire", "avoidable": False, "occurred": "2024-03-02",
        "description": "not bob's", "documents": []}, "bob", 403, "not_account_owner")
    loss = f.ok(f"/registry/projects/{pid}/losses", {
        "quantity": 150, "cause": "fire", "avoidable": False, "occurred": "2024-03-02",
        "description": "hill fire", "documents": []}, "alice")
    assert (loss["buffer_cancelled"], loss["proponent_cancelled"]) == (150, 0)
    f.ok("/transfers", {"asset": "CQCER", "source": "A00000004", "destination": "A00000005",
                        "quantity": 700}, "alice")  # alice sold most of hers
    error = refused(f, f"/registry/projects/{pid}/losses", {
        "quantity": 200, "cause": "harvest", "avoidable": True, "occurred": "2024-05-01",
        "description": "clear-cut", "documents": []}, "alice", 409, "loss_exceeds_cover")
    assert error["data"] == {"loss": 200, "buffer": 50, "proponent": 100, "avoidable": True}
    pool = reg.client.get("/api/v1/registry/buffer").json()
    assert pool["pools"] == [{"asset": "CQCER", "held": 50, "contributed": 200, "drawn": 150}]
    assert "A00000" not in str(pool)  # no account number: issuance is not a public entry
    assert [d["id"] for d in pool["draws"]] == ["LE000001"]
    page = reg.client.get("/registry/buffer?lang=en")
    assert page.status_code == 200 and "LE000001" in page.text and "hill" not in page.text
    assert "LE000001" in reg.client.get(f"/registry/projects/{pid}").text
    row = reg.client.get("/api/v1/registry/exports/issuances.json").json()[0]
    assert (row["buffer"], row["grid_factors"]) == (200, "")


def test_methodologies_list_parameter_kinds_and_legacy_versions(reg: Api) -> None:
    listed = {m["key"]: m for m in reg.client.get("/api/v1/registry/methodologies").json()}
    assert listed["CQ-PV@1.0"]["legacy"] and listed["CQ-PV@1.0"]["successor"] == "CQ-PV@2.0"
    kinds = {p["id"]: p["kind"] for p in listed["CQ-PV@2.0"]["parameters"]}
    assert kinds == {"eg_mwh": "monitored", "w_om": "fixed", "w_bm": "fixed",
                     "ef_om": "derived", "ef_bm": "derived"}
    f = Flow(reg)
    refused(f, "/registry/projects", project_payload(methodology="CQ-BIOGAS@1.0"), "alice",
            409, "methodology_superseded")
