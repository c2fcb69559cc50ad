"""The grams of CO2e events avoid, vectorised and exact: int64 arrays in and out, each event
computed with its scenario's factor version in force on its day, rounded down."""

from __future__ import annotations

import datetime as dt

import numpy as np
import numpy.typing as npt

from qingshan.science.inclusive.scenarios import Formula, Scenario

Ints = npt.NDArray[np.int64]
EPOCH = dt.date(1970, 1, 1).toordinal()


def grams_avoided(scenario: Scenario, quantity: Ints, day: Ints,
                  baseline: Ints | None = None) -> Ints:
    """Grams avoided by each event of ``scenario``: ``quantity`` in the scenario's unit,
    ``day`` as days since 1970-01-01, ``baseline`` (for ``Formula.SAVED``) in the same unit.
    An event before the scenario's first factor version avoids 0 (it has no factor)."""
    q = np.asarray(quantity, dtype=np.int64)
    d = np.asarray(day, dtype=np.int64)
    if scenario.formula is Formula.SAVED:
        if baseline is None:
            raise ValueError(f"{scenario.code} needs the baseline")
        q = np.maximum(np.asarray(baseline, dtype=np.int64) - q, 0)
    out = np.zeros(q.shape, dtype=np.int64)
    for i, v in enumerate(scenario.versions):
        start = v.effective.toordinal() - EPOCH
        end = (scenario.versions[i + 1].effective.toordinal() - EPOCH
               if i + 1 < len(scenario.versions) else np.iinfo(np.int64).max)
        sel = (d >= start) & (d < end)
        if sel.any():
            # exact: q × p // r, int64 (q ≤ max_quantity keeps q × p far below 2^63)
            out[sel] = q[sel] * v.factor.numerator // v.factor.denominator
    return out
