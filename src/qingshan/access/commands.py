"""Commands of the access context: API keys are created and revoked as journal entries, so an
auditor sees who made which key for whom, until when, and who ended it. An entry names the key
by its public id and never carries its secret or the secret's hash."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from qingshan.errors import InvalidInput, MalformedIdentifier
from qingshan.ledger.domain.commands import Command
from qingshan.ledger.domain.model import Role, check_id
from qingshan.ledger.domain.parsing import INT64_MAX, enum, text, whole_number

KEY_ID_RE = re.compile(r"^k[0-9a-f]{12}$")
DAY_MS = 86_400_000
MAX_KEY_DAYS = 1095  # three years: a key lives at most this long
MAX_LABEL = 120


def key_id(data: Mapping[str, Any], field: str = "key") -> str:
    value = data.get(field)
    if not isinstance(value, str) or not KEY_ID_RE.fullmatch(value):
        raise MalformedIdentifier(f"{field} must be an API key id such as k0123456789ab",
                                  field=field, value=str(value)[:64])
    return value


@dataclass(frozen=True, slots=True)
class CreateApiKey(Command):
    """The operator (or the platform's own command line) makes a key for a role and party;
    ``expires_ms`` is the end of its life (Unix ms)."""

    kind: ClassVar[str] = "create_api_key"
    key: str
    role: Role
    party: str | None
    label: str
    expires_ms: int

    def to_payload(self) -> dict[str, Any]:
        return {"key": self.key, "role": self.role.value, "party": self.party,
                "label": self.label, "expires_ms": self.expires_ms}

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> CreateApiKey:
        role = enum(data, "role", Role)
        if role is Role.SYSTEM:
            raise InvalidInput("no API key can have the system role", field="role")
        party = data.get("party")
        expires = whole_number(data, "expires_ms", 1, INT64_MAX)  # Unix milliseconds
        return cls(key=key_id(data), role=role,
                   party=None if party is None else check_id("P", party, "party"),
                   label=text(data, "label", required=False, max_len=MAX_LABEL),
                   expires_ms=expires)


@dataclass(frozen=True, slots=True)
class RevokeApiKey(Command):
    """The operator, or the key itself, ends a key at once."""

    kind: ClassVar[str] = "revoke_api_key"
    key: str
    reason: str

    def to_payload(self) -> dict[str, Any]:
        return {"key": self.key, "reason": self.reason}

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> RevokeApiKey:
        return cls(key=key_id(data), reason=text(data, "reason", required=False,
                                                 max_len=500))


ACCESS_COMMANDS: tuple[type[Command], ...] = (CreateApiKey, RevokeApiKey)
