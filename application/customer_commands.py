"""Customer commands (API.md "Customers"): frozen, keyword-only structs, one per write.

msgspec `Meta` constraints and the domain's enums express the payload rules
that need no state (lengths, ranges, formats, allowed values), so a bad payload
fails when it is decoded, before any stream is read (DOMAIN.md §4.6 step 1).
The aggregate checks the same rules again: it is the authority, these are the
early warning. Money is a `Decimal` (msgspec cannot constrain it); the
aggregate enforces "≥ 0, at most 2 decimals".
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

import msgspec

from application.commands import Command
from domain.customer import (
    ADDRESS_MAX,
    CONTACT_MAX,
    LONG_TEXT_MAX,
    MAX_YEARS_OF_WORK,
    NAME_MAX,
    SHORT_TEXT_MAX,
)
from domain.customer_events import Direction, RiskLevel, SurveyInstrument, ValueClass
from domain.tiers import BusinessLine, CustomerKind, Product
from domain.values import Channel

RefCode = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9_-]{1,20}$")]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=NAME_MAX)]
Address = Annotated[str, msgspec.Meta(min_length=1, max_length=ADDRESS_MAX)]
ShortText = Annotated[str, msgspec.Meta(max_length=SHORT_TEXT_MAX)]
LongText = Annotated[str, msgspec.Meta(max_length=LONG_TEXT_MAX)]
ContactText = Annotated[str, msgspec.Meta(max_length=CONTACT_MAX)]
Month = Annotated[str, msgspec.Meta(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
Score = Annotated[int, msgspec.Meta(ge=1, le=5)]
YearsOfWork = Annotated[int, msgspec.Meta(ge=0, le=MAX_YEARS_OF_WORK)]


class ContactCard(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Phone, mobile, e-mail and IM handles (QQ / Fetion / MSN) and the preferred channel."""

    phone: ContactText | None = None
    mobile: ContactText | None = None
    email: ContactText | None = None
    qq: ContactText | None = None
    fetion: ContactText | None = None
    msn: ContactText | None = None
    preferred_channel: Channel | None = None

    def given(self) -> dict[str, str]:
        """Only the entries sent, so an update merges them into the card."""
        return {
            name: str(value) for name in self.__struct_fields__ if (value := getattr(self, name)) is not None
        }


class ProductHolding(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One product the customer holds (附表3) and the amount held."""

    product: Product
    amount: Decimal


class CustomerCommand(Command, frozen=True, kw_only=True):
    """A command on one customer stream, `customer-<customer_no>`."""

    customer_no: RefCode


class RegisterCustomer(CustomerCommand, frozen=True, kw_only=True):
    name: Name
    kind: CustomerKind
    address: Address
    contacts: ContactCard | None = None
    business_lines: list[BusinessLine] | None = None
    account_manager_id: RefCode | None = None
    registered_on: date | None = None


class UpdateCustomerProfile(CustomerCommand, frozen=True, kw_only=True):
    """PATCH of the profile: fields left out (or null) stay as they are."""

    name: Name | None = None
    kind: CustomerKind | None = None
    address: Address | None = None
    contacts: ContactCard | None = None
    business_lines: list[BusinessLine] | None = None
    occupation: ShortText | None = None
    years_of_work: YearsOfWork | None = None
    investment_skill: ShortText | None = None
    preferences: LongText | None = None
    product_holdings: list[ProductHolding] | None = None


class CreateFunctionalLocation(CustomerCommand, frozen=True, kw_only=True):
    fl_no: RefCode
    address: Address


class AssignAccountManager(CustomerCommand, frozen=True, kw_only=True):
    employee_id: RefCode


class LogContact(CustomerCommand, frozen=True, kw_only=True):
    channel: Channel
    direction: Direction
    effective: bool
    purpose: ShortText | None = None
    agent_id: RefCode | None = None
    notes: LongText | None = None


class RecordReturnVisit(CustomerCommand, frozen=True, kw_only=True):
    channel: Channel
    agent_id: RefCode | None = None
    satisfied: bool | None = None
    score: Score | None = None
    notes: LongText | None = None
    related_case_no: RefCode | None = None
    project_id: RefCode | None = None


class RecordMonthlySales(CustomerCommand, frozen=True, kw_only=True):
    month: Month
    amount: Decimal


class RecordAssetBalance(CustomerCommand, frozen=True, kw_only=True):
    as_of: date
    amount: Decimal


class AssessRiskPreference(CustomerCommand, frozen=True, kw_only=True):
    level: RiskLevel


class SetValueClass(CustomerCommand, frozen=True, kw_only=True):
    value_class: ValueClass


class RecordProjectDelivered(CustomerCommand, frozen=True, kw_only=True):
    project_id: RefCode
    delivered_on: date


class RecordCustomerSurvey(CustomerCommand, frozen=True, kw_only=True):
    score: Score
    instrument: SurveyInstrument
