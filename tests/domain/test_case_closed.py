"""A COMPLETED notification refuses every command but e-mail, invoice and survey (DOMAIN.md §4.3.3, §4.6)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from domain.case import Case
from domain.case_header import ItemSpec
from domain.case_status import POLICIES
from tests.domain.case_flows import (
    DELIVERED_AT,
    LOCK_LINE,
    SERVICE_DAY,
    closed_with_quote,
    closed_z1,
    closed_z2,
    complaint_z1,
    refused,
    rejected,
    surveyed,
)
from tests.domain.case_support import (
    AGENT,
    ASSISTANT,
    HANDLER,
    LOGISTICS,
    STAFF,
    SUPERVISOR,
    events_of,
)

Command = Callable[[Case], object]
CHAIR = ItemSpec(product_category="06", colour_main="A", text="200311,2", reason_code="1")


def first_order(case: Case) -> str:
    return case.service_orders[0].order_no


def closed_paid_service() -> Case:
    """A closed Z1 PAID_SERVICE with item 1 and a confirmed, un-invoiced ZFFW."""
    return closed_with_quote()[0]


def closed_complaint() -> Case:
    return closed_z1(surveyed(complaint_z1()))


# Each command with a role and arguments it would be accepted with on an open notification of that type.
REFUSED_ON_CLOSED_Z1: dict[str, Command] = {
    "put_in_process": lambda c: c.put_in_process(ASSISTANT),
    "notify_service_staff": lambda c: c.notify_service_staff(ASSISTANT, "202"),
    "update_details": lambda c: c.update_details(ASSISTANT, {"po_number": "30000076"}),
    "append_long_text": lambda c: c.append_long_text(ASSISTANT, "客户来电追问"),
    "add_item": lambda c: c.add_item(ASSISTANT, CHAIR),
    "change_item": lambda c: c.change_item(ASSISTANT, 1, {"quantity": 2}),
    "remove_item": lambda c: c.remove_item(ASSISTANT, 1),
    "complete_site_survey": lambda c: c.complete_site_survey(STAFF),
    "record_service_form": lambda c: c.record_service_form(STAFF, "SERVICE", "202", SERVICE_DAY, "x"),
    "request_approval": lambda c: c.request_approval(ASSISTANT, "HQ_QUOTE"),
    "approve": lambda c: c.approve(SUPERVISOR),
    "reject": lambda c: c.reject(SUPERVISOR, "不批准"),
    "escalate": lambda c: c.escalate(ASSISTANT, "RL-EAST", "QUOTE_AND_STAFFING"),
    "record_department_reply": lambda c: c.record_department_reply(LOGISTICS, "回复"),
    "create_service_order": lambda c: c.create_service_order(ASSISTANT, [LOCK_LINE]),
    "confirm_quote": lambda c: c.confirm_quote(ASSISTANT, first_order(c), "张经理"),
    "decline_quote": lambda c: c.decline_quote(ASSISTANT, first_order(c)),
    "record_on_site_service": lambda c: c.record_on_site_service(STAFF, SERVICE_DAY, "再次上门"),
    "confirm_acceptance": lambda c: c.confirm_acceptance(ASSISTANT, "张经理"),
    "close": lambda c: c.close(ASSISTANT),
}
REFUSED_ON_CLOSED_COMPLAINT: dict[str, Command] = {
    "file_complaint_form": lambda c: c.file_complaint_form(ASSISTANT, "RETURN", "客户要求退货"),
    "request_approval": lambda c: c.request_approval(ASSISTANT, "HQ_SUPPORT"),
    "escalate": lambda c: c.escalate(ASSISTANT, "RL-EAST", "COMPLAINT_SUPPORT"),
}
REFUSED_ON_CLOSED_Z2: dict[str, Command] = {
    "put_in_process": lambda c: c.put_in_process(LOGISTICS),
    "notify_service_staff": lambda c: c.notify_service_staff(ASSISTANT, "202"),
    "update_details": lambda c: c.update_details(HANDLER, {"po_number": "30000076"}),
    "append_long_text": lambda c: c.append_long_text(HANDLER, "厂商已收货"),
    "add_item": lambda c: c.add_item(ASSISTANT, CHAIR),
    "change_item": lambda c: c.change_item(STAFF, 1, {"quantity": 2}),
    "remove_item": lambda c: c.remove_item(STAFF, 1),
    "file_complaint_form": lambda c: c.file_complaint_form(ASSISTANT, "OTHER", "再次投诉"),
    "escalate": lambda c: c.escalate(ASSISTANT, "RL-EAST", "PRE_PAYMENT_COMPLAINT"),
    "record_reply_to_sales": lambda c: c.record_reply_to_sales(LOGISTICS),
    "record_goods_delivered": lambda c: c.record_goods_delivered(LOGISTICS, DELIVERED_AT),
    "record_goods_returned": lambda c: c.record_goods_returned(HANDLER, DELIVERED_AT),
    "close": lambda c: c.close(LOGISTICS),
}
ALLOWED_AFTER_CLOSE = {"email", "create_invoice", "record_satisfaction_survey"}


def test_every_command_is_covered_here() -> None:
    covered = set(REFUSED_ON_CLOSED_Z1) | set(REFUSED_ON_CLOSED_COMPLAINT) | set(REFUSED_ON_CLOSED_Z2)
    assert covered | ALLOWED_AFTER_CLOSE == set(POLICIES)


@pytest.mark.parametrize("command", REFUSED_ON_CLOSED_Z1.values(), ids=REFUSED_ON_CLOSED_Z1.keys())
def test_a_closed_paid_service_z1_refuses(command: Command) -> None:
    assert refused(closed_paid_service(), command).code == "NOTIFICATION_CLOSED"


@pytest.mark.parametrize(
    "command", REFUSED_ON_CLOSED_COMPLAINT.values(), ids=REFUSED_ON_CLOSED_COMPLAINT.keys()
)
def test_a_closed_complaint_z1_refuses(command: Command) -> None:
    assert refused(closed_complaint(), command).code == "NOTIFICATION_CLOSED"


@pytest.mark.parametrize("command", REFUSED_ON_CLOSED_Z2.values(), ids=REFUSED_ON_CLOSED_Z2.keys())
def test_a_closed_z2_refuses(command: Command) -> None:
    assert refused(closed_z2(), command).code == "NOTIFICATION_CLOSED"


# The three exceptions ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("command", "event"),
    [
        (lambda c: c.email(ASSISTANT, ["hq@example.com"], "总部", "结案通知"), "NotificationEmailed"),
        (lambda c: c.create_invoice(ASSISTANT, first_order(c)), "ServiceInvoiceCreated"),
        (lambda c: c.record_satisfaction_survey(AGENT, 5, "RETURN_VISIT"), "SatisfactionSurveyRecorded"),
    ],
    ids=["email", "create_invoice", "record_satisfaction_survey"],
)
def test_a_closed_notification_still_accepts(command: Command, event: str) -> None:
    case = closed_paid_service()
    command(case)
    assert events_of(case) == [event]


def test_a_closed_z2_may_still_be_emailed() -> None:
    case = closed_z2()
    case.email(SUPERVISOR, ["rl@example.com"], "区物流", "交货异常结案")
    assert events_of(case) == ["NotificationEmailed"]


# Precedence (§4.6): 400 → 404 → 403 → 422 → 409 NOTIFICATION_CLOSED → other 409 → state 400 ----------
@pytest.mark.parametrize(
    ("case_of", "command", "code"),
    [
        (closed_z2, lambda c: c.approve(ASSISTANT), "FORBIDDEN_ROLE"),
        (closed_z2, lambda c: c.approve(SUPERVISOR), "NOT_ALLOWED_FOR_TYPE"),
        (closed_z1, lambda c: c.close(STAFF), "FORBIDDEN_ROLE"),
        (closed_z1, lambda c: c.record_reply_to_sales(LOGISTICS), "NOT_ALLOWED_FOR_TYPE"),
        (closed_z1, lambda c: c.file_complaint_form(ASSISTANT, "RETURN", "x"), "NOT_ALLOWED_FOR_CATEGORY"),
        (closed_z1, lambda c: c.request_approval(ASSISTANT, "HQ_SUPPORT"), "NOT_ALLOWED_FOR_CATEGORY"),
        (closed_z2, lambda c: c.escalate(ASSISTANT, "RL-EAST", "QUOTE_AND_STAFFING"), "NOT_ALLOWED_FOR_TYPE"),
    ],
    ids=[
        "403-approve-z2",
        "422-approve-z2",
        "403-close",
        "422-z2-step-on-z1",
        "422-complaint-form",
        "422-purpose",
        "422-escalation-purpose",
    ],
)
def test_role_and_type_come_before_the_closed_check(
    case_of: Callable[[], Case], command: Command, code: str
) -> None:
    assert refused(case_of(), command).code == code


@pytest.mark.parametrize(
    ("command", "code"),
    [
        (lambda c: c.append_long_text(ASSISTANT, ""), "VALIDATION_ERROR"),
        (lambda c: c.change_item(ASSISTANT, 9, {"quantity": 2}), "ITEM_NOT_FOUND"),
        (lambda c: c.confirm_quote(ASSISTANT, "ZFFW-9", "张经理"), "SERVICE_ORDER_NOT_FOUND"),
    ],
    ids=["400", "404-item", "404-order"],
)
def test_payload_and_not_found_come_before_the_closed_check(command: Command, code: str) -> None:
    assert refused(closed_paid_service(), command).code == code


def test_the_closed_check_comes_before_the_state_dependent_closure_reason() -> None:
    case = rejected()
    case.close(ASSISTANT, "客户放弃")
    case.collect_events()
    assert refused(case, lambda c: c.close(ASSISTANT)).code == "NOTIFICATION_CLOSED"


def test_an_invoiced_order_on_a_closed_notification_is_already_invoiced() -> None:
    case = closed_paid_service()
    case.create_invoice(ASSISTANT, first_order(case))
    case.collect_events()
    assert refused(case, lambda c: c.create_invoice(ASSISTANT, first_order(c))).code == "ALREADY_INVOICED"
