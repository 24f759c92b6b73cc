"""Event payloads built from validated input: what a created notification and its items record."""

from __future__ import annotations

from domain.case_header import ItemSpec, NewCase, check_item
from domain.case_values import BUSINESS_AREA_IN_USE, FIELD_MEANINGS, CaseType, SystemStatus, UserStatus
from domain.context import CommandContext


def item_payload(item_no: int, spec: ItemSpec, material: str, quantity: int) -> dict[str, object]:
    return {
        "item_no": item_no,
        "product_category": spec.product_category,
        "product_subcategory": spec.product_subcategory,
        "colour_main": spec.colour_main,
        "colour_secondary": spec.colour_secondary,
        "material": material,
        "quantity": quantity,
        "reason_code": spec.reason_code,
        "reason_text": spec.reason_text,
        "is_oem": spec.is_oem,
    }


def created_payload(
    case_no: str, new: NewCase, object_address: str, ctx: CommandContext
) -> dict[str, object]:
    """Every field of the create screen, with the defaults and meanings the rules imply."""
    case_type = CaseType(new.type)
    sold_to = new.sold_to or new.ship_to
    items = []
    for index, spec in enumerate(new.items, start=1):
        material, quantity = check_item(spec, "", [])
        items.append(item_payload(index, spec, material, quantity))
    return {
        "case_no": case_no,
        "type": new.type,
        "category": new.category,
        "urgency": new.urgency,
        "payment_status": new.payment_status,
        "description": new.description,
        "long_text": new.long_text,
        "ship_to": new.ship_to,
        "sold_to": sold_to,
        "partners": {"SH": new.ship_to, "SP": sold_to, "VW": new.responsible_person},
        "reporter": new.reporter,
        "po_number": new.po_number,
        "po_date": new.po_date,
        "required_start": new.required_start,
        "required_end": new.required_end,
        "main_work_center": new.main_work_center,
        "plant": new.plant,
        "responsible_person": new.responsible_person,
        "sales_org": new.sales_org,
        "distribution_channel": new.distribution_channel,
        "division": new.division,
        "sales_office": new.sales_office,
        "sales_group": new.sales_group,
        "business_area": new.business_area or BUSINESS_AREA_IN_USE,
        "functional_location": new.functional_location,
        "object_address": object_address,
        "reference_case_no": new.reference_case_no,
        "channel": new.channel,
        "received_at": new.received_at,
        "items": tuple(items),
        "user_status": UserStatus.TZJL.value,
        "system_status": SystemStatus.OUTSTANDING.value,
        "notification_date": ctx.occurred_at.date(),
        **FIELD_MEANINGS[case_type],
    }
