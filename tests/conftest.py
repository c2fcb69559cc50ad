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

_db_counter = itertools.count(1)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[object]:
    from qingshan.infra.throwaway_pg import ThrowawayPostgres

    with ThrowawayPostgres() as pg:
        yield pg


def new_database_url(engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if engine == "sqlite":
        return f"sqlite:///{tmp_path / 'qingshan.db'}"
    pg = request.getfixturevalue("pg_server")
    return str(pg.create_database(f"t{next(_db_counter)}"))  # type: ignore[attr-defined]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return new_database_url(request.param, tmp_path, request)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=database_url, signing_key_path=tmp_path / "signing-key.pem")


@pytest.fixture
def platform(settings: Settings) -> Iterator[Platform]:
    plat = Platform.open(settings)
    try:
        yield plat
    finally:
        plat.close()
