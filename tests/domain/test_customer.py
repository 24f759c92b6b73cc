"""Customer aggregate: commands in, events out, no I/O (DOMAIN.md §4.2, §4.5, §4.6)."""

from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from domain.actor import Role
from domain.customer import Customer, ProfileChanges
from domain.errors import FieldProblem, ForbiddenRole, FunctionalLocationTaken, ValidationFailed
from tests.domain.support import CUSTOMER_NO, NOW, make_ctx, names, pending, register

EARLIER = NOW - timedelta(days=30)


def fields_of(error: ValidationFailed) -> set[str]:
    return {problem.field for problem in error.problems}


def last(customer: Customer) -> Any:
    return customer.pending_events[-1]


# --- RegisterCustomer -------------------------------------------------------------------------


def test_registering_appends_customer_registered_with_the_master_data() -> None:
    customer = Customer.register(
        make_ctx(),
        customer_no=CUSTOMER_NO,
        name=" 王敏 ",
        kind="ENTERPRISE",
        address="上海",
        contacts={"phone": "021-1"},
        business_lines=["HOSTING"],
        account_manager_id="E-7",
        registered_on=date(2001, 3, 7),
    )
    event = pending(customer)[0]
    assert (
        event.customer_no,
        event.name,
        event.kind,
        event.master_address,
        event.contacts,
        list(event.business_lines),
        event.account_manager_id,
        event.registered_on,
    ) == (CUSTOMER_NO, "王敏", "ENTERPRISE", "上海", {"phone": "021-1"}, ["HOSTING"], "E-7", date(2001, 3, 7))


def test_a_registered_customer_lives_in_stream_customer_dash_number() -> None:
    assert register().id == f"customer-{CUSTOMER_NO}"


def test_a_plain_registration_starts_standard_without_a_tier_change() -> None:
    customer = Customer.register(
        make_ctx(), customer_no=CUSTOMER_NO, name="X", kind="INDIVIDUAL", address="A"
    )
    assert (names(customer.pending_events), customer.tier) == (["CustomerRegistered"], "STANDARD")


def test_registered_on_defaults_to_the_business_date_of_the_command() -> None:
    late_evening_utc = datetime(2024, 3, 5, 17, 0, tzinfo=NOW.tzinfo)  # already 6 March in Shanghai
    assert register(make_ctx(recorded_at=late_evening_utc)).registered_on == date(2024, 3, 6)


def test_registering_an_agent_appends_a_tier_change_in_the_same_command() -> None:
    customer = Customer.register(make_ctx(), customer_no=CUSTOMER_NO, name="X", kind="AGENT", address="A")
    change = pending(customer)[1]
    assert (change.from_tier, change.to_tier, change.basis) == ("STANDARD", "BIG_CUSTOMER", "KIND:AGENT")


def test_registering_with_a_vpdn_line_makes_a_big_customer_by_business_line() -> None:
    assert register(business_lines=["VPDN"]).tier_basis == "BUSINESS_LINE:VPDN"


def test_business_lines_are_stored_once_each_in_a_stable_order() -> None:
    assert register(business_lines=["OTHER", "IDC", "OTHER"]).business_lines == ["IDC", "OTHER"]


def test_every_event_carries_the_envelope_of_its_command() -> None:
    ctx = make_ctx(Role.CS_AGENT, actor_id="u-9", occurred_at=EARLIER)
    event = pending(Customer.register(ctx, customer_no=CUSTOMER_NO, name="X", kind="AGENT", address="A"))[1]
    assert (
        event.actor_id,
        event.actor_role,
        event.occurred_at,
        event.timestamp,
        event.command_id,
        event.correlation_id,
        event.causation_id,
    ) == (
        "u-9",
        "cs_agent",
        ctx.occurred_at,
        ctx.recorded_at,
        ctx.command_id,
        ctx.correlation_id,
        ctx.causation_id,
    )


