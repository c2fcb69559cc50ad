"""Database engines: SQLite (WAL, the embedded default) and PostgreSQL (psycopg 3)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_path(url: str) -> Path | None:
    u = make_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    return Path(u.database)


def make_engine(url: str, *, synchronous: str = "FULL", pool_size: int = 8) -> Engine:
    """An engine for reads and migrations. SQLite gets WAL so readers never wait on the writer."""
    if is_sqlite(url):
        path = sqlite_path(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute(f"PRAGMA synchronous={synchronous}")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return create_engine(url, pool_size=pool_size, max_overflow=16, pool_pre_ping=True)


def fetch_all(conn: Connection) -> Callable[[str, Sequence[Any]], list[Any]]:
    """A ``fetchall(sql, params)`` over ``conn`` for SQL written with ``?`` placeholders (the
    books' storage modules), rewritten to ``%s`` on PostgreSQL: a context's reads load its
    book from its tables with the same code the sequencer loads it with."""
    pg = conn.dialect.name != "sqlite"

    def fetchall(sql: str, params: Sequence[Any] = ()) -> list[Any]:
        return list(conn.exec_driver_sql(sql.replace("?", "%s") if pg else sql,
                                         tuple(params)).fetchall())

    return fetchall
