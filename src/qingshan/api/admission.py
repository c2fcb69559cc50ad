"""What every request must satisfy before a route sees it, for every route of the app (the API,
the pages and their forms), so a new route is covered without doing anything:

* its body is at most ``QINGSHAN_MAX_REQUEST_BYTES`` (:class:`RequestSizeLimit`, counting the
  bytes actually received, not only what ``Content-Length`` says): ``413 request_too_large``;
* every text in it — query and path parameters, the headers a route reads, every string and
  key of a JSON body, every form field, a text body (CSV) as a whole — keeps the text
  policy's characters (:mod:`qingshan.ledger.domain.parsing`): ``422 invalid_text`` naming
  the field;
* every integer (or number) query or path parameter lies in its range: the one the route
  declares, else 0 to 2^63 - 1, which every id and counter column holds; numbers are finite
  (``422 invalid_input`` naming the parameter). The OpenAPI document shows the same ranges.

The command parsers check each field again (its own limit, one line or long text): the edge
refuses early and names the field, the domain stays safe whatever edge calls it.
"""

from __future__ import annotations

import math
import types
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Union, get_args, get_origin

import annotated_types
import orjson
from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import TypeAdapter, ValidationError
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from qingshan.errors import InvalidInput, InvalidText, RequestTooLarge
from qingshan.ledger.domain.parsing import INT64_MAX, text_problem

DEFAULT_MAX_REQUEST_BYTES = 1_048_576  # 1 MiB: a full batch of 1,000 commands is ~300 kB


# ------------------------------------------------------------------------------ request size
class BodyTooLarge(HTTPException):
    """Raised from ``receive`` once the body passes the limit (an HTTPException, so the route's
    own body parsing passes it on to the app's handler, which answers in the error format)."""

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=f"the request body is larger than {limit} bytes")
        self.limit = limit


def too_large_body(limit: int) -> bytes:
    error = RequestTooLarge(f"the request body is larger than {limit} bytes", limit=limit)
    return orjson.dumps({"error": error.to_dict()})


class RequestSizeLimit:
    """ASGI middleware: refuses a body larger than ``max_bytes`` with 413, whether it says so
    in ``Content-Length`` (refused before the app runs) or sends more than it said, or sends
    it in chunks without a length (refused when the byte past the limit arrives). A POST to
    one of the paths in ``larger`` (a partner's file upload) has that path's limit instead."""

    def __init__(self, app: ASGIApp, max_bytes: int = DEFAULT_MAX_REQUEST_BYTES,
                 larger: Mapping[str, int] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.larger = dict(larger or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_bytes
        if scope.get("method") == "POST":
            limit = self.larger.get(scope.get("path", ""), limit)
        for name, value in scope["headers"]:
            if name == b"content-length" and (not value.isdigit() or int(value) > limit):
                await self._refuse(send, limit)
                return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge:
            if started:
                raise
            await self._refuse(send, limit)

    @staticmethod
    async def _refuse(send: Send, limit: int) -> None:
        body = too_large_body(limit)
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})


# ------------------------------------------------------------------------------ parameters
@dataclass(frozen=True, slots=True)
class NumberParam:
    """An integer or number query or path parameter and the range it is checked against."""

    location: str  # "query" or "path"
    name: str
    integer: bool
    minimum: int | float
    maximum: int | float


_INT = TypeAdapter(int)
_FLOAT = TypeAdapter(float)
_ROUTE_PARAMS: dict[int, tuple[list[NumberParam], list[str]]] = {}


def _fields(dependant: Dependant) -> Iterator[Any]:
    todo = [dependant]
    while todo:
        d = todo.pop()
        yield from d.path_params
        yield from d.query_params
        yield from d.header_params
        todo.extend(d.dependencies)


def _numeric(annotation: Any) -> bool | None:
    """True for an int parameter, False for a float one, None for anything else."""
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        annotation = args[0] if len(args) == 1 else None
    if annotation is int:
        return True
    return False if annotation is float else None


def _range(metadata: list[Any], integer: bool) -> tuple[int | float, int | float]:
    """The declared bounds (Query(ge=, le=), …), else 0 to 2^63 - 1."""
    lo: int | float = 0
    hi: int | float = INT64_MAX
    step = 1 if integer else 0
    for m in metadata:
        if isinstance(m, annotated_types.Ge | annotated_types.Gt):
            ge = getattr(m, "ge", None)
            lo = _number(ge) if ge is not None else _number(getattr(m, "gt", 0)) + step
        elif isinstance(m, annotated_types.Le | annotated_types.Lt):
            le = getattr(m, "le", None)
            hi = _number(le) if le is not None else _number(getattr(m, "lt", 0)) - step
    return max(lo, -INT64_MAX - 1), min(hi, INT64_MAX)


def _number(value: object) -> int | float:
    return value if isinstance(value, int | float) else float(str(value))


