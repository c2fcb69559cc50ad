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
