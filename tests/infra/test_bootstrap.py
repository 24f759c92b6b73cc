"""The composition root wires one app, one bus and the HTTP app over the same store."""

from __future__ import annotations

from litestar.testing import TestClient

from application.app import CrmApplication
from infra.bootstrap import Container, bootstrap, http_app
from infra.settings import Settings


def test_the_bus_dispatches_to_the_containers_application(container: Container, app: CrmApplication) -> None:
    assert container.bus.app is app


def test_bootstrap_builds_its_own_application_from_settings(settings: Settings) -> None:
    with bootstrap(settings) as container:
        assert isinstance(container.app, CrmApplication)
        assert container.app.recorder.max_notification_id() in (None, 0)


def test_the_http_app_is_ready_when_the_store_answers(container: Container) -> None:
    with TestClient(http_app(container)) as client:
        response = client.get("/ready")
    assert (response.status_code, response.json()) == (200, {"status": "ready", "position": 0, "lag": 0})
