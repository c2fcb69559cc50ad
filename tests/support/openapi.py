"""Every JSON answer checked against the schema the OpenAPI document gives it: attach
``conformance(client)`` to a TestClient and each 2xx ``application/json`` answer of an
``/api/v1`` route is validated as it arrives (an answer outside its schema fails the test
that made the request).

The document is built once per test process, not once per app: FastAPI spends over a second
(several under coverage) building it, and the e2e fixtures make a new app for every test. It is
a function of the routes alone (``qingshan.api.app.create_app``: constant title, version and
description, the same module-level routers whatever the settings or the platform), so every
app's document is this one; :func:`conformance` checks that the app has exactly the routes of
the app the document came from. ``tests/e2e/test_openapi.py`` reads the document each app
serves.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import httpx
import jsonschema_rs
from fastapi import FastAPI
from fastapi.testclient import TestClient

from qingshan.api.app import create_app
from qingshan.infra.config import Settings


class Conformance:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.routes: list[tuple[re.Pattern[str], str]] = []
        # literal segments before parameters, so /exports/schema wins over /exports/{x}.{y}
        for path in sorted(document["paths"], key=lambda p: (p.count("{"), -len(p))):
            pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path))
            self.routes.append((re.compile(f"^{pattern}$"), path))
        self.validators: dict[tuple[str, str, str], Any] = {}
        self.checked = 0

    def validator(self, method: str, path: str, status: str) -> Any:
        key = (method, path, status)
        if key not in self.validators:
            op = self.document["paths"][path].get(method, {})
            response = op.get("responses", {}).get(status, {})
            schema = response.get("content", {}).get("application/json", {}).get("schema")
            self.validators[key] = None if schema is None else \
                jsonschema_rs.Draft202012Validator(
                    {**schema, "components": self.document["components"]})
        return self.validators[key]

    def check(self, response: httpx.Response) -> None:
        url_path = response.request.url.path
        if not (url_path.startswith("/api/v1") and 200 <= response.status_code < 300
                and response.headers.get("content-type", "").startswith("application/json")):
            return
        path = next((p for rx, p in self.routes if rx.match(url_path)), None)
        assert path is not None, f"no documented route for {url_path}"
        response.read()
        validator = self.validator(response.request.method.lower(), path,
                                   str(response.status_code))
        assert validator is not None, f"no schema for {response.request.method} {path} " \
                                      f"{response.status_code}"
        errors = [e.message for e in validator.iter_errors(response.json())]
        assert not errors, (f"{response.request.method} {url_path} answered outside its "
                            f"schema: {errors[:3]}")
        self.checked += 1


def _routes(app: FastAPI) -> list[tuple[str, str, list[str]]]:
    return [(type(r).__name__, getattr(r, "path", ""), sorted(getattr(r, "methods", None) or []))
            for r in app.routes]


@functools.cache
def _document() -> tuple[list[tuple[str, str, list[str]]], dict[str, Any]]:
    """The routes of an app made by ``create_app`` and the document it serves."""
    app = create_app(Settings())
    return _routes(app), app.openapi()


def conformance(client: TestClient) -> Conformance:
    """Check every answer ``client`` receives from now on against the app's document."""
    routes, document = _document()
    assert isinstance(client.app, FastAPI) and _routes(client.app) == routes, \
        "this app's routes differ from those the document was built from"
    c = Conformance(document)
    client.event_hooks["response"] = [*client.event_hooks["response"], c.check]
    return c
