"""Idempotency-Key records in the event store's own database (SQLite file or PostgreSQL schema).

One row per (principal, key): claimed before the command runs (status NULL),
completed with the first response, deleted if the command was refused. Rows
older than 24 h are expired lazily when their key comes back. A claim whose
process died before completing stays "in progress" until it expires: replaying
it could run a command twice, and refusing is the safe side.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import msgspec
from eventsourcing.persistence import ApplicationRecorder

from api.ports import StoredResponse
from application.app import CrmApplication

TTL_SECONDS = 24 * 3600
TABLE = "crm_idempotency"
_DDL = """CREATE TABLE IF NOT EXISTS {table} (
    scope TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL, status INTEGER,
    body {blob} NOT NULL, headers TEXT NOT NULL, created_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (scope, key))"""


class SqlIdempotencyStore:
    """The same SQL on SQLite and PostgreSQL; only placeholders and the blob type differ."""

    def __init__(self, recorder: ApplicationRecorder, *, postgres: bool, schema: str = "") -> None:
        self._datastore: Any = recorder.datastore  # type: ignore[attr-defined]
        self._p = "%s" if postgres else "?"
        self._table = f'"{schema}".{TABLE}' if schema else TABLE
        with self._datastore.transaction(commit=True) as cursor:
            cursor.execute(_DDL.format(table=self._table, blob="BYTEA" if postgres else "BLOB"))

    def claim(self, scope: str, key: str, fingerprint: str) -> StoredResponse | None:
        p, now = self._p, time.time()
        with self._datastore.transaction(commit=True) as cursor:
            cursor.execute(
                f"DELETE FROM {self._table} WHERE scope = {p} AND key = {p} AND created_at < {p}",
                (scope, key, now - TTL_SECONDS),
            )
            cursor.execute(
                f"INSERT INTO {self._table} (scope, key, fingerprint, status, body, headers, created_at) "
                f"VALUES ({p}, {p}, {p}, NULL, {p}, '{{}}', {p}) ON CONFLICT DO NOTHING RETURNING scope",
                (scope, key, fingerprint, b"", now),
            )
            if cursor.fetchone() is not None:
                return None
            cursor.execute(
                f"SELECT fingerprint, status, body, headers FROM {self._table} "
                f"WHERE scope = {p} AND key = {p}",
                (scope, key),
            )
            row = cursor.fetchone()
        return _stored(row) if row is not None else None

    def complete(self, scope: str, key: str, response: StoredResponse) -> None:
        p = self._p
        with self._datastore.transaction(commit=True) as cursor:
            cursor.execute(
                f"UPDATE {self._table} SET status = {p}, body = {p}, headers = {p} "
                f"WHERE scope = {p} AND key = {p}",
                (response.status, response.body, msgspec.json.encode(response.headers).decode(), scope, key),
            )

    def release(self, scope: str, key: str) -> None:
        p = self._p
        with self._datastore.transaction(commit=True) as cursor:
            cursor.execute(
                f"DELETE FROM {self._table} WHERE scope = {p} AND key = {p} AND status IS NULL", (scope, key)
            )


def _stored(row: Any) -> StoredResponse:
    fingerprint, status, body, headers = (row[k] for k in ("fingerprint", "status", "body", "headers"))
    return StoredResponse(
        fingerprint=fingerprint, status=status, body=bytes(body), headers=msgspec.json.decode(headers)
    )


class MemoryIdempotencyStore:
    """For the in-memory store (tests, throwaway servers): the records die with the process."""

    def __init__(self) -> None:
        self._records: dict[tuple[str, str], tuple[float, StoredResponse]] = {}
        self._lock = threading.Lock()

    def claim(self, scope: str, key: str, fingerprint: str) -> StoredResponse | None:
        with self._lock:
            found = self._records.get((scope, key))
            if found is not None and found[0] >= time.time() - TTL_SECONDS:
                return found[1]
            self._records[(scope, key)] = (time.time(), StoredResponse(fingerprint=fingerprint))
            return None

    def complete(self, scope: str, key: str, response: StoredResponse) -> None:
        with self._lock:
            self._records[(scope, key)] = (time.time(), response)

    def release(self, scope: str, key: str) -> None:
        with self._lock:
            found = self._records.get((scope, key))
            if found is not None and found[1].status is None:
                del self._records[(scope, key)]


def idempotency_store(app: CrmApplication, storage: str, schema: str = "") -> Any:
    """The store for this storage mode, its table created if missing."""
    if storage == "memory":
        return MemoryIdempotencyStore()
    return SqlIdempotencyStore(app.recorder, postgres=storage == "postgres", schema=schema)
