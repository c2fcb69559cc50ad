"""People look: the public pages in a real browser (Debian's Chromium driven by Playwright),
screenshots at desktop and phone width, and an axe-core accessibility check."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from qingshan.api.app import create_app
from qingshan.inclusive.book import InclusiveBook
from qingshan.inclusive.commands import (
    AddReward,
    RegisterPartner,
    SetInclusiveAccounts,
    SettleDay,
)
from qingshan.inclusive.state import person_party
from qingshan.infra.config import Settings
from qingshan.judicial.book import JudicialBook
from qingshan.judicial.commands import RecordPayment
from qingshan.ledger.domain.commands import (
    CreateAssetClass,
    OpenAccount,
    PlaceHold,
    RegisterParty,
    RetireUnits,
)
from qingshan.ledger.domain.model import (
    SYSTEM,
    AccountType,
    AssetKind,
    HoldKind,
    PartyKind,
    Principal,
    RetirementPurpose,
    Role,
)
from qingshan.market.book import MarketBook
from qingshan.market.commands import CreateInstrument
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
from tests.support.book import SETUP, fund
from tests.support.inclusive import beijing_today, day_number, jsonl, people, trip
from tests.support.judicial import a_case
from tests.support.keys import make_keys
from tests.support.registry import EXTRA, METHODOLOGIES, project_payload
from tests.support.server import free_port

CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = Path(__file__).resolve().parent / "screenshots"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def books() -> list[Any]:
    market = MarketBook()
    return [RegistryBook(METHODOLOGIES), market, JudicialBook(market), InclusiveBook()]


def carbon_inclusive(plat: Platform) -> None:
    """Points, a metro partner, two people with a settled day of trips, and a reward."""
    seq = plat.sequencer
    metro = seq.execute([RegisterParty(PartyKind.ENTERPRISE, "重庆市轨道交通(集团)有限公司",
                                       None)], SYSTEM, "ci-partner")[0].result["party"]
    opened = seq.execute([CreateAssetClass("CIP", AssetKind.FUNGIBLE, "gCO2e", "碳普惠积分",
                                           "QS"),
                          OpenAccount("P000001", AccountType.TREASURY, "碳普惠积分发行"),
                          OpenAccount("P000001", AccountType.HOLDING, "个人碳账户合计"),
                          OpenAccount("P000001", AccountType.HOLDING, "公益捐赠池")],
                         SYSTEM, "ci-accounts")
    treasury, everyone, pool = (r.result["account"] for r in opened[1:])
    seq.execute([SetInclusiveAccounts(treasury, everyone, pool),
                 RegisterPartner(party=metro, name="重庆轨道交通", scenarios=("bus", "metro")),
                 AddReward(name="公交乘车优惠券 2 元", price=500, stock=100, sponsor=metro)],
                SYSTEM, "ci-setup")
    store = plat.subledger()
    store.enrol(people(1, 2))
    now = int(time.time() * 1000)
    day = beijing_today(now) - dt.timedelta(days=3)
    store.ingest(metro, jsonl([trip(f"m{p}-{h}", p, day, h, 7_000, 25, scenario=s)
                               for p in (1, 2) for h, s in ((8, "metro"), (18, "bus"))]),
                 "jsonl", now, "day.jsonl")
    store.close_day(day_number(day), now)
    seq.execute([SettleDay(day.isoformat())], SYSTEM, "ci-settle")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("site")
    settings = Settings(database_url=f"sqlite:///{tmp / 'site.db'}",
                        signing_key_path=tmp / "key.pem")
    plat = Platform.open(settings, books=books)
    seq = plat.sequencer
    seq.execute([*SETUP, *EXTRA], SYSTEM, "setup")
    alice = Principal("a", Role.MEMBER, "P000002")
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
    seq.execute_one(RetireUnits(asset="CQCER", account="A00000004", quantity=300,
                                purpose=RetirementPurpose.CARBON_NEUTRALITY,
                                beneficiary="重庆国际马拉松", reason="赛事碳中和",
                                reference="CQM-2024"), alice, "ret")
    # a second period waiting in the operator's queue, and a market with money for bob
    seq.execute_one(SubmitMonitoringReport.from_payload({
        "project": "CQ0001", "period_start": "2024-01-01", "period_end": "2024-12-31",
        "values": {"eg_mwh": "1000"}}), alice, "m2")
    seq.execute_one(VerifyMonitoringReport("MR000002", True, 400, "ok"), verifier, "vr2")
    seq.execute_one(RequestIssuance("MR000002", 400), alice, "q2")
    seq.execute([OpenAccount("P000001", AccountType.HOLDING, "fees"), fund("A00000005", 10**9),
                 CreateInstrument(id="CQCER-ALL", asset="CQCER", tick=1, lot=1, band_bps=1000,
                                  reference_price=3000, max_order=100_000, fee_bps=30,
                                  fee_account="A00000008")], SYSTEM, "market")
    seq.execute_one(SubmitMonitoringReport.from_payload({
        "project": "CQ0001", "period_start": "2025-01-01", "period_end": "2025-06-30",
        "values": {"eg_mwh": "500"}}), alice, "m3")
    # a bank that took a pledge of alice's units for a forestry-income loan
    bank = seq.execute([RegisterParty(PartyKind.BANK, "重庆农村商业银行", None)], SYSTEM,
                       "bank")[0].result["party"]
    seq.execute([OpenAccount(bank, AccountType.HOLDING, "bank")], SYSTEM, "bank-account")
    seq.execute_one(PlaceHold(hold_kind=HoldKind.PLEDGE, asset="CQCER", account="A00000004",
                              quantity=100, controller=bank,
                              reference="林业碳汇预期收益权质押 2026-001"), alice, "pledge")
    # a court with an escrow account and a case paid in, for the judicial pages
    seq.execute([OpenAccount("P000004", AccountType.ESCROW, "以碳代偿 案款专户")], SYSTEM,
                 "escrow")
    court = Principal("c", Role.COURT, "P000004")
    seq.execute_one(a_case(judgment_date="2025-03-01", deadline="2025-06-30",
                           refund_account="A00000004"), court, "case")
    seq.execute_one(RecordPayment(case="JC000001", reference="CCB-2025-0301", amount=500_000,
                                  payer="张三"), court, "case-paid")
    carbon_inclusive(plat)
    keys = make_keys(plat, {"person": (Role.PERSON, person_party(1)),
                            "verifier": (Role.VERIFIER, "P000005"),
                            "auditor": (Role.AUDITOR, None), "alice": (Role.MEMBER, "P000002"),
                            "bob": (Role.MEMBER, "P000003"), "operator": (Role.OPERATOR, None),
                            "court": (Role.COURT, "P000004"), "bank": (Role.BANK, bank)})
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings, plat), host="127.0.0.1",
                                           port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            httpx.get(f"{base}/healthz", timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.05)
    yield {"base": base, "keys": keys}
    server.should_exit = True
    thread.join(10)
    plat.close()


# Reports every Content-Security-Policy violation of a page (and its frames) to the test; the
# init script and the binding come through DevTools, which the policy does not govern.
WATCH_CSP = """document.addEventListener('securitypolicyviolation', e => window.__qsCsp(
    [e.violatedDirective, e.blockedURI, e.sourceFile + ':' + e.lineNumber].join(' ')));"""


class Chromium:
    """The browser whose every page reports CSP violations (checked after each test)."""

    def __init__(self, browser: Any) -> None:
        self.browser = browser
        self.violations: list[str] = []
        self.contexts: list[Any] = []

    def new_page(self, **options: Any) -> Any:
        context = self.browser.new_context(**options)
        self.contexts.append(context)
        context.expose_binding("__qsCsp", lambda source, text: self.violations.append(
            f"{source['page'].url}: {text}"))
        context.add_init_script(script=WATCH_CSP)
        page = context.new_page()
        page.on("console", lambda m: self.violations.append(f"{page.url}: {m.text}")
                if "Content Security Policy" in m.text else None)
        return page

    def take(self) -> list[str]:
        found, self.violations = self.violations, []
        return found


@pytest.fixture(scope="module")
def browser() -> Iterator[Chromium]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        chromium = Chromium(b)
        yield chromium
        for context in chromium.contexts:
            context.close()
        b.close()


@pytest.fixture(autouse=True)
def no_page_violates_the_content_security_policy(request: pytest.FixtureRequest
                                                  ) -> Iterator[None]:
    yield
    if "browser" in request.fixturenames:
        assert request.getfixturevalue("browser").take() == []


def check_accessibility(page: Any) -> None:
    # evaluated through DevTools: an injected <script> element would be inline script, which
    # the pages' policy refuses
    page.evaluate(AXE.read_text())
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    serious = [(v["id"], v["impact"], len(v["nodes"])) for v in result["violations"]
               if v["impact"] in ("serious", "critical")]
    assert serious == [], serious


@pytest.mark.parametrize(("name", "width", "height"), [("desktop", 1280, 900),
                                                       ("phone", 390, 844)])
def test_public_pages_render_and_pass_the_accessibility_check(site: dict[str, Any],
                                                              browser: Any, name: str,
                                                              width: int, height: int) -> None:
    SHOTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": width, "height": height})
    for slug, path, text in [("home", "/", "透明日志"), ("registry", "/registry", "CQ0001"),
                             ("project", "/registry/projects/CQ0001", "已登记"),
                             ("buffer", "/registry/buffer", "缓冲池"),
                             ("factors", "/registry/factors", "电网排放因子表"),
                             ("certificate", "/certificates/R00000001", "重庆国际马拉松"),
                             ("judicial", "/judicial", "court"),
                             ("court", "/judicial/courts/P000004", "张某"),
                             ("case", "/judicial/cases/JC000001", "滥伐林木罪"),
                             ("inclusive", "/inclusive", "碳普惠")]:
        page.goto(site["base"] + path)
        assert text in page.content(), (slug, page.content()[:500])
        page.screenshot(path=str(SHOTS / f"{slug}-{name}.png"), full_page=True)
        check_accessibility(page)
        # nothing overflows sideways on a phone
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1, slug
    page.close()


def test_look_up_a_retirement_and_switch_language(site: dict[str, Any], browser: Any) -> None:
    page = browser.new_page()
    page.goto(site["base"] + "/registry")
    page.click("text=R00000001")
    assert "/certificates/R00000001" in page.url
    assert "碳中和" in page.content()
    page.click("text=English")
    assert "carbon neutrality" in page.content() and "lang=en" in page.url
    page.click("text=Verify this")
    assert "The proof holds" in page.inner_text("[role=status]")
    proof = page.get_attribute("a[download^=proof]", "href")
    assert proof is not None and httpx.get(site["base"] + proof).json()["format"] == \
        "qingshan-inclusion-proof/1"
    page.close()


def bob_buys(site: dict[str, Any], key: str, price: int, quantity: int) -> dict[str, Any]:
    """Bob, another member, places a buy order through the API; the order's result."""
    r = httpx.post(site["base"] + "/api/v1/market/orders",
                   headers={"Authorization": f"Bearer {site['keys']['bob']}",
                            "Idempotency-Key": key},
                   json={"instrument": "CQCER-ALL", "account": "A00000005", "side": "buy",
                         "price": price, "quantity": quantity})
    assert r.status_code == 201, r.text
    result: dict[str, Any] = r.json()["result"]
    return result


