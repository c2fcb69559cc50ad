"""Resource rights' state and the checks its concerns share: measurements, successions,
indicator grants, contracts, restorations and the development rights they earn; who may act
for a district. The concerns (``districts``, ``contracts``, ``restoration``) are functions of
this state; :class:`~qingshan.rights.book.RightsBook` composes them. Every change goes through
the methods here, so it is in the undo log and marked for writing."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from qingshan.errors import Forbidden
from qingshan.ledger.books import ContextBook
from qingshan.ledger.domain.model import PartyKind, Principal, Role
from qingshan.ledger.domain.policy import ADMIN_ROLES
from qingshan.rights.errors import (
    ContractState,
    DistrictSucceeded,
    NotADistrict,
    NotForDistrict,
    RestorationState,
    UnknownContract,
    UnknownRestoration,
)
from qingshan.rights.model import (
    Contract,
    ContractStatus,
    Income,
    IndicatorKind,
    Measurement,
    Restoration,
    RestorationStatus,
    RightTransfer,
    Succession,
)

TABLES = ("floors", "measurements", "successions", "grants", "contracts", "restorations",
          "transfers", "incomes")
AUTHORITY = frozenset({*ADMIN_ROLES, Role.FORESTRY})


@dataclass(frozen=True, slots=True, kw_only=True)
class Grant:
    """Indicators issued to a district for its verified surplus of a year."""

    id: str
    district: str
    kind: IndicatorKind
    year: int
    quantity: int
    account: str
    serial_start: int
    seq: int


class RightsState(ContextBook):
    def __init__(self) -> None:
        super().__init__(TABLES)
        self.floors: dict[IndicatorKind, int] = {}
        self.measurements: dict[tuple[str, IndicatorKind, int], Measurement] = {}
        self.successions: dict[str, Succession] = {}  # predecessor -> succession
        self.grants: dict[str, Grant] = {}
        self.contracts: dict[str, Contract] = {}
        self.restorations: dict[str, Restoration] = {}
        self.transfers: dict[str, RightTransfer] = {}
        self.incomes: dict[tuple[str, int], Income] = {}
        self.counters = {"grant": 0, "contract": 0, "restoration": 0, "transfer": 0}

    # ------------------------------------------------------------------ changes
    def put_contract(self, contract: Contract, seq: int, **changes: Any) -> Contract:
        new = replace(contract, updated_seq=seq, **changes)
        self.put("contracts", contract.id, new)
        return new

    def put_restoration(self, r: Restoration, seq: int, **changes: Any) -> Restoration:
        new = replace(r, updated_seq=seq, **changes)
        self.put("restorations", r.id, new)
        return new

    # ------------------------------------------------------------------ districts
    def heir(self, district: str, year: int | None = None) -> str:
        """Who stands for ``district`` now (or at the end of ``year``): itself, or the
        district that succeeded it (in a chain of successions, the last one)."""
        seen = {district}
        while (s := self.successions.get(district)) is not None and (
                year is None or int(s.effective[:4]) <= year):
            district = s.successor
            if district in seen:  # (a cycle cannot be recorded; stop all the same)
                break
            seen.add(district)
        return district

    def line(self, district: str) -> set[str]:
        """The district and every district it succeeded, directly or through others."""
        out = {district}
        grew = True
        while grew:
            grew = False
            for pred, s in self.successions.items():
                if s.successor in out and pred not in out:
                    out.add(pred)
                    grew = True
        return out

    def onward(self, account: str) -> str:
        """Where what reaches ``account`` goes: the account itself, or, if its party was
        abolished, the account its successor named (through a chain of successions)."""
        party = self.ledger.account(account).party_id
        seen = {party}
        while (s := self.successions.get(party)) is not None and s.successor not in seen:
            account, party = s.account, s.successor
            seen.add(party)
        return account

    def check_district(self, party: str, field: str = "district") -> None:
        if self.ledger.party(party).kind is not PartyKind.DISTRICT:
            raise NotADistrict("the party is not a district or county government",
                               party=party, field=field)

    def check_live(self, district: str, field: str = "district") -> None:
        s = self.successions.get(district)
        if s is not None:
            raise DistrictSucceeded(f"the district was succeeded on {s.effective}: its "
                                    "successor acts", district=district,
                                    successor=s.successor, field=field)

    @staticmethod
    def check_acts_for(actor: Principal, district: str) -> None:
        """A district's own principals and the operator act for a district."""
        if actor.role in ADMIN_ROLES or (actor.role is Role.MEMBER and
                                         actor.party_id == district):
            return
        raise NotForDistrict("only the district itself, or the operator, acts for it",
                             district=district, role=actor.role.value)

    @staticmethod
    def check_authority(actor: Principal) -> None:
        """The forestry authority and the operator verify, check and accept."""
        if actor.role not in AUTHORITY:
            raise Forbidden("only the forestry authority or the operator does this",
                            role=actor.role.value)

    def check_account_of(self, account: str, party: str, field: str) -> None:
        """The account is open and belongs to ``party`` (or a district it succeeded)."""
        acc = self.ledger.check_receiving(account)
        if acc.party_id not in self.line(party):
            raise Forbidden("the account belongs to another party", account=account,
                            field=field)

    # ------------------------------------------------------------------ look-ups
    def contract(self, cid: str) -> Contract:
        c = self.contracts.get(cid)
        if c is None:
            raise UnknownContract("no such contract", contract=cid)
        return c

    def restoration(self, rid: str) -> Restoration:
        r = self.restorations.get(rid)
        if r is None:
            raise UnknownRestoration("no such restoration project", restoration=rid)
        return r

    def latest(self, district: str, kind: IndicatorKind) -> Measurement | None:
        years = [m for (d, k, _), m in self.measurements.items() if d == district and k == kind]
        return max(years, key=lambda m: m.year) if years else None

    def issued(self, district: str, kind: IndicatorKind) -> int:
        """Indicators ever issued for the district's line (it and its predecessors)."""
        line = self.line(district)
        return sum(g.quantity for g in self.grants.values()
                   if g.kind is kind and g.district in line)

    def committed(self, district: str, kind: IndicatorKind) -> int:
        """Indicators the district's line released to buyers or holds in escrow for them."""
        line = self.line(district)
        return sum(c.released() + c.escrowed() for c in self.contracts.values()
                   if c.kind is kind and c.seller in line)

    @staticmethod
    def check_contract_status(c: Contract, *allowed: ContractStatus) -> None:
        if c.status not in allowed:
            raise ContractState(f"the contract is {c.status.value}", contract=c.id,
                                status=c.status.value, allowed=[s.value for s in allowed])

    @staticmethod
    def check_restoration_status(r: Restoration, *allowed: RestorationStatus) -> None:
        if r.status not in allowed:
            raise RestorationState(f"the restoration is {r.status.value}", restoration=r.id,
                                   status=r.status.value, allowed=[s.value for s in allowed])
