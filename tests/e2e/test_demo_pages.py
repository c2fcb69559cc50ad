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
    for path in ("/", "/market/CQCER-FOREST"):
        page = chromium.new_page()
        page.goto(demo + path)
        check_accessibility(page)
        page.close()
    assert chromium.take() == []  # no Content-Security-Policy violation
