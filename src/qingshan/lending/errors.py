"""The codes the lending book refuses with (docs/lending.md lists the rule behind each;
docs/api.md the code, its HTTP status and its meaning)."""

from __future__ import annotations

from qingshan.errors import Conflict, InvalidInput, NotFound


class UnknownLoan(NotFound):
    code = "unknown_loan"


class UnknownAppraisal(NotFound):
    code = "unknown_appraisal"


class UnknownCreditLine(NotFound):
    code = "unknown_credit_line"


class UnknownProject(NotFound):
    """No registered project of that id (the registry's)."""

    code = "unknown_project"


class NotForestry(InvalidInput):
    """Only a forestry project's expected carbon income is lent against."""

    code = "not_forestry"


class ProjectNotRegistered(Conflict):
    """The project is not (or no longer) registered: nothing to lend against."""

    code = "project_not_registered"


class TitleEncumbered(Conflict):
    """The project's units are already pledged, frozen or otherwise held, or the project has
    an active loan: the guide requires clear, unencumbered title."""

    code = "title_encumbered"


class StaleAppraisal(Conflict):
    """The appraisal is of another project or bank, or a later one exists, or it is older
    than the longest a bank may lend on (docs/lending.md)."""

    code = "stale_appraisal"


class AboveLoanToValue(Conflict):
    """The principal is above what the appraisal allows at the bank's loan-to-value ratio."""

    code = "above_loan_to_value"


class AboveCreditLine(Conflict):
    """The loan would take the credit line's outstanding principal above its limit, or the
    line is of another district or bank, or it has expired."""

    code = "above_credit_line"


class LoanState(Conflict):
    """The loan is not in a state that allows this step (repaying a repaid loan, enforcing
    one that is not in default)."""

    code = "wrong_loan_state"


class Overpayment(InvalidInput):
    """A repayment of more principal than is outstanding."""

    code = "overpayment"


class NotInDefault(Conflict):
    """Nothing the schedule asks of the loan is overdue: the pledge cannot be enforced."""

    code = "not_in_default"


class NoPrice(Conflict):
    """No price was given and the market has no trade of the project's asset to average."""

    code = "no_price"


class WrongInstrument(InvalidInput):
    """The instrument named to auction enforced units trades another asset."""

    code = "wrong_instrument"