def test_each_event_of_one_command_has_its_own_event_id() -> None:
    customer = Customer.register(make_ctx(), customer_no=CUSTOMER_NO, name="X", kind="AGENT", address="A")
    assert len({event.event_id for event in pending(customer)}) == 2


def test_an_integrator_registers_and_is_recorded_as_integrator() -> None:
    customer = Customer.register(
        make_ctx(Role.INTEGRATOR), customer_no=CUSTOMER_NO, name="X", kind="PARTNER", address="A"
    )
    assert pending(customer)[0].actor_role == "integrator"


def test_registration_lists_every_failing_field() -> None:
    with pytest.raises(ValidationFailed) as refused:
        Customer.register(
            make_ctx(),
            customer_no="21100 50007",
            name=" ",
            kind="VIP",
            address="",
            contacts={"fax": "1", "preferred_channel": "PIGEON"},
            business_lines=["GSM"],
        )
    assert fields_of(refused.value) == {
        "customer_no",
        "name",
        "kind",
        "address",
        "contacts.fax",
        "contacts.preferred_channel",
        "business_lines[0]",
    }


def test_an_empty_customer_number_is_required() -> None:
    with pytest.raises(ValidationFailed) as refused:
        Customer.register(make_ctx(), customer_no="", name="X", kind="AGENT", address="A")
    assert refused.value.problems == (FieldProblem("customer_no", "is required"),)


@pytest.mark.parametrize("role", [Role.SERVICE_STAFF, Role.SUPERVISOR, Role.AUDITOR, Role.ANALYST])
def test_only_assistants_agents_and_account_managers_register(role: Role) -> None:
    with pytest.raises(ForbiddenRole):
        Customer.register(make_ctx(role), customer_no=CUSTOMER_NO, name="X", kind="AGENT", address="A")


def test_payload_errors_are_reported_before_the_role() -> None:
    with pytest.raises(ValidationFailed):
        Customer.register(make_ctx(Role.AUDITOR), customer_no=CUSTOMER_NO, name="", kind="AGENT", address="A")


# --- UpdateCustomerProfile ------------------------------------------------------------------


def test_profile_update_records_only_the_values_that_differ() -> None:
    customer = register()
    customer.update_profile(make_ctx(), ProfileChanges(name="王敏", occupation="教师", years_of_work=12))
    assert last(customer).changes == {"occupation": "教师", "years_of_work": 12}


def test_profile_update_stores_address_as_master_address() -> None:
    customer = register()
    customer.update_profile(make_ctx(), ProfileChanges(address="北京"))
    assert customer.master_address == "北京"


def test_profile_update_merges_contacts_into_the_card() -> None:
    customer = register(contacts={"email": "a@b.cn"})
    customer.update_profile(make_ctx(), ProfileChanges(contacts={"phone": "021-1"}))
    assert customer.contacts == {"email": "a@b.cn", "phone": "021-1"}


def test_profile_update_without_any_field_is_refused() -> None:
    with pytest.raises(ValidationFailed) as refused:
        register().update_profile(make_ctx(), ProfileChanges())
    assert fields_of(refused.value) == {"changes"}


def test_profile_update_that_changes_nothing_is_refused() -> None:
    with pytest.raises(ValidationFailed) as refused:
        register().update_profile(make_ctx(), ProfileChanges(name="王敏", kind="ENTERPRISE"))
    assert fields_of(refused.value) == {"changes"}


