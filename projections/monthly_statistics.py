"""P10 monthly customer statistics (月度统计分析报告): one customer's service in one calendar month.

Counters (created, closed, seconds to close, surveys, visits, invoiced amount…)
live in one row per customer and month and are only ever incremented, so a replay
adds up to the same sums; the query divides the averages out. What depends on
the day asked about (open and overdue at month end) and what may change after
the month (the reason codes of a notification's items) is computed by the query
from one `CaseSheet` per notification.

Months are calendar months of business dates: `occurred_at` already carries the
business time zone's offset, so `occurred_at.date()` is the business date.
"""

from __future__ import annotations

import calendar
import re
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, ClassVar, TypeVar

import msgspec

from domain import case_events as ev
from domain.customer import Customer
from domain.errors import ValidationFailed
from projections.base import CrmProjection
from projections.tables import ReadRows, Rows, Select, Table, Where

S = TypeVar("S", bound=msgspec.Struct)
CENT = Decimal("0.01")
MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
Counts = dict[str, Any]
"""Increments of a counter row: a number per numeric column, a {key: count} per dict column."""


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def month_bounds(month: str, field: str = "month") -> tuple[date, date]:
    """First and last day of a `YYYY-MM` month; anything else is the caller's validation error."""
    if not MONTH.fullmatch(month):
        raise ValidationFailed.one(field, "must be a month YYYY-MM")
    year, number = int(month[:4]), int(month[5:])
    return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])


def cutoff_day(last_day: date, as_of: date | None) -> date:
    """Month end, or `as_of` for a month still running (nothing is "open at month end" yet)."""
    return min(last_day, as_of) if as_of is not None else last_day


def average(total: Decimal | int, count: int, places: Decimal = CENT) -> Decimal | None:
    """total / count rounded half-up (None when there is nothing to average)."""
    return (Decimal(total) / count).quantize(places, ROUND_HALF_UP) if count else None


def seconds_between(start: datetime, end: datetime) -> Decimal:
    """Exact elapsed seconds (microseconds kept) so sums of many closures never drift."""
    span = end - start
    return Decimal(span.days * 86_400 + span.seconds) + Decimal(span.microseconds).scaleb(-6)


def average_days(seconds: Decimal, count: int) -> Decimal | None:
    """DOMAIN.md avg_days_to_close: fractional days, averaged, 2 decimals half-up."""
    return average(seconds, count * 86_400)


def add_counts(row: S, counts: Counts) -> S:
    """The counter row with `counts` added (numbers summed, {key: n} dicts merged)."""
    changes: dict[str, Any] = {}
    for name, delta in counts.items():
        current = getattr(row, name)
        if isinstance(delta, dict):
            merged = Counter(current)
            merged.update(delta)
            changes[name] = dict(sorted(merged.items()))
        else:
            changes[name] = current + delta
    return msgspec.structs.replace(row, **changes)


def case_no_of(event: Any) -> str:
    return str(event.originator_id).removeprefix("notification-")


def customer_no_of(event: Any) -> str:
    return str(event.originator_id).removeprefix("customer-")


class CaseSheet(msgspec.Struct, frozen=True, kw_only=True):
    """What the monthly reports (P10, P11) remember of one notification; each keeps its own copy."""

    case_no: str
    customer_no: str
    type: str
    category: str
    sales_office: str
    created_on: date
    created_at: datetime
    required_end: date
    closed_on: date | None = None
    escalated: bool = False
    reason_codes: dict[str, str] = msgspec.field(default_factory=dict)
    """Current items: item number → reason code (items may change until the notification closes)."""


def sheet_created(event: ev.ServiceNotificationCreated) -> CaseSheet:
    return CaseSheet(
        case_no=event.case_no,
        customer_no=event.ship_to,
        type=event.type,
        category=event.category,
        sales_office=event.sales_office,
        created_on=event.occurred_at.date(),
        created_at=event.occurred_at,
        required_end=event.required_end,
        reason_codes={str(item["item_no"]): str(item.get("reason_code", "")) for item in event.items},
    )


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _item_changed(sheet: CaseSheet, event: ev.NotificationItemChanged) -> dict[str, Any]:
    change = event.changes.get("reason_code")
    if change is None:
        return {}
    return {"reason_codes": {**sheet.reason_codes, str(event.item_no): str(change["new"])}}


def _details_updated(sheet: CaseSheet, event: ev.NotificationDetailsUpdated) -> dict[str, Any]:
    change = event.changes.get("required_end")
    return {"required_end": _as_date(change["new"])} if change else {}


