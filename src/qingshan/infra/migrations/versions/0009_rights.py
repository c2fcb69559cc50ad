"""rights: districts' measurements and successions, indicator grants, contracts between
districts, restoration projects, development-right transfers and income, history

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 04:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rights_floors",
        sa.Column("indicator", sa.String(length=16), nullable=False),
        sa.Column("price", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("indicator"),
    )
    op.create_table(
        "rights_measurements",
        sa.Column("district", sa.String(length=16), nullable=False),
        sa.Column("indicator", sa.String(length=16), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("basis", sa.BigInteger(), nullable=False),
        sa.Column("target_bps", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("district", "indicator", "year"),
    )
    op.create_table(
        "rights_successions",
        sa.Column("predecessor", sa.String(length=16), nullable=False),
        sa.Column("successor", sa.String(length=16), nullable=False),
        sa.Column("effective", sa.String(length=10), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("account", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("predecessor"),
    )
    op.create_table(
        "rights_grants",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("district", sa.String(length=16), nullable=False),
        sa.Column("indicator", sa.String(length=16), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("account", sa.String(length=16), nullable=False),
        sa.Column("serial_start", sa.BigInteger(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_rights_grants_district", "rights_grants", ["district"])
    op.create_table(
        "rights_contracts",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("indicator", sa.String(length=16), nullable=False),
        sa.Column("seller", sa.String(length=16), nullable=False),
        sa.Column("buyer", sa.String(length=16), nullable=False),
        sa.Column("signed_seller", sa.String(length=16), nullable=False),
        sa.Column("signed_buyer", sa.String(length=16), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("unit_price", sa.BigInteger(), nullable=False),
        sa.Column("tranches", sa.Text(), nullable=False),
        sa.Column("maintenance_years", sa.Integer(), nullable=False),
        sa.Column("duties", sa.Text(), nullable=False),
        sa.Column("signed_on", sa.String(length=10), nullable=False),
        sa.Column("seller_account", sa.String(length=16), nullable=False),
        sa.Column("buyer_account", sa.String(length=16), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_seq", sa.BigInteger(), nullable=False),
        sa.Column("updated_seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_rights_contracts_buyer", "rights_contracts", ["buyer"])
    op.create_index("ix_rights_contracts_seller", "rights_contracts", ["seller"])
    op.create_table(
        "rights_restorations",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("restorer", sa.String(length=16), nullable=False),
        sa.Column("district", sa.String(length=16), nullable=False),
        sa.Column("site_kind", sa.String(length=24), nullable=False),
        sa.Column("site", sa.Text(), nullable=False),
        sa.Column("area_mu", sa.BigInteger(), nullable=False),
        sa.Column("plan", sa.Text(), nullable=False),
        sa.Column("use", sa.String(length=24), nullable=False),
        sa.Column("started", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_seq", sa.BigInteger(), nullable=False),
        sa.Column("updated_seq", sa.BigInteger(), nullable=False),
        sa.Column("accepted_mu", sa.BigInteger(), nullable=False),
        sa.Column("share_bps", sa.Integer(), nullable=False),
        sa.Column("term_years", sa.Integer(), nullable=False),
        sa.Column("granted", sa.BigInteger(), nullable=False),
        sa.Column("account", sa.String(length=16), nullable=True),
        sa.Column("accepted_on", sa.String(length=10), nullable=False),
        sa.Column("report", sa.Text(), nullable=False),
        sa.Column("serial_start", sa.BigInteger(), nullable=False),
        sa.Column("serial_end", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_rights_restorations_restorer", "rights_restorations", ["restorer"])
    op.create_table(
        "rights_transfers",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("restoration", sa.String(length=16), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("destination", sa.String(length=16), nullable=False),
        sa.Column("party", sa.String(length=16), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("use", sa.String(length=24), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_rights_transfers_restoration", "rights_transfers", ["restoration"])
    op.create_table(
        "rights_incomes",
        sa.Column("restoration", sa.String(length=16), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("reporter", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("restoration", "year"),
    )
    op.create_table(
        "rights_events",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("n", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("subject", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("seq", "n"),
    )
    op.create_index("ix_rights_events_subject", "rights_events", ["subject"])


def downgrade() -> None:
    op.drop_index("ix_rights_events_subject", table_name="rights_events")
    op.drop_table("rights_events")
    op.drop_table("rights_incomes")
    op.drop_index("ix_rights_transfers_restoration", table_name="rights_transfers")
    op.drop_table("rights_transfers")
    op.drop_index("ix_rights_restorations_restorer", table_name="rights_restorations")
    op.drop_table("rights_restorations")
    op.drop_index("ix_rights_contracts_buyer", table_name="rights_contracts")
    op.drop_index("ix_rights_contracts_seller", table_name="rights_contracts")
    op.drop_table("rights_contracts")
    op.drop_index("ix_rights_grants_district", table_name="rights_grants")
    op.drop_table("rights_grants")
    op.drop_table("rights_successions")
    op.drop_table("rights_measurements")
    op.drop_table("rights_floors")
