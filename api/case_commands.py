"""Case (service notification) write endpoints, C1–C23 of DOMAIN.md, declared once each.

The examples follow the SM01 manual's example 1: customer 2110050007 calls
because the lock of a mobile pedestal (活动柜锁) is broken.
"""

from __future__ import annotations

from api.commanding import CommandEndpoint
from application import case_commands as c

CASE = "/v1/cases/{case_no:str}"
TAG = "cases"

CREATE_EXAMPLE = {
    "type": "Z1", "category": "PAID_SERVICE", "urgency": "NORMAL", "payment_status": "FULLY_PAID",
    "description": "活动柜锁", "long_text": "客户叫修: 活动柜锁坏, 钥匙无法转动, 请安排维修。",
    "ship_to": "2110050007", "reporter": "王敏", "po_number": "30000075", "po_date": "2001-03-01",
    "required_start": "2001-03-07", "required_end": "2001-03-08", "main_work_center": "S4002",
    "plant": "F011", "responsible_person": "202", "sales_org": "F011", "distribution_channel": "10",
    "division": "02", "sales_office": "4002", "sales_group": "002", "functional_location": "2110050027",
    "put_in_process": True,
    "items": [
        {"product_type": {"category": "06"}, "colour": {"main": "A"}, "text": "100056,1", "reason_code": "1"}
    ],
}  # fmt: skip

