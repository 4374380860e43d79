"""The case list: one row per dispute, as the staff list, the partner list and the exports show it.

Rows are kept current from every Dispute event. The §4.6 headline status is derived here the way
``Dispute.status`` derives it, from state this view keeps in its own tables: one row per
proceeding (``case_proceedings``) and one per open deadline (``case_deadlines``). Claims are kept
per claim (``case_claims``) so that an amendment can remove one; case types and risk flags are
also kept one per row (``case_tags``, with the case's ``received_on``) so that filtering on them,
and counting them within a period, uses an index. ``q`` searches ``search_text`` through
:mod:`projections.search` (an FTS5 trigram table on SQLite, a bigram GIN index on PostgreSQL).

No personal data is stored: no claimant names, ID numbers, phones, bank accounts or wages — only
counts, codes, amounts claimed or awarded, and the names of respondent organisations. Search by
claimant name or ID number belongs to the keyed blind index of the personal-data issue (see
docs/projections.md, "Views: case list, inbox, tickets").

``aggregate_topics`` and the last section hold the small helpers the inbox and ticket views share.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import structlog
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.types import TypeDecorator

from domain.clocks import DeadlineKeeping
from domain.dispute import CHALLENGE_WINDOWS, Dispute
from domain.stages import OPEN_PROCEEDING_STATES, PROCEEDING, STATUS_PRECEDENCE
from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic
from projections.base import Projection, ViewTables
from projections.bulk import delete_rows, select_rows, upsert
from projections.search import SubstringSearch, bigram_index

log = structlog.get_logger(__name__)

LIST_SEPARATOR = ","
"""Joins codes (case types, risk flags, complaint ids) in one text column."""
NAME_SEPARATOR = "; "
"""Joins organisation names, which may themselves contain commas."""


class Money(TypeDecorator[Decimal]):
    """An amount in CNY, held exactly as whole fen (分) on both stores; read back as a Decimal."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> int | None:
        if value is None:
            return None
        return int((Decimal(value) * 100).to_integral_value())

    def process_result_value(self, value: Any, dialect: Any) -> Decimal | None:
        if value is None:
            return None
        return (Decimal(int(value)) / 100).quantize(Decimal("0.01"))


def positive_rows(column: str) -> dict[str, Any]:
    """Dialect options of a partial index over the rows where ``column`` > 0."""
    return {"postgresql_where": text(f"{column} > 0"), "sqlite_where": text(f"{column} > 0")}


metadata = MetaData()

