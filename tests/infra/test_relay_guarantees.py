"""The relay's guarantees under load and failure, on PostgreSQL and a real nats-server.

Each test compares the whole JetStream stream with the event store: the same
events (by id) in the same order, each once. That is exactly once by event id
and in order per stream (the relay even keeps the global log order).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest

from application.app import CrmApplication
from application.bus import CommandBus
from infra.relay import RelaySupervisor
from infra.relay_log import RelayLog
from infra.relay_stream import RelayOptions
from infra.settings import Settings
from tests.clock import FixedClock
from tests.infra.relay_support import (
    FAST,
    Background,
    NatsServer,
    delete_stream,
    eventually,
    own_stream,
    stored_events,
    stream_count,
    stream_messages,
)
from tests.infra.test_crash_safety import die_with_parent
from tests.workload import random_workload

POSTGRES = pytest.mark.parametrize("storage", ["postgres"], indirect=True)
RELAY = [sys.executable, "-c", "from infra.cli import main; raise SystemExit(main())", "relay"]


@pytest.fixture
def options(nats_url: str) -> Iterator[RelayOptions]:
    chosen = own_stream()
    yield chosen
    delete_stream(nats_url, chosen.stream)


def log_position(app: CrmApplication) -> int:
    return app.recorder.max_notification_id() or 0


def workload(bus: CommandBus, clock: FixedClock, commands: int, seed: int) -> Background:
    """The seeded workload in a thread: the relay follows a log that is still being written."""
    work = Background(lambda: random_workload(bus, clock, commands=commands, seed=seed))
    work.start()
    return work


@pytest.mark.slow
@POSTGRES
def test_a_5000_command_workload_arrives_exactly_once_in_log_order(
    settings: Settings, bus: CommandBus, app: CrmApplication, clock: FixedClock, nats_url: str,
    options: RelayOptions,
) -> None:  # fmt: skip
    relay = RelaySupervisor(msgspec.structs.replace(settings, nats_url=nats_url), options)
    relay.start()
    try:
        accepted = workload(bus, clock, commands=5000, seed=505).finish()
        assert isinstance(accepted, int) and accepted >= 4000
        eventually(lambda: relay.status.position == log_position(app), what="the relay catching up")
    finally:
        relay.stop()
    stored = stored_events(app)
    assert len(stored) > 5000
    assert stream_messages(nats_url, options.stream) == stored
    assert relay.status.failures == 0


@pytest.mark.slow
@POSTGRES
def test_commands_keep_succeeding_while_nats_is_down_and_the_relay_catches_up_after(
    settings: Settings, bus: CommandBus, app: CrmApplication, clock: FixedClock, tmp_path: Path
) -> None:
    server = NatsServer(tmp_path).start()
    relay = RelaySupervisor(msgspec.structs.replace(settings, nats_url=server.url), FAST)
    relay.start()
    try:
        work = workload(bus, clock, commands=1500, seed=606)
        eventually(lambda: relay.status.position > 300, what="the relay publishing")
        server.stop()
        down_at = log_position(app)
        eventually(lambda: log_position(app) > down_at + 300, what="commands while NATS is down")
        assert relay.status.failures > 0 and work.is_alive()
        server.start()
        work.finish()
        eventually(lambda: relay.status.position == log_position(app), what="catching up after NATS is back")
        assert stream_messages(server.url, FAST.stream) == stored_events(app)
    finally:
        relay.stop()
        server.stop()


@pytest.mark.slow
@POSTGRES
def test_crm_relay_killed_mid_stream_and_restarted_misses_and_repeats_nothing(
    settings: Settings, bus: CommandBus, app: CrmApplication, clock: FixedClock, tmp_path: Path
) -> None:
    server = NatsServer(tmp_path).start()
    log = tmp_path / "relay.log"
    relay_log = RelayLog(settings, FAST.subject_prefix)
    first = start_relay(settings.database_url, server.url, log)
    second: subprocess.Popen[bytes] | None = None
    try:
        work = workload(bus, clock, commands=2500, seed=707)
        eventually(lambda: stream_count(server.url, "CRM_EVENTS") > 500, what=f"publishing (see {log})")
        first.send_signal(signal.SIGKILL)
        first.wait()
        assert work.is_alive(), "killed too late to be mid-stream"
        second = start_relay(settings.database_url, server.url, log)
        work.finish()
        last = log_position(app)
        eventually(lambda: relay_log.checkpoint() == last, what="the restarted relay catching up")
        stored = stored_events(app)
        assert stream_messages(server.url, "CRM_EVENTS") == stored
        assert stream_count(server.url, "CRM_EVENTS") == len(stored)
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait(30)
        relay_log.close()
        server.stop()


def start_relay(database_url: str, nats_url: str, log: Path) -> subprocess.Popen[bytes]:
    """`crm relay` as its own process; its log goes to a file (a full pipe would stall it)."""
    env = {
        **os.environ,
        "CRM_DATABASE_URL": database_url,
        "CRM_NATS_URL": nats_url,
        "CRM_LOG_LEVEL": "warning",
    }
    with log.open("ab") as sink:
        return subprocess.Popen(
            RELAY, env=env, stdout=sink, stderr=subprocess.STDOUT, preexec_fn=die_with_parent
        )
