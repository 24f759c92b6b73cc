"""Builds the Litestar application from dependencies handed in by the composition root."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from litestar import Litestar
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.types import ControllerRouterHandler

from api.health import HealthController, StoreProbe
from api.metrics import MetricsController, MetricsSource


def create_app(
    *,
    store_probe: StoreProbe,
    metrics_source: MetricsSource = lambda: "",
    route_handlers: Sequence[ControllerRouterHandler] = (),
    on_startup: Sequence[Callable[[], Any]] = (),
    on_shutdown: Sequence[Callable[[], Any]] = (),
    debug: bool = False,
) -> Litestar:
    """The HTTP app; it knows only the callables it is given, never how they were built."""
    return Litestar(
        route_handlers=[HealthController, MetricsController, *route_handlers],
        dependencies={
            "store_probe": Provide(lambda: store_probe, use_cache=True, sync_to_thread=False),
            "metrics_source": Provide(lambda: metrics_source, use_cache=True, sync_to_thread=False),
        },
        on_startup=list(on_startup),
        on_shutdown=list(on_shutdown),
        openapi_config=OpenAPIConfig(title="CRM API", version="1.0.0"),
        debug=debug,
    )
