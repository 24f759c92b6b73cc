"""P11 complaint statistics (投诉统计报表): complaints per month and sales office.

A complaint is a notification of category COMPLAINT: every Z2 (delivery
exception before full payment) and the Z1 complaints. Counters live in one row
per month and sales office; "open at month end" depends on the day asked about,
so the query counts it from one `CaseSheet` per complaint.

GeneralCase (DOMAIN.md §4.4) is Phase 2 and not built: its complaints are not in
`received`, and `company_fault_count` / `not_company_fault_count` (which come
from its FaultAttributed events) are reported as 0 until it exists.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

import msgspec

from domain import case_events as ev
from domain.case_values import ComplaintKind
from projections.base import CrmProjection
from projections.monthly_statistics import (
    SHEET_EVENTS,
    CaseSheet,
    Counts,
    add_counts,
    average_days,
    case_no_of,
    cutoff_day,
    evolve_sheet,
    month_bounds,
    month_of,
    open_sheets,
    seconds_between,
    sheet_created,
)
from projections.tables import ReadRows, Rows, Select, Table, Where

COMPLAINT = "COMPLAINT"


class ComplaintCell(msgspec.Struct, frozen=True, kw_only=True):
    """Counters of one sales office in one month (sums and counts only)."""

    month: str
    sales_office: str
    received: int = 0
    closed: int = 0
    close_seconds: Decimal = Decimal(0)
    escalated: int = 0
    by_complaint_kind: dict[str, int] = msgspec.field(default_factory=dict)


COMPLAINT_CELLS = Table("rm_complaint_statistics", ComplaintCell, key=("month", "sales_office"))
COMPLAINT_CASES = Table(
    "rm_complaint_statistics_cases",
    CaseSheet,
    key=("case_no",),
    indexes=(("sales_office", "created_on"), ("created_on",)),
)


def counts_for(sheet: CaseSheet, event: Any) -> tuple[date, Counts] | None:
    """The counters one event on a complaint moves, given its sheet before the event (pure).

    `escalated` counts complaints at their first escalation to regional
    logistics, so a re-escalation is not a second complaint escalated.
    """
    day = event.occurred_at.date()
    if isinstance(event, ev.ServiceNotificationCreated):
        return day, {"received": 1}
    if isinstance(event, ev.NotificationClosed):
        return day, {"closed": 1, "close_seconds": seconds_between(sheet.created_at, event.occurred_at)}
    if isinstance(event, ev.EscalatedToRegionalLogistics) and not sheet.escalated:
        return day, {"escalated": 1}
    if isinstance(event, ev.ComplaintFormFiled):
        return day, {"by_complaint_kind": {event.complaint_kind: 1}}
    return None


def fold(event: Any, rows: Rows) -> None:
    """Fold one event into the P11 tables; notifications that are not complaints are ignored."""
    if isinstance(event, ev.ServiceNotificationCreated):
        sheet: CaseSheet | None = sheet_created(event) if event.category == COMPLAINT else None
    else:
        sheet = rows.get(COMPLAINT_CASES, case_no_of(event))
    if sheet is None:
        return
    moved = counts_for(sheet, event)
    if moved is not None:
        key = (month_of(moved[0]), sheet.sales_office)
        cell = rows.get(COMPLAINT_CELLS, *key) or ComplaintCell(month=key[0], sales_office=key[1])
        rows.put(COMPLAINT_CELLS, add_counts(cell, moved[1]))
    created = isinstance(event, ev.ServiceNotificationCreated)
    rows.put(COMPLAINT_CASES, sheet if created else evolve_sheet(sheet, event))


class ComplaintStatisticsProjection(CrmProjection):
    name = "complaint_statistics"
    tables: ClassVar[tuple[Table[Any], ...]] = (COMPLAINT_CELLS, COMPLAINT_CASES)
    handles = (*SHEET_EVENTS, ev.ComplaintFormFiled)

    def apply(self, event: Any, rows: Rows) -> None:
        fold(event, rows)


class ComplaintStatisticsRow(msgspec.Struct, frozen=True, kw_only=True):
    """One sales office in one month (DOMAIN.md §4.7 P11)."""

    month: str
    sales_office: str
    received: int
    closed: int
    open_at_month_end: int
    escalated_to_regional_logistics: int
    avg_resolution_days: Decimal | None
    by_complaint_kind: dict[str, int]
    company_fault_count: int = 0
    """GeneralCase fault attribution is Phase 2: always 0 for now."""
    not_company_fault_count: int = 0
    """GeneralCase fault attribution is Phase 2: always 0 for now."""


def statistics_row(cell: ComplaintCell, open_at_month_end: int) -> ComplaintStatisticsRow:
    kinds = {kind.value: cell.by_complaint_kind.get(kind.value, 0) for kind in ComplaintKind}
    return ComplaintStatisticsRow(
        month=cell.month,
        sales_office=cell.sales_office,
        received=cell.received,
        closed=cell.closed,
        open_at_month_end=open_at_month_end,
        escalated_to_regional_logistics=cell.escalated,
        avg_resolution_days=average_days(cell.close_seconds, cell.closed),
        by_complaint_kind=kinds | cell.by_complaint_kind,
    )


def complaint_statistics(
    rows: ReadRows, month: str, sales_office: str | None = None, as_of: date | None = None
) -> list[ComplaintStatisticsRow]:
    """P11 for one month: one row per sales office (only `sales_office` when given), by office.

    Offices appear when they had complaint activity in the month or complaints
    still open at its end; `as_of` before month end cuts a running month off there.
    """
    _, last = month_bounds(month)
    office = (Where("sales_office", "=", sales_office),) if sales_office is not None else ()
    cells = {
        c.sales_office: c for c in rows.select(Select(COMPLAINT_CELLS, (Where("month", "=", month), *office)))
    }
    still_open = Counter(
        s.sales_office for s in open_sheets(rows, COMPLAINT_CASES, cutoff_day(last, as_of), office)
    )
    offices = sorted(set(cells) | set(still_open) | ({sales_office} if sales_office is not None else set()))
    return [
        statistics_row(cells.get(o) or ComplaintCell(month=month, sales_office=o), still_open[o])
        for o in offices
    ]
