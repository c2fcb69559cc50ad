"""Random operation sequences through the sequencer on a real SQLite database, with restarts.

After each step the book obeys every conservation law; after a restart the book loaded from the
database equals the one in memory before; at the end ``log verify`` finds nothing wrong.
"""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from qingshan.contexts import make_books
from qingshan.errors import QingshanError
from qingshan.infra.config import Settings
from qingshan.ledger.domain.commands import (
    CancelUnits,
    Command,
    EnforceHold,
    PlaceHold,
    ReleaseHold,
    RetireUnits,
    Transfer,
)
from qingshan.ledger.domain.invariants import check_invariants
from qingshan.ledger.domain.model import SYSTEM, BlockState, HoldKind, RetirementPurpose
from qingshan.ledger.verify import verify_ledger
from qingshan.platform import Platform
from tests.support.book import ALICE, ALICE2, BOB, SETUP, fund, issue
from tests.support.databases import migrated_sqlite
from tests.support.search import search

HOLDERS = [ALICE, ALICE2, BOB]
holders = st.sampled_from(HOLDERS)
qty = st.integers(1, 40)


class DatabaseLedgerMachine(RuleBasedStateMachine):
    @initialize()
    def setup(self) -> None:
        self.tmp = tempfile.TemporaryDirectory()
        path = Path(self.tmp.name)
        self.settings = Settings(database_url=migrated_sqlite(path / "m.db"),
                                 signing_key_path=path / "key.pem")
        self.platform = Platform.open(self.settings)
        self.keys = itertools.count()
        self.retired: list[tuple[int, int]] = []
        self.run([*SETUP, issue(ALICE, 200), issue(BOB, 100, vintage=2021), fund(ALICE, 5000)])

    def run(self, commands: list[Command]) -> list[dict[str, object]] | None:
        try:
            receipts = self.platform.sequencer.execute(commands, SYSTEM, f"k{next(self.keys)}")
        except QingshanError:
            return None
        return [r.result for r in receipts]

    @rule(src=holders, dst=holders, n=qty, batch=st.integers(1, 3))
    def transfer(self, src: str, dst: str, n: int, batch: int) -> None:
        if src != dst:
            self.run([Transfer("CQCER", src, dst, n)] * batch)

    @rule(src=holders, dst=holders, n=st.integers(1, 3000))
    def pay(self, src: str, dst: str, n: int) -> None:
        if src != dst:
            self.run([Transfer("CNY", src, dst, n)])

    @rule(account=holders, n=qty)
    def retire(self, account: str, n: int) -> None:
        out = self.run([RetireUnits(asset="CQCER", account=account, quantity=n,
                                    purpose=RetirementPurpose.VOLUNTARY, beneficiary="x", reason="",
                                    reference="")])
        if out:
            self.retired += [(s, e) for s, e in out[0]["ranges"]]  # type: ignore[attr-defined]

    @rule(account=holders, n=qty)
    def cancel(self, account: str, n: int) -> None:
        self.run([CancelUnits(asset="CQCER", account=account, quantity=n, reason="moved",
                              destination="CCER", reference="")])

    @rule(account=holders, n=qty, asset=st.sampled_from(["CQCER", "CNY"]))
    def hold(self, account: str, n: int, asset: str) -> None:
        self.run([PlaceHold(hold_kind=HoldKind.ESCROW, asset=asset, account=account, quantity=n,
                            controller=None, reference="")])

    @rule(data=st.data(), dst=holders, enforce=st.booleans())
    def resolve(self, data: st.DataObject, dst: str, enforce: bool) -> None:
        holds = sorted(self.platform.sequencer.state.holds)
        if holds:
            h = data.draw(st.sampled_from(holds))
            cmd: Command = EnforceHold(h, dst, None, "") if enforce else ReleaseHold(h, "")
            self.run([cmd])

    @rule(account=holders, n=qty)
    def issue_more(self, account: str, n: int) -> None:
        self.run([issue(account, n)])

    @precondition(lambda self: hasattr(self, "platform"))
    @rule()
    def restart(self) -> None:
        before = self.platform.sequencer.state
        snapshot = (dict(before.blocks), dict(before.balances), dict(before.holds),
                    self.platform.sequencer.frontier.root())
        self.platform.close()
        self.platform = Platform.open(self.settings)
        after = self.platform.sequencer.state
        assert (dict(after.blocks), dict(after.balances), dict(after.holds),
                self.platform.sequencer.frontier.root()) == snapshot

    @invariant()
    def book_is_sound(self) -> None:
        if hasattr(self, "platform"):
            state = self.platform.sequencer.state
            assert check_invariants(state) == []
            for s, _ in self.retired:
                b = state.block_at("CQCER", s)
                assert b is not None and b.state is BlockState.RETIRED

    def teardown(self) -> None:
        if hasattr(self, "platform"):
            key = self.platform.sequencer.signing_key.public_key()
            self.platform.close()
            report = verify_ledger(self.settings.database_url, key, books=make_books)
            self.tmp.cleanup()
            assert report.problems == []


# (the deep search is the in-memory machine's, tests/unit/test_ledger_machine.py; this one
# checks what the database adds — storage, restarts, verify — and took up to 105 s of make test)
DatabaseLedgerMachine.TestCase.settings = search(0.2, steps=0.6)
test_database_ledger_machine = DatabaseLedgerMachine.TestCase
