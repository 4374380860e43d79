"""The HotlineComplaint aggregate: a 12351 workers' hotline ticket (工单), docs/domain-reference.md §5."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from eventsourcing.domain import Aggregate

from domain.clocks import DeadlineKeeping, DeadlinePolicy, Happening
from domain.errors import CommandNotAllowed, InvalidInput
from domain.stages import COMPLAINT, COMPLAINT_OPEN_STATES, next_stage
from domain.values import (
    Actor,
    Protect,
    check_free_text,
    Choice,
    parse_amount,
    parse_choice,
    parse_date,
    parse_phone,
    require_text,
)


class TicketChannel(Choice):
    PHONE_12351 = "PHONE_12351"
    ONLINE_DIGITAL_UNION = "ONLINE_DIGITAL_UNION"
    APP = "APP"
    WALK_IN = "WALK_IN"
    TRANSFER_FROM_12345 = "TRANSFER_FROM_12345"
    TRANSFER_FROM_ACFTU = "TRANSFER_FROM_ACFTU"
    TRANSFER_FROM_PROVINCE = "TRANSFER_FROM_PROVINCE"


class TicketCategory(Choice):
    """The ACFTU's five 12351 categories."""

    CONSULTATION = "CONSULTATION"
    ASSISTANCE = "ASSISTANCE"
    COMPLAINT_PETITION = "COMPLAINT_PETITION"
    LEGAL_AID = "LEGAL_AID"
    SUGGESTION = "SUGGESTION"


class Complexity(Choice):
    """Handling tiers 一般 / 难点 / 特别复杂; each has its own H3 limit."""

    GENERAL = "GENERAL"
    DIFFICULT = "DIFFICULT"
    ESPECIALLY_COMPLEX = "ESPECIALLY_COMPLEX"


class Urgency(Choice):
    NORMAL = "NORMAL"
    URGENT = "URGENT"


class ReplyOutcome(Choice):
    RESOLVED = "RESOLVED"
    PARTIALLY = "PARTIALLY"
    EXPLAINED = "EXPLAINED"
    REFERRED = "REFERRED"


class Satisfaction(Choice):
    SATISFIED = "SATISFIED"
    BASICALLY = "BASICALLY"
    UNSATISFIED = "UNSATISFIED"
    UNREACHABLE = "UNREACHABLE"


class ReferralTarget(Choice):
    HOTLINE_12345 = "12345"
    INSPECTION = "INSPECTION"
    PETITION = "PETITION"
    LEGAL_AID = "LEGAL_AID"
    COURT = "COURT"
    ARBITRATION = "ARBITRATION"


UNREACHABLE_ATTEMPTS = 3  # a call-back counts as unreachable after three attempts [P]


def caller_subject(complaint_id: Any) -> str:
    """The vault subject of a ticket's caller."""
    return f"{complaint_id}:caller"


