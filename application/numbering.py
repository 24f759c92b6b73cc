"""Notification numbers: 7 digits from 1000001, consecutive, none consumed by a refused command.

The number is the stream id (`notification-<no>`), so the store's unique
(stream, version) key is the arbiter: two writers that pick the same number
cannot both append version 1. The loser re-reads where the numbers end and
tries the next one. A number is only ever tried once the previous one exists,
so the taken numbers always form a gapless prefix.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from eventsourcing.persistence import IntegrityError

from domain.errors import ConcurrencyConflict

FIRST_CASE_NO = 1_000_001
MAX_ATTEMPTS = 10_000

T = TypeVar("T")


class CaseNumbers:
    """Allocates numbers and saves the new stream under them, retrying past clashes."""

    def __init__(self, exists: Callable[[str], bool], first: int = FIRST_CASE_NO) -> None:
        self._exists = exists
        self._first = first
        self._next: int | None = None
        # One creator per process at a time: no wasted attempts between our own threads.
        self._lock = threading.Lock()

    def create(self, save_as: Callable[[str], T]) -> T:
        """Call `save_as(number)` with the next free number until a save wins the number.

        `save_as` builds the aggregate (raising domain errors before any save,
        so a refused command consumes nothing) and appends it.
        """
        with self._lock:
            number = self._next if self._next is not None else self.first_free(self._first)
            for _ in range(MAX_ATTEMPTS):
                try:
                    result = save_as(str(number))
                except IntegrityError:
                    if not self._exists(str(number)):
                        raise  # not a numbering clash: let the bus report it
                    number = self.first_free(number + 1)
                    continue
                self._next = number + 1
                return result
        raise ConcurrencyConflict("could not allocate a notification number; retry")

    def first_free(self, start: int) -> int:
        """The lowest number ≥ start not taken, by galloping then bisecting over the taken prefix."""
        exists = self._exists
        if not exists(str(start)):
            return start
        taken, step = start, 1
        while exists(str(start + step)):
            taken, step = start + step, step * 2
        free = start + step
        while free - taken > 1:
            middle = (taken + free) // 2
            if exists(str(middle)):
                taken = middle
            else:
                free = middle
        return free
