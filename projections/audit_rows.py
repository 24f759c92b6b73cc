"""The audit trail's event rows (P6): one per stored event, chained per stream and over the log.

Shared by the projection (`audit_trail`), the timeline and control queries and
`infra.audit_verify`, which compares these rows with hashes it recomputes from
the event store.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

import msgspec

from domain.api_key import ApiKey
from domain.base import CrmAggregate, CrmEvent
from domain.case import Case
from domain.customer import Customer
from domain.functional_location import FunctionalLocationClaim
from projections.audit_chain import canonical, link, payload
from projections.tables import Table

AGGREGATES: tuple[type[CrmAggregate], ...] = (Case, Customer, FunctionalLocationClaim, ApiKey)
STREAM_TYPES = tuple(aggregate.STREAM_PREFIX for aggregate in AGGREGATES)
SYSTEM_STATUS_EVENTS = frozenset({"NotificationPutInProcess", "NotificationClosed"})
"""Status events whose from/to are system statuses; every other status event moves the user status."""


def nested_events(aggregate: type[CrmAggregate]) -> tuple[type[Any], ...]:
    """The event classes declared on an aggregate (without its `Event`/`Created` bases)."""
    return tuple(
        value
        for name, value in vars(aggregate).items()
        if isinstance(value, type) and issubclass(value, CrmEvent) and name not in ("Event", "Created")
    )


ALL_EVENTS: tuple[type[Any], ...] = tuple(e for aggregate in AGGREGATES for e in nested_events(aggregate))
"""Every event class of every stream: the audit trail must see the whole log."""


class AuditRow(msgspec.Struct, frozen=True, kw_only=True):
    """One stored event as auditors see it, with its two chain links.

    `position` is the event's place in the log: the number of events the
    projection has folded, counting this one. It equals the log's notification
    id as long as the log has no gaps (see `AuditTrailProjection`).
    """

    stream: str
    version: int
    position: int
    event_id: str
    stream_type: str
    type: str
    occurred_at: datetime
    recorded_at: datetime
    actor_id: str
    actor_role: str
    command_id: str
    correlation_id: str
    causation_id: str
    from_status: str | None
    to_status: str | None
    case_no: str | None
    customer_no: str | None
    sales_office: str | None
    data: dict[str, Any]
    hash: str
    prev_hash: str | None
    global_hash: str
    global_prev_hash: str | None


class AuditHead(msgspec.Struct, frozen=True):
    """Where the global chain stands: the last position folded and its global hash."""

    name: str
    position: int
    global_hash: str


EVENTS = Table(
    "rm_audit_trail",
    AuditRow,
    key=("stream", "version"),
    indexes=(
        ("position",),
        ("case_no", "position"),
        ("customer_no", "position"),
        ("actor_id", "position"),
        ("type", "position"),
        ("sales_office", "position"),
        ("occurred_at",),
    ),
)
HEAD = Table("rm_audit_trail_head", AuditHead, key=("name",))
HEAD_KEY = "log"


def stream_parts(stream: str) -> tuple[str, str]:
    """(stream type, business number): `notification-1000001` → ("notification", "1000001")."""
    for prefix in STREAM_TYPES:
        if stream.startswith(prefix + "-"):
            return prefix, stream[len(prefix) + 1 :]
    return "", stream


class Context(NamedTuple):
    """The search columns of a row: what notification, customer and sales office it concerns."""

    case_no: str | None = None
    customer_no: str | None = None
    sales_office: str | None = None


def audit_row(
    event: Any, position: int, prev_hash: str | None, global_prev_hash: str | None, context: Context
) -> AuditRow:
    """The row of one event, linked to the previous row of its stream and of the log."""
    encoded = canonical(event)
    return AuditRow(
        stream=event.originator_id,
        version=event.originator_version,
        position=position,
        event_id=str(event.event_id),
        stream_type=stream_parts(event.originator_id)[0],
        type=type(event).__name__,
        occurred_at=event.occurred_at,
        recorded_at=event.timestamp,
        actor_id=event.actor_id,
        actor_role=event.actor_role,
        command_id=str(event.command_id),
        correlation_id=str(event.correlation_id),
        causation_id=str(event.causation_id),
        from_status=getattr(event, "from_status", None),
        to_status=getattr(event, "to_status", None),
        case_no=context.case_no,
        customer_no=context.customer_no,
        sales_office=context.sales_office,
        data=payload(event),
        hash=link(prev_hash, encoded),
        prev_hash=prev_hash,
        global_hash=link(global_prev_hash, encoded),
        global_prev_hash=global_prev_hash,
    )
