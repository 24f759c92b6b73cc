"""Property-based contract test: every operation of the OpenAPI document, fuzzed with schemathesis.

The app runs in-process on a SQLite file seeded with the SM01 customer, the cases of paths
V1–V5 and one open case with a pending quote, so path parameters and queries often hit real
rows. Every request carries a valid key: integrator for commands, auditor for reads, the
bootstrap admin for key management. Each operation gets a few positive and negative
examples (bounded, derandomized). The checks are the contract of API.md: no 5xx ("no
request, however malformed, gets a 500") and every documented response has the documented
content type and schema. Statuses the document does not list are not judged here (the
authorization matrix and the command tests pin those).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from litestar.testing import TestClient
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from domain.actor import Role
from infra.bootstrap import bootstrap, http_app
from tests.api.conftest import ADMIN, ADMIN_KEY, Keys
from tests.api.http_flows import CASE_BODY, CUSTOMER_NO, PATHS, Http, register_customer
from tests.conftest import settings_for

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
MAX_EXAMPLES = 6
PROBLEM_JSON = "application/problem+json"
# The control lists of DOMAIN.md P6, as GET /v1/audit/controls/{name} names them.
CONTROLS = [
    "closed-without-invoice",
    "self-approved",
    "approval-without-request",
    "escalation-without-payment-status",
]


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The whole app on a seeded SQLite file, its lifespan (projection runners) held by schemathesis."""
    path = tmp_path_factory.mktemp("schemathesis") / "crm.db"
    app = http_app(bootstrap(settings_for(f"sqlite:///{path}", bootstrap_admin_key=ADMIN_KEY)))
    try:
        # schemathesis' in-process client starts the app's lifespan once and keeps it for every
        # later call to the same app; shutdown_lifespans() stops the runners and closes the store.
        with asgi.get_client(app) as client:
            seeded = seed(client)
        yield {"app": app, "document": app.openapi_schema.to_schema(), **seeded}
    finally:
        asgi.shutdown_lifespans()


def seed(client: Any) -> dict[str, Any]:
    keys = Keys(client)
    h = Http(client, keys.headers)
    register_customer(h)
    cases = [walk(h) for _, walk in sorted(PATHS.items())]
    open_case = str(h.post("/v1/cases", Role.ASSISTANT, CASE_BODY | {"urgency": "URGENT"})["id"])
    h.post(f"/v1/cases/{open_case}/site-survey", Role.SERVICE_STAFF)
    line = {"description": "更换锁芯", "material": "100056", "qty": 1, "unit_price": "80.00"}
    order = h.post(f"/v1/cases/{open_case}/service-orders", Role.ASSISTANT, {"lines": [line]})
    return {
        "cases": [*cases, open_case],
        "order_no": order["order_no"],
        "position": h.last_position,
        "headers": {
            "write": keys.headers(Role.INTEGRATOR),
            "read": keys.headers(Role.AUDITOR),
            "admin": dict(ADMIN),
        },
    }


@pytest.fixture(scope="module")
def api_schema(api: dict[str, Any]) -> Any:
    config = schemathesis.Config.from_dict(
        {
            "seed": 20010307,
            "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "deterministic": True},
            # The coverage and stateful phases are not bounded by max-examples; the budget is < 60 s.
            "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
            "dictionaries": {
                "case_no": {"values": api["cases"]},
                "customer_no": {"values": [CUSTOMER_NO]},
                "order_no": {"values": [api["order_no"]]},
                "control": {"values": CONTROLS},
                "item_no": {"values": ["1"]},
            },
            # Real numbers most of the time, so GETs read rows and commands reach the domain rules.
            "parameters": {
                "path.case_no": {"dictionary": "case_no", "probability": 0.8},
                "path.customer_no": {"dictionary": "customer_no", "probability": 0.8},
                "path.order_no": {"dictionary": "order_no", "probability": 0.8},
                "path.name": {"dictionary": "control", "probability": 0.8},
                "path.item_no": {"dictionary": "item_no", "probability": 0.5},
            },
        }
    )
    schema = schemathesis.openapi.from_asgi("/schema/openapi.json", api["app"], config=config)

    @schema.hook
    def map_query(context: Any, query: dict[str, Any] | None) -> dict[str, Any] | None:
        # A min_position beyond the log makes a query wait its full 5 s and answer 503: valid
        # behaviour, but operations x examples x 5 s would blow the time budget.
        if query and isinstance(query.get("min_position"), int) and query["min_position"] > api["position"]:
            query["min_position"] = api["position"]
        return query

    return schema


@pytest.fixture(autouse=True)
def _lazy_schema_node_id(request: pytest.FixtureRequest) -> None:
    """schemathesis 4.32's lazy schemas rename `node._nodeid` for their reports; pytest 9 has none."""
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


def headers_for(case: Any, api: dict[str, Any]) -> dict[str, str]:
    if case.path.startswith("/v1/api-keys"):
        return dict(api["headers"]["admin"])
    return dict(api["headers"]["read" if case.method.upper() == "GET" else "write"])


def documents_problem(document: dict[str, Any], method: str, path: str, status: int) -> bool:
    response = document["paths"][path][method.lower()]["responses"].get(str(status), {})
    return PROBLEM_JSON in response.get("content", {})


# GET /metrics takes no input at all, so fuzzing adds nothing; its documentation bug is
# pinned by test_metrics_are_documented_as_prometheus_text below.
schema = schemathesis.pytest.from_fixture("api_schema").exclude(path="/metrics")


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_without_5xx_and_as_documented(case: Any, api: dict[str, Any]) -> None:
    headers = headers_for(case, api)
    response = case.call(headers=headers)
    checks = CHECKS
    if response.status_code == 400 and not documents_problem(api["document"], case.method, case.path, 400):
        # Known bug, pinned by test_every_400_is_documented_as_a_problem_document: the 400 of
        # queries and key management is documented as Litestar's default body. Checked in full
        # again as soon as the document names the problem document.
        checks = [not_a_server_error]
    case.validate_response(response, checks=checks, headers=headers)


def test_the_seeded_log_is_read_by_real_numbers(api: dict[str, Any]) -> None:
    """The dictionaries above point at rows that exist: six cases and a pending quote."""
    assert api["cases"] == [str(n) for n in range(1000001, 1000007)]
    assert api["order_no"] and api["position"] > 50


def test_every_400_is_documented_as_a_problem_document(api: dict[str, Any]) -> None:
    document = api["document"]
    wrong = sorted(
        f"{method.upper()} {path}"
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if "400" in operation.get("responses", {}) and not documents_problem(document, method, path, 400)
    )
    assert wrong == []


def test_metrics_are_documented_as_prometheus_text(tmp_path_factory: pytest.TempPathFactory) -> None:
    path = tmp_path_factory.mktemp("metrics") / "crm.db"
    with TestClient(http_app(bootstrap(settings_for(f"sqlite:///{path}")))) as client:
        documented = client.get("/schema/openapi.json").json()["paths"]["/metrics"]["get"]["responses"]["200"]
        answered = client.get("/metrics").headers["content-type"]
    assert [media.split(";")[0] for media in documented["content"]] == ["text/plain"]
    assert answered == "text/plain; version=0.0.4; charset=utf-8"
