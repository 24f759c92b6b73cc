"""The multi-process deployment: deploy/run-multi-process.sh on PostgreSQL and NATS, driven over real HTTP.

The script starts two `crm serve` processes, one `crm project` and one `crm relay`.
Keys are issued and the paths V1–V5 are walked twice, concurrently, with every
request going to the next API process in turn (a load balancer in miniature).
Then the three views of the one log must agree: the read models (queried on both
processes with `min_position`), the JetStream stream `CRM_EVENTS` (each stored
event exactly once), and the event feed `GET /v1/events`.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import msgspec
import nats
import nats.js.errors
import pytest
from nats.js import JetStreamContext

from domain.actor import Role
from infra.event_store import build_application
from infra.tail import TailOptions, tail
from tests.api.http_flows import AGENT, PATHS, RL, SS, SUP, A, Http, register_customer
from tests.conftest import settings_for
from tests.e2e.test_http_end_to_end import ADMIN_KEY, EXPECTED_ROWS, die_with_parent, issue_keys
from tests.servers import free_port, isolated_schema

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "deploy" / "run-multi-process.sh"
CRM = Path(sys.executable).with_name("crm")
STREAM = "CRM_EVENTS"  # `crm relay` publishes there; this module owns it on the test session's server
ROUNDS = 2
# Stream-id prefix → the `<aggregate>` of the subject (a functional-location claim is its customer's).
AGGREGATES = {
    "notification-": "case",
    "customer-": "customer",
    "functional-location-": "customer",
    "api-key-": "api_key",
}


class RoundRobin(httpx.BaseTransport):
    """Sends each request to the next API process in turn, and counts what each one got."""

    def __init__(self, ports: tuple[int, ...], start: int = 0) -> None:
        self.turns = itertools.islice(itertools.cycle(ports), start, None)
        self.sent: Counter[int] = Counter()
        self.inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        port = next(self.turns)
        self.sent[port] += 1
        request.url = request.url.copy_with(port=port)
        request.headers["host"] = f"127.0.0.1:{port}"
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


@dataclass
class Deployment:
    process: subprocess.Popen[bytes]
    ports: tuple[int, ...]
    database_url: str
    nats_url: str
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@dataclass
class Walked:
    """What the walk left behind: the cases per path, the last position, the requests per port."""

    deployment: Deployment
    headers: Any
    cases: dict[str, str]
    position: int
    sent: Counter[int]

    def read(self, port: int, path: str, role: Role = Role.AUDITOR, **params: Any) -> Any:
        response = httpx.get(
            f"http://127.0.0.1:{port}{path}",
            params={"min_position": self.position, **params},
            headers=self.headers(role),
            timeout=30,
        )
        assert response.status_code == 200, f"GET {path} on {port}: {response.status_code} {response.text}"
        return response.json()


def run(coroutine: Any, timeout: float = 60) -> Any:
    async def bounded() -> Any:
        return await asyncio.wait_for(coroutine, timeout)

    return asyncio.run(bounded())


async def delete_stream(url: str) -> None:
    nc = await nats.connect(url)
    try:
        await nc.jetstream().delete_stream(STREAM)
    except nats.js.errors.NotFoundError:
        pass
    finally:
        await nc.close()


def wait_until_healthy(deployment: Deployment, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    pending = set(deployment.ports)
    while pending:
        assert deployment.process.poll() is None, f"the script exited:\n{deployment.output()}"
        assert time.monotonic() < deadline, f"no /health on {pending}:\n{deployment.output()}"
        for port in list(pending):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    pending.discard(port)
            except httpx.TransportError:
                pass
        time.sleep(0.1)


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def kill_group(process: subprocess.Popen[bytes]) -> None:
    """Whatever is left of the script and its children (one process group) is killed."""
    if group_alive(process.pid):
        os.killpg(process.pid, signal.SIGKILL)
    if process.poll() is None:
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def deployment(
    postgres_url: str, nats_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Deployment]:
    """The script on a schema of its own and a fresh CRM_EVENTS; everything it started dies afterwards."""
    run(delete_stream(nats_url))
    ports = (free_port(), free_port())
    log = tmp_path_factory.mktemp("multi-process") / "deploy.log"
    with isolated_schema(postgres_url) as database_url:
        env = {key: value for key, value in os.environ.items() if not key.startswith("CRM_")}
        env |= {
            "CRM_DATABASE_URL": database_url,
            "CRM_NATS_URL": nats_url,
            "CRM_BOOTSTRAP_ADMIN_KEY": ADMIN_KEY,
            "CRM_API_PORTS": " ".join(map(str, ports)),
            "CRM_BIN": str(CRM),
            "CRM_LOG_LEVEL": "warning",
            "CRM_STOP_TIMEOUT": "15",
        }
        with log.open("wb") as sink:
            process = subprocess.Popen(
                ["bash", str(SCRIPT)],
                env=env,
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: the cleanup below reaches every child
                preexec_fn=die_with_parent,
            )
        try:
            deployed = Deployment(process, ports, database_url, nats_url, log)
            wait_until_healthy(deployed)
            yield deployed
        finally:
            kill_group(process)
            run(delete_stream(nats_url))


def walk_in_turn(
    deployment: Deployment, headers: Any, name: str, start: int
) -> tuple[str, str, int, Counter[int]]:
    transport = RoundRobin(deployment.ports, start)
    with httpx.Client(base_url="http://127.0.0.1", transport=transport, timeout=30) as client:
        h = Http(client, headers)
        case_no = PATHS[name](h)
    return name, case_no, h.last_position, transport.sent


@pytest.fixture(scope="module")
def walked(deployment: Deployment) -> Walked:
    transport = RoundRobin(deployment.ports)
    with httpx.Client(base_url="http://127.0.0.1", transport=transport, timeout=30) as client:
        headers = issue_keys(client, (A, SS, SUP, RL, AGENT, Role.AUDITOR, Role.ANALYST))
        h = Http(client, headers)
        register_customer(h)
    jobs = [(name, n) for n, name in enumerate(sorted(PATHS) * ROUNDS)]
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        done = list(pool.map(lambda job: walk_in_turn(deployment, headers, *job), jobs))
    cases = {f"{name}#{n}": case_no for n, (name, case_no, _, _) in enumerate(done)}
    sent = sum((counts for *_, counts in done), transport.sent)
    position = max([h.last_position, *(last for _, _, last, _ in done)])
    return Walked(deployment, headers, cases, position, sent)


def stored_events(database_url: str) -> list[tuple[int, str]]:
    """(position, event id) of every event in the store, in log order."""
    app = build_application(settings_for(database_url))
    try:
        found = app.recorder.select_notifications(start=1, limit=1_000_000)
        events: list[Any] = [app.mapper.to_domain_event(n) for n in found]
        return [(n.id, str(event.event_id)) for n, event in zip(found, events, strict=True)]
    finally:
        app.close()


async def _stream_messages(url: str, expected: int, timeout: float) -> list[tuple[str, dict[str, str], Any]]:
    """Every message of CRM_EVENTS once the relay has published `expected` of them, in stream order."""
    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        deadline = time.monotonic() + timeout
        while (count := await _count(js)) < expected:
            assert time.monotonic() < deadline, f"the relay published {count} of {expected} events"
            await asyncio.sleep(0.2)
        messages = [await js.get_msg(STREAM, seq) for seq in range(1, count + 1)]
        return [(m.subject, dict(m.headers or {}), msgspec.json.decode(m.data or b"")) for m in messages]
    finally:
        await nc.close()


async def _count(js: JetStreamContext) -> int:
    try:
        return (await js.stream_info(STREAM)).state.messages
    except nats.js.errors.NotFoundError:  # the relay has not created the stream yet
        return 0


@pytest.fixture(scope="module")
def relayed(walked: Walked) -> list[tuple[str, dict[str, str], Any]]:
    expected = len(stored_events(walked.deployment.database_url))
    messages: list[tuple[str, dict[str, str], Any]] = run(
        _stream_messages(walked.deployment.nats_url, expected, timeout=60), timeout=90
    )
    return messages


def feed(walked: Walked) -> list[dict[str, Any]]:
    """The whole event feed, its pages read from the two API processes in turn."""
    items: list[dict[str, Any]] = []
    after = 0
    for port in itertools.cycle(walked.deployment.ports):
        page = walked.read(port, "/v1/events", after=after, limit=100)
        items += page["items"]
        after = page["next_after"]
        if page["end_of_stream"]:
            return items
    raise AssertionError("unreachable")


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def test_both_api_processes_took_a_share_of_the_commands(walked: Walked) -> None:
    assert set(walked.sent) == set(walked.deployment.ports)
    assert min(walked.sent.values()) >= sum(walked.sent.values()) // 3, walked.sent


def test_the_work_queue_on_each_api_process_shows_every_walked_case(walked: Walked) -> None:
    expected = {case_no: EXPECTED_ROWS[name.split("#")[0]] for name, case_no in walked.cases.items()}
    assert len(expected) == len(PATHS) * ROUNDS, "every walk opened a case of its own"
    for port in walked.deployment.ports:
        rows = walked.read(port, "/v1/queues/work", Role.ANALYST, limit=500)["items"]
        found = {row["case_no"]: (row["type"], row["system_status"], row["user_status"]) for row in rows}
        assert found == expected, f"port {port}"


def test_the_audit_chain_built_by_crm_project_verifies(walked: Walked) -> None:
    verdict = walked.read(walked.deployment.ports[1], "/v1/audit/verify")
    assert verdict["ok"] is True, verdict["first_mismatch"]
    assert verdict["events_checked"] == len(stored_events(walked.deployment.database_url))


def test_jetstream_holds_every_stored_event_once_in_log_order(
    walked: Walked, relayed: list[tuple[str, dict[str, str], Any]]
) -> None:
    stored = stored_events(walked.deployment.database_url)
    published = [(body["position"], body["event_id"]) for _, _, body in relayed]
    assert published == stored
    assert len({event_id for _, event_id in published}) == len(stored)


def test_each_message_carries_its_event_id_header_and_its_subject(
    relayed: list[tuple[str, dict[str, str], Any]],
) -> None:
    for subject, headers, body in relayed:
        assert headers["Nats-Msg-Id"] == body["event_id"]
        kind = next(name for prefix, name in AGGREGATES.items() if body["stream"].startswith(prefix))
        assert subject == f"crm.{kind}.{snake(body['type'])}", body


def test_the_event_feed_matches_the_stream(
    walked: Walked, relayed: list[tuple[str, dict[str, str], Any]]
) -> None:
    fields = ("event_id", "position", "stream", "version", "type", "actor_id", "actor_role")
    from_feed = [tuple(item[f] for f in fields) for item in feed(walked)]
    assert from_feed == [tuple(body[f] for f in fields) for _, _, body in relayed]


def test_the_tail_consumer_from_a_position_shows_exactly_the_later_case_events(
    walked: Walked, relayed: list[tuple[str, dict[str, str], Any]]
) -> None:
    middle = relayed[len(relayed) // 2][2]["position"]
    expected = [body["position"] for subject, _, body in relayed if subject.startswith("crm.case.")]
    expected = [position for position in expected if position > middle]
    options = TailOptions(from_position=middle, subject="crm.case.>")
    lines: list[str] = []
    run(tail(walked.deployment.nats_url, options, lines.append, asyncio.Event(), limit=len(expected)))
    assert [int(line.split()[0]) for line in lines] == expected


def test_sigterm_to_the_script_stops_every_process(deployment: Deployment, walked: Walked) -> None:
    # Last in this module: the fixtures above share the running deployment.
    deployment.process.send_signal(signal.SIGTERM)
    assert deployment.process.wait(timeout=40) == 0, deployment.output()
    deadline = time.monotonic() + 10
    while group_alive(deployment.process.pid):
        assert time.monotonic() < deadline, "a process of the deployment outlived the script"
        time.sleep(0.1)
    for name in ("project", "relay", *(f"api-{port}" for port in deployment.ports)):
        assert f"started {name} (pid" in deployment.output()
