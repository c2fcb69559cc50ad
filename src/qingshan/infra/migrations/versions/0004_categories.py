"""categories: an issuance's category (its methodology's sector), an instrument's categories
settlement rules, trading sessions, enabled modes and fees by mode

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 15:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# the methodologies of this release and their sectors, as they were then (a migration reads
# no live code: a later release may add, rename or drop methodologies)
SECTORS = {
    "CQ-FOREST@1.0": "forestry",
    "CQ-PV@1.0": "energy",
    "CQ-BIOGAS@1.0": "agriculture",
    "CQ-INCLUSIVE@1.0": "inclusive",
}


def upgrade() -> None:
    with op.batch_alter_table("issuances", schema=None) as batch_op:
        batch_op.add_column(sa.Column("category", sa.String(length=32), nullable=True))
    with op.batch_alter_table("market_instruments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("categories", sa.Text(), nullable=True))
        # instruments listed before keep the settlement rules they traded under
        batch_op.add_column(sa.Column("rules", sa.Integer(), nullable=False,
                                      server_default="1"))
        # trading sessions, enabled modes and fees by mode (NULL: always open, all, fee_bps)
        batch_op.add_column(sa.Column("sessions", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("modes", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("mode_fees", sa.Text(), nullable=True))
    # issuances made before: their project's methodology's sector, as the registry now sets
    # it when it issues, so that replaying the journal (`qingshan log verify`) gives the same
    conn = op.get_bind()
    for key, sector in SECTORS.items():
        conn.execute(sa.text("UPDATE issuances SET category = :sector WHERE project IN "
                             "(SELECT id FROM registry_projects WHERE methodology = :key)"),
                     {"sector": sector, "key": key})


def downgrade() -> None:
    with op.batch_alter_table("market_instruments", schema=None) as batch_op:
        batch_op.drop_column("mode_fees")
        batch_op.drop_column("modes")
        batch_op.drop_column("sessions")
        batch_op.drop_column("rules")
        batch_op.drop_column("categories")
    with op.batch_alter_table("issuances", schema=None) as batch_op:
        batch_op.drop_column("category")
