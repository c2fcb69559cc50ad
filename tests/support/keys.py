"""API keys for tests, made the way `qingshan keys create` makes them: the hash stored, the
creation journaled through the sequencer."""

from __future__ import annotations

from qingshan.access.keys import CLI, issue_key
from qingshan.ledger.domain.model import Role
from qingshan.platform import Platform


def make_key(plat: Platform, role: Role, party: str | None, label: str = "test") -> str:
    token, _ = issue_key(plat.engine, plat.sequencer, CLI, role, party, label)
    return token


def make_keys(plat: Platform, wanted: dict[str, tuple[Role, str | None]]) -> dict[str, str]:
    """{name: (role, party)} -> {name: API key}."""
    return {name: make_key(plat, role, party, name) for name, (role, party) in wanted.items()}
