"""Tables. The journal is the book of record; the other ledger tables are its projection
(the current state), rewritten by the sequencer in the same transaction as the entries.

Schema changes go through Alembic migrations in ``qingshan/infra/migrations``; this module
describes the current schema for queries. The SQL stays within what PostgreSQL-compatible
distributed engines accept (no triggers, no stored procedures).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
)

from qingshan.infra.metadata import metadata as metadata
from qingshan.infra.schema_inclusive import *  # noqa: F403  (carbon-inclusive tables)
from qingshan.infra.schema_lending import *  # noqa: F403  (pledge loans' tables)
from qingshan.infra.schema_rights import *  # noqa: F403  (resource rights' tables)

parties = Table(
    "parties", metadata,
    Column("id", String(16), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("name", String(200), nullable=False),
    Column("identifier", String(32), unique=True),
)

accounts = Table(
    "accounts", metadata,
    Column("id", String(16), primary_key=True),
    Column("party_id", String(16), nullable=False, index=True),
    Column("type", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("label", String(120), nullable=False),
)

asset_classes = Table(
    "asset_classes", metadata,
    Column("code", String(10), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("unit", String(16), nullable=False),
    Column("name", String(120), nullable=False),
    Column("registry", String(10), nullable=False),
    Column("next_serial", BigInteger, nullable=False),
)

issuances = Table(
    "issuances", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("asset", String(10), nullable=False),
    Column("project", String(16), nullable=False, index=True),
    Column("vintage", Integer, nullable=False),
    Column("serial_start", BigInteger, nullable=False),
    Column("serial_end", BigInteger, nullable=False),
    Column("monitoring_start", String(10), nullable=False),
    Column("monitoring_end", String(10), nullable=False),
    Column("reference", Text, nullable=False),
    Column("category", String(32)),  # the methodology's sector: forestry, energy, … (0004)
)

unit_blocks = Table(
    "unit_blocks", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("asset", String(10), nullable=False),
    Column("issuance", BigInteger, nullable=False),
    Column("vintage", Integer, nullable=False),
    Column("serial_start", BigInteger, nullable=False),
    Column("serial_end", BigInteger, nullable=False),
    Column("account", String(16), nullable=False),
    Column("state", String(16), nullable=False),
    Column("hold", String(16)),
    Index("ix_unit_blocks_account", "account", "asset", "state"),
    Index("ix_unit_blocks_serial", "asset", "serial_start"),
)

balances = Table(
    "balances", metadata,
    Column("account", String(16), primary_key=True),
    Column("asset", String(10), primary_key=True),
    Column("balance", BigInteger, nullable=False),
    Column("held", BigInteger, nullable=False),
)

holds = Table(
    "holds", metadata,
    Column("id", String(16), primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("account", String(16), nullable=False, index=True),
    Column("asset", String(10), nullable=False),
    Column("quantity", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),
    Column("controller", String(16)),
    Column("reference", String(120), nullable=False),
    Column("destination", String(16)),  # the account named to enforce into (0006)
)

retirements = Table(
    "retirements", metadata,
    Column("id", String(16), primary_key=True),
    Column("seq", BigInteger, nullable=False, index=True),
    Column("account", String(16), nullable=False, index=True),
    Column("asset", String(10), nullable=False),
    Column("quantity", BigInteger, nullable=False),
    Column("purpose", String(32), nullable=False),
    Column("beneficiary", String(200), nullable=False),
    Column("reason", Text, nullable=False),
    Column("reference", String(120), nullable=False),
    Column("ranges", Text, nullable=False),  # JSON [[start, end], …]
)

journal = Table(
    "journal", metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("time_ms", BigInteger, nullable=False),
    Column("actor", String(64), nullable=False, index=True),
    Column("idem_key", String(300), nullable=False, unique=True),
    Column("request_hash", String(64), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("entry", Text, nullable=False),  # canonical JSON: the leaf's data
    Column("leaf_hash", LargeBinary(32), nullable=False),
)

postings = Table(
    "postings", metadata,
    Column("seq", BigInteger, nullable=False),
    Column("account", String(16), nullable=False),
    Column("asset", String(10), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Index("ix_postings_account", "account", "asset", "seq"),
)

serial_events = Table(
    "serial_events", metadata,
    Column("seq", BigInteger, nullable=False),
    Column("asset", String(10), nullable=False),
    Column("serial_start", BigInteger, nullable=False),
    Column("serial_end", BigInteger, nullable=False),
    Column("from_account", String(16)),
    Column("to_account", String(16), nullable=False),
    Column("state", String(16), nullable=False),
    Index("ix_serial_events_range", "asset", "serial_start", "serial_end"),
    Index("ix_serial_events_account", "to_account"),
)

ledger_counters = Table(
    "ledger_counters", metadata,
    Column("name", String(16), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

log_nodes = Table(
    "log_nodes", metadata,
    Column("level", Integer, primary_key=True, autoincrement=False),
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary(32), nullable=False),
)

tree_heads = Table(
    "tree_heads", metadata,
    Column("size", BigInteger, primary_key=True, autoincrement=False),
    Column("root", LargeBinary(32), nullable=False),
    Column("timestamp_ms", BigInteger, nullable=False),
    Column("signature", LargeBinary(64), nullable=False),
    Column("key_id", String(32), nullable=False),
)

# API keys as the access book journals them (0005); keys made before 0005 have no seq.
api_keys = Table(
    "api_keys", metadata,
    Column("id", String(32), primary_key=True),  # public key id, the part before the dot
    Column("role", String(16), nullable=False),
    Column("party_id", String(16)),
    Column("label", String(120), nullable=False),
    Column("created_ms", BigInteger, nullable=False),
    Column("revoked", Boolean, nullable=False, default=False),
    Column("expires_ms", BigInteger, nullable=False),
    Column("seq", BigInteger),  # the journal entry that created the key
    Column("created_by", String(32)),
    Column("revoked_ms", BigInteger),
    Column("revoked_seq", BigInteger),  # the journal entry that revoked it
    Column("revoked_by", String(32)),
)

# What proves a key: the SHA-256 of the whole key (hex), written by the edge, never journaled.
api_key_secrets = Table(
    "api_key_secrets", metadata,
    Column("key_id", String(32), primary_key=True),
    Column("secret_hash", String(64), nullable=False),
)

# Signed-in browser sessions: the cookie holds a random id; only its SHA-256 is stored.
web_sessions = Table(
    "web_sessions", metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("key_id", String(32), nullable=False, index=True),
    Column("created_ms", BigInteger, nullable=False),
    Column("expires_ms", BigInteger, nullable=False),
)


# ------------------------------------------------------------------------------ registry

registry_projects = Table(
    "registry_projects", metadata,
    Column("id", String(16), primary_key=True),
    Column("proponent", String(16), nullable=False, index=True),
    Column("account", String(16), nullable=False),
    Column("name", String(200), nullable=False),
    Column("methodology", String(40), nullable=False, index=True),
    Column("sector", String(32), nullable=False, index=True),
    Column("asset", String(10), nullable=False),
    Column("district", String(6), nullable=False, index=True),
    Column("lat_e6", BigInteger, nullable=False),
    Column("lon_e6", BigInteger, nullable=False),
    Column("crediting_start", String(10), nullable=False),
    Column("crediting_end", String(10), nullable=False),
    Column("estimated_annual", BigInteger, nullable=False),
    Column("description", Text, nullable=False),
    Column("documents", Text, nullable=False),  # JSON [{name, sha256, url}]
    Column("status", String(16), nullable=False, index=True),
    Column("validator", String(16)),
    Column("created_seq", BigInteger, nullable=False),
    Column("updated_seq", BigInteger, nullable=False),
    # the fixed parameters recorded by (re-)validation, JSON {parameter: "decimal"}
    Column("fixed", Text, nullable=False, server_default="{}"),
    Column("plant_code", String(64), nullable=False, server_default=""),  # in the GEC lists
)

registry_reports = Table(
    "registry_reports", metadata,
    Column("id", String(16), primary_key=True),
    Column("project", String(16), nullable=False, index=True),
    Column("period_start", String(10), nullable=False),
    Column("period_end", String(10), nullable=False),
    Column("measured", Text, nullable=False),  # JSON {parameter: "decimal"}
    Column("documents", Text, nullable=False),
    Column("claimed", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),
    Column("verified", BigInteger, nullable=False),
    Column("verifier", String(16)),
    Column("opinion", Text, nullable=False),
    Column("seq", BigInteger, nullable=False),
    # what the claim rests on besides the measured values: JSON {fixed, derived, factors,
    # declarations}
    Column("basis", Text, nullable=False, server_default="{}"),
)

registry_issuance_requests = Table(
    "registry_issuance_requests", metadata,
    Column("id", String(16), primary_key=True),
    Column("report", String(16), nullable=False, index=True),
    Column("project", String(16), nullable=False, index=True),
    Column("quantity", BigInteger, nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("issuance", BigInteger),
    Column("buffer", BigInteger, nullable=False),
    Column("reason", Text, nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("factors", Text, nullable=False, server_default="[]"),  # grid-factor rows, JSON
)

registry_events = Table(
    "registry_events", metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("n", Integer, primary_key=True, autoincrement=False),
    Column("project", String(16), nullable=False, index=True),
    Column("kind", String(40), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("reason", Text, nullable=False),
)


registry_validations = Table(  # every (re-)validation and the fixed values it recorded
    "registry_validations", metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("project", String(16), primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("methodology", String(40), nullable=False),
    Column("fixed", Text, nullable=False),  # JSON {parameter: "decimal"}
    Column("verifier", String(16), nullable=False),
    Column("reason", Text, nullable=False),
    Index("ix_registry_validations_project", "project"),
)

registry_grid_factors = Table(
    "registry_grid_factors", metadata,
    Column("id", String(48), primary_key=True),
    Column("kind", String(16), nullable=False),  # om | bm | cm | average
    Column("region", String(40), nullable=False),
    Column("provinces", String(200), nullable=False),  # GB/T 2260 province codes, ';'
    Column("year", Integer, nullable=False),
    Column("value", String(24), nullable=False),  # tCO2/MWh, decimal text
    Column("document", Text, nullable=False),
    Column("locator", Text, nullable=False),
    Column("url", Text, nullable=False),
    Column("published", String(10), nullable=False),
    Column("seq", BigInteger, nullable=False),
)

registry_green_certificates = Table(  # the imported green-certificate (GEC) issuance list
    "registry_green_certificates", metadata,
    Column("reference", String(64), primary_key=True),
    Column("plant_code", String(64), nullable=False, index=True),
    Column("period_start", String(10), nullable=False),
    Column("period_end", String(10), nullable=False),
    Column("mwh", String(32), nullable=False),
    Column("source", Text, nullable=False),
    Column("seq", BigInteger, nullable=False),
)

registry_losses = Table(  # reversals and the units cancelled to cover them
    "registry_losses", metadata,
    Column("id", String(16), primary_key=True),
    Column("project", String(16), nullable=False, index=True),
    Column("asset", String(10), nullable=False),
    Column("quantity", BigInteger, nullable=False),
    Column("cause", String(32), nullable=False),
    Column("avoidable", Boolean, nullable=False),
    Column("occurred", String(10), nullable=False),
    Column("found_by", String(16), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("buffer_cancelled", BigInteger, nullable=False),
    Column("proponent_cancelled", BigInteger, nullable=False),
    Column("description", Text, nullable=False),
    Column("documents", Text, nullable=False),
    Column("seq", BigInteger, nullable=False),
)

registry_settings = Table(  # e.g. legacy_until_seq: the last entry under registry rules 1
    "registry_settings", metadata,
    Column("key", String(40), primary_key=True),
    Column("value", BigInteger, nullable=False),
)


# ------------------------------------------------------------------------------ market

market_instruments = Table(
    "market_instruments", metadata,
    Column("id", String(24), primary_key=True),
    Column("asset", String(10), nullable=False),
    Column("tick", BigInteger, nullable=False),
    Column("lot", BigInteger, nullable=False),
    Column("band_bps", Integer, nullable=False),
    Column("reference_price", BigInteger, nullable=False),
    Column("max_order", BigInteger, nullable=False),
    Column("fee_bps", Integer, nullable=False),
    Column("fee_account", String(16), nullable=False),
    Column("t_plus_one", Boolean, nullable=False),
    Column("block_band_bps", Integer, nullable=False),
    Column("block_min", BigInteger, nullable=False),
    Column("max_position", BigInteger, nullable=False),
    Column("max_orders_per_minute", BigInteger, nullable=False),
    Column("phase", String(12), nullable=False),
    Column("vintage_from", Integer, nullable=False),
    Column("vintage_to", Integer, nullable=False),
    Column("categories", Text),  # comma-separated issuance categories; NULL: any (0004)
    Column("rules", Integer, nullable=False, server_default="1"),  # settlement rules (0004)
    Column("sessions", Text),  # trading sessions, minutes after midnight Beijing (0004)
    Column("modes", Text),  # enabled trading modes; NULL: all (0004)
    Column("mode_fees", Text),  # fee bps by mode, beside fee_bps (0004)
)

market_orders = Table(
    "market_orders", metadata,
    Column("id", String(16), primary_key=True),
    Column("instrument", String(24), nullable=False),
    Column("account", String(16), nullable=False, index=True),
    Column("party", String(16), nullable=False),
    Column("side", String(4), nullable=False),
    Column("order_type", String(8), nullable=False),
    Column("price", BigInteger, nullable=False),
    Column("quantity", BigInteger, nullable=False),
    Column("remaining", BigInteger, nullable=False),
    Column("status", String(12), nullable=False),
    Column("hold", String(16), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("counterparty", String(16)),
    Column("time_ms", BigInteger, nullable=False),
    Column("ends_at", BigInteger, nullable=False),
    # why a cancelled order was cancelled (rules 3), e.g. account_frozen (0006)
    Column("reason", String(24), nullable=False, server_default=""),
    Index("ix_market_orders_book", "instrument", "status", "side", "price"),
)

market_trades = Table(
    "market_trades", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("instrument", String(24), nullable=False),
    Column("price", BigInteger, nullable=False),
    Column("quantity", BigInteger, nullable=False),
    Column("buy_order", String(16), nullable=False),
    Column("sell_order", String(16), nullable=False),
    Column("aggressor", String(8), nullable=False),
    Column("buyer_fee", BigInteger, nullable=False),
    Column("seller_fee", BigInteger, nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("day", Integer, nullable=False),
    Index("ix_market_trades_instrument", "instrument", "seq"),
)


# ---------------------------------------------------------------------- judicial (以碳代偿)
judicial_cases = Table(  # a court's order carried out in credits (migration 0008)
    "judicial_cases", metadata,
    Column("id", String(16), primary_key=True),
    Column("court", String(16), nullable=False, index=True),
    Column("number", String(64), nullable=False),
    Column("cause", Text, nullable=False),
    Column("defendants", Text, nullable=False),  # JSON [{name, kind}]: sealed, whole names
    Column("judgment_date", String(10), nullable=False),
    Column("compensation_fen", BigInteger, nullable=False),
    Column("tonnes", BigInteger, nullable=False),
    Column("deadline", String(10), nullable=False),
    Column("restoration", Text, nullable=False),
    Column("asset", String(10), nullable=False),
    Column("categories", Text, nullable=True),  # JSON list; NULL: any
    Column("cap_price", BigInteger, nullable=False),
    Column("account", String(16), nullable=False),
    Column("refund_account", String(16), nullable=False),
    Column("status", String(12), nullable=False),
    Column("created_seq", BigInteger, nullable=False),
    Column("updated_seq", BigInteger, nullable=False),
    Column("paid", BigInteger, nullable=False),
    Column("spent", BigInteger, nullable=False),
    Column("fees", BigInteger, nullable=False),
    Column("refunded", BigInteger, nullable=False),
    Column("bought", BigInteger, nullable=False),
    Column("retired", BigInteger, nullable=False),
    Column("retirement", String(16), nullable=True),
    Column("closed_date", String(10), nullable=False),
    Column("project", String(16), nullable=True),  # credits of this project only
)

judicial_offers = Table(  # sellers' bilateral offers of named serials to a case
    "judicial_offers", metadata,
    Column("id", String(16), primary_key=True),
    Column("case_id", String(16), nullable=False, index=True),
    Column("account", String(16), nullable=False),
    Column("party", String(16), nullable=False),
    Column("ranges", Text, nullable=False),  # JSON [[start, end], …]
    Column("price", BigInteger, nullable=False),
    Column("status", String(12), nullable=False),
    Column("seq", BigInteger, nullable=False),
)

judicial_payments = Table(
    "judicial_payments", metadata,
    Column("reference", String(64), primary_key=True),
    Column("case_id", String(16), nullable=False, index=True),
    Column("amount", BigInteger, nullable=False),
    Column("payer", String(100), nullable=False),
    Column("seq", BigInteger, nullable=False),
)

judicial_purchases = Table(
    "judicial_purchases", metadata,
    Column("id", String(16), primary_key=True),
    Column("case_id", String(16), nullable=False, index=True),
    Column("instrument", String(24), nullable=False),
    Column("quantity", BigInteger, nullable=False),
    Column("value", BigInteger, nullable=False),
    Column("fee", BigInteger, nullable=False),
    Column("limit_price", BigInteger, nullable=False),
    Column("trades", Text, nullable=False),  # JSON list of market trade ids
    Column("seq", BigInteger, nullable=False),
)

judicial_events = Table(  # each case's history: entered, amended (with the ruling), paid, …
    "judicial_events", metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("n", Integer, primary_key=True, autoincrement=False),
    Column("case_id", String(16), nullable=False, index=True),
    Column("kind", String(40), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("note", Text, nullable=False),
)
