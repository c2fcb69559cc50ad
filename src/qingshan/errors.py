"""One error tree for the whole platform, with stable machine-readable codes.

Every error a use-case can raise is a subclass of :class:`QingshanError`. Each class carries
a stable ``code`` (part of the public API: never rename one) and the HTTP ``status`` the API
edge uses; the CLI edge maps every one of them to exit code 2. Errors carry their fields in
``data`` so clients never have to parse messages.

    QingshanError                      400 error
    ├── InvalidInput                   422 invalid_input
    │   ├── InvalidText                422 invalid_text         (breaks the text policy)
    │   ├── InvalidNumber              422 invalid_number       (a form number not in 0-9)
    │   ├── PeriodNotEnded             422 period_not_ended
    │   ├── RequestTooLarge            413 request_too_large
    │   ├── MalformedIdentifier        422 malformed_identifier
    │   ├── MalformedSerial            422 malformed_serial
    │   ├── InvalidQuantity            422 invalid_quantity
    │   ├── BatchTooLarge              413 batch_too_large
    │   └── BatchRejected              422 batch_rejected       (carries every error of a batch)
    ├── Unauthenticated                401 unauthenticated
    ├── Forbidden                      403 forbidden
    │   └── NotAccountOwner            403 not_account_owner
    ├── NotFound                       404 not_found
    │   ├── UnknownParty               404 unknown_party
    │   ├── UnknownAccount             404 unknown_account
    │   ├── UnknownAssetClass          404 unknown_asset_class
    │   ├── UnknownIssuance            404 unknown_issuance
    │   ├── UnknownHold                404 unknown_hold
    │   ├── UnknownSerial              404 unknown_serial
    │   └── UnknownEntry               404 unknown_entry
    ├── Conflict                       409 conflict
    │   ├── AlreadyExists              409 already_exists
    │   ├── IdempotencyConflict        409 idempotency_conflict
    │   ├── AccountNotOpen             409 account_not_open
    │   ├── WrongAccountType           409 wrong_account_type
    │   ├── AssetMismatch              409 asset_mismatch
    │   ├── InsufficientUnits          409 insufficient_units
    │   ├── InsufficientFunds          409 insufficient_funds
    │   ├── SerialsNotAvailable        409 serials_not_available
    │   ├── SerialOverlap              409 serial_overlap
    │   ├── HoldNotActive              409 hold_not_active
    │   └── AccountNotEmpty            409 account_not_empty
    ├── InternalError                  500 internal_error
    └── Unavailable                    503 unavailable
        └── NotLeader                  503 not_leader
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar


class QingshanError(Exception):
    """Root of every error the platform raises on purpose."""

    code: ClassVar[str] = "error"
    status: ClassVar[int] = 400

    def __init__(self, message: str, **data: Any) -> None:
        super().__init__(message)
        self.message = message
        self.data: dict[str, Any] = dict(data)

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.data:
            body["data"] = self.data
        return body

    def __reduce__(self) -> tuple[Any, ...]:  # keep errors picklable across processes
        return (_rebuild, (type(self), self.message, self.data))


def _rebuild(cls: type[QingshanError], message: str, data: Mapping[str, Any]) -> QingshanError:
    return cls(message, **data)


class InvalidInput(QingshanError):
    """The request itself is wrong: fix the input and send it again."""

    code = "invalid_input"
    status = 422


class InvalidText(InvalidInput):
    """A text value breaks the text policy (qingshan.ledger.domain.parsing): a lone
    surrogate, a control character, or more characters than its field takes."""

    code = "invalid_text"


class InvalidNumber(InvalidInput):
    """A number typed into a form with other characters than the digits 0-9."""

    code = "invalid_number"


class PeriodNotEnded(InvalidInput):
    """A monitoring period ends after the day it is reported or issued on."""

    code = "period_not_ended"


class RequestTooLarge(InvalidInput):
    """The request's body is larger than the platform accepts (QINGSHAN_MAX_REQUEST_BYTES)."""

    code = "request_too_large"
    status = 413


