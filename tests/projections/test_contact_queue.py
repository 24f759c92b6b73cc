"""P8 contact queue (回访): the daily follow-up cap, the order, and the stored query (SQLite, PostgreSQL)."""

from __future__ import annotations

from datetime import date

import pytest

from application.app import CrmApplication
from application.bus import CommandBus
from infra.settings import Settings
from projections.contact_queue import ContactQueueProjection, contact_queue
from projections.return_visits import Reason
from projections.tables import BadCursor, PageRequest
from tests.application import flows
from tests.clock import FixedClock
from tests.projections.customer_support import Desk, contacted, delivered, queue
from tests.projections.queue_support import fed_view

MEMORY = pytest.mark.parametrize("storage", ["memory"], indirect=True)
STORES = pytest.mark.parametrize("storage", ["sqlite", "postgres"], indirect=True)
FOLLOW_UP = Reason.TWO_WEEK_FOLLOW_UP


@pytest.fixture
def desk(bus: CommandBus, clock: FixedClock) -> Desk:
    return Desk(bus, clock)


# The daily follow-up cap -----------------------------------------------------------------------------
@MEMORY
def test_at_most_five_follow_ups_per_account_manager_a_day(app: CrmApplication, desk: Desk) -> None:
    for n in range(7):
        contacted(desk, f"C00{n}", date(2001, 3, 2 + n), manager="am-1")
    for n in range(2):
        contacted(desk, f"C10{n}", date(2001, 3, 2), manager="am-2")
    managers = [i.account_manager for i in queue(app, date(2001, 4, 1), FOLLOW_UP)]
    assert (managers.count("am-1"), managers.count("am-2")) == (5, 2)


@MEMORY
def test_the_cap_keeps_the_first_follow_ups_in_queue_order(app: CrmApplication, desk: Desk) -> None:
    for n in (6, 5, 4, 3, 2, 1, 0):
        contacted(desk, f"C00{n}", date(2001, 3, 2 + n))
    assert [i.customer_no for i in queue(app, date(2001, 4, 1))] == ["C000", "C001", "C002", "C003", "C004"]


@MEMORY
def test_the_cap_does_not_limit_other_reasons(app: CrmApplication, desk: Desk) -> None:
    for n in range(7):
        desk.on(date(2001, 3, 6)).register(f"C00{n}", account_manager_id="am-1")
    assert len(queue(app, date(2001, 3, 6))) == 7


# Order -----------------------------------------------------------------------------------------------
@MEMORY
def test_overdue_rows_come_first_then_by_due_date(app: CrmApplication, desk: Desk) -> None:
    desk.on(date(2001, 3, 1)).register("C001").on(date(2001, 3, 10)).register("C002")
    desk.on(date(2001, 3, 5)).register("C003")
    assert [i.customer_no for i in queue(app, date(2001, 3, 12))] == ["C001", "C003", "C002"]


@MEMORY
def test_big_customers_come_first_among_rows_due_the_same_day(app: CrmApplication, desk: Desk) -> None:
    desk.on(date(2001, 3, 6)).register("C001").register("C002", kind="AGENT")
    assert [(i.customer_no, i.tier) for i in queue(app, date(2001, 3, 6))] == [
        ("C002", "BIG_CUSTOMER"),
        ("C001", "STANDARD"),
    ]


# Stored view and query (SQLite, PostgreSQL) -------------------------------------------------------------
def day_of_work(desk: Desk, bus: CommandBus) -> None:
    """Seven follow-ups of am-1, one of am-2, a new customer, a project and a closed complaint."""
    for n in range(7):
        contacted(desk, f"C00{n}", date(2001, 3, 2 + n), manager="am-1")
    contacted(desk, "C100", date(2001, 3, 2), manager="am-2")
    delivered(desk, date(2001, 2, 1), customer_no="C300").on(date(2001, 3, 20)).register("C200")
    flows.register_customer(bus)
    flows.v5(bus)


@STORES
def test_the_stored_queue_is_the_folded_queue(
    settings: Settings, app: CrmApplication, bus: CommandBus, desk: Desk
) -> None:
    day_of_work(desk, bus)
    with fed_view(settings, app, ContactQueueProjection) as view:
        assert contact_queue(view, date(2001, 3, 25)).items == queue(app, date(2001, 3, 25))


@STORES
def test_the_stored_queue_filters_by_account_manager(
    settings: Settings, app: CrmApplication, bus: CommandBus, desk: Desk
) -> None:
    day_of_work(desk, bus)
    with fed_view(settings, app, ContactQueueProjection) as view:
        items = contact_queue(view, date(2001, 3, 25), account_manager="am-2").items
    assert [(i.customer_no, i.due_reason) for i in items] == [("C100", "TWO_WEEK_FOLLOW_UP")]


@STORES
def test_the_stored_queue_filters_by_reason_after_the_cap(
    settings: Settings, app: CrmApplication, bus: CommandBus, desk: Desk
) -> None:
    day_of_work(desk, bus)
    with fed_view(settings, app, ContactQueueProjection) as view:
        items = contact_queue(view, date(2001, 3, 25), reason="TWO_WEEK_FOLLOW_UP").items
    assert [i.customer_no for i in items] == ["C000", "C100", "C001", "C002", "C003", "C004"]


@STORES
def test_the_stored_queue_pages_without_gaps_or_repeats(
    settings: Settings, app: CrmApplication, bus: CommandBus, desk: Desk
) -> None:
    day_of_work(desk, bus)
    with fed_view(settings, app, ContactQueueProjection) as view:
        whole = contact_queue(view, date(2001, 3, 25)).items
        pages, cursor = [], None
        while True:
            found = contact_queue(view, date(2001, 3, 25), PageRequest(limit=3, cursor=cursor))
            pages.extend(found.items)
            if (cursor := found.next_cursor) is None:
                break
    assert pages == whole


@STORES
def test_a_cursor_of_another_list_is_refused(
    settings: Settings, app: CrmApplication, bus: CommandBus, desk: Desk
) -> None:
    day_of_work(desk, bus)
    with fed_view(settings, app, ContactQueueProjection) as view, pytest.raises(BadCursor):
        contact_queue(view, date(2001, 3, 25), PageRequest(cursor="WyJ4Il0"))
