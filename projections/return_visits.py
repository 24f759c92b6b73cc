"""The return-visit (回访) rules of DOMAIN.md §4.7 P8: what a customer is owed, for a given day.

Pure functions of the stored customer facts and a date, shared by the contact
queue (P8) and the profile's "next return visit" (P7). Nothing is stored: a
window or a due date is computed for the `as_of` asked about.

Readings this module takes:
* NEW_CUSTOMER_FIRST_VISIT: due registered_on + 10 days, shown from
  registration, satisfied by any visit on or after registered_on.
* PROJECT_MONTHLY window k = 1..12 is [delivered_on + (k−1) months,
  delivered_on + k months), due at its end; then PROJECT_QUARTERLY windows of
  3 months from delivered_on + 12 months, for as long as the project exists.
  Months are added to delivered_on itself and clamped to the month's end
  (Jan 31 + 1 month = Feb 28/29, + 2 months = Mar 31). A visit inside a window
  satisfies it when it is untagged or tagged with that project; a visit tagged
  with another project does not. Windows are half-open, so one visit satisfies
  one window of a project. Every window started by as_of and unsatisfied is owed.
* TWO_WEEK_FOLLOW_UP: the last effective contact was ≥ 14 days before as_of and
  no visit was recorded at or after it; due contact date + 14.
* POST_COMPLAINT: per closed complaint notification (Z2, or Z1 of category
  COMPLAINT) with no visit at or after its closure; due closed date + 7.
Every recorded visit counts whatever `as_of` is: `as_of` only sets "today".
"""

from __future__ import annotations

from calendar import monthrange
from datetime import date, timedelta
from enum import StrEnum

import msgspec

from projections.customer_facts import CustomerCase, CustomerFacts, Project

NEW_CUSTOMER_DAYS = 10  # "新客户10天之内必须做第一次回访"
FOLLOW_UP_DAYS = 14  # "每天回访5名2周前沟通过的客户"
POST_COMPLAINT_DAYS = 7  # no source value: a default of DOMAIN.md
MONTHLY_WINDOWS = 12  # monthly during the first year, then quarterly
QUARTER_MONTHS = 3


class Reason(StrEnum):
    NEW_CUSTOMER_FIRST_VISIT = "NEW_CUSTOMER_FIRST_VISIT"
    PROJECT_MONTHLY = "PROJECT_MONTHLY"
    PROJECT_QUARTERLY = "PROJECT_QUARTERLY"
    TWO_WEEK_FOLLOW_UP = "TWO_WEEK_FOLLOW_UP"
    POST_COMPLAINT = "POST_COMPLAINT"


class Status(StrEnum):
    DUE = "DUE"
    OVERDUE = "OVERDUE"


