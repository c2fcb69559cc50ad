"""Reference lists the operator imports into the registry, each import one journal entry:

- grid emission factors by year and grid region, each row with its source (document, table,
  page), from which monitoring reports take the factor in force;
- the green-certificate (绿证, GEC) issuance list: which plant's MWh of which period were
  issued as certificates, so that the same MWh are not credited again.

Both arrive as CSV (``qingshan registry import-factors`` / ``import-gec``, or the operator's
API) or JSON rows; every malformed row is reported at once, with its row number.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from importlib.resources import files
from typing import Any, ClassVar

from qingshan.errors import Conflict, InvalidInput, QingshanError
from qingshan.ledger.domain.commands import Command
from qingshan.ledger.domain.definition import (
    Custom,
    Day,
    Declared,
    Shape,
    Text,
    Whole,
    declare,
    record_shape,
)
from qingshan.ledger.domain.effects import Effects
from qingshan.ledger.domain.model import Principal
from qingshan.ledger.domain.parsing import as_date, text
from qingshan.ledger.domain.urls import UrlRefused, canonical_url
from qingshan.registry.commands import PLANT_CODE_RE
from qingshan.registry.model import GreenCertificateClaim, GridFactor, ReportStatus
from qingshan.registry.numbers import canonical_decimal
from qingshan.registry.state import RegistryState

FACTOR_ID_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{2,47}$")
FACTOR_KINDS = ("om", "bm", "cm", "average")  # operating / build / combined margin; average
# GB/T 2260 province-level codes (first two digits of a district code)
PROVINCES = frozenset({"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34",
                       "35", "36", "37", "41", "42", "43", "44", "45", "46", "50", "51", "52",
                       "53", "54", "61", "62", "63", "64", "65", "71", "81", "82"})
MAX_FACTOR_ROWS = 500
MAX_GEC_ROWS = 2000
FACTOR_COLUMNS = ("id", "kind", "region", "provinces", "year", "value", "document", "locator",
                  "url", "published")
GEC_COLUMNS = ("reference", "plant_code", "period_start", "period_end", "mwh", "source")


class FactorConflict(Conflict):
    """An imported row contradicts one already in the registry (same id or same kind, region
    and year with another value): published figures are not rewritten."""

    code = "factor_conflict"


def _decimal(data: Mapping[str, Any], key: str, lo: Decimal, hi: Decimal) -> str:
    raw = data.get(key)
    try:
        d = Decimal(str(raw)) if isinstance(raw, str | int) and not isinstance(raw, bool) \
            else None
    except InvalidOperation:
        d = None
    if d is None or not d.is_finite() or not lo < d <= hi:
        raise InvalidInput(f"{key} must be a decimal number above {lo} and at most {hi}",
                           field=key, value=str(raw)[:32])
    return canonical_decimal(d)


def _rows(data: Mapping[str, Any], limit: int, parse: Callable[[Mapping[str, Any]], Any],
          ) -> tuple[Any, ...]:
    raw = data.get("rows")
    if not isinstance(raw, list | tuple) or not 1 <= len(raw) <= limit:
        raise InvalidInput(f"rows must be a list of 1 to {limit} rows", field="rows")
    out, errors = [], []
    for i, item in enumerate(raw, start=1):
        try:
            if not isinstance(item, Mapping):
                raise InvalidInput("each row is an object", field="rows")
            out.append(parse(item))
        except QingshanError as exc:
            errors.append({"row": i, "field": exc.data.get("field"), "message": exc.message})
    if errors:
        raise InvalidInput(f"{len(errors)} of {len(raw)} rows are malformed; nothing was "
                           "imported", errors=errors)
    return tuple(out)


# ---------------------------------------------------------------------------------- factors
def _factor_id(d: Mapping[str, Any], key: str) -> str:
    fid = d.get(key)
    if not isinstance(fid, str) or not FACTOR_ID_RE.fullmatch(fid):
        raise InvalidInput("id is 3-48 capital letters, digits or '-'", field=key)
    return fid


def _factor_kind(d: Mapping[str, Any], key: str) -> str:
    if d.get(key) not in FACTOR_KINDS:
        raise InvalidInput(f"kind must be one of: {', '.join(FACTOR_KINDS)}", field=key)
    return str(d[key])


def _provinces(d: Mapping[str, Any], key: str) -> tuple[str, ...]:
    provinces = d.get(key)
    if not isinstance(provinces, list | tuple) or not provinces or not all(
            p in PROVINCES for p in provinces):
        raise InvalidInput("provinces lists GB/T 2260 province codes such as 50", field=key)
    return tuple(sorted(set(provinces)))


def _source_url(d: Mapping[str, Any], key: str = "url") -> str:
    """Empty, or an http(s) address in canonical form (the factor page links it)."""
    url = text(d, key, required=False, max_len=500)
    if not url:
        return ""
    try:
        return canonical_url(url)
    except UrlRefused as exc:
        raise InvalidInput(f"url: {exc}", field=key) from None


def _number(lo: Decimal, hi: Decimal, example: str) -> Custom:
    return Custom(parser=lambda d, k: _decimal(d, k, lo, hi), examples=(example,),
                  like=Shape(type="text", max_length=40, length_at_edge=False),
                  description=f"a decimal number above {lo} and at most {hi}")


DECIMAL_TEXT = Shape(type="text", max_length=40, length_at_edge=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class FactorRow(Declared):
    id: str = declare(Custom(parser=_factor_id, examples=("CN-2022-CENTRAL-OM",),
                             like=Shape(type="text", max_length=48, length_at_edge=False)))
    kind: str = declare(Custom(parser=_factor_kind, description=" | ".join(FACTOR_KINDS),
                               like=Shape(type="text", max_length=8, length_at_edge=False)))
    region: str = declare(Text(max_len=40))
    provinces: tuple[str, ...] = declare(Custom(
        parser=_provinces, to_json=list, description="GB/T 2260 province codes",
        like=Shape(type="list", min_length=1, max_length=len(PROVINCES),
                   items=(Shape(type="text", max_length=2, length_at_edge=False),))))
    year: int = declare(Whole(lo=1990, hi=2100, message="year must be a year from 1990 to 2100"))
    value: str = declare(_number(Decimal(0), Decimal(3), "0.5703"))
    document: str = declare(Text(max_len=300))
    locator: str = declare(Text(max_len=300, description="table and page in the document"))
    url: str = declare(Custom(parser=_source_url, like=Shape(type="text", max_length=500),
                              required=False))
    published: str = declare(Day())


def _row_list(row: type[Declared], limit: int, name: str) -> Custom:
    return Custom(parser=lambda d, _: _rows(d, limit, row.from_payload),
                  to_json=lambda rows: [r.to_payload() for r in rows],
                  like=Shape(type="list", min_length=1, max_length=limit,
                             items=(record_shape(row, name),)))


@dataclass(frozen=True, slots=True)
class ImportGridFactors(Command):
    """Add rows to the grid-factor table (operator). A row already there is skipped; a row
    that contradicts one there is refused, with every other contradiction."""

    kind: ClassVar[str] = "import_grid_factors"
    rows: tuple[FactorRow, ...] = declare(_row_list(FactorRow, MAX_FACTOR_ROWS, "FactorRow"))


# ---------------------------------------------------------------------------------- GEC
def _plant(d: Mapping[str, Any], key: str) -> str:
    plant = d.get(key)
    if not isinstance(plant, str) or not PLANT_CODE_RE.fullmatch(plant):
        raise InvalidInput("plant_code is 1-64 letters, digits, '.', '_' or '-'", field=key)
    return plant


def _gec_period(values: dict[str, Any], data: Mapping[str, Any]) -> None:
    if as_date(values["period_end"]) < as_date(values["period_start"]):
        raise InvalidInput("the period ends before it starts", field="period_end")


@dataclass(frozen=True, slots=True, kw_only=True)
class GecRow(Declared):
    reference: str = declare(Text(max_len=64))
    plant_code: str = declare(Custom(parser=_plant, like=Shape(
        type="text", max_length=64, length_at_edge=False)))
    period_start: str = declare(Day())
    period_end: str = declare(Day())
    mwh: str = declare(_number(Decimal(0), Decimal(10**12), "81.25"))
    source: str = declare(Text(max_len=300, required=False))

    checks = (_gec_period,)


@dataclass(frozen=True, slots=True)
class ImportGreenCertificates(Command):
    """Add lines of the green-certificate issuance list (operator); the result names every
    monitoring report already credited for an overlapping period of the same plant."""

    kind: ClassVar[str] = "import_green_certificates"
    rows: tuple[GecRow, ...] = declare(_row_list(GecRow, MAX_GEC_ROWS, "GecRow"))


IMPORT_COMMANDS: tuple[type[Command], ...] = (ImportGridFactors, ImportGreenCertificates)


# ---------------------------------------------------------------------------------- CSV
def rows_from_csv(text: str, columns: tuple[str, ...]) -> list[dict[str, Any]]:
    """CSV with a header row naming ``columns`` → JSON rows for the import commands
    (``provinces`` split on ';', ``year`` an integer). A UTF-8 byte-order mark is ignored."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = tuple(reader.fieldnames or ())
    missing = [c for c in columns if c not in header]
    if missing:
        raise InvalidInput(f"the CSV header lacks {', '.join(missing)}", field="header",
                           expected=list(columns), found=list(header))
    out: list[dict[str, Any]] = []
    for line in reader:
        row: dict[str, Any] = {c: (line.get(c) or "").strip() for c in columns}
        if "provinces" in row:
            row["provinces"] = [p for p in re.split(r"[;\s]+", row["provinces"]) if p]
        if "year" in row:
            row["year"] = int(row["year"]) if row["year"].isdigit() else row["year"]
        out.append(row)
    return out


