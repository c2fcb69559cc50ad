"""Value objects of the ledger: parties, accounts, asset classes, issuances, unit blocks, holds.

Everything here is a frozen value; the mutable book lives in :mod:`qingshan.ledger.domain.state`.
Quantities are integers in the asset class's smallest unit (tCO2e, mu, fen, g CO2e): never floats.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import NamedTuple

from qingshan.errors import InvalidQuantity, MalformedIdentifier

MAX_QUANTITY = 10**15  # far above any real issuance; keeps every sum inside a signed 64-bit column


class PartyKind(StrEnum):
    ENTERPRISE = "enterprise"
    INDIVIDUAL = "individual"
    COURT = "court"
    DISTRICT = "district"  # district or county government, with its administrative code
    BANK = "bank"
    VERIFIER = "verifier"
    OPERATOR = "operator"  # the platform operator (an ecology bureau)


class AccountType(StrEnum):
    HOLDING = "holding"
    RETIREMENT = "retirement"
    CANCELLATION = "cancellation"
    BUFFER = "buffer"
    ESCROW = "escrow"
    TREASURY = "treasury"  # the only type whose fungible balance may go below zero


class AccountStatus(StrEnum):
    OPEN = "open"
    FROZEN = "frozen"
    CLOSED = "closed"


class AssetKind(StrEnum):
    SERIALIZED = "serialized"
    FUNGIBLE = "fungible"


class BlockState(StrEnum):
    ACTIVE = "active"
    HELD = "held"
    RETIRED = "retired"
    CANCELLED = "cancelled"


LIVE_STATES = frozenset({BlockState.ACTIVE, BlockState.HELD})


class HoldKind(StrEnum):
    MARKET_ORDER = "market_order"
    PLEDGE = "pledge"
    ESCROW = "escrow"
    JUDICIAL_FREEZE = "judicial_freeze"
    LOAN_PLEDGE = "loan_pledge"  # a loan's pledge: placed and resolved by the lending book only


class HoldStatus(StrEnum):
    ACTIVE = "active"
    RELEASED = "released"
    ENFORCED = "enforced"


class RetirementPurpose(StrEnum):
    COMPLIANCE = "compliance"  # 碳履约
    CARBON_NEUTRALITY = "carbon_neutrality"  # 碳中和
    JUDICIAL_COMPENSATION = "judicial_compensation"  # 以碳代偿
    VOLUNTARY = "voluntary"


class Role(StrEnum):
    OPERATOR = "operator"
    MEMBER = "member"
    VERIFIER = "verifier"
    COURT = "court"
    BANK = "bank"
    AUDITOR = "auditor"
    # a procuratorate or a court's supervision office: reads every court's judicial cases
    SUPERVISOR = "supervisor"
    # the municipal forestry authority (市林业局): verifies districts' forest and greening,
    # checks contract tranches and accepts restorations
    FORESTRY = "forestry"
    # a person's own carbon-inclusive account (碳普惠): its party is the account, CI + 12 digits
    PERSON = "person"
    SYSTEM = "system"  # the platform itself (demo loading, migrations); never given to an API key


@dataclass(frozen=True, slots=True)
class Principal:
    """Who acts: an API key's holder with its role and, for party roles, its party."""

    id: str
    role: Role
    party_id: str | None = None

    def to_payload(self) -> dict[str, str | None]:
        return {"id": self.id, "role": self.role.value, "party": self.party_id}

    @classmethod
    def from_payload(cls, data: dict[str, str | None]) -> Principal:
        return cls(id=str(data["id"]), role=Role(str(data["role"])), party_id=data.get("party"))


SYSTEM = Principal(id="system", role=Role.SYSTEM)

# ---------------------------------------------------------------------------------------------
# Identifiers. The ledger assigns them from counters, so they are deterministic on replay.

_ID_RE = {
    "P": re.compile(r"^P[0-9]{6,12}$"),
    "A": re.compile(r"^A[0-9]{8,12}$"),
    "H": re.compile(r"^H[0-9]{8,12}$"),
    "R": re.compile(r"^R[0-9]{8,12}$"),
}
ASSET_CODE_RE = re.compile(r"^[A-Z][A-Z0-9]{1,9}$")
PROJECT_CODE_RE = re.compile(r"^[A-Z0-9]{2,16}$")


def party_id(n: int) -> str:
    return f"P{n:06d}"


