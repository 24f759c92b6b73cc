"""A tiny command bus: find the handler by command type, build the context, translate clashes."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from datetime import UTC
from typing import Any, TypeVar
from uuid import UUID, uuid4

from eventsourcing.persistence import IntegrityError

from application.accepted import Accepted
from application.app import CrmApplication
from application.commands import Command
from domain.actor import Actor
from domain.context import CommandContext
from domain.errors import ConcurrencyConflict, ValidationFailed

C = TypeVar("C", bound=Command)
Handler = Callable[[Any, CommandContext, CrmApplication], Accepted]


class UnknownCommand(LookupError):
    """No handler is registered for a command type (a programming error)."""


class CommandBus:
    """Dispatches commands to plain handler functions `handler(cmd, ctx, app)`."""

    MAX_ATTEMPTS = 25

    def __init__(self, app: CrmApplication, handlers: Mapping[type[Command], Handler]) -> None:
        self.app = app
        self._handlers = dict(handlers)

    def dispatch(
        self,
        command: Command,
        actor: Actor,
        *,
        correlation_id: UUID | None = None,
        causation_id: UUID | None = None,
    ) -> Accepted:
        try:
            handler = self._handlers[type(command)]
        except KeyError:
            raise UnknownCommand(type(command).__name__) from None
        if problems := command.payload_problems():
            raise ValidationFailed(problems)
        ctx = self.context(command, actor, correlation_id, causation_id)
        attempts = 1 if command.expected_version is not None else self.MAX_ATTEMPTS
        for attempt in range(1, attempts + 1):
            try:
                return handler(command, ctx, self.app)
            except IntegrityError as error:
                # Another writer appended to the same stream between our load and save. Without
                # If-Match the command is re-run on the new state (API.md: concurrent commands are
                # serialised; a loser that can no longer apply gets its normal rule error).
                if attempt == attempts:
                    raise ConcurrencyConflict("the stream was changed concurrently; retry") from error
                time.sleep(random.uniform(0, 0.002 * attempt))  # noqa: S311 - jitter, not security
        raise AssertionError("unreachable")

    def context(
        self,
        command: Command,
        actor: Actor,
        correlation_id: UUID | None,
        causation_id: UUID | None,
    ) -> CommandContext:
        """The envelope of one command: business time defaults to now, naive means UTC."""
        now = self.app.clock()
        occurred = command.occurred_at or now
        if occurred.tzinfo is None:
            occurred = occurred.replace(tzinfo=UTC)
        command_id = uuid4()
        return CommandContext(
            actor=actor,
            occurred_at=occurred.astimezone(self.app.timezone),
            recorded_at=now if now.tzinfo else now.replace(tzinfo=UTC),
            command_id=command_id,
            correlation_id=correlation_id or command_id,
            causation_id=causation_id or command_id,
        )
