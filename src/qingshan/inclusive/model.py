"""Carbon-inclusive records: partners, settled days, rewards and spends, and the codes an
event is refused or left uncredited with. Frozen values; no I/O."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

PARTNER_ID_RE = re.compile(r"^P[0-9]{6}$")  # a ledger party
REWARD_ID_RE = re.compile(r"^RW[0-9]{6}$")
SPEND_ID_RE = re.compile(r"^SP[0-9]{8}$")
EVENT_ID_RE = re.compile(r"^[\x21-\x7e]{1,64}$")  # a partner's own id: printable ASCII
MAX_PERSON = 10**12 - 1  # personal account numbers: CI and 12 digits
MAX_SLOTS = 62  # a person's consents are one bit per partner in a 64-bit integer
MS_PER_DAY = 86_400_000
BEIJING_MS = 8 * 3_600_000  # a day is a calendar day in Beijing time (UTC+8)
CLAIM_DAYS = 7  # an event is reported within 7 days of its day, else too_late (Beijing MaaS)
SETTLE_AFTER_DAYS = 2  # a day is settled 2 days after it ends, so late reports reconcile


EPOCH = dt.date(1970, 1, 1).toordinal()  # a day number is days since 1970-01-01


def iso_day(day: int) -> str:
    """A day number as YYYY-MM-DD."""
    return dt.date.fromordinal(EPOCH + day).isoformat()


def day_number(text: str) -> int:
    """YYYY-MM-DD as a day number."""
    return dt.date.fromisoformat(text).toordinal() - EPOCH


def day_of_ms(ms: int) -> int:
    """Days since 1970-01-01 of the Beijing calendar day holding Unix time ``ms``."""
    return (ms + BEIJING_MS) // MS_PER_DAY


class RejectCode(StrEnum):
    """Why an event is refused at ingestion (never dropped silently)."""

    BAD_FIELD = "bad_field"  # a field missing or malformed (the reason names it)
    UNKNOWN_PERSON = "unknown_person"
    UNKNOWN_SCENARIO = "unknown_scenario"
    SCENARIO_NOT_ALLOWED = "scenario_not_allowed"  # the partner may not report it
    NO_CONSENT = "no_consent"  # the person has not authorised this partner
    FUTURE_TIME = "future_time"
    TOO_LATE = "too_late"  # older than the claim window, or its day is settled
    BAD_QUANTITY = "bad_quantity"  # not positive, or above the scenario's maximum
    IMPOSSIBLE_SPEED = "impossible_speed"  # faster than the mode can go, or no duration
    OVERLAPPING_TRIP = "overlapping_trip"  # one person on two trips at once
    DEVICE_VELOCITY = "device_velocity"  # one device reporting for too many people


class Uncredited(StrEnum):
    """Why an accepted event earns less than it avoided, decided when its day is closed."""

    DAILY_EVENTS = "daily_events"
    DAILY_GRAMS = "daily_grams"
    YEARLY_GRAMS = "yearly_grams"
    OVERLAPPING_TRIP = "overlapping_trip"  # overlaps a trip another partner reported


class PoolStatus(StrEnum):
    PROPOSED = "proposed"  # the operator pooled settled days; a verifier decides
    ISSUED = "issued"
    REJECTED = "rejected"  # its days may be pooled again


GRAMS_PER_TONNE = 1_000_000
POOL_ID_RE = re.compile(r"^IP[0-9]{6}$")


@dataclass(frozen=True, slots=True, kw_only=True)
class Pool:
    """Settled days pooled into credits under a pooled project: their grams, plus what the
    last issued pool carried over, make whole tonnes (rounded down; the rest is carried to the
    next pool, never counted twice)."""

    id: str
    project: str
    first_day: int
    last_day: int
    grams: int  # the days' settled grams
    carried_in: int  # grams left over from the last issued pool
    tonnes: int  # ⌊(grams + carried_in) / 10⁶⌋
    status: PoolStatus
    buffer: int = 0  # tonnes to the buffer pool
    issuance: str | None = None
    opinion: str = ""
    seq: int
    updated_seq: int

    @property
    def carried_out(self) -> int:
        return self.grams + self.carried_in - self.tonnes * GRAMS_PER_TONNE


class SpendKind(StrEnum):
    REDEEM = "redeem"  # for a reward of the catalogue
    DONATE = "donate"  # to the public pool


@dataclass(frozen=True, slots=True, kw_only=True)
class Partner:
    """A system that reports people's behaviour (metro, buses, bike share, the grid, …): a
    ledger party, the scenarios it may report, and its slot in people's consent masks."""

    id: str  # the party
    name: str
    scenarios: tuple[str, ...]
    slot: int  # 0 … MAX_SLOTS - 1
    seq: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Consent:
    """A person's own authorisation of a partner's data (or its withdrawal), journaled; it
    overrides the consents given at enrolment, for every batch ingested after it."""

    person: int
    partner: str
    allow: bool
    seq: int


@dataclass(frozen=True, slots=True, kw_only=True)
class DayClose:
    """A day's postings as the sub-ledger closed them: the Merkle root of its postings (one
    per person, in person order), their count and totals, by scenario, under a parameter set."""

    day: int  # days since 1970-01-01 (Beijing calendar)
    root: str  # hex SHA-256
    people: int
    events: int
    grams: int
    by_scenario: tuple[tuple[str, int], ...]
    parameter_set: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SettledDay:
    close: DayClose
    seq: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Reward:
    id: str
    name: str
    price: int  # grams of CO2e
    stock: int  # still available
    sponsor: str  # the party that funds it (a partner or the operator)
    seq: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Spend:
    id: str
    person: int
    kind: SpendKind
    grams: int
    reward: str | None
    quantity: int
    note: str
    day: int
    seq: int
