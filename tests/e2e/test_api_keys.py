"""API keys: hashed at rest, with an expiry, revocable by the operator and by the key itself
(at once, whatever the cache), created and revoked as journal entries that name the key but
never its secret; sessions opened with a key end with it."""

from __future__ import annotations

import re
import time
from typing import Any

import orjson
from sqlalchemy import select, update

from qingshan.infra import schema as t
from tests.e2e.conftest import Api

ALICE_P, BOB_P = "P000002", "P000003"


def create(api: Api, body: dict[str, Any], who: str = "operator",
           key: str | None = None) -> Any:
    return api.client.post("/api/v1/api-keys", json=body, headers=api.headers(who, key))


def revoke(api: Api, key_id: str, who: str, idem: str = "revoke",
           token: str | None = None) -> Any:
    headers = {"Authorization": f"Bearer {token or api.keys[who]}", "Idempotency-Key": idem}
    return api.client.post(f"/api/v1/api-keys/{key_id}/revoke",
                           json={"reason": "left the company"}, headers=headers)


def whoami(api: Api, token: str) -> int:
    return int(api.client.get("/api/v1/whoami",
                              headers={"Authorization": f"Bearer {token}"}).status_code)


def key_id(token: str) -> str:
    return token[3:].split(".", 1)[0]


def test_a_revoked_key_is_refused_at_once(api: Api) -> None:
    r = create(api, {"role": "member", "party": ALICE_P, "label": "alice's robot",
                     "expires_in_days": 30})
    assert r.status_code == 201, r.text
    token = r.json()["api_key"]
    assert whoami(api, token) == 200  # now in the short authentication cache
    done = revoke(api, key_id(token), "operator")
    assert done.status_code == 201, done.text
    assert whoami(api, token) == 401  # not five seconds later: now
    again = revoke(api, key_id(token), "operator", idem="revoke-again")
    assert again.status_code == 409 and again.json()["error"]["code"] == "key_revoked"


def test_a_key_revokes_itself_and_a_member_cannot_revoke_anothers(api: Api) -> None:
    alice = create(api, {"role": "member", "party": ALICE_P, "label": "a"}).json()["api_key"]
    bob = create(api, {"role": "member", "party": BOB_P, "label": "b"}).json()["api_key"]
    alice2 = create(api, {"role": "member", "party": ALICE_P, "label": "a2"}).json()["api_key"]
    size = api.size
    r = revoke(api, key_id(alice), "bob", token=bob)
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    r = revoke(api, key_id(alice), "alice2", token=alice2)  # same party, another key
    assert r.status_code == 403
    assert api.size == size and whoami(api, alice) == 200
    assert revoke(api, key_id(alice), "alice", token=alice).status_code == 201
    assert whoami(api, alice) == 401 and whoami(api, bob) == 200
    missing = revoke(api, "k000000000000", "operator")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "unknown_api_key"