def sign_in(browser: Any, site: dict[str, Any], who: str, width: int = 1280) -> Any:
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(site["base"] + "/signin")
    page.fill("#api_key", site["keys"][who])
    page.click("button[type=submit]")
    assert "/me" in page.url, page.url
    return page


def test_a_wrong_key_is_refused_next_to_the_field(site: dict[str, Any], browser: Any) -> None:
    page = browser.new_page()
    page.goto(site["base"] + "/signin?lang=en")
    page.fill("#api_key", "qs_nobody.nothing")
    page.click("button[type=submit]")
    assert page.get_attribute("#api_key", "aria-invalid") == "true"
    # a form navigates: wait for its answer rather than look at once (flaked under load)
    page.wait_for_selector("#key-error", state="visible")
    page.close()


def test_member_sells_credits_and_sees_the_trade(site: dict[str, Any], browser: Any) -> None:
    page = sign_in(browser, site, "alice")
    page.select_option("#side", "sell")
    page.fill("#price", "3100")
    page.fill("#quantity", "150")
    page.click("form.order button[type=submit]")
    page.wait_for_selector("[role=status]", state="visible")
    assert page.locator("td.status").first.inner_text() == "open"
    # another member buys through the API
    assert bob_buys(site, "bob-buys", 3100, 150)["fills"]
    page.reload()
    assert page.locator("td.status").first.inner_text() == "filled"
    # a price outside the band is explained next to the price field
    page.fill("#price", "9999")
    page.fill("#quantity", "10")
    page.click("form.order button[type=submit]")
    assert page.get_attribute("#price", "aria-invalid") == "true"
    assert "涨跌幅" in page.inner_text("#price-error")  # in the page's language
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "member-desktop.png"), full_page=True)
    check_accessibility(page)
    page.close()
    market = browser.new_page()
    market.goto(site["base"] + "/market?lang=en")
    assert "CQCER-ALL" in market.content() and "31.00" in market.content()
    market.screenshot(path=str(SHOTS / "market-desktop.png"), full_page=True)
    check_accessibility(market)
    market.close()
    phone = sign_in(browser, site, "alice", width=390)
    phone.screenshot(path=str(SHOTS / "member-phone.png"), full_page=True)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 391
    phone.close()


