"""The registry's records and their states (its errors are in ``errors``).

Decimal quantities (parameter values, grid factors, MWh) are kept as canonical decimal strings
(``canonical_decimal``), never floats, so records compare and journal exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from qingshan.registry.commands import Document

Pairs = tuple[tuple[str, str], ...]  # sorted (name, canonical decimal) pairs


class ProjectStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    VALIDATED = "validated"
    REGISTERED = "registered"
    SUSPENDED = "suspended"
    WITHDRAWN = "withdrawn"


class ReportStatus(StrEnum):
    SUBMITTED = "submitted"
    VERIFIED = "verified"
    REJECTED = "rejected"


class RequestStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


# ---------------------------------------------------------------------------------- records
@dataclass(frozen=True, slots=True, kw_only=True)
class Project:
    id: str
    proponent: str
    account: str
    name: str
    methodology: str
    sector: str  # the methodology's sector (forestry, energy, agriculture, inclusive, …)
    asset: str
    district: str
    lat_e6: int
    lon_e6: int
    crediting_start: str
    crediting_end: str
    estimated_annual: int
    description: str
    documents: tuple[Document, ...]
    status: ProjectStatus
    validator: str | None  # the verifier party that validated it
    created_seq: int
    updated_seq: int
    fixed: Pairs = ()  # the fixed parameters and values recorded by (re-)validation
    plant_code: str = ""  # the power plant's code in the green-certificate (GEC) lists


@dataclass(frozen=True, slots=True)
class Basis:
    """What a report's claim was computed from besides its monitored values."""

    fixed: Pairs = ()  # the project's fixed values at submission
    derived: Pairs = ()  # what the registry derived: period length, grid factors
    factors: tuple[str, ...] = ()  # ids of the grid-factor rows used
    declarations: tuple[str, ...] = ()  # e.g. ("no_green_certificates",)


@dataclass(frozen=True, slots=True, kw_only=True)
class MonitoringReport:
    id: str
    project: str
    period_start: str
    period_end: str
    values: Pairs
    documents: tuple[Document, ...]
    claimed: int  # the methodology's result, whole tCO2e
    status: ReportStatus
    verified: int
    verifier: str | None
    opinion: str
    seq: int
    basis: Basis = Basis()


@dataclass(frozen=True, slots=True, kw_only=True)
class IssuanceRequest:
    id: str
    report: str
    project: str
    quantity: int
    status: RequestStatus
    issuance: int | None
    buffer: int
    reason: str
    seq: int
    factors: tuple[str, ...] = ()  # grid-factor rows the issued quantity rests on


@dataclass(frozen=True, slots=True)
class Validation:
    """One validation or re-validation: the methodology and fixed values it recorded."""

    seq: int
    project: str
    kind: str  # validate_project | revalidate_project
    methodology: str
    fixed: Pairs
    verifier: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class GridFactor:
    """One published grid emission factor: a row of a table by year and grid region."""

    id: str
    kind: str  # om | bm | cm | average
    region: str  # e.g. 华中 (Central China grid)
    provinces: tuple[str, ...]  # GB/T 2260 province codes (2 digits) the region covers
    year: int  # the year it is published for
    value: str  # tCO2/MWh, canonical decimal
    document: str
    locator: str  # table and page
    url: str
    published: str  # date of publication
    seq: int


@dataclass(frozen=True, slots=True)
class GreenCertificateClaim:
    """A line of the green-certificate (GEC) issuance list: a plant's MWh of a period."""

    reference: str  # the GEC list's own id for the line
    plant_code: str
    period_start: str
    period_end: str
    mwh: str  # canonical decimal
    source: str
    seq: int


@dataclass(frozen=True, slots=True, kw_only=True)
class LossEvent:
    """A reversal: carbon lost after it was credited, and the units cancelled to cover it."""

    id: str
    project: str
    asset: str
    quantity: int
    cause: str
    avoidable: bool
    occurred: str
    found_by: str  # proponent | verification | operator
    actor: str
    buffer_cancelled: int
    proponent_cancelled: int
    description: str
    documents: tuple[Document, ...]
    seq: int
