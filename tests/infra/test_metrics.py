"""GET /metrics in the embedded mode: read-model positions, lag and runner health."""

from __future__ import annotations

import re
import time

import pytest
from litestar.testing import TestClient

from application.app import CrmApplication
from infra.bootstrap import Container, http_app
from tests.application import flows


def metric(text: str, name: str, **labels: str) -> float:
    selector = ",".join(f'{k}="{v}"' for k, v in labels.items())
    pattern = rf"^{re.escape(name)}{re.escape('{' + selector + '}') if labels else ''} (\S+)$"
    found = re.search(pattern, text, re.MULTILINE)
    assert found, f"{name} {labels} not in metrics"
    return float(found.group(1))


@pytest.mark.parametrize("storage", ["sqlite"], indirect=True)
def test_metrics_show_each_read_model_catching_up_with_the_log(
    container: Container, app: CrmApplication
) -> None:
    flows.register_customer(container.bus)
    flows.v1(container.bus)
    last = app.recorder.max_notification_id()
    with TestClient(http_app(container)) as client:
        deadline = time.monotonic() + 60
        while True:
            text = client.get("/metrics").text
            if metric(text, "crm_projection_lag_events", projection="audit_trail") == 0:
                break
            assert time.monotonic() < deadline, text
            time.sleep(0.1)
    assert metric(text, "crm_log_position") == last
    assert metric(text, "crm_projection_position", projection="audit_trail") == last
    assert metric(text, "crm_projection_failures_total", projection="work_queue") == 0
    assert metric(text, "crm_projection_runner_state", projection="work_queue", state="running") == 1
