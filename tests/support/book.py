"""A small book for tests: an operator with its closing accounts, two members, assets."""

from __future__ import annotations

from dataclasses import dataclass

from qingshan.ledger.domain.commands import (
    Command,
    CreateAssetClass,
    IssueUnits,
    OpenAccount,
    RegisterParty,
    Transfer,
)
from qingshan.ledger.domain.model import (
    SYSTEM,
    AccountType,
    AssetKind,
    PartyKind,
    Principal,
    Role,
)
from qingshan.ledger.domain.state import Effects, LedgerState

SETUP: list[Command] = [
    CreateAssetClass("CQCER", AssetKind.SERIALIZED, "tCO2e", "CQCER", "QS"),
    CreateAssetClass("CNY", AssetKind.FUNGIBLE, "fen", "CNY", "QS"),
    RegisterParty(PartyKind.OPERATOR, "operator", None),  # P000001
    RegisterParty(PartyKind.INDIVIDUAL, "alice", None),  # P000002
    RegisterParty(PartyKind.INDIVIDUAL, "bob", None),  # P000003
    RegisterParty(PartyKind.COURT, "court", None),  # P000004
    OpenAccount("P000001", AccountType.RETIREMENT, "retirement"),  # A00000001
    OpenAccount("P000001", AccountType.CANCELLATION, "cancellation"),  # A00000002
    OpenAccount("P000001", AccountType.TREASURY, "treasury"),  # A00000003
    OpenAccount("P000002", AccountType.HOLDING, "alice"),  # A00000004
    OpenAccount("P000003", AccountType.HOLDING, "bob"),  # A00000005
    OpenAccount("P000002", AccountType.HOLDING, "alice 2"),  # A00000006
]

# the journal's clock in pure tests: Monday 1 June 2026, 10:00 in Beijing (a book outside a
# sequencer has no time of its own; issuing needs one, for the period must have ended)
NOW_MS = 1_780_279_200_000

RETIREMENT, CANCELLATION, TREASURY = "A00000001", "A00000002", "A00000003"
ALICE, BOB, ALICE2 = "A00000004", "A00000005", "A00000006"
ALICE_P, BOB_P, COURT_P = "P000002", "P000003", "P000004"
ALICE_KEY = Principal("k-alice", Role.MEMBER, ALICE_P)
BOB_KEY = Principal("k-bob", Role.MEMBER, BOB_P)
COURT_KEY = Principal("k-court", Role.COURT, COURT_P)
# a member key of the court's party: a court's clerk with no judicial power on the ledger
COURT_MEMBER = Principal("k-court-member", Role.MEMBER, COURT_P)


def issue(account: str, qty: int, vintage: int = 2023, project: str = "CQ0001") -> IssueUnits:
    return IssueUnits(asset="CQCER", project=project, vintage=vintage,
                      monitoring_start=f"{vintage}-01-01", monitoring_end=f"{vintage}-12-31",
                      reference="",
                      allocations=((account, qty),))


def fund(account: str, amount: int) -> Transfer:
    return Transfer("CNY", TREASURY, account, amount)


@dataclass
class Book:
    state: LedgerState

    def run(self, cmd: Command, actor: Principal = SYSTEM) -> Effects:
        effects = self.state.apply(cmd, actor)
        self.state.forget_undo()
        return effects


def make_book() -> Book:
    book = Book(LedgerState())
    book.state.clock = lambda: NOW_MS
    for cmd in SETUP:
        book.run(cmd)
    return book


def add_bank(book: Book, name: str = "bank") -> tuple[str, str, Principal, Principal]:
    """A bank party with a holding account; returns its party, its account, a key with the
    bank role and a member key of the same party."""
    party = book.run(RegisterParty(PartyKind.BANK, name, None)).result["party"]
    account = book.run(OpenAccount(party, AccountType.HOLDING, name)).result["account"]
    return (party, account, Principal(f"k-{name}", Role.BANK, party),
            Principal(f"k-{name}-member", Role.MEMBER, party))
