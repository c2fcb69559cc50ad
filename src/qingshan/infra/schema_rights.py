"""Resource rights' tables (migration 0009): districts' measurements and successions,
indicator grants, contracts between districts, restoration projects and their development
rights. Part of the schema (``qingshan.infra.schema`` re-exports them)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Integer, String, Table, Text

from qingshan.infra.metadata import metadata

__all__ = ["rights_contracts", "rights_events", "rights_floors", "rights_grants",
           "rights_incomes", "rights_measurements", "rights_restorations",
           "rights_successions", "rights_transfers"]

rights_floors = Table(  # the operator's floor price per indicator (migration 0009)
    "rights_floors", metadata,
    Column("indicator", String(16), primary_key=True),
    Column("price", BigInteger, nullable=False),  # fen per unit
)

rights_measurements = Table(  # what the authority verified of a district, by indicator, year
    "rights_measurements", metadata,
    Column("district", String(16), primary_key=True),
    Column("indicator", String(16), primary_key=True),
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("amount", BigInteger, nullable=False),
    Column("basis", BigInteger, nullable=False),
    Column("target_bps", Integer, nullable=False),
    Column("source", Text, nullable=False),
    Column("seq", BigInteger, nullable=False),
)

rights_successions = Table(  # a district abolished and its successor (2025: 两江新区)
    "rights_successions", metadata,
    Column("predecessor", String(16), primary_key=True),
    Column("successor", String(16), nullable=False),
    Column("effective", String(10), nullable=False),
    Column("note", Text, nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("account", String(16), nullable=False),  # the successor's, where things go on
)

rights_grants = Table(  # indicators issued to a district for its verified surplus
    "rights_grants", metadata,
    Column("id", String(16), primary_key=True),
    Column("district", String(16), nullable=False, index=True),
    Column("indicator", String(16), nullable=False),
    Column("year", Integer, nullable=False),
    Column("quantity", BigInteger, nullable=False),
    Column("account", String(16), nullable=False),
    Column("serial_start", BigInteger, nullable=False),
    Column("seq", BigInteger, nullable=False),
)

rights_contracts = Table(  # contracts between districts (协议书), tranches as JSON
    "rights_contracts", metadata,
    Column("id", String(16), primary_key=True),
    Column("indicator", String(16), nullable=False),
    Column("seller", String(16), nullable=False, index=True),
    Column("buyer", String(16), nullable=False, index=True),
    Column("signed_seller", String(16), nullable=False),
    Column("signed_buyer", String(16), nullable=False),
    Column("quantity", BigInteger, nullable=False),
    Column("unit_price", BigInteger, nullable=False),
    Column("tranches", Text, nullable=False),
    Column("maintenance_years", Integer, nullable=False),
    Column("duties", Text, nullable=False),
    Column("signed_on", String(10), nullable=False),
    Column("seller_account", String(16), nullable=False),
    Column("buyer_account", String(16), nullable=True),
    Column("status", String(12), nullable=False),
    Column("created_seq", BigInteger, nullable=False),
    Column("updated_seq", BigInteger, nullable=False),
)

rights_restorations = Table(  # restoration projects and the development right they earn
    "rights_restorations", metadata,
    Column("id", String(16), primary_key=True),
    Column("restorer", String(16), nullable=False, index=True),
    Column("district", String(16), nullable=False),
    Column("site_kind", String(24), nullable=False),
    Column("site", Text, nullable=False),
    Column("area_mu", BigInteger, nullable=False),
    Column("plan", Text, nullable=False),
    Column("use", String(24), nullable=False),
    Column("started", String(10), nullable=False),
    Column("status", String(12), nullable=False),
    Column("created_seq", BigInteger, nullable=False),
    Column("updated_seq", BigInteger, nullable=False),
    Column("accepted_mu", BigInteger, nullable=False),
    Column("share_bps", Integer, nullable=False),
    Column("term_years", Integer, nullable=False),
    Column("granted", BigInteger, nullable=False),
    Column("account", String(16), nullable=True),
    Column("accepted_on", String(10), nullable=False),
    Column("report", Text, nullable=False),
    Column("serial_start", BigInteger, nullable=False),
    Column("serial_end", BigInteger, nullable=False),
)

rights_transfers = Table(  # development-right quota passed to a business's operator
    "rights_transfers", metadata,
    Column("id", String(16), primary_key=True),
    Column("restoration", String(16), nullable=False, index=True),
    Column("seq", BigInteger, nullable=False),
    Column("source", String(16), nullable=False),
    Column("destination", String(16), nullable=False),
    Column("party", String(16), nullable=False),
    Column("quantity", BigInteger, nullable=False),
    Column("use", String(24), nullable=False),
    Column("day", String(10), nullable=False),
)

rights_incomes = Table(  # what the business on a right earned, by year
    "rights_incomes", metadata,
    Column("restoration", String(16), primary_key=True),
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("amount", BigInteger, nullable=False),
    Column("reporter", String(64), nullable=False),
    Column("note", Text, nullable=False),
    Column("seq", BigInteger, nullable=False),
)

rights_events = Table(  # each district's, contract's and project's public history
    "rights_events", metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("n", Integer, primary_key=True, autoincrement=False),
    Column("subject", String(16), nullable=False, index=True),
    Column("kind", String(40), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("note", Text, nullable=False),
)
