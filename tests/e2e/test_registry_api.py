"""The registry through HTTP only: draft project to retirement, and the proof checked
offline; every refused step a clear 4xx with nothing changed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from qingshan.api.app import create_app
from qingshan.infra.config import Settings
from qingshan.ledger import transparency as tlog
from qingshan.ledger.domain.model import SYSTEM, Role
from qingshan.platform import Platform
from qingshan.registry.book import RegistryBook
from tests.e2e.conftest import Api, Flow
from tests.support.book import SETUP
from tests.support.databases import migrated_sqlite
from tests.support.keys import make_keys
from tests.support.openapi import conformance
from tests.support.registry import EXTRA, METHODOLOGIES, project_payload


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

def test_draft_to_retirement_through_http_with_an_offline_proof(reg: Api,
                                                                tmp_path: Path) -> None:
    f = Flow(reg)
    pid = f.ok("/registry/projects", project_payload(), "alice")["project"]
    # a draft is private to its proponent
    assert reg.client.get(f"/api/v1/registry/projects/{pid}").status_code == 404
    assert reg.client.get(f"/api/v1/registry/projects/{pid}",
                          headers=reg.headers("bob")).status_code == 404
    assert reg.client.get(f"/api/v1/registry/projects/{pid}",
                          headers=reg.headers("alice")).status_code == 200
    assert pid not in [p["id"] for p in reg.client.get("/api/v1/registry/projects").json()]
    f.ok(f"/registry/projects/{pid}/submit", {"reason": "ready"}, "alice")
    f.ok(f"/registry/projects/{pid}/validate", {"approve": True, "opinion": "ok"}, "verifier")
    f.ok(f"/registry/projects/{pid}/register", {"reason": "validated"}, "operator")
    rid = f.ok("/registry/reports", {"project": pid, "period_start": "2023-01-01",
                                     "period_end": "2023-12-31",
                                     "values": {"eg_mwh": "2000"}}, "alice")["report"]
    f.ok(f"/registry/reports/{rid}/verify", {"approve": True, "verified_quantity": 1000,
                                             "opinion": "meters read"}, "verifier")
    qid = f.ok("/registry/issuance-requests", {"report": rid, "quantity": 1000},
               "alice")["request"]
    issued = f.ok(f"/registry/issuance-requests/{qid}/decide",
                  {"approve": True, "reason": "complete"}, "operator")
    assert issued["serials"] == [1, 1000]
    retired = f.post("/retirements", {"asset": "CQCER", "account": "A00000004",
                                      "quantity": 250, "purpose": "carbon_neutrality",
                                      "beneficiary": "重庆马拉松 2024",
                                      "reason": "event neutrality"}, "alice").json()
    public = reg.client.get(f"/api/v1/registry/projects/{pid}").json()
    assert public["status"] == "registered"
    assert [h["kind"] for h in public["history"]] == [
        "create_project", "submit_project", "validate_project", "register_project",
        "submit_monitoring_report", "verify_monitoring_report", "request_issuance",
        "decide_issuance"]
    assert public["issuance_requests"][0]["status"] == "approved"
    # anyone fetches the retirement's proof and checks it offline with the log's key
    bundle = tlog.InclusionBundle.from_json(
        reg.client.get(f"/api/v1/log/proofs/inclusion/{retired['seq']}").text)
    tlog.check_bundle(bundle, reg.client.get("/api/v1/log/public-key").content)
    assert b'"beneficiary":"\xe9\x87\x8d\xe5\xba\x86' in bundle.entry
    assert reg.platform.verify().problems == []
    # the certificate: facts, a proof that checks offline, a PDF with a QR code, a page
    rid = retired["result"]["retirement"]
    cert = reg.client.get(f"/api/v1/registry/retirements/{rid}/certificate").json()
    assert cert["quantity"] == 250 and cert["purpose_zh"] == "碳中和"
    assert cert["lines"] == [{"serial": f"QS-CQCER-{pid}-2023-000001-000000000001-"
                                        "000000000250", "quantity": 250, "project": pid,
                              "vintage": 2023,
                              "monitoring_period": ["2023-01-01", "2023-12-31"],
                              "project_name": "巫山县光伏扶贫电站"}]
    proof = tmp_path / "cert-proof.json"
    proof.write_text(cert["bundle_json"])
    key = tmp_path / "log.pem"
    key.write_bytes(reg.client.get("/api/v1/log/public-key").content)
    from typer.testing import CliRunner

    from qingshan.cli.main import app as cli

    checked = CliRunner().invoke(cli, ["log", "check", str(proof), "--public-key", str(key)])
    assert checked.exit_code == 0, checked.output
    pdf = reg.client.get(f"/api/v1/registry/retirements/{rid}/certificate.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and len(pdf.content) > 3000
    (tmp_path / "certificate.pdf").write_bytes(pdf.content)
    page = reg.client.get(f"/certificates/{rid}")
    assert page.status_code == 200 and "重庆马拉松 2024" in page.text


@pytest.mark.parametrize(("who", "path", "body", "status", "code"), [
    ("bob", "/registry/projects", project_payload(), 403, "not_account_owner"),
    ("verifier", "/registry/projects", project_payload(), 403, "not_account_owner"),
    ("alice", "/registry/projects", project_payload(methodology="NOPE@1.0"), 404,
     "unknown_methodology"),
    ("alice", "/registry/projects", project_payload(district="123"), 422,
     "malformed_identifier"),
    ("alice", "/registry/projects", project_payload(account="A00000005"), 409,
     "wrong_account_type"),
])
def test_refused_project_creation(reg: Api, who: str, path: str, body: dict[str, Any],
                                  status: int, code: str) -> None:
    size = reg.size
    r = Flow(reg).post(path, body, who)
    assert (r.status_code, r.json()["error"]["code"]) == (status, code)
    assert reg.size == size


def test_refused_steps_change_nothing(reg: Api) -> None:
    f = Flow(reg)
    pid = f.ok("/registry/projects", project_payload(), "alice")["project"]
    checks = [
        (f"/registry/projects/{pid}/register", {"reason": "x"}, "operator", 409,
         "wrong_state"),
        (f"/registry/projects/{pid}/submit", {"reason": "x"}, "bob", 403,
         "not_account_owner"),
        (f"/registry/projects/{pid}/validate", {"approve": True, "opinion": "x"}, "alice",
         403, "forbidden"),
        (f"/registry/projects/{pid}/fly", {"reason": "x"}, "alice", 404, "not_found"),
        ("/registry/reports", {"project": pid, "period_start": "2023-01-01",
                               "period_end": "2023-12-31", "values": {"eg_mwh": "1"}},
         "alice", 409, "wrong_state"),
        ("/registry/issuance-requests", {"report": "MR000009", "quantity": 5}, "alice", 404,
         "unknown_report"),
    ]
    for path, body, who, status, code in checks:
        size = reg.size
        r = f.post(path, body, who)
        assert (r.status_code, r.json()["error"]["code"]) == (status, code), (path, r.text)
        assert reg.size == size


def test_methodologies_are_public_with_their_sources(reg: Api) -> None:
    ms = reg.client.get("/api/v1/registry/methodologies").json()
    from qingshan.registry.methodologies import ALL

    assert {m["key"] for m in ms} == {"TEST-PV@1.0", "TEST-FOREST@2.1", *(m.key for m in ALL)}
    assert all(m["source"]["document"] for m in ms)


def test_public_exports_and_statistics(reg: Api) -> None:
    f = Flow(reg)
    pid = f.ok("/registry/projects", project_payload(), "alice")["project"]
    draft = f.ok("/registry/projects", project_payload(name="还在起草"), "alice")["project"]
    f.ok(f"/registry/projects/{pid}/submit", {"reason": "ready"}, "alice")
    f.ok(f"/registry/projects/{pid}/validate", {"approve": True, "opinion": "ok"}, "verifier")
    f.ok(f"/registry/projects/{pid}/register", {"reason": "ok"}, "operator")
    rid = f.ok("/registry/reports", {"project": pid, "period_start": "2024-01-01",
                                     "period_end": "2024-06-30",
                                     "values": {"eg_mwh": "100"}}, "alice")["report"]
    f.ok(f"/registry/reports/{rid}/verify", {"approve": True, "verified_quantity": 50,
                                             "opinion": "ok"}, "verifier")
    qid = f.ok("/registry/issuance-requests", {"report": rid, "quantity": 50}, "alice")[
        "request"]
    f.ok(f"/registry/issuance-requests/{qid}/decide", {"approve": True, "reason": "ok"},
         "operator")
    f.ok("/transfers", {"asset": "CQCER", "source": "A00000004", "destination": "A00000005",
                        "quantity": 20}, "alice")
    f.ok("/retirements", {"asset": "CQCER", "account": "A00000005", "quantity": 5,
                          "purpose": "compliance", "beneficiary": "bob"}, "bob")
    projects = reg.client.get("/api/v1/registry/exports/projects.json").json()
    assert [p["id"] for p in projects] == [pid]  # drafts are not published
    assert draft not in reg.client.get("/api/v1/registry/exports/projects.csv").text
    csv_text = reg.client.get("/api/v1/registry/exports/issuances.csv").content.decode(
        "utf-8-sig")
    header, first = csv_text.splitlines()[:2]
    assert header.split(",")[:4] == ["id", "asset", "project", "vintage"]
    assert first.startswith(f"1,CQCER,{pid},2024,1,50,50,")
    # the last columns: category (a PV project: energy), buffer share, grid-factor rows
    assert header.split(",")[-3:] == ["category", "buffer", "grid_factors"]
    assert first.endswith(",energy,0,")
    ret = reg.client.get("/api/v1/registry/exports/retirements.json").json()
    assert ret[0]["ranges"] == "1-5" and ret[0]["purpose"] == "compliance"
    schema = reg.client.get("/api/v1/registry/exports/schema").json()
    assert [c["column"] for c in schema["retirements"]] == list(ret[0])
    stats = reg.client.get("/api/v1/registry/statistics").json()
    assert stats["cqcer_registered_t"] == 50
    assert stats["cqcer_transferred_between_parties_t"] == 20
    assert stats["cqcer_retired_t"] == {"compliance": 5}
    assert reg.client.get("/api/v1/registry/exports/secrets.csv").status_code == 404


def test_registry_pages_show_projects_and_hide_drafts(reg: Api) -> None:
    f = Flow(reg)
    pid = f.ok("/registry/projects", project_payload(), "alice")["project"]
    draft = f.ok("/registry/projects", project_payload(name="草稿项目"), "alice")["project"]
    f.ok(f"/registry/projects/{pid}/submit", {"reason": "ready"}, "alice")
    page = reg.client.get("/registry")
    assert page.status_code == 200 and pid in page.text and "草稿项目" not in page.text
    assert "巫山县" in page.text  # the district's name, not its code
    en = reg.client.get("/registry?lang=en")
    assert "Wushan" in en.text and "Submitted" in en.text
    assert reg.client.get(f"/registry/projects/{pid}").status_code == 200
    assert reg.client.get(f"/registry/projects/{draft}").status_code == 404


def test_the_projects_table_sorts_and_pages(reg: Api) -> None:
    f = Flow(reg)
    for k in range(30):
        pid = f.ok("/registry/projects", project_payload(name=f"项目{k:02d}",
                                                           estimated_annual=1000 + k),
                   "alice")["project"]
        f.ok(f"/registry/projects/{pid}/submit", {"reason": "ready"}, "alice")
    first = reg.client.get("/registry", params={"sort": "estimated", "desc": "true"}).text
    assert first.index("项目29") < first.index("项目28") and "项目04" not in first
    second = reg.client.get("/registry", params={"sort": "estimated", "desc": "true",
                                                 "page": 2}).text
    assert "项目04" in second and "项目29" not in second and "2 / 2" in second
