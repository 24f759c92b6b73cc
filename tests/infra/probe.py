"""A tiny aggregate for store tests: it needs nothing from the CRM domain but the base classes."""

from __future__ import annotations

from uuid import uuid4

from domain.actor import Actor, Role
from domain.base import CrmAggregate, envelope
from domain.context import CommandContext
from tests.clock import FixedClock


class Probe(CrmAggregate):
    """A tiny aggregate for checking that the store saves and loads text-id streams."""

    STREAM_PREFIX = "probe"

    class Opened(CrmAggregate.Created):
        label: str

        def apply(self, aggregate: Probe) -> None:
            aggregate.label = self.label

    class Noted(CrmAggregate.Event):
        note: str

        def apply(self, aggregate: Probe) -> None:
            aggregate.notes.append(self.note)

    def __init__(self) -> None:
        self.label = ""
        self.notes: list[str] = []

    @classmethod
    def open(cls, ctx: CommandContext, number: str, label: str) -> Probe:
        return cls._create(cls.Opened, id=cls.stream_id(number), **envelope(ctx, Role.ASSISTANT), label=label)

    def note(self, ctx: CommandContext, text: str) -> None:
        self._trigger(self.Noted, ctx, Role.ASSISTANT, note=text)


def context(clock: FixedClock) -> CommandContext:
    command_id = uuid4()
    return CommandContext(
        actor=Actor(id="tester", roles=frozenset({Role.ASSISTANT})),
        occurred_at=clock(),
        recorded_at=clock(),
        command_id=command_id,
        correlation_id=command_id,
        causation_id=command_id,
    )
