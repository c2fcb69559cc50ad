"""Response bodies of the registry's and the market's reads (see ``api/responses.py``). Rows
of a context's tables are modelled from the table itself (``row_model``), with the shapes of
their JSON columns and computed fields named here."""

from __future__ import annotations

from typing import Any

from qingshan.api.responses import Out, row_model
from qingshan.infra import schema as t


def many(model: type[Out]) -> Any:
    """``list[model]`` for a model made from a table (a value, not a type, to mypy)."""
    return list[model]  # type: ignore[valid-type]


# ------------------------------------------------------------------------------ registry


class Location(Out):
    district: str
    lat: float
    lon: float


Documents = list[dict[str, Any]]  # [{name, sha256, url}]
Project = row_model(
    "Project", t.registry_projects, drop=("district", "lat_e6", "lon_e6"),
    types={"documents": Documents, "fixed": dict[str, Any]}, add={"location": Location},
    doc="A project; ``account`` is ``private`` except to its proponent and the operator.")
Loss = row_model("Loss", t.registry_losses, types={"documents": Documents})


class ProjectStep(Out):
    seq: int
    kind: str
    actor: str
    reason: str


class Basis(Out):
    fixed: dict[str, Any]
    derived: dict[str, Any]
    factors: list[Any]
    declarations: list[Any]


MonitoringReport = row_model(
    "MonitoringReport", t.registry_reports,
    types={"measured": dict[str, Any], "documents": Documents, "basis": Basis})
IssuanceRequest = row_model("IssuanceRequest", t.registry_issuance_requests,
                            types={"factors": list[Any]})
Validation = row_model("Validation", t.registry_validations, types={"fixed": dict[str, Any]})
ProjectDetail = row_model(
    "ProjectDetail", t.registry_projects, drop=("district", "lat_e6", "lon_e6"),
    types={"documents": Documents, "fixed": dict[str, Any]},
    add={"location": Location, "history": list[ProjectStep],
         "monitoring_reports": many(MonitoringReport),
         "issuance_requests": many(IssuanceRequest), "validations": many(Validation),
         "losses": many(Loss)},
    doc="A project with its history, reports, issuance requests, validations and losses.")
GridFactor = row_model("GridFactor", t.registry_grid_factors, types={"provinces": list[str]})
GreenCertificate = row_model("GreenCertificate", t.registry_green_certificates)


class Pool(Out):
    asset: str
    held: int
    contributed: int
    drawn: int


class Contribution(Out):
    request: str
    project: str
    name: str
    asset: str
    issuance: int
    vintage: int
    quantity: int
    buffer: int
    seq: int


class BufferPool(Out):
    pools: list[Pool]
    contributions: list[Contribution]
    draws: many(Loss)  # type: ignore[valid-type]


class Source(Out):
    document: str
    issuer: str
    locator: str
    url: str


class Parameter(Out):
    id: str
    name_zh: str
    name_en: str
    unit: str
    minimum: float | None
    maximum: float | None
    default: float | None
    kind: str
    monitored: bool
    integer: bool
    source: Source | None


class Methodology(Out):
    key: str
    id: str
    version: str
    title_zh: str
    title_en: str
    sector: str
    scope: str
    buffer_percent: int
    source: Source | None
    legacy: bool
    closed: bool  # takes no new project (registered ones go on)
    successor: str | None
    grid_factors: list[str]
    green_certificates: bool
    parameters: list[Parameter]
    report_fields: list[str]
    notes: list[str]


class CertificateLine(Out):
    serial: str
    quantity: int
    project: str
    project_name: str
    vintage: int
    monitoring_period: list[str]


class CertificateProof(Out):
    leaf_index: int
    tree_size: int
    root: str
    signature: str
    key_id: str
    audit_path: list[str]


class Certificate(Out):
    id: str
    seq: int
    time: int
    asset: str
    quantity: int
    purpose: str
    purpose_zh: str
    purpose_en: str
    beneficiary: str
    reason: str
    reference: str
    lines: list[CertificateLine]
    proof: CertificateProof
    bundle_json: str


class RegistryStatistics(Out):
    enterprises: int
    cqcer_registered_t: int
    cqcer_transferred_between_parties_t: int
    cqcer_retired_t: dict[str, int]
    projects_by_status: dict[str, int]


# ------------------------------------------------------------------------------ market
Instrument = row_model(
    "Instrument", t.market_instruments,
    types={"categories": list[str] | None, "sessions": list[list[str]] | None,
           "modes": list[str] | None, "mode_fees": dict[str, int] | None},
    add={"band": list[int]},
    doc="A listed instrument; ``fee_account`` is ``private`` except to the operator and "
        "auditors.")
Order = row_model("Order", t.market_orders)


class Level(Out):
    price: int
    quantity: int
    orders: int


class Depth(Out):
    instrument: str
    bids: list[Level]
    asks: list[Level]


class Trade(Out):
    trade: int
    price: int
    quantity: int
    aggressor: str
    time: int


class Bar(Out):
    day: str
    open: int
    high: int
    low: int
    close: int
    volume: int
    value: int
    trades: int
    vwap: int


class WashPair(Out):
    day: str
    parties: list[str]
    bought_by_first: int
    bought_by_second: int
    trades: int
    net: int
    round_trip_share: float
