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

PROBLEM_JSON = "application/problem+json"


class HealthController(Controller):
    """Probes for load balancers and orchestrators; they need no API key."""

    tags = ["operations"]  # noqa: RUF012 (Litestar reads it as a class attribute)

    @get("/health", media_type=MediaType.JSON)
    async def health(self) -> dict[str, str]:
        """Liveness: 200 `{"status": "ok"}` while the process serves requests."""
        return {"status": "ok"}

    @get("/ready", sync_to_thread=True, media_type=MediaType.JSON)
    def ready(self, store_probe: NamedDependency[StoreProbe]) -> Response[dict[str, Any]]:
        """Readiness: 200 with the last log position when the event store answers, else 503."""
        try:
            position = store_probe()
        except Exception:
            logger.exception("readiness probe: the event store did not answer")
            return Response(
                _store_unavailable(), status_code=HTTP_503_SERVICE_UNAVAILABLE, media_type=PROBLEM_JSON
            )
        return Response({"status": "ready", "position": position or 0}, status_code=HTTP_200_OK)


def _store_unavailable() -> dict[str, Any]:
    return {
        "type": "about:blank",
        "title": "Service Unavailable",
        "status": HTTP_503_SERVICE_UNAVAILABLE,
        "detail": "the event store did not answer",
        "code": "STORE_UNAVAILABLE",
        "errors": [],
    }
