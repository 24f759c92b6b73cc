"""C10-C16: supervisor approval, escalation, e-mail, department reply and the Z2 status steps."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from domain.case import Case
from domain.context import CommandContext
from domain.errors import ValidationFailed
from tests.domain.case_flows import (
    DELIVERED_AT,
    LOCK_LINE,
    SERVICE_DAY,
    approved,
    complaint_z1,
    escalated,
    refused,
    rejected,
    replied,
    requested,
    surveyed,
    with_forms,
    z1,
    z2,
    z2_ddkh,
    z2_filed,
    z2_hfyy,
    z2_sent,
    z2_thcs,
)
from tests.domain.case_support import ASSISTANT, HANDLER, LOGISTICS, STAFF, SUPERVISOR, events_of

Factory = Callable[[], Case]
Command = Callable[[Case], object]
Decision = Callable[[Case, CommandContext], None]


def one_event(case: Case) -> Case.Event:
    (event,) = case.collect_events()
    return event


# C10 request approval ------------------------------------------------------------------------
@pytest.mark.parametrize(("case_of", "purpose"), [(z1, "HQ_QUOTE"), (complaint_z1, "HQ_SUPPORT")])
def test_a_request_with_its_form_is_recorded(case_of: Factory, purpose: str) -> None:
    case = with_forms(surveyed(case_of()))
    case.request_approval(ASSISTANT, purpose, "需总部支援")
    event = one_event(case)
    assert (type(event).__name__, event.purpose, event.requested_by) == (
        "SupervisorApprovalRequested",
        purpose,
        "a-01",
    )


@pytest.mark.parametrize(
    ("case_of", "purpose", "code"),
    [
        (z1, "HQ_QUOTE", "SERVICE_FORM_REQUIRED"),
        (complaint_z1, "HQ_SUPPORT", "COMPLAINT_FORM_REQUIRED"),
    ],
)
def test_a_request_needs_its_form(case_of: Factory, purpose: str, code: str) -> None:
    assert refused(surveyed(case_of()), lambda c: c.request_approval(ASSISTANT, purpose)).code == code


def test_the_status_is_checked_before_the_form() -> None:
    err = refused(z1(), lambda c: c.request_approval(ASSISTANT, "HQ_QUOTE"))
    assert err.code == "ILLEGAL_STATUS_TRANSITION"


def test_a_second_request_while_one_is_pending_is_refused() -> None:
    err = refused(requested(), lambda c: c.request_approval(ASSISTANT, "HQ_QUOTE"))
    assert err.code == "AWAITING_APPROVAL"


def test_no_request_once_approved() -> None:
    err = refused(approved(), lambda c: c.request_approval(ASSISTANT, "HQ_QUOTE"))
    assert err.code == "ILLEGAL_STATUS_TRANSITION"


@pytest.mark.parametrize(("case_of", "purpose"), [(z1, "HQ_SUPPORT"), (complaint_z1, "HQ_QUOTE")])
def test_a_purpose_that_does_not_fit_the_category_is_refused_before_the_status(
    case_of: Factory, purpose: str
) -> None:
    err = refused(case_of(), lambda c: c.request_approval(ASSISTANT, purpose))
    assert err.code == "NOT_ALLOWED_FOR_CATEGORY"


def test_an_unknown_purpose_is_a_validation_error() -> None:
    err = refused(surveyed(), lambda c: c.request_approval(ASSISTANT, "HQ_MONEY"))
    assert isinstance(err, ValidationFailed) and [p.field for p in err.problems] == ["purpose"]


def test_only_the_assistant_requests_approval() -> None:
    err = refused(with_forms(surveyed()), lambda c: c.request_approval(STAFF, "HQ_QUOTE"))
    assert err.code == "FORBIDDEN_ROLE"


def test_a_rejected_notification_may_be_resubmitted() -> None:
    case = rejected()
    case.request_approval(ASSISTANT, "HQ_QUOTE", "补充资料后再申请")
    assert events_of(case) == ["SupervisorApprovalRequested"]


# C11/C12 approve, reject ---------------------------------------------------------------------
def test_approval_moves_kcwb_to_zgpz() -> None:
    case = requested()
    case.approve(SUPERVISOR, "同意")
    event = one_event(case)
    assert (type(event).__name__, event.from_status, event.to_status, event.supervisor_id) == (
        "SupervisorApproved",
        "KCWB",
        "ZGPZ",
        "sup-01",
    )


def test_approval_after_a_resubmission_moves_bpz_to_zgpz() -> None:
    case = rejected()
    case.request_approval(ASSISTANT, "HQ_QUOTE")
    case.collect_events()
    case.approve(SUPERVISOR)
    event = one_event(case)
    assert (event.from_status, event.to_status) == ("BPZ", "ZGPZ")


def test_rejection_moves_kcwb_to_bpz_with_its_reason() -> None:
    case = requested()
    case.reject(SUPERVISOR, "本地可处理")
    event = one_event(case)
    assert (type(event).__name__, event.from_status, event.to_status, event.reason) == (
        "SupervisorRejected",
        "KCWB",
        "BPZ",
        "本地可处理",
    )


def test_a_rejection_needs_a_reason() -> None:
    err = refused(requested(), lambda c: c.reject(SUPERVISOR, " "))
    assert isinstance(err, ValidationFailed) and [p.field for p in err.problems] == ["reason"]


@pytest.mark.parametrize("actor", [ASSISTANT, STAFF, LOGISTICS])
@pytest.mark.parametrize("decide", [lambda c, a: c.approve(a), lambda c, a: c.reject(a, "不批准")])
def test_only_a_supervisor_decides(actor: CommandContext, decide: Decision) -> None:
    assert refused(requested(), lambda c: decide(c, actor)).code == "FORBIDDEN_ROLE"


@pytest.mark.parametrize(
    ("case_of", "decide", "code"),
    [
        (surveyed, lambda c: c.approve(SUPERVISOR), "NO_PENDING_APPROVAL"),
        (surveyed, lambda c: c.reject(SUPERVISOR, "x"), "NO_PENDING_APPROVAL"),
        (z1, lambda c: c.approve(SUPERVISOR), "ILLEGAL_STATUS_TRANSITION"),  # TZJL → ZGPZ
        (approved, lambda c: c.reject(SUPERVISOR, "x"), "ILLEGAL_STATUS_TRANSITION"),  # ZGPZ → BPZ
        (approved, lambda c: c.approve(SUPERVISOR), "ILLEGAL_STATUS_TRANSITION"),
    ],
)
def test_a_decision_out_of_turn_is_refused(case_of: Factory, decide: Command, code: str) -> None:
    assert refused(case_of(), decide).code == code


# C13 escalation ------------------------------------------------------------------------------
@pytest.mark.parametrize("case_of", [surveyed, requested, rejected, z1])
def test_a_z1_escalation_needs_the_approval(case_of: Factory) -> None:
    err = refused(case_of(), lambda c: c.escalate(ASSISTANT, "RL-EAST", "QUOTE_AND_STAFFING"))
    assert err.code == "APPROVAL_REQUIRED"


def test_an_approved_z1_escalation_states_the_payment_status() -> None:
    case = approved()
    case.escalate(ASSISTANT, "RL-EAST", "QUOTE_AND_STAFFING")
    event = one_event(case)
    assert (type(event).__name__, event.unit, event.payment_status) == (
        "EscalatedToRegionalLogistics",
        "RL-EAST",
        "FULLY_PAID",
    )


def test_an_escalation_purpose_that_does_not_fit_the_category_is_refused() -> None:
    err = refused(approved(), lambda c: c.escalate(ASSISTANT, "RL-EAST", "COMPLAINT_SUPPORT"))
    assert err.code == "NOT_ALLOWED_FOR_CATEGORY"


def test_a_z2_escalation_sends_the_complaint_form_without_approval() -> None:
    case = z2_filed()
    case.escalate(ASSISTANT, "RL-EAST", "PRE_PAYMENT_COMPLAINT")
    event = one_event(case)
    assert (event.complaint_form_no, event.payment_status) == ("KSD-1000001-1", "NOT_FULLY_PAID")


def test_a_z2_escalation_marks_the_form_sent() -> None:
    case = z2_sent()
    assert case.complaint_forms[0].sent_to_regional_logistics_at is not None


def test_a_z2_escalation_needs_a_complaint_form() -> None:
    err = refused(z2(), lambda c: c.escalate(ASSISTANT, "RL-EAST", "PRE_PAYMENT_COMPLAINT"))
    assert err.code == "COMPLAINT_FORM_REQUIRED"


def test_a_z2_escalation_is_a_pre_payment_complaint() -> None:
    err = refused(z2_filed(), lambda c: c.escalate(ASSISTANT, "RL-EAST", "COMPLAINT_SUPPORT"))
    assert err.code == "NOT_ALLOWED_FOR_TYPE"


def test_only_the_assistant_escalates() -> None:
    err = refused(approved(), lambda c: c.escalate(SUPERVISOR, "RL-EAST", "QUOTE_AND_STAFFING"))
    assert err.code == "FORBIDDEN_ROLE"


# C14 e-mail ----------------------------------------------------------------------------------
def test_an_email_includes_the_long_text() -> None:
    case = z1()
    case.email(SUPERVISOR, ["service@example.com"], "服务部", "活动柜锁")
    event = one_event(case)
    assert (type(event).__name__, event.recipients, event.include_long_text) == (
        "NotificationEmailed",
        ("service@example.com",),
        True,
    )


def test_an_email_needs_recipients() -> None:
    err = refused(z1(), lambda c: c.email(ASSISTANT, [], "服务部", "活动柜锁"))
    assert isinstance(err, ValidationFailed) and [p.field for p in err.problems] == ["recipients"]


def test_service_staff_may_not_email() -> None:
    assert refused(z1(), lambda c: c.email(STAFF, ["a@example.com"], "服务部", "x")).code == "FORBIDDEN_ROLE"


# C15 department reply ------------------------------------------------------------------------
def test_the_department_reply_moves_zgpz_to_zbhf() -> None:
    case = escalated()
    case.record_department_reply(LOGISTICS, "总部报价 120 元")
    event = one_event(case)
    assert (type(event).__name__, event.from_status, event.to_status, event.replying_unit) == (
        "DepartmentReplyReceived",
        "ZGPZ",
        "ZBHF",
        "RL-EAST",
    )


@pytest.mark.parametrize("case_of", [approved, surveyed, z1])  # no escalation; KCWB→ZBHF; TZJL→ZBHF
def test_a_reply_needs_an_escalation_after_the_approval(case_of: Factory) -> None:
    err = refused(case_of(), lambda c: c.record_department_reply(ASSISTANT, "回复"))
    assert err.code == "ILLEGAL_STATUS_TRANSITION"


def test_service_staff_may_not_record_the_reply() -> None:
    assert refused(escalated(), lambda c: c.record_department_reply(STAFF, "回复")).code == "FORBIDDEN_ROLE"


def test_zbhf_cannot_go_back_to_kcwb() -> None:
    assert refused(replied(), lambda c: c.complete_site_survey(STAFF)).code == "ILLEGAL_STATUS_TRANSITION"


# C16 Z2 statuses -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("case_of", "step", "transition"),
    [
        (z2_sent, lambda c: c.record_reply_to_sales(LOGISTICS), ("TZJL", "HFYY")),
        (z2_hfyy, lambda c: c.record_goods_delivered(HANDLER, DELIVERED_AT), ("HFYY", "DDKH")),
        (z2_hfyy, lambda c: c.record_goods_returned(LOGISTICS, DELIVERED_AT), ("HFYY", "THCS")),
        (z2_ddkh, lambda c: c.record_goods_returned(HANDLER, DELIVERED_AT, "OEM 厂商"), ("DDKH", "THCS")),
    ],
)
def test_a_z2_step_records_its_transition(
    case_of: Factory, step: Command, transition: tuple[str, str]
) -> None:
    case = case_of()
    step(case)
    event = one_event(case)
    assert (event.from_status, event.to_status) == transition


@pytest.mark.parametrize(
    ("case_of", "step"),
    [
        (z2_sent, lambda c: c.record_goods_delivered(LOGISTICS, DELIVERED_AT)),  # TZJL → DDKH
        (z2_sent, lambda c: c.record_goods_returned(LOGISTICS, DELIVERED_AT)),  # TZJL → THCS
        (z2_thcs, lambda c: c.record_goods_delivered(LOGISTICS, DELIVERED_AT)),  # THCS → DDKH
        (z2_ddkh, lambda c: c.record_reply_to_sales(LOGISTICS)),  # DDKH → HFYY
        (z2_hfyy, lambda c: c.record_reply_to_sales(LOGISTICS)),  # HFYY → HFYY
    ],
)
def test_a_skipped_or_backward_z2_step_is_refused(case_of: Factory, step: Command) -> None:
    assert refused(case_of(), step).code == "ILLEGAL_STATUS_TRANSITION"


@pytest.mark.parametrize("case_of", [z2, z2_filed])
def test_hfyy_needs_the_complaint_form_sent(case_of: Factory) -> None:
    assert refused(case_of(), lambda c: c.record_reply_to_sales(HANDLER)).code == "COMPLAINT_FORM_REQUIRED"


@pytest.mark.parametrize(
    ("case_of", "step"),
    [
        (z2_sent, lambda c: c.record_reply_to_sales(ASSISTANT)),
        (z2_hfyy, lambda c: c.record_goods_delivered(ASSISTANT, DELIVERED_AT)),
        (z2_hfyy, lambda c: c.record_goods_returned(ASSISTANT, DELIVERED_AT)),
    ],
)
def test_the_assistant_does_not_set_z2_statuses(case_of: Factory, step: Command) -> None:
    assert refused(case_of(), step).code == "FORBIDDEN_ROLE"


# Commands of the other type: 422 -------------------------------------------------------------
@pytest.mark.parametrize(
    "command",
    [
        lambda c: c.complete_site_survey(STAFF),
        lambda c: c.record_service_form(STAFF, "SURVEY", "202", SERVICE_DAY, "x"),
        lambda c: c.request_approval(ASSISTANT, "HQ_SUPPORT"),
        lambda c: c.approve(SUPERVISOR),
        lambda c: c.reject(SUPERVISOR, "x"),
        lambda c: c.record_department_reply(LOGISTICS, "x"),
        lambda c: c.create_service_order(ASSISTANT, [LOCK_LINE]),
        lambda c: c.record_on_site_service(STAFF, SERVICE_DAY, "x"),
        lambda c: c.confirm_acceptance(ASSISTANT, "x"),
    ],
)
def test_a_z1_only_command_on_a_z2_is_not_allowed_for_the_type(command: Command) -> None:
    assert refused(z2_sent(), command).code == "NOT_ALLOWED_FOR_TYPE"


@pytest.mark.parametrize(
    "command",
    [
        lambda c: c.record_reply_to_sales(LOGISTICS),
        lambda c: c.record_goods_delivered(LOGISTICS, DELIVERED_AT),
        lambda c: c.record_goods_returned(HANDLER, DELIVERED_AT),
    ],
)
def test_a_z2_only_command_on_a_z1_is_not_allowed_for_the_type(command: Command) -> None:
    assert refused(surveyed(), command).code == "NOT_ALLOWED_FOR_TYPE"
