"""Stage tables, declared as data and held by shared ``transitions`` machines.

Each machine is built once with ``model=None`` and is never attached to an
aggregate: a command asks :func:`next_stage` whether its trigger is allowed from
the current stage and where it leads, and the aggregate records the answer in an
event. Replay only assigns the recorded stage; it never consults these tables.
The same tables list the allowed next actions and draw the stage diagrams.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from transitions import Machine

from domain.errors import CommandNotAllowed
from domain.values import Agency, Choice


@dataclass(frozen=True)
class StageTable:
    name: str
    states: tuple[str, ...]
    initial: str
    transitions: tuple[tuple[str, str | tuple[str, ...], str], ...]  # (trigger, source(s), dest)
    terminal: frozenset[str]

    @property
    def machine(self) -> Machine:
        return _machine(self)

    def triggers_from(self, state: str) -> list[str]:
        """The triggers allowed from ``state``, in table order."""
        machine = self.machine
        return [trigger for trigger in machine.get_triggers(state) if machine.get_transitions(trigger, source=state)]


@cache
def _machine(table: StageTable) -> Machine:
    return Machine(
        model=None,
        states=list(table.states),
        initial=table.initial,
        transitions=[
            {"trigger": trigger, "source": list(source) if isinstance(source, tuple) else source, "dest": dest}
            for trigger, source, dest in table.transitions
        ],
        auto_transitions=False,
        name=table.name,
    )


def next_stage(table: StageTable, state: str, trigger: str, *, what: str) -> str:
    """Where ``trigger`` leads from ``state``, or :class:`CommandNotAllowed` naming the allowed ones."""
    found = table.machine.get_transitions(trigger, source=state)
    if not found:
        allowed = table.triggers_from(state)
        raise CommandNotAllowed(
            f"{what} is {state}: '{trigger}' is not allowed now"
            + (f" (allowed: {', '.join(allowed)})" if allowed else " (no further steps)"),
            state=state,
            allowed=allowed,
        )
    return found[0].dest or state  # an internal transition keeps the stage


# --------------------------------------------------------------------------- proceedings (§4.3)

OPEN_PROCEEDING_STATES = frozenset({"REQUESTED", "AWAITING_SUPPLEMENT", "ACTIVE", "SUSPENDED"})

PROCEEDING = StageTable(
    name="proceeding",
    states=(
        "REQUESTED",
        "AWAITING_SUPPLEMENT",
        "ACTIVE",
        "SUSPENDED",
        "REJECTED",
        "DECLINED",
        "ACCEPTANCE_OVERDUE",
        "CONCLUDED",
        "WITHDRAWN",
        "LAPSED",
    ),
    initial="REQUESTED",
    transitions=(
        ("return_for_supplement", "REQUESTED", "AWAITING_SUPPLEMENT"),
        ("resubmit", "AWAITING_SUPPLEMENT", "REQUESTED"),
        ("accept", "REQUESTED", "ACTIVE"),
        ("reject", "REQUESTED", "REJECTED"),
        ("decline_by_party", ("REQUESTED", "ACTIVE"), "DECLINED"),
        ("mark_acceptance_overdue", "REQUESTED", "ACCEPTANCE_OVERDUE"),
        ("suspend", "ACTIVE", "SUSPENDED"),
        ("resume", "SUSPENDED", "ACTIVE"),
        ("conclude", "ACTIVE", "CONCLUDED"),
        ("withdraw", ("REQUESTED", "AWAITING_SUPPLEMENT", "ACTIVE", "SUSPENDED"), "WITHDRAWN"),
        ("lapse", ("REQUESTED", "ACTIVE"), "LAPSED"),
    ),
    terminal=frozenset({"REJECTED", "DECLINED", "ACCEPTANCE_OVERDUE", "CONCLUDED", "WITHDRAWN", "LAPSED"}),
)


class ProceedingKind(Choice):
    NEGOTIATION = "NEGOTIATION"  # 协商
    MEDIATION = "MEDIATION"  # 调解
    ARBITRAL_REVIEW = "ARBITRAL_REVIEW"  # 仲裁审查
    JUDICIAL_CONFIRMATION = "JUDICIAL_CONFIRMATION"  # 司法确认
    PAYMENT_ORDER = "PAYMENT_ORDER"  # 支付令
    ARBITRATION = "ARBITRATION"  # 仲裁
    AWARD_REVOCATION = "AWARD_REVOCATION"  # 撤销仲裁裁决
    PRE_LITIGATION_MEDIATION = "PRE_LITIGATION_MEDIATION"  # 诉前调解
    LITIGATION_FIRST = "LITIGATION_FIRST"  # 一审
    APPEAL = "APPEAL"  # 上诉 / 二审
    ENFORCEMENT = "ENFORCEMENT"  # 强制执行
    LABOUR_INSPECTION = "LABOUR_INSPECTION"  # 劳动保障监察
    WORK_INJURY_DETERMINATION = "WORK_INJURY_DETERMINATION"  # 工伤认定
    LEGAL_AID = "LEGAL_AID"  # 法律援助


class OrgType(Choice):
    ENTERPRISE_MEDIATION_COMMITTEE = "ENTERPRISE_MEDIATION_COMMITTEE"
    UNION_MEDIATION_CENTRE = "UNION_MEDIATION_CENTRE"
    UNION_LEGAL_AID_STATION = "UNION_LEGAL_AID_STATION"
    UNION_AT_COURT_STATION = "UNION_AT_COURT_STATION"
    UNION_NEGOTIATION_ASSIST = "UNION_NEGOTIATION_ASSIST"
    PEOPLES_MEDIATION_COMMITTEE = "PEOPLES_MEDIATION_COMMITTEE"
    LEGAL_AID_CENTRE = "LEGAL_AID_CENTRE"
    TOWNSHIP_STREET_LABOUR_MEDIATION = "TOWNSHIP_STREET_LABOUR_MEDIATION"
    ARBITRATION_COMMISSION = "ARBITRATION_COMMISSION"
    ARBITRATION_MEDIATION_CENTRE = "ARBITRATION_MEDIATION_CENTRE"
    LABOUR_INSPECTION = "LABOUR_INSPECTION"
    SOCIAL_INSURANCE_ADMIN = "SOCIAL_INSURANCE_ADMIN"
    BASIC_COURT = "BASIC_COURT"
    INTERMEDIATE_COURT = "INTERMEDIATE_COURT"
    PARTIES = "PARTIES"  # negotiation between the parties themselves


ORG_AGENCY: dict[OrgType, Agency] = {
    OrgType.ENTERPRISE_MEDIATION_COMMITTEE: Agency.UNION,
    OrgType.UNION_MEDIATION_CENTRE: Agency.UNION,
    OrgType.UNION_LEGAL_AID_STATION: Agency.UNION,
    OrgType.UNION_AT_COURT_STATION: Agency.UNION,
    OrgType.UNION_NEGOTIATION_ASSIST: Agency.UNION,
    OrgType.PARTIES: Agency.UNION,
    OrgType.PEOPLES_MEDIATION_COMMITTEE: Agency.JUSTICE,
    OrgType.LEGAL_AID_CENTRE: Agency.JUSTICE,
    OrgType.TOWNSHIP_STREET_LABOUR_MEDIATION: Agency.HR,
    OrgType.ARBITRATION_COMMISSION: Agency.HR,
    OrgType.ARBITRATION_MEDIATION_CENTRE: Agency.HR,
    OrgType.LABOUR_INSPECTION: Agency.HR,
    OrgType.SOCIAL_INSURANCE_ADMIN: Agency.HR,
    OrgType.BASIC_COURT: Agency.COURT,
    OrgType.INTERMEDIATE_COURT: Agency.COURT,
}


@dataclass(frozen=True)
class KindSpec:
    """What a proceeding kind is: its tier, the organisations that run it, its outcomes."""

    tier: str
    org_types: tuple[OrgType, ...]
    outcomes: tuple[str, ...]
    award_outcomes: tuple[str, ...] = ()


AWARD_OUTCOMES = ("AWARD_FINAL", "AWARD_NON_FINAL", "AWARD_MIXED", "DEFAULT_AWARD")

KINDS: dict[ProceedingKind, KindSpec] = {
    ProceedingKind.NEGOTIATION: KindSpec(
        "NEGOTIATION", (OrgType.PARTIES, OrgType.UNION_NEGOTIATION_ASSIST), ("SETTLED", "FAILED", "NO_RESPONSE")
    ),
    ProceedingKind.MEDIATION: KindSpec(
        "MEDIATION",
        (
            OrgType.UNION_MEDIATION_CENTRE,
            OrgType.ENTERPRISE_MEDIATION_COMMITTEE,
            OrgType.PEOPLES_MEDIATION_COMMITTEE,
            OrgType.TOWNSHIP_STREET_LABOUR_MEDIATION,
            OrgType.UNION_AT_COURT_STATION,
            OrgType.ARBITRATION_MEDIATION_CENTRE,
        ),
        ("AGREEMENT_SIGNED", "FAILED"),
    ),
    ProceedingKind.ARBITRAL_REVIEW: KindSpec(
        "ARBITRATION", (OrgType.ARBITRATION_COMMISSION,), ("MEDIATION_STATEMENT_ISSUED", "REFUSED")
    ),
    ProceedingKind.JUDICIAL_CONFIRMATION: KindSpec(
        "LITIGATION", (OrgType.BASIC_COURT,), ("CONFIRMED_VALID", "RULED_INVALID")
    ),
    ProceedingKind.PAYMENT_ORDER: KindSpec(
        "LITIGATION", (OrgType.BASIC_COURT,), ("ORDER_ISSUED_PAID", "OBJECTION_UPHELD", "ORDER_ENFORCEABLE")
    ),
    ProceedingKind.ARBITRATION: KindSpec(
        "ARBITRATION",
        (OrgType.ARBITRATION_COMMISSION,),
        ("ARB_MEDIATION_STATEMENT", *AWARD_OUTCOMES, "DEEMED_WITHDRAWN"),
        award_outcomes=AWARD_OUTCOMES,
    ),
    ProceedingKind.AWARD_REVOCATION: KindSpec(
        "LITIGATION", (OrgType.INTERMEDIATE_COURT,), ("REVOKED", "DISMISSED", "NOT_ACCEPTED")
    ),
    ProceedingKind.PRE_LITIGATION_MEDIATION: KindSpec(
        "LITIGATION", (OrgType.BASIC_COURT, OrgType.UNION_AT_COURT_STATION), ("AGREEMENT", "FAILED")
    ),
    ProceedingKind.LITIGATION_FIRST: KindSpec(
        "LITIGATION", (OrgType.BASIC_COURT,), ("JUDGMENT", "COURT_MEDIATION_STATEMENT", "DISMISSED")
    ),
    ProceedingKind.APPEAL: KindSpec(
        "LITIGATION", (OrgType.INTERMEDIATE_COURT,), ("FINAL_JUDGMENT", "REMANDED", "COURT_MEDIATION_STATEMENT")
    ),
    ProceedingKind.ENFORCEMENT: KindSpec("LITIGATION", (OrgType.BASIC_COURT,), ("SATISFIED", "TERMINATED")),
    ProceedingKind.LABOUR_INSPECTION: KindSpec(
        "ADMINISTRATIVE",
        (OrgType.LABOUR_INSPECTION,),
        ("PENALTY", "ORDER_TO_PAY", "CASE_CLOSED", "REFERRED_TO_POLICE", "REFERRED_TO_DISPUTE_CHANNEL"),
    ),
    ProceedingKind.WORK_INJURY_DETERMINATION: KindSpec(
        "ADMINISTRATIVE", (OrgType.SOCIAL_INSURANCE_ADMIN,), ("DETERMINED_INJURY", "NOT_INJURY")
    ),
    ProceedingKind.LEGAL_AID: KindSpec(
        "ADMINISTRATIVE", (OrgType.LEGAL_AID_CENTRE, OrgType.UNION_LEGAL_AID_STATION), ("GRANTED", "REFUSED")
    ),
}

# Outcomes that end a mediation or negotiation without agreement: the next tier opens.
FAILED_OUTCOMES = frozenset({"FAILED", "NO_RESPONSE"})

# §4.6: which proceeding tier decides the dispute's headline status, most senior first.
STATUS_PRECEDENCE = (
    (ProceedingKind.ENFORCEMENT, "IN_ENFORCEMENT"),
    (ProceedingKind.APPEAL, "IN_APPEAL"),
    (ProceedingKind.LITIGATION_FIRST, "IN_LITIGATION"),
    (ProceedingKind.AWARD_REVOCATION, "IN_LITIGATION"),
    (ProceedingKind.PRE_LITIGATION_MEDIATION, "IN_LITIGATION"),
    (ProceedingKind.JUDICIAL_CONFIRMATION, "AGREEMENT_FOLLOW_UP"),
    (ProceedingKind.PAYMENT_ORDER, "IN_LITIGATION"),
    (ProceedingKind.ARBITRATION, "IN_ARBITRATION"),
    (ProceedingKind.ARBITRAL_REVIEW, "AGREEMENT_FOLLOW_UP"),
    (ProceedingKind.MEDIATION, "IN_MEDIATION"),
    (ProceedingKind.NEGOTIATION, "IN_NEGOTIATION"),
)


# --------------------------------------------------------------------------- handoffs (§3.3)

HANDOFF = StageTable(
    name="handoff",
    states=("REQUESTED", "RECEIVED", "RETURNED", "ACCEPTED", "REJECTED", "WITHDRAWN"),
    initial="REQUESTED",
    transitions=(
        ("receive", "REQUESTED", "RECEIVED"),
        ("return_for_supplement", "RECEIVED", "RETURNED"),
        ("resubmit", "RETURNED", "RECEIVED"),
        ("accept", "RECEIVED", "ACCEPTED"),
        ("reject", "RECEIVED", "REJECTED"),
        ("withdraw", ("REQUESTED", "RECEIVED", "RETURNED"), "WITHDRAWN"),
    ),
    terminal=frozenset({"ACCEPTED", "REJECTED", "WITHDRAWN"}),
)

# A handoff's lifecycle moves its target proceeding along the proceeding table.
HANDOFF_TO_PROCEEDING_TRIGGER = {
    "return_for_supplement": "return_for_supplement",
    "resubmit": "resubmit",
    "accept": "accept",
    "reject": "reject",
    "withdraw": "withdraw",
}


# --------------------------------------------------------------------------- dispute lifecycle

DISPUTE = StageTable(
    name="dispute",
    states=("OPEN", "RESOLVED", "CLOSED"),
    initial="OPEN",
    transitions=(
        ("resolve", "OPEN", "RESOLVED"),
        ("close", ("OPEN", "RESOLVED"), "CLOSED"),
        ("reopen", ("RESOLVED", "CLOSED"), "OPEN"),
    ),
    terminal=frozenset(),  # a closed dispute can be reopened (DisputeReopened, §4.5)
)


# --------------------------------------------------------------------------- 12351 tickets (§5.2)

COMPLAINT_OPEN_STATES = (
    "RECEIVED", "REGISTERED", "ANSWERED", "DISPATCHED", "IN_HANDLING", "REPLIED", "AWAITING_CALLBACK", "REOPENED",
)

COMPLAINT = StageTable(
    name="complaint",
    states=(
        "RECEIVED",
        "REGISTERED",
        "ANSWERED",
        "DISPATCHED",
        "IN_HANDLING",
        "REPLIED",
        "AWAITING_CALLBACK",
        "REOPENED",
        "CLOSED",
        "MERGED",
    ),
    initial="RECEIVED",
    transitions=(
        ("register", "RECEIVED", "REGISTERED"),
        ("answer_on_call", "REGISTERED", "ANSWERED"),
        ("close", "ANSWERED", "CLOSED"),
        ("dispatch", ("REGISTERED", "REOPENED"), "DISPATCHED"),
        ("sign_for", "DISPATCHED", "IN_HANDLING"),
        ("return_by_unit", "DISPATCHED", "REGISTERED"),
        ("request_extension", "IN_HANDLING", "IN_HANDLING"),
        ("decide_extension", "IN_HANDLING", "IN_HANDLING"),
        ("add_handling_note", "IN_HANDLING", "IN_HANDLING"),
        ("convert_to_dispute", ("REGISTERED", "IN_HANDLING"), "IN_HANDLING"),
        ("refer_out", "IN_HANDLING", "REPLIED"),
        ("submit_reply", "IN_HANDLING", "REPLIED"),
        ("pass_quality_check", "REPLIED", "AWAITING_CALLBACK"),
        ("fail_quality_check", "REPLIED", "IN_HANDLING"),
        ("complete_callback_closed", "AWAITING_CALLBACK", "CLOSED"),
        ("complete_callback_reopened", "AWAITING_CALLBACK", "REOPENED"),
        ("merge", COMPLAINT_OPEN_STATES, "MERGED"),
        ("escalate", COMPLAINT_OPEN_STATES, None),  # 督办: same state, escalation flag
    ),
    terminal=frozenset({"CLOSED", "MERGED"}),
)


TABLES = {table.name: table for table in (PROCEEDING, HANDOFF, DISPUTE, COMPLAINT)}
