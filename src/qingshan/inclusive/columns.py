"""Column arithmetic the rules share, on NumPy arrays (no I/O): the scenario table as arrays
indexed by a scenario's position, the fixed order of a day's events (person, start, partner,
event id) found with integer sorts and only the ties sorted by text, overlapping trips, and
sums within runs of equal keys. These keep a city's day (ten million events) in a few
narrow arrays instead of copies of the whole frame."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt
import polars as pl

from qingshan.science.inclusive import SCENARIOS

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
NONE = -1  # no cap

CODES: tuple[str, ...] = tuple(SCENARIOS)
INDEX: Mapping[str, int] = {c: i for i, c in enumerate(CODES)}
MAX_QUANTITY: Ints = np.array([s.max_quantity for s in SCENARIOS.values()], dtype=np.int64)
TRIP: Bools = np.array([s.requires_end for s in SCENARIOS.values()], dtype=np.bool_)
SAVED: Bools = np.array([s.formula.value == "saved" for s in SCENARIOS.values()],
                        dtype=np.bool_)
MAX_SPEED: Ints = np.array([s.max_speed_kmh or 0 for s in SCENARIOS.values()], dtype=np.int64)
DAILY_EVENTS: Ints = np.array([NONE if s.daily_events is None else s.daily_events
                               for s in SCENARIOS.values()], dtype=np.int64)
DAILY_GRAMS: Ints = np.array([NONE if s.daily_grams is None else s.daily_grams
                              for s in SCENARIOS.values()], dtype=np.int64)
YEARLY_GRAMS: Ints = np.array([NONE if s.yearly_grams is None else s.yearly_grams
                               for s in SCENARIOS.values()], dtype=np.int64)
SLOTS = 64  # scenario positions per person in a (person, scenario) key
assert len(CODES) < SLOTS


def scenario_index(codes: pl.Series) -> Ints:
    """Each code's position in the table; -1 for a code not in it."""
    return codes.replace_strict(dict(INDEX), default=-1, return_dtype=pl.Int64).to_numpy()


def ints(series: pl.Series) -> tuple[Ints, Bools]:
    """Values (null as 0) and where they are null."""
    return (series.fill_null(0).cast(pl.Int64).to_numpy(),
            series.is_null().to_numpy())


def lookup(keys: Ints, values: Ints, wanted: Ints) -> tuple[Ints, Bools]:
    """``values`` at ``keys`` equal to each of ``wanted`` (0 where absent), and where found."""
    if not len(keys):
        return np.zeros(len(wanted), dtype=np.int64), np.zeros(len(wanted), dtype=np.bool_)
    if len(keys) > 1 and not bool(np.all(keys[1:] >= keys[:-1])):
        o = np.argsort(keys, kind="stable")
        keys, values = keys[o], values[o]
    pos = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
    found = keys[pos] == wanted
    return np.where(found, values[pos], 0), found


def day_order(person: Ints, start: Ints, partner: pl.Series, event_id: pl.Series) -> Ints:
    """The permutation putting events in (person, start, partner, event id) order: integer
    sorts for all, a text sort only among events of one person starting at the same ms."""
    order: Ints = pl.DataFrame({"p": person, "s": start}).select(
        pl.arg_sort_by("p", "s")).to_series().to_numpy().astype(np.int64)
    p, s = person[order], start[order]
    tie = np.zeros(len(order), dtype=np.bool_)
    tie[1:] = (p[1:] == p[:-1]) & (s[1:] == s[:-1])
    if tie.any():
        tied = tie.copy()
        tied[:-1] |= tie[1:]  # every member of a group of equal (person, start)
        slots = np.nonzero(tied)[0]
        group = np.cumsum(~tie)[slots]
        idx = order[slots]
        sub = pl.DataFrame({"g": group, "partner": partner.gather(idx),
                            "event_id": event_id.gather(idx)}).with_row_index("r").sort(
            "g", "partner", "event_id")["r"].to_numpy()
        order[slots] = idx[sub]
    return order


def overlapping(person: Ints, start: Ints, end: Ints) -> Bools:
    """Trips given in order (by person, then start): each that starts before an earlier trip
    of the same person has ended.

    The latest end so far within each person's run is a running maximum that restarts at each
    run: computed at once as the running maximum of (run number, end) packed in one unsigned
    64-bit key, ends counted from the earliest start and capped at 2^39 ms (17 years: a start
    past the first start plus that is no event's)."""
    n = len(person)
    out = np.zeros(n, dtype=np.bool_)
    if not n:
        return out
    base = int(start.min())
    rel = np.clip(end - base, 0, (1 << 39) - 1).astype(np.uint64)
    starts, run = runs(person)
    chunk = 1 << 24  # runs per pass (2^24 × 2^39 < 2^64)
    for first in range(0, len(starts), chunk):
        lo = int(starts[first])
        hi = int(starts[first + chunk]) if first + chunk < len(starts) else n
        r = (run[lo:hi] - first).astype(np.uint64)
        best = np.maximum.accumulate((r << np.uint64(39)) | rel[lo:hi])
        prev = np.empty(hi - lo, dtype=np.uint64)
        prev[0] = 0
        prev[1:] = best[:-1]
        same = np.zeros(hi - lo, dtype=np.bool_)
        same[1:] = (prev[1:] >> np.uint64(39)) == r[1:]
        ended = (prev & np.uint64((1 << 39) - 1)).astype(np.int64) + base
        out[lo:hi] = same & (start[lo:hi] < ended)
    return out


def runs(*keys: Ints) -> tuple[Ints, Ints]:
    """For arrays sorted by ``keys``: where each run of equal keys starts, and each row's
    run number."""
    n = len(keys[0])
    change = np.zeros(n, dtype=np.bool_)
    if n:
        change[0] = True
    for k in keys:
        change[1:] |= k[1:] != k[:-1]
    starts = np.nonzero(change)[0].astype(np.int64)
    return starts, (np.cumsum(change) - 1).astype(np.int64)


def cumsum_in_runs(x: Ints, starts: Ints, run: Ints) -> Ints:
    """The running sum of ``x`` within each run (inclusive)."""
    total = np.cumsum(x)
    offset = (total - x)[starts]
    out: Ints = total - offset[run]
    return out
