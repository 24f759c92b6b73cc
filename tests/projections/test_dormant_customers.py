"""P9 dormant customers (睡眠客户): what counts as activity, the inclusive threshold, and the stored list."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from application import customer_commands as cc
from application.app import CrmApplication
from application.bus import CommandBus
from infra.settings import Settings
from projections.customer_facts import CustomerFacts
from projections.dormant_customers import DormantCustomersProjection, dormant_customers, is_dormant
from projections.tables import PageRequest
from tests.application import flows
from tests.clock import FixedClock
from tests.projections.customer_support import CUSTOMER_NO, Desk, fold_facts, logged
from tests.projections.queue_support import fed_view

MEMORY = pytest.mark.parametrize("storage", ["memory"], indirect=True)
STORES = pytest.mark.parametrize("storage", ["sqlite", "postgres"], indirect=True)
SIGN_UP, LATER = date(2001, 3, 1), date(2001, 3, 10)


@pytest.fixture
def desk(bus: CommandBus, clock: FixedClock) -> Desk:
    return Desk(bus, clock)


def facts(app: CrmApplication, customer_no: str = "C001") -> CustomerFacts:
    return fold_facts(logged(app))[customer_no]


def last_activity(app: CrmApplication, customer_no: str = "C001") -> tuple[str, date]:
    found = facts(app, customer_no)
    return found.last_activity_type, found.last_activity_on


# The threshold -------------------------------------------------------------------------------------
@MEMORY
def test_364_days_without_activity_is_not_dormant(app: CrmApplication, desk: Desk) -> None:
    desk.on(date(2001, 3, 6)).register("C001")
    assert not is_dormant(facts(app), date(2002, 3, 5))


@MEMORY
def test_exactly_365_days_without_activity_is_dormant(app: CrmApplication, desk: Desk) -> None:
    desk.on(date(2001, 3, 6)).register("C001")
    assert is_dormant(facts(app), date(2002, 3, 6))


@MEMORY
def test_366_days_without_activity_is_dormant(app: CrmApplication, desk: Desk) -> None:
    desk.on(date(2001, 3, 6)).register("C001")
    assert is_dormant(facts(app), date(2002, 3, 7))


@MEMORY
def test_the_threshold_is_a_parameter(app: CrmApplication, desk: Desk) -> None:
    desk.on(date(2001, 3, 6)).register("C001")
    assert [is_dormant(facts(app), date(2001, 4, 5), days) for days in (30, 31)] == [True, False]


# What counts as activity -----------------------------------------------------------------------------
@MEMORY
def test_a_customer_without_activity_counts_from_its_registration(app: CrmApplication, desk: Desk) -> None:
    desk.on(SIGN_UP).register("C001")
    assert last_activity(app) == ("CustomerRegistered", SIGN_UP)


@MEMORY
def test_an_effective_contact_is_activity(app: CrmApplication, desk: Desk) -> None:
    desk.on(SIGN_UP).register("C001").on(LATER).contact("C001")
    assert last_activity(app) == ("CustomerContacted", LATER)


@MEMORY
def test_a_contact_nobody_answered_is_no_activity(app: CrmApplication, desk: Desk) -> None:
    desk.on(SIGN_UP).register("C001").on(LATER).contact("C001", effective=False)
    assert last_activity(app) == ("CustomerRegistered", SIGN_UP)


@MEMORY
def test_a_return_visit_is_activity(app: CrmApplication, desk: Desk) -> None:
    desk.on(SIGN_UP).register("C001").on(LATER).visit("C001")
    assert last_activity(app) == ("ReturnVisitCompleted", LATER)


@MEMORY
def test_a_new_notification_is_activity_of_its_ship_to_customer(
    app: CrmApplication, bus: CommandBus, desk: Desk
) -> None:
    desk.on(SIGN_UP)
    flows.register_customer(bus)
    desk.on(LATER)
    flows.create(bus)
    assert last_activity(app, CUSTOMER_NO) == ("ServiceNotificationCreated", LATER)


@MEMORY
def test_monthly_sales_above_zero_are_activity(app: CrmApplication, desk: Desk) -> None:
    desk.on(SIGN_UP).register("C001").on(LATER).sales("C001", "2001-02", "10.00")
    assert last_activity(app) == ("MonthlySalesRecorded", LATER)


@MEMORY
def test_monthly_sales_of_zero_are_no_activity(app: CrmApplication, desk: Desk) -> None:
    desk.on(SIGN_UP).register("C001").on(LATER).sales("C001", "2001-02", "0.00")
    assert last_activity(app) == ("CustomerRegistered", SIGN_UP)


@MEMORY
def test_a_changed_asset_balance_is_activity(app: CrmApplication, desk: Desk) -> None:
    desk.on(SIGN_UP).register("C001").on(LATER).balance("C001", LATER, "5000.00")
    assert last_activity(app) == ("AssetBalanceRecorded", LATER)


@MEMORY
def test_the_same_asset_balance_again_is_no_activity(app: CrmApplication, desk: Desk) -> None:
    desk.on(SIGN_UP).register("C001").balance("C001", SIGN_UP, "5000.00")
    desk.on(LATER).balance("C001", LATER, "5000.00")
    assert last_activity(app) == ("AssetBalanceRecorded", SIGN_UP)


@MEMORY
def test_a_back_dated_asset_balance_is_no_activity(app: CrmApplication, desk: Desk) -> None:
    desk.on(SIGN_UP).register("C001").balance("C001", SIGN_UP, "5000.00")
    desk.on(LATER).balance("C001", date(2001, 2, 1), "7000.00")
    assert last_activity(app) == ("AssetBalanceRecorded", SIGN_UP)


@MEMORY
def test_a_back_dated_contact_does_not_move_the_last_activity_back(app: CrmApplication, desk: Desk) -> None:
    desk.on(SIGN_UP).register("C001").on(LATER).visit("C001")
    back = datetime(2001, 3, 5, 1, tzinfo=UTC)
    desk.send(
        cc.LogContact(customer_no="C001", channel="PHONE", direction="OUT", effective=True, occurred_at=back)
    )
    assert last_activity(app) == ("ReturnVisitCompleted", LATER)


# Stored list (SQLite, PostgreSQL) -----------------------------------------------------------------------
def sleepers(desk: Desk) -> None:
    """C001 asleep since 2000-01-10, C002 since 2000-02-01, C003 (an agent) since 2000-03-01, C004 awake."""
    desk.on(date(2000, 1, 10)).register("C001").on(date(2000, 2, 1)).register("C002")
    desk.on(date(2000, 3, 1)).register("C003", kind="AGENT").register("C004").on(date(2001, 2, 1)).contact(
        "C004"
    )


@STORES
def test_the_stored_list_holds_only_customers_dormant_on_the_day(
    settings: Settings, app: CrmApplication, desk: Desk
) -> None:
    sleepers(desk)
    with fed_view(settings, app, DormantCustomersProjection) as view:
        items = dormant_customers(view, date(2001, 2, 1)).items
    assert sorted((i.customer_no, i.days_inactive) for i in items) == [("C001", 388), ("C002", 366)]


@STORES
def test_the_stored_list_orders_by_tier_then_longest_asleep(
    settings: Settings, app: CrmApplication, desk: Desk
) -> None:
    sleepers(desk)
    with fed_view(settings, app, DormantCustomersProjection) as view:
        items = dormant_customers(view, date(2001, 3, 1)).items
    assert [(i.customer_no, i.tier) for i in items] == [
        ("C003", "BIG_CUSTOMER"),
        ("C001", "STANDARD"),
        ("C002", "STANDARD"),
    ]


@STORES
def test_the_stored_list_takes_the_threshold_in_days(
    settings: Settings, app: CrmApplication, desk: Desk
) -> None:
    sleepers(desk)
    with fed_view(settings, app, DormantCustomersProjection) as view:
        items = dormant_customers(view, date(2001, 3, 1), days=28).items
    assert [i.customer_no for i in items] == ["C003", "C001", "C002", "C004"]


@STORES
def test_the_stored_list_shows_the_last_activity(settings: Settings, app: CrmApplication, desk: Desk) -> None:
    sleepers(desk)
    with fed_view(settings, app, DormantCustomersProjection) as view:
        items = dormant_customers(view, date(2002, 3, 1)).items
    c004 = next(i for i in items if i.customer_no == "C004")
    assert (c004.last_activity_type, c004.last_activity_at) == (
        "CustomerContacted",
        datetime(2001, 2, 1, 1, tzinfo=UTC),
    )


@STORES
def test_the_stored_list_pages_without_gaps_or_repeats(
    settings: Settings, app: CrmApplication, desk: Desk
) -> None:
    sleepers(desk)
    with fed_view(settings, app, DormantCustomersProjection) as view:
        first = dormant_customers(view, date(2001, 3, 1), PageRequest(limit=2))
        second = dormant_customers(view, date(2001, 3, 1), PageRequest(limit=2, cursor=first.next_cursor))
    assert ([i.customer_no for i in first.items + second.items], second.next_cursor) == (
        ["C003", "C001", "C002"],
        None,
    )
