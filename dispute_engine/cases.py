"""The application: one eventsourcing Application holding both aggregate kinds.

One application means one notification log, identical on SQLite and PostgreSQL,
for the views, the clock and the audit trail. Each public method is one command:
load the aggregate, let it decide, save. A save that loses an optimistic race is
retried on fresh state (commands are pure functions of state and arguments);
a caller that names the version it saw gets :class:`StaleVersion` instead.
"""

from __future__ import annotations

import functools
import inspect
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, Repository
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Transcoding
from eventsourcing.utils import strtobool

from dispute_engine.clock import Clock, is_after_hours
from dispute_engine.config import ConfigurationError, Settings
from dispute_engine.idempotency import IdempotencyClaim, IdempotencyRecord
from dispute_engine.replay import ReplayingRepository
from dispute_engine.secrets import event_cipher_env
from dispute_engine.vault import Vault
from domain.calendar import default_calendar
from domain.clocks import DeadlinePolicy
from domain.complaint import HotlineComplaint
from domain.deadlines import DeadlineError, default_rules, load_rules, read_rule_overrides
from domain.complaint import caller_subject
from domain.dispute import Dispute, new_id, subject_of
from domain.errors import InvalidInput, NotFound, StaleVersion
from domain.sequence import YearlySequence
from domain.values import Actor, Origin, parse_intake

A = TypeVar("A", bound=Aggregate)


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


@dataclass(frozen=True)
class CommandResult:
    """What a command answers: the aggregate, its new version, and the log position of its last event."""

    id: str
    version: int
    position: int | None
    data: dict[str, Any] = field(default_factory=dict)


class Replayed(Exception):
    """The request repeats an earlier one with the same idempotency key: here is the original result."""

    def __init__(self, result: CommandResult) -> None:
        super().__init__("replayed")
        self.result = result


@dataclass(frozen=True)
class HistoryEntry:
    version: int
    type: str
    recorded_at: datetime
    actor: dict[str, str] | None
    business_date: date | None
    data: dict[str, Any]


CASE_LOCK_STRIPES = 256
_ENVELOPE = {"originator_id", "originator_version", "timestamp", "originator_topic", "actor"}
_BUSINESS_DATE_FIELDS = ("on", "received_on", "served_on", "requested_on")


