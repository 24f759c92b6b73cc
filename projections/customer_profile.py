"""P7 customer profile (客户档案): one customer's archive, with what depends on the day computed for `as_of`.

Stored: the customer's facts (`customer_facts`) and its notifications (type,
complaint or not, closure, survey score). Computed by the query for `as_of`:
the next return visit due (the P8 rules of `return_visits`) and the dormant
flag (the P9 rule of `dormant_customers`).

`avg_satisfaction` is the mean, 2 decimals half-up, of every satisfaction
score about the customer: the survey of each of its notifications (ship-to;
SatisfactionSurveyRecorded) and each customer-level survey
(CustomerSurveyRecorded: quality card, phone, online, form). Return-visit
scores are not included: they rate the visit, not the service.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, ClassVar

import msgspec

from projections.base import CrmProjection
from projections.customer_facts import (
    CASE_EVENTS,
    CUSTOMER_EVENTS,
    CustomerCase,
    CustomerFacts,
    Holding,
    fold_case_event,
    fold_customer_event,
)
from projections.dormant_customers import DORMANT_AFTER_DAYS, days_inactive, is_dormant
from projections.return_visits import next_due
from projections.tables import ReadRows, Rows, Select, Table, Where

CENT = Decimal("0.01")

CUSTOMER_PROFILE = Table("rm_customer_profile", CustomerFacts, key=("customer_no",))
CUSTOMER_PROFILE_CASES = Table(
    "rm_customer_profile_cases", CustomerCase, key=("case_no",), indexes=(("customer_no",),)
)


class CustomerProfileProjection(CrmProjection):
    name = "customer_profile"
    tables: ClassVar[tuple[Table[Any], ...]] = (CUSTOMER_PROFILE, CUSTOMER_PROFILE_CASES)
    handles = tuple(dict.fromkeys(CUSTOMER_EVENTS + CASE_EVENTS))

    def apply(self, event: Any, rows: Rows) -> None:
        if event.originator_id.startswith("notification-"):
            fold_case_event(CUSTOMER_PROFILE_CASES, event, rows)
        if type(event) in CUSTOMER_EVENTS:
            fold_customer_event(CUSTOMER_PROFILE, event, rows)


class OpenClosed(msgspec.Struct, frozen=True, kw_only=True):
    open: int = 0
    closed: int = 0


class CustomerProfileItem(msgspec.Struct, frozen=True, kw_only=True):
    """The profile as integrators see it (DOMAIN.md §4.7 P7, §3.5)."""

    customer_no: str
    name: str
    kind: str
    master_address: str
    functional_locations: dict[str, str]
    contacts: dict[str, str]
    registered_on: date
    occupation: str | None
    years_of_work: int | None
    investment_skill: str | None
    preferences: str | None
    risk_preference: str | None
    product_holdings: list[Holding]
    business_lines: list[str]
    tier: str
    tier_basis: str
    avg_monthly_sales: Decimal
    months_considered: int
    asset_balance: Decimal | None
    asset_band: str | None
    value_class: str | None
    margin_priority: bool
    account_manager: str | None
    notifications_by_type: dict[str, OpenClosed]
    complaints: OpenClosed
    last_contact_at: datetime | None
    last_contact_channel: str | None
    last_contact_effective: bool | None
    last_return_visit_at: datetime | None
    last_return_visit_channel: str | None
    next_return_visit_due: date | None
    next_return_visit_reason: str | None
    avg_satisfaction: Decimal | None
    satisfaction_surveys: int
    dormant: bool
    days_inactive: int
    last_activity_at: datetime
    last_activity_type: str


COPIED = tuple(
    name for name in CustomerProfileItem.__struct_fields__ if name in CustomerFacts.__struct_fields__
)


def counts_by_type(cases: list[CustomerCase]) -> dict[str, OpenClosed]:
    """Open and closed notifications per type (Z1, Z2), only for types the customer has."""
    by_type: dict[str, OpenClosed] = {}
    for case in cases:
        by_type[case.type] = tally(by_type.get(case.type, OpenClosed()), case)
    return dict(sorted(by_type.items()))


def tally(counts: OpenClosed, case: CustomerCase) -> OpenClosed:
    if case.closed_at is None:
        return msgspec.structs.replace(counts, open=counts.open + 1)
    return msgspec.structs.replace(counts, closed=counts.closed + 1)


def complaint_counts(cases: list[CustomerCase]) -> OpenClosed:
    counts = OpenClosed()
    for case in cases:
        if case.complaint:
            counts = tally(counts, case)
    return counts


def satisfaction(facts: CustomerFacts, cases: list[CustomerCase]) -> tuple[Decimal | None, int]:
    """(mean score, number of surveys) over notification surveys and customer surveys."""
    scores = [case.survey_score for case in cases if case.survey_score is not None]
    count = len(scores) + facts.customer_surveys
    if count == 0:
        return None, 0
    total = Decimal(sum(scores) + facts.customer_survey_points)
    return (total / count).quantize(CENT, rounding=ROUND_HALF_UP), count


def profile_item(
    facts: CustomerFacts, cases: list[CustomerCase], as_of: date, dormant_after_days: int = DORMANT_AFTER_DAYS
) -> CustomerProfileItem:
    """The profile on `as_of` (pure: the unit tests fold facts and call this)."""
    due = next_due(facts, cases, as_of)
    avg, surveys = satisfaction(facts, cases)
    return CustomerProfileItem(
        **{name: getattr(facts, name) for name in COPIED},
        notifications_by_type=counts_by_type(cases),
        complaints=complaint_counts(cases),
        next_return_visit_due=None if due is None else due.due_date,
        next_return_visit_reason=None if due is None else due.reason.value,
        avg_satisfaction=avg,
        satisfaction_surveys=surveys,
        dormant=is_dormant(facts, as_of, dormant_after_days),
        days_inactive=days_inactive(facts, as_of),
    )


def customer_profile(
    rows: ReadRows, customer_no: str, as_of: date, dormant_after_days: int = DORMANT_AFTER_DAYS
) -> CustomerProfileItem | None:
    """One customer's profile on `as_of`, or None when no such customer is known."""
    found = rows.select(Select(CUSTOMER_PROFILE, (Where("customer_no", "=", customer_no),)))
    if not found:
        return None
    cases = rows.select(Select(CUSTOMER_PROFILE_CASES, (Where("customer_no", "=", customer_no),)))
    return profile_item(found[0], cases, as_of, dormant_after_days)
