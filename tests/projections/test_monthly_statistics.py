"""P10 monthly customer statistics: real events folded without a database, and the report on both stores."""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from application import case_commands as c
from application import customer_commands as cc
from application.app import CrmApplication
from application.bus import CommandBus
from domain.errors import ValidationFailed
from infra.settings import Settings
from projections.base import ReadModelView
from projections.monthly_statistics import (
    MONTHLY_CASES,
    MONTHLY_CELLS,
    CaseSheet,
    MonthlyCustomerCell,
    MonthlyStatisticsProjection,
    fold,
    month_bounds,
    monthly_statistics,
    reason_counts,
    report,
    seconds_between,
)
from tests.application import flows
from tests.clock import FixedClock
from tests.projections.queue_support import MemoryRows, fed_view

MEMORY = pytest.mark.parametrize("storage", ["memory"], indirect=True)
STORES = pytest.mark.parametrize("storage", ["sqlite", "postgres"], indirect=True)
CUSTOMER = flows.CUSTOMER_NO


def folded(app: CrmApplication) -> MemoryRows:
    rows = MemoryRows()
    for n in app.recorder.select_notifications(
        start=1, limit=10_000, topics=MonthlyStatisticsProjection.topics
    ):
        fold(app.mapper.to_domain_event(n), rows)
    return rows


def month(rows: MemoryRows, name: str, customer_no: str = CUSTOMER) -> MonthlyCustomerCell:
    found = rows.get(MONTHLY_CELLS, customer_no, name)
    return found or MonthlyCustomerCell(customer_no=customer_no, month=name)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def close_z1(bus: CommandBus, case_no: str) -> None:
    bus.dispatch(c.CompleteSiteSurvey(case_no=case_no), flows.STAFF)
    flows.serve_and_close(bus, case_no)


def sheet(**overrides: Any) -> CaseSheet:
    values: dict[str, Any] = {
        "case_no": "1000001", "customer_no": CUSTOMER, "type": "Z1", "category": "PAID_SERVICE",
        "sales_office": "4002", "created_on": date(2001, 3, 6), "created_at": utc(2001, 3, 6, 1),
        "required_end": date(2001, 3, 8),
    }  # fmt: skip
    return CaseSheet(**(values | overrides))


# Pure rules -------------------------------------------------------------------------------------


def test_month_bounds_know_leap_years() -> None:
    assert month_bounds("2004-02") == (date(2004, 2, 1), date(2004, 2, 29))


@pytest.mark.parametrize("name", ["2001-3", "2001-00", "2001-13", "March"])
def test_a_malformed_month_is_a_validation_error(name: str) -> None:
    with pytest.raises(ValidationFailed):
        month_bounds(name)


def test_elapsed_seconds_keep_microseconds() -> None:
    assert seconds_between(utc(2001, 3, 6, 1), datetime(2001, 3, 7, 9, 0, 0, 500, tzinfo=UTC)) == Decimal(
        "115200.0005"
    )


def test_reason_codes_count_items_and_skip_items_without_a_code() -> None:
    sheets = [
        sheet(reason_codes={"1": "1", "2": "7"}),
        sheet(case_no="1000002", reason_codes={"1": "1", "2": ""}),
    ]
    assert reason_counts(sheets) == {"1": 2, "7": 1}


def test_avg_days_to_close_rounds_half_up_to_2_decimals() -> None:
    cell = MonthlyCustomerCell(
        customer_no=CUSTOMER, month="2001-03", closed=2, close_seconds=Decimal(194_400)
    )
    assert report(cell, {}, 0).avg_days_to_close == Decimal("1.13")  # 2.25 days / 2 = 1.125


# The fold of real events ------------------------------------------------------------------------


@MEMORY
def test_creations_count_per_type_and_complaints_include_every_z2(
    bus: CommandBus, app: CrmApplication
) -> None:
    flows.register_customer(bus)
    flows.create(bus)
    flows.create(bus, category="COMPLAINT")
    flows.create(bus, type="Z2", po_number="80012345")
    cell = month(folded(app), "2001-03")
    assert (cell.created_z1, cell.created_z2, cell.complaints) == (2, 1, 2)


