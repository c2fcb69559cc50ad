"""Carbon-inclusive accounts as a Hypothesis state machine on the pure ledger: the sub-ledger
closes days with random postings, the operator settles them (some out of order), lists
rewards and pools settled days, verifiers decide pools, people redeem and donate (some more
than they have, some for someone else). After every step the inclusive and ledger conservation
laws hold, no person's balance is negative, a refused step changed nothing and each settled
gram was pooled at most once.

Also a property of the day's close: crediting a day's events does not depend on the order
the batches delivered them in, never credits more than an event avoided, and its postings add
up to its events' credited grams."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import polars as pl
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from qingshan.errors import QingshanError
from qingshan.inclusive.commands import (
    AddReward,
    DecidePool,
    DonatePoints,
    PoolReductions,
    RedeemPoints,
    SettleDay,
)
from qingshan.inclusive.model import GRAMS_PER_TONNE, PoolStatus, iso_day
from qingshan.inclusive.rules import YTD_SCHEMA, check, credit_day, normalise
from qingshan.inclusive.state import person_party
from qingshan.ledger.domain.commands import Command
from qingshan.ledger.domain.model import SYSTEM, Principal, Role
from tests.support.book import ALICE
from tests.support.inclusive import METRO, NOW, make_platform, people, trip
from tests.support.inclusive_reference import reference_check, reference_credit_day
from tests.support.search import search
from tests.unit.test_inclusive import PARTNER, seen_none

FIRST = dt.date(2026, 1, 1).toordinal() - dt.date(1970, 1, 1).toordinal()
VERIFIER = Principal("k-v", Role.VERIFIER, None)
PEOPLE = (1, 2, 3, 4)


def person_key(n: int) -> Principal:
    return Principal(f"k-{n}", Role.PERSON, person_party(n))


class InclusiveMachine(RuleBasedStateMachine):
    @initialize()
    def setup(self) -> None:
        self.p = make_platform()
        self.closed = FIRST - 1

    def state(self) -> object:
        ledger = self.p.router.ledger
        return copy.deepcopy((self.p.book.snapshot(), dict(self.p.book.spent),
                              ledger.balances, ledger.blocks))

    def attempt(self, cmd: Command, actor: Principal = SYSTEM) -> bool:
        before = self.state()
        try:
            self.p.run(cmd, actor)
        except QingshanError:
            assert self.state() == before, f"a refused {cmd.kind} changed something"
            return False
        return True

    @precondition(lambda self: self.closed < FIRST + 300)
    @rule(grams=st.lists(st.integers(0, 900_000), min_size=0, max_size=4))
    def close(self, grams: list[int]) -> None:
        self.closed += 1
        self.p.sub.close(self.closed, dict(zip(PEOPLE, grams, strict=False)))

    @rule(ahead=st.integers(0, 2))
    def settle(self, ahead: int) -> None:
        last = self.p.book.last_settled()
        day = (FIRST if last is None else last + 1) + ahead
        ok = self.attempt(SettleDay(iso_day(day)))
        # the first day settled may be any closed day; then each next one in turn
        assert not ok or ((ahead == 0 or last is None) and day <= self.closed)

    @rule(price=st.integers(1, 500_000), stock=st.integers(1, 3))
    def add_reward(self, price: int, stock: int) -> None:
        self.attempt(AddReward(name="券", price=price, stock=stock, sponsor=METRO))

    @precondition(lambda self: self.p.book.rewards)
    @rule(data=st.data(), quantity=st.integers(1, 3), other=st.booleans())
    def redeem(self, data: st.DataObject, quantity: int, other: bool) -> None:
        person = data.draw(st.sampled_from(PEOPLE))
        reward = data.draw(st.sampled_from(sorted(self.p.book.rewards)))
        actor = person_key(person + 1 if other else person)
        ok = self.attempt(RedeemPoints(person=person, reward=reward, quantity=quantity), actor)
        assert not (ok and other), "someone spent another person's points"

    @rule(data=st.data(), grams=st.integers(1, 2_000_000))
    def donate(self, data: st.DataObject, grams: int) -> None:
        person = data.draw(st.sampled_from(PEOPLE))
        before = self.p.book.balance(person)
        ok = self.attempt(DonatePoints(person=person, grams=grams, note=""),
                          person_key(person))
        assert ok == (grams <= before and self.p.sub.person_known(person))

    @precondition(lambda self: self.p.book.days)
    @rule(data=st.data())
    def pool(self, data: st.DataObject) -> None:
        days = sorted(self.p.book.days)
        a = data.draw(st.sampled_from(days))
        b = data.draw(st.sampled_from([d for d in days if d >= a]))
        self.attempt(PoolReductions(project="CQ0007", first_day=iso_day(a),
                                    last_day=iso_day(b)))

    @precondition(lambda self: any(p.status is PoolStatus.PROPOSED
                                   for p in self.p.book.pools.values()))
    @rule(approve=st.booleans())
    def decide(self, approve: bool) -> None:
        (pid,) = [k for k, p in self.p.book.pools.items() if p.status is PoolStatus.PROPOSED]
        assert self.attempt(DecidePool(pool=pid, approve=approve), VERIFIER)

    @invariant()
    def conserved(self) -> None:
        assert self.p.problems() == []
        assert all(self.p.book.balance(n) >= 0 for n in PEOPLE)
        issued = [p for p in self.p.book.pools.values() if p.status is PoolStatus.ISSUED]
        pooled = sum(p.grams for p in issued)
        credits = self.p.router.ledger.active_quantity(ALICE, "CQCER")
        carry = max(issued, key=lambda p: p.id).carried_out if issued else 0
        assert credits * GRAMS_PER_TONNE + carry == pooled


InclusiveMachine.TestCase.settings = search(1)
test_inclusive_machine = InclusiveMachine.TestCase


DAY = dt.date(2026, 11, 27)
events_strategy = st.lists(
    st.tuples(st.integers(1, 3), st.sampled_from(["metro", "bus", "shared_bike"]),
              st.integers(6, 22), st.integers(500, 20_000), st.integers(5, 60)),
    min_size=1, max_size=25)


@given(rows=events_strategy, order=st.randoms(use_true_random=False))
@search(1)
def test_crediting_a_day_does_not_depend_on_the_order_events_arrived_in(
        rows: list[tuple[int, str, int, int, int]], order: object) -> None:
    events = [trip(f"e{i}", p, DAY, h, m, mins, scenario=s)
              for i, (p, s, h, m, mins) in enumerate(rows)]
    partner = PARTNER.__class__(id=METRO, name="m", scenarios=("bus", "metro", "shared_bike"),
                                slot=0, seq=1)

    def credit(batch: list[dict[str, object]]) -> tuple[object, ...]:
        ev, _ = normalise(pl.DataFrame(batch, infer_schema_length=None), METRO)
        acc = check(ev, partner=partner, people=people(1, 2, 3), now_ms=NOW, open_from=0,
                    seen=seen_none).accepted
        c = credit_day(acc, pl.DataFrame(schema=YTD_SCHEMA))
        assert (c.events["credited"] <= c.events["grams"]).all()
        assert int(c.postings["grams"].sum() or 0) == int(c.events["credited"].sum() or 0)
        return (c.postings.rows(), sorted(c.events.select("event_id", "credited").rows()))

    shuffled = list(events)
    order.shuffle(shuffled)  # type: ignore[attr-defined]
    assert credit(events) == credit(shuffled)


SOME = ["metro", "bus", "shared_bike", "walking", "e_invoice", "household_electricity",
        "teleport"]
WIDE = PARTNER.__class__(id=METRO, name="m", scenarios=tuple(s for s in SOME if s != "teleport"
                                                             and s != "e_invoice"),
                         slot=0, seq=1)
raw_events = st.lists(st.fixed_dictionaries({
    "event_id": st.sampled_from([f"e{i}" for i in range(30)] + [" ", "é"]),
    "person": st.integers(0, 5),
    "scenario": st.sampled_from(SOME),
    "hour": st.integers(0, 23), "minute": st.sampled_from([0, 0, 15, 30]),
    "minutes": st.integers(-1, 90), "quantity": st.integers(-5, 40_000),
    "baseline": st.one_of(st.none(), st.integers(0, 30_000)),
    "device": st.sampled_from([None, "d1", "d2"]),
    "days_ago": st.sampled_from([0, 3, 3, 3, 9, -2]),
}), min_size=1, max_size=40)


def _rows(drawn: list[dict[str, object]]) -> list[dict[str, object]]:
    out = []
    for r in drawn:
        day = dt.date(2026, 11, 30) - dt.timedelta(days=int(r["days_ago"]))  # type: ignore[call-overload]
        row = trip(str(r["event_id"]), int(r["person"]), day, int(r["hour"]),  # type: ignore[call-overload]
                   int(r["quantity"]), max(0, int(r["minutes"])),  # type: ignore[call-overload]
                   scenario=str(r["scenario"]), device=r["device"])
        if int(r["minutes"]) < 0:  # type: ignore[call-overload]
            row.pop("end")
        if r["baseline"] is not None:
            row["baseline"] = r["baseline"]
        out.append(row)
    return out


@given(drawn=raw_events)
@search(2)
def test_the_columnar_rules_refuse_and_credit_as_the_plain_ones(
        drawn: list[dict[str, object]]) -> None:
    """The NumPy rules give exactly what the first, whole-frame Polars rules gave: the same
    accepted events, refusals with their codes and reasons, duplicates, credits, postings and
    year-to-date totals."""
    ev, _ = normalise(pl.DataFrame(_rows(drawn), infer_schema_length=None), METRO)
    crowd = people(1, 2, 3, 4)
    args: dict[str, Any] = {"partner": WIDE, "people": crowd, "now_ms": NOW, "open_from": 0,
                            "seen": pl.Series("event_id", ["e29"], dtype=pl.String)}
    fast, plain = check(ev, **args), reference_check(ev, **args)
    key = ["event_id"]
    assert fast.accepted.sort(key).equals(plain.accepted.select(fast.accepted.columns)
                                          .sort(key))
    assert fast.rejected.equals(plain.rejected)
    assert fast.duplicates == plain.duplicates
    ytd = pl.DataFrame({"person": [1, 2], "scenario": ["walking", "household_electricity"],
                        "grams": [100, 499_000]}, schema=YTD_SCHEMA)
    a, b = credit_day(fast.accepted, ytd), reference_credit_day(fast.accepted, ytd)
    assert a.postings.equals(b.postings)
    assert a.ytd.equals(b.ytd)
    cols = ["partner", "event_id", "credited", "uncredited"]
    assert a.events.select(cols).sort(key).equals(b.events.select(cols).sort(key))
