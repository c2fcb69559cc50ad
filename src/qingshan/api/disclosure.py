"""Who may read which account number: the read rules, now in the ledger's one policy module
:mod:`qingshan.ledger.domain.policy` (re-exported here until the edge calls it directly)."""

from __future__ import annotations

from qingshan.ledger.domain.policy import (
    ACCOUNT_KEYS,
    PRIVATE,
    PUBLIC_KINDS,
    READ_ALL,
    entry_for,
    instrument_for,
    mask,
    mask_everywhere,
    names_mine,
    project_for,
    reads_all,
    serial_for,
)

__all__ = ["ACCOUNT_KEYS", "PRIVATE", "PUBLIC_KINDS", "READ_ALL", "entry_for", "instrument_for",
           "mask", "mask_everywhere", "names_mine", "project_for", "reads_all", "serial_for"]
