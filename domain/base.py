"""Base aggregate and event classes: text stream ids and the audit envelope on every event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID, uuid4

from eventsourcing.domain import (
    BaseAggregate,
    CanCreateTimestamp,
    CanInitAggregate,
    CanMutateAggregate,
    CanSnapshotAggregate,
    MetaDomainEvent,
)

from domain.actor import Role
from domain.context import CommandContext

TAggregate = TypeVar("TAggregate", bound="CrmAggregate")


@dataclass(frozen=True)
class CrmEvent(CanMutateAggregate[str], CanCreateTimestamp, metaclass=MetaDomainEvent):
    """Every stored event: stream id, version, server time (`timestamp`) and the envelope.

    The envelope (DOMAIN.md §4.5) is part of the stored event itself, so an
    auditor replaying the log needs nothing else to know who did what and when.
    """

    originator_id: str
    originator_version: int
    timestamp: datetime
    event_id: UUID
    actor_id: str
    actor_role: str
    occurred_at: datetime
    command_id: UUID
    correlation_id: UUID
    causation_id: UUID

    @property
    def recorded_at(self) -> datetime:
        return self.timestamp


@dataclass(frozen=True)
class CrmCreated(CanInitAggregate[str], CrmEvent):
    """First event of a stream; names the aggregate class that it creates."""

    originator_topic: str


@dataclass(frozen=True)
class CrmSnapshot(CanSnapshotAggregate[str], CanCreateTimestamp, metaclass=MetaDomainEvent):
    """Snapshot of an aggregate with a text id (the library's own is for UUID ids)."""

    originator_id: str
    originator_version: int
    timestamp: datetime
    topic: str
    state: dict[str, Any]


def envelope(ctx: CommandContext, role: Role) -> dict[str, Any]:
    """The envelope fields for one event triggered under `ctx`, acting as `role`."""
    return {
        "event_id": uuid4(),
        "actor_id": ctx.actor.id,
        "actor_role": role.value,
        "occurred_at": ctx.occurred_at,
        "command_id": ctx.command_id,
        "correlation_id": ctx.correlation_id,
        "causation_id": ctx.causation_id,
        "timestamp": ctx.recorded_at,
    }


class CrmAggregate(BaseAggregate[str]):
    """Aggregate with a readable text id (`customer-…`, `notification-…`)."""

    STREAM_PREFIX = ""  # no annotation: the library would make the aggregate a dataclass

    class Event(CrmEvent):
        pass

    class Created(Event, CrmCreated):
        pass

    Snapshot = CrmSnapshot

    @classmethod
    def stream_id(cls, number: str) -> str:
        return f"{cls.STREAM_PREFIX}-{number}"

    def _trigger(self, event_class: type[CrmEvent], ctx: CommandContext, role: Role, **payload: Any) -> None:
        """Trigger one event carrying the envelope of `ctx`."""
        self.trigger_event(event_class, **envelope(ctx, role), **payload)
