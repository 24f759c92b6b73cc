"""A settable clock for tests: time moves only when the test says so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

DEFAULT_START = datetime(2001, 3, 6, 1, 0, tzinfo=UTC)  # 09:00 in Asia/Shanghai


class FixedClock:
    """Callable like `application.app.system_clock`; returns `now` until moved.

    >>> clock = FixedClock()
    >>> clock.advance(hours=2) == DEFAULT_START + timedelta(hours=2)
    True
    """

    def __init__(self, now: datetime = DEFAULT_START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def set(self, now: datetime) -> datetime:
        """Jump to `now` (naive datetimes are taken as UTC)."""
        self.now = now if now.tzinfo else now.replace(tzinfo=UTC)
        return self.now

    def advance(self, delta: timedelta | None = None, /, **parts: float) -> datetime:
        """Move forward by `delta` or by `days=`, `hours=`, `minutes=`, `seconds=`."""
        self.now += (delta or timedelta()) + timedelta(**parts)
        return self.now
