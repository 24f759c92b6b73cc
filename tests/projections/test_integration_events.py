"""The integration events: every domain event maps to a public message on its subject, without secrets."""

from __future__ import annotations

import re
from typing import Any

import msgspec
import pytest

from application import key_commands as k
from application.app import CrmApplication
from application.bus import CommandBus
from domain.actor import Actor, Role
from domain.case import Case
from domain.functional_location import FunctionalLocationClaim
from projections.audit_chain import SECRET_KEYS
from projections.audit_rows import ALL_EVENTS
from projections.integration_events import (
    EVENT_TYPES,
    IntegrationEvent,
    aggregate_name,
    data_fields,
    encode,
    integration_event,
    snake,
    subject,
    subject_of_type,
)
from tests.application import flows

MEMORY = pytest.mark.parametrize("storage", ["memory"], indirect=True)
ADMIN = Actor("admin-01", frozenset({Role.ADMIN}), name="管理员")
SUBJECT = re.compile(r"crm\.(case|customer|api_key)\.[a-z]+(_[a-z]+)*")


def logged(app: CrmApplication) -> list[tuple[Any, int]]:
    """Every event of the log with its position."""
    found = app.recorder.select_notifications(start=1, limit=10_000)
    return [(app.mapper.to_domain_event(stored), stored.id) for stored in found]


@pytest.fixture
def log(bus: CommandBus, app: CrmApplication) -> list[tuple[Any, int]]:
    flows.register_customer(bus)
    flows.v3(bus)
    flows.v5(bus)
    issued = bus.dispatch(k.IssueApiKey(actor_id="202", name="王敏", roles=[Role.SERVICE_STAFF]), ADMIN)
    bus.dispatch(k.RevokeApiKey(key_id=issued.id), ADMIN)
    return logged(app)


@pytest.mark.parametrize(
    ("name", "snaked"),
    [
        ("SiteSurveyCompleted", "site_survey_completed"),
        ("ApiKeyIssued", "api_key_issued"),
        ("EscalatedToRegionalLogistics", "escalated_to_regional_logistics"),
        ("HQQuoteRequested", "hq_quote_requested"),
    ],
)
def test_event_class_names_are_snake_cased_word_by_word(name: str, snaked: str) -> None:
    assert snake(name) == snaked


def test_every_event_type_of_the_log_has_its_own_subject() -> None:
    subjects = [subject_of_type(event_type) for event_type in EVENT_TYPES]
    assert set(EVENT_TYPES) == set(ALL_EVENTS)
    assert all(SUBJECT.fullmatch(s) for s in subjects), subjects
    assert len(set(subjects)) == len(subjects)


def test_subjects_name_the_public_aggregate_of_the_stream() -> None:
    assert subject_of_type(Case.SiteSurveyCompleted) == "crm.case.site_survey_completed"
    assert subject_of_type(FunctionalLocationClaim.FunctionalLocationClaimed).startswith("crm.customer.")
    assert aggregate_name("notification-1000001") == "case"
    assert aggregate_name("functional-location-2110050027") == "customer"
    assert aggregate_name("api-key-5e1f0c2a9b7d4e30") == "api_key"
    with pytest.raises(ValueError, match="no published aggregate"):
        aggregate_name("order-1")


@MEMORY
def test_a_message_carries_the_events_envelope_and_its_place_in_the_log(log: list[tuple[Any, int]]) -> None:
    for event, position in log:
        message = integration_event(event, position)
        assert (message.event_id, message.position) == (event.event_id, position)
        assert (message.stream, message.version) == (event.originator_id, event.originator_version)
        assert (message.occurred_at, message.recorded_at) == (event.occurred_at, event.timestamp)
        assert (message.actor_id, message.actor_role) == (event.actor_id, event.actor_role)
        assert message.causation_id == event.causation_id and message.schema_version == 1
        assert (
            subject(event) == subject_of_type(type(event)) == f"crm.{message.aggregate}.{snake(message.type)}"
        )


@MEMORY
def test_data_holds_the_declared_fields_with_status_moves_as_from_and_to(log: list[tuple[Any, int]]) -> None:
    for event, position in log:
        data = integration_event(event, position).data
        assert set(data) == set(data_fields(type(event)))
        if hasattr(event, "from_status"):
            assert (data["from"], data["to"]) == (event.from_status, event.to_status)


@MEMORY
def test_no_message_carries_an_api_keys_secret(log: list[tuple[Any, int]]) -> None:
    issued = [integration_event(e, p) for e, p in log if type(e).__name__ == "ApiKeyIssued"]
    assert issued and all(not SECRET_KEYS & set(m.data) for m in issued)
    assert all(b"secret" not in encode(integration_event(e, p)) for e, p in log)


@MEMORY
def test_a_functional_location_claim_is_published_with_its_customer(log: list[tuple[Any, int]]) -> None:
    claims = [integration_event(e, p) for e, p in log if type(e).__name__ == "FunctionalLocationClaimed"]
    assert claims and all(m.aggregate == "customer" for m in claims)
    assert all(m.aggregate_id == flows.CUSTOMER_NO for m in claims)


@MEMORY
def test_a_message_decodes_to_what_was_encoded(log: list[tuple[Any, int]]) -> None:
    for event, position in log:
        message = integration_event(event, position)
        assert msgspec.json.decode(encode(message), type=IntegrationEvent) == message
