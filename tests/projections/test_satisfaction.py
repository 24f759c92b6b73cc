"""P5 satisfaction scores: real events folded without a database, and the queries on SQLite and PostgreSQL."""

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
from projections.satisfaction import (
    CUSTOMER_SURVEY_CELLS,
    SATISFACTION_CELLS,
    CustomerSurveyCell,
    SatisfactionCell,
    SatisfactionScoresProjection,
    customer_satisfaction,
    fold,
    quarter_of,
    satisfaction,
    scores_row,
    survey_counts,
)
from tests.application import flows
from tests.clock import FixedClock
from tests.projections.queue_support import MemoryRows, fed_view

MEMORY = pytest.mark.parametrize("storage", ["memory"], indirect=True)
STORES = pytest.mark.parametrize("storage", ["sqlite", "postgres"], indirect=True)
MARCH = datetime(2001, 3, 6, 1, 0, tzinfo=UTC)
APRIL = datetime(2001, 4, 10, 1, 0, tzinfo=UTC)


def folded(app: CrmApplication) -> MemoryRows:
    rows = MemoryRows()
    for n in app.recorder.select_notifications(
        start=1, limit=10_000, topics=SatisfactionScoresProjection.topics
    ):
        fold(app.mapper.to_domain_event(n), rows)
    return rows


def cell(rows: MemoryRows, period: str, dimension: str, value: str) -> SatisfactionCell:
    found = rows.get(SATISFACTION_CELLS, period, dimension, value)
    return found or SatisfactionCell(period=period, dimension=dimension, group_value=value)


def closed_case(bus: CommandBus, clock: FixedClock, at: datetime = MARCH, **overrides: Any) -> str:
    clock.set(at)
    case_no = flows.create(bus, **overrides)
    bus.dispatch(c.CompleteSiteSurvey(case_no=case_no), flows.STAFF)
    flows.serve_and_close(bus, case_no)
    return case_no


def survey(bus: CommandBus, case_no: str, score: int = 5, **extra: Any) -> None:
    bus.dispatch(
        c.RecordSatisfactionSurvey(case_no=case_no, score=score, channel="PHONE", **extra), flows.AGENT
    )


def make_big_customer(bus: CommandBus) -> None:
    """Average monthly sales of 2500 ≥ 2000 make the SM01 customer a BIG_CUSTOMER."""
    sales = cc.RecordMonthlySales(customer_no=flows.CUSTOMER_NO, month="2001-02", amount=Decimal("2500"))
    bus.dispatch(sales, flows.ASSISTANT)


# Pure rules -------------------------------------------------------------------------------------


def test_quarters_split_the_year_at_april_july_and_october() -> None:
    days = [date(2001, 3, 31), date(2001, 4, 1), date(2001, 6, 30), date(2001, 7, 1), date(2001, 12, 31)]
    assert [quarter_of(d) for d in days] == ["2001-Q1", "2001-Q2", "2001-Q2", "2001-Q3", "2001-Q4"]


def test_a_score_of_4_is_satisfied_and_3_is_not() -> None:
    assert (survey_counts(4)["satisfied_count"], survey_counts(3)["satisfied_count"]) == (1, 0)


def test_avg_score_rounds_half_up_to_2_decimals() -> None:
    row = scores_row(
        SatisfactionCell(period="2001-03", dimension="type", group_value="Z1", surveys_count=8, score_sum=33),
        "type",
    )
    assert row.avg_score == Decimal("4.13")  # 4.125: banker's rounding would give 4.12


def test_an_evaluation_rate_of_exactly_80_percent_meets_the_target() -> None:
    counts = SatisfactionCell(
        period="2001-03", dimension="type", group_value="Z1", closed_count=5, evaluated_closed_count=4
    )
    row = scores_row(counts, "type")
    assert (row.evaluation_rate, row.evaluation_rate_target, row.below_target) == (
        Decimal("0.8000"),
        Decimal("0.80"),
        False,
    )


def test_an_evaluation_rate_just_under_80_percent_is_below_target() -> None:
    counts = SatisfactionCell(
        period="2001-03", dimension="type", group_value="Z1", closed_count=1000, evaluated_closed_count=799
    )
    row = scores_row(counts, "type")
    assert (row.evaluation_rate, row.below_target) == (Decimal("0.7990"), True)


