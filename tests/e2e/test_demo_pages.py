"""The demo as people see it: the cockpit and a market page show years of history and a book
with orders on both sides, in Chromium; the docs' screenshots are taken by the same code."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.test_browser import Chromium, check_accessibility
from tests.support.screenshots import ARGS, CHROMIUM, demo_site, shoot


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with demo_site(tmp_path_factory.mktemp("demo"), enterprises=20) as base:
        yield base


@pytest.fixture(scope="module")
def chromium() -> Iterator[Chromium]:
    """Chromium whose pages report Content-Security-Policy violations."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        browser = Chromium(b)
        yield browser
        for context in browser.contexts:
            context.close()
        b.close()


def test_the_market_page_charts_years_of_prices_and_shows_depth(demo: str) -> None:
    html = httpx.get(f"{demo}/market/CQCER-ALL").text
    chart = html[html.index("<svg"):html.index("</svg>")]
    years = set(re.findall(r">(20\d\d)</text>", chart))
    assert {"2022", "2023", "2024", "2025", "2026"} <= years
    assert chart.count("<rect") > 200  # a volume column a trading day with trades
    depth = httpx.get(f"{demo}/api/v1/market/instruments/CQCER-ALL/depth").json()
    assert len(depth["bids"]) >= 3 and len(depth["asks"]) >= 3
    assert depth["bids"][0]["price"] < depth["asks"][0]["price"]
    assert "<td>2026-11-" in html  # the latest trades, newest first, with their time


def test_the_cockpit_charts_trades_by_month_over_the_years(demo: str) -> None:
    html = httpx.get(f"{demo}/?lang=en").text
    section = html[html.index("Traded per month"):]
    chart = section[section.index("<svg"):section.index("</svg>")]
    assert {"2022", "2023", "2024", "2025", "2026"} <= set(re.findall(r">(20\d\d)</text>",
                                                                      chart))
    months = re.findall(r"<title>(\d{4}-\d\d): ", chart)
    assert months[0] <= "2022-01" and months[-1] == "2026-11"


def test_screenshots_of_the_demo_and_accessibility(demo: str, chromium: Chromium,
                                                   tmp_path: Path) -> None:
    files = shoot(chromium, demo, tmp_path)
    assert set(files) == {"cockpit", "market"}
    for path in files.values():
        assert path.stat().st_size > 20_000  # a page with charts, not a blank one
    for path in ("/", "/market/CQCER-FOREST", "/lending"):
        page = chromium.new_page()
        page.goto(demo + path)
        check_accessibility(page)
        page.close()
    assert chromium.take() == []  # no Content-Security-Policy violation


def test_the_rights_pages_show_the_deals_the_succession_and_the_restorations(demo: str) -> None:
    """The compliance view: a map of the 38 districts by standing in 2023 (37 from 2025, with
    两江新区), each district's coverage without and with traded indicators, the deals at
    2,500 yuan/mu; a contract with a withheld tranche; a district's years; 猎神村's income."""
    html = httpx.get(f"{demo}/rights?lang=en&year=2023").text
    figure = html[html.index('data-chart="status-map"'):]
    figure = figure[:figure.index("</svg>")]
    shown = dict(re.findall(r'data-district="(\d{6})" data-status="(\w*)"', figure))
    assert len(shown) == 38 and "500157" not in shown
    assert shown["500103"] == "surplus" and shown["500231"] == "short"  # 渝中 bought; 垫江
    deals = html[html.index('data-chart="deals"'):]
    assert deals[:deals.index("</svg>")].count("<circle") == 9
    assert "2,500.00" in html
    later = httpx.get(f"{demo}/rights?year=2025").text
    shown = dict(re.findall(r'data-district="(\d{6})" data-status="(\w*)"', later))
    assert len(shown) == 37 and "500157" in shown and "500105" not in shown
    assert "渝府发〔2025〕15号" in later
    contracts = re.findall(r'href="/rights/contracts/(RC\d{6})', html)
    pages = [httpx.get(f"{demo}/rights/contracts/{c}?lang=en").text for c in set(contracts)]
    failed = [p for p in pages if 'data-status="withheld"' in p]
    assert len(failed) == 2 and "acceptance check" in failed[0]
    district = re.search(r'href="/rights/districts/(P\d+)\?lang=en">九龙坡区', html)
    assert district is not None
    page = httpx.get(f"{demo}/rights/districts/{district.group(1)}?lang=en").text
    chart = page[page.index('data-chart="coverage"'):page.index("</svg>")]
    assert re.findall(r">(20\d\d)</text>", chart) == [str(y) for y in range(2018, 2026)]
    projects = dict((name, rid) for rid, name in re.findall(
        r'href="/rights/restorations/(RR\d{6})\?lang=en">RR\d{6}</a></td><td>([^<(]+)', html))
    village = next(rid for name, rid in projects.items() if "猎神村" in name)
    page = httpx.get(f"{demo}/rights/restorations/{village}").text
    chart = page[page.index("<svg"):page.index("</svg>")]
    assert "2017: 410,000" in chart and "2023: 3,340,000" in chart
    assert "梦溪湉园" in page  # the right transferred to the business that runs it


def test_the_rights_map_and_chart_render_in_chromium(demo: str, chromium: Chromium) -> None:
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{demo}/rights")
    districts = page.locator('svg[data-chart="status-map"] [data-district]')
    assert districts.count() >= 37
    box = page.locator('svg[data-chart="status-map"]').bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 200
    deal = page.locator('svg[data-chart="deals"] circle').first.bounding_box()
    assert deal is not None and deal["width"] > 4
    check_accessibility(page)
    page.close()
    assert chromium.take() == []  # no Content-Security-Policy violation


def test_the_lending_page_shows_the_seeds_book(demo: str) -> None:
    """The public totals of the seed's pledge loans: five loans, 210 M yuan, credit lines to
    武隆, 巫山, 秀山 and 永川 on the map of principal by district."""
    html = httpx.get(f"{demo}/lending?lang=en").text
    assert re.search(r'data-figure="loans">5<', html)
    assert 'data-figure="principal">CNY 210.00 M<' in html
    rows = re.findall(r'<tr data-district="(\d{6})">', html)
    assert sorted(rows) == ["500118", "500156", "500237", "500241"]