def test_operator_approves_an_issuance(site: dict[str, Any], browser: Any) -> None:
    page = sign_in(browser, site, "operator")
    assert "IR000002" in page.content()
    page.click("text=Approve IR000002") if "Approve" in page.content() else \
        page.click("text=批准 IR000002")
    page.wait_for_selector("[role=status]", state="visible")
    assert "IR000002" not in page.inner_text("main table")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "operator-desktop.png"), full_page=True)
    page.close()
    project = httpx.get(site["base"] + "/api/v1/registry/projects/CQ0001").json()
    assert [q["status"] for q in project["issuance_requests"]] == ["approved", "approved"]


def test_verifier_verifies_a_monitoring_report(site: dict[str, Any], browser: Any) -> None:
    page = sign_in(browser, site, "verifier")
    assert "MR000003" in page.content()
    page.fill("#vq-MR000003", "200")
    page.fill("#vo-MR000003", "meter data checked on site")
    page.click("text=核证 MR000003")
    page.wait_for_selector("[role=status]", state="visible")
    assert "MR000003" not in page.inner_text("main")
    page.close()
    project = httpx.get(site["base"] + "/api/v1/registry/projects/CQ0001").json()
    report = next(r for r in project["monitoring_reports"] if r["id"] == "MR000003")
    assert (report["status"], report["verified"]) == ("verified", 200)


