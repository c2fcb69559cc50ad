"""Methodology plugins (placeholder until the plugin modules land)."""

from __future__ import annotations

from qingshan.errors import NotFound
from qingshan.registry.methodologies.base import Methodology

ALL: tuple[Methodology, ...] = ()


def get(key: str) -> Methodology:
    for m in ALL:
        if m.key == key:
            return m
    raise NotFound("unknown methodology", methodology=key)
