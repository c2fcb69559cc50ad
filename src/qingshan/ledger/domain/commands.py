"""Commands: what a principal asks the ledger to do. Imperative names, frozen, JSON round-trip.

``from_payload`` is the single place where untrusted input becomes a command: it checks types,
lengths, id formats and quantities with the parsers of :mod:`qingshan.ledger.domain.parsing`
(one text policy, canonical dates), and raises :class:`~qingshan.errors.InvalidInput`
subclasses.
``to_payload`` gives the canonical form that is journaled, hashed and replayed.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from qingshan.errors import InvalidInput, SerialOverlap
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
from qingshan.ledger.domain.parsing import as_date, asset_code, date, enum, text

MAX_RANGES = 1000


def _ranges(data: Mapping[str, Any]) -> tuple[SerialRange, ...] | None:
    raw = data.get("ranges")
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


def _amount(data: Mapping[str, Any], ranges: tuple[SerialRange, ...] | None) -> int:
    """Quantity, or the total of the ranges; when both are given they must agree."""
    qty = data.get("quantity")
    if ranges is None:
        return check_quantity(qty)
    total = sum(r.quantity for r in ranges)
    if qty is not None and check_quantity(qty) != total:
        raise InvalidInput("quantity does not equal the total of the ranges", field="quantity",
                           quantity=qty, ranges_total=total)
    return total


def _ranges_payload(ranges: tuple[SerialRange, ...] | None) -> list[list[int]] | None:
    return None if ranges is None else [r.to_payload() for r in ranges]


class Command:
    """Base of every command. ``kind`` names it in the journal and in batch requests."""

    kind: ClassVar[str]

    def to_payload(self) -> dict[str, Any]:
        raise NotImplementedError

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> Command:
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class CreateAssetClass(Command):
    kind: ClassVar[str] = "create_asset_class"
    code: str
    asset_kind: AssetKind
    unit: str
    name: str
    registry: str

    def to_payload(self) -> dict[str, Any]:
        return {"code": self.code, "asset_kind": self.asset_kind.value, "unit": self.unit,
                "name": self.name, "registry": self.registry}

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> CreateAssetClass:
        registry = text(data, "registry", max_len=8)
        if not ASSET_CODE_RE.fullmatch(registry):
            raise InvalidInput("registry must be 2-10 capital letters or digits", field="registry")
        return cls(code=asset_code(data, "code"), asset_kind=enum(data, "asset_kind", AssetKind),
                   unit=text(data, "unit", max_len=16), name=text(data, "name", max_len=120),
                   registry=registry)


@dataclass(frozen=True, slots=True)
class RegisterParty(Command):
    kind: ClassVar[str] = "register_party"
    party_kind: PartyKind
    name: str
    identifier: str | None

    def to_payload(self) -> dict[str, Any]:
        return {"party_kind": self.party_kind.value, "name": self.name,
                "identifier": self.identifier}

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> RegisterParty:
        kind = enum(data, "party_kind", PartyKind)
        name = text(data, "name", max_len=200)
        ident: str | None = text(data, "identifier", required=False, max_len=32) or None
        if kind is PartyKind.ENTERPRISE:
            if ident is None:
                raise InvalidInput("an enterprise needs its unified social credit code",
                                   field="identifier")
            ident = validate_uscc(ident)
        elif kind is PartyKind.DISTRICT:
            if ident is None:
                raise InvalidInput("a district needs its administrative division code",
                                   field="identifier")
            ident = validate_admin_code(ident)
        return cls(party_kind=kind, name=name, identifier=ident)


@dataclass(frozen=True, slots=True)
class OpenAccount(Command):
    kind: ClassVar[str] = "open_account"
    party: str
    account_type: AccountType
    label: str

    def to_payload(self) -> dict[str, Any]:
        return {"party": self.party, "account_type": self.account_type.value, "label": self.label}

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> OpenAccount:
        return cls(party=check_id("P", data.get("party"), "party"),
                   account_type=enum(data, "account_type", AccountType),
                   label=text(data, "label", required=False, max_len=120))


@dataclass(frozen=True, slots=True)
class SetAccountStatus(Command):
    """Freeze, unfreeze or close an account. Closing needs the account to be empty."""

    kind: ClassVar[str] = "set_account_status"
    account: str
    status: AccountStatus
    reason: str

    def to_payload(self) -> dict[str, Any]:
        return {"account": self.account, "status": self.status.value, "reason": self.reason}

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> SetAccountStatus:
        return cls(account=check_id("A", data.get("account"), "account"),
                   status=enum(data, "status", AccountStatus), reason=text(data, "reason"))


@dataclass(frozen=True, slots=True)
class IssueUnits(Command):
    """Issue one contiguous serial range of a serialized asset, split over one or more accounts
    (e.g. the proponent's holding account and the buffer pool)."""

    kind: ClassVar[str] = "issue_units"
    asset: str
    project: str
    vintage: int
    monitoring_start: str
    monitoring_end: str
    reference: str
    allocations: tuple[tuple[str, int], ...]
    category: str | None = None  # the methodology's sector (forestry, energy, …)

    @property
    def quantity(self) -> int:
        return sum(q for _, q in self.allocations)

    def to_payload(self) -> dict[str, Any]:
        out: dict[str, Any] = {
               "asset": self.asset, "project": self.project, "vintage": self.vintage,
               "monitoring_start": self.monitoring_start,
               "monitoring_end": self.monitoring_end, "reference": self.reference,
               "allocations": [[a, q] for a, q in self.allocations]}
        if self.category is not None:  # (absent from entries journaled before it existed)
            out["category"] = self.category
        return out

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> IssueUnits:
        project = data.get("project")
        if not isinstance(project, str) or not PROJECT_CODE_RE.fullmatch(project):
            raise InvalidInput("project must be 2-16 capital letters or digits", field="project")
        vintage = data.get("vintage")
        if type(vintage) is not int or not 1990 <= vintage <= 2100:
            raise InvalidInput("vintage must be a year from 1990 to 2100", field="vintage")
        start, end = date(data, "monitoring_start"), date(data, "monitoring_end")
        if as_date(end) < as_date(start):
            raise InvalidInput("the monitoring period ends before it starts",
                               field="monitoring_end")
        raw = data.get("allocations")
        if not isinstance(raw, list | tuple) or not 1 <= len(raw) <= 16:
            raise InvalidInput("allocations must list 1 to 16 [account, quantity] pairs",
                               field="allocations")
        allocations: list[tuple[str, int]] = []
        for item in raw:
            if not isinstance(item, list | tuple) or len(item) != 2:
                raise InvalidInput("each allocation is an [account, quantity] pair",
                                   field="allocations")
            allocations.append((check_id("A", item[0], "account"), check_quantity(item[1])))
        cmd = cls(asset=asset_code(data), project=project, vintage=vintage, monitoring_start=start,
                  monitoring_end=end, reference=text(data, "reference", required=False),
                  allocations=tuple(allocations), category=_category(data))
        check_quantity(cmd.quantity, "total quantity")
        return cmd


@dataclass(frozen=True, slots=True)
class Transfer(Command):
    """Move units (oldest vintage first, or the named serial ranges) or a fungible amount."""

    kind: ClassVar[str] = "transfer"
    asset: str
    source: str
    destination: str
    quantity: int
    ranges: tuple[SerialRange, ...] | None = None
    memo: str = ""

    def to_payload(self) -> dict[str, Any]:
        return {"asset": self.asset, "source": self.source, "destination": self.destination,
                "quantity": self.quantity, "ranges": _ranges_payload(self.ranges),
                "memo": self.memo}

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> Transfer:
        ranges = _ranges(data)
        source = check_id("A", data.get("source"), "source")
        destination = check_id("A", data.get("destination"), "destination")
        if source == destination:
            raise InvalidInput("source and destination are the same account",
                               field="destination")
        return cls(asset=asset_code(data), source=source, destination=destination,
                   quantity=_amount(data, ranges), ranges=ranges,
                   memo=text(data, "memo", required=False, max_len=200))


@dataclass(frozen=True, slots=True)
class RetireUnits(Command):
    kind: ClassVar[str] = "retire_units"
    asset: str
    account: str
    quantity: int
    purpose: RetirementPurpose
    beneficiary: str
    reason: str
    reference: str
    ranges: tuple[SerialRange, ...] | None = None
    retirement_account: str | None = None

    def to_payload(self) -> dict[str, Any]:
        return {"asset": self.asset, "account": self.account, "quantity": self.quantity,
                "purpose": self.purpose.value, "beneficiary": self.beneficiary,
                "reason": self.reason, "reference": self.reference,
                "ranges": _ranges_payload(self.ranges),
                "retirement_account": self.retirement_account}

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> RetireUnits:
        ranges = _ranges(data)
        ret = data.get("retirement_account")
        return cls(asset=asset_code(data), account=check_id("A", data.get("account"), "account"),
                   quantity=_amount(data, ranges), purpose=enum(data, "purpose",
                                                                 RetirementPurpose),
                   beneficiary=text(data, "beneficiary", max_len=200),
                   reason=text(data, "reason", required=False),
                   reference=text(data, "reference", required=False, max_len=120),
                   ranges=ranges,
                   retirement_account=None if ret is None else check_id("A", ret,
                                                                       "retirement_account"))


@dataclass(frozen=True, slots=True)
class CancelUnits(Command):
    """Cancel units, e.g. when they move to CCER or another registry: never counted twice."""

    kind: ClassVar[str] = "cancel_units"
    asset: str
    account: str
    quantity: int
    reason: str
    destination: str
    reference: str
    ranges: tuple[SerialRange, ...] | None = None

    def to_payload(self) -> dict[str, Any]:
        return {"asset": self.asset, "account": self.account, "quantity": self.quantity,
                "reason": self.reason, "destination": self.destination,
                "reference": self.reference, "ranges": _ranges_payload(self.ranges)}

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> CancelUnits:
        ranges = _ranges(data)
        return cls(asset=asset_code(data), account=check_id("A", data.get("account"), "account"),
                   quantity=_amount(data, ranges), reason=text(data, "reason"),
                   destination=text(data, "destination", required=False, max_len=120),
                   reference=text(data, "reference", required=False, max_len=120),
                   ranges=ranges)


@dataclass(frozen=True, slots=True)
class PlaceHold(Command):
    kind: ClassVar[str] = "place_hold"
    hold_kind: HoldKind
    asset: str
    account: str
    quantity: int
    controller: str | None
    reference: str
    ranges: tuple[SerialRange, ...] | None = None
    vintages: tuple[int, int] | None = None  # hold only units of these vintages (inclusive)
    categories: tuple[str, ...] | None = None  # … and of issuances in these categories
    # the account an enforcement may go to besides the controller's own (e.g. the account a
    # court's judgment names, or the buyer a loan agreement names)
    destination: str | None = None

    def to_payload(self) -> dict[str, Any]:
        out: dict[str, Any] = {
               "hold_kind": self.hold_kind.value, "asset": self.asset, "account": self.account,
               "quantity": self.quantity, "controller": self.controller,
               "reference": self.reference, "ranges": _ranges_payload(self.ranges),
               "vintages": None if self.vintages is None else list(self.vintages)}
        # (both absent from entries journaled before they existed, which replay as before)
        if self.categories is not None:
            out["categories"] = list(self.categories)
        if self.destination is not None:
            out["destination"] = self.destination
        return out

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> PlaceHold:
        ranges = _ranges(data)
        controller = data.get("controller")
        destination = data.get("destination")
        return cls(hold_kind=enum(data, "hold_kind", HoldKind), asset=asset_code(data),
                   account=check_id("A", data.get("account"), "account"),
                   quantity=_amount(data, ranges),
                   controller=None if controller is None else check_id("P", controller,
                                                                       "controller"),
                   reference=text(data, "reference", required=False, max_len=120),
                   ranges=ranges, vintages=_vintages(data), categories=categories_of(data),
                   destination=None if destination is None else check_id("A", destination,
                                                                         "destination"))


CATEGORY_RE = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")


def _category(data: Mapping[str, Any]) -> str | None:
    raw = data.get("category")
    if raw is None:
        return None
    if not isinstance(raw, str) or not CATEGORY_RE.fullmatch(raw):
        raise InvalidInput("category is a lower-case word of up to 32 letters, digits, _ or -",
                           field="category")
    return raw


def categories_of(data: Mapping[str, Any]) -> tuple[str, ...] | None:
    """An optional list of categories, kept sorted and without repeats."""
    raw = data.get("categories")
    if raw is None:
        return None
    if not isinstance(raw, list | tuple) or not 1 <= len(raw) <= 16 or not all(
            isinstance(c, str) and CATEGORY_RE.fullmatch(c) for c in raw):
        raise InvalidInput("categories is a list of 1 to 16 lower-case words",
                           field="categories")
    return tuple(sorted(set(raw)))


def _vintages(data: Mapping[str, Any]) -> tuple[int, int] | None:
    raw = data.get("vintages")
    if raw is None:
        return None
    if not isinstance(raw, list | tuple) or len(raw) != 2 or \
            any(type(v) is not int or not 1990 <= v <= 2100 for v in raw) or raw[0] > raw[1]:
        raise InvalidInput("vintages is a [from, to] pair of years", field="vintages")
    return (raw[0], raw[1])


@dataclass(frozen=True, slots=True)
class ReleaseHold(Command):
    kind: ClassVar[str] = "release_hold"
    hold: str
    reason: str

    def to_payload(self) -> dict[str, Any]:
        return {"hold": self.hold, "reason": self.reason}

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> ReleaseHold:
        return cls(hold=check_id("H", data.get("hold"), "hold"),
                   reason=text(data, "reason", required=False))


@dataclass(frozen=True, slots=True)
class EnforceHold(Command):
    """Move held units or funds to ``destination``. A smaller ``quantity`` releases the rest,
    or, with ``keep_rest`` (a partly filled order), leaves it held under the same hold."""

    kind: ClassVar[str] = "enforce_hold"
    hold: str
    destination: str
    quantity: int | None
    reason: str
    keep_rest: bool = False

    def to_payload(self) -> dict[str, Any]:
        return {"hold": self.hold, "destination": self.destination, "quantity": self.quantity,
                "reason": self.reason, "keep_rest": self.keep_rest}

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> EnforceHold:
        qty = data.get("quantity")
        return cls(hold=check_id("H", data.get("hold"), "hold"),
                   destination=check_id("A", data.get("destination"), "destination"),
                   quantity=None if qty is None else check_quantity(qty),
                   reason=text(data, "reason", required=False),
                   keep_rest=data.get("keep_rest") is True)


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
