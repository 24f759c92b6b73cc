"""The demo's customers as a script: each one's commands, in business hours over the ~18 months before now.

The script is a pure function of the `Plan` (seed, sizes, the moment it ends),
so an interrupted load regenerates the very same steps and resumes. Every
customer and case draws from its own seeded `Random`, so one entity's steps do
not depend on how many were drawn before it.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from application import customer_commands as cc
from application.commands import Command
from domain.actor import Actor, Role
from domain.customer_events import Direction, SurveyInstrument, ValueClass
from domain.tiers import CustomerKind
from domain.values import Channel
from infra.demo_texts import (
    BRANDS,
    BUILDINGS,
    CITIES,
    CITY_WEIGHTS,
    CONTACT_PURPOSES,
    INDUSTRIES,
    OFFICES,
    SURNAMES,
    VISIT_NOTES,
    City,
    Office,
)
from projections.return_visits import MONTHLY_WINDOWS, QUARTER_MONTHS, add_months

SPAN_DAYS = 540  # about 18 months of history before "now"
FIRST_CUSTOMER_NO = 2110060001
FIRST_LOCATION_NO = 2120060001
DORMANT_SHARE, DORMANT_AFTER = 0.08, timedelta(days=130)

Build = Callable[[str, datetime], Command]
"""Makes a step's command from the number of the case it refers to ("" if none) and its business time."""


@dataclass(frozen=True)
class Plan:
    """What one demo load is: the seed, the sizes and the moment (business time zone) it ends at."""

    seed: int
    customers: int
    cases: int
    as_of: datetime

    @property
    def start(self) -> datetime:
        return self.as_of - timedelta(days=SPAN_DAYS)


@dataclass(frozen=True)
class Step:
    """One command of the script at its business time; `case` is the demo case whose number it needs."""

    at: datetime
    actor: Actor
    build: Build
    case: int = -1
    kind: str = ""  # "customer" (a registration) or "case" (a creation): what the progress bar counts


class Staff:
    """The roster by role and responsibility center (sales office)."""

    def __init__(self, principals: tuple[Actor, ...]) -> None:
        self.principals = principals

    def of(self, role: Role, office: str | None = None) -> list[Actor]:
        found = [a for a in self.principals if role in a.roles and office in (None, a.sales_office)]
        if not found:
            raise LookupError(f"the demo roster has no {role} for office {office}")
        return found

    def one(self, role: Role, office: str | None = None) -> Actor:
        return self.of(role, office)[0]


def business_time(t: datetime) -> datetime:
    """The next moment in office hours (Mon–Sat 08:30–18:00): nobody logs a repair at 3 a.m."""
    if t.hour >= 18:
        t = (t + timedelta(days=1)).replace(hour=8, minute=30)
    elif (t.hour, t.minute) < (8, 30):
        t = t.replace(hour=8, minute=30)
    if t.weekday() == 6:
        t = (t + timedelta(days=1)).replace(hour=8, minute=30)
    return t.replace(microsecond=0)


def amount(rng: random.Random, low: float, high: float) -> Decimal:
    return Decimal(f"{rng.uniform(low, high):.2f}")


def person(rng: random.Random) -> str:
    """How a customer's contact is written on forms: 李先生, 王经理."""
    return rng.choice(SURNAMES) + rng.choice(("先生", "女士", "经理", "主任"))


def fixed(command: Command) -> Build:
    return lambda _case_no, _at: command


@dataclass(frozen=True)
class Account:
    """A demo customer as the case generator sees it: who, where, since when, until when, how busy."""

    no: str
    office: Office
    contact: str
    registered_at: datetime
    active_until: datetime
    location: tuple[str, datetime] | None
    weight: float


