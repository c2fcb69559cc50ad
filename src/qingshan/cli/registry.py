"""``qingshan registry``: the registry's reference lists (grid factors, green
certificates), each import one journal entry."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer

from qingshan.cli.common import err, open_platform, out, read_text
from qingshan.infra.config import get_settings
from qingshan.ledger.domain.commands import command_from_payload
from qingshan.ledger.domain.model import SYSTEM
from qingshan.registry import imports

registry_app = typer.Typer(help="The registry's reference lists: grid factors, green "
                                "certificates.", no_args_is_help=True)


def _import(kind: str, rows: list[dict[str, Any]], text: str) -> dict[str, Any]:
    """One journaled import as the platform; the same file again is an idempotent replay."""
    plat = open_platform(get_settings())
    try:
        cmd = command_from_payload(kind, {"rows": rows}, plat.sequencer.catalog)
        key = f"cli/{kind}/{hashlib.sha256(text.encode()).hexdigest()[:32]}"
        receipt = plat.sequencer.execute([cmd], SYSTEM, key)[0]
    finally:
        plat.close()
    out.print(f"journal entry {receipt.seq}: {orjson.dumps(receipt.result).decode()}")
    result: dict[str, Any] = receipt.result
    return result


@registry_app.command("import-factors")
def registry_import_factors(
        csv_file: Annotated[Path | None, typer.Argument(
            help="CSV with id,kind,region,provinces,year,value,document,locator,url,"
                 "published; without it, the table this release ships")] = None) -> None:
    """Import grid emission factors (journaled; rows already there are skipped)."""
    text = imports.shipped_factor_csv() if csv_file is None else read_text(csv_file)
    _import("import_grid_factors", imports.rows_from_csv(text, imports.FACTOR_COLUMNS), text)


@registry_app.command("import-gec")
def registry_import_gec(csv_file: Annotated[Path, typer.Argument(
        help="CSV with reference,plant_code,period_start,period_end,mwh,source")]) -> None:
    """Import the green-certificate (GEC) issuance list (journaled); prints the reports
    already credited for the same MWh."""
    text = read_text(csv_file)
    result = _import("import_green_certificates",
                     imports.rows_from_csv(text, imports.GEC_COLUMNS), text)
    for c in result.get("conflicts", []):
        err.print(f"[yellow]already credited[/yellow]: {c['report']} of {c['project']} "
                  f"overlaps certificate {c['reference']}")
