"""The base of every command struct: business time and optimistic concurrency."""

from __future__ import annotations

from datetime import datetime

import msgspec


class Command(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Fields every command accepts.

    `occurred_at` is the business time of the fact (default: now);
    `expected_version` comes from `If-Match` and makes a moved stream fail.
    """

    occurred_at: datetime | None = None
    expected_version: int | None = None
