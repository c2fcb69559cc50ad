"""What a methodology plugin is: a versioned, typed spec with pure math.

A methodology names its source document and declares its parameters with units, ranges and
sources. Each parameter is one of three kinds:

- *monitored*: reported in every monitoring report (metered MWh, digesters in use, plots);
- *fixed*: fixed at validation — the verifier records the values on the project (the
  methodology's defaults unless the validated project document says otherwise); reports may
  not carry them, and only a re-validation changes them;
- *derived*: worked out by the registry for the period — its length, and the grid factor in
  force for the project's grid and the period's year (``grid_factors``).

``compute`` gives the period's emission reductions or removals in whole tonnes of CO2e, rounded
down (a registry never issues a fraction it cannot back). A version marked ``legacy`` is kept
only so that entries journaled under registry rules 1 replay as they did (see
``docs/methodologies.md``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from qingshan.errors import InvalidInput
from qingshan.registry.numbers import canonical_decimal

Values = Mapping[str, float]
Pairs = tuple[tuple[str, str], ...]


class ParameterKind(StrEnum):
    MONITORED = "monitored"
    FIXED = "fixed"
    DERIVED = "derived"


class FixedParameter(InvalidInput):
    """A monitoring report carries a parameter that validation fixed (or that the registry
    derives): only monitored values may be reported; a fixed value changes by re-validation."""

    code = "fixed_parameter"


@dataclass(frozen=True, slots=True)
class Source:
    document: str  # e.g. "CCER-14-001-V01 造林碳汇" or "渝环〔2021〕111号"
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
    kind: ParameterKind = ParameterKind.MONITORED
    integer: bool = False  # whole numbers only (e.g. digesters in use)

    @property
    def monitored(self) -> bool:
        return self.kind is ParameterKind.MONITORED

    def check(self, value: object) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or \
                not math.isfinite(value):
            raise InvalidInput(f"{self.id} must be a number in {self.unit}", field=self.id)
        v = float(value)
        if self.integer and v != math.floor(v):
            raise InvalidInput(f"{self.id} must be a whole number of {self.unit}",
                               field=self.id, value=v)
        if self.minimum is not None and v < self.minimum:
            raise InvalidInput(f"{self.id} must be at least {self.minimum} {self.unit}",
                               field=self.id, value=v)
        if self.maximum is not None and v > self.maximum:
            raise InvalidInput(f"{self.id} must be at most {self.maximum} {self.unit}",
                               field=self.id, value=v)
        return v


def _floats(pairs: Pairs | Mapping[str, str]) -> dict[str, float]:
    items = pairs.items() if isinstance(pairs, Mapping) else pairs
    return {k: float(Decimal(v)) for k, v in items}


@dataclass(frozen=True, slots=True)
class Methodology:
    id: str  # registry identifier, e.g. "CQ-PV"
    version: str  # e.g. "2.0"
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
    # grid-factor kinds the registry looks up for the period (each becomes ``ef_<kind>``)
    grid_factors: tuple[str, ...] = ()
    green_certificates: bool = False  # credits electricity that could also be a GEC
    legacy: bool = False  # kept only for entries journaled under registry rules 1
    successor: str = ""  # the version that replaces a legacy or closed one
    # closed: takes no new project from registry rules 3 on; projects registered under it go
    # on reporting, or move to the successor at a re-validation
    closed: bool = False
    # a rule across fixed values (e.g. weights adding up to 1): an error message, or None
    fixed_rule: Callable[[Values], str | None] | None = None
    # a stock methodology (forest carbon): the stock a report's monitored values measure,
    # tCO2e; the registry derives ``credited_stock`` from it (the highest stock credited
    # before, so that regrowth after a loss is not credited twice)
    stock: Callable[[Values], float] | None = None

    @property
    def key(self) -> str:
        return f"{self.id}@{self.version}"

    def parameter(self, pid: str) -> Parameter | None:
        for p in self.parameters:
            if p.id == pid:
                return p
        return None

    def of_kind(self, kind: ParameterKind) -> tuple[Parameter, ...]:
        return tuple(p for p in self.parameters if p.kind is kind)

    # ------------------------------------------------------------------ registry rules 1
    def validate(self, values: Mapping[str, object]) -> dict[str, float]:
        """Every parameter checked, defaults for those missing; every error reported at once
        (InvalidInput with a list). Registry rules 1 took every parameter from the report."""
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

    # ------------------------------------------------------------------ registry rules 2
    def fixed_values(self, given: Pairs, base: Mapping[str, str] | None = None) -> Pairs:
        """The fixed values a validation records: ``given`` (from the validated project
        document), else ``base`` (what the project had), else the methodology's default.
        Only fixed parameters may be given; every error is reported at once."""
        errors: list[dict[str, object]] = []
        given_map = dict(given)
        for k in sorted(given_map):
            p = self.parameter(k)
            if p is None:
                errors.append({"field": k, "message": "not a parameter of this methodology"})
            elif p.kind is not ParameterKind.FIXED:
                errors.append({"field": k, "message": f"{k} is {p.kind.value}, not fixed"})
        out: list[tuple[str, str]] = []
        for p in self.of_kind(ParameterKind.FIXED):
            text = given_map.get(p.id) or (base or {}).get(p.id)
            if text is None and p.default is not None:
                text = canonical_decimal(p.default)
            if text is None:
                errors.append({"field": p.id, "message": f"{p.id} ({p.unit}) must be fixed "
                                                         "at validation"})
                continue
            try:
                p.check(float(Decimal(text)))
            except InvalidInput as exc:
                errors.append({"field": p.id, "message": exc.message})
            out.append((p.id, text))
        if not errors and self.fixed_rule is not None:
            broken = self.fixed_rule(_floats(tuple(out)))
            if broken:
                errors.append({"field": "fixed", "message": broken})
        if errors:
            raise InvalidInput(f"{len(errors)} fixed parameter(s) are wrong or missing",
                               errors=errors, methodology=self.key)
        return tuple(sorted(out))

    def monitored_values(self, values: Pairs) -> dict[str, float]:
        """A report's values: monitored parameters only (a fixed or derived one is refused
        with ``fixed_parameter``), each in range; defaults for monitored ones left out."""
        errors: list[dict[str, object]] = []
        frozen: list[str] = []
        given = _floats(values)
        out: dict[str, float] = {}
        for k in sorted(given):
            p = self.parameter(k)
            if p is None:
                errors.append({"field": k, "message": "not a parameter of this methodology"})
            elif p.kind is not ParameterKind.MONITORED:
                frozen.append(k)
                errors.append({"field": k, "message": f"{k} is {p.kind.value}: a report "
                                                      "carries monitored values only"})
        for p in self.of_kind(ParameterKind.MONITORED):
            if p.id not in given:
                if p.default is not None:
                    out[p.id] = p.default
                else:
                    errors.append({"field": p.id, "message": f"{p.id} ({p.unit}) is required"})
                continue
            try:
                out[p.id] = p.check(given[p.id])
            except InvalidInput as exc:
                errors.append({"field": p.id, "message": exc.message})
        if frozen:
            raise FixedParameter(f"{', '.join(frozen)} were fixed at validation; only a "
                                 "re-validation changes them", errors=errors, fields=frozen,
                                 methodology=self.key)
        if errors:
            raise InvalidInput(f"{len(errors)} parameter(s) are missing or out of range",
                               errors=errors, methodology=self.key)
        return out

    def compute(self, monitored: Mapping[str, float], fixed: Pairs,
                derived: Mapping[str, str]) -> int:
        """Whole tonnes CO2e for the period from checked monitored values, the project's fixed
        values and the registry's derived ones; rounded down, never negative."""
        values = {**monitored, **_floats(fixed), **_floats(derived)}
        missing = [p.id for p in self.parameters if p.id not in values]
        if missing:  # a plugin or registry defect, not bad input
            raise AssertionError(f"{self.key}: no value for {missing}")
        return max(0, math.floor(self.calculate(values) + 1e-9))
