"""Status timeline of a notification (DOMAIN.md §4.7 P6): how long it sat in each status, set by whom.

Read from the audit trail's rows of the stream, in version order. Intervals
follow the order the statuses were set (versions), using the business time
`occurred_at`; a back-dated entry can therefore make an interval negative, and
the timeline shows that as it is rather than hiding it. The current status has
no `left_at`; its duration runs to `as_of` when one is given.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

import msgspec

from domain.case import Case
from projections.audit_rows import EVENTS, SYSTEM_STATUS_EVENTS, AuditRow
from projections.tables import Order, ReadRows, Select, Where


class StatusInterval(msgspec.Struct, frozen=True, kw_only=True):
    """One stay in a status: entered at `entered_at` by `set_by`, left at `left_at` (None: still there)."""

    status: str
    entered_at: datetime
    left_at: datetime | None
    duration_seconds: int | None
    set_by: str
    set_by_role: str
    version: int


class Timeline(msgspec.Struct, frozen=True, kw_only=True):
    case_no: str
    user_status: list[StatusInterval]
    system_status: list[StatusInterval]


class Mark(NamedTuple):
    """A status being set: by which event (version), when, by whom."""

    status: str
    at: datetime
    actor_id: str
    actor_role: str
    version: int


def _mark(row: AuditRow, status: str) -> Mark:
    return Mark(status, row.occurred_at, row.actor_id, row.actor_role, row.version)


def _marks(history: Sequence[AuditRow]) -> tuple[list[Mark], list[Mark]]:
    """(user-status marks, system-status marks) of one stream's rows."""
    user: list[Mark] = []
    system: list[Mark] = []
    for row in history:
        if row.type == "ServiceNotificationCreated":
            user.append(_mark(row, row.data["user_status"]))
            system.append(_mark(row, row.data["system_status"]))
        elif row.to_status is not None:
            (system if row.type in SYSTEM_STATUS_EVENTS else user).append(_mark(row, row.to_status))
    return user, system


def intervals(marks: Sequence[Mark], as_of: datetime | None = None) -> list[StatusInterval]:
    """Consecutive marks as intervals; setting the status it already has starts no new one."""
    changes = [m for i, m in enumerate(marks) if i == 0 or m.status != marks[i - 1].status]
    lefts = [m.at for m in changes[1:]] + [None]
    return [_interval(mark, left, as_of) for mark, left in zip(changes, lefts, strict=True)]


def _interval(mark: Mark, left: datetime | None, as_of: datetime | None) -> StatusInterval:
    end = left or as_of
    return StatusInterval(
        status=mark.status,
        entered_at=mark.at,
        left_at=left,
        duration_seconds=None if end is None else int((end - mark.at).total_seconds()),
        set_by=mark.actor_id,
        set_by_role=mark.actor_role,
        version=mark.version,
    )


def status_timeline(case_no: str, history: Sequence[AuditRow], as_of: datetime | None = None) -> Timeline:
    """The user- and system-status intervals of one notification from its rows (version order)."""
    user, system = _marks(history)
    return Timeline(
        case_no=case_no, user_status=intervals(user, as_of), system_status=intervals(system, as_of)
    )


def timeline(rows: ReadRows, case_no: str, as_of: datetime | None = None) -> Timeline | None:
    """The notification's status timeline, or None when the audit trail has no such notification."""
    query = Select(EVENTS, (Where("stream", "=", Case.stream_id(case_no)),), (Order("version"),))
    history = rows.select(query)
    return status_timeline(case_no, history, as_of) if history else None
