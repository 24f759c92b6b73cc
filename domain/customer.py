"""The Customer aggregate (DOMAIN.md §4.2): master data, contacts, revenue, assets and derived tier.

Every public command method checks in the order of DOMAIN.md §4.6 — payload
fields (400), role (403), state rules (409), state-dependent fields (400) —
before it triggers anything, so a refused command leaves no pending event.
Commands that change sales, assets, business lines or kind re-run the tier
rules and append `CustomerTierChanged` in the same command when the tier moves.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from domain import customer_events as events
from domain.actor import Role
from domain.base import CrmAggregate, envelope
from domain.context import CommandContext
from domain.customer_events import Direction, RiskLevel, SurveyInstrument, ValueClass
from domain.errors import FieldProblem, ForbiddenRole, FunctionalLocationTaken, ValidationFailed
from domain.tiers import AssetBand, BusinessLine, CustomerKind, Product, TierAssessment, assess_tier
from domain.tiers import asset_band as band_of
from domain.tiers import margin_priority as margin_priority_of
from domain.values import Channel, check_one_of, check_reference_code, check_required, check_text, money

EDITORS: tuple[Role, ...] = (Role.ASSISTANT, Role.CS_AGENT, Role.ACCOUNT_MANAGER)
ASSIGNERS: tuple[Role, ...] = (*EDITORS, Role.SUPERVISOR)  # supervisors staff their office's accounts
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
NAME_MAX, ADDRESS_MAX, SHORT_TEXT_MAX, LONG_TEXT_MAX, CONTACT_MAX = 200, 500, 200, 2000, 100
MAX_YEARS_OF_WORK = 80
SCORE_RANGE = range(1, 6)
CONTACT_FIELDS = frozenset({"phone", "mobile", "email", "qq", "fetion", "msn", "preferred_channel"})
PROFILE_TEXT_LIMITS = {
    "name": NAME_MAX,
    "address": ADDRESS_MAX,
    "occupation": SHORT_TEXT_MAX,
    "investment_skill": SHORT_TEXT_MAX,
    "preferences": LONG_TEXT_MAX,
}
REQUIRED_PROFILE_TEXT = frozenset({"name", "address"})
TIER_INPUTS = frozenset({"kind", "business_lines"})

Holding = tuple[str, Decimal | str]


@dataclass(frozen=True)
class ProfileChanges:
    """What a profile update asks for; None leaves a field as it is.

    `contacts` is merged into the current contact card (a PATCH of one phone
    number must not wipe the e-mail); the other fields replace their value.
    """

    name: str | None = None
    kind: str | None = None
    address: str | None = None
    contacts: Mapping[str, str] | None = None
    business_lines: Sequence[str] | None = None
    occupation: str | None = None
    years_of_work: int | None = None
    investment_skill: str | None = None
    preferences: str | None = None
    product_holdings: Sequence[Holding] | None = None


class Customer(CrmAggregate):
    """One customer's stream `customer-<customer_no>`."""

    STREAM_PREFIX = "customer"

    CustomerRegistered = events.CustomerRegistered
    CustomerProfileUpdated = events.CustomerProfileUpdated
    FunctionalLocationCreated = events.FunctionalLocationCreated
    AccountManagerAssigned = events.AccountManagerAssigned
    MonthlySalesRecorded = events.MonthlySalesRecorded
    AssetBalanceRecorded = events.AssetBalanceRecorded
    RiskPreferenceAssessed = events.RiskPreferenceAssessed
    ValueClassAssigned = events.ValueClassAssigned
    CustomerContacted = events.CustomerContacted
    ReturnVisitCompleted = events.ReturnVisitCompleted
    ProjectDelivered = events.ProjectDelivered
    CustomerSurveyRecorded = events.CustomerSurveyRecorded
    CustomerTierChanged = events.CustomerTierChanged

    def __init__(self) -> None:
        # Only JSON-friendly values: snapshots store vars(self) as JSON.
        self.customer_no, self.name, self.kind, self.master_address = "", "", "", ""
        self.functional_locations: dict[str, str] = {}
        self.contacts: dict[str, str] = {}
        self.occupation: str | None = None
        self.years_of_work: int | None = None
        self.investment_skill: str | None = None
        self.preferences: str | None = None
        self.risk_preference: str | None = None
        self.product_holdings: list[dict[str, object]] = []
        self.business_lines: list[str] = []
        self.monthly_sales: dict[str, Decimal] = {}
        self.asset_balance: Decimal | None = None
        self.asset_balance_as_of: date | None = None
        self.value_class: str | None = None
        self.account_manager_id: str | None = None
        self.registered_on: date | None = None
        self.projects_delivered: list[dict[str, object]] = []
        self.contact_count, self.return_visit_count, self.survey_count = 0, 0, 0
        self.last_contact_at: datetime | None = None
        self.last_effective_contact_at: datetime | None = None
        self.last_return_visit_at: datetime | None = None
        self.last_survey_at: datetime | None = None
        self.tier, self.tier_basis = events.INITIAL_TIER, events.INITIAL_TIER_BASIS

    @classmethod
    def register(
        cls,
        ctx: CommandContext,
        *,
        customer_no: str,
        name: str,
        kind: str,
        address: str,
        contacts: Mapping[str, str] | None = None,
        business_lines: Sequence[str] = (),
        account_manager_id: str | None = None,
        registered_on: date | None = None,
    ) -> Customer:
        """RegisterCustomer: a new stream; uniqueness of customer_no is the store's to enforce."""
        problems = _identity_problems(customer_no, name, kind, address)
        _check_contacts(contacts or {}, problems)
        lines = _business_lines(business_lines, problems)
        check_reference_code("account_manager_id", account_manager_id, problems)
        _raise_if(problems)
        role = _acting_role(ctx, "RegisterCustomer", EDITORS)
        customer = cls._create(
            cls.CustomerRegistered,
            id=cls.stream_id(customer_no),
            **envelope(ctx, role),
            customer_no=customer_no,
            name=name.strip(),
            kind=kind,
            master_address=address.strip(),
            contacts=dict(contacts or {}),
            business_lines=lines,
            account_manager_id=account_manager_id,
            registered_on=registered_on or ctx.occurred_at.date(),
        )
        customer._retier(ctx, role)
        return customer

    def update_profile(self, ctx: CommandContext, changes: ProfileChanges) -> None:
        """UpdateCustomerProfile: records only the values that really differ."""
        _raise_if(_profile_problems(changes))
        role = _acting_role(ctx, "UpdateCustomerProfile", EDITORS)
        changed = {k: v for k, v in self._profile_values(changes).items() if getattr(self, k) != v}
        if not changed:
            raise ValidationFailed.one("changes", "nothing differs from the current profile")
        self._trigger(self.CustomerProfileUpdated, ctx, role, changes=changed)
        if TIER_INPUTS & changed.keys():
            self._retier(ctx, role)

    def create_functional_location(self, ctx: CommandContext, *, fl_no: str, address: str) -> None:
        """CreateFunctionalLocation: a second address, for service not at the master address."""
        problems = _required_code("fl_no", fl_no)
        check_required("address", address, problems)
        check_text("address", address, ADDRESS_MAX, problems)
        _raise_if(problems)
        role = _acting_role(ctx, "CreateFunctionalLocation", EDITORS)
        if fl_no in self.functional_locations:
            raise FunctionalLocationTaken(f"functional location {fl_no} already exists")
        self._trigger(self.FunctionalLocationCreated, ctx, role, fl_no=fl_no, address=address.strip())

    def assign_account_manager(self, ctx: CommandContext, *, employee_id: str) -> None:
        """AssignAccountManager: staff ids are taken as given when well-formed (no catalogue)."""
        _raise_if(_required_code("employee_id", employee_id))
        role = _acting_role(ctx, "AssignAccountManager", ASSIGNERS)
        self._trigger(
            self.AccountManagerAssigned,
            ctx,
            role,
            employee_id=employee_id,
            previous_employee_id=self.account_manager_id,
        )

    def record_monthly_sales(self, ctx: CommandContext, *, month: str, amount: Decimal | str) -> None:
        """RecordMonthlySales: one value per month; recording a month again replaces it."""
        problems: list[FieldProblem] = []
        if not MONTH.match(month):
            problems.append(FieldProblem("month", "must be YYYY-MM"))
        value = money("amount", amount, problems)
        _raise_if(problems)
        role = _acting_role(ctx, "RecordMonthlySales", EDITORS)
        self._trigger(
            self.MonthlySalesRecorded,
            ctx,
            role,
            month=month,
            amount=value,
            replaced_amount=self.monthly_sales.get(month),
        )
        self._retier(ctx, role)

    def record_asset_balance(self, ctx: CommandContext, *, as_of: date, amount: Decimal | str) -> None:
        """RecordAssetBalance: the balance with the latest `as_of` is the current one."""
        problems: list[FieldProblem] = []
        value = money("amount", amount, problems)
        _raise_if(problems)
        role = _acting_role(ctx, "RecordAssetBalance", EDITORS)
        self._trigger(self.AssetBalanceRecorded, ctx, role, as_of=as_of, amount=value)
        self._retier(ctx, role)

    def assess_risk_preference(self, ctx: CommandContext, *, level: str) -> None:
        """AssessRiskPreference: CONSERVATIVE, STEADY or AGGRESSIVE."""
        _raise_if(_one_of("level", level, RiskLevel))
        role = _acting_role(ctx, "AssessRiskPreference", EDITORS)
        self._trigger(self.RiskPreferenceAssessed, ctx, role, level=level)

    def set_value_class(self, ctx: CommandContext, *, value_class: str) -> None:
        """SetValueClass: LOYAL, POTENTIAL or LOW_VALUE."""
        _raise_if(_one_of("value_class", value_class, ValueClass))
        role = _acting_role(ctx, "SetValueClass", EDITORS)
        self._trigger(self.ValueClassAssigned, ctx, role, value_class=value_class)

    def log_contact(
        self,
        ctx: CommandContext,
        *,
        channel: str,
        direction: str,
        effective: bool,
        purpose: str | None = None,
        agent_id: str | None = None,
        notes: str | None = None,
    ) -> None:
        """LogContact: at = business time; agent defaults to the actor who logs it."""
        problems = _one_of("channel", channel, Channel) + _one_of("direction", direction, Direction)
        check_text("purpose", purpose, SHORT_TEXT_MAX, problems)
        check_reference_code("agent_id", agent_id, problems)
        check_text("notes", notes, LONG_TEXT_MAX, problems)
        _raise_if(problems)
        role = _acting_role(ctx, "LogContact", EDITORS)
        self._trigger(
            self.CustomerContacted,
            ctx,
            role,
            channel=channel,
            direction=direction,
            effective=effective,
            purpose=purpose,
            agent_id=agent_id or ctx.actor.id,
            at=ctx.occurred_at,
            notes=notes,
        )

    def record_return_visit(
        self,
        ctx: CommandContext,
        *,
        channel: str,
        agent_id: str | None = None,
        satisfied: bool | None = None,
        score: int | None = None,
        notes: str | None = None,
        related_case_no: str | None = None,
        project_id: str | None = None,
    ) -> None:
        """RecordReturnVisit: a visit that has happened, so business time is not in the future."""
        problems = _one_of("channel", channel, Channel) + _score_problems(score)
        for field, code in (
            ("agent_id", agent_id),
            ("related_case_no", related_case_no),
            ("project_id", project_id),
        ):
            check_reference_code(field, code, problems)
        check_text("notes", notes, LONG_TEXT_MAX, problems)
        if ctx.occurred_at > ctx.recorded_at:
            problems.append(FieldProblem("occurred_at", "must not be in the future"))
        _raise_if(problems)
        role = _acting_role(ctx, "RecordReturnVisit", EDITORS)
        self._trigger(
            self.ReturnVisitCompleted,
            ctx,
            role,
            channel=channel,
            agent_id=agent_id or ctx.actor.id,
            at=ctx.occurred_at,
            satisfied=satisfied,
            score=score,
            notes=notes,
            related_case_no=related_case_no,
            project_id=project_id,
        )

    def record_project_delivered(self, ctx: CommandContext, *, project_id: str, delivered_on: date) -> None:
        """RecordProjectDelivered: starts the monthly/quarterly return-visit cadence."""
        _raise_if(_required_code("project_id", project_id))
        role = _acting_role(ctx, "RecordProjectDelivered", EDITORS)
        self._trigger(self.ProjectDelivered, ctx, role, project_id=project_id, delivered_on=delivered_on)

    def record_survey(self, ctx: CommandContext, *, score: int, instrument: str) -> None:
        """RecordCustomerSurvey: a score of 1 to 5 from one of the survey instruments."""
        _raise_if(_score_problems(score) + _one_of("instrument", instrument, SurveyInstrument))
        role = _acting_role(ctx, "RecordCustomerSurvey", EDITORS)
        self._trigger(
            self.CustomerSurveyRecorded, ctx, role, score=score, instrument=instrument, at=ctx.occurred_at
        )

    def functional_location_address(self, fl_no: str) -> str | None:
        """The address of one of this customer's functional locations (for a case's service address)."""
        return self.functional_locations.get(fl_no)

    def tier_assessment(self) -> TierAssessment:
        """The tier rules applied to the current state."""
        return assess_tier(
            kind=self.kind,
            business_lines=self.business_lines,
            monthly_sales=self.monthly_sales,
            asset_balance=self.asset_balance,
            product_holdings=self.product_holdings,
        )

    @property
    def asset_band(self) -> AssetBand | None:
        return band_of(self.asset_balance)

    @property
    def margin_priority(self) -> bool:
        return margin_priority_of(self.product_holdings)

    def _retier(self, ctx: CommandContext, role: Role) -> None:
        """Append CustomerTierChanged when the facts just recorded move the tier."""
        assessment = self.tier_assessment()
        if assessment.tier != self.tier:
            self._trigger(
                self.CustomerTierChanged,
                ctx,
                role,
                from_tier=self.tier,
                to_tier=assessment.tier.value,
                basis=assessment.basis,
            )

    def _profile_values(self, changes: ProfileChanges) -> dict[str, object]:
        """The requested values in stored form, keyed by attribute name (already validated)."""
        given = {f.name: getattr(changes, f.name) for f in fields(changes)}
        values: dict[str, object] = {_attribute(k): v for k, v in given.items() if v is not None}
        for text in ("name", "master_address"):
            if text in values:
                values[text] = str(values[text]).strip()
        if changes.contacts is not None:
            values["contacts"] = {**self.contacts, **changes.contacts}
        if changes.business_lines is not None:
            values["business_lines"] = _business_lines(changes.business_lines, [])
        if changes.product_holdings is not None:
            values["product_holdings"] = _holdings(changes.product_holdings, [])
        return values


