"""P8 contact queue (回访): the return visits due on the day asked about, ordered and capped.

Only facts are stored (see `customer_facts`); the rules of `return_visits`
compute windows, due dates and statuses for `as_of` at query time, so the queue
is right on any day without a timer rewriting rows. The order is OVERDUE first,
then due date, tier priority (BIG_CUSTOMER, HIGH_END, MID_END before the rest),
customer, reason, and the project window or case.

TWO_WEEK_FOLLOW_UP rows are a daily list of at most 5 per account manager
(customers without one share one pool): the first 5 in queue order, chosen
before the `reason` filter, so a filter never changes who makes the day's list.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

import msgspec

from projections.base import CrmProjection
from projections.customer_facts import (
    CASE_EVENTS,
    CUSTOMER_EVENTS,
    CustomerCase,
    CustomerFacts,
    fold_case_event,
    fold_customer_event,
)
from projections.return_visits import Due, Reason, Status, due_on, status
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

FOLLOW_UPS_PER_MANAGER = 5  # "每天回访5名2周前沟通过的客户"


class ContactQueueItem(msgspec.Struct, frozen=True, kw_only=True):
    """A contact-queue row (DOMAIN.md §4.7 P8 columns, plus the project or case a row is about).

    For a project row, `window` is its label (M1..M12, Q1, …), `window_start` its
    first day and `due_date` its end (the first day after it).
    """

    customer_no: str
    name: str
    tier: str
    account_manager: str | None
    due_reason: str
    window: str | None
    window_start: date | None
    project_id: str | None
    case_no: str | None
    due_date: date
    status: str
    days_overdue: int
    last_contact_at: datetime | None
    last_contact_channel: str | None
    preferred_channel: str | None


Key = tuple[int, str, int, str, str, str]
KEY_TYPES = (int, str, int, str, str, str)


def sort_key(due: Due, facts: CustomerFacts, as_of: date) -> Key:
    """OVERDUE first, due date, tier priority, customer, reason, window or case (JSON-safe for cursors)."""
    overdue = 0 if status(due.due_date, as_of) is Status.OVERDUE else 1
    return (overdue, due.due_date.isoformat(), facts.tier_rank, facts.customer_no, due.reason.value, due.ref)


def queue_item(due: Due, facts: CustomerFacts, as_of: date) -> ContactQueueItem:
    shown = {
        name: getattr(due, name) for name in ("window", "window_start", "project_id", "case_no", "due_date")
    }
    return ContactQueueItem(
        **shown,
        customer_no=facts.customer_no,
        name=facts.name,
        tier=facts.tier,
        account_manager=facts.account_manager,
        due_reason=due.reason.value,
        status=status(due.due_date, as_of).value,
        days_overdue=max(0, (as_of - due.due_date).days),
        last_contact_at=facts.last_contact_at,
        last_contact_channel=facts.last_contact_channel,
        preferred_channel=facts.preferred_channel,
    )


Entry = tuple[Key, Due, CustomerFacts]


def capped(entries: list[Entry]) -> list[Entry]:
    """At most FOLLOW_UPS_PER_MANAGER follow-up rows per account manager, the first ones in queue order."""
    taken: dict[str | None, int] = {}
    kept = []
    for entry in entries:
        _, due, facts = entry
        if due.reason is Reason.TWO_WEEK_FOLLOW_UP:
            taken[facts.account_manager] = taken.get(facts.account_manager, 0) + 1
            if taken[facts.account_manager] > FOLLOW_UPS_PER_MANAGER:
                continue
        kept.append(entry)
    return kept


def queue_entries(customers: list[CustomerFacts], cases: list[CustomerCase], as_of: date) -> list[Entry]:
    """The whole day's queue, ordered and capped (pure: the unit tests fold facts and call this)."""
    by_customer: dict[str, list[CustomerCase]] = {}
    for case in cases:
        by_customer.setdefault(case.customer_no, []).append(case)
    entries = [
        (sort_key(due, facts, as_of), due, facts)
        for facts in customers
        for due in due_on(facts, by_customer.get(facts.customer_no, []), as_of)
    ]
    return capped(sorted(entries, key=lambda entry: entry[0]))


CONTACT_QUEUE = Table(
    "rm_contact_queue", CustomerFacts, key=("customer_no",), indexes=(("account_manager",),)
)
CONTACT_QUEUE_CASES = Table(
    "rm_contact_queue_cases", CustomerCase, key=("case_no",), indexes=(("complaint", "closed_on"),)
)


class ContactQueueProjection(CrmProjection):
    name = "contact_queue"
    tables: ClassVar[tuple[Table[Any], ...]] = (CONTACT_QUEUE, CONTACT_QUEUE_CASES)
    handles = tuple(dict.fromkeys(CUSTOMER_EVENTS + CASE_EVENTS))

    def apply(self, event: Any, rows: Rows) -> None:
        if event.originator_id.startswith("notification-"):
            fold_case_event(CONTACT_QUEUE_CASES, event, rows)
        if type(event) in CUSTOMER_EVENTS:
            fold_customer_event(CONTACT_QUEUE, event, rows)


def contact_queue(
    rows: ReadRows,
    as_of: date,
    request: PageRequest | None = None,
    account_manager: str | None = None,
    reason: str | None = None,
) -> Page[ContactQueueItem]:
    """The return visits due on `as_of`, optionally of one account manager or for one reason."""
    where = () if account_manager is None else (Where("account_manager", "=", account_manager),)
    customers = rows.select(Select(CONTACT_QUEUE, where))
    closed = (Where("complaint", "=", True), Where("closed_on", "is not null"))
    entries = queue_entries(customers, rows.select(Select(CONTACT_QUEUE_CASES, closed)), as_of)
    shown = [entry for entry in entries if reason is None or entry[1].reason == reason]
    return page_of(shown, as_of, request or PageRequest())


def page_of(entries: list[Entry], as_of: date, request: PageRequest) -> Page[ContactQueueItem]:
    """Keyset pagination over computed rows: the cursor is the last row's sort key."""
    if request.cursor:
        after = decode_cursor(request.cursor, len(KEY_TYPES))
        if tuple(type(value) for value in after) != KEY_TYPES:
            raise BadCursor("cursor does not fit this list")
        entries = [entry for entry in entries if entry[0] > after]
    items = entries[: request.limit]
    more = len(entries) > request.limit
    cursor = encode_cursor(items[-1][0]) if more and items else None
    return Page([queue_item(due, facts, as_of) for _, due, facts in items], cursor)
