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

from qingshan.errors import InvalidInput, MalformedIdentifier
from qingshan.ledger.domain.commands import Command
from qingshan.ledger.domain.identifiers import validate_admin_code
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
from qingshan.registry.numbers import canonical_decimal

PROJECT_ID_RE = re.compile(r"^CQ[0-9]{4,8}$")
REPORT_ID_RE = re.compile(r"^MR[0-9]{6,10}$")
REQUEST_ID_RE = re.compile(r"^IR[0-9]{6,10}$")
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
DECIMAL_RE = re.compile(r"^-?[0-9]{1,15}(\.[0-9]{1,9})?$")
METHODOLOGY_KEY_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,30}@[0-9]{1,3}(\.[0-9]{1,3}){0,2}$")
PLANT_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
MAX_DOCUMENTS = 50
# What a monitoring report may declare: that the period's electricity is not, and will not be,
# claimed as green certificates (绿证, GEC) — required by methodologies that credit electricity.
DECLARATIONS = ("no_green_certificates",)
# Causes of a loss of carbon stocks after crediting (a reversal).
LOSS_CAUSES = ("fire", "pests", "disease", "harvest", "storm", "drought", "land_use_change",
               "other")


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


def _values(data: Mapping[str, Any], key: str = "values", *, required: bool = True,
            canonical: bool = False) -> tuple[tuple[str, str], ...]:
    """A map of parameter ids to decimal strings, sorted; ``canonical`` rewrites each number
    in its one canonical form (monitored values are kept as reported)."""
    raw = data.get(key)
    if raw is None and not required:
        return ()
    if not isinstance(raw, Mapping) or (required and not raw) or len(raw) > 100:
        raise InvalidInput(f"{key} must map parameter ids to decimal strings", field=key)
    out = []
    for k, v in raw.items():
        if not isinstance(k, str) or clean_text(k, key, max_len=64) != k:
            raise InvalidInput(f"{key} are keyed by parameter ids such as eg_mwh", field=key)
        if not isinstance(v, str) or not DECIMAL_RE.fullmatch(v):
            raise InvalidInput(f"value of {k} must be a decimal string such as \"1234.5\"",
                               field=f"{key}.{k}")
        try:
            Decimal(v)
        except InvalidOperation:
            raise InvalidInput(f"value of {k} is not a number", field=f"{key}.{k}") from None
        out.append((k, canonical_decimal(v) if canonical else v))
    return tuple(sorted(out))


def _words(data: Mapping[str, Any], key: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
    raw = data.get(key, [])
    if not isinstance(raw, list | tuple) or len(raw) > len(allowed) or not all(
            isinstance(w, str) and w in allowed for w in raw):
        raise InvalidInput(f"{key} is a list of: {', '.join(allowed)}", field=key)
    return tuple(sorted(set(raw)))


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
    # a power plant's code in the national green-certificate lists (methodologies that credit
    # electricity require it, so a period claimed as GEC is refused)
    plant_code: str = ""

    def to_payload(self) -> dict[str, Any]:
        out = {"proponent": self.proponent, "account": self.account, "name": self.name,
               "methodology": self.methodology, "asset": self.asset,
               "district": self.district, "lat_e6": self.lat_e6, "lon_e6": self.lon_e6,
               "crediting_start": self.crediting_start, "crediting_end": self.crediting_end,
               "estimated_annual": self.estimated_annual, "description": self.description,
               "documents": [d.to_payload() for d in self.documents]}
        if self.plant_code:  # (absent from entries journaled before it existed)
            out["plant_code"] = self.plant_code
        return out

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> CreateProject:
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
                   documents=_documents(data), plant_code=_plant_code(data))


def _plant_code(data: Mapping[str, Any]) -> str:
    raw = data.get("plant_code")
    if raw is None or raw == "":
        return ""
    if not isinstance(raw, str) or not PLANT_CODE_RE.fullmatch(raw):
        raise MalformedIdentifier("plant_code is 1-64 letters, digits, '.', '_' or '-'",
                                  field="plant_code", value=str(raw)[:64])
    return raw


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
    """A verifier's validation opinion: approve (→ validated) or send back (→ draft). An
    approval records the methodology's fixed parameters on the project: the values given here
    (as in the validated project document), the methodology's defaults for the rest."""

    kind: ClassVar[str] = "validate_project"
    project: str
    approve: bool
    opinion: str
    fixed: tuple[tuple[str, str], ...] = ()

    def to_payload(self) -> dict[str, Any]:
        out: dict[str, Any] = {"project": self.project, "approve": self.approve,
                               "opinion": self.opinion}
        if self.fixed:  # (absent from entries journaled before it existed)
            out["fixed"] = dict(self.fixed)
        return out

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> ValidateProject:
        return cls(project=project_id(data), approve=_bool(data, "approve"),
                   opinion=long_text(data, "opinion"),
                   fixed=_values(data, "fixed", required=False, canonical=True))


