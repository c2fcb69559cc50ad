"""The people's sub-ledger, written in bulk outside the sequencer: partners' batches are read,
checked and kept (``ingest``), days are closed into one posting per person (``close_day``),
and people are enrolled (``enrol``). The sequencer only settles closed days and records spends
(``accounts``), so a day of millions of events never holds the writer.

What is kept, and where:

- the database: people, batches (with their counts), every rejected line with its code and
  reason, postings (one per person per day) and closes (a day's Merkle root and totals);
- the archive directory: each batch's bytes as received (``raw/``), its accepted events in
  canonical columns (``batches/<id>.parquet``), each closed day's events with what each was
  credited and why not more (``days/<day>.parquet``), and each person's grams so far in the
  year in the scenarios with a yearly cap (``ytd/<day>.parquet``).

Crash safety: a batch is written to the archive first (a temporary file renamed into place),
then recorded in one transaction with its rejects; a batch the database does not know is not
there. A day's postings are written in transactions of ``CHUNK`` rows and its close row last:
a day without its close row is not closed, and closing it again replaces its postings. A batch
is identified by its partner, format and bytes, and every event by its partner and id, so a resent
file, or one that overlaps an earlier one, counts each event once."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson
import polars as pl
from sqlalchemy import Engine

from qingshan.errors import InvalidInput
from qingshan.inclusive.errors import DayOutOfOrder, UnknownPartner
from qingshan.inclusive.model import EPOCH, EVENT_ID_RE, DayClose, Partner
from qingshan.inclusive.model import iso_day as iso
from qingshan.inclusive.rules import (
    EVENT_SCHEMA,
    YTD_SCHEMA,
    check,
    credit_day,
    normalise,
    postings_root,
)
from qingshan.inclusive.subledger import format_by_scenario
from qingshan.science.inclusive import PARAMETER_SET

FORMATS = ("jsonl", "csv", "parquet")
CHUNK = 100_000  # rows per transaction when posting a day
Progress = Callable[[str, int, int], None]  # stage, done, total


@dataclass(frozen=True, slots=True)
class BatchResult:
    batch: str
    partner: str
    lines: int
    accepted: int
    duplicates: int
    rejected: int
    grams: int
    first_day: int | None
    last_day: int | None
    replayed: bool  # the same bytes from the same partner were ingested before

    def to_payload(self) -> dict[str, Any]:
        return {"batch": self.batch, "partner": self.partner, "lines": self.lines,
                "accepted": self.accepted, "duplicates": self.duplicates,
                "rejected": self.rejected, "grams": self.grams,
                "first_day": None if self.first_day is None else iso(self.first_day),
                "last_day": None if self.last_day is None else iso(self.last_day),
                "replayed": self.replayed}


def read_batch(data: bytes, fmt: str) -> pl.DataFrame:
    """A partner's file as a frame (columns as sent; ``normalise`` checks them)."""
    if fmt not in FORMATS:
        raise InvalidInput(f"format must be one of {', '.join(FORMATS)}", field="format")
    try:
        if fmt == "csv":
            return pl.read_csv(io.BytesIO(data), infer_schema=False)
        if fmt == "parquet":
            return pl.read_parquet(io.BytesIO(data))
        return _read_jsonl(data)
    except (pl.exceptions.PolarsError, pl.exceptions.PanicException, OSError,
            ValueError) as exc:
        raise InvalidInput(f"the file is not readable {fmt}: {str(exc)[:200]}",
                           field="file") from None


def _read_jsonl(data: bytes) -> pl.DataFrame:
    """JSON lines, every value kept as text (so a line whose types differ does not spoil the
    column); a line that is not a JSON object becomes a line of nulls (rejected by field)."""
    rows: list[dict[str, str | None]] = []
    for raw in data.splitlines():
        if not raw.strip():
            continue
        try:
            obj = orjson.loads(raw)
        except orjson.JSONDecodeError:
            obj = None
        if not isinstance(obj, dict):
            rows.append({})
            continue
        rows.append({k: None if v is None else (v if isinstance(v, str) else orjson.dumps(v)
                                                .decode())
                     for k, v in obj.items() if isinstance(k, str)})
    if not rows:
        return pl.DataFrame()
    names = sorted({k for r in rows for k in r}) or ["event_id"]  # no line has a key
    return pl.DataFrame({n: [r.get(n) for r in rows] for n in names},
                        schema={n: pl.String for n in names})


LINES_PER_READ = 1_000_000  # a batch is read and normalised this many lines at a time


