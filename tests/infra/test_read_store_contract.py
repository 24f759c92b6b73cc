"""The read-model store contract, run unchanged against SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import msgspec
import pytest
from eventsourcing.persistence import IntegrityError, Tracking

from infra.read_models import build_view, close_view
from infra.settings import Settings
from projections.base import CrmProjection, ReadModelView
from projections.tables import Order, PageRequest, Rows, Select, Table, Where, page
from tests.conftest import settings_for


class Sample(msgspec.Struct, frozen=True, kw_only=True):
    case_no: str
    rank: int
    due: date | None
    at: datetime
    amount: Decimal
    done: bool
    tags: list[str]
    note: str = ""


SAMPLES = Table("rm_sample", Sample, key=("case_no",), indexes=(("rank", "case_no"),))


class SampleProjection(CrmProjection):
    name = "sample"
    tables = (SAMPLES,)

    def apply(self, event: Any, rows: Rows) -> None:
        rows.put(SAMPLES, event)


def sample(n: int, **overrides: Any) -> Sample:
    values: dict[str, Any] = {
        "case_no": f"{1000000 + n}", "rank": n % 3, "due": date(2001, 3, n % 28 + 1),
        "at": datetime(2001, 3, 6, n % 24, tzinfo=UTC), "amount": Decimal(f"{n}.50"),
        "done": n % 2 == 0, "tags": ["中文", str(n)],
    }  # fmt: skip
    return Sample(**(values | overrides))


@pytest.fixture(params=["sqlite", "postgres"])
def view(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ReadModelView]:
    url = (
        f"sqlite:///{tmp_path}/rm.db"
        if request.param == "sqlite"
        else request.getfixturevalue("postgres_schema_url")
    )
    settings: Settings = settings_for(url)
    built = build_view(settings, SampleProjection)
    yield built
    close_view(built)


def fill(view: ReadModelView, rows: list[Sample], start: int = 1) -> None:
    items = [(row, Tracking("crm", start + i)) for i, row in enumerate(rows)]
    view.process(items, lambda event, r: r.put(SAMPLES, event))


def test_rows_round_trip_every_column_type(view: ReadModelView) -> None:
    row = sample(7, due=None, note="活动柜锁")
    fill(view, [row])
    assert view.select(Select(SAMPLES)) == [row]


def test_a_batch_and_its_checkpoint_commit_together(view: ReadModelView) -> None:
    fill(view, [sample(n) for n in range(1, 6)])
    assert view.max_tracking_id("crm") == 5
    assert len(view.select(Select(SAMPLES))) == 5


def test_a_failing_batch_leaves_neither_rows_nor_checkpoint(view: ReadModelView) -> None:
    fill(view, [sample(1)])

    def explode(event: Any, rows: Rows) -> None:
        rows.put(SAMPLES, event)
        raise RuntimeError("projection bug")

    with pytest.raises(RuntimeError):
        view.process([(sample(2), Tracking("crm", 2))], explode)
    assert view.max_tracking_id("crm") == 1
    assert [r.case_no for r in view.select(Select(SAMPLES))] == ["1000001"]


def test_an_event_is_never_applied_twice(view: ReadModelView) -> None:
    fill(view, [sample(1)])
    with pytest.raises(IntegrityError):
        fill(view, [sample(1, rank=99)])
    assert view.select(Select(SAMPLES))[0].rank == sample(1).rank


def test_reads_inside_the_transaction_see_its_writes(view: ReadModelView) -> None:
    def bump(event: Any, rows: Rows) -> None:
        current = rows.get(SAMPLES, "1000001") or sample(1, rank=0)
        rows.put(SAMPLES, msgspec.structs.replace(current, rank=current.rank + 1))

    view.process([(None, Tracking("crm", n)) for n in range(1, 4)], bump)
    assert view.select(Select(SAMPLES))[0].rank == 3


def test_delete_removes_by_key(view: ReadModelView) -> None:
    fill(view, [sample(1), sample(2)])
    view.process([(None, Tracking("crm", 3))], lambda _, rows: rows.delete(SAMPLES, "1000001"))
    assert [r.case_no for r in view.select(Select(SAMPLES))] == ["1000002"]


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        (Where("rank", "=", 1), ["1000001", "1000004", "1000007"]),
        (Where("rank", "in", [0, 2]), ["1000002", "1000003", "1000005", "1000006", "1000008"]),
        (Where("rank", "in", []), []),
        (Where("due", "<", date(2001, 3, 4)), ["1000001", "1000002"]),
        (Where("at", ">=", datetime(2001, 3, 6, 7, tzinfo=UTC)), ["1000007", "1000008"]),
        (Where("done", "=", True), ["1000002", "1000004", "1000006", "1000008"]),
        (Where("case_no", "=", "x' OR '1'='1"), []),
    ],
)
def test_filters(view: ReadModelView, where: Where, expected: list[str]) -> None:
    fill(view, [sample(n) for n in range(1, 9)])
    assert [r.case_no for r in view.select(Select(SAMPLES, (where,), (Order("case_no"),)))] == expected


def test_keyset_pages_cover_every_row_once_in_order(view: ReadModelView) -> None:
    fill(view, [sample(n) for n in range(1, 12)])
    query = Select(SAMPLES, order=(Order("rank", descending=True), Order("case_no")))
    seen: list[str] = []
    cursor = None
    while True:
        result = page(view, query, PageRequest(limit=4, cursor=cursor))
        seen.extend(r.case_no for r in result.items)
        if result.next_cursor is None:
            break
        cursor = result.next_cursor
    assert seen == [r.case_no for r in view.select(query)]
    assert len(seen) == 11 and len(set(seen)) == 11


def test_drop_forgets_rows_and_checkpoint(view: ReadModelView) -> None:
    fill(view, [sample(1), sample(2)])
    view.drop()
    view.create_table()
    assert view.select(Select(SAMPLES)) == []
    assert view.max_tracking_id("crm") is None
    fill(view, [sample(3)], start=1)
    assert view.max_tracking_id("crm") == 1