# ---------------------------------------------------------------------------------- handlers
def apply_import_grid_factors(book: RegistryState, cmd: ImportGridFactors, actor: Principal,
                              seq: int) -> Effects:
    book.check_admin(actor)
    errors: list[dict[str, Any]] = []
    new: dict[str, GridFactor] = {}
    unchanged = 0
    slots = {(f.kind, f.region, f.year): f.id for f in book.factors.values()}
    for i, r in enumerate(cmd.rows, start=1):
        row = GridFactor(id=r.id,
                         kind=r.kind,
                         region=r.region,
                         provinces=r.provinces,
                         year=r.year,
                         value=r.value,
                         document=r.document,
                         locator=r.locator,
                         url=r.url,
                         published=r.published,
                         seq=seq)
        old = book.factors.get(r.id) or new.get(r.id)
        if old is not None:
            if old.seq != seq and _same_factor(old, row):
                unchanged += 1
            else:
                errors.append({"row": i, "id": r.id, "message": "another row has this id"})
            continue
        other = slots.get((r.kind, r.region, r.year))
        if other is not None:
            errors.append({"row": i, "id": r.id, "message": f"{other} is already the "
                           f"{r.kind} factor of {r.region} for {r.year}"})
            continue
        shared = [f.id for f in (*book.factors.values(), *new.values())
                  if (f.kind, f.year) == (r.kind, r.year) and set(f.provinces) & set(r.provinces)]
        if shared:  # one province, one grid: the factor in force must be unambiguous
            errors.append({"row": i, "id": r.id, "message": f"its provinces are already in "
                           f"{', '.join(shared)} for {r.kind} {r.year}"})
            continue
        slots[(r.kind, r.region, r.year)] = r.id
        new[r.id] = row
    if errors:
        raise FactorConflict(f"{len(errors)} rows contradict the table; nothing was imported",
                             errors=errors)
    for fid, row in new.items():
        book.put("factors", fid, row)
    return Effects({"added": len(new), "unchanged": unchanged})


