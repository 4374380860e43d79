"""The caseload view: open and closed disputes and 12351 tickets, counted by bucket.

The figures are counters changed by deltas. When a dispute moves — to another tier, agency or
caseworker, or from open to closed — the batch that records the move takes it out of its old
buckets and puts it into its new ones. To know a case's old buckets the view keeps one small
state row per dispute and per ticket: the attributes that decide its buckets, and nothing
personal (no party names, ID numbers or phones; caseworkers are staff user ids, organisations
are named).

Every counter row carries the read side's filters in its key (intake month, the agency now
holding the case, street, case types), so a filtered figure is a sum of rows. A dispute has
several case types: its rows are keyed by the whole set (``case_types``, sorted, space-separated),
and a case-type filter selects the sets holding that type — a dispute is written once, not once
per type. Dimensions that change together share a row (a proceeding's kind and organisation, with the
intake week), as do those that never change (industry, origin, collective), so that a move
rewrites few rows. The counters are also kept summed per filter scope (:mod:`projections.rollups`), so
that a dashboard read with no filter, or one, reads a few thousand rows however many cases there are.
See docs/views.md for each figure's definition.

The helpers :class:`Tally`, :func:`load_rows` and :func:`write_rows` are shared with the
timeliness view.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Date,
    MetaData,
    String,
    Table,
    Text,
)

from domain.complaint import HotlineComplaint
from domain.dispute import Dispute
from domain.stages import COMPLAINT, KINDS, OPEN_PROCEEDING_STATES, STATUS_PRECEDENCE, ProceedingKind
from projections.base import Projection, ViewTables, topics_of
from projections.bulk import bulk_upsert, select_rows
from projections.rollups import CASE_TYPE, CLUSTERED, MONTH, Explode, roll_up_counters, scopes

UNKNOWN = ""  # street or industry not recorded, no caseworker assigned, no organisation yet
DISPUTE, TICKET = "dispute", "ticket"

# The proceeding that stands for the dispute, most senior first (domain.md §4.6):
# court > arbitration > mediation > negotiation > administrative side tracks.
_HEADLINE = tuple(kind.value for kind, _ in STATUS_PRECEDENCE)
PRECEDENCE = _HEADLINE + tuple(kind.value for kind in KINDS if kind.value not in _HEADLINE)
RANK = {kind: rank for rank, kind in enumerate(PRECEDENCE)}
TIER = {kind.value: spec.tier for kind, spec in KINDS.items()}
NO_PROCEEDING_TIER = "INTAKE"

# Opening any of these means the dispute went past the mediation tier (seed plan item 8):
# agreement follow-ups (arbitral review, judicial confirmation, payment order) and court-run
# mediation do not count.
ADJUDICATION_KINDS = frozenset(
    kind.value
    for kind in (
        ProceedingKind.ARBITRATION,
        ProceedingKind.AWARD_REVOCATION,
        ProceedingKind.LITIGATION_FIRST,
        ProceedingKind.APPEAL,
    )
)

# How a closed dispute ended (dimension "closure").
MEDIATION_TIER, ADJUDICATED, UNRESOLVED = "MEDIATION_TIER", "ADJUDICATED", "UNRESOLVED"

# The dimensions of caseload_dispute_counts; the others are columns of the headline and profile tables.
COUNTED_DIMENSIONS = ("caseworker", "risk_flag", "closure")

# Proceeding events that can take a proceeding out of the open states.
ENDING_STEPS = (
    Dispute.ProceedingRejected,
    Dispute.ProceedingDeclinedByParty,
    Dispute.ProceedingWithdrawn,
    Dispute.ProceedingConcluded,
    Dispute.ProceedingLapsed,
    Dispute.ArbitrationAcceptanceOverdue,
)
ENDING_HANDOFF_STEPS = (Dispute.HandoffRejected, Dispute.HandoffWithdrawn)
# Ticket events that move the ticket to another state (the others keep it where it is).
TICKET_STEPS = (
    HotlineComplaint.Registered,
    HotlineComplaint.AnsweredOnCall,
    HotlineComplaint.Closed,
    HotlineComplaint.Dispatched,
    HotlineComplaint.SignedFor,
    HotlineComplaint.ReturnedByUnit,
    HotlineComplaint.ConvertedToDispute,
    HotlineComplaint.ReferredOut,
    HotlineComplaint.ReplySubmitted,
    HotlineComplaint.QualityChecked,
    HotlineComplaint.CallbackCompleted,
    HotlineComplaint.Merged,
)


def month_of(day: date) -> date:
    return day.replace(day=1)


def week_of(day: date) -> date:
    """The Monday of ``day``'s ISO week."""
    return day - timedelta(days=day.weekday())


