"""GET /v1/customers/{customer_no}: the customer profile (P7) over HTTP."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient

from tests.api.conftest import ADMIN, Keys
from tests.api.http_flows import A, Http, create, register_customer
from tests.api.query_support import failing_fields, http, query

CUSTOMER_NO = "2110050007"
PROFILE = f"/v1/customers/{CUSTOMER_NO}"


@pytest.fixture
def h(client: TestClient, keys: Keys) -> Http:  # type: ignore[type-arg]
    world = http(client, keys)
    register_customer(world)
    return world


def test_the_profile_shows_identity_locations_counts_and_the_next_visit(h: Http) -> None:
    create(h)
    h.post(f"{PROFILE}/contacts", A, {"channel": "PHONE", "direction": "OUT", "effective": True})
    profile = query(h, PROFILE).json()
    assert (profile["customer_no"], profile["name"], profile["kind"]) == (
        CUSTOMER_NO,
        "申齐保健食品有限公司",
        "ENTERPRISE",
    )
    assert profile["functional_locations"] == {"2110050027": "上海市徐汇区漕溪北路88号"}
    assert profile["notifications_by_type"] == {"Z1": {"open": 1, "closed": 0}}
    assert (profile["last_contact_channel"], profile["last_contact_effective"]) == ("PHONE", True)
    assert (profile["next_return_visit_due"], profile["next_return_visit_reason"]) == (
        "2001-03-16",
        "NEW_CUSTOMER_FIRST_VISIT",
    )
    assert profile["dormant"] is False


def test_as_of_sets_the_day_the_dormant_flag_is_judged_on(h: Http) -> None:
    assert query(h, PROFILE, as_of="2002-03-05").json()["dormant"] is False
    later = query(h, PROFILE, as_of="2002-03-06").json()
    assert (later["dormant"], later["days_inactive"]) == (True, 365)


def test_a_profile_is_readable_right_after_registration_with_min_position(h: Http) -> None:
    body = {"customer_no": "C9", "name": "新客户", "kind": "INDIVIDUAL", "address": "杭州"}
    h.post("/v1/customers", A, body)
    response = query(h, "/v1/customers/C9")
    assert response.json()["name"] == "新客户"
    assert int(response.headers["x-read-model-position"]) >= h.last_position


def test_an_unknown_customer_is_a_404_problem(h: Http) -> None:
    response = query(h, "/v1/customers/NOPE", expect=404)
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "CUSTOMER_NOT_FOUND"


def test_a_bad_as_of_is_400_naming_it(h: Http) -> None:
    for as_of in ("2001-3-1", "9999-12-31"):
        assert failing_fields(query(h, PROFILE, expect=400, as_of=as_of)) == ["as_of"], as_of


def test_the_profile_path_still_takes_profile_updates(h: Http) -> None:
    h.send("PATCH", PROFILE, A, {"address": "上海市浦东新区张江路99号"})
    assert query(h, PROFILE).json()["master_address"] == "上海市浦东新区张江路99号"


def test_admin_keys_may_not_read_profiles_and_no_key_is_401(client: TestClient) -> None:  # type: ignore[type-arg]
    response = client.get(PROFILE, headers=ADMIN)
    assert (response.status_code, response.json()["code"]) == (403, "FORBIDDEN_ROLE")
    assert client.get(PROFILE).status_code == 401
