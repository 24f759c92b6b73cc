"""GET /v1/cases/{case_no}: the current state with its version as ETag, or replayed as of the past."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient

from domain.actor import Role
from tests.api.audit_support import HTTP_ONLY, customer_http, problem_fields, read
from tests.api.conftest import Keys
from tests.api.http_flows import SS, A, Http, create, quote, v2
from tests.clock import FixedClock


@pytest.fixture
def http(client: TestClient, keys: Keys) -> Http:  # type: ignore[type-arg]
    return customer_http(client, keys)


def test_the_current_state_carries_its_version_as_etag(http: Http) -> None:
    no = create(http)
    written = http.post(f"/v1/cases/{no}/site-survey", SS)
    response = read(http, f"/v1/cases/{no}")
    case = response.json()
    assert response.headers["etag"] == f'"{written["version"]}"' == f'"{case["version"]}"'
    assert (case["case_no"], case["system_status"], case["user_status"]) == (no, "IN_PROCESS", "KCWB")
    assert int(response.headers["x-read-model-position"]) >= written["position"]


def test_the_etag_is_accepted_by_if_match(http: Http) -> None:
    no = create(http)
    etag = read(http, f"/v1/cases/{no}").headers["etag"]
    changed = http.client.patch(
        f"/v1/cases/{no}", json={"required_end": "2001-03-09"}, headers=http.headers(A) | {"If-Match": etag}
    )
    assert changed.status_code == 200, changed.text
    assert read(http, f"/v1/cases/{no}").json()["required_end"] == "2001-03-09"


def test_at_version_replays_the_earlier_state_without_an_etag(http: Http) -> None:
    no = create(http)
    http.post(f"/v1/cases/{no}/site-survey", SS)
    response = read(http, f"/v1/cases/{no}", at_version=1)
    case = response.json()
    assert (case["version"], case["system_status"], case["user_status"]) == (1, "OUTSTANDING", "TZJL")
    assert "etag" not in response.headers


def test_as_of_time_replays_what_had_happened_by_then(http: Http, clock: FixedClock) -> None:
    no = create(http)  # 2001-03-06T01:00Z
    clock.advance(hours=2)
    http.post(f"/v1/cases/{no}/site-survey", SS)
    earlier = read(http, f"/v1/cases/{no}", as_of_time="2001-03-06T02:00:00").json()  # no offset: UTC
    later = read(http, f"/v1/cases/{no}", as_of_time="2001-03-06T11:30:00+08:00").json()
    assert (earlier["version"], earlier["user_status"]) == (2, "TZJL")
    assert (later["version"], later["user_status"]) == (3, "KCWB")


def test_money_is_decimal_strings_and_dates_are_iso(http: Http) -> None:
    case = read(http, f"/v1/cases/{v2(http)}").json()
    order = case["service_orders"][0]
    assert (order["total_amount"], order["lines"][0]["unit_price"]) == ("80.00", "80.00")
    assert case["invoices"][0]["amount"] == "80.00"
    assert (case["po_date"], case["system_status"]) == ("2001-03-01", "COMPLETED")
    assert case["closed_at"].startswith("2001-03-06T")


def test_the_state_holds_the_documents_of_the_case(http: Http) -> None:
    no = create(http)
    http.post(f"/v1/cases/{no}/site-survey", SS)
    order_no = quote(http, no)
    case = read(http, f"/v1/cases/{no}").json()
    assert [i["material"] for i in case["items"]] == ["100056"]
    assert [o["order_no"] for o in case["service_orders"]] == [order_no]
    assert [s["status"] for s in case["status_history"]] == ["TZJL", "KCWB"]
    assert case["long_texts"][0]["text"] == "客户叫修: 活动柜锁坏"


def test_an_unknown_case_is_404_now_and_in_the_past(http: Http) -> None:
    assert read(http, "/v1/cases/9999999", status=404).json()["code"] == "CASE_NOT_FOUND"
    assert read(http, "/v1/cases/9999999", status=404, at_version=1).json()["code"] == "CASE_NOT_FOUND"


def test_before_the_first_event_there_is_no_case(http: Http) -> None:
    no = create(http)
    response = read(http, f"/v1/cases/{no}", status=404, as_of_time="2001-03-06T00:59:59Z")
    assert response.json()["code"] == "CASE_NOT_FOUND"


@HTTP_ONLY
def test_bad_replay_parameters_are_400_naming_them(http: Http) -> None:
    no = create(http)
    assert problem_fields(read(http, f"/v1/cases/{no}", status=400, at_version=0)) == ["at_version"]
    assert problem_fields(read(http, f"/v1/cases/{no}", status=400, as_of_time="noon")) == ["as_of_time"]


@HTTP_ONLY
def test_admin_keys_may_not_read_cases(client: TestClient, keys: Keys) -> None:  # type: ignore[type-arg]
    response = client.get("/v1/cases/1000001", headers=keys.headers(Role.ADMIN))
    assert (response.status_code, response.json()["code"]) == (403, "FORBIDDEN_ROLE")