def _attribute(field: str) -> str:
    """The aggregate attribute a profile field is stored in (the API says `address`)."""
    return "master_address" if field == "address" else field


def _raise_if(problems: list[FieldProblem]) -> None:
    if problems:
        raise ValidationFailed(problems)


def _acting_role(ctx: CommandContext, command: str, allowed: Iterable[Role]) -> Role:
    """The role written into the events, or ForbiddenRole when the actor holds none of `allowed`."""
    role = ctx.actor.acting_role(allowed)
    if role is None:
        raise ForbiddenRole(command, ctx.actor.roles)
    return role


def _one_of(field: str, value: str, allowed: type[StrEnum]) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    check_required(field, value, problems)
    check_one_of(field, value, allowed, problems)
    return problems[:1]


def _required_code(field: str, value: str) -> list[FieldProblem]:
    """A mandatory reference code: one problem at most, so the message says what to fix."""
    problems: list[FieldProblem] = []
    check_required(field, value, problems)
    if not problems:
        check_reference_code(field, value, problems)
    return problems


def _score_problems(score: int | None) -> list[FieldProblem]:
    if score is None or score in SCORE_RANGE:
        return []
    return [FieldProblem("score", "must be between 1 and 5")]


def _identity_problems(customer_no: str, name: str, kind: str, address: str) -> list[FieldProblem]:
    problems = _required_code("customer_no", customer_no)
    check_required("name", name, problems)
    check_text("name", name, NAME_MAX, problems)
    problems += _one_of("kind", kind, CustomerKind)
    check_required("address", address, problems)
    check_text("address", address, ADDRESS_MAX, problems)
    return problems


