"""Write path without HTTP: commands/s through the bus against raw single-row INSERT commits/s.

Both are measured in the same run on the same store, so the ratio survives a
noisy shared machine. SQLite always; PostgreSQL when CRM_BENCH_DATABASE_URL is
set, else on a throwaway pgserver.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import psycopg

from application import case_commands as c
from application.bus import CommandBus
from infra.bootstrap import Container, bootstrap
from infra.settings import Settings
from tests.application import flows
from tests.servers import isolated_schema, pgserver_url

RESULTS = Path(__file__).parent / "results"
ROW = "x" * 600  # about the size of one encoded event


def rate(count: int, run: Callable[[], None]) -> float:
    started = time.perf_counter()
    run()
    return count / (time.perf_counter() - started)


def sqlite_insert_rate(path: str, count: int) -> float:
    """Raw baseline: one INSERT and one COMMIT per row, WAL journal, like the library's recorder."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(
        "CREATE TABLE raw (id INTEGER PRIMARY KEY AUTOINCREMENT, stream TEXT, version INT, state BLOB)"
    )

    def run() -> None:
        for n in range(count):
            conn.execute("BEGIN")
            conn.execute("INSERT INTO raw (stream, version, state) VALUES (?, ?, ?)", ("s", n, ROW))
            conn.execute("COMMIT")

    try:
        return rate(count, run)
    finally:
        conn.close()


def postgres_insert_rate(url: str, count: int) -> float:
    """Raw baseline: one autocommitted INSERT per row into an equivalent table."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "CREATE TEMP TABLE raw (id BIGSERIAL PRIMARY KEY, stream TEXT, version INT, state BYTEA)"
        )

        def run() -> None:
            for n in range(count):
                conn.execute(
                    "INSERT INTO raw (stream, version, state) VALUES (%s, %s, %s)", ("s", n, ROW.encode())
                )

        return rate(count, run)


def command_rate(bus: CommandBus, writers: int, per_writer: int) -> float:
    """Single-event commands (AppendLongText), each writer on its own notification."""
    cases = [flows.create(bus) for _ in range(writers)]

    def write(case_no: str) -> None:
        for n in range(per_writer):
            bus.dispatch(c.AppendLongText(case_no=case_no, text=f"跟进记录 {n}"), flows.ASSISTANT)

    def run() -> None:
        with ThreadPoolExecutor(max_workers=writers) as pool:
            list(pool.map(write, cases))

    return rate(writers * per_writer, run)


@contextmanager
def store(kind: str, workdir: str) -> Iterator[tuple[Container, str]]:
    if kind == "sqlite":
        with bootstrap(Settings.from_env({"CRM_DATABASE_URL": f"sqlite:///{workdir}/bench.db"})) as container:
            yield container, f"{workdir}/raw.db"
        return
    given = os.environ.get("CRM_BENCH_DATABASE_URL")
    with (
        pgserver_url(Path(workdir) / "pg") if not given else _given(given) as server,
        isolated_schema(server) as url,
        bootstrap(Settings.from_env({"CRM_DATABASE_URL": url})) as container,
    ):
        yield container, server


@contextmanager
def _given(url: str) -> Iterator[str]:
    yield url


def measure(kind: str, count: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as workdir, store(kind, workdir) as (container, raw_target):
        flows.register_customer(container.bus)
        raw = (
            sqlite_insert_rate(raw_target, count)
            if kind == "sqlite"
            else postgres_insert_rate(raw_target, count)
        )
        one = command_rate(container.bus, 1, count)
        eight = command_rate(container.bus, 8, count // 8)
    return {
        "raw_insert_commits_per_s": round(raw),
        "commands_per_s_1_writer": round(one),
        "commands_per_s_8_writers": round(eight),
        "ratio_1_writer_vs_raw": round(one / raw, 3),
        "ratio_8_writers_vs_raw": round(eight / raw, 3),
    }


def main(quick: bool = False) -> None:
    count = 200 if quick else 2000
    results = {kind: measure(kind, count) for kind in ("sqlite", "postgres")}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "write_path.json").write_text(json.dumps({"commands": count, **results}, indent=2) + "\n")
    for kind, figures in results.items():
        print(kind, json.dumps(figures))
