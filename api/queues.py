"""Queue endpoints (API.md "Read models"): work queue and work plan (P1), approvals (P2),
regional logistics (P3) and the return-visit contact queue (P8).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency, Provide
from litestar.params import QueryParameter
from litestar.types import ControllerRouterHandler

from api.ports import Services
from api.query_params import (
    READ_REFUSALS,
    REF_CODE,
    AsOf,
    CustomerNo,
    DateFrom,
    DateTo,
    SalesOffice,
    StaffId,
    business_now,
    checked_range,
    choices,
    multi,
    one_of,
    page_response,
    required,
    today,
)
from api.reading import Cursor, Limit, MinPosition, consult, page_request, respond
from domain.actor import Actor
from domain.case_values import CaseType, SystemStatus, Urgency, UserStatus
from projections.approval_queue import ApprovalQueueItem, ApprovalQueueProjection, approval_queue
from projections.contact_queue import ContactQueueItem, ContactQueueProjection, contact_queue
from projections.logistics_queue import LogisticsQueueItem, RegionalLogisticsQueueProjection, logistics_queue
from projections.principals import PrincipalsProjection, names
from projections.return_visits import Reason
from projections.tables import Page
from projections.work_queue import (
    WorkPlanGroup,
    WorkQueueFilter,
    WorkQueueItem,
    WorkQueueProjection,
    work_plan,
    work_queue,
)


def staff_names(services: Services, actor_ids: Iterable[str], min_position: int | None) -> dict[str, str]:
    """Display names from the principal registry: the name given when the actor's key was issued."""
    rows, _ = consult(services, PrincipalsProjection, min_position)
    return names(rows, actor_ids)


def named(item: WorkQueueItem, staff: Mapping[str, str]) -> WorkQueueItem:
    return msgspec.structs.replace(item, responsible_name=staff.get(item.responsible_person, ""))


def named_group(group: WorkPlanGroup, staff: Mapping[str, str]) -> WorkPlanGroup:
    return msgspec.structs.replace(
        group,
        responsible_name=staff.get(group.responsible_person, ""),
        items=[named(item, staff) for item in group.items],
    )


def work_queue_filter(
    system_status: Annotated[str | None, multi("System status.", SystemStatus)] = None,
    user_status: Annotated[str | None, multi("User status.", UserStatus)] = None,
    type: Annotated[str | None, multi("Notification type.", CaseType)] = None,
    urgency: Annotated[str | None, multi("Urgency.", Urgency)] = None,
    notification_date: Annotated[date | None, QueryParameter(description="Created on this day.")] = None,
    date_from: Annotated[date | None, QueryParameter(description="Created on or after this day.")] = None,
    date_to: Annotated[date | None, QueryParameter(description="Created on or before this day.")] = None,
    required_start_from: Annotated[date | None, QueryParameter(description="required_start ≥ this.")] = None,
    required_start_to: Annotated[date | None, QueryParameter(description="required_start ≤ this.")] = None,
    main_work_center: Annotated[str | None, QueryParameter(pattern=REF_CODE)] = None,
    responsible_person: StaffId = None,
    sales_office: SalesOffice = None,
    sales_org: Annotated[str | None, QueryParameter(pattern=REF_CODE)] = None,
    customer_no: CustomerNo = None,
    overdue_only: Annotated[bool, QueryParameter(description="Only overdue rows (see as_of).")] = False,
) -> WorkQueueFilter:
    """The IW59 selection screen, from the query string."""
    checked_range(date_from, date_to)
    return WorkQueueFilter(
        system_status=choices(system_status, "system_status", SystemStatus),
        user_status=choices(user_status, "user_status", UserStatus),
        type=choices(type, "type", CaseType),
        urgency=choices(urgency, "urgency", Urgency),
        notification_date=notification_date, date_from=date_from, date_to=date_to,
        required_start_from=required_start_from, required_start_to=required_start_to,
        main_work_center=main_work_center, responsible_person=responsible_person,
        sales_office=sales_office, sales_org=sales_org, customer_no=customer_no, overdue_only=overdue_only,
    )  # fmt: skip


