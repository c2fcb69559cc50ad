"""The ``qingshan`` command. Thin: it parses, calls the same handlers and queries as the API,
and prints. Bad input exits with code 2 and a message; a failed check exits with 1. Each group
of commands is its own module (db, demo, registry, keys, log, inclusive)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from qingshan.api.app import create_app
from qingshan.api.serving import serve as serve_app
from qingshan.cli.common import err, out, read_engine
from qingshan.cli.db import db_app
from qingshan.cli.demo import demo_app, demo_load
from qingshan.cli.inclusive import inclusive_app
from qingshan.cli.keys import keys_app
from qingshan.cli.log import log_app
from qingshan.cli.registry import registry_app
from qingshan.errors import QingshanError
from qingshan.infra.config import get_settings
from qingshan.ledger import queries
from qingshan.ledger.domain.serials import parse_serial

app = typer.Typer(help="Qingshan 青山: register, trade, pledge, retire and audit ecological "
                       "assets.", no_args_is_help=True, pretty_exceptions_enable=False)
app.add_typer(db_app, name="db")
app.add_typer(registry_app, name="registry")
app.add_typer(log_app, name="log")
app.add_typer(keys_app, name="keys")
app.add_typer(demo_app, name="demo")
app.add_typer(inclusive_app, name="inclusive")


@app.command()
def serve(host: Annotated[str | None, typer.Option()] = None,
          port: Annotated[int | None, typer.Option()] = None,
          demo: Annotated[bool, typer.Option(help="load demo data first")] = False) -> None:
    """Serve the API and pages (one worker: the sequencer is in-process). SIGTERM answers
    every request waiting for the writer with 503, releases the writer lock and exits."""
    s = get_settings()
    host, port = host or s.host, port or s.port
    # The sequencer thread and the event loop share the GIL: a short switch interval keeps
    # request latency low while a batch is being applied (the default is 5 ms).
    sys.setswitchinterval(0.0005)
    if demo:
        demo_load(149)
    out.print(f"Qingshan 青山 on http://{host}:{port}/  (API docs: http://{host}:{port}/docs)")
    serve_app(create_app(s), host, port)


@app.command()
def serial(serial: str) -> None:
    """Who holds a serial now, and its whole history."""
    sn = parse_serial(serial)
    engine = read_engine(get_settings())
    try:
        with engine.connect() as conn:
            found = queries.find_serial(conn, sn)
    finally:
        engine.dispose()
    out.print(f"[bold]{found['unit_serial']}[/bold]: {found['block']['state']} in "
              f"{found['block']['account']}")
    table = Table("seq", "kind", "from", "to", "state", "range")
    for h in found["history"]:
        table.add_row(str(h["seq"]), h["kind"], h["from"] or "—", h["to"], h["state"],
                      f"{h['range'][0]}–{h['range'][1]}")
    out.print(table)


def main() -> None:
    try:
        app()
    except QingshanError as exc:
        err.print(f"[red]error[/red] ({exc.code}): {exc.message}")
        sys.exit(2)


if __name__ == "__main__":
    main()
