"""Value objects held inside a notification: items, forms, requests, orders, invoices, survey."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True)
class Item:
    """One material line (产品类型/色码/文本 "100056,1"/原因代码/原因正文)."""

    item_no: int
    product_category: str
    product_subcategory: str
    colour_main: str
    colour_secondary: str
    material: str
    quantity: int
    reason_code: str
    reason_text: str
    is_oem: bool


@dataclass(frozen=True)
class LongText:
    text: str
    author_id: str
    at: datetime


@dataclass(frozen=True)
class ServiceForm:
    """家具服务单, filled in by the service staff, transcribed by the assistant."""

    form_no: str
    kind: str
    service_staff_id: str
    date: date
    content: str
    hq_quote_needed: bool


@dataclass(frozen=True)
class ComplaintForm:
    """客诉单; always states 完款状况 (payment status)."""

    form_no: str
    complaint_kind: str
    description: str
    payment_status: str
    filed_at: datetime
    sent_to_regional_logistics_at: datetime | None = None


@dataclass(frozen=True)
class ApprovalRequest:
    purpose: str
    requested_by: str
    requested_at: datetime
    note: str


@dataclass(frozen=True)
class ApprovalDecision:
    decision: str
    supervisor_id: str
    requested_by: str
    note: str
    at: datetime


@dataclass(frozen=True)
class StatusChange:
    """One step of the user-status history: which status, since when, set by whom."""

    status: str
    at: datetime
    by: str


@dataclass(frozen=True)
class Escalation:
    unit: str
    purpose: str
    payment_status: str
    complaint_form_no: str | None
    at: datetime


@dataclass(frozen=True)
class OrderLine:
    description: str
    material: str
    qty: int
    unit_price: Decimal


@dataclass(frozen=True)
class ServiceOrder:
    """ZFFW service sales order: the quote the customer confirms or declines."""

    order_no: str
    lines: tuple[OrderLine, ...]
    total_amount: Decimal
    currency: str
    status: str
    created_at: datetime
    invoice_no: str | None = None


@dataclass(frozen=True)
class OnSiteService:
    service_staff_id: str
    date: date
    service_form_no: str
    work_done: str


@dataclass(frozen=True)
class Acceptance:
    accepted_at: datetime
    accepted_by_name: str


@dataclass(frozen=True)
class Invoice:
    """ZFW service sales invoice."""

    invoice_no: str
    order_no: str
    amount: Decimal
    created_at: datetime


@dataclass(frozen=True)
class Survey:
    score: int
    channel: str
    comment: str
    surveyed_at: datetime
    expected_score: int | None
    perceived_score: int | None


ENTITY_TYPES: tuple[type, ...] = (
    Item,
    LongText,
    ServiceForm,
    ComplaintForm,
    ApprovalRequest,
    ApprovalDecision,
    StatusChange,
    Escalation,
    OrderLine,
    ServiceOrder,
    OnSiteService,
    Acceptance,
    Invoice,
    Survey,
)
"""Types a snapshot of a notification may contain (the store registers a transcoding for each)."""
