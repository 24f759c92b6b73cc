"""The query vocabulary every read endpoint shares: "today", multi-value filters, codes, refusals.

API.md: `as_of` sets "today" for time-based columns; filters that take several
values take them comma-separated; reference codes are ≤ 20 letters, digits,
`-` and `_`. Invalid values are 400 problems naming the parameter.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from litestar import Request, Response
from litestar.openapi import ResponseSpec
from litestar.params import QueryParameter

from api.ports import Services
from api.problems import problem_responses
from api.reading import respond
from domain.errors import ValidationFailed
from projections.tables import Page

S = TypeVar("S")

FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)
"""The days `as_of` may name: date arithmetic on the calendar's ends (year 1, 9999) would overflow."""
YEAR = r"(19|2\d)\d{2}"
"""A year between FIRST_DAY and LAST_DAY, for month and period patterns."""
REF_CODE = r"^[A-Za-z0-9_-]{1,20}$"
"""API.md "Reference codes": non-empty, ≤ 20 letters, digits, `-` and `_`."""


AsOf = Annotated[
    date | None,
    QueryParameter(
        description="The day taken as today for time-based columns (overdue, due, dormant), "
        "YYYY-MM-DD in the business time zone; default: the server's date."
    ),
]
DateFrom = Annotated[date | None, QueryParameter(description="First day of the range (inclusive).")]
DateTo = Annotated[date | None, QueryParameter(description="Last day of the range (inclusive).")]
SalesOffice = Annotated[str | None, QueryParameter(pattern=REF_CODE, description="Sales office code.")]
CustomerNo = Annotated[str | None, QueryParameter(pattern=REF_CODE, description="Customer number.")]
StaffId = Annotated[str | None, QueryParameter(pattern=REF_CODE, description="Staff actor id.")]


def multi(description: str, allowed: type[StrEnum]) -> QueryParameter:
    """A comma-separated multi-value filter parameter; `choices` checks its values."""
    return QueryParameter(
        description=f"{description} Comma-separated, any of: {', '.join(allowed)}.", max_length=500
    )


def choices(raw: str | None, field: str, allowed: type[StrEnum]) -> tuple[str, ...]:
    """`A,B` → ("A", "B"): the values of a multi-value filter, each one of `allowed` (else 400)."""
    values = tuple(dict.fromkeys(v.strip() for v in (raw or "").split(",") if v.strip()))
    unknown = [v for v in values if v not in {member.value for member in allowed}]
    if unknown:
        known = ", ".join(allowed)
        raise ValidationFailed.one(field, f"unknown value {', '.join(unknown)}; use any of {known}")
    return values


def one_of(raw: str | None, field: str, allowed: type[StrEnum]) -> str | None:
    """A single-value filter: None, or one of `allowed` (else 400)."""
    if raw is None:
        return None
    values = choices(raw, field, allowed)
    if len(values) != 1:
        raise ValidationFailed.one(field, f"takes one value of {', '.join(allowed)}")
    return values[0]


def required(value: str | None, field: str) -> str:
    """A parameter the endpoint cannot do without (400 naming it, where Litestar would name none)."""
    if value is None:
        raise ValidationFailed.one(field, "is required")
    return value


def checked_range(date_from: date | None, date_to: date | None) -> None:
    if date_from is not None and date_to is not None and date_to < date_from:
        raise ValidationFailed.one("date_to", "must not be before date_from")


def business_now(services: Services) -> datetime:
    """The server clock in the business time zone (CRM_TIMEZONE)."""
    return services.app.clock().astimezone(services.app.timezone)


def today(services: Services, as_of: date | None = None) -> date:
    """`as_of`, or the server's date in the business time zone (API.md "as_of")."""
    if as_of is None:
        return business_now(services).date()
    if not FIRST_DAY <= as_of <= LAST_DAY:
        raise ValidationFailed.one("as_of", f"must be between {FIRST_DAY} and {LAST_DAY}")
    return as_of


def page_response(
    request: Request[Any, Any, Any], shape: Callable[..., S], found: Page[Any], position: int
) -> Response[S]:
    """A page as `shape` (`{items, next_cursor}`), or its rows as CSV; with the position header."""
    return respond(request, shape(items=found.items, next_cursor=found.next_cursor), position, found.items)


def query_refusals(not_found: str | None = None) -> dict[int, ResponseSpec]:
    """The problem responses of the read endpoints of this module, `api.audit` and `api.case_reads`."""
    described = {
        400: "VALIDATION_ERROR: every invalid query parameter in `errors`",
        401: "UNAUTHORIZED: no key, or an unknown or revoked key",
        403: "FORBIDDEN_ROLE: admin keys manage keys only",
        **({404: not_found} if not_found else {}),
        503: "READ_MODEL_BEHIND: min_position not reached in time (see Retry-After), or the store is down",
    }
    return problem_responses(described)


READ_REFUSALS = query_refusals()
CUSTOMER_REFUSALS = query_refusals("CUSTOMER_NOT_FOUND: the read model knows no such customer")
