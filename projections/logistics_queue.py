"""P3 regional logistics queue: what regional logistics (区物流) has been sent and not yet settled.

Two kinds of rows (DOMAIN.md §4.7 P3): (a) a Z1 in ZGPZ whose escalation is
still unanswered, (b) a Z2 whose complaint form was sent and that is not
COMPLETED. The payment status (完款状况) is always on the row: the source insists
regional logistics is told it. `days_waiting` depends on the day asked about, so
the query computes it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

import msgspec

from projections.base import CrmProjection
from projections.case_facts import CASE_EVENTS, CUSTOMER_NAME_EVENTS, CaseFacts, CustomerName, fold_into_queue
from projections.tables import Order, Page, PageRequest, ReadRows, Rows, Select, Table, page


class LogisticsQueueRow(msgspec.Struct, frozen=True, kw_only=True):
    """One notification waiting on regional logistics, as stored (P3 columns but `days_waiting`)."""

    case_no: str
    type: str
    purpose: str
    payment_status: str
    complaint_form_no: str
    complaint_kind: str
    sales_office: str
    customer_no: str
    customer_name: str
    object_address: str
    escalated_at: datetime
    user_status: str
    required_end: date


class LogisticsQueueItem(LogisticsQueueRow, frozen=True, kw_only=True):
    """A queue row with the calendar days since the escalation (in the time zone of `as_of`)."""

    days_waiting: int


LOGISTICS_QUEUE = Table(
    "rm_regional_logistics_queue", LogisticsQueueRow, key=("case_no",), indexes=(("escalated_at", "case_no"),)
)
LOGISTICS_QUEUE_FACTS = Table(
    "rm_regional_logistics_queue_facts", CaseFacts, key=("case_no",), indexes=(("customer_no",),)
)
LOGISTICS_QUEUE_CUSTOMERS = Table("rm_regional_logistics_queue_customers", CustomerName, key=("customer_no",))


def awaits_logistics(facts: CaseFacts) -> bool:
    """(a) Z1 in ZGPZ escalated since its approval (a reply moves it to ZBHF); (b) Z2 sent, open."""
    if facts.type == "Z1":
        return facts.user_status == "ZGPZ" and facts.escalated
    return facts.complaint_form_sent and facts.system_status != "COMPLETED"


def queue_row(facts: CaseFacts) -> LogisticsQueueRow | None:
    """The visible row of a notification, or None when regional logistics owes it nothing."""
    if not awaits_logistics(facts) or facts.escalated_at is None:
        return None
    return LogisticsQueueRow(
        case_no=facts.case_no,
        type=facts.type,
        purpose=facts.escalation_purpose,
        payment_status=facts.payment_status,
        complaint_form_no=facts.sent_form_no,
        complaint_kind=facts.complaint_kinds.get(facts.sent_form_no, ""),
        sales_office=facts.sales_office,
        customer_no=facts.customer_no,
        customer_name=facts.customer_name,
        object_address=facts.object_address,
        escalated_at=facts.escalated_at,
        user_status=facts.user_status,
        required_end=facts.required_end,
    )


class RegionalLogisticsQueueProjection(CrmProjection):
    name = "regional_logistics_queue"
    tables: ClassVar[tuple[Table[Any], ...]] = (
        LOGISTICS_QUEUE,
        LOGISTICS_QUEUE_FACTS,
        LOGISTICS_QUEUE_CUSTOMERS,
    )
    handles = CASE_EVENTS + CUSTOMER_NAME_EVENTS

    def apply(self, event: Any, rows: Rows) -> None:
        fold_into_queue(
            LOGISTICS_QUEUE_FACTS, LOGISTICS_QUEUE_CUSTOMERS, LOGISTICS_QUEUE, queue_row, event, rows
        )


def days_waiting(escalated_at: datetime, as_of: datetime) -> int:
    """Calendar days from the escalation to `as_of`, both taken in `as_of`'s zone (naive: UTC).

    Pass `as_of` in the business time zone so that days turn at local midnight.
    """
    moment = as_of if as_of.tzinfo else as_of.replace(tzinfo=UTC)
    return max(0, (moment.date() - escalated_at.astimezone(moment.tzinfo).date()).days)


def item(row: LogisticsQueueRow, as_of: datetime) -> LogisticsQueueItem:
    fields = msgspec.structs.asdict(row)
    return LogisticsQueueItem(**fields, days_waiting=days_waiting(row.escalated_at, as_of))


def logistics_queue(rows: ReadRows, as_of: datetime, request: PageRequest) -> Page[LogisticsQueueItem]:
    """Everything waiting on regional logistics, longest wait first (escalated_at, then case_no)."""
    order = (Order("escalated_at"), Order("case_no"))
    found = page(rows, Select(LOGISTICS_QUEUE, (), order), request)
    return Page([item(row, as_of) for row in found.items], found.next_cursor)
