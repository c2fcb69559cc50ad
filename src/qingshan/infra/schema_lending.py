"""Pledge loans' tables (migration 0010): banks' credit lines to districts, appraisals of
forestry projects' expected carbon income, loans with their pledges, repayments and alerts.
Part of the schema (``qingshan.infra.schema`` re-exports them)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Integer, String, Table, Text

from qingshan.infra.metadata import metadata

__all__ = ["lending_alerts", "lending_appraisals", "lending_lines", "lending_loans",
           "lending_repayments", "lending_settings"]

lending_lines = Table(  # a bank's credit line to a district (e.g. 50 M yuan to 武隆)
    "lending_lines", metadata,
    Column("id", String(16), primary_key=True),
    Column("bank", String(16), nullable=False, index=True),
    Column("district", String(8), nullable=False),
    Column("limit_fen", BigInteger, nullable=False),
    Column("start_day", String(10), nullable=False),
    Column("end_day", String(10), nullable=False),
    Column("seq", BigInteger, nullable=False),
)

lending_appraisals = Table(  # every input and result of a valuation (body: JSON)
    "lending_appraisals", metadata,
    Column("id", String(16), primary_key=True),
    Column("project", String(16), nullable=False, index=True),
    Column("bank", String(16), nullable=False, index=True),
    Column("day", String(10), nullable=False),
    Column("reason", String(16), nullable=False),
    Column("loan", String(16)),
    Column("parameter_set", String(64), nullable=False),
    Column("body", Text, nullable=False),
    Column("collateral", BigInteger, nullable=False),
    Column("ceiling", BigInteger, nullable=False),
    Column("seq", BigInteger, nullable=False),
)

lending_loans = Table(  # loans against forestry projects, their pledges' hold ids as JSON
    "lending_loans", metadata,
    Column("id", String(16), primary_key=True),
    Column("bank", String(16), nullable=False, index=True),
    Column("borrower", String(16), nullable=False, index=True),
    Column("project", String(16), nullable=False, index=True),
    Column("account", String(16), nullable=False),
    Column("asset", String(16), nullable=False),
    Column("line", String(16)),
    Column("appraisal", String(16), nullable=False),
    Column("principal", BigInteger, nullable=False),
    Column("rate_bps", Integer, nullable=False),
    Column("start_day", String(10), nullable=False),
    Column("term_months", Integer, nullable=False),
    Column("repayment", String(16), nullable=False),
    Column("max_ltv_bps", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("repaid", BigInteger, nullable=False),
    Column("interest", BigInteger, nullable=False),
    Column("holds", Text, nullable=False),
    Column("pledged", BigInteger, nullable=False),
    Column("latest_appraisal", String(16), nullable=False),
    Column("closed", String(10)),
    Column("seq", BigInteger, nullable=False),
    Column("updated_seq", BigInteger, nullable=False),
)

lending_repayments = Table(  # what the bank recorded the borrower paid
    "lending_repayments", metadata,
    Column("id", String(16), primary_key=True),
    Column("loan", String(16), nullable=False, index=True),
    Column("day", String(10), nullable=False),
    Column("principal", BigInteger, nullable=False),
    Column("interest", BigInteger, nullable=False),
    Column("seq", BigInteger, nullable=False),
)

lending_alerts = Table(  # covenant breaches, disturbances, new pledges, defaults
    "lending_alerts", metadata,
    Column("id", String(16), primary_key=True),
    Column("loan", String(16), nullable=False, index=True),
    Column("bank", String(16), nullable=False, index=True),
    Column("kind", String(24), nullable=False),
    Column("day", String(10), nullable=False),
    Column("note", Text, nullable=False),
    Column("seq", BigInteger, nullable=False),
)

lending_settings = Table(  # e.g. rules1_until_seq: the last entry under pledge-loan rules 1 (0012)
    "lending_settings", metadata,
    Column("key", String(40), primary_key=True),
    Column("value", BigInteger, nullable=False),
)
