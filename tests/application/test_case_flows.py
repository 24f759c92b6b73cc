"""The notification paths V1–V5 through the bus, unchanged on memory, SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from application import case_commands as c
from application.app import CrmApplication
from application.bus import CommandBus
from domain.case import Case
from domain.errors import CustomerNotFound, ValidationFailed, VersionMismatch
from tests.application import flows
from tests.clock import FixedClock

PATHS: dict[str, tuple[Callable[[CommandBus], str], list[str]]] = {
    "V1": (
        flows.v1,
        [
            "ServiceNotificationCreated",
            "NotificationPutInProcess",
            "SiteSurveyCompleted",
            "OnSiteServicePerformed",
            "CustomerAcceptanceConfirmed",
            "NotificationClosed",
            "SatisfactionSurveyRecorded",
        ],
    ),
    "V2": (
        flows.v2,
        [
            "ServiceNotificationCreated",
            "NotificationPutInProcess",
            "SiteSurveyCompleted",
            "ServiceSalesOrderCreated",
            "QuoteConfirmedByCustomer",
            "OnSiteServicePerformed",
            "CustomerAcceptanceConfirmed",
            "NotificationClosed",
            "ServiceInvoiceCreated",
        ],
    ),
    "V3": (
        flows.v3,
        [
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
        ],
    ),
    "V4": (
        flows.v4,
        [
            "ServiceNotificationCreated",
            "NotificationPutInProcess",
            "SiteSurveyCompleted",
            "ComplaintFormFiled",
            "SupervisorApprovalRequested",
            "SupervisorRejected",
            "SupervisorApprovalRequested",
            "SupervisorApproved",
            "EscalatedToRegionalLogistics",
            "DepartmentReplyReceived",
            "OnSiteServicePerformed",
            "CustomerAcceptanceConfirmed",
            "NotificationClosed",
        ],
    ),
    "V5": (
        flows.v5,
        [
            "ServiceNotificationCreated",
            "NotificationPutInProcess",
            "ComplaintFormFiled",
            "EscalatedToRegionalLogistics",
            "ReplyToSalesRecorded",
            "GoodsDeliveredToCustomer",
            "NotificationClosed",
        ],
    ),
}


def stored_types(app: CrmApplication, case_no: str) -> list[str]:
    return [type(e).__name__ for e in app.events.get(Case.stream_id(case_no))]


@pytest.mark.parametrize("path", sorted(PATHS))
def test_each_workflow_variant_stores_its_events_in_order(
    app: CrmApplication, bus: CommandBus, path: str
) -> None:
    flows.register_customer(bus)
    walk, expected = PATHS[path]
    case_no = walk(bus)
    assert stored_types(app, case_no) == expected
    assert app.load(Case, case_no).system_status == "COMPLETED"


def test_cases_are_numbered_consecutively_from_1000001(bus: CommandBus) -> None:
    flows.register_customer(bus)
    assert [flows.create(bus) for _ in range(3)] == ["1000001", "1000002", "1000003"]


def test_a_refused_create_consumes_no_number(app: CrmApplication, bus: CommandBus) -> None:
    flows.register_customer(bus)
    assert flows.create(bus) == "1000001"
    with pytest.raises(ValidationFailed):
        flows.create(bus, distribution_channel="20")
    with pytest.raises(CustomerNotFound):
        flows.create(bus, ship_to="9999999999")
    assert flows.create(bus) == "1000002"
    assert not app.exists(Case, "1000003")


def test_a_new_process_continues_the_numbering_of_the_store(app: CrmApplication, bus: CommandBus) -> None:
    flows.register_customer(bus)
    for _ in range(5):
        flows.create(bus)
    app.case_numbers._next = None  # as a freshly started process: no hint, it must find the end itself
    assert flows.create(bus) == "1000006"


def test_if_match_with_an_old_version_is_refused_and_appends_nothing(
    app: CrmApplication, bus: CommandBus
) -> None:
    flows.register_customer(bus)
    case_no = flows.create(bus)
    version = app.load(Case, case_no).version
    with pytest.raises(VersionMismatch):
        bus.dispatch(
            c.AppendLongText(case_no=case_no, text="x", expected_version=version - 1), flows.ASSISTANT
        )
    accepted = bus.dispatch(
        c.AppendLongText(case_no=case_no, text="x", expected_version=version), flows.ASSISTANT
    )
    assert accepted.version == version + 1


def test_accepted_reports_the_log_position_written(app: CrmApplication, bus: CommandBus) -> None:
    flows.register_customer(bus)
    case_no = flows.create(bus, put_in_process=False)
    accepted = bus.dispatch(c.PutCaseInProcess(case_no=case_no), flows.ASSISTANT)
    assert accepted.position == app.recorder.max_notification_id()


def test_events_carry_the_principal_and_both_times(
    app: CrmApplication, bus: CommandBus, clock: FixedClock
) -> None:
    flows.register_customer(bus)
    case_no = flows.create(bus)
    clock.advance(hours=3)
    paper_form_time = datetime(2001, 3, 6, 2, 30, tzinfo=UTC)
    bus.dispatch(c.CompleteSiteSurvey(case_no=case_no, occurred_at=paper_form_time), flows.STAFF)
    event = list(app.events.get(Case.stream_id(case_no)))[-1]
    assert (event.actor_id, event.actor_role) == ("202", "service_staff")
    assert event.occurred_at == paper_form_time
    assert event.timestamp == clock.now


def test_state_as_of_an_earlier_version_is_replayed_from_the_log(
    app: CrmApplication, bus: CommandBus
) -> None:
    flows.register_customer(bus)
    case_no = flows.v1(bus)
    assert app.load_at(Case, case_no, 2).user_status == "TZJL"
    assert app.load_at(Case, case_no, 3).user_status == "KCWB"


def test_a_long_stream_loads_from_a_snapshot_equal_to_a_full_replay(
    app: CrmApplication, bus: CommandBus
) -> None:
    flows.register_customer(bus)
    case_no = flows.create(bus)
    for index in range(CrmApplication.SNAPSHOT_INTERVAL * 2 + 5):
        bus.dispatch(c.AppendLongText(case_no=case_no, text=f"第{index}次跟进"), flows.ASSISTANT)
    assert app.snapshots is not None
    assert list(app.snapshots.get(Case.stream_id(case_no), desc=True, limit=1))
    replayed: Case | None = None
    for event in app.events.get(Case.stream_id(case_no)):
        replayed = event.mutate(replayed)
    assert app.load(Case, case_no) == replayed
