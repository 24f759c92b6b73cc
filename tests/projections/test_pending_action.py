"""`pending_action` (DOMAIN.md §4.7 P1): every Z1 and Z2 rule in order, and that the first match wins.

Real walks through the aggregate reach each rule; overlaps that the domain cannot
reach (e.g. TZJL with a pending request) are built by replacing facts, since the
rules are a pure function of the facts.
"""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from projections.case_facts import pending_action
from tests.domain import case_flows as walk
from tests.domain.case_support import ASSISTANT
from tests.projections.queue_support import Story, after_survey, z1, z2


# pending_action, Z1, rule by rule (DOMAIN.md §4.7 P1) ---------------------------------------------
def _closed_with_open_invoice() -> Story:
    s = z1()
    walk.quote_confirmed(walk.surveyed(s.case))
    walk.closed_z1(s.case)
    return s


def _invoiced() -> Story:
    s = _closed_with_open_invoice()
    order_no = s.case.service_orders[-1].order_no
    s.case.create_invoice(ASSISTANT, order_no)
    return s


def _kcwb_with_confirmed_quote() -> Story:
    s = z1()
    walk.quote_confirmed(walk.surveyed(s.case))
    return s


def _kcwb_with_declined_quote() -> Story:
    s = z1().then(walk.surveyed)
    _, order_no = walk.quoted(s.case)
    s.case.decline_quote(ASSISTANT, order_no)
    return s


Z1_WALKS = [
    ("1 completed, confirmed ZFFW not invoiced", _closed_with_open_invoice, "INVOICE"),
    ("1 completed, invoiced", _invoiced, "NONE"),
    ("1 completed, no quote", lambda: after_survey(walk.closed_z1), "NONE"),
    ("2 TZJL", z1, "SURVEY"),
    ("3 pending approval", lambda: z1().then(walk.requested), "AWAIT_APPROVAL"),
    ("4 ZGPZ not escalated", lambda: z1().then(walk.approved), "ESCALATE"),
    ("4 ZGPZ escalated", lambda: z1().then(walk.escalated), "AWAIT_DEPARTMENT_REPLY"),
    ("5 ZFFW pending confirmation", lambda: after_survey(walk.quoted), "AWAIT_QUOTE_CONFIRMATION"),
    ("6 acceptance confirmed", lambda: after_survey(walk.accepted), "CLOSE"),
    ("7 on-site service performed", lambda: after_survey(walk.serviced), "ACCEPTANCE"),
    ("8 BPZ", lambda: z1().then(walk.rejected), "RESUBMIT_OR_CLOSE"),
    ("9 ZBHF", lambda: z1().then(walk.replied), "SERVICE"),
    ("9 KCWB with a confirmed ZFFW", _kcwb_with_confirmed_quote, "SERVICE"),
    ("10 KCWB", lambda: z1().then(walk.surveyed), "DECIDE_ESCALATION"),
    ("10 KCWB, quote declined", _kcwb_with_declined_quote, "DECIDE_ESCALATION"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("walker", "action"), [(w, a) for _, w, a in Z1_WALKS], ids=[n for n, _, _ in Z1_WALKS]
)
def test_z1_pending_action_follows_the_rules(walker: Any, action: str) -> None:
    assert walker().facts().pending_action == action


Z2_WALKS = [
    ("1 completed", walk.closed_z2, "NONE"),
    ("2 TZJL, no form", lambda c: c, "SEND_COMPLAINT_FORM"),
    ("2 TZJL, form filed not sent", walk.z2_filed, "SEND_COMPLAINT_FORM"),
    ("3 TZJL, form sent", walk.z2_sent, "AWAIT_REGIONAL_LOGISTICS"),
    ("4 HFYY", walk.z2_hfyy, "DELIVERY"),
    ("5 DDKH", walk.z2_ddkh, "CLOSE"),
    ("5 THCS", walk.z2_thcs, "CLOSE"),
]


@pytest.mark.parametrize(
    ("walker", "action"), [(w, a) for _, w, a in Z2_WALKS], ids=[n for n, _, _ in Z2_WALKS]
)
def test_z2_pending_action_follows_the_rules(walker: Any, action: str) -> None:
    assert z2().then(walker).facts().pending_action == action


# First match wins -----------------------------------------------------------------------------------
def test_re_requested_approval_in_bpz_awaits_approval_before_resubmit() -> None:
    s = z1().then(walk.rejected)
    s.case.request_approval(ASSISTANT, "HQ_QUOTE", "补充资料")
    assert (s.facts().user_status, s.facts().pending_action) == ("BPZ", "AWAIT_APPROVAL")


def test_service_in_bpz_awaits_acceptance_before_resubmit() -> None:
    facts = z1().then(lambda c: walk.serviced(walk.rejected(c))).facts()
    assert (facts.user_status, facts.pending_action) == ("BPZ", "ACCEPTANCE")


def test_a_quote_after_the_reply_awaits_confirmation_before_service() -> None:
    facts = z1().then(lambda c: walk.quoted(walk.replied(c))).facts()
    assert (facts.user_status, facts.pending_action) == ("ZBHF", "AWAIT_QUOTE_CONFIRMATION")


def test_service_after_the_reply_awaits_acceptance_before_service() -> None:
    facts = z1().then(lambda c: walk.serviced(walk.replied(c))).facts()
    assert (facts.user_status, facts.pending_action) == ("ZBHF", "ACCEPTANCE")


def test_acceptance_wins_over_on_site_service() -> None:
    facts = after_survey(walk.accepted).facts()
    assert facts.on_site_done and facts.pending_action == "CLOSE"


def test_completion_wins_over_acceptance() -> None:
    facts = after_survey(walk.closed_z1).facts()
    assert facts.accepted and facts.pending_action == "NONE"


def test_a_completed_z2_in_ddkh_needs_nothing() -> None:
    facts = z2().then(walk.closed_z2).facts()
    assert (facts.user_status, facts.pending_action) == ("DDKH", "NONE")


BASE = z1().then(walk.surveyed).facts()
OVERLAPS = [
    ("1 beats 2", {"system_status": "COMPLETED", "user_status": "TZJL"}, "NONE"),
    ("2 beats 3", {"user_status": "TZJL", "pending_approval": True}, "SURVEY"),
    ("3 beats 4", {"user_status": "ZGPZ", "pending_approval": True}, "AWAIT_APPROVAL"),
    ("4 beats 5", {"user_status": "ZGPZ", "pending_quotes": 1}, "ESCALATE"),
    ("5 beats 6", {"pending_quotes": 1, "accepted": True}, "AWAIT_QUOTE_CONFIRMATION"),
    ("7 beats 9 (KCWB, confirmed)", {"confirmed_quotes": 1, "on_site_done": True}, "ACCEPTANCE"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "action"), [(c, a) for _, c, a in OVERLAPS], ids=[n for n, _, _ in OVERLAPS]
)
def test_the_first_matching_z1_rule_wins(changes: dict[str, Any], action: str) -> None:
    assert pending_action(msgspec.structs.replace(BASE, **changes)) == action


def test_the_first_matching_z2_rule_wins() -> None:
    facts = z2().then(walk.z2_sent).facts()
    assert pending_action(msgspec.structs.replace(facts, system_status="COMPLETED")) == "NONE"


def test_the_property_and_the_function_agree() -> None:
    facts = z1().then(walk.escalated).facts()
    assert facts.pending_action == pending_action(facts) == "AWAIT_DEPARTMENT_REPLY"
