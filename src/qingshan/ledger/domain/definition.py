"""Each command defined once. A command is a frozen dataclass whose fields are declared with
:func:`declare` and a :class:`Spec` (what kind of value the field holds: text of at most n
characters, an enum, an asset code, an id with its prefix, a quantity, a date, serial
ranges, ...). From that one definition come:

* ``from_payload``: untrusted JSON to the command, field by field in declaration order, with
  the parsers of :mod:`qingshan.ledger.domain.parsing` (one text policy, canonical forms;
  every error names its field), then the command's cross-field :meth:`Declared.check`;
* ``to_payload``: the canonical journal form (a field whose spec says ``omit_none`` is left
  out while it is None, so entries journaled before that field existed keep their bytes);
* the request body at the HTTP edge: each spec's :meth:`Spec.shape` is a pure description
  (JSON type, limits, choices, description, examples) that ``qingshan.api.bodies`` turns into
  a Pydantic model, and so into the OpenAPI document.

Pure: no I/O, no web framework, no database.
"""

from __future__ import annotations

import builtins
import dataclasses
import re
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass
from enum import StrEnum
from typing import Any, ClassVar, Literal, Self, TypeVar

from qingshan.errors import InvalidInput, QingshanError
from qingshan.ledger.domain.model import check_id, check_quantity
from qingshan.ledger.domain.parsing import (
    MAX_LONG_TEXT,
    MAX_TEXT,
    asset_code,
    date,
    enum,
    long_text,
    text,
)

NOTHING: Any = type("Nothing", (), {"__repr__": lambda _: "NOTHING"})()  # no value at all

ShapeType = Literal["text", "integer", "boolean", "choice", "date", "list", "tuple", "object",
                    "map"]


@dataclass(frozen=True, kw_only=True)
class Shape:
    """What a field looks like in JSON, for the edge's schema (the parser checks meaning)."""

    type: ShapeType
    max_length: int | None = None  # text: characters; list, map: items
    # whether the edge refuses a longer text itself (as invalid_text), or only documents the
    # limit, for the parser to refuse with its own code (a malformed id, a long text whose
    # line breaks are counted after normalising them)
    length_at_edge: bool = True
    min_length: int | None = None  # list: items
    choices: builtins.type[StrEnum] | None = None
    items: tuple[Shape, ...] = ()  # list, map: (item,); tuple: one shape per position
    properties: tuple[tuple[str, Shape], ...] = ()  # object: its fields, all of them
    optional: frozenset[str] = frozenset()  # object: the properties that may be left out
    name: str = ""  # object: its name in the API's schemas


@dataclass(frozen=True, kw_only=True)
class Spec:
    """How one field is read, journaled and described.

    ``required``: the client must send it (else a text field defaults to "" and any other to
    None); ``nullable``: null (None) is a value of its own, passed over by the parser;
    ``omit_none``: left out of the journal form while None; ``omit_if``: left out while it
    equals this value (a field added later, whose absence meant this); ``absent``: the value
    when the key is missing (not parsed); ``from_client``: a request body may set it (others
    are set by another context's handler, or only read back from the journal).
    """

    required: bool = True
    nullable: bool = False
    omit_none: bool = False
    omit_if: Any = NOTHING
    absent: Any = NOTHING
    from_client: bool = True
    description: str = ""
    examples: tuple[Any, ...] = ()

    def parse(self, data: Mapping[str, Any], key: str) -> Any:
        raise NotImplementedError

    def dump(self, value: Any) -> Any:
        return value

    def shape(self) -> Shape:
        raise NotImplementedError

    def read(self, data: Mapping[str, Any], key: str) -> Any:
        if self.absent is not NOTHING and key not in data:
            return self.absent
        if self.nullable and data.get(key) is None:
            return None
        return self.parse(data, key)

    def journaled(self, value: Any) -> bool:
        """Whether ``value`` is written in the journal form."""
        if value is None and self.omit_none:
            return False
        return self.omit_if is NOTHING or value != self.omit_if


