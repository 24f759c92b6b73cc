"""Concurrent writers on PostgreSQL: several application instances (as separate processes would be)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import TypeVar

import pytest

from application import case_commands as c
from application.bus import CommandBus
from domain.case import Case
from domain.errors import DomainError
from infra.bootstrap import Container, bootstrap
from tests.application import flows
from tests.conftest import settings_for

T = TypeVar("T")
INSTANCES = 5


@pytest.fixture
def containers(postgres_schema_url: str) -> Iterator[list[Container]]:
    """Five independent containers (own pools, own number hints) on one isolated schema."""
    built = [bootstrap(settings_for(postgres_schema_url)) for _ in range(INSTANCES)]
    yield built
    for container in built:
        container.close()


def run_together(calls: list[Callable[[], T]]) -> list[T | DomainError]:
    """Start every call at once; collect results or the domain errors they raised."""

    def attempt(call: Callable[[], T]) -> T | DomainError:
        try:
            return call()
        except DomainError as error:
            return error

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(attempt, calls))


def test_fifty_concurrent_creates_get_fifty_consecutive_numbers(containers: list[Container]) -> None:
    flows.register_customer(containers[0].bus)
    buses = [containers[i % INSTANCES].bus for i in range(50)]
    results = run_together([lambda bus=bus: flows.create(bus) for bus in buses])
    assert sorted(str(r) for r in results) == [str(n) for n in range(1_000_001, 1_000_051)]


def test_twenty_conflicting_decisions_on_one_request_yield_exactly_one_decision(
    containers: list[Container],
) -> None:
    bus: CommandBus = containers[0].bus
    flows.register_customer(bus)
    case_no = flows.create(bus)
    bus.dispatch(c.CompleteSiteSurvey(case_no=case_no), flows.STAFF)
    bus.dispatch(
        c.RecordServiceForm(
            case_no=case_no,
            kind="SURVEY",
            service_staff_id="202",
            date=date(2001, 3, 7),
            content="需总部报价",
        ),
        flows.STAFF,
    )
    bus.dispatch(c.RequestApproval(case_no=case_no, purpose="HQ_QUOTE"), flows.ASSISTANT)
    decisions: list[Callable[[], object]] = []
    for index in range(20):
        other = containers[index % INSTANCES].bus
        command = (
            c.ApproveCase(case_no=case_no) if index % 2 else c.RejectCase(case_no=case_no, reason="费用过高")
        )
        decisions.append(lambda bus=other, command=command: bus.dispatch(command, flows.SUPERVISOR))
    results = run_together(decisions)
    stored = [type(e).__name__ for e in containers[1].app.events.get(Case.stream_id(case_no))]
    assert sum(name in ("SupervisorApproved", "SupervisorRejected") for name in stored) == 1
    refused = {error.code for error in results if isinstance(error, DomainError)}
    assert len([r for r in results if not isinstance(r, DomainError)]) == 1
    assert refused <= {"NO_PENDING_APPROVAL", "ILLEGAL_STATUS_TRANSITION"}
