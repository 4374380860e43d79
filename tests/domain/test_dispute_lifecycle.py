"""The Dispute aggregate's lifecycle: registration, proceedings (docs/domain-reference.md §4.3), handoffs (§3.3),
derived status (§4.6), allowed actions, and resolve / close / reopen.

Given the events of earlier commands → one command → the new events (or the error, with nothing recorded).
"""

from __future__ import annotations

from datetime import date

import pytest

from domain.dispute import Dispute
from domain.errors import CommandNotAllowed, InvalidInput, NotFound
from domain.stages import DISPUTE, HANDOFF, PROCEEDING
from domain.values import parse_intake
from helpers import (
    AUDITOR,
    COURT_PARTNER,
    DAY,
    HR_PARTNER,
    JUSTICE_PARTNER,
    RECEIVED,
    STAFF,
    TODAY,
    History,
    accept,
    accepted,
    case_events,
    active,
    after,
    conclude,
    concluded,
    declared_triggers,
    document,
    intake_form,
    names,
    new_party_id,
    open_,
    opened,
    refused,
    register,
    registered,
    request_handoff,
    worker,
)

# --------------------------------------------------------------------------- registration


def registered_dispute(form: dict) -> Dispute:
    return after([], accepted([], register(form)))


def test_registration_records_one_registered_event():
    new_events = accepted([], register())
    assert names(new_events) == ["Registered"]
    assert case_events(new_events)[0].received_on == RECEIVED


def test_ten_workers_with_common_claims_register_a_collective_dispute():
    dispute = registered_dispute(intake_form(claimants=[worker(n) for n in range(10)]))
    assert dispute.is_collective is True
    assert "COLLECTIVE_COMMON_CLAIM" in dispute.case_types
    assert "INDIVIDUAL" not in dispute.case_types


def test_nine_workers_register_an_individual_dispute():
    dispute = registered_dispute(intake_form(claimants=[worker(n) for n in range(9)]))
    assert dispute.is_collective is False
    assert dispute.case_types[0] == "INDIVIDUAL"
    assert "COLLECTIVE_COMMON_CLAIM" not in dispute.case_types


def test_ten_workers_without_common_claims_register_an_individual_dispute():
    dispute = registered_dispute(intake_form(claimants=[worker(n) for n in range(10)], common_claims=False))
    assert dispute.is_collective is False
    assert "INDIVIDUAL" in dispute.case_types


def test_union_claimant_in_a_collective_contract_dispute_is_registered_as_an_organisation():
    form = intake_form(
        claimants=[{"kind": "UNION", "organisation": {"name": "Example Works Union Committee"}}],
        case_types=["COLLECTIVE_CONTRACT_PERFORMANCE"],
    )
    dispute = registered_dispute(form)
    claimant = dispute.claimants[0]
    assert (claimant["kind"], claimant["person"]) == ("UNION", None)
    assert claimant["organisation"]["name"] == "Example Works Union Committee"
    assert dispute.is_collective is True


def test_union_claimant_without_its_organisation_is_invalid():
    form = intake_form(claimants=[{"kind": "UNION", "person": {"name": "Chair"}}])
    assert refused([], register(form), InvalidInput).field == "claimants[0].organisation"


def test_claimant_id_number_with_a_bad_check_digit_is_invalid():
    form = intake_form(claimants=[worker(1), worker(2, id_number="110105194912310021")])
    assert refused([], register(form), InvalidInput).field == "claimants[1].person.id_number"


def test_first_claimant_id_number_with_a_bad_check_digit_names_the_first_claimant():
    form = intake_form(claimants=[worker(1, id_number="110105194912310021")])
    assert refused([], register(form), InvalidInput).field == "claimants[0].person.id_number"


def test_negative_claim_amount_is_invalid():
    form = intake_form(claims=[{"kind": "WAGE", "amount_cny": "-1.00"}])
    assert refused([], register(form), InvalidInput).field == "claims[0].amount_cny"


def test_claim_amount_with_three_decimals_is_invalid():
    form = intake_form(claims=[{"kind": "WAGE", "amount_cny": "100.005"}])
    assert refused([], register(form), InvalidInput).field == "claims[0].amount_cny"


