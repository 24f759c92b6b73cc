"""Bearer tokens to principals: the bootstrap admin key, or an issued, unrevoked API key."""

from __future__ import annotations

import hmac
import re

from application.app import CrmApplication
from application.key_handlers import TOKEN_PREFIX, secret_hash
from domain.actor import Actor, Role
from domain.api_key import ApiKey
from domain.errors import NotFound

BOOTSTRAP_ADMIN = Actor("admin", frozenset({Role.ADMIN}), name="bootstrap admin")
_TOKEN = re.compile(rf"^{TOKEN_PREFIX}_([0-9a-f]{{16}})_([A-Za-z0-9_-]{{20,100}})$")


class Authenticator:
    """Checks a presented token on every request, so a revocation holds at once everywhere.

    Issued keys are looked up by the key id embedded in the token (one stream read)
    and compared by hash in constant time; the bootstrap key (CRM_BOOTSTRAP_ADMIN_KEY)
    is compared the same way and never stored.
    """

    def __init__(self, app: CrmApplication, bootstrap_admin_key: str | None = None) -> None:
        self._app = app
        self._bootstrap = secret_hash(bootstrap_admin_key) if bootstrap_admin_key else None

    def __call__(self, presented: str) -> Actor | None:
        if self._bootstrap and hmac.compare_digest(self._bootstrap, secret_hash(presented)):
            return BOOTSTRAP_ADMIN
        match = _TOKEN.match(presented)
        if match is None:
            return None
        key_id, secret = match.groups()
        try:
            key = self._app.load(ApiKey, key_id)
        except NotFound:
            return None
        return key.principal if key.grants(secret_hash(secret)) else None
