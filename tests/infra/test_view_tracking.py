"""Read-model views are tracking recorders: they pass eventsourcing's TrackingRecorderTestCase."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.tests.persistence import TrackingRecorderTestCase

from infra.read_models import build_view
from projections.base import ReadModelView
from projections.work_queue import WorkQueueProjection
from tests.conftest import settings_for


class TestSQLiteViewTracking(TrackingRecorderTestCase):
    def create_recorder(self) -> ReadModelView:
        folder = tempfile.mkdtemp(prefix="crm-view-")
        return build_view(settings_for(f"sqlite:///{Path(folder) / 'rm.db'}"), WorkQueueProjection)


@pytest.fixture
def postgres_url_for_case(request: pytest.FixtureRequest, postgres_schema_url: str) -> None:
    request.instance.url = postgres_schema_url


@pytest.mark.usefixtures("postgres_url_for_case")
@pytest.mark.postgres
class TestPostgresViewTracking(TrackingRecorderTestCase):
    url: Any

    def create_recorder(self) -> ReadModelView:
        return build_view(settings_for(self.url), WorkQueueProjection)
