"""Carbon-inclusive accounts without a database: the sub-ledger's rules over columns of events
(every refusal has its code and reason, a resent event counts once, trips cannot overlap, caps
cut what is credited in a fixed order, a day's root is RFC 6962's), and the book's settlement
and spends on the pure ledger (in order, only what was settled, only by the person)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from qingshan.errors import Forbidden
from qingshan.inclusive.commands import (
    DecidePool,
    DonatePoints,
    PoolReductions,
    RedeemPoints,
    SetConsent,
    SettleDay,
)
from qingshan.inclusive.errors import (
    DayNotClosed,
    DayNotPoolable,
    DayOutOfOrder,
    InsufficientPoints,
    NotPooledProject,
    UnknownPartner,
    UnknownPerson,
    WrongPoolState,
)
from qingshan.inclusive.ingest import read_batch
from qingshan.inclusive.model import Partner, RejectCode, Uncredited
from qingshan.inclusive.rules import (
    YTD_SCHEMA,
    _iso_ms,
    check,
    credit_day,
    normalise,
    posting_leaf,
    postings_root,
    with_grams,
)
from qingshan.inclusive.state import person_party
from qingshan.ledger import transparency as tlog
from qingshan.ledger.domain.commands import RetireUnits, Transfer
from qingshan.ledger.domain.model import SYSTEM, Principal, RetirementPurpose, Role
from qingshan.science.inclusive import SCENARIOS
from tests.support.book import ALICE, ALICE_KEY, BOB, BOB_KEY
from tests.support.inclusive import (
    INCLUSIVE_EXAMPLES,
    METRO,
    NOW,
    PEOPLE,
    Platform,
    day_number,
    make_platform,
    people,
    trip,
)
from tests.support.search import search

DAY = dt.date(2026, 11, 27)
PARTNER = Partner(id=METRO, name="metro", scenarios=("bus", "metro"), slot=0, seq=1)
seen_none = pl.Series("event_id", [], dtype=pl.String)


def checked(rows: list[dict[str, object]], *, open_from: int = 0,
            seen: pl.Series = seen_none, consent: int = 1):  # type: ignore[no-untyped-def]
    events, bad = normalise(pl.DataFrame(rows, infer_schema_length=None), METRO)
    out = check(events, partner=PARTNER, people=people(1, 2, 3, consent=consent), now_ms=NOW,
                open_from=open_from, seen=seen)
    return out, bad


def codes(out) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return dict(zip(out.rejected["event_id"].to_list(), out.rejected["code"].to_list(),
                    strict=True))


def test_every_refused_event_comes_back_with_its_code_and_reason() -> None:
    out, bad = checked([
        trip("ok", 1, DAY, 8, 10_000, 20),
        trip("who", 99, DAY, 8, 10_000, 20),
        trip("fast", 2, DAY, 8, 50_000, 5),
        trip("future", 3, dt.date(2026, 12, 3), 8, 1000, 5),
        trip("old", 3, dt.date(2026, 11, 1), 8, 1000, 5),
        trip("what", 3, DAY, 12, 1000, 5, scenario="teleport"),
        trip("zero", 3, DAY, 14, 0, 5),
        {"event_id": "nostart", "person": 3, "scenario": "metro", "start": "yesterday",
         "quantity": 5},
    ])
    assert out.accepted["event_id"].to_list() == ["ok"]
    assert codes(out) == {"who": "unknown_person", "fast": "impossible_speed",
                          "future": "future_time", "old": "too_late",
                          "what": "unknown_scenario", "zero": "bad_quantity"}
    assert bad["event_id"].to_list() == ["nostart"] and bad["code"][0] == "bad_field"
    assert "start must be ISO 8601" in bad["reason"][0]
    assert all(out.rejected["reason"].str.len_chars() > 0)


def test_a_file_without_end_and_baseline_columns_is_read() -> None:
    """A partner of non-trip scenarios sends neither column (one line or many)."""
    for n in (1, 3):
        rows = [{"event_id": f"e{k}", "person": 1, "scenario": "metro_ride",
                 "start": f"{DAY.isoformat()}T08:0{k}:00+08:00", "quantity": 1}
                for k in range(n)]
        events, bad = normalise(pl.DataFrame(rows), METRO)
        assert (events.height, bad.height) == (n, 0)


def test_a_person_who_has_not_authorised_the_partner_earns_nothing_from_it() -> None:
    out, _ = checked([trip("a", 1, DAY, 8, 10_000, 20)], consent=0b10)
    assert codes(out) == {"a": RejectCode.NO_CONSENT.value}


def test_a_resent_event_counts_once_in_a_batch_and_across_batches() -> None:
    rows = [trip("a", 1, DAY, 8, 10_000, 20), trip("a", 1, DAY, 8, 10_000, 20),
            trip("b", 2, DAY, 9, 10_000, 20)]
    out, _ = checked(rows)
    assert (out.accepted.height, out.duplicates) == (2, 1)
    again, _ = checked(rows, seen=out.accepted["event_id"])
    assert (again.accepted.height, again.duplicates, again.rejected.height) == (0, 3, 0)


def test_one_person_cannot_be_on_two_trips_at_once() -> None:
    out, _ = checked([trip("a", 1, DAY, 8, 10_000, 40), trip("b", 1, DAY, 8, 3_000, 10,
                                                              scenario="bus")])
    assert codes(out) == {"b": RejectCode.OVERLAPPING_TRIP.value}


def test_a_day_already_settled_takes_no_more_events() -> None:
    out, _ = checked([trip("a", 1, DAY, 8, 10_000, 20)], open_from=day_number(DAY) + 1)
    assert codes(out) == {"a": RejectCode.TOO_LATE.value}


def test_grams_follow_the_scenario_factor() -> None:
    """Shenzhen: 46.7 g per passenger-km of metro; 10 km → 467 g."""
    out, _ = checked([trip("a", 1, DAY, 8, 10_000, 20)])
    assert out.accepted["grams"].to_list() == [467]


def _credit(rows: list[dict[str, object]], ytd: pl.DataFrame | None = None):  # type: ignore[no-untyped-def]
    out, _ = checked(rows)
    return credit_day(out.accepted, ytd if ytd is not None else pl.DataFrame(schema=YTD_SCHEMA))


def test_caps_cut_credit_in_start_order_and_say_why() -> None:
    metro = SCENARIOS["metro"]
    assert metro.daily_events is not None
    n = metro.daily_events + 2
    rows = [trip(f"t{i}", 1, DAY, 6 + i, 10_000, 20) for i in range(n)]
    c = _credit(rows)
    got = c.events.sort("start_ms")
    assert got["credited"].to_list() == [467] * metro.daily_events + [0, 0]
    assert got["uncredited"].to_list()[-2:] == [Uncredited.DAILY_EVENTS.value] * 2
    assert c.postings.rows() == [(1, 467 * metro.daily_events, n)]


def test_a_yearly_cap_counts_what_was_credited_earlier_in_the_year() -> None:
    capped = [s for s in SCENARIOS.values() if s.yearly_grams is not None]
    assert capped, "the parameter set has scenarios with a yearly cap"
    s = capped[0]
    assert s.yearly_grams is not None
    ytd = pl.DataFrame({"person": [1], "scenario": [s.code], "grams": [s.yearly_grams - 1]},
                       schema=YTD_SCHEMA)
    events = pl.DataFrame({"partner": [METRO], "event_id": ["y"], "person": [1],
                           "scenario": [s.code], "start_ms": [NOW - 86_400_000 * 3],
                           "end_ms": [None], "quantity": [1], "baseline": [None],
                           "device": [None], "line": [1], "day": [day_number(DAY)],
                           "grams": [1000]}, schema_overrides={"end_ms": pl.Int64,
                                                               "baseline": pl.Int64,
                                                               "device": pl.String})
    c = credit_day(events, ytd)
    assert c.events["credited"].to_list() == [1]
    assert c.events["uncredited"].to_list() == [Uncredited.YEARLY_GRAMS.value]
    assert c.ytd.filter(pl.col("person") == 1)["grams"].to_list() == [s.yearly_grams]


@pytest.mark.parametrize("n", [0, 1, 2, 3, 5, 8, 13])
def test_a_days_root_is_the_rfc_6962_root_of_its_postings(n: int) -> None:
    postings = pl.DataFrame({"person": list(range(1, n + 1)), "grams": [7] * n,
                             "events": [2] * n})
    want = tlog.root_from_leaf_hashes(
        [tlog.leaf_hash(posting_leaf(5, p, 7, 2)) for p in range(1, n + 1)]).hex()
    assert postings_root(5, postings) == want


# ---------------------------------------------------------------------- the book
@pytest.fixture
def p() -> Platform:
    return make_platform()


PERSON = Principal("k-person", Role.PERSON, person_party(1))


def test_days_settle_in_order_once_closed_and_two_days_after_they_end(p: Platform) -> None:
    d = day_number(DAY)
    with pytest.raises(DayNotClosed):
        p.run(SettleDay(DAY.isoformat()))
    p.sub.close(d, {1: 900, 2: 100})
    p.sub.close(d + 1, {1: 50})
    p.sub.close(d + 2, {1: 50})
    out = p.run(SettleDay(DAY.isoformat()))
    assert (out["grams"], out["people"]) == (1000, 2)
    assert p.router.ledger.available(PEOPLE, "CIP") == 1000
    with pytest.raises(DayOutOfOrder):
        p.run(SettleDay(DAY.isoformat()))
    with pytest.raises(DayOutOfOrder):  # 11-29 ends tonight: settled on 12-01
        p.run(SettleDay((DAY + dt.timedelta(days=2)).isoformat()))
    p.run(SettleDay((DAY + dt.timedelta(days=1)).isoformat()))
    with pytest.raises(DayOutOfOrder):
        p.run(SettleDay((DAY + dt.timedelta(days=2)).isoformat()))
    assert p.problems() == []


def test_a_person_spends_only_settled_points_and_only_their_own(p: Platform) -> None:
    p.sub.close(day_number(DAY), {1: 900, 2: 100})
    p.run(SettleDay(DAY.isoformat()))
    p.run(INCLUSIVE_EXAMPLES[3])  # a 2,000 g coupon
    with pytest.raises(InsufficientPoints):
        p.run(RedeemPoints(person=1, reward="RW000001", quantity=1), PERSON)
    with pytest.raises(Forbidden):
        p.run(DonatePoints(person=2, grams=10), PERSON)
    with pytest.raises(Forbidden):
        p.run(DonatePoints(person=1, grams=10), Principal("k-m", Role.MEMBER, METRO))
    out = p.run(DonatePoints(person=1, grams=400, note="马拉松"), PERSON)
    assert out["balance"] == 500
    p.sub.close(day_number(DAY) + 1, {1: 1600})  # closed, not settled: not spendable yet
    with pytest.raises(InsufficientPoints):
        p.run(RedeemPoints(person=1, reward="RW000001", quantity=1), PERSON)
    p.run(SettleDay((DAY + dt.timedelta(days=1)).isoformat()))
    out = p.run(RedeemPoints(person=1, reward="RW000001", quantity=1), PERSON)
    assert out["balance"] == 100
    assert p.book.rewards["RW000001"].stock == 9_999
    assert p.problems() == []


def test_pooled_days_issue_whole_tonnes_once_and_carry_the_rest(p: Platform) -> None:
    d = day_number(DAY)
    p.sub.close(d, {1: 1_500_000, 2: 300_000})
    p.sub.close(d + 1, {1: 900_000})
    p.run(SettleDay(DAY.isoformat()))
    p.run(SettleDay((DAY + dt.timedelta(days=1)).isoformat()))
    verifier = Principal("k-v", Role.VERIFIER, None)
    with pytest.raises(NotPooledProject):
        p.run(PoolReductions(project="CQ0001", first_day=DAY.isoformat(),
                             last_day=DAY.isoformat()))
    with pytest.raises(DayNotPoolable):  # the 29th is not settled
        p.run(PoolReductions(project="CQ0007", first_day=DAY.isoformat(),
                             last_day=(DAY + dt.timedelta(days=2)).isoformat()))
    p.book.projects.reports.append(("2026-11-01", DAY.isoformat()))  # type: ignore[attr-defined]
    with pytest.raises(DayNotPoolable):  # the registry may credit these days from a report
        p.run(PoolReductions(project="CQ0007", first_day=DAY.isoformat(),
                             last_day=DAY.isoformat()))
    p.book.projects.reports.clear()  # type: ignore[attr-defined]
    out = p.run(PoolReductions(project="CQ0007", first_day=DAY.isoformat(),
                               last_day=DAY.isoformat()))
    assert (out["tonnes"], out["carried_out"]) == (1, 800_000)
    with pytest.raises(Forbidden):
        p.run(DecidePool(pool="IP000001", approve=True), SYSTEM)
    with pytest.raises(DayNotPoolable):  # one pool awaits its decision
        p.run(PoolReductions(project="CQ0007", first_day=(DAY + dt.timedelta(days=1))
                             .isoformat(), last_day=(DAY + dt.timedelta(days=1)).isoformat()))
    out = p.run(DecidePool(pool="IP000001", approve=True, opinion="ok"), verifier)
    assert p.router.ledger.active_quantity(ALICE, "CQCER") == 1
    issuance = p.router.ledger.issuances[out["issuance"]]
    assert (issuance.project, issuance.reference, issuance.category) == (
        "CQ0007", "IP000001", "inclusive")
    # a company retires it for carbon neutrality like any credit
    p.run(Transfer("CQCER", ALICE, BOB, 1), ALICE_KEY)
    p.run(RetireUnits(asset="CQCER", account=BOB, quantity=1,
                      purpose=RetirementPurpose.CARBON_NEUTRALITY,
                      beneficiary="重庆某公司 2026 年会", reason="年会碳中和",
                      reference=""),
          BOB_KEY)
    assert p.router.ledger.active_quantity(BOB, "CQCER") == 0
    with pytest.raises(DayNotPoolable):  # counted once
        p.run(PoolReductions(project="CQ0007", first_day=DAY.isoformat(),
                             last_day=DAY.isoformat()))
    out = p.run(PoolReductions(project="CQ0007", first_day=(DAY + dt.timedelta(days=1))
                               .isoformat(), last_day=(DAY + dt.timedelta(days=1)).isoformat()))
    assert (out["carried_in"], out["tonnes"], out["carried_out"]) == (800_000, 1, 700_000)
    p.run(DecidePool(pool="IP000002", approve=False, opinion="复核"), verifier)
    with pytest.raises(WrongPoolState):
        p.run(DecidePool(pool="IP000002", approve=True), verifier)
    assert p.problems() == []


def test_json_lines_that_are_not_objects_are_refused_line_by_line() -> None:
    raw = read_batch(b"[1]\n{}\nnot json\n", "jsonl")
    events, bad = normalise(raw, METRO)
    assert events.height == 0 and bad["line"].to_list() == [1, 2, 3]
    assert set(bad["code"]) == {"bad_field"}


@given(moments=st.lists(st.tuples(
    st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2099, 12, 31)),
    st.sampled_from(["+08:00", "+08:00", "Z", "+00:00", "-05:30", ".250+08:00", ".056+08:00",
                     ".5+08:00", ".0a5+08:00", " +08:00"])),
    min_size=1, max_size=20))
@search(1)
def test_times_in_any_iso_form_read_as_the_full_parse_reads_them(
        moments: list[tuple[dt.datetime, str]]) -> None:
    """The fast path for Beijing time to the second gives what the full ISO 8601 parse gives,
    and every other form goes to the full parse."""
    texts = [m.strftime("%Y-%m-%dT%H:%M:%S") + tail for m, tail in moments]
    texts.append("2026-02-30T08:00:00+08:00")  # no such day
    rows = [{"event_id": f"e{i}", "person": 1, "scenario": "metro", "start": t,
             "quantity": 1} for i, t in enumerate(texts)]
    events, bad = normalise(pl.DataFrame(rows), METRO)
    want = _iso_ms(pl.Series(texts))
    got = dict(zip(events["event_id"], events["start_ms"], strict=True))
    for i, w in enumerate(want.to_list()):
        assert got.get(f"e{i}") == w
    assert bad["event_id"].to_list() == [f"e{i}" for i, w in enumerate(want) if w is None]
    assert bad["event_id"].to_list()[-1] == f"e{len(texts) - 1}"


def test_the_conservation_laws_name_what_is_broken(p: Platform) -> None:
    d = day_number(DAY)
    p.sub.close(d, {1: 2_500_000})
    p.run(SettleDay(DAY.isoformat()))
    p.run(PoolReductions(project="CQ0007", first_day=DAY.isoformat(), last_day=DAY.isoformat()))
    assert p.problems() == []
    book = p.book
    settled = book.days[d]
    book.days[d] = dataclasses.replace(settled, close=dataclasses.replace(
        settled.close, grams=settled.close.grams + 1))  # a day's total that is not its parts
    book.days[d + 2] = settled  # a gap in the settled days
    pool = book.pools["IP000001"]
    book.pools["IP000002"] = dataclasses.replace(pool, id="IP000002",  # a day in two pools
                                                 carried_in=7)  # and a carry from nowhere
    text = " | ".join(book.invariants())
    for needle in ("people's account holds", "treasury is", "not consecutive",
                   "do not add up", "a day is in two pools", "grams differ", "chain"):
        assert needle in text, (needle, text)


def test_a_person_sets_their_own_consents_only(p: Platform) -> None:
    p.sub.close(day_number(DAY), {1: 10, 2: 10})  # people 1 and 2 are known
    out = p.run(SetConsent(person=1, partner=METRO, allow=False), PERSON)
    assert out == {"person": 1, "partner": METRO, "allow": False}
    assert not p.book.consents[(1, METRO)].allow
    with pytest.raises(Forbidden):
        p.run(SetConsent(person=2, partner=METRO, allow=False), PERSON)
    with pytest.raises(UnknownPartner):
        p.run(SetConsent(person=1, partner="P000001", allow=True), PERSON)
    with pytest.raises(UnknownPerson):
        p.run(SetConsent(person=77, partner=METRO, allow=True))


def test_a_refused_event_between_two_trips_does_not_hide_the_first() -> None:
    """Found by comparing the columnar rules with the first implementation, which let a
    refused event (or, at the close, a walk) between two trips hide the earlier trip's end."""
    out, _ = checked([trip("a", 1, DAY, 8, 10_000, 30),
                      trip("b", 1, DAY, 8, 0, 30),  # refused: no distance
                      {**trip("c", 1, DAY, 8, 5_000, 20), "start": "2026-11-27T08:10:00+08:00",
                       "end": "2026-11-27T08:30:00+08:00"}])
    assert codes(out) == {"b": RejectCode.BAD_QUANTITY.value,
                          "c": RejectCode.OVERLAPPING_TRIP.value}
    walk = {"event_id": "w", "person": 1, "scenario": "walking",
            "start": "2026-11-27T08:05:00+08:00", "quantity": 3000}
    first, _ = checked([trip("a", 1, DAY, 8, 10_000, 30)])
    walked, _ = normalise(pl.DataFrame([walk]), METRO)
    other, _ = checked([{**trip("c", 1, DAY, 8, 5_000, 20),
                         "start": "2026-11-27T08:10:00+08:00",
                         "end": "2026-11-27T08:30:00+08:00"}])
    day = credit_day(pl.concat([first.accepted, with_grams(walked),
                                other.accepted.with_columns(pl.lit("P000006").alias("partner"))],
                               how="diagonal_relaxed"),
                     pl.DataFrame(schema=YTD_SCHEMA))
    why = dict(zip(day.events["event_id"], day.events["uncredited"], strict=True))
    assert why == {"a": None, "w": None, "c": Uncredited.OVERLAPPING_TRIP.value}
