"""RFC 9457 problem responses: the one table from domain error families to HTTP statuses.

Every refusal the API gives is an `application/problem+json` body with the
DOMAIN.md code and the failing fields. Anything that reaches `internal_error`
is a bug: it is logged with its traceback and answered 500 without details.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

import msgspec
from eventsourcing.persistence import InterfaceError, OperationalError
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi import ResponseSpec
from litestar.types import ExceptionHandlersMap

from api.validation import FieldError, body_errors, parameter_errors
from domain.errors import (
    DomainError,
    ForbiddenRole,
    NotAllowed,
    NotFound,
    RuleViolation,
    ValidationFailed,
    VersionMismatch,
)
from projections.base import ReadModelBehind
from projections.tables import BadCursor

logger = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"

DOMAIN_STATUSES: tuple[tuple[type[DomainError], int], ...] = (
    (ValidationFailed, 400),
    (ForbiddenRole, 403),
    (NotFound, 404),
    (VersionMismatch, 412),
    (NotAllowed, 422),
    (RuleViolation, 409),
)
"""DOMAIN.md §4.6: each error family's status; the code names the rule."""

HTTP_CODES: Mapping[int, str] = {
    400: "VALIDATION_ERROR",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN_ROLE",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    413: "REQUEST_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    429: "RATE_LIMITED",
    503: "SERVICE_UNAVAILABLE",
}
"""Codes for refusals the HTTP layer makes before any command runs."""

PASSED_HEADERS = ("allow", "retry-after", "www-authenticate")


class Problem(msgspec.Struct, frozen=True, kw_only=True):
    """An RFC 9457 problem document with the DOMAIN.md `code` and every failing field."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    code: str
    errors: list[FieldError] = msgspec.field(default_factory=list)


class ApiProblem(Exception):
    """A refusal decided in the API layer (authentication, idempotency, availability)."""

    def __init__(self, status: int, code: str, detail: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail, self.headers = status, code, detail, dict(headers or {})


def problem(
    status: int,
    code: str,
    detail: str,
    errors: Sequence[FieldError] = (),
    headers: Mapping[str, str] | None = None,
) -> Response[Problem]:
    body = Problem(
        title=HTTPStatus(status).phrase, status=status, detail=detail, code=code, errors=list(errors)
    )
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=dict(headers or {}))


def problem_responses(described: Mapping[int, str]) -> dict[int, ResponseSpec]:
    """OpenAPI entries for the problem responses an endpoint can give."""
    return {
        status: ResponseSpec(data_container=Problem, description=text, media_type=PROBLEM_JSON)
        for status, text in described.items()
    }


def domain_status(error: DomainError) -> int:
    for family, status in DOMAIN_STATUSES:
        if isinstance(error, family):
            return status
    raise LookupError(f"no HTTP status for {type(error).__name__}")


def domain_error(_: Request[Any, Any, Any], error: DomainError) -> Response[Problem]:
    try:
        status = domain_status(error)
    except LookupError:
        return internal_error(_, error)
    problems = getattr(error, "problems", ())
    return problem(status, error.code, error.detail, [FieldError(p.field, p.message) for p in problems])


def api_problem(_: Request[Any, Any, Any], error: ApiProblem) -> Response[Problem]:
    return problem(error.status, error.code, error.detail, headers=error.headers)


def read_model_behind(_: Request[Any, Any, Any], error: ReadModelBehind) -> Response[Problem]:
    detail = f"{error}; retry, or ask for an earlier min_position"
    return problem(503, "READ_MODEL_BEHIND", detail, headers={"Retry-After": "1"})


def bad_cursor(_: Request[Any, Any, Any], error: BadCursor) -> Response[Problem]:
    return problem(400, "VALIDATION_ERROR", str(error), [FieldError("cursor", str(error))])


def store_unavailable(_: Request[Any, Any, Any], error: Exception) -> Response[Problem]:
    logger.warning("the event store did not answer: %s", type(error).__name__)
    detail = "the event store did not answer; nothing was changed by this request, retry shortly"
    return problem(503, "STORE_UNAVAILABLE", detail, headers={"Retry-After": "1"})


def invalid_request(request: Request[Any, Any, Any], error: ValidationException) -> Response[Problem]:
    """Litestar stops at the first bad body field; re-check the body so every failing field is named."""
    errors = body_errors(request) or parameter_errors(error.extra)
    return problem(400, "VALIDATION_ERROR", "the request is not valid: see errors", errors)


def http_error(_: Request[Any, Any, Any], error: HTTPException) -> Response[Problem]:
    status = error.status_code
    if status >= 500:
        return internal_error(_, error)
    given = error.headers or {}
    headers = {
        k: v for k, v in given.items() if k.lower() in PASSED_HEADERS or k.lower().startswith("ratelimit-")
    }
    if status == 429:
        # Litestar's limiter says when the window resets in RateLimit-Reset; API.md promises Retry-After.
        reset = next((v for k, v in given.items() if k.lower() == "ratelimit-reset"), "60")
        headers.setdefault("Retry-After", str(max(int(reset), 1)))
    code = HTTP_CODES.get(status, "BAD_REQUEST" if status == 400 else HTTPStatus(status).name)
    return problem(status, code, str(error.detail), headers=headers)


def internal_error(request: Request[Any, Any, Any], error: Exception) -> Response[Problem]:
    logger.error(
        "unhandled %s on %s %s", type(error).__name__, request.method, request.url.path, exc_info=error
    )
    return problem(500, "INTERNAL_ERROR", "an unexpected error occurred; it has been logged")


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    DomainError: domain_error,
    ApiProblem: api_problem,
    ReadModelBehind: read_model_behind,
    BadCursor: bad_cursor,
    OperationalError: store_unavailable,
    InterfaceError: store_unavailable,
    ValidationException: invalid_request,
    HTTPException: http_error,
    Exception: internal_error,
}
