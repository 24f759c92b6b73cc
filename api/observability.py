"""Request ids, one structured log line per request, and HTTP metrics in Prometheus text.

Every response carries `X-Request-Id` (the caller's, if it sent a sane one).
The access log line names the route template (never the raw path, which may
hold customer numbers), the status, the latency, the actor id and, for
commands, the command and its outcome code. Keys and bodies are never logged.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Mapping
from typing import Any, cast

from litestar import Request
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

access_log = logging.getLogger("crm.access")

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")
OUTCOME_KEY = "crm_outcome"
ACTOR_KEY = "crm_actor_id"


def note_actor(request: Request[Any, Any, Any], actor_id: str) -> None:
    request.scope[ACTOR_KEY] = actor_id  # type: ignore[literal-required]


def note_outcome(request: Request[Any, Any, Any], command: str, code: str) -> None:
    """Remember what a command did, for the access log and `crm_command_outcomes_total`."""
    request.scope[OUTCOME_KEY] = (command, code)  # type: ignore[literal-required]


class HttpMetrics:
    """Counters and latency histograms by route template; safe to update from worker threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: dict[tuple[str, str, int], int] = defaultdict(int)
        self._latency: dict[tuple[str, str], list[float]] = {}
        self._outcomes: dict[tuple[str, str], int] = defaultdict(int)

    def observe(
        self, method: str, route: str, status: int, seconds: float, outcome: tuple[str, str] | None
    ) -> None:
        with self._lock:
            self._requests[(method, route, status)] += 1
            counts = self._latency.setdefault((method, route), [0.0] * (len(BUCKETS) + 2))
            for i, bound in enumerate(BUCKETS):
                if seconds <= bound:
                    counts[i] += 1
            counts[-2] += 1
            counts[-1] += seconds
            if outcome is not None:
                self._outcomes[outcome] += 1

    def render(self) -> str:
        with self._lock:
            lines = _requests(self._requests) + _latency(self._latency) + _outcomes(self._outcomes)
        return "\n".join(lines) + "\n"


def _requests(requests: dict[tuple[str, str, int], int]) -> list[str]:
    lines = [
        "# HELP crm_http_requests_total HTTP requests by route and status.",
        "# TYPE crm_http_requests_total counter",
    ]
    for (method, route, status), n in sorted(requests.items()):
        lines.append(f'crm_http_requests_total{{method="{method}",route="{route}",status="{status}"}} {n}')
    return lines


def _latency(latency: dict[tuple[str, str], list[float]]) -> list[str]:
    name = "crm_http_request_duration_seconds"
    lines = [f"# HELP {name} Time to answer, by route.", f"# TYPE {name} histogram"]
    for (method, route), counts in sorted(latency.items()):
        labels = f'method="{method}",route="{route}"'
        lines += [
            f'{name}_bucket{{{labels},le="{b}"}} {int(c)}' for b, c in zip(BUCKETS, counts, strict=False)
        ]
        lines += [f'{name}_bucket{{{labels},le="+Inf"}} {int(counts[-2])}']
        lines += [f"{name}_count{{{labels}}} {int(counts[-2])}", f"{name}_sum{{{labels}}} {counts[-1]:.6f}"]
    return lines


def _outcomes(outcomes: dict[tuple[str, str], int]) -> list[str]:
    name = "crm_command_outcomes_total"
    lines = [f"# HELP {name} Commands by outcome: ACCEPTED or the refusal code.", f"# TYPE {name} counter"]
    lines += [f'{name}{{command="{c}",outcome="{o}"}} {n}' for (c, o), n in sorted(outcomes.items())]
    return lines


def observed(app: ASGIApp, metrics: HttpMetrics) -> ASGIApp:
    """ASGI middleware: request id in and out, latency, metrics and the access log line."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        request_id = _request_id(scope)
        started, status = time.perf_counter(), 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await app(scope, receive, send_with_id)
        finally:
            _record(scope, metrics, request_id, status, time.perf_counter() - started)

    return middleware


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            given = value.decode("latin-1")
            if _SANE_ID.match(given):
                return given
    return uuid.uuid4().hex


def _record(scope: Scope, metrics: HttpMetrics, request_id: str, status: int, seconds: float) -> None:
    route = str(scope.get("path_template") or "unmatched")
    method = str(scope.get("method", ""))
    extra = cast(Mapping[str, Any], scope)  # our keys are not in the Scope TypedDict; no copy per request
    outcome: tuple[str, str] | None = extra.get(OUTCOME_KEY)
    metrics.observe(method, route, status, seconds, outcome)
    access_log.info(
        "%s %s %s",
        method,
        route,
        status,
        extra={
            "request_id": request_id,
            "method": method,
            "route": route,
            "status": status,
            "duration_ms": round(seconds * 1000, 2),
            "actor_id": extra.get(ACTOR_KEY),
            "command": outcome[0] if outcome else None,
            "outcome": outcome[1] if outcome else None,
        },
    )
