"""`crm tail` and the consumer of docs/consuming.md against a real nats-server.

Each test publishes integration events in the relay's format to a stream of its own.
Streams on one server may not share subjects, so a test's subjects carry a unique
prefix (`t<hex>.crm.case.…` instead of `crm.case.…`); everything else is as the
relay publishes it.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar
from uuid import uuid4

import msgspec
import nats
import pytest

from infra.tail import TailError, TailOptions, follow, tail

CRM = Path(sys.executable).with_name("crm")
DOCS = Path(__file__).resolve().parents[2] / "docs" / "consuming.md"
T = TypeVar("T")


@dataclass(frozen=True)
class Stream:
    """A stream of this test's own; `subject("case.x")` is where the relay would publish `crm.case.x`."""

    url: str
    name: str
    prefix: str

    def subject(self, tail: str) -> str:
        return f"{self.prefix}.crm.{tail}"


def run(coroutine: Awaitable[T], timeout: float = 20) -> T:
    async def bounded() -> T:
        return await asyncio.wait_for(coroutine, timeout)

    return asyncio.run(bounded())


async def _create(url: str, name: str, prefix: str) -> None:
    nc = await nats.connect(url)
    try:
        await nc.jetstream().add_stream(name=name, subjects=[f"{prefix}.crm.>"])
    finally:
        await nc.close()


async def _delete(url: str, name: str) -> None:
    nc = await nats.connect(url)
    try:
        await nc.jetstream().delete_stream(name)
    finally:
        await nc.close()


@pytest.fixture
def stream(nats_url: str) -> Iterator[Stream]:
    hex_id = uuid4().hex[:12]
    created = Stream(nats_url, f"T_TAIL_{hex_id}", f"t{hex_id}")
    run(_create(nats_url, created.name, created.prefix))
    try:
        yield created
    finally:
        run(_delete(nats_url, created.name))


def event(position: int, kind: str = "case", version: int = 1, **fields: Any) -> dict[str, Any]:
    """An integration event body as the relay writes it (the fields the conventions name)."""
    aggregate = {"case": "notification-1000001", "customer": "customer-2110050007"}[kind]
    return {
        "event_id": str(uuid4()),
        "type": "SiteSurveyCompleted" if kind == "case" else "CustomerRegistered",
        "schema_version": 1,
        "stream": aggregate,
        "version": version,
        "position": position,
        "occurred_at": "2001-03-07T09:00:00+08:00",
        "recorded_at": "2001-03-07T09:00:01+08:00",
        "actor_id": "asst-01",
        "actor_role": "assistant",
        "data": {"code": "KCWB"},
    } | fields


def subject_of(stream: Stream, body: dict[str, Any]) -> str:
    kind = "case" if body["stream"].startswith("notification-") else "customer"
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", body["type"]).lower()
    return stream.subject(f"{kind}.{snake}")


def publish(stream: Stream, *bodies: dict[str, Any], msg_id: str | None = None) -> None:
    """Publish like the relay: body as JSON, `Nats-Msg-Id` = event id (or `msg_id`, to force a copy)."""

    async def go() -> None:
        nc = await nats.connect(stream.url)
        try:
            js = nc.jetstream()
            for body in bodies:
                headers = {"Nats-Msg-Id": msg_id or body["event_id"]}
                await js.publish(
                    subject_of(stream, body), msgspec.json.encode(body), stream=stream.name, headers=headers
                )
        finally:
            await nc.close()

    run(go())


def tail_lines(stream: Stream, limit: int, **options: Any) -> list[str]:
    """Run the tail consumer until it has shown `limit` events; its output lines."""
    lines: list[str] = []
    shown = run(tail(stream.url, _options(stream, **options), lines.append, asyncio.Event(), limit=limit))
    assert shown == len(lines) == limit
    return lines


def _options(stream: Stream, **options: Any) -> TailOptions:
    return TailOptions(**{"subject": stream.subject(">"), "stream": stream.name} | options)


def positions(lines: list[str]) -> list[int]:
    return [int(line.split()[0]) for line in lines]


def test_a_line_shows_position_subject_type_stream_version_and_actor(stream: Stream) -> None:
    publish(stream, event(7, version=3))
    [line] = tail_lines(stream, 1)
    assert line.split() == [
        "7",
        stream.subject("case.site_survey_completed"),
        "SiteSurveyCompleted",
        "notification-1000001/3",
        "asst-01",
        "(assistant)",
    ]


def test_the_subject_filter_shows_only_matching_events(stream: Stream) -> None:
    publish(stream, event(1), event(2, "customer"), event(3), event(4, "customer"), event(5))
    lines = tail_lines(stream, 3, subject=stream.subject("case.>"))
    assert positions(lines) == [1, 3, 5]
    assert all(" SiteSurveyCompleted " in line for line in lines)


def test_from_position_skips_events_at_or_below_it_by_the_body_position(stream: Stream) -> None:
    # Log positions skip numbers and a late copy (after the dedupe window) comes after newer events:
    # JetStream sequences 1..5 carry positions 3, 5, 8, 5, 13.
    copy = event(5)
    publish(stream, event(3), copy, event(8))
    publish(stream, copy, msg_id=f"late-{copy['event_id']}")
    publish(stream, event(13))
    assert positions(tail_lines(stream, 2, from_position=5)) == [8, 13]


def test_json_prints_each_body_as_published(stream: Stream) -> None:
    bodies = [event(1), event(2, "customer")]
    publish(stream, *bodies)
    assert [msgspec.json.decode(line) for line in tail_lines(stream, 2, raw_json=True)] == bodies


