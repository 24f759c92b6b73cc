"""P11 complaint statistics: real events folded without a database, and the report on both stores."""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from application import case_commands as c
from application.app import CrmApplication
from application.bus import CommandBus
from infra.settings import Settings
from projections.base import ReadModelView
from projections.complaint_statistics import (
    COMPLAINT_CASES,
    COMPLAINT_CELLS,
    ComplaintCell,
    ComplaintStatisticsProjection,
    complaint_statistics,
    fold,
    statistics_row,
)
from tests.application import flows
from tests.clock import FixedClock
from tests.projections.queue_support import MemoryRows, fed_view

MEMORY = pytest.mark.parametrize("storage", ["memory"], indirect=True)
STORES = pytest.mark.parametrize("storage", ["sqlite", "postgres"], indirect=True)
APRIL = datetime(2001, 4, 2, 1, tzinfo=UTC)


def folded(app: CrmApplication) -> MemoryRows:
    rows = MemoryRows()
    for n in app.recorder.select_notifications(
        start=1, limit=10_000, topics=ComplaintStatisticsProjection.topics
    ):
        fold(app.mapper.to_domain_event(n), rows)
    return rows


def cell(rows: MemoryRows, month: str = "2001-03", office: str = "4002") -> ComplaintCell:
    return rows.get(COMPLAINT_CELLS, month, office) or ComplaintCell(month=month, sales_office=office)


def open_z2(bus: CommandBus, **overrides: Any) -> str:
    return flows.create(bus, type="Z2", po_number="80012346", **overrides)


def deliver_and_close(bus: CommandBus, case_no: str) -> None:
    """The Z2 path of V5 after the notification exists."""
    bus.dispatch(
        c.FileComplaintForm(case_no=case_no, complaint_kind="RETURN", description="退货"), flows.ASSISTANT
    )
    bus.dispatch(
        c.EscalateCase(case_no=case_no, unit="RL-EAST", purpose="PRE_PAYMENT_COMPLAINT"), flows.ASSISTANT
    )
    bus.dispatch(c.RecordReplyToSales(case_no=case_no, note="已安排"), flows.LOGISTICS)
    delivered = c.RecordGoodsDelivered(case_no=case_no, delivered_at=datetime(2001, 3, 9, 2, tzinfo=UTC))
    bus.dispatch(delivered, flows.LOGISTICS)
    bus.dispatch(c.CloseCase(case_no=case_no), flows.LOGISTICS)


# Pure rules -------------------------------------------------------------------------------------


def test_every_complaint_kind_is_listed_and_fault_counts_are_zero_until_general_cases_exist() -> None:
    row = statistics_row(
        ComplaintCell(month="2001-03", sales_office="4002", by_complaint_kind={"RETURN": 2}), 0
    )
    assert row.by_complaint_kind == {"EXCHANGE": 0, "RETURN": 2, "REPAIR": 0, "OTHER": 0}
    assert (row.company_fault_count, row.not_company_fault_count) == (0, 0)


def test_avg_resolution_days_round_half_up() -> None:
    counts = ComplaintCell(month="2001-03", sales_office="4002", closed=2, close_seconds=Decimal(194_400))
    assert statistics_row(counts, 0).avg_resolution_days == Decimal("1.13")  # 2.25 days / 2 = 1.125


# The fold of real events ------------------------------------------------------------------------


@MEMORY
def test_received_counts_z2_and_z1_complaints_but_not_paid_service(
    bus: CommandBus, app: CrmApplication
) -> None:
    flows.register_customer(bus)
    paid = flows.create(bus)
    flows.create(bus, category="COMPLAINT")
    open_z2(bus)
    rows = folded(app)
    assert (cell(rows).received, rows.get(COMPLAINT_CASES, paid)) == (2, None)


@MEMORY
def test_complaint_kinds_count_the_forms_filed(bus: CommandBus, app: CrmApplication) -> None:
    flows.register_customer(bus)
    flows.v4(bus)  # EXCHANGE
    flows.v5(bus)  # REPAIR
    assert cell(folded(app)).by_complaint_kind == {"EXCHANGE": 1, "REPAIR": 1}


