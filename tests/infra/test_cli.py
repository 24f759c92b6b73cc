"""The `crm` command line: help, configuration errors, `crm status` and `crm serve`."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from infra.cli import main
from infra.event_store import build_application
from infra.settings import Settings
from tests.clock import FixedClock
from tests.infra.probe import Probe, context
from tests.servers import free_port


@pytest.fixture(autouse=True)
def no_ambient_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    """`main` reads os.environ: keep the developer's own CRM_* variables out of these tests."""
    for name in [name for name in os.environ if name.startswith("CRM_")]:
        monkeypatch.delenv(name)


def test_help_lists_the_commands_and_the_configuration(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    out = capsys.readouterr().out
    assert exited.value.code == 0
    assert "status" in out and "serve" in out and "CRM_DATABASE_URL" in out


def test_a_bad_variable_is_named_and_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CRM_PORT", "eighty")
    assert main(["status"]) == 2
    assert "CRM_PORT" in capsys.readouterr().err


def test_status_on_a_fresh_sqlite_path_does_not_create_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CRM_SQLITE_PATH", str(tmp_path / "crm.db"))
    assert main(["status"]) == 0
    assert "storage:        sqlite" in capsys.readouterr().out
    assert not (tmp_path / "crm.db").exists()


def test_status_counts_the_events_in_the_store(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    app = build_application(settings)
    app.save(Probe.open(context(FixedClock()), "1", "x"))
    app.close()
    monkeypatch.setenv("CRM_DATABASE_URL", settings.database_url)
    assert main(["status"]) == 0
    out = capsys.readouterr().out
    expected = "0" if settings.storage == "memory" else "1"  # memory:// lives only inside one process
    assert f"events:         {expected}" in out and f"last position:  {expected}" in out


def test_status_reports_a_store_that_does_not_answer_and_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CRM_SQLITE_PATH", str(tmp_path))  # a directory: SQLite cannot open it
    assert main(["status"]) == 1
    assert "did not answer" in capsys.readouterr().err


@pytest.mark.slow
def test_serve_answers_health_on_the_configured_port(tmp_path: Path) -> None:
    port = free_port()
    env = {"CRM_SQLITE_PATH": str(tmp_path / "crm.db"), "CRM_PORT": str(port), "PATH": "/usr/bin:/bin"}
    crm = Path(sys.executable).parent / "crm"
    server = subprocess.Popen([str(crm), "serve"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        health = wait_for_health(f"http://127.0.0.1:{port}")
        assert health.json() == {"status": "ok"}
    finally:
        server.terminate()
        output = server.communicate(timeout=10)[0].decode()
    assert f"http://127.0.0.1:{port}" in output


def wait_for_health(base: str, timeout: float = 20) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return httpx.get(f"{base}/health", timeout=1)
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
