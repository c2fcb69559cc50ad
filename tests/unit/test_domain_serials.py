"""Human-readable serial numbers (docs/serials.md)."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from qingshan.errors import MalformedSerial
from qingshan.ledger.domain.model import ASSET_CODE_RE, MAX_QUANTITY, PROJECT_CODE_RE
from qingshan.ledger.domain.serials import MAX_SERIAL, SerialNumber, parse_serial
from tests.support.search import search

EXAMPLE = "QS-CQCER-CQ0012-2023-000045-000000001001-000000002000"


def test_example() -> None:
    sn = parse_serial(EXAMPLE)
    assert sn == SerialNumber(registry="QS", asset="CQCER", project="CQ0012", vintage=2023,
                              issuance=45, start=1001, end=2000)
    assert sn.quantity == 1000
    assert sn.format() == EXAMPLE == str(sn)
    assert not sn.is_single


def test_single_unit() -> None:
    sn = parse_serial(EXAMPLE)
    one = sn.single_unit(1500)
    assert (one.start, one.end, one.quantity, one.is_single) == (1500, 1500, 1, True)
    assert one.format() == "QS-CQCER-CQ0012-2023-000045-000000001500-000000001500"
    # the short six-field form means the same unit; the canonical form has seven fields
    assert parse_serial("QS-CQCER-CQ0012-2023-000045-000000001500") == one
    assert parse_serial(one.format()) == one
    assert sn.single_unit(1001).start == 1001 and sn.single_unit(2000).end == 2000
    for bad in (1000, 2001, 0, -1):
        with pytest.raises(MalformedSerial) as exc:
            sn.single_unit(bad)
        assert exc.value.data["reason"] == "outside_block"
    with pytest.raises(MalformedSerial):
        sn.single_unit(True)  # booleans are not unit numbers


def test_wide_numbers_keep_their_digits() -> None:
    sn = SerialNumber("QS", "CQCER", "CQ0012", 2023, 1234567, 10**13, MAX_SERIAL)
    text = sn.format()
    assert text == "QS-CQCER-CQ0012-2023-1234567-10000000000000-1000000000000000"
    assert parse_serial(text) == sn


def test_lowercase_and_surrounding_space_are_normalised() -> None:
    assert parse_serial("  " + EXAMPLE.lower() + "\n") == parse_serial(EXAMPLE)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        # field counts
        ("QS-CQCER-CQ0012-2023-000045", "wrong_field_count"),
        (EXAMPLE + "-000000002001", "wrong_field_count"),
        ("QS", "wrong_field_count"),
        ("", "wrong_field_count"),
        # Verra's format is not ours (13 fields)
        ("9876-543210123-543210222-VCS-VCU-1234-VER-CN-14-1234-01012020-31122020-0",
         "wrong_field_count"),
        ("QS-CQCER-CQ0012-2023--000000001001-000000002000", "empty_field"),
        ("-QS-CQCER-CQ0012-2023-000000001001-000000002000", "empty_field"),
        (EXAMPLE[:-1] + "-", "wrong_field_count"),
        ("QS-CQCER-CQ0012-2023-000045-000000001001-", "empty_field"),
        # characters
        ("QS-CQCER-CQ0012-2023-000045-000000001001–000000002000", "bad_character"),  # en dash
        ("QS-CQCER-CQ0012-2023-000045-000000001001 000000002000", "bad_character"),
        ("QS-CQCER-CQ0012-2023-000045-000000001001_000000002000", "bad_character"),
        ("QS-CQCER-CQ0012-2023-000045-００００００００１００１-000000002000", "bad_character"),
        ("QS-CQCER-CQ0012-2023-000045-000000001001-000000002000" + "0" * 80, "too_long"),
        # codes
        ("Q-CQCER-CQ0012-2023-000045-000000001001-000000002000", "bad_registry"),
        ("QSREGISTR-CQCER-CQ0012-2023-000045-000000001001-000000002000", "bad_registry"),
        ("1S-CQCER-CQ0012-2023-000045-000000001001-000000002000", "bad_registry"),
        ("QS-C-CQ0012-2023-000045-000000001001-000000002000", "bad_asset"),
        ("QS-9CQCER-CQ0012-2023-000045-000000001001-000000002000", "bad_asset"),
        ("QS-CQCERCQCERX-CQ0012-2023-000045-000000001001-000000002000", "bad_asset"),
        ("QS-CQCER-C-2023-000045-000000001001-000000002000", "bad_project"),
        ("QS-CQCER-CQ0012CQ0012CQ0012X-2023-000045-000000001001-000000002000", "bad_project"),
        # numbers
        ("QS-CQCER-CQ0012-202X-000045-000000001001-000000002000", "bad_vintage"),
        ("QS-CQCER-CQ0012-23-000045-000000001001-000000002000", "bad_vintage"),
        ("QS-CQCER-CQ0012-0999-000045-000000001001-000000002000", "bad_vintage"),
        ("QS-CQCER-CQ0012-20230-000045-000000001001-000000002000", "bad_vintage"),
        ("QS-CQCER-CQ0012-2023-00004A-000000001001-000000002000", "bad_issuance"),
        ("QS-CQCER-CQ0012-2023-45-000000001001-000000002000", "bad_issuance"),
        ("QS-CQCER-CQ0012-2023-0000045-000000001001-000000002000", "bad_issuance"),
        ("QS-CQCER-CQ0012-2023-000000-000000001001-000000002000", "bad_issuance"),
        ("QS-CQCER-CQ0012-2023-000045-00000000100I-000000002000", "bad_serial"),
        ("QS-CQCER-CQ0012-2023-000045-000000001001-00000000200O", "bad_serial"),
        ("QS-CQCER-CQ0012-2023-000045-1001-2000", "bad_serial"),
        ("QS-CQCER-CQ0012-2023-000045-0000000001001-000000002000", "bad_serial"),
        ("QS-CQCER-CQ0012-2023-000045-000000001001-10000000000000001", "bad_serial"),
        ("QS-CQCER-CQ0012-2023-000045-000000000000-000000002000", "zero_serial"),
        ("QS-CQCER-CQ0012-2023-000045-000000000000", "zero_serial"),
        ("QS-CQCER-CQ0012-2023-000045-000000002001-000000002000", "start_after_end"),
    ],
)
def test_rejections(text: str, reason: str) -> None:
    with pytest.raises(MalformedSerial) as exc:
        parse_serial(text)
    assert exc.value.data["reason"] == reason, exc.value.message
    assert exc.value.data["value"] == text[:128]
    assert exc.value.code == "malformed_serial"


def test_not_a_string() -> None:
    with pytest.raises(MalformedSerial) as exc:
        parse_serial(12345)  # type: ignore[arg-type]
    assert exc.value.data["reason"] == "not_a_string"


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"registry": "qs"}, "bad_registry"),
        ({"asset": "CQ-CER"}, "bad_asset"),
        ({"project": ""}, "bad_project"),
        ({"vintage": 999}, "bad_vintage"),
        ({"vintage": "2023"}, "bad_vintage"),
        ({"issuance": 0}, "bad_issuance"),
        ({"issuance": True}, "bad_issuance"),
        ({"start": 0}, "zero_serial"),
        ({"start": -5}, "bad_serial"),
        ({"end": MAX_SERIAL + 1}, "bad_serial"),
        ({"start": 3, "end": 2}, "start_after_end"),
        ({"start": 1.0}, "bad_serial"),
    ],
)
def test_constructor_validates(kwargs: dict[str, object], reason: str) -> None:
    fields: dict[str, object] = {"registry": "QS", "asset": "CQCER", "project": "CQ0012",
                                 "vintage": 2023, "issuance": 45, "start": 1001, "end": 2000}
    fields.update(kwargs)
    with pytest.raises(MalformedSerial) as exc:
        SerialNumber(**fields)  # type: ignore[arg-type]
    assert exc.value.data["reason"] == reason, exc.value.message


# ---------------------------------------------------------------------------------------------
# Properties

UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
REGISTRY = st.from_regex(r"\A[A-Z][A-Z0-9]{1,7}\Z")
ASSET = st.from_regex(r"\A[A-Z][A-Z0-9]{1,9}\Z")
PROJECT = st.from_regex(r"\A[A-Z0-9]{2,16}\Z")
SERIAL = st.one_of(st.integers(1, 10**6), st.integers(1, MAX_SERIAL))


@st.composite
def serial_numbers(draw: st.DrawFn) -> SerialNumber:
    a, b = draw(SERIAL), draw(SERIAL)
    return SerialNumber(
        registry=draw(REGISTRY), asset=draw(ASSET), project=draw(PROJECT),
        vintage=draw(st.integers(1000, 9999)),
        issuance=draw(st.one_of(st.integers(1, 999), st.integers(1, MAX_QUANTITY))),
        start=min(a, b), end=max(a, b))


@search(3)
@given(serial_numbers())
def test_round_trip(sn: SerialNumber) -> None:
    text = sn.format()
    assert parse_serial(text) == sn
    assert parse_serial(text.lower()) == sn
    assert parse_serial(text).format() == text
    assert sn.quantity == sn.end - sn.start + 1 >= 1
    assert len(text.split("-")) == 7
    assert ASSET_CODE_RE.match(sn.asset) and PROJECT_CODE_RE.match(sn.project)


@given(serial_numbers(), st.data())
def test_single_units_round_trip(sn: SerialNumber, data: st.DataObject) -> None:
    n = data.draw(st.integers(sn.start, sn.end))
    one = sn.single_unit(n)
    assert parse_serial(one.format()) == one
    short = one.format().rsplit("-", 1)[0]
    assert parse_serial(short) == one


@given(serial_numbers(), st.integers(0, 6), st.sampled_from(UPPER))
def test_letters_in_numbers_are_refused(sn: SerialNumber, field: int, letter: str) -> None:
    parts = sn.format().split("-")
    assume(field >= 3)
    parts[field] = parts[field][:-1] + letter
    with pytest.raises(MalformedSerial):
        parse_serial("-".join(parts))


@given(st.text(max_size=100))
def test_arbitrary_text(text: str) -> None:
    try:
        sn = parse_serial(text)
    except MalformedSerial as exc:
        assert exc.data["reason"]
    else:
        assert parse_serial(sn.format()) == sn


@given(st.lists(st.from_regex(r"\A[0-9A-Z]{1,14}\Z"), min_size=0, max_size=10))
def test_field_soup(fields: list[str]) -> None:
    """Hyphen-joined junk either parses to something that re-formats, or is refused."""
    text = "-".join(fields)
    try:
        sn = parse_serial(text)
    except MalformedSerial:
        return
    assert len(fields) in (6, 7)
    assert parse_serial(sn.format()) == sn
