"""What every command shares: the consoles, ``fail`` (exit 2 with a message), the progress
bar, and opening the database or the platform."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from qingshan.infra.config import Settings
from qingshan.infra.db import make_engine
from qingshan.infra.migrate import upgrade
from qingshan.platform import Platform

out = Console()
err = Console(stderr=True)


def fail(message: str, code: int = 2) -> NoReturn:
    err.print(f"[red]error:[/red] {message}")
    raise typer.Exit(code)


def progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeRemainingColumn(), console=err, transient=False)


def read_engine(settings: Settings) -> Any:
    """A read engine on an up-to-date schema (a fresh database is migrated first)."""
    upgrade(settings.database_url)
    return make_engine(settings.database_url)


def open_platform(settings: Settings) -> Platform:
    return Platform.open(settings)


def open_writer(settings: Settings) -> Platform:
    """The platform as the writer; while a server holds the writer lock, use the API."""
    plat = Platform.open(settings, wait_leader=10.0)
    if not plat.sequencer.leader.is_set():
        plat.close()
        fail("a running server is the writer: stop it, or use the API (POST /api/v1/api-keys, "
             "POST /api/v1/api-keys/{id}/revoke)")
    return plat


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read {path}: {exc}")


def date(ms: int) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
