"""The composition root: the one place that turns Settings into concrete, wired objects."""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType

from litestar import Litestar

from api.app import create_app
from api.health import no_lag
from api.ports import Services
from application.app import Clock, CrmApplication
from application.authentication import Authenticator
from application.bus import CommandBus
from application.handlers import HANDLERS
from infra.audit_verify import verify
from infra.event_store import build_application, creating_tables
from infra.idempotency_store import idempotency_store
from infra.metrics import largest_lag, read_side_metrics
from infra.read_models import NoReadModels, ReadModels
from infra.relay import RelaySupervisor
from infra.runners import Runners
from infra.settings import Settings
from projections.audit_trail import AuditTrailProjection
from projections.base import ReadModelView
from projections.catalog import PROJECTIONS


@dataclass(frozen=True)
class Container:
    """Everything one process needs, built from one Settings object; close it when done."""

    settings: Settings
    app: CrmApplication
    bus: CommandBus

    def close(self) -> None:
        """Release the store's connections (the PostgreSQL pool, the SQLite file)."""
        self.app.close()

    def __enter__(self) -> Container:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def bootstrap(
    settings: Settings, *, clock: Clock | None = None, app: CrmApplication | None = None
) -> Container:
    """Build the container; tests may hand in an `app` they built (same store, same clock)."""
    application = app if app is not None else build_application(settings, clock)
    return Container(settings=settings, app=application, bus=CommandBus(application, HANDLERS))


def http_app(container: Container) -> Litestar:
    """The Litestar app over this container; it closes the container when the server stops.

    In the embedded (SQLite) mode the projection runners live in this process too,
    started and stopped with the server; on PostgreSQL `crm project` runs them.
    So does the NATS relay when CRM_NATS_URL is set (on PostgreSQL: `crm relay`).
    """
    runners = embedded_runners(container.settings)
    relay = embedded_relay(container.settings)
    read_models = (
        ReadModels(container.settings, container.app, PROJECTIONS)
        if container.settings.storage != "memory"
        else None
    )
    return create_app(
        services=services(container, read_models),
        rate_limit_per_minute=container.settings.rate_limit_per_minute,
        store_probe=container.app.recorder.max_notification_id,
        lag_probe=(lambda: largest_lag(container.app, read_models, PROJECTIONS)) if read_models else no_lag,
        max_lag=container.settings.ready_max_lag,
        metrics_source=lambda: read_side_metrics(
            container.app, read_models, PROJECTIONS, runners, relay.status if relay else None
        ),
        on_startup=[*([runners.start] if runners else []), *([relay.start] if relay else [])],
        on_shutdown=[
            *([relay.stop] if relay else []),
            *([runners.stop] if runners else []),
            *([read_models.close] if read_models else []),
            container.close,
        ],
    )


def services(container: Container, read_models: ReadModels | None) -> Services:
    """What the API's controllers use; the idempotency table lives beside the events."""
    settings = container.settings
    if settings.storage == "postgres":
        with creating_tables(settings.postgres):
            store = idempotency_store(container.app, "postgres", settings.postgres.schema)
    else:
        store = idempotency_store(container.app, settings.storage)
    return Services(
        bus=container.bus,
        app=container.app,
        read=read_models,
        idempotency=store,
        authenticate=Authenticator(container.app, settings.bootstrap_admin_key),
        verify_log=lambda: verify(container.app, _audit_view(read_models)),
    )


def _audit_view(read_models: ReadModels | None) -> ReadModelView:
    if read_models is None:
        raise NoReadModels("the audit trail needs SQLite or PostgreSQL")
    return read_models.view(AuditTrailProjection)


def embedded_runners(settings: Settings) -> Runners | None:
    return Runners(settings, PROJECTIONS, single=False) if settings.storage == "sqlite" else None


def embedded_relay(settings: Settings) -> RelaySupervisor | None:
    """The JetStream relay of the embedded mode: SQLite with CRM_NATS_URL set (else nothing needs NATS)."""
    return RelaySupervisor(settings) if settings.storage == "sqlite" and settings.nats_url else None