def test_empty_respondents_are_invalid():
    assert refused([], register(intake_form(respondents=[])), InvalidInput).field == "respondents"


def test_empty_claimants_are_invalid():
    assert refused([], register(intake_form(claimants=[])), InvalidInput).field == "claimants"


def test_intake_value_without_respondents_is_refused_by_the_aggregate():
    intake = parse_intake(intake_form(), default_received_on=TODAY, new_party_id=new_party_id)
    intake.respondents.clear()
    command = lambda _: Dispute.register(intake, case_number="2025-0002", actor=STAFF)  # noqa: E731
    assert refused([], command, InvalidInput).field == "respondents"


def test_receipt_date_in_the_future_is_invalid():
    form = intake_form(received_on="2025-03-21")
    assert refused([], register(form), InvalidInput).field == "received_on"


# --------------------------------------------------------------------------- proceeding lifecycle (§4.3)


def requested_arbitration() -> tuple[History, str]:
    history = registered()
    return history, opened(history, "ARBITRATION")


def test_opened_proceeding_is_requested():
    history, proceeding_id = requested_arbitration()
    assert history.state.proceeding(proceeding_id)["state"] == "REQUESTED"


def test_returning_an_application_for_supplement_awaits_the_supplement():
    history, proceeding_id = requested_arbitration()
    new_events = accepted(history.events, lambda d: d.return_proceeding_for_supplement(
        proceeding_id, missing=["ID copy", "evidence list"], on="2025-03-11", actor=STAFF))
    assert names(new_events) == ["ProceedingReturnedForSupplement"]
    assert case_events(new_events)[0].stage == "AWAITING_SUPPLEMENT"
    assert after(history.events, new_events).proceeding(proceeding_id)["missing"] == ["ID copy", "evidence list"]


def test_resubmitted_application_is_requested_again_with_the_receipt_date_reset():
    history, proceeding_id = requested_arbitration()
    history.do(lambda d: d.return_proceeding_for_supplement(proceeding_id, missing=["ID copy"], on="2025-03-11",
                                                            actor=STAFF))
    new_events = accepted(history.events, lambda d: d.resubmit_proceeding(
        proceeding_id, documents=[document("ID_PROOF")], on="2025-03-14", actor=STAFF))
    assert names(new_events) == ["ProceedingResubmitted"]
    proceeding = after(history.events, new_events).proceeding(proceeding_id)
    assert (proceeding["state"], proceeding["received_on"], proceeding["missing"]) == (
        "REQUESTED", date(2025, 3, 14), [])


def test_accepted_proceeding_is_active_with_its_case_number():
    history, proceeding_id = requested_arbitration()
    new_events = accepted(history.events, accept(proceeding_id, case_no="(2025)区劳人仲案字第17号"))
    assert names(new_events) == ["ProceedingAccepted"]
    proceeding = after(history.events, new_events).proceeding(proceeding_id)
    assert (proceeding["state"], proceeding["case_no"]) == ("ACTIVE", "(2025)区劳人仲案字第17号")


def test_suspended_proceeding_is_suspended():
    history = registered()
    proceeding_id = active(history, "ARBITRATION")
    new_events = accepted(history.events, lambda d: d.suspend_proceeding(
        proceeding_id, ground="awaiting work-injury determination", on="2025-03-12", actor=STAFF))
    assert names(new_events) == ["ProceedingSuspended"]
    assert case_events(new_events)[0].stage == "SUSPENDED"


def test_resumed_proceeding_is_active_again():
    history = registered()
    proceeding_id = active(history, "ARBITRATION")
    history.do(lambda d: d.suspend_proceeding(proceeding_id, ground="awaiting determination", on="2025-03-12",
                                              actor=STAFF))
    new_events = accepted(history.events, lambda d: d.resume_proceeding(proceeding_id, on="2025-04-01", actor=STAFF))
    assert names(new_events) == ["ProceedingResumed"]
    assert after(history.events, new_events).proceeding(proceeding_id)["state"] == "ACTIVE"


