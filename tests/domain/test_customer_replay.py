"""Replay safety of the Customer stream, under random valid and invalid command sequences.

Whatever commands arrive, a refused one appends nothing and changes nothing, and
the events collected rebuild an equal customer: directly, after the event
store's JSON round trip, and from a JSON snapshot.
"""

from __future__ import annotations

from copy import deepcopy
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.actor import Role
from domain.base import CrmSnapshot
from domain.customer import Customer, ProfileChanges
from domain.customer_events import Direction, RiskLevel, SurveyInstrument, ValueClass
from domain.errors import DomainError
from domain.tiers import BusinessLine, CustomerKind, Product
from domain.values import Channel
from tests.domain.support import CUSTOMER_NO, NOW, json_mapper, make_ctx, replay, through_json

Step = tuple[str, Role, int, dict[str, Any]]


def valid_or(valid: st.SearchStrategy[Any], *invalid: Any) -> st.SearchStrategy[Any]:
    """Mostly valid values, sometimes one of the `invalid` ones."""
    return st.one_of(valid, valid, valid, st.sampled_from(invalid))


def enum_values(enum: type[Any], *invalid: str) -> st.SearchStrategy[Any]:
    return valid_or(st.sampled_from([member.value for member in enum]), *invalid)


amounts = valid_or(
    st.decimals(min_value=0, max_value=3_000_000, places=2, allow_nan=False, allow_infinity=False)
    | st.sampled_from([Decimal("1999.99"), Decimal("2000.00"), Decimal("100000"), Decimal("1000000.01")]),
    "-0.01",
    "1.005",
    "abc",
)
months = valid_or(
    st.builds("{}-{:02d}".format, st.integers(2021, 2024), st.integers(1, 12)), "2024-13", "24-1"
)
lines = st.lists(enum_values(BusinessLine, "GSM"), max_size=4)
codes = valid_or(st.sampled_from(["F1", "F2", "E-1", "P-7", "1000001"]), "", "a b")
texts = valid_or(st.sampled_from(["王敏", "李雷", "上海市长宁区", "x" * 40]), " ", "y" * 201)
holdings = st.lists(st.tuples(enum_values(Product, "GOLD"), amounts), max_size=3)
contacts = st.dictionaries(
    valid_or(st.sampled_from(["phone", "email", "qq"]), "fax"),
    st.sampled_from(["021-1", "a@b.cn"]),
    max_size=2,
)
profiles = st.builds(
    ProfileChanges,
    name=st.none() | texts,
    kind=st.none() | enum_values(CustomerKind, "VIP"),
    address=st.none() | texts,
    contacts=st.none() | contacts,
    business_lines=st.none() | lines,
    occupation=st.none() | texts,
    years_of_work=st.none() | st.integers(-1, 81),
    product_holdings=st.none() | holdings,
)

