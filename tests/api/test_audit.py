"""Audit endpoints over HTTP: histories with hash links, timeline, search, verify, controls, immutability."""

from __future__ import annotations

from itertools import pairwise

import pytest
from litestar.testing import TestClient

from domain.actor import Role
from tests.api.audit_support import (
    HTTP_ONLY,
    IMMUTABLE_METHODS,
    body,
    customer_http,
    history,
    problem_fields,
    read,
)
from tests.api.conftest import Keys
from tests.api.http_flows import CUSTOMER_NO, SS, A, Http, create, quote, serve_and_close, v1
from tests.clock import FixedClock

EVENT_FIELDS = {
    "event_id", "stream", "version", "position", "type", "occurred_at", "recorded_at",
    "actor_id", "actor_role", "data", "hash", "prev_hash",
}  # fmt: skip
HISTORY_PATHS = (
    "/v1/cases/1000001/history",
    f"/v1/customers/{CUSTOMER_NO}/history",
    "/v1/audit/events",
    "/v1/events",
)


@pytest.fixture
def http(client: TestClient, keys: Keys) -> Http:  # type: ignore[type-arg]
    return customer_http(client, keys)


def test_a_case_history_is_every_event_in_version_order_linked_by_hashes(http: Http) -> None:
    no = v1(http)
    events = history(http, no)
    assert [e["version"] for e in events] == list(range(1, len(events) + 1))
    assert set(events[0]) >= EVENT_FIELDS
    assert events[0]["type"] == "ServiceNotificationCreated" and events[0]["prev_hash"] is None
    assert all(e["prev_hash"] == before["hash"] for before, e in pairwise(events))
    assert events[-1]["type"] == "SatisfactionSurveyRecorded"


def test_status_events_carry_from_and_to(http: Http) -> None:
    events = {e["type"]: e["data"] for e in history(http, v1(http))}
    assert (events["SiteSurveyCompleted"]["from"], events["SiteSurveyCompleted"]["to"]) == ("TZJL", "KCWB")
    assert (events["NotificationClosed"]["from"], events["NotificationClosed"]["to"]) == (
        "IN_PROCESS",
        "COMPLETED",
    )


def test_a_history_pages_with_after_and_limit(http: Http) -> None:
    no = v1(http)
    first = body(http, f"/v1/cases/{no}/history", limit=2)
    rest = history(http, no, after=first["next_after"])
    assert [e["version"] for e in first["items"]] == [1, 2] and first["next_after"] == 2
    assert [e["version"] for e in rest] == list(range(3, len(rest) + 3))
    assert body(http, f"/v1/cases/{no}/history", after=99)["items"] == []


def test_a_customer_history_shows_the_customer_stream(http: Http) -> None:
    events = body(http, f"/v1/customers/{CUSTOMER_NO}/history")["items"]
    assert [e["type"] for e in events] == ["CustomerRegistered", "FunctionalLocationCreated"]
    assert {e["stream"] for e in events} == {f"customer-{CUSTOMER_NO}"}


def test_unknown_streams_have_no_history(http: Http) -> None:
    case = read(http, "/v1/cases/9999999/history", status=404).json()
    customer = read(http, "/v1/customers/nobody/history", status=404).json()
    assert (case["code"], customer["code"]) == ("CASE_NOT_FOUND", "CUSTOMER_NOT_FOUND")


@HTTP_ONLY
def test_stored_events_cannot_be_changed_through_any_history_path(http: Http) -> None:
    create(http)
    before = history(http, "1000001")
    for path in HISTORY_PATHS:
        for method in IMMUTABLE_METHODS:
            response = http.client.request(method, path, json={}, headers=http.headers(Role.AUDITOR))
            assert response.status_code == 405, (method, path, response.text)
            assert response.json()["code"] == "METHOD_NOT_ALLOWED"
            allowed = {m.strip() for m in response.headers["allow"].split(",")}
            assert "GET" in allowed and not allowed & set(IMMUTABLE_METHODS), (method, path)
    assert history(http, "1000001") == before


def test_the_timeline_times_each_status_and_names_who_set_it(http: Http, clock: FixedClock) -> None:
    no = create(http)
    clock.advance(hours=2)
    http.post(f"/v1/cases/{no}/site-survey", SS)
    clock.advance(hours=1)
    found = body(http, f"/v1/cases/{no}/timeline")
    user = [(i["status"], i["duration_seconds"], i["set_by"]) for i in found["user_status"]]
    assert user == [("TZJL", 7200, "assistant-1"), ("KCWB", 3600, "service-staff-1")]
    assert found["user_status"][-1]["left_at"] is None
    assert [i["status"] for i in found["system_status"]] == ["OUTSTANDING", "IN_PROCESS"]


