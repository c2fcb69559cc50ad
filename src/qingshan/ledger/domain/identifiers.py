"""Chinese public identifiers: the unified social credit code and administrative division codes.

统一社会信用代码 (unified social credit code, USCC), GB 32100-2015 《法人和其他组织统一社会信用代码
编码规则》: 18 characters from ``0-9`` and ``A-Z`` without ``I O Z S V``::

    9 1 350100 M000100Y4 3
    │ │ │      │         └─ 18     check character (校验码), mod 31, weights 3^(i-1) mod 31
    │ │ │      └─────────── 9-17   organisation code (主体标识码/组织机构代码), GB 11714,
    │ │ │                          8 body characters + its own mod 11 check character
    │ │ └────────────────── 3-8    registration authority's division code (行政区划码), GB/T 2260
    │ └──────────────────── 2      entity type (机构类别代码), meaning depends on position 1
    └────────────────────── 1      registration authority (登记管理部门代码)

``91350100M000100Y43`` is the worked example of GB 32100-2015 (the standard's text shows the
invalid ``…Y4Z`` and computes the check character ``3``). Authority and entity-type codes follow
the table of the standard as amended (A 中央军委改革和编制办公室 and N 农业 added).

行政区划代码 (administrative division code), GB/T 2260: six digits, province (2) + prefecture (2)
+ county (2); ``500101`` is 重庆市万州区.

Everything here is pure: no I/O, standard library only. Every failure raises
:class:`~qingshan.errors.MalformedIdentifier` whose ``data`` holds ``kind``, the offending
``value`` (at most 64 characters) and a stable machine-readable ``reason``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, NoReturn

from qingshan.errors import MalformedIdentifier

__all__ = [
    "ENTITY_TYPES",
    "NATIONAL_DIVISION",
    "ORG_CODE_WEIGHTS",
    "PROVINCE_CODES",
    "REGISTRATION_AUTHORITIES",
    "USCC_ALPHABET",
    "USCC_WEIGHTS",
    "Uscc",
    "make_uscc",
    "org_code_check_character",
    "parse_uscc",
    "uscc_check_character",
    "validate_admin_code",
    "validate_uscc",
]

# ---------------------------------------------------------------------------------------------
# Character sets and weights

#: GB 32100-2015 表1: the 31 code characters, in order of their value 0..30.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {c: i for i, c in enumerate(USCC_ALPHABET)}

#: GB 32100-2015 表2: W_i = 3^(i-1) mod 31 for positions i = 1..17.
USCC_WEIGHTS: tuple[int, ...] = tuple(pow(3, i, 31) for i in range(17))

#: GB 11714 weights of the eight body characters of an organisation code.
ORG_CODE_WEIGHTS: tuple[int, ...] = (3, 7, 9, 10, 5, 8, 4, 2)

# ---------------------------------------------------------------------------------------------
# Position 1 and 2 (GB 32100-2015 表 "登记管理部门代码及机构类别代码", as amended)

#: Registration authority code -> its name (登记管理部门).
REGISTRATION_AUTHORITIES: Mapping[str, str] = MappingProxyType({
    "1": "机构编制 (institutional establishment)",
    "2": "外交 (foreign affairs)",
    "3": "司法行政 (justice)",
    "4": "文化 (culture)",
    "5": "民政 (civil affairs)",
    "6": "旅游 (tourism)",
    "7": "宗教 (religious affairs)",
    "8": "工会 (trade unions)",
    "9": "工商 (market regulation, formerly industry and commerce)",
    "A": "中央军委改革和编制办公室 (CMC reform and establishment office)",
    "N": "农业 (agriculture)",
    "Y": "其他 (other)",
})

#: Registration authority code -> {entity type code -> name} (机构类别).
ENTITY_TYPES: Mapping[str, Mapping[str, str]] = MappingProxyType({
    "1": MappingProxyType({"1": "机关", "2": "事业单位",
                           "3": "中央编办直接管理机构编制的群众团体", "9": "其他"}),
    "2": MappingProxyType({"1": "外国常驻新闻机构", "9": "其他"}),
    "3": MappingProxyType({"1": "律师执业机构", "2": "公证处", "3": "基层法律服务所",
                           "4": "司法鉴定机构", "5": "仲裁委员会", "9": "其他"}),
    "4": MappingProxyType({"1": "外国在华文化中心", "9": "其他"}),
    "5": MappingProxyType({"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}),
    "6": MappingProxyType({"1": "外国旅游部门常驻代表机构",
                           "2": "港澳台地区旅游部门常驻内地（大陆）代表机构", "9": "其他"}),
    "7": MappingProxyType({"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
    "8": MappingProxyType({"1": "基层工会", "9": "其他"}),
    "9": MappingProxyType({"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}),
    "A": MappingProxyType({"1": "军队事业单位", "9": "其他"}),
    "N": MappingProxyType({"1": "组级集体经济组织", "2": "村级集体经济组织",
                           "3": "乡镇级集体经济组织", "9": "其他"}),
    "Y": MappingProxyType({"1": "其他"}),
})

#: GB/T 2260 province-level codes (first two digits): 31 provinces, autonomous regions and
#: municipalities, plus 71 台湾省, 81 香港特别行政区 and 82 澳门特别行政区.
PROVINCE_CODES: frozenset[str] = frozenset({
    "11", "12", "13", "14", "15",
    "21", "22", "23",
    "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46",
    "50", "51", "52", "53", "54",
    "61", "62", "63", "64", "65",
    "71", "81", "82",
})

#: Division code used in a USCC for registration authorities at national level
#: (国发〔2015〕33号 方案: "100000 为国家使用"). It is not a GB/T 2260 code.
NATIONAL_DIVISION = "100000"

_DIGITS = frozenset("0123456789")


# ---------------------------------------------------------------------------------------------
# Errors


def _fail(kind: str, value: object, reason: str, message: str, **extra: Any) -> NoReturn:
    raise MalformedIdentifier(message, kind=kind, value=str(value)[:64], reason=reason, **extra)


def _normalise(kind: str, value: object) -> str:
    """Strip surrounding whitespace and upper-case; refuse non-strings and non-ASCII text.

    Non-ASCII is refused *before* upper-casing because ``str.upper`` maps a few non-ASCII
    letters onto ASCII ones (``'ı'.upper() == 'I'``, ``'ſ'.upper() == 'S'``).
    """
    if not isinstance(value, str):
        _fail(kind, value, "not_a_string", f"a {_LABEL[kind]} must be text, "
              f"not {type(value).__name__}")
    text = value.strip()
    for pos, ch in enumerate(text, start=1):
        if not ch.isascii() or not ch.isprintable() or ch.isspace():
            _fail(kind, value, "bad_character",
                  f"{_LABEL[kind]} character {pos} ({ch!r}) is not an ASCII letter or digit",
                  position=pos)
    return text.upper()


_LABEL = {"uscc": "unified social credit code", "admin_code": "administrative division code",
          "org_code": "organisation code"}


# ---------------------------------------------------------------------------------------------
# Check characters


def uscc_check_character(first17: str) -> str:
    """The 18th character of a USCC whose first 17 characters are ``first17`` (GB 32100-2015).

    ``C18 = 31 - MOD(Σ Ci·Wi, 31)`` with the value 31 written as ``0``.
    """
    text = _normalise("uscc", first17)
    if len(text) != 17:
        _fail("uscc", first17, "wrong_length",
              f"need the first 17 characters of a unified social credit code, got {len(text)}",
              length=len(text))
    for pos, ch in enumerate(text, start=1):
        if ch not in _USCC_VALUE:
            _fail("uscc", first17, "bad_character",
                  f"character {pos} ({ch!r}) is not in the USCC character set "
                  "0-9 A-Z without I O Z S V", position=pos)
    total = sum(_USCC_VALUE[c] * w for c, w in zip(text, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def _org_value(ch: str) -> int:
    # GB 11714: digits are their value, letters A..Z are 10..35.
    return int(ch) if ch in _DIGITS else ord(ch) - ord("A") + 10


def org_code_check_character(body8: str) -> str:
    """The 9th character of an organisation code (GB 11714) whose body is ``body8``.

    ``C9 = 11 - MOD(Σ Ci·Wi, 11)``; 10 is written ``X`` and 11 is written ``0``. The body
    must use the USCC character set (a body inside a USCC cannot use I, O, Z, S or V).
    """
    text = _normalise("org_code", body8)
    if len(text) != 8:
        _fail("org_code", body8, "wrong_length",
              f"an organisation code body has 8 characters, got {len(text)}", length=len(text))
    for pos, ch in enumerate(text, start=1):
        if ch not in _USCC_VALUE:
            _fail("org_code", body8, "bad_character",
                  f"character {pos} ({ch!r}) is not in the USCC character set "
                  "0-9 A-Z without I O Z S V", position=pos)
    r = 11 - sum(_org_value(c) * w for c, w in zip(text, ORG_CODE_WEIGHTS, strict=True)) % 11
    return {10: "X", 11: "0"}.get(r, str(r))


# ---------------------------------------------------------------------------------------------
# Administrative division codes


def _check_division(kind: str, raw: object, code: str, *, allow_province: bool,
                    allow_national: bool, offset: int = 0) -> None:
    """Shared GB/T 2260 structure check; ``offset`` shifts reported positions (USCC: 2)."""
    if len(code) != 6 or not set(code) <= _DIGITS:
        _fail(kind, raw, "bad_division",
              f"the administrative division code {code!r} must be exactly six digits",
              division=code)
    if allow_national and code == NATIONAL_DIVISION:
        return
    province, prefecture, county = code[:2], code[2:4], code[4:]
    if province not in PROVINCE_CODES:
        _fail(kind, raw, "unknown_province",
              f"{province!r} (positions {offset + 1}-{offset + 2}) is not a GB/T 2260 "
              "province code", division=code)
    if prefecture == "00" and county != "00":
        _fail(kind, raw, "bad_division",
              f"administrative division code {code}: a county part ({county}) needs a "
              "prefecture part, but the prefecture part is 00", division=code)
    if prefecture == "00" and not allow_province:
        _fail(kind, raw, "province_level",
              f"{code} is a province-level code; a prefecture or county code is needed "
              "(the four digits after the province may not all be zero)", division=code)


def validate_admin_code(code: str, *, allow_province: bool = False) -> str:
    """Return the six-digit GB/T 2260 administrative division code, stripped.

    Checks the form, not membership of a particular year's list: six ASCII digits, a
    province code that exists (11-15, 21-23, 31-37, 41-46, 50-54, 61-65, 71, 81, 82), and a
    sensible hierarchy (``XX00YY`` is refused). Province-level codes (``XX0000``) are refused
    unless ``allow_province`` is true. Raises :class:`MalformedIdentifier`.
    """
    text = _normalise("admin_code", code)
    if len(text) != 6 or not set(text) <= _DIGITS:
        _fail("admin_code", code, "not_six_digits",
              f"an administrative division code is six digits, got {text!r}")
    _check_division("admin_code", code, text, allow_province=allow_province,
                    allow_national=False)
    return text


# ---------------------------------------------------------------------------------------------
# Unified social credit code


@dataclass(frozen=True, slots=True)
class Uscc:
    """A validated unified social credit code, split into its parts."""

    authority: str  # position 1, 登记管理部门代码
    entity_type: str  # position 2, 机构类别代码
    division: str  # positions 3-8, 登记管理机关行政区划码
    org_code: str  # positions 9-17, 主体标识码 (8 body characters + GB 11714 check)
    check: str  # position 18, 校验码

    @property
    def code(self) -> str:
        return f"{self.authority}{self.entity_type}{self.division}{self.org_code}{self.check}"

    @property
    def authority_name(self) -> str:
        return REGISTRATION_AUTHORITIES[self.authority]

    @property
    def entity_type_name(self) -> str:
        return ENTITY_TYPES[self.authority][self.entity_type]

    def __str__(self) -> str:
        return self.code


def parse_uscc(code: str) -> Uscc:
    """Validate a unified social credit code and return its parts.

    Checks, in order, and reports the first failure with a precise ``reason``:
    ``not_a_string``, ``bad_character`` (non-ASCII or whitespace inside), ``wrong_length``,
    ``bad_character`` (outside 0-9 A-Z without I O Z S V), ``unknown_authority``,
    ``unknown_entity_type``, ``bad_division`` / ``unknown_province`` (positions 3-8; the
    national code 100000 and province-level codes are accepted), ``org_check_mismatch``
    (GB 11714 check character at position 17) and ``check_mismatch`` (position 18).
    """
    text = _normalise("uscc", code)
    if len(text) != 18:
        _fail("uscc", code, "wrong_length",
              f"a unified social credit code has 18 characters, got {len(text)}",
              length=len(text))
    for pos, ch in enumerate(text, start=1):
        if ch not in _USCC_VALUE:
            _fail("uscc", code, "bad_character",
                  f"character {pos} ({ch!r}) is not allowed: a unified social credit code uses "
                  "0-9 and A-Z without I, O, Z, S, V", position=pos)
    authority, entity_type = text[0], text[1]
    if authority not in REGISTRATION_AUTHORITIES:
        _fail("uscc", code, "unknown_authority",
              f"position 1 ({authority!r}) is not a registration authority code; known: "
              + " ".join(REGISTRATION_AUTHORITIES), position=1)
    types = ENTITY_TYPES[authority]
    if entity_type not in types:
        _fail("uscc", code, "unknown_entity_type",
              f"position 2 ({entity_type!r}) is not an entity type of registration authority "
              f"{authority}; allowed: {' '.join(types)}", position=2)
    _check_division("uscc", code, text[2:8], allow_province=True, allow_national=True,
                    offset=2)
    org_check = org_code_check_character(text[8:16])
    if text[16] != org_check:
        _fail("uscc", code, "org_check_mismatch",
              f"the organisation code {text[8:17]} (positions 9-17) fails its GB 11714 check: "
              f"position 17 should be {org_check!r}, not {text[16]!r}",
              position=17, expected=org_check, found=text[16])
    check = uscc_check_character(text[:17])
    if text[17] != check:
        _fail("uscc", code, "check_mismatch",
              f"check character (position 18) should be {check!r}, not {text[17]!r}",
              position=18, expected=check, found=text[17])
    return Uscc(authority=authority, entity_type=entity_type, division=text[2:8],
                org_code=text[8:17], check=text[17])


def validate_uscc(code: str) -> str:
    """Return the normalised (stripped, upper-case) code, or raise :class:`MalformedIdentifier`.

    See :func:`parse_uscc` for the checks and the ``reason`` codes.
    """
    return parse_uscc(code).code


def make_uscc(authority: str, entity_type: str, division: str, org_body8: str) -> str:
    """Build a valid unified social credit code, computing both check characters.

    For demo and test data: ``make_uscc("9", "1", "500101", "12345678")`` is an enterprise
    (工商/企业) registered in 万州区. Every argument is validated the same way
    :func:`parse_uscc` validates the finished code.
    """
    auth = _normalise("uscc", authority)
    etype = _normalise("uscc", entity_type)
    if auth not in REGISTRATION_AUTHORITIES:
        _fail("uscc", authority, "unknown_authority",
              f"{auth!r} is not a registration authority code; known: "
              + " ".join(REGISTRATION_AUTHORITIES), position=1)
    if etype not in ENTITY_TYPES[auth]:
        _fail("uscc", entity_type, "unknown_entity_type",
              f"{etype!r} is not an entity type of registration authority {auth}; allowed: "
              + " ".join(ENTITY_TYPES[auth]), position=2)
    div = _normalise("uscc", division)
    _check_division("uscc", division, div, allow_province=True, allow_national=True, offset=2)
    body = _normalise("org_code", org_body8)
    first17 = auth + etype + div + body + org_code_check_character(body)
    return validate_uscc(first17 + uscc_check_character(first17))