class DisputeEngine(Application[UUID]):
    """Disputes and 12351 tickets, in one log."""

    name = "DisputeEngine"
    snapshotting_intervals = {Dispute: 50, HotlineComplaint: 50, YearlySequence: 50}

    def __init__(self, settings: Settings, clock: Clock | None = None, vault: Vault | None = None) -> None:
        self.settings = settings
        self.clock = clock or Clock()
        self.vault = vault
        self.protect = vault.seal if vault is not None else None
        interval = settings.snapshot_interval
        self.snapshotting_intervals = {Dispute: interval, HotlineComplaint: interval, YearlySequence: interval}
        self.policy = build_policy(settings)
        self.conflicts_retried = 0
        # Commands on one case from threads of this process take turns (striped locks): racing saves
        # would only conflict and retry. Other processes still meet optimistic concurrency and retries.
        self._case_locks = [threading.Lock() for _ in range(CASE_LOCK_STRIPES)]
        self._intake_lock = threading.Lock()
        super().__init__(env={**settings.eventsourcing_env(), **event_cipher_env(settings)})

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    def construct_repository(self) -> Repository[UUID]:
        """The library's repository from the same settings; see :mod:`dispute_engine.replay` for the difference."""
        cache_maxsize = self.env.get(self.AGGREGATE_CACHE_MAXSIZE)
        select_with_latest_snapshot = getattr(self.recorder, "select_with_latest_snapshot", None)
        return ReplayingRepository(
            event_store=self.events,
            snapshot_store=self.snapshots,
            read_from_snapshot=(
                functools.partial(select_with_latest_snapshot, self.snapshots.recorder)
                if select_with_latest_snapshot is not None and self.snapshots is not None else None),
            cache_maxsize=int(cache_maxsize) if cache_maxsize else None,
            fastforward=strtobool(self.env.get(self.AGGREGATE_CACHE_FASTFORWARD, "y")),
            fastforward_skipping=strtobool(self.env.get(self.AGGREGATE_CACHE_FASTFORWARD_SKIPPING, "n")),
            deepcopy_from_cache=strtobool(self.env.get(self.DEEPCOPY_FROM_AGGREGATE_CACHE, "y")),
        )

    # ------------------------------------------------------------------ saving with retry

    def _save(self, *aggregates: Aggregate) -> int | None:
        recordings = self.save(*aggregates)
        return recordings[-1].notification.id if recordings else None

    def _change(
        self,
        kind: type[A],
        aggregate_id: Any,
        command: Callable[[A], Any],
        *,
        expected_version: int | None = None,
        idempotency: IdempotencyClaim | None = None,
    ) -> CommandResult:
        """Load, decide, save; on a lost race, decide again on fresh state."""
        with self._case_locks[hash(_uuid(aggregate_id)) % CASE_LOCK_STRIPES]:
            return self._change_locked(kind, aggregate_id, command, expected_version=expected_version,
                                       idempotency=idempotency)

    def _change_locked(
        self,
        kind: type[A],
        aggregate_id: Any,
        command: Callable[[A], Any],
        *,
        expected_version: int | None,
        idempotency: IdempotencyClaim | None,
    ) -> CommandResult:
        attempts = 0
        while True:
            self._check_replay(idempotency)
            aggregate = self.load(kind, aggregate_id)
            if expected_version is not None and aggregate.version != expected_version:
                raise StaleVersion(expected_version, aggregate.version)
            answer = command(aggregate)
            result = CommandResult(str(aggregate.id), aggregate.version, None, answer if isinstance(answer, dict) else {})
            try:
                position = self._save(aggregate, *self._idempotency_record(idempotency, result))
            except IntegrityError:
                self._check_replay(idempotency)
                if expected_version is not None:
                    raise StaleVersion(expected_version, self.load(kind, aggregate_id).version) from None
                self.conflicts_retried += 1
                attempts += 1
                if attempts > self.settings.command_retries:
                    raise
                time.sleep(random.uniform(0, min(0.05, 0.002 * 2 ** min(attempts, 5))))
                continue
            return replace(result, position=position)

    def _check_replay(self, claim: IdempotencyClaim | None) -> None:
        """Raise :class:`Replayed` with the original result if this key was already used for this request."""
        if claim is None:
            return
        try:
            record = self.repository.get(claim.record_id)
        except AggregateNotFoundError:
            return
        if not isinstance(record, IdempotencyRecord) or record.fingerprint != claim.fingerprint:
            raise InvalidInput("Idempotency-Key", "this key was already used for a different request")
        raise Replayed(CommandResult(**record.response, position=None))

    @staticmethod
    def _idempotency_record(claim: IdempotencyClaim | None, result: CommandResult) -> list[Aggregate]:
        if claim is None:
            return []
        return [IdempotencyRecord.record(claim, {"id": result.id, "version": result.version, "data": result.data})]

    def load_id(self, aggregate_id: Any) -> UUID:
        """The store's id for a case id given as text."""
        return _uuid(aggregate_id)

    def load(self, kind: type[A], aggregate_id: Any, version: int | None = None) -> A:
        uid = _uuid(aggregate_id)
        try:
            aggregate = self.repository.get(uid, version=version)
        except AggregateNotFoundError:
            raise NotFound(f"no {_label(kind)} {aggregate_id}") from None
        if not isinstance(aggregate, kind):
            raise NotFound(f"no {_label(kind)} {aggregate_id}")
        return aggregate

    def _issue_number(self, series: str, template: str, year: int, issued_to: str) -> tuple[str, YearlySequence]:
        sequence_id = YearlySequence.id_for(series, year)
        try:
            sequence = self.repository.get(sequence_id)
        except AggregateNotFoundError:
            sequence = YearlySequence.start(series, year)
        number = sequence.issue(issued_to)
        return template.format(year=year, seq=number), sequence

    def _create_with_number(
        self, build: Callable[[], tuple[Aggregate, ...]], result_of: Callable[[Aggregate], CommandResult],
        idempotency: IdempotencyClaim | None = None,
    ) -> CommandResult:
        """Save a new aggregate with the number series it drew from; retry if another intake won the number.

        Intakes in this process take turns (they all draw from the year's sequence, so racing ones would
        only conflict); other processes still meet the sequence's optimistic concurrency and retry."""
        with self._intake_lock:
            return self._create_with_number_locked(build, result_of, idempotency)

    def _create_with_number_locked(
        self, build: Callable[[], tuple[Aggregate, ...]], result_of: Callable[[Aggregate], CommandResult],
        idempotency: IdempotencyClaim | None,
    ) -> CommandResult:
        for attempt in range(self.settings.command_retries + 1):
            self._check_replay(idempotency)
            aggregates = build()
            result = result_of(aggregates[0])
            try:
                position = self._save(*aggregates, *self._idempotency_record(idempotency, result))
            except IntegrityError:
                self._check_replay(idempotency)
                if attempt == self.settings.command_retries:
                    raise
                time.sleep(random.uniform(0, 0.002 * (attempt + 1)))
                continue
            return replace(result, position=position)
        raise AssertionError("unreachable")

    def _arguments(self, method: Callable[..., Any], arguments: Mapping[str, Any]) -> dict[str, Any]:
        given = _checked_arguments(method, arguments, self.clock.today())
        parameters = inspect.signature(method).parameters
        if "policy" in parameters:
            given["policy"] = self.policy
        if "protect" in parameters:
            given["protect"] = self.protect
        return given

    # ------------------------------------------------------------------ disputes: intake

    def register_dispute(self, data: Mapping[str, Any], *, actor: Actor,
                         idempotency: IdempotencyClaim | None = None) -> CommandResult:
        """Take a dispute in; the centre's case number (案号) is issued in the same transaction."""
        intake = parse_intake(data, default_received_on=self.clock.today(), new_party_id=new_id)

        def build() -> tuple[Aggregate, ...]:
            case_number, sequence = self._issue_number(
                "case", self.settings.case_number_format, intake.received_on.year, "dispute"
            )
            return Dispute.register(intake, case_number=case_number, actor=actor, protect=self.protect), sequence

        return self._create_with_number(
            build, lambda d: CommandResult(str(d.id), d.version, None, {"case_number": d.case_number}), idempotency)

    def convert_complaint_to_dispute(
        self, complaint_id: Any, data: Mapping[str, Any], *, actor: Actor, expected_version: int | None = None,
        idempotency: IdempotencyClaim | None = None,
    ) -> CommandResult:
        """转立案: the ticket and the new dispute are saved together, atomically, in one transaction.

        Both aggregates live in this one application, so a single save covers both:
        there is no moment where one exists without the other.
        """
        if not isinstance(data, Mapping):
            raise InvalidInput("body", "expected an object")
        base = self.load(HotlineComplaint, complaint_id)
        if expected_version is not None and base.version != expected_version:
            raise StaleVersion(expected_version, base.version)
        form = dict(data)
        form.setdefault("origin", Origin.HOTLINE.value)
        form.setdefault("summary", base.summary)
        form.setdefault("received_on", base.received_on.isoformat())
        if form["origin"] != Origin.HOTLINE.value:
            raise InvalidInput("origin", "a dispute converted from a 12351 ticket has origin HOTLINE")
        intake = parse_intake(form, default_received_on=self.clock.today(), new_party_id=new_id)
        on = self.clock.today()

        def build() -> tuple[Aggregate, ...]:
            complaint = self.load(HotlineComplaint, complaint_id)
            if expected_version is not None and complaint.version != expected_version:
                raise StaleVersion(expected_version, complaint.version)
            case_number, sequence = self._issue_number(
                "case", self.settings.case_number_format, intake.received_on.year, "dispute"
            )
            dispute = Dispute.register(intake, case_number=case_number, actor=actor, complaint_id=str(complaint.id),
                                       protect=self.protect)
            complaint.convert_to_dispute(str(dispute.id), on=on, policy=self.policy, actor=actor)
            return dispute, complaint, sequence

        return self._create_with_number(
            build,
            lambda d: CommandResult(str(d.id), d.version, None,
                                    {"case_number": d.case_number, "complaint_id": str(_uuid(complaint_id))}),
            idempotency,
        )

    # ------------------------------------------------------------------ disputes: commands

    def dispute_command(
        self, dispute_id: Any, command: str, arguments: Mapping[str, Any], *, actor: Actor,
        expected_version: int | None = None, idempotency: IdempotencyClaim | None = None,
        authorize: Callable[[Dispute], None] | None = None,
    ) -> CommandResult:
        """Run one of the Dispute's public commands by name (the API's and CLI's single entry point)."""
        method = DISPUTE_COMMANDS.get(command)
        if method is None:
            raise NotFound(f"no dispute command {command!r}")
        if not isinstance(arguments, Mapping):
            raise InvalidInput("body", "expected an object")

        def run(dispute: Dispute) -> Any:
            if authorize is not None:
                authorize(dispute)
            return _answer_dict(method(dispute, **self._arguments(method, arguments), actor=actor))

        return self._change(Dispute, dispute_id, run, expected_version=expected_version, idempotency=idempotency)

    # ------------------------------------------------------------------ hotline tickets

    def receive_complaint(self, data: Mapping[str, Any], *, actor: Actor,
                          idempotency: IdempotencyClaim | None = None) -> CommandResult:
        """Take a 12351 call or message in and register it at once, also after hours (§5.2)."""
        now = self.clock.now()
        received_on = self.clock.today()

        def build() -> tuple[Aggregate, ...]:
            complaint = HotlineComplaint.receive(
                data, received_at=now, received_on=received_on, after_hours=is_after_hours(now), actor=actor,
                protect=self.protect,
            )
            ticket_no, sequence = self._issue_number(
                "ticket", self.settings.ticket_number_format, received_on.year, "complaint"
            )
            complaint.register(ticket_no, actor=actor)
            return complaint, sequence

        return self._create_with_number(
            build, lambda c: CommandResult(str(c.id), c.version, None, {"ticket_no": c.ticket_no}), idempotency)

    def complaint_command(
        self, complaint_id: Any, command: str, arguments: Mapping[str, Any], *, actor: Actor,
        expected_version: int | None = None, idempotency: IdempotencyClaim | None = None,
    ) -> CommandResult:
        method = COMPLAINT_COMMANDS.get(command)
        if method is None:
            raise NotFound(f"no complaint command {command!r}")
        if not isinstance(arguments, Mapping):
            raise InvalidInput("body", "expected an object")

        def run(complaint: HotlineComplaint) -> Any:
            return _answer_dict(method(complaint, **self._arguments(method, arguments), actor=actor))

        return self._change(HotlineComplaint, complaint_id, run, expected_version=expected_version,
                            idempotency=idempotency)

    def merge_complaint(self, complaint_id: Any, into: Any, *, actor: Actor,
                        expected_version: int | None = None, idempotency: IdempotencyClaim | None = None) -> CommandResult:
        try:
            target = self.load(HotlineComplaint, into)
        except NotFound:
            raise InvalidInput("into", f"no ticket {into!r}") from None
        on = self.clock.today()
        return self._change(
            HotlineComplaint, complaint_id,
            lambda c: c.merge_into(str(target.id), target.state, on=on, policy=self.policy, actor=actor),
            expected_version=expected_version, idempotency=idempotency,
        )

    # ------------------------------------------------------------------ deadlines

    def check_deadline(self, kind: type[A], case_id: Any, deadline_id: str, today: date, *,
                       actor: Actor) -> CommandResult:
        """The clock's command: record a warning or a miss (and its consequence) once; else record nothing."""
        return self._change(kind, case_id, lambda case: case.check_deadline(
            deadline_id, today, actor=actor, policy=self.policy))

    def extend_deadline(self, kind: type[A], case_id: Any, deadline_id: Any, *, extension: Any, approver: Any,
                        actor: Actor, expected_version: int | None = None,
                        idempotency: IdempotencyClaim | None = None) -> CommandResult:
        """An approved extension (e.g. the award period +15 days, LDMAL art. 43) recorded with its approver."""
        return self._change(kind, case_id, lambda case: case.extend_deadline(
            deadline_id, extension=extension, approver=approver, policy=self.policy, actor=actor),
            expected_version=expected_version, idempotency=idempotency)

    def adopt_policy(self, kind: type[A], case_id: Any, *, actor: Actor) -> CommandResult:
        """Recompute this case's open deadlines with the deployment's current calendar (CALENDAR_UPDATE)."""
        return self._change(kind, case_id, lambda case: {"moved": case.adopt_policy(self.policy, actor=actor)})

    # ------------------------------------------------------------------ personal data erasure

    def erase_party_data(self, dispute_id: Any, party_id: Any, *, legal_basis: Any, actor: Actor) -> CommandResult:
        """Erase one person's data on a lawful request: the event first, then the key is destroyed.

        If the key could not be destroyed after the event was recorded, running the command again
        destroys it without recording a second event.
        """
        dispute = self.load(Dispute, dispute_id)
        if isinstance(party_id, str) and party_id in dispute.erased_parties:
            self._destroy_key(subject_of(dispute.id, party_id))
            return CommandResult(str(dispute.id), dispute.version, None, {"party_id": party_id})
        subjects: list[str] = []

        def run(case: Dispute) -> dict[str, Any]:
            subjects.append(case.erase_personal_data(party_id, legal_basis=legal_basis, actor=actor))
            return {"party_id": party_id}

        result = self._change(Dispute, dispute_id, run)
        self._destroy_key(subjects[-1])
        return result

    def erase_caller_data(self, complaint_id: Any, *, legal_basis: Any, actor: Actor) -> CommandResult:
        complaint = self.load(HotlineComplaint, complaint_id)
        if complaint.caller_erased:
            self._destroy_key(caller_subject(complaint.id))
            return CommandResult(str(complaint.id), complaint.version, None, {})
        result = self._change(HotlineComplaint, complaint_id,
                              lambda case: case.erase_caller_data(legal_basis=legal_basis, actor=actor) and None)
        self._destroy_key(caller_subject(complaint.id))
        return result

    def _destroy_key(self, subject: str) -> None:
        if self.vault is not None:
            self.vault.erase(subject)

    def reveal(self, record: Any) -> Any:
        """Open a sealed personal-data record (``{"erased": True, …}`` once erased)."""
        return self.vault.open(record) if self.vault is not None else record

    # ------------------------------------------------------------------ auditor queries

    def history(self, aggregate_id: Any, kind: type[Aggregate] = Dispute) -> list[HistoryEntry]:
        """Every event of a case: what, who, the business date, when recorded, and the data."""
        self.load(kind, aggregate_id)
        return [_history_entry(event) for event in self.events.get(_uuid(aggregate_id))]

    def version_as_of(self, aggregate_id: Any, moment: datetime, kind: type[Aggregate] = Dispute) -> int:
        """The version the system had recorded at ``moment`` (an aware datetime)."""
        if moment.tzinfo is None:
            raise InvalidInput("as_of", "needs a UTC offset, e.g. 2026-01-05T10:00:00+08:00")
        self.load(kind, aggregate_id)
        version = 0
        for event in self.events.get(_uuid(aggregate_id)):
            if event.timestamp > moment:
                break
            version = event.originator_version
        if version == 0:
            raise NotFound(f"{_label(kind)} {aggregate_id} did not exist yet at {moment.isoformat()}")
        return version

    def iter_aggregate_ids(self, topic_suffix: str = "Dispute.Registered") -> Iterator[str]:
        """Ids of every aggregate created by a given event class, from the notification log."""
        start = 1
        while True:
            batch = self.recorder.select_notifications(start, 500)
            if not batch:
                return
            for notification in batch:
                if notification.topic.endswith(topic_suffix):
                    yield str(notification.originator_id)
            start = batch[-1].id + 1