def _normalised(path: Path, data: bytes, fmt: str,
                partner: str) -> tuple[pl.DataFrame, pl.DataFrame, int]:
    """A batch as canonical events and malformed lines, and its number of lines: Parquet and
    CSV read from the archived file a million lines at a time (the file's text columns never
    all in memory beside their canonical form), JSON lines at once."""
    if fmt == "jsonl":
        raw = read_batch(data, fmt)
        events, bad = normalise(raw, partner)
        return events, bad, raw.height
    if fmt not in FORMATS:
        raise InvalidInput(f"format must be one of {', '.join(FORMATS)}", field="format")
    scan = (pl.scan_parquet(path) if fmt == "parquet"
            else pl.scan_csv(path, infer_schema=False))
    try:
        lines = int(scan.select(pl.len()).collect().item())
        parts = [normalise(scan.slice(at, LINES_PER_READ).collect(), partner, first_line=at + 1)
                 for at in range(0, max(lines, 1), LINES_PER_READ)]
    except (pl.exceptions.PolarsError, pl.exceptions.PanicException, OSError,
            ValueError) as exc:
        raise InvalidInput(f"the file is not readable {fmt}: {str(exc)[:200]}",
                           field="file") from None
    return (pl.concat([e for e, _ in parts]), pl.concat([b for _, b in parts]), lines)


def shown_id(event_id: str | None) -> str | None:
    """A refused line's event id as stored: as sent when it is a well-formed id, else escaped
    to printable ASCII (a NUL byte or a lone surrogate is told, never stored)."""
    if event_id is None or EVENT_ID_RE.fullmatch(event_id):
        return event_id
    return orjson.dumps(event_id.encode("utf-8", "backslashreplace").decode("ascii",
                                                                              "backslashreplace")
                        ).decode()[:64]


def shown_name(name: str) -> str:
    """A file's name as stored: printable text only, at most 200 characters."""
    safe = name.encode("utf-8", "backslashreplace").decode("utf-8", "replace")
    return "".join(ch for ch in safe if ch.isprintable())[:200]


def batch_id(partner: str, fmt: str, data: bytes) -> str:
    """A batch's id: SHA-256 of its partner, format and bytes."""
    return hashlib.sha256(f"{partner}\0{fmt}\0".encode() + data).hexdigest()


@dataclass(frozen=True, slots=True)
class CheckedBatch:
    """A batch checked and archived, not yet recorded."""

    batch: str
    partner: str
    name: str
    fmt: str
    lines: int
    accepted: int
    duplicates: int
    rejected: pl.DataFrame  # REJECT_SCHEMA, by line
    grams: int
    first_day: int | None
    last_day: int | None
    accepted_ids: pl.DataFrame  # event id, day (so the partner's next batch sees them)

    def result(self) -> BatchResult:
        return BatchResult(self.batch, self.partner, self.lines, self.accepted,
                           self.duplicates, self.rejected.height, self.grams, self.first_day,
                           self.last_day, False)


def check_batch(archive: Path, partner: Partner, data: bytes, fmt: str, name: str, *,
                people: pl.DataFrame, now_ms: int, open_from: int,
                seen: Callable[[int, int], pl.Series],
                tick: Progress = lambda stage, done, total: None) -> CheckedBatch:
    """Read, check and archive one batch (its bytes as received, its accepted events as
    Parquet): everything of an ingestion but recording it, so batches can be checked on any
    machine that sees the archive (``qingshan.inclusive.distributed``). ``seen(lo, hi)``: the
    partner's event ids already accepted on days ``lo`` … ``hi``."""
    bid = batch_id(partner.id, fmt, data)
    raw_path = archive / "raw" / f"{bid}.{fmt}"
    write_file(raw_path, data)
    events, bad, lines = _normalised(raw_path, data, fmt, partner.id)
    tick("read", lines, lines)
    lo = int(events["day"].min() or 0) if events.height else 0  # type: ignore[arg-type]
    hi = int(events["day"].max() or 0) if events.height else 0  # type: ignore[arg-type]
    checked = check(events, partner=partner, people=people, now_ms=now_ms,
                    open_from=open_from, seen=seen(max(lo, open_from), hi) if hi >= max(
                        lo, open_from) else pl.Series("event_id", [], dtype=pl.String))
    del events
    tick("check", lines, lines)
    rejected = pl.concat([bad, checked.rejected]).sort("line")
    acc = checked.accepted
    if acc.height:
        write_frame(archive / "batches" / f"{bid}.parquet", acc)
    tick("archive", lines, lines)
    return CheckedBatch(
        batch=bid, partner=partner.id, name=name, fmt=fmt, lines=lines, accepted=acc.height,
        duplicates=checked.duplicates, rejected=rejected,
        grams=int(acc["grams"].sum()) if acc.height else 0,
        first_day=int(acc["day"].min()) if acc.height else None,  # type: ignore[arg-type]
        last_day=int(acc["day"].max()) if acc.height else None,  # type: ignore[arg-type]
        accepted_ids=acc.select("event_id", "day"))


