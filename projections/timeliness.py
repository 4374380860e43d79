"""The timeliness view: how well time limits are kept, and what the work achieved.

* per deadline rule: deadlines on time, at risk (yellow), missed, met late, still open and
  cancelled, and a histogram of the days each met deadline used (clock start → met date),
  from which the read side takes the median and the 90th percentile;
* handoff latency per receiving agency: request → receipt → decision, as histograms;
* how mediations ended (the success rate is agreements over all ended mediations);
* amounts recovered per month (dispute resolutions and hotline replies);
* hotline call-back satisfaction per month.

Like the caseload view, every figure is a counter keyed by the read side's filters (month,
agency, street, set of case types) and moved by deltas. The state kept to compute the deltas is one
small row per case, holding nothing personal: its street and case types, its latest recovered
amount and call-back, its proceedings' kinds and organisations, and its deadlines and handoffs
only while they can still change (a met or cancelled deadline, a decided or withdrawn handoff,
is final and leaves the row). One row per case means one read and one write per batch. The deadline,
handoff and mediation counters are also kept summed per filter scope (:mod:`projections.rollups`).
See docs/views.md for each figure's definition.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Column, Connection, Date, Integer, MetaData, String, Table, Text

from domain.complaint import HotlineComplaint
from domain.deadlines import default_rules
from domain.dispute import Dispute
from domain.stages import ProceedingKind
from projections.base import Projection, ViewTables, topics_of
from projections.rollups import CLUSTERED, MONTH, Explode, roll_up_counters, scopes
from projections.caseload import (
    DISPUTE,
    ENDING_HANDOFF_STEPS,
    ENDING_STEPS,
    TICKET,
    UNKNOWN,
    Bucket,
    Key,
    Tally,
    load_rows,
    month_of,
    split,
    type_set,
    write_rows,
)

# Deadline statuses counted per rule.
ON_TIME, LATE, MISSED, AT_RISK, OPEN, CANCELLED = "on_time", "late", "missed", "at_risk", "open", "cancelled"
STATUSES = (OPEN, AT_RISK, MISSED, ON_TIME, LATE, CANCELLED)
ONE_HOT = {status: tuple(int(status == other) for other in STATUSES) for status in STATUSES}
FINAL = frozenset({ON_TIME, LATE, CANCELLED})
PARTY = "party"  # the agency column of deadlines a party, not an agency, has to keep
HOTLINE_AGENCY = "union"
# Handoff latency stages.
RECEIVE, DECIDE, TOTAL = "receive", "decide", "total"
MEDIATION = ProceedingKind.MEDIATION.value

# The outcome a mediation ends with, by the event that ends it.
ENDED_AS = {
    Dispute.ProceedingRejected: "NON_ACCEPTED",
    Dispute.ProceedingDeclinedByParty: "DECLINED_BY_PARTY",
    Dispute.ProceedingWithdrawn: "WITHDRAWN",
    Dispute.ProceedingLapsed: "LAPSED_15D",
    Dispute.ArbitrationAcceptanceOverdue: "ACCEPTANCE_OVERDUE",
    Dispute.HandoffRejected: "NON_ACCEPTED",
    Dispute.HandoffWithdrawn: "WITHDRAWN",
}

DEADLINE_EVENTS = ("DeadlineComputed", "DeadlineRecomputed", "DeadlineMet", "DeadlineCancelled",
                   "DeadlineWarned", "DeadlineMissed")


def rule_owner(rule_id: str) -> str | None:
    """The rule table's owner (UNION, HR, COURT, JUSTICE, PETITION or PARTY), None for an unknown rule.

    From the packaged table: a district's overrides change periods, never owners, so a rebuild
    anywhere gives the same answer.
    """
    rules = default_rules()
    return rules[rule_id].owner if rule_id in rules else None


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def _fen(amount: Decimal) -> int:
    """CNY in fen (分): integers add up exactly on every store."""
    return int(amount * 100)


metadata = MetaData()

case_state = Table(
    "timeliness_cases",
    metadata,
    Column("case_id", String(36), primary_key=True),
    Column("subject", String(8), nullable=False),
    Column("street", String(50), nullable=False),
    Column("case_types", Text, nullable=False),
    Column("money_month", Date),
    Column("money_fen", BigInteger),
    Column("callback_month", Date),
    Column("satisfaction", String(16)),
    # JSON [proceedings, deadlines, handoffs]: {proceeding_id: [kind, agency, org_type]},
    # {deadline_id: [rule_id, start, agency, org_type, status]} for the deadlines that can still change,
    # {handoff_id: [proceeding_id, to_agency, requested_on, received_on]} for those not yet decided.
    Column("state", Text, nullable=False),
)

deadline_counts = Table(
    "timeliness_deadline_counts",
    metadata,
    Column("rule_id", String(16), primary_key=True),
    Column("case_types", String(400), primary_key=True),
    Column("month", Date, primary_key=True),
    Column("agency", String(16), primary_key=True),
    Column("org_type", String(48), primary_key=True),
    Column("street", String(50), primary_key=True),
    # One column per status: a deadline changing status changes its rows in place.
    *(Column(status, BigInteger, nullable=False) for status in STATUSES),
)

days_used = Table(
    "timeliness_days_used",
    metadata,
    Column("rule_id", String(16), primary_key=True),
    Column("case_types", String(400), primary_key=True),
    Column("month", Date, primary_key=True),
    Column("agency", String(16), primary_key=True),
    Column("org_type", String(48), primary_key=True),
    Column("street", String(50), primary_key=True),
    Column("days", Integer, primary_key=True),
    Column("count", BigInteger, nullable=False),
)

# One row per decided handoff and case type: the three latency histograms (receive, decide and their
# sum, total) are groupings of the same rows.
handoff_days = Table(
    "timeliness_handoff_days",
    metadata,
    Column("agency", String(16), primary_key=True),
    Column("case_types", String(400), primary_key=True),
    Column("month", Date, primary_key=True),
    Column("street", String(50), primary_key=True),
    Column("receive_days", Integer, primary_key=True),
    Column("decide_days", Integer, primary_key=True),
    Column("count", BigInteger, nullable=False),
)

mediations = Table(
    "timeliness_mediations",
    metadata,
    Column("case_types", String(400), primary_key=True),
    Column("month", Date, primary_key=True),
    Column("agency", String(16), primary_key=True),
    Column("org_type", String(48), primary_key=True),
    Column("street", String(50), primary_key=True),
    Column("outcome", String(32), primary_key=True),
    Column("count", BigInteger, nullable=False),
)

amounts = Table(
    "timeliness_amounts",
    metadata,
    Column("subject", String(8), primary_key=True),
    Column("case_types", String(400), primary_key=True),
    Column("month", Date, primary_key=True),
    Column("street", String(50), primary_key=True),
    Column("amount_fen", BigInteger, nullable=False),
    Column("cases", BigInteger, nullable=False),
)

satisfaction = Table(
    "timeliness_satisfaction",
    metadata,
    Column("month", Date, primary_key=True),
    Column("street", String(50), primary_key=True),
    Column("satisfaction", String(16), primary_key=True),
    Column("count", BigInteger, nullable=False),
)

# The counters above summed per scope (projections.rollups) in place of street and case types; agency
# stays a column. The amounts and satisfaction tables hold a row per month and street at most: they
# need none.


def _scope() -> tuple[Column[Any], ...]:
    return (Column("scope", String(16), primary_key=True), Column("scope_value", String(50), primary_key=True),
            Column("span", String(1), primary_key=True), Column("month", Date, primary_key=True))


deadline_rollup = Table(
    "timeliness_deadline_rollup",
    metadata,
    *_scope(),
    Column("rule_id", String(16), primary_key=True),
    Column("agency", String(16), primary_key=True),
    Column("org_type", String(48), primary_key=True),
    *(Column(status, BigInteger, nullable=False) for status in STATUSES),
    **CLUSTERED,
)

days_rollup = Table(
    "timeliness_days_rollup",
    metadata,
    *_scope(),
    Column("rule_id", String(16), primary_key=True),
    Column("agency", String(16), primary_key=True),
    Column("org_type", String(48), primary_key=True),
    Column("days", Integer, primary_key=True),
    Column("count", BigInteger, nullable=False),
    **CLUSTERED,
)

# One histogram per latency stage (receive, decide, total), rather than one row per pair of days.
handoff_rollup = Table(
    "timeliness_handoff_rollup",
    metadata,
    *_scope(),
    Column("agency", String(16), primary_key=True),
    Column("stage", String(8), primary_key=True),
    Column("days", Integer, primary_key=True),
    Column("count", BigInteger, nullable=False),
    **CLUSTERED,
)

mediation_rollup = Table(
    "timeliness_mediation_rollup",
    metadata,
    *_scope(),
    Column("agency", String(16), primary_key=True),
    Column("org_type", String(48), primary_key=True),
    Column("outcome", String(32), primary_key=True),
    Column("count", BigInteger, nullable=False),
    **CLUSTERED,
)


# --------------------------------------------------------------------------- per-entity state


@dataclass
class DeadlineState:
    rule_id: str
    start: str  # ISO date
    agency: str
    org_type: str
    status: str
    days: int | None = None

    def record(self) -> list[Any]:
        return [self.rule_id, self.start, self.agency, self.org_type, self.status]

    def buckets(self, case: CaseState, types: str) -> tuple[list[Bucket], list[Bucket]]:
        """(status buckets, days-used buckets); ``types`` is the case's :attr:`CaseState.types`."""
        tail = (self.start[:8] + "01", self.agency, self.org_type, case.street)
        status = ONE_HOT[self.status]
        statuses = [((self.rule_id, types, *tail), status)]
        if self.days is None:
            return statuses, []
        return statuses, [((self.rule_id, types, *tail, self.days), (1,))]