def test_a_group_without_closures_has_no_evaluation_rate_and_is_not_below_target() -> None:
    row = scores_row(
        SatisfactionCell(period="2001-03", dimension="type", group_value="Z1", surveys_count=1, score_sum=5),
        "type",
    )
    assert (row.evaluation_rate, row.below_target) == (None, False)


def test_an_unknown_group_by_is_a_validation_error() -> None:
    with pytest.raises(ValidationFailed):
        satisfaction(MemoryRows(), "2001-03", "plant")


@pytest.mark.parametrize("period", ["2001-3", "2001-13", "2001-Q5", "2001Q1"])
def test_a_malformed_period_is_a_validation_error(period: str) -> None:
    with pytest.raises(ValidationFailed):
        satisfaction(MemoryRows(), period, "type")


# The fold of real events ------------------------------------------------------------------------


@MEMORY
def test_a_survey_counts_in_its_month_and_its_quarter(
    bus: CommandBus, app: CrmApplication, clock: FixedClock
) -> None:
    flows.register_customer(bus)
    survey(bus, closed_case(bus, clock), score=4)
    rows = folded(app)
    assert [cell(rows, p, "sales_office", "4002").surveys_count for p in ("2001-03", "2001-Q1")] == [1, 1]


@MEMORY
def test_periods_follow_the_business_date_not_the_utc_date(
    bus: CommandBus, app: CrmApplication, clock: FixedClock
) -> None:
    flows.register_customer(bus)
    case_no = closed_case(bus, clock)
    clock.set(datetime(2001, 3, 31, 16, 30, tzinfo=UTC))  # 2001-04-01 00:30 in Asia/Shanghai
    survey(bus, case_no)
    rows = folded(app)
    assert (
        cell(rows, "2001-04", "type", "Z1").surveys_count,
        cell(rows, "2001-Q2", "type", "Z1").surveys_count,
    ) == (1, 1)
    assert cell(rows, "2001-03", "type", "Z1").surveys_count == 0


@MEMORY
def test_a_late_survey_counts_as_evaluated_in_the_period_of_the_closure(
    bus: CommandBus, app: CrmApplication, clock: FixedClock
) -> None:
    flows.register_customer(bus)
    case_no = closed_case(bus, clock, at=MARCH)
    clock.set(APRIL)
    survey(bus, case_no)
    rows = folded(app)
    march, april = cell(rows, "2001-03", "type", "Z1"), cell(rows, "2001-04", "type", "Z1")
    assert (march.closed_count, march.evaluated_closed_count, march.surveys_count) == (1, 1, 0)
    assert (april.closed_count, april.evaluated_closed_count, april.surveys_count) == (0, 0, 1)


@MEMORY
def test_customer_tier_takes_the_tier_at_survey_time_for_surveys_and_at_closure_for_closures(
    bus: CommandBus, app: CrmApplication, clock: FixedClock
) -> None:
    flows.register_customer(bus)
    case_no = closed_case(bus, clock)
    make_big_customer(bus)
    survey(bus, case_no)
    rows = folded(app)
    standard, big = (
        cell(rows, "2001-03", "customer_tier", "STANDARD"),
        cell(rows, "2001-03", "customer_tier", "BIG_CUSTOMER"),
    )
    assert (standard.closed_count, standard.evaluated_closed_count, standard.surveys_count) == (1, 1, 0)
    assert (big.closed_count, big.evaluated_closed_count, big.surveys_count) == (0, 0, 1)


@MEMORY
def test_a_hand_over_before_closing_counts_the_closure_for_the_new_responsible_person(
    bus: CommandBus, app: CrmApplication, clock: FixedClock
) -> None:
    flows.register_customer(bus)
    case_no = flows.create(bus)
    bus.dispatch(c.UpdateCase(case_no=case_no, responsible_person="203"), flows.ASSISTANT)
    bus.dispatch(c.CompleteSiteSurvey(case_no=case_no), flows.STAFF)
    flows.serve_and_close(bus, case_no)
    rows = folded(app)
    assert (
        cell(rows, "2001-03", "responsible_person", "203").closed_count,
        cell(rows, "2001-03", "responsible_person", "202").closed_count,
    ) == (1, 0)


@MEMORY
def test_the_gap_is_averaged_over_surveys_giving_both_expected_and_perceived(
    bus: CommandBus, app: CrmApplication, clock: FixedClock
) -> None:
    flows.register_customer(bus)
    survey(bus, closed_case(bus, clock), score=5, expected_score=3, perceived_score=5)
    survey(bus, closed_case(bus, clock), score=4)
    row = scores_row(cell(folded(app), "2001-03", "category", "PAID_SERVICE"), "category")
    assert (row.surveys_count, row.avg_score, row.avg_gap) == (2, Decimal("4.50"), Decimal("2.00"))