def test_auditor_pages_through_the_journal_and_members_cannot(site: dict[str, Any],
                                                             browser: Any) -> None:
    page = sign_in(browser, site, "auditor")
    page.click("text=审计日志")
    page.wait_for_selector("#kind")  # (the click starts a navigation; content() may be empty)
    assert "/audit" in page.url and "create_asset_class" in page.content()
    page.select_option("#kind", "retire_units")
    page.click("text=查询")
    assert page.locator("tbody tr").count() == 1
    check_accessibility(page)
    page.close()
    member = sign_in(browser, site, "alice")
    r = member.goto(site["base"] + "/audit")
    assert r is not None and r.status == 403
    member.close()


def test_operator_halts_and_resumes_trading(site: dict[str, Any], browser: Any) -> None:
    page = sign_in(browser, site, "operator")
    page.click("text=暂停")
    page.wait_for_selector("[role=status]", state="visible")
    assert page.locator("td.phase").first.inner_text() == "halted"
    page.click("text=连续交易")
    assert page.locator("td.phase").first.inner_text() == "continuous"
    page.close()


def test_tables_sort_page_and_export_and_a_waiting_form_shows_progress(
        site: dict[str, Any], browser: Any) -> None:
    for n in range(25):  # more orders than one page holds
        bob_buys(site, f"bob-bids-{n}", 2800 + (n * 7) % 25, 1 + n)
    page = sign_in(browser, site, "bob")
    orders = page.locator("table.data").nth(1)
    tools = orders.locator("xpath=following-sibling::div[@class='table-tools'][1]")
    total = orders.locator("tbody tr").count()  # these, and one from an earlier journey
    assert total >= 25
    assert tools.locator(".page-info").inner_text().startswith(f"1–20 共 {total} ")
    assert orders.locator("tbody tr:visible").count() == 20
    tools.locator(".page-next").click()
    assert tools.locator(".page-info").inner_text().startswith(f"21–{total} ")
    assert orders.locator("tbody tr:visible").count() == total - 20
    # sort by price (4th column), lowest first, back on page one
    orders.locator("th button.sort").nth(3).click()
    assert orders.locator("th").nth(3).get_attribute("aria-sort") == "ascending"
    visible = orders.locator("tbody tr:visible td:nth-child(4)").all_inner_texts()
    assert visible == sorted(visible) and visible[0] == "28.00" and len(visible) == 20
    prices = orders.locator("tbody tr td:nth-child(4)").all_inner_texts()
    orders.locator("th button.sort").nth(3).click()
    assert orders.locator("tbody tr:visible td:nth-child(4)").first.inner_text() == \
        max(prices, key=float)
    # export: the whole table, every page, as CSV
    with page.expect_download() as info:
        tools.locator(".export-csv").click()
    csv = Path(info.value.path()).read_text(encoding="utf-8-sig").splitlines()
    assert len(csv) == 1 + total and csv[0].startswith("ID,")
    check_accessibility(page)
    # a form that waits for the server shows progress and is not sent twice
    page.fill("#price", "2800")
    page.fill("#quantity", "1")
    state = page.evaluate("""() => {
        const form = document.querySelector('form.order');
        let second = null;
        form.addEventListener('submit', e => e.preventDefault());  // stay on the page
        window.addEventListener('submit', e => { second = e.defaultPrevented; });
        form.requestSubmit();
        const shown = [form.getAttribute('aria-busy'),
                       form.querySelector('.progress progress') !== null,
                       form.querySelector('.progress').getAttribute('role')];
        form.requestSubmit();
        return [...shown, second];
    }""")
    assert state == ["true", True, "status", True]
    page.close()


