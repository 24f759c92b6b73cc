"""End to end: `crm serve` (and `crm project` on PostgreSQL) as real processes, driven over real HTTP.

Keys are issued with the bootstrap admin key, the SM01 customer is registered, the
paths V1–V5 of DOMAIN.md §2.8 are walked with the HTTP walkers, and the results are
read back through the query endpoints of API.md: work queue, case history with its
hash chain, satisfaction report, audit verification, case state with its ETag.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from domain.actor import Role
from tests.api.http_flows import AGENT, CUSTOMER_NO, PATHS, RL, SS, SUP, A, Http, register_customer
from tests.servers import free_port, isolated_schema

ADMIN_KEY = "e2e-bootstrap-admin-key"
STORAGES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
TIMEZONE = "Asia/Shanghai"
CRM = Path(sys.executable).with_name("crm")
READ_ROLES = (Role.AUDITOR, Role.ANALYST)

pytestmark = pytest.mark.parametrize("database_url", STORAGES, indirect=True, scope="module")

# DOMAIN.md §4.3.4 event names of V3 (HQ quote), in the order the walker causes them.
V3_EVENTS = [
    "ServiceNotificationCreated",
    "NotificationPutInProcess",
    "SiteSurveyCompleted",
    "FurnitureServiceFormRecorded",
    "SupervisorApprovalRequested",
    "SupervisorApproved",
    "EscalatedToRegionalLogistics",
    "DepartmentReplyReceived",
    "ServiceSalesOrderCreated",
    "QuoteConfirmedByCustomer",
    "OnSiteServicePerformed",
    "CustomerAcceptanceConfirmed",
    "NotificationClosed",
    "ServiceInvoiceCreated",
]
# Status-changing events carry data.from / data.to (API.md "Audit").
V3_TRANSITIONS = {
    "NotificationPutInProcess": ("OUTSTANDING", "IN_PROCESS"),
    "SiteSurveyCompleted": ("TZJL", "KCWB"),
    "SupervisorApproved": ("KCWB", "ZGPZ"),
    "DepartmentReplyReceived": ("ZGPZ", "ZBHF"),
    "NotificationClosed": ("IN_PROCESS", "COMPLETED"),
}
# (type, system status, user status) after each path.
EXPECTED_ROWS = {
    "V1": ("Z1", "COMPLETED", "KCWB"),
    "V2": ("Z1", "COMPLETED", "KCWB"),
    "V3": ("Z1", "COMPLETED", "ZBHF"),
    "V4": ("Z1", "COMPLETED", "ZBHF"),
    "V5": ("Z2", "COMPLETED", "DDKH"),
}


def die_with_parent() -> None:
    """Linux: the child gets SIGKILL if the test process dies, so no server outlives the test run."""
    ctypes.CDLL("libc.so.6").prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def start(command: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """`crm <command>` as its own process; its output goes to a file (a full pipe would stall it)."""
    with log.open("ab") as sink:
        return subprocess.Popen(
            [str(CRM), command], env=env, stdout=sink, stderr=subprocess.STDOUT, preexec_fn=die_with_parent
        )


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def wait_until_healthy(base_url: str, processes: list[subprocess.Popen[bytes]], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for process in processes:
            assert process.poll() is None, (
                f"a crm process exited with {process.returncode}:\n{log.read_text()}"
            )
        try:
            if httpx.get(f"{base_url}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"crm serve did not answer /health within 60 s:\n{log.read_text()}")


@pytest.fixture(scope="module")
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A SQLite file, or a PostgreSQL schema of this module's own (dropped afterwards)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('e2e')}/crm.db"
        return
    with isolated_schema(request.getfixturevalue("postgres_url")) as url:
        yield url


@pytest.fixture(scope="module")
def server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`crm serve` on a free port (its base URL); on PostgreSQL also `crm project`: serve projects nothing."""
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("CRM_")}
    env |= {
        "CRM_DATABASE_URL": database_url,
        "CRM_HOST": "127.0.0.1",
        "CRM_PORT": str(port),
        "CRM_BOOTSTRAP_ADMIN_KEY": ADMIN_KEY,
        "CRM_TIMEZONE": TIMEZONE,
        "CRM_LOG_LEVEL": "warning",
    }
    log = tmp_path_factory.mktemp("e2e-logs") / "crm.log"
    processes = [start("serve", env, log)]
    try:
        if database_url.startswith("postgresql"):
            processes.append(start("project", env, log))
        base_url = f"http://127.0.0.1:{port}"
        wait_until_healthy(base_url, processes, log)
        yield base_url
    finally:
        for process in processes:
            stop(process)


def actor_id(role: Role) -> str:
    """`supervisor-2`: reference codes are at most 20 characters (API.md)."""
    return f"{role.value.replace('_', '-')}-2"


def issue_keys(client: httpx.Client, roles: tuple[Role, ...]) -> Callable[[Role], dict[str, str]]:
    """One key per role, issued through POST /v1/api-keys with the bootstrap admin key."""
    admin = {"Authorization": f"Bearer {ADMIN_KEY}"}
    issued: dict[Role, dict[str, str]] = {}
    for role in roles:
        body = {
            "actor_id": actor_id(role),
            "name": f"{role.value} 端到端",
            "roles": [role],
        }
        response = client.post("/v1/api-keys", json=body, headers=admin)
        assert response.status_code == 201, response.text
        assert response.headers["location"] == f"/v1/api-keys/{response.json()['key_id']}"
        issued[role] = {"Authorization": f"Bearer {response.json()['key']}"}
    return issued.__getitem__


