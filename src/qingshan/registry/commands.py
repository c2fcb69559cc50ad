"""Registry commands: the project lifecycle, monitoring, verification and issuance.

Measured values travel as decimal strings (``"1234.5"``), never as JSON floats, so journal
entries stay canonical; coordinates are integer micro-degrees.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from qingshan.errors import InvalidInput
from qingshan.ledger.domain.commands import Command
from qingshan.ledger.domain.model import check_id, check_quantity
from qingshan.ledger.domain.parsing import (
    as_date,
    asset_code,
    clean_text,
    date,
    long_text,
    matching,
    text,
    whole_number,
)
from qingshan.ledger.domain.urls import UrlRefused, canonical_url

PROJECT_ID_RE = re.compile(r"^CQ[0-9]{4,8}$")
REPORT_ID_RE = re.compile(r"^MR[0-9]{6,10}$")
REQUEST_ID_RE = re.compile(r"^IR[0-9]{6,10}$")
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
DECIMAL_RE = re.compile(r"^-?[0-9]{1,15}(\.[0-9]{1,9})?$")
METHODOLOGY_KEY_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,30}@[0-9]{1,3}(\.[0-9]{1,3}){0,2}$")
MAX_DOCUMENTS = 50


def project_id(data: Mapping[str, Any]) -> str:
    return matching(data, "project", PROJECT_ID_RE, "CQ0001")


def _bool(data: Mapping[str, Any], key: str) -> bool:
    value = data.get(key)
    if not isinstance(value, bool):
        raise InvalidInput(f"{key} must be true or false", field=key)
    return value


@dataclass(frozen=True, slots=True)
class Document:
    name: str
    sha256: str
    url: str

    def to_payload(self) -> dict[str, str]:
        return {"name": self.name, "sha256": self.sha256, "url": self.url}


def _documents(data: Mapping[str, Any]) -> tuple[Document, ...]:
    raw = data.get("documents", [])
    if not isinstance(raw, list | tuple) or len(raw) > MAX_DOCUMENTS:
        raise InvalidInput(f"documents must be a list of at most {MAX_DOCUMENTS}",
                           field="documents")
    out = []
    for item in raw:
        if not isinstance(item, Mapping):
            raise InvalidInput("each document is {name, sha256, url}", field="documents")
        sha = item.get("sha256")
        if not isinstance(sha, str) or not SHA256_RE.fullmatch(sha):
            raise InvalidInput("a document's sha256 is 64 lower-case hex digits",
                               field="documents.sha256")
        out.append(Document(text(item, "name", max_len=200), sha, _document_url(item)))
    return tuple(out)


def _document_url(item: Mapping[str, Any]) -> str:
    """A document's address: empty, or an http(s) address in its canonical form (it becomes
    a link on the public project page, so nothing a browser could run is stored)."""
    value = item.get("url")
    if value is None or value == "":
        return ""
    value = clean_text(value, "documents.url", max_len=500)  # the text policy first
    try:
        return canonical_url(value)
    except UrlRefused as exc:
        raise InvalidInput(f"a document's url: {exc}", field="documents.url",
                           value=value[:64]) from None


def _values(data: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    raw = data.get("values")
    if not isinstance(raw, Mapping) or not raw or len(raw) > 100:
        raise InvalidInput("values must map parameter ids to decimal strings", field="values")
    out = []
    for k, v in raw.items():
        if not isinstance(k, str) or clean_text(k, "values", max_len=64) != k:
            raise InvalidInput("values are keyed by parameter ids such as eg_mwh",
                               field="values")
        if not isinstance(v, str) or not DECIMAL_RE.fullmatch(v):
            raise InvalidInput(f"value of {k} must be a decimal string such as \"1234.5\"",
                               field=f"values.{k}")
        try:
            Decimal(v)
        except InvalidOperation:
            raise InvalidInput(f"value of {k} is not a number", field=f"values.{k}") from None
        out.append((k, v))
    return tuple(sorted(out))


@dataclass(frozen=True, slots=True)
class CreateProject(Command):
    kind: ClassVar[str] = "create_project"
    proponent: str
    account: str  # the proponent's holding account that receives issued units
    name: str
    methodology: str  # id@version
    asset: str
    district: str  # GB/T 2260 code
    lat_e6: int
    lon_e6: int
    crediting_start: str
    crediting_end: str
    estimated_annual: int  # tCO2e per year, as in the project document
    description: str
    documents: tuple[Document, ...]

    def to_payload(self) -> dict[str, Any]:
        return {"proponent": self.proponent, "account": self.account, "name": self.name,
                "methodology": self.methodology, "asset": self.asset,
                "district": self.district, "lat_e6": self.lat_e6, "lon_e6": self.lon_e6,
                "crediting_start": self.crediting_start, "crediting_end": self.crediting_end,
                "estimated_annual": self.estimated_annual, "description": self.description,
                "documents": [d.to_payload() for d in self.documents]}

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> CreateProject:
        from qingshan.ledger.domain.identifiers import validate_admin_code

        start, end = date(data, "crediting_start"), date(data, "crediting_end")
        if as_date(end) <= as_date(start):
            raise InvalidInput("the crediting period ends before it starts",
                               field="crediting_end")
        district = data.get("district")
        if not isinstance(district, str):
            raise InvalidInput("district must be an administrative division code",
                               field="district")
        return cls(proponent=check_id("P", data.get("proponent"), "proponent"),
                   account=check_id("A", data.get("account"), "account"),
                   name=text(data, "name", max_len=200),
                   methodology=matching(data, "methodology", METHODOLOGY_KEY_RE,
                                        "CQ-PV-001@1.0"),
                   asset=asset_code(data, "asset", default="CQCER"),
                   district=validate_admin_code(district),
                   lat_e6=whole_number(data, "lat_e6", -90_000_000, 90_000_000),
                   lon_e6=whole_number(data, "lon_e6", -180_000_000, 180_000_000),
                   crediting_start=start, crediting_end=end,
                   estimated_annual=whole_number(data, "estimated_annual", 0, 10**9),
                   description=long_text(data, "description", required=False),
                   documents=_documents(data))


@dataclass(frozen=True, slots=True)
class AddProjectDocument(Command):
    kind: ClassVar[str] = "add_project_document"
    project: str
    document: Document

    def to_payload(self) -> dict[str, Any]:
        return {"project": self.project, "document": self.document.to_payload()}

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> AddProjectDocument:
        docs = _documents({"documents": [data.get("document")]})
        return cls(project=project_id(data), document=docs[0])


@dataclass(frozen=True, slots=True)
class ProjectTransition(Command):
    """One step of the lifecycle, always with a reason (journaled with its actor)."""

    project: str
    reason: str

    def to_payload(self) -> dict[str, Any]:
        return {"project": self.project, "reason": self.reason}

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> ProjectTransition:
        return cls(project=project_id(data), reason=long_text(data, "reason", max_len=2000))


class SubmitProject(ProjectTransition):
    kind = "submit_project"


class RegisterProject(ProjectTransition):
    kind = "register_project"


class SuspendProject(ProjectTransition):
    kind = "suspend_project"


class ReinstateProject(ProjectTransition):
    kind = "reinstate_project"


class WithdrawProject(ProjectTransition):
    kind = "withdraw_project"


@dataclass(frozen=True, slots=True)
class ValidateProject(Command):
    """A verifier's validation opinion: approve (→ validated) or send back (→ draft)."""

    kind: ClassVar[str] = "validate_project"
    project: str
    approve: bool
    opinion: str

    def to_payload(self) -> dict[str, Any]:
        return {"project": self.project, "approve": self.approve, "opinion": self.opinion}

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> ValidateProject:
        return cls(project=project_id(data), approve=_bool(data, "approve"),
                   opinion=long_text(data, "opinion"))


