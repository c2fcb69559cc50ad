"""People to enrol, from a file (CSV or Parquet, as ``qingshan inclusive enrol`` reads it) or
from records (``POST /api/v1/inclusive/people``): each row a person's account number, their
district (a six-digit administrative code), their consent mask (one bit per partner's slot)
and the day they enrolled (ISO 8601). One malformed row refuses the whole list, naming its
row and field, so a list is enrolled whole or not at all."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from qingshan.errors import InvalidInput
from qingshan.inclusive.model import MAX_PERSON, MAX_SLOTS

COLUMNS = ("person", "district", "consent", "enrolled")
PEOPLE_FORMATS = ("csv", "parquet")
MAX_CONSENT = 2**MAX_SLOTS - 1


def read_people(data: bytes, fmt: str) -> pl.DataFrame:
    """A file of people as the frame ``SubLedgerStore.enrol`` takes."""
    if fmt not in PEOPLE_FORMATS:
        raise InvalidInput(f"format must be one of {', '.join(PEOPLE_FORMATS)}", field="format")
    try:
        raw = (pl.read_csv(io.BytesIO(data), infer_schema=False) if fmt == "csv"
               else pl.read_parquet(io.BytesIO(data)))
    except (pl.exceptions.PolarsError, pl.exceptions.PanicException, OSError,
            ValueError) as exc:
        raise InvalidInput(f"the file is not readable {fmt}: {str(exc)[:200]}",
                           field="file") from None
    return people_frame(raw)


def people_from_records(rows: Sequence[Mapping[str, Any]]) -> pl.DataFrame:
    """Records ``{person, district, consent, enrolled}`` as the frame ``enrol`` takes."""
    if not rows:
        raise InvalidInput("no people in the list", field="people")
    raw = pl.DataFrame({c: [None if r.get(c) is None else str(r.get(c)) for r in rows]
                        for c in COLUMNS}, schema={c: pl.String for c in COLUMNS})
    return people_frame(raw, field="people")


def people_frame(raw: pl.DataFrame, field: str = "file") -> pl.DataFrame:
    missing = [c for c in COLUMNS if c not in raw.columns]
    if missing:
        raise InvalidInput(f"the list lacks the columns {', '.join(missing)}", field=field,
                           columns=list(COLUMNS))
    if raw.height == 0:
        raise InvalidInput("no people in the list", field=field)

    def text(name: str) -> pl.Expr:
        return pl.col(name).cast(pl.String).str.strip_chars()

    frame = raw.select(
        text("person").cast(pl.Int64, strict=False).alias("person"),
        text("district").alias("district"),
        text("consent").cast(pl.Int64, strict=False).alias("consent"),
        text("enrolled").str.to_date("%Y-%m-%d", strict=False).cast(pl.Int64)
        .alias("enrolled"))
    checks = (
        ("person", pl.col("person").is_between(1, MAX_PERSON),
         f"an account number from 1 to {MAX_PERSON}"),
        ("district", pl.col("district").str.contains(r"^[0-9]{6}$"),
         "a six-digit administrative code"),
        ("consent", pl.col("consent").is_between(0, MAX_CONSENT),
         f"a mask of consents from 0 to {MAX_CONSENT}"),
        ("enrolled", pl.col("enrolled").is_not_null(), "a day, YYYY-MM-DD"),
        ("person", pl.col("person").is_first_distinct(), "listed once"),
    )
    numbered = frame.with_row_index("row", offset=1)
    for name, ok, must in checks:
        bad = numbered.filter(~ok.fill_null(False))
        if bad.height:
            row = int(bad["row"][0])
            raise InvalidInput(f"row {row}: {name} must be {must} ({bad.height} rows are not)",
                               field=field, row=row, column=name, rows=bad.height)
    return frame
