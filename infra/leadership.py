"""One active worker per job across machines: a PostgreSQL session advisory lock, waited for.

Projection runners, rebuilds and the relay each hold a named lock while they
work; a second copy waits (polling, so it can be told to stop) and takes over
when the first one's session ends, however it ended. SQLite runs one process,
so there the lock is a no-op.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg.conninfo import make_conninfo

from infra.settings import Settings

LOCK_POLL_SECONDS = 1.0


@contextmanager
def advisory_lock(settings: Settings, name: str, stopping: threading.Event | None = None) -> Iterator[None]:
    """Hold the lock `name` for the body; wait until it is free or `stopping` is set."""
    if settings.storage != "postgres":
        yield
        return
    key = lock_key(name)
    stopping = stopping or threading.Event()
    with psycopg.connect(make_conninfo("", **settings.postgres.connect_kwargs()), autocommit=True) as conn:
        while not stopping.is_set():
            row = conn.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()
            if row and row[0]:
                break
            stopping.wait(LOCK_POLL_SECONDS)
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock_all()")


def lock_key(name: str) -> int:
    """A stable signed 64-bit advisory-lock key for a name."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
