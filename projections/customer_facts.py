"""What the customer read models know about one customer and its notifications, folded purely.

The profile (P7), the contact queue (P8), the dormant list (P9) and the
big-customer list (P13) each keep their own copy of these facts (a read model
rebuilds alone), but they share this fold. Segments come from `domain.tiers`,
the rules the Customer aggregate itself uses, so a read model never disagrees
with the aggregate about a tier. Nothing here depends on "today": anything
time-dependent (due, overdue, dormant) is computed by queries from `as_of`.

Dates of instants (`*_on`) are taken when folding, in the zone the event's
time carries: the bus writes business time in the business zone (API.md), and
stored timestamps come back in UTC, so a date derived later could be a day off.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, get_type_hints

import msgspec

from domain.case import Case
from domain.customer import Customer
from domain.customer_events import later
from domain.tiers import Tier, assess_tier
from projections.tables import Rows, Table

TIER_RANK = {Tier.BIG_CUSTOMER: 0, Tier.HIGH_END: 1, Tier.MID_END: 2}
"""Priority service for high-value customers: these tiers come first, every other tier after them."""
OTHER_TIER_RANK = len(TIER_RANK)
REGISTERED = "CustomerRegistered"


class Holding(msgspec.Struct, frozen=True):
    product: str
    amount: Decimal


class Project(msgspec.Struct, frozen=True):
    project_id: str
    delivered_on: date


class VisitDay(msgspec.Struct, frozen=True):
    """A day with a return visit, and the project it was about (None: about the customer)."""

    on: date
    project_id: str | None = None


class CustomerFacts(msgspec.Struct, frozen=True, kw_only=True):
    """One customer as the customer read models see it."""

    customer_no: str
    name: str
    kind: str
    master_address: str
    registered_on: date
    account_manager: str | None = None
    functional_locations: dict[str, str] = {}
    contacts: dict[str, str] = {}
    business_lines: list[str] = []
    occupation: str | None = None
    years_of_work: int | None = None
    investment_skill: str | None = None
    preferences: str | None = None
    risk_preference: str | None = None
    value_class: str | None = None
    product_holdings: list[Holding] = []
    monthly_sales: dict[str, Decimal] = {}
    asset_balance: Decimal | None = None
    asset_balance_as_of: date | None = None
    tier: str = Tier.STANDARD.value
    tier_rank: int = OTHER_TIER_RANK
    tier_basis: str = "DEFAULT"
    avg_monthly_sales: Decimal = Decimal("0.00")
    months_considered: int = 0
    asset_band: str | None = None
    margin_priority: bool = False
    last_contact_at: datetime | None = None
    last_contact_channel: str | None = None
    last_contact_effective: bool | None = None
    last_effective_contact_at: datetime | None = None
    last_effective_contact_on: date | None = None
    last_return_visit_at: datetime | None = None
    last_return_visit_channel: str | None = None
    visits: list[VisitDay] = []
    projects: list[Project] = []
    customer_surveys: int = 0
    customer_survey_points: int = 0
    last_activity_at: datetime
    last_activity_on: date
    last_activity_type: str

    @property
    def preferred_channel(self) -> str | None:
        return self.contacts.get("preferred_channel")


class CustomerCase(msgspec.Struct, frozen=True, kw_only=True):
    """One notification of a customer (its ship-to): type, complaint or not, closure, survey."""

    case_no: str
    customer_no: str
    type: str
    complaint: bool
    closed_at: datetime | None = None
    closed_on: date | None = None
    survey_score: int | None = None


FIELD_TYPES = get_type_hints(CustomerFacts)


def registered(event: Any) -> CustomerFacts:
    """A new customer; until anything happens, its registration is its last activity."""
    return segmented(
        CustomerFacts(
            customer_no=event.customer_no,
            name=event.name,
            kind=event.kind,
            master_address=event.master_address,
            registered_on=event.registered_on,
            account_manager=event.account_manager_id,
            contacts=dict(event.contacts),
            business_lines=sorted(event.business_lines),
            last_activity_at=event.occurred_at,
            last_activity_on=event.occurred_at.date(),
            last_activity_type=REGISTERED,
        )
    )


def segmented(facts: CustomerFacts) -> CustomerFacts:
    """The facts with their tier and segments re-assessed by the domain's tier rules."""
    assessment = assess_tier(
        kind=facts.kind,
        business_lines=facts.business_lines,
        monthly_sales=facts.monthly_sales,
        asset_balance=facts.asset_balance,
        product_holdings=[{"product": h.product, "amount": h.amount} for h in facts.product_holdings],
    )
    return msgspec.structs.replace(
        facts,
        tier=assessment.tier.value,
        tier_rank=TIER_RANK.get(assessment.tier, OTHER_TIER_RANK),
        tier_basis=assessment.basis,
        avg_monthly_sales=assessment.avg_monthly_sales,
        months_considered=assessment.months_considered,
        asset_band=None if assessment.asset_band is None else assessment.asset_band.value,
        margin_priority=assessment.margin_priority,
    )


