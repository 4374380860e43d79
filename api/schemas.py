"""Request and response models. Enumerations come from the domain, so the OpenAPI schema lists them.

Request models forbid unknown fields; the domain still validates meaning (dates in order,
check characters, route rules) and every error names its field.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.complaint import (
    Complexity,
    ReferralTarget,
    ReplyOutcome,
    Satisfaction,
    TicketCategory,
    TicketChannel,
    Urgency,
)
from domain.stages import KINDS, OrgType, ProceedingKind
from domain.values import (
    ApplicantSide,
    CaseType,
    ClaimantKind,
    ClaimKind,
    DocType,
    EmploymentForm,
    HandoffChannel,
    HandoffReason,
    Origin,
    RejectionReason,
    RespondentKind,
    RiskFlag,
    ServiceMethod,
)


def _literal(enum: type[Enum]) -> Any:
    return Literal[tuple(member.value for member in enum)]  # type: ignore[misc]


OUTCOMES = sorted({outcome for spec in KINDS.values() for outcome in spec.outcomes})


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ----------------------------------------------------------------------------- inputs


class PersonIn(Strict):
    name: str = Field(max_length=100)
    id_number: str | None = Field(None, description="18-character resident ID number (personal data)")
    phone: str | None = Field(None, description="mobile or landline (personal data)")
    bank_account: str | None = None
    monthly_wage_cny: Decimal | None = None


class OrganisationIn(Strict):
    name: str = Field(max_length=200)
    uscc: str | None = Field(None, description="统一社会信用代码, checked per GB 32100")
    address: str | None = None


class ClaimantIn(Strict):
    kind: _literal(ClaimantKind) = "WORKER"  # type: ignore[valid-type]
    person: PersonIn | None = None
    organisation: OrganisationIn | None = None
    is_migrant_worker: bool = False
    employment_form: _literal(EmploymentForm) = "UNKNOWN"  # type: ignore[valid-type]


class RespondentIn(Strict):
    kind: _literal(RespondentKind) = "EMPLOYER"  # type: ignore[valid-type]
    organisation: OrganisationIn | None = None
    person: PersonIn | None = None


class ClaimIn(Strict):
    kind: _literal(ClaimKind)  # type: ignore[valid-type]
    amount_cny: Decimal | None = None
    period_from: date | None = None
    period_to: date | None = None
    is_labour_standard_matter: bool = False


class WorkplaceIn(Strict):
    street: str | None = None
    industry: str | None = None


class EmploymentIn(Strict):
    started_on: date | None = None
    ended_on: date | None = None
    ongoing: bool | None = None


class PartiesIn(Strict):
    """What an intake and a ticket's conversion both carry: parties, claims, classification."""

    claimants: list[ClaimantIn] = Field(min_length=1, max_length=2000)
    respondents: list[RespondentIn] = Field(min_length=1, max_length=50)
    claims: list[ClaimIn] = Field(min_length=1, max_length=200)
    case_types: list[_literal(CaseType)] = []  # type: ignore[valid-type]
    risk_flags: list[_literal(RiskFlag)] = []  # type: ignore[valid-type]
    workplace: WorkplaceIn | None = None
    employment: EmploymentIn | None = None
    common_claims: bool = True


class DisputeIn(PartiesIn):
    """Intake of a dispute (受理登记)."""

    origin: _literal(Origin) = "WALK_IN"  # type: ignore[valid-type]
    summary: str = Field(max_length=2000, description="No personal data here: names and numbers go in the parties")
    received_on: date | None = Field(None, description="default: today (Asia/Shanghai)")


class ConversionIn(PartiesIn):
    """The dispute a 12351 ticket becomes (转立案); summary and dates default to the ticket's."""

    summary: str | None = Field(None, max_length=2000)
    received_on: date | None = None


class CallerIn(Strict):
    name: str | None = Field(None, max_length=100)
    phone: str | None = None
    anonymous: bool = False
    is_union_member: bool | None = None


class ComplaintIn(Strict):
    """A 12351 call or message (工单)."""

    channel: _literal(TicketChannel) = "PHONE_12351"  # type: ignore[valid-type]
    caller: CallerIn
    category: _literal(TicketCategory)  # type: ignore[valid-type]
    complexity: _literal(Complexity) = "GENERAL"  # type: ignore[valid-type]
    urgency: _literal(Urgency) = "NORMAL"  # type: ignore[valid-type]
    summary: str = Field(max_length=2000)
    subject_employer: str | None = Field(None, max_length=200)
    workers_affected: int | None = Field(None, ge=1)
    amount_cny: Decimal | None = None
    street: str | None = Field(None, max_length=50)


