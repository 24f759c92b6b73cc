"""C17-C23: ZFFW quote, on-site service, acceptance, close, ZFW invoice and satisfaction survey."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from domain.case import Case
from domain.case_fulfilment import OrderLineSpec
from tests.domain.case_flows import (
    LOCK_LINE,
    SERVICE_DAY,
    accepted,
    accepted_with_quote,
    approved,
    closed_with_quote,
    closed_z1,
    closed_z2,
    complaint_z1,
    escalated,
    fields,
    quote_confirmed,
    quoted,
    refused,
    rejected,
    replied,
    requested,
    serviced,
    surveyed,
    z1,
    z2,
    z2_ddkh,
    z2_hfyy,
    z2_thcs,
)
from tests.domain.case_support import AGENT, ASSISTANT, HANDLER, LOGISTICS, STAFF, SUPERVISOR, events_of

Factory = Callable[[], Case]
Command = Callable[[Case], object]


def one_event(case: Case) -> Case.Event:
    (event,) = case.collect_events()
    return event


def serve(case: Case) -> None:
    case.record_on_site_service(STAFF, SERVICE_DAY, "更换抽屉锁")


# C17 ZFFW quote ------------------------------------------------------------------------------
def test_a_quote_is_a_zffw_order_in_cny_with_its_total() -> None:
    case = surveyed()
    order_no = case.create_service_order(ASSISTANT, [LOCK_LINE, OrderLineSpec("上门费", 2, "15.50")])
    event = one_event(case)
    assert (event.order_no, event.order_type, event.total_amount, event.currency) == (
        order_no,
        "ZFFW",
        Decimal("151.00"),
        "CNY",
    )


@pytest.mark.parametrize(
    ("case_of", "code"),
    [
        (complaint_z1, "NOT_ALLOWED_FOR_CATEGORY"),
        (z2, "NOT_ALLOWED_FOR_TYPE"),
    ],
)
def test_a_quote_is_only_for_a_paid_service_z1(case_of: Factory, code: str) -> None:
    assert refused(case_of(), lambda c: c.create_service_order(ASSISTANT, [LOCK_LINE])).code == code


def test_only_one_quote_may_wait_for_the_customer() -> None:
    case, _ = quoted()
    assert refused(case, lambda c: c.create_service_order(ASSISTANT, [LOCK_LINE])).code == "QUOTE_PENDING"


def test_a_new_quote_may_follow_a_declined_one() -> None:
    case, order_no = quoted()
    case.decline_quote(ASSISTANT, order_no, "太贵")
    case.collect_events()
    assert case.create_service_order(ASSISTANT, [LOCK_LINE]) == "ZFFW-1000001-2"


@pytest.mark.parametrize(
    ("lines", "problems"),
    [
        ([OrderLineSpec("免费检查", 1, "0.00")], ["lines"]),
        ([], ["lines"]),
        ([OrderLineSpec("换锁", 0, "10.00")], ["lines[0].qty"]),
        ([OrderLineSpec("换锁", 1, "-1")], ["lines[0].unit_price"]),
    ],
)
def test_a_quote_needs_a_total_above_zero_and_valid_lines(
    lines: list[OrderLineSpec], problems: list[str]
) -> None:
    assert fields(refused(surveyed(), lambda c: c.create_service_order(ASSISTANT, lines))) == problems


def test_only_the_assistant_creates_a_quote() -> None:
    assert refused(surveyed(), lambda c: c.create_service_order(STAFF, [LOCK_LINE])).code == "FORBIDDEN_ROLE"


# C18 confirm / decline -----------------------------------------------------------------------
def test_the_customer_confirms_the_quote() -> None:
    case, order_no = quoted()
    case.confirm_quote(STAFF, order_no, "申齐 张经理", "PHONE")
    event = one_event(case)
    assert (type(event).__name__, event.order_no, event.confirmed_by_name) == (
        "QuoteConfirmedByCustomer",
        order_no,
        "申齐 张经理",
    )
    assert case.order(order_no).status == "CONFIRMED"  # type: ignore[union-attr]


def test_the_customer_declines_the_quote() -> None:
    case, order_no = quoted()
    case.decline_quote(ASSISTANT, order_no, "太贵")
    assert (events_of(case), case.order(order_no).status) == (  # type: ignore[union-attr]
        ["QuoteDeclinedByCustomer"],
        "DECLINED",
    )


@pytest.mark.parametrize(
    "answer",
    [
        lambda c, o: c.confirm_quote(ASSISTANT, o, "张经理"),
        lambda c, o: c.decline_quote(ASSISTANT, o),
    ],
)
def test_only_a_pending_quote_can_be_answered(answer: Callable[[Case, str], None]) -> None:
    case, order_no = quote_confirmed()
    assert refused(case, lambda c: answer(c, order_no)).code == "ILLEGAL_STATUS_TRANSITION"


def test_an_unknown_order_cannot_be_confirmed() -> None:
    case, _ = quoted()
    err = refused(case, lambda c: c.confirm_quote(ASSISTANT, "ZFFW-9", "张经理"))
    assert err.code == "SERVICE_ORDER_NOT_FOUND"


# C19 on-site service -------------------------------------------------------------------------
@pytest.mark.parametrize("case_of", [surveyed, replied, rejected, lambda: quote_confirmed()[0]])
def test_on_site_service_is_recorded_once_the_way_is_clear(case_of: Factory) -> None:
    case = case_of()
    serve(case)
    event = one_event(case)
    assert (type(event).__name__, event.service_staff_id, event.date) == (
        "OnSiteServicePerformed",
        "202",
        SERVICE_DAY,
    )


@pytest.mark.parametrize(
    ("case_of", "code"),
    [
        (lambda: quoted()[0], "QUOTE_NOT_CONFIRMED"),
        (z1, "ILLEGAL_STATUS_TRANSITION"),
        (approved, "AWAITING_DEPARTMENT_REPLY"),
        (escalated, "AWAITING_DEPARTMENT_REPLY"),
        (requested, "AWAITING_APPROVAL"),
    ],
)
def test_on_site_service_is_refused_while_something_is_outstanding(case_of: Factory, code: str) -> None:
    assert refused(case_of(), serve).code == code


def test_an_unknown_service_form_is_refused() -> None:
    unknown = {"service_form_no": "F-9"}
    err = refused(surveyed(), lambda c: c.record_on_site_service(STAFF, SERVICE_DAY, "x", **unknown))
    assert fields(err) == ["service_form_no"]


# C20 acceptance ------------------------------------------------------------------------------
def test_the_customer_accepts_the_service() -> None:
    case = serviced()
    case.confirm_acceptance(ASSISTANT, "申齐 张经理")
    event = one_event(case)
    assert (type(event).__name__, event.accepted_by_name) == ("CustomerAcceptanceConfirmed", "申齐 张经理")


def test_acceptance_needs_a_service() -> None:
    err = refused(surveyed(), lambda c: c.confirm_acceptance(ASSISTANT, "张经理"))
    assert err.code == "ILLEGAL_STATUS_TRANSITION"


def test_acceptance_is_recorded_once() -> None:
    assert refused(accepted(), lambda c: c.confirm_acceptance(ASSISTANT, "张经理")).code == "ALREADY_ACCEPTED"


# C21 close -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("case_of", "user_status"),
    [
        (accepted, "KCWB"),
        (lambda: accepted(replied()), "ZBHF"),
        (lambda: accepted(rejected()), "BPZ"),
    ],
)
def test_an_accepted_z1_closes(case_of: Factory, user_status: str) -> None:
    case = case_of()
    case.close(SUPERVISOR)
    event = one_event(case)
    assert (event.from_status, event.to_status, event.user_status_at_close, event.closed_by) == (
        "IN_PROCESS",
        "COMPLETED",
        user_status,
        "sup-01",
    )


@pytest.mark.parametrize(
    ("case_of", "code"),
    [
        (z1, "ILLEGAL_STATUS_TRANSITION"),
        (approved, "ILLEGAL_STATUS_TRANSITION"),
        (surveyed, "ACCEPTANCE_REQUIRED"),
        (replied, "ACCEPTANCE_REQUIRED"),
        (lambda: serviced(rejected()), "ACCEPTANCE_REQUIRED"),
        (lambda: quoted(accepted())[0], "QUOTE_NOT_CONFIRMED"),
    ],
)
def test_a_z1_close_is_refused_before_acceptance_or_from_tzjl_zgpz(case_of: Factory, code: str) -> None:
    assert refused(case_of(), lambda c: c.close(ASSISTANT)).code == code


def test_a_rejected_z1_without_service_closes_with_a_reason() -> None:
    case = rejected()
    case.close(ASSISTANT, "主管不批准,客户放弃维修")
    event = one_event(case)
    assert (event.user_status_at_close, event.closure_reason) == ("BPZ", "主管不批准,客户放弃维修")


def test_a_rejected_z1_without_service_needs_a_closure_reason() -> None:
    assert fields(refused(rejected(), lambda c: c.close(ASSISTANT))) == ["closure_reason"]


def test_service_staff_may_not_close_a_z1() -> None:
    assert refused(accepted(), lambda c: c.close(STAFF)).code == "FORBIDDEN_ROLE"


@pytest.mark.parametrize("case_of", [z2_ddkh, z2_thcs])
def test_a_z2_closes_after_delivery_or_return(case_of: Factory) -> None:
    case = case_of()
    case.close(HANDLER)
    assert (events_of(case), case.system_status) == (["NotificationClosed"], "COMPLETED")


@pytest.mark.parametrize("case_of", [z2, z2_hfyy])
def test_a_z2_does_not_close_before_delivery_or_return(case_of: Factory) -> None:
    assert refused(case_of(), lambda c: c.close(LOGISTICS)).code == "ILLEGAL_STATUS_TRANSITION"


# C22 ZFW invoice -----------------------------------------------------------------------------
def test_the_invoice_defaults_to_the_order_total_and_marks_the_order_invoiced() -> None:
    case, order_no = accepted_with_quote()
    invoice_no = case.create_invoice(ASSISTANT, order_no)
    event = one_event(case)
    assert (event.invoice_no, event.invoice_type, event.order_no, event.amount) == (
        invoice_no,
        "ZFW",
        order_no,
        Decimal("120.00"),
    )
    assert case.order(order_no).status == "INVOICED"  # type: ignore[union-attr]


def test_the_invoice_may_follow_the_close() -> None:
    case, order_no = closed_with_quote()
    case.create_invoice(ASSISTANT, order_no, "120.00")
    assert events_of(case) == ["ServiceInvoiceCreated"]


def test_an_amount_other_than_the_total_is_refused() -> None:
    case, order_no = accepted_with_quote()
    assert fields(refused(case, lambda c: c.create_invoice(ASSISTANT, order_no, "100.00"))) == ["amount"]


def test_an_order_is_invoiced_once() -> None:
    case, order_no = accepted_with_quote()
    case.create_invoice(ASSISTANT, order_no)
    case.collect_events()
    assert refused(case, lambda c: c.create_invoice(ASSISTANT, order_no)).code == "ALREADY_INVOICED"


def test_the_invoice_needs_the_acceptance() -> None:
    case, order_no = quote_confirmed()
    assert refused(case, lambda c: c.create_invoice(ASSISTANT, order_no)).code == "ACCEPTANCE_REQUIRED"


def test_the_invoice_needs_a_confirmed_quote() -> None:
    case, order_no = quoted()
    assert refused(case, lambda c: c.create_invoice(ASSISTANT, order_no)).code == "QUOTE_NOT_CONFIRMED"


def test_only_the_assistant_invoices() -> None:
    case, order_no = accepted_with_quote()
    assert refused(case, lambda c: c.create_invoice(SUPERVISOR, order_no)).code == "FORBIDDEN_ROLE"


# C23 satisfaction survey ---------------------------------------------------------------------
@pytest.mark.parametrize("case_of", [closed_z1, closed_z2])
def test_a_survey_is_recorded_on_a_closed_notification(case_of: Factory) -> None:
    case = case_of()
    case.record_satisfaction_survey(AGENT, 4, "PHONE", "满意", expected_score=4, perceived_score=5)
    event = one_event(case)
    assert (type(event).__name__, event.score, event.expected_score, event.perceived_score) == (
        "SatisfactionSurveyRecorded",
        4,
        4,
        5,
    )


def test_a_survey_needs_a_closed_notification() -> None:
    err = refused(accepted(), lambda c: c.record_satisfaction_survey(ASSISTANT, 5, "PHONE"))
    assert err.code == "NOTIFICATION_NOT_CLOSED"


def test_a_survey_is_recorded_once() -> None:
    case = closed_z1()
    case.record_satisfaction_survey(ASSISTANT, 5, "PHONE")
    case.collect_events()
    err = refused(case, lambda c: c.record_satisfaction_survey(ASSISTANT, 3, "FORM"))
    assert err.code == "SURVEY_ALREADY_RECORDED"


@pytest.mark.parametrize(
    ("score", "channel", "problems"),
    [
        (0, "PHONE", ["score"]),
        (6, "PHONE", ["score"]),
        (True, "PHONE", ["score"]),
        (3, "FAX", ["channel"]),
    ],
)
def test_a_survey_outside_the_scale_is_refused(score: int, channel: str, problems: list[str]) -> None:
    err = refused(closed_z1(), lambda c: c.record_satisfaction_survey(ASSISTANT, score, channel))
    assert fields(err) == problems