def active(facts: CustomerFacts, at: datetime, kind: str) -> dict[str, Any]:
    """The activity markers after an activity of `kind` at `at`.

    The latest activity wins; at equal times the later-recorded one, since events fold in log order.
    """
    if at < facts.last_activity_at:
        return {}
    return {"last_activity_at": at, "last_activity_on": at.date(), "last_activity_type": kind}


def profile_updated(f: CustomerFacts, e: Any) -> dict[str, Any]:
    """`changes` is keyed by the aggregate's attribute names, which are these facts' names too."""
    return {
        k: msgspec.convert(v, FIELD_TYPES[k], strict=False) for k, v in e.changes.items() if k in FIELD_TYPES
    }


def contacted(f: CustomerFacts, e: Any) -> dict[str, Any]:
    """Last contact of any kind; an effective one (someone talked to the customer) is also activity."""
    changes: dict[str, Any] = {}
    if f.last_contact_at is None or e.at >= f.last_contact_at:
        changes |= {"last_contact_at": e.at, "last_contact_channel": e.channel}
        changes |= {"last_contact_effective": e.effective}
    if e.effective and later(f.last_effective_contact_at, e.at) == e.at:
        changes |= {"last_effective_contact_at": e.at, "last_effective_contact_on": e.at.date()}
    return changes | (active(f, e.at, type(e).__name__) if e.effective else {})


def visited(f: CustomerFacts, e: Any) -> dict[str, Any]:
    """One entry per visit day and project (enough for the windows), kept sorted so rebuilds are identical."""
    days = {*f.visits, VisitDay(e.at.date(), e.project_id)}
    changes: dict[str, Any] = {"visits": sorted(days, key=lambda v: (v.on, v.project_id or ""))}
    if f.last_return_visit_at is None or e.at >= f.last_return_visit_at:
        changes |= {"last_return_visit_at": e.at, "last_return_visit_channel": e.channel}
    return changes | active(f, e.at, type(e).__name__)


def sales_recorded(f: CustomerFacts, e: Any) -> dict[str, Any]:
    changes: dict[str, Any] = {"monthly_sales": {**f.monthly_sales, e.month: e.amount}}
    return changes | (active(f, e.occurred_at, type(e).__name__) if e.amount > 0 else {})


def balance_recorded(f: CustomerFacts, e: Any) -> dict[str, Any]:
    """As the aggregate: a back-dated balance does not replace a more recent one (and is no activity)."""
    if f.asset_balance_as_of is not None and e.as_of < f.asset_balance_as_of:
        return {}
    changes: dict[str, Any] = {"asset_balance": e.amount, "asset_balance_as_of": e.as_of}
    moved = e.amount != (f.asset_balance or Decimal(0))  # no balance yet counts as 0
    return changes | (active(f, e.occurred_at, type(e).__name__) if moved else {})


def project_delivered(f: CustomerFacts, e: Any) -> dict[str, Any]:
    others = [p for p in f.projects if p.project_id != e.project_id]
    return {"projects": sorted([*others, Project(e.project_id, e.delivered_on)], key=lambda p: p.project_id)}


