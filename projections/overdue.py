"""P4 overdue / SLA list: one row per (notification, reason) that is late on the day asked about.

Whether a notification is late depends on `as_of` (a calendar date in the
business time zone), so nothing late is stored: the projection keeps the queue
facts, and the query narrows them in SQL, derives the rows with the pure
`overdue_rows` and sorts by the computed `days_overdue` (hence paging in Python).
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

import msgspec

from projections.base import CrmProjection
from projections.case_facts import CASE_EVENTS, CaseFacts, fold_case_event
from projections.tables import (
    BadCursor,
    Page,
    PageRequest,
    ReadRows,
    Rows,
    Select,
    Table,
    Where,
    decode_cursor,
    encode_cursor,
)

OVERDUE_END = "OVERDUE_END"
SURVEY_NOT_STARTED = "SURVEY_NOT_STARTED"
URGENT_NOT_DISPATCHED = "URGENT_NOT_DISPATCHED"


class OverdueRow(msgspec.Struct, frozen=True, kw_only=True):
    """One late notification for one reason (DOMAIN.md §4.7 P4 columns)."""

    case_no: str
    type: str
    reason: str
    responsible_person: str
    main_work_center: str
    sales_office: str
    required_start: date
    required_end: date
    days_overdue: int
    user_status: str
    pending_action: str


OVERDUE_FACTS = Table(
    "rm_overdue_facts",
    CaseFacts,
    key=("case_no",),
    indexes=(
        ("system_status", "required_end"),
        ("type", "user_status", "required_start"),
        ("urgency", "urgent_dispatched"),
    ),
)


class OverdueProjection(CrmProjection):
    name = "overdue"
    tables: ClassVar[tuple[Table[Any], ...]] = (OVERDUE_FACTS,)
    handles = CASE_EVENTS  # no customer names: the list does not show them

    def apply(self, event: Any, rows: Rows) -> None:
        fold_case_event(OVERDUE_FACTS, None, event, rows)


def late_since(facts: CaseFacts, as_of: date) -> dict[str, date]:
    """Each reason this notification is late on `as_of`, with the day its lateness counts from."""
    if facts.system_status == "COMPLETED":
        return {}
    reasons: dict[str, date] = {}
    if as_of > facts.required_end:
        reasons[OVERDUE_END] = facts.required_end
    if facts.type == "Z1" and facts.user_status == "TZJL" and as_of > facts.required_start:
        reasons[SURVEY_NOT_STARTED] = facts.required_start
    if facts.urgency == "URGENT" and not facts.urgent_dispatched and as_of >= facts.notification_date:
        reasons[URGENT_NOT_DISPATCHED] = facts.notification_date  # same day: 0 days overdue
    return reasons


def overdue_rows(facts: CaseFacts, as_of: date) -> list[OverdueRow]:
    """The notification's rows on `as_of`: days_overdue = as_of − the day each reason counts from."""
    return [
        OverdueRow(
            case_no=facts.case_no,
            type=facts.type,
            reason=reason,
            responsible_person=facts.responsible_person,
            main_work_center=facts.main_work_center,
            sales_office=facts.sales_office,
            required_start=facts.required_start,
            required_end=facts.required_end,
            days_overdue=(as_of - since).days,
            user_status=facts.user_status,
            pending_action=facts.pending_action,
        )
        for reason, since in late_since(facts, as_of).items()
    ]


def candidates(as_of: date) -> tuple[tuple[Where, ...], ...]:
    """One SQL narrowing per reason; `late_since` stays the single judge of what is late."""
    open_ = Where("system_status", "!=", "COMPLETED")
    return (
        (open_, Where("required_end", "<", as_of)),
        (
            open_,
            Where("type", "=", "Z1"),
            Where("user_status", "=", "TZJL"),
            Where("required_start", "<", as_of),
        ),
        (open_, Where("urgency", "=", "URGENT"), Where("urgent_dispatched", "=", False)),
    )


def sort_key(row: OverdueRow) -> tuple[int, str, str]:
    """days_overdue desc, then case_no asc, then reason asc."""
    return (-row.days_overdue, row.case_no, row.reason)


def cursor_key(cursor: str) -> tuple[int, str, str]:
    """The sort key of the last row of the previous page (what `overdue_list` handed out)."""
    days, case_no, reason = decode_cursor(cursor, 3)
    if not isinstance(days, int) or not isinstance(case_no, str) or not isinstance(reason, str):
        raise BadCursor("cursor does not fit this list")
    return (-days, case_no, reason)


def overdue_list(rows: ReadRows, as_of: date, request: PageRequest) -> Page[OverdueRow]:
    """The late notifications on `as_of`, most overdue first, one page after the request's cursor."""
    found: dict[str, CaseFacts] = {}
    for where in candidates(as_of):
        found |= {facts.case_no: facts for facts in rows.select(Select(OVERDUE_FACTS, where))}
    ordered = sorted((row for facts in found.values() for row in overdue_rows(facts, as_of)), key=sort_key)
    if request.cursor:
        after = cursor_key(request.cursor)
        ordered = [row for row in ordered if sort_key(row) > after]
    items = ordered[: request.limit]
    more = len(ordered) > request.limit
    last = items[-1] if more and items else None
    cursor = encode_cursor([last.days_overdue, last.case_no, last.reason]) if last else None
    return Page(items, cursor)