class HotlineComplaint(DeadlineKeeping, Aggregate):
    """A 12351 hotline ticket."""

    class Event(Aggregate.Event):
        actor: dict[str, str]

    class Received(Aggregate.Created):
        channel: str
        received_at: datetime
        received_on: date
        after_hours: bool
        caller: dict[str, Any]
        category: str
        complexity: str
        urgency: str
        summary: str
        subject_employer: str | None
        workers_affected: int | None
        amount_cny: Decimal | None
        street: str | None

        def apply(self, complaint: HotlineComplaint) -> None:
            complaint.channel = self.channel
            complaint.received_at = self.received_at
            complaint.received_on = self.received_on
            complaint.after_hours = self.after_hours
            complaint.caller = dict(self.caller)
            complaint.category = self.category
            complaint.complexity = self.complexity
            complaint.urgency = self.urgency
            complaint.summary = self.summary
            complaint.subject_employer = self.subject_employer
            complaint.workers_affected = self.workers_affected
            complaint.amount_cny = self.amount_cny
            complaint.street = self.street
            complaint.state = COMPLAINT.initial
            complaint.ticket_no = None
            complaint.handling_org = None
            complaint.dispatch_chain = []
            complaint.returns = 0
            complaint.extensions = []
            complaint.notes = []
            complaint.reply = None
            complaint.callback = None
            complaint.dispute_id = None
            complaint.referral = None
            complaint.escalations = []
            complaint.merged_into = None
            complaint.reopen_count = 0
            complaint.deadlines = []
            complaint.caller_erased = False

    @classmethod
    def receive(
        cls,
        data: Mapping[str, Any],
        *,
        received_at: datetime,
        received_on: date,
        after_hours: bool,
        actor: Actor,
        protect: Protect | None = None,
    ) -> HotlineComplaint:
        """Take a call or message in. ``received_on`` is the local (Asia/Shanghai) date.

        The caller's name and phone are sealed under the caller's own key (``protect``)."""
        if not isinstance(data, Mapping):
            raise InvalidInput("body", "expected an object")
        caller = data.get("caller") or {}
        if not isinstance(caller, Mapping):
            raise InvalidInput("caller", "expected an object {name, phone, anonymous}")
        anonymous = caller.get("anonymous", False)
        if not isinstance(anonymous, bool):
            raise InvalidInput("caller.anonymous", "expected true or false")
        phone = parse_phone(caller.get("phone"), "caller.phone")
        if phone is None and not anonymous:
            raise InvalidInput("caller.phone", "is required unless the caller is anonymous (needed for the call-back)")
        member = caller.get("is_union_member")
        if member is not None and not isinstance(member, bool):
            raise InvalidInput("caller.is_union_member", "expected true or false")
        workers = data.get("workers_affected")
        if workers is not None and (not isinstance(workers, int) or isinstance(workers, bool) or workers < 1):
            raise InvalidInput("workers_affected", "expected a positive whole number")
        complaint_id = uuid.uuid4()
        person = {"name": require_text(caller.get("name"), "caller.name", max_length=100, optional=True),
                  "phone": phone}
        return cls._create(
            cls.Received,
            id=complaint_id,
            actor=actor.record(),
            channel=parse_choice(TicketChannel, data.get("channel", "PHONE_12351"), "channel").value,
            received_at=received_at,
            received_on=received_on,
            after_hours=after_hours,
            caller={
                "person": protect(caller_subject(complaint_id), person) if protect else person,
                "anonymous": anonymous,
                "is_union_member": member,
            },
            category=parse_choice(TicketCategory, data.get("category"), "category").value,
            complexity=parse_choice(Complexity, data.get("complexity", "GENERAL"), "complexity").value,
            urgency=parse_choice(Urgency, data.get("urgency", "NORMAL"), "urgency").value,
            summary=check_free_text(require_text(data.get("summary"), "summary", max_length=2000), "summary"),
            subject_employer=require_text(data.get("subject_employer"), "subject_employer", max_length=200, optional=True),
            workers_affected=workers,
            amount_cny=parse_amount(data.get("amount_cny"), "amount_cny"),
            street=require_text(data.get("street"), "street", max_length=50, optional=True),
        )

    class Stepped(Event):
        """Base of every event that moves the ticket to the stage its command decided."""

        stage: str

        def apply(self, complaint: HotlineComplaint) -> None:
            complaint.state = self.stage
            self.apply_details(complaint)

        def apply_details(self, complaint: HotlineComplaint) -> None:
            """Assign the event's own fields."""

    def _step(self, trigger: str, event_class: type, *, actor: Actor, policy: DeadlinePolicy | None = None,
              **fields: Any) -> None:
        stage = next_stage(COMPLAINT, self.state, trigger, what=f"ticket {self.ticket_no or self.id}")
        self.trigger_event(event_class, actor=actor.record(), stage=stage, **fields)
        happening = Happening(subject_id=str(self.id), kind="TICKET", trigger=trigger,
                              on=fields.get("on", self.received_on), complexity=self.complexity)
        self._run_clocks(happening, policy, actor)

    class Registered(Stepped):
        ticket_no: str

        def apply_details(self, complaint: HotlineComplaint) -> None:
            complaint.ticket_no = self.ticket_no

    def register(self, ticket_no: str, *, actor: Actor) -> None:
        """登记: numbered at once, also after hours (§5.2)."""
        self._step("register", self.Registered, actor=actor, ticket_no=ticket_no)

    class AnsweredOnCall(Stepped):
        answer: str

        def apply_details(self, complaint: HotlineComplaint) -> None:
            complaint.reply = {"text": self.answer, "outcome": "EXPLAINED", "on_call": True}

    def answer_on_call(self, answer: Any, *, actor: Actor) -> None:
        """A consultation answered during the call (即时解答)."""
        self._step("answer_on_call", self.AnsweredOnCall, actor=actor,
                   answer=require_text(answer, "answer", max_length=4000))

    class Closed(Stepped):
        on: date

    def close(self, *, on: Any, policy: DeadlinePolicy | None = None, actor: Actor) -> None:
        self._step("close", self.Closed, actor=actor, policy=policy, on=self._on(on))

    class Dispatched(Stepped):
        to_org: str
        level: str
        on: date

        def apply_details(self, complaint: HotlineComplaint) -> None:
            complaint.handling_org = self.to_org
            complaint.dispatch_chain.append({"to_org": self.to_org, "level": self.level, "on": self.on})

    DISPATCH_LEVELS = ("DISTRICT", "STREET", "ENTERPRISE")

    def dispatch(self, *, to_org: Any, level: Any = "DISTRICT", on: Any, policy: DeadlinePolicy | None = None, actor: Actor) -> None:
        """派单 to the handling union; starts H2 (sign-for)."""
        if level not in self.DISPATCH_LEVELS:
            raise InvalidInput("level", f"expected one of {', '.join(self.DISPATCH_LEVELS)}")
        self._step("dispatch", self.Dispatched, actor=actor, policy=policy,
                   to_org=require_text(to_org, "to_org", max_length=100), level=level, on=self._on(on))

    class SignedFor(Stepped):
        on: date

    def sign_for(self, *, on: Any, policy: DeadlinePolicy | None = None, actor: Actor) -> None:
        """签收 by the handling unit; starts H3 (handling and reply)."""
        self._step("sign_for", self.SignedFor, actor=actor, policy=policy, on=self._on(on))

    class ReturnedByUnit(Stepped):
        reason: str
        on: date

        def apply_details(self, complaint: HotlineComplaint) -> None:
            complaint.returns += 1
            complaint.handling_org = None

    def return_by_unit(self, *, reason: Any, on: Any, policy: DeadlinePolicy | None = None, actor: Actor) -> None:
        """退单: the unit returns the ticket with a reason; it is dispatched again."""
        self._step("return_by_unit", self.ReturnedByUnit, actor=actor, policy=policy,
                   reason=require_text(reason, "reason", max_length=500), on=self._on(on))

    class ExtensionRequested(Stepped):
        days: int
        reason: str
        on: date

        def apply_details(self, complaint: HotlineComplaint) -> None:
            complaint.extensions.append({"days": self.days, "reason": self.reason, "on": self.on, "granted": None})

    def request_extension(self, *, days: Any, reason: Any, on: Any, policy: DeadlinePolicy | None = None, actor: Actor) -> None:
        """延期: once per ticket, with approval [P]."""
        if any(e["granted"] is not False for e in self.extensions):
            raise CommandNotAllowed("an extension was already requested for this ticket")
        if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 30:
            raise InvalidInput("days", "expected a whole number of working days from 1 to 30")
        self._step("request_extension", self.ExtensionRequested, actor=actor, policy=policy, days=days,
                   reason=require_text(reason, "reason", max_length=500), on=self._on(on))

    class ExtensionDecided(Stepped):
        granted: bool
        on: date

        def apply_details(self, complaint: HotlineComplaint) -> None:
            complaint.extensions[-1]["granted"] = self.granted
            complaint.extensions[-1]["decided_by"] = self.actor["user_id"]

    def decide_extension(self, *, granted: Any, on: Any, policy: DeadlinePolicy | None = None, actor: Actor) -> None:
        if not self.extensions or self.extensions[-1]["granted"] is not None:
            raise CommandNotAllowed("no extension request is waiting for a decision")
        if not isinstance(granted, bool):
            raise InvalidInput("granted", "expected true or false")
        on_ = self._on(on)
        self._step("decide_extension", self.ExtensionDecided, actor=actor, policy=policy, granted=granted, on=on_)
        if granted:
            for record in self.deadlines:
                if record["rule_id"].startswith("H3") and record["status"] in ("OPEN", "MISSED"):
                    self._recompute(record, "EXTENSION", policy, actor, extension=self.extensions[-1]["days"],
                                    note=f"granted by {actor.user_id}")

    class HandlingNoteAdded(Stepped):
        note: str
        on: date

        def apply_details(self, complaint: HotlineComplaint) -> None:
            complaint.notes.append({"note": self.note, "on": self.on, "by": self.actor["user_id"]})

    def add_handling_note(self, note: Any, *, on: Any, policy: DeadlinePolicy | None = None, actor: Actor) -> None:
        self._step("add_handling_note", self.HandlingNoteAdded, actor=actor, policy=policy,
                   note=check_free_text(require_text(note, "note", max_length=2000), "note"), on=self._on(on))

    class ConvertedToDispute(Stepped):
        dispute_id: str
        on: date

        def apply_details(self, complaint: HotlineComplaint) -> None:
            complaint.dispute_id = self.dispute_id

    def convert_to_dispute(self, dispute_id: str, *, on: Any, policy: DeadlinePolicy | None = None, actor: Actor) -> None:
        """转立案: the complaint becomes a dispute; the ticket continues as coordination."""
        if self.dispute_id is not None:
            raise CommandNotAllowed(f"the ticket was already converted to dispute {self.dispute_id}")
        self._step("convert_to_dispute", self.ConvertedToDispute, actor=actor, policy=policy, dispute_id=dispute_id, on=self._on(on))

    class ReferredOut(Stepped):
        target: str
        ref_no: str | None
        advice: str
        on: date

        def apply_details(self, complaint: HotlineComplaint) -> None:
            complaint.referral = {"target": self.target, "ref_no": self.ref_no}
            complaint.reply = {"text": self.advice, "outcome": "REFERRED", "on_call": False, "on": self.on}

    def refer_out(self, *, target: Any, advice: Any, ref_no: Any = None, on: Any, policy: DeadlinePolicy | None = None, actor: Actor) -> None:
        self._step(
            "refer_out", self.ReferredOut, actor=actor, policy=policy,
            target=parse_choice(ReferralTarget, target, "target").value,
            ref_no=require_text(ref_no, "ref_no", max_length=64, optional=True),
            advice=require_text(advice, "advice", max_length=4000), on=self._on(on),
        )

    class ReplySubmitted(Stepped):
        text: str
        outcome: str
        amount_recovered_cny: Decimal | None
        on: date

        def apply_details(self, complaint: HotlineComplaint) -> None:
            complaint.reply = {"text": self.text, "outcome": self.outcome, "on_call": False, "on": self.on,
                               "amount_recovered_cny": self.amount_recovered_cny}

    def submit_reply(self, *, text: Any, outcome: Any, amount_recovered_cny: Any = None, on: Any, policy: DeadlinePolicy | None = None, actor: Actor) -> None:
        """办结回复; starts H4 (call-back)."""
        self._step(
            "submit_reply", self.ReplySubmitted, actor=actor, policy=policy, text=check_free_text(require_text(text, "text", max_length=4000), "text"),
            outcome=parse_choice(ReplyOutcome, outcome, "outcome").value,
            amount_recovered_cny=parse_amount(amount_recovered_cny, "amount_recovered_cny"), on=self._on(on),
        )

    class QualityChecked(Stepped):
        passed: bool
        notes: str | None

    def check_quality(self, *, passed: Any, notes: Any = None, policy: DeadlinePolicy | None = None, actor: Actor) -> None:
        """质检 before the call-back; a failed check sends the ticket back to handling."""
        if not isinstance(passed, bool):
            raise InvalidInput("passed", "expected true or false")
        self._step("pass_quality_check" if passed else "fail_quality_check", self.QualityChecked, actor=actor, policy=policy,
                   passed=passed, notes=require_text(notes, "notes", max_length=1000, optional=passed))

    class CallbackCompleted(Stepped):
        satisfaction: str
        attempts: int
        justified_complaint: bool
        on: date

        def apply_details(self, complaint: HotlineComplaint) -> None:
            complaint.callback = {"satisfaction": self.satisfaction, "attempts": self.attempts, "on": self.on,
                                  "justified_complaint": self.justified_complaint}
            if self.stage == "REOPENED":
                complaint.reopen_count += 1

    def complete_callback(self, *, satisfaction: Any, attempts: Any = 1, justified_complaint: Any = False,
                          on: Any, policy: DeadlinePolicy | None = None, actor: Actor) -> None:
        """回访: an unsatisfied caller with a justified complaint reopens the ticket."""
        level = parse_choice(Satisfaction, satisfaction, "satisfaction")
        if not isinstance(attempts, int) or isinstance(attempts, bool) or attempts < 1:
            raise InvalidInput("attempts", "expected a positive whole number")
        if level is Satisfaction.UNREACHABLE and attempts < UNREACHABLE_ATTEMPTS:
            raise InvalidInput("attempts", f"a caller counts as unreachable after {UNREACHABLE_ATTEMPTS} attempts")
        if not isinstance(justified_complaint, bool):
            raise InvalidInput("justified_complaint", "expected true or false")
        reopen = level is Satisfaction.UNSATISFIED and justified_complaint
        self._step(
            "complete_callback_reopened" if reopen else "complete_callback_closed", self.CallbackCompleted,
            actor=actor, policy=policy, satisfaction=level.value, attempts=attempts, justified_complaint=justified_complaint,
            on=self._on(on),
        )

    class Merged(Stepped):
        into_complaint_id: str
        on: date

        def apply_details(self, complaint: HotlineComplaint) -> None:
            complaint.merged_into = self.into_complaint_id

    def merge_into(self, other_id: str, other_state: str, *, on: Any, policy: DeadlinePolicy | None = None,
                   actor: Actor) -> None:
        """A duplicate ticket is merged into the one that carries the case, which must still be open."""
        if other_id == str(self.id):
            raise InvalidInput("into", "a ticket cannot be merged into itself")
        if other_state not in COMPLAINT_OPEN_STATES:
            raise InvalidInput("into", f"the ticket to merge into is {other_state}: only an open ticket carries a case")
        self._step("merge", self.Merged, actor=actor, policy=policy, into_complaint_id=other_id, on=self._on(on))

    class Escalated(Stepped):
        level: str
        reason: str
        on: date

        def apply_details(self, complaint: HotlineComplaint) -> None:
            complaint.escalations.append({"level": self.level, "reason": self.reason, "on": self.on})

    ESCALATION_LEVELS = ("DISTRICT", "CITY", "PROVINCE")

    def escalate(self, *, level: Any = "DISTRICT", reason: Any, on: Any, policy: DeadlinePolicy | None = None, actor: Actor) -> None:
        """督办: same stage, escalation recorded."""
        if level not in self.ESCALATION_LEVELS:
            raise InvalidInput("level", f"expected one of {', '.join(self.ESCALATION_LEVELS)}")
        self._step("escalate", self.Escalated, actor=actor, policy=policy, level=level,
                   reason=require_text(reason, "reason", max_length=500), on=self._on(on))

    def _consequence(self, record: dict[str, Any], today: date, actor: Actor,
                     policy: DeadlinePolicy | None) -> None:
        """H2/H3 overdue: 督办 (escalation), when the ticket is still open."""
        if record["consequence"] == "escalate" and "escalate" in COMPLAINT.triggers_from(self.state):
            self._step("escalate", self.Escalated, actor=actor, policy=policy, level="DISTRICT",
                       reason=f"{record['rule_id']} overdue (due {record['due_date']})", on=today)

    class CallerDataErased(Event):
        legal_basis: str

        def apply(self, complaint: HotlineComplaint) -> None:
            complaint.caller_erased = True

    def erase_caller_data(self, *, legal_basis: Any, actor: Actor) -> str:
        """删除个人信息: record the erasure of the caller's data; the application destroys the key."""
        if self.caller_erased:
            raise CommandNotAllowed("the caller's personal data was already erased")
        basis = require_text(legal_basis, "legal_basis", max_length=300)
        self.trigger_event(self.CallerDataErased, actor=actor.record(), legal_basis=basis)
        return caller_subject(self.id)

    # ------------------------------------------------------------------ queries

    def allowed_actions(self) -> list[str]:
        return COMPLAINT.triggers_from(self.state)

    def _on(self, on: Any) -> date:
        value = parse_date(on, "on")
        if value < self.received_on:
            raise InvalidInput("on", f"is before the ticket was received ({self.received_on})")
        return value
