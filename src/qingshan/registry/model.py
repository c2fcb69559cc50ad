"""The registry's records, their states and the errors its rules raise.

Decimal quantities (parameter values, grid factors, MWh) are kept as canonical decimal strings
(``canonical_decimal``), never floats, so records compare and journal exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from qingshan.errors import Conflict, NotFound
from qingshan.registry.commands import Document

# raised by the methodology when a report carries a fixed value; one of the registry's errors
from qingshan.registry.methodologies.base import FixedParameter as FixedParameter

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


# ---------------------------------------------------------------------------------- errors
class WrongState(Conflict):
    """The project, report or request is not in a state that allows this step."""

    code = "wrong_state"


class PeriodOverlap(Conflict):
    """A monitoring period overlaps another report of the project."""

    code = "period_overlap"


class OverIssuance(Conflict):
    """More units requested than verified and not yet requested."""

    code = "over_issuance"


class UnknownProject(NotFound):
    code = "unknown_project"


class UnknownReport(NotFound):
    code = "unknown_report"


class UnknownRequest(NotFound):
    code = "unknown_request"


class UnknownMethodology(NotFound):
    code = "unknown_methodology"


class MethodologySuperseded(Conflict):
    """The methodology version is kept only for entries journaled before registry rules 2; new
    projects, validations and reports use its successor (re-validate a project onto it)."""

    code = "methodology_superseded"


class NoGridFactor(Conflict):
    """No grid-factor row of the kind the methodology asks for is in force for the project's
    grid and the monitoring period's year."""

    code = "no_grid_factor"


class GreenCertificatesClaimed(Conflict):
    """The electricity of this period was already claimed as green certificates (GEC)."""

    code = "green_certificates_claimed"


class NoBuffer(Conflict):
    """The project's methodology keeps no buffer, so it has no reversals to report."""

    code = "no_buffer"


class OverReversal(Conflict):
    """A loss larger than what is left of the units issued for the project."""

    code = "over_reversal"


class LossExceedsCover(Conflict):
    """The buffer pool (and, for an avoidable loss, the proponent's units) cannot cover the
    loss: nothing was cancelled."""

    code = "loss_exceeds_cover"


# ---------------------------------------------------------------------------------- records
@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
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
