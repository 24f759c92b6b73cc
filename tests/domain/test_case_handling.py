"""C2-C5, C7-C9: put in process, dispatch, header changes, long text, survey, service and complaint forms."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from domain.actor import Role
from domain.case import Case
from domain.context import CommandContext
from tests.domain.case_flows import SERVICE_DAY, complaint_z1, fields, refused, surveyed, z1, z2
from tests.domain.case_support import ASSISTANT, LOGISTICS, STAFF, SUPERVISOR, ShipTo, ctx, events_of

Factory = Callable[[], Case]


# C2 put in process ---------------------------------------------------------------------------
def test_put_in_process_moves_outstanding_to_in_process() -> None:
    case = z1()
    case.put_in_process(ASSISTANT)
    (event,) = case.collect_events()
    assert (type(event).__name__, event.from_status, event.to_status) == (
        "NotificationPutInProcess",
        "OUTSTANDING",
        "IN_PROCESS",
    )


def test_put_in_process_twice_is_an_illegal_transition() -> None:
    case = surveyed()
    assert refused(case, lambda c: c.put_in_process(ASSISTANT)).code == "ILLEGAL_STATUS_TRANSITION"


def test_regional_logistics_may_put_a_z2_in_process() -> None:
    case = z2()
    case.put_in_process(LOGISTICS)
    assert case.system_status == "IN_PROCESS"


def test_a_supervisor_may_not_put_in_process() -> None:
    assert refused(z1(), lambda c: c.put_in_process(SUPERVISOR)).code == "FORBIDDEN_ROLE"


# C3 notify service staff ---------------------------------------------------------------------
@pytest.mark.parametrize(("urgency", "urgent"), [("URGENT", True), ("NORMAL", False)])
def test_dispatch_records_the_staff_and_whether_it_is_urgent(urgency: str, urgent: bool) -> None:
    case = z1(urgency=urgency)
    case.notify_service_staff(ASSISTANT, "202", "PHONE")
    (event,) = case.collect_events()
    assert (type(event).__name__, event.service_staff_id, event.urgent, event.channel) == (
        "ServiceStaffNotified",
        "202",
        urgent,
        "PHONE",
    )


def test_dispatch_needs_a_service_staff_id() -> None:
    assert fields(refused(z1(), lambda c: c.notify_service_staff(ASSISTANT, ""))) == ["service_staff_id"]


def test_only_the_assistant_dispatches() -> None:
    assert refused(z1(), lambda c: c.notify_service_staff(STAFF, "202")).code == "FORBIDDEN_ROLE"


# C4 update details ---------------------------------------------------------------------------
def test_a_header_change_records_old_and_new_values() -> None:
    case = z1()
    case.update_details(ASSISTANT, {"po_number": "30000076"})
    (event,) = case.collect_events()
    assert event.changes == {"po_number": {"old": "30000075", "new": "30000076"}}


def test_a_new_responsible_person_is_a_registered_hand_over() -> None:
    case = z1()
    case.update_details(ASSISTANT, {"responsible_person": "203"})
    events = case.collect_events()
    assert [type(e).__name__ for e in events] == ["NotificationDetailsUpdated", "ResponsibilityTransferred"]
    assert (events[1].from_person, events[1].to_person) == ("202", "203")


def test_the_vw_partner_follows_the_responsible_person() -> None:
    case = z1()
    case.update_details(ASSISTANT, {"responsible_person": "203"})
    assert case.partners["VW"] == "203"


def test_a_new_work_center_is_a_registered_hand_over() -> None:
    case = z1()
    case.update_details(ASSISTANT, {"main_work_center": "S4003"})
    event = case.collect_events()[1]
    assert (event.from_work_center, event.to_work_center) == ("S4002", "S4003")


def test_clearing_the_functional_location_brings_back_the_master_address() -> None:
    case = z1()
    case.update_details(ASSISTANT, {"functional_location": ""}, ShipTo())
    (event,) = case.collect_events()
    assert event.changes["object_address"]["new"] == "上海市浦东新区张江路1号"


@pytest.mark.parametrize("field", ["type", "payment_status", "ship_to", "sales_org"])
def test_an_immutable_field_cannot_be_changed(field: str) -> None:
    assert fields(refused(z1(), lambda c: c.update_details(ASSISTANT, {field: "X1"}))) == [field]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"description": "锁" * 41}, "description"),
        ({"reporter": ""}, "reporter"),
        ({"required_end": date(2001, 3, 6)}, "required_end"),
        ({"po_number": "30000075"}, "changes"),
    ],
)
def test_a_header_change_follows_the_create_field_rules(changes: dict[str, object], field: str) -> None:
    assert fields(refused(z1(), lambda c: c.update_details(ASSISTANT, changes))) == [field]


def test_a_functional_location_of_another_customer_is_refused() -> None:
    foreign = {"functional_location": "2110059999"}
    err = refused(z1(), lambda c: c.update_details(ASSISTANT, foreign, ShipTo()))
    assert err.code == "FUNCTIONAL_LOCATION_NOT_FOUND"


def test_an_unknown_functional_location_is_reported_before_the_role() -> None:
    err = refused(z1(), lambda c: c.update_details(STAFF, {"functional_location": "2110059999"}, ShipTo()))
    assert err.code == "FUNCTIONAL_LOCATION_NOT_FOUND"


def test_dates_in_the_wrong_order_in_one_payload_are_reported_before_the_role() -> None:
    changes = {"required_start": date(2001, 3, 9), "required_end": date(2001, 3, 8)}
    assert fields(refused(z1(), lambda c: c.update_details(STAFF, changes))) == ["required_end"]


def test_service_staff_may_not_change_the_header() -> None:
    assert refused(z1(), lambda c: c.update_details(STAFF, {"po_number": "1"})).code == "FORBIDDEN_ROLE"


# C5 long text --------------------------------------------------------------------------------
def test_long_text_is_appended_with_its_author() -> None:
    case = z1()
    case.append_long_text(STAFF, "活动柜被反锁,抽屉打不开。")
    assert events_of(case) == ["LongTextAppended"]
    assert (case.long_texts[-1].text, case.long_texts[-1].author_id) == ("活动柜被反锁,抽屉打不开。", "202")


@pytest.mark.parametrize("text", ["", "字" * 4001])
def test_an_empty_or_too_long_text_is_refused(text: str) -> None:
    assert fields(refused(z1(), lambda c: c.append_long_text(ASSISTANT, text))) == ["text"]


def test_an_agent_may_not_append_long_text() -> None:
    assert refused(z1(), lambda c: c.append_long_text(ctx(Role.CS_AGENT), "x")).code == "FORBIDDEN_ROLE"


# C7 site survey ------------------------------------------------------------------------------
@pytest.mark.parametrize("code", ["KCWB", "KCJS"])
def test_the_survey_moves_tzjl_to_kcwb_whatever_the_input_alias(code: str) -> None:
    case = z1()
    case.complete_site_survey(STAFF, code)
    event = case.collect_events()[0]
    assert (event.from_status, event.to_status, event.input_code) == ("TZJL", "KCWB", code)


def test_a_survey_on_an_outstanding_notification_also_puts_it_in_process() -> None:
    case = z1()
    case.complete_site_survey(STAFF)
    assert events_of(case) == ["SiteSurveyCompleted", "NotificationPutInProcess"]


def test_a_survey_on_an_in_process_notification_only_records_the_survey() -> None:
    case = z1()
    case.put_in_process(ASSISTANT)
    case.collect_events()
    case.complete_site_survey(ASSISTANT)
    assert events_of(case) == ["SiteSurveyCompleted"]


@pytest.mark.parametrize(
    ("case", "actor", "code"),
    [
        (surveyed, STAFF, "ILLEGAL_STATUS_TRANSITION"),
        (z2, STAFF, "NOT_ALLOWED_FOR_TYPE"),
        (z1, SUPERVISOR, "FORBIDDEN_ROLE"),
    ],
)
def test_a_survey_is_refused(case: Factory, actor: CommandContext, code: str) -> None:
    assert refused(case(), lambda c: c.complete_site_survey(actor)).code == code


def test_an_unknown_survey_code_is_refused() -> None:
    assert fields(refused(z1(), lambda c: c.complete_site_survey(STAFF, "ZGPZ"))) == ["code"]


# C8 furniture service form -------------------------------------------------------------------
def test_a_service_form_is_recorded_with_a_number() -> None:
    case = z1()
    form_no = case.record_service_form(STAFF, "SURVEY", "202", SERVICE_DAY, "抽屉锁缺货", True)
    (event,) = case.collect_events()
    assert (event.form_no, event.kind, event.hq_quote_needed) == (form_no, "SURVEY", True)


@pytest.mark.parametrize(
    ("case", "actor", "code"),
    [
        (z2, ASSISTANT, "NOT_ALLOWED_FOR_TYPE"),
        (z1, SUPERVISOR, "FORBIDDEN_ROLE"),
    ],
)
def test_a_service_form_is_refused(case: Factory, actor: CommandContext, code: str) -> None:
    err = refused(case(), lambda c: c.record_service_form(actor, "SERVICE", "202", SERVICE_DAY, "x"))
    assert err.code == code


def test_a_service_form_of_unknown_kind_is_refused() -> None:
    err = refused(z1(), lambda c: c.record_service_form(STAFF, "QUOTE", "202", SERVICE_DAY, "x"))
    assert fields(err) == ["kind"]


# C9 complaint form ---------------------------------------------------------------------------
@pytest.mark.parametrize(("case_of", "payment"), [(complaint_z1, "FULLY_PAID"), (z2, "NOT_FULLY_PAID")])
def test_a_complaint_form_states_the_payment_status(case_of: Factory, payment: str) -> None:
    case = case_of()
    case.file_complaint_form(ASSISTANT, "EXCHANGE", "抽屉锁损坏")
    (event,) = case.collect_events()
    assert (type(event).__name__, event.payment_status) == ("ComplaintFormFiled", payment)


@pytest.mark.parametrize(
    ("case", "actor", "code"),
    [
        (z1, ASSISTANT, "NOT_ALLOWED_FOR_CATEGORY"),
        (z2, STAFF, "FORBIDDEN_ROLE"),
    ],
)
def test_a_complaint_form_is_refused(case: Factory, actor: CommandContext, code: str) -> None:
    assert refused(case(), lambda c: c.file_complaint_form(actor, "RETURN", "x")).code == code


def test_a_complaint_form_of_unknown_kind_is_refused() -> None:
    err = refused(z2(), lambda c: c.file_complaint_form(ASSISTANT, "REFUND", "x"))
    assert fields(err) == ["complaint_kind"]