metadata = MetaData()

dispute_state = Table(
    "caseload_disputes",
    metadata,
    Column("dispute_id", String(36), primary_key=True),
    Column("intake_on", Date, nullable=False),
    Column("registered_by", String(16), nullable=False),
    Column("street", String(50), nullable=False),
    Column("industry", String(50), nullable=False),
    Column("origin", String(32), nullable=False),
    Column("collective", Boolean, nullable=False),
    Column("case_types", Text, nullable=False),
    Column("risk_flags", Text, nullable=False),
    Column("caseworker", String(64), nullable=False),
    Column("stage", String(16), nullable=False),
    Column("resolved", Boolean, nullable=False),
    # JSON list of [proceeding_id, kind, agency, org_name, open, handoff_id], in opening order.
    Column("proceedings", Text, nullable=False),
)

ticket_state = Table(
    "caseload_tickets",
    metadata,
    Column("complaint_id", String(36), primary_key=True),
    Column("intake_on", Date, nullable=False),
    Column("street", String(50), nullable=False),
    Column("category", String(32), nullable=False),
    Column("channel", String(32), nullable=False),
    Column("state", String(32), nullable=False),
)

# The counters. A dispute is in one row of each of headline, profile and dispute_counts (one per risk
# flag) per case type it counts under; dimensions that change together (kind and organisation) or never
# (industry, origin, collective) share a row, so a move rewrites few rows. Status is a pair of columns,
# not a key: closing a case changes its rows in place.

headline = Table(
    "caseload_headline",
    metadata,
    Column("case_types", String(400), primary_key=True),
    Column("intake_month", Date, primary_key=True),
    # A week that straddles two months is split, so that month filters stay exact.
    Column("intake_week", Date, primary_key=True),
    Column("agency", String(16), primary_key=True),
    Column("street", String(50), primary_key=True),
    Column("kind", String(40), primary_key=True),
    Column("organisation", String(100), primary_key=True),
    Column("open", BigInteger, nullable=False),
    Column("closed", BigInteger, nullable=False),
)

profile = Table(
    "caseload_profile",
    metadata,
    Column("case_types", String(400), primary_key=True),
    Column("intake_month", Date, primary_key=True),
    Column("agency", String(16), primary_key=True),
    Column("street", String(50), primary_key=True),
    Column("industry", String(50), primary_key=True),
    Column("origin", String(32), primary_key=True),
    Column("collective", String(16), primary_key=True),
    Column("open", BigInteger, nullable=False),
    Column("closed", BigInteger, nullable=False),
)

dispute_counts = Table(
    "caseload_dispute_counts",
    metadata,
    Column("case_types", String(400), primary_key=True),
    Column("dimension", String(16), primary_key=True),
    Column("intake_month", Date, primary_key=True),
    Column("agency", String(16), primary_key=True),
    Column("street", String(50), primary_key=True),
    Column("value", String(100), primary_key=True),
    Column("open", BigInteger, nullable=False),
    Column("closed", BigInteger, nullable=False),
)

