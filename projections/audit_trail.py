"""P6 AuditTrail (DOMAIN.md §4.7, API.md "Audit"): every event of the log, hash-chained and searchable.

Each event becomes one row (`audit_rows.AuditRow`) linked into two SHA-256
chains: its stream's (by version) and the whole log's (by position); see
`audit_chain` for the canonical encoding and `infra.audit_verify` for the check.
The same fold keeps the control lists (`audit_controls`); the status timeline
is in `audit_timeline`.

Position: each row records its event's log position, the notification id the
runner tracks (`rows.position`). On PostgreSQL ids may have gaps (an append that
loses a version race has already drawn its id); both chains follow log order and
are unaffected, and `verify` pairs rows with events by order, checking that each
row's position is its event's id.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, NamedTuple

import msgspec

from domain.case import Case
from domain.customer import Customer
from projections.audit_controls import CASES, FINDINGS, AuditCase, AuditFinding, evolve_case, findings_for
from projections.audit_rows import (
    ALL_EVENTS,
    EVENTS,
    HEAD,
    HEAD_KEY,
    AuditHead,
    AuditRow,
    Context,
    audit_row,
    stream_parts,
)
from projections.base import CrmProjection
from projections.tables import Order, Page, PageRequest, ReadRows, Rows, Select, Table, Where, page


class Step(NamedTuple):
    """What one event adds: its row, the new head, the notification's facts, control findings."""

    row: AuditRow
    head: AuditHead
    case: AuditCase | None
    findings: list[AuditFinding]


def context(event: Any, case: AuditCase | None) -> Context:
    """The search columns: the notification and its customer and office, or the customer."""
    kind, number = stream_parts(event.originator_id)
    if kind == "notification":
        return Context(number, case.customer_no if case else None, case.sales_office if case else None)
    if kind == "customer":
        return Context(customer_no=number)
    return Context(customer_no=getattr(event, "customer_no", None))


def step(
    event: Any, position: int, head: AuditHead | None, prev: AuditRow | None, case: AuditCase | None
) -> Step:
    """Fold one event at log `position`; `prev` is its stream's last row, `case` its notification's facts."""
    is_case = stream_parts(event.originator_id)[0] == "notification"
    after = evolve_case(case, event, position) if is_case else None
    prev_global = head.global_hash if head else None
    row = audit_row(event, position, prev.hash if prev else None, prev_global, context(event, after))
    return Step(row, AuditHead(HEAD_KEY, position, row.global_hash), after, findings_for(case, event, row))


def fold_audit_event(event: Any, rows: Rows) -> None:
    """Append the event's row and advance the chains; an event seen before changes nothing."""
    stream, version = event.originator_id, event.originator_version
    if rows.get(EVENTS, stream, version) is not None:
        return
    kind, number = stream_parts(stream)
    prev = rows.get(EVENTS, stream, version - 1) if version > 1 else None
    case = rows.get(CASES, number) if kind == "notification" else None
    head = rows.get(HEAD, HEAD_KEY)
    done = step(event, rows.position, head, prev, case)
    rows.put(EVENTS, done.row)
    rows.put(HEAD, done.head)
    if done.case is not None:
        rows.put(CASES, done.case)
    for finding in done.findings:
        rows.put(FINDINGS, finding)


class AuditTrailProjection(CrmProjection):
    name = "audit_trail"
    tables: ClassVar[tuple[Table[Any], ...]] = (EVENTS, HEAD, CASES, FINDINGS)
    handles = ALL_EVENTS

    def apply(self, event: Any, rows: Rows) -> None:
        fold_audit_event(event, rows)


