"""P9 dormant customers (睡眠客户): customers with no activity for a number of days, for outreach.

Activity (DOMAIN.md §4.7 P9) is an effective contact, a return visit, a new
notification for the customer (ship-to), recorded monthly sales above zero, or
an asset balance that changes the current balance (a back-dated balance that
does not replace the current one, or the same amount again, is no activity; no
balance yet counts as 0). Each counts at its business time (`occurred_at`;
for contacts and visits their `at`, which is the same). A customer with no
activity yet counts from its registration (`last_activity_type`
CustomerRegistered), so a customer never heard of after sign-up still surfaces.

Dormant means `as_of − last activity date ≥ days` (default 365, no source
value; inclusive). Both are query arguments, so nothing is stored per day.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, ClassVar

import msgspec

from projections.base import CrmProjection
from projections.customer_facts import CUSTOMER_EVENTS, CustomerFacts, fold_customer_event
from projections.tables import Order, Page, PageRequest, ReadRows, Rows, Select, Table, Where, page

DORMANT_AFTER_DAYS = 365


def days_inactive(facts: CustomerFacts, as_of: date) -> int:
    return (as_of - facts.last_activity_on).days


def is_dormant(facts: CustomerFacts, as_of: date, days: int = DORMANT_AFTER_DAYS) -> bool:
    return days_inactive(facts, as_of) >= days


DORMANT_CUSTOMERS = Table(
    "rm_dormant_customers",
    CustomerFacts,
    key=("customer_no",),
    indexes=(("tier_rank", "last_activity_on", "customer_no"),),
)


class DormantCustomersProjection(CrmProjection):
    name = "dormant_customers"
    tables: ClassVar[tuple[Table[Any], ...]] = (DORMANT_CUSTOMERS,)
    handles = CUSTOMER_EVENTS

    def apply(self, event: Any, rows: Rows) -> None:
        fold_customer_event(DORMANT_CUSTOMERS, event, rows)


class DormantCustomerItem(msgspec.Struct, frozen=True, kw_only=True):
    """A dormant-customer row (DOMAIN.md §4.7 P9 columns)."""

    customer_no: str
    name: str
    tier: str
    value_class: str | None
    asset_balance: Decimal | None
    avg_monthly_sales: Decimal
    days_inactive: int
    last_activity_at: datetime
    last_activity_type: str
    account_manager: str | None


SHOWN = tuple(
    name for name in DormantCustomerItem.__struct_fields__ if name in CustomerFacts.__struct_fields__
)
DORMANT_ORDER = (Order("tier_rank"), Order("last_activity_on"), Order("customer_no"))
"""Tier priority, then the longest asleep (earliest last activity), then customer number."""


def dormant_item(facts: CustomerFacts, as_of: date) -> DormantCustomerItem:
    return DormantCustomerItem(
        **{name: getattr(facts, name) for name in SHOWN}, days_inactive=days_inactive(facts, as_of)
    )


def dormant_customers(
    rows: ReadRows, as_of: date, request: PageRequest | None = None, days: int = DORMANT_AFTER_DAYS
) -> Page[DormantCustomerItem]:
    """Customers dormant on `as_of`: last activity on or before `as_of − days`."""
    where = (Where("last_activity_on", "<=", as_of - timedelta(days=days)),)
    found = page(rows, Select(DORMANT_CUSTOMERS, where, DORMANT_ORDER), request or PageRequest())
    return Page([dormant_item(facts, as_of) for facts in found.items], found.next_cursor)
