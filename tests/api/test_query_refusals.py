"""Hostile query parameters get 400 problems naming the parameter, never a 500."""

from __future__ import annotations

import base64
import json

import pytest
from litestar.testing import TestClient

from domain.actor import Role
from tests.api.conftest import Keys

PAGED = ["/v1/queues/work", "/v1/queues/approvals", "/v1/reports/dormant-customers", "/v1/audit/events"]


def forged(values: list[object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


@pytest.mark.parametrize("api_settings", ["sqlite"], indirect=True)
@pytest.mark.parametrize("path", PAGED)
@pytest.mark.parametrize("cursor", [forged(["a", "b", "c"]), forged([10**30, 1, 1]), "%%%", forged([])])
def test_a_forged_cursor_is_a_400_naming_the_cursor(
    client: TestClient,
    keys: Keys,
    path: str,
    cursor: str,  # type: ignore[type-arg]
) -> None:
    response = client.get(path, params={"cursor": cursor}, headers=keys.headers(Role.ANALYST))
    assert (response.status_code, response.json()["code"]) == (400, "VALIDATION_ERROR")
    assert [e["field"] for e in response.json()["errors"]] == ["cursor"]


@pytest.mark.parametrize("api_settings", ["sqlite"], indirect=True)
@pytest.mark.parametrize("value", ["99999999999999999999", "-1", "abc"])
def test_an_impossible_min_position_is_a_400(client: TestClient, keys: Keys, value: str) -> None:  # type: ignore[type-arg]
    response = client.get(
        "/v1/queues/work", params={"min_position": value}, headers=keys.headers(Role.ANALYST)
    )
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["min_position"]


@pytest.mark.parametrize("api_settings", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    ("path", "name"),
    [("/v1/cases/1000001", "at_version"), ("/v1/events", "after"), ("/v1/cases/1000001/history", "after")],
)
def test_a_position_or_version_beyond_64_bits_is_a_400(
    client: TestClient,
    keys: Keys,
    path: str,
    name: str,  # type: ignore[type-arg]
) -> None:
    response = client.get(path, params={name: str(2**64)}, headers=keys.headers(Role.AUDITOR))
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == [name]