@MEMORY
def test_days_to_close_are_fractional_days_from_creation_to_closing(
    bus: CommandBus, app: CrmApplication, clock: FixedClock
) -> None:
    flows.register_customer(bus)
    quick, slow = flows.create(bus), flows.create(bus)
    clock.set(utc(2001, 3, 6, 7))  # 6 hours after creation
    close_z1(bus, quick)
    clock.set(utc(2001, 3, 7, 13))  # 36 hours after creation
    close_z1(bus, slow)
    stats = report(month(folded(app), "2001-03"), {}, 0)
    assert (stats.notifications_closed, stats.avg_days_to_close) == (2, Decimal("0.88"))  # (0.25 + 1.5) / 2


@MEMORY
def test_a_closure_counts_in_the_business_month_it_happens(
    bus: CommandBus, app: CrmApplication, clock: FixedClock
) -> None:
    flows.register_customer(bus)
    clock.set(utc(2001, 3, 31, 1))
    case_no = flows.create(bus)
    clock.set(utc(2001, 3, 31, 16, 30))  # 2001-04-01 00:30 in Asia/Shanghai
    close_z1(bus, case_no)
    rows = folded(app)
    assert [(m.created_z1, m.closed) for m in (month(rows, "2001-03"), month(rows, "2001-04"))] == [
        (1, 0),
        (0, 1),
    ]


@MEMORY
def test_escalations_to_hq_count_z1_escalations_only(bus: CommandBus, app: CrmApplication) -> None:
    flows.register_customer(bus)
    flows.v3(bus)
    flows.v5(bus)  # a Z2 goes to regional logistics without HQ
    assert month(folded(app), "2001-03").escalations_to_hq == 1


@MEMORY
def test_invoiced_amount_adds_up_the_zfw_invoices(bus: CommandBus, app: CrmApplication) -> None:
    flows.register_customer(bus)
    flows.v2(bus)
    flows.v3(bus)
    assert month(folded(app), "2001-03").invoiced_amount == Decimal("160.00")


@MEMORY
def test_surveys_return_visits_and_customer_surveys_count_for_the_customer(
    bus: CommandBus, app: CrmApplication
) -> None:
    flows.register_customer(bus)
    flows.v1(bus)
    bus.dispatch(cc.RecordReturnVisit(customer_no=CUSTOMER, channel="PHONE"), flows.ASSISTANT)
    bus.dispatch(
        cc.RecordCustomerSurvey(customer_no=CUSTOMER, score=3, instrument="QUALITY_CARD"), flows.ASSISTANT
    )
    stats = report(month(folded(app), "2001-03"), {}, 0)
    assert (stats.surveys_count, stats.avg_score, stats.return_visits_count) == (1, Decimal("5.00"), 1)
    assert (stats.customer_surveys_count, stats.customer_avg_score) == (1, Decimal("3.00"))


@MEMORY
def test_the_sheet_follows_added_changed_and_removed_items(bus: CommandBus, app: CrmApplication) -> None:
    flows.register_customer(bus)
    case_no = flows.create(bus)
    item = c.ItemInput(
        product_type=c.ProductType("06"), colour=c.Colour("A"), text="100057,2", reason_code="2"
    )
    bus.dispatch(c.AddCaseItem(case_no=case_no, item=item), flows.ASSISTANT)
    bus.dispatch(c.AddCaseItem(case_no=case_no, item=item), flows.ASSISTANT)
    bus.dispatch(c.ChangeCaseItem(case_no=case_no, item_no=1, reason_code="3"), flows.ASSISTANT)
    bus.dispatch(c.RemoveCaseItem(case_no=case_no, item_no=3), flows.ASSISTANT)
    assert folded(app).get(MONTHLY_CASES, case_no).reason_codes == {"1": "3", "2": "2"}


