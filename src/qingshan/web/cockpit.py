"""The cockpit's figures, computed live from the book of record (never a placeholder).

Each context answers for what it owns, through its own query functions: the ledger (parties,
assets and their units, issuance, retirements, serials moved between parties), the registry
(registered projects, the district each issuance comes from) and the market (units and value
traded); the carbon-inclusive sub-ledger its public totals (people, days settled, grams
of CO2e avoided). Every quantity is per asset, in that asset's unit: tonnes of CO2e and mu of forest
cover are never added together. The charts show one asset at a time (``?asset=``, by default
the asset with the most units issued).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from qingshan.inclusive import queries as inclusive_queries
from qingshan.inclusive.ingest import SubLedgerStore
from qingshan.ledger import queries as ledger
from qingshan.market import queries as market
from qingshan.registry import queries as registry

MEASURES = ("issued", "retired", "traded")


def headline(conn: Connection) -> dict[str, Any]:
    """Enterprises and registered projects, and per asset with units issued: its unit, units
    registered (issued), traded, their value in fen, and retired."""
    units = {a["code"]: a["unit"] for a in ledger.asset_classes(conn)}
    traded = market.traded_by_asset(conn)
    assets: dict[str, dict[str, Any]] = {}
    for code, supply in sorted(ledger.supply(conn).items()):
        issued = supply.get("issued", 0)
        if not issued:
            continue
        sold = traded.get(code, {"quantity": 0, "value_fen": 0})
        assets[code] = {"unit": units.get(code, ""), "registered": issued,
                        "traded": sold["quantity"], "traded_value_fen": sold["value_fen"],
                        "retired": supply.get("retired", 0)}
    return {"enterprises": ledger.party_count(conn, "enterprise"),
            "projects": registry.registered_project_count(conn), "assets": assets}


def by_district(conn: Connection, asset: str, measure: str) -> dict[str, int]:
    """Units of the asset per district of the project they come from: issued, retired, or
    traded (moved active from one party to another, on the market or by transfer)."""
    spans = ledger.issuance_spans(conn, asset)
    if measure == "issued":
        ranges = [(s, e) for s, e, _ in spans]
    elif measure == "traded":
        ranges = ledger.moved_between_parties(conn, asset)
    else:
        ranges = ledger.retired_ranges(conn, asset)
    return registry.units_by_district(conn, asset, spans, ranges)


def chosen_asset(head: dict[str, Any], asset: str) -> str | None:
    """The asset asked for if it has units issued, else the one with the most (by code on a
    tie); None before anything is issued."""
    assets: dict[str, dict[str, Any]] = head["assets"]
    if asset in assets:
        return asset
    if not assets:
        return None
    return min(assets, key=lambda code: (-assets[code]["registered"], code))


def cockpit(conn: Connection, measure: str, asset: str = "") -> dict[str, Any]:
    measure = measure if measure in MEASURES else "issued"
    head = headline(conn)
    chosen = chosen_asset(head, asset)
    if chosen is None:
        return {"headline": head, "measure": measure, "asset": None, "unit": "",
                "districts": {}, "vintages": [], "purposes": [], "months": []}
    return {"headline": head, "measure": measure, "asset": chosen,
            "unit": head["assets"][chosen]["unit"],
            "districts": by_district(conn, chosen, measure),
            "vintages": ledger.issued_by_vintage(conn, chosen),
            "purposes": ledger.retired_by_purpose(conn, chosen),
            "months": market.traded_by_month(conn, chosen)}


def inclusive(store: SubLedgerStore) -> dict[str, Any]:
    """The carbon-inclusive card: people enrolled, days settled, events and grams of CO2e
    credited on them, the last day settled (a separate unit: never added to the assets)."""
    s = inclusive_queries.summary(store)
    return {k: s[k] for k in ("people", "days", "events", "grams", "last_day")}
