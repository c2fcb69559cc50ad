"""The cockpit (``/``): headline cards per asset in its own unit, the district map and the
charts of one asset (figures from :mod:`qingshan.web.cockpit`), and the carbon-inclusive
totals with a link to their page."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from qingshan.errors import QingshanError
from qingshan.ledger import queries
from qingshan.reference.chongqing import DISTRICTS, DISTRICTS_2024
from qingshan.web import charts, geo, inclusive_pages
from qingshan.web.cockpit import cockpit, inclusive
from qingshan.web.render import district_names, lang_of, render
from qingshan.web.strings import TEXT, unit_words

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, measure: str = "issued", asset: str = "") -> HTMLResponse:
    lang = lang_of(request)
    with request.app.state.edge.read() as conn:
        data = cockpit(conn, measure, asset)
        try:
            head: Any = queries.tree_head(conn)
        except QingshanError:
            head = None
    text = TEXT[lang]
    ci = inclusive(request.app.state.edge.platform.subledger())
    return render(request, "home.html", cards=cockpit_cards(data["headline"], text, lang),
                  figures=cockpit_figures(data, text, lang), measure=data["measure"],
                  asset=data["asset"], assets=sorted(data["headline"]["assets"]), head=head,
                  inclusive=ci, mass=inclusive_pages.mass)


def cockpit_cards(h: dict[str, Any], text: dict[str, str],
                  lang: str) -> list[tuple[str, str]]:
    """The headline cards: each asset's figures in its own unit, never summed across assets."""
    cards = [(text["enterprises"], f"{h['enterprises']:,}")]
    for code, a in h["assets"].items():
        word, _ = unit_words(a["unit"], lang)
        cards += [(f"{text['registered_t']} · {code}",
                   charts.quantity(a["registered"], lang, word, word)),
                  (f"{text['traded_t']} · {code}", charts.quantity(a["traded"], lang, word, word)),
                  (f"{text['traded_value']} · {code}", charts.money(a["traded_value_fen"], lang)),
                  (f"{text['retired_t']} · {code}",
                   charts.quantity(a["retired"], lang, word, word))]
    return [*cards, (text["projects"], f"{h['projects']:,}")]


def cockpit_figures(data: dict[str, Any], text: dict[str, str], lang: str) -> dict[str, Any]:
    """The map and the three charts, of the cockpit's one asset, in its unit."""
    _, unit = unit_words(data["unit"], lang)
    names = district_names(lang)
    seats = {d.code: d for d in (*DISTRICTS_2024, *DISTRICTS)}
    points = [(names[c], seats[c].lon, seats[c].lat, data["districts"].get(c, 0))
              for c in {d.code for d in DISTRICTS} | set(data["districts"]) if c in seats]
    rings = geo.load()
    title = text[f"map_{data['measure']}"]
    return {
        "map": charts.district_map(rings, data["districts"], names, title=title, unit=unit)
        if rings else charts.symbol_map(points, title=title, unit=unit),
        "vintages": charts.column_chart(data["vintages"], title=text["by_vintage"], unit=unit),
        "purposes": charts.bar_chart([(text.get(p, p), q) for p, q in data["purposes"]],
                                     title=text["by_purpose"], unit=unit),
        "months": charts.column_chart(
            data["months"], title=text["by_month"], unit=unit,
            ticks=charts.year_ticks([m for m, _ in data["months"]])),
    }
