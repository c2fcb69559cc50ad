"""Migrations that rewrite stored rows do it with what their release knew, inlined (a
migration imports no live code): 0004 gives earlier issuances their methodology's sector,
0005 stores earlier document addresses in their canonical form and leaves a refused one as
it is."""

from __future__ import annotations

import orjson
from alembic import command
from sqlalchemy import Engine, text

from qingshan.infra.db import make_engine
from qingshan.infra.migrate import alembic_config

PROJECT = ("INSERT INTO registry_projects (id, proponent, account, name, methodology, sector, "
           "asset, district, lat_e6, lon_e6, crediting_start, crediting_end, "
           "estimated_annual, description, documents, status, validator, created_seq, "
           "updated_seq) VALUES (:id, 'P000002', 'A00000004', 'p', :m, 's', 'CQCER', '500101', "
           "0, 0, '2020-01-01', '2029-12-31', 1, '', :docs, 'registered', NULL, 1, 1)")
ISSUANCE = ("INSERT INTO issuances (id, asset, project, vintage, serial_start, serial_end, "
            "monitoring_start, monitoring_end, reference) VALUES (:id, 'CQCER', :p, 2020, "
            ":s, :s, '2020-01-01', '2020-12-31', '')")


def _at(url: str, revision: str) -> Engine:
    command.upgrade(alembic_config(url), revision)
    return make_engine(url)


def test_0004_gives_earlier_issuances_their_methodologys_sector(database_url: str) -> None:
    engine = _at(database_url, "0003")
    with engine.begin() as conn:
        for n, m in enumerate(("CQ-FOREST@1.0", "CQ-PV@1.0", "CQ-BIOGAS@1.0",
                               "CQ-INCLUSIVE@1.0", "CQ-UNKNOWN@1.0"), start=1):
            conn.execute(text(PROJECT), {"id": f"CQ000{n}", "m": m, "docs": "[]"})
            conn.execute(text(ISSUANCE), {"id": n, "p": f"CQ000{n}", "s": n})
    engine.dispose()
    engine = _at(database_url, "0004")
    with engine.connect() as conn:
        got = dict(conn.execute(text("SELECT project, category FROM issuances")).all())
    engine.dispose()
    assert got == {"CQ0001": "forestry", "CQ0002": "energy", "CQ0003": "agriculture",
                   "CQ0004": "inclusive", "CQ0005": None}


def test_0005_stores_earlier_document_addresses_in_canonical_form(database_url: str) -> None:
    engine = _at(database_url, "0004")
    docs = [{"name": "a", "url": "HTTPS://Example.ORG:443"},
            {"name": "b", "url": "http://example.org/über pdf"},  # a space: refused, kept
            {"name": "c", "url": "https://[oops/"},  # unparseable: kept, not a failed upgrade
            {"name": "d", "url": "http://example.org/r%C3%A9sum%C3%A9?q=ä"},
            {"name": "e", "url": ""}]
    with engine.begin() as conn:
        conn.execute(text(PROJECT), {"id": "CQ0001", "m": "CQ-PV@1.0",
                                     "docs": orjson.dumps(docs).decode()})
    engine.dispose()
    engine = _at(database_url, "0005")
    with engine.connect() as conn:
        stored = orjson.loads(conn.execute(text("SELECT documents FROM registry_projects"))
                              .scalar_one())
    engine.dispose()
    assert [d["url"] for d in stored] == [
        "https://example.org/", "http://example.org/über pdf", "https://[oops/",
        "http://example.org/r%C3%A9sum%C3%A9?q=%C3%A4", ""]
