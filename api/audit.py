"""Auditors' endpoints (API.md "Audit", DOMAIN.md §4.7 P6): histories, timelines, search, verify, controls.

All of them read the audit trail read model (`projections.audit_trail`), except
`verify`, which recomputes its hash chains from the event log. Stored events are
immutable: the history paths declare GET only, so PUT, PATCH and DELETE on them
are answered 405 (with `Allow`) by the router before any handler runs.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.types import ControllerRouterHandler

from api.ports import Services
from api.problems import ApiProblem
from api.query_params import query_refusals
from api.reading import MAX_POSITION, POSITION_HEADER, Cursor, Limit, MinPosition, consult, respond
from domain.actor import Actor
from domain.errors import CaseNotFound, CustomerNotFound, FieldProblem, ValidationFailed
from projections.audit_chain import VerifyResult
from projections.audit_controls import CONTROL_NAMES, ControlItem, controls
from projections.audit_timeline import Timeline, timeline
from projections.audit_trail import (
    AuditEventItem,
    AuditSearchFilter,
    AuditTrailProjection,
    HistoryPage,
    audit_search,
    case_history,
    customer_history,
)
from projections.tables import PageRequest


class HistoryResponse(msgspec.Struct, frozen=True, kw_only=True):
    """A stream's events in version order; `next_after` is the `after` of the next page (null: no more)."""

    items: list[AuditEventItem]
    next_after: int | None


class EventList(msgspec.Struct, frozen=True, kw_only=True):
    """One page of the audit search; `next_cursor` is null on the last page."""

    items: list[AuditEventItem]
    next_cursor: str | None


class ControlList(msgspec.Struct, frozen=True, kw_only=True):
    """One page of a control list; `next_cursor` is null on the last page."""

    items: list[ControlItem]
    next_cursor: str | None


