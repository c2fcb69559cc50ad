"""Holding the sequencer's writes up from outside, the way a slow or locked database does:
a second connection takes the database's write lock (SQLite) or locks the journal table
(PostgreSQL), so the writer's next transaction waits until the block is lifted. Requests sent
meanwhile wait in the sequencer's queue and then go into one group commit."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.engine import make_url

from qingshan.infra.db import is_sqlite, sqlite_path


@contextmanager
def writes_blocked(database_url: str) -> Iterator[None]:
    """While inside, the writer cannot commit (it waits; SQLite gives up after 30 s)."""
    conn: Any
    if is_sqlite(database_url):
        conn = sqlite3.connect(str(sqlite_path(database_url)), isolation_level=None, timeout=30)
        conn.execute("BEGIN IMMEDIATE")
    else:
        import psycopg

        url = make_url(database_url).set(drivername="postgresql")
        conn = psycopg.connect(url.render_as_string(hide_password=False))
        conn.execute("LOCK TABLE journal IN EXCLUSIVE MODE")
    try:
        yield
    finally:
        conn.rollback() if not is_sqlite(database_url) else conn.execute("ROLLBACK")
        conn.close()


def wait_until(condition: Callable[[], bool], timeout: float = 20.0,
               what: str = "a condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)
