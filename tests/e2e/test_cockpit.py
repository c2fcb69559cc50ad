"""The cockpit on the home page: every figure per asset, in that asset's own unit."""

from __future__ import annotations

import re

from qingshan.ledger.domain.commands import CreateAssetClass, IssueUnits
from qingshan.ledger.domain.model import SYSTEM, AssetKind
from tests.e2e.conftest import Api


def _cards(html: str) -> dict[str, str]:
    return dict(re.findall(r'<div class="label">([^<]+)</div><div class="value">([^<]+)</div>',
                           html))


def _issue_forest_cover(api: Api, mu: int) -> None:
    api.platform.sequencer.execute([
        CreateAssetClass("FCI", AssetKind.SERIALIZED, "mu", "forest coverage", "QS"),
        IssueUnits(asset="FCI", project="CQ0002", vintage=2023, monitoring_start="2023-01-01",
                   monitoring_end="2023-12-31", reference="",
                   allocations=(("A00000005", mu),))], SYSTEM, "forest-cover")


def test_the_cockpit_shows_tonnes_and_mu_apart(api: Api) -> None:
    """200 t of CQCER and 500 mu of forest-coverage indicator are two headlines, never 700."""
    _issue_forest_cover(api, 500)
    cards = _cards(api.client.get("/?lang=en").text)
    assert cards["Registered · CQCER"] == "200 t"
    assert cards["Registered · FCI"] == "500 mu"
    assert not any(v.startswith("700") for v in cards.values()), cards
    zh = _cards(api.client.get("/").text)
    assert zh["累计登记 · CQCER"] == "200吨"
    assert zh["累计登记 · FCI"] == "500亩"


def test_the_cockpit_charts_one_asset_in_its_unit(api: Api) -> None:
    """By default the asset with most units issued; ``?asset=`` picks another; the vintage
    chart counts only that asset's units, labelled with its unit."""
    _issue_forest_cover(api, 500)
    html = api.client.get("/?lang=en").text
    assert 'aria-current="page">FCI</a>' in html
    assert re.search(r"<title>2023: 500 mu</title>", html), html
    html = api.client.get("/?lang=en&asset=CQCER").text
    assert 'aria-current="page">CQCER</a>' in html
    assert re.search(r"<title>2023: 200 tCO2e</title>", html)
    assert "500 mu" not in html.split('class="grid"')[1]


def test_the_cockpit_shows_no_asset_before_anything_is_issued(api: Api) -> None:
    api.platform.sequencer.execute([CreateAssetClass("FCI", AssetKind.SERIALIZED, "mu",
                                                     "forest coverage", "QS")], SYSTEM, "fci")
    cards = _cards(api.client.get("/?lang=en&asset=FCI").text)
    assert "Registered · FCI" not in cards
    assert cards["Registered · CQCER"] == "200 t"
