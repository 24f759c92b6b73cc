"""A seeded random workload through the command bus: customers and cases walking every path.

Each new case is given one of the paths V1–V5 of DOMAIN.md §2.8 (or a rejected
HQ request closed with a reason) and random steps advance random open cases, so
the log holds cases in every state. Customer commands, free text, hand-overs and
a few commands the rules refuse are mixed in; time moves on between commands.
Used for rebuild invariance, crash safety and benchmarks.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from application import case_commands as c
from application import customer_commands as cc
from application import key_commands as k
from application.bus import CommandBus
from application.commands import Command
from domain.actor import Actor, Role
from domain.errors import DomainError
from tests.application import flows
from tests.clock import FixedClock

ACTORS = {role: Actor(f"{role.value}-1", frozenset({role}), name=role.value) for role in Role}
A, SS, SUP, RL = Role.ASSISTANT, Role.SERVICE_STAFF, Role.SUPERVISOR, Role.REGIONAL_LOGISTICS

Step = Callable[["World", str], tuple[Command, Role]]


def survey(w: World, no: str) -> tuple[Command, Role]:
    return c.CompleteSiteSurvey(case_no=no, code=w.rng.choice(["KCWB", "KCJS"])), SS


def service_form(w: World, no: str) -> tuple[Command, Role]:
    return c.RecordServiceForm(
        case_no=no, kind="SURVEY", service_staff_id="202", date=w.today(), content="需报价"
    ), SS


def complaint_form(w: World, no: str) -> tuple[Command, Role]:
    kind = w.rng.choice(["EXCHANGE", "RETURN", "REPAIR", "OTHER"])
    return c.FileComplaintForm(case_no=no, complaint_kind=kind, description="客诉"), A


def request(purpose: str) -> Step:
    return lambda w, no: (c.RequestApproval(case_no=no, purpose=purpose), A)


def escalate(purpose: str) -> Step:
    return lambda w, no: (c.EscalateCase(case_no=no, unit="RL-EAST", purpose=purpose), A)


def quote(w: World, no: str) -> tuple[Command, Role]:
    price = Decimal(w.rng.choice(["80.00", "120.50", "300.00"]))
    line = c.OrderLineInput(description="维修", qty=w.rng.randint(1, 3), unit_price=price)
    return c.CreateServiceOrder(case_no=no, lines=[line]), A


def confirm(w: World, no: str) -> tuple[Command, Role]:
    return c.ConfirmQuote(case_no=no, order_no=f"ZFFW-{no}-1", confirmed_by_name="李先生"), A


def satisfaction(w: World, no: str) -> tuple[Command, Role]:
    score = w.rng.randint(1, 5)
    return c.RecordSatisfactionSurvey(
        case_no=no, score=score, channel="PHONE", expected_score=4, perceived_score=score
    ), Role.CS_AGENT


def fixed(command: Callable[[str], Command], role: Role) -> Step:
    return lambda w, no: (command(no), role)


ON_SITE = fixed(lambda no: c.RecordOnSiteService(case_no=no, date=FIXED_DAY, work_done="已修复"), SS)
ACCEPT = fixed(lambda no: c.ConfirmAcceptance(case_no=no, accepted_by_name="李先生"), A)
CLOSE = fixed(lambda no: c.CloseCase(case_no=no), A)
INVOICE = fixed(lambda no: c.CreateInvoice(case_no=no, order_no=f"ZFFW-{no}-1"), A)
APPROVE = fixed(lambda no: c.ApproveCase(case_no=no, comment="同意"), SUP)
REJECT = fixed(lambda no: c.RejectCase(case_no=no, reason="资料不全"), SUP)
REPLY = fixed(lambda no: c.RecordDepartmentReply(case_no=no, reply_text="已安排"), RL)
FIXED_DAY = flows.date(2001, 3, 7)
DELIVERED = flows.datetime(2001, 3, 9, tzinfo=flows.UTC)

PATHS: dict[str, list[Step]] = {
    "V1": [survey, ON_SITE, ACCEPT, CLOSE, satisfaction],
    "V2": [survey, quote, confirm, ON_SITE, ACCEPT, CLOSE, INVOICE, satisfaction],
    "V3": [survey, service_form, request("HQ_QUOTE"), APPROVE, escalate("QUOTE_AND_STAFFING"), REPLY,
           quote, confirm, ON_SITE, ACCEPT, CLOSE, INVOICE],
    "V4": [survey, complaint_form, request("HQ_SUPPORT"), REJECT, request("HQ_SUPPORT"), APPROVE,
           escalate("COMPLAINT_SUPPORT"), REPLY, ON_SITE, ACCEPT, CLOSE, satisfaction],
    "BPZ": [survey, service_form, request("HQ_QUOTE"), REJECT,
            fixed(lambda no: c.CloseCase(case_no=no, closure_reason="主管不批准, 客户撤回"), A)],
    "V5": [complaint_form, escalate("PRE_PAYMENT_COMPLAINT"),
           fixed(lambda no: c.RecordReplyToSales(case_no=no, note="已安排补件"), RL),
           fixed(lambda no: c.RecordGoodsDelivered(case_no=no, delivered_at=DELIVERED), RL),
           fixed(lambda no: c.CloseCase(case_no=no), RL)],
}  # fmt: skip


@dataclass
class World:
    """What the workload has created so far: customers, and each open case's path and next step."""

    rng: random.Random
    clock: FixedClock
    customers: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    progress: dict[str, tuple[str, int]] = field(default_factory=dict)

    def today(self) -> flows.date:
        return self.clock.now.date()