ticket_counts = Table(
    "caseload_ticket_counts",
    metadata,
    Column("intake_month", Date, primary_key=True),
    Column("intake_week", Date, primary_key=True),
    Column("street", String(50), primary_key=True),
    Column("category", String(32), primary_key=True),
    Column("channel", String(32), primary_key=True),
    Column("state", String(32), primary_key=True),
    Column("open", BigInteger, nullable=False),
    Column("closed", BigInteger, nullable=False),
)

# The counters above summed per scope (projections.rollups): one row per subject, scope, intake month (or
# year) and breakdown value — a few thousand rows, however many cases. Intake weeks are the breakdown "week".
rollup = Table(
    "caseload_rollup",
    metadata,
    Column("subject", String(8), primary_key=True),
    Column("scope", String(16), primary_key=True),
    Column("scope_value", String(50), primary_key=True),
    Column("span", String(1), primary_key=True),
    Column("intake_month", Date, primary_key=True),
    Column("dimension", String(16), primary_key=True),
    Column("value", String(100), primary_key=True),
    Column("open", BigInteger, nullable=False),
    Column("closed", BigInteger, nullable=False),
    **CLUSTERED,
)


# --------------------------------------------------------------------------- shared helpers


Key = tuple[Any, ...]
Bucket = tuple[Key, tuple[int, ...]]


class Tally:
    """Net changes to the rows of one counter table, summed per key before anything is written.

    ``move(old, new)`` takes a case out of its old buckets and puts it into its new ones; a bucket
    is (key, amounts), the key in the order of the table's primary key, the amounts in the order
    of ``values``. Buckets in both cancel out, so a case whose status changed touches each of its
    rows once.
    """

    def __init__(self, values: Sequence[str] = ("count",)) -> None:
        self.values = tuple(values)
        self.changes: dict[Key, list[int]] = {}

    def add(self, key: Key, amounts: Sequence[int] = (1,), sign: int = 1) -> None:
        change = self.changes.get(key)
        if change is None:
            self.changes[key] = [sign * amount for amount in amounts]
        else:
            for index, amount in enumerate(amounts):
                change[index] += sign * amount

    def move(self, old: Iterable[Bucket], new: Iterable[Bucket]) -> None:
        for key, amounts in old:
            self.add(key, amounts, -1)
        for key, amounts in new:
            self.add(key, amounts)

    def write(self, connection: Connection, table: Table) -> None:
        """One bulk upsert adding every non-zero change (rows that come back to zero stay, at zero)."""
        keys = [column.name for column in table.primary_key.columns]
        rows = [(*key, *change) for key, change in self.changes.items() if any(change)]
        bulk_upsert(connection, table, rows, columns=[*keys, *self.values], key=keys, add=self.values)