def add_months(day: date, months: int) -> date:
    """`day` moved by whole months, clamped to the end of a shorter month."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))


class Window(msgspec.Struct, frozen=True):
    """One return-visit window [start, end) of a delivered project; due at its end."""

    reason: Reason
    label: str  # M1..M12, then Q1, Q2, …
    number: int  # 1.. over both kinds, for a stable order
    start: date
    end: date


def project_window(delivered_on: date, number: int) -> Window:
    """Window `number` of a project: 1..12 are monthly, 13 on quarterly."""
    if number <= MONTHLY_WINDOWS:
        reason, label, offset, months = Reason.PROJECT_MONTHLY, f"M{number}", number - 1, 1
    else:
        q = number - MONTHLY_WINDOWS
        reason, label, months = Reason.PROJECT_QUARTERLY, f"Q{q}", QUARTER_MONTHS
        offset = MONTHLY_WINDOWS + QUARTER_MONTHS * (q - 1)
    start, end = add_months(delivered_on, offset), add_months(delivered_on, offset + months)
    return Window(reason, label, number, start, end)


def windows_until(delivered_on: date, as_of: date) -> list[Window]:
    """The windows started by `as_of`, and the next one to come."""
    found = [project_window(delivered_on, 1)]
    while found[-1].start <= as_of:
        found.append(project_window(delivered_on, len(found) + 1))
    return found


class Due(msgspec.Struct, frozen=True, kw_only=True):
    """One return visit owed by a customer, shown from `visible_from` on."""

    customer_no: str
    reason: Reason
    due_date: date
    visible_from: date
    ref: str = ""  # tells rows of one customer and reason apart (project window, case)
    window: str | None = None
    window_start: date | None = None
    project_id: str | None = None
    case_no: str | None = None


def window_due(facts: CustomerFacts, project: Project, w: Window) -> Due:
    return Due(
        customer_no=facts.customer_no,
        reason=w.reason,
        due_date=w.end,
        visible_from=w.start,
        ref=f"{project.project_id}/{w.number:04d}",
        window=w.label,
        window_start=w.start,
        project_id=project.project_id,
    )


def project_dues(facts: CustomerFacts, as_of: date) -> list[Due]:
    return [
        window_due(facts, project, w)
        for project in facts.projects
        for w in windows_until(project.delivered_on, as_of)
        if not any(
            w.start <= visit.on < w.end and visit.project_id in (None, project.project_id)
            for visit in facts.visits
        )
    ]


def new_customer_due(facts: CustomerFacts) -> list[Due]:
    if any(visit.on >= facts.registered_on for visit in facts.visits):
        return []
    due = facts.registered_on + timedelta(days=NEW_CUSTOMER_DAYS)
    reason = Reason.NEW_CUSTOMER_FIRST_VISIT
    return [Due(customer_no=facts.customer_no, reason=reason, due_date=due, visible_from=facts.registered_on)]


def follow_up_due(facts: CustomerFacts) -> list[Due]:
    contact, visit = facts.last_effective_contact_at, facts.last_return_visit_at
    if contact is None or facts.last_effective_contact_on is None or (visit is not None and visit >= contact):
        return []
    due = facts.last_effective_contact_on + timedelta(days=FOLLOW_UP_DAYS)
    return [
        Due(customer_no=facts.customer_no, reason=Reason.TWO_WEEK_FOLLOW_UP, due_date=due, visible_from=due)
    ]


def complaint_dues(facts: CustomerFacts, cases: list[CustomerCase]) -> list[Due]:
    visit = facts.last_return_visit_at
    return [
        Due(
            customer_no=facts.customer_no,
            reason=Reason.POST_COMPLAINT,
            due_date=case.closed_on + timedelta(days=POST_COMPLAINT_DAYS),
            visible_from=case.closed_on,
            ref=case.case_no,
            case_no=case.case_no,
        )
        for case in cases
        if case.complaint and case.closed_at is not None and case.closed_on is not None
        if visit is None or visit < case.closed_at
    ]


def obligations(facts: CustomerFacts, cases: list[CustomerCase], as_of: date) -> list[Due]:
    """Every unsatisfied return visit of one customer, including the next project window to come."""
    return [
        *new_customer_due(facts),
        *project_dues(facts, as_of),
        *follow_up_due(facts),
        *complaint_dues(facts, cases),
    ]


def due_on(facts: CustomerFacts, cases: list[CustomerCase], as_of: date) -> list[Due]:
    """The customer's rows in the queue on `as_of` (before the daily follow-up cap)."""
    return [due for due in obligations(facts, cases, as_of) if due.visible_from <= as_of]


def next_due(facts: CustomerFacts, cases: list[CustomerCase], as_of: date) -> Due | None:
    """The earliest return visit owed, shown or still to come (the profile's "next return visit")."""
    return min(obligations(facts, cases, as_of), key=lambda d: (d.due_date, d.reason, d.ref), default=None)


def status(due_date: date, as_of: date) -> Status:
    return Status.OVERDUE if as_of > due_date else Status.DUE
