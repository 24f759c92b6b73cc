"""The Customer stream's events and the vocabularies of their payloads; `apply` only assigns state.

They are nested into `Customer` (`Customer.MonthlySalesRecorded`), which is the
name stored in the log; this module only holds their shape and how each one
evolves the aggregate. Nothing here validates: `apply` re-runs on every replay,
so a rule here would make old streams impossible to load.

Replay safety: events may carry tuples, and after a JSON round trip they carry
lists; `apply` therefore always stores fresh lists and dicts, so a replayed
customer equals the original and no event shares mutable state with it.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from domain.base import CrmCreated, CrmEvent

if TYPE_CHECKING:
    from domain.customer import Customer


class Direction(StrEnum):
    """Who started a contact: the customer (IN) or us (OUT)."""

    IN = "IN"
    OUT = "OUT"


class RiskLevel(StrEnum):
    """Risk preference levels of S-000 附表2."""

    CONSERVATIVE = "CONSERVATIVE"  # 保守型
    STEADY = "STEADY"  # 稳健型
    AGGRESSIVE = "AGGRESSIVE"  # 积极型


class ValueClass(StrEnum):
    """Value classes of S-000 存量客户运营方案."""

    LOYAL = "LOYAL"  # 忠实
    POTENTIAL = "POTENTIAL"  # 潜力
    LOW_VALUE = "LOW_VALUE"  # 低价值


class SurveyInstrument(StrEnum):
    """How a service-quality survey was taken."""

    QUALITY_CARD = "QUALITY_CARD"
    PHONE = "PHONE"
    ONLINE = "ONLINE"
    FORM = "FORM"


INITIAL_TIER = "STANDARD"
INITIAL_TIER_BASIS = "DEFAULT"


def plain(value: object) -> object:
    """A JSON-shaped copy: tuples become lists, containers are copied recursively."""
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    return value


def later(current: datetime | None, candidate: datetime) -> datetime:
    """The more recent instant, so back-dated entries never move a "last …" marker back."""
    return candidate if current is None or candidate > current else current


class CustomerRegistered(CrmCreated):
    """A customer joined the customer database; it starts in tier STANDARD."""

    customer_no: str
    name: str
    kind: str
    master_address: str
    contacts: dict[str, str]
    business_lines: tuple[str, ...]
    account_manager_id: str | None
    registered_on: date

    def apply(self, aggregate: Customer) -> None:
        aggregate.customer_no = self.customer_no
        aggregate.name = self.name
        aggregate.kind = self.kind
        aggregate.master_address = self.master_address
        aggregate.contacts = dict(self.contacts)
        aggregate.business_lines = list(self.business_lines)
        aggregate.account_manager_id = self.account_manager_id
        aggregate.registered_on = self.registered_on
        aggregate.tier = INITIAL_TIER
        aggregate.tier_basis = INITIAL_TIER_BASIS


class CustomerProfileUpdated(CrmEvent):
    """Profile attributes changed; `changes` holds only the new values that differ.

    Keys are the aggregate's attribute names (`name`, `kind`, `master_address`,
    `contacts` (the whole card after the update), `business_lines`, `occupation`,
    `years_of_work`, `investment_skill`, `preferences`, `product_holdings`).
    """

    changes: dict[str, object]

    def apply(self, aggregate: Customer) -> None:
        for attribute, value in self.changes.items():
            setattr(aggregate, attribute, plain(value))


class FunctionalLocationCreated(CrmEvent):
    """A second (service) address, used when it is not the master address."""

    fl_no: str
    address: str

    def apply(self, aggregate: Customer) -> None:
        aggregate.functional_locations = {**aggregate.functional_locations, self.fl_no: self.address}


class AccountManagerAssigned(CrmEvent):
    """One named employee (专人负责) now looks after the customer."""

    employee_id: str
    previous_employee_id: str | None

    def apply(self, aggregate: Customer) -> None:
        aggregate.account_manager_id = self.employee_id


class MonthlySalesRecorded(CrmEvent):
    """Sales of one month; a re-record replaces `replaced_amount` for that month."""

    month: str
    amount: Decimal
    replaced_amount: Decimal | None

    def apply(self, aggregate: Customer) -> None:
        aggregate.monthly_sales = {**aggregate.monthly_sales, self.month: self.amount}


class AssetBalanceRecorded(CrmEvent):
    """Assets as of a date; a back-dated balance does not replace a more recent one."""

    as_of: date
    amount: Decimal

    def apply(self, aggregate: Customer) -> None:
        current = aggregate.asset_balance_as_of
        if current is None or self.as_of >= current:
            aggregate.asset_balance = self.amount
            aggregate.asset_balance_as_of = self.as_of


class RiskPreferenceAssessed(CrmEvent):
    """Risk preference from the 附表2 questionnaire."""

    level: str

    def apply(self, aggregate: Customer) -> None:
        aggregate.risk_preference = self.level


class ValueClassAssigned(CrmEvent):
    """Value class (忠实 / 潜力 / 低价值) for differentiated service."""

    value_class: str

    def apply(self, aggregate: Customer) -> None:
        aggregate.value_class = self.value_class


class CustomerContacted(CrmEvent):
    """A contact in or out; `effective` means someone actually talked to the customer."""

    channel: str
    direction: str
    effective: bool
    purpose: str | None
    agent_id: str
    at: datetime
    notes: str | None

    def apply(self, aggregate: Customer) -> None:
        aggregate.contact_count += 1
        aggregate.last_contact_at = later(aggregate.last_contact_at, self.at)
        if self.effective:
            aggregate.last_effective_contact_at = later(aggregate.last_effective_contact_at, self.at)


class ReturnVisitCompleted(CrmEvent):
    """A follow-up visit (回访), possibly about one case or one delivered project."""

    channel: str
    agent_id: str
    at: datetime
    satisfied: bool | None
    score: int | None
    notes: str | None
    related_case_no: str | None
    project_id: str | None

    def apply(self, aggregate: Customer) -> None:
        aggregate.return_visit_count += 1
        aggregate.last_return_visit_at = later(aggregate.last_return_visit_at, self.at)


class ProjectDelivered(CrmEvent):
    """A project handed over; it starts the return-visit cadence. Re-recording moves its date."""

    project_id: str
    delivered_on: date

    def apply(self, aggregate: Customer) -> None:
        others = [p for p in aggregate.projects_delivered if p["project_id"] != self.project_id]
        aggregate.projects_delivered = [
            *others,
            {"project_id": self.project_id, "delivered_on": self.delivered_on},
        ]


class CustomerSurveyRecorded(CrmEvent):
    """A service-quality survey answer (quarterly card, phone, online or form)."""

    score: int
    instrument: str
    at: datetime

    def apply(self, aggregate: Customer) -> None:
        aggregate.survey_count += 1
        aggregate.last_survey_at = later(aggregate.last_survey_at, self.at)


class CustomerTierChanged(CrmEvent):
    """The derived tier moved `from_tier` → `to_tier`; `basis` names the deciding rule.

    Appended only when the tier itself moves, so `basis` is the reason at that
    moment; `Customer.tier_assessment()` gives the reason as of now.
    """

    from_tier: str
    to_tier: str
    basis: str

    def apply(self, aggregate: Customer) -> None:
        aggregate.tier = self.to_tier
        aggregate.tier_basis = self.basis
