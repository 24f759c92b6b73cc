"""Report endpoints for analysts (API.md "Read models"): overdue (P4), satisfaction (P5),
dormant customers (P9), monthly customer statistics (P10), complaints (P11), the
quote and invoice register (P12) and the big-customer list (P13).
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.types import ControllerRouterHandler

from api.customer_reads import profile_of
from api.ports import Services
from api.query_params import (
    CUSTOMER_REFUSALS,
    READ_REFUSALS,
    YEAR,
    AsOf,
    CustomerNo,
    DateFrom,
    DateTo,
    SalesOffice,
    checked_range,
    choices,
    multi,
    one_of,
    page_response,
    today,
)
from api.reading import Cursor, Limit, MinPosition, consult, page_request, respond
from domain.actor import Actor
from domain.case_values import OrderStatus
from domain.tiers import Tier
from projections.big_customers import BigCustomerItem, BigCustomersProjection, big_customers
from projections.complaint_statistics import (
    ComplaintStatisticsProjection,
    ComplaintStatisticsRow,
    complaint_statistics,
)
from projections.dormant_customers import (
    DORMANT_AFTER_DAYS,
    DormantCustomerItem,
    DormantCustomersProjection,
    dormant_customers,
)
from projections.monthly_statistics import (
    MonthlyStatistics,
    MonthlyStatisticsProjection,
    month_of,
    monthly_statistics,
)
from projections.overdue import OverdueProjection, OverdueRow, overdue_list
from projections.quote_register import (
    QuoteRegisterFilter,
    QuoteRegisterProjection,
    QuoteRegisterRow,
    quote_register,
)
from projections.satisfaction import (
    GROUP_BY,
    GROUP_BY_NAMES,
    CustomerSurveyRow,
    SatisfactionRow,
    SatisfactionScoresProjection,
    customer_satisfaction,
    satisfaction,
)

ALL_TIERS = "ALL"
Month = Annotated[
    str | None,
    QueryParameter(
        pattern=rf"^{YEAR}-(0[1-9]|1[0-2])$",
        description="Calendar month YYYY-MM; default: the current month.",
    ),
]
Period = Annotated[
    str | None,
    QueryParameter(
        pattern=rf"^{YEAR}-(0[1-9]|1[0-2]|Q[1-4])$",
        description="Month YYYY-MM or quarter YYYY-Qn; default: the current month.",
    ),
]
GroupBy = Annotated[
    str, QueryParameter(description=f"One of: {', '.join(GROUP_BY_NAMES)} (`notification_type` = `type`).")
]
Days = Annotated[
    int, QueryParameter(ge=1, le=36_500, description="Days without activity that make a customer dormant.")
]
TierParameter = Annotated[
    str | None,
    QueryParameter(description=f"One of: {', '.join(Tier)}, or {ALL_TIERS}; default: {Tier.BIG_CUSTOMER}."),
]


class OverduePage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[OverdueRow]
    next_cursor: str | None


class SatisfactionReport(msgspec.Struct, frozen=True, kw_only=True):
    """One row per group in the period; `customer_surveys` holds the customer-level surveys per tier."""

    items: list[SatisfactionRow]
    next_cursor: str | None = None
    customer_surveys: list[CustomerSurveyRow]


class DormantCustomersPage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[DormantCustomerItem]
    next_cursor: str | None


class ComplaintReport(msgspec.Struct, frozen=True, kw_only=True):
    items: list[ComplaintStatisticsRow]
    next_cursor: str | None = None


class ServiceOrdersPage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[QuoteRegisterRow]
    next_cursor: str | None


class BigCustomersPage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[BigCustomerItem]
    next_cursor: str | None


class ReportsController(Controller):
    """Reports computed from read models (eventually consistent: see min_position)."""

    path = "/v1/reports"
    tags = ["reports"]  # noqa: RUF012 (Litestar reads it as a class attribute)

    @get(
        "/overdue",
        sync_to_thread=True,
        summary="Overdue / SLA list",
        operation_id="OverdueReport",
        responses=READ_REFUSALS,
    )
    def overdue(
        self,
        request: Request[Any, Any, Any],
        services: NamedDependency[Services],
        reader: NamedDependency[Actor],
        as_of: AsOf = None,
        limit: Limit = 50,
        cursor: Cursor = None,
        min_position: MinPosition = None,
    ) -> Response[OverduePage]:
        """Notifications late on `as_of`, one row per notification and reason.

        Reasons: `OVERDUE_END` (not COMPLETED and `as_of` after `required_end`),
        `SURVEY_NOT_STARTED` (Z1 still in TZJL after `required_start`) and
        `URGENT_NOT_DISPATCHED` (URGENT and no service staff notified; counted from the
        notification date). Most overdue first (`days_overdue` desc), then `case_no`, then
        `reason`. CSV with `Accept: text/csv`.
        """
        rows, position = consult(services, OverdueProjection, min_position)
        found = overdue_list(rows, today(services, as_of), page_request(limit, cursor))
        return page_response(request, OverduePage, found, position)

    @get(
        "/satisfaction",
        sync_to_thread=True,
        summary="Satisfaction scores",
        operation_id="SatisfactionReport",
        responses=READ_REFUSALS,
    )
    def satisfaction(
        self,
        request: Request[Any, Any, Any],
        services: NamedDependency[Services],
        reader: NamedDependency[Actor],
        period: Period = None,
        group_by: GroupBy = GROUP_BY[0],
        min_position: MinPosition = None,
    ) -> Response[SatisfactionReport]:
        """Satisfaction surveys and the evaluation rate per group in a month or quarter.

        Surveys count in the period of the survey, closures in the period of the close.
        `avg_score` has 2 decimals; rates are fractions with 4 decimals; `below_target` flags an
        `evaluation_rate` (surveyed closures / closures) under the 0.80 target. Rows are ordered
        by group value; `group_by` defaults to `responsible_person`. `customer_surveys` reports
        the customer-level surveys (quality cards…) per tier. CSV (the group rows) with
        `Accept: text/csv`.
        """
        chosen = period or month_of(today(services))
        rows, position = consult(services, SatisfactionScoresProjection, min_position)
        groups = satisfaction(rows, chosen, group_by)
        report = SatisfactionReport(items=groups, customer_surveys=customer_satisfaction(rows, chosen))
        return respond(request, report, position, groups)

    @get(
        "/dormant-customers",
        sync_to_thread=True,
        summary="Dormant customers",
        operation_id="DormantCustomersReport",
        responses=READ_REFUSALS,
    )
    def dormant_customers(
        self,
        request: Request[Any, Any, Any],
        services: NamedDependency[Services],
        reader: NamedDependency[Actor],
        as_of: AsOf = None,
        days: Days = DORMANT_AFTER_DAYS,
        limit: Limit = 50,
        cursor: Cursor = None,
        min_position: MinPosition = None,
    ) -> Response[DormantCustomersPage]:
        """Customers (睡眠客户) with no activity for at least `days` days (default 365) on `as_of`.

        Activity: an effective contact, a return visit, a new notification, monthly sales above
        zero or a changed asset balance; a customer never active counts from its registration.
        Ordered by tier priority, then the longest inactive first. CSV with `Accept: text/csv`.
        """
        rows, position = consult(services, DormantCustomersProjection, min_position)
        found = dormant_customers(rows, today(services, as_of), page_request(limit, cursor), days)
        return page_response(request, DormantCustomersPage, found, position)

    @get(
        "/customers/{customer_no:str}/monthly",
        sync_to_thread=True,
        summary="Monthly customer statistics",
        operation_id="MonthlyCustomerReport",
        responses=CUSTOMER_REFUSALS,
    )
    def customer_monthly(
        self,
        request: Request[Any, Any, Any],
        services: NamedDependency[Services],
        reader: NamedDependency[Actor],
        customer_no: FromPath[str],
        month: Month = None,
        as_of: AsOf = None,
        min_position: MinPosition = None,
    ) -> Response[MonthlyStatistics]:
        """One customer's service in one month (月度统计分析报告), ready to send to the customer.

        Notifications created (Z1, Z2) and closed, average days to close, open and overdue at
        month end (for the running month: on `as_of`), complaints, item reason codes,
        escalations to headquarters, surveys, return visits and the invoiced amount.
        404 `CUSTOMER_NOT_FOUND` for an unknown customer. `Accept: text/csv` gives one CSV row.
        """
        day = today(services, as_of)
        profile_of(services, customer_no, day, min_position)
        rows, position = consult(services, MonthlyStatisticsProjection, min_position)
        report = monthly_statistics(rows, customer_no, month or month_of(day), day)
        return respond(request, report, position, [report])

    @get(
        "/complaints",
        sync_to_thread=True,
        summary="Complaint statistics",
        operation_id="ComplaintReport",
        responses=READ_REFUSALS,
    )
    def complaints(
        self,
        request: Request[Any, Any, Any],
        services: NamedDependency[Services],
        reader: NamedDependency[Actor],
        month: Month = None,
        sales_office: SalesOffice = None,
        as_of: AsOf = None,
        min_position: MinPosition = None,
    ) -> Response[ComplaintReport]:
        """Complaints (投诉统计报表) of one month per sales office, ordered by office.

        Received (Z2 and Z1 complaints), closed, open at month end (for the running month: on
        `as_of`), escalated to regional logistics, average resolution days and counts per
        complaint kind. `sales_office` keeps one office. CSV with `Accept: text/csv`.
        """
        day = today(services, as_of)
        rows, position = consult(services, ComplaintStatisticsProjection, min_position)
        found = complaint_statistics(rows, month or month_of(day), sales_office, day)
        return respond(request, ComplaintReport(items=found), position, found)

    @get(
        "/service-orders",
        sync_to_thread=True,
        summary="Quote and invoice register",
        operation_id="ServiceOrders",
        responses=READ_REFUSALS,
    )
    def service_orders(
        self,
        request: Request[Any, Any, Any],
        services: NamedDependency[Services],
        reader: NamedDependency[Actor],
        status: Annotated[str | None, multi("Order status.", OrderStatus)] = None,
        date_from: DateFrom = None,
        date_to: DateTo = None,
        customer_no: CustomerNo = None,
        limit: Limit = 50,
        cursor: Cursor = None,
        min_position: MinPosition = None,
    ) -> Response[ServiceOrdersPage]:
        """ZFFW service orders from quote to ZFW invoice, oldest quote first.

        `status=CONFIRMED` lists the quotes the customer accepted that are not invoiced yet.
        `date_from`/`date_to` bound the quote's business date. CSV with `Accept: text/csv`.
        """
        checked_range(date_from, date_to)
        filters = QuoteRegisterFilter(
            status=choices(status, "status", OrderStatus),
            date_from=date_from,
            date_to=date_to,
            customer_no=customer_no,
        )
        rows, position = consult(services, QuoteRegisterProjection, min_position)
        found = quote_register(rows, filters, page_request(limit, cursor))
        return page_response(request, ServiceOrdersPage, found, position)

    @get(
        "/big-customers",
        sync_to_thread=True,
        summary="Big customers and tiers",
        operation_id="BigCustomers",
        responses=READ_REFUSALS,
    )
    def big_customers(
        self,
        request: Request[Any, Any, Any],
        services: NamedDependency[Services],
        reader: NamedDependency[Actor],
        tier: TierParameter = None,
        limit: Limit = 50,
        cursor: Cursor = None,
        min_position: MinPosition = None,
    ) -> Response[BigCustomersPage]:
        """Big customers (大客户) with the basis of their tier, e.g. `AVG_MONTHLY_SALES:2150.00`.

        `tier` lists another tier instead, or `ALL` every customer (the tier list). Ordered by
        tier priority, then customer number. CSV with `Accept: text/csv`.
        """
        chosen = None if tier == ALL_TIERS else one_of(tier or Tier.BIG_CUSTOMER, "tier", Tier)
        rows, position = consult(services, BigCustomersProjection, min_position)
        found = big_customers(rows, page_request(limit, cursor), chosen)
        return page_response(request, BigCustomersPage, found, position)


ROUTES: list[ControllerRouterHandler] = [ReportsController]
