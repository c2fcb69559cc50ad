"""Request bodies as the API documents them (OpenAPI). They check shapes and JSON types
strictly, and each text field's length under the text policy (``Text(n)``: at most n
characters, answered ``422 invalid_text``); the domain's ``Command.from_payload`` then checks
meaning (ids, ranges, codes) and the text policy again, field by field."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, StringConstraints

from qingshan.ledger.domain.model import (
    AccountStatus,
    AccountType,
    AssetKind,
    HoldKind,
    PartyKind,
    RetirementPurpose,
    Role,
)


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


# text of at most n characters (the limit the command parser applies too)
Text8 = Annotated[StrictStr, StringConstraints(max_length=8)]
Text16 = Annotated[StrictStr, StringConstraints(max_length=16)]
Text32 = Annotated[StrictStr, StringConstraints(max_length=32)]
Text120 = Annotated[StrictStr, StringConstraints(max_length=120)]
Text200 = Annotated[StrictStr, StringConstraints(max_length=200)]
Text500 = Annotated[StrictStr, StringConstraints(max_length=500)]
Id = Text16  # P…, A…, H… ids and codes: the domain names a malformed one
Range = tuple[StrictInt, StrictInt]
Date = Annotated[StrictStr, StringConstraints(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]


class CreateAssetClassIn(Body):
    code: Id = Field(examples=["CQCER"])
    asset_kind: AssetKind
    unit: Text16 = Field(examples=["tCO2e"])
    name: Text120
    registry: Text8 = Field(examples=["QS"])


class RegisterPartyIn(Body):
    party_kind: PartyKind
    name: Text200
    identifier: Text32 | None = Field(
        default=None, description="USCC for an enterprise, administrative code for a district")


class OpenAccountIn(Body):
    party: Id = Field(examples=["P000002"])
    account_type: AccountType
    label: Text120 = ""


class AccountStatusIn(Body):
    status: AccountStatus
    reason: Text500


class IssueUnitsIn(Body):
    asset: Id
    project: Id = Field(examples=["CQFC0001"])
    vintage: StrictInt = Field(examples=[2023])
    monitoring_start: Date = Field(examples=["2023-01-01"])
    monitoring_end: Date = Field(examples=["2023-12-31"],
                                 description="not after the day of issuance (Beijing)")
    reference: Text500 = ""
    allocations: list[tuple[Id, StrictInt]] = Field(
        description="[account, quantity] pairs, e.g. the proponent's account and the buffer")


class TransferIn(Body):
    asset: Id
    source: Id
    destination: Id
    quantity: StrictInt | None = Field(default=None, description="units or fen; oldest first")
    ranges: list[Range] | None = Field(default=None, description="explicit [start, end] serials")
    memo: Text200 = ""


class RetireIn(Body):
    asset: Id
    account: Id
    quantity: StrictInt | None = None
    ranges: list[Range] | None = None
    purpose: RetirementPurpose
    beneficiary: Text200
    reason: Text500 = ""
    reference: Text120 = Field(default="", description="e.g. a court case number")
    retirement_account: Id | None = None


class CancelIn(Body):
    asset: Id
    account: Id
    quantity: StrictInt | None = None
    ranges: list[Range] | None = None
    reason: Text500
    destination: Text120 = Field(default="", description="e.g. CCER, when units move there")
    reference: Text120 = ""


class HoldIn(Body):
    hold_kind: HoldKind
    asset: Id
    account: Id
    quantity: StrictInt | None = None
    ranges: list[Range] | None = None
    controller: Id | None = Field(
        default=None, description="a pledge's bank, a judicial freeze's court (by default the "
                                  "court placing it), an escrow's beneficiary party")
    reference: Text120 = ""
    destination: Id | None = Field(
        default=None, description="the account it may be enforced into besides the "
                                  "controller's own (e.g. the account a judgment names)")


class ReleaseIn(Body):
    reason: Text500 = ""


class EnforceIn(Body):
    destination: Id
    quantity: StrictInt | None = None
    reason: Text500 = ""


class BatchCommandIn(Body):
    kind: str = Field(pattern=r"^[a-z_]{3,40}$", examples=["transfer", "retire_units"])
    payload: dict[str, Any]


class BatchIn(Body):
    commands: list[BatchCommandIn] = Field(min_length=1)


class ApiKeyIn(Body):
    role: Role
    party: Id | None = None
    label: Text120 = ""
    expires_in_days: StrictInt = Field(default=90, ge=1, le=1095,
                                       description="the key stops working after this many days")


class RevokeKeyIn(Body):
    reason: Text500 = ""


def payload(model: BaseModel, **extra: Any) -> dict[str, Any]:
    """The command payload: the body's fields that were sent, plus path parameters."""
    data = model.model_dump(mode="json", exclude_none=True)
    data.update(extra)
    return data
