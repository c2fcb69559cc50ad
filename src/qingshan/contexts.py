"""The bounded contexts whose books the sequencer hosts beside the ledger's."""

from __future__ import annotations

from qingshan.ledger.books import Book


def make_books() -> list[Book]:
    """Fresh, empty books of every context, in a fixed order (the journal replays into them)."""
    from qingshan.market.book import MarketBook
    from qingshan.registry.book import RegistryBook
    from qingshan.registry.methodologies import ALL

    return [RegistryBook({m.key: m for m in ALL}), MarketBook()]
