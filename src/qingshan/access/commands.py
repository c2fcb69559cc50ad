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
from qingshan.ledger.domain.definition import Choice, Custom, Shape, Text, Whole, declare
from qingshan.ledger.domain.model import Role, check_id
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


PERSON_PARTY_RE = re.compile(r"^CI[0-9]{12}$")  # a carbon-inclusive personal account


def key_party(data: Mapping[str, Any], field: str) -> str | None:
    """A ledger party (P and 6 digits), or for a person's key their personal account (CI and
    12 digits)."""
    value = data.get(field)
    if value is None:
        return None
    if isinstance(value, str) and PERSON_PARTY_RE.fullmatch(value):
        return value
    return check_id("P", value, field)


def _party_fits_role(values: dict[str, Any], data: Mapping[str, Any]) -> None:
    person = values["party"] is not None and values["party"].startswith("CI")
    if (values["role"] is Role.PERSON) != person:
        raise InvalidInput("a person's key, and only a person's, belongs to a personal "
                           "account (CI and 12 digits)", field="party")


KEY = Custom(parser=key_id, like=Shape(type="text", max_length=13), examples=("k0123456789ab",))


@dataclass(frozen=True, slots=True)
class CreateApiKey(Command):
    """The operator (or the platform's own command line) makes a key for a role and party;
    ``expires_ms`` is the end of its life (Unix ms)."""

    kind: ClassVar[str] = "create_api_key"
    key: str = declare(KEY)
    role: Role = declare(Choice(kind=Role))
    party: str | None = declare(Custom(parser=key_party, like=Shape(type="text", max_length=14),
                                       required=False, nullable=True,
                                       examples=("P000002",),
                                       description="the key's party (P000002), or a "
                                                   "person's account (CI000001234567)"))
    label: str = declare(Text(max_len=MAX_LABEL, required=False))
    expires_ms: int = declare(Whole(lo=1, hi=INT64_MAX))  # Unix milliseconds

    checks = (_not_system, _party_fits_role)


@dataclass(frozen=True, slots=True)
class RevokeApiKey(Command):
    """The operator, or the key itself, ends a key at once."""

    kind: ClassVar[str] = "revoke_api_key"
    key: str = declare(KEY)
    reason: str = declare(Text(max_len=500, required=False))


ACCESS_COMMANDS: tuple[type[Command], ...] = (CreateApiKey, RevokeApiKey)
