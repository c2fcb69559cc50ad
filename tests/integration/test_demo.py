"""The demo book: years of history replayed day by day through the registry and the market,
on SQLite and PostgreSQL; and the full demo adds up like the published figures."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, func, select

from qingshan.contexts import MarketPrices, RegistryProjects
from qingshan.demo import DemoBook, load_demo
from qingshan.demo import inclusive as demo_inclusive
from qingshan.demo import lending as demo_lending
from qingshan.demo import rights as demo_rights
from qingshan.demo.calendar import BEIJING, HOLIDAYS, LAST_DAY, LAUNCH, SESSIONS
from qingshan.demo.inclusive_people import SAMPLE
from qingshan.errors import Conflict
from qingshan.inclusive.audit import audit
from qingshan.infra import schema as t
from qingshan.infra.config import Settings
from qingshan.judicial import queries as jq
from qingshan.judicial.book import JudicialBook
from qingshan.ledger.domain.commands import Transfer
from qingshan.ledger.domain.invariants import check_invariants
from qingshan.ledger.domain.model import SYSTEM, Principal, Role
from qingshan.lending import queries as lq
from qingshan.lending.book import LendingBook
from qingshan.market.book import MarketBook
from qingshan.platform import Platform
from qingshan.registry import queries as rq
from qingshan.registry.book import RegistryBook
from qingshan.registry.methodologies.inclusive import METHODOLOGY as POOLED
from qingshan.rights import queries as rights
from qingshan.rights.book import RightsBook
from qingshan.web.cockpit import headline
from tests.support.registry import METHODOLOGIES, TEST_FOREST, TEST_PV


def _books() -> list[Any]:
    registry, market = RegistryBook(METHODOLOGIES), MarketBook()
    return [registry, market, JudicialBook(market), RightsBook(),
            LendingBook(RegistryProjects(registry), MarketPrices(market))]


def _trade_times(conn: Connection) -> list[dt.datetime]:
    tr, j = t.market_trades, t.journal
    return [dt.datetime.fromtimestamp(ms / 1000, BEIJING) for (ms,) in conn.execute(
        select(j.c.time_ms).select_from(tr.join(j, j.c.seq == tr.c.seq)).order_by(tr.c.id))]


def _check_history(conn: Connection, book: DemoBook, first_trade_by: dt.date) -> None:
    """What every demo shows: a journal that starts with the forest-coverage scheme of 2018
    and runs forward, the carbon platform from its launch, trades inside the sessions on
    trading days over years, closes, resting orders, unique names."""
    times = [ms for (ms,) in conn.execute(select(t.journal.c.time_ms)
                                          .order_by(t.journal.c.seq))]
    assert times == sorted(times)
    first = dt.datetime.fromtimestamp(times[0] / 1000, BEIJING)
    assert first.date() == demo_rights.FIRST_DAY
    (launched,) = conn.execute(select(func.min(t.journal.c.time_ms)).where(
        t.journal.c.kind == "create_project")).one()
    assert dt.datetime.fromtimestamp(launched / 1000, BEIJING).date() == LAUNCH
    trades = _trade_times(conn)
    assert trades[0].date() <= first_trade_by
    assert trades[-1].date() >= dt.date(2026, 11, 1)
    assert len({d.year for d in trades}) >= 5
    for when in trades:  # weekdays, not holidays, inside a session
        minute = when.hour * 60 + when.minute
        assert when.weekday() < 5 and when.date() not in HOLIDAYS, when
        assert any(a <= minute < b for a, b in SESSIONS), when
    o = t.market_orders
    resting = Counter(r.side for r in conn.execute(select(o.c.side)
                                                   .where(o.c.status == "open")))
    assert resting["buy"] >= 1 and resting["sell"] >= 1, resting  # (the full demo: 6 a side)
    names = [p.name for p in book.projects]
    assert len(set(names)) == len(names)
    assert not any(n.rsplit("项目", 1)[-1].isdigit() for n in names)
    assert len({c.name for c in book.companies}) == len(book.companies)
    # the demo's own accounting of every account equals the ledger's
    for h in book.holders.values():
        units = conn.execute(select(func.coalesce(func.sum(
            t.unit_blocks.c.serial_end - t.unit_blocks.c.serial_start + 1), 0))
            .where(t.unit_blocks.c.account == h.account, t.unit_blocks.c.asset == "CQCER",
                   t.unit_blocks.c.state.in_(("active", "held"))))
        assert units.scalar() == h.units, h.account


def _check_rights(conn: Connection) -> None:
    """The public deals at 2,500 yuan/mu (8 by 2021-11-30, 362,300 mu, 905.75 M yuan; 巫溪's
    three, 41,190 mu), failed checks withheld, 江北 and 渝北 succeeded by 两江新区 with 江北's
    contract, 两江新区 measured for 2025, and the restorations' rights and incomes."""
    names = {k: v["name"] for k, v in rights.district_names(conn).items()}
    deals = rights.contracts(conn)
    by = {(names[c["signed_seller"]][:2], names[c["signed_buyer"]][:2], c["signed_on"]):
          c for c in deals}
    assert by[("城口", "九龙", "2019-11-05")]["value"] == 3_750_000_000  # 37.5 M yuan
    assert by[("巫溪", "渝中", "2021-04-22")]["quantity"] == 11_190
    jiangbei = next(c for c in deals if names[c["signed_buyer"]].startswith("江北"))
    assert (jiangbei["quantity"], names[jiangbei["buyer"]]) == (75_000, "两江新区人民政府")
    early = [c for c in deals if c["signed_on"] <= "2021-11-30"]
    assert (len(early), sum(c["quantity"] for c in early),
            sum(c["value"] for c in early)) == (8, 362_300, 90_575_000_000)
    wuxi = [c for c in deals if names[c["signed_seller"]].startswith("巫溪")]
    assert (len(wuxi), sum(c["quantity"] for c in wuxi)) == (3, 41_190)
    assert {c["unit_price"] for c in deals} == {250_000}
    assert sum(c["withheld"] > 0 for c in deals) == 2
    view = rights.standings(conn, year=2025)
    assert {names[s["predecessor"]] for s in view["successions"]} == {"江北区人民政府",
                                                                      "渝北区人民政府"}
    assert {s["effective"] for s in view["successions"]} == {"2025-11-06"}
    rows = {r["name"]: r for r in view["districts"]}
    assert len(rows) == 37 and "江北区人民政府" not in rows
    assert rows["两江新区人民政府"]["bought"] == 75_000
    assert len(rights.standings(conn, year=2024)["districts"]) == 38
    city = rights.standings(conn, year=2023)["districts"]
    coverage = sum(r["amount"] for r in city) / sum(r["basis"] for r in city)
    assert abs(coverage - 0.5506) < 0.0005  # the city's 55.06 % (2023)
    assert len({r["target_bps"] for r in city}) > 30  # each district its own target
    sites = {r["site"][:3]: r for r in rights.restorations(conn)}
    mine, village = sites["中梁山"], sites["竹山镇"]
    assert (mine["area_mu"], mine["granted"], mine["use"]) == (2378, 71, "eco_tourism")
    assert (village["area_mu"], village["use"]) == (81, "eco_agriculture")
    incomes = {i["year"]: i["amount"] for i in rights.restoration(conn, village["id"])["incomes"]}
    assert (incomes[2017], incomes[2023]) == (41_000_000, 334_000_000)
    assert rights.restoration(conn, mine["id"])["transfers"][0]["quantity"] == 71