def build_policy(settings: Settings) -> DeadlinePolicy:
    """The calendar and rule table this deployment computes deadlines with (district [P] overrides applied)."""
    try:
        rules = load_rules(read_rule_overrides(settings.rule_overrides)) if settings.rule_overrides else default_rules()
    except (DeadlineError, OSError) as error:
        raise ConfigurationError(f"DISPUTE_ENGINE_RULE_OVERRIDES: {error}") from None
    return DeadlinePolicy(default_calendar(), rules, yellow_share=settings.yellow_share)


def _history_entry(event: Any) -> HistoryEntry:
    data = {k: v for k, v in vars(event).items() if k not in _ENVELOPE}
    business = next((data[f] for f in _BUSINESS_DATE_FIELDS if isinstance(data.get(f), date)), None)
    return HistoryEntry(
        version=event.originator_version,
        type=type(event).__qualname__.split(".")[-1],
        recorded_at=event.timestamp,
        actor=getattr(event, "actor", None),
        business_date=business,
        data=data,
    )


def _uuid(value: Any) -> UUID:
    if isinstance(value, UUID):
        return value
    try:
        return UUID(str(value))
    except ValueError:
        raise NotFound(f"no case {value!r}") from None


def _label(kind: type) -> str:
    return {"Dispute": "dispute", "HotlineComplaint": "complaint"}.get(kind.__name__, kind.__name__)


