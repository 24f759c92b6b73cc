"""P3 regional logistics queue: (a) unanswered Z1 escalations, (b) sent, open Z2 complaint forms."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from application import case_commands as c
from application.app import CrmApplication
from application.bus import CommandBus
from infra.settings import Settings
from projections.base import ReadModelView
from projections.logistics_queue import (
    LOGISTICS_QUEUE,
    LogisticsQueueRow,
    RegionalLogisticsQueueProjection,
    days_waiting,
    logistics_queue,
    queue_row,
)
from projections.tables import PageRequest
from tests.application import flows
from tests.domain import case_flows as walk
from tests.domain.case_support import ASSISTANT, LOGISTICS, SHANGHAI, ctx, z1_payload
from tests.projections.queue_support import Story, apply_all, fed_view, story, z1, z2

STORES = pytest.mark.parametrize("storage", ["sqlite", "postgres"], indirect=True)
ESCALATED_AT = ASSISTANT.occurred_at  # 2001-03-06 09:00 in Shanghai


def row_of(s: Story) -> LogisticsQueueRow | None:
    return queue_row(s.facts())


# (a) Z1 ---------------------------------------------------------------------------------------------
def test_an_approved_z1_not_yet_escalated_is_not_queued() -> None:
    assert row_of(z1().then(walk.approved)) is None


def test_an_escalated_z1_awaiting_the_reply_is_queued() -> None:
    row = row_of(z1().then(walk.escalated))
    assert row is not None
    assert (row.type, row.purpose, row.user_status, row.escalated_at) == (
        "Z1", "QUOTE_AND_STAFFING", "ZGPZ", ESCALATED_AT,
    )  # fmt: skip


def test_a_z1_row_always_states_the_payment_status() -> None:
    row = row_of(z1().then(walk.escalated))
    assert row is not None and row.payment_status == "FULLY_PAID"


def test_a_paid_service_escalation_carries_no_complaint_form() -> None:
    row = row_of(z1().then(walk.escalated))
    assert row is not None and (row.complaint_form_no, row.complaint_kind) == ("", "")


def test_a_complaint_escalation_shows_the_form_sent_and_its_kind() -> None:
    s = story(z1_payload(category="COMPLAINT")).then(walk.escalated)
    row = row_of(s)
    assert row is not None
    assert (row.complaint_form_no, row.complaint_kind) == (s.case.complaint_forms[0].form_no, "EXCHANGE")


def test_the_department_reply_takes_a_z1_off_the_queue() -> None:
    s = z1().then(walk.escalated)
    rows = apply_all(RegionalLogisticsQueueProjection, s.events())
    s.case.record_department_reply(LOGISTICS, "报价已出")
    after = apply_all(RegionalLogisticsQueueProjection, s.events()[-1:], rows)
    assert after.tables[LOGISTICS_QUEUE.name] == {}


def test_a_row_shows_the_notification_and_its_customer() -> None:
    row = row_of(z1().then(walk.escalated))
    assert row is not None
    assert (row.case_no, row.sales_office, row.customer_no, row.customer_name, row.required_end) == (
        "1000001", "4002", "2110050007", "申齐保健食品有限公司", date(2001, 3, 8),
    )  # fmt: skip


def test_a_row_shows_the_object_address() -> None:
    row = row_of(z1().then(walk.escalated))
    assert row is not None and row.object_address == "上海市徐汇区漕溪北路88号"


# (b) Z2 ---------------------------------------------------------------------------------------------
def test_a_z2_with_a_form_not_yet_sent_is_not_queued() -> None:
    assert row_of(z2().then(walk.z2_filed)) is None


def test_a_z2_whose_form_was_sent_is_queued_with_form_kind_and_payment_status() -> None:
    s = z2().then(walk.z2_sent)
    row = row_of(s)
    assert row is not None
    assert (row.type, row.purpose, row.payment_status, row.complaint_form_no, row.complaint_kind) == (
        "Z2", "PRE_PAYMENT_COMPLAINT", "NOT_FULLY_PAID", s.case.complaint_forms[0].form_no, "REPAIR",
    )  # fmt: skip


@pytest.mark.parametrize("walker", [walk.z2_hfyy, walk.z2_ddkh, walk.z2_thcs])
def test_a_sent_z2_stays_queued_until_completed(walker: object) -> None:
    assert row_of(z2().then(walker)) is not None  # type: ignore[arg-type]


def test_closing_takes_a_z2_off_the_queue() -> None:
    s = z2().then(walk.z2_ddkh)
    rows = apply_all(RegionalLogisticsQueueProjection, s.events())
    s.case.close(LOGISTICS)
    after = apply_all(RegionalLogisticsQueueProjection, s.events()[-1:], rows)
    assert after.tables[LOGISTICS_QUEUE.name] == {}


def test_a_later_form_sent_again_is_shown_but_the_wait_keeps_its_start() -> None:
    s = z2().then(walk.z2_sent)
    later = ctx(actor_id="a-01", at=datetime(2001, 3, 8, 1, tzinfo=UTC))
    second = s.case.file_complaint_form(later, "EXCHANGE", "换货")
    s.case.escalate(later, "RL-EAST", "PRE_PAYMENT_COMPLAINT")
    row = row_of(s)
    assert row is not None
    assert (row.complaint_form_no, row.complaint_kind, row.escalated_at) == (second, "EXCHANGE", ESCALATED_AT)


# days_waiting ---------------------------------------------------------------------------------------
def test_days_waiting_is_zero_on_the_escalation_day() -> None:
    assert days_waiting(ESCALATED_AT, datetime(2001, 3, 6, 23, 59, tzinfo=SHANGHAI)) == 0


def test_days_waiting_turns_at_midnight_in_the_zone_of_as_of() -> None:
    late = datetime(2001, 3, 6, 23, 30, tzinfo=SHANGHAI)
    assert days_waiting(late, datetime(2001, 3, 7, 0, 10, tzinfo=SHANGHAI)) == 1


def test_the_same_moments_in_utc_are_still_the_same_day() -> None:
    late = datetime(2001, 3, 6, 23, 30, tzinfo=SHANGHAI)  # 15:30 UTC
    assert days_waiting(late, datetime(2001, 3, 6, 16, 10, tzinfo=UTC)) == 0


def test_days_waiting_counts_calendar_days() -> None:
    assert days_waiting(ESCALATED_AT, datetime(2001, 3, 16, 8, 0, tzinfo=SHANGHAI)) == 10


def test_days_waiting_before_the_escalation_is_zero() -> None:
    assert days_waiting(ESCALATED_AT, datetime(2001, 3, 1, tzinfo=SHANGHAI)) == 0


# Store tests --------------------------------------------------------------------------------------
T0 = datetime(2001, 3, 6, 1, tzinfo=UTC)


def escalated_z1(bus: CommandBus, at: datetime) -> str:
    """A Z1 paid service approved and escalated at `at`."""
    case_no = flows.create(bus)
    bus.dispatch(c.CompleteSiteSurvey(case_no=case_no), flows.STAFF)
    form = c.RecordServiceForm(
        case_no=case_no, kind="SURVEY", service_staff_id="202", date=walk.SERVICE_DAY, content="需总部报价",
        hq_quote_needed=True,
    )  # fmt: skip
    bus.dispatch(form, flows.STAFF)
    bus.dispatch(c.RequestApproval(case_no=case_no, purpose="HQ_QUOTE"), flows.ASSISTANT)
    bus.dispatch(c.ApproveCase(case_no=case_no), flows.SUPERVISOR)
    escalate = c.EscalateCase(case_no=case_no, unit="RL-EAST", purpose="QUOTE_AND_STAFFING", occurred_at=at)
    bus.dispatch(escalate, flows.ASSISTANT)
    return case_no


def sent_z2(bus: CommandBus, at: datetime) -> str:
    """A Z2 whose complaint form was sent at `at`."""
    case_no = flows.create(bus, type="Z2", po_number="80012345")
    bus.dispatch(
        c.FileComplaintForm(case_no=case_no, complaint_kind="REPAIR", description="组装缺件"), flows.ASSISTANT
    )
    escalate = c.EscalateCase(
        case_no=case_no, unit="RL-EAST", purpose="PRE_PAYMENT_COMPLAINT", occurred_at=at
    )
    bus.dispatch(escalate, flows.ASSISTANT)
    return case_no


@pytest.fixture
def cases(bus: CommandBus) -> dict[str, str]:
    """Queued: a (Z1, +2h), b (Z2, +0h), c (Z2, +2h); not queued: d (replied), e (closed Z2)."""
    flows.register_customer(bus)
    made = {
        "a": escalated_z1(bus, T0 + timedelta(hours=2)),
        "b": sent_z2(bus, T0),
        "c": sent_z2(bus, T0 + timedelta(hours=2)),
        "d": flows.v3(bus),
        "e": flows.v5(bus),
    }
    return made


@pytest.fixture
def view(settings: Settings, app: CrmApplication, cases: dict[str, str]) -> Iterator[ReadModelView]:
    with fed_view(settings, app, RegionalLogisticsQueueProjection) as built:
        yield built


AS_OF = datetime(2001, 3, 8, 10, tzinfo=SHANGHAI)


@STORES
def test_the_queue_is_longest_waiting_first_then_case_no(view: ReadModelView, cases: dict[str, str]) -> None:
    page = logistics_queue(view, AS_OF, PageRequest())
    assert [row.case_no for row in page.items] == [cases["b"], cases["a"], cases["c"]]


@STORES
def test_stored_rows_get_days_waiting_from_as_of(view: ReadModelView) -> None:
    page = logistics_queue(view, AS_OF, PageRequest())
    assert [row.days_waiting for row in page.items] == [2, 2, 2]


@STORES
def test_stored_rows_state_the_payment_status(view: ReadModelView, cases: dict[str, str]) -> None:
    page = logistics_queue(view, AS_OF, PageRequest())
    assert {row.case_no: row.payment_status for row in page.items} == {
        cases["a"]: "FULLY_PAID", cases["b"]: "NOT_FULLY_PAID", cases["c"]: "NOT_FULLY_PAID",
    }  # fmt: skip


@STORES
def test_stored_rows_keep_the_escalation_time(view: ReadModelView, cases: dict[str, str]) -> None:
    page = logistics_queue(view, AS_OF, PageRequest(limit=1))
    assert (page.items[0].escalated_at, page.items[0].complaint_kind) == (T0, "REPAIR")


@STORES
def test_logistics_pages_follow_each_other(view: ReadModelView, cases: dict[str, str]) -> None:
    first = logistics_queue(view, AS_OF, PageRequest(limit=2))
    second = logistics_queue(view, AS_OF, PageRequest(limit=2, cursor=first.next_cursor))
    assert ([r.case_no for r in first.items + second.items], second.next_cursor) == (
        [cases["b"], cases["a"], cases["c"]], None,
    )  # fmt: skip


@STORES
def test_a_reply_to_sales_keeps_a_z2_in_the_stored_queue_until_closed(
    settings: Settings, app: CrmApplication, bus: CommandBus, cases: dict[str, str]
) -> None:
    bus.dispatch(c.RecordReplyToSales(case_no=cases["b"], note="已安排补件"), flows.LOGISTICS)
    bus.dispatch(c.RecordDepartmentReply(case_no=cases["a"], reply_text="报价已出"), flows.LOGISTICS)
    with fed_view(settings, app, RegionalLogisticsQueueProjection) as built:
        page = logistics_queue(built, AS_OF, PageRequest())
    assert [(row.case_no, row.user_status) for row in page.items] == [
        (cases["b"], "HFYY"),
        (cases["c"], "TZJL"),
    ]