def test_the_audit_search_filters_by_type_and_actor(http: Http) -> None:
    v1(http)
    surveys = body(http, "/v1/audit/events", type="SiteSurveyCompleted,NotificationClosed")["items"]
    by_staff = body(http, "/v1/audit/events", actor_id="service-staff-1", case_no="1000001")["items"]
    assert [e["type"] for e in surveys] == ["SiteSurveyCompleted", "NotificationClosed"]
    assert {e["actor_id"] for e in by_staff} == {"service-staff-1"}
    assert {e["type"] for e in by_staff} == {"SiteSurveyCompleted", "OnSiteServicePerformed"}


def test_the_audit_search_pages_in_log_order(http: Http) -> None:
    v1(http)
    first = body(http, "/v1/audit/events", case_no="1000001", limit=3)
    second = body(http, "/v1/audit/events", case_no="1000001", limit=3, cursor=first["next_cursor"])
    positions = [e["position"] for e in first["items"] + second["items"]]
    assert len(positions) == 6 and positions == sorted(positions)
    assert first["items"][0]["hash"] is not None


def test_the_audit_search_takes_a_period_in_business_time(http: Http, clock: FixedClock) -> None:
    create(http)  # 2001-03-06 09:00 in Asia/Shanghai
    clock.advance(days=1)
    http.post("/v1/cases/1000001/site-survey", SS)
    on_the_7th = body(
        http, "/v1/audit/events", case_no="1000001", **{"from": "2001-03-07", "to": "2001-03-07"}
    )
    before_noon = body(http, "/v1/audit/events", case_no="1000001", to="2001-03-06T12:00:00+08:00")
    assert {e["type"] for e in on_the_7th["items"]} == {"SiteSurveyCompleted"}
    assert [e["version"] for e in before_noon["items"]] == [1, 2]


@HTTP_ONLY
def test_bad_periods_name_both_parameters(http: Http) -> None:
    response = read(http, "/v1/audit/events", status=400, **{"from": "yesterday", "to": "2001-13-01"})
    assert problem_fields(response) == ["from", "to"]


@HTTP_ONLY
def test_the_audit_search_answers_csv(http: Http) -> None:
    create(http)
    response = read(http, "/v1/audit/events", case_no="1000001")
    csv_response = http.client.get(
        "/v1/audit/events",
        params={"case_no": "1000001"},
        headers=http.headers(Role.AUDITOR) | {"Accept": "text/csv"},
    )
    assert csv_response.headers["content-type"].startswith("text/csv")
    assert csv_response.text.count("\r\n") == len(response.json()["items"]) + 1


def test_verify_finds_an_untampered_log_intact(http: Http) -> None:
    v1(http)
    found = body(http, "/v1/audit/verify")
    assert found["ok"] is True and found["first_mismatch"] is None
    assert found["events_checked"] == http.last_position


def test_a_case_closed_with_a_confirmed_quote_and_no_invoice_is_listed(http: Http) -> None:
    no = create(http)
    http.post(f"/v1/cases/{no}/site-survey", SS)
    order_no = quote(http, no)
    serve_and_close(http, no)
    listed = body(http, "/v1/audit/controls/closed-without-invoice")["items"]
    assert [(i["case_no"], i["actor_id"]) for i in listed] == [(no, "assistant-1")]
    assert order_no in listed[0]["detail"]
    assert body(http, "/v1/audit/controls/self-approved")["items"] == []


@HTTP_ONLY
def test_an_unknown_control_list_is_404_naming_the_known_ones(http: Http) -> None:
    problem = read(http, "/v1/audit/controls/everything", status=404).json()
    assert problem["code"] == "CONTROL_NOT_FOUND" and "self-approved" in problem["detail"]


@HTTP_ONLY
def test_admin_keys_may_not_read_the_audit_trail(client: TestClient, keys: Keys) -> None:  # type: ignore[type-arg]
    paths = (
        "/v1/cases/1000001/history",
        "/v1/cases/1000001/timeline",
        "/v1/audit/events",
        "/v1/audit/verify",
    )
    for path in paths:
        response = client.get(path, headers=keys.headers(Role.ADMIN))
        assert (response.status_code, response.json()["code"]) == (403, "FORBIDDEN_ROLE"), path


@HTTP_ONLY
def test_every_reading_role_may_read_the_audit_trail(http: Http) -> None:
    create(http)
    for role in (Role.ANALYST, A, Role.INTEGRATOR):
        assert read(http, "/v1/cases/1000001/history", role=role).json()["items"]
