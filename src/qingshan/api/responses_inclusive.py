"""Response bodies of carbon-inclusive routes (OpenAPI), as ``qingshan.inclusive.queries`` and
the sub-ledger return them. Grams are grams of CO2e (points); days are ISO dates in Beijing
time."""

from __future__ import annotations

from qingshan.api.responses import Out


class Scenario(Out):
    """A scenario with the factor in force today, its caps, the fields it needs and its
    source (docs/methodologies.md)."""

    code: str
    name_zh: str
    name_en: str
    group: str
    unit: str
    formula: str
    baseline: str | None
    factor: str
    factor_g_per_unit: str
    effective: str
    source: str
    verified: bool
    daily_events: int | None
    daily_grams: int | None
    yearly_grams: int | None
    max_quantity: int | None
    fields: list[str]
    versions: int


class Summary(Out):
    """Public totals over settled days."""

    people: int
    days: int
    first_day: str | None
    last_day: str | None
    grams: int
    events: int
    by_scenario: dict[str, int]
    by_district: dict[str, int]
    by_partner: dict[str, int]
    by_month: dict[str, int]
    spent: dict[str, int]


class Reward(Out):
    reward: str
    name: str
    price: int
    stock: int
    sponsor: str


class BatchResult(Out):
    """A partner's file as the sub-ledger took it (``replayed``: the same bytes came before,
    and this is the first answer)."""

    batch: str
    partner: str
    lines: int
    accepted: int
    duplicates: int
    rejected: int
    grams: int
    first_day: str | None
    last_day: str | None
    replayed: bool


class Batch(Out):
    batch: str
    name: str
    format: str
    received_ms: int
    lines: int
    accepted: int
    duplicates: int
    rejected: int
    grams: int
    first_day: str | None
    last_day: str | None


class BatchDetail(Batch):
    partner: str


class Reject(Out):
    line: int
    event_id: str | None
    code: str
    reason: str


class CappedPerson(Out):
    person: int
    events: int


class Anomalies(Out):
    partner: str
    lines: int
    accepted: int
    duplicates: int
    rejected: int
    reject_rate_bps: int
    duplicate_rate_bps: int
    rejects_by_code: dict[str, int]
    uncredited_by_reason: dict[str, int]
    most_capped_people: list[CappedPerson]


class SpendRow(Out):
    spend: str
    kind: str
    grams: int
    reward: str | None
    quantity: int
    note: str
    day: str


class PartnerConsent(Out):
    partner: str
    name: str
    allowed: bool


class Account(Out):
    """A person's balance (settled postings less spends), what is posted but not settled,
    credited grams by month and scenario, and every spend."""

    person: int
    district: str
    consent: int
    partners: list[PartnerConsent]
    enrolled: str
    balance: int
    settled: int
    pending: int
    spent: int
    by_month: dict[str, dict[str, int]]
    spends: list[SpendRow]
    last_settled: str | None


class StatementLine(Out):
    partner: str
    event_id: str
    scenario: str
    start_ms: int
    end_ms: int | None
    quantity: int | None
    baseline: int | None
    grams: int
    credited: int
    uncredited: str | None


class Posting(Out):
    day: str
    grams: int
    events: int
    settled: bool
    lines: list[StatementLine]


class Export(Out):
    """Everything the platform holds of a person."""

    account: Account
    postings: list[Posting]


class DayClosed(Out):
    """A day as the sub-ledger closed it: its postings' Merkle root, counts and totals."""

    day: str
    root: str
    people: int
    events: int
    grams: int
    by_scenario: dict[str, int]
    parameter_set: str


class Enrolled(Out):
    sent: int
    enrolled: int


class PostingProof(Out):
    """A person's posting of a settled day and its inclusion proof in the day's root."""

    day: str
    person: int
    grams: int
    events: int
    leaf: str
    index: int
    size: int
    proof: list[str]
    root: str
