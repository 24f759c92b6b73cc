"""Where read models live: their eventsourcing env, and building one projection's view.

Embedded mode: the views share the SQLite file of the event store. PostgreSQL:
the views live in their own schema (`read_models`, or `<events schema>_rm`), so
analysts can be granted that schema alone.
"""

from __future__ import annotations

import time
from contextlib import AbstractContextManager, nullcontext

import msgspec
from eventsourcing.persistence import InfrastructureFactory
from eventsourcing.utils import Environment

from application.app import CrmApplication
from infra.event_store import creating_tables, eventsourcing_env
from infra.read_store import PostgresReadModelView, SQLiteReadModelView, view_class
from infra.settings import PostgresTarget, Settings
from projections.base import CrmProjection, ReadModelBehind, ReadModelView

DEFAULT_READ_SCHEMA = "read_models"
VIEW_POOL = {"POSTGRES_POOL_SIZE": "1", "POSTGRES_MAX_OVERFLOW": "3"}
"""A runner folds one event at a time and a view answers short queries: a dozen read models in one
process must not hold a dozen full pools (PostgreSQL's default limit is 100 connections)."""


class NoReadModels(RuntimeError):
    """The in-memory store serves the write side only (its log lives in one process object)."""


def read_schema(target: PostgresTarget) -> str:
    return f"{target.schema}_rm" if target.schema else DEFAULT_READ_SCHEMA


def projection_env(settings: Settings, projections: tuple[type[CrmProjection], ...]) -> dict[str, str]:
    """The env for eventsourcing's ProjectionRunner: the app reads the log, each view its schema.

    The library looks up `<PROJECTION>_<KEY>` before `<KEY>`, which is how the
    views get the read-model schema while the application keeps the events'.
    """
    if settings.storage == "memory":
        raise NoReadModels("read models need SQLite or PostgreSQL (CRM_DATABASE_URL)")
    env = eventsourcing_env(settings)
    if settings.storage == "postgres":
        schema = read_schema(settings.postgres)
        env |= {f"{p.name.upper()}_POSTGRES_SCHEMA": schema for p in projections}
        env |= VIEW_POOL
    return env


def base_view_class(settings: Settings) -> type[ReadModelView]:
    return SQLiteReadModelView if settings.storage == "sqlite" else PostgresReadModelView


def creating_read_tables(settings: Settings) -> AbstractContextManager[None]:
    """PostgreSQL: make the read-model schema and serialise table creation across processes."""
    if settings.storage != "postgres":
        return nullcontext()
    return creating_tables(msgspec.structs.replace(settings.postgres, schema=read_schema(settings.postgres)))


def build_view(settings: Settings, projection: type[CrmProjection]) -> ReadModelView:
    """The projection's view, its tables created if missing (the way ProjectionRunner builds it)."""
    env = projection_env(settings, (projection,))
    factory = InfrastructureFactory.construct(Environment(projection.name, env))
    with creating_read_tables(settings):
        view = factory.tracking_recorder(view_class(projection, base_view_class(settings)))
    if not isinstance(view, ReadModelView):
        raise TypeError(f"{type(view).__name__} is not a read-model view")
    return view


def build_views(
    settings: Settings, projections: tuple[type[CrmProjection], ...]
) -> dict[type[CrmProjection], ReadModelView]:
    """Every view of one process over ONE datastore (one connection pool): the query side.

    Same tables and checkpoint tables as the runners' views (`<name>_tracking`), built
    directly rather than through a factory per view, which would open a pool per view.
    """
    env = projection_env(settings, projections)
    if settings.storage == "postgres":
        env["POSTGRES_SCHEMA"] = read_schema(settings.postgres)
    datastore = InfrastructureFactory.construct(Environment("", env)).datastore  # type: ignore[attr-defined]
    views: dict[type[CrmProjection], ReadModelView] = {}
    with creating_read_tables(settings):
        for projection in projections:
            cls = view_class(projection, base_view_class(settings))
            extra = (
                {"tracking_table_name": f"{projection.name}_tracking"}
                if settings.storage == "postgres"
                else {}
            )
            views[projection] = cls(datastore=datastore, **extra)  # type: ignore[call-arg]
            views[projection].create_table()
    return views


def close_view(view: ReadModelView) -> None:
    view.datastore.close()  # type: ignore[attr-defined]


class ReadModels:
    """The query side of one process: each projection's view, and read-your-writes waits."""

    WAIT_SECONDS = 5.0
    APPLICATION_NAME = "crm"

    def __init__(
        self, settings: Settings, app: CrmApplication, projections: tuple[type[CrmProjection], ...]
    ) -> None:
        self._app = app
        self._views = build_views(settings, projections)

    def view(self, projection: type[CrmProjection]) -> ReadModelView:
        return self._views[projection]

    def rows(self, projection: type[CrmProjection]) -> ReadModelView:
        """The committed rows of one read model, for queries (api.ports.ReadSide)."""
        return self._views[projection]

    def position(self, projection: type[CrmProjection]) -> int:
        """The last log position this read model has applied (X-Read-Model-Position)."""
        return self._views[projection].max_tracking_id(self.APPLICATION_NAME) or 0

    def caught_up(self, projection: type[CrmProjection], position: int) -> bool:
        """Applied up to `position`, or nothing it reads lies between its checkpoint and `position`."""
        reached = self.position(projection)
        if reached >= position:
            return True
        later = self._app.recorder.select_notifications(
            start=reached, limit=1, stop=position, topics=projection.topics, inclusive_of_start=False
        )
        return not later

    def wait_for(self, projection: type[CrmProjection], position: int, timeout: float | None = None) -> None:
        """Block until `caught_up`, polling with backoff; raise ReadModelBehind after `timeout`."""
        deadline = time.monotonic() + (self.WAIT_SECONDS if timeout is None else timeout)
        pause = 0.005
        while not self.caught_up(projection, position):
            if time.monotonic() >= deadline:
                raise ReadModelBehind(projection.name, position, self.position(projection))
            time.sleep(pause)
            pause = min(pause * 2, 0.1)

    def close(self) -> None:
        for view in list(self._views.values())[:1]:  # they share one datastore
            close_view(view)
