"""P1 work queue (IW59) and work plan (ZSMR006): one row per notification, filtered and ordered.

`is_overdue` and `days_open` depend on the day asked about, so they are computed
by the query from `as_of`, never stored.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

import msgspec

from projections.base import CrmProjection
from projections.case_facts import (
    CASE_EVENTS,
    CUSTOMER_NAME_EVENTS,
    CaseFacts,
    CustomerName,
    fold_case_event,
)
from projections.tables import Order, Page, PageRequest, ReadRows, Rows, Select, Table, Where, page

WORK_QUEUE = Table(
    "rm_work_queue",
    CaseFacts,
    key=("case_no",),
    indexes=(
        ("urgency_rank", "required_start", "case_no"),
        ("customer_no",),
        ("sales_office", "notification_date"),
        ("responsible_person",),
    ),
)
WORK_QUEUE_CUSTOMERS = Table("rm_work_queue_customers", CustomerName, key=("customer_no",))


class WorkQueueProjection(CrmProjection):
    name = "work_queue"
    tables: ClassVar[tuple[Table[Any], ...]] = (WORK_QUEUE, WORK_QUEUE_CUSTOMERS)
    handles = CASE_EVENTS + CUSTOMER_NAME_EVENTS

    def apply(self, event: Any, rows: Rows) -> None:
        fold_case_event(WORK_QUEUE, WORK_QUEUE_CUSTOMERS, event, rows)


class WorkQueueFilter(msgspec.Struct, frozen=True, kw_only=True):
    """The IW59 selection screen ("多种分类方式"); several values of a field mean any of them."""

    system_status: tuple[str, ...] = ()
    type: tuple[str, ...] = ()
    user_status: tuple[str, ...] = ()
    urgency: tuple[str, ...] = ()
    notification_date: date | None = None
    date_from: date | None = None
    date_to: date | None = None
    required_start_from: date | None = None
    required_start_to: date | None = None
    main_work_center: str | None = None
    responsible_person: str | None = None
    sales_office: str | None = None
    sales_org: str | None = None
    customer_no: str | None = None
    overdue_only: bool = False


class WorkQueueItem(msgspec.Struct, frozen=True, kw_only=True):
    """A work-queue row as integrators see it (DOMAIN.md §4.7 P1 columns)."""

    case_no: str
    type: str
    type_label: str
    notification_date: date
    description: str
    category: str
    urgency: str
    urgent_dispatched: bool
    customer_no: str
    customer_name: str
    object_address: str
    functional_location: str
    user_status: str
    system_status: str
    required_start: date
    required_end: date
    main_work_center: str
    plant: str
    responsible_person: str
    responsible_name: str
    reporter: str
    sales_office: str
    sales_org: str
    po_number: str
    po_date: date
    pending_action: str
    is_overdue: bool
    days_open: int
    last_event_at: datetime
    version: int


SHOWN_FACTS = tuple(name for name in WorkQueueItem.__struct_fields__ if name in CaseFacts.__struct_fields__)
DEFAULT_ORDER = (Order("urgency_rank"), Order("required_start"), Order("case_no"))
IN_FILTERS = ("system_status", "type", "user_status", "urgency")
EQUAL_FILTERS = ("main_work_center", "responsible_person", "sales_office", "sales_org", "customer_no")


def conditions(f: WorkQueueFilter, as_of: date) -> tuple[Where, ...]:
    where = [Where(name, "in", list(getattr(f, name))) for name in IN_FILTERS if getattr(f, name)]
    where += [Where(name, "=", getattr(f, name)) for name in EQUAL_FILTERS if getattr(f, name) is not None]
    ranges = (
        ("notification_date", "=", f.notification_date), ("notification_date", ">=", f.date_from),
        ("notification_date", "<=", f.date_to), ("required_start", ">=", f.required_start_from),
        ("required_start", "<=", f.required_start_to),
    )  # fmt: skip
    where += [Where(column, op, value) for column, op, value in ranges if value is not None]  # type: ignore[arg-type]
    if f.overdue_only:
        where += [Where("system_status", "!=", "COMPLETED"), Where("required_end", "<", as_of)]
    return tuple(where)


def is_overdue(facts: CaseFacts, as_of: date) -> bool:
    """DOMAIN.md: not COMPLETED and the day asked about is after the required end."""
    return facts.system_status != "COMPLETED" and as_of > facts.required_end


def item(facts: CaseFacts, as_of: date, names: dict[str, str] | None = None) -> WorkQueueItem:
    fields = {name: getattr(facts, name) for name in SHOWN_FACTS}
    return WorkQueueItem(
        **fields,
        responsible_name=(names or {}).get(facts.responsible_person, ""),
        pending_action=facts.pending_action,
        is_overdue=is_overdue(facts, as_of),
        days_open=max(0, (as_of - facts.notification_date).days),
    )


def work_queue(
    rows: ReadRows,
    filters: WorkQueueFilter,
    as_of: date,
    request: PageRequest,
    names: dict[str, str] | None = None,
) -> Page[WorkQueueItem]:
    """IW59: the filtered queue in the default order urgency → required_start → case_no."""
    found = page(rows, Select(WORK_QUEUE, conditions(filters, as_of), DEFAULT_ORDER), request)
    return Page([item(f, as_of, names) for f in found.items], found.next_cursor)


class WorkPlanGroup(msgspec.Struct, frozen=True, kw_only=True):
    responsible_person: str
    responsible_name: str
    items: list[WorkQueueItem]


def work_plan(
    rows: ReadRows,
    sales_office: str,
    date_from: date,
    date_to: date,
    as_of: date,
    names: dict[str, str] | None = None,
) -> list[WorkPlanGroup]:
    """ZSMR006: the office's open Z1 notifications created in the range, per responsible person."""
    where = (
        Where("sales_office", "=", sales_office), Where("type", "=", "Z1"),
        Where("system_status", "in", ["OUTSTANDING", "IN_PROCESS"]),
        Where("notification_date", ">=", date_from), Where("notification_date", "<=", date_to),
    )  # fmt: skip
    order = (Order("responsible_person"), Order("required_start"), Order("case_no"))
    groups: dict[str, list[WorkQueueItem]] = {}
    for facts in rows.select(Select(WORK_QUEUE, where, order)):
        groups.setdefault(facts.responsible_person, []).append(item(facts, as_of, names))
    return [
        WorkPlanGroup(responsible_person=p, responsible_name=(names or {}).get(p, ""), items=items)
        for p, items in groups.items()
    ]
