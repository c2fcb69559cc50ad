"""Fuzzing the whole OpenAPI document with schemathesis: for requests made from the schema
(valid ones and ones that break it), signed in as the operator and as a member, no answer is a
server error (5xx) and every answer's body matches the schema the document gives for its
status, wherever it gives one (so the check tightens by itself as routes get response models).

Bounded to run inside ``make test`` in well under two minutes on two cores."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, settings
from schemathesis import Case
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from qingshan.api.app import create_app
from qingshan.infra.config import Settings
from qingshan.ledger.domain.model import SYSTEM, Role
from qingshan.platform import Platform
from tests.e2e.conftest import Api, Flow
from tests.support.book import ALICE_P, SETUP, fund, issue
from tests.support.keys import make_keys

ALICE, BOB = "A00000004", "A00000005"
# per operation, mode and principal: 118 operations (with resource rights) at 10 took three
# minutes beside the suite and pushed make test near its budget
EXAMPLES = 6


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """A platform with something in it: units, money, an instrument and a resting order."""
    tmp: Path = tmp_path_factory.mktemp("fuzz")
    settings_ = Settings(database_url=f"sqlite:///{tmp / 'fuzz.db'}",
                         signing_key_path=tmp / "key.pem")
    plat = Platform.open(settings_)
    plat.sequencer.execute(list(SETUP), SYSTEM, "setup")
    plat.sequencer.execute([issue(ALICE, 100_000), fund(ALICE, 10_000_000),
                            fund(BOB, 10_000_000)], SYSTEM, "seed")
    keys = make_keys(plat, {"operator": (Role.OPERATOR, None), "alice": (Role.MEMBER, ALICE_P)})
    with TestClient(create_app(settings_, plat)) as client:
        api = Api(client, plat, keys)
        flow = Flow(api)
        flow.ok("/market/instruments", {"id": "CQCER-ALL", "asset": "CQCER", "tick": 1,
                                        "lot": 1, "band_bps": 1000, "reference_price": 3000,
                                        "max_order": 100_000, "fee_bps": 30,
                                        "fee_account": BOB}, "operator")
        flow.ok("/market/orders", {"instrument": "CQCER-ALL", "account": ALICE, "side": "sell",
                                   "price": 3100, "quantity": 10}, "alice")
        yield api
    plat.close()


# every operation of the document, read from an app that opens no platform (nothing runs);
# the requests go to the platform of the ``fuzzed`` fixture
DOCUMENT = create_app(Settings()).openapi()
schema = schemathesis.openapi.from_dict(DOCUMENT)


def test_the_fuzzing_covers_the_ledger_the_registry_and_the_market() -> None:
    paths = set(DOCUMENT["paths"])
    for prefix in ("/api/v1/transfers", "/api/v1/registry/", "/api/v1/market/"):
        assert any(p.startswith(prefix) for p in paths), prefix
    assert sum(len(item) for item in DOCUMENT["paths"].values()) >= 60


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck),
          phases=[Phase.explicit, Phase.generate])  # a failure is shown unshrunk
def test_no_request_gets_a_server_error_and_every_body_matches_its_schema(
        case: Case, fuzzed: Api) -> None:
    app = fuzzed.client.app
    case.operation.schema.app = app  # in process (ASGI), on the fuzzed platform
    for who in ("operator", "alice"):
        response = case.call(app=app, headers={"Authorization": f"Bearer {fuzzed.keys[who]}"})
        case.validate_response(response, checks=[not_a_server_error,
                                                 response_schema_conformance])