@MEMORY
def test_customer_surveys_are_kept_apart_per_tier_and_period(
    bus: CommandBus, app: CrmApplication, clock: FixedClock
) -> None:
    flows.register_customer(bus)
    bus.dispatch(
        cc.RecordCustomerSurvey(customer_no=flows.CUSTOMER_NO, score=3, instrument="QUALITY_CARD"),
        flows.ASSISTANT,
    )
    rows = folded(app)
    expected = CustomerSurveyCell(
        period="2001-Q1", tier="STANDARD", surveys_count=1, score_sum=3, satisfied_count=0
    )
    assert rows.get(CUSTOMER_SURVEY_CELLS, "2001-Q1", "STANDARD") == expected
    assert rows.tables.get(SATISFACTION_CELLS.name, {}) == {}


# Queries on SQLite and PostgreSQL --------------------------------------------------------------


def projected(settings: Settings, app: CrmApplication) -> AbstractContextManager[ReadModelView]:
    """The P5 view fed every event it handles, one transaction per event as the runner does."""
    return fed_view(settings, app, SatisfactionScoresProjection, per_event=True)


@STORES
def test_the_report_has_one_row_per_group_with_its_rates(
    settings: Settings, bus: CommandBus, app: CrmApplication, clock: FixedClock
) -> None:
    flows.register_customer(bus)
    survey(bus, closed_case(bus, clock), score=5)
    closed_case(bus, clock, responsible_person="203")
    with projected(settings, app) as view:
        rows = satisfaction(view, "2001-03", "responsible_person")
    assert [
        (r.group, r.surveys_count, r.avg_score, r.closed_count, r.evaluation_rate, r.below_target)
        for r in rows
    ] == [
        ("202", 1, Decimal("5.00"), 1, Decimal("1.0000"), False),
        ("203", 0, None, 1, Decimal("0.0000"), True),
    ]


@STORES
def test_a_quarter_adds_up_its_months(
    settings: Settings, bus: CommandBus, app: CrmApplication, clock: FixedClock
) -> None:
    flows.register_customer(bus)
    closed_case(bus, clock, at=datetime(2001, 1, 10, 1, tzinfo=UTC))
    closed_case(bus, clock, at=MARCH)
    closed_case(bus, clock, at=APRIL)
    with projected(settings, app) as view:
        rows = satisfaction(view, "2001-Q1", "notification_type")
    assert [(r.group_by, r.group, r.closed_count) for r in rows] == [("notification_type", "Z1", 2)]


@STORES
def test_grouping_by_customer_tier_reads_the_tier_of_each_fact(
    settings: Settings, bus: CommandBus, app: CrmApplication, clock: FixedClock
) -> None:
    flows.register_customer(bus)
    case_no = closed_case(bus, clock)
    make_big_customer(bus)
    survey(bus, case_no, score=4)
    with projected(settings, app) as view:
        rows = satisfaction(view, "2001-03", "customer_tier")
    assert [(r.group, r.surveys_count, r.closed_count, r.evaluated_closed_count) for r in rows] == [
        ("BIG_CUSTOMER", 1, 0, 0),
        ("STANDARD", 0, 1, 1),
    ]


@STORES
def test_customer_surveys_are_reported_per_tier_highest_tier_first(
    settings: Settings, bus: CommandBus, app: CrmApplication, clock: FixedClock
) -> None:
    flows.register_customer(bus)
    flows.register_customer(bus, customer_no="2110050099", fl_no=None)
    make_big_customer(bus)
    for customer_no, score in ((flows.CUSTOMER_NO, 5), ("2110050099", 4), ("2110050099", 1)):
        bus.dispatch(
            cc.RecordCustomerSurvey(customer_no=customer_no, score=score, instrument="QUALITY_CARD"),
            flows.ASSISTANT,
        )
    with projected(settings, app) as view:
        rows = customer_satisfaction(view, "2001-03")
    assert [(r.tier, r.surveys_count, r.avg_score, r.satisfaction_rate) for r in rows] == [
        ("BIG_CUSTOMER", 1, Decimal("5.00"), Decimal("1.0000")),
        ("STANDARD", 2, Decimal("2.50"), Decimal("0.5000")),
    ]