def test_an_expired_key_is_refused(api: Api) -> None:
    token = create(api, {"role": "member", "party": BOB_P, "expires_in_days": 1}).json()[
        "api_key"]
    assert whoami(api, token) == 200
    with api.platform.engine.begin() as conn:  # a day and a bit later
        conn.execute(update(t.api_keys).where(t.api_keys.c.id == key_id(token))
                     .values(expires_ms=time.time_ns() // 1_000_000 - 1))
    api.client.app.state.edge.forget_keys()  # type: ignore[attr-defined]
    r = api.client.get("/api/v1/whoami", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401 and "expired" in r.json()["error"]["message"]
    for days in (0, -1, 10_000, "30"):
        bad = create(api, {"role": "member", "party": BOB_P, "expires_in_days": days})
        assert bad.status_code == 422, days


def test_keys_are_created_and_revoked_in_the_journal_without_their_secret(api: Api) -> None:
    r = create(api, {"role": "court", "party": "P000004", "label": "法院 key",
                     "expires_in_days": 90}, key="court-key")
    token = r.json()["api_key"]
    assert revoke(api, key_id(token), "operator", idem="court-key-gone").status_code == 201
    journal = api.client.get("/api/v1/journal", params={"limit": 500},
                             headers=api.headers("auditor")).json()
    made = [e for e in journal if e["kind"] == "create_api_key"]
    gone = [e for e in journal if e["kind"] == "revoke_api_key"]
    operator_id = key_id(api.keys["operator"])
    mine = next(e for e in made if e["payload"]["key"] == key_id(token))
    assert mine["actor"]["id"] == operator_id
    assert {k: mine["payload"][k] for k in ("role", "party", "label")} == {
        "role": "court", "party": "P000004", "label": "法院 key"}
    assert 0 <= 90 * 86_400_000 - (mine["payload"]["expires_ms"] - mine["time"]) < 5_000
    assert gone[-1]["payload"]["key"] == key_id(token)
    assert gone[-1]["actor"]["id"] == operator_id
    text = orjson.dumps(journal).decode()
    secret = token.split(".", 1)[1]
    assert secret not in text
    with api.platform.engine.connect() as conn:
        hashes = [r.secret_hash for r in conn.execute(select(t.api_key_secrets))]
    assert all(h not in text for h in hashes) and len(hashes) >= 7
    assert api.platform.verify().problems == []


def test_listing_keys_never_shows_a_secret_and_a_member_sees_only_its_own(api: Api) -> None:
    everyone = api.client.get("/api/v1/api-keys", headers=api.headers("auditor"))
    assert everyone.status_code == 200
    ids = {k["id"] for k in everyone.json()}
    assert {key_id(v) for v in api.keys.values()} <= ids
    assert not re.search(r"secret|hash", everyone.text)
    own = api.client.get("/api/v1/api-keys", headers=api.headers("alice")).json()
    assert [k["id"] for k in own] == [key_id(api.keys["alice"])]
    assert create(api, {"role": "member", "party": ALICE_P}, who="alice").status_code == 403
    assert create(api, {"role": "auditor"}, who="auditor").status_code == 403


def test_a_key_for_a_party_that_does_not_exist_is_refused_and_leaves_nothing(api: Api) -> None:
    size = api.size
    r = create(api, {"role": "member", "party": "P000999"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "unknown_party"
    r = create(api, {"role": "member"})
    assert r.status_code == 422
    assert api.size == size
    with api.platform.engine.connect() as conn:
        secrets = {r.key_id for r in conn.execute(select(t.api_key_secrets))}
        keys = {r.id for r in conn.execute(select(t.api_keys))}
    assert secrets == keys


def test_revoking_a_key_ends_the_web_sessions_opened_with_it(api: Api) -> None:
    from tests.e2e.test_web_safety import hidden

    token = create(api, {"role": "member", "party": BOB_P, "label": "browser"}).json()[
        "api_key"]
    form = api.client.get("/signin")
    r = api.client.post("/signin", data={"api_key": token, "csrf": hidden(form.text, "csrf")},
                        follow_redirects=False)
    assert r.status_code == 303
    assert api.client.get("/me", follow_redirects=False).status_code == 200
    assert revoke(api, key_id(token), "operator").status_code == 201
    assert api.client.get("/me", follow_redirects=False).status_code == 303


def test_a_revocation_journaled_by_any_path_ends_a_cached_key_at_once(api: Api) -> None:
    """Not only the API's revoke route: whatever journals a revocation on this writer (the
    demo, a script in the process) makes the key cache re-read."""
    from qingshan.access.keys import CLI, revoke_key

    token = create(api, {"role": "member", "party": ALICE_P}).json()["api_key"]
    assert whoami(api, token) == 200 and whoami(api, token) == 200  # cached
    revoke_key(api.platform.engine, api.platform.sequencer, CLI, key_id(token), "script")
    assert whoami(api, token) == 401


def test_the_forestry_authority_signs_in_to_its_own_page(api: Api) -> None:
    """A role with no party (the forestry authority) still has a /me page."""
    from tests.e2e.test_web_safety import hidden

    token = create(api, {"role": "forestry", "label": "市林业局"}).json()["api_key"]
    form = api.client.get("/signin")
    r = api.client.post("/signin", data={"api_key": token, "csrf": hidden(form.text, "csrf")},
                        follow_redirects=False)
    assert r.status_code == 303
    me = api.client.get("/me", follow_redirects=False)
    assert me.status_code == 200, me.text[:500]
