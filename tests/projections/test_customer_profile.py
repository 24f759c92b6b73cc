"""P7 customer profile (客户档案): archive contents, counts, contacts, next visit, satisfaction, dormancy."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from application import customer_commands as cc
from application.app import CrmApplication
from application.bus import CommandBus
from infra.settings import Settings
from projections.customer_facts import Holding
from projections.customer_profile import (
    CustomerProfileItem,
    CustomerProfileProjection,
    OpenClosed,
    customer_profile,
    profile_item,
)
from tests.application import flows
from tests.clock import FixedClock
from tests.projections.customer_support import CUSTOMER_NO, Desk, fold_cases, fold_facts, logged
from tests.projections.queue_support import fed_view

MEMORY = pytest.mark.parametrize("storage", ["memory"], indirect=True)
STORES = pytest.mark.parametrize("storage", ["sqlite", "postgres"], indirect=True)
DAY = date(2001, 3, 6)  # the test clock's business day


@pytest.fixture
def desk(bus: CommandBus, clock: FixedClock) -> Desk:
    return Desk(bus, clock)


@pytest.fixture
def customer(bus: CommandBus, desk: Desk) -> Desk:
    """The SM01 ship-to customer (with its functional location 2110050027), registered on DAY."""
    flows.register_customer(bus)
    return desk


def profile(app: CrmApplication, as_of: date = DAY, customer_no: str = CUSTOMER_NO) -> CustomerProfileItem:
    """The profile folded purely from the application's log."""
    events = logged(app)
    cases = [case for case in fold_cases(events) if case.customer_no == customer_no]
    return profile_item(fold_facts(events)[customer_no], cases, as_of)


# Archive contents -------------------------------------------------------------------------------------
@MEMORY
def test_the_profile_shows_identity_and_both_addresses(app: CrmApplication, customer: Desk) -> None:
    found = profile(app)
    assert (found.name, found.kind, found.master_address, found.functional_locations) == (
        "申齐保健食品有限公司",
        "ENTERPRISE",
        "上海市浦东新区张江路1号",
        {"2110050027": "上海市徐汇区漕溪北路88号"},
    )


@MEMORY
def test_a_profile_update_shows_the_new_attributes_and_contacts(app: CrmApplication, customer: Desk) -> None:
    customer.send(
        cc.UpdateCustomerProfile(
            customer_no=CUSTOMER_NO,
            occupation="行政主管",
            years_of_work=12,
            contacts=cc.ContactCard(mobile="13800000000", preferred_channel="QQ"),
        )
    )
    found = profile(app)
    assert (found.occupation, found.years_of_work, found.contacts) == (
        "行政主管",
        12,
        {"mobile": "13800000000", "preferred_channel": "QQ"},
    )


@MEMORY
def test_a_margin_holding_of_500000_marks_a_margin_priority_customer(
    app: CrmApplication, customer: Desk
) -> None:
    holding = cc.ProductHolding(product="MARGIN_TRADING", amount=Decimal("500000.00"))
    customer.send(cc.UpdateCustomerProfile(customer_no=CUSTOMER_NO, product_holdings=[holding]))
    found = profile(app)
    assert (found.product_holdings, found.margin_priority) == (
        [Holding("MARGIN_TRADING", Decimal("500000.00"))],
        True,
    )


@MEMORY
def test_the_segments_show_their_basis(app: CrmApplication, customer: Desk) -> None:
    customer.sales(CUSTOMER_NO, "2001-02", "900.00").balance(CUSTOMER_NO, DAY, "150000.00")
    customer.send(cc.SetValueClass(customer_no=CUSTOMER_NO, value_class="LOYAL"))
    found = profile(app)
    assert (found.tier, found.tier_basis, found.avg_monthly_sales, found.asset_band, found.value_class) == (
        "MID_END",
        "ASSET_BAND:MID_END",
        Decimal("900.00"),
        "MID_END",
        "LOYAL",
    )


@MEMORY
def test_the_risk_preference_and_account_manager_are_shown(app: CrmApplication, customer: Desk) -> None:
    customer.send(cc.AssessRiskPreference(customer_no=CUSTOMER_NO, level="STEADY"))
    customer.send(cc.AssignAccountManager(customer_no=CUSTOMER_NO, employee_id="am-07"))
    assert (profile(app).risk_preference, profile(app).account_manager) == ("STEADY", "am-07")


# Notification counts ------------------------------------------------------------------------------------
@MEMORY
def test_notifications_are_counted_open_and_closed_by_type(
    app: CrmApplication, bus: CommandBus, customer: Desk
) -> None:
    flows.v1(bus)
    flows.create(bus)
    flows.v5(bus)
    assert profile(app).notifications_by_type == {
        "Z1": OpenClosed(open=1, closed=1),
        "Z2": OpenClosed(closed=1),
    }


@MEMORY
def test_complaints_are_z2_and_z1_complaints(app: CrmApplication, bus: CommandBus, customer: Desk) -> None:
    flows.v1(bus)
    flows.v4(bus)
    flows.v5(bus)
    flows.create(bus, type="Z2", po_number="80012346")
    assert profile(app).complaints == OpenClosed(open=1, closed=2)


@MEMORY
def test_only_the_customers_own_notifications_are_counted(
    app: CrmApplication, bus: CommandBus, customer: Desk
) -> None:
    customer.register("C002")
    flows.create(bus, ship_to="C002", functional_location="")
    assert profile(app).notifications_by_type == {}