def _check_lending(conn: Connection, full: bool) -> None:
    """The seed's book: the four credit lines, five loans (210 M yuan in the full demo, where
    every principal is under its appraisal's ceiling), the later issuance pledged, the fire's
    covenant breach, one loan repaid with its pledge released."""
    operator = Principal("test", Role.OPERATOR, None)
    lines = {c["code"]: c["limit"] for c in lq.lines(conn, operator)}
    assert lines == demo_lending.summary()["lines"]
    view = lq.summary(conn)
    assert view["loans"] == demo_lending.SEED_LOANS == 5
    if full:
        assert view["principal"] == demo_lending.SEED_PRINCIPAL == 21_000_000_000
    loans = {n["project_name"][:2]: n for n in lq.loans(conn, operator)}
    assert all(n["start"] <= "2024-06-30" for n in loans.values())
    alerts = {a["kind"] for n in loans.values() for a in lq.loan(conn, n["id"], operator)["alerts"]}
    assert {"new_pledge", "covenant_breach", "disturbance"} <= alerts
    repaid = [n for n in loans.values() if n["status"] == "repaid"]
    assert len(repaid) == 1 and repaid[0]["outstanding"] == 0
    held = conn.execute(select(func.count()).select_from(t.holds).where(
        t.holds.c.kind == "loan_pledge", t.holds.c.status == "active",
        t.holds.c.account == repaid[0]["account"])).scalar()
    assert held == 0