@dataclass
class HandoffState:
    proceeding_id: str
    to_agency: str
    requested_on: date
    received_on: date | None

    def record(self) -> list[Any]:
        received = self.received_on.isoformat() if self.received_on else None
        return [self.proceeding_id, self.to_agency, self.requested_on.isoformat(), received]


@dataclass
class CaseState:
    """What one dispute or ticket contributes to the figures, and what later events need to know of it."""

    case_id: str
    subject: str
    street: str
    case_types: tuple[str, ...]
    money_month: date | None = None
    money_fen: int | None = None
    callback_month: date | None = None
    satisfaction: str | None = None
    proceedings: dict[str, list[str]] = field(default_factory=dict)
    deadlines: dict[str, DeadlineState] = field(default_factory=dict)
    handoffs: dict[str, HandoffState] = field(default_factory=dict)

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> CaseState:
        proceedings, deadlines, handoffs = json.loads(row["state"])
        return cls(
            case_id=row["case_id"], subject=row["subject"], street=row["street"], case_types=split(row["case_types"]),
            money_month=row["money_month"], money_fen=row["money_fen"], callback_month=row["callback_month"],
            satisfaction=row["satisfaction"], proceedings=proceedings,
            deadlines={key: DeadlineState(*record) for key, record in deadlines.items()},
            handoffs={
                key: HandoffState(pid, agency, date.fromisoformat(requested), received and date.fromisoformat(received))
                for key, (pid, agency, requested, received) in handoffs.items()
            },
        )

    def row(self) -> dict[str, Any]:
        state = [
            self.proceedings,
            {key: d.record() for key, d in self.deadlines.items()},
            {key: h.record() for key, h in self.handoffs.items()},
        ]
        return {
            "case_id": self.case_id, "subject": self.subject, "street": self.street,
            "case_types": " ".join(self.case_types), "money_month": self.money_month, "money_fen": self.money_fen,
            "callback_month": self.callback_month, "satisfaction": self.satisfaction,
            "state": json.dumps(state, ensure_ascii=False, separators=(",", ":")),
        }

    @property
    def types(self) -> str:
        return type_set(self.case_types)

    def buckets(self) -> dict[str, list[Bucket]]:
        """The buckets of this case's recovered amount, call-back and deadlines, by counter."""
        found: dict[str, list[Bucket]] = {"amounts": [], "satisfaction": [], "deadline_counts": [], "days_used": []}
        if self.money_month is not None and self.money_fen is not None:
            month, amounts = self.money_month.isoformat(), (self.money_fen, 1)
            found["amounts"] = [((self.subject, self.types, month, self.street), amounts)]
        if self.callback_month is not None:
            found["satisfaction"] = [((self.callback_month.isoformat(), self.street, self.satisfaction), (1,))]
        types = self.types
        for deadline in self.deadlines.values():
            statuses, days = deadline.buckets(self, types)
            found["deadline_counts"] += statuses
            found["days_used"] += days
        return found