@dataclass(frozen=True, slots=True)
class SubmitMonitoringReport(Command):
    kind: ClassVar[str] = "submit_monitoring_report"
    project: str
    period_start: str
    period_end: str
    values: tuple[tuple[str, str], ...]
    documents: tuple[Document, ...]

    def to_payload(self) -> dict[str, Any]:
        return {"project": self.project, "period_start": self.period_start,
                "period_end": self.period_end, "values": dict(self.values),
                "documents": [d.to_payload() for d in self.documents]}

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> SubmitMonitoringReport:
        start, end = date(data, "period_start"), date(data, "period_end")
        if as_date(end) < as_date(start):
            raise InvalidInput("the monitoring period ends before it starts",
                               field="period_end")
        return cls(project=project_id(data), period_start=start, period_end=end,
                   values=_values(data), documents=_documents(data))


@dataclass(frozen=True, slots=True)
class VerifyMonitoringReport(Command):
    kind: ClassVar[str] = "verify_monitoring_report"
    report: str
    approve: bool
    verified_quantity: int
    opinion: str

    def to_payload(self) -> dict[str, Any]:
        return {"report": self.report, "approve": self.approve,
                "verified_quantity": self.verified_quantity, "opinion": self.opinion}

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> VerifyMonitoringReport:
        approve = _bool(data, "approve")
        # a refusal verifies nothing, whatever quantity was sent
        qty = check_quantity(data.get("verified_quantity"), "verified_quantity") if approve else 0
        return cls(report=matching(data, "report", REPORT_ID_RE, "MR000001"), approve=approve,
                   verified_quantity=qty, opinion=long_text(data, "opinion"))


@dataclass(frozen=True, slots=True)
class RequestIssuance(Command):
    kind: ClassVar[str] = "request_issuance"
    report: str
    quantity: int

    def to_payload(self) -> dict[str, Any]:
        return {"report": self.report, "quantity": self.quantity}

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> RequestIssuance:
        return cls(report=matching(data, "report", REPORT_ID_RE, "MR000001"),
                   quantity=check_quantity(data.get("quantity")))


@dataclass(frozen=True, slots=True)
class DecideIssuance(Command):
    """The operator approves (units are issued) or rejects an issuance request."""

    kind: ClassVar[str] = "decide_issuance"
    request: str
    approve: bool
    reason: str

    def to_payload(self) -> dict[str, Any]:
        return {"request": self.request, "approve": self.approve, "reason": self.reason}

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> DecideIssuance:
        return cls(request=matching(data, "request", REQUEST_ID_RE, "IR000001"),
                   approve=_bool(data, "approve"),
                   reason=long_text(data, "reason", max_len=2000))


REGISTRY_COMMANDS: tuple[type[Command], ...] = (
    CreateProject, AddProjectDocument, SubmitProject, ValidateProject, RegisterProject,
    SuspendProject, ReinstateProject, WithdrawProject, SubmitMonitoringReport,
    VerifyMonitoringReport, RequestIssuance, DecideIssuance)
