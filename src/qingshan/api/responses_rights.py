"""Response bodies of resource rights' routes (OpenAPI), as ``qingshan.rights.queries``
returns them. Contracts and restorations are rows of their tables (``row_model``) with the
computed fields the queries add."""

from __future__ import annotations

from typing import Any

from pydantic import create_model

from qingshan.api.responses import Out, row_model
from qingshan.api.responses_contexts import many
from qingshan.infra import schema as t


class Standing(Out):
    """A district's standing in a year: its verified amount, what it bought and sold through
    released tranches by the end of the year, its coverage without and with them (basis
    points) and whether it is short of its target, meets it or has surplus."""

    district: str
    name: str
    code: str | None
    year: int
    amount: int
    basis: int
    target_bps: int
    duty: int
    bought: int
    sold: int
    effective: int
    own_bps: int
    with_trades_bps: int
    status: str


class StandingCounts(Out):
    short: int
    met: int
    surplus: int


class SuccessionOut(Out):
    predecessor: str
    successor: str
    predecessor_name: str | None
    successor_name: str | None
    effective: str
    note: str


class Standings(Out):
    indicator: str
    unit: str
    name_zh: str
    name_en: str
    year: int | None  # the latest measured when none is asked; null when nothing is
    years: list[int]
    districts: list[Standing]
    counts: StandingCounts
    successions: list[SuccessionOut]


class TrancheOut(Out):
    n: int
    quantity: int
    due: str
    status: str
    checked_on: str
    report: str
    released_on: str


class RightsEvent(Out):
    seq: int
    kind: str
    note: str


_CONTRACT_ADDED: dict[str, Any] = {
    "value": int, "released": int, "withheld": int, "seller_name": str, "buyer_name": str,
    "signed_seller_name": str, "signed_buyer_name": str}
Contract = row_model(
    "RightsContract", t.rights_contracts, types={"tranches": list[TrancheOut]},
    add=_CONTRACT_ADDED,
    doc="A contract between districts; ``seller_account`` and ``buyer_account`` are "
        "``private`` except to its parties, the operator, the forestry authority and "
        "auditors.")
ContractDetail = row_model(
    "RightsContractDetail", t.rights_contracts, types={"tranches": list[TrancheOut]},
    add={**_CONTRACT_ADDED, "history": list[RightsEvent]},
    doc="A contract with its history (accounts as in a list of contracts).")


class SucceededBy(Out):
    successor: str
    effective: str
    note: str


class GrantOut(Out):
    id: str
    indicator: str
    year: int
    quantity: int


District = create_model(
    "RightsDistrict", __base__=Out,
    __doc__="A district's record: its standing each year for each indicator measured, the "
            "indicators granted to it, its contracts (accounts as in a list of contracts), "
            "its succession and its history.",
    district=(str, ...), name=(str, ...), code=(str | None, ...),
    standings=(dict[str, list[Standing]], ...), succeeded_by=(SucceededBy | None, ...),
    predecessors=(list[str], ...), grants=(list[GrantOut], ...),
    contracts=(many(Contract), ...), history=(list[RightsEvent], ...))


class PricePoint(Out):
    contract: str
    signed_on: str
    quantity: int
    unit_price: int
    seller: str | None
    buyer: str | None
    status: str


class RightTransferOut(Out):
    id: str
    seq: int
    party: str
    party_name: str
    quantity: int
    use: str
    day: str


class IncomeOut(Out):
    year: int
    amount: int
    note: str


_RESTORATION_ADDED: dict[str, Any] = {"district_name": str, "restorer_name": str}
Restoration = row_model("Restoration", t.rights_restorations, drop=("account",),
                        add=_RESTORATION_ADDED,
                        doc="A restoration project and the development right it earned.")
RestorationDetail = row_model(
    "RestorationDetail", t.rights_restorations, drop=("account",),
    add={**_RESTORATION_ADDED, "transfers": list[RightTransferOut],
         "incomes": list[IncomeOut], "history": list[RightsEvent]},
    doc="A restoration project with its right's transfers, the incomes reported and its "
        "history.")
