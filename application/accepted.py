"""What a successful command returns: enough for a caller to read its own writes."""

from __future__ import annotations

import msgspec


class Accepted(msgspec.Struct, frozen=True, kw_only=True):
    """The aggregate number, its new version and the global log position written.

    `details` carries numbers the command created inside the aggregate
    (item_no, form_no, order_no, invoice_no) so the API can return them.
    """

    id: str
    version: int
    position: int
    details: dict[str, str | int] = {}