def _answer_dict(answer: Any) -> dict[str, Any]:
    if isinstance(answer, tuple) and len(answer) == 2:  # request_handoff
        return {"handoff_id": answer[0], "proceeding_id": answer[1]}
    if isinstance(answer, str):
        return {"proceeding_id": answer}
    return {}


def _checked_arguments(method: Callable[..., Any], arguments: Mapping[str, Any], today: date) -> dict[str, Any]:
    """Reject unknown and missing fields by name rather than letting a TypeError escape.

    A missing business date ``on`` defaults to today (Asia/Shanghai); every other fact must be given.
    """
    parameters = inspect.signature(method).parameters
    # Parameters starting with "_" are the aggregate's own plumbing, never a caller's field.
    accepted = {name for name in parameters
                if name not in ("self", "actor", "policy", "protect") and not name.startswith("_")}
    unknown = sorted(set(arguments) - accepted)
    if unknown:
        raise InvalidInput(unknown[0], f"unknown field (accepted: {', '.join(sorted(accepted))})")
    given = dict(arguments)
    if "on" in accepted and given.get("on") is None:
        given["on"] = today
    missing = [
        name for name, p in parameters.items()
        if name in accepted and p.default is inspect.Parameter.empty and name not in given
    ]
    if missing:
        raise InvalidInput(missing[0], "is required")
    return given


DISPUTE_COMMANDS: dict[str, Callable[..., Any]] = {
    "assign_caseworker": Dispute.assign_caseworker,
    "change_risk_flags": Dispute.change_risk_flags,
    "amend_claims": Dispute.amend_claims,
    "add_party": Dispute.add_party,
    "elect_representatives": Dispute.elect_representatives,
    "open_proceeding": Dispute.open_proceeding,
    "accept_proceeding": Dispute.accept_proceeding,
    "return_proceeding_for_supplement": Dispute.return_proceeding_for_supplement,
    "resubmit_proceeding": Dispute.resubmit_proceeding,
    "reject_proceeding": Dispute.reject_proceeding,
    "decline_proceeding_by_party": Dispute.decline_proceeding_by_party,
    "suspend_proceeding": Dispute.suspend_proceeding,
    "resume_proceeding": Dispute.resume_proceeding,
    "withdraw_proceeding": Dispute.withdraw_proceeding,
    "conclude_proceeding": Dispute.conclude_proceeding,
    "assign_mediator": Dispute.assign_mediator,
    "hold_mediation_session": Dispute.hold_mediation_session,
    "record_service": Dispute.record_service,
    "request_handoff": Dispute.request_handoff,
    "receive_handoff": Dispute.receive_handoff,
    "return_handoff_for_supplement": Dispute.return_handoff_for_supplement,
    "resubmit_handoff": Dispute.resubmit_handoff,
    "accept_handoff": Dispute.accept_handoff,
    "reject_handoff": Dispute.reject_handoff,
    "withdraw_handoff": Dispute.withdraw_handoff,
    "link_complaint": Dispute.link_complaint,
    "resolve": Dispute.resolve,
    "close": Dispute.close,
    "reopen": Dispute.reopen,
}

COMPLAINT_COMMANDS: dict[str, Callable[..., Any]] = {
    "answer_on_call": HotlineComplaint.answer_on_call,
    "close": HotlineComplaint.close,
    "dispatch": HotlineComplaint.dispatch,
    "sign_for": HotlineComplaint.sign_for,
    "return_by_unit": HotlineComplaint.return_by_unit,
    "request_extension": HotlineComplaint.request_extension,
    "decide_extension": HotlineComplaint.decide_extension,
    "add_handling_note": HotlineComplaint.add_handling_note,
    "refer_out": HotlineComplaint.refer_out,
    "submit_reply": HotlineComplaint.submit_reply,
    "check_quality": HotlineComplaint.check_quality,
    "complete_callback": HotlineComplaint.complete_callback,
    "escalate": HotlineComplaint.escalate,
}

