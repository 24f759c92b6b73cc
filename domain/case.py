"""The Case aggregate = service notification (服务通知单): creation and day-to-day handling.

Approval/escalation commands live in `case_approval`, quote-to-survey commands
in `case_fulfilment`; every command validates here and only events assign state.
"""

from __future__ import annotations

from datetime import date
from typing import Protocol

from domain import case_events as ev
from domain.actor import Role
from domain.base import CrmAggregate, envelope
from domain.case_approval import CaseApproval
from domain.case_fulfilment import CaseFulfilment
from domain.case_header import (
    ITEM_FIELDS,
    ItemSpec,
    NewCase,
    check_header_changes,
    check_item,
    check_new_case_rules,
    with_item_text_parsed,
)
from domain.case_payloads import created_payload, item_payload
from domain.case_rules import reject_invalid, reject_too_long
from domain.case_status import CREATE_ROLES
from domain.case_values import (
    SURVEY_INPUT_CODES,
    ComplaintKind,
    ServiceFormKind,
    SystemStatus,
)
from domain.context import CommandContext
from domain.errors import (
    CaseNotFound,
    CustomerNotFound,
    FieldProblem,
    ForbiddenRole,
    FunctionalLocationNotFound,
    IllegalStatusTransition,
    ItemNotFound,
    ValidationFailed,
)
from domain.values import check_one_of, check_reference_code, check_required, check_text


class ShipToCustomer(Protocol):
    """What creating a notification needs to know about its ship-to customer."""

    master_address: str

    def functional_location_address(self, fl_no: str) -> str | None: ...


