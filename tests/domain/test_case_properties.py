"""Property tests of the notification status machine: random command sequences, checked against the tables."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from application.app import CrmApplication
from domain.case import Case
from domain.case_fulfilment import OrderLineSpec
from domain.case_status import POLICIES, TRANSITIONS, USER_STATUSES
from domain.case_values import CaseType, SystemStatus
from domain.context import CommandContext
from domain.errors import DomainError
from tests.domain.case_support import (
    AGENT,
    ASSISTANT,
    HANDLER,
    LOGISTICS,
    STAFF,
    SUPERVISOR,
    ShipTo,
    z1_payload,
    z2_payload,
)

CONTEXTS = [ASSISTANT, STAFF, SUPERVISOR, LOGISTICS, HANDLER, AGENT]
Action = tuple[str, Callable[[Case, CommandContext], object]]


def first_order(case: Case) -> str:
    return case.service_orders[-1].order_no if case.service_orders else "ZFFW-missing"


ACTIONS: list[Action] = [
    ("put_in_process", lambda c, x: c.put_in_process(x)),
    ("notify_service_staff", lambda c, x: c.notify_service_staff(x, "202")),
    ("append_long_text", lambda c, x: c.append_long_text(x, "抽屉锁缺货、请购。")),
    ("complete_site_survey", lambda c, x: c.complete_site_survey(x, "KCJS")),
    ("record_service_form", lambda c, x: c.record_service_form(x, "SURVEY", "202", date(2001, 3, 7), "勘察")),
    ("file_complaint_form", lambda c, x: c.file_complaint_form(x, "EXCHANGE", "换货")),
    ("request_approval", lambda c, x: c.request_approval(x, "HQ_QUOTE")),
    ("request_approval", lambda c, x: c.request_approval(x, "HQ_SUPPORT")),
    ("approve", lambda c, x: c.approve(x, "同意")),
    ("reject", lambda c, x: c.reject(x, "费用过高")),
    ("escalate", lambda c, x: c.escalate(x, "RL-EAST", "QUOTE_AND_STAFFING")),
    ("escalate", lambda c, x: c.escalate(x, "RL-EAST", "COMPLAINT_SUPPORT")),
    ("escalate", lambda c, x: c.escalate(x, "RL-EAST", "PRE_PAYMENT_COMPLAINT")),
    ("email", lambda c, x: c.email(x, ["psi@example.com"], "PSI", "请购抽屉锁")),
    ("record_department_reply", lambda c, x: c.record_department_reply(x, "可支援")),
    ("record_reply_to_sales", lambda c, x: c.record_reply_to_sales(x)),
    ("record_goods_delivered", lambda c, x: c.record_goods_delivered(x, datetime(2001, 3, 9, tzinfo=UTC))),
    (
        "record_goods_returned",
        lambda c, x: c.record_goods_returned(x, datetime(2001, 3, 9, tzinfo=UTC), "OEM"),
    ),
    ("create_service_order", lambda c, x: c.create_service_order(x, [OrderLineSpec("换锁", 1, "80.00")])),
    ("confirm_quote", lambda c, x: c.confirm_quote(x, first_order(c), "李先生")),
    ("decline_quote", lambda c, x: c.decline_quote(x, first_order(c))),
    ("record_on_site_service", lambda c, x: c.record_on_site_service(x, date(2001, 3, 8), "更换抽屉锁")),
    ("confirm_acceptance", lambda c, x: c.confirm_acceptance(x, "李先生")),
    ("close", lambda c, x: c.close(x)),
    ("close", lambda c, x: c.close(x, "主管不批准, 客户撤回")),
    ("create_invoice", lambda c, x: c.create_invoice(x, first_order(c))),
    ("record_satisfaction_survey", lambda c, x: c.record_satisfaction_survey(x, 4, "PHONE")),
]

# The actor usually holds a role the command allows (so deep paths are reached); sometimes anyone.
FITTING = {
    name: [i for i, c in enumerate(CONTEXTS) if c.actor.acting_role(POLICIES[name].all_roles())]
    for name, _ in ACTIONS
}


@st.composite
def step(draw: st.DrawFn) -> tuple[int, int]:
    action = draw(st.integers(0, len(ACTIONS) - 1))
    fitting = FITTING[ACTIONS[action][0]]
    anyone = draw(st.integers(0, 9)) == 0
    actor = draw(st.integers(0, len(CONTEXTS) - 1) if anyone else st.sampled_from(fitting))
    return action, actor


steps = st.lists(step(), min_size=1, max_size=60)
kinds = st.sampled_from([("Z1", "PAID_SERVICE"), ("Z1", "COMPLAINT"), ("Z2", "COMPLAINT")])


def fresh_case(kind: tuple[str, str]) -> Case:
    payload = z1_payload(category=kind[1]) if kind[0] == "Z1" else z2_payload()
    return Case.create("1000001", payload, ASSISTANT, ShipTo())


def state_of(case: Case) -> dict[str, Any]:
    return {k: v for k, v in vars(case).items() if k != "_pending_events"}


def run(case: Case, step: tuple[int, int]) -> tuple[str, bool, dict[str, Any]]:
    """Apply one step; returns (command, accepted, state before)."""
    name, act = ACTIONS[step[0]]
    before = copy.deepcopy(state_of(case))
    pending = len(case.pending_events)
    try:
        act(case, CONTEXTS[step[1]])
    except DomainError:
        assert len(case.pending_events) == pending, f"refused {name} appended events"
        assert state_of(case) == before, f"refused {name} changed the state"
        return name, False, before
    return name, True, before


def check_transition(case: Case, name: str, before: dict[str, Any]) -> None:
    case_type = CaseType(case.type)
    assert case.user_status in USER_STATUSES[case_type]
    if case.user_status != before["user_status"]:
        transition = TRANSITIONS[(case_type, name)]
        assert before["user_status"] in transition.sources
        assert case.user_status == transition.target
    if before["system_status"] == SystemStatus.COMPLETED:
        assert POLICIES[name].after_close, f"{name} was accepted on a closed notification"
        assert case.system_status == SystemStatus.COMPLETED
    if before["system_status"] == SystemStatus.IN_PROCESS:
        assert case.system_status != SystemStatus.OUTSTANDING


def check_invariants(case: Case) -> None:
    if case.pending_approval is not None:
        assert case.type == CaseType.Z1 and case.user_status in ("KCWB", "BPZ")
    for invoice in case.invoices:
        assert invoice.order_no in {o.order_no for o in case.service_orders}
    if case.survey is not None:
        assert case.is_completed
    assert sum(o.status == "PENDING_CONFIRMATION" for o in case.service_orders) <= 1


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=kinds, sequence=steps)
def test_random_commands_never_leave_the_status_tables(
    kind: tuple[str, str], sequence: list[tuple[int, int]]
) -> None:
    case = fresh_case(kind)
    for step in sequence:
        name, accepted, before = run(case, step)
        if accepted:
            check_transition(case, name, before)
        check_invariants(case)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=kinds, sequence=steps)
def test_replaying_stored_events_rebuilds_an_equal_case(
    kind: tuple[str, str], sequence: list[tuple[int, int]]
) -> None:
    case = fresh_case(kind)
    for step in sequence:
        run(case, step)
    mapper = CrmApplication().mapper  # the store's own JSON encoding, with every transcoding registered
    stored = [mapper.to_stored_event(e) for e in case.collect_events()]
    rebuilt: Case | None = None
    for record in stored:
        rebuilt = mapper.to_domain_event(record).mutate(rebuilt)
    assert rebuilt == case