def load_rows(connection: Connection, table: Table, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The state rows of ``ids`` that exist, by id (a table with a one-column primary key)."""
    (key,) = table.primary_key.columns
    return {row[key.name]: row for row in select_rows(connection, table, key.name, ids)}


def write_rows(connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert or overwrite whole state rows (a table with a one-column primary key)."""
    if not rows:
        return
    (key,) = table.primary_key.columns
    columns = [column.name for column in table.columns]
    bulk_upsert(connection, table, [tuple(map(row.__getitem__, columns)) for row in rows], columns=columns,
                key=[key.name], replace=[c for c in columns if c != key.name])


def split(text: str) -> tuple[str, ...]:
    return tuple(text.split(" ")) if text else ()


def type_set(case_types: Iterable[str]) -> str:
    """The key of a set of case types: sorted, space-separated ('' for a ticket, which has none)."""
    return " ".join(sorted(case_types))


# --------------------------------------------------------------------------- per-case state


@dataclass
class DisputeState:
    """What decides a dispute's buckets. ``proceedings``: [id, kind, agency, org_name, open, handoff_id]."""

    dispute_id: str
    intake_on: date
    registered_by: str
    street: str
    industry: str
    origin: str
    collective: bool
    case_types: tuple[str, ...]
    risk_flags: tuple[str, ...]
    caseworker: str
    stage: str
    resolved: bool
    proceedings: list[list[Any]]

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> DisputeState:
        return cls(
            dispute_id=row["dispute_id"], intake_on=row["intake_on"], registered_by=row["registered_by"],
            street=row["street"], industry=row["industry"], origin=row["origin"], collective=bool(row["collective"]),
            case_types=split(row["case_types"]), risk_flags=split(row["risk_flags"]), caseworker=row["caseworker"],
            stage=row["stage"], resolved=bool(row["resolved"]), proceedings=json.loads(row["proceedings"]),
        )

    def row(self) -> dict[str, Any]:
        return {
            "dispute_id": self.dispute_id, "intake_on": self.intake_on, "registered_by": self.registered_by,
            "street": self.street, "industry": self.industry, "origin": self.origin, "collective": self.collective,
            "case_types": " ".join(self.case_types), "risk_flags": " ".join(self.risk_flags),
            "caseworker": self.caseworker, "stage": self.stage, "resolved": self.resolved,
            "proceedings": json.dumps(self.proceedings, ensure_ascii=False, separators=(",", ":")),
        }

    def headline(self) -> list[Any] | None:
        """The most senior open proceeding; when none is open, the most senior one ever opened."""
        candidates = [p for p in self.proceedings if p[4]] or self.proceedings
        if not candidates:
            return None
        # Reversed: of two proceedings of the same rank the later opened wins (min keeps the first it meets).
        return min(reversed(candidates), key=lambda p: RANK[p[1]])

    def closure(self) -> str:
        if not self.resolved:
            return UNRESOLVED
        if any(p[1] in ADJUDICATION_KINDS for p in self.proceedings):
            return ADJUDICATED
        return MEDIATION_TIER

    def buckets(self) -> dict[str, list[Bucket]]:
        """The buckets this dispute is counted in now, by counter table."""
        head = self.headline()
        if head is None:
            agency, kind, organisation = self.registered_by, UNKNOWN, UNKNOWN
        else:
            agency, kind, organisation = head[2], head[1], head[3]
        is_open = self.stage == "OPEN"
        status = (1, 0) if is_open else (0, 1)
        month, week = month_of(self.intake_on).isoformat(), week_of(self.intake_on).isoformat()
        collective = "COLLECTIVE" if self.collective else "INDIVIDUAL"
        counted = [("caseworker", self.caseworker), *(("risk_flag", flag) for flag in self.risk_flags)]
        if not is_open:
            counted.append(("closure", self.closure()))
        types, place = type_set(self.case_types), (month, agency, self.street)
        return {
            "headline": [((types, month, week, agency, self.street, kind, organisation), status)],
            "profile": [((types, *place, self.industry, self.origin, collective), status)],
            "dispute_counts": [((types, dimension, *place, value), status) for dimension, value in counted],
        }


@dataclass
class TicketState:
    complaint_id: str
    intake_on: date
    street: str
    category: str
    channel: str
    state: str

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> TicketState:
        return cls(**row)

    def row(self) -> dict[str, Any]:
        return dict(vars(self))

    def buckets(self) -> dict[str, list[Bucket]]:
        status = (0, 1) if self.state in COMPLAINT.terminal else (1, 0)
        key = (month_of(self.intake_on).isoformat(), week_of(self.intake_on).isoformat(), self.street,
               self.category, self.channel, self.state)
        return {"ticket_counts": [(key, status)]}


# --------------------------------------------------------------------------- the roll-up


def tier_of(kind: str) -> str:
    return TIER[kind] if kind else NO_PROCEEDING_TIER


def _dispute_rollup(types: str, month: str, agency: str, street: str,
                    breakdowns: Sequence[tuple[str, str]], *, with_types: bool = False) -> Iterator[Key]:
    """Under a case-type scope a dispute's case-type breakdown shows that type only, as the filter does."""
    for scope, value in scopes(street=street, types=types, agency=agency):
        shown = ((value,) if scope == CASE_TYPE else split(types)) if with_types else ()
        for dimension, counted in (*breakdowns, *(("case_type", case_type) for case_type in shown)):
            yield (DISPUTE, scope, value, MONTH, month, dimension, counted)


def _headline_rollup(key: Key) -> Iterator[Key]:
    types, month, week, agency, street, kind, organisation = key
    breakdowns = (("total", ""), ("week", week), ("tier", tier_of(kind)), ("kind", kind), ("agency", agency),
                  ("organisation", organisation), ("street", street))
    return _dispute_rollup(types, month, agency, street, breakdowns, with_types=True)


def _profile_rollup(key: Key) -> Iterator[Key]:
    types, month, agency, street, industry, origin, collective = key
    breakdowns = (("industry", industry), ("origin", origin), ("collective", collective))
    return _dispute_rollup(types, month, agency, street, breakdowns)


def _dispute_counts_rollup(key: Key) -> Iterator[Key]:
    types, dimension, month, agency, street, value = key
    return _dispute_rollup(types, month, agency, street, ((dimension, value),))


def _ticket_rollup(key: Key) -> Iterator[Key]:
    month, week, street, category, channel, state = key
    for scope, value in scopes(street=street, types=""):
        for dimension, counted in (("total", ""), ("week", week), ("category", category), ("channel", channel),
                                   ("state", state), ("street", street)):
            yield (TICKET, scope, value, MONTH, month, dimension, counted)


ROLLUPS: dict[str, tuple[str, Explode]] = {
    "headline": ("rollup", _headline_rollup),
    "profile": ("rollup", _profile_rollup),
    "dispute_counts": ("rollup", _dispute_counts_rollup),
    "ticket_counts": ("rollup", _ticket_rollup),
}
"""Each counter table's roll-up: the roll-up table's name and the keys one counter row adds to."""


# --------------------------------------------------------------------------- the view

COUNTERS = ("headline", "profile", "dispute_counts", "ticket_counts", "rollup")


class CaseloadView(Projection):
    name = "caseload"
    version = 2
    metadata = metadata
    topics = topics_of(
        Dispute.Registered,
        Dispute.CaseworkerAssigned,
        Dispute.RiskFlagsChanged,
        Dispute.ProceedingOpened,
        *ENDING_STEPS,
        *ENDING_HANDOFF_STEPS,
        Dispute.Resolved,
        Dispute.Closed,
        Dispute.Reopened,
        HotlineComplaint.Received,
        *TICKET_STEPS,
    )

    def process(self, connection: Connection, tables: ViewTables, events: Sequence[Any]) -> None:
        dispute_ids = {str(e.originator_id) for e in events if isinstance(e, Dispute.Event)}
        ticket_ids = {str(e.originator_id) for e in events if isinstance(e, HotlineComplaint.Event)}
        disputes = {
            k: DisputeState.from_row(r) for k, r in load_rows(connection, tables.caseload_disputes, dispute_ids).items()
        }
        tickets = {
            k: TicketState.from_row(r) for k, r in load_rows(connection, tables.caseload_tickets, ticket_ids).items()
        }
        before = {k: s.buckets() for k, s in (*disputes.items(), *tickets.items())}

        for event in events:
            case_id = str(event.originator_id)
            handler = _HANDLERS[type(event)]
            if isinstance(event, Dispute.Event):
                handler(disputes, case_id, event)
            else:
                handler(tickets, case_id, event)

        tallies = {name: Tally(("open", "closed")) for name in COUNTERS}
        for case_id, state in (*disputes.items(), *tickets.items()):
            old = before.get(case_id, {})
            for name, buckets in state.buckets().items():
                tallies[name].move(old.get(name, ()), buckets)
        roll_up_counters(tallies, ROLLUPS, lambda name: tables[f"caseload_{name}"])
        write_rows(connection, tables.caseload_disputes, [s.row() for s in disputes.values()])
        write_rows(connection, tables.caseload_tickets, [s.row() for s in tickets.values()])
        for name, tally in tallies.items():
            tally.write(connection, tables[f"caseload_{name}"])


def _registered(disputes: dict[str, DisputeState], dispute_id: str, event: Any) -> None:
    workplace = event.workplace or {}
    disputes[dispute_id] = DisputeState(
        dispute_id=dispute_id,
        intake_on=event.received_on,
        registered_by=event.actor["agency"],
        street=workplace.get("street") or UNKNOWN,
        industry=workplace.get("industry") or UNKNOWN,
        origin=event.origin,
        collective=bool(event.is_collective),
        case_types=tuple(event.case_types),
        risk_flags=tuple(event.risk_flags),
        caseworker=UNKNOWN,
        stage="OPEN",
        resolved=False,
        proceedings=[],
    )


def _caseworker(disputes: dict[str, DisputeState], dispute_id: str, event: Any) -> None:
    disputes[dispute_id].caseworker = event.caseworker


def _risk_flags(disputes: dict[str, DisputeState], dispute_id: str, event: Any) -> None:
    disputes[dispute_id].risk_flags = tuple(event.risk_flags)


def _opened(disputes: dict[str, DisputeState], dispute_id: str, event: Any) -> None:
    disputes[dispute_id].proceedings.append(
        [event.proceeding_id, event.kind, event.agency, event.org_name, True, event.handoff_id]
    )


def _proceeding_ended(disputes: dict[str, DisputeState], dispute_id: str, event: Any) -> None:
    for proceeding in disputes[dispute_id].proceedings:
        if proceeding[0] == event.proceeding_id:
            proceeding[4] = event.stage in OPEN_PROCEEDING_STATES


def _handoff_ended(disputes: dict[str, DisputeState], dispute_id: str, event: Any) -> None:
    for proceeding in disputes[dispute_id].proceedings:
        if proceeding[5] == event.handoff_id:
            proceeding[4] = event.proceeding_stage in OPEN_PROCEEDING_STATES


def _resolved(disputes: dict[str, DisputeState], dispute_id: str, event: Any) -> None:
    state = disputes[dispute_id]
    state.stage, state.resolved = event.stage, True


def _closed(disputes: dict[str, DisputeState], dispute_id: str, event: Any) -> None:
    disputes[dispute_id].stage = event.stage


def _reopened(disputes: dict[str, DisputeState], dispute_id: str, event: Any) -> None:
    state = disputes[dispute_id]
    state.stage, state.resolved = event.stage, False


def _ticket_received(tickets: dict[str, TicketState], complaint_id: str, event: Any) -> None:
    tickets[complaint_id] = TicketState(
        complaint_id=complaint_id, intake_on=event.received_on, street=event.street or UNKNOWN,
        category=event.category, channel=event.channel, state=COMPLAINT.initial,
    )


def _ticket_stepped(tickets: dict[str, TicketState], complaint_id: str, event: Any) -> None:
    tickets[complaint_id].state = event.stage


_HANDLERS: dict[type, Any] = {
    Dispute.Registered: _registered,
    Dispute.CaseworkerAssigned: _caseworker,
    Dispute.RiskFlagsChanged: _risk_flags,
    Dispute.ProceedingOpened: _opened,
    **{step: _proceeding_ended for step in ENDING_STEPS},
    **{step: _handoff_ended for step in ENDING_HANDOFF_STEPS},
    Dispute.Resolved: _resolved,
    Dispute.Closed: _closed,
    Dispute.Reopened: _reopened,
    HotlineComplaint.Received: _ticket_received,
    **{step: _ticket_stepped for step in TICKET_STEPS},
}
