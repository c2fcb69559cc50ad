"""Request bodies as the API documents them (OpenAPI). The commands' bodies are derived from
their one definition (:mod:`qingshan.api.bodies`); only bodies that are not a command's
fields are written here (a batch, a new API key's request)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, TypeAlias

from pydantic import BaseModel, Field, StrictInt, StrictStr, StringConstraints

from qingshan.access.commands import RevokeApiKey
from qingshan.api.bodies import DATE_PATTERN, Body, object_model, payload, request_body
from qingshan.inclusive import commands as ic
from qingshan.inclusive.model import MAX_PERSON
from qingshan.inclusive.people import MAX_CONSENT
from qingshan.judicial import commands as j
from qingshan.ledger.domain import commands as c
from qingshan.ledger.domain.model import Role
from qingshan.lending import commands as ln
from qingshan.market import commands as m
from qingshan.registry import commands as r
from qingshan.registry.imports import ImportGreenCertificates, ImportGridFactors
from qingshan.rights import commands as rc

__all__ = ["payload"]

if TYPE_CHECKING:  # (derived at run time: to the type checker, any body)
    CreateAssetClassIn: TypeAlias = BaseModel
    RegisterPartyIn: TypeAlias = BaseModel
    OpenAccountIn: TypeAlias = BaseModel
    AccountStatusIn: TypeAlias = BaseModel
    IssueUnitsIn: TypeAlias = BaseModel
    TransferIn: TypeAlias = BaseModel
    RetireIn: TypeAlias = BaseModel
    CancelIn: TypeAlias = BaseModel
    HoldIn: TypeAlias = BaseModel
    ReleaseIn: TypeAlias = BaseModel
    EnforceIn: TypeAlias = BaseModel
    RevokeKeyIn: TypeAlias = BaseModel
    CreateInstrumentIn: TypeAlias = BaseModel
    ReferencePriceIn: TypeAlias = BaseModel
    InstrumentRulesIn: TypeAlias = BaseModel
    PhaseIn: TypeAlias = BaseModel
    PlaceOrderIn: TypeAlias = BaseModel
    AmendOrderIn: TypeAlias = BaseModel
    PickOrderIn: TypeAlias = BaseModel
    BlockTradeIn: TypeAlias = BaseModel
    AuctionIn: TypeAlias = BaseModel
    BidIn: TypeAlias = BaseModel
    ProjectIn: TypeAlias = BaseModel
    LossIn: TypeAlias = BaseModel
    TransitionIn: TypeAlias = BaseModel
    ValidationIn: TypeAlias = BaseModel
    RevalidationIn: TypeAlias = BaseModel
    ReportIn: TypeAlias = BaseModel
    VerificationIn: TypeAlias = BaseModel
    CaseIn: TypeAlias = BaseModel
    AmendCaseIn: TypeAlias = BaseModel
    PaymentIn: TypeAlias = BaseModel
    CasePurchaseIn: TypeAlias = BaseModel
    CloseCaseIn: TypeAlias = BaseModel
    OfferIn: TypeAlias = BaseModel
    IssuanceRequestIn: TypeAlias = BaseModel
    DecisionIn: TypeAlias = BaseModel
    DocumentIn: TypeAlias = BaseModel
    FloorIn: TypeAlias = BaseModel
    MeasurementIn: TypeAlias = BaseModel
    GrantIn: TypeAlias = BaseModel
    SuccessionIn: TypeAlias = BaseModel
    ContractIn: TypeAlias = BaseModel
    AgreeContractIn: TypeAlias = BaseModel
    TrancheCheckIn: TypeAlias = BaseModel
    RestorationIn: TypeAlias = BaseModel
    AcceptRestorationIn: TypeAlias = BaseModel
    RightTransferIn: TypeAlias = BaseModel
    IncomeIn: TypeAlias = BaseModel
    CreditLineIn: TypeAlias = BaseModel
    AppraisalIn: TypeAlias = BaseModel
    LoanIn: TypeAlias = BaseModel
    RepaymentIn: TypeAlias = BaseModel
    EnforcePledgeIn: TypeAlias = BaseModel
    InclusiveAccountsIn: TypeAlias = BaseModel
    PartnerIn: TypeAlias = BaseModel
    RewardIn: TypeAlias = BaseModel
    RedeemIn: TypeAlias = BaseModel
    DonateIn: TypeAlias = BaseModel
    ConsentIn: TypeAlias = BaseModel
else:
    CreateAssetClassIn = request_body(c.CreateAssetClass, "CreateAssetClassIn")
    RegisterPartyIn = request_body(c.RegisterParty, "RegisterPartyIn")
    OpenAccountIn = request_body(c.OpenAccount, "OpenAccountIn")
    AccountStatusIn = request_body(c.SetAccountStatus, "AccountStatusIn", path=("account",))
    IssueUnitsIn = request_body(c.IssueUnits, "IssueUnitsIn")
    TransferIn = request_body(c.Transfer, "TransferIn")
    RetireIn = request_body(c.RetireUnits, "RetireIn")
    CancelIn = request_body(c.CancelUnits, "CancelIn")
    HoldIn = request_body(c.PlaceHold, "HoldIn")
    ReleaseIn = request_body(c.ReleaseHold, "ReleaseIn", path=("hold",))
    EnforceIn = request_body(c.EnforceHold, "EnforceIn", path=("hold",))
    RevokeKeyIn = request_body(RevokeApiKey, "RevokeKeyIn", path=("key",))
    CreateInstrumentIn = request_body(m.CreateInstrument, "CreateInstrumentIn")
    ReferencePriceIn = request_body(m.SetReferencePrice, "ReferencePriceIn", path=("instrument",))
    InstrumentRulesIn = request_body(m.SetInstrumentRules, "InstrumentRulesIn",
                                     path=("instrument",))
    PhaseIn = request_body(m.SetPhase, "PhaseIn", path=("instrument",))
    PlaceOrderIn = request_body(m.PlaceOrder, "PlaceOrderIn")
    AmendOrderIn = request_body(m.AmendOrder, "AmendOrderIn", path=("order",))
    PickOrderIn = request_body(m.PickOrder, "PickOrderIn", path=("order",))
    BlockTradeIn = request_body(m.ProposeBlockTrade, "BlockTradeIn")
    AuctionIn = request_body(m.StartAuction, "AuctionIn")
    BidIn = request_body(m.BidAuction, "BidIn", path=("auction",))
    ProjectIn = request_body(r.CreateProject, "ProjectIn")
    LossIn = request_body(r.ReportLoss, "LossIn", path=("project",))
    TransitionIn = request_body(r.SubmitProject, "TransitionIn", path=("project",))
    ValidationIn = request_body(r.ValidateProject, "ValidationIn", path=("project",))
    RevalidationIn = request_body(r.RevalidateProject, "RevalidationIn", path=("project",))
    ReportIn = request_body(r.SubmitMonitoringReport, "ReportIn")
    VerificationIn = request_body(r.VerifyMonitoringReport, "VerificationIn", path=("report",))
    IssuanceRequestIn = request_body(r.RequestIssuance, "IssuanceRequestIn")
    DecisionIn = request_body(r.DecideIssuance, "DecisionIn", path=("request",))
    DocumentIn = object_model(r.DOCUMENT, "DocumentIn")
    CaseIn = request_body(j.CreateCase, "CaseIn")
    AmendCaseIn = request_body(j.AmendCase, "AmendCaseIn", path=("case",))
    PaymentIn = request_body(j.RecordPayment, "PaymentIn", path=("case",))
    CasePurchaseIn = request_body(j.PurchaseForCase, "CasePurchaseIn", path=("case",))
    CloseCaseIn = request_body(j.CloseCase, "CloseCaseIn", path=("case",))
    OfferIn = request_body(j.OfferToCase, "OfferIn", path=("case",))
    FloorIn = request_body(rc.SetIndicatorFloor, "FloorIn")
    MeasurementIn = request_body(rc.RecordMeasurement, "MeasurementIn")
    GrantIn = request_body(rc.IssueIndicators, "GrantIn")
    SuccessionIn = request_body(rc.RecordSuccession, "SuccessionIn")
    ContractIn = request_body(rc.ProposeContract, "ContractIn")
    AgreeContractIn = request_body(rc.AgreeContract, "AgreeContractIn", path=("contract",))
    TrancheCheckIn = request_body(rc.RecordTrancheCheck, "TrancheCheckIn",
                                  path=("contract", "tranche"))
    RestorationIn = request_body(rc.RegisterRestoration, "RestorationIn")
    AcceptRestorationIn = request_body(rc.AcceptRestoration, "AcceptRestorationIn",
                                       path=("restoration",))
    RightTransferIn = request_body(rc.TransferDevelopmentRight, "RightTransferIn",
                                   path=("restoration",))
    IncomeIn = request_body(rc.ReportIncome, "IncomeIn", path=("restoration",))
    CreditLineIn = request_body(ln.OpenCreditLine, "CreditLineIn")
    AppraisalIn = request_body(ln.AppraiseCollateral, "AppraisalIn")
    LoanIn = request_body(ln.GrantLoan, "LoanIn")
    RepaymentIn = request_body(ln.RecordRepayment, "RepaymentIn", path=("loan",))
    EnforcePledgeIn = request_body(ln.EnforcePledge, "EnforcePledgeIn", path=("loan",))
    InclusiveAccountsIn = request_body(ic.SetInclusiveAccounts, "InclusiveAccountsIn")
    PartnerIn = request_body(ic.RegisterPartner, "PartnerIn")
    RewardIn = request_body(ic.AddReward, "RewardIn")
    RedeemIn = request_body(ic.RedeemPoints, "RedeemIn", path=("person",))
    DonateIn = request_body(ic.DonatePoints, "DonateIn", path=("person",))
    ConsentIn = request_body(ic.SetConsent, "ConsentIn", path=("person",))
GridFactorsIn = request_body(ImportGridFactors, "GridFactorsIn")
GreenCertificatesIn = request_body(ImportGreenCertificates, "GreenCertificatesIn")


class BatchCommandIn(Body):
    kind: str = Field(pattern=r"^[a-z_]{3,40}$", examples=["transfer", "retire_units"])
    payload: dict[str, Any] = Field(description="the command's fields, as its route's body "
                                                "takes them (and its path parameters)")


class BatchIn(Body):
    commands: list[BatchCommandIn] = Field(min_length=1)


Id = Annotated[StrictStr, StringConstraints(max_length=16)]
Text120 = Annotated[StrictStr, StringConstraints(max_length=120)]


class ApiKeyIn(Body):
    """A request to mint a key (its id and expiry in Unix ms are the platform's: this body
    is not CreateApiKey's fields)."""

    role: Role
    party: Id | None = None
    label: Text120 = ""
    expires_in_days: StrictInt = Field(default=90, ge=1, le=1095,
                                       description="the key stops working after this many days")




MAX_ENROL = 10_000  # people in one request (a bigger list: `qingshan inclusive enrol FILE`)


class PersonIn(Body):
    person: StrictInt = Field(ge=1, le=MAX_PERSON, description="the account number")
    district: Annotated[StrictStr, StringConstraints(pattern=r"^[0-9]{6}$")] = Field(
        description="the district's administrative code", examples=["500103"])
    consent: StrictInt = Field(ge=0, le=MAX_CONSENT, description="one bit per partner's slot "
                                                                 "the person has authorised")
    enrolled: Annotated[StrictStr, StringConstraints(pattern=DATE_PATTERN)] = Field(
        examples=["2026-01-01"])


class PeopleIn(Body):
    """People to enrol in carbon-inclusive accounts; someone already enrolled keeps their
    row."""

    people: list[PersonIn] = Field(min_length=1, max_length=MAX_ENROL)
