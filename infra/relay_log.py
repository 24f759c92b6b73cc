"""The relay's side of the database: the log read as outgoing messages, its checkpoint, its lock.

The checkpoint is an eventsourcing tracking recorder in the events' own
database (table `relay_tracking`, beside the events; on PostgreSQL in their
schema): the read models' view class with no rows, so SQLite and PostgreSQL
share one code path. It holds the last log position JetStream has acknowledged
together with every position before it.
"""

from __future__ import annotations

import logging
import threading
from contextlib import AbstractContextManager
from typing import Any, NamedTuple

from eventsourcing.persistence import InfrastructureFactory, IntegrityError, Tracking
from eventsourcing.utils import Environment

from application.app import CrmApplication
from infra.event_store import build_application, creating_tables, eventsourcing_env
from infra.leadership import advisory_lock
from infra.read_models import base_view_class
from infra.settings import Settings
from projections.base import ReadModelView
from projections.integration_events import encode, integration_event, subject

log = logging.getLogger("crm.relay")

RELAY_NAME = "relay"
APPLICATION_NAME = "crm"
CHECKPOINT_POOL = {"POSTGRES_POOL_SIZE": "1", "POSTGRES_MAX_OVERFLOW": "1"}


class RelayUnavailable(RuntimeError):
    """The relay needs a durable log (SQLite or PostgreSQL), not the in-process memory store."""


class Outgoing(NamedTuple):
    """One event ready to publish: where it is in the log, its message id, subject and body."""

    position: int
    event_id: str
    stream: str
    version: int
    subject: str
    body: bytes


class RelayLog:
    """The event log from the relay's point of view: pages of messages, and the checkpoint."""

    def __init__(self, settings: Settings, subject_prefix: str) -> None:
        if settings.storage == "memory":
            raise RelayUnavailable("the relay needs SQLite or PostgreSQL (CRM_DATABASE_URL)")
        self._prefix = subject_prefix
        self.app: CrmApplication = build_application(settings)
        try:
            self._checkpoints = build_checkpoint_recorder(settings)
        except BaseException:
            self.app.close()
            raise

    def read(self, after: int, limit: int) -> list[Outgoing]:
        """Up to `limit` events after log position `after`, in log order, as messages."""
        found = self.app.recorder.select_notifications(start=after + 1, limit=limit)
        return [self._outgoing(self.app.mapper.to_domain_event(stored), stored.id) for stored in found]

    def event_id_at(self, position: int) -> str | None:
        """The id of the event stored at `position` (None if there is none)."""
        found = self.app.recorder.select_notifications(start=position, limit=1, stop=position)
        if not found:
            return None
        event: Any = self.app.mapper.to_domain_event(found[0])
        return str(event.event_id)

    def last_position(self) -> int:
        return self.app.recorder.max_notification_id() or 0

    def checkpoint(self) -> int:
        """The last position published and acknowledged, with every earlier one (0: none yet)."""
        return self._checkpoints.max_tracking_id(APPLICATION_NAME) or 0

    def record(self, position: int) -> None:
        """Move the checkpoint forward to `position` (a position at or behind it changes nothing)."""
        try:
            self._checkpoints.insert_tracking(Tracking(APPLICATION_NAME, position))
        except IntegrityError:  # the single-row upsert refuses to move back: already there or past it
            log.debug("relay checkpoint already at or after %d", position)

    def close(self) -> None:
        self._checkpoints.datastore.close()  # type: ignore[attr-defined]
        self.app.close()

    def _outgoing(self, event: object, position: int) -> Outgoing:
        message = integration_event(event, position)
        return Outgoing(
            position=position,
            event_id=str(message.event_id),
            stream=message.stream,
            version=message.version,
            subject=subject(event, self._prefix),
            body=encode(message),
        )


def build_checkpoint_recorder(settings: Settings) -> ReadModelView:
    """The tracking recorder `relay_tracking` in the events' database, created if missing."""
    env = eventsourcing_env(settings) | CHECKPOINT_POOL
    factory = InfrastructureFactory.construct(Environment(RELAY_NAME, env))
    checkpoint_class = type(
        "RelayCheckpoint", (base_view_class(settings),), {"view_name": RELAY_NAME, "tables": ()}
    )
    if settings.storage != "postgres":
        recorder = factory.tracking_recorder(checkpoint_class)
    else:
        with creating_tables(settings.postgres):
            recorder = factory.tracking_recorder(checkpoint_class)
    if not isinstance(recorder, ReadModelView):
        raise TypeError(f"{type(recorder).__name__} is not a tracking recorder of ours")
    return recorder


def relay_lock(settings: Settings, stopping: threading.Event) -> AbstractContextManager[None]:
    """PostgreSQL: the relay's advisory lock, so one `crm relay` publishes at a time."""
    schema = (settings.postgres.schema or "public") if settings.storage == "postgres" else ""
    return advisory_lock(settings, f"crm.relay.{schema}", stopping)
