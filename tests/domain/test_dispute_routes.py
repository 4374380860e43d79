"""The legal route rules of domain/routes.py (docs/domain-reference.md §3.2, §4.7), through the Dispute commands.

Given the events of earlier commands → open a proceeding (or hand the case off) → the new events,
or a RouteRefused naming the rule and its statute with nothing recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from domain.errors import RouteRefused
from domain.routes import RULES_BY_ID
from helpers import (
    STAFF,
    History,
    accepted,
    case_events,
    active,
    after,
    concluded,
    missed,
    names,
    open_,
    opened,
    refused,
    registered,
    request_handoff,
)

LDMAL = "劳动争议调解仲裁法"
CPL = "民事诉讼法"
PEOPLES_MEDIATION_LAW = "人民调解法"
SUPERVISION_REGULATIONS = "劳动保障监察条例"
ARBITRATION_RULES = "劳动人事争议仲裁办案规则"


def assert_refused_by(error: RouteRefused, rule_id: str, statute: str) -> None:
    assert error.rule_id == rule_id
    assert statute in error.article


def opened_kind(new_events: list[Any]) -> str:
    assert names(new_events) == ["ProceedingOpened"]
    return case_events(new_events)[0].kind


def after_arbitration(outcome: str) -> History:
    history = registered()
    concluded(history, "ARBITRATION", outcome)
    return history


def with_revoked_final_award() -> History:
    history = after_arbitration("AWARD_FINAL")
    concluded(history, "AWARD_REVOCATION", "REVOKED", applicant="EMPLOYER")
    return history


# --------------------------------------------------------------------------- arbitration precedes litigation


def test_worker_suit_without_arbitration_is_refused():
    error = refused(registered().events, open_("LITIGATION_FIRST"), RouteRefused)
    assert_refused_by(error, "arbitration_precedes_litigation", LDMAL)


def test_suit_while_arbitration_is_still_running_is_refused():
    history = registered()
    active(history, "ARBITRATION")
    error = refused(history.events, open_("LITIGATION_FIRST"), RouteRefused)
    assert_refused_by(error, "arbitration_precedes_litigation", LDMAL)


def test_suit_after_arbitration_was_withdrawn_is_refused():
    history = registered()
    proceeding_id = active(history, "ARBITRATION")
    history.do(lambda d: d.withdraw_proceeding(proceeding_id, withdrawn_by="WORKER", on="2025-03-12", actor=STAFF))
    error = refused(history.events, open_("LITIGATION_FIRST"), RouteRefused)
    assert_refused_by(error, "arbitration_precedes_litigation", LDMAL)


def test_suit_after_arbitration_rejected_is_allowed():
    history = registered()
    proceeding_id = opened(history, "ARBITRATION")
    history.do(lambda d: d.reject_proceeding(
        proceeding_id, reason="NO_JURISDICTION", legal_basis="LDMAL art. 29", on="2025-03-12", actor=STAFF))
    assert opened_kind(accepted(history.events, open_("LITIGATION_FIRST"))) == "LITIGATION_FIRST"


def test_suit_after_arbitration_acceptance_ran_overdue_is_allowed():
    history = registered()
    proceeding_id = opened(history, "ARBITRATION")
    missed(history, "A3", proceeding_id)  # the clock records ArbitrationAcceptanceOverdue
    assert history.state.proceeding(proceeding_id)["state"] == "ACCEPTANCE_OVERDUE"
    assert opened_kind(accepted(history.events, open_("LITIGATION_FIRST"))) == "LITIGATION_FIRST"


def test_suit_after_award_ran_overdue_is_allowed_while_arbitration_is_still_open():
    history = registered()
    proceeding_id = active(history, "ARBITRATION")
    missed(history, "A8", proceeding_id)  # the clock records AwardOverdue
    assert history.state.proceeding(proceeding_id)["state"] == "ACTIVE"
    assert opened_kind(accepted(history.events, open_("LITIGATION_FIRST"))) == "LITIGATION_FIRST"


def test_worker_suit_after_non_final_award_is_allowed():
    history = after_arbitration("AWARD_NON_FINAL")
    assert opened_kind(accepted(history.events, open_("LITIGATION_FIRST"))) == "LITIGATION_FIRST"


def test_employer_suit_after_non_final_award_is_allowed():
    history = after_arbitration("AWARD_NON_FINAL")
    new_events = accepted(history.events, open_("LITIGATION_FIRST", applicant="EMPLOYER"))
    assert opened_kind(new_events) == "LITIGATION_FIRST"
    assert case_events(new_events)[0].applicant == "EMPLOYER"


def test_suit_after_default_award_is_allowed():
    history = after_arbitration("DEFAULT_AWARD")
    assert opened_kind(accepted(history.events, open_("LITIGATION_FIRST"))) == "LITIGATION_FIRST"


def test_suit_after_arbitration_ended_in_a_mediation_statement_is_refused():
    history = after_arbitration("ARB_MEDIATION_STATEMENT")
    error = refused(history.events, open_("LITIGATION_FIRST"), RouteRefused)
    assert_refused_by(error, "arbitration_precedes_litigation", LDMAL)


def test_suit_after_payment_order_ended_by_upheld_objection_is_allowed():
    history = registered()
    concluded(history, "PAYMENT_ORDER", "OBJECTION_UPHELD")
    assert opened_kind(accepted(history.events, open_("LITIGATION_FIRST"))) == "LITIGATION_FIRST"


def test_suit_after_payment_order_was_paid_is_refused():
    history = registered()
    concluded(history, "PAYMENT_ORDER", "ORDER_ISSUED_PAID")
    error = refused(history.events, open_("LITIGATION_FIRST"), RouteRefused)
    assert_refused_by(error, "arbitration_precedes_litigation", LDMAL)


def test_worker_suit_after_final_award_was_revoked_is_allowed():
    history = with_revoked_final_award()
    assert opened_kind(accepted(history.events, open_("LITIGATION_FIRST"))) == "LITIGATION_FIRST"


def test_employer_suit_after_final_award_was_revoked_is_allowed():
    """LDMAL art. 49: once the final award is revoked, either party may sue within 15 days."""
    history = with_revoked_final_award()
    new_events = accepted(history.events, open_("LITIGATION_FIRST", applicant="EMPLOYER"))
    assert opened_kind(new_events) == "LITIGATION_FIRST"


def test_suit_without_arbitration_with_override_reason_records_the_override_before_opening():
    reason = "Court-originated case referred for the union's record"
    new_events = accepted(registered().events, open_("LITIGATION_FIRST", override_reason=reason))
    assert names(new_events) == ["RouteRuleOverridden", "ProceedingOpened"]
    overridden, opening = case_events(new_events)
    assert overridden.rule_id == "arbitration_precedes_litigation"
    assert LDMAL in overridden.article
    assert overridden.reason == reason
    assert overridden.proceeding_id == opening.proceeding_id


def test_overridden_route_is_kept_for_auditors():
    given = registered().events
    new_events = accepted(given, open_("LITIGATION_FIRST", override_reason="Court-originated case"))
    dispute = after(given, new_events)
    assert [o["rule_id"] for o in dispute.overrides] == ["arbitration_precedes_litigation"]
    assert dispute.overrides[0]["reason"] == "Court-originated case"


def test_blank_override_reason_does_not_pass_a_route_rule():
    error = refused(registered().events, open_("LITIGATION_FIRST", override_reason="   "), RouteRefused)
    assert_refused_by(error, "arbitration_precedes_litigation", LDMAL)


# --------------------------------------------------------------------------- after a final award


def test_employer_suit_after_final_award_is_refused():
    history = after_arbitration("AWARD_FINAL")
    error = refused(history.events, open_("LITIGATION_FIRST", applicant="EMPLOYER"), RouteRefused)
    assert_refused_by(error, "only_worker_may_sue_after_final_award", LDMAL)
    assert error.overridable is False


def test_employer_suit_after_final_award_is_refused_even_with_an_override_reason():
    history = after_arbitration("AWARD_FINAL")
    command = open_("LITIGATION_FIRST", applicant="EMPLOYER", override_reason="Employer insists")
    error = refused(history.events, command, RouteRefused)
    assert_refused_by(error, "only_worker_may_sue_after_final_award", LDMAL)


def test_worker_suit_after_final_award_is_allowed():
    history = after_arbitration("AWARD_FINAL")
    new_events = accepted(history.events, open_("LITIGATION_FIRST", applicant="WORKER"))
    assert opened_kind(new_events) == "LITIGATION_FIRST"


def test_employer_may_apply_to_revoke_a_final_award():
    history = after_arbitration("AWARD_FINAL")
    new_events = accepted(history.events, open_("AWARD_REVOCATION", applicant="EMPLOYER"))
    assert opened_kind(new_events) == "AWARD_REVOCATION"
    assert case_events(new_events)[0].org_type == "INTERMEDIATE_COURT"


# --------------------------------------------------------------------------- mediation consent


def test_mediation_without_employer_consent_is_refused_naming_the_employer():
    command = open_("MEDIATION", consent={"worker": True, "employer": False})
    error = refused(registered().events, command, RouteRefused)
    assert_refused_by(error, "mediation_needs_both_parties_consent", PEOPLES_MEDIATION_LAW)
    assert "employer" in error.message
    assert "worker" not in error.message


def test_mediation_without_worker_consent_is_refused_naming_the_worker():
    command = open_("MEDIATION", consent={"worker": False, "employer": True})
    error = refused(registered().events, command, RouteRefused)
    assert_refused_by(error, "mediation_needs_both_parties_consent", PEOPLES_MEDIATION_LAW)
    assert "worker" in error.message
    assert "employer" not in error.message


def test_mediation_without_any_consent_names_both_sides():
    command = open_("MEDIATION", consent={"worker": False, "employer": False})
    error = refused(registered().events, command, RouteRefused)
    assert "worker" in error.message and "employer" in error.message


def test_mediation_with_both_parties_consent_opens():
    new_events = accepted(registered().events, open_("MEDIATION", consent={"worker": True, "employer": True}))
    assert opened_kind(new_events) == "MEDIATION"
    assert case_events(new_events)[0].consent == {"worker": True, "employer": True}


def test_mediation_without_consent_is_refused_even_with_an_override_reason():
    command = open_("MEDIATION", consent={"worker": True, "employer": False}, override_reason="Urgent")
    error = refused(registered().events, command, RouteRefused)
    assert_refused_by(error, "mediation_needs_both_parties_consent", PEOPLES_MEDIATION_LAW)


# --------------------------------------------------------------------------- labour inspection


def test_labour_inspection_while_arbitration_is_open_is_refused():
    history = registered()
    opened(history, "ARBITRATION")
    error = refused(history.events, open_("LABOUR_INSPECTION"), RouteRefused)
    assert_refused_by(error, "inspection_refers_back_while_dispute_channel_active", SUPERVISION_REGULATIONS)


def test_labour_inspection_while_first_instance_suit_is_open_is_refused():
    history = after_arbitration("AWARD_NON_FINAL")
    active(history, "LITIGATION_FIRST")
    error = refused(history.events, open_("LABOUR_INSPECTION"), RouteRefused)
    assert_refused_by(error, "inspection_refers_back_while_dispute_channel_active", SUPERVISION_REGULATIONS)


def test_labour_inspection_while_appeal_is_open_is_refused():
    history = after_arbitration("AWARD_NON_FINAL")
    concluded(history, "LITIGATION_FIRST", "JUDGMENT")
    opened(history, "APPEAL")
    error = refused(history.events, open_("LABOUR_INSPECTION"), RouteRefused)
    assert_refused_by(error, "inspection_refers_back_while_dispute_channel_active", SUPERVISION_REGULATIONS)


def test_labour_inspection_after_arbitration_ended_is_allowed():
    history = after_arbitration("AWARD_NON_FINAL")
    assert opened_kind(accepted(history.events, open_("LABOUR_INSPECTION"))) == "LABOUR_INSPECTION"


def test_labour_inspection_after_litigation_ended_is_allowed():
    history = after_arbitration("AWARD_NON_FINAL")
    concluded(history, "LITIGATION_FIRST", "JUDGMENT")
    assert opened_kind(accepted(history.events, open_("LABOUR_INSPECTION"))) == "LABOUR_INSPECTION"


def test_labour_inspection_while_arbitration_is_open_proceeds_with_an_override_reason():
    history = registered()
    opened(history, "ARBITRATION")
    new_events = accepted(history.events, open_("LABOUR_INSPECTION", override_reason="Wage theft on a site"))
    assert names(new_events) == ["RouteRuleOverridden", "ProceedingOpened"]
    assert case_events(new_events)[0].rule_id == "inspection_refers_back_while_dispute_channel_active"


# --------------------------------------------------------------------------- one open arbitration, one open suit


def test_second_arbitration_while_one_is_open_is_refused():
    history = registered()
    active(history, "ARBITRATION")
    error = refused(history.events, open_("ARBITRATION"), RouteRefused)
    assert_refused_by(error, "one_active_arbitration_at_a_time", ARBITRATION_RULES)


def test_second_arbitration_is_refused_even_with_an_override_reason():
    history = registered()
    opened(history, "ARBITRATION")
    error = refused(history.events, open_("ARBITRATION", override_reason="New claims"), RouteRefused)
    assert_refused_by(error, "one_active_arbitration_at_a_time", ARBITRATION_RULES)


def test_new_arbitration_after_the_first_was_withdrawn_is_allowed():
    history = registered()
    proceeding_id = opened(history, "ARBITRATION")
    history.do(lambda d: d.withdraw_proceeding(proceeding_id, withdrawn_by="WORKER", on="2025-03-12", actor=STAFF))
    assert opened_kind(accepted(history.events, open_("ARBITRATION"))) == "ARBITRATION"


def test_second_first_instance_suit_while_one_is_open_is_refused():
    history = after_arbitration("AWARD_NON_FINAL")
    opened(history, "LITIGATION_FIRST")
    error = refused(history.events, open_("LITIGATION_FIRST"), RouteRefused)
    assert_refused_by(error, "one_active_first_instance_at_a_time", CPL)


def test_new_first_instance_suit_after_the_first_concluded_is_allowed():
    history = after_arbitration("AWARD_NON_FINAL")
    concluded(history, "LITIGATION_FIRST", "DISMISSED")
    assert opened_kind(accepted(history.events, open_("LITIGATION_FIRST"))) == "LITIGATION_FIRST"


# --------------------------------------------------------------------------- revocation, appeal, confirmation


def test_revocation_without_any_award_is_refused():
    error = refused(registered().events, open_("AWARD_REVOCATION", applicant="EMPLOYER"), RouteRefused)
    assert_refused_by(error, "revocation_needs_a_final_award", LDMAL)


def test_revocation_of_a_non_final_award_is_refused():
    history = after_arbitration("AWARD_NON_FINAL")
    error = refused(history.events, open_("AWARD_REVOCATION", applicant="EMPLOYER"), RouteRefused)
    assert_refused_by(error, "revocation_needs_a_final_award", LDMAL)


def test_revocation_of_a_mixed_award_is_allowed():
    history = after_arbitration("AWARD_MIXED")
    new_events = accepted(history.events, open_("AWARD_REVOCATION", applicant="EMPLOYER"))
    assert opened_kind(new_events) == "AWARD_REVOCATION"


def test_appeal_without_a_first_instance_is_refused():
    error = refused(registered().events, open_("APPEAL"), RouteRefused)
    assert_refused_by(error, "appeal_needs_a_first_instance_judgment", CPL)


def test_appeal_while_first_instance_is_still_running_is_refused():
    history = after_arbitration("AWARD_NON_FINAL")
    active(history, "LITIGATION_FIRST")
    error = refused(history.events, open_("APPEAL"), RouteRefused)
    assert_refused_by(error, "appeal_needs_a_first_instance_judgment", CPL)


def test_appeal_after_first_instance_concluded_is_allowed():
    history = after_arbitration("AWARD_NON_FINAL")
    concluded(history, "LITIGATION_FIRST", "JUDGMENT")
    assert opened_kind(accepted(history.events, open_("APPEAL"))) == "APPEAL"


def test_appeal_without_a_first_instance_proceeds_with_an_override_reason():
    new_events = accepted(registered().events, open_("APPEAL", override_reason="First instance held elsewhere"))
    assert names(new_events) == ["RouteRuleOverridden", "ProceedingOpened"]
    assert case_events(new_events)[0].rule_id == "appeal_needs_a_first_instance_judgment"


def test_judicial_confirmation_without_an_agreement_is_refused():
    error = refused(registered().events, open_("JUDICIAL_CONFIRMATION", applicant="BOTH"), RouteRefused)
    assert_refused_by(error, "confirmation_needs_a_mediation_agreement", CPL)


def test_judicial_confirmation_after_failed_mediation_is_refused():
    history = registered()
    concluded(history, "MEDIATION", "FAILED")
    error = refused(history.events, open_("JUDICIAL_CONFIRMATION", applicant="BOTH"), RouteRefused)
    assert_refused_by(error, "confirmation_needs_a_mediation_agreement", CPL)


def test_judicial_confirmation_after_signed_agreement_is_allowed():
    history = registered()
    concluded(history, "MEDIATION", "AGREEMENT_SIGNED")
    new_events = accepted(history.events, open_("JUDICIAL_CONFIRMATION", applicant="BOTH"))
    assert opened_kind(new_events) == "JUDICIAL_CONFIRMATION"


def test_arbitral_review_without_an_agreement_is_refused():
    error = refused(registered().events, open_("ARBITRAL_REVIEW", applicant="BOTH"), RouteRefused)
    assert_refused_by(error, "confirmation_needs_a_mediation_agreement", PEOPLES_MEDIATION_LAW)


def test_arbitral_review_after_signed_agreement_is_allowed():
    history = registered()
    concluded(history, "MEDIATION", "AGREEMENT_SIGNED")
    new_events = accepted(history.events, open_("ARBITRAL_REVIEW", applicant="BOTH"))
    assert opened_kind(new_events) == "ARBITRAL_REVIEW"


# --------------------------------------------------------------------------- every rule, as one table


@dataclass(frozen=True)
class RefusedRoute:
    """A history in which opening ``kind`` breaks exactly the rule ``rule_id``."""

    rule_id: str
    statute: str
    kind: str
    setup: Callable[[History], Any] = lambda history: None
    applicant: str = "WORKER"
    consent: dict[str, bool] | None = field(default=None)

    def history(self) -> History:
        history = registered()
        self.setup(history)
        return history


REFUSED_ROUTES = (
    RefusedRoute("arbitration_precedes_litigation", LDMAL, "LITIGATION_FIRST"),
    RefusedRoute(
        "only_worker_may_sue_after_final_award", LDMAL, "LITIGATION_FIRST",
        setup=lambda h: concluded(h, "ARBITRATION", "AWARD_FINAL"), applicant="EMPLOYER",
    ),
    RefusedRoute(
        "mediation_needs_both_parties_consent", PEOPLES_MEDIATION_LAW, "MEDIATION",
        consent={"worker": True, "employer": False},
    ),
    RefusedRoute(
        "inspection_refers_back_while_dispute_channel_active", SUPERVISION_REGULATIONS, "LABOUR_INSPECTION",
        setup=lambda h: opened(h, "ARBITRATION"),
    ),
    RefusedRoute(
        "one_active_arbitration_at_a_time", ARBITRATION_RULES, "ARBITRATION",
        setup=lambda h: opened(h, "ARBITRATION"),
    ),
    RefusedRoute(
        "one_active_first_instance_at_a_time", CPL, "LITIGATION_FIRST",
        setup=lambda h: (concluded(h, "ARBITRATION", "AWARD_NON_FINAL"), opened(h, "LITIGATION_FIRST")),
    ),
    RefusedRoute(
        "revocation_needs_a_final_award", LDMAL, "AWARD_REVOCATION",
        setup=lambda h: concluded(h, "ARBITRATION", "AWARD_NON_FINAL"), applicant="EMPLOYER",
    ),
    RefusedRoute(
        "appeal_needs_a_first_instance_judgment", CPL, "APPEAL",
        setup=lambda h: (concluded(h, "ARBITRATION", "AWARD_NON_FINAL"), active(h, "LITIGATION_FIRST")),
    ),
    RefusedRoute(
        "confirmation_needs_a_mediation_agreement", CPL, "JUDICIAL_CONFIRMATION",
        setup=lambda h: concluded(h, "MEDIATION", "FAILED"), applicant="BOTH",
    ),
)
BY_RULE = {route.rule_id: route for route in REFUSED_ROUTES}
OVERRIDABLE = [rule_id for rule_id, rule in RULES_BY_ID.items() if rule.overridable]
NOT_OVERRIDABLE = [rule_id for rule_id, rule in RULES_BY_ID.items() if not rule.overridable]


def test_the_route_table_covers_every_rule_in_routes():
    assert sorted(BY_RULE) == sorted(RULES_BY_ID)


@pytest.mark.parametrize("rule_id", sorted(RULES_BY_ID))
def test_refusal_names_its_rule_statute_and_overridability(rule_id):
    route = BY_RULE[rule_id]
    command = open_(route.kind, applicant=route.applicant, consent=route.consent)
    error = refused(route.history().events, command, RouteRefused)
    assert_refused_by(error, rule_id, route.statute)
    assert error.overridable is RULES_BY_ID[rule_id].overridable


@pytest.mark.parametrize("rule_id", NOT_OVERRIDABLE)
def test_rule_that_is_not_overridable_refuses_despite_an_override_reason(rule_id):
    route = BY_RULE[rule_id]
    command = open_(route.kind, applicant=route.applicant, consent=route.consent, override_reason="Staff decision")
    error = refused(route.history().events, command, RouteRefused)
    assert error.rule_id == rule_id


@pytest.mark.parametrize("rule_id", OVERRIDABLE)
def test_overridable_rule_proceeds_with_a_reason_and_records_the_override_first(rule_id):
    route = BY_RULE[rule_id]
    command = open_(route.kind, applicant=route.applicant, consent=route.consent, override_reason="Staff decision")
    new_events = accepted(route.history().events, command)
    assert names(new_events) == ["RouteRuleOverridden", "ProceedingOpened"]
    overridden = case_events(new_events)[0]
    assert (overridden.rule_id, overridden.reason) == (rule_id, "Staff decision")
    assert route.statute in overridden.article


@pytest.mark.parametrize("rule_id", sorted(RULES_BY_ID))
def test_handoff_on_a_refused_route_is_refused_at_the_sending_side(rule_id):
    route = BY_RULE[rule_id]
    command = request_handoff(route.kind, applicant=route.applicant, consent=route.consent)
    error = refused(route.history().events, command, RouteRefused)
    assert_refused_by(error, rule_id, route.statute)


@pytest.mark.parametrize("rule_id", NOT_OVERRIDABLE)
def test_handoff_on_a_route_that_is_not_overridable_is_refused_despite_an_override_reason(rule_id):
    route = BY_RULE[rule_id]
    command = request_handoff(route.kind, applicant=route.applicant, consent=route.consent,
                              override_reason="Staff decision")
    error = refused(route.history().events, command, RouteRefused)
    assert error.rule_id == rule_id


def test_handoff_with_override_reason_records_the_override_then_the_proceeding_then_the_request():
    command = request_handoff("LITIGATION_FIRST", override_reason="Court-originated case")
    new_events = accepted(registered().events, command)
    assert names(new_events) == ["RouteRuleOverridden", "ProceedingOpened", "HandoffRequested"]
    overridden, opening, request = case_events(new_events)
    assert overridden.rule_id == "arbitration_precedes_litigation"
    assert overridden.proceeding_id == opening.proceeding_id == request.proceeding_id
