"""Districts over time: the floor price, what the authority verified of each district each
year, indicators issued for verified surplus, and successions (a district abolished, its
obligations and assets passed to its successor).

Forest area is a stock: everything ever issued to a district's line counts against the surplus
of its latest survey. Greening and clean water are flows: what is issued for a year counts
against that year's surplus only."""

from __future__ import annotations

from dataclasses import replace

from qingshan.errors import InvalidInput
from qingshan.ledger.domain import policy
from qingshan.ledger.domain.commands import IssueUnits
from qingshan.ledger.domain.effects import Effects
from qingshan.ledger.domain.model import AssetKind, Principal
from qingshan.ledger.domain.parsing import journal_day
from qingshan.rights.commands import (
    IssueIndicators,
    RecordMeasurement,
    RecordSuccession,
    SetIndicatorFloor,
)
from qingshan.rights.errors import AboveSurplus, DistrictSucceeded, NoMeasurement
from qingshan.rights.model import INDICATORS, IndicatorKind, Measurement, Succession
from qingshan.rights.state import Grant, RightsState


def set_indicator_floor(r: RightsState, cmd: SetIndicatorFloor, actor: Principal,
                        seq: int) -> Effects:
    policy.check_admin(actor, "only the operator sets a floor price")
    r.put("floors", cmd.indicator, cmd.price)
    r.event(seq, cmd.indicator.value, cmd.kind, actor, f"{cmd.price}")
    return Effects({"indicator": cmd.indicator.value, "price": cmd.price})


def record_measurement(r: RightsState, cmd: RecordMeasurement, actor: Principal,
                       seq: int) -> Effects:
    r.check_authority(actor)
    r.check_district(cmd.district)
    s = r.successions.get(cmd.district)
    if s is not None and cmd.year >= int(s.effective[:4]):
        raise DistrictSucceeded(f"the district was succeeded on {s.effective}: its successor "
                                f"reports {cmd.year}", district=cmd.district,
                                successor=s.successor, field="year")
    if cmd.year > journal_day(r.clock()).year:
        raise InvalidInput("a year not yet begun is not measured", field="year")
    key = (cmd.district, cmd.indicator, cmd.year)
    replaced = key in r.measurements
    m = Measurement(district=cmd.district, kind=cmd.indicator, year=cmd.year,
                    amount=cmd.amount, basis=cmd.basis, target_bps=cmd.target_bps,
                    source=cmd.source, seq=seq)
    r.put("measurements", key, m)
    r.event(seq, cmd.district, cmd.kind, actor,
            f"{cmd.indicator.value} {cmd.year}: {cmd.amount}/{cmd.basis}"
            f"{' (replaces the earlier record)' if replaced else ''}")
    return Effects({"district": cmd.district, "indicator": cmd.indicator.value,
                    "year": cmd.year, "duty": m.duty, "surplus": m.surplus,
                    "replaced": replaced})


def issuable(r: RightsState, district: str, kind: IndicatorKind, year: int) -> int:
    """What may still be issued to ``district`` for ``year`` (0 when none)."""
    m = r.measurements.get((district, kind, year))
    if m is None:
        return 0
    line = r.line(district)
    issued = sum(g.quantity for g in r.grants.values() if g.kind is kind and g.district in line
                 and (kind is IndicatorKind.FOREST_AREA or g.year == year))
    return max(0, m.surplus - issued)


def issue_indicators(r: RightsState, cmd: IssueIndicators, actor: Principal,
                     seq: int) -> Effects:
    r.check_authority(actor)
    r.check_district(cmd.district)
    r.check_live(cmd.district)
    m = r.measurements.get((cmd.district, cmd.indicator, cmd.year))
    if m is None:
        raise NoMeasurement("no verified measurement of the district for that year",
                            district=cmd.district, year=cmd.year, field="year")
    latest = r.latest(cmd.district, cmd.indicator)
    if cmd.indicator is IndicatorKind.FOREST_AREA and latest is not None and \
            latest.year != cmd.year:
        raise InvalidInput(f"forest area is issued against the latest survey ({latest.year})",
                           field="year", latest=latest.year)
    room = issuable(r, cmd.district, cmd.indicator, cmd.year)
    if cmd.quantity > room:
        raise AboveSurplus(f"the district's verified surplus leaves {room} to issue",
                           district=cmd.district, issuable=room, field="quantity")
    r.check_account_of(cmd.account, cmd.district, "account")
    spec = INDICATORS[cmd.indicator]
    r.ledger.asset(spec.asset, AssetKind.SERIALIZED)
    code = r.ledger.party(cmd.district).identifier or cmd.district
    today = journal_day(r.clock())
    end = min(today.isoformat(), f"{cmd.year}-12-31")
    issued = r.ledger.issue_units(IssueUnits(
        asset=spec.asset, project=f"{spec.asset}{code}"[:16], vintage=cmd.year,
        monitoring_start=f"{cmd.year}-01-01", monitoring_end=end,
        reference=m.source[:200], allocations=((cmd.account, cmd.quantity),)), seq)
    gid = r.next_id("grant", "RI")
    serials = issued.result.get("serials") or [0, 0]
    r.put("grants", gid, Grant(id=gid, district=cmd.district, kind=cmd.indicator,
                               year=cmd.year, quantity=cmd.quantity, account=cmd.account,
                               serial_start=int(serials[0]), seq=seq))
    r.event(seq, cmd.district, cmd.kind, actor, f"{gid}: {cmd.quantity} {spec.unit}")
    issued.result = {**issued.result, "grant": gid, "district": cmd.district,
                     "issuable": room - cmd.quantity}
    return issued


def record_succession(r: RightsState, cmd: RecordSuccession, actor: Principal,
                      seq: int) -> Effects:
    policy.check_admin(actor, "only the operator records a succession")
    r.check_district(cmd.predecessor, "predecessor")
    r.check_district(cmd.successor, "successor")
    r.check_live(cmd.predecessor, "predecessor")
    r.check_live(cmd.successor, "successor")
    r.check_account_of(cmd.account, cmd.successor, "account")
    effects = Effects({})
    moved: dict[str, int] = {}
    for spec in INDICATORS.values():
        for acc in r.ledger.accounts_of(cmd.predecessor):
            q = r.ledger.active_quantity(acc.id, spec.asset)
            if q:
                r.ledger.deliver_units(acc.id, cmd.account, spec.asset, q, None, effects)
                moved[spec.asset] = moved.get(spec.asset, 0) + q
    passed = []
    for c in sorted(r.contracts.values(), key=lambda c: c.id):
        if cmd.predecessor in (c.seller, c.buyer):
            r.put_contract(c, seq, seller=cmd.successor if c.seller == cmd.predecessor
                           else c.seller,
                           buyer=cmd.successor if c.buyer == cmd.predecessor else c.buyer)
            passed.append(c.id)
    for rs in sorted(r.restorations.values(), key=lambda x: x.id):
        if rs.district == cmd.predecessor:
            r.put("restorations", rs.id, replace(rs, district=cmd.successor, updated_seq=seq))
    r.put("successions", cmd.predecessor, Succession(
        predecessor=cmd.predecessor, successor=cmd.successor, effective=cmd.effective,
        account=cmd.account, note=cmd.note, seq=seq))
    r.event(seq, cmd.predecessor, cmd.kind, actor, f"→ {cmd.successor}: {cmd.note}")
    r.event(seq, cmd.successor, cmd.kind, actor, f"← {cmd.predecessor}: {cmd.note}")
    effects.result = {"predecessor": cmd.predecessor, "successor": cmd.successor,
                      "contracts": passed, "moved": moved}
    return effects
