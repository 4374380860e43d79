"""Given events → command → new events, for the Dispute and HotlineComplaint aggregates.

Prior events always come from running earlier commands (:class:`History`), never from
hand-built event objects, so every test goes through the replay path the application uses:
a fresh aggregate is mutated from the given events, one command runs, and the new events
are collected. A refused command must leave no new events; :func:`refused` checks that
every time it is used.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from domain.complaint import HotlineComplaint
from domain.dispute import Dispute
from domain.errors import DomainError
from domain.stages import OrgType, ProceedingKind, StageTable
from domain.values import SYSTEM_ACTOR, Actor, Agency, Role, parse_intake

Events = list[Any]
Command = Callable[[Any], Any]

# --------------------------------------------------------------------------- the given → when → then core


def rebuild(events: Sequence[Any]) -> Any:
    """A fresh aggregate mutated from ``events`` (None when there are none)."""
    return functools.reduce(lambda aggregate, event: event.mutate(aggregate), events, None)


@dataclass(frozen=True)
class Decision:
    """What one command did: the new events, or the error it raised, and what it returned."""

    new_events: Events
    error: DomainError | None
    returned: Any


def decide(given: Sequence[Any], command: Command) -> Decision:
    """Rebuild the aggregate from ``given``, run ``command`` on it, collect what it recorded.

    With no given events the command is a factory (``lambda _: Dispute.register(...)``):
    it receives None and its new events are those of the aggregate it returns.
    """
    aggregate = rebuild(given)
    try:
        returned = command(aggregate)
    except DomainError as error:
        leftover = aggregate.collect_events() if aggregate is not None else []
        return Decision(leftover, error, None)
    if aggregate is None:
        return Decision(returned.collect_events(), None, returned)
    return Decision(aggregate.collect_events(), None, returned)


def accepted(given: Sequence[Any], command: Command) -> Events:
    """The new events of a command that must succeed."""
    decision = decide(given, command)
    assert decision.error is None, f"expected the command to succeed, it raised {decision.error!r}"
    return decision.new_events


def refused(given: Sequence[Any], command: Command, error_type: type[DomainError]) -> Any:
    """The error of a command that must be refused; a refused command records nothing."""
    decision = decide(given, command)
    recorded = [type(event).__name__ for event in decision.new_events]
    assert decision.error is not None, f"expected {error_type.__name__}, got events {recorded}"
    assert isinstance(decision.error, error_type), f"expected {error_type.__name__}, got {decision.error!r}"
    assert decision.new_events == [], f"a refused command recorded {recorded}"
    return decision.error


# The statutory clocks' own bookkeeping (computed, met, cancelled … deadlines) is recorded alongside a
# case's steps and is tested with the clocks; these tests look at the case's own decisions.
CLOCK_BOOKKEEPING = frozenset({
    "DeadlineComputed", "DeadlineRecomputed", "DeadlineMet", "DeadlineCancelled", "DeadlineWarned", "DeadlineMissed",
})


def names(events: Sequence[Any]) -> list[str]:
    """The class names of the case's own events, in order, without the clocks' bookkeeping."""
    return [type(event).__name__ for event in events if type(event).__name__ not in CLOCK_BOOKKEEPING]


def case_events(events: Sequence[Any]) -> Events:
    """The case's own events, without the clocks' bookkeeping."""
    return [event for event in events if type(event).__name__ not in CLOCK_BOOKKEEPING]


def after(given: Sequence[Any], new_events: Sequence[Any]) -> Any:
    """The aggregate replayed from the given and the new events."""
    return rebuild([*given, *new_events])


class History:
    """Prior events, produced by running commands one after another."""

    def __init__(self, events: Sequence[Any] = ()) -> None:
        self.events: Events = list(events)

    def do(self, command: Command) -> Any:
        decision = decide(self.events, command)
        assert decision.error is None, f"setting up the history failed: {decision.error!r}"
        self.events.extend(decision.new_events)
        return decision.returned

    @property
    def state(self) -> Any:
        return rebuild(self.events)

    def copy(self) -> History:
        return History(self.events)


def declared_triggers(table: StageTable, state: str) -> list[str]:
    """The triggers the table's own tuples allow from ``state``, in table order (an oracle
    independent of the ``transitions`` machine)."""
    found: list[str] = []
    for trigger, sources, _dest in table.transitions:
        sources = sources if isinstance(sources, tuple) else (sources,)
        if state in sources and trigger not in found:
            found.append(trigger)
    return found


# --------------------------------------------------------------------------- actors and dates

STAFF = Actor("staff-1", Role.STAFF, Agency.UNION)  # the union centre's caseworker
HR_PARTNER = Actor("hr-1", Role.PARTNER, Agency.HR)
COURT_PARTNER = Actor("court-1", Role.PARTNER, Agency.COURT)
JUSTICE_PARTNER = Actor("justice-1", Role.PARTNER, Agency.JUSTICE)
AUDITOR = Actor("audit-1", Role.AUDITOR, Agency.UNION)

TODAY = date(2025, 3, 20)  # "now" for intake validation
RECEIVED = date(2025, 3, 3)  # the dispute's receipt date
DAY = date(2025, 3, 10)  # default date for later steps

# --------------------------------------------------------------------------- dispute intake

VALID_ID_NUMBERS = ("11010519491231002X", "440524188001010014", "110105199001010010")

_party_ids = itertools.count(1)


def new_party_id() -> str:
    return f"p{next(_party_ids)}"


def worker(n: int = 0, **person: Any) -> dict[str, Any]:
    return {"kind": "WORKER", "person": {"name": f"Worker {n}", **person}}


def intake_form(**overrides: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "origin": "WALK_IN",
        "summary": "Three months of unpaid wages",
        "received_on": RECEIVED.isoformat(),
        "claimants": [worker(1, id_number=VALID_ID_NUMBERS[0], phone="13812345678")],
        "respondents": [{"kind": "EMPLOYER", "organisation": {"name": "Example Works Ltd"}}],
        "claims": [{"kind": "WAGE", "amount_cny": "12000.00"}],
    }
    form.update(overrides)
    return form


def register(form: dict[str, Any] | None = None) -> Command:
    """The intake command: parse the form and register the dispute."""

    def command(_: Any) -> Dispute:
        intake = parse_intake(form or intake_form(), default_received_on=TODAY, new_party_id=new_party_id)
        return Dispute.register(intake, case_number="2025-0001", actor=STAFF)

    return command


def registered(form: dict[str, Any] | None = None) -> History:
    history = History()
    history.do(register(form))
    return history


def document(doc_type: str = "APPLICATION", n: int = 0) -> dict[str, Any]:
    return {"doc_type": doc_type, "title": f"{doc_type.lower()} {n}", "sha256": f"{n:064x}"}


# --------------------------------------------------------------------------- proceedings

ORG_FOR_KIND: dict[str, str] = {
    ProceedingKind.NEGOTIATION.value: OrgType.PARTIES.value,
    ProceedingKind.MEDIATION.value: OrgType.UNION_MEDIATION_CENTRE.value,
    ProceedingKind.ARBITRAL_REVIEW.value: OrgType.ARBITRATION_COMMISSION.value,
    ProceedingKind.JUDICIAL_CONFIRMATION.value: OrgType.BASIC_COURT.value,
    ProceedingKind.PAYMENT_ORDER.value: OrgType.BASIC_COURT.value,
    ProceedingKind.ARBITRATION.value: OrgType.ARBITRATION_COMMISSION.value,
    ProceedingKind.AWARD_REVOCATION.value: OrgType.INTERMEDIATE_COURT.value,
    ProceedingKind.PRE_LITIGATION_MEDIATION.value: OrgType.BASIC_COURT.value,
    ProceedingKind.LITIGATION_FIRST.value: OrgType.BASIC_COURT.value,
    ProceedingKind.APPEAL.value: OrgType.INTERMEDIATE_COURT.value,
    ProceedingKind.ENFORCEMENT.value: OrgType.BASIC_COURT.value,
    ProceedingKind.LABOUR_INSPECTION.value: OrgType.LABOUR_INSPECTION.value,
    ProceedingKind.WORK_INJURY_DETERMINATION.value: OrgType.SOCIAL_INSURANCE_ADMIN.value,
    ProceedingKind.LEGAL_AID.value: OrgType.LEGAL_AID_CENTRE.value,
}

# A union sender hands off to another agency's organisation: people's mediation for mediation.
HANDOFF_ORG_FOR_KIND = {**ORG_FOR_KIND, ProceedingKind.MEDIATION.value: OrgType.PEOPLES_MEDIATION_COMMITTEE.value}

BOTH_CONSENT = {"worker": True, "employer": True}


def open_(kind: str, *, applicant: str = "WORKER", consent: Any = None, override_reason: Any = None,
          received_on: Any = DAY, org_type: str | None = None) -> Command:
    """The command opening a proceeding of ``kind`` at its usual organisation."""
    if consent is None and kind == ProceedingKind.MEDIATION.value:
        consent = BOTH_CONSENT
    return lambda dispute: dispute.open_proceeding(
        kind=kind, org_type=org_type or ORG_FOR_KIND[kind], org_name=f"{kind.title()} organisation",
        applicant=applicant, received_on=received_on, consent=consent, override_reason=override_reason,
        actor=STAFF,
    )


def accept(proceeding_id: str, *, on: Any = DAY, case_no: str = "(2025)0001") -> Command:
    return lambda dispute: dispute.accept_proceeding(proceeding_id, on=on, case_no=case_no, actor=STAFF)


def conclude(proceeding_id: str, outcome: str, *, on: Any = DAY) -> Command:
    return lambda dispute: dispute.conclude_proceeding(proceeding_id, outcome=outcome, on=on, actor=STAFF)


def opened(history: History, kind: str, **kwargs: Any) -> str:
    """Open a proceeding in ``history``; returns its id."""
    return history.do(open_(kind, **kwargs))


def active(history: History, kind: str, **kwargs: Any) -> str:
    """Open and accept a proceeding in ``history``; returns its id."""
    proceeding_id = opened(history, kind, **kwargs)
    history.do(accept(proceeding_id))
    return proceeding_id


def concluded(history: History, kind: str, outcome: str, **kwargs: Any) -> str:
    """Open, accept and conclude a proceeding in ``history``; returns its id."""
    proceeding_id = active(history, kind, **kwargs)
    history.do(conclude(proceeding_id, outcome))
    return proceeding_id


def deadline_of(aggregate: Any, rule_id: str, subject_id: str) -> dict[str, Any]:
    """The one deadline of ``rule_id`` the aggregate keeps for ``subject_id``."""
    found = [d for d in aggregate.deadlines if d["rule_id"] == rule_id and d["subject_id"] == subject_id]
    assert len(found) == 1, f"expected one {rule_id} deadline on {subject_id}, found {len(found)}"
    return found[0]


def missed(history: History, rule_id: str, subject_id: str) -> None:
    """Run the clock on the day after the deadline's due date (the clock's own command)."""
    record = deadline_of(history.state, rule_id, subject_id)
    today = date.fromisoformat(record["due_date"]) + timedelta(days=1)
    history.do(lambda aggregate: aggregate.check_deadline(record["deadline_id"], today, actor=SYSTEM_ACTOR))


def request_handoff(kind: str, *, org_type: str | None = None, applicant: str = "WORKER", consent: Any = None,
                    override_reason: Any = None, on: Any = DAY, actor: Actor = STAFF,
                    dossier: Any = None) -> Command:
    """The command handing the case to another agency's organisation for a ``kind`` proceeding."""
    if consent is None and kind == ProceedingKind.MEDIATION.value:
        consent = BOTH_CONSENT
    return lambda dispute: dispute.request_handoff(
        kind=kind, org_type=org_type or HANDOFF_ORG_FOR_KIND[kind], org_name=f"{kind.title()} organisation",
        applicant=applicant, reason="PARTY_APPLICATION", channel="ONLINE",
        dossier=[document()] if dossier is None else dossier, consent=consent, on=on,
        override_reason=override_reason, actor=actor,
    )


# --------------------------------------------------------------------------- hotline tickets

RECEIVED_AT = datetime(2025, 3, 3, 2, 15, tzinfo=timezone.utc)


def ticket_form(**overrides: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "channel": "PHONE_12351",
        "caller": {"name": "Caller", "phone": "13912345678", "anonymous": False},
        "category": "ASSISTANCE",
        "summary": "The site has not paid wages since January",
        "subject_employer": "Example Construction Ltd",
        "workers_affected": 3,
    }
    form.update(overrides)
    return form


def receive_ticket(form: dict[str, Any] | None = None) -> Command:
    return lambda _: HotlineComplaint.receive(
        ticket_form() if form is None else form, received_at=RECEIVED_AT, received_on=RECEIVED,
        after_hours=False, actor=STAFF,
    )
