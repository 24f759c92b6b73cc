"""Case commands over HTTP: every path V1–V5, create rules, concurrency and idempotency headers."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient

from domain.actor import Role
from tests.api.conftest import Keys
from tests.api.http_flows import CASE_BODY, PATHS, A, Http, create, register_customer


@pytest.fixture
def http(client: TestClient, keys: Keys) -> Http:  # type: ignore[type-arg]
    h = Http(client, keys.headers)
    register_customer(h)
    return h


@pytest.mark.parametrize("path", sorted(PATHS))
def test_each_path_walks_to_completed_and_then_refuses_work(http: Http, path: str) -> None:
    no = PATHS[path](http)
    refused = http.client.post(f"/v1/cases/{no}/long-texts", json={"text": "再联系"}, headers=http.headers(A))
    assert (refused.status_code, refused.json()["code"]) == (409, "NOTIFICATION_CLOSED")


def test_create_is_201_with_the_number_its_location_and_etag(http: Http) -> None:
    response = http.client.post("/v1/cases", json=CASE_BODY, headers=http.headers(A))
    assert response.status_code == 201
    body = response.json()
    assert body["id"] == "1000001" and body["version"] == 2 and body["position"] > 0
    assert response.headers["location"] == "/v1/cases/1000001"
    assert response.headers["etag"] == '"2"'


def test_an_empty_create_lists_every_missing_field(http: Http) -> None:
    response = http.client.post("/v1/cases", json={}, headers=http.headers(A))
    assert (response.status_code, response.json()["code"]) == (400, "VALIDATION_ERROR")
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"type", "description", "ship_to", "po_date", "required_end", "sales_office"} <= fields


def test_a_type_that_does_not_fit_the_payment_is_422_and_consumes_no_number(http: Http) -> None:
    refused = http.client.post("/v1/cases", json=CASE_BODY | {"type": "Z2"}, headers=http.headers(A))
    assert (refused.status_code, refused.json()["code"]) == (422, "TYPE_PAYMENT_MISMATCH")
    assert create(http) == "1000001"


def test_an_unknown_ship_to_is_404(http: Http) -> None:
    response = http.client.post("/v1/cases", json=CASE_BODY | {"ship_to": "9999"}, headers=http.headers(A))
    assert (response.status_code, response.json()["code"]) == (404, "CUSTOMER_NOT_FOUND")


def test_a_read_only_role_may_not_create_cases(http: Http) -> None:
    response = http.client.post("/v1/cases", json=CASE_BODY, headers=http.headers(Role.ANALYST))
    assert (response.status_code, response.json()["code"]) == (403, "FORBIDDEN_ROLE")


def test_if_match_on_a_moved_stream_is_412_and_appends_nothing(http: Http) -> None:
    no = create(http)
    stale = {**http.headers(A), "If-Match": '"1"'}
    response = http.client.post(f"/v1/cases/{no}/long-texts", json={"text": "补充"}, headers=stale)
    assert (response.status_code, response.json()["code"]) == (412, "PRECONDITION_FAILED")
    fresh = {**http.headers(A), "If-Match": '"2"'}
    assert (
        http.client.post(f"/v1/cases/{no}/long-texts", json={"text": "补充"}, headers=fresh).json()["version"]
        == 3
    )


def test_a_replayed_create_returns_the_first_number_and_creates_nothing(http: Http) -> None:
    headers = {**http.headers(A), "Idempotency-Key": "create-1"}
    first = http.client.post("/v1/cases", json=CASE_BODY, headers=headers)
    again = http.client.post("/v1/cases", json=CASE_BODY, headers=headers)
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    assert again.status_code == 201 and again.headers["location"] == first.headers["location"]
    assert create(http) == "1000002"


def test_items_are_added_with_their_number_changed_and_removed(http: Http) -> None:
    no = create(http)
    item = {
        "product_type": {"category": "06"},
        "colour": {"main": "A"},
        "text": "100057,2",
        "reason_code": "1",
    }
    added = http.client.post(f"/v1/cases/{no}/items", json=item, headers=http.headers(A))
    assert added.status_code == 201 and added.json()["item_no"] == 2
    assert added.headers["location"] == f"/v1/cases/{no}/items/2"
    changed = http.client.patch(f"/v1/cases/{no}/items/2", json={"quantity": 3}, headers=http.headers(A))
    assert changed.status_code == 200
    removed = http.client.delete(f"/v1/cases/{no}/items/2", headers=http.headers(A))
    assert removed.status_code == 200
    missing = http.client.delete(f"/v1/cases/{no}/items/9", headers=http.headers(A))
    assert (missing.status_code, missing.json()["code"]) == (404, "ITEM_NOT_FOUND")


def test_money_with_bad_format_names_the_field(http: Http) -> None:
    no = create(http)
    lines = [{"description": "锁芯", "qty": "x", "unit_price": "abc"}]
    response = http.client.post(
        f"/v1/cases/{no}/service-orders", json={"lines": lines}, headers=http.headers(A)
    )
    assert response.status_code == 400
    assert next(e["field"] for e in response.json()["errors"]).startswith("lines")
