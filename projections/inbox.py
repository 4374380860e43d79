"""The partner inbox: one row per handoff (§3.3), and from those rows, who may see which case.

A partner agency's inbox lists the handoffs addressed to it: what arrived, from whom, for which
organisation, where it stands (requested, received, returned for supplement, accepted, rejected,
withdrawn) and whether the receiving organisation's acceptance clock (A3, L1, I1, P1, LA1 — the
rules started by the receipt and met by the acceptance) is yellow or red.

The rows also decide visibility (the API's rule, the same as ``Dispute.visible_to_agency``): an
agency sees a case from the moment a handoff to it is requested; it keeps seeing it, read-only,
after it returned or rejected it; a handoff withdrawn before it was received does not count. See
``projections.queries.visible_dispute_ids``.

Helper tables: ``inbox_disputes`` (each dispute's case number and respondent names, recorded
before any handoff) and ``inbox_targets`` (the proceeding each handoff opens, recorded just before
the request, possibly in an earlier batch), ``inbox_deadlines`` (open acceptance deadlines).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import structlog
from sqlalchemy import Boolean, Column, Connection, Date, DateTime, Index, MetaData, String, Table, Text, text

from domain.clocks import CLOCKS, DeadlineKeeping
from domain.dispute import Dispute
from projections.base import Projection, ViewTables, topics_of
from projections.cases import (
    DEADLINE_EVENTS,
    NAME_SEPARATOR,
    by_key,
    deadline_lights,
    fold_deadline,
    load_rows,
    organisation_names,
    search_text,
    sync_rows,
)
from projections.search import SubstringSearch, bigram_index

log = structlog.get_logger(__name__)

ACCEPTANCE_RULES = tuple(spec.rule_id for spec in CLOCKS if spec.starts == "received" and "accept" in spec.meets)
"""The receiving organisation's clock to accept or refuse: A3, L1, I1, P1, LA1."""

MISSING_SEPARATOR = "\n"
"""Joins the items a return for supplement names (each may contain commas)."""

WITHDRAWN = "WITHDRAWN"

metadata = MetaData()