Change = Callable[[CustomerFacts, Any], dict[str, Any]]

CHANGES: dict[str, Change] = {
    "CustomerProfileUpdated": profile_updated,
    "FunctionalLocationCreated": lambda f, e: {
        "functional_locations": {**f.functional_locations, e.fl_no: e.address}
    },
    "AccountManagerAssigned": lambda f, e: {"account_manager": e.employee_id},
    "MonthlySalesRecorded": sales_recorded,
    "AssetBalanceRecorded": balance_recorded,
    "RiskPreferenceAssessed": lambda f, e: {"risk_preference": e.level},
    "ValueClassAssigned": lambda f, e: {"value_class": e.value_class},
    "CustomerContacted": contacted,
    "ReturnVisitCompleted": visited,
    "ProjectDelivered": project_delivered,
    "CustomerSurveyRecorded": lambda f, e: {
        "customer_surveys": f.customer_surveys + 1,
        "customer_survey_points": f.customer_survey_points + e.score,
    },
    "ServiceNotificationCreated": lambda f, e: active(f, e.occurred_at, type(e).__name__),
}
CUSTOMER_EVENTS: tuple[type[Any], ...] = (
    Customer.CustomerRegistered,
    *(getattr(Customer, name) for name in CHANGES if hasattr(Customer, name)),
    Case.ServiceNotificationCreated,
)
"""What the customer facts are folded from (a notification is activity of its ship-to customer)."""
CASE_EVENTS: tuple[type[Any], ...] = (
    Case.ServiceNotificationCreated,
    Case.NotificationClosed,
    Case.SatisfactionSurveyRecorded,
)
"""What a customer's notifications table is folded from."""


def evolve(facts: CustomerFacts | None, event: Any) -> CustomerFacts | None:
    """The facts after one event; None stays None until the customer is registered."""
    name = type(event).__name__
    if name == REGISTERED:
        return registered(event)
    if facts is None or name not in CHANGES:
        return facts
    return segmented(msgspec.structs.replace(facts, **CHANGES[name](facts, event)))


def customer_no_of(event: Any) -> str:
    """The customer an event is about: its stream, or the ship-to of a new notification."""
    if type(event).__name__ == "ServiceNotificationCreated":
        return str(event.ship_to)
    return str(event.originator_id).removeprefix(f"{Customer.STREAM_PREFIX}-")


def evolve_case(case: CustomerCase | None, event: Any) -> CustomerCase | None:
    """A customer's notification after one event (Z2 is a complaint by type, Z1 by category)."""
    name = type(event).__name__
    if name == "ServiceNotificationCreated":
        complaint = event.type == "Z2" or event.category == "COMPLAINT"
        return CustomerCase(
            case_no=event.case_no, customer_no=event.ship_to, type=event.type, complaint=complaint
        )
    if case is None:
        return None
    if name == "NotificationClosed":
        return msgspec.structs.replace(case, closed_at=event.occurred_at, closed_on=event.occurred_at.date())
    if name == "SatisfactionSurveyRecorded":
        return msgspec.structs.replace(case, survey_score=event.score)
    return case


def fold_customer_event(table: Table[CustomerFacts], event: Any, rows: Rows) -> None:
    """Keep `table` (one CustomerFacts row per customer) up to date; shared by P7, P8, P9 and P13."""
    customer_no = customer_no_of(event)
    before = rows.get(table, customer_no)
    after = evolve(before, event)
    if after is not None and after != before:
        rows.put(table, after)


def fold_case_event(table: Table[CustomerCase], event: Any, rows: Rows) -> None:
    """Keep `table` (one CustomerCase row per notification) up to date; shared by P7 and P8."""
    case_no = str(event.originator_id).removeprefix(f"{Case.STREAM_PREFIX}-")
    before = rows.get(table, case_no)
    after = evolve_case(before, event)
    if after is not None and after != before:
        rows.put(table, after)
