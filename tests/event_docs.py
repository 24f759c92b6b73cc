"""Writes docs/events.md, the reference of every integration event: `python -m tests.event_docs`.

Each type's subject, schema version and `data` fields come from the mapping
(`projections.integration_events`); each example is a real event, produced by
commands through the bus on an in-memory store (the paths V1–V5 and one command
for every other event), with its random ids replaced by stable ones.
`tests/projections/test_events_doc.py` fails when the document misses a type
or a field, so a new event cannot ship undocumented.
"""

from __future__ import annotations

import inspect
import json
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import msgspec

from application import case_commands as c
from application import customer_commands as cc
from application import key_commands as k
from application.app import CrmApplication
from application.bus import CommandBus
from domain.actor import Actor, Role
from infra.bootstrap import bootstrap
from infra.event_store import build_application
from infra.settings import MEMORY_URL, Settings
from projections.audit_rows import nested_events
from projections.integration_events import (
    AGGREGATE_NAMES,
    EVENT_TYPES,
    IntegrationEvent,
    data_fields,
    integration_event,
    schema_version,
    subject_of_type,
)
from tests.application import flows
from tests.clock import FixedClock

DOC = Path(__file__).resolve().parent.parent / "docs" / "events.md"
ADMIN = Actor("admin-01", frozenset({Role.ADMIN}), name="管理员")
MANAGER = Actor("am-01", frozenset({Role.ACCOUNT_MANAGER}), name="客户经理")
EXAMPLE_IDS = uuid.UUID("6f1c1f0e-0000-4000-8000-000000000000")
EXAMPLE_KEY_ID = "5e1f0c2a9b7d4e3"
PIPE = "\\|"  # a `|` inside a Markdown table cell, even in a code span

INTRO = """\
# Integration events

`crm relay` (or `crm serve` in the embedded SQLite mode with `CRM_NATS_URL` set) publishes every
event of the event log to NATS JetStream. This file documents every message type; it is generated
by `python -m tests.event_docs` and checked by `tests/projections/test_events_doc.py`.

## Stream, subjects, headers

- **Stream** `CRM_EVENTS`: subjects `crm.>`, file storage, duplicate window 2 minutes; created by
  the relay if missing.
- **Subject** `crm.<aggregate>.<event_snake>`: `crm.case.*` for service notifications,
  `crm.customer.*` for customers and their functional-location claims, `crm.api_key.*` for API keys
  (issued and revoked; the key's secret hash is never published).
- **Headers**: `Nats-Msg-Id` = `event_id` (JetStream drops a repeat within the duplicate window),
  `Crm-Position` = the event's log position.
- **Body**: one JSON object (below), UTF-8: the envelope and `data` of the event as `GET /v1/events`
  shows them (same names, same `data`), plus `schema_version`, `aggregate` and `aggregate_id`.

## Guarantees

- **At least once, duplicates removed by id.** The relay records its checkpoint only after JetStream
  acknowledged the message and every earlier one. A relay that crashes after the ack republishes;
  JetStream drops the repeat by `Nats-Msg-Id` within the duplicate window, and a restarted relay
  first resumes after the stream's last message (its `Crm-Position`) when that is further on, so
  repeats do not depend on the window. Consumers should still be idempotent by `event_id`.
- **Order.** Messages are published in log order (`position`), so the events of one stream arrive
  in `version` order. Positions increase but may skip numbers on PostgreSQL.
- **NATS down never fails a command**: the relay retries with backoff and catches up.
- The stream is a copy, the event log is the source of truth: `GET /v1/events?after=<position>`
  serves the same events from the log itself, from position 0.

How to consume the stream (and `crm tail`, the reference consumer): `docs/consuming.md`.

## Versioning

`schema_version` is the version of the event type's shape: its `class_version` in the event store,
which every change of shape (a field added, removed or renamed, with an upcaster for the stored
events) raises. Ignore fields you do not know; check `schema_version` before relying on a field.
`type` and the subject of a type never change.

## Envelope (every message)

| field | type | meaning |
|---|---|---|
| `schema_version` | int | version of this type's shape |
| `type` | string | event type, e.g. `SiteSurveyCompleted` |
| `event_id` | string (UUID) | unique id; also the `Nats-Msg-Id` header |
| `position` | int | place in the global event log |
| `stream` | string | aggregate stream, e.g. `notification-1000001`, `customer-2110050007` |
| `version` | int | place in its stream (1 = created) |
| `aggregate` | string | `case`, `customer` or `api_key` |
| `aggregate_id` | string | case number, customer number (also for functional-location claims) or key id |
| `occurred_at` | string (RFC 3339) | business time |
| `recorded_at` | string (RFC 3339) | server time the event was stored |
| `actor_id`, `actor_role` | string | who did it, in which role |
| `command_id`, `correlation_id`, `causation_id` | string (UUID) | the command and its chain |
| `data` | object | the type's own fields, below |

Field types in `data`: `str` → string, `int` → number, `bool` → true/false, `Decimal` → string
(e.g. `"80.00"`), `date` → `"YYYY-MM-DD"`, `datetime` → RFC 3339 string, `tuple`/`list` → array,
`dict` → object, `X | None` → the value or null. Status events carry `from` and `to`.
"""

