"""Customer commands over HTTP: every failing field at once, payload errors before 404."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient

from tests.api.conftest import Keys
from tests.api.http_flows import A, Http, register_customer

pytestmark = pytest.mark.parametrize("api_settings", ["sqlite"], indirect=True)


def test_a_register_with_many_faults_names_every_field(client: TestClient, keys: Keys) -> None:  # type: ignore[type-arg]
    body = {
        "customer_no": "bad no!",
        "kind": "ALIEN",
        "contacts": {"fax": "1"},
        "registered_on": "2026-02-30",
    }
    response = client.post("/v1/customers", json=body, headers=keys.headers(A))
    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"customer_no", "kind", "name", "address", "registered_on"} <= fields
    assert any(f.startswith("contacts") for f in fields)


@pytest.mark.parametrize("amount", ["-5.00", "1.234", "NaN", "1e20"])
def test_a_bad_amount_is_400_even_for_an_unknown_customer(
    client: TestClient,
    keys: Keys,
    amount: str,  # type: ignore[type-arg]
) -> None:
    body = {"month": "2026-10", "amount": amount}
    response = client.post("/v1/customers/NOBODY/monthly-sales", json=body, headers=keys.headers(A))
    assert (response.status_code, [e["field"] for e in response.json()["errors"]]) == (400, ["amount"])


def test_an_unknown_customer_with_a_good_amount_is_404(client: TestClient, keys: Keys) -> None:  # type: ignore[type-arg]
    body = {"month": "2026-10", "amount": "10.00"}
    response = client.post("/v1/customers/NOBODY/monthly-sales", json=body, headers=keys.headers(A))
    assert (response.status_code, response.json()["code"]) == (404, "CUSTOMER_NOT_FOUND")


def test_a_profile_patch_changes_only_what_it_sends(client: TestClient, keys: Keys) -> None:  # type: ignore[type-arg]
    register_customer(Http(client, keys.headers))
    response = client.patch(
        "/v1/customers/2110050007", json={"address": "上海市黄浦区"}, headers=keys.headers(A)
    )
    assert (response.status_code, response.json()["version"]) == (200, 3)
    assert response.headers["etag"] == '"3"'
