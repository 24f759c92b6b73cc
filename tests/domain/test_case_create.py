"""C1 CreateServiceNotification (IW51): field rules, defaults, references, roles and the envelope."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from domain.actor import Role
from domain.case import Case
from domain.case_header import ItemSpec, NewCase
from domain.context import CommandContext
from domain.errors import DomainError
from tests.domain.case_flows import fields
from tests.domain.case_support import (
    AGENT,
    ASSISTANT,
    NOW,
    ShipTo,
    ctx,
    events_of,
    new_case,
    z1_payload,
    z2_payload,
)

REQUIRED = [
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
]
DATES = {"po_date", "required_start", "required_end"}
SHIP_TO = ShipTo()
LOCK = ItemSpec(product_category="06", colour_main="A", text="100056,1", reason_code="1")


def created(case: Case) -> Case.ServiceNotificationCreated:
    event = case.collect_events()[0]
    assert isinstance(event, Case.ServiceNotificationCreated)
    return event


def refusal(
    payload: NewCase | None = None,
    *,
    customer: ShipTo | None = SHIP_TO,
    at: CommandContext = ASSISTANT,
    reference_exists: bool = True,
) -> DomainError:
    """The error a create raises (the SM01 ship-to customer unless another is given)."""
    with pytest.raises(DomainError) as caught:
        Case.create("1000001", payload or z1_payload(), at, customer, reference_exists)
    return caught.value


# Accepted ------------------------------------------------------------------------------------
def test_a_valid_z1_starts_in_tzjl_and_outstanding() -> None:
    event = created(new_case())
    assert (event.case_no, event.type, event.user_status, event.system_status) == (
        "1000001",
        "Z1",
        "TZJL",
        "OUTSTANDING",
    )


def test_the_stream_is_named_after_the_notification_number() -> None:
    assert new_case(case_no="1000021").id == "notification-1000021"


def test_without_put_in_process_only_the_creation_is_emitted() -> None:
    assert events_of(new_case()) == ["ServiceNotificationCreated"]


def test_put_in_process_also_moves_the_system_status_to_in_process() -> None:
    case = new_case(z1_payload(put_in_process=True))
    events = case.collect_events()
    assert [type(e).__name__ for e in events] == ["ServiceNotificationCreated", "NotificationPutInProcess"]
    assert (events[1].from_status, events[1].to_status) == ("OUTSTANDING", "IN_PROCESS")


def test_a_cs_agent_may_create_and_put_in_process_at_once() -> None:
    case = new_case(z1_payload(put_in_process=True), at=AGENT)
    assert events_of(case) == ["ServiceNotificationCreated", "NotificationPutInProcess"]


@pytest.mark.parametrize("role", [Role.ASSISTANT, Role.CS_AGENT, Role.INTEGRATOR])
def test_assistants_agents_and_integrators_may_create(role: Role) -> None:
    assert created(new_case(at=ctx(role))).actor_role == role.value


@pytest.mark.parametrize(
    "role",
    [Role.SERVICE_STAFF, Role.SUPERVISOR, Role.REGIONAL_LOGISTICS, Role.COMPLAINT_HANDLER, Role.AUDITOR],
)
def test_other_roles_may_not_create(role: Role) -> None:
    assert refusal(at=ctx(role)).code == "FORBIDDEN_ROLE"


def test_a_z2_is_created_for_a_not_fully_paid_complaint() -> None:
    event = created(new_case(z2_payload()))
    assert (event.type, event.category, event.payment_status) == ("Z2", "COMPLAINT", "NOT_FULLY_PAID")


@pytest.mark.parametrize(
    ("payload", "meanings"),
    [
        (z1_payload(), ("BRANCH_SALES_ORDER", "CUSTOMER_REQUESTED_START", "ASSISTANT_ESTIMATED_CLOSE")),
        (
            z2_payload(),
            ("HQ_DELIVERY_NOTE", "ORIGINAL_ESTIMATED_ASSEMBLY_END", "COMPLAINT_DEPT_ESTIMATED_END"),
        ),
    ],
)
def test_the_type_specific_meaning_of_po_and_dates_is_recorded(
    payload: NewCase, meanings: tuple[str, ...]
) -> None:
    event = created(new_case(payload))
    assert (event.po_number_kind, event.required_start_meaning, event.required_end_meaning) == meanings


def test_the_business_area_defaults_to_1002() -> None:
    assert created(new_case(z1_payload(business_area=""))).business_area == "1002"


def test_the_sold_to_defaults_to_the_ship_to() -> None:
    assert created(new_case(z1_payload(sold_to=""))).sold_to == "2110050007"


def test_partners_are_ship_to_sold_to_and_responsible_person() -> None:
    event = created(new_case(z1_payload(sold_to="2110050027")))
    assert event.partners == {"SH": "2110050007", "SP": "2110050027", "VW": "202"}


def test_the_functional_location_address_becomes_the_object_address() -> None:
    assert created(new_case()).object_address == "上海市徐汇区漕溪北路88号"


def test_without_functional_location_the_master_address_is_the_object_address() -> None:
    assert created(new_case(z1_payload(functional_location=""))).object_address == "上海市浦东新区张江路1号"


def test_the_item_text_100056_1_is_parsed_into_material_and_quantity() -> None:
    (item,) = created(new_case()).items
    assert (item["item_no"], item["material"], item["quantity"]) == (1, "100056", 1)


def test_an_oem_item_with_its_vendor_is_accepted() -> None:
    oem = replace(LOCK, is_oem=True, reason_text="OEM 厂商")
    (item,) = created(new_case(z1_payload(items=(oem,)))).items
    assert (item["is_oem"], item["reason_text"]) == (True, "OEM 厂商")


def test_required_end_may_equal_required_start() -> None:
    day = date(2001, 3, 7)
    assert created(new_case(z1_payload(required_start=day, required_end=day))).required_end == day


def test_a_description_of_40_characters_is_accepted() -> None:
    assert created(new_case(z1_payload(description="锁" * 40))).description == "锁" * 40


def test_an_existing_reference_notification_is_recorded() -> None:
    case = Case.create("1000002", z1_payload(reference_case_no="1000001"), ASSISTANT, ShipTo(), True)
    assert created(case).reference_case_no == "1000001"


def test_the_notification_date_is_the_business_date_of_occurred_at() -> None:
    late_evening_utc = datetime(2001, 3, 8, 20, 0, tzinfo=UTC)  # 04:00 on 9 March in Shanghai
    event = created(new_case(at=ctx(Role.ASSISTANT, at=late_evening_utc)))
    assert event.notification_date == date(2001, 3, 9)


# Envelope (§4.5) -----------------------------------------------------------------------------
def test_the_envelope_is_copied_from_the_command_context() -> None:
    event = created(new_case(at=ASSISTANT))
    assert (event.actor_id, event.actor_role, event.occurred_at, event.recorded_at) == (
        "a-01",
        "assistant",
        ASSISTANT.occurred_at,
        NOW,
    )


def test_the_command_correlation_and_causation_ids_are_copied() -> None:
    event = created(new_case(at=ASSISTANT))
    assert (event.command_id, event.correlation_id, event.causation_id) == (
        ASSISTANT.command_id,
        ASSISTANT.correlation_id,
        ASSISTANT.causation_id,
    )


def test_every_event_gets_a_fresh_event_id() -> None:
    events = new_case(z1_payload(put_in_process=True)).collect_events()
    assert len({e.event_id for e in events}) == 2


# 400 VALIDATION_ERROR ------------------------------------------------------------------------
def test_every_missing_required_field_is_reported_together() -> None:
    blank = z1_payload(**{name: None if name in DATES else "" for name in REQUIRED})
    assert fields(refusal(blank)) == REQUIRED


def test_a_blank_description_counts_as_missing() -> None:
    assert fields(refusal(z1_payload(description="   "))) == ["description"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("distribution_channel", "20"),
        ("division", "01"),
        ("business_area", "1001"),
        ("description", "锁" * 41),
        ("type", "Z3"),
        ("category", "REPAIR"),
        ("urgency", "HIGH"),
    ],
)
def test_a_field_value_outside_its_rule_is_refused(field: str, value: str) -> None:
    assert fields(refusal(z1_payload(**{field: value}))) == [field]


def test_required_end_before_required_start_is_refused() -> None:
    payload = z1_payload(required_start=date(2001, 3, 8), required_end=date(2001, 3, 7))
    assert fields(refusal(payload)) == ["required_end"]


def test_a_malformed_item_text_is_refused() -> None:
    payload = z1_payload(items=(replace(LOCK, text="100056"),))
    assert fields(refusal(payload)) == ["items[0].text", "items[0].material", "items[0].quantity"]


def test_an_oem_item_without_vendor_is_refused() -> None:
    payload = z1_payload(items=(replace(LOCK, is_oem=True),))
    assert fields(refusal(payload)) == ["items[0].reason_text"]


# 422 / 404 -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("case_type", "category", "payment"),
    [
        ("Z1", "PAID_SERVICE", "NOT_FULLY_PAID"),
        ("Z2", "COMPLAINT", "FULLY_PAID"),
    ],
)
def test_a_type_that_does_not_match_the_payment_status_is_refused(
    case_type: str, category: str, payment: str
) -> None:
    payload = z1_payload(type=case_type, category=category, payment_status=payment)
    assert refusal(payload).code == "TYPE_PAYMENT_MISMATCH"


def test_a_z2_paid_service_is_refused() -> None:
    assert refusal(z1_payload(type="Z2", payment_status="NOT_FULLY_PAID")).code == "NOT_ALLOWED_FOR_CATEGORY"


def test_an_unknown_ship_to_is_refused() -> None:
    assert refusal(customer=None).code == "CUSTOMER_NOT_FOUND"


def test_a_functional_location_of_another_customer_is_refused() -> None:
    assert refusal(z1_payload(functional_location="2110059999")).code == "FUNCTIONAL_LOCATION_NOT_FOUND"


def test_a_missing_reference_notification_is_refused() -> None:
    err = refusal(z1_payload(reference_case_no="1000999"), reference_exists=False)
    assert err.code == "CASE_NOT_FOUND"


# Create precedence: 400 → 422 → 404 -----------------------------------------------------------
def test_field_errors_come_before_the_type_payment_mismatch() -> None:
    payload = z1_payload(payment_status="NOT_FULLY_PAID", description="")
    assert refusal(payload).code == "VALIDATION_ERROR"


def test_the_type_payment_mismatch_comes_before_an_unknown_customer() -> None:
    assert refusal(z1_payload(payment_status="NOT_FULLY_PAID"), customer=None).code == "TYPE_PAYMENT_MISMATCH"


def test_field_errors_come_before_an_unknown_customer() -> None:
    assert refusal(z1_payload(division="01"), customer=None).code == "VALIDATION_ERROR"