@dataclass
class Walked:
    """The five paths walked over HTTP, and how to read what they left behind."""

    client: httpx.Client
    headers: Callable[[Role], dict[str, str]]
    cases: dict[str, str]
    position: int

    def read(self, path: str, role: Role = Role.AUDITOR, **params: Any) -> httpx.Response:
        response = self.client.get(
            path, params={"min_position": self.position, **params}, headers=self.headers(role)
        )
        assert response.status_code == 200, f"GET {path}: {response.status_code} {response.text}"
        assert int(response.headers["x-read-model-position"]) >= self.position
        return response

    def history(self, path: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = self.read(f"/v1/cases/{self.cases[path]}/history").json()["items"]
        return items


@pytest.fixture(scope="module")
def walked(server: str) -> Iterator[Walked]:
    with httpx.Client(base_url=server, timeout=30) as client:
        headers = issue_keys(client, (A, SS, SUP, RL, AGENT, *READ_ROLES))
        h = Http(client, headers)
        register_customer(h)
        cases = {name: walk(h) for name, walk in sorted(PATHS.items())}
        yield Walked(client, headers, cases, h.last_position)


def test_the_work_queue_shows_the_five_walked_cases_with_their_final_statuses(walked: Walked) -> None:
    rows = walked.read("/v1/queues/work", Role.ANALYST, limit=500).json()["items"]
    found = {row["case_no"]: (row["type"], row["system_status"], row["user_status"]) for row in rows}
    assert found == {walked.cases[name]: expected for name, expected in EXPECTED_ROWS.items()}
    assert {row["customer_no"] for row in rows} == {CUSTOMER_NO}
    assert {row["pending_action"] for row in rows} == {"NONE"}, "closed and invoiced: nothing left to do"


def test_the_v3_history_lists_its_events_in_version_order_on_an_unbroken_hash_chain(walked: Walked) -> None:
    events = walked.history("V3")
    assert [e["type"] for e in events] == V3_EVENTS
    assert [e["version"] for e in events] == list(range(1, len(V3_EVENTS) + 1))
    assert [e["position"] for e in events] == sorted(e["position"] for e in events)
    assert {e["stream"] for e in events} == {f"notification-{walked.cases['V3']}"}
    assert events[0]["prev_hash"] is None
    for previous, event in pairwise(events):
        assert event["prev_hash"] == previous["hash"], f"chain broken at version {event['version']}"
    assert all(len(e["hash"]) == 64 and int(e["hash"], 16) >= 0 for e in events)
    assert len({e["hash"] for e in events}) == len(events)


def test_the_v3_history_records_transitions_and_the_actor_from_the_key(walked: Walked) -> None:
    events = {e["type"]: e for e in walked.history("V3")}
    for name, (before, after) in V3_TRANSITIONS.items():
        assert (events[name]["data"]["from"], events[name]["data"]["to"]) == (before, after), name
    approval = events["SupervisorApproved"]
    assert (approval["actor_id"], approval["actor_role"]) == (actor_id(SUP), "supervisor")
    reply = events["DepartmentReplyReceived"]
    assert (reply["actor_id"], reply["actor_role"]) == (actor_id(RL), "regional_logistics")


def test_the_satisfaction_report_counts_the_v1_survey(walked: Walked) -> None:
    survey = next(e for e in walked.history("V1") if e["type"] == "SatisfactionSurveyRecorded")
    surveyed = datetime.fromisoformat(survey["occurred_at"]).astimezone(ZoneInfo(TIMEZONE))
    period = surveyed.strftime("%Y-%m")
    report = walked.read(
        "/v1/reports/satisfaction", Role.ANALYST, period=period, group_by="responsible_person"
    ).json()
    counted = [row for row in report["items"] if row["surveys_count"]]
    assert len(counted) == 1, report
    row = counted[0]
    assert (row["period"], row["group"], row["surveys_count"]) == (period, "202", 1)
    assert (row["avg_score"], row["satisfied_count"]) == ("5.00", 1)


def test_the_audit_verification_of_the_whole_log_is_ok(walked: Walked) -> None:
    verdict = walked.read("/v1/audit/verify").json()
    assert verdict["ok"] is True and verdict["first_mismatch"] is None, verdict
    assert verdict["events_checked"] >= walked.position


def test_the_case_state_carries_its_version_as_etag(walked: Walked) -> None:
    response = walked.read(f"/v1/cases/{walked.cases['V1']}")
    state = response.json()
    assert response.headers["etag"] == f'"{state["version"]}"'
    assert state["version"] == walked.history("V1")[-1]["version"]
    assert (state["case_no"], state["system_status"], state["user_status"]) == (
        walked.cases["V1"],
        "COMPLETED",
        "KCWB",
    )
    assert state["survey"]["score"] == 5


def test_a_command_without_a_key_is_a_401_problem_and_appends_nothing(walked: Walked) -> None:
    no = walked.cases["V2"]
    before = walked.read(f"/v1/cases/{no}").headers["etag"]
    response = walked.client.post(
        f"/v1/cases/{no}/emails", json={"recipients": ["a@b.cn"], "department": "区物流", "subject": "报价"}
    )
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["www-authenticate"].lower().startswith("bearer")
    problem = response.json()
    assert problem["status"] == 401 and problem["code"]
    assert walked.read(f"/v1/cases/{no}").headers["etag"] == before
