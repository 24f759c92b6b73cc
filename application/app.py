"""The eventsourcing Application: load and save aggregates by their business numbers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, tzinfo
from typing import Any, ClassVar, TypeVar
from zoneinfo import ZoneInfo

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import MutableOrImmutableAggregate
from eventsourcing.persistence import JSONTranscoder, Recording

from application.accepted import Accepted
from application.numbering import FIRST_CASE_NO, CaseNumbers
from application.transcodings import DataclassAsDict, DateAsISO
from domain.api_key import ApiKey
from domain.base import CrmAggregate, CrmSnapshot
from domain.case import Case
from domain.case_entities import ENTITY_TYPES
from domain.customer import Customer
from domain.errors import ApiKeyNotFound, CaseNotFound, CustomerNotFound, NotFound, VersionMismatch

TAgg = TypeVar("TAgg", bound=CrmAggregate)

Clock = Callable[[], datetime]

_NOT_FOUND: dict[type[CrmAggregate], type[NotFound]] = {
    Case: CaseNotFound,
    Customer: CustomerNotFound,
    ApiKey: ApiKeyNotFound,
}


def system_clock() -> datetime:
    return datetime.now(UTC)


class CrmApplication(Application[str]):
    """Event store access for the write side.

    Streams are named `customer-<customer_no>` and `notification-<case_no>`,
    so a lookup by business number is a direct stream read. Long streams are
    snapshotted every `SNAPSHOT_INTERVAL` events.
    """

    name = "crm"
    SNAPSHOT_INTERVAL: ClassVar[int] = 50
    snapshotting_intervals: ClassVar[dict[type[MutableOrImmutableAggregate[Any]], int]] = {
        Case: SNAPSHOT_INTERVAL,
        Customer: SNAPSHOT_INTERVAL,
    }
    snapshot_class = CrmSnapshot

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        *,
        clock: Clock = system_clock,
        timezone: tzinfo | None = None,
        first_case_no: int = FIRST_CASE_NO,
    ) -> None:
        super().__init__(env=dict(env or {}))
        self.clock = clock
        self.timezone = timezone or ZoneInfo("Asia/Shanghai")
        self.case_numbers = CaseNumbers(lambda number: self.exists(Case, number), first_case_no)

    def construct_env(self, name: str, env: Mapping[str, str] | None = None) -> Any:
        """Use only the env we are given: Settings decides, not os.environ."""
        from eventsourcing.utils import Environment

        values = dict(type(self).env)
        values["IS_SNAPSHOTTING_ENABLED"] = "y"
        values.update(env or {})
        return Environment(name, values)

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())
        for entity in ENTITY_TYPES:
            transcoder.register(DataclassAsDict(entity))

    def load(self, cls: type[TAgg], number: str, expected_version: int | None = None) -> TAgg:
        """Load an aggregate by its business number; check `If-Match` when given."""
        try:
            aggregate: object = self.repository.get(cls.stream_id(number))
        except AggregateNotFoundError:
            raise _NOT_FOUND[cls](f"{cls.__name__.lower()} {number} not found") from None
        if not isinstance(aggregate, cls):
            raise _NOT_FOUND[cls](f"{cls.__name__.lower()} {number} not found")
        if expected_version is not None and aggregate.version != expected_version:
            raise VersionMismatch(expected_version, aggregate.version)
        return aggregate

    def load_at(self, cls: type[TAgg], number: str, version: int | None) -> TAgg:
        """Replay a stream up to `version` (auditors' state "as of")."""
        try:
            aggregate: object = self.repository.get(cls.stream_id(number), version=version)
        except AggregateNotFoundError:
            raise _NOT_FOUND[cls](f"{cls.__name__.lower()} {number} not found") from None
        if not isinstance(aggregate, cls):
            raise _NOT_FOUND[cls](f"{cls.__name__.lower()} {number} not found")
        return aggregate

    def exists(self, cls: type[CrmAggregate], number: str) -> bool:
        return bool(self.recorder.select_events(cls.stream_id(number), limit=1))

    def commit(
        self, aggregate: CrmAggregate, number: str, *also: CrmAggregate, **details: str | int
    ) -> Accepted:
        """Append the pending events (of `also` too, in one transaction) and say where they landed."""
        recordings: list[Recording[str]] = self.save(aggregate, *also)
        position = recordings[-1].notification.id if recordings else 0
        return Accepted(id=number, version=aggregate.version, position=position, details=details)
