"""Projection runners: eventsourcing's ProjectionRunner, kept alive and (on PostgreSQL) single.

A supervisor starts the library's runner for one projection; when the runner
fails, it logs the error, counts it, waits (exponential backoff) and starts a
new runner, which resumes from the view's checkpoint. On PostgreSQL a session
advisory lock per projection makes a second copy (another `crm project`) wait
instead of running beside the first.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from eventsourcing.projection import ProjectionRunner

from application.app import CrmApplication
from infra.leadership import advisory_lock
from infra.read_models import base_view_class, creating_read_tables, projection_env, read_schema
from infra.read_store import view_class
from infra.settings import Settings
from projections.base import CrmProjection

log = logging.getLogger("crm.projections")

BACKOFF_FIRST = 0.5
BACKOFF_MAX = 30.0


@dataclass
class RunnerStatus:
    """What /metrics and logs show about one projection's runner."""

    name: str
    state: str = "starting"  # starting | waiting_for_lock | running | failed | stopped
    failures: int = 0
    last_error: str = ""
    since: datetime = field(default_factory=lambda: datetime.now(UTC))

    def enter(self, state: str) -> None:
        self.state, self.since = state, datetime.now(UTC)


class ProjectionSupervisor:
    """Runs one projection until stopped, restarting it from its checkpoint after failures."""

    def __init__(self, settings: Settings, projection: type[CrmProjection], *, single: bool = False) -> None:
        self.settings = settings
        self.projection = projection
        self.single = single and settings.storage == "postgres"
        self.status = RunnerStatus(projection.name)
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"projection-{projection.name}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def request_stop(self) -> None:
        self._stopping.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        self.status.enter("stopped")

    def _run(self) -> None:
        backoff = BACKOFF_FIRST
        with self._leadership():
            while not self._stopping.is_set():
                try:
                    self._follow()
                    backoff = BACKOFF_FIRST
                except Exception as error:  # a failing runner must not take the process down
                    self.status.failures += 1
                    self.status.last_error = f"{type(error).__name__}: {error}"
                    self.status.enter("failed")
                    log.exception("projection %s failed; restarting in %.1fs", self.projection.name, backoff)
                    self._stopping.wait(backoff)
                    backoff = min(backoff * 2, BACKOFF_MAX)

    def _follow(self) -> None:
        """One library runner, from the view's checkpoint until it fails or we stop."""
        with creating_read_tables(self.settings):
            runner: ProjectionRunner[Any, Any] = ProjectionRunner(
                application_class=CrmApplication,
                projection_class=self.projection,
                view_class=view_class(self.projection, base_view_class(self.settings)),
                env=projection_env(self.settings, (self.projection,)),
            )
        with runner:
            self.status.enter("running")
            log.info("projection %s running", self.projection.name)
            while not runner.is_interrupted.wait(0.2):
                if self._stopping.is_set():
                    runner.stop()

    @contextmanager
    def _leadership(self) -> Iterator[None]:
        """On PostgreSQL with `single`, hold this projection's advisory lock while running."""
        if not self.single:
            yield
            return
        self.status.enter("waiting_for_lock")
        with projection_lock(self.settings, self.projection, self._stopping):
            yield


def projection_lock(
    settings: Settings, projection: type[CrmProjection], stopping: threading.Event | None = None
) -> AbstractContextManager[None]:
    """The projection's advisory lock (PostgreSQL): one runner or rebuild at a time."""
    name = (
        f"crm.projection.{read_schema(settings.postgres)}.{projection.name}"
        if settings.storage == "postgres"
        else ""
    )
    return advisory_lock(settings, name, stopping)


class Runners:
    """All projections' supervisors of one process (embedded mode, or `crm project`)."""

    def __init__(
        self, settings: Settings, projections: tuple[type[CrmProjection], ...], *, single: bool
    ) -> None:
        self.supervisors = [ProjectionSupervisor(settings, p, single=single) for p in projections]

    def start(self) -> None:
        for supervisor in self.supervisors:
            supervisor.start()

    def stop(self) -> None:
        for supervisor in self.supervisors:
            supervisor.request_stop()
        for supervisor in self.supervisors:
            supervisor.stop()

    def statuses(self) -> list[RunnerStatus]:
        return [s.status for s in self.supervisors]
