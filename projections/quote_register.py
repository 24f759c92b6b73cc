"""P12 quote and invoice register: one row per ZFFW service order, from quote to ZFW invoice.

Its main use is the follow-up of quotes the customer accepted but that are not
invoiced yet (status CONFIRMED). `created_on` is the business date of the quote
(`occurred_at` carries the business time zone's offset), which the date filters use.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar

import msgspec

from domain import case_events as ev
from domain.case_values import OrderStatus
from domain.errors import ValidationFailed
from projections.base import CrmProjection
from projections.tables import Order, Page, PageRequest, ReadRows, Rows, Select, Table, Where, page


class QuoteRegisterRow(msgspec.Struct, frozen=True, kw_only=True):
    """One ZFFW order (DOMAIN.md §4.7 P12; API names: `case_no` for notification_no)."""

    order_no: str
    case_no: str
    customer_no: str
    total_amount: Decimal
    currency: str
    status: str
    created_at: datetime
    created_on: date
    confirmed_at: datetime | None = None
    declined_at: datetime | None = None
    invoice_no: str | None = None
    invoiced_at: datetime | None = None


def case_no_of(event: Any) -> str:
    return str(event.originator_id).removeprefix("notification-")


class QuoteCase(msgspec.Struct, frozen=True):
    """The ship-to customer of a notification (the order events do not repeat it)."""

    case_no: str
    customer_no: str


QUOTE_REGISTER = Table(
    "rm_quote_register",
    QuoteRegisterRow,
    key=("order_no",),
    indexes=(("created_at", "order_no"), ("status", "created_at", "order_no"), ("created_on",)),
)
QUOTE_CASES = Table("rm_quote_register_cases", QuoteCase, key=("case_no",))


def quoted(event: ev.ServiceSalesOrderCreated, customer_no: str) -> QuoteRegisterRow:
    return QuoteRegisterRow(
        order_no=event.order_no,
        case_no=case_no_of(event),
        customer_no=customer_no,
        total_amount=event.total_amount,
        currency=event.currency,
        status=OrderStatus.PENDING_CONFIRMATION.value,
        created_at=event.occurred_at,
        created_on=event.occurred_at.date(),
    )


def evolve(row: QuoteRegisterRow, event: Any) -> QuoteRegisterRow:
    """The order after a confirmation, a decline or its invoice (pure)."""
    if isinstance(event, ev.QuoteConfirmedByCustomer):
        return msgspec.structs.replace(
            row, status=OrderStatus.CONFIRMED.value, confirmed_at=event.confirmed_at
        )
    if isinstance(event, ev.QuoteDeclinedByCustomer):
        return msgspec.structs.replace(row, status=OrderStatus.DECLINED.value, declined_at=event.occurred_at)
    if isinstance(event, ev.ServiceInvoiceCreated):
        return msgspec.structs.replace(
            row, status=OrderStatus.INVOICED.value, invoice_no=event.invoice_no, invoiced_at=event.occurred_at
        )
    return row


def fold(event: Any, rows: Rows) -> None:
    """Fold one event into the P12 tables (reads and writes by key only)."""
    if isinstance(event, ev.ServiceNotificationCreated):
        rows.put(QUOTE_CASES, QuoteCase(event.case_no, event.ship_to))
    elif isinstance(event, ev.ServiceSalesOrderCreated):
        case = rows.get(QUOTE_CASES, case_no_of(event))
        rows.put(QUOTE_REGISTER, quoted(event, case.customer_no if case else ""))
    else:
        row = rows.get(QUOTE_REGISTER, event.order_no)
        if row is not None:
            rows.put(QUOTE_REGISTER, evolve(row, event))


class QuoteRegisterProjection(CrmProjection):
    name = "quote_register"
    tables: ClassVar[tuple[Table[Any], ...]] = (QUOTE_REGISTER, QUOTE_CASES)
    handles = (
        ev.ServiceNotificationCreated,
        ev.ServiceSalesOrderCreated,
        ev.QuoteConfirmedByCustomer,
        ev.QuoteDeclinedByCustomer,
        ev.ServiceInvoiceCreated,
    )

    def apply(self, event: Any, rows: Rows) -> None:
        fold(event, rows)


class QuoteRegisterFilter(msgspec.Struct, frozen=True, kw_only=True):
    """Several statuses mean any of them; the dates bound the quote's business date (inclusive)."""

    status: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    customer_no: str | None = None
    case_no: str | None = None


ORDER = (Order("created_at"), Order("order_no"))
STATUSES = tuple(status.value for status in OrderStatus)


def conditions(f: QuoteRegisterFilter) -> tuple[Where, ...]:
    unknown = sorted(set(f.status) - set(STATUSES))
    if unknown:
        raise ValidationFailed.one("status", f"unknown {', '.join(unknown)}; one of {', '.join(STATUSES)}")
    where = [Where("status", "in", list(f.status))] if f.status else []
    bounds = (("created_on", ">=", f.date_from), ("created_on", "<=", f.date_to))
    where += [Where(column, op, value) for column, op, value in bounds if value is not None]  # type: ignore[arg-type]
    where += [Where(name, "=", getattr(f, name)) for name in ("customer_no", "case_no") if getattr(f, name)]
    return tuple(where)


def quote_register(
    rows: ReadRows, filters: QuoteRegisterFilter, request: PageRequest
) -> Page[QuoteRegisterRow]:
    """P12: the filtered orders, oldest quote first (then by order number)."""
    return page(rows, Select(QUOTE_REGISTER, conditions(filters), ORDER), request)
