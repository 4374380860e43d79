"""Time, injected: the application reads the clock here and nowhere else, so tests can move it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from threading import Lock
from zoneinfo import ZoneInfo

LOCAL_ZONE = ZoneInfo("Asia/Shanghai")
OFFICE_OPENS = time(8, 30)
OFFICE_CLOSES = time(17, 30)


class Clock:
    """The wall clock. ``now()`` is timezone-aware UTC."""

    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    def local_now(self) -> datetime:
        return self.now().astimezone(LOCAL_ZONE)

    def today(self) -> date:
        """Today's date in Asia/Shanghai: every business date is a local date."""
        return self.local_now().date()


@dataclass
class FixedClock(Clock):
    """A clock that stands still until moved; for tests, demos and replays."""

    current: datetime = field(default_factory=lambda: datetime(2026, 1, 5, 2, 0, tzinfo=timezone.utc))
    _lock: Lock = field(default_factory=Lock, repr=False)

    def now(self) -> datetime:
        with self._lock:
            return self.current

    def advance(self, **delta: float) -> None:
        with self._lock:
            self.current = self.current + timedelta(**delta)

    def set_local(self, day: date, at: time = time(10, 0)) -> None:
        with self._lock:
            self.current = datetime.combine(day, at, LOCAL_ZONE).astimezone(timezone.utc)


def is_after_hours(moment: datetime) -> bool:
    """Outside 08:30–17:30 local time on any day [P]: the working-day clock starts the next working day."""
    local = moment.astimezone(LOCAL_ZONE).time()
    return not (OFFICE_OPENS <= local < OFFICE_CLOSES)
