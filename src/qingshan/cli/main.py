"""The ``qingshan`` command. Thin: it parses, calls the same handlers and queries as the API,
and prints. Bad input exits with code 2 and a message; a failed check exits with 1."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import orjson
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from qingshan.errors import QingshanError
from qingshan.infra.config import Settings, get_settings
from qingshan.ledger.domain.parsing import INT64_MAX

app = typer.Typer(help="Qingshan 青山: register, trade, pledge, retire and audit ecological "
                       "assets.", no_args_is_help=True, pretty_exceptions_enable=False)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
log_app = typer.Typer(help="The transparency log: verify, prove, check.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys.", no_args_is_help=True)
demo_app = typer.Typer(help="Demo data.", no_args_is_help=True)
registry_app = typer.Typer(help="The registry's reference lists: grid factors, green "
                                "certificates.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(registry_app, name="registry")
app.add_typer(log_app, name="log")
app.add_typer(keys_app, name="keys")
app.add_typer(demo_app, name="demo")

DEMO_KEY_DAYS = 365
out = Console()
err = Console(stderr=True)


def fail(message: str, code: int = 2) -> NoReturn:
    err.print(f"[red]error:[/red] {message}")
    raise typer.Exit(code)


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeRemainingColumn(), console=err, transient=False)


def _engine(settings: Settings) -> Any:
    """A read engine on an up-to-date schema (a fresh database is migrated first)."""
    from qingshan.infra.db import make_engine
    from qingshan.infra.migrate import upgrade

    upgrade(settings.database_url)
    return make_engine(settings.database_url)


def _open(settings: Settings) -> Any:
    from qingshan.platform import Platform

    return Platform.open(settings)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every Alembic migration to the configured database."""
    from qingshan.infra.migrate import upgrade

    s = get_settings()
    upgrade(s.database_url)
    out.print(f"database at {s.database_url} is up to date")


@demo_app.command("load")
def demo_load(enterprises: int = typer.Option(149, min=1, max=5000)) -> None:
    """Load the demo book: five years of registry and exchange replayed day by day into a new
    database (again: nothing changes), and print demo API keys."""
    from qingshan.demo import load_demo
    from qingshan.errors import Conflict, IdempotencyConflict

    s = get_settings()
    # the demo loads into a new database, so a crash costs only a reload: SQLite need not
    # wait for the disk at every commit while it loads (a process crash loses nothing in WAL)
    plat = _open(s.model_copy(update={"sqlite_synchronous": "NORMAL"}))
    try:
        with _progress() as bar:
            task = bar.add_task("replaying the demo's history, day by day", total=None)
            try:
                book = load_demo(plat.sequencer, enterprises=enterprises,
                                 progress=lambda d, t: bar.update(task, completed=d, total=t))
            except IdempotencyConflict as exc:
                raise Conflict(
                    "this database holds a demo loaded by another release (or with another "
                    "--enterprises): load this release's demo into a new database, e.g. "
                    "delete var/qingshan.db for the default one (nothing was changed)",
                    database=s.database_url, **exc.data) from exc
        out.print(f"demo book ready: journal has {plat.sequencer.size} entries "
                  f"({book.entries} new)")
        _demo_keys(plat, s)
    finally:
        plat.close()


def _import(kind: str, rows: list[dict[str, Any]], text: str) -> dict[str, Any]:
    """One journaled import as the platform; the same file again is an idempotent replay."""
    import hashlib

    from qingshan.ledger.domain.commands import command_from_payload
    from qingshan.ledger.domain.model import SYSTEM

    plat = _open(get_settings())
    try:
        cmd = command_from_payload(kind, {"rows": rows}, plat.sequencer.catalog)
        key = f"cli/{kind}/{hashlib.sha256(text.encode()).hexdigest()[:32]}"
        receipt = plat.sequencer.execute([cmd], SYSTEM, key)[0]
    finally:
        plat.close()
    out.print(f"journal entry {receipt.seq}: {orjson.dumps(receipt.result).decode()}")
    result: dict[str, Any] = receipt.result
    return result


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read {path}: {exc}")


@registry_app.command("import-factors")
def registry_import_factors(
        csv_file: Annotated[Path | None, typer.Argument(
            help="CSV with id,kind,region,provinces,year,value,document,locator,url,"
                 "published; without it, the table this release ships")] = None) -> None:
    """Import grid emission factors (journaled; rows already there are skipped)."""
    from qingshan.registry import imports

    text = imports.shipped_factor_csv() if csv_file is None else _read(csv_file)
    _import("import_grid_factors", imports.rows_from_csv(text, imports.FACTOR_COLUMNS), text)