@dataclass
class Batch:
    """One batch's cases and the counter deltas of what is recorded as it happens (handoffs, mediations)."""

    cases: dict[str, CaseState]
    handoff_days: Tally = field(default_factory=Tally)
    mediations: Tally = field(default_factory=Tally)


COUNTERS = {
    "deadline_counts": STATUSES, "days_used": ("count",), "amounts": ("amount_fen", "cases"),
    "satisfaction": ("count",), "handoff_days": ("count",), "mediations": ("count",),
    "deadline_rollup": STATUSES, "days_rollup": ("count",), "handoff_rollup": ("count",),
    "mediation_rollup": ("count",),
}


# --------------------------------------------------------------------------- the roll-ups


def _scoped(street: str, types: str, month: str) -> Iterator[tuple[str, str, str, str]]:
    """The scope, scope value, span and month of each roll-up month row a counter row adds to."""
    for scope, value in scopes(street=street, types=types):
        yield scope, value, MONTH, month


def _deadline_rollup(key: Key) -> Iterator[Key]:
    rule_id, types, month, agency, org_type, street = key
    for where in _scoped(street, types, month):
        yield (*where, rule_id, agency, org_type)


def _days_rollup(key: Key) -> Iterator[Key]:
    rule_id, types, month, agency, org_type, street, days = key
    for where in _scoped(street, types, month):
        yield (*where, rule_id, agency, org_type, days)


