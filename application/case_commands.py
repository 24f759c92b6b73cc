"""Commands on service notifications (DOMAIN.md C1–C23) as frozen msgspec structs.

Text fields default to empty so that the domain can report every missing
field of a command at once (API.md: "Validation errors list every failing field").
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

import msgspec
from msgspec import UNSET, Meta, UnsetType

from application.commands import Command

Text = Annotated[str, Meta(max_length=4000)]
Short = Annotated[str, Meta(max_length=200)]
Score = Annotated[int, Meta(ge=1, le=5)]


class CaseCommand(Command, frozen=True, kw_only=True):
    case_no: Annotated[str, Meta(max_length=20)]


class ProductType(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    category: Short = ""
    subcategory: Short = ""


class Colour(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    main: Short = ""
    secondary: Short = ""


class ItemInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """An item as entered; `text` may be the source format "100056,1"."""

    product_type: ProductType = ProductType()
    colour: Colour = Colour()
    material: Short = ""
    quantity: int | None = None
    text: Short = ""
    reason_code: Short = ""
    reason_text: Short = ""
    is_oem: bool = False


class CreateCase(Command, frozen=True, kw_only=True):
    """C1 CreateServiceNotification (IW51)."""

    type: Short = ""
    category: Short = ""
    urgency: Short = ""
    payment_status: Short = ""
    description: Short = ""
    long_text: Text = ""
    ship_to: Short = ""
    sold_to: Short = ""
    reporter: Short = ""
    po_number: Short = ""
    po_date: date | None = None
    required_start: date | None = None
    required_end: date | None = None
    main_work_center: Short = ""
    plant: Short = ""
    responsible_person: Short = ""
    sales_org: Short = ""
    distribution_channel: Short = ""
    division: Short = ""
    sales_office: Short = ""
    sales_group: Short = ""
    business_area: Short = ""
    functional_location: Short = ""
    reference_case_no: Short = ""
    channel: Short = ""
    received_at: datetime | None = None
    items: Annotated[list[ItemInput], Meta(max_length=200)] = msgspec.field(default_factory=list)
    put_in_process: bool = False


class PutCaseInProcess(CaseCommand, frozen=True, kw_only=True):
    """C2 <进行处理>."""


class DispatchServiceStaff(CaseCommand, frozen=True, kw_only=True):
    """C3 NotifyServiceStaff."""

    service_staff_id: Short = ""
    channel: Short = ""


class UpdateCase(CaseCommand, frozen=True, kw_only=True):
    """C4 UpdateNotification (IW52): only the fields given are changed."""

    description: str | UnsetType = UNSET
    reporter: str | UnsetType = UNSET
    po_number: str | UnsetType = UNSET
    po_date: date | UnsetType = UNSET
    required_start: date | UnsetType = UNSET
    required_end: date | UnsetType = UNSET
    main_work_center: str | UnsetType = UNSET
    plant: str | UnsetType = UNSET
    responsible_person: str | UnsetType = UNSET
    sales_group: str | UnsetType = UNSET
    functional_location: str | UnsetType = UNSET


class AppendLongText(CaseCommand, frozen=True, kw_only=True):
    """C5."""

    text: Text = ""


class AddCaseItem(CaseCommand, frozen=True, kw_only=True):
    """C6 add."""

    item: ItemInput


class ChangeCaseItem(CaseCommand, frozen=True, kw_only=True):
    """C6 change: only the fields given are changed."""

    item_no: int
    product_type: ProductType | UnsetType = UNSET
    colour: Colour | UnsetType = UNSET
    material: str | UnsetType = UNSET
    quantity: int | UnsetType = UNSET
    text: str | UnsetType = UNSET
    reason_code: str | UnsetType = UNSET
    reason_text: str | UnsetType = UNSET
    is_oem: bool | UnsetType = UNSET


class RemoveCaseItem(CaseCommand, frozen=True, kw_only=True):
    """C6 remove."""

    item_no: int


class CompleteSiteSurvey(CaseCommand, frozen=True, kw_only=True):
    """C7 勘察结束 (KCWB, alias KCJS)."""

    code: Short = "KCWB"
    survey_date: date | None = None
    findings: Text = ""


class RecordServiceForm(CaseCommand, frozen=True, kw_only=True):
    """C8 家具服务单."""

    kind: Short = ""
    service_staff_id: Short = ""
    date: date
    content: Text = ""
    hq_quote_needed: bool = False
    form_no: Short = ""


class FileComplaintForm(CaseCommand, frozen=True, kw_only=True):
    """C9 客诉单."""

    complaint_kind: Short = ""
    description: Text = ""


class RequestApproval(CaseCommand, frozen=True, kw_only=True):
    """C10."""

    purpose: Short = ""
    note: Text = ""


class ApproveCase(CaseCommand, frozen=True, kw_only=True):
    """C11 → ZGPZ."""

    comment: Text = ""


class RejectCase(CaseCommand, frozen=True, kw_only=True):
    """C12 → BPZ."""

    reason: Text = ""


class EscalateCase(CaseCommand, frozen=True, kw_only=True):
    """C13 notify regional logistics."""

    unit: Short = ""
    purpose: Short = ""


class EmailCase(CaseCommand, frozen=True, kw_only=True):
    """C14 SBWP."""

    recipients: Annotated[list[Short], Meta(max_length=50)] = msgspec.field(default_factory=list)
    department: Short = ""
    subject: Short = ""


class RecordDepartmentReply(CaseCommand, frozen=True, kw_only=True):
    """C15 → ZBHF."""

    reply_text: Text = ""
    hq_quote_amount: Decimal | None = None
    replying_unit: Short = ""


class RecordReplyToSales(CaseCommand, frozen=True, kw_only=True):
    """C16 → HFYY."""

    note: Text = ""


class RecordGoodsDelivered(CaseCommand, frozen=True, kw_only=True):
    """C16 → DDKH."""

    delivered_at: datetime


class RecordGoodsReturned(CaseCommand, frozen=True, kw_only=True):
    """C16 → THCS."""

    returned_at: datetime
    manufacturer: Short = ""


class OrderLineInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    description: Short = ""
    material: Short = ""
    qty: int = 0
    unit_price: Decimal = Decimal(0)


class CreateServiceOrder(CaseCommand, frozen=True, kw_only=True):
    """C17 ZFFW quote."""

    lines: Annotated[list[OrderLineInput], Meta(max_length=200)] = msgspec.field(default_factory=list)


class ConfirmQuote(CaseCommand, frozen=True, kw_only=True):
    """C18 confirm."""

    order_no: Short
    confirmed_by_name: Short = ""
    via: Short = ""


class DeclineQuote(CaseCommand, frozen=True, kw_only=True):
    """C18 decline."""

    order_no: Short
    reason: Text = ""


class RecordOnSiteService(CaseCommand, frozen=True, kw_only=True):
    """C19."""

    date: date
    work_done: Text = ""
    service_staff_id: Short = ""
    service_form_no: Short = ""


class ConfirmAcceptance(CaseCommand, frozen=True, kw_only=True):
    """C20 验收."""

    accepted_by_name: Short = ""


class CloseCase(CaseCommand, frozen=True, kw_only=True):
    """C21."""

    closure_reason: Text = ""


class CreateInvoice(CaseCommand, frozen=True, kw_only=True):
    """C22 ZFW."""

    order_no: Short
    amount: Decimal | None = None


class RecordSatisfactionSurvey(CaseCommand, frozen=True, kw_only=True):
    """C23."""

    score: Score
    channel: Short = ""
    comment: Text = ""
    expected_score: Score | None = None
    perceived_score: Score | None = None
