"""P5 satisfaction scores: surveys, satisfaction and the 80 % evaluation rate per period and group.

Every counter is kept for both periods of a business date (month `YYYY-MM` and
quarter `YYYY-Qn`) and for each of the six groupings, as sums and counts only;
the query divides the rates and averages out. Two facts are dated differently:
survey measures fall in the period of `surveyed_at`, closures in the period of
the close — and a closure counts as evaluated in *its* period even when the
survey comes later. For `customer_tier` a survey uses the customer's tier when
it is recorded, a closure the tier when it is closed (tiers follow
`CustomerTierChanged` in log order; STANDARD until the first change).

Customer-level surveys (quality cards and other instruments) are kept apart,
per tier and period.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

import msgspec

from domain import case_events as ev
from domain.customer import Customer
from domain.customer_events import INITIAL_TIER
from domain.errors import ValidationFailed
from domain.tiers import Tier
from projections.base import CrmProjection
from projections.monthly_statistics import Counts, add_counts, average, case_no_of, customer_no_of, month_of
from projections.tables import Order, ReadRows, Rows, Select, Table, Where

GROUP_BY = ("responsible_person", "main_work_center", "sales_office", "customer_tier", "type", "category")
"""Groupings; `type` is DOMAIN.md's notification_type (API.md names it `type`)."""
GROUP_ALIASES = {"notification_type": "type"}
GROUP_BY_NAMES = (*GROUP_BY, *GROUP_ALIASES)
PERIOD = re.compile(r"\d{4}-(0[1-9]|1[0-2]|Q[1-4])")
SATISFIED_FROM = 4  # DOMAIN.md §4.9.5: scale 1–5, satisfied ≥ 4
EVALUATION_RATE_TARGET = Decimal("0.80")
RATE = Decimal("0.0001")
"""Rates are fractions with 4 decimals, so a rate just under the 0.80 target never shows as 0.80."""


def quarter_of(day: date) -> str:
    return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"


def periods_of(day: date) -> tuple[str, str]:
    return month_of(day), quarter_of(day)


class SatisfactionCase(msgspec.Struct, frozen=True, kw_only=True):
    """One notification's groups, and whether (and when, in which tier) it was closed and surveyed."""

    case_no: str
    customer_no: str
    type: str
    category: str
    responsible_person: str
    main_work_center: str
    sales_office: str
    closed_on: date | None = None
    closed_tier: str = ""
    surveyed: bool = False


class CustomerTier(msgspec.Struct, frozen=True):
    customer_no: str
    tier: str


class SatisfactionCell(msgspec.Struct, frozen=True, kw_only=True):
    """Counters of one group (`dimension` = `group_value`) in one period."""

    period: str
    dimension: str
    group_value: str
    surveys_count: int = 0
    score_sum: int = 0
    satisfied_count: int = 0
    gap_count: int = 0
    gap_sum: int = 0
    closed_count: int = 0
    evaluated_closed_count: int = 0


class CustomerSurveyCell(msgspec.Struct, frozen=True, kw_only=True):
    """Counters of the customer-level surveys of one tier in one period."""

    period: str
    tier: str
    surveys_count: int = 0
    score_sum: int = 0
    satisfied_count: int = 0


SATISFACTION_CELLS = Table("rm_satisfaction", SatisfactionCell, key=("period", "dimension", "group_value"))
CUSTOMER_SURVEY_CELLS = Table("rm_satisfaction_customer_surveys", CustomerSurveyCell, key=("period", "tier"))
SATISFACTION_CASES = Table("rm_satisfaction_cases", SatisfactionCase, key=("case_no",))
SATISFACTION_TIERS = Table("rm_satisfaction_tiers", CustomerTier, key=("customer_no",))
CellKey = tuple[str, str, str]


def case_created(event: ev.ServiceNotificationCreated) -> SatisfactionCase:
    return SatisfactionCase(
        case_no=event.case_no,
        customer_no=event.ship_to,
        type=event.type,
        category=event.category,
        responsible_person=event.responsible_person,
        main_work_center=event.main_work_center,
        sales_office=event.sales_office,
    )


