"""Integration events: each stored domain event as the public, versioned message the relay publishes.

A projection of the log onto messages, with no I/O: `infra.relay` reads the log,
calls `integration_event`/`encode` and publishes the bytes on `subject(event)`.
The message carries the envelope and `data` of the event feed's item
(`GET /v1/events`, same names), plus `schema_version`, `aggregate` and
`aggregate_id`, so consumers read both channels alike. `data` is `audit_chain.payload` (secrets hidden)
with status events' `from_status`/`to_status` renamed `from`/`to`, as on the API.

Subjects are `crm.<aggregate>.<event_snake>`. Functional-location claims belong
with their customer (`crm.customer.functional_location_claimed`); API keys are
`crm.api_key.*`, never with the key's secret hash. `schema_version` is the event
class's `class_version` (1 until an upcaster changes the shape), so a consumer
can tell shapes apart; `docs/events.md` documents every type.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from domain.api_key import ApiKey
from domain.base import CrmAggregate
from domain.case import Case
from domain.customer import Customer
from domain.functional_location import FunctionalLocationClaim
from projections.audit_chain import ENVELOPE_KEYS, SECRET_KEYS, payload
from projections.audit_rows import nested_events, stream_parts
from projections.audit_trail import RENAMED

SUBJECT_PREFIX = "crm"
AGGREGATE_NAMES: dict[type[CrmAggregate], str] = {
    Case: "case",
    Customer: "customer",
    FunctionalLocationClaim: "customer",
    ApiKey: "api_key",
}
"""The public aggregate of each stream type (the `<aggregate>` of a subject)."""

_BY_STREAM_TYPE = {aggregate.STREAM_PREFIX: name for aggregate, name in AGGREGATE_NAMES.items()}

EVENT_TYPES: tuple[type[Any], ...] = tuple(
    event for aggregate in AGGREGATE_NAMES for event in nested_events(aggregate)
)
"""Every event class the log can hold, in the order `docs/events.md` lists them."""


class IntegrationEvent(msgspec.Struct, frozen=True, kw_only=True):
    """One stored event as other systems receive it (JSON on NATS JetStream, stream `CRM_EVENTS`).

    `event_id` is also the message's `Nats-Msg-Id`; `position` is the event's place
    in the global log and `stream`/`version` its place in its aggregate's stream:
    process idempotently by `event_id` and in order by `version` per `stream`.
    `occurred_at` is business time, `recorded_at` server time (RFC 3339).
    """

    schema_version: int
    type: str
    event_id: UUID
    position: int
    stream: str
    version: int
    aggregate: str
    aggregate_id: str
    occurred_at: datetime
    recorded_at: datetime
    actor_id: str
    actor_role: str
    command_id: UUID
    correlation_id: UUID
    causation_id: UUID
    data: dict[str, Any]


def snake(name: str) -> str:
    """`SiteSurveyCompleted` → `site_survey_completed` (runs of capitals stay one word)."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


def aggregate_name(stream: str) -> str:
    """The public aggregate of a stream id: `notification-1000001` → `case`."""
    kind, _ = stream_parts(stream)
    if kind not in _BY_STREAM_TYPE:
        raise ValueError(f"stream {stream!r} belongs to no published aggregate")
    return _BY_STREAM_TYPE[kind]


def subject(event: Any, prefix: str = SUBJECT_PREFIX) -> str:
    """`crm.<aggregate>.<event_snake>` of a stored event."""
    return f"{prefix}.{aggregate_name(event.originator_id)}.{snake(type(event).__name__)}"


def subject_of_type(event_type: type[Any], prefix: str = SUBJECT_PREFIX) -> str:
    """The subject every event of `event_type` is published on (for documentation and consumers)."""
    for aggregate, name in AGGREGATE_NAMES.items():
        if event_type in nested_events(aggregate):
            return f"{prefix}.{name}.{snake(event_type.__name__)}"
    raise ValueError(f"{event_type.__qualname__} is no event of a published aggregate")


def schema_version(event_type: type[Any]) -> int:
    """The shape's version: the library's `class_version` (bumped with an upcaster)."""
    version: int | None = getattr(event_type, "class_version", None)
    return version or 1


def aggregate_id(event: Any) -> str:
    """The business number: case_no, customer_no (a claim's customer) or the API key's id."""
    kind, number = stream_parts(event.originator_id)
    if kind == FunctionalLocationClaim.STREAM_PREFIX:
        return str(event.customer_no)
    return number


def integration_event(event: Any, position: int) -> IntegrationEvent:
    """The public message of one domain event read from the log at `position`."""
    data = {RENAMED.get(key, key): value for key, value in payload(event).items()}
    return IntegrationEvent(
        schema_version=schema_version(type(event)),
        type=type(event).__name__,
        event_id=event.event_id,
        position=position,
        stream=event.originator_id,
        version=event.originator_version,
        aggregate=aggregate_name(event.originator_id),
        aggregate_id=aggregate_id(event),
        occurred_at=event.occurred_at,
        recorded_at=event.timestamp,
        actor_id=event.actor_id,
        actor_role=event.actor_role,
        command_id=event.command_id,
        correlation_id=event.correlation_id,
        causation_id=event.causation_id,
        data=data,
    )


def encode(message: IntegrationEvent) -> bytes:
    """The message body: compact JSON (Decimals as strings, dates ISO, datetimes RFC 3339)."""
    return msgspec.json.encode(message)


def data_fields(event_type: type[Any]) -> dict[str, str]:
    """The `data` fields of an event type with their declared types (public names, no secrets)."""
    return {
        RENAMED.get(field.name, field.name): str(field.type)
        for field in dataclasses.fields(event_type)
        if field.name not in ENVELOPE_KEYS and field.name not in SECRET_KEYS
    }