def _handoff_rollup(key: Key) -> Iterator[Key]:
    agency, types, month, street, receive, decide = key
    for where in _scoped(street, types, month):
        for stage, days in ((RECEIVE, receive), (DECIDE, decide), (TOTAL, receive + decide)):
            yield (*where, agency, stage, days)


def _mediation_rollup(key: Key) -> Iterator[Key]:
    types, month, agency, org_type, street, outcome = key
    for where in _scoped(street, types, month):
        yield (*where, agency, org_type, outcome)


ROLLUPS: dict[str, tuple[str, Explode]] = {
    "deadline_counts": ("deadline_rollup", _deadline_rollup),
    "days_used": ("days_rollup", _days_rollup),
    "handoff_days": ("handoff_rollup", _handoff_rollup),
    "mediations": ("mediation_rollup", _mediation_rollup),
}
"""Each rolled-up counter table: its roll-up table's name and the keys one counter row adds to."""


# --------------------------------------------------------------------------- the view


class TimelinessView(Projection):
    name = "timeliness"
    version = 2
    metadata = metadata
    topics = topics_of(
        Dispute.Registered,
        Dispute.ProceedingOpened,
        *ENDING_STEPS,
        Dispute.HandoffRequested,
        Dispute.HandoffReceived,
        Dispute.HandoffResubmitted,
        Dispute.HandoffAccepted,
        *ENDING_HANDOFF_STEPS,
        Dispute.Resolved,
        Dispute.Reopened,
        HotlineComplaint.Received,
        HotlineComplaint.AnsweredOnCall,
        HotlineComplaint.ReferredOut,
        HotlineComplaint.ReplySubmitted,
        HotlineComplaint.CallbackCompleted,
        *(getattr(kind, name) for kind in (Dispute, HotlineComplaint) for name in DEADLINE_EVENTS),
    )

    def process(self, connection: Connection, tables: ViewTables, events: Sequence[Any]) -> None:
        ids = {str(event.originator_id) for event in events}
        cases = {k: CaseState.from_row(r) for k, r in load_rows(connection, tables.timeliness_cases, ids).items()}
        before = {case_id: case.buckets() for case_id, case in cases.items()}
        batch = Batch(cases)
        for event in events:
            _HANDLERS[type(event)](batch, str(event.originator_id), event)
        tallies = {name: Tally(values) for name, values in COUNTERS.items()}
        tallies["handoff_days"], tallies["mediations"] = batch.handoff_days, batch.mediations
        for case_id, case in cases.items():
            old = before.get(case_id, {})
            for name, buckets in case.buckets().items():
                tallies[name].move(old.get(name, ()), buckets)
            case.deadlines = {key: d for key, d in case.deadlines.items() if d.status not in FINAL}
        roll_up_counters(tallies, ROLLUPS, lambda name: tables[f"timeliness_{name}"])
        write_rows(connection, tables.timeliness_cases, [case.row() for case in cases.values()])
        for name, tally in tallies.items():
            tally.write(connection, tables[f"timeliness_{name}"])