class CustomerWriter:
    """Writes one customer's life: registration, second address, manager, contacts, visits, sales."""

    def __init__(self, index: int, plan: Plan, staff: Staff) -> None:
        self.rng = random.Random(f"{plan.seed}/customer/{index}")  # noqa: S311 - demo data, not security
        self.index, self.plan, self.staff = index, plan, staff
        self.no = str(FIRST_CUSTOMER_NO + index)
        self.city: City = self.rng.choices(CITIES, CITY_WEIGHTS)[0]
        self.office = next(o for o in OFFICES if o.sales_office == self.city.sales_office)
        self.manager = self.rng.choice(staff.of(Role.ACCOUNT_MANAGER, self.office.sales_office))
        self.migrated = self.rng.random() < 0.7 or index == 0  # taken over from the ERP on day one
        days = 0.0 if self.migrated else self.rng.uniform(5, SPAN_DAYS)
        at = business_time(plan.start + timedelta(days=days, minutes=index % 480))
        self.registered_at = min(at, plan.as_of - timedelta(hours=1))
        dormant = self.migrated and index > 0 and self.rng.random() < DORMANT_SHARE
        self.active_until = self.registered_at + DORMANT_AFTER if dormant else plan.as_of
        self.steps: list[Step] = []

    def add(self, at: datetime, actor: Actor, build: Build) -> None:
        """Keep a step only if it happens before now and while the customer is still active."""
        if at <= min(self.plan.as_of, self.active_until):
            self.steps.append(Step(at, actor, build))

    def write(self) -> Account:
        self.register()
        location = self.location() if self.rng.random() < 0.3 else None
        if self.migrated or self.rng.random() < 0.9:  # 新客户10天之内必须做第一次回访; a few still wait
            self.visit(self.registered_at + timedelta(days=self.rng.uniform(5, 40) if self.migrated else 2.5))
        self.contacts()
        self.sales()
        self.surveys()
        if self.rng.random() < 0.15:
            self.project()
        weight = self.rng.choice((0.5, 1.0, 1.0, 2.0, 4.0))
        return Account(self.no, self.office, person(self.rng), self.registered_at,
                       self.active_until, location, weight)  # fmt: skip

    def name(self, kind: CustomerKind) -> str:
        """上海恒远科技有限公司: city, brand and trade; unique by index (a suffix beyond 800 customers)."""
        n, brand = self.index, BRANDS[self.index % len(BRANDS)]
        trade = (
            "办公家具经销" if kind == CustomerKind.AGENT else INDUSTRIES[n // len(BRANDS) % len(INDUSTRIES)]
        )
        name = f"{self.city.short}{brand}{trade}有限公司"
        rounds = n // (len(BRANDS) * len(INDUSTRIES))
        return f"{name}({rounds + 1})" if rounds else name

    def register(self) -> None:
        rng, city = self.rng, self.city
        kind = rng.choices((CustomerKind.ENTERPRISE, CustomerKind.PARTNER, CustomerKind.AGENT), (85, 8, 7))[0]
        building = f"{BRANDS[self.index % len(BRANDS)]}{rng.choice(BUILDINGS)}{rng.randint(2, 30)}楼"
        contacts = cc.ContactCard(
            phone=f"{city.area_code}-{rng.randint(5000_0000, 6999_9999)}",
            mobile=f"1{rng.choice('3589')}{rng.randint(0, 999_999_999):09d}",
            preferred_channel=Channel(rng.choice(("PHONE", "PHONE", "EMAIL", "QQ"))),
        )
        since = self.plan.start.date() - timedelta(days=rng.randint(60, 3650))  # a customer for years
        manager = self.manager.id if self.migrated or rng.random() < 0.7 else None
        command = cc.RegisterCustomer(
            customer_no=self.no, name=self.name(kind), kind=kind, address=self.address() + building,
            contacts=contacts, account_manager_id=manager, registered_on=since if self.migrated else None,
        )  # fmt: skip
        office = city.sales_office
        actor = self.staff.one(Role.INTEGRATOR) if self.migrated else self.staff.one(Role.ASSISTANT, office)
        self.steps.append(Step(self.registered_at, actor, fixed(command), kind="customer"))
        if manager is None:  # a supervisor staffs the account a little later
            at = business_time(self.registered_at + timedelta(days=rng.uniform(3, 20)))
            assign = cc.AssignAccountManager(customer_no=self.no, employee_id=self.manager.id)
            self.add(at, self.staff.one(Role.SUPERVISOR, city.sales_office), fixed(assign))

    def address(self) -> str:
        city = self.city
        road, number = self.rng.choice(city.roads), self.rng.randint(1, 999)
        return f"{city.name}{self.rng.choice(city.districts)}{road}{number}号"

    def location(self) -> tuple[str, datetime]:
        """A second address (仓库, 分部) where service happens: a functional location."""
        fl_no = str(FIRST_LOCATION_NO + self.index)
        address = self.address() + self.rng.choice(("仓库", "分部", "研发中心", "二期办公区"))
        at = business_time(self.registered_at + timedelta(days=self.rng.uniform(1, 6)))
        command = cc.CreateFunctionalLocation(customer_no=self.no, fl_no=fl_no, address=address)
        self.add(at, self.staff.one(Role.ASSISTANT, self.city.sales_office), fixed(command))
        return fl_no, at

    def visit(self, at: datetime, project_id: str | None = None) -> None:
        """A return visit (回访) by a CS agent, for a delivered project or after a talk."""
        rng = self.rng
        score = rng.choices((2, 3, 4, 5), (5, 15, 45, 35))[0]
        command = cc.RecordReturnVisit(
            customer_no=self.no, channel=Channel(rng.choice(("PHONE", "PHONE", "VISIT", "SMS"))),
            satisfied=score >= 4, score=score, notes=rng.choice(VISIT_NOTES), project_id=project_id,
        )  # fmt: skip
        self.add(business_time(at), rng.choice(self.staff.of(Role.CS_AGENT)), fixed(command))

    def contacts(self) -> None:
        """Calls, mails and visits every month or few; an effective one is often followed by a visit."""
        rng, at = self.rng, self.registered_at
        while (at := business_time(at + timedelta(days=rng.uniform(25, 110), hours=rng.uniform(0, 8)))) <= (
            self.active_until
        ):
            purpose, notes = rng.choice(CONTACT_PURPOSES)
            effective = rng.random() < 0.75
            command = cc.LogContact(
                customer_no=self.no, channel=Channel(rng.choice(("PHONE", "PHONE", "EMAIL", "QQ", "VISIT"))),
                direction=Direction(rng.choice(("OUT", "OUT", "IN"))), effective=effective, purpose=purpose,
                notes=notes if effective else "电话无人接听。",
            )  # fmt: skip
            self.add(at, rng.choice([*self.staff.of(Role.CS_AGENT), self.manager]), fixed(command))
            if effective and rng.random() < 0.5:
                self.visit(at + timedelta(days=rng.uniform(5, 13)))

    def sales(self) -> None:
        """Monthly sales for a share of accounts (some average 2000 元 or more: 大客户), quarterly assets."""
        rng = self.rng
        if rng.random() > 0.45:
            return
        base, month = 10 ** rng.uniform(2.5, 3.9), self.registered_at.replace(day=1)
        while (month := (month + timedelta(days=32)).replace(day=1)) <= self.active_until:
            at = business_time(month.replace(day=rng.randint(3, 8), hour=10))
            label = (month - timedelta(days=1)).strftime("%Y-%m")
            sales = amount(rng, base / 2, base * 1.5)
            self.add(
                at, self.manager, fixed(cc.RecordMonthlySales(customer_no=self.no, month=label, amount=sales))
            )
            if month.month % 3 == 1 and rng.random() < 0.3:
                balance = cc.RecordAssetBalance(
                    customer_no=self.no, as_of=month.date() - timedelta(days=1), amount=amount(rng, 5e4, 2e6)
                )
                self.add(at + timedelta(minutes=5), self.manager, fixed(balance))

    def surveys(self) -> None:
        """A value class for most accounts, and quarterly service-quality cards (服务质量卡) from some."""
        rng, at = self.rng, self.registered_at
        if rng.random() < 0.6:
            value = ValueClass(rng.choices(("LOYAL", "POTENTIAL", "LOW_VALUE"), (40, 40, 20))[0])
            command = cc.SetValueClass(customer_no=self.no, value_class=value)
            self.add(business_time(at + timedelta(days=rng.uniform(20, 90))), self.manager, fixed(command))
        while rng.random() < 0.8:
            at = business_time(at + timedelta(days=rng.uniform(80, 100)))
            score = rng.choices((2, 3, 4, 5), (5, 20, 45, 30))[0]
            instrument = SurveyInstrument(rng.choice(("QUALITY_CARD", "ONLINE", "PHONE")))
            survey = cc.RecordCustomerSurvey(customer_no=self.no, score=score, instrument=instrument)
            self.add(at, rng.choice(self.staff.of(Role.CS_AGENT)), fixed(survey))

    def project(self) -> None:
        """A delivered project (交付使用的项目): monthly return visits for a year, then quarterly."""
        rng = self.rng
        delivered = business_time(self.registered_at + timedelta(days=rng.uniform(10, SPAN_DAYS)))
        project_id = f"P{delivered:%Y%m}-{self.index:04d}"
        delivery = cc.RecordProjectDelivered(
            customer_no=self.no, project_id=project_id, delivered_on=delivered.date()
        )
        self.add(delivered, self.manager, fixed(delivery))
        for window in range(MONTHLY_WINDOWS + 2):
            extra = window - MONTHLY_WINDOWS
            months = window if extra < 0 else MONTHLY_WINDOWS + QUARTER_MONTHS * extra
            start = add_months(delivered.date(), months)
            if rng.random() < 0.85:  # a few windows are missed: the contact queue shows them
                at = datetime.combine(start, delivered.timetz()) + timedelta(days=rng.uniform(2, 25))
                self.visit(at, project_id)
