"""The background duties: the views follower, the deadline clock, the audit sealer and a periodic verification.

They run as threads, either inside the API process (``dispute-engine serve``) or in a process of their own
beside API processes that run none (``dispute-engine worker`` beside ``serve --no-background``). Each duty
is safe to run in several processes at once: the follower applies every batch exactly once, the sealer's
insert fails for all but one racer, the clock's commands record nothing twice, and verification only reads.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import structlog

from api.integrity_watch import IntegrityWatch
from dispute_engine.bootstrap import Engine
from dispute_engine.integrity import Sealer

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Intervals:
    """Seconds between rounds: views (a NOTIFY on PostgreSQL wakes them sooner), clock, sealer, verification."""

    views: float = 0.2
    clock: float = 60.0
    sealer: float = 1.0
    verify: float = 600.0


class BackgroundDuties:
    """Starts the four duties as daemon threads and stops them together."""

    def __init__(self, engine: Engine, sealer: Sealer, integrity: IntegrityWatch,
                 intervals: Intervals | None = None) -> None:
        self.engine = engine
        self.sealer = sealer
        self.integrity = integrity
        self.intervals = intervals or Intervals()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        self._stop = threading.Event()
        every = self.intervals
        duties = {
            "views": (self.engine.follower().run_forever, every.views),
            "clock": (self.engine.deadline_clock().run_forever, every.clock),
            "sealer": (self.sealer.run_forever, every.sealer),
            "verify": (self.integrity.run_forever, every.verify),
        }
        for name, (run, interval) in duties.items():
            thread = threading.Thread(target=run, args=(self._stop, interval), name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        log.info("background_duties_started", duties=list(duties))

    def stop(self, timeout: float = 10.0) -> None:
        """Ask every duty to stop and wait for each, at most ``timeout`` seconds."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=timeout)
        still = [thread.name for thread in self._threads if thread.is_alive()]
        if still:
            log.warning("background_duties_still_running", duties=still)
        self._threads = []
