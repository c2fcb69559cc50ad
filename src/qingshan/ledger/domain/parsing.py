"""Untrusted input becomes canonical values here: one text policy, dates, enums, codes, ids and
whole numbers. Pure (no I/O, no clock); every edge and every command parser uses it, so a value
is checked the same way at the HTTP edge, in a web form and when the journal is replayed.

The text policy (docs/api.md, "Text"):

* only Unicode scalar values: a lone UTF-16 surrogate (U+D800–U+DFFF, which JSON's ``\\ud800``
  escape can smuggle in) is refused;
* no control characters (Unicode category Cc: U+0000–U+001F, U+007F–U+009F, NUL included) and
  no bidirectional embedding, override or isolate controls (U+202A–U+202E, U+2066–U+2069),
  which make a name read differently from what it is; long text fields (descriptions,
  opinions, reasons of registry steps) may hold line feeds and tabs, and a carriage return
  there is read as a line feed (``\\r\\n`` and ``\\r`` become ``\\n``);
* normalised to Unicode NFC (composed form: ``e`` + U+0301 is stored as ``é``), so the same
  text is stored, hashed and compared as the same code points;
* stripped of leading and trailing white space;
* at most each field's number of characters (code points, counted after normalisation).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from enum import StrEnum
from typing import Any, Final, Literal, TypeVar

from qingshan.errors import (
    InvalidInput,
    InvalidNumber,
    InvalidText,
    MalformedIdentifier,
    PeriodNotEnded,
)
from qingshan.ledger.domain.model import ASSET_CODE_RE, check_id

E = TypeVar("E", bound=StrEnum)

NORMAL_FORM: Final[Literal["NFC"]] = "NFC"
MAX_TEXT = 500  # a short text field unless it says otherwise
MAX_LONG_TEXT = 4000  # descriptions and opinions
INT64_MAX = 2**63 - 1  # the largest id or count any column holds

_CONTROLS = "\x00-\x1f\x7f-\x9f"
_BIDI = "\u202a-\u202e\u2066-\u2069"
_SURROGATES = "\ud800-\udfff"
# characters refused anywhere in a short field, and in a long one (which keeps \t and \n)
_SHORT_BAD = re.compile(f"[{_CONTROLS}{_BIDI}{_SURROGATES}]")
_LONG_BAD = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}{_SURROGATES}]")
# what no text anywhere in a request may hold (long fields' line breaks may still be \r\n)
_ANY_BAD = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI}{_SURROGATES}]")
_LINE_BREAK = re.compile(r"\r\n?")


def _describe(ch: str) -> str:
    code = ord(ch)
    if 0xD800 <= code <= 0xDFFF:
        return f"a lone UTF-16 surrogate (U+{code:04X}), which is not a Unicode character"
    if code == 0:
        return "a NUL character (U+0000)"
    if unicodedata.category(ch) == "Cc":
        return f"the control character U+{code:04X}"
    return f"the bidirectional control U+{code:04X}"


def text_problem(value: str, *, long: bool = False) -> str | None:
    """What breaks the text policy's characters in ``value`` (None if nothing): the check the
    edge runs on every text of a request, before any field is known (``long=True`` then)."""
    bad = (_ANY_BAD if long else _SHORT_BAD).search(value)
    return None if bad is None else f"holds {_describe(bad.group())}"


def clean_text(value: object, field: str, *, max_len: int = MAX_TEXT, long: bool = False,
               required: bool = True) -> str:
    """``value`` as canonical text under the text policy, or :class:`InvalidText`."""
    if not isinstance(value, str):
        raise InvalidInput(f"{field} must be text", field=field)
    if long:
        value = _LINE_BREAK.sub("\n", value)
    bad = (_LONG_BAD if long else _SHORT_BAD).search(value)
    if bad is not None:
        raise InvalidText(f"{field} holds {_describe(bad.group())}", field=field,
                          position=bad.start())
    value = unicodedata.normalize(NORMAL_FORM, value).strip()
    if required and not value:
        raise InvalidInput(f"{field} must not be empty", field=field)
    if len(value) > max_len:
        raise InvalidText(f"{field} is longer than {max_len} characters", field=field,
                          limit=max_len, length=len(value))
    return value


def text(data: Mapping[str, Any], key: str, *, required: bool = True, max_len: int = MAX_TEXT,
         default: str = "") -> str:
    """A one-line text field: no line breaks or tabs."""
    value = data.get(key)
    if value is None:
        if required:
            raise InvalidInput(f"{key} is required", field=key)
        return default
    return clean_text(value, key, max_len=max_len, required=required)


def long_text(data: Mapping[str, Any], key: str, *, required: bool = True,
              max_len: int = MAX_LONG_TEXT, default: str = "") -> str:
    """A text field that may hold line feeds and tabs (a description, an opinion)."""
    value = data.get(key)
    if value is None:
        if required:
            raise InvalidInput(f"{key} is required", field=key)
        return default
    return clean_text(value, key, max_len=max_len, long=True, required=required)


def enum(data: Mapping[str, Any], key: str, kind: type[E]) -> E:
    value = data.get(key)
    try:
        if isinstance(value, str):
            return kind(value)
    except ValueError:
        pass
    allowed = ", ".join(m.value for m in kind)
    raise InvalidInput(f"{key} must be one of: {allowed}", field=key, value=str(value)[:64])


def asset_code(data: Mapping[str, Any], key: str = "asset", *,
               default: str | None = None) -> str:
    """An asset class code such as CQCER (2-10 capital letters or digits)."""
    value = data.get(key)
    if value is None and default is not None:
        return default
    if not isinstance(value, str) or not ASSET_CODE_RE.fullmatch(value):
        raise InvalidInput(f"{key} must be an asset class code such as CQCER", field=key,
                           value=str(value)[:64])
    return value


def identifier(data: Mapping[str, Any], key: str, prefix: str) -> str:
    """A ledger id with its prefix (P party, A account, H hold, R retirement)."""
    return check_id(prefix, data.get(key), key)


def matching(data: Mapping[str, Any], key: str, pattern: re.Pattern[str], example: str) -> str:
    """An identifier that must match ``pattern`` whole (e.g. a project id like CQ0001)."""
    value = data.get(key)
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise MalformedIdentifier(f"{key} must look like {example}", field=key,
                                  value=str(value)[:64])
    return value


def whole_number(data: Mapping[str, Any], key: str, lo: int, hi: int) -> int:
    """A JSON integer (never a boolean, a float or a string) from ``lo`` to ``hi``."""
    value = data.get(key)
    if type(value) is not int or not lo <= value <= hi:
        raise InvalidInput(f"{key} must be a whole number from {lo} to {hi}", field=key)
    return value


_DIGITS = re.compile(r"[0-9]{1,19}")


def digits(value: str, field: str) -> int | str:
    """A number typed into a web form: the digits 0-9 only (not ``²``, ``١٢`` or ``１２``,
    which Python's ``int`` would read), as an int; an empty field stays empty text, for the
    command's own check to name."""
    value = value.strip()
    if not value:
        return value
    if not _DIGITS.fullmatch(value) or int(value) > INT64_MAX:
        raise InvalidNumber(f"{field} must be a whole number written with the digits 0-9",
                            field=field, value=value[:64])
    return int(value)


# ------------------------------------------------------------------------------------- dates
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
EPOCH = dt.date(1970, 1, 1)


def date(data: Mapping[str, Any], key: str) -> str:
    """A calendar date, only as ``YYYY-MM-DD`` (Python's ``date.fromisoformat`` also reads
    ``20320101`` and ``2032-W10-1``; those are refused), kept in that one canonical form."""
    value = data.get(key)
    if value is None:
        raise InvalidInput(f"{key} is required", field=key)
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise InvalidInput(f"{key} must be a date written YYYY-MM-DD, like 2024-01-31",
                           field=key, value=str(value)[:64])
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{key} is not a real date", field=key, value=value) from None
    return value


def as_date(value: str) -> dt.date:
    """A stored date as a date, for comparing (rows written before dates were canonical may
    hold another ISO 8601 form; they compare by the day they name)."""
    return dt.date.fromisoformat(value)


def journal_day(now_ms: int) -> dt.date:
    """The day (in Beijing) of a journal time in Unix milliseconds."""
    return EPOCH + dt.timedelta(days=(now_ms // 1000 + 8 * 3600) // 86_400)


def check_period_ended(end: str, now_ms: int, field: str) -> None:
    """A monitoring period may not end after the day it is reported or issued on (the
    journal's day, so a replay decides as the first time did)."""
    today = journal_day(now_ms)
    if as_date(end) > today:
        raise PeriodNotEnded(f"{field} is after today ({today.isoformat()}): credits are for "
                             "a period that has ended", field=field, value=end,
                             today=today.isoformat())