def test_concluding_a_suspended_proceeding_is_refused():
    history = registered()
    proceeding_id = active(history, "ARBITRATION")
    history.do(lambda d: d.suspend_proceeding(proceeding_id, ground="force majeure", on="2025-03-12", actor=STAFF))
    error = refused(history.events, conclude(proceeding_id, "AWARD_FINAL", on="2025-03-13"), CommandNotAllowed)
    assert error.allowed == declared_triggers(PROCEEDING, "SUSPENDED")


def test_concluded_arbitration_records_its_award_outcome():
    history = registered()
    proceeding_id = active(history, "ARBITRATION")
    new_events = accepted(history.events, conclude(proceeding_id, "AWARD_FINAL", on="2025-04-20"))
    assert names(new_events) == ["ProceedingConcluded"]
    proceeding = after(history.events, new_events).proceeding(proceeding_id)
    assert (proceeding["state"], proceeding["outcome"], proceeding["concluded_on"]) == (
        "CONCLUDED", "AWARD_FINAL", date(2025, 4, 20))


def test_concluded_mediation_records_a_signed_agreement():
    history = registered()
    proceeding_id = active(history, "MEDIATION")
    new_events = accepted(history.events, conclude(proceeding_id, "AGREEMENT_SIGNED"))
    assert case_events(new_events)[0].outcome == "AGREEMENT_SIGNED"


def test_outcome_of_another_kind_is_invalid_naming_outcome():
    history = registered()
    proceeding_id = active(history, "MEDIATION")
    error = refused(history.events, conclude(proceeding_id, "JUDGMENT"), InvalidInput)
    assert error.field == "outcome"


def test_concluding_a_never_accepted_proceeding_is_refused_listing_the_allowed_actions():
    history, proceeding_id = requested_arbitration()
    error = refused(history.events, conclude(proceeding_id, "AWARD_NON_FINAL"), CommandNotAllowed)
    assert error.state == "REQUESTED"
    assert error.allowed == declared_triggers(PROCEEDING, "REQUESTED")
    assert "accept" in error.message


def test_concluding_an_application_awaiting_supplement_is_refused():
    history, proceeding_id = requested_arbitration()
    history.do(lambda d: d.return_proceeding_for_supplement(proceeding_id, missing=["ID copy"], on=DAY, actor=STAFF))
    error = refused(history.events, conclude(proceeding_id, "AWARD_NON_FINAL"), CommandNotAllowed)
    assert error.allowed == declared_triggers(PROCEEDING, "AWAITING_SUPPLEMENT")


def test_concluding_a_concluded_proceeding_is_refused_with_no_further_steps():
    history = registered()
    proceeding_id = concluded(history, "MEDIATION", "FAILED")
    error = refused(history.events, conclude(proceeding_id, "AGREEMENT_SIGNED"), CommandNotAllowed)
    assert (error.state, error.allowed) == ("CONCLUDED", [])


def test_rejected_application_records_reason_legal_basis_and_advice():
    history, proceeding_id = requested_arbitration()
    new_events = accepted(history.events, lambda d: d.reject_proceeding(
        proceeding_id, reason="NO_JURISDICTION", legal_basis="LDMAL art. 21",
        advice="Apply to the commission where the work is performed", on="2025-03-12", actor=STAFF))
    assert names(new_events) == ["ProceedingRejected"]
    rejected = case_events(new_events)[0]
    assert (rejected.stage, rejected.reason, rejected.legal_basis) == ("REJECTED", "NO_JURISDICTION", "LDMAL art. 21")
    assert rejected.advice == "Apply to the commission where the work is performed"


def test_withdrawing_a_suspended_proceeding_records_who_withdrew():
    history = registered()
    proceeding_id = active(history, "ARBITRATION")
    history.do(lambda d: d.suspend_proceeding(proceeding_id, ground="force majeure", on=DAY, actor=STAFF))
    new_events = accepted(history.events, lambda d: d.withdraw_proceeding(
        proceeding_id, withdrawn_by="WORKER", on=DAY, actor=STAFF))
    withdrawn = case_events(new_events)[0]
    assert (withdrawn.stage, withdrawn.withdrawn_by) == ("WITHDRAWN", "WORKER")


