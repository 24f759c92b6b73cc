"""The base of every command struct: business time, optimistic concurrency, payload checks."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import msgspec

from domain.errors import FieldProblem
from domain.values import money


class Command(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Fields every command accepts.

    `occurred_at` is the business time of the fact (default: now);
    `expected_version` comes from `If-Match` and makes a moved stream fail.
    """

    occurred_at: datetime | None = None
    expected_version: int | None = None

    def payload_problems(self) -> list[FieldProblem]:
        """Rules on the payload alone that msgspec cannot express: every money amount is a finite
        decimal ≥ 0 with at most 2 places. The bus checks them before any stream is read, so a bad
        amount is a 400 even when the customer or case does not exist (DOMAIN.md §4.6 order)."""
        problems: list[FieldProblem] = []
        _check_amounts(self, "", problems)
        return problems


def _check_amounts(value: Any, path: str, problems: list[FieldProblem]) -> None:
    if isinstance(value, Decimal):
        money(path, value, problems)
    elif isinstance(value, msgspec.Struct):
        for name in value.__struct_fields__:
            _check_amounts(getattr(value, name), f"{path}.{name}" if path else name, problems)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check_amounts(item, f"{path}[{index}]", problems)
