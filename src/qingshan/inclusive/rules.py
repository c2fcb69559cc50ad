"""The sub-ledger's rules over columns of events (Polars frames in and out; no I/O): read a
partner's batch into canonical columns, refuse what cannot be credited with a code and a
reason, and at a day's close credit each accepted event under the caps and post one line per
person. Every figure is an exact integer computed by ``qingshan.science.inclusive``.

An event's canonical columns (``EVENT_SCHEMA``): the partner and its ``event_id``, ``person``,
``scenario``, ``start_ms`` and ``end_ms`` (Unix ms, UTC), ``quantity`` and ``baseline`` in the
scenario's unit, ``device``, its ``line`` in the batch, its Beijing ``day`` and its ``grams``
avoided. A batch's line is counted from 1."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import polars as pl

from qingshan.inclusive.model import (
    BEIJING_MS,
    CLAIM_DAYS,
    EVENT_ID_RE,
    MAX_PERSON,
    MS_PER_DAY,
    Partner,
    RejectCode,
    Uncredited,
)
from qingshan.science.inclusive import SCENARIOS, Scenario, grams_avoided

EVENT_SCHEMA: Mapping[str, pl.DataType] = {
    "partner": pl.String(), "event_id": pl.String(), "person": pl.Int64(),
    "scenario": pl.String(), "start_ms": pl.Int64(), "end_ms": pl.Int64(),
    "quantity": pl.Int64(), "baseline": pl.Int64(), "device": pl.String(),
    "line": pl.Int64(), "day": pl.Int64(), "grams": pl.Int64()}
REJECT_SCHEMA: Mapping[str, pl.DataType] = {
    "line": pl.Int64(), "event_id": pl.String(), "code": pl.String(), "reason": pl.String()}
FIELDS = ("event_id", "person", "scenario", "start", "end", "quantity", "baseline", "device")
FUTURE_SLACK_MS = 5 * 60_000  # clocks differ: an event up to 5 minutes ahead is not "future"
DEVICE_PEOPLE = 5  # one device reporting for more than 5 people in a day is not a phone
TRIPS = tuple(code for code, s in SCENARIOS.items() if s.requires_end)
ISO = "%Y-%m-%dT%H:%M:%S%.f%:z"


@dataclass(frozen=True, slots=True)
class Checked:
    accepted: pl.DataFrame  # EVENT_SCHEMA
    rejected: pl.DataFrame  # REJECT_SCHEMA
    duplicates: int  # events already accepted (in this batch or an earlier one): counted once


def _as_int(name: str, dtype: pl.DataType) -> pl.Expr:
    col = pl.col(name)
    if dtype.is_integer():
        return col.cast(pl.Int64)
    if dtype == pl.String:
        return col.str.strip_chars().cast(pl.Int64, strict=False)
    if dtype.is_float():  # a whole float (JSON 3.0) passes; 3.5 does not
        return pl.when(col == col.round(0)).then(col.cast(pl.Int64, strict=False))
    return pl.lit(None, dtype=pl.Int64)


def _as_ms(name: str, dtype: pl.DataType) -> pl.Expr:
    """Unix ms from an integer, or from ISO 8601 text with its UTC offset (Z allowed)."""
    col = pl.col(name)
    if dtype.is_integer():
        return col.cast(pl.Int64)
    if dtype == pl.String:
        text = col.str.strip_chars().str.replace(r"Z$", "+00:00")
        return text.str.to_datetime(format=ISO, strict=False, time_unit="ms",
                                    time_zone="UTC").dt.epoch("ms")
    if isinstance(dtype, pl.Datetime):
        return col.dt.epoch("ms") if dtype.time_zone else pl.lit(None, dtype=pl.Int64)
    return pl.lit(None, dtype=pl.Int64)


def normalise(raw: pl.DataFrame, partner: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A batch as read (any column types) → (events in canonical columns, rejects for
    malformed fields: each names the field)."""
    n = raw.height
    missing = [f for f in ("event_id", "person", "scenario", "start", "quantity")
               if f not in raw.columns]
    if missing:  # every line lacks it: one reject per line, naming the first missing field
        return (pl.DataFrame(schema=EVENT_SCHEMA),
                pl.DataFrame({"line": np.arange(1, n + 1, dtype=np.int64),
                              "event_id": [None] * n, "code": [RejectCode.BAD_FIELD.value] * n,
                              "reason": [f"{missing[0]} is missing"] * n},
                             schema=REJECT_SCHEMA))
    s = raw.schema
    def text(name: str) -> pl.Expr:
        if name not in raw.columns:
            return pl.lit(None, dtype=pl.String)
        return pl.col(name).cast(pl.String).str.strip_chars()

    def whole(name: str) -> pl.Expr:
        return _as_int(name, s[name]) if name in raw.columns else pl.lit(None, dtype=pl.Int64)

    def ms(name: str) -> pl.Expr:
        return _as_ms(name, s[name]) if name in raw.columns else pl.lit(None, dtype=pl.Int64)

    frame = raw.select(
        pl.lit(partner).alias("partner"), text("event_id").alias("event_id"),
        whole("person").alias("person"), text("scenario").alias("scenario"),
        ms("start").alias("start_ms"), ms("end").alias("end_ms"),
        whole("quantity").alias("quantity"), whole("baseline").alias("baseline"),
        text("device").alias("device"),
        pl.int_range(1, n + 1, dtype=pl.Int64).alias("line"),
    )
    # (a column absent from the file is n times False: two literals alone make one row)
    given_end = (pl.col("end").is_not_null() if "end" in raw.columns
                 else pl.repeat(False, n, dtype=pl.Boolean))
    given_baseline = (pl.col("baseline").is_not_null() if "baseline" in raw.columns
                      else pl.repeat(False, n, dtype=pl.Boolean))
    bad = (pl.when(pl.col("event_id").is_null()
                   | ~pl.col("event_id").str.contains(EVENT_ID_RE.pattern))
           .then(pl.lit("event_id must be 1 to 64 printable ASCII characters"))
           .when(pl.col("person").is_null() | (pl.col("person") < 1)
                 | (pl.col("person") > MAX_PERSON))
           .then(pl.lit("person must be an account number"))
           .when(pl.col("scenario").is_null()).then(pl.lit("scenario is missing"))
           .when(pl.col("start_ms").is_null())
           .then(pl.lit("start must be ISO 8601 with its UTC offset, or Unix ms"))
           .when(pl.col("quantity").is_null()).then(pl.lit("quantity must be a whole number"))
           .when(pl.col("end_ms").is_null() & pl.col("_end_given"))
           .then(pl.lit("end must be ISO 8601 with its UTC offset, or Unix ms"))
           .when(pl.col("baseline").is_null() & pl.col("_baseline_given"))
           .then(pl.lit("baseline must be a whole number"))
           .otherwise(None))
    frame = frame.with_columns(raw.select(given_end.alias("_end_given"),
                                          given_baseline.alias("_baseline_given")))
    frame = frame.with_columns(bad.alias("_reason")).drop("_end_given", "_baseline_given")
    rejects = frame.filter(pl.col("_reason").is_not_null()).select(
        "line", "event_id", pl.lit(RejectCode.BAD_FIELD.value).alias("code"),
        pl.col("_reason").alias("reason"))
    events = frame.filter(pl.col("_reason").is_null()).drop("_reason").with_columns(
        ((pl.col("start_ms") + BEIJING_MS) // MS_PER_DAY).alias("day"))
    return events, rejects


def _reason(code: RejectCode, reason: str) -> tuple[pl.Expr, pl.Expr]:
    return pl.lit(code.value), pl.lit(reason)


def check(events: pl.DataFrame, *, partner: Partner, people: pl.DataFrame, now_ms: int,
          open_from: int, seen: pl.Series) -> Checked:
    """Refuse what cannot be credited, with reasons; drop what was accepted before.

    ``people``: person (Int64) and consent (Int64 bit mask of partner slots) of every enrolled
    person this batch names (or all of them); ``open_from``: the first day not yet settled;
    ``seen``: this partner's event ids already accepted on open days."""
    today = (now_ms + BEIJING_MS) // MS_PER_DAY
    specs = pl.DataFrame({
        "scenario": list(SCENARIOS),
        "_allowed": [c in partner.scenarios for c in SCENARIOS],
        "_max_q": [s.max_quantity for s in SCENARIOS.values()],
        "_trip": [s.requires_end for s in SCENARIOS.values()],
        "_vmax": [s.max_speed_kmh or 0 for s in SCENARIOS.values()],
        "_saved": [s.formula.value == "saved" for s in SCENARIOS.values()],
    }, schema_overrides={"_max_q": pl.Int64, "_vmax": pl.Int64})
    before = events.height
    ev = events.unique(subset=["event_id"], keep="first", maintain_order=True)
    ev = ev.filter(~pl.col("event_id").is_in(seen.implode()))
    duplicates = before - ev.height
    ev = ev.join(specs, on="scenario", how="left").join(
        people.select("person", pl.col("consent").alias("_consent")), on="person",
        how="left")
    bit = 1 << partner.slot
    duration = pl.col("end_ms") - pl.col("start_ms")
    # metres per ms × 3600 = km/h: distance × 3600 > vmax × duration
    too_fast = pl.col("quantity") * 3600 > pl.col("_vmax") * duration
    rules = [
        (pl.col("_allowed").is_null(), RejectCode.UNKNOWN_SCENARIO, "no such scenario"),
        (~pl.col("_allowed"), RejectCode.SCENARIO_NOT_ALLOWED,
         "the partner may not report this scenario"),
        (pl.col("_consent").is_null(), RejectCode.UNKNOWN_PERSON, "no such personal account"),
        ((pl.col("_consent") & bit) == 0, RejectCode.NO_CONSENT,
         "the person has not authorised this partner"),
        (pl.col("start_ms") > now_ms + FUTURE_SLACK_MS, RejectCode.FUTURE_TIME,
         "the event starts in the future"),
        ((pl.col("day") < open_from) | (pl.col("day") < today - CLAIM_DAYS),
         RejectCode.TOO_LATE, f"reported after its day was settled or over {CLAIM_DAYS} "
         "days late"),
        ((pl.col("quantity") < 1) | (pl.col("quantity") > pl.col("_max_q")),
         RejectCode.BAD_QUANTITY, "quantity is not positive or above the scenario's maximum"),
        (pl.col("_saved") & pl.col("baseline").is_null(), RejectCode.BAD_QUANTITY,
         "the scenario needs the household's baseline"),
        (pl.col("_trip") & pl.col("end_ms").is_null(), RejectCode.IMPOSSIBLE_SPEED,
         "a trip needs its end time"),
        (pl.col("_trip") & ((duration < 1000) | too_fast), RejectCode.IMPOSSIBLE_SPEED,
         "faster than the mode can go"),
    ]
    code: pl.Expr = pl.lit(None, dtype=pl.String)
    reason: pl.Expr = pl.lit(None, dtype=pl.String)
    for cond, c, text in reversed(rules):  # the first rule that applies names the event
        code = pl.when(cond.fill_null(False)).then(pl.lit(c.value)).otherwise(code)
        reason = pl.when(cond.fill_null(False)).then(pl.lit(text)).otherwise(reason)
    ev = ev.with_columns(code.alias("_code"), reason.alias("_why"))
    ev = _device_velocity(ev)
    ev = _overlaps(ev, "_code", "_why")
    rejected = ev.filter(pl.col("_code").is_not_null()).select(
        "line", "event_id", pl.col("_code").alias("code"), pl.col("_why").alias("reason"))
    ok = ev.filter(pl.col("_code").is_null())
    accepted = with_grams(ok.select([c for c in EVENT_SCHEMA if c != "grams"]))
    return Checked(accepted=accepted.sort("person", "start_ms", "event_id"),
                   rejected=rejected.sort("line"), duplicates=duplicates)


def _device_velocity(ev: pl.DataFrame) -> pl.DataFrame:
    people = pl.col("person").n_unique().over("device", "day")
    flagged = pl.col("device").is_not_null() & (people > DEVICE_PEOPLE) & pl.col("_code").is_null()
    return ev.with_columns(
        pl.when(flagged).then(pl.lit(RejectCode.DEVICE_VELOCITY.value))
        .otherwise(pl.col("_code")).alias("_code"),
        pl.when(flagged).then(pl.lit(f"one device reported for over {DEVICE_PEOPLE} people "
                                     "in a day")).otherwise(pl.col("_why")).alias("_why"))


def _overlaps(ev: pl.DataFrame, code: str, why: str) -> pl.DataFrame:
    """A trip that starts before another of the same person's trips (still unrefused, earlier
    in start, partner, event id order) has ended is refused: one body, one trip at a time."""
    trips = pl.col("scenario").is_in(list(TRIPS)) & pl.col(code).is_null()
    ev = ev.with_columns(trips.alias("_t")).sort("person", "start_ms", "partner", "event_id")
    ended = (pl.when(pl.col("_t")).then(pl.col("end_ms")).otherwise(None)
             .shift(1).cum_max().over("person"))
    clash = pl.col("_t") & (pl.col("start_ms") < ended).fill_null(False)
    return ev.with_columns(
        pl.when(clash).then(pl.lit(RejectCode.OVERLAPPING_TRIP.value)).otherwise(pl.col(code))
        .alias(code),
        pl.when(clash).then(pl.lit("overlaps another trip of the same person"))
        .otherwise(pl.col(why)).alias(why)).drop("_t")


def with_grams(ev: pl.DataFrame) -> pl.DataFrame:
    """Each event's grams avoided, by its scenario's factor version on its day."""
    parts = []
    for (code,), part in ev.partition_by("scenario", as_dict=True).items():
        spec: Scenario = SCENARIOS[str(code)]
        base = part["baseline"].fill_null(0).to_numpy() if spec.formula.value == "saved" \
            else None
        g = grams_avoided(spec, part["quantity"].to_numpy(), part["day"].to_numpy(), base)
        parts.append(part.with_columns(pl.Series("grams", g, dtype=pl.Int64)))
    if not parts:
        return ev.with_columns(pl.lit(0, dtype=pl.Int64).alias("grams")).head(0)
    return pl.concat(parts)


YTD_SCHEMA: Mapping[str, pl.DataType] = {
    "person": pl.Int64(), "scenario": pl.String(), "grams": pl.Int64()}
POSTING_SCHEMA: Mapping[str, pl.DataType] = {
    "person": pl.Int64(), "grams": pl.Int64(), "events": pl.Int64()}


@dataclass(frozen=True, slots=True)
class Credited:
    events: pl.DataFrame  # the day's events with ``credited`` grams and ``uncredited`` code
    postings: pl.DataFrame  # POSTING_SCHEMA, one per person, in person order
    ytd: pl.DataFrame  # YTD_SCHEMA after the day (scenarios with a yearly cap)


def _capped(g: pl.Expr, cap: pl.Expr, used: pl.Expr) -> pl.Expr:
    """``g`` cut to what is left of ``cap`` after ``used`` (no cap: null)."""
    return pl.when(cap.is_null()).then(g).otherwise(
        pl.min_horizontal(g, pl.max_horizontal(cap - used, pl.lit(0))))


def credit_day(events: pl.DataFrame, ytd: pl.DataFrame) -> Credited:
    """Credit a day's accepted events (every partner's) under the caps, in a fixed order (by
    person, start, partner, event id), and post one line per person.

    A trip overlapping an earlier trip of the same person from another partner earns 0; then
    per person and scenario: events past ``daily_events`` earn 0, and each event earns at most
    what is left of ``daily_grams`` that day and of ``yearly_grams`` that year (``ytd``: each
    person's grams so far in the year, by scenario)."""
    caps = pl.DataFrame({
        "scenario": list(SCENARIOS),
        "_de": [s.daily_events for s in SCENARIOS.values()],
        "_dg": [s.daily_grams for s in SCENARIOS.values()],
        "_yg": [s.yearly_grams for s in SCENARIOS.values()],
    }, schema_overrides={"_de": pl.Int64, "_dg": pl.Int64, "_yg": pl.Int64})
    ev = events.with_columns(pl.lit(None, dtype=pl.String).alias("uncredited"),
                             pl.lit(None, dtype=pl.String).alias("_why"))
    ev = _overlaps(ev, "uncredited", "_why").drop("_why")
    ev = ev.sort("person", "start_ms", "partner", "event_id").join(
        caps, on="scenario", how="left").join(
        ytd.rename({"grams": "_ytd"}), on=["person", "scenario"], how="left")
    by = ["person", "scenario"]
    g0 = pl.when(pl.col("uncredited").is_null()).then(pl.col("grams")).otherwise(0)
    n = pl.int_range(1, pl.len() + 1).over(by)
    ev = ev.with_columns(
        pl.when(pl.col("_de").is_not_null() & (n > pl.col("_de"))).then(0).otherwise(g0)
        .alias("_g1"))
    before1 = (pl.col("_g1").cum_sum() - pl.col("_g1")).over(by)
    ev = ev.with_columns(_capped(pl.col("_g1"), pl.col("_dg"), before1).alias("_g2"))
    before2 = (pl.col("_g2").cum_sum() - pl.col("_g2")).over(by) + pl.col("_ytd").fill_null(0)
    ev = ev.with_columns(_capped(pl.col("_g2"), pl.col("_yg"), before2).alias("credited"))
    why = (pl.when(pl.col("uncredited").is_not_null()).then(pl.col("uncredited"))
           .when(pl.col("_g1") < g0).then(pl.lit(Uncredited.DAILY_EVENTS.value))
           .when(pl.col("_g2") < pl.col("_g1")).then(pl.lit(Uncredited.DAILY_GRAMS.value))
           .when(pl.col("credited") < pl.col("_g2")).then(pl.lit(Uncredited.YEARLY_GRAMS.value))
           .otherwise(None))
    ev = ev.with_columns(why.alias("uncredited")).drop("_de", "_dg", "_yg", "_ytd", "_g1",
                                                         "_g2")
    postings = ev.group_by("person").agg(pl.col("credited").sum().alias("grams"),
                                         pl.len().cast(pl.Int64).alias("events")).sort("person")
    capped = [c for c, s in SCENARIOS.items() if s.yearly_grams is not None]
    today = ev.filter(pl.col("scenario").is_in(capped)).group_by("person", "scenario").agg(
        pl.col("credited").sum().alias("grams"))
    after = pl.concat([ytd, today.select(list(YTD_SCHEMA))]).group_by(
        "person", "scenario").agg(pl.col("grams").sum()).sort("person", "scenario")
    postings = postings.select(pl.col("person").cast(pl.Int64), pl.col("grams").cast(pl.Int64),
                               pl.col("events").cast(pl.Int64))
    return Credited(events=ev, postings=postings, ytd=after)


def posting_leaf(day: int, person: int, grams: int, events: int) -> bytes:
    """A posting's bytes in the day's Merkle tree (RFC 6962 leaf: SHA-256(0x00 ‖ these))."""
    return f"{day}:{person}:{grams}:{events}".encode()


def postings_root(day: int, postings: pl.DataFrame) -> str:
    """The Merkle root (hex) of a day's postings in person order; of no posting, SHA-256 of
    nothing (RFC 6962's empty tree)."""
    sha = hashlib.sha256
    level = [sha(b"\x00" + posting_leaf(day, p, g, e)).digest()
             for p, g, e in zip(postings["person"].to_list(), postings["grams"].to_list(),
                                postings["events"].to_list(), strict=True)]
    if not level:
        return sha(b"").hexdigest()
    # RFC 6962 MTH: split at the largest power of two below n, i.e. pair left to right and
    # carry an odd last node up unchanged
    while len(level) > 1:
        nxt = [sha(b"\x01" + level[i] + level[i + 1]).digest()
               for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0].hex()
