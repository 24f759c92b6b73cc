"""API keys over HTTP: issued once in clear, stored hashed, revoked at once, admin only."""

from __future__ import annotations

from litestar.testing import TestClient

from domain.actor import Role
from tests.api.conftest import ADMIN, Keys

CONTACT = {"channel": "PHONE", "direction": "OUT", "effective": True}
CUSTOMER = {"customer_no": "C1", "name": "上海某某科技有限公司", "kind": "ENTERPRISE", "address": "上海市"}


def test_a_command_without_a_key_is_a_401_problem(client: TestClient) -> None:  # type: ignore[type-arg]
    response = client.post("/v1/customers", json=CUSTOMER)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "UNAUTHORIZED"
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_an_issued_key_acts_as_its_principal_until_revoked(client: TestClient, keys: Keys) -> None:  # type: ignore[type-arg]
    key = keys.issue("asst-7", [Role.ASSISTANT], name="王芳")
    headers = {"Authorization": f"Bearer {key}"}
    assert client.post("/v1/customers", json=CUSTOMER, headers=headers).status_code == 201
    key_id = key.split("_")[1]
    assert client.delete(f"/v1/api-keys/{key_id}", headers=ADMIN).status_code == 204
    refused = client.post("/v1/customers/C1/contacts", json=CONTACT, headers=headers)
    assert refused.status_code == 401


def test_revoking_twice_is_still_204_and_unknown_keys_are_404(client: TestClient, keys: Keys) -> None:  # type: ignore[type-arg]
    key_id = keys.issue("asst-8", [Role.ASSISTANT]).split("_")[1]
    assert client.delete(f"/v1/api-keys/{key_id}", headers=ADMIN).status_code == 204
    assert client.delete(f"/v1/api-keys/{key_id}", headers=ADMIN).status_code == 204
    missing = client.delete("/v1/api-keys/0123456789abcdef", headers=ADMIN)
    assert (missing.status_code, missing.json()["code"]) == (404, "API_KEY_NOT_FOUND")


def test_only_admin_keys_manage_keys(client: TestClient, keys: Keys) -> None:  # type: ignore[type-arg]
    body = {"actor_id": "x-1", "name": "某人", "roles": ["analyst"]}
    response = client.post("/v1/api-keys", json=body, headers=keys.headers(Role.SUPERVISOR))
    assert (response.status_code, response.json()["code"]) == (403, "FORBIDDEN_ROLE")


def test_a_key_never_appears_in_the_event_log_or_the_key_list(client: TestClient, keys: Keys) -> None:  # type: ignore[type-arg]
    key = keys.issue("asst-9", [Role.ASSISTANT])
    secret = key.split("_", 2)[2]
    position = client.get("/ready").json()["position"]
    listed = client.get("/v1/api-keys", params={"min_position": position}, headers=ADMIN)
    assert listed.status_code == 200 and secret not in listed.text
    assert [k["actor_id"] for k in listed.json()["items"]] == ["asst-9"]


def test_an_idempotent_replay_of_a_key_creation_does_not_show_the_key_again(client: TestClient) -> None:  # type: ignore[type-arg]
    body = {"actor_id": "asst-10", "name": "李雷", "roles": ["assistant"]}
    headers = {**ADMIN, "Idempotency-Key": "key-create-1"}
    first = client.post("/v1/api-keys", json=body, headers=headers)
    again = client.post("/v1/api-keys", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == {**first.json(), "key": None}
