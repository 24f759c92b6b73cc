"""`crm demo`: every path of DOMAIN.md §2.8 is walked, a rerun writes nothing, an interrupted one resumes."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from application.app import CrmApplication
from domain.base import CrmEvent
from domain.case import Case
from infra.bootstrap import Container, bootstrap
from infra.cli import main
from infra.demo import DEMO_PRINCIPALS, Tally, load_demo
from infra.event_store import build_application
from infra.settings import Settings
from tests.clock import FixedClock

SMALL = {"customers": 10, "cases": 40}
# Payload fields that name a member of staff (the actor of every event is checked as well).
STAFF_FIELDS = (
    "responsible_person", "service_staff_id", "agent_id", "employee_id", "account_manager_id", "surveyed_by",
    "supervisor_id", "requested_by", "closed_by", "from_person", "to_person",
)  # fmt: skip


def events(app: CrmApplication) -> Iterator[CrmEvent]:
    last = app.recorder.max_notification_id() or 0
    for notification in app.recorder.select_notifications(start=1, limit=last + 1, stop=last):
        event = app.mapper.to_domain_event(notification)
        assert isinstance(event, CrmEvent)
        yield event


def cases(app: CrmApplication) -> list[Case]:
    found, number = [], 1_000_001
    while app.exists(Case, str(number)):
        found.append(app.load(Case, str(number)))
        number += 1
    return found


def path_of(case: Case) -> str | None:
    """Which completed path of §2.8 a closed notification walked (None while it is open)."""
    if not case.is_completed:
        return None
    decisions = {d.decision for d in case.approval_decisions}
    if case.type == "Z2":
        return "V5" if case.user_status in ("DDKH", "THCS") and case.escalations else None
    if case.user_status == "BPZ" and case.closure_reason and not case.on_site_services:
        return "BPZ"
    if "APPROVED" in decisions and case.department_replies:
        return "V4" if case.category == "COMPLAINT" else "V3" if case.invoices else None
    if case.invoices and case.service_orders:
        return "V2"
    if case.urgency == "URGENT" and case.dispatched_to:
        return "V1u"
    return "V1" if case.acceptance and not case.service_orders and not decisions else None


def test_a_small_load_walks_every_path_and_leaves_rejected_and_open_cases(container: Container) -> None:
    result = load_demo(container, **SMALL)
    loaded = cases(container.app)
    assert result.outcome == "loaded" and len(loaded) == SMALL["cases"]
    assert {path_of(case) for case in loaded} >= {"V1", "V1u", "V2", "V3", "V4", "V5", "BPZ"}
    assert any(not case.is_completed for case in loaded)


def test_a_second_run_appends_nothing(container: Container) -> None:
    load_demo(container, **SMALL)
    position = container.app.recorder.max_notification_id()
    again = load_demo(container, **SMALL)
    assert again.outcome == "skipped" and again.commands == 0
    assert container.app.recorder.max_notification_id() == position


def test_every_actor_and_every_staff_reference_is_a_demo_principal(container: Container) -> None:
    load_demo(container, **SMALL)
    staff = {principal.id for principal in DEMO_PRINCIPALS}
    named = set()
    for event in events(container.app):
        named.add(event.actor_id)
        named.update(value for field in STAFF_FIELDS if isinstance(value := getattr(event, field, None), str))
    assert named - {""} <= staff


class Interrupted(Exception):
    pass


def interrupt_after(steps: int) -> Callable[[Tally], None]:
    def progress(tally: Tally) -> None:
        if tally.steps > steps:
            raise Interrupted

    return progress


@pytest.mark.parametrize("storage", ["memory", "sqlite"], indirect=True)
def test_an_interrupted_load_resumes_to_the_log_of_an_uninterrupted_one(
    container: Container, settings: Settings, clock: FixedClock
) -> None:
    with pytest.raises(Interrupted):
        load_demo(container, **SMALL, progress=interrupt_after(250))
    partial = container.app.recorder.max_notification_id()
    resumed = load_demo(container, customers=3, cases=5)  # the stored plan wins over new sizes
    reference = bootstrap(settings, app=build_application(Settings(database_url="memory://"), clock))
    load_demo(reference, **SMALL)
    assert resumed.outcome == "resumed" and resumed.plan.cases == SMALL["cases"]
    assert 0 < partial < container.app.recorder.max_notification_id()
    assert summary(container.app) == summary(reference.app)


def summary(app: CrmApplication) -> list[tuple[str, int, str, str, str]]:
    return [
        (e.originator_id, e.originator_version, type(e).__name__, e.actor_id, e.occurred_at.isoformat())
        for e in events(app)
    ]


def test_crm_demo_loads_once_from_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in [name for name in os.environ if name.startswith("CRM_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("CRM_SQLITE_PATH", str(tmp_path / "crm.db"))
    keys_file = tmp_path / "keys.json"
    assert main(["demo", "--customers", "3", "--cases", "8", "--keys-file", str(keys_file)]) == 0
    first = capsys.readouterr().out
    assert "demo loaded: 3 customers, 8 cases" in first
    keys = json.loads(keys_file.read_text())
    assert sorted(keys) == sorted(p.id for p in DEMO_PRINCIPALS)
    assert keys_file.stat().st_mode & 0o777 == 0o600
    assert main(["demo", "--keys-file", str(keys_file)]) == 0
    second = capsys.readouterr().out
    assert "demo skipped" in second
    assert json.loads(keys_file.read_text()) == keys, "working keys are kept, not re-issued"
    integrator = next(key for actor, key in keys.items() if actor.startswith("int"))
    assert f"Authorization: Bearer {integrator}" in second and "/schema" in second
