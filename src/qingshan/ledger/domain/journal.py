"""Journal entries and their canonical encoding.

A journal entry is the one record of a change. Its canonical encoding is UTF-8 JSON with keys
sorted and no insignificant white space (the integers-only subset of RFC 8785 JCS): the same
entry always gives the same bytes, which are the leaf of the transparency log.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import orjson

from qingshan.ledger.domain.model import Principal


def canonical(value: Any) -> bytes:
    """Canonical JSON bytes: sorted keys, no spaces, UTF-8 (integers only, never floats)."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


# orjson's range of integers: signed and unsigned 64 bits
MIN_INT, MAX_INT = -(2**63), 2**64 - 1


def unencodable(value: Any, path: str = "") -> tuple[str, str] | None:
    """Where ``value`` has something canonical JSON cannot hold, from the client's side: the
    field's path and why (text that is not valid Unicode, such as a lone UTF-16 surrogate, or
    an integer out of range), or None when nothing of the kind is in it."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return path, "text that is not valid Unicode (a lone UTF-16 surrogate)"
        return None
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return None if MIN_INT <= value <= MAX_INT else (path, "an integer out of range")
    if isinstance(value, dict):
        for k, v in value.items():
            found = unencodable(k, path) or unencodable(v, f"{path}.{k}" if path else str(k))
            if found is not None:
                return found
        return None
    if isinstance(value, list | tuple):
        for i, v in enumerate(value):
            found = unencodable(v, f"{path}[{i}]")
            if found is not None:
                return found
    return None


def request_hash(kind: str, payload: dict[str, Any]) -> str:
    """Fingerprint of a request, to tell a replay from a different request with the same key."""
    return hashlib.sha256(canonical({"kind": kind, "payload": payload})).hexdigest()


@dataclass(frozen=True, slots=True)
class JournalEntry:
    seq: int  # 1, 2, 3, …: position in the journal; leaf index is seq - 1
    time_ms: int  # Unix time in milliseconds, set by the sequencer
    actor: Principal
    key: str  # idempotency key, scoped by principal: "<principal>/<client key>"
    kind: str
    payload: dict[str, Any]
    result: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "time": self.time_ms, "actor": self.actor.to_payload(),
                "key": self.key, "kind": self.kind, "payload": self.payload,
                "result": self.result}

    def canonical(self) -> bytes:
        return canonical(self.to_dict())

    @classmethod
    def from_canonical(cls, data: bytes | str) -> JournalEntry:
        d = orjson.loads(data)
        return cls(seq=d["seq"], time_ms=d["time"], actor=Principal.from_payload(d["actor"]),
                   key=d["key"], kind=d["kind"], payload=d["payload"], result=d["result"])