def test_a_durable_consumer_resumes_after_the_last_event_it_showed(stream: Stream) -> None:
    publish(stream, *(event(n) for n in range(1, 6)))
    assert positions(tail_lines(stream, 3, durable="ops")) == [1, 2, 3]
    # Messages fetched in the first run but not shown were handed back: they come at once, in order.
    assert positions(tail_lines(stream, 2, durable="ops")) == [4, 5]
    publish(stream, event(6))
    assert positions(tail_lines(stream, 1, durable="ops")) == [6]


def test_an_ephemeral_consumer_starts_from_the_first_message_each_time(stream: Stream) -> None:
    publish(stream, event(1), event(2))
    assert positions(tail_lines(stream, 2)) == [1, 2]
    assert positions(tail_lines(stream, 2)) == [1, 2]


def test_a_durable_consumer_with_another_filter_is_refused(stream: Stream) -> None:
    publish(stream, event(1))
    tail_lines(stream, 1, durable="ops", subject=stream.subject("case.>"))
    with pytest.raises(TailError, match="follows"):
        tail_lines(stream, 1, durable="ops", subject=stream.subject("customer.>"))


class TimingOut:
    """A pull subscription whose fetches time out with asyncio's error, as nats-py's sometimes do."""

    def __init__(self, stop: asyncio.Event) -> None:
        self.stop, self.fetches = stop, 0

    async def fetch(self, batch: int, timeout: float) -> list[Any]:
        self.fetches += 1
        if self.fetches == 3:
            self.stop.set()
        raise TimeoutError  # asyncio.TimeoutError is this builtin since Python 3.11


def test_a_fetch_that_times_out_either_way_means_nothing_new_yet() -> None:
    async def go() -> int:
        stop = asyncio.Event()
        sub = TimingOut(stop)
        return await follow(sub, TailOptions(), print, stop, None)  # type: ignore[arg-type]

    assert run(go()) == 0


def test_a_missing_stream_is_a_clear_error(nats_url: str) -> None:
    options = TailOptions(stream=f"T_NONE_{uuid4().hex[:8]}")
    with pytest.raises(TailError, match="no JetStream stream"):
        run(tail(nats_url, options, print, asyncio.Event()))


def crm_env(**variables: str) -> dict[str, str]:
    """This environment without its CRM_* variables, plus `variables`."""
    kept = {key: value for key, value in os.environ.items() if not key.startswith("CRM_")}
    return kept | {"CRM_DATABASE_URL": "memory://"} | variables


def test_crm_tail_without_nats_url_exits_2_with_a_message() -> None:
    done = subprocess.run([str(CRM), "tail"], env=crm_env(), capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "CRM_NATS_URL" in done.stderr


def test_crm_tail_follows_new_events_and_stops_cleanly_on_ctrl_c(stream: Stream, tmp_path: Path) -> None:
    publish(stream, event(1))
    env = crm_env(CRM_NATS_URL=stream.url)
    command = [str(CRM), "tail", "--stream", stream.name, "--subject", stream.subject(">")]
    out, err = tmp_path / "tail.out", tmp_path / "tail.err"
    with out.open("wb") as sink, err.open("wb") as errors:
        process = subprocess.Popen(command, env=env, stdout=sink, stderr=errors)
    try:
        wait_for(lambda: positions(out.read_text().splitlines()) == [1], process)
        publish(stream, event(2))
        wait_for(lambda: positions(out.read_text().splitlines()) == [1, 2], process)
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0, err.read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def wait_for(condition: Callable[[], bool], process: subprocess.Popen[bytes], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert process.poll() is None, f"crm tail exited with {process.returncode}"
        assert time.monotonic() < deadline, "crm tail did not print the expected lines"
        time.sleep(0.05)


# The Python consumer of docs/consuming.md, run as written.


def docs_example(tmp_path: Path) -> ModuleType:
    """The first ```python block of docs/consuming.md, imported as a module."""
    found = re.search(r"```python\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.DOTALL)
    assert found, "docs/consuming.md lost its Python example"
    source = tmp_path / "case_activity.py"
    source.write_text(found.group(1), encoding="utf-8")
    spec = importlib.util.spec_from_file_location("case_activity", source)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def consume_until(example: ModuleType, db: sqlite3.Connection, stream: Stream, applied: int) -> None:
    """Run the example's consumer until `applied` events are recorded, then stop it as Ctrl-C would."""

    async def go() -> None:
        stop = asyncio.Event()
        options = {"url": stream.url, "stream": stream.name, "subject": stream.subject("case.>")}
        task = asyncio.create_task(example.consume(db, stop=stop, durable="case-activity", **options))
        while db.execute("SELECT count(*) FROM applied").fetchone()[0] < applied:
            assert not task.done(), task.exception()
            await asyncio.sleep(0.05)
        stop.set()
        await task

    run(go())


def test_the_docs_consumer_applies_each_event_once_and_resumes_after_a_restart(
    stream: Stream, tmp_path: Path
) -> None:
    example = docs_example(tmp_path)
    first, second, third = (event(n, version=n) for n in (1, 2, 3))
    publish(stream, first, event(2, "customer"), third, second)
    publish(stream, first, msg_id="relay-restarted-late")  # a copy JetStream could not drop
    with closing(example.open_db(str(tmp_path / "case_activity.db"))) as db:
        consume_until(example, db, stream, applied=3)
        publish(stream, fourth := event(9, version=4, actor_id="sup-01", type="SupervisorApproved"))
        consume_until(example, db, stream, applied=4)
        applied = {row[0] for row in db.execute("SELECT event_id FROM applied")}
        columns = "stream, version, last_type, actor_id, events"
        activity = db.execute(f"SELECT {columns} FROM case_activity").fetchall()
    assert applied == {e["event_id"] for e in (first, second, third, fourth)}
    assert activity == [("notification-1000001", 4, "SupervisorApproved", "sup-01", 4)]