class DocumentRefIn(Strict):
    doc_type: _literal(DocType)  # type: ignore[valid-type]
    title: str = Field(max_length=200)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    pages: int | None = Field(None, ge=1)
    issued_on: date | None = None


class ConsentIn(Strict):
    worker: bool = False
    employer: bool = False


class MergeIn(Strict):
    into: str = Field(description="id of the ticket that carries the case")


class ExtensionIn(Strict):
    extension: int = Field(ge=1, description="in the rule's unit (days, working days or months)")
    approver: str = Field(max_length=100)


# One type per command parameter name; the command models are built from the domain's signatures.
_ON = (date | None, Field(None, description="business date of the fact; default today (Asia/Shanghai)"))
PARAMETERS: dict[str, tuple[Any, Any]] = {
    "on": _ON,
    "proceeding_id": (str, ...),
    "handoff_id": (str, ...),
    "case_no": (str | None, None),
    "assignee": (str | None, None),
    "missing": (list[str], Field(..., min_length=1, description="everything missing, in one notice (一次性告知)")),
    "documents": (list[DocumentRefIn] | None, None),
    "reason": (str, ...),
    "legal_basis": (str, ...),
    "advice": (str | None, None),
    "party_side": (_literal(ApplicantSide), ...),
    "ground": (str, ...),
    "withdrawn_by": (_literal(ApplicantSide), ...),
    "outcome": (Literal[tuple(OUTCOMES)], ...),  # type: ignore[misc]
    "amounts_awarded_cny": (Decimal | None, None),
    "performance_due": (date | None, None),
    "mediator": (str, ...),
    "mode": (Literal["IN_PERSON", "VIDEO"], ...),
    "record_sha256": (str | None, None),
    "doc_type": (_literal(DocType), ...),
    "method": (_literal(ServiceMethod), ...),
    "served_on": (date, ...),
    "kind": (_literal(ProceedingKind), ...),
    "org_type": (_literal(OrgType), ...),
    "org_name": (str, ...),
    "applicant": (_literal(ApplicantSide), "WORKER"),
    "received_on": (date, ...),
    "consent": (ConsentIn | None, None),
    "override_reason": (str | None, Field(None, description="staff only: passes an overridable route rule, recorded")),
    "channel": (_literal(HandoffChannel), "ONLINE"),
    "dossier": (list[DocumentRefIn], Field(..., min_length=1)),
    "note": (str | None, None),
    "added": (list[DocumentRefIn], Field(..., min_length=1)),
    "receiving_case_no": (str, ...),
    "advice_to_party": (str, ...),
    "redirect_to_org": (str | None, None),
    "how": (str, ...),
    "amount_recovered_cny": (Decimal | None, None),
    "caseworker": (str, ...),
    "complaint_id": (str, Field(..., description="id of a 12351 ticket about the same matter")),
    "answer": (str, ...),
    "to_org": (str, ...),
    "level": (str, "DISTRICT"),
    "days": (int, ...),
    "granted": (bool, ...),
    "target": (_literal(ReferralTarget), ...),
    "ref_no": (str | None, None),
    "text": (str, ...),
    "passed": (bool, ...),
    "notes": (str | None, None),
    "satisfaction": (_literal(Satisfaction), ...),
    "attempts": (int, 1),
    "justified_complaint": (bool, False),
}
# Parameters whose type depends on the command.
COMMAND_PARAMETERS: dict[tuple[str, str], tuple[Any, Any]] = {
    ("change_risk_flags", "add"): (list[_literal(RiskFlag)], []),  # type: ignore[valid-type]
    ("change_risk_flags", "remove"): (list[_literal(RiskFlag)], []),  # type: ignore[valid-type]
    ("change_risk_flags", "reason"): (str, ...),
    ("amend_claims", "add"): (list[ClaimIn], []),
    ("amend_claims", "remove"): (list[str], []),
    ("amend_claims", "on"): _ON,
    ("add_party", "side"): (Literal["claimant", "respondent"], ...),
    ("add_party", "party"): (dict[str, Any], Field(..., description="a claimant or respondent, as in the intake")),
    ("elect_representatives", "party_ids"): (list[str], Field(..., min_length=1)),
    ("elect_representatives", "scope"): (Literal["MEDIATION", "ARBITRATION", "LITIGATION", "PETITION"], ...),
    ("elect_representatives", "record_sha256"): (str | None, None),
    ("reject_proceeding", "reason"): (_literal(RejectionReason), ...),
    ("reject_handoff", "reason"): (_literal(RejectionReason), ...),
    ("request_handoff", "reason"): (_literal(HandoffReason), ...),
    ("close", "reason"): (Literal["RESOLVED", "WITHDRAWN", "UNRESOLVED_TERMINAL", "MERGED"], ...),
    ("submit_reply", "outcome"): (_literal(ReplyOutcome), ...),
    ("reopen", "reason"): (str, ...),
    ("return_by_unit", "reason"): (str, ...),
    ("request_extension", "reason"): (str, ...),
    ("escalate", "reason"): (str, ...),
}


