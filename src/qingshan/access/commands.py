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
from qingshan.ledger.domain.definition import Choice, Custom, Ref, Shape, Text, Whole, declare
from qingshan.ledger.domain.model import Role
from qingshan.ledger.domain.parsing import INT64_MAX

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


def _not_system(values: dict[str, Any], data: Mapping[str, Any]) -> None:
    if values["role"] is Role.SYSTEM:
        raise InvalidInput("no API key can have the system role", field="role")


KEY = Custom(parser=key_id, like=Shape(type="text", max_length=13), examples=("k0123456789ab",))


@dataclass(frozen=True, slots=True)
class CreateApiKey(Command):
    """The operator (or the platform's own command line) makes a key for a role and party;
    ``expires_ms`` is the end of its life (Unix ms)."""

    kind: ClassVar[str] = "create_api_key"
    key: str = declare(KEY)
    role: Role = declare(Choice(kind=Role))
    party: str | None = declare(Ref(prefix="P", required=False, nullable=True))
    label: str = declare(Text(max_len=MAX_LABEL, required=False))
    expires_ms: int = declare(Whole(lo=1, hi=INT64_MAX))  # Unix milliseconds

    checks = (_not_system,)


@dataclass(frozen=True, slots=True)
class RevokeApiKey(Command):
    """The operator, or the key itself, ends a key at once."""

    kind: ClassVar[str] = "revoke_api_key"
    key: str = declare(KEY)
    reason: str = declare(Text(max_len=500, required=False))


ACCESS_COMMANDS: tuple[type[Command], ...] = (CreateApiKey, RevokeApiKey)