def test_role_is_checked_before_the_state_dependent_no_change_rule() -> None:
    with pytest.raises(ForbiddenRole):
        register().update_profile(make_ctx(Role.SERVICE_STAFF), ProfileChanges(name="王敏"))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        (ProfileChanges(name=" "), "name"),
        (ProfileChanges(address=""), "address"),
        (ProfileChanges(kind="VIP"), "kind"),
        (ProfileChanges(years_of_work=81), "years_of_work"),
        (ProfileChanges(occupation="x" * 201), "occupation"),
        (ProfileChanges(business_lines=["GSM"]), "business_lines[0]"),
        (ProfileChanges(product_holdings=[("GOLD", "1")]), "product_holdings[0].product"),
        (ProfileChanges(product_holdings=[("FUTURES", "-1")]), "product_holdings[0].amount"),
    ],
)
def test_profile_update_field_rules(changes: ProfileChanges, field: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        register().update_profile(make_ctx(), changes)
    assert fields_of(refused.value) == {field}


def test_a_product_may_be_held_only_once_in_the_holdings() -> None:
    holdings = [("FUTURES", "1"), ("FUTURES", "2")]
    with pytest.raises(ValidationFailed) as refused:
        register().update_profile(make_ctx(), ProfileChanges(product_holdings=holdings))
    assert fields_of(refused.value) == {"product_holdings[1].product"}


def test_a_large_margin_trading_holding_flags_margin_priority() -> None:
    customer = register()
    customer.update_profile(make_ctx(), ProfileChanges(product_holdings=[("MARGIN_TRADING", "500000")]))
    assert (customer.product_holdings, customer.margin_priority) == (
        [{"product": "MARGIN_TRADING", "amount": Decimal("500000.00")}],
        True,
    )


def test_changing_kind_to_agent_changes_the_tier_in_the_same_command() -> None:
    customer = register()
    customer.update_profile(make_ctx(), ProfileChanges(kind="AGENT"))
    assert names(customer.pending_events) == ["CustomerProfileUpdated", "CustomerTierChanged"]


def test_dropping_the_big_business_line_returns_the_customer_to_standard() -> None:
    customer = register(business_lines=["IP_GATEWAY"])
    customer.update_profile(make_ctx(), ProfileChanges(business_lines=["IP_DIALER"]))
    assert (last(customer).from_tier, last(customer).to_tier) == ("BIG_CUSTOMER", "STANDARD")


def test_a_profile_change_that_keeps_the_tier_appends_no_tier_change() -> None:
    customer = register()
    customer.update_profile(make_ctx(), ProfileChanges(business_lines=["HOSTING"]))
    assert names(customer.pending_events) == ["CustomerProfileUpdated"]


# --- CreateFunctionalLocation -----------------------------------------------------------------


def test_creating_a_functional_location_records_its_number_and_address() -> None:
    customer = register()
    customer.create_functional_location(make_ctx(), fl_no="2110050027", address="上海市长宁区")
    assert (last(customer).fl_no, last(customer).address) == ("2110050027", "上海市长宁区")


def test_a_functional_location_address_can_be_looked_up_by_number() -> None:
    customer = register()
    customer.create_functional_location(make_ctx(), fl_no="2110050027", address="上海市长宁区")
    assert customer.functional_location_address("2110050027") == "上海市长宁区"


def test_an_unknown_functional_location_has_no_address() -> None:
    assert register().functional_location_address("2110050027") is None


def test_a_functional_location_number_is_taken_once_per_customer() -> None:
    customer = register()
    customer.create_functional_location(make_ctx(), fl_no="2110050027", address="A")
    with pytest.raises(FunctionalLocationTaken):
        customer.create_functional_location(make_ctx(), fl_no="2110050027", address="B")


def test_functional_location_needs_a_well_formed_number_and_an_address() -> None:
    with pytest.raises(ValidationFailed) as refused:
        register().create_functional_location(make_ctx(), fl_no="21 10", address=" ")
    assert fields_of(refused.value) == {"fl_no", "address"}


def test_field_errors_come_before_the_taken_location_rule() -> None:
    customer = register()
    customer.create_functional_location(make_ctx(), fl_no="2110050027", address="A")
    with pytest.raises(ValidationFailed):
        customer.create_functional_location(make_ctx(), fl_no="2110050027", address="")


def test_role_comes_before_the_taken_location_rule() -> None:
    customer = register()
    customer.create_functional_location(make_ctx(), fl_no="2110050027", address="A")
    with pytest.raises(ForbiddenRole):
        customer.create_functional_location(make_ctx(Role.AUDITOR), fl_no="2110050027", address="B")


# --- AssignAccountManager -------------------------------------------------------------------


def test_assigning_an_account_manager_records_the_new_and_previous_one() -> None:
    customer = register(account_manager_id="E-1")
    customer.assign_account_manager(make_ctx(), employee_id="E-2")
    assert (last(customer).employee_id, last(customer).previous_employee_id, customer.account_manager_id) == (
        "E-2",
        "E-1",
        "E-2",
    )


def test_a_supervisor_may_assign_an_account_manager() -> None:
    customer = register()
    customer.assign_account_manager(make_ctx(Role.SUPERVISOR), employee_id="E-2")
    assert last(customer).actor_role == "supervisor"


def test_an_account_manager_id_must_be_a_reference_code() -> None:
    with pytest.raises(ValidationFailed):
        register().assign_account_manager(make_ctx(), employee_id="王 敏")


# --- RecordMonthlySales -----------------------------------------------------------------------


def test_recording_monthly_sales_appends_month_and_amount_in_cents() -> None:
    customer = register()
    customer.record_monthly_sales(make_ctx(), month="2024-02", amount="80")
    assert (last(customer).month, last(customer).amount) == ("2024-02", Decimal("80.00"))


@pytest.mark.parametrize("month", ["2024-13", "2024-00", "2024-1", "24-01", "2024/01", ""])
def test_month_must_be_year_dash_month(month: str) -> None:
    with pytest.raises(ValidationFailed):
        register().record_monthly_sales(make_ctx(), month=month, amount="1")


@pytest.mark.parametrize("amount", ["-0.01", "1.001", "NaN", "abc"])
def test_sales_amount_must_be_a_non_negative_amount_in_cents(amount: str) -> None:
    with pytest.raises(ValidationFailed):
        register().record_monthly_sales(make_ctx(), month="2024-01", amount=amount)


def test_re_recording_a_month_replaces_its_value() -> None:
    customer = register()
    customer.record_monthly_sales(make_ctx(), month="2024-01", amount="100")
    customer.record_monthly_sales(make_ctx(), month="2024-01", amount="300")
    assert (customer.monthly_sales, last(customer).replaced_amount) == (
        {"2024-01": Decimal("300.00")},
        Decimal("100.00"),
    )


def test_average_sales_of_exactly_2000_makes_a_big_customer() -> None:
    customer = register()
    customer.record_monthly_sales(make_ctx(), month="2024-01", amount="2000.00")
    assert (last(customer).to_tier, last(customer).basis) == ("BIG_CUSTOMER", "AVG_MONTHLY_SALES:2000.00")


def test_average_sales_just_under_2000_changes_no_tier() -> None:
    customer = register()
    customer.record_monthly_sales(make_ctx(), month="2024-01", amount="1999.99")
    assert names(customer.pending_events) == ["MonthlySalesRecorded"]


def test_re_recording_a_month_lower_returns_a_big_customer_to_standard() -> None:
    customer = register()
    customer.record_monthly_sales(make_ctx(), month="2024-01", amount="2500")
    customer.record_monthly_sales(make_ctx(), month="2024-01", amount="10")
    assert (last(customer).from_tier, last(customer).to_tier) == ("BIG_CUSTOMER", "STANDARD")


def test_only_the_twelve_most_recent_months_count_towards_the_tier() -> None:
    customer = register()
    customer.record_monthly_sales(make_ctx(), month="2022-12", amount="50000")
    for month in range(1, 13):
        customer.record_monthly_sales(make_ctx(), month=f"2023-{month:02d}", amount="0")
    assert (customer.tier, customer.tier_assessment().months_considered) == ("STANDARD", 12)


def test_sales_of_a_customer_already_big_by_line_change_no_tier() -> None:
    customer = register(business_lines=["VPDN"])
    customer.record_monthly_sales(make_ctx(), month="2024-01", amount="9000")
    assert names(customer.pending_events) == ["MonthlySalesRecorded"]


# --- RecordAssetBalance -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "tier"),
    [("99999.99", "STANDARD"), ("100000", "MID_END"), ("1000000", "MID_END"), ("1000000.01", "HIGH_END")],
)
def test_asset_balance_boundaries_set_the_tier(amount: str, tier: str) -> None:
    customer = register()
    customer.record_asset_balance(make_ctx(), as_of=date(2024, 3, 1), amount=amount)
    assert customer.tier == tier


