"""The audit hash chains: one canonical encoding of an event and SHA-256 links over it.

Why the canonical form is built from the *decoded domain event* and not from the
stored bytes: projections only ever see domain events (the runner decodes them,
and this layer may not know the application's transcoder), and a hash over the
event's field values is the same on SQLite and PostgreSQL and survives a change
of compressor or cipher. `infra.audit_verify` decodes every stored event with
the application's mapper and recomputes this same encoding, so any change to
the stored state that changes a field value — or the stream, version or topic —
is detected; a change that decodes to identical values is, by design, no change.
An upcaster that alters old events' values therefore needs an audit rebuild.

Link: `hash = sha256(prev_hash_hex ‖ canonical)`, with "" for the first link;
a hash is 64 hex digits, so the concatenation is unambiguous.
"""

from __future__ import annotations

import hashlib
from typing import Any

import msgspec
from eventsourcing.utils import get_topic

from domain.api_key import ApiKey

STREAM_KEYS = ("originator_id", "originator_version")
ENVELOPE_KEYS = (
    *STREAM_KEYS,
    "timestamp",
    "event_id",
    "actor_id",
    "actor_role",
    "occurred_at",
    "command_id",
    "correlation_id",
    "causation_id",
    "originator_topic",
)
"""Fields every event carries (DOMAIN.md §4.5 envelope); the rest is the payload (`data`)."""


def canonical(event: Any) -> bytes:
    """The event as compact JSON with sorted keys: stream, version, topic and every other field.

    Datetimes are RFC 3339 with their offset, dates ISO, Decimals and UUIDs
    strings, tuples arrays (msgspec's encodings, stable across versions).
    """
    state = {k: v for k, v in vars(event).items() if k not in STREAM_KEYS}
    document = {
        "stream": event.originator_id,
        "version": event.originator_version,
        "topic": get_topic(type(event)),
        "state": state,
    }
    return msgspec.json.encode(document, order="sorted")


def link(prev_hash: str | None, encoded: bytes) -> str:
    """One link of a chain: SHA-256 hex over the previous hash (or "") and the encoding."""
    return hashlib.sha256((prev_hash or "").encode("ascii") + encoded).hexdigest()


SECRET_KEYS = frozenset(ApiKey.SECRET_FIELDS)
"""Stored and hashed, never shown: an API key's secret hash."""


def payload(event: Any) -> dict[str, Any]:
    """The event's own fields without the envelope or secrets, as JSON-ready builtins (the API's `data`)."""
    data = {k: v for k, v in vars(event).items() if k not in ENVELOPE_KEYS and k not in SECRET_KEYS}
    plain: dict[str, Any] = msgspec.to_builtins(data, order="sorted")
    return plain


class Mismatch(msgspec.Struct, frozen=True, kw_only=True):
    """Where the log and the audit trail first disagree, and why (`reason`, e.g. `payload_altered`)."""

    position: int
    stream: str
    version: int
    expected_hash: str | None
    stored_hash: str | None
    reason: str
    detail: str


class VerifyResult(msgspec.Struct, frozen=True, kw_only=True):
    """What `GET /v1/audit/verify` answers: `ok` when both chains recomputed from the log match the audit
    trail; `events_checked` counts the events that matched before the first mismatch (all when ok)."""

    ok: bool
    events_checked: int
    first_mismatch: Mismatch | None