SECTIONS = (
    ("case", "Case events (`crm.case.*`)"),
    ("customer", "Customer events (`crm.customer.*`)"),
    ("api_key", "API key events (`crm.api_key.*`)"),
)


def spec(event_type: type[Any]) -> tuple[str, str, str]:
    """What the test requires of each type's section: its heading, subject line and `data` fields."""
    fields = data_fields(event_type).items()
    rows = "\n".join(f"| `{name}` | `{kind.replace('|', PIPE)}` |" for name, kind in fields)
    table = f"| field | type |\n|---|---|\n{rows}" if rows else "`data` is empty."
    subject = f"Subject `{subject_of_type(event_type)}` · schema_version {schema_version(event_type)}"
    return f"### {event_type.__name__}", subject, table


def render() -> str:
    examples = example_messages()
    parts = [INTRO]
    for aggregate, title in SECTIONS:
        parts.append(f"## {title}\n")
        for event_type in types_of(aggregate):
            parts.append(section(event_type, examples[event_type.__name__]))
    return "\n".join(parts)


def section(event_type: type[Any], example: IntegrationEvent) -> str:
    heading, subject, table = spec(event_type)
    about = description(event_type)
    body = json.dumps(msgspec.to_builtins(example), ensure_ascii=False, indent=2)
    return "\n\n".join([heading, *([about] if about else []), subject, table, f"```json\n{body}\n```\n"])


def types_of(aggregate: str) -> list[type[Any]]:
    owners = [a for a, name in AGGREGATE_NAMES.items() if name == aggregate]
    return [t for t in EVENT_TYPES if any(t in nested_events(owner) for owner in owners)]


def description(event_type: type[Any]) -> str:
    """The class docstring, unless it is the one dataclasses generate (`Name(self, ...)`)."""
    doc = inspect.getdoc(event_type) or ""
    return "" if doc.startswith(f"{event_type.__name__}(") else " ".join(doc.split("\n\n")[0].split())


def example_messages() -> dict[str, IntegrationEvent]:
    """The first message of each type in a log that has every type, with stable ids."""
    clock = FixedClock()
    app = build_application(Settings(database_url=MEMORY_URL), clock)
    try:
        write_every_event(bootstrap(Settings(database_url=MEMORY_URL), app=app).bus, clock)
        return first_of_each_type(app)
    finally:
        app.close()


def first_of_each_type(app: CrmApplication) -> dict[str, IntegrationEvent]:
    stable = StableIds()
    found: dict[str, IntegrationEvent] = {}
    for stored in app.recorder.select_notifications(start=1, limit=100_000):
        event: Any = app.mapper.to_domain_event(stored)
        message = stable(integration_event(event, stored.id))
        found.setdefault(message.type, message)
    return found


class StableIds:
    """Random UUIDs and key ids replaced by fixed ones, keeping which ones are equal."""

    def __init__(self) -> None:
        self.ids: dict[uuid.UUID, uuid.UUID] = {}
        self.key_ids: dict[str, str] = {}

    def __call__(self, message: IntegrationEvent) -> IntegrationEvent:
        named = {
            name: self.ids.setdefault(getattr(message, name), uuid.uuid5(EXAMPLE_IDS, str(len(self.ids))))
            for name in ("event_id", "command_id", "correlation_id", "causation_id")
        }
        text = msgspec.json.encode(msgspec.structs.replace(message, **named)).decode()
        if message.aggregate == "api_key":
            key_id = message.aggregate_id
            stable = self.key_ids.setdefault(key_id, f"{EXAMPLE_KEY_ID}{len(self.key_ids)}")
            text = text.replace(key_id, stable)
        return msgspec.json.decode(text, type=IntegrationEvent)


