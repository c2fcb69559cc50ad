"""registry integrity: fixed parameters and validations, grid factors, green certificates,
reversals (loss events), and the registry rules each journal entry replays under

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("registry_projects", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fixed", sa.Text(), nullable=False, server_default="{}"))
        batch_op.add_column(sa.Column("plant_code", sa.String(length=64), nullable=False,
                                      server_default=""))
    with op.batch_alter_table("registry_reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("basis", sa.Text(), nullable=False, server_default="{}"))
    with op.batch_alter_table("registry_issuance_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("factors", sa.Text(), nullable=False,
                                      server_default="[]"))
    op.create_table(
        "registry_validations",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("project", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("methodology", sa.String(length=40), nullable=False),
        sa.Column("fixed", sa.Text(), nullable=False),
        sa.Column("verifier", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("seq", "project"),
    )
    op.create_index("ix_registry_validations_project", "registry_validations", ["project"])
    op.create_table(
        "registry_grid_factors",
        sa.Column("id", sa.String(length=48), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("region", sa.String(length=40), nullable=False),
        sa.Column("provinces", sa.String(length=200), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("value", sa.String(length=24), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("locator", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("published", sa.String(length=10), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "registry_green_certificates",
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("plant_code", sa.String(length=64), nullable=False),
        sa.Column("period_start", sa.String(length=10), nullable=False),
        sa.Column("period_end", sa.String(length=10), nullable=False),
        sa.Column("mwh", sa.String(length=32), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("reference"),
    )
    op.create_index("ix_registry_green_certificates_plant_code",
                    "registry_green_certificates", ["plant_code"])
    op.create_table(
        "registry_losses",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("project", sa.String(length=16), nullable=False),
        sa.Column("asset", sa.String(length=10), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("cause", sa.String(length=32), nullable=False),
        sa.Column("avoidable", sa.Boolean(), nullable=False),
        sa.Column("occurred", sa.String(length=10), nullable=False),
        sa.Column("found_by", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("buffer_cancelled", sa.BigInteger(), nullable=False),
        sa.Column("proponent_cancelled", sa.BigInteger(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("documents", sa.Text(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_registry_losses_project", "registry_losses", ["project"])
    op.create_table(
        "registry_settings",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    # Every entry journaled so far was written under registry rules 1 and replays under them
    # (`qingshan log verify`); entries written from now on run under rules 2.
    conn = op.get_bind()
    last = conn.execute(sa.text("SELECT COALESCE(MAX(seq), 0) FROM journal")).scalar() or 0
    conn.execute(sa.text("INSERT INTO registry_settings (key, value) VALUES "
                         "('legacy_until_seq', :last)"), {"last": int(last)})


def downgrade() -> None:
    op.drop_table("registry_settings")
    op.drop_index("ix_registry_losses_project", table_name="registry_losses")
    op.drop_table("registry_losses")
    op.drop_index("ix_registry_green_certificates_plant_code",
                  table_name="registry_green_certificates")
    op.drop_table("registry_green_certificates")
    op.drop_table("registry_grid_factors")
    op.drop_index("ix_registry_validations_project", table_name="registry_validations")
    op.drop_table("registry_validations")
    with op.batch_alter_table("registry_issuance_requests", schema=None) as batch_op:
        batch_op.drop_column("factors")
    with op.batch_alter_table("registry_reports", schema=None) as batch_op:
        batch_op.drop_column("basis")
    with op.batch_alter_table("registry_projects", schema=None) as batch_op:
        batch_op.drop_column("plant_code")
        batch_op.drop_column("fixed")
