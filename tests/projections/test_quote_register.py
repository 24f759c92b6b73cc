"""P12 quote and invoice register: real events folded without a database, and the list on both stores."""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from application import case_commands as c
from application.app import CrmApplication
from application.bus import CommandBus
from domain.errors import ValidationFailed
from infra.settings import Settings
from projections.base import ReadModelView
from projections.quote_register import (
    QUOTE_REGISTER,
    QuoteRegisterFilter,
    QuoteRegisterProjection,
    QuoteRegisterRow,
    conditions,
    fold,
    quote_register,
)
from projections.tables import PageRequest
from tests.application import flows
from tests.clock import FixedClock
from tests.projections.queue_support import MemoryRows, fed_view

MEMORY = pytest.mark.parametrize("storage", ["memory"], indirect=True)
STORES = pytest.mark.parametrize("storage", ["sqlite", "postgres"], indirect=True)
LINE = c.OrderLineInput(description="更换抽屉锁", material="100056", qty=2, unit_price=Decimal("40.25"))


def register(app: CrmApplication) -> dict[str, QuoteRegisterRow]:
    """Every order as the fold leaves it, by order number."""
    rows = MemoryRows()
    for n in app.recorder.select_notifications(start=1, limit=10_000, topics=QuoteRegisterProjection.topics):
        fold(app.mapper.to_domain_event(n), rows)
    return {key[0]: row for key, row in rows.tables.get(QUOTE_REGISTER.name, {}).items()}


def pending_quote(bus: CommandBus) -> tuple[str, str]:
    """A surveyed Z1 with a ZFFW quote waiting for the customer: (case_no, order_no)."""
    case_no = flows.create(bus)
    bus.dispatch(c.CompleteSiteSurvey(case_no=case_no), flows.STAFF)
    accepted = bus.dispatch(c.CreateServiceOrder(case_no=case_no, lines=[LINE]), flows.ASSISTANT)
    return case_no, str(accepted.details["order_no"])


def confirmed_quote(bus: CommandBus) -> str:
    case_no, order_no = pending_quote(bus)
    confirm = c.ConfirmQuote(case_no=case_no, order_no=order_no, confirmed_by_name="李先生", via="PHONE")
    bus.dispatch(confirm, flows.ASSISTANT)
    return order_no


# Pure rules -------------------------------------------------------------------------------------


def test_an_unknown_status_filter_is_a_validation_error() -> None:
    with pytest.raises(ValidationFailed):
        conditions(QuoteRegisterFilter(status=("CONFIRMED", "PAID")))


# The fold of real events ------------------------------------------------------------------------


@MEMORY
def test_a_new_quote_is_pending_for_the_notifications_ship_to_customer(
    bus: CommandBus, app: CrmApplication
) -> None:
    flows.register_customer(bus)
    case_no, order_no = pending_quote(bus)
    row = register(app)[order_no]
    assert (row.case_no, row.customer_no, row.total_amount, row.status) == (
        case_no,
        flows.CUSTOMER_NO,
        Decimal("80.50"),
        "PENDING_CONFIRMATION",
    )


@MEMORY
def test_an_invoiced_quote_keeps_its_confirmation_and_invoice(bus: CommandBus, app: CrmApplication) -> None:
    flows.register_customer(bus)
    case_no = flows.v2(bus)
    row = register(app)[f"ZFFW-{case_no}-1"]
    moment = datetime(2001, 3, 6, 1, tzinfo=UTC)
    assert (row.status, row.confirmed_at, row.invoice_no, row.invoiced_at) == (
        "INVOICED",
        moment,
        f"ZFW-{case_no}-1",
        moment,
    )


@MEMORY
def test_a_declined_quote_is_declined(bus: CommandBus, app: CrmApplication) -> None:
    flows.register_customer(bus)
    case_no, order_no = pending_quote(bus)
    bus.dispatch(c.DeclineQuote(case_no=case_no, order_no=order_no, reason="太贵"), flows.ASSISTANT)
    assert register(app)[order_no].status == "DECLINED"


@MEMORY
def test_the_created_date_is_the_business_date(
    bus: CommandBus, app: CrmApplication, clock: FixedClock
) -> None:
    flows.register_customer(bus)
    clock.set(datetime(2001, 3, 31, 16, 30, tzinfo=UTC))  # 2001-04-01 00:30 in Asia/Shanghai
    _, order_no = pending_quote(bus)
    assert register(app)[order_no].created_on == date(2001, 4, 1)


# The list on SQLite and PostgreSQL --------------------------------------------------------------


def projected(settings: Settings, app: CrmApplication) -> AbstractContextManager[ReadModelView]:
    """The P12 view fed every event it handles, one transaction per event as the runner does."""
    return fed_view(settings, app, QuoteRegisterProjection, per_event=True)


@STORES
def test_the_confirmed_status_lists_quotes_accepted_but_not_invoiced(
    settings: Settings, bus: CommandBus, app: CrmApplication
) -> None:
    flows.register_customer(bus)
    flows.v2(bus)
    pending_quote(bus)
    order_no = confirmed_quote(bus)
    with projected(settings, app) as view:
        found = quote_register(view, QuoteRegisterFilter(status=("CONFIRMED",)), PageRequest())
    assert [row.order_no for row in found.items] == [order_no]


@STORES
def test_the_date_filters_bound_the_created_date_inclusively(
    settings: Settings, bus: CommandBus, app: CrmApplication, clock: FixedClock
) -> None:
    flows.register_customer(bus)
    orders = []
    for day in (6, 10, 20):
        clock.set(datetime(2001, 3, day, 1, tzinfo=UTC))
        orders.append(pending_quote(bus)[1])
    window = QuoteRegisterFilter(date_from=date(2001, 3, 10), date_to=date(2001, 3, 20))
    with projected(settings, app) as view:
        found = quote_register(view, window, PageRequest())
    assert [row.order_no for row in found.items] == orders[1:]


@STORES
def test_pages_walk_every_order_once_oldest_first(
    settings: Settings, bus: CommandBus, app: CrmApplication, clock: FixedClock
) -> None:
    flows.register_customer(bus)
    orders = []
    for hour in (1, 3, 2):
        clock.set(datetime(2001, 3, 6, hour, tzinfo=UTC))
        orders.append(pending_quote(bus)[1])
    with projected(settings, app) as view:
        first = quote_register(view, QuoteRegisterFilter(), PageRequest(limit=2))
        second = quote_register(view, QuoteRegisterFilter(), PageRequest(limit=2, cursor=first.next_cursor))
    walked = [row.order_no for row in first.items + second.items]
    assert (walked, second.next_cursor) == ([orders[0], orders[2], orders[1]], None)