class AuditEventItem(msgspec.Struct, frozen=True, kw_only=True):
    """One stored event: its stream and version, its log position, who did what when, and its payload.

    `type` is the event class name (`SiteSurveyCompleted`); `occurred_at` is the
    business time, `recorded_at` the server time. Status events carry `data.from`
    and `data.to`. `hash` = SHA-256 over `prev_hash` and the event's canonical
    encoding (per stream, `prev_hash` null at version 1); `global_hash` chains the
    whole log by position. The hashes are kept by the audit trail read model:
    histories and the audit search show them, the feed (read from the log, not
    from the audit trail) leaves them null. `case_no`, `customer_no` and
    `sales_office` say what the event concerns; the feed fills in only what the
    stream itself names.
    """

    event_id: str
    stream: str
    stream_type: str
    version: int
    position: int
    type: str
    occurred_at: datetime
    recorded_at: datetime
    actor_id: str
    actor_role: str
    command_id: str
    correlation_id: str
    causation_id: str
    case_no: str | None
    customer_no: str | None
    sales_office: str | None
    data: dict[str, Any]
    hash: str | None
    prev_hash: str | None
    global_hash: str | None
    global_prev_hash: str | None


RENAMED = {"from_status": "from", "to_status": "to"}


def event_item(row: AuditRow) -> AuditEventItem:
    fields = {name: getattr(row, name) for name in AuditEventItem.__struct_fields__ if name != "data"}
    data = {RENAMED.get(key, key): value for key, value in row.data.items()}
    return AuditEventItem(**fields, data=data)


class HistoryPage(msgspec.Struct, frozen=True, kw_only=True):
    """Events of one stream in version order; `next_after` is the `after` of the next page (None: done)."""

    items: list[AuditEventItem]
    next_after: int | None


def stream_history(rows: ReadRows, stream: str, after_version: int = 0, limit: int = 500) -> HistoryPage:
    where = (Where("stream", "=", stream), Where("version", ">", after_version))
    found = rows.select(Select(EVENTS, where, (Order("version"),), limit + 1))
    items = [event_item(row) for row in found[:limit]]
    return HistoryPage(items=items, next_after=items[-1].version if len(found) > limit else None)


def case_history(rows: ReadRows, case_no: str, after_version: int = 0, limit: int = 500) -> HistoryPage:
    """GET /v1/cases/{case_no}/history: the notification's events after `after_version`."""
    return stream_history(rows, Case.stream_id(case_no), after_version, limit)


def customer_history(
    rows: ReadRows, customer_no: str, after_version: int = 0, limit: int = 500
) -> HistoryPage:
    """GET /v1/customers/{customer_no}/history: the customer stream's events after `after_version`."""
    return stream_history(rows, Customer.stream_id(customer_no), after_version, limit)


class AuditSearchFilter(msgspec.Struct, frozen=True, kw_only=True):
    """GET /v1/audit/events; several values of a field mean any of them.

    `occurred_from` ≤ occurred_at < `occurred_to` (business time; the API's `from`/`to`).
    """

    actor_id: tuple[str, ...] = ()
    actor_role: tuple[str, ...] = ()
    type: tuple[str, ...] = ()
    case_no: tuple[str, ...] = ()
    customer_no: tuple[str, ...] = ()
    sales_office: tuple[str, ...] = ()
    occurred_from: datetime | None = None
    occurred_to: datetime | None = None


SEARCH_FILTERS = ("actor_id", "actor_role", "type", "case_no", "customer_no", "sales_office")


def search_conditions(filters: AuditSearchFilter) -> tuple[Where, ...]:
    where = [
        Where(name, "in", list(getattr(filters, name))) for name in SEARCH_FILTERS if getattr(filters, name)
    ]
    if filters.occurred_from is not None:
        where.append(Where("occurred_at", ">=", filters.occurred_from))
    if filters.occurred_to is not None:
        where.append(Where("occurred_at", "<", filters.occurred_to))
    return tuple(where)


def audit_search(rows: ReadRows, filters: AuditSearchFilter, request: PageRequest) -> Page[AuditEventItem]:
    """The global audit search, in log order (position)."""
    found = page(rows, Select(EVENTS, search_conditions(filters), (Order("position"),)), request)
    return Page([event_item(row) for row in found.items], found.next_cursor)