inbox = Table(
    "inbox",
    metadata,
    Column("dispute_id", String(36), primary_key=True),
    Column("handoff_id", String(32), primary_key=True),
    Column("proceeding_id", String(32), nullable=False),
    Column("case_number", String(64), nullable=False),
    Column("respondents", Text, nullable=False),
    Column("from_agency", String(16), nullable=False),
    Column("to_agency", String(16), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("org_type", String(40), nullable=False),
    Column("org_name", String(100), nullable=False),
    Column("reason", String(32), nullable=False),
    Column("state", String(16), nullable=False),
    Column("requested_on", Date, nullable=False),
    Column("received_on", Date),
    Column("decided_on", Date),
    Column("missing", Text),
    Column("receiving_case_no", String(64)),
    Column("assignee", String(64)),
    Column("rejection_reason", String(32)),
    Column("due_on", Date),
    Column("warning", String(8)),  # YELLOW | RED | NULL
    Column("overdue", Boolean, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # Lower-cased case number, receiving case number and respondent names, for ``q``.
    Column("search_text", Text, nullable=False),
    Index("ix_inbox_requested", "requested_on", "dispute_id", "handoff_id"),
    Index("ix_inbox_to", "to_agency", "requested_on", "dispute_id", "handoff_id"),
    # The partner tabs: received_on (with state) answers visible_to() from the index, so SQLite prefers
    # these to the covering ix_inbox_visible, which would read every row of the agency.
    Index("ix_inbox_to_state", "to_agency", "state", "requested_on", "dispute_id", "handoff_id", "received_on"),
    Index("ix_inbox_from", "from_agency", "requested_on", "dispute_id", "handoff_id"),
    Index("ix_inbox_state", "state", "requested_on", "dispute_id", "handoff_id"),
    Index("ix_inbox_kind", "kind", "requested_on", "dispute_id", "handoff_id"),
    Index("ix_inbox_warning", "warning", "requested_on", "dispute_id", "handoff_id"),
    Index("ix_inbox_to_warning", "to_agency", "warning", "requested_on", "dispute_id", "handoff_id", "state",
          "received_on"),
    # The rows visible_to() an agency, by case: a partner's totals count them without reading the table.
    # state and received_on make it covering: SQLite re-checks the predicate on every row it probes.
    Index("ix_inbox_visible", "to_agency", "dispute_id", "state", "received_on",
          postgresql_where=text(f"state <> '{WITHDRAWN}' OR received_on IS NOT NULL"),
          sqlite_where=text(f"state <> '{WITHDRAWN}' OR received_on IS NOT NULL")),
    info={"extension": SubstringSearch()},
)
bigram_index("ix_inbox_search", inbox)

inbox_disputes = Table(
    "inbox_disputes",
    metadata,
    Column("dispute_id", String(36), primary_key=True),
    Column("case_number", String(64), nullable=False),
    Column("respondents", Text, nullable=False),
)

inbox_targets = Table(
    "inbox_targets",
    metadata,
    Column("dispute_id", String(36), primary_key=True),
    Column("proceeding_id", String(32), primary_key=True),
    Column("handoff_id", String(32), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("org_type", String(40), nullable=False),
    Column("org_name", String(100), nullable=False),
)

inbox_deadlines = Table(
    "inbox_deadlines",
    metadata,
    Column("dispute_id", String(36), primary_key=True),
    Column("deadline_id", String(32), primary_key=True),
    Column("subject_id", String(36), nullable=False),
    Column("handoff_id", String(32), nullable=False),
    Column("rule_id", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("warned", String(8)),
    Column("due_date", Date, nullable=False),
)

TABLES = ("inbox", "inbox_disputes", "inbox_targets", "inbox_deadlines")


@dataclass
class _Dispute:
    """One dispute's inbox rows while a batch is folded."""

    dispute: dict[str, Any] | None = None
    targets: dict[str, dict[str, Any]] = field(default_factory=dict)  # by proceeding id
    handoffs: dict[str, dict[str, Any]] = field(default_factory=dict)  # by handoff id
    deadlines: dict[str, dict[str, Any]] = field(default_factory=dict)  # by deadline id


class InboxView(Projection):
    """``inbox``: one row per handoff, for the partner inboxes and the visibility rule."""

    name = "inbox"
    version = 3  # 2: indexes for the partner inbox tabs and visibility; 3: search index, covering visibility
    metadata = metadata
    topics = topics_of(
        Dispute.Registered, Dispute.PartyAdded, Dispute.ProceedingOpened, Dispute.HandoffRequested,
        Dispute.HandoffReceived, Dispute.HandoffReturnedForSupplement, Dispute.HandoffResubmitted,
        Dispute.HandoffAccepted, Dispute.HandoffRejected, Dispute.HandoffWithdrawn,
        *(getattr(Dispute, cls.__name__) for cls in DEADLINE_EVENTS),
    )

    def process(self, connection: Connection, tables: ViewTables, events: Sequence[Any]) -> None:
        ids = {str(event.originator_id) for event in events}
        before = {name: by_key(load_rows(connection, tables[name], "dispute_id", ids), tables[name])
                  for name in TABLES}
        folded = {dispute_id: _Dispute() for dispute_id in ids}
        for row in before["inbox_disputes"].values():
            folded[row["dispute_id"]].dispute = dict(row)
        for name, attribute, key in (
            ("inbox_targets", "targets", "proceeding_id"),
            ("inbox", "handoffs", "handoff_id"),
            ("inbox_deadlines", "deadlines", "deadline_id"),
        ):
            for row in before[name].values():
                getattr(folded[row["dispute_id"]], attribute)[row[key]] = dict(row)
        touched: set[tuple[str, str]] = set()
        for event in events:
            dispute_id = str(event.originator_id)
            for handoff_id in _fold(folded[dispute_id], event):
                folded[dispute_id].handoffs[handoff_id]["updated_at"] = event.timestamp
                touched.add((dispute_id, handoff_id))
        after: dict[str, dict[tuple[Any, ...], dict[str, Any]]] = {name: {} for name in TABLES}
        for dispute_id, state in folded.items():
            if state.dispute is not None:
                after["inbox_disputes"][(dispute_id,)] = state.dispute
            after["inbox_targets"].update(((dispute_id, k), v) for k, v in state.targets.items())
            after["inbox_deadlines"].update(((dispute_id, k), v) for k, v in state.deadlines.items())
            for handoff_id, row in state.handoffs.items():
                if (dispute_id, handoff_id) in touched:
                    row = _derived(row, [d for d in state.deadlines.values() if d["handoff_id"] == handoff_id])
                after["inbox"][(dispute_id, handoff_id)] = row
        for name in TABLES:
            sync_rows(connection, tables[name], before[name], after[name])


def _fold(state: _Dispute, event: Any) -> Sequence[str]:
    """Apply one event; return the ids of the handoffs whose rows it changed."""
    dispute_id = str(event.originator_id)
    if isinstance(event, Dispute.Registered):
        state.dispute = {"dispute_id": dispute_id, "case_number": event.case_number,
                         "respondents": organisation_names(event.respondents)}
        return ()
    if isinstance(event, Dispute.PartyAdded):
        return _party_added(state, event.party)
    if isinstance(event, Dispute.ProceedingOpened):
        if event.handoff_id is not None:
            state.targets[event.proceeding_id] = {
                "dispute_id": dispute_id, "proceeding_id": event.proceeding_id, "handoff_id": event.handoff_id,
                "kind": event.kind, "org_type": event.org_type, "org_name": event.org_name,
            }
        return ()
    if isinstance(event, Dispute.HandoffRequested):
        return _requested(state, event)
    if isinstance(event, DEADLINE_EVENTS):
        return _deadline(state, event)
    row = state.handoffs.get(event.handoff_id)
    if row is None:
        log.warning("view_handoff_step_before_request", view=InboxView.name, dispute_id=dispute_id,
                    handoff_id=event.handoff_id)
        return ()
    row["state"] = event.stage
    if isinstance(event, Dispute.HandoffReceived):
        row["received_on"] = event.on
    elif isinstance(event, Dispute.HandoffReturnedForSupplement):
        row["missing"] = MISSING_SEPARATOR.join(event.missing)
    elif isinstance(event, Dispute.HandoffResubmitted):
        row["missing"] = None
        row["received_on"] = event.on  # A2: receipt resets when the materials are complete
    elif isinstance(event, Dispute.HandoffAccepted):
        row.update(receiving_case_no=event.receiving_case_no, assignee=event.assignee, decided_on=event.on)
    elif isinstance(event, Dispute.HandoffRejected):
        row.update(rejection_reason=event.reason, decided_on=event.on)
    elif isinstance(event, Dispute.HandoffWithdrawn):
        row["decided_on"] = event.on
    return (event.handoff_id,)


def _party_added(state: _Dispute, party: dict[str, Any]) -> Sequence[str]:
    """A respondent organisation added later is searchable in every inbox row of the case."""
    if state.dispute is None or not party.get("organisation"):
        return ()
    state.dispute["respondents"] = NAME_SEPARATOR.join(
        filter(None, [state.dispute["respondents"], party["organisation"]["name"]]))
    for row in state.handoffs.values():
        row["respondents"] = state.dispute["respondents"]
    return tuple(state.handoffs)


def _requested(state: _Dispute, event: Any) -> Sequence[str]:
    target = state.targets.get(event.proceeding_id)
    if state.dispute is None or target is None:
        log.warning("view_handoff_without_case", view=InboxView.name, dispute_id=str(event.originator_id),
                    handoff_id=event.handoff_id)
        return ()
    state.handoffs[event.handoff_id] = {
        "dispute_id": state.dispute["dispute_id"], "handoff_id": event.handoff_id,
        "proceeding_id": event.proceeding_id, "case_number": state.dispute["case_number"],
        "respondents": state.dispute["respondents"], "from_agency": event.from_agency,
        "to_agency": event.to_agency, "kind": target["kind"], "org_type": target["org_type"],
        "org_name": target["org_name"], "reason": event.reason, "state": "REQUESTED",
        "requested_on": event.requested_on, "received_on": None, "decided_on": None, "missing": None,
        "receiving_case_no": None, "assignee": None, "rejection_reason": None,
    }
    return (event.handoff_id,)


def _deadline(state: _Dispute, event: Any) -> Sequence[str]:
    """Follow the acceptance deadlines of handed-off proceedings; ignore every other deadline."""
    if isinstance(event, DeadlineKeeping.DeadlineComputed):  # an acceptance clock of a handoff?
        target = state.targets.get(event.subject_id)
        if target is None or event.computation["rule_id"] not in ACCEPTANCE_RULES:
            return ()
        owner = {"dispute_id": target["dispute_id"], "handoff_id": target["handoff_id"]}
        fold_deadline(state.deadlines, event, owner)
        return tuple(h for h in (target["handoff_id"],) if h in state.handoffs)
    record = state.deadlines.get(event.deadline_id)
    if record is None:
        return ()
    fold_deadline(state.deadlines, event, {})
    return tuple(h for h in (record["handoff_id"],) if h in state.handoffs)


def _derived(row: dict[str, Any], open_deadlines: list[dict[str, Any]]) -> dict[str, Any]:
    red, yellow = deadline_lights(open_deadlines)
    waiting = [d["due_date"] for d in open_deadlines if d["status"] == "OPEN"]
    return {
        **row,
        "warning": "RED" if red else "YELLOW" if yellow else None,
        "overdue": bool(red),
        "due_on": min(waiting, default=None),
        "search_text": search_text(row["case_number"], row["receiving_case_no"], row["org_name"],
                                   row["respondents"]),
    }