def account_id(n: int) -> str:
    return f"A{n:08d}"


def hold_id(n: int) -> str:
    return f"H{n:08d}"


def retirement_id(n: int) -> str:
    return f"R{n:08d}"


def check_id(prefix: str, value: object, field: str) -> str:
    """``value`` if it is a well-formed id with this prefix; else MalformedIdentifier."""
    if not isinstance(value, str) or not _ID_RE[prefix].fullmatch(value):
        raise MalformedIdentifier(
            f"{field} must look like {prefix}00000001", field=field, value=str(value)[:64]
        )
    return value


def id_number(value: str) -> int:
    return int(value[1:])


def check_quantity(value: object, field: str = "quantity") -> int:
    """A positive integer quantity, at most MAX_QUANTITY. Booleans and floats are refused."""
    if type(value) is not int or value <= 0 or value > MAX_QUANTITY:
        raise InvalidQuantity(
            f"{field} must be a whole number from 1 to {MAX_QUANTITY}",
            field=field,
            value=str(value)[:64],
        )
    return value


# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SerialRange:
    """Inclusive range of unit serials ``[start, end]`` within one asset class; start ≥ 1."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if type(self.start) is not int or type(self.end) is not int:
            raise InvalidQuantity("serials must be whole numbers", start=self.start, end=self.end)
        if self.start < 1 or self.end < self.start or self.end > MAX_QUANTITY:
            raise InvalidQuantity(
                "a serial range needs 1 ≤ start ≤ end", start=self.start, end=self.end
            )

    @property
    def quantity(self) -> int:
        return self.end - self.start + 1

    def contains(self, other: SerialRange) -> bool:
        return self.start <= other.start and other.end <= self.end

    def overlaps(self, other: SerialRange) -> bool:
        return self.start <= other.end and other.start <= self.end

    def to_payload(self) -> list[int]:
        return [self.start, self.end]


@dataclass(frozen=True, slots=True)
class Party:
    id: str
    kind: PartyKind
    name: str
    identifier: str | None  # USCC for enterprises, administrative code for districts

    def to_row(self) -> dict[str, object]:
        return {"id": self.id, "kind": self.kind.value, "name": self.name,
                "identifier": self.identifier}


@dataclass(frozen=True, slots=True)
class Account:
    id: str
    party_id: str
    type: AccountType
    status: AccountStatus
    label: str

    def with_status(self, status: AccountStatus) -> Account:
        return replace(self, status=status)


@dataclass(frozen=True, slots=True)
class AssetClass:
    code: str  # e.g. CQCER, CCER, FCI (forest-coverage indicator), CNY, CIP (inclusive points)
    kind: AssetKind
    unit: str  # tCO2e, mu, fen, gCO2e
    name: str
    registry: str  # registry code used in serial numbers, e.g. QS


@dataclass(frozen=True, slots=True)
class Issuance:
    id: int
    asset: str
    project: str
    vintage: int
    serials: SerialRange
    monitoring_start: str  # ISO dates of the monitoring period
    monitoring_end: str
    reference: str
    category: str | None = None  # the methodology's sector (forestry, energy, …), for markets


class UnitBlock(NamedTuple):
    """A contiguous run of serials of one issuance, in one account, in one state.

    Immutable, as every value here; a named tuple rather than a frozen dataclass because the
    ledger makes several per transfer, hold or fill, and a tuple builds three times faster."""

    id: int
    asset: str
    issuance: int
    vintage: int
    start: int
    end: int
    account: str
    state: BlockState
    hold: str | None = None

    @property
    def quantity(self) -> int:
        return self.end - self.start + 1

    @property
    def serials(self) -> SerialRange:
        return SerialRange(self.start, self.end)


class Hold(NamedTuple):
    """Units or funds set aside for a purpose (an order, a pledge, a court's freeze)."""

    id: str
    kind: HoldKind
    account: str
    asset: str
    quantity: int  # units or fungible amount still held
    status: HoldStatus
    controller: str | None  # party whose bank or court role may resolve it (see holds.py)
    reference: str
    destination: str | None = None  # the account named when it was placed, to enforce into


@dataclass(frozen=True, slots=True)
class Retirement:
    id: str
    account: str  # the account the units were retired from
    asset: str
    quantity: int
    purpose: RetirementPurpose
    beneficiary: str
    reason: str
    reference: str
    ranges: tuple[SerialRange, ...]
    seq: int
