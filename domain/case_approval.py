"""Approval, escalation and department-reply commands (C10–C16): the HQ path and the Z2 path."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from domain import case_events as ev
from domain.case_entities import ApprovalRequest
from domain.case_rules import CaseRules, reject_invalid, reject_too_long
from domain.case_status import Transition
from domain.case_values import ApprovalPurpose, CaseType, Category, EscalationPurpose
from domain.case_values import UserStatus as S
from domain.context import CommandContext
from domain.errors import (
    ApprovalRequired,
    AwaitingApproval,
    ComplaintFormRequired,
    FieldProblem,
    IllegalStatusTransition,
    NoPendingApproval,
    NotAllowedForCategory,
    NotAllowedForType,
    ServiceFormRequired,
)
from domain.values import check_one_of, check_reference_code, check_required, check_text, money

PURPOSE_FOR_CATEGORY = {
    Category.PAID_SERVICE: ApprovalPurpose.HQ_QUOTE,
    Category.COMPLAINT: ApprovalPurpose.HQ_SUPPORT,
}
ESCALATION_FOR_CATEGORY = {
    Category.PAID_SERVICE: EscalationPurpose.QUOTE_AND_STAFFING,
    Category.COMPLAINT: EscalationPurpose.COMPLAINT_SUPPORT,
}


class CaseApproval(CaseRules):
    # C10 -----------------------------------------------------------------------------------
    def request_approval(self, ctx: CommandContext, purpose: str, note: str = "") -> None:
        """Ask the supervisor before contacting HQ (如需与总部联系先更新此状态为ZGPZ)."""
        problems: list[FieldProblem] = []
        check_one_of("purpose", purpose, ApprovalPurpose, problems)
        check_text("note", note, 4000, problems)
        reject_invalid(problems)
        role = self._authorize("request_approval", ctx)
        if PURPOSE_FOR_CATEGORY[Category(self.category)] != purpose:
            raise NotAllowedForCategory(f"{purpose} does not fit a {self.category} notification")
        self._ensure_open("request_approval")
        self._transition("request_approval")
        if self.pending_approval is not None:
            raise AwaitingApproval("an approval request is already pending")
        if purpose == ApprovalPurpose.HQ_SUPPORT and not self.complaint_forms:
            raise ComplaintFormRequired("file a complaint form (客诉单) before asking for HQ support")
        if purpose == ApprovalPurpose.HQ_QUOTE and not self.service_forms:
            raise ServiceFormRequired(
                "record the furniture service form (家具服务单) before asking for an HQ quote"
            )
        self._trigger(
            ev.SupervisorApprovalRequested, ctx, role, purpose=purpose, requested_by=ctx.actor.id, note=note
        )

    # C11 -----------------------------------------------------------------------------------
    def approve(self, ctx: CommandContext, comment: str = "") -> None:
        """主管批准 → ZGPZ."""
        reject_too_long("comment", comment, 4000)
        role = self._allowed("approve", ctx)
        transition, request = self._decidable("approve")
        self._move(
            ev.SupervisorApproved,
            ctx,
            role,
            transition,
            supervisor_id=ctx.actor.id,
            requested_by=request.requested_by,
            comment=comment,
        )

    # C12 -----------------------------------------------------------------------------------
    def reject(self, ctx: CommandContext, reason: str) -> None:
        """主管不批准 → BPZ; a reason is required."""
        problems: list[FieldProblem] = []
        check_required("reason", reason, problems)
        check_text("reason", reason, 4000, problems)
        reject_invalid(problems)
        role = self._allowed("reject", ctx)
        transition, request = self._decidable("reject")
        self._move(
            ev.SupervisorRejected,
            ctx,
            role,
            transition,
            supervisor_id=ctx.actor.id,
            requested_by=request.requested_by,
            reason=reason,
        )

    def _decidable(self, command: str) -> tuple[Transition, ApprovalRequest]:
        """The status a decision sets and the request it decides (ILLEGAL_STATUS_TRANSITION first)."""
        transition = self._transition(command)
        if self.pending_approval is None:
            raise NoPendingApproval(f"notification {self.case_no} has no pending approval request")
        return transition, self.pending_approval

    # C13 -----------------------------------------------------------------------------------
    def escalate(self, ctx: CommandContext, unit: str, purpose: str) -> None:
        """通知相应的区物流, always stating 完款状况; Z1 only after approval, Z2 with a complaint form."""
        problems: list[FieldProblem] = []
        check_required("unit", unit, problems)
        check_reference_code("unit", unit or None, problems)
        check_one_of("purpose", purpose, EscalationPurpose, problems)
        reject_invalid(problems)
        role = self._authorize("escalate", ctx)
        self._check_escalation_purpose(purpose)
        self._ensure_open("escalate")
        if self.type == CaseType.Z1 and self.user_status != S.ZGPZ:
            raise ApprovalRequired("主管审核批准后,通知相应的区物流: supervisor approval (ZGPZ) comes first")
        form = self._form_to_send()
        if self.type == CaseType.Z2 and form is None:
            raise ComplaintFormRequired(
                "a Z2 escalation sends the complaint form (客诉单) to regional logistics"
            )
        self._trigger(
            ev.EscalatedToRegionalLogistics,
            ctx,
            role,
            unit=unit,
            purpose=purpose,
            payment_status=self.payment_status,
            complaint_form_no=form,
        )

    def _check_escalation_purpose(self, purpose: str) -> None:
        if self.type == CaseType.Z2:
            if purpose != EscalationPurpose.PRE_PAYMENT_COMPLAINT:
                raise NotAllowedForType(f"a Z2 escalation is a PRE_PAYMENT_COMPLAINT, not {purpose}")
        elif ESCALATION_FOR_CATEGORY[Category(self.category)] != purpose:
            raise NotAllowedForCategory(f"{purpose} does not fit a {self.category} notification")

    def _form_to_send(self) -> str | None:
        """The oldest complaint form not yet sent, else the latest one (a re-escalation)."""
        unsent = [f for f in self.complaint_forms if f.sent_to_regional_logistics_at is None]
        forms = unsent or self.complaint_forms
        return forms[0 if unsent else -1].form_no if forms else None

    # C14 -----------------------------------------------------------------------------------
    def email(self, ctx: CommandContext, recipients: list[str], department: str, subject: str) -> None:
        """SBWP e-mail with the long text: read-only communication, allowed even when closed."""
        problems: list[FieldProblem] = []
        if not recipients or any(not r.strip() or len(r) > 254 for r in recipients) or len(recipients) > 50:
            problems.append(FieldProblem("recipients", "1-50 non-empty addresses of ≤ 254 characters"))
        check_required("department", department, problems)
        check_text("department", department, 100, problems)
        check_required("subject", subject, problems)
        check_text("subject", subject, 200, problems)
        reject_invalid(problems)
        role = self._allowed("email", ctx)
        self._trigger(
            ev.NotificationEmailed,
            ctx,
            role,
            recipients=tuple(recipients),
            department=department,
            subject=subject,
            include_long_text=True,
        )

    # C15 -----------------------------------------------------------------------------------
    def record_department_reply(
        self,
        ctx: CommandContext,
        reply_text: str,
        hq_quote_amount: Decimal | None = None,
        replying_unit: str = "",
    ) -> None:
        """相应部门回复 → ZBHF, after an escalation that followed the approval."""
        problems: list[FieldProblem] = []
        check_required("reply_text", reply_text, problems)
        check_text("reply_text", reply_text, 4000, problems)
        check_reference_code("replying_unit", replying_unit or None, problems)
        amount = money("hq_quote_amount", hq_quote_amount, problems) if hq_quote_amount is not None else None
        reject_invalid(problems)
        role = self._allowed("record_department_reply", ctx)
        transition = self._transition("record_department_reply")
        if not self.escalated_since_approval:
            raise IllegalStatusTransition("no escalation was sent to regional logistics since the approval")
        self._move(
            ev.DepartmentReplyReceived,
            ctx,
            role,
            transition,
            replying_unit=replying_unit or self.escalations[-1].unit,
            reply_text=reply_text,
            hq_quote_amount=amount,
        )

    # C16 (Z2) ------------------------------------------------------------------------------
    def record_reply_to_sales(self, ctx: CommandContext, note: str = "") -> None:
        """回复营业 → HFYY, once the complaint form reached regional logistics."""
        reject_too_long("note", note, 4000)
        role = self._allowed("record_reply_to_sales", ctx)
        transition = self._transition("record_reply_to_sales")
        if not any(f.sent_to_regional_logistics_at for f in self.complaint_forms):
            raise ComplaintFormRequired("the complaint form has not been sent to regional logistics")
        self._move(
            ev.ReplyToSalesRecorded,
            ctx,
            role,
            transition,
            note=note,
        )

    def record_goods_delivered(self, ctx: CommandContext, delivered_at: datetime) -> None:
        """货物送达客户 → DDKH."""
        role = self._allowed("record_goods_delivered", ctx)
        transition = self._transition("record_goods_delivered")
        self._move(
            ev.GoodsDeliveredToCustomer,
            ctx,
            role,
            transition,
            delivered_at=delivered_at,
        )

    def record_goods_returned(
        self, ctx: CommandContext, returned_at: datetime, manufacturer: str = ""
    ) -> None:
        """货物送回厂商 → THCS."""
        reject_too_long("manufacturer", manufacturer, 4000)
        role = self._allowed("record_goods_returned", ctx)
        transition = self._transition("record_goods_returned")
        self._move(
            ev.GoodsReturnedToManufacturer,
            ctx,
            role,
            transition,
            returned_at=returned_at,
            manufacturer=manufacturer,
        )