def test_member_retires_credits_and_opens_the_certificate(site: dict[str, Any],
                                                          browser: Any) -> None:
    page = sign_in(browser, site, "alice")
    assert "CQ0001" in page.inner_text("table[data-name=my-projects]")
    # more than the account holds: the reason stands next to the quantity
    page.fill("#r-quantity", "999999")
    page.fill("#r-beneficiary", "重庆某公司")
    page.click("form.retire button[type=submit]")
    assert page.get_attribute("#r-quantity", "aria-invalid") == "true"
    page.wait_for_selector("#r-quantity-error", state="visible")
    assert page.get_attribute("#quantity", "aria-invalid") is None  # not the order form's
    page.fill("#r-quantity", "25")
    page.fill("#r-beneficiary", "重庆某公司")
    page.fill("#r-reason", "2025 年度办公碳中和")
    page.click("form.retire button[type=submit]")
    assert "retire_units" in page.inner_text("[role=status]")
    retirements = page.locator("table[data-name=my-retirements] tbody tr")
    assert "重庆某公司" in retirements.first.inner_text()
    retirements.first.locator("a").click()
    assert "/certificates/R" in page.url and "2025 年度办公碳中和" in page.content()
    page.close()
    operator = sign_in(browser, site, "operator")
    assert "enterprises" in operator.inner_text("table[data-name=statistics]")
    check_accessibility(operator)
    operator.close()


def test_member_trades_from_the_market_screen(site: dict[str, Any], browser: Any) -> None:
    page = sign_in(browser, site, "alice")
    page.goto(site["base"] + "/market/CQCER-ALL?lang=en")
    page.select_option("#side", "sell")
    page.fill("#price", "9999")  # outside the band: said next to the price, on this screen
    page.fill("#quantity", "5")
    page.click("form.order button[type=submit]")
    assert "/market/CQCER-ALL" in page.url
    assert page.get_attribute("#price", "aria-invalid") == "true"
    page.select_option("#side", "sell")
    page.fill("#price", "3050")
    page.fill("#quantity", "5")
    page.click("form.order button[type=submit]")
    assert "/market/CQCER-ALL" in page.url and "place_order" in page.inner_text("[role=status]")
    assert "30.50" in page.inner_text("main")  # on the book's best five
    assert bob_buys(site, "bob-takes-3050", 3050, 5)["fills"]
    page.reload()
    trades = page.locator("table[data-name=trades] tbody tr").first.inner_text()
    assert "30.50" in trades
    check_accessibility(page)
    page.close()


