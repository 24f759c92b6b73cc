"""The projection base: one event folded into rows and its checkpoint, in one transaction.

Built on eventsourcing's `Projection` and `TrackingRecorder`: a read model's view
is a tracking recorder (its checkpoint table is the library's), extended with the
row operations of `projections.tables`. Rebuilds fold many events per transaction
through the same `apply`, with one checkpoint at the end of each batch.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Tracking, TrackingRecorder
from eventsourcing.projection import Projection
from eventsourcing.utils import get_topic

from projections.tables import R, Rows, Select, Table

Event = DomainEventProtocol[Any]
Apply = Callable[[Event, Rows], None]


class ReadModelView(TrackingRecorder, ABC):
    """A tracking recorder that also holds a read model's tables (SQL lives in infra/)."""

    tables: ClassVar[tuple[Table[Any], ...]] = ()

    @abstractmethod
    def process(self, items: Sequence[tuple[Event, Tracking]], apply: Apply) -> None:
        """Fold the events into the rows and record the last tracking, all in one transaction."""

    @abstractmethod
    def select(self, query: Select[R]) -> list[R]:
        """Committed rows matching `query`."""

    @abstractmethod
    def create_table(self) -> None:
        """Create the tables and the checkpoint table if missing (the library's recorder does it)."""

    @abstractmethod
    def drop(self) -> None:
        """Drop the tables and the checkpoint (a rebuild starts from position 0)."""


class CrmProjection(Projection[ReadModelView], ABC):
    """A read model fed from the CRM event log; subclasses say what each event changes."""

    tables: ClassVar[tuple[Table[Any], ...]] = ()
    handles: ClassVar[tuple[type[Any], ...]] = ()
    """Event classes this read model reads; their topics filter the subscription."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.topics = tuple(get_topic(event_class) for event_class in cls.handles)

    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        """Called by eventsourcing's ProjectionRunner for each event of the subscription."""
        self.view.process([(domain_event, tracking)], self.apply)

    @abstractmethod
    def apply(self, event: Event, rows: Rows) -> None:
        """Change the rows this event implies (pure but for the `rows` it is given)."""


class ReadModelBehind(TimeoutError):
    """A read model did not reach the asked position in time (the API answers 503)."""

    def __init__(self, name: str, position: int, reached: int) -> None:
        super().__init__(f"read model {name} is at {reached}, not yet at {position}")
        self.name, self.position, self.reached = name, position, reached
