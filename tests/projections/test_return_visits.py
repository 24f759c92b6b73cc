"""The return-visit rules (回访, DOMAIN.md §4.7 P8): month arithmetic, windows and each due reason."""

from __future__ import annotations

from datetime import date

import pytest

from application.app import CrmApplication
from application.bus import CommandBus
from projections.return_visits import Reason, Window, add_months, project_window, windows_until
from tests.application import flows
from tests.clock import FixedClock
from tests.projections.customer_support import CUSTOMER_NO, Desk, contacted, delivered, queue, seen

MEMORY = pytest.mark.parametrize("storage", ["memory"], indirect=True)
MONTHLY, QUARTERLY = Reason.PROJECT_MONTHLY, Reason.PROJECT_QUARTERLY


@pytest.fixture
def desk(bus: CommandBus, clock: FixedClock) -> Desk:
    return Desk(bus, clock)


# Month arithmetic ------------------------------------------------------------------------------
def test_january_31_plus_one_month_is_february_28() -> None:
    assert add_months(date(2001, 1, 31), 1) == date(2001, 2, 28)


def test_january_31_plus_one_month_is_february_29_in_a_leap_year() -> None:
    assert add_months(date(2004, 1, 31), 1) == date(2004, 2, 29)


def test_february_29_plus_twelve_months_is_february_28() -> None:
    assert add_months(date(2004, 2, 29), 12) == date(2005, 2, 28)


def test_adding_months_crosses_the_year_end() -> None:
    assert add_months(date(2001, 12, 31), 2) == date(2002, 2, 28)


def test_windows_are_counted_from_the_delivery_day_not_from_the_previous_window() -> None:
    assert project_window(date(2001, 1, 31), 3).start == date(2001, 3, 31)


def test_a_monthly_window_runs_from_one_month_mark_to_the_next() -> None:
    assert project_window(date(2004, 1, 31), 2) == Window(
        MONTHLY, "M2", 2, date(2004, 2, 29), date(2004, 3, 31)
    )


def test_the_twelfth_window_is_the_last_monthly_one() -> None:
    assert project_window(date(2001, 1, 31), 12) == Window(
        MONTHLY, "M12", 12, date(2001, 12, 31), date(2002, 1, 31)
    )


def test_after_twelve_months_the_windows_are_quarters() -> None:
    first, second = project_window(date(2001, 1, 31), 13), project_window(date(2001, 1, 31), 14)
    assert (first, second) == (
        Window(QUARTERLY, "Q1", 13, date(2002, 1, 31), date(2002, 4, 30)),
        Window(QUARTERLY, "Q2", 14, date(2002, 4, 30), date(2002, 7, 31)),
    )


def test_windows_until_a_day_include_the_next_window_to_come() -> None:
    labels = [w.label for w in windows_until(date(2001, 1, 15), date(2001, 3, 14))]
    assert labels == ["M1", "M2", "M3"]


# NEW_CUSTOMER_FIRST_VISIT ----------------------------------------------------------------------
@MEMORY
def test_a_new_customer_is_due_a_first_visit_ten_days_after_registration(
    app: CrmApplication, desk: Desk
) -> None:
    desk.on(date(2001, 3, 6)).register("C001")
    assert seen(queue(app, date(2001, 3, 6))) == [
        ("NEW_CUSTOMER_FIRST_VISIT", None, date(2001, 3, 16), "DUE", 0)
    ]


@MEMORY
def test_the_first_visit_is_shown_from_the_registration_date(app: CrmApplication, desk: Desk) -> None:
    desk.on(date(2001, 3, 6)).register("C001", registered_on=date(2001, 3, 20))
    assert [len(queue(app, day)) for day in (date(2001, 3, 19), date(2001, 3, 20))] == [0, 1]


@MEMORY
def test_the_first_visit_is_due_on_its_day_and_overdue_the_day_after(app: CrmApplication, desk: Desk) -> None:
    desk.on(date(2001, 3, 6)).register("C001")
    statuses = [seen(queue(app, day))[0][3:] for day in (date(2001, 3, 16), date(2001, 3, 17))]
    assert statuses == [("DUE", 0), ("OVERDUE", 1)]