class MalformedIdentifier(InvalidInput):
    """An identifier (credit code, administrative code, account id) does not parse."""

    code = "malformed_identifier"


class MalformedSerial(InvalidInput):
    """A serial number does not follow the documented format (docs/serials.md)."""

    code = "malformed_serial"


class InvalidQuantity(InvalidInput):
    """A quantity is zero, negative, not an integer, or out of range."""

    code = "invalid_quantity"


class BatchTooLarge(InvalidInput):
    """A batch holds more commands than the platform accepts in one request."""

    code = "batch_too_large"
    status = 413


class BatchRejected(InvalidInput):
    """At least one command of an all-or-nothing batch failed; ``data.errors`` lists them all."""

    code = "batch_rejected"


class Unauthenticated(QingshanError):
    """No credentials, or credentials that match no active API key."""

    code = "unauthenticated"
    status = 401


class Forbidden(QingshanError):
    """The principal is known but its role does not allow this."""

    code = "forbidden"
    status = 403


class NotAccountOwner(Forbidden):
    """A member tried to act on, or read, an account of another party."""

    code = "not_account_owner"


class NotFound(QingshanError):
    code = "not_found"
    status = 404


class UnknownParty(NotFound):
    code = "unknown_party"


class UnknownAccount(NotFound):
    code = "unknown_account"


class UnknownAssetClass(NotFound):
    code = "unknown_asset_class"


class UnknownIssuance(NotFound):
    code = "unknown_issuance"


class UnknownHold(NotFound):
    code = "unknown_hold"


class UnknownSerial(NotFound):
    code = "unknown_serial"


class UnknownEntry(NotFound):
    code = "unknown_entry"


class Conflict(QingshanError):
    """The request is well formed but the ledger's state does not allow it."""

    code = "conflict"
    status = 409


class AlreadyExists(Conflict):
    code = "already_exists"


class IdempotencyConflict(Conflict):
    """The idempotency key was used before with a different request."""

    code = "idempotency_conflict"


class AccountNotOpen(Conflict):
    """The account is frozen or closed."""

    code = "account_not_open"


class WrongAccountType(Conflict):
    code = "wrong_account_type"


class AssetMismatch(Conflict):
    """Serialized operation on a fungible asset, or the other way round."""

    code = "asset_mismatch"


class InsufficientUnits(Conflict):
    """The account holds fewer live, unheld units than requested."""

    code = "insufficient_units"


class InsufficientFunds(Conflict):
    """The account's available balance (balance minus holds) is below the amount."""

    code = "insufficient_funds"


class SerialsNotAvailable(Conflict):
    """Named serials are not all active in the source account (held, retired, elsewhere)."""

    code = "serials_not_available"


class SerialOverlap(Conflict):
    """Serial ranges in one request overlap each other."""

    code = "serial_overlap"


class HoldNotActive(Conflict):
    """The hold was already released or enforced: a hold resolves exactly once."""

    code = "hold_not_active"


class AccountNotEmpty(Conflict):
    code = "account_not_empty"


class InternalError(QingshanError):
    """A defect: the platform failed while applying a command. Nothing was applied."""

    code = "internal_error"
    status = 500


class Unavailable(QingshanError):
    code = "unavailable"
    status = 503


class NotLeader(Unavailable):
    """This instance is a standby: another sequencer holds the write lock."""

    code = "not_leader"


def all_error_classes() -> list[type[QingshanError]]:
    """Every error class, root first (used by docs tests to keep docs/api.md complete)."""
    seen: list[type[QingshanError]] = []
    stack: list[type[QingshanError]] = [QingshanError]
    while stack:
        cls = stack.pop(0)
        seen.append(cls)
        stack.extend(cls.__subclasses__())
    return seen
