"""GET /health and GET /ready: liveness always, readiness only while the event store answers."""

from __future__ import annotations

from litestar.testing import TestClient

from api.app import create_app


def failing_probe() -> int | None:
    raise ConnectionError("store down")


def test_health_is_ok_without_touching_the_store() -> None:
    with TestClient(create_app(store_probe=failing_probe)) as client:
        response = client.get("/health")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_ready_reports_the_last_log_position_when_the_store_answers() -> None:
    with TestClient(create_app(store_probe=lambda: 17)) as client:
        response = client.get("/ready")
    assert (response.status_code, response.json()) == (200, {"status": "ready", "position": 17, "lag": 0})


def test_ready_on_an_empty_store_reports_position_zero() -> None:
    with TestClient(create_app(store_probe=lambda: None)) as client:
        assert client.get("/ready").json()["position"] == 0


def test_ready_is_a_503_problem_when_the_store_does_not_answer() -> None:
    with TestClient(create_app(store_probe=failing_probe)) as client:
        response = client.get("/ready")
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "STORE_UNAVAILABLE"


def test_ready_is_a_503_problem_while_read_models_trail_beyond_the_bound() -> None:
    with TestClient(create_app(store_probe=lambda: 500, lag_probe=lambda: 101, max_lag=100)) as client:
        response = client.get("/ready")
    assert (response.status_code, response.json()["code"]) == (503, "READ_MODELS_BEHIND")
    assert response.headers["retry-after"] == "5"


def test_ready_accepts_lag_up_to_the_bound() -> None:
    with TestClient(create_app(store_probe=lambda: 500, lag_probe=lambda: 100, max_lag=100)) as client:
        assert client.get("/ready").json() == {"status": "ready", "position": 500, "lag": 100}
