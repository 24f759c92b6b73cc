"""P13 big-customer list (大客户) and, with `tier=None`, the whole tier list.

The tier and its basis come from the domain's tier rules (`domain.tiers`)
applied to the customer's current facts, so `basis` and `avg_monthly_sales`
always agree (e.g. `AVG_MONTHLY_SALES:2150.00` with 2150.00 over the months
considered). By default only BIG_CUSTOMER rows are listed, as DOMAIN.md names
the list; `tier` picks another tier, and None lists every customer, in tier
priority order, for the tier-list reading of P13.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

import msgspec

from domain.tiers import Tier
from projections.base import CrmProjection
from projections.customer_facts import CUSTOMER_EVENTS, CustomerFacts, fold_customer_event
from projections.tables import Order, Page, PageRequest, ReadRows, Rows, Select, Table, Where, page

BIG_CUSTOMERS = Table(
    "rm_big_customers", CustomerFacts, key=("customer_no",), indexes=(("tier_rank", "customer_no"),)
)


class BigCustomersProjection(CrmProjection):
    name = "big_customers"
    tables: ClassVar[tuple[Table[Any], ...]] = (BIG_CUSTOMERS,)
    handles = CUSTOMER_EVENTS

    def apply(self, event: Any, rows: Rows) -> None:
        fold_customer_event(BIG_CUSTOMERS, event, rows)


class BigCustomerItem(msgspec.Struct, frozen=True, kw_only=True):
    """A tier-list row (DOMAIN.md §4.7 P13 columns, plus kind and account manager)."""

    customer_no: str
    name: str
    tier: str
    basis: str
    avg_monthly_sales: Decimal
    months_considered: int
    kind: str
    account_manager: str | None


def big_customer_item(facts: CustomerFacts) -> BigCustomerItem:
    return BigCustomerItem(
        customer_no=facts.customer_no,
        name=facts.name,
        tier=facts.tier,
        basis=facts.tier_basis,
        avg_monthly_sales=facts.avg_monthly_sales,
        months_considered=facts.months_considered,
        kind=facts.kind,
        account_manager=facts.account_manager,
    )


def big_customers(
    rows: ReadRows, request: PageRequest | None = None, tier: str | None = Tier.BIG_CUSTOMER.value
) -> Page[BigCustomerItem]:
    """Customers of `tier` (default BIG_CUSTOMER; None: all) by tier priority, then customer number."""
    where = () if tier is None else (Where("tier", "=", tier),)
    query = Select(BIG_CUSTOMERS, where, (Order("tier_rank"), Order("customer_no")))
    found = page(rows, query, request or PageRequest())
    return Page([big_customer_item(facts) for facts in found.items], found.next_cursor)
