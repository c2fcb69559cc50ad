"""Request bodies as the API documents them (OpenAPI). They check shapes and JSON types
strictly; the domain's ``Command.from_payload`` then checks meaning (ids, ranges, codes)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

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


Range = tuple[StrictInt, StrictInt]


class CreateAssetClassIn(Body):
    code: StrictStr = Field(examples=["CQCER"])
    asset_kind: AssetKind
    unit: StrictStr = Field(examples=["tCO2e"])
    name: StrictStr
    registry: StrictStr = Field(examples=["QS"])


class RegisterPartyIn(Body):
    party_kind: PartyKind
    name: StrictStr
    identifier: StrictStr | None = Field(
        default=None, description="USCC for an enterprise, administrative code for a district")


class OpenAccountIn(Body):
    party: StrictStr = Field(examples=["P000002"])
    account_type: AccountType
    label: StrictStr = ""


class AccountStatusIn(Body):
    status: AccountStatus
    reason: StrictStr


class IssueUnitsIn(Body):
    asset: StrictStr
    project: StrictStr = Field(examples=["CQFC0001"])
    vintage: StrictInt = Field(examples=[2023])
    monitoring_start: StrictStr = Field(examples=["2023-01-01"])
    monitoring_end: StrictStr = Field(examples=["2023-12-31"])
    reference: StrictStr = ""
    allocations: list[tuple[StrictStr, StrictInt]] = Field(
        description="[account, quantity] pairs, e.g. the proponent's account and the buffer")


class TransferIn(Body):
    asset: StrictStr
    source: StrictStr
    destination: StrictStr
    quantity: StrictInt | None = Field(default=None, description="units or fen; oldest first")
    ranges: list[Range] | None = Field(default=None, description="explicit [start, end] serials")
    memo: StrictStr = ""


class RetireIn(Body):
    asset: StrictStr
    account: StrictStr
    quantity: StrictInt | None = None
    ranges: list[Range] | None = None
    purpose: RetirementPurpose
    beneficiary: StrictStr
    reason: StrictStr = ""
    reference: StrictStr = Field(default="", description="e.g. a court case number")
    retirement_account: StrictStr | None = None


class CancelIn(Body):
    asset: StrictStr
    account: StrictStr
    quantity: StrictInt | None = None
    ranges: list[Range] | None = None
    reason: StrictStr
    destination: StrictStr = Field(default="", description="e.g. CCER, when units move there")
    reference: StrictStr = ""


class HoldIn(Body):
    hold_kind: HoldKind
    asset: StrictStr
    account: StrictStr
    quantity: StrictInt | None = None
    ranges: list[Range] | None = None
    controller: StrictStr | None = Field(
        default=None, description="a pledge's bank, a judicial freeze's court (by default the "
                                  "court placing it), an escrow's beneficiary party")
    reference: StrictStr = ""
    destination: StrictStr | None = Field(
        default=None, description="the account it may be enforced into besides the "
                                  "controller's own (e.g. the account a judgment names)")


class ReleaseIn(Body):
    reason: StrictStr = ""


class EnforceIn(Body):
    destination: StrictStr
    quantity: StrictInt | None = None
    reason: StrictStr = ""


class BatchCommandIn(Body):
    kind: str = Field(pattern=r"^[a-z_]{3,40}$", examples=["transfer", "retire_units"])
    payload: dict[str, Any]


class BatchIn(Body):
    commands: list[BatchCommandIn] = Field(min_length=1)


class ApiKeyIn(Body):
    role: Role
    party: StrictStr | None = None
    label: StrictStr = ""
    expires_in_days: StrictInt = Field(default=90, ge=1, le=1095,
                                       description="the key stops working after this many days")


class RevokeKeyIn(Body):
    reason: StrictStr = ""


def payload(model: BaseModel, **extra: Any) -> dict[str, Any]:
    """The command payload: the body's fields that were sent, plus path parameters."""
    data = model.model_dump(mode="json", exclude_none=True)
    data.update(extra)
    return data
