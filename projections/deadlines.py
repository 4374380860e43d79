"""The deadlines view: every statutory deadline recorded on any case, and where it stands.

The deadline clock reads it to find what is due; the timeliness view and the
work queues read it for their red and yellow lights. Rows change only through
the deadline events the aggregates record, so the view can always be rebuilt.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Boolean, Column, Connection, Date, Index, MetaData, String, Table

from domain.clocks import DeadlineKeeping
from domain.complaint import HotlineComplaint
from domain.dispute import Dispute
from projections.base import Projection, ViewTables, topics_of
from projections.bulk import select_rows, upsert

metadata = MetaData()

deadlines = Table(
    "deadlines",
    metadata,
    Column("deadline_id", String(32), primary_key=True),
    Column("case_id", String(36), nullable=False, index=True),
    Column("case_kind", String(16), nullable=False),
    Column("rule_id", String(16), nullable=False),
    Column("subject_id", String(36), nullable=False),
    Column("party_side", String(16)),
    Column("start", Date, nullable=False),
    Column("due_date", Date, nullable=False),
    Column("yellow_on", Date, nullable=False),
    Column("status", String(16), nullable=False),
    Column("warned", String(8)),
    Column("met_on", Date),
    Column("on_time", Boolean),
    Column("missed_on", Date),
    Column("provisional", Boolean, nullable=False),
    Column("calendar_version", String(32), nullable=False),
    Index("ix_deadlines_status_due", "status", "due_date"),
    Index("ix_deadlines_status_yellow", "status", "yellow_on"),
)

def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


class DeadlinesView(Projection):
    name = "deadlines"
    version = 1
    metadata = metadata
    # Each aggregate kind stores the deadline events under its own topic (Dispute.DeadlineMet …).
    topics = topics_of(
        *(
            getattr(kind, name)
            for kind in (Dispute, HotlineComplaint)
            for name in ("DeadlineComputed", "DeadlineRecomputed", "DeadlineMet", "DeadlineCancelled",
                         "DeadlineWarned", "DeadlineMissed")
        )
    )

    def process(self, connection: Connection, tables: ViewTables, events: Sequence[Any]) -> None:
        table = tables.deadlines
        later = {e.deadline_id for e in events if not isinstance(e, DeadlineKeeping.DeadlineComputed)}
        rows = {row["deadline_id"]: row for row in select_rows(connection, table, "deadline_id", later)}
        touched: set[str] = set()
        for event in events:
            change = self._change(event)
            if isinstance(event, DeadlineKeeping.DeadlineComputed):
                rows[event.deadline_id] = change
            elif event.deadline_id in rows:
                rows[event.deadline_id].update(change)
            else:
                continue  # a deadline this view never saw computed
            touched.add(event.deadline_id)
        upsert(connection, table, [rows[deadline_id] for deadline_id in touched], key=["deadline_id"],
               replace=[c.name for c in table.columns if c.name != "deadline_id"])

    @staticmethod
    def _change(event: Any) -> dict[str, Any]:
        if isinstance(event, DeadlineKeeping.DeadlineComputed):
            c = event.computation
            case_id = str(event.originator_id)
            return {
                "deadline_id": event.deadline_id,
                "case_id": case_id,
                "case_kind": "dispute" if isinstance(event, Dispute.Event) else "complaint",
                "rule_id": c["rule_id"],
                "subject_id": event.subject_id,
                "party_side": event.party_side,
                "start": _day(c["start"]),
                "due_date": _day(c["due_date"]),
                "yellow_on": event.yellow_on,
                "status": "OPEN",
                "warned": None,
                "met_on": None,
                "on_time": None,
                "missed_on": None,
                "provisional": bool(c["provisional"]),
                "calendar_version": c["calendar_version"],
            }
        if isinstance(event, DeadlineKeeping.DeadlineRecomputed):
            c = event.computation
            return {
                "start": _day(c["start"]), "due_date": _day(c["due_date"]), "provisional": bool(c["provisional"]),
                "calendar_version": c["calendar_version"], "yellow_on": event.yellow_on, "status": "OPEN",
                "warned": None, "missed_on": None,
            }
        if isinstance(event, DeadlineKeeping.DeadlineMet):
            return {"status": "MET", "met_on": event.on, "on_time": event.on_time}
        if isinstance(event, DeadlineKeeping.DeadlineCancelled):
            return {"status": "CANCELLED"}
        if isinstance(event, DeadlineKeeping.DeadlineWarned):
            return {"warned": event.level}
        if isinstance(event, DeadlineKeeping.DeadlineMissed):
            return {"status": "MISSED", "warned": "RED", "missed_on": event.on}
        raise TypeError(f"unexpected event {type(event).__name__}")
