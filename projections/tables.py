"""Read-model tables and queries as data: what a projection may read and write, with no SQL.

A read model declares its `Table`s (a msgspec row struct and its key) and asks
a `Rows` object to get, put and delete rows while it folds one event; queries
are `Select` values. `infra/` turns both into SQL for SQLite and PostgreSQL,
written once, and runs them in the transaction that also records the checkpoint.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, Protocol, TypeVar

import msgspec

R = TypeVar("R", bound=msgspec.Struct)

Op = Literal["=", "!=", "<", "<=", ">", ">=", "in", "not in", "is null", "is not null"]


@dataclass(frozen=True)
class Table(Generic[R]):
    """One read-model table: `rm_<view>` rows of type `row`, unique by `key`."""

    name: str
    row: type[R]
    key: tuple[str, ...]
    indexes: tuple[tuple[str, ...], ...] = ()
    json_columns: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        return self.row.__struct_fields__

    def key_of(self, row: R) -> tuple[Any, ...]:
        return tuple(getattr(row, name) for name in self.key)


@dataclass(frozen=True)
class Where:
    """One condition on a column; `in` takes a sequence, the null tests take no value."""

    column: str
    op: Op
    value: Any = None


@dataclass(frozen=True)
class Order:
    column: str
    descending: bool = False


@dataclass(frozen=True)
class Select(Generic[R]):
    """Rows of `table` matching every condition, in `order`, after the keyset `after`.

    Keyset pagination: `after` holds the order-column values of the last row of
    the previous page, so a page never skips or repeats a row when rows are
    added meanwhile. The order columns must end with a unique key and hold no nulls.
    """

    table: Table[R]
    where: tuple[Where, ...] = ()
    order: tuple[Order, ...] = ()
    limit: int | None = None
    after: tuple[Any, ...] | None = None


class Rows(Protocol):
    """Reads and writes inside the transaction that folds one event (or one batch)."""

    position: int
    """The log position (notification id) of the event being folded. Positions have gaps on
    PostgreSQL (a rolled-back append consumes ids), so a read model that shows positions takes them
    from here rather than counting events."""

    def get(self, table: Table[R], *key: Any) -> R | None: ...

    def put(self, table: Table[R], row: R) -> None: ...

    def delete(self, table: Table[R], *key: Any) -> None: ...

    def select(self, query: Select[R]) -> list[R]: ...


class ReadRows(Protocol):
    """Queries on committed rows, outside any projection transaction."""

    def select(self, query: Select[R]) -> list[R]: ...


@dataclass(frozen=True)
class Page(Generic[R]):
    """One page of a list: its rows and the cursor of the next page (None at the end)."""

    items: list[R]
    next_cursor: str | None


@dataclass(frozen=True)
class PageRequest:
    limit: int = 50
    cursor: str | None = None
    order: tuple[Order, ...] = field(default=())


class BadCursor(ValueError):
    """A cursor that this server did not hand out (or for another ordering)."""


def encode_cursor(values: Sequence[Any]) -> str:
    raw = json.dumps([_plain(v) for v in values], separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, width: int) -> tuple[Any, ...]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError) as error:
        raise BadCursor("cursor is not one this server handed out") from error
    if not isinstance(values, list) or len(values) != width:
        raise BadCursor("cursor does not fit this list")
    return tuple(values)


def typed_cursor(query: Select[R], cursor: str) -> tuple[Any, ...]:
    """The cursor's values, checked against the order columns' types: a forged cursor is a
    BadCursor, never a query the database refuses. The values are passed on as encoded,
    the way the SQL layer expects keyset values."""
    values = decode_cursor(cursor, len(query.order))
    types = {f.name: f.type for f in msgspec.structs.fields(query.table.row)}
    try:
        for order, value in zip(query.order, values, strict=True):
            msgspec.convert(value, types[order.column], strict=False)
            if isinstance(value, int) and not -(2**63) <= value < 2**63:
                raise BadCursor("cursor does not fit this list")
    except (msgspec.ValidationError, KeyError) as error:
        raise BadCursor("cursor does not fit this list") from error
    return values


def _plain(value: Any) -> Any:
    return msgspec.to_builtins(value)


def page(rows: ReadRows, query: Select[R], request: PageRequest) -> Page[R]:
    """Run `query` one page at a time: `limit` rows after the request's cursor."""
    after = typed_cursor(query, request.cursor) if request.cursor else None
    paged = Select(query.table, query.where, query.order, request.limit + 1, after)
    found = rows.select(paged)
    items = found[: request.limit]
    more = len(found) > request.limit
    cursor = encode_cursor([getattr(items[-1], o.column) for o in query.order]) if more and items else None
    return Page(items, cursor)
