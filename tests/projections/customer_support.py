"""Helpers for the customer read-model tests (P7, P8, P9, P13): real customers, folded or fed to a view.

Commands go through the real bus (memory storage for the folding tests, SQLite
or PostgreSQL for the store tests) and the events are read back from the
application's log, so the read models see exactly what the write side stores.
`Desk.on(day)` moves the test clock to 09:00 Asia/Shanghai of `day`, so each
fact happens on the business day the test names.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from application import customer_commands as cc
from application.app import CrmApplication
from application.bus import CommandBus
from projections.contact_queue import ContactQueueItem, queue_entries, queue_item
from projections.customer_facts import (
    CUSTOMER_EVENTS,
    CustomerCase,
    CustomerFacts,
    customer_no_of,
    evolve,
    evolve_case,
)
from tests.application import flows
from tests.clock import FixedClock

CUSTOMER_NO = flows.CUSTOMER_NO  # the SM01 ship-to customer the notification walkers use


class Desk:
    """Customer commands as an assistant enters them, on the business day the test chooses."""

    def __init__(self, bus: CommandBus, clock: FixedClock) -> None:
        self.bus, self.clock = bus, clock

    def on(self, day: date) -> Desk:
        self.clock.set(datetime(day.year, day.month, day.day, 1, 0, tzinfo=UTC))  # 09:00 in Shanghai
        return self

    def send(self, command: cc.CustomerCommand) -> Desk:
        self.bus.dispatch(command, flows.ASSISTANT)
        return self

    def register(self, customer_no: str, **fields: Any) -> Desk:
        values: dict[str, Any] = {"name": f"客户{customer_no[-3:]}", "kind": "ENTERPRISE", "address": "上海"}
        return self.send(cc.RegisterCustomer(customer_no=customer_no, **(values | fields)))

    def contact(self, customer_no: str, effective: bool = True, channel: str = "PHONE") -> Desk:
        return self.send(
            cc.LogContact(customer_no=customer_no, channel=channel, direction="OUT", effective=effective)
        )

    def visit(self, customer_no: str, **fields: Any) -> Desk:
        return self.send(cc.RecordReturnVisit(customer_no=customer_no, **({"channel": "PHONE"} | fields)))

    def deliver(self, customer_no: str, project_id: str, delivered_on: date) -> Desk:
        return self.send(
            cc.RecordProjectDelivered(
                customer_no=customer_no, project_id=project_id, delivered_on=delivered_on
            )
        )

    def sales(self, customer_no: str, month: str, amount: str) -> Desk:
        return self.send(cc.RecordMonthlySales(customer_no=customer_no, month=month, amount=Decimal(amount)))

    def balance(self, customer_no: str, as_of: date, amount: str) -> Desk:
        return self.send(cc.RecordAssetBalance(customer_no=customer_no, as_of=as_of, amount=Decimal(amount)))


def delivered(desk: Desk, day: date, *projects: str, customer_no: str = "C001") -> Desk:
    """A customer registered on `day` whose projects (default P-1) were delivered that day."""
    desk.on(day).register(customer_no, registered_on=day)
    for project_id in projects or ("P-1",):
        desk.deliver(customer_no, project_id, day)
    return desk


def contacted(desk: Desk, customer_no: str, day: date, manager: str = "am-1") -> Desk:
    """A customer visited on registration (so no first-visit row), then talked to on `day`."""
    desk.on(date(2001, 2, 20)).register(customer_no, account_manager_id=manager).visit(customer_no)
    return desk.on(day).contact(customer_no)


def logged(app: CrmApplication) -> list[Any]:
    """Every domain event of the application's log, in log order."""
    return [app.mapper.to_domain_event(n) for n in app.recorder.select_notifications(start=1, limit=10_000)]


def fold_facts(events: list[Any]) -> dict[str, CustomerFacts]:
    """The customer facts by customer number, folded with the pure `evolve` as the views fold them."""
    facts: dict[str, CustomerFacts] = {}
    for event in events:
        if type(event) in CUSTOMER_EVENTS:
            customer_no = customer_no_of(event)
            folded = evolve(facts.get(customer_no), event)
            if folded is not None:
                facts[customer_no] = folded
    return facts


def fold_cases(events: list[Any]) -> list[CustomerCase]:
    """The customers' notifications, folded with the pure `evolve_case`."""
    cases: dict[str, CustomerCase] = {}
    for event in events:
        if event.originator_id.startswith("notification-"):
            case_no = event.originator_id.removeprefix("notification-")
            folded = evolve_case(cases.get(case_no), event)
            if folded is not None:
                cases[case_no] = folded
    return list(cases.values())


def queue(app: CrmApplication, as_of: date, reason: str | None = None) -> list[ContactQueueItem]:
    """The day's contact queue folded purely from the application's log (optionally one reason's rows)."""
    events = logged(app)
    entries = queue_entries(list(fold_facts(events).values()), fold_cases(events), as_of)
    return [queue_item(due, facts, as_of) for _, due, facts in entries if reason in (None, due.reason)]


def seen(items: list[ContactQueueItem]) -> list[tuple[str, str | None, date, str, int]]:
    """What a queue row says about its visit: reason, window, due date, status, days overdue."""
    return [(i.due_reason, i.window, i.due_date, i.status, i.days_overdue) for i in items]