# ----------------------------------------------------------------------------- outputs


class CommandOut(BaseModel):
    id: str
    version: int
    data: dict[str, str | int | None] = {}


class ErrorOut(BaseModel):
    code: str
    message: str
    detail: Any = None
    request_id: str | None = None


class PartyOut(BaseModel):
    party_id: str
    side: str
    kind: str
    person: dict[str, Any] | None = None
    organisation: dict[str, Any] | None = None
    is_migrant_worker: bool | None = None
    employment_form: str | None = None


class ProceedingOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    proceeding_id: str
    kind: str
    org_type: str
    agency: str
    org_name: str
    applicant: str
    state: str
    received_on: date
    outcome: str | None = None
    case_no: str | None = None
    accepted_on: date | None = None
    concluded_on: date | None = None
    award_overdue: bool = False
    handoff_id: str | None = None
    allowed_actions: list[str] = []


class HandoffOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    handoff_id: str
    proceeding_id: str
    from_agency: str
    to_agency: str
    state: str
    reason: str
    channel: str
    requested_on: date
    received_on: date | None = None
    decided_on: date | None = None
    missing: list[str] = []
    receiving_case_no: str | None = None
    dossier: list[dict[str, Any]] = []
    rejection: dict[str, Any] | None = None
    allowed_actions: list[str] = []


class DeadlineOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    deadline_id: str
    rule_id: str
    subject_id: str
    start: date
    due_date: date
    status: str
    warned: str | None = None
    light: Literal["GREEN", "YELLOW", "RED", "DONE"]
    provisional: bool
    source: str
    confidence: str
    unverified: bool
    calendar_version: str
    rule_version: int


class DisputeOut(BaseModel):
    id: str
    version: int
    case_number: str
    status: str
    stage: str
    origin: str
    summary: str
    received_on: date
    is_collective: bool
    case_types: list[str]
    risk_flags: list[str]
    workplace: dict[str, Any]
    employment: dict[str, Any]
    caseworker: str | None
    claimants: list[PartyOut]
    respondents: list[PartyOut]
    claims: list[dict[str, Any]]
    proceedings: list[ProceedingOut]
    handoffs: list[HandoffOut]
    deadlines: list[DeadlineOut]
    overrides: list[dict[str, Any]]
    representatives: list[dict[str, Any]]
    resolution: dict[str, Any] | None
    closure: dict[str, Any] | None
    complaint_ids: list[str]
    allowed_actions: list[str]
    suggested_next_tiers: list[str]
    created_at: datetime
    modified_at: datetime
    personal_data: Literal["full", "masked"]


class ComplaintOut(BaseModel):
    id: str
    version: int
    ticket_no: str | None
    state: str
    channel: str
    category: str
    complexity: str
    urgency: str
    summary: str
    received_at: datetime
    received_on: date
    after_hours: bool
    caller: dict[str, Any]
    subject_employer: str | None
    workers_affected: int | None
    amount_cny: Decimal | None
    street: str | None
    handling_org: str | None
    dispatch_chain: list[dict[str, Any]]
    returns: int
    extensions: list[dict[str, Any]]
    reply: dict[str, Any] | None
    callback: dict[str, Any] | None
    dispute_id: str | None
    referral: dict[str, Any] | None
    escalations: list[dict[str, Any]]
    merged_into: str | None
    deadlines: list[DeadlineOut]
    allowed_actions: list[str]
    created_at: datetime
    modified_at: datetime
    personal_data: Literal["full", "masked"]


class HistoryEventOut(BaseModel):
    version: int
    type: str
    business_date: date | None
    recorded_at: datetime
    actor: dict[str, str] | None
    data: dict[str, Any]


class HistoryOut(BaseModel):
    id: str
    version: int
    events: list[HistoryEventOut]
    personal_data: Literal["full", "masked"]


class ChangeOut(BaseModel):
    path: str
    before: Any = None
    after: Any = None


class DiffOut(BaseModel):
    id: str
    from_version: int
    to_version: int
    changes: list[ChangeOut]
    events: list[HistoryEventOut]


class HealthOut(BaseModel):
    status: Literal["ok"]
    store: str
    version: str
