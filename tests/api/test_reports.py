"""Report endpoints over HTTP: overdue, satisfaction, dormant customers, monthly, complaints,
service orders and big customers."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient

from tests.api.conftest import ADMIN, Keys
from tests.api.http_flows import SS, A, Http, create, quote, register_customer, v1, v2
from tests.api.query_support import all_pages, csv_rows, failing_fields, http, items, query

CUSTOMER_NO = "2110050007"


@pytest.fixture
def h(client: TestClient, keys: Keys) -> Http:  # type: ignore[type-arg]
    world = http(client, keys)
    register_customer(world)
    return world


def test_the_overdue_list_has_a_row_per_case_and_reason_most_overdue_first(h: Http) -> None:
    normal = create(h)  # start 03-07, end 03-08, in TZJL
    urgent = create(h, urgency="URGENT", required_start="2001-03-09", required_end="2001-03-12")
    rows = items(h, "/v1/reports/overdue", as_of="2001-03-10")
    assert [(r["case_no"], r["reason"], r["days_overdue"]) for r in rows] == [
        (urgent, "URGENT_NOT_DISPATCHED", 4),
        (normal, "SURVEY_NOT_STARTED", 3),
        (normal, "OVERDUE_END", 2),
        (urgent, "SURVEY_NOT_STARTED", 1),
    ]
    pages = all_pages(h, "/v1/reports/overdue", limit=3, as_of="2001-03-10")
    assert [len(page) for page in pages] == [3, 1] and [r for p in pages for r in p] == rows
    as_csv = csv_rows(query(h, "/v1/reports/overdue", accept="text/csv", as_of="2001-03-10"))
    assert [(r["case_no"], r["reason"], int(r["days_overdue"])) for r in as_csv] == [
        (r["case_no"], r["reason"], r["days_overdue"]) for r in rows
    ]


def test_nothing_is_overdue_before_its_day(h: Http) -> None:
    create(h)
    assert items(h, "/v1/reports/overdue", as_of="2001-03-07") == []


def test_satisfaction_per_group_in_a_month_or_a_quarter(h: Http) -> None:
    v1(h)
    month = query(h, "/v1/reports/satisfaction", period="2001-03", group_by="responsible_person").json()
    (row,) = month["items"]
    assert (row["group"], row["surveys_count"], row["avg_score"]) == ("202", 1, "5.00")
    assert (row["closed_count"], row["evaluation_rate"], row["below_target"]) == (1, "1.0000", False)
    assert month["next_cursor"] is None and month["customer_surveys"] == []
    quarter = items(h, "/v1/reports/satisfaction", period="2001-Q1", group_by="notification_type")
    assert [(r["group"], r["surveys_count"]) for r in quarter] == [("Z1", 1)]
    as_csv = csv_rows(query(h, "/v1/reports/satisfaction", accept="text/csv", period="2001-03"))
    assert [(r["group"], r["avg_score"]) for r in as_csv] == [("202", "5.00")]


def test_dormant_customers_are_those_inactive_for_at_least_the_given_days(h: Http) -> None:
    (row,) = items(h, "/v1/reports/dormant-customers", as_of="2002-03-06")
    assert (row["customer_no"], row["days_inactive"], row["last_activity_type"]) == (
        CUSTOMER_NO,
        365,
        "CustomerRegistered",
    )
    assert items(h, "/v1/reports/dormant-customers", as_of="2002-03-05") == []
    assert len(items(h, "/v1/reports/dormant-customers", as_of="2001-04-05", days=30)) == 1


def test_the_monthly_report_counts_one_customers_month(h: Http) -> None:
    create(h)
    create(h)
    create(h, type="Z2", po_number="80012345")
    path = f"/v1/reports/customers/{CUSTOMER_NO}/monthly"
    report = query(h, path, month="2001-03").json()
    assert (report["customer_no"], report["month"]) == (CUSTOMER_NO, "2001-03")
    assert (report["notifications_created_z1"], report["notifications_created_z2"]) == (2, 1)
    assert (report["complaints_count"], report["by_reason_code"]) == (1, {"1": 3})
    assert query(h, path).json() == report  # the clock's month by default
    (row,) = csv_rows(query(h, path, accept="text/csv", month="2001-03"))
    assert (row["notifications_created_z1"], row["invoiced_amount"]) == ("2", "0.00")


def test_the_monthly_report_of_an_unknown_customer_is_404(h: Http) -> None:
    response = query(h, "/v1/reports/customers/NOPE/monthly", expect=404, month="2001-03")
    assert response.json()["code"] == "CUSTOMER_NOT_FOUND"


def test_complaint_statistics_per_sales_office(h: Http) -> None:
    create(h, type="Z2", po_number="80012345")
    create(h, category="COMPLAINT")
    create(h, category="COMPLAINT", sales_office="4003")
    create(h)  # paid service: not a complaint
    rows = items(h, "/v1/reports/complaints", month="2001-03")
    assert [(r["sales_office"], r["received"], r["open_at_month_end"]) for r in rows] == [
        ("4002", 2, 2),
        ("4003", 1, 1),
    ]
    only = items(h, "/v1/reports/complaints", month="2001-03", sales_office="4003")
    assert [r["sales_office"] for r in only] == ["4003"]
    assert items(h, "/v1/reports/complaints", month="2001-02", sales_office="4003")[0]["received"] == 0


def test_the_service_order_register_filters_by_status_and_date(h: Http) -> None:
    invoiced = v2(h)
    pending = create(h)
    h.post(f"/v1/cases/{pending}/site-survey", SS)
    confirmed_order = quote(h, pending)
    rows = items(h, "/v1/reports/service-orders")
    assert [(r["case_no"], r["status"]) for r in rows] == [(invoiced, "INVOICED"), (pending, "CONFIRMED")]
    confirmed = items(h, "/v1/reports/service-orders", status="CONFIRMED,PENDING_CONFIRMATION")
    assert [(r["order_no"], r["total_amount"]) for r in confirmed] == [(confirmed_order, "80.00")]
    assert items(h, "/v1/reports/service-orders", date_from="2001-03-07") == []
    assert [len(page) for page in all_pages(h, "/v1/reports/service-orders", limit=1)] == [1, 1]


def test_big_customers_show_the_basis_of_their_tier(h: Http) -> None:
    h.post(
        "/v1/customers", A, {"customer_no": "C2", "name": "大客户", "kind": "ENTERPRISE", "address": "上海"}
    )
    h.post("/v1/customers/C2/monthly-sales", A, {"month": "2001-02", "amount": "2150.00"})
    (row,) = items(h, "/v1/reports/big-customers")
    assert (row["customer_no"], row["tier"], row["basis"]) == (
        "C2",
        "BIG_CUSTOMER",
        "AVG_MONTHLY_SALES:2150.00",
    )
    assert [r["customer_no"] for r in items(h, "/v1/reports/big-customers", tier="ALL")] == [
        "C2",
        CUSTOMER_NO,
    ]
    assert [r["customer_no"] for r in items(h, "/v1/reports/big-customers", tier="STANDARD")] == [CUSTOMER_NO]


BAD_PARAMETERS = [
    ("/v1/reports/overdue", {"as_of": "yesterday"}, "as_of"),
    ("/v1/reports/overdue", {"limit": "501"}, "limit"),
    ("/v1/reports/satisfaction", {"period": "2001-13"}, "period"),
    ("/v1/reports/satisfaction", {"period": "2001-Q5"}, "period"),
    ("/v1/reports/satisfaction", {"group_by": "colour"}, "group_by"),
    ("/v1/reports/dormant-customers", {"days": "0"}, "days"),
    ("/v1/reports/dormant-customers", {"as_of": "0001-01-05"}, "as_of"),
    (f"/v1/reports/customers/{CUSTOMER_NO}/monthly", {"month": "2001-3"}, "month"),
    ("/v1/reports/complaints", {"month": "March"}, "month"),
    ("/v1/reports/complaints", {"month": "0000-01"}, "month"),
    ("/v1/reports/service-orders", {"status": "CONFIRMED,PAID"}, "status"),
    ("/v1/reports/service-orders", {"date_to": "2001-02-30"}, "date_to"),
    ("/v1/reports/service-orders", {"cursor": "%%%"}, "cursor"),
    ("/v1/reports/big-customers", {"tier": "GOLD"}, "tier"),
    ("/v1/reports/big-customers", {"limit": "0"}, "limit"),
]


def test_bad_report_parameters_are_400_naming_the_parameter(h: Http) -> None:
    for path, params, field in BAD_PARAMETERS:
        assert field in failing_fields(query(h, path, expect=400, **params)), (path, params)


REPORTS = [
    "/v1/reports/overdue",
    "/v1/reports/satisfaction",
    "/v1/reports/dormant-customers",
    f"/v1/reports/customers/{CUSTOMER_NO}/monthly",
    "/v1/reports/complaints",
    "/v1/reports/service-orders",
    "/v1/reports/big-customers",
]


def test_every_report_answers_with_the_read_model_position(h: Http) -> None:
    for path in REPORTS:
        response = query(h, path)
        assert int(response.headers["x-read-model-position"]) >= 0, path


def test_admin_keys_may_not_read_reports(client: TestClient) -> None:  # type: ignore[type-arg]
    for path in REPORTS:
        response = client.get(path, headers=ADMIN)
        assert (response.status_code, response.json()["code"]) == (403, "FORBIDDEN_ROLE"), path
