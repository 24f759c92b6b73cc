"""`GET /v1/audit/verify`: recompute both hash chains from the event store and compare with the audit trail.

The walk reads the audit rows in position order up to the head the projection
had reached when the walk began — events it has not folded yet are not its to
vouch for, and a runner folding meanwhile cannot disturb the walk — and the log
in notification-id order beside them (both in batches), pairing them one to one.
Every stored event is decoded with the application's mapper and encoded
canonically (`projections.audit_chain`), and the stream chain and the global
chain are rebuilt from nothing but the log. The first disagreement is named:

| reason | what was found at that place in the log |
|---|---|
| `undecodable` | stored bytes the mapper cannot turn back into an event |
| `payload_altered` | the event's recomputed stream hash differs from the audit row's |
| `global_chain_broken` | stream hash agrees, the global link does not |
| `version_gap` | the stream's versions do not follow 1, 2, 3… in log order |
| `event_deleted` | the audit trail recorded an event here that the log no longer holds |
| `out_of_order` | the log holds an audited event at another place than audited |
| `event_inserted` | the log holds an event the audit trail never recorded |
| `missing_audit_row` | the audit trail lacks the row for this place in the log |
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.persistence import Notification

from application.app import CrmApplication
from projections.audit_chain import Mismatch, VerifyResult, canonical, link
from projections.audit_rows import EVENTS, HEAD, AuditRow
from projections.base import ReadModelView
from projections.tables import Order, Select, Where

BATCH = 500
DELETED = "the audit trail records an event here that the log no longer holds"


@dataclass
class Chains:
    """Both chains as rebuilt from the log so far: each stream's last (version, hash), the global hash."""

    streams: dict[str, tuple[int, str]] = field(default_factory=dict)
    global_hash: str | None = None

    def links(self, event: Any) -> tuple[str, str]:
        """(stream hash, global hash) the event must carry if nothing was changed."""
        encoded = canonical(event)
        last = self.streams.get(event.originator_id)
        return link(last[1] if last else None, encoded), link(self.global_hash, encoded)

    def next_version(self, stream: str) -> int:
        last = self.streams.get(stream)
        return last[0] + 1 if last else 1

    def advance(self, row: AuditRow) -> None:
        self.streams[row.stream] = (row.version, row.hash)
        self.global_hash = row.global_hash


def verify(app: CrmApplication, view: ReadModelView, batch: int = BATCH) -> VerifyResult:
    """Check every audited event of the log against the audit trail; stop at the first mismatch."""
    heads = view.select(Select(HEAD))
    audited = heads[0].position if heads else 0
    walk = Walk(app, view, Chains())
    log = log_events(app, batch)
    checked, reached = 0, 0
    for row in audit_rows(view, audited, batch):
        mismatch = walk.check(reached, next(log, None), row)
        if mismatch is not None:
            return VerifyResult(ok=False, events_checked=checked, first_mismatch=mismatch)
        checked, reached = checked + 1, row.position
    if reached < audited:  # rows lost at the end of the audit trail
        mismatch = walk.check(reached, next(log, None), None)
        return VerifyResult(ok=False, events_checked=checked, first_mismatch=mismatch)
    return VerifyResult(ok=True, events_checked=checked, first_mismatch=None)


def log_events(app: CrmApplication, batch: int) -> Iterator[Notification]:
    """The stored events in log order, read a batch at a time as the walk needs them."""
    position = 0
    while True:
        found = app.recorder.select_notifications(start=position, limit=batch, inclusive_of_start=False)
        if not found:
            return
        yield from found
        position = found[-1].id


def audit_rows(view: ReadModelView, last: int, batch: int) -> Iterator[AuditRow]:
    """The audit trail's rows up to position `last`, in position order."""
    position = 0
    while position < last:
        where = (Where("position", ">", position), Where("position", "<=", last))
        found = view.select(Select(EVENTS, where, (Order("position"),), batch))
        if not found:
            return
        yield from found
        position = found[-1].position