def evolve(case: SatisfactionCase, event: Any, tier: str) -> SatisfactionCase:
    """The case after one event; `tier` is the customer's tier when the event is folded."""
    if isinstance(event, ev.NotificationClosed):
        return msgspec.structs.replace(case, closed_on=event.occurred_at.date(), closed_tier=tier)
    if isinstance(event, ev.SatisfactionSurveyRecorded):
        return msgspec.structs.replace(case, surveyed=True)
    if isinstance(event, ev.NotificationDetailsUpdated):
        moved = {
            k: str(v["new"])
            for k, v in event.changes.items()
            if k in ("responsible_person", "main_work_center")
        }
        return msgspec.structs.replace(case, **moved)
    return case


def groups(case: SatisfactionCase, tier: str) -> dict[str, str]:
    return {name: tier if name == "customer_tier" else getattr(case, name) for name in GROUP_BY}


def cell_keys(case: SatisfactionCase, tier: str, day: date) -> list[CellKey]:
    return [(period, name, value) for period in periods_of(day) for name, value in groups(case, tier).items()]


def survey_counts(score: int, expected: int | None = None, perceived: int | None = None) -> Counts:
    counts: Counts = {"surveys_count": 1, "score_sum": score, "satisfied_count": int(score >= SATISFIED_FROM)}
    if expected is not None and perceived is not None:
        counts |= {"gap_count": 1, "gap_sum": perceived - expected}
    return counts


def case_counts(case: SatisfactionCase, event: Any, tier: str) -> list[tuple[CellKey, Counts]]:
    """The cells one notification event moves, given the case before it and the current tier (pure)."""
    if isinstance(event, ev.NotificationClosed):
        return [(key, {"closed_count": 1}) for key in cell_keys(case, tier, event.occurred_at.date())]
    if not isinstance(event, ev.SatisfactionSurveyRecorded):
        return []
    counts = survey_counts(event.score, event.expected_score, event.perceived_score)
    moved = [(key, counts) for key in cell_keys(case, tier, event.surveyed_at.date())]
    if case.closed_on is not None and not case.surveyed:
        evaluated: Counts = {"evaluated_closed_count": 1}
        moved += [(key, evaluated) for key in cell_keys(case, case.closed_tier, case.closed_on)]
    return moved


def customer_survey_counts(event: Any, tier: str) -> list[tuple[tuple[str, str], Counts]]:
    """The cells a customer-level survey moves (pure)."""
    return [((period, tier), survey_counts(event.score)) for period in periods_of(event.at.date())]


def tier_of(rows: Rows, customer_no: str) -> str:
    known = rows.get(SATISFACTION_TIERS, customer_no)
    return known.tier if known else INITIAL_TIER


def fold(event: Any, rows: Rows) -> None:
    """Fold one event into the P5 tables (reads and writes by key only)."""
    if isinstance(event, Customer.CustomerTierChanged):
        rows.put(SATISFACTION_TIERS, CustomerTier(customer_no_of(event), event.to_tier))
    elif isinstance(event, Customer.CustomerSurveyRecorded):
        for (period, tier), counts in customer_survey_counts(event, tier_of(rows, customer_no_of(event))):
            cell = rows.get(CUSTOMER_SURVEY_CELLS, period, tier) or CustomerSurveyCell(
                period=period, tier=tier
            )
            rows.put(CUSTOMER_SURVEY_CELLS, add_counts(cell, counts))
    elif isinstance(event, ev.ServiceNotificationCreated):
        rows.put(SATISFACTION_CASES, case_created(event))
    else:
        _fold_case_event(event, rows)


def _fold_case_event(event: Any, rows: Rows) -> None:
    case = rows.get(SATISFACTION_CASES, case_no_of(event))
    if case is None:
        return
    tier = tier_of(rows, case.customer_no)
    for key, counts in case_counts(case, event, tier):
        cell = rows.get(SATISFACTION_CELLS, *key) or SatisfactionCell(
            period=key[0], dimension=key[1], group_value=key[2]
        )
        rows.put(SATISFACTION_CELLS, add_counts(cell, counts))
    rows.put(SATISFACTION_CASES, evolve(case, event, tier))


