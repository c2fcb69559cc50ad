"""``qingshan demo``: five years of history replayed into a new database, and demo keys."""

from __future__ import annotations

import os
from typing import Any

import typer

from qingshan.access.keys import CLI, issue_key
from qingshan.cli.common import open_platform, out, progress
from qingshan.demo import load_demo
from qingshan.demo.inclusive import DEMO_PERSON, METRO_NAME
from qingshan.errors import Conflict, IdempotencyConflict
from qingshan.inclusive.state import person_party
from qingshan.infra.config import Settings, get_settings
from qingshan.ledger.domain.model import PartyKind, Role

demo_app = typer.Typer(help="Demo data.", no_args_is_help=True)
DEMO_KEY_DAYS = 365


@demo_app.command("load")
def demo_load(enterprises: int = typer.Option(149, min=1, max=5000)) -> None:
    """Load the demo book: five years of registry and exchange replayed day by day into a new
    database (again: nothing changes), and print demo API keys."""
    s = get_settings()
    # the demo loads into a new database, so a crash costs only a reload: SQLite need not
    # wait for the disk at every commit while it loads (a process crash loses nothing in WAL)
    plat = open_platform(s.model_copy(update={"sqlite_synchronous": "NORMAL"}))
    try:
        with progress() as bar:
            task = bar.add_task("replaying the demo's history, day by day", total=None)
            try:
                book = load_demo(plat.sequencer, enterprises=enterprises,
                                 progress=lambda d, t: bar.update(task, completed=d, total=t),
                                 subledger=plat.subledger())
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


def _demo_keys(plat: Any, s: Settings) -> None:
    path = s.signing_key_path.parent / "demo-keys.txt"
    if not path.exists():
        state = plat.sequencer.state
        ent = next(p for p in state.parties.values() if p.kind is PartyKind.ENTERPRISE)
        courts = [p for p in state.parties.values() if p.kind is PartyKind.COURT]
        # the court of the demo's first 以碳代偿 case, if loaded (its cases show on /me)
        court = next((p for p in courts if p.name == "重庆市第二中级人民法院"), courts[0])
        verifier = next(p for p in state.parties.values() if p.kind is PartyKind.VERIFIER)
        bank = next(p for p in state.parties.values() if p.kind is PartyKind.BANK)
        # a district with a contract still in escrow (九龙坡 buys from 城口), if loaded
        districts = [p for p in state.parties.values() if p.kind is PartyKind.DISTRICT]
        district = next((p for p in districts if p.identifier == "500107"),
                        districts[0] if districts else None)

        def key(role: Role, party: str | None, label: str) -> str:
            token, _ = issue_key(plat.engine, plat.sequencer, CLI, role, party, label,
                                 days=DEMO_KEY_DAYS)
            return token

        lines = [
            f"operator {key(Role.OPERATOR, None, 'demo operator')}",
            f"auditor  {key(Role.AUDITOR, None, 'demo auditor')}",
            f"member   {key(Role.MEMBER, ent.id, 'demo member')}  ({ent.name}, {ent.id})",
            f"court    {key(Role.COURT, court.id, 'demo court')}  ({court.name})",
            f"supervisor {key(Role.SUPERVISOR, None, 'demo supervisor')}  (检察院 reads cases)",
            f"verifier {key(Role.VERIFIER, verifier.id, 'demo verifier')}  ({verifier.name})",
            f"bank     {key(Role.BANK, bank.id, 'demo bank')}  ({bank.name})",
            f"forestry {key(Role.FORESTRY, None, 'demo forestry')}  (市林业局: surveys, checks)",
        ]
        # the demo's second lender of pledge loans (docs/lending.md), if loaded
        lender = next((p for p in state.parties.values() if p.kind is PartyKind.BANK
                       and p.name.startswith("兴业银行")), None)
        if lender is not None:
            lines.append(f"lender   {key(Role.BANK, lender.id, 'demo lender')}  "
                         f"({lender.name}: pledge loans)")
        if district is not None:
            lines.append(f"district {key(Role.MEMBER, district.id, 'demo district')}  "
                         f"({district.name}, {district.id})")
        # carbon-inclusive: the sample's first person, and the metro as a partner (its files)
        if plat.subledger().rows("SELECT 1 FROM inclusive_people WHERE person = ?",
                                 (DEMO_PERSON,)):
            party = person_party(DEMO_PERSON)
            lines.append(f"person   {key(Role.PERSON, party, 'demo person')}  "
                         f"(carbon-inclusive account {DEMO_PERSON}, {party})")
        metro = next((p for p in state.parties.values() if p.name == METRO_NAME), None)
        if metro is not None:
            lines.append(f"partner  {key(Role.MEMBER, metro.id, 'demo partner')}  "
                         f"({metro.name}: carbon-inclusive partner, {metro.id})")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write("\n".join(lines) + "\n")
    out.print(f"demo API keys (also in {path}):")
    out.print(path.read_text())