After = Annotated[
    int, QueryParameter(ge=0, le=MAX_POSITION, description="Only versions after this one (default 0: all).")
]
HistoryLimit = Annotated[
    int, QueryParameter(ge=1, le=500, description="Events per page (default and maximum 500).")
]
AsOfTime = Annotated[
    datetime | None,
    QueryParameter(description="ISO 8601 timestamp (no offset: UTC); the current status runs to it."),
]
OneOf = Annotated[
    str | None, QueryParameter(max_length=1000, description="One value or several, comma-separated.")
]
BOUND = "an ISO 8601 timestamp (no offset: UTC) or a date (that day in the business time zone)"
From = Annotated[str | None, QueryParameter(name="from", description=f"occurred_at ≥ `from`: {BOUND}.")]
To = Annotated[
    str | None,
    QueryParameter(description=f"occurred_at < `to`: {BOUND}; a date includes its day."),
]
CASE_404 = query_refusals("CASE_NOT_FOUND: the audit trail holds no event of this notification")
CUSTOMER_404 = query_refusals("CUSTOMER_NOT_FOUND: the audit trail holds no event of this customer")
CONTROL_404 = query_refusals("CONTROL_NOT_FOUND: no such control list; the detail names the known ones")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class AuditController(Controller):
    """Read-only: every role except admin."""

    path = "/v1"
    tags = ["audit"]  # noqa: RUF012 (Litestar reads it as a class attribute)

    @get(
        "/cases/{case_no:str}/history",
        sync_to_thread=True,
        summary="A case's event history",
        responses=CASE_404,
    )
    def get_case_history(
        self,
        request: Request[Any, Any, Any],
        services: NamedDependency[Services],
        reader: NamedDependency[Actor],
        case_no: FromPath[str],
        after: After = 0,
        limit: HistoryLimit = 500,
        min_position: MinPosition = None,
    ) -> Response[HistoryResponse]:
        """Every event of one notification in version order, with its hash links (DOMAIN.md P6).

        `hash` = SHA-256 over `prev_hash` and the event's canonical encoding;
        `prev_hash` is the previous version's `hash` (null for version 1).
        Status events carry `data.from` and `data.to`. Page with `after=next_after`.
        404 CASE_NOT_FOUND when the audit trail holds no event of the case
        (pass a command's `position` as `min_position` to read a fresh case).
        Stored events are immutable: PUT, PATCH and DELETE here are 405.
        """
        rows, position = consult(services, AuditTrailProjection, min_position)
        found = case_history(rows, case_no, after, limit)
        if not found.items and (after == 0 or not case_history(rows, case_no, 0, 1).items):
            raise CaseNotFound(f"notification {case_no} not found")
        return _history(request, found, position)

    @get(
        "/customers/{customer_no:str}/history",
        sync_to_thread=True,
        summary="A customer's event history",
        responses=CUSTOMER_404,
    )
    def get_customer_history(
        self,
        request: Request[Any, Any, Any],
        services: NamedDependency[Services],
        reader: NamedDependency[Actor],
        customer_no: FromPath[str],
        after: After = 0,
        limit: HistoryLimit = 500,
        min_position: MinPosition = None,
    ) -> Response[HistoryResponse]:
        """Every event of one customer's stream in version order, with hash links, as for cases.

        404 CUSTOMER_NOT_FOUND when the audit trail holds no event of the customer.
        Stored events are immutable: PUT, PATCH and DELETE here are 405.
        """
        rows, position = consult(services, AuditTrailProjection, min_position)
        found = customer_history(rows, customer_no, after, limit)
        if not found.items and (after == 0 or not customer_history(rows, customer_no, 0, 1).items):
            raise CustomerNotFound(f"customer {customer_no} not found")
        return _history(request, found, position)

    @get(
        "/cases/{case_no:str}/timeline",
        sync_to_thread=True,
        summary="A case's status timeline",
        responses=CASE_404,
    )
    def get_timeline(
        self,
        request: Request[Any, Any, Any],
        services: NamedDependency[Services],
        reader: NamedDependency[Actor],
        case_no: FromPath[str],
        as_of_time: AsOfTime = None,
        min_position: MinPosition = None,
    ) -> Response[Timeline]:
        """How long the notification sat in each user status and each system status, and who set it.

        Intervals `{status, entered_at, left_at, duration_seconds, set_by, set_by_role, version}`
        in the order the statuses were set, timed by business time (`occurred_at`):
        a back-dated entry can make an interval negative and is shown as it is.
        The current status has `left_at: null`; its duration runs to `as_of_time`
        (default: now). 404 CASE_NOT_FOUND for a notification the audit trail does not hold.
        """
        rows, position = consult(services, AuditTrailProjection, min_position)
        found = timeline(rows, case_no, _utc(as_of_time) or services.app.clock())
        if found is None:
            raise CaseNotFound(f"notification {case_no} not found")
        return respond(request, found, position)

    @get("/audit/events", sync_to_thread=True, summary="Search every event", responses=query_refusals())
    def search_events(
        self,
        request: Request[Any, Any, Any],
        services: NamedDependency[Services],
        reader: NamedDependency[Actor],
        actor_id: OneOf = None,
        actor_role: OneOf = None,
        type: OneOf = None,
        case_no: OneOf = None,
        customer_no: OneOf = None,
        sales_office: OneOf = None,
        from_: From = None,
        to: To = None,
        limit: Limit = 50,
        cursor: Cursor = None,
        min_position: MinPosition = None,
    ) -> Response[EventList]:
        """Global audit search over every stored event, in log order, with hash links.

        Every filter is optional; several values of one filter (comma-separated)
        match any of them, different filters must all match. `from` ≤ occurred_at < `to`
        (business time). `case_no` finds a notification's events, `customer_no` the
        customer's own events and those of its notifications. Answers `text/csv` too.
        Stored events are immutable: PUT, PATCH and DELETE here are 405.
        """
        rows, position = consult(services, AuditTrailProjection, min_position)
        filters = AuditSearchFilter(
            actor_id=_values(actor_id),
            actor_role=_values(actor_role),
            type=_values(type),
            case_no=_values(case_no),
            customer_no=_values(customer_no),
            sales_office=_values(sales_office),
            **_period(from_, to, services.app.timezone),
        )
        found = audit_search(rows, filters, PageRequest(limit, cursor))
        items = found.items
        return respond(request, EventList(items=items, next_cursor=found.next_cursor), position, items)

    @get("/audit/verify", sync_to_thread=True, summary="Verify the hash chains", responses=query_refusals())
    def verify_log(
        self,
        services: NamedDependency[Services],
        reader: NamedDependency[Actor],
        min_position: MinPosition = None,
    ) -> Response[VerifyResult]:
        """Prove the event log was not altered: recompute both hash chains from the stored events.

        Every event the audit trail has recorded is read back from the event log,
        decoded and hashed again, per stream and over the whole log, and compared
        with the audit trail. `ok: false` names the first disagreement
        (`payload_altered`, `event_deleted`, `event_inserted`, `out_of_order`,
        `version_gap`, `global_chain_broken`, `undecodable`, `missing_audit_row`).
        It reads the whole log: expect it to take a while on a large store.
        `X-Read-Model-Position` is where the audit trail stood when the walk began.
        """
        _, position = consult(services, AuditTrailProjection, min_position)
        result: VerifyResult = services.verify_log()
        return Response(result, headers={POSITION_HEADER: str(position)})

    @get("/audit/controls/{name:str}", sync_to_thread=True, summary="A control list", responses=CONTROL_404)
    def get_control_list(
        self,
        request: Request[Any, Any, Any],
        services: NamedDependency[Services],
        reader: NamedDependency[Actor],
        name: FromPath[str],
        limit: Limit = 50,
        cursor: Cursor = None,
        min_position: MinPosition = None,
    ) -> Response[ControlList]:
        """One control list of DOMAIN.md P6, in log order: the flagged event and why.

        `closed-without-invoice`: closed with a confirmed ZFFW quote but no ZFW invoice.
        `approval-without-request`: ZGPZ set with no approval request pending (should be empty).
        `escalation-without-payment-status`: escalated without a payment status (should be empty).
        `self-approved`: the supervisor approved their own request. Answers `text/csv` too.
        """
        if name not in CONTROL_NAMES:
            detail = f"no control list {name!r}; known: {', '.join(CONTROL_NAMES)}"
            raise ApiProblem(404, "CONTROL_NOT_FOUND", detail)
        rows, position = consult(services, AuditTrailProjection, min_position)
        found = controls(rows, name, PageRequest(limit, cursor))
        body = ControlList(items=found.items, next_cursor=found.next_cursor)
        return respond(request, body, position, found.items)


