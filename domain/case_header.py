"""Input of a new notification and of its items, and the field rules of DOMAIN.md C1/C4/C6."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from domain.case_state import HEADER_FIELDS
from domain.case_values import (
    BUSINESS_AREA_IN_USE,
    DESCRIPTION_MAX,
    DIRECT_SALES_CHANNEL,
    FURNITURE_SERVICE_DIVISION,
    TYPE_FOR_PAYMENT,
    CaseType,
    Category,
    PaymentStatus,
    Urgency,
)
from domain.errors import FieldProblem, NotAllowedForCategory, TypePaymentMismatch, ValidationFailed
from domain.values import check_date_order, check_one_of, check_reference_code, check_required, check_text

TEXT_MAX = 4000
REQUIRED_ON_CREATE = (
    "type",
    "category",
    "urgency",
    "payment_status",
    "description",
    "ship_to",
    "reporter",
    "po_number",
    "po_date",
    "required_start",
    "required_end",
    "main_work_center",
    "responsible_person",
    "sales_org",
    "distribution_channel",
    "division",
    "sales_office",
)
CODE_FIELDS = (
    "ship_to",
    "sold_to",
    "po_number",
    "main_work_center",
    "plant",
    "responsible_person",
    "sales_org",
    "sales_office",
    "sales_group",
    "business_area",
    "functional_location",
    "reference_case_no",
)


@dataclass(frozen=True)
class ItemSpec:
    """One material line as entered; `text` may be the source form "100056,1"."""

    product_category: str
    reason_code: str
    is_oem: bool = False
    product_subcategory: str = ""
    colour_main: str = ""
    colour_secondary: str = ""
    material: str = ""
    quantity: int | None = None
    text: str = ""
    reason_text: str = ""


@dataclass(frozen=True)
class NewCase:
    """The IW51 create screen (DOMAIN.md C1 payload)."""

    type: str
    category: str
    urgency: str
    payment_status: str
    description: str
    ship_to: str
    reporter: str
    po_number: str
    po_date: date | None
    required_start: date | None
    required_end: date | None
    main_work_center: str
    responsible_person: str
    sales_org: str
    distribution_channel: str
    division: str
    sales_office: str
    long_text: str = ""
    sold_to: str = ""
    plant: str = ""
    sales_group: str = ""
    business_area: str = ""
    functional_location: str = ""
    reference_case_no: str = ""
    channel: str = ""
    received_at: datetime | None = None
    items: tuple[ItemSpec, ...] = field(default=())
    put_in_process: bool = False


ITEM_CODE_FIELDS = {
    "product_category": "product_type.category",
    "product_subcategory": "product_type.subcategory",
    "colour_main": "colour.main",
    "colour_secondary": "colour.secondary",
    "reason_code": "reason_code",
}
"""Item code fields and the names integrators send them under (API.md item body)."""


def parse_item_text(text: str) -> tuple[str, int] | None:
    """Split the source's item text "product model,quantity" ("100056,1"); None if malformed."""
    material, sep, quantity = text.partition(",")
    material, quantity = material.strip(), quantity.strip()
    if not sep or not material or not quantity.isdigit():
        return None
    return material, int(quantity)


def resolve_item(spec: ItemSpec, prefix: str, problems: list[FieldProblem]) -> tuple[str, int]:
    """Material and quantity from explicit fields or the text form; explicit fields win."""
    material, quantity = spec.material, spec.quantity
    if spec.text:
        parsed = parse_item_text(spec.text)
        if parsed is None:
            problems.append(FieldProblem(f"{prefix}text", 'must look like "100056,1" (material,quantity)'))
        else:
            material, quantity = material or parsed[0], quantity if quantity is not None else parsed[1]
    if not material.strip():
        problems.append(FieldProblem(f"{prefix}material", "is required (or give text)"))
    if quantity is None or quantity < 1:
        problems.append(FieldProblem(f"{prefix}quantity", "must be an integer ≥ 1"))
    return material.strip(), quantity or 0