cases = Table(
    "cases",
    metadata,
    Column("dispute_id", String(36), primary_key=True),
    Column("case_number", String(64), nullable=False),
    Column("status", String(32), nullable=False),
    Column("stage", String(16), nullable=False),
    Column("origin", String(32), nullable=False),
    Column("received_on", Date, nullable=False),
    Column("street", String(50)),
    Column("industry", String(50)),
    Column("case_types", Text, nullable=False),
    Column("risk_flags", Text, nullable=False),
    Column("is_collective", Boolean, nullable=False),
    Column("claimant_count", Integer, nullable=False),
    Column("caseworker", String(64)),
    Column("current_kind", String(32)),
    Column("current_state", String(32)),
    Column("current_org_type", String(40)),
    Column("current_org_name", String(100)),
    Column("current_agency", String(16)),
    Column("claimed_cny", Money),
    Column("awarded_cny", Money),
    Column("recovered_cny", Money),
    Column("respondents", Text, nullable=False),
    Column("complaint_ids", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("red_count", Integer, nullable=False),
    Column("yellow_count", Integer, nullable=False),
    # Lower-cased case number, receiving case numbers and respondent names, for ``q``.
    Column("search_text", Text, nullable=False),
    Index("ix_cases_received", "received_on", "dispute_id"),
    Index("ix_cases_status", "status", "received_on", "dispute_id"),
    Index("ix_cases_stage", "stage", "received_on", "dispute_id"),
    Index("ix_cases_origin", "origin", "received_on", "dispute_id"),
    Index("ix_cases_street", "street", "received_on", "dispute_id"),
    Index("ix_cases_industry", "industry", "received_on", "dispute_id"),
    Index("ix_cases_collective", "is_collective", "received_on", "dispute_id"),
    Index("ix_cases_caseworker", "caseworker", "received_on", "dispute_id"),
    Index("ix_cases_agency", "current_agency", "received_on", "dispute_id"),
    Index("ix_cases_kind", "current_kind", "received_on", "dispute_id"),
    Index("ix_cases_overdue", "received_on", "dispute_id", **positive_rows("red_count")),
    Index("ix_cases_due_soon", "received_on", "dispute_id", **positive_rows("yellow_count")),
    # The staff queue's "mine" tab: its open cases, in list order.
    Index("ix_cases_caseworker_stage", "caseworker", "stage", "received_on", "dispute_id"),
    info={"extension": SubstringSearch()},
)
bigram_index("ix_cases_search", cases)

case_tags = Table(
    "case_tags",
    metadata,
    Column("dispute_id", String(36), primary_key=True),
    Column("kind", String(16), primary_key=True),  # case_type | risk_flag
    Column("tag", String(40), primary_key=True),
    Column("received_on", Date, nullable=False),  # the case's, so that a period bounds the tag's rows
    Index("ix_case_tags_tag", "kind", "tag", "received_on", "dispute_id"),
)

case_proceedings = Table(
    "case_proceedings",
    metadata,
    Column("dispute_id", String(36), primary_key=True),
    Column("proceeding_id", String(32), primary_key=True),
    Column("seq", Integer, nullable=False),
    Column("handoff_id", String(32)),
    Column("kind", String(32), nullable=False),
    Column("org_type", String(40), nullable=False),
    Column("org_name", String(100), nullable=False),
    Column("agency", String(16), nullable=False),
    Column("state", String(32), nullable=False),
    Column("case_no", String(64)),
)

case_claims = Table(
    "case_claims",
    metadata,
    Column("dispute_id", String(36), primary_key=True),
    Column("claim_id", String(32), primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("amount_cny", Money),
)

case_deadlines = Table(
    "case_deadlines",
    metadata,
    Column("dispute_id", String(36), primary_key=True),
    Column("deadline_id", String(32), primary_key=True),
    Column("subject_id", String(36), nullable=False),
    Column("rule_id", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("warned", String(8)),
    Column("due_date", Date, nullable=False),
)


# --------------------------------------------------------------------------- the §4.6 status

_PRECEDENCE = {kind.value: rank for rank, (kind, _) in enumerate(STATUS_PRECEDENCE)}
_STATUS_OF_KIND = tuple((kind.value, status) for kind, status in STATUS_PRECEDENCE)


def derive_status(stage: str, proceedings: Iterable[Mapping[str, Any]], open_rule_ids: Iterable[str]) -> str:
    """The headline status of §4.6, as ``Dispute.status`` derives it: the stage when not OPEN, else
    the most senior open proceeding's tier, else an open challenge window, else INTAKE."""
    if stage != "OPEN":
        return stage
    open_kinds = {p["kind"] for p in proceedings if p["state"] in OPEN_PROCEEDING_STATES}
    for kind, status in _STATUS_OF_KIND:
        if kind in open_kinds:
            return status
    if any(rule_id in CHALLENGE_WINDOWS for rule_id in open_rule_ids):
        return "AWAITING_CHALLENGE"
    return "INTAKE"


def current_proceeding(proceedings: Iterable[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The proceeding the case is at: the most senior open one (the latest opened among equals;
    kinds outside §4.6 after those in it), else the latest opened one."""
    ordered = list(proceedings)
    open_now = [p for p in ordered if p["state"] in OPEN_PROCEEDING_STATES]
    if open_now:
        return min(open_now, key=lambda p: (_PRECEDENCE.get(p["kind"], len(_PRECEDENCE)), -p["seq"]))
    return max(ordered, key=lambda p: p["seq"], default=None)


# --------------------------------------------------------------------------- folding


def aggregate_topics(aggregate: type[Aggregate]) -> tuple[str, ...]:
    """The stored topic of every event class nested in ``aggregate`` (inherited ones included)."""
    classes = {
        value for name in dir(aggregate)
        if isinstance(value := getattr(aggregate, name), type) and issubclass(value, Aggregate.Event)
    }
    return tuple(sorted(get_topic(cls) for cls in classes))


@dataclass
class _Case:
    """One dispute's rows while a batch is folded; ``row`` holds the stored, not the derived, columns."""

    row: dict[str, Any] | None
    proceedings: dict[str, dict[str, Any]] = field(default_factory=dict)
    claims: dict[str, dict[str, Any]] | None = None
    """Only read when the batch amends them (``claimed_cny`` is kept otherwise)."""
    deadlines: dict[str, dict[str, Any]] = field(default_factory=dict)


class CaseListView(Projection):
    """``cases``: the dispute case list (one row per dispute) and the state it is derived from."""

    name = "cases"
    version = 3  # 2: indexes for caseworker, partner-visibility and overdue-inbox lists; 3: search index,
    # case_tags.received_on
    metadata = metadata
    topics = aggregate_topics(Dispute)  # every Dispute event, so that ``version`` is the aggregate's

    def process(self, connection: Connection, tables: ViewTables, events: Sequence[Any]) -> None:
        ids = {str(event.originator_id) for event in events}
        amended = {str(event.originator_id) for event in events if isinstance(event, Dispute.ClaimsAmended)}
        before = {
            "cases": by_key(load_rows(connection, tables.cases, "dispute_id", ids), tables.cases),
            "case_proceedings": by_key(
                load_rows(connection, tables.case_proceedings, "dispute_id", ids), tables.case_proceedings),
            "case_claims": by_key(
                load_rows(connection, tables.case_claims, "dispute_id", amended), tables.case_claims),
            "case_deadlines": by_key(
                load_rows(connection, tables.case_deadlines, "dispute_id", ids), tables.case_deadlines),
        }
        # The tags are the stored row's case types and risk flags: no need to read them.
        before["case_tags"] = {key: _tag_row(key, row) for row in before["cases"].values()
                               for key in _tags(row["dispute_id"], row)}
        folded = {dispute_id: _Case(row=None) for dispute_id in ids}
        for (dispute_id,), row in before["cases"].items():
            folded[dispute_id].row = dict(row)
        for dispute_id in amended:
            folded[dispute_id].claims = {}
        for name, attribute, key in (
            ("case_proceedings", "proceedings", "proceeding_id"),
            ("case_claims", "claims", "claim_id"),
            ("case_deadlines", "deadlines", "deadline_id"),
        ):
            for row in before[name].values():
                getattr(folded[row["dispute_id"]], attribute)[row[key]] = dict(row)
        for event in events:
            case = folded[str(event.originator_id)]
            if case.row is None and not isinstance(event, Dispute.Registered):
                log.warning("view_event_before_registration", view=self.name, dispute_id=str(event.originator_id))
                continue
            _fold(case, event)
        after: dict[str, dict[tuple[Any, ...], dict[str, Any]]] = {name: {} for name in before}
        for dispute_id, case in folded.items():
            if case.row is None:
                continue
            after["cases"][(dispute_id,)] = _derived_row(case)
            after["case_proceedings"].update(((dispute_id, k), v) for k, v in case.proceedings.items())
            after["case_claims"].update(((dispute_id, k), v) for k, v in (case.claims or {}).items())
            after["case_deadlines"].update(((dispute_id, k), v) for k, v in case.deadlines.items())
            after["case_tags"].update((key, _tag_row(key, case.row)) for key in _tags(dispute_id, case.row))
        for name in ("cases", "case_proceedings", "case_claims", "case_deadlines", "case_tags"):
            sync_rows(connection, tables[name], before[name], after[name])


def _fold(case: _Case, event: Any) -> None:
    """Apply one event to the dispute's rows; only assigns what the event recorded."""
    if isinstance(event, Dispute.Registered):
        case.row = _registered(event)
        case.claims = {c["claim_id"]: _claim(str(event.originator_id), c) for c in event.claims}
    row = case.row
    assert row is not None
    row["version"] = event.originator_version
    row["updated_at"] = event.timestamp
    if isinstance(event, DEADLINE_EVENTS):
        fold_deadline(case.deadlines, event, {"dispute_id": row["dispute_id"]})
    elif isinstance(event, Dispute.CaseworkerAssigned):
        row["caseworker"] = event.caseworker
    elif isinstance(event, Dispute.RiskFlagsChanged):
        row["risk_flags"] = LIST_SEPARATOR.join(event.risk_flags)
    elif isinstance(event, Dispute.PartyAdded):
        if event.party["side"] == "claimant":
            row["claimant_count"] += 1
        elif event.party.get("organisation"):
            row["respondents"] = NAME_SEPARATOR.join(
                filter(None, [row["respondents"], event.party["organisation"]["name"]]))
    elif isinstance(event, Dispute.ClaimsAmended):
        assert case.claims is not None  # read for every case the batch amends
        for claim_id in event.removed:
            case.claims.pop(claim_id, None)
        case.claims.update((c["claim_id"], _claim(row["dispute_id"], c)) for c in event.added)
    elif isinstance(event, Dispute.ProceedingOpened):
        case.proceedings[event.proceeding_id] = {
            "dispute_id": row["dispute_id"], "proceeding_id": event.proceeding_id,
            "seq": max((p["seq"] for p in case.proceedings.values()), default=0) + 1,
            "handoff_id": event.handoff_id, "kind": event.kind, "org_type": event.org_type,
            "org_name": event.org_name, "agency": event.agency, "state": "REQUESTED", "case_no": None,
        }
    elif isinstance(event, Dispute.ProceedingStepped):
        proceeding = case.proceedings[event.proceeding_id]
        proceeding["state"] = event.stage
        if isinstance(event, Dispute.ProceedingAccepted):
            proceeding["case_no"] = event.case_no
        elif isinstance(event, Dispute.ProceedingConcluded) and event.amounts_awarded_cny is not None:
            row["awarded_cny"] = event.amounts_awarded_cny  # the latest decision supersedes earlier ones
    elif isinstance(event, Dispute.HandoffStepped):
        proceeding = _handed_off(case, event.handoff_id)
        proceeding["state"] = event.proceeding_stage
        if isinstance(event, Dispute.HandoffAccepted):
            proceeding["case_no"] = event.receiving_case_no
    elif isinstance(event, Dispute.Resolved):
        row["stage"] = event.stage
        row["recovered_cny"] = event.amount_recovered_cny
    elif isinstance(event, Dispute.Closed):
        row["stage"] = event.stage
    elif isinstance(event, Dispute.Reopened):
        row["stage"] = event.stage
        row["recovered_cny"] = None  # reopening clears the resolution
    elif isinstance(event, Dispute.ComplaintLinked):
        row["complaint_ids"] = LIST_SEPARATOR.join(filter(None, [row["complaint_ids"], event.complaint_id]))


def _handed_off(case: _Case, handoff_id: str) -> dict[str, Any]:
    for proceeding in case.proceedings.values():
        if proceeding["handoff_id"] == handoff_id:
            return proceeding
    raise LookupError(f"dispute {case.row and case.row['dispute_id']}: no proceeding for handoff {handoff_id}")


def _registered(event: Any) -> dict[str, Any]:
    workplace = event.workplace or {}
    return {
        "dispute_id": str(event.originator_id),
        "case_number": event.case_number,
        "stage": "OPEN",
        "origin": event.origin,
        "received_on": event.received_on,
        "street": workplace.get("street"),
        "industry": workplace.get("industry"),
        "case_types": LIST_SEPARATOR.join(event.case_types),
        "risk_flags": LIST_SEPARATOR.join(event.risk_flags),
        "is_collective": bool(event.is_collective),
        "claimant_count": len(event.claimants),
        "caseworker": None,
        "awarded_cny": None,
        "recovered_cny": None,
        "respondents": organisation_names(event.respondents),
        "complaint_ids": event.complaint_id or "",
    }


def _claim(dispute_id: str, claim: Mapping[str, Any]) -> dict[str, Any]:
    return {"dispute_id": dispute_id, "claim_id": claim["claim_id"], "kind": claim["kind"],
            "amount_cny": claim.get("amount_cny")}


def _derived_row(case: _Case) -> dict[str, Any]:
    """The stored row with its derived columns computed afresh."""
    row = dict(case.row or {})
    proceedings = list(case.proceedings.values())
    row["status"] = derive_status(row["stage"], proceedings, (d["rule_id"] for d in case.deadlines.values()))
    current = current_proceeding(proceedings) or {}
    row["current_kind"] = current.get("kind")
    row["current_state"] = current.get("state")
    row["current_org_type"] = current.get("org_type")
    row["current_org_name"] = current.get("org_name")
    row["current_agency"] = current.get("agency")
    if case.claims is not None:
        amounts = [c["amount_cny"] for c in case.claims.values() if c["amount_cny"] is not None]
        row["claimed_cny"] = sum(amounts, Decimal("0.00")) if amounts else None
    row["red_count"], row["yellow_count"] = _lights(row["stage"], case)
    numbers = [p["case_no"] for p in sorted(proceedings, key=lambda p: p["seq"]) if p["case_no"]]
    row["search_text"] = search_text(row["case_number"], *numbers, row["respondents"])
    return row


def _lights(stage: str, case: _Case) -> tuple[int, int]:
    """Red and yellow lights while the case is open. A miss whose legal effect ended its proceeding
    (a lapsed mediation, an acceptance run overdue, an expired challenge window) is not red any more:
    the clock has recorded that effect and nothing is left to do on time."""
    if stage != "OPEN":
        return 0, 0
    ended = {p["proceeding_id"] for p in case.proceedings.values() if p["state"] in PROCEEDING.terminal}
    return deadline_lights(
        d for d in case.deadlines.values() if not (d["status"] == "MISSED" and d["subject_id"] in ended)
    )


def _tag_row(key: tuple[str, str, str], row: Mapping[str, Any]) -> dict[str, Any]:
    return {**dict(zip(("dispute_id", "kind", "tag"), key, strict=True)), "received_on": _day(row["received_on"])}


def _tags(dispute_id: str, row: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    return [
        (dispute_id, kind, tag)
        for kind, joined in (("case_type", row["case_types"]), ("risk_flag", row["risk_flags"]))
        for tag in split_list(joined)
    ]


# --------------------------------------------------------------------------- shared by the list views


DEADLINE_EVENTS = (
    DeadlineKeeping.DeadlineComputed, DeadlineKeeping.DeadlineRecomputed, DeadlineKeeping.DeadlineMet,
    DeadlineKeeping.DeadlineCancelled, DeadlineKeeping.DeadlineWarned, DeadlineKeeping.DeadlineMissed,
)


def fold_deadline(open_deadlines: dict[str, dict[str, Any]], event: Any, owner: Mapping[str, Any]) -> None:
    """Keep ``open_deadlines`` (OPEN or MISSED, by id) current; a met or cancelled deadline is dropped,
    as none is ever reopened. ``owner`` holds the key columns of a new row."""
    if isinstance(event, DeadlineKeeping.DeadlineComputed):
        open_deadlines[event.deadline_id] = {
            **owner, "deadline_id": event.deadline_id, "subject_id": event.subject_id,
            "rule_id": event.computation["rule_id"],
            "status": "OPEN", "warned": None, "due_date": _day(event.computation["due_date"]),
        }
        return
    record = open_deadlines.get(event.deadline_id)
    if record is None:
        return
    if isinstance(event, DeadlineKeeping.DeadlineRecomputed):
        record.update(status="OPEN", warned=None, due_date=_day(event.computation["due_date"]))
    elif isinstance(event, DeadlineKeeping.DeadlineMet | DeadlineKeeping.DeadlineCancelled):
        del open_deadlines[event.deadline_id]
    elif isinstance(event, DeadlineKeeping.DeadlineWarned):
        record["warned"] = event.level
    elif isinstance(event, DeadlineKeeping.DeadlineMissed):
        record.update(status="MISSED", warned="RED")


def deadline_lights(open_deadlines: Iterable[Mapping[str, Any]]) -> tuple[int, int]:
    """(red, yellow): deadlines the clock recorded as missed, and open ones it warned of."""
    red = yellow = 0
    for record in open_deadlines:
        if record["status"] == "MISSED":
            red += 1
        elif record["warned"] is not None:
            yellow += 1
    return red, yellow


def organisation_names(parties: Iterable[Mapping[str, Any]]) -> str:
    """The names of the parties that are organisations (a natural person's name is personal data)."""
    return NAME_SEPARATOR.join(p["organisation"]["name"] for p in parties if p.get("organisation"))


def search_text(*parts: str | None) -> str:
    """What ``q`` searches: the parts, lower-cased, once each, one per line."""
    return "\n".join(dict.fromkeys(part.lower() for part in parts if part))


def split_list(joined: str | None) -> list[str]:
    return [item for item in (joined or "").split(LIST_SEPARATOR) if item]


def load_rows(connection: Connection, table: Table, column: str, keys: Iterable[str]) -> list[dict[str, Any]]:
    """The rows of ``table`` whose ``column`` is one of ``keys``, as dicts with UTC datetimes."""
    rows = select_rows(connection, table, column, set(keys))
    moments = [c.name for c in table.columns if isinstance(c.type, DateTime)]
    for row in rows:
        for name in moments:
            row[name] = utc_value(row[name])
    return rows


def by_key(rows: Iterable[dict[str, Any]], table: Table) -> dict[tuple[Any, ...], dict[str, Any]]:
    key = [column.name for column in table.primary_key.columns]
    if len(key) == 1:
        (name,) = key
        return {(row[name],): row for row in rows}
    return {tuple(map(row.__getitem__, key)): row for row in rows}


def sync_rows(
    connection: Connection,
    table: Table,
    before: Mapping[tuple[Any, ...], Mapping[str, Any]],
    after: Mapping[tuple[Any, ...], Mapping[str, Any]],
) -> None:
    """Write the difference set-wise: one upsert of new and changed rows, one delete of vanished ones."""
    key = [column.name for column in table.primary_key.columns]
    changed = [row for k, row in after.items() if before.get(k) != row]
    upsert(connection, table, changed, key=key, replace=[c.name for c in table.columns if c.name not in key])
    delete_rows(connection, table, [k for k in before if k not in after], key=key)


def utc_value(value: Any) -> Any:
    """Datetimes as aware UTC (SQLite returns DateTime columns naive; they hold UTC); else ``value``."""
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return value


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)

