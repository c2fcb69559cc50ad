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
import numpy.typing as npt
import polars as pl

from qingshan.inclusive import columns as c
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
    if dtype == pl.String:  # the common forms, Beijing time to the second or ms, fast
        naive = col.str.slice(0, 19).str.to_datetime(format="%Y-%m-%dT%H:%M:%S",
                                                     strict=False, time_unit="ms")
        tail = col.str.slice(19)
        ms = (pl.when(tail == "+08:00").then(pl.lit(0, dtype=pl.Int64))
              .when((tail.str.len_bytes() == 10) & tail.str.starts_with(".")
                    & tail.str.ends_with("+08:00"))
              .then(col.str.slice(20, 3).cast(pl.Int64, strict=False)))
        return naive.dt.epoch("ms") - BEIJING_MS + ms
    if isinstance(dtype, pl.Datetime):
        return col.dt.epoch("ms") if dtype.time_zone else pl.lit(None, dtype=pl.Int64)
    return pl.lit(None, dtype=pl.Int64)


def _iso_ms(text: pl.Series) -> pl.Series:
    """Unix ms of ISO 8601 text with its UTC offset (Z allowed, fractions of a second too)."""
    t = text.str.strip_chars().str.replace(r"Z$", "+00:00")
    return t.str.to_datetime(format=ISO, strict=False, time_unit="ms",
                             time_zone="UTC").dt.epoch("ms")


def _other_forms(raw: pl.DataFrame, frame: pl.DataFrame) -> pl.DataFrame:
    """Times the fast path left (any other offset, fractions, Z, spaces), parsed in full."""
    for name, target in (("start", "start_ms"), ("end", "end_ms")):
        if name not in raw.columns or raw.schema[name] != pl.String:
            continue
        missing = (frame[target].is_null() & raw[name].is_not_null()).arg_true()
        if len(missing):
            parsed = _iso_ms(raw[name].gather(missing))
            frame = frame.with_columns(frame[target].scatter(missing, parsed))
    return frame


