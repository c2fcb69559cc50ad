"""inclusive: carbon-inclusive partners, settled days, rewards, spends and the people's
sub-ledger (people, batches, rejects, postings, closes)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 10:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inclusive_batches",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("partner", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("received_ms", sa.BigInteger(), nullable=False),
        sa.Column("lines", sa.BigInteger(), nullable=False),
        sa.Column("accepted", sa.BigInteger(), nullable=False),
        sa.Column("duplicates", sa.BigInteger(), nullable=False),
        sa.Column("rejected", sa.BigInteger(), nullable=False),
        sa.Column("grams", sa.BigInteger(), nullable=False),
        sa.Column("first_day", sa.Integer(), nullable=True),
        sa.Column("last_day", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_inclusive_batches_partner", "inclusive_batches", ["partner"])
    op.create_table(
        "inclusive_closes",
        sa.Column("day", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("root", sa.String(length=64), nullable=False),
        sa.Column("people", sa.BigInteger(), nullable=False),
        sa.Column("events", sa.BigInteger(), nullable=False),
        sa.Column("grams", sa.BigInteger(), nullable=False),
        sa.Column("by_scenario", sa.Text(), nullable=False),
        sa.Column("by_district", sa.Text(), nullable=False),
        sa.Column("by_partner", sa.Text(), nullable=False),
        sa.Column("parameter_set", sa.String(length=64), nullable=False),
        sa.Column("closed_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("day"),
    )
    op.create_table(
        "inclusive_days",
        sa.Column("day", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("root", sa.String(length=64), nullable=False),
        sa.Column("people", sa.BigInteger(), nullable=False),
        sa.Column("events", sa.BigInteger(), nullable=False),
        sa.Column("grams", sa.BigInteger(), nullable=False),
        sa.Column("by_scenario", sa.Text(), nullable=False),
        sa.Column("parameter_set", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("day"),
    )
    op.create_table(
        "inclusive_partners",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("scenarios", sa.Text(), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "inclusive_people",
        sa.Column("person", sa.BigInteger(), nullable=False, autoincrement=False),
        sa.Column("district", sa.String(length=6), nullable=False),
        sa.Column("consent", sa.BigInteger(), nullable=False),
        sa.Column("enrolled", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("person"),
    )
    op.create_table(
        "inclusive_postings",
        sa.Column("person", sa.BigInteger(), nullable=False, autoincrement=False),
        sa.Column("day", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("grams", sa.BigInteger(), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("person", "day"),
    )
    op.create_index("ix_inclusive_postings_day", "inclusive_postings", ["day"])
    op.create_table(
        "inclusive_rejects",
        sa.Column("batch", sa.String(length=64), nullable=False),
        sa.Column("line", sa.BigInteger(), nullable=False, autoincrement=False),
        sa.Column("event_id", sa.String(length=64), nullable=True),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("batch", "line"),
    )
    op.create_table(
        "inclusive_rewards",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("price", sa.BigInteger(), nullable=False),
        sa.Column("stock", sa.BigInteger(), nullable=False),
        sa.Column("sponsor", sa.String(length=16), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "inclusive_settings",
        sa.Column("name", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "inclusive_spends",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("person", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("grams", sa.BigInteger(), nullable=False),
        sa.Column("reward", sa.String(length=16), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_inclusive_spends_person", "inclusive_spends", ["person"])
    op.create_table(
        "inclusive_pools",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("project", sa.String(length=16), nullable=False),
        sa.Column("first_day", sa.Integer(), nullable=False),
        sa.Column("last_day", sa.Integer(), nullable=False),
        sa.Column("grams", sa.BigInteger(), nullable=False),
        sa.Column("carried_in", sa.BigInteger(), nullable=False),
        sa.Column("tonnes", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("buffer", sa.BigInteger(), nullable=False),
        sa.Column("issuance", sa.String(length=16), nullable=True),
        sa.Column("opinion", sa.Text(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("updated_seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "inclusive_consents",
        sa.Column("person", sa.BigInteger(), nullable=False, autoincrement=False),
        sa.Column("partner", sa.String(length=16), nullable=False),
        sa.Column("allow", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("person", "partner"),
    )


def downgrade() -> None:
    op.drop_table("inclusive_consents")
    op.drop_table("inclusive_pools")
    op.drop_table("inclusive_spends")
    op.drop_table("inclusive_settings")
    op.drop_table("inclusive_rewards")
    op.drop_table("inclusive_rejects")
    op.drop_table("inclusive_postings")
    op.drop_table("inclusive_people")
    op.drop_table("inclusive_partners")
    op.drop_table("inclusive_days")
    op.drop_table("inclusive_closes")
    op.drop_table("inclusive_batches")
