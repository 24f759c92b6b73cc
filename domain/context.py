"""The envelope facts every command brings: actor, business and server time, ids."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from domain.actor import Actor


@dataclass(frozen=True)
class CommandContext:
    """Who issued a command, when the fact happened and how it correlates.

    `occurred_at` is business time (may be back-dated from a paper form) already
    expressed in the business time zone; `recorded_at` is the server clock.
    """

    actor: Actor
    occurred_at: datetime
    recorded_at: datetime
    command_id: UUID
    correlation_id: UUID
    causation_id: UUID
