"""Forest carbon science: growth curves with stand stocking, the volume → biomass → carbon →
CO2 chain, the CCER-14-001-V01 net removals with their uncertainty deduction, the
AR-CM-003-V01 forest-management net removals (project stands against baseline stands), the
platform's buffer, and a vectorised Monte Carlo. Pure: NumPy arrays in, arrays out; every
default names its source (``parameters``; docs/methodologies.md, "Forest carbon science
(qingshan.science.forest)")."""

from qingshan.science.forest.carbon import (
    STOCKING_RANGE,
    GroupStock,
    InventoryStock,
    Stand,
    biomass_co2,
    co2_per_m3,
    inventory_stock,
    stock_co2,
)
from qingshan.science.forest.growth import volume_per_ha
from qingshan.science.forest.management import (
    management_monte_carlo,
    management_removals,
    mean_baseline_change,
)
from qingshan.science.forest.methodology import (
    BUFFER_PERCENT,
    issuable_credits,
    net_removals,
    uncertainty_deduction,
)
from qingshan.science.forest.montecarlo import Projection, monte_carlo
from qingshan.science.forest.parameters import (
    DEFAULTS,
    PARAMETER_SET,
    ChapmanRichards,
    Citation,
    Sourced,
    SpeciesGroup,
    SpeciesParameters,
)

__all__ = [
    "BUFFER_PERCENT",
    "DEFAULTS",
    "PARAMETER_SET",
    "STOCKING_RANGE",
    "ChapmanRichards",
    "Citation",
    "GroupStock",
    "InventoryStock",
    "Projection",
    "Sourced",
    "SpeciesGroup",
    "SpeciesParameters",
    "Stand",
    "biomass_co2",
    "co2_per_m3",
    "inventory_stock",
    "issuable_credits",
    "management_monte_carlo",
    "management_removals",
    "mean_baseline_change",
    "monte_carlo",
    "net_removals",
    "stock_co2",
    "uncertainty_deduction",
    "volume_per_ha",
]
