"""Who is calling: the principal behind the bearer key, and the coarse role gates of API.md.

Per-command role rules live in the domain (DOMAIN.md orders 404 before 403, so
only the aggregate can decide). The HTTP layer only decides what needs no
aggregate: a missing, unknown or revoked key (401), admins manage keys only,
and every other role may read.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.di import NamedDependency

from api.observability import note_actor
from api.ports import Services
from api.problems import ApiProblem
from domain.actor import Actor, Role

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="crm"'}
READERS = frozenset(Role) - {Role.ADMIN}


def principal(request: Request[Any, Any, Any], services: NamedDependency[Services]) -> Actor:
    """The caller, from `Authorization: Bearer <key>`; anything else is 401."""
    scheme, _, presented = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not presented.strip():
        raise ApiProblem(401, "UNAUTHORIZED", "send an API key: Authorization: Bearer <key>", CHALLENGE)
    actor = services.authenticate(presented.strip())
    if actor is None:
        raise ApiProblem(401, "UNAUTHORIZED", "the API key is unknown or revoked", CHALLENGE)
    note_actor(request, actor.id)
    return actor


def reader(principal: NamedDependency[Actor]) -> Actor:
    """GET endpoints: every role except admin (API.md "Reading")."""
    if not principal.roles & READERS:
        raise ApiProblem(403, "FORBIDDEN_ROLE", "admin keys manage API keys only; use a reading role")
    return principal


def admin(principal: NamedDependency[Actor]) -> Actor:
    """Key management: admin only."""
    if Role.ADMIN not in principal.roles:
        raise ApiProblem(403, "FORBIDDEN_ROLE", "only admin keys may manage API keys")
    return principal
