"""Databases whose schema is already at the head revision, copied from a template migrated once
per test process (SQLite: a file copied; PostgreSQL: ``CREATE DATABASE … TEMPLATE``).

Running the eight migrations takes a quarter of a second bare and about a second under coverage
on a busy machine, and most tests open a platform on a new database only to test what the
platform then does. The migrations themselves are tested from an empty database in
``tests/integration/test_migrations.py``, ``test_migration_backfills.py``,
``test_registry_upgrade.py`` and ``test_access.py`` (which ask for ``database_url``, an empty
database); a platform opened on a copy still checks the revision, as on any restart.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import sqlite3
import tempfile
import weakref
from pathlib import Path
from typing import Any

from qingshan.infra.migrate import current_revision, upgrade

PG_TEMPLATE = "qingshan_template"
FIXTURES = Path(__file__).parents[1] / "fixtures"


def old_release_database(name: str, folder: Path) -> Any:
    """Settings for a SQLite database an earlier release wrote (``tests/fixtures/<name>``:
    its SQL dump and signing key), restored into ``folder``; opening a platform on it runs the
    migrations since."""
    from qingshan.infra.config import Settings

    db = folder / "old.db"
    conn = sqlite3.connect(db)
    conn.executescript((FIXTURES / name / "journal.sql").read_text(encoding="utf-8"))
    conn.close()
    shutil.copy(FIXTURES / name / "key.pem", folder / "key.pem")
    return Settings(database_url=f"sqlite:///{db}", signing_key_path=folder / "key.pem")


@functools.cache
def _sqlite_template() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="qingshan-template-"))
    atexit.register(shutil.rmtree, folder, True)
    path = folder / "template.db"
    upgrade(f"sqlite:///{path}")
    # the engine is disposed: the write-ahead log was checkpointed into the file and removed
    assert not path.with_name(path.name + "-wal").exists()
    return path


def migrated_sqlite(path: Path) -> str:
    """The URL of a new SQLite database at ``path`` with the schema at the head revision."""
    shutil.copyfile(_sqlite_template(), path)
    return f"sqlite:///{path}"


_pg_templates: weakref.WeakSet[Any] = weakref.WeakSet()  # servers that have the template


def migrated_postgres(pg: Any, name: str) -> str:
    """The URL of a new database ``name`` on the throwaway server ``pg``, schema at the head."""
    if pg not in _pg_templates:
        url = pg.create_database(PG_TEMPLATE)
        upgrade(url)
        assert current_revision(url) is not None
        _pg_templates.add(pg)
    return str(pg.create_database(name, template=PG_TEMPLATE))


def check_restart_and_verify(settings: Any, book: str, before: Any) -> None:
    """The platform on ``settings``, opened again, loads context book ``book`` from its tables
    equal to ``before`` (its snapshot in memory), and ``log verify`` replays the journal into
    the same books and finds nothing wrong (the books' conservation laws included)."""
    from qingshan.contexts import make_books
    from qingshan.ledger.verify import verify_ledger
    from qingshan.platform import Platform

    again = Platform.open(settings)
    try:
        assert again.sequencer.router.book(book).snapshot() == before
        key = again.sequencer.signing_key.public_key()
    finally:
        again.close()
    assert verify_ledger(settings.database_url, key, books=make_books).problems == []
