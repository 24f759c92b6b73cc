"""The JetStream relay against a real nats-server: order, checkpoint, resume, leadership, embedded mode.

The heavier guarantees (a 5,000-command workload, NATS stopped mid-workload,
`crm relay` killed with SIGKILL) are in test_relay_guarantees.py.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import msgspec
import nats
import pytest
from litestar.testing import TestClient
from nats.js.api import DiscardPolicy, StorageType, StreamConfig

from application.app import CrmApplication
from application.bus import CommandBus
from infra.bootstrap import bootstrap, embedded_relay, http_app
from infra.cli import main
from infra.metrics import relay_metrics
from infra.relay import RelayStatus, RelaySupervisor
from infra.relay_log import RelayLog
from infra.relay_stream import RelayOptions
from infra.settings import Settings
from tests.application import flows
from tests.clock import FixedClock
from tests.conftest import settings_for
from tests.infra.relay_support import (
    FAST,
    NatsServer,
    delete_stream,
    eventually,
    own_stream,
    stored_events,
    stream_messages,
)
from tests.infra.test_metrics import metric
from tests.workload import random_workload

STORES = pytest.mark.parametrize("storage", ["sqlite", "postgres"], indirect=True)


@pytest.fixture
def options(nats_url: str) -> Iterator[RelayOptions]:
    """A stream of this test's own on the session's nats-server, deleted afterwards."""
    chosen = own_stream()
    yield chosen
    delete_stream(nats_url, chosen.stream)


def relaying(settings: Settings, nats_url: str, options: RelayOptions) -> RelaySupervisor:
    relay = RelaySupervisor(msgspec.structs.replace(settings, nats_url=nats_url), options)
    relay.start()
    return relay


def caught_up(relay: RelaySupervisor, app: CrmApplication) -> bool:
    return relay.status.position == (app.recorder.max_notification_id() or 0)


@STORES
def test_every_event_reaches_the_stream_once_in_log_order(
    settings: Settings, bus: CommandBus, app: CrmApplication, clock: FixedClock, nats_url: str,
    options: RelayOptions,
) -> None:  # fmt: skip
    random_workload(bus, clock, commands=150, seed=11)
    relay = relaying(settings, nats_url, options)
    try:
        eventually(lambda: caught_up(relay, app), what="the relay catching up")
        flows.register_customer(bus)  # events appended while it follows the log
        flows.v1(bus)
        eventually(lambda: caught_up(relay, app), what="the relay following")
    finally:
        relay.stop()
    assert stream_messages(nats_url, options.stream) == stored_events(app)
    assert relay.status.failures == 0


@pytest.mark.parametrize("storage", ["sqlite"], indirect=True)
def test_a_relay_that_lost_its_checkpoint_resumes_where_the_stream_ends(
    settings: Settings, bus: CommandBus, app: CrmApplication, nats_url: str, options: RelayOptions
) -> None:
    """As after a crash between JetStream's ack and the checkpoint, outliving the duplicate window."""
    flows.register_customer(bus)
    flows.v1(bus)
    first = relaying(settings, nats_url, options)
    eventually(lambda: caught_up(first, app))
    first.stop()
    with sqlite3.connect(settings.sqlite_path) as db:
        db.execute("UPDATE relay_tracking SET notification_id = 2 WHERE application_name = 'crm'")
    flows.v2(bus)
    second = relaying(settings, nats_url, options)
    try:
        eventually(lambda: caught_up(second, app))
    finally:
        second.stop()
    assert second.status.published == app.recorder.max_notification_id() - first.status.position
    assert stream_messages(nats_url, options.stream) == stored_events(app)


@pytest.mark.parametrize("storage", ["sqlite"], indirect=True)
def test_only_the_acknowledged_prefix_of_a_batch_is_checkpointed_and_the_rest_follows_in_order(
    settings: Settings, bus: CommandBus, app: CrmApplication, nats_url: str, options: RelayOptions
) -> None:
    """A stream that refuses messages past its limit acks only a batch's first ones."""
    options = dataclasses.replace(options, ack_timeout=1.0)  # refusals go unanswered: don't wait long
    flows.register_customer(bus)
    flows.v1(bus)
    limit = 5
    set_stream_limit(nats_url, options, limit)
    relay = relaying(settings, nats_url, options)
    try:
        eventually(lambda: relay.status.failures >= 1, what="a refused batch")
        assert relay.status.position == stored_events(app)[limit - 1].position
        set_stream_limit(nats_url, options, -1)
        eventually(lambda: caught_up(relay, app), what="the rest once the stream accepts it")
    finally:
        relay.stop()
    assert stream_messages(nats_url, options.stream) == stored_events(app)


def set_stream_limit(nats_url: str, options: RelayOptions, max_msgs: int) -> None:
    """Create or update the relay's stream with a message limit that refuses (discard new) beyond it."""

    async def configure() -> None:
        nc = await nats.connect(nats_url)
        try:
            js = nc.jetstream()
            config = StreamConfig(
                name=options.stream,
                subjects=[f"{options.subject_prefix}.>"],
                storage=StorageType.FILE,
                duplicate_window=options.duplicate_window,
                max_msgs=max_msgs,
                discard=DiscardPolicy.NEW,
            )
            await (js.update_stream(config) if max_msgs < 0 else js.add_stream(config))
        finally:
            await nc.close()

    asyncio.run(configure())


