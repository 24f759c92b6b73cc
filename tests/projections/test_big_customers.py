"""P13 big-customer list (大客户) / tier list: the basis of each tier, and the stored list."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from application import customer_commands as cc
from application.app import CrmApplication
from application.bus import CommandBus
from domain.customer import Customer
from infra.settings import Settings
from projections.big_customers import (
    BigCustomerItem,
    BigCustomersProjection,
    big_customer_item,
    big_customers,
)
from projections.tables import PageRequest
from tests.clock import FixedClock
from tests.projections.customer_support import Desk, fold_facts, logged
from tests.projections.queue_support import fed_view

MEMORY = pytest.mark.parametrize("storage", ["memory"], indirect=True)
STORES = pytest.mark.parametrize("storage", ["sqlite", "postgres"], indirect=True)


@pytest.fixture
def desk(bus: CommandBus, clock: FixedClock) -> Desk:
    return Desk(bus, clock).on(date(2001, 3, 6))


def item(app: CrmApplication, customer_no: str = "C001") -> BigCustomerItem:
    return big_customer_item(fold_facts(logged(app))[customer_no])


def tier_and_basis(app: CrmApplication, customer_no: str = "C001") -> tuple[str, str]:
    found = item(app, customer_no)
    return found.tier, found.basis


@MEMORY
def test_a_vpdn_customer_is_big_by_its_business_line(app: CrmApplication, desk: Desk) -> None:
    desk.register("C001", business_lines=["IP_DIALER", "VPDN"])
    assert tier_and_basis(app) == ("BIG_CUSTOMER", "BUSINESS_LINE:VPDN")


@MEMORY
def test_an_agent_is_big_by_its_kind(app: CrmApplication, desk: Desk) -> None:
    desk.register("C001", kind="AGENT")
    assert tier_and_basis(app) == ("BIG_CUSTOMER", "KIND:AGENT")


@MEMORY
def test_average_sales_of_2150_make_a_big_customer_on_that_basis(app: CrmApplication, desk: Desk) -> None:
    desk.register("C001").sales("C001", "2001-01", "2100.00").sales("C001", "2001-02", "2200.00")
    found = item(app)
    assert (found.tier, found.basis, found.avg_monthly_sales, found.months_considered) == (
        "BIG_CUSTOMER",
        "AVG_MONTHLY_SALES:2150.00",
        Decimal("2150.00"),
        2,
    )


@MEMORY
def test_average_sales_just_below_2000_leave_a_standard_customer(app: CrmApplication, desk: Desk) -> None:
    desk.register("C001").sales("C001", "2001-01", "1999.99")
    assert tier_and_basis(app) == ("STANDARD", "DEFAULT")


@MEMORY
def test_only_the_twelve_most_recent_months_are_averaged(app: CrmApplication, desk: Desk) -> None:
    desk.register("C001").sales("C001", "2000-01", "90000.00")
    for month in range(1, 13):
        desk.sales("C001", f"2001-{month:02d}", "100.00")
    found = item(app)
    assert (found.avg_monthly_sales, found.months_considered, found.tier) == (
        Decimal("100.00"),
        12,
        "STANDARD",
    )


@MEMORY
def test_a_re_recorded_month_replaces_its_amount(app: CrmApplication, desk: Desk) -> None:
    desk.register("C001").sales("C001", "2001-01", "5000.00").sales("C001", "2001-01", "500.00")
    assert item(app).avg_monthly_sales == Decimal("500.00")


@MEMORY
def test_a_profile_update_to_agent_makes_a_big_customer(app: CrmApplication, desk: Desk) -> None:
    desk.register("C001").send(cc.UpdateCustomerProfile(customer_no="C001", kind="AGENT"))
    assert tier_and_basis(app) == ("BIG_CUSTOMER", "KIND:AGENT")


@MEMORY
def test_assets_of_a_mid_end_customer_give_its_tier(app: CrmApplication, desk: Desk) -> None:
    desk.register("C001").balance("C001", date(2001, 3, 1), "100000.00")
    assert tier_and_basis(app) == ("MID_END", "ASSET_BAND:MID_END")


@MEMORY
def test_the_read_model_tier_agrees_with_the_aggregate(app: CrmApplication, desk: Desk) -> None:
    desk.register("C001").sales("C001", "2001-01", "4000.00").balance("C001", date(2001, 3, 1), "2000000.00")
    desk.sales("C001", "2001-02", "0.00").sales("C001", "2001-03", "0.00")
    assert item(app).tier == app.load(Customer, "C001").tier == "HIGH_END"


# Stored list (SQLite, PostgreSQL) ------------------------------------------------------------------------
def tiers(desk: Desk) -> None:
    """C001 standard, C002 big (VPDN), C003 mid-end, C004 big (agent), C005 high-end."""
    desk.register("C001").register("C002", business_lines=["VPDN"]).register("C003")
    desk.balance("C003", date(2001, 3, 1), "500000.00").register("C004", kind="AGENT").register("C005")
    desk.balance("C005", date(2001, 3, 1), "3000000.00")


@STORES
def test_the_stored_list_holds_only_big_customers(
    settings: Settings, app: CrmApplication, desk: Desk
) -> None:
    tiers(desk)
    with fed_view(settings, app, BigCustomersProjection) as view:
        items = big_customers(view).items
    assert [(i.customer_no, i.basis) for i in items] == [
        ("C002", "BUSINESS_LINE:VPDN"),
        ("C004", "KIND:AGENT"),
    ]


@STORES
def test_without_a_tier_the_stored_list_is_the_whole_tier_list_in_priority_order(
    settings: Settings, app: CrmApplication, desk: Desk
) -> None:
    tiers(desk)
    with fed_view(settings, app, BigCustomersProjection) as view:
        items = big_customers(view, tier=None).items
    assert [(i.customer_no, i.tier) for i in items] == [
        ("C002", "BIG_CUSTOMER"),
        ("C004", "BIG_CUSTOMER"),
        ("C005", "HIGH_END"),
        ("C003", "MID_END"),
        ("C001", "STANDARD"),
    ]


@STORES
def test_the_stored_list_can_show_another_tier(settings: Settings, app: CrmApplication, desk: Desk) -> None:
    tiers(desk)
    with fed_view(settings, app, BigCustomersProjection) as view:
        items = big_customers(view, tier="MID_END").items
    assert [(i.customer_no, i.basis) for i in items] == [("C003", "ASSET_BAND:MID_END")]


@STORES
def test_the_stored_list_pages_without_gaps_or_repeats(
    settings: Settings, app: CrmApplication, desk: Desk
) -> None:
    tiers(desk)
    with fed_view(settings, app, BigCustomersProjection) as view:
        first = big_customers(view, PageRequest(limit=3), tier=None)
        second = big_customers(view, PageRequest(limit=3, cursor=first.next_cursor), tier=None)
    assert ([i.customer_no for i in first.items + second.items], second.next_cursor) == (
        ["C002", "C004", "C005", "C003", "C001"],
        None,
    )
