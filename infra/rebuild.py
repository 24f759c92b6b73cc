"""`crm rebuild`: drop a read model and replay the whole log into it, many events per transaction.

Live runners apply one event per transaction (fresh rows at once); a rebuild
batches `BATCH` events per transaction with one checkpoint each, through the
same pure `apply`, so it gives the rows an uninterrupted live run would give.
On PostgreSQL it holds the projection's lock, so `crm project` waits meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable

from eventsourcing.persistence import Tracking

from infra.event_store import build_application
from infra.read_models import build_view, close_view
from infra.runners import projection_lock
from infra.settings import Settings
from projections.base import CrmProjection

BATCH = 1000

Progress = Callable[[int, int, int], None]
"""Called after each batch with (log position reached, last log position, events applied so far)."""


def rebuild(settings: Settings, projection: type[CrmProjection], progress: Progress | None = None) -> int:
    """Replay the log from position 0 into a fresh copy of `projection`; returns the events applied."""
    app = build_application(settings)
    view = build_view(settings, projection)
    try:
        with projection_lock(settings, projection):
            view.drop()
            view.create_table()
            folder = projection(view=view)
            last = app.recorder.max_notification_id() or 0
            applied, position = 0, 0
            while position < last:
                batch = app.recorder.select_notifications(
                    start=position, limit=BATCH, stop=last, topics=projection.topics, inclusive_of_start=False
                )
                if not batch:
                    break
                view.process(
                    [(app.mapper.to_domain_event(n), Tracking(app.name, n.id)) for n in batch], folder.apply
                )
                applied, position = applied + len(batch), batch[-1].id
                if progress:
                    progress(position, last, applied)
            return applied
    finally:
        close_view(view)
        app.close()
