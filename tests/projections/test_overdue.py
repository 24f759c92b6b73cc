"""P4 overdue / SLA list: the three reasons, days_overdue on calendar dates, order and pages."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from application import case_commands as c
from application.app import CrmApplication
from application.bus import CommandBus
from infra.settings import Settings
from projections.base import ReadModelView
from projections.case_facts import CaseFacts
from projections.overdue import OverdueProjection, OverdueRow, overdue_list, overdue_rows
from projections.tables import BadCursor, PageRequest, encode_cursor
from tests.application import flows
from tests.domain import case_flows as walk
from tests.domain.case_support import ASSISTANT, z1_payload, z2_payload
from tests.projections.queue_support import fed_view, story

STORES = pytest.mark.parametrize("storage", ["sqlite", "postgres"], indirect=True)
START, END = date(2001, 3, 7), date(2001, 3, 8)  # notification date 2001-03-06


def reasons(facts: CaseFacts, as_of: date) -> dict[str, int]:
    return {row.reason: row.days_overdue for row in overdue_rows(facts, as_of)}


def surveyed() -> CaseFacts:
    return story(z1_payload()).then(walk.surveyed).facts()


def urgent() -> CaseFacts:
    return story(z1_payload(urgency="URGENT")).then(walk.surveyed).facts()


# OVERDUE_END ---------------------------------------------------------------------------------------
def test_not_overdue_on_the_required_end_day() -> None:
    assert reasons(surveyed(), END) == {}


def test_overdue_end_the_day_after_the_required_end() -> None:
    assert reasons(surveyed(), date(2001, 3, 9)) == {"OVERDUE_END": 1}


def test_overdue_end_counts_days_past_the_required_end() -> None:
    assert reasons(surveyed(), date(2001, 3, 18)) == {"OVERDUE_END": 10}


def test_a_completed_notification_is_never_overdue() -> None:
    closed = story(z1_payload()).then(lambda case: walk.closed_z1(walk.surveyed(case))).facts()
    assert reasons(closed, date(2001, 4, 1)) == {}


def test_a_z2_past_its_required_end_is_overdue() -> None:
    assert reasons(story(z2_payload()).facts(), date(2001, 3, 9)) == {"OVERDUE_END": 1}


# SURVEY_NOT_STARTED ---------------------------------------------------------------------------------
def test_no_survey_reason_on_the_required_start_day() -> None:
    assert reasons(story(z1_payload()).facts(), START) == {}


def test_a_z1_still_in_tzjl_after_the_required_start_is_late_for_its_survey() -> None:
    assert reasons(story(z1_payload()).facts(), END) == {"SURVEY_NOT_STARTED": 1}


def test_a_surveyed_z1_is_not_late_for_its_survey() -> None:
    assert "SURVEY_NOT_STARTED" not in reasons(surveyed(), date(2001, 3, 20))


def test_a_z2_in_tzjl_has_no_survey_to_start() -> None:
    assert "SURVEY_NOT_STARTED" not in reasons(story(z2_payload()).facts(), END)


def test_a_late_survey_past_the_end_is_two_rows() -> None:
    assert reasons(story(z1_payload()).facts(), date(2001, 3, 10)) == {
        "OVERDUE_END": 2,
        "SURVEY_NOT_STARTED": 3,
    }


# URGENT_NOT_DISPATCHED -------------------------------------------------------------------------------
def test_an_undispatched_urgent_notification_is_listed_on_its_own_day_with_zero_days() -> None:
    assert reasons(urgent(), date(2001, 3, 6)) == {"URGENT_NOT_DISPATCHED": 0}


def test_urgent_not_dispatched_counts_days_since_the_notification_date() -> None:
    assert reasons(urgent(), date(2001, 3, 8)) == {"URGENT_NOT_DISPATCHED": 2}


def test_a_dispatched_urgent_notification_is_not_listed() -> None:
    facts = story(z1_payload(urgency="URGENT")).then(lambda case: case.notify_service_staff(ASSISTANT, "202"))
    assert "URGENT_NOT_DISPATCHED" not in reasons(facts.facts(), date(2001, 3, 8))


def test_a_normal_notification_needs_no_dispatch() -> None:
    assert reasons(surveyed(), date(2001, 3, 6)) == {}


def test_an_urgent_notification_is_not_listed_before_it_exists() -> None:
    assert reasons(urgent(), date(2001, 3, 5)) == {}


def test_a_completed_urgent_notification_is_not_listed() -> None:
    closed = (
        story(z1_payload(urgency="URGENT")).then(lambda case: walk.closed_z1(walk.surveyed(case))).facts()
    )
    assert reasons(closed, date(2001, 3, 6)) == {}


def test_a_row_shows_the_p4_columns() -> None:
    [row] = overdue_rows(surveyed(), date(2001, 3, 9))
    assert row == OverdueRow(
        case_no="1000001", type="Z1", reason="OVERDUE_END", responsible_person="202",
        main_work_center="S4002", sales_office="4002", required_start=START, required_end=END,
        days_overdue=1, user_status="KCWB", pending_action="DECIDE_ESCALATION",
    )  # fmt: skip


# Store tests ------------------------------------------------------------------------------------------
@pytest.fixture
def cases(bus: CommandBus) -> dict[str, str]:
    """Days overdue as of 2001-03-10 per reason (END, SURVEY, URGENT).

    a: END 2 + SURVEY 3; b: URGENT 4; c (Z2): END 2; d: SURVEY 1; g: END 2 + SURVEY 2;
    e (completed) and f (urgent but dispatched, surveyed): none.
    """
    flows.register_customer(bus)
    made = {
        "a": flows.create(bus),
        "b": flows.create(
            bus, urgency="URGENT", required_end=date(2001, 3, 31), required_start=date(2001, 3, 6)
        ),
        "c": flows.create(bus, type="Z2", po_number="80012345"),
        "d": flows.create(bus, required_start=date(2001, 3, 9), required_end=date(2001, 3, 20)),
        "e": flows.v1(bus),
        "f": flows.create(bus, urgency="URGENT", required_end=date(2001, 3, 31)),
        "g": flows.create(bus, required_start=date(2001, 3, 8), required_end=date(2001, 3, 8)),
    }
    bus.dispatch(c.CompleteSiteSurvey(case_no=made["b"]), flows.STAFF)
    bus.dispatch(c.CompleteSiteSurvey(case_no=made["f"]), flows.STAFF)
    bus.dispatch(c.DispatchServiceStaff(case_no=made["f"], service_staff_id="202"), flows.ASSISTANT)
    return made


@pytest.fixture
def view(settings: Settings, app: CrmApplication, cases: dict[str, str]) -> Iterator[ReadModelView]:
    with fed_view(settings, app, OverdueProjection) as built:
        yield built


AS_OF = date(2001, 3, 10)


def listed(view: ReadModelView, as_of: date = AS_OF, limit: int = 50) -> list[tuple[str, str, int]]:
    page = overdue_list(view, as_of, PageRequest(limit=limit))
    return [(row.case_no, row.reason, row.days_overdue) for row in page.items]


@STORES
def test_the_list_is_most_overdue_first_then_case_no_then_reason(
    view: ReadModelView, cases: dict[str, str]
) -> None:
    a, b, cc, d, g = (cases[k] for k in "abcdg")
    assert listed(view) == [
        (b, "URGENT_NOT_DISPATCHED", 4), (a, "SURVEY_NOT_STARTED", 3), (a, "OVERDUE_END", 2),
        (cc, "OVERDUE_END", 2), (g, "OVERDUE_END", 2), (g, "SURVEY_NOT_STARTED", 2),
        (d, "SURVEY_NOT_STARTED", 1),
    ]  # fmt: skip


@STORES
def test_equal_days_order_by_reason_within_a_notification(view: ReadModelView, cases: dict[str, str]) -> None:
    assert [row for row in listed(view) if row[0] == cases["g"]] == [
        (cases["g"], "OVERDUE_END", 2), (cases["g"], "SURVEY_NOT_STARTED", 2),
    ]  # fmt: skip


@STORES
def test_nothing_is_late_before_the_dates_pass(view: ReadModelView, cases: dict[str, str]) -> None:
    assert listed(view, date(2001, 3, 6)) == [(cases["b"], "URGENT_NOT_DISPATCHED", 0)]


@STORES
def test_overdue_pages_follow_each_other_without_gaps_or_repeats(view: ReadModelView) -> None:
    seen: list[tuple[str, str]] = []
    request = PageRequest(limit=2)
    while True:
        page = overdue_list(view, AS_OF, request)
        seen += [(row.case_no, row.reason) for row in page.items]
        if page.next_cursor is None:
            break
        request = PageRequest(limit=2, cursor=page.next_cursor)
    assert seen == [(n, r) for n, r, _ in listed(view)]


@STORES
def test_the_last_full_page_has_no_next_cursor(view: ReadModelView) -> None:
    assert overdue_list(view, AS_OF, PageRequest(limit=7)).next_cursor is None


@STORES
def test_a_cursor_of_another_shape_is_refused(view: ReadModelView) -> None:
    with pytest.raises(BadCursor):
        overdue_list(view, AS_OF, PageRequest(cursor=encode_cursor(["x", 1, 2])))


@STORES
def test_a_later_survey_takes_a_row_off_the_stored_list(
    settings: Settings, app: CrmApplication, bus: CommandBus, cases: dict[str, str]
) -> None:
    bus.dispatch(c.CompleteSiteSurvey(case_no=cases["d"]), flows.STAFF)
    with fed_view(settings, app, OverdueProjection) as built:
        assert cases["d"] not in [n for n, _, _ in listed(built)]
