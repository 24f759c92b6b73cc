"""Authorization matrix: every endpoint by caller (no key, revoked key, each of the 11 roles).

No key and a revoked key are 401 everywhere. A role is 2xx where the spec allows it and
a 403 FORBIDDEN_ROLE problem where it does not, always on a case in a state where the
command is valid, so that only the role can decide (the role check comes before the state
checks, DOMAIN.md §4.6). Every (endpoint, allowed role) pair gets its own fresh case.

The allowed roles are written down here from DOMAIN.md §4.2/§4.3 and API.md ("Auth",
"Reading"), not taken from the code's policy tables. Where DOMAIN.md names no role for a
command, the cell is "unspecified": the test then only demands what the spec does fix
(auditor and analyst are read-only, admin manages keys only, integrator may do what
assistant and account_manager may do, and the roles the process narrative of §2 names
for the task), and accepts 2xx or 403 for the rest, but nothing else.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import msgspec
import pytest
from litestar.testing import TestClient

from domain.actor import Role
from infra.bootstrap import bootstrap, http_app
from tests.api.conftest import ADMIN, ADMIN_KEY, Keys
from tests.api.http_flows import (
    CASE_BODY,
    CUSTOMER_NO,
    Http,
    create,
    quote,
    register_customer,
    serve_and_close,
    v3,
)
from tests.clock import FixedClock
from tests.conftest import settings_for

A, SS, SUP, RL = Role.ASSISTANT, Role.SERVICE_STAFF, Role.SUPERVISOR, Role.REGIONAL_LOGISTICS
CH, CS, AM, INT = Role.COMPLAINT_HANDLER, Role.CS_AGENT, Role.ACCOUNT_MANAGER, Role.INTEGRATOR
WRITERS = frozenset({A, SS, SUP, RL, CH, CS, AM, INT})
"""API.md: auditor and analyst are read-only, admin manages keys only; every other role may write."""
READERS = frozenset(Role) - {Role.ADMIN}
"""API.md "Reading": every role except admin may call every GET endpoint."""
NO_KEY, REVOKED = "no key", "revoked key"
CALLERS: list[str] = [NO_KEY, REVOKED, *(role.value for role in Role)]
SUCCESS, FORBIDDEN, EITHER = "2xx", "403", "2xx or 403"


@dataclass(frozen=True)
class Rule:
    """Who may call an endpoint: `allowed` must succeed, `unspecified` may do either, the rest get 403."""

    allowed: frozenset[Role]
    unspecified: frozenset[Role] = frozenset()

    def expect(self, role: Role) -> str:
        if role in self.allowed:
            return SUCCESS
        return EITHER if role in self.unspecified else FORBIDDEN


def _with_integrator(roles: frozenset[Role]) -> frozenset[Role]:
    """API.md: integrator may do what assistant and account_manager may do."""
    return roles | {INT} if roles & {A, AM} else roles


def named(*roles: Role) -> Rule:
    """DOMAIN.md names the roles: exactly these (and integrator if it inherits one of them)."""
    return Rule(_with_integrator(frozenset(roles)))


def silent(*named_by_narrative: Role) -> Rule:
    """DOMAIN.md names no roles; §2 gives the task to `named_by_narrative`; other writers unspecified."""
    allowed = _with_integrator(frozenset(named_by_narrative))
    return Rule(allowed, WRITERS - allowed)


KEYS_ONLY = Rule(frozenset({Role.ADMIN}))
READING = Rule(READERS)

# --- shared state of the module --------------------------------------------------------------


@dataclass
class World:
    """One app for the whole module, the SM01 customer, a walked V3 case to read, a revoked key."""

    client: TestClient  # type: ignore[type-arg]
    keys: Keys
    h: Http
    read_case: str
    revoked: dict[str, str]
    shared: dict[str, dict[str, str]] = field(default_factory=dict)
    serial: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def unique(self, prefix: str) -> str:
        return f"{prefix}{next(self.serial)}"

    def headers(self, caller: str) -> dict[str, str]:
        if caller == NO_KEY:
            return {}
        if caller == REVOKED:
            return self.revoked
        return self.keys.headers(Role(caller))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    path = tmp_path_factory.mktemp("matrix") / "crm.db"
    # Setups send a few thousand commands a minute with the same keys: lift the per-key rate limit.
    settings = settings_for(
        f"sqlite:///{path}", bootstrap_admin_key=ADMIN_KEY, rate_limit_per_minute=1_000_000
    )
    with TestClient(http_app(bootstrap(settings, clock=FixedClock()))) as client:
        keys = Keys(client)
        h = Http(client, keys.headers)
        register_customer(h)
        read_case = v3(h)
        revoked_key = keys.issue("revoked-1", list(Role), name="已吊销")
        assert client.delete(f"/v1/api-keys/{key_id(revoked_key)}", headers=ADMIN).status_code == 204
        yield World(client, keys, h, read_case, {"Authorization": f"Bearer {revoked_key}"})


def key_id(key: str) -> str:
    key_id: str = key.split("_")[1]
    return key_id


# --- setups: a fresh target in a state where the command is valid -------------------------------

Target = dict[str, str]
"""Path parameters (and values the body needs) of one prepared target."""


def customer(w: World) -> Target:
    return {"customer_no": CUSTOMER_NO}


def nothing(w: World) -> Target:
    return {}


def case(**overrides: Any) -> Callable[[World], Target]:
    def setup(w: World) -> Target:
        return {"case_no": create(w.h, **overrides)}

    return setup


def surveyed(w: World) -> Target:
    no = create(w.h)
    w.h.post(f"/v1/cases/{no}/site-survey", SS)
    return {"case_no": no}


def with_service_form(w: World) -> Target:
    target = surveyed(w)
    form = {"kind": "SURVEY", "service_staff_id": "202", "date": "2001-03-07", "content": "需总部报价"}
    w.h.post(f"/v1/cases/{target['case_no']}/service-forms", SS, form | {"hq_quote_needed": True})
    return target


def awaiting_approval(w: World) -> Target:
    target = with_service_form(w)
    w.h.post(f"/v1/cases/{target['case_no']}/approval-requests", A, {"purpose": "HQ_QUOTE"})
    return target


def approved(w: World) -> Target:
    target = awaiting_approval(w)
    w.h.post(f"/v1/cases/{target['case_no']}/approve", SUP, {"comment": "同意"})
    return target


def escalated(w: World) -> Target:
    target = approved(w)
    body = {"unit": "RL-EAST", "purpose": "QUOTE_AND_STAFFING"}
    w.h.post(f"/v1/cases/{target['case_no']}/escalations", A, body)
    return target


def pending_quote(w: World) -> Target:
    target = surveyed(w)
    line = {"description": "更换锁芯", "material": "100056", "qty": 1, "unit_price": "80.00"}
    order = w.h.post(f"/v1/cases/{target['case_no']}/service-orders", A, {"lines": [line]})
    return target | {"order_no": str(order["order_no"])}


def served(w: World) -> Target:
    target = surveyed(w)
    body = {"date": "2001-03-08", "work_done": "已更换活动柜锁芯"}
    w.h.post(f"/v1/cases/{target['case_no']}/on-site-service", SS, body)
    return target


def accepted(w: World) -> Target:
    target = served(w)
    w.h.post(f"/v1/cases/{target['case_no']}/acceptance", A, {"accepted_by_name": "张经理"})
    return target


def closed(w: World) -> Target:
    target = accepted(w)
    w.h.post(f"/v1/cases/{target['case_no']}/close", A)
    return target


def closed_with_confirmed_quote(w: World) -> Target:
    target = surveyed(w)
    order_no = quote(w.h, target["case_no"])
    serve_and_close(w.h, target["case_no"])
    return target | {"order_no": order_no}


def z2_sent(w: World) -> Target:
    no = create(w.h, type="Z2", po_number="80012345")
    w.h.post(f"/v1/cases/{no}/complaint-forms", A, {"complaint_kind": "REPAIR", "description": "组装缺件"})
    w.h.post(f"/v1/cases/{no}/escalations", A, {"unit": "RL-EAST", "purpose": "PRE_PAYMENT_COMPLAINT"})
    return {"case_no": no}


def z2_replied(w: World) -> Target:
    target = z2_sent(w)
    w.h.post(f"/v1/cases/{target['case_no']}/reply-to-sales", RL, {"note": "已安排补件"})
    return target


def z2_delivered(w: World) -> Target:
    target = z2_replied(w)
    body = {"delivered_at": "2001-03-09T10:00:00+08:00"}
    w.h.post(f"/v1/cases/{target['case_no']}/goods-delivered", RL, body)
    return target


def issued_key(w: World) -> Target:
    return {"key_id": key_id(w.keys.issue(w.unique("k-"), [Role.ANALYST]))}


def reading(w: World) -> Target:
    return {"case_no": w.read_case, "customer_no": CUSTOMER_NO}


# --- the endpoints ---------------------------------------------------------------------------

Body = Callable[[World, Target], Any]


def fixed(body: Any) -> Body:
    return lambda w, t: body


NO_BODY = fixed(None)


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    rule: Rule
    setup: Callable[[World], Target]
    body: Body = NO_BODY
    success: int = 200
    label: str = ""
    query: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.label or f"{self.method} {self.path}"

    def url(self, target: Target) -> str:
        return self.path.format(**target)


C = "/v1/customers/{customer_no}"
N = "/v1/cases/{case_no}"
LINE = {"description": "更换锁芯", "material": "100056", "qty": 1, "unit_price": "80.00"}
ITEM = {"product_type": {"category": "06"}, "colour": {"main": "A"}, "text": "100056,2", "reason_code": "1"}
NO_ROLES_IN_4_2 = silent()  # DOMAIN.md §4.2 names roles for RegisterCustomer only

REGISTER = {"name": "上海某某家具有限公司", "kind": "ENTERPRISE", "address": "上海市"}
CONTACT = {"channel": "PHONE", "direction": "OUT", "effective": True, "purpose": "回访"}
SURVEY = {"kind": "SERVICE", "service_staff_id": "202", "date": "2001-03-07", "content": "更换锁芯"}
COMPLAINT = {"complaint_kind": "REPAIR", "description": "活动柜锁损坏"}
EMAIL = {"recipients": ["rl@example.com"], "department": "区物流", "subject": "活动柜锁"}
RETURNED = {"returned_at": "2001-03-10T15:00:00+08:00", "manufacturer": "震旦家具"}
ON_SITE = {"date": "2001-03-08", "work_done": "已更换活动柜锁芯", "service_staff_id": "202"}

COMMANDS = [
    # DOMAIN.md §4.2 RegisterCustomer: "roles ASSISTANT, CS_AGENT, ACCOUNT_MANAGER, INTEGRATOR".
    Endpoint("POST", "/v1/customers", named(A, CS, AM, INT), nothing, success=201,
             body=lambda w, t: REGISTER | {"customer_no": w.unique("90")}),
    Endpoint("PATCH", C, NO_ROLES_IN_4_2, customer, body=lambda w, t: {"address": w.unique("张江路")}),
    Endpoint("POST", C + "/functional-locations", NO_ROLES_IN_4_2, customer, success=201,
             body=lambda w, t: {"fl_no": w.unique("FL-M"), "address": "上海市徐汇区"}),
    # "role ACCOUNT_MANAGER or CS_AGENT [I]" in §4.2 is the assigned employee's role, not the caller's.
    Endpoint("POST", C + "/account-manager", NO_ROLES_IN_4_2, customer,
             body=lambda w, t: {"employee_id": w.unique("am-")}),
    Endpoint("POST", C + "/contacts", NO_ROLES_IN_4_2, customer, body=fixed(CONTACT)),
    Endpoint("POST", C + "/return-visits", NO_ROLES_IN_4_2, customer,
             body=fixed({"channel": "PHONE", "satisfied": True, "score": 5})),
    Endpoint("POST", C + "/monthly-sales", NO_ROLES_IN_4_2, customer,
             body=fixed({"month": "2001-02", "amount": "100.00"})),
    Endpoint("POST", C + "/asset-balances", NO_ROLES_IN_4_2, customer,
             body=fixed({"as_of": "2001-03-01", "amount": "1000.00"})),
    Endpoint("POST", C + "/projects", NO_ROLES_IN_4_2, customer,
             body=lambda w, t: {"project_id": w.unique("PJ-"), "delivered_on": "2001-03-01"}),
    Endpoint("POST", C + "/surveys", NO_ROLES_IN_4_2, customer,
             body=fixed({"score": 4, "instrument": "PHONE"})),
    # §4.3.1 "ASSISTANT (also CS_AGENT, INTEGRATOR [I])"; C1 invariant 2.
    Endpoint("POST", "/v1/cases", named(A, CS, INT), nothing, body=fixed(CASE_BODY), success=201),
    # C4: §2.7 and §2.8 V3/V4: the assistant modifies the notification.
    Endpoint("PATCH", N, silent(A), case(), body=fixed({"required_end": "2001-03-09"})),
    # C2: §2.6 example 1 and §2.8 V1: the assistant creates it and puts it in process.
    Endpoint("POST", N + "/put-in-process", silent(A), case(put_in_process=False), body=fixed({})),
    # C3: "Role ASSISTANT".
    Endpoint("POST", N + "/dispatch", named(A), case(urgency="URGENT", put_in_process=False),
             body=fixed({"service_staff_id": "202", "channel": "PHONE"})),
    # C5, C6: part of modifying the notification (§2.6 example 2; §2.7: the assistant).
    Endpoint("POST", N + "/long-texts", silent(A), case(), body=fixed({"text": "抽屉打不开。"})),
    Endpoint("POST", N + "/items", silent(A), case(), body=fixed(ITEM), success=201),
    Endpoint("PATCH", N + "/items/1", silent(A), case(), body=fixed({"quantity": 2})),
    Endpoint("DELETE", N + "/items/1", silent(A), case()),
    # C7 and §4.3.1: ASSISTANT, SERVICE_STAFF.
    Endpoint("POST", N + "/site-survey", named(A, SS), case(), body=fixed({"code": "KCWB"})),
    # C8: "role ASSISTANT (transcribing the paper form) or SERVICE_STAFF".
    Endpoint("POST", N + "/service-forms", named(A, SS), surveyed, body=fixed(SURVEY)),
    # C9: "Role ASSISTANT".
    Endpoint("POST", N + "/complaint-forms", named(A), case(category="COMPLAINT"), body=fixed(COMPLAINT),
             success=201),
    # C10: "role ASSISTANT".
    Endpoint("POST", N + "/approval-requests", named(A), with_service_form,
             body=fixed({"purpose": "HQ_QUOTE"})),
    # C11, C12 and §4.3.1: "SUPERVISOR only".
    Endpoint("POST", N + "/approve", named(SUP), awaiting_approval, body=fixed({"comment": "同意"})),
    Endpoint("POST", N + "/reject", named(SUP), awaiting_approval, body=fixed({"reason": "资料不全"})),
    # C13: "Role ASSISTANT".
    Endpoint("POST", N + "/escalations", named(A), approved,
             body=fixed({"unit": "RL-EAST", "purpose": "QUOTE_AND_STAFFING"})),
    # C14: "Role ASSISTANT/SUPERVISOR".
    Endpoint("POST", N + "/emails", named(A, SUP), case(), body=fixed(EMAIL)),
    # C15 and §4.3.1: "REGIONAL_LOGISTICS or ASSISTANT".
    Endpoint("POST", N + "/department-replies", named(RL, A), escalated,
             body=fixed({"reply_text": "报价已出"})),
    # §4.3.2: REGIONAL_LOGISTICS, COMPLAINT_HANDLER; "ASSISTANT attempting HFYY/DDKH/THCS → 403".
    Endpoint("POST", N + "/reply-to-sales", named(RL, CH), z2_sent, body=fixed({"note": "已安排补件"})),
    Endpoint("POST", N + "/goods-delivered", named(RL, CH), z2_replied,
             body=fixed({"delivered_at": "2001-03-09T10:00:00+08:00"})),
    Endpoint("POST", N + "/goods-returned", named(RL, CH), z2_replied, body=fixed(RETURNED)),
    # C17: "role ASSISTANT".
    Endpoint("POST", N + "/service-orders", named(A), surveyed, body=fixed({"lines": [LINE]}), success=201),
    # C18: no role named (the customer confirms; someone records it).
    Endpoint("POST", N + "/service-orders/{order_no}/confirm", silent(), pending_quote,
             body=fixed({"confirmed_by_name": "张经理", "via": "PHONE"})),
    Endpoint("POST", N + "/service-orders/{order_no}/decline", silent(), pending_quote,
             body=fixed({"reason": "价格过高"})),
    # C19: §2.7: the service staff perform the on-site service.
    Endpoint("POST", N + "/on-site-service", silent(SS), surveyed, body=fixed(ON_SITE)),
    # C20: no role named.
    Endpoint("POST", N + "/acceptance", silent(), served, body=fixed({"accepted_by_name": "张经理"})),
    # C21: §4.3.1 Z1 ASSISTANT, SUPERVISOR; §4.3.2 Z2 REGIONAL_LOGISTICS, COMPLAINT_HANDLER, ASSISTANT.
    Endpoint("POST", N + "/close", named(A, SUP), accepted, body=fixed({}), label="POST close (Z1)"),
    Endpoint("POST", N + "/close", named(RL, CH, A), z2_delivered, body=fixed({}), label="POST close (Z2)"),
    # C22: "role ASSISTANT".
    Endpoint("POST", N + "/invoices", named(A), closed_with_confirmed_quote, success=201,
             body=lambda w, t: {"order_no": t["order_no"]}),
    # C23: no role named.
    Endpoint("POST", N + "/satisfaction-survey", silent(), closed,
             body=fixed({"score": 5, "channel": "PHONE"})),
]  # fmt: skip

KEY_ENDPOINTS = [
    # API.md "Auth": POST and DELETE are admin's; the key list is key management too.
    Endpoint("POST", "/v1/api-keys", KEYS_ONLY, nothing, success=201,
             body=lambda w, t: {"actor_id": w.unique("m-"), "name": "某人", "roles": ["analyst"]}),
    Endpoint("DELETE", "/v1/api-keys/{key_id}", KEYS_ONLY, issued_key, success=204),
    Endpoint("GET", "/v1/api-keys", KEYS_ONLY, nothing),
]  # fmt: skip

MONTH = {"month": "2001-03"}
QUERIES = [
    Endpoint("GET", path, READING, reading, query=query)
    for path, query in [
        (C, {}),
        (C + "/history", {}),
        (N, {}),
        (N + "/history", {}),
        (N + "/timeline", {}),
        ("/v1/audit/events", {}),
        ("/v1/audit/verify", {}),
        ("/v1/audit/controls/closed-without-invoice", {}),
        ("/v1/audit/controls/self-approved", {}),
        ("/v1/queues/work", {}),
        (
            "/v1/queues/work-plan",
            {"sales_office": "4002", "date_from": "2001-01-01", "date_to": "2030-12-31"},
        ),
        ("/v1/queues/approvals", {}),
        ("/v1/queues/regional-logistics", {}),
        ("/v1/queues/contacts", {}),
        ("/v1/reports/overdue", {}),
        ("/v1/reports/satisfaction", {"period": "2001-03"}),
        ("/v1/reports/dormant-customers", {}),
        ("/v1/reports/customers/{customer_no}/monthly", MONTH),
        ("/v1/reports/complaints", MONTH),
        ("/v1/reports/service-orders", {}),
        ("/v1/reports/big-customers", {}),
        ("/v1/events", {}),
    ]
]
# Not in the matrix: GET /health, /ready, /metrics and /schema (API.md "Operations") are for
# probes and scrapers and take no key.
ENDPOINTS = [*COMMANDS, *KEY_ENDPOINTS, *QUERIES]


# --- the matrix ------------------------------------------------------------------------------


def target_for(w: World, endpoint: Endpoint, fresh: bool) -> Target:
    """A fresh target when the call may change it; else one shared per endpoint (401/403 change nothing)."""
    if fresh:
        return endpoint.setup(w)
    if endpoint.name not in w.shared:
        w.shared[endpoint.name] = endpoint.setup(w)
    return w.shared[endpoint.name]


def call(w: World, endpoint: Endpoint, caller: str, target: Target) -> Any:
    body = endpoint.body(w, target)
    content = None if body is None else msgspec.json.encode(body)
    headers = w.headers(caller) | ({"Content-Type": "application/json"} if content is not None else {})
    return w.client.request(
        endpoint.method, endpoint.url(target), content=content, headers=headers, params=endpoint.query
    )


def assert_problem(response: Any, status: int, code: str | None = None) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == status
    if code:
        assert problem["code"] == code, problem


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_each_caller_gets_exactly_what_the_spec_allows(world: World, endpoint: Endpoint, caller: str) -> None:
    unauthenticated = caller in (NO_KEY, REVOKED)
    expected = FORBIDDEN if unauthenticated else endpoint.rule.expect(Role(caller))
    fresh = expected != FORBIDDEN
    response = call(world, endpoint, caller, target_for(world, endpoint, fresh))
    if not fresh and response.is_success:
        world.shared.pop(endpoint.name, None)  # the shared target moved on: don't let one bug cascade
    if unauthenticated:
        assert_problem(response, 401)
    elif expected == SUCCESS:
        assert response.status_code == endpoint.success, response.text
    elif expected == FORBIDDEN or response.status_code != endpoint.success:
        assert_problem(response, 403, "FORBIDDEN_ROLE")  # an unspecified cell: 403 if not a success


UNSPECIFIED_FOR_INTEGRATOR = [e for e in COMMANDS if INT in e.rule.unspecified]


@pytest.mark.parametrize("endpoint", UNSPECIFIED_FOR_INTEGRATOR, ids=lambda e: e.name)
def test_the_integrator_may_do_what_assistant_or_account_manager_may_do(
    world: World, endpoint: Endpoint
) -> None:
    """API.md "Auth": where DOMAIN.md names no roles, integrator still inherits assistant and
    account_manager."""
    allowed = {
        role: call(world, endpoint, role.value, endpoint.setup(world)).status_code == endpoint.success
        for role in (A, AM, INT)
    }
    if allowed[A] or allowed[AM]:
        assert allowed[INT], allowed


CASE_COMMANDS = [e for e in COMMANDS if e.path.startswith(N)]


def forbidden_role(rule: Rule) -> Role:
    """A role the spec refuses: a writer if there is one (more telling than a read-only role)."""
    return next((r for r in sorted(WRITERS) if rule.expect(r) == FORBIDDEN), Role.ANALYST)


@pytest.mark.parametrize("endpoint", CASE_COMMANDS, ids=lambda e: e.name)
def test_a_forbidden_role_is_403_even_where_the_command_would_be_refused(
    world: World, endpoint: Endpoint
) -> None:
    """DOMAIN.md §4.6: 403 comes before 422 and 409. On a closed Z1 case nearly every command
    is a 409 NOTIFICATION_CLOSED (or another 409, or a 422 for the Z2 commands); a role that
    may not run it must still hear 403."""
    if "closed" not in world.shared:
        world.shared["closed"] = closed_with_confirmed_quote(world)
    response = call(world, endpoint, forbidden_role(endpoint.rule).value, world.shared["closed"])
    assert_problem(response, 403, "FORBIDDEN_ROLE")