def write_file(path: Path, data: bytes) -> None:
    """``data`` at ``path``, durably: a temporary file synced, then renamed into place."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def write_frame(path: Path, frame: pl.DataFrame) -> None:
    """A frame as Parquet at ``path``, durably (as ``write_file``)."""
    tmp = path.with_name(path.name + ".tmp")
    frame.write_parquet(tmp, statistics=True, row_group_size=256 * 1024)
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, path)


class SubLedgerStore:
    """The sub-ledger of one platform: its database (through ``engine``) and archive."""

    def __init__(self, engine: Engine, archive: Path) -> None:
        self.engine = engine
        self.archive = archive
        self.pg = engine.dialect.name != "sqlite"
        for sub in ("raw", "batches", "days", "ytd"):
            (archive / sub).mkdir(parents=True, exist_ok=True)

    # ------------------------------------------------------------------ database
    @contextmanager
    def _cursor(self) -> Iterator[Any]:
        conn = self.engine.raw_connection()
        try:
            cur = conn.cursor()
            yield cur
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
        finally:
            conn.close()

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.pg else sql

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """Rows of a query written with ? placeholders."""
        return self._rows(sql, params)

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self._cursor() as cur:
            cur.execute(self._sql(sql), tuple(params))
            return list(cur.fetchall())

    def _insert(self, cur: Any, table: str, cols: Sequence[str],
                rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            marks = ", ".join("?" for _ in cols)
            cur.executemany(self._sql(f"INSERT INTO {table} ({', '.join(cols)}) "
                                      f"VALUES ({marks})"), rows)

    def partner(self, pid: str) -> Partner:
        rows = self._rows("SELECT id, name, scenarios, slot, seq FROM inclusive_partners "
                          "WHERE id = ?", (pid,))
        if not rows:
            raise UnknownPartner("no such carbon-inclusive partner", partner=pid)
        r = rows[0]
        return Partner(id=r[0], name=r[1], scenarios=tuple(r[2].split(",")), slot=int(r[3]),
                       seq=int(r[4]))

    def open_from(self) -> int:
        """The first day not yet settled (0 when none is)."""
        rows = self._rows("SELECT MAX(day) FROM inclusive_days")
        return 0 if rows[0][0] is None else int(rows[0][0]) + 1

    def people(self) -> pl.DataFrame:
        """Every enrolled person's number, consents and district."""
        with self._cursor() as cur:
            cur.execute("SELECT person, consent, district FROM inclusive_people")
            rows = cur.fetchall()
        return pl.DataFrame(rows, schema={"person": pl.Int64, "consent": pl.Int64,
                                          "district": pl.String}, orient="row")

    def _pairs(self, sql: str) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Two integer columns of a query, read in slices (a city's millions of people never
        as Python rows at once)."""
        parts: list[npt.NDArray[np.int64]] = []
        with self._cursor() as cur:
            cur.execute(sql)
            while rows := cur.fetchmany(CHUNK):
                parts.append(np.array(rows, dtype=np.int64).reshape(-1, 2))
        both = np.concatenate(parts) if parts else np.zeros((0, 2), dtype=np.int64)
        return both[:, 0], both[:, 1]

    def _districts(self) -> pl.DataFrame:
        """Every enrolled person's number and district code (as an integer)."""
        person, district = self._pairs("SELECT person, CAST(district AS INTEGER) "
                                       "FROM inclusive_people")
        return pl.DataFrame({"person": person, "district": district})

    def consents(self) -> pl.DataFrame:
        """Every enrolled person's number and consents (a bit per partner slot)."""
        person, consent = self._pairs("SELECT person, consent FROM inclusive_people")
        # the people's own consents since enrolment (journaled) override the enrolment's
        changes = self.rows("SELECT c.person, p.slot, c.allow FROM inclusive_consents c "
                            "JOIN inclusive_partners p ON p.id = c.partner")
        if changes and len(person):
            order = np.argsort(person, kind="stable")
            person, consent = person[order], consent[order]
            who = np.array([int(x[0]) for x in changes], dtype=np.int64)
            bit = np.array([1 << int(x[1]) for x in changes], dtype=np.int64)
            allow = np.array([bool(x[2]) for x in changes], dtype=np.bool_)
            at = np.minimum(np.searchsorted(person, who), len(person) - 1)
            hit = person[at] == who
            np.bitwise_or.at(consent, at[hit & allow], bit[hit & allow])
            np.bitwise_and.at(consent, at[hit & ~allow], ~bit[hit & ~allow])
        return pl.DataFrame({"person": person, "consent": consent})

    def enrol(self, people: pl.DataFrame, progress: Progress | None = None) -> int:
        """Add people (person, district, consent, enrolled day) not enrolled yet; the count
        added. Someone already enrolled keeps their row (consent changes are their own)."""
        known = set(self.people()["person"].to_list())
        new = people.filter(~pl.col("person").is_in(list(known)))
        rows = new.select("person", "district", "consent", "enrolled").rows()
        for i in range(0, len(rows), CHUNK):
            with self._cursor() as cur:
                self._insert(cur, "inclusive_people",
                             ("person", "district", "consent", "enrolled"), rows[i:i + CHUNK])
            if progress:
                progress("enrol", min(i + CHUNK, len(rows)), len(rows))
        return len(rows)

    def set_consent(self, person: int, consent: int) -> None:
        with self._cursor() as cur:
            cur.execute(self._sql("UPDATE inclusive_people SET consent = ? WHERE person = ?"),
                        (consent, person))

    # ------------------------------------------------------------------ batches
    def _batch_files(self, partner: str | None, lo: int, hi: int) -> list[Path]:
        sql = ("SELECT id FROM inclusive_batches WHERE accepted > 0 AND first_day <= ? "
               "AND last_day >= ?")
        params: list[Any] = [hi, lo]
        if partner is not None:
            sql += " AND partner = ?"
            params.append(partner)
        return [self.archive / "batches" / f"{r[0]}.parquet"
                for r in self._rows(sql + " ORDER BY id", params)]

    def _stored_batch(self, bid: str) -> BatchResult | None:
        rows = self._rows("SELECT partner, lines, accepted, duplicates, rejected, grams, "
                          "first_day, last_day FROM inclusive_batches WHERE id = ?", (bid,))
        if not rows:
            return None
        p, n, a, d, r, g, lo, hi = rows[0]
        return BatchResult(bid, p, int(n), int(a), int(d), int(r), int(g),
                           None if lo is None else int(lo), None if hi is None else int(hi),
                           True)

    def ingest(self, partner_id: str, data: bytes, fmt: str, now_ms: int, name: str = "",
               progress: Progress | None = None) -> BatchResult:
        """Check and keep one batch of a partner's events; the same bytes again are answered
        with the first result and change nothing."""
        partner = self.partner(partner_id)
        if (done := self._stored_batch(batch_id(partner_id, fmt, data))) is not None:
            return done
        tick = progress or (lambda stage, done, total: None)
        checked = check_batch(self.archive, partner, data, fmt, name, people=self.consents(),
                              now_ms=now_ms, open_from=self.open_from(),
                              seen=lambda lo, hi: self._seen(partner_id, lo, hi), tick=tick)
        self.record(checked, now_ms)
        tick("record", checked.lines, checked.lines)
        return checked.result()

    def record(self, c: CheckedBatch, now_ms: int) -> None:
        """A checked batch (its archive files written) in the database, with its rejects, in
        one transaction: from then on it is there."""
        with self._cursor() as cur:
            self._insert(cur, "inclusive_batches",
                         ("id", "partner", "name", "format", "received_ms", "lines",
                          "accepted", "duplicates", "rejected", "grams", "first_day",
                          "last_day"),
                         [(c.batch, c.partner, shown_name(c.name), c.fmt, now_ms, c.lines,
                           c.accepted, c.duplicates, c.rejected.height, c.grams, c.first_day,
                           c.last_day)])
            self._insert(cur, "inclusive_rejects",
                         ("batch", "line", "event_id", "code", "reason"),
                         [(c.batch, line, shown_id(e), code, r[:200])
                          for line, e, code, r in c.rejected.iter_rows()])

    def batches_of(self, partner: str) -> set[str]:
        return {str(r[0]) for r in self.rows("SELECT id FROM inclusive_batches WHERE "
                                             "partner = ?", (partner,))}

    def seen(self, partner: str, lo: int, hi: int) -> pl.DataFrame:
        """The partner's events (event id, day) accepted on days ``lo`` … ``hi``."""
        files = self._batch_files(partner, lo, hi) if hi >= lo else []
        if not files:
            return pl.DataFrame(schema={"event_id": pl.String, "day": pl.Int64})
        return (pl.scan_parquet(files).filter(pl.col("day").is_between(lo, hi))
                .select("event_id", "day").collect())

    def _seen(self, partner: str, lo: int, hi: int) -> pl.Series:
        return self.seen(partner, lo, hi)["event_id"]

    # ------------------------------------------------------------------ days
    def close_day(self, day: int, now_ms: int, progress: Progress | None = None) -> DayClose:
        """Credit a day's events under the caps and post one line per person; the close row
        is written last. Days close in order after the last settled one; closing a day again
        (before it is settled) replaces it and forgets later closes."""
        tick = progress or (lambda stage, done, total: None)
        open_from = self.open_from()
        if day < open_from:
            raise DayOutOfOrder("the day is settled: its postings are final", field="day")
        closed = self._rows("SELECT MAX(day) FROM inclusive_closes")[0][0]
        bounds = ([int(closed)] if closed is not None else []) + (
            [open_from - 1] if open_from else [])
        last = max(bounds, default=None)
        if last is not None and day > last + 1:
            raise DayOutOfOrder(f"close {iso(last + 1)} first", field="day")
        files = self._batch_files(None, day, day)
        kept = [k for k in EVENT_SCHEMA if k not in ("line", "device")]  # the statement's
        events = (pl.scan_parquet(files).filter(pl.col("day") == day).select(kept).collect()
                  if files else pl.DataFrame(schema={k: EVENT_SCHEMA[k] for k in kept}))
        tick("read", events.height, events.height)
        credited = credit_day(events, self._ytd(day))
        tick("credit", events.height, events.height)
        postings = credited.postings
        root = postings_root(day, postings)
        by = (credited.events.group_by("scenario").agg(pl.col("credited").sum())
              .sort("scenario").rows())
        by_partner = (credited.events.group_by("partner").agg(pl.col("credited").sum())
                      .sort("partner").rows())
        by_district = (postings.join(self._districts(), on="person", how="left")
                       .group_by("district").agg(pl.col("grams").sum()).sort("district")
                       .select(pl.col("district").cast(pl.String), "grams").rows())
        close = DayClose(day=day, root=root, people=postings.height, events=events.height,
                         grams=int(postings["grams"].sum()) if postings.height else 0,
                         by_scenario=tuple((str(s), int(g)) for s, g in by),
                         parameter_set=PARAMETER_SET)
        write_frame(self.archive / "days" / f"{day}.parquet",
                          credited.events)  # (in the day's order: person, start, …)
        write_frame(self.archive / "ytd" / f"{day}.parquet", credited.ytd)
        with self._cursor() as cur:
            cur.execute(self._sql("DELETE FROM inclusive_closes WHERE day >= ?"), (day,))
            cur.execute(self._sql("DELETE FROM inclusive_postings WHERE day >= ?"), (day,))
        for i in range(0, postings.height, CHUNK):
            rows = postings.slice(i, CHUNK).select(
                "person", pl.lit(day, dtype=pl.Int64), "grams", "events").rows()
            with self._cursor() as cur:
                self._insert(cur, "inclusive_postings", ("person", "day", "grams", "events"),
                             rows)
            tick("post", min(i + CHUNK, postings.height), postings.height)
        with self._cursor() as cur:
            self._insert(cur, "inclusive_closes",
                         ("day", "root", "people", "events", "grams", "by_scenario",
                          "by_district", "by_partner", "parameter_set", "closed_ms"),
                         [(day, root, close.people, close.events, close.grams,
                           format_by_scenario(close.by_scenario),
                           format_by_scenario([(str(k), int(v)) for k, v in by_district]),
                           format_by_scenario([(str(k), int(v)) for k, v in by_partner]),
                           PARAMETER_SET, now_ms)])
        return close

    def _ytd(self, day: int) -> pl.DataFrame:
        """Each person's grams so far in ``day``'s year (before it), by capped scenario."""
        prev = day - 1
        if dt.date.fromordinal(EPOCH + prev).year != dt.date.fromordinal(EPOCH + day).year:
            return pl.DataFrame(schema=YTD_SCHEMA)
        path = self.archive / "ytd" / f"{prev}.parquet"
        return pl.read_parquet(path) if path.exists() else pl.DataFrame(schema=YTD_SCHEMA)

    # ------------------------------------------------------------------ reads
    def day_events(self, day: int, person: int | None = None,
                   partner: str | None = None) -> pl.DataFrame:
        """A closed day's events with what each was credited (one person's, or a partner's)."""
        path = self.archive / "days" / f"{day}.parquet"
        if not path.exists():
            return pl.DataFrame()
        q = pl.scan_parquet(path)
        if person is not None:
            q = q.filter(pl.col("person") == person)
        if partner is not None:
            q = q.filter(pl.col("partner") == partner)
        return q.collect()

