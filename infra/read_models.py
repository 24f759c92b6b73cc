"""Where read models live: their eventsourcing env, and building one projection's view.

Embedded mode: the views share the SQLite file of the event store. PostgreSQL:
the views live in their own schema (`read_models`, or `<events schema>_rm`), so
analysts can be granted that schema alone.
"""

from __future__ import annotations

from contextlib import nullcontext

import msgspec
from eventsourcing.persistence import InfrastructureFactory
from eventsourcing.utils import Environment

from infra.event_store import creating_tables, eventsourcing_env
from infra.read_store import PostgresReadModelView, SQLiteReadModelView, view_class
from infra.settings import PostgresTarget, Settings
from projections.base import CrmProjection, ReadModelView

DEFAULT_READ_SCHEMA = "read_models"


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
    return env


def base_view_class(settings: Settings) -> type[ReadModelView]:
    return SQLiteReadModelView if settings.storage == "sqlite" else PostgresReadModelView


def build_view(settings: Settings, projection: type[CrmProjection]) -> ReadModelView:
    """The projection's view, its tables created if missing (the way ProjectionRunner builds it)."""
    env = projection_env(settings, (projection,))
    factory = InfrastructureFactory.construct(Environment(projection.name, env))
    schema_lock = (
        creating_tables(msgspec.structs.replace(settings.postgres, schema=read_schema(settings.postgres)))
        if settings.storage == "postgres"
        else nullcontext()
    )
    with schema_lock:
        view = factory.tracking_recorder(view_class(projection, base_view_class(settings)))
    if not isinstance(view, ReadModelView):
        raise TypeError(f"{type(view).__name__} is not a read-model view")
    return view


def close_view(view: ReadModelView) -> None:
    view.datastore.close()  # type: ignore[attr-defined]