# Contacts and visits --------------------------------------------------------------------------------------
@MEMORY
def test_the_last_contact_is_the_latest_with_its_channel_and_effectiveness(
    app: CrmApplication, customer: Desk
) -> None:
    customer.contact(CUSTOMER_NO).on(date(2001, 3, 8)).contact(CUSTOMER_NO, effective=False, channel="EMAIL")
    found = profile(app)
    assert (found.last_contact_at, found.last_contact_channel, found.last_contact_effective) == (
        datetime(2001, 3, 8, 1, tzinfo=UTC),
        "EMAIL",
        False,
    )


@MEMORY
def test_the_last_return_visit_is_shown(app: CrmApplication, customer: Desk) -> None:
    customer.on(date(2001, 3, 9)).visit(CUSTOMER_NO, channel="VISIT")
    found = profile(app)
    assert (found.last_return_visit_at, found.last_return_visit_channel) == (
        datetime(2001, 3, 9, 1, tzinfo=UTC),
        "VISIT",
    )


@MEMORY
def test_a_new_customers_next_return_visit_is_its_first_visit(app: CrmApplication, customer: Desk) -> None:
    found = profile(app)
    assert (found.next_return_visit_due, found.next_return_visit_reason) == (
        date(2001, 3, 16),
        "NEW_CUSTOMER_FIRST_VISIT",
    )


@MEMORY
def test_a_projects_next_return_visit_is_the_window_to_come(app: CrmApplication, customer: Desk) -> None:
    customer.deliver(CUSTOMER_NO, "P-1", DAY).on(date(2001, 3, 10)).visit(CUSTOMER_NO)
    found = profile(app, date(2001, 3, 10))
    assert (found.next_return_visit_due, found.next_return_visit_reason) == (
        date(2001, 5, 6),
        "PROJECT_MONTHLY",
    )


@MEMORY
def test_a_customer_owed_nothing_has_no_next_return_visit(app: CrmApplication, customer: Desk) -> None:
    customer.visit(CUSTOMER_NO)
    assert profile(app).next_return_visit_due is None


# Satisfaction and dormancy ----------------------------------------------------------------------------------
@MEMORY
def test_avg_satisfaction_averages_notification_and_customer_surveys(
    app: CrmApplication, bus: CommandBus, customer: Desk
) -> None:
    flows.v1(bus)  # its survey scores 5
    for score in (4, 4):
        customer.send(
            cc.RecordCustomerSurvey(customer_no=CUSTOMER_NO, score=score, instrument="QUALITY_CARD")
        )
    customer.visit(CUSTOMER_NO, score=1)  # a return visit's score rates the visit, not the service
    found = profile(app)
    assert (found.avg_satisfaction, found.satisfaction_surveys) == (Decimal("4.33"), 3)


@MEMORY
def test_without_surveys_there_is_no_average_satisfaction(app: CrmApplication, customer: Desk) -> None:
    assert (profile(app).avg_satisfaction, profile(app).satisfaction_surveys) == (None, 0)


@MEMORY
def test_the_profile_is_dormant_from_365_days_without_activity(app: CrmApplication, customer: Desk) -> None:
    flags = [profile(app, day).dormant for day in (date(2002, 3, 5), date(2002, 3, 6))]
    assert flags == [False, True]


# Stored profile (SQLite, PostgreSQL) ----------------------------------------------------------------
def busy_customer(bus: CommandBus, desk: Desk) -> None:
    flows.register_customer(bus)
    flows.v1(bus)
    flows.v5(bus)
    desk.contact(CUSTOMER_NO).deliver(CUSTOMER_NO, "P-1", DAY).sales(CUSTOMER_NO, "2001-02", "2500.00")
    desk.send(cc.RecordCustomerSurvey(customer_no=CUSTOMER_NO, score=3, instrument="PHONE"))
    desk.register("C002")


@STORES
def test_the_stored_profile_is_the_folded_profile(
    settings: Settings, app: CrmApplication, bus: CommandBus, desk: Desk
) -> None:
    busy_customer(bus, desk)
    with fed_view(settings, app, CustomerProfileProjection) as view:
        assert customer_profile(view, CUSTOMER_NO, date(2001, 4, 1)) == profile(app, date(2001, 4, 1))


@STORES
def test_the_stored_profile_counts_and_averages_the_customers_notifications(
    settings: Settings, app: CrmApplication, bus: CommandBus, desk: Desk
) -> None:
    busy_customer(bus, desk)
    with fed_view(settings, app, CustomerProfileProjection) as view:
        found = customer_profile(view, CUSTOMER_NO, date(2001, 4, 1))
    assert found is not None
    assert (found.notifications_by_type, found.complaints, found.avg_satisfaction, found.tier) == (
        {"Z1": OpenClosed(closed=1), "Z2": OpenClosed(closed=1)},
        OpenClosed(closed=1),
        Decimal("4.00"),
        "BIG_CUSTOMER",
    )


@STORES
def test_an_unknown_customer_has_no_stored_profile(
    settings: Settings, app: CrmApplication, bus: CommandBus, desk: Desk
) -> None:
    busy_customer(bus, desk)
    with fed_view(settings, app, CustomerProfileProjection) as view:
        assert customer_profile(view, "2110059999", DAY) is None
