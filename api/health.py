"""Liveness and readiness probes: is the process up, and does the event store answer."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from litestar import Controller, MediaType, Response, get
from litestar.di import NamedDependency
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE

logger = logging.getLogger(__name__)

StoreProbe = Callable[[], int | None]
"""Asks the event store for its last notification id (a cheap query that proves it answers)."""

LagProbe = Callable[[], int]
"""How many log positions the furthest-behind read model trails by (0: all caught up)."""


def no_lag() -> int:
    return 0


PROBLEM_JSON = "application/problem+json"


class HealthController(Controller):
    """Probes for load balancers and orchestrators; they need no API key."""

    tags = ["operations"]  # noqa: RUF012 (Litestar reads it as a class attribute)

    @get("/health", media_type=MediaType.JSON)
    async def health(self) -> dict[str, str]:
        """Liveness: 200 `{"status": "ok"}` while the process serves requests."""
        return {"status": "ok"}

    @get("/ready", sync_to_thread=True, media_type=MediaType.JSON)
    def ready(
        self,
        store_probe: NamedDependency[StoreProbe],
        lag_probe: NamedDependency[LagProbe],
        max_lag: NamedDependency[int],
    ) -> Response[dict[str, Any]]:
        """Readiness: 200 while the event store answers and every read model trails the log by at most
        the configured bound (CRM_READY_MAX_LAG events); else 503 with STORE_UNAVAILABLE or
        READ_MODELS_BEHIND, so a load balancer sends no queries to a server that would answer stale."""
        try:
            position, lag = store_probe(), lag_probe()
        except Exception:
            logger.exception("readiness probe: the event store did not answer")
            return _unavailable("STORE_UNAVAILABLE", "the event store did not answer")
        if lag > max_lag:
            return _unavailable(
                "READ_MODELS_BEHIND", f"read models trail the log by {lag} events (bound {max_lag})"
            )
        return Response({"status": "ready", "position": position or 0, "lag": lag}, status_code=HTTP_200_OK)


def _unavailable(code: str, detail: str) -> Response[dict[str, Any]]:
    body = {
        "type": "about:blank",
        "title": "Service Unavailable",
        "status": HTTP_503_SERVICE_UNAVAILABLE,
        "detail": detail,
        "code": code,
        "errors": [],
    }
    headers = {"Retry-After": "5"}
    return Response(body, status_code=HTTP_503_SERVICE_UNAVAILABLE, media_type=PROBLEM_JSON, headers=headers)
