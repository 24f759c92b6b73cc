"""Event-store wiring: the eventsourcing env derived from Settings, and the application built on it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg
from eventsourcing.persistence import ApplicationRecorder
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from eventsourcing.utils import get_topic
from psycopg import sql
from psycopg.conninfo import make_conninfo

from application.app import Clock, CrmApplication
from infra.settings import PostgresTarget, Settings
from infra.sqlite_subscription import PollingSQLiteApplicationRecorder

# Seconds a writer waits for SQLite's write lock before failing; one process rarely waits at all.
SQLITE_LOCK_TIMEOUT = "10"
# Two cores: writers are serialised by the table lock anyway, so a few warm connections
# plus headroom for readers beat a large pool that only queues on the lock.
POSTGRES_POOL_SIZE = "2"
POSTGRES_MAX_OVERFLOW = "6"
# Seconds to wait for the events-table lock before giving up; long waits mean an overloaded store.
POSTGRES_LOCK_TIMEOUT = "10"
POSTGRES_CONNECT_TIMEOUT = "10"
CREATE_TABLES_LOCK = 0x63726D5F7461626C  # "crm_tabl": advisory-lock key for table creation


def eventsourcing_env(settings: Settings) -> dict[str, str]:
    """The complete env the library needs: nothing is left for it to find in os.environ."""
    if settings.storage == "memory":
        return {"PERSISTENCE_MODULE": "eventsourcing.popo"}
    if settings.storage == "sqlite":
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": settings.sqlite_path,
            "SQLITE_LOCK_TIMEOUT": SQLITE_LOCK_TIMEOUT,
            "ORIGINATOR_ID_TYPE": "text",
            # The library's SQLite recorder cannot be subscribed to; projection runners need that.
            "APPLICATION_RECORDER_TOPIC": get_topic(PollingSQLiteApplicationRecorder),
        }
    return postgres_env(settings.postgres)


def postgres_env(target: PostgresTarget) -> dict[str, str]:
    """PostgreSQL env; the default insert strategy is kept on purpose.

    POSTGRES_ENABLE_DB_FUNCTIONS is never set: it skips the table lock, and
    without the lock a tailing subscriber was measured to miss events.
    """
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": target.dbname,
        "POSTGRES_HOST": target.host,
        "POSTGRES_PORT": str(target.port),
        "POSTGRES_USER": target.user,
        "POSTGRES_PASSWORD": target.password,
        "POSTGRES_POOL_SIZE": POSTGRES_POOL_SIZE,
        "POSTGRES_MAX_OVERFLOW": POSTGRES_MAX_OVERFLOW,
        "POSTGRES_LOCK_TIMEOUT": POSTGRES_LOCK_TIMEOUT,
        "POSTGRES_CONNECT_TIMEOUT": POSTGRES_CONNECT_TIMEOUT,
        "ORIGINATOR_ID_TYPE": "text",
    }
    if target.schema:
        env["POSTGRES_SCHEMA"] = target.schema
    return env


def build_application(settings: Settings, clock: Clock | None = None) -> CrmApplication:
    """The write-side application for the configured store (tables are created if missing)."""
    if settings.storage != "postgres":
        return _application(settings, clock)
    with creating_tables(settings.postgres):
        return _application(settings, clock)


def _application(settings: Settings, clock: Clock | None) -> CrmApplication:
    env = eventsourcing_env(settings)
    if clock is None:
        return CrmApplication(env, timezone=settings.zone)
    return CrmApplication(env, clock=clock, timezone=settings.zone)


@contextmanager
def creating_tables(target: PostgresTarget) -> Iterator[None]:
    """Hold a cluster-wide advisory lock while the library creates its tables.

    Its CREATE TYPE/TABLE IF NOT EXISTS statements are not atomic: API workers
    starting together were seen failing with duplicate-key errors on pg_type.
    The library creates tables, not schemas, so the schema is made here too.
    """
    conninfo = make_conninfo("", **target.connect_kwargs(connect_timeout=int(POSTGRES_CONNECT_TIMEOUT)))
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (CREATE_TABLES_LOCK,))
        try:
            if target.schema:
                conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(target.schema)))
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (CREATE_TABLES_LOCK,))


@dataclass(frozen=True)
class StoreStats:
    """How much the log holds: its number of events and the last notification id."""

    events: int
    last_position: int


def store_stats(app: CrmApplication) -> StoreStats:
    """Count events with one query where the store allows it (status output, not hot paths)."""
    recorder = app.recorder
    if isinstance(recorder, SQLiteApplicationRecorder):
        return _sqlite_stats(recorder)
    if isinstance(recorder, PostgresApplicationRecorder):
        return _postgres_stats(recorder)
    return _scan_stats(recorder)


def _sqlite_stats(recorder: SQLiteApplicationRecorder) -> StoreStats:
    query = f"SELECT COUNT(*), MAX(rowid) FROM {recorder.events_table_name}"  # noqa: S608 (library's name)
    with recorder.datastore.transaction(commit=False) as cursor:
        cursor.execute(query)
        count, last = cursor.fetchone()
    return StoreStats(events=int(count), last_position=int(last or 0))


def _postgres_stats(recorder: PostgresApplicationRecorder) -> StoreStats:
    query = sql.SQL("SELECT COUNT(*) AS n, MAX(notification_id) AS last FROM {}.{}").format(
        sql.Identifier(recorder.datastore.schema), sql.Identifier(recorder.events_table_name)
    )
    with recorder.datastore.transaction(commit=False) as cursor:
        cursor.execute(query)
        row = cursor.fetchone() or {"n": 0, "last": None}
    return StoreStats(events=int(row["n"]), last_position=int(row["last"] or 0))


def _scan_stats(recorder: ApplicationRecorder) -> StoreStats:
    events, start = 0, 1
    last = recorder.max_notification_id() or 0
    while start <= last:
        page = recorder.select_notifications(start=start, limit=1000, stop=last)
        if not page:
            break
        events += len(page)
        start = page[-1].id + 1
    return StoreStats(events=events, last_position=last)
