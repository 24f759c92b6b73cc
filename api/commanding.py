"""HTTP ↔ command translation, once for every write endpoint of API.md.

Each write endpoint is declared as a `CommandEndpoint` (method, path, command,
request body, documentation); `command_route` turns it into a Litestar handler
that authenticates, decodes the body, applies `If-Match` and `Idempotency-Key`,
dispatches the command through the bus and answers `{id, version, position}`
with an `ETag` (and a `Location` for creates). Writing the ~35 endpoints by hand
would repeat these ten lines ~35 times; the declarations keep what differs.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Request, Response, route
from litestar.concurrency import sync_to_thread
from litestar.di import NamedDependency
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.spec import Example
from litestar.params import Body, FromPath, HeaderParameter

from api.idempotency import fingerprint, idempotent
from api.observability import note_outcome
from api.ports import Services
from api.problems import ApiProblem, problem_responses
from application.accepted import Accepted
from application.commands import Command
from domain.actor import Actor
from domain.errors import DomainError, FieldProblem, ValidationFailed

_PATH_PARAMETER = re.compile(r"{(\w+)(?::\w+)?}")
_ENTITY_TAG = re.compile(r'^(?:W/)?"?(\d{1,12})"?$')
BASE_FIELDS = frozenset({"expected_version"})


class CommandAccepted(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """The command was stored: the stream's number, its new version and the log position written.

    Pass `position` as `min_position` to a query to read your own write.
    Creates inside a case also return the number they assigned.
    """

    id: str
    version: int
    position: int
    item_no: int | None = None
    form_no: str | None = None
    order_no: str | None = None
    invoice_no: str | None = None


@dataclass(frozen=True)
class CommandEndpoint:
    """One write endpoint of API.md: how its HTTP request becomes `command`."""

    method: str
    path: str
    command: type[Command]
    summary: str
    description: str
    tag: str
    creates: str | None = None
    """For 201 responses: the Location template, filled from the path and the accepted details."""
    example: dict[str, Any] | None = None
    nest: str | None = None
    """The command field the body's fields belong to (AddCaseItem's `item`), if not the command itself."""

    @property
    def path_names(self) -> tuple[str, ...]:
        return tuple(_PATH_PARAMETER.findall(self.path))


def request_struct(endpoint: CommandEndpoint) -> type[msgspec.Struct]:
    """The body struct: the command's fields minus those the path and headers supply.

    Generated from the command so the two never drift apart; `occurred_at` stays
    in the body for back-dated entry from paper forms.
    """
    skipped = BASE_FIELDS | set(endpoint.path_names)
    fields = [
        (f.encode_name, f.type, f.default if f.default is not msgspec.NODEFAULT else _factory(f))
        if not f.required
        else (f.encode_name, f.type)
        for f in _body_fields(endpoint)
        if f.encode_name not in skipped
    ]
    name = f"{endpoint.command.__name__}Request"
    struct = msgspec.defstruct(name, fields, kw_only=True, frozen=True, forbid_unknown_fields=True)
    struct.__doc__ = endpoint.command.__doc__
    struct.__module__ = __name__
    return struct


def _body_fields(endpoint: CommandEndpoint) -> tuple[msgspec.structs.FieldInfo, ...]:
    own = msgspec.structs.fields(endpoint.command)
    if endpoint.nest is None:
        return own
    nested = next(f.type for f in own if f.encode_name == endpoint.nest)
    return (*msgspec.structs.fields(nested), *(f for f in own if f.encode_name == "occurred_at"))


def _factory(field: msgspec.structs.FieldInfo) -> Any:
    return msgspec.field(default_factory=field.default_factory)


def build_command(
    endpoint: CommandEndpoint, body: Any, path: dict[str, str], if_match: str | None
) -> Command:
    """Body, path and If-Match as one command, re-checked by msgspec (path values included)."""
    given: dict[str, Any] = msgspec.to_builtins(body or {})
    if endpoint.nest:
        given = {
            endpoint.nest: given,
            **({"occurred_at": t} if (t := given.pop("occurred_at", None)) else {}),
        }
    values = {**given, **path, "expected_version": expected_version(if_match)}
    try:
        return msgspec.convert(values, endpoint.command, strict=False)
    except msgspec.ValidationError as error:
        raise ValidationFailed([FieldProblem(_field_of(str(error)), str(error))]) from None


def expected_version(if_match: str | None) -> int | None:
    """`If-Match: "7"` (or W/"7", or 7) → 7; `*` or absent → no condition."""
    if if_match is None or if_match.strip() == "*":
        return None
    match = _ENTITY_TAG.match(if_match.strip())
    if match is None:
        raise ApiProblem(400, "VALIDATION_ERROR", 'If-Match must be an ETag this API gave, like "7"')
    return int(match.group(1))


def _field_of(message: str) -> str:
    found = re.search(r"at `\$\.?([^`]*)`", message)
    return found.group(1) if found else "body"


def response_for(endpoint: CommandEndpoint, accepted: Accepted, path: dict[str, str]) -> Response[Any]:
    body = CommandAccepted(
        id=accepted.id, version=accepted.version, position=accepted.position, **_known(accepted)
    )
    headers = {"ETag": f'"{accepted.version}"'}
    if endpoint.creates:
        headers["Location"] = endpoint.creates.format(id=accepted.id, **path, **accepted.details)
    return Response(body, status_code=201 if endpoint.creates else 200, headers=headers)


def _known(accepted: Accepted) -> dict[str, Any]:
    names = set(CommandAccepted.__struct_fields__)
    return {k: v for k, v in accepted.details.items() if k in names}


def correlation(request: Request[Any, Any, Any]) -> UUID | None:
    """`X-Correlation-Id` ties a command to the caller's own process (stored on every event)."""
    raw = request.headers.get("x-correlation-id")
    try:
        return UUID(raw) if raw else None
    except ValueError:
        raise ApiProblem(400, "VALIDATION_ERROR", "X-Correlation-Id must be a UUID") from None


