"""``qingshan log``: the transparency log: verify everything, prove an entry, check a proof
offline."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import orjson
import typer

from qingshan.cli.common import err, fail, out, progress, read_engine
from qingshan.contexts import make_books
from qingshan.infra.config import get_settings
from qingshan.ledger import queries
from qingshan.ledger import transparency as tlog
from qingshan.ledger.domain.parsing import INT64_MAX
from qingshan.ledger.signing_key import load_or_create_signing_key
from qingshan.ledger.verify import verify_ledger

log_app = typer.Typer(help="The transparency log: verify, prove, check.", no_args_is_help=True)


@log_app.command("verify")
def log_verify() -> None:
    """Recompute everything from the journal and check every invariant (exit 0, or 1)."""
    s = get_settings()
    read_engine(s).dispose()  # a fresh database is migrated, then verifies as empty
    public = load_or_create_signing_key(s.signing_key_path).public_key()
    with progress() as bar:
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
    s = get_settings()
    pem = tlog.public_key_to_pem(load_or_create_signing_key(s.signing_key_path).public_key())
    engine = read_engine(s)
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
