"""Resource rights under random sequences of measurements, issuance, contracts (some under the
floor, some above the surplus, some signed by the wrong district), approvals, acceptance
checks that pass or fail, releases (some twice), successions (chains of them) and the passing
of years, on the pure ledger: after every step no indicator is counted toward two districts'
coverage (each unit lies in one account, whose district's line is one live district's; each
released tranche counts toward one buyer and one seller, both standing at that year), the
rights and ledger conservation laws hold, and a refused step changes nothing."""

from __future__ import annotations

from collections import Counter

from hypothesis import event
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from qingshan.errors import QingshanError
from qingshan.ledger.domain.commands import Command, OpenAccount, RegisterParty
from qingshan.ledger.domain.model import AccountType, PartyKind, Principal, Role
from qingshan.rights.commands import (
    AgreeContract,
    ApproveContract,
    IssueIndicators,
    RecordSuccession,
    RecordTrancheCheck,
    ReleaseTranche,
)
from qingshan.rights.compliance import transfers, years
from qingshan.rights.contracts import spare
from qingshan.rights.districts import issuable
from qingshan.rights.model import IndicatorKind, TrancheStatus
from tests.support.book import fund
from tests.support.rights import ACCOUNT, FLOOR, FORESTRY, KEY, a_contract, forest, make_platform
from tests.support.search import search

FOREST = IndicatorKind.FOREST_AREA
OPERATOR = Principal("k-op", Role.OPERATOR, None)


class RightsMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.p = make_platform()
        self.accounts = dict(ACCOUNT)
        self.keys = dict(KEY)
        for i, code in enumerate(("500101", "500102")):  # 万州, 涪陵: two more districts
            party = self.p.run(RegisterParty(PartyKind.DISTRICT, f"district {i}", code))["party"]
            acct = self.p.run(OpenAccount(party, AccountType.HOLDING, "指标"))["account"]
            self.p.run(fund(acct, 10**12))
            self.accounts[party] = acct
            self.keys[party] = Principal(f"k-{code}", Role.MEMBER, party)
        self.districts = sorted(self.accounts)
        self.contracts: list[str] = []

    def state(self) -> tuple[object, ...]:
        """Everything a step may change, copied: every record is immutable, so copying the
        tables (not the records) is a faithful snapshot."""
        ledger = self.p.router.ledger
        books = tuple(dict(t) if isinstance(t, dict) else t for t in self.p.rights.snapshot())
        return (books, dict(ledger.balances), dict(ledger.blocks), dict(ledger.holds))

    def attempt(self, cmd: Command, actor: Principal) -> bool:
        before = self.state()
        try:
            self.p.run(cmd, actor)
        except QingshanError as exc:
            assert self.state() == before, "a refused step changed something"
            event(f"{cmd.kind} refused: {exc.code}")
            return False
        event(f"{cmd.kind} done")
        return True

    def live(self) -> list[str]:
        return [d for d in self.districts if d not in self.p.rights.successions]

    def tranches(self, *statuses: TrancheStatus) -> list[tuple[str, int]]:
        return [(cid, n) for cid in self.contracts
                for n, t in enumerate(self.p.rights.contracts[cid].tranches, start=1)
                if t.status in statuses]

    @rule(data=st.data(), year=st.integers(2024, 2027), coverage=st.integers(4000, 8000),
          target_bps=st.sampled_from([4000, 5500, 6000]), anyone=st.integers(0, 9))
    def measure(self, data: st.DataObject, year: int, coverage: int, target_bps: int,
                anyone: int) -> None:
        """The authority measures a live district (now and then an abolished one)."""
        d = data.draw(st.sampled_from(self.districts if not anyone else self.live()))
        land = 1_000_000
        self.attempt(forest(d, year, land * coverage // 10_000, land, target_bps), FORESTRY)

    @precondition(lambda self: self.p.rights.measurements)
    @rule(data=st.data(), share=st.integers(1, 110))
    def issue(self, data: st.DataObject, share: int) -> None:
        """Issue a share of what the district may still be issued (over 100: too much)."""
        d, _, year = data.draw(st.sampled_from(sorted(self.p.rights.measurements)))
        room = issuable(self.p.rights, d, FOREST, year)
        quantity = max(1, room * share // 100)
        self.attempt(IssueIndicators(district=d, indicator=FOREST, year=year,
                                     quantity=quantity, account=self.accounts[d]), FORESTRY)

    @rule(data=st.data(), share=st.integers(1, 110), parts=st.integers(1, 3),
          flaw=st.integers(0, 11))
    def propose(self, data: st.DataObject, share: int, parts: int, flaw: int) -> None:
        """A contract for a share of what the seller has spare (over 100: more than its
        surplus); now and then under the floor or signed by the buyer for the seller. Mostly
        countersigned and approved at once."""
        seller, buyer = data.draw(st.permutations(self.districts).map(lambda x: x[:2]))
        sellers = [d for d in self.live() if d != buyer and
                   spare(self.p.rights, d, FOREST, self.accounts[d])]
        if sellers and data.draw(st.integers(0, 3)):
            seller = data.draw(st.sampled_from(sellers))
        room = spare(self.p.rights, seller, FOREST, self.accounts[seller])
        quantity = max(parts, room * share // 100)
        split = [quantity // parts] * (parts - 1)
        split.append(quantity - sum(split))
        cmd = a_contract(quantity=quantity, price=FLOOR - 1 if flaw == 0 else FLOOR,
                         seller=seller, buyer=buyer, tranches=tuple(split),
                         seller_account=self.accounts[seller])
        before = set(self.p.rights.contracts)
        if self.attempt(cmd, self.keys[buyer if flaw == 1 else seller]):
            (cid,) = set(self.p.rights.contracts) - before
            self.contracts.append(cid)
            if data.draw(st.integers(0, 3)):
                self.agree_and_approve_one(cid)

    def agree_and_approve_one(self, cid: str) -> None:
        c = self.p.rights.contracts[cid]
        self.attempt(AgreeContract(contract=cid, buyer_account=self.accounts[c.buyer]),
                     self.keys[c.buyer])
        self.attempt(ApproveContract(contract=cid), OPERATOR)

    @precondition(lambda self: self.contracts)
    @rule(data=st.data())
    def agree_and_approve(self, data: st.DataObject) -> None:
        self.agree_and_approve_one(data.draw(st.sampled_from(self.contracts)))

    @precondition(lambda self: self.tranches(TrancheStatus.ESCROWED))
    @rule(data=st.data(), passed=st.integers(0, 3), release=st.integers(0, 3))
    def check(self, data: st.DataObject, passed: int, release: int) -> None:
        """The authority checks a tranche in escrow (mostly passed); passed, it is mostly
        released at once."""
        cid, n = data.draw(st.sampled_from(self.tranches(TrancheStatus.ESCROWED)))
        assert self.attempt(RecordTrancheCheck(contract=cid, tranche=n, passed=bool(passed),
                                               report="验收"), FORESTRY)
        if passed and release:
            c = self.p.rights.contracts[cid]
            assert self.attempt(ReleaseTranche(contract=cid, tranche=n),
                                self.keys[c.buyer] if release > 1 else OPERATOR)

    @precondition(lambda self: self.tranches(TrancheStatus.ACCEPTED, TrancheStatus.RELEASED,
                                             TrancheStatus.WITHHELD))
    @rule(data=st.data())
    def release(self, data: st.DataObject) -> None:
        """Release an accepted tranche, or try a released or withheld one again."""
        cid, n = data.draw(st.sampled_from(self.tranches(
            TrancheStatus.ACCEPTED, TrancheStatus.RELEASED, TrancheStatus.WITHHELD)))
        was = self.p.rights.contracts[cid].tranches[n - 1].status
        ok = self.attempt(ReleaseTranche(contract=cid, tranche=n), OPERATOR)
        assert ok == (was is TrancheStatus.ACCEPTED), f"a {was.value} tranche released: {ok}"

    @precondition(lambda self: len(self.live()) > 3)
    @rule(data=st.data())
    def succeed(self, data: st.DataObject) -> None:
        """One district is abolished into another (a chain when the successor goes later)."""
        pred, succ = data.draw(st.permutations(self.live()).map(lambda x: x[:2]))
        assert self.attempt(RecordSuccession(predecessor=pred, successor=succ,
                                             effective="2026-06-01",
                                             account=self.accounts[succ], note="合并"),
                            OPERATOR)

    @rule(days=st.integers(1, 250))
    def time_passes(self, days: int) -> None:
        self.p.next_day(days)

    @invariant()
    def no_indicator_counts_toward_two_districts(self) -> None:
        r = self.p.rights
        assert self.p.problems() == []
        # each unit lies in one account; its district's line is that of one live district
        owner = {a: d for d in self.districts for a in [self.accounts[d]]}
        counted: Counter[str] = Counter()
        last = 0  # blocks in serial order: each starts after the one before ends
        for b in sorted((b for b in self.p.router.ledger.blocks.values() if b.asset == "FCI"),
                        key=lambda b: b.start):
            assert b.start > last, "a serial lies in two places"
            last = b.end
            heir = r.heir(owner[b.account])
            assert heir not in r.successions
            counted[heir] += b.end - b.start + 1
        assert sum(counted.values()) == sum(g.quantity for g in r.grants.values())
        # each released tranche counts toward one buyer and one seller standing that year
        for year in range(2024, 2029):
            bought, sold = transfers(r, FOREST, year)
            assert sum(bought.values()) == sum(sold.values())
            for d in (*bought, *sold):
                assert r.heir(d, year) == d, f"{d} counted in {year} after its succession"
        assert years(r, FOREST) == sorted({y for (_, _, y) in r.measurements})


RightsMachine.TestCase.settings = search(1)
test_rights_machine = RightsMachine.TestCase
