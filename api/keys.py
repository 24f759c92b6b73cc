"""Admin endpoints for API keys: issue (the key is shown once), revoke (effective at once), list."""

from __future__ import annotations

import re
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, delete, get, post
from litestar.di import NamedDependency
from litestar.openapi.spec import Example
from litestar.params import Body, FromPath, FromQuery, HeaderParameter

from api.idempotency import fingerprint, idempotent
from api.ports import Services
from api.problems import ApiProblem, problem_responses
from api.reading import Cursor, Limit, MinPosition, consult
from application.key_commands import IssueApiKey, RefCode, RevokeApiKey
from domain.actor import Actor, Role
from projections.principals import ApiKeyRow, PrincipalsProjection, api_keys
from projections.tables import PageRequest


class CreateApiKeyRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The principal the key speaks for: its actor id (written into every event), display name and roles."""

    actor_id: RefCode
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    roles: Annotated[list[Role], msgspec.Meta(min_length=1, max_length=len(Role))]
    sales_office: RefCode | None = None


class ApiKeyCreated(msgspec.Struct, frozen=True, kw_only=True):
    """`key` is shown only in this response (an idempotent replay shows it as null): store it now."""

    key_id: str
    key: str | None
    position: int
    """Log position of ApiKeyIssued: pass it as `min_position` to GET /v1/api-keys."""


class ApiKeyList(msgspec.Struct, frozen=True, kw_only=True):
    items: list[ApiKeyRow]
    next_cursor: str | None


EXAMPLES = [Example(summary="A key for a service assistant", value={
    "actor_id": "asst-sh01", "name": "王芳", "roles": ["assistant"], "sales_office": "SH01"
})]  # fmt: skip
KEY_REFUSALS = problem_responses({
    400: "VALIDATION_ERROR: every failing field in `errors`",
    401: "UNAUTHORIZED: no key, or an unknown or revoked key",
    403: "FORBIDDEN_ROLE: only admin keys manage keys",
    404: "API_KEY_NOT_FOUND",
    422: "IDEMPOTENCY_KEY_REUSED: the Idempotency-Key was used with another body",
})  # fmt: skip
KEY_ID = re.compile(r"^[0-9a-f]{16}$")


class ApiKeysController(Controller):
    """Key management: admin keys only (API.md "Auth")."""

    path = "/v1/api-keys"
    tags = ["api-keys"]  # noqa: RUF012 (Litestar reads it as a class attribute)

    @post("/", sync_to_thread=True, status_code=201, responses=KEY_REFUSALS)
    def create(
        self,
        request: Request[Any, Any, Any],
        services: NamedDependency[Services],
        admin: NamedDependency[Actor],
        data: Annotated[CreateApiKeyRequest, Body(examples=EXAMPLES)],
        idempotency_key: Annotated[
            str | None, HeaderParameter(name="Idempotency-Key", required=False)
        ] = None,
    ) -> Response[ApiKeyCreated]:
        """Issue a key for a principal. The key is returned once; only its hash is stored.

        Issuing is recorded in the event log (ApiKeyIssued) with the admin as actor.
        """
        command = msgspec.convert(msgspec.to_builtins(data), IssueApiKey)

        def run() -> Response[Any]:
            accepted = services.bus.dispatch(command, admin)
            created = ApiKeyCreated(
                key_id=str(accepted.details["key_id"]),
                key=str(accepted.details["key"]),
                position=accepted.position,
            )
            return Response(created, status_code=201, headers={"Location": f"/v1/api-keys/{created.key_id}"})

        print_ = fingerprint("POST", request.url.path, data)
        return idempotent(services.idempotency, admin.id, idempotency_key, print_, run, _without_secret)

    @delete("/{key_id:str}", sync_to_thread=True, status_code=204, responses=KEY_REFUSALS)
    def revoke(
        self, services: NamedDependency[Services], admin: NamedDependency[Actor], key_id: FromPath[str]
    ) -> None:
        """Revoke a key: from this moment on every API process answers 401 to it. Idempotent."""
        if not KEY_ID.match(key_id):
            raise ApiProblem(404, "API_KEY_NOT_FOUND", f"api key {key_id} not found")
        services.bus.dispatch(RevokeApiKey(key_id=key_id), admin)

    @get("/", sync_to_thread=True, responses=KEY_REFUSALS)
    def list_keys(
        self,
        services: NamedDependency[Services],
        admin: NamedDependency[Actor],
        actor_id: FromQuery[str | None] = None,
        limit: Limit = 50,
        cursor: Cursor = None,
        min_position: MinPosition = None,
    ) -> ApiKeyList:
        """Issued keys (never their secrets), oldest first, revoked ones with when and by whom."""
        rows, _ = consult(services, PrincipalsProjection, min_position)
        found = api_keys(rows, PageRequest(limit, cursor), actor_id)
        return ApiKeyList(items=found.items, next_cursor=found.next_cursor)


def _without_secret(response: Response[Any]) -> bytes:
    created: ApiKeyCreated = response.content
    return msgspec.json.encode(msgspec.structs.replace(created, key=None))