@dataclass(frozen=True, kw_only=True)
class Text(Spec):
    """One line of text under the text policy (``long``: may hold line feeds and tabs)."""

    max_len: int = MAX_TEXT
    long: bool = False

    def parse(self, data: Mapping[str, Any], key: str) -> str:
        if self.long:
            return long_text(data, key, required=self.required, max_len=self.max_len)
        return text(data, key, required=self.required, max_len=self.max_len)

    def shape(self) -> Shape:
        return Shape(type="text", max_length=self.max_len, length_at_edge=not self.long)


def LongText(**kw: Any) -> Text:
    return Text(long=True, **{"max_len": MAX_LONG_TEXT, **kw})


@dataclass(frozen=True, kw_only=True)
class Choice(Spec):
    """One of an enum's values; journaled as the value."""

    kind: type[StrEnum]

    def parse(self, data: Mapping[str, Any], key: str) -> StrEnum:
        return enum(data, key, self.kind)

    def dump(self, value: Any) -> Any:
        return None if value is None else value.value

    def shape(self) -> Shape:
        return Shape(type="choice", choices=self.kind)


ID_LENGTH = 16  # the longest id or code a request names (the parser names a malformed one)


@dataclass(frozen=True, kw_only=True)
class AssetCode(Spec):
    """An asset class code such as CQCER."""

    def parse(self, data: Mapping[str, Any], key: str) -> str:
        return asset_code(data, key)

    def shape(self) -> Shape:
        return Shape(type="text", max_length=ID_LENGTH)


@dataclass(frozen=True, kw_only=True)
class Ref(Spec):
    """A ledger id with its prefix (P party, A account, H hold, ...)."""

    prefix: str

    def parse(self, data: Mapping[str, Any], key: str) -> str:
        return check_id(self.prefix, data.get(key), key)

    def shape(self) -> Shape:
        return Shape(type="text", max_length=ID_LENGTH)


@dataclass(frozen=True, kw_only=True)
class Quantity(Spec):
    """A positive whole quantity (units or fen), at most the ledger's maximum."""

    def parse(self, data: Mapping[str, Any], key: str) -> int:
        return check_quantity(data.get(key))

    def shape(self) -> Shape:
        return Shape(type="integer")


@dataclass(frozen=True, kw_only=True)
class Whole(Spec):
    """A JSON integer (never a boolean or a float) from ``lo`` to ``hi``."""

    lo: int
    hi: int
    message: str = ""  # the refusal's message, when not "must be a whole number from lo to hi"

    def parse(self, data: Mapping[str, Any], key: str) -> int:
        value = data.get(key)
        if type(value) is not int or not self.lo <= value <= self.hi:
            raise InvalidInput(self.message or
                               f"{key} must be a whole number from {self.lo} to {self.hi}",
                               field=key)
        return value

    def shape(self) -> Shape:
        return Shape(type="integer")


@dataclass(frozen=True, kw_only=True)
class Flag(Spec):
    """A yes/no: only JSON ``true`` is yes."""

    def parse(self, data: Mapping[str, Any], key: str) -> bool:
        return data.get(key) is True

    def shape(self) -> Shape:
        return Shape(type="boolean")


@dataclass(frozen=True, kw_only=True)
class Day(Spec):
    """A calendar date, only as YYYY-MM-DD."""

    def parse(self, data: Mapping[str, Any], key: str) -> str:
        return date(data, key)

    def shape(self) -> Shape:
        return Shape(type="date")


@dataclass(frozen=True, kw_only=True)
class Matching(Spec):
    """A code that must match ``pattern`` whole (refused as ``message`` says)."""

    pattern: re.Pattern[str]
    message: str
    max_len: int = ID_LENGTH

    def parse(self, data: Mapping[str, Any], key: str) -> str:
        value = data.get(key)
        if not isinstance(value, str) or not self.pattern.fullmatch(value):
            raise InvalidInput(self.message, field=key)
        return value

    def shape(self) -> Shape:
        return Shape(type="text", max_length=self.max_len)


