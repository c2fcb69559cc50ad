"""The text policy and the canonical forms of qingshan.ledger.domain.parsing, and that every
command parser applies them (defence in depth behind the HTTP edge)."""

from __future__ import annotations

import dataclasses
import unicodedata
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qingshan.contexts import make_books
from qingshan.errors import InvalidInput, InvalidNumber, InvalidText, PeriodNotEnded
from qingshan.ledger.books import catalog
from qingshan.ledger.domain import parsing
from qingshan.ledger.domain.commands import IssueUnits, command_from_payload
from qingshan.registry.commands import SubmitMonitoringReport
from tests.support.book import ALICE, NOW_MS, issue, make_book
from tests.unit.test_command_round_trip import EXAMPLES

POISON = {"a lone surrogate": "ab\ud800cd", "a NUL": "ab\x00cd", "a control": "ab\x1bcd",
          "a C1 control": "ab\x85cd", "a bidi override": "ab\u202ecd"}


@pytest.mark.parametrize("value", POISON.values(), ids=POISON.keys())
def test_text_with_a_forbidden_character_is_refused(value: str) -> None:
    with pytest.raises(InvalidText) as exc:
        parsing.text({"name": value}, "name")
    assert exc.value.data["field"] == "name" and exc.value.data["position"] == 2


@pytest.mark.parametrize("value", POISON.values(), ids=POISON.keys())
def test_long_text_with_a_forbidden_character_is_refused(value: str) -> None:
    with pytest.raises(InvalidText):
        parsing.long_text({"description": value}, "description")


def test_line_breaks_and_tabs_only_in_long_text() -> None:
    with pytest.raises(InvalidText):
        parsing.text({"name": "two\nlines"}, "name")
    with pytest.raises(InvalidText):
        parsing.text({"name": "a\tb"}, "name")
    assert parsing.long_text({"d": " one\r\ntwo\rthree\tfour \n"}, "d") == \
        "one\ntwo\nthree\tfour"


def test_text_is_stored_in_nfc_and_stripped() -> None:
    decomposed = "Cafe\u0301 青山 "
    assert parsing.text({"name": decomposed}, "name") == "Café 青山"
    assert unicodedata.is_normalized("NFC", parsing.text({"name": decomposed}, "name"))


def test_length_is_counted_after_normalisation() -> None:
    assert parsing.text({"n": "e\u0301" * 10}, "n", max_len=10) == "é" * 10
    with pytest.raises(InvalidText) as exc:
        parsing.text({"n": "x" * 11}, "n", max_len=10)
    assert exc.value.data == {"field": "n", "limit": 10, "length": 11}


def test_empty_or_missing_required_text_is_refused_and_optional_text_defaults() -> None:
    for data in ({}, {"n": "   "}):
        with pytest.raises(InvalidInput):
            parsing.text(data, "n")
    assert parsing.text({}, "n", required=False, default="d") == "d"
    with pytest.raises(InvalidInput):
        parsing.text({"n": 5}, "n")


@given(st.text())
def test_accepted_text_is_canonical_and_parses_to_itself(value: str) -> None:
    for long in (False, True):
        try:
            out = parsing.clean_text(value, "f", max_len=10_000, long=long, required=False)
        except InvalidText:
            continue
        assert parsing.text_problem(out, long=long) is None
        assert unicodedata.is_normalized("NFC", out) and out == out.strip()
        assert parsing.clean_text(out, "f", max_len=10_000, long=long, required=False) == out


@pytest.mark.parametrize("value", ["20320101", "2032-W10-1", "2032-061", "2032-01-01T00:00",
                                   "2032-1-1", "２０３２-01-01", "2032-01-01\n", " 2032-01-01",
                                   "2032-02-30", "0000-01-01", 20320101])
def test_a_date_is_only_yyyy_mm_dd(value: Any) -> None:
    with pytest.raises(InvalidInput):
        parsing.date({"d": value}, "d")


def test_a_canonical_date_is_kept_as_it_is() -> None:
    assert parsing.date({"d": "2032-01-01"}, "d") == "2032-01-01"


def test_every_date_field_of_every_command_refuses_the_basic_iso_format() -> None:
    with pytest.raises(InvalidInput):
        IssueUnits.from_payload({**issue(ALICE, 1).to_payload(), "monitoring_end": "20231231"})
    with pytest.raises(InvalidInput):
        SubmitMonitoringReport.from_payload({"project": "CQ0001", "period_start": "2032-W10-1",
                                             "period_end": "2032-12-31",
                                             "values": {"x": "1"}})


@pytest.mark.parametrize("value", ["²", "١٢", "１２", "1e3", "-1", "12.5", "12 000",
                                   "9" * 20])
def test_form_numbers_are_the_digits_0_to_9_only(value: str) -> None:
    with pytest.raises(InvalidNumber) as exc:
        parsing.digits(value, "quantity")
    assert exc.value.data["field"] == "quantity"


def test_form_numbers_in_digits_are_read() -> None:
    assert parsing.digits(" 120 ", "quantity") == 120
    assert parsing.digits("", "quantity") == ""


def test_ids_and_codes_are_matched_whole_and_in_ascii_digits() -> None:
    for bad in ("A00000004\n", "A١٢٣٤٥٦٧٨", "A0000000４"):
        with pytest.raises(InvalidInput):
            parsing.identifier({"a": bad}, "a", "A")
    with pytest.raises(InvalidInput):
        parsing.asset_code({"asset": "CQCER\n"})


def test_the_journal_day_is_beijings() -> None:
    assert parsing.journal_day(NOW_MS).isoformat() == "2026-06-01"
    # 2026-05-31 16:00 UTC is already 1 June in Beijing
    assert parsing.journal_day(1_780_243_200_000).isoformat() == "2026-06-01"


def test_units_for_a_period_that_has_not_ended_are_not_issued() -> None:
    book = make_book()  # its clock: 2026-06-01 in Beijing
    future = dataclasses.replace(issue(ALICE, 10, vintage=2026), monitoring_start="2026-01-01",
                                 monitoring_end="2026-06-02")
    with pytest.raises(PeriodNotEnded) as exc:
        book.run(future)
    assert exc.value.data["today"] == "2026-06-01"
    assert book.state.issuances == {}
    book.run(dataclasses.replace(future, monitoring_end="2026-06-01"))
    assert len(book.state.issuances) == 1


# ---------------------------------------------------------------- every command's text fields
def _poisoned(payload: Any, value: str) -> list[tuple[str, Any]]:
    """One copy of ``payload`` per text value in it (nested too), that value replaced."""
    out: list[tuple[str, Any]] = []
    if isinstance(payload, str):
        return [("", value)]
    if isinstance(payload, dict):
        for k, v in payload.items():
            for path, sub in _poisoned(v, value):
                out.append((f"{k}.{path}".rstrip("."), {**payload, k: sub}))
    if isinstance(payload, list):
        for i, v in enumerate(payload):
            for path, sub in _poisoned(v, value):
                out.append((f"{i}.{path}".rstrip("."), [*payload[:i], sub, *payload[i + 1:]]))
    return out


@pytest.mark.parametrize("value", POISON.values(), ids=POISON.keys())
def test_every_command_refuses_poisoned_text_in_any_field(value: str) -> None:
    kinds = catalog(make_books())
    checked = 0
    for cmd in EXAMPLES:
        for path, payload in _poisoned(cmd.to_payload(), value):
            try:
                command_from_payload(cmd.kind, payload, kinds)
            except InvalidInput:
                checked += 1
            else:
                pytest.fail(f"{cmd.kind}: {path} accepted {value!r}")
    assert checked > 100  # every text value of every example, not a few
