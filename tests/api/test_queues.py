"""Queue endpoints over HTTP: work queue, work plan, approvals, regional logistics, contacts."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient

from domain.actor import Role
from tests.api.conftest import ADMIN, Keys
from tests.api.http_flows import SS, SUP, A, Http, create, register_customer
from tests.api.query_support import STAFF_NAME, all_pages, csv_rows, failing_fields, http, items, query

WORK = "/v1/queues/work"


@pytest.fixture
def h(client: TestClient, keys: Keys) -> Http:  # type: ignore[type-arg]
    world = http(client, keys)
    register_customer(world)
    return world


def three_cases(h: Http) -> tuple[str, str, str]:
    """A normal Z1 (start 03-07), an urgent Z1 (start 03-09) and a Z2 (start 03-07)."""
    normal = create(h)
    urgent = create(h, urgency="URGENT", required_start="2001-03-09", required_end="2001-03-12")
    z2 = create(h, type="Z2", po_number="80012345", responsible_person="303")
    return normal, urgent, z2


def test_the_work_queue_lists_urgent_first_then_by_required_start_with_names(h: Http) -> None:
    normal, urgent, z2 = three_cases(h)
    rows = items(h, WORK)
    assert [row["case_no"] for row in rows] == [urgent, normal, z2]
    assert rows[0]["responsible_name"] == STAFF_NAME and rows[2]["responsible_name"] == ""
    assert rows[0]["customer_name"] == "申齐保健食品有限公司"


def test_work_queue_filters_take_comma_separated_values_and_combine(h: Http) -> None:
    normal, urgent, z2 = three_cases(h)
    assert [r["case_no"] for r in items(h, WORK, type="Z2")] == [z2]
    assert [r["case_no"] for r in items(h, WORK, type="Z1,Z2", urgency="NORMAL")] == [normal, z2]
    assert items(h, WORK, system_status="OUTSTANDING,COMPLETED") == []
    assert [r["case_no"] for r in items(h, WORK, responsible_person="202", type="Z1")] == [urgent, normal]
    assert items(h, WORK, date_from="2001-03-07") == []


def test_overdue_only_and_as_of_set_the_time_based_columns(h: Http) -> None:
    normal, _, z2 = three_cases(h)
    late = items(h, WORK, overdue_only="true", as_of="2001-03-10")
    assert [r["case_no"] for r in late] == [normal, z2]
    assert late[0]["is_overdue"] is True and late[0]["days_open"] == 4
    assert [r["is_overdue"] for r in items(h, WORK)] == [False, False, False]


def test_the_cursor_walks_the_queue_without_gaps_or_repeats(h: Http) -> None:
    cases = three_cases(h)
    pages = all_pages(h, WORK, limit=2)
    assert [len(page) for page in pages] == [2, 1]
    assert sorted(row["case_no"] for page in pages for row in page) == sorted(cases)


def test_csv_has_the_same_rows_as_json_and_every_answer_has_the_position(h: Http) -> None:
    three_cases(h)
    as_json = query(h, WORK)
    as_csv = query(h, WORK, accept="text/csv")
    assert [r["case_no"] for r in csv_rows(as_csv)] == [r["case_no"] for r in as_json.json()["items"]]
    assert csv_rows(as_csv)[0]["urgent_dispatched"] == "false"
    position = int(as_json.headers["x-read-model-position"])
    assert position >= h.last_position > 0
    assert as_csv.headers["x-read-model-position"] == str(position)


BAD_WORK_PARAMETERS = [
    ({"system_status": "OUTSTANDING,OPEN"}, "system_status"),
    ({"user_status": "XXXX"}, "user_status"),
    ({"as_of": "2001-02-30"}, "as_of"),
    ({"limit": "0"}, "limit"),
    ({"limit": "501"}, "limit"),
    ({"cursor": "not-a-cursor"}, "cursor"),
    ({"date_from": "2001-03-09", "date_to": "2001-03-01"}, "date_to"),
    ({"overdue_only": "perhaps"}, "overdue_only"),
    ({"sales_office": "4002;drop"}, "sales_office"),
]


def test_bad_work_queue_parameters_are_400_naming_the_parameter(h: Http) -> None:
    for params, field in BAD_WORK_PARAMETERS:
        assert field in failing_fields(query(h, WORK, expect=400, **params)), params


def test_the_work_plan_groups_open_z1_cases_of_an_office_by_responsible_person(h: Http) -> None:
    normal, urgent, _ = three_cases(h)
    other = create(h, responsible_person="101", sales_office="4003")
    create(h, responsible_person="101", required_start="2001-03-08")
    body = query(h, "/v1/queues/work-plan", sales_office="4002", date_from="2001-03-01").json()
    groups = [(g["responsible_person"], g["responsible_name"]) for g in body["groups"]]
    assert groups == [("101", ""), ("202", STAFF_NAME)]
    assert [r["case_no"] for r in body["groups"][1]["items"]] == [normal, urgent]
    assert other not in {r["case_no"] for g in body["groups"] for r in g["items"]}
    flat = csv_rows(query(h, "/v1/queues/work-plan", accept="text/csv", sales_office="4002"))
    assert len(flat) == 3 and {r["responsible_name"] for r in flat} == {"", STAFF_NAME}


def test_the_work_plan_needs_a_sales_office(h: Http) -> None:
    assert failing_fields(query(h, "/v1/queues/work-plan", expect=400)) == ["sales_office"]


def test_the_approval_queue_holds_pending_requests_until_decided(h: Http) -> None:
    first, second = create(h), create(h, sales_office="4003")
    form = {"kind": "SURVEY", "service_staff_id": "202", "date": "2001-03-07", "content": "需总部报价"}
    for no in (first, second):
        h.post(f"/v1/cases/{no}/site-survey", SS)
        h.post(f"/v1/cases/{no}/service-forms", SS, form)
        h.post(f"/v1/cases/{no}/approval-requests", A, {"purpose": "HQ_QUOTE"})
    rows = items(h, "/v1/queues/approvals")
    assert [(r["case_no"], r["purpose"], r["waiting_hours"]) for r in rows] == [
        (first, "HQ_QUOTE", 0),
        (second, "HQ_QUOTE", 0),
    ]
    assert [r["case_no"] for r in items(h, "/v1/queues/approvals", sales_office="4003")] == [second]
    h.post(f"/v1/cases/{first}/approve", SUP)
    assert [r["case_no"] for r in items(h, "/v1/queues/approvals")] == [second]


def test_the_regional_logistics_queue_shows_escalations_with_the_payment_status(h: Http) -> None:
    z2 = create(h, type="Z2", po_number="80012345")
    h.post(f"/v1/cases/{z2}/complaint-forms", A, {"complaint_kind": "REPAIR", "description": "组装缺件"})
    h.post(f"/v1/cases/{z2}/escalations", A, {"unit": "RL-EAST", "purpose": "PRE_PAYMENT_COMPLAINT"})
    (row,) = items(h, "/v1/queues/regional-logistics")
    assert (row["case_no"], row["payment_status"], row["complaint_kind"]) == (z2, "NOT_FULLY_PAID", "REPAIR")
    assert row["days_waiting"] == 0
    assert csv_rows(query(h, "/v1/queues/regional-logistics", accept="text/csv"))[0]["case_no"] == z2


def test_the_contact_queue_shows_the_first_visit_of_a_new_customer(h: Http) -> None:
    rows = items(h, "/v1/queues/contacts", as_of="2001-03-20")
    assert [(r["customer_no"], r["due_reason"], r["status"]) for r in rows] == [
        ("2110050007", "NEW_CUSTOMER_FIRST_VISIT", "OVERDUE")
    ]
    assert rows[0]["due_date"] == "2001-03-16" and rows[0]["days_overdue"] == 4
    assert items(h, "/v1/queues/contacts", as_of="2001-03-20", reason="POST_COMPLAINT") == []
    assert items(h, "/v1/queues/contacts", as_of="2001-03-20", account_manager="am-9") == []


def test_an_unknown_contact_reason_is_400(h: Http) -> None:
    assert failing_fields(query(h, "/v1/queues/contacts", expect=400, reason="SOMETIME")) == ["reason"]


QUEUES = [
    WORK,
    "/v1/queues/work-plan?sales_office=4002",
    "/v1/queues/approvals",
    "/v1/queues/regional-logistics",
    "/v1/queues/contacts",
]


def test_admin_keys_may_not_read_queues_and_no_key_is_401(client: TestClient) -> None:  # type: ignore[type-arg]
    for path in QUEUES:
        response = client.get(path, headers=ADMIN)
        assert (response.status_code, response.json()["code"]) == (403, "FORBIDDEN_ROLE"), path
        assert client.get(path).status_code == 401, path


def test_every_reading_role_may_read_the_queue(h: Http) -> None:
    for role in (Role.SUPERVISOR, Role.INTEGRATOR, Role.AUDITOR):
        assert h.client.get(WORK, headers=h.headers(role)).status_code == 200