def command_route(endpoint: CommandEndpoint) -> HTTPRouteHandler:
    """A Litestar handler for one endpoint; its signature is built so OpenAPI documents it fully."""
    body_type = request_struct(endpoint) if endpoint.method != "DELETE" else None

    async def handle(
        request: Request[Any, Any, Any],
        services: Services,
        principal: Actor,
        if_match: str | None,
        idempotency_key: str | None,
        data: Any = None,
        **path: str,
    ) -> Response[Any]:
        call = Call(endpoint, request, services, principal, if_match, idempotency_key, data, path)
        try:
            # The event store is synchronous: the whole command runs in a worker thread.
            response = await sync_to_thread(call.execute)
        except (DomainError, ApiProblem) as refusal:
            note_outcome(request, endpoint.command.__name__, refusal.code)
            raise
        note_outcome(request, endpoint.command.__name__, "ACCEPTED")
        return response

    _sign(handle, endpoint, body_type)
    return route(
        endpoint.path,
        http_method=endpoint.method,  # type: ignore[arg-type]
        status_code=201 if endpoint.creates else 200,
        summary=endpoint.summary,
        description=endpoint.description,
        tags=[endpoint.tag],
        operation_id=endpoint.command.__name__,
        response_description="Accepted: the events were stored",
        responses=COMMAND_REFUSALS,
    )(handle)


@dataclass(frozen=True)
class Call:
    """One request to a command endpoint, run in a worker thread."""

    endpoint: CommandEndpoint
    request: Request[Any, Any, Any]
    services: Services
    principal: Actor
    if_match: str | None
    idempotency_key: str | None
    data: Any
    path: dict[str, str]

    def execute(self) -> Response[Any]:
        command = build_command(self.endpoint, self.data, self.path, self.if_match)
        print_ = fingerprint(self.request.method, self.request.url.path, self.data)
        scope, store = self.principal.id, self.services.idempotency
        return idempotent(store, scope, self.idempotency_key, print_, lambda: self.run(command), _body_bytes)

    def run(self, command: Command) -> Response[Any]:
        correlation_id = correlation(self.request)
        accepted = self.services.bus.dispatch(command, self.principal, correlation_id=correlation_id)
        return response_for(self.endpoint, accepted, self.path)


