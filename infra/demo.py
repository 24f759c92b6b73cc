"""`crm demo`: realistic demo data written once through the command bus, resumable, never twice.

Every command goes through `CommandBus.dispatch`, so the demo obeys the same
rules as the API; a refused command is a bug in the generator and stops the
load (`DemoRefused`). The commands come from a script that is a pure function
of a `Plan` (seed, sizes, the moment "now" of the first run).

Idempotency: the first run registers a marker customer (`DEMO`) and writes its
plan into the marker's profile *before* any demo command, and marks the plan
complete after the last one. A run that finds a complete plan writes nothing.
A run that finds an unfinished plan (the previous one was interrupted) resumes:
it regenerates the same script from the stored plan, reads back from the log
which steps were written (each command carries its step id as causation id,
and a command's events are appended atomically) and which case numbers the
created cases got, and writes only the rest. So a rerun always ends with exactly
the data of one uninterrupted run, whatever sizes the rerun was asked for.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NamedTuple
from uuid import UUID, uuid5

import msgspec
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from application.app import CrmApplication
from application.bus import CommandBus
from application.commands import Command
from application.customer_commands import RecordReturnVisit, RegisterCustomer, UpdateCustomerProfile
from domain.actor import Actor, Role
from domain.base import CrmEvent
from domain.case import Case
from domain.customer import Customer
from domain.errors import DomainError
from domain.tiers import CustomerKind
from domain.values import Channel
from infra.bootstrap import Container, bootstrap
from infra.demo_cases import CaseWriter
from infra.demo_script import CustomerWriter, Plan, Staff, Step
from infra.demo_texts import STAFF
from infra.event_store import creating_tables, eventsourcing_env
from infra.settings import Settings

DEFAULT_CUSTOMERS, DEFAULT_CASES, DEFAULT_SEED = 200, 2000, 2001
MARKER_NO, MARKER_NAME = "DEMO", "演示数据标记 (crm demo)"
STEP_IDS = UUID("5b0e7a52-4f1d-4c43-9b55-6d656d6f0001")  # namespace of the demo's step ids
SCAN_PAGE = 1000
CACHED_AGGREGATES = "10000"  # every customer and every open case of a default load stays cached

DEMO_PRINCIPALS: tuple[Actor, ...] = tuple(
    Actor(actor_id, frozenset({Role(role)}), name=name, sales_office=office)
    for actor_id, name, role, office in STAFF
)
"""The demo's staff: one role each; every demo command is issued by one of them."""

# The system account (integrator) writes the marker.
LOADER = next(a for a in DEMO_PRINCIPALS if Role.INTEGRATOR in a.roles)


class Tally(NamedTuple):
    """How far a load is: steps written of all, customers registered, cases created."""

    steps: int
    total: int
    customers: int
    cases: int


@dataclass(frozen=True)
class DemoResult:
    outcome: str  # "loaded", "resumed" or "skipped" (already complete)
    plan: Plan
    commands: int  # written by this run


class DemoRefused(RuntimeError):
    """The rules refused a demo command: the generator, not the data, is wrong."""

    def __init__(self, step: int, command: Command, error: DomainError) -> None:
        super().__init__(f"demo step {step} ({type(command).__name__}) was refused: {error!r}")


def demo_container(settings: Settings) -> Container:
    """The container for a load, its application with an aggregate cache.

    A case takes a dozen commands and each loads it: from the cache that is a
    copy plus the few newer events (fast-forward, so other writers are seen),
    instead of a replay of the whole stream. Measured: 45 % less time.
    """
    env = eventsourcing_env(settings) | {"AGGREGATE_CACHE_MAXSIZE": CACHED_AGGREGATES}
    if settings.storage != "postgres":
        return bootstrap(settings, app=CrmApplication(env, timezone=settings.zone))
    with creating_tables(settings.postgres):
        return bootstrap(settings, app=CrmApplication(env, timezone=settings.zone))


def build_script(plan: Plan) -> list[Step]:
    """All steps of the plan in business-time order (ties keep generation order, so a case stays in order)."""
    staff = Staff(DEMO_PRINCIPALS)
    writers = [CustomerWriter(i, plan, staff) for i in range(plan.customers)]
    accounts = [writer.write() for writer in writers]
    steps = [step for writer in writers for step in writer.steps]
    steps += [step for k in range(plan.cases) for step in CaseWriter(k, plan, staff, accounts).write()]
    return sorted(steps, key=lambda step: step.at)


def load_demo(
    container: Container,
    *,
    customers: int = DEFAULT_CUSTOMERS,
    cases: int = DEFAULT_CASES,
    seed: int = DEFAULT_SEED,
    progress: Callable[[Tally], None] | None = None,
) -> DemoResult:
    """Load the demo unless it is complete; resume an interrupted load with its own plan."""
    app, bus = container.app, container.bus
    plan, state = read_marker(app)
    if state == "complete" and plan is not None:
        return DemoResult("skipped", plan, 0)
    resuming = plan is not None
    if plan is None:
        now = app.clock().astimezone(UTC).replace(microsecond=0)
        plan = parse_plan(describe(Plan(seed, customers, cases, now), "loading"), app)
        if state is None:
            marker = RegisterCustomer(
                customer_no=MARKER_NO,
                name=MARKER_NAME,
                kind=CustomerKind.PARTNER,
                address="演示数据, 非真实客户",
            )
            bus.dispatch(marker, LOADER)
        write_plan(bus, plan, "loading")
    script = build_script(plan)
    start, numbers = written_so_far(app, plan, script) if resuming else (0, {})
    run(bus, plan, script, start, numbers, progress)
    finish(app, bus, plan)
    return DemoResult("resumed" if resuming else "loaded", plan, len(script) - start)


