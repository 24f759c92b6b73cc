"""Metrics of the read side: log position, each read model's position and lag, runner health."""

from __future__ import annotations

from collections.abc import Iterable

from application.app import CrmApplication
from infra.read_models import ReadModels
from infra.relay import RELAY_STATES, RelayStatus
from infra.runners import Runners
from projections.base import CrmProjection

RUNNER_STATES = ("starting", "waiting_for_lock", "running", "failed", "stopped")


def read_side_metrics(
    app: CrmApplication,
    read_models: ReadModels | None,
    projections: Iterable[type[CrmProjection]],
    runners: Runners | None,
    relay: RelayStatus | None = None,
) -> str:
    """Prometheus text: positions and lag from the views; failures and state from this process's runners
    and, when this process runs it, the NATS relay."""
    last = app.recorder.max_notification_id() or 0
    lines = _family("crm_log_position", "gauge", "Last position (notification id) of the event log.")
    lines.append(f"crm_log_position {last}")
    if read_models is not None:
        lines += _positions(read_models, tuple(projections), last)
    if runners is not None:
        lines += _runners(runners)
    if relay is not None:
        lines += relay_metrics(relay, last)
    return "\n".join(lines) + "\n"


def _positions(read_models: ReadModels, projections: tuple[type[CrmProjection], ...], last: int) -> list[str]:
    lines = _family("crm_projection_position", "gauge", "Last log position a read model has applied.")
    lags = _family(
        "crm_projection_lag_events",
        "gauge",
        "Log positions a read model trails by (0 when nothing it reads is left).",
    )
    for projection in projections:
        position = read_models.position(projection)
        behind = lag(read_models, projection, last)
        lines.append(f'crm_projection_position{{projection="{projection.name}"}} {position}')
        lags.append(f'crm_projection_lag_events{{projection="{projection.name}"}} {behind}')
    return lines + lags


def largest_lag(
    app: CrmApplication, read_models: ReadModels, projections: Iterable[type[CrmProjection]]
) -> int:
    """Events the furthest-behind read model trails by (what /ready bounds)."""
    last = app.recorder.max_notification_id() or 0
    return max((lag(read_models, p, last) for p in projections), default=0)


def lag(read_models: ReadModels, projection: type[CrmProjection], last: int) -> int:
    """Log positions a read model trails by: 0 when nothing it reads lies beyond its checkpoint."""
    return 0 if read_models.caught_up(projection, last) else last - read_models.position(projection)


def _runners(runners: Runners) -> list[str]:
    failures = _family(
        "crm_projection_failures_total", "counter", "Runner failures (each followed by a restart)."
    )
    state = _family("crm_projection_runner_state", "gauge", "1 for the state a runner is in.")
    for status in runners.statuses():
        failures.append(f'crm_projection_failures_total{{projection="{status.name}"}} {status.failures}')
        state += [
            f'crm_projection_runner_state{{projection="{status.name}",state="{s}"}} {int(status.state == s)}'
            for s in RUNNER_STATES
        ]
    return failures + state


def relay_metrics(relay: RelayStatus, last: int) -> list[str]:
    """The relay's checkpoint, how far it trails the log, what it published and how often it failed."""
    return [
        *_family(
            "crm_relay_position", "gauge", "Last log position JetStream acknowledged, with all before it."
        ),
        f"crm_relay_position {relay.position}",
        *_family("crm_relay_lag_events", "gauge", "Log positions the relay trails by."),
        f"crm_relay_lag_events {max(last - relay.position, 0)}",
        *_family("crm_relay_published_total", "counter", "Messages JetStream acknowledged to this process."),
        f"crm_relay_published_total {relay.published}",
        *_family(
            "crm_relay_failures_total", "counter", "Failed relay sessions (NATS or the store), each retried."
        ),
        f"crm_relay_failures_total {relay.failures}",
        *_family("crm_relay_state", "gauge", "1 for the state the relay is in."),
        *(f'crm_relay_state{{state="{s}"}} {int(relay.state == s)}' for s in RELAY_STATES),
    ]


def _family(name: str, kind: str, help_text: str) -> list[str]:
    return [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