@registry_app.command("import-gec")
def registry_import_gec(csv_file: Annotated[Path, typer.Argument(
        help="CSV with reference,plant_code,period_start,period_end,mwh,source")]) -> None:
    """Import the green-certificate (GEC) issuance list (journaled); prints the reports
    already credited for the same MWh."""
    from qingshan.registry import imports

    text = _read(csv_file)
    result = _import("import_green_certificates",
                     imports.rows_from_csv(text, imports.GEC_COLUMNS), text)
    for c in result.get("conflicts", []):
        err.print(f"[yellow]already credited[/yellow]: {c['report']} of {c['project']} "
                  f"overlaps certificate {c['reference']}")


def _demo_keys(plat: Any, s: Settings) -> None:
    from qingshan.access.keys import CLI, issue_key
    from qingshan.ledger.domain.model import PartyKind, Role

    path = s.signing_key_path.parent / "demo-keys.txt"
    if not path.exists():
        state = plat.sequencer.state
        ent = next(p for p in state.parties.values() if p.kind is PartyKind.ENTERPRISE)
        court = next(p for p in state.parties.values() if p.kind is PartyKind.COURT)
        verifier = next(p for p in state.parties.values() if p.kind is PartyKind.VERIFIER)
        bank = next(p for p in state.parties.values() if p.kind is PartyKind.BANK)

        def key(role: Role, party: str | None, label: str) -> str:
            token, _ = issue_key(plat.engine, plat.sequencer, CLI, role, party, label,
                                 days=DEMO_KEY_DAYS)
            return token

        lines = [
            f"operator {key(Role.OPERATOR, None, 'demo operator')}",
            f"auditor  {key(Role.AUDITOR, None, 'demo auditor')}",
            f"member   {key(Role.MEMBER, ent.id, 'demo member')}  ({ent.name}, {ent.id})",
            f"court    {key(Role.COURT, court.id, 'demo court')}",
            f"verifier {key(Role.VERIFIER, verifier.id, 'demo verifier')}  ({verifier.name})",
            f"bank     {key(Role.BANK, bank.id, 'demo bank')}  ({bank.name})",
        ]
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write("\n".join(lines) + "\n")
    out.print(f"demo API keys (also in {path}):")
    out.print(path.read_text())


@app.command()
def serve(host: Annotated[str | None, typer.Option()] = None,
          port: Annotated[int | None, typer.Option()] = None,
          demo: Annotated[bool, typer.Option(help="load demo data first")] = False) -> None:
    """Serve the API and pages (one worker: the sequencer is in-process). SIGTERM answers
    every request waiting for the writer with 503, releases the writer lock and exits."""
    from qingshan.api.app import create_app
    from qingshan.api.serving import serve as serve_app

    s = get_settings()
    host, port = host or s.host, port or s.port
    # The sequencer thread and the event loop share the GIL: a short switch interval keeps
    # request latency low while a batch is being applied (the default is 5 ms).
    sys.setswitchinterval(0.0005)
    if demo:
        demo_load(149)
    out.print(f"Qingshan 青山 on http://{host}:{port}/  (API docs: http://{host}:{port}/docs)")
    serve_app(create_app(s), host, port)


@keys_app.command("create")
def keys_create(role: str, party: Annotated[str | None, typer.Option()] = None,
                label: str = "",
                days: Annotated[int, typer.Option(help="days until the key expires")] = 90
                ) -> None:
    """Create an API key (shown once; its creation is journaled, never its secret)."""
    from qingshan.access.keys import CLI, issue_key
    from qingshan.ledger.domain.model import Role

    try:
        r = Role(role)
    except ValueError:
        fail(f"role must be one of {', '.join(x.value for x in Role if x is not Role.SYSTEM)}")
    plat = _open_writer(get_settings())
    try:
        token, receipt = issue_key(plat.engine, plat.sequencer, CLI, r, party, label, days)
    finally:
        plat.close()
    err.print(f"key {receipt.result['key']} ({r.value}) expires "
              f"{_date(receipt.result['expires_ms'])}; journal entry {receipt.seq}; "
              "the key is shown once:")
    out.print(token)


@keys_app.command("list")
def keys_list() -> None:
    """Every API key: id, role, party, label, expiry and state (never a secret)."""
    from qingshan.access.authentication import list_keys, now_ms

    engine = _engine(get_settings())
    try:
        with engine.connect() as conn:
            keys = list_keys(conn)
    finally:
        engine.dispose()
    now = now_ms()
    lines = ["id\trole\tparty\tlabel\texpires\tstate\tjournal entry"]
    for k in keys:  # tab-separated, one key a line (for people and for scripts)
        state = "revoked" if k["revoked"] else "expired" if k["expires_ms"] <= now else "active"
        lines.append("\t".join([k["id"], k["role"], k["party"] or "-", k["label"],
                                _date(k["expires_ms"]), state,
                                "-" if k["seq"] is None else str(k["seq"])]))
    sys.stdout.write("\n".join(lines) + "\n")


