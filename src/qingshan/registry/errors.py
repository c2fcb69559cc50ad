"""The codes the registry's rules refuse with (docs/api.md lists each with its HTTP status
and meaning)."""

from __future__ import annotations

from qingshan.errors import Conflict, NotFound

# raised by the methodology when a report carries a fixed value; one of the registry's errors
from qingshan.registry.methodologies.base import FixedParameter as FixedParameter


class WrongState(Conflict):
    """The project, report or request is not in a state that allows this step."""

    code = "wrong_state"


class PeriodOverlap(Conflict):
    """A monitoring period overlaps another report of the project."""

    code = "period_overlap"


class OverIssuance(Conflict):
    """More units requested than verified and not yet requested."""

    code = "over_issuance"


class UnknownProject(NotFound):
    code = "unknown_project"


class UnknownReport(NotFound):
    code = "unknown_report"


class UnknownRequest(NotFound):
    code = "unknown_request"


class UnknownMethodology(NotFound):
    code = "unknown_methodology"


class MethodologySuperseded(Conflict):
    """The methodology version is kept only for entries journaled before registry rules 2; new
    projects, validations and reports use its successor (re-validate a project onto it)."""

    code = "methodology_superseded"


class NoGridFactor(Conflict):
    """No grid-factor row of the kind the methodology asks for is in force for the project's
    grid and the monitoring period's year."""

    code = "no_grid_factor"


class GreenCertificatesClaimed(Conflict):
    """The electricity of this period was already claimed as green certificates (GEC)."""

    code = "green_certificates_claimed"


class NoBuffer(Conflict):
    """The project's methodology keeps no buffer, so it has no reversals to report."""

    code = "no_buffer"


class OverReversal(Conflict):
    """A loss larger than what is left of the units issued for the project."""

    code = "over_reversal"


class LossExceedsCover(Conflict):
    """The buffer pool (and, for an avoidable loss, the proponent's units) cannot cover the
    loss: nothing was cancelled."""

    code = "loss_exceeds_cover"