def create(w: World) -> tuple[Command, Role, str]:
    path = w.rng.choice(list(PATHS))
    z2 = path == "V5"
    start = w.today() + timedelta(days=w.rng.randint(-3, 10))
    command = c.CreateCase(
        type="Z2" if z2 else "Z1", category="COMPLAINT" if z2 or path == "V4" else "PAID_SERVICE",
        urgency="URGENT" if w.rng.random() < 0.2 else "NORMAL",
        payment_status="NOT_FULLY_PAID" if z2 else "FULLY_PAID", description=w.rng.choice(DESCRIPTIONS),
        ship_to=w.rng.choice(w.customers), reporter="王敏", po_number=str(30000000 + w.rng.randint(1, 99999)),
        po_date=w.today(), required_start=start, required_end=start + timedelta(days=w.rng.randint(0, 20)),
        main_work_center=w.rng.choice(["S4002", "S4003"]),
        responsible_person=w.rng.choice(["202", "203", "204"]), sales_org="F011", distribution_channel="10",
        division="02", sales_office=w.rng.choice(["4002", "4003"]), put_in_process=w.rng.random() < 0.5,
        items=[c.ItemInput(product_type=c.ProductType("06"), text="100056,1",
                           reason_code=str(w.rng.randint(1, 4)))],
    )  # fmt: skip
    return command, A, path


DESCRIPTIONS = ["活动柜锁", "抽屉变形", "桌面划伤", "椅子扶手松动", "组装缺件", "送货延误"]

NOISE: list[Callable[[World], tuple[Command, Role]]] = [
    lambda w: (c.AppendLongText(case_no=any_case(w), text="客户来电催促"), A),
    lambda w: (c.DispatchServiceStaff(case_no=any_case(w), service_staff_id="202"), A),
    lambda w: (c.UpdateCase(case_no=any_case(w), responsible_person=w.rng.choice(["202", "205"])), A),
    lambda w: (c.ApproveCase(case_no=any_case(w)), A),  # wrong role: always refused
    lambda w: (cc.LogContact(customer_no=w.rng.choice(w.customers), channel="PHONE", direction="OUT",
                             effective=w.rng.random() < 0.7), Role.CS_AGENT),
    lambda w: (cc.RecordReturnVisit(customer_no=w.rng.choice(w.customers), channel="PHONE",
                                    score=w.rng.randint(1, 5)), Role.CS_AGENT),
    lambda w: (cc.RecordMonthlySales(customer_no=w.rng.choice(w.customers), month=w.today().strftime("%Y-%m"),
                                     amount=Decimal(w.rng.choice(["900.00", "2000.00", "3500.00"]))),
               Role.ACCOUNT_MANAGER),
    lambda w: (cc.RecordAssetBalance(customer_no=w.rng.choice(w.customers), as_of=w.today(),
                                     amount=Decimal(w.rng.choice(["50000.00", "200000.00", "2000000.00"]))),
               Role.ACCOUNT_MANAGER),
    lambda w: (cc.RecordProjectDelivered(customer_no=w.rng.choice(w.customers),
                                         project_id=f"P-{w.rng.randint(1, 999)}", delivered_on=w.today()),
               Role.ACCOUNT_MANAGER),
    lambda w: (cc.RecordCustomerSurvey(customer_no=w.rng.choice(w.customers), score=w.rng.randint(1, 5),
                                       instrument="QUALITY_CARD"), Role.CS_AGENT),
    lambda w: (k.IssueApiKey(actor_id=w.rng.choice(["202", "203", "204", "205"]),
                             name=w.rng.choice(["王敏", "李娜", "张伟"]), roles=[SS]), Role.ADMIN),
    lambda w: (k.RevokeApiKey(key_id=w.rng.choice(w.keys) if w.keys else "0" * 16), Role.ADMIN),
]  # fmt: skip


def any_case(w: World) -> str:
    return w.rng.choice(list(w.progress)) if w.progress else "1000001"


def next_command(w: World) -> tuple[Command, Role, str | None]:
    """A new case (20 %), noise (20 %), or the next step of a random open case."""
    roll = w.rng.random()
    open_cases = [no for no, (path, step) in w.progress.items() if step < len(PATHS[path])]
    if roll < 0.2 or not open_cases:
        return create(w)
    if roll < 0.4:
        return (*w.rng.choice(NOISE)(w), None)
    case_no = w.rng.choice(open_cases)
    path, step = w.progress[case_no]
    w.progress[case_no] = (path, step + 1)
    return (*PATHS[path][step](w, case_no), None)


def random_workload(
    bus: CommandBus, clock: FixedClock, *, commands: int, seed: int, customers: int = 25
) -> int:
    """Dispatch `commands` seeded commands (time moves on between them); returns how many were accepted."""
    world = World(random.Random(seed), clock)  # noqa: S311 - reproducible test data, not security
    for n in range(customers):
        world.customers.append(f"{2110050100 + n}")
        flows.register_customer(bus, customer_no=world.customers[-1], fl_no=None)
    accepted = 0
    for _ in range(commands):
        clock.advance(minutes=world.rng.randint(1, 240))
        command, role, new_path = next_command(world)
        try:
            result = bus.dispatch(command, ACTORS[role])
        except DomainError:
            continue
        accepted += 1
        if new_path is not None:
            world.progress[result.id] = (new_path, 0)
        if isinstance(command, k.IssueApiKey):
            world.keys.append(str(result.details["key_id"]))
    return accepted
