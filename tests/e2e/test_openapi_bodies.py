"""Every request body the API documents has a schema with declared properties: the clients,
the poison test and the fuzz test read the document, so a free-form body (``dict[str, Any]``)
would hide what a route takes. The bodies of the commands' routes are derived from the
commands' one definition (qingshan.api.bodies), path parameters left out."""

from __future__ import annotations

from typing import Any

from qingshan.api.app import create_app
from qingshan.infra.config import Settings

DOCUMENT = create_app(Settings()).openapi()
# the one nested object that is not declared: a batch command's payload, which is any
# command's (its kind names it, and that command's parser checks it, field by field)
ANY_COMMAND = ("BatchCommandIn", "payload")


def _resolve(schema: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    ref = schema.get("$ref")
    if ref is None:
        return "", schema
    name = ref.rsplit("/", 1)[-1]
    found: dict[str, Any] = DOCUMENT["components"]["schemas"][name]
    return name, found


def _bodies() -> list[tuple[str, str, dict[str, Any]]]:
    out = []
    for path, item in DOCUMENT["paths"].items():
        for method, op in item.items():
            for media, content in op.get("requestBody", {}).get("content", {}).items():
                out.append((f"{method.upper()} {path} ({media})", media, content["schema"]))
    return out


def _free_objects(schema: dict[str, Any], where: str, seen: set[str]) -> list[str]:
    """Where ``schema`` holds an object with neither declared properties nor one type for
    all its values."""
    name, schema = _resolve(schema)
    if name in seen:
        return []
    seen = seen | {name} if name else seen
    found: list[str] = []
    for branch in schema.get("anyOf", []) + schema.get("oneOf", []):
        found += _free_objects(branch, where, seen)
    if schema.get("type") == "object":
        extra = schema.get("additionalProperties", True)
        if not schema.get("properties") and not isinstance(extra, dict):
            found.append(where)
        for key, prop in schema.get("properties", {}).items():
            if (name, key) != ANY_COMMAND:
                found += _free_objects(prop, f"{where}.{key}", seen)
        if isinstance(extra, dict):
            found += _free_objects(extra, f"{where}.*", seen)
    for key in ("items", "prefixItems"):
        inner = schema.get(key)
        for item in inner if isinstance(inner, list) else [inner] if inner else []:
            found += _free_objects(item, f"{where}[]", seen)
    return found


def test_every_request_body_declares_its_properties() -> None:
    bodies = _bodies()
    assert len(bodies) >= 35  # the ledger's, the registry's and the market's writes (today)
    free = []
    for where, media, schema in bodies:
        if media != "application/json":
            continue
        _, top = _resolve(schema)
        if top.get("type") != "object" or not top.get("properties") \
                or top.get("additionalProperties") is not False:
            free.append(where)
        free += _free_objects(schema, where, set())
    assert free == []


def test_a_command_body_leaves_out_its_path_parameters_and_internal_fields() -> None:
    _, release = _resolve(DOCUMENT["paths"]["/api/v1/holds/{hold}/release"]["post"]
                          ["requestBody"]["content"]["application/json"]["schema"])
    assert set(release["properties"]) == {"reason"}
    _, enforce = _resolve(DOCUMENT["paths"]["/api/v1/holds/{hold}/enforce"]["post"]
                          ["requestBody"]["content"]["application/json"]["schema"])
    assert set(enforce["properties"]) == {"destination", "quantity", "reason"}  # no keep_rest
    assert enforce["required"] == ["destination"]


def test_a_derived_body_documents_limits_choices_and_examples() -> None:
    _, order = _resolve(DOCUMENT["paths"]["/api/v1/market/orders"]["post"]["requestBody"]
                        ["content"]["application/json"]["schema"])
    props = order["properties"]
    assert props["instrument"]["maxLength"] == 24 and props["instrument"]["examples"]
    _, order_type = _resolve(props["order_type"])
    assert order_type["enum"] == ["limit", "ioc", "market"]  # what a member may send
    assert "default" not in props["price"] or props["price"]["default"] is None
    _, project = _resolve(DOCUMENT["paths"]["/api/v1/registry/projects"]["post"]
                          ["requestBody"]["content"]["application/json"]["schema"])
    assert project["properties"]["documents"]["maxItems"] == 50
    assert set(project["required"]) >= {"proponent", "account", "name", "methodology"}
