"""State "as of" for auditors (DOMAIN.md §4.7 P6): a notification replayed from its events alone.

A pure replay of the stream — no snapshot, no read model — so the answer
depends on nothing but the stored events. "As of an instant" replays the
longest run of versions whose business time `occurred_at` is at or before it:
a back-dated event was decided against the state of every version before it,
so replay stops at the first later event rather than skipping over it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from application.app import CrmApplication
from domain.case import Case
from domain.errors import CaseNotFound


def case_as_of(
    app: CrmApplication, case_no: str, at_version: int | None = None, as_of_time: datetime | None = None
) -> Case:
    """The notification at `at_version` and/or `as_of_time` (both: the earlier of the two)."""
    if at_version is not None and at_version < 1:
        raise CaseNotFound(f"notification {case_no} has no version {at_version}")
    events = app.events.get(Case.stream_id(case_no), lte=at_version)
    case = replay(until(events, as_of_time))
    if not isinstance(case, Case):
        raise CaseNotFound(f"notification {case_no} not found as of the given version or time")
    return case


def until(events: Iterable[Any], as_of_time: datetime | None) -> Iterable[Any]:
    """The events up to the first one that happened after `as_of_time` (a naive time is UTC)."""
    if as_of_time is None:
        yield from events
        return
    limit = as_of_time if as_of_time.tzinfo else as_of_time.replace(tzinfo=UTC)
    for event in events:
        if event.occurred_at > limit:
            return
        yield event


def replay(events: Iterable[Any]) -> Any:
    """Fold events into an aggregate with the library's own `mutate` (None when there are none)."""
    aggregate = None
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate
