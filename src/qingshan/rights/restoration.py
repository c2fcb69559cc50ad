"""Restoration that earns development rights: whoever restores barren hills, black-odour
water, rocky desertification or an abandoned mine may, once the authority accepts the work,
develop a share of the restored area for eco-agriculture or eco-tourism for a term. The share
is a development-right quota (mu) issued on the ledger to the restorer, transferable to the
operator of the business, whose income is reported back year by year."""

from __future__ import annotations

from qingshan.errors import Forbidden, InvalidInput
from qingshan.ledger.domain import policy
from qingshan.ledger.domain.commands import IssueUnits
from qingshan.ledger.domain.effects import Effects
from qingshan.ledger.domain.model import AssetKind, Principal
from qingshan.ledger.domain.parsing import journal_day
from qingshan.rights.commands import (
    AcceptRestoration,
    RegisterRestoration,
    ReportIncome,
    TransferDevelopmentRight,
)
from qingshan.rights.errors import IncomeReported, ShareAboveCap
from qingshan.rights.model import (
    BPS,
    DEVELOPMENT_RIGHT,
    MAX_SHARE_BPS,
    Income,
    Restoration,
    RestorationStatus,
    RightTransfer,
)
from qingshan.rights.state import RightsState


def _check_party_or_admin(actor: Principal, party: str, doing: str) -> None:
    if actor.role in policy.ADMIN_ROLES or (actor.role.value == "member" and
                                            actor.party_id == party):
        return
    raise Forbidden(f"only the party itself, or the operator, {doing}", party=party,
                    role=actor.role.value)


def register_restoration(r: RightsState, cmd: RegisterRestoration, actor: Principal,
                         seq: int) -> Effects:
    r.ledger.party(cmd.restorer)
    _check_party_or_admin(actor, cmd.restorer, "registers its restoration")
    r.check_district(cmd.district)
    r.check_live(cmd.district)
    if cmd.started > journal_day(r.clock()).isoformat():
        raise InvalidInput("the restoration has not started yet", field="started")
    rid = r.next_id("restoration", "RR")
    rs = Restoration(id=rid, restorer=cmd.restorer, district=cmd.district,
                     site_kind=cmd.site_kind, site=cmd.site, area_mu=cmd.area_mu,
                     plan=cmd.plan, use=cmd.use, started=cmd.started,
                     status=RestorationStatus.PLANNED, created_seq=seq, updated_seq=seq)
    r.put("restorations", rid, rs)
    r.event(seq, rid, cmd.kind, actor, f"{cmd.site}: {cmd.area_mu} mu")
    return Effects({"restoration": rid, "status": rs.status.value})


def accept_restoration(r: RightsState, cmd: AcceptRestoration, actor: Principal,
                       seq: int) -> Effects:
    r.check_authority(actor)
    rs = r.restoration(cmd.restoration)
    r.check_restoration_status(rs, RestorationStatus.PLANNED)
    today = journal_day(r.clock()).isoformat()
    if not cmd.passed:
        after = r.put_restoration(rs, seq, status=RestorationStatus.REJECTED, report=cmd.report,
                                  accepted_on=today)
        r.event(seq, rs.id, cmd.kind, actor, f"not accepted: {cmd.report}"[:300])
        return Effects({"restoration": rs.id, "status": after.status.value, "granted": 0})
    if cmd.share_bps > MAX_SHARE_BPS:
        raise ShareAboveCap(f"at most {MAX_SHARE_BPS / 100:g} % of the restored area may be "
                            "developed", cap_bps=MAX_SHARE_BPS, field="share_bps")
    if cmd.accepted_mu > rs.area_mu:
        raise InvalidInput("more accepted than the project restores", field="accepted_mu",
                           area_mu=rs.area_mu)
    granted = cmd.accepted_mu * cmd.share_bps // BPS  # rounded down, against the claimant
    if granted < 1:
        raise InvalidInput("the share of the accepted area is under one mu", field="share_bps")
    assert cmd.account is not None  # (checked by the command)
    r.check_account_of(cmd.account, rs.restorer, "account")
    r.ledger.asset(DEVELOPMENT_RIGHT, AssetKind.SERIALIZED)
    issued = r.ledger.issue_units(IssueUnits(
        asset=DEVELOPMENT_RIGHT, project=rs.id, vintage=int(today[:4]),
        monitoring_start=rs.started, monitoring_end=today, reference=rs.site[:200],
        allocations=((cmd.account, granted),)), seq)
    after = r.put_restoration(rs, seq, status=RestorationStatus.ACCEPTED,
                              accepted_mu=cmd.accepted_mu, share_bps=cmd.share_bps,
                              term_years=cmd.term_years, granted=granted, account=cmd.account,
                              accepted_on=today, report=cmd.report,
                              serials=tuple(issued.result["serials"]))
    r.event(seq, rs.id, cmd.kind, actor, f"{cmd.accepted_mu} mu accepted, {granted} mu "
                                         f"{rs.use.value} for {cmd.term_years} years")
    issued.result = {**issued.result, "restoration": rs.id, "status": after.status.value,
                     "granted": granted, "expires": after.expires}
    return issued