def test_moving_between_asset_bands_records_from_and_to() -> None:
    customer = register()
    customer.record_asset_balance(make_ctx(), as_of=date(2024, 1, 1), amount="100000")
    customer.record_asset_balance(make_ctx(), as_of=date(2024, 2, 1), amount="1000000.01")
    assert (last(customer).from_tier, last(customer).to_tier, last(customer).basis) == (
        "MID_END",
        "HIGH_END",
        "ASSET_BAND:HIGH_END",
    )


def test_a_back_dated_balance_does_not_replace_a_more_recent_one() -> None:
    customer = register()
    customer.record_asset_balance(make_ctx(), as_of=date(2024, 3, 1), amount="200000")
    customer.record_asset_balance(make_ctx(), as_of=date(2023, 3, 1), amount="5")
    assert (customer.asset_balance, customer.asset_band) == (Decimal("200000.00"), "MID_END")


def test_asset_balance_must_not_be_negative() -> None:
    with pytest.raises(ValidationFailed):
        register().record_asset_balance(make_ctx(), as_of=date(2024, 3, 1), amount="-1")


# --- Risk preference, value class -------------------------------------------------------------


def test_assessing_risk_preference_records_the_level() -> None:
    customer = register()
    customer.assess_risk_preference(make_ctx(), level="STEADY")
    assert (last(customer).level, customer.risk_preference) == ("STEADY", "STEADY")


