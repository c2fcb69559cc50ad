"""Shared fixtures. Integration tests run on SQLite and on a real PostgreSQL that the suite
starts itself (``qingshan.infra.throwaway_pg``) — never a silent skip."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from qingshan.infra.config import Settings
from qingshan.platform import Platform
from tests.support import search as _search_profiles  # noqa: F401  (loads the Hypothesis profile)
from tests.support.databases import migrated_postgres, migrated_sqlite

_db_counter = itertools.count(1)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[object]:
    from qingshan.infra.throwaway_pg import ThrowawayPostgres

    with ThrowawayPostgres() as pg:
        yield pg


def new_database_url(engine: str, tmp_path: Path, request: pytest.FixtureRequest, *,
                     migrated: bool = False) -> str:
    """A new database: empty, or with ``migrated`` its schema at the head revision, copied
    from a template (tests/support/databases.py)."""
    if engine == "sqlite":
        path = tmp_path / "qingshan.db"
        return migrated_sqlite(path) if migrated else f"sqlite:///{path}"
    pg = request.getfixturevalue("pg_server")
    name = f"t{next(_db_counter)}"
    return migrated_postgres(pg, name) if migrated else str(pg.create_database(name))  # type: ignore[attr-defined]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database, on SQLite and on PostgreSQL (for tests of the migrations)."""
    return new_database_url(request.param, tmp_path, request)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def migrated_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database with the schema at the head revision, on SQLite and on PostgreSQL."""
    return new_database_url(request.param, tmp_path, request, migrated=True)


@pytest.fixture
def settings(migrated_database_url: str, tmp_path: Path) -> Settings:
    """Settings on a new database at the head revision, as a platform leaves it."""
    return Settings(database_url=migrated_database_url,
                    signing_key_path=tmp_path / "signing-key.pem")


@pytest.fixture
def platform(settings: Settings) -> Iterator[Platform]:
    plat = Platform.open(settings)
    try:
        yield plat
    finally:
        plat.close()
