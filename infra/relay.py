"""`crm relay`: every stored event, in log order, to NATS JetStream (stream CRM_EVENTS), at least once.

How it stays correct (see also `infra.relay_log` and docs/events.md):

- **Checkpoint after the ack.** A batch of up to `batch_size` events is
  published with asynchronous acks; the checkpoint then moves to the last
  position whose message *and every earlier one* JetStream acknowledged.
  A crash between ack and checkpoint republishes; JetStream drops the
  repeats by `Nats-Msg-Id` (= event id) within the stream's duplicate window.
- **Order.** Messages of one session travel in log order over one TCP
  connection to one publisher, so the stream holds them in log order (hence per
  stream too). The client's own reconnect is off: it would flush its buffered
  tail after a reconnect, behind messages lost in the broken connection. After
  any failure the session is dropped, and a new connection resumes from the
  checkpoint; a message already stored is a duplicate, a missing one comes next.
- **Resume point.** A new session starts after max(checkpoint, the position of
  the stream's last message) when that message's id is the event stored at its
  `Crm-Position` header: a relay killed after the ack but before its checkpoint
  resumes exactly where the stream ends, even after the duplicate window.
- **NATS down** never touches the write side: commands append to the store
  only. The relay retries with exponential backoff and catches up later.
- **One publisher.** On PostgreSQL a session advisory lock makes a second
  `crm relay` wait (`relay_lock`); the embedded SQLite mode runs one process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import nats
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import PubAck

from infra.relay_log import Outgoing, RelayLog, relay_lock
from infra.relay_stream import (
    PublishFailed,
    RelayOptions,
    acknowledged,
    ensure_stream,
    failure,
    last_stored_position,
    send,
)
from infra.settings import Settings

log = logging.getLogger("crm.relay")

STOP_TIMEOUT = 15.0
RELAY_STATES = ("starting", "waiting_for_lock", "connecting", "running", "failed", "stopped")


@dataclass
class RelayStatus:
    """What /metrics and logs show about the relay of this process."""

    state: str = "starting"
    position: int = 0
    published: int = 0
    failures: int = 0
    last_error: str = ""
    since: datetime = field(default_factory=lambda: datetime.now(UTC))

    def enter(self, state: str) -> None:
        self.state, self.since = state, datetime.now(UTC)


class Relay:
    """Publishes the log from its checkpoint on, one NATS connection per session, until stopped."""

    def __init__(
        self,
        settings: Settings,
        url: str,
        options: RelayOptions,
        status: RelayStatus,
        stopping: threading.Event,
    ) -> None:
        self.settings, self.url, self.options = settings, url, options
        self.status, self.stopping = status, stopping
        self.log: RelayLog | None = None

    async def run(self) -> None:
        """Sessions until stopped; a failed one is logged, counted and retried with backoff."""
        backoff = self.options.backoff_first
        try:
            while not self.stopping.is_set():
                published = self.status.published
                try:
                    await self._session()
                except Exception as error:  # NATS or the store failing must not end the relay
                    self._failed(error, backoff)
                    if self.status.published > published:
                        backoff = self.options.backoff_first
                    await self._pause(backoff)
                    backoff = min(backoff * 2, self.options.backoff_max)
        finally:
            if self.log is not None:
                self.log.close()

    async def _session(self) -> None:
        relay_log = await self._relay_log()
        self.status.enter("connecting")
        lost = asyncio.Event()

        async def on_lost() -> None:
            lost.set()

        nc = await nats.connect(
            self.url,
            name="crm-relay",
            allow_reconnect=False,  # see the module docstring: a reconnect could reorder
            connect_timeout=self.options.connect_timeout,
            # Two quick tries, then fail: the session loop's backoff decides when to come back.
            max_reconnect_attempts=1,
            reconnect_time_wait=0.1,
            disconnected_cb=on_lost,
            closed_cb=on_lost,
            error_cb=_nats_error,
        )
        try:
            js = nc.jetstream(publish_async_max_pending=self.options.batch_size)
            await ensure_stream(js, self.options)
            position = await self._resume(js, relay_log)
            self.status.enter("running")
            log.info("relay publishing to %s from position %d", self.options.stream, position)
            await self._follow(js, relay_log, position, lost)
        finally:
            await _close(nc)

    async def _follow(
        self, js: JetStreamContext, relay_log: RelayLog, position: int, lost: asyncio.Event
    ) -> None:
        """Publish batch after batch; the next batch is read and encoded while this one's acks come in."""
        size = self.options.batch_size
        ahead: asyncio.Future[list[Outgoing]] | None = None
        try:
            while not self.stopping.is_set():
                if lost.is_set():
                    raise ConnectionError("the connection to NATS was lost")
                batch = await (ahead or asyncio.to_thread(relay_log.read, position, size))
                ahead = None
                if not batch:
                    await self._pause(self.options.poll_seconds)
                    continue
                futures = await send(js, batch, self.options.stream)
                ahead = asyncio.ensure_future(asyncio.to_thread(relay_log.read, batch[-1].position, size))
                position = await self._settle(relay_log, batch, futures, lost)
        finally:
            if ahead is not None:
                ahead.cancel()

    async def _settle(
        self,
        relay_log: RelayLog,
        batch: Sequence[Outgoing],
        futures: list[asyncio.Future[PubAck]],
        lost: asyncio.Event,
    ) -> int:
        """Wait for the acks, checkpoint the acknowledged prefix; fail unless all of them came."""
        acked = await acknowledged(futures, lost, self.options.ack_timeout)
        if acked:
            await asyncio.to_thread(relay_log.record, batch[acked - 1].position)
            self.status.position = batch[acked - 1].position
            self.status.published += acked
        if acked < len(batch):
            raise PublishFailed(failure(futures, acked, batch))
        return batch[-1].position

    async def _resume(self, js: JetStreamContext, relay_log: RelayLog) -> int:
        """Where to start: the checkpoint, or the stream's last message when it is further on."""
        checkpoint = await asyncio.to_thread(relay_log.checkpoint)
        stored = await last_stored_position(js, self.options.stream)
        if stored is not None and stored[0] > checkpoint:
            position, event_id = stored
            if await asyncio.to_thread(relay_log.event_id_at, position) == event_id:
                await asyncio.to_thread(relay_log.record, position)
                checkpoint = position
            else:
                log.warning(
                    "stream %s ends with a message from another log (position %d); publishing from %d",
                    self.options.stream, position, checkpoint,
                )  # fmt: skip
        self.status.position = checkpoint
        return checkpoint

    async def _relay_log(self) -> RelayLog:
        if self.log is None:
            self.log = await asyncio.to_thread(RelayLog, self.settings, self.options.subject_prefix)
        return self.log

    def _failed(self, error: Exception, backoff: float) -> None:
        self.status.failures += 1
        self.status.last_error = f"{type(error).__name__}: {error}"
        self.status.enter("failed")
        log.warning("relay: %s; retrying in %.1fs", self.status.last_error, backoff)

    async def _pause(self, seconds: float) -> None:
        """Sleep up to `seconds`, waking early when asked to stop."""
        deadline = asyncio.get_running_loop().time() + seconds
        while not self.stopping.is_set():
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                return
            await asyncio.sleep(min(left, 0.1))


