"""Builders for customer domain tests: contexts per role, a registered customer, replay helpers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from eventsourcing.domain import CanMutateAggregate
from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    Mapper,
    UUIDAsHex,
)

from application.transcodings import DateAsISO
from domain.actor import Actor, Role
from domain.context import CommandContext
from domain.customer import Customer

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2024, 3, 6, 1, 0, tzinfo=UTC)
CUSTOMER_NO = "2110050007"


def make_ctx(
    *roles: Role,
    actor_id: str = "u-101",
    occurred_at: datetime | None = None,
    recorded_at: datetime = NOW,
    correlation_id: UUID | None = None,
) -> CommandContext:
    """A context for an actor holding `roles` (assistant when none are given), as the bus builds it."""
    command_id = uuid4()
    return CommandContext(
        actor=Actor(id=actor_id, roles=frozenset(roles or (Role.ASSISTANT,)), name="测试"),
        occurred_at=(occurred_at or recorded_at).astimezone(SHANGHAI),
        recorded_at=recorded_at,
        command_id=command_id,
        correlation_id=correlation_id or command_id,
        causation_id=command_id,
    )


def register(ctx: CommandContext | None = None, **overrides: Any) -> Customer:
    """A registered STANDARD customer whose registration events are already collected."""
    fields: dict[str, Any] = {
        "customer_no": CUSTOMER_NO,
        "name": "王敏",
        "kind": "ENTERPRISE",
        "address": "上海市徐汇区漕溪北路 1 号",
    }
    fields.update(overrides)
    customer = Customer.register(ctx or make_ctx(), **fields)
    customer.collect_events()
    return customer


def names(events: Iterable[object]) -> list[str]:
    return [type(event).__name__ for event in events]


def pending(customer: Customer) -> list[Any]:
    """The pending events, typed loosely so tests can read payload fields."""
    return list(customer.pending_events)


def replay(events: Sequence[CanMutateAggregate[str]]) -> Customer:
    """Fold events into a fresh aggregate, as the repository does when loading a stream."""
    aggregate: Customer | None = None
    for event in events:
        aggregate = event.mutate(aggregate)
    assert aggregate is not None
    return aggregate


def json_mapper() -> Mapper[str]:
    """The event store's JSON mapping (the transcodings CrmApplication registers)."""
    transcoder = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO(), DateAsISO()):
        transcoder.register(transcoding)
    return Mapper(transcoder=transcoder)


def through_json(events: Sequence[CanMutateAggregate[str]]) -> list[CanMutateAggregate[str]]:
    """The events as a store returns them: encoded to JSON and decoded again."""
    mapper = json_mapper()
    decoded = [mapper.to_domain_event(mapper.to_stored_event(event)) for event in events]
    return [event for event in decoded if isinstance(event, CanMutateAggregate)]