SHEET_CHANGES: dict[type[Any], Callable[[CaseSheet, Any], dict[str, Any]]] = {
    ev.NotificationClosed: lambda s, e: {"closed_on": e.occurred_at.date()},
    ev.EscalatedToRegionalLogistics: lambda s, e: {"escalated": True},
    ev.NotificationDetailsUpdated: _details_updated,
    ev.NotificationItemAdded: lambda s, e: {
        "reason_codes": {**s.reason_codes, str(e.item["item_no"]): str(e.item.get("reason_code", ""))}
    },
    ev.NotificationItemChanged: _item_changed,
    ev.NotificationItemRemoved: lambda s, e: {
        "reason_codes": {k: v for k, v in s.reason_codes.items() if k != str(e.item_no)}
    },
}
SHEET_EVENTS: tuple[type[Any], ...] = (ev.ServiceNotificationCreated, *SHEET_CHANGES)


def evolve_sheet(sheet: CaseSheet, event: Any) -> CaseSheet:
    """The sheet after one (non-creation) notification event."""
    change = SHEET_CHANGES.get(type(event))
    return msgspec.structs.replace(sheet, **change(sheet, event)) if change else sheet


def fold_sheet(table: Table[CaseSheet], event: Any, rows: Rows) -> CaseSheet | None:
    """Keep `table` up to date; returns the sheet as it was BEFORE the event (None if unknown)."""
    if isinstance(event, ev.ServiceNotificationCreated):
        rows.put(table, sheet_created(event))
        return None
    before = rows.get(table, case_no_of(event))
    if before is not None and type(event) in SHEET_CHANGES:
        rows.put(table, evolve_sheet(before, event))
    return before


def open_sheets(
    rows: ReadRows, table: Table[CaseSheet], day: date, where: Iterable[Where]
) -> list[CaseSheet]:
    """Notifications created on or before `day` and not closed by its end."""
    created = (*where, Where("created_on", "<=", day))
    never_closed = rows.select(Select(table, (*created, Where("closed_on", "is null"))))
    closed_later = rows.select(Select(table, (*created, Where("closed_on", ">", day))))
    return never_closed + closed_later


class MonthlyCustomerCell(msgspec.Struct, frozen=True, kw_only=True):
    """Counters of one customer in one month (sums and counts only)."""

    customer_no: str
    month: str
    created_z1: int = 0
    created_z2: int = 0
    closed: int = 0
    close_seconds: Decimal = Decimal(0)
    complaints: int = 0
    escalations_to_hq: int = 0
    surveys: int = 0
    score_sum: int = 0
    customer_surveys: int = 0
    customer_score_sum: int = 0
    return_visits: int = 0
    invoiced_amount: Decimal = Decimal("0.00")


MONTHLY_CELLS = Table("rm_monthly_statistics", MonthlyCustomerCell, key=("customer_no", "month"))
MONTHLY_CASES = Table(
    "rm_monthly_statistics_cases", CaseSheet, key=("case_no",), indexes=(("customer_no", "created_on"),)
)
Bump = tuple[str, date, Counts]
"""(customer_no, business date, increments) for the month of that date."""


def _created(event: ev.ServiceNotificationCreated) -> Counts:
    counts: Counts = {"created_z2" if event.type == "Z2" else "created_z1": 1}
    return counts | ({"complaints": 1} if event.category == "COMPLAINT" else {})


def bumps(sheet: CaseSheet | None, event: Any) -> list[Bump]:
    """The counters one event moves, given the notification's sheet before it (pure)."""
    if isinstance(event, ev.ServiceNotificationCreated):
        return [(event.ship_to, event.occurred_at.date(), _created(event))]
    if isinstance(event, Customer.ReturnVisitCompleted):
        return [(customer_no_of(event), event.at.date(), {"return_visits": 1})]
    if isinstance(event, Customer.CustomerSurveyRecorded):
        counts = {"customer_surveys": 1, "customer_score_sum": event.score}
        return [(customer_no_of(event), event.at.date(), counts)]
    return _case_bumps(sheet, event) if sheet is not None else []


def _case_bumps(sheet: CaseSheet, event: Any) -> list[Bump]:
    day = event.occurred_at.date()
    if isinstance(event, ev.NotificationClosed):
        counts = {"closed": 1, "close_seconds": seconds_between(sheet.created_at, event.occurred_at)}
        return [(sheet.customer_no, day, counts)]
    if isinstance(event, ev.EscalatedToRegionalLogistics) and sheet.type == "Z1":
        return [(sheet.customer_no, day, {"escalations_to_hq": 1})]
    if isinstance(event, ev.ServiceInvoiceCreated):
        return [(sheet.customer_no, day, {"invoiced_amount": event.amount})]
    if isinstance(event, ev.SatisfactionSurveyRecorded):
        return [(sheet.customer_no, event.surveyed_at.date(), {"surveys": 1, "score_sum": event.score})]
    return []


