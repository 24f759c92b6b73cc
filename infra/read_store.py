"""Read-model views for SQLite and PostgreSQL: eventsourcing tracking recorders that also hold rows.

Each view's checkpoint is the library's tracking table (one per view); rows and
checkpoint are written in the same transaction, so a crash or a duplicate
delivery never double-counts. Classes are made per projection by `view_class`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import IntegrityError, Tracking
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteDatastore, SQLiteTrackingRecorder
from psycopg.sql import SQL, Composed, Identifier
from psycopg.types.json import Jsonb

from infra.read_sql import Dialect, postgres_dialect, sqlite_dialect
from projections.base import Apply, CrmProjection, Event, ReadModelView
from projections.tables import R, Select, Table


class CursorRows:
    """`projections.tables.Rows` over one open cursor: reads see this transaction's writes."""

    def __init__(self, cursor: Any, dialect: Dialect) -> None:
        self._cursor = cursor
        self._dialect = dialect
        self.position = 0

    def get(self, table: Table[R], *key: Any) -> R | None:
        where = " AND ".join(f'"{k}" = {self._dialect.placeholder}' for k in table.key)
        self._cursor.execute(
            f"SELECT * FROM {self._dialect.qualify(table.name)} WHERE {where}",
            self._dialect.key_params(table, key),
        )
        record = self._cursor.fetchone()
        return None if record is None else self._dialect.decode(table, dict(record))

    def put(self, table: Table[R], row: R) -> None:
        self._cursor.execute(self._dialect.upsert(table), self._dialect.row_params(table, row))

    def delete(self, table: Table[R], *key: Any) -> None:
        self._cursor.execute(self._dialect.delete(table), self._dialect.key_params(table, key))

    def select(self, query: Select[R]) -> list[R]:
        sql, params = self._dialect.select(query)
        self._cursor.execute(sql, params)
        return [self._dialect.decode(query.table, dict(r)) for r in self._cursor.fetchall()]


def fold_in_one_transaction(view: Any, items: Sequence[tuple[Event, Tracking]], apply: Apply) -> None:
    """Fold `items` into the view's rows and record the last one's checkpoint, in one transaction."""
    if not items:
        return
    with view.datastore.transaction(commit=True) as cursor:
        # Checkpoint first: on SQLite a write takes the write lock at once (waiting on the busy
        # timeout), whereas a read-then-write transaction fails when a writer got in between.
        view._insert_tracking(cursor, items[-1][1])
        rows = CursorRows(cursor, view.dialect)
        for event, tracking in items:
            rows.position = tracking.notification_id
            apply(event, rows)


def select_committed(view: Any, query: Select[R]) -> list[R]:
    with view.datastore.transaction(commit=False) as cursor:
        rows: list[R] = CursorRows(cursor, view.dialect).select(query)
        return rows


class SQLiteReadModelView(SQLiteTrackingRecorder, ReadModelView):
    """A read model in the embedded SQLite file, with its own tracking table `<view>_tracking`."""

    view_name = "view"

    def __init__(self, datastore: SQLiteDatastore, **kwargs: Any) -> None:
        self.dialect = sqlite_dialect()
        self.tracking_table = f"{self.view_name}_tracking"
        super().__init__(datastore, **kwargs)
        self.insert_tracking_statement = (
            f'INSERT INTO "{self.tracking_table}" VALUES (:application_name, :notification_id) '
            "ON CONFLICT (application_name) DO UPDATE SET notification_id = :notification_id "
            f'WHERE "{self.tracking_table}".notification_id < :notification_id RETURNING notification_id'
        )
        self.select_max_tracking_id_statement = (
            f'SELECT MAX(notification_id) FROM "{self.tracking_table}" WHERE application_name=?'
        )

    def construct_create_table_statements(self) -> list[str]:
        tracking = (
            f'CREATE TABLE IF NOT EXISTS "{self.tracking_table}" '
            "(application_name TEXT, notification_id INTEGER, PRIMARY KEY (application_name)) WITHOUT ROWID"
        )
        return [tracking] + [s for table in self.tables for s in self.dialect.ddl(table)]

    def process(self, items: Sequence[tuple[Event, Tracking]], apply: Apply) -> None:
        fold_in_one_transaction(self, items, apply)

    def select(self, query: Select[R]) -> list[R]:
        return select_committed(self, query)

    def drop(self) -> None:
        with self.datastore.transaction(commit=True) as cursor:
            for table in self.tables:
                cursor.execute(self.dialect.drop(table))
            cursor.execute(f'DROP TABLE IF EXISTS "{self.tracking_table}"')
        forget_tracking_table(self)


class PostgresReadModelView(PostgresTrackingRecorder, ReadModelView):
    """A read model in PostgreSQL (the read-model schema); tracking table `<view>_tracking`."""

    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        self.dialect = postgres_dialect(datastore.schema, Jsonb)
        for table in self.tables:
            self.sql_create_statements.extend(sql(s) for s in self.dialect.ddl(table))

    def process(self, items: Sequence[tuple[Event, Tracking]], apply: Apply) -> None:
        fold_in_one_transaction(self, items, apply)

    def select(self, query: Select[R]) -> list[R]:
        return select_committed(self, query)

    def drop(self) -> None:
        with self.datastore.transaction(commit=True) as cursor:
            for table in self.tables:
                cursor.execute(sql(self.dialect.drop(table)))
            cursor.execute(
                SQL("DROP TABLE IF EXISTS {0}.{1}").format(
                    Identifier(self.datastore.schema), Identifier(self.tracking_table_name)
                )
            )
        forget_tracking_table(self)


def sql(text: str) -> Composed:
    """Our generated statements (identifiers quoted by `Dialect`) as psycopg SQL."""
    return Composed([SQL(text)])


def forget_tracking_table(view: SQLiteTrackingRecorder | PostgresTrackingRecorder) -> None:
    """After a drop, the library must create the tracking table afresh (with its migration row)."""
    view.tracking_table_exists = False
    view.tracking_migration_previous = view.tracking_migration_current = None


def view_class(projection: type[CrmProjection], base: type[ReadModelView]) -> type[ReadModelView]:
    """The view class of one projection on one backend (the library constructs it by class)."""
    return type(
        f"{projection.__name__}{base.__name__}",
        (base,),
        {"tables": projection.tables, "view_name": projection.name, "__module__": __name__},
    )


__all__ = ["IntegrityError", "PostgresReadModelView", "SQLiteReadModelView", "view_class"]
