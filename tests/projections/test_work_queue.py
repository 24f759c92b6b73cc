"""P1 work queue (IW59) and work plan (ZSMR006): columns computed from `as_of`, filters, order, pages.

The time-dependent columns are checked on folded facts; filters, ordering,
pagination and the work plan run on real views (SQLite and PostgreSQL) fed with
the log of notifications driven through the bus.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import msgspec
import pytest

from application import case_commands as c
from application import customer_commands as cc
from application.app import CrmApplication
from application.bus import CommandBus
from infra.settings import Settings
from projections.base import ReadModelView
from projections.tables import PageRequest
from projections.work_queue import (
    WorkQueueFilter,
    WorkQueueItem,
    WorkQueueProjection,
    item,
    work_plan,
    work_queue,
)
from tests.application import flows
from tests.domain import case_flows as walk
from tests.domain.case_support import SHANGHAI, z1_payload
from tests.projections.queue_support import NAME, fed_view, story

STORES = pytest.mark.parametrize("storage", ["sqlite", "postgres"], indirect=True)
OPEN = ("OUTSTANDING", "IN_PROCESS")
OTHER_CUSTOMER = "2110050008"


# Time-dependent columns (pure) -----------------------------------------------------------------
FACTS = story(z1_payload(required_start=date(2001, 3, 7), required_end=date(2001, 3, 8))).facts()


def test_not_overdue_on_the_required_end_day() -> None:
    assert not item(FACTS, date(2001, 3, 8)).is_overdue


def test_overdue_the_day_after_the_required_end() -> None:
    assert item(FACTS, date(2001, 3, 9)).is_overdue


def test_a_completed_notification_is_never_overdue() -> None:
    closed = story().then(lambda case: walk.closed_z1(walk.surveyed(case))).facts()
    assert not item(closed, date(2001, 4, 1)).is_overdue


def test_days_open_is_zero_on_the_notification_date() -> None:
    assert item(FACTS, date(2001, 3, 6)).days_open == 0


def test_days_open_counts_calendar_days_since_the_notification_date() -> None:
    assert item(FACTS, date(2001, 3, 16)).days_open == 10


def test_days_open_is_never_negative() -> None:
    assert item(FACTS, date(2001, 3, 1)).days_open == 0


def test_an_item_names_the_responsible_person_when_known() -> None:
    assert item(FACTS, date(2001, 3, 6), {"202": "王敏"}).responsible_name == "王敏"


def test_an_item_shows_the_pending_action_and_type_label() -> None:
    shown = item(FACTS, date(2001, 3, 6))
    assert (shown.pending_action, shown.type_label, shown.customer_name) == ("SURVEY", "客户服务通知", NAME)


# Store tests ------------------------------------------------------------------------------------
def shanghai(day: int, hour: int = 9) -> datetime:
    return datetime(2001, 3, day, hour, tzinfo=SHANGHAI)


@pytest.fixture
def cases(bus: CommandBus) -> dict[str, str]:
    """Six notifications that differ in each filtered field (the clock says 2001-03-06)."""
    flows.register_customer(bus)
    flows.register_customer(bus, OTHER_CUSTOMER, fl_no=None)
    return {
        "a": flows.create(bus),  # Z1 NORMAL 202, start 03-07 end 03-08, IN_PROCESS
        "b": flows.create(
            bus, urgency="URGENT", responsible_person="203",
            required_start=date(2001, 3, 9), required_end=date(2001, 3, 10),
        ),
        "c": flows.create(bus, type="Z2", po_number="80012345", put_in_process=False,
                          required_start=date(2001, 3, 8), required_end=date(2001, 3, 12)),
        "d": flows.create(
            bus, ship_to=OTHER_CUSTOMER, functional_location="", sales_office="4003", sales_org="F012",
            main_work_center="S4003", required_start=date(2001, 3, 9), required_end=date(2001, 3, 11),
            occurred_at=shanghai(9),
        ),
        "e": flows.v1(bus),  # COMPLETED, KCWB
        "f": flows.create(bus, required_start=date(2001, 3, 7), required_end=date(2001, 3, 9)),
    }  # fmt: skip


@pytest.fixture
def view(settings: Settings, app: CrmApplication, cases: dict[str, str]) -> Iterator[ReadModelView]:
    with fed_view(settings, app, WorkQueueProjection) as built:
        yield built


def listed(view: ReadModelView, as_of: date = date(2001, 3, 6), **filters: Any) -> list[str]:
    page = work_queue(view, WorkQueueFilter(**filters), as_of, PageRequest(limit=100))
    return [row.case_no for row in page.items]


def named(cases: dict[str, str], keys: str) -> list[str]:
    return [cases[k] for k in keys]


@STORES
def test_the_default_order_is_urgency_then_required_start_then_case_no(
    view: ReadModelView, cases: dict[str, str]
) -> None:
    assert listed(view) == named(cases, "baefcd")


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"system_status": OPEN}, "bafcd"),
        ({"system_status": ("OUTSTANDING",)}, "c"),
        ({"type": ("Z1",)}, "baefd"),
        ({"type": ("Z1", "Z2")}, "baefcd"),
        ({"user_status": ("KCWB",)}, "e"),
        ({"notification_date": date(2001, 3, 9)}, "d"),
        ({"date_from": date(2001, 3, 7)}, "d"),
        ({"date_to": date(2001, 3, 8)}, "baefc"),
        ({"main_work_center": "S4003"}, "d"),
        ({"responsible_person": "203"}, "b"),
        ({"sales_office": "4003"}, "d"),
        ({"sales_org": "F012"}, "d"),
        ({"customer_no": OTHER_CUSTOMER}, "d"),
        ({"urgency": ("URGENT",)}, "b"),
        ({"required_start_from": date(2001, 3, 8)}, "bcd"),
        ({"required_start_to": date(2001, 3, 7)}, "aef"),
        ({"system_status": OPEN, "type": ("Z1",), "sales_office": "4002"}, "baf"),
    ],
    ids=lambda v: ",".join(v) if isinstance(v, dict) else v,
)
@STORES
def test_each_iw59_filter_narrows_the_queue(
    view: ReadModelView, cases: dict[str, str], filters: dict[str, Any], expected: str
) -> None:
    assert listed(view, **filters) == named(cases, expected)


@STORES
def test_overdue_only_lists_open_notifications_past_their_required_end(
    view: ReadModelView, cases: dict[str, str]
) -> None:
    assert listed(view, date(2001, 3, 10), overdue_only=True) == named(cases, "af")


@STORES
def test_overdue_only_keeps_a_notification_on_its_required_end_day(
    view: ReadModelView, cases: dict[str, str]
) -> None:
    assert cases["f"] not in listed(view, date(2001, 3, 9), overdue_only=True)


@STORES
def test_stored_rows_compute_is_overdue_and_days_open_from_as_of(
    view: ReadModelView, cases: dict[str, str]
) -> None:
    rows = {r.case_no: r for r in work_queue(view, WorkQueueFilter(), date(2001, 3, 9), PageRequest()).items}
    assert (rows[cases["a"]].is_overdue, rows[cases["f"]].is_overdue, rows[cases["a"]].days_open) == (
        True,
        False,
        3,
    )


@STORES
def test_pages_follow_each_other_without_gaps_or_repeats(view: ReadModelView, cases: dict[str, str]) -> None:
    seen: list[str] = []
    request = PageRequest(limit=2)
    while True:
        page = work_queue(view, WorkQueueFilter(), date(2001, 3, 6), request)
        seen += [row.case_no for row in page.items]
        if page.next_cursor is None:
            break
        request = PageRequest(limit=2, cursor=page.next_cursor)
    assert seen == named(cases, "baefcd")


@STORES
def test_a_full_last_page_has_no_next_cursor(view: ReadModelView) -> None:
    assert work_queue(view, WorkQueueFilter(), date(2001, 3, 6), PageRequest(limit=6)).next_cursor is None


@STORES
def test_stored_rows_carry_the_customer_name(view: ReadModelView, cases: dict[str, str]) -> None:
    rows = work_queue(view, WorkQueueFilter(customer_no=flows.CUSTOMER_NO), date(2001, 3, 6), PageRequest())
    assert {row.customer_name for row in rows.items} == {"申齐保健食品有限公司"}


@STORES
def test_a_customer_rename_reaches_its_stored_rows(
    settings: Settings, app: CrmApplication, bus: CommandBus, cases: dict[str, str]
) -> None:
    bus.dispatch(cc.UpdateCustomerProfile(customer_no=OTHER_CUSTOMER, name="新名称有限公司"), flows.ASSISTANT)
    with fed_view(settings, app, WorkQueueProjection) as built:
        rows = work_queue(built, WorkQueueFilter(customer_no=OTHER_CUSTOMER), date(2001, 3, 6), PageRequest())
    assert [row.customer_name for row in rows.items] == ["新名称有限公司"]


@STORES
def test_a_header_change_reaches_the_stored_row(
    settings: Settings, app: CrmApplication, bus: CommandBus, cases: dict[str, str]
) -> None:
    bus.dispatch(c.UpdateCase(case_no=cases["a"], required_end=date(2001, 3, 20)), flows.ASSISTANT)
    with fed_view(settings, app, WorkQueueProjection) as built:
        row = work_queue(built, WorkQueueFilter(type=("Z1",)), date(2001, 3, 6), PageRequest()).items
    assert [r.required_end for r in row if r.case_no == cases["a"]] == [date(2001, 3, 20)]


@STORES
def test_stored_rows_show_every_p1_column(view: ReadModelView, cases: dict[str, str]) -> None:
    rows = work_queue(view, WorkQueueFilter(urgency=("URGENT",)), date(2001, 3, 6), PageRequest()).items
    shown = msgspec.structs.asdict(rows[0])
    assert set(shown) == set(WorkQueueItem.__struct_fields__)
    assert (shown["urgency"], shown["urgent_dispatched"], shown["pending_action"]) == (
        "URGENT",
        False,
        "SURVEY",
    )


# ZSMR006 -------------------------------------------------------------------------------------------
@STORES
def test_the_work_plan_groups_an_offices_open_z1_by_responsible_person(
    view: ReadModelView, cases: dict[str, str]
) -> None:
    groups = work_plan(view, "4002", date(2001, 3, 1), date(2001, 3, 31), date(2001, 3, 6))
    assert [(g.responsible_person, [i.case_no for i in g.items]) for g in groups] == [
        ("202", named(cases, "af")),
        ("203", named(cases, "b")),
    ]


@STORES
def test_the_work_plan_orders_a_persons_rows_by_required_start(
    settings: Settings, app: CrmApplication, bus: CommandBus, cases: dict[str, str]
) -> None:
    early = flows.create(bus, required_start=date(2001, 3, 6), required_end=date(2001, 3, 8))
    with fed_view(settings, app, WorkQueueProjection) as built:
        groups = work_plan(built, "4002", date(2001, 3, 6), date(2001, 3, 6), date(2001, 3, 6))
    assert [i.case_no for i in groups[0].items] == [early, cases["a"], cases["f"]]


@STORES
def test_the_work_plan_keeps_to_the_date_range(view: ReadModelView) -> None:
    assert work_plan(view, "4003", date(2001, 3, 1), date(2001, 3, 8), date(2001, 3, 6)) == []


@STORES
def test_the_work_plan_names_responsible_people_when_known(view: ReadModelView) -> None:
    groups = work_plan(view, "4002", date(2001, 3, 6), date(2001, 3, 6), date(2001, 3, 6), {"203": "李强"})
    assert [(g.responsible_person, g.responsible_name) for g in groups] == [("202", ""), ("203", "李强")]
