"""The queue facts (DOMAIN.md §4.7 P1–P4): what each notification event changes; customer names.

Events come from the real aggregate (the domain walkers of tests/domain/case_flows.py)
and are folded with the pure `created`/`evolve`; no database is involved. The
`pending_action` rules are in test_pending_action.py.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from domain.case import Case
from domain.customer import Customer, ProfileChanges
from projections.case_facts import (
    CASE_EVENTS,
    CaseFacts,
    CustomerName,
    customer_name_change,
    fold_case_event,
)
from projections.tables import Table
from tests.domain import case_flows as walk
from tests.domain.case_support import ASSISTANT, ShipTo, ctx, z1_payload
from tests.domain.support import make_ctx, register
from tests.projections.queue_support import NAME, MemoryRows, after_survey, complaint_z1, story, z1, z2

LATER = datetime(2001, 3, 7, 2, 30, tzinfo=UTC)


# Facts after each event type ------------------------------------------------------------------
def test_creation_copies_the_header_and_the_given_customer_name() -> None:
    facts = z1().facts()
    assert (facts.case_no, facts.type, facts.type_label, facts.customer_no, facts.customer_name) == (
        "1000001", "Z1", "客户服务通知", "2110050007", NAME,
    )  # fmt: skip
    assert (facts.user_status, facts.system_status, facts.notification_date) == (
        "TZJL",
        "OUTSTANDING",
        date(2001, 3, 6),
    )


def test_a_z2_is_labelled_as_a_delivery_exception() -> None:
    assert z2().facts().type_label == "交货异常"


def test_urgent_notifications_rank_first() -> None:
    assert (story(z1_payload(urgency="URGENT")).facts().urgency_rank, z1().facts().urgency_rank) == (0, 1)


def test_creation_long_text_is_the_latest_long_text() -> None:
    assert story(z1_payload(long_text="客户来电")).facts().latest_long_text == "客户来电"


def test_putting_in_process_changes_the_system_status_only() -> None:
    facts = z1().then(lambda c: c.put_in_process(ASSISTANT)).facts()
    assert (facts.system_status, facts.user_status) == ("IN_PROCESS", "TZJL")


def test_notifying_service_staff_marks_the_notification_dispatched() -> None:
    facts = (
        story(z1_payload(urgency="URGENT")).then(lambda c: c.notify_service_staff(ASSISTANT, "202")).facts()
    )
    assert facts.urgent_dispatched


def test_a_header_change_takes_the_new_values() -> None:
    changes = {"required_end": date(2001, 3, 20), "responsible_person": "203"}
    facts = z1().then(lambda c: c.update_details(ASSISTANT, changes, ShipTo())).facts()
    assert (facts.required_end, facts.responsible_person) == (date(2001, 3, 20), "203")


def test_an_appended_long_text_becomes_the_latest() -> None:
    facts = z1().then(lambda c: c.append_long_text(ASSISTANT, "客户改约周五")).facts()
    assert facts.latest_long_text == "客户改约周五"


def test_the_site_survey_sets_kcwb_and_puts_in_process() -> None:
    facts = z1().then(walk.surveyed).facts()
    assert (facts.user_status, facts.system_status) == ("KCWB", "IN_PROCESS")


def test_service_forms_are_counted() -> None:
    facts = z1().then(walk.with_forms).then(walk.with_forms).facts()
    assert facts.service_form_count == 2


def test_a_filed_complaint_form_is_remembered_with_its_kind() -> None:
    s = complaint_z1()
    form_no = s.case.file_complaint_form(ASSISTANT, "EXCHANGE", "抽屉变形")
    facts = s.facts()
    assert (facts.complaint_form_no, facts.complaint_kind, facts.complaint_kinds) == (
        form_no, "EXCHANGE", {form_no: "EXCHANGE"},
    )  # fmt: skip


def test_a_filed_form_is_not_yet_sent() -> None:
    assert not complaint_z1().then(walk.with_forms).facts().complaint_form_sent


def test_an_approval_request_records_purpose_requester_and_time() -> None:
    facts = z1().then(walk.requested).facts()
    assert (facts.pending_approval, facts.approval_purpose, facts.approval_requested_by) == (
        True,
        "HQ_QUOTE",
        "a-01",
    )
    assert facts.approval_requested_at == ASSISTANT.occurred_at


def test_approval_clears_the_request_and_sets_zgpz() -> None:
    facts = z1().then(walk.approved).facts()
    assert (facts.pending_approval, facts.user_status, facts.escalated) == (False, "ZGPZ", False)


def test_rejection_clears_the_request_and_sets_bpz() -> None:
    facts = z1().then(walk.rejected).facts()
    assert (facts.pending_approval, facts.user_status) == (False, "BPZ")


def test_an_escalation_records_when_and_why() -> None:
    facts = z1().then(walk.escalated).facts()
    assert (facts.escalated, facts.escalated_at, facts.escalation_purpose) == (
        True, ASSISTANT.occurred_at, "QUOTE_AND_STAFFING",
    )  # fmt: skip


def test_a_complaint_escalation_sends_the_filed_form() -> None:
    facts = complaint_z1().then(walk.escalated).facts()
    assert (facts.complaint_form_sent, facts.sent_form_no) == (True, facts.complaint_form_no)


def test_a_re_escalation_keeps_the_time_the_wait_began() -> None:
    s = z1().then(walk.escalated)
    s.case.escalate(ctx(actor_id="a-01", at=LATER), "RL-EAST", "QUOTE_AND_STAFFING")
    assert s.facts().escalated_at == ASSISTANT.occurred_at


def test_a_second_form_sent_later_is_the_sent_form_with_its_own_kind() -> None:
    s = z2().then(walk.z2_sent)
    s.case.file_complaint_form(ASSISTANT, "EXCHANGE", "换货")
    s.case.escalate(ASSISTANT, "RL-EAST", "PRE_PAYMENT_COMPLAINT")
    facts = s.facts()
    assert facts.complaint_kinds[facts.sent_form_no] == "EXCHANGE"
    assert facts.sent_form_no == facts.complaint_form_no


def test_the_department_reply_sets_zbhf() -> None:
    assert z1().then(walk.replied).facts().user_status == "ZBHF"


def test_a_new_quote_is_pending() -> None:
    facts = after_survey(walk.quoted).facts()
    assert (facts.pending_quotes, facts.confirmed_quotes) == (1, 0)


def test_a_confirmed_quote_is_confirmed_and_not_invoiced() -> None:
    facts = after_survey(walk.quote_confirmed).facts()
    assert (facts.pending_quotes, facts.confirmed_quotes, facts.uninvoiced_confirmed_quotes) == (0, 1, 1)


def test_a_declined_quote_is_no_longer_pending() -> None:
    s = z1().then(walk.surveyed)
    _, order_no = walk.quoted(s.case)
    s.case.decline_quote(ASSISTANT, order_no, "太贵")
    assert (s.facts().pending_quotes, s.facts().confirmed_quotes) == (0, 0)


def test_on_site_service_and_acceptance_are_recorded() -> None:
    facts = after_survey(walk.accepted).facts()
    assert (facts.on_site_done, facts.accepted) == (True, True)


def test_closing_completes_and_keeps_the_user_status() -> None:
    facts = after_survey(walk.closed_z1).facts()
    assert (facts.system_status, facts.user_status, facts.closed_at) == (
        "COMPLETED",
        "KCWB",
        ASSISTANT.occurred_at,
    )


def test_an_invoice_settles_the_confirmed_quote() -> None:
    s = z1()
    _, order_no = walk.quote_confirmed(walk.surveyed(s.case))
    walk.closed_z1(s.case)
    s.case.create_invoice(ASSISTANT, order_no)
    assert s.facts().uninvoiced_confirmed_quotes == 0


@pytest.mark.parametrize(
    ("walker", "status"),
    [(walk.z2_hfyy, "HFYY"), (walk.z2_ddkh, "DDKH"), (walk.z2_thcs, "THCS")],
)
def test_z2_logistics_steps_set_their_user_status(walker: Any, status: str) -> None:
    assert z2().then(walker).facts().user_status == status


def test_version_and_last_event_follow_the_latest_event() -> None:
    s = z1()
    s.case.append_long_text(ctx(actor_id="a-01", at=LATER), "补充")
    facts = s.facts()
    assert (facts.version, facts.last_event_at) == (len(s.events()), LATER)


def test_a_back_dated_event_does_not_move_last_event_at_back() -> None:
    s = z1()
    s.case.append_long_text(ctx(actor_id="a-01", at=LATER), "补充")
    s.case.append_long_text(ctx(actor_id="a-01", at=LATER - timedelta(days=1)), "补录")
    assert s.facts().last_event_at == LATER


def test_every_notification_event_class_is_followed() -> None:
    assert {cls.__name__ for cls in CASE_EVENTS} >= {
        "ServiceNotificationCreated",
        "SatisfactionSurveyRecorded",
    }
    assert all(issubclass(cls, Case.Event) for cls in CASE_EVENTS)


# Customer names ---------------------------------------------------------------------------------
def _registration_events() -> list[Any]:
    customer = Customer.register(
        make_ctx(), customer_no="2110050007", name="王敏", kind="ENTERPRISE", address="上海"
    )
    return list(customer.collect_events())


def test_a_registration_names_the_customer() -> None:
    assert customer_name_change(_registration_events()[0]) == ("2110050007", "王敏")


def test_a_profile_update_with_a_name_renames_the_customer() -> None:
    customer = register(make_ctx())
    customer.update_profile(make_ctx(), ProfileChanges(name="申齐保健"))
    assert customer_name_change(customer.collect_events()[0]) == ("2110050007", "申齐保健")


def test_a_profile_update_without_a_name_changes_no_name() -> None:
    customer = register(make_ctx())
    customer.update_profile(make_ctx(), ProfileChanges(occupation="采购"))
    assert customer_name_change(customer.collect_events()[0]) is None


FACTS = Table("rm_test_facts", CaseFacts, key=("case_no",))
NAMES = Table("rm_test_names", CustomerName, key=("customer_no",))


def test_a_new_notification_takes_the_known_customer_name() -> None:
    rows = MemoryRows()
    for event in _registration_events() + z1().events():
        fold_case_event(FACTS, NAMES, event, rows)
    assert rows.get(FACTS, "1000001").customer_name == "王敏"  # type: ignore[union-attr]


def test_a_rename_reaches_the_customers_known_notifications() -> None:
    rows = MemoryRows()
    customer = register(make_ctx())
    customer.update_profile(make_ctx(), ProfileChanges(name="申齐保健"))
    for event in _registration_events() + z1().events() + list(customer.collect_events()):
        fold_case_event(FACTS, NAMES, event, rows)
    assert rows.get(FACTS, "1000001").customer_name == "申齐保健"  # type: ignore[union-attr]


def test_without_a_names_table_customer_events_are_ignored() -> None:
    rows = MemoryRows()
    for event in _registration_events() + z1().events():
        fold_case_event(FACTS, None, event, rows)
    assert rows.get(FACTS, "1000001").customer_name == ""  # type: ignore[union-attr]


def test_events_of_an_unknown_notification_are_skipped() -> None:
    rows = MemoryRows()
    assert fold_case_event(FACTS, NAMES, z1().then(walk.surveyed).events()[1], rows) == []
