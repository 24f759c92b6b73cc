"""API-key handlers: draw a secret, store only its hash; revoke by appending a fact."""

from __future__ import annotations

import hashlib
import secrets
from typing import cast

from application.accepted import Accepted
from application.app import CrmApplication
from application.bus import Handler
from application.commands import Command
from application.key_commands import IssueApiKey, RevokeApiKey
from domain.actor import Actor
from domain.api_key import ApiKey
from domain.context import CommandContext

TOKEN_PREFIX = "crm"  # noqa: S105 (a prefix, not a secret)


def secret_hash(secret: str) -> str:
    """SHA-256 suffices: secrets are 256 random bits, so there is nothing to brute-force."""
    return hashlib.sha256(secret.encode()).hexdigest()


def token(key_id: str, secret: str) -> str:
    """The bearer string the client sends: `crm_<key_id>_<secret>`."""
    return f"{TOKEN_PREFIX}_{key_id}_{secret}"


def issue_api_key(cmd: IssueApiKey, ctx: CommandContext, app: CrmApplication) -> Accepted:
    """The clear key leaves only in `details["key"]`, for the one response that shows it."""
    key_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    principal = Actor(cmd.actor_id, frozenset(cmd.roles), name=cmd.name, sales_office=cmd.sales_office)
    key = ApiKey.issue(ctx, key_id=key_id, principal=principal, secret_sha256=secret_hash(secret))
    return app.commit(key, key_id, key_id=key_id, key=token(key_id, secret))


def revoke_api_key(cmd: RevokeApiKey, ctx: CommandContext, app: CrmApplication) -> Accepted:
    key = app.load(ApiKey, cmd.key_id, cmd.expected_version)
    key.revoke(ctx)
    return app.commit(key, cmd.key_id)


KEY_HANDLERS: dict[type[Command], Handler] = {
    IssueApiKey: cast(Handler, issue_api_key),
    RevokeApiKey: cast(Handler, revoke_api_key),
}
