"""Walk notifications through the bus along the paths V1–V5 of DOMAIN.md §2.8."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from application import case_commands as c
from application import customer_commands as cc
from application.accepted import Accepted
from application.bus import CommandBus
from domain.actor import Actor, Role

ASSISTANT = Actor("a-01", frozenset({Role.ASSISTANT}), name="责任中心助理")
STAFF = Actor("202", frozenset({Role.SERVICE_STAFF}), name="王敏")
SUPERVISOR = Actor("sup-01", frozenset({Role.SUPERVISOR}), name="主管")
LOGISTICS = Actor("rl-01", frozenset({Role.REGIONAL_LOGISTICS}), name="区物流")
AGENT = Actor("cs-01", frozenset({Role.CS_AGENT}), name="客服")

CUSTOMER_NO = "2110050007"


def register_customer(
    bus: CommandBus, customer_no: str = CUSTOMER_NO, fl_no: str | None = "2110050027"
) -> Accepted:
    """Register the SM01 ship-to customer and, unless `fl_no` is None, its second address."""
    accepted = bus.dispatch(
        cc.RegisterCustomer(
            customer_no=customer_no,
            name="申齐保健食品有限公司",
            kind="ENTERPRISE",
            address="上海市浦东新区张江路1号",
        ),
        ASSISTANT,
    )
    if fl_no is not None:
        bus.dispatch(
            cc.CreateFunctionalLocation(
                customer_no=customer_no, fl_no=fl_no, address="上海市徐汇区漕溪北路88号"
            ),
            ASSISTANT,
        )
    return accepted


def create(bus: CommandBus, **overrides: Any) -> str:
    """IW51 for the SM01 example 1 (活动柜锁); returns the case number."""
    fields: dict[str, Any] = {
        "type": "Z1",
        "category": "PAID_SERVICE",
        "urgency": "NORMAL",
        "payment_status": "FULLY_PAID",
        "description": "活动柜锁",
        "ship_to": CUSTOMER_NO,
        "reporter": "王敏",
        "po_number": "30000075",
        "po_date": date(2001, 3, 1),
        "required_start": date(2001, 3, 7),
        "required_end": date(2001, 3, 8),
        "main_work_center": "S4002",
        "plant": "F011",
        "responsible_person": "202",
        "sales_org": "F011",
        "distribution_channel": "10",
        "division": "02",
        "sales_office": "4002",
        "sales_group": "002",
        "functional_location": "2110050027",
        "put_in_process": True,
        "items": [
            c.ItemInput(
                product_type=c.ProductType("06"), colour=c.Colour("A"), text="100056,1", reason_code="1"
            )
        ],
    }
    if overrides.get("type") == "Z2":
        fields |= {"category": "COMPLAINT", "payment_status": "NOT_FULLY_PAID"}
    return bus.dispatch(c.CreateCase(**(fields | overrides)), ASSISTANT).id


def serve_and_close(bus: CommandBus, case_no: str) -> None:
    bus.dispatch(c.RecordOnSiteService(case_no=case_no, date=date(2001, 3, 7), work_done="更换抽屉锁"), STAFF)
    bus.dispatch(c.ConfirmAcceptance(case_no=case_no, accepted_by_name="李先生"), ASSISTANT)
    bus.dispatch(c.CloseCase(case_no=case_no), ASSISTANT)


def quote(bus: CommandBus, case_no: str) -> str:
    line = c.OrderLineInput(description="更换抽屉锁", material="100056", qty=1, unit_price=Decimal("80.00"))
    order_no = str(
        bus.dispatch(c.CreateServiceOrder(case_no=case_no, lines=[line]), ASSISTANT).details["order_no"]
    )
    bus.dispatch(
        c.ConfirmQuote(case_no=case_no, order_no=order_no, confirmed_by_name="李先生", via="PHONE"), ASSISTANT
    )
    return order_no


def v1(bus: CommandBus) -> str:
    """Z1, local, no quote."""
    case_no = create(bus)
    bus.dispatch(c.CompleteSiteSurvey(case_no=case_no, code="KCWB"), STAFF)
    serve_and_close(bus, case_no)
    bus.dispatch(c.RecordSatisfactionSurvey(case_no=case_no, score=5, channel="PHONE"), AGENT)
    return case_no


def v2(bus: CommandBus) -> str:
    """Z1, local, with a ZFFW quote and a ZFW invoice after closing."""
    case_no = create(bus)
    bus.dispatch(c.CompleteSiteSurvey(case_no=case_no), STAFF)
    order_no = quote(bus, case_no)
    serve_and_close(bus, case_no)
    bus.dispatch(c.CreateInvoice(case_no=case_no, order_no=order_no), ASSISTANT)
    return case_no


def v3(bus: CommandBus) -> str:
    """Z1 paid service needing an HQ quote: form → approval → regional logistics → reply → quote."""
    case_no = create(bus)
    bus.dispatch(c.CompleteSiteSurvey(case_no=case_no, code="KCJS"), STAFF)
    bus.dispatch(
        c.RecordServiceForm(
            case_no=case_no,
            kind="SURVEY",
            service_staff_id="202",
            date=date(2001, 3, 7),
            content="需总部报价",
            hq_quote_needed=True,
        ),
        STAFF,
    )
    bus.dispatch(c.RequestApproval(case_no=case_no, purpose="HQ_QUOTE"), ASSISTANT)
    bus.dispatch(c.ApproveCase(case_no=case_no, comment="同意"), SUPERVISOR)
    bus.dispatch(c.EscalateCase(case_no=case_no, unit="RL-EAST", purpose="QUOTE_AND_STAFFING"), ASSISTANT)
    bus.dispatch(c.RecordDepartmentReply(case_no=case_no, reply_text="报价已出"), LOGISTICS)
    order_no = quote(bus, case_no)
    serve_and_close(bus, case_no)
    bus.dispatch(c.CreateInvoice(case_no=case_no, order_no=order_no), ASSISTANT)
    return case_no


def v4(bus: CommandBus) -> str:
    """Z1 complaint needing HQ support, rejected once then approved on re-submission."""
    case_no = create(bus, category="COMPLAINT")
    bus.dispatch(c.CompleteSiteSurvey(case_no=case_no), STAFF)
    bus.dispatch(
        c.FileComplaintForm(case_no=case_no, complaint_kind="EXCHANGE", description="抽屉变形, 要求换货"),
        ASSISTANT,
    )
    bus.dispatch(c.RequestApproval(case_no=case_no, purpose="HQ_SUPPORT"), ASSISTANT)
    bus.dispatch(c.RejectCase(case_no=case_no, reason="资料不全"), SUPERVISOR)
    bus.dispatch(c.RequestApproval(case_no=case_no, purpose="HQ_SUPPORT", note="已补充照片"), ASSISTANT)
    bus.dispatch(c.ApproveCase(case_no=case_no), SUPERVISOR)
    bus.dispatch(c.EscalateCase(case_no=case_no, unit="RL-EAST", purpose="COMPLAINT_SUPPORT"), ASSISTANT)
    bus.dispatch(c.RecordDepartmentReply(case_no=case_no, reply_text="安排换货"), LOGISTICS)
    serve_and_close(bus, case_no)
    return case_no


def v5(bus: CommandBus) -> str:
    """Z2 delivery exception resolved by regional logistics."""
    case_no = create(bus, type="Z2", po_number="80012345")
    bus.dispatch(
        c.FileComplaintForm(case_no=case_no, complaint_kind="REPAIR", description="组装缺件"), ASSISTANT
    )
    bus.dispatch(c.EscalateCase(case_no=case_no, unit="RL-EAST", purpose="PRE_PAYMENT_COMPLAINT"), ASSISTANT)
    bus.dispatch(c.RecordReplyToSales(case_no=case_no, note="已安排补件"), LOGISTICS)
    bus.dispatch(
        c.RecordGoodsDelivered(case_no=case_no, delivered_at=datetime(2001, 3, 9, 2, tzinfo=UTC)), LOGISTICS
    )
    bus.dispatch(c.CloseCase(case_no=case_no), LOGISTICS)
    return case_no
