"""Customer commands through the bus, unchanged on memory, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from application import customer_commands as cc
from application.app import CrmApplication
from application.bus import CommandBus
from domain.customer import Customer
from domain.errors import CustomerAlreadyExists, CustomerNotFound, FunctionalLocationTaken
from domain.functional_location import FunctionalLocationClaim
from tests.application import flows


def stored_types(app: CrmApplication, customer_no: str) -> list[str]:
    return [type(e).__name__ for e in app.events.get(Customer.stream_id(customer_no))]


def test_a_customer_is_registered_once(bus: CommandBus) -> None:
    flows.register_customer(bus)
    with pytest.raises(CustomerAlreadyExists):
        flows.register_customer(bus)


def test_commands_on_an_unknown_customer_are_not_found(bus: CommandBus) -> None:
    with pytest.raises(CustomerNotFound):
        bus.dispatch(cc.AssessRiskPreference(customer_no="2110059999", level="STEADY"), flows.ASSISTANT)


def test_average_monthly_sales_of_2000_make_a_big_customer_in_the_same_append(
    app: CrmApplication, bus: CommandBus
) -> None:
    flows.register_customer(bus)
    for month, amount in (("2001-01", "1900.00"), ("2001-02", "2100.00")):
        bus.dispatch(
            cc.RecordMonthlySales(customer_no=flows.CUSTOMER_NO, month=month, amount=Decimal(amount)),
            flows.ASSISTANT,
        )
    assert stored_types(app, flows.CUSTOMER_NO)[-2:] == ["MonthlySalesRecorded", "CustomerTierChanged"]
    assert app.load(Customer, flows.CUSTOMER_NO).tier == "BIG_CUSTOMER"


def test_a_functional_location_number_is_claimed_system_wide(app: CrmApplication, bus: CommandBus) -> None:
    flows.register_customer(bus)
    flows.register_customer(bus, customer_no="2110050008", fl_no=None)
    with pytest.raises(FunctionalLocationTaken):
        bus.dispatch(
            cc.CreateFunctionalLocation(customer_no="2110050008", fl_no="2110050027", address="北京"),
            flows.ASSISTANT,
        )
    assert app.load(FunctionalLocationClaim, "2110050027").customer_no == flows.CUSTOMER_NO
    assert app.load(Customer, "2110050008").functional_locations == {}


def test_the_customer_lifecycle_commands_all_append(app: CrmApplication, bus: CommandBus) -> None:
    flows.register_customer(bus)
    no = flows.CUSTOMER_NO
    for command in (
        cc.UpdateCustomerProfile(customer_no=no, occupation="行政主管"),
        cc.AssignAccountManager(customer_no=no, employee_id="am-07"),
        cc.LogContact(customer_no=no, channel="PHONE", direction="OUT", effective=True, purpose="回访"),
        cc.RecordReturnVisit(customer_no=no, channel="PHONE", satisfied=True, score=5),
        cc.RecordAssetBalance(customer_no=no, as_of=date(2001, 3, 1), amount=Decimal("150000.00")),
        cc.AssessRiskPreference(customer_no=no, level="STEADY"),
        cc.SetValueClass(customer_no=no, value_class="LOYAL"),
        cc.RecordProjectDelivered(customer_no=no, project_id="P-2001-01", delivered_on=date(2001, 1, 15)),
        cc.RecordCustomerSurvey(customer_no=no, score=4, instrument="QUALITY_CARD"),
    ):
        bus.dispatch(command, flows.ASSISTANT)
    assert stored_types(app, no)[2:] == [
        "CustomerProfileUpdated", "AccountManagerAssigned", "CustomerContacted", "ReturnVisitCompleted",
        "AssetBalanceRecorded", "CustomerTierChanged", "RiskPreferenceAssessed", "ValueClassAssigned",
        "ProjectDelivered", "CustomerSurveyRecorded",
    ]  # fmt: skip
