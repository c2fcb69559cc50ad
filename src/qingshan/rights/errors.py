"""The codes resource-rights trading refuses with (docs/rights.md lists the rule behind each;
docs/api.md the code, its HTTP status and its meaning)."""

from __future__ import annotations

from qingshan.errors import Conflict, Forbidden, InvalidInput, NotFound


class UnknownContract(NotFound):
    code = "unknown_contract"


class UnknownRestoration(NotFound):
    code = "unknown_restoration"


class NotADistrict(InvalidInput):
    """The party named is not a district or county government."""

    code = "not_a_district"


class NotForDistrict(Forbidden):
    """A district's principal acted for another district (only the district itself, the
    operator and, for measurements and checks, the forestry authority act for it)."""

    code = "not_for_district"


class DistrictSucceeded(InvalidInput):
    """The district was abolished and succeeded by another: its successor acts now."""

    code = "district_succeeded"


class NoMeasurement(InvalidInput):
    """No verified measurement of the district for this indicator: nothing to issue or sell
    against."""

    code = "no_measurement"


class AboveSurplus(Conflict):
    """More than the district's verified surplus above its target (issuing, or selling what it
    does not have spare)."""

    code = "above_surplus"


class BelowFloor(InvalidInput):
    """The unit price is under the operator's floor price for the indicator."""

    code = "below_floor"


class ContractState(Conflict):
    """The contract is not in a state that allows this step."""

    code = "wrong_contract_state"


class TrancheState(Conflict):
    """The tranche is not in a state that allows this step (checked already, not accepted)."""

    code = "wrong_tranche_state"


class TrancheReleased(Conflict):
    """The tranche was released already: a tranche is released once."""

    code = "tranche_released"


class RestorationState(Conflict):
    """The restoration project is not in a state that allows this step."""

    code = "wrong_restoration_state"


class ShareAboveCap(InvalidInput):
    """The development share asked is above the cap the rules allow (3 % of the area)."""

    code = "share_above_cap"


class IncomeReported(Conflict):
    """The year's income of this right was reported already."""

    code = "income_reported"
