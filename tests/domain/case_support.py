"""Builders for notification tests: contexts per role, a valid create payload, a ship-to customer."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

from domain.actor import Actor, Role
from domain.case import Case
from domain.case_header import ItemSpec, NewCase
from domain.context import CommandContext

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2001, 3, 6, 1, 0, tzinfo=UTC)


def ctx(*roles: Role, actor_id: str = "", at: datetime = NOW) -> CommandContext:
    """A command context for an actor holding `roles` (default: assistant)."""
    held = frozenset(roles or (Role.ASSISTANT,))
    command_id = uuid4()
    return CommandContext(
        actor=Actor(id=actor_id or "-".join(sorted(held)), roles=held, name="测试"),
        occurred_at=at.astimezone(SHANGHAI),
        recorded_at=at,
        command_id=command_id,
        correlation_id=command_id,
        causation_id=command_id,
    )


ASSISTANT = ctx(Role.ASSISTANT, actor_id="a-01")
STAFF = ctx(Role.SERVICE_STAFF, actor_id="202")
SUPERVISOR = ctx(Role.SUPERVISOR, actor_id="sup-01")
LOGISTICS = ctx(Role.REGIONAL_LOGISTICS, actor_id="rl-01")
HANDLER = ctx(Role.COMPLAINT_HANDLER, actor_id="ch-01")
AGENT = ctx(Role.CS_AGENT, actor_id="cs-01")


@dataclass
class ShipTo:
    """A ship-to customer as the create command sees it (SM01 example: 申齐保健食品有限公司)."""

    master_address: str = "上海市浦东新区张江路1号"
    locations: dict[str, str] = field(default_factory=lambda: {"2110050027": "上海市徐汇区漕溪北路88号"})

    def functional_location_address(self, fl_no: str) -> str | None:
        return self.locations.get(fl_no)


def z1_payload(**overrides: Any) -> NewCase:
    """The SM01 example 1 notification: 客户叫修—活动柜锁坏."""
    base = NewCase(
        type="Z1",
        category="PAID_SERVICE",
        urgency="NORMAL",
        payment_status="FULLY_PAID",
        description="活动柜锁",
        ship_to="2110050007",
        reporter="王敏",
        po_number="30000075",
        po_date=date(2001, 3, 1),
        required_start=date(2001, 3, 7),
        required_end=date(2001, 3, 8),
        main_work_center="S4002",
        plant="F011",
        responsible_person="202",
        sales_org="F011",
        distribution_channel="10",
        division="02",
        sales_office="4002",
        sales_group="002",
        functional_location="2110050027",
        items=(ItemSpec(product_category="06", colour_main="A", text="100056,1", reason_code="1"),),
    )
    return replace(base, **overrides)


def z2_payload(**overrides: Any) -> NewCase:
    return z1_payload(type="Z2", category="COMPLAINT", payment_status="NOT_FULLY_PAID", **overrides)


def new_case(
    payload: NewCase | None = None, case_no: str = "1000001", at: CommandContext = ASSISTANT
) -> Case:
    return Case.create(case_no, payload or z1_payload(), at, ShipTo())


def events_of(case: Case) -> list[str]:
    return [type(e).__name__ for e in case.collect_events()]
