"""Every page: ordinary routers, one module per area, each answering through ``render`` with
the words of ``strings``; the app factory includes each of ``ROUTERS`` (one level, so the
app's route list names every page)."""

from __future__ import annotations

from fastapi import APIRouter

from qingshan.web import (
    auditor,
    court_bank,
    files,
    home,
    inclusive_pages,
    judicial_pages,
    lending_pages,
    market_pages,
    member,
    operator,
    registry_pages,
    rights_pages,
    signin,
    verifier,
)

ROUTERS: tuple[APIRouter, ...] = tuple(
    area.router for area in (files, home, registry_pages, market_pages, judicial_pages,
                             rights_pages, lending_pages, inclusive_pages,
                             auditor, signin, member, court_bank,
                             verifier, operator))
