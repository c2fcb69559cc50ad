"""People's points on the ledger: the operator names the accounts, settles each closed day
(its points, created from the treasury, onto the people's account in one posting) and people
spend points on rewards or give them to the public pool."""

from __future__ import annotations

from qingshan.errors import InvalidInput
from qingshan.inclusive.commands import (
    AddReward,
    DonatePoints,
    RedeemPoints,
    RegisterPartner,
    SetConsent,
    SetInclusiveAccounts,
    SettleDay,
)
from qingshan.inclusive.errors import (
    DayNotClosed,
    DayOutOfOrder,
    InsufficientPoints,
    OutOfStock,
    TooManyPartners,
    UnknownPerson,
)
from qingshan.inclusive.model import (
    MAX_SLOTS,
    SETTLE_AFTER_DAYS,
    Consent,
    Partner,
    Reward,
    SettledDay,
    Spend,
    SpendKind,
    day_number,
    day_of_ms,
    iso_day,
)
from qingshan.inclusive.state import SETTINGS, InclusiveState
from qingshan.inclusive.subledger import CIP
from qingshan.ledger.domain.effects import Effects
from qingshan.ledger.domain.model import AccountType, AssetKind, Principal
from qingshan.ledger.domain.policy import check_admin


def set_accounts(r: InclusiveState, cmd: SetInclusiveAccounts, actor: Principal,
                 seq: int) -> Effects:
    check_admin(actor, "only the operator sets the accounts of inclusive points")
    r.ledger.asset(CIP, AssetKind.FUNGIBLE)
    if r.days:
        raise DayOutOfOrder("the accounts are set before the first day is settled",
                            field="treasury")
    wanted = {"treasury": AccountType.TREASURY, "people": AccountType.HOLDING,
              "pool": AccountType.HOLDING}
    given = {"treasury": cmd.treasury, "people": cmd.people, "pool": cmd.pool}
    if len(set(given.values())) != 3:
        raise InvalidInput("three different accounts", field="pool")
    for name in SETTINGS:
        acct = r.ledger.account(given[name])
        if acct.type is not wanted[name]:
            raise InvalidInput(f"{name} must be a {wanted[name].value} account",
                               field=name, account=acct.id, type=acct.type.value)
        r.put("settings", name, given[name])
    return Effects({"accounts": given})


def register_partner(r: InclusiveState, cmd: RegisterPartner, actor: Principal,
                     seq: int) -> Effects:
    check_admin(actor, "only the operator admits a partner")
    r.ledger.party(cmd.party)
    old = r.partners.get(cmd.party)
    if old is None and len(r.partners) >= MAX_SLOTS:
        raise TooManyPartners(f"at most {MAX_SLOTS} partners", field="party")
    slot = old.slot if old is not None else len(r.partners)
    r.put("partners", cmd.party, Partner(id=cmd.party, name=cmd.name, scenarios=cmd.scenarios,
                                         slot=slot, seq=seq))
    return Effects({"partner": cmd.party, "slot": slot, "scenarios": list(cmd.scenarios)})


def settle_day(r: InclusiveState, cmd: SettleDay, actor: Principal, seq: int) -> Effects:
    check_admin(actor, "only the operator settles a day")
    day = day_number(cmd.day)
    last = r.last_settled()
    if last is not None and day != last + 1:
        raise DayOutOfOrder(f"the next day to settle is {iso_day(last + 1)}", field="day",
                            next=iso_day(last + 1))
    today = day_of_ms(r.clock())
    if day > today - SETTLE_AFTER_DAYS:
        raise DayOutOfOrder(f"a day is settled {SETTLE_AFTER_DAYS} days after it ends",
                            field="day", today=iso_day(today))
    close = r.subledger.close_of(day)
    if close is None:
        raise DayNotClosed("the sub-ledger has not closed this day", field="day")
    effects = Effects({})
    if close.grams:
        r.ledger.pay(r.account("treasury"), r.account("people"), CIP, close.grams, effects)
    r.put("days", day, SettledDay(close=close, seq=seq))
    effects.result = {"day": cmd.day, "root": close.root, "people": close.people,
                      "events": close.events, "grams": close.grams,
                      "parameter_set": close.parameter_set}
    return effects


def add_reward(r: InclusiveState, cmd: AddReward, actor: Principal, seq: int) -> Effects:
    check_admin(actor, "only the operator lists a reward")
    r.ledger.party(cmd.sponsor)
    rid = r.next_id("reward", "RW")
    r.put("rewards", rid, Reward(id=rid, name=cmd.name, price=cmd.price, stock=cmd.stock,
                                 sponsor=cmd.sponsor, seq=seq))
    return Effects({"reward": rid})


def _spend(r: InclusiveState, actor: Principal, person: int, grams: int) -> int:
    """Check a person may spend ``grams``; their balance before it."""
    r.check_person(actor, person)
    if not r.subledger.person_known(person):
        raise UnknownPerson("no such personal account", person=person)
    balance = r.balance(person)
    if grams > balance:
        raise InsufficientPoints("not enough points", person=person, needed=grams,
                                 balance=balance)
    return balance


def redeem_points(r: InclusiveState, cmd: RedeemPoints, actor: Principal,
                  seq: int) -> Effects:
    reward = r.reward(cmd.reward)
    if cmd.quantity > reward.stock:
        raise OutOfStock("not enough of the reward left", reward=reward.id, stock=reward.stock)
    grams = reward.price * cmd.quantity
    balance = _spend(r, actor, cmd.person, grams)
    effects = Effects({})
    r.ledger.pay(r.account("people"), r.account("treasury"), CIP, grams, effects)
    r.put("rewards", reward.id, Reward(id=reward.id, name=reward.name, price=reward.price,
                                       stock=reward.stock - cmd.quantity,
                                       sponsor=reward.sponsor, seq=seq))
    sid = r.next_id("spend", "SP", 8)
    r.add_spend(Spend(id=sid, person=cmd.person, kind=SpendKind.REDEEM, grams=grams,
                      reward=reward.id, quantity=cmd.quantity, note="",
                      day=day_of_ms(r.clock()), seq=seq))
    effects.result = {"spend": sid, "grams": grams, "balance": balance - grams}
    return effects


def donate_points(r: InclusiveState, cmd: DonatePoints, actor: Principal,
                  seq: int) -> Effects:
    balance = _spend(r, actor, cmd.person, cmd.grams)
    effects = Effects({})
    r.ledger.pay(r.account("people"), r.account("pool"), CIP, cmd.grams, effects)
    sid = r.next_id("spend", "SP", 8)
    r.add_spend(Spend(id=sid, person=cmd.person, kind=SpendKind.DONATE, grams=cmd.grams,
                      reward=None, quantity=1, note=cmd.note,
                      day=day_of_ms(r.clock()), seq=seq))
    effects.result = {"spend": sid, "grams": cmd.grams, "balance": balance - cmd.grams}
    return effects


def set_consent(r: InclusiveState, cmd: SetConsent, actor: Principal, seq: int) -> Effects:
    r.check_person(actor, cmd.person)
    r.partner(cmd.partner)
    if not r.subledger.person_known(cmd.person):
        raise UnknownPerson("no such personal account", person=cmd.person)
    r.put("consents", (cmd.person, cmd.partner), Consent(person=cmd.person,
                                                         partner=cmd.partner,
                                                         allow=cmd.allow, seq=seq))
    return Effects({"person": cmd.person, "partner": cmd.partner, "allow": cmd.allow})