@dataclass
class Walk:
    """Pairs the n-th stored event with the n-th audit row and says what, if anything, is wrong.

    A row records its event's log position (notification id). Positions may have gaps
    (on PostgreSQL an append that loses a race has drawn its id), so rows are paired
    with events by order, and each row's position must be its event's id.
    """

    app: CrmApplication
    view: ReadModelView
    chains: Chains

    def check(self, reached: int, stored: Notification | None, row: AuditRow | None) -> Mismatch | None:
        """`reached`: the position of the last row that matched (0 before the first)."""
        if stored is None:  # the log ended before the audit trail did
            return lost(reached + 1) if row is None else gone(row, "event_deleted", DELETED)
        try:
            event = self.app.mapper.to_domain_event(stored)
        except Exception as error:  # any decoding failure is a finding, not a crash
            return at(stored, None, None, "undecodable", f"the stored event cannot be decoded: {error}")
        expected, expected_global = self.chains.links(event)
        if row is None or row.position > stored.id:  # the audit trail skipped this event
            detail = f"the audit trail has no row for log position {stored.id}"
            return at(stored, expected, None, "missing_audit_row", detail)
        if row.position < stored.id or (row.stream, row.version) != (
            stored.originator_id,
            stored.originator_version,
        ):
            return self.misplaced(stored, row, expected)
        return self.compare(stored, row, expected, expected_global)

    def compare(
        self, stored: Notification, row: AuditRow, expected: str, expected_global: str
    ) -> Mismatch | None:
        wanted = self.chains.next_version(str(stored.originator_id))
        if stored.originator_version != wanted:
            detail = f"version {stored.originator_version} follows version {wanted - 1} in the log"
            return at(stored, expected, row.hash, "version_gap", detail)
        if row.hash != expected:
            return at(
                stored, expected, row.hash, "payload_altered", "the stored event differs from the audited one"
            )
        if row.global_hash != expected_global:
            detail = f"global hash {expected_global} expected, {row.global_hash} stored"
            return at(stored, expected, row.hash, "global_chain_broken", detail)
        self.chains.advance(row)
        return None

    def misplaced(self, stored: Notification, row: AuditRow, expected: str) -> Mismatch:
        """The log and the audit trail hold different events at one place: which one is out of place?"""
        if not self.in_log(row):
            return gone(row, "event_deleted", DELETED)
        key = (Where("stream", "=", stored.originator_id), Where("version", "=", stored.originator_version))
        audited = self.view.select(Select(EVENTS, key))
        if not audited:
            return at(stored, expected, None, "event_inserted", "the audit trail never recorded this event")
        detail = f"audited at position {audited[0].position}; audited here: {row.stream} v{row.version}"
        return at(stored, expected, audited[0].hash, "out_of_order", detail)

    def in_log(self, row: AuditRow) -> bool:
        found = self.app.recorder.select_events(row.stream, gt=row.version - 1, lte=row.version, limit=1)
        return bool(found)


def at(
    stored: Notification, expected: str | None, stored_hash: str | None, reason: str, detail: str
) -> Mismatch:
    """A mismatch at a stored event's place in the log."""
    return Mismatch(
        position=stored.id,
        stream=str(stored.originator_id),
        version=stored.originator_version,
        expected_hash=expected,
        stored_hash=stored_hash,
        reason=reason,
        detail=detail,
    )


def lost(position: int) -> Mismatch:
    """Neither the log nor the audit trail holds the event the audit head counts from this position on."""
    detail = "the audit trail counts more events than it and the log hold"
    return Mismatch(
        position=position, stream="", version=0, expected_hash=None, stored_hash=None,
        reason="missing_audit_row", detail=detail,
    )  # fmt: skip


def gone(row: AuditRow, reason: str, detail: str) -> Mismatch:
    """A mismatch at an audited event's place, when the log no longer has that event."""
    return Mismatch(
        position=row.position,
        stream=row.stream,
        version=row.version,
        expected_hash=None,
        stored_hash=row.hash,
        reason=reason,
        detail=detail,
    )
