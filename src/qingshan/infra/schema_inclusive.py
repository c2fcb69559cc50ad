"""Carbon-inclusive tables (migration 0011). The book's (written by the sequencer): settings
(the accounts of points), partners, settled days, rewards and spends. The people's
sub-ledger's (written in bulk by ``qingshan.inclusive.ingest``, outside the sequencer): people,
batches, rejects, postings (one per person per day) and closes. Part of the schema
(``qingshan.infra.schema`` re-exports them)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, String, Table, Text

from qingshan.infra.metadata import metadata

__all__ = [
           "inclusive_batches",
           "inclusive_closes",
           "inclusive_days",
           "inclusive_partners",
           "inclusive_people",
           "inclusive_pools",
           "inclusive_postings",
           "inclusive_rejects",
           "inclusive_rewards",
           "inclusive_settings",
           "inclusive_spends",
]

inclusive_settings = Table(
    "inclusive_settings", metadata,
    Column("name", String(16), primary_key=True),
    Column("value", String(16), nullable=False),
)

inclusive_partners = Table(
    "inclusive_partners", metadata,
    Column("id", String(16), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("scenarios", Text, nullable=False),  # comma-separated codes
    Column("slot", Integer, nullable=False),
    Column("seq", BigInteger, nullable=False),
)

inclusive_days = Table(  # settled days: what the journal holds of each
    "inclusive_days", metadata,
    Column("day", Integer, primary_key=True, autoincrement=False),  # days since 1970-01-01
    Column("root", String(64), nullable=False),
    Column("people", BigInteger, nullable=False),
    Column("events", BigInteger, nullable=False),
    Column("grams", BigInteger, nullable=False),
    Column("by_scenario", Text, nullable=False),
    Column("parameter_set", String(64), nullable=False),
    Column("seq", BigInteger, nullable=False),
)

inclusive_rewards = Table(
    "inclusive_rewards", metadata,
    Column("id", String(16), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("price", BigInteger, nullable=False),
    Column("stock", BigInteger, nullable=False),
    Column("sponsor", String(16), nullable=False),
    Column("seq", BigInteger, nullable=False),
)

inclusive_spends = Table(
    "inclusive_spends", metadata,
    Column("id", String(16), primary_key=True),
    Column("person", BigInteger, nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("grams", BigInteger, nullable=False),
    Column("reward", String(16)),
    Column("quantity", Integer, nullable=False),
    Column("note", Text, nullable=False),
    Column("day", Integer, nullable=False),
    Column("seq", BigInteger, nullable=False),
)

inclusive_people = Table(  # enrolled people: district and consents (a bit per partner slot)
    "inclusive_people", metadata,
    Column("person", BigInteger, primary_key=True, autoincrement=False),
    Column("district", String(6), nullable=False),
    Column("consent", BigInteger, nullable=False),
    Column("enrolled", Integer, nullable=False),  # day
)

inclusive_batches = Table(  # one per partner file received (id: SHA-256 of partner and bytes)
    "inclusive_batches", metadata,
    Column("id", String(64), primary_key=True),
    Column("partner", String(16), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("format", String(8), nullable=False),
    Column("received_ms", BigInteger, nullable=False),
    Column("lines", BigInteger, nullable=False),
    Column("accepted", BigInteger, nullable=False),
    Column("duplicates", BigInteger, nullable=False),
    Column("rejected", BigInteger, nullable=False),
    Column("grams", BigInteger, nullable=False),
    Column("first_day", Integer),
    Column("last_day", Integer),
)

inclusive_rejects = Table(
    "inclusive_rejects", metadata,
    Column("batch", String(64), primary_key=True),
    Column("line", BigInteger, primary_key=True, autoincrement=False),
    Column("event_id", String(64)),
    Column("code", String(32), nullable=False),
    Column("reason", String(200), nullable=False),
)

inclusive_postings = Table(  # one per person per day
    "inclusive_postings", metadata,
    Column("person", BigInteger, primary_key=True, autoincrement=False),
    Column("day", Integer, primary_key=True, autoincrement=False),
    Column("grams", BigInteger, nullable=False),
    Column("events", Integer, nullable=False),
    Index("ix_inclusive_postings_day", "day"),
)

inclusive_closes = Table(  # a day closed by the sub-ledger (its postings all written)
    "inclusive_closes", metadata,
    Column("day", Integer, primary_key=True, autoincrement=False),
    Column("root", String(64), nullable=False),
    Column("people", BigInteger, nullable=False),
    Column("events", BigInteger, nullable=False),
    Column("grams", BigInteger, nullable=False),
    Column("by_scenario", Text, nullable=False),
    Column("by_district", Text, nullable=False),
    Column("by_partner", Text, nullable=False),
    Column("parameter_set", String(64), nullable=False),
    Column("closed_ms", BigInteger, nullable=False),
)

inclusive_pools = Table(  # settled days pooled into credits under a pooled project
    "inclusive_pools", metadata,
    Column("id", String(16), primary_key=True),
    Column("project", String(16), nullable=False),
    Column("first_day", Integer, nullable=False),
    Column("last_day", Integer, nullable=False),
    Column("grams", BigInteger, nullable=False),
    Column("carried_in", BigInteger, nullable=False),
    Column("tonnes", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),
    Column("buffer", BigInteger, nullable=False),
    Column("issuance", String(16)),
    Column("opinion", Text, nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("updated_seq", BigInteger, nullable=False),
)

inclusive_consents = Table(  # people's own consents to partners, journaled (the latest)
    "inclusive_consents", metadata,
    Column("person", BigInteger, primary_key=True, autoincrement=False),
    Column("partner", String(16), primary_key=True),
    Column("allow", Integer, nullable=False),
    Column("seq", BigInteger, nullable=False),
)
