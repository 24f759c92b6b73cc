"""Walk a notification to a given point of its Z1 or Z2 flow, with every event already collected.

Each helper returns a case whose pending events are empty, so a test can assert exactly
what its own command emitted (or that a refused command emitted nothing).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pytest

from domain.case import Case
from domain.case_fulfilment import OrderLineSpec
from domain.errors import DomainError, ValidationFailed
from tests.domain.case_support import (
    ASSISTANT,
    LOGISTICS,
    NOW,
    STAFF,
    SUPERVISOR,
    new_case,
    z1_payload,
    z2_payload,
)

SERVICE_DAY = date(2001, 3, 7)
DELIVERED_AT = datetime(2001, 3, 8, 10, 0, tzinfo=NOW.tzinfo)
LOCK_LINE = OrderLineSpec(description="更换抽屉锁", qty=1, unit_price="120.00", material="100056")


def refused(case: Case, command: Callable[[Case], object]) -> DomainError:
    """Run a command that must be refused; it must leave no pending event behind."""
    with pytest.raises(DomainError) as caught:
        command(case)
    assert case.collect_events() == []
    return caught.value


def fields(err: DomainError) -> list[str]:
    """The failing fields of a VALIDATION_ERROR, in the order reported."""
    assert isinstance(err, ValidationFailed), err
    return [p.field for p in err.problems]


def settled(case: Case) -> Case:
    """The case with its pending events collected (as if saved)."""
    case.collect_events()
    return case


# Creation ------------------------------------------------------------------------------------
def z1(**overrides: Any) -> Case:
    """A fresh Z1 PAID_SERVICE notification in TZJL / OUTSTANDING (SM01 example 1)."""
    return settled(new_case(z1_payload(**overrides)))


def complaint_z1(**overrides: Any) -> Case:
    """A fresh Z1 post-payment complaint (客诉) in TZJL."""
    return z1(category="COMPLAINT", **overrides)


def z2(**overrides: Any) -> Case:
    """A fresh Z2 delivery exception (交货异常) in TZJL."""
    return settled(new_case(z2_payload(**overrides)))


# Z1: survey, approval, escalation, reply ------------------------------------------------------
def surveyed(case: Case | None = None) -> Case:
    """KCWB (勘察结束), IN_PROCESS."""
    case = case or z1()
    case.complete_site_survey(STAFF)
    return settled(case)


def with_forms(case: Case) -> Case:
    """The form the approval request needs: a 家具服务单 (paid service) or a 客诉单 (complaint)."""
    if case.category == "COMPLAINT":
        case.file_complaint_form(ASSISTANT, "EXCHANGE", "抽屉锁损坏,需换货")
    else:
        case.record_service_form(STAFF, "SURVEY", "202", SERVICE_DAY, "抽屉锁缺货,需总部报价", True)
    return settled(case)


def purpose_of(case: Case) -> str:
    return "HQ_SUPPORT" if case.category == "COMPLAINT" else "HQ_QUOTE"


def requested(case: Case | None = None) -> Case:
    """KCWB with the form recorded and a pending supervisor approval request."""
    case = with_forms(surveyed(case))
    case.request_approval(ASSISTANT, purpose_of(case), "需总部报价")
    return settled(case)


def approved(case: Case | None = None) -> Case:
    """ZGPZ (主管批准)."""
    case = requested(case)
    case.approve(SUPERVISOR, "同意")
    return settled(case)


def rejected(case: Case | None = None) -> Case:
    """BPZ (主管不批准), no pending request."""
    case = requested(case)
    case.reject(SUPERVISOR, "本地可处理")
    return settled(case)


def escalation_purpose(case: Case) -> str:
    if case.type == "Z2":
        return "PRE_PAYMENT_COMPLAINT"
    return "COMPLAINT_SUPPORT" if case.category == "COMPLAINT" else "QUOTE_AND_STAFFING"


def escalated(case: Case | None = None) -> Case:
    """ZGPZ with the escalation to regional logistics sent."""
    case = approved(case)
    case.escalate(ASSISTANT, "RL-EAST", escalation_purpose(case))
    return settled(case)


def replied(case: Case | None = None) -> Case:
    """ZBHF (相应部门回复)."""
    case = escalated(case)
    case.record_department_reply(LOGISTICS, "总部报价 120 元,派员支援")
    return settled(case)


# Z1: quote, service, acceptance, close ---------------------------------------------------------
def quoted(case: Case | None = None) -> tuple[Case, str]:
    """A surveyed notification with a ZFFW quote waiting for the customer."""
    case = surveyed(case) if case is None else case
    order_no = case.create_service_order(ASSISTANT, [LOCK_LINE])
    return settled(case), order_no


def quote_confirmed(case: Case | None = None) -> tuple[Case, str]:
    case, order_no = quoted(case)
    case.confirm_quote(ASSISTANT, order_no, "申齐 张经理", "PHONE")
    return settled(case), order_no


def serviced(case: Case | None = None) -> Case:
    """On-site service performed (surveyed first when no case is given)."""
    case = case or surveyed()
    case.record_on_site_service(STAFF, SERVICE_DAY, "更换抽屉锁")
    return settled(case)


def accepted(case: Case | None = None) -> Case:
    """Service performed and accepted by the customer."""
    case = serviced(case)
    case.confirm_acceptance(ASSISTANT, "申齐 张经理")
    return settled(case)


def closed_z1(case: Case | None = None) -> Case:
    """COMPLETED after acceptance (no quote)."""
    case = accepted(case)
    case.close(ASSISTANT)
    return settled(case)


def accepted_with_quote() -> tuple[Case, str]:
    """Quote confirmed, service performed and accepted; the ZFFW is not invoiced yet."""
    case, order_no = quote_confirmed()
    return accepted(case), order_no


def closed_with_quote() -> tuple[Case, str]:
    """COMPLETED with a confirmed, accepted, un-invoiced ZFFW (the invoice may follow the close)."""
    case, order_no = accepted_with_quote()
    case.close(ASSISTANT)
    return settled(case), order_no


# Z2: complaint form, escalation, HFYY → DDKH → THCS, close ---------------------------------------
def z2_filed(case: Case | None = None) -> Case:
    """A Z2 with a complaint form filed but not yet sent."""
    case = case or z2()
    case.file_complaint_form(ASSISTANT, "REPAIR", "组装不良,抽屉卡住")
    return settled(case)


def z2_sent(case: Case | None = None) -> Case:
    """A Z2 whose complaint form was sent to regional logistics (still TZJL)."""
    case = z2_filed(case)
    case.escalate(ASSISTANT, "RL-EAST", "PRE_PAYMENT_COMPLAINT")
    return settled(case)


def z2_hfyy(case: Case | None = None) -> Case:
    case = z2_sent(case)
    case.record_reply_to_sales(LOGISTICS, "已安排补件")
    return settled(case)


def z2_ddkh(case: Case | None = None) -> Case:
    case = z2_hfyy(case)
    case.record_goods_delivered(LOGISTICS, DELIVERED_AT)
    return settled(case)


def z2_thcs(case: Case | None = None) -> Case:
    case = z2_ddkh(case)
    case.record_goods_returned(LOGISTICS, DELIVERED_AT, "OEM 厂商")
    return settled(case)


def closed_z2(case: Case | None = None) -> Case:
    case = z2_ddkh(case)
    case.close(LOGISTICS)
    return settled(case)