# --------------------------------------------------------------------------- event handlers


def _dispute_registered(batch: Batch, case_id: str, event: Any) -> None:
    street = (event.workplace or {}).get("street") or UNKNOWN
    batch.cases[case_id] = CaseState(case_id, DISPUTE, street, tuple(event.case_types))


def _ticket_received(batch: Batch, case_id: str, event: Any) -> None:
    batch.cases[case_id] = CaseState(case_id, TICKET, event.street or UNKNOWN, ())


def _proceeding_opened(batch: Batch, case_id: str, event: Any) -> None:
    batch.cases[case_id].proceedings[event.proceeding_id] = [event.kind, event.agency, event.org_type]


def _mediation_ended(batch: Batch, case_id: str, proceeding_id: str, outcome: str, on: date) -> None:
    case = batch.cases[case_id]
    kind, agency, org_type = case.proceedings[proceeding_id]
    if kind != MEDIATION:
        return
    month = month_of(on).isoformat()
    batch.mediations.add((case.types, month, agency, org_type, case.street, outcome))


def _proceeding_ended(batch: Batch, case_id: str, event: Any) -> None:
    outcome = event.outcome if isinstance(event, Dispute.ProceedingConcluded) else ENDED_AS[type(event)]
    _mediation_ended(batch, case_id, event.proceeding_id, outcome, event.on)


def _handoff_requested(batch: Batch, case_id: str, event: Any) -> None:
    batch.cases[case_id].handoffs[event.handoff_id] = HandoffState(
        event.proceeding_id, event.to_agency, event.requested_on, None
    )


def _handoff_received(batch: Batch, case_id: str, event: Any) -> None:
    batch.cases[case_id].handoffs[event.handoff_id].received_on = event.on


def _handoff_decided(batch: Batch, case_id: str, event: Any) -> None:
    case = batch.cases[case_id]
    handoff = case.handoffs.pop(event.handoff_id)
    received = handoff.received_on or event.on
    month = month_of(handoff.requested_on).isoformat()
    receive, decide = (received - handoff.requested_on).days, (event.on - received).days
    batch.handoff_days.add((handoff.to_agency, case.types, month, case.street, receive, decide))
    if isinstance(event, Dispute.HandoffRejected):
        _mediation_ended(batch, case_id, handoff.proceeding_id, ENDED_AS[type(event)], event.on)


def _handoff_withdrawn(batch: Batch, case_id: str, event: Any) -> None:
    handoff = batch.cases[case_id].handoffs.pop(event.handoff_id)
    _mediation_ended(batch, case_id, handoff.proceeding_id, ENDED_AS[type(event)], event.on)


def _set_money(batch: Batch, case_id: str, on: date | None, amount: Decimal | None) -> None:
    case = batch.cases[case_id]
    if on is None or amount is None:
        case.money_month, case.money_fen = None, None
    else:
        case.money_month, case.money_fen = month_of(on), _fen(amount)


def _resolved(batch: Batch, case_id: str, event: Any) -> None:
    _set_money(batch, case_id, event.on, event.amount_recovered_cny)


