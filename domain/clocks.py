"""Statutory clocks on a case: which step starts which rule, which step meets it, what lapse follows.

The plan is data (:data:`CLOCKS`). An aggregate step tells :class:`DeadlineKeeping` what happened
(subject, trigger, business date); the mixin decides, with the :class:`DeadlinePolicy` it is given,
which deadlines start, are met, restart or are cancelled, and records each as an event carrying the
computed due date, the rule version and the calendar version. Replay only assigns those records:
a later change of the holiday table never moves a historical deadline. Adopting a new calendar for
open cases is the explicit command :meth:`DeadlineKeeping.adopt_policy`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any

from eventsourcing.domain import Aggregate

from domain.calendar import HolidayCalendar, default_calendar
from domain.deadlines import DeadlineComputation, DeadlineError, RuleTable, compute_deadline, default_rules, warning_level
from domain.errors import CommandNotAllowed, InvalidInput, NotFound
from domain.values import Actor, require_text

DEFAULT_YELLOW_SHARE = 0.8


@dataclass(frozen=True)
class DeadlinePolicy:
    """The calendar and rule table a command computes with; a pure value."""

    calendar: HolidayCalendar
    rules: RuleTable
    yellow_share: float = DEFAULT_YELLOW_SHARE

    def compute(self, rule_id: str, start: date, *, extension: int = 0, suspended_days: int = 0) -> DeadlineComputation:
        return compute_deadline(
            rule_id, start, self.calendar, rules=self.rules, extension=extension, suspended_days=suspended_days
        )

    def yellow_on(self, start: date, due: date) -> date:
        """The first day the warning light turns yellow (``yellow_share`` of the period elapsed)."""
        if due < start:  # a period counted back from its trigger (A7): warn from the start
            return start
        day = start
        while day <= due:
            if warning_level((start, due), day, self.yellow_share) != "GREEN":
                return day
            day += timedelta(days=1)
        return due + timedelta(days=1)


@cache
def default_policy() -> DeadlinePolicy:
    return DeadlinePolicy(default_calendar(), default_rules())


@dataclass(frozen=True)
class ClockSpec:
    """One statutory clock: the step that starts it, the steps that meet or cancel it, its consequence.

    Triggers are the stage-table triggers (``accept``, ``conclude`` …) plus ``received`` (an
    application or a handoff arrives, or is completed after a supplement), ``conclude:OUTCOME``,
    ``serve:DOC_TYPE`` (service on one party starts that party's clock) and ``open:KIND``
    (another proceeding of KIND is opened on the dispute, e.g. a suit against an award).
    """

    rule_id: str
    kind: str
    starts: str
    meets: tuple[str, ...]
    cancels: tuple[str, ...] = ()
    consequence: str | None = None
    org_types: tuple[str, ...] = ()
    complexity: str | None = None
    party_side: str | None = None
    meeting_side: str | None = None
    suspendable: bool = False


_ENDS = ("withdraw", "reject", "decline_by_party", "lapse", "mark_acceptance_overdue", "conclude")


def _cancels(*meets: str) -> tuple[str, ...]:
    return tuple(t for t in _ENDS if t not in meets)


CLOCKS: tuple[ClockSpec, ...] = (
    # Mediation: 15 days from receipt, then the party may apply for arbitration (LDMAL art. 14).
    ClockSpec("M3", "MEDIATION", "received", ("conclude",), _cancels("conclude"), consequence="lapse"),
    ClockSpec("F1", "MEDIATION", "accept", ("conclude",), _cancels("conclude"),
              org_types=("UNION_MEDIATION_CENTRE",)),
    ClockSpec("M8", "MEDIATION", "conclude:AGREEMENT_SIGNED", ("open:JUDICIAL_CONFIRMATION",)),
    ClockSpec("M9", "JUDICIAL_CONFIRMATION", "accept", ("conclude",), _cancels("conclude")),
    ClockSpec("P1", "PAYMENT_ORDER", "received", ("accept", "reject"), _cancels("accept", "reject")),
    ClockSpec("P2", "PAYMENT_ORDER", "accept", ("conclude",), _cancels("conclude")),
    # Arbitration: accept or refuse in 5 days (art. 29), award in 45 (+15) days (art. 43).
    ClockSpec("A3", "ARBITRATION", "received", ("accept", "reject"), _cancels("accept", "reject"),
              consequence="acceptance_overdue"),
    ClockSpec("A8", "ARBITRATION", "accept", ("conclude",), _cancels("conclude"), consequence="award_overdue",
              suspendable=True),
    ClockSpec("A11", "ARBITRATION", "serve:ARB_AWARD_FINAL", ("open:LITIGATION_FIRST",), party_side="WORKER",
              meeting_side="WORKER", consequence="challenge_expired"),
    ClockSpec("A12", "ARBITRATION", "serve:ARB_AWARD_FINAL", ("open:AWARD_REVOCATION",), party_side="EMPLOYER",
              meeting_side="EMPLOYER", consequence="challenge_expired"),
    ClockSpec("A13", "ARBITRATION", "serve:ARB_AWARD_NON_FINAL", ("open:LITIGATION_FIRST",),
              consequence="challenge_expired"),
    # Court.
    ClockSpec("L1", "LITIGATION_FIRST", "received", ("accept", "reject"), _cancels("accept", "reject")),
    ClockSpec("L3", "LITIGATION_FIRST", "accept", ("conclude",), _cancels("conclude"), suspendable=True),
    ClockSpec("L6", "LITIGATION_FIRST", "serve:JUDGMENT", ("open:APPEAL",)),
    ClockSpec("L7", "APPEAL", "accept", ("conclude",), _cancels("conclude"), suspendable=True),
    # Administrative side tracks.
    ClockSpec("I1", "LABOUR_INSPECTION", "received", ("accept", "reject"), _cancels("accept", "reject")),
    ClockSpec("I2", "LABOUR_INSPECTION", "accept", ("conclude",), _cancels("conclude"), suspendable=True),
    ClockSpec("LA1", "LEGAL_AID", "received", ("accept", "reject", "conclude"), _cancels("accept", "reject", "conclude")),
    # 12351 tickets ([P] limits, configurable per district).
    ClockSpec("H2", "TICKET", "dispatch", ("sign_for",), ("return_by_unit", "merge"), consequence="escalate"),
    ClockSpec("H3", "TICKET", "sign_for", ("submit_reply", "refer_out"), ("merge",), consequence="escalate",
              complexity="GENERAL"),
    ClockSpec("H3D", "TICKET", "sign_for", ("submit_reply", "refer_out"), ("merge",), consequence="escalate",
              complexity="DIFFICULT"),
    ClockSpec("H3C", "TICKET", "sign_for", ("submit_reply", "refer_out"), ("merge",), consequence="escalate",
              complexity="ESPECIALLY_COMPLEX"),
    ClockSpec("H4", "TICKET", "submit_reply", ("complete_callback_closed", "complete_callback_reopened"),
              ("fail_quality_check", "merge")),
)
SPECS = {spec.rule_id: spec for spec in CLOCKS}
OPEN_DEADLINE = ("OPEN", "MISSED")


def _matches(trigger: str, wanted: str) -> bool:
    return trigger == wanted or trigger.split(":", 1)[0] == wanted


@dataclass(frozen=True)
class Happening:
    """A step on a subject (a proceeding or the ticket itself), as the clocks see it."""

    subject_id: str
    kind: str
    trigger: str
    on: date
    org_type: str | None = None
    complexity: str | None = None
    party_side: str | None = None


class DeadlineKeeping:
    """Mixin for aggregates with statutory clocks. State: ``self.deadlines`` (JSON-shaped records)."""

    deadlines: list[dict[str, Any]]

    class DeadlineComputed(Aggregate.Event):
        actor: dict[str, str]
        deadline_id: str
        subject_id: str
        party_side: str | None
        consequence: str | None
        computation: dict[str, Any]
        yellow_on: date

        def apply(self, aggregate: Any) -> None:
            aggregate.deadlines.append(
                {
                    "deadline_id": self.deadline_id,
                    "subject_id": self.subject_id,
                    "party_side": self.party_side,
                    "consequence": self.consequence,
                    **self.computation,
                    "yellow_on": self.yellow_on.isoformat(),
                    "status": "OPEN",
                    "warned": None,
                    "met_on": None,
                    "on_time": None,
                    "missed_on": None,
                }
            )

    class DeadlineRecomputed(Aggregate.Event):
        actor: dict[str, str]
        deadline_id: str
        reason: str  # RESTART | TOLLING | EXTENSION | CALENDAR_UPDATE
        computation: dict[str, Any]
        yellow_on: date
        note: str | None

        def apply(self, aggregate: Any) -> None:
            record = aggregate.deadline(self.deadline_id)
            record.update(self.computation)
            record["yellow_on"] = self.yellow_on.isoformat()
            record["status"] = "OPEN"
            record["warned"] = None
            record["missed_on"] = None

    class DeadlineMet(Aggregate.Event):
        actor: dict[str, str]
        deadline_id: str
        on: date
        on_time: bool

        def apply(self, aggregate: Any) -> None:
            record = aggregate.deadline(self.deadline_id)
            record["status"] = "MET"
            record["met_on"] = self.on.isoformat()
            record["on_time"] = self.on_time

    class DeadlineCancelled(Aggregate.Event):
        actor: dict[str, str]
        deadline_id: str
        on: date
        because: str

        def apply(self, aggregate: Any) -> None:
            aggregate.deadline(self.deadline_id)["status"] = "CANCELLED"

    class DeadlineWarned(Aggregate.Event):
        actor: dict[str, str]
        deadline_id: str
        level: str
        on: date

        def apply(self, aggregate: Any) -> None:
            aggregate.deadline(self.deadline_id)["warned"] = self.level

    class DeadlineMissed(Aggregate.Event):
        """超期: recorded by the clock, as the system user, from the day after the due date."""

        actor: dict[str, str]
        deadline_id: str
        on: date

        def apply(self, aggregate: Any) -> None:
            record = aggregate.deadline(self.deadline_id)
            record["status"] = "MISSED"
            record["warned"] = "RED"
            record["missed_on"] = self.on.isoformat()

    # ------------------------------------------------------------------ deciding

    def deadline(self, deadline_id: str) -> dict[str, Any]:
        for record in self.deadlines:
            if record["deadline_id"] == deadline_id:
                return record
        raise NotFound(f"no deadline {deadline_id!r} on this case")

    def _run_clocks(self, happening: Happening, policy: DeadlinePolicy | None, actor: Actor) -> None:
        """Record what ``happening`` does to the clocks: met, cancelled, started or restarted."""
        policy = policy or default_policy()
        who = actor.record()
        for record in [d for d in self.deadlines if d["status"] in OPEN_DEADLINE]:
            spec = SPECS.get(record["rule_id"])
            if spec is None or not self._concerns(record, spec, happening):
                continue
            if any(_matches(happening.trigger, m) for m in spec.meets) and (
                spec.meeting_side is None or happening.party_side in (None, spec.meeting_side, "BOTH")
            ):
                on_time = happening.on <= date.fromisoformat(record["due_date"])
                self.trigger_event(self.DeadlineMet, actor=who, deadline_id=record["deadline_id"],
                                   on=happening.on, on_time=on_time)
            elif (record["status"] == "OPEN" and record["subject_id"] == happening.subject_id
                  and any(_matches(happening.trigger, c) for c in spec.cancels)):
                self.trigger_event(self.DeadlineCancelled, actor=who, deadline_id=record["deadline_id"],
                                   on=happening.on, because=happening.trigger)
        for spec in CLOCKS:
            if not self._starts(spec, happening):
                continue
            computation = policy.compute(spec.rule_id, happening.on)
            existing = self._open_deadline(spec.rule_id, happening.subject_id, happening.party_side)
            if existing is not None:
                self.trigger_event(
                    self.DeadlineRecomputed, actor=who, deadline_id=existing["deadline_id"], reason="RESTART",
                    computation=_record(computation),
                    yellow_on=policy.yellow_on(computation.start, computation.due_date), note=happening.trigger,
                )
                continue
            self.trigger_event(
                self.DeadlineComputed, actor=who, deadline_id=uuid.uuid4().hex[:12],
                subject_id=happening.subject_id,
                party_side=happening.party_side if happening.trigger.startswith("serve:") else None,
                consequence=spec.consequence, computation=_record(computation),
                yellow_on=policy.yellow_on(computation.start, computation.due_date),
            )

    def _concerns(self, record: dict[str, Any], spec: ClockSpec, happening: Happening) -> bool:
        if happening.trigger.startswith("open:"):
            return spec.kind != happening.kind and any(_matches(happening.trigger, m) for m in spec.meets)
        return record["subject_id"] == happening.subject_id

    @staticmethod
    def _starts(spec: ClockSpec, happening: Happening) -> bool:
        return (
            spec.kind == happening.kind
            and spec.starts == happening.trigger
            and (not spec.org_types or happening.org_type in spec.org_types)
            and (spec.complexity is None or happening.complexity == spec.complexity)
            and (spec.party_side is None or happening.party_side == spec.party_side)
        )

    def _open_deadline(self, rule_id: str, subject_id: str, party_side: str | None) -> dict[str, Any] | None:
        for record in self.deadlines:
            if (record["rule_id"] == rule_id and record["subject_id"] == subject_id
                    and record["status"] in OPEN_DEADLINE
                    and (record["party_side"] is None or record["party_side"] == party_side)):
                return record
        return None

    def _recompute(self, record: dict[str, Any], reason: str, policy: DeadlinePolicy | None, actor: Actor, *,
                   start: date | None = None, extension: int | None = None, suspended_days: int | None = None,
                   note: str | None = None) -> None:
        policy = policy or default_policy()
        try:
            computation = policy.compute(
                record["rule_id"],
                start or date.fromisoformat(record["start"]),
                extension=record["extension"] if extension is None else extension,
                suspended_days=record["suspended_days"] if suspended_days is None else suspended_days,
            )
        except DeadlineError as error:
            raise InvalidInput(error.field or "extension", error.reason) from None
        self.trigger_event(
            self.DeadlineRecomputed, actor=actor.record(), deadline_id=record["deadline_id"], reason=reason,
            computation=_record(computation), yellow_on=policy.yellow_on(computation.start, computation.due_date),
            note=note,
        )

    def _toll(self, subject_id: str, days: int, policy: DeadlinePolicy | None, actor: Actor) -> None:
        """中止: the suspension period is excluded from suspendable clocks (2017 rules art. 46)."""
        for record in [d for d in self.deadlines if d["subject_id"] == subject_id and d["status"] in OPEN_DEADLINE]:
            spec = SPECS.get(record["rule_id"])
            if spec is not None and spec.suspendable and days > 0:
                self._recompute(record, "TOLLING", policy, actor, suspended_days=record["suspended_days"] + days)

    def _restart(self, rule_id: str, subject_id: str, on: date, policy: DeadlinePolicy | None, actor: Actor,
                 note: str) -> None:
        """§1.7: a change of claims or parties restarts the clock from the day the change is accepted."""
        record = self._open_deadline(rule_id, subject_id, None)
        if record is not None:
            self._recompute(record, "RESTART", policy, actor, start=on, suspended_days=0, note=note)

    # ------------------------------------------------------------------ commands

    def extend_deadline(self, deadline_id: Any, *, extension: Any, approver: Any, on: Any = None,
                        policy: DeadlinePolicy | None = None, actor: Actor) -> None:
        """An approved extension (e.g. award +15 days with the chair's written approval) is an event."""
        if not isinstance(deadline_id, str):
            raise InvalidInput("deadline_id", "is required")
        record = self.deadline(deadline_id)
        if record["status"] not in OPEN_DEADLINE:
            raise CommandNotAllowed(f"deadline {deadline_id} is {record['status']}", state=record["status"])
        if not isinstance(extension, int) or isinstance(extension, bool) or extension < 1:
            raise InvalidInput("extension", "expected a positive whole number in the rule's unit")
        who = require_text(approver, "approver", max_length=100)
        self._recompute(record, "EXTENSION", policy, actor, extension=record["extension"] + extension,
                        note=f"approved by {who}")

    def adopt_policy(self, policy: DeadlinePolicy, *, actor: Actor) -> int:
        """Adopt a new calendar or rule table for this case's open deadlines; returns how many moved."""
        moved = 0
        for record in [d for d in self.deadlines if d["status"] in OPEN_DEADLINE]:
            fresh = policy.compute(record["rule_id"], date.fromisoformat(record["start"]),
                                   extension=record["extension"], suspended_days=record["suspended_days"])
            if (fresh.due_date.isoformat(), fresh.calendar_version, fresh.rule_version) != (
                record["due_date"], record["calendar_version"], record["rule_version"]
            ):
                self._recompute(record, "CALENDAR_UPDATE", policy, actor)
                moved += 1
        return moved

    def check_deadline(self, deadline_id: str, today: date, *, actor: Actor,
                       policy: DeadlinePolicy | None = None) -> bool:
        """The clock's command: record a yellow warning or a miss with its legal consequence, once.

        Returns False (and records nothing) when there is nothing new to record, so running the
        clock twice records nothing twice.
        """
        record = self.deadline(deadline_id)
        if record["status"] != "OPEN":
            return False
        due = date.fromisoformat(record["due_date"])
        who = actor.record()
        if today > due:
            self.trigger_event(self.DeadlineMissed, actor=who, deadline_id=deadline_id, on=today)
            self._consequence(record, today, actor, policy)
            return True
        if today >= date.fromisoformat(record["yellow_on"]) and record["warned"] is None:
            self.trigger_event(self.DeadlineWarned, actor=who, deadline_id=deadline_id, level="YELLOW", on=today)
            return True
        return False

    def _consequence(self, record: dict[str, Any], today: date, actor: Actor,
                     policy: DeadlinePolicy | None) -> None:
        """Record the legal effect of a missed deadline; the aggregate decides how (overridden per aggregate)."""


def _record(computation: DeadlineComputation) -> dict[str, Any]:
    return computation.to_record()


def open_deadlines(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [d for d in records if d["status"] in OPEN_DEADLINE]