def describe(plan: Plan, state: str) -> str:
    as_of = plan.as_of.astimezone(UTC).isoformat()
    sizes = f"customers={plan.customers} cases={plan.cases}"
    return f"crm demo seed={plan.seed} {sizes} as_of={as_of} state={state}"


def write_plan(bus: CommandBus, plan: Plan, state: str) -> None:
    bus.dispatch(UpdateCustomerProfile(customer_no=MARKER_NO, preferences=describe(plan, state)), LOADER)


def parse_plan(text: str, app: CrmApplication) -> Plan:
    """The plan written by `describe`, with "now" in the business time zone (script times are local)."""
    fields = dict(re.findall(r"(\w+)=(\S+)", text))
    as_of = datetime.fromisoformat(fields["as_of"]).astimezone(app.timezone)
    return Plan(int(fields["seed"]), int(fields["customers"]), int(fields["cases"]), as_of)


def read_marker(app: CrmApplication) -> tuple[Plan | None, str | None]:
    """(plan, state) of the marker; (None, "registered") if the plan was never written; (None, None): none."""
    if not app.exists(Customer, MARKER_NO):
        return None, None
    preferences = app.load(Customer, MARKER_NO).preferences or ""
    if "as_of=" not in preferences:
        return None, "registered"
    return parse_plan(preferences, app), dict(re.findall(r"(\w+)=(\S+)", preferences)).get("state")


def step_ids(plan: Plan, count: int) -> list[UUID]:
    """Deterministic ids of the plan's steps: the causation id of each command, found again on resume."""
    key = describe(plan, "")
    return [uuid5(STEP_IDS, f"{key}#{n}") for n in range(count)]


def run(
    bus: CommandBus,
    plan: Plan,
    script: list[Step],
    start: int,
    numbers: dict[int, str],
    progress: Callable[[Tally], None] | None,
) -> None:
    """Dispatch steps `start`… in order; a created case's number is what later steps of it refer to."""
    customers = sum(1 for step in script[:start] if step.kind == "customer")
    cases = sum(1 for step in script[:start] if step.kind == "case")
    ids = step_ids(plan, len(script))
    for n in range(start, len(script)):
        step = script[n]
        number = "" if step.case < 0 or step.kind == "case" else numbers[step.case]
        command = msgspec.structs.replace(step.build(number, step.at), occurred_at=step.at)
        try:
            accepted = bus.dispatch(command, step.actor, causation_id=ids[n])
        except DomainError as error:
            raise DemoRefused(n, command, error) from error
        customers += step.kind == "customer"
        if step.kind == "case":
            numbers[step.case], cases = accepted.id, cases + 1
        if progress is not None and (n % 100 == 0 or n == len(script) - 1):
            progress(Tally(n + 1, len(script), customers, cases))


def written_so_far(app: CrmApplication, plan: Plan, script: list[Step]) -> tuple[int, dict[int, str]]:
    """The next step to write and the case numbers already given, read back from the log by step id."""
    ids = {step: n for n, step in enumerate(step_ids(plan, len(script)))}
    last, numbers = -1, {}
    for event in log(app):
        n = ids.get(event.causation_id)
        if n is None:
            continue
        last = max(last, n)
        if script[n].kind == "case" and isinstance(event, Case.ServiceNotificationCreated):
            numbers[script[n].case] = event.originator_id.removeprefix("notification-")
    return last + 1, numbers


def log(app: CrmApplication) -> Iterator[CrmEvent]:
    """Every event of the log in order (only a resumed load reads the whole log)."""
    position, last = 0, app.recorder.max_notification_id() or 0
    while position < last:
        page = app.recorder.select_notifications(
            start=position, limit=SCAN_PAGE, stop=last, inclusive_of_start=False
        )
        if not page:
            return
        for notification in page:
            event = app.mapper.to_domain_event(notification)
            if isinstance(event, CrmEvent):
                yield event
        position = page[-1].id


def finish(app: CrmApplication, bus: CommandBus, plan: Plan) -> None:
    """Mark the plan complete; the marker is no customer to visit, so it is taken off the visit queue."""
    if app.load(Customer, MARKER_NO).return_visit_count == 0:
        visit = RecordReturnVisit(
            customer_no=MARKER_NO, channel=Channel.OTHER, notes="演示数据标记, 无需回访"
        )
        bus.dispatch(visit, LOADER)
    write_plan(bus, plan, "complete")


def load_with_progress(container: Container, *, customers: int, cases: int, seed: int) -> DemoResult:
    """`load_demo` behind a rich progress bar of commands, customers registered and cases created.

    The bar appears with the first step written, so a run that has nothing to write shows none.
    """
    columns = (
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("commands"),
        TextColumn("{task.fields[customers]} customers, {task.fields[cases]} cases"), TimeElapsedColumn(),
    )  # fmt: skip
    bar = Progress(*columns)
    task = bar.add_task("crm demo", total=None, customers=0, cases=0)

    def progress(tally: Tally) -> None:
        bar.start()  # idempotent
        done, customers, cases = tally.steps, tally.customers, tally.cases
        bar.update(task, completed=done, total=tally.total, customers=customers, cases=cases)

    try:
        return load_demo(container, customers=customers, cases=cases, seed=seed, progress=progress)
    finally:
        bar.stop()
