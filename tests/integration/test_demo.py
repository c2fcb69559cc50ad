"""The demo book goes through the registry and adds up like the seed's figures."""

from __future__ import annotations

from pathlib import Path

from qingshan.infra.config import Settings
from qingshan.ledger.domain.invariants import check_invariants
from qingshan.market.book import MarketBook
from qingshan.platform import Platform
from qingshan.registry import queries as rq
from qingshan.registry.book import RegistryBook
from tests.support.registry import METHODOLOGIES, TEST_FOREST, TEST_PV


def test_demo_registers_projects_issues_trades_and_retires(database_url: str,
                                                           tmp_path: Path) -> None:
    """On SQLite and PostgreSQL: every book's rows round-trip through the database."""
    from qingshan.demo import load_demo

    settings = Settings(database_url=database_url, signing_key_path=tmp_path / "key.pem")
    plat = Platform.open(settings, books=lambda: [RegistryBook(METHODOLOGIES), MarketBook()])
    try:
        load_demo(plat.sequencer, enterprises=60, methodologies=[TEST_PV, TEST_FOREST])
        size = plat.sequencer.size
        load_demo(plat.sequencer, enterprises=60, methodologies=[TEST_PV, TEST_FOREST])
        assert plat.sequencer.size == size, "loading the demo twice must change nothing"
        assert check_invariants(plat.sequencer.state) == []
        with plat.engine.connect() as conn:
            stats = rq.registry_statistics(conn)
            projects = rq.projects(conn, limit=500)
        assert stats["enterprises"] == 60
        assert stats["projects_by_status"] == {"registered": len(projects)}
        assert stats["cqcer_registered_t"] > 100_000
        assert stats["cqcer_transferred_between_parties_t"] > 100_000
        assert "judicial_compensation" in stats["cqcer_retired_t"]
        assert plat.verify().problems == []
        books = [b.snapshot() for b in plat.sequencer.router.books]
    finally:
        plat.close()
    again = Platform.open(settings, books=lambda: [RegistryBook(METHODOLOGIES), MarketBook()])
    try:  # a restart loads the same books from the tables
        assert [b.snapshot() for b in again.sequencer.router.books] == books
    finally:
        again.close()