class WorkQueuePage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[WorkQueueItem]
    next_cursor: str | None


class WorkPlan(msgspec.Struct, frozen=True, kw_only=True):
    """ZSMR006: one group per responsible person, in order of their id."""

    groups: list[WorkPlanGroup]


class ApprovalQueuePage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[ApprovalQueueItem]
    next_cursor: str | None


class LogisticsQueuePage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[LogisticsQueueItem]
    next_cursor: str | None


class ContactQueuePage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[ContactQueueItem]
    next_cursor: str | None


class QueuesController(Controller):
    """Work lists of the service desk, read from read models (eventually consistent: see min_position)."""

    path = "/v1/queues"
    tags = ["queues"]  # noqa: RUF012 (Litestar reads it as a class attribute)

    @get(
        "/work",
        sync_to_thread=True,
        summary="Work queue (IW59)",
        operation_id="WorkQueue",
        dependencies={"filters": Provide(work_queue_filter, sync_to_thread=False)},
        responses=READ_REFUSALS,
    )
    def work(
        self,
        request: Request[Any, Any, Any],
        services: NamedDependency[Services],
        reader: NamedDependency[Actor],
        filters: NamedDependency[WorkQueueFilter],
        as_of: AsOf = None,
        limit: Limit = 50,
        cursor: Cursor = None,
        min_position: MinPosition = None,
    ) -> Response[WorkQueuePage]:
        """Service notifications, one row each, filtered like the IW59 selection screen.

        Ordered by urgency (URGENT first), then `required_start`, then `case_no`. Every filter
        given must hold; a comma-separated filter matches any of its values
        (`system_status=OUTSTANDING,IN_PROCESS`). `date_from`/`date_to` bound the notification
        date; `overdue_only` keeps rows not COMPLETED whose `required_end` is before `as_of`,
        which also sets `is_overdue` and `days_open`. `responsible_name` is the display name
        from the principal registry. `Accept: text/csv` returns the rows of the page as CSV.
        """
        rows, position = consult(services, WorkQueueProjection, min_position)
        found = work_queue(rows, filters, today(services, as_of), page_request(limit, cursor))
        staff = staff_names(services, (item.responsible_person for item in found.items), min_position)
        found = Page([named(item, staff) for item in found.items], found.next_cursor)
        return page_response(request, WorkQueuePage, found, position)

    @get(
        "/work-plan",
        sync_to_thread=True,
        summary="Work plan of a sales office (ZSMR006)",
        operation_id="WorkPlan",
        responses=READ_REFUSALS,
    )
    def work_plan(
        self,
        request: Request[Any, Any, Any],
        services: NamedDependency[Services],
        reader: NamedDependency[Actor],
        sales_office: Annotated[
            str | None, QueryParameter(pattern=REF_CODE, description="Sales office code (required).")
        ] = None,
        date_from: DateFrom = None,
        date_to: DateTo = None,
        as_of: AsOf = None,
        min_position: MinPosition = None,
    ) -> Response[WorkPlan]:
        """The office's open Z1 notifications (OUTSTANDING or IN_PROCESS), grouped by responsible person.

        `date_from`/`date_to` bound the notification date (both optional: open-ended). Groups are
        ordered by responsible person id, rows in a group by `required_start`, then `case_no`.
        Rows have the work-queue columns. `Accept: text/csv` returns all rows, flattened, as CSV.
        """
        office = required(sales_office, "sales_office")
        checked_range(date_from, date_to)
        rows, position = consult(services, WorkQueueProjection, min_position)
        bounds = (date_from or date.min, date_to or date.max)
        groups = work_plan(rows, office, *bounds, today(services, as_of))
        staff = staff_names(services, (group.responsible_person for group in groups), min_position)
        groups = [named_group(group, staff) for group in groups]
        flat = [item for group in groups for item in group.items]
        return respond(request, WorkPlan(groups=groups), position, flat)

    @get(
        "/approvals",
        sync_to_thread=True,
        summary="Supervisor approval queue",
        operation_id="ApprovalQueue",
        responses=READ_REFUSALS,
    )
    def approvals(
        self,
        request: Request[Any, Any, Any],
        services: NamedDependency[Services],
        reader: NamedDependency[Actor],
        sales_office: SalesOffice = None,
        limit: Limit = 50,
        cursor: Cursor = None,
        min_position: MinPosition = None,
    ) -> Response[ApprovalQueuePage]:
        """Notifications waiting for a supervisor to approve or reject an approval request.

        Oldest request first (`requested_at`, then `case_no`); a row leaves the queue when the
        request is approved or rejected. `waiting_hours` counts whole hours until now.
        `sales_office` keeps one office. `Accept: text/csv` returns the page as CSV.
        """
        rows, position = consult(services, ApprovalQueueProjection, min_position)
        found = approval_queue(rows, business_now(services), page_request(limit, cursor), sales_office)
        return page_response(request, ApprovalQueuePage, found, position)

    @get(
        "/regional-logistics",
        sync_to_thread=True,
        summary="Regional logistics queue",
        operation_id="RegionalLogisticsQueue",
        responses=READ_REFUSALS,
    )
    def regional_logistics(
        self,
        request: Request[Any, Any, Any],
        services: NamedDependency[Services],
        reader: NamedDependency[Actor],
        limit: Limit = 50,
        cursor: Cursor = None,
        min_position: MinPosition = None,
    ) -> Response[LogisticsQueuePage]:
        """What regional logistics (区物流) owes an answer to.

        Z1 notifications approved (ZGPZ) and escalated with no department reply yet, and Z2
        notifications whose complaint form was sent and that are not COMPLETED. Every row shows
        the customer's payment status (完款状况). Longest wait first (`escalated_at`, then
        `case_no`); `days_waiting` counts calendar days until today. `Accept: text/csv` for CSV.
        """
        rows, position = consult(services, RegionalLogisticsQueueProjection, min_position)
        found = logistics_queue(rows, business_now(services), page_request(limit, cursor))
        return page_response(request, LogisticsQueuePage, found, position)

    @get(
        "/contacts",
        sync_to_thread=True,
        summary="Return-visit contact queue",
        operation_id="ContactQueue",
        responses=READ_REFUSALS,
    )
    def contacts(
        self,
        request: Request[Any, Any, Any],
        services: NamedDependency[Services],
        reader: NamedDependency[Actor],
        as_of: AsOf = None,
        account_manager: StaffId = None,
        reason: Annotated[str | None, QueryParameter(description=f"One of: {', '.join(Reason)}.")] = None,
        limit: Limit = 50,
        cursor: Cursor = None,
        min_position: MinPosition = None,
    ) -> Response[ContactQueuePage]:
        """Return visits (回访) due on `as_of`, one row per customer and reason.

        Reasons: a new customer's first visit (10 days after registration), monthly then
        quarterly visits after a delivered project, a follow-up two weeks after the last
        effective contact (at most 5 a day per account manager) and a visit after a closed
        complaint. OVERDUE rows first, then by due date, then tier priority (big and high-end
        customers first). `account_manager` and `reason` narrow the list. CSV with `Accept: text/csv`.
        """
        wanted = one_of(reason, "reason", Reason)
        rows, position = consult(services, ContactQueueProjection, min_position)
        found = contact_queue(
            rows, today(services, as_of), page_request(limit, cursor), account_manager, wanted
        )
        return page_response(request, ContactQueuePage, found, position)


ROUTES: list[ControllerRouterHandler] = [QueuesController]
