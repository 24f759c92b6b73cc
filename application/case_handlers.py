"""Handlers for notification commands: load, one aggregate method, save. No SQL, HTTP or NATS."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

from application import case_commands as c
from application.accepted import Accepted
from application.app import CrmApplication
from application.commands import Command
from domain.case import Case
from domain.case_fulfilment import OrderLineSpec
from domain.case_header import ItemSpec, NewCase
from domain.case_state import HEADER_FIELDS
from domain.context import CommandContext
from domain.customer import Customer
from domain.errors import CustomerNotFound


def on_case(
    app: CrmApplication, cmd: c.CaseCommand, act: Callable[[Case], object], detail: str = ""
) -> Accepted:
    """Load the notification (404, If-Match), run one method, append its events."""
    case = app.load(Case, cmd.case_no, cmd.expected_version)
    result = act(case)
    details: dict[str, str | int] = {detail: result} if detail and isinstance(result, (str, int)) else {}
    return app.commit(case, cmd.case_no, **details)


def item_spec(item: c.ItemInput) -> ItemSpec:
    return ItemSpec(
        product_category=item.product_type.category,
        product_subcategory=item.product_type.subcategory,
        colour_main=item.colour.main,
        colour_secondary=item.colour.secondary,
        material=item.material,
        quantity=item.quantity,
        text=item.text,
        reason_code=item.reason_code,
        reason_text=item.reason_text,
        is_oem=item.is_oem,
    )


def given(cmd: msgspec.Struct, names: tuple[str, ...]) -> dict[str, object]:
    """The fields a partial-update command actually carries."""
    return {n: getattr(cmd, n) for n in names if getattr(cmd, n) is not msgspec.UNSET}


def create_case(cmd: c.CreateCase, ctx: CommandContext, app: CrmApplication) -> Accepted:
    fields = {f: getattr(cmd, f) for f in NewCase.__dataclass_fields__ if f != "items"}
    new = NewCase(**fields, items=tuple(item_spec(i) for i in cmd.items))
    try:
        customer: Customer | None = app.load(Customer, cmd.ship_to) if cmd.ship_to else None
    except CustomerNotFound:
        customer = None
    reference_exists = not cmd.reference_case_no or app.exists(Case, cmd.reference_case_no)

    def save_as(number: str) -> Accepted:
        case = Case.create(number, new, ctx, customer, reference_exists)
        return app.commit(case, number)

    return app.case_numbers.create(save_as)


def update_case(cmd: c.UpdateCase, ctx: CommandContext, app: CrmApplication) -> Accepted:
    changes = given(cmd, tuple(f for f in HEADER_FIELDS if f in cmd.__struct_fields__))

    def act(case: Case) -> None:
        customer = app.load(Customer, case.ship_to) if "functional_location" in changes else None
        case.update_details(ctx, changes, customer)

    return on_case(app, cmd, act)


def change_case_item(cmd: c.ChangeCaseItem, ctx: CommandContext, app: CrmApplication) -> Accepted:
    updates = given(cmd, ("material", "quantity", "reason_code", "reason_text", "is_oem"))
    if isinstance(cmd.product_type, c.ProductType):
        updates |= {
            "product_category": cmd.product_type.category,
            "product_subcategory": cmd.product_type.subcategory,
        }
    if isinstance(cmd.colour, c.Colour):
        updates |= {"colour_main": cmd.colour.main, "colour_secondary": cmd.colour.secondary}
    if isinstance(cmd.text, str):
        updates["text"] = cmd.text
    return on_case(app, cmd, lambda case: case.change_item(ctx, cmd.item_no, updates))


def create_service_order(cmd: c.CreateServiceOrder, ctx: CommandContext, app: CrmApplication) -> Accepted:
    lines = [OrderLineSpec(line.description, line.qty, line.unit_price, line.material) for line in cmd.lines]
    return on_case(app, cmd, lambda case: case.create_service_order(ctx, lines), "order_no")


Simple = Callable[[Any, CommandContext, Case], object]


def simple(act: Simple, detail: str = "") -> Callable[[Any, CommandContext, CrmApplication], Accepted]:
    """A handler whose whole job is one aggregate call with the command's own fields."""

    def handle(cmd: Any, ctx: CommandContext, app: CrmApplication) -> Accepted:
        return on_case(app, cmd, lambda case: act(cmd, ctx, case), detail)

    return handle


