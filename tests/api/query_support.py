"""Helpers for the read-model endpoint tests: write over HTTP, then read your writes.

Queries pass the highest `position` the commands returned as `min_position`, so
they see every write of the test without sleeping.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx
from litestar.testing import TestClient

from domain.actor import Role
from tests.api.conftest import Keys
from tests.api.http_flows import Http

STAFF_NAME = "王敏"
"""Display name of actor 202, the responsible person of the sample notifications."""


def http(client: TestClient, keys: Keys) -> Http:  # type: ignore[type-arg]
    """Commands over HTTP; actor 202 gets a key so the registry knows its display name."""
    keys.issue("202", [Role.SERVICE_STAFF], name=STAFF_NAME)
    return Http(client, keys.headers)


def query(h: Http, path: str, expect: int = 200, accept: str | None = None, **params: Any) -> httpx.Response:
    """GET as an analyst after every write so far; asserts the status is `expect`."""
    params = {"min_position": h.last_position} | params
    headers = h.headers(Role.ANALYST) | ({"Accept": accept} if accept else {})
    response = h.client.get(path, params=params, headers=headers)
    assert response.status_code == expect, response.text
    return response


def items(h: Http, path: str, **params: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = query(h, path, **params).json()["items"]
    return found


def csv_rows(response: httpx.Response) -> list[dict[str, str]]:
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text)))


def failing_fields(response: httpx.Response) -> list[str]:
    """The `errors[].field` of a 400 problem response."""
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "VALIDATION_ERROR"
    return [error["field"] for error in response.json()["errors"]]


def all_pages(h: Http, path: str, limit: int, **params: Any) -> list[list[dict[str, Any]]]:
    """Every page of a list, following `next_cursor`."""
    pages, cursor = [], None
    while True:
        body = query(h, path, limit=limit, **({"cursor": cursor} if cursor else {}), **params).json()
        pages.append(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages
