"""The Dispute aggregate: one controversy between claimants and respondents.

Public methods are commands: they validate, consult the stage tables and route
rules, and decide everything an event needs. Each nested event class records
that decision and its ``apply`` only assigns. Replay never consults a rule.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from eventsourcing.domain import Aggregate

from domain.clocks import OPEN_DEADLINE, DeadlineKeeping, DeadlinePolicy, Happening
from domain.errors import CommandNotAllowed, InvalidInput, NotFound
from domain.routes import failed_lower_tier, litigation_route_open, rules_for_opening
from domain.stages import (
    DISPUTE,
    HANDOFF,
    HANDOFF_TO_PROCEEDING_TRIGGER,
    KINDS,
    OPEN_PROCEEDING_STATES,
    ORG_AGENCY,
    PROCEEDING,
    STATUS_PRECEDENCE,
    OrgType,
    ProceedingKind,
    next_stage,
)
from domain.values import (
    Actor,
    Agency,
    ApplicantSide,
    CaseType,
    Claim,
    Claimant,
    Consent,
    DocType,
    HandoffChannel,
    HandoffReason,
    Intake,
    Protect,
    RejectionReason,
    Respondent,
    RiskFlag,
    ServiceMethod,
    parse_amount,
    parse_choice,
    parse_choices,
    parse_date,
    parse_documents,
    protect_person,
    require_text,
)

COLLECTIVE_THRESHOLD = 10  # LDMAL art. 7: ten or more workers with a common claim
CHALLENGE_WINDOWS = ("A11", "A12", "A13")  # suit or revocation periods after an award (LDMAL arts. 48–50)


def new_id() -> str:
    return uuid.uuid4().hex[:12]


class Dispute(DeadlineKeeping, Aggregate):
    """A labour dispute (劳动争议) and the proceedings it moves through."""

    class Event(Aggregate.Event):
        actor: dict[str, str]

    # ------------------------------------------------------------------ intake

    class Registered(Aggregate.Created):
        case_number: str
        origin: str
        summary: str
        received_on: date
        claimants: list[dict[str, Any]]
        respondents: list[dict[str, Any]]
        claims: list[dict[str, Any]]
        case_types: list[str]
        risk_flags: list[str]
        workplace: dict[str, Any]
        employment: dict[str, Any]
        is_collective: bool
        complaint_id: str | None

        def apply(self, dispute: Dispute) -> None:
            dispute.case_number = self.case_number
            dispute.origin = self.origin
            dispute.summary = self.summary
            dispute.received_on = self.received_on
            dispute.claimants = list(self.claimants)
            dispute.respondents = list(self.respondents)
            dispute.claims = list(self.claims)
            dispute.case_types = list(self.case_types)
            dispute.risk_flags = list(self.risk_flags)
            dispute.workplace = dict(self.workplace)
            dispute.employment = dict(self.employment)
            dispute.is_collective = self.is_collective
            dispute.complaint_ids = [self.complaint_id] if self.complaint_id else []
            dispute.registered_by = dict(self.actor)
            dispute.stage = DISPUTE.initial
            dispute.caseworker = None
            dispute.proceedings = []
            dispute.handoffs = []
            dispute.overrides = []
            dispute.deadlines = []
            dispute.representatives = []
            dispute.erased_parties = []
            dispute.resolution = None
            dispute.closure = None

    @classmethod
    def register(
        cls, intake: Intake, *, case_number: str, actor: Actor, complaint_id: str | None = None,
        protect: Protect | None = None,
    ) -> Dispute:
        """Take a dispute in (受理登记). Claimants and respondents: at least one each.

        Each natural person's personal data is sealed under that person's own key (``protect``).
        """
        if not intake.claimants:
            raise InvalidInput("claimants", "at least one claimant is required")
        if not intake.respondents:
            raise InvalidInput("respondents", "at least one respondent is required")
        workers = sum(1 for c in intake.claimants if c.kind.value == "WORKER")
        case_types = list(intake.case_types)
        # LDMAL art. 7: ten or more workers with a common claim form a collective dispute.
        is_collective = (workers >= COLLECTIVE_THRESHOLD and intake.common_claims) or (
            CaseType.COLLECTIVE_CONTRACT_PERFORMANCE in case_types
        )
        if is_collective and CaseType.COLLECTIVE_COMMON_CLAIM not in case_types and workers >= COLLECTIVE_THRESHOLD:
            case_types.append(CaseType.COLLECTIVE_COMMON_CLAIM)
        if not is_collective and CaseType.INDIVIDUAL not in case_types:
            case_types.insert(0, CaseType.INDIVIDUAL)
        dispute_id = uuid.uuid4()
        return cls._create(
            cls.Registered,
            id=dispute_id,
            actor=actor.record(),
            case_number=case_number,
            origin=intake.origin.value,
            summary=intake.summary,
            received_on=intake.received_on,
            claimants=[protect_person(c.record(), subject_of(dispute_id, c.party_id), protect) for c in intake.claimants],
            respondents=[protect_person(r.record(), subject_of(dispute_id, r.party_id), protect)
                         for r in intake.respondents],
            claims=[c.record() for c in intake.claims],
            case_types=[t.value for t in case_types],
            risk_flags=[f.value for f in intake.risk_flags],
            workplace=intake.workplace.record(),
            employment=intake.employment.record(),
            is_collective=is_collective,
            complaint_id=complaint_id,
        )

    # ------------------------------------------------------------------ case management

    class CaseworkerAssigned(Event):
        caseworker: str

        def apply(self, dispute: Dispute) -> None:
            dispute.caseworker = self.caseworker

    def assign_caseworker(self, caseworker: Any, *, actor: Actor) -> None:
        """Assign the centre's caseworker (承办人)."""
        self._check_open()
        name = require_text(caseworker, "caseworker", max_length=64)
        if name == self.caseworker:
            raise CommandNotAllowed(f"the case is already assigned to {name}")
        self.trigger_event(self.CaseworkerAssigned, actor=actor.record(), caseworker=name)

    class RiskFlagsChanged(Event):
        risk_flags: list[str]
        reason: str

        def apply(self, dispute: Dispute) -> None:
            dispute.risk_flags = list(self.risk_flags)

    def change_risk_flags(self, reason: Any, add: Any = None, remove: Any = None, *, actor: Actor) -> None:
        self._check_open()
        added = parse_choices(RiskFlag, add or [], "add")
        removed = parse_choices(RiskFlag, remove or [], "remove")
        why = require_text(reason, "reason", max_length=500)
        flags = [f for f in self.risk_flags if f not in {r.value for r in removed}]
        flags += [a.value for a in added if a.value not in flags]
        if flags == self.risk_flags:
            raise InvalidInput("add", "the change leaves the risk flags as they are")
        self.trigger_event(self.RiskFlagsChanged, actor=actor.record(), risk_flags=flags, reason=why)

    class ClaimsAmended(Event):
        added: list[dict[str, Any]]
        removed: list[str]
        on: date

        def apply(self, dispute: Dispute) -> None:
            dispute.claims = [c for c in dispute.claims if c["claim_id"] not in self.removed] + list(self.added)

    def amend_claims(self, on: Any, add: Any = None, remove: Any = None, *, policy: DeadlinePolicy | None = None, actor: Actor) -> None:
        """Change the claims (变更仲裁请求). Restarts the award clock of an open arbitration (§1.7)."""
        self._check_open()
        if add is not None and not isinstance(add, list):
            raise InvalidInput("add", "expected a list of claims")
        added = [Claim.parse(item, f"add[{i}]", new_id()).record() for i, item in enumerate(add or [])]
        removed = list(remove or [])
        known = {c["claim_id"] for c in self.claims}
        for i, claim_id in enumerate(removed):
            if claim_id not in known:
                raise InvalidInput(f"remove[{i}]", f"no claim {claim_id!r} on this dispute")
        if not added and not removed:
            raise InvalidInput("add", "nothing to amend")
        if len(known) - len(set(removed)) + len(added) == 0:
            raise InvalidInput("remove", "a dispute keeps at least one claim")
        on_ = parse_date(on, "on")
        self.trigger_event(self.ClaimsAmended, actor=actor.record(), added=added, removed=removed, on=on_)
        for proceeding in self.proceedings:
            if proceeding["kind"] == ProceedingKind.ARBITRATION.value and proceeding["state"] == "ACTIVE":
                self._restart("A8", proceeding["proceeding_id"], on_, policy, actor, note="claims amended")

    class PartyAdded(Event):
        party: dict[str, Any]
        on: date

        def apply(self, dispute: Dispute) -> None:
            if self.party["side"] == "claimant":
                dispute.claimants.append(dict(self.party))
            else:
                dispute.respondents.append(dict(self.party))

    def add_party(self, *, side: Any, party: Any, on: Any, policy: DeadlinePolicy | None = None,
                  protect: Protect | None = None, actor: Actor) -> None:
        """追加当事人: a party added restarts the award clock of an open arbitration (2017 rules art. 46)."""
        self._check_open()
        if side not in ("claimant", "respondent"):
            raise InvalidInput("side", "expected claimant or respondent")
        if not isinstance(party, Mapping):
            raise InvalidInput("party", "expected an object")
        parser = Claimant.parse if side == "claimant" else Respondent.parse
        party_id = new_id()
        record = protect_person(parser(party, "party", party_id).record(), subject_of(self.id, party_id), protect)
        on_ = self._business_date(on)
        self.trigger_event(self.PartyAdded, actor=actor.record(), party=record, on=on_)
        for proceeding in self.proceedings:
            if proceeding["kind"] == ProceedingKind.ARBITRATION.value and proceeding["state"] == "ACTIVE":
                self._restart("A8", proceeding["proceeding_id"], on_, policy, actor, note="party added")

    class PersonalDataErased(Event):
        """A person's key was destroyed on a lawful request; their data is unreadable from now on."""

        party_id: str
        legal_basis: str

        def apply(self, dispute: Dispute) -> None:
            dispute.erased_parties.append(self.party_id)

    def erase_personal_data(self, party_id: Any, *, legal_basis: Any, actor: Actor) -> str:
        """删除个人信息 (PIPL art. 47): record the erasure; the application destroys the key. Returns the subject."""
        if not isinstance(party_id, str) or not any(
            p["party_id"] == party_id for p in [*self.claimants, *self.respondents]
        ):
            raise InvalidInput("party_id", "no such party on this dispute")
        if party_id in self.erased_parties:
            raise CommandNotAllowed(f"the personal data of party {party_id} was already erased")
        basis = require_text(legal_basis, "legal_basis", max_length=300)
        self.trigger_event(self.PersonalDataErased, actor=actor.record(), party_id=party_id, legal_basis=basis)
        return subject_of(self.id, party_id)

    class RepresentativesElected(Event):
        party_ids: list[str]
        scope: str
        record_sha256: str | None
        on: date

        def apply(self, dispute: Dispute) -> None:
            dispute.representatives = [
                r for r in dispute.representatives if r["scope"] != self.scope
            ] + [{"party_ids": list(self.party_ids), "scope": self.scope, "record_sha256": self.record_sha256,
                  "elected_on": self.on}]

    REPRESENTATIVE_SCOPES = {"MEDIATION": 5, "ARBITRATION": 5, "LITIGATION": 5, "PETITION": 5}

    def elect_representatives(self, *, party_ids: Any, scope: Any, record_sha256: Any = None, on: Any,
                              actor: Actor) -> None:
        """代表人: a collective dispute's claimants elect representatives (arbitration: 3 to 5, 2017 rules)."""
        self._check_open()
        if not self.is_collective:
            raise CommandNotAllowed("representatives are elected in collective disputes (LDMAL art. 7)")
        if scope not in self.REPRESENTATIVE_SCOPES:
            raise InvalidInput("scope", f"expected one of {', '.join(self.REPRESENTATIVE_SCOPES)}")
        if not isinstance(party_ids, list) or not party_ids:
            raise InvalidInput("party_ids", "expected a non-empty list of claimant ids")
        claimant_ids = {c["party_id"] for c in self.claimants}
        for index, party_id in enumerate(party_ids):
            if party_id not in claimant_ids:
                raise InvalidInput(f"party_ids[{index}]", f"{party_id!r} is not a claimant of this dispute")
        if len(set(party_ids)) != len(party_ids):
            raise InvalidInput("party_ids", "a representative is listed twice")
        low = 3 if scope == "ARBITRATION" else 1
        if not low <= len(party_ids) <= self.REPRESENTATIVE_SCOPES[scope]:
            raise InvalidInput("party_ids", f"{scope.lower()} takes {low} to {self.REPRESENTATIVE_SCOPES[scope]} representatives")
        digest = require_text(record_sha256, "record_sha256", max_length=64, optional=True)
        self.trigger_event(self.RepresentativesElected, actor=actor.record(), party_ids=list(party_ids), scope=scope,
                           record_sha256=digest, on=self._business_date(on))

    # ------------------------------------------------------------------ proceedings

    class ProceedingOpened(Event):
        proceeding_id: str
        kind: str
        org_type: str
        agency: str
        org_name: str
        applicant: str
        received_on: date
        consent: dict[str, bool]
        handoff_id: str | None

        def apply(self, dispute: Dispute) -> None:
            dispute.proceedings.append(
                {
                    "proceeding_id": self.proceeding_id,
                    "kind": self.kind,
                    "org_type": self.org_type,
                    "agency": self.agency,
                    "org_name": self.org_name,
                    "applicant": self.applicant,
                    "received_on": self.received_on,
                    "consent": dict(self.consent),
                    "handoff_id": self.handoff_id,
                    "state": PROCEEDING.initial,
                    "case_no": None,
                    "assignee": None,
                    "accepted_on": None,
                    "outcome": None,
                    "concluded_on": None,
                    "award_overdue": False,
                    "amounts_awarded_cny": None,
                    "mediator": None,
                    "missing": [],
                    "documents": [],
                    "sessions": [],
                    "services": [],
                }
            )

    class RouteRuleOverridden(Event):
        rule_id: str
        article: str
        refusal: str
        reason: str
        proceeding_id: str

        def apply(self, dispute: Dispute) -> None:
            dispute.overrides.append(
                {"rule_id": self.rule_id, "article": self.article, "reason": self.reason,
                 "refusal": self.refusal, "proceeding_id": self.proceeding_id}
            )

    def _decide_opening(
        self,
        kind: ProceedingKind,
        org_type: OrgType,
        applicant: ApplicantSide,
        consent: Consent,
        override_reason: str | None,
    ) -> list[tuple[Any, Any]]:
        """Run the route rules; return the refusals that the override reason passes."""
        if org_type not in KINDS[kind].org_types:
            allowed = ", ".join(o.value for o in KINDS[kind].org_types)
            raise InvalidInput("org_type", f"{org_type.value} does not run {kind.value} (allowed: {allowed})")
        overridden = []
        for rule, refusal in rules_for_opening(kind, self.proceedings, applicant=applicant, consent=consent):
            if refusal is None:
                continue
            if not rule.overridable or not override_reason:
                raise refusal
            overridden.append((rule, refusal))
        return overridden

    def open_proceeding(
        self,
        *,
        kind: Any,
        org_type: Any,
        org_name: Any,
        applicant: Any = "WORKER",
        received_on: Any,
        consent: Any = None,
        override_reason: Any = None,
        policy: DeadlinePolicy | None = None,
        actor: Actor,
        _handoff_id: str | None = None,
    ) -> str:
        """Open a proceeding (an application received by an organisation). Returns its id."""
        self._check_open()
        kind_ = parse_choice(ProceedingKind, kind, "kind")
        org_type_ = parse_choice(OrgType, org_type, "org_type")
        applicant_ = parse_choice(ApplicantSide, applicant, "applicant")
        consent_ = Consent.parse(consent, "consent")
        reason = require_text(override_reason, "override_reason", max_length=500, optional=True)
        received = parse_date(received_on, "received_on")
        if received < self.received_on:
            raise InvalidInput("received_on", f"is before the dispute was received ({self.received_on})")
        name = require_text(org_name, "org_name", max_length=100)
        overridden = self._decide_opening(kind_, org_type_, applicant_, consent_, reason)
        proceeding_id = new_id()
        for rule, refusal in overridden:
            self.trigger_event(
                self.RouteRuleOverridden, actor=actor.record(), rule_id=rule.rule_id, article=rule.article,
                refusal=refusal.message, reason=reason, proceeding_id=proceeding_id,
            )
        self.trigger_event(
            self.ProceedingOpened,
            actor=actor.record(),
            proceeding_id=proceeding_id,
            kind=kind_.value,
            org_type=org_type_.value,
            agency=ORG_AGENCY[org_type_].value,
            org_name=name,
            applicant=applicant_.value,
            received_on=received,
            consent=consent_.record(),
            handoff_id=_handoff_id,
        )
        proceeding = self.proceeding(proceeding_id)
        if _handoff_id is None:
            self._run_clocks(self._happening(proceeding, "received", received), policy, actor)
        self._run_clocks(self._happening(proceeding, f"open:{kind_.value}", received, applicant_.value), policy, actor)
        return proceeding_id

    class ProceedingStepped(Event):
        """Base of every event that moves a proceeding to the stage its command decided."""

        proceeding_id: str
        stage: str
        on: date

        def apply(self, dispute: Dispute) -> None:
            proceeding = dispute.proceeding(self.proceeding_id)
            proceeding["state"] = self.stage
            self.apply_details(proceeding)

        def apply_details(self, proceeding: dict[str, Any]) -> None:
            """Assign the event's own fields; overridden by events that carry more."""

    class ProceedingAccepted(ProceedingStepped):
        case_no: str | None
        assignee: str | None

        def apply_details(self, proceeding: dict[str, Any]) -> None:
            proceeding["case_no"] = self.case_no
            proceeding["assignee"] = self.assignee
            proceeding["accepted_on"] = self.on

    class ProceedingReturnedForSupplement(ProceedingStepped):
        missing: list[str]

        def apply_details(self, proceeding: dict[str, Any]) -> None:
            proceeding["missing"] = list(self.missing)

    class ProceedingResubmitted(ProceedingStepped):
        documents: list[dict[str, Any]]

        def apply_details(self, proceeding: dict[str, Any]) -> None:
            proceeding["missing"] = []
            proceeding["documents"] = proceeding["documents"] + list(self.documents)
            proceeding["received_on"] = self.on  # A2: the receipt date resets on completion

    class ProceedingRejected(ProceedingStepped):
        reason: str
        legal_basis: str
        advice: str | None

        def apply_details(self, proceeding: dict[str, Any]) -> None:
            proceeding["outcome"] = "NON_ACCEPTED"
            proceeding["concluded_on"] = self.on

    class ProceedingDeclinedByParty(ProceedingStepped):
        party_side: str

        def apply_details(self, proceeding: dict[str, Any]) -> None:
            proceeding["outcome"] = "DECLINED_BY_PARTY"
            proceeding["concluded_on"] = self.on

    class ProceedingSuspended(ProceedingStepped):
        ground: str

        def apply_details(self, proceeding: dict[str, Any]) -> None:
            proceeding["suspended_since"] = self.on

    class ProceedingResumed(ProceedingStepped):
        def apply_details(self, proceeding: dict[str, Any]) -> None:
            proceeding["suspended_since"] = None

    class ProceedingWithdrawn(ProceedingStepped):
        withdrawn_by: str

        def apply_details(self, proceeding: dict[str, Any]) -> None:
            proceeding["outcome"] = "WITHDRAWN"
            proceeding["concluded_on"] = self.on

    class ProceedingConcluded(ProceedingStepped):
        outcome: str
        amounts_awarded_cny: Decimal | None
        documents: list[dict[str, Any]]
        performance_due: date | None

        def apply_details(self, proceeding: dict[str, Any]) -> None:
            proceeding["outcome"] = self.outcome
            proceeding["concluded_on"] = self.on
            proceeding["amounts_awarded_cny"] = self.amounts_awarded_cny
            proceeding["documents"] = proceeding["documents"] + list(self.documents)
            proceeding["performance_due"] = self.performance_due

    def _step(self, proceeding_id: Any, trigger: str, event_class: type, *, on: Any, actor: Actor,
              policy: DeadlinePolicy | None, **fields: Any) -> None:
        self._check_open()
        proceeding = self._proceeding_or_error(proceeding_id)
        on_ = parse_date(on, "on")
        if on_ < proceeding["received_on"]:
            raise InvalidInput("on", f"is before the application was received ({proceeding['received_on']})")
        if proceeding["accepted_on"] is not None and on_ < proceeding["accepted_on"]:
            raise InvalidInput("on", f"is before the proceeding was accepted ({proceeding['accepted_on']})")
        stage = next_stage(PROCEEDING, proceeding["state"], trigger, what=f"{proceeding['kind']} {proceeding_id}")
        suspended_since = proceeding.get("suspended_since")
        self.trigger_event(
            event_class, actor=actor.record(), proceeding_id=proceeding["proceeding_id"], stage=stage, on=on_, **fields
        )
        if trigger == "resume" and suspended_since is not None:
            self._toll(proceeding["proceeding_id"], (on_ - suspended_since).days, policy, actor)
        clock_trigger = f"conclude:{fields['outcome']}" if trigger == "conclude" else trigger
        self._run_clocks(self._happening(proceeding, clock_trigger, on_), policy, actor)

    @staticmethod
    def _happening(proceeding: Mapping[str, Any], trigger: str, on: date, party_side: str | None = None) -> Happening:
        return Happening(
            subject_id=proceeding["proceeding_id"], kind=proceeding["kind"], trigger=trigger, on=on,
            org_type=proceeding["org_type"], party_side=party_side,
        )

    def accept_proceeding(self, proceeding_id: Any, *, on: Any, case_no: Any = None, assignee: Any = None, policy: DeadlinePolicy | None = None, actor: Actor) -> None:
        """受理: the organisation accepts the application."""
        self._check_not_handed_off(proceeding_id, "accept")
        self._step(
            proceeding_id, "accept", self.ProceedingAccepted, on=on, actor=actor, policy=policy,
            case_no=require_text(case_no, "case_no", max_length=64, optional=True),
            assignee=require_text(assignee, "assignee", max_length=64, optional=True),
        )

    def return_proceeding_for_supplement(self, proceeding_id: Any, *, missing: Any, on: Any, policy: DeadlinePolicy | None = None, actor: Actor) -> None:
        """一次性告知补正: tell the applicant, once, everything that is missing."""
        self._check_not_handed_off(proceeding_id, "return_for_supplement")
        self._step(
            proceeding_id, "return_for_supplement", self.ProceedingReturnedForSupplement, on=on, actor=actor, policy=policy,
            missing=_text_list(missing, "missing"),
        )

    def resubmit_proceeding(self, proceeding_id: Any, *, documents: Any, on: Any, policy: DeadlinePolicy | None = None, actor: Actor) -> None:
        self._check_not_handed_off(proceeding_id, "resubmit")
        self._step(
            proceeding_id, "resubmit", self.ProceedingResubmitted, on=on, actor=actor, policy=policy,
            documents=[d.record() for d in parse_documents(documents, "documents")],
        )

    def reject_proceeding(self, proceeding_id: Any, *, reason: Any, legal_basis: Any, advice: Any = None,
                          on: Any, policy: DeadlinePolicy | None = None, actor: Actor) -> None:
        """不予受理: refuse the application, with its legal basis and advice to the party."""
        self._check_not_handed_off(proceeding_id, "reject")
        self._step(
            proceeding_id, "reject", self.ProceedingRejected, on=on, actor=actor, policy=policy,
            reason=parse_choice(RejectionReason, reason, "reason").value,
            legal_basis=require_text(legal_basis, "legal_basis", max_length=300),
            advice=require_text(advice, "advice", max_length=1000, optional=True),
        )

    def decline_proceeding_by_party(self, proceeding_id: Any, *, party_side: Any, on: Any, policy: DeadlinePolicy | None = None, actor: Actor) -> None:
        """A party refuses mediation (人民调解法 art. 17): the organisation must not mediate."""
        proceeding = self._proceeding_or_error(proceeding_id)
        if proceeding["kind"] not in (ProceedingKind.MEDIATION.value, ProceedingKind.NEGOTIATION.value,
                                      ProceedingKind.PRE_LITIGATION_MEDIATION.value):
            raise CommandNotAllowed(f"a party can decline mediation or negotiation, not {proceeding['kind']}")
        self._check_not_handed_off(proceeding_id, "reject (reason PARTY_REFUSED)")
        self._step(
            proceeding_id, "decline_by_party", self.ProceedingDeclinedByParty, on=on, actor=actor, policy=policy,
            party_side=parse_choice(ApplicantSide, party_side, "party_side").value,
        )

    def suspend_proceeding(self, proceeding_id: Any, *, ground: Any, on: Any, policy: DeadlinePolicy | None = None, actor: Actor) -> None:
        """中止: the suspension period is excluded from the proceeding's clock (2017 rules art. 47)."""
        self._step(
            proceeding_id, "suspend", self.ProceedingSuspended, on=on, actor=actor, policy=policy,
            ground=require_text(ground, "ground", max_length=300),
        )

    def resume_proceeding(self, proceeding_id: Any, *, on: Any, policy: DeadlinePolicy | None = None, actor: Actor) -> None:
        self._step(proceeding_id, "resume", self.ProceedingResumed, on=on, actor=actor, policy=policy)

    def withdraw_proceeding(self, proceeding_id: Any, *, withdrawn_by: Any, on: Any, policy: DeadlinePolicy | None = None, actor: Actor) -> None:
        """撤回: the applicant withdraws."""
        proceeding = self._proceeding_or_error(proceeding_id)
        if proceeding["handoff_id"] and proceeding["state"] in ("REQUESTED", "AWAITING_SUPPLEMENT"):
            raise CommandNotAllowed("the proceeding is still a handoff; withdraw the handoff instead")
        self._step(
            proceeding_id, "withdraw", self.ProceedingWithdrawn, on=on, actor=actor, policy=policy,
            withdrawn_by=parse_choice(ApplicantSide, withdrawn_by, "withdrawn_by").value,
        )

    def conclude_proceeding(self, proceeding_id: Any, *, outcome: Any, on: Any, amounts_awarded_cny: Any = None,
                            documents: Any = None, performance_due: Any = None, policy: DeadlinePolicy | None = None, actor: Actor) -> None:
        """结案: record the outcome (agreement signed, award, judgment …) with its instruments."""
        proceeding = self._proceeding_or_error(proceeding_id)
        outcomes = KINDS[ProceedingKind(proceeding["kind"])].outcomes
        text = require_text(outcome, "outcome", max_length=64)
        if text not in outcomes:
            raise InvalidInput("outcome", f"{text!r} is not an outcome of {proceeding['kind']} (one of: {', '.join(outcomes)})")
        due = parse_date(performance_due, "performance_due", optional=True)
        on_ = parse_date(on, "on")
        if due is not None and due < on_:
            raise InvalidInput("performance_due", "is before the agreement date")
        self._step(
            proceeding_id, "conclude", self.ProceedingConcluded, on=on_, actor=actor, policy=policy,
            outcome=text,
            amounts_awarded_cny=parse_amount(amounts_awarded_cny, "amounts_awarded_cny"),
            documents=[d.record() for d in parse_documents(documents, "documents")],
            performance_due=due,
        )

    # ------------------------------------------------------------------ legal effects of missed deadlines

    class ProceedingLapsed(ProceedingStepped):
        """M3 passed without agreement: the mediation is deemed failed; arbitration is the next step."""

        rule_id: str
        due_date: date

        def apply_details(self, proceeding: dict[str, Any]) -> None:
            proceeding["outcome"] = "LAPSED_15D"
            proceeding["concluded_on"] = self.on

    class ArbitrationAcceptanceOverdue(ProceedingStepped):
        """A3 passed with no decision on acceptance: the applicant may sue (LDMAL art. 29)."""

        rule_id: str
        due_date: date

        def apply_details(self, proceeding: dict[str, Any]) -> None:
            proceeding["outcome"] = "ACCEPTANCE_OVERDUE"
            proceeding["concluded_on"] = self.on

    class AwardOverdue(Event):
        """A8 passed with no award: the party may sue (LDMAL art. 43); the arbitration may still conclude."""

        proceeding_id: str
        rule_id: str
        due_date: date
        on: date

        def apply(self, dispute: Dispute) -> None:
            dispute.proceeding(self.proceeding_id)["award_overdue"] = True

    class ChallengeWindowExpired(Event):
        """A11–A13 passed without a suit (or revocation): the award takes effect for that party."""

        proceeding_id: str
        rule_id: str
        party_side: str | None
        on: date

        def apply(self, dispute: Dispute) -> None:
            proceeding = dispute.proceeding(self.proceeding_id)
            proceeding["challenge_expired"] = proceeding.get("challenge_expired", []) + [self.party_side]

    def _consequence(self, record: dict[str, Any], today: date, actor: Actor,
                     policy: DeadlinePolicy | None) -> None:
        """The statutory effect of a missed deadline, decided here and recorded as its own event."""
        proceeding = self.proceeding(record["subject_id"])
        due = date.fromisoformat(record["due_date"])
        effect = record["consequence"]
        if self.stage != "OPEN" and effect in ("lapse", "acceptance_overdue"):
            return
        if effect == "lapse" and proceeding["state"] in ("REQUESTED", "ACTIVE"):
            self._step(proceeding["proceeding_id"], "lapse", self.ProceedingLapsed, on=today, actor=actor,
                       policy=policy, rule_id=record["rule_id"], due_date=due)
        elif effect == "acceptance_overdue" and proceeding["state"] == "REQUESTED":
            self._step(proceeding["proceeding_id"], "mark_acceptance_overdue", self.ArbitrationAcceptanceOverdue,
                       on=today, actor=actor, policy=policy, rule_id=record["rule_id"], due_date=due)
        elif effect == "award_overdue" and proceeding["state"] in ("ACTIVE", "SUSPENDED"):
            self.trigger_event(self.AwardOverdue, actor=actor.record(), proceeding_id=proceeding["proceeding_id"],
                               rule_id=record["rule_id"], due_date=due, on=today)
        elif effect == "challenge_expired":
            self.trigger_event(self.ChallengeWindowExpired, actor=actor.record(),
                               proceeding_id=proceeding["proceeding_id"], rule_id=record["rule_id"],
                               party_side=record["party_side"], on=today)

    class MediatorAssigned(Event):
        proceeding_id: str
        mediator: str

        def apply(self, dispute: Dispute) -> None:
            dispute.proceeding(self.proceeding_id)["mediator"] = self.mediator

    def assign_mediator(self, proceeding_id: Any, mediator: Any, *, actor: Actor) -> None:
        self._check_open()
        proceeding = self._proceeding_or_error(proceeding_id)
        if proceeding["kind"] not in (ProceedingKind.MEDIATION.value, ProceedingKind.PRE_LITIGATION_MEDIATION.value):
            raise CommandNotAllowed(f"mediators are assigned to mediations, not {proceeding['kind']}")
        if proceeding["state"] not in ("REQUESTED", "ACTIVE"):
            raise CommandNotAllowed(f"the mediation is {proceeding['state']}", state=proceeding["state"])
        self.trigger_event(
            self.MediatorAssigned, actor=actor.record(), proceeding_id=proceeding["proceeding_id"],
            mediator=require_text(mediator, "mediator", max_length=64),
        )

    class MediationSessionHeld(Event):
        proceeding_id: str
        mode: str
        on: date
        record_sha256: str | None

        def apply(self, dispute: Dispute) -> None:
            dispute.proceeding(self.proceeding_id)["sessions"].append({"mode": self.mode, "on": self.on})

    def hold_mediation_session(self, proceeding_id: Any, *, mode: Any, on: Any, record_sha256: Any = None,
                               actor: Actor) -> None:
        self._check_open()
        proceeding = self._proceeding_or_error(proceeding_id)
        if proceeding["kind"] not in (ProceedingKind.MEDIATION.value, ProceedingKind.PRE_LITIGATION_MEDIATION.value):
            raise CommandNotAllowed(f"sessions are held in mediations, not {proceeding['kind']}")
        if proceeding["state"] != "ACTIVE":
            raise CommandNotAllowed(f"the mediation is {proceeding['state']}, not ACTIVE", state=proceeding["state"])
        if mode not in ("IN_PERSON", "VIDEO"):
            raise InvalidInput("mode", "expected IN_PERSON or VIDEO")
        self.trigger_event(
            self.MediationSessionHeld, actor=actor.record(), proceeding_id=proceeding["proceeding_id"], mode=mode,
            on=parse_date(on, "on"),
            record_sha256=require_text(record_sha256, "record_sha256", max_length=64, optional=True),
        )

    class DocumentServed(Event):
        """送达: starts the party-side clocks (challenge windows, defence periods)."""

        proceeding_id: str
        doc_type: str
        party_side: str
        method: str
        served_on: date

        def apply(self, dispute: Dispute) -> None:
            dispute.proceeding(self.proceeding_id)["services"].append(
                {"doc_type": self.doc_type, "party_side": self.party_side, "method": self.method,
                 "served_on": self.served_on}
            )

    def record_service(self, proceeding_id: Any, *, doc_type: Any, party_side: Any, method: Any, served_on: Any,
                       policy: DeadlinePolicy | None = None, actor: Actor) -> None:
        self._check_open()
        proceeding = self._proceeding_or_error(proceeding_id)
        if proceeding["state"] in ("REQUESTED", "AWAITING_SUPPLEMENT"):
            raise CommandNotAllowed("documents are served after the proceeding is accepted", state=proceeding["state"])
        served = parse_date(served_on, "served_on")
        if served < proceeding["received_on"]:
            raise InvalidInput("served_on", "is before the application was received")
        self.trigger_event(
            self.DocumentServed, actor=actor.record(), proceeding_id=proceeding["proceeding_id"],
            doc_type=parse_choice(DocType, doc_type, "doc_type").value,
            party_side=parse_choice(ApplicantSide, party_side, "party_side").value,
            method=parse_choice(ServiceMethod, method, "method").value,
            served_on=served,
        )
        side = parse_choice(ApplicantSide, party_side, "party_side").value
        doc = parse_choice(DocType, doc_type, "doc_type").value
        self._run_clocks(self._happening(proceeding, f"serve:{doc}", served, side), policy, actor)

    # ------------------------------------------------------------------ handoffs (§3.3)

    class HandoffRequested(Event):
        handoff_id: str
        proceeding_id: str
        from_agency: str
        to_agency: str
        reason: str
        channel: str
        dossier: list[dict[str, Any]]
        note: str | None
        requested_on: date

        def apply(self, dispute: Dispute) -> None:
            dispute.handoffs.append(
                {
                    "handoff_id": self.handoff_id,
                    "proceeding_id": self.proceeding_id,
                    "from_agency": self.from_agency,
                    "to_agency": self.to_agency,
                    "reason": self.reason,
                    "channel": self.channel,
                    "dossier": list(self.dossier),
                    "note": self.note,
                    "requested_on": self.requested_on,
                    "state": HANDOFF.initial,
                    "received_on": None,
                    "decided_on": None,
                    "missing": [],
                    "receiving_case_no": None,
                    "assignee": None,
                    "rejection": None,
                }
            )

    def request_handoff(
        self,
        *,
        kind: Any,
        org_type: Any,
        org_name: Any,
        applicant: Any = "WORKER",
        reason: Any,
        channel: Any = "ONLINE",
        dossier: Any = None,
        note: Any = None,
        consent: Any = None,
        on: Any,
        override_reason: Any = None,
        policy: DeadlinePolicy | None = None,
        actor: Actor,
    ) -> tuple[str, str]:
        """Hand the case to another agency's organisation: opens the target proceeding as REQUESTED.

        Route rules run here, at the sending side, so a refused route never reaches the partner.
        Returns (handoff_id, proceeding_id).
        """
        self._check_open()
        requested_on = self._business_date(on)
        documents = parse_documents(dossier, "dossier")
        if not documents:
            raise InvalidInput("dossier", "a handoff carries at least the application document")
        reason_ = parse_choice(HandoffReason, reason, "reason")
        channel_ = parse_choice(HandoffChannel, channel, "channel")
        org_type_ = parse_choice(OrgType, org_type, "org_type")
        to_agency = ORG_AGENCY[org_type_]
        from_agency = Agency(actor.agency.value)
        if to_agency == from_agency:
            raise InvalidInput("org_type", f"{org_type_.value} belongs to the sender's own agency; open the proceeding instead")
        text = require_text(note, "note", max_length=1000, optional=True)
        handoff_id = new_id()
        proceeding_id = self.open_proceeding(
            kind=kind, org_type=org_type, org_name=org_name, applicant=applicant, received_on=on,
            consent=consent, override_reason=override_reason, policy=policy, actor=actor, _handoff_id=handoff_id,
        )
        self.trigger_event(
            self.HandoffRequested,
            actor=actor.record(),
            handoff_id=handoff_id,
            proceeding_id=proceeding_id,
            from_agency=from_agency.value,
            to_agency=to_agency.value,
            reason=reason_.value,
            channel=channel_.value,
            dossier=[d.record() for d in documents],
            note=text,
            requested_on=requested_on,
        )
        return handoff_id, proceeding_id

    class HandoffStepped(Event):
        """Base of the events that move a handoff (and with it, its target proceeding)."""

        handoff_id: str
        stage: str
        proceeding_stage: str
        on: date

        def apply(self, dispute: Dispute) -> None:
            handoff = dispute.handoff(self.handoff_id)
            handoff["state"] = self.stage
            proceeding = dispute.proceeding(handoff["proceeding_id"])
            proceeding["state"] = self.proceeding_stage
            self.apply_details(handoff, proceeding)

        def apply_details(self, handoff: dict[str, Any], proceeding: dict[str, Any]) -> None:
            """Assign the event's own fields."""

    class HandoffReceived(HandoffStepped):
        def apply_details(self, handoff: dict[str, Any], proceeding: dict[str, Any]) -> None:
            handoff["received_on"] = self.on
            proceeding["received_on"] = self.on  # the receiving organisation's clock starts here

    class HandoffReturnedForSupplement(HandoffStepped):
        missing: list[str]

        def apply_details(self, handoff: dict[str, Any], proceeding: dict[str, Any]) -> None:
            handoff["missing"] = list(self.missing)
            proceeding["missing"] = list(self.missing)

    class HandoffResubmitted(HandoffStepped):
        added: list[dict[str, Any]]

        def apply_details(self, handoff: dict[str, Any], proceeding: dict[str, Any]) -> None:
            handoff["dossier"] = handoff["dossier"] + list(self.added)
            handoff["missing"] = []
            handoff["received_on"] = self.on  # A2: receipt resets when the materials are complete
            proceeding["missing"] = []
            proceeding["received_on"] = self.on

    class HandoffAccepted(HandoffStepped):
        receiving_case_no: str
        assignee: str | None

        def apply_details(self, handoff: dict[str, Any], proceeding: dict[str, Any]) -> None:
            handoff["receiving_case_no"] = self.receiving_case_no
            handoff["assignee"] = self.assignee
            handoff["decided_on"] = self.on
            proceeding["case_no"] = self.receiving_case_no
            proceeding["assignee"] = self.assignee
            proceeding["accepted_on"] = self.on

    class HandoffRejected(HandoffStepped):
        reason: str
        legal_basis: str
        advice_to_party: str
        redirect_to_org: str | None

        def apply_details(self, handoff: dict[str, Any], proceeding: dict[str, Any]) -> None:
            handoff["decided_on"] = self.on
            handoff["rejection"] = {
                "reason": self.reason, "legal_basis": self.legal_basis,
                "advice_to_party": self.advice_to_party, "redirect_to_org": self.redirect_to_org,
            }
            proceeding["outcome"] = "NON_ACCEPTED"
            proceeding["concluded_on"] = self.on

    class HandoffWithdrawn(HandoffStepped):
        def apply_details(self, handoff: dict[str, Any], proceeding: dict[str, Any]) -> None:
            handoff["decided_on"] = self.on
            proceeding["outcome"] = "WITHDRAWN"
            proceeding["concluded_on"] = self.on

    def _step_handoff(self, handoff_id: Any, trigger: str, event_class: type, *, on: Any, actor: Actor,
                      policy: DeadlinePolicy | None, receiving: bool = True, **fields: Any) -> None:
        self._check_open()
        handoff = self._handoff_or_error(handoff_id)
        if receiving:
            self._check_actor_receives(handoff, actor)
        on_ = parse_date(on, "on")
        if on_ < handoff["requested_on"]:
            raise InvalidInput("on", f"is before the handoff was requested ({handoff['requested_on']})")
        if handoff["received_on"] is not None and on_ < handoff["received_on"]:
            raise InvalidInput("on", f"is before the handoff was received ({handoff['received_on']})")
        stage = next_stage(HANDOFF, handoff["state"], trigger, what=f"handoff {handoff['handoff_id']}")
        proceeding = self.proceeding(handoff["proceeding_id"])
        proceeding_trigger = HANDOFF_TO_PROCEEDING_TRIGGER.get(trigger)
        proceeding_stage = (
            next_stage(PROCEEDING, proceeding["state"], proceeding_trigger, what=f"{proceeding['kind']}")
            if proceeding_trigger
            else proceeding["state"]
        )
        self.trigger_event(
            event_class, actor=actor.record(), handoff_id=handoff["handoff_id"], stage=stage,
            proceeding_stage=proceeding_stage, on=on_, **fields,
        )
        clock_trigger = HANDOFF_CLOCK_TRIGGERS.get(trigger)
        if clock_trigger is not None:
            self._run_clocks(self._happening(proceeding, clock_trigger, on_), policy, actor)

    def receive_handoff(self, handoff_id: Any, *, on: Any, policy: DeadlinePolicy | None = None, actor: Actor) -> None:
        """签收: the receiving organisation's clock starts at receipt (§3.3)."""
        self._step_handoff(handoff_id, "receive", self.HandoffReceived, on=on, actor=actor, policy=policy)

    def return_handoff_for_supplement(self, handoff_id: Any, *, missing: Any, on: Any, policy: DeadlinePolicy | None = None, actor: Actor) -> None:
        """退回补正: one notice naming everything missing (2017 rules art. 29)."""
        items = _text_list(missing, "missing")
        self._receive_if_needed(handoff_id, on, actor, policy)
        self._step_handoff(
            handoff_id, "return_for_supplement", self.HandoffReturnedForSupplement, on=on, actor=actor, policy=policy,
            missing=items,
        )

    def resubmit_handoff(self, handoff_id: Any, *, added: Any, on: Any, policy: DeadlinePolicy | None = None, actor: Actor) -> None:
        handoff = self._handoff_or_error(handoff_id)
        self._check_actor_involved(handoff, actor)
        if actor.agency.value != handoff["from_agency"]:
            raise CommandNotAllowed("only the sending agency resubmits a returned handoff")
        documents = parse_documents(added, "added")
        if not documents:
            raise InvalidInput("added", "resubmit at least one document")
        self._step_handoff(
            handoff_id, "resubmit", self.HandoffResubmitted, on=on, actor=actor, policy=policy, receiving=False,
            added=[d.record() for d in documents],
        )

    def accept_handoff(self, handoff_id: Any, *, receiving_case_no: Any, assignee: Any = None, on: Any,
                       policy: DeadlinePolicy | None = None, actor: Actor) -> None:
        """受理: accepting an unreceived handoff records its receipt first, on the same day."""
        case_no = require_text(receiving_case_no, "receiving_case_no", max_length=64)
        who = require_text(assignee, "assignee", max_length=64, optional=True)
        self._receive_if_needed(handoff_id, on, actor, policy)
        self._step_handoff(
            handoff_id, "accept", self.HandoffAccepted, on=on, actor=actor, policy=policy,
            receiving_case_no=case_no, assignee=who,
        )

    def reject_handoff(self, handoff_id: Any, *, reason: Any, legal_basis: Any, advice_to_party: Any,
                       redirect_to_org: Any = None, on: Any, policy: DeadlinePolicy | None = None, actor: Actor) -> None:
        """不予受理: with the legal basis and advice to the party."""
        reason_ = parse_choice(RejectionReason, reason, "reason").value
        basis = require_text(legal_basis, "legal_basis", max_length=300)
        advice = require_text(advice_to_party, "advice_to_party", max_length=1000)
        redirect = require_text(redirect_to_org, "redirect_to_org", max_length=100, optional=True)
        self._receive_if_needed(handoff_id, on, actor, policy)
        self._step_handoff(
            handoff_id, "reject", self.HandoffRejected, on=on, actor=actor, policy=policy,
            reason=reason_, legal_basis=basis, advice_to_party=advice, redirect_to_org=redirect,
        )

    def withdraw_handoff(self, handoff_id: Any, *, on: Any, policy: DeadlinePolicy | None = None, actor: Actor) -> None:
        handoff = self._handoff_or_error(handoff_id)
        self._check_actor_involved(handoff, actor)
        if actor.agency.value != handoff["from_agency"]:
            raise CommandNotAllowed("only the sending agency withdraws a handoff")
        self._step_handoff(handoff_id, "withdraw", self.HandoffWithdrawn, on=on, actor=actor, policy=policy, receiving=False)

    def _receive_if_needed(self, handoff_id: Any, on: Any, actor: Actor, policy: DeadlinePolicy | None) -> None:
        handoff = self._handoff_or_error(handoff_id)
        if handoff["state"] == "REQUESTED":
            self.receive_handoff(handoff_id, on=on, actor=actor, policy=policy)

    @staticmethod
    def _check_actor_involved(handoff: Mapping[str, Any], actor: Actor) -> None:
        """A partner of an agency the handoff does not concern must not learn that it exists."""
        if actor.role.value == "partner" and actor.agency.value not in (handoff["from_agency"], handoff["to_agency"]):
            raise NotFound(f"no handoff {handoff['handoff_id']}")

    def _check_actor_receives(self, handoff: Mapping[str, Any], actor: Actor) -> None:
        if actor.role.value == "partner" and actor.agency.value != handoff["to_agency"]:
            raise NotFound(f"no handoff {handoff['handoff_id']}")
        if actor.role.value not in ("partner", "staff", "system"):
            raise CommandNotAllowed(f"a {actor.role.value} cannot decide handoffs")

    def _check_not_handed_off(self, proceeding_id: Any, trigger: str) -> None:
        proceeding = self._proceeding_or_error(proceeding_id)
        if proceeding["handoff_id"] and proceeding["state"] in ("REQUESTED", "AWAITING_SUPPLEMENT"):
            raise CommandNotAllowed(
                f"proceeding {proceeding['proceeding_id']} arrived by handoff {proceeding['handoff_id']}; "
                f"use the handoff's '{trigger}' command"
            )

    # ------------------------------------------------------------------ closure

    class Resolved(Event):
        how: str
        amount_recovered_cny: Decimal | None
        on: date
        stage: str

        def apply(self, dispute: Dispute) -> None:
            dispute.stage = self.stage
            dispute.resolution = {"how": self.how, "amount_recovered_cny": self.amount_recovered_cny, "on": self.on}

    def resolve(self, *, how: Any, amount_recovered_cny: Any = None, on: Any, actor: Actor) -> None:
        """化解: the controversy is settled (by agreement, award or judgment performed)."""
        stage = next_stage(DISPUTE, self.stage, "resolve", what="the dispute")
        open_now = [p["kind"] for p in self.proceedings if p["state"] in OPEN_PROCEEDING_STATES]
        if open_now:
            raise CommandNotAllowed(f"proceedings are still open: {', '.join(open_now)}")
        self.trigger_event(
            self.Resolved, actor=actor.record(), how=require_text(how, "how", max_length=200),
            amount_recovered_cny=parse_amount(amount_recovered_cny, "amount_recovered_cny"),
            on=self._business_date(on), stage=stage,
        )

    class Closed(Event):
        reason: str
        on: date
        stage: str

        def apply(self, dispute: Dispute) -> None:
            dispute.stage = self.stage
            dispute.closure = {"reason": self.reason, "on": self.on}

    CLOSE_REASONS = ("RESOLVED", "WITHDRAWN", "UNRESOLVED_TERMINAL", "MERGED")

    def close(self, *, reason: Any, on: Any, actor: Actor) -> None:
        stage = next_stage(DISPUTE, self.stage, "close", what="the dispute")
        if reason not in self.CLOSE_REASONS:
            raise InvalidInput("reason", f"expected one of {', '.join(self.CLOSE_REASONS)}")
        if reason == "RESOLVED" and self.stage != "RESOLVED":
            raise CommandNotAllowed("record the resolution first (resolve)")
        open_now = [p["kind"] for p in self.proceedings if p["state"] in OPEN_PROCEEDING_STATES]
        if open_now:
            raise CommandNotAllowed(f"proceedings are still open: {', '.join(open_now)}")
        self.trigger_event(self.Closed, actor=actor.record(), reason=reason, on=self._business_date(on), stage=stage)

    class Reopened(Event):
        reason: str
        on: date
        stage: str

        def apply(self, dispute: Dispute) -> None:
            dispute.stage = self.stage
            dispute.closure = None
            dispute.resolution = None

    def reopen(self, *, reason: Any, on: Any, actor: Actor) -> None:
        stage = next_stage(DISPUTE, self.stage, "reopen", what="the dispute")
        self.trigger_event(
            self.Reopened, actor=actor.record(), reason=require_text(reason, "reason", max_length=500),
            on=self._business_date(on), stage=stage,
        )

    # ------------------------------------------------------------------ links

    class ComplaintLinked(Event):
        complaint_id: str

        def apply(self, dispute: Dispute) -> None:
            dispute.complaint_ids.append(self.complaint_id)

    def link_complaint(self, complaint_id: Any, *, actor: Actor) -> None:
        """Link another 12351 ticket about the same matter (a repeat caller, a second worker)."""
        if not isinstance(complaint_id, str) or not complaint_id.strip():
            raise InvalidInput("complaint_id", "is required")
        if complaint_id in self.complaint_ids:
            raise CommandNotAllowed("the complaint is already linked to this dispute")
        self.trigger_event(self.ComplaintLinked, actor=actor.record(), complaint_id=complaint_id)

    # ------------------------------------------------------------------ queries (pure)

    def proceeding(self, proceeding_id: str) -> dict[str, Any]:
        for proceeding in self.proceedings:
            if proceeding["proceeding_id"] == proceeding_id:
                return proceeding
        raise NotFound(f"no proceeding {proceeding_id!r} on this dispute")

    def handoff(self, handoff_id: str) -> dict[str, Any]:
        for handoff in self.handoffs:
            if handoff["handoff_id"] == handoff_id:
                return handoff
        raise NotFound(f"no handoff {handoff_id!r} on this dispute")

    def _proceeding_or_error(self, proceeding_id: Any) -> dict[str, Any]:
        if not isinstance(proceeding_id, str) or not proceeding_id:
            raise InvalidInput("proceeding_id", "is required")
        return self.proceeding(proceeding_id)

    def _handoff_or_error(self, handoff_id: Any) -> dict[str, Any]:
        if not isinstance(handoff_id, str) or not handoff_id:
            raise InvalidInput("handoff_id", "is required")
        return self.handoff(handoff_id)

    def _check_open(self) -> None:
        if self.stage != "OPEN":
            raise CommandNotAllowed(f"the dispute is {self.stage}; reopen it first", state=self.stage)

    def _business_date(self, on: Any) -> date:
        value = parse_date(on, "on")
        if value < self.received_on:
            raise InvalidInput("on", f"is before the dispute was received ({self.received_on})")
        return value

    @property
    def status(self) -> str:
        """The headline status of §4.6, derived from the stage and the open proceedings."""
        if self.stage != "OPEN":
            return self.stage
        open_kinds = {p["kind"] for p in self.proceedings if p["state"] in OPEN_PROCEEDING_STATES}
        for kind, status in STATUS_PRECEDENCE:
            if kind.value in open_kinds:
                return status
        if any(d["rule_id"] in CHALLENGE_WINDOWS and d["status"] in OPEN_DEADLINE for d in self.deadlines):
            return "AWAITING_CHALLENGE"
        return "INTAKE"

    def suggested_next_tiers(self) -> list[str]:
        """Where the case may go next: after a failed or lapsed mediation, arbitration (LDMAL art. 14);
        once the court route is open (refusal, overdue acceptance or award, an award), litigation."""
        if self.stage != "OPEN":
            return []
        open_kinds = {p["kind"] for p in self.proceedings if p["state"] in OPEN_PROCEEDING_STATES}
        if litigation_route_open(self.proceedings) is not None:
            return [] if "LITIGATION_FIRST" in open_kinds else [ProceedingKind.LITIGATION_FIRST.value]
        if failed_lower_tier(self.proceedings) and "ARBITRATION" not in open_kinds:
            return [ProceedingKind.ARBITRATION.value]
        return []

    def allowed_actions(self) -> dict[str, Any]:
        """The next actions the stage tables allow now, per proceeding and handoff."""
        return {
            "suggested_next_tiers": self.suggested_next_tiers(),
            "dispute": DISPUTE.triggers_from(self.stage),
            "proceedings": {
                p["proceeding_id"]: PROCEEDING.triggers_from(p["state"])
                for p in self.proceedings
                if p["state"] not in PROCEEDING.terminal
            },
            "handoffs": {
                h["handoff_id"]: HANDOFF.triggers_from(h["state"])
                for h in self.handoffs
                if h["state"] not in HANDOFF.terminal
            },
        }

    def visible_to_agency(self, agency: str) -> bool:
        """A partner sees a case from a handoff's request until it is withdrawn before receipt."""
        return any(
            h["to_agency"] == agency and not (h["state"] == "WITHDRAWN" and h["received_on"] is None)
            for h in self.handoffs
        )


# What a handoff step means to the receiving organisation's clocks (§3.3: its clock starts at receipt).
HANDOFF_CLOCK_TRIGGERS = {
    "receive": "received",
    "resubmit": "received",  # A2: the receipt date resets when the materials are completed
    "accept": "accept",
    "reject": "reject",
    "withdraw": "withdraw",
}


def subject_of(dispute_id: Any, party_id: str) -> str:
    """The vault subject of a party: one key per person per case, so one person can be erased."""
    return f"{dispute_id}:{party_id}"


def _text_list(values: Any, field_name: str) -> list[str]:
    if not isinstance(values, list) or not values:
        raise InvalidInput(field_name, "expected a non-empty list of items")
    return [require_text(v, f"{field_name}[{i}]", max_length=300) for i, v in enumerate(values)]
