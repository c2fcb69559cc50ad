"""lending rules 2: the platform revalues pledged collateral (on a monitoring result, a loss
the registry records, a market close) and projections subtract the project's fixed baseline;
entries journaled before this upgrade replay under rules 1, as they were written

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 12:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lending_settings",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    # Every entry journaled so far was written under pledge-loan rules 1 and replays under
    # them (`qingshan log verify`); entries written from now on run under rules 2.
    conn = op.get_bind()
    last = conn.execute(sa.text("SELECT COALESCE(MAX(seq), 0) FROM journal")).scalar() or 0
    conn.execute(sa.text("INSERT INTO lending_settings (key, value) VALUES "
                         "('rules1_until_seq', :last)"), {"last": int(last)})


def downgrade() -> None:
    op.drop_table("lending_settings")
