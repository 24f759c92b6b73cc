"""P2 supervisor approval queue: the notifications waiting for a supervisor's decision.

A row exists while an approval request is pending and disappears with
SupervisorApproved / SupervisorRejected. The projection keeps its own copy of the
queue facts (a read model rebuilds alone) and derives the visible row from them;
`waiting_hours` depends on the moment asked about, so the query computes it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

import msgspec

from projections.base import CrmProjection
from projections.case_facts import CASE_EVENTS, CUSTOMER_NAME_EVENTS, CaseFacts, CustomerName, fold_into_queue
from projections.tables import Order, Page, PageRequest, ReadRows, Rows, Select, Table, Where, page


class ApprovalQueueRow(msgspec.Struct, frozen=True, kw_only=True):
    """One pending approval request as stored (DOMAIN.md §4.7 P2 columns but `waiting_hours`)."""

    case_no: str
    type: str
    category: str
    purpose: str  # HQ_QUOTE | HQ_SUPPORT
    requested_by: str
    requested_at: datetime
    sales_office: str
    customer_no: str
    customer_name: str
    description: str
    latest_long_text: str
    complaint_form_no: str | None
    service_form_count: int
    user_status: str


class ApprovalQueueItem(ApprovalQueueRow, frozen=True, kw_only=True):
    """A queue row as the supervisor sees it: how long the request has waited, in whole hours."""

    waiting_hours: int


APPROVAL_QUEUE = Table(
    "rm_approval_queue",
    ApprovalQueueRow,
    key=("case_no",),
    indexes=(("requested_at", "case_no"), ("sales_office", "requested_at", "case_no")),
)
APPROVAL_QUEUE_FACTS = Table(
    "rm_approval_queue_facts", CaseFacts, key=("case_no",), indexes=(("customer_no",),)
)
APPROVAL_QUEUE_CUSTOMERS = Table("rm_approval_queue_customers", CustomerName, key=("customer_no",))


def queue_row(facts: CaseFacts) -> ApprovalQueueRow | None:
    """The visible row of a notification, or None when no approval request is pending."""
    if not facts.pending_approval or facts.approval_requested_at is None:
        return None
    return ApprovalQueueRow(
        case_no=facts.case_no,
        type=facts.type,
        category=facts.category,
        purpose=facts.approval_purpose,
        requested_by=facts.approval_requested_by,
        requested_at=facts.approval_requested_at,
        sales_office=facts.sales_office,
        customer_no=facts.customer_no,
        customer_name=facts.customer_name,
        description=facts.description,
        latest_long_text=facts.latest_long_text,
        complaint_form_no=facts.complaint_form_no or None,
        service_form_count=facts.service_form_count,
        user_status=facts.user_status,
    )


class ApprovalQueueProjection(CrmProjection):
    name = "approval_queue"
    tables: ClassVar[tuple[Table[Any], ...]] = (
        APPROVAL_QUEUE,
        APPROVAL_QUEUE_FACTS,
        APPROVAL_QUEUE_CUSTOMERS,
    )
    handles = CASE_EVENTS + CUSTOMER_NAME_EVENTS

    def apply(self, event: Any, rows: Rows) -> None:
        fold_into_queue(
            APPROVAL_QUEUE_FACTS, APPROVAL_QUEUE_CUSTOMERS, APPROVAL_QUEUE, queue_row, event, rows
        )


def waiting_hours(requested_at: datetime, as_of: datetime) -> int:
    """Whole hours since the request (0 for a request in the future of `as_of`); naive means UTC."""
    moment = as_of if as_of.tzinfo else as_of.replace(tzinfo=UTC)
    return max(0, int((moment - requested_at).total_seconds() // 3600))


def item(row: ApprovalQueueRow, as_of: datetime) -> ApprovalQueueItem:
    fields = msgspec.structs.asdict(row)
    return ApprovalQueueItem(**fields, waiting_hours=waiting_hours(row.requested_at, as_of))


def approval_queue(
    rows: ReadRows, as_of: datetime, request: PageRequest, sales_office: str | None = None
) -> Page[ApprovalQueueItem]:
    """The pending requests, oldest first (requested_at, then case_no), optionally of one office."""
    where = (Where("sales_office", "=", sales_office),) if sales_office is not None else ()
    order = (Order("requested_at"), Order("case_no"))
    found = page(rows, Select(APPROVAL_QUEUE, where, order), request)
    return Page([item(row, as_of) for row in found.items], found.next_cursor)