def _same_factor(a: GridFactor, b: GridFactor) -> bool:
    return (a.kind, a.region, a.provinces, a.year, a.value, a.document, a.locator, a.url,
            a.published) == (b.kind, b.region, b.provinces, b.year, b.value, b.document,
                             b.locator, b.url, b.published)


def apply_import_green_certificates(book: RegistryState, cmd: ImportGreenCertificates,
                                    actor: Principal, seq: int) -> Effects:
    book.check_admin(actor)
    errors: list[dict[str, Any]] = []
    new: dict[str, GreenCertificateClaim] = {}
    unchanged = 0
    for i, r in enumerate(cmd.rows, start=1):
        row = GreenCertificateClaim(r.reference, r.plant_code, r.period_start, r.period_end,
                                    r.mwh, r.source, seq)
        old = book.certificates.get(r.reference) or new.get(r.reference)
        if old is None:
            new[r.reference] = row
        elif old.seq != seq and (old.plant_code, old.period_start, old.period_end, old.mwh,
                                 old.source) == (row.plant_code, row.period_start,
                                                 row.period_end, row.mwh, row.source):
            unchanged += 1
        else:
            errors.append({"row": i, "reference": r.reference,
                           "message": "another line has this reference"})
    if errors:
        raise FactorConflict(f"{len(errors)} lines contradict the list; nothing was imported",
                             errors=errors)
    for ref, row in new.items():
        book.put("certificates", ref, row)
    return Effects({"added": len(new), "unchanged": unchanged,
                    "conflicts": _credited_overlaps(book, list(new.values()))})


def _credited_overlaps(book: RegistryState, claims: list[GreenCertificateClaim],
                       ) -> list[dict[str, str]]:
    """Reports (not rejected) whose period overlaps a newly listed certificate period of
    their project's plant: the same MWh claimed twice, for the operator to act on."""
    plants = {c.plant_code for c in claims}
    projects = {p.id: p.plant_code for p in book.projects.values() if p.plant_code in plants}
    reports: dict[str, list[tuple[str, str, str, str]]] = {}
    for r in book.reports.values():
        if r.project in projects and r.status is not ReportStatus.REJECTED:
            reports.setdefault(projects[r.project], []).append(
                (r.project, r.id, r.period_start, r.period_end))
    out = [{"reference": c.reference, "project": pid, "report": rid}
           for c in claims for pid, rid, start, end in reports.get(c.plant_code, ())
           if as_date(start) <= as_date(c.period_end)
           and as_date(c.period_start) <= as_date(end)]
    return sorted(out, key=lambda d: (d["reference"], d["report"]))


def shipped_factor_csv() -> str:
    """The grid-factor table this release ships (``registry/data/grid_factors.csv``): only
    figures read in their published source — see docs/methodologies.md."""
    return (files("qingshan.registry") / "data" / "grid_factors.csv").read_text("utf-8")


def shipped_factor_rows() -> list[dict[str, Any]]:
    return rows_from_csv(shipped_factor_csv(), FACTOR_COLUMNS)
