"""The methodologies the registry accepts: versioned plugins (``id@version``).

Each module holds one methodology with its parameters, units, defaults and sources; see
``docs/methodologies.md``.
"""

from __future__ import annotations

from qingshan.errors import NotFound
from qingshan.registry.methodologies import biogas, forest, inclusive, pv
from qingshan.registry.methodologies.base import Methodology

ALL: tuple[Methodology, ...] = (forest.METHODOLOGY, pv.METHODOLOGY, biogas.METHODOLOGY,
                                inclusive.METHODOLOGY)


def get(key: str) -> Methodology:
    for m in ALL:
        if m.key == key:
            return m
    raise NotFound("unknown methodology", methodology=key, known=[m.key for m in ALL])