def test_a_court_freezes_units_under_a_case_and_lifts_the_freeze(site: dict[str, Any],
                                                                 browser: Any) -> None:
    page = sign_in(browser, site, "court")
    page.fill("#f-account", "A00000004")
    page.fill("#f-quantity", "40")
    page.fill("#f-reference", "(2026)渝0118民初1号")
    page.click("form.freeze button[type=submit]")
    assert "place_hold" in page.inner_text("[role=status]")
    held = page.locator("table[data-name=controlled-holds] tbody tr").first
    assert "A00000004" in held.inner_text() and "(2026)渝0118民初1号" in held.inner_text()
    holdings = httpx.get(site["base"] + "/api/v1/accounts/A00000004",
                         headers={"Authorization": f"Bearer {site['keys']['alice']}"}).json()
    assert holdings["units"]["CQCER"]["held"] >= 40
    check_accessibility(page)
    held.locator("button[value=release]").click()
    assert "release_hold" in page.inner_text("[role=status]")
    assert page.locator("table[data-name=controlled-holds] tbody tr").first.inner_text() \
        .strip() == "暂无数据"
    page.close()


def test_a_court_enters_a_judgment_and_records_its_payment(site: dict[str, Any],
                                                           browser: Any) -> None:
    page = sign_in(browser, site, "court")
    page.fill("#c-number", "(2026)渝0118刑初7号")
    page.fill("#c-cause", "非法狩猎罪")
    page.fill("#c-defendant", "李四")
    page.fill("#c-judgment", "2026-05-08")
    page.fill("#c-compensation", "3000")
    page.fill("#c-deadline", "2026-09-30")
    page.fill("#c-cap", "3200")
    page.fill("#c-refund", "A00000004")
    page.check("#c-forestry")
    page.click("form.case button[type=submit]")
    page.wait_for_selector("[role=status]", state="visible")
    assert "create_case" in page.inner_text("[role=status]")
    row = page.locator("table[data-name=court-cases] tbody tr", has_text="（2026）渝0118刑初7号")
    assert "李四" in row.inner_text()  # the court sees the defendant whole
    row.locator("input[name=reference]").fill("ICBC-2026-0508")
    row.locator("input[name=amount]").fill("3000")
    row.locator("form.case-payment button").click()
    page.wait_for_selector("[role=status]", state="visible")
    assert "record_payment" in page.inner_text("[role=status]")
    check_accessibility(page)
    public = browser.new_page()
    public.goto(site["base"] + "/judicial/courts/P000004?lang=en")
    assert "李某" in public.content() and "李四" not in public.content()
    check_accessibility(public)
    public.close()
    page.close()


def test_a_bank_sees_its_pledge_and_enforces_it_into_its_own_account(site: dict[str, Any],
                                                                    browser: Any) -> None:
    page = sign_in(browser, site, "bank")
    pledge = page.locator("table[data-name=controlled-holds] tbody tr").first
    assert "A00000004" in pledge.inner_text() and "2026-001" in pledge.inner_text()
    bank_account = page.locator("table.data").first.locator("tbody tr td").first.inner_text()
    pledge.locator("button[value=enforce]").click()
    assert "enforce_hold" in page.inner_text("[role=status]")
    holdings = httpx.get(site["base"] + f"/api/v1/accounts/{bank_account}",
                         headers={"Authorization": f"Bearer {site['keys']['bank']}"}).json()
    assert holdings["units"]["CQCER"]["active"] == 100
    check_accessibility(page)
    page.close()


@pytest.mark.parametrize(("name", "width", "height"), [("desktop", 1280, 900),
                                                       ("phone", 390, 844)])
