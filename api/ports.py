"""What the API needs from the rest of the system, as protocols the composition root fills."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import msgspec

from application.app import CrmApplication
from application.bus import CommandBus
from domain.actor import Actor
from projections.audit_chain import VerifyResult
from projections.base import CrmProjection
from projections.tables import ReadRows


class ReadSide(Protocol):
    """The read models of this process: rows to query, and read-your-writes waits."""

    def rows(self, projection: type[CrmProjection]) -> ReadRows: ...

    def position(self, projection: type[CrmProjection]) -> int: ...

    def wait_for(
        self, projection: type[CrmProjection], position: int, timeout: float | None = None
    ) -> None: ...


class StoredResponse(msgspec.Struct, frozen=True, kw_only=True):
    """An idempotency record: the request's fingerprint and, once done, the first response."""

    fingerprint: str
    status: int | None = None
    body: bytes = b""
    headers: dict[str, str] = {}


class IdempotencyStore(Protocol):
    """Durable Idempotency-Key records, kept 24 h, in the same database as the events."""

    def claim(self, scope: str, key: str, fingerprint: str) -> StoredResponse | None:
        """Take the key (None), or return the live record already holding it."""
        ...

    def complete(self, scope: str, key: str, response: StoredResponse) -> None: ...

    def release(self, scope: str, key: str) -> None:
        """Forget a claimed key whose command failed, so a corrected retry can run."""
        ...


@dataclass(frozen=True)
class Services:
    """Everything a controller may use; built by infra/bootstrap.py."""

    bus: CommandBus
    app: CrmApplication
    read: ReadSide | None
    idempotency: IdempotencyStore
    authenticate: Callable[[str], Actor | None]
    verify_log: Callable[[], VerifyResult]
    """Recomputes the audit hash chains from the event log (infra.audit_verify.verify)."""
