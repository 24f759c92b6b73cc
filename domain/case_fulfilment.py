"""From quote to survey (C17–C23): ZFFW order, on-site service, acceptance, close, ZFW, survey."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from domain import case_events as ev
from domain.case_entities import ServiceOrder
from domain.case_rules import CaseRules, reject_invalid, reject_too_long
from domain.case_values import CaseType, OrderStatus, SurveyChannel, SystemStatus
from domain.case_values import UserStatus as S
from domain.context import CommandContext
from domain.errors import (
    AcceptanceRequired,
    AlreadyAccepted,
    AlreadyInvoiced,
    AwaitingApproval,
    AwaitingDepartmentReply,
    FieldProblem,
    IllegalStatusTransition,
    NotificationNotClosed,
    QuoteNotConfirmed,
    QuotePending,
    ServiceOrderNotFound,
    SurveyAlreadyRecorded,
    ValidationFailed,
)
from domain.values import check_one_of, check_reference_code, check_required, check_text, money


@dataclass(frozen=True)
class OrderLineSpec:
    description: str
    qty: int
    unit_price: Decimal | str
    material: str = ""


class CaseFulfilment(CaseRules):
    # C17 -----------------------------------------------------------------------------------
    def create_service_order(self, ctx: CommandContext, lines: list[OrderLineSpec]) -> str:
        """ZFFW quote for the customer to confirm (如现场服务过程中需报价)."""
        priced, total = price_lines(lines)
        role = self._allowed("create_service_order", ctx)
        if self.has_pending_quote():
            raise QuotePending("another ZFFW quote is still waiting for the customer")
        number = self._next_number("ZFFW", len(self.service_orders))
        self._trigger(
            ev.ServiceSalesOrderCreated,
            ctx,
            role,
            order_no=number,
            order_type="ZFFW",
            lines=tuple(priced),
            total_amount=total,
            currency="CNY",
        )
        return number

    # C18 -----------------------------------------------------------------------------------
    def confirm_quote(
        self, ctx: CommandContext, order_no: str, confirmed_by_name: str, via: str = ""
    ) -> None:
        """与客户进行报价确认: the customer accepts the ZFFW quote."""
        problems: list[FieldProblem] = []
        check_required("confirmed_by_name", confirmed_by_name, problems)
        check_text("confirmed_by_name", confirmed_by_name, 100, problems)
        check_text("via", via, 40, problems)
        reject_invalid(problems)
        self._existing_order(order_no)
        role = self._allowed("confirm_quote", ctx)
        self._require_pending(order_no)
        self._trigger(
            ev.QuoteConfirmedByCustomer,
            ctx,
            role,
            order_no=order_no,
            confirmed_at=ctx.occurred_at,
            confirmed_by_name=confirmed_by_name,
            via=via,
        )

    def decline_quote(self, ctx: CommandContext, order_no: str, reason: str = "") -> None:
        reject_too_long("reason", reason, 4000)
        self._existing_order(order_no)
        role = self._allowed("decline_quote", ctx)
        self._require_pending(order_no)
        self._trigger(ev.QuoteDeclinedByCustomer, ctx, role, order_no=order_no, reason=reason)

    def _existing_order(self, order_no: str) -> ServiceOrder:
        order = self.order(order_no)
        if order is None:
            raise ServiceOrderNotFound(f"service order {order_no} not found on notification {self.case_no}")
        return order

    def _require_pending(self, order_no: str) -> None:
        order = self.order(order_no)
        if order is None or order.status != OrderStatus.PENDING_CONFIRMATION:
            status = order.status if order else "missing"
            raise IllegalStatusTransition(f"service order {order_no} is {status}, not PENDING_CONFIRMATION")

    # C19 -----------------------------------------------------------------------------------
    def record_on_site_service(
        self,
        ctx: CommandContext,
        service_date: date,
        work_done: str,
        service_staff_id: str = "",
        service_form_no: str = "",
    ) -> None:
        """现场服务, only once any quote is confirmed (待顾客确认报价后…进行现场服务)."""
        problems: list[FieldProblem] = []
        check_required("work_done", work_done, problems)
        check_text("work_done", work_done, 4000, problems)
        check_reference_code("service_staff_id", service_staff_id or None, problems)
        check_reference_code("service_form_no", service_form_no or None, problems)
        reject_invalid(problems)
        role = self._allowed("record_on_site_service", ctx)
        self._check_service_possible()
        if service_form_no and not any(f.form_no == service_form_no for f in self.service_forms):
            raise ValidationFailed.one("service_form_no", f"no service form {service_form_no} is recorded")
        self._trigger(
            ev.OnSiteServicePerformed,
            ctx,
            role,
            service_staff_id=service_staff_id or ctx.actor.id,
            date=service_date,
            service_form_no=service_form_no,
            work_done=work_done,
        )

    def _check_service_possible(self) -> None:
        if self.has_pending_quote():
            raise QuoteNotConfirmed("the customer has not confirmed the ZFFW quote yet")
        if self.user_status == S.ZGPZ:
            raise AwaitingDepartmentReply("waiting for the reply of regional logistics / HQ (ZBHF)")
        self._transition("record_on_site_service")
        if self.pending_approval is not None:
            raise AwaitingApproval("a supervisor approval request is pending")

    # C20 -----------------------------------------------------------------------------------
    def confirm_acceptance(
        self, ctx: CommandContext, accepted_by_name: str, accepted_at: datetime | None = None
    ) -> None:
        """客户服务验收确认: the customer accepts the service performed."""
        problems: list[FieldProblem] = []
        check_required("accepted_by_name", accepted_by_name, problems)
        check_text("accepted_by_name", accepted_by_name, 100, problems)
        reject_invalid(problems)
        role = self._allowed("confirm_acceptance", ctx)
        if self.acceptance is not None:
            raise AlreadyAccepted("the customer's acceptance is already recorded")
        if not self.on_site_services:
            raise IllegalStatusTransition("no on-site service has been performed yet")
        self._trigger(
            ev.CustomerAcceptanceConfirmed,
            ctx,
            role,
            accepted_at=accepted_at or ctx.occurred_at,
            accepted_by_name=accepted_by_name,
        )

    # C21 -----------------------------------------------------------------------------------
    def close(self, ctx: CommandContext, closure_reason: str = "") -> None:
        """关闭: after acceptance (Z1), after delivery or return (Z2); BPZ without service needs a reason."""
        reject_too_long("closure_reason", closure_reason, 4000)
        role = self._allowed("close", ctx)
        self._transition("close")
        if self.type == CaseType.Z1:
            self._check_z1_closable(closure_reason)
        self._trigger(
            ev.NotificationClosed,
            ctx,
            role,
            from_status=self.system_status,
            to_status=SystemStatus.COMPLETED.value,
            user_status_at_close=self.user_status,
            closed_by=ctx.actor.id,
            closure_reason=closure_reason,
        )

    def _check_z1_closable(self, closure_reason: str) -> None:
        if self.pending_approval is not None:
            raise AwaitingApproval("a supervisor approval request is pending")
        if self.has_pending_quote():
            raise QuoteNotConfirmed("a ZFFW quote is neither confirmed nor declined")
        if self.user_status == S.BPZ and not self.on_site_services:
            if not closure_reason.strip():
                raise ValidationFailed.one(
                    "closure_reason", "required to close a rejected notification without service"
                )
            return
        if self.acceptance is None:
            raise AcceptanceRequired("客户服务验收确认后…关闭: the customer's acceptance comes first")

    # C22 -----------------------------------------------------------------------------------
    def create_invoice(self, ctx: CommandContext, order_no: str, amount: Decimal | str | None = None) -> str:
        """ZFW invoice for a confirmed quote, after acceptance; allowed after closing."""
        problems: list[FieldProblem] = []
        parsed = money("amount", amount, problems) if amount is not None else None
        reject_invalid(problems)
        order = self._existing_order(order_no)
        role = self._allowed("create_invoice", ctx)
        if order.status == OrderStatus.INVOICED:
            raise AlreadyInvoiced(f"service order {order_no} is already invoiced ({order.invoice_no})")
        if order.status != OrderStatus.CONFIRMED:
            raise QuoteNotConfirmed(f"service order {order_no} is {order.status}")
        if self.acceptance is None:
            raise AcceptanceRequired("the customer's acceptance comes before the invoice")
        if parsed is not None and parsed != order.total_amount:
            raise ValidationFailed.one("amount", f"must equal the order total {order.total_amount}")
        number = self._next_number("ZFW", len(self.invoices))
        self._trigger(
            ev.ServiceInvoiceCreated,
            ctx,
            role,
            invoice_no=number,
            invoice_type="ZFW",
            order_no=order_no,
            amount=order.total_amount,
        )
        return number

    # C23 -----------------------------------------------------------------------------------
    def record_satisfaction_survey(
        self,
        ctx: CommandContext,
        score: int,
        channel: str,
        comment: str = "",
        expected_score: int | None = None,
        perceived_score: int | None = None,
    ) -> None:
        """满意度调查 after closing; satisfaction = perceived − expected when both are given."""
        problems: list[FieldProblem] = []
        for name, value in (
            ("score", score),
            ("expected_score", expected_score),
            ("perceived_score", perceived_score),
        ):
            if value is not None and (isinstance(value, bool) or not 1 <= value <= 5):
                problems.append(FieldProblem(name, "must be an integer from 1 to 5"))
        check_one_of("channel", channel, SurveyChannel, problems)
        check_text("comment", comment, 4000, problems)
        reject_invalid(problems)
        role = self._allowed("record_satisfaction_survey", ctx)
        if not self.is_completed:
            raise NotificationNotClosed("surveys follow service: close the notification first")
        if self.survey is not None:
            raise SurveyAlreadyRecorded("this notification already has its survey")
        self._trigger(
            ev.SatisfactionSurveyRecorded,
            ctx,
            role,
            score=score,
            channel=channel,
            comment=comment,
            surveyed_at=ctx.occurred_at,
            expected_score=expected_score,
            perceived_score=perceived_score,
        )


def price_lines(lines: list[OrderLineSpec]) -> tuple[list[dict[str, object]], Decimal]:
    """Validate quote lines (≥ 1 line, qty ≥ 1, price ≥ 0, total > 0): event payload dicts and total."""
    problems: list[FieldProblem] = []
    if not lines or len(lines) > 200:
        problems.append(FieldProblem("lines", "give 1 to 200 lines"))
    priced: list[dict[str, object]] = []
    total = Decimal("0.00")
    for index, line in enumerate(lines):
        prefix = f"lines[{index}]."
        check_required(f"{prefix}description", line.description, problems)
        check_text(f"{prefix}description", line.description, 200, problems)
        check_reference_code(f"{prefix}material", line.material or None, problems)
        if isinstance(line.qty, bool) or not 1 <= line.qty <= 1_000_000:
            problems.append(FieldProblem(f"{prefix}qty", "must be an integer from 1 to 1000000"))
        price = money(f"{prefix}unit_price", line.unit_price, problems)
        priced.append(
            {"description": line.description, "material": line.material, "qty": line.qty, "unit_price": price}
        )
        total += price * line.qty if not isinstance(line.qty, bool) else 0
    if not problems and total <= 0:
        problems.append(FieldProblem("lines", "the quote total must be greater than 0"))
    reject_invalid(problems)
    return priced, total.quantize(Decimal("0.01"))
