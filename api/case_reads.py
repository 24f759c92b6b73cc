"""`GET /v1/cases/{case_no}`: a notification's state now (with its ETag), or replayed as of the past."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

import msgspec
from litestar import Response, get
from litestar.datastructures import ResponseHeader
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.types import ControllerRouterHandler

from api.ports import Services
from api.query_params import query_refusals
from api.reading import MAX_POSITION, POSITION_HEADER, MinPosition
from application.replay import case_as_of
from domain.actor import Actor
from domain.case import Case


class ItemResponse(msgspec.Struct, frozen=True, kw_only=True):
    item_no: int
    product_category: str
    product_subcategory: str
    colour_main: str
    colour_secondary: str
    material: str
    quantity: int
    reason_code: str
    reason_text: str
    is_oem: bool


class LongTextResponse(msgspec.Struct, frozen=True, kw_only=True):
    text: str
    author_id: str
    at: datetime


class StatusChangeResponse(msgspec.Struct, frozen=True, kw_only=True):
    """A user status set: which, when (business time), by whom."""

    status: str
    at: datetime
    by: str


class ServiceFormResponse(msgspec.Struct, frozen=True, kw_only=True):
    form_no: str
    kind: str
    service_staff_id: str
    date: date
    content: str
    hq_quote_needed: bool


class ComplaintFormResponse(msgspec.Struct, frozen=True, kw_only=True):
    form_no: str
    complaint_kind: str
    description: str
    payment_status: str
    filed_at: datetime
    sent_to_regional_logistics_at: datetime | None


class ApprovalRequestResponse(msgspec.Struct, frozen=True, kw_only=True):
    purpose: str
    requested_by: str
    requested_at: datetime
    note: str


class ApprovalDecisionResponse(msgspec.Struct, frozen=True, kw_only=True):
    decision: str
    supervisor_id: str
    requested_by: str
    note: str
    at: datetime


class EscalationResponse(msgspec.Struct, frozen=True, kw_only=True):
    unit: str
    purpose: str
    payment_status: str
    complaint_form_no: str | None
    at: datetime


class OrderLineResponse(msgspec.Struct, frozen=True, kw_only=True):
    description: str
    material: str
    qty: int
    unit_price: Decimal


class ServiceOrderResponse(msgspec.Struct, frozen=True, kw_only=True):
    """A ZFFW quote; money as decimal strings."""

    order_no: str
    lines: list[OrderLineResponse]
    total_amount: Decimal
    currency: str
    status: str
    created_at: datetime
    invoice_no: str | None


class OnSiteServiceResponse(msgspec.Struct, frozen=True, kw_only=True):
    service_staff_id: str
    date: date
    service_form_no: str
    work_done: str


class AcceptanceResponse(msgspec.Struct, frozen=True, kw_only=True):
    accepted_at: datetime
    accepted_by_name: str


class InvoiceResponse(msgspec.Struct, frozen=True, kw_only=True):
    invoice_no: str
    order_no: str
    amount: Decimal
    created_at: datetime


class SurveyResponse(msgspec.Struct, frozen=True, kw_only=True):
    score: int
    channel: str
    comment: str
    surveyed_at: datetime
    expected_score: int | None
    perceived_score: int | None


class CaseResponse(msgspec.Struct, frozen=True, kw_only=True):
    """A service notification as its events left it at `version`: header, statuses, documents."""

    case_no: str
    version: int
    type: str
    category: str
    urgency: str
    payment_status: str
    system_status: str
    user_status: str
    notification_date: date | None
    description: str
    ship_to: str
    sold_to: str
    partners: dict[str, str]
    reporter: str
    po_number: str
    po_date: date | None
    required_start: date | None
    required_end: date | None
    main_work_center: str
    plant: str
    responsible_person: str
    sales_org: str
    distribution_channel: str
    division: str
    sales_office: str
    sales_group: str
    business_area: str
    functional_location: str
    object_address: str
    reference_case_no: str
    channel: str
    received_at: datetime | None
    created_at: datetime | None
    dispatched_to: list[str]
    status_history: list[StatusChangeResponse]
    long_texts: list[LongTextResponse]
    items: list[ItemResponse]
    service_forms: list[ServiceFormResponse]
    complaint_forms: list[ComplaintFormResponse]
    pending_approval: ApprovalRequestResponse | None
    approval_decisions: list[ApprovalDecisionResponse]
    escalations: list[EscalationResponse]
    emails_sent: int
    department_replies: list[str]
    service_orders: list[ServiceOrderResponse]
    on_site_services: list[OnSiteServiceResponse]
    acceptance: AcceptanceResponse | None
    closed_at: datetime | None
    closure_reason: str
    invoices: list[InvoiceResponse]
    survey: SurveyResponse | None


def case_response(case: Case) -> CaseResponse:
    """The aggregate's state, read attribute by attribute (its entities included) into the response."""
    return msgspec.convert(case, CaseResponse, from_attributes=True)


AtVersion = Annotated[
    int | None,
    QueryParameter(ge=1, le=MAX_POSITION, description="Replay the notification's events up to this version."),
]
AsOfTime = Annotated[
    datetime | None,
    QueryParameter(
        description="Replay the events that happened (business time) at or before this ISO 8601 "
        "timestamp (no offset: UTC), stopping at the first later one."
    ),
]


@get(
    "/v1/cases/{case_no:str}",
    sync_to_thread=True,
    tags=["cases"],
    summary="A case, now or as of the past",
    responses=query_refusals("CASE_NOT_FOUND: no such notification (at that version or time)"),
    response_headers=[
        ResponseHeader(
            name="ETag",
            description='The stream version, e.g. "7" (current state only): send it as If-Match.',
            documentation_only=True,
        )
    ],
)
def get_case(
    services: NamedDependency[Services],
    reader: NamedDependency[Actor],
    case_no: FromPath[str],
    at_version: AtVersion = None,
    as_of_time: AsOfTime = None,
    min_position: MinPosition = None,
) -> Response[CaseResponse]:
    """The notification's current state with `ETag: "<version>"`, or its state replayed as of the past.

    Without parameters this reads the event store itself, not a read model:
    the state and its ETag are the stream's true version, the one a command's
    `If-Match` is checked against, so a read-modify-write never trips over a
    lagging read model.
    `at_version=n` replays versions 1..n; `as_of_time=t` replays the events
    whose business time is at or before t, stopping at the first later one
    (a back-dated event was decided on every version before it). Both: the
    earlier. A replay is a pure fold of the stored events (no snapshot, no
    read model) and carries no ETag. `min_position` is accepted for
    uniformity: the store holds every committed position.
    `X-Read-Model-Position` is the log position the store had reached.
    """
    # The one query that loads the aggregate (STYLE.md: explicit loads for auditors' replays and,
    # here, for an ETag that must be the stream's version); the position is read first, so the
    # header never claims more than the state holds.
    position = services.app.recorder.max_notification_id() or 0
    headers = {POSITION_HEADER: str(position)}
    if at_version is None and as_of_time is None:
        case = services.app.load(Case, case_no)
        headers["ETag"] = f'"{case.version}"'
    else:
        case = case_as_of(services.app, case_no, at_version, as_of_time)
    return Response(case_response(case), headers=headers)


ROUTES: list[ControllerRouterHandler] = [get_case]
