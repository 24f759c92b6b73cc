"""Helpers for the audit, case-state and event-feed tests: write over HTTP, read as an auditor.

Reads pass the highest `position` the commands returned as `min_position`, so
they see every write of the test without sleeping.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from litestar.testing import TestClient

from domain.actor import Role
from tests.api.conftest import Keys
from tests.api.http_flows import Http, register_customer

AUDITOR = Role.AUDITOR
IMMUTABLE_METHODS = ("PUT", "PATCH", "DELETE")
HTTP_ONLY = pytest.mark.parametrize("api_settings", ["sqlite"], indirect=True)
"""For behaviour of the HTTP layer alone (parameters, roles, routing): SQLite is enough, and fast."""


def customer_http(client: TestClient, keys: Keys) -> Http:  # type: ignore[type-arg]
    """Commands over HTTP, with the sample customer (and its functional location) registered.

    The auditor's key is issued first, so reading never appends an event after the test's writes.
    """
    h = Http(client, keys.headers)
    h.headers(AUDITOR)
    register_customer(h)
    return h


def read(h: Http, path: str, status: int = 200, role: Role = AUDITOR, **params: Any) -> httpx.Response:
    """GET after every write so far; asserts the status."""
    params = {"min_position": h.last_position} | params
    response = h.client.get(path, params=params, headers=h.headers(role))
    assert response.status_code == status, response.text
    return response


def body(h: Http, path: str, **params: Any) -> Any:
    return read(h, path, **params).json()


def history(h: Http, case_no: str, **params: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = body(h, f"/v1/cases/{case_no}/history", **params)["items"]
    return found


def feed(h: Http, after: int = 0, limit: int = 500) -> dict[str, Any]:
    found: dict[str, Any] = body(h, "/v1/events", after=after, limit=limit)
    return found


def problem_fields(response: httpx.Response) -> list[str]:
    """The `errors[].field` of a 400 problem response."""
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "VALIDATION_ERROR"
    return [error["field"] for error in response.json()["errors"]]