@MEMORY
def test_a_visit_after_registration_satisfies_the_first_visit(app: CrmApplication, desk: Desk) -> None:
    desk.on(date(2001, 3, 6)).register("C001").on(date(2001, 3, 20)).visit("C001")
    assert queue(app, date(2001, 3, 20)) == []


@MEMORY
def test_a_visit_before_the_registration_date_does_not_satisfy_the_first_visit(
    app: CrmApplication, desk: Desk
) -> None:
    desk.on(date(2001, 3, 6)).register("C001", registered_on=date(2001, 3, 8)).visit("C001")
    assert [i.due_reason for i in queue(app, date(2001, 3, 8))] == ["NEW_CUSTOMER_FIRST_VISIT"]


# PROJECT_MONTHLY / PROJECT_QUARTERLY ----------------------------------------------------------------
@MEMORY
def test_every_started_window_is_owed_overdue_once_it_has_ended(app: CrmApplication, desk: Desk) -> None:
    delivered(desk, date(2001, 1, 31))
    assert seen(queue(app, date(2001, 4, 15), MONTHLY)) == [
        ("PROJECT_MONTHLY", "M1", date(2001, 2, 28), "OVERDUE", 46),
        ("PROJECT_MONTHLY", "M2", date(2001, 3, 31), "OVERDUE", 15),
        ("PROJECT_MONTHLY", "M3", date(2001, 4, 30), "DUE", 0),
    ]


@MEMORY
def test_windows_of_a_january_31_delivery_end_on_february_29_in_a_leap_year(
    app: CrmApplication, desk: Desk
) -> None:
    delivered(desk, date(2004, 1, 31))
    assert [(i.window, i.window_start, i.due_date) for i in queue(app, date(2004, 3, 1), MONTHLY)] == [
        ("M1", date(2004, 1, 31), date(2004, 2, 29)),
        ("M2", date(2004, 2, 29), date(2004, 3, 31)),
    ]


@MEMORY
def test_a_visit_on_a_window_boundary_satisfies_only_the_window_it_opens(
    app: CrmApplication, desk: Desk
) -> None:
    delivered(desk, date(2001, 1, 15)).on(date(2001, 2, 15)).visit("C001")
    assert [i.window for i in queue(app, date(2001, 3, 20), MONTHLY)] == ["M1", "M3"]


@MEMORY
def test_twelve_monthly_windows_are_followed_by_quarterly_ones(app: CrmApplication, desk: Desk) -> None:
    delivered(desk, date(2001, 1, 15))
    rows = queue(app, date(2002, 1, 15))
    assert [(i.window, i.due_date) for i in rows if i.due_date >= date(2002, 1, 15)] == [
        ("M12", date(2002, 1, 15)),
        ("Q1", date(2002, 4, 15)),
    ]


@MEMORY
def test_a_quarterly_window_is_due_at_its_end_not_before(app: CrmApplication, desk: Desk) -> None:
    delivered(desk, date(2001, 1, 15))
    q1 = [i for i in queue(app, date(2002, 4, 15), QUARTERLY) if i.window == "Q1"]
    assert [(i.status, i.days_overdue) for i in q1] == [("DUE", 0)]


@MEMORY
def test_a_visit_for_another_project_does_not_satisfy_a_window(app: CrmApplication, desk: Desk) -> None:
    delivered(desk, date(2001, 1, 15), "P-A", "P-B").on(date(2001, 1, 20)).visit("C001", project_id="P-A")
    rows = queue(app, date(2001, 1, 20), MONTHLY)
    assert [(i.project_id, i.window) for i in rows] == [("P-B", "M1")]


@MEMORY
def test_an_untagged_visit_satisfies_the_window_of_every_project(app: CrmApplication, desk: Desk) -> None:
    delivered(desk, date(2001, 1, 15), "P-A", "P-B").on(date(2001, 1, 20)).visit("C001")
    assert queue(app, date(2001, 1, 20), MONTHLY) == []


@MEMORY
def test_a_re_recorded_delivery_moves_the_windows(app: CrmApplication, desk: Desk) -> None:
    delivered(desk, date(2001, 1, 15)).deliver("C001", "P-1", date(2001, 3, 1))
    assert [i.window_start for i in queue(app, date(2001, 3, 1), MONTHLY)] == [date(2001, 3, 1)]