# The report on SQLite and PostgreSQL ------------------------------------------------------------


def projected(settings: Settings, app: CrmApplication) -> AbstractContextManager[ReadModelView]:
    """The P10 view fed every event it handles, one transaction per event as the runner does."""
    return fed_view(settings, app, MonthlyStatisticsProjection, per_event=True)


@STORES
def test_the_report_gathers_the_month_of_one_customer(
    settings: Settings, bus: CommandBus, app: CrmApplication
) -> None:
    flows.register_customer(bus)
    flows.register_customer(bus, customer_no="2110050099", fl_no=None)
    flows.v1(bus)
    flows.v2(bus)
    flows.v5(bus)
    flows.create(bus, ship_to="2110050099", functional_location="")
    with projected(settings, app) as view:
        stats = monthly_statistics(view, CUSTOMER, "2001-03")
    assert (stats.notifications_created_z1, stats.notifications_created_z2, stats.notifications_closed) == (
        2,
        1,
        3,
    )
    assert (stats.complaints_count, stats.by_reason_code, stats.surveys_count) == (1, {"1": 3}, 1)
    assert (stats.invoiced_amount, stats.avg_days_to_close) == (Decimal("80.00"), Decimal("0.00"))


@STORES
def test_overdue_at_month_end_counts_notifications_open_then_and_past_their_required_end(
    settings: Settings, bus: CommandBus, app: CrmApplication, clock: FixedClock
) -> None:
    flows.register_customer(bus)
    flows.create(bus)  # required_end 2001-03-08, never closed: overdue
    flows.create(bus, required_end=date(2001, 4, 5))  # open but not yet due
    close_z1(bus, flows.create(bus))  # closed in March: not open at month end
    closed_in_april = flows.create(bus)  # open on 2001-03-31, overdue then
    clock.set(utc(2001, 4, 2, 1))
    close_z1(bus, closed_in_april)
    flows.create(bus)  # created in April
    with projected(settings, app) as view:
        stats = monthly_statistics(view, CUSTOMER, "2001-03")
    assert stats.overdue_open_at_month_end == 2


@STORES
def test_a_running_month_is_cut_off_at_as_of(
    settings: Settings, bus: CommandBus, app: CrmApplication
) -> None:
    flows.register_customer(bus)
    flows.create(bus)  # required_end 2001-03-08
    with projected(settings, app) as view:
        overdue = [
            monthly_statistics(view, CUSTOMER, "2001-03", as_of=d).overdue_open_at_month_end
            for d in (date(2001, 3, 8), date(2001, 3, 9))
        ]
    assert overdue == [0, 1]


@STORES
def test_reason_codes_are_those_of_the_items_as_they_are_now(
    settings: Settings, bus: CommandBus, app: CrmApplication
) -> None:
    flows.register_customer(bus)
    case_no = flows.create(bus)
    item = c.ItemInput(
        product_type=c.ProductType("06"), colour=c.Colour("A"), text="100057,2", reason_code="2"
    )
    bus.dispatch(c.AddCaseItem(case_no=case_no, item=item), flows.ASSISTANT)
    bus.dispatch(c.ChangeCaseItem(case_no=case_no, item_no=1, reason_code="3"), flows.ASSISTANT)
    with projected(settings, app) as view:
        assert monthly_statistics(view, CUSTOMER, "2001-03").by_reason_code == {"2": 1, "3": 1}


@STORES
def test_a_month_without_activity_reports_zeros(
    settings: Settings, bus: CommandBus, app: CrmApplication
) -> None:
    flows.register_customer(bus)
    flows.v2(bus)
    with projected(settings, app) as view:
        stats = monthly_statistics(view, CUSTOMER, "2001-05")
    assert (stats.notifications_closed, stats.avg_days_to_close, stats.avg_score, stats.invoiced_amount) == (
        0,
        None,
        None,
        Decimal("0.00"),
    )
