"""Pledge loans through HTTP only: a bank opens a credit line, appraises a registered forestry
project, lends on it (the project's units pledged), the project's next issuance arrives
pledged, a repayment, the payoff releasing the pledge; refusals with their codes and nothing
changed; a loan kept from other parties; the public totals; the valuation report as PDF."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from qingshan.ledger.domain.model import Role
from qingshan.science import forest
from qingshan.science.forest import SpeciesGroup
from tests.e2e.conftest import Api, Flow
from tests.e2e.test_rights_api import get, units
from tests.support.keys import make_keys
from tests.support.registry import project_payload

ALICE, ALICE_P = "A00000004", "P000002"
WUSHAN = "500237"
STANDS: list[dict[str, Any]] = [{"group": "fir", "area_m2": 8_000_000, "age": 8},
          {"group": "masson_pine", "area_m2": 5_000_000, "age": 12, "site_bps": 9000},
          {"group": "broadleaf", "area_m2": 2_000_000, "age": 5}]


@dataclass
class Lent:
    flow: Flow
    project: str
    bank: str
    bank_account: str
    line: str
    appraisal: dict[str, Any]


def beijing_today() -> dt.date:
    """The journal's day (the platform dates entries in Beijing)."""
    return (dt.datetime.now(dt.UTC) + dt.timedelta(hours=8)).date()


def stand_volumes(period_end: str) -> dict[str, str]:
    """The stem volume by group (m3) that ``STANDS``, aged as of today, hold at the end of a
    monitoring period: the inventory a verifier would find, so the platform's revaluation
    rebases nothing."""
    grown = (dt.date.fromisoformat(period_end) - beijing_today()).days / 365.25
    out = {g: 0.0 for g in ("fir", "masson_pine", "cypress", "broadleaf")}
    for st in STANDS:
        curve = forest.DEFAULTS[SpeciesGroup(st["group"])].growth
        per_ha = float(forest.volume_per_ha(curve, max(0.0, int(st["age"]) + grown)))
        out[str(st["group"])] += int(st["area_m2"]) / 10_000 * per_ha * \
            int(st.get("site_bps", 10_000)) / 10_000
    return {f"volume_{g}": f"{v:.3f}" for g, v in out.items()}


def issue_through_registry(f: Flow, project: str, year: int) -> int:
    """A monitoring report of ``year`` (the stands' volumes at its end, CQ-FOREST@3.0)
    verified and issued: the units it put in the account."""
    end = f"{year}-12-31"
    got = f.ok("/registry/reports", {"project": project, "period_start": f"{year}-01-01",
                                     "period_end": end,
                                     "values": {**stand_volumes(end),
                                                "sampling_uncertainty": "0.05"}}, "alice")
    rid, claimed = got["report"], int(got["claimed"])
    f.ok(f"/registry/reports/{rid}/verify", {"approve": True, "verified_quantity": claimed,
                                             "opinion": "样地复测"}, "verifier")
    qid = f.ok("/registry/issuance-requests", {"report": rid, "quantity": claimed},
               "alice")["request"]
    issued = f.ok(f"/registry/issuance-requests/{qid}/decide",
                  {"approve": True, "reason": "同意签发"}, "operator")
    return claimed - int(issued["buffer"])


def lent(api: Api) -> Lent:
    """Two banks with keys, alice's forestry project registered in 巫山 with its first
    issuance, a credit line and an appraisal by the first bank."""
    f = Flow(api)
    parties = {}
    for who, kind, name in (("bank", "bank", "重庆农村商业银行"), ("bank2", "bank", "兴业银行"),
                            ("vvb", "verifier", "审定核证机构")):
        parties[who] = f.ok("/parties", {"party_kind": kind, "name": name}, "operator")["party"]
    account = f.ok("/accounts", {"party": parties["bank"], "account_type": "holding",
                                 "label": "处置账户"}, "operator")["account"]
    f.ok("/accounts", {"party": "P000001", "account_type": "buffer", "label": "缓冲池"},
         "operator")
    api.keys.update(make_keys(api.platform, {
        "bank": (Role.BANK, parties["bank"]), "bank2": (Role.BANK, parties["bank2"]),
        "verifier": (Role.VERIFIER, parties["vvb"])}))
    pid = f.ok("/registry/projects", project_payload(
        methodology="CQ-FOREST@3.0", name="巫山县造林碳汇项目", district=WUSHAN,
        crediting_start="2021-01-01", crediting_end="2050-12-31"), "alice")["project"]
    f.ok(f"/registry/projects/{pid}/submit", {"reason": "ready"}, "alice")
    f.ok(f"/registry/projects/{pid}/validate", {"approve": True, "opinion": "ok",
                                                "fixed": {"initial_stock": "0"}},
         "verifier")
    f.ok(f"/registry/projects/{pid}/register", {"reason": "validated"}, "operator")
    issue_through_registry(f, pid, 2022)
    line = f.ok("/lending/lines", {"bank": parties["bank"], "district": WUSHAN,
                                   "limit": 5_000_000_000, "start": "2023-01-01",
                                   "end": "2035-12-31"}, "bank")["line"]
    appraisal = f.ok("/lending/appraisals", {
        "project": pid, "bank": parties["bank"], "stands": STANDS, "horizon": 20,
        "draws": 200, "seed": 7, "price": 6000, "discount_bps": 450, "ltv_bps": 6000},
        "bank")
    return Lent(f, pid, parties["bank"], account, line, appraisal)


