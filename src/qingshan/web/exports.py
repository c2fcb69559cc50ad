"""CSV that a spreadsheet opens as data: a text cell that starts with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return would be read as a formula (CSV injection, e.g.
``=HYPERLINK(…)`` in a retirement's beneficiary), so it gets a leading apostrophe, as OWASP
recommends; numbers stay numbers. The pages' script does the same for the tables it exports
(``spreadsheetSafe`` in ``static/qingshan.js``)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def spreadsheet_safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _NUMBER.match(value):
        return "'" + value
    return value


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with a byte-order mark (spreadsheet programs then read Chinese correctly)."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows([spreadsheet_safe(v) for v in row] for row in rows)
    return buf.getvalue().encode("utf-8-sig")
