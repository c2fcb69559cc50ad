"""rules: a hold's named destination; why the market cancelled an order

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # the account a hold may be enforced into besides its controller's (NULL: none named)
    with op.batch_alter_table("holds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("destination", sa.String(length=16), nullable=True))
    # why the market cancelled an order (instruments under rules 3); '' before
    with op.batch_alter_table("market_orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reason", sa.String(length=24), nullable=False,
                                      server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("market_orders", schema=None) as batch_op:
        batch_op.drop_column("reason")
    with op.batch_alter_table("holds", schema=None) as batch_op:
        batch_op.drop_column("destination")
