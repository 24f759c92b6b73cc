"""The demo's service notifications as a script: each case walks one path of DOMAIN.md §2.8 (V1–V5).

A case starts at its own moment in the ~18 months before now and takes its
steps hours or days apart; steps that would fall after now are not taken, so
recent cases are left open in every state (outstanding, surveyed, awaiting
approval, escalated, quoted, delivered…). A few older ones stall for good,
which is what the overdue list is for.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal

from application import case_commands as c
from application import customer_commands as cc
from domain.actor import Actor, Role
from domain.values import Channel
from infra.demo_script import SPAN_DAYS, Account, Build, Plan, Staff, Step, business_time
from infra.demo_texts import (
    APPROVAL_COMMENTS,
    APPROVAL_NOTES,
    BPZ_CLOSURES,
    COLOURS,
    COMPLAINTS,
    DECLINE_REASONS,
    DELIVERY_EXCEPTIONS,
    EMAIL_SUBJECTS,
    FOLLOW_UPS,
    MANUFACTURERS,
    OEM_VENDORS,
    REJECT_REASONS,
    REPLIES,
    SALES_REPLIES,
    SERVICE_FORM_TEXTS,
    SERVICE_NEEDS,
    SURVEY_COMMENTS,
    SURVEY_FINDINGS,
    VISIT_NOTES,
)

PATH_STEPS: dict[str, tuple[str, ...]] = {
    "V1": ("survey", "service", "accept", "close", "satisfaction"),
    "V1u": ("dispatch", "survey", "service", "accept", "close", "satisfaction"),
    "V2": ("survey", "quote", "confirm", "service", "accept", "close", "invoice", "satisfaction"),
    "V3": ("survey", "service_form", "request", "approve", "escalate", "reply", "quote", "confirm", "service",
           "accept", "close", "invoice", "satisfaction"),
    "V4": ("survey", "complaint", "request", "approve", "escalate", "reply", "service", "accept", "close",
           "satisfaction", "visit"),
    "V5": ("complaint", "escalate", "reply_to_sales", "delivered", "close", "satisfaction", "visit"),
    "BPZ": ("survey", "service_form", "request", "reject", "close"),
}  # fmt: skip
PATHS = tuple(PATH_STEPS)
PATH_WEIGHTS = (34, 10, 20, 10, 8, 13, 5)
ESCALATION_PURPOSES = {"V4": "COMPLAINT_SUPPORT", "V5": "PRE_PAYMENT_COMPLAINT"}
STALL_SHARE = 0.04  # cases that stop for good somewhere on their path (the overdue list)
Hours = tuple[float, float]


class CaseWriter:
    """Writes one notification: creation by an assistant, then the steps of its path by the right roles."""

    def __init__(self, k: int, plan: Plan, staff: Staff, accounts: list[Account]) -> None:
        self.rng = rng = random.Random(f"{plan.seed}/case/{k}")  # noqa: S311 - demo data, not security
        self.k, self.plan, self.staff = k, plan, staff
        # The first cases take each path once, so even a tiny load shows every path completed.
        self.path = PATHS[k] if k < len(PATHS) else rng.choices(PATHS, PATH_WEIGHTS)[0]
        self.t = self.opening_time()
        self.account = self.customer(accounts)
        self.office = self.account.office.sales_office
        self.crew()
        self.z2, self.urgent = self.path == "V5", self.path == "V1u"
        needs = DELIVERY_EXCEPTIONS if self.z2 else COMPLAINTS if self.path == "V4" else SERVICE_NEEDS
        self.need = rng.choice(needs)
        stall = k >= len(PATHS) and rng.random() < STALL_SHARE
        self.stall = rng.randint(1, len(PATH_STEPS[self.path])) if stall else None
        self.steps: list[Step] = []
        self.orders, self.open, self.closed = 0, True, False

    def opening_time(self) -> datetime:
        """Cases are spread evenly over the span, in office hours (the web form never sleeps)."""
        rng, plan = self.rng, self.plan
        day = plan.start + timedelta(days=2 + (SPAN_DAYS - 2) * (self.k + rng.random()) / max(plan.cases, 1))
        at = business_time(day.replace(hour=rng.randint(8, 17), minute=rng.randint(0, 59)))
        return min(at, plan.as_of - timedelta(minutes=rng.randint(5, 120))).replace(microsecond=0)

    def crew(self) -> None:
        """The office's people for this case: one of its two service staff takes it."""
        staff, office = self.staff, self.office
        self.assistant = staff.one(Role.ASSISTANT, office)
        self.technician = self.rng.choice(staff.of(Role.SERVICE_STAFF, office))
        self.supervisor = staff.one(Role.SUPERVISOR, office)
        self.logistics = staff.one(Role.REGIONAL_LOGISTICS, office)
        self.handler = staff.one(Role.COMPLAINT_HANDLER, office)

    def customer(self, accounts: list[Account]) -> Account:
        """A customer registered by then and not yet fallen silent; busy accounts call more often."""
        silent = self.plan.as_of
        found = [a for a in accounts if a.registered_at + timedelta(days=1) < self.t
                 and (a.active_until == silent or self.t < a.active_until - timedelta(days=30))]  # fmt: skip
        return self.rng.choices(found or accounts[:1], [a.weight for a in found] or [1.0])[0]

    def add(self, actor: Actor, hours: Hours, build: Build, kind: str = "") -> None:
        """The next step some hours later, in office hours; none once the case stalled or reached now."""
        at = self.t if kind == "case" else business_time(self.t + timedelta(hours=self.rng.uniform(*hours)))
        if not self.open or at > self.plan.as_of or len(self.steps) == self.stall:
            self.open = False  # a step not taken: every later step of the path waits for it
            return
        self.t = at
        self.steps.append(Step(at, actor, build, self.k, kind))

    def write(self) -> list[Step]:
        in_process = self.create()
        if self.z2 and not in_process and self.rng.random() < 0.6:
            self.add(self.handler, (0.5, 8), lambda no, at: c.PutCaseInProcess(case_no=no))
        if not self.z2 and not self.urgent and self.rng.random() < 0.05:
            self.hand_over()
        for name in PATH_STEPS[self.path]:
            getattr(self, name)()
            if not self.closed and self.rng.random() < 0.08:
                self.follow_up()
        return self.steps

    def follow_up(self) -> None:
        """A line of long text: the liaison notes that pile up on a real notification."""
        text = self.rng.choice(FOLLOW_UPS)
        self.add(self.assistant, (0.5, 24), lambda no, at: c.AppendLongText(case_no=no, text=text))

    def create(self) -> bool:
        """IW51 by an assistant (or the hotline, or the web shop's integration); True if put in process."""
        rng, need, office, z2 = self.rng, self.need, self.account.office, self.z2
        # Z1: the customer's wished start and the assistant's estimate; Z2: the original assembly end
        # and the complaint department's estimate (DOMAIN.md §2.4).
        start = self.t.date() + timedelta(days=-rng.randint(1, 6) if z2 else rng.randint(0, 4))
        end = start + timedelta(days=rng.randint(7, 30) if z2 else rng.randint(3, 21))
        location = self.account.location  # service at the second address, once it exists
        at_location = location[0] if location and location[1] < self.t and rng.random() < 0.5 else ""
        owner, (creator, channel) = self.handler if z2 else self.technician, self.intake()
        command = c.CreateCase(
            type="Z2" if z2 else "Z1", category="COMPLAINT" if z2 or self.path == "V4" else "PAID_SERVICE",
            urgency="URGENT" if self.urgent else "NORMAL", channel=channel,
            payment_status="NOT_FULLY_PAID" if z2 else "FULLY_PAID", description=need.description,
            long_text=need.long_text, ship_to=self.account.no, reporter=owner.name,
            po_number=str((80_000_000 if z2 else 30_000_000) + rng.randint(1, 9_999_999)),
            po_date=self.t.date() - timedelta(days=rng.randint(5, 20) if z2 else rng.randint(30, 400)),
            required_start=start, required_end=end,
            main_work_center=office.complaint_center if z2 else office.service_center, plant=office.sales_org,
            responsible_person=owner.id, sales_org=office.sales_org, distribution_channel="10", division="02",
            sales_office=self.office, sales_group=rng.choice(("001", "002", "003", "")), business_area="1002",
            functional_location=at_location, received_at=self.t - timedelta(minutes=rng.randint(2, 60)),
            items=[self.item()], put_in_process=rng.random() < 0.5,
        )  # fmt: skip
        self.add(creator, (0, 0), lambda no, at: command, kind="case")
        return command.put_in_process

    def item(self) -> c.ItemInput:
        """The material line in the source's text form "100056,1"; OEM goods name their vendor."""
        rng, need, oem = self.rng, self.need, self.rng.random() < 0.1
        return c.ItemInput(
            product_type=c.ProductType(*need.product), colour=c.Colour(*rng.choice(COLOURS)),
            text=f"{need.material},{rng.choice((1, 1, 1, 2, 3))}", reason_code=str(rng.randint(1, 6)),
            is_oem=oem, reason_text=rng.choice(OEM_VENDORS) if oem else "",
        )  # fmt: skip

    def intake(self) -> tuple[Actor, str]:
        """Who records the need, by which channel: the assistant, the hotline or the web shop."""
        hotline, web = self.staff.one(Role.CS_AGENT), self.staff.one(Role.INTEGRATOR)
        choices = ((self.assistant, "PHONE"), (self.assistant, "EMAIL"), (hotline, "PHONE"), (web, "WEBSITE"))
        return self.rng.choices(choices, (65, 15, 12, 8))[0]

    def hand_over(self) -> None:
        """IW52: the other service staff of the office takes over (ResponsibilityTransferred)."""
        others = [a for a in self.staff.of(Role.SERVICE_STAFF, self.office) if a != self.technician]
        if others:
            self.technician = other = self.rng.choice(others)
            staff_id = other.id
            self.add(
                self.assistant, (0.5, 8), lambda no, at: c.UpdateCase(case_no=no, responsible_person=staff_id)
            )

    def dispatch(self) -> None:
        """Urgent: the assistant notifies the service staff at once."""
        staff_id = self.technician.id
        self.add(self.assistant, (0.05, 0.4), lambda no, at: c.DispatchServiceStaff(
            case_no=no, service_staff_id=staff_id, channel="PHONE"))  # fmt: skip

    def survey(self) -> None:
        code, findings = self.rng.choice(("KCWB", "KCWB", "KCJS")), self.rng.choice(SURVEY_FINDINGS)
        self.add(self.technician, (0.5, 3) if self.urgent else (8, 96), lambda no, at: c.CompleteSiteSurvey(
            case_no=no, code=code, findings=findings))  # fmt: skip

    def service(self) -> None:
        work, staff_id = self.need.work_done, self.technician.id
        hours = (0.3, 2) if self.urgent else (24, 168)
        self.add(self.technician, hours, lambda no, at: c.RecordOnSiteService(
            case_no=no, date=at.date(), work_done=work, service_staff_id=staff_id))  # fmt: skip

    def accept(self) -> None:
        name, actor = self.account.contact, self.rng.choice((self.assistant, self.technician))
        self.add(actor, (0.2, 48), lambda no, at: c.ConfirmAcceptance(case_no=no, accepted_by_name=name))

    def close(self) -> None:
        """Z1 after acceptance (BPZ with a reason); Z2 by logistics or the complaint handler."""
        actor = self.rng.choice((self.handler, self.logistics)) if self.z2 else self.assistant
        reason = self.rng.choice(BPZ_CLOSURES) if self.path == "BPZ" else ""
        self.add(actor, (2, 96), lambda no, at: c.CloseCase(case_no=no, closure_reason=reason))
        self.closed = True

    def satisfaction(self) -> None:
        rng = self.rng
        if rng.random() > 0.65:
            return
        weights = (8, 12, 30, 30, 20) if self.need.complaint_kind else (2, 4, 14, 42, 38)
        score = rng.choices((1, 2, 3, 4, 5), weights)[0]
        channel = rng.choice(("PHONE", "PHONE", "RETURN_VISIT", "ONLINE", "QUALITY_CARD"))
        expected, agent = rng.randint(3, 5), rng.choice(self.staff.of(Role.CS_AGENT))
        self.add(agent, (24, 240), lambda no, at: c.RecordSatisfactionSurvey(
            case_no=no, score=score, channel=channel, comment=SURVEY_COMMENTS[score], expected_score=expected,
            perceived_score=score))  # fmt: skip

    def visit(self) -> None:
        """The return visit owed after a complaint; some are still owed (the contact queue)."""
        rng = self.rng
        if rng.random() > 0.8:
            return
        customer_no, score, notes = self.account.no, rng.choice((3, 4, 4, 5)), rng.choice(VISIT_NOTES)
        self.add(rng.choice(self.staff.of(Role.CS_AGENT)), (2, 140), lambda no, at: cc.RecordReturnVisit(
            customer_no=customer_no, channel=Channel.PHONE, satisfied=score >= 4, score=score, notes=notes,
            related_case_no=no))  # fmt: skip

    def quote(self, discount: Decimal = Decimal(1)) -> None:
        """ZFFW: the part and the call-out fee; a second quote after a decline is cheaper."""
        rng, need = self.rng, self.need
        price = (Decimal(need.unit_price) * discount).quantize(Decimal("0.01"))
        lines = [c.OrderLineInput(description=need.quote_line, material=need.material,
                                  qty=rng.choice((1, 1, 2, 3)), unit_price=price),
                 c.OrderLineInput(description="上门服务费", qty=1, unit_price=Decimal("50.00"))]  # fmt: skip
        self.add(self.assistant, (2, 72), lambda no, at: c.CreateServiceOrder(case_no=no, lines=lines))
        self.orders += 1

    def confirm(self) -> None:
        """与客户进行报价确认; about one customer in ten declines the first quote."""
        rng, first, name = self.rng, self.orders, self.account.contact
        if rng.random() < 0.1:
            reason = rng.choice(DECLINE_REASONS)
            self.add(self.assistant, (24, 168), lambda no, at: c.DeclineQuote(
                case_no=no, order_no=f"ZFFW-{no}-{first}", reason=reason))  # fmt: skip
            self.quote(Decimal("0.85"))
        final, via = self.orders, rng.choice(("PHONE", "EMAIL", "VISIT"))
        self.add(self.assistant, (24, 240), lambda no, at: c.ConfirmQuote(
            case_no=no, order_no=f"ZFFW-{no}-{final}", confirmed_by_name=name, via=via))  # fmt: skip

    def invoice(self) -> None:
        order = self.orders
        self.add(self.assistant, (4, 120), lambda no, at: c.CreateInvoice(
            case_no=no, order_no=f"ZFFW-{no}-{order}"))  # fmt: skip

    def service_form(self) -> None:
        staff_id, content = self.technician.id, self.rng.choice(SERVICE_FORM_TEXTS)
        self.add(self.technician, (0.5, 24), lambda no, at: c.RecordServiceForm(
            case_no=no, kind="SURVEY", service_staff_id=staff_id, date=at.date(), content=content,
            hq_quote_needed=True))  # fmt: skip

    def complaint(self) -> None:
        kind, text = self.need.complaint_kind, self.need.long_text
        self.add(self.assistant, (0.5, 24), lambda no, at: c.FileComplaintForm(
            case_no=no, complaint_kind=kind, description=text))  # fmt: skip

    def request(self, note: str = APPROVAL_NOTES[0]) -> None:
        purpose = "HQ_SUPPORT" if self.path == "V4" else "HQ_QUOTE"
        self.add(self.assistant, (2, 48), lambda no, at: c.RequestApproval(
            case_no=no, purpose=purpose, note=note))  # fmt: skip

    def approve(self) -> None:
        """主管批准; a quarter of the requests are refused once and approved when re-submitted."""
        if self.rng.random() < 0.25:
            self.reject()
            self.request(APPROVAL_NOTES[1])
        comment = self.rng.choice(APPROVAL_COMMENTS)
        self.add(self.supervisor, (8, 240), lambda no, at: c.ApproveCase(case_no=no, comment=comment))

    def reject(self) -> None:
        reason = self.rng.choice(REJECT_REASONS)
        self.add(self.supervisor, (8, 168), lambda no, at: c.RejectCase(case_no=no, reason=reason))

    def escalate(self) -> None:
        """通知相应的区物流 (stating 完款状况), sometimes with the notification e-mailed along (SBWP)."""
        purpose = ESCALATION_PURPOSES.get(self.path, "QUOTE_AND_STAFFING")
        unit = self.account.office.logistics_unit
        self.add(self.assistant, (0.5, 24), lambda no, at: c.EscalateCase(
            case_no=no, unit=unit, purpose=purpose))  # fmt: skip
        if self.rng.random() < 0.3:
            subject = self.rng.choice(EMAIL_SUBJECTS)
            self.add(self.assistant, (0.1, 1), lambda no, at: c.EmailCase(
                case_no=no, recipients=[f"{unit.lower()}@logistics.example.cn"], department="区物流",
                subject=subject))  # fmt: skip

    def reply(self) -> None:
        text, unit = self.rng.choice(REPLIES), self.account.office.logistics_unit
        amount = Decimal(self.need.unit_price) * 3 if self.path == "V3" else None
        self.add(self.logistics, (72, 480), lambda no, at: c.RecordDepartmentReply(
            case_no=no, reply_text=text, hq_quote_amount=amount, replying_unit=unit))  # fmt: skip

    def reply_to_sales(self) -> None:
        note = self.rng.choice(SALES_REPLIES)
        actor = self.rng.choice((self.logistics, self.handler))
        self.add(actor, (24, 120), lambda no, at: c.RecordReplyToSales(case_no=no, note=note))

    def delivered(self) -> None:
        """DDKH, THCS, or delivered and the faulty goods sent back to the manufacturer as well."""
        roll, maker = self.rng.random(), self.rng.choice(MANUFACTURERS)
        if roll < 0.8:
            self.add(self.logistics, (48, 240), lambda no, at: c.RecordGoodsDelivered(
                case_no=no, delivered_at=at))  # fmt: skip
        if roll > 0.7:
            self.add(self.logistics, (24, 120), lambda no, at: c.RecordGoodsReturned(
                case_no=no, returned_at=at, manufacturer=maker))  # fmt: skip
