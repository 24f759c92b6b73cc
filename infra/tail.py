"""`crm tail`'s engine: a JetStream pull consumer that shows each integration event, then acks it.

`--from-position N` is applied to the message body, not to the JetStream sequence:
the two differ in general (the dedupe window swallows a re-published event without
using a sequence number, a redelivery after the window uses a new one, PostgreSQL
positions skip numbers, and a stream may have been purged or shared), so the
consumer starts at the stream's first message and skips every event whose
`position` is N or less. Skipped messages are acked too, so a durable consumer
does not offer them again.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import msgspec
import nats.errors
import nats.js.errors
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

STREAM = "CRM_EVENTS"
ALL_SUBJECTS = "crm.>"
FETCH_BATCH = 100
# A pull waits this long for new messages; it is also how soon a stop request is noticed.
FETCH_WAIT = 1.0
CONNECT_WITHIN = 10.0
# An ephemeral consumer outlives a crashed `crm tail` by this long (a clean exit deletes it at once).
EPHEMERAL_IDLE = 60.0

log = logging.getLogger(__name__)


class TailError(Exception):
    """The consumer cannot run: NATS unreachable, no such stream, or a durable with another filter."""


class EventHeader(msgspec.Struct, frozen=True, kw_only=True):
    """The fields of an integration event that `crm tail` shows (the body has more; they are ignored)."""

    event_id: str
    type: str
    stream: str
    version: int
    position: int
    actor_id: str
    actor_role: str


@dataclass(frozen=True)
class TailOptions:
    """What to follow and how to show it; `durable=None` means an ephemeral consumer."""

    subject: str = ALL_SUBJECTS
    from_position: int = 0
    durable: str | None = None
    stream: str = STREAM
    raw_json: bool = False


_decode = msgspec.json.Decoder(EventHeader).decode


def describe(subject: str, event: EventHeader) -> str:
    """One line per event: position, subject, type, stream/version, actor (role)."""
    return (
        f"{event.position:>9}  {subject}  {event.type}  {event.stream}/{event.version}  "
        f"{event.actor_id} ({event.actor_role})"
    )


def render(subject: str, body: bytes, options: TailOptions) -> str | None:
    """The line to print for a message, or None when its position is not after `from_position`."""
    event = _decode(body)
    if event.position <= options.from_position:
        return None
    return body.decode().strip() if options.raw_json else describe(subject, event)


async def tail(
    url: str,
    options: TailOptions,
    emit: Callable[[str], None],
    stop: asyncio.Event,
    limit: int | None = None,
) -> int:
    """Follow `options.subject` until `stop` is set (or `limit` events were shown); returns how many."""
    nc = await connect(url)
    try:
        js = nc.jetstream()
        consumer = await open_consumer(js, options)
        try:
            sub = await js.pull_subscribe_bind(consumer, stream=options.stream)
            return await follow(sub, options, emit, stop, limit)
        finally:
            if options.durable is None:
                await _delete_quietly(js, options.stream, consumer)
    finally:
        await nc.close()


async def connect(url: str) -> Client:
    """A connection that keeps reconnecting once made, but gives up quickly on the first attempt."""
    nc = Client()

    async def quiet(error: Exception) -> None:
        log.warning("nats: %s", str(error) or type(error).__name__)

    try:
        await asyncio.wait_for(
            nc.connect(servers=[url], error_cb=quiet, max_reconnect_attempts=-1, connect_timeout=2),
            CONNECT_WITHIN,
        )
    except (TimeoutError, OSError, nats.errors.Error) as error:
        await nc.close()
        why = f"no connection within {CONNECT_WITHIN:.0f} s" if isinstance(error, TimeoutError) else error
        raise TailError(f"cannot reach NATS at {url}: {why}") from None
    return nc


async def open_consumer(js: JetStreamContext, options: TailOptions) -> str:
    """Create the pull consumer (or find the durable one); returns its name."""
    if options.durable is None:
        name = f"crm-tail-{uuid.uuid4().hex[:12]}"
        return await _add(js, options, ConsumerConfig(name=name, inactive_threshold=EPHEMERAL_IDLE))
    try:
        info = await js.consumer_info(options.stream, options.durable)
    except nats.js.errors.NotFoundError:
        config = ConsumerConfig(name=options.durable, durable_name=options.durable)
        return await _add(js, options, config)
    if info.config.filter_subject != options.subject:
        raise TailError(
            f"durable consumer {options.durable!r} follows {info.config.filter_subject!r}, "
            f"not {options.subject!r}: use another name, or delete it first"
        )
    return options.durable


async def _add(js: JetStreamContext, options: TailOptions, config: ConsumerConfig) -> str:
    config.filter_subject = options.subject
    config.deliver_policy = DeliverPolicy.ALL
    config.ack_policy = AckPolicy.EXPLICIT
    try:
        info = await js.add_consumer(options.stream, config)
    except nats.js.errors.NotFoundError:
        raise TailError(f"no JetStream stream {options.stream!r} (has `crm relay` run yet?)") from None
    return info.name


async def follow(
    sub: JetStreamContext.PullSubscription,
    options: TailOptions,
    emit: Callable[[str], None],
    stop: asyncio.Event,
    limit: int | None,
) -> int:
    """Fetch, show and ack in stream order; messages fetched but not shown are handed back (nak)."""
    shown = 0
    while not (stop.is_set() or shown == limit):
        try:
            batch = await sub.fetch(FETCH_BATCH, timeout=FETCH_WAIT)
        except TimeoutError:  # nats-py raises its own subclass, or asyncio's, depending on the moment
            continue
        for index, msg in enumerate(batch):
            if stop.is_set() or shown == limit:
                await _release(batch[index:])
                break
            shown += await _show(msg, options, emit)
            await _ack(msg, durable=options.durable is not None)
    return shown


async def _show(msg: Msg, options: TailOptions, emit: Callable[[str], None]) -> int:
    try:
        line = render(msg.subject, msg.data, options)
    except (msgspec.DecodeError, UnicodeDecodeError) as error:
        log.warning(
            "skipped message %s on %s: not a CRM integration event (%s)", _seq(msg), msg.subject, error
        )
        return 0
    if line is None:
        return 0
    emit(line)
    return 1


async def _ack(msg: Msg, *, durable: bool) -> None:
    # A durable consumer must know of the ack before we move on, so that a restart resumes
    # right after the last event shown; an ephemeral one vanishes with us, a plain ack will do.
    if durable:
        await msg.ack_sync()
    else:
        await msg.ack()


async def _release(msgs: Sequence[Msg]) -> None:
    # Without a nak a durable consumer would hold them back until ack_wait (30 s) runs out.
    for msg in msgs:
        await msg.nak()


async def _delete_quietly(js: JetStreamContext, stream: str, consumer: str) -> None:
    try:
        await js.delete_consumer(stream, consumer)
    except (nats.errors.Error, TimeoutError) as error:
        log.info("ephemeral consumer %s left to expire: %s", consumer, error)


def _seq(msg: Msg) -> str:
    try:
        return str(msg.metadata.sequence.stream)
    except (nats.errors.Error, ValueError):
        return "?"
