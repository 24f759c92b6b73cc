"""The principal registry: who each actor id is (display name, roles, office) and their keys.

Read models show staff by id; API.md says their display names come from the
`name` given when that actor's key was created. The latest issued key wins, so
re-issuing a key with a corrected name corrects the name everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, ClassVar

import msgspec

from domain.api_key import ApiKey
from projections.base import CrmProjection
from projections.tables import Order, Page, PageRequest, ReadRows, Rows, Select, Table, Where, page


class PrincipalRow(msgspec.Struct, frozen=True, kw_only=True):
    actor_id: str
    name: str
    roles: str
    sales_office: str | None = None


class ApiKeyRow(msgspec.Struct, frozen=True, kw_only=True):
    """One issued key, never its secret or hash."""

    key_id: str
    actor_id: str
    name: str
    roles: str
    sales_office: str | None
    issued_at: datetime
    issued_by: str
    revoked_at: datetime | None = None
    revoked_by: str | None = None


PRINCIPALS = Table("rm_principals", PrincipalRow, key=("actor_id",))
API_KEYS = Table("rm_api_keys", ApiKeyRow, key=("key_id",), indexes=(("actor_id",),))


def fold(event: Any, rows: Rows) -> None:
    if isinstance(event, ApiKey.ApiKeyIssued):
        roles = ",".join(event.roles)
        rows.put(PRINCIPALS, PrincipalRow(
            actor_id=event.principal_id, name=event.name, roles=roles, sales_office=event.sales_office
        ))  # fmt: skip
        rows.put(API_KEYS, ApiKeyRow(
            key_id=event.key_id, actor_id=event.principal_id, name=event.name, roles=roles,
            sales_office=event.sales_office, issued_at=event.timestamp, issued_by=event.actor_id,
        ))  # fmt: skip
    elif isinstance(event, ApiKey.ApiKeyRevoked):
        key = rows.get(API_KEYS, event.key_id)
        if key is not None:
            rows.put(
                API_KEYS, msgspec.structs.replace(key, revoked_at=event.timestamp, revoked_by=event.actor_id)
            )


class PrincipalsProjection(CrmProjection):
    name = "principals"
    tables: ClassVar[tuple[Table[Any], ...]] = (PRINCIPALS, API_KEYS)
    handles = (ApiKey.ApiKeyIssued, ApiKey.ApiKeyRevoked)

    def apply(self, event: Any, rows: Rows) -> None:
        fold(event, rows)


def names(rows: ReadRows, actor_ids: Iterable[str]) -> dict[str, str]:
    """Display names of the given actor ids (unknown ids are simply absent)."""
    wanted = sorted({a for a in actor_ids if a})
    if not wanted:
        return {}
    found = rows.select(Select(PRINCIPALS, (Where("actor_id", "in", wanted),), (Order("actor_id"),)))
    return {row.actor_id: row.name for row in found}


def api_keys(rows: ReadRows, request: PageRequest, actor_id: str | None = None) -> Page[ApiKeyRow]:
    """Issued keys, oldest first; revoked ones included with when and by whom."""
    where = (Where("actor_id", "=", actor_id),) if actor_id else ()
    return page(rows, Select(API_KEYS, where, (Order("issued_at"), Order("key_id"))), request)