def _profile_problems(changes: ProfileChanges) -> list[FieldProblem]:
    """Payload rules of a profile update that do not depend on the customer's state."""
    given = [f.name for f in fields(changes) if getattr(changes, f.name) is not None]
    if not given:
        return [FieldProblem("changes", "at least one profile field is required")]
    problems: list[FieldProblem] = []
    for field, limit in PROFILE_TEXT_LIMITS.items():
        value = getattr(changes, field)
        if field in REQUIRED_PROFILE_TEXT and value is not None:
            check_required(field, value, problems)  # may be left out, but not blanked
        check_text(field, value, limit, problems)
    if changes.kind is not None:
        problems += _one_of("kind", changes.kind, CustomerKind)
    if changes.years_of_work is not None and not 0 <= changes.years_of_work <= MAX_YEARS_OF_WORK:
        problems.append(FieldProblem("years_of_work", f"must be between 0 and {MAX_YEARS_OF_WORK}"))
    _check_contacts(changes.contacts or {}, problems)
    _business_lines(changes.business_lines or (), problems)
    _holdings(changes.product_holdings or (), problems)
    return problems


def _check_contacts(contacts: Mapping[str, str], problems: list[FieldProblem]) -> None:
    for key, value in contacts.items():
        if key not in CONTACT_FIELDS:
            problems.append(FieldProblem(f"contacts.{key}", "is not a contact field"))
        else:
            check_text(f"contacts.{key}", value, CONTACT_MAX, problems)
    check_one_of("contacts.preferred_channel", contacts.get("preferred_channel"), Channel, problems)


def _business_lines(lines: Sequence[str], problems: list[FieldProblem]) -> list[str]:
    """Known lines, stored sorted and without repeats so equal sets compare equal."""
    for index, line in enumerate(lines):
        check_one_of(f"business_lines[{index}]", line, BusinessLine, problems)
    return sorted(set(lines))


def _holdings(holdings: Sequence[Holding], problems: list[FieldProblem]) -> list[dict[str, object]]:
    """Product holdings as [{product, amount}], one per product so MARGIN_PRIORITY is unambiguous."""
    stored: list[dict[str, object]] = []
    for index, (product, amount) in enumerate(holdings):
        check_one_of(f"product_holdings[{index}].product", product, Product, problems)
        if any(h["product"] == product for h in stored):
            problems.append(FieldProblem(f"product_holdings[{index}].product", "is listed twice"))
        value = money(f"product_holdings[{index}].amount", amount, problems)
        stored.append({"product": product, "amount": value})
    return stored
