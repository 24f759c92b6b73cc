"""GET /v1/customers/{customer_no}: the customer profile read model (P7, 客户档案)."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.types import ControllerRouterHandler

from api.ports import Services
from api.query_params import CUSTOMER_REFUSALS, AsOf, today
from api.reading import MinPosition, consult, respond
from domain.actor import Actor
from domain.errors import CustomerNotFound
from projections.customer_profile import CustomerProfileItem, CustomerProfileProjection, customer_profile


def profile_of(
    services: Services, customer_no: str, as_of: date, min_position: int | None
) -> tuple[CustomerProfileItem, int]:
    """The customer's profile on `as_of` and the read-model position; 404 CUSTOMER_NOT_FOUND if unknown."""
    rows, position = consult(services, CustomerProfileProjection, min_position)
    found = customer_profile(rows, customer_no, as_of)
    if found is None:
        raise CustomerNotFound(f"customer {customer_no} not found")
    return found, position


@get(
    "/v1/customers/{customer_no:str}",
    sync_to_thread=True,
    summary="Customer profile",
    operation_id="CustomerProfile",
    tags=["customers"],
    responses=CUSTOMER_REFUSALS,
)
def customer_profile_endpoint(
    request: Request[Any, Any, Any],
    services: NamedDependency[Services],
    reader: NamedDependency[Actor],
    customer_no: FromPath[str],
    as_of: AsOf = None,
    min_position: MinPosition = None,
) -> Response[CustomerProfileItem]:
    """One customer's archive (客户档案): identity, addresses and functional locations, contacts,
    profile attributes and holdings, tier with its basis, account manager, open and closed
    notifications per type, complaints, last contact, last and next return visit, average
    satisfaction and whether the customer is dormant on `as_of` (365 days without activity).

    404 `CUSTOMER_NOT_FOUND` when the read model knows no such customer (after waiting for
    `min_position`, if given).
    """
    found, position = profile_of(services, customer_no, today(services, as_of), min_position)
    return respond(request, found, position)


ROUTES: list[ControllerRouterHandler] = [customer_profile_endpoint]
"""A plain handler, not a Controller: Litestar 2.25 refuses a Controller registered after the
PATCH command route on the same path (both would add an OPTIONS handler)."""
