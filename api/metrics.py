"""GET /metrics: Prometheus text exposition of what the composition root measures."""

from __future__ import annotations

import logging
from collections.abc import Callable

from litestar import Controller, Response, get
from litestar.di import NamedDependency

logger = logging.getLogger(__name__)

MetricsSource = Callable[[], str]
"""Renders the current metrics as Prometheus text (built in infra/, which knows the runners)."""

PROMETHEUS_TEXT = "text/plain; version=0.0.4"
"""Litestar appends `; charset=utf-8` to text media types itself."""


class MetricsController(Controller):
    """Scraped by Prometheus; like the probes it needs no API key."""

    tags = ["operations"]  # noqa: RUF012 (Litestar reads it as a class attribute)

    @get("/metrics", sync_to_thread=True, media_type=PROMETHEUS_TEXT)
    def metrics(self, metrics_source: NamedDependency[MetricsSource]) -> Response[str]:
        """Read-model positions, lag behind the log, runner state and failures (Prometheus text)."""
        return Response(metrics_source(), media_type=PROMETHEUS_TEXT)
