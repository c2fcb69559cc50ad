"""A court's cases: entering a judgment's order and amending it by a later ruling."""

from __future__ import annotations

from qingshan.errors import AlreadyExists, InvalidInput
from qingshan.judicial.commands import AmendCase, CreateCase
from qingshan.judicial.model import Case, CaseStatus
from qingshan.judicial.state import JudicialState
from qingshan.ledger.domain.commands import OpenAccount
from qingshan.ledger.domain.effects import Effects
from qingshan.ledger.domain.model import AccountType, AssetKind, Principal
from qingshan.ledger.domain.parsing import as_date


def create_case(j: JudicialState, cmd: CreateCase, actor: Principal, seq: int) -> Effects:
    j.check_court(actor, cmd.court)
    if (cmd.court, cmd.number) in j.numbers:
        raise AlreadyExists("the court already entered this case", number=cmd.number,
                            case=j.numbers[(cmd.court, cmd.number)])
    j.escrow_of(cmd.court)
    j.ledger.asset(cmd.asset, AssetKind.SERIALIZED)
    j.ledger.check_receiving(cmd.refund_account)
    cid = j.next_id("case", "JC")
    effects = Effects({})
    opened = j.ledger.open_account(OpenAccount(party=cmd.court, account_type=AccountType.HOLDING,
                                               label=f"以碳代偿 {cmd.number}"), seq)
    effects.absorb(opened)
    case = Case(id=cid, court=cmd.court, number=cmd.number, cause=cmd.cause,
                defendants=cmd.defendants, judgment_date=cmd.judgment_date,
                compensation_fen=cmd.compensation_fen, tonnes=cmd.tonnes,
                deadline=cmd.deadline, restoration=cmd.restoration, asset=cmd.asset,
                categories=cmd.categories, project=cmd.project, cap_price=cmd.cap_price,
                account=opened.result["account"], refund_account=cmd.refund_account,
                status=CaseStatus.ORDERED, created_seq=seq, updated_seq=seq)
    j.add_case(case)
    j.event(seq, cid, cmd.kind, actor, cmd.number)
    effects.result = {"case": cid, "number": cmd.number, "account": case.account,
                      "status": case.status.value}
    return effects


def status_after(case: Case) -> CaseStatus:
    """Where an open case stands after its money or its order changed."""
    if case.in_tonnes and case.bought >= case.tonnes:
        return CaseStatus.PURCHASED
    due = 1 if case.in_tonnes else case.compensation_fen  # any money for tonnes; all of it
    if case.paid >= due:
        return CaseStatus.PAID
    return CaseStatus.ORDERED


def amend_case(j: JudicialState, cmd: AmendCase, actor: Principal, seq: int) -> Effects:
    case = j.case(cmd.case)
    j.check_court(actor, case.court)
    j.check_status(case, CaseStatus.ORDERED, CaseStatus.PAID, CaseStatus.PURCHASED)
    changes: dict[str, object] = {}
    if cmd.compensation_fen is not None or cmd.tonnes is not None:
        if (cmd.compensation_fen is not None) == (cmd.tonnes is not None):
            raise InvalidInput("an amendment orders money or tonnes, not both",
                               field="compensation_fen")
        if cmd.tonnes is not None and cmd.tonnes < case.bought:
            raise InvalidInput("the tonnes ordered cannot fall below those already bought",
                               field="tonnes", bought=case.bought)
        changes["compensation_fen"] = cmd.compensation_fen or 0
        changes["tonnes"] = cmd.tonnes or 0
    if cmd.deadline is not None:
        if as_date(cmd.deadline) < as_date(case.judgment_date):
            raise InvalidInput("the deadline comes before the judgment", field="deadline")
        changes["deadline"] = cmd.deadline
    if cmd.cap_price is not None:
        changes["cap_price"] = cmd.cap_price
    if cmd.categories is not None:
        changes["categories"] = cmd.categories
    amended = j.put_case(case, seq, **changes)
    amended = j.put_case(amended, seq, status=status_after(amended))
    j.event(seq, case.id, cmd.kind, actor, cmd.reason)
    return Effects({"case": case.id, "status": amended.status.value,
                    "changed": sorted(changes)})
