"""Projection runners over the real stores: following the log, restarting, one leader on PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any, ClassVar

import pytest

from application.app import CrmApplication
from application.bus import CommandBus
from infra.read_models import ReadModels
from infra.runners import ProjectionSupervisor, Runners
from infra.settings import Settings
from projections.base import ReadModelBehind
from projections.tables import PageRequest, Rows
from projections.work_queue import WorkQueueFilter, WorkQueueProjection, work_queue
from tests.application import flows
from tests.clock import DEFAULT_START

STORES = pytest.mark.parametrize("storage", ["sqlite", "postgres"], indirect=True)
AS_OF = DEFAULT_START.date()


@pytest.fixture
def read_models(settings: Settings, app: CrmApplication) -> Iterator[ReadModels]:
    models = ReadModels(settings, app, (WorkQueueProjection,))
    yield models
    models.close()


def eventually(check: Any, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


@STORES
def test_a_runner_follows_the_log_into_the_work_queue(
    settings: Settings, bus: CommandBus, app: CrmApplication, read_models: ReadModels
) -> None:
    runners = Runners(settings, (WorkQueueProjection,), single=False)
    runners.start()
    try:
        flows.register_customer(bus)
        case_no = flows.v1(bus)
        open_case = flows.create(bus)
        read_models.wait_for(WorkQueueProjection, app.recorder.max_notification_id(), timeout=20)
        rows = work_queue(
            read_models.view(WorkQueueProjection), WorkQueueFilter(), AS_OF, PageRequest()
        ).items
        by_no = {row.case_no: row for row in rows}
        assert by_no[case_no].system_status == "COMPLETED" and by_no[case_no].pending_action == "NONE"
        assert by_no[open_case].pending_action == "SURVEY"
        assert by_no[open_case].customer_name == "申齐保健食品有限公司"
    finally:
        runners.stop()


@STORES
def test_waiting_for_a_position_not_yet_applied_gives_up_with_read_model_behind(
    bus: CommandBus, app: CrmApplication, read_models: ReadModels
) -> None:
    flows.register_customer(bus)
    flows.create(bus)
    with pytest.raises(ReadModelBehind):
        read_models.wait_for(WorkQueueProjection, app.recorder.max_notification_id(), timeout=0.2)


class FlakyWorkQueue(WorkQueueProjection):
    """Fails on its first two events (as a bug or a lost connection would), then works."""

    name = "work_queue"
    failures_left: ClassVar[int] = 2

    def apply(self, event: Any, rows: Rows) -> None:
        if FlakyWorkQueue.failures_left > 0:
            FlakyWorkQueue.failures_left -= 1
            raise RuntimeError("transient failure")
        super().apply(event, rows)


@STORES
def test_a_failing_runner_restarts_from_its_checkpoint(
    settings: Settings, bus: CommandBus, app: CrmApplication, read_models: ReadModels
) -> None:
    FlakyWorkQueue.failures_left = 2
    flows.register_customer(bus)
    case_no = flows.create(bus)
    supervisor = ProjectionSupervisor(settings, FlakyWorkQueue)
    supervisor.start()
    try:
        read_models.wait_for(WorkQueueProjection, app.recorder.max_notification_id(), timeout=30)
        assert supervisor.status.failures == 2
        assert "transient failure" in supervisor.status.last_error
        rows = work_queue(
            read_models.view(WorkQueueProjection), WorkQueueFilter(), AS_OF, PageRequest()
        ).items
        assert [row.case_no for row in rows] == [case_no]
    finally:
        supervisor.stop()


@pytest.mark.parametrize("storage", ["postgres"], indirect=True)
def test_a_second_copy_of_a_projection_waits_for_the_first(settings: Settings) -> None:
    first = ProjectionSupervisor(settings, WorkQueueProjection, single=True)
    second = ProjectionSupervisor(settings, WorkQueueProjection, single=True)
    first.start()
    eventually(lambda: first.status.state == "running")
    second.start()
    try:
        time.sleep(1.5)
        assert second.status.state == "waiting_for_lock"
        first.stop()
        eventually(lambda: second.status.state == "running")
    finally:
        first.stop()
        second.stop()