COMMAND_ARGS: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "update_profile": st.fixed_dictionaries({"changes": profiles}),
    "create_functional_location": st.fixed_dictionaries({"fl_no": codes, "address": texts}),
    "assign_account_manager": st.fixed_dictionaries({"employee_id": codes}),
    "record_monthly_sales": st.fixed_dictionaries({"month": months, "amount": amounts}),
    "record_asset_balance": st.fixed_dictionaries(
        {"as_of": st.dates(date(2022, 1, 1), date(2024, 3, 1)), "amount": amounts}
    ),
    "assess_risk_preference": st.fixed_dictionaries({"level": enum_values(RiskLevel, "RECKLESS")}),
    "set_value_class": st.fixed_dictionaries({"value_class": enum_values(ValueClass, "GOLD")}),
    "log_contact": st.fixed_dictionaries(
        {
            "channel": enum_values(Channel, "PIGEON"),
            "direction": enum_values(Direction, "UP"),
            "effective": st.booleans(),
        }
    ),
    "record_return_visit": st.fixed_dictionaries(
        {
            "channel": enum_values(Channel, "PIGEON"),
            "score": st.none() | st.integers(0, 6),
            "satisfied": st.none() | st.booleans(),
        }
    ),
    "record_project_delivered": st.fixed_dictionaries(
        {"project_id": codes, "delivered_on": st.dates(date(2022, 1, 1), date(2024, 3, 1))}
    ),
    "record_survey": st.fixed_dictionaries(
        {"score": st.integers(0, 6), "instrument": enum_values(SurveyInstrument, "EMAIL")}
    ),
}
roles = valid_or(
    st.sampled_from([Role.ASSISTANT, Role.CS_AGENT, Role.ACCOUNT_MANAGER, Role.INTEGRATOR]),
    Role.SUPERVISOR,
    Role.SERVICE_STAFF,
    Role.AUDITOR,
)
steps = st.lists(
    st.sampled_from(sorted(COMMAND_ARGS)).flatmap(
        lambda name: st.tuples(st.just(name), roles, st.integers(-400, 1), COMMAND_ARGS[name])
    ),
    max_size=25,
)
registrations = st.fixed_dictionaries(
    {
        "kind": st.sampled_from([k.value for k in CustomerKind]),
        "business_lines": st.lists(st.sampled_from(list(BusinessLine)), max_size=3),
    }
)


def run(registration: dict[str, Any], sequence: list[Step]) -> tuple[Customer, list[Any], list[bool]]:
    """Register, then run every step; a refused step must leave events and state untouched."""
    customer = Customer.register(
        make_ctx(), customer_no=CUSTOMER_NO, name="王敏", address="上海", **registration
    )
    accepted = []
    for name, role, offset_days, kwargs in sequence:
        before, pending_before = deepcopy(vars(customer)), len(customer.pending_events)
        ctx = make_ctx(role, occurred_at=NOW + timedelta(days=offset_days))
        try:
            command = getattr(customer, name)
            command(ctx, kwargs["changes"]) if name == "update_profile" else command(ctx, **kwargs)
            accepted.append(True)
        except DomainError:
            assert (len(customer.pending_events), vars(customer)) == (pending_before, before)
            accepted.append(False)
    return customer, list(customer.collect_events()), accepted


replay_settings = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@replay_settings
@given(registrations, steps)
def test_refused_commands_append_nothing_and_accepted_ones_append_something(
    registration: dict[str, Any], sequence: list[Step]
) -> None:
    customer, events, accepted = run(registration, sequence)
    assert len(events) >= 1 + sum(accepted)
    assert customer.version == len(events)


@replay_settings
@given(registrations, steps)
def test_replaying_the_collected_events_rebuilds_an_equal_customer(
    registration: dict[str, Any], sequence: list[Step]
) -> None:
    customer, events, _ = run(registration, sequence)
    assert replay(events) == customer


@replay_settings
@given(registrations, steps)
def test_replaying_events_after_a_json_round_trip_rebuilds_an_equal_customer(
    registration: dict[str, Any], sequence: list[Step]
) -> None:
    customer, events, _ = run(registration, sequence)
    assert replay(through_json(events)) == customer


@replay_settings
@given(registrations, steps)
def test_a_json_snapshot_restores_an_equal_customer(
    registration: dict[str, Any], sequence: list[Step]
) -> None:
    customer, _, _ = run(registration, sequence)
    mapper = json_mapper()
    snapshot = mapper.to_domain_event(mapper.to_stored_event(CrmSnapshot.take(customer)))
    assert isinstance(snapshot, CrmSnapshot)
    assert snapshot.mutate(None) == customer


@replay_settings
@given(registrations, steps)
def test_the_tier_in_the_stream_always_matches_the_tier_rules(
    registration: dict[str, Any], sequence: list[Step]
) -> None:
    customer, _, _ = run(registration, sequence)
    assert customer.tier == customer.tier_assessment().tier
