"""Unified social credit codes (GB 32100-2015) and administrative division codes (GB/T 2260)."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from qingshan.errors import MalformedIdentifier
from qingshan.ledger.domain.identifiers import (
    ENTITY_TYPES,
    PROVINCE_CODES,
    REGISTRATION_AUTHORITIES,
    USCC_ALPHABET,
    USCC_WEIGHTS,
    Uscc,
    make_uscc,
    org_code_check_character,
    parse_uscc,
    uscc_check_character,
    validate_admin_code,
    validate_uscc,
)
from tests.support.search import search

# ---------------------------------------------------------------------------------------------
# Real, published codes

REAL_USCCS = [
    # The worked example of GB 32100-2015 (第18位校验码计算方法实例): the standard shows
    # 91350100M000100Y4Z, computes the check character 3 and declares the Z version invalid.
    # Reproduced at https://www.yc00.com/web/1713075042a2177900.html and
    # https://renrendoc.com/p-47802332.html.
    "91350100M000100Y43",
    # 华为技术有限公司 (Huawei Technologies Co., Ltd.), 机构代码 in the infobox of
    # https://zh.wikipedia.org/zh-hk/華為
    "914403001922038216",
    # 深圳市腾讯计算机系统有限公司 (Shenzhen Tencent Computer Systems Co., Ltd.), sample business
    # report at https://check-china.com/example_report/en/8
    "91440300708461136T",
    # From the list "found online" in python-stdnum's tests/test_cn_uscc.doctest
    # (https://github.com/arthurdejong/python-stdnum): a 事业单位 registered at province level,
    # a Beijing enterprise, new-style MA organisation codes, an L-series code and a 个体工商户.
    "121200004013590816",
    "91110000600037341L",
    "91310115MA1K3BTP2B",
    "91620105L015101280",
    "92340602MA2PBMEM24",
]


@pytest.mark.parametrize("code", REAL_USCCS)
def test_real_codes_validate(code: str) -> None:
    assert validate_uscc(code) == code
    parts = parse_uscc(code)
    assert parts.code == code == str(parts)
    assert parts.check == uscc_check_character(code[:17])
    assert parts.org_code[8] == org_code_check_character(code[8:16])


def test_standard_example_in_detail() -> None:
    # GB 32100-2015: the weighted sum of the first 17 characters is 1640, 1640 mod 31 = 28,
    # check value 31 - 28 = 3.
    first17 = "91350100M000100Y4"
    values = [USCC_ALPHABET.index(c) for c in first17]
    assert sum(v * w for v, w in zip(values, USCC_WEIGHTS, strict=True)) == 1640
    assert uscc_check_character(first17) == "3"
    # the standard's invalid example: Z is not even a code character (I O Z S V are unused)
    with pytest.raises(MalformedIdentifier) as exc:
        validate_uscc("91350100M000100Y4Z")
    assert exc.value.data["reason"] == "bad_character"
    assert exc.value.data["position"] == 18
    assert exc.value.data["value"] == "91350100M000100Y4Z"
    with pytest.raises(MalformedIdentifier) as exc:
        validate_uscc("91350100M000100Y44")
    assert exc.value.data["reason"] == "check_mismatch"
    assert exc.value.data["expected"] == "3"
    assert exc.value.data["found"] == "4"


def test_weights_are_those_of_the_standard() -> None:
    assert USCC_WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    assert USCC_ALPHABET == "0123456789ABCDEFGHJKLMNPQRTUWXY"
    assert not set("IOZSV") & set(USCC_ALPHABET)


def test_parts_of_a_real_code() -> None:
    p = parse_uscc("914403001922038216")
    assert p == Uscc(authority="9", entity_type="1", division="440300", org_code="192203821",
                     check="6")
    assert p.authority_name.startswith("工商")
    assert p.entity_type_name == "企业"
    assert parse_uscc("92340602MA2PBMEM24").entity_type_name == "个体工商户"
    assert parse_uscc("121200004013590816").entity_type_name == "事业单位"


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        # "examples" printed in blog posts that were never real codes: both fail GB 11714
        ("91310115MA1H8R7C6D", "org_check_mismatch"),  # blog.csdn.net/qq_56851614/…/145111261
        ("91310115MA1G4L1WXK", "org_check_mismatch"),  # galtzs.cn/wenda/detail/bd/100500013996
        ("91110000600037341N", "check_mismatch"),  # python-stdnum's checksum test
        ("9111000060003IOZSV", "bad_character"),  # python-stdnum's format test
        ("12345", "wrong_length"),
        ("", "wrong_length"),
        ("9144030019220382160", "wrong_length"),
        ("B14403001922038216", "unknown_authority"),
        ("94440300192203821X", "unknown_entity_type"),  # 工商 has no entity type 4
        ("Y2440300192203821X", "unknown_entity_type"),  # 其他 has only 1
        ("9144A300192203821X", "bad_division"),
        ("914403A01922038216", "bad_division"),
        ("91990300192203821X", "unknown_province"),
        ("91000000192203821X", "unknown_province"),
        ("9150000119220382XX", "bad_division"),  # 500001: county part without prefecture
        ("914403001922038226", "org_check_mismatch"),
        ("914403001922038217", "check_mismatch"),
        ("9144 03001922038216", "bad_character"),
        ("９１４４０３００１９２２０３８２１６", "bad_character"),  # full-width digits
        ("ı14403001922038216", "bad_character"),  # 'ı'.upper() == 'I'
    ],
)
def test_rejections_say_why(code: str, reason: str) -> None:
    with pytest.raises(MalformedIdentifier) as exc:
        validate_uscc(code)
    assert exc.value.data["reason"] == reason, exc.value.message
    assert exc.value.data["kind"] == "uscc"
    assert exc.value.data["value"] == code[:64]
    assert exc.value.code == "malformed_identifier"


def test_non_string_is_refused() -> None:
    with pytest.raises(MalformedIdentifier) as exc:
        validate_uscc(914403001922038216)  # type: ignore[arg-type]
    assert exc.value.data["reason"] == "not_a_string"


def test_normalises_case_and_surrounding_space() -> None:
    assert validate_uscc("  91440300708461136t\n") == "91440300708461136T"
    assert validate_uscc("91350100m000100y43") == "91350100M000100Y43"


def test_national_and_province_level_divisions_are_accepted_in_a_uscc() -> None:
    assert validate_uscc(make_uscc("1", "1", "100000", "00001312"))
    assert parse_uscc(make_uscc("9", "1", "500000", "12345678")).division == "500000"


def test_make_uscc_known_value() -> None:
    assert make_uscc("9", "1", "350100", "M000100Y") == "91350100M000100Y43"
    assert make_uscc("9", "1", "440300", "19220382") == "914403001922038216"


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (("B", "1", "500101", "12345678"), "unknown_authority"),
        (("9", "9", "500101", "12345678"), "unknown_entity_type"),
        (("9", "1", "5001", "12345678"), "bad_division"),
        (("9", "1", "990101", "12345678"), "unknown_province"),
        (("9", "1", "500101", "1234567"), "wrong_length"),
        (("9", "1", "500101", "1234567O"), "bad_character"),
        (("91", "1", "500101", "12345678"), "unknown_authority"),
    ],
)
def test_make_uscc_refuses_bad_parts(args: tuple[str, str, str, str], reason: str) -> None:
    with pytest.raises(MalformedIdentifier) as exc:
        make_uscc(*args)
    assert exc.value.data["reason"] == reason


# ---------------------------------------------------------------------------------------------
# Properties

AUTH_AND_TYPE = st.sampled_from(
    [(a, t) for a, types in ENTITY_TYPES.items() for t in types])
DIVISION = st.one_of(
    st.just("100000"),
    st.builds(lambda p, pre, cty: p + pre + cty,
              st.sampled_from(sorted(PROVINCE_CODES)),
              st.integers(1, 99).map(lambda n: f"{n:02d}"),
              st.integers(0, 99).map(lambda n: f"{n:02d}")),
    st.sampled_from(sorted(PROVINCE_CODES)).map(lambda p: p + "0000"),
)
BODY = st.text(alphabet=USCC_ALPHABET, min_size=8, max_size=8)


@st.composite
def usccs(draw: st.DrawFn) -> str:
    authority, entity_type = draw(AUTH_AND_TYPE)
    return make_uscc(authority, entity_type, draw(DIVISION), draw(BODY))


@given(AUTH_AND_TYPE, DIVISION, BODY)
def test_every_made_code_validates(at: tuple[str, str], division: str, body: str) -> None:
    code = make_uscc(at[0], at[1], division, body)
    assert validate_uscc(code) == code
    p = parse_uscc(code)
    assert (p.authority, p.entity_type, p.division, p.org_code[:8]) == (*at, division, body)
    assert validate_uscc(code.lower()) == code


@given(usccs())
def test_check_equations_hold(code: str) -> None:
    # GB 32100: S17 + C18 ≡ 0 (mod 31); GB 11714: S8 + C9 ≡ 0 (mod 11), X = 10, "0" for 11.
    values = [USCC_ALPHABET.index(c) for c in code]
    assert (sum(v * w for v, w in zip(values, USCC_WEIGHTS, strict=False)) + values[17]) % 31 == 0
    body = [int(c) if c.isdigit() else ord(c) - 55 for c in code[8:16]]
    c9 = code[16]
    c9_value = 10 if c9 == "X" else int(c9)
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    assert (sum(b * w for b, w in zip(body, weights, strict=True)) + c9_value) % 11 == 0


REPLACEMENTS = st.one_of(
    st.sampled_from(USCC_ALPHABET + "IOZSV" + "iozsv" + " -_./*#"),
    st.characters(),
)


@search(3)
@given(usccs(), st.integers(0, 17), REPLACEMENTS)
def test_any_single_substitution_is_caught(code: str, pos: int, ch: str) -> None:
    """Changing one character always breaks the code.

    Every value 0..30 is distinct and every weight is non-zero mod 31 (a prime), so a
    substitution at positions 1-17 changes the weighted sum mod 31 and the check at position
    18 no longer agrees; a substitution at 18 disagrees with the sum directly. Only a
    replacement that normalises to the same character (its lower-case twin) is the same code.
    """
    assume(ch.strip().upper() != code[pos] and len(ch) == 1)
    mutated = code[:pos] + ch + code[pos + 1:]
    with pytest.raises(MalformedIdentifier):
        validate_uscc(mutated)


@given(usccs(), st.integers(0, 16))
def test_any_adjacent_transposition_is_caught(code: str, pos: int) -> None:
    # weights of neighbours differ by a factor 3, so (a - b)(w_i - w_{i+1}) ≢ 0 (mod 31)
    assume(code[pos] != code[pos + 1])
    swapped = code[:pos] + code[pos + 1] + code[pos] + code[pos + 2:]
    with pytest.raises(MalformedIdentifier):
        validate_uscc(swapped)


@given(st.text(max_size=24))
def test_arbitrary_text_never_crashes(text: str) -> None:
    try:
        code = validate_uscc(text)
    except MalformedIdentifier as exc:
        assert exc.data["reason"]
    else:
        assert len(code) == 18 and code == text.strip().upper()


def test_tables_are_consistent() -> None:
    assert set(REGISTRATION_AUTHORITIES) == set(ENTITY_TYPES)
    assert all(c in USCC_ALPHABET for c in REGISTRATION_AUTHORITIES)
    assert all(t in USCC_ALPHABET for types in ENTITY_TYPES.values() for t in types)


# ---------------------------------------------------------------------------------------------
# Administrative division codes


@pytest.mark.parametrize("code", ["500101", "500243", "500157", "500105", "110101", "469001",
                                  "659001", "510100"])
def test_admin_codes(code: str) -> None:
    assert validate_admin_code(code) == code


def test_admin_code_normalises_space() -> None:
    assert validate_admin_code(" 500101\t") == "500101"


def test_province_level_needs_opt_in() -> None:
    with pytest.raises(MalformedIdentifier) as exc:
        validate_admin_code("500000")
    assert exc.value.data["reason"] == "province_level"
    assert validate_admin_code("500000", allow_province=True) == "500000"


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("50010", "not_six_digits"),
        ("5001011", "not_six_digits"),
        ("50010a", "not_six_digits"),
        ("", "not_six_digits"),
        ("５００１０１", "bad_character"),
        ("500 101", "bad_character"),
        ("000000", "unknown_province"),
        ("100000", "unknown_province"),
        ("990101", "unknown_province"),
        ("700101", "unknown_province"),
        ("500001", "bad_division"),
    ],
)
def test_admin_code_rejections(code: str, reason: str) -> None:
    with pytest.raises(MalformedIdentifier) as exc:
        validate_admin_code(code)
    assert exc.value.data["reason"] == reason, exc.value.message
    assert exc.value.data["kind"] == "admin_code"
    assert exc.value.data["value"] == code


@given(st.text(alphabet="0123456789", min_size=6, max_size=6))
def test_admin_code_rule(code: str) -> None:
    expected = (code[:2] in PROVINCE_CODES and code[2:4] != "00")
    try:
        validate_admin_code(code)
    except MalformedIdentifier:
        assert not expected
    else:
        assert expected


@given(st.text(max_size=10))
def test_admin_code_arbitrary_text(text: str) -> None:
    try:
        assert len(validate_admin_code(text)) == 6
    except MalformedIdentifier as exc:
        assert exc.data["reason"]