def check_item(spec: ItemSpec, prefix: str, problems: list[FieldProblem]) -> tuple[str, int]:
    check_required(f"{prefix}product_type.category", spec.product_category, problems)
    check_required(f"{prefix}reason_code", spec.reason_code, problems)
    for name, wire_name in ITEM_CODE_FIELDS.items():
        check_reference_code(f"{prefix}{wire_name}", getattr(spec, name) or None, problems)
    check_text(f"{prefix}reason_text", spec.reason_text, 200, problems)
    if spec.is_oem and not spec.reason_text.strip():
        # 若客诉商品是OEM产品,则在此输入厂商别
        problems.append(FieldProblem(f"{prefix}reason_text", "the vendor is required for an OEM product"))
    return resolve_item(spec, prefix, problems)


def check_new_case(new: NewCase) -> list[FieldProblem]:
    """Every state-free field rule of C1; all failing fields are reported together."""
    problems: list[FieldProblem] = []
    for name in REQUIRED_ON_CREATE:
        check_required(name, getattr(new, name), problems)
    for name in CODE_FIELDS:
        check_reference_code(name, getattr(new, name) or None, problems)
    check_one_of("type", new.type or None, CaseType, problems)
    check_one_of("category", new.category or None, Category, problems)
    check_one_of("urgency", new.urgency or None, Urgency, problems)
    check_one_of("payment_status", new.payment_status or None, PaymentStatus, problems)
    check_text("description", new.description, DESCRIPTION_MAX, problems)
    check_text("long_text", new.long_text, TEXT_MAX, problems)
    check_text("reporter", new.reporter, 100, problems)
    if new.distribution_channel and new.distribution_channel != DIRECT_SALES_CHANNEL:
        problems.append(FieldProblem("distribution_channel", "must be 10 (direct sales)"))
    if new.division and new.division != FURNITURE_SERVICE_DIVISION:
        problems.append(FieldProblem("division", "must be 02 (furniture service)"))
    if new.business_area and new.business_area != BUSINESS_AREA_IN_USE:
        problems.append(FieldProblem("business_area", "only 1002 is in use"))
    check_date_order("required_start", new.required_start, "required_end", new.required_end, problems)
    for index, spec in enumerate(new.items):
        check_item(spec, f"items[{index}].", problems)
    return problems


ITEM_FIELDS = (
    "product_category",
    "product_subcategory",
    "colour_main",
    "colour_secondary",
    "material",
    "quantity",
    "reason_code",
    "reason_text",
    "is_oem",
)


def with_item_text_parsed(updates: dict[str, object]) -> dict[str, object]:
    """Turn a changed "100056,1" text into material and quantity (explicit fields win)."""
    if "text" not in updates:
        return updates
    rest = {k: v for k, v in updates.items() if k != "text"}
    parsed = parse_item_text(str(updates["text"]))
    if parsed is None:
        raise ValidationFailed.one("text", 'must look like "100056,1" (material,quantity)')
    return {"material": parsed[0], "quantity": parsed[1]} | rest


def check_new_case_rules(new: NewCase) -> None:
    """400 field rules, then the 422 rules of the create order."""
    problems = check_new_case(new)
    if problems:
        raise ValidationFailed(problems)
    if TYPE_FOR_PAYMENT[PaymentStatus(new.payment_status)] != new.type:
        raise TypePaymentMismatch(
            "完款前创建的通知单为Z2类型,完款后创建的通知单为Z1类型: "
            f"{new.payment_status} requires {TYPE_FOR_PAYMENT[PaymentStatus(new.payment_status)]}"
        )
    if new.type == CaseType.Z2 and new.category != Category.COMPLAINT:
        raise NotAllowedForCategory("a Z2 delivery exception is always a COMPLAINT")


def check_header_changes(changes: dict[str, object]) -> list[FieldProblem]:
    problems = [FieldProblem(k, "cannot be changed") for k in changes if k not in HEADER_FIELDS]
    for name in (
        "description",
        "reporter",
        "po_number",
        "po_date",
        "required_start",
        "required_end",
        "main_work_center",
        "responsible_person",
    ):
        if name in changes:
            check_required(name, changes[name], problems)
    for name in (
        "po_number",
        "main_work_center",
        "plant",
        "responsible_person",
        "sales_group",
        "functional_location",
    ):
        value = changes.get(name)
        check_reference_code(name, value if isinstance(value, str) and value else None, problems)
    check_text("description", _text(changes.get("description")), 40, problems)
    check_text("object_address", _text(changes.get("object_address")), 400, problems)
    start, end = changes.get("required_start"), changes.get("required_end")
    if isinstance(start, date) and isinstance(end, date):
        check_date_order("required_start", start, "required_end", end, problems)
    return problems


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None
