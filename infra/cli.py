"""The `crm` command line: the only place that reads os.environ, then passes Settings down."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import uvicorn
from litestar import Litestar
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from infra.bootstrap import bootstrap, http_app
from infra.cli_demo import add_demo_parser
from infra.cli_keys import add_keys_parser
from infra.cli_tail import add_tail_parser
from infra.event_store import build_application, store_stats
from infra.logs import configure_logging
from infra.rebuild import rebuild
from infra.relay import RelaySupervisor
from infra.relay_stream import STREAM
from infra.runners import Runners
from infra.settings import Settings, SettingsError
from projections.base import CrmProjection
from projections.catalog import PROJECTIONS, by_name

CONFIG_HELP = """\
configuration (environment variables):
  CRM_DATABASE_URL         postgresql://user:pw@host:port/db[?schema=s] | sqlite:///path | memory://
                           (unset: SQLite file ./crm.db, or CRM_SQLITE_PATH)
  CRM_TIMEZONE             business time zone (default Asia/Shanghai)
  CRM_BOOTSTRAP_ADMIN_KEY  an admin API key accepted at start-up
  CRM_NATS_URL             nats://host:port for the event relay
  CRM_HOST, CRM_PORT       where `crm serve` listens (default 127.0.0.1:8000)
  CRM_WORKERS              API processes (default 1; more than 1 needs PostgreSQL)
  CRM_LOG_LEVEL            critical|error|warning|info|debug|trace (default info)
  CRM_RATE_LIMIT           requests per minute per API key and process (default 6000)
  CRM_READY_MAX_LAG        /ready answers 503 while a read model trails by more events (default 10000)

examples:
  crm serve                                             # SQLite ./crm.db on 127.0.0.1:8000
  CRM_DATABASE_URL=postgresql://crm:pw@db/crm crm status
  CRM_PORT=9000 CRM_DATABASE_URL=memory:// crm serve    # throwaway in-memory store