def _reply_submitted(batch: Batch, case_id: str, event: Any) -> None:
    _set_money(batch, case_id, event.on, event.amount_recovered_cny)


def _reply_without_amount(batch: Batch, case_id: str, event: Any) -> None:
    """Reopening a dispute, or a ticket's reply replaced by one that recovers nothing."""
    _set_money(batch, case_id, None, None)


def _callback(batch: Batch, case_id: str, event: Any) -> None:
    case = batch.cases[case_id]
    case.callback_month, case.satisfaction = month_of(event.on), event.satisfaction


def _deadline_agency(case: CaseState, rule_id: str, subject_id: str) -> tuple[str, str]:
    """(agency, org_type) answerable for a deadline: a party; the hotline; else the proceeding's organisation."""
    owner = rule_owner(rule_id)
    if owner == "PARTY":
        return PARTY, UNKNOWN
    if case.subject == TICKET:
        return HOTLINE_AGENCY, UNKNOWN
    proceeding = case.proceedings.get(subject_id)
    if proceeding is None:
        return (owner or UNKNOWN).lower(), UNKNOWN
    return proceeding[1], proceeding[2]


def _deadline_computed(batch: Batch, case_id: str, event: Any) -> None:
    case = batch.cases[case_id]
    rule_id = event.computation["rule_id"]
    agency, org_type = _deadline_agency(case, rule_id, event.subject_id)
    case.deadlines[event.deadline_id] = DeadlineState(rule_id, _iso(event.computation["start"]), agency, org_type, OPEN)


def _deadline(batch: Batch, case_id: str, event: Any) -> DeadlineState:
    return batch.cases[case_id].deadlines[event.deadline_id]


def _deadline_recomputed(batch: Batch, case_id: str, event: Any) -> None:
    deadline = _deadline(batch, case_id, event)
    deadline.start, deadline.status = _iso(event.computation["start"]), OPEN


def _deadline_warned(batch: Batch, case_id: str, event: Any) -> None:
    deadline = _deadline(batch, case_id, event)
    if deadline.status == OPEN:
        deadline.status = AT_RISK


def _deadline_missed(batch: Batch, case_id: str, event: Any) -> None:
    _deadline(batch, case_id, event).status = MISSED


def _deadline_met(batch: Batch, case_id: str, event: Any) -> None:
    deadline = _deadline(batch, case_id, event)
    deadline.status = ON_TIME if event.on_time else LATE
    deadline.days = (event.on - date.fromisoformat(deadline.start)).days


def _deadline_cancelled(batch: Batch, case_id: str, event: Any) -> None:
    _deadline(batch, case_id, event).status = CANCELLED


_HANDLERS: dict[type, Any] = {
    Dispute.Registered: _dispute_registered,
    HotlineComplaint.Received: _ticket_received,
    Dispute.ProceedingOpened: _proceeding_opened,
    **{step: _proceeding_ended for step in ENDING_STEPS},
    Dispute.HandoffRequested: _handoff_requested,
    Dispute.HandoffReceived: _handoff_received,
    Dispute.HandoffResubmitted: _handoff_received,
    Dispute.HandoffAccepted: _handoff_decided,
    Dispute.HandoffRejected: _handoff_decided,
    Dispute.HandoffWithdrawn: _handoff_withdrawn,
    Dispute.Resolved: _resolved,
    Dispute.Reopened: _reply_without_amount,
    HotlineComplaint.ReplySubmitted: _reply_submitted,
    HotlineComplaint.ReferredOut: _reply_without_amount,
    HotlineComplaint.AnsweredOnCall: _reply_without_amount,
    HotlineComplaint.CallbackCompleted: _callback,
    **{
        getattr(kind, name): handler
        for kind in (Dispute, HotlineComplaint)
        for name, handler in (
            ("DeadlineComputed", _deadline_computed),
            ("DeadlineRecomputed", _deadline_recomputed),
            ("DeadlineMet", _deadline_met),
            ("DeadlineCancelled", _deadline_cancelled),
            ("DeadlineWarned", _deadline_warned),
            ("DeadlineMissed", _deadline_missed),
        )
    },
}
