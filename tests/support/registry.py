"""A registry on top of the test book, with a simple methodology for tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from qingshan.ledger.books import Router
from qingshan.ledger.domain.commands import Command, OpenAccount, RegisterParty
from qingshan.ledger.domain.model import SYSTEM, AccountType, PartyKind, Principal, Role
from qingshan.ledger.domain.state import Effects
from qingshan.registry.book import RegistryBook
from qingshan.registry.methodologies import ALL
from qingshan.registry.methodologies.base import (
    Methodology,
    Parameter,
    ParameterKind,
    Source,
)
from tests.support.book import NOW_MS, make_book

TEST_PV = Methodology(
    id="TEST-PV", version="1.0", title_zh="测试光伏", title_en="test photovoltaics",
    sector="energy", scope="tests only",
    source=Source("test", "tests"),
    parameters=(Parameter("eg_mwh", "上网电量", "net electricity", "MWh", minimum=0),
                Parameter("ef", "排放因子", "grid factor", "tCO2/MWh", minimum=0, maximum=2,
                          default=0.5, kind=ParameterKind.FIXED)),
    report_fields=("meter readings",),
    calculate=lambda v: v["eg_mwh"] * v["ef"])
TEST_FOREST = Methodology(
    id="TEST-FOREST", version="2.1", title_zh="测试林业", title_en="test forestry",
    sector="forestry", scope="tests only", source=Source("test", "tests"),
    parameters=(Parameter("removals", "净碳汇", "net removals", "tCO2e", minimum=0),),
    report_fields=(), calculate=lambda v: v["removals"], buffer_percent=20)
# the test methodologies and every real one (legacy versions included)
METHODOLOGIES = {m.key: m for m in (TEST_PV, TEST_FOREST, *ALL)}

# parties and accounts added after tests.support.book's SETUP
EXTRA: list[Command] = [
    RegisterParty(PartyKind.VERIFIER, "verifier one", None),  # P000005
    RegisterParty(PartyKind.VERIFIER, "verifier two", None),  # P000006
    OpenAccount("P000001", AccountType.BUFFER, "buffer pool"),  # A00000007
]
VERIFIER_KEY = Principal("k-ver", Role.VERIFIER, "P000005")
BUFFER = "A00000007"


def project_payload(**over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "proponent": "P000002", "account": "A00000004", "name": "巫山县光伏扶贫电站",
        "methodology": "TEST-PV@1.0", "district": "500237", "lat_e6": 31_074_000,
        "lon_e6": 109_878_000, "crediting_start": "2022-01-01",
        "crediting_end": "2031-12-31", "estimated_annual": 5000,
        "description": "distributed PV on village roofs",
        "documents": [{"name": "PDD", "sha256": "a" * 64, "url": "https://example.org/pdd"}]}
    base.update(over)
    return base


@dataclass
class RegistryWorld:
    """The registry on the test book; each command runs as the next journal entry, and a
    refused one leaves nothing behind (as in the sequencer's unit of work)."""

    router: Router
    registry: RegistryBook
    seq: int = 0

    def run(self, cmd: Command, actor: Principal = SYSTEM) -> Effects:
        mark = self.router.mark()
        try:
            effects = self.router.apply(cmd, actor, self.seq + 1)
        except BaseException:
            self.router.rollback_to(mark)
            raise
        self.seq += 1
        self.router.forget_undo()
        return effects


def make_world(legacy_until: int = 0, rules2_until: int = 0) -> RegistryWorld:
    book = make_book()
    registry = RegistryBook(METHODOLOGIES, legacy_until, rules2_until)
    router = Router(book.state, [registry])
    router.now_ms = NOW_MS
    world = RegistryWorld(router, registry)
    for cmd in EXTRA:
        world.run(cmd)
    return world


# grid-factor rows for tests only (not published figures): a Central China table of 2021 and a
# South-West table of 2023, both covering Chongqing (50)
def _factor(fid: str, kind: str, region: str, provinces: list[str], year: int,
            value: str) -> dict[str, Any]:
    return {"id": fid, "kind": kind, "region": region, "provinces": provinces, "year": year,
            "value": value, "document": "test table (not a published figure)",
            "locator": "tests only", "url": "", "published": f"{year + 1}-12-01"}


FACTOR_ROWS: list[dict[str, Any]] = [
    _factor("TEST-OM-2021-C", "om", "华中", ["36", "41", "42", "43", "50", "51"], 2021, "0.8"),
    _factor("TEST-BM-2021-C", "bm", "华中", ["36", "41", "42", "43", "50", "51"], 2021, "0.4"),
    _factor("TEST-OM-2023-SW", "om", "西南", ["50", "51", "54"], 2023, "0.6"),
    _factor("TEST-BM-2023-SW", "bm", "西南", ["50", "51", "54"], 2023, "0.2"),
    _factor("TEST-AVG-2023-SW", "average", "西南", ["50", "51", "54"], 2023, "0.2472"),
]
