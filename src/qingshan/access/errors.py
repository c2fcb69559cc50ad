"""The codes the access book refuses with (docs/api.md lists each)."""

from __future__ import annotations

from qingshan.errors import Conflict, NotFound


class UnknownApiKey(NotFound):
    code = "unknown_api_key"


class KeyRevoked(Conflict):
    code = "key_revoked"
