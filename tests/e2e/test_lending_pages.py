"""Pledge loans' pages: the public totals with the map, the bank's loan book and exposure, a
loan with the bank's forms (a repayment and a revaluation sent as a browser would), the
valuation report with its projection chart and PDF, the bank's part of /me; another party's
member is refused a loan, the signed-out reader is sent to sign in."""

from __future__ import annotations

import re

from tests.e2e.conftest import Api
from tests.e2e.test_lending_api import issue_through_registry, lent, loan_body
from tests.e2e.test_rights_api import get
from tests.e2e.test_rights_pages import browser, post


def test_a_bank_works_a_loan_from_its_pages(api: Api) -> None:
    x = lent(api)
    principal = int(x.appraisal["ceiling"]) // 2
    lid = x.flow.ok("/lending/loans", loan_body(x, principal), "bank")["loan"]
    vid = x.appraisal["appraisal"]
    public = api.client.get("/lending?lang=en").text
    assert 'data-district="500237"' in public and "Principal lent by district" in public
    assert lid not in public  # the public sees totals only
    assert api.client.get(f"/lending/loans/{lid}", follow_redirects=False).status_code == 303
    bank, csrf = browser(api, "bank")
    book = bank.get("/lending/loans?lang=en").text
    assert f'href="/lending/loans/{lid}?' in book and 'data-name="lending-exposure"' in book
    page = bank.get(f"/lending/loans/{lid}").text
    assert 'data-name="lending-schedule"' in page and "lending-enforce" not in page  # current
    text = post(bank, f"/lending/loans/{lid}/repayments?lang=en", csrf, "repay-1",
                principal="1,000.50", interest="12")
    assert "record_repayment #" in text and 'role="alert"' not in text
    text = post(bank, f"/lending/loans/{lid}/revalue?lang=en", csrf, "revalue-1",
                reason="disturbance", price="55")
    assert "appraise_collateral #" in text, re.findall(r"role=.(?:alert|status).[^<]*", text)
    assert 'data-kind="disturbance"' in text
    refused = post(bank, f"/lending/loans/{lid}/repayments?lang=en", csrf, "repay-2",
                   principal="12.345")
    assert 'id="loan-error"' in refused
    report = bank.get(f"/lending/appraisals/{vid}").text
    assert "杉木" in report and "马尾松" in report and 'data-chart="projection"' in report
    assert 'data-band="p10-p90"' in report and 'data-name="lending-values"' in report
    assert bank.get(f"/lending/appraisals/{vid}.pdf").content.startswith(b"%PDF")
    me = bank.get("/me?lang=en").text
    assert 'data-name="lending-lines"' in me and 'data-name="lending-attention"' in me
    other, _ = browser(api, "bob")
    assert other.get(f"/lending/loans/{lid}").status_code == 403
    seen = api.client.get(f"/api/v1/lending/loans/{lid}", headers=api.headers("bank")).json()
    assert seen["repaid"] == 100_050 and seen["interest"] == 1200
    assert [a["reason"] for a in seen["appraisals"]] == ["initial", "disturbance"]
    # the page's revaluation reuses the stands as of their own day (they have grown since)
    first, again = (get(api, f"/lending/appraisals/{a['id']}", "bank")
                    for a in seen["appraisals"])
    assert again["stands_day"] == first["stands_day"] == first["day"]
    # the project's next issuance: the platform revalues the collateral, and the loan's page
    # shows the bank its alert and the revaluation's note
    issue_through_registry(x.flow, x.project, 2023)
    page = bank.get(f"/lending/loans/{lid}?lang=en").text
    assert 'data-kind="revalued"' in page and "revalued by the platform" in page
    assert "(MR0" in page  # the note names the monitoring report behind the issuance
    me = bank.get("/me?lang=en").text
    assert 'data-name="lending-alerts"' in me and 'data-kind="revalued"' in me
    # the revaluation's own report says what it followed, the day its stands are of and the
    # baseline it subtracted
    revalued = api.client.get(f"/api/v1/lending/loans/{lid}",
                              headers=api.headers("bank")).json()["appraisals"][-1]
    assert revalued["reason"] == "monitoring"
    report = bank.get(f"/lending/appraisals/{revalued['id']}?lang=en").text
    assert 'data-name="appraisal-note"' in report and "Stands as of" in report
    assert bank.get(f"/lending/appraisals/{revalued['id']}.pdf").content.startswith(b"%PDF")
