"""Schema changes only through migrations: upgrading an empty database gives exactly the schema
the code describes, on SQLite and PostgreSQL, and every migration can be undone."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from qingshan.infra.db import make_engine
from qingshan.infra.migrate import alembic_config, current_revision, upgrade
from qingshan.infra.schema import metadata


def test_migrations_build_exactly_the_described_schema(database_url: str) -> None:
    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    finally:
        engine.dispose()
    assert current_revision(database_url) is not None
    command.downgrade(alembic_config(database_url), "base")
    assert current_revision(database_url) is None
    upgrade(database_url)
