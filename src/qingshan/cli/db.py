"""``qingshan db``: the database schema."""

from __future__ import annotations

import typer

from qingshan.cli.common import out
from qingshan.infra.config import get_settings
from qingshan.infra.migrate import upgrade

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every Alembic migration to the configured database."""
    s = get_settings()
    upgrade(s.database_url)
    out.print(f"database at {s.database_url} is up to date")
