"""An HTTP client over the whole app (in-process), with API keys for every role.

`client` runs on SQLite and PostgreSQL with the projection runners of this test
(embedded on SQLite, started here on PostgreSQL), so queries see the commands.
`keys.headers(role)` issues (once) a key for a principal `<role>-1` holding that role.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import msgspec
import pytest
from litestar.testing import TestClient

from domain.actor import Role
from infra.bootstrap import bootstrap, http_app
from infra.runners import Runners
from infra.settings import Settings
from projections.catalog import PROJECTIONS
from tests.clock import FixedClock
from tests.conftest import settings_for

ADMIN_KEY = "test-bootstrap-admin-key"
ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}
API_STORAGES = ["sqlite", "postgres"]


@pytest.fixture(params=API_STORAGES)
def api_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """SQLite or PostgreSQL settings with a bootstrap admin key (read models need a real store)."""
    url = (
        f"sqlite:///{tmp_path}/crm.db"
        if request.param == "sqlite"
        else request.getfixturevalue("postgres_schema_url")
    )
    return settings_for(url, bootstrap_admin_key=ADMIN_KEY)


@pytest.fixture
def client(api_settings: Settings, clock: FixedClock) -> Iterator[TestClient]:  # type: ignore[type-arg]
    container = bootstrap(api_settings, clock=clock)
    runners = Runners(api_settings, PROJECTIONS, single=False) if api_settings.storage == "postgres" else None
    if runners:
        runners.start()
    try:
        with TestClient(http_app(container)) as test_client:
            yield test_client
    finally:
        if runners:
            runners.stop()


@dataclass
class Keys:
    """Issues API keys through the admin endpoint and remembers them per role."""

    client: TestClient  # type: ignore[type-arg]
    issued: dict[Role, str] = field(default_factory=dict)

    def issue(self, actor_id: str, roles: list[Role], name: str = "测试员", **extra: str) -> str:
        body = {"actor_id": actor_id, "name": name, "roles": [r.value for r in roles], **extra}
        response = self.client.post("/v1/api-keys", json=body, headers=ADMIN)
        assert response.status_code == 201, response.text
        key: str = msgspec.json.decode(response.content)["key"]
        return key

    def headers(self, role: Role) -> dict[str, str]:
        if role is Role.ADMIN:
            return dict(ADMIN)
        if role not in self.issued:
            self.issued[role] = self.issue(
                f"{role.value.replace('_', '-')}-1", [role], name=f"{role.value} 一号"
            )
        return {"Authorization": f"Bearer {self.issued[role]}"}


@pytest.fixture
def keys(client: TestClient) -> Keys:  # type: ignore[type-arg]
    return Keys(client)