def test_a_stream_written_from_another_log_is_not_taken_for_this_ones_progress(
    tmp_path: Path, nats_url: str, options: RelayOptions
) -> None:
    assert relay_a_fresh_log(tmp_path / "first.db", nats_url, options, cases=2) > 0
    assert relay_a_fresh_log(tmp_path / "second.db", nats_url, options, cases=0) > 0


def relay_a_fresh_log(path: Path, nats_url: str, options: RelayOptions, cases: int) -> int:
    """Relay a new SQLite log of a customer and `cases` cases; asserts all of it was published."""
    settings = settings_for(f"sqlite:///{path}")
    with bootstrap(settings) as container:
        flows.register_customer(container.bus)
        for _ in range(cases):
            flows.v1(container.bus)
        relay = relaying(settings, nats_url, options)
        try:
            eventually(lambda: caught_up(relay, container.app))
        finally:
            relay.stop()
        assert relay.status.published == container.app.recorder.max_notification_id()
        return relay.status.published


@STORES
def test_commands_succeed_and_the_relay_keeps_retrying_while_nats_is_unreachable(
    settings: Settings, bus: CommandBus, app: CrmApplication, tmp_path: Path
) -> None:
    server = NatsServer(tmp_path)  # its port is reserved but nothing listens yet
    relay = RelaySupervisor(msgspec.structs.replace(settings, nats_url=server.url), FAST)
    relay.start()
    try:
        flows.register_customer(bus)
        flows.v1(bus)
        eventually(lambda: relay.status.failures >= 2, what="retries")
        assert relay.status.state in ("failed", "connecting") and relay.status.position == 0
        server.start()
        eventually(lambda: caught_up(relay, app), what="catching up once NATS is there")
        assert stream_messages(server.url, FAST.stream) == stored_events(app)
    finally:
        relay.stop()
        server.stop()


@pytest.mark.parametrize("storage", ["postgres"], indirect=True)
def test_on_postgres_a_second_relay_waits_until_the_first_stops(
    settings: Settings, bus: CommandBus, app: CrmApplication, nats_url: str, options: RelayOptions
) -> None:
    flows.register_customer(bus)
    first = relaying(settings, nats_url, options)
    second: RelaySupervisor | None = None
    try:
        eventually(lambda: caught_up(first, app))
        second = relaying(settings, nats_url, options)
        time.sleep(1.5)
        assert second.status.state == "waiting_for_lock" and first.status.state == "running"
        first.stop()
        flows.v1(bus)
        eventually(lambda: second is not None and caught_up(second, app), what="the second taking over")
    finally:
        first.stop()
        if second is not None:
            second.stop()
    assert stream_messages(nats_url, options.stream) == stored_events(app)


@pytest.mark.parametrize("storage", ["sqlite"], indirect=True)
def test_the_checkpoint_never_moves_back(settings: Settings, app: CrmApplication) -> None:
    relay_log = RelayLog(settings, "crm")
    try:
        relay_log.record(7)
        relay_log.record(5)
        assert relay_log.checkpoint() == 7
    finally:
        relay_log.close()


@pytest.mark.parametrize("storage", ["sqlite"], indirect=True)
def test_the_embedded_mode_runs_the_relay_and_shows_it_in_metrics(
    settings: Settings, app: CrmApplication, tmp_path: Path
) -> None:
    server = NatsServer(tmp_path).start()
    container = bootstrap(msgspec.structs.replace(settings, nats_url=server.url), app=app)
    try:
        flows.register_customer(container.bus)
        flows.v1(container.bus)
        last = app.recorder.max_notification_id()
        with TestClient(http_app(container)) as client:
            eventually(lambda: metric(client.get("/metrics").text, "crm_relay_position") == last)
            text = client.get("/metrics").text
        assert metric(text, "crm_relay_lag_events") == 0
        assert metric(text, "crm_relay_state", state="running") == 1
        assert len(stream_messages(server.url, "CRM_EVENTS")) == last
    finally:
        server.stop()


def test_only_sqlite_with_a_nats_url_runs_the_relay_in_the_serving_process(tmp_path: Path) -> None:
    sqlite = settings_for(f"sqlite:///{tmp_path}/crm.db")
    assert embedded_relay(sqlite) is None
    assert embedded_relay(msgspec.structs.replace(sqlite, nats_url="nats://127.0.0.1:4222")) is not None
    postgres = settings_for("postgresql://u@localhost/db")
    assert embedded_relay(msgspec.structs.replace(postgres, nats_url="nats://127.0.0.1:4222")) is None


def test_crm_relay_without_a_nats_url_exits_2_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    for name in [name for name in os.environ if name.startswith("CRM_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("CRM_SQLITE_PATH", str(tmp_path / "crm.db"))
    assert main(["relay"]) == 2
    assert "CRM_NATS_URL" in capsys.readouterr().err


def test_relay_metrics_show_position_lag_failures_and_state() -> None:
    status = RelayStatus(position=40, published=40, failures=3)
    status.enter("running")
    text = "\n".join(relay_metrics(status, last=55))
    assert metric(text, "crm_relay_position") == 40
    assert metric(text, "crm_relay_lag_events") == 15
    assert metric(text, "crm_relay_failures_total") == 3
    assert metric(text, "crm_relay_state", state="running") == 1
    assert metric(text, "crm_relay_state", state="failed") == 0


def test_relay_options_default_to_the_documented_stream() -> None:
    defaults = RelayOptions()
    assert (defaults.stream, defaults.subject_prefix) == ("CRM_EVENTS", "crm")
    assert dataclasses.replace(defaults, batch_size=10).duplicate_window == 120.0