CASE_HANDLERS: dict[type[Command], Callable[[Any, CommandContext, CrmApplication], Accepted]] = {
    c.CreateCase: create_case,
    c.UpdateCase: update_case,
    c.ChangeCaseItem: change_case_item,
    c.CreateServiceOrder: create_service_order,
    c.PutCaseInProcess: simple(lambda cmd, ctx, case: case.put_in_process(ctx)),
    c.DispatchServiceStaff: simple(
        lambda cmd, ctx, case: case.notify_service_staff(ctx, cmd.service_staff_id, cmd.channel)
    ),
    c.AppendLongText: simple(lambda cmd, ctx, case: case.append_long_text(ctx, cmd.text)),
    c.AddCaseItem: simple(lambda cmd, ctx, case: case.add_item(ctx, item_spec(cmd.item)), "item_no"),
    c.RemoveCaseItem: simple(lambda cmd, ctx, case: case.remove_item(ctx, cmd.item_no)),
    c.CompleteSiteSurvey: simple(
        lambda cmd, ctx, case: case.complete_site_survey(ctx, cmd.code, cmd.survey_date, cmd.findings)
    ),
    c.RecordServiceForm: simple(
        lambda cmd, ctx, case: case.record_service_form(
            ctx, cmd.kind, cmd.service_staff_id, cmd.date, cmd.content, cmd.hq_quote_needed, cmd.form_no
        ),
        "form_no",
    ),
    c.FileComplaintForm: simple(
        lambda cmd, ctx, case: case.file_complaint_form(ctx, cmd.complaint_kind, cmd.description), "form_no"
    ),
    c.RequestApproval: simple(lambda cmd, ctx, case: case.request_approval(ctx, cmd.purpose, cmd.note)),
    c.ApproveCase: simple(lambda cmd, ctx, case: case.approve(ctx, cmd.comment)),
    c.RejectCase: simple(lambda cmd, ctx, case: case.reject(ctx, cmd.reason)),
    c.EscalateCase: simple(lambda cmd, ctx, case: case.escalate(ctx, cmd.unit, cmd.purpose)),
    c.EmailCase: simple(
        lambda cmd, ctx, case: case.email(ctx, list(cmd.recipients), cmd.department, cmd.subject)
    ),
    c.RecordDepartmentReply: simple(
        lambda cmd, ctx, case: case.record_department_reply(
            ctx, cmd.reply_text, cmd.hq_quote_amount, cmd.replying_unit
        )
    ),
    c.RecordReplyToSales: simple(lambda cmd, ctx, case: case.record_reply_to_sales(ctx, cmd.note)),
    c.RecordGoodsDelivered: simple(lambda cmd, ctx, case: case.record_goods_delivered(ctx, cmd.delivered_at)),
    c.RecordGoodsReturned: simple(
        lambda cmd, ctx, case: case.record_goods_returned(ctx, cmd.returned_at, cmd.manufacturer)
    ),
    c.ConfirmQuote: simple(
        lambda cmd, ctx, case: case.confirm_quote(ctx, cmd.order_no, cmd.confirmed_by_name, cmd.via)
    ),
    c.DeclineQuote: simple(lambda cmd, ctx, case: case.decline_quote(ctx, cmd.order_no, cmd.reason)),
    c.RecordOnSiteService: simple(
        lambda cmd, ctx, case: case.record_on_site_service(
            ctx, cmd.date, cmd.work_done, cmd.service_staff_id, cmd.service_form_no
        )
    ),
    c.ConfirmAcceptance: simple(lambda cmd, ctx, case: case.confirm_acceptance(ctx, cmd.accepted_by_name)),
    c.CloseCase: simple(lambda cmd, ctx, case: case.close(ctx, cmd.closure_reason)),
    c.CreateInvoice: simple(
        lambda cmd, ctx, case: case.create_invoice(ctx, cmd.order_no, cmd.amount), "invoice_no"
    ),
    c.RecordSatisfactionSurvey: simple(
        lambda cmd, ctx, case: case.record_satisfaction_survey(
            ctx, cmd.score, cmd.channel, cmd.comment, cmd.expected_score, cmd.perceived_score
        )
    ),
}
