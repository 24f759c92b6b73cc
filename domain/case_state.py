"""The notification's state and the questions the rules ask of it (no validation, no events)."""

from __future__ import annotations

from datetime import date, datetime

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
    ServiceForm,
    ServiceOrder,
    StatusChange,
    Survey,
)
from domain.case_values import OrderStatus, SystemStatus

HEADER_FIELDS = (
    "description",
    "reporter",
    "po_number",
    "po_date",
    "required_start",
    "required_end",
    "main_work_center",
    "plant",
    "responsible_person",
    "sales_group",
    "functional_location",
    "object_address",
)
"""Header fields an IW52 change may touch (type, payment status and ship-to never change)."""


class CaseState:
    """Everything a service notification knows; events assign it, commands read it."""

    def __init__(self) -> None:
        self.case_no = ""
        self.type = ""
        self.category = ""
        self.urgency = ""
        self.payment_status = ""
        self.system_status = ""
        self.user_status = ""
        self.notification_date: date | None = None
        self.description = ""
        self.ship_to = ""
        self.sold_to = ""
        self.partners: dict[str, str] = {}
        self.reporter = ""
        self.po_number = ""
        self.po_date: date | None = None
        self.required_start: date | None = None
        self.required_end: date | None = None
        self.main_work_center = ""
        self.plant = ""
        self.responsible_person = ""
        self.sales_org = ""
        self.distribution_channel = ""
        self.division = ""
        self.sales_office = ""
        self.sales_group = ""
        self.business_area = ""
        self.functional_location = ""
        self.object_address = ""
        self.reference_case_no = ""
        self.channel = ""
        self.received_at: datetime | None = None
        self.created_at: datetime | None = None
        self.dispatched_to: list[str] = []
        self.status_history: list[StatusChange] = []
        self.long_texts: list[LongText] = []
        self.items: list[Item] = []
        self.last_item_no = 0
        self.service_forms: list[ServiceForm] = []
        self.complaint_forms: list[ComplaintForm] = []
        self.pending_approval: ApprovalRequest | None = None
        self.approval_decisions: list[ApprovalDecision] = []
        self.escalations: list[Escalation] = []
        self.escalated_since_approval = False
        self.emails_sent = 0
        self.department_replies: list[str] = []
        self.service_orders: list[ServiceOrder] = []
        self.on_site_services: list[OnSiteService] = []
        self.acceptance: Acceptance | None = None
        self.closed_at: datetime | None = None
        self.closure_reason = ""
        self.invoices: list[Invoice] = []
        self.survey: Survey | None = None

    @property
    def is_completed(self) -> bool:
        return self.system_status == SystemStatus.COMPLETED

    def item(self, item_no: int) -> Item | None:
        return next((i for i in self.items if i.item_no == item_no), None)

    def order(self, order_no: str) -> ServiceOrder | None:
        return next((o for o in self.service_orders if o.order_no == order_no), None)

    def has_pending_quote(self) -> bool:
        return any(o.status == OrderStatus.PENDING_CONFIRMATION for o in self.service_orders)

    def has_confirmed_quote(self) -> bool:
        return any(o.status in (OrderStatus.CONFIRMED, OrderStatus.INVOICED) for o in self.service_orders)

    def replace_order(self, order: ServiceOrder) -> None:
        self.service_orders = [order if o.order_no == order.order_no else o for o in self.service_orders]

    def set_user_status(self, status: str, at: datetime, by: str) -> None:
        self.user_status = status
        self.status_history.append(StatusChange(status, at, by))
