"""Audit verification against the real stores: tampering in the database is found and named; state "as of".

Stored events are altered, deleted and reordered with plain SQL on the library's
own events table (`stored_events` on SQLite, `"<schema>"."crm_events"` on PostgreSQL).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from eventsourcing.persistence import Tracking
from psycopg import sql
from psycopg.conninfo import make_conninfo

from application import case_commands as c
from application.accepted import Accepted
from application.app import CrmApplication
from application.bus import CommandBus
from application.replay import case_as_of
from domain.actor import Actor
from domain.errors import CaseNotFound
from infra.audit_verify import verify
from infra.read_models import build_view, close_view
from infra.settings import Settings
from projections.audit_rows import EVENTS, AuditRow
from projections.audit_trail import AuditTrailProjection
from projections.base import ReadModelView
from projections.tables import Order, Select
from tests.application import flows
from tests.clock import DEFAULT_START, FixedClock

pytestmark = pytest.mark.parametrize("storage", ["sqlite", "postgres"], indirect=True)


class TickingBus:
    """The bus, with the clock one hour further before every command."""

    def __init__(self, bus: CommandBus, clock: FixedClock) -> None:
        self.bus, self.clock = bus, clock

    def dispatch(self, command: Any, actor: Actor) -> Accepted:
        self.clock.advance(hours=1)
        return self.bus.dispatch(command, actor)


@pytest.fixture
def case_no(bus: CommandBus, clock: FixedClock) -> str:
    """Customer registered, then V3 and V5 walked one hour per command; V3's number."""
    ticking: Any = TickingBus(bus, clock)
    flows.register_customer(ticking)
    number = flows.v3(ticking)
    flows.v5(ticking)
    return number


@pytest.fixture
def view(settings: Settings, app: CrmApplication, case_no: str) -> Iterator[ReadModelView]:
    """The audit trail, caught up with the whole log."""
    built = build_view(settings, AuditTrailProjection)
    stored = app.recorder.select_notifications(start=1, limit=10_000)
    items = [(app.mapper.to_domain_event(n), Tracking(app.name, n.id)) for n in stored]
    built.process(items, AuditTrailProjection(view=built).apply)
    yield built
    close_view(built)


def audited(view: ReadModelView) -> list[AuditRow]:
    return view.select(Select(EVENTS, order=(Order("position"),)))


def row_of(view: ReadModelView, type_name: str) -> AuditRow:
    return next(row for row in audited(view) if row.type == type_name)


def execute(app: CrmApplication, settings: Settings, statement: str, *params: Any) -> None:
    """Run one statement on the events table (`{events}` in `statement`) behind the library's back."""
    table = app.recorder.events_table_name
    if settings.storage == "sqlite":
        with sqlite3.connect(settings.sqlite_path) as conn:
            conn.execute(statement.format(events=f'"{table}"'), params)
        return
    target = settings.postgres
    with psycopg.connect(make_conninfo("", **target.connect_kwargs()), autocommit=True) as conn:
        qualified = sql.Identifier(target.schema, table).as_string(conn)
        conn.execute(statement.format(events=qualified).replace("?", "%s"), params)


def stored_state(app: CrmApplication, stream: str, version: int) -> dict[str, Any]:
    found = app.recorder.select_events(stream, gt=version - 1, lte=version)
    return dict(json.loads(found[0].state))


def test_an_untouched_log_verifies(app: CrmApplication, view: ReadModelView) -> None:
    result = verify(app, view, batch=7)
    assert (result.ok, result.events_checked, result.first_mismatch) == (True, len(audited(view)), None)


def test_events_not_yet_audited_are_left_for_later(
    app: CrmApplication, bus: CommandBus, view: ReadModelView
) -> None:
    flows.create(bus)
    result = verify(app, view)
    assert (result.ok, result.events_checked) == (True, len(audited(view)))


def test_audit_positions_are_the_log_positions(app: CrmApplication, view: ReadModelView) -> None:
    stored = app.recorder.select_notifications(start=1, limit=10_000)
    assert [(r.position, r.stream, r.version) for r in audited(view)] == [
        (n.id, n.originator_id, n.originator_version) for n in stored
    ]


def test_an_event_altered_in_the_database_is_the_first_mismatch(
    app: CrmApplication, settings: Settings, view: ReadModelView
) -> None:
    approved = row_of(view, "SupervisorApproved")
    state = stored_state(app, approved.stream, approved.version) | {"comment": "主管未批准"}
    execute(app, settings, "UPDATE {events} SET state = ? WHERE originator_id = ? AND originator_version = ?",
            json.dumps(state).encode(), approved.stream, approved.version)  # fmt: skip
    result = verify(app, view)
    mismatch = result.first_mismatch
    assert mismatch is not None
    named = (mismatch.position, mismatch.stream, mismatch.version, mismatch.reason)
    assert named == (approved.position, approved.stream, approved.version, "payload_altered")
    assert (mismatch.stored_hash, result.events_checked) == (approved.hash, approved.position - 1)
    assert mismatch.expected_hash != approved.hash


