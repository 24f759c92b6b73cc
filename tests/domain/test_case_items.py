"""C6: notification items (产品类型/色码/文本 "100056,1"/原因代码/原因正文)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from domain.case import Case
from domain.case_header import ItemSpec
from tests.domain.case_flows import closed_z1, fields, refused, z1
from tests.domain.case_support import ASSISTANT, STAFF, SUPERVISOR, events_of

CHAIR = ItemSpec(
    product_category="06",
    product_subcategory="01",
    colour_main="A",
    material="200311",
    quantity=2,
    reason_code="1",
)


# C6 items ------------------------------------------------------------------------------------
def test_an_added_item_takes_the_next_number() -> None:
    case = z1()
    assert case.add_item(STAFF, CHAIR) == 2
    (event,) = case.collect_events()
    assert (event.item["item_no"], event.item["material"], event.item["quantity"]) == (2, "200311", 2)


def test_item_numbers_are_never_reused_after_a_removal() -> None:
    case = z1()
    case.add_item(ASSISTANT, CHAIR)
    case.remove_item(ASSISTANT, 2)
    assert case.add_item(ASSISTANT, CHAIR) == 3


def test_the_text_form_is_parsed_when_adding_an_item() -> None:
    case = z1()
    case.add_item(ASSISTANT, ItemSpec(product_category="06", reason_code="1", text="100057,3"))
    assert (case.items[-1].material, case.items[-1].quantity) == ("100057", 3)


@pytest.mark.parametrize(
    ("spec", "problems"),
    [
        (ItemSpec(product_category="06", reason_code="1", material="", quantity=1), ["material"]),
        (ItemSpec(product_category="06", reason_code="1", material="100056", quantity=0), ["quantity"]),
        (ItemSpec(product_category="06", reason_code="1", text="100056,x"), ["text", "material", "quantity"]),
        (ItemSpec(product_category="06", reason_code="1", text="100056,1", is_oem=True), ["reason_text"]),
        (ItemSpec(product_category="", reason_code="1", text="100056,1"), ["product_type.category"]),
    ],
)
def test_an_invalid_item_is_refused(spec: ItemSpec, problems: list[str]) -> None:
    assert fields(refused(z1(), lambda c: c.add_item(ASSISTANT, spec))) == problems


def test_a_changed_item_records_old_and_new_values() -> None:
    case = z1()
    case.change_item(STAFF, 1, {"quantity": 2})
    (event,) = case.collect_events()
    assert (event.item_no, event.changes) == (1, {"quantity": {"old": 1, "new": 2}})


def test_marking_an_item_oem_needs_the_vendor() -> None:
    assert fields(refused(z1(), lambda c: c.change_item(STAFF, 1, {"is_oem": True}))) == ["reason_text"]


def test_removing_an_item_emits_its_number() -> None:
    case = z1()
    case.remove_item(STAFF, 1)
    assert (events_of(case), case.items) == (["NotificationItemRemoved"], [])


@pytest.mark.parametrize(
    "command",
    [
        lambda c: c.change_item(ASSISTANT, 9, {"quantity": 2}),
        lambda c: c.remove_item(ASSISTANT, 9),
    ],
)
def test_an_unknown_item_is_not_found(command: Callable[[Case], object]) -> None:
    assert refused(z1(), command).code == "ITEM_NOT_FOUND"


def test_a_supervisor_may_not_add_items() -> None:
    assert refused(z1(), lambda c: c.add_item(SUPERVISOR, CHAIR)).code == "FORBIDDEN_ROLE"


def test_an_unchanged_item_is_refused() -> None:
    assert fields(refused(z1(), lambda c: c.change_item(STAFF, 1, {"quantity": 1}))) == ["changes"]


def test_a_field_that_is_not_an_item_field_is_refused() -> None:
    assert fields(refused(z1(), lambda c: c.change_item(STAFF, 1, {"price": "9"}))) == ["price"]


def test_a_field_that_is_not_an_item_field_is_reported_before_an_unknown_item() -> None:
    assert refused(z1(), lambda c: c.change_item(STAFF, 9, {"price": "9"})).code == "VALIDATION_ERROR"


def test_a_closed_notification_keeps_its_items() -> None:
    assert refused(closed_z1(), lambda c: c.add_item(ASSISTANT, CHAIR)).code == "NOTIFICATION_CLOSED"
