"""The methodologies the registry accepts: versioned plugins (``id@version``).

Each module holds one methodology's versions with their parameters, units, defaults and
sources; see ``docs/methodologies.md``. A version whose math or rules changed is never edited:
a new version is added beside it (entries journaled with the old one replay with it).
"""

from __future__ import annotations

from qingshan.errors import NotFound
from qingshan.registry.methodologies import biogas, forest, forest_management, inclusive, pv
from qingshan.registry.methodologies.base import Methodology

ALL: tuple[Methodology, ...] = (forest.V1, pv.V1, biogas.V1, inclusive.V1,
                                forest.V2, pv.V2, biogas.V2, inclusive.V2, forest.V3,
                                forest_management.V1)
CURRENT: tuple[Methodology, ...] = tuple(m for m in ALL if not m.legacy and not m.closed)


def get(key: str) -> Methodology:
    for m in ALL:
        if m.key == key:
            return m
    raise NotFound("unknown methodology", methodology=key, known=[m.key for m in ALL])
