"""lending: banks' credit lines, appraisals of expected carbon income, pledge loans,
repayments and alerts

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 07:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lending_lines",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("bank", sa.String(length=16), nullable=False),
        sa.Column("district", sa.String(length=8), nullable=False),
        sa.Column("limit_fen", sa.BigInteger(), nullable=False),
        sa.Column("start_day", sa.String(length=10), nullable=False),
        sa.Column("end_day", sa.String(length=10), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_lending_lines_bank", "lending_lines", ["bank"])
    op.create_table(
        "lending_appraisals",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("project", sa.String(length=16), nullable=False),
        sa.Column("bank", sa.String(length=16), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("loan", sa.String(length=16), nullable=True),
        sa.Column("parameter_set", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("collateral", sa.BigInteger(), nullable=False),
        sa.Column("ceiling", sa.BigInteger(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_lending_appraisals_project", "lending_appraisals", ["project"])
    op.create_index("ix_lending_appraisals_bank", "lending_appraisals", ["bank"])
    op.create_table(
        "lending_loans",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("bank", sa.String(length=16), nullable=False),
        sa.Column("borrower", sa.String(length=16), nullable=False),
        sa.Column("project", sa.String(length=16), nullable=False),
        sa.Column("account", sa.String(length=16), nullable=False),
        sa.Column("asset", sa.String(length=16), nullable=False),
        sa.Column("line", sa.String(length=16), nullable=True),
        sa.Column("appraisal", sa.String(length=16), nullable=False),
        sa.Column("principal", sa.BigInteger(), nullable=False),
        sa.Column("rate_bps", sa.Integer(), nullable=False),
        sa.Column("start_day", sa.String(length=10), nullable=False),
        sa.Column("term_months", sa.Integer(), nullable=False),
        sa.Column("repayment", sa.String(length=16), nullable=False),
        sa.Column("max_ltv_bps", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("repaid", sa.BigInteger(), nullable=False),
        sa.Column("interest", sa.BigInteger(), nullable=False),
        sa.Column("holds", sa.Text(), nullable=False),
        sa.Column("pledged", sa.BigInteger(), nullable=False),
        sa.Column("latest_appraisal", sa.String(length=16), nullable=False),
        sa.Column("closed", sa.String(length=10), nullable=True),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("updated_seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_lending_loans_bank", "lending_loans", ["bank"])
    op.create_index("ix_lending_loans_borrower", "lending_loans", ["borrower"])
    op.create_index("ix_lending_loans_project", "lending_loans", ["project"])
    op.create_table(
        "lending_repayments",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("loan", sa.String(length=16), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("principal", sa.BigInteger(), nullable=False),
        sa.Column("interest", sa.BigInteger(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_lending_repayments_loan", "lending_repayments", ["loan"])
    op.create_table(
        "lending_alerts",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("loan", sa.String(length=16), nullable=False),
        sa.Column("bank", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_lending_alerts_loan", "lending_alerts", ["loan"])
    op.create_index("ix_lending_alerts_bank", "lending_alerts", ["bank"])


def downgrade() -> None:
    op.drop_index("ix_lending_alerts_loan", table_name="lending_alerts")
    op.drop_index("ix_lending_alerts_bank", table_name="lending_alerts")
    op.drop_table("lending_alerts")
    op.drop_index("ix_lending_repayments_loan", table_name="lending_repayments")
    op.drop_table("lending_repayments")
    op.drop_index("ix_lending_loans_bank", table_name="lending_loans")
    op.drop_index("ix_lending_loans_borrower", table_name="lending_loans")
    op.drop_index("ix_lending_loans_project", table_name="lending_loans")
    op.drop_table("lending_loans")
    op.drop_index("ix_lending_appraisals_project", table_name="lending_appraisals")
    op.drop_index("ix_lending_appraisals_bank", table_name="lending_appraisals")
    op.drop_table("lending_appraisals")
    op.drop_index("ix_lending_lines_bank", table_name="lending_lines")
    op.drop_table("lending_lines")