def test_risk_level_must_be_one_of_three() -> None:
    with pytest.raises(ValidationFailed):
        register().assess_risk_preference(make_ctx(), level="RECKLESS")


def test_setting_value_class_records_the_class() -> None:
    customer = register()
    customer.set_value_class(make_ctx(), value_class="LOYAL")
    assert (last(customer).value_class, customer.value_class) == ("LOYAL", "LOYAL")


def test_value_class_must_be_one_of_three() -> None:
    with pytest.raises(ValidationFailed):
        register().set_value_class(make_ctx(), value_class="GOLD")


# --- LogContact ---------------------------------------------------------------------------------


def test_logging_a_contact_records_what_happened_at_business_time() -> None:
    customer = register()
    ctx = make_ctx(occurred_at=EARLIER)
    customer.log_contact(ctx, channel="PHONE", direction="OUT", effective=True, purpose="回访", notes="ok")
    event = last(customer)
    assert (event.channel, event.direction, event.effective, event.purpose, event.at, event.notes) == (
        "PHONE",
        "OUT",
        True,
        "回访",
        ctx.occurred_at,
        "ok",
    )


def test_a_contact_without_agent_is_credited_to_the_actor() -> None:
    customer = register()
    customer.log_contact(make_ctx(actor_id="u-55"), channel="QQ", direction="IN", effective=False)
    assert last(customer).agent_id == "u-55"


def test_a_back_dated_contact_does_not_move_the_last_contact_back() -> None:
    customer = register()
    customer.log_contact(make_ctx(), channel="PHONE", direction="OUT", effective=True)
    customer.log_contact(make_ctx(occurred_at=EARLIER), channel="PHONE", direction="OUT", effective=True)
    assert (customer.contact_count, customer.last_contact_at) == (2, NOW)


def test_only_effective_contacts_move_the_last_effective_contact() -> None:
    customer = register()
    customer.log_contact(make_ctx(), channel="PHONE", direction="OUT", effective=False)
    assert (customer.last_contact_at, customer.last_effective_contact_at) == (NOW, None)


def test_contact_channel_and_direction_must_be_known() -> None:
    with pytest.raises(ValidationFailed) as refused:
        register().log_contact(make_ctx(), channel="PIGEON", direction="SIDEWAYS", effective=True)
    assert fields_of(refused.value) == {"channel", "direction"}


# --- RecordReturnVisit ------------------------------------------------------------------------


def test_recording_a_return_visit_keeps_its_outcome() -> None:
    customer = register()
    customer.record_return_visit(
        make_ctx(), channel="VISIT", satisfied=True, score=5, related_case_no="1000001", project_id="P-1"
    )
    event = last(customer)
    outcome = (event.satisfied, event.score, event.related_case_no, event.project_id)
    assert (outcome, customer.return_visit_count) == ((True, 5, "1000001", "P-1"), 1)


def test_a_return_visit_may_be_recorded_at_the_current_instant() -> None:
    customer = register()
    customer.record_return_visit(make_ctx(occurred_at=NOW), channel="PHONE")
    assert customer.last_return_visit_at == NOW


def test_a_return_visit_in_the_future_is_refused() -> None:
    ctx = make_ctx(occurred_at=NOW + timedelta(seconds=1))
    with pytest.raises(ValidationFailed) as refused:
        register().record_return_visit(ctx, channel="PHONE")
    assert fields_of(refused.value) == {"occurred_at"}


@pytest.mark.parametrize("score", [0, 6])
def test_return_visit_score_is_one_to_five(score: int) -> None:
    with pytest.raises(ValidationFailed):
        register().record_return_visit(make_ctx(), channel="PHONE", score=score)


# --- RecordProjectDelivered -------------------------------------------------------------------


def test_recording_a_delivered_project_starts_its_cadence() -> None:
    customer = register()
    customer.record_project_delivered(make_ctx(), project_id="P-1", delivered_on=date(2024, 2, 1))
    assert customer.projects_delivered == [{"project_id": "P-1", "delivered_on": date(2024, 2, 1)}]


def test_re_recording_a_project_moves_its_delivery_date() -> None:
    customer = register()
    customer.record_project_delivered(make_ctx(), project_id="P-1", delivered_on=date(2024, 2, 1))
    customer.record_project_delivered(make_ctx(), project_id="P-1", delivered_on=date(2024, 2, 9))
    assert customer.projects_delivered == [{"project_id": "P-1", "delivered_on": date(2024, 2, 9)}]


def test_project_id_is_required() -> None:
    with pytest.raises(ValidationFailed):
        register().record_project_delivered(make_ctx(), project_id="", delivered_on=date(2024, 2, 1))


# --- RecordCustomerSurvey ---------------------------------------------------------------------


@pytest.mark.parametrize("score", [1, 5])
def test_survey_scores_one_to_five_are_recorded(score: int) -> None:
    customer = register()
    customer.record_survey(make_ctx(), score=score, instrument="QUALITY_CARD")
    event = last(customer)
    assert (event.score, event.instrument, customer.survey_count) == (score, "QUALITY_CARD", 1)