def _check_inclusive(plat: Platform) -> None:
    """The carbon-inclusive sample: its people across the 37 divisions, nine partners, a year
    of days closed and settled in order, rejects in the partners' files, spends, and each
    quarter of 2026 pooled into credits a verifier approved; the book's invariants hold."""
    store = plat.subledger()
    book: Any = plat.sequencer.router.book("inclusive")
    assert book.invariants() == []
    first, last = min(book.days), max(book.days)
    assert len(book.days) == last - first + 1 >= 350
    epoch = dt.date(1970, 1, 1)
    assert epoch + dt.timedelta(days=first) == LAST_DAY - dt.timedelta(days=364)
    assert (LAST_DAY - (epoch + dt.timedelta(days=last))).days <= 8
    (people, districts), = store.rows("SELECT COUNT(*), COUNT(DISTINCT district) "
                                      "FROM inclusive_people")
    assert 0.98 * SAMPLE <= people <= SAMPLE and districts == 37
    assert {p.name for p in book.partners.values()} == {
        p.short for p in demo_inclusive.PARTNERS}
    assert len({p.slot for p in book.partners.values()}) == demo_inclusive.PARTIES
    (events, grams), = store.rows("SELECT SUM(events), SUM(grams) FROM inclusive_closes")
    assert events > 300 * 365 and grams == sum(d.close.grams for d in book.days.values())
    scenarios = {s for d in book.days.values() for s, _ in d.close.by_scenario}
    assert len(scenarios) >= 16, scenarios
    codes = dict(store.rows("SELECT code, COUNT(*) FROM inclusive_rejects GROUP BY code"))
    assert {"bad_field", "unknown_person", "no_consent", "impossible_speed", "too_late",
            "device_velocity", "overlapping_trip"} <= set(codes), codes
    (lines, dups), = store.rows("SELECT SUM(lines), SUM(duplicates) FROM inclusive_batches")
    assert 0 < sum(codes.values()) < 0.02 * lines and 0 < dups < 0.01 * lines
    kinds = Counter(s.kind.value for s in book.spends.values())
    assert kinds["redeem"] >= 100 and kinds["donate"] >= 20, kinds
    pools = sorted(book.pools.values(), key=lambda p: p.id)
    assert [(p.status.value, epoch + dt.timedelta(days=p.first_day)) for p in pools] == [
        ("issued", dt.date(2026, m, 1)) for m in (1, 4, 7)]
    assert all(p.tonnes > 0 and p.issuance for p in pools)
    # the demo person has a history: points every month, a redemption and a donation
    mine = [s.kind.value for s in book.spends.values() if s.person == demo_inclusive.DEMO_PERSON]
    assert {"redeem", "donate"} <= set(mine)


