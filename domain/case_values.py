"""Codes of the service notification (服务通知单): types, categories, statuses, kinds."""

from __future__ import annotations

from enum import StrEnum


class CaseType(StrEnum):
    Z1 = "Z1"  # 客户服务通知: created after full payment
    Z2 = "Z2"  # 交货异常: delivery exception, before full payment


class Category(StrEnum):
    PAID_SERVICE = "PAID_SERVICE"  # 有费服务 (incl. repair 维修/叫修)
    COMPLAINT = "COMPLAINT"  # 客诉


class Urgency(StrEnum):
    URGENT = "URGENT"
    NORMAL = "NORMAL"


class PaymentStatus(StrEnum):
    FULLY_PAID = "FULLY_PAID"  # 已完款
    NOT_FULLY_PAID = "NOT_FULLY_PAID"  # 未完款


class SystemStatus(StrEnum):
    OUTSTANDING = "OUTSTANDING"  # 未结
    IN_PROCESS = "IN_PROCESS"  # 正在处理
    COMPLETED = "COMPLETED"  # 已关闭


class UserStatus(StrEnum):
    TZJL = "TZJL"  # 通知建立
    KCWB = "KCWB"  # 勘察结束 (input alias KCJS)
    ZGPZ = "ZGPZ"  # 主管批准
    BPZ = "BPZ"  # 主管不批准
    ZBHF = "ZBHF"  # 相应部门回复
    HFYY = "HFYY"  # 回复营业
    DDKH = "DDKH"  # 货物送达客户
    THCS = "THCS"  # 货物送回厂商


SURVEY_INPUT_CODES = {"KCWB": "KCWB", "KCJS": "KCWB"}
"""The field table says KCJS, the process notes say KCWB: both are accepted, KCWB is stored."""


class ApprovalPurpose(StrEnum):
    HQ_QUOTE = "HQ_QUOTE"  # paid service needing a quote from headquarters
    HQ_SUPPORT = "HQ_SUPPORT"  # complaint needing headquarters' support


class EscalationPurpose(StrEnum):
    QUOTE_AND_STAFFING = "QUOTE_AND_STAFFING"
    COMPLAINT_SUPPORT = "COMPLAINT_SUPPORT"
    PRE_PAYMENT_COMPLAINT = "PRE_PAYMENT_COMPLAINT"


class ComplaintKind(StrEnum):
    EXCHANGE = "EXCHANGE"  # 换货
    RETURN = "RETURN"  # 退货
    REPAIR = "REPAIR"  # 维修
    OTHER = "OTHER"


class ServiceFormKind(StrEnum):
    SURVEY = "SURVEY"
    SERVICE = "SERVICE"


class OrderStatus(StrEnum):
    PENDING_CONFIRMATION = "PENDING_CONFIRMATION"
    CONFIRMED = "CONFIRMED"
    DECLINED = "DECLINED"
    INVOICED = "INVOICED"


class SurveyChannel(StrEnum):
    PHONE = "PHONE"
    RETURN_VISIT = "RETURN_VISIT"
    ONLINE = "ONLINE"
    FORM = "FORM"
    QUALITY_CARD = "QUALITY_CARD"
    STAR_PANEL = "STAR_PANEL"


TYPE_FOR_PAYMENT = {PaymentStatus.FULLY_PAID: CaseType.Z1, PaymentStatus.NOT_FULLY_PAID: CaseType.Z2}
TYPE_LABELS = {CaseType.Z1: "客户服务通知", CaseType.Z2: "交货异常"}

# DOMAIN.md C1 rule 12: what the type-dependent header fields mean, kept in the event for reports.
FIELD_MEANINGS = {
    CaseType.Z1: {
        "po_number_kind": "BRANCH_SALES_ORDER",
        "required_start_meaning": "CUSTOMER_REQUESTED_START",
        "required_end_meaning": "ASSISTANT_ESTIMATED_CLOSE",
    },
    CaseType.Z2: {
        "po_number_kind": "HQ_DELIVERY_NOTE",
        "required_start_meaning": "ORIGINAL_ESTIMATED_ASSEMBLY_END",
        "required_end_meaning": "COMPLAINT_DEPT_ESTIMATED_END",
    },
}

DIRECT_SALES_CHANNEL = "10"  # 分销渠道为直销
FURNITURE_SERVICE_DIVISION = "02"  # 产品组为家俱服务
BUSINESS_AREA_IN_USE = "1002"  # 我们现在只用到1002
DESCRIPTION_MAX = 40  # SAP short-text length
