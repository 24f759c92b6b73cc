"""Request limits: 413 over 1 MiB, 429 with Retry-After per API key, unknown fields rejected."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient

from infra.bootstrap import bootstrap, http_app
from tests.api.conftest import ADMIN, ADMIN_KEY
from tests.conftest import settings_for


@pytest.fixture
def limited(tmp_path: Path) -> Iterator[TestClient]:  # type: ignore[type-arg]
    settings = settings_for(
        f"sqlite:///{tmp_path}/crm.db", bootstrap_admin_key=ADMIN_KEY, rate_limit_per_minute=3
    )
    with TestClient(http_app(bootstrap(settings))) as client:
        yield client


def test_a_key_over_its_rate_gets_429_with_retry_after_and_others_do_not(limited: TestClient) -> None:  # type: ignore[type-arg]
    statuses = [limited.get("/v1/api-keys", headers=ADMIN).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = limited.get("/v1/api-keys", headers=ADMIN)
    assert refused.json()["code"] == "RATE_LIMITED" and int(refused.headers["retry-after"]) > 0
    assert refused.headers["content-type"] == "application/problem+json"
    other = limited.get("/v1/api-keys", headers={"Authorization": "Bearer another-key"})
    assert other.status_code == 401, "another key has its own budget"
    assert limited.get("/health").status_code == 200, "probes are never limited"


def test_a_body_over_one_mebibyte_is_413(limited: TestClient) -> None:  # type: ignore[type-arg]
    body = b'{"text": "' + b"x" * (1024 * 1024) + b'"}'
    response = limited.post("/v1/cases/1000001/long-texts", content=body, headers=ADMIN)
    assert (response.status_code, response.json()["code"]) == (413, "REQUEST_TOO_LARGE")
