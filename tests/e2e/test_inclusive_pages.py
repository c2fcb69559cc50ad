"""Carbon-inclusive pages: the public totals (and the cockpit's card), a person's own account
with its chart, statement, redeem and donate forms (sent as a browser would) and the download
of their data; a partner's console with its batches, rejects and anomaly report. Another
person, another partner and other members are refused; the signed-out reader is sent to sign
in. One platform for the module: four people, two partners, one day settled and one closed
but not yet settled."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

from qingshan.api.app import create_app
from qingshan.inclusive.commands import AddReward, RegisterPartner, SettleDay
from qingshan.inclusive.state import person_party
from qingshan.infra.config import Settings
from qingshan.ledger.domain.model import SYSTEM, Role
from qingshan.platform import Platform
from qingshan.science.inclusive import SCENARIOS
from tests.e2e.test_web_safety import sign_in
from tests.support.book import ALICE_P, SETUP
from tests.support.databases import migrated_sqlite
from tests.support.inclusive import (
    GRID,
    INCLUSIVE_SETUP,
    METRO,
    beijing_today,
    day_number,
    jsonl,
    people,
    trip,
)
from tests.support.keys import make_keys


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp: Path = tmp_path_factory.mktemp("inclusive-pages")
    settings = Settings(database_url=migrated_sqlite(tmp / "ci.db"),
                        signing_key_path=tmp / "key.pem")
    plat = Platform.open(settings)
    seq = plat.sequencer
    seq.execute([*SETUP, *INCLUSIVE_SETUP,
                 RegisterPartner(party=GRID, name="国网重庆公交数据", scenarios=("bus",)),
                 AddReward(name="公交乘车优惠券 2 元", price=500, stock=100, sponsor=METRO)],
                SYSTEM, "setup")
    store = plat.subledger()
    store.enrol(people(1, 2, 3, consent=3))
    store.enrol(people(4, district="500112", consent=3))
    now = int(time.time() * 1000)
    day = beijing_today(now) - dt.timedelta(days=3)
    metro = [trip(f"m{p}-{h}", p, day, h, 6_000 + 1_000 * p, 25)
             for p in (1, 2, 3, 4) for h in (8, 18)]
    first = store.ingest(METRO, jsonl([*metro, {"event_id": "broken", "person": "x"}]),
                         "jsonl", now, "day.jsonl")
    grid = store.ingest(GRID, jsonl([trip("g1", 1, day, 12, 3_000, 15, scenario="bus")]),
                        "jsonl", now, "bus.jsonl")
    store.close_day(day_number(day), now)
    seq.execute([SettleDay(day.isoformat())], SYSTEM, "settle")
    later = day + dt.timedelta(days=1)  # closed, not yet settled: pending
    store.ingest(METRO, jsonl([trip("m1-late", 1, later, 9, 5_000, 20)]), "jsonl", now, "2")
    store.close_day(day_number(later), now)
    keys = make_keys(plat, {"p1": (Role.PERSON, person_party(1)),
                            "p2": (Role.PERSON, person_party(2)),
                            "metro": (Role.MEMBER, METRO), "grid": (Role.MEMBER, GRID),
                            "alice": (Role.MEMBER, ALICE_P),
                            "operator": (Role.OPERATOR, None), "auditor": (Role.AUDITOR, None)})
    with TestClient(create_app(settings, plat)) as client:
        yield {"client": client, "keys": keys, "day": day, "later": later,
               "batch": first.batch, "grid_batch": grid.batch, "platform": plat}
    plat.close()


def browser(site: dict[str, Any], who: str) -> tuple[TestClient, str]:
    c = TestClient(site["client"].app)
    return c, sign_in(c, site["keys"][who])


def post(c: TestClient, path: str, csrf: str, key: str, **form: str) -> str:
    r = c.post(path, data={"csrf": csrf, "key": key, **form}, follow_redirects=True)
    assert r.status_code == 200, r.text[:300]
    return r.text


def balance(c: TestClient) -> int:
    return int(orjson.loads(c.get("/inclusive/me/export.json").content)["account"]["balance"])


def test_the_public_page_and_the_cockpit_show_totals_only(site: dict[str, Any]) -> None:
    c = site["client"]
    page = c.get("/inclusive?lang=en")
    assert page.status_code == 200
    html = page.text
    assert 'data-figure="people">4<' in html and 'data-figure="days">1<' in html
    assert 'data-district="500103"' in html and 'data-scenario="metro"' in html
    assert "国网重庆公交数据" in html and "重庆轨道交通" in html  # by partner, by name
    assert site["day"].isoformat()[:7] in html  # by month
    assert person_party(1) not in html and "m1-8" not in html  # no one's account
    zh = c.get("/inclusive").text
    assert "各区县减排量" in zh and "地铁出行" in zh
    home = c.get("/").text
    assert 'data-name="inclusive-card"' in home and 'data-figure="inclusive-people">4<' in home


def test_a_person_reads_their_own_account_and_no_one_elses(site: dict[str, Any]) -> None:
    assert site["client"].get("/inclusive/me", follow_redirects=False).status_code == 303
    p1, _ = browser(site, "p1")
    me = p1.get("/me?lang=en").text
    assert 'data-name="inclusive-me"' in me and 'href="/inclusive/me?lang=en"' in me
    html = p1.get("/inclusive/me?lang=en").text
    assert person_party(1) in html and 'data-chart="stacked"' in html
    assert f'data-series="{SCENARIOS["metro"].name_en}"' in html and 'data-series="bus trip' in html
    day, later = site["day"].isoformat(), site["later"].isoformat()
    assert f'data-day="{day}"' in html and f'data-day="{later}"' in html  # settled, pending
    assert 'data-event="m1-8"' in html and 'data-event="g1"' in html
    assert "ci-redeem" in html and "ci-donate" in html
    assert 'href="/inclusive/me/export.json"' in html
    pending = int(html.split('data-figure="pending">')[1].split("<")[0].replace(",", ""))
    assert pending > 0
    p2, _ = browser(site, "p2")
    assert p2.get("/inclusive/people/1").status_code == 403
    assert p2.get("/inclusive/people/1/export.json").status_code == 403
    assert person_party(2) in p2.get("/inclusive/me").text
    alice, _ = browser(site, "alice")
    assert alice.get("/inclusive/me").status_code == 403
    assert alice.get("/inclusive/people/1").status_code == 403
    op, _ = browser(site, "operator")
    seen = op.get("/inclusive/people/1?lang=en").text
    assert person_party(1) in seen and "ci-redeem" not in seen  # reads, not the forms
    auditor, _ = browser(site, "auditor")
    assert auditor.get("/inclusive/people/1/export.json").status_code == 200
    assert op.get("/inclusive/people/999").status_code == 404


def test_a_person_redeems_and_donates_from_the_page(site: dict[str, Any]) -> None:
    p1, csrf = browser(site, "p1")
    before = balance(p1)
    assert before >= 600
    text = post(p1, "/inclusive/me/redeem?lang=en", csrf, "redeem-1", reward="RW000001",
                quantity="1")
    assert "redeem_inclusive_points #" in text and 'id="ci-error"' not in text
    text = post(p1, "/inclusive/me/donate?lang=en", csrf, "donate-1", grams="100",
                note="重庆马拉松碳中和")
    assert "donate_inclusive_points #" in text and "重庆马拉松碳中和" in text
    assert balance(p1) == before - 600
    refused = post(p1, "/inclusive/me/donate", csrf, "donate-2", grams=str(10**9))
    assert 'id="ci-error"' in refused and "碳积分余额不足" in refused
    bad = post(p1, "/inclusive/me/donate?lang=en", csrf, "donate-3", grams="1.5")
    assert 'id="ci-error"' in bad
    assert balance(p1) == before - 600
    alice, acsrf = browser(site, "alice")  # not a person: nothing is spent
    r = alice.post("/inclusive/me/donate?lang=en", data={"csrf": acsrf, "key": "donate-x",
                                                         "grams": "1"}, follow_redirects=False)
    assert r.status_code == 303 and "error=only" in r.headers["location"]


def test_a_person_withdraws_and_allows_a_partner_from_the_page(site: dict[str, Any]) -> None:
    p1, csrf = browser(site, "p1")
    html = p1.get("/inclusive/me?lang=en").text
    assert 'class="ci-consents"' in html and "Withdraw" in html
    party = html.split('name="partner" value="')[1].split('"')[0]  # the first partner
    text = post(p1, "/inclusive/me/consent?lang=en", csrf, "consent-1", partner=party,
                allow="0")
    assert "set_inclusive_consent #" in text and 'id="ci-error"' not in text
    assert f'value="{party}"><input type="hidden" name="allow" value="1">' in text
    text = post(p1, "/inclusive/me/consent?lang=en", csrf, "consent-2", partner=party,
                allow="1")
    assert f'value="{party}"><input type="hidden" name="allow" value="0">' in text


def test_a_person_downloads_their_data(site: dict[str, Any]) -> None:
    p1, _ = browser(site, "p1")
    r = p1.get("/inclusive/me/export.json")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    assert r.headers["content-disposition"] == \
        f'attachment; filename="carbon-account-{person_party(1)}.json"'
    data = orjson.loads(r.content)
    assert data["account"]["person"] == 1
    assert [p["day"] for p in data["postings"]] == [site["day"].isoformat(),
                                                     site["later"].isoformat()]
    assert {e["event_id"] for e in data["postings"][0]["lines"]} == {"m1-8", "m1-18", "g1"}
    assert site["client"].get("/inclusive/me/export.json",
                              follow_redirects=False).status_code == 303


def test_a_partner_reads_its_console_and_no_other_partners(site: dict[str, Any]) -> None:
    metro, _ = browser(site, "metro")
    assert 'data-name="inclusive-partner"' in metro.get("/me").text
    html = metro.get("/inclusive/partner?lang=en").text
    assert f'href="/inclusive/batches/{site["batch"]}?lang=en"' in html
    assert site["grid_batch"] not in html
    assert 'data-name="inclusive-reject-codes"' in html and 'data-code="bad_field"' in html
    assert 'data-name="inclusive-uncredited"' in html
    batch = metro.get(f"/inclusive/batches/{site['batch']}?lang=en").text
    assert 'data-code="bad_field"' in batch and "person must be an account number" in batch
    grid, _ = browser(site, "grid")
    own = grid.get("/inclusive/partner").text
    assert site["grid_batch"][:12] in own and site["batch"] not in own
    assert grid.get(f"/inclusive/batches/{site['batch']}").status_code == 403
    assert grid.get(f"/inclusive/partner?partner={METRO}").text.count(site["batch"]) == 0
    alice, _ = browser(site, "alice")
    assert alice.get("/inclusive/partner").status_code == 403
    p1, _ = browser(site, "p1")
    assert p1.get(f"/inclusive/batches/{site['batch']}").status_code == 403
    op, _ = browser(site, "operator")
    assert site["batch"] in op.get(f"/inclusive/partner?partner={METRO}").text
    assert op.get("/inclusive/batches/nope").status_code == 404
    assert site["client"].get("/inclusive/partner", follow_redirects=False).status_code == 303
