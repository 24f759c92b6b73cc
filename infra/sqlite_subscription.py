"""A subscription for the embedded SQLite store, whose library recorder has none.

eventsourcing 9.5's `SQLiteApplicationRecorder.subscribe()` raises
NotImplementedError, and ProjectionRunner needs a subscription. This recorder
polls `select_notifications` (the library's own pull loop, woken on a timer)
and is woken at once when any recorder of this process appends to the same file.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import ApplicationRecorder, ListenNotifySubscription, StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder

POLL_SECONDS = 0.25
"""How stale a subscriber may be for writes made by another process (same-process writes wake it)."""


class _Wakeups:
    """Subscriptions per SQLite file, so an append in this process can wake them without polling.

    Process-wide on purpose: the writer (the API's application) and the readers
    (the runners' applications) are different recorder objects on the same file.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_file: dict[str, weakref.WeakSet[PollingSubscription]] = {}

    def add(self, db_name: str, subscription: PollingSubscription) -> None:
        with self._lock:
            self._by_file.setdefault(db_name, weakref.WeakSet()).add(subscription)

    def wake(self, db_name: str) -> None:
        with self._lock:
            waiting = list(self._by_file.get(db_name, ()))
        for subscription in waiting:
            subscription.wake()


WAKEUPS = _Wakeups()


class PollingSubscription(ListenNotifySubscription[ApplicationRecorder]):
    """The library's pull loop, woken by a timer or by an append in this process."""

    def __init__(
        self, recorder: PollingSQLiteApplicationRecorder, gt: int | None, topics: Sequence[str]
    ) -> None:
        super().__init__(recorder=recorder, gt=gt, topics=topics)
        WAKEUPS.add(recorder.db_name, self)

    def wake(self) -> None:
        self._has_been_notified.set()

    def _loop_on_pull(self) -> None:
        try:
            self._pull()
            while not self._has_been_stopped:
                self._has_been_notified.wait(timeout=POLL_SECONDS)
                self._pull()
        except BaseException as error:  # the library's contract: keep the error for __next__
            if self._thread_error is None:
                self._thread_error = error
            self.stop()


class PollingSQLiteApplicationRecorder(SQLiteApplicationRecorder):
    """SQLite application recorder with `subscribe()` (chosen by APPLICATION_RECORDER_TOPIC)."""

    @property
    def db_name(self) -> str:
        return str(self.datastore.pool.db_name)

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        ids = super().insert_events(stored_events, **kwargs)
        WAKEUPS.wake(self.db_name)
        return ids

    def subscribe(self, gt: int | None = None, topics: Sequence[str] = ()) -> PollingSubscription:
        return PollingSubscription(self, gt, topics)
