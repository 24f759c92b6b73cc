"""Events of the service notification (DOMAIN.md §4.3.4); `apply` only assigns state.

The module path and class names are stored in the log: never move or rename
them without registering the old topic.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from domain.base import CrmAggregate, CrmCreated
from domain.case_entities import (
    Acceptance,
    ApprovalDecision,
    ApprovalRequest,
    ComplaintForm,
    Escalation,
    Invoice,
    Item,
    LongText,
    OnSiteService,
    OrderLine,
    ServiceForm,
    ServiceOrder,
    Survey,
)
from domain.case_state import CaseState
from domain.case_values import OrderStatus


def item_from(data: dict[str, Any]) -> Item:
    return Item(**data)


def line_from(data: dict[str, Any]) -> OrderLine:
    return OrderLine(**{**data, "unit_price": Decimal(str(data["unit_price"]))})


COPIED_ON_CREATE = (
    "case_no",
    "type",
    "category",
    "urgency",
    "payment_status",
    "description",
    "ship_to",
    "sold_to",
    "reporter",
    "po_number",
    "po_date",
    "required_start",
    "required_end",
    "main_work_center",
    "plant",
    "responsible_person",
    "sales_org",
    "distribution_channel",
    "division",
    "sales_office",
    "sales_group",
    "business_area",
    "functional_location",
    "object_address",
    "reference_case_no",
    "channel",
    "received_at",
    "system_status",
    "notification_date",
)
"""Header fields the created event hands to the state as they are."""


class CaseEvent(CrmAggregate.Event):
    """Base of every notification event."""

    def apply(self, aggregate: Any) -> None:
        self.apply_to(cast(CaseState, aggregate))

    def apply_to(self, case: CaseState) -> None:
        """Assign the state this fact implies (replayed on every load: no rules here)."""


class StatusEvent(CaseEvent):
    """An event that moves a status; `from_status`/`to_status` spare auditors re-deriving them."""

    from_status: str
    to_status: str


class ServiceNotificationCreated(CaseEvent, CrmCreated):
    case_no: str
    type: str
    category: str
    urgency: str
    payment_status: str
    description: str
    long_text: str
    ship_to: str
    sold_to: str
    partners: dict[str, str]
    reporter: str
    po_number: str
    po_date: date
    required_start: date
    required_end: date
    main_work_center: str
    plant: str
    responsible_person: str
    sales_org: str
    distribution_channel: str
    division: str
    sales_office: str
    sales_group: str
    business_area: str
    functional_location: str
    object_address: str
    reference_case_no: str
    channel: str
    received_at: datetime | None
    items: tuple[dict[str, Any], ...]
    user_status: str
    system_status: str
    notification_date: date
    po_number_kind: str
    required_start_meaning: str
    required_end_meaning: str

    def apply_to(self, case: CaseState) -> None:
        for name in COPIED_ON_CREATE:
            setattr(case, name, getattr(self, name))
        case.partners = dict(self.partners)
        case.created_at = self.occurred_at
        case.items = [item_from(i) for i in self.items]
        case.last_item_no = max((i.item_no for i in case.items), default=0)
        if self.long_text:
            case.long_texts.append(LongText(self.long_text, self.actor_id, self.occurred_at))
        case.set_user_status(self.user_status, self.occurred_at, self.actor_id)


class NotificationPutInProcess(StatusEvent):
    def apply_to(self, case: CaseState) -> None:
        case.system_status = self.to_status


class ServiceStaffNotified(CaseEvent):
    service_staff_id: str
    urgent: bool
    channel: str

    def apply_to(self, case: CaseState) -> None:
        case.dispatched_to.append(self.service_staff_id)


class NotificationDetailsUpdated(CaseEvent):
    changes: dict[str, dict[str, Any]]

    def apply_to(self, case: CaseState) -> None:
        for name, change in self.changes.items():
            setattr(case, name, change["new"])
        if "responsible_person" in self.changes:  # VW (负责人) partner follows the responsible person
            case.partners = {**case.partners, "VW": case.responsible_person}


class ResponsibilityTransferred(CaseEvent):
    """首问负责制: a hand-over of the responsible person or work center is registered."""

    from_person: str
    to_person: str
    from_work_center: str
    to_work_center: str


class LongTextAppended(CaseEvent):
    text: str

    def apply_to(self, case: CaseState) -> None:
        case.long_texts.append(LongText(self.text, self.actor_id, self.occurred_at))


class NotificationItemAdded(CaseEvent):
    item: dict[str, Any]

    def apply_to(self, case: CaseState) -> None:
        added = item_from(self.item)
        case.items.append(added)
        case.last_item_no = max(case.last_item_no, added.item_no)


class NotificationItemChanged(CaseEvent):
    item_no: int
    changes: dict[str, dict[str, Any]]

    def apply_to(self, case: CaseState) -> None:
        new_values = {name: change["new"] for name, change in self.changes.items()}
        case.items = [replace(i, **new_values) if i.item_no == self.item_no else i for i in case.items]


class NotificationItemRemoved(CaseEvent):
    item_no: int

    def apply_to(self, case: CaseState) -> None:
        case.items = [i for i in case.items if i.item_no != self.item_no]


class SiteSurveyCompleted(StatusEvent):
    input_code: str
    surveyed_by: str
    survey_date: date
    findings: str

    def apply_to(self, case: CaseState) -> None:
        case.set_user_status(self.to_status, self.occurred_at, self.actor_id)


class FurnitureServiceFormRecorded(CaseEvent):
    form_no: str
    kind: str
    service_staff_id: str
    date: date
    content: str
    hq_quote_needed: bool

    def apply_to(self, case: CaseState) -> None:
        case.service_forms.append(
            ServiceForm(
                self.form_no, self.kind, self.service_staff_id, self.date, self.content, self.hq_quote_needed
            )
        )


class ComplaintFormFiled(CaseEvent):
    form_no: str
    complaint_kind: str
    description: str
    payment_status: str

    def apply_to(self, case: CaseState) -> None:
        case.complaint_forms.append(
            ComplaintForm(
                self.form_no, self.complaint_kind, self.description, self.payment_status, self.occurred_at
            )
        )


class SupervisorApprovalRequested(CaseEvent):
    purpose: str
    requested_by: str
    note: str

    def apply_to(self, case: CaseState) -> None:
        case.pending_approval = ApprovalRequest(self.purpose, self.requested_by, self.occurred_at, self.note)


class SupervisorApproved(StatusEvent):
    supervisor_id: str
    requested_by: str
    comment: str

    def apply_to(self, case: CaseState) -> None:
        decision = ApprovalDecision(
            "APPROVED", self.supervisor_id, self.requested_by, self.comment, self.occurred_at
        )
        case.approval_decisions.append(decision)
        case.pending_approval = None
        case.escalated_since_approval = False
        case.set_user_status(self.to_status, self.occurred_at, self.actor_id)


class SupervisorRejected(StatusEvent):
    supervisor_id: str
    requested_by: str
    reason: str

    def apply_to(self, case: CaseState) -> None:
        decision = ApprovalDecision(
            "REJECTED", self.supervisor_id, self.requested_by, self.reason, self.occurred_at
        )
        case.approval_decisions.append(decision)
        case.pending_approval = None
        case.set_user_status(self.to_status, self.occurred_at, self.actor_id)


class EscalatedToRegionalLogistics(CaseEvent):
    unit: str
    purpose: str
    payment_status: str
    complaint_form_no: str | None

    def apply_to(self, case: CaseState) -> None:
        case.escalations.append(
            Escalation(self.unit, self.purpose, self.payment_status, self.complaint_form_no, self.occurred_at)
        )
        case.escalated_since_approval = True
        case.complaint_forms = [
            replace(f, sent_to_regional_logistics_at=self.occurred_at)
            if f.form_no == self.complaint_form_no and f.sent_to_regional_logistics_at is None
            else f
            for f in case.complaint_forms
        ]


class NotificationEmailed(CaseEvent):
    recipients: tuple[str, ...]
    department: str
    subject: str
    include_long_text: bool

    def apply_to(self, case: CaseState) -> None:
        case.emails_sent += 1


class DepartmentReplyReceived(StatusEvent):
    replying_unit: str
    reply_text: str
    hq_quote_amount: Decimal | None

    def apply_to(self, case: CaseState) -> None:
        case.department_replies.append(self.reply_text)
        case.set_user_status(self.to_status, self.occurred_at, self.actor_id)


class ReplyToSalesRecorded(StatusEvent):
    note: str

    def apply_to(self, case: CaseState) -> None:
        case.set_user_status(self.to_status, self.occurred_at, self.actor_id)


class GoodsDeliveredToCustomer(StatusEvent):
    delivered_at: datetime

    def apply_to(self, case: CaseState) -> None:
        case.set_user_status(self.to_status, self.occurred_at, self.actor_id)


class GoodsReturnedToManufacturer(StatusEvent):
    returned_at: datetime
    manufacturer: str

    def apply_to(self, case: CaseState) -> None:
        case.set_user_status(self.to_status, self.occurred_at, self.actor_id)


class ServiceSalesOrderCreated(CaseEvent):
    order_no: str
    order_type: str
    lines: tuple[dict[str, Any], ...]
    total_amount: Decimal
    currency: str

    def apply_to(self, case: CaseState) -> None:
        lines = tuple(line_from(line) for line in self.lines)
        case.service_orders.append(
            ServiceOrder(
                self.order_no,
                lines,
                self.total_amount,
                self.currency,
                OrderStatus.PENDING_CONFIRMATION.value,
                self.occurred_at,
            )
        )


class QuoteConfirmedByCustomer(CaseEvent):
    order_no: str
    confirmed_at: datetime
    confirmed_by_name: str
    via: str

    def apply_to(self, case: CaseState) -> None:
        order = case.order(self.order_no)
        if order is not None:
            case.replace_order(replace(order, status=OrderStatus.CONFIRMED.value))


class QuoteDeclinedByCustomer(CaseEvent):
    order_no: str
    reason: str

    def apply_to(self, case: CaseState) -> None:
        order = case.order(self.order_no)
        if order is not None:
            case.replace_order(replace(order, status=OrderStatus.DECLINED.value))


class OnSiteServicePerformed(CaseEvent):
    service_staff_id: str
    date: date
    service_form_no: str
    work_done: str

    def apply_to(self, case: CaseState) -> None:
        case.on_site_services.append(
            OnSiteService(self.service_staff_id, self.date, self.service_form_no, self.work_done)
        )


class CustomerAcceptanceConfirmed(CaseEvent):
    accepted_at: datetime
    accepted_by_name: str

    def apply_to(self, case: CaseState) -> None:
        case.acceptance = Acceptance(self.accepted_at, self.accepted_by_name)


class NotificationClosed(StatusEvent):
    """`from_status`/`to_status` are system statuses here (… → COMPLETED)."""

    user_status_at_close: str
    closed_by: str
    closure_reason: str

    def apply_to(self, case: CaseState) -> None:
        case.system_status = self.to_status
        case.closed_at = self.occurred_at
        case.closure_reason = self.closure_reason


class ServiceInvoiceCreated(CaseEvent):
    invoice_no: str
    invoice_type: str
    order_no: str
    amount: Decimal

    def apply_to(self, case: CaseState) -> None:
        case.invoices.append(Invoice(self.invoice_no, self.order_no, self.amount, self.occurred_at))
        order = case.order(self.order_no)
        if order is not None:
            case.replace_order(replace(order, status=OrderStatus.INVOICED.value, invoice_no=self.invoice_no))


class SatisfactionSurveyRecorded(CaseEvent):
    score: int
    channel: str
    comment: str
    surveyed_at: datetime
    expected_score: int | None
    perceived_score: int | None

    def apply_to(self, case: CaseState) -> None:
        case.survey = Survey(
            self.score,
            self.channel,
            self.comment,
            self.surveyed_at,
            self.expected_score,
            self.perceived_score,
        )
