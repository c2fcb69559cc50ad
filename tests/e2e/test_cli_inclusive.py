"""``qingshan inclusive`` as the operator runs it: enrol people from CSV, ingest a partner's
file (the same file again changes nothing), close and settle a day, print the totals; the
journal then verifies. Bad input exits 2 with a message. In process (typer's runner) but for
one run of the real command, so the module stays fast."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qingshan.cli.main import app
from qingshan.infra.config import Settings
from qingshan.ledger.domain.model import SYSTEM
from qingshan.platform import Platform
from tests.e2e.test_cli import qingshan
from tests.support.book import SETUP
from tests.support.databases import migrated_sqlite
from tests.support.inclusive import INCLUSIVE_SETUP, METRO, beijing_today, jsonl, trip

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A platform with the points accounts and the metro partner; the CLI's settings."""
    url = migrated_sqlite(tmp_path / "cli.db")
    values = {"QINGSHAN_DATABASE_URL": url,
              "QINGSHAN_SIGNING_KEY_PATH": str(tmp_path / "key.pem")}
    plat = Platform.open(Settings(database_url=url, signing_key_path=tmp_path / "key.pem"))
    try:
        plat.sequencer.execute([*SETUP, *INCLUSIVE_SETUP], SYSTEM, "setup")
    finally:
        plat.close()
    for k, v in values.items():
        monkeypatch.setenv(k, v)
    return values


def test_enrol_ingest_close_settle_and_totals(env: dict[str, str], tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    people.write_text("person,district,consent,enrolled\n" + "".join(
        f"{p},500103,1,2026-01-01\n" for p in range(1, 6)))
    r = runner.invoke(app, ["inclusive", "enrol", str(people)])
    assert r.exit_code == 0 and "enrolled 5 of 5" in r.stdout, r.output
    day = beijing_today(int(time.time() * 1000)) - dt.timedelta(days=3)
    events = tmp_path / "metro.jsonl"
    events.write_bytes(jsonl([trip(f"m{p}", p, day, 8, 5_000, 20) for p in range(1, 6)]
                             + [trip("who", 99, day, 8, 5_000, 20)]))
    r = runner.invoke(app, ["inclusive", "ingest", str(events), "--partner", METRO])
    assert r.exit_code == 0, r.output
    assert '"accepted":5' in r.stdout and "unknown_person" in r.stdout
    again = runner.invoke(app, ["inclusive", "ingest", str(events), "--partner", METRO])
    assert again.exit_code == 0 and "nothing changed" in again.stdout
    r = runner.invoke(app, ["inclusive", "close", day.isoformat()])
    assert r.exit_code == 0 and "5 people, 5 events" in r.stdout, r.output
    r = runner.invoke(app, ["inclusive", "settle", day.isoformat()])
    assert r.exit_code == 0 and "journal entry" in r.stdout, r.output
    r = runner.invoke(app, ["inclusive", "summary"])
    assert r.exit_code == 0 and "5 people enrolled; 1 days settled" in r.stdout, r.output
    assert METRO in r.stdout
    r = runner.invoke(app, ["inclusive", "audit"])
    assert r.exit_code == 0 and "adds up" in r.stdout, r.output
    r = runner.invoke(app, ["log", "verify"])
    assert r.exit_code == 0, r.output


@pytest.mark.parametrize(("args", "needle"), [
    (["inclusive", "enrol", "/nonexistent/people.csv"], "cannot read"),
    (["inclusive", "ingest", "{tmp}/events.txt", "--partner", METRO], "--format"),
    (["inclusive", "close", "2026-02-30"], "is not a day"),
    (["inclusive", "settle", "yesterday"], "is not a day"),
])
def test_bad_arguments_exit_2_with_a_message(env: dict[str, str], tmp_path: Path,
                                             args: list[str], needle: str) -> None:
    (tmp_path / "events.txt").write_text("{}\n")
    r = runner.invoke(app, [a.format(tmp=tmp_path) for a in args])
    assert r.exit_code == 2, r.output
    assert needle in r.output


def test_a_file_that_cannot_be_read_exits_2(env: dict[str, str], tmp_path: Path) -> None:
    """The real command: a refusal of the platform (invalid_input) is exit 2."""
    bad = tmp_path / "events.parquet"
    bad.write_bytes(b"PAR1 not parquet at all PAR1")
    r = qingshan(env, "inclusive", "ingest", str(bad), "--partner", METRO)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "invalid_input" in r.stderr and "not readable parquet" in r.stderr
