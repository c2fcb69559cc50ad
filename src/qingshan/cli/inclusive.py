"""``qingshan inclusive``: the operator's carbon-inclusive work on the machine that holds the
database and the archive: enrol people from a file, ingest a partner's file of any size
(the API takes files up to ``QINGSHAN_INCLUSIVE_MAX_BATCH_BYTES``), close a day in the
people's sub-ledger, settle it through the sequencer, print the public totals. Enrolment,
ingestion and closes write the sub-ledger only, so they run beside a serving platform;
settling is a journaled command and needs the writer."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.progress import Progress, TaskID
from rich.table import Table

from qingshan.cli.common import fail, open_writer, out, progress, read_engine
from qingshan.inclusive import queries
from qingshan.inclusive.audit import audit
from qingshan.inclusive.commands import SettleDay
from qingshan.inclusive.ingest import FORMATS, SubLedgerStore
from qingshan.inclusive.model import EPOCH
from qingshan.inclusive.model import iso_day as iso
from qingshan.inclusive.people import PEOPLE_FORMATS, read_people
from qingshan.infra.config import get_settings
from qingshan.ledger.domain.model import SYSTEM

inclusive_app = typer.Typer(help="Carbon-inclusive accounts (碳普惠): people, partners' files, "
                                 "days.", no_args_is_help=True)

SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv",
            ".parquet": "parquet", ".pq": "parquet"}
Format = Annotated[str | None, typer.Option(
    "--format", help="jsonl, csv or parquet (default: from the file's suffix)")]


@contextmanager
def _store() -> Iterator[SubLedgerStore]:
    settings = get_settings()
    engine = read_engine(settings)
    try:
        yield SubLedgerStore(engine, settings.archive())
    finally:
        engine.dispose()


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror or exc}")


def _format(path: Path, given: str | None, allowed: tuple[str, ...]) -> str:
    fmt = given or SUFFIXES.get(path.suffix.lower())
    if fmt is None or fmt not in allowed:
        fail(f"say which format {path.name} is in: --format {' or '.join(allowed)}")
    return fmt


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        fail(f"{text!r} is not a day: YYYY-MM-DD")


class _Bar:
    """The store's ``progress(stage, done, total)`` as a rich bar per stage."""

    def __init__(self, bar: Progress) -> None:
        self.bar = bar
        self.tasks: dict[str, TaskID] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage not in self.tasks:
            self.tasks[stage] = self.bar.add_task(stage, total=max(total, 1))
        self.bar.update(self.tasks[stage], completed=done if total else 1,
                        total=max(total, 1))


@inclusive_app.command("enrol")
def enrol(file: Annotated[Path, typer.Argument(
              help="CSV or Parquet with person,district,consent,enrolled (YYYY-MM-DD)")],
          fmt: Format = None) -> None:
    """Enrol people (someone already enrolled keeps their row); a malformed row enrols
    nobody."""
    frame = read_people(_read(file), _format(file, fmt, PEOPLE_FORMATS))
    with _store() as store, progress() as bar:
        added = store.enrol(frame, _Bar(bar))
    out.print(f"enrolled {added} of {frame.height} people ({frame.height - added} were "
              "already)")


@inclusive_app.command("ingest")
def ingest(file: Annotated[Path, typer.Argument(help="the partner's file")],
           partner: Annotated[str, typer.Option(help="the partner's party, e.g. P000005")],
           fmt: Format = None) -> None:
    """Check and keep a partner's file of people's events (the same file again changes
    nothing); prints the counts and the refusals by code."""
    data = _read(file)
    with _store() as store:
        with progress() as bar:
            result = store.ingest(partner, data, _format(file, fmt, FORMATS),
                                  int(time.time() * 1000), file.name, _Bar(bar))
        codes: dict[str, int] = {}
        for r in queries.batch_rejects(store, result.batch, limit=1_000_000):
            codes[r["code"]] = codes.get(r["code"], 0) + 1
    out.print(orjson.dumps(result.to_payload()).decode())
    if result.replayed:
        out.print("[yellow]this file was ingested before: nothing changed[/yellow]")
    for code, n in sorted(codes.items(), key=lambda kv: -kv[1]):
        out.print(f"  refused {n:>8}  {code}")


@inclusive_app.command("close")
def close(day: Annotated[str, typer.Argument(help="YYYY-MM-DD (Beijing)")]) -> None:
    """Credit a day's events under the caps and post one line per person in the
    sub-ledger (before the day is settled, closing it again replaces it)."""
    n = _day(day).toordinal() - EPOCH
    with _store() as store, progress() as bar:
        done = store.close_day(n, int(time.time() * 1000), _Bar(bar))
    out.print(f"closed {iso(done.day)}: {done.people} people, {done.events} events, "
              f"{done.grams} g; root {done.root}")


@inclusive_app.command("settle")
def settle(day: Annotated[str, typer.Argument(help="YYYY-MM-DD (Beijing)")]) -> None:
    """Settle a closed day through the sequencer (journaled; needs the writer: with a
    server running, use POST /api/v1/inclusive/days/{day}/settle)."""
    text = _day(day).isoformat()
    plat = open_writer(get_settings())
    try:
        receipt = plat.sequencer.execute([SettleDay(text)], SYSTEM,
                                         f"cli/settle_inclusive_day/{text}")[0]
    finally:
        plat.close()
    out.print(f"journal entry {receipt.seq}: {orjson.dumps(receipt.result).decode()}")


@inclusive_app.command("summary")
def summary() -> None:
    """The public totals over settled days."""
    with _store() as store:
        total = queries.summary(store)
    out.print(f"{total['people']} people enrolled; {total['days']} days settled "
              f"({total['first_day'] or '—'} to {total['last_day'] or '—'}); "
              f"{total['grams']} g from {total['events']} events; spent {total['spent']}")
    for key in ("by_scenario", "by_partner", "by_district"):
        if total[key]:
            table = Table(key.removeprefix("by_"), "grams")
            for k, g in total[key].items():
                table.add_row(k, str(g))
            out.print(table)


@inclusive_app.command("audit")
def audit_days() -> None:
    """Recompute every settled day from the archived events (grams from the factors, credit
    under the caps, postings, their root and totals) against the stored and journaled ones;
    exit 1 if anything differs."""
    with _store() as store, progress() as bar:
        task = bar.add_task("audit", total=None)
        problems = audit(store, lambda done, total: bar.update(task, completed=done,
                                                               total=total))
    for p in problems:
        out.print(f"[red]{p}[/red]")
    if problems:
        raise typer.Exit(1)
    out.print("every settled day adds up, event by event")