@keys_app.command("revoke")
def keys_revoke(key: str, reason: str = "") -> None:
    """Revoke an API key at once (a journal entry; its browser sessions end too)."""
    from qingshan.access.keys import CLI, revoke_key

    plat = _open_writer(get_settings())
    try:
        receipt = revoke_key(plat.engine, plat.sequencer, CLI, key, reason)
    finally:
        plat.close()
    out.print(f"key {key} revoked (journal entry {receipt.seq})")


def _date(ms: int) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _open_writer(settings: Settings) -> Any:
    """The platform as the writer; while a server holds the writer lock, use the API."""
    from qingshan.platform import Platform

    plat = Platform.open(settings, wait_leader=10.0)
    if not plat.sequencer.leader.is_set():
        plat.close()
        fail("a running server is the writer: stop it, or use the API (POST /api/v1/api-keys, "
             "POST /api/v1/api-keys/{id}/revoke)")
    return plat


@log_app.command("verify")
def log_verify() -> None:
    """Recompute everything from the journal and check every invariant (exit 0, or 1)."""
    from qingshan.contexts import make_books
    from qingshan.ledger.signing_key import load_or_create_signing_key
    from qingshan.ledger.verify import verify_ledger

    s = get_settings()
    _engine(s).dispose()  # a fresh database is migrated, then verifies as empty
    public = load_or_create_signing_key(s.signing_key_path).public_key()
    with _progress() as bar:
        task = bar.add_task("replaying the journal", total=None)
        report = verify_ledger(s.database_url, public,
                               progress=lambda d, t: bar.update(task, completed=d, total=t)
                               if d % 1000 == 0 or d == t else None, books=make_books)
    if report.ok:
        out.print(f"[green]ok[/green]: {report.entries} entries, {report.tree_heads} signed "
                  "tree heads, every invariant holds")
        return
    for p in report.problems:
        err.print(f"[red]✗[/red] {p}")
    err.print(f"{len(report.problems)} problem(s) in {report.entries} entries")
    raise typer.Exit(1)


@log_app.command("prove")
def log_prove(entry: Annotated[int, typer.Argument(min=1, max=INT64_MAX)],
              output: Annotated[Path | None, typer.Option("-o", "--output")] = None,
              tree_size: Annotated[int | None, typer.Option(min=1, max=INT64_MAX)] = None,
              ) -> None:
    """Write an inclusion proof bundle for journal entry ENTRY (JSON)."""
    from qingshan.ledger import queries
    from qingshan.ledger import transparency as tlog
    from qingshan.ledger.signing_key import load_or_create_signing_key

    s = get_settings()
    pem = tlog.public_key_to_pem(load_or_create_signing_key(s.signing_key_path).public_key())
    engine = _engine(s)
    try:
        with engine.connect() as conn:
            bundle = queries.inclusion_bundle(conn, entry, pem, tree_size)
    finally:
        engine.dispose()
    text = bundle.to_json()
    if output is None:
        sys.stdout.write(text + "\n")
    else:
        output.write_text(text)
        err.print(f"proof of entry {entry} in a tree of {bundle.sth.head.size} written to "
                  f"{output}")


@log_app.command("check")
def log_check(proof: Path,
              public_key: Annotated[Path | None, typer.Option(
                  help="the log's public key (PEM) you trust")] = None) -> None:
    """Check a proof bundle offline: signature, key, inclusion (exit 0, or 1)."""
    from qingshan.ledger import transparency as tlog

    try:
        bundle = tlog.InclusionBundle.from_json(proof.read_text())
    except OSError as exc:
        fail(f"cannot read {proof}: {exc.strerror}")
    except UnicodeDecodeError:
        fail(f"{proof} is not UTF-8 text")
    trusted = public_key.read_bytes() if public_key is not None else None
    try:
        tlog.check_bundle(bundle, trusted)
    except tlog.ProofError as exc:
        err.print(f"[red]✗ proof does not hold[/red]: {exc.message}")
        raise typer.Exit(1) from None
    entry = orjson.loads(bundle.entry)
    out.print(f"[green]✓[/green] entry {entry['seq']} ({entry['kind']}) is in the log of "
              f"{bundle.sth.head.size} entries, root {bundle.sth.head.root.hex()}")
    if trusted is None:
        out.print("[yellow]note[/yellow]: checked against the key inside the bundle; pass "
                  "--public-key to check against a key you trust")


@app.command()
def serial(serial: str) -> None:
    """Who holds a serial now, and its whole history."""
    from qingshan.ledger import queries
    from qingshan.ledger.domain.serials import parse_serial

    sn = parse_serial(serial)
    engine = _engine(get_settings())
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
