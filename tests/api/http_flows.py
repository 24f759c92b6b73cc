"""Walk notifications over HTTP along the paths V1–V5 of DOMAIN.md §2.8 (any httpx client).

Works with the in-process TestClient and with an httpx.Client against a real
server; `headers(role)` gives the Authorization header of a key for that role.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from domain.actor import Role

A, SS, SUP, RL, AGENT = (
    Role.ASSISTANT,
    Role.SERVICE_STAFF,
    Role.SUPERVISOR,
    Role.REGIONAL_LOGISTICS,
    Role.CS_AGENT,
)
CUSTOMER_NO = "2110050007"
CASE_BODY: dict[str, Any] = {
    "type": "Z1", "category": "PAID_SERVICE", "urgency": "NORMAL", "payment_status": "FULLY_PAID",
    "description": "活动柜锁", "long_text": "客户叫修: 活动柜锁坏", "ship_to": CUSTOMER_NO,
    "reporter": "王敏",
    "po_number": "30000075", "po_date": "2001-03-01", "required_start": "2001-03-07",
    "required_end": "2001-03-08", "main_work_center": "S4002", "plant": "F011", "responsible_person": "202",
    "sales_org": "F011", "distribution_channel": "10", "division": "02", "sales_office": "4002",
    "sales_group": "002", "functional_location": "2110050027", "put_in_process": True,
    "items": [
        {"product_type": {"category": "06"}, "colour": {"main": "A"}, "text": "100056,1", "reason_code": "1"}
    ],
}  # fmt: skip


@dataclass
class Http:
    """Commands as their roles would send them; every call must succeed unless told otherwise."""

    client: httpx.Client
    headers: Callable[[Role], dict[str, str]]
    last_position: int = 0

    def send(self, method: str, path: str, role: Role, body: Any = None, status: int | None = None) -> Any:
        response = self.client.request(method, path, json=body, headers=self.headers(role))
        expected = (status,) if status else (200, 201, 204)
        assert response.status_code in expected, f"{method} {path}: {response.status_code} {response.text}"
        if response.status_code in (200, 201) and response.content:
            found = response.json()
            self.last_position = max(self.last_position, int(found.get("position", 0) or 0))
            return found
        return None

    def post(self, path: str, role: Role, body: Any = None, status: int | None = None) -> Any:
        return self.send("POST", path, role, {} if body is None else body, status)


def register_customer(h: Http, customer_no: str = CUSTOMER_NO, fl_no: str = "2110050027") -> None:
    body = {
        "customer_no": customer_no,
        "name": "申齐保健食品有限公司",
        "kind": "ENTERPRISE",
        "address": "上海市浦东新区张江路1号",
    }
    h.post("/v1/customers", A, body)
    h.post(
        f"/v1/customers/{customer_no}/functional-locations",
        A,
        {"fl_no": fl_no, "address": "上海市徐汇区漕溪北路88号"},
    )


def create(h: Http, **overrides: Any) -> str:
    body = CASE_BODY | overrides
    if overrides.get("type") == "Z2":
        body |= {"category": "COMPLAINT", "payment_status": "NOT_FULLY_PAID"}
    return str(h.post("/v1/cases", A, body)["id"])


def serve_and_close(h: Http, no: str) -> None:
    h.post(f"/v1/cases/{no}/on-site-service", SS, {"date": "2001-03-08", "work_done": "已更换活动柜锁芯"})
    h.post(f"/v1/cases/{no}/acceptance", A, {"accepted_by_name": "张经理"})
    h.post(f"/v1/cases/{no}/close", A)


def quote(h: Http, no: str) -> str:
    line = {"description": "更换锁芯", "material": "100056", "qty": 1, "unit_price": "80.00"}
    order_no = str(h.post(f"/v1/cases/{no}/service-orders", A, {"lines": [line]})["order_no"])
    h.post(
        f"/v1/cases/{no}/service-orders/{order_no}/confirm",
        A,
        {"confirmed_by_name": "张经理", "via": "PHONE"},
    )
    return order_no


def v1(h: Http) -> str:
    """Z1, local, no quote; surveyed for satisfaction."""
    no = create(h)
    h.post(f"/v1/cases/{no}/site-survey", SS, {"code": "KCWB", "findings": "锁芯损坏"})
    serve_and_close(h, no)
    h.post(f"/v1/cases/{no}/satisfaction-survey", AGENT, {"score": 5, "channel": "PHONE"})
    return no


def v2(h: Http) -> str:
    """Z1 with a ZFFW quote and a ZFW invoice after closing."""
    no = create(h)
    h.post(f"/v1/cases/{no}/site-survey", SS)
    order_no = quote(h, no)
    serve_and_close(h, no)
    h.post(f"/v1/cases/{no}/invoices", A, {"order_no": order_no})
    return no


def v3(h: Http) -> str:
    """Z1 paid service needing an HQ quote: form → approval → regional logistics → reply → quote."""
    no = create(h)
    h.post(f"/v1/cases/{no}/site-survey", SS, {"code": "KCJS"})
    form = {
        "kind": "SURVEY",
        "service_staff_id": "202",
        "date": "2001-03-07",
        "content": "需总部报价",
        "hq_quote_needed": True,
    }
    h.post(f"/v1/cases/{no}/service-forms", SS, form)
    h.post(f"/v1/cases/{no}/approval-requests", A, {"purpose": "HQ_QUOTE"})
    h.post(f"/v1/cases/{no}/approve", SUP, {"comment": "同意"})
    h.post(f"/v1/cases/{no}/escalations", A, {"unit": "RL-EAST", "purpose": "QUOTE_AND_STAFFING"})
    h.post(f"/v1/cases/{no}/department-replies", RL, {"reply_text": "报价已出", "hq_quote_amount": "80.00"})
    order_no = quote(h, no)
    serve_and_close(h, no)
    h.post(f"/v1/cases/{no}/invoices", A, {"order_no": order_no})
    return no


def v4(h: Http) -> str:
    """Z1 complaint needing HQ support, rejected once then approved."""
    no = create(h, category="COMPLAINT")
    h.post(f"/v1/cases/{no}/site-survey", SS)
    h.post(
        f"/v1/cases/{no}/complaint-forms",
        A,
        {"complaint_kind": "EXCHANGE", "description": "抽屉变形, 要求换货"},
    )
    h.post(f"/v1/cases/{no}/approval-requests", A, {"purpose": "HQ_SUPPORT"})
    h.post(f"/v1/cases/{no}/reject", SUP, {"reason": "资料不全"})
    h.post(f"/v1/cases/{no}/approval-requests", A, {"purpose": "HQ_SUPPORT", "note": "已补充照片"})
    h.post(f"/v1/cases/{no}/approve", SUP)
    h.post(f"/v1/cases/{no}/escalations", A, {"unit": "RL-EAST", "purpose": "COMPLAINT_SUPPORT"})
    h.post(f"/v1/cases/{no}/department-replies", RL, {"reply_text": "安排换货"})
    serve_and_close(h, no)
    return no


def v5(h: Http) -> str:
    """Z2 delivery exception resolved by regional logistics."""
    no = create(h, type="Z2", po_number="80012345")
    h.post(f"/v1/cases/{no}/complaint-forms", A, {"complaint_kind": "REPAIR", "description": "组装缺件"})
    h.post(f"/v1/cases/{no}/escalations", A, {"unit": "RL-EAST", "purpose": "PRE_PAYMENT_COMPLAINT"})
    h.post(f"/v1/cases/{no}/reply-to-sales", RL, {"note": "已安排补件"})
    h.post(f"/v1/cases/{no}/goods-delivered", RL, {"delivered_at": "2001-03-09T10:00:00+08:00"})
    h.post(f"/v1/cases/{no}/close", RL)
    return no


PATHS = {"V1": v1, "V2": v2, "V3": v3, "V4": v4, "V5": v5}
