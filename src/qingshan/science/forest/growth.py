"""Growth: the Chapman–Richards curve y(t) = a·(1 − e^(−b·t))^c, vectorised over ages.

Source of the form: Richards, F. J. (1959), "A flexible growth function for empirical use",
Journal of Experimental Botany 10(2): 290–300, with Chapman's (1961) parameterisation; the
form used by Chinese stand-volume models (e.g. 杉木/马尾松 收获表 fits) and by FLINT. The fitted
a, b, c of each species group are in ``parameters.DEFAULTS`` with their own sources.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from qingshan.errors import InvalidInput
from qingshan.science.forest.parameters import ChapmanRichards

FloatArray = npt.NDArray[np.float64]


def as_ages(age: npt.ArrayLike, field: str = "age") -> FloatArray:
    """Ages in years as a float array; NaN, infinite or negative ages raise InvalidInput."""
    try:
        a = np.asarray(age, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidInput(f"{field} must be numbers of years", field=field) from None
    if not np.all(np.isfinite(a)) or np.any(a < 0):
        raise InvalidInput(f"{field} must be finite and not negative", field=field)
    return a


def shape(b: float, c: float, age: FloatArray) -> FloatArray:
    """(1 − e^(−b·t))^c: the share of the asymptote reached at age t (0 at 0, rising to 1)."""
    out: FloatArray = (-np.expm1(-b * age)) ** c
    return out


def volume_per_ha(curve: ChapmanRichards, age: npt.ArrayLike) -> FloatArray:
    """The curve at ``age`` (years): m3/ha of stem volume (or t/ha of biomass for a biomass
    curve, see ``curve.unit``), same shape as ``age``."""
    t = as_ages(age)
    return curve.a * shape(curve.b, curve.c, t)
