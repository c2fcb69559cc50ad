"""Registry commands: the project lifecycle, monitoring, verification and issuance.

Measured values travel as decimal strings (``"1234.5"``), never as JSON floats, so journal
entries stay canonical; coordinates are integer micro-degrees.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, ClassVar

from qingshan.errors import InvalidInput, MalformedIdentifier
from qingshan.ledger.domain.commands import Command
from qingshan.ledger.domain.definition import (
    Custom,
    Day,
    LongText,
    Quantity,
    Ref,
    Shape,
    Text,
    Whole,
    declare,
)
from qingshan.ledger.domain.identifiers import validate_admin_code
from qingshan.ledger.domain.model import check_quantity
from qingshan.ledger.domain.parsing import as_date, asset_code, clean_text, matching, text
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


def _plant_code(data: Mapping[str, Any]) -> str:
    raw = data.get("plant_code")
    if raw is None or raw == "":
        return ""
    if not isinstance(raw, str) or not PLANT_CODE_RE.fullmatch(raw):
        raise MalformedIdentifier("plant_code is 1-64 letters, digits, '.', '_' or '-'",
                                  field="plant_code", value=str(raw)[:64])
    return raw


class LossCause(StrEnum):
    """What a loss of carbon stocks may be caused by (LOSS_CAUSES)."""

    FIRE = "fire"
    PESTS = "pests"
    DISEASE = "disease"
    HARVEST = "harvest"
    STORM = "storm"
    DROUGHT = "drought"
    LAND_USE_CHANGE = "land_use_change"
    OTHER = "other"


def _cause(data: Mapping[str, Any], key: str) -> str:
    cause = data.get(key)
    if cause not in LOSS_CAUSES:
        raise InvalidInput(f"cause must be one of: {', '.join(LOSS_CAUSES)}",
                           field=key, value=str(cause)[:64])
    return str(cause)


def _district(data: Mapping[str, Any], key: str) -> str:
    district = data.get(key)
    if not isinstance(district, str):
        raise InvalidInput("district must be an administrative division code", field=key)
    return validate_admin_code(district)


def _methodology_or_kept(data: Mapping[str, Any], key: str) -> str:
    raw = data.get(key)
    return "" if raw in (None, "") else matching(data, key, METHODOLOGY_KEY_RE, "CQ-PV@2.0")


def Code(pattern: re.Pattern[str], example: str, max_len: int, **kw: Any) -> Custom:
    """An id that must match ``pattern`` (refused as malformed, like ``example``)."""
    return Custom(parser=lambda d, k: matching(d, k, pattern, example),
                  like=Shape(type="text", max_length=max_len, length_at_edge=False),
                  **{"examples": (example,), **kw})


def YesNo(**kw: Any) -> Custom:
    """JSON true or false, nothing else."""
    return Custom(parser=_bool, like=Shape(type="boolean"), **kw)


PROJECT = Code(PROJECT_ID_RE, "CQ0001", 10)
REPORT = Code(REPORT_ID_RE, "MR000001", 12)
TEXT = Shape(type="text", max_length=500)
DOCUMENT = Shape(type="object", name="Document", optional=frozenset({"url"}), properties=(
    ("name", Shape(type="text", max_length=200)),
    ("sha256", Shape(type="text", max_length=64, length_at_edge=False)), ("url", TEXT)))
PARAMETERS = Shape(type="map", max_length=100, items=(Shape(type="text", max_length=26,
                                                                length_at_edge=False),))


def Documents(**kw: Any) -> Custom:
    """Documents {name, sha256, url}; a payload without them has none."""
    return Custom(parser=lambda d, _: _documents(d), to_json=lambda ds: [
        d.to_payload() for d in ds], like=Shape(type="list", max_length=MAX_DOCUMENTS,
                                                items=(DOCUMENT,)), required=False, **kw)


def Parameters(*, canonical: bool, **kw: Any) -> Custom:
    """Parameter ids to decimal strings, such as {"eg_mwh": "1234.5"}."""
    return Custom(parser=lambda d, k: _values(d, k, required=kw.get("required", True),
                                              canonical=canonical),
                  like=PARAMETERS, to_json=dict, **kw)


def _crediting(values: dict[str, Any], data: Mapping[str, Any]) -> None:
    if as_date(values["crediting_end"]) <= as_date(values["crediting_start"]):
        raise InvalidInput("the crediting period ends before it starts", field="crediting_end")


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateProject(Command):
    kind: ClassVar[str] = "create_project"
    proponent: str = declare(Ref(prefix="P", examples=("P000002",)))
    # the proponent's holding account that receives issued units
    account: str = declare(Ref(prefix="A", examples=("A00000004",)))
    name: str = declare(Text(max_len=200))
    methodology: str = declare(Code(METHODOLOGY_KEY_RE, "CQ-PV-001@1.0", 40,
                                    description="id@version"))
    asset: str = declare(Custom(parser=lambda d, k: asset_code(d, k, default="CQCER"),
                                like=Shape(type="text", max_length=16, length_at_edge=False),
                                required=False,
                                absent="CQCER", examples=("CQCER",)))
    district: str = declare(Custom(parser=_district,
                                   like=Shape(type="text", max_length=6, length_at_edge=False),
                                   description="GB/T 2260 code", examples=("500237",)))
    lat_e6: int = declare(Whole(lo=-90_000_000, hi=90_000_000, description="micro-degrees"))
    lon_e6: int = declare(Whole(lo=-180_000_000, hi=180_000_000, description="micro-degrees"))
    crediting_start: str = declare(Day())
    crediting_end: str = declare(Day())
    estimated_annual: int = declare(Whole(lo=0, hi=10**9, description=(
        "tCO2e per year, as in the project document")))
    description: str = declare(LongText(required=False))
    documents: tuple[Document, ...] = declare(Documents())
    # a power plant's code in the national green-certificate lists (methodologies that credit
    # electricity require it, so a period claimed as GEC is refused); absent from entries
    # journaled before it existed
    plant_code: str = declare(Custom(parser=lambda d, _: _plant_code(d), required=False,
                                     like=Shape(type="text", max_length=64, length_at_edge=False),
                                     omit_if=""), "")

    checks = (_crediting,)


@dataclass(frozen=True, slots=True)
class AddProjectDocument(Command):
    kind: ClassVar[str] = "add_project_document"
    project: str = declare(PROJECT)
    document: Document = declare(Custom(
        parser=lambda d, k: _documents({"documents": [d.get(k)]})[0], like=DOCUMENT,
        to_json=lambda doc: doc.to_payload()))


@dataclass(frozen=True, slots=True)
class ProjectTransition(Command):
    """One step of the lifecycle, always with a reason (journaled with its actor)."""

    project: str = declare(PROJECT)
    reason: str = declare(LongText(max_len=2000))


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
    project: str = declare(PROJECT)
    approve: bool = declare(YesNo())
    opinion: str = declare(LongText())
    # (absent from entries journaled before it existed)
    fixed: tuple[tuple[str, str], ...] = declare(Parameters(canonical=True, required=False,
                                                            omit_if=()), ())


@dataclass(frozen=True, slots=True)
class RevalidateProject(Command):
    """A verifier's re-validation: changes fixed values, or moves the project to another
    version of its methodology; always with its reason. Reports submitted before keep the
    values they were computed with."""

    kind: ClassVar[str] = "revalidate_project"
    project: str = declare(PROJECT)
    fixed: tuple[tuple[str, str], ...] = declare(Parameters(canonical=True, required=False))
    methodology: str = declare(Custom(  # "" keeps the project's methodology
        parser=_methodology_or_kept, required=False,
        like=Shape(type="text", max_length=40, length_at_edge=False),
        description="a version of the methodology (id@version); empty keeps the project's"))
    reason: str = declare(LongText(max_len=2000))
    # "" keeps the project's (a GEC methodology needs one)
    plant_code: str = declare(Custom(parser=lambda d, _: _plant_code(d), required=False,
                                     like=Shape(type="text", max_length=64,
                                                length_at_edge=False)), "")


def _period(values: dict[str, Any], data: Mapping[str, Any]) -> None:
    if as_date(values["period_end"]) < as_date(values["period_start"]):
        raise InvalidInput("the monitoring period ends before it starts", field="period_end")


@dataclass(frozen=True, slots=True, kw_only=True)
class SubmitMonitoringReport(Command):
    kind: ClassVar[str] = "submit_monitoring_report"
    project: str = declare(PROJECT)
    period_start: str = declare(Day())
    period_end: str = declare(Day())
    values: tuple[tuple[str, str], ...] = declare(Parameters(canonical=False))
    documents: tuple[Document, ...] = declare(Documents())
    # of DECLARATIONS; absent from entries journaled before it existed
    declarations: tuple[str, ...] = declare(Custom(
        parser=lambda d, k: _words(d, k, DECLARATIONS), to_json=list, required=False,
        omit_if=(), like=Shape(type="list", max_length=len(DECLARATIONS), items=(
            Shape(type="text", max_length=40, length_at_edge=False),)),
        description=f"of: {', '.join(DECLARATIONS)}"), ())

    checks = (_period,)


def _verified(values: dict[str, Any], data: Mapping[str, Any]) -> None:
    """A refusal verifies nothing, whatever quantity was sent."""
    values["verified_quantity"] = check_quantity(data.get("verified_quantity"),
                                                 "verified_quantity") if values["approve"] else 0


@dataclass(frozen=True, slots=True)
class VerifyMonitoringReport(Command):
    kind: ClassVar[str] = "verify_monitoring_report"
    report: str = declare(REPORT)
    approve: bool = declare(YesNo())
    verified_quantity: int = declare(Custom(  # (read by _verified, once approve is known)
        parser=lambda d, k: None, like=Shape(type="integer"), required=False,
        description="tCO2e verified; only with an approval"))
    opinion: str = declare(LongText())

    checks = (_verified,)


@dataclass(frozen=True, slots=True)
class RequestIssuance(Command):
    kind: ClassVar[str] = "request_issuance"
    report: str = declare(REPORT)
    quantity: int = declare(Quantity())


@dataclass(frozen=True, slots=True)
class DecideIssuance(Command):
    """The operator approves (units are issued) or rejects an issuance request."""

    kind: ClassVar[str] = "decide_issuance"
    request: str = declare(Code(REQUEST_ID_RE, "IR000001", 12))
    approve: bool = declare(YesNo())
    reason: str = declare(LongText(max_len=2000))


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportLoss(Command):
    """A loss of credited carbon (fire, pests, harvest, …): reported by the proponent, found
    at verification by a verifier, or recorded by the operator. Buffer units are cancelled
    first, then, if the loss was avoidable, the proponent's."""

    kind: ClassVar[str] = "report_loss"
    project: str = declare(PROJECT)
    quantity: int = declare(Quantity(description="tCO2e lost"))
    cause: str = declare(Custom(parser=_cause, like=Shape(type="choice", choices=LossCause)))
    avoidable: bool = declare(YesNo())
    occurred: str = declare(Day(description="the date of the event"))
    description: str = declare(LongText())
    documents: tuple[Document, ...] = declare(Documents())


REGISTRY_COMMANDS: tuple[type[Command], ...] = (
    CreateProject, AddProjectDocument, SubmitProject, ValidateProject, RegisterProject,
    SuspendProject, ReinstateProject, WithdrawProject, SubmitMonitoringReport,
    VerifyMonitoringReport, RequestIssuance, DecideIssuance, RevalidateProject, ReportLoss)
