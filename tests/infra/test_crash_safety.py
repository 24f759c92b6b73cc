"""Crash safety: `crm project` killed with SIGKILL mid-stream and restarted ends with uninterrupted rows."""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from application.app import CrmApplication
from application.bus import CommandBus
from infra.read_models import ReadModels
from infra.rebuild import rebuild
from infra.settings import Settings
from projections.catalog import PROJECTIONS
from tests.clock import FixedClock
from tests.infra.dumps import dump_all
from tests.workload import random_workload

PROJECT = [sys.executable, "-c", "from infra.cli import main; raise SystemExit(main())", "project"]


def start_project(url: str, log: Path) -> subprocess.Popen[bytes]:
    """`crm project` as its own process; its log goes to a file (a full pipe would stall it)."""
    env = {**os.environ, "CRM_DATABASE_URL": url, "CRM_LOG_LEVEL": "warning"}
    with log.open("ab") as sink:
        return subprocess.Popen(
            PROJECT, env=env, stdout=sink, stderr=subprocess.STDOUT, preexec_fn=die_with_parent
        )


def die_with_parent() -> None:
    """Linux: the child gets SIGKILL if the test process dies, so no runner outlives the test run."""
    ctypes.CDLL("libc.so.6").prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def lowest_position(models: ReadModels) -> int:
    return min(models.position(p) for p in PROJECTIONS)


@pytest.mark.slow
@pytest.mark.parametrize("storage", ["postgres"], indirect=True)
def test_a_killed_projection_process_resumes_without_losing_or_repeating_events(
    settings: Settings, bus: CommandBus, app: CrmApplication, clock: FixedClock, tmp_path: Path
) -> None:
    log = tmp_path / "project.log"
    random_workload(bus, clock, commands=2500, seed=4242)
    last = app.recorder.max_notification_id()
    models = ReadModels(settings, app, PROJECTIONS)
    first = start_project(settings.database_url, log)
    second: subprocess.Popen[bytes] | None = None
    try:
        deadline = time.monotonic() + 120
        while lowest_position(models) < last // 4:
            assert first.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "the runner made no progress"
            time.sleep(0.02)
        first.send_signal(signal.SIGKILL)
        first.wait()
        assert lowest_position(models) < last, "killed too late to be mid-stream"
        second = start_project(settings.database_url, log)
        for projection in PROJECTIONS:
            models.wait_for(projection, last, timeout=300)
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait(30)
    resumed = dump_all(models, PROJECTIONS)
    for projection in PROJECTIONS:
        rebuild(settings, projection)
    assert dump_all(models, PROJECTIONS) == resumed
    models.close()
