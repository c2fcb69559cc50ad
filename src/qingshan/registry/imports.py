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
from qingshan.ledger.domain.effects import Effects
from qingshan.ledger.domain.model import Principal
from qingshan.ledger.domain.parsing import as_date, date, text
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
@dataclass(frozen=True, slots=True)
class FactorRow:
    id: str
    kind: str
    region: str
    provinces: tuple[str, ...]
    year: int
    value: str
    document: str
    locator: str
    url: str
    published: str

    def to_payload(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "region": self.region,
                "provinces": list(self.provinces), "year": self.year, "value": self.value,
                "document": self.document, "locator": self.locator, "url": self.url,
                "published": self.published}

    @classmethod
    def from_payload(cls, d: Mapping[str, Any]) -> FactorRow:
        fid = d.get("id")
        if not isinstance(fid, str) or not FACTOR_ID_RE.fullmatch(fid):
            raise InvalidInput("id is 3-48 capital letters, digits or '-'", field="id")
        if d.get("kind") not in FACTOR_KINDS:
            raise InvalidInput(f"kind must be one of: {', '.join(FACTOR_KINDS)}", field="kind")
        provinces = d.get("provinces")
        if not isinstance(provinces, list | tuple) or not provinces or not all(
                p in PROVINCES for p in provinces):
            raise InvalidInput("provinces lists GB/T 2260 province codes such as 50",
                               field="provinces")
        year = d.get("year")
        if type(year) is not int or not 1990 <= year <= 2100:
            raise InvalidInput("year must be a year from 1990 to 2100", field="year")
        return cls(fid, str(d["kind"]), text(d, "region", max_len=40),
                   tuple(sorted(set(provinces))), year,
                   _decimal(d, "value", Decimal(0), Decimal(3)),
                   text(d, "document", max_len=300), text(d, "locator", max_len=300),
                   _source_url(d), date(d, "published"))


def _source_url(d: Mapping[str, Any]) -> str:
    """Empty, or an http(s) address in canonical form (the factor page links it)."""
    url = text(d, "url", required=False, max_len=500)
    if not url:
        return ""
    try:
        return canonical_url(url)
    except UrlRefused as exc:
        raise InvalidInput(f"url: {exc}", field="url") from None


@dataclass(frozen=True, slots=True)
class ImportGridFactors(Command):
    """Add rows to the grid-factor table (operator). A row already there is skipped; a row
    that contradicts one there is refused, with every other contradiction."""

    kind: ClassVar[str] = "import_grid_factors"
    rows: tuple[FactorRow, ...]

    def to_payload(self) -> dict[str, Any]:
        return {"rows": [r.to_payload() for r in self.rows]}

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> ImportGridFactors:
        return cls(_rows(data, MAX_FACTOR_ROWS, FactorRow.from_payload))


# ---------------------------------------------------------------------------------- GEC
@dataclass(frozen=True, slots=True)
class GecRow:
    reference: str
    plant_code: str
    period_start: str
    period_end: str
    mwh: str
    source: str

    def to_payload(self) -> dict[str, Any]:
        return {"reference": self.reference, "plant_code": self.plant_code,
                "period_start": self.period_start, "period_end": self.period_end,
                "mwh": self.mwh, "source": self.source}

    @classmethod
    def from_payload(cls, d: Mapping[str, Any]) -> GecRow:
        plant = d.get("plant_code")
        if not isinstance(plant, str) or not PLANT_CODE_RE.fullmatch(plant):
            raise InvalidInput("plant_code is 1-64 letters, digits, '.', '_' or '-'",
                               field="plant_code")
        start, end = date(d, "period_start"), date(d, "period_end")
        if as_date(end) < as_date(start):
            raise InvalidInput("the period ends before it starts", field="period_end")
        return cls(text(d, "reference", max_len=64), plant, start, end,
                   _decimal(d, "mwh", Decimal(0), Decimal(10**12)),
                   text(d, "source", required=False, max_len=300))


@dataclass(frozen=True, slots=True)
class ImportGreenCertificates(Command):
    """Add lines of the green-certificate issuance list (operator); the result names every
    monitoring report already credited for an overlapping period of the same plant."""

    kind: ClassVar[str] = "import_green_certificates"
    rows: tuple[GecRow, ...]

    def to_payload(self) -> dict[str, Any]:
        return {"rows": [r.to_payload() for r in self.rows]}

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> ImportGreenCertificates:
        return cls(_rows(data, MAX_GEC_ROWS, GecRow.from_payload))


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