def test_party_declining_a_mediation_ends_it_declined():
    history = registered()
    proceeding_id = opened(history, "MEDIATION")
    new_events = accepted(history.events, lambda d: d.decline_proceeding_by_party(
        proceeding_id, party_side="EMPLOYER", on=DAY, actor=STAFF))
    assert names(new_events) == ["ProceedingDeclinedByParty"]
    assert case_events(new_events)[0].stage == "DECLINED"


def test_party_cannot_decline_an_arbitration():
    history, proceeding_id = requested_arbitration()
    refused(history.events, lambda d: d.decline_proceeding_by_party(
        proceeding_id, party_side="EMPLOYER", on=DAY, actor=STAFF), CommandNotAllowed)


def test_step_dated_before_the_application_was_received_is_invalid_naming_on():
    history, proceeding_id = requested_arbitration()  # received DAY
    error = refused(history.events, accept(proceeding_id, on="2025-03-09"), InvalidInput)
    assert error.field == "on"


def test_conclusion_dated_before_the_acceptance_is_invalid_naming_on():
    history, proceeding_id = requested_arbitration()  # received 2025-03-10
    history.do(accept(proceeding_id, on="2025-03-15"))
    error = refused(history.events, conclude(proceeding_id, "AWARD_FINAL", on="2025-03-12"), InvalidInput)
    assert error.field == "on"


def test_proceeding_received_before_the_dispute_is_invalid():
    error = refused(registered().events, open_("ARBITRATION", received_on="2025-03-02"), InvalidInput)
    assert error.field == "received_on"


def test_unknown_proceeding_is_not_found():
    refused(registered().events, accept("nope"), NotFound)


# --------------------------------------------------------------------------- handoffs (§3.3)


def requested_handoff(kind: str = "ARBITRATION") -> tuple[History, str, str]:
    """A union→HR handoff of an arbitration application, requested on 2025-03-10."""
    history = registered()
    handoff_id, proceeding_id = history.do(request_handoff(kind, on="2025-03-10"))
    return history, handoff_id, proceeding_id


def receive(handoff_id: str, on: str = "2025-03-11", actor=HR_PARTNER):
    return lambda d: d.receive_handoff(handoff_id, on=on, actor=actor)


def return_(handoff_id: str, on: str = "2025-03-12", actor=HR_PARTNER):
    return lambda d: d.return_handoff_for_supplement(handoff_id, missing=["evidence list"], on=on, actor=actor)


def resubmit(handoff_id: str, on: str = "2025-03-14", actor=STAFF):
    return lambda d: d.resubmit_handoff(handoff_id, added=[document("EVIDENCE_LIST", 1)], on=on, actor=actor)


def accept_handoff(handoff_id: str, on: str = "2025-03-15", actor=HR_PARTNER, case_no: str = "(2025)HR-17"):
    return lambda d: d.accept_handoff(handoff_id, receiving_case_no=case_no, assignee="arbitrator-3", on=on,
                                      actor=actor)


def reject_handoff(handoff_id: str, on: str = "2025-03-15", actor=HR_PARTNER):
    return lambda d: d.reject_handoff(
        handoff_id, reason="NO_JURISDICTION", legal_basis="LDMAL art. 21",
        advice_to_party="Apply where the work is performed", redirect_to_org="Next district commission",
        on=on, actor=actor)


def withdraw_handoff(handoff_id: str, on: str = "2025-03-12", actor=STAFF):
    return lambda d: d.withdraw_handoff(handoff_id, on=on, actor=actor)


def test_requesting_a_handoff_opens_the_target_proceeding_then_records_the_request():
    new_events = accepted(registered().events, request_handoff("ARBITRATION"))
    assert names(new_events) == ["ProceedingOpened", "HandoffRequested"]
    opening, request = case_events(new_events)
    assert opening.handoff_id == request.handoff_id
    assert (request.from_agency, request.to_agency) == ("union", "hr")


def test_handoff_to_the_senders_own_agency_is_invalid():
    command = request_handoff("MEDIATION", org_type="UNION_MEDIATION_CENTRE")
    assert refused(registered().events, command, InvalidInput).field == "org_type"


def test_handoff_without_a_dossier_is_invalid():
    assert refused(registered().events, request_handoff("ARBITRATION", dossier=[]), InvalidInput).field == "dossier"


