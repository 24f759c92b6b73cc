"""Customer command handlers: load the stream, call one Customer method, commit."""

from __future__ import annotations

from typing import cast

from eventsourcing.persistence import IntegrityError

from application.accepted import Accepted
from application.app import CrmApplication
from application.bus import Handler
from application.commands import Command
from application.customer_commands import (
    AssessRiskPreference,
    AssignAccountManager,
    CreateFunctionalLocation,
    CustomerCommand,
    LogContact,
    RecordAssetBalance,
    RecordCustomerSurvey,
    RecordMonthlySales,
    RecordProjectDelivered,
    RecordReturnVisit,
    RegisterCustomer,
    SetValueClass,
    UpdateCustomerProfile,
)
from domain.actor import Role
from domain.base import CrmEvent
from domain.context import CommandContext
from domain.customer import Customer, ProfileChanges
from domain.errors import CustomerAlreadyExists, FunctionalLocationTaken
from domain.functional_location import FunctionalLocationClaim


def _load(app: CrmApplication, cmd: CustomerCommand) -> Customer:
    """The customer named by the command, checked against `If-Match` when given."""
    return app.load(Customer, cmd.customer_no, cmd.expected_version)


def register_customer(cmd: RegisterCustomer, ctx: CommandContext, app: CrmApplication) -> Accepted:
    """Validate and check roles first (400, 403), then uniqueness (409), as DOMAIN.md §4.6 orders."""
    customer = Customer.register(
        ctx,
        customer_no=cmd.customer_no,
        name=cmd.name,
        kind=cmd.kind,
        address=cmd.address,
        contacts=cmd.contacts.given() if cmd.contacts else None,
        business_lines=cmd.business_lines or (),
        account_manager_id=cmd.account_manager_id,
        registered_on=cmd.registered_on,
    )
    exists = CustomerAlreadyExists(f"customer {cmd.customer_no} already exists")
    if app.exists(Customer, cmd.customer_no):
        raise exists
    try:
        return app.commit(customer, cmd.customer_no)
    except IntegrityError:
        # Registered by someone else between our check and our save.
        raise exists from None


def update_customer_profile(cmd: UpdateCustomerProfile, ctx: CommandContext, app: CrmApplication) -> Accepted:
    customer = _load(app, cmd)
    holdings = None if cmd.product_holdings is None else [(h.product, h.amount) for h in cmd.product_holdings]
    customer.update_profile(
        ctx,
        ProfileChanges(
            name=cmd.name,
            kind=cmd.kind,
            address=cmd.address,
            contacts=cmd.contacts.given() if cmd.contacts else None,
            business_lines=cmd.business_lines,
            occupation=cmd.occupation,
            years_of_work=cmd.years_of_work,
            investment_skill=cmd.investment_skill,
            preferences=cmd.preferences,
            product_holdings=holdings,
        ),
    )
    return app.commit(customer, cmd.customer_no)


def create_functional_location(
    cmd: CreateFunctionalLocation, ctx: CommandContext, app: CrmApplication
) -> Accepted:
    """The location is claimed system-wide in the same append: a number taken elsewhere is refused."""
    customer = _load(app, cmd)
    customer.create_functional_location(ctx, fl_no=cmd.fl_no, address=cmd.address)
    role = Role(cast(CrmEvent, customer.pending_events[-1]).actor_role)  # the same capacity as the location
    claim = FunctionalLocationClaim.claim(ctx, role, cmd.fl_no, cmd.customer_no)
    taken = FunctionalLocationTaken(f"functional location {cmd.fl_no} belongs to another customer")
    if app.exists(FunctionalLocationClaim, cmd.fl_no):
        raise taken
    try:
        return app.commit(customer, cmd.customer_no, claim, fl_no=cmd.fl_no)
    except IntegrityError:
        if app.exists(FunctionalLocationClaim, cmd.fl_no):
            raise taken from None
        raise


def assign_account_manager(cmd: AssignAccountManager, ctx: CommandContext, app: CrmApplication) -> Accepted:
    customer = _load(app, cmd)
    customer.assign_account_manager(ctx, employee_id=cmd.employee_id)
    return app.commit(customer, cmd.customer_no)


def log_contact(cmd: LogContact, ctx: CommandContext, app: CrmApplication) -> Accepted:
    customer = _load(app, cmd)
    customer.log_contact(
        ctx,
        channel=cmd.channel,
        direction=cmd.direction,
        effective=cmd.effective,
        purpose=cmd.purpose,
        agent_id=cmd.agent_id,
        notes=cmd.notes,
    )
    return app.commit(customer, cmd.customer_no)


def record_return_visit(cmd: RecordReturnVisit, ctx: CommandContext, app: CrmApplication) -> Accepted:
    customer = _load(app, cmd)
    customer.record_return_visit(
        ctx,
        channel=cmd.channel,
        agent_id=cmd.agent_id,
        satisfied=cmd.satisfied,
        score=cmd.score,
        notes=cmd.notes,
        related_case_no=cmd.related_case_no,
        project_id=cmd.project_id,
    )
    return app.commit(customer, cmd.customer_no)


def record_monthly_sales(cmd: RecordMonthlySales, ctx: CommandContext, app: CrmApplication) -> Accepted:
    customer = _load(app, cmd)
    customer.record_monthly_sales(ctx, month=cmd.month, amount=cmd.amount)
    return app.commit(customer, cmd.customer_no)


def record_asset_balance(cmd: RecordAssetBalance, ctx: CommandContext, app: CrmApplication) -> Accepted:
    customer = _load(app, cmd)
    customer.record_asset_balance(ctx, as_of=cmd.as_of, amount=cmd.amount)
    return app.commit(customer, cmd.customer_no)


def assess_risk_preference(cmd: AssessRiskPreference, ctx: CommandContext, app: CrmApplication) -> Accepted:
    customer = _load(app, cmd)
    customer.assess_risk_preference(ctx, level=cmd.level)
    return app.commit(customer, cmd.customer_no)


def set_value_class(cmd: SetValueClass, ctx: CommandContext, app: CrmApplication) -> Accepted:
    customer = _load(app, cmd)
    customer.set_value_class(ctx, value_class=cmd.value_class)
    return app.commit(customer, cmd.customer_no)


def record_project_delivered(
    cmd: RecordProjectDelivered, ctx: CommandContext, app: CrmApplication
) -> Accepted:
    customer = _load(app, cmd)
    customer.record_project_delivered(ctx, project_id=cmd.project_id, delivered_on=cmd.delivered_on)
    return app.commit(customer, cmd.customer_no)


def record_customer_survey(cmd: RecordCustomerSurvey, ctx: CommandContext, app: CrmApplication) -> Accepted:
    customer = _load(app, cmd)
    customer.record_survey(ctx, score=cmd.score, instrument=cmd.instrument)
    return app.commit(customer, cmd.customer_no)


CUSTOMER_HANDLERS: dict[type[Command], Handler] = {
    RegisterCustomer: register_customer,
    UpdateCustomerProfile: update_customer_profile,
    CreateFunctionalLocation: create_functional_location,
    AssignAccountManager: assign_account_manager,
    LogContact: log_contact,
    RecordReturnVisit: record_return_visit,
    RecordMonthlySales: record_monthly_sales,
    RecordAssetBalance: record_asset_balance,
    AssessRiskPreference: assess_risk_preference,
    SetValueClass: set_value_class,
    RecordProjectDelivered: record_project_delivered,
    RecordCustomerSurvey: record_customer_survey,
}
