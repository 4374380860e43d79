"""Legal route rules (docs/domain-reference.md §3.2, §4.3, §4.7), each named as a sentence.

A rule looks at the dispute's proceedings (JSON-shaped records) and either
passes or raises :class:`RouteRefused` naming the rule and its article. Rules
marked overridable may be passed by staff with an explicit reason, which the
aggregate records as a ``RouteRuleOverridden`` event that auditors see.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from domain.errors import RouteRefused
from domain.stages import AWARD_OUTCOMES, FAILED_OUTCOMES, OPEN_PROCEEDING_STATES, ProceedingKind
from domain.values import ApplicantSide, Consent

Proceeding = Mapping[str, Any]


@dataclass(frozen=True)
class RouteRule:
    rule_id: str
    sentence: str
    article: str
    overridable: bool
    confidence: str = "V"  # docs/domain-reference.md labels: V verified, S secondary, R recall, P policy


ARBITRATION_PRECEDES_LITIGATION = RouteRule(
    "arbitration_precedes_litigation",
    "A labour dispute goes to arbitration before a court hears it (先裁后审), unless arbitration was "
    "refused, its acceptance or its award ran overdue, or the case is on the payment-order route",
    "劳动争议调解仲裁法 第5条, 第29条, 第43条, 第50条 (LDMAL arts. 5, 29, 43, 50)",
    overridable=True,
)
ONLY_WORKER_MAY_SUE_AFTER_FINAL_AWARD = RouteRule(
    "only_worker_may_sue_after_final_award",
    "After a final award (终局裁决) only the worker may sue; the employer may only apply to the "
    "intermediate court to revoke the award",
    "劳动争议调解仲裁法 第47条, 第48条, 第49条 (LDMAL arts. 47–49)",
    overridable=False,
)
MEDIATION_NEEDS_BOTH_PARTIES_CONSENT = RouteRule(
    "mediation_needs_both_parties_consent",
    "Mediation needs the consent of both parties; if one refuses, the organisation must not mediate",
    "人民调解法 第17条; 劳动争议调解仲裁法 第5条 (People's Mediation Law art. 17; LDMAL art. 5)",
    overridable=False,
)
INSPECTION_REFERS_BACK_WHILE_DISPUTE_CHANNEL_ACTIVE = RouteRule(
    "inspection_refers_back_while_dispute_channel_active",
    "Labour inspection refers the party back while the matter is in mediation, arbitration or litigation",
    "劳动保障监察条例 第21条第2款 (Labour Security Supervision Regulations art. 21(2))",
    overridable=True,
)
ONE_ACTIVE_ARBITRATION_AT_A_TIME = RouteRule(
    "one_active_arbitration_at_a_time",
    "At most one arbitration is open for the same claims",
    "劳动人事争议仲裁办案规则 (2017) 第30条 [R: unverified — no second acceptance of the same claims]",
    overridable=False,
    confidence="R",
)
ONE_ACTIVE_FIRST_INSTANCE_AT_A_TIME = RouteRule(
    "one_active_first_instance_at_a_time",
    "At most one first-instance suit is open for the dispute",
    "民事诉讼法 第127条第5项 (CPL art. 127(5), no repeated suit)",
    overridable=False,
)
REVOCATION_NEEDS_A_FINAL_AWARD = RouteRule(
    "revocation_needs_a_final_award",
    "Only a final award can be the object of an application to revoke it",
    "劳动争议调解仲裁法 第49条 (LDMAL art. 49)",
    overridable=False,
)
APPEAL_NEEDS_A_FIRST_INSTANCE_JUDGMENT = RouteRule(
    "appeal_needs_a_first_instance_judgment",
    "An appeal lies against a first-instance judgment or ruling",
    "民事诉讼法 第171条 (CPL art. 171)",
    overridable=True,
)
CONFIRMATION_NEEDS_A_MEDIATION_AGREEMENT = RouteRule(
    "confirmation_needs_a_mediation_agreement",
    "Judicial confirmation or arbitral review needs a signed mediation agreement",
    "民事诉讼法 第205条; 人民调解法 第33条 (CPL art. 205; People's Mediation Law art. 33)",
    overridable=False,
)

ROUTE_RULES = (
    ARBITRATION_PRECEDES_LITIGATION,
    ONLY_WORKER_MAY_SUE_AFTER_FINAL_AWARD,
    MEDIATION_NEEDS_BOTH_PARTIES_CONSENT,
    INSPECTION_REFERS_BACK_WHILE_DISPUTE_CHANNEL_ACTIVE,
    ONE_ACTIVE_ARBITRATION_AT_A_TIME,
    ONE_ACTIVE_FIRST_INSTANCE_AT_A_TIME,
    REVOCATION_NEEDS_A_FINAL_AWARD,
    APPEAL_NEEDS_A_FIRST_INSTANCE_JUDGMENT,
    CONFIRMATION_NEEDS_A_MEDIATION_AGREEMENT,
)
RULES_BY_ID = {rule.rule_id: rule for rule in ROUTE_RULES}


def refuse(rule: RouteRule, detail: str) -> RouteRefused:
    return RouteRefused(rule.rule_id, rule.article, f"{rule.sentence}. {detail}", overridable=rule.overridable)


def _of_kind(proceedings: Iterable[Proceeding], kind: ProceedingKind) -> list[Proceeding]:
    return [p for p in proceedings if p["kind"] == kind.value]


def _is_open(proceeding: Proceeding) -> bool:
    return proceeding["state"] in OPEN_PROCEEDING_STATES


def litigation_route_open(proceedings: list[Proceeding]) -> str | None:
    """Why the court may hear the dispute now (LDMAL arts. 29, 43, 48, 50; CPL art. 228), or None."""
    for arbitration in _of_kind(proceedings, ProceedingKind.ARBITRATION):
        if arbitration["state"] == "REJECTED":
            return "arbitration refused (LDMAL art. 29)"
        if arbitration["state"] == "ACCEPTANCE_OVERDUE":
            return "arbitration acceptance overdue (LDMAL art. 29)"
        if arbitration.get("award_overdue"):
            return "award overdue (LDMAL art. 43)"
        if arbitration["state"] == "CONCLUDED" and arbitration.get("outcome") in AWARD_OUTCOMES:
            return "suit against an award (LDMAL arts. 48, 50)"
    for order in _of_kind(proceedings, ProceedingKind.PAYMENT_ORDER):
        if order["state"] == "CONCLUDED" and order.get("outcome") == "OBJECTION_UPHELD":
            return "payment order ended by objection (CPL art. 228)"
    for revocation in _of_kind(proceedings, ProceedingKind.AWARD_REVOCATION):
        if revocation["state"] == "CONCLUDED" and revocation.get("outcome") == "REVOKED":
            return "final award revoked (LDMAL art. 49)"
    return None


def last_award(proceedings: list[Proceeding]) -> Proceeding | None:
    awards = [
        p
        for p in _of_kind(proceedings, ProceedingKind.ARBITRATION)
        if p["state"] == "CONCLUDED" and p.get("outcome") in AWARD_OUTCOMES
    ]
    return awards[-1] if awards else None


def check_arbitration_precedes_litigation(proceedings: list[Proceeding]) -> None:
    """LDMAL arts. 5, 29, 43, 50: arbitration before litigation, with the statutory exceptions."""
    if litigation_route_open(proceedings) is None:
        raise refuse(
            ARBITRATION_PRECEDES_LITIGATION,
            "No arbitration has been refused, run overdue or ended in an award on this dispute.",
        )


def check_only_worker_may_sue_after_final_award(proceedings: list[Proceeding], applicant: ApplicantSide) -> None:
    """LDMAL arts. 47–49: an employer may not sue against a final award."""
    award = last_award(proceedings)
    revoked = any(
        p["state"] == "CONCLUDED" and p.get("outcome") == "REVOKED"
        for p in _of_kind(proceedings, ProceedingKind.AWARD_REVOCATION)
    )
    if award is not None and award.get("outcome") == "AWARD_FINAL" and not revoked and applicant is not ApplicantSide.WORKER:
        raise refuse(
            ONLY_WORKER_MAY_SUE_AFTER_FINAL_AWARD,
            "The employer may apply to revoke the award (AWARD_REVOCATION) instead.",
        )


def check_mediation_needs_both_parties_consent(consent: Consent) -> None:
    """People's Mediation Law art. 17: no mediation against a party's will."""
    if not consent.both:
        missing = [side for side in ("worker", "employer") if not getattr(consent, side)]
        raise refuse(
            MEDIATION_NEEDS_BOTH_PARTIES_CONSENT, f"Consent is missing from: {', '.join(missing)}."
        )


# 劳动保障监察条例 art. 21(2): matters already in mediation, arbitration or litigation go back there.
DISPUTE_CHANNELS = frozenset(
    kind.value
    for kind in (
        ProceedingKind.MEDIATION,
        ProceedingKind.ARBITRATION,
        ProceedingKind.AWARD_REVOCATION,
        ProceedingKind.PRE_LITIGATION_MEDIATION,
        ProceedingKind.PAYMENT_ORDER,
        ProceedingKind.LITIGATION_FIRST,
        ProceedingKind.APPEAL,
    )
)


def check_inspection_refers_back_while_dispute_channel_active(proceedings: list[Proceeding]) -> None:
    """Labour Security Supervision Regulations art. 21(2)."""
    active = [
        p["kind"]
        for p in proceedings
        if _is_open(p) and p["kind"] in DISPUTE_CHANNELS
    ]
    if active:
        raise refuse(
            INSPECTION_REFERS_BACK_WHILE_DISPUTE_CHANNEL_ACTIVE,
            f"Open now: {', '.join(active)}; the complainant is referred back to that channel.",
        )


def check_one_active_arbitration_at_a_time(proceedings: list[Proceeding]) -> None:
    if any(_is_open(p) for p in _of_kind(proceedings, ProceedingKind.ARBITRATION)):
        raise refuse(ONE_ACTIVE_ARBITRATION_AT_A_TIME, "An arbitration is already open on this dispute.")


def check_one_active_first_instance_at_a_time(proceedings: list[Proceeding]) -> None:
    if any(_is_open(p) for p in _of_kind(proceedings, ProceedingKind.LITIGATION_FIRST)):
        raise refuse(ONE_ACTIVE_FIRST_INSTANCE_AT_A_TIME, "A first-instance suit is already open.")


def check_revocation_needs_a_final_award(proceedings: list[Proceeding]) -> None:
    award = last_award(proceedings)
    if award is None or award.get("outcome") not in ("AWARD_FINAL", "AWARD_MIXED"):
        raise refuse(REVOCATION_NEEDS_A_FINAL_AWARD, "No final award has been issued on this dispute.")


def check_appeal_needs_a_first_instance_judgment(proceedings: list[Proceeding]) -> None:
    if not any(
        p["state"] == "CONCLUDED" and p.get("outcome") in ("JUDGMENT", "DISMISSED")
        for p in _of_kind(proceedings, ProceedingKind.LITIGATION_FIRST)
    ):
        raise refuse(
            APPEAL_NEEDS_A_FIRST_INSTANCE_JUDGMENT,
            "No first-instance judgment or ruling has been given (a mediation statement cannot be appealed).",
        )


def check_confirmation_needs_a_mediation_agreement(proceedings: list[Proceeding]) -> None:
    if not any(
        p["state"] == "CONCLUDED" and p.get("outcome") in ("AGREEMENT_SIGNED", "AGREEMENT", "SETTLED")
        for p in proceedings
    ):
        raise refuse(CONFIRMATION_NEEDS_A_MEDIATION_AGREEMENT, "No mediation agreement has been signed.")


def rules_for_opening(
    kind: ProceedingKind,
    proceedings: list[Proceeding],
    *,
    applicant: ApplicantSide,
    consent: Consent,
) -> list[tuple[RouteRule, RouteRefused | None]]:
    """Evaluate every rule that guards opening a proceeding of ``kind``: (rule, refusal or None)."""
    checks: list[tuple[RouteRule, Any]] = []
    if kind in (ProceedingKind.MEDIATION, ProceedingKind.PRE_LITIGATION_MEDIATION):
        checks.append((MEDIATION_NEEDS_BOTH_PARTIES_CONSENT, lambda: check_mediation_needs_both_parties_consent(consent)))
    elif kind is ProceedingKind.ARBITRATION:
        checks.append((ONE_ACTIVE_ARBITRATION_AT_A_TIME, lambda: check_one_active_arbitration_at_a_time(proceedings)))
    elif kind is ProceedingKind.LITIGATION_FIRST:
        checks.append(
            (ONLY_WORKER_MAY_SUE_AFTER_FINAL_AWARD,
             lambda: check_only_worker_may_sue_after_final_award(proceedings, applicant))
        )
        checks.append((ONE_ACTIVE_FIRST_INSTANCE_AT_A_TIME, lambda: check_one_active_first_instance_at_a_time(proceedings)))
        checks.append((ARBITRATION_PRECEDES_LITIGATION, lambda: check_arbitration_precedes_litigation(proceedings)))
    elif kind is ProceedingKind.AWARD_REVOCATION:
        checks.append((REVOCATION_NEEDS_A_FINAL_AWARD, lambda: check_revocation_needs_a_final_award(proceedings)))
    elif kind is ProceedingKind.APPEAL:
        checks.append((APPEAL_NEEDS_A_FIRST_INSTANCE_JUDGMENT, lambda: check_appeal_needs_a_first_instance_judgment(proceedings)))
    elif kind in (ProceedingKind.JUDICIAL_CONFIRMATION, ProceedingKind.ARBITRAL_REVIEW):
        checks.append(
            (CONFIRMATION_NEEDS_A_MEDIATION_AGREEMENT, lambda: check_confirmation_needs_a_mediation_agreement(proceedings))
        )
    elif kind is ProceedingKind.LABOUR_INSPECTION:
        checks.append(
            (INSPECTION_REFERS_BACK_WHILE_DISPUTE_CHANNEL_ACTIVE,
             lambda: check_inspection_refers_back_while_dispute_channel_active(proceedings))
        )
    results: list[tuple[RouteRule, RouteRefused | None]] = []
    for rule, check in checks:
        try:
            check()
        except RouteRefused as refusal:
            results.append((rule, refusal))
        else:
            results.append((rule, None))
    return results


def failed_lower_tier(proceedings: list[Proceeding]) -> bool:
    """True once a negotiation or mediation has ended without agreement (for the next-step hint)."""
    return any(
        p["state"] in ("LAPSED", "DECLINED") or (p["state"] == "CONCLUDED" and p.get("outcome") in FAILED_OUTCOMES)
        for p in proceedings
        if p["kind"] in (ProceedingKind.NEGOTIATION.value, ProceedingKind.MEDIATION.value)
    )