def test_handoff_requested_before_the_dispute_was_received_is_invalid_naming_on():
    error = refused(registered().events, request_handoff("ARBITRATION", on="2025-03-01"), InvalidInput)
    assert error.field == "on"


def test_received_handoff_is_received_on_its_receipt_date():
    history, handoff_id, proceeding_id = requested_handoff()
    new_events = accepted(history.events, receive(handoff_id, on="2025-03-11"))
    assert names(new_events) == ["HandoffReceived"]
    dispute = after(history.events, new_events)
    assert (dispute.handoff(handoff_id)["state"], dispute.handoff(handoff_id)["received_on"]) == (
        "RECEIVED", date(2025, 3, 11))
    assert dispute.proceeding(proceeding_id)["received_on"] == date(2025, 3, 11)


def test_returned_handoff_puts_the_target_proceeding_awaiting_supplement():
    history, handoff_id, proceeding_id = requested_handoff()
    history.do(receive(handoff_id))
    new_events = accepted(history.events, return_(handoff_id))
    assert names(new_events) == ["HandoffReturnedForSupplement"]
    dispute = after(history.events, new_events)
    assert dispute.handoff(handoff_id)["state"] == "RETURNED"
    assert dispute.proceeding(proceeding_id)["state"] == "AWAITING_SUPPLEMENT"


def test_returning_a_never_received_handoff_records_its_receipt_first():
    history, handoff_id, _ = requested_handoff()
    new_events = accepted(history.events, return_(handoff_id))
    assert names(new_events) == ["HandoffReceived", "HandoffReturnedForSupplement"]


def test_returning_a_never_received_handoff_without_naming_what_is_missing_records_nothing():
    history, handoff_id, _ = requested_handoff()
    def command(dispute):
        dispute.return_handoff_for_supplement(handoff_id, missing=[], on="2025-03-12", actor=HR_PARTNER)

    assert refused(history.events, command, InvalidInput).field == "missing"


def test_resubmission_by_the_sending_agency_resets_the_receipt_date():
    history, handoff_id, proceeding_id = requested_handoff()
    history.do(receive(handoff_id, on="2025-03-11"))
    history.do(return_(handoff_id, on="2025-03-12"))
    new_events = accepted(history.events, resubmit(handoff_id, on="2025-03-14"))
    assert names(new_events) == ["HandoffResubmitted"]
    dispute = after(history.events, new_events)
    handoff, proceeding = dispute.handoff(handoff_id), dispute.proceeding(proceeding_id)
    assert (handoff["state"], handoff["received_on"]) == ("RECEIVED", date(2025, 3, 14))
    assert (proceeding["state"], proceeding["received_on"]) == ("REQUESTED", date(2025, 3, 14))


def test_resubmission_by_the_receiving_agency_is_refused():
    history, handoff_id, _ = requested_handoff()
    history.do(receive(handoff_id))
    history.do(return_(handoff_id))
    refused(history.events, resubmit(handoff_id, actor=HR_PARTNER), CommandNotAllowed)


def test_accepted_handoff_activates_the_target_proceeding_with_the_receiving_case_number():
    history, handoff_id, proceeding_id = requested_handoff()
    history.do(receive(handoff_id))
    new_events = accepted(history.events, accept_handoff(handoff_id, case_no="(2025)HR-17"))
    assert names(new_events) == ["HandoffAccepted"]
    dispute = after(history.events, new_events)
    assert (dispute.handoff(handoff_id)["state"], dispute.handoff(handoff_id)["receiving_case_no"]) == (
        "ACCEPTED", "(2025)HR-17")
    proceeding = dispute.proceeding(proceeding_id)
    assert (proceeding["state"], proceeding["case_no"]) == ("ACTIVE", "(2025)HR-17")


def test_accepting_a_never_received_handoff_records_its_receipt_then_its_acceptance():
    history, handoff_id, _ = requested_handoff()
    new_events = accepted(history.events, accept_handoff(handoff_id, on="2025-03-15"))
    assert names(new_events) == ["HandoffReceived", "HandoffAccepted"]
    assert case_events(new_events)[0].on == case_events(new_events)[1].on == date(2025, 3, 15)


