"""Roles and the acting principal: who may do what, decided by the domain."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    """Roles of API.md; DOMAIN.md writes them upper-case (ASSISTANT = assistant)."""

    ADMIN = "admin"
    ASSISTANT = "assistant"
    SERVICE_STAFF = "service_staff"
    SUPERVISOR = "supervisor"
    REGIONAL_LOGISTICS = "regional_logistics"
    COMPLAINT_HANDLER = "complaint_handler"
    CS_AGENT = "cs_agent"
    ACCOUNT_MANAGER = "account_manager"
    INTEGRATOR = "integrator"
    AUDITOR = "auditor"
    ANALYST = "analyst"


# API.md: "integrator may do what assistant and account_manager may do".
IMPLIED_ROLES: dict[Role, frozenset[Role]] = {
    Role.INTEGRATOR: frozenset({Role.ASSISTANT, Role.ACCOUNT_MANAGER}),
}


@dataclass(frozen=True)
class Actor:
    """The principal behind a command; its id and role are written into every event."""

    id: str
    roles: frozenset[Role]
    name: str = ""
    sales_office: str | None = None
    extra: tuple[str, ...] = field(default=(), compare=False)

    def acting_role(self, allowed: Iterable[Role]) -> Role | None:
        """The role under which this actor may act, or None if it holds none of `allowed`.

        A directly held role wins over one granted through IMPLIED_ROLES, so the
        audit trail names the most specific capacity the actor used.
        """
        allowed = tuple(allowed)
        for role in allowed:
            if role in self.roles:
                return role
        for held in sorted(self.roles):
            if IMPLIED_ROLES.get(held, frozenset()) & set(allowed):
                return held
        return None
