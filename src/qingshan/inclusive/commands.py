"""Carbon-inclusive commands, each declared once (qingshan.ledger.domain.definition): the
parser, the journal form and the request body come from these definitions. People's events
are not commands: partners send them in batches to the sub-ledger (``ingest``); the journal
holds what the sub-ledger settles each day, and every spend."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from qingshan.errors import InvalidInput
from qingshan.inclusive.model import MAX_PERSON, POOL_ID_RE, REWARD_ID_RE
from qingshan.ledger.domain.commands import Command
from qingshan.ledger.domain.definition import (
    Custom,
    Day,
    Flag,
    Matching,
    Ref,
    Shape,
    Text,
    Whole,
    declare,
)
from qingshan.science.inclusive import SCENARIOS

MAX_GRAMS = 10**12  # a trillion grams: a million tonnes


def _scenarios(data: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = data.get(key)
    if not isinstance(value, list) or not 1 <= len(value) <= len(SCENARIOS):
        raise InvalidInput(f"{key} must list 1 to {len(SCENARIOS)} scenario codes", field=key)
    unknown = [v for v in value if not isinstance(v, str) or v not in SCENARIOS]
    if unknown:
        raise InvalidInput(f"{key}: unknown scenarios {unknown!r}"[:300], field=key,
                           known=sorted(SCENARIOS))
    return tuple(sorted(set(value)))


PROJECT_RE = re.compile(r"^[A-Z0-9]{2,16}$")


def _period(values: dict[str, Any], data: Mapping[str, Any]) -> None:
    if values["last_day"] < values["first_day"]:
        raise InvalidInput("last_day is before first_day", field="last_day")
    if values["last_day"][:4] != values["first_day"][:4]:
        raise InvalidInput("a pool's days are of one calendar year (its vintage)",
                           field="last_day")


def Person(**kw: Any) -> Whole:
    return Whole(lo=1, hi=MAX_PERSON, message=f"person must be an account number from 1 to "
                                              f"{MAX_PERSON}", **kw)


@dataclass(frozen=True, slots=True, kw_only=True)
class RegisterPartner(Command):
    """The operator admits a partner system (a party: metro, bus company, bike share, the
    grid, 渝快办, …) and the scenarios it may report."""

    kind: ClassVar[str] = "register_inclusive_partner"
    party: str = declare(Ref(prefix="P", description="the partner's party"))
    name: str = declare(Text(max_len=100))
    scenarios: tuple[str, ...] = declare(Custom(
        parser=_scenarios, to_json=list,
        like=Shape(type="list", min_length=1, max_length=64,
                   items=(Shape(type="text", max_length=32),)),
        description="scenario codes (GET /api/v1/inclusive/scenarios)"))


@dataclass(frozen=True, slots=True)
class SettleDay(Command):
    """The operator settles a day the sub-ledger has closed: its postings' root and totals go
    on the journal and its points onto the ledger's people's account, in one entry."""

    kind: ClassVar[str] = "settle_inclusive_day"
    day: str = declare(Day(examples=("2026-11-28",)))


@dataclass(frozen=True, slots=True, kw_only=True)
class AddReward(Command):
    """The operator lists a reward people may redeem points for (a bus coupon, a ticket),
    funded by its sponsor."""

    kind: ClassVar[str] = "add_inclusive_reward"
    name: str = declare(Text(max_len=100))
    price: int = declare(Whole(lo=1, hi=MAX_GRAMS, description="grams of CO2e"))
    stock: int = declare(Whole(lo=1, hi=10**9))
    sponsor: str = declare(Ref(prefix="P", description="the party that funds it"))


@dataclass(frozen=True, slots=True, kw_only=True)
class RedeemPoints(Command):
    """A person spends points on ``quantity`` of a reward."""

    kind: ClassVar[str] = "redeem_inclusive_points"
    person: int = declare(Person())
    reward: str = declare(Matching(pattern=REWARD_ID_RE, message="reward must look like "
                                   "RW000001", examples=("RW000001",)))
    quantity: int = declare(Whole(lo=1, hi=1000))


@dataclass(frozen=True, slots=True, kw_only=True)
class DonatePoints(Command):
    """A person gives points to the public pool (e.g. a city event's carbon neutrality)."""

    kind: ClassVar[str] = "donate_inclusive_points"
    person: int = declare(Person())
    grams: int = declare(Whole(lo=1, hi=MAX_GRAMS))
    note: str = declare(Text(max_len=200, required=False), "")


@dataclass(frozen=True, slots=True)
class SetInclusiveAccounts(Command):
    """The operator names the ledger accounts of carbon-inclusive points (asset CIP): the
    treasury they are created from and redeemed into, the people's account that holds every
    person's points (the sub-ledger splits it by person) and the public pool of donations."""

    kind: ClassVar[str] = "set_inclusive_accounts"
    treasury: str = declare(Ref(prefix="A"))
    people: str = declare(Ref(prefix="A"))
    pool: str = declare(Ref(prefix="A"))


@dataclass(frozen=True, slots=True, kw_only=True)
class PoolReductions(Command):
    """The operator pools settled days of one year into credits under a pooled project; a
    verifier decides (``DecidePool``)."""

    kind: ClassVar[str] = "pool_inclusive_reductions"
    project: str = declare(Matching(pattern=PROJECT_RE, message="project must look like "
                                    "CQ0001", examples=("CQ0007",)))
    first_day: str = declare(Day(examples=("2026-01-01",)))
    last_day: str = declare(Day(examples=("2026-06-30",)))
    checks = (_period,)


@dataclass(frozen=True, slots=True, kw_only=True)
class DecidePool(Command):
    """A verifier approves a pool (its credits are issued to the project's account, the
    buffer share to the buffer pool) or rejects it (its days may be pooled again)."""

    kind: ClassVar[str] = "decide_inclusive_pool"
    pool: str = declare(Matching(pattern=POOL_ID_RE, message="pool must look like IP000001",
                                 examples=("IP000001",)))
    approve: bool = declare(Flag())
    opinion: str = declare(Text(max_len=500, required=False), "")


@dataclass(frozen=True, slots=True, kw_only=True)
class SetConsent(Command):
    """A person authorises a partner's data to count for them, or withdraws it: batches
    ingested afterwards are checked against it (``no_consent``)."""

    kind: ClassVar[str] = "set_inclusive_consent"
    person: int = declare(Person())
    partner: str = declare(Ref(prefix="P", description="the partner's party"))
    allow: bool = declare(Flag())


INCLUSIVE_COMMANDS: tuple[type[Command], ...] = (
    SetInclusiveAccounts, RegisterPartner, SettleDay, AddReward, RedeemPoints, DonatePoints,
    PoolReductions, DecidePool, SetConsent)