def test_accepting_a_handed_off_proceeding_directly_is_refused():
    history, _, proceeding_id = requested_handoff()
    refused(history.events, accept(proceeding_id, on="2025-03-15"), CommandNotAllowed)


def test_declining_a_handed_off_mediation_directly_is_refused():
    history, _, proceeding_id = requested_handoff("MEDIATION")
    def command(dispute):
        dispute.decline_proceeding_by_party(proceeding_id, party_side="EMPLOYER", on="2025-03-12", actor=JUSTICE_PARTNER)

    refused(history.events, command, CommandNotAllowed)


def test_rejected_handoff_records_reason_legal_basis_and_advice():
    history, handoff_id, proceeding_id = requested_handoff()
    history.do(receive(handoff_id))
    new_events = accepted(history.events, reject_handoff(handoff_id))
    assert names(new_events) == ["HandoffRejected"]
    rejected = case_events(new_events)[0]
    assert (rejected.reason, rejected.legal_basis, rejected.advice_to_party) == (
        "NO_JURISDICTION", "LDMAL art. 21", "Apply where the work is performed")
    assert after(history.events, new_events).proceeding(proceeding_id)["state"] == "REJECTED"


def test_withdrawn_handoff_withdraws_the_target_proceeding():
    history, handoff_id, proceeding_id = requested_handoff()
    new_events = accepted(history.events, withdraw_handoff(handoff_id))
    assert names(new_events) == ["HandoffWithdrawn"]
    dispute = after(history.events, new_events)
    assert (dispute.handoff(handoff_id)["state"], dispute.proceeding(proceeding_id)["state"]) == (
        "WITHDRAWN", "WITHDRAWN")


def test_withdrawal_by_the_receiving_agency_is_refused():
    history, handoff_id, _ = requested_handoff()
    refused(history.events, withdraw_handoff(handoff_id, actor=HR_PARTNER), CommandNotAllowed)


def test_auditor_cannot_decide_a_handoff():
    history, handoff_id, _ = requested_handoff()
    refused(history.events, receive(handoff_id, actor=AUDITOR), CommandNotAllowed)


def _received(history: History, handoff_id: str) -> None:
    history.do(receive(handoff_id))


def _returned(history: History, handoff_id: str) -> None:
    history.do(receive(handoff_id))
    history.do(return_(handoff_id))


ACTIONS_BY_OTHER_AGENCY = {
    "receive": (lambda h, i: None, lambda i: receive(i, actor=COURT_PARTNER)),
    "return_for_supplement": (_received, lambda i: return_(i, actor=COURT_PARTNER)),
    "accept": (_received, lambda i: accept_handoff(i, actor=COURT_PARTNER)),
    "reject": (_received, lambda i: reject_handoff(i, actor=COURT_PARTNER)),
    "resubmit": (_returned, lambda i: resubmit(i, actor=COURT_PARTNER)),
    "withdraw": (lambda h, i: None, lambda i: withdraw_handoff(i, actor=COURT_PARTNER)),
}


def test_other_agency_actions_cover_every_handoff_trigger():
    assert sorted(ACTIONS_BY_OTHER_AGENCY) == sorted({t for t, _, _ in HANDOFF.transitions})


@pytest.mark.parametrize("action", sorted(ACTIONS_BY_OTHER_AGENCY))
def test_partner_of_another_agency_acting_on_a_handoff_gets_not_found(action):
    history, handoff_id, _ = requested_handoff()  # union → HR; the court cannot see it
    setup, command = ACTIONS_BY_OTHER_AGENCY[action]
    setup(history, handoff_id)
    refused(history.events, command(handoff_id), NotFound)


def test_handoff_step_dated_before_the_request_is_invalid_naming_on():
    history, handoff_id, _ = requested_handoff()  # requested 2025-03-10
    error = refused(history.events, receive(handoff_id, on="2025-03-09"), InvalidInput)
    assert error.field == "on"


def test_handoff_accepted_before_it_was_received_is_invalid_naming_on():
    history, handoff_id, _ = requested_handoff()  # requested 2025-03-10
    history.do(receive(handoff_id, on="2025-03-13"))
    error = refused(history.events, accept_handoff(handoff_id, on="2025-03-11"), InvalidInput)
    assert error.field == "on"