@MEMORY
def test_a_complaint_escalated_twice_is_one_complaint_escalated(bus: CommandBus, app: CrmApplication) -> None:
    flows.register_customer(bus)
    case_no = open_z2(bus)
    bus.dispatch(
        c.FileComplaintForm(case_no=case_no, complaint_kind="REPAIR", description="缺件"), flows.ASSISTANT
    )
    for _ in range(2):
        escalation = c.EscalateCase(case_no=case_no, unit="RL-EAST", purpose="PRE_PAYMENT_COMPLAINT")
        bus.dispatch(escalation, flows.ASSISTANT)
    assert cell(folded(app)).escalated == 1


@MEMORY
def test_resolution_time_runs_from_creation_to_closing(
    bus: CommandBus, app: CrmApplication, clock: FixedClock
) -> None:
    flows.register_customer(bus)
    case_no = open_z2(bus)
    clock.set(datetime(2001, 3, 7, 13, tzinfo=UTC))  # 36 hours after creation
    deliver_and_close(bus, case_no)
    assert statistics_row(cell(folded(app)), 0).avg_resolution_days == Decimal("1.50")


# The report on SQLite and PostgreSQL ------------------------------------------------------------


def projected(settings: Settings, app: CrmApplication) -> AbstractContextManager[ReadModelView]:
    """The P11 view fed every event it handles, one transaction per event as the runner does."""
    return fed_view(settings, app, ComplaintStatisticsProjection, per_event=True)


@STORES
def test_the_report_has_one_row_per_sales_office(
    settings: Settings, bus: CommandBus, app: CrmApplication
) -> None:
    flows.register_customer(bus)
    flows.v4(bus)
    flows.v5(bus)
    open_z2(bus, sales_office="4003")
    with projected(settings, app) as view:
        rows = complaint_statistics(view, "2001-03")
    summary = [
        (r.sales_office, r.received, r.closed, r.open_at_month_end, r.escalated_to_regional_logistics)
        for r in rows
    ]
    assert summary == [("4002", 2, 2, 0, 2), ("4003", 1, 0, 1, 0)]


@STORES
def test_a_sales_office_filter_gives_that_office_only_even_without_complaints(
    settings: Settings, bus: CommandBus, app: CrmApplication
) -> None:
    flows.register_customer(bus)
    flows.v5(bus)
    open_z2(bus, sales_office="4003")
    with projected(settings, app) as view:
        offices = [
            [(r.sales_office, r.received) for r in complaint_statistics(view, "2001-03", o)]
            for o in ("4003", "4009")
        ]
    assert offices == [[("4003", 1)], [("4009", 0)]]


@STORES
def test_a_complaint_closed_after_month_end_was_open_at_month_end(
    settings: Settings, bus: CommandBus, app: CrmApplication, clock: FixedClock
) -> None:
    flows.register_customer(bus)
    case_no = open_z2(bus)
    clock.set(APRIL)
    deliver_and_close(bus, case_no)
    with projected(settings, app) as view:
        march, april = (complaint_statistics(view, m, "4002")[0] for m in ("2001-03", "2001-04"))
    assert [(r.received, r.closed, r.open_at_month_end) for r in (march, april)] == [(1, 0, 1), (0, 1, 0)]


@STORES
def test_an_office_with_only_older_open_complaints_still_appears(
    settings: Settings, bus: CommandBus, app: CrmApplication, clock: FixedClock
) -> None:
    flows.register_customer(bus)
    open_z2(bus, sales_office="4003")
    with projected(settings, app) as view:
        rows = complaint_statistics(view, "2001-04")
    assert [(r.sales_office, r.received, r.open_at_month_end) for r in rows] == [("4003", 0, 1)]


@STORES
def test_a_running_month_counts_open_complaints_at_as_of(
    settings: Settings, bus: CommandBus, app: CrmApplication, clock: FixedClock
) -> None:
    flows.register_customer(bus)
    case_no = open_z2(bus)
    clock.set(datetime(2001, 3, 20, 1, tzinfo=UTC))
    deliver_and_close(bus, case_no)
    with projected(settings, app) as view:
        rows = [complaint_statistics(view, "2001-03", "4002", as_of=date(2001, 3, d))[0] for d in (10, 31)]
    assert [r.open_at_month_end for r in rows] == [1, 0]