def test_signed_in_pages_fit_the_screen_and_pass_the_accessibility_check(
        site: dict[str, Any], browser: Any, name: str, width: int, height: int) -> None:
    SHOTS.mkdir(exist_ok=True)
    for who, path in [("alice", "/me"), ("alice", "/market/CQCER-ALL"), ("operator", "/me"),
                      ("verifier", "/me"), ("auditor", "/audit"), ("court", "/me"),
                      ("bank", "/me"), ("person", "/inclusive/me")]:
        page = sign_in(browser, site, who, width=width)
        page.set_viewport_size({"width": width, "height": height})
        page.goto(site["base"] + path)
        slug = f"{who}-{path.strip('/').replace('/', '-')}"
        page.screenshot(path=str(SHOTS / f"{slug}-{name}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1, slug
        check_accessibility(page)
        page.close()


def test_the_cockpit_map_shows_units_traded_by_the_projects_district(
        site: dict[str, Any], browser: Any) -> None:
    import re

    r = httpx.post(site["base"] + "/api/v1/market/orders",
                   headers={"Authorization": f"Bearer {site['keys']['alice']}",
                            "Idempotency-Key": "alice-sells-for-the-map"},
                   json={"instrument": "CQCER-ALL", "account": "A00000004", "side": "sell",
                         "price": 2700, "quantity": 20})
    assert r.status_code == 201, r.text
    bob_buys(site, "bob-buys-for-the-map", 2700, 20)
    html = httpx.get(site["base"] + "/?measure=traded").text
    assert 'aria-current="page">已成交' in html
    values = [int(v.replace(",", "")) for v in
              re.findall(r"<title>[^<:]+: ([\d,]+) tCO2e</title>", html)]
    assert values and max(values) >= 20  # CQ0001's district: at least these 20


def test_the_browser_enforces_the_policy_and_the_check_would_see_a_violation(
        site: dict[str, Any], browser: Any) -> None:
    """A script the page did not come with (as stored XSS would add) is refused by Chromium
    itself, and the check that runs after every test sees the attempt."""
    page = browser.new_page()
    page.goto(site["base"] + "/registry/projects/CQ0001")
    ran = page.evaluate("""() => {
        window.injected = false;
        const s = document.createElement('script');
        s.textContent = 'window.injected = true';
        document.body.appendChild(s);
        return window.injected;
    }""")
    assert ran is False
    page.wait_for_timeout(200)  # the violation report is asynchronous
    found = browser.take()
    assert any("script-src" in v for v in found), found
    page.close()


def test_sign_out_ends_the_session(site: dict[str, Any], browser: Any) -> None:
    page = sign_in(browser, site, "auditor")
    page.click("form.signout button")
    assert "/me" not in page.url
    page.goto(site["base"] + "/me")
    assert "/signin" in page.url
    page.close()


def test_a_tables_csv_export_does_not_hand_a_spreadsheet_a_formula(
        site: dict[str, Any], browser: Any) -> None:
    formula = '=HYPERLINK("https://evil.example","点击")'
    page = sign_in(browser, site, "alice")
    page.fill("#r-quantity", "1")
    page.fill("#r-beneficiary", formula)
    page.click("form.retire button[type=submit]")
    assert "retire_units" in page.inner_text("[role=status]")
    page.goto(site["base"] + "/registry")
    retirements = page.locator("table[data-name=retirements]")
    tools = retirements.locator("xpath=following-sibling::div[@class='table-tools'][1]")
    with page.expect_download() as info:
        tools.locator(".export-csv").click()
    text = Path(info.value.path()).read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK(" in text and ",=HYPERLINK" not in text and '"=HYPERLINK' not in text
    page.close()


def test_the_api_documentation_runs_under_the_same_policy(site: dict[str, Any],
                                                          browser: Any) -> None:
    """Swagger UI comes from the platform itself (no CDN), and runs without inline script or
    eval: the check after this test finds no violation."""
    page = browser.new_page()
    page.goto(site["base"] + "/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=20_000)
    shown = page.inner_text("#swagger-ui")
    assert "Qingshan" in shown and "/api/v1/retirements" in shown
    page.close()
