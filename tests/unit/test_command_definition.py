"""Each command is defined once: every field of every command kind is declared with its kind
(qingshan.ledger.domain.definition), so its parser, its journal form and its request body
all come from that declaration."""

from __future__ import annotations

import dataclasses

import pytest

from qingshan.contexts import make_books
from qingshan.errors import InvalidInput
from qingshan.ledger.books import catalog
from qingshan.ledger.domain.commands import Transfer
from qingshan.market.commands import Side, StartAuction

KINDS = catalog(make_books())


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_field_of_every_command_is_declared(kind: str) -> None:
    cls = KINDS[kind]
    fields = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
    assert fields and [name for name, _ in cls.declared()] == fields


def test_a_field_added_later_stays_out_of_the_journal_at_its_old_meaning() -> None:
    sale = StartAuction("CQCER-ALL", "A00000004", 10, 2500, 10**12)
    purchase = StartAuction("CQCER-ALL", "A00000004", 10, 2500, 10**12, Side.BUY)
    assert "side" not in sale.to_payload() and purchase.to_payload()["side"] == "buy"
    assert StartAuction.from_payload(sale.to_payload()) == sale


def test_fields_are_read_in_order_and_cross_field_checks_after_them() -> None:
    with pytest.raises(InvalidInput) as bad_asset:
        Transfer.from_payload({"asset": "x", "source": "A00000004",
                               "destination": "A00000004", "quantity": 1})
    assert bad_asset.value.data["field"] == "asset"
    with pytest.raises(InvalidInput) as same:
        Transfer.from_payload({"asset": "CQCER", "source": "A00000004",
                               "destination": "A00000004", "quantity": 1})
    assert same.value.data["field"] == "destination"
