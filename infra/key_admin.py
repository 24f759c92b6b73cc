"""API keys from the console (`crm keys create|list|revoke`) and the demo's keys for `make run`.

The console acts as principal `console` with the admin role, so issuing and
revoking from the command line is in the audit log like any other admin act.
Listing reads the event log itself, not a read model, so it is right even when
no projection runner is running.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from eventsourcing.utils import get_topic

from application.app import CrmApplication
from application.authentication import Authenticator
from application.bus import CommandBus
from application.key_commands import IssueApiKey, RevokeApiKey
from domain.actor import Actor, Role
from domain.api_key import ApiKey
from infra.bootstrap import Container

CONSOLE = Actor("console", frozenset({Role.ADMIN}), name="crm console")
KEY_TOPICS = [ApiKey.ApiKeyIssued, ApiKey.ApiKeyRevoked]


@dataclass(frozen=True)
class IssuedKey:
    key_id: str
    key: str


@dataclass
class KeyListing:
    """One key as `crm keys list` shows it (never its secret)."""

    key_id: str
    actor_id: str
    name: str
    roles: tuple[str, ...]
    sales_office: str | None
    issued_at: datetime
    revoked_at: datetime | None = None


def issue_key(bus: CommandBus, principal: Actor) -> IssuedKey:
    command = IssueApiKey(
        actor_id=principal.id,
        name=principal.name,
        roles=sorted(principal.roles),
        sales_office=principal.sales_office,
    )
    accepted = bus.dispatch(command, CONSOLE)
    return IssuedKey(str(accepted.details["key_id"]), str(accepted.details["key"]))


def revoke_key(bus: CommandBus, key_id: str) -> None:
    bus.dispatch(RevokeApiKey(key_id=key_id), CONSOLE)


def list_keys(app: CrmApplication) -> list[KeyListing]:
    """Every key ever issued, oldest first, from the log's key events."""
    topics = [get_topic(t) for t in KEY_TOPICS]
    keys: dict[str, KeyListing] = {}
    start = 1
    while batch := app.recorder.select_notifications(start=start, limit=1000, topics=topics):
        for notification in batch:
            _fold(keys, app.mapper.to_domain_event(notification))
        start = batch[-1].id + 1
    return list(keys.values())


def _fold(keys: dict[str, KeyListing], event: object) -> None:
    if isinstance(event, ApiKey.ApiKeyIssued):
        keys[event.key_id] = KeyListing(
            event.key_id,
            event.principal_id,
            event.name,
            tuple(event.roles),
            event.sales_office,
            event.timestamp,
        )
    elif isinstance(event, ApiKey.ApiKeyRevoked) and event.key_id in keys:
        keys[event.key_id].revoked_at = event.timestamp


def ensure_demo_keys(container: Container, principals: Iterable[Actor], path: Path) -> dict[str, str]:
    """One working key per demo principal, kept in `path` (mode 600) so `make run` can print a curl.

    Keys in the file that no longer authenticate (a new database, a revoked key)
    are replaced; valid ones are kept, so repeated runs do not pile up keys.
    """
    authenticate = Authenticator(container.app)
    known = _read(path)
    keys: dict[str, str] = {}
    for principal in principals:
        key = known.get(principal.id)
        if key is None or authenticate(key) is None:
            key = issue_key(container.bus, principal).key
        keys[principal.id] = key
    _write(path, keys)
    return keys


def _read(path: Path) -> dict[str, str]:
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}


def _write(path: Path, keys: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        json.dump(keys, file, ensure_ascii=False, indent=2)
