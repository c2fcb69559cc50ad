"""The transparency log's Ed25519 signing key, kept in a PEM file (created with mode 0600 on
first use). The ledger's (it signs the log's tree heads), not infra's: infra imports nothing
above it."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from qingshan.ledger import transparency as tlog


def load_or_create_signing_key(path: Path) -> Ed25519PrivateKey:
    if path.exists():
        return tlog.private_key_from_pem(path.read_bytes())
    path.parent.mkdir(parents=True, exist_ok=True)
    key = tlog.generate_signing_key()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(tlog.private_key_to_pem(key))
    return key