def route_params(route: APIRoute) -> tuple[list[NumberParam], list[str]]:
    """The route's number parameters with their ranges, and the headers it reads."""
    found = _ROUTE_PARAMS.get(id(route))
    if found is not None:
        return found
    numbers: list[NumberParam] = []
    headers: list[str] = []
    for field in _fields(route.dependant):
        location = getattr(field.field_info, "in_", None)
        where = getattr(location, "value", "")
        if where == "header":
            headers.append(field.alias)
            continue
        integer = _numeric(field.field_info.annotation)
        if integer is not None and where in ("query", "path"):
            lo, hi = _range(list(field.field_info.metadata), integer)
            numbers.append(NumberParam(where, field.alias, integer, lo, hi))
    _ROUTE_PARAMS[id(route)] = (numbers, headers)
    return numbers, headers


def _check_number(p: NumberParam, raw: str) -> None:
    try:
        value: int | float = (_INT if p.integer else _FLOAT).validate_python(raw)
    except ValidationError:
        return  # not a number at all: the route's own validation says so
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidInput(f"{p.name} must be a finite number", field=p.name, value=raw[:64])
    if not p.minimum <= value <= p.maximum:
        raise InvalidInput(f"{p.name} must be from {p.minimum} to {p.maximum}", field=p.name,
                           minimum=p.minimum, maximum=p.maximum, value=raw[:64])


# ------------------------------------------------------------------------------ text
def check_text(value: str, field: str) -> None:
    problem = text_problem(value, long=True)
    if problem is not None:
        name = shown(field)
        raise InvalidText(f"{name} {problem}", field=name)


def shown(name: str) -> str:
    """A field's name as an error names it: a character the policy refuses (in a JSON key or
    a query parameter's name) is written as its escape, ``\\u0000``, never sent back raw."""
    if text_problem(name) is None:
        return name
    return "".join(f"\\u{ord(c):04x}" if text_problem(c) else c for c in name)


def check_tree(data: Any, root: str = "") -> None:
    """Every string and key anywhere in parsed JSON (without recursion: any depth is safe)."""
    todo: list[tuple[str, Any]] = [(root, data)]
    while todo:
        path, item = todo.pop()
        if isinstance(item, str):
            check_text(item, path or "body")
        elif isinstance(item, dict):
            for k, v in item.items():
                check_text(k, f"{path}.{k}" if path else str(k))
                todo.append((f"{path}.{k}" if path else str(k), v))
        elif isinstance(item, list):
            todo.extend((f"{path}.{i}" if path else str(i), v) for i, v in enumerate(item))


async def _check_body(request: Request) -> None:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/json" or kind.endswith("+json") or not kind:
        if not await request.body():
            return
        try:
            data = await request.json()
        except (ValueError, RecursionError):
            return  # not JSON: the route refuses it (or reads it as bytes)
        check_tree(data)
    elif kind.startswith("text/"):  # a CSV import, say: its text as a whole
        try:
            body = (await request.body()).decode("utf-8")
        except UnicodeDecodeError:
            return  # not UTF-8: the route says so
        check_text(body, "body")
    elif kind in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.form()
        for key, value in form.multi_items():
            check_text(key, key)
            if not isinstance(value, UploadFile):
                check_text(value, key)


async def admit(request: Request) -> None:
    """The app-wide dependency: the text policy and number ranges, before any route runs."""
    for key, value in request.query_params.multi_items():
        check_text(key, key)
        check_text(value, key)
    for key, value in request.path_params.items():
        if isinstance(value, str):
            check_text(value, key)
    route = request.scope.get("route")
    if isinstance(route, APIRoute):
        numbers, headers = route_params(route)
        for name in headers:
            header = request.headers.get(name)
            if header is not None:
                check_text(header, name)
        for p in numbers:
            raws = request.query_params.getlist(p.name) if p.location == "query" else \
                [str(request.path_params.get(p.name, ""))]
            for raw in raws:
                _check_number(p, raw)
    await _check_body(request)


# ------------------------------------------------------------------------------ OpenAPI
ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error", "type": "object", "required": ["error"], "additionalProperties": False,
    "properties": {"error": {
        "type": "object", "required": ["code", "message"],
        "properties": {"code": {"type": "string", "description": "stable, machine-readable"},
                       "message": {"type": "string"},
                       "data": {"type": "object", "description": "the fields involved"}}}}}


def document(schema: dict[str, Any]) -> dict[str, Any]:
    """Make the OpenAPI document say what admission does: number parameters carry their
    range (declared ones already do; the rest get 0 to 2^63 - 1), and every 4xx and 5xx
    answer is in the one error format (instead of FastAPI's own 422 body)."""
    schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for name in ("HTTPValidationError", "ValidationError"):
        schema["components"]["schemas"].pop(name, None)
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    for item in schema.get("paths", {}).values():
        for op in item.values():
            responses = op.setdefault("responses", {})
            responses.pop("422", None)
            responses["4XX"] = {"description": "refused: see docs/api.md, Errors", **error}
            responses["5XX"] = {"description": "unavailable, or a defect", **error}
            for param in op.get("parameters", []):
                if param.get("in") in ("query", "path"):
                    _bound(param.get("schema", {}))
    return schema


def _bound(schema: dict[str, Any]) -> None:
    for branch in schema.get("anyOf", [schema]):
        if branch.get("type") in ("integer", "number"):
            branch.setdefault("minimum", 0)
            branch.setdefault("maximum", INT64_MAX)