def _body_bytes(response: Response[Any]) -> bytes:
    return msgspec.json.encode(response.content)


def _sign(handle: Any, endpoint: CommandEndpoint, body_type: type[msgspec.Struct] | None) -> None:
    """Give the handler a real signature: Litestar reads it to decode and to write OpenAPI."""
    keyword = inspect.Parameter.KEYWORD_ONLY
    headers = {
        "if_match": Annotated[
            str | None, HeaderParameter(name="If-Match", required=False, description=IF_MATCH)
        ],
        "idempotency_key": Annotated[
            str | None, HeaderParameter(name="Idempotency-Key", required=False, description=IDEMPOTENCY)
        ],
    }
    parameters = [
        inspect.Parameter("request", keyword, annotation=Request[Any, Any, Any]),
        inspect.Parameter("services", keyword, annotation=NamedDependency[Services]),
        inspect.Parameter("principal", keyword, annotation=NamedDependency[Actor]),
        *(inspect.Parameter(n, keyword, annotation=a, default=None) for n, a in headers.items()),
        *(inspect.Parameter(n, keyword, annotation=FromPath[str]) for n in endpoint.path_names),
    ]
    if body_type is not None:
        parameters.append(_data_parameter(endpoint, body_type))
    handle.__signature__ = inspect.Signature(parameters, return_annotation=Response[CommandAccepted])
    handle.__annotations__ = {p.name: p.annotation for p in parameters} | {
        "return": Response[CommandAccepted]
    }
    handle.__name__ = handle.__qualname__ = endpoint.command.__name__


def _data_parameter(endpoint: CommandEndpoint, body_type: type[msgspec.Struct]) -> inspect.Parameter:
    required = endpoint.creates is not None or any(f.required for f in msgspec.structs.fields(body_type))
    examples = [Example(summary=endpoint.summary, value=endpoint.example)] if endpoint.example else None
    annotation: Any = Annotated[body_type if required else body_type | None, Body(examples=examples)]
    return inspect.Parameter(
        "data",
        inspect.Parameter.KEYWORD_ONLY,
        annotation=annotation,
        default=inspect.Parameter.empty if required else None,
    )


COMMAND_REFUSALS = problem_responses({
    400: "VALIDATION_ERROR: every failing field in `errors` (nothing was stored)",
    401: "UNAUTHORIZED: no key, or an unknown or revoked key",
    403: "FORBIDDEN_ROLE: the key's roles may not run this command",
    404: "CASE_NOT_FOUND, CUSTOMER_NOT_FOUND or another referenced thing does not exist",
    409: "A state rule refused the command (e.g. NOTIFICATION_CLOSED, NO_PENDING_APPROVAL)",
    412: "PRECONDITION_FAILED: the stream moved on since the If-Match version",
    413: "REQUEST_TOO_LARGE: the body is over 1 MiB",
    422: "TYPE_PAYMENT_MISMATCH, NOT_ALLOWED_FOR_TYPE… or IDEMPOTENCY_KEY_REUSED",
    429: "RATE_LIMITED: too many requests for this key; see Retry-After",
    503: "STORE_UNAVAILABLE: the event store did not answer; retry",
})  # fmt: skip
IF_MATCH = 'The ETag of the version you read (e.g. "7"); the command fails with 412 if the stream moved on.'
IDEMPOTENCY = (
    "Up to 200 characters. A retry with the same key and body within 24 h returns the first response "
    "(with Idempotent-Replayed: true) and writes nothing; another body with the same key is a 422."
)