def write_every_event(bus: CommandBus, clock: FixedClock) -> None:
    """The paths V1–V5 and one command for each event they do not produce."""
    flows.register_customer(bus)
    for path in (flows.v1, flows.v2, flows.v3, flows.v4, flows.v5):
        clock.advance(hours=1)
        path(bus)
    no = flows.CUSTOMER_NO
    z2 = flows.create(bus, type="Z2", po_number="80012346")
    commands = customer_commands(no) + case_commands(flows.create(bus)) + returned_goods_commands(z2)
    for command, actor in [*commands, *key_commands(bus)]:
        clock.advance(minutes=10)
        bus.dispatch(command, actor)


def customer_commands(no: str) -> list[tuple[Any, Actor]]:
    balance = Decimal("2000000.00")
    return [
        (cc.UpdateCustomerProfile(customer_no=no, occupation="企业主", years_of_work=12), flows.ASSISTANT),
        (cc.AssignAccountManager(customer_no=no, employee_id="am-01"), flows.ASSISTANT),
        (cc.LogContact(customer_no=no, channel="PHONE", direction="OUT", effective=True, purpose="回访"),
         flows.AGENT),
        (cc.RecordReturnVisit(customer_no=no, channel="PHONE", satisfied=True, score=5), flows.AGENT),
        (cc.RecordMonthlySales(customer_no=no, month="2001-03", amount=Decimal("3500.00")), MANAGER),
        (cc.RecordAssetBalance(customer_no=no, as_of=date(2001, 3, 31), amount=balance), MANAGER),
        (cc.AssessRiskPreference(customer_no=no, level="STEADY"), MANAGER),
        (cc.SetValueClass(customer_no=no, value_class="LOYAL"), MANAGER),
        (cc.RecordProjectDelivered(customer_no=no, project_id="P-101", delivered_on=date(2001, 3, 20)),
         MANAGER),
        (cc.RecordCustomerSurvey(customer_no=no, score=4, instrument="QUALITY_CARD"), flows.AGENT),
    ]  # fmt: skip


def case_commands(no: str) -> list[tuple[Any, Actor]]:
    item = c.ItemInput(product_type=c.ProductType("06"), text="100056,1", reason_code="2")
    line = c.OrderLineInput(description="更换抽屉锁", material="100056", qty=1, unit_price=Decimal("80.00"))
    return [
        (c.DispatchServiceStaff(case_no=no, service_staff_id="202"), flows.ASSISTANT),
        (c.AppendLongText(case_no=no, text="客户来电催促"), flows.ASSISTANT),
        (c.UpdateCase(case_no=no, description="活动柜锁损坏"), flows.ASSISTANT),
        (c.UpdateCase(case_no=no, responsible_person="205"), flows.ASSISTANT),
        (c.AddCaseItem(case_no=no, item=item), flows.ASSISTANT),
        (c.ChangeCaseItem(case_no=no, item_no=2, quantity=2), flows.ASSISTANT),
        (c.RemoveCaseItem(case_no=no, item_no=2), flows.ASSISTANT),
        (c.EmailCase(case_no=no, recipients=["rl-east@example.com"], department="RL-EAST", subject="抽屉锁"),
         flows.ASSISTANT),
        (c.CompleteSiteSurvey(case_no=no), flows.STAFF),
        (c.CreateServiceOrder(case_no=no, lines=[line]), flows.ASSISTANT),
        (c.DeclineQuote(case_no=no, order_no=f"ZFFW-{no}-1", reason="价格太高"), flows.ASSISTANT),
    ]  # fmt: skip


def returned_goods_commands(no: str) -> list[tuple[Any, Actor]]:
    """A Z2 delivery exception sent back to the manufacturer (V5's other ending)."""
    returned = datetime(2001, 3, 12, 2, tzinfo=UTC)
    return [
        (c.FileComplaintForm(case_no=no, complaint_kind="RETURN", description="桌面划伤"), flows.ASSISTANT),
        (c.EscalateCase(case_no=no, unit="RL-EAST", purpose="PRE_PAYMENT_COMPLAINT"), flows.ASSISTANT),
        (c.RecordReplyToSales(case_no=no, note="退回厂家处理"), flows.LOGISTICS),
        (c.RecordGoodsReturned(case_no=no, returned_at=returned, manufacturer="厂家"), flows.LOGISTICS),
    ]


def key_commands(bus: CommandBus) -> list[tuple[Any, Actor]]:
    issued = bus.dispatch(k.IssueApiKey(actor_id="202", name="王敏", roles=[Role.SERVICE_STAFF]), ADMIN)
    return [(k.RevokeApiKey(key_id=str(issued.details["key_id"])), ADMIN)]


if __name__ == "__main__":
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(render(), encoding="utf-8")
    print(f"wrote {DOC}")
