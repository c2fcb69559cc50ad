"""Human-readable serial numbers of serialized units (docs/serials.md has the full rationale).

A serial number names a contiguous block of units of one issuance::

    QS-CQCER-CQ0012-2023-000045-000000001001-000000002000
    │  │     │      │    │      │            └─ last unit serial  (12+ digits, zero padded)
    │  │     │      │    │      └────────────── first unit serial (12+ digits, zero padded)
    │  │     │      │    └───────────────────── issuance number   (6+ digits, zero padded)
    │  │     │      └────────────────────────── vintage year      (4 digits)
    │  │     └───────────────────────────────── project code      (2-16 of A-Z 0-9)
    │  └─────────────────────────────────────── asset class code  (letter + 1-9 of A-Z 0-9)
    └────────────────────────────────────────── registry code     (letter + 1-7 of A-Z 0-9)

Unit serials are global per asset class, integers from 1 to ``MAX_QUANTITY``; ``start ≤ end``.
A single unit is the block with ``start == end``; :func:`parse_serial` also accepts the short
six-field form ``QS-CQCER-CQ0012-2023-000045-000000001500`` for it, and :meth:`format` always
writes the seven-field form, so every serial number has exactly one canonical spelling.

Parsing normalises: surrounding whitespace is stripped and letters are upper-cased. Anything
else that is not canonical (other separators, inner spaces, extra or missing zero padding) is
refused with :class:`~qingshan.errors.MalformedSerial` whose ``data`` carries the ``value``,
a stable ``reason`` and, where it applies, the ``field`` at fault.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, NoReturn

from qingshan.errors import MalformedSerial
from qingshan.ledger.domain.model import MAX_QUANTITY

__all__ = [
    "ISSUANCE_WIDTH",
    "MAX_SERIAL",
    "SERIAL_WIDTH",
    "SerialNumber",
    "parse_serial",
]

SEPARATOR = "-"
ISSUANCE_WIDTH = 6
SERIAL_WIDTH = 12
MAX_SERIAL = MAX_QUANTITY  # 10**15: fits the BIGINT serial columns with room for sums
MAX_ISSUANCE = MAX_QUANTITY
MAX_TEXT = 128  # the longest canonical serial number has 92 characters

_REGISTRY_RE = re.compile(r"[A-Z][A-Z0-9]{1,7}")
_ASSET_RE = re.compile(r"[A-Z][A-Z0-9]{1,9}")  # same as model.ASSET_CODE_RE
_PROJECT_RE = re.compile(r"[A-Z0-9]{2,16}")  # same as model.PROJECT_CODE_RE
_DIGITS_RE = re.compile(r"[0-9]+")

_FIELDS = ("registry", "asset", "project", "vintage", "issuance", "start", "end")


def _fail(value: object, reason: str, message: str, **extra: Any) -> NoReturn:
    raise MalformedSerial(message, value=str(value)[:MAX_TEXT], reason=reason, **extra)


def _check_code(value: object, field: str, pattern: re.Pattern[str], rule: str,
                raw: object) -> str:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        _fail(raw, f"bad_{field}", f"{field} code {value!r} must be {rule}", field=field)
    return value


def _check_int(value: object, field: str, low: int, high: int, raw: object) -> int:
    if type(value) is not int:
        _fail(raw, f"bad_{'serial' if field in ('start', 'end') else field}",
              f"{field} must be a whole number, not {type(value).__name__}", field=field)
    if not low <= value <= high:
        reason = "zero_serial" if field in ("start", "end") and value == 0 else (
            f"bad_{'serial' if field in ('start', 'end') else field}")
        _fail(raw, reason, f"{field} must be from {low} to {high}, got {value}", field=field)
    return value


@dataclass(frozen=True, slots=True)
class SerialNumber:
    """A block ``[start, end]`` of unit serials of one issuance, with its provenance.

    The constructor validates every field (codes must already be upper-case); use
    :func:`parse_serial` to read text. Raises :class:`MalformedSerial`.
    """

    registry: str
    asset: str
    project: str
    vintage: int
    issuance: int
    start: int
    end: int

    def __post_init__(self) -> None:
        raw = (f"{self.registry}-{self.asset}-{self.project}-{self.vintage}-{self.issuance}-"
               f"{self.start}-{self.end}")
        _check_code(self.registry, "registry", _REGISTRY_RE,
                    "2-8 upper-case letters or digits starting with a letter", raw)
        _check_code(self.asset, "asset", _ASSET_RE,
                    "2-10 upper-case letters or digits starting with a letter", raw)
        _check_code(self.project, "project", _PROJECT_RE, "2-16 upper-case letters or digits",
                    raw)
        _check_int(self.vintage, "vintage", 1000, 9999, raw)
        _check_int(self.issuance, "issuance", 1, MAX_ISSUANCE, raw)
        _check_int(self.start, "start", 1, MAX_SERIAL, raw)
        _check_int(self.end, "end", 1, MAX_SERIAL, raw)
        if self.start > self.end:
            _fail(raw, "start_after_end",
                  f"first serial {self.start} is after last serial {self.end}",
                  start=self.start, end=self.end)

    # -----------------------------------------------------------------------------------------

    @property
    def quantity(self) -> int:
        """Number of units in the block (``end - start + 1``)."""
        return self.end - self.start + 1

    @property
    def is_single(self) -> bool:
        return self.start == self.end

    def contains(self, serial: int) -> bool:
        return self.start <= serial <= self.end

    def single_unit(self, n: int) -> SerialNumber:
        """The serial number of unit ``n`` of this block (``start ≤ n ≤ end``)."""
        if type(n) is not int or not self.contains(n):
            _fail(self.format(), "outside_block",
                  f"unit {n!r} is not in the block {self.start}-{self.end}",
                  serial=str(n)[:32], start=self.start, end=self.end)
        return SerialNumber(self.registry, self.asset, self.project, self.vintage,
                            self.issuance, n, n)

    def format(self) -> str:
        """The canonical seven-field text (also for a single unit)."""
        return SEPARATOR.join((
            self.registry, self.asset, self.project, f"{self.vintage:04d}",
            f"{self.issuance:0{ISSUANCE_WIDTH}d}",
            f"{self.start:0{SERIAL_WIDTH}d}", f"{self.end:0{SERIAL_WIDTH}d}",
        ))

    def __str__(self) -> str:
        return self.format()


# ---------------------------------------------------------------------------------------------


def _number(raw: str, text: str, field: str, width: int, high: int) -> int:
    reason = "bad_serial" if field in ("start", "end") else f"bad_{field}"
    if not _DIGITS_RE.fullmatch(text):
        _fail(raw, reason, f"{field} {text!r} must contain only the digits 0-9", field=field)
    if len(text) < width:
        _fail(raw, reason, f"{field} {text!r} must be zero-padded to {width} digits",
              field=field)
    value = int(text)  # at most MAX_TEXT digits: far below int()'s conversion limit
    if text != f"{value:0{width}d}":
        _fail(raw, reason,
              f"{field} {text!r} has extra leading zeros: pad to exactly {width} digits, "
              "longer only when the number needs it", field=field)
    if value == 0:
        _fail(raw, "zero_serial" if field in ("start", "end") else reason,
              f"{field} must be at least 1", field=field)
    if value > high:
        _fail(raw, reason, f"{field} {value} is too large (at most {high})", field=field)
    return value


def parse_serial(text: str) -> SerialNumber:
    """Read a serial number (seven fields, or six for a single unit) into a SerialNumber.

    Strips surrounding whitespace and upper-cases letters; everything else must be canonical.
    Reasons: ``not_a_string``, ``too_long``, ``bad_character``, ``wrong_field_count``,
    ``empty_field``, ``bad_registry``, ``bad_asset``, ``bad_project``, ``bad_vintage``,
    ``bad_issuance``, ``bad_serial``, ``zero_serial``, ``start_after_end``.
    """
    if not isinstance(text, str):
        _fail(text, "not_a_string", f"a serial number must be text, not {type(text).__name__}")
    s = text.strip()
    if len(s) > MAX_TEXT:
        _fail(text, "too_long", f"a serial number has at most {MAX_TEXT} characters, "
              f"got {len(s)}", length=len(s))
    for pos, ch in enumerate(s, start=1):
        if not (ch.isascii() and (ch.isalnum() or ch == SEPARATOR)):
            _fail(text, "bad_character",
                  f"character {pos} ({ch!r}) is not allowed: use A-Z, 0-9 and '-' only",
                  position=pos)
    s = s.upper()
    parts = s.split(SEPARATOR)
    if len(parts) not in (6, 7):
        _fail(text, "wrong_field_count",
              f"a serial number has 7 fields (6 for a single unit) separated by '-', "
              f"got {len(parts)}", fields=len(parts))
    for i, part in enumerate(parts):
        if not part:
            _fail(text, "empty_field", f"field {i + 1} ({_FIELDS[min(i, 6)]}) is empty",
                  field=_FIELDS[min(i, 6)])
    registry, asset, project, vintage_text, issuance_text = parts[:5]
    start_text = parts[5]
    end_text = parts[6] if len(parts) == 7 else parts[5]
    _check_code(registry, "registry", _REGISTRY_RE,
                "2-8 letters or digits starting with a letter", text)
    _check_code(asset, "asset", _ASSET_RE, "2-10 letters or digits starting with a letter", text)
    _check_code(project, "project", _PROJECT_RE, "2-16 letters or digits", text)
    if not re.fullmatch(r"[1-9][0-9]{3}", vintage_text):
        _fail(text, "bad_vintage", f"vintage {vintage_text!r} must be a four-digit year",
              field="vintage")
    issuance = _number(text, issuance_text, "issuance", ISSUANCE_WIDTH, MAX_ISSUANCE)
    start = _number(text, start_text, "start", SERIAL_WIDTH, MAX_SERIAL)
    end = _number(text, end_text, "end", SERIAL_WIDTH, MAX_SERIAL)
    if start > end:
        _fail(text, "start_after_end", f"first serial {start} is after last serial {end}",
              start=start, end=end)
    return SerialNumber(registry, asset, project, int(vintage_text), issuance, start, end)