def transfer_development_right(r: RightsState, cmd: TransferDevelopmentRight,
                               actor: Principal, seq: int) -> Effects:
    rs = r.restoration(cmd.restoration)
    r.check_restoration_status(rs, RestorationStatus.ACCEPTED)
    source = r.ledger.account(cmd.source)
    policy.check_owner(actor, source.id, source.party_id, doing="may not transfer a right")
    if cmd.use is not rs.use:
        raise InvalidInput(f"the right was granted for {rs.use.value}", field="use")
    if journal_day(r.clock()).isoformat() > rs.expires:
        raise InvalidInput(f"the right expired on {rs.expires}", field="restoration")
    destination = r.ledger.check_receiving(cmd.destination)
    start, end = rs.serials
    ranges = r.ledger.free_ranges(source.id, DEVELOPMENT_RIGHT, start, end, cmd.quantity)
    effects = Effects({})
    r.ledger.deliver_ranges(source.id, destination.id, DEVELOPMENT_RIGHT, ranges, effects)
    tid = r.next_id("transfer", "RT")
    r.put("transfers", tid, RightTransfer(
        id=tid, restoration=rs.id, seq=seq, source=source.id, destination=destination.id,
        party=destination.party_id, quantity=cmd.quantity, use=cmd.use,
        day=journal_day(r.clock()).isoformat()))
    r.event(seq, rs.id, cmd.kind, actor, f"{tid}: {cmd.quantity} mu to {destination.party_id}")
    effects.result = {"restoration": rs.id, "transfer": tid, "quantity": cmd.quantity,
                      "holder": destination.party_id}
    return effects


def report_income(r: RightsState, cmd: ReportIncome, actor: Principal, seq: int) -> Effects:
    rs = r.restoration(cmd.restoration)
    r.check_restoration_status(rs, RestorationStatus.ACCEPTED)
    holders = {rs.restorer} | {t.party for t in r.transfers.values()
                               if t.restoration == rs.id}
    if not (actor.role in policy.ADMIN_ROLES or actor.party_id in holders):
        raise Forbidden("only the right's holders, or the operator, report its income",
                        role=actor.role.value)
    if cmd.year > journal_day(r.clock()).year:
        raise InvalidInput("a year not yet begun has no income", field="year")
    if (rs.id, cmd.year) in r.incomes:
        raise IncomeReported("the year's income is reported already", restoration=rs.id,
                             year=cmd.year, field="year")
    reporter = actor.party_id or actor.id
    r.put("incomes", (rs.id, cmd.year), Income(restoration=rs.id, year=cmd.year,
                                                amount=cmd.amount, reporter=reporter,
                                                note=cmd.note, seq=seq))
    r.event(seq, rs.id, cmd.kind, actor, f"{cmd.year}: {cmd.amount}")
    return Effects({"restoration": rs.id, "year": cmd.year, "amount": cmd.amount})
