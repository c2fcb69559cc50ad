"""Decimal numbers of the registry (parameter values, grid factors, MWh) as text: one canonical
form, so records compare and journal exactly and never pass through a binary float."""

from __future__ import annotations

from decimal import Decimal


def canonical_decimal(value: str | float | int | Decimal) -> str:
    """One text for one number: no exponent, no trailing zeros (``"0.50"`` → ``"0.5"``)."""
    d = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    text = format(d.normalize(), "f")
    return "0" if text in ("-0", "") else text
