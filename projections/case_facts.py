"""What the queue read models know about one notification, folded purely from its events.

The work queue, the approval and regional-logistics queues and the overdue list
(P1–P4) each keep their own copy of these facts (a read model rebuilds alone),
but they share this fold (`fold_case_event`, and `fold_into_queue` for a queue
that shows a row only while a rule holds) and the `pending_action` rules of
DOMAIN.md §4.7 P1. Only state lives here; anything that depends on "today" is
computed by queries.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import msgspec

from domain.case import Case
from domain.customer import Customer
from projections.tables import R, Rows, Select, Table, Where

TYPE_LABELS = {"Z1": "客户服务通知", "Z2": "交货异常"}


class CaseFacts(msgspec.Struct, frozen=True, kw_only=True):
    """One notification as the queues see it (API names: `case_no`, `type`)."""

    case_no: str
    type: str
    type_label: str
    notification_date: date
    description: str
    category: str
    urgency: str
    urgency_rank: int  # 0 = URGENT first in the default order
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
    reporter: str
    sales_office: str
    sales_org: str
    po_number: str
    po_date: date
    payment_status: str
    created_at: datetime
    last_event_at: datetime
    version: int
    latest_long_text: str = ""
    pending_approval: bool = False
    approval_purpose: str = ""
    approval_requested_by: str = ""
    approval_requested_at: datetime | None = None
    escalated: bool = False  # since the latest approval (Z1) / at all (Z2)
    escalated_at: datetime | None = None  # when the current wait for regional logistics began
    escalation_purpose: str = ""
    complaint_form_no: str = ""  # the latest form filed
    complaint_kind: str = ""
    complaint_kinds: dict[str, str] = msgspec.field(default_factory=dict)  # form_no → kind
    complaint_form_sent: bool = False
    sent_form_no: str = ""  # the form the latest escalation carried
    service_form_count: int = 0
    pending_quotes: int = 0
    confirmed_quotes: int = 0
    uninvoiced_confirmed_quotes: int = 0
    on_site_done: bool = False
    accepted: bool = False
    closed_at: datetime | None = None

    @property
    def pending_action(self) -> str:
        return pending_action(self)


Rule = tuple[Callable[[CaseFacts], bool], str]

Z1_RULES: tuple[Rule, ...] = (
    (lambda f: f.system_status == "COMPLETED" and f.uninvoiced_confirmed_quotes > 0, "INVOICE"),
    (lambda f: f.system_status == "COMPLETED", "NONE"),
    (lambda f: f.user_status == "TZJL", "SURVEY"),
    (lambda f: f.pending_approval, "AWAIT_APPROVAL"),
    (lambda f: f.user_status == "ZGPZ" and not f.escalated, "ESCALATE"),
    (lambda f: f.user_status == "ZGPZ", "AWAIT_DEPARTMENT_REPLY"),
    (lambda f: f.pending_quotes > 0, "AWAIT_QUOTE_CONFIRMATION"),
    (lambda f: f.accepted, "CLOSE"),
    (lambda f: f.on_site_done, "ACCEPTANCE"),
    (lambda f: f.user_status == "BPZ", "RESUBMIT_OR_CLOSE"),
    (lambda f: f.user_status == "ZBHF" or (f.user_status == "KCWB" and f.confirmed_quotes > 0), "SERVICE"),
    (lambda f: True, "DECIDE_ESCALATION"),
)
Z2_RULES: tuple[Rule, ...] = (
    (lambda f: f.system_status == "COMPLETED", "NONE"),
    (lambda f: f.user_status == "TZJL" and not f.complaint_form_sent, "SEND_COMPLAINT_FORM"),
    (lambda f: f.user_status == "TZJL", "AWAIT_REGIONAL_LOGISTICS"),
    (lambda f: f.user_status == "HFYY", "DELIVERY"),
    (lambda f: True, "CLOSE"),
)
"""The pending-action rules of DOMAIN.md §4.7 P1, as data: the first matching rule wins."""


def pending_action(facts: CaseFacts) -> str:
    rules = Z2_RULES if facts.type == "Z2" else Z1_RULES
    return next(action for matches, action in rules if matches(facts))


CASE_EVENTS: tuple[type[Any], ...] = tuple(
    value
    for value in vars(Case).values()
    if isinstance(value, type) and issubclass(value, Case.Event) and value is not Case.Event
)
"""Every event class of the notification stream."""
CUSTOMER_NAME_EVENTS: tuple[type[Any], ...] = (Customer.CustomerRegistered, Customer.CustomerProfileUpdated)


def created(event: Any, customer_name: str) -> CaseFacts:
    return CaseFacts(
        case_no=event.case_no,
        type=event.type,
        type_label=TYPE_LABELS[event.type],
        notification_date=event.notification_date,
        description=event.description,
        category=event.category,
        urgency=event.urgency,
        urgency_rank=0 if event.urgency == "URGENT" else 1,
        urgent_dispatched=False,
        customer_no=event.ship_to,
        customer_name=customer_name,
        object_address=event.object_address,
        functional_location=event.functional_location,
        user_status=event.user_status,
        system_status=event.system_status,
        required_start=event.required_start,
        required_end=event.required_end,
        main_work_center=event.main_work_center,
        plant=event.plant,
        responsible_person=event.responsible_person,
        reporter=event.reporter,
        sales_office=event.sales_office,
        sales_org=event.sales_org,
        po_number=event.po_number,
        po_date=event.po_date,
        payment_status=event.payment_status,
        created_at=event.occurred_at,
        last_event_at=event.occurred_at,
        version=event.originator_version,
        latest_long_text=event.long_text,
    )


def evolve(facts: CaseFacts, event: Any) -> CaseFacts:
    """The facts after one (non-creation) notification event."""
    changes = _changes(facts, event)
    if hasattr(event, "to_status") and type(event).__name__ not in (
        "NotificationPutInProcess",
        "NotificationClosed",
    ):
        changes["user_status"] = event.to_status
    return msgspec.structs.replace(
        facts,
        **changes,
        last_event_at=max(facts.last_event_at, event.occurred_at),
        version=event.originator_version,
    )


def _changes(f: CaseFacts, e: Any) -> dict[str, Any]:
    name = type(e).__name__
    if name == "NotificationPutInProcess":
        return {"system_status": e.to_status}
    if name == "NotificationClosed":
        return {"system_status": e.to_status, "closed_at": e.occurred_at}
    if name == "ServiceStaffNotified":
        return {"urgent_dispatched": True}
    if name == "NotificationDetailsUpdated":
        return {k: v["new"] for k, v in e.changes.items() if k in CaseFacts.__struct_fields__}
    if name == "LongTextAppended":
        return {"latest_long_text": e.text}
    return CHANGES.get(name, _none)(f, e)


def _none(f: CaseFacts, e: Any) -> dict[str, Any]:
    return {}


Change = Callable[[CaseFacts, Any], dict[str, Any]]

CHANGES: dict[str, Change] = {
    "FurnitureServiceFormRecorded": lambda f, e: {"service_form_count": f.service_form_count + 1},
    "ComplaintFormFiled": lambda f, e: {
        "complaint_form_no": e.form_no,
        "complaint_kind": e.complaint_kind,
        "complaint_kinds": {**f.complaint_kinds, e.form_no: e.complaint_kind},
    },
    "SupervisorApprovalRequested": lambda f, e: {
        "pending_approval": True,
        "approval_purpose": e.purpose,
        "approval_requested_by": e.requested_by,
        "approval_requested_at": e.occurred_at,
    },
    "SupervisorApproved": lambda f, e: {"pending_approval": False, "escalated": False},
    "SupervisorRejected": lambda f, e: {"pending_approval": False},
    "EscalatedToRegionalLogistics": lambda f, e: {
        "escalated": True,
        # A reminder (re-escalation) does not restart the wait: the queue keeps its place.
        "escalated_at": f.escalated_at if f.escalated else e.occurred_at,
        "escalation_purpose": e.purpose,
        "complaint_form_sent": f.complaint_form_sent or e.complaint_form_no is not None,
        "sent_form_no": e.complaint_form_no or f.sent_form_no,
    },
    "ServiceSalesOrderCreated": lambda f, e: {"pending_quotes": f.pending_quotes + 1},
    "QuoteConfirmedByCustomer": lambda f, e: {
        "pending_quotes": f.pending_quotes - 1,
        "confirmed_quotes": f.confirmed_quotes + 1,
        "uninvoiced_confirmed_quotes": f.uninvoiced_confirmed_quotes + 1,
    },
    "QuoteDeclinedByCustomer": lambda f, e: {"pending_quotes": f.pending_quotes - 1},
    "ServiceInvoiceCreated": lambda f, e: {"uninvoiced_confirmed_quotes": f.uninvoiced_confirmed_quotes - 1},
    "OnSiteServicePerformed": lambda f, e: {"on_site_done": True},
    "CustomerAcceptanceConfirmed": lambda f, e: {"accepted": True},
}


class CustomerName(msgspec.Struct, frozen=True):
    """A ship-to customer's current name, kept so a new notification can show it."""

    customer_no: str
    name: str