class SatisfactionScoresProjection(CrmProjection):
    name = "satisfaction"
    tables: ClassVar[tuple[Table[Any], ...]] = (
        SATISFACTION_CELLS,
        CUSTOMER_SURVEY_CELLS,
        SATISFACTION_CASES,
        SATISFACTION_TIERS,
    )
    handles = (
        ev.ServiceNotificationCreated,
        ev.NotificationDetailsUpdated,
        ev.NotificationClosed,
        ev.SatisfactionSurveyRecorded,
        Customer.CustomerTierChanged,
        Customer.CustomerSurveyRecorded,
    )

    def apply(self, event: Any, rows: Rows) -> None:
        fold(event, rows)


class SatisfactionRow(msgspec.Struct, frozen=True, kw_only=True):
    """One group in one period (DOMAIN.md §4.7 P5); averages 2 decimals, rates 4, half-up."""

    period: str
    group_by: str
    group: str
    surveys_count: int
    avg_score: Decimal | None
    satisfied_count: int
    satisfaction_rate: Decimal | None
    closed_count: int
    evaluated_closed_count: int
    evaluation_rate: Decimal | None
    evaluation_rate_target: Decimal
    below_target: bool
    avg_gap: Decimal | None


class CustomerSurveyRow(msgspec.Struct, frozen=True, kw_only=True):
    """Customer-level surveys (quality cards…) of one tier in one period."""

    period: str
    tier: str
    surveys_count: int
    avg_score: Decimal | None
    satisfied_count: int
    satisfaction_rate: Decimal | None


def below_target(evaluated: int, closed: int) -> bool:
    """Exactly below 80 % of the closures evaluated (no closures: nothing to fall short of)."""
    return closed > 0 and evaluated < EVALUATION_RATE_TARGET * closed


def scores_row(cell: SatisfactionCell, group_by: str) -> SatisfactionRow:
    return SatisfactionRow(
        period=cell.period,
        group_by=group_by,
        group=cell.group_value,
        surveys_count=cell.surveys_count,
        avg_score=average(cell.score_sum, cell.surveys_count),
        satisfied_count=cell.satisfied_count,
        satisfaction_rate=average(cell.satisfied_count, cell.surveys_count, RATE),
        closed_count=cell.closed_count,
        evaluated_closed_count=cell.evaluated_closed_count,
        evaluation_rate=average(cell.evaluated_closed_count, cell.closed_count, RATE),
        evaluation_rate_target=EVALUATION_RATE_TARGET,
        below_target=below_target(cell.evaluated_closed_count, cell.closed_count),
        avg_gap=average(cell.gap_sum, cell.gap_count),
    )


def checked_period(period: str) -> str:
    if not PERIOD.fullmatch(period):
        raise ValidationFailed.one("period", "must be a month YYYY-MM or a quarter YYYY-Qn")
    return period


def satisfaction(rows: ReadRows, period: str, group_by: str) -> list[SatisfactionRow]:
    """P5 for one period, one row per group value in `group_by` (ordered by that value)."""
    dimension = GROUP_ALIASES.get(group_by, group_by)
    if dimension not in GROUP_BY:
        raise ValidationFailed.one("group_by", f"must be one of {', '.join(GROUP_BY_NAMES)}")
    where = (Where("period", "=", checked_period(period)), Where("dimension", "=", dimension))
    cells = rows.select(Select(SATISFACTION_CELLS, where, (Order("group_value"),)))
    return [scores_row(cell, group_by) for cell in cells]


def customer_satisfaction(rows: ReadRows, period: str) -> list[CustomerSurveyRow]:
    """The customer-level surveys of one period per tier, highest tier first."""
    where = (Where("period", "=", checked_period(period)),)
    cells = rows.select(Select(CUSTOMER_SURVEY_CELLS, where))
    rank = {tier.value: index for index, tier in enumerate(Tier)}
    return [
        CustomerSurveyRow(
            period=cell.period,
            tier=cell.tier,
            surveys_count=cell.surveys_count,
            avg_score=average(cell.score_sum, cell.surveys_count),
            satisfied_count=cell.satisfied_count,
            satisfaction_rate=average(cell.satisfied_count, cell.surveys_count, RATE),
        )
        for cell in sorted(cells, key=lambda c: (rank.get(c.tier, len(rank)), c.tier))
    ]