def fold(event: Any, rows: Rows) -> None:
    """Fold one event into the P10 tables (reads and writes by key only)."""
    sheet = fold_sheet(MONTHLY_CASES, event, rows) if isinstance(event, ev.CaseEvent) else None
    for customer_no, day, counts in bumps(sheet, event):
        key = (customer_no, month_of(day))
        cell = rows.get(MONTHLY_CELLS, *key) or MonthlyCustomerCell(customer_no=key[0], month=key[1])
        rows.put(MONTHLY_CELLS, add_counts(cell, counts))


class MonthlyStatisticsProjection(CrmProjection):
    name = "monthly_statistics"
    tables: ClassVar[tuple[Table[Any], ...]] = (MONTHLY_CELLS, MONTHLY_CASES)
    handles = (
        *SHEET_EVENTS,
        ev.ServiceInvoiceCreated,
        ev.SatisfactionSurveyRecorded,
        Customer.ReturnVisitCompleted,
        Customer.CustomerSurveyRecorded,
    )

    def apply(self, event: Any, rows: Rows) -> None:
        fold(event, rows)


class MonthlyStatistics(msgspec.Struct, frozen=True, kw_only=True):
    """The monthly report of one customer (DOMAIN.md §4.7 P10), ready to send as JSON or CSV.

    `surveys_count`/`avg_score` are the notifications' satisfaction surveys;
    the customer-level surveys (quality cards…) are reported beside them.
    `escalations_to_hq` counts Z1 escalations (the ZGPZ path through regional
    logistics to HQ; a Z2 goes to regional logistics only). `by_reason_code`
    counts the items, per reason code, of the notifications created in the month.
    """

    customer_no: str
    month: str
    notifications_created_z1: int
    notifications_created_z2: int
    notifications_closed: int
    avg_days_to_close: Decimal | None
    overdue_open_at_month_end: int
    complaints_count: int
    by_reason_code: dict[str, int]
    escalations_to_hq: int
    surveys_count: int
    avg_score: Decimal | None
    customer_surveys_count: int
    customer_avg_score: Decimal | None
    return_visits_count: int
    invoiced_amount: Decimal


def reason_counts(sheets: Iterable[CaseSheet]) -> dict[str, int]:
    """Items per reason code over the given notifications (items without a code are left out)."""
    counts = Counter(code for sheet in sheets for code in sheet.reason_codes.values() if code)
    return dict(sorted(counts.items()))


def report(cell: MonthlyCustomerCell, by_reason_code: dict[str, int], overdue: int) -> MonthlyStatistics:
    return MonthlyStatistics(
        customer_no=cell.customer_no,
        month=cell.month,
        notifications_created_z1=cell.created_z1,
        notifications_created_z2=cell.created_z2,
        notifications_closed=cell.closed,
        avg_days_to_close=average_days(cell.close_seconds, cell.closed),
        overdue_open_at_month_end=overdue,
        complaints_count=cell.complaints,
        by_reason_code=by_reason_code,
        escalations_to_hq=cell.escalations_to_hq,
        surveys_count=cell.surveys,
        avg_score=average(cell.score_sum, cell.surveys),
        customer_surveys_count=cell.customer_surveys,
        customer_avg_score=average(cell.customer_score_sum, cell.customer_surveys),
        return_visits_count=cell.return_visits,
        invoiced_amount=cell.invoiced_amount,
    )


def monthly_statistics(
    rows: ReadRows, customer_no: str, month: str, as_of: date | None = None
) -> MonthlyStatistics:
    """P10 for one customer and month; `as_of` (if before month end) is the cut-off of the running month.

    Overdue at month end: open at the cut-off day and `required_end` before it
    (P1's rule with as_of = that day), using the notification's latest required_end.
    """
    first, last = month_bounds(month)
    cutoff = cutoff_day(last, as_of)
    customer = Where("customer_no", "=", customer_no)
    found = rows.select(Select(MONTHLY_CELLS, (customer, Where("month", "=", month))))
    cell = found[0] if found else MonthlyCustomerCell(customer_no=customer_no, month=month)
    created = (customer, Where("created_on", ">=", first), Where("created_on", "<=", last))
    reasons = reason_counts(rows.select(Select(MONTHLY_CASES, created)))
    overdue = sum(1 for s in open_sheets(rows, MONTHLY_CASES, cutoff, (customer,)) if s.required_end < cutoff)
    return report(cell, reasons, overdue)
