"""The rights part of the signed-in page: the buying district countersigns a contract and
releases an accepted tranche, the forestry authority checks tranches (one passed, one failed),
each through a form as a browser would send it; another district sees no step to take."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.e2e.conftest import Api
from tests.e2e.test_rights_api import contract_body, districts, units
from tests.e2e.test_web_safety import sign_in


def browser(api: Api, who: str) -> tuple[TestClient, str]:
    c = TestClient(api.client.app)
    return c, sign_in(c, api.keys[who])


def post(c: TestClient, path: str, csrf: str, key: str, **form: str) -> str:
    r = c.post(path, data={"csrf": csrf, "key": key, **form}, follow_redirects=True)
    assert r.status_code == 200, r.text[:300]
    return r.text


def test_districts_and_the_forestry_authority_work_a_contract_from_their_pages(
        api: Api) -> None:
    d = districts(api)
    cid = d.flow.ok("/rights/contracts", contract_body(d), "youyang")["contract"]
    buyer, bcsrf = browser(api, "jiangbei")
    page = buyer.get("/me").text
    assert f"Countersign {cid}" in page or f"会签 {cid}" in page
    post(buyer, f"/me/rights/contracts/{cid}/agree", bcsrf, "agree-1",
         buyer_account=d.accounts[d.buyer])
    d.flow.ok(f"/rights/contracts/{cid}/approve", {}, "operator")
    forestry, fcsrf = browser(api, "forestry")
    queue = forestry.get("/me").text
    assert queue.count(f'href="/rights/contracts/{cid}?') == 3  # three tranches to check
    post(forestry, f"/me/rights/contracts/{cid}/tranches/1/check", fcsrf, "check-1",
         passed="yes", report="成活率 92%")
    post(forestry, f"/me/rights/contracts/{cid}/tranches/2/check", fcsrf, "check-2",
         passed="no", report="成活率 61%，未达标")
    assert forestry.get("/me").text.count(f'href="/rights/contracts/{cid}?') == 1
    page = buyer.get("/me").text
    assert f"/me/rights/contracts/{cid}/tranches/1/release" in page
    assert f"/me/rights/contracts/{cid}/tranches/2/release" not in page  # withheld
    post(buyer, f"/me/rights/contracts/{cid}/tranches/1/release", bcsrf, "release-1")
    assert units(api, d.accounts[d.buyer], "FCI")["active"] == 1000
    other, _ = browser(api, "chengkou")
    assert "/me/rights/contracts/" not in other.get("/me").text  # not its contract


def test_a_page_form_refused_shows_the_reason_and_changes_nothing(api: Api) -> None:
    d = districts(api)
    cid = d.flow.ok("/rights/contracts", contract_body(d), "youyang")["contract"]
    other, csrf = browser(api, "chengkou")
    size = api.size
    text = post(other, f"/me/rights/contracts/{cid}/agree", csrf, "agree-x",
                buyer_account=d.accounts[d.other])
    assert 'id="rights-error" role="alert"' in text  # the reason, next to the contracts
    assert api.size == size
    assert d.flow.api.client.get(f"/api/v1/rights/contracts/{cid}").json()["status"] == \
        "proposed"
