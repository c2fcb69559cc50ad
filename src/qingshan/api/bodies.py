"""Request bodies derived from the commands' one definition (qingshan.ledger.domain.definition):
each declared field a client may send becomes a property of the body's Pydantic model, and so
of the OpenAPI document, with its JSON type, limits, choices, description and examples.

The model checks shapes and JSON types strictly, and each text field's length under the text
policy (at most n characters, answered ``422 invalid_text``); the command's ``from_payload``
then checks meaning (ids, ranges, codes, the text policy) field by field, with the codes it
always answered. List limits are documented here and enforced by the parser (which names the
field)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    StrictBool,
    StrictInt,
    StrictStr,
    StringConstraints,
    create_model,
)
from pydantic.json_schema import models_json_schema

from qingshan.ledger.domain.definition import NOTHING, Declared, Shape, Spec

DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


def text(max_length: int | None) -> Any:
    return Annotated[StrictStr, StringConstraints(max_length=max_length)]


def annotation(shape: Shape) -> Any:
    """The Pydantic type of a field's shape."""
    if shape.type == "text":
        if shape.length_at_edge or shape.max_length is None:
            return text(shape.max_length)
        return Annotated[StrictStr, Field(json_schema_extra={"maxLength": shape.max_length})]
    if shape.type == "integer":
        return StrictInt
    if shape.type == "boolean":
        return StrictBool
    if shape.type == "choice":
        return shape.choices
    if shape.type == "date":
        return Annotated[StrictStr, StringConstraints(pattern=DATE_PATTERN)]
    if shape.type == "tuple":
        return tuple.__class_getitem__(tuple(annotation(s) for s in shape.items))
    if shape.type == "list":
        limits: dict[str, JsonValue] = {k: v for k, v in (("minItems", shape.min_length),
                                              ("maxItems", shape.max_length)) if v is not None}
        item = annotation(shape.items[0])
        return Annotated[list[item], Field(json_schema_extra=limits or None)]  # type: ignore[valid-type]
    if shape.type == "map":  # text keys (the parser checks them) to values of one shape
        size: dict[str, JsonValue] = {"maxProperties": shape.max_length} \
            if shape.max_length is not None else {}
        value = annotation(shape.items[0])
        return Annotated[dict[str, value], Field(json_schema_extra=size or None)]  # type: ignore[valid-type]
    if shape.type == "object":
        return object_model(shape, shape.name or "Item")
    raise ValueError(f"no edge type for a {shape.type} field")


def object_model(shape: Shape, name: str = "Item") -> type[BaseModel]:
    fields: dict[str, Any] = {}
    for key, inner in shape.properties:
        if key in shape.optional:
            fields[key] = (annotation(inner) | None, None)
        else:
            fields[key] = (annotation(inner), ...)
    return create_model(name, __base__=Body, **fields)


def property_of(spec: Spec) -> tuple[Any, Any]:
    """(type, Field) of one declared field in a request body: a required field has no
    default; an optional text defaults to "", a yes/no to false, anything else to null."""
    shape = spec.shape()
    kind = annotation(shape)
    info: dict[str, Any] = {}
    if spec.description:
        info["description"] = spec.description
    if spec.examples:
        info["examples"] = list(spec.examples)
    if spec.required:
        return kind, Field(**info)
    if spec.nullable:
        return kind | None, Field(default=None, **info)
    if shape.type == "text" and spec.absent is NOTHING:
        return kind, Field(default="", **info)
    if shape.type == "boolean" and spec.absent is NOTHING:
        return kind, Field(default=False, **info)
    # may be left out, but is never null: absent stays absent (dropped by payload())
    # (a factory, so the document shows no default of null)
    return kind, Field(default_factory=_absent, **info)


def _absent() -> None:
    return None


def request_body(command: type[Declared], name: str, *, path: tuple[str, ...] = (),
                 only: tuple[str, ...] | None = None, doc: str = "") -> type[BaseModel]:
    """The request body of ``command``: every field a client may set, less those the route
    takes from its path (merged back into the payload by :func:`payload`)."""
    fields: dict[str, Any] = {}
    for key, spec in command.declared():
        if key in path or not spec.from_client or (only is not None and key not in only):
            continue
        fields[key] = property_of(spec)
    written = command.__doc__ or ""  # (a dataclass without one gets its signature)
    if written.startswith(f"{command.__name__}("):
        written = ""
    return create_model(name, __base__=Body, __doc__=doc or written or None, **fields)


def payload(model: BaseModel, **extra: Any) -> dict[str, Any]:
    """The command payload: the body's fields that were sent, plus path parameters."""
    data = model.model_dump(mode="json", exclude_none=True)
    data.update(extra)
    return data


COMPONENTS = "#/components/schemas/{model}"
# bodies a route reads itself (JSON or CSV), documented by name: the app adds their schemas
RAW_BODIES: list[type[BaseModel]] = []


def raw_body(model: type[BaseModel], description: str) -> dict[str, Any]:
    """``openapi_extra`` for a route that reads its JSON body itself (it also takes CSV)."""
    RAW_BODIES.append(model)
    return {"requestBody": {"required": True, "description": description, "content": {
        "application/json": {"schema": {"$ref": COMPONENTS.format(model=model.__name__)}}}}}


def raw_body_schemas() -> dict[str, Any]:
    """The schemas of :data:`RAW_BODIES` (and what they nest), for the document's components."""
    if not RAW_BODIES:
        return {}
    _, found = models_json_schema([(m, "validation") for m in RAW_BODIES],
                                  ref_template=COMPONENTS)
    schemas: dict[str, Any] = found.get("$defs", {})
    return schemas