# TWO_WEEK_FOLLOW_UP ------------------------------------------------------------------------------
@MEMORY
def test_an_effective_contact_14_days_ago_is_due_for_follow_up(app: CrmApplication, desk: Desk) -> None:
    contacted(desk, "C001", date(2001, 3, 6))
    assert seen(queue(app, date(2001, 3, 20))) == [("TWO_WEEK_FOLLOW_UP", None, date(2001, 3, 20), "DUE", 0)]


@MEMORY
def test_a_contact_13_days_ago_is_not_yet_due_for_follow_up(app: CrmApplication, desk: Desk) -> None:
    contacted(desk, "C001", date(2001, 3, 6))
    assert queue(app, date(2001, 3, 19)) == []


@MEMORY
def test_a_follow_up_past_its_day_is_overdue(app: CrmApplication, desk: Desk) -> None:
    contacted(desk, "C001", date(2001, 3, 6))
    assert [(i.status, i.days_overdue) for i in queue(app, date(2001, 3, 21))] == [("OVERDUE", 1)]


@MEMORY
def test_a_contact_nobody_answered_asks_for_no_follow_up(app: CrmApplication, desk: Desk) -> None:
    desk.on(date(2001, 3, 1)).register("C001").visit("C001").on(date(2001, 3, 6)).contact(
        "C001", effective=False
    )
    assert queue(app, date(2001, 3, 30)) == []


@MEMORY
def test_a_return_visit_after_the_contact_clears_the_follow_up(app: CrmApplication, desk: Desk) -> None:
    contacted(desk, "C001", date(2001, 3, 6)).on(date(2001, 3, 10)).visit("C001")
    assert queue(app, date(2001, 3, 30)) == []


# POST_COMPLAINT ---------------------------------------------------------------------------------------
@MEMORY
def test_a_closed_z2_complaint_is_due_a_visit_seven_days_after_closure(
    app: CrmApplication, bus: CommandBus
) -> None:
    flows.register_customer(bus)
    case_no = flows.v5(bus)
    rows = queue(app, date(2001, 3, 13), Reason.POST_COMPLAINT)
    assert [(i.case_no, i.due_date, i.status) for i in rows] == [(case_no, date(2001, 3, 13), "DUE")]


@MEMORY
def test_a_closed_z1_complaint_is_due_a_visit(app: CrmApplication, bus: CommandBus) -> None:
    flows.register_customer(bus)
    case_no = flows.v4(bus)
    assert [i.case_no for i in queue(app, date(2001, 3, 6), Reason.POST_COMPLAINT)] == [case_no]


@MEMORY
def test_a_closed_paid_service_notification_asks_for_no_complaint_visit(
    app: CrmApplication, bus: CommandBus
) -> None:
    flows.register_customer(bus)
    flows.v1(bus)
    assert queue(app, date(2001, 3, 30), Reason.POST_COMPLAINT) == []


@MEMORY
def test_an_open_complaint_is_not_yet_due_a_visit(app: CrmApplication, bus: CommandBus) -> None:
    flows.register_customer(bus)
    flows.create(bus, type="Z2", po_number="80012345")
    assert queue(app, date(2001, 3, 30), Reason.POST_COMPLAINT) == []


@MEMORY
def test_a_return_visit_after_closure_clears_the_complaint_visit(
    app: CrmApplication, bus: CommandBus, desk: Desk
) -> None:
    flows.register_customer(bus)
    flows.v5(bus)
    desk.on(date(2001, 3, 8)).visit(CUSTOMER_NO)
    assert queue(app, date(2001, 3, 30), Reason.POST_COMPLAINT) == []


@MEMORY
def test_a_visit_before_closure_does_not_clear_the_complaint_visit(
    app: CrmApplication, bus: CommandBus, desk: Desk
) -> None:
    desk.on(date(2001, 3, 5))
    flows.register_customer(bus)
    desk.visit(CUSTOMER_NO).on(date(2001, 3, 6))
    flows.v5(bus)
    assert len(queue(app, date(2001, 3, 30), Reason.POST_COMPLAINT)) == 1