@dataclass(frozen=True, slots=True)
class RevalidateProject(Command):
    """A verifier's re-validation: changes fixed values, or moves the project to another
    version of its methodology; always with its reason. Reports submitted before keep the
    values they were computed with."""

    kind: ClassVar[str] = "revalidate_project"
    project: str
    fixed: tuple[tuple[str, str], ...]
    methodology: str  # "" keeps the project's methodology
    reason: str
    plant_code: str = ""  # "" keeps the project's (a GEC methodology needs one)

    def to_payload(self) -> dict[str, Any]:
        return {"project": self.project, "fixed": dict(self.fixed),
                "methodology": self.methodology, "reason": self.reason,
                "plant_code": self.plant_code}

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> RevalidateProject:
        raw = data.get("methodology")
        methodology = "" if raw in (None, "") else matching(
            data, "methodology", METHODOLOGY_KEY_RE, "CQ-PV@2.0")
        return cls(project=project_id(data),
                   fixed=_values(data, "fixed", required=False, canonical=True),
                   methodology=methodology, reason=long_text(data, "reason", max_len=2000),
                   plant_code=_plant_code(data))


@dataclass(frozen=True, slots=True)
class SubmitMonitoringReport(Command):
    kind: ClassVar[str] = "submit_monitoring_report"
    project: str
    period_start: str
    period_end: str
    values: tuple[tuple[str, str], ...]
    documents: tuple[Document, ...]
    declarations: tuple[str, ...] = ()  # of DECLARATIONS

    def to_payload(self) -> dict[str, Any]:
        out: dict[str, Any] = {"project": self.project, "period_start": self.period_start,
                               "period_end": self.period_end, "values": dict(self.values),
                               "documents": [d.to_payload() for d in self.documents]}
        if self.declarations:  # (absent from entries journaled before it existed)
            out["declarations"] = list(self.declarations)
        return out

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> SubmitMonitoringReport:
        start, end = date(data, "period_start"), date(data, "period_end")
        if as_date(end) < as_date(start):
            raise InvalidInput("the monitoring period ends before it starts",
                               field="period_end")
        return cls(project=project_id(data), period_start=start, period_end=end,
                   values=_values(data), documents=_documents(data),
                   declarations=_words(data, "declarations", DECLARATIONS))


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


@dataclass(frozen=True, slots=True)
class ReportLoss(Command):
    """A loss of credited carbon (fire, pests, harvest, …): reported by the proponent, found
    at verification by a verifier, or recorded by the operator. Buffer units are cancelled
    first, then, if the loss was avoidable, the proponent's."""

    kind: ClassVar[str] = "report_loss"
    project: str
    quantity: int  # tCO2e lost
    cause: str  # of LOSS_CAUSES
    avoidable: bool
    occurred: str  # date of the event
    description: str
    documents: tuple[Document, ...]

    def to_payload(self) -> dict[str, Any]:
        return {"project": self.project, "quantity": self.quantity, "cause": self.cause,
                "avoidable": self.avoidable, "occurred": self.occurred,
                "description": self.description,
                "documents": [d.to_payload() for d in self.documents]}

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> ReportLoss:
        cause = data.get("cause")
        if cause not in LOSS_CAUSES:
            raise InvalidInput(f"cause must be one of: {', '.join(LOSS_CAUSES)}",
                               field="cause", value=str(cause)[:64])
        return cls(project=project_id(data), quantity=check_quantity(data.get("quantity")),
                   cause=str(cause), avoidable=_bool(data, "avoidable"),
                   occurred=date(data, "occurred"),
                   description=long_text(data, "description"),
                   documents=_documents(data))


REGISTRY_COMMANDS: tuple[type[Command], ...] = (
    CreateProject, AddProjectDocument, SubmitProject, ValidateProject, RegisterProject,
    SuspendProject, ReinstateProject, WithdrawProject, SubmitMonitoringReport,
    VerifyMonitoringReport, RequestIssuance, DecideIssuance, RevalidateProject, ReportLoss)