async def _nats_error(error: Exception) -> None:
    """The client's own error reports; failures that end a session are logged once, by `_failed`."""
    log.info("relay: NATS: %s", error or type(error).__name__)


async def _close(nc: Client) -> None:
    with contextlib.suppress(Exception):
        await nc.close()


class RelaySupervisor:
    """Runs the relay in a thread of its own (with its own event loop) until stopped.

    Used by `crm relay` and, in the embedded SQLite mode with CRM_NATS_URL set, by
    `crm serve`. On PostgreSQL it first waits for the relay's advisory lock.
    """

    def __init__(self, settings: Settings, options: RelayOptions | None = None) -> None:
        if settings.nats_url is None:
            raise ValueError("the relay needs CRM_NATS_URL")
        self.settings, self.url = settings, settings.nats_url
        self.options = options or RelayOptions()
        self.status = RelayStatus()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="relay", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def request_stop(self) -> None:
        self._stopping.set()

    def stop(self) -> None:
        """Stop and wait for the thread (no parameters: Litestar passes the app to hooks that take one)."""
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(STOP_TIMEOUT)
        self.status.enter("stopped")

    def _run(self) -> None:
        backoff = self.options.backoff_first
        while not self._stopping.is_set():
            try:
                self.status.enter("waiting_for_lock")
                with relay_lock(self.settings, self._stopping):
                    if not self._stopping.is_set():
                        relay = Relay(self.settings, self.url, self.options, self.status, self._stopping)
                        asyncio.run(relay.run())
            except Exception as error:  # e.g. the lock's database is unreachable: retry, never die silently
                self.status.failures += 1
                self.status.last_error = f"{type(error).__name__}: {error}"
                self.status.enter("failed")
                log.exception("relay failed; restarting in %.1fs", backoff)
                self._stopping.wait(backoff)
                backoff = min(backoff * 2, self.options.backoff_max)
