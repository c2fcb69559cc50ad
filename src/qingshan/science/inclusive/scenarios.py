"""Carbon-inclusive (碳普惠) scenarios: for each low-carbon behaviour a partner may report, its
baseline, formula, factor versions with their sources, caps and the fields a partner sends.

Every scenario computes the grams of CO2e an event avoids as an exact integer:

    grams = ⌊ q × factor ⌋                        (Formula.PER_UNIT)
    grams = ⌊ max(0, baseline − q) × factor ⌋     (Formula.SAVED: the household's own baseline)

``q`` is the event's quantity in the scenario's unit (metres, steps, Wh, items, grams) and the
factor an exact fraction in g CO2e per unit, so no float enters the sub-ledger, and the result
is rounded down (against the claimant). A scenario's factors are *versions*: an event is
computed with the version in force on its day (``Scenario.version_on``), so a factor published
later never rewrites what was credited before it.

Caps (per person): at most ``daily_events`` events and ``daily_grams`` grams a day, and
``yearly_grams`` grams a calendar year, in each scenario; what exceeds a cap is not credited.
Plausibility: a trip (``requires_end``) must last at least a second and its average speed must
not exceed ``max_speed_kmh``; no event may report more than ``max_quantity``.

The table is ``SCENARIOS``; its label ``PARAMETER_SET`` is recorded with every settled day.
Where a number was not read at its source, ``verified`` is False and docs/methodologies.md
("Carbon-inclusive scenarios") says so.
"""

from __future__ import annotations

from collections.abc import Mapping

from qingshan.science.inclusive.kinds import (
    FactorVersion,
    Formula,
    Group,
    Scenario,
    Unit,
    table,
)
from qingshan.science.inclusive.scenarios_living import LIVING
from qingshan.science.inclusive.scenarios_transport import TRANSPORT

PARAMETER_SET = "inclusive-factors-2026.2"
"""The version label of the table below. A change to any factor, cap or version is a new
label, never an edit under the same one (2026.1 held metro and bus only)."""

SCENARIOS: Mapping[str, Scenario] = table(*TRANSPORT, *LIVING)

__all__ = ["PARAMETER_SET", "SCENARIOS", "FactorVersion", "Formula", "Group", "Scenario",
           "Unit"]