def normalise(raw: pl.DataFrame, partner: str,
              first_line: int = 1) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A batch as read (any column types) → (events in canonical columns, rejects for
    malformed fields: each names the field)."""
    n = raw.height
    missing = [f for f in ("event_id", "person", "scenario", "start", "quantity")
               if f not in raw.columns]
    if missing:  # every line lacks it: one reject per line, naming the first missing field
        return (pl.DataFrame(schema={k: v for k, v in EVENT_SCHEMA.items() if k != "grams"}),
                pl.DataFrame({"line": np.arange(first_line, first_line + n, dtype=np.int64),
                              "event_id": [None] * n, "code": [RejectCode.BAD_FIELD.value] * n,
                              "reason": [f"{missing[0]} is missing"] * n},
                             schema=REJECT_SCHEMA))
    s = raw.schema

    def text(name: str, strip: bool = False) -> pl.Expr:
        if name not in raw.columns:
            return pl.lit(None, dtype=pl.String)
        col = pl.col(name).cast(pl.String)
        return col.str.strip_chars() if strip else col

    def whole(name: str) -> pl.Expr:
        return _as_int(name, s[name]) if name in raw.columns else pl.lit(None, dtype=pl.Int64)

    def ms(name: str) -> pl.Expr:
        return _as_ms(name, s[name]) if name in raw.columns else pl.lit(None, dtype=pl.Int64)

    def given(name: str) -> pl.Expr:
        return pl.col(name).is_not_null() if name in raw.columns else pl.lit(False)

    frame = raw.select(
        pl.lit(partner).alias("partner"), text("event_id").alias("event_id"),
        whole("person").alias("person"), text("scenario", strip=True).alias("scenario"),
        ms("start").alias("start_ms"), ms("end").alias("end_ms"),
        whole("quantity").alias("quantity"), whole("baseline").alias("baseline"),
        text("device").alias("device"),
        pl.int_range(first_line, first_line + n, dtype=pl.Int64).alias("line"),
        given("end").alias("_end_given"), given("baseline").alias("_baseline_given"),
    )
    frame = _other_forms(raw, frame)
    # the first malformed field names the line (a small code here, its words only for the
    # lines refused)
    checks = [
        pl.col("event_id").is_null() | ~pl.col("event_id").str.contains(EVENT_ID_RE.pattern),
        pl.col("person").is_null() | (pl.col("person") < 1) | (pl.col("person") > MAX_PERSON),
        pl.col("scenario").is_null(),
        pl.col("start_ms").is_null(),
        pl.col("quantity").is_null(),
        pl.col("end_ms").is_null() & pl.col("_end_given"),
        pl.col("baseline").is_null() & pl.col("_baseline_given"),
    ]
    bad: pl.Expr = pl.lit(0, dtype=pl.UInt8)
    for k in range(len(checks), 0, -1):
        bad = pl.when(checks[k - 1]).then(pl.lit(k, dtype=pl.UInt8)).otherwise(bad)
    frame = frame.with_columns(bad.alias("_bad")).drop("_end_given", "_baseline_given")
    rejects = frame.filter(pl.col("_bad") > 0).select(
        "line", "event_id", pl.lit(RejectCode.BAD_FIELD.value).alias("code"),
        pl.col("_bad").replace_strict(dict(enumerate(FIELD_REASONS, start=1)),
                                      return_dtype=pl.String).alias("reason"))
    events = frame.filter(pl.col("_bad") == 0).drop("_bad").with_columns(
        ((pl.col("start_ms") + BEIJING_MS) // MS_PER_DAY).alias("day"))
    return events, rejects


FIELD_REASONS = (
    "event_id must be 1 to 64 printable ASCII characters",
    "person must be an account number",
    "scenario is missing",
    "start must be ISO 8601 with its UTC offset, or Unix ms",
    "quantity must be a whole number",
    "end must be ISO 8601 with its UTC offset, or Unix ms",
    "baseline must be a whole number",
)


REFUSALS: tuple[tuple[RejectCode, str], ...] = (  # by priority: the first that applies
    (RejectCode.UNKNOWN_SCENARIO, "no such scenario"),
    (RejectCode.SCENARIO_NOT_ALLOWED, "the partner may not report this scenario"),
    (RejectCode.UNKNOWN_PERSON, "no such personal account"),
    (RejectCode.NO_CONSENT, "the person has not authorised this partner"),
    (RejectCode.FUTURE_TIME, "the event starts in the future"),
    (RejectCode.TOO_LATE, f"reported after its day was settled or over {CLAIM_DAYS} days "
                          "late"),
    (RejectCode.BAD_QUANTITY, "quantity is not positive or above the scenario's maximum"),
    (RejectCode.BAD_QUANTITY, "the scenario needs the household's baseline"),
    (RejectCode.IMPOSSIBLE_SPEED, "a trip needs its end time"),
    (RejectCode.IMPOSSIBLE_SPEED, "faster than the mode can go"),
    (RejectCode.DEVICE_VELOCITY, f"one device reported for over {DEVICE_PEOPLE} people in a "
                                 "day"),
    (RejectCode.OVERLAPPING_TRIP, "overlaps another trip of the same person"),
)
DEVICE, OVERLAP = 11, 12  # positions (from 1) in REFUSALS
DUPLICATE = 255  # not a refusal: already accepted (counted once)


def check(events: pl.DataFrame, *, partner: Partner, people: pl.DataFrame, now_ms: int,
          open_from: int, seen: pl.Series) -> Checked:
    """Refuse what cannot be credited, with reasons; drop what was accepted before.

    ``people``: person (Int64) and consent (Int64 bit mask of partner slots) of every enrolled
    person this batch names (or all of them); ``open_from``: the first day not yet settled;
    ``seen``: this partner's event ids already accepted on open days. Refusals by priority
    (``REFUSALS``): the first that applies names the event; the device and overlap checks
    look only at events no other rule refused."""
    today = (now_ms + BEIJING_MS) // MS_PER_DAY
    ev = events  # (no copy: every rule is a mask over the batch's columns)
    fresh = ev.select(pl.col("event_id").is_first_distinct()
                      & ~pl.col("event_id").is_in(seen.implode())).to_series().to_numpy()
    duplicates = int(ev.height - fresh.sum())
    si = c.scenario_index(ev["scenario"])
    known = si >= 0
    sx = np.where(known, si, 0)
    allowed = np.array([code in partner.scenarios for code in c.CODES], dtype=np.bool_)[sx]
    person = ev["person"].to_numpy()
    consent, enrolled = c.lookup(people["person"].to_numpy(), people["consent"].to_numpy(),
                                 person)
    start = ev["start_ms"].to_numpy()
    end, no_end = c.ints(ev["end_ms"])
    quantity = np.minimum(ev["quantity"].to_numpy(), 10**12)
    no_baseline = ev["baseline"].is_null().to_numpy()
    day = ev["day"].to_numpy()
    trip = c.TRIP[sx] & known
    duration = end - start
    code = np.where(fresh, 0, DUPLICATE).astype(np.uint8)
    for k, refused in enumerate((
            ~known, ~allowed, ~enrolled, (consent & (1 << partner.slot)) == 0,
            start > now_ms + FUTURE_SLACK_MS, (day < open_from) | (day < today - CLAIM_DAYS),
            (quantity < 1) | (quantity > c.MAX_QUANTITY[sx]), c.SAVED[sx] & no_baseline,
            trip & no_end,
            trip & ~no_end & ((duration < 1000) | (quantity * 3600 > c.MAX_SPEED[sx] * duration)),
    ), start=1):
        code[(code == 0) & refused] = k
    del consent, enrolled, quantity, no_baseline, day, duration, known, allowed
    _device_velocity(ev, code)
    trips = np.nonzero(trip & (code == 0))[0]
    order = trips[c.day_order(person[trips], start[trips], ev["partner"].gather(trips),
                              ev["event_id"].gather(trips))]
    code[order[c.overlapping(person[order], start[order], end[order])]] = OVERLAP
    del trips, order, person, start, end, trip
    bad = (code > 0) & (code != DUPLICATE)
    codes = pl.Series("k", code[bad])
    rejected = ev.filter(bad).select("line", "event_id").with_columns(
        codes.replace_strict({k: r.value for k, (r, _) in enumerate(REFUSALS, start=1)},
                             return_dtype=pl.String).alias("code"),
        codes.replace_strict({k: why for k, (_, why) in enumerate(REFUSALS, start=1)},
                             return_dtype=pl.String).alias("reason"))
    accepted = with_grams(ev.filter(code == 0).select(
        [k for k in EVENT_SCHEMA if k != "grams"]))
    return Checked(accepted=accepted, rejected=rejected.sort("line"), duplicates=duplicates)


def _device_velocity(ev: pl.DataFrame, code: npt.NDArray[np.uint8]) -> None:
    """Refuse every unrefused event of a device that reported for more than
    ``DEVICE_PEOPLE`` people in a day."""
    narrow = ev.select("device", "day", "person").with_columns(
        pl.Series("_ok", code == 0)).with_row_index("_i")
    flagged = (narrow.lazy().filter(pl.col("_ok") & pl.col("device").is_not_null())
               .group_by("device", "day").agg(pl.col("person").n_unique().alias("n"))
               .filter(pl.col("n") > DEVICE_PEOPLE).select("device", "day").collect())
    if flagged.height:
        hit = narrow.filter(pl.col("_ok")).join(flagged, on=["device", "day"], how="semi")
        code[hit["_i"].to_numpy()] = DEVICE


def with_grams(ev: pl.DataFrame) -> pl.DataFrame:
    """Each event's grams avoided, by its scenario's factor version on its day."""
    si = c.scenario_index(ev["scenario"])
    quantity = ev["quantity"].to_numpy()
    day = ev["day"].to_numpy()
    baseline, _ = c.ints(ev["baseline"])
    grams = np.zeros(ev.height, dtype=np.int64)
    for k in np.unique(si):
        if k < 0:
            continue
        sel = si == k
        spec: Scenario = SCENARIOS[c.CODES[int(k)]]
        grams[sel] = grams_avoided(spec, quantity[sel], day[sel],
                                   baseline[sel] if spec.formula.value == "saved" else None)
    return ev.with_columns(pl.Series("grams", grams, dtype=pl.Int64))


YTD_SCHEMA: Mapping[str, pl.DataType] = {
    "person": pl.Int64(), "scenario": pl.String(), "grams": pl.Int64()}
POSTING_SCHEMA: Mapping[str, pl.DataType] = {
    "person": pl.Int64(), "grams": pl.Int64(), "events": pl.Int64()}
UNCREDITED = {1: Uncredited.OVERLAPPING_TRIP.value, 2: Uncredited.DAILY_EVENTS.value,
              3: Uncredited.DAILY_GRAMS.value, 4: Uncredited.YEARLY_GRAMS.value}


@dataclass(frozen=True, slots=True)
class Credited:
    events: pl.DataFrame  # the day's events with ``credited`` grams and ``uncredited`` code
    postings: pl.DataFrame  # POSTING_SCHEMA, one per person, in person order
    ytd: pl.DataFrame  # YTD_SCHEMA after the day (scenarios with a yearly cap)


def _cap(g: c.Ints, cap: c.Ints, used: c.Ints) -> c.Ints:
    """``g`` cut to what is left of ``cap`` after ``used`` (``NONE``: no cap)."""
    out: c.Ints = np.where(cap == c.NONE, g, np.minimum(g, np.maximum(cap - used, 0)))
    return out


def credit_day(events: pl.DataFrame, ytd: pl.DataFrame) -> Credited:
    """Credit a day's accepted events (every partner's) under the caps, in a fixed order (by
    person, start, partner, event id), and post one line per person.

    A trip overlapping an earlier trip of the same person from another partner earns 0; then
    per person and scenario: events past ``daily_events`` earn 0, and each event earns at most
    what is left of ``daily_grams`` that day and of ``yearly_grams`` that year (``ytd``: each
    person's grams so far in the year, by scenario). The events come back in that order."""
    n = events.height
    person = events["person"].to_numpy()
    start = events["start_ms"].to_numpy()
    end, _ = c.ints(events["end_ms"])
    si = c.scenario_index(events["scenario"])
    grams = events["grams"].to_numpy()
    order = c.day_order(person, start, events["partner"], events["event_id"])
    why = np.zeros(n, dtype=np.uint8)
    trips = order[c.TRIP[si[order]]]
    why[trips[c.overlapping(person[trips], start[trips], end[trips])]] = 1
    del trips, end, start
    # per (person, scenario), in the day's order
    rank = np.empty(n, dtype=np.int32)
    rank[order] = np.arange(n, dtype=np.int32)
    o2 = np.lexsort((rank, si, person)).astype(np.int32)
    del rank
    p2, s2 = person[o2], si[o2]
    del person, si
    starts, run = c.runs(p2, s2)
    g0 = np.where(why[o2] == 0, grams[o2], 0)
    nth = np.arange(n, dtype=np.int64) - starts[run] + 1
    de = c.DAILY_EVENTS[s2]
    g1 = np.where((de != c.NONE) & (nth > de), 0, g0)
    g2 = _cap(g1, c.DAILY_GRAMS[s2], c.cumsum_in_runs(g1, starts, run) - g1)
    yp = ytd["person"].to_numpy() * c.SLOTS + c.scenario_index(ytd["scenario"])
    before, _ = c.lookup(yp, ytd["grams"].to_numpy(), p2 * c.SLOTS + s2)
    g3 = _cap(g2, c.YEARLY_GRAMS[s2], c.cumsum_in_runs(g2, starts, run) - g2 + before)
    w2 = why[o2]
    w2 = np.where(w2 > 0, w2, np.where(g1 < g0, 2, np.where(g2 < g1, 3,
                                                              np.where(g3 < g2, 4, 0))))
    credited = np.empty(n, dtype=np.int64)
    credited[o2] = g3
    why[o2] = w2
    del g0, g1, g2, nth, de, before, w2, grams
    codes = pl.Series("k", why[order])
    out = events[order].with_columns(
        pl.Series("credited", credited[order], dtype=pl.Int64),
        codes.replace_strict(UNCREDITED, default=None, return_dtype=pl.String)
        .alias("uncredited"))
    # one posting per person (o2 is in person order)
    pstarts, _ = c.runs(p2)
    counts = np.diff(np.append(pstarts, n))
    postings = pl.DataFrame({"person": p2[pstarts] if n else np.zeros(0, dtype=np.int64),
                             "grams": np.add.reduceat(g3, pstarts) if n else
                             np.zeros(0, dtype=np.int64),
                             "events": counts.astype(np.int64)}, schema=dict(POSTING_SCHEMA))
    # the year's totals in capped scenarios: before, plus today's
    capped = c.YEARLY_GRAMS[s2[starts]] != c.NONE if n else np.zeros(0, dtype=np.bool_)
    today = pl.DataFrame({"person": p2[starts][capped],
                          "scenario": np.array(c.CODES, dtype=object)[s2[starts][capped]]
                          if n else [],
                          "grams": np.add.reduceat(g3, starts)[capped] if n else []},
                         schema=dict(YTD_SCHEMA))
    after = pl.concat([ytd, today]).group_by("person", "scenario").agg(
        pl.col("grams").sum()).sort("person", "scenario")
    return Credited(events=out, postings=postings, ytd=after)


def posting_leaf(day: int, person: int, grams: int, events: int) -> bytes:
    """A posting's bytes in the day's Merkle tree (RFC 6962 leaf: SHA-256(0x00 ‖ these))."""
    return f"{day}:{person}:{grams}:{events}".encode()


def postings_root(day: int, postings: pl.DataFrame) -> str:
    """The Merkle root (hex) of a day's postings in person order; of no posting, SHA-256 of
    nothing (RFC 6962's empty tree)."""
    sha = hashlib.sha256
    leaves = postings.select(pl.format("{}:{}:{}:{}", pl.lit(day), "person", "grams",
                                       "events")).to_series().to_list()
    level = [sha(b"\x00" + leaf.encode()).digest() for leaf in leaves]
    del leaves
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