@dataclass(frozen=True, kw_only=True)
class Custom(Spec):
    """A field with a parser of its own (a nested list, a checked code), shaped like
    ``like`` at the edge and journaled by ``to_json``."""

    parser: Callable[[Mapping[str, Any], str], Any]
    like: Shape
    to_json: Callable[[Any], Any] | None = None

    def parse(self, data: Mapping[str, Any], key: str) -> Any:
        return self.parser(data, key)

    def dump(self, value: Any) -> Any:
        return value if self.to_json is None or value is None else self.to_json(value)

    def shape(self) -> Shape:
        return self.like


def declare(spec: Spec, default: Any = MISSING) -> Any:
    """A command's field: ``name: type = declare(Spec(...))`` (``default`` for Python
    callers; what a client may leave out is the spec's ``required``)."""
    return dataclasses.field(default=default, metadata={"spec": spec})


def specs(cls: type) -> tuple[tuple[str, Spec], ...]:
    """The declared fields of a command class, in order."""
    return tuple((f.name, f.metadata["spec"]) for f in dataclasses.fields(cls)
                 if "spec" in f.metadata)


Check = Callable[[dict[str, Any], Mapping[str, Any]], None]


class Declared:
    """Mixin of a command defined by its declared fields: the parser and the journal form.
    ``checks`` run across fields, in order, after each field is read; a check may complete
    the values (e.g. a quantity given by serial ranges)."""

    _specs: ClassVar[tuple[tuple[str, Spec], ...]] = ()
    checks: ClassVar[tuple[Check, ...]] = ()

    @classmethod
    def declared(cls) -> tuple[tuple[str, Spec], ...]:
        if "_specs" not in cls.__dict__:
            cls._specs = specs(cls)
        return cls._specs

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> Self:
        values = {name: spec.read(data, name) for name, spec in cls.declared()}
        cls.check(values, data)
        return cls(**values)

    @classmethod
    def check(cls, values: dict[str, Any], data: Mapping[str, Any]) -> None:
        for check in cls.checks:
            check(values, data)

    def to_payload(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, spec in self.declared():
            value = getattr(self, name)
            if spec.journaled(value):
                out[name] = spec.dump(value)
        return out


D = TypeVar("D", bound="Declared")


def declared_rows(cls: type[D], data: Mapping[str, Any], key: str, *, most: int, noun: str,
                  fields: str) -> tuple[D, ...]:
    """A list of 1 to ``most`` declared records under ``key`` (a case's defendants, a
    contract's tranches), every malformed one reported with its row, not only the first."""
    raw = data.get(key)
    if not isinstance(raw, list | tuple) or not 1 <= len(raw) <= most:
        raise InvalidInput(f"{key} lists 1 to {most} {noun} {{{fields}}}", field=key)
    out, errors = [], []
    for i, item in enumerate(raw, start=1):
        try:
            if not isinstance(item, Mapping):
                raise InvalidInput(f"each of the {noun} is an object {{{fields}}}", field=key)
            out.append(cls.from_payload(item))
        except QingshanError as exc:
            errors.append({"row": i, "field": exc.data.get("field"), "message": exc.message})
    if errors:
        raise InvalidInput(f"{len(errors)} of {len(raw)} {noun} are malformed", field=key,
                           errors=errors)
    return tuple(out)


def record_shape(cls: type[Declared], name: str) -> Shape:
    """The shape of a declared record nested in a command (a row of an import)."""
    fields = cls.declared()
    return Shape(type="object", name=name, properties=tuple((k, sp.shape()) for k, sp in fields),
                 optional=frozenset(k for k, sp in fields if not sp.required))
