"""What a methodology plugin is: a versioned, typed spec with pure math.

A methodology names its source document, declares its parameters with units, ranges and
sources (these drive validation of monitoring reports, API schemas and docs), lists what a
monitoring report must contain, and computes the period's emission reductions or removals in
whole tonnes of CO2e (rounded down: a registry never issues a fraction it cannot back).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from qingshan.errors import InvalidInput

Values = Mapping[str, float]


@dataclass(frozen=True, slots=True)
class Source:
    document: str  # e.g. "CCER-14-001-V01 并网光伏发电" or "渝环〔2021〕111号"
    issuer: str  # e.g. "生态环境部 Ministry of Ecology and Environment"
    locator: str = ""  # clause, table, equation or page
    url: str = ""


@dataclass(frozen=True, slots=True)
class Parameter:
    id: str
    name_zh: str
    name_en: str
    unit: str
    minimum: float | None = None
    maximum: float | None = None
    default: float | None = None  # a default value the methodology fixes (then ``source``)
    source: Source | None = None
    monitored: bool = True  # True: reported each period; False: fixed at validation

    def check(self, value: object) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or \
                not math.isfinite(value):
            raise InvalidInput(f"{self.id} must be a number in {self.unit}", field=self.id)
        v = float(value)
        if self.minimum is not None and v < self.minimum:
            raise InvalidInput(f"{self.id} must be at least {self.minimum} {self.unit}",
                               field=self.id, value=v)
        if self.maximum is not None and v > self.maximum:
            raise InvalidInput(f"{self.id} must be at most {self.maximum} {self.unit}",
                               field=self.id, value=v)
        return v


@dataclass(frozen=True, slots=True)
class Methodology:
    id: str  # registry identifier, e.g. "CQ-PV-001"
    version: str  # e.g. "1.0"
    title_zh: str
    title_en: str
    sector: str  # forestry, energy, agriculture, inclusive, …
    scope: str  # what projects it applies to, one or two sentences
    source: Source
    parameters: tuple[Parameter, ...]
    report_fields: tuple[str, ...]  # what a monitoring report must contain besides values
    calculate: Callable[[Values], float]  # tCO2e for the period, before rounding down
    buffer_percent: int = 0  # share of each issuance set aside in the buffer pool
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def key(self) -> str:
        return f"{self.id}@{self.version}"

    def validate(self, values: Mapping[str, object]) -> dict[str, float]:
        """Every parameter checked; every error reported at once (InvalidInput with a list)."""
        errors: list[dict[str, object]] = []
        out: dict[str, float] = {}
        known = {p.id for p in self.parameters}
        for extra in sorted(set(values) - known):
            errors.append({"field": extra, "message": "not a parameter of this methodology"})
        for p in self.parameters:
            if p.id not in values:
                if p.default is not None:
                    out[p.id] = p.default
                    continue
                errors.append({"field": p.id, "message": f"{p.id} ({p.unit}) is required"})
                continue
            try:
                out[p.id] = p.check(values[p.id])
            except InvalidInput as exc:
                errors.append({"field": p.id, "message": exc.message})
        if errors:
            raise InvalidInput(f"{len(errors)} parameter(s) are missing or out of range",
                               errors=errors, methodology=self.key)
        return out

    def reductions(self, values: Mapping[str, object]) -> int:
        """Whole tonnes CO2e for the period, rounded down, never negative."""
        return max(0, math.floor(self.calculate(self.validate(values)) + 1e-9))