def test_handoff_is_visible_to_the_receiving_agency_from_its_request():
    history, _, _ = requested_handoff()
    assert history.state.visible_to_agency("hr") is True


def test_handoff_is_not_visible_to_an_uninvolved_agency():
    history, _, _ = requested_handoff()
    assert history.state.visible_to_agency("court") is False


def test_returned_handoff_stays_visible_to_the_receiving_agency():
    history, handoff_id, _ = requested_handoff()
    history.do(receive(handoff_id))
    history.do(return_(handoff_id))
    assert history.state.visible_to_agency("hr") is True


def test_rejected_handoff_stays_visible_to_the_receiving_agency():
    history, handoff_id, _ = requested_handoff()
    history.do(reject_handoff(handoff_id))
    assert history.state.visible_to_agency("hr") is True


def test_handoff_withdrawn_before_receipt_is_not_visible_to_the_receiving_agency():
    history, handoff_id, _ = requested_handoff()
    history.do(withdraw_handoff(handoff_id))
    assert history.state.visible_to_agency("hr") is False


def test_handoff_withdrawn_after_receipt_stays_visible_to_the_receiving_agency():
    history, handoff_id, _ = requested_handoff()
    history.do(receive(handoff_id))
    history.do(withdraw_handoff(handoff_id))
    assert history.state.visible_to_agency("hr") is True


# --------------------------------------------------------------------------- derived status (§4.6)


def test_status_without_open_proceedings_is_intake():
    assert registered().state.status == "INTAKE"


def test_status_with_an_open_negotiation_is_in_negotiation():
    history = registered()
    opened(history, "NEGOTIATION")
    assert history.state.status == "IN_NEGOTIATION"


def test_status_with_an_open_mediation_is_in_mediation():
    history = registered()
    opened(history, "MEDIATION")
    assert history.state.status == "IN_MEDIATION"


def test_arbitration_takes_precedence_over_mediation_in_the_status():
    history = registered()
    opened(history, "MEDIATION")
    opened(history, "ARBITRATION")
    assert history.state.status == "IN_ARBITRATION"


def test_court_takes_precedence_over_arbitration_in_the_status():
    history = registered()
    opened(history, "ARBITRATION")
    opened(history, "LITIGATION_FIRST", override_reason="Court-originated case")
    assert history.state.status == "IN_LITIGATION"


def test_appeal_takes_precedence_over_first_instance_in_the_status():
    history = registered()
    concluded(history, "ARBITRATION", "AWARD_NON_FINAL")
    opened(history, "LITIGATION_FIRST")
    opened(history, "APPEAL", override_reason="Appeal against a procedural ruling")
    assert history.state.status == "IN_APPEAL"


def test_concluded_proceedings_do_not_count_in_the_status():
    history = registered()
    concluded(history, "MEDIATION", "FAILED")
    assert history.state.status == "INTAKE"


def test_status_of_a_resolved_dispute_is_resolved():
    history = registered()
    history.do(lambda d: d.resolve(how="Wages paid", on=DAY, actor=STAFF))
    assert history.state.status == "RESOLVED"


def test_status_of_a_closed_dispute_is_closed():
    history = registered()
    history.do(lambda d: d.close(reason="WITHDRAWN", on=DAY, actor=STAFF))
    assert history.state.status == "CLOSED"


# --------------------------------------------------------------------------- allowed actions


def test_allowed_actions_of_a_new_dispute_are_those_of_an_open_dispute():
    actions = registered().state.allowed_actions()
    assert (actions["dispute"], actions["proceedings"], actions["handoffs"]) == (
        declared_triggers(DISPUTE, "OPEN"), {}, {})


def test_allowed_actions_of_a_proceeding_follow_the_proceeding_table():
    history = registered()
    requested = opened(history, "MEDIATION")
    running = active(history, "ARBITRATION")
    assert history.state.allowed_actions()["proceedings"] == {
        requested: declared_triggers(PROCEEDING, "REQUESTED"),
        running: declared_triggers(PROCEEDING, "ACTIVE"),
    }


def test_allowed_actions_of_a_handoff_follow_the_handoff_table():
    history, handoff_id, _ = requested_handoff()
    history.do(receive(handoff_id))
    assert history.state.allowed_actions()["handoffs"] == {handoff_id: declared_triggers(HANDOFF, "RECEIVED")}


