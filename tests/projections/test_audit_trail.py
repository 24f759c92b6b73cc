"""P6 AuditTrail: rows, hash chains, timelines and control lists from real V1–V5 events, then its queries.

Unit tests fold the log of the in-memory store through `step`; query tests feed the
same kind of log into the view on SQLite and PostgreSQL.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from eventsourcing.persistence import Tracking

from application import case_commands as c
from application.accepted import Accepted
from application.app import CrmApplication
from application.bus import CommandBus
from domain.actor import Actor, Role
from domain.base import CrmEvent
from infra.read_models import build_view, close_view
from infra.settings import Settings
from projections.audit_chain import canonical
from projections.audit_controls import (
    CONTROL_NAMES,
    AuditCase,
    AuditFinding,
    UnknownControl,
    closed_without_invoice,
    controls,
)
from projections.audit_rows import ALL_EVENTS, EVENTS, AuditHead, AuditRow, stream_parts
from projections.audit_timeline import status_timeline, timeline
from projections.audit_trail import (
    AuditSearchFilter,
    AuditTrailProjection,
    audit_search,
    case_history,
    customer_history,
    event_item,
    step,
)
from projections.base import ReadModelView
from projections.tables import PageRequest, Select
from tests.application import flows
from tests.clock import DEFAULT_START, FixedClock

HOUR = 3600
BOSS = Actor("boss-01", frozenset({Role.ASSISTANT, Role.SUPERVISOR}), name="经理")
memory_only = pytest.mark.parametrize("storage", ["memory"], indirect=True)
on_databases = pytest.mark.parametrize("storage", ["sqlite", "postgres"], indirect=True)


class TickingBus:
    """The bus, with the clock one hour further before every command, so statuses last a while."""

    def __init__(self, bus: CommandBus, clock: FixedClock) -> None:
        self.bus, self.clock = bus, clock

    def dispatch(self, command: Any, actor: Actor) -> Accepted:
        self.clock.advance(hours=1)
        return self.bus.dispatch(command, actor)


def log_events(app: CrmApplication) -> list[Any]:
    """Every stored event, decoded, in log order."""
    notifications = app.recorder.select_notifications(start=1, limit=10_000)
    return [app.mapper.to_domain_event(n) for n in notifications]


@dataclass
class Folded:
    """The audit trail's tables as plain collections, folded with the projection's pure `step`."""

    rows: list[AuditRow] = field(default_factory=list)
    cases: dict[str, AuditCase] = field(default_factory=dict)
    findings: list[AuditFinding] = field(default_factory=list)
    head: AuditHead | None = None

    def stream(self, stream: str) -> list[AuditRow]:
        return [row for row in self.rows if row.stream == stream]

    def of_type(self, name: str) -> list[AuditRow]:
        return [row for row in self.rows if row.type == name]


def fold(events: list[Any]) -> Folded:
    folded = Folded()
    last: dict[str, AuditRow] = {}
    for event in events:
        kind, number = stream_parts(event.originator_id)
        case = folded.cases.get(number) if kind == "notification" else None
        position = (folded.head.position if folded.head else 0) + 1
        done = step(event, position, folded.head, last.get(event.originator_id), case)
        folded.rows.append(done.row)
        folded.head, last[event.originator_id] = done.head, done.row
        folded.findings.extend(done.findings)
        if done.case is not None:
            folded.cases[number] = done.case
    return folded


@pytest.fixture
def paths(bus: CommandBus, clock: FixedClock) -> dict[str, str]:
    """V1–V5 walked through the bus, one hour per command; case numbers by path."""
    ticking: Any = TickingBus(bus, clock)
    flows.register_customer(ticking)
    walks = {"v1": flows.v1, "v2": flows.v2, "v3": flows.v3, "v4": flows.v4, "v5": flows.v5}
    return {name: walk(ticking) for name, walk in walks.items()}


@pytest.fixture
def folded(app: CrmApplication, paths: dict[str, str]) -> Folded:
    return fold(log_events(app))


def self_approved_case(bus: CommandBus) -> str:
    """An HQ-quote request approved by the one who asked for it (one person holding both roles)."""
    case_no = flows.create(bus)
    bus.dispatch(c.CompleteSiteSurvey(case_no=case_no, code="KCJS"), flows.STAFF)
    form = {"kind": "SURVEY", "service_staff_id": "202", "content": "需总部报价", "hq_quote_needed": True}
    bus.dispatch(c.RecordServiceForm(case_no=case_no, date=DEFAULT_START.date(), **form), flows.STAFF)
    bus.dispatch(c.RequestApproval(case_no=case_no, purpose="HQ_QUOTE"), BOSS)
    bus.dispatch(c.ApproveCase(case_no=case_no), BOSS)
    return case_no


# --- rows -------------------------------------------------------------------------------------


def test_every_event_class_of_every_stream_is_handled() -> None:
    def leaves(cls: type) -> Iterator[type]:
        for sub in cls.__subclasses__():
            yield from (leaves(sub) if sub.__subclasses__() else [sub])

    declared = {
        c.__name__
        for c in leaves(CrmEvent)
        if c.__module__.startswith("domain.") and not c.__qualname__.endswith(".Created")
    }
    assert declared <= {e.__name__ for e in ALL_EVENTS}


@memory_only
def test_the_subscription_takes_every_topic_of_the_log(app: CrmApplication, paths: dict[str, str]) -> None:
    stored = {n.topic for n in app.recorder.select_notifications(start=1, limit=10_000)}
    assert stored <= set(AuditTrailProjection.topics)


@memory_only
def test_each_stored_event_gets_one_row_at_its_log_position(app: CrmApplication, folded: Folded) -> None:
    stored = app.recorder.select_notifications(start=1, limit=10_000)
    assert [(r.position, r.stream, r.version) for r in folded.rows] == [
        (n.id, n.originator_id, n.originator_version) for n in stored
    ]


@memory_only
def test_a_row_names_actor_role_and_statuses(folded: Folded, paths: dict[str, str]) -> None:
    approved = folded.of_type("SupervisorApproved")[0]
    assert (approved.case_no, approved.actor_id, approved.actor_role) == (paths["v3"], "sup-01", "supervisor")
    assert (approved.from_status, approved.to_status) == ("KCWB", "ZGPZ")
    assert (approved.customer_no, approved.sales_office, approved.stream_type) == (
        flows.CUSTOMER_NO, "4002", "notification",
    )  # fmt: skip


@memory_only
def test_the_api_shape_shows_statuses_as_from_and_to(folded: Folded) -> None:
    closed = event_item(folded.of_type("NotificationClosed")[0])
    assert (closed.data["from"], closed.data["to"]) == ("IN_PROCESS", "COMPLETED")
    assert "from_status" not in closed.data


@memory_only
def test_data_is_the_payload_without_the_envelope(folded: Folded) -> None:
    invoice = folded.of_type("ServiceInvoiceCreated")[0]
    assert invoice.data["amount"] == "80.00"
    assert not {"actor_id", "event_id", "occurred_at", "originator_id"} & set(invoice.data)


@memory_only
def test_events_outside_notifications_are_searchable_by_customer(folded: Folded) -> None:
    claim = folded.of_type("FunctionalLocationClaimed")[0]
    registered = folded.of_type("CustomerRegistered")[0]
    assert (claim.stream_type, claim.customer_no, claim.case_no) == (
        "functional-location",
        "2110050007",
        None,
    )
    assert (registered.stream_type, registered.customer_no) == ("customer", "2110050007")


# --- hash chains ------------------------------------------------------------------------------


def sha(prev: str | None, event: Any) -> str:
    return hashlib.sha256((prev or "").encode() + canonical(event)).hexdigest()


@memory_only
def test_each_stream_is_chained_by_version(app: CrmApplication, paths: dict[str, str]) -> None:
    events = [e for e in log_events(app) if e.originator_id == f"notification-{paths['v3']}"]
    rows = fold(log_events(app)).stream(f"notification-{paths['v3']}")
    prevs = [None] + [row.hash for row in rows[:-1]]
    assert [row.prev_hash for row in rows] == prevs
    assert [row.hash for row in rows] == [sha(p, e) for p, e in zip(prevs, events, strict=True)]


@memory_only
def test_the_whole_log_is_chained_by_position(app: CrmApplication, folded: Folded) -> None:
    prevs = [None] + [row.global_hash for row in folded.rows[:-1]]
    assert [row.global_prev_hash for row in folded.rows] == prevs
    assert [r.global_hash for r in folded.rows] == [
        sha(p, e) for p, e in zip(prevs, log_events(app), strict=True)
    ]


@memory_only
def test_changing_any_field_changes_the_hash(app: CrmApplication, paths: dict[str, str]) -> None:
    approved = next(e for e in log_events(app) if type(e).__name__ == "SupervisorApproved")
    assert sha(None, dataclasses.replace(approved, comment="伪造")) != sha(None, approved)


@memory_only
def test_the_canonical_encoding_survives_storage(app: CrmApplication, paths: dict[str, str]) -> None:
    for event in log_events(app):
        again = app.mapper.to_domain_event(app.mapper.to_stored_event(event))
        assert canonical(again) == canonical(event)


# --- timeline ---------------------------------------------------------------------------------


@memory_only
def test_the_timeline_lists_user_statuses_with_who_and_how_long(
    folded: Folded, paths: dict[str, str]
) -> None:
    shown = status_timeline(paths["v3"], folded.stream(f"notification-{paths['v3']}"))
    expected = [("TZJL", "a-01", HOUR), ("KCWB", "202", 3 * HOUR), ("ZGPZ", "sup-01", 2 * HOUR)]
    assert [(i.status, i.set_by, i.duration_seconds) for i in shown.user_status] == [
        *expected,
        ("ZBHF", "rl-01", None),
    ]
    assert shown.user_status[0].left_at == shown.user_status[1].entered_at


@memory_only
def test_the_timeline_lists_system_statuses(folded: Folded, paths: dict[str, str]) -> None:
    shown = status_timeline(paths["v1"], folded.stream(f"notification-{paths['v1']}"))
    assert [(i.status, i.duration_seconds) for i in shown.system_status] == [
        ("OUTSTANDING", 0), ("IN_PROCESS", 4 * 3600), ("COMPLETED", None),
    ]  # fmt: skip


@memory_only
def test_the_current_status_lasts_until_as_of(folded: Folded, paths: dict[str, str]) -> None:
    rows = folded.stream(f"notification-{paths['v1']}")
    as_of = rows[-1].occurred_at + timedelta(hours=5)
    assert status_timeline(paths["v1"], rows, as_of).system_status[-1].duration_seconds == 6 * 3600


# --- controls ---------------------------------------------------------------------------------


@memory_only
def test_a_case_closed_with_a_confirmed_quote_and_no_invoice_is_listed(
    app: CrmApplication, paths: dict[str, str]
) -> None:
    events = log_events(app)
    invoice = next(i for i, e in enumerate(events) if type(e).__name__ == "ServiceInvoiceCreated")
    listed = closed_without_invoice(fold(events[:invoice]).cases[paths["v2"]])
    assert listed is not None and listed.detail.endswith(f"ZFFW-{paths['v2']}-1")


@memory_only
def test_the_invoice_takes_the_case_off_the_closed_without_invoice_list(folded: Folded) -> None:
    assert [closed_without_invoice(case) for case in folded.cases.values()] == [None] * 5


@memory_only
def test_the_real_paths_raise_no_findings(folded: Folded) -> None:
    assert folded.findings == []


@memory_only
def test_an_approval_with_no_request_pending_is_listed(app: CrmApplication, paths: dict[str, str]) -> None:
    events = [e for e in log_events(app) if type(e).__name__ != "SupervisorApprovalRequested"]
    found = [(f.control, f.case_no) for f in fold(events).findings]
    assert ("approval-without-request", paths["v3"]) in found


@memory_only
def test_an_escalation_without_payment_status_is_listed(app: CrmApplication, paths: dict[str, str]) -> None:
    events = [
        dataclasses.replace(e, payment_status="") if type(e).__name__ == "EscalatedToRegionalLogistics" else e
        for e in log_events(app)
    ]
    found = {f.control for f in fold(events).findings}
    assert found == {"escalation-without-payment-status"}


@memory_only
def test_an_approval_by_the_requester_is_listed(app: CrmApplication, bus: CommandBus) -> None:
    flows.register_customer(bus)
    case_no = self_approved_case(bus)
    found = [(f.control, f.case_no, f.actor_id) for f in fold(log_events(app)).findings]
    assert found == [("self-approved", case_no, "boss-01")]


# --- queries on SQLite and PostgreSQL ---------------------------------------------------------


def feed(view: ReadModelView, app: CrmApplication, after: int = 0, skip: str = "") -> None:
    """Fold the stored events after position `after` into the view (leaving out events of type `skip`)."""
    stored = app.recorder.select_notifications(start=after + 1, limit=10_000)
    items = [(app.mapper.to_domain_event(n), Tracking(app.name, n.id)) for n in stored]
    kept = [(event, tracking) for event, tracking in items if type(event).__name__ != skip]
    view.process(kept, AuditTrailProjection(view=view).apply)


@pytest.fixture
def view(settings: Settings, app: CrmApplication, paths: dict[str, str]) -> Iterator[ReadModelView]:
    built = build_view(settings, AuditTrailProjection)
    feed(built, app)
    yield built
    close_view(built)


@on_databases
def test_case_history_pages_through_versions(view: ReadModelView, paths: dict[str, str]) -> None:
    first = case_history(view, paths["v3"], limit=10)
    rest = case_history(view, paths["v3"], after_version=first.next_after or 0, limit=10)
    assert [i.version for i in first.items + rest.items] == list(range(1, 15))
    assert rest.next_after is None


@on_databases
def test_customer_history_lists_the_customer_stream(view: ReadModelView) -> None:
    shown = customer_history(view, flows.CUSTOMER_NO)
    assert [i.type for i in shown.items] == ["CustomerRegistered", "FunctionalLocationCreated"]


@on_databases
def test_history_rows_round_trip_the_store(
    view: ReadModelView, app: CrmApplication, paths: dict[str, str]
) -> None:
    stored = view.select(Select(EVENTS))
    assert sorted(stored, key=lambda r: r.position) == fold(log_events(app)).rows


AT_2H, AT_4H = DEFAULT_START + timedelta(hours=2), DEFAULT_START + timedelta(hours=4)
SEARCHES = [
    (
        AuditSearchFilter(actor_role=("supervisor",)),
        ["SupervisorApproved", "SupervisorRejected", "SupervisorApproved"],
    ),
    (
        AuditSearchFilter(actor_id=("rl-01",), type=("DepartmentReplyReceived",)),
        ["DepartmentReplyReceived"] * 2,
    ),
    (
        AuditSearchFilter(
            customer_no=("2110050007",), type=("CustomerRegistered", "FunctionalLocationClaimed")
        ),
        ["CustomerRegistered", "FunctionalLocationClaimed"],
    ),
    (AuditSearchFilter(sales_office=("9999",)), []),
    (
        AuditSearchFilter(occurred_from=AT_2H, occurred_to=AT_4H),
        [
            "FunctionalLocationCreated",
            "FunctionalLocationClaimed",
            "ServiceNotificationCreated",
            "NotificationPutInProcess",
        ],
    ),
]


@pytest.mark.parametrize(("filters", "expected"), SEARCHES)
@on_databases
def test_audit_search_filters(view: ReadModelView, filters: AuditSearchFilter, expected: list[str]) -> None:
    assert [i.type for i in audit_search(view, filters, PageRequest(limit=500)).items] == expected


@on_databases
def test_audit_search_pages_in_log_order(view: ReadModelView, paths: dict[str, str]) -> None:
    filters = AuditSearchFilter(case_no=(paths["v5"],))
    first = audit_search(view, filters, PageRequest(limit=4))
    rest = audit_search(view, filters, PageRequest(limit=4, cursor=first.next_cursor))
    positions = [i.position for i in first.items + rest.items]
    assert positions == sorted(positions) and len(positions) == 7 and rest.next_cursor is None


@on_databases
def test_the_timeline_query_reads_the_stored_rows(view: ReadModelView, paths: dict[str, str]) -> None:
    shown = timeline(view, paths["v5"])
    assert shown is not None and [i.status for i in shown.user_status] == ["TZJL", "HFYY", "DDKH"]
    assert timeline(view, "9999999") is None


@on_databases
def test_control_lists_are_empty_for_the_real_paths(view: ReadModelView) -> None:
    assert all(controls(view, name).items == [] for name in CONTROL_NAMES)


@on_databases
def test_the_control_list_names_the_self_approval(
    view: ReadModelView, app: CrmApplication, bus: CommandBus
) -> None:
    case_no = self_approved_case(bus)
    feed(view, app, after=view.max_tracking_id(app.name) or 0)
    assert [(i.case_no, i.actor_id) for i in controls(view, "self-approved").items] == [(case_no, "boss-01")]


@on_databases
def test_the_control_list_names_closes_with_uninvoiced_quotes(
    settings: Settings, app: CrmApplication, paths: dict[str, str]
) -> None:
    uninvoiced = build_view(settings, AuditTrailProjection)
    feed(uninvoiced, app, skip="ServiceInvoiceCreated")
    listed = controls(uninvoiced, "closed-without-invoice").items
    close_view(uninvoiced)
    assert [(i.case_no, i.version) for i in listed] == [(paths["v2"], 8), (paths["v3"], 13)]


@on_databases
def test_an_unknown_control_list_is_refused(view: ReadModelView) -> None:
    with pytest.raises(UnknownControl):
        controls(view, "closed-too-early")


@on_databases
def test_an_event_delivered_twice_is_recorded_once(view: ReadModelView, app: CrmApplication) -> None:
    last = app.recorder.select_notifications(start=1, limit=10_000)[-1]
    view.process([(app.mapper.to_domain_event(last), Tracking(app.name, last.id + 1))],
                 AuditTrailProjection(view=view).apply)  # fmt: skip
    assert len(view.select(Select(EVENTS))) == last.id
