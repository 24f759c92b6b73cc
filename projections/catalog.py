"""Every read model of the product, by name (what runners run and `crm rebuild` accepts)."""

from __future__ import annotations

from projections.approval_queue import ApprovalQueueProjection
from projections.audit_trail import AuditTrailProjection
from projections.base import CrmProjection
from projections.big_customers import BigCustomersProjection
from projections.complaint_statistics import ComplaintStatisticsProjection
from projections.contact_queue import ContactQueueProjection
from projections.customer_profile import CustomerProfileProjection
from projections.dormant_customers import DormantCustomersProjection
from projections.logistics_queue import RegionalLogisticsQueueProjection
from projections.monthly_statistics import MonthlyStatisticsProjection
from projections.overdue import OverdueProjection
from projections.principals import PrincipalsProjection
from projections.quote_register import QuoteRegisterProjection
from projections.satisfaction import SatisfactionScoresProjection
from projections.work_queue import WorkQueueProjection

PROJECTIONS: tuple[type[CrmProjection], ...] = (
    WorkQueueProjection,
    ApprovalQueueProjection,
    RegionalLogisticsQueueProjection,
    OverdueProjection,
    SatisfactionScoresProjection,
    MonthlyStatisticsProjection,
    ComplaintStatisticsProjection,
    QuoteRegisterProjection,
    CustomerProfileProjection,
    ContactQueueProjection,
    DormantCustomersProjection,
    BigCustomersProjection,
    AuditTrailProjection,
    PrincipalsProjection,
)


def by_name(name: str) -> type[CrmProjection]:
    for projection in PROJECTIONS:
        if projection.name == name:
            return projection
    raise KeyError(f"unknown read model {name!r}; known: {', '.join(p.name for p in PROJECTIONS)}")
