"""The carbon-inclusive rules as first written: whole-frame Polars expressions, plain and slow
(with one fix: see ``_overlaps``).
The platform's ``qingshan.inclusive.rules`` computes the same with NumPy over narrow columns;
``tests/unit/test_inclusive_machine.py`` checks the two agree on random batches and days."""

from __future__ import annotations

import polars as pl

from qingshan.inclusive.model import (
    BEIJING_MS,
    CLAIM_DAYS,
    MS_PER_DAY,
    Partner,
    RejectCode,
    Uncredited,
)
from qingshan.inclusive.rules import (
    DEVICE_PEOPLE,
    EVENT_SCHEMA,
    FUTURE_SLACK_MS,
    TRIPS,
    YTD_SCHEMA,
    Checked,
    Credited,
    with_grams,
)
from qingshan.science.inclusive import SCENARIOS


def _reason(code: RejectCode, reason: str) -> tuple[pl.Expr, pl.Expr]:
    return pl.lit(code.value), pl.lit(reason)


def reference_check(events: pl.DataFrame, *, partner: Partner, people: pl.DataFrame, now_ms: int,
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
    # (a refused event between two trips is the smallest time, not null: Polars' cum_max
    # gives null where its input is null, so as first written a refused event in between hid
    # the earlier trip's end; the columnar rules were right, and the comparison found it)
    ended = (pl.when(pl.col("_t")).then(pl.col("end_ms"))
             .otherwise(pl.lit(-(2**62), dtype=pl.Int64)).shift(1).cum_max().over("person"))
    clash = pl.col("_t") & (pl.col("start_ms") < ended).fill_null(False)
    return ev.with_columns(
        pl.when(clash).then(pl.lit(RejectCode.OVERLAPPING_TRIP.value)).otherwise(pl.col(code))
        .alias(code),
        pl.when(clash).then(pl.lit("overlaps another trip of the same person"))
        .otherwise(pl.col(why)).alias(why)).drop("_t")


def _capped(g: pl.Expr, cap: pl.Expr, used: pl.Expr) -> pl.Expr:
    """``g`` cut to what is left of ``cap`` after ``used`` (no cap: null)."""
    return pl.when(cap.is_null()).then(g).otherwise(
        pl.min_horizontal(g, pl.max_horizontal(cap - used, pl.lit(0))))


def reference_credit_day(events: pl.DataFrame, ytd: pl.DataFrame) -> Credited:
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


