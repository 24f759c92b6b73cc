"""Builds the Litestar application from dependencies handed in by the composition root."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Any

from litestar import Litestar, Request
from litestar.di import Provide
from litestar.middleware.rate_limit import RateLimitConfig, get_remote_address
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme, Tag
from litestar.types import ControllerRouterHandler

from api.auth import admin, principal, reader
from api.health import HealthController, LagProbe, StoreProbe, no_lag
from api.metrics import MetricsController, MetricsSource
from api.observability import HttpMetrics, observed
from api.ports import Services
from api.problems import EXCEPTION_HANDLERS
from api.routes import v1_routes

MAX_BODY_BYTES = 1024 * 1024
"""API.md: request bodies over 1 MiB are refused with 413."""
UNLIMITED_PATHS = ["/health", "/ready", "/metrics", "/schema"]

DESCRIPTION = """\
Event-sourced after-sales service CRM: customers, service notifications (cases) and their
read models. Every write is an event kept forever; every GET reads a read model.

Authenticate with `Authorization: Bearer <key>`. Errors are RFC 9457 problem documents
with a `code` (DOMAIN.md §4.6) and every failing field in `errors`. Commands answer
`{id, version, position}`: pass `position` as `min_position` to a query to read your write,
and the `ETag` as `If-Match` to guard against concurrent changes.
"""


def create_app(
    *,
    store_probe: StoreProbe,
    lag_probe: LagProbe = no_lag,
    max_lag: int = 10_000,
    services: Services | None = None,
    metrics_source: MetricsSource = lambda: "",
    rate_limit_per_minute: int = 6000,
    route_handlers: Sequence[ControllerRouterHandler] = (),
    on_startup: Sequence[Callable[[], Any]] = (),
    on_shutdown: Sequence[Callable[[], Any]] = (),
    middleware: Sequence[Any] = (),
    debug: bool = False,
) -> Litestar:
    """The HTTP app; it knows only the callables it is given, never how they were built."""
    api_routes = v1_routes() if services is not None else []
    http_metrics = HttpMetrics()
    return Litestar(
        route_handlers=[HealthController, MetricsController, *api_routes, *route_handlers],
        dependencies={
            "store_probe": Provide(lambda: store_probe, use_cache=True, sync_to_thread=False),
            "lag_probe": Provide(lambda: lag_probe, use_cache=True, sync_to_thread=False),
            "max_lag": Provide(lambda: max_lag, use_cache=True, sync_to_thread=False),
            "metrics_source": Provide(
                lambda: lambda: metrics_source() + http_metrics.render(), use_cache=True, sync_to_thread=False
            ),
            "services": Provide(lambda: services, use_cache=True, sync_to_thread=False),
            "principal": Provide(principal, sync_to_thread=True),
            "reader": Provide(reader, sync_to_thread=False),
            "admin": Provide(admin, sync_to_thread=False),
        },
        exception_handlers=EXCEPTION_HANDLERS,
        request_max_body_size=MAX_BODY_BYTES,
        middleware=[
            lambda app: observed(app, http_metrics),
            *middleware,
            rate_limit(rate_limit_per_minute).middleware,
        ],
        on_startup=list(on_startup),
        on_shutdown=list(on_shutdown),
        openapi_config=openapi_config(),
        logging_config=None,  # the process configures logging (JSON lines, infra/logs.py)
        debug=debug,
    )


def rate_limit(per_minute: int) -> RateLimitConfig:
    """Per API key (hashed, so the key is never a store key in clear), else per client address."""
    return RateLimitConfig(
        rate_limit=("minute", per_minute),
        exclude=UNLIMITED_PATHS,
        identifier_for_request=_rate_limit_identity,
    )


def _rate_limit_identity(request: Request[Any, Any, Any]) -> str:
    credentials = request.headers.get("authorization")
    if credentials:
        return "key:" + hashlib.sha256(credentials.encode()).hexdigest()[:32]
    return "addr:" + get_remote_address(request)


def openapi_config() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="CRM API",
        version="1.0.0",
        description=DESCRIPTION,
        path="/schema",
        use_handler_docstrings=True,
        render_plugins=[SwaggerRenderPlugin(path="/"), JsonRenderPlugin(path="/openapi.json")],
        components=Components(
            security_schemes={
                "BearerKey": SecurityScheme(type="http", scheme="bearer", description="An API key")
            }
        ),
        security=[{"BearerKey": []}],
        tags=[
            Tag(name="customers", description="Register customers and record contacts, visits and sales."),
            Tag(name="cases", description="Service notifications (Z1 after full payment, Z2 before it)."),
            Tag(name="queues", description="Work, approval, logistics and contact queues (read models)."),
            Tag(name="reports", description="Reports for analysts (read models)."),
            Tag(name="audit", description="Case histories, hash-chain verification and control lists."),
            Tag(name="events", description="The resumable feed of every stored event."),
            Tag(name="api-keys", description="Admin: issue and revoke API keys."),
            Tag(name="operations", description="Health, readiness and metrics; no key needed."),
        ],
    )
