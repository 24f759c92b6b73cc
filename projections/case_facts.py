"""What the queue read models know about one notification, folded purely from its events.

The work queue, the approval and regional-logistics queues and the overdue list
(P1–P4) each keep their own copy of these facts (a read model rebuilds alone),
but they share this fold and the `pending_action` rules of DOMAIN.md §4.7 P1.
Only state lives here; anything that depends on "today" is computed by queries.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import msgspec

from domain.case import Case
from domain.customer import Customer

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
    escalated_at: datetime | None = None
    escalation_purpose: str = ""
    complaint_form_no: str = ""
    complaint_kind: str = ""
    complaint_form_sent: bool = False
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
    "ComplaintFormFiled": lambda f, e: {"complaint_form_no": e.form_no, "complaint_kind": e.complaint_kind},
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
        "escalated_at": e.occurred_at,
        "escalation_purpose": e.purpose,
        "complaint_form_sent": f.complaint_form_sent or e.complaint_form_no is not None,
        "complaint_form_no": e.complaint_form_no or f.complaint_form_no,
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


def customer_name_change(event: Any) -> tuple[str, str] | None:
    """(customer_no, name) when a customer event sets a name, else None."""
    if isinstance(event, Customer.CustomerRegistered):
        return event.customer_no, event.name
    name = event.changes.get("name") if isinstance(event, Customer.CustomerProfileUpdated) else None
    return (event.originator_id.removeprefix("customer-"), str(name)) if name is not None else None