def loan_body(x: Lent, principal: int, **over: Any) -> dict[str, Any]:
    return {"bank": x.bank, "project": x.project, "appraisal": x.appraisal["appraisal"],
            "principal": principal, "rate_bps": 385, "term_months": 36,
            "repayment": "equal_principal", "max_ltv_bps": 7000, "line": x.line, **over}


def test_a_loan_pledges_the_project_now_and_its_next_issuance_and_payoff_releases(
        api: Api) -> None:
    x = lent(api)
    f = x.flow
    ceiling = int(x.appraisal["ceiling"])
    assert 0 < ceiling < 5_000_000_000
    before = api.size
    r = f.post("/lending/loans", loan_body(x, ceiling + 1), "bank")
    assert (r.status_code, r.json()["error"]["code"]) == (409, "above_loan_to_value"), r.text
    r = f.post("/lending/loans", loan_body(x, ceiling), "bank2")  # another bank
    assert r.status_code == 403, r.text
    assert api.size == before
    principal = ceiling // 2
    granted = f.ok("/lending/loans", loan_body(x, principal), "bank")
    lid, held = granted["loan"], units(api, ALICE, "CQCER")["held"]
    assert granted["pledged"] == held > 0 and units(api, ALICE, "CQCER")["active"] == 0
    # the next issuance arrives pledged to the bank
    more = issue_through_registry(f, x.project, 2023)
    assert units(api, ALICE, "CQCER") == {"active": 0, "held": held + more, "retired": 0,
                                          "cancelled": 0}
    loan = get(api, f"/lending/loans/{lid}", "bank")
    # a hold per issuance: the fixture's 100 units of CQ0001, the first and the next
    assert (loan["pledged"], loan["outstanding"], len(loan["holds"])) == (
        held + more, principal, 3)
    assert [a["kind"] for a in loan["alerts"]] == ["new_pledge", "revalued"]
    # the bank polls its alerts after the last entry it saw; another bank sees none of them
    feed = get(api, "/lending/alerts", "bank")
    assert [(a["loan"], a["kind"]) for a in feed] == [(lid, "new_pledge"), (lid, "revalued")]
    assert get(api, f"/lending/alerts?after={feed[-1]['seq']}", "bank") == []
    assert get(api, "/lending/alerts?limit=1", "bank") == feed[:1]
    assert get(api, "/lending/alerts", "bank2") == []
    assert api.client.get("/api/v1/lending/alerts").status_code == 401
    assert sum(i["principal"] for i in loan["schedule"]) == principal
    for path, body, who, status, code in (
            (f"/lending/loans/{lid}/enforce", {"account": x.bank_account, "note": "逾期"},
             "bank", 409, "not_in_default"),
            (f"/lending/loans/{lid}/repayments", {"principal": 1, "interest": 0}, "bank2",
             403, "forbidden"),
            (f"/lending/loans/{lid}/repayments", {"principal": principal + 1, "interest": 0},
             "bank", 422, "overpayment")):
        r = f.post(path, body, who)
        assert (r.status_code, r.json()["error"]["code"]) == (status, code), r.text
    for who in ("bob", "bank2"):  # a member or a bank of another party: not its loan
        r = api.client.get(f"/api/v1/lending/loans/{lid}", headers=api.headers(who))
        assert r.status_code == 403, r.text
        assert lid not in str(get(api, "/lending/loans", who))
    assert get(api, f"/lending/loans/{lid}", "alice")["borrower"] == ALICE_P  # the borrower
    first = f.ok(f"/lending/loans/{lid}/repayments", {"principal": 1000, "interest": 50},
                 "bank")
    assert (first["outstanding"], first["status"], first["released"]) == (
        principal - 1000, "active", 0)
    paid = f.ok(f"/lending/loans/{lid}/repayments",
                {"principal": principal - 1000, "interest": 0}, "bank")
    assert (paid["status"], paid["released"]) == ("repaid", held + more)
    assert units(api, ALICE, "CQCER")["active"] == held + more
    public = get(api, "/lending/summary", None)
    assert (public["loans"], public["principal"], public["line_limit"]) == (
        1, principal, 5_000_000_000)
    assert [(d["code"], d["principal"]) for d in public["by_district"]] == [
        (WUSHAN, principal)]
    assert get(api, "/lending/exposure", "bank")[0]["outstanding"] == 0
    pdf = api.client.get(f"/api/v1/lending/appraisals/{x.appraisal['appraisal']}.pdf",
                         headers=api.headers("alice"))  # the project's owner reads it
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and len(pdf.content) > 2000
    r = api.client.get(f"/api/v1/lending/appraisals/{x.appraisal['appraisal']}.pdf",
                       headers=api.headers("bob"))
    assert r.status_code == 403
    assert api.platform.verify().problems == []
