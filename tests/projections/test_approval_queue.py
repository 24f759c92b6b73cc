"""P2 supervisor approval queue: a row while a request is pending, its columns, order, filter, hours."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from eventsourcing.persistence import Tracking

from application import case_commands as c
from application import customer_commands as cc
from application.app import CrmApplication
from application.bus import CommandBus
from domain.customer import ProfileChanges
from infra.read_models import build_view, close_view
from infra.settings import Settings
from projections.approval_queue import (
    APPROVAL_QUEUE,
    ApprovalQueueProjection,
    ApprovalQueueRow,
    approval_queue,
    queue_row,
    waiting_hours,
)
from projections.base import ReadModelView
from projections.tables import PageRequest
from tests.application import flows
from tests.domain import case_flows as walk
from tests.domain.case_support import ASSISTANT, SUPERVISOR, ctx, z1_payload
from tests.domain.support import make_ctx, register
from tests.projections.queue_support import MemoryRows, Story, apply_all, fed_view, feed, story

STORES = pytest.mark.parametrize("storage", ["sqlite", "postgres"], indirect=True)
REQUESTED_AT = ASSISTANT.occurred_at


def row_of(s: Story) -> ApprovalQueueRow | None:
    return queue_row(s.facts())


def queued(rows: MemoryRows) -> list[ApprovalQueueRow]:
    return list(rows.tables.get(APPROVAL_QUEUE.name, {}).values())


# Rows (pure) --------------------------------------------------------------------------------------
def test_no_row_without_a_request() -> None:
    assert row_of(story().then(walk.with_forms).then(walk.surveyed)) is None


def test_a_pending_request_is_a_row_with_its_purpose_requester_and_time() -> None:
    row = row_of(story().then(walk.requested))
    assert row is not None
    assert (row.purpose, row.requested_by, row.requested_at, row.user_status) == (
        "HQ_QUOTE", "a-01", REQUESTED_AT, "KCWB",
    )  # fmt: skip


def test_a_row_shows_the_notification_and_its_customer() -> None:
    row = row_of(story().then(walk.requested))
    assert row is not None
    assert (row.case_no, row.type, row.category, row.sales_office, row.customer_no, row.description) == (
        "1000001", "Z1", "PAID_SERVICE", "4002", "2110050007", "活动柜锁",
    )  # fmt: skip


def test_a_paid_service_request_shows_its_service_forms_and_no_complaint_form() -> None:
    row = row_of(story().then(walk.requested))
    assert row is not None
    assert (row.service_form_count, row.complaint_form_no) == (1, None)


def test_a_complaint_request_shows_its_complaint_form() -> None:
    s = story(z1_payload(category="COMPLAINT")).then(walk.requested)
    row = row_of(s)
    assert row is not None
    assert (row.purpose, row.complaint_form_no) == ("HQ_SUPPORT", s.case.complaint_forms[-1].form_no)


def test_a_row_shows_the_latest_long_text() -> None:
    s = story()
    s.case.append_long_text(ASSISTANT, "客户要求总部报价")
    walk.requested(s.case)
    row = row_of(s)
    assert row is not None and row.latest_long_text == "客户要求总部报价"


def test_the_row_disappears_on_approval() -> None:
    s = story().then(walk.requested)
    rows = apply_all(ApprovalQueueProjection, s.events())
    s.case.approve(SUPERVISOR)
    assert queued(apply_all(ApprovalQueueProjection, s.events()[-1:], rows)) == []


def test_the_row_disappears_on_rejection() -> None:
    s = story().then(walk.requested)
    rows = apply_all(ApprovalQueueProjection, s.events())
    s.case.reject(SUPERVISOR, "本地可处理")
    assert queued(apply_all(ApprovalQueueProjection, s.events()[-1:], rows)) == []


def test_a_re_submitted_request_is_a_row_again_from_its_new_time() -> None:
    s = story().then(walk.rejected)
    later = ctx(actor_id="a-01", at=datetime(2001, 3, 7, 1, tzinfo=UTC))
    s.case.request_approval(later, "HQ_QUOTE", "已补充照片")
    [row] = queued(apply_all(ApprovalQueueProjection, s.events()))
    assert (row.user_status, row.requested_at) == ("BPZ", later.occurred_at)


def test_a_customer_rename_reaches_the_queued_row() -> None:
    customer = register(make_ctx(), name="旧名称")
    customer.update_profile(make_ctx(), ProfileChanges(name="申齐保健"))
    rows = apply_all(ApprovalQueueProjection, story().then(walk.requested).events())
    [row] = queued(apply_all(ApprovalQueueProjection, customer.collect_events(), rows))
    assert row.customer_name == "申齐保健"


# waiting_hours ---------------------------------------------------------------------------------------
def test_waiting_hours_are_zero_at_the_request() -> None:
    assert waiting_hours(REQUESTED_AT, REQUESTED_AT) == 0


def test_waiting_hours_count_whole_hours() -> None:
    assert waiting_hours(REQUESTED_AT, REQUESTED_AT + timedelta(hours=1, minutes=59)) == 1


def test_waiting_hours_run_past_a_day() -> None:
    assert waiting_hours(REQUESTED_AT, REQUESTED_AT + timedelta(days=1, hours=2)) == 26


def test_waiting_hours_before_the_request_are_zero() -> None:
    assert waiting_hours(REQUESTED_AT, REQUESTED_AT - timedelta(hours=3)) == 0


def test_a_naive_as_of_is_taken_as_utc() -> None:
    assert waiting_hours(REQUESTED_AT, datetime(2001, 3, 6, 4, 0)) == 3  # requested 01:00 UTC


# Store tests --------------------------------------------------------------------------------------
def requested(bus: CommandBus, at: datetime, **overrides: object) -> str:
    """A surveyed Z1 with a service form and an HQ-quote request made at `at`."""
    case_no = flows.create(bus, **overrides)
    bus.dispatch(c.CompleteSiteSurvey(case_no=case_no), flows.STAFF)
    form = c.RecordServiceForm(
        case_no=case_no, kind="SURVEY", service_staff_id="202", date=date(2001, 3, 6), content="需总部报价",
        hq_quote_needed=True,
    )  # fmt: skip
    bus.dispatch(form, flows.STAFF)
    bus.dispatch(c.RequestApproval(case_no=case_no, purpose="HQ_QUOTE", occurred_at=at), flows.ASSISTANT)
    return case_no


T0 = datetime(2001, 3, 6, 1, tzinfo=UTC)


@pytest.fixture
def cases(bus: CommandBus) -> dict[str, str]:
    """Requests made in an order that differs from case numbers; `d` is approved, `e` never asked."""
    flows.register_customer(bus)
    made = {
        "a": requested(bus, T0 + timedelta(hours=2)),
        "b": requested(bus, T0),
        "c": requested(bus, T0 + timedelta(hours=2), sales_office="4003"),
        "d": requested(bus, T0 + timedelta(hours=1)),
        "e": flows.create(bus),
    }
    bus.dispatch(c.ApproveCase(case_no=made["d"]), flows.SUPERVISOR)
    return made


@pytest.fixture
def view(settings: Settings, app: CrmApplication, cases: dict[str, str]) -> Iterator[ReadModelView]:
    with fed_view(settings, app, ApprovalQueueProjection) as built:
        yield built


def listed(view: ReadModelView, sales_office: str | None = None) -> list[str]:
    page = approval_queue(view, T0, PageRequest(limit=50), sales_office)
    return [row.case_no for row in page.items]


@STORES
def test_the_queue_is_oldest_request_first_then_case_no(view: ReadModelView, cases: dict[str, str]) -> None:
    assert listed(view) == [cases["b"], cases["a"], cases["c"]]


@STORES
def test_the_queue_filters_by_sales_office(view: ReadModelView, cases: dict[str, str]) -> None:
    assert listed(view, "4003") == [cases["c"]]


@STORES
def test_stored_rows_get_their_waiting_hours_from_as_of(view: ReadModelView, cases: dict[str, str]) -> None:
    page = approval_queue(view, datetime(2001, 3, 6, 13, 30, tzinfo=UTC), PageRequest())
    assert [(row.case_no, row.waiting_hours) for row in page.items] == [
        (cases["b"], 12), (cases["a"], 10), (cases["c"], 10),
    ]  # fmt: skip


@STORES
def test_queue_pages_follow_each_other(view: ReadModelView, cases: dict[str, str]) -> None:
    first = approval_queue(view, T0, PageRequest(limit=2))
    second = approval_queue(view, T0, PageRequest(limit=2, cursor=first.next_cursor))
    assert ([r.case_no for r in first.items + second.items], second.next_cursor) == (
        [cases["b"], cases["a"], cases["c"]], None,
    )  # fmt: skip


@STORES
def test_stored_rows_keep_every_column(view: ReadModelView, cases: dict[str, str]) -> None:
    row = approval_queue(view, T0, PageRequest(limit=1)).items[0]
    assert (row.purpose, row.requested_by, row.requested_at, row.customer_name, row.service_form_count) == (
        "HQ_QUOTE", "a-01", T0, "申齐保健食品有限公司", 1,
    )  # fmt: skip


@STORES
def test_a_rejected_request_leaves_the_stored_queue(
    settings: Settings, app: CrmApplication, bus: CommandBus, cases: dict[str, str]
) -> None:
    bus.dispatch(c.RejectCase(case_no=cases["b"], reason="资料不全"), flows.SUPERVISOR)
    with fed_view(settings, app, ApprovalQueueProjection) as built:
        assert listed(built) == [cases["a"], cases["c"]]


@STORES
def test_a_customer_rename_reaches_the_stored_queue(
    settings: Settings, app: CrmApplication, bus: CommandBus, cases: dict[str, str]
) -> None:
    bus.dispatch(cc.UpdateCustomerProfile(customer_no=flows.CUSTOMER_NO, name="申齐保健"), flows.ASSISTANT)
    with fed_view(settings, app, ApprovalQueueProjection) as built:
        names = {row.customer_name for row in approval_queue(built, T0, PageRequest()).items}
    assert names == {"申齐保健"}


@STORES
def test_a_rebuild_in_one_batch_gives_the_rows_of_one_event_per_transaction(
    settings: Settings, app: CrmApplication, cases: dict[str, str]
) -> None:
    view = build_view(settings, ApprovalQueueProjection)
    try:
        apply = ApprovalQueueProjection(view).apply
        for n in app.recorder.select_notifications(
            start=1, limit=10_000, topics=ApprovalQueueProjection.topics
        ):
            view.process([(app.mapper.to_domain_event(n), Tracking("crm", n.id))], apply)
        one_by_one = approval_queue(view, T0, PageRequest())
        view.drop()
        view.create_table()
        feed(view, app, ApprovalQueueProjection)
        assert approval_queue(view, T0, PageRequest()) == one_by_one
    finally:
        close_view(view)