"""

Command = Callable[[Settings, argparse.Namespace], int]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `crm` console script; returns the process exit code."""
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env(os.environ)
    except SettingsError as error:
        print(f"crm: configuration error: {error}", file=sys.stderr)
        return 2
    configure_logging(_logging_level(settings.log_level))
    command: Command = args.run
    return command(settings, args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="crm",
        description="Event-sourced CRM backend: after-sales cases and customers over an event store.",
        epilog=CONFIG_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    status = commands.add_parser(
        "status",
        help="show where events are stored and how many there are",
        description="Print the storage mode, the database location (never a password), "
        "the number of stored events and the last log position.",
    )
    status.set_defaults(run=run_status)
    serve = commands.add_parser(
        "serve",
        help="run the HTTP API (GET /health, GET /ready, OpenAPI at /schema)",
        description="Serve the HTTP API with uvicorn on CRM_HOST:CRM_PORT. Stop it with Ctrl-C.",
        epilog=CONFIG_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    serve.set_defaults(run=run_serve)
    project = commands.add_parser(
        "project",
        help="run the projection runners (read models) until stopped",
        description="Follow the event log into every read model (or the NAMEs given). On PostgreSQL each "
        "read model has one active runner across all machines: a second `crm project` waits. In the "
        "embedded SQLite mode `crm serve` already runs them. Stop with Ctrl-C or SIGTERM.",
    )
    project.add_argument("names", nargs="*", metavar="NAME", help=f"read models (default all): {_names()}")
    project.set_defaults(run=run_project)
    rebuild = commands.add_parser(
        "rebuild",
        help="drop a read model and replay the whole log into it",
        description="Drop NAME (or --all) and replay the event log from position 0, in batches, with "
        "a progress bar. Stop `crm serve`/`crm project` for that read model first (on PostgreSQL the "
        "rebuild takes its lock, so a running `crm project` waits).",
    )
    rebuild.add_argument("names", nargs="*", metavar="NAME", help=f"read models: {_names()}")
    rebuild.add_argument("--all", action="store_true", help="rebuild every read model")
    rebuild.set_defaults(run=run_rebuild)
    relay = commands.add_parser(
        "relay",
        help="publish every stored event to NATS JetStream (needs CRM_NATS_URL) until stopped",
        description=f"Follow the event log from the relay's checkpoint and publish each event to the "
        f"JetStream stream {STREAM} (created if missing) on subject crm.<aggregate>.<event_snake>, "
        "with Nats-Msg-Id = event id; the checkpoint moves only after JetStream acknowledged. "
        "Events are published in log order; a NATS outage never fails a command: the relay retries "
        "with backoff and catches up. On PostgreSQL one relay publishes at a time (a second copy "
        "waits). With SQLite and CRM_NATS_URL set, `crm serve` already runs it. Stop with Ctrl-C "
        "or SIGTERM. Messages are documented in docs/events.md.",
    )
    relay.set_defaults(run=run_relay)
    add_demo_parser(commands)
    add_keys_parser(commands)
    add_tail_parser(commands)
    return parser


def _names() -> str:
    return ", ".join(p.name for p in PROJECTIONS)


def _selected(names: Sequence[str], everything: bool) -> tuple[type[CrmProjection], ...]:
    return PROJECTIONS if everything or not names else tuple(by_name(n) for n in names)


def run_project(settings: Settings, args: argparse.Namespace) -> int:
    """`crm project`: supervised runners until SIGINT/SIGTERM."""
    try:
        projections = _selected(args.names, everything=False)
    except KeyError as error:
        print(f"crm: {error.args[0]}", file=sys.stderr)
        return 2
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    runners = Runners(settings, projections, single=True)
    runners.start()
    print(f"crm: projecting {', '.join(p.name for p in projections)} from {_location(settings)}", flush=True)
    stop.wait()
    runners.stop()
    return 0


def run_relay(settings: Settings, args: argparse.Namespace) -> int:
    """`crm relay`: the JetStream relay until SIGINT/SIGTERM."""
    if settings.nats_url is None:
        print("crm: `crm relay` needs CRM_NATS_URL (e.g. nats://127.0.0.1:4222)", file=sys.stderr)
        return 2
    if settings.storage == "memory":
        print("crm: `crm relay` needs SQLite or PostgreSQL (CRM_DATABASE_URL)", file=sys.stderr)
        return 2
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    relay = RelaySupervisor(settings)
    relay.start()
    print(f"crm: relaying {_location(settings)} to {settings.nats_url} stream {STREAM}", flush=True)
    stop.wait()
    relay.stop()
    return 0


def run_rebuild(settings: Settings, args: argparse.Namespace) -> int:
    """`crm rebuild NAME|--all`: replay with a progress bar (events/s, ETA)."""
    if not args.names and not args.all:
        print("crm: name a read model or give --all", file=sys.stderr)
        return 2
    try:
        projections = _selected(args.names, args.all)
    except KeyError as error:
        print(f"crm: {error.args[0]}", file=sys.stderr)
        return 2
    for projection in projections:
        _rebuild_one(settings, projection)
    return 0


def _rebuild_one(settings: Settings, projection: type[CrmProjection]) -> None:
    columns = (
        TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[applied]} events"),
        TextColumn("{task.fields[rate]:,.0f} events/s"), TimeRemainingColumn(),
    )  # fmt: skip
    started = time.monotonic()
    with Progress(*columns) as bar:
        task = bar.add_task(projection.name, total=None, applied=0, rate=0.0)

        def progress(position: int, last: int, applied: int) -> None:
            rate = applied / max(time.monotonic() - started, 1e-6)
            bar.update(task, completed=position, total=last, applied=applied, rate=rate)

        applied = rebuild(settings, projection, progress)
    print(
        f"crm: rebuilt {projection.name}: {applied} events in {time.monotonic() - started:.1f}s", flush=True
    )


def run_status(settings: Settings, args: argparse.Namespace) -> int:
    """`crm status`: storage mode, location and size of the event log."""
    print(f"storage:        {settings.storage}")
    print(f"database:       {_location(settings)}")
    print(f"time zone:      {settings.timezone}")
    if settings.storage == "sqlite" and not Path(settings.sqlite_path).exists():
        print("events:         0 (the database file is created on first use)")
        return 0
    try:
        app = build_application(settings)
    except Exception as error:
        print(f"crm: the event store did not answer: {error}", file=sys.stderr)
        return 1
    try:
        stats = store_stats(app)
    finally:
        app.close()
    print(f"events:         {stats.events}")
    print(f"last position:  {stats.last_position}")
    return 0


def run_serve(settings: Settings, args: argparse.Namespace) -> int:
    """`crm serve`: one in-process app, or N uvicorn workers each bootstrapping its own."""
    base = f"http://{settings.host}:{settings.port}"
    print(f"crm: serving on {base} (docs {base}/schema) with {_location(settings)}", flush=True)
    host, port, log_level = settings.host, settings.port, settings.log_level
    if settings.workers == 1:
        asgi = http_app(bootstrap(settings))
        uvicorn.run(asgi, host=host, port=port, log_level=log_level, access_log=False, log_config=None)
    else:
        uvicorn.run(
            "infra.cli:asgi_factory",
            factory=True,
            workers=settings.workers,
            host=host,
            port=port,
            log_level=log_level,
            access_log=False,
            log_config=None,
        )
    return 0


def asgi_factory() -> Litestar:
    """Builds the app inside each uvicorn worker process (workers > 1 on PostgreSQL)."""
    settings = Settings.from_env(os.environ)
    configure_logging(_logging_level(settings.log_level))
    return http_app(bootstrap(settings))


def _location(settings: Settings) -> str:
    if settings.storage == "sqlite":
        return f"sqlite {Path(settings.sqlite_path).resolve()}"
    return settings.describe_database()


def _logging_level(level: str) -> int:
    return logging.DEBUG if level == "trace" else logging.getLevelNamesMapping()[level.upper()]


def _version() -> str:
    try:
        return version("crm")
    except PackageNotFoundError:
        return "unknown"
