"""judicial: courts' cases carried out in credits (以碳代偿), payments, purchases, offers, history

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 23:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "judicial_cases",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("court", sa.String(length=16), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("cause", sa.Text(), nullable=False),
        sa.Column("defendants", sa.Text(), nullable=False),
        sa.Column("judgment_date", sa.String(length=10), nullable=False),
        sa.Column("compensation_fen", sa.BigInteger(), nullable=False),
        sa.Column("tonnes", sa.BigInteger(), nullable=False),
        sa.Column("deadline", sa.String(length=10), nullable=False),
        sa.Column("restoration", sa.Text(), nullable=False),
        sa.Column("asset", sa.String(length=10), nullable=False),
        sa.Column("categories", sa.Text(), nullable=True),
        sa.Column("cap_price", sa.BigInteger(), nullable=False),
        sa.Column("account", sa.String(length=16), nullable=False),
        sa.Column("refund_account", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_seq", sa.BigInteger(), nullable=False),
        sa.Column("updated_seq", sa.BigInteger(), nullable=False),
        sa.Column("paid", sa.BigInteger(), nullable=False),
        sa.Column("spent", sa.BigInteger(), nullable=False),
        sa.Column("fees", sa.BigInteger(), nullable=False),
        sa.Column("refunded", sa.BigInteger(), nullable=False),
        sa.Column("bought", sa.BigInteger(), nullable=False),
        sa.Column("retired", sa.BigInteger(), nullable=False),
        sa.Column("retirement", sa.String(length=16), nullable=True),
        sa.Column("closed_date", sa.String(length=10), nullable=False),
        sa.Column("project", sa.String(length=16), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_judicial_cases_court", "judicial_cases", ["court"])
    op.create_table(
        "judicial_offers",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("case_id", sa.String(length=16), nullable=False),
        sa.Column("account", sa.String(length=16), nullable=False),
        sa.Column("party", sa.String(length=16), nullable=False),
        sa.Column("ranges", sa.Text(), nullable=False),
        sa.Column("price", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_judicial_offers_case_id", "judicial_offers", ["case_id"])
    op.create_table(
        "judicial_payments",
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=16), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("payer", sa.String(length=100), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("reference"),
    )
    op.create_index("ix_judicial_payments_case_id", "judicial_payments", ["case_id"])
    op.create_table(
        "judicial_purchases",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("case_id", sa.String(length=16), nullable=False),
        sa.Column("instrument", sa.String(length=24), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("fee", sa.BigInteger(), nullable=False),
        sa.Column("limit_price", sa.BigInteger(), nullable=False),
        sa.Column("trades", sa.Text(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_judicial_purchases_case_id", "judicial_purchases", ["case_id"])
    op.create_table(
        "judicial_events",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("n", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("case_id", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("seq", "n"),
    )
    op.create_index("ix_judicial_events_case_id", "judicial_events", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_judicial_events_case_id", table_name="judicial_events")
    op.drop_table("judicial_events")
    op.drop_index("ix_judicial_purchases_case_id", table_name="judicial_purchases")
    op.drop_table("judicial_purchases")
    op.drop_index("ix_judicial_payments_case_id", table_name="judicial_payments")
    op.drop_table("judicial_payments")
    op.drop_index("ix_judicial_offers_case_id", table_name="judicial_offers")
    op.drop_table("judicial_offers")
    op.drop_index("ix_judicial_cases_court", table_name="judicial_cases")
    op.drop_table("judicial_cases")
