"""Helpers of the relay tests: a nats-server we can stop and restart, and JetStream vs event store."""

from __future__ import annotations

import asyncio
import dataclasses
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple
from uuid import uuid4

import msgspec
import nats
from nats.js.api import AckPolicy, ConsumerConfig
from nats.js.errors import NotFoundError

from application.app import CrmApplication
from infra.relay_stream import MSG_ID_HEADER, RelayOptions
from projections.integration_events import IntegrationEvent
from tests.servers import free_port, nats_server_binary, wait_for_port

# Short waits so that outages are noticed and retried within the tests' time.
FAST = RelayOptions(ack_timeout=3.0, backoff_first=0.05, backoff_max=0.5, poll_seconds=0.05)


def own_stream(options: RelayOptions = FAST) -> RelayOptions:
    """`options` on a stream and subject prefix of this test's own (a shared server never collides)."""
    tag = uuid4().hex[:12]
    return dataclasses.replace(options, stream=f"T_{tag}", subject_prefix=f"t{tag}")


class Published(NamedTuple):
    """What identifies one event, as the store has it or as a JetStream message carries it."""

    event_id: str
    stream: str
    version: int
    position: int


class NatsServer:
    """`nats-server -js` on a fixed loopback port with a store directory that survives a restart."""

    def __init__(self, store_dir: Path) -> None:
        self.store_dir = store_dir
        self.port = free_port()
        self.url = f"nats://127.0.0.1:{self.port}"
        self.log = store_dir / "nats-server.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> NatsServer:
        command = [nats_server_binary(), "-js", "-a", "127.0.0.1", "-p", str(self.port)]
        with self.log.open("ab") as sink:
            self.process = subprocess.Popen(
                [*command, "-sd", str(self.store_dir)], stdout=sink, stderr=subprocess.STDOUT
            )
        wait_for_port("127.0.0.1", self.port, self.process, self.log)
        return self

    def stop(self) -> None:
        """Graceful stop (SIGTERM): JetStream writes out what it acknowledged."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


def stored_events(app: CrmApplication) -> list[Published]:
    """Every event of the log, in log order."""
    events, start = [], 1
    while True:
        page = app.recorder.select_notifications(start=start, limit=1000)
        if not page:
            return events
        for stored in page:
            event: Any = app.mapper.to_domain_event(stored)
            events.append(
                Published(str(event.event_id), event.originator_id, event.originator_version, stored.id)
            )
        start = page[-1].id + 1


def stream_messages(url: str, stream: str) -> list[Published]:
    """Every message of the JetStream stream, in stream order; checks each header id matches its body."""
    return asyncio.run(_stream_messages(url, stream))


async def _stream_messages(url: str, stream: str) -> list[Published]:
    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        total = (await js.stream_info(stream)).state.messages
        config = ConsumerConfig(ack_policy=AckPolicy.NONE)
        subscription = await js.pull_subscribe("", stream=stream, config=config)
        found: list[Published] = []
        while len(found) < total:
            for msg in await subscription.fetch(min(1000, total - len(found)), timeout=10):
                body = msgspec.json.decode(msg.data, type=IntegrationEvent)
                assert (msg.headers or {}).get(MSG_ID_HEADER) == str(body.event_id)
                found.append(Published(str(body.event_id), body.stream, body.version, body.position))
        await subscription.unsubscribe()
        return found
    finally:
        await nc.close()


def stream_count(url: str, stream: str) -> int:
    """Messages in the stream (0 when it does not exist yet)."""

    async def count() -> int:
        nc = await nats.connect(url)
        try:
            return (await nc.jetstream().stream_info(stream)).state.messages
        except NotFoundError:
            return 0
        finally:
            await nc.close()

    return asyncio.run(count())


def delete_stream(url: str, stream: str) -> None:
    async def delete() -> None:
        nc = await nats.connect(url)
        try:
            await nc.jetstream().delete_stream(stream)
        except NotFoundError:
            pass
        finally:
            await nc.close()

    asyncio.run(delete())


def eventually(check: Callable[[], bool], seconds: float = 60.0, what: str = "condition") -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"{what} not reached in {seconds}s"
        time.sleep(0.02)


class Background(threading.Thread):
    """A function in a thread whose exception (if any) the test sees when it joins."""

    def __init__(self, target: Callable[[], object]) -> None:
        super().__init__(daemon=True)
        self._target_fn = target
        self.error: BaseException | None = None
        self.result: object = None

    def run(self) -> None:
        try:
            self.result = self._target_fn()
        except BaseException as error:
            self.error = error

    def finish(self, timeout: float = 300) -> object:
        self.join(timeout)
        assert not self.is_alive(), "the background work did not finish"
        if self.error is not None:
            raise self.error
        return self.result
