"""API-key commands (API.md "Auth"): issue a key for a principal, revoke one."""

from __future__ import annotations

from typing import Annotated

import msgspec

from application.commands import Command
from domain.actor import Role

RefCode = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9_-]{1,20}$")]
KeyId = Annotated[str, msgspec.Meta(pattern=r"^[0-9a-f]{16}$")]


class IssueApiKey(Command, frozen=True, kw_only=True):
    """Create a key for principal `actor_id`; the handler draws the secret."""

    actor_id: RefCode
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    roles: Annotated[list[Role], msgspec.Meta(min_length=1, max_length=len(Role))]
    sales_office: RefCode | None = None


class RevokeApiKey(Command, frozen=True, kw_only=True):
    key_id: KeyId
