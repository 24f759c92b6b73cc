"""Auditors' control lists (DOMAIN.md §4.7 P6), kept while the audit trail folds the log.

Three controls are facts about one event, judged against the notification as
it stood just before it (`FINDING_RULES`, stored as findings). The fourth —
closed with a confirmed ZFFW quote but no ZFW invoice — can be cleared by a
later invoice, so it is read from each notification's current audit facts.
Two lists "should be empty": they prove invariants the write side enforces.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import msgspec

from projections.audit_rows import SYSTEM_STATUS_EVENTS, AuditRow
from projections.tables import Order, Page, PageRequest, ReadRows, Select, Table, Where, page

CLOSED_WITHOUT_INVOICE = "closed-without-invoice"
APPROVAL_WITHOUT_REQUEST = "approval-without-request"
ESCALATION_WITHOUT_PAYMENT_STATUS = "escalation-without-payment-status"
SELF_APPROVED = "self-approved"
CONTROL_NAMES = (
    CLOSED_WITHOUT_INVOICE,
    APPROVAL_WITHOUT_REQUEST,
    ESCALATION_WITHOUT_PAYMENT_STATUS,
    SELF_APPROVED,
)


class AuditCase(msgspec.Struct, frozen=True, kw_only=True):
    """What the audit trail knows about one notification: search context and control facts."""

    case_no: str
    type: str
    customer_no: str
    sales_office: str
    pending_request_by: str | None = None
    quoted_orders: tuple[str, ...] = ()  # ZFFW service orders
    confirmed_orders: tuple[str, ...] = ()
    invoiced_orders: tuple[str, ...] = ()  # by a ZFW invoice
    uninvoiced: int = 0  # confirmed ZFFW orders without a ZFW invoice
    closed_version: int | None = None
    closed_position: int | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None

    @property
    def uninvoiced_orders(self) -> tuple[str, ...]:
        return tuple(o for o in self.confirmed_orders if o not in self.invoiced_orders)


class AuditFinding(msgspec.Struct, frozen=True, kw_only=True):
    """One event that a control flags."""

    control: str
    position: int
    stream: str
    version: int
    case_no: str | None
    occurred_at: datetime
    actor_id: str
    detail: str


CASES = Table(
    "rm_audit_trail_cases", AuditCase, key=("case_no",), indexes=(("uninvoiced", "closed_position"),)
)
FINDINGS = Table("rm_audit_trail_findings", AuditFinding, key=("control", "position"))

Change = Callable[[AuditCase, Any, int], dict[str, Any]]


def _orders(confirmed: tuple[str, ...], invoiced: tuple[str, ...]) -> dict[str, Any]:
    uninvoiced = sum(1 for order in confirmed if order not in invoiced)
    return {"confirmed_orders": confirmed, "invoiced_orders": invoiced, "uninvoiced": uninvoiced}


def _confirmed(case: AuditCase, event: Any, position: int) -> dict[str, Any]:
    if event.order_no not in case.quoted_orders:
        return {}
    return _orders((*case.confirmed_orders, event.order_no), case.invoiced_orders)


def _invoiced(case: AuditCase, event: Any, position: int) -> dict[str, Any]:
    if event.invoice_type != "ZFW":
        return {}
    return _orders(case.confirmed_orders, (*case.invoiced_orders, event.order_no))


def _details(case: AuditCase, event: Any, position: int) -> dict[str, Any]:
    changes: dict[str, Any] = event.changes
    moved = {"sales_office": "sales_office", "ship_to": "customer_no"}
    return {column: changes[name]["new"] for name, column in moved.items() if name in changes}


CASE_CHANGES: dict[str, Change] = {
    "NotificationDetailsUpdated": _details,
    "SupervisorApprovalRequested": lambda c, e, p: {"pending_request_by": e.requested_by},
    "SupervisorApproved": lambda c, e, p: {"pending_request_by": None},
    "SupervisorRejected": lambda c, e, p: {"pending_request_by": None},
    "ServiceSalesOrderCreated": lambda c, e, p: (
        {"quoted_orders": (*c.quoted_orders, e.order_no)} if e.order_type == "ZFFW" else {}
    ),
    "QuoteConfirmedByCustomer": _confirmed,
    "ServiceInvoiceCreated": _invoiced,
    "NotificationClosed": lambda c, e, p: {
        "closed_version": e.originator_version,
        "closed_position": p,
        "closed_at": e.occurred_at,
        "closed_by": e.actor_id,
    },
}


def evolve_case(case: AuditCase | None, event: Any, position: int) -> AuditCase | None:
    """The notification's audit facts after one of its events (at log `position`)."""
    name = type(event).__name__
    if name == "ServiceNotificationCreated":
        return AuditCase(
            case_no=event.case_no, type=event.type, customer_no=event.ship_to, sales_office=event.sales_office
        )
    change = CASE_CHANGES.get(name)
    if case is None or change is None:
        return case
    return msgspec.structs.replace(case, **change(case, event, position))


