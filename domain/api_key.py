"""API keys: who a bearer token speaks for, issued and revoked by admins, kept in the log.

A key is event-sourced (stream `api-key-<key_id>`) so that issuing and revoking
are audited like every other fact, and so that every API process sees a
revocation at once: authentication reads the stream, not a cache. Only the
SHA-256 of the secret is stored; the secret is shown once, to the admin.
"""

from __future__ import annotations

import hmac
from typing import Any

from domain.actor import Actor, Role
from domain.base import CrmAggregate, CrmCreated, CrmEvent, envelope
from domain.context import CommandContext
from domain.errors import FieldProblem, ForbiddenRole, ValidationFailed
from domain.values import check_reference_code, check_required, check_text

NAME_MAX = 100


class ApiKey(CrmAggregate):
    """One bearer key of one principal; revoked keys stay in the log, never valid again."""

    STREAM_PREFIX = "api-key"
    SECRET_FIELDS = ("secret_sha256",)
    """Event fields never shown outside the store (event feed, history, relay)."""

    class ApiKeyIssued(CrmAggregate.Event, CrmCreated):
        key_id: str
        principal_id: str
        name: str
        roles: tuple[str, ...]
        sales_office: str | None
        secret_sha256: str

        def apply(self, aggregate: Any) -> None:
            aggregate.key_id, aggregate.principal_id, aggregate.name = (
                self.key_id,
                self.principal_id,
                self.name,
            )
            aggregate.roles, aggregate.sales_office = tuple(self.roles), self.sales_office
            aggregate.secret_sha256, aggregate.revoked = self.secret_sha256, False

    class ApiKeyRevoked(CrmEvent):
        key_id: str

        def apply(self, aggregate: Any) -> None:
            aggregate.revoked = True

    def __init__(self) -> None:
        self.key_id = self.principal_id = self.name = self.secret_sha256 = ""
        self.roles: tuple[str, ...] = ()
        self.sales_office: str | None = None
        self.revoked = False

    @classmethod
    def issue(cls, ctx: CommandContext, *, key_id: str, principal: Actor, secret_sha256: str) -> ApiKey:
        """Admins only; the principal's id and codes are reference codes, its name is required."""
        role = _admin_role(ctx, "IssueApiKey")
        _check_principal(principal)
        return cls._create(
            cls.ApiKeyIssued,
            id=cls.stream_id(key_id),
            **envelope(ctx, role),
            key_id=key_id,
            principal_id=principal.id,
            name=principal.name,
            roles=tuple(sorted(r.value for r in principal.roles)),
            sales_office=principal.sales_office,
            secret_sha256=secret_sha256,
        )

    def revoke(self, ctx: CommandContext) -> None:
        """Admins only; revoking a revoked key changes nothing (DELETE is idempotent)."""
        role = _admin_role(ctx, "RevokeApiKey")
        if not self.revoked:
            self._trigger(self.ApiKeyRevoked, ctx, role, key_id=self.key_id)

    def grants(self, secret_sha256: str) -> bool:
        """Constant-time check of a presented secret's hash; a revoked key grants nothing."""
        return not self.revoked and hmac.compare_digest(self.secret_sha256, secret_sha256)

    @property
    def principal(self) -> Actor:
        roles = frozenset(Role(r) for r in self.roles)
        return Actor(self.principal_id, roles, name=self.name, sales_office=self.sales_office)


def _admin_role(ctx: CommandContext, command: str) -> Role:
    if ctx.actor.acting_role((Role.ADMIN,)) is None:
        raise ForbiddenRole(command, {r.value for r in ctx.actor.roles})
    return Role.ADMIN


def _check_principal(principal: Actor) -> None:
    problems: list[FieldProblem] = []
    check_reference_code("actor_id", principal.id, problems)
    check_required("name", principal.name, problems)
    check_text("name", principal.name, NAME_MAX, problems)
    check_reference_code("sales_office", principal.sales_office, problems)
    if not principal.roles:
        problems.append(FieldProblem("roles", "at least one role is required"))
    if problems:
        raise ValidationFailed(problems)