def test_demo_replays_years_of_registry_and_market_history(database_url: str,
                                                           tmp_path: Path) -> None:
    """On SQLite and PostgreSQL (a small demo): every book's rows round-trip, the history is
    dated from the launch to this year, and loading again changes nothing."""
    settings = Settings(database_url=database_url, signing_key_path=tmp_path / "key.pem",
                        sqlite_synchronous="NORMAL")
    plat = Platform.open(settings, books=_books)
    try:
        book = load_demo(plat.sequencer, enterprises=24, methodologies=[TEST_PV, TEST_FOREST])
        size = plat.sequencer.size
        again = load_demo(plat.sequencer, enterprises=24, methodologies=[TEST_PV, TEST_FOREST])
        assert again.complete and plat.sequencer.size == size, \
            "loading the demo twice must change nothing"
        assert check_invariants(plat.sequencer.state) == []
        with plat.engine.connect() as conn:
            stats = rq.registry_statistics(conn)
            projects = rq.projects(conn, limit=500)
            _check_history(conn, book, dt.date(2022, 3, 31))
            vintages = {v for (v,) in conn.execute(select(t.issuances.c.vintage).distinct())}
            pledges = conn.execute(select(func.count()).select_from(t.holds).where(
                t.holds.c.kind == "pledge", t.holds.c.status == "active")).scalar()
            sizes = [q for (q,) in conn.execute(select(t.retirements.c.quantity))]
            cases = jq.cases(conn)
            _check_rights(conn)
            _check_lending(conn, full=False)
        # and the restorers and the borrowers
        assert stats["enterprises"] == 24 + demo_rights.PARTIES + demo_lending.PARTIES
        assert stats["projects_by_status"] == {"registered": len(projects)}
        assert len(vintages) >= 4
        assert stats["cqcer_registered_t"] > 100_000
        assert stats["cqcer_transferred_between_parties_t"] > 100_000
        assert set(stats["cqcer_retired_t"]) == {"compliance", "carbon_neutrality",
                                                 "judicial_compensation"}
        assert len(set(sizes)) > 0.8 * len(sizes)  # retirements of varied sizes
        assert pledges == 2
        # 以碳代偿 as whole cases: the first one like the first 渝碳司法 case, carried out
        first = min(cases, key=lambda c: c["created_seq"])
        assert (first["number"], first["paid"], first["status"]) == (
            "（2023）渝02刑终87号", 12_236_600, "closed")
        assert sum(c["status"] == "closed" for c in cases) >= 0.8 * len(cases)
        assert all(c["paid"] == c["spent"] + c["fees"] + c["refunded"] for c in cases)
        assert plat.verify().problems == []
        books = [b.snapshot() for b in plat.sequencer.router.books]
    finally:
        plat.close()
    again_plat = Platform.open(settings, books=_books)
    try:  # a restart loads the same books from the tables
        assert [b.snapshot() for b in again_plat.sequencer.router.books] == books
    finally:
        again_plat.close()


def test_the_demo_loads_only_into_a_new_database(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'q.db'}",
                        signing_key_path=tmp_path / "key.pem")
    plat = Platform.open(settings, books=_books)
    try:
        from tests.support.book import SETUP

        plat.sequencer.execute(list(SETUP), SYSTEM, "real data")
        size = plat.sequencer.size
        with pytest.raises(Conflict, match="new database"):
            load_demo(plat.sequencer, enterprises=5, methodologies=[TEST_PV])
        assert plat.sequencer.size == size
        # and the wall clock is the sequencer's again
        r = plat.sequencer.execute_one(Transfer("CNY", "A00000003", "A00000004", 1), SYSTEM,
                                       "after")
        assert abs(r.time_ms - dt.datetime.now(dt.UTC).timestamp() * 1000) < 60_000
    finally:
        plat.close()


