"""Commands: what a principal asks the ledger to do. Imperative names, frozen, JSON round-trip.

Each command is defined once (:mod:`qingshan.ledger.domain.definition`): its fields are
declared with their kind, and from that one definition come ``from_payload`` (the single
place where untrusted input becomes a command: types, lengths, id formats and quantities,
checked with the parsers of :mod:`qingshan.ledger.domain.parsing`, raising
:class:`~qingshan.errors.InvalidInput` subclasses that name the field), ``to_payload`` (the
canonical form that is journaled, hashed and replayed) and the request body at the edge.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from qingshan.errors import InvalidInput, SerialOverlap
from qingshan.ledger.domain.definition import (
    AssetCode,
    Choice,
    Custom,
    Day,
    Declared,
    Flag,
    Matching,
    Quantity,
    Ref,
    Shape,
    Spec,
    Text,
    Whole,
    declare,
)
from qingshan.ledger.domain.identifiers import validate_admin_code, validate_uscc
from qingshan.ledger.domain.model import (
    ASSET_CODE_RE,
    PROJECT_CODE_RE,
    AccountStatus,
    AccountType,
    AssetKind,
    HoldKind,
    PartyKind,
    RetirementPurpose,
    SerialRange,
    check_id,
    check_quantity,
)
from qingshan.ledger.domain.parsing import as_date, text

MAX_RANGES = 1000


def serial_ranges(data: Mapping[str, Any], key: str = "ranges") -> tuple[SerialRange, ...] | None:
    """Optional [start, end] serial ranges, which must not overlap one another."""
    raw = data.get(key)
    if raw is None:
        return None
    if not isinstance(raw, list | tuple) or not raw or len(raw) > MAX_RANGES:
        raise InvalidInput(f"ranges must be a list of 1 to {MAX_RANGES} [start, end] pairs",
                           field="ranges")
    out: list[SerialRange] = []
    for item in raw:
        if not isinstance(item, list | tuple) or len(item) != 2:
            raise InvalidInput("each range must be a [start, end] pair", field="ranges")
        out.append(SerialRange(item[0], item[1]))
    ordered = sorted(out, key=lambda r: r.start)
    for a, b in itertools.pairwise(ordered):
        if a.overlaps(b):
            raise SerialOverlap("serial ranges in one request overlap",
                                first=a.to_payload(), second=b.to_payload())
    return tuple(out)


def amount(data: Mapping[str, Any], ranges: tuple[SerialRange, ...] | None) -> int:
    """Quantity, or the total of the ranges; when both are given they must agree."""
    qty = data.get("quantity")
    if ranges is None:
        return check_quantity(qty)
    total = sum(r.quantity for r in ranges)
    if qty is not None and check_quantity(qty) != total:
        raise InvalidInput("quantity does not equal the total of the ranges", field="quantity",
                           quantity=qty, ranges_total=total)
    return total


def _ranges_payload(ranges: tuple[SerialRange, ...]) -> list[list[int]]:
    return [r.to_payload() for r in ranges]


INTEGER = Shape(type="integer")
RANGE_SHAPE = Shape(type="list", min_length=1, max_length=MAX_RANGES,
                    items=(Shape(type="tuple", items=(INTEGER, INTEGER)),))


def Ranges(**kw: Any) -> Spec:
    """Optional explicit serial ranges; journaled as [start, end] pairs, or null."""
    return Custom(parser=lambda d, _: serial_ranges(d), like=RANGE_SHAPE, required=False,
                  nullable=True, to_json=_ranges_payload,
                  **{"description": "explicit [start, end] serials", **kw})


@dataclass(frozen=True, kw_only=True)
class Amount(Spec):
    """A quantity that the serial ranges may give instead (read with them in ``check``)."""

    required: bool = False
    nullable: bool = True

    def parse(self, data: Mapping[str, Any], key: str) -> None:
        return None

    def shape(self) -> Shape:
        return INTEGER


def with_amount(values: dict[str, Any], data: Mapping[str, Any]) -> None:
    values["quantity"] = amount(data, values["ranges"])


class Command(Declared):
    """Base of every command. ``kind`` names it in the journal and in batch requests."""

    kind: ClassVar[str]


def _registry(data: Mapping[str, Any], key: str) -> str:
    registry = text(data, key, max_len=8)
    if not ASSET_CODE_RE.fullmatch(registry):
        raise InvalidInput("registry must be 2-10 capital letters or digits", field=key)
    return registry


@dataclass(frozen=True, slots=True)
class CreateAssetClass(Command):
    kind: ClassVar[str] = "create_asset_class"
    code: str = declare(AssetCode(examples=("CQCER",)))
    asset_kind: AssetKind = declare(Choice(kind=AssetKind))
    unit: str = declare(Text(max_len=16, examples=("tCO2e",)))
    name: str = declare(Text(max_len=120))
    registry: str = declare(Custom(parser=_registry, like=Shape(type="text", max_length=8),
                                   examples=("QS",)))


@dataclass(frozen=True, slots=True)
class RegisterParty(Command):
    kind: ClassVar[str] = "register_party"
    party_kind: PartyKind = declare(Choice(kind=PartyKind))
    name: str = declare(Text(max_len=200))
    identifier: str | None = declare(Custom(
        parser=lambda d, k: text(d, k, required=False, max_len=32) or None,
        like=Shape(type="text", max_length=32), required=False, nullable=True,
        description="USCC for an enterprise, administrative code for a district"))

    @classmethod
    def check(cls, values: dict[str, Any], data: Mapping[str, Any]) -> None:
        kind, ident = values["party_kind"], values["identifier"]
        if kind is PartyKind.ENTERPRISE:
            if ident is None:
                raise InvalidInput("an enterprise needs its unified social credit code",
                                   field="identifier")
            values["identifier"] = validate_uscc(ident)
        elif kind is PartyKind.DISTRICT:
            if ident is None:
                raise InvalidInput("a district needs its administrative division code",
                                   field="identifier")
            values["identifier"] = validate_admin_code(ident)


@dataclass(frozen=True, slots=True)
class OpenAccount(Command):
    kind: ClassVar[str] = "open_account"
    party: str = declare(Ref(prefix="P", examples=("P000002",)))
    account_type: AccountType = declare(Choice(kind=AccountType))
    label: str = declare(Text(max_len=120, required=False))


@dataclass(frozen=True, slots=True)
class SetAccountStatus(Command):
    """Freeze, unfreeze or close an account. Closing needs the account to be empty."""

    kind: ClassVar[str] = "set_account_status"
    account: str = declare(Ref(prefix="A"))
    status: AccountStatus = declare(Choice(kind=AccountStatus))
    reason: str = declare(Text())


def _allocations(data: Mapping[str, Any], key: str) -> tuple[tuple[str, int], ...]:
    raw = data.get(key)
    if not isinstance(raw, list | tuple) or not 1 <= len(raw) <= 16:
        raise InvalidInput("allocations must list 1 to 16 [account, quantity] pairs",
                           field="allocations")
    allocations: list[tuple[str, int]] = []
    for item in raw:
        if not isinstance(item, list | tuple) or len(item) != 2:
            raise InvalidInput("each allocation is an [account, quantity] pair",
                               field="allocations")
        allocations.append((check_id("A", item[0], "account"), check_quantity(item[1])))
    return tuple(allocations)


CATEGORY_RE = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
CATEGORY_SHAPE = Shape(type="text", max_length=32, length_at_edge=False)


def category_of(data: Mapping[str, Any], key: str = "category") -> str | None:
    raw = data.get(key)
    if raw is None:
        return None
    if not isinstance(raw, str) or not CATEGORY_RE.fullmatch(raw):
        raise InvalidInput("category is a lower-case word of up to 32 letters, digits, _ or -",
                           field=key)
    return raw


def categories_of(data: Mapping[str, Any], key: str = "categories") -> tuple[str, ...] | None:
    """An optional list of categories, kept sorted and without repeats."""
    raw = data.get(key)
    if raw is None:
        return None
    if not isinstance(raw, list | tuple) or not 1 <= len(raw) <= 16 or not all(
            isinstance(c, str) and CATEGORY_RE.fullmatch(c) for c in raw):
        raise InvalidInput("categories is a list of 1 to 16 lower-case words",
                           field=key)
    return tuple(sorted(set(raw)))


def vintages_of(data: Mapping[str, Any], key: str = "vintages") -> tuple[int, int] | None:
    raw = data.get(key)
    if raw is None:
        return None
    if not isinstance(raw, list | tuple) or len(raw) != 2 or \
            any(type(v) is not int or not 1990 <= v <= 2100 for v in raw) or raw[0] > raw[1]:
        raise InvalidInput("vintages is a [from, to] pair of years", field=key)
    return (raw[0], raw[1])


CATEGORIES_SHAPE = Shape(type="list", min_length=1, max_length=16, items=(CATEGORY_SHAPE,))
VINTAGES_SHAPE = Shape(type="tuple", items=(INTEGER, INTEGER))


@dataclass(frozen=True, slots=True, kw_only=True)
class IssueUnits(Command):
    """Issue one contiguous serial range of a serialized asset, split over one or more accounts
    (e.g. the proponent's holding account and the buffer pool)."""

    kind: ClassVar[str] = "issue_units"
    asset: str = declare(AssetCode())
    project: str = declare(Matching(pattern=PROJECT_CODE_RE, examples=("CQFC0001",),
                                    message="project must be 2-16 capital letters or digits"))
    vintage: int = declare(Whole(lo=1990, hi=2100, examples=(2023,),
                                 message="vintage must be a year from 1990 to 2100"))
    monitoring_start: str = declare(Day(examples=("2023-01-01",)))
    monitoring_end: str = declare(Day(examples=("2023-12-31",),
                                      description="not after the day of issuance (Beijing)"))
    reference: str = declare(Text(required=False))
    allocations: tuple[tuple[str, int], ...] = declare(Custom(
        parser=_allocations, to_json=lambda a: [[x, q] for x, q in a],
        like=Shape(type="list", min_length=1, max_length=16, items=(
            Shape(type="tuple", items=(Shape(type="text", max_length=16), INTEGER)),)),
        description="[account, quantity] pairs, e.g. the proponent's account and the buffer"))
    # the methodology's sector (forestry, energy, …); absent from entries journaled before it
    category: str | None = declare(Custom(parser=category_of, like=CATEGORY_SHAPE, nullable=True,
                                          required=False, omit_none=True, from_client=False),
                                   None)

    @property
    def quantity(self) -> int:
        return sum(q for _, q in self.allocations)

    @classmethod
    def check(cls, values: dict[str, Any], data: Mapping[str, Any]) -> None:
        if as_date(values["monitoring_end"]) < as_date(values["monitoring_start"]):
            raise InvalidInput("the monitoring period ends before it starts",
                               field="monitoring_end")
        check_quantity(sum(q for _, q in values["allocations"]), "total quantity")


def _distinct(values: dict[str, Any], data: Mapping[str, Any]) -> None:
    if values["source"] == values["destination"]:
        raise InvalidInput("source and destination are the same account",
                           field="destination")


@dataclass(frozen=True, slots=True)
class Transfer(Command):
    """Move units (oldest vintage first, or the named serial ranges) or a fungible amount."""

    kind: ClassVar[str] = "transfer"
    asset: str = declare(AssetCode())
    source: str = declare(Ref(prefix="A"))
    destination: str = declare(Ref(prefix="A"))
    quantity: int = declare(Amount(description="units or fen; oldest first"))
    ranges: tuple[SerialRange, ...] | None = declare(Ranges(), None)
    memo: str = declare(Text(max_len=200, required=False), "")

    checks = (_distinct, with_amount)


@dataclass(frozen=True, slots=True, kw_only=True)
class RetireUnits(Command):
    kind: ClassVar[str] = "retire_units"
    asset: str = declare(AssetCode())
    account: str = declare(Ref(prefix="A"))
    quantity: int = declare(Amount())
    purpose: RetirementPurpose = declare(Choice(kind=RetirementPurpose))
    beneficiary: str = declare(Text(max_len=200))
    reason: str = declare(Text(required=False))
    reference: str = declare(Text(max_len=120, required=False,
                                  description="e.g. a court case number"))
    ranges: tuple[SerialRange, ...] | None = declare(Ranges(), None)
    retirement_account: str | None = declare(Ref(prefix="A", required=False, nullable=True),
                                             None)

    checks = (with_amount,)


@dataclass(frozen=True, slots=True, kw_only=True)
class CancelUnits(Command):
    """Cancel units, e.g. when they move to CCER or another registry: never counted twice."""

    kind: ClassVar[str] = "cancel_units"
    asset: str = declare(AssetCode())
    account: str = declare(Ref(prefix="A"))
    quantity: int = declare(Amount())
    reason: str = declare(Text())
    destination: str = declare(Text(max_len=120, required=False,
                                    description="e.g. CCER, when units move there"))
    reference: str = declare(Text(max_len=120, required=False))
    ranges: tuple[SerialRange, ...] | None = declare(Ranges(), None)

    checks = (with_amount,)


@dataclass(frozen=True, slots=True, kw_only=True)
class PlaceHold(Command):
    kind: ClassVar[str] = "place_hold"
    hold_kind: HoldKind = declare(Choice(kind=HoldKind))
    asset: str = declare(AssetCode())
    account: str = declare(Ref(prefix="A"))
    quantity: int = declare(Amount())
    controller: str | None = declare(Ref(
        prefix="P", required=False, nullable=True,
        description="a pledge's bank, a judicial freeze's court (by default the court placing "
                    "it), an escrow's beneficiary party"))
    reference: str = declare(Text(max_len=120, required=False))
    ranges: tuple[SerialRange, ...] | None = declare(Ranges(), None)
    # hold only units of these vintages (inclusive), and of issuances in these categories
    vintages: tuple[int, int] | None = declare(Custom(
        parser=vintages_of, like=VINTAGES_SHAPE, to_json=list, required=False, nullable=True,
        from_client=False), None)
    # (categories and destination are absent from entries journaled before they existed)
    categories: tuple[str, ...] | None = declare(Custom(
        parser=categories_of, like=CATEGORIES_SHAPE, to_json=list, required=False, nullable=True,
        omit_none=True, from_client=False), None)
    # the account an enforcement may go to besides the controller's own (e.g. the account a
    # court's judgment names, or the buyer a loan agreement names)
    destination: str | None = declare(Ref(
        prefix="A", required=False, nullable=True, omit_none=True,
        description="the account it may be enforced into besides the controller's own (e.g. "
                    "the account a judgment names)"), None)

    checks = (with_amount,)


@dataclass(frozen=True, slots=True)
class ReleaseHold(Command):
    kind: ClassVar[str] = "release_hold"
    hold: str = declare(Ref(prefix="H"))
    reason: str = declare(Text(required=False))


@dataclass(frozen=True, slots=True)
class EnforceHold(Command):
    """Move held units or funds to ``destination``. A smaller ``quantity`` releases the rest,
    or, with ``keep_rest`` (a partly filled order), leaves it held under the same hold."""

    kind: ClassVar[str] = "enforce_hold"
    hold: str = declare(Ref(prefix="H"))
    destination: str = declare(Ref(prefix="A"))
    quantity: int | None = declare(Quantity(required=False, nullable=True))
    reason: str = declare(Text(required=False))
    keep_rest: bool = declare(Flag(required=False, from_client=False), False)


COMMANDS: dict[str, type[Command]] = {
    c.kind: c
    for c in (CreateAssetClass, RegisterParty, OpenAccount, SetAccountStatus, IssueUnits,
              Transfer, RetireUnits, CancelUnits, PlaceHold, ReleaseHold, EnforceHold)
}


def command_from_payload(kind: object, payload: object,
                         catalog: Mapping[str, type[Command]] = COMMANDS) -> Command:
    """Parse one command of any kind in ``catalog`` from untrusted JSON."""
    if not isinstance(kind, str) or kind not in catalog:
        raise InvalidInput("unknown command kind", field="kind", allowed=sorted(catalog),
                           value=str(kind)[:64])
    if not isinstance(payload, Mapping):
        raise InvalidInput("payload must be an object", field="payload")
    return catalog[kind].from_payload(payload)
