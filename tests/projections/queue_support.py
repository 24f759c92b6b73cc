"""Helpers for the queue read-model tests (P1–P4): keep a case's events, fold them, feed a view.

`Story` wraps a real `Case` so that the domain walkers of `tests/domain/case_flows.py`
(which collect the events they cause) can be reused while every event is kept for
folding. `MemoryRows` is an in-memory fake of the `Rows` a projection writes to, so
`apply` can be tested without a database; `feed` replays an application's real log
into a real view for the SQLite and PostgreSQL tests.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from eventsourcing.persistence import Tracking

from application.app import CrmApplication
from domain.case import Case
from domain.case_header import NewCase
from domain.context import CommandContext
from infra.read_models import build_view, close_view
from infra.settings import Settings
from projections.base import CrmProjection, ReadModelView
from projections.case_facts import CaseFacts, created, evolve
from projections.tables import R, Select, Table, Where
from tests.domain import case_flows as walk
from tests.domain.case_support import ASSISTANT, new_case, z1_payload, z2_payload

NAME = "申齐保健食品有限公司"


@dataclass
class Story:
    """A notification whose every event is kept (the walkers' `collect_events` calls included)."""

    case: Case
    log: list[Any] = field(default_factory=list)

    def __post_init__(self) -> None:
        collect = self.case.collect_events

        def keep() -> list[Any]:
            events = list(collect())
            self.log.extend(events)
            return events

        self.case.collect_events = keep  # type: ignore[method-assign]

    def events(self) -> list[Any]:
        self.case.collect_events()
        return list(self.log)

    def facts(self, customer_name: str = NAME) -> CaseFacts:
        return fold(self.events(), customer_name)

    def then(self, step: Callable[[Case], object]) -> Story:
        step(self.case)
        return self


def story(payload: NewCase | None = None, case_no: str = "1000001", at: CommandContext = ASSISTANT) -> Story:
    return Story(new_case(payload, case_no, at))


def z1() -> Story:
    return story(z1_payload())


def z2() -> Story:
    return story(z2_payload())


def complaint_z1() -> Story:
    return story(z1_payload(category="COMPLAINT"))


def after_survey(walker: Callable[[Case], object]) -> Story:
    """A Z1 surveyed first (the service walkers only survey a case they create themselves)."""
    return z1().then(lambda case: walker(walk.surveyed(case)))


def fold(events: list[Any], customer_name: str = NAME) -> CaseFacts:
    """The facts after the creation event and every later one, as the queues fold them."""
    facts = created(events[0], customer_name)
    for event in events[1:]:
        facts = evolve(facts, event)
    return facts


OPS: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt,
    ">=": operator.ge, "in": lambda a, b: a in b, "not in": lambda a, b: a not in b,
    "is null": lambda a, b: a is None, "is not null": lambda a, b: a is not None,
}  # fmt: skip


class MemoryRows:
    """A fake of `projections.tables.Rows`: tables as dicts by key (no ordering or paging)."""

    def __init__(self) -> None:
        self.tables: dict[str, dict[tuple[Any, ...], Any]] = {}

    def get(self, table: Table[R], *key: Any) -> R | None:
        found: R | None = self.tables.get(table.name, {}).get(tuple(key))
        return found

    def put(self, table: Table[R], row: R) -> None:
        self.tables.setdefault(table.name, {})[table.key_of(row)] = row

    def delete(self, table: Table[R], *key: Any) -> None:
        self.tables.get(table.name, {}).pop(tuple(key), None)

    def select(self, query: Select[R]) -> list[R]:
        rows = list(self.tables.get(query.table.name, {}).values())
        return [row for row in rows if all(_holds(row, where) for where in query.where)]


def _holds(row: Any, where: Where) -> bool:
    return OPS[where.op](getattr(row, where.column), where.value)


def apply_all(
    projection: type[CrmProjection], events: Iterable[Any], rows: MemoryRows | None = None
) -> MemoryRows:
    """Fold `events` through the projection's own `apply` into (new) memory rows."""
    rows = rows or MemoryRows()
    folding = projection(None)  # type: ignore[arg-type]  # `apply` needs only the rows it is given
    for event in events:
        folding.apply(event, rows)
    return rows


def feed(
    view: ReadModelView, app: CrmApplication, projection: type[CrmProjection], *, per_event: bool = False
) -> None:
    """Fold the application's whole log (the events `projection` handles) into `view`.

    In one transaction (as a rebuild does), or with `per_event` one per event (as a runner does).
    """
    # The recorder, not `notification_log`: the log pages in sections of ten.
    notifications = app.recorder.select_notifications(start=1, limit=10_000, topics=projection.topics)
    items = [(app.mapper.to_domain_event(n), Tracking("crm", n.id)) for n in notifications]
    folder = projection(view)
    for batch in ([item] for item in items) if per_event else [items]:
        folder.view.process(batch, folder.apply)


@contextmanager
def fed_view(
    settings: Settings, app: CrmApplication, projection: type[CrmProjection], *, per_event: bool = False
) -> Iterator[ReadModelView]:
    """A freshly built view holding the application's log so far; closed afterwards."""
    view = build_view(settings, projection)
    try:
        feed(view, app, projection, per_event=per_event)
        yield view
    finally:
        close_view(view)


def at(moment: datetime) -> dict[str, datetime]:
    """`occurred_at=` for a command: the business time of the fact."""
    return {"occurred_at": moment}
