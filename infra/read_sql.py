"""Read-model SQL, written once for SQLite and PostgreSQL; dialect differences kept in `Dialect`.

Tables come from `projections.tables.Table` declarations: column types from the
row struct's annotations, upserts as `INSERT … ON CONFLICT … DO UPDATE`, keyset
pagination as an OR-chain over the order columns.
"""

from __future__ import annotations

import functools
import json
import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Union, get_args, get_origin, get_type_hints

import msgspec

from projections.tables import R, Select, Table, Where

# Column kinds: how a Python type is stored.
KINDS: dict[type, str] = {
    bool: "bool",
    int: "int",
    float: "float",
    str: "text",
    Decimal: "decimal",
    datetime: "datetime",
    date: "date",
}


@functools.cache
def column_kinds(table: Table[Any]) -> dict[str, str]:
    """Each column's storage kind, from the row struct's annotations (Optional[X] is X).

    Cached: resolving annotations costs more than the SQL round trip it serves.
    """
    hints = get_type_hints(table.row)
    return {name: _kind(hints[name]) for name in table.columns}


def _kind(hint: Any) -> str:
    if get_origin(hint) in (Union, types.UnionType):
        inner = [a for a in get_args(hint) if a is not type(None)]
        hint = inner[0] if len(inner) == 1 else dict
    return KINDS.get(hint, "json") if isinstance(hint, type) else "json"


@dataclass(frozen=True)
class Dialect:
    """What differs between SQLite and PostgreSQL: placeholders, column types, value encoding."""

    name: str
    placeholder: str
    types: dict[str, str]
    encode: Callable[[str, Any], Any]
    qualify: Callable[[str], str]

    def ddl(self, table: Table[Any]) -> list[str]:
        kinds = column_kinds(table)
        columns = ", ".join(f'"{c}" {self.types[kinds[c]]}' for c in table.columns)
        key = ", ".join(f'"{k}"' for k in table.key)
        statements = [
            f"CREATE TABLE IF NOT EXISTS {self.qualify(table.name)} ({columns}, PRIMARY KEY ({key}))"
        ]
        for index in table.indexes:
            name = f"{table.name}__{'_'.join(index)}"
            cols = ", ".join(f'"{c}"' for c in index)
            statements.append(f'CREATE INDEX IF NOT EXISTS "{name}" ON {self.qualify(table.name)} ({cols})')
        return statements

    def drop(self, table: Table[Any]) -> str:
        return f"DROP TABLE IF EXISTS {self.qualify(table.name)}"

    def upsert(self, table: Table[Any]) -> str:
        cols = ", ".join(f'"{c}"' for c in table.columns)
        marks = ", ".join([self.placeholder] * len(table.columns))
        key = ", ".join(f'"{k}"' for k in table.key)
        updates = ", ".join(f'"{c}" = excluded."{c}"' for c in table.columns if c not in table.key)
        action = f"DO UPDATE SET {updates}" if updates else "DO NOTHING"
        return (
            f"INSERT INTO {self.qualify(table.name)} ({cols}) VALUES ({marks}) ON CONFLICT ({key}) {action}"
        )

    def delete(self, table: Table[Any]) -> str:
        where = " AND ".join(f'"{k}" = {self.placeholder}' for k in table.key)
        return f"DELETE FROM {self.qualify(table.name)} WHERE {where}"

    def row_params(self, table: Table[R], row: R) -> list[Any]:
        kinds = column_kinds(table)
        return [self.encode(kinds[c], getattr(row, c)) for c in table.columns]

    def key_params(self, table: Table[Any], key: Sequence[Any]) -> list[Any]:
        kinds = column_kinds(table)
        return [self.encode(kinds[c], _typed(kinds[c], v)) for c, v in zip(table.key, key, strict=True)]

    def select(self, query: Select[Any]) -> tuple[str, list[Any]]:
        kinds = column_kinds(query.table)
        clauses: list[str] = []
        params: list[Any] = []
        for condition in query.where:
            clause, values = self._condition(condition, kinds[condition.column])
            clauses.append(clause)
            params.extend(values)
        if query.after is not None:
            clause, values = self._keyset(query, kinds)
            clauses.append(clause)
            params.extend(values)
        sql = f"SELECT * FROM {self.qualify(query.table.name)}"
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        if query.order:
            sql += " ORDER BY " + ", ".join(
                f'"{o.column}"' + (" DESC" if o.descending else "") for o in query.order
            )
        if query.limit is not None:
            sql += f" LIMIT {int(query.limit)}"
        return sql, params

    def _condition(self, where: Where, kind: str) -> tuple[str, list[Any]]:
        column = f'"{where.column}"'
        if where.op in ("is null", "is not null"):
            return f"{column} {where.op.upper()}", []
        if where.op in ("in", "not in"):
            values = list(where.value)
            if not values:
                return ("1 = 0" if where.op == "in" else "1 = 1"), []
            marks = ", ".join([self.placeholder] * len(values))
            return f"{column} {where.op.upper()} ({marks})", [
                self.encode(kind, _typed(kind, v)) for v in values
            ]
        return f"{column} {where.op} {self.placeholder}", [self.encode(kind, _typed(kind, where.value))]

    def _keyset(self, query: Select[Any], kinds: dict[str, str]) -> tuple[str, list[Any]]:
        """(a > x) OR (a = x AND b > y) OR …, each comparison flipped for descending columns."""
        if query.after is None:
            return "1 = 1", []
        ors: list[str] = []
        params: list[Any] = []
        for depth, order in enumerate(query.order):
            parts = [f'"{o.column}" = {self.placeholder}' for o in query.order[:depth]]
            parts.append(f'"{order.column}" {"<" if order.descending else ">"} {self.placeholder}')
            ors.append("(" + " AND ".join(parts) + ")")
            for o, value in zip(query.order[: depth + 1], query.after, strict=False):
                params.append(self.encode(kinds[o.column], _typed(kinds[o.column], value)))
        return "(" + " OR ".join(ors) + ")", params

    def decode(self, table: Table[R], record: dict[str, Any]) -> R:
        values = {}
        kinds = column_kinds(table)
        for name in table.columns:
            value = record[name]
            if kinds[name] == "json" and isinstance(value, str):
                value = json.loads(value)
            values[name] = value
        return msgspec.convert(values, table.row, strict=False)


def _typed(kind: str, value: Any) -> Any:
    """Cursor and filter values may arrive as JSON strings: give them their column's type."""
    if value is None or not isinstance(value, str):
        return value
    if kind == "date":
        return date.fromisoformat(value)
    if kind == "datetime":
        return datetime.fromisoformat(value)
    if kind == "decimal":
        return Decimal(value)
    return value


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo is None else value.astimezone(UTC)


def sqlite_encode(kind: str, value: Any) -> Any:
    """SQLite stores dates and UTC timestamps as ISO text (so they sort), decimals as text."""
    if value is None:
        return None
    if kind == "datetime":
        return _utc(value).isoformat()
    if kind == "date":
        return value.isoformat()
    if kind == "decimal":
        return str(value)
    if kind == "bool":
        return int(value)
    if kind == "json":
        return msgspec.json.encode(value).decode()
    return value


SQLITE_TYPES = {
    "bool": "INTEGER", "int": "INTEGER", "float": "REAL", "text": "TEXT",
    "decimal": "TEXT", "datetime": "TEXT", "date": "TEXT", "json": "TEXT",
}  # fmt: skip
POSTGRES_TYPES = {
    "bool": "BOOLEAN", "int": "BIGINT", "float": "DOUBLE PRECISION", "text": "TEXT",
    "decimal": "NUMERIC", "datetime": "TIMESTAMPTZ", "date": "DATE", "json": "JSONB",
}  # fmt: skip


def sqlite_dialect() -> Dialect:
    return Dialect("sqlite", "?", SQLITE_TYPES, sqlite_encode, lambda name: f'"{name}"')


def postgres_dialect(schema: str, encode_json: Callable[[Any], Any]) -> Dialect:
    def encode(kind: str, value: Any) -> Any:
        if value is None:
            return None
        return encode_json(msgspec.to_builtins(value)) if kind == "json" else value

    return Dialect("postgres", "%s", POSTGRES_TYPES, encode, lambda name: f'"{schema}"."{name}"')