class Case(CrmAggregate, CaseApproval, CaseFulfilment):
    """One service notification, Z1 (after full payment) or Z2 (delivery exception)."""

    STREAM_PREFIX = "notification"
    Event = ev.CaseEvent
    ServiceNotificationCreated = ev.ServiceNotificationCreated
    NotificationPutInProcess = ev.NotificationPutInProcess
    ServiceStaffNotified = ev.ServiceStaffNotified
    NotificationDetailsUpdated = ev.NotificationDetailsUpdated
    ResponsibilityTransferred = ev.ResponsibilityTransferred
    LongTextAppended = ev.LongTextAppended
    NotificationItemAdded = ev.NotificationItemAdded
    NotificationItemChanged = ev.NotificationItemChanged
    NotificationItemRemoved = ev.NotificationItemRemoved
    SiteSurveyCompleted = ev.SiteSurveyCompleted
    FurnitureServiceFormRecorded = ev.FurnitureServiceFormRecorded
    ComplaintFormFiled = ev.ComplaintFormFiled
    SupervisorApprovalRequested = ev.SupervisorApprovalRequested
    SupervisorApproved = ev.SupervisorApproved
    SupervisorRejected = ev.SupervisorRejected
    EscalatedToRegionalLogistics = ev.EscalatedToRegionalLogistics
    NotificationEmailed = ev.NotificationEmailed
    DepartmentReplyReceived = ev.DepartmentReplyReceived
    ReplyToSalesRecorded = ev.ReplyToSalesRecorded
    GoodsDeliveredToCustomer = ev.GoodsDeliveredToCustomer
    GoodsReturnedToManufacturer = ev.GoodsReturnedToManufacturer
    ServiceSalesOrderCreated = ev.ServiceSalesOrderCreated
    QuoteConfirmedByCustomer = ev.QuoteConfirmedByCustomer
    QuoteDeclinedByCustomer = ev.QuoteDeclinedByCustomer
    OnSiteServicePerformed = ev.OnSiteServicePerformed
    CustomerAcceptanceConfirmed = ev.CustomerAcceptanceConfirmed
    NotificationClosed = ev.NotificationClosed
    ServiceInvoiceCreated = ev.ServiceInvoiceCreated
    SatisfactionSurveyRecorded = ev.SatisfactionSurveyRecorded

    # C1 ------------------------------------------------------------------------------------
    @classmethod
    def create(
        cls,
        case_no: str,
        new: NewCase,
        ctx: CommandContext,
        customer: ShipToCustomer | None,
        reference_exists: bool = True,
    ) -> Case:
        """IW51. Order: 400 fields → 422 type/payment → 404 customer, location, reference → 403."""
        check_new_case_rules(new)
        if customer is None:
            raise CustomerNotFound(f"customer {new.ship_to} not found")
        object_address = customer.master_address
        if new.functional_location:
            address = customer.functional_location_address(new.functional_location)
            if address is None:
                raise FunctionalLocationNotFound(
                    f"functional location {new.functional_location} does not belong to {new.ship_to}"
                )
            object_address = address  # 若客户地址与对象地址不同,以对象地址为准
        if new.reference_case_no and not reference_exists:
            raise CaseNotFound(f"reference notification {new.reference_case_no} not found")
        role = ctx.actor.acting_role(CREATE_ROLES)
        if role is None:
            raise ForbiddenRole("create_notification", {r.value for r in ctx.actor.roles})
        case = cls._create(
            ev.ServiceNotificationCreated,
            id=cls.stream_id(case_no),
            **envelope(ctx, role),
            **created_payload(case_no, new, object_address, ctx),
        )
        if new.put_in_process:
            case._start_processing(ctx, role)  # part of the create screen: the creator may do it
        return case

    # C2 ------------------------------------------------------------------------------------
    def put_in_process(self, ctx: CommandContext) -> None:
        """<进行处理>: outstanding → in process."""
        role = self._allowed("put_in_process", ctx)
        if self.system_status != SystemStatus.OUTSTANDING:
            raise IllegalStatusTransition(f"notification is {self.system_status}, not OUTSTANDING")
        self._start_processing(ctx, role)

    def _start_processing(self, ctx: CommandContext, role: Role) -> None:
        self._trigger(
            ev.NotificationPutInProcess,
            ctx,
            role,
            from_status=SystemStatus.OUTSTANDING.value,
            to_status=SystemStatus.IN_PROCESS.value,
        )

    # C3 ------------------------------------------------------------------------------------
    def notify_service_staff(self, ctx: CommandContext, service_staff_id: str, channel: str = "") -> None:
        """Urgent dispatch: 通知服务人员与客户确认及时进行现场处理."""
        problems: list[FieldProblem] = []
        check_required("service_staff_id", service_staff_id, problems)
        check_reference_code("service_staff_id", service_staff_id or None, problems)
        check_text("channel", channel, 40, problems)
        reject_invalid(problems)
        role = self._allowed("notify_service_staff", ctx)
        self._trigger(
            ev.ServiceStaffNotified,
            ctx,
            role,
            service_staff_id=service_staff_id,
            urgent=self.urgency == "URGENT",
            channel=channel,
        )

    # C4 ------------------------------------------------------------------------------------
    def update_details(
        self, ctx: CommandContext, changes: dict[str, object], customer: ShipToCustomer | None = None
    ) -> None:
        """IW52 header change; a new responsible person or work center is a registered hand-over.

        Order (§4.6): payload rules → 404 for a foreign functional location → role →
        date order against the current dates → "nothing changes".
        """
        reject_invalid(check_header_changes(changes))
        diff = {k: {"old": getattr(self, k), "new": v} for k, v in changes.items() if getattr(self, k) != v}
        if "functional_location" in diff:
            diff |= self._relocation(str(diff["functional_location"]["new"]), customer)
        role = self._allowed("update_details", ctx)
        start = diff.get("required_start", {}).get("new", self.required_start)
        end = diff.get("required_end", {}).get("new", self.required_end)
        if isinstance(start, date) and isinstance(end, date) and end < start:
            raise ValidationFailed.one("required_end", "must not be before required_start")
        if not diff:
            raise ValidationFailed.one("changes", "no field differs from the current value")
        self._trigger(ev.NotificationDetailsUpdated, ctx, role, changes=diff)
        if "responsible_person" in diff or "main_work_center" in diff:
            self._trigger(
                ev.ResponsibilityTransferred,
                ctx,
                role,
                from_person=diff.get("responsible_person", {}).get("old", self.responsible_person),
                to_person=self.responsible_person,
                from_work_center=diff.get("main_work_center", {}).get("old", self.main_work_center),
                to_work_center=self.main_work_center,
            )

    def _relocation(self, fl_no: str, customer: ShipToCustomer | None) -> dict[str, dict[str, object]]:
        """A new functional location brings its address as the object address (empty: the master's)."""
        address = customer.functional_location_address(fl_no) if customer and fl_no else None
        if fl_no and address is None:
            raise FunctionalLocationNotFound(f"functional location {fl_no} does not belong to {self.ship_to}")
        new_address = address if address is not None else (customer.master_address if customer else "")
        if new_address == self.object_address:
            return {}
        return {"object_address": {"old": self.object_address, "new": new_address}}

    # C5 ------------------------------------------------------------------------------------
    def append_long_text(self, ctx: CommandContext, text: str) -> None:
        """Long text is append-only: it is the liaison text printed for purchasing and PSI."""
        problems: list[FieldProblem] = []
        check_required("text", text, problems)
        check_text("text", text, 4000, problems)
        reject_invalid(problems)
        role = self._allowed("append_long_text", ctx)
        self._trigger(ev.LongTextAppended, ctx, role, text=text)

    # C6 ------------------------------------------------------------------------------------
    def add_item(self, ctx: CommandContext, spec: ItemSpec) -> int:
        """Add a material line; item numbers start at 1 and never repeat."""
        problems: list[FieldProblem] = []
        material, quantity = check_item(spec, "", problems)
        reject_invalid(problems)
        role = self._allowed("add_item", ctx)
        item_no = self.last_item_no + 1
        self._trigger(
            ev.NotificationItemAdded, ctx, role, item=item_payload(item_no, spec, material, quantity)
        )
        return item_no

    def change_item(self, ctx: CommandContext, item_no: int, updates: dict[str, object]) -> None:
        updates = with_item_text_parsed(updates)
        unknown = sorted(set(updates) - set(ITEM_FIELDS))
        if unknown:
            raise ValidationFailed([FieldProblem(name, "is not an item field") for name in unknown])
        current = self.item(item_no)
        if current is None:
            raise ItemNotFound(f"item {item_no} not found on notification {self.case_no}")
        merged = {name: getattr(current, name) for name in ITEM_FIELDS} | updates
        problems: list[FieldProblem] = []
        check_item(ItemSpec(**merged), "", problems)
        reject_invalid(problems)
        role = self._allowed("change_item", ctx)
        diff = {
            k: {"old": getattr(current, k), "new": v} for k, v in updates.items() if getattr(current, k) != v
        }
        if not diff:
            raise ValidationFailed.one("changes", "no field differs from the current value")
        self._trigger(ev.NotificationItemChanged, ctx, role, item_no=item_no, changes=diff)

    def remove_item(self, ctx: CommandContext, item_no: int) -> None:
        if self.item(item_no) is None:
            raise ItemNotFound(f"item {item_no} not found on notification {self.case_no}")
        role = self._allowed("remove_item", ctx)
        self._trigger(ev.NotificationItemRemoved, ctx, role, item_no=item_no)

    # C7 ------------------------------------------------------------------------------------
    def complete_site_survey(
        self, ctx: CommandContext, code: str = "KCWB", survey_date: date | None = None, findings: str = ""
    ) -> None:
        """勘察结束: TZJL → KCWB (KCJS accepted as input); a survey means work has started."""
        if code not in SURVEY_INPUT_CODES:
            raise ValidationFailed.one("code", "must be KCWB or KCJS")
        reject_too_long("findings", findings, 4000)
        role = self._allowed("complete_site_survey", ctx)
        transition = self._transition("complete_site_survey")
        self._move(
            ev.SiteSurveyCompleted,
            ctx,
            role,
            transition,
            input_code=code,
            surveyed_by=ctx.actor.id,
            survey_date=survey_date or ctx.occurred_at.date(),
            findings=findings,
        )
        if self.system_status == SystemStatus.OUTSTANDING:
            self._start_processing(ctx, role)

    # C8 ------------------------------------------------------------------------------------
    def record_service_form(
        self,
        ctx: CommandContext,
        kind: str,
        service_staff_id: str,
        form_date: date,
        content: str,
        hq_quote_needed: bool = False,
        form_no: str = "",
    ) -> str:
        """家具服务单, transcribed by the assistant or entered by the service staff."""
        problems: list[FieldProblem] = []
        check_one_of("kind", kind, ServiceFormKind, problems)
        check_reference_code("service_staff_id", service_staff_id, problems)
        check_required("content", content, problems)
        check_text("content", content, 4000, problems)
        check_reference_code("form_no", form_no or None, problems)
        reject_invalid(problems)
        role = self._allowed("record_service_form", ctx)
        number = form_no or self._next_number("FWD", len(self.service_forms))
        if any(f.form_no == number for f in self.service_forms):
            raise ValidationFailed.one("form_no", f"form {number} is already recorded")
        self._trigger(
            ev.FurnitureServiceFormRecorded,
            ctx,
            role,
            form_no=number,
            kind=kind,
            service_staff_id=service_staff_id,
            date=form_date,
            content=content,
            hq_quote_needed=hq_quote_needed,
        )
        return number

    # C9 ------------------------------------------------------------------------------------
    def file_complaint_form(self, ctx: CommandContext, complaint_kind: str, description: str) -> str:
        """客诉单: always states 完款状况, copied from the notification."""
        problems: list[FieldProblem] = []
        check_one_of("complaint_kind", complaint_kind, ComplaintKind, problems)
        check_required("description", description, problems)
        check_text("description", description, 4000, problems)
        reject_invalid(problems)
        role = self._allowed("file_complaint_form", ctx)
        number = self._next_number("KSD", len(self.complaint_forms))
        self._trigger(
            ev.ComplaintFormFiled,
            ctx,
            role,
            form_no=number,
            complaint_kind=complaint_kind,
            description=description,
            payment_status=self.payment_status,
        )
        return number
