"""Shared fixtures: storage backends, settings, a fixed clock, the app, the bus, PostgreSQL and NATS.

Storage-parametrized tests run three times (memory, sqlite, postgres). PostgreSQL is
CRM_TEST_DATABASE_URL when set, else one throwaway pgserver per session; each test gets its
own schema. NATS is CRM_TEST_NATS_URL when set, else one throwaway nats-server per session.
Restrict a test to some backends with
`@pytest.mark.parametrize("storage", ["memory"], indirect=True)`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec
import pytest

from infra.settings import MEMORY_URL, Settings
from tests.clock import FixedClock
from tests.servers import isolated_schema, nats_server_url, pgserver_url

if TYPE_CHECKING:
    from application.app import CrmApplication
    from application.bus import CommandBus
    from infra.bootstrap import Container

STORAGES = ["memory", "sqlite", "postgres"]


def settings_for(storage: str, **overrides: object) -> Settings:
    """Settings for a `storage` spec (a CRM_DATABASE_URL value) with fields replaced."""
    return msgspec.structs.replace(Settings.from_env({"CRM_DATABASE_URL": storage}), **overrides)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark tests by the servers they use, so `-m "not postgres"` deselects them."""
    for item in items:
        params = getattr(item, "callspec", None)
        storage = params.params.get("storage") if params else None
        names = getattr(item, "fixturenames", ())
        if storage == "postgres" or "postgres_url" in names or "postgres_schema_url" in names:
            item.add_marker(pytest.mark.postgres)
        if "nats_url" in names:
            item.add_marker(pytest.mark.nats)


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A PostgreSQL server URL for the whole session (no schema chosen)."""
    given = os.environ.get("CRM_TEST_DATABASE_URL")
    if given:
        yield given
        return
    with pgserver_url(tmp_path_factory.mktemp("pgdata")) as url:
        yield url


@pytest.fixture
def postgres_schema_url(postgres_url: str) -> Iterator[str]:
    """`postgres_url` with `?schema=t_<hex>`: a schema of this test's own, dropped afterwards."""
    with isolated_schema(postgres_url) as url:
        yield url


@pytest.fixture(scope="session")
def nats_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A JetStream-enabled NATS server URL for the whole session."""
    given = os.environ.get("CRM_TEST_NATS_URL")
    if given:
        yield given
        return
    with nats_server_url(tmp_path_factory.mktemp("nats")) as url:
        yield url


@pytest.fixture(params=STORAGES)
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A CRM_DATABASE_URL value: `memory://`, a SQLite file of this test, or an isolated schema."""
    if request.param == "memory":
        return MEMORY_URL
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/crm.db"
    url: str = request.getfixturevalue("postgres_schema_url")
    return url


@pytest.fixture
def settings(storage: str) -> Settings:
    return settings_for(storage)


@pytest.fixture
def clock() -> FixedClock:
    """Server time for the app; move it with `clock.advance(hours=1)` or `clock.set(...)`."""
    return FixedClock()


@pytest.fixture
def app(settings: Settings, clock: FixedClock) -> Iterator[CrmApplication]:
    """The CrmApplication on this test's storage, driven by `clock`; closed afterwards."""
    # Imported here so that a half-written application module fails only the tests that use it.
    from infra.event_store import build_application

    application = build_application(settings, clock=clock)
    try:
        yield application
    finally:
        application.close()


@pytest.fixture
def container(settings: Settings, app: CrmApplication) -> Container:
    """The composition root's container around the same `app` (so `app` and `bus` share a store)."""
    from infra.bootstrap import bootstrap

    return bootstrap(settings, app=app)


@pytest.fixture
def bus(container: Container) -> CommandBus:
    return container.bus
