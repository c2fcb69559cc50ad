"""Response bodies as the API documents them (OpenAPI), one model per resource shape.

The routes keep answering with what the query functions return (plain dicts, rendered once):
the models document those bodies exactly (``extra="forbid"``), and the tests hold the two
together (``tests/e2e/test_openapi.py`` validates real answers against these models; the
schemathesis fuzz test checks every answer against the document). A write's answer is a
``Receipt`` whose ``result`` is an object whose fields depend on the command's kind (the
command's journal form; docs/api.md lists them).
"""

from __future__ import annotations

from typing import Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Field, create_model
from sqlalchemy import Table


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


_PYTHON = {"String": str, "Text": str, "BigInteger": int, "Integer": int, "Boolean": bool}


def row_model(name: str, table: Table, *, drop: tuple[str, ...] = (),
              types: dict[str, Any] | None = None, add: dict[str, Any] | None = None,
              doc: str = "") -> type[Out]:
    """The model of a query's row: the table's columns (a nullable one may be null) less
    ``drop``, with the JSON columns' shapes in ``types`` and computed fields in ``add``."""
    types, add = types or {}, add or {}
    fields: dict[str, Any] = {}
    for c in table.columns:
        if c.name in drop:
            continue
        if c.name in types:
            fields[c.name] = (types[c.name], ...)
        else:
            py = _PYTHON[type(c.type).__name__]
            fields[c.name] = (py | None if c.nullable else py, ...)
    fields.update({k: (v, ...) for k, v in add.items()})
    model = create_model(name, __base__=Out, __doc__=doc or None, **fields)
    return cast(type[Out], model)


# ------------------------------------------------------------------------------ writes
class Receipt(Out):
    """One command's answer: its journal entry's number and time (ms since the epoch, UTC),
    its kind and its result (an object whose fields depend on the kind). A replay under the
    same Idempotency-Key answers the same body, byte for byte, with status 200 and
    ``Idempotent-Replayed: true``."""

    seq: int
    time: int
    kind: str
    result: dict[str, Any] = Field(description="depends on the kind: the command's result")


class Receipts(Out):
    """A batch's answer: one receipt per command, in order."""

    receipts: list[Receipt]


def write(status: int = 201) -> dict[str, Any]:
    """The decorator arguments of a write route: its receipt, documented for the first answer
    (``status``) and for a replay (200)."""
    return {"status_code": status, "response_model": None,
            "responses": {status: {"model": Receipt, "description": "the receipt"},
                          200: {"model": Receipt,
                                "description": "a replay: the first answer's receipt"}}}


def batch_write() -> dict[str, Any]:
    return {"status_code": 201, "response_model": None,
            "responses": {201: {"model": Receipts, "description": "every receipt"},
                          200: {"model": Receipts,
                                "description": "a replay: the first answer's receipts"}}}


def media(media_type: str, description: str, status: int = 200) -> dict[str, Any]:
    """The decorator arguments of a route answering something other than JSON."""
    return {"response_model": None, "responses": {status: {
        "description": description,
        "content": {media_type: {"schema": {"type": "string", "format": "binary"}
                                 if "text" not in media_type else {"type": "string"}}}}}}


# ------------------------------------------------------------------------------ access
class NewApiKey(Out):
    """A key just created: the secret, shown this once, and the journal's record of it."""

    api_key: str = Field(description="the secret: keep it, it is never shown again")
    key: str = Field(description="the key's public id")
    role: str
    party: str | None
    label: str
    expires_ms: int
    seq: int


class ApiKey(Out):
    id: str
    role: str
    party: str | None
    label: str
    created_ms: int
    expires_ms: int
    revoked: bool
    seq: int | None
    created_by: str | None
    revoked_ms: int | None
    revoked_seq: int | None
    revoked_by: str | None


class Whoami(Out):
    id: str
    role: str
    party: str | None


# ------------------------------------------------------------------------------ accounts
class Account(Out):
    id: str
    party_id: str
    type: str
    status: str
    label: str


class Block(Out):
    block: int
    asset: str
    issuance: int
    vintage: int
    project: str
    start: int
    end: int
    quantity: int
    state: str
    hold: str | None
    serial: str


class Balance(Out):
    asset: str
    balance: int
    held: int
    available: int


class UnitsByState(Out):
    active: int
    held: int
    retired: int
    cancelled: int


class Holdings(Out):
    account: Account
    units: dict[str, UnitsByState]
    blocks: list[Block]
    balances: list[Balance]


class Actor(Out):
    id: str
    role: str
    party: str | None


class JournalEntry(Out):
    """One journal entry as it is stored and hashed into the log. Read by a member, account
    numbers of other parties show as ``private``."""

    seq: int
    time: int
    actor: Actor
    key: str
    kind: str
    payload: dict[str, Any]
    result: dict[str, Any]


# ------------------------------------------------------------------------------ serials
class SerialBlock(Out):
    id: int
    start: int
    end: int
    state: str
    account: str = Field(description="``private`` unless the reader may see it")
    hold: str | None
    serial: str


class SerialIssuance(Out):
    id: int
    project: str
    vintage: int
    serials: list[int]
    monitoring_period: list[str]
    reference: str


class SerialStep(Out):
    seq: int
    kind: str
    time: int
    from_: str | None = Field(alias="from")
    to: str
    state: str
    range: list[int]


class SerialRetirement(Out):
    id: str
    seq: int
    account: str
    asset: str
    quantity: int
    purpose: str
    beneficiary: str
    reason: str
    reference: str


class SerialLookup(Out):
    asset: str
    serial: int
    unit_serial: str
    block: SerialBlock
    issuance: SerialIssuance
    retirement: SerialRetirement | None
    history: list[SerialStep]


# ------------------------------------------------------------------------------ the log
class TreeHead(Out):
    size: int
    root: str = Field(description="hex")
    timestamp: int
    signature: str = Field(description="hex, Ed25519")
    key_id: str


class InclusionBundle(Out):
    """What ``qingshan log check`` verifies offline."""

    format: str
    entry: str = Field(description="the entry's canonical bytes, base64")
    leaf_index: int
    tree_head: TreeHead
    audit_path: list[str]
    public_key: str = Field(description="PEM")


class ProofCheck(Out):
    valid: bool
    reason: str | None = None
    seq: int | None = None
    kind: str | None = None
    tree_size: int | None = None
    root: str | None = None


class ConsistencyProof(Out):
    first: int
    second: int
    first_root: str
    second_root: str
    proof: list[str]


# ------------------------------------------------------------------------------ registry
class AssetClass(Out):
    code: str
    kind: Literal["serialized", "fungible"]
    unit: str
    name: str
    registry: str
    next_serial: int


class Issuance(Out):
    id: int
    asset: str
    project: str
    vintage: int
    serial_start: int
    serial_end: int
    monitoring_start: str
    monitoring_end: str
    reference: str
    category: str | None


class Retirement(SerialRetirement):
    ranges: list[list[int]]


class Supply(Out):
    active: int
    held: int
    retired: int
    cancelled: int
    issued: int = 0


class Stats(Out):
    parties: dict[str, int]
    supply: dict[str, Supply]
    journal_size: int


def ok(model: Any, description: str = "the answer") -> dict[str, Any]:
    """The decorator arguments of a read route answering JSON of ``model``'s shape."""
    return {"response_model": None,
            "responses": {200: {"model": model, "description": description}}}
