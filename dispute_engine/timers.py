"""Timers that act: the deadline clock.

It keeps the deadlines view up to date by following the event log exactly once,
asks it which open deadlines have turned yellow or are past due on ``today``
(Asia/Shanghai), and has each case record that — as the system user — with its
legal consequence (a mediation lapses, arbitration acceptance or the award runs
overdue, a challenge window expires, a ticket is escalated). The case decides
idempotently, so running the clock twice records nothing twice.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date

import structlog
from sqlalchemy import and_, or_, select

from dispute_engine.cases import DisputeEngine
from dispute_engine.clock import Clock
from domain.complaint import HotlineComplaint
from domain.dispute import Dispute
from domain.errors import DomainError
from domain.values import SYSTEM_ACTOR
from projections.deadlines import DeadlinesView
from projections.follower import Follower
from projections.reading import open_view

log = structlog.get_logger(__name__)

KINDS = {"dispute": Dispute, "complaint": HotlineComplaint}


@dataclass(frozen=True)
class TickReport:
    today: date
    examined: int
    recorded: int


class DeadlineClock:
    def __init__(self, app: DisputeEngine, follower: Follower, view: DeadlinesView, clock: Clock) -> None:
        self.app = app
        self.follower = follower
        self.view = view
        self.clock = clock

    def due(self, today: date) -> list[tuple[str, str, str]]:
        """(case kind, case id, deadline id) of every open deadline with something to record on ``today``."""
        with self.follower.engine.begin() as connection:
            tables = open_view(connection, self.view)
            table = tables.deadlines
            rows = connection.execute(
                select(table.c.case_kind, table.c.case_id, table.c.deadline_id)
                .where(table.c.status == "OPEN")
                .where(or_(table.c.due_date < today, and_(table.c.yellow_on <= today, table.c.warned.is_(None))))
                .order_by(table.c.due_date, table.c.deadline_id)
            ).all()
        return [tuple(row) for row in rows]

    def tick(self, today: date | None = None) -> TickReport:
        today = today or self.clock.today()
        self.follower.run_once()
        due = self.due(today)
        recorded = 0
        for case_kind, case_id, deadline_id in due:
            try:
                result = self.app.check_deadline(KINDS[case_kind], case_id, deadline_id, today, actor=SYSTEM_ACTOR)
            except DomainError as error:
                log.warning("deadline_check_refused", case_id=case_id, deadline_id=deadline_id, error=error.code)
                continue
            if result.position is not None:
                recorded += 1
        if recorded:
            self.follower.run_once()
        if due:
            log.info("clock_ticked", today=today.isoformat(), examined=len(due), recorded=recorded)
        return TickReport(today=today, examined=len(due), recorded=recorded)

    def run_forever(self, stop: threading.Event, interval: float = 60.0) -> None:
        while not stop.is_set():
            try:
                self.tick()
            except Exception:  # noqa: BLE001 - the loop must outlive one failed tick; the error is logged
                log.exception("clock_tick_failed")
            stop.wait(interval)
