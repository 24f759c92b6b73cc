"""The event feed (API.md "Event feed"): every stored event in log order, read from the log itself.

Events have one shape on this API, `projections.audit_trail.AuditEventItem`, shared
by the feed, the histories and the audit search (`api.audit`). The feed renders each
event through the audit trail's own row builder, so `type`, `data` (secrets
hidden, `from`/`to` on status events) and the envelope are exactly what the
histories show; only the hash links differ (null in the feed).
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from eventsourcing.persistence import Notification
from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from litestar.types import ControllerRouterHandler

from api.ports import Services
from api.query_params import query_refusals
from api.reading import MAX_POSITION, POSITION_HEADER, Limit, MinPosition
from domain.actor import Actor
from projections.audit_rows import audit_row
from projections.audit_trail import AuditEventItem, context, event_item


def logged_event(event: Any, position: int) -> AuditEventItem:
    """A domain event read from the log at `position`, rendered like its audit row, without hash links.

    The row builder computes links from no predecessor; those are not the chain's
    links, so they are dropped rather than shown.
    """
    row = audit_row(event, position, None, None, context(event, None))
    unlinked = {"hash": None, "prev_hash": None, "global_hash": None, "global_prev_hash": None}
    return msgspec.structs.replace(event_item(row), **unlinked)


class EventFeed(msgspec.Struct, frozen=True, kw_only=True):
    """One page of the feed. Ask again with `after=next_after`; `end_of_stream` means nothing more yet."""

    items: list[AuditEventItem]
    next_after: int
    end_of_stream: bool


After = Annotated[
    int,
    QueryParameter(
        ge=0,
        le=MAX_POSITION,
        description="Log position of the last event you processed (`next_after` of the previous page).",
    ),
]


class EventFeedController(Controller):
    path = "/v1/events"
    tags = ["events"]  # noqa: RUF012 (Litestar reads it as a class attribute)

    @get("/", sync_to_thread=True, summary="The event feed", responses=query_refusals())
    def feed(
        self,
        services: NamedDependency[Services],
        reader: NamedDependency[Actor],
        after: After = 0,
        limit: Limit = 50,
        min_position: MinPosition = None,
    ) -> Response[EventFeed]:
        """Every stored event (customers, cases, API keys) in global log order, after position `after`.

        Read from the event log itself, so the feed never expires and needs no
        read model: start at `after=0`, then pass the `next_after` of each page.
        `end_of_stream: true` means you are at the end of the log for now; poll
        again later with the same `after`. Process events idempotently by
        `event_id` or `position`. The log positions of one feed never change;
        on PostgreSQL they may skip numbers (an append that lost a race).
        `hash` and `prev_hash` are null here: they are the audit trail's, see
        `GET /v1/cases/{case_no}/history` and `GET /v1/audit/verify`.
        `min_position` is accepted for uniformity: the log always holds every
        committed position. `X-Read-Model-Position` is `next_after`.
        """
        found = services.app.recorder.select_notifications(start=after + 1, limit=limit + 1)
        items = [self._item(services, stored) for stored in found[:limit]]
        next_after = items[-1].position if items else after
        body = EventFeed(items=items, next_after=next_after, end_of_stream=len(found) <= limit)
        return Response(body, headers={POSITION_HEADER: str(next_after)})

    @staticmethod
    def _item(services: Services, stored: Notification) -> AuditEventItem:
        return logged_event(services.app.mapper.to_domain_event(stored), stored.id)


ROUTES: list[ControllerRouterHandler] = [EventFeedController]
