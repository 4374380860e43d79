"""The 12351 ticket list: one row per hotline ticket (工单), kept current from every ticket event.

No caller name or phone, no summary, reply or note text is stored: only codes, dates, counts,
the handling organisation and the employer complained about (an organisation, searchable).
``ticket_deadlines`` keeps the ticket's open deadlines (H2, H3, H4 …) for the red and yellow counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import structlog
from sqlalchemy import Boolean, Column, Connection, Date, DateTime, Index, Integer, MetaData, String, Table, Text

from domain.complaint import HotlineComplaint
from domain.stages import COMPLAINT_OPEN_STATES
from projections.base import Projection, ViewTables
from projections.cases import (
    DEADLINE_EVENTS,
    aggregate_topics,
    by_key,
    deadline_lights,
    fold_deadline,
    load_rows,
    positive_rows,
    search_text,
    sync_rows,
)

log = structlog.get_logger(__name__)

metadata = MetaData()

tickets = Table(
    "tickets",
    metadata,
    Column("complaint_id", String(36), primary_key=True),
    Column("ticket_no", String(64)),
    Column("state", String(24), nullable=False),
    Column("channel", String(32), nullable=False),
    Column("category", String(32), nullable=False),
    Column("complexity", String(24), nullable=False),
    Column("urgency", String(16), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("received_on", Date, nullable=False),
    Column("after_hours", Boolean, nullable=False),
    Column("street", String(50)),
    Column("subject_employer", String(200)),
    Column("handling_org", String(100)),
    Column("dispute_id", String(36)),
    Column("escalation_count", Integer, nullable=False),
    Column("reopen_count", Integer, nullable=False),
    Column("satisfaction", String(16)),
    Column("version", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("red_count", Integer, nullable=False),
    Column("yellow_count", Integer, nullable=False),
    # Lower-cased ticket number and employer, for ``q``.
    Column("search_text", Text, nullable=False),
    Index("ix_tickets_received", "received_on", "complaint_id"),
    Index("ix_tickets_state", "state", "received_on", "complaint_id"),
    Index("ix_tickets_channel", "channel", "received_on", "complaint_id"),
    Index("ix_tickets_category", "category", "received_on", "complaint_id"),
    Index("ix_tickets_complexity", "complexity", "received_on", "complaint_id"),
    Index("ix_tickets_urgency", "urgency", "received_on", "complaint_id"),
    Index("ix_tickets_street", "street", "received_on", "complaint_id"),
    Index("ix_tickets_handling_org", "handling_org", "received_on", "complaint_id"),
    Index("ix_tickets_dispute", "dispute_id"),
    Index("ix_tickets_overdue", "received_on", "complaint_id", **positive_rows("red_count")),
    Index("ix_tickets_due_soon", "received_on", "complaint_id", **positive_rows("yellow_count")),
    Index("ix_tickets_escalated", "received_on", "complaint_id", **positive_rows("escalation_count")),
)

ticket_deadlines = Table(
    "ticket_deadlines",
    metadata,
    Column("complaint_id", String(36), primary_key=True),
    Column("deadline_id", String(32), primary_key=True),
    Column("subject_id", String(36), nullable=False),
    Column("rule_id", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("warned", String(8)),
    Column("due_date", Date, nullable=False),
)


@dataclass
class _Ticket:
    row: dict[str, Any] | None
    deadlines: dict[str, dict[str, Any]] = field(default_factory=dict)


class TicketListView(Projection):
    """``tickets``: the 12351 ticket list (one row per ticket)."""

    name = "tickets"
    version = 1
    metadata = metadata
    topics = aggregate_topics(HotlineComplaint)  # every ticket event, so that ``version`` is the ticket's

    def process(self, connection: Connection, tables: ViewTables, events: Sequence[Any]) -> None:
        ids = {str(event.originator_id) for event in events}
        before_rows = by_key(load_rows(connection, tables.tickets, "complaint_id", ids), tables.tickets)
        before_deadlines = by_key(
            load_rows(connection, tables.ticket_deadlines, "complaint_id", ids), tables.ticket_deadlines)
        folded = {complaint_id: _Ticket(row=None) for complaint_id in ids}
        for (complaint_id,), row in before_rows.items():
            folded[complaint_id].row = dict(row)
        for row in before_deadlines.values():
            folded[row["complaint_id"]].deadlines[row["deadline_id"]] = dict(row)
        for event in events:
            ticket = folded[str(event.originator_id)]
            if ticket.row is None and not isinstance(event, HotlineComplaint.Received):
                log.warning("view_event_before_receipt", view=self.name, complaint_id=str(event.originator_id))
                continue
            _fold(ticket, event)
        after_rows: dict[tuple[Any, ...], dict[str, Any]] = {}
        after_deadlines: dict[tuple[Any, ...], dict[str, Any]] = {}
        for complaint_id, ticket in folded.items():
            if ticket.row is None:
                continue
            row = ticket.row
            # A closed or merged ticket shows no lights: nothing is left to do on time.
            lights = deadline_lights(ticket.deadlines.values()) if row["state"] in COMPLAINT_OPEN_STATES else (0, 0)
            row["red_count"], row["yellow_count"] = lights
            row["search_text"] = search_text(row["ticket_no"], row["subject_employer"])
            after_rows[(complaint_id,)] = row
            after_deadlines.update(((complaint_id, k), v) for k, v in ticket.deadlines.items())
        sync_rows(connection, tables.tickets, before_rows, after_rows)
        sync_rows(connection, tables.ticket_deadlines, before_deadlines, after_deadlines)


def _fold(ticket: _Ticket, event: Any) -> None:
    """Apply one event to the ticket's row; only assigns what the event recorded."""
    if isinstance(event, HotlineComplaint.Received):
        ticket.row = _received(event)
    row = ticket.row
    assert row is not None
    row["version"] = event.originator_version
    row["updated_at"] = event.timestamp
    if isinstance(event, DEADLINE_EVENTS):
        fold_deadline(ticket.deadlines, event, {"complaint_id": row["complaint_id"]})
        return
    if isinstance(event, HotlineComplaint.Stepped):
        row["state"] = event.stage
    if isinstance(event, HotlineComplaint.Registered):
        row["ticket_no"] = event.ticket_no
    elif isinstance(event, HotlineComplaint.Dispatched):
        row["handling_org"] = event.to_org
    elif isinstance(event, HotlineComplaint.ReturnedByUnit):
        row["handling_org"] = None
    elif isinstance(event, HotlineComplaint.ConvertedToDispute):
        row["dispute_id"] = event.dispute_id
    elif isinstance(event, HotlineComplaint.CallbackCompleted):
        row["satisfaction"] = event.satisfaction
        if event.stage == "REOPENED":
            row["reopen_count"] += 1
    elif isinstance(event, HotlineComplaint.Escalated):
        row["escalation_count"] += 1


def _received(event: Any) -> dict[str, Any]:
    return {
        "complaint_id": str(event.originator_id),
        "ticket_no": None,
        "state": "RECEIVED",
        "channel": event.channel,
        "category": event.category,
        "complexity": event.complexity,
        "urgency": event.urgency,
        "received_at": event.received_at,
        "received_on": event.received_on,
        "after_hours": bool(event.after_hours),
        "street": event.street,
        "subject_employer": event.subject_employer,
        "handling_org": None,
        "dispute_id": None,
        "escalation_count": 0,
        "reopen_count": 0,
        "satisfaction": None,
    }
