"""registry rules 3: a methodology version marked closed (CQ-FOREST@2.0, whose stock change
is typed in) takes no new project; entries journaled before this upgrade ran under rules 2
(or 1) and replay so

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 12:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    last = conn.execute(sa.text("SELECT COALESCE(MAX(seq), 0) FROM journal")).scalar() or 0
    conn.execute(sa.text("INSERT INTO registry_settings (key, value) VALUES "
                         "('rules2_until_seq', :last)"), {"last": int(last)})


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM registry_settings WHERE key = 'rules2_until_seq'"))
