"""Request ids, the access log line and the HTTP metrics."""

from __future__ import annotations

import json
import logging

import pytest
from litestar.testing import TestClient

from infra.logs import JsonFormatter
from tests.api.conftest import Keys
from tests.api.http_flows import CASE_BODY, A

pytestmark = pytest.mark.parametrize("api_settings", ["sqlite"], indirect=True)


def test_every_response_carries_a_request_id_and_a_sane_given_one_is_kept(client: TestClient) -> None:  # type: ignore[type-arg]
    assert len(client.get("/health").headers["x-request-id"]) == 32
    assert client.get("/health", headers={"X-Request-Id": "abc-123"}).headers["x-request-id"] == "abc-123"
    odd = client.get("/health", headers={"X-Request-Id": "bad id;drop"})
    assert odd.headers["x-request-id"] != "bad id;drop"


def test_the_access_log_names_route_actor_and_outcome_but_never_the_key(
    client: TestClient,
    keys: Keys,
    caplog: pytest.LogCaptureFixture,  # type: ignore[type-arg]
) -> None:
    headers = keys.headers(A)
    with caplog.at_level(logging.INFO, logger="crm.access"):
        client.post("/v1/cases", json=CASE_BODY | {"ship_to": "NOBODY"}, headers=headers)
    record = next(r for r in caplog.records if r.name == "crm.access" and getattr(r, "method", "") == "POST")
    line = json.loads(JsonFormatter().format(record))
    assert line["route"] == "/v1/cases" and line["status"] == 404
    assert line["actor_id"] == "assistant-1"
    assert (line["command"], line["outcome"]) == ("CreateCase", "CUSTOMER_NOT_FOUND")
    secret = headers["Authorization"].split()[-1]
    assert all(
        secret not in r.getMessage() and secret not in JsonFormatter().format(r) for r in caplog.records
    )


def test_metrics_count_requests_by_route_and_commands_by_outcome(client: TestClient, keys: Keys) -> None:  # type: ignore[type-arg]
    client.post("/v1/cases", json={}, headers=keys.headers(A))
    text = client.get("/metrics").text
    assert 'crm_http_requests_total{method="POST",route="/v1/cases",status="400"} 1' in text
    assert 'crm_command_outcomes_total{command="CreateCase",outcome="VALIDATION_ERROR"} 1' in text
    assert 'crm_http_request_duration_seconds_count{method="POST",route="/v1/cases"} 1' in text