@pytest.mark.slow
# the figures of the full demo, not its lines: the smaller demos of this file cover the same
# code, and under coverage this one test took two minutes of the suite's fifteen
@pytest.mark.no_cover
def test_the_full_demo_adds_up_like_the_published_figures(tmp_path: Path) -> None:
    """149 enterprises, about 2 Mt registered, about 4.6 Mt traded for about 120 M yuan (the
    seed's figures for 碳惠通), with prices that wander over the years; log verify passes."""
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'demo.db'}",
                        signing_key_path=tmp_path / "key.pem", sqlite_synchronous="NORMAL")
    plat = Platform.open(settings)
    try:
        book = load_demo(plat.sequencer, subledger=plat.subledger())
        _check_inclusive(plat)
        with plat.engine.connect() as conn:
            h = headline(conn)
            _check_history(conn, book, dt.date(2021, 12, 31))
            tr = t.market_trades
            yearly: dict[int, tuple[int, int]] = {}
            for day, q, v in conn.execute(select(tr.c.day, func.sum(tr.c.quantity),
                                                 func.sum(tr.c.quantity * tr.c.price))
                                          .group_by(tr.c.day)):
                year = (dt.date(1970, 1, 1) + dt.timedelta(days=int(day))).year
                q0, v0 = yearly.get(year, (0, 0))
                yearly[year] = (q0 + int(q), v0 + int(v))
            o = t.market_orders
            sides = {(i, s) for i, s in conn.execute(select(o.c.instrument, o.c.side)
                                                     .where(o.c.status == "open"))}
            _check_lending(conn, full=True)
            # every forestry project reports its stands' volumes under the stock methodology
            # of its kind: afforestation (造林) or forest management (森林经营)
            rp = t.registry_projects
            forests = conn.execute(select(rp.c.name, rp.c.methodology)
                                   .where(rp.c.sector == "forestry")).all()
            assert forests and all(
                (m == "CQ-FOREST@3.0" and "造林" in n) or
                (m == "CQ-FOREST-MGMT@1.0" and "森林经营" in n) for n, m in forests), forests
        assert h["enterprises"] == 149 + demo_rights.PARTIES + demo_lending.PARTIES + \
            demo_inclusive.PARTIES
        # the registry issues CQCER; the districts' forest-area indicators (FCI) and the
        # restorers' development rights (DRQ) are resource rights'
        assert set(h["assets"]) == {"CQCER", "FCI", "DRQ"}, h
        cq = h["assets"]["CQCER"]
        assert cq["unit"] == "tCO2e"
        assert 1_700_000 <= cq["registered"] <= 2_300_000, h
        assert 4_000_000 <= cq["traded"] <= 5_200_000, h
        assert 100_000_000_00 <= cq["traded_value_fen"] <= 140_000_000_00, h
        assert 23_00 <= cq["traded_value_fen"] / cq["traded"] <= 29_00
        prices = [v / q for q, v in yearly.values()]
        assert max(prices) > 1.5 * min(prices), "prices wander over the years"
        assert {(i, s) for i in ("CQCER-ALL", "CQCER-FOREST", "CQCER-OTHER")
                for s in ("buy", "sell")} <= sides
        kinds = Counter(p.kind for p in book.projects)
        assert set(kinds) == {"afforestation", "management", "pv", "biogas", "inclusive"}
        for p in book.projects:  # the ranges
            if p.kind == "pv":
                assert 0.2 <= p.size <= 20
            elif p.kind == "biogas":
                assert 100 <= p.size <= 50_000
            elif p.kind in ("afforestation", "management"):
                assert 100 <= p.size <= 120_000
                years = ((p.crediting_end - p.crediting_start).days + 1) / 365.25
                assert 19.9 <= years <= 40.1
        assert plat.verify().problems == []
    finally:
        plat.close()


def test_a_short_demo_with_a_small_carbon_inclusive_sample_settles_pools_and_verifies(
        tmp_path: Path) -> None:
    """The carbon-inclusive part of the demo at a small size (150 people, the demo's last 200
    days) under coverage: partners, enrolment, weekly files with their rejects, every day
    closed and settled in order, spends (pools need the registry's pooled project registered in
    time: the full demo checks them); the book's
    invariants, the audit of every settled day and log verify pass."""
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'q.db'}",
                        signing_key_path=tmp_path / "key.pem", sqlite_synchronous="NORMAL")
    plat = Platform.open(settings)
    try:
        load_demo(plat.sequencer, enterprises=5, methodologies=[TEST_PV, POOLED],
                  start=LAST_DAY - dt.timedelta(days=200), subledger=plat.subledger(),
                  inclusive_people=150)
        book: Any = plat.sequencer.router.book("inclusive")
        assert book.invariants() == []
        assert len(book.days) >= 180 and len(book.partners) == demo_inclusive.PARTIES
        store = plat.subledger()
        assert 100 <= store.rows("SELECT COUNT(*) FROM inclusive_people")[0][0] <= 150
        assert store.rows("SELECT COUNT(*) FROM inclusive_rejects")[0][0] > 0
        assert audit(store) == []
    finally:
        plat.close()
    assert plat.verify().ok
