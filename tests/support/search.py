"""How hard Hypothesis searches, set once for the whole suite.

Two profiles, chosen by ``QINGSHAN_HYPOTHESIS_PROFILE``:

- ``ci`` (the default, ``make test``): the full search every invariant gets before a change lands;
- ``dev`` (``make test-fast``): a tenth of it, for the edit–test loop.

Neither has a deadline: tests check behaviour, benchmarks check speed, and a shared machine
makes any per-example deadline a source of flakes. A test states how much search it deserves
*relative to the profile* with :func:`search` — never an absolute number of examples — so one
switch scales the whole suite.
"""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck, settings

PROFILE_VARIABLE = "QINGSHAN_HYPOTHESIS_PROFILE"

settings.register_profile(
    "ci", max_examples=100, stateful_step_count=50, deadline=None,
    suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(
    "dev", max_examples=10, stateful_step_count=20, deadline=None,
    suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get(PROFILE_VARIABLE, "ci"))


def search(examples: float = 1.0, steps: float = 1.0, **overrides: Any) -> settings:
    """Settings for one test: ``examples`` and ``steps`` scale the profile's number of examples
    and stateful steps (``search(3)`` searches three times as many examples as the profile's
    default); other Hypothesis settings pass through."""
    base = settings.default
    return settings(
        max_examples=max(1, round(base.max_examples * examples)),
        stateful_step_count=max(5, round(base.stateful_step_count * steps)),
        **overrides)