Rule = Callable[[AuditCase | None, Any], str | None]


def _zgpz_without_request(case: AuditCase | None, event: Any) -> str | None:
    if type(event).__name__ in SYSTEM_STATUS_EVENTS or getattr(event, "to_status", None) != "ZGPZ":
        return None
    if case is not None and case.pending_request_by is not None:
        return None
    return f"{type(event).__name__} set ZGPZ with no approval request pending"


def _escalation_without_payment_status(case: AuditCase | None, event: Any) -> str | None:
    if type(event).__name__ != "EscalatedToRegionalLogistics" or (event.payment_status or "").strip():
        return None
    return f"escalated to {event.unit} without a payment status"


def _self_approved(case: AuditCase | None, event: Any) -> str | None:
    if type(event).__name__ != "SupervisorApproved" or event.supervisor_id != event.requested_by:
        return None
    return f"{event.supervisor_id} approved their own request"


FINDING_RULES: tuple[tuple[str, Rule], ...] = (
    (APPROVAL_WITHOUT_REQUEST, _zgpz_without_request),
    (ESCALATION_WITHOUT_PAYMENT_STATUS, _escalation_without_payment_status),
    (SELF_APPROVED, _self_approved),
)
"""Event-level controls as data: a rule returns why the event is flagged, or None."""


def findings_for(case_before: AuditCase | None, event: Any, row: AuditRow) -> list[AuditFinding]:
    """The controls that flag `event`, judged on the notification just before it."""
    found = [(name, rule(case_before, event)) for name, rule in FINDING_RULES]
    return [_finding(name, detail, row) for name, detail in found if detail is not None]


def _finding(control: str, detail: str, row: AuditRow) -> AuditFinding:
    where = {name: getattr(row, name) for name in ("position", "stream", "version", "case_no", "occurred_at")}
    return AuditFinding(control=control, actor_id=row.actor_id, detail=detail, **where)


class ControlItem(msgspec.Struct, frozen=True, kw_only=True):
    """One entry of a control list: the flagged event and why."""

    control: str
    case_no: str | None
    stream: str
    version: int
    position: int
    occurred_at: datetime
    actor_id: str
    detail: str


class UnknownControl(KeyError):
    """A control list name that DOMAIN.md P6 does not define (the API answers 404)."""


def closed_without_invoice(case: AuditCase) -> ControlItem | None:
    """The close of a notification that still has a confirmed ZFFW quote without a ZFW invoice."""
    if case.closed_position is None or case.closed_at is None or not case.uninvoiced:
        return None
    return ControlItem(
        control=CLOSED_WITHOUT_INVOICE,
        case_no=case.case_no,
        stream=f"notification-{case.case_no}",
        version=case.closed_version or 0,
        position=case.closed_position,
        occurred_at=case.closed_at,
        actor_id=case.closed_by or "",
        detail="confirmed ZFFW without ZFW: " + ", ".join(case.uninvoiced_orders),
    )


def finding_item(finding: AuditFinding) -> ControlItem:
    return ControlItem(**msgspec.structs.asdict(finding))


def controls(rows: ReadRows, name: str, request: PageRequest | None = None) -> Page[ControlItem]:
    """One control list in log order; raises UnknownControl for a name P6 does not define."""
    request = request or PageRequest()
    if name == CLOSED_WITHOUT_INVOICE:
        where = (Where("closed_position", "is not null"), Where("uninvoiced", ">", 0))
        cases = page(rows, Select(CASES, where, (Order("closed_position"),)), request)
        items = [closed_without_invoice(case) for case in cases.items]
        return Page([item for item in items if item is not None], cases.next_cursor)
    if name not in CONTROL_NAMES:
        raise UnknownControl(f"unknown control list {name!r}; known: {', '.join(CONTROL_NAMES)}")
    found = page(rows, Select(FINDINGS, (Where("control", "=", name),), (Order("position"),)), request)
    return Page([finding_item(f) for f in found.items], found.next_cursor)
