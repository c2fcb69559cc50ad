"""Carbon-inclusive science: the scenarios people earn credit in, their factor versions and
caps with sources (``scenarios``), and the vectorised grams of CO2e avoided (``formulas``).
Pure: NumPy arrays in, arrays out (docs/methodologies.md, "Carbon-inclusive scenarios")."""

from qingshan.science.inclusive.formulas import grams_avoided
from qingshan.science.inclusive.scenarios import (
    PARAMETER_SET,
    SCENARIOS,
    FactorVersion,
    Formula,
    Group,
    Scenario,
    Unit,
)

__all__ = ["PARAMETER_SET", "SCENARIOS", "FactorVersion", "Formula", "Group", "Scenario",
           "Unit", "grams_avoided"]