def fold_case_event(
    table: Table[CaseFacts], names: Table[CustomerName] | None, event: Any, rows: Rows
) -> list[CaseFacts]:
    """Keep `table` (one CaseFacts row per notification) up to date; shared by P1–P4.

    Returns the facts it wrote, so a queue can re-derive its visible rows from them.
    Without a `names` table, customer names are not followed (and stay empty).
    """
    change = customer_name_change(event)
    if change is not None:
        return _rename_customer(table, names, *change, rows) if names is not None else []
    if type(event).__name__ == "ServiceNotificationCreated":
        known = rows.get(names, event.ship_to) if names is not None else None
        written = created(event, known.name if known else "")
    else:
        facts = rows.get(table, event.originator_id.removeprefix("notification-"))
        if facts is None:
            return []
        written = evolve(facts, event)
    rows.put(table, written)
    return [written]


def fold_into_queue(
    facts_table: Table[CaseFacts],
    names: Table[CustomerName] | None,
    queue: Table[R],
    row_for: Callable[[CaseFacts], R | None],
    event: Any,
    rows: Rows,
) -> None:
    """Fold the event into the facts, then show or hide each touched notification's queue row."""
    for facts in fold_case_event(facts_table, names, event, rows):
        row = row_for(facts)
        if row is None:
            rows.delete(queue, facts.case_no)
        else:
            rows.put(queue, row)


def _rename_customer(
    table: Table[CaseFacts], names: Table[CustomerName], customer_no: str, name: str, rows: Rows
) -> list[CaseFacts]:
    rows.put(names, CustomerName(customer_no, name))
    renamed = [
        msgspec.structs.replace(known, customer_name=name)
        for known in rows.select(Select(table, (Where("customer_no", "=", customer_no),)))
    ]
    for facts in renamed:
        rows.put(table, facts)
    return renamed


def customer_name_change(event: Any) -> tuple[str, str] | None:
    """(customer_no, name) when a customer event sets a name, else None."""
    if isinstance(event, Customer.CustomerRegistered):
        return event.customer_no, event.name
    name = event.changes.get("name") if isinstance(event, Customer.CustomerProfileUpdated) else None
    return (event.originator_id.removeprefix("customer-"), str(name)) if name is not None else None