def test_allowed_actions_leave_out_ended_proceedings_and_handoffs():
    history, handoff_id, _ = requested_handoff()
    history.do(withdraw_handoff(handoff_id))
    concluded(history, "MEDIATION", "FAILED")
    actions = history.state.allowed_actions()
    assert (actions["proceedings"], actions["handoffs"]) == ({}, {})


def test_allowed_actions_of_a_resolved_dispute_follow_the_dispute_table():
    history = registered()
    history.do(lambda d: d.resolve(how="Wages paid", on=DAY, actor=STAFF))
    assert history.state.allowed_actions()["dispute"] == declared_triggers(DISPUTE, "RESOLVED")


# --------------------------------------------------------------------------- resolve, close, reopen


def test_resolving_records_how_and_the_amount_recovered():
    new_events = accepted(registered().events, lambda d: d.resolve(
        how="Wages paid after mediation", amount_recovered_cny="12000", on=DAY, actor=STAFF))
    assert names(new_events) == ["Resolved"]
    resolved = case_events(new_events)[0]
    assert (resolved.stage, str(resolved.amount_recovered_cny)) == ("RESOLVED", "12000.00")


def test_resolving_while_a_proceeding_is_open_is_refused():
    history = registered()
    opened(history, "MEDIATION")
    refused(history.events, lambda d: d.resolve(how="Paid", on=DAY, actor=STAFF), CommandNotAllowed)


def test_closing_while_a_proceeding_is_open_is_refused():
    history = registered()
    active(history, "ARBITRATION")
    refused(history.events, lambda d: d.close(reason="WITHDRAWN", on=DAY, actor=STAFF), CommandNotAllowed)


def test_closing_as_resolved_before_resolving_is_refused():
    refused(registered().events, lambda d: d.close(reason="RESOLVED", on=DAY, actor=STAFF), CommandNotAllowed)


def test_closing_a_resolved_dispute_closes_it():
    history = registered()
    history.do(lambda d: d.resolve(how="Paid", on=DAY, actor=STAFF))
    new_events = accepted(history.events, lambda d: d.close(reason="RESOLVED", on=DAY, actor=STAFF))
    assert names(new_events) == ["Closed"]
    assert after(history.events, new_events).stage == "CLOSED"


def test_closing_with_an_unknown_reason_is_invalid():
    error = refused(registered().events, lambda d: d.close(reason="BORED", on=DAY, actor=STAFF), InvalidInput)
    assert error.field == "reason"


def test_reopening_a_closed_dispute_restores_it_to_open():
    history = registered()
    history.do(lambda d: d.close(reason="WITHDRAWN", on=DAY, actor=STAFF))
    new_events = accepted(history.events, lambda d: d.reopen(reason="New evidence", on="2025-04-01", actor=STAFF))
    assert names(new_events) == ["Reopened"]
    dispute = after(history.events, new_events)
    assert (dispute.stage, dispute.closure, dispute.status) == ("OPEN", None, "INTAKE")


def test_reopening_an_open_dispute_is_refused():
    error = refused(registered().events, lambda d: d.reopen(reason="x", on=DAY, actor=STAFF), CommandNotAllowed)
    assert error.allowed == declared_triggers(DISPUTE, "OPEN")


def test_opening_a_proceeding_on_a_closed_dispute_is_refused():
    history = registered()
    history.do(lambda d: d.close(reason="WITHDRAWN", on=DAY, actor=STAFF))
    error = refused(history.events, open_("MEDIATION"), CommandNotAllowed)
    assert error.state == "CLOSED"


def test_closing_dated_before_the_dispute_was_received_is_invalid_naming_on():
    error = refused(registered().events, lambda d: d.close(reason="WITHDRAWN", on="2025-03-02", actor=STAFF),
                    InvalidInput)
    assert error.field == "on"


def test_resolving_dated_before_the_dispute_was_received_is_invalid_naming_on():
    error = refused(registered().events, lambda d: d.resolve(how="Paid", on="2025-03-02", actor=STAFF),
                    InvalidInput)
    assert error.field == "on"