CASE_COMMANDS = (
    CommandEndpoint(
        "POST", "/v1/cases", c.CreateCase, "Create a service notification (IW51)",
        "Opens a case for a registered ship-to customer and assigns the next notification number "
        "(7 digits, from 1000001). Z1 is for customers who paid in full, Z2 (delivery exception) for "
        "those who did not: a mismatch is 422 TYPE_PAYMENT_MISMATCH. Every missing or malformed field "
        "is listed in one 400. `put_in_process: true` also moves it to IN_PROCESS. "
        "Roles: assistant, cs_agent, integrator.",
        TAG, creates="/v1/cases/{id}", example=CREATE_EXAMPLE,
    ),
    CommandEndpoint(
        "PATCH", CASE, c.UpdateCase, "Change a notification's header (IW52)",
        "Changes only the header fields sent; a new responsible person or work center is also "
        "recorded as a hand-over (首问负责制). Send If-Match to be sure you change what you read.",
        TAG, example={"required_end": "2001-03-09", "responsible_person": "203"},
    ),
    CommandEndpoint(
        "POST", CASE + "/put-in-process", c.PutCaseInProcess, "Put in process (进行处理)",
        "OUTSTANDING → IN_PROCESS. Role: assistant.", TAG, example={},
    ),
    CommandEndpoint(
        "POST", CASE + "/dispatch", c.DispatchServiceStaff, "Notify service staff (urgent dispatch)",
        "For urgent cases: the assistant tells the service staff to confirm with the customer and go "
        "on site at once. Role: assistant.",
        TAG, example={"service_staff_id": "202", "channel": "PHONE"},
    ),
    CommandEndpoint(
        "POST", CASE + "/long-texts", c.AppendLongText, "Append to the long text",
        "The long text is append-only: each entry keeps its author and time.",
        TAG, example={"text": "3月7日电话联系客户, 约定3月8日上门。"},
    ),
    CommandEndpoint(
        "POST", CASE + "/items", c.AddCaseItem, "Add an item",
        "One product concerned by the case. `text` may be the manual's \"model,quantity\" form "
        "(\"100056,1\"). For OEM products put the vendor in `reason_text`. Returns `item_no`.",
        TAG, creates="/v1/cases/{case_no}/items/{item_no}", nest="item",
        example={"product_type": {"category": "06"}, "colour": {"main": "A"}, "text": "100056,1",
                 "reason_code": "1", "is_oem": False},
    ),
    CommandEndpoint(
        "PATCH", CASE + "/items/{item_no:str}", c.ChangeCaseItem, "Change an item",
        "Changes only the item fields sent.", TAG, example={"quantity": 2},
    ),
    CommandEndpoint(
        "DELETE", CASE + "/items/{item_no:str}", c.RemoveCaseItem, "Remove an item",
        "Removes the item from the case (the history keeps it).", TAG,
    ),
    CommandEndpoint(
        "POST", CASE + "/site-survey", c.CompleteSiteSurvey, "Complete the site survey (KCWB)",
        "TZJL → KCWB after the service staff surveyed the site. Role: service_staff or assistant.",
        TAG, example={"code": "KCWB", "survey_date": "2001-03-07", "findings": "锁芯损坏, 需更换锁芯"},
    ),
    CommandEndpoint(
        "POST", CASE + "/service-forms", c.RecordServiceForm,
        "Record a furniture service form (家具服务单)",
        "The paper form the service staff fill in on site (SURVEY or SERVICE). `hq_quote_needed` "
        "starts the HQ-quote path (approval → regional logistics). Z1 only.",
        TAG, example={"kind": "SURVEY", "service_staff_id": "202", "date": "2001-03-07",
                      "content": "更换活动柜锁芯一个", "hq_quote_needed": False},
    ),
    CommandEndpoint(
        "POST", CASE + "/complaint-forms", c.FileComplaintForm, "File a complaint form (客诉单)",
        "Records the complaint with the payment status copied from the case (完款状况). Returns `form_no`.",
        TAG, creates="/v1/cases/{case_no}",
        example={"complaint_kind": "REPAIR", "description": "活动柜锁使用一周即损坏, 客户要求维修"},
    ),
    CommandEndpoint(
        "POST", CASE + "/approval-requests", c.RequestApproval, "Request supervisor approval",
        "Asks the supervisor to approve an HQ quote (HQ_QUOTE) or HQ support for a complaint (HQ_SUPPORT).",
        TAG, example={"purpose": "HQ_QUOTE", "note": "需总部报价"},
    ),
    CommandEndpoint(
        "POST", CASE + "/approve", c.ApproveCase, "Approve (ZGPZ)",
        "The supervisor approves the pending request: → ZGPZ. 409 NO_PENDING_APPROVAL without one. "
        "Role: supervisor.",
        TAG, example={"comment": "同意"},
    ),
    CommandEndpoint(
        "POST", CASE + "/reject", c.RejectCase, "Reject (BPZ)",
        "The supervisor rejects the pending request: → BPZ; `reason` is required. Role: supervisor.",
        TAG, example={"reason": "资料不全, 请补充照片"},
    ),
    CommandEndpoint(
        "POST", CASE + "/escalations", c.EscalateCase, "Escalate to regional logistics",
        "Notifies the regional logistics unit (区物流) for a quote and staffing, complaint support, or "
        "a pre-payment complaint (Z2). The payment status travels with it.",
        TAG, example={"unit": "RL-EAST", "purpose": "QUOTE_AND_STAFFING"},
    ),
    CommandEndpoint(
        "POST", CASE + "/emails", c.EmailCase, "E-mail the notification (SBWP)",
        "Sends the notification with its long text to a department; allowed in any status.",
        TAG,
        example={"recipients": ["rl-east@example.com"], "department": "区物流", "subject": "活动柜锁报价"},
    ),
    CommandEndpoint(
        "POST", CASE + "/department-replies", c.RecordDepartmentReply,
        "Record the department's reply (ZBHF)",
        "ZGPZ → ZBHF when the escalated unit answers, optionally with the HQ quote amount.",
        TAG, example={"reply_text": "报价已出: 更换锁芯 80 元", "hq_quote_amount": "80.00"},
    ),
    CommandEndpoint(
        "POST", CASE + "/reply-to-sales", c.RecordReplyToSales, "Reply to sales (HFYY, Z2)",
        "Regional logistics answers the responsibility center on a delivery exception.",
        TAG, example={"note": "已安排补发缺件"},
    ),
    CommandEndpoint(
        "POST", CASE + "/goods-delivered", c.RecordGoodsDelivered,
        "Goods delivered to the customer (DDKH, Z2)",
        "The replacement or missing goods reached the customer.",
        TAG, example={"delivered_at": "2001-03-09T10:00:00+08:00"},
    ),
    CommandEndpoint(
        "POST", CASE + "/goods-returned", c.RecordGoodsReturned,
        "Goods returned to the manufacturer (THCS, Z2)",
        "The defective goods went back to the manufacturer.",
        TAG, example={"returned_at": "2001-03-10T15:00:00+08:00", "manufacturer": "震旦家具"},
    ),
    CommandEndpoint(
        "POST", CASE + "/service-orders", c.CreateServiceOrder, "Quote: create a ZFFW service sales order",
        "A quote for paid service; the customer must confirm it before the service. Money as decimal "
        "strings. Returns `order_no`.",
        TAG, creates="/v1/cases/{case_no}/service-orders/{order_no}",
        example={
            "lines": [{"description": "更换锁芯", "material": "100056", "qty": 1, "unit_price": "80.00"}]
        },
    ),
    CommandEndpoint(
        "POST", CASE + "/service-orders/{order_no:str}/confirm", c.ConfirmQuote,
        "The customer confirms the quote",
        "PENDING_CONFIRMATION → CONFIRMED; the service may go ahead.",
        TAG, example={"confirmed_by_name": "申齐 张经理", "via": "PHONE"},
    ),
    CommandEndpoint(
        "POST", CASE + "/service-orders/{order_no:str}/decline", c.DeclineQuote,
        "The customer declines the quote",
        "PENDING_CONFIRMATION → DECLINED.", TAG, example={"reason": "价格过高"},
    ),
    CommandEndpoint(
        "POST", CASE + "/on-site-service", c.RecordOnSiteService, "Record the on-site service",
        "The service was done on site (a confirmed quote is required if one exists).",
        TAG,
        example={"date": "2001-03-08", "work_done": "已更换活动柜锁芯, 试用正常", "service_staff_id": "202"},
    ),
    CommandEndpoint(
        "POST", CASE + "/acceptance", c.ConfirmAcceptance, "The customer accepts the service (验收)",
        "Requires an on-site service; afterwards the case can be closed.",
        TAG, example={"accepted_by_name": "申齐 张经理"},
    ),
    CommandEndpoint(
        "POST", CASE + "/close", c.CloseCase, "Close the notification",
        "→ COMPLETED. Needs the customer's acceptance (a rejected BPZ case may close with a "
        "`closure_reason`). A closed case accepts only e-mails, invoices and the survey.",
        TAG, example={"closure_reason": ""},
    ),
    CommandEndpoint(
        "POST", CASE + "/invoices", c.CreateInvoice, "Invoice a confirmed quote (ZFW)",
        "After closing: bills a CONFIRMED service order (amount defaults to the order total). "
        "Returns `invoice_no`.",
        TAG, creates="/v1/cases/{case_no}", example={"order_no": "ZFFW-1000001-1", "amount": "80.00"},
    ),
    CommandEndpoint(
        "POST", CASE + "/satisfaction-survey", c.RecordSatisfactionSurvey,
        "Record the satisfaction survey",
        "Score 1-5 from the customer after closing; expected and perceived scores feed the "
        "satisfaction = perceived − expected analysis.",
        TAG, example={"score": 5, "channel": "PHONE", "comment": "维修及时, 很满意"},
    ),
)  # fmt: skip
