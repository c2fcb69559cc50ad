"""The bounded contexts whose books the sequencer hosts beside the ledger's."""

from __future__ import annotations

from collections.abc import Sequence

from qingshan.access.book import AccessBook
from qingshan.judicial.book import JudicialBook
from qingshan.ledger.books import Book
from qingshan.market.book import MarketBook
from qingshan.registry.book import RegistryBook
from qingshan.registry.methodologies import ALL
from qingshan.rights.book import RightsBook


def make_books() -> list[Book]:
    """Fresh, empty books of every context, in a fixed order (the journal replays into them)."""
    market = MarketBook()
    # judicial offsetting buys on the market through its Exchange interface, bound here
    return with_access([RegistryBook({m.key: m for m in ALL}), market, JudicialBook(market),
                        RightsBook()])


def with_access(books: Sequence[Book]) -> list[Book]:
    """The books given, plus the access book (API keys) unless one is there: every platform
    journals its keys, whatever contexts it hosts."""
    out = list(books)
    if not any(b.name == AccessBook.name for b in out):
        out.append(AccessBook())
    return out