def test_an_event_deleted_from_the_database_is_named(
    app: CrmApplication, settings: Settings, view: ReadModelView
) -> None:
    escalated = row_of(view, "EscalatedToRegionalLogistics")
    execute(app, settings, "DELETE FROM {events} WHERE originator_id = ? AND originator_version = ?",
            escalated.stream, escalated.version)  # fmt: skip
    mismatch = verify(app, view).first_mismatch
    assert mismatch is not None
    assert (mismatch.position, mismatch.version, mismatch.reason) == (
        escalated.position, escalated.version, "event_deleted",
    )  # fmt: skip


def test_deleting_the_last_event_is_detected(
    app: CrmApplication, settings: Settings, view: ReadModelView
) -> None:
    last = audited(view)[-1]
    execute(app, settings, "DELETE FROM {events} WHERE originator_id = ? AND originator_version = ?",
            last.stream, last.version)  # fmt: skip
    mismatch = verify(app, view).first_mismatch
    assert mismatch is not None and (mismatch.position, mismatch.reason) == (last.position, "event_deleted")


def test_swapped_versions_are_reported_out_of_order(
    app: CrmApplication, settings: Settings, view: ReadModelView
) -> None:
    second = row_of(view, "NotificationPutInProcess")
    swap = "UPDATE {events} SET originator_version = ? WHERE originator_id = ? AND originator_version = ?"
    for old, new in ((2, 1000), (3, 2), (1000, 3)):
        execute(app, settings, swap, new, second.stream, old)
    mismatch = verify(app, view).first_mismatch
    assert mismatch is not None and (mismatch.position, mismatch.version, mismatch.reason) == (
        second.position, 3, "out_of_order",
    )  # fmt: skip


def test_a_missing_audit_row_is_reported(app: CrmApplication, view: ReadModelView) -> None:
    lost = row_of(view, "SiteSurveyCompleted")
    key = (lost.stream, lost.version)
    last = view.max_tracking_id(app.name) or 0
    view.process([(None, Tracking(app.name, last + 1))], lambda _, rows: rows.delete(EVENTS, *key))
    mismatch = verify(app, view).first_mismatch
    assert mismatch is not None and (mismatch.position, mismatch.reason) == (
        lost.position,
        "missing_audit_row",
    )


def test_the_state_as_of_a_version_replays_that_far(app: CrmApplication, case_no: str) -> None:
    case = case_as_of(app, case_no, at_version=3)
    assert (case.version, case.user_status, case.system_status) == (3, "KCWB", "IN_PROCESS")


def test_the_state_as_of_an_instant_replays_what_had_happened(app: CrmApplication, case_no: str) -> None:
    created = DEFAULT_START + timedelta(hours=3)  # after registering the customer and its location
    case = case_as_of(app, case_no, as_of_time=created + timedelta(hours=3, minutes=30))
    assert (case.version, case.user_status) == (5, "KCWB")  # approval requested, not yet approved
    assert case.pending_approval is not None


@pytest.mark.parametrize(
    "when", [{"at_version": 0}, {"as_of_time": DEFAULT_START}, {"at_version": 3, "as_of_time": DEFAULT_START}]
)
def test_no_state_before_the_first_event(app: CrmApplication, case_no: str, when: dict[str, Any]) -> None:
    with pytest.raises(CaseNotFound):
        case_as_of(app, case_no, **when)


def test_an_unknown_case_has_no_state(app: CrmApplication, case_no: str) -> None:
    with pytest.raises(CaseNotFound):
        case_as_of(app, "9999999", at_version=1)


def test_gaps_in_log_positions_are_no_mismatch(
    app: CrmApplication, settings: Settings, view: ReadModelView, bus: CommandBus, case_no: str
) -> None:
    """On PostgreSQL an append that loses a race has drawn its id: positions skip, nothing is wrong."""
    if settings.storage != "postgres":
        pytest.skip("only PostgreSQL draws positions from a sequence; SQLite never leaves a gap")
    last = app.recorder.max_notification_id() or 0
    execute(app, settings, "SELECT nextval(pg_get_serial_sequence('{events}', 'notification_id'))")
    execute(app, settings, "SELECT nextval(pg_get_serial_sequence('{events}', 'notification_id'))")
    email = c.EmailCase(case_no=case_no, recipients=["a@b.cn"], department="区物流", subject="催办")
    bus.dispatch(email, flows.ASSISTANT)
    later = app.recorder.select_notifications(start=last + 1, limit=100)
    assert later[0].id == last + 3, "the test needs a real gap"
    view.process([(app.mapper.to_domain_event(n), Tracking(app.name, n.id)) for n in later],
                 AuditTrailProjection(view=view).apply)  # fmt: skip
    result = verify(app, view)
    assert (result.ok, result.first_mismatch) == (True, None)
    assert audited(view)[-1].position == later[-1].id
