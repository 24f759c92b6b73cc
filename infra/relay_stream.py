"""The JetStream side of the relay: the stream, a batch published with async acks, where the stream ends.

A batch goes out as `publish_async` calls, pipelined on one connection (acks come
back asynchronously instead of one round trip per message), each with
`Nats-Expected-Stream`, so no other stream that takes the subject stores it. `acknowledged` counts the leading
messages JetStream acknowledged: only those may be checkpointed.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from nats.js import JetStreamContext
from nats.js.api import PubAck, StorageType, StreamConfig
from nats.js.errors import NotFoundError

from infra.relay_log import Outgoing
from projections.integration_events import SUBJECT_PREFIX

log = logging.getLogger("crm.relay")

STREAM = "CRM_EVENTS"
MSG_ID_HEADER = "Nats-Msg-Id"
POSITION_HEADER = "Crm-Position"


@dataclass(frozen=True)
class RelayOptions:
    """Tunables; tests shorten the waits and use their own stream and subject prefix."""

    stream: str = STREAM
    subject_prefix: str = SUBJECT_PREFIX
    duplicate_window: float = 120.0
    """Seconds JetStream remembers message ids. A restarted relay resumes after the stream's last
    message, so restarts need no window; it covers a session that starts over while the server still
    stores the dropped connection's last messages (seconds: ack timeout plus backoff)."""
    batch_size: int = 1000
    ack_timeout: float = 10.0
    poll_seconds: float = 0.1
    backoff_first: float = 0.5
    backoff_max: float = 30.0
    connect_timeout: int = 2


class PublishFailed(RuntimeError):
    """Not every message of a batch was acknowledged in time; the session starts over."""


async def send(js: JetStreamContext, batch: Sequence[Outgoing], stream: str) -> list[asyncio.Future[PubAck]]:
    """Publish `batch` in log order without waiting: one ack future per message."""
    return [
        await js.publish_async(
            item.subject,
            item.body,
            stream=stream,
            headers={MSG_ID_HEADER: item.event_id, POSITION_HEADER: str(item.position)},
        )
        for item in batch
    ]


async def acknowledged(futures: list[asyncio.Future[PubAck]], lost: asyncio.Event, timeout: float) -> int:
    """How many leading messages were acknowledged; unanswered ones are given up (their slots freed)."""
    everything = asyncio.ensure_future(asyncio.wait(futures))
    connection_lost = asyncio.ensure_future(lost.wait())
    await asyncio.wait({everything, connection_lost}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    for waiter in (everything, connection_lost):
        waiter.cancel()
    acked = 0
    for future in futures:
        if not future.done() or future.cancelled() or future.exception() is not None:
            break
        acked += 1
    for future in futures[acked:]:
        if not future.done():
            future.cancel()  # frees the client's pending-publish slot; an ack that still comes is ignored
        elif not future.cancelled():
            future.exception()  # seen: the batch failed as a whole (else asyncio logs it as never retrieved)
    return acked


def failure(futures: list[asyncio.Future[PubAck]], acked: int, batch: Sequence[Outgoing]) -> str:
    first = futures[acked]
    reason = "no ack in time"
    if first.done() and not first.cancelled() and first.exception() is not None:
        reason = repr(first.exception())
    unanswered, start = len(batch) - acked, batch[acked].position
    return f"{unanswered} of {len(batch)} messages unacknowledged from position {start}: {reason}"


async def ensure_stream(js: JetStreamContext, options: RelayOptions) -> None:
    """Create the stream if missing (file storage, the duplicate window); align a drifted config."""
    wanted = StreamConfig(
        name=options.stream,
        subjects=[f"{options.subject_prefix}.>"],
        storage=StorageType.FILE,
        duplicate_window=options.duplicate_window,
        description="Every event of the CRM event log, in log order (docs/events.md)",
    )
    try:
        info = await js.stream_info(options.stream)
    except NotFoundError:
        await js.add_stream(wanted)
        log.info("created stream %s", options.stream)
        return
    config = info.config
    if config.subjects != wanted.subjects or config.duplicate_window != wanted.duplicate_window:
        aligned = dataclasses.replace(
            config, subjects=wanted.subjects, duplicate_window=wanted.duplicate_window
        )
        await js.update_stream(aligned)
        log.info("updated stream %s (subjects, duplicate window)", options.stream)


async def last_stored_position(js: JetStreamContext, stream: str) -> tuple[int, str] | None:
    """(log position, event id) of the stream's last message, if it carries them."""
    info = await js.stream_info(stream)
    if not info.state.messages:
        return None
    try:
        message = await js.get_msg(stream, seq=info.state.last_seq)
    except NotFoundError:
        return None
    headers = message.headers or {}
    position, event_id = headers.get(POSITION_HEADER), headers.get(MSG_ID_HEADER)
    if position is None or event_id is None or not position.isdigit():
        return None
    return int(position), event_id