def _history(request: Request[Any, Any, Any], found: HistoryPage, position: int) -> Response[Any]:
    items = found.items
    return respond(request, HistoryResponse(items=items, next_after=found.next_after), position, items)


def _values(raw: str | None) -> tuple[str, ...]:
    """`a,b` → ("a", "b"); blanks are dropped."""
    return tuple(value.strip() for value in (raw or "").split(",") if value.strip())


def _period(start: str | None, end: str | None, zone: tzinfo) -> dict[str, datetime | None]:
    """`from` and `to` as the filter's bounds; a date `to` includes that day. Both are checked."""
    problems: list[FieldProblem] = []
    bounds: dict[str, datetime | None] = {}
    for field, raw, key, days in (("from", start, "occurred_from", 0), ("to", end, "occurred_to", 1)):
        try:
            bounds[key] = _instant(raw, zone, days)
        except ValueError:
            problems.append(FieldProblem(field, "must be an ISO 8601 timestamp or a date (YYYY-MM-DD)"))
    if problems:
        raise ValidationFailed(problems)
    return bounds


def _instant(raw: str | None, zone: tzinfo, days_after_date: int) -> datetime | None:
    if raw is None:
        return None
    if DATE.match(raw):
        return datetime.combine(date.fromisoformat(raw) + timedelta(days=days_after_date), time(), zone)
    return _utc(datetime.fromisoformat(raw))


def _utc(moment: datetime | None) -> datetime | None:
    """API.md: a timestamp without an offset is UTC."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


ROUTES: list[ControllerRouterHandler] = [AuditController]