@pytest.mark.parametrize(
    ("score", "instrument", "field"), [(0, "FORM", "score"), (6, "FORM", "score"), (3, "EMAIL", "instrument")]
)
def test_survey_rules(score: int, instrument: str, field: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        register().record_survey(make_ctx(), score=score, instrument=instrument)
    assert fields_of(refused.value) == {field}


# --- Roles and refusals across commands ---------------------------------------------------------

Command = Callable[[Customer, Any], None]

COMMANDS: dict[str, Command] = {
    "update_profile": lambda c, ctx: c.update_profile(ctx, ProfileChanges(occupation="教师")),
    "create_functional_location": lambda c, ctx: c.create_functional_location(ctx, fl_no="F1", address="A"),
    "assign_account_manager": lambda c, ctx: c.assign_account_manager(ctx, employee_id="E-1"),
    "record_monthly_sales": lambda c, ctx: c.record_monthly_sales(ctx, month="2024-01", amount="1"),
    "record_asset_balance": lambda c, ctx: c.record_asset_balance(ctx, as_of=date(2024, 1, 1), amount="1"),
    "assess_risk_preference": lambda c, ctx: c.assess_risk_preference(ctx, level="STEADY"),
    "set_value_class": lambda c, ctx: c.set_value_class(ctx, value_class="LOYAL"),
    "log_contact": lambda c, ctx: c.log_contact(ctx, channel="PHONE", direction="IN", effective=True),
    "record_return_visit": lambda c, ctx: c.record_return_visit(ctx, channel="PHONE"),
    "record_project_delivered": lambda c, ctx: c.record_project_delivered(
        ctx, project_id="P-1", delivered_on=date(2024, 1, 1)
    ),
    "record_survey": lambda c, ctx: c.record_survey(ctx, score=4, instrument="PHONE"),
}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("role", [Role.ASSISTANT, Role.CS_AGENT, Role.ACCOUNT_MANAGER, Role.INTEGRATOR])
def test_assistants_agents_account_managers_and_integrators_may_run_customer_commands(
    command: str, role: Role
) -> None:
    customer = register()
    COMMANDS[command](customer, make_ctx(role))
    assert len(customer.pending_events) == 1


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("role", [Role.SERVICE_STAFF, Role.AUDITOR, Role.ANALYST, Role.ADMIN])
def test_other_roles_are_forbidden_customer_commands(command: str, role: Role) -> None:
    with pytest.raises(ForbiddenRole):
        COMMANDS[command](register(), make_ctx(role))


@pytest.mark.parametrize("command", sorted(set(COMMANDS) - {"assign_account_manager"}))
def test_a_supervisor_may_only_assign_account_managers(command: str) -> None:
    with pytest.raises(ForbiddenRole):
        COMMANDS[command](register(), make_ctx(Role.SUPERVISOR))


REFUSED: dict[str, Command] = {
    "no change": lambda c, ctx: c.update_profile(ctx, ProfileChanges(name="王敏")),
    "bad month": lambda c, ctx: c.record_monthly_sales(ctx, month="2024-13", amount="1"),
    "negative balance": lambda c, ctx: c.record_asset_balance(ctx, as_of=date(2024, 1, 1), amount="-1"),
    "forbidden": lambda c, ctx: c.set_value_class(make_ctx(Role.AUDITOR), value_class="LOYAL"),
    "future visit": lambda c, ctx: c.record_return_visit(
        make_ctx(occurred_at=NOW + timedelta(hours=1)), channel="PHONE"
    ),
    "bad survey": lambda c, ctx: c.record_survey(ctx, score=9, instrument="PHONE"),
}


@pytest.mark.parametrize("refusal", REFUSED)
def test_a_refused_command_leaves_no_pending_event_and_no_state_change(refusal: str) -> None:
    customer = register()
    before = deepcopy(vars(customer))
    with pytest.raises((ValidationFailed, ForbiddenRole)):
        REFUSED[refusal](customer, make_ctx())
    assert (customer.pending_events, vars(customer)) == ([], before)


def test_a_taken_functional_location_leaves_no_pending_event() -> None:
    customer = register()
    customer.create_functional_location(make_ctx(), fl_no="F1", address="A")
    customer.collect_events()
    with pytest.raises(FunctionalLocationTaken):
        customer.create_functional_location(make_ctx(), fl_no="F1", address="B")
    assert customer.pending_events == []
